"""What OpenMarket callbacks carry beyond the shared event fields."""

from __future__ import annotations

from dataclasses import dataclass

from .._events import Details
from .._public import public_dir

__all__ = ("InboundDetails", "ReportDetails", "RequestDetails")


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestDetails(Details):
    """The request itself (a [`Callback`][mmsdr.Callback]'s details): OpenMarket's id for it."""

    request_id: str | None = None
    """``X-Request-Id``: "A unique ID that identifies the specific request in OpenMarket's systems", for its
    support desk; not known to stay the same across retries, so never part of a ``dedupe_key``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDetails(Details):
    """``openmarket.mms_report``: the outcome code and the handset description."""

    outcome_id: int | None = None
    """``outcomeId`` (its text is the event's ``status_text``, its decimal the event's ``provider_code``)."""

    user_agent: str | None = None
    """``userAgent``: the recipient's handset description, where sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundDetails(Details):
    """``openmarket.mms_inbound``: the sender's operator and handset."""

    operator_id: int | None = None
    """``mobileOperatorId``: OpenMarket's id of the sender's network operator, where sent."""

    user_agent: str | None = None
    """``userAgent``: the sender's handset description, where sent."""


__dir__ = public_dir(globals())

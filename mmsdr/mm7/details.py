"""What MM7 requests carry beyond the shared event fields: the envelope of the request, and per operation."""

from __future__ import annotations

from dataclasses import dataclass

from .._events import Details
from .._public import public_dir

__all__ = ("DeliverDetails", "Envelope", "ReportDetails")


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope(Details):
    """The request itself (a [`Callback`][mmsdr.Callback]'s details): what the acknowledgement echoes."""

    transaction_id: str
    """The SOAP header's ``TransactionID``, trimmed; the answer echoes it."""

    mm7_version: str
    """The request's ``MM7Version`` (``"6.8.0"``); the answer echoes it."""

    namespace: str | None = None
    """The request's MM7 namespace URI (``.../23.140/schema/REL-6-MM7-1-4``, ...), trimmed; the answer is in it.
    None when the request used no namespace."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDetails(Details):
    """``mm7.delivery_report`` and ``mm7.read_reply``: what TS 23.140 and the MMSC add to the status."""

    status_extension: str | None = None
    """``MMStatusExtension`` (REL-6 and later: ``"RejectionByMMSRecipient"``, ...), where sent."""

    network: str | None = None
    """The recipient's network, from the MMSC's operator header (``x-mblox-operator-id``, ...), where sent."""

    user_agent: str | None = None
    """The recipient's handset description: ``UACapabilities/@UAProf`` or a profile header, where sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliverDetails(Details):
    """``mm7.deliver``: the inbound MMS's priority, linked id and the sender's network."""

    priority: str | None = None
    """``Priority`` (``"High"``, ``"Normal"`` or ``"Low"``), trimmed, where the sender gives it."""

    linked_id: str | None = None
    """``LinkedID``: the MMSC's id of this MO (Sinch: "a Sinch generated ID"); the event's ``message_id`` when
    present, else the TransactionID stands in."""

    network: str | None = None
    """The sender's network, from the MMSC's operator header (``x-mblox-operator-id``, ...), where sent."""


__dir__ = public_dir(globals())

"""What Bandwidth Messaging v2 callbacks carry beyond the shared event fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .._events import Details
from .._public import public_dir

__all__ = ("ErrorCode", "InboundDetails", "ReportDetails")


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorCode:
    """One row of Bandwidth's messaging error table (Bandwidth, "Messaging Errors", Error Code Schema)."""

    code: str
    """The 4-digit ``errorCode`` as a string (``"4432"``)."""

    name: str
    """The table's "Description" (``"rejected-forbidden-country"``)."""

    reported_by: str
    """Who refused, from the second digit: ``"bandwidth"``, ``"carrier"``, or ``"downstream"`` (9xxx, the
    "ambiguous" errors)."""

    permanent: bool | None
    """From the first digit: True for 4xxx ("Repeating the request will produce the same result"), False for
    5xxx (a service failure; a retry may succeed), None for 9xxx (ambiguous)."""

    billable: bool
    """The table's "Billable" column."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDetails(Details):
    """``bandwidth.report``: what a ``message-sending`` / ``-sent`` / ``-delivered`` / ``-failed`` / ``-read``
    event says beyond status and code."""

    recipients: tuple[str, ...] = ()
    """``message.to``: every recipient of the message (a group message has several; the report is about the
    event's ``to``, the event's ``recipient``)."""

    owner: str | None = None
    """``message.owner``: the number this copy of the message belongs to."""

    direction: str | None = None
    """``message.direction``: ``"out"`` for the reports of messages you sent."""

    application_id: str | None = None
    """``message.applicationId``."""

    tag: str | None = None
    """``message.tag``: what you set when sending."""

    segment_count: int | None = None
    """``message.segmentCount``."""

    media: tuple[str, ...] = ()
    """``message.media``: the URLs of the message's media. A ``message-delivered`` event of an MMS without
    Bandwidth's MMS delivery receipts only means "handed off to the Bandwidth's MMSC network"."""

    message_time: datetime | None = None
    """``message.time``: when the message was created (the event's ``timestamp`` is the event's ``time``)."""

    error: ErrorCode | None = None
    """The error table's row of ``errorCode``; None without a code or for a code the table does not list."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundDetails(Details):
    """``bandwidth.inbound``: what a ``message-received`` event says beyond the message."""

    owner: str | None = None
    """``message.owner``: which of your numbers this copy of a group message belongs to (one event each)."""

    direction: str | None = None
    """``message.direction``: ``"in"``."""

    application_id: str | None = None
    """``message.applicationId``."""

    segment_count: int | None = None
    """``message.segmentCount``."""

    description: str | None = None
    """The event's ``description`` (``"Incoming message received"``)."""

    message_time: datetime | None = None
    """``message.time``: when the message was created (the event's ``timestamp`` is the event's ``time``)."""


__dir__ = public_dir(globals())

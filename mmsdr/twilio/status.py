"""Twilio Messaging status callbacks: what became of a message you sent.

Twilio posts "a subset of the standard request properties" plus ``MessageStatus`` and, for ``failed`` and
``undelivered``, ``ErrorCode`` (Twilio, "Track the message status of outbound messages"); the documented example
for ``sent``::

    AccountSid=ACxxx&From=%2B15017122661&MessageSid=SMxxx&MessageStatus=sent&SmsSid=SMxxx&SmsStatus=sent

For most SMS and MMS ``delivered`` and ``undelivered`` it adds ``RawDlrDoneDate``, the carrier's done date as
``YYMMDDhhmm`` without a zone. Callbacks "may arrive out of order", and none comes for the initial status.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING

from .._events import Callback, DeliveryReport, ReadReport
from .._format import Times, make_dedupe_key, one_event
from .._status import Status, status_from_table
from . import _common
from .details import StatusDetails

if TYPE_CHECKING:
    from datetime import datetime

    from .._format import ParseContext
    from .._request import Request

__all__ = ("FORMAT", "REFUSAL_CODES", "STATUSES")

NAME = "twilio.status"

#: ``MessageStatus`` to [`mmsdr.Status`][mmsdr.Status] (docs/status.md); anything else, ``partially_delivered``
#: and the inbound ``receiving`` and ``received`` included, is ``Status.UNKNOWN``.
STATUSES = MappingProxyType(
    {
        "accepted": Status.PENDING,
        "scheduled": Status.PENDING,
        "queued": Status.PENDING,
        "sending": Status.PENDING,
        "sent": Status.FORWARDED,  # handed to the carrier
        "delivered": Status.DELIVERED,
        "undelivered": Status.FAILED,  # the carrier could not deliver it
        "failed": Status.FAILED,  # Twilio could not send it (before the carrier)
        "read": Status.READ,
        "canceled": Status.CANCELLED,  # the sender cancelled a scheduled message
    }
)

#: ``ErrorCode`` values that say the message was refused (by Twilio or the carrier) rather than lost: they
#: make a ``failed`` or ``undelivered`` report [`Status.REJECTED`][mmsdr.Status.REJECTED] (Twilio error
#: pages: 30001 Queue overflow, 30002 Account suspended, 30004 Message blocked, 30007 Message filtered,
#: 30010 Price exceeds max price, 30019 Content size exceeds carrier limit, 30032 Toll-free number not
#: verified, 21610 Attempt to send to unsubscribed recipient). Any other code keeps ``failed``.
REFUSAL_CODES = frozenset({"30001", "30002", "30004", "30007", "30010", "30019", "30032", "21610"})

_DONE_DATE = "RawDlrDoneDate"
_DONE_DATE_SHAPE = re.compile(r"(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)", re.ASCII)
_DONE_DATE_FORM = "a date of the form YYMMDDhhmm"


def _matches(request: Request) -> bool:
    # MessageStatus is Twilio's alone among mmsdr's formats, and an inbound message never has it.
    names = _common.field_names(request)
    return _common.MESSAGE_SID in names and "MessageStatus" in names


def _done_date(times: Times, text: str | None) -> tuple[datetime, datetime | None]:
    """The event's timestamp and the details' done date: ``RawDlrDoneDate`` where sent and readable."""
    if text is None or not text.strip():
        return times.now(), None  # documented as absent for most statuses: no warning
    match = _DONE_DATE_SHAPE.fullmatch(text.strip())
    # "2607171206" is 2026-07-17 12:06: read through the shared date reader, so that the zone is the
    # endpoint's (UTC unless configured) and an impossible date is a warning, never a lost report.
    iso = text if match is None else "20{}-{}-{} {}:{}".format(*match.groups())
    time = times.read(_DONE_DATE, iso)
    return time.timestamp, time.timestamp if time.key != iso.strip() else None


def parse(request: Request, context: ParseContext) -> Callback:
    fields = _common.fields(request, context, NAME)
    warnings: list[str] = []
    message_id = fields.required_text(_common.MESSAGE_SID).strip()
    provider_status = fields.required_text("MessageStatus").strip()
    error_code = _common.text_or_none(fields, "ErrorCode")
    status = status_from_table(STATUSES, provider_status.lower())
    if status is Status.FAILED and error_code in REFUSAL_CODES:
        status = Status.REJECTED
    done_text = fields.text(_DONE_DATE)
    timestamp, done_date = _done_date(Times(context, warnings, form=_DONE_DATE_FORM), done_text)
    kind = ReadReport if status is Status.READ else DeliveryReport
    event = kind(
        provider=_common.PROVIDER,
        format=NAME,
        timestamp=timestamp,
        # Twilio sends each status once per change, out of order: the status, the code and the carrier's done
        # date tell one report from the next; the text as sent, so that the key never depends on the zone.
        dedupe_key=make_dedupe_key(NAME, message_id, provider_status, error_code, (done_text or "").strip()),
        raw=fields.raw(),
        message_id=message_id,
        status=status,
        provider_status=provider_status,
        provider_code=error_code,
        recipient=_common.text_or_none(fields, "To"),
        sender=_common.text_or_none(fields, "From"),
        status_text=_common.text_or_none(fields, "ErrorMessage"),
        details=StatusDetails(
            account_sid=_common.text_or_none(fields, "AccountSid"),
            messaging_service_sid=_common.text_or_none(fields, "MessagingServiceSid"),
            raw_dlr_done_date=done_date,
            event_type=_common.text_or_none(fields, "EventType"),
            api_version=_common.text_or_none(fields, "ApiVersion"),
        ),
    )
    return one_event(event, warnings=tuple(warnings))


FORMAT = _common.twilio_format(
    NAME,
    "Messaging status callback: MessageSid, MessageStatus, ErrorCode, RawDlrDoneDate (form POST or GET)",
    _matches,
    parse,
    _common.acknowledge_status,
    details_types=(StatusDetails,),
    required_fields=("MessageSid", "MessageStatus"),
)

"""MX Telecom MMS delivery and read reports, by GET.

"note that if Alice sends Bob an MMS, the delivery report will be from Bob to Alice": ``to`` is the sender of
the original message and ``from`` its recipient. The events use the meaningful names: ``sender`` and
``recipient`` of the reported message.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from .._events import Callback, DeliveryReport, ReadReport
from .._format import make_dedupe_key, one_event
from .._status import Status, status_from_table
from . import _common
from .details import MmsReportDetails

if TYPE_CHECKING:
    from .._format import ParseContext
    from .._request import Request

__all__ = ("FORMAT", "STATUSES")

NAME = "mxtelecom.mms_report"

#: ``status`` to [`mmsdr.Status`][mmsdr.Status], as numbered in "Receiving reports using HTTP"; others are UNKNOWN.
STATUSES = MappingProxyType(
    {
        "1": Status.PENDING,  # Buffered - a delivery attempt has been made which failed
        "2": Status.INDETERMINATE,  # Indeterminate delivery
        "3": Status.DELIVERED,  # Delivered
        "4": Status.EXPIRED,  # Delivery expired
        "5": Status.REJECTED,  # Rejected
        "6": Status.FORWARDED,  # Forwarded
        "7": Status.READ,  # Read
        "8": Status.DELETED,  # Deleted
        "9": Status.INDETERMINATE,  # Indeterminate read
        "10": Status.EXPIRED,  # Expired read
    }
)

# "type: 1. Delivery report 2. Read report". One version of the vendor's pages numbers them 3 and 4: accepted
# as aliases.
_DELIVERY_TYPES = ("1", "3")
_READ_TYPES = ("2", "4")


def _matches(request: Request) -> bool:
    return {"requestid", "status", "type"} <= request.field_names


def parse(request: Request, context: ParseContext) -> Callback:
    fields = _common.fields(request, context, NAME)
    report_type = fields.choice("type", sorted(_DELIVERY_TYPES + _READ_TYPES))
    report_id = fields.required_text("id").strip()
    message_id = fields.required_text("requestid").strip()
    provider_status = fields.required_text("status").strip()
    recipient = fields.required_text("from").strip()
    sender = fields.required_text("to").strip()
    warnings: list[str] = []
    time = _common.times(context, warnings).read("date", fields.text("date"))
    event_type = DeliveryReport if report_type in _DELIVERY_TYPES else ReadReport
    return one_event(
        event_type(
            provider=_common.PROVIDER,
            format=NAME,
            timestamp=time.timestamp,
            # The report id is unique per report; the rest guards against a provider reusing it for a new status.
            dedupe_key=make_dedupe_key(NAME, report_id, message_id, recipient, report_type, provider_status),
            raw=fields.raw(),
            message_id=message_id,
            status=status_from_table(STATUSES, provider_status),
            provider_status=provider_status,
            recipient=recipient,
            sender=sender,
            details=MmsReportDetails(report_id=report_id, user_agent=fields.text("useragent") or None),
        ),
        warnings=tuple(warnings),
    )


FORMAT = _common.mx_format(
    NAME,
    "MMS delivery or read report: id, requestid, to, from, date, type, status (GET)",
    _matches,
    parse,
    details_types=(MmsReportDetails,),
    required_fields=("id", "requestid", "to", "from", "type", "status"),
)

"""MX Telecom / OpenMarket-legacy SMS delivery reports: ``smsmsg=REPORT <id> <STATUS>``.

Example from the vendor ("Receiving Delivery Reports via HTTP")::

    GET /drpt.cgi?smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsto=913&shortcode=913
        &smsid=17221293&smsdate=2002-04-30+21%3A58%3A00&reason=1359151616
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING

from .._events import Callback, DeliveryReport
from .._format import make_dedupe_key, one_event
from .._status import Status, status_from_table
from . import _common
from .details import SmsReportDetails
from .reason import ReasonCode

if TYPE_CHECKING:
    from .._format import ParseContext
    from .._request import Request

__all__ = ("FORMAT", "STATUSES")

NAME = "mxtelecom.sms_report"

# The vendor: "The smsmsg field will be of the format: REPORT <SMS ID> <STATUS>", e.g. "REPORT <37954551> <BUFFERED>".
# Every real example has no brackets ("REPORT+17218733+DELIVERED"): they are optional here. The separator is
# a space, or a literal "+" where the query was decoded without "+"-to-space (seen in wcirillo/ten). STATUS is
# kept whatever it is (NONE/BUFFERED is seen in third-party code); only its shape is checked.
_REPORT = re.compile(
    r"REPORT[ +]+<?(?P<sms_id>[0-9]{1,20})>?[ +]+<?(?P<status>[A-Za-z0-9_/\-]{1,40})>?[ +]*",
    re.ASCII | re.IGNORECASE,
)
_REPORT_PREFIX = re.compile(r"\s*REPORT[ +]", re.ASCII | re.IGNORECASE)

# Fields the vendor documents for an inbound SMS ("Receiving SMS via HTTP": bits, smsucs2, smsudh, smsc,
# network) and not for a report ("Receiving Delivery Reports via HTTP" lists smsfrom, smsdate, smsmsg, reason,
# note, smsto, shortcode; its example adds smsid). A handset chooses an SMS's text, so "REPORT 1 DELIVERED" can
# arrive as an inbound SMS: with any of these fields it is one, whatever its text.
_INBOUND_ONLY_FIELDS = ("bits", "smsucs2", "smsudh", "smsc", "network")

#: STATUS word to [`mmsdr.Status`][mmsdr.Status] (docs/status.md); anything else is ``Status.UNKNOWN``.
STATUSES = MappingProxyType(
    {
        "BUFFERED": Status.PENDING,
        "DELIVERED": Status.DELIVERED,
        "FAILED": Status.FAILED,
        "REJECTED": Status.REJECTED,
    }
)


def _matches(request: Request) -> bool:
    if _common.first_present(request, _INBOUND_ONLY_FIELDS) is not None:
        return False
    for name, value in request.query + request.form:
        if name == "smsmsg":
            head = value[:16] if isinstance(value, str) else value[:16].decode("latin-1")
            return _REPORT_PREFIX.match(head) is not None
    return False


def parse(request: Request, context: ParseContext) -> Callback:
    _common.refuse_foreign_field(request, NAME, _INBOUND_ONLY_FIELDS, "an inbound SMS")
    fields = _common.fields(request, context, NAME)
    smsmsg = fields.required_text("smsmsg")
    match = _REPORT.fullmatch(smsmsg.strip())
    if match is None:
        raise fields.error("smsmsg", "must be 'REPORT <SMS ID> <STATUS>'", smsmsg)
    sms_id = fields.check_unsigned("smsmsg", match["sms_id"], bits=64)
    if sms_id == 0:
        raise fields.error("smsmsg", "must carry a positive SMS ID", smsmsg)
    provider_status = match["status"]
    reason_text = fields.text("reason")
    reason = None
    if reason_text is not None and (reason_text := reason_text.strip()):
        try:
            reason = ReasonCode.parse(reason_text)
        except ValueError as exc:
            raise fields.error("reason", str(exc), reason_text) from None
    report_id = fields.text("smsid")
    if report_id is not None:
        fields.check_unsigned("smsid", report_id, bits=64)
    recipient = fields.required_text("smsfrom")
    warnings: list[str] = []
    time = _common.times(context, warnings).read("smsdate", fields.text("smsdate"))
    # The report's own id (smsid) differs from the MT's id in the vendor's example; a retry repeats both, a
    # later report for the same MT has another STATUS, reason, date or smsid.
    dedupe_key = make_dedupe_key(
        NAME,
        sms_id,
        recipient,
        provider_status,
        reason.value if reason else None,
        report_id,
        time.key,
    )
    return one_event(
        DeliveryReport(
            provider=_common.PROVIDER,
            format=NAME,
            timestamp=time.timestamp,
            dedupe_key=dedupe_key,
            raw=fields.raw(),
            message_id=str(sms_id),
            status=status_from_table(STATUSES, provider_status.upper()),
            provider_status=provider_status,
            provider_code=reason_text if reason is not None else None,
            recipient=recipient,
            # "smsto / shortcode: Can be ignored." They hold the short code the MT was sent from.
            sender=fields.text("shortcode") or fields.text("smsto") or None,
            details=SmsReportDetails(
                report_id=report_id,
                reason=reason,
                note=fields.text("note"),
            ),
        ),
        warnings=tuple(warnings),
    )


FORMAT = _common.mx_format(
    NAME,
    "SMS delivery report: smsmsg=REPORT <id> <STATUS>, reason code, note (GET)",
    _matches,
    parse,
    details_types=(SmsReportDetails,),
    required_fields=("smsmsg", "smsfrom"),
)

"""Vonage SMS API callbacks: delivery receipts and inbound SMS, each sent by GET, form POST or JSON.

Vonage sends both "as a GET or POST request", the method chosen in the dashboard ("GET", "POST" or
"POST-JSON"), with hyphenated keys (Vonage, "Inbound SMS" and "Delivery Receipts" guides): one field reader
serves the query string, the form body and the JSON object alike, so that one callback gives the same event
whichever way it came. Signature fields (``sig``, ``timestamp``, ``nonce``) are plain data here, kept in
``raw``; ``mmsdr.vonage.Signature`` checks them where configured.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._dates import DateError, read_provider_date
from .._errors import UnsupportedFormatError, shown
from .._events import Callback, DeliveryReport, InboundMessage, Part
from .._format import Format, Times, make_dedupe_key, ok_without_body, one_event, retry_later
from .._status import Status, status_from_table
from .._wire.fields import FieldReader
from .._wire.json import JsonFields, load_json_object
from .._wire.text import without_lone_surrogates
from .details import SmsInboundDetails, SmsReceiptDetails

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from datetime import datetime

    from .._events import RawFields
    from .._format import ParseContext
    from .._request import Request

__all__ = ("ERROR_CODES", "FORMATS", "STATUSES")

PROVIDER = "vonage"
RECEIPT = "vonage.sms_receipt"
INBOUND = "vonage.sms_inbound"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

#: ``status`` of a delivery receipt, case-folded, to [`mmsdr.Status`][mmsdr.Status]: the webhook's words
#: (Vonage, "Delivery Receipts": ``delivered``, ``expired``, ``failed``, ``rejected``, ``accepted``,
#: ``buffered``, ``unknown``) and the SMPP spellings of Vonage's "DLR Statuses" article. Anything else is
#: ``Status.UNKNOWN``.
STATUSES: Mapping[str, Status] = MappingProxyType(
    {
        "buffered": Status.PENDING,
        "accepted": Status.FORWARDED,  # "the target carrier has accepted" it
        "acceptd": Status.FORWARDED,
        "delivered": Status.DELIVERED,
        "delivrd": Status.DELIVERED,
        "expired": Status.EXPIRED,  # also Vonage's own final receipt after 72 hours without the carrier's
        "failed": Status.FAILED,
        "undeliv": Status.FAILED,
        "rejected": Status.REJECTED,
        "rejectd": Status.REJECTED,
        "deleted": Status.FAILED,  # the carrier's message centre dropped it: not a read report's "deleted"
        "unknown": Status.INDETERMINATE,
    }
)

#: ``err-code`` of a delivery receipt and its meaning (Vonage, "Delivery Receipts", DLR error codes).
ERROR_CODES: Mapping[str, str] = MappingProxyType(
    {
        "0": "Delivered",
        "1": "Unknown",
        "2": "Absent subscriber - temporary",
        "3": "Absent subscriber - permanent",
        "4": "Call barred by user",
        "5": "Portability error",
        "6": "Anti-spam rejection",
        "7": "Handset busy",
        "8": "Network error",
        "9": "Illegal number",
        "10": "Illegal message",
        "11": "Unroutable",
        "12": "Destination unreachable",
        "13": "Subscriber age restriction",
        "14": "Number blocked by carrier",
        "15": "Prepaid insufficient funds",
        "16": "Gateway quota exceeded",
        "50": "Entity filter",
        "51": "Header filter",
        "52": "Content filter",
        "53": "Consent filter",
        "54": "Regulation error",
        "99": "General error",
    }
)

# The names detection looks for in a JSON body: a member name is a quoted string followed by a colon (a quote
# inside a JSON string is escaped, so text holding '"status":' does not match).
_JSON_NAMES = re.compile(rb'"(messageId|msisdn|status)"\s*:')
_SCTS = re.compile(r"(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)", re.ASCII)
_DATE_FORM = "a date of the form YYYY-MM-DD HH:MM:SS"
_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)
_OCTETS = "application/octet-stream"


def field_names(request: Request) -> Collection[str]:
    """The names of the callback's fields, for detection: a JSON body's (as far as detection needs them),
    a form body's, else the query string's."""
    if request.media_type == JSON:
        return {match.decode("ascii") for match in _JSON_NAMES.findall(request.body)}
    if request.media_type == FORM and request.query:
        return dict(request.form)
    return request.field_names


def _scalar(value: Any) -> str | None:
    """A JSON member as field text: a string, a number's text (``"0"`` for 0) or a boolean's; None for null,
    an object or an array, which no SMS API field is."""
    if type(value) is str:
        return without_lone_surrogates(value)
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is int or isinstance(value, Decimal):
        return str(value)
    return None


class Fields:
    """The callback's fields, wherever they came from, and its ``raw``."""

    __slots__ = ("raw", "reader")

    def __init__(
        self, request: Request, context: ParseContext, name: str, identity: tuple[str, ...], warnings: list[str]
    ) -> None:
        if request.media_type == JSON:
            obj = load_json_object(request.body, max_bytes=context.limits.max_json_bytes, format_name=name)
            json_fields = JsonFields(obj, format_name=name, warnings=warnings)
            for key in identity:
                if key in obj:  # ids and numbers: a string or an integer, never a text with a lone surrogate
                    json_fields.identifier(key)
            pairs: list[tuple[str, bytes | str]] = []
            for key, value in obj.items():
                text = _scalar(value)
                if text is None and value is not None:
                    warnings.append(f"field {shown(without_lone_surrogates(key))} is not a string: left out")
                elif text is not None:
                    pairs.append((without_lone_surrogates(key), text))
            self.reader = FieldReader(pairs, format_name=name, context=context)
            self.raw: RawFields = json_fields.raw()
            return
        if request.media_type == FORM:
            # On a POST the query string belongs to the URL configured at Vonage, not to the callback.
            source, index = request.form, None if request.query else request.field_index
        else:
            source, index = request.query, request.field_index
        self.reader = FieldReader(source, format_name=name, context=context, index=index)
        self.raw = self.reader.raw()

    def get(self, name: str) -> str | None:
        """A secondary field: its text stripped, None when absent or blank."""
        value = self.reader.text(name)
        if value is None:
            return None
        return value.strip() or None

    def number(self, name: str, warnings: list[str]) -> int | None:
        text = self.get(name)
        if text is None:
            return None
        if _NUMBER.fullmatch(text) is None:
            warnings.append(f"field {name!r} is not a number, got {shown(text)}: left out")
            return None
        return int(text)

    def hex_bytes(self, name: str, warnings: list[str], where: str) -> bytes | None:
        text = self.get(name)
        if text is None:
            return None
        try:
            return bytes.fromhex(text)
        except ValueError:
            warnings.append(f"field {name!r} is not hexadecimal: left out of {where} (it is in raw)")
            return None


def _scts(fields: Fields, context: ParseContext, warnings: list[str]) -> datetime | None:
    """``scts`` (``YYMMDDHHMM``) in the endpoint's zone, without a warning for the zone: the docs say which."""
    text = fields.get("scts")
    if text is None:
        return None
    match = _SCTS.fullmatch(text)
    problem = "not a date of the form YYMMDDHHMM"
    if match is not None:
        try:
            value, _ = read_provider_date(
                "20{}-{}-{} {}:{}".format(*match.groups()), default_zone=context.default_zone, form="YYMMDDHHMM"
            )
        except DateError as exc:
            problem = str(exc)
        else:
            return value
    warnings.append(f"field 'scts' is not a valid date ({problem}), got {shown(text)}: left out")
    return None


def parse_receipt(request: Request, context: ParseContext) -> Callback:
    warnings: list[str] = []
    fields = Fields(request, context, RECEIPT, ("messageId", "msisdn", "err-code"), warnings)
    reader = fields.reader
    message_id = reader.required_text("messageId").strip()
    recipient = reader.required_text("msisdn").strip()
    provider_status = reader.required_text("status").strip()
    code = fields.get("err-code")
    scts_text = fields.get("scts")
    time = Times(context, warnings, form=_DATE_FORM).read("message-timestamp", reader.text("message-timestamp"))
    event = DeliveryReport(
        provider=PROVIDER,
        format=RECEIPT,
        timestamp=time.timestamp,
        # One receipt per part and per status; Vonage's retries repeat all four (providers' texts as sent, so
        # that the key never depends on a zone).
        dedupe_key=make_dedupe_key(RECEIPT, message_id, provider_status, code, scts_text),
        raw=fields.raw,
        message_id=message_id,
        status=status_from_table(STATUSES, provider_status.lower()),
        provider_status=provider_status,
        provider_code=code,
        recipient=recipient,
        sender=fields.get("to"),
        details=SmsReceiptDetails(
            error_text=None if code is None else ERROR_CODES.get(code),
            scts=_scts(fields, context, warnings),
            network_code=fields.get("network-code"),
            price=fields.get("price"),
            client_ref=fields.get("client-ref"),
            api_key=fields.get("api-key"),
        ),
    )
    return one_event(event, warnings=tuple(warnings))


def parse_inbound(request: Request, context: ParseContext) -> Callback:
    warnings: list[str] = []
    fields = Fields(request, context, INBOUND, ("messageId", "msisdn"), warnings)
    reader = fields.reader
    if reader.has("status"):
        # An inbound SMS never has a status: a delivery receipt sent to the inbound URL is not read as a message.
        msg = f"{INBOUND}: field 'status' is only sent with a delivery receipt: this request is not this format"
        raise UnsupportedFormatError(msg, provider=PROVIDER, format=INBOUND, field="status")
    message_id = reader.required_text("messageId").strip()
    sender = reader.required_text("msisdn").strip()
    recipient = fields.get("to")
    if recipient is None:
        warnings.append("field 'to' is missing: the message has no recipient")
    message_type = fields.get("type")
    parts: tuple[Part, ...] = ()
    udh = None
    if message_type == "binary":
        data = fields.hex_bytes("data", warnings, "parts")
        parts = () if data is None else (Part(content_type=_OCTETS, data=data),)
        udh = fields.hex_bytes("udh", warnings, "details")
    concat = (fields.get("concat") or "").lower() == "true"
    concat_ref = fields.get("concat-ref")
    concat_part = fields.number("concat-part", warnings)
    time = Times(context, warnings, form=_DATE_FORM).read("message-timestamp", reader.text("message-timestamp"))
    text = reader.text("text")
    event = InboundMessage(
        provider=PROVIDER,
        format=INBOUND,
        timestamp=time.timestamp,
        # Each part of a long message is its own event: its part number keeps it apart from the others.
        dedupe_key=make_dedupe_key(INBOUND, message_id, concat_ref, concat_part),
        raw=fields.raw,
        message_id=message_id,
        channel="sms",
        sender=sender,
        recipients=() if recipient is None else (recipient,),
        text=text or None,  # kept exactly as sent
        parts=parts,
        details=SmsInboundDetails(
            message_type=message_type,
            keyword=fields.get("keyword"),
            concat=concat,
            concat_ref=concat_ref,
            concat_total=fields.number("concat-total", warnings),
            concat_part=concat_part,
            udh=udh,
            api_key=fields.get("api-key"),
        ),
    )
    return one_event(event, warnings=tuple(warnings))


def _receipt_matches(request: Request) -> bool:
    names = field_names(request)
    return "messageId" in names and "msisdn" in names and "status" in names


def _inbound_matches(request: Request) -> bool:
    names = field_names(request)
    return "messageId" in names and "msisdn" in names and "status" not in names


def _format(
    name: str, description: str, matches: Any, parse: Any, details: Any, *, required: tuple[str, ...]
) -> Format:
    return Format(
        name=name,
        description=description,
        methods=frozenset({"GET", "POST"}),
        matches=matches,
        body_media_types=frozenset({JSON}),
        parse=parse,
        # "Your webhook must respond with 200 OK or 204 No Content", else Vonage resends it for 24 hours.
        acknowledge=ok_without_body,
        retry=retry_later,
        details_types=(details,),
        required_fields=required,
        default_zone="UTC",  # message-timestamp is UTC
    )


FORMATS = (
    _format(
        RECEIPT,
        "SMS API delivery receipt: messageId, msisdn, status, err-code, scts (GET, form POST or JSON)",
        _receipt_matches,
        parse_receipt,
        SmsReceiptDetails,
        required=("messageId", "msisdn", "status"),
    ),
    _format(
        INBOUND,
        "SMS API inbound SMS, one event per part: messageId, msisdn, to, text, concat-* (GET, form POST or JSON)",
        _inbound_matches,
        parse_inbound,
        SmsInboundDetails,
        required=("messageId", "msisdn"),
    ),
)

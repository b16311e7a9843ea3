"""OpenMarket HTTP MMS callbacks: inbound MMS as JSON + MIME parts, and MMS delivery reports as JSON.

Both arrive on the same URL ("Requests sent by OpenMarket may be either "MO" for MO MMS messages or "REPORT" for
delivery reports"), so the content type tells them apart first and the JSON ``type`` second:

- ``openmarket.mms_inbound``: ``multipart/mixed``; "The first MIME part should be the sending details, in JSON.
  The MMS message contents should follow next in MIME multiparts."
- ``openmarket.mms_report``: ``application/json``, e.g. ``{"type": "REPORT", "mtId": "123456789012345", "date":
  "2014-07-16T19:20:30+00:00", "status": "Rejected", "outcomeId": 9, ...}`` (OpenMarket, "MMS delivery reports").

Both want "an HTTP 200 response with an empty body ... within 10 seconds"; OpenMarket retries otherwise.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING

from .._errors import MalformedRequestError
from .._events import Callback, DeliveryReport, InboundMessage, Part
from .._format import Format, Times, make_dedupe_key, ok_without_body, one_event, retry_later
from .._public import public_dir
from .._status import mm7_status
from .._wire.content_type import parse_content_type
from .._wire.json import JsonFields, load_json_object
from .._wire.multipart import BodyPart, parse_multipart
from .details import InboundDetails, ReportDetails, RequestDetails

if TYPE_CHECKING:
    from .._format import ParseContext
    from .._request import Request

__all__ = ("FORMATS", "REQUEST_ID_HEADER", "InboundDetails", "ReportDetails", "RequestDetails")

PROVIDER = "openmarket"
REPORT = "openmarket.mms_report"
INBOUND = "openmarket.mms_inbound"

#: "A unique ID that identifies the specific request in OpenMarket's systems." Documented as 1 to 30
#: characters, but the documented example has 40: any length is kept, with a warning.
REQUEST_ID_HEADER = "x-request-id"
_DOCUMENTED_REQUEST_ID_CHARS = 30
# "subject ... This has a maximum length of 255 characters." Longer is kept, and flagged in `warnings`.
_DOCUMENTED_SUBJECT_CHARS = 255
# The date is "a timestamp in the format: YYYY-MM-DDThh:mm:ssTZD", and "The time zone indicated is relative to
# UTC" (Receive an MMS; MMS delivery reports): a date without an offset is read as UTC, with a warning.
_ZONE = "UTC"
_DATE_FORM = "a date of the form YYYY-MM-DDThh:mm:ssTZD"
# Where to look for the JSON type without decoding the body: it is among the first keys in every example.
_SNIFF_BYTES = 4096
_JSON_TYPES = frozenset({"application/json", "text/json"})
_BASE64_BODY = re.compile(rb"[A-Za-z0-9+/\s]+={0,2}\s*", re.ASCII)
# A part header line: RFC 9110 token, optional blanks, a colon (RFC 5322 2.2).
_HEADER_LINE = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*:[^\r\n]*\r?\n")

# The success answer is ok_without_body: "Your platform should respond with an HTTP 200 response with an empty body."


# The "type" member, not the word anywhere: another provider's JSON may carry "REPORT" as text (an SMS body).
_REPORT_TYPE = re.compile(rb'"type"\s*:\s*"REPORT"')


def _is_report(request: Request) -> bool:
    return request.media_type in _JSON_TYPES and _REPORT_TYPE.search(request.body, 0, _SNIFF_BYTES) is not None


def _is_inbound(request: Request) -> bool:
    # multipart/mixed is OpenMarket's alone among our formats (MM7 sends multipart/related).
    return request.media_type == "multipart/mixed"


def _request_id(request: Request, warnings: list[str]) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    value = request.headers.get(REQUEST_ID_HEADER)
    if value is None:
        return None, ()
    if len(value) > _DOCUMENTED_REQUEST_ID_CHARS:
        warnings.append(f"X-Request-Id is longer than the documented {_DOCUMENTED_REQUEST_ID_CHARS} characters")
    return value, (("X-Request-Id", value),)


def _check_type(fields: JsonFields, expected: str) -> None:
    kind = fields.required_text("type")
    if kind.strip().upper() != expected:
        raise fields.error("type", f"must be {expected!r} for this format", kind)


def _times(context: ParseContext, warnings: list[str]) -> Times:
    return Times(context, warnings, form=_DATE_FORM)


def parse_report(request: Request, context: ParseContext) -> Callback:
    obj = load_json_object(request.body, max_bytes=context.limits.max_json_bytes, format_name=REPORT)
    warnings: list[str] = []
    fields = JsonFields(obj, format_name=REPORT, warnings=warnings)
    _check_type(fields, "REPORT")
    request_id, header_raw = _request_id(request, warnings)
    message_id = fields.identifier("mtId")
    provider_status = fields.required_text("status").strip()
    outcome_id = fields.integer("outcomeId")
    time = _times(context, warnings).read("date", fields.text("date"))
    event = DeliveryReport(
        provider=PROVIDER,
        format=REPORT,
        timestamp=time.timestamp,
        # X-Request-Id is not known to stay the same across retries: the key uses the report's own content.
        dedupe_key=make_dedupe_key(REPORT, message_id, provider_status, outcome_id, time.key),
        raw=fields.raw(*header_raw),
        message_id=message_id,
        status=mm7_status(provider_status),
        provider_status=provider_status,
        provider_code=None if outcome_id is None else str(outcome_id),
        recipient=None,  # the report does not say which handset; one report comes per recipient
        status_text=fields.text("outcomeDescription"),
        details=ReportDetails(outcome_id=outcome_id, user_agent=fields.text("userAgent")),
    )
    return one_event(event, warnings=tuple(warnings), details=RequestDetails(request_id=request_id))


def _main_part(parts: tuple[BodyPart, ...]) -> BodyPart | None:
    for part in parts:
        if part.content_id == "main":
            return part
    return next((part for part in parts if part.media_type in _JSON_TYPES), None)


def _media_data(part: BodyPart, context: ParseContext) -> bytes:
    data = part.data
    # "Encoding: Base64" say OpenMarket's quick facts, while its example declares no transfer encoding: with
    # the opt-in, a part that is entirely base64 text is decoded. Binary media never matches the alphabet.
    undeclared = part.transfer_encoding is None and not part.media_type.startswith("text/")
    if context.undeclared_base64 and undeclared and data and _BASE64_BODY.fullmatch(data):
        try:
            return base64.b64decode(b"".join(data.split()), validate=True)
        except binascii.Error:
            return data  # base64 letters but not base64 (bad padding): the bytes as sent
    return data


def insert_missing_blank_lines(body: bytes, boundary: str) -> bytes:
    """Put back the blank line between part headers and part data where it is missing.

    OpenMarket's own "Example MO MMS Message" prints every part with no blank line after its headers
    (``Content-Id: main`` then ``{`` on the next line). Probably a rendering artefact, but real senders copy
    documentation: a part whose header block runs straight into a line that is not a header gets the blank line
    inserted there. A well-formed part is never changed: the scan stops at its blank line.
    """
    delimiter = re.compile(rb"^--" + re.escape(boundary.encode("latin-1")) + rb"[ \t]*(\r?\n)", re.MULTILINE)
    pieces: list[bytes] = []
    done = 0
    for match in delimiter.finditer(body):
        position = match.end()
        while (header := _HEADER_LINE.match(body, position)) is not None:
            position = header.end()
        if position == match.end() or position >= len(body) or body.startswith((b"\r\n", b"\n"), position):
            continue
        pieces += [body[done:position], match.group(1)]
        done = position
    return b"".join([*pieces, body[done:]]) if pieces else body


def parse_inbound(request: Request, context: ParseContext) -> Callback:
    content_type = request.headers.get("content-type") or ""
    try:
        parts = parse_multipart(request.body, content_type, context.limits, what=INBOUND)
    except MalformedRequestError:
        # Only a body that fails as sent pays for the repair scan, and only a repaired one is read again.
        _, params = parse_content_type(content_type, what=INBOUND)
        repaired = insert_missing_blank_lines(request.body, params.get("boundary", ""))
        if not params.get("boundary") or repaired is request.body:
            raise
        parts = parse_multipart(repaired, content_type, context.limits, what=INBOUND)
    main = _main_part(parts)
    if main is None:
        msg = f"{INBOUND}: the JSON part (Content-Id: main) is missing"
        raise MalformedRequestError(msg, provider=PROVIDER, format=INBOUND, field="main")
    obj = load_json_object(main.data, max_bytes=context.limits.max_json_bytes, format_name=INBOUND, what="part 'main'")
    warnings: list[str] = []
    fields = JsonFields(obj, format_name=INBOUND, warnings=warnings)
    _check_type(fields, "MO")
    request_id, header_raw = _request_id(request, warnings)
    message_id = fields.identifier("moId")
    subject = fields.text("subject")
    if subject is not None and len(subject) > _DOCUMENTED_SUBJECT_CHARS:
        warnings.append(f"subject is longer than the documented {_DOCUMENTED_SUBJECT_CHARS} characters")
    media = tuple(
        Part(
            content_type=part.media_type or "application/octet-stream",
            data=_media_data(part, context),
            content_id=part.content_id,
            filename=part.filename or part.content_location,
            charset=part.params.get("charset"),
        )
        for part in _flatten(parts)
        if part is not main
    )
    texts = [text for part in media if part.is_text and (text := part.text) is not None]
    event = InboundMessage(
        provider=PROVIDER,
        format=INBOUND,
        timestamp=_times(context, warnings).read("date", fields.text("date")).timestamp,
        dedupe_key=make_dedupe_key(INBOUND, message_id),
        raw=fields.raw(*header_raw),
        message_id=message_id,
        channel="mms",
        sender=fields.required_text("source").strip(),
        recipients=fields.text_list("destinations"),
        cc=fields.text_list("ccs"),
        bcc=fields.text_list("bccs"),
        subject=subject,
        text="\n".join(texts) if texts else None,
        parts=media,
        details=InboundDetails(operator_id=fields.integer("mobileOperatorId"), user_agent=fields.text("userAgent")),
    )
    return one_event(event, warnings=tuple(warnings), details=RequestDetails(request_id=request_id))


def _flatten(parts: tuple[BodyPart, ...]) -> list[BodyPart]:
    flat: list[BodyPart] = []
    for part in parts:
        flat.extend(_flatten(part.children) if part.children else [part])
    return flat


FORMATS = (
    Format(
        name=REPORT,
        description="MMS delivery report: application/json with type REPORT, mtId, status, outcomeId (POST)",
        methods=frozenset({"POST"}),
        matches=_is_report,
        body_media_types=_JSON_TYPES,
        parse=parse_report,
        acknowledge=ok_without_body,
        retry=retry_later,
        details_types=(RequestDetails, ReportDetails),
        default_zone=_ZONE,
    ),
    Format(
        name=INBOUND,
        description="Inbound MMS: multipart/mixed, a JSON part (Content-Id: main) then the media (POST)",
        methods=frozenset({"POST"}),
        matches=_is_inbound,
        body_media_types=frozenset({"multipart/mixed"}),
        parse=parse_inbound,
        acknowledge=ok_without_body,
        retry=retry_later,
        details_types=(RequestDetails, InboundDetails),
        default_zone=_ZONE,
    ),
)

__dir__ = public_dir(globals())

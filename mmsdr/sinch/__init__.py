"""Sinch SMS REST API ("XMS") callbacks: JSON objects told apart by their ``type`` (Sinch, "SMS API reference",
Webhooks, Delivery reports and Inbounds).

- ``sinch.delivery_report``: ``delivery_report_sms`` / ``delivery_report_mms``, one callback per batch listing its
  ``statuses``; a "full" report lists the recipients of each, a "summary" one only counts them.
- ``sinch.recipient_delivery_report``: ``recipient_delivery_report_sms`` / ``_mms``, one recipient's status.
- ``sinch.inbound``: ``mo_text``, ``mo_binary`` (body base64, UDH hex) and ``mo_media`` (MMS: media by URL).

Sinch's MM7 callbacks are the ``mm7`` formats. Any 2xx answer is taken; "5xx → retried; 429 → retried ...; other
4xx → not retried", up to about 22 h 45 min after the first failure (Webhooks).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from .._events import Callback, DeliveryReport, Event, InboundMessage, Part, RawFields
from .._format import Format, Times, make_dedupe_key, ok_without_body, one_event, retry_later
from .._public import public_dir
from .._status import Status, status_from_table
from .._wire.json import JsonFields, load_json_object
from ._signature import Signature
from .details import BatchReportDetails, InboundDetails, MediaItem, ReportDetails, StatusCount

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from .._format import ParseContext
    from .._request import Request

__all__ = (
    "FORMATS",
    "STATUSES",
    "BatchReportDetails",
    "InboundDetails",
    "MediaItem",
    "ReportDetails",
    "Signature",
    "StatusCount",
    "status_for",
)

PROVIDER = "sinch"
BATCH = "sinch.delivery_report"
RECIPIENT = "sinch.recipient_delivery_report"
INBOUND = "sinch.inbound"

_BATCH_KINDS = frozenset({"delivery_report_sms", "delivery_report_mms"})
_RECIPIENT_KINDS = frozenset({"recipient_delivery_report_sms", "recipient_delivery_report_mms"})
_INBOUND_KINDS = frozenset({"mo_text", "mo_binary", "mo_media"})

# Delivery-reports tag page, "Delivery report statuses", keyed case-folded: payloads send Title case, the
# Python SDK's types UPPER case. Deleted is "deleted by a remote SMSC", a failure, not a read report's deleted.
STATUSES = {
    "queued": Status.PENDING,
    "dispatched": Status.FORWARDED,
    "delivered": Status.DELIVERED,
    "failed": Status.FAILED,
    "rejected": Status.REJECTED,
    "aborted": Status.FAILED,
    "cancelled": Status.CANCELLED,
    "deleted": Status.FAILED,
    "expired": Status.EXPIRED,
    "unknown": Status.INDETERMINATE,
}
# "Delivery report error codes": the code refines a failure (Aborted or Failed); other codes keep the status.
_FAILURE_BY_CODE = {
    "402": Status.REJECTED,  # Message unroutable
    "404": Status.FAILED,  # Temporary delivery failure
    "406": Status.EXPIRED,  # Internal expiry
    "408": Status.REJECTED,  # Internal reject
    "412": Status.REJECTED,  # Unprovisioned region
    "413": Status.REJECTED,  # Blocked
    "415": Status.REJECTED,  # MMS: rejected by MMSC or network (MM7 Rejected)
    "416": Status.FAILED,  # MMS: not supported
    "417": Status.FAILED,  # MMS: unreachable
    "418": Status.FAILED,  # MMS: unrecognized
}
_FAILURES = frozenset({"aborted", "failed"})

_JSON_TYPES = frozenset({"application/json"})
# The top-level "type" member: a JSON string's own quotes are escaped, so only a real member matches.
_TYPE_MEMBER = re.compile(rb'"type"\s*:\s*"([a-z_]{1,40})"')
_DATE_FORM = "an ISO 8601 date (YYYY-MM-DDThh:mm:ss.SSSZ)"

# The success answer is ok_without_body: Webhooks: any 2xx; "No body required".


def _sniffed_type(request: Request) -> str | None:
    match = _TYPE_MEMBER.search(request.body)
    return None if match is None else match.group(1).decode("ascii")


def status_for(provider_status: str, code: str | None) -> Status:
    """The normalised status of a Sinch ``status`` (any case) refined by its ``code`` (docs/sinch.md)."""
    word = provider_status.strip().casefold()
    if word in _FAILURES and code in _FAILURE_BY_CODE:
        return _FAILURE_BY_CODE[code]
    return status_from_table(STATUSES, word)


def _read(request: Request, context: ParseContext, name: str, kinds: frozenset[str]) -> tuple[dict[str, Any], str]:
    obj = load_json_object(request.body, max_bytes=context.limits.max_json_bytes, format_name=name)
    kind = obj.get("type")
    if kind is None:
        raise JsonFields(obj, format_name=name).error("type", "is missing", show=False)
    if not isinstance(kind, str) or kind.strip() not in kinds:
        raise JsonFields(obj, format_name=name).error("type", f"must be one of {', '.join(sorted(kinds))}", kind)
    return obj, kind.strip()


def _code(obj: dict[str, Any], name: str, warnings: list[str], where: str = "") -> str | None:
    """A code sent as a JSON integer (or a string): its decimal text, ``"0"`` included."""
    value = obj.get(name)
    if value is None or type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    warnings.append(f"field {where}{name!r} is not an integer: kept as its JSON text")
    return json.dumps(value, default=str)


def _count(obj: dict[str, Any], name: str, warnings: list[str], where: str = "") -> int | None:
    value = obj.get(name)
    if value is None or type(value) is int:
        return value
    warnings.append(f"field {where}{name!r} is not an integer: left out")
    return None


def _raw_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _once(source: Callable[[], Iterable[tuple[str, str]]]) -> Callable[[], tuple[tuple[str, str], ...]]:
    """``source()`` built on first use and shared: the batch members every recipient's ``raw`` repeats."""
    built: list[tuple[tuple[str, str], ...]] = []

    def pairs() -> tuple[tuple[str, str], ...]:
        if not built:
            built.append(tuple(source()))
        return built[0]

    return pairs


def parse_recipient_report(request: Request, context: ParseContext) -> Callback:
    obj, kind = _read(request, context, RECIPIENT, _RECIPIENT_KINDS)
    warnings: list[str] = []
    fields = JsonFields(obj, format_name=RECIPIENT, warnings=warnings)
    batch_id = fields.identifier("batch_id")
    recipient = fields.required_text("recipient").strip()
    provider_status = fields.required_text("status").strip()
    code = _code(obj, "code", warnings)
    times = Times(context, warnings, form=_DATE_FORM)
    time = times.read("at", fields.secondary_text("at", warnings))
    event = DeliveryReport(
        provider=PROVIDER,
        format=RECIPIENT,
        timestamp=time.timestamp,
        # Batch, recipient, status, code and `at`: a later status of the same message is another event.
        dedupe_key=make_dedupe_key(RECIPIENT, kind, batch_id, recipient, provider_status, code, time.key),
        raw=fields.raw(),
        message_id=batch_id,
        status=status_for(provider_status, code),
        provider_status=provider_status,
        provider_code=code,
        recipient=recipient,
        details=ReportDetails(
            kind=kind,
            client_reference=fields.secondary_text("client_reference", warnings),
            operator=fields.secondary_text("operator", warnings),
            applied_originator=fields.secondary_text("applied_originator", warnings),
            encoding=fields.secondary_text("encoding", warnings),
            message_parts=_count(obj, "number_of_message_parts", warnings),
            operator_status_at=times.optional(
                "operator_status_at", fields.secondary_text("operator_status_at", warnings)
            ),
        ),
    )
    return one_event(event, warnings=tuple(warnings))


def _statuses(fields: JsonFields, obj: dict[str, Any]) -> list[dict[str, Any]]:
    value = obj.get("statuses")
    if not isinstance(value, list):
        raise fields.error("statuses", "must be a JSON array", value, show=value is not None)
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise fields.error(f"statuses[{index}]", "must be a JSON object", entry)
    return value


def parse_batch_report(request: Request, context: ParseContext) -> Callback:
    obj, kind = _read(request, context, BATCH, _BATCH_KINDS)
    warnings: list[str] = []
    fields = JsonFields(obj, format_name=BATCH, warnings=warnings)
    batch_id = fields.identifier("batch_id")
    entries = _statuses(fields, obj)
    # A batch report has no time (Delivery reports): the time of reading, with no warning, as documented.
    times = Times(context, warnings, form=_DATE_FORM)
    at = fields.secondary_text("at", warnings)
    timestamp = times.now() if at is None else times.read("at", at).timestamp
    client_reference = fields.secondary_text("client_reference", warnings)
    total = _count(obj, "total_message_count", warnings)
    batch_pairs = _members(obj, "statuses")
    events: list[Event] = []
    counted: list[tuple[dict[str, Any], StatusCount]] = []
    seen: dict[tuple[str, str, str | None], int] = {}  # a recipient listed twice keeps two events, two keys
    for index, entry in enumerate(entries):
        where = f"statuses[{index}]."
        entry_fields = JsonFields(entry, format_name=BATCH, warnings=warnings)
        provider_status = entry_fields.required_text("status").strip()
        code = _code(entry, "code", warnings, where)
        count = _count(entry, "count", warnings, where)
        recipients = entry_fields.text_list("recipients")
        if not recipients:
            counted.append((entry, StatusCount(status=provider_status, code=code, count=count)))
            continue
        status = status_for(provider_status, code)
        details = BatchReportDetails(
            kind=kind, client_reference=client_reference, total_message_count=total, count=count
        )
        entry_pairs = _members(entry, "recipients", "statuses.")
        for listed in recipients:
            recipient = listed.strip()
            occurrence = seen[recipient, provider_status, code] = seen.get((recipient, provider_status, code), -1) + 1
            events.append(
                DeliveryReport(
                    provider=PROVIDER,
                    format=BATCH,
                    timestamp=timestamp,
                    dedupe_key=make_dedupe_key(BATCH, kind, batch_id, recipient, provider_status, code, occurrence),
                    raw=_recipient_raw(batch_pairs, entry_pairs, recipient),
                    message_id=batch_id,
                    status=status,
                    provider_status=provider_status,
                    provider_code=code,
                    recipient=recipient,
                    details=details,
                )
            )
    if counted or not events:
        details = BatchReportDetails(kind=kind, client_reference=client_reference, total_message_count=total)
        events.append(_counts_event(batch_id, counted, timestamp, batch_pairs, details))
    return Callback(provider=PROVIDER, format=BATCH, events=tuple(events), warnings=tuple(warnings))


def _members(obj: dict[str, Any], skip: str, prefix: str = "") -> Callable[[], tuple[tuple[str, str], ...]]:
    """The members of ``obj`` but ``skip`` as raw pairs, names prefixed, built once on first use."""
    return _once(lambda: [(prefix + name, _raw_text(value)) for name, value in obj.items() if name != skip])


def _recipient_raw(
    batch: Callable[[], tuple[tuple[str, str], ...]], entry: Callable[[], tuple[tuple[str, str], ...]], recipient: str
) -> RawFields:
    """A listed recipient's raw: the batch's members, its ``statuses`` element's, and the recipient alone, so
    that reading every event's raw stays linear in the body (the batch members are built once, shared)."""
    return RawFields.lazy(lambda: [*batch(), *entry(), ("statuses.recipients", recipient)])


def _counts_event(
    batch_id: str,
    counted: list[tuple[dict[str, Any], StatusCount]],
    timestamp: datetime,
    batch_pairs: Callable[[], tuple[tuple[str, str], ...]],
    details: BatchReportDetails,
) -> DeliveryReport:
    """The one event of the ``statuses`` that list no recipients: a "summary" report."""
    counts = tuple(count for _, count in counted)
    statuses = {status_for(count.status, count.code) for count in counts}
    provider_status = ",".join(count.status for count in counts)
    codes = [count.code for count in counts if count.code is not None]
    canonical = json.dumps([[count.status, count.code, count.count] for count in counts])
    entries = [entry for entry, _ in counted]
    return DeliveryReport(
        provider=PROVIDER,
        format=BATCH,
        timestamp=timestamp,
        # The batch and its counts: a later summary with other counts is another event.
        dedupe_key=make_dedupe_key(BATCH, details.kind, batch_id, hashlib.sha256(canonical.encode()).hexdigest()),
        raw=RawFields.lazy(
            lambda: [*batch_pairs(), ("statuses", json.dumps(entries, ensure_ascii=False, default=str))]
        ),
        message_id=batch_id,
        # One status where every element maps to it; several statuses are UNKNOWN, with the counts in details.
        status=statuses.pop() if len(statuses) == 1 else Status.UNKNOWN,
        provider_status=provider_status,
        provider_code=",".join(codes) if codes else None,
        recipient=None,
        details=dataclasses.replace(details, counts=counts),
    )


def _media(body: dict[str, Any], warnings: list[str]) -> tuple[tuple[Part, ...], tuple[MediaItem, ...]]:
    listed = body.get("media")
    if listed is None:
        return (), ()
    if not isinstance(listed, list):
        warnings.append("field 'body.media' is not a JSON array: left out")
        return (), ()
    parts: list[Part] = []
    items: list[MediaItem] = []
    for index, element in enumerate(listed):
        if not isinstance(element, dict):
            warnings.append(f"field 'body.media[{index}]' is not a JSON object: left out")
            continue
        media = JsonFields(element, format_name=INBOUND, warnings=warnings)
        url = media.secondary_text("url", warnings)
        content_type = media.secondary_text("content_type", warnings)
        item = MediaItem(
            url=url,
            content_type=content_type,
            status=media.secondary_text("status", warnings),
            code=_code(element, "code", warnings),
        )
        items.append(item)
        if url:
            media_type = (content_type or "").partition(";")[0].strip().lower() or "application/octet-stream"
            parts.append(Part(content_type=media_type, url=url))
    return tuple(parts), tuple(items)


def parse_inbound(request: Request, context: ParseContext) -> Callback:
    obj, kind = _read(request, context, INBOUND, _INBOUND_KINDS)
    warnings: list[str] = []
    fields = JsonFields(obj, format_name=INBOUND, warnings=warnings)
    message_id = fields.identifier("id")
    sender = fields.required_text("from").strip()
    recipients = fields.text_list("to")
    if not recipients:
        warnings.append("field 'to' is missing: the event has no recipients")
    times = Times(context, warnings, form=_DATE_FORM)
    time = times.read("received_at", fields.secondary_text("received_at", warnings))
    text: str | None = None
    subject: str | None = None
    parts: tuple[Part, ...] = ()
    media: tuple[MediaItem, ...] = ()
    udh: bytes | None = None
    body = obj.get("body")
    if kind == "mo_media":
        if isinstance(body, dict):
            body_fields = JsonFields(body, format_name=INBOUND, warnings=warnings)
            subject = body_fields.secondary_text("subject", warnings)
            text = body_fields.secondary_text("message", warnings)
            parts, media = _media(body, warnings)
        elif body is not None:
            warnings.append("field 'body' of mo_media is not a JSON object: left out")
    else:
        text = fields.secondary_text("body", warnings)
        if kind == "mo_binary":  # "The incoming message body (Base64 encoded)", "The UDH ... HEX encoded"
            parts, text = _binary(text, warnings), None
            udh = _udh(fields, warnings)
    event = InboundMessage(
        provider=PROVIDER,
        format=INBOUND,
        timestamp=time.timestamp,
        dedupe_key=make_dedupe_key(INBOUND, message_id),
        raw=fields.raw(),
        message_id=message_id,
        channel="mms" if kind == "mo_media" else "sms",
        sender=sender,
        recipients=recipients,
        subject=subject,
        text=text,
        parts=parts,
        details=InboundDetails(
            kind=kind,
            operator_id=fields.secondary_text("operator_id", warnings),
            client_reference=fields.secondary_text("client_reference", warnings),
            sent_at=times.optional("sent_at", fields.secondary_text("sent_at", warnings)),
            udh=udh,
            media=media,
        ),
    )
    return one_event(event, warnings=tuple(warnings))


def _binary(body: str | None, warnings: list[str]) -> tuple[Part, ...]:
    """``mo_binary``'s body, "Base64 encoded", as the event's one part; text that is not base64 is left in raw."""
    if body is None:
        return ()
    try:
        data = base64.b64decode(body.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        warnings.append("field 'body' of mo_binary is not base64: left out of parts (it is in raw)")
        return ()
    return (Part(content_type="application/octet-stream", data=data),)


def _udh(fields: JsonFields, warnings: list[str]) -> bytes | None:
    text = fields.secondary_text("udh", warnings)
    if text is None:
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        warnings.append("field 'udh' is not hexadecimal: left out of details (it is in raw)")
        return None


def _format(
    name: str,
    kinds: frozenset[str],
    description: str,
    parse: Callable[[Request, ParseContext], Callback],
    details: tuple[type[Any], ...],
) -> Format:
    return Format(
        name=name,
        description=description,
        methods=frozenset({"POST"}),
        matches=lambda request: _sniffed_type(request) in kinds,
        body_media_types=_JSON_TYPES,
        parse=parse,
        acknowledge=ok_without_body,
        retry=retry_later,  # Sinch retries 5xx and 429
        details_types=details,
        default_zone="UTC",  # "Formatted as ISO-8601: YYYY-MM-DDThh:mm:ss.SSSZ"
    )


FORMATS = (
    _format(
        RECIPIENT,
        _RECIPIENT_KINDS,
        "Per-recipient delivery report: JSON, type recipient_delivery_report_sms or _mms (POST)",
        parse_recipient_report,
        (ReportDetails,),
    ),
    _format(
        BATCH,
        _BATCH_KINDS,
        "Batch delivery report: JSON, type delivery_report_sms or _mms, statuses with their recipients (POST)",
        parse_batch_report,
        (BatchReportDetails,),
    ),
    _format(
        INBOUND,
        _INBOUND_KINDS,
        "Inbound SMS and MMS: JSON, type mo_text, mo_binary or mo_media (POST)",
        parse_inbound,
        (InboundDetails,),
    ),
)

__dir__ = public_dir(globals())

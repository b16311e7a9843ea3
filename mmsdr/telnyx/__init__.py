"""Telnyx Messaging (API v2) callbacks: ``{"data": {"event_type", "id", "occurred_at", "payload"}, "meta":
{"attempt", "delivered_to"}}`` (Telnyx, "Receiving Webhooks").

- ``telnyx.inbound``: ``message.received``, an inbound SMS or MMS (media by URL, with type, size and hash).
- ``telnyx.report``: ``message.sent`` and ``message.finalized``: one report per ``to[]`` recipient, with that
  recipient's ``status``; the first of ``errors[].code`` is ``provider_code`` and refines it.

Telnyx wants a 2xx within 2 seconds, and tries "up to 3 attempts per URL", then the failover URL; it warns of
duplicate, concurrent and out-of-order events (docs/telnyx.md). ``Signature`` checks the Ed25519 signature
(the extra ``mmsdr[telnyx]``), ``LegacySignature`` the v1 HMAC.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._events import Callback, DeliveryReport, Event, InboundMessage, Part, RawFields
from .._format import Format, Times, make_dedupe_key, ok_without_body, retry_later
from .._public import public_dir
from .._status import Status, status_from_table
from .._wire.json import JsonFields, load_json_object
from .._wire.text import without_lone_surrogates
from ._signature import LegacySignature, Signature
from .details import InboundDetails, MediaItem, ReportDetails, TelnyxError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .._format import ParseContext
    from .._request import Request

__all__ = (
    "FORMATS",
    "STATUSES",
    "InboundDetails",
    "LegacySignature",
    "MediaItem",
    "ReportDetails",
    "Signature",
    "TelnyxError",
    "status_for",
)

PROVIDER = "telnyx"
REPORT = "telnyx.report"
INBOUND = "telnyx.inbound"
RECEIVED = "message.received"
_REPORT_TYPES = frozenset({"message.sent", "message.finalized"})

# The SDK's Literals of to[].status (outbound); a value outside them is UNKNOWN ("failed" included).
STATUSES: Mapping[str, Status] = {
    "queued": Status.PENDING,
    "sending": Status.PENDING,
    "sent": Status.FORWARDED,
    "delivered": Status.DELIVERED,
    "sending_failed": Status.FAILED,
    "delivery_failed": Status.FAILED,
    "delivery_unconfirmed": Status.INDETERMINATE,
    "expired": Status.EXPIRED,
}
# "Error codes", delivery errors: the code refines a failure; other codes keep the status.
_FAILURE_BY_CODE: Mapping[str, Status] = {
    "40002": Status.REJECTED,  # Blocked as spam (temporary)
    "40003": Status.REJECTED,  # Blocked as spam (permanent)
    "40004": Status.REJECTED,  # Rejected by destination
    "40005": Status.EXPIRED,  # Message expired
}

_JSON_TYPES = frozenset({"application/json"})
_EVENT_TYPE = re.compile(rb'"event_type"\s*:\s*"(message\.[a-z_]{1,40})"')
_DATE_FORM = "an ISO 8601 date"
_OCTETS = "application/octet-stream"

# The success answer is ok_without_body: "Receiving Webhooks": "Return a 2xx within 2 seconds"; no body is read.


def status_for(provider_status: str, code: str | None) -> Status:
    """The normalised status of a recipient's ``status`` refined by the message's error ``code``."""
    status = status_from_table(STATUSES, provider_status.strip())
    if status is Status.FAILED and code is not None and code in _FAILURE_BY_CODE:
        return _FAILURE_BY_CODE[code]
    return status


def _objects(obj: dict[str, Any], name: str, warnings: list[str], where: str) -> list[dict[str, Any]]:
    value = obj.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        warnings.append(f"field {where + name!r} is not a JSON array: left out")
        return []
    kept = [item for item in value if isinstance(item, dict)]
    if len(kept) != len(value):
        warnings.append(f"field {where + name!r} holds elements that are not JSON objects: left out")
    return kept


def _integer(value: object, name: str, warnings: list[str]) -> int | None:
    if value is None or type(value) is int:
        return value
    warnings.append(f"field {name!r} is not an integer: left out")
    return None


def _raw_text(value: Any) -> str:
    """A value as raw keeps it: a string verbatim, anything else its JSON text (lone surrogates replaced)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return without_lone_surrogates(text)


def _code(value: object) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, default=str)


class _Envelope:
    """``data`` and ``meta``, and the payload the event is about."""

    def __init__(self, request: Request, context: ParseContext, name: str, warnings: list[str]) -> None:
        obj = load_json_object(request.body, max_bytes=context.limits.max_json_bytes, format_name=name)
        self.obj = obj
        self.fields = top = JsonFields(obj, format_name=name, warnings=warnings)
        data = obj.get("data")
        if not isinstance(data, dict):
            raise (
                top.error("data", "must be a JSON object", data)
                if data is not None
                else top.error("data", "is missing", show=False)
            )
        data_fields = JsonFields(data, format_name=name, warnings=warnings)
        event_type = data.get("event_type")
        if not isinstance(event_type, str) or not event_type.strip():
            raise top.error("data.event_type", "is missing", show=False)
        self.event_type = event_type.strip()
        payload = data.get("payload")
        if not isinstance(payload, dict) or not payload:
            raise top.error("data.payload", "must be a non-empty JSON object", payload, show=payload is not None)
        self.payload = payload
        self.data = data
        self.payload_fields = JsonFields(payload, format_name=name, warnings=warnings)
        message_id = payload.get("id")
        if message_id is None:
            raise top.error("data.payload.id", "is missing", show=False)
        if isinstance(message_id, bool) or not isinstance(message_id, (str, int)) or not str(message_id).strip():
            raise top.error("data.payload.id", "must be a non-empty string or an integer", message_id)
        self.message_id = self.payload_fields.identifier("id")
        self.event_id = data_fields.secondary_text("id", warnings, where="data.")
        times = Times(context, warnings, form=_DATE_FORM)
        self.times = times
        self.time = times.read("data.occurred_at", data_fields.secondary_text("occurred_at", warnings, where="data."))
        meta = top.secondary_object("meta", warnings)
        self.attempt = _integer(meta.get("attempt"), "meta.attempt", warnings)
        self.message_type = self.payload_fields.secondary_text("type", warnings, where="data.payload.")
        self.errors = tuple(
            TelnyxError(
                code=_code(error.get("code")),
                title=error.get("title") if isinstance(error.get("title"), str) else None,
                detail=error.get("detail") if isinstance(error.get("detail"), str) else None,
            )
            for error in _objects(payload, "errors", warnings, "data.payload.")
        )

    def raw(self, *, split_recipients: bool) -> Callable[[], tuple[tuple[str, str], ...]]:
        """The envelope's members as raw pairs, built once on first use and shared by the events: ``data``'s
        members as ``data.<name>``, the payload as ``data.payload`` (JSON text), without ``to`` when each
        recipient's report adds its own element as ``data.payload.to``."""
        obj, data, payload = self.obj, self.data, self.payload
        built: list[tuple[tuple[str, str], ...]] = []

        def pairs() -> tuple[tuple[str, str], ...]:
            if not built:
                kept = {name: value for name, value in payload.items() if not (split_recipients and name == "to")}
                listed = [(name, _raw_text(value)) for name, value in obj.items() if name != "data"]
                listed += [(f"data.{name}", _raw_text(value)) for name, value in data.items() if name != "payload"]
                listed.append(("data.payload", _raw_text(kept)))
                built.append(tuple(listed))
            return built[0]

        return pairs

    def number(self, party: dict[str, Any]) -> str | None:
        value = party.get("phone_number")
        return value.strip() if isinstance(value, str) and value.strip() else None


def _media(envelope: _Envelope, warnings: list[str]) -> tuple[tuple[Part, ...], tuple[MediaItem, ...]]:
    parts: list[Part] = []
    items: list[MediaItem] = []
    for element in _objects(envelope.payload, "media", warnings, "data.payload."):
        url = element.get("url") if isinstance(element.get("url"), str) else None
        content_type = element.get("content_type") if isinstance(element.get("content_type"), str) else None
        size = element.get("size") if type(element.get("size")) is int else None
        digest = element.get("hash_sha256", element.get("sha256"))
        item = MediaItem(
            url=url, content_type=content_type, size=size, sha256=digest if isinstance(digest, str) else None
        )
        items.append(item)
        if url:
            media_type = (content_type or "").partition(";")[0].strip().lower() or _OCTETS
            parts.append(Part(content_type=media_type, url=url, size=size))
    return tuple(parts), tuple(items)


def parse_inbound(request: Request, context: ParseContext) -> Callback:
    warnings: list[str] = []
    envelope = _Envelope(request, context, INBOUND, warnings)
    payload = envelope.payload
    sender_party = envelope.payload_fields.secondary_object("from", warnings, where="data.payload.")
    sender = envelope.number(sender_party)
    if sender is None:
        raise envelope.fields.error("data.payload.from.phone_number", "is missing", show=False)
    recipients = tuple(
        number
        for party in _objects(payload, "to", warnings, "data.payload.")
        if (number := envelope.number(party)) is not None
    )
    cc = tuple(
        number
        for party in _objects(payload, "cc", warnings, "data.payload.")
        if (number := envelope.number(party)) is not None
    )
    parts, media = _media(envelope, warnings)
    fields = envelope.payload_fields
    kind = (envelope.message_type or "").strip().upper()
    event = InboundMessage(
        provider=PROVIDER,
        format=INBOUND,
        timestamp=envelope.time.timestamp,
        dedupe_key=make_dedupe_key(INBOUND, envelope.message_id),
        raw=RawFields.lazy(envelope.raw(split_recipients=False)),
        message_id=envelope.message_id,
        channel="mms" if kind == "MMS" or parts else "sms",
        sender=sender,
        recipients=recipients,
        cc=cc,
        subject=fields.secondary_text("subject", warnings, where="data.payload.") or None,
        text=fields.secondary_text("text", warnings, where="data.payload.") or None,
        parts=parts,
        details=InboundDetails(
            event_id=envelope.event_id,
            attempt=envelope.attempt,
            message_type=envelope.message_type,
            carrier=sender_party.get("carrier") if isinstance(sender_party.get("carrier"), str) else None,
            line_type=sender_party.get("line_type") if isinstance(sender_party.get("line_type"), str) else None,
            media=media,
            messaging_profile_id=fields.secondary_text("messaging_profile_id", warnings, where="data.payload."),
            encoding=fields.secondary_text("encoding", warnings, where="data.payload."),
            parts_count=_integer(payload.get("parts"), "data.payload.parts", warnings),
        ),
    )
    return Callback(provider=PROVIDER, format=INBOUND, events=(event,), warnings=tuple(warnings))


def parse_report(request: Request, context: ParseContext) -> Callback:
    warnings: list[str] = []
    envelope = _Envelope(request, context, REPORT, warnings)
    payload = envelope.payload
    fields = envelope.payload_fields
    where = "data.payload."
    sender = envelope.number(fields.secondary_object("from", warnings, where=where))
    code = envelope.errors[0].code if envelope.errors else None
    tags_value = payload.get("tags")
    tags = tuple(tag for tag in tags_value if isinstance(tag, str)) if isinstance(tags_value, list) else ()
    sent_at = envelope.times.optional(f"{where}sent_at", fields.secondary_text("sent_at", warnings, where=where))
    completed_at = envelope.times.optional(
        f"{where}completed_at", fields.secondary_text("completed_at", warnings, where=where)
    )
    recipients = _objects(payload, "to", warnings, where)
    if not recipients:
        raise envelope.fields.error("data.payload.to", "lists no recipient", show=False)
    shared = envelope.raw(split_recipients=True)
    events: list[Event] = []
    for index, party in enumerate(recipients):
        recipient = envelope.number(party)
        if recipient is None:
            raise envelope.fields.error(f"data.payload.to[{index}].phone_number", "is missing", show=False)
        status_value = party.get("status")
        provider_status = status_value.strip() if isinstance(status_value, str) else ""
        if not provider_status:
            warnings.append(f"field 'data.payload.to[{index}].status' is missing: the status is unknown")
        events.append(
            DeliveryReport(
                provider=PROVIDER,
                format=REPORT,
                timestamp=envelope.time.timestamp,
                # data.id, payload.id, the recipient and its status (providers-modern §6.4): another
                # recipient, or a later status of this one, is another event.
                dedupe_key=make_dedupe_key(
                    REPORT, envelope.event_id, envelope.message_id, recipient, provider_status, envelope.time.key
                ),
                raw=_recipient_raw(shared, party),
                message_id=envelope.message_id,
                status=status_for(provider_status, code),
                provider_status=provider_status,
                provider_code=code,
                recipient=recipient,
                sender=sender,
                status_text=envelope.errors[0].title if envelope.errors else None,
                details=ReportDetails(
                    event_id=envelope.event_id,
                    event_type=envelope.event_type,
                    attempt=envelope.attempt,
                    message_type=envelope.message_type,
                    carrier=party.get("carrier") if isinstance(party.get("carrier"), str) else None,
                    line_type=party.get("line_type") if isinstance(party.get("line_type"), str) else None,
                    errors=envelope.errors,
                    sent_at=sent_at,
                    completed_at=completed_at,
                    tags=tags,
                ),
            )
        )
    return Callback(provider=PROVIDER, format=REPORT, events=tuple(events), warnings=tuple(warnings))


def _recipient_raw(shared: Callable[[], tuple[tuple[str, str], ...]], party: dict[str, Any]) -> RawFields:
    """A recipient's raw: the envelope's shared pairs and its own ``to`` element, linear in the body overall."""
    return RawFields.lazy(lambda: [*shared(), ("data.payload.to", _raw_text(party))])


def _sniffed(request: Request) -> str | None:
    match = _EVENT_TYPE.search(request.body)
    return None if match is None else match.group(1).decode("ascii")


def _format(name: str, description: str, types: frozenset[str], parse: Any, details: type[Any]) -> Format:
    return Format(
        name=name,
        description=description,
        methods=frozenset({"POST"}),
        matches=lambda request: _sniffed(request) in types,
        body_media_types=_JSON_TYPES,
        parse=parse,
        acknowledge=ok_without_body,
        retry=retry_later,  # Telnyx retries any answer that is not a 2xx
        details_types=(details,),
        default_zone="UTC",
    )


FORMATS = (
    _format(
        REPORT,
        "Message status: JSON data/meta envelope, message.sent or message.finalized, one report per to[] (POST)",
        _REPORT_TYPES,
        parse_report,
        ReportDetails,
    ),
    _format(
        INBOUND,
        "Inbound SMS and MMS: JSON data/meta envelope, event_type message.received (POST)",
        frozenset({RECEIVED}),
        parse_inbound,
        InboundDetails,
    ),
)

__dir__ = public_dir(globals())

"""Vonage Messages API callbacks: status webhooks and inbound messages (SMS, MMS and the other channels), JSON.

Both are one JSON object per request, POSTed (Vonage, "Messages API" webhooks reference): a status carries
``message_uuid``, ``to``, ``from``, ``timestamp``, ``status`` and, on failure, an RFC 7807 ``error`` whose
``title`` is the code; an inbound message ``message_uuid``, ``from``, ``to``, ``channel``, ``message_type`` and
the content: ``text``, or an ``image``, ``audio``, ``video``, ``file`` or ``vcard`` object holding a ``url``,
or for a multi-part MMS ``content[]``. Media stay at Vonage: each is a part by reference, never fetched.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._errors import UnsupportedFormatError
from .._events import Callback, DeliveryReport, InboundMessage, Part, ReadReport
from .._format import Format, Times, make_dedupe_key, ok_without_body, one_event, retry_later
from .._status import Status, status_from_table
from .._wire.json import JsonFields, load_json_object
from .details import MediaItem, MessageInboundDetails, MessageStatusDetails

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .._format import ParseContext
    from .._request import Request

__all__ = ("FORMATS", "MESSAGE_STATUSES")

PROVIDER = "vonage"
STATUS = "vonage.message_status"
INBOUND = "vonage.message_inbound"
JSON = "application/json"

#: ``status`` of a Messages API status webhook to [`mmsdr.Status`][mmsdr.Status] (Vonage, "Messages API",
#: status callbacks); anything else is ``Status.UNKNOWN``.
MESSAGE_STATUSES: Mapping[str, Status] = MappingProxyType(
    {
        "submitted": Status.FORWARDED,  # sent on to the channel (for SMS and MMS the chargeable event)
        "delivered": Status.DELIVERED,
        "read": Status.READ,  # channels with read receipts (RCS, WhatsApp): a read report
        "rejected": Status.REJECTED,
        "undeliverable": Status.FAILED,  # "unable to connect to the provider"
    }
)

# The objects of an inbound message that hold one medium by URL, in the order read.
_MEDIA_OBJECTS = ("image", "audio", "video", "file", "vcard", "sticker")
_JSON_NAMES = re.compile(rb'"(message_uuid|status|message_type)"\s*:')
_DATE_FORM = "an ISO 8601 date"
_OCTETS = "application/octet-stream"  # Vonage gives media by URL with no content type
_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)


def _names(request: Request) -> set[str]:
    return {match.decode("ascii") for match in _JSON_NAMES.findall(request.body)}


def _text(obj: dict[str, Any], path: str, warnings: list[str]) -> str | None:
    """A member of a nested object as text: a string stripped, a number's text; else None, with a warning
    when it is of another type."""
    name = path.rpartition(".")[2]
    value = obj.get(name)
    if value is None:
        return None
    if type(value) is str:
        return value.strip() or None
    if (type(value) is int or isinstance(value, Decimal)) and type(value) is not bool:
        return str(value)
    warnings.append(f"field {path!r} is not a string: left out")
    return None


def _count(text: str | None, path: str, warnings: list[str]) -> int | None:
    if text is None:
        return None
    if _NUMBER.fullmatch(text) is None:
        warnings.append(f"field {path!r} is not a number, got {text[:20]!r}: left out")
        return None
    return int(text)


def parse_status(request: Request, context: ParseContext) -> Callback:
    warnings: list[str] = []
    obj = load_json_object(request.body, max_bytes=context.limits.max_json_bytes, format_name=STATUS)
    fields = JsonFields(obj, format_name=STATUS, warnings=warnings)
    message_id = fields.identifier("message_uuid")
    recipient = fields.identifier("to")
    provider_status = fields.required_text("status").strip()
    time = Times(context, warnings, form=_DATE_FORM).read("timestamp", fields.secondary_text("timestamp", warnings))
    error = fields.secondary_object("error", warnings)
    usage = fields.secondary_object("usage", warnings)
    status = status_from_table(MESSAGE_STATUSES, provider_status.lower())
    sender = fields.secondary_text("from", warnings)
    kind = ReadReport if status is Status.READ else DeliveryReport
    event = kind(
        provider=PROVIDER,
        format=STATUS,
        timestamp=time.timestamp,
        dedupe_key=make_dedupe_key(STATUS, message_id, recipient, provider_status, time.key),
        raw=fields.raw(),
        message_id=message_id,
        status=status,
        provider_status=provider_status,
        provider_code=_text(error, "error.title", warnings),
        recipient=recipient,
        sender=None if sender is None else sender.strip() or None,
        details=MessageStatusDetails(
            channel=_text(obj, "channel", warnings),
            error_type=_text(error, "error.type", warnings),
            error_detail=_text(error, "error.detail", warnings),
            client_ref=_text(obj, "client_ref", warnings),
            price=_text(usage, "usage.price", warnings),
            currency=_text(usage, "usage.currency", warnings),
            network_code=_text(fields.secondary_object("destination", warnings), "destination.network_code", warnings),
            sms_count_total=_count(
                _text(fields.secondary_object("sms", warnings), "sms.count_total", warnings),
                "sms.count_total",
                warnings,
            ),
        ),
    )
    return one_event(event, warnings=tuple(warnings))


def _media(fields: JsonFields, obj: dict[str, Any], warnings: list[str]) -> tuple[MediaItem, ...]:
    """The media: the per-type objects, then ``content[]``; a URL given twice (an ``image`` also listed in
    ``content[]``) once. Work: one look at each object and each ``content[]`` element, one set per URL."""
    items: list[MediaItem] = []
    seen: set[str] = set()

    def add(kind: str, element: dict[str, Any], where: str) -> None:
        url = _text(element, f"{where}.url", warnings)
        if url is None:
            warnings.append(f"field {where!r} has no url: left out of parts")
            return
        if url in seen:
            return
        seen.add(url)
        name = _text(element, f"{where}.name", warnings)
        caption = _text(element, f"{where}.caption", warnings)
        items.append(MediaItem(kind=kind, url=url, name=name, caption=caption))

    for kind in _MEDIA_OBJECTS:
        element = fields.secondary_object(kind, warnings)
        if element:
            add(kind, element, kind)
    content = obj.get("content")
    if content is not None and not isinstance(content, list):
        warnings.append("field 'content' is not a JSON array: left out")
    elif content:
        for index, element in enumerate(content):
            where = f"content[{index}]"
            if not isinstance(element, dict):
                warnings.append(f"field {where!r} is not a JSON object: left out")
                continue
            add(_text(element, f"{where}.type", warnings) or "", element, where)
    return tuple(items)


def parse_inbound(request: Request, context: ParseContext) -> Callback:
    warnings: list[str] = []
    obj = load_json_object(request.body, max_bytes=context.limits.max_json_bytes, format_name=INBOUND)
    fields = JsonFields(obj, format_name=INBOUND, warnings=warnings)
    if "status" in obj:
        # An inbound message never has a status: a status webhook sent to the inbound URL is not read as a message.
        msg = f"{INBOUND}: field 'status' is only sent with a status webhook: this request is not this format"
        raise UnsupportedFormatError(msg, provider=PROVIDER, format=INBOUND, field="status")
    message_id = fields.identifier("message_uuid")
    sender = fields.identifier("from")
    recipient = _text(obj, "to", warnings)
    if recipient is None:
        warnings.append("field 'to' is missing: the message has no recipient")
    time = Times(context, warnings, form=_DATE_FORM).read("timestamp", fields.secondary_text("timestamp", warnings))
    media = _media(fields, obj, warnings)
    sms = fields.secondary_object("sms", warnings)
    usage = fields.secondary_object("usage", warnings)
    channel = _text(obj, "channel", warnings)
    text = fields.secondary_text("text", warnings)
    event = InboundMessage(
        provider=PROVIDER,
        format=INBOUND,
        timestamp=time.timestamp,
        dedupe_key=make_dedupe_key(INBOUND, message_id),
        raw=fields.raw(),
        message_id=message_id,
        channel=channel or ("mms" if media else "sms"),
        sender=sender,
        recipients=() if recipient is None else (recipient,),
        text=text or None,  # kept exactly as sent
        parts=tuple(Part(content_type=_OCTETS, url=item.url, filename=item.name) for item in media),
        details=MessageInboundDetails(
            message_type=_text(obj, "message_type", warnings),
            media=media,
            keyword=_text(sms, "sms.keyword", warnings),
            num_messages=_count(_text(sms, "sms.num_messages", warnings), "sms.num_messages", warnings),
            network_code=_text(fields.secondary_object("origin", warnings), "origin.network_code", warnings),
            client_ref=_text(obj, "client_ref", warnings),
            price=_text(usage, "usage.price", warnings),
            currency=_text(usage, "usage.currency", warnings),
        ),
    )
    return one_event(event, warnings=tuple(warnings))


def _status_matches(request: Request) -> bool:
    names = _names(request)
    return "message_uuid" in names and "status" in names and "message_type" not in names


def _inbound_matches(request: Request) -> bool:
    names = _names(request)
    return "message_uuid" in names and "message_type" in names


def _format(name: str, description: str, matches: Any, parse: Any, details: Any) -> Format:
    return Format(
        name=name,
        description=description,
        methods=frozenset({"POST"}),
        matches=matches,
        body_media_types=frozenset({JSON}),
        parse=parse,
        acknowledge=ok_without_body,  # any 2xx
        # "By returning an HTTP 5xx response, a retry will be triggered" (Vonage, "Signed Webhooks").
        retry=retry_later,
        details_types=(details,),
        default_zone="UTC",
    )


FORMATS = (
    _format(
        STATUS,
        "Messages API status: message_uuid, to, status, error.title, channel (JSON POST)",
        _status_matches,
        parse_status,
        MessageStatusDetails,
    ),
    _format(
        INBOUND,
        "Messages API inbound SMS/MMS/...: message_uuid, from, text, media and content[] by URL (JSON POST)",
        _inbound_matches,
        parse_inbound,
        MessageInboundDetails,
    ),
)

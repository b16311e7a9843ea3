"""Twilio Messaging inbound SMS and MMS: a message a handset sent to your Twilio number.

Twilio posts (or GETs) ``MessageSid``, ``AccountSid``, ``From``, ``To``, ``Body``, ``NumMedia``,
``NumSegments``, ``MediaUrl{N}`` and ``MediaContentType{N}`` (N from 0), the geographic ``FromCity`` ...
``ToCountry`` where known, and "will occasionally add new parameters without advance notice" (Twilio,
"Messaging webhooks", webhook request): every parameter stays in ``raw``. The media stay at Twilio: each is a
part by reference (``url``, ``content_type``), never fetched.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .._events import Callback, InboundMessage, Part
from .._format import Times, make_dedupe_key, one_event
from . import _common
from .details import InboundDetails

if TYPE_CHECKING:
    from .._format import ParseContext
    from .._request import Request
    from .._wire.fields import FieldReader

__all__ = ("FORMAT",)

NAME = "twilio.inbound"

# MediaUrl0, MediaContentType12: an index without leading zeros and of at most 9 digits (Twilio sends at most
# 10 media); any other name is an unknown parameter, kept in raw.
_MEDIA_FIELD = re.compile(r"Media(Url|ContentType)(0|[1-9][0-9]{0,8})", re.ASCII)


def _matches(request: Request) -> bool:
    names = _common.field_names(request)
    return _common.MESSAGE_SID in names and "AccountSid" in names and "From" in names and "MessageStatus" not in names


def _media(fields: FieldReader, names: list[str], warnings: list[str]) -> tuple[Part, ...]:
    """The parts ``MediaUrl{N}`` give, in the order of N, with ``MediaContentType{N}``.

    Work: one regex match per field name and a sort of the media found (at most the request's field count, which
    ``Limits.max_query_fields`` bounds); ``NumMedia`` is never looped over, whatever number it says.
    """
    urls: dict[int, str] = {}
    types: dict[int, str] = {}
    for name in names:
        match = _MEDIA_FIELD.fullmatch(name)
        if match is None:
            continue
        index = int(match[2])
        value = (fields.text(name) or "").strip()
        (urls if match[1] == "Url" else types)[index] = value
    parts: list[Part] = []
    for index in sorted(urls):
        url = urls[index]
        if not url:
            warnings.append(f"field 'MediaUrl{index}' is empty: that medium is left out")
            continue
        content_type = types.get(index, "").split(";", 1)[0].strip().lower() or "application/octet-stream"
        parts.append(Part(content_type=content_type, url=url))
    return tuple(parts)


def _num_media(fields: FieldReader, found: int, warnings: list[str]) -> int | None:
    text = fields.text("NumMedia")
    if text is None:
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        warnings.append(f"field 'NumMedia' is not a number of media, got {text[:20]!r}: the media are those sent")
        return None
    declared = int(text)
    if declared != found:
        warnings.append(f"field 'NumMedia' says {declared} media, but {found} came with a URL")
    return declared


def _small_number(fields: FieldReader, name: str, warnings: list[str]) -> int | None:
    text = fields.text(name)
    if text is None or not text.strip():
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        warnings.append(f"field {name!r} is not a number, got {text[:20]!r}: left out")
        return None
    return int(text)


def parse(request: Request, context: ParseContext) -> Callback:
    fields = _common.fields(request, context, NAME)
    warnings: list[str] = []
    message_id = fields.required_text(_common.MESSAGE_SID).strip()
    sender = fields.required_text("From").strip()
    recipient = _common.text_or_none(fields, "To")
    if recipient is None:
        warnings.append("field 'To' is missing: the message has no recipient")
    names = list(dict.fromkeys(name for name, _ in _common.source_fields(request)))
    parts = _media(fields, names, warnings)
    num_media = _num_media(fields, len(parts), warnings)
    body = fields.text("Body")
    text = body or None  # kept exactly as sent (spaces, newlines); an image-only MMS sends Body=
    get = _common.text_or_none
    event = InboundMessage(
        provider=_common.PROVIDER,
        format=NAME,
        # Twilio sends no time with an inbound message: the time it was read.
        timestamp=Times(context, warnings).now(),
        dedupe_key=make_dedupe_key(NAME, message_id),
        raw=fields.raw(),
        message_id=message_id,
        # MM... is an MMS's MessageSid, SM... an SMS's (Twilio, "Messaging webhooks").
        channel="mms" if parts or message_id.startswith("MM") else "sms",
        sender=sender,
        recipients=() if recipient is None else (recipient,),
        text=text,
        parts=parts,
        details=InboundDetails(
            account_sid=get(fields, "AccountSid"),
            messaging_service_sid=get(fields, "MessagingServiceSid"),
            num_segments=_small_number(fields, "NumSegments", warnings),
            num_media=num_media,
            opt_out_type=get(fields, "OptOutType"),
            from_city=get(fields, "FromCity"),
            from_state=get(fields, "FromState"),
            from_zip=get(fields, "FromZip"),
            from_country=get(fields, "FromCountry"),
            to_city=get(fields, "ToCity"),
            to_state=get(fields, "ToState"),
            to_zip=get(fields, "ToZip"),
            to_country=get(fields, "ToCountry"),
            api_version=get(fields, "ApiVersion"),
        ),
    )
    return one_event(event, warnings=tuple(warnings))


FORMAT = _common.twilio_format(
    NAME,
    "Inbound SMS/MMS: MessageSid, From, To, Body, NumMedia, MediaUrlN, MediaContentTypeN (form POST or GET)",
    _matches,
    parse,
    _common.acknowledge_inbound,
    details_types=(InboundDetails,),
    required_fields=("MessageSid", "From"),
)

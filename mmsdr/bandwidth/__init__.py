"""Bandwidth Messaging v2 callbacks: a JSON array of events, one per message and recipient (Bandwidth,
"Webhooks": "All Message callbacks are sent as a list/array").

- ``bandwidth.inbound``: ``message-received``, an inbound SMS or MMS (media by URL); a group message gives one
  event per number of yours that received it.
- ``bandwidth.report``: ``message-sending``, ``message-sent``, ``message-delivered``, ``message-failed`` (with
  ``errorCode``, read with the error table, ``ERRORS``) and ``message-read``.

Every element of the array is one event, each with its own dedupe key. Bandwidth wants a 2xx for every callback
within 10 seconds and retries for 24 hours, "at least once" (Webhooks, Overview). Bandwidth does not sign its
callbacks: the application's HTTP Basic credentials are the check (``mmsdr.auth.BasicAuth``; docs/bandwidth.md).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._events import Callback, DeliveryReport, Event, InboundMessage, Part, ReadReport
from .._format import Format, Times, make_dedupe_key, ok_without_body, retry_later
from .._public import public_dir
from .._status import Status, status_from_table
from .._wire.json import JsonFields, load_json
from ._codes import ERRORS
from .details import ErrorCode, InboundDetails, ReportDetails

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .._format import ParseContext
    from .._request import Request

__all__ = ("ERRORS", "FORMATS", "STATUSES", "ErrorCode", "InboundDetails", "ReportDetails", "status_for")

PROVIDER = "bandwidth"
REPORT = "bandwidth.report"
INBOUND = "bandwidth.inbound"
RECEIVED = "message-received"

# Webhooks, the event types; §"Message Delivered": without MMS delivery receipts a delivered MMS or group message
# was only "handed off to the Bandwidth's MMSC network" (docs/bandwidth.md).
STATUSES: Mapping[str, Status] = {
    "message-sending": Status.PENDING,
    "message-sent": Status.FORWARDED,
    "message-delivered": Status.DELIVERED,
    "message-failed": Status.FAILED,
    "message-read": Status.READ,
}

_JSON_TYPES = frozenset({"application/json"})
# The first "type" member: a JSON string's own quotes are escaped, so only a real member matches.
_TYPE_MEMBER = re.compile(rb'"type"\s*:\s*"(message-[a-z-]{1,40})"')
_DATE_FORM = "an ISO 8601 date (YYYY-MM-DDThh:mm:ss.sssZ)"
_MEDIA_TYPE = "application/octet-stream"  # the callback gives media URLs only, no content type

# The success answer is ok_without_body: Webhooks, Overview: "You MUST Reply with a HTTP 2xx status code for
# every callback".


def _sniffed_type(request: Request) -> str | None:
    match = _TYPE_MEMBER.search(request.body)
    return None if match is None else match.group(1).decode("ascii")


def status_for(kind: str, code: str | None) -> Status:
    """The normalised status of an event ``type`` refined by its ``errorCode`` (docs/bandwidth.md).

    A ``message-failed`` code the error table lists refines the failure: a client error (4xxx, "Repeating the
    request will produce the same result") is ``rejected``, 4360 (expiration date passed) ``expired``, 9902
    (timed out waiting for the delivery receipt, which "does not indicate that the message was not received")
    ``indeterminate``; server errors, 9999 and codes the table does not list stay ``failed``.
    """
    status = status_from_table(STATUSES, kind)
    if status is not Status.FAILED or code not in ERRORS:
        return status
    if code == "4360":
        return Status.EXPIRED
    if code == "9902":
        return Status.INDETERMINATE
    return Status.REJECTED if code.startswith("4") else Status.FAILED


def _elements(request: Request, context: ParseContext, name: str, warnings: list[str]) -> list[dict[str, Any]]:
    """The events of the body: a JSON array of objects; an object alone is read as an array of one."""
    value = load_json(request.body, max_bytes=context.limits.max_json_bytes, format_name=name, what="body")
    if isinstance(value, dict):
        # Bandwidth's own OpenAPI callback sample was an object (Bandwidth/api-docs issue 1180).
        warnings.append("body is a JSON object, not an array of events: read as an array of one")
        return [value]
    if not isinstance(value, list):
        raise JsonFields({}, format_name=name).error("body", "must be a JSON array of events", type(value).__name__)
    if not value:
        raise JsonFields({}, format_name=name).error("body", "is an empty array", show=False)
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise JsonFields({}, format_name=name).error(f"[{index}]", "must be a JSON object", item)
    return value


def _code(value: object, warnings: list[str], where: str) -> str | None:
    """``errorCode``, a JSON integer (a string accepted), as its decimal text."""
    if value is None or type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    warnings.append(f"field {where + 'errorCode'!r} is not an integer: kept as its JSON text")
    return str(value) if isinstance(value, Decimal) else json.dumps(value, default=str)


def _count(obj: dict[str, Any], name: str, warnings: list[str], where: str) -> int | None:
    value = obj.get(name)
    if value is None or type(value) is int:
        return value
    warnings.append(f"field {where + name!r} is not an integer: left out")
    return None


def _strings(obj: dict[str, Any], name: str, warnings: list[str], where: str) -> tuple[str, ...]:
    """A list of strings (``to``, ``media``); a single string is a list of one, other values cost a warning."""
    value = obj.get(name)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if item.strip())
    warnings.append(f"field {where + name!r} is not a list of strings: left out")
    return ()


class _Element:
    """One event of the array read: the fields every kind shares."""

    def __init__(self, item: dict[str, Any], index: int, name: str, times: Times, warnings: list[str]) -> None:
        where = f"[{index}]." if index else ""
        self.where = where
        self.item = item
        self.fields = fields = JsonFields(item, format_name=name, warnings=warnings)
        self.kind = fields.required_text("type").strip()
        message = item.get("message")
        if message is None:
            raise fields.error("message", "is missing", show=False)
        if not isinstance(message, dict):
            raise fields.error("message", "must be a JSON object", message)
        self.message = message
        inner = JsonFields(message, format_name=name, warnings=warnings)
        message_id = message.get("id")
        if message_id is None:
            raise fields.error("message.id", "is missing", show=False)
        if isinstance(message_id, bool) or not isinstance(message_id, (str, int)) or not str(message_id).strip():
            raise fields.error("message.id", "must be a non-empty string or an integer", message_id)
        self.message_id = inner.identifier("id")  # the same checks, and a lone surrogate refused
        self.inner = inner
        self.to = fields.secondary_text("to", warnings, where=where)
        self.time = times.read(f"{where}time", fields.secondary_text("time", warnings, where=where))
        inner_where = f"{where}message."
        self.message_time = times.optional(
            f"{inner_where}time", inner.secondary_text("time", warnings, where=inner_where)
        )
        self.owner = inner.secondary_text("owner", warnings, where=inner_where)
        self.direction = inner.secondary_text("direction", warnings, where=inner_where)
        self.application_id = inner.secondary_text("applicationId", warnings, where=inner_where)
        self.segment_count = _count(message, "segmentCount", warnings, inner_where)
        self.recipients = _strings(message, "to", warnings, inner_where)
        self.media = _strings(message, "media", warnings, inner_where)
        self.description = fields.secondary_text("description", warnings, where=where)

    def dedupe_key(self, format_name: str) -> str:
        # message.id, type, to and time (providers-modern §7.3): `to` tells a group's recipients apart, and a
        # later event of the same message is another event.
        return make_dedupe_key(format_name, self.kind, self.message_id, self.to, self.time.key)


def _inbound(element: _Element, warnings: list[str]) -> InboundMessage:
    inner, where = element.inner, element.where + "message."
    sender = inner.secondary_text("from", warnings, where=where)
    if sender is None or not sender.strip():
        raise element.fields.error("message.from", "is missing", show=False)
    recipients = element.recipients or ((element.to,) if element.to else ())
    text = inner.secondary_text("text", warnings, where=where)
    return InboundMessage(
        provider=PROVIDER,
        format=INBOUND,
        timestamp=element.time.timestamp,
        dedupe_key=element.dedupe_key(INBOUND),
        raw=element.fields.raw(),
        message_id=element.message_id,
        channel="mms" if element.media else "sms",  # "MMS when media are present"
        sender=sender.strip(),
        recipients=recipients,
        text=text or None,
        parts=tuple(Part(content_type=_MEDIA_TYPE, url=url) for url in element.media),
        details=InboundDetails(
            owner=element.owner,
            direction=element.direction,
            application_id=element.application_id,
            segment_count=element.segment_count,
            description=element.description,
            message_time=element.message_time,
        ),
    )


def _report(element: _Element, warnings: list[str]) -> DeliveryReport | ReadReport:
    where = element.where
    code = _code(element.item.get("errorCode"), warnings, where)
    kind = element.kind
    report = ReadReport if kind == "message-read" else DeliveryReport
    return report(
        provider=PROVIDER,
        format=REPORT,
        timestamp=element.time.timestamp,
        dedupe_key=element.dedupe_key(REPORT),
        raw=element.fields.raw(),
        message_id=element.message_id,
        status=status_for(kind, code),
        provider_status=kind,
        provider_code=code,
        recipient=element.to.strip() if element.to and element.to.strip() else None,
        sender=element.inner.secondary_text("from", warnings, where=where + "message."),
        status_text=element.description,
        details=ReportDetails(
            recipients=element.recipients,
            owner=element.owner,
            direction=element.direction,
            application_id=element.application_id,
            tag=element.inner.secondary_text("tag", warnings, where=where + "message."),
            segment_count=element.segment_count,
            media=element.media,
            message_time=element.message_time,
            error=None if code is None else ERRORS.get(code),
        ),
    )


def _parse(request: Request, context: ParseContext, name: str) -> Callback:
    warnings: list[str] = []
    items = _elements(request, context, name, warnings)
    times = Times(context, warnings, form=_DATE_FORM)
    events: list[Event] = []
    for index, item in enumerate(items):
        element = _Element(item, index, name, times, warnings)
        # An array may mix kinds: each element is read as its own type says.
        events.append(_inbound(element, warnings) if element.kind == RECEIVED else _report(element, warnings))
    return Callback(provider=PROVIDER, format=name, events=tuple(events), warnings=tuple(warnings))


def parse_report(request: Request, context: ParseContext) -> Callback:
    return _parse(request, context, REPORT)


def parse_inbound(request: Request, context: ParseContext) -> Callback:
    return _parse(request, context, INBOUND)


def _format(name: str, description: str, inbound: bool, details: tuple[type[Any], ...]) -> Format:
    def matches(request: Request) -> bool:
        kind = _sniffed_type(request)
        return kind is not None and (kind == RECEIVED) == inbound

    return Format(
        name=name,
        description=description,
        methods=frozenset({"POST"}),
        matches=matches,
        body_media_types=_JSON_TYPES,
        parse=parse_inbound if inbound else parse_report,
        acknowledge=ok_without_body,
        retry=retry_later,  # Bandwidth retries every callback not answered 2xx, for 24 hours
        details_types=details,
        default_zone="UTC",  # every documented time ends in Z
    )


FORMATS = (
    _format(
        REPORT,
        "Message events: a JSON array of message-sending/-sent/-delivered/-failed/-read, one per recipient (POST)",
        inbound=False,
        details=(ReportDetails, InboundDetails),
    ),
    _format(
        INBOUND,
        "Inbound SMS and MMS: a JSON array of message-received, one per number of yours (POST)",
        inbound=True,
        details=(InboundDetails, ReportDetails),
    ),
)

__dir__ = public_dir(globals())

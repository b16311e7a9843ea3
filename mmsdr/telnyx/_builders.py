"""Telnyx Messaging (API v2) request builders for [`mmsdr.testing`][mmsdr.testing].

Defaults are the values of Telnyx's InboundMessageEvent example (API reference) and of the "Receiving Webhooks"
page's delivery update; sign a request with ``request.signed(mmsdr.telnyx.Signature.for_testing(seed))``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .._testing import TestRequest, aware, json_member, post_request

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._events import Event

PATH = "/telnyx"
_PROFILE = "0f512bda-ae3f-4e1d-9fe9-b3d8ebb5a9a2"


def _time(value: datetime | str | None) -> str | None:
    """Telnyx's times: ``2019-01-23T18:10:02.574Z``, milliseconds and Z."""
    if value is None or isinstance(value, str):
        return value
    value = aware(value).astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _request(data: dict[str, object], attempt: int | None, path: str) -> TestRequest:
    meta: dict[str, object] = {}
    if attempt is not None:
        meta["attempt"] = attempt
    meta["delivered_to"] = "https://www.example.com/hooks"
    body = json.dumps({"data": data, "meta": meta}, ensure_ascii=False).encode("utf-8")
    return post_request(path, "application/json", body)


def _data(
    event_type: str, event_id: str | None, timestamp: datetime | str | None, payload: dict[str, object]
) -> dict[str, object]:
    data: dict[str, object] = {"event_type": event_type}
    if event_id is not None:
        data["id"] = event_id
    if timestamp is not None:
        data["occurred_at"] = _time(timestamp)
    return data | {"payload": payload, "record_type": "event"}


def telnyx_inbound(
    *,
    message_id: str = "7ee4241c-f127-47e5-9c34-3aac291f8058",
    sender: str = "+18665550001",
    recipients: Sequence[str] = ("+18445550001",),
    cc: Sequence[str] = (),
    text: str | None = "Hello, World!",
    subject: str | None = "From Telnyx!",
    media: Sequence[tuple[str, str | None, int | None, str | None]] = (),
    message_type: str = "SMS",
    timestamp: datetime | str | None = datetime(2019, 1, 23, 18, 10, 2, 574000, tzinfo=UTC),
    event_id: str | None = "bf6307bd-884d-4c1f-b6ea-c62b8c495d3c",
    attempt: int | None = 1,
    path: str = PATH,
) -> TestRequest:
    """``telnyx.inbound``: ``message.received``; ``media`` is ``(url, content_type, size, hash_sha256)`` each."""
    payload: dict[str, object] = {
        "cc": [{"phone_number": number} for number in cc],
        "direction": "inbound",
        "encoding": "GSM-7",
        "errors": [],
        "from": {"carrier": "T-MOBILE USA, INC.", "line_type": "Wireless", "phone_number": sender},
        "id": message_id,
        "media": [
            {"url": url, "content_type": kind, "size": size, "hash_sha256": digest} for url, kind, size, digest in media
        ],
        "messaging_profile_id": _PROFILE,
        "parts": 1,
        "record_type": "message",
    }
    if subject is not None:
        payload["subject"] = subject
    if text is not None:
        payload["text"] = text
    payload["to"] = [{"phone_number": number, "status": "webhook_delivered"} for number in recipients]
    payload["type"] = message_type
    return _request(_data("message.received", event_id, timestamp, payload), attempt, path)


def telnyx_report(
    *,
    event_type: str = "message.finalized",
    message_id: str = "40385f64-5717-4562-b3fc-2c963f66afa6",
    sender: str = "+18445550001",
    recipients: Sequence[tuple[str, str]] = (("+18665550001", "delivered"),),
    errors: Sequence[tuple[int | str, str]] = (),
    message_type: str = "SMS",
    timestamp: datetime | str | None = datetime(2019, 1, 23, 18, 10, 2, 574000, tzinfo=UTC),
    event_id: str | None = "86f58db9-0e5c-4c5b-bf2c-1c5ad3a44c3a",
    attempt: int | None = 1,
    tags: Sequence[str] = (),
    path: str = PATH,
) -> TestRequest:
    """``telnyx.report``: ``message.sent`` or ``message.finalized``; ``recipients`` is ``(phone_number, status)``
    each, ``errors`` ``(code, title)`` each."""
    payload: dict[str, object] = {
        "direction": "outbound",
        "errors": [{"code": code, "title": title} for code, title in errors],
        "from": {"carrier": "TELNYX LLC", "line_type": "VoIP", "phone_number": sender},
        "id": message_id,
        "messaging_profile_id": _PROFILE,
        "record_type": "message",
        "tags": list(tags),
        "to": [
            {"carrier": "T-MOBILE USA, INC.", "line_type": "Wireless", "phone_number": number, "status": status}
            for number, status in recipients
        ],
        "type": message_type,
    }
    return _request(_data(event_type, event_id, timestamp, payload), attempt, path)


def request_for_event(event: Event) -> TestRequest:
    """The envelope the event was read from, rebuilt from ``raw``; a report's ``to`` holds its own recipient."""
    top: dict[str, object] = {}
    data: dict[str, object] = {}
    for key, value in event.raw.multi_items():
        if key == "data.payload.to":
            payload = data["payload"]
            assert isinstance(payload, dict)
            payload["to"] = [json.loads(value)]
        elif key.startswith("data."):
            data[key.removeprefix("data.")] = json_member(value, string=key in _STRINGS)
        else:
            top[key] = json_member(value, string=key in _STRINGS)
    body = json.dumps({"data": data, **top}, ensure_ascii=False).encode("utf-8")
    return post_request(PATH, "application/json", body)


_STRINGS = frozenset({"data.event_type", "data.id", "data.occurred_at", "data.record_type"})

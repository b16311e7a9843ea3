"""Bandwidth Messaging v2 request builders for [`mmsdr.testing`][mmsdr.testing].

Defaults are the values of the examples on Bandwidth's "Webhooks" page (Message Received, Message Delivered,
Message Failed), each a JSON array of one event as Bandwidth posts it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .._testing import TestRequest, aware, iso_date, post_request

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._events import Event

PATH = "/bandwidth"
_MEDIA = ("https://messaging.bandwidth.com/api/v2/users/{accountId}/media/14762070468292kw2fuqty55yp2b2/0/bw.png",)
_HEADERS = (("User-Agent", "BandwidthAPI/v2"),)


def _time(value: datetime | str | None) -> str | None:
    """Bandwidth's times: UTC with Z, milliseconds where there are any ("2020-06-25T18:42:36.979Z")."""
    if value is None or isinstance(value, str):
        return value
    if value.microsecond:
        return iso_date(value, milliseconds=True)
    return aware(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _body(element: dict[str, object], *, as_object: bool) -> bytes:
    return json.dumps(element if as_object else [element], ensure_ascii=False).encode("utf-8")


def _request(body: bytes, path: str) -> TestRequest:
    return post_request(path, "application/json; charset=utf-8", body, _HEADERS)


def _message(  # noqa: PLR0917 - the message object's members, in Bandwidth's order
    message_id: str,
    message_time: datetime | str | None,
    recipients: Sequence[str],
    sender: str,
    text: str,
    application_id: str | None,
    media: Sequence[str],
    owner: str | None,
    direction: str,
    segment_count: int | None,
    tag: str | None,
) -> dict[str, object]:
    message: dict[str, object] = {"id": message_id}
    if message_time is not None:
        message["time"] = _time(message_time)
    message |= {"to": list(recipients), "from": sender, "text": text}
    if application_id is not None:
        message["applicationId"] = application_id
    if media:
        message["media"] = list(media)
    if owner is not None:
        message["owner"] = owner
    message["direction"] = direction
    if segment_count is not None:
        message["segmentCount"] = segment_count
    if tag is not None:
        message["tag"] = tag
    return message


def bandwidth_report(
    *,
    kind: str = "message-delivered",
    message_id: str = "14762070468292kw2fuqty55yp2b2",
    recipient: str | None = "+12345678902",
    sender: str = "+12345678901",
    error_code: int | None = None,
    description: str | None = "ok",
    timestamp: datetime | str | None = datetime(2016, 9, 14, 18, 20, 16, tzinfo=UTC),
    message_time: datetime | str | None = datetime(2016, 9, 14, 18, 20, 16, tzinfo=UTC),
    recipients: Sequence[str] | None = None,
    media: Sequence[str] = (),
    owner: str | None = "+12345678901",
    application_id: str | None = "93de2206-9669-4e07-948d-329f4b722ee2",
    segment_count: int | None = 1,
    tag: str | None = None,
    as_object: bool = False,
    path: str = PATH,
) -> TestRequest:
    """``bandwidth.report``: ``[{"type": "message-delivered", "to": ..., "message": {...}}]``. ``kind`` is the
    event ``type``, ``recipient`` the event's ``to``, ``recipients`` ``message.to`` (``[recipient]`` when None);
    ``as_object`` sends the event without its array, as Bandwidth's OpenAPI sample did."""
    element: dict[str, object] = {"type": kind}
    if timestamp is not None:
        element["time"] = _time(timestamp)
    if description is not None:
        element["description"] = description
    if recipient is not None:
        element["to"] = recipient
    if error_code is not None:
        element["errorCode"] = error_code
    listed = ([] if recipient is None else [recipient]) if recipients is None else recipients
    element["message"] = _message(
        message_id, message_time, listed, sender, "", application_id, media, owner, "out", segment_count, tag
    )
    return _request(_body(element, as_object=as_object), path)


def bandwidth_inbound(
    *,
    message_id: str = "14762070468292kw2fuqty55yp2b2",
    sender: str = "+12345678901",
    recipient: str = "+12345678902",
    recipients: Sequence[str] | None = None,
    text: str = "Hey, check this out!",
    media: Sequence[str] = _MEDIA,
    timestamp: datetime | str | None = datetime(2016, 9, 14, 18, 20, 16, tzinfo=UTC),
    message_time: datetime | str | None = datetime(2016, 9, 14, 18, 20, 16, tzinfo=UTC),
    application_id: str | None = "93de2206-9669-4e07-948d-329f4b722ee2",
    segment_count: int | None = 1,
    description: str | None = "Incoming message received",
    as_object: bool = False,
    path: str = PATH,
) -> TestRequest:
    """``bandwidth.inbound``: ``[{"type": "message-received", ...}]``. ``recipient`` is the event's ``to`` and
    ``message.owner`` (the number of yours this copy is for), ``recipients`` ``message.to`` (a group message
    lists several; ``[recipient]`` when None), ``media`` the media URLs."""
    element: dict[str, object] = {"type": "message-received"}
    if timestamp is not None:
        element["time"] = _time(timestamp)
    if description is not None:
        element["description"] = description
    element["to"] = recipient
    listed = [recipient] if recipients is None else recipients
    element["message"] = _message(
        message_id, message_time, listed, sender, text, application_id, media, recipient, "in", segment_count, None
    )
    return _request(_body(element, as_object=as_object), path)


def request_for_event(event: Event) -> TestRequest:
    """The one-element array the event was read from: its raw members, ``message`` as the JSON it was."""
    element: dict[str, object] = {}
    for key, value in event.raw.multi_items():
        if key in {"message", "errorCode", "segmentCount"}:
            try:
                element[key] = json.loads(value)
            except ValueError:
                element[key] = value
        else:
            element[key] = value
    return _request(_body(element, as_object=False), PATH)

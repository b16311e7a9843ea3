"""OpenMarket request builders for [`mmsdr.testing`][mmsdr.testing]."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .._events import Event, InboundMessage, Part
from .._testing import (
    DEFAULT_PARTS,
    TestRequest,
    boundary_for,
    iso_date,
    media_headers,
    multipart_body,
    part_bytes,
    post_request,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


# The documented example's X-Request-Id cut to the documented 1 to 30 characters (the example has 40).
_REQUEST_ID = "015-3DD6C366-D68A-4A02-9777"


def _request_id_header(request_id: str | None) -> list[tuple[str, str]]:
    return [] if request_id is None else [("X-Request-Id", request_id)]


def _json_object(members: Iterable[tuple[str, str]]) -> bytes:
    """A JSON object from ``(key, value as JSON text)`` pairs, in order."""
    inner = ",".join(f"{json.dumps(key, ensure_ascii=False)}:{value}" for key, value in members)
    return ("{" + inner + "}").encode("utf-8")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def openmarket_mms_report(
    *,
    message_id: str = "123456789012345",
    status: str = "Rejected",
    outcome_id: int | None = 9,
    outcome_description: str | None = "Recipient not found on mobile operator",
    user_agent: str | None = "HTC One",
    timestamp: datetime | str = datetime(2014, 7, 16, 19, 20, 30, tzinfo=UTC),
    request_id: str | None = _REQUEST_ID,
    path: str = "/openmarket",
) -> TestRequest:
    """``openmarket.mms_report``: ``application/json``, ``{"type": "REPORT", "mtId": ..., ...}``."""
    members = [
        ("type", _json("REPORT")),
        ("mtId", _json(message_id)),
        ("date", _json(iso_date(timestamp, milliseconds=False))),
        ("status", _json(status)),
    ]
    if outcome_id is not None:
        members.append(("outcomeId", _json(outcome_id)))
    if outcome_description is not None:
        members.append(("outcomeDescription", _json(outcome_description)))
    if user_agent is not None:
        members.append(("userAgent", _json(user_agent)))
    return post_request(path, "application/json", _json_object(members), _request_id_header(request_id))


def _openmarket_inbound(
    main: bytes, parts: Sequence[Part], *, request_id: str | None, path: str, boundary: str | None = None
) -> TestRequest:
    # "Encoding: Base64" for the MMS parts (OpenMarket's quick facts), declared so that no reader guesses.
    import base64  # noqa: PLC0415 - only OpenMarket needs it

    encoded = [(media_headers(part, "base64"), base64.encodebytes(part_bytes(part)).rstrip(b"\n")) for part in parts]
    pieces = [([("Content-Type", "application/json"), ("Content-Id", "main")], main), *encoded]
    boundary = boundary or boundary_for("mimeboundary-", main)
    content_type = f"multipart/mixed; boundary={boundary}"
    return post_request(path, content_type, multipart_body(boundary, pieces), _request_id_header(request_id))


def openmarket_mms_inbound(
    *,
    message_id: str = "123456789012345",
    sender: str = "447800000001",
    recipients: Sequence[str] = ("88600",),
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    timestamp: datetime | str = datetime(2014, 7, 16, 19, 20, 30, tzinfo=UTC),
    network: str | int | None = 77,
    subject: str | None = "Test MMS",
    user_agent: str | None = "HTC One",
    parts: Sequence[Part] = DEFAULT_PARTS,
    request_id: str | None = _REQUEST_ID,
    path: str = "/openmarket",
) -> TestRequest:
    """``openmarket.mms_inbound``: ``multipart/mixed``, the JSON part (``Content-Id: main``) first, then each
    part base64-encoded. ``moId`` is a JSON number when ``message_id`` is one, as in the vendor's example."""
    numeric = message_id.isascii() and message_id.isdigit() and not message_id.startswith("0")
    members = [
        ("type", _json("MO")),
        ("moId", message_id if numeric else _json(message_id)),
        ("source", _json(sender)),
        ("destinations", _json(list(recipients))),
        ("ccs", _json(list(cc))),
        ("bccs", _json(list(bcc))),
        ("date", _json(iso_date(timestamp, milliseconds=False))),
    ]
    if network is not None:
        members.append(("mobileOperatorId", _json(int(network))))
    if subject is not None:
        members.append(("subject", _json(subject)))
    if user_agent is not None:
        members.append(("userAgent", _json(user_agent)))
    return _openmarket_inbound(_json_object(members), parts, request_id=request_id, path=path)


# JSON members OpenMarket sends as strings; the others are sent as the JSON text kept in ``raw``.
_JSON_STRINGS = frozenset({"type", "mtId", "date", "status", "outcomeDescription", "userAgent", "source", "subject"})


def _no_constant(name: str) -> object:
    # NaN and Infinity are not JSON (the parser refuses them): such a raw value was a string.
    raise ValueError(name)


def _json_member(key: str, text: str) -> str:
    if key == "moId" and text.isascii() and text.isdigit() and not text.startswith("0"):
        return text  # a JSON number, as in the vendor's example
    if key in _JSON_STRINGS or key == "moId":
        return _json(text)
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except ValueError:
        return _json(text)
    # Only a value whose JSON text is exactly what raw kept reads back the same; anything else was a string.
    if not isinstance(value, str) and _json(value) == text:
        return text
    return _json(text)


def request_for_event(event: Event) -> TestRequest:
    items = list(event.raw.multi_items())
    request_id = None
    if items and items[-1][0] == "X-Request-Id":
        request_id = items.pop()[1]  # the header, which raw keeps after the JSON fields
    main = _json_object((key, _json_member(key, value)) for key, value in items)
    if event.format == "openmarket.mms_report":
        return post_request("/openmarket", "application/json", main, _request_id_header(request_id))
    parts = event.parts if isinstance(event, InboundMessage) else ()
    return _openmarket_inbound(main, parts, request_id=request_id, path="/openmarket")

"""Sinch SMS REST API request builders for [`mmsdr.testing`][mmsdr.testing].

Defaults are the values of the callbacks the Sinch Python SDK's end-to-end tests check ("SMS Webhooks" feature)
and, for the batch report, of the Sinch Java SDK's fixture.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .._events import Event, Part
from .._testing import TestRequest, iso_date, post_request

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

PATH = "/sinch"
_INBOUND_PARTS = (Part(content_type="image/jpeg", url="https://media.example.com/mms/01W4FFL35P4NC4K35SMSBATCH8.jpg"),)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _object(members: Iterable[tuple[str, str]]) -> bytes:
    """A JSON object from ``(key, value as JSON text)`` pairs, in order."""
    return ("{" + ",".join(f"{_json(key)}:{value}" for key, value in members) + "}").encode("utf-8")


def _optional(members: list[tuple[str, str]], key: str, value: object) -> None:
    if value is not None:
        members.append((key, _json(value)))


def _request(body: bytes, path: str) -> TestRequest:
    return post_request(path, "application/json", body)


def sinch_recipient_delivery_report(
    *,
    batch_id: str = "01W4FFL35P4NC4K35SMSBATCH9",
    recipient: str = "12017777777",
    status: str = "Delivered",
    code: int | None = 0,
    timestamp: datetime | str | None = datetime(2024, 6, 6, 8, 17, 19, 210000, tzinfo=UTC),
    operator_status_at: datetime | None = datetime(2024, 6, 6, 8, 17, tzinfo=UTC),
    client_reference: str | None = "client-ref",
    operator: str | None = None,
    applied_originator: str | None = None,
    encoding: str | None = None,
    message_parts: int | None = None,
    channel: str = "sms",
    path: str = PATH,
) -> TestRequest:
    """``sinch.recipient_delivery_report``: ``{"type": "recipient_delivery_report_sms", ...}`` (``channel="mms"``
    for ``_mms``); ``timestamp`` is ``at``."""
    members = [("type", _json(f"recipient_delivery_report_{channel}")), ("batch_id", _json(batch_id))]
    members += [("recipient", _json(recipient))]
    _optional(members, "code", code)
    members.append(("status", _json(status)))
    _optional(members, "at", None if timestamp is None else iso_date(timestamp, milliseconds=True))
    at = None if operator_status_at is None else iso_date(operator_status_at, milliseconds=True)
    _optional(members, "operator_status_at", at)
    _optional(members, "client_reference", client_reference)
    _optional(members, "operator", operator)
    _optional(members, "applied_originator", applied_originator)
    _optional(members, "encoding", encoding)
    _optional(members, "number_of_message_parts", message_parts)
    return _request(_object(members), path)


#: The batch report example of Sinch's Java SDK fixtures ("full": one recipient delivered).
DEFAULT_STATUSES: tuple[tuple[str, int, Sequence[str] | int], ...] = (("Delivered", 0, ("44231235674",)),)


def sinch_delivery_report(
    *,
    batch_id: str = "01FC66621XXXXX119Z8PMV1QPQ",
    statuses: Sequence[tuple[str, int, Sequence[str] | int]] = DEFAULT_STATUSES,
    total_message_count: int | None = None,
    client_reference: str | None = "a client reference",
    channel: str = "sms",
    path: str = PATH,
) -> TestRequest:
    """``sinch.delivery_report``: ``{"type": "delivery_report_sms", "statuses": [...], ...}``. Each of
    ``statuses`` is ``(status, code, recipients)`` for a "full" report, or ``(status, code, count)`` for a
    "summary" one; ``total_message_count`` defaults to the sum of the counts."""
    entries = []
    total = 0
    for status, code, listed in statuses:
        count = listed if isinstance(listed, int) else len(listed)
        total += count
        entry: dict[str, object] = {"code": code, "count": count}
        if not isinstance(listed, int):
            entry["recipients"] = list(listed)
        entry["status"] = status
        entries.append(entry)
    members = [
        ("type", _json(f"delivery_report_{channel}")),
        ("batch_id", _json(batch_id)),
        ("statuses", _json(entries)),
        ("total_message_count", _json(total if total_message_count is None else total_message_count)),
    ]
    _optional(members, "client_reference", client_reference)
    return _request(_object(members), path)


def sinch_inbound(
    *,
    kind: str = "mo_text",
    message_id: str = "01W4FFL35P4NC4K35SMSBATCH8",
    sender: str = "12015555555",
    recipient: str = "12017777777",
    text: str | None = "Hello John! \N{WAVING HAND SIGN}",
    subject: str | None = None,
    data: bytes = b"\x00\x01\x02",
    udh: bytes | None = bytes.fromhex("050003010201"),
    parts: Sequence[Part] = _INBOUND_PARTS,
    timestamp: datetime | str | None = datetime(2024, 6, 6, 7, 52, 37, 386000, tzinfo=UTC),
    sent_at: datetime | None = None,
    operator_id: str | None = "311071",
    client_reference: str | None = None,
    path: str = PATH,
) -> TestRequest:
    """``sinch.inbound``: ``mo_text`` (``text``), ``mo_binary`` (``data`` base64, ``udh`` hex) or ``mo_media``
    (``subject``, ``text`` as ``message`` and ``parts`` by URL, each "Uploaded", code 0)."""
    import base64  # noqa: PLC0415 - only mo_binary needs it

    members = [("type", _json(kind)), ("id", _json(message_id)), ("from", _json(sender)), ("to", _json(recipient))]
    if kind == "mo_media":
        body: dict[str, object] = {}
        if subject is not None:
            body["subject"] = subject
        if text is not None:
            body["message"] = text
        body["media"] = [
            {"url": part.url, "content_type": part.content_type, "status": "Uploaded", "code": 0} for part in parts
        ]
        members.append(("body", _json(body)))
    elif kind == "mo_binary":
        members.append(("body", _json(base64.b64encode(data).decode("ascii"))))
        _optional(members, "udh", None if udh is None else udh.hex())
    else:
        _optional(members, "body", text)
    _optional(members, "received_at", None if timestamp is None else iso_date(timestamp, milliseconds=True))
    _optional(members, "sent_at", None if sent_at is None else iso_date(sent_at, milliseconds=True))
    _optional(members, "operator_id", operator_id)
    _optional(members, "client_reference", client_reference)
    return _request(_object(members), path)


# Members Sinch sends as JSON strings (``body`` too, except in mo_media); the others as the JSON text raw keeps.
_STRINGS = frozenset(
    {
        "type",
        "batch_id",
        "recipient",
        "status",
        "at",
        "operator_status_at",
        "client_reference",
        "operator",
        "applied_originator",
        "encoding",
        "id",
        "from",
        "to",
        "received_at",
        "sent_at",
        "operator_id",
        "udh",
        "statuses.status",
        "statuses.recipients",
    }
)


def _no_constant(name: str) -> object:
    raise ValueError(name)  # NaN and Infinity are not JSON: such a raw value was a string


def _member(key: str, text: str, *, strings: frozenset[str] = _STRINGS) -> str:
    if key in strings:
        return _json(text)
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except ValueError:
        return _json(text)
    # Only a value whose JSON text is exactly what raw kept reads back the same; anything else was a string.
    return text if not isinstance(value, str) and _json(value) == text else _json(text)


def request_for_event(event: Event) -> TestRequest:
    items = list(event.raw.multi_items())
    if event.format == "sinch.delivery_report":
        top = [(key, value) for key, value in items if not key.startswith("statuses")]
        entry = [(key.removeprefix("statuses."), value) for key, value in items if key.startswith("statuses.")]
        if entry:  # a listed recipient: its statuses element, with that recipient alone
            inner = [
                (key, f"[{_json(value)}]" if key == "recipients" else _member(f"statuses.{key}", value))
                for key, value in entry
            ]
            statuses = "[" + _object(inner).decode("utf-8") + "]"
        else:  # the counts event: the elements that listed no recipients, as sent
            statuses = dict(items)["statuses"]
        members = [(key, _member(key, value)) for key, value in top] + [("statuses", statuses)]
        return _request(_object(members), PATH)
    media = dict(items).get("type") == "mo_media"
    strings = _STRINGS - {"body"} if media else _STRINGS | {"body"}
    return _request(_object((key, _member(key, value, strings=strings)) for key, value in items), PATH)

"""Threat catalogue rows J1 and J2 (JSON arrays and nesting) against the public parse_request, with the formats
that post JSON arrays or envelopes: Bandwidth (an array of events) and Telnyx (a data/meta envelope).

Work is counted (Python calls made), never timed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from _threats import calls_made

import mmsdr

if TYPE_CHECKING:
    from collections.abc import Callable

JSON = {"Content-Type": "application/json"}


def bandwidth_array(count: int) -> bytes:
    element = {"type": "message-delivered", "time": "2026-12-03T10:00:00Z", "to": "+15550100", "message": {"id": "m"}}
    return json.dumps([{**element, "to": f"+1555{index:07d}"} for index in range(count)]).encode()


def test_j1_an_array_of_a_million_elements_is_refused_at_the_json_limit() -> None:
    body = b"[" + b"{}," * 999_999 + b"{}]"
    assert len(body) > mmsdr.Limits().max_json_bytes
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        mmsdr.parse_request(JSON, body, formats="bandwidth.report", method="POST")
    assert str(caught.value) == "bandwidth.report: body is larger than 1048576 bytes (Limits.max_json_bytes)"
    assert caught.value.ack.status == 413


def test_j1_within_the_limit_the_work_is_linear_in_the_elements() -> None:
    small, large = bandwidth_array(1_000), bandwidth_array(4_000)
    assert len(large) < mmsdr.Limits().max_json_bytes

    def parse(body: bytes) -> Callable[[], object]:
        return lambda: mmsdr.parse_request(JSON, body, method="POST").events

    assert len(mmsdr.parse_request(JSON, large, method="POST").events) == 4_000
    ratio = calls_made(parse(large)) / calls_made(parse(small))
    assert 3.5 < ratio < 4.5


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("bandwidth.report", b"[" * 100_000 + b"]" * 100_000),
        ("telnyx.report", b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ],
)
def test_j2_deep_json_is_refused(name: str, body: bytes) -> None:
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        mmsdr.parse_request(JSON, body, formats=name, method="POST")
    assert str(caught.value) == f"{name}: body is nested too deeply"
    assert caught.value.ack.status == 400


def vonage_mms(count: int, *, distinct: bool = True) -> bytes:
    content = [{"type": "image", "url": f"https://m.example/{index if distinct else 0}"} for index in range(count)]
    return json.dumps(
        {"message_uuid": "u", "from": "1", "to": "2", "message_type": "image", "content": content}
    ).encode()


def test_j3_a_deeply_nested_content_is_refused() -> None:
    body = b'{"message_uuid": "u", "message_type": "image", "content": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        mmsdr.parse_request(JSON, body, method="POST")
    assert str(caught.value) == "vonage.message_inbound: body is nested too deeply"
    assert caught.value.ack.status == 400


def test_j3_a_content_past_the_json_limit_is_refused() -> None:
    body = vonage_mms(30_000)
    assert len(body) > mmsdr.Limits().max_json_bytes
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        mmsdr.parse_request(JSON, body, method="POST")
    assert str(caught.value) == "vonage.message_inbound: body is larger than 1048576 bytes (Limits.max_json_bytes)"
    assert caught.value.ack.status == 413


@pytest.mark.parametrize("distinct", [True, False])
def test_j3_within_the_limit_the_work_is_linear_in_the_elements(distinct: bool) -> None:
    small, large = vonage_mms(1_000, distinct=distinct), vonage_mms(4_000, distinct=distinct)
    assert len(large) < mmsdr.Limits().max_json_bytes

    def parse(body: bytes) -> Callable[[], object]:
        return lambda: mmsdr.parse_request(JSON, body, method="POST").events

    (event,) = mmsdr.parse_request(JSON, large, method="POST").events
    assert len(event.parts) == (4_000 if distinct else 1)  # type: ignore[attr-defined]
    ratio = calls_made(parse(large)) / calls_made(parse(small))
    assert 3.5 < ratio < 4.5

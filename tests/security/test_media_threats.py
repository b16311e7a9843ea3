"""Threat catalogue rows R1-R4 (form and query fields: Twilio's MediaUrlN, parameter floods) against parse_request.

Twilio sends an inbound MMS's media as ``MediaUrl{N}`` and ``MediaContentType{N}`` with ``NumMedia``; a forged
request can claim any count, leave gaps, repeat an index or flood the form. Vonage's SMS API sends its fields by
GET, form or JSON, each of which can be flooded. The work is counted, never timed.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest
from _threats import calls_made

import mmsdr
from mmsdr import Callback, LimitExceededError, MalformedRequestError
from mmsdr.twilio import inbound as inbound_module

if TYPE_CHECKING:
    from collections.abc import Callable

FORM = [("Content-Type", "application/x-www-form-urlencoded")]
JSON = [("Content-Type", "application/json")]
SENT = [("MessageSid", "MM1"), ("AccountSid", "AC1"), ("From", "+1"), ("To", "+2")]


def post(fields: list[tuple[str, str]], **options: Any) -> Callback:
    return mmsdr.parse_request(FORM, urlencode(fields).encode(), None, method="POST", **options)


@pytest.mark.parametrize("count", [1, 10, 200])
def test_r1_num_media_is_never_looped_over(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    calls: list[str] = []
    real = inbound_module._MEDIA_FIELD

    class Counting:
        def fullmatch(self, name: str) -> re.Match[str] | None:
            calls.append(name)
            return real.fullmatch(name)

    monkeypatch.setattr(inbound_module, "_MEDIA_FIELD", Counting())
    fields = [*SENT, ("NumMedia", "999999999"), *((f"MediaUrl{index}", f"u{index}") for index in range(count))]
    callback = post(fields)
    assert len(callback.events[0].parts) == count  # type: ignore[attr-defined]
    assert len(calls) == len(fields)  # one match per field, whatever NumMedia says
    assert callback.warnings == (f"field 'NumMedia' says 999999999 media, but {count} came with a URL",)


@pytest.mark.parametrize(
    ("media", "urls"),
    [
        ([("MediaUrl3", "c"), ("MediaUrl0", "a"), ("MediaUrl7", "b")], ["a", "c", "b"]),  # gaps, any order
        ([("MediaUrl0", "a"), ("MediaUrl0", "a")], ["a"]),  # the same medium twice is one part
        ([("MediaUrl00", "a"), ("MediaUrl1234567890", "b"), ("MediaUrl-1", "c")], []),  # not indices: raw only
    ],
)
def test_r2_media_gaps_and_repeats_give_the_media_that_came(media: list[tuple[str, str]], urls: list[str]) -> None:
    (event,) = post([*SENT, *media]).events
    assert [part.url for part in event.parts] == urls  # type: ignore[attr-defined]
    assert event.raw.multi_items()[len(SENT) :] == tuple(media)


def test_r2_one_index_with_two_urls_is_refused() -> None:
    with pytest.raises(MalformedRequestError) as caught:
        post([*SENT, ("MediaUrl0", "a"), ("MediaUrl0", "b")])
    assert str(caught.value) == "twilio.inbound: field 'MediaUrl0' is repeated with different values, got ['a', 'b']"
    assert caught.value.ack.status == 400


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([("X", "1")] * 300, "request: more than 256 fields in the form body (Limits.max_query_fields)"),
        ([("Body", "x" * 70_000)], "request: form body longer than 65536 bytes (Limits.max_query_bytes)"),
    ],
)
def test_r3_a_flooded_twilio_form_is_refused_at_the_limits(extra: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(LimitExceededError) as caught:
        post([*SENT, *extra])
    assert (str(caught.value), caught.value.ack.status) == (message, 413)


VONAGE_RECEIPT = [("messageId", "0C0000002EEBDA56"), ("msisdn", "4527631111"), ("status", "delivered")]


@pytest.mark.parametrize(
    ("method", "extra", "message"),
    [
        ("GET", [("X", "1")] * 300, "request: more than 256 fields in the query string (Limits.max_query_fields)"),
        ("POST", [("X", "1")] * 300, "request: more than 256 fields in the form body (Limits.max_query_fields)"),
        ("POST", [("text", "x" * 70_000)], "request: form body longer than 65536 bytes (Limits.max_query_bytes)"),
    ],
)
def test_r4_a_flooded_vonage_callback_is_refused_at_the_limits(
    method: str, extra: list[tuple[str, str]], message: str
) -> None:
    fields = urlencode([*VONAGE_RECEIPT, *extra])
    headers, body, query = (None, b"", fields) if method == "GET" else (FORM, fields.encode(), None)
    with pytest.raises(LimitExceededError) as caught:
        mmsdr.parse_request(headers, body, query, method=method)
    assert (str(caught.value), caught.value.ack.status) == (message, 413)


def _vonage_json(count: int) -> bytes:
    return json.dumps(dict(VONAGE_RECEIPT) | {f"x-{index}": "1" for index in range(count)}).encode()


def test_r4_a_vonage_json_flood_is_refused_past_the_json_limit() -> None:
    body = _vonage_json(80_000)
    assert len(body) > mmsdr.Limits().max_json_bytes
    with pytest.raises(LimitExceededError) as caught:
        mmsdr.parse_request(JSON, body, None, method="POST")
    assert str(caught.value) == "vonage.sms_receipt: body is larger than 1048576 bytes (Limits.max_json_bytes)"
    assert caught.value.ack.status == 413


def test_r4_within_the_json_limit_the_work_is_linear_in_the_members() -> None:
    small, large = _vonage_json(1_000), _vonage_json(4_000)

    def parse(body: bytes) -> Callable[[], object]:
        def run() -> object:
            # The parse, and the first read of raw (built lazily): every member once.
            return mmsdr.parse_request(JSON, body, None, method="POST").events[0].raw.multi_items()

        return run

    (event,) = mmsdr.parse_request(JSON, large, None, method="POST").events
    assert (event.format, len(event.raw)) == ("vonage.sms_receipt", 4_003)
    ratio = calls_made(parse(large)) / calls_made(parse(small))
    assert 3.5 < ratio < 4.5

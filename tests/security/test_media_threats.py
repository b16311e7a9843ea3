"""Threat catalogue rows R1-R3 (media by reference in form fields: Twilio's MediaUrlN) against parse_request.

Twilio sends an inbound MMS's media as ``MediaUrl{N}`` and ``MediaContentType{N}`` with ``NumMedia``; a forged
request can claim any count, leave gaps, repeat an index or flood the form. The work is counted, never timed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest

import mmsdr
from mmsdr import Callback, LimitExceededError, MalformedRequestError
from mmsdr.twilio import inbound as inbound_module

FORM = [("Content-Type", "application/x-www-form-urlencoded")]
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

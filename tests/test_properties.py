"""Hypothesis properties: any query string gives an event or an MmsdrError; input shapes do not matter."""

from __future__ import annotations

from urllib.parse import quote

from _support import query_fixture
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mmsdr

FIXTURES = [
    "sms-report-mx-us",
    "sms-report-none-buffered",
    "mms-report-delivered",
    "sms-inbound-latin9",
    "sms-inbound-ucs2",
    "mms-inbound-get",
    "unsubscribe",
    "renewal",
]
FIELD_NAMES = sorted(
    {
        "smsfrom",
        "smsmsg",
        "smsto",
        "smsid",
        "smsdate",
        "reason",
        "note",
        "bits",
        "smsucs2",
        "smsudh",
        "id",
        "requestid",
        "to",
        "from",
        "date",
        "type",
        "status",
        "expiry",
        "message",
        "msisdn",
        "shortcode",
        "source",
        "network",
        "mtusername",
    }
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "REPORT 1 DELIVERED",
            "REPORT <18446744073709551615> <NONE/BUFFERED>",
            "2010-08-21 17:32:21 +0100",
            "1",
            "2",
            "6",
            "7",
            "8",
            "16",
            "-1",
            "0x51030200",
            "9" * 30,
            "%FF",
            "041F",
            "\x00",
            "١",
        ]
    ),
    st.binary(max_size=20).map(lambda data: data.decode("latin-1")),
)
settings.register_profile("mmsdr", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("mmsdr")


def parse_or_error(*args: object, **options: object) -> object:
    try:
        return mmsdr.parse_request(*args, **options)  # type: ignore[arg-type]
    except mmsdr.MmsdrError as error:
        assert error.status_hint in {400, 403, 405, 413, 415, 431}
        assert error.ack.status == error.status_hint
        return error


@given(st.binary(max_size=400))
def test_any_query_bytes_give_an_event_or_an_mmsdr_error(query: bytes) -> None:
    parse_or_error({}, b"", query)


@given(st.lists(st.tuples(st.sampled_from(FIELD_NAMES), VALUES), max_size=14))
def test_any_mix_of_known_fields_gives_an_event_or_an_mmsdr_error(pairs: list[tuple[str, str]]) -> None:
    query = "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in pairs)
    parse_or_error({}, b"", query)
    parse_or_error({}, b"", dict(pairs))  # the same as an already decoded mapping


@given(st.sampled_from(FIXTURES), st.data())
def test_mutated_fixtures_give_an_event_or_an_mmsdr_error(fixture: str, data: st.DataObject) -> None:
    query = bytearray(query_fixture("mxtelecom", fixture).encode())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(query) - 1))
        query[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(query)))
    parse_or_error({}, b"", bytes(query[:cut]))


@given(st.sampled_from(FIXTURES), st.data())
def test_bytes_bytearray_memoryview_and_chunks_give_the_same_event(fixture: str, data: st.DataObject) -> None:
    body = query_fixture("mxtelecom", fixture).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    expected = mmsdr.parse_request(headers, body, None)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=6)))
    chunks = [body[start:end] for start, end in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    for shape in (bytearray(body), memoryview(body), chunks, iter(chunks)):
        assert mmsdr.parse_request(headers, shape, None) == expected

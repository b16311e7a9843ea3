"""What frameworks hand over: header, body and query shapes, read the same way within the limits."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from urllib.parse import parse_qsl

import pytest
from _support import only_event, query_fixture
from hypothesis import given, settings
from hypothesis import strategies as st

import mmsdr
from mmsdr import LimitExceededError, Limits, MalformedRequestError, UnsupportedFormatError
from mmsdr._request import Headers, decode_text, parse_query_string, read_request

QUERY = query_fixture("mxtelecom", "sms-report-mx-us")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class MultiValueQuery(dict[str, str]):
    """A framework query mapping whose item access gives only the last value (Django's QueryDict does)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self._pairs = pairs

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self._pairs if key == name]


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/x-www-form-urlencoded"},  # a plain mapping (Django's request.headers)
        [("content-type", "application/x-www-form-urlencoded")],  # pairs (Flask's request.headers iterates so)
        [[b"content-type", b"application/x-www-form-urlencoded"]],  # ASGI scope["headers"]
        (("CONTENT-TYPE", "application/x-www-form-urlencoded"),),
        {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded", "wsgi.version": (1, 0)},
        {"Content-Type": ["application/x-www-form-urlencoded"]},  # a dict of lists
    ],
    ids=["mapping", "pairs", "asgi", "upper-case", "wsgi-environ", "dict-of-lists"],
)
def test_header_shapes_give_the_same_event(headers: object) -> None:
    expected = mmsdr.parse_request({}, b"", QUERY)
    assert mmsdr.parse_request(headers, QUERY.encode(), None) == expected


def test_headers_keep_repeats_and_ignore_case() -> None:
    request = read_request([("X-A", "1"), ("x-a", "2"), (b"Host", b"h")], b"", None, limits=Limits())
    assert request.headers == Headers((("x-a", "1"), ("x-a", "2"), ("host", "h")))
    assert request.headers.get("X-A") == "1"
    assert request.headers.getall("X-a") == ("1", "2")
    assert request.headers.get("missing", "default") == "default"


def test_wsgi_environ_gives_method_and_http_headers() -> None:
    environ = {
        "REQUEST_METHOD": "get",
        "HTTP_X_FORWARDED_FOR": "83.166.68.1",
        "CONTENT_LENGTH": "0",
        "wsgi.input": object(),
    }
    request = read_request(environ, b"", "a=1", limits=Limits())
    assert request.method == "GET"
    assert request.headers.items == (("x-forwarded-for", "83.166.68.1"), ("content-length", "0"))


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize(
    "body",
    [
        QUERY.encode(),
        bytearray(QUERY.encode()),
        memoryview(QUERY.encode()),
        [QUERY.encode()],
        list(chunks(QUERY.encode(), 1)),
        chunks(QUERY.encode(), 7),
        [bytearray(b"smsfrom=447931123456"), memoryview(QUERY.encode()[20:])],
    ],
    ids=["bytes", "bytearray", "memoryview", "one-chunk", "byte-chunks", "generator", "mixed-chunks"],
)
def test_body_shapes_give_the_same_event(body: object) -> None:
    assert mmsdr.parse_request(FORM, body, None) == mmsdr.parse_request({}, None, QUERY)


@pytest.mark.parametrize(
    "query",
    [
        QUERY,
        QUERY.encode(),
        bytearray(QUERY.encode()),
        "?" + QUERY,
        MultiValueQuery(
            [
                ("smsfrom", "447931123456"),
                ("smsmsg", "REPORT 17218733 DELIVERED"),
                ("smsto", "913"),
                ("shortcode", "913"),
                ("smsid", "17221293"),
                ("smsdate", "2002-04-30 21:58:00"),
                ("reason", "1359151616"),
            ]
        ),
    ],
    ids=["str", "bytes", "bytearray", "leading-question-mark", "multi-value-mapping"],
)
def test_query_shapes_give_the_same_event(query: object) -> None:
    assert mmsdr.parse_request({}, b"", query) == mmsdr.parse_request({}, b"", QUERY)


def test_multi_value_mapping_is_read_fully() -> None:
    query = MultiValueQuery(
        [
            ("msisdn", "447884436692"),
            ("shortcode", "81111"),
            ("shortcode", "82222"),
            ("date", "2005-08-29 19:12:45"),
            ("source", "IVR"),
        ]
    )
    event = only_event(mmsdr.parse_request({}, b"", query), mmsdr.Unsubscribe)
    assert event.shortcodes == ("81111", "82222")
    assert event.raw.getall("shortcode") == ("81111", "82222")


def test_query_string_splitting() -> None:
    # Values are the percent-decoded bytes, as str when they are all ASCII (the same text in every charset).
    fields = parse_query_string(b"a=1&&b=&c&d=x%3Dy+z&a=2&e=1;f=2&%FF=%FF&g=%E9t%C3%A9", Limits())
    assert fields == (
        ("a", "1"),
        ("b", ""),
        ("c", ""),
        ("d", "x=y z"),
        ("a", "2"),
        ("e", "1;f=2"),  # Q1: ";" is data, not a separator
        ("ÿ", b"\xff"),  # Q2: names that are not UTF-8 are read as ISO-8859-15, values stay bytes
        ("g", b"\xe9t\xc3\xa9"),  # bytes as sent: Latin-9 and UTF-8 both kept for the format to decode
    )
    assert parse_query_string("a=%41+b&c=%C3%A9", Limits()) == (("a", "A b"), ("c", b"\xc3\xa9"))


def _reference_query_fields(query: bytes) -> tuple[tuple[str, bytes | str], ...]:
    """What parse_query_string promises: parse_qsl over ISO-8859-1 text, values as bytes unless ASCII."""
    return tuple(
        (
            name if name.isascii() else decode_text(name.encode("latin-1")),
            value if value.isascii() else value.encode("latin-1"),
        )
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    )


# Bytes a query string is made of, with the separators and escapes over-represented.
QUERY_BYTES = st.binary(max_size=80) | st.lists(
    st.sampled_from([b"&", b"=", b"+", b"%", b"%4", b"%41", b"%e9", b"%C3%A9", b"a", b"Z", b";", b"\xe9", b" "]),
    max_size=30,
).map(b"".join)


@given(QUERY_BYTES)
@settings(max_examples=500)
def test_query_string_splitting_matches_parse_qsl(query: bytes) -> None:
    query = query.removeprefix(b"?")
    assert parse_query_string(query, Limits()) == _reference_query_fields(query)
    if query.isascii():
        assert parse_query_string(query.decode("ascii"), Limits()) == _reference_query_fields(query)


def test_raw_view_keeps_unknown_fields_and_repeats() -> None:
    event = only_event(mmsdr.parse_request({}, b"", QUERY + "&x-custom=1&x-custom=2&newparam=%E9t%E9"))
    assert event.raw.getall("x-custom") == ("1", "2")
    assert event.raw["x-custom"] == "1"
    assert event.raw["newparam"] == "été"  # not UTF-8: read as ISO-8859-15, not replaced
    assert event.raw.multi_items()[-3:] == (("x-custom", "1"), ("x-custom", "2"), ("newparam", "été"))
    assert len(event.raw) == 9
    with pytest.raises(TypeError):
        event.raw["smsfrom"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("limits", "query", "message"),
    [
        (
            Limits(max_query_fields=3),
            "a=1&b=2&c=3&d=4",
            "request: more than 3 fields in the query string (Limits.max_query_fields)",
        ),
        (
            Limits(),
            "&".join(f"f{i}=1" for i in range(100_000)),
            "request: query string longer than 65536 bytes (Limits.max_query_bytes)",
        ),
        (
            Limits(),
            "&".join(f"f{i}=1" for i in range(300)),
            "request: more than 256 fields in the query string (Limits.max_query_fields)",
        ),
        (
            Limits(max_query_fields=2),
            MultiValueQuery([("a", "1"), ("a", "2"), ("a", "3")]),
            "request: more than 2 fields in the query string (Limits.max_query_fields)",
        ),
    ],
)
def test_query_floods_are_refused_with_413(limits: Limits, query: object, message: str) -> None:
    with pytest.raises(LimitExceededError) as caught:
        mmsdr.parse_request({}, b"", query, limits=limits)
    assert str(caught.value) == message
    assert caught.value.status_hint == 413
    assert caught.value.ack.status == 413


def test_form_body_flood_is_refused_naming_the_body() -> None:
    body = "&".join(f"f{i}=1" for i in range(300)).encode()
    with pytest.raises(LimitExceededError) as caught:
        mmsdr.parse_request(FORM, body, None)
    assert str(caught.value) == "request: more than 256 fields in the form body (Limits.max_query_fields)"
    assert caught.value.field == "body"


def test_many_empty_segments_are_not_fields() -> None:
    event = mmsdr.parse_request({}, b"", "&" * 1000 + QUERY)
    assert event == mmsdr.parse_request({}, b"", QUERY)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"x" * 101, "request: body larger than 100 bytes (Limits.max_body_bytes)"),
        ([b"x" * 60, b"x" * 60], "request: body larger than 100 bytes (Limits.max_body_bytes)"),
    ],
)
def test_body_limit(body: object, message: str) -> None:
    with pytest.raises(LimitExceededError) as caught:
        mmsdr.parse_request(FORM, body, None, limits=Limits(max_body_bytes=100))
    assert str(caught.value) == message


def test_endless_chunk_stream_stops_at_the_limit() -> None:
    def endless() -> Iterator[bytes]:
        while True:
            yield b"x" * 1000

    with pytest.raises(LimitExceededError):
        mmsdr.parse_request(FORM, endless(), None, limits=Limits(max_body_bytes=10_000))


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ([("x-a", "1")] * 257, "request: more than 256 header lines (Limits.max_header_count)"),
        ([("x-a", "v" * 70_000)], "request: headers larger than 65536 bytes (Limits.max_header_bytes)"),
    ],
)
def test_header_floods_are_refused_with_431(headers: object, message: str) -> None:
    with pytest.raises(LimitExceededError) as caught:
        mmsdr.parse_request(headers, b"", QUERY)
    assert (str(caught.value), caught.value.status_hint) == (message, 431)


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate"])
def test_compressed_bodies_are_inflated(encoding: str) -> None:
    body = gzip.compress(QUERY.encode()) if "gzip" in encoding else zlib.compress(QUERY.encode())
    headers = {**FORM, "Content-Encoding": encoding}
    assert mmsdr.parse_request(headers, body, None) == mmsdr.parse_request({}, b"", QUERY)


def test_c1_gzip_bomb_stops_at_the_body_limit() -> None:
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024))  # 30 MiB of zeros in about 30 KB
    assert len(bomb) < 100_000
    with pytest.raises(LimitExceededError) as caught:
        mmsdr.parse_request({**FORM, "Content-Encoding": "gzip"}, bomb, None)
    assert str(caught.value) == "request: body larger than 20971520 bytes (Limits.max_body_bytes)"


@pytest.mark.parametrize(
    ("encoding", "body", "error", "message"),
    [
        (
            "br",
            b"x",
            UnsupportedFormatError,
            "request: Content-Encoding 'br' is not supported (gzip, deflate and identity are)",
        ),
        (
            "gzip",
            b"not gzip",
            MalformedRequestError,
            "request: the gzip body is corrupt (Error -3 while decompressing data: incorrect header check)",
        ),
        (
            "gzip",
            gzip.compress(b"a=1")[:-12],
            MalformedRequestError,
            "request: the gzip body ends before its end marker",
        ),
    ],
)
def test_bad_content_encoding(encoding: str, body: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as caught:
        mmsdr.parse_request({**FORM, "Content-Encoding": encoding}, body, None)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (({}, "text body", None), "body must be bytes-like or an iterable of bytes chunks, not str"),
        (({}, 42, None), "body must be bytes-like or an iterable of bytes chunks, not int"),
        (({}, ["chunk"], None), "body chunks must be bytes-like, not str"),
        (
            ("Content-Type: x", b"", None),
            "headers must be a mapping or an iterable of (name, value) pairs, not a string",
        ),
        (([("x", 1)], b"", None), "a header value must be str or bytes, not int"),
        (({}, b"", 42), "query must be a str, bytes or a mapping, not int"),
    ],
)
def test_wrong_argument_types_are_programming_errors(args: tuple[object, object, object], message: str) -> None:
    with pytest.raises(TypeError) as caught:
        mmsdr.parse_request(*args)
    assert str(caught.value) == message

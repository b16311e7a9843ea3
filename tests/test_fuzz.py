"""Hypothesis mutation fuzzing of every request format (the CI half of issue 8's fuzzing; fuzz/ has atheris).

Seeds are the example requests (``examples/requests/*.http``, one per format). Each test mutates them (byte
flips, truncation, insertion, deletion, repeats; header shuffles and duplicates; repeated query parameters;
wrong content types) and checks h11's invariant: a ``Callback``, for which ``acknowledge`` returns an ``Ack``
(the retry answer too), or an ``MmsdrError`` with a usable ``ack`` and a 4xx ``status_hint``; never any other
exception; every event's ``raw``, ``to_dict()`` and ``repr`` are read too. Feeding the body in chunks must give
the same outcome as feeding it whole. Runs are derandomized, so CI sees the same examples. The costly shapes of
the fuzz corpus (``fuzz/make_corpus.py``: near-delimiter lines, thousands of extra keys or attributes) are
seeds too.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mmsdr
from mmsdr.__main__ import RawHttpRequest, read_raw_request

EXAMPLES = Path(__file__).parent.parent / "examples" / "requests"

# fuzz/ is not a package: its corpus writer is loaded by path.
_MAKE_CORPUS = importlib.util.spec_from_file_location("make_corpus", EXAMPLES.parent.parent / "fuzz" / "make_corpus.py")
assert _MAKE_CORPUS is not None
assert _MAKE_CORPUS.loader is not None
make_corpus = importlib.util.module_from_spec(_MAKE_CORPUS)
_MAKE_CORPUS.loader.exec_module(make_corpus)
costly_shapes: Callable[[bytes, str], dict[str, bytes]] = make_corpus.costly_shapes

SEEDS: dict[str, RawHttpRequest] = {
    path.stem: read_raw_request(path.read_bytes()) for path in sorted(EXAMPLES.glob("*.http"))
}
BODY_SEEDS = sorted(name for name, seed in SEEDS.items() if seed.body)
QUERY_SEEDS = sorted(name for name, seed in SEEDS.items() if seed.query)
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CONTENT_TYPES = [
    "",
    "text/xml",
    "text/xml; charset=utf-16",
    "application/soap+xml; charset=latin-1",
    "application/json",
    "application/json; charset=utf-32",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "multipart/related",
    'multipart/related; type="text/xml"; boundary=XyZ; start="<nope>"',
    "multipart/mixed; boundary=mimeboundary",
    "multipart/mixed; boundary=mimeboundary; boundary=other",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data; boundary=",
    'text/plain; charset="',
    "x/" + "y" * 300,
]
Headers = list[tuple[str, str]]


def _read_at() -> datetime:
    return datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def outcome(headers: Headers, body: Any, query: str, method: str | None) -> object:
    """The callback or ``(error type, message, status)``; any exception but an MmsdrError fails the test."""
    try:
        # A fixed clock: a request whose date does not read has the time of reading, the same for both reads.
        callback = mmsdr.parse_request(headers, body, query, method=method, clock=_read_at)
    except mmsdr.MmsdrError as error:
        assert isinstance(error.ack, mmsdr.Ack)
        assert isinstance(error.ack.status, int)
        assert 400 <= error.status_hint < 500
        return (type(error), str(error), error.status_hint)
    assert isinstance(callback, mmsdr.Callback)
    assert callback.events
    assert isinstance(mmsdr.acknowledge(callback), mmsdr.Ack)
    assert isinstance(mmsdr.acknowledge(callback, retry=True), mmsdr.Ack)
    for event in callback.events:  # everything an event offers
        pairs = event.raw.multi_items()
        assert len(event.raw) <= len(pairs)
        assert event.to_dict()["raw"] == [list(pair) for pair in pairs]
        assert repr(event)
    assert json.dumps(callback.to_dict())
    return callback


def check(headers: Headers, body: bytes, query: str, method: str | None, cuts: list[int]) -> object:
    """The invariant for one request, whole and cut into chunks at ``cuts``; returns the outcome."""
    whole = outcome(headers, body, query, method)
    points = sorted({cut % (len(body) + 1) for cut in cuts})
    chunks = [body[start:end] for start, end in zip([0, *points], [*points, len(body)], strict=True)]
    assert outcome(headers, iter(chunks), query, method) == whole
    return whole


def unordered(result: object) -> object:
    """``result`` with the raw fields of each of a callback's events sorted (they keep the order received)."""
    if isinstance(result, mmsdr.Callback):
        events = tuple(
            dataclasses.replace(event, raw=mmsdr.RawFields(sorted(event.raw.multi_items()))) for event in result.events
        )
        return dataclasses.replace(result, events=events)
    return result


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    buffer = bytearray(data)
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "repeat", "set"]))
        pos = draw(st.integers(0, max(len(buffer) - 1, 0)))
        if op == "flip" and buffer:
            buffer[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del buffer[pos:]
        elif op == "insert":
            buffer[pos:pos] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=16),
                    st.sampled_from([b"\r\n", b"\n", b"--", b"<", b"&", b"%", b"=", b";", b'"', b"\x00", b"\xff"]),
                )
            )
        elif op == "delete":
            del buffer[pos : pos + draw(st.integers(1, 64))]
        elif op == "repeat":
            buffer[pos:pos] = bytes(buffer[pos : pos + draw(st.integers(1, 64))]) * draw(st.integers(1, 4))
        elif buffer:
            buffer[pos] = draw(st.integers(0, 255))
    return bytes(buffer)


CUTS = st.lists(st.integers(0, 1 << 16), max_size=6)
METHODS = st.sampled_from([None, "GET", "POST", "HEAD"])


def seed_method(seed: RawHttpRequest, method: str | None) -> str | None:
    return seed.method if method is None else method


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seeds_parse(name: str) -> None:
    seed = SEEDS[name]
    assert isinstance(check(list(seed.headers), seed.body, seed.query, seed.method, [1, 7, 100]), mmsdr.Callback)


COSTLY = {
    f"{name}.{suffix}": (seed, body)
    for name, seed in SEEDS.items()
    for suffix, body in costly_shapes(
        seed.body, next((value for key, value in seed.headers if key.lower() == "content-type"), "").strip()
    ).items()
}


def test_every_costly_shape_is_a_seed() -> None:
    assert sorted(COSTLY) == [
        "mm7-read-reply.attributes",
        "mm7-sinch-deliver.attributes",
        "mm7-sinch-deliver.near-delimiter-crlf",
        "mm7-sinch-deliver.near-delimiter-lf",
        "mm7-sinch-delivery-report.attributes",
        "mxtelecom-mms-inbound-post.near-delimiter-crlf",
        "mxtelecom-mms-inbound-post.near-delimiter-lf",
        "openmarket-mms-inbound.near-delimiter-lf",
        "openmarket-mms-report.extra-keys",
        "sinch-delivery-report.extra-keys",
        "sinch-inbound.extra-keys",
        "sinch-recipient-delivery-report.extra-keys",
        "telnyx-inbound.extra-keys",
        "telnyx-report.extra-keys",
        "vonage-message-inbound.extra-keys",
        "vonage-message-status.extra-keys",
    ]


@pytest.mark.parametrize("name", sorted(COSTLY))
def test_costly_shapes_parse(name: str) -> None:
    seed, body = COSTLY[name]
    assert isinstance(check(list(seed.headers), body, seed.query, seed.method, [1, 7, 100]), mmsdr.Callback)


@settings(FUZZ, max_examples=60)
@given(name=st.sampled_from(sorted(COSTLY)), data=st.data(), cuts=CUTS)
def test_mutated_costly_shapes(name: str, data: st.DataObject, cuts: list[int]) -> None:
    seed, body = COSTLY[name]
    check(list(seed.headers), data.draw(mutated(body)), seed.query, seed.method, cuts)


@FUZZ
@given(name=st.sampled_from(BODY_SEEDS), data=st.data(), cuts=CUTS)
def test_mutated_bodies(name: str, data: st.DataObject, cuts: list[int]) -> None:
    seed = SEEDS[name]
    body = data.draw(mutated(seed.body))
    check(list(seed.headers), body, seed.query, seed.method, cuts)


@FUZZ
@given(name=st.sampled_from(QUERY_SEEDS), data=st.data(), method=METHODS)
def test_mutated_query_strings(name: str, data: st.DataObject, method: str | None) -> None:
    seed = SEEDS[name]
    query = data.draw(mutated(seed.query.encode("latin-1"))).decode("latin-1")
    check(list(seed.headers), seed.body, query, seed_method(seed, method), [])


@FUZZ
@given(name=st.sampled_from(QUERY_SEEDS), data=st.data())
def test_repeated_query_parameters(name: str, data: st.DataObject) -> None:
    seed = SEEDS[name]
    fields = seed.query.split("&")
    repeats = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=5))
    changed = data.draw(st.booleans())
    extra = [field + "9" if changed else field for field in repeats]
    order = data.draw(st.permutations([*fields, *extra]))
    check(list(seed.headers), seed.body, "&".join(order), seed.method, [])


@FUZZ
@given(name=st.sampled_from(sorted(SEEDS)), data=st.data(), cuts=CUTS)
def test_header_shuffles_and_duplicates(name: str, data: st.DataObject, cuts: list[int]) -> None:
    seed = SEEDS[name]
    headers = list(seed.headers)
    shuffled = data.draw(st.permutations(headers))
    # Reordering headers that are not repeated changes nothing but the order of the headers kept in ``raw``.
    reordered = check(shuffled, seed.body, seed.query, seed.method, cuts)
    assert unordered(reordered) == unordered(outcome(headers, seed.body, seed.query, seed.method))
    duplicates = data.draw(st.lists(st.sampled_from(headers), max_size=3)) if headers else []
    variants = [(name.upper() if data.draw(st.booleans()) else name, value) for name, value in duplicates]
    mixed = data.draw(st.permutations([*shuffled, *variants]))
    check(mixed, seed.body, seed.query, seed.method, cuts)


@FUZZ
@given(
    name=st.sampled_from(BODY_SEEDS),
    content_type=st.sampled_from(CONTENT_TYPES),
    data=st.data(),
    method=METHODS,
    cuts=CUTS,
)
def test_wrong_content_types(
    name: str, content_type: str, data: st.DataObject, method: str | None, cuts: list[int]
) -> None:
    seed = SEEDS[name]
    headers = [(key, value) for key, value in seed.headers if key.lower() != "content-type"]
    headers.append(("Content-Type", content_type))
    body = data.draw(st.one_of(st.just(seed.body), mutated(seed.body)))
    check(headers, body, seed.query, seed_method(seed, method), cuts)


@FUZZ
@given(name=st.sampled_from(BODY_SEEDS), body=st.binary(max_size=512), cuts=CUTS)
def test_arbitrary_bodies_under_each_format_s_headers(name: str, body: bytes, cuts: list[int]) -> None:
    seed = SEEDS[name]
    check(list(seed.headers), body, seed.query, seed.method, cuts)

"""Threat catalogue row C1 (``Content-Encoding`` bombs) against the public parse_request."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator

import pytest
from _threats import mm7_report, mm7_xml, parsed, refused

from mmsdr import DeliveryReport, LimitExceededError, MalformedRequestError, UnsupportedFormatError

BODY_TOO_LARGE = "request: body larger than 20971520 bytes (Limits.max_body_bytes)"


def encoded(data: bytes, coding: str) -> tuple[list[tuple[str, str]], bytes]:
    headers, _ = mm7_xml(b"")
    return [*headers, ("Content-Encoding", coding)], data


def test_c1_gzip_bomb_is_refused_at_the_body_cap() -> None:
    bomb = gzip.compress(bytes(200 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 250_000
    error = refused(*encoded(bomb, "gzip"), error=LimitExceededError, status=413, message=BODY_TOO_LARGE)
    assert error.field == "body"


def test_c1_deflate_bomb_is_refused_at_the_body_cap() -> None:
    bomb = zlib.compress(bytes(30 * 1024 * 1024), 9)
    refused(*encoded(bomb, "deflate"), error=LimitExceededError, status=413, message=BODY_TOO_LARGE)


def test_c1_gzip_bomb_in_chunks_is_refused_too() -> None:
    bomb = gzip.compress(bytes(50 * 1024 * 1024), compresslevel=9)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(bomb), 4096):
            yield bomb[start : start + 4096]

    refused(*encoded(b"", "gzip")[:1], chunks(), error=LimitExceededError, status=413, message=BODY_TOO_LARGE)


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "GZIP"])
def test_c1_a_small_gzip_body_is_inflated(coding: str) -> None:
    event = parsed(*encoded(gzip.compress(mm7_report().encode()), coding))
    assert isinstance(event, DeliveryReport)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (gzip.compress(b"<r/>" * 100)[:-12], "request: the gzip body ends before its end marker"),
        (
            b"\x1f\x8bgarbage",
            "request: the gzip body is corrupt (Error -3 while decompressing data: unknown compression method)",
        ),
    ],
    ids=["truncated", "corrupt"],
)
def test_c1_truncated_or_corrupt_gzip(body: bytes, message: str) -> None:
    error = refused(*encoded(body, "gzip"), error=MalformedRequestError, status=400, message=message)
    assert error.field == "content-encoding"


@pytest.mark.parametrize("coding", ["br", "gzip, gzip", "compress"])
def test_c1_other_or_stacked_codings_are_unsupported(coding: str) -> None:
    refused(
        *encoded(b"x", coding),
        error=UnsupportedFormatError,
        status=415,
        message=f"request: Content-Encoding {coding!r} is not supported (gzip, deflate and identity are)",
    )


@pytest.mark.parametrize(
    "trailer", [b"junk after the end marker", gzip.compress(b"<x/>")], ids=["junk", "second-gzip-member"]
)
def test_c1_data_after_the_gzip_end_marker_is_not_silently_dropped(trailer: bytes) -> None:
    body = gzip.compress(mm7_report().encode()) + trailer
    refused(
        *encoded(body, "gzip"),
        error=MalformedRequestError,
        status=400,
        message="request: the gzip body has data after its end marker",
    )

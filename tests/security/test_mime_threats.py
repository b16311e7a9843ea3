"""Threat catalogue rows E1-E3 (stdlib ``email``-style header attacks) against the public parse_request.

mmsdr never hands provider headers to :mod:`email` (no ``parseaddr``, no ``policy.default`` header objects): it
reads part headers with its own length-capped scanner and keeps addresses as the provider sent them. These
tests show the hostile shapes through MM7 multipart/related, OpenMarket multipart/mixed and the HTTP headers.
"""

from __future__ import annotations

import pytest
from _threats import (
    MO_JSON,
    MX_SMS_INBOUND,
    mm7_deliver,
    mm7_related,
    mm7_report,
    mm7_xml,
    openmarket_mixed,
    parsed,
    refused,
)

from mmsdr import DeliveryReport, InboundMessage, LimitExceededError, MalformedRequestError

CONFUSING = "alice@example.org)<bob@example.org>"


def test_e1_address_confusion_mm7_rfc2822_address_is_kept_verbatim() -> None:
    # CVE-2023-27043: parseaddr() read this as alice (3.11.7) or nothing (3.13). mmsdr parses no RFC 2822
    # address at all: the value is kept exactly, so no address is invented from it.
    escaped = CONFUSING.replace("<", "&lt;").replace(">", "&gt;")
    soap = mm7_deliver().replace(
        "<Sender><Number>447700900123</Number></Sender>", f"<Sender><RFC2822Address>{escaped}</RFC2822Address></Sender>"
    )
    event = parsed(*mm7_related(soap=soap))
    assert isinstance(event, InboundMessage)
    assert event.sender == CONFUSING
    assert event.raw["Sender/RFC2822Address"] == CONFUSING


def test_e1_address_confusion_openmarket_and_mxtelecom_keep_the_value() -> None:
    event = parsed(*openmarket_mixed(main={**MO_JSON, "source": CONFUSING}))
    assert isinstance(event, InboundMessage)
    assert event.sender == CONFUSING
    query = MX_SMS_INBOUND.replace("smsfrom=447931123456", "smsfrom=alice%40example.org%29%3Cbob%40example.org%3E")
    event = parsed([], None, query)
    assert isinstance(event, InboundMessage)
    assert event.sender == CONFUSING


def test_e2_nested_comment_recursion_in_a_part_header_is_inert() -> None:
    # 2 000 nested "(" raise RecursionError in email's header parser; mmsdr never parses a To: header.
    event = parsed(*mm7_related(["To: " + "(" * 2_000 + ")" * 2_000]))
    assert isinstance(event, InboundMessage)
    assert event.parts[-1].data == b"hello"


def test_e2_nested_comment_recursion_over_the_header_line_cap() -> None:
    refused(
        *mm7_related(["To: " + "(" * 8_000 + ")" * 8_000]),
        error=LimitExceededError,
        status=413,
        message="mm7.deliver: part 2 has a header line longer than 8192 bytes (Limits.max_part_header_bytes)",
    )


def test_e2_nested_comment_in_an_http_header_is_inert() -> None:
    headers, body = mm7_xml(mm7_report())
    event = parsed([*headers, ("To", "(" * 2_000 + ")" * 2_000)], body)
    assert isinstance(event, DeliveryReport)


def test_e2_content_type_parameter_flood_in_a_part() -> None:
    params = "".join(f"; p{index}=v" for index in range(1_000))
    refused(
        *openmarket_mixed([([f"Content-Type: text/plain{params}", "Content-Id: t"], b"x")]),
        error=MalformedRequestError,
        status=400,
        prefix="openmarket.mms_inbound: part 2 Content-Type has more than 64 parameters, got 'text/plain; p0=v; ",
    )


def test_e2_content_type_parameter_flood_of_8000_is_cut_at_the_line_cap() -> None:
    params = "".join(f"; p{index}=v" for index in range(8_000))
    refused(
        *openmarket_mixed([([f"Content-Type: text/plain{params}", "Content-Id: t"], b"x")]),
        error=LimitExceededError,
        status=413,
        message="openmarket.mms_inbound: part 2 has a header line longer than 8192 bytes (Limits.max_part_header_bytes)",
    )


def test_e2_content_type_parameter_flood_in_the_request_header() -> None:
    headers, body = mm7_related()
    params = "".join(f"; p{index}=v" for index in range(8_000))
    refused(
        [("Content-Type", headers[0][1] + params)],
        body,
        error=LimitExceededError,
        status=431,
        message="request: headers larger than 65536 bytes (Limits.max_header_bytes)",
    )


@pytest.mark.parametrize("fmt", ["mm7.deliver", "openmarket.mms_inbound"])
def test_e3_long_folded_part_header(fmt: str) -> None:
    folded = "X-Long: a" + "\r\n b" * 80_000
    if fmt == "mm7.deliver":
        headers, body = mm7_related([folded])
    else:
        headers, body = openmarket_mixed([(["Content-Type: text/plain", "Content-Id: t", folded], b"x")])
    refused(
        headers,
        body,
        error=LimitExceededError,
        status=413,
        message=f"{fmt}: part 2 has a header line longer than 8192 bytes (Limits.max_part_header_bytes)",
    )


def test_e3_http_header_line_flood() -> None:
    headers, body = mm7_xml(mm7_report())
    refused(
        [*headers, *[("X-A", "1")] * 80_000],
        body,
        error=LimitExceededError,
        status=431,
        message="request: more than 256 header lines (Limits.max_header_count)",
    )

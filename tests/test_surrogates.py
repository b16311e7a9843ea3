"""Lone surrogates: every text field ends in an MmsdrError or an event that can be written as UTF-8.

The rule (docs/errors-and-limits.md, "Text that is not text"): a ``str`` the framework gave (query, header)
with a lone surrogate is refused, except for PEP 383 surrogate escapes, which are bytes again; the provider's own
text (a JSON ``"\\ud800"`` escape, a UTF-7 part) has each replaced by U+FFFD with a warning naming the field,
unless the field identifies the message (ids, statuses, addresses, dates' fields read strictly), which is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote

import pytest
from _support import only_event

import mmsdr
from mmsdr import Callback, InboundMessage, MmsdrError
from mmsdr.testing import BUILDERS, TestRequest

LONE = "\ud800"


def encodable(callback: Callback) -> Callback:
    """Assert everything the callback offers can be written as UTF-8, and return it."""
    for event in callback.events:
        json.dumps(event.to_dict(), ensure_ascii=False).encode("utf-8")
        repr(event).encode("utf-8")
        for name, value in event.raw.items():
            (name + value).encode("utf-8")
        if isinstance(event, InboundMessage):
            for part in event.parts:
                (part.text or "").encode("utf-8")
                (part.filename or "").encode("utf-8")
    "".join(callback.warnings).encode("utf-8")
    repr(callback).encode("utf-8")
    return callback


def outcome(request: TestRequest, *, query: Any = None, headers: Any = None, body: bytes | None = None) -> Any:
    """The error message, or the encodable callback."""
    try:
        callback = mmsdr.parse_request(
            request.headers if headers is None else headers,
            request.body if body is None else body,
            request.query if query is None else query,
            method=request.method,
        )
    except MmsdrError as error:
        str(error).encode("utf-8")
        return str(error)
    return encodable(callback)


# --- what the framework gives: str query, decoded query values, str headers ---------------------------------------


SMS = BUILDERS["mxtelecom.sms_inbound"](text="Hello")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # PEP 383: a framework that decoded the query as UTF-8 keeps byte E9 as U+DCE9: the byte again, Latin-9 "é".
        (SMS.query.replace("Hello", "H\udce9llo"), "Héllo"),
        (
            SMS.query.replace("Hello", f"H{LONE}llo"),
            (
                "request: the query string holds a lone surrogate (U+D800), which no bytes decode to; "
                "pass the raw query bytes"
            ),
        ),
    ],
)
def test_str_query(query: str, expected: str) -> None:
    result = outcome(SMS, query=query)
    assert (only_event(result, InboundMessage).text if isinstance(result, Callback) else result) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("H\udce9llo", "Héllo"),  # a surrogate escape: byte E9, decoded by the format's own charset rule
        (
            f"H{LONE}llo",
            (
                "request: query field 'smsmsg' holds a lone surrogate (U+D800), which no bytes decode to; "
                "pass the raw query"
            ),
        ),
    ],
)
def test_decoded_query_value(value: str, expected: str) -> None:
    fields = dict(parse_qsl(SMS.query))
    fields["smsmsg"] = value
    result = outcome(SMS, query=fields)
    assert (only_event(result, InboundMessage).text if isinstance(result, Callback) else result) == expected


def test_decoded_query_name() -> None:
    fields = {**dict(parse_qsl(SMS.query)), f"x{LONE}": "1"}
    assert outcome(SMS, query=fields) == (
        "request: a query field name holds a lone surrogate (U+D800), which no bytes decode to; pass the raw query"
    )


HEADER_ERROR = (
    "request: header 'x-request-id' holds a lone surrogate (U+D800); "
    "pass header values as bytes or as ISO-8859-1 text (RFC 9110 5.5)"
)


@pytest.mark.parametrize(
    "headers",
    [
        [("X-Request-Id", f"a{LONE}")],
        {"REQUEST_METHOD": "GET", "HTTP_X_REQUEST_ID": f"a{LONE}"},  # a WSGI environ
    ],
)
def test_str_header(headers: Any) -> None:
    assert outcome(SMS, headers=headers) == HEADER_ERROR


def test_every_query_field_of_every_get_format() -> None:
    """Each field of each GET sample, with a lone surrogate in its decoded value: refused, naming the field."""
    checked = 0
    for name, build in BUILDERS.items():
        request = build()
        if request.method != "GET":
            continue
        fields = parse_qsl(request.query, keep_blank_values=True)
        for index, (field, value) in enumerate(fields):
            changed = [*fields[:index], (field, value + LONE), *fields[index + 1 :]]
            query: dict[str, list[str]] = {}
            for key, item in changed:
                query.setdefault(key, []).append(item)
            assert outcome(request, query=query) == (
                f"request: query field {field!r} holds a lone surrogate (U+D800), which no bytes decode to; "
                "pass the raw query"
            ), (name, field)
            checked += 1
    assert checked > 30


# --- the provider's own text: JSON escapes ---------------------------------------------------------------------


def _with_json_member(body: bytes, field: str, escaped: str) -> bytes:
    """``body`` with ``field`` set to the JSON text ``escaped`` (kept verbatim: ``"x\\ud800"`` stays an escape)."""
    data = json.loads(body)
    data[field] = "\x00placeholder\x00"
    return json.dumps(data).replace('"\\u0000placeholder\\u0000"', escaped).encode("ascii")


def _strict(format_name: str, field: str) -> str:
    return f"{format_name}: field {field!r} holds a lone surrogate (U+D800), which is not text, got 'x\\ud800'"


def _lenient(field: str) -> str:
    return f"field {field!r} holds a lone surrogate (U+D800), which is not text: read with U+FFFD in its place"


REPORT = BUILDERS["openmarket.mms_report"]()


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("mtId", _strict("openmarket.mms_report", "mtId")),
        ("status", _strict("openmarket.mms_report", "status")),
        ("outcomeDescription", {"status_text": "x\ufffd"}),
        ("userAgent", {"details": {"type": "ReportDetails", "outcome_id": 9, "user_agent": "x\ufffd"}}),
        ("somethingNew", {}),  # a field mmsdr does not know: only in raw
    ],
)
def test_openmarket_report_json_field(field: str, expected: str | dict[str, Any]) -> None:
    result = outcome(REPORT, body=_with_json_member(REPORT.body, field, '"x\\ud800"'))
    if isinstance(expected, str):
        assert result == expected
        return
    assert result.warnings == (_lenient(field),)
    event = only_event(result)
    assert event.raw[field] == "x\ufffd"
    as_dict = event.to_dict()
    assert {key: as_dict[key] for key in expected} == expected


def test_openmarket_json_key_with_lone_surrogate() -> None:
    body = REPORT.body.replace(b'{"', b'{"k\\ud800": 1, "', 1)
    callback = outcome(REPORT, body=body)
    assert callback.warnings == (_lenient("k\ufffd"),)
    assert only_event(callback).raw["k\ufffd"] == "1"


def test_openmarket_nested_value_with_lone_surrogate() -> None:
    callback = outcome(REPORT, body=_with_json_member(REPORT.body, "extra", '{"a": ["x\\ud800"]}'))
    assert callback.warnings == (_lenient("extra"),)
    assert only_event(callback).raw["extra"] == '{"a": ["x\ufffd"]}'


def test_a_surrogate_pair_is_text() -> None:
    callback = outcome(REPORT, body=_with_json_member(REPORT.body, "userAgent", '"x\\ud83d\\ude00"'))
    assert callback.warnings == ()
    assert only_event(callback).details.user_agent == "x\U0001f600"  # type: ignore[union-attr]


INBOUND = BUILDERS["openmarket.mms_inbound"]()
_MAIN = re.compile(rb"(Content-Id: main\r\n\r\n)(\{.*?\})(\r\n--)", re.DOTALL)


def _inbound_with(field: str, escaped: str) -> bytes:
    match = _MAIN.search(INBOUND.body)
    assert match is not None
    main = _with_json_member(match.group(2), field, escaped)
    return INBOUND.body[: match.start(2)] + main + INBOUND.body[match.end(2) :]


@pytest.mark.parametrize(
    ("field", "escaped", "expected"),
    [
        ("moId", '"x\\ud800"', _strict("openmarket.mms_inbound", "moId")),
        ("source", '"x\\ud800"', _strict("openmarket.mms_inbound", "source")),
        (
            "destinations",
            '["x\\ud800"]',
            (
                "openmarket.mms_inbound: field 'destinations' holds a lone surrogate (U+D800), which is not text, "
                "got ['x\\ud800']"
            ),
        ),
        ("subject", '"x\\ud800"', "x\ufffd"),  # what the sender wrote: kept, with a warning
    ],
)
def test_openmarket_inbound_json_field(field: str, escaped: str, expected: str) -> None:
    result = outcome(INBOUND, body=_inbound_with(field, escaped))
    if field != "subject":
        assert result == expected
        return
    assert result.warnings == (_lenient("subject"),)
    assert only_event(result, InboundMessage).subject == expected


def test_every_json_string_field_of_openmarket() -> None:
    """Every string member of both samples: an error naming the field, or an encodable event that warns."""
    samples: list[tuple[TestRequest, dict[str, Any], Callable[[str], bytes]]] = [
        (REPORT, json.loads(REPORT.body), lambda field: _with_json_member(REPORT.body, field, '"x\\ud800"')),
    ]
    match = _MAIN.search(INBOUND.body)
    assert match is not None
    samples.append((INBOUND, json.loads(match.group(2)), lambda field: _inbound_with(field, '"x\\ud800"')))
    checked = 0
    for request, members, mutate in samples:
        for field, value in members.items():
            if not isinstance(value, str):
                continue
            result = outcome(request, body=mutate(field))
            if isinstance(result, str):
                assert f"'{field}'" in result or "no accepted format" in result, result
            else:
                assert _lenient(field) in result.warnings
            checked += 1
    assert checked >= 10


# --- charsets that decode to lone surrogates ------------------------------------------------------------------


def _mm7_deliver_with_text(charset: str, data: bytes, *, filename: str | None = None) -> TestRequest:
    text = mmsdr.Part(content_type="text/plain", content_id="text.txt", charset=charset, data=data, filename=filename)
    return BUILDERS["mm7.deliver"](parts=(text,))


@pytest.mark.parametrize(("charset", "data"), [("utf-7", b"a+2AA-b"), ("unicode_escape", b"a\\ud800b")])
def test_part_charset_that_decodes_to_a_lone_surrogate(charset: str, data: bytes) -> None:
    message = only_event(outcome(_mm7_deliver_with_text(charset, data)), InboundMessage)
    assert message.parts[0].text == "a\ufffdb"
    assert message.text == "a\ufffdb"
    assert message.parts[0].data == data  # the bytes themselves are kept


def test_rfc2231_filename_that_decodes_to_a_lone_surrogate() -> None:
    request = _mm7_deliver_with_text("utf-8", b"hi")
    encoded = quote("a+2AA-b")
    body = request.body.replace(
        b"Content-ID: <text.txt>",
        f"Content-ID: <text.txt>\r\nContent-Disposition: inline; filename*=utf-7''{encoded}".encode(),
    )
    message = only_event(outcome(request, body=body), InboundMessage)
    assert message.parts[0].filename == "a\ufffdb"


MM7_REPORT = BUILDERS["mm7.delivery_report"]()


@pytest.mark.parametrize(
    ("status_text", "expected"),
    [
        # XML has no lone surrogates (XML 1.0 section 2.2, Char): libxml2 refuses both ways of writing one.
        (
            b"S+2AA-s",  # UTF-7 for U+D800, in a document that declares UTF-7
            (
                "mm7.delivery_report: SOAP envelope is not well-formed XML "
                "(Invalid bytes in character encoding, line 1, column 37)"
            ),
        ),
        (
            b"S&#xD800;s",
            (
                "mm7.delivery_report: SOAP envelope is not well-formed XML "
                "(xmlParseCharRef: invalid xmlChar value 55296, line 18, column 28)"
            ),
        ),
    ],
)
def test_xml_text_that_would_be_a_lone_surrogate(status_text: bytes, expected: str) -> None:
    headers = [(name, "text/xml" if name == "Content-Type" else value) for name, value in MM7_REPORT.headers]
    body = MM7_REPORT.body.replace(b"Success", status_text).replace(b"encoding='UTF-8'", b"encoding='UTF-7'")
    assert outcome(MM7_REPORT, headers=headers, body=body) == expected


def test_ucs2_sms_with_a_lone_surrogate() -> None:
    """MX Telecom's ``smsucs2`` is hex of UTF-16: a lone surrogate there is an undecodable unit, replaced."""
    request = BUILDERS["mxtelecom.sms_inbound"](text="ab\u4e2d")
    assert "smsucs2=006100624E2D" in request.query
    message = only_event(outcome(request, query=request.query.replace("4E2D", "D800")), InboundMessage)
    assert message.text == "ab\ufffd"

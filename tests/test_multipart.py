"""The multipart engine (mmsdr._wire.multipart): headers, encodings, leniencies, chunking, and threat rows M1-M10."""

from __future__ import annotations

import base64
import contextlib
import itertools
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import python_multipart
from hypothesis import given, settings
from hypothesis import strategies as st

from mmsdr import LimitExceededError, Limits, MalformedRequestError, MmsdrError, UnsupportedFormatError
from mmsdr._errors import shown
from mmsdr._wire.content_type import header_text, parse_content_type
from mmsdr._wire.multipart import BodyPart, _Normaliser, _PartReader, parse_multipart

LIMITS = Limits()
BOUNDARY = b"b0undary"
CT = 'multipart/mixed; boundary="b0undary"'


def build(
    *parts: tuple[list[bytes], bytes],
    boundary: bytes = BOUNDARY,
    preamble: bytes = b"",
    epilogue: bytes = b"",
    eol: bytes = b"\r\n",
) -> bytes:
    """A multipart body: each part is (header lines, data)."""
    out = [preamble]
    for headers, data in parts:
        out.append(b"--" + boundary + eol)
        out.extend(header + eol for header in headers)
        out.append(eol + data + eol)
    out.append(b"--" + boundary + b"--" + epilogue)
    return b"".join(out)


def parse(
    body: bytes | list[bytes] | Iterator[bytes], content_type: str = CT, limits: Limits = LIMITS
) -> tuple[BodyPart, ...]:
    return parse_multipart(body, content_type, limits, what="mm7")


def snapshot(parts: tuple[BodyPart, ...]) -> list[tuple[object, ...]]:
    """Everything a part holds, children included, in comparable form."""
    return [
        (
            part.position,
            part.headers,
            part.media_type,
            dict(part.params),
            part.content_id,
            part.content_location,
            part.disposition,
            part.name,
            part.filename,
            part.transfer_encoding,
            part.raw,
            snapshot(part.children),
        )
        for part in parts
    ]


def outcome(body: bytes | list[bytes], content_type: str = CT, limits: Limits = LIMITS) -> object:
    """The parts, or the error's type and message: what must not depend on chunking."""
    try:
        return snapshot(parse(body, content_type, limits))
    except MmsdrError as exc:
        return (type(exc).__name__, str(exc))


MM7_BODY = build(
    (
        [b"Content-Type: text/xml; charset=utf-8", b"Content-ID: <soap-start>"],
        b'<?xml version="1.0"?><env:Envelope/>',
    ),
    (
        [b'Content-Type: multipart/mixed;\r\n\tboundary="inner b"', b"Content-ID: <mms-content>"],
        build(
            (
                [
                    b"Content-Type: text/plain; charset=utf-8",
                    b"Content-ID: text-1",
                    b"Content-Transfer-Encoding: base64",
                ],
                b"aGVs\r\nbG8g\r\nd29y\r\nbGQ=",
            ),
            (
                [b"Content-Type: image/gif", b"Content-Location: pic.gif", b"Content-ID: <pic@x>"],
                b"GIF89a\r\n--inner\r\n-\r\n\x00\xff",
            ),
            boundary=b"inner b",
            preamble=b"inner preamble\r\n",
        ),
    ),
    preamble=b"This is a MIME preamble.\r\n",
    epilogue=b"\r\nThis is the epilogue.\r\n",
)
MM7_CT = 'multipart/related; boundary="b0undary"; type="text/xml"; start="<soap-start>"'


# -- parse_content_type -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/plain", ("text/plain", {})),
        ("  Text/Plain  ", ("text/plain", {})),
        (
            'Multipart/Related; Boundary=abc; TYPE="text/xml"; start="<root@x>"',
            ("multipart/related", {"boundary": "abc", "type": "text/xml", "start": "<root@x>"}),
        ),
        ("multipart/mixed; boundary=----=_Part_0_1.2", ("multipart/mixed", {"boundary": "----=_Part_0_1.2"})),
        ('multipart/mixed; boundary="a b; c"', ("multipart/mixed", {"boundary": "a b; c"})),
        ("text/plain;charset=UTF-8", ("text/plain", {"charset": "UTF-8"})),
        ("text/plain ; charset = utf-8 ;", ("text/plain", {"charset": "utf-8"})),
        ("text/plain;; charset=utf-8;;", ("text/plain", {"charset": "utf-8"})),
        ('text/plain; a="q\\"uote\\\\d"', ("text/plain", {"a": 'q"uote\\d'})),
        ('text/plain; path="C:\\dir\\x"', ("text/plain", {"path": "C:\\dir\\x"})),
        ("text/plain; flag", ("text/plain", {})),
        ('text/plain; empty=""; bare=', ("text/plain", {"empty": "", "bare": ""})),
        # RFC 2231: extended, continued, and preferred over the plain spelling (RFC 6266 4.3)
        ("a/b; name*=UTF-8''%C3%A9t%C3%A9.txt", ("a/b", {"name": "été.txt"})),
        ("a/b; name*=iso-8859-1'fr'%E9t%E9", ("a/b", {"name": "été"})),
        ("a/b; name*=no-such-charset''%C3%A9", ("a/b", {"name": "é"})),
        ("a/b; name*=%41%42", ("a/b", {"name": "AB"})),
        ("a/b; name*0*=utf-8''%C3%A9; name*1=t; name*2*=%C3%A9", ("a/b", {"name": "été"})),
        ('a/b; name*1="two"; name*0="one-"', ("a/b", {"name": "one-two"})),
        ("a/b; name=plain.txt; name*=utf-8''ext.txt", ("a/b", {"name": "ext.txt"})),
    ],
)
def test_parse_content_type(value: str, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_content_type(value, what="mm7") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "mm7: Content-Type is not a media type, got ''"),
        ("text", "mm7: Content-Type is not a media type, got 'text'"),
        ("text/", "mm7: Content-Type is not a media type, got 'text/'"),
        ("te xt/plain", "mm7: Content-Type is not a media type, got 'te xt/plain'"),
        (
            'multipart/mixed; boundary="a"; boundary="b"',
            "mm7: Content-Type repeats parameter 'boundary', got 'multipart/mixed; boundary=\"a\"; boundary=\"b\"'",
        ),
        (
            "a/b; boundary*=x",
            "mm7: Content-Type has an RFC 2231 boundary parameter 'boundary*', got 'a/b; boundary*=x'",
        ),
        ('a/b; x="unterminated', "mm7: Content-Type has a malformed parameter, got 'a/b; x=\"unterminated'"),
        ('a/b; x="q"junk', "mm7: Content-Type has a malformed parameter, got 'a/b; x=\"q\"junk'"),
        ('a/b; x=a"b', "mm7: Content-Type has a malformed parameter, got 'a/b; x=a\"b'"),
        ("a/b; a b=c", "mm7: Content-Type has a malformed parameter, got 'a/b; a b=c'"),
        ("a/b; =c", "mm7: Content-Type has a malformed parameter name, got 'a/b; =c'"),
        ("a/b; n**=c", "mm7: Content-Type has a malformed parameter name, got 'a/b; n**=c'"),
        (
            "a/b; n*0=a; n*2=c",
            "mm7: Content-Type has parameter 'n' with missing continuations, got 'a/b; n*0=a; n*2=c'",
        ),
        ("a/b; n*0=a; n*0=c", "mm7: Content-Type repeats parameter 'n*0', got 'a/b; n*0=a; n*0=c'"),
        ("a/b; n*=a; n*=c", "mm7: Content-Type repeats parameter 'n', got 'a/b; n*=a; n*=c'"),
        ("a/b; n*=a; n*0=c", "mm7: Content-Type repeats parameter 'n', got 'a/b; n*=a; n*0=c'"),
        ("a/b; n*0=a; n*=c", "mm7: Content-Type repeats parameter 'n', got 'a/b; n*0=a; n*=c'"),
    ],
)
def test_parse_content_type_rejects(value: str, message: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        parse_content_type(value, what="mm7")
    assert str(caught.value) == message
    assert caught.value.status_hint == 400


def test_error_names_the_format_when_what_is_one() -> None:
    with pytest.raises(MalformedRequestError) as caught:
        parse_content_type("nonsense", what="mxtelecom.mms_inbound")
    assert (caught.value.provider, caught.value.format) == ("mxtelecom", "mxtelecom.mms_inbound")
    with pytest.raises(MalformedRequestError) as caught:
        parse_content_type("nonsense", what="mm7")
    assert (caught.value.provider, caught.value.format) == (None, None)


# -- parse_multipart: parts and headers ---------------------------------------------------------------------


def test_form_data_with_unquoted_boundary() -> None:
    body = build(
        ([b'Content-Disposition: form-data; name="id"'], b"12345"),
        (
            [b'Content-Disposition: form-data; name="mms.zip"; filename="mms.zip"', b"Content-Type: application/zip"],
            b"PK\x05\x06" + bytes(18),
        ),
    )
    first, second = parse(body, "multipart/form-data; boundary=b0undary")
    assert (first.disposition, first.name, first.filename, first.media_type, first.data) == (
        "form-data",
        "id",
        None,
        "",
        b"12345",
    )
    assert (second.name, second.filename, second.media_type) == ("mms.zip", "mms.zip", "application/zip")
    assert second.data == b"PK\x05\x06" + bytes(18)
    assert (first.position, second.position) == ("1", "2")


PART_HEADER_CASES = [
    ([b"Content-ID: <abc@example.org>"], {"content_id": "abc@example.org"}),
    ([b"Content-ID: abc"], {"content_id": "abc"}),
    ([b"Content-ID:   < spaced >  "], {"content_id": "spaced"}),
    ([b"Content-ID:defaultID"], {"content_id": "defaultID"}),
    ([b"Content-ID: <>"], {"content_id": None}),
    ([b"Content-ID:"], {"content_id": None}),
    ([b"Content-Id: <lower>"], {"content_id": "lower"}),
    ([b"Content-Location: images/pic.gif"], {"content_location": "images/pic.gif"}),
    (
        [b'Content-Disposition: attachment; filename="a b.jpg"'],
        {"disposition": "attachment", "filename": "a b.jpg", "name": None},
    ),
    ([b"Content-Disposition: INLINE"], {"disposition": "inline"}),
    (
        [b"Content-Disposition: form-data; name=mms.zip; filename*=UTF-8''%C3%A9.zip"],
        {"disposition": "form-data", "name": "mms.zip", "filename": "é.zip"},
    ),
    (
        [b'Content-Disposition: attachment;\r\n filename="folded.jpg"'],
        {"disposition": "attachment", "filename": "folded.jpg"},
    ),
    (
        [b"Content-Type: TEXT/Plain; Charset=UTF-8"],
        {"media_type": "text/plain", "params": {"charset": "UTF-8"}},
    ),
    ([b"Content-Type:text/xml"], {"media_type": "text/xml"}),
    ([b"Content-Type : text/xml"], {"media_type": "text/xml"}),
    # a bare-LF header line in a CRLF body
    ([b"Content-Type: text/xml\nContent-ID: <x>"], {"media_type": "text/xml", "content_id": "x"}),
    ([], {"media_type": "", "params": {}, "content_id": None, "disposition": None, "transfer_encoding": None}),
    ([b"Content-Transfer-Encoding: Base64 "], {"transfer_encoding": "base64"}),
    ([b"Content-Type: text/plain; name=\xc3\xa9.txt"], {"params": {"name": "é.txt"}}),  # UTF-8 header bytes
    ([b"Content-Type: text/plain; name=\xe9.txt"], {"params": {"name": "é.txt"}}),  # Latin-1 header bytes
    ([b"X-Custom: one", b"x-custom: two"], {"headers": (("x-custom", "one"), ("x-custom", "two"))}),
]


@pytest.mark.parametrize(("headers", "expected"), PART_HEADER_CASES)
def test_part_headers(headers: list[bytes], expected: dict[str, object]) -> None:
    (part,) = parse(build((headers, b"data")))
    for name, value in expected.items():
        actual = dict(part.params) if name == "params" else getattr(part, name)
        assert actual == value, name
    assert part.raw == b"data"


def test_part_header_params_are_read_only_and_errors_name_their_part() -> None:
    (part,) = parse(build(([b"Content-Type: text/plain; charset=utf-8"], b"1")))
    assert dict(part.params) == {"charset": "utf-8"}
    with pytest.raises(TypeError):
        part.params["charset"] = "latin-1"  # type: ignore[index]
    for position in (1, 2):
        parts = [([b"Content-Type: text/plain"], b"x")] * (position - 1) + [([b"Content-Type: text"], b"x")]
        with pytest.raises(MalformedRequestError) as caught:
            parse(build(*parts))
        assert str(caught.value) == f"mm7: part {position} Content-Type is not a media type, got 'text'"
        assert caught.value.field == f"part {position}"


def test_header_lookup_and_repr() -> None:
    (part,) = parse(build(([b"Content-Type: text/plain", b"X-A: 1", b"x-a: 2"], b"secret" * 100)))
    assert part.header("X-A") == "1"
    assert part.header("content-type") == "text/plain"
    assert part.header("missing") is None
    assert "secret" not in repr(part)
    assert repr(part).startswith("BodyPart(position='1', media_type='text/plain'")


TRANSFER_ENCODING_CASES = [
    (b"base64", b"aGVs\r\nbG8g\r\nd29y\r\nbGQ=", b"hello world"),
    (b"BASE64", b"aGVsbG8g d29y\tbGQ=\r\n", b"hello world"),
    (b"base64", base64.encodebytes(bytes(range(256)) * 3), bytes(range(256)) * 3),
    (b"base64", b"", b""),
    (b"quoted-printable", b"caf=C3=A9 au=\r\n lait=3D=\nyes", "café au lait=yes".encode()),
    (b"7bit", b"plain =41 text", b"plain =41 text"),
    (b"8bit", b"\xe9t\xe9", b"\xe9t\xe9"),
    (b"binary", b"\x00\r\n\xff", b"\x00\r\n\xff"),
    (None, b"aGVsbG8=", b"aGVsbG8="),
]


@pytest.mark.parametrize(("encoding", "raw", "data"), TRANSFER_ENCODING_CASES)
def test_transfer_encodings(encoding: bytes | None, raw: bytes, data: bytes) -> None:
    headers = [b"Content-Type: application/octet-stream"]
    if encoding is not None:
        headers.append(b"Content-Transfer-Encoding: " + encoding)
    (part,) = parse(build((headers, raw)))
    assert part.raw == raw
    assert part.data == data
    assert part.data is part.data  # decoded once


def test_unknown_transfer_encoding_is_unsupported_on_access() -> None:
    (part,) = parse(build(([b"Content-Transfer-Encoding: x-uuencode"], b"begin 644 x")))
    assert part.raw == b"begin 644 x"
    with pytest.raises(UnsupportedFormatError) as caught:
        _ = part.data
    assert str(caught.value) == (
        "mm7: part 1 has a Content-Transfer-Encoding mmsdr does not decode (base64, quoted-printable, 7bit, 8bit "
        "and binary are), got 'x-uuencode'"
    )
    assert caught.value.status_hint == 415


def test_preamble_and_epilogue_are_dropped() -> None:
    plain = build(([b"Content-Type: text/plain"], b"x"))
    wrapped = build(
        ([b"Content-Type: text/plain"], b"x"),
        preamble=b"\r\n\r\nThis is a multi-part message in MIME format.\r\n--not-the-boundary\r\n",
        epilogue=b"\r\nepilogue text\r\n--b0undary\r\nignored",
    )
    assert snapshot(parse(wrapped)) == snapshot(parse(plain))


def test_bare_lf_body_reads_like_crlf() -> None:
    lf_body = MM7_BODY.replace(b"\r\n", b"\n")
    lf_parts = parse(lf_body, MM7_CT)
    crlf_parts = parse(MM7_BODY, MM7_CT)
    assert [part.media_type for part in lf_parts] == [part.media_type for part in crlf_parts]
    assert lf_parts[0].raw == crlf_parts[0].raw
    assert [child.data for child in lf_parts[1].children] == [b"hello world", b"GIF89a\n--inner\n-\n\x00\xff"]


def test_lf_mode_never_rewrites_part_data() -> None:
    data = b"line\r\nother\rlone CR\n\n--b0undaryX not a delimiter\n"
    body = b"--b0undary\nContent-Type: application/octet-stream\n\n" + data + b"\r\n--b0undary--\n"
    (part,) = parse(body)
    assert part.raw == data  # only the CRLF right before the delimiter belongs to it


def test_crlf_mode_splits_only_on_crlf_delimiters() -> None:
    data = b"binary\n--b0undary\r\nstill data\n--b0undary--\n"
    (part,) = parse(build(([], data)))
    assert part.raw == data


def test_transport_padding_after_every_delimiter() -> None:
    body = b"--b0undary \t\r\n\r\nfirst\r\n--b0undary  \r\n\r\nsecond\r\n--b0undary--  \r\n"
    assert [part.raw for part in parse(body)] == [b"first", b"second"]


def test_delimiter_lookalikes_are_data() -> None:
    data = b"--b0undaryX\r\n--b0undary-x\r\n--b0undar\r\n\r\n--b0undary\rX"
    (part,) = parse(build(([], data)))
    assert part.raw == data


def test_empty_parts_and_empty_body() -> None:
    assert [part.raw for part in parse(build(([], b""), ([b"A: b"], b"")))] == [b"", b""]
    assert parse(b"--b0undary--") == ()
    assert parse(b"preamble\r\n--b0undary--\r\n") == ()


def test_nested_mixed_inside_related() -> None:
    soap, mixed = parse(MM7_BODY, MM7_CT)
    assert (soap.media_type, soap.content_id, dict(soap.params)) == ("text/xml", "soap-start", {"charset": "utf-8"})
    assert soap.data == b'<?xml version="1.0"?><env:Envelope/>'
    assert (mixed.media_type, mixed.content_id, mixed.params["boundary"]) == (
        "multipart/mixed",
        "mms-content",
        "inner b",
    )
    text, gif = mixed.children
    assert (text.position, text.content_id, text.transfer_encoding, text.data) == (
        "2.1",
        "text-1",
        "base64",
        b"hello world",
    )
    assert (gif.position, gif.content_id, gif.content_location, gif.media_type, gif.data) == (
        "2.2",
        "pic@x",
        "pic.gif",
        "image/gif",
        b"GIF89a\r\n--inner\r\n-\r\n\x00\xff",
    )
    assert gif.children == ()


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    inner = build(([], b"leaf"), boundary=b"level3")
    for level in (2, 1):
        inner = build(
            ([f'Content-Type: multipart/mixed; boundary="level{level + 1}"'.encode()], inner),
            boundary=f"level{level}".encode(),
        )
    body = build(([b'Content-Type: multipart/mixed; boundary="level1"'], inner))
    (outer,) = parse(body, limits=Limits(max_multipart_depth=3))
    assert outer.children[0].children[0].children[0].raw == b"leaf"
    with pytest.raises(LimitExceededError) as caught:
        parse(body, limits=Limits(max_multipart_depth=2))
    assert str(caught.value) == ("mm7: part 1.1.1 nests multiparts more than 2 deep (Limits.max_multipart_depth)")
    assert caught.value.status_hint == 413


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (
            [b"Content-Type: multipart/mixed; boundary=x", b"Content-Transfer-Encoding: base64"],
            "mm7: part 1 is multipart with a Content-Transfer-Encoding other than 7bit, 8bit or binary, got 'base64'",
        ),
        (
            [b"Content-Type: multipart/mixed"],
            "mm7: part 1 Content-Type has no boundary parameter, got 'multipart/mixed'",
        ),
        (
            [b"Content-Type: text/plain", b"Content-Type: image/gif"],
            "mm7: part 1 has more than one Content-Type header, got ['text/plain', 'image/gif']",
        ),
        (
            [b"Content-ID: <a>", b"content-id: <b>"],
            "mm7: part 1 has more than one Content-ID header, got ['<a>', '<b>']",
        ),
        ([b"Content-Type: text"], "mm7: part 1 Content-Type is not a media type, got 'text'"),
        ([b'Content-Disposition: "quoted"'], "mm7: part 1 Content-Disposition has no valid type, got '\"quoted\"'"),
        ([b"No colon here"], "mm7: part 1 has a header line that is not 'Name: value', got b'No colon here'"),
        ([b"Bad name: x"], "mm7: part 1 has a header line that is not 'Name: value', got b'Bad name: x'"),
        ([b"  continued: x"], "mm7: part 1 headers start with a continuation line, got b'  continued: x'"),
        ([b"X-A: a\rb"], "mm7: part 1 has a header with a bare CR, got b'X-A: a\\rb'"),
    ],
)
def test_malformed_parts(headers: list[bytes], message: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        parse(build((headers, b"--x--")))
    assert str(caught.value) == message
    assert caught.value.status_hint == 400
    assert caught.value.field == "part 1"


@pytest.mark.parametrize(
    ("content_type", "error", "message"),
    [
        ("text/plain", UnsupportedFormatError, "mm7: Content-Type is not multipart, got 'text/plain'"),
        (
            "multipart/mixed",
            MalformedRequestError,
            "mm7: Content-Type has no boundary parameter, got 'multipart/mixed'",
        ),
        (
            "multipart/mixed; boundary=" + "x" * 257,
            MalformedRequestError,
            "mm7: Content-Type boundary must be 1 to 256 printable ASCII characters, got " + shown("x" * 257),
        ),
        (
            'multipart/mixed; boundary=""',
            MalformedRequestError,
            "mm7: Content-Type boundary must be 1 to 256 printable ASCII characters, got ''",
        ),
        (
            "multipart/mixed; boundary=caf\u00e9",
            MalformedRequestError,
            "mm7: Content-Type boundary must be 1 to 256 printable ASCII characters, got 'café'",
        ),
    ],
)
def test_bad_content_type(content_type: str, error: type[MmsdrError], message: str) -> None:
    with pytest.raises(error) as caught:
        parse(build(([], b"x")), content_type)
    assert str(caught.value) == message
    assert caught.value.field == "content-type"


def test_body_without_delimiter() -> None:
    with pytest.raises(MalformedRequestError) as caught:
        parse(b"no multipart here")
    assert str(caught.value) == "mm7: body has no delimiter line, got no line starting with '--b0undary'"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"--b0undaryX\r\n\r\nx\r\n--b0undary--", "mm7: first delimiter line has text after the boundary, got b'X'"),
        (b"--b0undary x\r\n\r\nx\r\n--b0undary--", "mm7: first delimiter line has text after the boundary, got b'x'"),
        (
            b"--b0undary\r\n\r\nx\r\n--b0undary junk\r\n\r\n--b0undary--",
            "mm7: delimiter line after part 1 has text after the boundary, got b'j'",
        ),
    ],
)
def test_malformed_delimiter_lines(body: bytes, message: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        parse(body)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "body",
    [
        MM7_BODY,
        bytearray(MM7_BODY),
        memoryview(MM7_BODY),
        [MM7_BODY[:100], bytearray(MM7_BODY[100:200]), memoryview(MM7_BODY[200:])],
        iter([MM7_BODY[:1], b"", MM7_BODY[1:]]),
    ],
    ids=["bytes", "bytearray", "memoryview", "chunk list", "generator"],
)
def test_body_types(body: object) -> None:
    assert snapshot(parse_multipart(body, MM7_CT, LIMITS, what="mm7")) == snapshot(parse(MM7_BODY, MM7_CT))  # type: ignore[arg-type]


@pytest.mark.parametrize("body", ["text", ["text"], [1, 2]])
def test_body_of_the_wrong_type_is_a_type_error(body: object) -> None:
    with pytest.raises(TypeError):
        parse_multipart(body, CT, LIMITS, what="mm7")  # type: ignore[arg-type]


# -- chunking: the same parts however the body is cut ---------------------------------------------------------

SMALL_BODY = build(
    ([b"Content-Type: text/plain", b"Content-ID: <a>"], b"one\r\n-\r\n--b0und"),
    ([b'Content-Type: multipart/mixed; boundary="in"'], build(([b"X: 1"], b"two\r"), boundary=b"in")),
    preamble=b"pre\r\n",
    epilogue=b"\r\npost",
)


@pytest.mark.parametrize(
    "body",
    [SMALL_BODY, SMALL_BODY.replace(b"\r\n", b"\n"), SMALL_BODY.replace(b"--b0undary\r\n", b"--b0undary \t\r\n")],
    ids=["crlf", "lf", "padding"],
)
def test_every_split_point_gives_the_same_parts(body: bytes) -> None:
    expected = outcome(body)
    assert isinstance(expected, list)
    assert len(expected) == 2
    for cut in range(len(body) + 1):
        assert outcome([body[:cut], body[cut:]]) == expected, cut
    assert outcome([body[index : index + 1] for index in range(len(body))]) == expected


def test_every_split_point_of_an_invalid_body_gives_the_same_error() -> None:
    body = SMALL_BODY[:-30]
    expected = outcome(body)
    assert expected == (
        "MalformedRequestError",
        "mm7: body ends before its closing delimiter, got no '--b0undary--' after part 2",
    )
    for cut in range(len(body) + 1):
        assert outcome([body[:cut], body[cut:]]) == expected, cut


def test_three_way_splits_of_a_tiny_body() -> None:
    body = b"x\n--b\r\nA:b\r\n\r\n\r\n--b \r\n\r\nc\r\r\n--b--"
    expected = outcome(body, "multipart/mixed; boundary=b")
    assert isinstance(expected, list)
    for first, second in itertools.combinations(range(len(body) + 1), 2):
        chunks = [body[:first], body[first:second], body[second:]]
        assert outcome(chunks, "multipart/mixed; boundary=b") == expected, (first, second)


# -- normalising changes only structure lines: python-multipart's own split -------------------------------------
# Every body is normalised. On every body python-multipart would read as it is (CRLF, no preamble,
# "Name: value" header lines), the parts must be exactly python-multipart's own, whole and at every split point.

ReferencePart = tuple[list[tuple[bytes, bytes]], bytes]


def reference(chunks: list[bytes], boundary: bytes = BOUNDARY) -> list[ReferencePart] | None:
    """python-multipart's own reading of a body, data included: each part's (headers, data); None if refused."""
    parts: list[ReferencePart] = []
    headers: list[tuple[bytes, bytes]] = []
    field, value, data = bytearray(), bytearray(), bytearray()
    ended: list[bool] = []

    def on_part_begin() -> None:
        headers.clear()
        data.clear()

    def on_header_field(chunk: bytes, start: int, end: int) -> None:
        field.extend(chunk[start:end])

    def on_header_value(chunk: bytes, start: int, end: int) -> None:
        value.extend(chunk[start:end])

    def on_header_end() -> None:
        headers.append((bytes(field), bytes(value)))
        field.clear()
        value.clear()

    def on_part_data(chunk: bytes, start: int, end: int) -> None:
        data.extend(chunk[start:end])

    def on_part_end() -> None:
        parts.append((list(headers), bytes(data)))

    parser = python_multipart.MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_end": lambda: ended.append(True),
        },
    )
    parser.logger = logging.Logger("quiet")  # noqa: LOG001 -- not to be configured, just silent
    parser.logger.disabled = True
    try:
        for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
    except python_multipart.exceptions.FormParserError:
        return None
    return parts if ended else None


def as_reference(parts: tuple[BodyPart, ...]) -> list[tuple[list[tuple[str, str]], bytes]]:
    return [(list(part.headers), part.raw) for part in parts]


def expected_from(found: list[ReferencePart]) -> list[tuple[list[tuple[str, str]], bytes]]:
    """python-multipart's parts as mmsdr reports them: names lower-case, values decoded and trimmed."""
    return [
        ([(name.decode("ascii").lower(), header_text(value.strip(b" \t"))) for name, value in headers], data)
        for headers, data in found
    ]


def two_way_splits(body: bytes) -> Iterator[list[bytes]]:
    for cut in range(len(body) + 1):
        yield [body[:cut], body[cut:]]


def assert_same_split(body: bytes, *, every_split: bool = True) -> None:
    found = reference([body])
    assert found is not None
    expected = expected_from(found)
    assert as_reference(parse(body)) == expected
    if every_split:
        for chunks in two_way_splits(body):
            assert reference(chunks) == found, chunks
            assert as_reference(parse(chunks)) == expected, chunks
    assert as_reference(parse([body[index : index + 1] for index in range(len(body))])) == expected


# What python-multipart reads as it is: "Name: value" lines, no folding, no bare LF, no space before the colon.
_CANONICAL_HEADER = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\r\n]*")
CANONICAL_HEADER_CASES = [
    headers for headers, _ in PART_HEADER_CASES if all(_CANONICAL_HEADER.fullmatch(line) for line in headers)
]

DATA_CASES = [
    b"",
    b"x",
    b"\r",
    b"\n",
    b"\r\n",
    b"\r\r",
    b"x\r",
    b"\r\n\r\n",
    b"-",
    b"--b0undary",
    b"--b0undary--",
    b"\r\n--b0undar",
    b"\r\n--b0undaryX",
    b"\r\n--b0undary-",
    b"\r\n--b0undary-x",
    b"\r\n--b0undary\r",
    b"\r\n--b0undary\rX",
    b"\r\n--b0undary\n",
    b"\r\n--b0undary\nX",
    b"\r\r\n--b0undaryX\r",
    b"\n--b0undary\r\n\n--b0undary--\n",
    b"--b0undaryX\r\n--b0undary-x\r\n--b0undar\r\n\r\n--b0undary\rX",
    b"one\r\n-\r\n--b0und",
    bytes(range(256)),
]


@pytest.mark.parametrize("headers", CANONICAL_HEADER_CASES)
def test_header_table_splits_like_python_multipart(headers: list[bytes]) -> None:
    assert_same_split(build((headers, b"data"), ([b"X-Second: 2"], b"more")))


@pytest.mark.parametrize(("encoding", "raw", "data"), TRANSFER_ENCODING_CASES)
def test_encoding_table_splits_like_python_multipart(encoding: bytes | None, raw: bytes, data: bytes) -> None:
    headers = [b"Content-Type: application/octet-stream"]
    if encoding is not None:
        headers.append(b"Content-Transfer-Encoding: " + encoding)
    assert_same_split(build((headers, raw)), every_split=len(raw) < 200)
    assert parse(build((headers, raw)))[0].data == data


@pytest.mark.parametrize("data", DATA_CASES)
def test_data_lookalikes_split_like_python_multipart(data: bytes) -> None:
    assert_same_split(build(([b"Content-Type: application/octet-stream"], data), ([], data), ([b"A: b"], b"end")))


def test_nested_parts_split_like_python_multipart() -> None:
    inner = build(
        ([b"X: 1"], b"two\r"), ([b"Content-ID: <pic@x>"], b"GIF89a\r\n--inner\r\n-\r\n\x00\xff"), boundary=b"in"
    )
    body = build(
        ([b"Content-Type: text/plain"], b"one\r\n-\r\n--b0und"),
        ([b"Content-Type: multipart/mixed; boundary=in"], inner),
    )
    assert_same_split(body)
    found = reference([inner], b"in")
    assert found is not None
    assert as_reference(parse(body)[1].children) == expected_from(found)


def test_a_large_part_is_kept_whole_and_not_copied_twice() -> None:
    data = bytes(range(256)) * 4096 + b"\r\n--b0undaryX"
    body = build(([b"A: b"], data), ([], b"x"))
    assert_same_split(body, every_split=False)
    parts = parse([body[:1000], body[1000:500_000], body[500_000:]])
    assert [part.raw for part in parts] == [data, b"x"]


DATA_PIECES = st.sampled_from(
    [b"\r", b"\n", b"-", b"--", b" ", b"\t", b"b0undary", b"--b0undary", b"\r\n", b"\x00", b"x", b"\r\n--b0undary"]
)


@settings(max_examples=300, deadline=None)
@given(
    datas=st.lists(st.lists(DATA_PIECES, max_size=8).map(b"".join), min_size=1, max_size=3),
    cuts=st.lists(st.integers(0, 400), max_size=4),
)
def test_random_part_data_splits_like_python_multipart(datas: list[bytes], cuts: list[int]) -> None:
    body = build(*(([b"Content-Type: application/octet-stream"], data) for data in datas))
    found = reference([body])
    if found is None:
        return  # data that python-multipart refuses (a padded delimiter line with text after it, ...)
    points = sorted({0, len(body), *(cut % (len(body) + 1) for cut in cuts)})
    chunks = [body[start:end] for start, end in itertools.pairwise(points)]
    assert reference(chunks) == found
    assert as_reference(parse(body)) == expected_from(found)
    assert as_reference(parse(chunks)) == expected_from(found)


# -- property: nothing but MmsdrError, and chunking never changes the outcome --------------------------------

SEEDS = [SMALL_BODY, SMALL_BODY.replace(b"\r\n", b"\n"), MM7_BODY[:400]]
ALPHABET = st.sampled_from(
    [
        b"\r",
        b"\n",
        b"-",
        b"--",
        b" ",
        b"\t",
        b":",
        b";",
        b"b0undary",
        b"--b0undary",
        b"\r\n",
        b"=",
        b"\x00",
        b"\xff",
        b"a",
        b"Content-Type: multipart/mixed; boundary=in\r\n",
    ]
)


def mutate(draw: st.DrawFn, seed: bytes, *, rounds: int, start: int = 0) -> bytes:
    """``seed`` with 1 to ``rounds`` pieces inserted, deleted or replaced at or after ``start``."""
    body = bytearray(seed)
    for _ in range(draw(st.integers(1, rounds))):
        position = draw(st.integers(start, len(body)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(ALPHABET)
        if action == "insert":
            body[position:position] = piece
        elif action == "delete":
            del body[position : position + draw(st.integers(1, 8))]
        else:
            body[position : position + len(piece)] = piece
    return bytes(body)


@st.composite
def mutated_bodies(draw: st.DrawFn) -> bytes:
    return mutate(draw, draw(st.sampled_from(SEEDS)), rounds=4)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300), cuts=st.lists(st.integers(0, 300), max_size=4))
def test_arbitrary_bytes_give_parts_or_an_mmsdr_error(body: bytes, cuts: list[int]) -> None:
    content_type = "multipart/mixed; boundary=b"
    whole = outcome(body, content_type)
    points = sorted({0, len(body), *(cut % (len(body) + 1) for cut in cuts)})
    chunks = [body[start:end] for start, end in itertools.pairwise(points)]
    assert outcome(chunks, content_type) == whole


@settings(max_examples=200, deadline=None)
@given(body=mutated_bodies(), cuts=st.lists(st.integers(0, 2000), max_size=5))
def test_mutated_bodies_give_parts_or_an_mmsdr_error(body: bytes, cuts: list[int]) -> None:
    whole = outcome(body)
    points = sorted({0, len(body), *(cut % (len(body) + 1) for cut in cuts)})
    chunks = [body[start:end] for start, end in itertools.pairwise(points)]
    assert outcome(chunks) == whole
    if isinstance(whole, list):
        for part in parse(body):
            for leaf in (part, *part.children):
                with contextlib.suppress(MmsdrError):
                    _ = leaf.data


# -- bodies read whole, and bodies read in chunks -----------------------------------------------------------
# Every multipart is read once, by the normaliser, which hands python-multipart only its structure lines. The
# outcome -- the parts, or the error's type and message -- must not depend on how the body is chunked: each row
# is read whole and in chunks, at every split point.

SMALL_LIMITS = Limits(
    max_parts=4, max_part_header_count=3, max_part_header_bytes=40, max_part_bytes=20, max_preamble_bytes=10
)


# (id, body, limits)
READ_CASES: list[tuple[str, bytes, Limits]] = [
    ("plain", build(([b"Content-Type: text/plain", b"Content-ID: <a>"], b"one"), ([], b"two")), LIMITS),
    ("mm7, a folded header", MM7_BODY[MM7_BODY.index(b"--b0undary") :], LIMITS),
    ("empty body", b"--b0undary--", LIMITS),
    ("empty parts", build(([], b""), ([b"A: b"], b""), ([b"A:"], b""), ([b"A:  "], b"")), LIMITS),
    ("empty values", build(([b"A:", b"B:  ", b"C:\t", b"D: \t x \t "], b"x")), LIMITS),
    ("no space after colon", build(([b"Content-Type:text/xml"], b"x")), LIMITS),
    ("header bytes", build(([b"X: \xc3\xa9 \xe9 \x00"], b"x")), LIMITS),
    ("epilogue", build(([], b"x"), epilogue=b"\r\n\r\n--b0undary\r\nmore"), LIMITS),
    ("closing without CRLF", build(([], b"x")), LIMITS),
    ("data lookalikes", build(([], b"--b0undaryX\r\n--b0undary-x\n--b0undary\r\n\rX"), ([], b"\r")), LIMITS),
    ("padding after later delimiters", b"--b0undary\r\n\r\na\r\n--b0undary \t\r\n\r\nb\r\n--b0undary--", LIMITS),
    ("nested", SMALL_BODY[SMALL_BODY.index(b"--b0undary") :], LIMITS),
    # limits: at them and past them
    ("parts at the limit", build(*[([], b"x")] * 4), SMALL_LIMITS),
    ("parts past the limit", build(*[([], b"x")] * 5), SMALL_LIMITS),
    ("headers at the limit", build(([b"A: 1"] * 3, b"x")), SMALL_LIMITS),
    ("headers past the limit", build(([b"A: 1"] * 4, b"x")), SMALL_LIMITS),
    ("header line at the limit", build(([b"A: " + b"v" * 37], b"x")), SMALL_LIMITS),
    ("header line past the limit", build(([b"A: " + b"v" * 38], b"x")), SMALL_LIMITS),
    ("spaces after the colon past the limit", build(([b"A:" + b" " * 38 + b"v"], b"x")), SMALL_LIMITS),
    ("part at the limit", build(([], b"x" * 20), ([], b"")), SMALL_LIMITS),
    ("part past the limit", build(([], b"x"), ([], b"x" * 21)), SMALL_LIMITS),
    ("epilogue at the limit", build(([], b"x"), epilogue=b"e" * 10), SMALL_LIMITS),
    ("epilogue past the limit", build(([], b"x"), epilogue=b"e" * 11), SMALL_LIMITS),
    (
        "padding at the limit",
        b"--b0undary\r\n\r\na\r\n--b0undary" + b" " * 40 + b"\r\n\r\nb\r\n--b0undary--",
        SMALL_LIMITS,
    ),
    (
        "padding past the limit",
        b"--b0undary\r\n\r\na\r\n--b0undary" + b" " * 41 + b"\r\n\r\nb\r\n--b0undary--",
        SMALL_LIMITS,
    ),
    # the leniencies
    ("preamble", build(([], b"x"), preamble=b"pre\r\n"), LIMITS),
    ("CRLF preamble", build(([], b"x"), preamble=b"\r\n"), LIMITS),
    ("bare LF", build(([b"A: b"], b"x"), ([], b"y"), eol=b"\n"), LIMITS),
    ("padding after the first delimiter", b"--b0undary \r\n\r\nx\r\n--b0undary--", LIMITS),
    ("folded header", build(([b"A: b", b" c"], b"x")), LIMITS),
    ("space before the colon", build(([b"Content-Type : text/xml"], b"x")), LIMITS),
    ("bare-LF header line", build(([b"Content-Type: text/xml\nContent-ID: <x>"], b"x")), LIMITS),
    ("bare-LF blank line", b"--b0undary\r\nA: b\r\n\nx\r\n--b0undary--", LIMITS),
    # what is refused, and why
    ("continuation first", build(([b"  continued: x"], b"x")), LIMITS),
    ("bare CR in a header", build(([b"X-A: a\rb"], b"x")), LIMITS),
    ("no colon", build(([b"No colon here"], b"x")), LIMITS),
    ("text after a padded delimiter", b"--b0undary\r\n\r\nx\r\n--b0undary junk\r\n\r\n--b0undary--", LIMITS),
    ("no closing delimiter", build(([], b"x"))[:-2], LIMITS),
    ("cut in the headers", b"--b0undary\r\nContent-Type: text/pl", LIMITS),
    ("cut after the delimiter", b"--b0undary\r\n", LIMITS),
]


def structure_written(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """A list that gets what is written to python-multipart, once per multipart read to its end."""
    written: list[bytes] = []
    close = _PartReader.close

    def recording(self: _PartReader, structure: bytes) -> list[Any]:
        written.append(structure)
        return close(self, structure)

    monkeypatch.setattr(_PartReader, "close", recording)
    return written


CANONICAL_LINE = re.compile(rb"|--(b0undary|in|inner b)(--)?|[!#$%&'*+.^_`|~0-9A-Za-z-]+:.*")


@pytest.mark.parametrize(("body", "limits"), [case[1:] for case in READ_CASES], ids=[case[0] for case in READ_CASES])
def test_python_multipart_reads_only_structure_lines(
    body: bytes, limits: Limits, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Part data never goes through python-multipart's byte-by-byte delimiter matcher: it is given the canonical
    # delimiter lines and header blocks only, in one write per multipart (the body's, and each nested one's).
    written = structure_written(monkeypatch)
    result = outcome(body, CT, limits)
    for structure in written:
        assert [line for line in structure.split(b"\r\n") if not CANONICAL_LINE.fullmatch(line)] == []
    if isinstance(result, list):  # read: one write for the body, one for each nested multipart
        nested = sum(1 for line in body.split(b"\n") if re.match(rb"Content-Type: ?multipart/", line))
        assert len(written) == 1 + nested


@pytest.mark.parametrize(("body", "limits"), [case[1:] for case in READ_CASES], ids=[case[0] for case in READ_CASES])
def test_whole_and_chunked_bodies_read_the_same(body: bytes, limits: Limits) -> None:
    expected = outcome(body, CT, limits)  # a bytes body: its parts are views of it
    assert outcome([body], CT, limits) == expected  # a chunk list: parts copied out of the chunks
    for chunks in two_way_splits(body):
        assert outcome(chunks, CT, limits) == expected, chunks
    assert outcome([body[index : index + 1] for index in range(len(body))], CT, limits) == expected


def test_parts_at_the_limit_with_a_folded_header_are_read() -> None:
    # The third part's folded header is unfolded; the parts are counted once.
    body = build(([], b"x"), ([], b"y"), ([b"A: b", b" c"], b"z"))
    assert len(parse(body, limits=SMALL_LIMITS.replace(max_parts=3))) == 3


def test_a_part_flood_stops_at_the_part_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    delimiters: list[int] = []
    in_delimiter = _Normaliser._in_delimiter

    def counting(self: _Normaliser, data: bytes, pos: int) -> int:
        delimiters.append(pos)
        return in_delimiter(self, data, pos)

    monkeypatch.setattr(_Normaliser, "_in_delimiter", counting)
    flood = build(*[([b"Content-Type: text/plain"], b"x")] * 50_000)
    with pytest.raises(LimitExceededError) as caught:
        parse(flood)
    assert str(caught.value) == "mm7: more than 64 parts (Limits.max_parts)"
    # Not 50 000: reading stops at the 65th delimiter line, and python-multipart is never given the flood.
    assert len(delimiters) == LIMITS.max_parts + 1


CANONICAL_SEEDS = [
    SMALL_BODY[SMALL_BODY.index(b"--b0undary") :],
    MM7_BODY[MM7_BODY.index(b"--b0undary") :],
    build(([b"A: b", b"C:"], b""), ([], b"x\r\n--b0undary \r\n"), epilogue=b"\r\n"),
]


@st.composite
def mutated_canonical_bodies(draw: st.DrawFn) -> bytes:
    # The first delimiter line kept, so that most mutations are of the parts, not of the first line.
    return mutate(draw, draw(st.sampled_from(CANONICAL_SEEDS)), rounds=3, start=len(b"--b0undary\r\n"))


@settings(max_examples=300, deadline=None)
@given(body=mutated_canonical_bodies(), cuts=st.lists(st.integers(0, 2000), max_size=3))
def test_mutated_canonical_bodies_read_the_same_whole_and_chunked(body: bytes, cuts: list[int]) -> None:
    limits = SMALL_LIMITS.replace(max_part_bytes=1000)
    points = sorted({0, len(body), *(cut % (len(body) + 1) for cut in cuts)})
    chunks = [body[start:end] for start, end in itertools.pairwise(points)]
    assert outcome(chunks, CT, limits) == outcome(body, CT, limits)
    assert outcome(chunks) == outcome(body)


# -- threat rows M1-M10 (docs/security.md), and E2/E3 on part headers --------------------------------------


def _counting(chunks: Iterator[bytes], seen: list[int]) -> Iterator[bytes]:
    for chunk in chunks:
        seen.append(len(chunk))
        yield chunk


def test_m1_part_flood_rejected() -> None:
    body = build(*[([], b"x")] * 65)
    with pytest.raises(LimitExceededError) as caught:
        parse(body)
    assert str(caught.value) == "mm7: more than 64 parts (Limits.max_parts)"
    assert caught.value.status_hint == 413
    # 50 000 parts, streamed: reading stops at the 65th, long before the end of the body.
    seen: list[int] = []
    flood = itertools.chain((b"--b0undary\r\n\r\nx\r\n" for _ in range(50_000)), [b"--b0undary--"])
    with pytest.raises(LimitExceededError):
        parse(_counting(flood, seen))
    assert len(seen) < 100


def test_m1_nested_parts_count_too() -> None:
    inner = build(([], b"a"), ([], b"b"), boundary=b"in")
    body = build(([b"Content-Type: multipart/mixed; boundary=in"], inner), ([], b"c"))
    assert len(parse(body, limits=Limits(max_parts=5))) == 2
    with pytest.raises(LimitExceededError) as caught:
        parse(body, limits=Limits(max_parts=3))
    assert str(caught.value) == "mm7: more than 3 parts (Limits.max_parts)"


def test_m2_huge_part_rejected_while_streaming() -> None:
    seen: list[int] = []
    endless = itertools.chain([b"--b0undary\r\nContent-Type: video/mp4\r\n\r\n"], itertools.repeat(b"\0" * 65536))
    with pytest.raises(LimitExceededError) as caught:
        parse(_counting(endless, seen))
    assert str(caught.value) == "mm7: part 1 larger than 10485760 bytes (Limits.max_part_bytes)"
    assert caught.value.status_hint == 413
    assert caught.value.field == "part 1"
    assert sum(seen) < 10_485_760 + 2 * 65536


def test_m2_every_part_is_checked() -> None:
    body = build(([], b"x" * 100), ([], b"y" * 301))
    with pytest.raises(LimitExceededError) as caught:
        parse(body, limits=Limits(max_part_bytes=300))
    assert str(caught.value) == "mm7: part 2 larger than 300 bytes (Limits.max_part_bytes)"
    assert caught.value.field == "part 2"
    assert [len(part.raw) for part in parse(body, limits=Limits(max_part_bytes=301))] == [100, 301]


@pytest.mark.parametrize("count", [17, 5_000])
def test_m3_header_count_flood_rejected(count: int) -> None:
    body = build(([b"X-A: 1"] * count, b"x"))
    with pytest.raises(LimitExceededError) as caught:
        parse(body)
    assert str(caught.value) == "mm7: part 1 has more than 16 header lines (Limits.max_part_header_count)"
    assert caught.value.status_hint == 413
    assert len(parse(build(([b"X-A: 1"] * 16, b"x")))[0].headers) == 16


@pytest.mark.parametrize(
    "headers",
    [
        [b"X-Big: " + b"a" * 9000],
        [b"X-Folded: a"] + [b" " + b"b" * 100] * 100,
        [b"Content-Type: text/plain; " + b"; ".join(b"p%d=v" % index for index in range(2000))],
    ],
    ids=["one long line", "folded", "many parameters"],
)
def test_m3_huge_header_rejected(headers: list[bytes]) -> None:
    with pytest.raises(LimitExceededError) as caught:
        parse(build((headers, b"x")))
    assert str(caught.value) == "mm7: part 1 has a header line longer than 8192 bytes (Limits.max_part_header_bytes)"


def test_m3_unterminated_header_line_stops_reading() -> None:
    seen: list[int] = []
    endless = itertools.chain([b"--b0undary\r\nX-Endless: "], itertools.repeat(b"a" * 1024))
    with pytest.raises(LimitExceededError):
        parse(_counting(endless, seen))
    assert sum(seen) < 8192 + 2048


def test_m3_limits_are_configurable_past_python_multipart_defaults() -> None:
    # python-multipart's own defaults are 8 headers of 4224 bytes; Limits decides.
    headers = [b"X-%d: %s" % (index, b"v" * 6000) for index in range(12)]
    (part,) = parse(build((headers, b"x")))
    assert len(part.headers) == 12


@pytest.mark.parametrize("junk", [b"\r\n", b"x", b"-"])
def test_m4_huge_preamble_rejected(junk: bytes) -> None:
    body = build(([], b"x"), preamble=junk * (65536 // len(junk) + 1))
    with pytest.raises(LimitExceededError) as caught:
        parse(body)
    assert str(caught.value) == "mm7: preamble longer than 65536 bytes (Limits.max_preamble_bytes)"
    assert caught.value.status_hint == 413
    assert parse(build(([], b"x"), preamble=b"\r\n" * 30_000))[0].raw == b"x"


def test_m4_endless_preamble_stops_reading() -> None:
    seen: list[int] = []
    with pytest.raises(LimitExceededError):
        parse(_counting(itertools.repeat(b"\r\n" * 512), seen))
    assert sum(seen) < 65536 + 2048


def test_m4_huge_epilogue_rejected() -> None:
    with pytest.raises(LimitExceededError) as caught:
        parse(build(([], b"x"), epilogue=b"\r\n" * 40_000))
    assert str(caught.value) == "mm7: epilogue longer than 65536 bytes (Limits.max_preamble_bytes)"


def test_m5_body_over_the_limit_is_an_error_not_truncation() -> None:
    body = build(([], b"x" * 2000))
    with pytest.raises(LimitExceededError) as caught:
        parse(body, limits=Limits(max_body_bytes=1000))
    assert str(caught.value) == "mm7: body larger than 1000 bytes (Limits.max_body_bytes)"
    assert caught.value.field == "body"
    with pytest.raises(LimitExceededError):
        parse([body[:600], body[600:]], limits=Limits(max_body_bytes=1000))


def test_m5_short_write_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # python-multipart returns fewer bytes than given past its max_size, with no exception.
    monkeypatch.setattr(python_multipart.MultipartParser, "write", lambda self, data: len(data) // 2)
    with pytest.raises(MalformedRequestError) as caught:
        parse(build(([], b"x")))
    # python-multipart is given the structure lines only: "--b0undary" CRLF CRLF, then CRLF "--b0undary--".
    assert str(caught.value) == "mm7: body is not valid multipart (the parser stopped after 14 of 28 bytes)"


@pytest.mark.parametrize(
    "content_type",
    [
        'multipart/mixed; boundary="b0undary"; boundary="other"',
        "multipart/mixed; boundary=b0undary; BOUNDARY=other",
        "multipart/mixed; boundary=b0undary; boundary*=other",
        "multipart/mixed; boundary*0=b0; boundary*1=undary",
    ],
)
def test_m6_boundary_smuggling_rejected(content_type: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        parse(build(([], b"x")), content_type)
    assert caught.value.status_hint == 400
    assert caught.value.field is None or caught.value.field == "content-type"


@pytest.mark.parametrize(
    "header",
    [
        b"Content-Type: text/plain; charset=utf-8; charset=iso-8859-1",
        b'Content-Disposition: form-data; name="a"; name="b"',
        b'Content-Disposition: attachment; filename="a.jpg"; filename="b.exe"',
        b"Content-Disposition: attachment; filename*=utf-8''a; filename*=utf-8''b",
    ],
)
def test_m6_part_parameter_smuggling_rejected(header: bytes) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        parse(build(([header], b"x")))
    assert "repeats parameter" in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        "multipart/mixed; " + "; ".join(f"p{index}=v" for index in range(100_000)),
        'multipart/mixed; x="' + "\\\\" * 200_000,
        'multipart/mixed; x="' + '\\"' * 200_000 + '"; boundary=b',
        "multipart/mixed; x=" + " " * 200_000 + '"',
        "multipart/mixed;" + ";" * 200_000 + " boundary=b",
        "multipart/mixed; " + "a" * 200_000 + "=",
    ],
    ids=["many params", "backslashes", "escaped quotes", "spaces", "semicolons", "long name"],
)
def test_m7_content_type_parsing_is_linear(value: str) -> None:
    # No timing assertion: a backtracking parser would not finish these in the test run at all.
    try:
        media_type, _params = parse_content_type(value, what="mm7")
    except MalformedRequestError as exc:
        assert exc.status_hint == 400
    else:
        assert media_type == "multipart/mixed"


def test_m8_missing_closing_delimiter_rejected() -> None:
    body = build(([b"Content-Type: text/plain"], b"hello"), ([], b"world"))
    closing = body.rindex(b"\r\n--b0undary--")
    for cut in range(body.index(b"--b0undary"), closing + len(b"\r\n--b0undary-")):
        with pytest.raises(MalformedRequestError) as caught:
            parse(body[:cut])
        assert caught.value.field == "body"
    with pytest.raises(MalformedRequestError) as caught:
        parse(body[:closing])
    assert str(caught.value) == "mm7: body ends before its closing delimiter, got no '--b0undary--' after part 2"
    with pytest.raises(MalformedRequestError) as caught:
        parse(b"--b0undary")
    assert (
        str(caught.value)
        == "mm7: body ends before its closing delimiter, got no '--b0undary--' after the first delimiter"
    )
    assert len(parse(body[: closing + len(b"\r\n--b0undary--")])) == 2  # the epilogue's CRLF is optional


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"QQ==QUJD", "mm7: part 1 is not valid base64 (Excess data after padding), got b'QQ==QUJD'"),
        (b"QUJD!!##$$REVG", "mm7: part 1 is not valid base64 (Only base64 data is allowed), got b'QUJD!!##$$REVG'"),
        (b"QQ", "mm7: part 1 is not valid base64 (Incorrect padding), got b'QQ'"),
        (b"=QUJD", "mm7: part 1 is not valid base64 (Leading padding not allowed), got b'=QUJD'"),
    ],
)
def test_m9_base64_abuse_rejected(raw: bytes, message: str) -> None:
    (part,) = parse(build(([b"Content-Transfer-Encoding: base64"], raw)))
    with pytest.raises(MalformedRequestError) as caught:
        _ = part.data
    assert str(caught.value) == message
    assert caught.value.status_hint == 400


def test_m9_crlf_wrapped_base64_in_odd_chunks_decodes() -> None:
    payload = bytes(range(256)) * 40
    body = build(([b"Content-Transfer-Encoding: base64"], base64.encodebytes(payload).replace(b"\n", b"\r\n")))
    chunks = [body[index : index + 7] for index in range(0, len(body), 7)]
    (part,) = parse(chunks)
    assert part.data == payload


@pytest.mark.parametrize(
    "filename",
    ["../../etc/cron.d/x", "/etc/passwd", "C:\\Windows\\system32\\x.dll", "..\\..\\x", "a/../../b"],
)
def test_m10_filename_is_data_never_a_path(filename: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    header = b'Content-Disposition: attachment; filename="' + filename.replace("\\", "\\\\").encode() + b'"'
    (part,) = parse(build(([header], b"payload")))
    assert part.filename == filename
    assert part.data == b"payload"
    assert list(tmp_path.iterdir()) == []  # type: ignore[attr-defined]


def test_e2_parameter_flood_rejected() -> None:
    value = "multipart/mixed; " + "; ".join(f"p{index}=v" for index in range(8_000))
    with pytest.raises(MalformedRequestError) as caught:
        parse_content_type(value, what="mm7")
    assert str(caught.value).startswith("mm7: Content-Type has more than 64 parameters, got ")


def test_e3_long_folded_header_rejected() -> None:
    with pytest.raises(LimitExceededError):
        parse(build(([b"Subject: a"] + [b" b"] * 80_000, b"x")))

"""Threat catalogue rows X1-X13 (XML) against the public parse_request, through real MM7 requests.

Each payload rides in an MM7 SOAP envelope, bare (``text/xml``) or as the root of a multipart/related
request. The tests assert the typed error with its status and MM7 fault, or the harmless parse, and where the
payload reaches for a file or the network, that nothing was read or fetched.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from _threats import mm7_deliver, mm7_related, mm7_report, mm7_xml, parsed, refused

from mmsdr import (
    DeliveryReport,
    InboundMessage,
    LimitExceededError,
    Limits,
    MalformedRequestError,
    UnsupportedFormatError,
)

DOCTYPE_REFUSED = "mm7.delivery_report: SOAP envelope has a document type declaration (DOCTYPE is not allowed)"
NOT_WELL_FORMED = "mm7.delivery_report: SOAP envelope is not well-formed XML ("
AMPLIFICATION = NOT_WELL_FORMED + "Maximum entity amplification factor exceeded"
# MM7 fault codes in the acknowledgement (3GPP TS 23.140 table 12.21): 4004 validation error, 2004 too large.
FAULT_VALIDATION = b"<StatusCode>4004</StatusCode>"
FAULT_TOO_LARGE = b"<StatusCode>2004</StatusCode>"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET", encoding="ascii")
    return path


def assert_no_leak(error: BaseException, needle: str = "TOP-SECRET") -> None:
    assert needle not in str(error)
    assert needle.encode() not in getattr(error, "ack").body  # noqa: B009 - MmsdrError.ack, typed loosely here


def billion_laughs_doctype(levels: int = 10) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels)]
    return f"<!DOCTYPE env:Envelope [{''.join(entities)}]>"


def test_x1_billion_laughs_in_an_mm7_envelope() -> None:
    headers, body = mm7_xml(mm7_report(f"&lol{9};", doctype=billion_laughs_doctype()))
    # libxml2's amplification check fires during the parse, before the DOCTYPE rule gets its turn.
    error = refused(headers, body, None, error=MalformedRequestError, status=400, prefix=AMPLIFICATION)
    assert FAULT_VALIDATION in error.ack.body
    assert b"lollol" not in error.ack.body


def test_x2_quadratic_blowup_in_an_mm7_envelope() -> None:
    doctype = f'<!DOCTYPE env:Envelope [<!ENTITY big "{"B" * 50_000}">]>'
    headers, body = mm7_xml(mm7_report("&big;" * 2_000, doctype=doctype))
    assert len(body) < 200_000
    error = refused(headers, body, None, error=MalformedRequestError, status=400, prefix=AMPLIFICATION)
    assert b"BBBB" not in error.ack.body


def test_x3_xxe_local_file_general_entity(secret: Path) -> None:
    doctype = f'<!DOCTYPE env:Envelope [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
    headers, body = mm7_xml(mm7_report("&x;", doctype=doctype))
    error = refused(headers, body, None, error=MalformedRequestError, status=400, message=DOCTYPE_REFUSED)
    assert FAULT_VALIDATION in error.ack.body
    assert_no_leak(error)


def test_x4_parameter_entity_xxe_with_a_local_dtd(tmp_path: Path, secret: Path) -> None:
    # LP#2165901: a parameter entity loads a local DTD that defines an entity holding %file;.
    dtd = tmp_path / "x.dtd"
    dtd.write_text(
        f'<!ENTITY % file SYSTEM "{secret.as_uri()}"><!ENTITY % eval "<!ENTITY exfil \'%file;\'>">%eval;',
        encoding="ascii",
    )
    doctype = f'<!DOCTYPE env:Envelope [<!ENTITY % p SYSTEM "{dtd.as_uri()}"> %p;]>'
    headers, body = mm7_xml(mm7_report("&exfil;", doctype=doctype))
    error = refused(headers, body, None, error=MalformedRequestError, status=400)
    assert str(error).startswith("mm7.delivery_report: SOAP envelope ")
    assert_no_leak(error)


def test_x5_xxe_through_the_multipart_related_root_too(secret: Path) -> None:
    # CVE-2026-41066 hit iterparse()/ETCompatXMLParser, other XML entry points than the usual one. mmsdr has a
    # single hardened parser: the envelope found inside multipart/related goes through it as well.
    doctype = f'<!DOCTYPE env:Envelope [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
    soap = doctype + mm7_deliver().replace("<Sender><Number>447700900123", "<Sender><Number>&x;")
    headers, body = mm7_related(soap=soap)
    error = refused(
        headers,
        body,
        None,
        error=MalformedRequestError,
        status=400,
        message="mm7.deliver: SOAP envelope has a document type declaration (DOCTYPE is not allowed)",
    )
    assert_no_leak(error)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE env:Envelope SYSTEM "{url}/x.dtd">',
        '<!DOCTYPE env:Envelope [<!ENTITY x SYSTEM "{url}/entity">]>',
        '<!DOCTYPE env:Envelope [<!ENTITY % p SYSTEM "{url}/param"> %p;]>',
    ],
    ids=["external-dtd", "external-entity", "parameter-entity"],
)
def test_x6_remote_dtd_or_entity_is_never_fetched(server: tuple[str, list[str]], doctype: str) -> None:
    url, hits = server
    headers, body = mm7_xml(mm7_report("&x;", doctype=doctype.format(url=url)))
    error = refused(headers, body, None, error=MalformedRequestError, status=400)
    assert str(error).startswith("mm7.delivery_report: SOAP envelope ")
    assert_no_leak(error, "FETCHED")
    assert hits == []


def test_x7_xinclude_is_never_processed(secret: Path) -> None:
    # An XInclude element is an unknown element like any other: the report parses, nothing is included.
    include = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret.as_uri()}" parse="text"/>'
    document = mm7_report().replace("<MMStatus>", include + "<MMStatus>")
    event = parsed(*mm7_xml(document))
    assert isinstance(event, DeliveryReport)
    assert event.message_id == "m-1"
    assert "TOP-SECRET" not in repr(event)


def test_x7_xinclude_in_a_value_is_not_text() -> None:
    include = '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
    refused(
        *mm7_xml(mm7_report(include)),
        error=MalformedRequestError,
        status=400,
        message="mm7.delivery_report: element 'MessageID' is empty, got ''",
    )


def test_x8_xslt_stylesheet_pi_and_xpath_looking_values_are_inert() -> None:
    stylesheet = '<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:9/evil.xsl"?>'
    document = stylesheet + mm7_report("' or 1=1 or '] | //*[local-name()='Recipient")
    event = parsed(*mm7_xml(document))
    assert isinstance(event, DeliveryReport)
    assert event.message_id == "' or 1=1 or '] | //*[local-name()='Recipient"
    assert event.recipient == "447700900123"


def test_x9_deep_nesting_is_refused() -> None:
    deep = "<a>" * 300_000 + "</a>" * 300_000
    refused(
        *mm7_xml(mm7_report(deep)),
        error=MalformedRequestError,
        status=400,
        prefix=NOT_WELL_FORMED + "Excessive depth in document: 256",
    )


def test_x10_huge_text_node_stops_at_the_xml_size_limit() -> None:
    error = refused(
        *mm7_xml(mm7_report("A" * (6 * 1024 * 1024))),
        error=LimitExceededError,
        status=413,
        message="mm7.delivery_report: SOAP envelope is larger than 5242880 bytes (Limits.max_xml_bytes)",
    )
    assert FAULT_TOO_LARGE in error.ack.body


ROOMY = Limits(max_xml_bytes=20 * 1024 * 1024, max_body_bytes=40 * 1024 * 1024)
HUGE = 12 * 1024 * 1024


@pytest.mark.parametrize(
    ("message_id", "reason"),
    [
        ("A" * HUGE, "Resource limit exceeded: Text node too long"),
        ('<x a="' + "A" * HUGE + '"/>', "Resource limit exceeded: Buffer size limit exceeded"),
        ("<!--" + "A" * HUGE + "-->", "Comment too big found"),
    ],
    ids=["text", "attribute", "comment"],
)
def test_x10_libxml2_caps_hold_behind_a_raised_limit(message_id: str, reason: str) -> None:
    refused(
        *mm7_xml(mm7_report(message_id)),
        error=MalformedRequestError,
        status=400,
        prefix=NOT_WELL_FORMED + reason,
        limits=ROOMY,
    )


def test_x11_gzip_compressed_xml_is_not_inflated() -> None:
    # Without Content-Encoding the body is what it is: lxml never inflates bytes (decompress=False).
    bomb = gzip.compress(mm7_report("A" * (20 * 1024 * 1024)).encode(), compresslevel=1)
    assert len(bomb) < 200_000
    # Detection sees no MM7 envelope in the compressed bytes ...
    refused(
        *mm7_xml(bomb),
        error=UnsupportedFormatError,
        status=415,
        message="request: no accepted format matches (content type 'text/xml', fields: none)",
    )
    # ... and an MM7-only endpoint hands the bytes to lxml as they are, which does not inflate them.
    refused(
        *mm7_xml(bomb),
        error=MalformedRequestError,
        status=400,
        message=NOT_WELL_FORMED + "Start tag expected, '<' not found, line 1, column 1)",
        formats="mm7.delivery_report",
    )


def test_x12_comment_or_pi_does_not_split_a_value() -> None:
    document = mm7_report(recipient="4477<!-- split -->009<?pi x?>00123")
    event = parsed(*mm7_xml(document))
    assert isinstance(event, DeliveryReport)
    assert event.recipient == "447700900123"


def test_x12_in_a_multipart_related_envelope() -> None:
    soap = mm7_deliver().replace("447700900123", "4477<!-- -->00900<?x y?>123")
    event = parsed(*mm7_related(soap=soap))
    assert isinstance(event, InboundMessage)
    assert event.sender == "447700900123"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_x13_doctype_hidden_from_byte_scans_in_utf16(encoding: str) -> None:
    declaration = f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
    body = mm7_report(doctype="<!DOCTYPE env:Envelope>", declaration=declaration).encode(encoding)
    assert b"<!DOCTYPE" not in body
    # Format detection reads ASCII and UTF-16 bodies; a UTF-32 one reaches the parser on an MM7-only endpoint.
    options = {"formats": "mm7.delivery_report"} if encoding == "utf-32" else {}
    refused(*mm7_xml(body, "text/xml"), error=MalformedRequestError, status=400, message=DOCTYPE_REFUSED, **options)

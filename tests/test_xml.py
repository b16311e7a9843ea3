"""The hardened XML reader against the threat catalogue (docs/security.md, rows X1-X13).

Every payload is generated here; each test asserts the typed error (or the harmless parse) and that it came
fast, and where the payload reaches for a file or the network, that nothing was read or fetched.
"""

from __future__ import annotations

import gzip
import threading
import time
from pathlib import Path

import pytest
from lxml import etree

import mmsdr
from mmsdr import LimitExceededError, Limits, MalformedRequestError, MmsdrError
from mmsdr._wire.xml import check_element_count, local_name, namespace_of, parse_xml, parse_xml_document

LIMITS = Limits()
# Each hostile document is refused in well under this (under 100 ms); generous for a noisy CI box.
BUDGET_SECONDS = 0.5
NS14 = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def refused(data: bytes, *, limits: Limits = LIMITS, charset: str | None = None) -> MmsdrError:
    started = time.perf_counter()
    with pytest.raises(MmsdrError) as caught:
        parse_xml(data, limits, what="test: document", field="Envelope", charset=charset)
    assert time.perf_counter() - started < BUDGET_SECONDS
    assert caught.value.field == "Envelope"
    return caught.value


def mm7_report(inner: str, *, doctype: str = "") -> bytes:
    """A DeliveryReportReq envelope with ``inner`` as its MessageID text, after an optional DOCTYPE."""
    return (
        f'<?xml version="1.0"?>{doctype}<env:Envelope xmlns:env="{SOAP}"><env:Header>'
        f'<TransactionID xmlns="{NS14}">t-1</TransactionID></env:Header><env:Body>'
        f'<DeliveryReportReq xmlns="{NS14}"><MM7Version>6.8.0</MM7Version><MessageID>{inner}</MessageID>'
        "<Recipient><Number>447700900123</Number></Recipient><Date>2024-05-06T07:08:09Z</Date>"
        "<MMStatus>Retrieved</MMStatus></DeliveryReportReq></env:Body></env:Envelope>"
    ).encode()


DOCTYPE_REFUSED = "test: document has a document type declaration (DOCTYPE is not allowed)"


# X1 -----------------------------------------------------------------------------------------------------------------
def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(entities)}]><lolz>&lol9;</lolz>'.encode()


def test_x1_billion_laughs() -> None:
    error = refused(billion_laughs())
    assert type(error) is MalformedRequestError
    assert str(error).startswith("test: document is not well-formed XML (Maximum entity amplification factor exceeded")


# X2 -----------------------------------------------------------------------------------------------------------------
def test_x2_quadratic_blowup() -> None:
    payload = b'<!DOCTYPE r [<!ENTITY a "' + b"A" * 50_000 + b'">]><r>' + b"&a;" * 50_000 + b"</r>"
    error = refused(payload)
    assert type(error) is MalformedRequestError
    assert str(error).startswith("test: document is not well-formed XML (Maximum entity amplification factor exceeded")


# X3 -----------------------------------------------------------------------------------------------------------------
@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-VALUE", encoding="ascii")
    return path


def test_x3_xxe_local_file(secret: Path) -> None:
    error = refused(f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>'.encode())
    assert str(error) == DOCTYPE_REFUSED
    assert "TOP-SECRET" not in error.ack.body.decode()


def test_x3_through_mm7_gets_a_fault_without_the_file(secret: Path) -> None:
    body = mm7_report("&x;", doctype=f'<!DOCTYPE env:Envelope [<!ENTITY x SYSTEM "{secret.as_uri()}">]>')
    with pytest.raises(MalformedRequestError) as caught:
        mmsdr.parse_request([("Content-Type", "text/xml")], body, None)
    assert (
        str(caught.value)
        == "mm7.delivery_report: SOAP envelope has a document type declaration (DOCTYPE is not allowed)"
    )
    assert b"<StatusCode>4004</StatusCode>" in caught.value.ack.body
    assert b"TOP-SECRET" not in caught.value.ack.body


# X4 -----------------------------------------------------------------------------------------------------------------
def test_x4_external_parameter_entity_and_local_dtd(tmp_path: Path, secret: Path) -> None:
    # LP#2165901: a parameter entity loads a local DTD which defines an internal entity holding %file;.
    dtd = tmp_path / "x.dtd"
    dtd.write_text(
        f'<!ENTITY % file SYSTEM "{secret.as_uri()}"><!ENTITY % eval "<!ENTITY exfil \'%file;\'>">%eval;',
        encoding="ascii",
    )
    error = refused(f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{dtd.as_uri()}"> %p;]><r>&exfil;</r>'.encode())
    assert type(error) is MalformedRequestError
    assert "TOP-SECRET" not in str(error)


# X5 -----------------------------------------------------------------------------------------------------------------
SOURCES = sorted((Path(__file__).parent.parent / "mmsdr").rglob("*.py"))


def test_x5_no_iterparse_or_etcompat_parser_anywhere() -> None:
    # CVE-2026-41066: iterparse() and ETCompatXMLParser defaulted to resolve_entities=True. mmsdr parses with
    # one hardened XMLParser only (see also the X3 tests, which go through it).
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for forbidden in ("iterparse", "ETCompatXMLParser", "etree.parse(", "etree.XML(", "xml.etree", "minidom"):
            assert forbidden not in text, (path.name, forbidden)


# X6 -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "template",
    [
        '<!DOCTYPE r SYSTEM "{url}/x.dtd"><r/>',
        '<!DOCTYPE r [<!ENTITY x SYSTEM "{url}/entity">]><r>&x;</r>',
        '<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/param"> %p;]><r>&x;</r>',
    ],
)
def test_x6_no_network_access(server: tuple[str, list[str]], template: str) -> None:
    url, hits = server
    error = refused(template.format(url=url).encode())
    assert type(error) is MalformedRequestError
    assert "FETCHED" not in str(error)
    assert hits == []


# X7 -----------------------------------------------------------------------------------------------------------------
def test_x7_xinclude_stays_an_inert_element(secret: Path) -> None:
    root = parse_xml(
        f'<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{secret.as_uri()}" parse="text"/></r>'.encode(),
        LIMITS,
        what="test: document",
    )
    assert [local_name(str(node.tag)) for node in root.iter()] == ["r", "include"]
    assert "TOP-SECRET" not in etree.tostring(root).decode()


def test_x7_in_an_mm7_value_is_data() -> None:
    body = mm7_report('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>')
    with pytest.raises(MalformedRequestError) as caught:  # MessageID holds an element, no text
        mmsdr.parse_request([("Content-Type", "text/xml")], body, None)
    assert str(caught.value) == "mm7.delivery_report: element 'MessageID' is empty, got ''"
    (event,) = mmsdr.parse_request([("Content-Type", "text/xml")], mm7_report("m-1"), None).events
    assert event.raw["MessageID"] == "m-1"


# X8 -----------------------------------------------------------------------------------------------------------------
def test_x8_no_xslt_xpath_or_xinclude_is_ever_run() -> None:
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for forbidden in (
            "XSLT(",
            ".xpath(",
            "XPath(",
            ".xinclude(",
            "ElementInclude",
            "resolve_entities=True",
            "huge_tree=True",
            "load_dtd=True",
            "no_network=False",
            "recover=True",
        ):
            assert forbidden not in text, (path.name, forbidden)


def test_x8_a_stylesheet_processing_instruction_is_dropped() -> None:
    root = parse_xml(b'<?xml-stylesheet type="text/xsl" href="http://x/evil.xsl"?><r>1</r>', LIMITS, what="t")
    assert root.getprevious() is None
    assert root.text == "1"


def test_x8_an_xpath_looking_value_is_text() -> None:
    (event,) = mmsdr.parse_request([("Content-Type", "text/xml")], mm7_report("' or 1=1 or '"), None).events
    assert isinstance(event, mmsdr.DeliveryReport)
    assert event.message_id == "' or 1=1 or '"


# X9 -----------------------------------------------------------------------------------------------------------------
def test_x9_deep_nesting() -> None:
    error = refused(b"<a>" * 300_000 + b"</a>" * 300_000)
    assert str(error).startswith("test: document is not well-formed XML (Excessive depth in document: 256")


# X10 ----------------------------------------------------------------------------------------------------------------
HUGE = 12 * 1024 * 1024
ROOMY = Limits(max_xml_bytes=20 * 1024 * 1024, max_body_bytes=40 * 1024 * 1024)


def test_x10_a_huge_document_stops_at_the_size_limit_before_lxml() -> None:
    error = refused(b"<a>" + b"A" * HUGE + b"</a>")
    assert type(error) is LimitExceededError
    assert str(error) == "test: document is larger than 5242880 bytes (Limits.max_xml_bytes)"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"<a>" + b"A" * HUGE + b"</a>", "Resource limit exceeded: Text node too long"),
        (b'<a b="' + b"A" * HUGE + b'"/>', "Resource limit exceeded: Buffer size limit exceeded"),
        (b"<a><!--" + b"A" * HUGE + b"--></a>", "Comment too big found"),
    ],
    ids=["text", "attribute", "comment"],
)
def test_x10_libxml2_caps_hold_behind_a_raised_limit(payload: bytes, reason: str) -> None:
    error = refused(payload, limits=ROOMY)
    assert type(error) is MalformedRequestError
    assert str(error).startswith(f"test: document is not well-formed XML ({reason}")


def test_x10_through_mm7_is_a_413_with_a_2004_fault() -> None:
    body = mm7_report("A" * (6 * 1024 * 1024))
    with pytest.raises(LimitExceededError) as caught:
        mmsdr.parse_request([("Content-Type", "text/xml")], body, None)
    assert caught.value.status_hint == 413
    assert b"<StatusCode>2004</StatusCode>" in caught.value.ack.body


# X11 ----------------------------------------------------------------------------------------------------------------
def test_x11_gzipped_xml_is_not_inflated() -> None:
    error = refused(gzip.compress(b"<a>" + b"A" * (200 * 1024 * 1024) + b"</a>", compresslevel=1))
    assert str(error) == "test: document is not well-formed XML (Start tag expected, '<' not found, line 1, column 1)"


# X12 ----------------------------------------------------------------------------------------------------------------
def test_x12_a_comment_or_pi_does_not_split_a_value() -> None:
    root = parse_xml(b"<Number>+1555<!-- -->1234567<?pi x?>89</Number>", LIMITS, what="t")
    assert root.text == "+1555123456789"


def test_x12_through_mm7() -> None:
    body = mm7_report("m-1").replace(b"447700900123", b"4477<!-- split -->009<?pi x?>00123")
    (event,) = mmsdr.parse_request([("Content-Type", "text/xml")], body, None).events
    assert isinstance(event, mmsdr.DeliveryReport)
    assert event.recipient == "447700900123"


# X13 ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_x13_doctype_hidden_from_byte_scans(encoding: str) -> None:
    payload = f'<?xml version="1.0" encoding="{encoding.upper()}"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'
    data = payload.encode(encoding)
    assert b"<!DOCTYPE" not in data
    assert str(refused(data)) == DOCTYPE_REFUSED


def test_x13_through_mm7() -> None:
    body = mm7_report("m-1", doctype="<!DOCTYPE env:Envelope>").decode().encode("utf-16")
    with pytest.raises(MalformedRequestError) as caught:
        mmsdr.parse_request([("Content-Type", "text/xml")], body, None)
    assert (
        str(caught.value)
        == "mm7.delivery_report: SOAP envelope has a document type declaration (DOCTYPE is not allowed)"
    )


def test_a_doctype_without_entities_is_refused_too() -> None:
    assert str(refused(b"<!DOCTYPE r><r/>")) == DOCTYPE_REFUSED


# Encodings, namespaces, the API --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        ('<?xml version="1.0" encoding="utf-16"?><a>hé</a>'.encode(), None, "hé"),  # ASCII bytes cannot be UTF-16
        ('<?xml version="1.0" encoding="utf-16"?><a>hé</a>'.encode(), "utf-8", "hé"),
        ('<?xml version="1.0" encoding="utf-8"?><a>hé</a>'.encode("latin-1"), "ISO-8859-1", "hé"),
        ("<a>hé</a>".encode("utf-16-be"), "utf-16", "hé"),
        ("<a>hé</a>".encode("utf-16-le"), "UTF-16", "hé"),
        ("\ufeff<a>hé</a>".encode("utf-16-be"), "iso-8859-1", "hé"),  # a BOM wins over the charset
        ("\ufeff<a>hé</a>".encode(), None, "hé"),
        ("<a>hé</a>".encode(), "us-ascii", "hé"),  # ascii: read as the UTF-8 superset
        ("<a>hé</a>".encode(), "zlib", "hé"),  # not a text encoding: ignored, the document decides
        ("<a>hé</a>".encode(), "x-unknown", "hé"),
        ("<a>hé</a>".encode(), "utf\x00-8", "hé"),
    ],
)
def test_encodings(data: bytes, charset: str | None, text: str) -> None:
    assert parse_xml(data, LIMITS, what="t", charset=charset).text == text


def test_bytes_that_do_not_decode() -> None:
    error = refused("<a>hé</a>".encode("latin-1"))
    assert str(error) == "test: document is not well-formed XML (Invalid bytes in character encoding, line 1, column 5)"
    error = refused(b"<\x00a\x00>", charset="utf-32")
    assert str(error) == "test: document is not valid utf-32-le (byte 0), got b'<\\x00a\\x00>'"


@pytest.mark.parametrize("declaration", ['xmlns="urn:x "', 'xmlns=" urn:x"', "xmlns='urn:x\n  '", 'xmlns:p="urn:\n x"'])
def test_whitespace_in_a_namespace_name_is_removed(declaration: str) -> None:
    prefix = "p:" if "xmlns:p" in declaration else ""
    root = parse_xml(f"<{prefix}a {declaration}><{prefix}b/></{prefix}a>".encode(), LIMITS, what="t")
    assert (namespace_of(str(root.tag)), local_name(str(root.tag))) == ("urn:x", "a")


def test_other_errors_are_reported_before_a_namespace_name() -> None:
    error = refused(b'<a xmlns="urn:x "><b></a>')
    assert str(error) == (
        "test: document is not well-formed XML (Opening and ending tag mismatch: b line 1 and a, line 1, column 26)"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "test: document is not well-formed XML (Document is empty, line 1, column 1)"),
        (b"<p:a/>", "test: document is not well-formed XML (Namespace prefix p on a is not defined, line 1, column 5)"),
        (
            b"<a>&undefined;</a>",
            "test: document is not well-formed XML (Entity 'undefined' not defined, line 1, column 15)",
        ),
        (
            b"<a/><b/>",
            "test: document is not well-formed XML (Extra content at the end of the document, line 1, column 5)",
        ),
    ],
)
def test_malformed_documents(data: bytes, message: str) -> None:
    assert str(refused(data)) == message


def test_bytes_only() -> None:
    with pytest.raises(TypeError, match="parse_xml takes bytes, not str"):
        parse_xml("<a/>", LIMITS, what="t")  # type: ignore[arg-type]


def test_names() -> None:
    assert (local_name("{urn:x}Name"), local_name("Name")) == ("Name", "Name")
    assert (namespace_of("{urn:x}Name"), namespace_of("Name")) == ("urn:x", None)


def test_one_parser_per_thread() -> None:
    results: list[str | None] = []

    def work(number: int) -> None:
        for _ in range(200):
            root = parse_xml(f"<a>{number}</a>".encode(), LIMITS, what="t")
            if root.text != str(number):
                results.append(root.text)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == []


def test_the_element_cap_counts_one_by_one_where_a_byte_count_cannot_bound_it() -> None:
    # UTF-7 writes "<" as "+ADw-": five elements, two 0x3C bytes after the root. The byte count alone would let
    # a document past any cap; the declared encoding sends it to the exact count.
    data = b'<?xml version="1.0" encoding="UTF-7"?><r>' + b"+ADw-b/+AD4-" * 5 + b"</r>"
    root, document = parse_xml_document(data, LIMITS, what="t: document")
    assert len(root) == 5
    assert document.count(b"<") - 1 < 5
    with pytest.raises(LimitExceededError) as caught:
        check_element_count(document, root, 4, what="t: document", field="Envelope")
    assert str(caught.value) == "t: document has more than 4 elements (Limits.max_xml_elements)"
    assert caught.value.field == "Envelope"
    check_element_count(document, root, 5, what="t: document")  # exactly at the cap: accepted


def test_the_byte_count_clears_an_ordinary_document_and_the_exact_count_decides_near_the_cap() -> None:
    data = b"<r>" + b"<b/>" * 5 + b"</r>"
    root, document = parse_xml_document(data, LIMITS, what="t")
    check_element_count(document, root, 5, what="t")  # 6 "<" bytes: over the bound, counted exactly, accepted
    with pytest.raises(LimitExceededError):
        check_element_count(document, root, 4, what="t")

"""The one XML reader: lxml, hardened against every XML attack in the threat catalogue (docs/security.md).

What it does, and the catalogue row each setting answers:

* ``resolve_entities=False``: entities stay unexpanded (X3, X4, X5); and any document that still holds an
  entity node, or a DOCTYPE at all, is refused *after* the parse (X13: a byte scan misses ``<!DOCTYPE`` in a
  UTF-16 body). "A SOAP message MUST NOT contain a Document Type Declaration" (SOAP 1.1 section 3).
* ``no_network=True``, ``load_dtd=False``, ``dtd_validation=False``, ``attribute_defaults=False``: nothing is
  ever fetched (X6); bytes are parsed, never a file name or URL (X11: bytes are never inflated).
* ``huge_tree=False``: libxml2 keeps its depth (256) and text-node (~10 MB) caps (X9, X10) and its entity
  amplification checks (X1, X2); ``Limits.max_xml_bytes`` caps the document before lxml sees it.
* ``remove_comments=True``, ``remove_pis=True``: a comment cannot split a value (X12).
* XInclude and XSLT are never applied (X7, X8), and lxml's recover mode is never used.

lxml is imported on first use, so that a process reading only query-string callbacks never loads it
(a provider's heavy dependencies load only when it is read).
"""

from __future__ import annotations

import codecs
import re
import threading
from typing import TYPE_CHECKING, Any

from .._errors import LimitExceededError, MalformedRequestError, shown

if TYPE_CHECKING:
    from types import ModuleType

    from lxml import etree

    from .._limits import Limits

__all__ = (
    "check_element_count",
    "local_name",
    "namespace_of",
    "parse_xml",
    "parse_xml_document",
)

# lxml advises one parser per thread, reused ("not harmful, but more efficient", lxml FAQ): a reused parser keeps
# its libxml2 parser context, and a new one costs about 6 us per document (benchmarks/run.py, MM7). A resource
# pool, not a cache of results: it holds no request data, one parser per thread per codec name (a bounded set).
_PARSERS = threading.local()

# Byte order marks, longest first: "FF FE 00 00" starts like the UTF-16 LE mark.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The first bytes a mark can start with: any other first byte (a "<" above all) has none to look for.
_BOM_STARTS = frozenset(bom[:1] for bom, _ in _BOMS)

# Declarations that cannot be true of a document whose first bytes are "<?xm" in ASCII (XML 1.0 appendix F:
# "3C 3F 78 6D" means an ASCII-compatible encoding). Vibes sends encoding="utf-16" on UTF-8 bytes (its
# delivery-receipts page).
_WIDE_DECLARATION = re.compile(
    rb"""<\?xml[^>]{0,200}?\sencoding\s*=\s*["']\s*(?:utf-?16|utf-?32|ucs-?2|ucs-?4|iso-10646-ucs)""",
    re.IGNORECASE,
)
# A match never crosses the first ">" and always holds "16", "32" or "ucs" (lower-cased): checking for them first
# spares the regex on the usual encoding="UTF-8".
_DECLARATION_SCAN = 4096

# US-ASCII is a subset of UTF-8: a body labelled us-ascii that holds UTF-8 reads as meant, not as an error.
_ASCII_NAMES = frozenset({"ascii", "us-ascii", "us_ascii", "ansi_x3.4-1968", "646"})

# Python codec names (codecs.lookup(...).name) of the character sets a MIME charset may name.
_CHARSET_CODECS = (
    "utf-8", "utf-16", "utf-32", "iso8859", "latin", "cp", "mac-", "koi8", "gb", "big5", "euc", "shift_jis",
    "iso2022", "hz", "johab", "tis-620", "kz1048", "ptcp154",
)  # fmt: skip

# libxml2 reports a namespace name with a space in it ("...REL-6-MM7-1-0 ", seen in China Mobile gateway traffic;
# a URI broken across two lines in Skycore's samples) as this error. When it is the only thing wrong, the
# document is read again with the whitespace removed from its namespace declarations (a URI never holds any).
_NAMESPACE_URI_ERROR = "WAR_NS_URI"
_NAMESPACE_DECLARATION = re.compile(rb"""(?P<name>\sxmlns(?::[^\s=/>]+)?\s*=\s*)(?P<value>"[^"<]*"|'[^'<]*')""")

# An lxml message names the line and column; it is cut so that an error stays one readable line.
_REASON_CHARS = 160


def local_name(tag: str) -> str:
    """``"{urn:x}Name"`` -> ``"Name"``: MM7 is read by local name, whatever the namespace (docs/mm7.md)."""
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str | None:
    """``"{urn:x}Name"`` -> ``"urn:x"``; None for a name in no namespace."""
    if tag.startswith("{"):
        return tag[1:].partition("}")[0]
    return None


def _lxml() -> ModuleType:
    from lxml import etree  # noqa: PLC0415 - loaded on first use, see the module docstring

    return etree


def _new_parser(encoding: str | None) -> etree.XMLParser:
    parser: etree.XMLParser = _lxml().XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    return parser


def _parser(encoding: str | None) -> etree.XMLParser:
    parsers: dict[str | None, etree.XMLParser] | None = getattr(_PARSERS, "parsers", None)
    if parsers is None:
        parsers = _PARSERS.parsers = {}
    parser = parsers.get(encoding)
    if parser is None:
        parser = parsers[encoding] = _new_parser(encoding)
    return parser


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    if data[:1] not in _BOM_STARTS:
        return None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _charset_encoding(charset: str) -> str | None:
    """The Python codec for a MIME charset, or None when Python does not know it (lxml then decides)."""
    name = charset.strip().strip("\"'").lower()
    if name in _ASCII_NAMES:
        return "utf-8"
    try:
        encoding = codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return None
    # Ordinary character sets only: not "zlib" or "base64" (not text encodings at all), nor "punycode",
    # "idna", "unicode-escape" or "utf-7" (text codecs that no XML sender uses, some slow on hostile input).
    return encoding if encoding.startswith(_CHARSET_CODECS) else None


def _declared_wide_encoding(data: bytes) -> bool:
    """True when ASCII bytes start with a declaration that names UTF-16/32 (which cannot be true of them)."""
    end = data.find(b">", 0, _DECLARATION_SCAN)
    head = data if end < 0 else data[: end + 1]
    if end >= 0:
        declaration = head.lower()
        if b"16" not in declaration and b"32" not in declaration and b"ucs" not in declaration:
            return False
    return _WIDE_DECLARATION.match(head) is not None


def _as_utf8(data: bytes, charset: str | None, what: str, field: str | None) -> tuple[bytes, str | None]:
    """The document as bytes plus the encoding to force on lxml (None: let the XML declaration decide).

    A byte order mark wins over a ``charset`` parameter, which wins over the XML declaration (RFC 7303 section
    3); some senders declare utf-16 on UTF-8 bytes (Vibes).
    """
    found = _bom_encoding(data)
    if found is not None:
        encoding, skip = found
        data = data[skip:]
    elif charset:
        encoding_or_none = _charset_encoding(charset)
        if encoding_or_none is None:
            return data, None
        encoding = encoding_or_none
    elif _declared_wide_encoding(data):
        encoding = "utf-8"
    else:
        return data, None
    if encoding in {"utf-8", "utf_8"}:
        return data, "UTF-8"  # libxml2 checks the UTF-8 itself: no need to decode it twice
    if encoding in {"utf-16", "utf-32"}:  # a charset label without byte order: a leading NUL means big-endian
        encoding += "-be" if data[:1] == b"\x00" else "-le"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        msg = f"{what} is not valid {encoding} (byte {exc.start}), got {shown(data[exc.start : exc.start + 8])}"
        raise MalformedRequestError(msg, field=field) from None
    return text.encode("utf-8"), "UTF-8"


def _reason(exc: Exception) -> str:
    lines = str(getattr(exc, "msg", None) or exc).splitlines()
    reason = lines[0] if lines else type(exc).__name__
    if len(reason) > _REASON_CHARS:
        reason = reason[: _REASON_CHARS - 3] + "..."
    return reason


def _first_error(parser: etree.XMLParser, exc: Exception) -> str:
    """The first error that is not a tolerated namespace name, with its line and column."""
    for entry in parser.error_log:
        if entry.type_name != _NAMESPACE_URI_ERROR:
            reason = f"{entry.message.strip()}, line {entry.line}, column {entry.column}"
            return reason if len(reason) <= _REASON_CHARS else reason[: _REASON_CHARS - 3] + "..."
    return _reason(exc)


def _squeeze(match: re.Match[bytes]) -> bytes:
    return match["name"] + b"".join(match["value"].split())


def _only_namespace_uri_errors(parser: etree.XMLParser) -> bool:
    entries = list(parser.error_log)
    return bool(entries) and all(entry.type_name == _NAMESPACE_URI_ERROR for entry in entries)


def parse_xml(
    data: bytes,
    limits: Limits,
    /,
    *,
    what: str,
    field: str | None = None,
    charset: str | None = None,
) -> etree._Element:
    """Parse one untrusted XML document into its root element, or raise an [`mmsdr.MmsdrError`][mmsdr.MmsdrError].

    Args:
        data: the document's bytes (never ``str``: the encoding is decided from the bytes).
        limits: ``max_xml_bytes`` caps the document.
        what: how error messages name the document: ``"mm7.deliver: SOAP envelope"``.
        field: the ``field`` the errors carry.
        charset: the MIME ``charset`` parameter the document came with, if any; it (or a byte order mark)
            wins over the XML declaration.

    Raises:
        LimitExceededError: the document is larger than ``limits.max_xml_bytes``.
        MalformedRequestError: not well-formed, not in the encoding it claims, or with a DOCTYPE or entity.
    """
    return parse_xml_document(data, limits, what=what, field=field, charset=charset)[0]


def parse_xml_document(
    data: bytes, limits: Limits, /, *, what: str, field: str | None = None, charset: str | None = None
) -> tuple[etree._Element, bytes]:
    """``parse_xml``, also giving the bytes libxml2 read (what ``check_element_count`` counts in, which a
    caller runs once it has read what an error should echo)."""
    if not isinstance(data, bytes):
        msg = f"parse_xml takes bytes, not {type(data).__name__}"
        raise TypeError(msg)
    if len(data) > limits.max_xml_bytes:
        msg = f"{what} is larger than {limits.max_xml_bytes} bytes (Limits.max_xml_bytes)"
        raise LimitExceededError(msg, field=field)
    lxml_etree: Any = _lxml()
    if charset is None and data[:1] == b"<" and not _declared_wide_encoding(data):
        document, encoding = data, None  # the usual case: no byte order mark, no charset, nothing to override
    else:
        document, encoding = _as_utf8(data, charset, what, field)
    parser = _parser(encoding)
    try:
        try:
            root: etree._Element = lxml_etree.fromstring(document, parser)
        except lxml_etree.XMLSyntaxError:
            if not _only_namespace_uri_errors(parser):
                raise
            # Nothing wrong but a namespace name with whitespace in it: read it again with the whitespace taken
            # out of the namespace declarations, strictly as ever.
            root = lxml_etree.fromstring(_NAMESPACE_DECLARATION.sub(_squeeze, document), parser)
    except lxml_etree.XMLSyntaxError as exc:
        msg = f"{what} is not well-formed XML ({_first_error(parser, exc)})"
        raise MalformedRequestError(msg, field=field) from None
    except (lxml_etree.LxmlError, ValueError) as exc:  # an encoding lxml does not know, an internal error
        msg = f"{what} is not readable XML ({_reason(exc)})"
        raise MalformedRequestError(msg, field=field) from None
    _check_no_dtd(root.getroottree().docinfo, what, field)
    return root, document


# Encodings in which every "<" of the document is a 0x3C byte (ASCII supersets, UTF-16, UTF-32), as libxml2 names
# them. Not UTF-7 ("+ADw-") nor EBCDIC.
_LT_IS_3C = ("UTF-8", "UTF-16", "UTF-32", "US-ASCII", "ASCII", "ISO-8859-", "WINDOWS-125")


def check_element_count(
    document: bytes, root: etree._Element, limit: int, /, *, what: str, field: str | None = None
) -> None:
    """Refuse a document with more than ``limit`` elements below its root.

    A request with thousands of elements is an attack, not MMS: real ones have a few dozen. Every element has
    a start tag, so where "<" is always the byte 0x3C, the number of those bytes bounds the element count (end
    tags, comments and CDATA only add to it): one C-speed ``count`` clears every real request, and only a
    document near the cap has its elements counted one by one.
    """
    if _few_elements(document, root.getroottree().docinfo, limit):
        return
    if sum(1 for _ in root.iterdescendants()) > limit:
        msg = f"{what} has more than {limit} elements (Limits.max_xml_elements)"
        raise LimitExceededError(msg, field=field)


def _few_elements(document: bytes, docinfo: etree.DocInfo, limit: int) -> bool:
    """True when the byte count alone shows at most ``limit`` elements below the root (see
    ``check_element_count``)."""
    if document.count(b"<") - 1 > limit:
        return False
    return str(docinfo.encoding or "UTF-8").upper().startswith(_LT_IS_3C)


def _check_no_dtd(docinfo: etree.DocInfo, what: str, field: str | None) -> None:
    # DocInfo.doctype is read from these two subsets, so it is empty when both are None: no need to build it.
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        # SOAP 1.1 section 3: "A SOAP message MUST NOT contain a Document Type Declaration."
        msg = f"{what} has a document type declaration (DOCTYPE is not allowed)"
        raise MalformedRequestError(msg, field=field)
    # No entity node can be left: an entity needs a declaration, declarations need a DOCTYPE, and libxml2 refuses
    # a reference to an undeclared entity as not well-formed (XML 1.0, WFC "Entity Declared"); test_xml shows it.

"""Reading one MM7 request: the SOAP part of the body, the envelope, and the operation's elements by local name.

Everything is keyed by local name, whatever the namespace: REL-5-MM7-1-0 to REL-6-MM7-1-4, vendor ones such
as REL-6-MM7-6-7, a namespace with a trailing space, or none (all seen from real MMSCs and peer
implementations). One reading for every request: ``read_message`` fills an ``Mm7Reader`` with the envelope's
values and the operation's elements, indexed by local name in one pass over each level (cheaper than a
``findtext`` per field), and the format builds its event from it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from .._errors import LimitExceededError, MalformedRequestError, MmsdrError, UnsupportedFormatError, shown
from .._format import Times
from .._wire.xml import check_element_count, local_name, namespace_of, parse_xml_document
from ._responses import DEFAULT_VERSION, StatusCode, with_status

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from lxml import etree

    from .._format import ParseContext, ProviderTime
    from .._request import Request
    from .._wire.multipart import BodyPart

__all__ = (
    "MEDIA_TYPES",
    "OPERATIONS",
    "OPERATOR_HEADERS",
    "PROFILE_HEADERS",
    "PROVIDER",
    "ZONE",
    "Address",
    "Mm7Reader",
    "looks_like",
    "matcher",
    "part_data",
    "read_message",
)

PROVIDER = "mm7"

#: The zone of a time without a UTC offset. TS 23.140's dates are XML Schema's xs:dateTime, whose zone-less
#: values are local to nobody in particular; UTC is the one reading that is not a guess about the MMSC's country
#: (a China Mobile MMSC means +08:00): set the endpoint's zone with ``Parser(default_zone=...)``.
ZONE = "UTC"
# What an MM7 date looks like (xs:dateTime), for the warning about one that does not read.
_DATE_FORM = "an xs:dateTime of the form yyyy-MM-ddThh:mm:ss with an optional UTC offset"

#: The operations mmsdr reads, by the event they become.
OPERATIONS = ("DeliveryReportReq", "DeliverReq", "ReadReplyReq")

# The media types an MM7 request comes as: bare SOAP (1.1 text/xml, 1.2 application/soap+xml) or SOAP with
# attachments (multipart/related, RFC 2387). Telnyx's MM7 gateway guide: inbound webhooks "must accept both".
MEDIA_TYPES = frozenset({"text/xml", "application/xml", "application/soap+xml", "multipart/related"})
SOAP_NAMESPACES = frozenset({"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"})
_XML_PART_TYPES = frozenset({"text/xml", "application/xml", "application/soap+xml"})

# Detection reads the head of the body only: the SOAP part comes first in every known sender.
_SNIFF_BYTES = 64 * 1024

# Operation element names and envelope markers as they appear in ASCII, UTF-16 LE and UTF-16 BE bodies.
_ENCODINGS = ("ascii", "utf-16-le", "utf-16-be")


def _forms(marker: str) -> tuple[bytes, ...]:
    return tuple(marker.encode(encoding) for encoding in _ENCODINGS)


_ENVELOPE_FORMS = _forms("Envelope")
_OPERATION_FORMS = {operation: _forms(operation) for operation in OPERATIONS}
# "Clearly MM7": the namespace path every MM7 namespace shares, or an element only MM7 has.
_MM7_FORMS = _forms("/23.140/") + _forms("MM7Version") + _forms("TransactionID")
_ANY_OPERATION_FORMS = tuple(form for forms in _OPERATION_FORMS.values() for form in forms)

# The HTTP headers an MM7 request may carry that the event reads, kept in ``raw`` as "http:<name>".
# Operator: "x-mblox-operator-id" (Sinch today), "X-Mblox-Carrier-Id" (2020), "X-Skycore-Carrier-Id",
# "X-OpenMarket-Carrier-Id" (each from that sender's MM7 guide). Handset: "UAProf" / "X-Wap-Profile".
OPERATOR_HEADERS = ("x-mblox-operator-id", "x-mblox-carrier-id", "x-openmarket-carrier-id", "x-skycore-carrier-id")
PROFILE_HEADERS = ("uaprof", "x-wap-profile")
_RAW_HEADERS = frozenset({"content-type", "soapaction", *OPERATOR_HEADERS, *PROFILE_HEADERS})

# Address elements (3GPP TS 23.140, as every peer implementation reads them), compared case-insensitively:
# mmsgw writes "Shortcode".
_ADDRESS_KINDS = {"number": "Number", "shortcode": "ShortCode", "rfc2822address": "RFC2822Address"}
_RECIPIENT_KINDS = ("To", "Cc", "Bcc")

# "+3859100010010/TYPE=PLMN" (Nokia), "<num>/TYPE=PLMN@mm7.mms.telstra.com": the number is what comes before.
_PLMN = re.compile(r"/TYPE=PLMN(?:@|$)", re.IGNORECASE)

# "Version number in the format of x.y.z" (the annotation of the MM7 schema's MM7Version). Only echoed back: any
# other value is kept and echoed with a warning ("1.0": a Korean operator's MM7 specification and simulator).
_VERSION = re.compile(r"(?P<major>[0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}", re.ASCII)
# REL-5 (5.x.x) and REL-6 (6.x.x) are the MM7 there is: MMS work moved to OMA after 3GPP Release 6.
_SUPPORTED_MAJORS = frozenset({"5", "6"})


def _head_has(body: bytes, forms: tuple[bytes, ...]) -> bool:
    # find() with an end index searches the head in place: slicing would copy 64 KiB per format tried. A loop,
    # not any() over a generator (0.3 µs, not 0.7): detection runs on every request.
    for form in forms:  # noqa: SIM110 - see above
        if body.find(form, 0, _SNIFF_BYTES) >= 0:
            return True
    return False


def looks_like(request: Request, operation: str) -> bool:
    """Cheap detection: an XML or multipart/related body whose head holds a SOAP envelope and ``operation``.

    Any other MM7 request (a SubmitReq, a CancelReq, a fault) matches too, so that it is answered with a 4003
    fault rather than a plain 415: the first MM7 format an endpoint accepts reads it and refuses it.
    """
    if request.media_type not in MEDIA_TYPES:
        return False
    body = request.body
    # The ASCII form comes first in each tuple: for a UTF-8 body the first find answers.
    if not _head_has(body, _ENVELOPE_FORMS):
        return False
    if _head_has(body, _OPERATION_FORMS[operation]):
        return True
    return _head_has(body, _MM7_FORMS) and not _head_has(body, _ANY_OPERATION_FORMS)


def matcher(operation: str) -> Callable[[Request], bool]:
    """``Format.matches`` for ``operation``."""

    def matches(request: Request) -> bool:
        return looks_like(request, operation)

    return matches


class Address(NamedTuple):
    """One MM7 address: ``<Number>``, ``<ShortCode>``, ``<RFC2822Address>`` or bare text."""

    value: str
    """The address, trimmed, without a ``/TYPE=PLMN`` suffix (``raw`` keeps it as sent)."""

    kind: str
    """``"Number"``, ``"ShortCode"``, ``"RFC2822Address"``, or ``""`` for bare text."""


class Mm7Reader:
    """One MM7 request, read: its operation, its header values and the operation's elements by local name.

    Only the levels the event reads are indexed: the SOAP header's children and the operation's children. A
    deeper path (``Recipients/To``) is found from them when asked for, and ``raw`` is built from the tree only
    when the event's ``raw`` is first read (one pass over the children costs least).
    """

    __slots__ = (
        "_first",
        "_header",
        "_operation",
        "_repeats",
        "_times",
        "attachments",
        "context",
        "format",
        "header_items",
        "headers",
        "mm7_version",
        "namespace",
        "operation",
        "transaction_id",
        "warnings",
    )

    def __init__(self, format_name: str, context: ParseContext) -> None:
        self.format = format_name
        self.context = context
        self.operation: str | None = None
        self.namespace: str | None = None
        self.transaction_id: str | None = None
        self.mm7_version: str | None = None
        self.attachments: tuple[BodyPart, ...] = ()
        self.headers: dict[str, str] = {}
        # The request's headers as received, for ``raw`` (which keeps the first of each name it reads).
        self.header_items: tuple[tuple[str, str], ...] = ()
        # The first element at each indexed path; every one of them only where a path repeats (rare).
        self._first: dict[str, etree._Element] = {}
        self._repeats: dict[str, list[etree._Element]] = {}
        self._header: etree._Element | None = None
        self._operation: etree._Element | None = None
        #: What was read leniently (a missing date, a wrapped address): the callback's warnings.
        self.warnings: list[str] = []
        self._times = Times(context, self.warnings, noun="element", form=_DATE_FORM)

    def index(self, element: etree._Element, prefix: str) -> None:
        """Record ``element``'s children by ``prefix`` plus their local name.

        Every child is an element: the parser removed comments and processing instructions, and a document
        with a DOCTYPE (so any entity) was refused.
        """
        first = self._first
        for child in element:
            path = prefix + child.tag.rpartition("}")[2]
            earlier = first.setdefault(path, child)
            if earlier is not child:  # a repeat: rare, so kept apart from the one-element common case
                self._repeats.setdefault(path, [earlier]).append(child)

    def read_header(self, header: etree._Element) -> None:
        self._header = header
        self.index(header, "Header/")

    def read_operation(self, operation: etree._Element) -> None:
        self._operation = operation
        self.index(operation, "")

    def raw_source(self) -> Callable[[], list[tuple[str, str]]]:
        """What builds ``raw`` (see [`RawFields.lazy`][mmsdr.RawFields.lazy]): see ``raw_source``."""
        return raw_source(self._header, self._operation, self.header_items)

    # --- errors -----------------------------------------------------------------------------------------------

    def error(
        self,
        field: str,
        problem: str,
        value: object = None,
        *,
        show: bool = True,
        status: StatusCode = StatusCode.MESSAGE_FORMAT_CORRUPT,
    ) -> MmsdrError:
        """A [`MalformedRequestError`][mmsdr.MalformedRequestError] about element ``field``, its fault carrying
        ``status``."""
        text = f"{self.format}: element {field!r} {problem}"
        if show:
            text += f", got {shown(value)}"
        error = MalformedRequestError(text, provider=PROVIDER, format=self.format, field=field)
        return with_status(error, status)

    def missing(self, field: str) -> MmsdrError:
        """A mandatory element is absent: TS 23.140's "Validation error" (4004)."""
        return self.error(field, "is missing", show=False, status=StatusCode.VALIDATION_ERROR)

    # --- values -----------------------------------------------------------------------------------------------

    def elements(self, path: str) -> list[etree._Element]:
        """Every element at ``path``, in document order: an indexed one, or found below one
        (``Recipients/To``)."""
        repeats = self._repeats.get(path)
        if repeats is not None:
            return repeats
        element = self._first.get(path)
        if element is not None:
            return [element]
        parent, _, name = path.rpartition("/")
        if not parent or parent == "Header":
            return []
        return [child for above in self.elements(parent) for child in above if child.tag.rpartition("}")[2] == name]

    def find_anywhere(self, name: str) -> etree._Element | None:
        """The first element named ``name`` at any depth, in the header then the operation (a fault's detail)."""
        for top in (self._header, self._operation):
            if top is not None:
                for element in top.iterdescendants():
                    if element.tag.rpartition("}")[2] == name:
                        return element
        return None

    def text(self, path: str, *, field: str | None = None) -> str | None:
        """The element's text, trimmed; None when absent. Repeats with different values are refused (Q1), as
        ``field`` (``path`` when None)."""
        if path not in self._repeats:
            element = self._first.get(path)
            if element is not None:
                return (element.text or "").strip()
            if "/" not in path:
                return None
        found = self.elements(path)
        if not found:
            return None
        values = [_text_of(element).strip() for element in found]
        if any(value != values[0] for value in values[1:]):
            raise self.error(field or path, "is repeated with different values", values)
        return values[0]

    def required_text(self, path: str) -> str:
        """The element's text, trimmed, which must be present (4004) and not blank (2007)."""
        value = self.text(path)
        if value is None:
            raise self.missing(path)
        if not value:
            raise self.error(path, "is empty", _text_of(self.elements(path)[0]))
        return value

    def attribute(self, path: str, name: str) -> str | None:
        """An attribute of the first element at ``path`` that has it, by local name (``href`` or ``mm7:href``),
        trimmed."""
        for element in self.elements(path):
            found = attribute_of(element, name)
            if found is not None:
                return found
        return None

    def date(self, *paths: str) -> ProviderTime:
        """The first of ``paths`` that is not blank, read as ``Times.read`` does: the time of reading, with a
        warning, when none is there or it does not read."""
        first: tuple[str, str | None] = (paths[0], None)
        for path in paths:
            text = self.text(path)
            if text:
                return self._times.read(path, text)
            if text is not None and first[1] is None:
                first = (path, text)
        return self._times.read(*first)

    def addresses(self, path: str) -> tuple[Address, ...]:
        """Every address inside the element(s) at ``path``, in order; ``To``/``Cc``/``Bcc`` wrappers looked into
        (instantcom-mm7 accepts ``Recipient/To/Number``)."""
        found: list[Address] = []
        for container in self.elements(path):
            self._collect_addresses(path, container, found)
        return tuple(found)

    def _collect_addresses(self, path: str, container: etree._Element, found: list[Address]) -> None:
        if not len(container):
            text = _text_of(container).strip()
            if text:  # bare text: "<Sender>+8618703815655</Sender>" (China Mobile gateways)
                found.append(_address(text, ""))
            return
        for child in container:  # elements only: see walk(); the walk keeps their proxies alive, so no new ones
            name = child.tag.rpartition("}")[2]
            kind = _ADDRESS_KINDS.get(name.casefold())
            if kind is not None:
                text = _text_of(child).strip()
                if not text:
                    raise self.error(f"{path}/{name}", "is empty", _text_of(child))
                found.append(_address(text, kind))
            elif name in _RECIPIENT_KINDS:
                self._collect_addresses(f"{path}/{name}", child, found)
            elif name == "SenderAddress":
                # <Sender><SenderAddress><Number>: SubmitReq's SenderIdentification shape, sent in a Sender.
                self.warnings.append(f"element {path!r} wraps its address in 'SenderAddress'")
                self._collect_addresses(f"{path}/{name}", child, found)

    def address(self, path: str, *, required: bool) -> Address | None:
        """The one address at ``path``: the first when several are given."""
        container = self._first.get(path)
        if container is not None and len(container) and path not in self._repeats:
            # The usual shape, <Recipient><Number>...</Number></Recipient>, read without building a list.
            child = container[0]
            kind = _ADDRESS_KINDS.get(child.tag.rpartition("}")[2].casefold())
            if kind is not None and (text := (child.text or "").strip()):
                return _address(text, kind)
        found = self.addresses(path)
        if found:
            return found[0]
        if not self.elements(path):
            if required:
                raise self.missing(path)
            return None
        raise self.error(path, "holds no address (Number, ShortCode, RFC2822Address or text)", show=False)


def raw_source(
    header: etree._Element | None, operation: etree._Element | None, header_items: tuple[tuple[str, str], ...]
) -> Callable[[], list[tuple[str, str]]]:
    """What builds ``raw`` (see [`RawFields.lazy`][mmsdr.RawFields.lazy]): every element's text and attribute by path
    (``Recipient/Number``, ``UACapabilities@UAProf``), the SOAP header's as ``Header/<path>``, then the HTTP
    headers read as ``http:<name>`` (the first of each name). It holds the parsed envelope, not the request, and
    takes the attributes off it as it reads them: call the builder once (RawFields.lazy does)."""

    def build() -> list[tuple[str, str]]:
        raw: list[tuple[str, str]] = []
        if header is not None:
            _walk(header, "Header/", raw)
        if operation is not None:
            _walk(operation, "", raw)
        kept: dict[str, str] = {}
        for name, value in header_items:
            if name in _RAW_HEADERS and name not in kept:
                kept[name] = value
        raw.extend((f"http:{name}", value) for name, value in kept.items())
        return raw

    return build


def _walk(element: etree._Element, prefix: str, raw: list[tuple[str, str]]) -> None:
    """Every element under ``element`` by its path of local names: leaves' text and all attributes as sent,
    unknown elements included."""
    append = raw.append
    for child in element:
        path = prefix + child.tag.rpartition("}")[2]
        leaf = not len(child)
        if leaf:
            append((path, child.text or ""))
        attributes = child.attrib
        if len(attributes):
            # Not child.items(): lxml looks each value up by name, a scan from the first attribute, so 80,000
            # attributes on one element took 35 s. Each is taken off the front instead (keys() is one pass): the
            # tree is this source's own after the parse, and RawFields builds once.
            for key in child.keys():  # noqa: SIM118 - iterating an element gives its children
                append((f"{path}@{str(key).rpartition('}')[2]}", str(attributes.pop(key))))
        if not leaf:
            _walk(child, path + "/", raw)


def _text_of(element: etree._Element) -> str:
    # Comments and PIs are removed at parse time, so the text is one node (X12 in docs/security.md).
    return element.text or ""


def _address(text: str, kind: str) -> Address:
    return Address(_address_value(text), kind)


def _address_value(text: str) -> str:
    match = _PLMN.search(text) if "/" in text else None  # no "/": no suffix, and no regex run
    return text[: match.start()] if match else text


# --- the body ---------------------------------------------------------------------------------------------------


def _content_type(value: str | None, reader: Mm7Reader) -> tuple[str, Mapping[str, str]]:
    if not value:
        return "", {}
    if ";" not in value:  # no parameters: nothing for the full parser to read
        return value.strip().lower(), {}
    from .._wire.content_type import parse_content_type  # noqa: PLC0415 - python-multipart only when MM7 is read

    try:
        return parse_content_type(value, what=reader.format)
    except MalformedRequestError as error:
        raise with_status(error, StatusCode.VALIDATION_ERROR) from None


def _soap_part(request: Request, reader: Mm7Reader, content_type: str | None) -> tuple[bytes, str | None]:
    """The SOAP envelope's bytes and charset: the whole body, or the root part of a multipart/related body."""
    media, params = _content_type(content_type, reader)
    boundary = params.get("boundary")
    if not media.startswith("multipart/") or not boundary:
        # Sinch's DR: "Content-Type: multipart/related; type="text/xml";" with no boundary, the body bare XML.
        return request.body, params.get("charset")
    if f"--{boundary}".encode("latin-1", "replace") not in request.body and request.body.lstrip()[:1] == b"<":
        # A boundary announced but never used, and the body plainly XML: read it as the bare envelope it is.
        return request.body, None
    from .._wire.multipart import parse_multipart  # noqa: PLC0415 - python-multipart only when MM7 is read

    try:
        parts = parse_multipart(request.body, content_type or "", reader.context.limits, what=reader.format)
    except (MalformedRequestError, UnsupportedFormatError) as error:  # not multipart after all, a broken body
        raise with_status(error, StatusCode.VALIDATION_ERROR) from None
    _check_unique_content_ids(parts, reader)
    root = _root_part(parts, params.get("start"), reader)
    reader.attachments = tuple(part for part in parts if part is not root)
    return part_data(root), root.params.get("charset")


def _check_unique_content_ids(parts: tuple[BodyPart, ...], reader: Mm7Reader) -> None:
    # `start` and Content hrefs name parts by Content-ID: two parts with one id would let two readers of the same
    # request take different parts for the envelope or the content (the threat catalogue in docs/security.md).
    seen: set[str] = set()
    for part in parts:
        if part.content_id is None:
            continue
        if part.content_id in seen:
            problem = "repeats the Content-ID of an earlier part"
            msg = f"{reader.format}: part {part.position} {problem}, got {shown(part.content_id)}"
            error = MalformedRequestError(msg, provider=PROVIDER, format=reader.format, field=f"part {part.position}")
            raise with_status(error, StatusCode.VALIDATION_ERROR)
        seen.add(part.content_id)


def _root_part(parts: tuple[BodyPart, ...], start: str | None, reader: Mm7Reader) -> BodyPart:
    # RFC 2387: "The start parameter, if given, is the content-ID of the compound object's 'root'." Sinch sends
    # start="soap-start" for Content-ID: <soap-start>; instantcom-mm7 sends it with <>. A start that names no
    # part is refused, not guessed at (docs/security.md).
    if start is not None and start.strip():
        wanted = start.strip().strip("<>").strip()
        for part in parts:
            if part.content_id is not None and part.content_id.strip() == wanted:
                return part
        for part in parts:
            if part.content_id is not None and part.content_id.strip().casefold() == wanted.casefold():
                return part
        msg = f"{reader.format}: parameter 'start' of the Content-Type names no part, got {shown(start)}"
        error = MalformedRequestError(msg, provider=PROVIDER, format=reader.format, field="content-type")
        raise with_status(error, StatusCode.VALIDATION_ERROR)
    # No start: "the first text/xml or application/xml part" (instantcom-mm7), as Vibes' MO needs (its
    # receive-an-MMS page sends no start).
    for part in parts:
        if part.media_type in _XML_PART_TYPES:
            return part
    msg = f"{reader.format}: the multipart body has no text/xml part for the SOAP envelope"
    error = MalformedRequestError(msg, provider=PROVIDER, format=reader.format, field="content-type")
    raise with_status(error, StatusCode.VALIDATION_ERROR)


def part_data(part: BodyPart) -> bytes:
    """A part's decoded bytes; a part that does not decode is "Multimedia content refused" (2004)."""
    try:
        return part.data
    except (MalformedRequestError, UnsupportedFormatError) as error:  # bad base64, an unknown encoding
        raise with_status(error, StatusCode.MULTIMEDIA_CONTENT_REFUSED) from None


# --- the envelope -----------------------------------------------------------------------------------------------


def read_message(request: Request, reader: Mm7Reader, operation: str) -> None:
    """Fill ``reader`` from ``request``: the envelope, then the ``operation`` element its format reads.

    ``reader`` is filled as reading goes, so that a failure still knows the TransactionID, namespace and version
    read before it (the fault echoes them).
    """
    root, document = read_document(request, reader)
    read_envelope(request, reader, root, document, operation)


def read_document(request: Request, reader: Mm7Reader) -> tuple[etree._Element, bytes]:
    """The SOAP envelope of ``request``, parsed (hardened): its root and the bytes libxml2 read."""
    format_name = reader.format
    content_type = request.headers.get("content-type")  # the first one, as media_type is of
    declared = request.media_type
    if declared and declared not in MEDIA_TYPES:
        # An endpoint that accepts one MM7 format reads whatever comes; a declared type that is not SOAP's is
        # refused (the 3GPP annex-style samples mark such a POST "Invalid because Content-Type ... is not correct").
        msg = (
            f"{format_name}: header 'content-type' must be text/xml, application/xml, application/soap+xml or "
            f"multipart/related, got {shown(declared)}"
        )
        error = UnsupportedFormatError(msg, provider=PROVIDER, format=format_name, field="content-type")
        raise with_status(error, StatusCode.VALIDATION_ERROR)
    data, charset = _soap_part(request, reader, content_type)
    try:
        return parse_xml_document(
            data,
            reader.context.limits,
            what=f"{format_name}: SOAP envelope",
            field="Envelope",
            charset=charset,
        )
    except MmsdrError as error:
        if not isinstance(error, LimitExceededError):
            with_status(error, StatusCode.VALIDATION_ERROR)
        error.provider, error.format = PROVIDER, format_name
        raise


def read_envelope(request: Request, reader: Mm7Reader, root: etree._Element, document: bytes, operation: str) -> None:
    """Fill ``reader`` from the parsed envelope: header values, the operation element, the version."""
    format_name = reader.format
    headers = reader.headers
    for name, value in request.headers.items:
        if name in _RAW_HEADERS and name not in headers:
            headers[name] = value
    reader.header_items = request.headers.items
    body = _envelope_body(root, reader)
    # After the header: a fault for too many elements still echoes the TransactionID.
    try:
        limit = reader.context.limits.max_xml_elements
        check_element_count(document, root, limit, what=f"{format_name}: SOAP envelope", field="Envelope")
    except MmsdrError as error:
        error.provider, error.format = PROVIDER, format_name
        raise
    found = next(iter(body), None)  # elements only: see Mm7Reader.index()
    if found is None:
        raise reader.error("Body", "is empty", show=False, status=StatusCode.VALIDATION_ERROR)
    reader.operation = found.tag.rpartition("}")[2]
    reader.namespace = _mm7_namespace(found, reader)
    reader.read_operation(found)
    if reader.operation != operation:
        _refuse_operation(reader, operation)
    reader.mm7_version = _version(reader)


def _refuse_operation(reader: Mm7Reader, operation: str) -> None:
    # The fault still echoes the version when it reads as one, wherever it is (a Fault has it in its detail).
    element = reader.find_anywhere("MM7Version")
    if element is not None:
        version = _text_of(element).strip()
        if _VERSION.fullmatch(version):
            reader.mm7_version = version
    if reader.operation in OPERATIONS:
        problem = f"is not read by this format (it reads {operation})"
    else:
        problem = "is not supported (mmsdr reads DeliveryReportReq, DeliverReq and ReadReplyReq)"
    msg = f"{reader.format}: operation {reader.operation!r} {problem}"
    error = UnsupportedFormatError(msg, provider=PROVIDER, format=reader.format, field=reader.operation)
    raise with_status(error, StatusCode.UNSUPPORTED_OPERATION)


def _mm7_namespace(operation: etree._Element, reader: Mm7Reader) -> str | None:
    """The request's MM7 namespace: its operation's, else its TransactionID's (a fault's or an unqualified
    operation's). Whitespace is removed: China Mobile gateway traffic has a trailing space, and Skycore's
    DeliverRsp sample breaks the URI across a line; a URI never holds whitespace."""
    namespace = _namespace_in(operation.tag)
    if namespace is None:
        for element in reader.elements("Header/TransactionID"):
            namespace = _namespace_in(element.tag)
            if namespace is not None:
                break
    return namespace


def _namespace_in(tag: str) -> str | None:
    namespace = namespace_of(tag)
    if namespace is not None:
        namespace = "".join(namespace.split())
        if namespace and namespace not in SOAP_NAMESPACES:
            return namespace
    return None


def _envelope_body(root: etree._Element, reader: Mm7Reader) -> etree._Element:
    # SOAP 1.1 (every known MM7 sender) or 1.2 (tolerated; no MM7 sender of it is known): the names are the same.
    if root.tag.rpartition("}")[2] != "Envelope":
        raise reader.error(
            "Envelope", "is not the document's root", local_name(root.tag), status=StatusCode.VALIDATION_ERROR
        )
    header = body = None
    for child in root:
        name = child.tag.rpartition("}")[2]
        if name == "Header" and header is None:
            header = child
        elif name == "Body" and body is None:
            body = child
    if header is not None:
        reader.read_header(header)
        reader.transaction_id = _transaction_id(reader)
    if body is None:
        raise reader.missing("Body")
    return body


def attribute_of(element: etree._Element, name: str) -> str | None:
    """An attribute of ``element`` by local name, trimmed, as ``Mm7Reader.attribute`` reads it."""
    for key, value in element.items():
        if str(key).rpartition("}")[2] == name:
            return str(value).strip()
    return None


def _transaction_id(reader: Mm7Reader) -> str | None:
    # "TransactionID (MM7 namespace; env:mustUnderstand="1")": any namespace here. Whitespace and newlines
    # around the value occur (instantcom-mm7 deliver-req-post.txt): trimmed.
    return reader.text("Header/TransactionID", field="TransactionID")


def _version(reader: Mm7Reader) -> str:
    """The version the answer echoes: as sent, with a warning when it is not a 5.x.x or 6.x.x version."""
    version = reader.text("MM7Version")
    if not version:
        problem = "is missing" if version is None else "is empty"
        reader.warnings.append(f"element 'MM7Version' {problem}: the answer carries {DEFAULT_VERSION}")
        return DEFAULT_VERSION
    match = _VERSION.fullmatch(version)
    if match is None:
        reader.warnings.append(f"element 'MM7Version' is not a version x.y.z, got {shown(version)}: echoed as sent")
    elif match["major"] not in _SUPPORTED_MAJORS:
        reader.warnings.append(
            f"element 'MM7Version' is not a known version (5.x.x and 6.x.x are), got {shown(version)}: echoed as sent"
        )
    return version

"""MM7 request builders for [`mmsdr.testing`][mmsdr.testing]."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from lxml import etree

from .._events import Event, InboundMessage, Part
from .._testing import (
    DEFAULT_PARTS,
    TestRequest,
    boundary_for,
    iso_date,
    media_headers,
    multipart_body,
    part_bytes,
    post_request,
    quoted,
)
from .._wire.content_type import parse_content_type
from ._responses import DEFAULT_NAMESPACE, DEFAULT_VERSION

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _tag(namespace: str | None, name: str) -> str:
    return name if namespace is None else f"{{{namespace}}}{name}"


def _fill(parent: etree._Element, items: Iterable[tuple[str, str]], namespace: str | None, *, header: bool) -> None:
    """Build elements from ``raw``-style ``(path, text)`` and ``(path@attribute, value)`` pairs, in order.

    The inverse of the parser's walk: a leaf's text comes before its attributes, a container's attributes
    before its children, so an attribute on the element just made belongs to it and any other opens a new one.
    """
    open_paths: list[tuple[str, etree._Element]] = []  # open containers, outermost first
    last: tuple[str, etree._Element] | None = None
    for key, value in items:
        path, at, attribute = key.partition("@")
        if at and last is not None and last[0] == path:
            _set(last[1], attribute, value, header=header)
            continue
        names = path.split("/")
        depth = 0
        while (
            depth < len(open_paths) and depth < len(names) - 1 and open_paths[depth][0] == "/".join(names[: depth + 1])
        ):
            depth += 1
        del open_paths[depth:]
        for index in range(depth, len(names) - 1):
            container = open_paths[-1][1] if open_paths else parent
            element = etree.SubElement(container, _tag(namespace, names[index]))
            open_paths.append(("/".join(names[: index + 1]), element))
        element = etree.SubElement(open_paths[-1][1] if open_paths else parent, _tag(namespace, names[-1]))
        if at:
            _set(element, attribute, value, header=header)
            open_paths.append((path, element))
        else:
            element.text = value or None  # "" and no text read the same: <Content href=.../>
        last = (path, element)


def _set(element: etree._Element, attribute: str, value: str, *, header: bool) -> None:
    # The SOAP header's mustUnderstand is SOAP's attribute; every other one is unqualified.
    element.set(_tag(_SOAP, attribute) if header and attribute == "mustUnderstand" else attribute, value)


def _envelope(
    operation: str, namespace: str | None, header: Iterable[tuple[str, str]], body: Iterable[tuple[str, str]]
) -> bytes:
    nsmap: dict[str | None, str] = {"soap-env": _SOAP}
    if namespace is not None:
        nsmap[None] = namespace  # a default namespace, like Sinch's own requests
    root = etree.Element(_tag(_SOAP, "Envelope"), nsmap=nsmap)  # type: ignore[arg-type] # lxml takes None: the default namespace
    header_items = list(header)
    if header_items:
        _fill(etree.SubElement(root, _tag(_SOAP, "Header")), header_items, namespace, header=True)
    operation_element = etree.SubElement(etree.SubElement(root, _tag(_SOAP, "Body")), _tag(namespace, operation))
    _fill(operation_element, body, namespace, header=False)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _mm7_request(
    operation: str,
    namespace: str | None,
    header: Sequence[tuple[str, str]],
    body: Sequence[tuple[str, str]],
    *,
    parts: Sequence[Part],
    http_headers: Sequence[tuple[str, str]],
    path: str,
    content_type: str | None = None,
) -> TestRequest:
    envelope = _envelope(operation, namespace, header, body)
    extra = list(http_headers)
    if content_type is None:
        content_type = "text/xml; charset=utf-8" if not parts else None
    media, params = ("", {}) if content_type is None else parse_content_type(content_type, what="mmsdr.testing")
    if content_type is not None and not (media.startswith("multipart/") and "boundary" in params):
        return post_request(path, content_type, envelope, extra)
    # SOAP with attachments (multipart/related, RFC 2387), the content one multipart/mixed part as Sinch sends it.
    inner = boundary_for("----=_Part_mixed_", *(part_bytes(part) for part in parts))
    content = multipart_body(inner, ((media_headers(part, "binary"), part_bytes(part)) for part in parts))
    if content_type is None:
        boundary = boundary_for("----=_Part_", envelope, content)
        content_type = f'multipart/related; start="<soap-start>"; type="text/xml"; boundary="{boundary}"'
        media, params = parse_content_type(content_type, what="mmsdr.testing")
    start = params.get("start", "soap-start").strip().strip("<>").strip()
    pieces: list[tuple[Sequence[tuple[str, str]], bytes]] = [
        ([("Content-Type", "text/xml; charset=utf-8"), ("Content-ID", f"<{start}>")], envelope)
    ]
    if parts:
        pieces.append(
            (
                [("Content-Type", f'multipart/mixed; boundary="{inner}"'), ("Content-ID", "<default.cid>")],
                content,
            )
        )
    return post_request(path, content_type, multipart_body(params["boundary"], pieces), extra)


def _transaction_header(transaction_id: str) -> list[tuple[str, str]]:
    return [("TransactionID", transaction_id), ("TransactionID@mustUnderstand", "1")]


def _mm7_headers(namespace: str | None, network: str | None) -> list[tuple[str, str]]:
    # Sinch sends the quoted namespace as SOAPAction, and the operator id as x-mblox-operator-id.
    headers = [("SOAPAction", quoted(namespace or ""))]
    if network is not None:
        headers.append(("x-mblox-operator-id", network))
    return headers


def _report_items(
    *,
    mm7_version: str,
    message_id: str,
    recipient: str,
    sender: str | None,
    date: tuple[str, str],
    status: str,
    status_text: str | None,
    user_agent: str | None,
) -> list[tuple[str, str]]:
    items = [("MM7Version", mm7_version), ("MessageID", message_id), ("Recipient/Number", recipient)]
    if sender is not None:
        items.append(("Sender/Number", sender))
    items += [date, ("MMStatus", status)]
    if status_text is not None:
        items.append(("StatusText", status_text))
    if user_agent is not None:
        items += [("UACapabilities", ""), ("UACapabilities@UAProf", user_agent)]
    return items


def mm7_delivery_report(
    *,
    message_id: str = "369500617770864640",
    status: str = "Retrieved",
    recipient: str = "16175550123",
    sender: str | None = "111122",
    timestamp: datetime | str = datetime(2015, 3, 16, 14, 3, 51, 749000, tzinfo=UTC),
    status_text: str | None = "Success",
    user_agent: str | None = None,
    network: str | None = "0001890",
    transaction_id: str = "10000001",
    mm7_version: str = DEFAULT_VERSION,
    namespace: str | None = DEFAULT_NAMESPACE,
    path: str = "/mm7",
) -> TestRequest:
    """``mm7.delivery_report``: a ``DeliveryReportReq`` in SOAP 1.1, ``text/xml``, REL-6-MM7-1-4 and 6.8.0 by
    default; ``Date`` in UTC with milliseconds, as Sinch sends it."""
    body = _report_items(
        mm7_version=mm7_version,
        message_id=message_id,
        recipient=recipient,
        sender=sender,
        date=("Date", iso_date(timestamp, milliseconds=True)),
        status=status,
        status_text=status_text,
        user_agent=user_agent,
    )
    return _mm7_request(
        "DeliveryReportReq",
        namespace,
        _transaction_header(transaction_id),
        body,
        parts=(),
        http_headers=_mm7_headers(namespace, network),
        path=path,
    )


def mm7_read_reply(
    *,
    message_id: str = "wthr8391",
    status: str = "Read",
    recipient: str = "97254265781",
    sender: str | None = "1111",
    timestamp: datetime | str = datetime(2002, 4, 16, 14, 12, 5, tzinfo=UTC),
    status_text: str | None = "Read by the recipient",
    user_agent: str | None = None,
    network: str | None = None,
    transaction_id: str = "TID.2002.0416.7",
    mm7_version: str = DEFAULT_VERSION,
    namespace: str | None = DEFAULT_NAMESPACE,
    path: str = "/mm7",
) -> TestRequest:
    """``mm7.read_reply``: a ``ReadReplyReq`` (dated by ``TimeStamp``, "not Date")."""
    body = _report_items(
        mm7_version=mm7_version,
        message_id=message_id,
        recipient=recipient,
        sender=sender,
        date=("TimeStamp", iso_date(timestamp, milliseconds=True)),
        status=status,
        status_text=status_text,
        user_agent=user_agent,
    )
    return _mm7_request(
        "ReadReplyReq",
        namespace,
        _transaction_header(transaction_id),
        body,
        parts=(),
        http_headers=_mm7_headers(namespace, network),
        path=path,
    )


def mm7_deliver(
    *,
    message_id: str = "1000001",
    sender: str = "1617423433",
    recipients: Sequence[str] = ("111122",),
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    subject: str | None = None,
    priority: str | None = "Normal",
    timestamp: datetime | str = datetime(2014, 4, 14, 16, 15, 23, 414000, tzinfo=UTC),
    parts: Sequence[Part] = DEFAULT_PARTS,
    network: str | None = "0001890",
    transaction_id: str = "1000001",
    mm7_version: str = DEFAULT_VERSION,
    namespace: str | None = DEFAULT_NAMESPACE,
    path: str = "/mm7",
) -> TestRequest:
    """``mm7.deliver``: a ``DeliverReq`` (``message_id`` is its ``LinkedID``) with ``parts`` in one
    ``multipart/mixed`` attachment that ``Content href`` names, as Sinch sends it."""
    body = [("MM7Version", mm7_version), ("LinkedID", message_id), ("Sender/Number", sender)]
    for kind, addresses in (("To", recipients), ("Cc", cc), ("Bcc", bcc)):
        body += [(f"Recipients/{kind}/Number", address) for address in addresses]
    body.append(("TimeStamp", iso_date(timestamp, milliseconds=True)))
    if priority is not None:
        body.append(("Priority", priority))
    if subject is not None:
        body.append(("Subject", subject))
    if parts:
        body += [("Content", ""), ("Content@href", "cid:default.cid"), ("Content@allowAdaptations", "true")]
    return _mm7_request(
        "DeliverReq",
        namespace,
        _transaction_header(transaction_id),
        body,
        parts=parts,
        http_headers=_mm7_headers(namespace, network),
        path=path,
    )


def request_for_event(event: Event) -> TestRequest:
    operation = {
        "mm7.delivery_report": "DeliveryReportReq",
        "mm7.deliver": "DeliverReq",
        "mm7.read_reply": "ReadReplyReq",
    }[event.format]
    header: list[tuple[str, str]] = []
    body: list[tuple[str, str]] = []
    http_headers: list[tuple[str, str]] = []
    for key, value in event.raw.multi_items():
        if key.startswith("http:"):
            http_headers.append((key.removeprefix("http:"), value))
        elif key.startswith("Header/"):
            header.append((key.removeprefix("Header/"), value))
        else:
            body.append((key, value))
    content_type = dict(http_headers).get("content-type", "text/xml; charset=utf-8")
    namespace = DEFAULT_NAMESPACE  # the namespace is the callback's (Envelope), not the event's: the usual one
    parts = event.parts if isinstance(event, InboundMessage) else ()
    return _mm7_request(
        operation,
        namespace,
        header,
        body,
        parts=parts,
        http_headers=http_headers,
        path="/mm7",
        content_type=content_type,
    )

"""MM7 (3GPP TS 23.140) over SOAP: every fixture, every variant, the acks and the faults.

Fixtures are in ``tests/data/mm7`` (their README says where each quirk was seen); variants are built here from
one template so that each test changes one thing.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from _support import DATA, only_event, without_key
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import mmsdr
import mmsdr.testing
from mmsdr import (
    Callback,
    DeliveryReport,
    InboundMessage,
    LimitExceededError,
    MalformedRequestError,
    MmsdrError,
    Part,
    RawFields,
    ReadReport,
    Status,
    UnsupportedFormatError,
    mm7,
)
from mmsdr._status import MM7_STATUSES

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_12 = "http://www.w3.org/2003/05/soap-envelope"
SCHEMA = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/"
NS14 = SCHEMA + "REL-6-MM7-1-4"
GIF = bytes.fromhex("47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b")

Headers = list[tuple[str, str]]


def request(name: str) -> tuple[Headers, bytes]:
    """A fixture as ``parse_request`` takes it: headers and body (``.xml`` files are posted as text/xml)."""
    data = (DATA / "mm7" / name).read_bytes()
    if name.endswith(".xml"):
        return [("Content-Type", "text/xml; charset=utf-8")], data
    head, separator, body = data.partition(b"\r\n\r\n")
    assert separator, f"{name}: no blank line after the headers"
    headers: Headers = []
    for line in head.decode("latin-1").split("\r\n")[1:]:
        if line[:1] in {" ", "\t"}:  # a folded header line continues the previous one
            headers[-1] = (headers[-1][0], f"{headers[-1][1]} {line.strip()}")
        else:
            name_, _, value = line.partition(":")
            headers.append((name_.strip(), value.strip()))
    return headers, body


def parse(name: str, **options: Any) -> Callback:
    headers, body = request(name)
    return mmsdr.parse_request(headers, body, None, **options)


def raw_of(name: str) -> RawFields:
    """The raw fields of a fixture's one event."""
    return only_event(parse(name)).raw


def rejected(headers: Headers, body: bytes, **options: Any) -> MmsdrError:
    with pytest.raises(MmsdrError) as caught:
        mmsdr.parse_request(headers, body, None, **options)
    return caught.value


def without_keys(callback: Callback) -> Callback:
    """The callback with every event's dedupe_key emptied, for whole-callback comparisons."""
    return dataclasses.replace(callback, events=tuple(without_key(event) for event in callback.events))


def plain(callback: Callback) -> Callback:
    """The callback with its events without ``raw`` and ``dedupe_key``, which have their own tests."""
    return dataclasses.replace(
        callback, events=tuple(dataclasses.replace(without_key(event), raw=RawFields()) for event in callback.events)
    )


def expected(
    event: mmsdr.Event,
    *,
    transaction_id: str = "t-1",
    mm7_version: str = "6.8.0",
    namespace: str | None = NS14,
    warnings: tuple[str, ...] = (),
) -> Callback:
    """The Callback of an MM7 request carrying ``event``, with the envelope it echoes."""
    return Callback(
        provider="mm7",
        format=event.format,
        events=(event,),
        warnings=warnings,
        details=mm7.Envelope(transaction_id=transaction_id, mm7_version=mm7_version, namespace=namespace),
    )


def offset(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


# --- the envelope template for variants ---------------------------------------------------------------------------

DR_FIELDS = (
    "<MessageID>m-1</MessageID>"
    "<Recipient><Number>447700900123</Number></Recipient>"
    "<Sender><ShortCode>12345</ShortCode></Sender>"
    "<Date>2024-05-06T07:08:09Z</Date>"
    "<MMStatus>Retrieved</MMStatus>"
)
DELIVER_FIELDS = (
    "<LinkedID>l-1</LinkedID>"
    "<Sender><Number>447700900123</Number></Sender>"
    "<Recipients><To><ShortCode>12345</ShortCode></To></Recipients>"
    "<TimeStamp>2024-05-06T07:08:09Z</TimeStamp>"
    '<Content href="cid:content"/>'
)


def envelope(
    fields: str = DR_FIELDS,
    *,
    operation: str = "DeliveryReportReq",
    namespace: str | None = NS14,
    prefix: str = "",
    soap: str = SOAP,
    transaction_id: str | None = "t-1",
    version: str | None = "6.8.0",
    declaration: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
) -> str:
    """A SOAP envelope; ``prefix`` "mm7" qualifies every MM7 element, "" uses a default namespace."""
    qualified = f"{prefix}:" if prefix else ""
    declare = "" if namespace is None else f' xmlns{":" + prefix if prefix else ""}="{namespace}"'
    if namespace is None and prefix:
        raise ValueError(prefix)
    if prefix:
        fields = fields.replace("</", f"</{prefix}:").replace("<", f"<{prefix}:").replace(f"<{prefix}:/", "</")
    header = (
        ""
        if transaction_id is None
        else f'<env:Header><{qualified}TransactionID{declare} env:mustUnderstand="1">{transaction_id}'
        f"</{qualified}TransactionID></env:Header>"
    )
    version_element = "" if version is None else f"<{qualified}MM7Version>{version}</{qualified}MM7Version>"
    return (
        f'{declaration}<env:Envelope xmlns:env="{soap}">{header}<env:Body>'
        f"<{qualified}{operation}{declare}>{version_element}{fields}</{qualified}{operation}>"
        "</env:Body></env:Envelope>"
    )


def xml(body: str | bytes, content_type: str = "text/xml; charset=utf-8", **extra: str) -> tuple[Headers, bytes]:
    headers = [("Content-Type", content_type), *extra.items()]
    return headers, body.encode("utf-8") if isinstance(body, str) else body


def multipart(
    parts: list[tuple[list[str], bytes]], *, boundary: str = "b-1", params: str = 'type="text/xml"'
) -> tuple[Headers, bytes]:
    """A multipart/related request from ``(header lines, body)`` parts."""
    body = b"".join(
        b"--"
        + boundary.encode()
        + b"\r\n"
        + "".join(f"{line}\r\n" for line in lines).encode()
        + b"\r\n"
        + data
        + b"\r\n"
        for lines, data in parts
    )
    body += b"--" + boundary.encode() + b"--\r\n"
    return [("Content-Type", f'multipart/related; boundary="{boundary}"; {params}')], body


def deliver_request(
    content_headers: list[str],
    *,
    href: str = "cid:content",
    fields: str = DELIVER_FIELDS,
    content: bytes = b"hello",
    **envelope_options: Any,
) -> tuple[Headers, bytes]:
    soap = envelope(fields.replace("cid:content", href), operation="DeliverReq", **envelope_options)
    return multipart(
        [
            (["Content-Type: text/xml; charset=utf-8", "Content-ID: <soap>"], soap.encode()),
            (["Content-Type: text/plain; charset=utf-8", *content_headers], content),
        ],
        params='type="text/xml"; start="<soap>"',
    )


def report_fields() -> dict[str, Any]:
    """The fields of the report the DR template gives."""
    return {
        "provider": "mm7",
        "format": "mm7.delivery_report",
        "timestamp": datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        "dedupe_key": "",
        "raw": RawFields(),
        "message_id": "m-1",
        "status": Status.DELIVERED,
        "provider_status": "Retrieved",
        "recipient": "447700900123",
        "sender": "12345",
        "details": mm7.ReportDetails(),
    }


def report(**changes: Any) -> DeliveryReport:
    """The DeliveryReport the DR template gives, with ``changes``."""
    return DeliveryReport(**{**report_fields(), **changes})


# --- the provider document (Sinch MM7 guide, DeliveryReportReq) ------------------------------------------------------

SINCH_RAW = RawFields(
    [
        ("Header/TransactionID", "10000001"),
        ("Header/TransactionID@mustUnderstand", "1"),
        ("MM7Version", "6.8.0"),
        ("MessageID", "369500617770864640"),
        ("Recipient/Number", "16175550123"),
        ("Sender/Number", "111122"),
        ("Date", "2015-03-16T14:03:51.749Z"),
        ("MMStatus", "Retrieved"),
        ("StatusText", "Success"),
        ("UACapabilities", ""),
        ("UACapabilities@UAProf", "Samsung Galaxy"),
        ("http:soapaction", f'"{NS14}"'),
        ("http:content-type", 'multipart/related; type="text/xml";'),
        ("http:x-mblox-operator-id", "0001890"),
    ]
)
SINCH_REPORT = DeliveryReport(
    provider="mm7",
    format="mm7.delivery_report",
    timestamp=datetime(2015, 3, 16, 14, 3, 51, 749000, tzinfo=UTC),
    dedupe_key="",
    raw=SINCH_RAW,
    message_id="369500617770864640",
    status=Status.DELIVERED,
    provider_status="Retrieved",
    recipient="16175550123",
    sender="111122",
    status_text="Success",
    details=mm7.ReportDetails(network="0001890", user_agent="Samsung Galaxy"),
)
SINCH_CALLBACK = expected(SINCH_REPORT, transaction_id="10000001")


def test_003_full_example_request_is_a_delivery_report() -> None:
    # 003 "Request": multipart/related with no boundary, the body bare XML, x-mblox-operator-id.
    assert without_keys(parse("sinch-delivery-report.http")) == SINCH_CALLBACK


def test_003_example_request_alone() -> None:
    callback = parse("sinch-delivery-report-example.xml")
    event = dataclasses.replace(
        SINCH_REPORT,
        details=mm7.ReportDetails(user_agent="Samsung Galaxy"),
        raw=RawFields([*SINCH_RAW.multi_items()[:11], ("http:content-type", "text/xml; charset=utf-8")]),
    )
    assert without_keys(callback) == expected(event, transaction_id="10000001")


SINCH_ACK = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">\n'
    b"<soap-env:Header>\n"
    b'<TransactionID xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"'
    b' soap-env:mustUnderstand="1">10000001</TransactionID>\n'
    b"</soap-env:Header>\n"
    b"<soap-env:Body>\n"
    b'<DeliveryReportRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">\n'
    b"<MM7Version>6.8.0</MM7Version>\n"
    b"<Status>\n"
    b"<StatusCode>1000</StatusCode>\n"
    b"<StatusText>Success</StatusText>\n"
    b"</Status>\n"
    b"</DeliveryReportRsp>\n"
    b"</soap-env:Body>\n"
    b"</soap-env:Envelope>\n"
)


def test_003_response_exact_bytes() -> None:
    # 003 "Response": HTTP 200, "Content-Type: text/xml; charset=utf-8", a Content-Length, the same TransactionID.
    ack = mmsdr.acknowledge(parse("sinch-delivery-report.http"))
    assert ack.status == 200
    assert ack.body == SINCH_ACK
    assert ack.headers == (("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(SINCH_ACK))))


def shape(element: etree._Element) -> list[tuple[str, str | None]]:
    """Every element's tag and its text where it has no children, in document order."""
    return [(str(node.tag), None if len(node) else (node.text or "").strip()) for node in element.iter()]


def test_003_response_has_the_example_response_structure() -> None:
    # Sinch's example answers TransactionID 1000001 to a request with 10000001 (a bug in the example) and
    # says "Successfully Received MMS."; everything else is the same tree.
    ours = etree.fromstring(mmsdr.acknowledge(parse("sinch-delivery-report.http")).body)
    theirs = etree.fromstring((DATA / "mm7" / "sinch-delivery-report-response.xml").read_bytes())
    replace = {"1000001": "10000001", "Successfully Received MMS.": "Success"}
    assert shape(ours) == [(tag, replace.get(text, text) if text else text) for tag, text in shape(theirs)]


# --- every public sample (tests/data/mm7/README.md) -------------------------------------------------------------------------------

NS510 = SCHEMA + "REL-5-MM7-1-0"
NS512 = SCHEMA + "REL-5-MM7-1-2"
NS610 = SCHEMA + "REL-6-MM7-1-0"

SINCH_PLAIN = expected(dataclasses.replace(SINCH_REPORT, raw=RawFields()), transaction_id="10000001")

REPORT_FIXTURES = [
    ("sinch-2020-delivery-report.http", SINCH_PLAIN),
    ("skycore-delivery-report.http", SINCH_PLAIN),
    (
        "vibes-delivery-report.http",
        expected(
            report(
                timestamp=datetime(2016, 6, 1, 15, 4, 5, tzinfo=offset(-5)),
                message_id="b1c2d3e4f5a6b7c8",
                status=Status.REJECTED,
                provider_status="Rejected",
                recipient="16125550199",
                sender="77123",
                status_text="Error 4002 - Handset does not support MMS [ref: 17]",
            ),
            transaction_id="cdef439dd1f47b36",
            mm7_version="5.3.0",
            namespace=NS512,
        ),
    ),
    (
        "rel5-delivery-report.http",
        expected(
            report(
                timestamp=datetime(2009, 11, 2, 10, 0, 7, tzinfo=UTC),
                message_id="5a0f2c11",
                status=Status.EXPIRED,
                provider_status="Expired",
                recipient="447700900123",
                sender="23355",
            ),
            transaction_id="DR-000731",
            mm7_version="5.3.0",
            namespace=NS510,
        ),
    ),
    (
        "cmcc-delivery-report.http",
        expected(
            report(
                timestamp=datetime(2015, 11, 20, 18, 5, 3, tzinfo=offset(8)),
                message_id="151120180455000123",
                recipient="+8613900000021",
                sender="10086",
                status_text="1000",
            ),
            transaction_id="1220000002841151120180503003",
            mm7_version="6.3.0",
            namespace=NS610,
        ),
    ),
    (
        "cmcc-delivery-report-rel5.http",
        expected(
            report(
                timestamp=datetime(2015, 11, 20, 18, 6, 10, tzinfo=offset(8)),
                message_id="151120180455000124",
                status=Status.REJECTED,
                provider_status="Rejected",
                recipient="+8613900000022",
                sender="10086",
                status_text="4008",
            ),
            transaction_id="1220000002841151120180610004",
            mm7_version="5.3.0",
            namespace=NS512,
        ),
    ),
    (
        "telstra-mock-delivery-report.http",
        expected(
            report(
                timestamp=datetime(2021, 4, 5, 9, 30, tzinfo=offset(10)),
                message_id="MSG-20210405-0001",
                recipient="0412555019",
                sender="1975",
                details=mm7.ReportDetails(user_agent="iphone_12"),
            ),
            transaction_id="mock-7f3a",
        ),
    ),
    (
        "annex-delivery-report.http",
        expected(
            report(
                timestamp=datetime(2002, 4, 15, 14, 36, 43, tzinfo=offset(-5)),
                message_id="wthr8391",
                status=Status.FORWARDED,
                provider_status="Forwarded",
                recipient="97254265781@OMMS.com",
                sender="1111",
                status_text="Forwarded to another MMSC",
                details=mm7.ReportDetails(status_extension="RejectionByMMSRecipient"),
            ),
            transaction_id="TID.2002.0415.1",
        ),
    ),
    (
        "annex-read-reply.http",
        expected(
            ReadReport(
                provider="mm7",
                format="mm7.read_reply",
                timestamp=datetime(2002, 4, 16, 9, 12, 5, tzinfo=offset(-5)),
                dedupe_key="",
                raw=RawFields(),
                message_id="wthr8391",
                status=Status.READ,
                provider_status="Read",
                recipient="97254265781",
                sender="1111",
                status_text="Read by the recipient",
                details=mm7.ReportDetails(),
            ),
            transaction_id="TID.2002.0416.7",
        ),
    ),
]


@pytest.mark.parametrize(("fixture", "expected_callback"), REPORT_FIXTURES, ids=[name for name, _ in REPORT_FIXTURES])
def test_report_fixtures(fixture: str, expected_callback: Callback) -> None:
    assert plain(parse(fixture)) == expected_callback


# --- a secondary field never costs the message (issue #14) --------------------------------------------------------

READ_AT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
READ_NOW = "timestamp is the time the request was read"
MM7_DATE_FORM = "not an xs:dateTime of the form yyyy-MM-ddThh:mm:ss with an optional UTC offset"
NS10 = SCHEMA + "REL-6-MM7-1-0"


def read_at() -> datetime:
    return READ_AT


def read_later() -> datetime:
    return datetime(2031, 6, 7, 8, 9, 10, tzinfo=UTC)


# Requests as other MMSCs and MM7 libraries write them (tests/data/mm7/README.md says where each was seen):
# every one read, with warnings naming what was read leniently.
LENIENT_FIXTURES = [
    (
        "korean-delivery-report.http",
        expected(
            report(
                timestamp=READ_AT,
                message_id="20240805222254000417",
                provider_status="retrieved",
                recipient="01055501234",
                sender="15885000",
                status_text="Success",
            ),
            transaction_id="KR-DR-000417",
            mm7_version="1.0",
            warnings=(
                "element 'MM7Version' is not a version x.y.z, got '1.0': echoed as sent",
                "element 'Recipient' is missing: the recipient is read from 'Recipients'",
                f"element 'Date' is missing: {READ_NOW}",
            ),
        ),
    ),
    (
        "cmcc-simulator-delivery-report.http",
        expected(
            report(
                timestamp=datetime(2014, 3, 24, 10, 34, 50, tzinfo=offset(8)),
                message_id="5f3b2a1c9d8e4f70",
                recipient="13900000021",
                sender="10658000",
                status_text="OK",
            ),
            transaction_id="9a0c4e1b7d2f4c6e8b1a3d5f7e9c0b2a",
            mm7_version="6.3.0",
            namespace=NS10,
        ),
    ),
    (
        "recipients-to-delivery-report.http",
        expected(
            report(timestamp=READ_AT, message_id="msg-0042", recipient="+821055501234", sender="1588"),
            transaction_id="dr-0001",
            mm7_version="5.3.0",
            namespace=NS512,
            warnings=(
                "element 'Recipient' is missing: the recipient is read from 'Recipients'",
                # Day-month or month-day? Not guessed: the time of reading, and the value in raw.
                f"element 'Date' is not a valid date ({MM7_DATE_FORM}), got '05-08-2024 22:22:54': {READ_NOW}",
            ),
        ),
    ),
    (
        "sender-address-deliver.http",
        expected(
            InboundMessage(
                provider="mm7",
                format="mm7.deliver",
                timestamp=READ_AT,
                dedupe_key="",
                raw=RawFields(),
                message_id="mo-link-7731",
                channel="mms",
                sender="01055501234",
                recipients=("1588",),
                subject="hello",
                text="See you at 8",
                parts=(Part(content_type="text/plain", data=b"See you at 8", content_id="text-1", charset="utf-8"),),
                details=mm7.DeliverDetails(linked_id="mo-link-7731"),
            ),
            transaction_id="mo-7731",
            warnings=(
                "element 'Sender' wraps its address in 'SenderAddress'",
                f"element 'TimeStamp' is missing: {READ_NOW}",
            ),
        ),
    ),
    (
        "read-reply-without-timestamp.http",
        expected(
            ReadReport(
                **{
                    **report_fields(),
                    "format": "mm7.read_reply",
                    "timestamp": READ_AT,
                    "message_id": "mt-5521",
                    "status": Status.READ,
                    "provider_status": "Read",
                }
            ),
            transaction_id="rr-0007",
            warnings=(f"element 'TimeStamp' is missing: {READ_NOW}",),
        ),
    ),
]


@pytest.mark.parametrize(("fixture", "expected_callback"), LENIENT_FIXTURES, ids=[name for name, _ in LENIENT_FIXTURES])
def test_other_implementations_requests_are_read_with_warnings(fixture: str, expected_callback: Callback) -> None:
    callback = parse(fixture, clock=read_at)
    assert plain(callback) == expected_callback
    assert mmsdr.acknowledge(callback).status == 200
    # The dedupe key never depends on the time of reading: a retry read later has the same key.
    later = parse(fixture, clock=read_later)
    assert only_event(later).dedupe_key == only_event(callback).dedupe_key


def test_the_answer_echoes_an_mm7_version_that_is_not_x_y_z() -> None:
    ack = mmsdr.acknowledge(parse("korean-delivery-report.http"))
    assert b"<MM7Version>1.0</MM7Version>" in ack.body


def test_what_did_not_read_stays_in_raw() -> None:
    raw = only_event(parse("recipients-to-delivery-report.http")).raw
    assert (raw["Date"], raw["Recipients/To/Number"]) == ("05-08-2024 22:22:54", "+821055501234/TYPE=PLMN")
    assert only_event(parse("sender-address-deliver.http")).raw["Sender/SenderAddress/Number"] == "01055501234"


DR_DATE = "<Date>2024-05-06T07:08:09Z</Date>"
DELIVER_SENDER = "<Sender><Number>447700900123</Number></Sender>"

# (what, operation, template text, its replacement, timestamp, warnings): each variant read, nothing refused.
LENIENT_VARIANTS = [
    (
        "DeliveryReportReq without Date",
        "DeliveryReportReq",
        DR_DATE,
        "",
        READ_AT,
        (f"element 'Date' is missing: {READ_NOW}",),
    ),
    (
        "an empty Date",
        "DeliveryReportReq",
        DR_DATE,
        "<Date> </Date>",
        READ_AT,
        (f"element 'Date' is empty: {READ_NOW}",),
    ),
    (
        "an empty Date, TimeStamp read",
        "DeliveryReportReq",
        DR_DATE,
        "<Date/><TimeStamp>2024-05-06T07:08:09Z</TimeStamp>",
        datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        (),
    ),
    (
        "a Date that is not a date",
        "DeliveryReportReq",
        "2024-05-06T07:08:09Z",
        "yesterday",
        READ_AT,
        (f"element 'Date' is not a valid date ({MM7_DATE_FORM}), got 'yesterday': {READ_NOW}",),
    ),
    (
        "an RFC 2822 Date",
        "DeliveryReportReq",
        "2024-05-06T07:08:09Z",
        "Mon, 24 Mar 2014 10:34:50 +0800",
        READ_AT,
        (f"element 'Date' is not a valid date ({MM7_DATE_FORM}), got 'Mon, 24 Mar 2014 10:34:50 +0800': {READ_NOW}",),
    ),
    (
        "unpadded month, day and hour",
        "DeliveryReportReq",
        "2024-05-06T07:08:09Z",
        "2014-3-4T9:34:50+08:00",
        datetime(2014, 3, 4, 9, 34, 50, tzinfo=offset(8)),
        (),
    ),
    (
        "MM7Version missing",
        "DeliveryReportReq",
        "<MM7Version>6.8.0</MM7Version>",
        "",
        datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        ("element 'MM7Version' is missing: the answer carries 6.8.0",),
    ),
    (
        "MM7Version 7.0.0",
        "DeliveryReportReq",
        "<MM7Version>6.8.0</MM7Version>",
        "<MM7Version>7.0.0</MM7Version>",
        datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        ("element 'MM7Version' is not a known version (5.x.x and 6.x.x are), got '7.0.0': echoed as sent",),
    ),
    (
        "DeliverReq without TimeStamp",
        "DeliverReq",
        "<TimeStamp>2024-05-06T07:08:09Z</TimeStamp>",
        "",
        READ_AT,
        (f"element 'TimeStamp' is missing: {READ_NOW}",),
    ),
    (
        "DeliverReq with the sender in SenderIdentification only",
        "DeliverReq",
        DELIVER_SENDER,
        "<SenderIdentification><SenderAddress><Number>447700900123</Number></SenderAddress></SenderIdentification>",
        datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        ("element 'Sender' is missing: the sender is read from 'SenderIdentification/SenderAddress'",),
    ),
    (
        "DeliverReq with a bare-text SenderAddress in the Sender",
        "DeliverReq",
        DELIVER_SENDER,
        "<Sender><SenderAddress> 447700900123 </SenderAddress></Sender>",
        datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        ("element 'Sender' wraps its address in 'SenderAddress'",),
    ),
]


@pytest.mark.parametrize(
    ("operation", "old", "new", "timestamp", "warnings"),
    [row[1:] for row in LENIENT_VARIANTS],
    ids=[row[0] for row in LENIENT_VARIANTS],
)
def test_lenient_variants(operation: str, old: str, new: str, timestamp: datetime, warnings: tuple[str, ...]) -> None:
    fields = (DR_FIELDS if operation == "DeliveryReportReq" else DELIVER_FIELDS).replace(old, new)
    document = envelope(fields, operation=operation).replace(old, new) if "MM7Version" in old else None
    headers, body = xml(document or envelope(fields, operation=operation))
    callback = mmsdr.parse_request(headers, body, None, clock=read_at)
    event = only_event(callback)
    assert (event.timestamp, callback.warnings) == (timestamp, warnings)
    if isinstance(event, InboundMessage):
        assert event.sender == "447700900123"
    assert only_event(mmsdr.parse_request(headers, body, None, clock=read_later)).dedupe_key == event.dedupe_key


@pytest.mark.parametrize("value", ["retrieved", " RETRIEVED ", "Retrieved\n"])
def test_status_case_and_whitespace(value: str) -> None:
    event = only_event(mmsdr.parse_request(*xml(envelope(DR_FIELDS.replace(">Retrieved<", f">{value}<"))), None))
    assert isinstance(event, DeliveryReport)
    assert (event.status, event.provider_status) == (Status.DELIVERED, value.strip())


def test_sinch_2020_and_skycore_operator_headers() -> None:
    assert raw_of("sinch-2020-delivery-report.http")["http:x-mblox-carrier-id"] == "0001890"
    assert raw_of("skycore-delivery-report.http")["http:x-skycore-carrier-id"] == "0001890"


def test_raw_keeps_unknown_elements_empty_ones_attributes_and_the_plmn_suffix() -> None:
    cmcc = raw_of("cmcc-delivery-report.http")
    assert (cmcc["MMSStatusErrorCode"], cmcc["Sender"], cmcc["TimeStamp"]) == (
        "129",
        "10086",
        "2015-11-20T18:05:03+08:00",
    )
    rel5 = raw_of("rel5-delivery-report.http")
    assert (rel5["MMSRelayServerID"], rel5["Sender/ShortCode"]) == ("", "23355/TYPE=PLMN")
    telstra = raw_of("telstra-mock-delivery-report.http")
    assert telstra["Recipient/RFC2822Address"] == "0412555019/TYPE=PLMN@mm7.mms.telstra.com"
    assert telstra["UACapabilities@TimeStamp"] == "2021-04-05T09:29:58+10:00"
    annex = raw_of("annex-delivery-report.http")
    assert annex["Recipient/RFC2822Address@displayOnly"] == "false"
    assert annex["MMStatusExtension"] == "RejectionByMMSRecipient"


def part(content_type: str, data: bytes, **fields: Any) -> Part:
    return Part(content_type=content_type, data=data, **fields)


def inbound(**changes: Any) -> InboundMessage:
    fields: dict[str, Any] = {
        "provider": "mm7",
        "format": "mm7.deliver",
        "dedupe_key": "",
        "raw": RawFields(),
        "channel": "mms",
    }
    fields.update(changes)
    return InboundMessage(**fields)


def deliver_details(*, priority: str | None = None, linked_id: str, network: str | None = None) -> mm7.DeliverDetails:
    return mm7.DeliverDetails(priority=priority, linked_id=linked_id, network=network)


SINCH_JPEG = request("sinch-2020-deliver.http")[1].split(b"image_0.jpg\r\n\r\n")[1].split(b"\r\n------=")[0]
SMIL = (
    b'<smil><head><layout><region id="Image" top="0" left="0"/></layout></head><body><par dur="4000ms">'
    b'<img src="Bomb.gif" region="Image"/></par></body></smil>'
)
DELIVER_FIXTURES = [
    (
        "sinch-2020-deliver.http",
        expected(
            inbound(
                timestamp=datetime(2014, 4, 14, 16, 15, 23, 414000, tzinfo=UTC),
                message_id="1000001",
                sender="1617423433",
                recipients=("111122",),
                text="Test MO message!\r\n",
                parts=(
                    part("image/jpeg", SINCH_JPEG, content_id="image_0.jpg"),
                    part("text/plain", b"Test MO message!\r\n", content_id="text_0.txt"),
                ),
                details=deliver_details(priority="Normal", linked_id="1000001", network="0001890"),
            ),
            transaction_id="1000001",
        ),
    ),
    (
        "sinch-deliver-group.http",
        expected(
            inbound(
                timestamp=datetime(2023, 11, 28, 20, 31, 51, 881000, tzinfo=UTC),
                message_id="2300417",
                sender="12515550123",
                recipients=("12065550100", "12515550188", "12515550199"),
                text="Dinner at 8?",
                parts=(part("text/plain", b"Dinner at 8?", content_id="text_0.txt", charset="utf-8"),),
                details=deliver_details(linked_id="2300417", network="0001470"),
            ),
            transaction_id="2300417",
        ),
    ),
    (
        "annex-deliver-post.http",
        expected(
            inbound(
                timestamp=datetime(2002, 4, 15, 14, 35, 21, tzinfo=offset(-5)),
                message_id="news4410",
                sender="97254265781@OMMS.com",
                recipients=(),
                subject="City news",
                text="Haifa, Israel",
                parts=(part("text/plain", b"Haifa, Israel", content_id="story-location2000102-7712", charset="utf-8"),),
                details=deliver_details(priority="Normal", linked_id="news4410"),
            ),
            transaction_id="vas00418-dlvr",
            mm7_version="6.7.0",
        ),
    ),
    (
        "annex-deliver-nested.http",
        expected(
            inbound(
                timestamp=datetime(2002, 4, 15, 14, 35, 21, tzinfo=offset(-5)),
                message_id="news4410",
                sender="97254265781@OMMS.com",
                recipients=(),
                subject="City news",
                text="Science news, new Saturn pictures...",
                parts=(
                    part("text/plain", b"Science news, new Saturn pictures...", charset="us-ascii"),
                    part("image/gif", GIF, content_id="saturn.gif"),
                ),
                details=deliver_details(priority="Normal", linked_id="news4410"),
            ),
            transaction_id="vas00418-dlvr",
            mm7_version="6.7.0",
        ),
    ),
    (
        "nokia-deliver.http",
        expected(
            inbound(
                timestamp=datetime(2010, 4, 3, 11, 53, 27, tzinfo=UTC),
                message_id="0403116337211111111111111",
                sender="+3859100020020",
                recipients=("77777",),
                subject="Bomb",
                parts=(
                    part("application/smil", SMIL, content_id="BBBB", filename="main.smil", charset="UTF-8"),
                    part("image/gif", GIF, filename="Bomb.gif"),
                ),
                details=deliver_details(priority="Normal", linked_id="0403116337211111111111111"),
            ),
            transaction_id="5F184D8BR580417UX37896J482I4N2IB",
        ),
    ),
    (
        "deliver-cid-space.http",
        expected(
            inbound(
                timestamp=datetime(2010, 9, 8, 11, 36, 17, tzinfo=offset(2)),
                message_id="45551002",
                sender="+385915550142",
                recipients=("66655",),
                subject="Photo",
                text="not the content",
                parts=(
                    part("image/gif", GIF, content_id="content_15"),
                    part("text/plain", b"not the content", content_id="content_14", charset="utf-8"),
                ),
                details=deliver_details(linked_id="45551002"),
            ),
            transaction_id="2e8b1d40c7",
        ),
    ),
    (
        "huawei-deliver.http",
        expected(
            inbound(
                timestamp=datetime(2015, 11, 20, 9, 12, 41, tzinfo=offset(8)),
                message_id="8888",
                sender="13951911111",
                recipients=("13900000011",),
                cc=("13900000013",),
                bcc=("13900000012",),
                subject="Another test",
                text="Hello from the test",
                parts=(
                    part("application/smil", SMIL, content_id="AAAA", filename="main.smil", charset="UTF-8"),
                    part("text/plain", b"Hello from the test", filename="text.txt", charset="utf-8"),
                ),
                details=deliver_details(priority="Low", linked_id="8888"),
            ),
            transaction_id="824919",
            mm7_version="5.2.0",
            namespace=NS510,
        ),
    ),
    (
        "vibes-deliver.http",
        expected(
            inbound(
                timestamp=datetime(2014, 10, 30, 18, 54, 21, tzinfo=UTC),
                message_id="a51b8e2c",
                sender="16125550142",
                recipients=("77123",),
                subject="Café",
                text="Café au lait",
                parts=(part("text/plain", "Café au lait".encode(), content_id="attachment1", charset="utf-8"),),
                details=deliver_details(linked_id="a51b8e2c"),
            ),
            transaction_id="cfdd4f5b7f176ce7",
        ),
    ),
]


@pytest.mark.parametrize(("fixture", "expected_callback"), DELIVER_FIXTURES, ids=[name for name, _ in DELIVER_FIXTURES])
def test_deliver_fixtures(fixture: str, expected_callback: Callback) -> None:
    assert plain(parse(fixture)) == expected_callback


def test_cmcc_deliver_without_linked_id_raw_8bit_jpeg() -> None:
    callback = parse("cmcc-deliver.http")
    event = only_event(callback)
    assert isinstance(event, InboundMessage)
    # No LinkedID: the TransactionID stands in as the message id.
    assert (event.message_id, event.sender, event.recipients) == (
        "1220000002841151120180111002",
        "+8618703815656",
        ("10086",),
    )
    assert (event.subject, event.details, callback.details) == (
        "天气预报",
        mm7.DeliverDetails(priority="High", linked_id=None, network=None),
        mm7.Envelope(transaction_id="1220000002841151120180111002", mm7_version="6.3.0", namespace=NS610),
    )
    smil, jpeg = event.parts
    assert (smil.content_type, smil.content_id, smil.filename) == ("application/smil", "smil", "smil.xml")
    assert (jpeg.content_type, jpeg.content_id, jpeg.filename) == ("image/jpeg", "144713725700d", "1447137257001.jpg")
    assert jpeg.data is not None
    assert jpeg.data.startswith(b"\xff\xd8\xff\xe0")
    assert jpeg.data.endswith(b"\xff\xd9")
    assert bytes(range(128, 256)) in jpeg.data
    assert event.text is None


def test_group_messaging_display_only_participants_are_in_raw() -> None:
    raw = raw_of("sinch-deliver-group.http")
    assert raw.getall("Recipients/To/Number") == ("12065550100", "12515550188", "12515550199")
    assert raw.getall("Recipients/To/Number@displayOnly") == ("true", "true")


def test_deliver_raw_keeps_vaspid_comment_free_text_and_the_padded_transaction_id() -> None:
    raw = raw_of("annex-deliver-post.http")
    assert (raw["VASPID"], raw["VASID"], raw["MMSRelayServerID"]) == ("TNN", "News", "240.110.75.34")
    assert raw["Header/TransactionID"] == "\n\t\t\tvas00418-dlvr\n\t\t"
    assert raw["Content@href"] == "cid:story-location200102-7712"


def test_huawei_bare_text_sender_address_and_reply_charging_in_raw() -> None:
    raw = raw_of("huawei-deliver.http")
    assert raw["SenderIdentification/SenderAddress"] == "13951911111"
    assert raw["ReplyCharging"] == "False"


def test_nokia_prefix_encoding_style_and_plmn_numbers_in_raw() -> None:
    raw = raw_of("nokia-deliver.http")
    assert raw["Header/TransactionID@encodingStyle"] == ""
    assert (raw["Sender/Number"], raw["Recipients/To/Number"]) == ("+3859100020020/TYPE=PLMN", "77777/TYPE=PLMN")


def test_sinch_2020_deliver_as_printed_is_refused() -> None:
    # Sinch's printed example is not well-formed: the parser stays strict and the fixture is repaired.
    headers, body = request("sinch-2020-deliver-original.http")
    error = rejected(headers, body)
    assert type(error) is MalformedRequestError
    assert str(error) == (
        "mm7.deliver: part 2.1 has a header line that is not 'Name: value', got "
        "b'\\xff\\xd8\\xff\\xe0\\x00\\x10JFIF\\x00\\x01\\x01\\x00\\x00\\x01\\...t'"
    )
    assert fault_of(error)["StatusCode"] == "4004"
    # Its envelope alone: "soap-env::Header" and the undeclared prefix.
    soap = body[body.index(b"<?xml") : body.index(b"</soap-env:Envelope>") + 20]
    error = rejected(*xml(soap))
    assert str(error) == (
        "mm7.deliver: SOAP envelope is not well-formed XML (Namespace prefix soap-env on Envelope is not defined, "
        "line 3, column 78)"
    )
    assert fault_of(error)["StatusCode"] == "4004"


def test_minimal_deliver_without_sender_is_refused() -> None:
    error = rejected(*request("minimal-deliver.http"))
    assert type(error) is MalformedRequestError
    assert str(error) == "mm7.deliver: element 'Sender' is missing"
    assert fault_of(error) == fault_fields(
        "4004", "Validation error", str(error), transaction_id="1R307T512I80DQTV24W2L542ESL4H50N"
    )


def test_annex_post_with_a_wrong_content_type() -> None:
    headers, body = request("annex-delivery-report-bad-content-type.http")
    error = rejected(headers, body)
    assert type(error) is UnsupportedFormatError
    assert str(error) == "request: no accepted format matches (content type 'text/plain', fields: none)"
    assert error.ack.status == 415  # not detected as MM7: the plain answer
    error = rejected(headers, body, formats="mm7.delivery_report")
    assert str(error) == (
        "mm7.delivery_report: header 'content-type' must be text/xml, application/xml, application/soap+xml or "
        "multipart/related, got 'text/plain'"
    )
    assert fault_of(error)["StatusCode"] == "4004"


UNSUPPORTED = [
    ("sinch-submit.xml", "SubmitReq", "1000001", NS14, "6.8.0"),
    ("sinch-submit-fault.xml", "Fault", "1000001", NS14, "6.8.0"),
    ("nokia-fault.xml", "Fault", "654321", NS14, "6.8.0"),
    ("fault-qualified.xml", "Fault", "0_1600204204838", SCHEMA + "REL-5-MM7-1-3", "5.3.0"),
    ("submit-response-rel-6-mm7-6-7.xml", "SubmitRsp", "vas00002-sub", SCHEMA + "REL-6-MM7-6-7", "6.7.0"),
    ("skycore-deliver-response.xml", "DeliverRsp", "1000001", NS14, "6.8.0"),
    ("skycore-delivery-report-response.xml", "DeliveryReportRsp", "1000001", NS14, "6.8.0"),
    ("sinch-delivery-report-response.xml", "DeliveryReportRsp", "1000001", NS14, "6.8.0"),
]


@pytest.mark.parametrize(
    ("fixture", "operation", "transaction_id", "namespace", "version"), UNSUPPORTED, ids=[row[0] for row in UNSUPPORTED]
)
def test_other_mm7_requests_get_a_4003_fault(
    fixture: str, operation: str, transaction_id: str, namespace: str, version: str
) -> None:
    # "For a request that is clearly MM7 but an unsupported operation ... StatusCode 4003"; the first MM7 format
    # the endpoint accepts reads it and refuses it.
    error = rejected(*request(fixture))
    assert type(error) is UnsupportedFormatError
    message = (
        f"mm7.delivery_report: operation {operation!r} is not supported "
        "(mmsdr reads DeliveryReportReq, DeliverReq and ReadReplyReq)"
    )
    assert str(error) == message
    assert (error.provider, error.format, error.field) == ("mm7", "mm7.delivery_report", operation)
    assert fault_of(error) == fault_fields(
        "4003", "Unsupported operation", message, transaction_id=transaction_id, namespace=namespace, version=version
    )


# --- variants ---------------------------------------------------------------------------------------------------

NAMESPACES = [
    *(SCHEMA + f"REL-5-MM7-1-{minor}" for minor in range(6)),
    *(SCHEMA + f"REL-6-MM7-1-{minor}" for minor in range(5)),
    SCHEMA + "REL-6-MM7-6-7",  # instantcom-mm7's non-standard default
    "urn:example:mm7-of-the-future",
]


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("prefix", ["", "mm7"])
def test_any_namespace_prefixed_or_default(namespace: str, prefix: str) -> None:
    callback = mmsdr.parse_request(*xml(envelope(namespace=namespace, prefix=prefix)), None)
    assert plain(callback) == expected(report(), namespace=namespace)
    ack = etree.fromstring(mmsdr.acknowledge(callback).body)
    assert ack[1][0].tag == f"{{{namespace}}}DeliveryReportRsp"  # answered in the request's namespace


@pytest.mark.parametrize("spelling", [NS14 + " ", " " + NS14, NS14 + "\n   ", NS14.replace("schema/", "\n   schema/")])
def test_whitespace_in_the_namespace_is_tolerated_and_removed(spelling: str) -> None:
    callback = mmsdr.parse_request(*xml(envelope(namespace=spelling)), None)
    assert plain(callback) == expected(report())
    assert f'xmlns="{NS14}"'.encode() in mmsdr.acknowledge(callback).body


def test_no_namespace_at_all_is_answered_without_one() -> None:
    callback = mmsdr.parse_request(*xml(envelope(namespace=None)), None)
    assert plain(callback) == expected(report(), namespace=None)
    assert b"xmlns=" not in mmsdr.acknowledge(callback).body.split(b"\n", 2)[2]


def test_an_unqualified_operation_takes_the_transaction_id_namespace() -> None:
    # Sinch's SubmitReq full example declares the namespace on TransactionID only.
    body = envelope().replace(f'<DeliveryReportReq xmlns="{NS14}">', "<DeliveryReportReq>")
    body = body.replace("<MessageID>", '<MessageID xmlns="">').replace("<Recipient>", '<Recipient xmlns="">')
    callback = mmsdr.parse_request(*xml(body), None)
    assert plain(callback) == expected(report())


@pytest.mark.parametrize("content_type", ["application/soap+xml; charset=utf-8", "text/xml", "application/xml"])
def test_soap_12_and_each_xml_content_type(content_type: str) -> None:
    callback = mmsdr.parse_request(*xml(envelope(soap=SOAP_12), content_type), None)
    assert plain(callback) == expected(report())
    # The answer is SOAP 1.1 whatever the request: no MM7 sender of SOAP 1.2 is known.
    assert f'xmlns:soap-env="{SOAP}"'.encode() in mmsdr.acknowledge(callback).body


@pytest.mark.parametrize(
    "transaction_id", ["  t-1  ", "\n\t\tt-1\n\t", "<![CDATA[t-1]]>", "t-<!-- split -->1"], ids=repr
)
def test_transaction_id_is_trimmed(transaction_id: str) -> None:
    callback = mmsdr.parse_request(*xml(envelope(transaction_id=transaction_id)), None)
    assert plain(callback) == expected(report())  # the envelope's transaction_id is "t-1"
    assert b">t-1</TransactionID>" in mmsdr.acknowledge(callback).body


def test_transaction_id_in_another_namespace_is_found() -> None:
    body = envelope().replace(f'TransactionID xmlns="{NS14}"', 'TransactionID xmlns="urn:vendor:tid"')
    callback = mmsdr.parse_request(*xml(body), None)
    assert callback.details == mm7.Envelope(transaction_id="t-1", mm7_version="6.8.0", namespace=NS14)


@pytest.mark.parametrize(
    ("start", "soap_content_id"),
    [
        ('start="<soap>"', "<soap>"),  # RFC 2387 form
        ('start="soap"', "<soap>"),  # Sinch: start without <>, Content-ID with
        ('start="<soap>"', "soap"),  # Content-ID without <> (Vibes)
        ("start=soap", "soap"),
        ("", "<soap>"),  # no start: the first text/xml part
    ],
)
def test_multipart_related_start(start: str, soap_content_id: str) -> None:
    headers, body = multipart(
        [(["Content-Type: text/xml; charset=utf-8", f"Content-ID: {soap_content_id}"], envelope().encode())],
        params=f'type="text/xml"; {start}',
    )
    assert plain(mmsdr.parse_request(headers, body, None)) == expected(report())


def test_without_start_the_first_xml_part_is_the_envelope_even_when_not_first() -> None:
    headers, body = multipart(
        [
            (["Content-Type: text/plain", "Content-ID: <note>"], b"not the envelope"),
            (["Content-Type: application/xml", "Content-ID: <soap>"], envelope().encode()),
        ]
    )
    assert plain(mmsdr.parse_request(headers, body, None)) == expected(report())


def test_a_start_that_names_no_part_is_refused() -> None:
    headers, body = multipart(
        [(["Content-Type: text/xml", "Content-ID: <soap>"], envelope().encode())], params='start="<other>"'
    )
    error = rejected(headers, body)
    assert str(error) == "mm7.delivery_report: parameter 'start' of the Content-Type names no part, got '<other>'"
    assert fault_of(error)["StatusCode"] == "4004"


def test_two_parts_with_one_content_id_are_refused() -> None:
    headers, body = multipart(
        [
            (["Content-Type: text/xml", "Content-ID: <soap>"], envelope().encode()),
            (["Content-Type: text/plain", "Content-ID: soap"], b"a second root"),
        ]
    )
    error = rejected(headers, body)
    assert str(error) == "mm7.delivery_report: part 2 repeats the Content-ID of an earlier part, got 'soap'"
    assert fault_of(error)["StatusCode"] == "4004"


def test_multipart_without_an_xml_part_is_refused() -> None:
    headers, body = multipart([(["Content-Type: text/plain"], b"DeliveryReportReq Envelope")])
    error = rejected(headers, body)
    assert str(error) == "mm7.delivery_report: the multipart body has no text/xml part for the SOAP envelope"
    assert fault_of(error)["StatusCode"] == "4004"


@pytest.mark.parametrize(
    "content_type",
    [
        'multipart/related; type="text/xml";',  # Sinch: no boundary, the body is bare XML
        "multipart/related",
        'multipart/related; boundary="never-used"; type="text/xml"',  # announced, never used, plainly XML
    ],
)
def test_multipart_related_without_a_usable_boundary_is_bare_xml(content_type: str) -> None:
    assert plain(mmsdr.parse_request(*xml(envelope(), content_type), None)) == expected(report())


@pytest.mark.parametrize(
    ("encoding", "content_type"),
    [
        ("utf-16", "text/xml"),  # BOM, little-endian
        ("utf-16-be", "text/xml; charset=utf-16"),  # no BOM: the charset says it, a leading NUL says big-endian
        ("utf-16-le", "text/xml; charset=UTF-16LE"),
        ("utf-8-sig", "text/xml"),  # a UTF-8 BOM
    ],
)
def test_utf16_and_bom_bodies(encoding: str, content_type: str) -> None:
    declaration = '<?xml version="1.0" encoding="UTF-16"?>\n' if "16" in encoding else ""
    body = envelope(DR_FIELDS.replace("m-1", "m-é"), declaration=declaration).encode(encoding)
    assert plain(mmsdr.parse_request(*xml(body, content_type), None)) == expected(report(message_id="m-é"))


def test_utf16_root_part_of_a_multipart() -> None:
    soap = envelope(declaration='<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    headers, body = multipart([(["Content-Type: text/xml; charset=utf-16", "Content-ID: <soap>"], soap)])
    assert plain(mmsdr.parse_request(headers, body, None)) == expected(report())


@pytest.mark.parametrize(
    ("declared", "content_type", "encoding"),
    [
        ("utf-16", "text/xml; charset=utf-8", "utf-8"),  # Vibes: the MIME charset wins
        ("utf-16", "text/xml", "utf-8"),  # no charset: ASCII "<?xml" bytes cannot be UTF-16 (XML 1.0 appendix F)
        ("UTF-8", "text/xml; charset=iso-8859-1", "latin-1"),  # RFC 7303 section 3: the charset wins
        ("utf-8", 'text/xml; charset="us-ascii"', "utf-8"),  # us-ascii read as the UTF-8 it is a subset of
    ],
)
def test_the_mime_charset_wins_over_a_wrong_declaration(declared: str, content_type: str, encoding: str) -> None:
    body = envelope(
        DR_FIELDS.replace("m-1", "Café"), declaration=f'<?xml version="1.0" encoding="{declared}"?>\n'
    ).encode(encoding)
    assert plain(mmsdr.parse_request(*xml(body, content_type), None)) == expected(report(message_id="Café"))


def test_bytes_that_are_not_the_declared_charset_are_refused() -> None:
    body = envelope(DR_FIELDS.replace("m-1", "m-\udcff"), declaration="").encode("utf-8", "surrogateescape")
    error = rejected(*xml(body, "text/xml; charset=utf-8"))
    assert str(error) == (
        "mm7.delivery_report: SOAP envelope is not well-formed XML (Invalid bytes in character encoding, "
        "line 1, column 391)"
    )
    # A UTF-16 byte order mark, then an odd number of bytes.
    error = rejected(*xml(b"\xff\xfe<\x00a", "text/xml; charset=utf-8"), formats="mm7.delivery_report")
    assert str(error) == "mm7.delivery_report: SOAP envelope is not valid utf-16-le (byte 2), got b'a'"
    assert fault_of(error)["StatusCode"] == "4004"


@pytest.mark.parametrize(
    ("href", "content_headers", "text"),
    [
        ("cid:content", ["Content-ID: <content>"], "hello\ndecoy"),
        ("cid:content", ["Content-ID: content"], "hello\ndecoy"),  # no <> (Sinch inner parts, deliver-req5)
        ("cid: content", ["Content-ID: <content>"], "hello\ndecoy"),  # a space after cid:
        ("cid:&lt;content&gt;", ["Content-ID: <content>"], "hello\ndecoy"),
        ("cid:CONTENT", ["Content-ID: <content>"], "hello\ndecoy"),  # case-insensitive as a last resort
        ("content", ["Content-ID: <content>"], "hello\ndecoy"),  # "some MMC don't put" cid: (Mbuni)
        ("cid:content", ["Content-Location: content"], "hello\ndecoy"),  # then Content-Location (instantcom-mm7)
        ("text.txt", ["Content-Location: text.txt"], "hello\ndecoy"),
        ("cid:nowhere", ["Content-ID: <content>"], "decoy\nhello"),  # no match: the first non-envelope part
    ],
)
def test_content_href_variants(href: str, content_headers: list[str], text: str) -> None:
    soap = envelope(DELIVER_FIELDS.replace("cid:content", href), operation="DeliverReq")
    headers, body = multipart(
        [
            (["Content-Type: text/xml; charset=utf-8", "Content-ID: <soap>"], soap.encode()),
            (["Content-Type: text/plain", "Content-ID: <decoy>"], b"decoy"),
            (["Content-Type: text/plain; charset=utf-8", *content_headers], b"hello"),
        ],
        params='type="text/xml"; start="<soap>"',
    )
    event = only_event(mmsdr.parse_request(headers, body, None))
    assert isinstance(event, InboundMessage)
    assert event.text == text
    assert [part.content_type for part in event.parts] == ["text/plain", "text/plain"]


def test_a_prefixed_href_attribute() -> None:
    body = envelope(DELIVER_FIELDS, operation="DeliverReq", prefix="mm7").replace(
        'mm7:Content href="cid:content"', 'mm7:Content mm7:href="cid:content"'
    )
    headers, data = multipart(
        [
            (["Content-Type: text/xml"], body.encode()),
            (["Content-Type: text/plain", "Content-ID: other"], b"other"),
            (["Content-Type: text/plain", "Content-ID: content"], b"hello"),
        ]
    )
    event = only_event(mmsdr.parse_request(headers, data, None))
    assert isinstance(event, InboundMessage)
    assert event.text == "hello\nother"  # the named content first, then every other attachment


def test_nested_multiparts_are_flattened_in_order() -> None:
    inner = (
        b"--in\r\nContent-Type: application/smil\r\n\r\n<smil/>\r\n"
        b"--in\r\nContent-Type: multipart/mixed; boundary=deep\r\n\r\n"
        b"--deep\r\nContent-Type: text/plain\r\n\r\none\r\n"
        b"--deep\r\nContent-Type: image/gif\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(GIF)
        + b"\r\n--deep--\r\n"
        b"\r\n--in\r\nContent-Type: text/plain\r\n\r\ntwo\r\n--in--\r\n"
    )
    soap = envelope(DELIVER_FIELDS, operation="DeliverReq")
    headers, body = multipart(
        [
            (["Content-Type: text/xml"], soap.encode()),
            (["Content-Type: multipart/mixed; boundary=in", "Content-ID: <content>"], inner),
        ]
    )
    event = only_event(mmsdr.parse_request(headers, body, None))
    assert isinstance(event, InboundMessage)
    assert [(part.content_type, part.data) for part in event.parts] == [
        ("application/smil", b"<smil/>"),
        ("text/plain", b"one"),
        ("image/gif", GIF),
        ("text/plain", b"two"),
    ]
    assert event.text == "one\ntwo"


def test_a_bare_deliver_has_no_parts_and_no_content_element_takes_every_attachment() -> None:
    bare = only_event(mmsdr.parse_request(*xml(envelope(DELIVER_FIELDS, operation="DeliverReq")), None))
    assert isinstance(bare, InboundMessage)
    assert (bare.parts, bare.text) == ((), None)
    soap = envelope(DELIVER_FIELDS.replace('<Content href="cid:content"/>', ""), operation="DeliverReq")
    headers, body = multipart(
        [
            (["Content-Type: text/xml"], soap.encode()),
            (["Content-Type: text/plain"], b"a"),
            (["Content-Type: text/plain"], b"b"),
        ]
    )
    event = only_event(mmsdr.parse_request(headers, body, None))
    assert isinstance(event, InboundMessage)
    assert event.text == "a\nb"


@pytest.mark.parametrize(
    ("element", "value", "kind"),
    [
        ("Number", "+447700900123/TYPE=PLMN", "Number"),
        ("Number", "447700900123/type=plmn", "Number"),
        ("ShortCode", "447700900123/TYPE=PLMN", "ShortCode"),
        ("Shortcode", "447700900123", "Shortcode"),  # mmsgw's spelling
        ("RFC2822Address", "447700900123/TYPE=PLMN@mm7.mms.example.com", "RFC2822Address"),
        (None, " 447700900123 ", None),  # bare text (CMCC)
    ],
)
def test_addresses(element: str | None, value: str, kind: str | None) -> None:
    address = f"<{element}>{value}</{element}>" if element else value
    fields = DR_FIELDS.replace("<Number>447700900123</Number>", address)
    callback = mmsdr.parse_request(*xml(envelope(fields)), None)
    recipient = "+447700900123" if value.startswith("+") else "447700900123"
    assert plain(callback) == expected(report(recipient=recipient))
    assert only_event(callback).raw[f"Recipient/{kind}" if kind else "Recipient"] == value


def test_recipient_wrapped_in_to_and_attributes() -> None:
    # instantcom-mm7 accepts Recipient/To/Number; displayOnly and addressCoding stay in raw.
    fields = DR_FIELDS.replace(
        "<Number>447700900123</Number>",
        '<To><Number displayOnly="true" addressCoding="obfuscated" id="r1">447700900123</Number></To>',
    )
    callback = mmsdr.parse_request(*xml(envelope(fields)), None)
    assert plain(callback) == expected(report())
    raw = only_event(callback).raw
    assert raw["Recipient/To/Number@displayOnly"] == "true"
    assert raw["Recipient/To/Number@addressCoding"] == "obfuscated"


@pytest.mark.parametrize(("value", "status"), sorted(MM7_STATUSES.items()))
def test_each_mmstatus(value: str, status: Status) -> None:
    for spelling in (value, value.upper(), value.capitalize()):
        fields = DR_FIELDS.replace("Retrieved", spelling)
        callback = mmsdr.parse_request(*xml(envelope(fields)), None)
        assert plain(callback) == expected(report(status=status, provider_status=spelling))


@pytest.mark.parametrize(
    ("value", "status"),
    [("Unrecognized", Status.FAILED), ("Unrecognised", Status.FAILED), ("DeliveryConditionNotMet", Status.FAILED)],
)
def test_sinch_and_3gpp_spellings(value: str, status: Status) -> None:
    fields = DR_FIELDS.replace("Retrieved", value)
    callback = mmsdr.parse_request(*xml(envelope(fields)), None)
    assert plain(callback) == expected(report(status=status, provider_status=value))


def test_an_unknown_mmstatus_is_unknown_never_an_error() -> None:
    fields = DR_FIELDS.replace("Retrieved", "Teleported")
    callback = mmsdr.parse_request(*xml(envelope(fields)), None)
    assert plain(callback) == expected(report(status=Status.UNKNOWN, provider_status="Teleported"))
    assert mmsdr.acknowledge(callback).status == 200


def test_read_reply_statuses_and_date_fallback() -> None:
    fields = DR_FIELDS.replace("Retrieved", "Deleted")
    callback = mmsdr.parse_request(*xml(envelope(fields, operation="ReadReplyReq")), None)
    # Date read when TimeStamp is absent.
    changes = {"format": "mm7.read_reply", "status": Status.DELETED, "provider_status": "Deleted"}
    read_report = ReadReport(**{**report_fields(), **changes})
    assert plain(callback) == expected(read_report)


def test_zone_less_dates_are_read_in_the_configured_zone() -> None:
    fields = DR_FIELDS.replace("2024-05-06T07:08:09Z", "2024-05-06T07:08:09")
    callback = mmsdr.parse_request(*xml(envelope(fields)), None, default_zone="America/New_York")
    event = only_event(callback)
    assert event.timestamp == datetime(2024, 5, 6, 7, 8, 9, tzinfo=offset(-4))
    # The offset the zone had then, as a fixed offset: the instant is what counts.
    assert event.timestamp.tzinfo == offset(-4)
    assert callback.warnings == ("element 'Date' has no UTC offset: read in America/New_York",)


@pytest.mark.parametrize(
    ("zone", "expected_offset", "name"),
    [(None, 0, "UTC"), ("Asia/Shanghai", 8, "Asia/Shanghai"), (offset(9), 9, "UTC+09:00")],
)
def test_zone_less_dates_are_utc_unless_the_endpoint_says(zone: Any, expected_offset: int, name: str) -> None:
    # xs:dateTime without a zone is not London time: MM7's own default is UTC; a China Mobile MMSC means +08:00.
    fields = DR_FIELDS.replace("2024-05-06T07:08:09Z", "2024-05-06T07:08:09")
    parser = mmsdr.Parser(formats="mm7", default_zone=zone)
    callback = parser.parse(*xml(envelope(fields)))
    assert only_event(callback).timestamp == datetime(2024, 5, 6, 7, 8, 9, tzinfo=offset(expected_offset))
    assert callback.warnings == (f"element 'Date' has no UTC offset: read in {name}",)


def test_operator_and_profile_headers() -> None:
    headers, body = xml(
        envelope(), **{"X-OpenMarket-Carrier-Id": " 383 ", "X-Wap-Profile": "http://example.com/ua.xml"}
    )
    callback = mmsdr.parse_request(headers, body, None)
    details = mm7.ReportDetails(network="383", user_agent="http://example.com/ua.xml")
    assert plain(callback) == expected(report(details=details))
    raw = only_event(callback).raw
    assert raw["http:x-openmarket-carrier-id"] == "383"  # header values arrive trimmed
    assert raw["http:x-wap-profile"] == "http://example.com/ua.xml"


def test_endpoint_formats_and_detection() -> None:
    assert mmsdr.Parser(formats="mm7").formats == ("mm7.delivery_report", "mm7.deliver", "mm7.read_reply")
    assert [name for name in mmsdr.FORMATS if name.startswith("mm7.")] == [
        "mm7.delivery_report",
        "mm7.deliver",
        "mm7.read_reply",
    ]
    headers, body = xml(envelope(DELIVER_FIELDS, operation="DeliverReq"))
    assert mmsdr.parse_request(headers, body, None).format == "mm7.deliver"
    # An endpoint for delivery reports refuses a DeliverReq with a 4003 fault.
    error = rejected(headers, body, formats="mm7.delivery_report")
    assert (
        str(error)
        == "mm7.delivery_report: operation 'DeliverReq' is not read by this format (it reads DeliveryReportReq)"
    )
    assert fault_of(error)["StatusCode"] == "4003"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", envelope().encode()),
        ("text/xml", b"<DeliveryReportReq/>"),  # no envelope
        ("text/xml", b"<Envelope><Body><Other/></Body></Envelope>"),  # an envelope, nothing of MM7
        ("text/plain", envelope().encode()),
    ],
)
def test_what_is_not_detected_as_mm7(content_type: str, body: bytes) -> None:
    error = rejected(*xml(body, content_type))
    assert type(error) is UnsupportedFormatError
    assert str(error).startswith("request: no accepted format matches")


# --- errors and their faults --------------------------------------------------------------------------------------


def fault_fields(
    code: str,
    text: str,
    details: str,
    *,
    transaction_id: str | None = None,
    namespace: str = NS14,
    version: str = "6.8.0",
) -> dict[str, str | None]:
    return {
        "faultcode": "soap-env:Client",
        "faultstring": text,
        "TransactionID": transaction_id,
        "namespace": namespace,
        "MM7Version": version,
        "StatusCode": code,
        "StatusText": text,
        "Details": details,
    }


def fault_of(error: MmsdrError) -> dict[str, str | None]:
    """The fault ``error.ack`` carries, read back with lxml; its HTTP status and headers checked."""
    ack = error.ack
    assert ack.status == 200  # a permanent problem is answered 200 + fault, not retried
    return read_fault(ack)


def read_fault(ack: mmsdr.Ack) -> dict[str, str | None]:
    """A SOAP 1.1 Fault carrying a VASPErrorRsp, read back with lxml; its headers checked, any HTTP status."""
    assert ack.headers == (("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(ack.body))))
    root = etree.fromstring(ack.body)
    fault = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    assert fault is not None
    rsp = fault.find("detail/*")
    assert rsp is not None
    transaction = root.find(f"{{{SOAP}}}Header/*")
    if transaction is not None:
        assert transaction.get(f"{{{SOAP}}}mustUnderstand") == "1"
        assert transaction.tag == rsp.tag.replace("VASPErrorRsp", "TransactionID")
    namespace, local = rsp.tag[1:].split("}")
    assert local == "VASPErrorRsp"
    return {
        "faultcode": fault.findtext("faultcode"),
        "faultstring": fault.findtext("faultstring"),
        "TransactionID": None if transaction is None else transaction.text,
        "namespace": namespace,
        "MM7Version": rsp.findtext(f"{{{namespace}}}MM7Version"),
        "StatusCode": rsp.findtext(f"{{{namespace}}}Status/{{{namespace}}}StatusCode"),
        "StatusText": rsp.findtext(f"{{{namespace}}}Status/{{{namespace}}}StatusText"),
        "Details": rsp.findtext(f"{{{namespace}}}Status/{{{namespace}}}Details"),
    }


NS512_ENVELOPE = {"namespace": NS512, "version": "5.3.0"}
ERRORS = [
    # (template changes, error type, message, StatusCode, fault echoes TransactionID)
    (
        {"fields": DR_FIELDS.replace("<MessageID>m-1</MessageID>", "")},
        MalformedRequestError,
        "mm7.delivery_report: element 'MessageID' is missing",
        "4004",
    ),
    (
        {"fields": DR_FIELDS.replace("<MessageID>m-1</MessageID>", "<MessageID>  </MessageID>")},
        MalformedRequestError,
        "mm7.delivery_report: element 'MessageID' is empty, got '  '",
        "2007",
    ),
    (
        {"fields": DR_FIELDS + "<MessageID>m-2</MessageID>"},
        MalformedRequestError,
        "mm7.delivery_report: element 'MessageID' is repeated with different values, got ['m-1', 'm-2']",
        "2007",
    ),
    (
        {"fields": DR_FIELDS.replace("<MMStatus>Retrieved</MMStatus>", "")},
        MalformedRequestError,
        "mm7.delivery_report: element 'MMStatus' is missing",
        "4004",
    ),
    (
        {"fields": DR_FIELDS.replace("<Recipient><Number>447700900123</Number></Recipient>", "")},
        MalformedRequestError,
        "mm7.delivery_report: element 'Recipient' is missing",
        "4004",
    ),
    (
        {"fields": DR_FIELDS.replace("<Number>447700900123</Number>", "<Nickname>bob</Nickname>")},
        MalformedRequestError,
        "mm7.delivery_report: element 'Recipient' holds no address (Number, ShortCode, RFC2822Address or text)",
        "2007",
    ),
    (
        {"fields": DR_FIELDS.replace("<Number>447700900123</Number>", "<Number> </Number>")},
        MalformedRequestError,
        "mm7.delivery_report: element 'Recipient/Number' is empty, got ' '",
        "2007",
    ),
    (
        {"fields": DR_FIELDS.replace("<MMStatus>Retrieved</MMStatus>", "<MMStatus/>")},
        MalformedRequestError,
        "mm7.delivery_report: element 'MMStatus' is empty, got ''",
        "2007",
    ),
    (
        {"fields": DR_FIELDS.replace("<Recipient><Number>447700900123</Number></Recipient>", "<Recipient/>")},
        MalformedRequestError,
        "mm7.delivery_report: element 'Recipient' holds no address (Number, ShortCode, RFC2822Address or text)",
        "2007",
    ),
    (
        {"fields": DR_FIELDS.replace("<Sender><ShortCode>12345</ShortCode></Sender>", "<Sender/>")},
        MalformedRequestError,
        "mm7.delivery_report: element 'Sender' holds no address (Number, ShortCode, RFC2822Address or text)",
        "2007",
    ),
    (
        {
            "fields": DR_FIELDS.replace(
                "<Recipient><Number>447700900123</Number></Recipient>",
                "<Recipients><To><Number>1</Number></To><Cc><Number>2</Number></Cc></Recipients>",
            )
        },
        MalformedRequestError,
        (
            "mm7.delivery_report: element 'Recipients' holds several addresses where a report has one recipient, "
            "got ['1', '2']"
        ),
        "2007",
    ),
    (
        {"operation": "CancelReq"},
        UnsupportedFormatError,
        (
            "mm7.delivery_report: operation 'CancelReq' is not supported "
            "(mmsdr reads DeliveryReportReq, DeliverReq and ReadReplyReq)"
        ),
        "4003",
    ),
]


@pytest.mark.parametrize(
    ("changes", "error_type", "message", "code"), ERRORS, ids=[row[2].split(": ", 1)[1] for row in ERRORS]
)
def test_errors_and_their_faults(
    changes: dict[str, Any], error_type: type[MmsdrError], message: str, code: str
) -> None:
    error = rejected(*xml(envelope(**changes)))
    assert type(error) is error_type
    assert str(error) == message
    assert (error.provider, error.format) == ("mm7", "mm7.delivery_report")
    # The fault speaks 6.8.0 when the request's version could not be read as one mmsdr takes.
    text = mm7.StatusCode(int(code)).text
    assert fault_of(error) == fault_fields(code, text, message, transaction_id="t-1")


def test_missing_transaction_id_is_a_4004_fault_without_a_header() -> None:
    error = rejected(*xml(envelope(transaction_id=None)))
    assert str(error) == "mm7.delivery_report: element 'TransactionID' is missing"
    assert fault_of(error) == fault_fields("4004", "Validation error", str(error))


def test_empty_transaction_id() -> None:
    error = rejected(*xml(envelope(transaction_id=" ")))
    assert str(error) == "mm7.delivery_report: element 'TransactionID' is empty, got ' '"
    assert fault_of(error)["StatusCode"] == "2007"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            envelope()[:-20],
            (
                "mm7.delivery_report: SOAP envelope is not well-formed XML (Failed to parse QName 'env:', line 2, "
                "column 590)"
            ),
        ),
        (
            f'<env:Envelope xmlns:env="{SOAP}"><env:Header/></env:Envelope><!-- DeliveryReportReq -->',
            "mm7.delivery_report: element 'Body' is missing",
        ),
        (
            f'<env:Envelope xmlns:env="{SOAP}"><env:Body> </env:Body></env:Envelope><!-- DeliveryReportReq -->',
            "mm7.delivery_report: element 'Body' is empty",
        ),
        (
            f'<env:Body xmlns:env="{SOAP}"><DeliveryReportReq/></env:Body><!-- Envelope -->',
            "mm7.delivery_report: element 'Envelope' is not the document's root, got 'Body'",
        ),
    ],
)
def test_unreadable_envelopes_are_4004_without_a_transaction_id(body: str, message: str) -> None:
    error = rejected(*xml(body))
    assert type(error) is MalformedRequestError
    assert str(error) == message
    assert fault_of(error) == fault_fields("4004", "Validation error", message)


def test_the_transaction_id_is_echoed_escaped_once_it_was_read() -> None:
    error = rejected(*xml(envelope(DR_FIELDS.replace("m-1", " "), transaction_id="t-&amp;-1")))
    assert fault_of(error)["TransactionID"] == "t-&-1"
    assert b">t-&amp;-1</TransactionID>" in error.ack.body


def test_limits_give_a_2004_fault() -> None:
    error = rejected(*xml(envelope()), limits=mmsdr.Limits(max_xml_bytes=100))
    assert type(error) is LimitExceededError
    assert str(error) == "mm7.delivery_report: SOAP envelope is larger than 100 bytes (Limits.max_xml_bytes)"
    assert error.status_hint == 413
    assert fault_of(error) == fault_fields("2004", "Multimedia content refused", str(error))


def test_too_many_elements() -> None:
    error = rejected(*xml(envelope(DR_FIELDS + "<Extra/>" * 5000)))
    assert type(error) is LimitExceededError
    assert str(error) == "mm7.delivery_report: SOAP envelope has more than 4096 elements (Limits.max_xml_elements)"


def test_the_element_cap_is_a_limit() -> None:
    # Sinch's report has 14 elements below the Envelope: Header, TransactionID, Body, DeliveryReportReq, its eight
    # children, and the Number in Recipient and in Sender.
    headers, body = request("sinch-delivery-report.http")
    assert mmsdr.Limits().max_xml_elements == 4096
    callback = mmsdr.parse_request(headers, body, None, limits=mmsdr.Limits(max_xml_elements=14))
    assert without_keys(callback) == SINCH_CALLBACK
    error = rejected(headers, body, limits=mmsdr.Limits(max_xml_elements=13))
    assert type(error) is LimitExceededError
    assert str(error) == "mm7.delivery_report: SOAP envelope has more than 13 elements (Limits.max_xml_elements)"
    assert error.status_hint == 413
    assert fault_of(error) == fault_fields("2004", "Multimedia content refused", str(error), transaction_id="10000001")


def test_an_attachment_that_does_not_decode_is_a_2004_fault() -> None:
    headers, body = deliver_request(["Content-ID: <content>", "Content-Transfer-Encoding: base64"])
    error = rejected(headers, body.replace(b"hello", b"QQ==QUJD"))
    assert str(error) == "mm7.deliver: part 2 is not valid base64 (Excess data after padding), got b'QQ==QUJD'"
    assert fault_of(error)["StatusCode"] == "2004"
    assert fault_of(error)["TransactionID"] == "t-1"


def test_a_broken_multipart_is_a_4004_fault() -> None:
    headers, body = deliver_request(["Content-ID: <content>"])
    error = rejected(headers, body[:-12])
    assert str(error) == "mm7.deliver: body ends before its closing delimiter, got no '--b-1--' after part 2"
    assert fault_of(error)["StatusCode"] == "4004"


def test_a_bad_content_type_header_is_a_4004_fault() -> None:
    headers = [("Content-Type", 'multipart/related; boundary="a"; boundary="b"')]
    error = rejected(headers, envelope().encode(), formats="mm7.delivery_report")
    assert str(error) == (
        "mm7.delivery_report: Content-Type repeats parameter 'boundary', "
        'got \'multipart/related; boundary="a"; boundary="b"\''
    )
    assert fault_of(error)["StatusCode"] == "4004"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (MalformedRequestError("x"), "2007"),
        (LimitExceededError("x"), "2004"),
        (UnsupportedFormatError("x"), "4003"),
        (MmsdrError("x"), "4000"),
    ],
)
def test_reject_builds_a_fault_for_any_error(error: MmsdrError, code: str) -> None:
    reject = mmsdr.FORMATS["mm7.deliver"].reject
    assert reject is not None
    error.ack = reject(error)
    assert fault_of(error) == fault_fields(code, mm7.StatusCode(int(code)).text, "x")


@pytest.mark.parametrize(
    ("error", "status", "challenge"),
    [
        (mmsdr.UntrustedSourceError("x"), 403, ()),
        (
            mmsdr.AuthenticationError("x", challenge='Basic realm="vasp"'),
            401,
            (("WWW-Authenticate", 'Basic realm="vasp"'),),
        ),
    ],
)
def test_an_authentication_refusal_is_a_4001_fault_with_http_s_status(
    error: mmsdr.AuthenticationError, status: int, challenge: tuple[tuple[str, str], ...]
) -> None:
    """HTTP clients send Basic credentials after a 401 that asks for them; the fault tells the MM7 layer why."""
    reject = mmsdr.FORMATS["mm7.deliver"].reject
    assert reject is not None
    ack = reject(error)
    assert (ack.status, ack.headers[2:]) == (status, challenge)
    plain = mmsdr.Ack(status=ack.status, headers=ack.headers[:2], body=ack.body)
    assert read_fault(plain) == fault_fields("4001", "Improper identification", "x")


# --- acknowledgements ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "element"),
    [
        ("vibes-delivery-report.http", "DeliveryReportRsp"),
        ("sinch-2020-deliver.http", "DeliverRsp"),
        ("annex-read-reply.http", "ReadReplyRsp"),
        ("huawei-deliver.http", "DeliverRsp"),
    ],
)
def test_ack_structure(fixture: str, element: str) -> None:
    callback = parse(fixture)
    ack = mmsdr.acknowledge(callback)
    assert ack.status == 200
    assert ack.headers == (("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(ack.body))))
    envelope = callback.details
    assert isinstance(envelope, mm7.Envelope)
    namespace = envelope.namespace
    root = etree.fromstring(ack.body)
    assert shape(root) == [
        (f"{{{SOAP}}}Envelope", None),
        (f"{{{SOAP}}}Header", None),
        (f"{{{namespace}}}TransactionID", envelope.transaction_id),
        (f"{{{SOAP}}}Body", None),
        (f"{{{namespace}}}{element}", None),
        (f"{{{namespace}}}MM7Version", envelope.mm7_version),
        (f"{{{namespace}}}Status", None),
        (f"{{{namespace}}}StatusCode", "1000"),
        (f"{{{namespace}}}StatusText", "Success"),
    ]
    assert root[0][0].get(f"{{{SOAP}}}mustUnderstand") == "1"


def test_response_with_another_status_and_escaping() -> None:
    callback = mmsdr.parse_request(*xml(envelope(transaction_id="a&lt;b")), None)
    ack = mm7.response(callback, status_code=mm7.StatusCode.MESSAGE_ID_NOT_FOUND, details="unknown <id>")
    root = etree.fromstring(ack.body)
    assert root[0][0].text == "a<b"
    assert [node.text for node in root[1][0][1]] == ["2005", "Message ID Not found", "unknown <id>"]
    ack = mm7.response(callback, status_code=2571, status_text="displayOnly error")  # Sinch's own code
    assert b"<StatusCode>2571</StatusCode>\n<StatusText>displayOnly error</StatusText>" in ack.body
    assert b"<StatusText>2599</StatusText>" in mm7.response(callback, status_code=2599).body
    with pytest.raises(ValueError, match="status_code must be a four-digit MM7 StatusCode, got 99"):
        mm7.response(callback, status_code=99)


def test_response_refuses_callbacks_of_other_providers() -> None:
    callback = mmsdr.parse_request({}, b"", "smsfrom=1&smsmsg=REPORT+1+DELIVERED&smsdate=2002-04-30+21%3A58%3A00")
    assert callback.provider == "mxtelecom"
    with pytest.raises(TypeError) as caught:
        mm7.response(callback)
    assert str(caught.value) == (
        "mm7.response() takes a Callback parsed from an MM7 request, got a Callback of 'mxtelecom.sms_report'"
    )
    with pytest.raises(TypeError) as caught:
        mm7.response(callback, retry=True)
    assert str(caught.value) == (
        "mm7.response() takes a Callback parsed from an MM7 request, got a Callback of 'mxtelecom.sms_report'"
    )


def test_response_refuses_an_event_in_place_of_its_callback() -> None:
    # The old contract took the event; the event alone no longer carries the envelope to echo.
    with pytest.raises(TypeError) as caught:
        mm7.response(only_event(sinch_callback()))  # type: ignore[arg-type]
    assert str(caught.value) == "mm7.response() takes a Callback parsed from an MM7 request, got DeliveryReport"


# --- mmsdr.acknowledge is mm7.response, for each MM7 format ----------------------------------------------------

# (fixture, its ...Rsp element, TransactionID, namespace, MM7Version): one per MM7 format, three namespaces.
ACK_FIXTURES = [
    ("vibes-delivery-report.http", "DeliveryReportRsp", "cdef439dd1f47b36", NS512, "5.3.0"),
    ("huawei-deliver.http", "DeliverRsp", "824919", NS510, "5.2.0"),
    ("annex-read-reply.http", "ReadReplyRsp", "TID.2002.0416.7", NS14, "6.8.0"),
]


def soap_answer(transaction_id: str, namespace: str, body: str) -> bytes:
    """A SOAP 1.1 answer as mmsdr writes it: the TransactionID header in ``namespace``, then ``body``."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<soap-env:Envelope xmlns:soap-env="{SOAP}">\n'
        "<soap-env:Header>\n"
        f'<TransactionID xmlns="{namespace}" soap-env:mustUnderstand="1">{transaction_id}</TransactionID>\n'
        "</soap-env:Header>\n"
        "<soap-env:Body>\n"
        f"{body}"
        "</soap-env:Body>\n"
        "</soap-env:Envelope>\n"
    ).encode()


def xml_ack(status: int, body: bytes) -> mmsdr.Ack:
    return mmsdr.Ack(
        status=status,
        headers=(("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))),
        body=body,
    )


@pytest.mark.parametrize(
    ("fixture", "element", "transaction_id", "namespace", "version"), ACK_FIXTURES, ids=[row[0] for row in ACK_FIXTURES]
)
def test_acknowledge_is_the_success_rsp(
    fixture: str, element: str, transaction_id: str, namespace: str, version: str
) -> None:
    callback = parse(fixture)
    body = soap_answer(
        transaction_id,
        namespace,
        f'<{element} xmlns="{namespace}">\n'
        f"<MM7Version>{version}</MM7Version>\n"
        "<Status>\n<StatusCode>1000</StatusCode>\n<StatusText>Success</StatusText>\n</Status>\n"
        f"</{element}>\n",
    )
    assert mmsdr.acknowledge(callback) == xml_ack(200, body)
    assert mmsdr.acknowledge(callback) == mm7.response(callback)
    assert mmsdr.acknowledge(callback, retry=False) == mm7.response(callback, retry=False)
    assert mmsdr.Parser(formats="mm7").acknowledge(callback) == xml_ack(200, body)


@pytest.mark.parametrize(
    ("fixture", "transaction_id", "namespace", "version"),
    [(fixture, transaction_id, namespace, version) for fixture, _, transaction_id, namespace, version in ACK_FIXTURES],
    ids=[row[0] for row in ACK_FIXTURES],
)
def test_acknowledge_retry_is_a_server_fault_4006_with_500(
    fixture: str, transaction_id: str, namespace: str, version: str
) -> None:
    # "Send it again": a soap-env:Server fault (SOAP 1.1 section 4.4.1), 4006 "Service unavailable", HTTP 500,
    # in the request's namespace and version, echoing its TransactionID; the same for every operation.
    callback = parse(fixture)
    body = soap_answer(
        transaction_id,
        namespace,
        "<soap-env:Fault>\n"
        "<faultcode>soap-env:Server</faultcode>\n"
        "<faultstring>Service unavailable</faultstring>\n"
        "<detail>\n"
        f'<VASPErrorRsp xmlns="{namespace}">\n'
        f"<MM7Version>{version}</MM7Version>\n"
        "<Status>\n<StatusCode>4006</StatusCode>\n<StatusText>Service unavailable</StatusText>\n</Status>\n"
        "</VASPErrorRsp>\n"
        "</detail>\n"
        "</soap-env:Fault>\n",
    )
    ack = mmsdr.acknowledge(callback, retry=True)
    assert ack == xml_ack(500, body)
    assert ack == mm7.response(callback, retry=True)
    assert ack.status_line == "500 Internal Server Error"
    assert mmsdr.Parser(formats="mm7").acknowledge(callback, retry=True) == ack
    assert read_fault(ack) == {
        **fault_fields("4006", "Service unavailable", "", transaction_id=transaction_id, namespace=namespace),
        "faultcode": "soap-env:Server",
        "MM7Version": version,
        "Details": None,
    }


def test_acknowledge_retry_escapes_what_it_echoes() -> None:
    callback = mmsdr.parse_request(*xml(envelope(transaction_id="a&lt;&amp;b")), None)
    ack = mmsdr.acknowledge(callback, retry=True)
    assert ack == mm7.response(callback, retry=True)
    assert b">a&lt;&amp;b</TransactionID>" in ack.body
    assert read_fault(ack)["TransactionID"] == "a<&b"


# --- every fixture round-trips: to_dict and back, and request_for --------------------------------------------

PARSED_FIXTURES = sorted(
    [name for name, _ in REPORT_FIXTURES + DELIVER_FIXTURES]
    + ["sinch-delivery-report.http", "sinch-delivery-report-example.xml", "cmcc-deliver.http"]
)
REFUSED_FIXTURES = sorted(
    [row[0] for row in UNSUPPORTED]
    + ["sinch-2020-deliver-original.http", "minimal-deliver.http", "annex-delivery-report-bad-content-type.http"]
)


def test_every_fixture_is_either_read_or_refused_here() -> None:
    names = sorted(path.name for path in (DATA / "mm7").iterdir() if path.name != "README.md")
    # The lenient ones are left out of the round trips below: an event whose time is the time of reading comes
    # back from request_for with that time as the provider's, and so another dedupe key.
    assert names == sorted(PARSED_FIXTURES + REFUSED_FIXTURES + [name for name, _ in LENIENT_FIXTURES])


@pytest.mark.parametrize("fixture", PARSED_FIXTURES)
def test_fixture_events_round_trip_through_to_dict(fixture: str) -> None:
    event = only_event(parse(fixture))
    data = event.to_dict()
    assert mmsdr.event_from_dict(data) == event
    assert mmsdr.event_from_dict(json.loads(json.dumps(data))) == event  # to_dict() is JSON-ready
    assert mmsdr.event_from_dict(data).to_dict() == data  # the timestamp's offset included


@pytest.mark.parametrize("fixture", PARSED_FIXTURES)
def test_fixture_events_round_trip_through_request_for(fixture: str) -> None:
    callback = parse(fixture)
    event = only_event(callback)
    request = mmsdr.testing.request_for(event)
    rebuilt = request.parse()
    assert only_event(rebuilt) == event
    assert only_event(mmsdr.parse_request(request.headers, request.body, request.query, method=request.method)) == event
    # The TransactionID and MM7Version come back too (from raw); the namespace is not the event's to give.
    assert isinstance(callback.details, mm7.Envelope)
    assert isinstance(rebuilt.details, mm7.Envelope)
    assert (rebuilt.details.transaction_id, rebuilt.details.mm7_version) == (
        callback.details.transaction_id,
        callback.details.mm7_version,
    )


def test_request_for_builds_a_request_in_an_mm7_namespace() -> None:
    # Sinch's report is in the builders' default namespace (REL-6-MM7-1-4), so its rebuilt request can be too.
    callback = parse("sinch-delivery-report.http")
    assert mmsdr.testing.request_for(only_event(callback)).parse().details == callback.details


# --- the HTTP status: refused for good (200) or asked again (500) -------------------------------------------------


def sinch_callback() -> Callback:
    return parse("sinch-delivery-report.http")


def sinch_error() -> MmsdrError:
    headers, body = request("sinch-delivery-report.http")
    return rejected(headers, body.replace(b"<MMStatus>Retrieved</MMStatus>", b""))


MISSING_MMSTATUS = "mm7.delivery_report: element 'MMStatus' is missing"

# (how the answer is built, HTTP status, faultcode, StatusCode, StatusText, Details)
ANSWERS = [
    (lambda: sinch_error().ack, 200, "soap-env:Client", "4004", "Validation error", MISSING_MMSTATUS),
    (lambda: mm7.rejection(sinch_error()), 200, "soap-env:Client", "4004", "Validation error", MISSING_MMSTATUS),
    (
        lambda: mm7.rejection(sinch_error(), retry=True),
        500,
        "soap-env:Client",
        "4004",
        "Validation error",
        MISSING_MMSTATUS,
    ),
    (lambda: mm7.response(sinch_callback(), retry=True), 500, "soap-env:Server", "4006", "Service unavailable", None),
    (
        lambda: mm7.response(
            sinch_callback(), status_code=mm7.StatusCode.SERVER_ERROR, details="database unreachable", retry=True
        ),
        500,
        "soap-env:Server",
        "3000",
        "Server Error",
        "database unreachable",
    ),
    (
        lambda: mm7.response(sinch_callback(), status_code=3500, status_text="Timeout", retry=True),  # Sinch's own
        500,
        "soap-env:Server",
        "3500",
        "Timeout",
        None,
    ),
]


@pytest.mark.parametrize(
    ("answer", "status", "faultcode", "code", "text", "details"),
    ANSWERS,
    ids=["error.ack", "rejection", "rejection-retry", "response-retry", "response-retry-3000", "response-retry-3500"],
)
def test_answers_refusing_for_good_or_asking_again(
    answer: Any, status: int, faultcode: str, code: str, text: str, details: str | None
) -> None:
    # 200 closes the matter (Sinch retries only a non-200); 500 is SOAP 1.1's status for a fault and
    # makes Sinch send the request again. Either way the body is a fault echoing the TransactionID.
    ack = answer()
    assert ack.status == status
    assert read_fault(ack) == {
        **fault_fields(code, text, details or "", transaction_id="10000001"),
        "faultcode": faultcode,
        "Details": details,
    }


def test_rejection_for_good_is_error_ack_and_a_retry_differs_only_in_status() -> None:
    error = sinch_error()
    assert mm7.rejection(error) == error.ack
    assert mm7.rejection(error, retry=True) == dataclasses.replace(error.ack, status=500)
    assert mm7.rejection(error, retry=True).status_line == "500 Internal Server Error"


def test_rejection_of_an_error_read_no_further_than_detection() -> None:
    ack = mm7.rejection(UnsupportedFormatError("request: no accepted format matches"), retry=True)
    assert ack.status == 500
    assert read_fault(ack) == fault_fields("4003", "Unsupported operation", "request: no accepted format matches")


def test_a_retry_answer_keeps_the_request_namespace_and_version() -> None:
    callback = mmsdr.parse_request(*xml(envelope(namespace=NS512, version="5.3.0", transaction_id="t-&amp;")), None)
    fault = read_fault(mm7.response(callback, retry=True))
    assert (fault["namespace"], fault["MM7Version"], fault["TransactionID"]) == (NS512, "5.3.0", "t-&")


def test_a_final_answer_with_another_status_is_still_a_rsp_with_200() -> None:
    ack = mm7.response(sinch_callback(), status_code=mm7.StatusCode.MESSAGE_ID_NOT_FOUND)
    assert ack.status == 200
    assert etree.fromstring(ack.body)[1][0].tag == f"{{{NS14}}}DeliveryReportRsp"
    assert mm7.response(sinch_callback(), retry=False) == mmsdr.acknowledge(sinch_callback())


@pytest.mark.parametrize("code", [1000, 1100, 1500, mm7.StatusCode.SUCCESS])
def test_a_retry_needs_a_failure_code(code: int) -> None:
    with pytest.raises(ValueError, match=f"status_code must not be a 1xxx success, got {code!r}"):
        mm7.response(sinch_callback(), status_code=code, retry=True)


# --- StatusCode: the TS 23.140 table and the class rules ---------------------------------------------------------

S = mm7.StatusClass

# TS 23.140 table 12.21 with the texts Mbuni, instantcom-mm7 and mmsgw all send.
STATUS_TABLE = [
    (1000, "SUCCESS", "Success", S.SUCCESS),
    (1100, "PARTIAL_SUCCESS", "Partial success", S.SUCCESS),
    (2000, "CLIENT_ERROR", "Client error", S.CLIENT_ERROR),
    (2001, "OPERATION_RESTRICTED", "Operation restricted", S.CLIENT_ERROR),
    (2002, "ADDRESS_ERROR", "Address Error", S.CLIENT_ERROR),
    (2003, "ADDRESS_NOT_FOUND", "Address Not Found", S.CLIENT_ERROR),
    (2004, "MULTIMEDIA_CONTENT_REFUSED", "Multimedia content refused", S.CLIENT_ERROR),
    (2005, "MESSAGE_ID_NOT_FOUND", "Message ID Not found", S.CLIENT_ERROR),
    (2006, "LINKED_ID_NOT_FOUND", "LinkedID not found", S.CLIENT_ERROR),
    (2007, "MESSAGE_FORMAT_CORRUPT", "Message format corrupt", S.CLIENT_ERROR),
    (2008, "APPLICATION_ID_NOT_FOUND", "Application ID not found", S.CLIENT_ERROR),
    (2009, "REPLY_APPLICATION_ID_NOT_FOUND", "Reply Application ID not found", S.CLIENT_ERROR),
    (3000, "SERVER_ERROR", "Server Error", S.SERVER_ERROR),
    (3001, "NOT_POSSIBLE", "Not Possible", S.SERVER_ERROR),
    (3002, "MESSAGE_REJECTED", "Message rejected", S.SERVER_ERROR),
    (3003, "MULTIPLE_ADDRESSES_NOT_SUPPORTED", "Multiple addresses not supported", S.SERVER_ERROR),
    (3004, "APPLICATION_ADDRESSING_NOT_SUPPORTED", "Application Addressing not supported", S.SERVER_ERROR),
    (4000, "GENERAL_SERVICE_ERROR", "General service error", S.SERVICE_ERROR),
    (4001, "IMPROPER_IDENTIFICATION", "Improper identification", S.SERVICE_ERROR),
    (4002, "UNSUPPORTED_VERSION", "Unsupported version", S.SERVICE_ERROR),
    (4003, "UNSUPPORTED_OPERATION", "Unsupported operation", S.SERVICE_ERROR),
    (4004, "VALIDATION_ERROR", "Validation error", S.SERVICE_ERROR),
    (4005, "SERVICE_ERROR", "Service error", S.SERVICE_ERROR),
    (4006, "SERVICE_UNAVAILABLE", "Service unavailable", S.SERVICE_ERROR),
    (4007, "SERVICE_DENIED", "Service denied", S.SERVICE_ERROR),
    (4008, "APPLICATION_DENIED", "Application denied", S.SERVICE_ERROR),
]


def test_the_table_is_complete() -> None:
    assert [(code.value, code.name) for code in mm7.StatusCode] == [(code, name) for code, name, _, _ in STATUS_TABLE]


@pytest.mark.parametrize(("code", "name", "text", "status_class"), STATUS_TABLE, ids=[row[1] for row in STATUS_TABLE])
def test_each_standard_code(code: int, name: str, text: str, status_class: mm7.StatusClass) -> None:
    member = mm7.StatusCode[name]
    assert mm7.status_code_from_int(code) is member
    assert (member.text, member.status_class) == (text, status_class)
    assert mm7.status_class(code) is status_class
    assert mm7.standard_status_code(code) is member
    assert mm7.status_text(code) == text
    assert not mm7.is_implementation_specific(code)


# (code, its class, the standard code it counts as, implementation-specific): "an unrecognised code counts as x000
# of its class; a code outside 1-4 counts as 3000; x500-x999 are implementation-specific" (3GPP TS 23.140).
UNKNOWN_CODES = [
    (1001, S.SUCCESS, 1000, False),
    (1500, S.SUCCESS, 1000, True),
    (2010, S.CLIENT_ERROR, 2000, False),
    (2499, S.CLIENT_ERROR, 2000, False),
    (2500, S.CLIENT_ERROR, 2000, True),  # Sinch 2500-2515, 2550-2551, 2560-2568
    (2571, S.CLIENT_ERROR, 2000, True),  # Sinch: displayOnly error
    (3005, S.SERVER_ERROR, 3000, False),  # Mbuni's "Command Rejected", not in the TS table
    (3500, S.SERVER_ERROR, 3000, True),  # Sinch: Timeout
    (3520, S.SERVER_ERROR, 3000, True),  # Sinch: Provisioning issue
    (4009, S.SERVICE_ERROR, 4000, False),
    (4999, S.SERVICE_ERROR, 4000, True),
    (0, S.SERVER_ERROR, 3000, False),
    (999, S.SERVER_ERROR, 3000, False),
    (5000, S.SERVER_ERROR, 3000, False),
    (9999, S.SERVER_ERROR, 3000, False),
    (10000, S.SERVER_ERROR, 3000, False),
    (-2000, S.SERVER_ERROR, 3000, False),
]


@pytest.mark.parametrize(("code", "status_class", "standard", "specific"), UNKNOWN_CODES, ids=str)
def test_unknown_codes_are_kept_and_classed(
    code: int, status_class: mm7.StatusClass, standard: int, specific: bool
) -> None:
    decoded = mm7.status_code_from_int(code)
    assert type(decoded) is int
    assert decoded == code
    assert mm7.status_class(code) is status_class
    assert mm7.standard_status_code(code) is mm7.StatusCode(standard)
    assert mm7.status_text(code) == mm7.StatusCode(standard).text
    assert mm7.is_implementation_specific(code) is specific


@pytest.mark.parametrize(
    ("status_class", "code", "text"),
    [
        (S.SUCCESS, 1000, "Success"),
        (S.CLIENT_ERROR, 2000, "Client error"),
        (S.SERVER_ERROR, 3000, "Server Error"),
        (S.SERVICE_ERROR, 4000, "General service error"),
    ],
)
def test_each_class_and_its_general_code(status_class: mm7.StatusClass, code: int, text: str) -> None:
    assert status_class.code is mm7.StatusCode(code)
    assert status_class.code.text == text
    assert status_class.code.status_class is status_class


# --- dedupe keys --------------------------------------------------------------------------------------------------


def key(body: str, headers: Headers | None = None) -> str:
    return only_event(mmsdr.parse_request(headers or [("Content-Type", "text/xml")], body.encode(), None)).dedupe_key


def test_a_retry_has_the_same_key_even_with_a_new_transaction_id() -> None:
    # Whether Sinch renews the TransactionID on a retry is not documented by Sinch: the key does not use it.
    first = key(envelope())
    assert key(envelope(transaction_id="t-2"), [("Content-Type", "text/xml"), ("X-Retry", "1")]) == first
    assert key(envelope(prefix="mm7")) == first  # another serialisation of the same report
    assert first.startswith("mm7.delivery_report:")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Retrieved", "Forwarded"),  # a later status of the same message
        ("<MessageID>m-1", "<MessageID>m-2"),
        ("447700900123", "447700900124"),  # the same message to another recipient
        ("07:08:09Z", "07:08:10Z"),  # the same status, reported again later (Vibes: "when the report was generated")
        ("</MMStatus>", "</MMStatus><StatusText>Error 3</StatusText>"),
    ],
)
def test_another_report_has_another_key(old: str, new: str) -> None:
    assert key(envelope(DR_FIELDS.replace(old, new))) != key(envelope())


def test_deliver_keys() -> None:
    first = key(envelope(DELIVER_FIELDS, operation="DeliverReq"))
    assert key(envelope(DELIVER_FIELDS, operation="DeliverReq", transaction_id="t-9")) == first
    assert key(envelope(DELIVER_FIELDS.replace("l-1", "l-2"), operation="DeliverReq")) != first


def test_deliver_keys_without_a_linked_id() -> None:
    # Without a LinkedID the TransactionID stands in as the message id, and the content tells a retry from
    # another MO sent in the same second.
    fields = DELIVER_FIELDS.replace("<LinkedID>l-1</LinkedID>", "")
    events = [
        only_event(mmsdr.parse_request(*deliver_request(["Content-ID: <content>"], fields=fields, **options), None))
        for options in ({}, {"transaction_id": "t-2"}, {"content": b"bye"})
    ]
    assert [getattr(event, "message_id", None) for event in events] == ["t-1", "t-2", "t-1"]
    assert [event.details for event in events] == [mm7.DeliverDetails()] * 3  # no LinkedID, no priority, no network
    assert events[0].dedupe_key == events[1].dedupe_key != events[2].dedupe_key


def test_every_fixture_event_has_its_own_key_except_the_same_report_twice() -> None:
    names = [name for name, _ in REPORT_FIXTURES + DELIVER_FIXTURES]
    keys = {name: only_event(parse(name)).dedupe_key for name in names}
    # sinch-2020 and skycore carry the very same report; the two annex MOs the same MO.
    assert keys["sinch-2020-delivery-report.http"] == keys["skycore-delivery-report.http"]
    assert keys["annex-deliver-post.http"] == keys["annex-deliver-nested.http"]
    assert len(set(keys.values())) == len(names) - 2


# --- fuzzing ------------------------------------------------------------------------------------------------------

MUTATED = [name for name, _ in REPORT_FIXTURES + DELIVER_FIXTURES] + ["sinch-delivery-report.http"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(MUTATED), st.data())
def test_mutated_requests_give_an_event_or_an_mmsdr_error(fixture: str, data: st.DataObject) -> None:
    headers, original = request(fixture)
    body = bytearray(original)
    for _ in range(data.draw(st.integers(0, 6), label="flips")):
        body[data.draw(st.integers(0, len(body) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans(), label="insert"):
        position = data.draw(st.integers(0, len(body)))
        body[position:position] = data.draw(st.binary(max_size=12))
    cut = data.draw(st.integers(0, len(body)), label="cut") if data.draw(st.booleans(), label="truncate") else len(body)
    try:
        callback = mmsdr.parse_request(headers, bytes(body[:cut]), None)
    except MmsdrError as error:
        assert error.ack.status in {200, 413, 415}
        assert error.ack.body
    else:
        (event,) = callback.events
        assert event.timestamp.tzinfo is not None
        assert isinstance(callback.details, mm7.Envelope)
        assert mmsdr.acknowledge(callback).status == 200
        assert mmsdr.acknowledge(callback, retry=True).status == 500


# --- how each report element is read ----------------------------------------------------------------------------

# (id, text of the DR template replaced, its replacement, the values read: the event's, ``details.<name>`` for its
# details, ``envelope.<name>`` for the request's)
REPORT_VALUES: list[tuple[str, str, str, dict[str, object]]] = [
    (
        "a MessageID repeated with one value",
        "<MessageID>m-1</MessageID>",
        "<MessageID>m-1</MessageID>" * 2,
        {"message_id": "m-1"},
    ),
    (
        "the first of two numbers",
        "<Number>447700900123</Number>",
        "<Number>1</Number><Number>2</Number>",
        {"recipient": "1"},
    ),
    (
        "a bare-text Sender loses /TYPE=PLMN",
        "<Sender><ShortCode>12345</ShortCode></Sender>",
        "<Sender>1/TYPE=PLMN</Sender>",
        {"sender": "1"},
    ),
    (
        "a date with a fraction and an offset",
        "2024-05-06T07:08:09Z",
        "2024-05-06T07:08:09.5+02:00",
        {"timestamp": datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=offset(2))},
    ),
    (
        "a date with a space, trimmed, in MM7's zone, UTC",
        "2024-05-06T07:08:09Z",
        " 2024-05-06 07:08:09 ",
        {"timestamp": datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)},
    ),
    (
        "Date wins over TimeStamp in a delivery report",
        "</MMStatus>",
        "</MMStatus><TimeStamp>2020-01-01T00:00:00Z</TimeStamp>",
        {"timestamp": datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)},
    ),
    ("StatusText trimmed", "</MMStatus>", "</MMStatus><StatusText> Success </StatusText>", {"status_text": "Success"}),
    ("a blank StatusText is None", "</MMStatus>", "</MMStatus><StatusText> </StatusText>", {"status_text": None}),
    (
        "MMStatusExtension",
        "</MMStatus>",
        "</MMStatus><MMStatusExtension>x</MMStatusExtension>",
        {"details.status_extension": "x"},
    ),
    (
        "an empty MMStatusExtension is kept",
        "</MMStatus>",
        "</MMStatus><MMStatusExtension/>",
        {"details.status_extension": ""},
    ),
    (
        "UAProf trimmed",
        "</MMStatus>",
        '</MMStatus><UACapabilities UAProf=" Galaxy " TimeStamp="x"/>',
        {"details.user_agent": "Galaxy"},
    ),
    ("an empty UAProf is None", "</MMStatus>", '</MMStatus><UACapabilities UAProf=""/>', {"details.user_agent": None}),
    (
        "a prefixed UAProf",
        "</MMStatus>",
        f'</MMStatus><UACapabilities xmlns:p="{NS14}" p:UAProf="G"/>',
        {"details.user_agent": "G"},
    ),
    (
        "MM7Version trimmed",
        "<MM7Version>6.8.0</MM7Version>",
        "<MM7Version> 6.8.0 </MM7Version>",
        {"envelope.mm7_version": "6.8.0"},
    ),
]


def value_at(callback: mmsdr.Callback, path: str) -> object:
    """``path`` of REPORT_VALUES read from ``callback``'s one event."""
    (event,) = callback.events
    where, _, name = path.rpartition(".")
    return getattr({"": event, "details": event.details, "envelope": callback.details}[where], name)


@pytest.mark.parametrize(
    ("old", "new", "values"), [row[1:] for row in REPORT_VALUES], ids=[row[0] for row in REPORT_VALUES]
)
def test_report_values(old: str, new: str, values: dict[str, object]) -> None:
    callback = mmsdr.parse_request(*xml(envelope().replace(old, new)), None)
    assert {path: value_at(callback, path) for path in values} == values


def test_a_repeated_unknown_element_is_kept_in_raw_twice() -> None:
    fields = DR_FIELDS + "<Extra>x</Extra><Extra>x</Extra>"
    (event,) = mmsdr.parse_request(*xml(envelope(fields)), None).events
    assert event.raw.getall("Extra") == ("x", "x")


@pytest.mark.parametrize(
    ("headers", "network", "user_agent"),
    [
        ([("X-Mblox-Operator-Id", " "), ("X-Mblox-Carrier-Id", "42")], "42", None),
        ([("x-mblox-operator-id", ""), ("x-mblox-operator-id", "7"), ("x-skycore-carrier-id", "8")], "8", None),
        ([("X-Wap-Profile", " http://p "), ("UAProf", "u")], None, "u"),
    ],
    ids=[
        "a blank operator header gives way",
        "only the first of a repeated header counts",
        "UAProf before X-Wap-Profile",
    ],
)
def test_the_first_operator_and_profile_header_with_a_value(
    headers: Headers, network: str | None, user_agent: str | None
) -> None:
    sent, body = xml(envelope())
    (event,) = mmsdr.parse_request([*sent, *headers], body, None).events
    assert isinstance(event.details, mm7.ReportDetails)
    assert (event.details.network, event.details.user_agent) == (network, user_agent)


def test_request_for_reproduces_an_event_read_at_the_time_of_reading_when_parsed_then() -> None:
    # Its timestamp was not the provider's: the request carries no date (one would change the dedupe key), and
    # parses back into the event at the time it was read; at another time only the timestamp differs.
    event = only_event(parse("korean-delivery-report.http"))
    request = mmsdr.testing.request_for(event)
    assert request.parse(clock=lambda: event.timestamp).events == (event,)
    later = event.timestamp + timedelta(hours=1)
    assert request.parse(clock=lambda: later).events == (dataclasses.replace(event, timestamp=later),)

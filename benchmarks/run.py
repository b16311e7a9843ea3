"""Benchmarks: what mmsdr costs per callback, against the floor and against what a user would write by hand.

Every case times three things on the same input, in the same run, so that the ratios survive a noisy machine
(ratios survive a noisy machine; absolute numbers do not):

* **mmsdr**: ``mmsdr.parse_request`` plus ``mmsdr.acknowledge``, the whole path an endpoint runs;
* **floor**: the least one request of the format can cost, assembled from what any typed parse must do: the
  format's parse (``parse_qsl``; the hardened lxml parse plus one pass over the elements wanted, by local name;
  python-multipart's raw callback parse; ``json.loads``; zipfile read-all) plus what every typed result costs
  (a ``fromisoformat`` date, a dict status lookup, one frozen slotted
  10-field dataclass, for MM7 a template ack, for a JSON or MIME body the Content-Type parse);
* **alt**: the usual hand-written alternative, where there is one (for XML, ``xmltodict``; for multipart, the
  stdlib ``email`` parser).

Method: timeit-style, each repeat calibrated to about 50 ms, 7 repeats (300 ms and 5 repeats for the
5 MB case), the best per-op time; the ops are interleaved repeat by repeat so that a slow moment hits all of
them. Each result is checked before
anything is timed. ``ratio_floor`` is mmsdr over the floor, ``ratio_alt`` mmsdr over the alternative: lower is
better for both. ``memory`` is the tracemalloc peak of one ``parse_request`` plus ``acknowledge`` of each 5 MB
multipart body (an OpenMarket MO MMS, an MX Telecom POST with ``mms.zip``, an MM7 DeliverReq with one
attachment), the body built before tracing starts.

    python benchmarks/run.py                 # the table
    python benchmarks/run.py --json out.json # the table, and the numbers as JSON
    python benchmarks/run.py --quick         # a smoke run: short repeats, numbers not to be trusted

Needs ``xmltodict`` (``pip install -e '.[dev]'``).
"""

from __future__ import annotations

import argparse
import dataclasses
import email.parser
import email.policy
import importlib
import io
import json
import os
import re
import sys
import time
import timeit
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import python_multipart
from lxml import etree
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

import mmsdr
import mmsdr.testing

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

Headers = list[tuple[str, str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One input of one format, and the three ways to read it."""

    name: str
    mmsdr: Callable[[], object]
    floor: Callable[[], object]
    alt_name: str | None = None
    """None where there is no hand-written alternative worth timing."""
    alt: Callable[[], object] | None = None
    check: Callable[[], None]
    """Raises AssertionError unless the three read the same values; run before anything is timed."""
    target_floor: float | None = None
    """The most ``ratio_floor`` may be; None (small requests) for a figure reported, not a target: what a small
    callback costs a user is the server's CPU per request (``benchmarks/server.py``), not a hot loop."""
    target_alt: float | None = None
    """The most ``ratio_alt`` may be; None for no target."""
    large: bool = False
    """A 5 MB input: timed with ``Settings.large_seconds`` and ``Settings.large_repeats``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    target_seconds: float
    """How long one repeat of one op should take."""
    repeats: int
    large_seconds: float
    """The same, for a 5 MB case."""
    large_repeats: int


FULL = Settings(target_seconds=0.050, repeats=7, large_seconds=0.300, large_repeats=5)
QUICK = Settings(target_seconds=0.002, repeats=2, large_seconds=0.002, large_repeats=1)


def read_http(path: Path) -> tuple[Headers, bytes]:
    """A recorded request as ``parse_request`` takes it: the header lines after the request line, and the body."""
    head, separator, body = path.read_bytes().partition(b"\r\n\r\n")
    if not separator:
        msg = f"{path.name}: no blank line after the headers"
        raise ValueError(msg)
    headers: Headers = []
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return headers, body


# --- what every typed result costs, added to each floor ---------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorRecord:
    """One frozen slotted 10-field dataclass: the least a typed result costs to build."""

    kind: str
    message_id: str | None
    status: str | None
    provider_status: str | None
    timestamp: datetime | None
    recipient: str | None = None
    sender: str | None = None
    text: str | None = None
    reason: int | None = None
    request_id: str | None = None


FLOOR_STATUSES = {"DELIVERED": "delivered", "Retrieved": "delivered", "Rejected": "rejected"}
"""A dict lookup table for the status."""


def floor_record(kind: str, message_id: str, date: str, provider_status: str | None = None, **more: Any) -> FloorRecord:
    """The budget's "date 0.1 + enum 0.35 + frozen dataclass 1.3": ``fromisoformat``, a dict lookup, one record."""
    return FloorRecord(
        kind=kind,
        message_id=message_id,
        status=None if provider_status is None else FLOOR_STATUSES.get(provider_status),
        provider_status=provider_status,
        timestamp=datetime.fromisoformat(date),
        **more,
    )


# --- MM7: Sinch DeliveryReportReq ---------------------------------------------------------------------------------

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
MM7_NAMESPACE = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"

# The TransactionID and the eight DeliveryReportReq values a minimal reader extracts.
MM7_EXPECTED = {
    "TransactionID": "10000001",
    "MM7Version": "6.8.0",
    "MessageID": "369500617770864640",
    "Recipient": "16175550123",
    "Sender": "111122",
    "Date": "2015-03-16T14:03:51.749Z",
    "MMStatus": "Retrieved",
    "StatusText": "Success",
    "UAProf": "Samsung Galaxy",
}


def mm7_delivery_report() -> Case:
    headers, body = read_http(DATA / "mm7" / "sinch-delivery-report.http")

    def run_mmsdr() -> tuple[mmsdr.Event, mmsdr.Ack]:
        callback = mmsdr.parse_request(headers, body, None)
        return callback.events[0], mmsdr.acknowledge(callback)

    # The floor: the same hardening as mmsdr (it costs nothing measurable), one parser reused, one pass by local name.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )

    # The answer: DeliveryReportRsp from a str template + saxutils.escape.
    template = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<soap-env:Envelope xmlns:soap-env="{soap}"><soap-env:Header>'
        '<TransactionID xmlns="{ns}" soap-env:mustUnderstand="1">{tid}</TransactionID></soap-env:Header>'
        '<soap-env:Body><DeliveryReportRsp xmlns="{ns}"><MM7Version>{version}</MM7Version><Status><StatusCode>1000'
        "</StatusCode><StatusText>Success</StatusText></Status></DeliveryReportRsp></soap-env:Body></soap-env:Envelope>"
    )

    def answer(values: dict[str, str | None]) -> tuple[FloorRecord, bytes]:
        """What the floor and the hand-written parse both add to their extraction: the record and the ack."""
        return mm7_record_and_ack(values, template)

    def run_floor() -> tuple[dict[str, str | None], FloorRecord, bytes]:
        values = extract()
        return values, *answer(values)

    def extract() -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        for part in etree.fromstring(body, parser):
            name = part.tag.rpartition("}")[2]
            if name == "Header":
                for child in part:
                    if child.tag.rpartition("}")[2] == "TransactionID":
                        values["TransactionID"] = child.text
            elif name == "Body":
                for operation in part:
                    for child in operation:
                        local = child.tag.rpartition("}")[2]
                        values[local] = child[0].text if len(child) else child.text
                        if local == "UACapabilities":
                            values["UAProf"] = child.get("UAProf")
        return values

    # What a user writes by hand: namespaces expanded, then dictionary lookups.
    xmltodict: Any = importlib.import_module("xmltodict")
    envelope_key, header_key, body_key = f"{SOAP}:Envelope", f"{SOAP}:Header", f"{SOAP}:Body"
    mm7 = f"{MM7_NAMESPACE}:"

    def extract_alt() -> dict[str, str | None]:
        envelope = xmltodict.parse(body, process_namespaces=True)[envelope_key]
        report = envelope[body_key][f"{mm7}DeliveryReportReq"]
        return {
            "TransactionID": envelope[header_key][f"{mm7}TransactionID"]["#text"],
            "MM7Version": report[f"{mm7}MM7Version"],
            "MessageID": report[f"{mm7}MessageID"],
            "Recipient": report[f"{mm7}Recipient"][f"{mm7}Number"],
            "Sender": report[f"{mm7}Sender"][f"{mm7}Number"],
            "Date": report[f"{mm7}Date"],
            "MMStatus": report[f"{mm7}MMStatus"],
            "StatusText": report[f"{mm7}StatusText"],
            "UAProf": report[f"{mm7}UACapabilities"]["@UAProf"],
        }

    # The user answers Sinch too: the same record and DeliveryReportRsp as the floor, so that both sides of
    # the ratio do what parse_request + acknowledge do.
    def run_alt() -> tuple[dict[str, str | None], FloorRecord, bytes]:
        values = extract_alt()
        return values, *answer(values)

    def check() -> None:
        event, ack = run_mmsdr()
        assert isinstance(event, mmsdr.DeliveryReport)
        assert isinstance(event.details, mmsdr.mm7.ReportDetails)
        envelope = mmsdr.parse_request(headers, body, None).details
        assert isinstance(envelope, mmsdr.mm7.Envelope)
        values = {
            "TransactionID": envelope.transaction_id,
            "MM7Version": envelope.mm7_version,
            "MessageID": event.message_id,
            "Recipient": event.recipient,
            "Sender": event.sender,
            "Date": event.raw["Date"],
            "MMStatus": event.provider_status,
            "StatusText": event.status_text,
            "UAProf": event.details.user_agent,
        }
        assert values == MM7_EXPECTED, values
        assert ack.status == 200
        assert b"<TransactionID" in ack.body
        assert b"<StatusCode>1000</StatusCode>" in ack.body
        floor, record, floor_ack = run_floor()
        assert {name: floor.get(name) for name in MM7_EXPECTED} == MM7_EXPECTED, floor
        assert (record.status, record.timestamp) == ("delivered", event.timestamp)
        assert b"<TransactionID" in floor_ack
        alt, alt_record, alt_ack = run_alt()
        assert alt == MM7_EXPECTED
        assert (alt_record, alt_ack) == (record, floor_ack)

    return Case(
        name="mm7.delivery_report (Sinch)",
        mmsdr=run_mmsdr,
        floor=run_floor,
        alt_name="xmltodict",
        alt=run_alt,
        check=check,
        target_alt=1.0,  # never slower than xmltodict with the same record and answer
    )


def mm7_record_and_ack(values: dict[str, str | None], template: str) -> tuple[FloorRecord, bytes]:
    """The record of an MM7 report's extracted values, and its ``DeliveryReportRsp`` from ``template``."""
    record = floor_record(
        "mm7",
        values["MessageID"] or "",
        values["Date"] or "",
        values["MMStatus"],
        recipient=values["Recipient"],
        sender=values["Sender"],
    )
    ack = template.format(
        soap=SOAP, ns=MM7_NAMESPACE, tid=escape(values["TransactionID"] or ""), version=values["MM7Version"]
    ).encode()
    return record, ack


# --- MX Telecom: query-string SMS delivery report and inbound SMS ------------------------------------------------

MX_REPORT = re.compile(r"REPORT (\S+) (\S+)")
MX_DATE = "%Y-%m-%d %H:%M:%S"


def read_query(name: str, provider: str = "mxtelecom") -> str:
    """The fields of a recorded callback (the line after the ``# seen:`` comment)."""
    lines = [line for line in (DATA / provider / name).read_text(encoding="utf-8").splitlines() if line]
    return next(line for line in lines if not line.startswith("#"))


def run_mmsdr_query(query: str) -> Callable[[], tuple[mmsdr.Event, mmsdr.Ack]]:
    def run() -> tuple[mmsdr.Event, mmsdr.Ack]:
        callback = mmsdr.parse_request([], b"", query)
        return callback.events[0], mmsdr.acknowledge(callback)

    return run


def mxtelecom_sms_report() -> Case:
    query = read_query("sms-report-mx-us.query")
    run_mmsdr = run_mmsdr_query(query)

    # The floor: parse_qsl + the hex reason + the date + the status lookup + the record.
    def run_floor() -> FloorRecord:
        fields = dict(parse_qsl(query, keep_blank_values=True))
        _, sms_id, status = fields["smsmsg"].split()
        return floor_record(
            "sms_report",
            sms_id,
            fields["smsdate"],
            status,
            recipient=fields["smsfrom"],
            sender=fields["shortcode"],
            reason=int(fields["reason"]),
        )

    # What a user writes by hand: the fields, the REPORT grammar, the date, the reason as an int.
    def run_alt() -> tuple[str, str, datetime, int]:
        fields = dict(parse_qsl(query, keep_blank_values=True))
        match = MX_REPORT.fullmatch(fields["smsmsg"])
        if match is None:
            raise ValueError(fields["smsmsg"])
        return match[1], match[2], datetime.strptime(fields["smsdate"], MX_DATE), int(fields["reason"])  # noqa: DTZ007

    def check() -> None:
        event, ack = run_mmsdr()
        assert isinstance(event, mmsdr.DeliveryReport)
        assert isinstance(event.details, mmsdr.mxtelecom.SmsReportDetails)
        assert event.details.reason is not None
        expected = (
            event.message_id,
            event.provider_status,
            event.timestamp.replace(tzinfo=None),
            event.details.reason.value,
        )
        assert expected == ("17218733", "DELIVERED", datetime(2002, 4, 30, 21, 58), 1359151616), expected  # noqa: DTZ001
        assert run_alt() == expected
        assert ack.status == 200
        assert ack.body == b"OK"
        record = run_floor()
        assert (record.message_id, record.status, record.reason) == ("17218733", "delivered", 1359151616)

    return Case(
        name="mxtelecom.sms_report",
        mmsdr=run_mmsdr,
        floor=run_floor,
        alt_name="dict(parse_qsl)+re+strptime",
        alt=run_alt,
        check=check,
    )


def mxtelecom_sms_inbound() -> Case:
    query = read_query("sms-inbound-mx-uk.query")
    run_mmsdr = run_mmsdr_query(query)

    def run_floor() -> FloorRecord:
        fields = dict(parse_qsl(query, keep_blank_values=True))
        return floor_record(
            "sms_inbound",
            fields["smsid"],
            fields["smsdate"],
            recipient=fields["smsto"],
            sender=fields["smsfrom"],
            text=fields["smsmsg"],
        )

    def run_alt() -> tuple[str, str, str, datetime]:
        fields = dict(parse_qsl(query, keep_blank_values=True))
        when = datetime.strptime(fields["smsdate"], MX_DATE)  # noqa: DTZ007
        return fields["smsid"], fields["smsfrom"], fields["smsmsg"], when

    def check() -> None:
        event, ack = run_mmsdr()
        assert isinstance(event, mmsdr.InboundMessage)
        assert event.text is not None
        expected = (event.message_id, event.sender, event.text, event.timestamp.replace(tzinfo=None))
        assert expected == ("17221293", "447931123456", "Hello World", datetime(2002, 4, 30, 21, 58)), expected  # noqa: DTZ001
        assert run_alt() == expected
        assert ack.status == 200
        assert (run_floor().message_id, run_floor().text) == ("17221293", "Hello World")

    return Case(
        name="mxtelecom.sms_inbound",
        mmsdr=run_mmsdr,
        floor=run_floor,
        alt_name="dict(parse_qsl)+strptime",
        alt=run_alt,
        check=check,
    )


# --- multipart: OpenMarket MO MMS and MX Telecom's mms.zip POST -------------------------------------------------

OPENMARKET_BOUNDARY = b"mimeboundary"
OPENMARKET_HEADERS: Headers = [("Content-Type", "multipart/mixed; boundary=mimeboundary")]
OPENMARKET_TEXT = b"This is a text attachment"


def openmarket_mo_body(media: bytes) -> bytes:
    """OpenMarket's multipart/mixed: the ~1 KB JSON part (``Content-Id: main``), the media, a short text."""
    main = json.dumps(
        {
            "type": "MO",
            "moId": 123456789012345,
            "source": "447800000001",
            "destinations": ["88600"],
            "ccs": ["88602"],
            "bccs": [],
            "date": "2014-07-16T19:20:30+00:00",
            "mobileOperatorId": 77,
            "subject": "Test MMS",
            "userAgent": "HTC One",
            "note": "x" * 760,  # an unknown member, kept in raw: brings the JSON part to about 1 KB
        },
        indent=1,
    ).encode()
    return (
        b"--mimeboundary\r\nContent-Type: application/json\r\nContent-Id: main\r\n\r\n" + main + b"\r\n"
        b"--mimeboundary\r\nContent-Type: image/jpeg\r\nContent-Id: image.jpg\r\n"
        b"Content-Disposition: attachment; filename=image.jpg\r\n\r\n" + media + b"\r\n"
        b"--mimeboundary\r\nContent-Type: text/plain\r\nContent-Id: text.txt\r\n\r\n" + OPENMARKET_TEXT + b"\r\n"
        b"--mimeboundary--\r\n"
    )


def raw_multipart(boundary: bytes) -> Callable[[bytes], list[bytes]]:
    """The floor: python-multipart's callback parser, one ``write``, each part's data joined (/tmp/bench/mp.py)."""

    def parse(body: bytes) -> list[bytes]:
        parts: list[bytes] = []
        current: list[bytes] = []

        def on_part_begin() -> None:
            current.clear()

        def on_part_data(data: bytes, start: int, end: int) -> None:
            current.append(data[start:end])

        def on_part_end() -> None:
            parts.append(b"".join(current))

        parser = MultipartParser(
            boundary,
            callbacks={"on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end},
        )
        parser.write(body)
        parser.finalize()
        return parts

    return parse


def run_mmsdr_body(headers: Headers, body: bytes) -> Callable[[], tuple[mmsdr.Event, mmsdr.Ack]]:
    def run() -> tuple[mmsdr.Event, mmsdr.Ack]:
        callback = mmsdr.parse_request(headers, body, None)
        return callback.events[0], mmsdr.acknowledge(callback)

    return run


def openmarket_mms_inbound(size: int, name: str, *, with_email: bool) -> Case:
    media = os.urandom(size)
    body = openmarket_mo_body(media)
    run_mmsdr = run_mmsdr_body(OPENMARKET_HEADERS, body)
    floor = raw_multipart(OPENMARKET_BOUNDARY)
    content_type = OPENMARKET_HEADERS[0][1]

    # The floor: python-multipart + the Content-Type parse + json.loads + the record.
    def run_floor() -> tuple[list[bytes], FloorRecord]:
        parse_options_header(content_type)
        parts = floor(body)
        main = json.loads(parts[0])
        record = floor_record(
            "openmarket_mo", str(main["moId"]), main["date"], recipient=main["destinations"][0], sender=main["source"]
        )
        return parts, record

    # What a user writes by hand: the stdlib email parser on header + body, every leaf part's payload.
    message_bytes = b"Content-Type: " + OPENMARKET_HEADERS[0][1].encode() + b"\r\n\r\n" + body
    email_parser = email.parser.BytesParser(policy=email.policy.HTTP)

    def run_alt() -> list[bytes]:
        message = email_parser.parsebytes(message_bytes)
        payloads: list[bytes] = []
        for part in message.walk():
            if not part.is_multipart():
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                payloads.append(payload)
        return payloads

    def check() -> None:
        event, ack = run_mmsdr()
        assert isinstance(event, mmsdr.InboundMessage)
        assert event.message_id == "123456789012345"
        assert [part.data for part in event.parts] == [media, OPENMARKET_TEXT]
        assert event.text == OPENMARKET_TEXT.decode()
        assert ack.status == 200
        floor_parts, record = run_floor()
        assert (record.message_id, record.timestamp) == (event.message_id, event.timestamp)
        assert floor_parts[1:] == [media, OPENMARKET_TEXT]
        assert json.loads(floor_parts[0])["moId"] == 123456789012345
        if with_email:
            assert run_alt() == floor_parts

    return Case(
        name=name,
        mmsdr=run_mmsdr,
        floor=run_floor,
        alt_name="email.parser (policy.HTTP)" if with_email else None,
        alt=run_alt if with_email else None,
        check=check,
        target_alt=0.05 if with_email else None,  # at least 20x faster than the email parser
        target_floor=1.2 if size > 1_000_000 else None,  # a large body costs little more than its floor
        large=size > 1_000_000,
    )


def openmarket_mms_inbound_100k() -> Case:
    return openmarket_mms_inbound(100_000, "openmarket.mms_inbound 100 KB", with_email=True)


def openmarket_mms_inbound_5m() -> Case:
    return openmarket_mms_inbound(5_000_000, "openmarket.mms_inbound 5 MB", with_email=False)


def openmarket_mms_report() -> Case:
    headers, body = read_http(DATA / "openmarket" / "report-rejected.http")
    run_mmsdr = run_mmsdr_body(headers, body)

    content_type = dict(headers)["Content-Type"]

    # As the MIME floor: the Content-Type parse, json.loads, the record.
    def run_floor() -> FloorRecord:
        parse_options_header(content_type)
        report = json.loads(body)
        return floor_record("openmarket_report", report["mtId"], report["date"], report["status"])

    def check() -> None:
        event, ack = run_mmsdr()
        assert isinstance(event, mmsdr.DeliveryReport)
        assert (event.message_id, event.provider_status, event.provider_code) == ("123456789012345", "Rejected", "9")
        assert ack.status == 200
        record = run_floor()
        assert (record.message_id, record.status, record.timestamp) == (event.message_id, "rejected", event.timestamp)

    return Case(name="openmarket.mms_report", mmsdr=run_mmsdr, floor=run_floor, check=check)


# --- Twilio: a status callback, form POST ---------------------------------------------------------------------------

TWILIO_HEADERS: Headers = [("Content-Type", "application/x-www-form-urlencoded")]
TWILIO_STATUSES = {"delivered": "delivered", "undelivered": "failed", "sent": "forwarded"}


def twilio_status() -> Case:
    body = read_query("status-delivered.query", "twilio").encode("ascii")
    run_mmsdr = run_mmsdr_body(TWILIO_HEADERS, body)

    # The floor: parse_qsl of the body, RawDlrDoneDate (YYMMDDhhmm) as an ISO date, the status lookup, the record.
    def run_floor() -> FloorRecord:
        fields = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True))
        done = fields["RawDlrDoneDate"]
        date = f"20{done[0:2]}-{done[2:4]}-{done[4:6]}T{done[6:8]}:{done[8:10]}+00:00"
        record = floor_record(
            "twilio_status", fields["MessageSid"], date, recipient=fields["To"], sender=fields["From"]
        )
        return dataclasses.replace(record, status=TWILIO_STATUSES.get(fields["MessageStatus"]))

    # What a user writes by hand: the form as a dict, the done date with strptime.
    def run_alt() -> tuple[str, str, datetime]:
        fields = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True))
        done = datetime.strptime(fields["RawDlrDoneDate"] + "+0000", "%y%m%d%H%M%z")
        return fields["MessageSid"], fields["MessageStatus"], done

    def check() -> None:
        event, ack = run_mmsdr()
        assert isinstance(event, mmsdr.DeliveryReport)
        assert (event.message_id, event.status, ack.status) == ("SM55555555555555555555555555555555", "delivered", 200)
        record = run_floor()
        assert (record.message_id, record.status, record.timestamp) == (event.message_id, "delivered", event.timestamp)
        assert run_alt() == (event.message_id, event.provider_status, event.timestamp)

    return Case(
        name="twilio.status",
        mmsdr=run_mmsdr,
        floor=run_floor,
        alt_name="parse_qsl + strptime",
        alt=run_alt,
        check=check,
    )


# --- Sinch SMS REST API: a batch delivery report listing 1,000 recipients, one event each -----------------------------

SINCH_RECIPIENTS = tuple(f"4670{number:07d}" for number in range(1000))


def sinch_delivery_report() -> Case:
    request = mmsdr.testing.sinch_delivery_report(statuses=(("Delivered", 0, SINCH_RECIPIENTS),))
    headers, body = list(request.headers), request.body

    def run_mmsdr() -> tuple[mmsdr.Callback, mmsdr.Ack]:
        callback = mmsdr.parse_request(headers, body, None)
        return callback, mmsdr.acknowledge(callback)

    # The floor: json.loads, then one record per listed recipient, all at the time of reading (the batch has none).
    def run_floor() -> list[FloorRecord]:
        report = json.loads(body)
        read_at = datetime.now(UTC).isoformat()
        return [
            floor_record("sinch_batch", report["batch_id"], read_at, entry["status"], recipient=recipient)
            for entry in report["statuses"]
            for recipient in entry["recipients"]
        ]

    def check() -> None:
        callback, ack = run_mmsdr()
        assert [event.recipient for event in callback.events] == list(SINCH_RECIPIENTS)  # type: ignore[attr-defined]
        assert len({event.dedupe_key for event in callback.events}) == len(SINCH_RECIPIENTS)
        assert ack.status == 200
        records = run_floor()
        assert [record.recipient for record in records] == list(SINCH_RECIPIENTS)

    return Case(name="sinch.delivery_report 1,000 recipients", mmsdr=run_mmsdr, floor=run_floor, check=check)


# --- Bandwidth Messaging: a JSON array of 100 message-delivered events, one event each -----------------------------

BANDWIDTH_RECIPIENTS = tuple(f"+1555010{number:04d}" for number in range(100))


def bandwidth_report() -> Case:
    elements = [
        json.loads(mmsdr.testing.bandwidth_report(recipient=recipient, message_id=f"bw{index}").body)[0]
        for index, recipient in enumerate(BANDWIDTH_RECIPIENTS)
    ]
    request = mmsdr.testing.bandwidth_report()
    headers, body = list(request.headers), json.dumps(elements).encode()

    def run_mmsdr() -> tuple[mmsdr.Callback, mmsdr.Ack]:
        callback = mmsdr.parse_request(headers, body, None)
        return callback, mmsdr.acknowledge(callback)

    # The floor: json.loads, then one record per element at its own time.
    def run_floor() -> list[FloorRecord]:
        return [
            floor_record("bandwidth", event["message"]["id"], event["time"], event["type"], recipient=event["to"])
            for event in json.loads(body)
        ]

    def check() -> None:
        callback, ack = run_mmsdr()
        assert [event.recipient for event in callback.events] == list(BANDWIDTH_RECIPIENTS)  # type: ignore[attr-defined]
        assert len({event.dedupe_key for event in callback.events}) == len(BANDWIDTH_RECIPIENTS)
        assert ack.status == 200
        records = run_floor()
        assert [record.recipient for record in records] == list(BANDWIDTH_RECIPIENTS)
        assert [record.timestamp for record in records] == [event.timestamp for event in callback.events]

    return Case(name="bandwidth.report 100 events", mmsdr=run_mmsdr, floor=run_floor, check=check)


# --- Telnyx Messaging: a message.finalized event, one recipient delivered -------------------------------------------


def telnyx_report() -> Case:
    request = mmsdr.testing.telnyx_report()
    headers, body = list(request.headers), request.body

    def run_mmsdr() -> tuple[mmsdr.Callback, mmsdr.Ack]:
        callback = mmsdr.parse_request(headers, body, None)
        return callback, mmsdr.acknowledge(callback)

    # The floor: json.loads, the event's occurred_at, one record per to[] recipient with its own status.
    def run_floor() -> list[FloorRecord]:
        data = json.loads(body)["data"]
        payload = data["payload"]
        return [
            floor_record("telnyx", payload["id"], data["occurred_at"], entry["status"], recipient=entry["phone_number"])
            for entry in payload["to"]
        ]

    def check() -> None:
        callback, ack = run_mmsdr()
        (event,) = callback.events
        assert isinstance(event, mmsdr.DeliveryReport)
        assert (event.status, event.recipient, ack.status) == ("delivered", "+18665550001", 200)
        (record,) = run_floor()
        assert (record.message_id, record.recipient, record.timestamp) == (
            event.message_id,
            event.recipient,
            event.timestamp,
        )

    return Case(name="telnyx.report", mmsdr=run_mmsdr, floor=run_floor, check=check)


# --- Vonage SMS API: a delivery receipt by GET, the documented one -------------------------------------------------

VONAGE_STATUSES = {"delivered": "delivered", "DELIVRD": "delivered", "failed": "failed", "accepted": "forwarded"}


def vonage_sms_receipt() -> Case:
    query = read_query("sms-receipt-delivered.query", "vonage")
    run_mmsdr = run_mmsdr_query(query)

    # The floor: parse_qsl of the query, message-timestamp (UTC) as an ISO date, the status lookup, the record.
    def run_floor() -> FloorRecord:
        fields = dict(parse_qsl(query, keep_blank_values=True))
        date = fields["message-timestamp"].replace(" ", "T") + "+00:00"
        record = floor_record(
            "vonage_receipt", fields["messageId"], date, recipient=fields["msisdn"], sender=fields["to"]
        )
        return dataclasses.replace(record, status=VONAGE_STATUSES.get(fields["status"]))

    # What a user writes by hand: the query as a dict, message-timestamp with strptime.
    def run_alt() -> tuple[str, str, datetime]:
        fields = dict(parse_qsl(query, keep_blank_values=True))
        sent = datetime.strptime(fields["message-timestamp"] + "+0000", "%Y-%m-%d %H:%M:%S%z")
        return fields["messageId"], fields["status"], sent

    def check() -> None:
        event, ack = run_mmsdr()
        assert isinstance(event, mmsdr.DeliveryReport)
        assert (event.message_id, event.status, event.provider_code, ack.status) == (
            "0C0000002EEBDA56",
            "delivered",
            "0",
            200,
        )
        record = run_floor()
        assert (record.message_id, record.status, record.timestamp) == (event.message_id, "delivered", event.timestamp)
        assert run_alt() == (event.message_id, event.provider_status, event.timestamp)

    return Case(
        name="vonage.sms_receipt",
        mmsdr=run_mmsdr,
        floor=run_floor,
        alt_name="parse_qsl + strptime",
        alt=run_alt,
        check=check,
    )


MX_ZIP_BOUNDARY = "----mmsdrbench7d3f"
MX_HEADERS: Headers = [("Content-Type", f"multipart/form-data; boundary={MX_ZIP_BOUNDARY}")]
MX_SMIL = (
    b'<smil><head><layout><root-layout width="320" height="480"/><region id="Image" top="0" left="0" '
    b'height="80%" width="100%"/><region id="Text" top="80%" left="0" height="20%" width="100%"/></layout>'
    b'</head><body><par dur="5000ms"><img src="image.jpg" region="Image"/><text src="text.txt" region="Text"/>'
    b"</par></body></smil>"
)
MX_TEXT = b"Greetings from the beach"
MX_MANIFEST = b"mms.smil=application/smil\nimage.jpg=image/jpeg\ntext.txt=text/plain; charset=utf-8\n"


def mx_zip(jpeg: bytes) -> bytes:
    """MX Telecom's zipped MMS: a SMIL file and a text (deflated), a stored 100 KB "jpeg", and the manifest."""
    buffer = io.BytesIO()
    members = [
        ("mms.smil", MX_SMIL, zipfile.ZIP_DEFLATED),
        ("image.jpg", jpeg, zipfile.ZIP_STORED),
        ("text.txt", MX_TEXT, zipfile.ZIP_DEFLATED),
        ("manifest", MX_MANIFEST, zipfile.ZIP_DEFLATED),
    ]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, date_time=(2010, 8, 21, 17, 32, 20))
            info.compress_type = method
            archive.writestr(info, data)
    return buffer.getvalue()


def mx_form(zipped: bytes) -> bytes:
    """The multipart/form-data POST: MX Telecom's fields, then ``mms.zip`` (as ``mmsdr.testing`` builds it)."""
    fields = [
        ("id", b"MX-91a7c2"),
        ("from", b"447700900123"),
        ("to", b"81111"),
        ("date", b"2010-08-21 17:32:21+0100"),
        ("type", b"2"),
        ("subject", b"Holiday"),
    ]
    delimiter = b"--" + MX_ZIP_BOUNDARY.encode()
    pieces = [
        delimiter + b'\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields
    ]
    pieces.append(
        delimiter + b'\r\nContent-Disposition: form-data; name="mms.zip"; filename="mms.zip"\r\n'
        b"Content-Type: application/zip\r\n\r\n" + zipped + b"\r\n"
    )
    pieces.append(delimiter + b"--\r\n")
    return b"".join(pieces)


def mxtelecom_mms_inbound_post() -> Case:
    jpeg = os.urandom(100_000)
    body = mx_form(mx_zip(jpeg))
    run_mmsdr = run_mmsdr_body(MX_HEADERS, body)
    floor = raw_multipart(MX_ZIP_BOUNDARY.encode())

    content_type = MX_HEADERS[0][1]

    # The floor: the raw multipart parse, then zipfile opens the last part and reads every member; plus the
    # per-request rows every MIME body's floor has (the Content-Type parse, the date, the status, the record).
    def run_floor() -> tuple[dict[str, bytes], FloorRecord]:
        parse_options_header(content_type)
        parts = floor(body)
        with zipfile.ZipFile(io.BytesIO(parts[-1])) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
        record = floor_record(
            "mx_mms", parts[0].decode(), parts[3].decode(), sender=parts[1].decode(), recipient=parts[2].decode()
        )
        return members, record

    def check() -> None:
        event, ack = run_mmsdr()
        assert isinstance(event, mmsdr.InboundMessage)
        assert event.message_id == "MX-91a7c2"
        assert [part.data for part in event.parts] == [MX_SMIL, jpeg, MX_TEXT]
        assert ack.status == 200
        members, record = run_floor()
        assert [members[name] for name in ("mms.smil", "image.jpg", "text.txt")] == [MX_SMIL, jpeg, MX_TEXT]
        assert (record.message_id, record.timestamp, record.sender) == ("MX-91a7c2", event.timestamp, event.sender)

    return Case(name="mxtelecom.mms_inbound POST mms.zip", mmsdr=run_mmsdr, floor=run_floor, check=check)


# --- memory -------------------------------------------------------------------------------------------------------

MEMORY_MEDIA_BYTES = 5_000_000
MEMORY_TARGET = 1.5
"""The most ``peak_bytes`` may be, as a multiple of ``body_bytes``, for each body."""


def memory_bodies(media: bytes) -> list[tuple[str, Headers, bytes]]:
    """The multipart bodies whose memory is measured, each carrying ``media`` once."""
    mm7 = mmsdr.testing.mm7_deliver(parts=(mmsdr.Part(content_type="image/jpeg", data=media, content_id="a.jpg"),))
    return [
        ("OpenMarket MO MMS", OPENMARKET_HEADERS, openmarket_mo_body(media)),
        ("MX Telecom POST mms.zip", MX_HEADERS, mx_form(mx_zip(media))),
        ("MM7 DeliverReq", list(mm7.headers), mm7.body),
    ]


def measure_memory() -> list[dict[str, Any]]:
    """The tracemalloc peak of one ``parse_request`` + ``acknowledge`` of each 5 MB multipart body."""
    results: list[dict[str, Any]] = []
    for name, headers, body in memory_bodies(os.urandom(MEMORY_MEDIA_BYTES)):
        run = run_mmsdr_body(headers, body)
        run()  # imports and caches warmed outside the trace
        tracemalloc.start()
        try:
            run()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        results.append({"name": name, "body_bytes": len(body), "peak_bytes": peak, "ratio": peak / len(body)})
    return results


#: Every case, in the order printed; each builds its inputs when called.
CASES: list[Callable[[], Case]] = [
    mxtelecom_sms_report,
    mxtelecom_sms_inbound,
    mm7_delivery_report,
    openmarket_mms_inbound_100k,
    openmarket_mms_inbound_5m,
    openmarket_mms_report,
    mxtelecom_mms_inbound_post,
    twilio_status,
    sinch_delivery_report,
    bandwidth_report,
    telnyx_report,
    vonage_sms_receipt,
]


# --- timing -------------------------------------------------------------------------------------------------------


def calibrate(op: Callable[[], object], target_seconds: float) -> int:
    """How many calls of ``op`` take about ``target_seconds``."""
    timer = timeit.Timer(op)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= target_seconds / 10:
            return max(1, round(number * target_seconds / elapsed))
        number *= 10 if elapsed < target_seconds / 1000 else 2


def best_microseconds(ops: list[Callable[[], object]], target_seconds: float, repeats: int) -> list[float]:
    """The best µs per call of each op over ``repeats`` repeats, the ops interleaved repeat by repeat."""
    timers = [(timeit.Timer(op), calibrate(op, target_seconds)) for op in ops]
    best = [float("inf")] * len(ops)
    for _ in range(repeats):
        for index, (timer, number) in enumerate(timers):
            best[index] = min(best[index], timer.timeit(number) / number * 1e6)
    return best


def run_case(case: Case, settings: Settings) -> dict[str, object]:
    case.check()
    ops = [case.mmsdr, case.floor] + ([] if case.alt is None else [case.alt])
    if case.large:
        times = best_microseconds(ops, settings.large_seconds, settings.large_repeats)
    else:
        times = best_microseconds(ops, settings.target_seconds, settings.repeats)
    mmsdr_us, floor_us = times[0], times[1]
    alt_us = times[2] if case.alt is not None else None
    return {
        "name": case.name,
        "mmsdr_us": round(mmsdr_us, 2),
        "floor_us": round(floor_us, 2),
        "ratio_floor": round(mmsdr_us / floor_us, 2),
        "alt_name": case.alt_name if case.alt is not None else None,
        "alt_us": None if alt_us is None else round(alt_us, 2),
        "ratio_alt": None if alt_us is None else round(mmsdr_us / alt_us, 2),
    }


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def verdicts(results: list[dict[str, Any]], cases: list[Case], memory: list[dict[str, Any]]) -> list[str]:
    """One line per target: met or NOT met."""
    lines = []
    for result, case in zip(results, cases, strict=True):
        targets = []
        if case.target_floor is not None:
            met = "met" if result["ratio_floor"] <= case.target_floor else "NOT met"
            targets.append(f"target mmsdr/floor <= {case.target_floor}: {met}")
        if case.target_alt is not None and result["ratio_alt"] is not None:
            met = "met" if result["ratio_alt"] <= case.target_alt else "NOT met"
            targets.append(f"target mmsdr/{result['alt_name']} <= {case.target_alt}: {met}")
        if targets:
            lines.append(f"{result['name']}: {'; '.join(targets)}")
    for result in memory:
        met = "met" if result["ratio"] <= MEMORY_TARGET else "NOT met"
        lines.append(
            f"memory, 5 MB {result['name']}: peak {result['peak_bytes']:,} bytes = {result['ratio']:.2f} x body "
            f"({result['body_bytes']:,} bytes); target <= {MEMORY_TARGET} x body: {met}"
        )
    return lines


def table(results: list[dict[str, Any]], cases: list[Case], memory: list[dict[str, Any]]) -> str:
    header = ("case", "mmsdr µs", "floor µs", "mmsdr/floor", "alt", "alt µs", "mmsdr/alt", "alt/mmsdr")
    rows = [header]
    rows.extend(
        (
            result["name"],
            f"{result['mmsdr_us']:.2f}",
            f"{result['floor_us']:.2f}",
            f"{result['ratio_floor']:.2f}",
            result["alt_name"] or "-",
            _number(result["alt_us"]),
            _number(result["ratio_alt"]),
            "-" if result["alt_us"] is None else f"{result['alt_us'] / result['mmsdr_us']:.2f}",
        )
        for result in results
    )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) if column == 0 else cell.rjust(width) for column, (cell, width) in
                  enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]  # fmt: skip
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append("")
    lines.extend(verdicts(results, cases, memory))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results to FILE as JSON")
    parser.add_argument("--quick", action="store_true", help="a smoke run: short repeats, numbers not to be trusted")
    options = parser.parse_args(argv)
    settings = QUICK if options.quick else FULL
    started = time.perf_counter()
    cases = [build() for build in CASES]
    results = [run_case(case, settings) for case in cases]
    memory = measure_memory()
    print(table(results, cases, memory))
    elapsed = time.perf_counter() - started
    print(
        f"\n{sys.implementation.name} {sys.version.split()[0]}, lxml {etree.__version__}, "
        f"python-multipart {python_multipart.__version__}; {os.cpu_count()} CPUs; {elapsed:.1f} s"
    )
    if options.json is not None:
        document = {"cases": results, "memory": memory}
        options.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

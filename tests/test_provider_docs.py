"""Every example in the MX Telecom provider documents ("Receiving reports using HTTP", "Receiving MMS messages using
HTTP", "Receiving Delivery Reports via HTTP"), one test each."""

from __future__ import annotations

import pytest
from _support import at, only_event, query_fixture, utc_offset

import mmsdr
from mmsdr import DeliveryReport, Event, InboundMessage, Part, ReadReport, Status
from mmsdr.mxtelecom import MmsInboundDetails, ReasonCode, SmsReportDetails


def parse_one(query: str) -> Event:
    return only_event(mmsdr.parse_request({}, b"", query))


def test_000_date_with_utc_offset_eg_plus_0100() -> None:
    # 000 "Receiving reports using HTTP": "date Format: yyyy-MM-dd HH:mm:ssZ (Z is UTC offset, eg +0100)"
    event = parse_one(query_fixture("mxtelecom", "mms-report-delivered"))
    assert event.timestamp == at(2010, 8, 21, 17, 32, 21, tz=utc_offset(1))


@pytest.mark.parametrize(
    ("number", "name", "status"),
    [
        ("1", "Buffered", Status.PENDING),
        ("2", "Indeterminate delivery", Status.INDETERMINATE),
        ("3", "Delivered", Status.DELIVERED),
        ("4", "Delivery expired", Status.EXPIRED),
        ("5", "Rejected", Status.REJECTED),
        ("6", "Forwarded", Status.FORWARDED),
        ("7", "Read", Status.READ),
        ("8", "Deleted", Status.DELETED),
        ("9", "Indeterminate read", Status.INDETERMINATE),
        ("10", "Expired read", Status.EXPIRED),
    ],
)
def test_000_status_list(number: str, name: str, status: Status) -> None:
    report_type = "1" if int(number) <= 6 else "2"
    query = f"id=9&requestid=8&to=Alice&from=Bob&date=2010-08-21+17%3A32%3A21%2B0100&type={report_type}&status={number}"
    event = parse_one(query)
    assert isinstance(event, DeliveryReport if report_type == "1" else ReadReport), name
    assert (event.status, event.provider_status) == (status, number)


def test_000_alice_bob_report_direction() -> None:
    # "if Alice sends Bob an MMS, the delivery report will be from Bob to Alice"
    query = "id=9&requestid=8&to=Alice&from=Bob&date=2010-08-21+17%3A32%3A21%2B0100&type=1&status=3"
    event = parse_one(query)
    assert isinstance(event, DeliveryReport)
    assert (event.sender, event.recipient) == ("Alice", "Bob")


@pytest.mark.parametrize("doc", ["000", "001", "002"])
def test_response_is_200_with_a_non_empty_body(doc: str) -> None:
    # all three: "respond with an HTTP 200 response with a non-empty body"
    fixture = {"000": "mms-report-delivered", "001": "mms-inbound-get", "002": "sms-report-mx-us"}[doc]
    ack = mmsdr.acknowledge(mmsdr.parse_request({}, b"", query_fixture("mxtelecom", fixture)))
    assert ack.status == 200
    assert ack.body == b"OK"


@pytest.mark.parametrize(
    ("address", "trusted"), [("83.166.68.0", True), ("83.166.69.255", True), ("83.166.70.0", False)]
)
def test_security_range_68_0_to_69_255(address: str, trusted: bool) -> None:
    # all three: "83.166.68.0/23 (ie 68.0 -> 69.255)"
    assert mmsdr.is_trusted_source(address) is trusted


def test_001_repeated_to_and_cc_subject_expiry() -> None:
    event = parse_one(query_fixture("mxtelecom", "mms-inbound-get"))
    assert isinstance(event, InboundMessage)
    assert (event.recipients, event.cc, event.subject) == (
        ("81111", "81112"),
        ("447700900456", "447700900789"),
        "Holiday",
    )
    assert event.details == MmsInboundDetails(network="TMOBILEUK", expiry=at(2010, 8, 22, 17, 32, 21))


def test_001_get_notification_gives_where_the_mms_may_be_retrieved_from() -> None:
    # 001: "in the form of an HTTP GET request, in which case a url will be provided to indicate where the MMS
    # may be retrieved from"
    event = parse_one(query_fixture("mxtelecom", "mms-inbound-get"))
    assert isinstance(event, InboundMessage)
    assert event.parts == (
        Part(
            content_type="application/zip", url="https://mms.mxtelecom.com/RetrieveMMS?id=MX-91a7c2", filename="mms.zip"
        ),
    )


def test_001_type_6_is_an_sms_with_message() -> None:
    event = parse_one(query_fixture("mxtelecom", "mms-inbound-sms-type6"))
    assert isinstance(event, InboundMessage)
    assert (event.channel, event.text) == ("sms", "See you at 8")


def test_001_retrieve_mms_example_url() -> None:
    assert (
        mmsdr.mxtelecom.retrieve_mms_url("messageid", user="myUsername", password="myPass", https=False)
        == "http://mms.mxtelecom.com/RetrieveMMS?user=myUsername&pass=myPass&id=messageid"
    )
    assert mmsdr.mxtelecom.retrieve_mms_url("messageid", user="myUsername", password="myPass").startswith(
        "https://mms.mxtelecom.com/RetrieveMMS?"
    )


def test_002_report_grammar_example_with_brackets() -> None:
    # "For example: REPORT <37954551> <BUFFERED>"
    event = parse_one(query_fixture("mxtelecom", "sms-report-brackets"))
    assert isinstance(event, DeliveryReport)
    assert (event.message_id, event.provider_status, event.status) == ("37954551", "BUFFERED", Status.PENDING)


def test_002_reason_example_1610612736_is_0x60000000() -> None:
    event = parse_one(query_fixture("mxtelecom", "sms-report-brackets"))
    assert isinstance(event, DeliveryReport)
    assert event.provider_code == "1610612736"
    assert isinstance(event.details, SmsReportDetails)
    assert event.details.reason == ReasonCode(1610612736)
    assert event.details.reason.hex == "0x60000000"


def test_002_sms_id_is_a_positive_64_bit_integer() -> None:
    top = "smsfrom=1&smsmsg=REPORT+18446744073709551615+DELIVERED&smsdate=2002-04-30+21%3A58%3A00"
    event = parse_one(top)
    assert isinstance(event, DeliveryReport)
    assert event.message_id == "18446744073709551615"


def test_002_note_is_echoed_only_when_present() -> None:
    with_note = parse_one(query_fixture("mxtelecom", "sms-report-none-buffered"))
    without = parse_one(query_fixture("mxtelecom", "sms-report-mx-us"))
    assert isinstance(with_note.details, SmsReportDetails)
    assert isinstance(without.details, SmsReportDetails)
    assert (with_note.details.note, without.details.note) == ("order-42", None)

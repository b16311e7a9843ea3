"""MX Telecom / OpenMarket-legacy callbacks: every fixture parses into the whole expected event."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from _support import at, only_event, query_fixture, utc_offset, without_keys

import mmsdr
import mmsdr.testing
from mmsdr import (
    Callback,
    DeliveryReport,
    Event,
    InboundMessage,
    Part,
    RawFields,
    ReadReport,
    Status,
    SubscriptionRenewal,
    Unsubscribe,
)
from mmsdr.mxtelecom import MmsInboundDetails, MmsReportDetails, ReasonCode, SmsInboundDetails, SmsReportDetails


def raw_of(query: str, **overrides: str) -> RawFields:
    """The raw view mmsdr should keep: every pair, percent-decoded, in order."""
    return RawFields((name, overrides.get(name, value)) for name, value in parse_qsl(query, keep_blank_values=True))


# The field each format's timestamp is read from.
DATE_FIELDS = {"mxtelecom.sms_report": "smsdate", "mxtelecom.sms_inbound": "smsdate"}


def zone_warning(format_name: str, zone: str = "Europe/London") -> str:
    """The warning of a date without a UTC offset, read in MX Telecom's documented London time (or ``zone``)."""
    return f"field {DATE_FIELDS.get(format_name, 'date')!r} has no UTC offset: read in {zone}"


# Fixtures whose warnings are not just "the date has no offset" (MX Telecom's documented form has none).
FIXTURE_WARNINGS: dict[str, tuple[str, ...]] = {
    "mms-report-delivered": (),  # "2010-08-21 17:32:21+0100"
    "mms-report-read-space": (),  # "2010-08-21 17:32:21 +0000"
    "mms-inbound-get": (
        zone_warning("mxtelecom.mms_inbound"),
        "field 'expiry' has no UTC offset: read in Europe/London",
    ),
}


def one_event_callback(event: Event, *, fixture: str = "") -> Callback:
    """The whole callback an MX Telecom request gives: its one event, no request details, and its warnings:
    the date had no offset, unless ``fixture`` has others."""
    warnings = FIXTURE_WARNINGS.get(fixture, (zone_warning(event.format),))
    return Callback(provider="mxtelecom", format=event.format, events=(event,), warnings=warnings, details=None)


def parse_one(query: str, *, default_zone: str | None = None) -> Event:
    """The one event of an MX Telecom query string (the callback checked to carry exactly one)."""
    return only_event(mmsdr.parse_request({}, b"", query, default_zone=default_zone))


SMS_REPORTS = [
    (
        "sms-report-mx-us",
        dict(
            message_id="17218733",
            status=Status.DELIVERED,
            provider_status="DELIVERED",
            recipient="447931123456",
            sender="913",
            provider_code="1359151616",
            timestamp=at(2002, 4, 30, 21, 58),
            details=SmsReportDetails(report_id="17221293", reason=ReasonCode(0x51030200)),
        ),
    ),
    (
        "sms-report-mx-old",
        dict(
            message_id="17218733",
            status=Status.DELIVERED,
            provider_status="DELIVERED",
            recipient="447931123456",
            sender="913",
            provider_code=None,
            timestamp=at(2002, 4, 30, 21, 58),
            details=SmsReportDetails(report_id="17221293"),
        ),
    ),
    (
        "sms-report-openmarket",
        dict(
            message_id="17218733",
            status=Status.DELIVERED,
            provider_status="DELIVERED",
            recipient="447700900750",
            sender="58870",
            provider_code="1359151616",
            timestamp=at(2002, 4, 30, 21, 58),
            details=SmsReportDetails(report_id="17221293", reason=ReasonCode(1359151616)),
        ),
    ),
    (
        "sms-report-brackets",
        dict(
            message_id="37954551",
            status=Status.PENDING,
            provider_status="BUFFERED",
            recipient="447931123456",
            sender="913",
            provider_code="1610612736",
            timestamp=at(2002, 4, 30, 21, 58),
            details=SmsReportDetails(report_id="37954560", reason=ReasonCode(0x60000000)),
        ),
    ),
    (
        "sms-report-none-buffered",
        dict(
            message_id="17218800",
            status=Status.UNKNOWN,
            provider_status="NONE/BUFFERED",
            recipient="14155550123",
            sender="58870",
            provider_code=None,
            timestamp=at(2011, 8, 31, 11, 15, 25),
            details=SmsReportDetails(report_id="17221300", note="order-42"),
        ),
    ),
]


@pytest.mark.parametrize(("fixture", "fields"), SMS_REPORTS, ids=[name for name, _ in SMS_REPORTS])
def test_sms_report(fixture: str, fields: dict[str, object]) -> None:
    query = query_fixture("mxtelecom", fixture)
    callback = mmsdr.parse_request({}, b"", query, method="GET")
    expected = DeliveryReport(
        provider="mxtelecom",
        format="mxtelecom.sms_report",
        dedupe_key="",
        raw=raw_of(query),
        **fields,  # type: ignore[arg-type]
    )
    assert without_keys(callback) == one_event_callback(expected, fixture=fixture)


MMS_REPORTS = [
    (
        "mms-report-delivered",
        DeliveryReport,
        dict(
            message_id="77110011",
            status=Status.DELIVERED,
            provider_status="3",
            recipient="447700900123",
            sender="81111",
            provider_code=None,
            timestamp=at(2010, 8, 21, 17, 32, 21, tz=utc_offset(1)),
            details=MmsReportDetails(report_id="4419283"),
        ),
    ),
    (
        "mms-report-read-space",
        ReadReport,
        dict(
            message_id="77110011",
            status=Status.READ,
            provider_status="7",
            recipient="447700900123",
            sender="81111",
            provider_code=None,
            timestamp=at(2010, 8, 21, 17, 32, 21, tz=utc_offset(0)),
            details=MmsReportDetails(report_id="4419290", user_agent="Nokia6230i"),
        ),
    ),
]


@pytest.mark.parametrize(("fixture", "event_type", "fields"), MMS_REPORTS, ids=[name for name, *_ in MMS_REPORTS])
def test_mms_report(fixture: str, event_type: type[DeliveryReport | ReadReport], fields: dict[str, object]) -> None:
    query = query_fixture("mxtelecom", fixture)
    callback = mmsdr.parse_request({}, b"", query, method="GET")
    expected = event_type(
        provider="mxtelecom",
        format="mxtelecom.mms_report",
        dedupe_key="",
        raw=raw_of(query),
        **fields,  # type: ignore[arg-type]
    )
    assert without_keys(callback) == one_event_callback(expected, fixture=fixture)


# Every status of the vendor's table, with the type it belongs to (and the 3/4 type aliases).
MMS_STATUSES = [
    ("1", "1", DeliveryReport, Status.PENDING),
    ("1", "2", DeliveryReport, Status.INDETERMINATE),
    ("1", "3", DeliveryReport, Status.DELIVERED),
    ("1", "4", DeliveryReport, Status.EXPIRED),
    ("1", "5", DeliveryReport, Status.REJECTED),
    ("1", "6", DeliveryReport, Status.FORWARDED),
    ("2", "7", ReadReport, Status.READ),
    ("2", "8", ReadReport, Status.DELETED),
    ("2", "9", ReadReport, Status.INDETERMINATE),
    ("2", "10", ReadReport, Status.EXPIRED),
    ("3", "3", DeliveryReport, Status.DELIVERED),
    ("4", "7", ReadReport, Status.READ),
    ("1", "11", DeliveryReport, Status.UNKNOWN),
    ("2", "Deleted", ReadReport, Status.UNKNOWN),
]


@pytest.mark.parametrize(("report_type", "status", "event_type", "expected"), MMS_STATUSES)
def test_mms_report_status_table(report_type: str, status: str, event_type: type, expected: Status) -> None:
    query = (
        f"id=1&requestid=2&to=81111&from=447700900123&date=2010-08-21+17%3A32%3A21&type={report_type}&status={status}"
    )
    event = parse_one(query)
    assert type(event) is event_type
    assert isinstance(event, (DeliveryReport, ReadReport))
    assert (event.status, event.provider_status) == (expected, status)


def test_sms_report_status_table() -> None:
    expected = {
        "BUFFERED": Status.PENDING,
        "DELIVERED": Status.DELIVERED,
        "FAILED": Status.FAILED,
        "REJECTED": Status.REJECTED,
        "delivered": Status.DELIVERED,
        "EXPIRED": Status.UNKNOWN,
    }
    for word, status in expected.items():
        query = f"smsfrom=447931123456&smsmsg=REPORT+1+{word}&smsdate=2002-04-30+21%3A58%3A00"
        event = parse_one(query)
        assert isinstance(event, DeliveryReport)
        assert (event.status, event.provider_status) == (status, word)


INBOUND = [
    (
        "sms-inbound-mx-uk",
        dict(
            format="mxtelecom.sms_inbound",
            message_id="17221293",
            channel="sms",
            sender="447931123456",
            recipients=("913",),
            text="Hello World",
            timestamp=at(2002, 4, 30, 21, 58),
            details=SmsInboundDetails(),
        ),
        {},
    ),
    (
        "sms-inbound-openmarket",
        dict(
            format="mxtelecom.sms_inbound",
            message_id="4172212931",
            channel="sms",
            sender="447931123456",
            recipients=("58870",),
            text="Hello World",
            timestamp=at(2010, 4, 30, 21, 58),
            details=SmsInboundDetails(),
        ),
        {},
    ),
    (
        "sms-inbound-latin9",
        dict(
            format="mxtelecom.sms_inbound",
            message_id="17221294",
            channel="sms",
            sender="447931123456",
            recipients=("913",),
            text="Café €5",
            timestamp=at(2002, 4, 30, 21, 58),
            details=SmsInboundDetails(network="TMOBILEUK"),
        ),
        {"smsmsg": "Café €5"},
    ),
    (
        "sms-inbound-ucs2",
        dict(
            format="mxtelecom.sms_inbound",
            message_id="17221295",
            channel="sms",
            sender="447931123456",
            recipients=("913",),
            text="При",
            timestamp=at(2002, 4, 30, 21, 58),
            details=SmsInboundDetails(network="UNKNOWN"),
        ),
        {},
    ),
    (
        "mms-inbound-get",
        dict(
            format="mxtelecom.mms_inbound",
            message_id="MX-91a7c2",
            channel="mms",
            sender="447700900123",
            recipients=("81111", "81112"),
            cc=("447700900456", "447700900789"),
            subject="Holiday",
            timestamp=at(2010, 8, 21, 17, 32, 21),
            # Notified by GET: the zipped MMS is the one part, by reference, without credentials in its URL.
            parts=(
                Part(
                    content_type="application/zip",
                    url="https://mms.mxtelecom.com/RetrieveMMS?id=MX-91a7c2",
                    filename="mms.zip",
                ),
            ),
            details=MmsInboundDetails(network="TMOBILEUK", expiry=at(2010, 8, 22, 17, 32, 21)),
        ),
        {},
    ),
    (
        "mms-inbound-sms-type6",
        dict(
            format="mxtelecom.mms_inbound",
            message_id="MX-91a7d0",
            channel="sms",
            sender="447700900123",
            recipients=("81111",),
            text="See you at 8",
            timestamp=at(2010, 8, 21, 17, 32, 21),
            details=MmsInboundDetails(),
        ),
        {},
    ),
]


@pytest.mark.parametrize(("fixture", "fields", "raw_overrides"), INBOUND, ids=[name for name, *_ in INBOUND])
def test_inbound(fixture: str, fields: dict[str, object], raw_overrides: dict[str, str]) -> None:
    query = query_fixture("mxtelecom", fixture)
    callback = mmsdr.parse_request({}, b"", query, method="GET")
    # parse_qsl decodes as UTF-8 with replacement: the Latin-9 fixture's raw text is given explicitly.
    expected = InboundMessage(provider="mxtelecom", dedupe_key="", raw=raw_of(query, **raw_overrides), **fields)  # type: ignore[arg-type]
    assert without_keys(callback) == one_event_callback(expected, fixture=fixture)


def test_sms_inbound_binary_bits_8() -> None:
    query = "smsfrom=447931123456&smsmsg=0B05040B8423F0&smsto=913&smsid=9&smsdate=2002-04-30+21%3A58%3A00&bits=8&smsudh=0605040B8423F0"
    event = parse_one(query)
    assert isinstance(event, InboundMessage)
    assert event.text is None
    assert event.parts == (Part(content_type="application/octet-stream", data=bytes.fromhex("0B05040B8423F0")),)
    assert event.details == SmsInboundDetails(udh=bytes.fromhex("0605040B8423F0"))


def test_sms_inbound_bits_16_without_ucs2_keeps_the_best_effort_text() -> None:
    query = "smsfrom=447931123456&smsmsg=Privet&smsto=913&smsid=9&smsdate=2002-04-30+21%3A58%3A00&bits=16"
    event = parse_one(query)
    assert isinstance(event, InboundMessage)
    assert event.text == "Privet"


def test_sms_inbound_empty_text_is_kept_empty() -> None:
    query = "smsfrom=447931123456&smsmsg=&smsto=913&smsid=9&smsdate=2002-04-30+21%3A58%3A00&smsc=447785016005"
    event = parse_one(query)
    assert isinstance(event, InboundMessage)
    assert (event.text, event.details) == ("", SmsInboundDetails(smsc="447785016005"))


def test_sms_inbound_mapping_query_is_taken_as_decoded_text() -> None:
    # A framework's QueryDict has decoded the text already: it is used as given, not decoded again.
    query = {
        "smsfrom": "447931123456",
        "smsmsg": "Café €5",
        "smsto": "913",
        "smsid": "9",
        "smsdate": "2002-04-30 21:58:00",
    }
    event = only_event(mmsdr.parse_request({}, b"", query))
    assert isinstance(event, InboundMessage)
    assert event.text == "Café €5"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "unsubscribe",
            Unsubscribe(
                provider="mxtelecom",
                format="mxtelecom.unsubscribe",
                timestamp=at(2005, 8, 29, 19, 12, 45),
                dedupe_key="",
                raw=raw_of(query_fixture("mxtelecom", "unsubscribe")),
                msisdn="447884436692",
                shortcodes=("81111", "82222"),
                source="IVR",
            ),
        ),
        (
            "renewal",
            SubscriptionRenewal(
                provider="mxtelecom",
                format="mxtelecom.renewal",
                timestamp=at(2011, 3, 1, 9, 0, 0),
                dedupe_key="",
                raw=raw_of(query_fixture("mxtelecom", "renewal")),
                message_id="5012345678",
                msisdn="14155550123",
                shortcode="81111",
                network="ATTUS",
                mt_username="acme",
            ),
        ),
        (
            "renewal-old",
            SubscriptionRenewal(
                provider="mxtelecom",
                format="mxtelecom.renewal",
                timestamp=at(2011, 3, 1, 9, 0, 0),
                dedupe_key="",
                raw=raw_of(query_fixture("mxtelecom", "renewal-old")),
                message_id="5012345679",
                msisdn="14155550123",
                shortcode="81111",
                network="CINGULARUS",
            ),
        ),
    ],
)
def test_subscriptions(fixture: str, expected: Unsubscribe | SubscriptionRenewal) -> None:
    callback = mmsdr.parse_request({}, b"", query_fixture("mxtelecom", fixture), method="GET")
    assert without_keys(callback) == one_event_callback(expected, fixture=fixture)


def test_every_timestamp_is_aware_and_london_in_winter_and_summer() -> None:
    winter = parse_one("smsfrom=1&smsmsg=hi&smsto=2&smsid=3&smsdate=2010-01-15+12%3A00%3A00")
    summer = parse_one("smsfrom=1&smsmsg=hi&smsto=2&smsid=3&smsdate=2010-07-15+12%3A00%3A00")
    assert winter.timestamp.utcoffset() is not None
    assert winter.timestamp.isoformat() == "2010-01-15T12:00:00+00:00"
    assert summer.timestamp.isoformat() == "2010-07-15T12:00:00+01:00"
    # London's offset at that time, as a fixed zone (so that the ISO text reads back to the same value).
    assert (winter.timestamp.tzinfo, summer.timestamp.tzinfo) == (utc_offset(0), utc_offset(1))


def test_default_zone_is_configurable() -> None:
    query = "smsfrom=1&smsmsg=hi&smsto=2&smsid=3&smsdate=2010-07-15+12%3A00%3A00"
    event = parse_one(query, default_zone="America/New_York")
    assert event.timestamp.isoformat() == "2010-07-15T12:00:00-04:00"
    event = only_event(mmsdr.Parser(default_zone=utc_offset(0)).parse({}, b"", query))
    assert event.timestamp.isoformat() == "2010-07-15T12:00:00+00:00"


def test_every_mx_callback_is_acknowledged_with_200_and_a_non_empty_body() -> None:
    fixtures = [
        "sms-report-mx-us",
        "mms-report-delivered",
        "sms-inbound-mx-uk",
        "mms-inbound-get",
        "unsubscribe",
        "renewal",
    ]
    for fixture in fixtures:
        ack = mmsdr.acknowledge(mmsdr.parse_request({}, b"", query_fixture("mxtelecom", fixture)))
        assert ack == mmsdr.Ack(
            status=200, headers=(("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2")), body=b"OK"
        )


def test_form_urlencoded_post_carries_the_same_fields() -> None:
    query = query_fixture("mxtelecom", "sms-report-mx-us")
    from_get = mmsdr.parse_request({}, b"", query, method="GET")
    from_post = mmsdr.parse_request(
        {"Content-Type": "application/x-www-form-urlencoded"}, query.encode(), b"", method="POST"
    )
    assert from_post == from_get


def test_retrieve_mms_url_on_either_host() -> None:
    event = parse_one(query_fixture("mxtelecom", "mms-inbound-get"))
    assert isinstance(event, InboundMessage)
    # provider-docs/001: "http://mms.mxtelecom.com/RetrieveMMS?user=myUsername&pass=myPass&id=messageid"
    assert (
        mmsdr.mxtelecom.retrieve_mms_url("messageid", user="myUsername", password="myPass", https=False)
        == "http://mms.mxtelecom.com/RetrieveMMS?user=myUsername&pass=myPass&id=messageid"
    )
    assert (
        mmsdr.mxtelecom.retrieve_mms_url(event, user="me", password="p&ss", host="openmarket")
        == "https://mms.openmarket.com/mms/v1/http/retrieve?user=me&pass=p%26ss&id=MX-91a7c2"
    )
    with pytest.raises(ValueError, match="host must be one of mxtelecom, openmarket, got 'other'"):
        mmsdr.mxtelecom.retrieve_mms_url(event, user="me", password="p", host="other")


SMS_REPORT_REASONS = [
    # (reason field as sent or None for none, provider_code, details.reason)
    ("1359151616", "1359151616", ReasonCode(0x51030200)),
    (" 1610612736 ", "1610612736", ReasonCode(0x60000000)),  # stripped
    ("-1", "-1", ReasonCode(0xFFFFFFFF)),  # a signed rendering: the text as sent, the code decoded
    ("0x51030200", "0x51030200", ReasonCode(0x51030200)),  # already hex: kept as sent, not renumbered
    ("", None, None),  # empty: no reason
    ("   ", None, None),
    (None, None, None),  # absent
]


@pytest.mark.parametrize(("reason", "provider_code", "decoded"), SMS_REPORT_REASONS)
def test_sms_report_provider_code_is_the_reason_text_as_sent(
    reason: str | None, provider_code: str | None, decoded: ReasonCode | None
) -> None:
    query = "smsfrom=447931123456&smsmsg=REPORT+17218733+FAILED&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00"
    if reason is not None:
        query += "&reason=" + reason.replace(" ", "+")
    callback = mmsdr.parse_request({}, b"", query)
    expected = DeliveryReport(
        provider="mxtelecom",
        format="mxtelecom.sms_report",
        timestamp=at(2002, 4, 30, 21, 58),
        dedupe_key="",
        raw=raw_of(query),
        message_id="17218733",
        status=Status.FAILED,
        provider_status="FAILED",
        provider_code=provider_code,
        recipient="447931123456",
        details=SmsReportDetails(report_id="17221293", reason=decoded),
    )
    assert without_keys(callback) == one_event_callback(expected)


def test_mms_notified_by_get_has_its_zip_as_one_part_by_reference() -> None:
    event = parse_one(query_fixture("mxtelecom", "mms-inbound-get"))
    assert isinstance(event, InboundMessage)
    (part,) = event.parts
    assert part == Part(
        content_type="application/zip", url="https://mms.mxtelecom.com/RetrieveMMS?id=MX-91a7c2", filename="mms.zip"
    )
    assert (part.data, part.text, part.size, part.is_text) == (None, None, None, False)
    # No credentials in the event: retrieve_mms_url adds yours.
    assert "user=" not in (part.url or "")
    assert "pass=" not in (part.url or "")
    assert event.text is None


def test_mms_id_in_the_reference_url_is_percent_encoded() -> None:
    query = "id=MX+1%262&from=447700900123&to=81111&date=2010-08-21+17%3A32%3A21&type=2"
    event = parse_one(query)
    assert isinstance(event, InboundMessage)
    assert event.parts == (
        Part(
            content_type="application/zip", url="https://mms.mxtelecom.com/RetrieveMMS?id=MX+1%262", filename="mms.zip"
        ),
    )


def test_mms_posted_has_its_parts_by_value() -> None:
    parts = (
        Part(content_type="text/plain", data=b"Hello", filename="hello.txt", charset="utf-8"),
        Part(content_type="image/gif", data=b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", filename="pic.gif"),
    )
    request = mmsdr.testing.mxtelecom_mms_inbound(parts=parts)
    assert request.method == "POST"
    event = only_event(request.parse(), InboundMessage)
    assert [(part.content_type, part.data, part.url) for part in event.parts] == [
        ("text/plain", b"Hello", None),
        ("image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", None),
    ]
    assert event.text == "Hello"
    assert event.details == MmsInboundDetails(expiry=None)


RETRY_ACK = mmsdr.Ack(
    status=503,
    headers=(
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", "49"),
        ("X-Content-Type-Options", "nosniff"),
    ),
    body=b"not processed now; send this callback again later",
)
OK_ACK = mmsdr.Ack(
    status=200, headers=(("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2")), body=b"OK"
)


@pytest.mark.parametrize(
    "fixture",
    [
        "sms-report-mx-us",
        "mms-report-delivered",
        "mms-report-read-space",
        "sms-inbound-mx-uk",
        "mms-inbound-get",
        "mms-inbound-sms-type6",
        "unsubscribe",
        "renewal",
    ],
)
def test_acknowledge_is_200_ok_and_retry_is_503(fixture: str) -> None:
    callback = mmsdr.parse_request({}, b"", query_fixture("mxtelecom", fixture))
    assert mmsdr.acknowledge(callback) == OK_ACK
    assert mmsdr.acknowledge(callback, retry=False) == OK_ACK
    assert mmsdr.acknowledge(callback, retry=True) == RETRY_ACK
    assert mmsdr.acknowledge(callback, retry=True).status_line == "503 Service Unavailable"
    # The format's own answers are the same ones.
    fmt = mmsdr.FORMATS[callback.format]
    assert (fmt.acknowledge(callback), fmt.retry(callback)) == (OK_ACK, RETRY_ACK)

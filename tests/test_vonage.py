"""Vonage callbacks: SMS API delivery receipts and inbound SMS by GET, form POST and JSON (one event whichever
way), per-part inbound messages, statuses in both spellings and the err-code table; Messages API statuses and
inbound SMS/MMS with media by URL; keys, acks, refusals and warnings."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
from _support import DATA, only_event, without_key

import mmsdr
from mmsdr import Status, testing, vonage
from mmsdr.vonage import MediaItem, MessageInboundDetails, MessageStatusDetails, SmsInboundDetails, SmsReceiptDetails
from mmsdr.vonage._builders import sms_request

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
READ_AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
OCTETS = "application/octet-stream"


def fixture(name: str) -> bytes:
    return (DATA / "vonage" / name).read_bytes()


def get(query: str | bytes, **options: Any) -> mmsdr.Callback:
    text = query.decode("ascii") if isinstance(query, bytes) else query
    return mmsdr.parse_request({}, b"", text, method="GET", clock=lambda: READ_AT, **options)


def post(headers: dict[str, str], body: bytes, **options: Any) -> mmsdr.Callback:
    return mmsdr.parse_request(headers, body, method="POST", clock=lambda: READ_AT, **options)


def as_json(query: bytes) -> bytes:
    """The fields of a form-encoded fixture as the JSON object "POST-JSON" sends."""
    return json.dumps(dict(parse_qsl(query.decode("ascii"), keep_blank_values=True))).encode()


# --- SMS API delivery receipts ---------------------------------------------------------------------------------

DELIVERED = SmsReceiptDetails(
    error_text="Delivered",
    scts=datetime(2017, 5, 2, 13, 24, tzinfo=UTC),
    network_code="23820",
    price="0.01820000",
)


def test_the_documented_receipt() -> None:
    callback = get(fixture("sms-receipt-delivered.query"))
    # The documented message-timestamp has no zone: Vonage says UTC, and the callback says it was assumed.
    assert (callback.format, callback.warnings) == (
        "vonage.sms_receipt",
        ("field 'message-timestamp' has no UTC offset: read in UTC",),
    )
    event = only_event(callback, mmsdr.DeliveryReport)
    assert without_key(event) == mmsdr.DeliveryReport(
        provider="vonage",
        format="vonage.sms_receipt",
        timestamp=datetime(2017, 5, 2, 11, 24, 3, tzinfo=UTC),  # message-timestamp, never scts
        dedupe_key="",
        raw=event.raw,
        message_id="0C0000002EEBDA56",
        status=Status.DELIVERED,
        provider_status="delivered",
        provider_code="0",
        recipient="4527631111",
        sender="Tak",
        # scts is two hours off message-timestamp here: a carrier's local time, as its zone is not reliable.
        details=DELIVERED,
    )
    assert list(event.raw.items()) == [
        ("msisdn", "4527631111"),
        ("to", "Tak"),
        ("network-code", "23820"),
        ("messageId", "0C0000002EEBDA56"),
        ("price", "0.01820000"),
        ("status", "delivered"),
        ("scts", "1705021324"),
        ("err-code", "0"),
        ("message-timestamp", "2017-05-02 11:24:03"),
    ]


@pytest.mark.parametrize("name", ["sms-receipt-delivered.query", "sms-receipt-undeliv-signed.query"])
def test_a_receipt_by_get_form_and_json_is_the_same_callback(name: str) -> None:
    query = fixture(name)
    by_get = get(query)
    assert post(FORM, query) == by_get
    assert post(JSON, as_json(query)) == by_get
    # Without detection too, and with the query string of the configured URL left out of a POST's fields.
    assert post(FORM, query, formats="vonage.sms_receipt") == by_get
    with_url_query = mmsdr.parse_request(FORM, query, "tenant=7", method="POST", clock=lambda: READ_AT)
    assert with_url_query == by_get


def test_a_signed_receipt_keeps_its_signature_fields_as_data() -> None:
    callback = get(fixture("sms-receipt-undeliv-signed.query"))
    assert callback.warnings == ()  # an ISO message-timestamp with its Z
    event = only_event(callback, mmsdr.DeliveryReport)
    assert without_key(event) == mmsdr.DeliveryReport(
        provider="vonage",
        format="vonage.sms_receipt",
        timestamp=datetime(2026, 7, 17, 12, 6, 5, tzinfo=UTC),
        dedupe_key="",
        raw=event.raw,
        message_id="0B00000053FF9A10",
        status=Status.FAILED,
        provider_status="UNDELIV",
        provider_code="2",
        recipient="447700900001",
        sender="AcmeInc",
        details=SmsReceiptDetails(
            error_text="Absent subscriber - temporary",
            scts=datetime(2026, 7, 17, 12, 6, tzinfo=UTC),
            network_code="23410",
            price="0.03330000",
            client_ref="order-77",
            api_key="abcd1234",
        ),
    )
    assert [(name, event.raw[name]) for name in ("timestamp", "nonce", "sig")] == [
        ("timestamp", "1784290000"),
        ("nonce", "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"),
        ("sig", "0f7a1c2d3e4b5a69788796a5b4c3d2e1"),
    ]


@pytest.mark.parametrize(
    ("provider_status", "status"),
    [
        ("buffered", Status.PENDING),
        ("accepted", Status.FORWARDED),
        ("ACCEPTD", Status.FORWARDED),
        ("delivered", Status.DELIVERED),
        ("DELIVRD", Status.DELIVERED),
        ("expired", Status.EXPIRED),
        ("EXPIRED", Status.EXPIRED),
        ("failed", Status.FAILED),
        ("FAILED", Status.FAILED),
        ("UNDELIV", Status.FAILED),
        ("rejected", Status.REJECTED),
        ("REJECTD", Status.REJECTED),
        ("DELETED", Status.FAILED),  # the carrier's message centre dropped it, not a read report's "deleted"
        ("unknown", Status.INDETERMINATE),
        ("UNKNOWN", Status.INDETERMINATE),
        ("Delivered", Status.DELIVERED),  # compared case-insensitively
        ("ENROUTE", Status.UNKNOWN),  # not listed: unknown, never an error
    ],
)
def test_receipt_statuses_in_both_spellings(provider_status: str, status: Status) -> None:
    event = only_event(testing.vonage_sms_receipt(status=provider_status).parse(), mmsdr.DeliveryReport)
    assert (event.status, event.provider_status) == (status, provider_status)


def test_the_statuses_table_is_the_documented_list() -> None:
    assert dict(vonage.STATUSES) == {
        "buffered": Status.PENDING,
        "accepted": Status.FORWARDED,
        "acceptd": Status.FORWARDED,
        "delivered": Status.DELIVERED,
        "delivrd": Status.DELIVERED,
        "expired": Status.EXPIRED,
        "failed": Status.FAILED,
        "undeliv": Status.FAILED,
        "rejected": Status.REJECTED,
        "rejectd": Status.REJECTED,
        "deleted": Status.FAILED,
        "unknown": Status.INDETERMINATE,
    }


@pytest.mark.parametrize(
    ("code", "provider_code", "error_text"),
    [
        (0, "0", "Delivered"),
        ("0", "0", "Delivered"),
        (6, "6", "Anti-spam rejection"),
        ("99", "99", "General error"),
        ("31", "31", None),  # not in the table: kept, without a meaning
        (None, None, None),
    ],
)
def test_err_code_is_provider_code_with_its_meaning(
    code: int | str | None, provider_code: str | None, error_text: str | None
) -> None:
    for method in ("GET", "POST", "POST-JSON"):
        event = only_event(testing.vonage_sms_receipt(error_code=code, method=method).parse(), mmsdr.DeliveryReport)
        assert event.provider_code == provider_code
        assert isinstance(event.details, SmsReceiptDetails)
        assert event.details.error_text == error_text


def test_the_error_table_has_every_documented_code() -> None:
    assert sorted(vonage.ERROR_CODES, key=int) == [*map(str, range(17)), "50", "51", "52", "53", "54", "99"]


def test_json_members_sent_as_numbers_read_as_their_text() -> None:
    body = (
        b'{"msisdn": 447700900001, "to": "AcmeInc", "messageId": "0B00000053FF9A10", "status": "delivered",'
        b' "err-code": 0, "price": 0.0333, "message-timestamp": "2026-07-17 12:06:05"}'
    )
    event = only_event(post(JSON, body), mmsdr.DeliveryReport)
    assert (event.recipient, event.provider_code) == ("447700900001", "0")
    assert isinstance(event.details, SmsReceiptDetails)
    assert event.details.price == "0.0333"


@pytest.mark.parametrize(
    ("text", "timestamp", "warnings"),
    [
        ("2026-07-17 12:06:05", datetime(2026, 7, 17, 12, 6, 5, tzinfo=UTC), ("has no UTC offset: read in UTC",)),
        ("2026-07-17T12:06:05Z", datetime(2026, 7, 17, 12, 6, 5, tzinfo=UTC), ()),
        ("2026-07-17T12:06:05.000+00:00", datetime(2026, 7, 17, 12, 6, 5, tzinfo=UTC), ()),
        (None, READ_AT, ("is missing: timestamp is the time the request was read",)),
        (
            "yesterday",
            READ_AT,
            (
                (
                    "is not a valid date (not a date of the form YYYY-MM-DD HH:MM:SS), got 'yesterday': timestamp is "
                    "the time the request was read"
                ),
            ),
        ),
    ],
)
def test_message_timestamp_in_both_forms(text: str | None, timestamp: datetime, warnings: tuple[str, ...]) -> None:
    callback = testing.vonage_sms_receipt(timestamp=text).parse(clock=lambda: READ_AT)
    assert callback.events[0].timestamp == timestamp
    assert callback.warnings == tuple(f"field 'message-timestamp' {warning}" for warning in warnings)


def test_scts_is_kept_in_details_never_the_timestamp() -> None:
    callback = testing.vonage_sms_receipt(scts="2613451299").parse()  # month 13
    event = only_event(callback, mmsdr.DeliveryReport)
    assert event.timestamp == datetime(2017, 5, 2, 11, 24, 3, tzinfo=UTC)
    assert event.details == SmsReceiptDetails(error_text="Delivered", network_code="23820", price="0.01820000")
    assert callback.warnings[1] == (
        "field 'scts' is not a valid date (month must be in 1..12), got '2613451299': left out"
    )
    callback = testing.vonage_sms_receipt(scts="17050213").parse()
    assert callback.warnings[1] == (
        "field 'scts' is not a valid date (not a date of the form YYMMDDHHMM), got '17050213': left out"
    )
    # The endpoint's zone, where it configures one.
    event = only_event(testing.vonage_sms_receipt().parse(default_zone="Europe/Copenhagen"), mmsdr.DeliveryReport)
    assert isinstance(event.details, SmsReceiptDetails)
    assert event.details.scts == datetime(2017, 5, 2, 11, 24, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("msisdn=1&status=delivered&err-code=0", "vonage.sms_receipt: field 'messageId' is missing"),
        ("messageId=X&status=delivered", "vonage.sms_receipt: field 'msisdn' is missing"),
        ("messageId=X&msisdn=1&status=+", "vonage.sms_receipt: field 'status' is empty, got ' '"),
        (
            "messageId=X&messageId=Y&msisdn=1&status=delivered",
            ("vonage.sms_receipt: field 'messageId' is repeated with different values, got ['X', 'Y']"),
        ),
    ],
)
def test_a_receipt_without_its_identity_is_refused(query: str, message: str) -> None:
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        get(query, formats="vonage.sms_receipt")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"messageId": {"id": 1}, "msisdn": "1", "status": "delivered"}',
            ("vonage.sms_receipt: field 'messageId' must be a string or an integer, got {'id': 1}"),
        ),
        (
            b'{"messageId": "X", "msisdn": "\\ud800", "status": "delivered"}',
            ("vonage.sms_receipt: field 'msisdn' holds a lone surrogate (U+D800), which is not text, got '\\ud800'"),
        ),
        (b'["messageId"]', "vonage.sms_receipt: body must be a JSON object, got list"),
    ],
)
def test_a_json_receipt_with_odd_identity_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        post(JSON, body, formats="vonage.sms_receipt")
    assert str(caught.value) == message


def test_odd_secondary_json_members_cost_a_warning() -> None:
    body = (
        b'{"messageId": "X", "msisdn": "1", "status": "delivered", "client-ref": {"a": 1}, "to": "\\ud800",'
        b' "message-timestamp": "2026-07-17T12:06:05Z"}'
    )
    callback = post(JSON, body)
    assert callback.warnings == (
        "field 'to' holds a lone surrogate (U+D800), which is not text: read with U+FFFD in its place",
        "field 'client-ref' is not a string: left out",
    )
    event = only_event(callback, mmsdr.DeliveryReport)
    assert event.sender == "\ufffd"
    assert event.raw["client-ref"] == '{"a": 1}'


def test_receipt_keys_are_the_same_for_a_retry_and_differ_for_each_status_and_part() -> None:
    key = only_event(testing.vonage_sms_receipt().parse()).dedupe_key
    assert key.startswith("vonage.sms_receipt:")
    # A retry: the same fields, another way and another order, another time of reading.
    assert only_event(testing.vonage_sms_receipt(method="POST-JSON").parse(clock=lambda: READ_AT)).dedupe_key == key
    others = [
        testing.vonage_sms_receipt(status="accepted"),
        testing.vonage_sms_receipt(error_code=1),
        testing.vonage_sms_receipt(scts="1705021325"),
        testing.vonage_sms_receipt(message_id="0C0000002EEBDA57"),  # the next part of a long message
    ]
    keys = {only_event(request.parse()).dedupe_key for request in others}
    assert len(keys) == 4
    assert key not in keys
    # message-timestamp is not in the key: the text as sent of the fields that identify the receipt.
    assert only_event(testing.vonage_sms_receipt(timestamp="2017-05-02T11:24:03Z").parse()).dedupe_key == key


# --- SMS API inbound -------------------------------------------------------------------------------------------


def test_the_sdk_inbound_sms() -> None:
    callback = post(JSON, fixture("sms-inbound.json"))
    assert (callback.format, callback.warnings) == ("vonage.sms_inbound", ())
    event = only_event(callback, mmsdr.InboundMessage)
    assert without_key(event) == mmsdr.InboundMessage(
        provider="vonage",
        format="vonage.sms_inbound",
        timestamp=datetime(2020, 1, 1, 12, 0, tzinfo=UTC),
        dedupe_key="",
        raw=event.raw,
        message_id="0A0000000123ABCD1",
        channel="sms",
        sender="447700900001",
        recipients=("447700900000",),
        text="Hello world",
        # type is text: data and udh (a binary message's) are left in raw.
        details=SmsInboundDetails(
            message_type="text",
            keyword="HELLO",
            concat=True,
            concat_ref="1",
            concat_total=3,
            concat_part=2,
            api_key="abcd1234",
        ),
    )
    assert (event.raw["data"], event.raw["udh"], event.raw["timestamp"]) == ("abc123", "abc123", "1578787200")
    # The same fields by GET and by form give the same callback.
    query = sms_request(event.raw.multi_items(), method="GET", path="/vonage").query
    assert get(query) == callback
    assert post(FORM, query.encode()) == callback


def test_a_binary_message_has_its_data_as_a_part_and_its_udh_in_details() -> None:
    request = testing.vonage_sms_inbound(
        message_type="binary", text=None, keyword=None, data=b"\x00\x01\xfe\xff", udh=b"\x05\x00\x03\x2a\x02\x01"
    )
    assert "data=0001feff&udh=0500032a0201&" in request.query
    event = only_event(request.parse(), mmsdr.InboundMessage)
    assert event.text is None
    assert event.parts == (mmsdr.Part(content_type=OCTETS, data=b"\x00\x01\xfe\xff"),)
    assert event.details == SmsInboundDetails(
        message_type="binary", udh=b"\x05\x00\x03\x2a\x02\x01", api_key="abcd1234"
    )


def test_hex_that_is_not_hex_costs_a_warning_and_stays_in_raw() -> None:
    query = testing.vonage_sms_inbound(message_type="binary", text=None).query + "&data=0g&udh=123"
    callback = get(query)
    assert callback.warnings == (
        "field 'data' is not hexadecimal: left out of parts (it is in raw)",
        "field 'udh' is not hexadecimal: left out of details (it is in raw)",
        "field 'message-timestamp' has no UTC offset: read in UTC",
    )
    event = only_event(callback, mmsdr.InboundMessage)
    assert (event.parts, event.raw["data"], event.raw["udh"]) == ((), "0g", "123")


def test_each_part_of_a_long_message_is_its_own_event() -> None:
    texts = ["The first part of a long message, ", "the second, ", "and the last."]
    events = [
        only_event(
            testing.vonage_sms_inbound(message_id=f"0A00000001{part}", text=text, concat=("1A", 3, part)).parse(),
            mmsdr.InboundMessage,
        )
        for part, text in enumerate(texts, start=1)
    ]
    assert [event.text for event in events] == texts  # never joined
    assert [(d.concat, d.concat_ref, d.concat_total, d.concat_part) for d in _inbound_details(events)] == [
        (True, "1A", 3, 1),
        (True, "1A", 3, 2),
        (True, "1A", 3, 3),
    ]
    assert len({event.dedupe_key for event in events}) == 3
    # Even were Vonage to give two parts one messageId, their part numbers keep them apart.
    same_id = [only_event(testing.vonage_sms_inbound(concat=("1A", 2, part)).parse()).dedupe_key for part in (1, 2)]
    assert same_id[0] != same_id[1]


def _inbound_details(events: list[mmsdr.InboundMessage]) -> list[SmsInboundDetails]:
    details = []
    for event in events:
        assert isinstance(event.details, SmsInboundDetails)
        details.append(event.details)
    return details


def test_odd_secondary_inbound_fields_cost_warnings() -> None:
    request = testing.vonage_sms_inbound(recipient=None, concat=("1", 3, 2), timestamp=None)
    query = request.query.replace("concat-total=3", "concat-total=three")
    callback = get(query)
    assert callback.warnings == (
        "field 'to' is missing: the message has no recipient",
        "field 'message-timestamp' is missing: timestamp is the time the request was read",
        "field 'concat-total' is not a number, got 'three': left out",
    )
    event = only_event(callback, mmsdr.InboundMessage)
    assert (event.recipients, event.timestamp) == ((), READ_AT)
    assert isinstance(event.details, SmsInboundDetails)
    assert (event.details.concat_total, event.details.concat_part) == (None, 2)


def test_text_and_numbers_are_kept_as_sent() -> None:
    request = testing.vonage_sms_inbound(text="  Hi\nthere ", sender="07700900001", keyword=None)
    event = only_event(request.parse(), mmsdr.InboundMessage)
    assert (event.text, event.sender) == ("  Hi\nthere ", "07700900001")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("msisdn=447700900001&text=Hi&type=text", "vonage.sms_inbound: field 'messageId' is missing"),
        ("messageId=X&msisdn=&text=Hi", "vonage.sms_inbound: field 'msisdn' is empty, got ''"),
    ],
)
def test_an_inbound_message_without_its_identity_is_refused(query: str, message: str) -> None:
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        get(query, formats="vonage.sms_inbound")
    assert str(caught.value) == message


# --- Messages API ----------------------------------------------------------------------------------------------


def test_the_sdk_message_status() -> None:
    callback = post(JSON, fixture("message-status.json"))
    assert (callback.format, callback.warnings) == ("vonage.message_status", ())
    event = only_event(callback, mmsdr.DeliveryReport)
    assert without_key(event) == mmsdr.DeliveryReport(
        provider="vonage",
        format="vonage.message_status",
        timestamp=datetime(2025, 2, 3, 12, 14, 25, tzinfo=UTC),
        dedupe_key="",
        raw=event.raw,
        message_id="aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab",
        status=Status.REJECTED,
        provider_status="rejected",
        provider_code="1000",
        recipient="447700900000",
        sender="447700900001",
        details=MessageStatusDetails(
            channel="sms",
            error_type="https://developer.vonage.com/api-errors/messages#1000",
            error_detail=(
                "Throttled - You have exceeded the submission capacity allowed on this account. Please wait and retry"
            ),
            client_ref="abc123",
            price="0.0333",
            currency="EUR",
            network_code="12345",
            sms_count_total=2,
        ),
    )
    assert [name for name, _ in event.raw.multi_items()] == [
        "message_uuid",
        "to",
        "from",
        "timestamp",
        "status",
        "error",
        "client_ref",
        "workflow",
        "usage",
        "channel",
        "destination",
        "sms",
    ]


@pytest.mark.parametrize(
    ("provider_status", "status", "kind"),
    [
        ("submitted", Status.FORWARDED, mmsdr.DeliveryReport),
        ("delivered", Status.DELIVERED, mmsdr.DeliveryReport),
        ("read", Status.READ, mmsdr.ReadReport),
        ("rejected", Status.REJECTED, mmsdr.DeliveryReport),
        ("undeliverable", Status.FAILED, mmsdr.DeliveryReport),
        ("deleted", Status.UNKNOWN, mmsdr.DeliveryReport),
    ],
)
def test_message_statuses(provider_status: str, status: Status, kind: type[mmsdr.Report]) -> None:
    event = only_event(testing.vonage_message_status(status=provider_status).parse(), kind)
    assert (event.status, event.provider_status, event.provider_code) == (status, provider_status, None)


def test_the_message_statuses_table() -> None:
    assert dict(vonage.MESSAGE_STATUSES) == {
        "submitted": Status.FORWARDED,
        "delivered": Status.DELIVERED,
        "read": Status.READ,
        "rejected": Status.REJECTED,
        "undeliverable": Status.FAILED,
    }


def test_an_error_title_sent_as_a_number_is_its_text() -> None:
    request = testing.vonage_message_status(status="undeliverable", error=(1320, "Unroutable"))
    body = request.body.replace(b'"title": "1320"', b'"title": 1320')
    event = only_event(post(JSON, body), mmsdr.DeliveryReport)
    assert (event.status, event.provider_code) == (Status.FAILED, "1320")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"message_uuid": None}, "vonage.message_status: field 'message_uuid' is missing"),
        ({"to": None}, "vonage.message_status: field 'to' is missing"),
        ({"status": None}, "vonage.message_status: field 'status' is missing"),
        ({"status": 3}, "vonage.message_status: field 'status' must be a string, got 3"),
    ],
)
def test_a_status_without_its_identity_is_refused(change: dict[str, Any], message: str) -> None:
    obj = json.loads(fixture("message-status.json"))
    obj.update(change)
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        post(JSON, json.dumps(obj).encode(), formats="vonage.message_status")
    assert str(caught.value) == message


def test_odd_secondary_status_members_cost_warnings() -> None:
    obj = json.loads(fixture("message-status.json"))
    obj.update({"error": "1000", "usage": {"price": 0.03, "currency": ["EUR"]}, "sms": {"count_total": "two"}})
    obj.pop("timestamp")
    callback = post(JSON, json.dumps(obj).encode())
    assert callback.warnings == (
        "field 'timestamp' is missing: timestamp is the time the request was read",
        "field 'error' is not a JSON object: left out",
        "field 'usage.currency' is not a string: left out",
        "field 'sms.count_total' is not a number, got 'two': left out",
    )
    event = only_event(callback, mmsdr.DeliveryReport)
    assert (event.timestamp, event.provider_code) == (READ_AT, None)
    assert isinstance(event.details, MessageStatusDetails)
    assert (event.details.price, event.details.currency, event.details.sms_count_total) == ("0.03", None, None)


def test_status_keys_differ_by_status_and_time() -> None:
    key = only_event(testing.vonage_message_status().parse()).dedupe_key
    assert only_event(testing.vonage_message_status().parse(clock=lambda: READ_AT)).dedupe_key == key
    others = {
        only_event(testing.vonage_message_status(status="read").parse()).dedupe_key,
        only_event(testing.vonage_message_status(timestamp="2025-02-03T12:14:26Z").parse()).dedupe_key,
        only_event(testing.vonage_message_status(recipient="447700900002").parse()).dedupe_key,
    }
    assert len(others) == 3
    assert key not in others


def test_the_sdk_inbound_message_union() -> None:
    callback = post(JSON, fixture("message-inbound-union.json"))
    assert (callback.format, callback.warnings) == ("vonage.message_inbound", ())
    event = only_event(callback, mmsdr.InboundMessage)
    media = (
        MediaItem(
            kind="image",
            url="https://example.com/image.jpg",
            name="image.jpg",
            caption="Additional text to accompany the image.",
        ),
        MediaItem(kind="audio", url="https://example.com/audio.mp3", name="audio.mp3"),
        MediaItem(kind="video", url="https://example.com/video.mp4", name="video.mp4"),
        MediaItem(
            kind="file",
            url="https://example.com/file.pdf",
            name="file.pdf",
            caption="Additional text to accompany the file.",
        ),
        MediaItem(kind="vcard", url="https://example.com/contact.vcf", name="contact.vcf"),
        MediaItem(kind="sticker", url="https://api-us.nexmo.com/v3/media/1b456509-974c-458b-aafa-45fc48a4d976"),
        # content[] repeats the image's URL: one part.
    )
    assert without_key(event) == mmsdr.InboundMessage(
        provider="vonage",
        format="vonage.message_inbound",
        timestamp=datetime(2020, 1, 1, 14, 0, tzinfo=UTC),
        dedupe_key="",
        raw=event.raw,
        message_id="52afe398-e31a-4362-8c42-beb0c3b1d098",
        channel="whatsapp",
        sender="447700900001",
        recipients=("447700900000",),
        text="Nexmo Verification code: 12345.<br />Valid for 10 minutes.",
        parts=tuple(mmsdr.Part(content_type=OCTETS, url=item.url, filename=item.name) for item in media),
        details=MessageInboundDetails(
            message_type="text",
            media=media,
            keyword="HELLO",
            num_messages=2,
            network_code="12345",
            client_ref="string",
            price="0.0333",
            currency="EUR",
        ),
    )


def test_a_multi_part_mms() -> None:
    callback = post(JSON, fixture("message-inbound-mms.json"))
    assert (callback.format, callback.warnings) == ("vonage.message_inbound", ())
    event = only_event(callback, mmsdr.InboundMessage)
    urls = [
        "https://api-us.nexmo.com/v3/media/1b456509-974c-458b-aafa-45fc48a4d976",
        "https://api-us.nexmo.com/v3/media/2c567610-a85d-469c-bbfb-56ad59b5e087",
        "https://api-us.nexmo.com/v3/media/3d678721-b96e-47ad-8c0c-67be6ac6f198",
    ]
    assert without_key(event) == mmsdr.InboundMessage(
        provider="vonage",
        format="vonage.message_inbound",
        timestamp=datetime(2026, 7, 17, 12, 6, 5, 123000, tzinfo=UTC),
        dedupe_key="",
        raw=event.raw,
        message_id="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        channel="mms",
        sender="14155550101",
        recipients=("14155550100",),
        text="Two pictures and a clip ",
        parts=tuple(mmsdr.Part(content_type=OCTETS, url=url) for url in urls),
        details=MessageInboundDetails(
            message_type="text",
            media=tuple(
                MediaItem(kind=kind, url=url) for kind, url in zip(("image", "image", "video"), urls, strict=True)
            ),
            network_code="310260",
        ),
    )


def test_odd_media_cost_warnings() -> None:
    obj = json.loads(fixture("message-inbound-mms.json"))
    obj["content"] = [{"type": "image"}, "https://example.com/a.jpg", {"type": "image", "url": ["x"]}]
    obj["image"] = ["https://example.com/b.jpg"]
    callback = post(JSON, json.dumps(obj).encode())
    assert callback.warnings == (
        "field 'image' is not a JSON object: left out",
        "field 'content[0]' has no url: left out of parts",
        "field 'content[1]' is not a JSON object: left out",
        "field 'content[2].url' is not a string: left out",
        "field 'content[2]' has no url: left out of parts",
    )
    assert only_event(callback, mmsdr.InboundMessage).parts == ()
    obj["content"] = {"type": "image"}
    assert post(JSON, json.dumps(obj).encode()).warnings[1] == "field 'content' is not a JSON array: left out"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"message_uuid": None}, "vonage.message_inbound: field 'message_uuid' is missing"),
        ({"from": None}, "vonage.message_inbound: field 'from' is missing"),
        ({"from": " "}, "vonage.message_inbound: field 'from' is empty, got ' '"),
    ],
)
def test_an_inbound_message_without_its_sender_is_refused(change: dict[str, Any], message: str) -> None:
    obj = json.loads(fixture("message-inbound-mms.json"))
    obj.update(change)
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        post(JSON, json.dumps(obj).encode(), formats="vonage.message_inbound")
    assert str(caught.value) == message


# --- detection, acknowledgements -------------------------------------------------------------------------------

DETECTED = [
    ("sms-receipt-delivered.query", "vonage.sms_receipt"),
    ("sms-receipt-undeliv-signed.query", "vonage.sms_receipt"),
    ("sms-inbound.json", "vonage.sms_inbound"),
    ("message-status.json", "vonage.message_status"),
    ("message-inbound-union.json", "vonage.message_inbound"),
    ("message-inbound-mms.json", "vonage.message_inbound"),
]


@pytest.mark.parametrize(("name", "format_name"), DETECTED)
def test_every_fixture_is_detected_among_every_format(name: str, format_name: str) -> None:
    body = fixture(name)
    if name.endswith(".query"):
        assert get(body).format == format_name
        assert post(FORM, body).format == format_name
        assert post(JSON, as_json(body)).format == format_name
    else:
        assert post(JSON, body).format == format_name
        assert post({"Content-Type": "application/json; charset=utf-8"}, body).format == format_name


def test_a_text_quoting_a_member_name_does_not_change_the_format() -> None:
    # '"status":' inside a string is escaped: an inbound message saying so is still an inbound message.
    request = testing.vonage_message_inbound(text='"status": "delivered"', message_type="text", image=None)
    assert request.parse().format == "vonage.message_inbound"
    request = testing.vonage_sms_inbound(text='"status": "delivered"', method="POST-JSON")
    assert request.parse().format == "vonage.sms_inbound"


@pytest.mark.parametrize("format_name", [fmt.name for fmt in vonage.FORMATS])
def test_acknowledgements(format_name: str) -> None:
    callback = testing.BUILDERS[format_name]().parse()
    # "200 OK or 204 No Content"; anything else is sent again.
    assert mmsdr.acknowledge(callback) == mmsdr.Ack(status=200, headers=(("Content-Length", "0"),), body=b"")
    retry = mmsdr.acknowledge(callback, retry=True)
    assert (retry.status, retry.body) == (503, b"not processed now; send this callback again later")


def test_the_formats_in_detection_order() -> None:
    assert [(fmt.name, sorted(fmt.methods)) for fmt in vonage.FORMATS] == [
        ("vonage.sms_receipt", ["GET", "POST"]),
        ("vonage.sms_inbound", ["GET", "POST"]),
        ("vonage.message_status", ["POST"]),
        ("vonage.message_inbound", ["POST"]),
    ]
    assert list(mmsdr.FORMATS)[-4:] == [fmt.name for fmt in vonage.FORMATS]


# --- docs/vonage.md: joining the parts of a long message -------------------------------------------------------


def test_the_docs_recipe_joins_the_parts_each_once_in_order() -> None:
    page = (DATA.parent.parent / "docs" / "vonage.md").read_text(encoding="utf-8")
    (block,) = [block for block in re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL) if "whole_text" in block]
    recipe: dict[str, Any] = {"__name__": "vonage_docs"}
    exec(compile(block, "docs/vonage.md", "exec"), recipe)  # noqa: S102 - the docs' own code
    whole_text = recipe["whole_text"]
    texts = {1: "The first part, ", 2: "the second, ", 3: "and the last."}

    def part(number: int) -> mmsdr.InboundMessage:
        request = testing.vonage_sms_inbound(message_id=f"0A0{number}", text=texts[number], concat=("7F", 3, number))
        return only_event(request.parse(), mmsdr.InboundMessage)

    # Out of order, with a retry of the first part: the text once, when the last part comes.
    assert [whole_text(part(number)) for number in (3, 1, 1, 2)] == [None, None, None, "".join(texts.values())]
    assert recipe["waiting"] == {}
    single = only_event(testing.vonage_sms_inbound().parse(), mmsdr.InboundMessage)
    assert [whole_text(single), whole_text(single)] == ["Hello world", None]  # a retry: handled already


def test_a_callback_of_the_other_kind_is_not_read_as_an_inbound_message() -> None:
    # A delivery receipt (or a status) sent to the inbound URL has every field an inbound message needs: its status
    # says it is not one.
    receipt = testing.vonage_sms_receipt()
    with pytest.raises(mmsdr.UnsupportedFormatError) as caught:
        get(receipt.query, formats="vonage.sms_inbound")
    assert str(caught.value) == (
        "vonage.sms_inbound: field 'status' is only sent with a delivery receipt: this request is not this format"
    )
    status = testing.vonage_message_status()
    with pytest.raises(mmsdr.UnsupportedFormatError) as caught:
        post(JSON, status.body, formats="vonage.message_inbound")
    assert str(caught.value) == (
        "vonage.message_inbound: field 'status' is only sent with a status webhook: this request is not this format"
    )
    assert caught.value.ack.status == 415


# --- builders signed when given a secret ------------------------------------------------------------------------

SMS_BUILDERS = [testing.vonage_sms_receipt, testing.vonage_sms_inbound]
MESSAGES_BUILDERS = [testing.vonage_message_status, testing.vonage_message_inbound]


@pytest.mark.parametrize("builder", SMS_BUILDERS)
@pytest.mark.parametrize("method", ["GET", "POST", "POST-JSON"])
@pytest.mark.parametrize("signature_method", ["md5hash", "md5", "sha1", "sha256", "sha512"])
def test_an_sms_api_builder_signs_when_given_a_secret(builder: Any, method: str, signature_method: str) -> None:
    check = vonage.Signature("s3cret", method=signature_method)
    signed = builder(method=method, signature_secret="s3cret", signature_method=signature_method)
    unsigned = builder(method=method)
    signed_event = only_event(signed.parse(auth=check))
    unsigned_event = only_event(unsigned.parse())
    # The same event as the unsigned request's (the same key too), its raw holding the signature fields as well.
    assert dataclasses.replace(signed_event, raw=unsigned_event.raw) == unsigned_event
    assert [name for name, _ in signed_event.raw.multi_items()][-2:] == ["timestamp", "sig"]
    with pytest.raises(mmsdr.AuthenticationError) as caught:
        unsigned.parse(auth=check)
    assert (caught.value.status_hint, caught.value.field) == (401, "sig")
    with pytest.raises(mmsdr.AuthenticationError):  # another method's signature does not pass
        signed.parse(auth=vonage.Signature("s3cret", method="sha1" if signature_method != "sha1" else "md5"))


@pytest.mark.parametrize("builder", MESSAGES_BUILDERS)
def test_a_messages_api_builder_signs_when_given_a_secret(builder: Any) -> None:
    check = vonage.JwtSignature("s3cret")
    signed = builder(signature_secret="s3cret")
    assert only_event(signed.parse(auth=check)) == only_event(builder().parse())
    with pytest.raises(mmsdr.AuthenticationError) as caught:
        builder().parse(auth=check)
    assert (caught.value.status_hint, caught.value.ack.status) == (503, 503)  # unsigned: Vonage sends it again
    with pytest.raises(mmsdr.AuthenticationError) as caught:
        builder(signature_secret="another").parse(auth=check)
    assert caught.value.status_hint == 401

"""Bandwidth Messaging v2 callbacks: every documented example, arrays, statuses and error codes, keys, acks,
refusals, Basic authentication."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from _support import DATA, only_event, without_key

import mmsdr
from mmsdr import Status, bandwidth, testing
from mmsdr.auth import BasicAuth
from mmsdr.bandwidth import ERRORS, ErrorCode

JSON = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "BandwidthAPI/v2"}
READ_AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
EXAMPLE_TIME = datetime(2016, 9, 14, 18, 20, 16, tzinfo=UTC)
APPLICATION = "93de2206-9669-4e07-948d-329f4b722ee2"
MEDIA = "https://messaging.bandwidth.com/api/v2/users/{accountId}/media/14762070468292kw2fuqty55yp2b2/0/bw.png"


def fixture(name: str) -> bytes:
    return (DATA / "bandwidth" / name).read_bytes()


def parse(body: bytes, **options: Any) -> mmsdr.Callback:
    return mmsdr.parse_request(JSON, body, method="POST", clock=lambda: READ_AT, **options)


def element(**changes: Any) -> dict[str, Any]:
    """The "Message Failed" example as data, with ``changes`` (a value None removes the member)."""
    base: dict[str, Any] = json.loads(fixture("failed.json"))[0]
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def body_of(*elements: dict[str, Any]) -> bytes:
    return json.dumps(list(elements)).encode()


# --- the documented examples (Bandwidth, "Webhooks") -----------------------------------------------------------


def test_the_inbound_sms_example() -> None:
    body = fixture("inbound-sms.json")
    callback = parse(body)
    assert (callback.format, callback.warnings) == ("bandwidth.inbound", ())
    event = only_event(callback, mmsdr.InboundMessage)
    assert without_key(event) == mmsdr.InboundMessage(
        provider="bandwidth",
        format="bandwidth.inbound",
        timestamp=EXAMPLE_TIME,
        dedupe_key="",
        raw=event.raw,
        message_id="14762070468292kw2fuqty55yp2b2",
        channel="mms",  # it carries a media URL
        sender="+12345678901",
        recipients=("+12345678902",),
        text="Hey, check this out!",
        parts=(mmsdr.Part(content_type="application/octet-stream", url=MEDIA),),
        details=bandwidth.InboundDetails(
            owner="+12345678902",
            direction="in",
            application_id=APPLICATION,
            segment_count=1,
            description="Incoming message received",
            message_time=EXAMPLE_TIME,
        ),
    )
    assert [name for name, _ in event.raw.multi_items()] == ["type", "time", "description", "to", "message"]
    assert json.loads(event.raw["message"]) == json.loads(body)[0]["message"]


def test_the_inbound_group_mms_example_lists_every_recipient() -> None:
    event = only_event(parse(fixture("inbound-group-mms.json")), mmsdr.InboundMessage)
    assert (event.recipients, event.details) == (
        ("+12345678902", "+12345678903"),
        bandwidth.InboundDetails(
            owner="+12345678902",  # the copy for this number of yours: another number gets its own event
            direction="in",
            application_id=APPLICATION,
            segment_count=1,
            description="Incoming message received",
            message_time=EXAMPLE_TIME,
        ),
    )


def report_fields(event: mmsdr.Event) -> tuple[object, ...]:
    assert isinstance(event, mmsdr.Report)
    return (type(event).__name__, event.status, event.provider_status, event.provider_code, event.recipient)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sending.json", ("DeliveryReport", Status.PENDING, "message-sending", None, "+15554443333")),
        ("delivered.json", ("DeliveryReport", Status.DELIVERED, "message-delivered", None, "+12345678902")),
        ("delivered-toll-free.json", ("DeliveryReport", Status.DELIVERED, "message-delivered", None, "+12345678902")),
        ("delivered-group-mms.json", ("DeliveryReport", Status.DELIVERED, "message-delivered", None, "+12345678902")),
        ("failed.json", ("DeliveryReport", Status.REJECTED, "message-failed", "4432", "+52345678903")),
    ],
)
def test_the_outbound_examples(name: str, expected: tuple[object, ...]) -> None:
    callback = parse(fixture(name))
    assert (callback.format, callback.warnings) == ("bandwidth.report", ())
    assert report_fields(only_event(callback)) == expected


def test_the_message_sending_example_whole() -> None:
    event = only_event(parse(fixture("sending.json")), mmsdr.DeliveryReport)
    assert without_key(event) == mmsdr.DeliveryReport(
        provider="bandwidth",
        format="bandwidth.report",
        timestamp=datetime(2020, 6, 25, 18, 42, 36, 979000, tzinfo=UTC),  # the event's time, not the message's
        dedupe_key="",
        raw=event.raw,
        message_id="1593110555875xo7watq5px6rbe5d",
        status=Status.PENDING,
        provider_status="message-sending",
        recipient="+15554443333",
        sender="+15552221111",
        status_text="Message is sending to carrier",
        details=bandwidth.ReportDetails(
            recipients=("+15554443333",),
            owner="+15552221111",
            direction="out",
            application_id="cfd4fb83-7531-4acc-b471-42d0bb76a65c",
            tag="v2 lab",
            segment_count=1,
            media=("https://dev.bandwidth.com/images/bandwidth-logo.png",),
            message_time=datetime(2020, 6, 25, 18, 42, 35, 876000, tzinfo=UTC),
        ),
    )


def test_the_message_failed_example_carries_its_error_row() -> None:
    event = only_event(parse(fixture("failed.json")), mmsdr.DeliveryReport)
    assert (event.status_text, event.details) == (
        "forbidden to country",
        bandwidth.ReportDetails(
            recipients=("+52345678903",),
            owner="+12345678901",
            direction="out",
            application_id=APPLICATION,
            segment_count=1,
            message_time=EXAMPLE_TIME,
            error=ErrorCode(
                code="4432",
                name="rejected-forbidden-country",
                reported_by="bandwidth",
                permanent=True,
                billable=False,
            ),
        ),
    )


# --- arrays: one event per element -----------------------------------------------------------------------------


def test_every_element_of_the_array_is_one_event_with_its_own_key() -> None:
    recipients = [f"+1555010{index:04d}" for index in range(5)]
    body = body_of(*(element(to=recipient, type="message-delivered", errorCode=None) for recipient in recipients))
    callback = parse(body)
    assert [report_fields(event) for event in callback.events] == [
        ("DeliveryReport", Status.DELIVERED, "message-delivered", None, recipient) for recipient in recipients
    ]
    keys = [event.dedupe_key for event in callback.events]
    assert len(set(keys)) == 5
    assert [event.dedupe_key for event in parse(body).events] == keys  # Bandwidth's retry: the same keys


@pytest.mark.parametrize(
    ("change", "same"),
    [
        ({}, True),
        ({"description": "another text"}, True),  # not part of what identifies the event
        ({"to": "+15550100"}, False),  # another recipient of a group message
        ({"type": "message-delivered", "errorCode": None}, False),  # a later event of the message
        ({"time": "2016-09-14T18:20:17Z"}, False),
        ({"message": {**element()["message"], "id": "other"}}, False),
    ],
)
def test_the_dedupe_key_is_id_type_to_and_time(change: dict[str, Any], same: bool) -> None:
    first = parse(body_of(element())).events[0].dedupe_key
    assert (parse(body_of(element(**change))).events[0].dedupe_key == first) is same
    assert first.startswith("bandwidth.report:")


def test_an_object_instead_of_an_array_is_read_with_a_warning() -> None:
    as_array = parse(body_of(element()))
    callback = parse(json.dumps(element()).encode())
    assert callback.warnings == ("body is a JSON object, not an array of events: read as an array of one",)
    assert callback.events == as_array.events


def test_an_array_mixing_kinds_gives_each_element_its_own_event_type() -> None:
    received = json.loads(fixture("inbound-sms.json"))[0]
    callback = parse(body_of(element(), received))
    assert callback.format == "bandwidth.report"  # the first element's
    assert [(type(event).__name__, event.format) for event in callback.events] == [
        ("DeliveryReport", "bandwidth.report"),
        ("InboundMessage", "bandwidth.inbound"),
    ]


# --- statuses and error codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code", "status"),
    [
        ("message-sending", None, Status.PENDING),
        ("message-sent", None, Status.FORWARDED),
        ("message-delivered", None, Status.DELIVERED),
        ("message-read", None, Status.READ),
        ("message-failed", None, Status.FAILED),
        ("message-failed", "4001", Status.REJECTED),  # client errors: "Repeating the request will produce ..."
        ("message-failed", "4432", Status.REJECTED),
        ("message-failed", "4720", Status.REJECTED),  # carrier rejected
        ("message-failed", "4360", Status.EXPIRED),  # message-not-sent-expiration-date-passed
        ("message-failed", "5600", Status.FAILED),  # a service failure
        ("message-failed", "5100", Status.FAILED),
        ("message-failed", "9902", Status.INDETERMINATE),  # no receipt, "does not indicate ... not received"
        ("message-failed", "9999", Status.FAILED),
        ("message-failed", "995", Status.FAILED),  # not in the tables: the status unrefined
        ("message-failed", "4999", Status.FAILED),
        ("message-delivered", "4432", Status.DELIVERED),  # a code refines failures only
        ("message-queued", None, Status.UNKNOWN),
        ("suggestion-response", None, Status.UNKNOWN),
    ],
)
def test_status_for(kind: str, code: str | None, status: Status) -> None:
    assert bandwidth.status_for(kind, code) == status


@pytest.mark.parametrize(
    ("code", "row"),
    [
        ("4432", ("rejected-forbidden-country", "bandwidth", True, False)),
        ("4470", ("rejected-spam-detected", "bandwidth", True, True)),
        ("4720", ("invalid-destination-address", "carrier", True, True)),
        ("5100", ("temporary-app-error", "bandwidth", False, False)),
        ("5600", ("destination-carrier-queue-full", "carrier", False, True)),
        ("9902", ("delivery-receipt-expired", "downstream", None, True)),
    ],
)
def test_the_error_table(code: str, row: tuple[object, ...]) -> None:
    error = ERRORS[code]
    assert (error.code, error.name, error.reported_by, error.permanent, error.billable) == (code, *row)


def test_the_error_table_size_and_digits() -> None:
    assert len(ERRORS) == 75  # 31 + 26 client errors, 11 + 5 service failures, 2 ambiguous
    assert {code[0] for code in ERRORS} == {"4", "5", "9"}
    assert all(len(code) == 4 and code.isdigit() for code in ERRORS)


@pytest.mark.parametrize(
    ("code", "provider_code", "warnings"),
    [
        (4432, "4432", ()),
        ("4432", "4432", ()),  # a string accepted
        (995, "995", ()),
        (44.5, "44.5", ("field 'errorCode' is not an integer: kept as its JSON text",)),
    ],
)
def test_error_code_as_sent(code: object, provider_code: str, warnings: tuple[str, ...]) -> None:
    callback = parse(body_of(element(errorCode=code)))
    assert (only_event(callback, mmsdr.DeliveryReport).provider_code, callback.warnings) == (provider_code, warnings)


# --- secondary fields never cost the event, identity is strict ---------------------------------------------------


@pytest.mark.parametrize(
    ("change", "warnings"),
    [
        ({"time": None}, ("field 'time' is missing: timestamp is the time the request was read",)),
        (
            {"time": "yesterday"},
            (
                (
                    "field 'time' is not a valid date (not an ISO 8601 date (YYYY-MM-DDThh:mm:ss.sssZ)), "
                    "got 'yesterday': timestamp is the time the request was read"
                ),
            ),
        ),
        ({"to": None}, ()),  # a failure without the event's `to`: no recipient
        ({"description": 7}, ("field 'description' is not a string: left out",)),
        ({"message": {"id": "only-an-id"}}, ()),
        ({"message": {"id": 1593110555875}}, ()),
    ],
)
def test_secondary_fields(change: dict[str, Any], warnings: tuple[str, ...]) -> None:
    callback = parse(body_of(element(**change)))
    assert callback.warnings == warnings
    assert len(callback.events) == 1


def test_a_second_element_s_fields_are_named_by_place() -> None:
    callback = parse(body_of(element(), element(time=None, description=7)))
    assert callback.warnings == (
        "field '[1].time' is missing: timestamp is the time the request was read",
        "field '[1].description' is not a string: left out",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[]", "bandwidth.report: field 'body' is an empty array"),
        (b'"message-failed"', "bandwidth.report: field 'body' must be a JSON array of events, got 'str'"),
        (b'[{"type": "message-failed"}, 1]', "bandwidth.report: field '[1]' must be a JSON object, got 1"),
        (body_of(element(message=None)), "bandwidth.report: field 'message' is missing"),
        (body_of(element(message="m1")), "bandwidth.report: field 'message' must be a JSON object, got 'm1'"),
        (body_of(element(message={"to": ["+1"]})), "bandwidth.report: field 'message.id' is missing"),
        (
            body_of(element(message={"id": " "})),
            "bandwidth.report: field 'message.id' must be a non-empty string or an integer, got ' '",
        ),
        (
            body_of(element(message={"id": True})),
            "bandwidth.report: field 'message.id' must be a non-empty string or an integer, got True",
        ),
        (body_of(element(type=None)), "bandwidth.report: field 'type' is missing"),
        (b"[{]", None),
    ],
)
def test_refused(body: bytes, message: str | None) -> None:
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        parse(body, formats="bandwidth.report")
    if message is None:
        assert str(caught.value).startswith("bandwidth.report: body is not valid JSON")
    else:
        assert str(caught.value) == message


def test_an_inbound_message_without_its_sender_is_refused() -> None:
    received = json.loads(fixture("inbound-sms.json"))[0]
    del received["message"]["from"]
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        parse(body_of(received))
    assert str(caught.value) == "bandwidth.inbound: field 'message.from' is missing"


# --- detection, acknowledgement, authentication -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "format_name"),
    [
        (testing.bandwidth_report(), "bandwidth.report"),
        (testing.bandwidth_inbound(), "bandwidth.inbound"),
        (testing.sinch_inbound(text='"type": "message-received"'), "sinch.inbound"),
        (testing.bandwidth_inbound(text='{"type": "mo_text"}'), "bandwidth.inbound"),
    ],
)
def test_detection(request_: testing.TestRequest, format_name: str) -> None:
    assert request_.parse().format == format_name


def test_every_callback_is_answered_200_and_a_retry_503() -> None:
    callback = parse(fixture("failed.json"))
    assert mmsdr.acknowledge(callback) == mmsdr.Ack(status=200, headers=(("Content-Length", "0"),), body=b"")
    retry = mmsdr.acknowledge(callback, retry=True)
    assert (retry.status, retry.body) == (503, b"not processed now; send this callback again later")


def test_basic_auth_is_bandwidth_s_check() -> None:
    # "Webhooks" and the application's callback credentials: Bandwidth sends HTTP Basic credentials, no signature.
    auth = BasicAuth({"bandwidth": "s3cret"}, realm="bandwidth")
    with pytest.raises(mmsdr.AuthenticationError) as caught:
        testing.bandwidth_report().parse(auth=auth)
    assert caught.value.ack.status == 401
    assert testing.bandwidth_report().signed(auth).parse(auth=auth).events
    wrong = testing.bandwidth_report().signed(BasicAuth({"bandwidth": "guess"}))
    with pytest.raises(mmsdr.AuthenticationError):
        wrong.parse(auth=auth)


def test_the_provider_name_selects_both_formats() -> None:
    parser = mmsdr.Parser(formats="bandwidth")
    assert parser.formats == ("bandwidth.report", "bandwidth.inbound")

"""OpenMarket HTTP MMS: the documented MO and REPORT, media encodings, and every error with its message."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _support import only_event, without_key
from hypothesis import given, settings
from hypothesis import strategies as st

import mmsdr
from mmsdr import Callback, DeliveryReport, InboundMessage, MalformedRequestError, Part, RawFields, Status
from mmsdr.__main__ import read_raw_request
from mmsdr.openmarket import InboundDetails, ReportDetails, RequestDetails

DATA = Path(__file__).parent / "data" / "openmarket"
REQUEST_ID = "015-3DD6C366-D68A-4A02-9777-19CBC8AB40C1"
JPEG = bytes([0xFF, 0xD8, 0xFF, 0xE0]) + bytes(range(256)) + b"\r\n--not-a-boundary\r\n" + bytes([0xFF, 0xD9])
MO_JSON = {
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
}


RETRY_TEXT = b"not processed now; send this callback again later"


def parse_fixture(name: str, **options: object) -> Callback:
    raw = read_raw_request((DATA / name).read_bytes())
    return mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method, **options)  # type: ignore[arg-type]


def without_keys(callback: Callback) -> Callback:
    """The callback with every event's dedupe_key emptied, for whole-callback comparisons."""
    return dataclasses.replace(callback, events=tuple(without_key(event) for event in callback.events))


def report_body(**changes: object) -> bytes:
    report = {"type": "REPORT", "mtId": "42", "date": "2014-07-16T19:20:30Z", "status": "Rejected", "outcomeId": 9}
    report.update(changes)
    return json.dumps({key: value for key, value in report.items() if value is not None}).encode()


def mo_request(
    parts: list[tuple[str, bytes]], *, main: object = MO_JSON, main_id: str = "main"
) -> tuple[dict[str, str], bytes]:
    """A well-formed multipart/mixed MO with CRLF line ends: the JSON part, then ``parts`` (headers, data)."""
    main_bytes = main if isinstance(main, bytes) else json.dumps(main).encode()
    body = b"--mimeboundary\r\nContent-Type: application/json\r\nContent-Id: " + main_id.encode() + b"\r\n\r\n"
    body += main_bytes + b"\r\n"
    for headers, data in parts:
        body += b"--mimeboundary\r\n" + headers.encode() + b"\r\n\r\n" + data + b"\r\n"
    body += b"--mimeboundary--\r\n"
    return {"Content-Type": "multipart/mixed; boundary=mimeboundary", "X-Request-Id": "abc"}, body


def test_documented_mo_example_as_printed() -> None:
    callback = parse_fixture("mo-documented.http")
    event = InboundMessage(
        provider="openmarket",
        format="openmarket.mms_inbound",
        timestamp=datetime(2014, 7, 16, 19, 20, 30, tzinfo=UTC),
        dedupe_key="",
        raw=RawFields(
            [
                ("type", "MO"),
                ("moId", "123456789012345"),
                ("source", "447800000001"),
                ("destinations", '["88600"]'),
                ("ccs", '["88602"]'),
                ("bccs", "[]"),
                ("date", "2014-07-16T19:20:30+00:00"),
                ("mobileOperatorId", "77"),
                ("subject", "Test MMS"),
                ("userAgent", "HTC One"),
                ("X-Request-Id", REQUEST_ID),
            ]
        ),
        message_id="123456789012345",
        channel="mms",
        sender="447800000001",
        recipients=("88600",),
        cc=("88602",),
        subject="Test MMS",
        text="This is a text attachment",
        parts=(
            Part(content_type="image/jpeg", data=b"...", content_id="image.jpg"),
            Part(content_type="text/plain", data=b"This is a text attachment", content_id="text.txt"),
        ),
        details=InboundDetails(operator_id=77, user_agent="HTC One"),
    )
    assert without_keys(callback) == Callback(
        provider="openmarket",
        format="openmarket.mms_inbound",
        events=(event,),
        warnings=("X-Request-Id is longer than the documented 30 characters",),
        details=RequestDetails(request_id=REQUEST_ID),
    )


def test_documented_report_example() -> None:
    callback = parse_fixture("report-rejected.http")
    event = DeliveryReport(
        provider="openmarket",
        format="openmarket.mms_report",
        timestamp=datetime(2014, 7, 16, 19, 20, 30, tzinfo=UTC),
        dedupe_key="",
        raw=RawFields(
            [
                ("type", "REPORT"),
                ("mtId", "123456789012345"),
                ("date", "2014-07-16T19:20:30+00:00"),
                ("status", "Rejected"),
                ("outcomeId", "9"),
                ("outcomeDescription", "Recipient not found on mobile operator"),
                ("userAgent", "HTC One"),
                ("X-Request-Id", REQUEST_ID),
            ]
        ),
        message_id="123456789012345",
        status=Status.REJECTED,
        provider_status="Rejected",
        provider_code="9",
        recipient=None,
        status_text="Recipient not found on mobile operator",
        details=ReportDetails(outcome_id=9, user_agent="HTC One"),
    )
    assert without_keys(callback) == Callback(
        provider="openmarket",
        format="openmarket.mms_report",
        events=(event,),
        warnings=("X-Request-Id is longer than the documented 30 characters",),
        details=RequestDetails(request_id=REQUEST_ID),
    )


@pytest.mark.parametrize(
    ("status", "outcome", "test_number", "expected"),
    [
        # mms-testing.htm: "Retrieved = 1 (test number 10000871000), Deferred = 4 (10360871000), Forwarded = 5"
        ("Retrieved", 1, "10000871000", Status.DELIVERED),
        ("Deferred", 4, "10360871000", Status.PENDING),
        ("Forwarded", 5, "103408", Status.FORWARDED),
        ("Rejected", 9, None, Status.REJECTED),
        ("retrieved", 1, None, Status.DELIVERED),
        ("Teleported", 99, None, Status.UNKNOWN),
    ],
)
def test_documented_test_outcomes(status: str, outcome: int, test_number: str | None, expected: Status) -> None:
    report = {"type": "REPORT", "mtId": "42", "date": "2014-07-16T19:20:30Z", "status": status, "outcomeId": outcome}
    event = only_event(mmsdr.parse_request({"Content-Type": "application/json"}, json.dumps(report).encode(), None))
    assert isinstance(event, DeliveryReport)
    assert (event.status, event.provider_status, event.provider_code) == (expected, status, str(outcome))
    assert event.details == ReportDetails(outcome_id=outcome)
    assert event.status.is_final == (expected not in {Status.PENDING, Status.FORWARDED, Status.UNKNOWN})


@pytest.mark.parametrize(
    ("headers", "data"),
    [
        (
            "Content-Type: image/jpeg\r\nContent-Id: <image.jpg>\r\nContent-Transfer-Encoding: base64",
            base64.encodebytes(JPEG),
        ),  # base64 with line breaks
        ("Content-Type: image/jpeg\r\nContent-Id: image.jpg\r\nContent-Transfer-Encoding: binary", JPEG),
        ("Content-Type: image/jpeg\r\nContent-Id: image.jpg", JPEG),  # binary is OpenMarket's send-side default
    ],
    ids=["base64", "binary-declared", "binary-undeclared"],
)
def test_media_parts_give_the_original_bytes(headers: str, data: bytes) -> None:
    event = only_event(
        mmsdr.parse_request(
            *mo_request([(headers, data), ("Content-Type: text/plain; charset=utf-8", "héllo".encode())]), None
        )
    )
    assert isinstance(event, InboundMessage)
    assert event.parts == (
        Part(content_type="image/jpeg", data=JPEG, content_id="image.jpg"),
        Part(content_type="text/plain", data="héllo".encode(), charset="utf-8"),
    )
    assert event.text == "héllo"


def test_undeclared_base64_is_decoded_only_when_opted_in() -> None:
    headers, body = mo_request([("Content-Type: image/jpeg\r\nContent-Id: image.jpg", base64.encodebytes(JPEG))])
    plain = only_event(mmsdr.parse_request(headers, body, None))
    opted = only_event(mmsdr.parse_request(headers, body, None, undeclared_base64=True))
    assert isinstance(plain, InboundMessage)
    assert isinstance(opted, InboundMessage)
    assert plain.parts[0].data == base64.encodebytes(JPEG)
    assert opted.parts[0].data == JPEG
    # Binary media never looks like base64, so the opt-in leaves it alone.
    headers, body = mo_request([("Content-Type: image/jpeg", JPEG)])
    binary = only_event(mmsdr.parse_request(headers, body, None, undeclared_base64=True))
    assert isinstance(binary, InboundMessage)
    assert binary.parts[0].data == JPEG


def test_main_part_found_by_content_id_with_brackets_or_first_json_part() -> None:
    for main_id in ("<main>", "something-else"):
        headers, body = mo_request([("Content-Type: text/plain", b"hi")], main_id=main_id)
        event = only_event(mmsdr.parse_request(headers, body, None))
        assert isinstance(event, InboundMessage)
        assert (event.message_id, event.text) == ("123456789012345", "hi")


def test_unknown_json_fields_survive_in_raw() -> None:
    main = {**MO_JSON, "newField": {"nested": [1, 2]}, "flag": True, "moId": "987"}
    event = only_event(mmsdr.parse_request(*mo_request([], main=main), None))
    assert event.raw["newField"] == '{"nested": [1, 2]}'
    assert event.raw["flag"] == "true"
    assert isinstance(event, InboundMessage)
    assert event.message_id == "987"


def test_long_subject_is_kept_and_flagged() -> None:
    callback = mmsdr.parse_request(*mo_request([], main={**MO_JSON, "subject": "s" * 300}), None)
    event = only_event(callback)
    assert isinstance(event, InboundMessage)
    assert event.subject == "s" * 300
    assert callback.warnings == ("subject is longer than the documented 255 characters",)


@pytest.mark.parametrize("name", ["mo-documented.http", "report-rejected.http"])
def test_ack_is_200_with_an_empty_body(name: str) -> None:
    assert mmsdr.acknowledge(parse_fixture(name)) == mmsdr.Ack(status=200, headers=(("Content-Length", "0"),), body=b"")


@pytest.mark.parametrize("name", ["mo-documented.http", "report-rejected.http"])
def test_retry_answer_is_503_with_the_retry_text(name: str) -> None:
    # Anything but a 200 within 10 seconds makes OpenMarket send the callback again.
    assert mmsdr.acknowledge(parse_fixture(name), retry=True) == mmsdr.Ack(
        status=503,
        headers=(
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(RETRY_TEXT))),
            ("X-Content-Type-Options", "nosniff"),
        ),
        body=RETRY_TEXT,
    )


@pytest.mark.parametrize(
    ("outcome_id", "provider_code"),
    [(9, "9"), (0, "0"), (-1, "-1"), (123456789012, "123456789012"), (None, None)],
)
def test_provider_code_is_the_outcome_id_as_text(outcome_id: int | None, provider_code: str | None) -> None:
    event = only_event(
        mmsdr.parse_request({"Content-Type": "application/json"}, report_body(outcomeId=outcome_id), None)
    )
    assert isinstance(event, DeliveryReport)
    assert event.provider_code == provider_code
    assert event.details == ReportDetails(outcome_id=outcome_id)


@pytest.mark.parametrize("operator_id", [77, 0, None])
def test_operator_id_is_the_integer_sent(operator_id: int | None) -> None:
    main = {**MO_JSON, "mobileOperatorId": operator_id}
    if operator_id is None:
        del main["mobileOperatorId"]
    event = only_event(mmsdr.parse_request(*mo_request([], main=main), None))
    assert isinstance(event, InboundMessage)
    assert event.details == InboundDetails(operator_id=operator_id, user_agent="HTC One")
    assert isinstance(event.details, InboundDetails)
    assert type(event.details.operator_id) is type(operator_id)  # the number sent, no longer its text


LONG_REQUEST_ID_WARNING = "X-Request-Id is longer than the documented 30 characters"


@pytest.mark.parametrize(
    ("request_id", "warnings"),
    [
        ("a" * 30, ()),
        ("a" * 31, (LONG_REQUEST_ID_WARNING,)),
        (REQUEST_ID, (LONG_REQUEST_ID_WARNING,)),
        (None, ()),
    ],
)
@pytest.mark.parametrize("kind", ["report", "mo"])
def test_request_id_is_on_the_callback(kind: str, request_id: str | None, warnings: tuple[str, ...]) -> None:
    headers, body = mo_request([]) if kind == "mo" else ({"Content-Type": "application/json"}, report_body())
    headers = {name: value for name, value in headers.items() if name != "X-Request-Id"}
    if request_id is not None:
        headers["X-Request-Id"] = request_id
    callback = mmsdr.parse_request(headers, body, None)
    assert (callback.warnings, callback.details) == (warnings, RequestDetails(request_id=request_id))
    event = only_event(callback)
    # The header stays in raw as sent; the event has no field for it (retries need not repeat it).
    assert event.raw.getall("X-Request-Id") == (() if request_id is None else (request_id,))


def test_dedupe_key_retries_and_later_statuses() -> None:
    report = {"type": "REPORT", "mtId": "42", "date": "2014-07-16T19:20:30Z", "status": "Deferred", "outcomeId": 4}
    first = only_event(
        mmsdr.parse_request(
            {"Content-Type": "application/json", "X-Request-Id": "a"}, json.dumps(report).encode(), None
        )
    )
    retry = only_event(
        mmsdr.parse_request(
            {"Content-Type": "application/json", "X-Request-Id": "b"}, json.dumps(report).encode(), None
        )
    )
    later = {**report, "status": "Retrieved", "outcomeId": 1, "date": "2014-07-16T19:25:30Z"}
    second = only_event(mmsdr.parse_request({"Content-Type": "application/json"}, json.dumps(later).encode(), None))
    assert first.dedupe_key == retry.dedupe_key != second.dedupe_key
    mo_first = only_event(mmsdr.parse_request(*mo_request([]), None))
    mo_retry = only_event(mmsdr.parse_request(*mo_request([("Content-Type: text/plain", b"")]), None))
    assert mo_first.dedupe_key == mo_retry.dedupe_key


REPORT_ERRORS = [
    (
        b"{not json",
        "openmarket.mms_report: body is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
    ),
    (b'["REPORT"]', "openmarket.mms_report: body must be a JSON object, got list"),
    (b'{"type": "REPORT", "type": "MO"}', "openmarket.mms_report: body has the key 'type' more than once"),
    (b'{"type": "REPORT", "mtId": NaN}', "openmarket.mms_report: body is not valid JSON (NaN is not JSON)"),
    (
        b'{"type": "REPORT", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "openmarket.mms_report: body is nested too deeply",
    ),
    (
        b'{"type": "REPORT", "date": "2014-07-16T19:20:30Z", "status": "Rejected"}',
        "openmarket.mms_report: field 'mtId' is missing",
    ),
    (
        b'{"type": "REPORT", "mtId": 1.5e14, "date": "2014-07-16T19:20:30Z", "status": "Rejected"}',
        "openmarket.mms_report: field 'mtId' must be a string or an integer, got Decimal('1.5E+14')",
    ),
    (
        b'{"type": "REPORT", "mtId": "1", "date": "2014-07-16T19:20:30Z", "status": 3}',
        "openmarket.mms_report: field 'status' must be a string, got 3",
    ),
    (
        b'{"type": "REPORT", "mtId": "1", "date": "2014-07-16T19:20:30Z", "status": "Rejected", "outcomeId": "9"}',
        "openmarket.mms_report: field 'outcomeId' must be an integer, got '9'",
    ),
    (
        b'{"type": "REPORT", "mtId": true, "date": "2014-07-16T19:20:30Z", "status": "Rejected"}',
        "openmarket.mms_report: field 'mtId' must be a string or an integer, got True",
    ),
]


@pytest.mark.parametrize(("body", "message"), REPORT_ERRORS)
def test_report_errors(body: bytes, message: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        mmsdr.parse_request({"Content-Type": "application/json"}, body, None, formats="openmarket.mms_report")
    assert str(caught.value) == message
    assert (caught.value.status_hint, caught.value.format) == (400, "openmarket.mms_report")


READ_AT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
READ_NOW = "timestamp is the time the request was read"
OPENMARKET_FORM = "not a date of the form YYYY-MM-DDThh:mm:ssTZD"


def read_at() -> datetime:
    return READ_AT


# (date sent, None to leave it out; the timestamp; the callback's warnings): OpenMarket's date is "relative to
# UTC"; one that is missing or does not read never costs the report.
REPORT_DATES = [
    ("2014-07-16T19:20:30+02:00", datetime(2014, 7, 16, 17, 20, 30, tzinfo=UTC), ()),
    (
        "2014-07-16T19:20:30",
        datetime(2014, 7, 16, 19, 20, 30, tzinfo=UTC),
        ("field 'date' has no UTC offset: read in UTC",),
    ),
    ("yesterday", READ_AT, (f"field 'date' is not a valid date ({OPENMARKET_FORM}), got 'yesterday': {READ_NOW}",)),
    (
        "2014-07-16T25:20:30Z",
        READ_AT,
        (f"field 'date' is not a valid date (hour must be in 0..23), got '2014-07-16T25:20:30Z': {READ_NOW}",),
    ),
    (None, READ_AT, (f"field 'date' is missing: {READ_NOW}",)),
    ("", READ_AT, (f"field 'date' is empty: {READ_NOW}",)),
]


@pytest.mark.parametrize(("date", "timestamp", "warnings"), REPORT_DATES)
def test_report_dates(date: str | None, timestamp: datetime, warnings: tuple[str, ...]) -> None:
    body = report_body(date=date)
    callback = mmsdr.parse_request({"Content-Type": "application/json"}, body, None, clock=read_at)
    (event,) = callback.events
    assert (event.timestamp, callback.warnings) == (timestamp, warnings)
    assert event.raw.get("date") == date
    later = mmsdr.parse_request(
        {"Content-Type": "application/json"}, body, None, clock=lambda: datetime(2031, 1, 1, tzinfo=UTC)
    )
    assert later.events[0].dedupe_key == event.dedupe_key


def test_a_zone_given_to_the_parser_is_the_endpoints() -> None:
    body = report_body(date="2014-07-16T19:20:30")
    callback = mmsdr.Parser(formats="openmarket", default_zone="America/New_York").parse(
        {"Content-Type": "application/json"}, body
    )
    assert callback.events[0].timestamp == datetime(2014, 7, 16, 23, 20, 30, tzinfo=UTC)
    assert callback.warnings == ("field 'date' has no UTC offset: read in America/New_York",)


def test_an_mo_without_a_date_is_read() -> None:
    headers, body = mo_request(
        [("Content-Type: text/plain", b"hi")], main={key: value for key, value in MO_JSON.items() if key != "date"}
    )
    callback = mmsdr.parse_request(headers, body, None, clock=read_at)
    assert (callback.events[0].timestamp, callback.warnings) == (READ_AT, (f"field 'date' is missing: {READ_NOW}",))


# RFC 8259 8.1 wants UTF-8, json.loads also reads UTF-16/32 and a UTF-8 BOM: the body is read as json.loads
# reads bytes, whichever of them the sender picked (detection sniffs for UTF-8 "REPORT": the format is named).
REPORT_TEXT = (
    '{"type": "REPORT", "mtId": "1", "date": "2014-07-16T19:20:30Z", "status": "Rejected", "userAgent": "Ünï"}'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "utf-32-be"])
def test_report_body_in_any_json_encoding(encoding: str) -> None:
    body = REPORT_TEXT.encode(encoding)
    event = only_event(
        mmsdr.parse_request({"Content-Type": "application/json"}, body, None, formats="openmarket.mms_report")
    )
    assert isinstance(event, DeliveryReport)
    assert (event.message_id, event.details) == ("1", ReportDetails(user_agent="Ünï"))
    assert dict(event.raw) == {key: str(value) for key, value in json.loads(REPORT_TEXT).items()}


def test_report_duplicate_key_named_after_other_keys() -> None:
    body = b'{"type": "REPORT", "mtId": "1", "status": "a", "date": "x", "mtId": "2"}'
    with pytest.raises(MalformedRequestError, match="^openmarket.mms_report: body has the key 'mtId' more than once$"):
        mmsdr.parse_request({"Content-Type": "application/json"}, body, None)


MO_ERRORS = [
    (
        mo_request([], main=b"{oops"),
        "openmarket.mms_inbound: part 'main' is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
    ),
    (
        mo_request([], main={**MO_JSON, "type": "REPORT"}),
        "openmarket.mms_inbound: field 'type' must be 'MO' for this format, got 'REPORT'",
    ),
    (
        mo_request([], main={k: v for k, v in MO_JSON.items() if k != "source"}),
        "openmarket.mms_inbound: field 'source' is missing",
    ),
    (
        mo_request([], main={**MO_JSON, "destinations": [88600]}),
        "openmarket.mms_inbound: field 'destinations' must be a list of strings, got [88600]",
    ),
    (
        mo_request([], main={**MO_JSON, "mobileOperatorId": "77"}),
        "openmarket.mms_inbound: field 'mobileOperatorId' must be an integer, got '77'",
    ),
    (
        mo_request([], main={**MO_JSON, "moId": 12.0}),
        "openmarket.mms_inbound: field 'moId' must be a string or an integer, got Decimal('12.0')",
    ),
    (
        ({"Content-Type": "multipart/mixed; boundary=b"}, b"--b\r\nContent-Type: image/jpeg\r\n\r\nxx\r\n--b--\r\n"),
        "openmarket.mms_inbound: the JSON part (Content-Id: main) is missing",
    ),
]


@pytest.mark.parametrize(("request_parts", "message"), MO_ERRORS)
def test_mo_errors(request_parts: tuple[dict[str, str], bytes], message: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        mmsdr.parse_request(*request_parts, None)
    assert str(caught.value) == message
    assert caught.value.status_hint == 400


def test_big_json_is_refused_with_413() -> None:
    body = json.dumps({"type": "REPORT", "pad": "x" * 2_000_000}).encode()
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        mmsdr.parse_request({"Content-Type": "application/json"}, body, None)
    assert str(caught.value) == "openmarket.mms_report: body is larger than 1048576 bytes (Limits.max_json_bytes)"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["mo-documented.http", "report-rejected.http"]), st.data())
def test_mutated_requests_give_an_event_or_an_mmsdr_error(name: str, data: st.DataObject) -> None:
    raw = read_raw_request((DATA / name).read_bytes())
    body = bytearray(raw.body)
    for _ in range(data.draw(st.integers(1, 4))):
        body[data.draw(st.integers(0, len(body) - 1))] = data.draw(st.integers(0, 255))
    body = body[: data.draw(st.integers(0, len(body)))]
    with contextlib.suppress(mmsdr.MmsdrError):
        mmsdr.parse_request(raw.headers, bytes(body), None, method="POST")

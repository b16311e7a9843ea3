"""Twilio Messaging: status callbacks, inbound SMS/MMS, acknowledgements and X-Twilio-Signature."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from _support import count_comparisons, query_fixture
from hypothesis import given, settings
from hypothesis import strategies as st

import mmsdr
from mmsdr import (
    AuthenticationError,
    Callback,
    DeliveryReport,
    InboundMessage,
    MalformedRequestError,
    MmsdrError,
    Part,
    RawFields,
    ReadReport,
    Status,
)
from mmsdr.auth import BasicAuth
from mmsdr.testing import TestRequest, twilio_inbound, twilio_status
from mmsdr.twilio import InboundDetails, Signature, StatusDetails

FORM = [("Content-Type", "application/x-www-form-urlencoded")]
READ_AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
TIMES: dict[str, Any] = {"clock": lambda: READ_AT}
UTC_WARNING = "field 'RawDlrDoneDate' has no UTC offset: read in UTC"


def post(fields: str, **options: Any) -> Callback:
    """The fields posted as a form body, read with every format (detection) at READ_AT."""
    return mmsdr.parse_request(FORM, fields.encode("utf-8"), None, method="POST", **TIMES, **options)


def raw_of(fields: str) -> RawFields:
    return RawFields(parse_qsl(fields, keep_blank_values=True))


def key(format_name: str, *values: object) -> str:
    return mmsdr._format.make_dedupe_key(format_name, *values)


# --- status callbacks ------------------------------------------------------------------------------------------


def report(name: str, kind: type[DeliveryReport | ReadReport] = DeliveryReport, **fields: Any) -> Any:
    query = query_fixture("twilio", name)
    return kind(provider="twilio", format="twilio.status", raw=raw_of(query), **fields)


STATUS_CASES = [
    (
        "status-sent",
        report(
            "status-sent",
            timestamp=READ_AT,
            dedupe_key=key("twilio.status", "SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "sent", None, ""),
            message_id="SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            status=Status.FORWARDED,
            provider_status="sent",
            sender="+15017122661",
            details=StatusDetails(account_sid="ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        ),
        (),
    ),
    (
        "status-delivered",
        report(
            "status-delivered",
            timestamp=datetime(2026, 7, 17, 12, 6, tzinfo=UTC),
            dedupe_key=key("twilio.status", "SM55555555555555555555555555555555", "delivered", None, "2607171206"),
            message_id="SM55555555555555555555555555555555",
            status=Status.DELIVERED,
            provider_status="delivered",
            recipient="+15550000001",
            sender="+15550000002",
            details=StatusDetails(
                account_sid="AC00000000000000000000000000000000",
                raw_dlr_done_date=datetime(2026, 7, 17, 12, 6, tzinfo=UTC),
            ),
        ),
        (UTC_WARNING,),
    ),
    (
        "status-undelivered-filtered",
        report(
            "status-undelivered-filtered",
            timestamp=datetime(2026, 5, 20, 12, 0, tzinfo=UTC),
            dedupe_key=key("twilio.status", "SM11111111111111111111111111111111", "undelivered", "30007", "2605201200"),
            message_id="SM11111111111111111111111111111111",
            status=Status.REJECTED,  # 30007 Message filtered: a refusal
            provider_status="undelivered",
            provider_code="30007",
            recipient="+15558675310",
            sender="+15017122661",
            details=StatusDetails(
                account_sid="AC00000000000000000000000000000000",
                raw_dlr_done_date=datetime(2026, 5, 20, 12, 0, tzinfo=UTC),
                api_version="2010-04-01",
            ),
        ),
        (UTC_WARNING,),
    ),
    (
        "status-failed",
        report(
            "status-failed",
            timestamp=READ_AT,
            dedupe_key=key("twilio.status", "SM22222222222222222222222222222222", "failed", "30008", ""),
            message_id="SM22222222222222222222222222222222",
            status=Status.FAILED,  # 30008 Unknown error: not a refusal
            provider_status="failed",
            provider_code="30008",
            recipient="+15558675310",
            sender="+15017122661",
            details=StatusDetails(
                account_sid="AC00000000000000000000000000000000",
                messaging_service_sid="MG00000000000000000000000000000000",
            ),
        ),
        (),
    ),
    (
        "status-canceled",
        report(
            "status-canceled",
            timestamp=READ_AT,
            dedupe_key=key("twilio.status", "SM33333333333333333333333333333333", "canceled", None, ""),
            message_id="SM33333333333333333333333333333333",
            status=Status.CANCELLED,
            provider_status="canceled",
            recipient="+15558675310",
            sender="+15017122661",
            details=StatusDetails(account_sid="AC00000000000000000000000000000000"),
        ),
        (),
    ),
    (
        "status-read-whatsapp",
        report(
            "status-read-whatsapp",
            ReadReport,
            timestamp=READ_AT,
            dedupe_key=key("twilio.status", "SM44444444444444444444444444444444", "read", None, ""),
            message_id="SM44444444444444444444444444444444",
            status=Status.READ,
            provider_status="read",
            recipient="whatsapp:+15558675310",
            sender="whatsapp:+14155238886",
            details=StatusDetails(
                account_sid="AC00000000000000000000000000000000", event_type="READ", api_version="2010-04-01"
            ),
        ),
        (),
    ),
]


@pytest.mark.parametrize(("name", "expected", "warnings"), STATUS_CASES, ids=[case[0] for case in STATUS_CASES])
def test_documented_status_callbacks(name: str, expected: Any, warnings: tuple[str, ...]) -> None:
    fields = query_fixture("twilio", name)
    callback = post(fields)
    assert callback == Callback(provider="twilio", format="twilio.status", events=(expected,), warnings=warnings)
    # By GET, with the fields in the query string: the same callback.
    assert mmsdr.parse_request({}, b"", fields, method="GET", **TIMES) == callback
    assert mmsdr.acknowledge(callback) == mmsdr.Ack(status=200, headers=(("Content-Length", "0"),), body=b"")


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        ("accepted", None, Status.PENDING),
        ("scheduled", None, Status.PENDING),
        ("queued", None, Status.PENDING),
        ("sending", None, Status.PENDING),
        ("sent", None, Status.FORWARDED),
        ("delivered", None, Status.DELIVERED),
        ("undelivered", "30003", Status.FAILED),
        ("undelivered", "30005", Status.FAILED),
        ("undelivered", "30006", Status.FAILED),
        ("undelivered", "30007", Status.REJECTED),
        ("undelivered", "30004", Status.REJECTED),
        ("failed", "30001", Status.REJECTED),
        ("failed", "30002", Status.REJECTED),
        ("failed", "30010", Status.REJECTED),
        ("failed", "30019", Status.REJECTED),
        ("failed", "30032", Status.REJECTED),
        ("failed", "21610", Status.REJECTED),
        ("failed", "99999", Status.FAILED),  # a code the table does not know keeps the unrefined status
        ("failed", None, Status.FAILED),
        ("delivered", "30007", Status.DELIVERED),  # a code refines failures only
        ("read", None, Status.READ),
        ("canceled", None, Status.CANCELLED),
        ("Delivered", None, Status.DELIVERED),  # compared in lower case, kept as sent
        ("partially_delivered", None, Status.UNKNOWN),
        ("received", None, Status.UNKNOWN),
        ("something_new", None, Status.UNKNOWN),
    ],
)
def test_statuses(status: str, code: str | None, expected: Status) -> None:
    event = twilio_status(status=status, error_code=code).parse().events[0]
    assert isinstance(event, mmsdr.Report)
    assert (event.status, event.provider_status, event.provider_code) == (expected, status, code)
    assert isinstance(event, ReadReport if expected is Status.READ else DeliveryReport)


def test_dedupe_keys_tell_statuses_apart_and_retries_together() -> None:
    def event_key(**kwargs: Any) -> str:
        return twilio_status(**kwargs).parse().events[0].dedupe_key

    base = event_key()
    assert event_key() == base == event_key(method="GET")  # a retry, by either method
    assert event_key(sender="+1555") == base  # not part of what identifies the report
    others = [
        event_key(status="sent"),
        event_key(error_code="30003"),
        event_key(timestamp=datetime(2026, 7, 17, 12, 7, tzinfo=UTC)),
        event_key(message_id="SM" + "6" * 32),
    ]
    assert len({base, *others}) == 5
    # Read in another zone, the same report keeps its key: the done date as sent, not as read.
    assert twilio_status().parse(default_zone="America/New_York").events[0].dedupe_key == base
    # Never the time of reading.
    assert twilio_status(timestamp=None).parse(clock=lambda: READ_AT).events[0].dedupe_key == event_key(timestamp=None)


@pytest.mark.parametrize(
    ("done", "warning"),
    [
        ("2613171206", "field 'RawDlrDoneDate' is not a valid date (month must be in 1..12), got '2026-13-17 12:06'"),
        ("26071712", "field 'RawDlrDoneDate' is not a valid date (not a date of the form YYMMDDhhmm), got '26071712'"),
        ("soon", "field 'RawDlrDoneDate' is not a valid date (not a date of the form YYMMDDhhmm), got 'soon'"),
    ],
)
def test_an_unreadable_done_date_costs_a_warning_not_the_report(done: str, warning: str) -> None:
    callback = twilio_status(timestamp=done).parse(**TIMES)
    (event,) = callback.events
    assert callback.warnings == (f"{warning}: timestamp is the time the request was read",)
    assert isinstance(event.details, StatusDetails)
    assert (event.timestamp, event.details.raw_dlr_done_date) == (READ_AT, None)


def test_a_done_date_in_the_endpoint_s_zone() -> None:
    callback = twilio_status().parse(default_zone="America/New_York")
    assert callback.events[0].timestamp.isoformat() == "2026-07-17T12:06:00-04:00"
    assert callback.warnings == ("field 'RawDlrDoneDate' has no UTC offset: read in America/New_York",)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("MessageStatus=sent&AccountSid=AC1", "twilio.status: field 'MessageSid' is missing"),
        ("MessageSid=SM1&MessageStatus=", "twilio.status: field 'MessageStatus' is empty, got ''"),
        (
            "MessageSid=SM1&MessageSid=SM2&MessageStatus=sent",
            "twilio.status: field 'MessageSid' is repeated with different values, got ['SM1', 'SM2']",
        ),
    ],
)
def test_status_callback_refusals(fields: str, message: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        mmsdr.parse_request(FORM, fields.encode(), None, method="POST", formats="twilio.status")
    assert (str(caught.value), caught.value.ack.status) == (message, 400)


def test_error_message_is_the_status_text_and_retry_is_a_503() -> None:
    callback = post("MessageSid=SM1&MessageStatus=failed&ErrorCode=30008&ErrorMessage=Unknown+error&EventType=X")
    (event,) = callback.events
    assert isinstance(event, DeliveryReport)
    assert isinstance(event.details, StatusDetails)
    assert (event.status_text, event.provider_code, event.details.event_type) == ("Unknown error", "30008", "X")
    assert mmsdr.acknowledge(callback, retry=True).status == 503
    inbound_callback = twilio_inbound().parse()
    assert mmsdr.acknowledge(inbound_callback, retry=True).status == 503


def test_a_status_callback_without_account_from_or_api_version_parses() -> None:
    (event,) = post("MessageSid=SM1&MessageStatus=delivered").events
    assert isinstance(event, DeliveryReport)
    assert (event.message_id, event.status, event.recipient, event.sender) == ("SM1", Status.DELIVERED, None, None)


def test_the_id_is_message_sid_even_where_sms_sid_differs() -> None:
    (event,) = post("MessageSid=SM1&SmsSid=SM2&MessageStatus=sent&SmsStatus=sent").events
    assert event.message_id == "SM1"  # type: ignore[attr-defined]


def test_a_post_s_fields_come_from_its_body_not_the_configured_url() -> None:
    body = query_fixture("twilio", "status-sent").encode()
    callback = mmsdr.parse_request(FORM, body, "tenant=7&MessageStatus=delivered", method="POST", **TIMES)
    (event,) = callback.events
    assert (event.provider_status, "tenant" in event.raw) == ("sent", False)  # type: ignore[attr-defined]
    assert callback == post(body.decode())


# --- inbound messages ------------------------------------------------------------------------------------------

CAPTURED_MEDIA = (
    "https://api.twilio.com/2010-04-01/Accounts/ACee62fed677d382600b621e6f24de9bb0/Messages/"
    "MM0fe83458b74a1f626eb0da4685ab28b5/Media/ME2964"
)


def inbound(name: str, **fields: Any) -> InboundMessage:
    query = query_fixture("twilio", name)
    return InboundMessage(
        provider="twilio",
        format="twilio.inbound",
        raw=raw_of(query),
        timestamp=READ_AT,
        dedupe_key=key("twilio.inbound", fields["message_id"]),
        **fields,
    )


INBOUND_CASES = [
    (
        "inbound-mms-captured",
        inbound(
            "inbound-mms-captured",
            message_id="MM0fe83458b74a1f626eb0da4685ab28b5",
            channel="mms",
            sender="+19105563874",
            recipients=("+15869913930",),
            text=None,
            parts=(Part(content_type="image/jpeg", url=CAPTURED_MEDIA),),
            details=InboundDetails(
                account_sid="ACee62fed677d382600b621e6f24de9bb0",
                num_segments=1,
                num_media=1,
                from_city="VASS",
                from_state="NC",
                from_zip="28394",
                from_country="US",
                to_city="UTICA",
                to_state="MI",
                to_zip="48316",
                to_country="US",
                api_version="2010-04-01",
            ),
        ),
    ),
    (
        "inbound-sms-stop",
        inbound(
            "inbound-sms-stop",
            message_id="SM66666666666666666666666666666666",
            channel="sms",
            sender="+14155552671",
            recipients=("+15558675310",),
            text="STOP",
            details=InboundDetails(
                account_sid="AC00000000000000000000000000000000",
                messaging_service_sid="MG00000000000000000000000000000000",
                num_segments=1,
                num_media=0,
                opt_out_type="STOP",
                from_city="SAN FRANCISCO",
                from_state="CA",
                from_country="US",
                to_state="CA",
                to_country="US",
                api_version="2010-04-01",
            ),
        ),
    ),
    (
        "inbound-whatsapp-media",
        inbound(
            "inbound-whatsapp-media",
            message_id="MM77777777777777777777777777777777",
            channel="mms",
            sender="whatsapp:+5511999999999",
            recipients=("whatsapp:+14155238886",),
            text="two photos\nattached ",  # exactly as sent
            parts=(
                Part(content_type="image/jpeg", url="https://api.twilio.com/Media/ME1"),
                Part(content_type="image/png", url="https://api.twilio.com/Media/ME2"),
            ),
            details=InboundDetails(
                account_sid="AC00000000000000000000000000000000",
                num_segments=1,
                num_media=2,
                api_version="2010-04-01",
            ),
        ),
    ),
]

TWIML = mmsdr.Ack(
    status=200,
    headers=(("Content-Type", "text/xml"), ("Content-Length", "49")),
    body=b'<?xml version="1.0" encoding="UTF-8"?><Response/>',
)


@pytest.mark.parametrize(("name", "expected"), INBOUND_CASES, ids=[case[0] for case in INBOUND_CASES])
def test_documented_inbound_messages(name: str, expected: InboundMessage) -> None:
    fields = query_fixture("twilio", name)
    callback = post(fields)
    assert callback == Callback(provider="twilio", format="twilio.inbound", events=(expected,))
    assert mmsdr.parse_request({}, b"", fields, method="GET", **TIMES) == callback
    assert mmsdr.acknowledge(callback) == TWIML


@pytest.mark.parametrize(
    ("media", "num_media", "expected_urls", "warnings"),
    [
        ([("0", "u0"), ("2", "u2")], "2", ["u0", "u2"], []),  # a gap: every medium that came, in order
        ([("0", "u0"), ("2", "u2")], "3", ["u0", "u2"], ["field 'NumMedia' says 3 media, but 2 came with a URL"]),
        ([("1", "u1"), ("0", "u0")], "2", ["u0", "u1"], []),  # in the order of N, whatever the order sent
        ([("0", "u0")], "999999999", ["u0"], ["field 'NumMedia' says 999999999 media, but 1 came with a URL"]),
        (
            [("0", "u0")],
            "lots",
            ["u0"],
            ["field 'NumMedia' is not a number of media, got 'lots': the media are those sent"],
        ),
        (
            [("0", "")],
            "1",
            [],
            [
                "field 'MediaUrl0' is empty: that medium is left out",
                "field 'NumMedia' says 1 media, but 0 came with a URL",
            ],
        ),
        ([("01", "u")], "0", [], []),  # not a media index: kept in raw only
        ([("0", "u0"), ("0", "u0")], "1", ["u0"], []),  # repeated with the same value
    ],
)
def test_media_as_sent(
    media: list[tuple[str, str]], num_media: str, expected_urls: list[str], warnings: list[str]
) -> None:
    fields = [("MessageSid", "MM1"), ("AccountSid", "AC1"), ("From", "+1"), ("To", "+2"), ("NumMedia", num_media)]
    fields += [(f"MediaUrl{index}", url) for index, url in media]
    callback = post(urlencode(fields))
    (event,) = callback.events
    assert isinstance(event, InboundMessage)
    assert [part.url for part in event.parts] == expected_urls
    assert all(part.content_type == "application/octet-stream" for part in event.parts)  # no MediaContentTypeN
    assert list(callback.warnings) == warnings
    assert event.raw.getall("MediaUrl01") == tuple(url for index, url in media if index == "01")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("MessageSid=MM1&AccountSid=AC1&From=", "twilio.inbound: field 'From' is empty, got ''"),
        ("SmsMessageSid=MM1&AccountSid=AC1&From=%2B1", "twilio.inbound: field 'MessageSid' is missing"),
    ],
)
def test_inbound_refusals(fields: str, message: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        mmsdr.parse_request(FORM, fields.encode(), None, method="POST", formats="twilio.inbound")
    assert str(caught.value) == message


def test_an_inbound_message_without_to_keeps_its_message() -> None:
    callback = post("MessageSid=SM1&AccountSid=AC1&From=%2B1&Body=hi")
    assert callback.warnings == ("field 'To' is missing: the message has no recipient",)
    assert callback.events[0].recipients == ()  # type: ignore[attr-defined]


# --- detection -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in mmsdr.FORMATS if not name.startswith("twilio.")])
def test_twilio_takes_no_other_provider_s_request(name: str) -> None:
    request = mmsdr.testing.BUILDERS[name]()
    read = mmsdr._request.read_request(
        request.headers, request.body, request.query, limits=mmsdr.Limits(), method=request.method
    )
    assert [fmt.matches(read) for fmt in mmsdr.twilio.FORMATS] == [False, False]


def test_a_twilio_json_body_is_refused() -> None:
    with pytest.raises(mmsdr.UnsupportedFormatError):
        mmsdr.parse_request([("Content-Type", "application/json")], b'{"MessageSid": "SM1"}', None, method="POST")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "MessageSid",
                    "MessageStatus",
                    "AccountSid",
                    "From",
                    "To",
                    "Body",
                    "NumMedia",
                    "MediaUrl0",
                    "MediaUrl1",
                    "MediaContentType0",
                    "ErrorCode",
                    "RawDlrDoneDate",
                    "NumSegments",
                    "EventType",
                ]
            )
            | st.text(max_size=12),
            st.text(max_size=20) | st.sampled_from(["delivered", "read", "30007", "2607171206", "1", "+1"]),
        ),
        max_size=20,
    ),
    st.sampled_from([None, "twilio", "twilio.status", "twilio.inbound"]),
)
def test_any_form_body_gives_a_callback_or_an_mmsdr_error(fields: list[tuple[str, str]], formats: str | None) -> None:
    body = urlencode(fields).encode("utf-8", "surrogatepass")
    try:
        callback = mmsdr.parse_request(FORM, body, None, method="POST", formats=formats)
    except MmsdrError:
        return
    assert isinstance(callback, Callback)
    assert callback.events


# --- X-Twilio-Signature: the published vectors (Twilio's Python SDK, RequestValidator tests) --------------------

TOKEN = "12345"  # noqa: S105 - the published vectors' token
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
    ("Caller", "+14158675309"),
]
MULTI = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
JSON_BODY = b'{"property": "value", "boolean": true}'
BODY_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"

# (case, url, content type, body, signature)
VECTORS = [
    ("basic", URL, "form", urlencode(PARAMS).encode(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    ("adds port on https", URL, "form", urlencode(PARAMS).encode(), "kvajT1Ptam85bY51eRf/AJRuM3w="),
    (
        "port 1234 on http",
        URL.replace(".com", ".com:1234").replace("https", "http"),
        "form",
        urlencode(PARAMS).encode(),
        "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=",
    ),
    (
        "adds port on http",
        URL.replace("https", "http"),
        "form",
        urlencode(PARAMS).encode(),
        "0ZXoZLH/DfblKGATFgpif+LLRf4=",
    ),
    ("repeated values", URL, "form", urlencode(MULTI).encode(), "IK+Dwps556ElfBT0I3Rgjkr1wJU="),
    ("bodySHA256", f"{URL}&bodySHA256={BODY_HASH}", "json", JSON_BODY, "a9nBmqA0ju/hNViExpshrM61xv4="),
    # The SDK's test that removes a port that is not the default: the signature of the URL without it.
    (
        "removes port on https",
        URL.replace(".com", ".com:1234"),
        "form",
        urlencode(PARAMS).encode(),
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
    ),
]
CONTENT_TYPES = {"form": "application/x-www-form-urlencoded", "json": "application/json"}


def check(url: str | None, content_type: str, body: bytes, signature: str | None, token: Any = TOKEN) -> str | None:
    """None when the request passes ``Signature(token)``, else the refusal."""
    headers = [("Content-Type", CONTENT_TYPES[content_type])]
    if signature is not None:
        headers.append(("X-Twilio-Signature", signature))
    request = mmsdr._request.read_request(headers, body, None, limits=mmsdr.Limits(), method="POST", url=url)
    try:
        Signature(token).authenticate(request)
    except AuthenticationError as error:
        return f"{error.status_hint} {error}"
    return None


def test_the_sdk_hashes_the_json_body_as_published() -> None:
    assert hashlib.sha256(JSON_BODY).hexdigest() == BODY_HASH


@pytest.mark.parametrize(("case", "url", "kind", "body", "signature"), VECTORS, ids=[v[0] for v in VECTORS])
def test_the_published_vectors_pass(case: str, url: str, kind: str, body: bytes, signature: str) -> None:
    assert check(url, kind, body, signature) is None


def one_byte_changed(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 1]) + data[position + 1 :]


MISMATCH = "401 request: the X-Twilio-Signature signature does not match the url and parameters"


@pytest.mark.parametrize(("case", "url", "kind", "body", "signature"), VECTORS, ids=[v[0] for v in VECTORS])
def test_the_published_vectors_fail_after_any_one_byte_changes(
    case: str, url: str, kind: str, body: bytes, signature: str
) -> None:
    # Every byte of the path and query, one at a time (the scheme, host and port are covered below).
    start = url.index("/", len("https://"))
    for position in range(start, len(url)):
        changed = one_byte_changed(url.encode(), position).decode()
        assert check(changed, kind, body, signature) is not None, (case, changed)
    assert check(url.replace("mycompany", "mycompanx"), kind, body, signature) == MISMATCH
    assert check(url.replace("http", "htpp", 1), kind, body, signature) is not None
    if kind == "form":  # every byte of every parameter's value and name
        for index, (name, value) in enumerate(parse_qsl(body.decode())):
            fields = parse_qsl(body.decode())
            for position in range(len(value)):
                fields[index] = (name, one_byte_changed(value.encode(), position).decode())
                assert check(url, kind, urlencode(fields).encode(), signature) == MISMATCH, (case, fields)
            fields[index] = (name + "x", value)
            assert check(url, kind, urlencode(fields).encode(), signature) == MISMATCH
    else:
        assert check(url, kind, JSON_BODY + b" ", signature) == (
            "401 request: the body's SHA-256 is not the url's bodySHA256"
        )
    for position in range(len(TOKEN)):
        token = one_byte_changed(TOKEN.encode(), position).decode()
        assert check(url, kind, body, signature, token) == MISMATCH
    for position in range(len(signature) - 1):  # the last character carries padding bits
        changed = one_byte_changed(signature.encode(), position).decode()
        assert check(url, kind, body, changed) is not None


@pytest.mark.parametrize(
    ("url", "signature", "expected"),
    [
        (
            None,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
            (
                "401 request: no url to check the Twilio signature against; pass parse(..., url=...) with the URL "
                "Twilio called (public_url in the adapters)"
            ),
        ),
        (URL, None, "401 request: the X-Twilio-Signature header is missing; the endpoint checks signatures"),
        (
            "/myapp.php?foo=1&bar=2",
            "x",
            ("401 request: the url must be the absolute http(s) URL Twilio called, got '/myapp.php?foo=1&bar=2'"),
        ),
        ("https://mycompany.com:99999/", "x", "401 request: the url is not a URL (Port out of range 0-65535)"),
    ],
)
def test_what_the_check_cannot_do_without(url: str | None, signature: str | None, expected: str) -> None:
    assert check(url, "form", urlencode(PARAMS).encode(), signature) == expected


def test_every_body_sha256_in_the_url_must_match() -> None:
    # A GET may carry bodySHA256 twice (reported against Twilio's PHP SDK): each copy must be the body's.
    twice = f"{URL}&bodySHA256={BODY_HASH}&bodySHA256={'0' * 64}"
    assert check(twice, "json", JSON_BODY, "x") == "401 request: the body's SHA-256 is not the url's bodySHA256"
    upper = f"{URL}&bodySHA256={BODY_HASH.upper()}"
    signature = base64.b64encode(hmac.new(TOKEN.encode(), upper.encode(), hashlib.sha1).digest()).decode()
    assert check(upper, "json", JSON_BODY, signature) is None  # hex digits in either case


def test_several_tokens_are_each_compared_for_both_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = count_comparisons(monkeypatch)
    assert check(URL, "form", urlencode(PARAMS).encode(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", ["other", TOKEN]) is None
    assert len(compared) == 4  # 2 tokens x the URL with and without its port, whichever matched


def test_a_get_signs_the_url_alone() -> None:
    url = "https://example.com/twilio?MessageSid=SM1&MessageStatus=sent"
    signature = base64.b64encode(hmac.new(b"tok", url.encode(), hashlib.sha1).digest()).decode()
    headers = [("X-Twilio-Signature", signature)]
    callback = mmsdr.parse_request(
        headers, b"", url.partition("?")[2], method="GET", url=url, auth=Signature("tok"), formats="twilio"
    )
    assert callback.events[0].message_id == "SM1"  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["twilio.status", "twilio.inbound"])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_signed_builder_requests_pass_and_fail_once_changed(name: str, method: str) -> None:
    auth = Signature(["old", "new"])
    built = mmsdr.testing.BUILDERS[name](method=method, auth_token="old")
    assert built.signed(Signature("old")) == built
    assert built.parse(auth=auth).events
    assert mmsdr.testing.request_for(built.parse(**TIMES).events[0], auth=Signature("new")).parse(auth=auth).events
    with pytest.raises(AuthenticationError, match="does not match"):
        built.parse(auth=Signature("other"))
    moved = dataclasses.replace(built, headers=(("Host", "elsewhere.example.com"), *built.headers[1:]))
    with pytest.raises(AuthenticationError, match="does not match"):
        moved.parse(auth=auth)  # another URL


def test_the_signature_never_shows_a_token() -> None:
    assert repr(Signature(["a", "b"])) == "Signature(<2 secret(s)>, tolerance=300)"


def test_another_header_name_for_compatible_providers() -> None:
    auth = Signature("tok", header="X-SignalWire-Signature")
    signed = twilio_status().signed(auth)
    assert [name for name, _ in signed.headers][-1] == "X-SignalWire-Signature"
    assert signed.parse(auth=auth).events


def test_basic_auth_on_a_twilio_endpoint_asks_for_credentials() -> None:
    # Twilio sends the credentials of its webhook URL only after a 401 with a challenge ("Webhooks security").
    auth = BasicAuth({"twilio": "s3cret"}, realm="twilio")
    with pytest.raises(AuthenticationError) as caught:
        twilio_inbound().parse(formats="twilio", auth=auth)
    ack = caught.value.ack
    assert (ack.status, ack.headers[-1]) == (401, ("WWW-Authenticate", 'Basic realm="twilio", charset="UTF-8"'))
    assert twilio_inbound().signed(auth).parse(formats="twilio", auth=auth).events


def test_builders_sign_their_url() -> None:
    request: TestRequest = twilio_status(auth_token="tok", path="/hook?tenant=7")
    assert request.url == "https://callbacks.example.com/hook?tenant=7"
    message = request.url.encode() + b"".join(
        name.encode() + value.encode() for name, value in sorted(parse_qsl(request.body.decode()))
    )
    expected = base64.b64encode(hmac.new(b"tok", message, hashlib.sha1).digest()).decode()
    assert request.headers[-1] == ("X-Twilio-Signature", expected)

"""Sinch SMS REST API ("XMS") callbacks: every documented kind, statuses, keys, acks, refusals, the signature."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from _support import DATA, only_event, without_key, without_keys

import mmsdr
from mmsdr import Status, sinch, testing
from mmsdr._request import read_request
from mmsdr.auth import SignatureCheck

if TYPE_CHECKING:
    from mmsdr._request import Request

JSON = {"Content-Type": "application/json"}
READ_AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (DATA / "sinch-rest" / name).read_bytes()


def parse(body: bytes, **options: object) -> mmsdr.Callback:
    return mmsdr.parse_request(JSON, body, method="POST", clock=lambda: READ_AT, **options)  # type: ignore[arg-type]


def reports(callback: mmsdr.Callback) -> list[mmsdr.DeliveryReport]:
    assert all(isinstance(event, mmsdr.DeliveryReport) for event in callback.events)
    return [event for event in callback.events if isinstance(event, mmsdr.DeliveryReport)]


def raw_of(body: bytes) -> mmsdr.RawFields:
    return parse(body).events[0].raw


def test_the_recipient_report_of_the_java_sdk_fixture() -> None:
    body = fixture("recipient-mms-dispatched.json")
    callback = parse(body)
    assert (callback.format, callback.warnings) == ("sinch.recipient_delivery_report", ())
    assert without_key(only_event(callback)) == mmsdr.DeliveryReport(
        provider="sinch",
        format="sinch.recipient_delivery_report",
        timestamp=datetime(2022, 8, 30, 8, 16, 8, 930000, tzinfo=UTC),
        dedupe_key="",
        raw=raw_of(body),
        message_id="01FC66621XXXXX119Z8PMV1QPQ",
        status=Status.FORWARDED,
        provider_status="Dispatched",
        provider_code="401",
        recipient="+44231235674",
        details=sinch.ReportDetails(
            kind="recipient_delivery_report_mms",
            client_reference="client reference",
            operator="operator",
            applied_originator="applied originator",
            encoding="encoding",
            message_parts=123,
            operator_status_at=datetime(2022, 8, 30, 8, 16, 8, 150000, tzinfo=UTC),
        ),
    )
    assert only_event(callback).raw["code"] == "401"  # unknown and known fields alike, as sent


def test_an_aborted_report_is_refined_by_its_code() -> None:
    event = only_event(parse(fixture("recipient-sms-aborted.json")), mmsdr.DeliveryReport)
    # 412 "Unprovisioned region": the provider refused it.
    assert (event.status, event.provider_status, event.provider_code) == (Status.REJECTED, "Aborted", "412")
    assert event.timestamp == datetime(2024, 6, 6, 8, 17, 15, 603000, tzinfo=UTC)


def test_a_full_batch_report_is_one_event_per_recipient() -> None:
    body = fixture("batch-sms-full.json")
    callback = parse(body)
    assert (callback.format, callback.warnings) == ("sinch.delivery_report", ())
    details = sinch.BatchReportDetails(
        kind="delivery_report_sms", client_reference="client-ref", total_message_count=2, count=2
    )
    common = {"code": "0", "count": "2", "status": "Delivered"}
    expected = [
        mmsdr.DeliveryReport(
            provider="sinch",
            format="sinch.delivery_report",
            timestamp=READ_AT,  # a batch report carries no time: the time it was read, as documented
            dedupe_key="",
            raw=mmsdr.RawFields(
                [
                    ("batch_id", "01W4FFL35P4NC4K35SMSBATCH8"),
                    ("client_reference", "client-ref"),
                    ("total_message_count", "2"),
                    ("type", "delivery_report_sms"),
                    *((f"statuses.{name}", value) for name, value in common.items()),
                    ("statuses.recipients", recipient),
                ]
            ),
            message_id="01W4FFL35P4NC4K35SMSBATCH8",
            status=Status.DELIVERED,
            provider_status="Delivered",
            provider_code="0",
            recipient=recipient,
            details=details,
        )
        for recipient in ("12017777777", "33612345678")
    ]
    assert list(without_keys(callback).events) == expected
    keys = [event.dedupe_key for event in callback.events]
    assert len(set(keys)) == 2
    assert [event.dedupe_key for event in parse(body).events] == keys  # the same callback again


def test_a_summary_batch_report_is_one_event_with_the_counts() -> None:
    callback = parse(fixture("batch-sms-summary.json"))
    event = only_event(callback, mmsdr.DeliveryReport)
    assert (event.recipient, event.status, event.provider_status, event.provider_code) == (
        None,
        Status.DELIVERED,
        "Delivered",
        "0",
    )
    assert event.details == sinch.BatchReportDetails(
        kind="delivery_report_sms",
        client_reference="a client reference",
        total_message_count=1,
        counts=(sinch.StatusCount(status="Delivered", code="0", count=1),),
    )
    assert event.raw["statuses"] == '[{"code": 0, "count": 1, "status": "Delivered"}]'


def test_a_summary_of_several_statuses_is_unknown_with_every_count() -> None:
    request = testing.sinch_delivery_report(statuses=[("Delivered", 0, 3), ("Aborted", 406, 1)], client_reference=None)
    event = only_event(request.parse(), mmsdr.DeliveryReport)
    assert (event.status, event.provider_status, event.provider_code) == (Status.UNKNOWN, "Delivered,Aborted", "0,406")
    assert event.details == sinch.BatchReportDetails(
        kind="delivery_report_sms",
        total_message_count=4,
        counts=(
            sinch.StatusCount(status="Delivered", code="0", count=3),
            sinch.StatusCount(status="Aborted", code="406", count=1),
        ),
    )


def test_a_mixed_batch_lists_its_recipients_and_counts_the_rest() -> None:
    request = testing.sinch_delivery_report(statuses=[("Delivered", 0, ("1", "2")), ("Queued", 400, 5)], channel="mms")
    events = reports(request.parse())
    assert [(event.recipient, event.status) for event in events] == [
        ("1", Status.DELIVERED),
        ("2", Status.DELIVERED),
        (None, Status.PENDING),
    ]
    assert len({event.dedupe_key for event in events}) == 3


def test_a_recipient_listed_twice_gives_two_events_with_two_keys() -> None:
    request = testing.sinch_delivery_report(statuses=[("Delivered", 0, ("1", "1"))])
    first = reports(request.parse())
    assert [event.recipient for event in first] == ["1", "1"]
    assert len({event.dedupe_key for event in first}) == 2
    assert [event.dedupe_key for event in request.parse().events] == [event.dedupe_key for event in first]


def test_n_listed_recipients_give_n_different_keys() -> None:
    recipients = tuple(f"4470000{index:05d}" for index in range(1000))
    events = reports(testing.sinch_delivery_report(statuses=[("Delivered", 0, recipients)]).parse())
    assert [event.recipient for event in events] == list(recipients)
    assert len({event.dedupe_key for event in events}) == 1000


def test_the_status_and_the_code_are_part_of_a_reports_key() -> None:
    def key(**kwargs: object) -> str:
        return only_event(testing.sinch_recipient_delivery_report(**kwargs).parse()).dedupe_key  # type: ignore[arg-type]

    base = key()
    assert key() == base
    assert key(status="Failed") != base
    assert key(code=401) != base
    assert key(timestamp=datetime(2024, 6, 6, 8, 17, 20, tzinfo=UTC)) != base
    assert key(channel="mms") != base
    assert key(client_reference="other") == base  # not what identifies the report


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        ("Queued", 400, Status.PENDING),
        ("Dispatched", 401, Status.FORWARDED),
        ("Delivered", 0, Status.DELIVERED),
        ("DELIVERED", 0, Status.DELIVERED),  # the Python SDK's spelling
        ("delivered", 0, Status.DELIVERED),
        ("Failed", 0, Status.FAILED),
        ("Rejected", 0, Status.REJECTED),
        ("Aborted", 402, Status.REJECTED),
        ("Aborted", 404, Status.FAILED),
        ("Aborted", 406, Status.EXPIRED),
        ("Aborted", 408, Status.REJECTED),
        ("Aborted", 413, Status.REJECTED),
        ("Aborted", 405, Status.FAILED),  # a code the table does not refine keeps the status
        ("Failed", 415, Status.REJECTED),
        ("Failed", 417, Status.FAILED),
        ("Cancelled", 407, Status.CANCELLED),
        ("Deleted", 0, Status.FAILED),  # deleted by the SMSC: not a read report's "deleted"
        ("Expired", 0, Status.EXPIRED),
        ("Unknown", 0, Status.INDETERMINATE),
        ("Sent", 0, Status.UNKNOWN),
    ],
)
def test_statuses_and_codes(status: str, code: int, expected: Status) -> None:
    event = only_event(testing.sinch_recipient_delivery_report(status=status, code=code).parse(), mmsdr.DeliveryReport)
    assert (event.status, event.provider_status, event.provider_code) == (expected, status, str(code))


def test_a_report_without_at_is_read_now_with_a_warning() -> None:
    callback = parse(testing.sinch_recipient_delivery_report(timestamp=None, code=None).body)
    event = only_event(callback, mmsdr.DeliveryReport)
    assert (event.timestamp, event.provider_code) == (READ_AT, None)
    assert callback.warnings == ("field 'at' is missing: timestamp is the time the request was read",)


def test_an_inbound_text() -> None:
    body = fixture("mo-text.json")
    callback = parse(body)
    assert (callback.format, callback.warnings) == ("sinch.inbound", ())
    assert without_key(only_event(callback)) == mmsdr.InboundMessage(
        provider="sinch",
        format="sinch.inbound",
        timestamp=datetime(2024, 6, 6, 7, 52, 37, 386000, tzinfo=UTC),
        dedupe_key="",
        raw=raw_of(body),
        message_id="01W4FFL35P4NC4K35SMSBATCH8",
        channel="sms",
        sender="12015555555",
        recipients=("12017777777",),
        text="Hello John! \N{WAVING HAND SIGN}",
        details=sinch.InboundDetails(kind="mo_text", operator_id="311071"),
    )


def test_an_inbound_mms_has_its_media_by_url() -> None:
    body = fixture("mo-media.json")
    event = only_event(parse(body), mmsdr.InboundMessage)
    assert without_key(event) == mmsdr.InboundMessage(
        provider="sinch",
        format="sinch.inbound",
        timestamp=datetime(2019, 8, 24, 14, 17, 22, tzinfo=UTC),
        dedupe_key="",
        raw=raw_of(body),
        message_id="01FC66621XXXXX119Z8PMV1QPA",
        channel="mms",
        sender="+11203494390",
        recipients=("11203453453",),
        subject="mmy subject",
        text="my message",
        parts=(mmsdr.Part(content_type="content/type", url="https://foo.url"),),
        details=sinch.InboundDetails(
            kind="mo_media",
            operator_id="35000",
            client_reference="a client reference",
            sent_at=datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC),
            media=(
                sinch.MediaItem(url="https://foo.url", content_type="content/type", status="a status", code="1234"),
            ),
        ),
    )


def test_a_failed_media_upload_is_in_details_not_in_parts() -> None:
    body = (
        b'{"type":"mo_media","id":"m1","from":"1","to":"2","received_at":"2019-08-24T14:17:22Z",'
        b'"body":{"media":[{"content_type":"image/jpeg","status":"Failed","code":2}]}}'
    )
    event = only_event(parse(body), mmsdr.InboundMessage)
    assert event.parts == ()
    assert event.details == sinch.InboundDetails(
        kind="mo_media", media=(sinch.MediaItem(url=None, content_type="image/jpeg", status="Failed", code="2"),)
    )


def test_an_inbound_binary_sms() -> None:
    event = only_event(testing.sinch_inbound(kind="mo_binary", data=b"\x00\xff").parse(), mmsdr.InboundMessage)
    assert (event.text, event.parts) == (None, (mmsdr.Part(content_type="application/octet-stream", data=b"\x00\xff"),))
    assert event.details == sinch.InboundDetails(
        kind="mo_binary", operator_id="311071", udh=bytes.fromhex("050003010201")
    )


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        ('"body":"not base64!"', "field 'body' of mo_binary is not base64: left out of parts (it is in raw)"),
        ('"body":"AA==","udh":"zz"', "field 'udh' is not hexadecimal: left out of details (it is in raw)"),
    ],
)
def test_an_unreadable_binary_body_or_udh_costs_a_warning(body: str, warning: str) -> None:
    data = '{"type":"mo_binary","id":"b1","from":"1","to":"2","received_at":"2019-08-24T14:17:22Z",' + body + "}"
    callback = parse(data.encode())
    assert callback.warnings == (warning,)
    assert only_event(callback).raw["body"] == body.split('"')[3]


def test_an_inbound_without_body_still_gives_its_message() -> None:
    callback = parse(b'{"type":"mo_text","id":"t1","from":"1","to":"2","received_at":"2019-08-24T14:17:22Z"}')
    assert only_event(callback, mmsdr.InboundMessage).text is None
    assert callback.warnings == ()


@pytest.mark.parametrize(
    ("formats", "body", "error", "message"),
    [
        (None, b"", mmsdr.UnsupportedFormatError, "request: no accepted format matches (content type "),
        (None, b'{"batch_id":"x"}', mmsdr.UnsupportedFormatError, "request: no accepted format matches ("),
        ("sinch.delivery_report", b"", mmsdr.MalformedRequestError, "sinch.delivery_report: body is not valid JSON ("),
        (
            "sinch.delivery_report",
            b'{"batch_id":"x"}',
            mmsdr.MalformedRequestError,
            "sinch.delivery_report: field 'type' is missing",
        ),
        (
            "sinch.inbound",
            b'{"type":"mo_fax"}',
            mmsdr.MalformedRequestError,
            "sinch.inbound: field 'type' must be one of mo_binary, mo_media, mo_text, got 'mo_fax'",
        ),
        (
            "sinch.recipient_delivery_report",
            b'{"type":"recipient_delivery_report_sms","batch_id":"b","status":"Delivered"}',
            mmsdr.MalformedRequestError,
            "sinch.recipient_delivery_report: field 'recipient' is missing",
        ),
        (
            "sinch.delivery_report",
            b'{"type":"delivery_report_sms","batch_id":"b","statuses":{}}',
            mmsdr.MalformedRequestError,
            "sinch.delivery_report: field 'statuses' must be a JSON array, got {}",
        ),
    ],
)
def test_refusals_are_4xx(formats: str | None, body: bytes, error: type[mmsdr.MmsdrError], message: str) -> None:
    with pytest.raises(error) as caught:
        parse(body, formats=formats)
    assert caught.value.message.startswith(message), caught.value.message
    assert 400 <= caught.value.ack.status < 500  # Sinch does not retry other 4xx than 429


def test_acknowledgements() -> None:
    for name, builder in testing.BUILDERS.items():
        if name.startswith("sinch."):
            callback = builder().parse()
            assert mmsdr.acknowledge(callback) == mmsdr.Ack(status=200, headers=(("Content-Length", "0"),), body=b"")
            # Sinch retries 5xx (and 429), up to about 22 h 45 min.
            assert mmsdr.acknowledge(callback, retry=True).status == 503


# --- the signature ------------------------------------------------------------------------------------------------

# The published vector (Sinch Python SDK, conversation "sinch events" unit test: the same scheme as SMS).
VECTOR_SECRET = "foo_secret1234"  # noqa: S105 - the published test secret
VECTOR_NONCE = "01FJA8B4A7BM43YGWSG9GBV067"
VECTOR_TIME = "1634579353"
VECTOR_BODY = (
    b'{"app_id":"01EB37HMH1M6SV18BSNS3G135H","accepted_time":"2020-11-17T15:09:11.659Z",'
    b'"project_id":"c36f3d3d-1513-2edd-ae42-11995557ff61","message_delivery_report":{"message_id":'
    b'"01EQBC1A3BEK731GY4YXEN0C2R","conversation_id":"01EPYATA64TMNZ1FV02JKF12JF","status":"QUEUED_ON_CHANNEL",'
    b'"contact_id":"01EXA07N79THJ20WSN6AS30TMW"}}'
)
VECTOR_SIGNATURE = "Yc+3R1pIS78xLASybulhs8BsSo9BPB3Pr92QCUoczfk="


def vector_request(
    body: bytes = VECTOR_BODY, *, nonce: str = VECTOR_NONCE, signed_time: str = VECTOR_TIME, algorithm: str = ""
) -> Request:
    headers = {
        "x-sinch-webhook-signature": VECTOR_SIGNATURE,
        "x-sinch-webhook-signature-nonce": nonce,
        "x-sinch-webhook-signature-timestamp": signed_time,
    }
    if algorithm:
        headers["x-sinch-webhook-signature-algorithm"] = algorithm
    return read_request(list(headers.items()), body, None, limits=mmsdr.Limits(), method="POST")


def vector_check(*secrets: str, now: float = float(VECTOR_TIME)) -> sinch.Signature:
    return sinch.Signature(list(secrets) or VECTOR_SECRET, clock=lambda: now)


def test_the_published_vector_passes() -> None:
    vector_check().authenticate(vector_request())
    vector_check("old-secret", VECTOR_SECRET).authenticate(vector_request())  # rotation
    vector_check(now=float(VECTOR_TIME) + 300).authenticate(vector_request())  # the edge of the window
    vector_check().authenticate(vector_request(algorithm="HmacSHA256"))
    assert isinstance(vector_check(), SignatureCheck)


def test_the_vector_fails_after_any_one_byte_change() -> None:
    check = vector_check()
    for index in range(len(VECTOR_BODY)):
        changed = bytearray(VECTOR_BODY)
        changed[index] ^= 0x01
        with pytest.raises(mmsdr.AuthenticationError, match="^request: the Sinch signature does not match$"):
            check.authenticate(vector_request(bytes(changed)))
    for request in (
        vector_request(nonce=VECTOR_NONCE[:-1] + "8"),
        vector_request(signed_time=str(int(VECTOR_TIME) + 1)),
        vector_request(VECTOR_BODY + b" "),
    ):
        with pytest.raises(mmsdr.AuthenticationError, match="does not match"):
            check.authenticate(request)
    with pytest.raises(mmsdr.AuthenticationError, match="does not match"):
        vector_check("foo_secret1235").authenticate(vector_request())


@pytest.mark.parametrize(
    ("check", "request_", "message"),
    [
        (
            vector_check(now=float(VECTOR_TIME) + 301),
            vector_request(),
            (
                "request: the signed time is 301 s away from now, more than the 300 s allowed (a replay, or a "
                "clock that is wrong)"
            ),
        ),
        (
            vector_check(),
            vector_request(algorithm="HmacSHA1"),
            "request: the signature algorithm 'HmacSHA1' is not HMAC-SHA256, the one this check knows",
        ),
        (
            vector_check(),
            read_request([("x-sinch-webhook-signature", VECTOR_SIGNATURE)], VECTOR_BODY, None, limits=mmsdr.Limits()),
            "request: the x-sinch-webhook-signature-nonce header is missing; the endpoint checks signatures",
        ),
    ],
)
def test_refused_signatures(check: sinch.Signature, request_: Request, message: str) -> None:
    with pytest.raises(mmsdr.AuthenticationError) as caught:
        check.authenticate(request_)
    assert caught.value.message == message
    assert caught.value.ack.status == 401  # not retried by Sinch


def test_signed_builders_pass_the_parser_and_an_unsigned_request_is_refused_401() -> None:
    auth = sinch.Signature(["old", "new"], clock=lambda: 1_764_720_000.0)
    parser = mmsdr.Parser(formats="sinch", auth=auth)
    for name, builder in testing.BUILDERS.items():
        if name.startswith("sinch."):
            request = builder().signed(auth)
            assert parser.parse(request.headers, request.body, method="POST").format == name
            event = builder().parse().events[0]
            signed = testing.request_for(event, auth=auth)
            assert [event.dedupe_key for event in parser.parse(signed.headers, signed.body).events] == [
                event.dedupe_key
            ]
    with pytest.raises(mmsdr.AuthenticationError) as caught:
        parser.parse(JSON, testing.sinch_inbound().body)
    assert (caught.value.ack.status, caught.value.provider) == (401, "sinch")


# --- threats ------------------------------------------------------------------------------------------------------


def test_a_batch_of_a_million_recipients_is_refused_by_the_json_limit() -> None:
    recipients = ",".join(f'"+4470{index:08d}"' for index in range(1_000_000))
    body = (
        '{"type":"delivery_report_sms","batch_id":"b","statuses":[{"code":0,"count":1000000,"recipients":['
        + recipients
        + '],"status":"Delivered"}]}'
    ).encode()
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        parse(body)
    assert caught.value.message == ("sinch.delivery_report: body is larger than 1048576 bytes (Limits.max_json_bytes)")
    assert caught.value.ack.status == 413


def test_deep_json_is_refused() -> None:
    body = b'{"type":"mo_text","id":"x","from":"1","to":"2","extra":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(mmsdr.MalformedRequestError, match="^sinch.inbound: body is nested too deeply$"):
        parse(body, formats="sinch.inbound", limits=mmsdr.Limits(max_json_bytes=1_000_000))


def test_a_huge_text_is_kept_whole_within_the_limit() -> None:
    text = "x" * 900_000
    event = only_event(testing.sinch_inbound(text=text).parse(), mmsdr.InboundMessage)
    assert event.text == text


def test_a_batch_events_raw_is_built_once_for_all_of_them() -> None:
    # Each recipient's raw repeats the batch's members: those pairs are built once and shared, so reading every
    # event's raw is linear in the body, not in recipients times members.
    extra = ",".join(f'"x{index}":{index}' for index in range(200))
    recipients = ",".join(f'"{index}"' for index in range(200))
    body = (
        '{"type":"delivery_report_sms","batch_id":"b",' + extra + ',"statuses":[{"code":0,"count":200,'
        '"recipients":[' + recipients + '],"status":"Delivered"}]}'
    ).encode()
    events = parse(body).events
    pairs = [event.raw.multi_items() for event in events]
    assert len(pairs) == 200
    assert all(len(items) == 200 + 2 + 4 for items in pairs)
    # The shared members are the same objects in every event's raw.
    assert all(items[0] is pairs[0][0] for items in pairs)
    assert dataclasses.replace(events[0], dedupe_key="") != dataclasses.replace(events[1], dedupe_key="")


def test_an_inbound_sms_reading_report_is_not_taken_for_openmarket() -> None:
    """Detection reads OpenMarket's "type" member, not the word REPORT anywhere in a JSON body."""
    request = mmsdr.testing.BUILDERS["sinch.inbound"]()
    body = request.body.replace(b"Hello John!", b'\\"REPORT\\"')
    callback = mmsdr.parse_request(request.headers, body, None, method="POST")
    assert (callback.format, callback.events[0].text) == ("sinch.inbound", '"REPORT" \U0001f44b')  # type: ignore[attr-defined]

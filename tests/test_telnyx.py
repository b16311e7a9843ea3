"""Telnyx Messaging (API v2) callbacks: the documented shapes, one report per recipient, statuses and error codes,
keys, acks, refusals, the Ed25519 signature (a fixed-seed fixture) and the legacy v1 HMAC vector."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from _support import DATA, hide_module, only_event, without_key

import mmsdr
from mmsdr import Status, telnyx, testing
from mmsdr._request import read_request
from mmsdr.telnyx import LegacySignature, Signature

JSON = {"Content-Type": "application/json"}
READ_AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (DATA / "telnyx" / name).read_bytes()


def parse(body: bytes, **options: Any) -> mmsdr.Callback:
    return mmsdr.parse_request(JSON, body, method="POST", clock=lambda: READ_AT, **options)


def changed(name: str, change: Any) -> bytes:
    """The fixture with ``change(obj)`` applied to its parsed JSON."""
    obj = json.loads(fixture(name))
    change(obj)
    return json.dumps(obj).encode()


# --- the documented shapes -------------------------------------------------------------------------------------


def test_the_inbound_message_example() -> None:
    callback = parse(fixture("inbound-sms.json"))
    # The example's occurred_at is the placeholder "date-time": the time of reading, with a warning.
    assert (callback.format, callback.warnings) == (
        "telnyx.inbound",
        (
            (
                "field 'data.occurred_at' is not a valid date (not an ISO 8601 date), got 'date-time': timestamp is "
                "the time the request was read"
            ),
        ),
    )
    event = only_event(callback, mmsdr.InboundMessage)
    assert without_key(event) == mmsdr.InboundMessage(
        provider="telnyx",
        format="telnyx.inbound",
        timestamp=READ_AT,
        dedupe_key="",
        raw=event.raw,
        message_id="7ee4241c-f127-47e5-9c34-3aac291f8058",
        channel="sms",
        sender="+18665550001",
        recipients=("+18445550001",),
        subject="From Telnyx!",
        text="Hello, World!",
        details=telnyx.InboundDetails(
            event_id="bf6307bd-884d-4c1f-b6ea-c62b8c495d3c",
            message_type="SMS",
            carrier="T-MOBILE USA, INC.",
            line_type="Wireless",
            messaging_profile_id="0f512bda-ae3f-4e1d-9fe9-b3d8ebb5a9a2",
            encoding="GSM-7",
            parts_count=1,
        ),
    )
    assert [name for name, _ in event.raw.multi_items()] == [
        "data.event_type",
        "data.id",
        "data.occurred_at",
        "data.record_type",
        "data.payload",
    ]


def test_a_group_mms_sent_is_one_report_per_recipient_with_its_own_status() -> None:
    body = fixture("sent-mms-group.json")
    callback = parse(body)
    assert (callback.format, callback.warnings) == ("telnyx.report", ())
    sent = datetime(2024, 3, 5, 16, 20, 11, 416000, tzinfo=UTC)
    details = telnyx.ReportDetails(
        event_id="4ee8c3a6-4995-4309-a3c6-38e3db9ea4be",
        event_type="message.sent",
        attempt=2,
        message_type="MMS",
        carrier="T-MOBILE USA, INC.",
        line_type="Wireless",
        sent_at=sent,
        tags=("campaign-7",),
    )
    assert [without_key(event) for event in callback.events] == [
        mmsdr.DeliveryReport(
            provider="telnyx",
            format="telnyx.report",
            timestamp=sent,
            dedupe_key="",
            raw=callback.events[0].raw,
            message_id="40317f4c-2ea5-4b4b-a2ea-5c2e0e8b6d3a",
            status=Status.FORWARDED,
            provider_status="sent",
            recipient="+13125550101",
            sender="+13125550100",
            details=details,
        ),
        mmsdr.DeliveryReport(
            provider="telnyx",
            format="telnyx.report",
            timestamp=sent,
            dedupe_key="",
            raw=callback.events[1].raw,
            message_id="40317f4c-2ea5-4b4b-a2ea-5c2e0e8b6d3a",
            status=Status.PENDING,
            provider_status="queued",
            recipient="+13125550102",
            sender="+13125550100",
            details=telnyx.ReportDetails(
                **{
                    **{field: getattr(details, field) for field in details.__dataclass_fields__},
                    "carrier": "VERIZON WIRELESS",
                }
            ),
        ),
    ]
    keys = [event.dedupe_key for event in callback.events]
    assert len(set(keys)) == 2
    assert [event.dedupe_key for event in parse(body).events] == keys  # Telnyx's retry: the same keys
    # Each report's raw holds its own recipient alone, so that request_for gives it back.
    assert [json.loads(event.raw["data.payload.to"])["phone_number"] for event in callback.events] == [
        "+13125550101",
        "+13125550102",
    ]
    for event in callback.events:
        assert testing.request_for(event).parse().events == (event,)


def test_a_finalized_failure_is_refined_by_its_error_code() -> None:
    event = only_event(parse(fixture("finalized-failed.json")), mmsdr.DeliveryReport)
    assert (event.status, event.provider_status, event.provider_code, event.status_text) == (
        Status.REJECTED,
        "delivery_failed",
        "40004",
        "Rejected by destination",
    )
    assert event.details == telnyx.ReportDetails(
        event_id="2f7a39f2-2a1c-4b6e-9c54-8b8a2e0a7b11",
        event_type="message.finalized",
        attempt=1,
        message_type="SMS",
        errors=(
            telnyx.TelnyxError(
                code="40004",
                title="Rejected by destination",
                detail="The destination carrier rejected the message.",
            ),
        ),
        sent_at=datetime(2024, 3, 5, 16, 20, 11, 416000, tzinfo=UTC),
        completed_at=datetime(2024, 3, 5, 16, 20, 18, 850000, tzinfo=UTC),
    )


def test_media_under_either_hash_name() -> None:
    def media(obj: dict[str, Any]) -> None:
        obj["data"]["payload"]["type"] = "MMS"
        obj["data"]["payload"]["media"] = [
            {"url": "https://m.example/a.jpg", "content_type": "image/jpeg", "size": 10, "hash_sha256": "aa"},
            {"url": "https://m.example/b", "content_type": None, "size": None, "sha256": "bb"},
        ]

    event = only_event(parse(changed("inbound-sms.json", media)), mmsdr.InboundMessage)
    assert (event.channel, event.parts) == (
        "mms",
        (
            mmsdr.Part(content_type="image/jpeg", url="https://m.example/a.jpg", size=10),
            mmsdr.Part(content_type="application/octet-stream", url="https://m.example/b"),
        ),
    )
    assert isinstance(event.details, telnyx.InboundDetails)
    assert event.details.media == (
        telnyx.MediaItem(url="https://m.example/a.jpg", content_type="image/jpeg", size=10, sha256="aa"),
        telnyx.MediaItem(url="https://m.example/b", sha256="bb"),
    )


# --- statuses and codes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        ("queued", None, Status.PENDING),
        ("sending", None, Status.PENDING),
        ("sent", None, Status.FORWARDED),
        ("delivered", None, Status.DELIVERED),
        ("delivery_unconfirmed", None, Status.INDETERMINATE),
        ("expired", None, Status.EXPIRED),
        ("delivery_failed", None, Status.FAILED),
        ("delivery_failed", "40002", Status.REJECTED),
        ("delivery_failed", "40003", Status.REJECTED),
        ("delivery_failed", "40004", Status.REJECTED),
        ("delivery_failed", "40005", Status.EXPIRED),
        ("delivery_failed", "40008", Status.FAILED),  # Undeliverable: stays failed
        ("sending_failed", "40004", Status.REJECTED),
        ("sending_failed", None, Status.FAILED),
        ("delivered", "40004", Status.DELIVERED),  # a code refines failures only
        ("failed", None, Status.UNKNOWN),  # not in the documented list
        ("webhook_delivered", None, Status.UNKNOWN),
    ],
)
def test_status_for(status: str, code: str | None, expected: Status) -> None:
    assert telnyx.status_for(status, code) == expected


# --- secondary fields and refusals -----------------------------------------------------------------------------


def test_an_event_without_its_id_or_time_still_gives_its_event() -> None:
    def strip(obj: dict[str, Any]) -> None:
        del obj["data"]["id"], obj["data"]["occurred_at"]

    callback = parse(changed("finalized-failed.json", strip))
    assert callback.warnings == ("field 'data.occurred_at' is missing: timestamp is the time the request was read",)
    assert only_event(callback).timestamp == READ_AT


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda obj: obj.pop("data"), "telnyx.report: field 'data' is missing"),
        (
            lambda obj: obj["data"].update(payload={}),
            "telnyx.report: field 'data.payload' must be a non-empty JSON object, got {}",
        ),
        (lambda obj: obj["data"]["payload"].pop("id"), "telnyx.report: field 'data.payload.id' is missing"),
        (lambda obj: obj["data"]["payload"].update(to=[]), "telnyx.report: field 'data.payload.to' lists no recipient"),
        (
            lambda obj: obj["data"]["payload"].update(to=[{"status": "sent"}]),
            "telnyx.report: field 'data.payload.to[0].phone_number' is missing",
        ),
    ],
)
def test_refused(change: Any, message: str) -> None:
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        parse(changed("finalized-failed.json", change), formats="telnyx.report")
    assert str(caught.value) == message


def test_an_inbound_message_without_its_sender_is_refused() -> None:
    body = changed("inbound-sms.json", lambda obj: obj["data"]["payload"]["from"].pop("phone_number"))
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        parse(body)
    assert str(caught.value) == "telnyx.inbound: field 'data.payload.from.phone_number' is missing"


def test_every_callback_is_answered_200_and_a_retry_503() -> None:
    callback = parse(fixture("sent-mms-group.json"))
    assert mmsdr.acknowledge(callback) == mmsdr.Ack(status=200, headers=(("Content-Length", "0"),), body=b"")
    assert mmsdr.acknowledge(callback, retry=True).status == 503


# --- the Ed25519 signature (a fixed-seed fixture: Telnyx publishes no vector) ------------------------------------

SEED = hashlib.sha256(b"mmsdr-telnyx-fixture-seed").digest()
PUBLIC_KEY = "n4SGUdusvY2hk23Ea8dfXJ78/Kv34D6ODEdMVQvv8oc="
SIGNED_AT = "1704067200"
ED25519 = "2Rn+Sw+DWeZW/zDDX+WKCQ70K4iWv8+1CGdEV0G7X3JF6LytYmHjrMaNlLXmkcXEUe4c90NnMtQXtYjPzuDhAQ=="


def signed_request(body: bytes | None = None, signature: str = ED25519, timestamp: str = SIGNED_AT) -> mmsdr.Request:
    headers = [
        ("Content-Type", "application/json"),
        ("telnyx-signature-ed25519", signature),
        ("telnyx-timestamp", timestamp),
    ]
    data = fixture("signed-ed25519.json") if body is None else body
    return read_request(headers, data, None, limits=mmsdr.Limits(), method="POST")


def check(*keys: str | bytes, now: float = float(SIGNED_AT)) -> Signature:
    return Signature(list(keys) or PUBLIC_KEY, clock=lambda: now)


def test_the_fixed_seed_fixture_passes() -> None:
    check().authenticate(signed_request())
    check(base64.b64decode(PUBLIC_KEY)).authenticate(signed_request())  # the key's 32 bytes
    check("Ta0OiLwr+SoEC4lgYTmT1iPVyo6HNVq9KJ7ZbT3H4J0=", PUBLIC_KEY).authenticate(signed_request())  # rotation
    check(now=float(SIGNED_AT) + 300).authenticate(signed_request())  # the edge of the window
    assert (
        Signature.for_testing(SEED, clock=lambda: float(SIGNED_AT))
        .sign(testing.telnyx_inbound())
        .parse(auth=check())
        .events
    )


def one_byte_changes(data: bytes) -> list[bytes]:
    return [data[:index] + bytes([data[index] ^ 1]) + data[index + 1 :] for index in range(0, len(data), 7)]


def test_any_one_byte_change_fails() -> None:
    body = fixture("signed-ed25519.json")
    for changed_body in [*one_byte_changes(body), body + b" "]:
        with pytest.raises(mmsdr.AuthenticationError) as caught:
            check().authenticate(signed_request(changed_body))
        assert str(caught.value) == "request: the Telnyx signature does not match"
    raw = base64.b64decode(ED25519)
    for changed_signature in one_byte_changes(raw):
        with pytest.raises(mmsdr.AuthenticationError):
            check().authenticate(signed_request(signature=base64.b64encode(changed_signature).decode()))
    with pytest.raises(mmsdr.AuthenticationError):  # another time, inside the window: it is signed
        check().authenticate(signed_request(timestamp="1704067201"))


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            signed_request(timestamp="1704066899"),
            (
                "request: the signed time is 301 s away from now, more than the 300 s allowed (a replay, or a clock "
                "that is wrong)"
            ),
        ),
        (signed_request(signature="not base64!"), "request: the Telnyx signature is not 64 bytes of base64"),
        (
            read_request([("telnyx-timestamp", SIGNED_AT)], b"{}", None, limits=mmsdr.Limits(), method="POST"),
            "request: the telnyx-signature-ed25519 header is missing; the endpoint checks signatures",
        ),
        (
            read_request([("telnyx-signature-ed25519", ED25519)], b"{}", None, limits=mmsdr.Limits(), method="POST"),
            "request: the telnyx-timestamp header is missing; the endpoint checks signatures",
        ),
    ],
)
def test_refusals_of_the_signature(request_: mmsdr.Request, message: str) -> None:
    with pytest.raises(mmsdr.AuthenticationError) as caught:
        check().authenticate(request_)
    assert str(caught.value) == message


@pytest.mark.parametrize("key", ["", "not a key", base64.b64encode(b"x" * 31).decode(), b"x" * 31])
def test_a_key_that_is_not_32_bytes_of_base64_is_refused(key: str | bytes) -> None:
    with pytest.raises(ValueError, match="a Telnyx public key is the 32-byte Ed25519 key in base64"):
        Signature(key)


def test_without_cryptography_building_the_check_fails_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # The import fails as it does where the package is missing: nothing must pass unchecked.
    hide_module(monkeypatch, "cryptography")
    with pytest.raises(ImportError) as caught:
        Signature(PUBLIC_KEY)
    assert str(caught.value) == (
        "mmsdr.telnyx.Signature needs the cryptography package for Ed25519: pip install 'mmsdr[telnyx]' "
        "(or pip install cryptography)"
    )
    with pytest.raises(ImportError):
        Signature.for_testing(SEED)


def test_a_public_key_check_cannot_sign() -> None:
    with pytest.raises(ValueError, match="holds public keys only"):
        check().sign(testing.telnyx_inbound())


# --- the legacy v1 HMAC (Telnyx v1, "Inbound Message Signature": its published vector) ---------------------------

LEGACY_SECRET = "rq789onm321yxzkjihfEdcAm"  # noqa: S105 - the published example's secret
LEGACY_AT = "1520983646"
LEGACY_H = "WlEXoEsHH2RMgy2x8eyvg10JlMBco0s51fdNpMORF00="


def legacy_request(body: bytes | None = None, header: str = f"t={LEGACY_AT},h={LEGACY_H}") -> mmsdr.Request:
    data = fixture("legacy-v1.json") if body is None else body
    return read_request([("X-Telnyx-Signature", header)], data, None, limits=mmsdr.Limits(), method="POST")


def legacy(now: float = float(LEGACY_AT)) -> LegacySignature:
    return LegacySignature(LEGACY_SECRET, clock=lambda: now)


def test_the_legacy_vector_passes_and_fails_after_any_one_byte_change() -> None:
    assert hashlib.sha256(fixture("legacy-v1.json")).hexdigest().startswith("db63cfb06")  # as the page says
    legacy().authenticate(legacy_request())
    for body in one_byte_changes(fixture("legacy-v1.json")):
        with pytest.raises(mmsdr.AuthenticationError) as caught:
            legacy().authenticate(legacy_request(body))
        assert str(caught.value) == "request: the Telnyx signature does not match"
    with pytest.raises(mmsdr.AuthenticationError):
        legacy().authenticate(legacy_request(header=f"t={LEGACY_AT},h=X{LEGACY_H[1:]}"))
    with pytest.raises(mmsdr.AuthenticationError, match="more than the 300 s allowed"):
        legacy(now=float(LEGACY_AT) + 301).authenticate(legacy_request())
    with pytest.raises(mmsdr.AuthenticationError, match="is not t=<seconds>,h=<signature>"):
        legacy().authenticate(legacy_request(header=LEGACY_H))
    signed = LegacySignature("s3cret", clock=lambda: 1.7e9).sign(testing.telnyx_report())
    assert signed.parse(auth=LegacySignature("s3cret", clock=lambda: 1.7e9)).events

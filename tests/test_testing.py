"""mmsdr.testing: the builders, request_for and the strategies, with round-trip properties for every format."""

from __future__ import annotations

import dataclasses
import inspect
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings

import mmsdr
from mmsdr import bandwidth, mm7, openmarket, sinch, telnyx, testing, twilio, vonage
from mmsdr.__main__ import read_raw_request
from mmsdr.mm7 import Envelope
from mmsdr.mxtelecom import MmsInboundDetails, MmsReportDetails, ReasonCode, SmsInboundDetails, SmsReportDetails
from mmsdr.testing import strategies

if TYPE_CHECKING:
    from collections.abc import Callable

    from hypothesis.strategies import SearchStrategy

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "requests").glob("*.http"))
PROPERTY = settings(max_examples=100, deadline=None)


def test_there_is_a_builder_for_every_format() -> None:
    assert set(testing.BUILDERS) == set(mmsdr.FORMATS)


# The builders write MX Telecom's zone-less London time where the provider documents it (its SMS and subscription
# pages): the callback says the zone was assumed.
ZONE_LESS = {
    "mxtelecom.sms_report": "smsdate",
    "mxtelecom.sms_inbound": "smsdate",
    "mxtelecom.unsubscribe": "date",
    "mxtelecom.renewal": "date",
    "twilio.status": "RawDlrDoneDate",  # YYMMDDhhmm, read as UTC
    "vonage.sms_receipt": "message-timestamp",  # YYYY-MM-DD HH:MM:SS, read as UTC
    "vonage.sms_inbound": "message-timestamp",
}
# Twilio sends no time with an inbound message: its event's timestamp is the parser's clock, fixed here.
READ_AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def built_warnings(name: str, kwargs: dict[str, Any] | None = None) -> tuple[str, ...]:
    if name == "twilio.status" and kwargs is not None and kwargs["timestamp"] is None:
        return ()  # no RawDlrDoneDate: the time of reading, as documented for most statuses
    if name == "bandwidth.report" and kwargs is not None and kwargs["as_object"]:
        return ("body is a JSON object, not an array of events: read as an array of one",)
    if name.startswith("vonage.") and kwargs is not None:
        return _vonage_warnings(name, kwargs)
    field = ZONE_LESS.get(name)
    zone = "UTC" if name.startswith(("twilio.", "vonage.")) else "Europe/London"
    return () if field is None else (f"field {field!r} has no UTC offset: read in {zone}",)


def _clock_at(value: datetime) -> Callable[[], datetime]:
    return lambda: value


READ_AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # a Sinch batch report's timestamp: it carries none


@pytest.mark.parametrize("name", list(mmsdr.FORMATS))
def test_the_default_request_parses_as_its_format(name: str) -> None:
    request = testing.BUILDERS[name]()
    callback = request.parse(clock=lambda: READ_AT)
    assert callback.format == name
    assert callback.warnings == built_warnings(name)
    assert [event.format for event in callback.events] == [name]
    # The wire form reads back into the same request.
    raw = read_raw_request(request.as_http())
    assert (raw.method, raw.target, raw.headers, raw.body) == (
        request.method,
        request.target,
        request.headers,
        request.body,
    )
    assert mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method, clock=lambda: READ_AT) == callback


def test_the_sms_report_is_the_vendor_example() -> None:
    request = testing.mxtelecom_sms_report()
    assert request.method == "GET"
    assert request.path == "/mxtelecom/sms-report"
    assert request.query == (
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsto=913&shortcode=913&smsid=17221293"
        "&smsdate=2002-04-30+21%3A58%3A00&reason=1359151616"
    )


def test_mx_dates_are_london_time_without_offset_or_with_the_offset_attached() -> None:
    utc = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    assert "smsdate=2024-07-01+13%3A00%3A00&" in testing.mxtelecom_sms_report(timestamp=utc).query
    assert "date=2024-07-01+12%3A00%3A00%2B0000&" in testing.mxtelecom_mms_report(timestamp=utc).query
    with pytest.raises(ValueError, match="timezone-aware"):
        testing.mxtelecom_sms_report(timestamp=datetime(2024, 7, 1, 12, 0))  # noqa: DTZ001


def test_mm7_defaults_to_rel_6_mm7_1_4_and_6_8_0() -> None:
    request = testing.mm7_delivery_report()
    assert b'xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"' in request.body
    assert b"<MM7Version>6.8.0</MM7Version>" in request.body
    assert b'<TransactionID soap-env:mustUnderstand="1">10000001</TransactionID>' in request.body
    assert b"<Date>2015-03-16T14:03:51.749Z</Date>" in request.body
    assert ("Content-Type", "text/xml; charset=utf-8") in request.headers


def test_openmarket_inbound_is_multipart_mixed_with_the_main_json_part() -> None:
    request = testing.openmarket_mms_inbound(message_id="42")
    assert dict(request.headers)["Content-Type"].startswith("multipart/mixed; boundary=")
    assert b"Content-Type: application/json\r\nContent-Id: main\r\n\r\n{" in request.body
    assert b'"moId":42,' in request.body
    (event,) = request.parse().events
    assert isinstance(event, mmsdr.InboundMessage)
    assert event.parts == testing.DEFAULT_PARTS
    assert event.text == "This is a text attachment"


def test_mxtelecom_mms_inbound_with_parts_is_a_multipart_post_with_mms_zip() -> None:
    parts = (mmsdr.Part(content_type="text/plain", data="Grüße".encode(), filename="hello.txt"),)
    request = testing.mxtelecom_mms_inbound(parts=parts)
    assert request.method == "POST"
    assert b'name="mms.zip"; filename="mms.zip"' in request.body
    (event,) = request.parse().events
    assert isinstance(event, mmsdr.InboundMessage)
    assert event.text == "Grüße"
    assert event.parts == (dataclasses.replace(parts[0], content_id="hello.txt", charset="utf-8"),)


def test_test_request_is_not_collected_by_pytest() -> None:
    assert testing.TestRequest.__test__ is False


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_request_for_reproduces_every_example(path: Path) -> None:
    raw = read_raw_request(path.read_bytes())
    callback = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method)
    for event in callback.events:
        request = testing.request_for(event)
        # At the event's time: a Sinch batch report and Twilio's inbound message carry none.
        read = mmsdr.parse_request(request.headers, request.body, request.query, clock=_clock_at(event.timestamp))
        assert read.events == (event,)


def test_request_for_refuses_an_event_it_cannot_reproduce() -> None:
    (event,) = testing.mxtelecom_sms_report().parse().events
    assert isinstance(event, mmsdr.DeliveryReport)
    forged = dataclasses.replace(event, message_id="999")  # typed field and raw disagree
    with pytest.raises(ValueError, match="cannot reproduce this mxtelecom.sms_report event"):
        testing.request_for(forged)
    with pytest.raises(TypeError, match="takes an mmsdr event"):
        testing.request_for("not an event")  # type: ignore[arg-type]


def test_request_for_refuses_an_event_parsed_with_another_zone() -> None:
    (event,) = testing.mxtelecom_unsubscribe().parse(default_zone="America/New_York").events
    with pytest.raises(ValueError, match="cannot reproduce"):
        testing.request_for(event)


def test_importing_mmsdr_testing_does_not_need_hypothesis() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'hypothesis':\n"
        "            raise ImportError('hypothesis is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import mmsdr.testing\n"
        "assert mmsdr.testing.mxtelecom_sms_report().parse().events[0].message_id == '17218733'\n"
        "try:\n"
        "    import mmsdr.testing.strategies\n"
        "except ImportError:\n"
        "    print('blocked')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "blocked\n"


# --- round trips -----------------------------------------------------------------------------------------------


def _mm7_envelope(k: dict[str, Any]) -> Envelope:
    return Envelope(transaction_id=k["transaction_id"], mm7_version=k["mm7_version"], namespace=k["namespace"])


def _typed(name: str, kwargs: dict[str, Any]) -> tuple[dict[str, Any], mmsdr.Details | None]:
    """What the event of ``BUILDERS[name](**kwargs)`` must carry, field by field, and the callback's details."""
    k = kwargs
    if name == "mxtelecom.sms_report":
        reason = None if k["reason"] is None else ReasonCode(k["reason"])
        sms_report = SmsReportDetails(report_id=k["report_id"], reason=reason, note=k["note"])
        return {
            "message_id": k["message_id"],
            "provider_status": k["status"],
            "provider_code": None if k["reason"] is None else str(k["reason"]),
            "recipient": k["recipient"],
            "sender": k["sender"],
            "timestamp": k["timestamp"],
            "details": sms_report,
        }, None
    if name == "mxtelecom.mms_report":
        return {
            "__class__": mmsdr.DeliveryReport if k["kind"] == "delivery" else mmsdr.ReadReport,
            "message_id": k["message_id"],
            "provider_status": str(k["status"]),
            "provider_code": None,
            "recipient": k["recipient"],
            "sender": k["sender"],
            "timestamp": k["timestamp"],
            "details": MmsReportDetails(report_id=k["report_id"], user_agent=k["user_agent"]),
        }, None
    if name == "mxtelecom.sms_inbound":
        return {
            "message_id": k["message_id"],
            "channel": "sms",
            "sender": k["sender"],
            "recipients": (k["recipient"],),
            "text": k["text"],
            "timestamp": k["timestamp"],
            "details": SmsInboundDetails(udh=k["udh"], smsc=k["smsc"], network=k["network"]),
        }, None
    if name == "mxtelecom.mms_inbound":
        texts = [part.text for part in k["parts"] if part.is_text]
        # Without parts the builder notifies by GET: the MMS is one zip by reference, fetched by the app.
        by_reference = mmsdr.Part(
            content_type="application/zip",
            url=f"https://mms.mxtelecom.com/RetrieveMMS?id={quote(k['message_id'], safe='')}",
            filename="mms.zip",
        )
        return {
            "message_id": k["message_id"],
            "channel": "mms",
            "sender": k["sender"],
            "recipients": k["recipients"],
            "cc": k["cc"],
            "subject": k["subject"],
            "timestamp": k["timestamp"],
            "parts": k["parts"] or (by_reference,),
            "text": "\n".join(texts) if texts else None,
            "details": MmsInboundDetails(network=k["network"], expiry=None if k["parts"] else k["expiry"]),
        }, None
    if name == "mxtelecom.unsubscribe":
        return {key: k[key] for key in ("msisdn", "shortcodes", "source", "timestamp")} | {"details": None}, None
    if name == "mxtelecom.renewal":
        renewal = ("message_id", "msisdn", "shortcode", "network", "timestamp", "mt_username")
        return {key: k[key] for key in renewal} | {"details": None}, None
    if name in {"mm7.delivery_report", "mm7.read_reply"}:
        same = ("message_id", "recipient", "sender", "timestamp", "status_text")
        report: mmsdr.Details = mm7.ReportDetails(
            status_extension=None, network=k["network"], user_agent=k["user_agent"]
        )
        event = {"provider_status": k["status"], "provider_code": None, "details": report}
        return event | {key: k[key] for key in same}, _mm7_envelope(k)
    if name == "mm7.deliver":
        deliver = ("message_id", "sender", "recipients", "cc", "bcc", "subject", "timestamp", "parts")
        # The builder's message_id is the DeliverReq's LinkedID.
        deliver_details = mm7.DeliverDetails(priority=k["priority"], linked_id=k["message_id"], network=k["network"])
        return {key: k[key] for key in deliver} | {"details": deliver_details}, _mm7_envelope(k)
    if name.startswith("sinch."):
        return _sinch_typed(name, k), None
    if name == "twilio.status":
        code = k["error_code"]
        status = twilio.STATUSES.get(k["status"], mmsdr.Status.UNKNOWN)
        refused = status is mmsdr.Status.FAILED and code in twilio.REFUSAL_CODES
        return {
            "__class__": mmsdr.ReadReport if k["status"] == "read" else mmsdr.DeliveryReport,
            "message_id": k["message_id"],
            "status": mmsdr.Status.REJECTED if refused else status,
            "provider_status": k["status"],
            "provider_code": code,
            "recipient": k["recipient"],
            "sender": k["sender"],
            "timestamp": READ_AT if k["timestamp"] is None else k["timestamp"],
            "details": twilio.StatusDetails(
                account_sid=k["account_sid"],
                messaging_service_sid=k["messaging_service_sid"],
                raw_dlr_done_date=k["timestamp"],
                api_version="2010-04-01",
            ),
        }, None
    if name == "twilio.inbound":
        return {
            "message_id": k["message_id"],
            "channel": "mms" if k["media"] or k["message_id"].startswith("MM") else "sms",
            "sender": k["sender"],
            "recipients": (k["recipient"],),
            "text": k["text"] or None,
            "parts": tuple(mmsdr.Part(content_type=kind, url=url) for url, kind in k["media"]),
            "timestamp": READ_AT,
            "details": twilio.InboundDetails(
                account_sid=k["account_sid"],
                messaging_service_sid=k["messaging_service_sid"],
                num_segments=k["num_segments"],
                num_media=len(k["media"]),
                opt_out_type=k["opt_out_type"],
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
        }, None
    if name.startswith("bandwidth."):
        return _bandwidth_typed(name, k), None
    if name.startswith("telnyx."):
        return _telnyx_typed(name, k), None
    if name.startswith("vonage."):
        return _vonage_typed(name, k), None
    request = openmarket.RequestDetails(request_id=k["request_id"])
    if name == "openmarket.mms_report":
        return {
            "message_id": k["message_id"],
            "provider_status": k["status"],
            "provider_code": None if k["outcome_id"] is None else str(k["outcome_id"]),
            "status_text": k["outcome_description"],
            "timestamp": k["timestamp"],
            "details": openmarket.ReportDetails(outcome_id=k["outcome_id"], user_agent=k["user_agent"]),
        }, request
    assert name == "openmarket.mms_inbound"
    inbound = ("message_id", "sender", "recipients", "cc", "bcc", "timestamp", "subject", "parts")
    operator_id = None if k["network"] is None else int(k["network"])
    details = openmarket.InboundDetails(operator_id=operator_id, user_agent=k["user_agent"])
    return {key: k[key] for key in inbound} | {"details": details}, request


def _vonage_warnings(name: str, k: dict[str, Any]) -> tuple[str, ...]:
    warnings = []
    if name.endswith("inbound") and k["recipient"] is None:
        warnings.append("field 'to' is missing: the message has no recipient")
    field = "message-timestamp" if name.startswith("vonage.sms_") else "timestamp"
    if k["timestamp"] is None:
        warnings.append(f"field {field!r} is missing: timestamp is the time the request was read")
    elif name.startswith("vonage.sms_"):
        warnings.append(f"field {field!r} has no UTC offset: read in UTC")
    return tuple(warnings)


def _vonage_typed(name: str, k: dict[str, Any]) -> dict[str, Any]:
    timestamp = READ_AT if k["timestamp"] is None else k["timestamp"]
    if name == "vonage.sms_receipt":
        code = None if k["error_code"] is None else str(k["error_code"])
        return {
            "message_id": k["message_id"],
            "status": vonage.STATUSES.get(k["status"].lower(), mmsdr.Status.UNKNOWN),
            "provider_status": k["status"],
            "provider_code": code,
            "recipient": k["recipient"],
            "sender": k["sender"],
            "timestamp": timestamp,
            "details": vonage.SmsReceiptDetails(
                error_text=None if code is None else vonage.ERROR_CODES.get(code),
                scts=k["scts"],
                network_code=k["network_code"],
                price=k["price"],
                client_ref=k["client_ref"],
                api_key=k["api_key"],
            ),
        }
    if name == "vonage.sms_inbound":
        binary = k["message_type"] == "binary"
        concat = k["concat"]
        return {
            "message_id": k["message_id"],
            "channel": "sms",
            "sender": k["sender"],
            "recipients": () if k["recipient"] is None else (k["recipient"],),
            "text": k["text"] or None,
            "parts": (mmsdr.Part(content_type="application/octet-stream", data=k["data"]),)
            if binary and k["data"] is not None
            else (),
            "timestamp": timestamp,
            "details": vonage.SmsInboundDetails(
                message_type=k["message_type"],
                keyword=k["keyword"],
                concat=concat is not None,
                concat_ref=None if concat is None else concat[0],
                concat_total=None if concat is None else concat[1],
                concat_part=None if concat is None else concat[2],
                udh=k["udh"] if binary else None,
                api_key=k["api_key"],
            ),
        }
    if name == "vonage.message_status":
        error = k["error"]
        status = vonage.MESSAGE_STATUSES[k["status"]]
        return {
            "__class__": mmsdr.ReadReport if status is mmsdr.Status.READ else mmsdr.DeliveryReport,
            "message_id": k["message_id"],
            "status": status,
            "provider_status": k["status"],
            "provider_code": None if error is None else str(error[0]),
            "recipient": k["recipient"],
            "sender": k["sender"],
            "timestamp": timestamp,
            "details": vonage.MessageStatusDetails(
                channel=k["channel"],
                error_type=None if error is None else f"https://developer.vonage.com/api-errors/messages#{error[0]}",
                error_detail=None if error is None else error[1],
                client_ref=k["client_ref"],
                price=None if k["price"] is None else k["price"][1],
                currency=None if k["price"] is None else k["price"][0],
                network_code=k["network_code"],
                sms_count_total=k["sms_count_total"],
            ),
        }
    image = k["image"]
    media = (() if image is None else (vonage.MediaItem(kind="image", url=image[0], caption=image[1]),)) + tuple(
        vonage.MediaItem(kind=kind, url=url) for kind, url in k["content"]
    )
    return {
        "message_id": k["message_id"],
        "channel": k["channel"],
        "sender": k["sender"],
        "recipients": () if k["recipient"] is None else (k["recipient"],),
        "text": k["text"] or None,
        "parts": tuple(mmsdr.Part(content_type="application/octet-stream", url=item.url) for item in media),
        "timestamp": timestamp,
        "details": vonage.MessageInboundDetails(
            message_type=k["message_type"],
            media=media,
            keyword=k["keyword"],
            num_messages=k["num_messages"],
            network_code=k["network_code"],
        ),
    }


def _telnyx_typed(name: str, k: dict[str, Any]) -> dict[str, Any]:
    if name == "telnyx.inbound":
        parts = tuple(
            mmsdr.Part(content_type=kind or "application/octet-stream", url=url, size=size)
            for url, kind, size, _ in k["media"]
        )
        return {
            "message_id": k["message_id"],
            "channel": "mms" if k["message_type"] == "MMS" or parts else "sms",
            "sender": k["sender"],
            "recipients": k["recipients"],
            "cc": k["cc"],
            "text": k["text"] or None,
            "subject": k["subject"],
            "parts": parts,
            "timestamp": k["timestamp"],
            "details": telnyx.InboundDetails(
                event_id=k["event_id"],
                attempt=k["attempt"],
                message_type=k["message_type"],
                carrier="T-MOBILE USA, INC.",
                line_type="Wireless",
                media=tuple(
                    telnyx.MediaItem(url=url, content_type=kind, size=size, sha256=digest)
                    for url, kind, size, digest in k["media"]
                ),
                messaging_profile_id="0f512bda-ae3f-4e1d-9fe9-b3d8ebb5a9a2",
                encoding="GSM-7",
                parts_count=1,
            ),
        }
    number, status = k["recipients"][0]
    errors = tuple(telnyx.TelnyxError(code=str(code), title=title) for code, title in k["errors"])
    code = errors[0].code if errors else None
    return {
        "message_id": k["message_id"],
        "status": telnyx.status_for(status, code),
        "provider_status": status,
        "provider_code": code,
        "recipient": number,
        "sender": k["sender"],
        "status_text": errors[0].title if errors else None,
        "timestamp": k["timestamp"],
        "details": telnyx.ReportDetails(
            event_id=k["event_id"],
            event_type=k["event_type"],
            attempt=k["attempt"],
            message_type=k["message_type"],
            carrier="T-MOBILE USA, INC.",
            line_type="Wireless",
            errors=errors,
            tags=k["tags"],
        ),
    }


def _bandwidth_typed(name: str, k: dict[str, Any]) -> dict[str, Any]:
    media = tuple(k["media"])
    if name == "bandwidth.inbound":
        recipients = (k["recipient"],) if k["recipients"] is None else k["recipients"]
        return {
            "message_id": k["message_id"],
            "channel": "mms" if media else "sms",
            "sender": k["sender"],
            "recipients": recipients,
            "text": k["text"] or None,
            "parts": tuple(mmsdr.Part(content_type="application/octet-stream", url=url) for url in media),
            "timestamp": k["timestamp"],
            "details": bandwidth.InboundDetails(
                owner=k["recipient"],
                direction="in",
                application_id="93de2206-9669-4e07-948d-329f4b722ee2",
                segment_count=k["segment_count"],
                description="Incoming message received",
                message_time=k["message_time"],
            ),
        }
    code = None if k["error_code"] is None else str(k["error_code"])
    return {
        "__class__": mmsdr.ReadReport if k["kind"] == "message-read" else mmsdr.DeliveryReport,
        "message_id": k["message_id"],
        "status": bandwidth.status_for(k["kind"], code),
        "provider_status": k["kind"],
        "provider_code": code,
        "recipient": k["recipient"],
        "sender": k["sender"],
        "status_text": k["description"],
        "timestamp": k["timestamp"],
        "details": bandwidth.ReportDetails(
            recipients=() if k["recipient"] is None else (k["recipient"],),
            owner="+12345678901",
            direction="out",
            application_id="93de2206-9669-4e07-948d-329f4b722ee2",
            tag=k["tag"],
            segment_count=k["segment_count"],
            media=media,
            message_time=k["message_time"],
            error=None if code is None else bandwidth.ERRORS.get(code),
        ),
    }


def _sinch_typed(name: str, k: dict[str, Any]) -> dict[str, Any]:
    """The first event of a Sinch callback (a batch report gives one per listed recipient, then the counts)."""
    if name == "sinch.recipient_delivery_report":
        code = None if k["code"] is None else str(k["code"])
        details: mmsdr.Details = sinch.ReportDetails(
            kind=f"recipient_delivery_report_{k['channel']}",
            client_reference=k["client_reference"],
            operator=k["operator"],
            applied_originator=k["applied_originator"],
            encoding=k["encoding"],
            message_parts=k["message_parts"],
            operator_status_at=k["operator_status_at"],
        )
        same = {key: k[key] for key in ("recipient", "timestamp")}
        status = sinch.status_for(k["status"], code)
        return (
            same
            | {"message_id": k["batch_id"], "provider_status": k["status"], "provider_code": code}
            | {
                "status": status,
                "details": details,
            }
        )
    if name == "sinch.delivery_report":
        total = sum(listed if isinstance(listed, int) else len(listed) for _, _, listed in k["statuses"])
        batch = sinch.BatchReportDetails(
            kind=f"delivery_report_{k['channel']}", client_reference=k["client_reference"], total_message_count=total
        )
        listed = [(status, code, given) for status, code, given in k["statuses"] if not isinstance(given, int)]
        if listed:
            status, code, recipients = listed[0]
            listed_details = dataclasses.replace(batch, count=len(recipients))
            return {"recipient": recipients[0], "provider_status": status, "provider_code": str(code)} | {
                "message_id": k["batch_id"],
                "details": listed_details,
            }
        counts = tuple(sinch.StatusCount(status=s, code=str(c), count=n) for s, c, n in k["statuses"])
        return {"recipient": None, "message_id": k["batch_id"], "details": dataclasses.replace(batch, counts=counts)}
    media = k["kind"] == "mo_media"
    binary = k["kind"] == "mo_binary"
    items = tuple(
        sinch.MediaItem(url=part.url, content_type=part.content_type, status="Uploaded", code="0")
        for part in k["parts"]
    )
    inbound = sinch.InboundDetails(
        kind=k["kind"],
        operator_id=k["operator_id"],
        client_reference=k["client_reference"],
        sent_at=k["sent_at"],
        udh=k["udh"] if binary else None,
        media=items if media else (),
    )
    binary_part = mmsdr.Part(content_type="application/octet-stream", data=k["data"])
    return {
        "message_id": k["message_id"],
        "sender": k["sender"],
        "recipients": (k["recipient"],),
        "channel": "mms" if media else "sms",
        "timestamp": k["timestamp"],
        "subject": k["subject"] if media else None,
        "text": None if binary else k["text"],
        "parts": tuple(k["parts"]) if media else (binary_part,) if binary else (),
        "details": inbound,
    }


def _event_count(name: str, kwargs: dict[str, Any]) -> int:
    if name == "telnyx.report":
        return len(kwargs["recipients"])
    if name != "sinch.delivery_report":
        return 1
    statuses = kwargs["statuses"]
    listed = sum(0 if isinstance(given, int) else len(given) for _, _, given in statuses)
    return listed + any(isinstance(given, int) for _, _, given in statuses)


@pytest.mark.parametrize("name", list(mmsdr.FORMATS))
def test_builders_make_the_event_they_are_told(name: str) -> None:
    @PROPERTY
    @given(strategies.arguments(name))
    def check(kwargs: dict[str, Any]) -> None:
        callback = testing.BUILDERS[name](**kwargs).parse(clock=lambda: READ_AT)
        assert len(callback.events) == _event_count(name, kwargs)
        event = callback.events[0]
        expected, callback_details = _typed(name, kwargs)
        warnings = built_warnings(name, kwargs)
        assert (callback.format, callback.warnings, callback.details) == (name, warnings, callback_details)
        assert event.format == name
        if "__class__" in expected:
            assert type(event) is expected.pop("__class__")
        assert {key: getattr(event, key) for key in expected} == expected

    check()


@pytest.mark.parametrize("name", list(mmsdr.FORMATS))
def test_request_for_gives_back_an_equal_event(name: str) -> None:
    @PROPERTY
    @given(strategies.events(name))
    def check(event: mmsdr.Event) -> None:
        request = testing.request_for(event)
        # At the event's time: a Sinch batch report and Twilio's inbound message carry none.
        read = mmsdr.parse_request(request.headers, request.body, request.query, clock=_clock_at(event.timestamp))
        assert read.events == (event,)

    check()


@pytest.mark.parametrize("name", list(mmsdr.FORMATS))
def test_callbacks_hold_events_that_request_for_reproduces(name: str) -> None:
    @PROPERTY
    @given(strategies.callbacks(name))
    def check(callback: mmsdr.Callback) -> None:
        assert isinstance(callback, mmsdr.Callback)
        assert callback.format == name
        assert callback.events
        for event in callback.events:
            assert event.format == name
            request = testing.request_for(event)
            assert request.parse(clock=lambda event=event: event.timestamp).events == (event,)
        assert mmsdr.acknowledge(callback).status == 200

    check()


@PROPERTY
@given(strategies.callbacks())
def test_callbacks_of_every_format_are_acknowledged(callback: mmsdr.Callback) -> None:
    assert callback.format in mmsdr.FORMATS
    assert [event.format for event in callback.events] == [callback.format] * len(callback.events)
    assert mmsdr.acknowledge(callback).status == 200


_KINDS: list[tuple[Callable[[], SearchStrategy[Any]], type[mmsdr.Event], set[str]]] = [
    (
        strategies.delivery_reports,
        mmsdr.DeliveryReport,
        {"mxtelecom", "mm7", "openmarket", "sinch", "twilio", "bandwidth", "telnyx", "vonage"},
    ),
    (strategies.read_reports, mmsdr.ReadReport, {"mxtelecom", "mm7", "twilio", "bandwidth", "vonage"}),
    (
        strategies.inbound_messages,
        mmsdr.InboundMessage,
        {"mxtelecom", "mm7", "openmarket", "sinch", "twilio", "bandwidth", "telnyx", "vonage"},
    ),
    (strategies.unsubscribes, mmsdr.Unsubscribe, {"mxtelecom"}),
    (strategies.subscription_renewals, mmsdr.SubscriptionRenewal, {"mxtelecom"}),
]


@pytest.mark.parametrize(("strategy", "kind", "providers"), _KINDS, ids=[kind.__name__ for _, kind, _ in _KINDS])
def test_strategies_draw_the_event_types_they_name(
    strategy: Callable[[], SearchStrategy[Any]], kind: type[mmsdr.Event], providers: set[str]
) -> None:
    seen: set[str] = set()

    @settings(PROPERTY, max_examples=200, derandomize=True, database=None)  # enough to draw each provider
    @given(strategy())
    def check(event: mmsdr.Event) -> None:
        assert type(event) is kind
        assert event.format in mmsdr.FORMATS
        assert mmsdr.acknowledge(testing.request_for(event).parse()).status == 200
        seen.add(event.provider)

    check()
    assert seen == providers  # every provider that sends this kind is drawn


# --- docs/testing.md -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(testing.BUILDERS))
def test_docs_testing_md_lists_every_builder_with_its_arguments(name: str) -> None:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    builder = testing.BUILDERS[name]
    row = re.search(rf"^\| `{re.escape(name)}` \| `{builder.__name__}\((.*?)\)`", text, flags=re.MULTILINE)
    assert row is not None, name
    if row[1] != "...":  # mm7_read_reply: "the arguments of mm7_delivery_report"
        listed = [argument.partition("=")[0] for argument in row[1].split(", ")]
        assert listed == [argument for argument in inspect.signature(builder).parameters if argument != "path"]


def test_the_example_in_docs_testing_md_runs() -> None:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    example = next(block for block in blocks if "def test_" in block)
    namespace: dict[str, Any] = {"__name__": "docs_testing_example"}
    exec(compile(example, "docs/testing.md", "exec"), namespace)  # noqa: S102 - our own documentation
    tests = [value for key, value in namespace.items() if key.startswith("test_") and callable(value)]
    assert tests
    for test in tests:
        test()

"""mmsdr.testing: the builders, request_for and the strategies, with round-trip properties for every format."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mmsdr
from mmsdr import testing
from mmsdr.__main__ import read_raw_request
from mmsdr.mxtelecom import ReasonCode
from mmsdr.testing import strategies

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "requests").glob("*.http"))
PROPERTY = settings(max_examples=100, deadline=None)


def test_there_is_a_builder_for_every_format() -> None:
    assert set(testing.BUILDERS) == set(mmsdr.FORMATS)


@pytest.mark.parametrize("name", list(mmsdr.FORMATS))
def test_the_default_request_parses_as_its_format(name: str) -> None:
    request = testing.BUILDERS[name]()
    event = request.parse()
    assert event.format == name
    assert event.warnings == ()
    # The wire form reads back into the same request.
    raw = read_raw_request(request.as_http())
    assert (raw.method, raw.target, raw.headers, raw.body) == (
        request.method,
        request.target,
        request.headers,
        request.body,
    )
    assert mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method) == event


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
    event = request.parse()
    assert isinstance(event, mmsdr.InboundMessage)
    assert event.parts == testing.DEFAULT_PARTS
    assert event.text == "This is a text attachment"


def test_mxtelecom_mms_inbound_with_parts_is_a_multipart_post_with_mms_zip() -> None:
    parts = (mmsdr.Part(content_type="text/plain", data="Grüße".encode(), filename="hello.txt"),)
    request = testing.mxtelecom_mms_inbound(parts=parts)
    assert request.method == "POST"
    assert b'name="mms.zip"; filename="mms.zip"' in request.body
    event = request.parse()
    assert isinstance(event, mmsdr.InboundMessage)
    assert event.text == "Grüße"
    assert event.parts == (dataclasses.replace(parts[0], content_id="hello.txt", charset="utf-8"),)


def test_test_request_is_not_collected_by_pytest() -> None:
    assert testing.TestRequest.__test__ is False


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_request_for_reproduces_every_example(path: Path) -> None:
    raw = read_raw_request(path.read_bytes())
    event = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method)
    request = testing.request_for(event)
    assert mmsdr.parse_request(request.headers, request.body, request.query) == event


def test_request_for_refuses_an_event_it_cannot_reproduce() -> None:
    event = testing.mxtelecom_sms_report().parse()
    assert isinstance(event, mmsdr.DeliveryReport)
    forged = dataclasses.replace(event, message_id="999")  # typed field and raw disagree
    with pytest.raises(ValueError, match="cannot reproduce this mxtelecom.sms_report event"):
        testing.request_for(forged)
    with pytest.raises(TypeError, match="takes an mmsdr event"):
        testing.request_for("not an event")  # type: ignore[arg-type]


def test_request_for_refuses_an_event_parsed_with_another_zone() -> None:
    event = testing.mxtelecom_unsubscribe().parse(default_zone="America/New_York")
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
        "assert mmsdr.testing.mxtelecom_sms_report().parse().message_id == '17218733'\n"
        "try:\n"
        "    import mmsdr.testing.strategies\n"
        "except ImportError:\n"
        "    print('blocked')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "blocked\n"


# --- round trips -----------------------------------------------------------------------------------------------


def _typed(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """What the event of ``BUILDERS[name](**kwargs)`` must carry, field by field."""
    k = kwargs
    if name == "mxtelecom.sms_report":
        reason = None if k["reason"] is None else ReasonCode(k["reason"])
        return {
            "message_id": k["message_id"],
            "provider_status": k["status"],
            "recipient": k["recipient"],
            "sender": k["sender"],
            "report_id": k["report_id"],
            "timestamp": k["timestamp"],
            "reason": reason,
            "note": k["note"],
            "network": k["network"],
        }
    if name == "mxtelecom.mms_report":
        return {
            "__class__": mmsdr.DeliveryReport if k["kind"] == "delivery" else mmsdr.ReadReport,
            "report_id": k["report_id"],
            "message_id": k["message_id"],
            "provider_status": str(k["status"]),
            "recipient": k["recipient"],
            "sender": k["sender"],
            "timestamp": k["timestamp"],
            "user_agent": k["user_agent"],
        }
    if name == "mxtelecom.sms_inbound":
        return {
            "message_id": k["message_id"],
            "channel": "sms",
            "sender": k["sender"],
            "recipients": (k["recipient"],),
            "text": k["text"],
            "udh": k["udh"],
            "timestamp": k["timestamp"],
            "network": k["network"],
            "smsc": k["smsc"],
        }
    if name == "mxtelecom.mms_inbound":
        texts = [part.text for part in k["parts"] if part.is_text]
        return {
            "message_id": k["message_id"],
            "channel": "mms",
            "sender": k["sender"],
            "recipients": k["recipients"],
            "cc": k["cc"],
            "subject": k["subject"],
            "network": k["network"],
            "timestamp": k["timestamp"],
            "expiry": None if k["parts"] else k["expiry"],
            "parts": k["parts"],
            "text": "\n".join(texts) if texts else None,
        }
    if name == "mxtelecom.unsubscribe":
        return {key: k[key] for key in ("msisdn", "shortcodes", "source", "timestamp")}
    if name == "mxtelecom.renewal":
        return {key: k[key] for key in ("message_id", "msisdn", "shortcode", "network", "timestamp", "mt_username")}
    if name in {"mm7.delivery_report", "mm7.read_reply"}:
        same = ("message_id", "recipient", "sender", "timestamp", "status_text", "user_agent", "network")
        mm7 = ("transaction_id", "mm7_version", "namespace")
        return {"provider_status": k["status"], **{key: k[key] for key in same + mm7}}
    if name == "mm7.deliver":
        deliver = ("message_id", "sender", "recipients", "cc", "bcc", "subject", "priority", "timestamp", "parts")
        return {key: k[key] for key in (*deliver, "network", "transaction_id", "mm7_version", "namespace")}
    if name == "openmarket.mms_report":
        return {
            "message_id": k["message_id"],
            "provider_status": k["status"],
            "outcome_id": k["outcome_id"],
            "status_text": k["outcome_description"],
            "user_agent": k["user_agent"],
            "timestamp": k["timestamp"],
            "request_id": k["request_id"],
        }
    assert name == "openmarket.mms_inbound"
    inbound = ("message_id", "sender", "recipients", "cc", "bcc", "timestamp", "network", "subject", "user_agent")
    return {key: k[key] for key in (*inbound, "parts", "request_id")}


@pytest.mark.parametrize("name", list(mmsdr.FORMATS))
def test_builders_make_the_event_they_are_told(name: str) -> None:
    @PROPERTY
    @given(strategies.arguments(name))
    def check(kwargs: dict[str, Any]) -> None:
        event = testing.BUILDERS[name](**kwargs).parse()
        assert event.format == name
        assert event.warnings == ()
        expected = _typed(name, kwargs)
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
        assert mmsdr.parse_request(request.headers, request.body, request.query) == event

    check()


@PROPERTY
@given(
    st.one_of(
        strategies.delivery_reports(),
        strategies.read_reports(),
        strategies.inbound_messages(),
        strategies.unsubscribes(),
        strategies.subscription_renewals(),
    )
)
def test_strategies_draw_the_event_types_they_name(event: mmsdr.Event) -> None:
    assert event.format in mmsdr.FORMATS
    assert mmsdr.acknowledge(event).status == 200


# --- docs/testing.md -----------------------------------------------------------------------------------------


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

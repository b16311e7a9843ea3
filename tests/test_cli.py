"""The command line: ``mmsdr parse FILE`` on every example request, and its failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import mmsdr
import mmsdr.testing
from mmsdr.__main__ import main, read_raw_request

EXAMPLES_DIR = Path(__file__).parent.parent / "examples" / "requests"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.http"))


def test_there_is_an_example_for_every_format() -> None:
    parsed_formats = set()
    for path in EXAMPLES:
        raw = read_raw_request(path.read_bytes())
        parsed_formats.add(mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method).format)
    assert parsed_formats == set(mmsdr.FORMATS)


def without_nulls(value: Any) -> Any:
    """``value`` with every None dict value left out, nested dicts and lists included (what ``parse`` prints)."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


def nulls(value: Any, path: str = "$") -> list[str]:
    """Where ``value`` (parsed JSON) holds a null, as JSON paths."""
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in nulls(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in nulls(item, f"{path}[{index}]")]
    return []


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_parse_prints_the_callback_and_the_ack(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(path)]) == 0
    printed = capsys.readouterr().out
    output = json.loads(printed)
    raw = read_raw_request(path.read_bytes())
    # Sinch's batch report carries no time: its timestamp is when the run read it, so that time is the clock here
    # (a clock is read only for a time the request does not carry).
    read_at = datetime.fromisoformat(output["callback"]["events"][0]["timestamp"])
    callback = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method, clock=lambda: read_at)
    ack = mmsdr.acknowledge(callback)
    assert list(output) == ["callback", "ack"]
    assert output["callback"] == without_nulls(callback.to_dict())
    assert output["ack"] == {
        "status": ack.status,
        "headers": [list(header) for header in ack.headers],
        "body": ack.body.decode("utf-8"),
    }
    # A field the format never fills is left out, not printed as null: anywhere in the output.
    assert nulls(output) == []
    assert ": null" not in printed


MX_SMS_REPORT = {
    "callback": {
        "provider": "mxtelecom",
        "format": "mxtelecom.sms_report",
        "events": [
            {
                "type": "DeliveryReport",
                "provider": "mxtelecom",
                "format": "mxtelecom.sms_report",
                "timestamp": "2002-04-30T21:58:00+01:00",
                "dedupe_key": "mxtelecom.sms_report:8abe4b84569251f1d63edb47e84520b4",
                "raw": [
                    ["smsfrom", "447931123456"],
                    ["smsmsg", "REPORT 17218733 DELIVERED"],
                    ["smsto", "913"],
                    ["shortcode", "913"],
                    ["smsid", "17221293"],
                    ["smsdate", "2002-04-30 21:58:00"],
                    ["reason", "1359151616"],
                ],
                "details": {
                    "type": "SmsReportDetails",
                    "report_id": "17221293",
                    "reason": {
                        "value": 1359151616,
                        "hex": "0x51030200",
                        "type_nibble": 5,
                        "billing_nibble": 1,
                        "reason_byte": 3,
                        "reason_byte_2": 2,
                        "network_byte": 0,
                        "billing": "POST_BILLING",
                        "network": "NO_INFORMATION",
                    },
                },
                "message_id": "17218733",
                "status": "delivered",
                "provider_status": "DELIVERED",
                "provider_code": "1359151616",
                "recipient": "447931123456",
                "sender": "913",
            }
        ],
        "warnings": ["field 'smsdate' has no UTC offset: read in Europe/London"],
    },
    "ack": {
        "status": 200,
        "headers": [["Content-Type", "text/plain; charset=utf-8"], ["Content-Length", "2"]],
        "body": "OK",
    },
}

MM7_DELIVERY_REPORT = {
    "callback": {
        "provider": "mm7",
        "format": "mm7.delivery_report",
        "events": [
            {
                "type": "DeliveryReport",
                "provider": "mm7",
                "format": "mm7.delivery_report",
                "timestamp": "2015-03-16T14:03:51.749000+00:00",
                "dedupe_key": "mm7.delivery_report:452cac3b985d2b90dc33a19140fd8ecd",
                "raw": [
                    ["Header/TransactionID", "10000001"],
                    ["Header/TransactionID@mustUnderstand", "1"],
                    ["MM7Version", "6.8.0"],
                    ["MessageID", "369500617770864640"],
                    ["Recipient/Number", "16175550123"],
                    ["Sender/Number", "111122"],
                    ["Date", "2015-03-16T14:03:51.749Z"],
                    ["MMStatus", "Retrieved"],
                    ["StatusText", "Success"],
                    ["UACapabilities", ""],
                    ["UACapabilities@UAProf", "Samsung Galaxy"],
                    [
                        "http:soapaction",
                        '"http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"',
                    ],
                    ["http:content-type", 'multipart/related; type="text/xml";'],
                    ["http:x-mblox-operator-id", "0001890"],
                ],
                "details": {"type": "ReportDetails", "network": "0001890", "user_agent": "Samsung Galaxy"},
                "message_id": "369500617770864640",
                "status": "delivered",
                "provider_status": "Retrieved",
                "recipient": "16175550123",
                "sender": "111122",
                "status_text": "Success",
            }
        ],
        "warnings": [],
        "details": {
            "type": "Envelope",
            "transaction_id": "10000001",
            "mm7_version": "6.8.0",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    },
    "ack": {
        "status": 200,
        "headers": [["Content-Type", "text/xml; charset=utf-8"], ["Content-Length", "599"]],
        "body": '<?xml version="1.0" encoding="UTF-8"?>\n<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">\n<soap-env:Header>\n<TransactionID xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4" soap-env:mustUnderstand="1">10000001</TransactionID>\n</soap-env:Header>\n<soap-env:Body>\n<DeliveryReportRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">\n<MM7Version>6.8.0</MM7Version>\n<Status>\n<StatusCode>1000</StatusCode>\n<StatusText>Success</StatusText>\n</Status>\n</DeliveryReportRsp>\n</soap-env:Body>\n</soap-env:Envelope>\n',
    },
}

OPENMARKET_MMS_REPORT = {
    "callback": {
        "provider": "openmarket",
        "format": "openmarket.mms_report",
        "events": [
            {
                "type": "DeliveryReport",
                "provider": "openmarket",
                "format": "openmarket.mms_report",
                "timestamp": "2014-07-16T19:20:30+00:00",
                "dedupe_key": "openmarket.mms_report:5700f17bce5f173b5ef60281dd6f9be9",
                "raw": [
                    ["type", "REPORT"],
                    ["mtId", "123456789012345"],
                    ["date", "2014-07-16T19:20:30+00:00"],
                    ["status", "Rejected"],
                    ["outcomeId", "9"],
                    ["outcomeDescription", "Recipient not found on mobile operator"],
                    ["userAgent", "HTC One"],
                    ["X-Request-Id", "015-3DD6C366-D68A-4A02-9777-19CBC8AB40C1"],
                ],
                "details": {"type": "ReportDetails", "outcome_id": 9, "user_agent": "HTC One"},
                "message_id": "123456789012345",
                "status": "rejected",
                "provider_status": "Rejected",
                "provider_code": "9",
                "status_text": "Recipient not found on mobile operator",
            }
        ],
        "warnings": ["X-Request-Id is longer than the documented 30 characters"],
        "details": {"type": "RequestDetails", "request_id": "015-3DD6C366-D68A-4A02-9777-19CBC8AB40C1"},
    },
    "ack": {"status": 200, "headers": [["Content-Length", "0"]], "body": ""},
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("mxtelecom-sms-report", MX_SMS_REPORT),
        ("mm7-sinch-delivery-report", MM7_DELIVERY_REPORT),
        ("openmarket-mms-report", OPENMARKET_MMS_REPORT),
    ],
)
def test_parse_prints_exactly_this(name: str, expected: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(EXAMPLES_DIR / f"{name}.http")]) == 0
    assert json.loads(capsys.readouterr().out) == expected


def test_fields_a_format_never_fills_are_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # MX Telecom has no request-level details and no status text; this report has no reason (so no
    # provider_code), no note and no network.
    path = tmp_path / "report.http"
    path.write_bytes(mmsdr.testing.mxtelecom_sms_report(reason=None).as_http())
    assert main(["parse", str(path)]) == 0
    printed = capsys.readouterr().out
    output = json.loads(printed)
    (event,) = output["callback"]["events"]
    assert set(output["callback"]) == {"provider", "format", "events", "warnings"}
    assert set(event) == {
        "type",
        "provider",
        "format",
        "timestamp",
        "dedupe_key",
        "raw",
        "details",
        "message_id",
        "status",
        "provider_status",
        "recipient",
        "sender",
    }
    assert event["details"] == {"type": "SmsReportDetails", "report_id": "17221293"}
    assert nulls(output) == []
    assert ": null" not in printed


@pytest.mark.parametrize("name", list(mmsdr.FORMATS))
def test_no_null_for_any_format(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "request.http"
    path.write_bytes(mmsdr.testing.BUILDERS[name]().as_http())
    assert main(["parse", str(path)]) == 0
    printed = capsys.readouterr().out
    assert nulls(json.loads(printed)) == []
    assert ": null" not in printed


def test_parse_reads_standard_input_and_lf_line_ends() -> None:
    head, _, body = EXAMPLES[0].read_bytes().partition(b"\r\n\r\n")
    request = head.replace(b"\r\n", b"\n") + b"\n\n" + body  # LF in the head; the body's bytes as counted
    result = subprocess.run(
        [sys.executable, "-m", "mmsdr", "parse", "-"], input=request, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ack"]["status"] == 200


def test_rejected_request_exits_1_with_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.http"
    path.write_bytes(b"GET /x?smsmsg=REPORT+1+DELIVERED&smsdate=2002-04-30+21%3A58%3A00 HTTP/1.1\r\n\r\n")
    assert main(["parse", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.err == "mmsdr: mxtelecom.sms_report: field 'smsfrom' is missing\n"
    output = json.loads(captured.out)
    assert output["error"] == {
        "type": "MalformedRequestError",
        "message": "mxtelecom.sms_report: field 'smsfrom' is missing",
        "status_hint": 400,
    }
    assert output["ack"]["status"] == 400


def test_format_option_restricts_the_endpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mo.http"
    path.write_bytes(
        b"GET /mo?smsfrom=1&smsmsg=REPORT+1+DELIVERED&smsto=2&smsid=3&smsdate=2002-04-30+21%3A58%3A00 HTTP/1.1\n\n"
    )
    assert main(["parse", "--format", "mxtelecom.sms_inbound", str(path)]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["callback"]["format"] == "mxtelecom.sms_inbound"
    assert [event["type"] for event in output["callback"]["events"]] == ["InboundMessage"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is not a raw HTTP request: the first line must be 'METHOD TARGET HTTP/1.1', got ''"),
        (b"GET /x HTTP/1.1\r\nno colon here\r\n\r\n", "is not a raw HTTP request: a header line must be 'Name: value'"),
    ],
)
def test_unusable_file_exits_2(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "request.http"
    path.write_bytes(content)
    assert main(["parse", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(tmp_path / "absent.http")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_raw_request_reader() -> None:
    raw = read_raw_request(
        b"POST /cb?a=1 HTTP/1.1\r\nContent-Type: text/xml\r\nX-Long: one\r\n two\r\n\r\n<x/>\r\n\r\nmore"
    )
    assert (raw.method, raw.target, raw.query) == ("POST", "/cb?a=1", "a=1")
    assert raw.headers == (("Content-Type", "text/xml"), ("X-Long", "one two"))
    assert raw.body == b"<x/>\r\n\r\nmore"


@pytest.mark.parametrize("name", list(mmsdr.FORMATS))
def test_sample_prints_a_request_that_parse_accepts(name: str) -> None:
    sample = subprocess.run([sys.executable, "-m", "mmsdr", "sample", name], capture_output=True, check=False)
    assert sample.returncode == 0, sample.stderr
    parsed = subprocess.run(
        [sys.executable, "-m", "mmsdr", "parse", "-"], input=sample.stdout, capture_output=True, check=False
    )
    assert parsed.returncode == 0, parsed.stderr
    output = json.loads(parsed.stdout)
    # At the time the command read it: an event without a provider time (Twilio's inbound) took that time.
    read_at = datetime.fromisoformat(output["callback"]["events"][0]["timestamp"])
    callback = mmsdr.testing.BUILDERS[name]().parse(clock=lambda: read_at)
    assert output["callback"] == without_nulls(callback.to_dict())
    assert output["callback"]["format"] == name
    assert output["ack"]["status"] == mmsdr.acknowledge(callback).status == 200


def test_sample_refuses_an_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", "nosuch.format"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'nosuch.format'" in capsys.readouterr().err


# --- files that are not a request, and the framing of the body ----------------------------------------------

WIDE_TEXT = (
    "the file is {encoding} text (it starts with a {encoding} byte order mark); a request travels as bytes, its "
    "head in ASCII: save the file as UTF-8 or ASCII"
)
UNUSABLE = [
    (
        b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n",
        "it is an HTTP response (its first line is a status line, 'HTTP/1.1 405 Method Not Allowed'), not a request",
    ),
    (
        "GET /x?smsfrom=1 HTTP/1.1\r\n\r\n".encode("utf-16"),
        WIDE_TEXT.format(encoding="UTF-16"),
    ),
    (
        "GET /x?smsfrom=1 HTTP/1.1\r\n\r\n".encode("utf-16-be").join([b"\xfe\xff", b""]),
        WIDE_TEXT.format(encoding="UTF-16"),
    ),
    (
        "GET /x?smsfrom=1 HTTP/1.1\r\n\r\n".encode("utf-32"),
        WIDE_TEXT.format(encoding="UTF-32"),
    ),
    (
        b"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
        "the body is 3 bytes, shorter than its Content-Length (10): the file is cut short",
    ),
    (b"POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\nabc", "Content-Length '-1' is not a number"),
    (
        b"POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 3\r\n\r\nabc",
        "the request has different Content-Length headers: 1, 3",
    ),
]


@pytest.mark.parametrize(("content", "reason"), UNUSABLE)
def test_a_file_that_is_not_a_request_says_why(
    tmp_path: Path, content: bytes, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "saved.http"
    path.write_bytes(content)
    assert main(["parse", str(path)]) == 2
    assert capsys.readouterr() == ("", f"mmsdr: {path} is not a raw HTTP request: {reason}\n")


def test_standard_input_is_named_as_such() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mmsdr", "parse", "-"],
        input=b"HTTP/1.1 200 OK\r\n\r\nOK",
        capture_output=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode() == (
        "mmsdr: standard input is not a raw HTTP request: it is an HTTP response (its first line is a status line, "
        "'HTTP/1.1 200 OK'), not a request\n"
    )


@pytest.mark.parametrize(
    ("body", "read"),
    [
        (b"abc", b"abc"),
        (b"abc\r\n", b"abc"),  # an editor's final line end, or the next request: not this one's body
        (b"abcdef", b"abc"),
    ],
)
def test_the_body_is_content_length_bytes(body: bytes, read: bytes) -> None:
    assert read_raw_request(b"POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\n" + body).body == read
    # Without a Content-Length, or with a Transfer-Encoding (which overrides it), the body is kept as saved.
    assert read_raw_request(b"POST /x HTTP/1.1\r\n\r\n" + body).body == body
    chunked = b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
    assert read_raw_request(chunked + body).body == body


def test_an_mms_inbound_endpoint_refuses_a_read_report(capsys: pytest.CaptureFixture[str]) -> None:
    # "Receiving reports using HTTP": a read report is type 2, as an inbound MMS is; requestid and status are
    # a report's alone.
    path = EXAMPLES_DIR / "mxtelecom-mms-read-report.http"
    assert main(["parse", "--format", "mxtelecom.mms_inbound", str(path)]) == 1
    message = (
        "mxtelecom.mms_inbound: field 'requestid' is only sent with an MMS delivery or read report: "
        "this request is not this format"
    )
    captured = capsys.readouterr()
    assert captured.err == f"mmsdr: {message}\n"
    assert json.loads(captured.out)["error"] == {
        "type": "UnsupportedFormatError",
        "message": message,
        "status_hint": 415,
    }


@pytest.mark.parametrize(
    "command",
    [
        ["parse", str(EXAMPLES_DIR / "mm7-sinch-deliver.http")],
        ["sample", "mm7.deliver"],
    ],
)
def test_a_closed_pipe_ends_quietly(command: list[str]) -> None:
    # `mmsdr parse FILE | head -1` where head has exited: the reading end is closed before anything is written.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "mmsdr", *command], stdout=write_end, stderr=subprocess.PIPE, check=False
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (141, b"")

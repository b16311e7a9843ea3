"""The command line: ``mmsdr parse FILE`` on every example request, and its failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import mmsdr
from mmsdr.__main__ import main, read_raw_request

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "requests").glob("*.http"))


def test_there_is_an_example_for_every_format() -> None:
    parsed_formats = set()
    for path in EXAMPLES:
        raw = read_raw_request(path.read_bytes())
        parsed_formats.add(mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method).format)
    assert parsed_formats == set(mmsdr.FORMATS)


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_parse_prints_the_event_and_the_ack(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(path)]) == 0
    output = json.loads(capsys.readouterr().out)
    raw = read_raw_request(path.read_bytes())
    event = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method)
    ack = mmsdr.acknowledge(event)
    assert output["event"] == {"type": type(event).__name__, **event.to_dict()}
    assert output["ack"]["status"] == ack.status
    assert output["ack"]["headers"] == [list(header) for header in ack.headers]


def test_parse_reads_standard_input_and_lf_line_ends() -> None:
    request = EXAMPLES[0].read_bytes().replace(b"\r\n", b"\n")
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
    assert json.loads(capsys.readouterr().out)["event"]["type"] == "InboundMessage"


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
    assert output["event"]["format"] == name
    assert output["ack"]["status"] == 200


def test_sample_refuses_an_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", "nosuch.format"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'nosuch.format'" in capsys.readouterr().err

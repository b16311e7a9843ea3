"""``mmsdr send FILE URL`` against a real local server: an endpoint for every format at every path, on wsgiref.

(``tests/test_end_to_end.py`` sends the samples to the example app's own endpoints, one per callback kind.)

Bounded: a handful of requests, a 10 s timeout on every socket, and the server stops with the test module.
"""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

import mmsdr
import mmsdr.testing
import mmsdr.wsgi
from mmsdr.__main__ import main, read_raw_request

EXAMPLES_DIR = Path(__file__).parent.parent / "examples" / "requests"
TIMEOUT = 10.0


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # keep the test output clean


class Server:
    def __init__(self) -> None:
        self.received: list[mmsdr.Event] = []
        self.targets: list[str] = []
        self.port = 0


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    state = Server()
    parser = mmsdr.Parser()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING") or ""
        state.targets.append(environ["PATH_INFO"] + (f"?{query}" if query else ""))
        return mmsdr.wsgi.handle(
            environ, start_response, parser, lambda callback: state.received.extend(callback.events)
        )

    httpd = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    httpd.timeout = TIMEOUT
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.port = httpd.server_port
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(TIMEOUT)


def split_response(output: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = output.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, dict(line.split(": ", 1) for line in lines), body


@pytest.mark.parametrize(
    "name", ["mxtelecom-sms-report.http", "mxtelecom-mms-inbound-post.http", "mm7-sinch-deliver.http"]
)
def test_send_posts_a_saved_request_and_prints_the_response(
    server: Server, name: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    server.received.clear()
    path = EXAMPLES_DIR / name
    raw = read_raw_request(path.read_bytes())
    expected = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method)
    ack = mmsdr.acknowledge(expected)
    assert main(["send", str(path), f"http://127.0.0.1:{server.port}"]) == 0
    captured = capsysbinary.readouterr()
    status, headers, body = split_response(captured.out)
    assert (status, body, captured.err) == (f"HTTP/1.0 {ack.status_line}", ack.body, b"")
    assert [(name, headers.get(name)) for name, _ in ack.headers] == list(ack.headers)
    # The same events the file gives to parse_request; WSGI keeps Content-Type apart from the other headers, so
    # the order of the http: fields in raw may differ.
    assert len(server.received) == len(expected.events)
    for got, want in zip(server.received, expected.events, strict=True):
        assert sorted(got.raw.multi_items()) == sorted(want.raw.multi_items())
        assert dataclasses.replace(got, raw=want.raw) == want
    assert server.targets[-1] == raw.target  # to the request's own path, with its query


def test_sample_piped_to_send(server: Server) -> None:
    server.received.clear()
    sample = subprocess.run(
        [sys.executable, "-m", "mmsdr", "sample", "mxtelecom.sms_inbound"], capture_output=True, check=True
    )
    sent = subprocess.run(
        [sys.executable, "-m", "mmsdr", "send", "-", f"http://127.0.0.1:{server.port}/"],
        input=sample.stdout,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert (sent.returncode, sent.stderr) == (0, b"")
    status, _, body = split_response(sent.stdout)
    assert (status, body) == ("HTTP/1.0 200 OK", b"OK")
    assert server.received == list(mmsdr.testing.mxtelecom_sms_inbound().parse().events)


def test_the_url_s_path_replaces_the_saved_one(server: Server, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = EXAMPLES_DIR / "mxtelecom-unsubscribe.http"
    assert main(["send", str(path), f"http://127.0.0.1:{server.port}/elsewhere"]) == 0
    capsysbinary.readouterr()
    assert server.targets[-1] == "/elsewhere?" + read_raw_request(path.read_bytes()).query


def test_a_refused_request_exits_1_with_the_response(
    server: Server, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "bad.http"
    path.write_bytes(b"GET /x?smsmsg=REPORT+1+DELIVERED HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert main(["send", str(path), f"http://127.0.0.1:{server.port}"]) == 1
    status, _, body = split_response(capsysbinary.readouterr().out)
    assert (status, body) == ("HTTP/1.0 400 Bad Request", b"mxtelecom.sms_report: field 'smsfrom' is missing")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "ftp://127.0.0.1/x",
            "mmsdr: URL must be http(s)://host[:port][/path] without a query, got 'ftp://127.0.0.1/x'",
        ),
        (
            "http://127.0.0.1/x?a=1",
            "mmsdr: URL must be http(s)://host[:port][/path] without a query, got 'http://127.0.0.1/x?a=1'",
        ),
        ("127.0.0.1:8000", "mmsdr: URL must be http(s)://host[:port][/path] without a query, got '127.0.0.1:8000'"),
    ],
)
def test_a_url_send_cannot_use_exits_2(url: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", str(EXAMPLES_DIR / "mxtelecom-sms-report.http"), url]) == 2
    assert capsys.readouterr() == ("", f"{message}\n")


def test_an_unreachable_endpoint_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES_DIR / "mxtelecom-sms-report.http"
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["send", str(path), url, "--timeout", "5"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"mmsdr: cannot send {path} to {url}: ")
    assert "refused" in captured.err.lower()

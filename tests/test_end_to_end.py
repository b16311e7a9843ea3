"""End to end: the WSGI example served by a real HTTP server on 127.0.0.1, fed every example request.

wsgiref's server on port 0 (a free port) in a thread; each request is sent over a real socket with
http.client, so the body reaches mmsdr.wsgi through a real ``wsgi.input`` and ``CONTENT_LENGTH``. Bounded:
one request per file plus two, a 10 s timeout on every socket, and the server stops with the test.
"""

from __future__ import annotations

import http.client
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

import mmsdr
from mmsdr.__main__ import read_raw_request

sys.path.insert(0, str(Path(__file__).parent.parent / "examples"))
import wsgi_app

REQUESTS = sorted((Path(__file__).parent.parent / "examples" / "requests").glob("*.http"))
TIMEOUT = 10.0


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # keep the test output clean


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, list[mmsdr.Event]]]:
    received: list[mmsdr.Event] = []
    parser = mmsdr.Parser(trusted_networks=["127.0.0.0/8"], limits=mmsdr.Limits(max_body_bytes=64 * 1024))
    httpd = make_server("127.0.0.1", 0, wsgi_app.create_app(parser, received.append), handler_class=QuietHandler)
    httpd.timeout = TIMEOUT
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd.server_port, received
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(TIMEOUT)


def send(port: int, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> tuple[Any, ...]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", REQUESTS, ids=lambda path: path.stem)
def test_every_example_request_over_http(server: tuple[int, list[mmsdr.Event]], path: Path) -> None:
    port, received = server
    raw = read_raw_request(path.read_bytes())
    expected = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method)
    ack = mmsdr.acknowledge(expected)
    received.clear()
    headers = [(name, value) for name, value in raw.headers if name.lower() != "content-length"]
    status, sent_headers, body = send(port, raw.method, raw.target, headers, raw.body)
    assert (status, body) == (ack.status, ack.body)
    for header in ack.headers:
        assert header in sent_headers
    assert [event.dedupe_key for event in received] == [event.dedupe_key for event in expected.events]
    assert [type(event) for event in received] == [type(event) for event in expected.events]


def test_bad_input_and_an_oversized_body_get_their_acks(server: tuple[int, list[mmsdr.Event]]) -> None:
    port, received = server
    received.clear()
    status, _, body = send(port, "GET", "/x?smsmsg=REPORT+1+DELIVERED&smsdate=2002-04-30+21%3A58%3A00", [], b"")
    assert (status, body) == (400, b"mxtelecom.sms_report: field 'smsfrom' is missing")
    # Declared over the limit: refused before the body is read, so the client need not send it (no unread data
    # left for the server to reset the connection over).
    status, _, _ = send(port, "POST", "/x", [("Content-Type", "application/json"), ("Content-Length", "100000")], b"")
    assert status == 413
    assert received == []

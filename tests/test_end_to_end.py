"""End to end: the WSGI example served by a real HTTP server on 127.0.0.1, fed every example request and every
sample at its endpoint, and ``mmsdr sample | mmsdr send`` to it; ``/mm7``, ``/openmarket`` and ``/bandwidth`` with
the HTTP Basic credentials the server is given, and refused without them; ``/twilio``, ``/sinch`` and ``/telnyx``
with their provider's signature under the secret or key the server is given (Twilio's of the URL under the
server's public URL).

wsgiref's server on port 0 (a free port) in a thread; each request is sent over a real socket with
http.client, so the body reaches mmsdr.wsgi through a real ``wsgi.input`` and ``CONTENT_LENGTH``. Bounded:
one request per file and per sample plus a few, a 10 s timeout on every socket, and a server per test (so that
no test's events are another's retries), stopped with it.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from _support import SigningCheck

import mmsdr
import mmsdr.auth
import mmsdr.sinch
import mmsdr.telnyx
import mmsdr.twilio
import mmsdr.vonage
from mmsdr.__main__ import read_raw_request
from mmsdr.testing import BUILDERS, TestRequest

sys.path.insert(0, str(Path(__file__).parent.parent / "examples"))
import endpoints
import wsgi_app

REQUESTS = sorted((Path(__file__).parent.parent / "examples" / "requests").glob("*.http"))
TIMEOUT = 10.0
# The credentials the server's Basic endpoints are given, as MMSDR_MM7_CREDENTIALS,
# MMSDR_OPENMARKET_CREDENTIALS and MMSDR_BANDWIDTH_CREDENTIALS would give them.
CREDENTIALS = {
    "/mm7": {"vasp": "mm7-password"},
    "/openmarket": {"openmarket": "om-password"},
    "/bandwidth": {"bandwidth": "bw-password"},
}
# Twilio's Auth Token and Sinch's secret, as MMSDR_TWILIO_AUTH_TOKENS and MMSDR_SINCH_SECRETS would give them,
# and the server's MMSDR_PUBLIC_URL: the URL a TLS proxy in front of it would be called at.
SECRETS = {"/twilio": "twilio-auth-token", "/sinch": "sinch-secret"}
PUBLIC_HOST = "callbacks.example.com"
# Telnyx's key: the server is given its public key, as MMSDR_TELNYX_PUBLIC_KEYS would give it.
TELNYX = mmsdr.telnyx.Signature.for_testing(bytes(range(32)))
TELNYX_PUBLIC_KEY = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
# Vonage's signature secret, as MMSDR_VONAGE_SIGNATURE_SECRETS would give it (the method: md5hash, the default).
VONAGE_SECRET = "vonage-signature-secret"  # noqa: S105 - a test secret


def signer(path: str) -> SigningCheck | None:
    """What the endpoint at ``path`` checks, to sign with; None where it checks no credentials."""
    if path in CREDENTIALS:
        return mmsdr.auth.BasicAuth(CREDENTIALS[path])
    if path == "/twilio":
        return mmsdr.twilio.Signature(SECRETS[path])
    if path == "/sinch":
        return mmsdr.sinch.Signature(SECRETS[path])
    if path == "/telnyx":
        return TELNYX
    if path.startswith("/vonage/sms-"):
        return mmsdr.vonage.Signature(VONAGE_SECRET)
    if path.startswith("/vonage/"):
        return mmsdr.vonage.JwtSignature(VONAGE_SECRET)
    return None


def authorization(
    method: str, target: str, headers: list[tuple[str, str]], body: bytes
) -> tuple[str, list[tuple[str, str]], bytes]:
    """The target, the headers to add and the body for the endpoint at ``target``: Basic credentials or its
    provider's signature (Twilio's of the URL under the public URL; Vonage's SMS API ``sig`` in the query or the
    body); the request as it is where the endpoint checks no credentials."""
    auth = signer(target.partition("?")[0])
    if auth is None:
        return target, [], body
    kept = tuple((name, value) for name, value in headers if name.lower() != "host")
    request = TestRequest(method=method, target=target, headers=(("Host", PUBLIC_HOST), *kept), body=body)
    signed = request.signed(auth)
    return signed.target, [header for header in signed.headers if header not in request.headers], signed.body


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # keep the test output clean


@pytest.fixture
def server() -> Iterator[tuple[int, list[mmsdr.Event]]]:
    received: list[mmsdr.Event] = []
    parsers = endpoints.parsers(
        mxtelecom_networks=["127.0.0.0/8"],
        mm7_credentials=CREDENTIALS["/mm7"],
        openmarket_credentials=CREDENTIALS["/openmarket"],
        twilio_auth_tokens=[SECRETS["/twilio"]],
        sinch_secrets=[SECRETS["/sinch"]],
        bandwidth_credentials=CREDENTIALS["/bandwidth"],
        telnyx_public_keys=[TELNYX_PUBLIC_KEY],
        vonage_signature_secrets=[VONAGE_SECRET],
        limits=mmsdr.Limits(max_body_bytes=64 * 1024),
    )
    app = wsgi_app.create_app(parsers, received.append, public_url=f"https://{PUBLIC_HOST}")
    httpd = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
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
def test_every_example_request_over_http_at_its_format_s_endpoint(
    server: tuple[int, list[mmsdr.Event]], path: Path
) -> None:
    port, received = server
    raw = read_raw_request(path.read_bytes())
    expected = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method)
    ack = mmsdr.acknowledge(expected)
    received.clear()
    # The file's own path is where its provider once posted it; the example's is the builder's for the format.
    endpoint = BUILDERS[expected.format]().path
    headers = [(name, value) for name, value in raw.headers if name.lower() != "content-length"]
    target, added, sent_body = authorization(
        raw.method, endpoint + (f"?{raw.query}" if raw.query else ""), headers, raw.body
    )
    status, sent_headers, body = send(port, raw.method, target, [*headers, *added], sent_body)
    assert (status, body) == (ack.status, ack.body)
    for header in ack.headers:
        assert header in sent_headers
    assert [event.dedupe_key for event in received] == [event.dedupe_key for event in expected.events]
    assert [type(event) for event in received] == [type(event) for event in expected.events]


def test_bad_input_and_an_oversized_body_get_their_acks(server: tuple[int, list[mmsdr.Event]]) -> None:
    port, received = server
    received.clear()
    target = "/mxtelecom/sms-report?smsmsg=REPORT+1+DELIVERED&smsdate=2002-04-30+21%3A58%3A00"
    status, _, body = send(port, "GET", target, [], b"")
    assert (status, body) == (400, b"mxtelecom.sms_report: field 'smsfrom' is missing")
    # Declared over the limit: refused before the body is read, so the client need not send it (no unread data
    # left for the server to reset the connection over).
    headers = [("Content-Type", "application/json"), ("Content-Length", "100000")]
    status, _, _ = send(port, "POST", "/openmarket", headers, b"")
    assert status == 413
    status, _, body = send(port, "GET", "/callbacks", [], b"")
    assert (status, body) == (404, b"no callback endpoint at this path")
    assert received == []


@pytest.mark.parametrize("name", BUILDERS)
def test_a_sample_piped_to_send_reaches_its_endpoint(server: tuple[int, list[mmsdr.Event]], name: str) -> None:
    # `mmsdr sample FORMAT | mmsdr send - http://HOST:PORT`, as docs/testing.md says, with no path given.
    port, received = server
    received.clear()
    sample = subprocess.run([sys.executable, "-m", "mmsdr", "sample", name], capture_output=True, check=True)
    # Where the endpoint checks credentials or a signature, the lines a user adds under the request line.
    request_line, _, rest = sample.stdout.partition(b"\r\n")
    request = BUILDERS[name]()
    target, signed, body = authorization(request.method, request.target, list(request.headers), request.body)
    added = b"".join(f"{header}: {value}\r\n".encode() for header, value in signed)
    if target != request.target:  # Vonage's SMS API signs in the query: the request line changes
        request_line = f"{request.method} {target} HTTP/1.1".encode()
    if body != request.body:  # or in the form body
        rest = rest.replace(request.body, body).replace(
            f"Content-Length: {len(request.body)}".encode(), f"Content-Length: {len(body)}".encode()
        )
    sent = subprocess.run(
        [sys.executable, "-m", "mmsdr", "send", "-", f"http://127.0.0.1:{port}"],
        input=request_line + b"\r\n" + added + rest,
        capture_output=True,
        check=False,
        timeout=60,
    )
    expected = BUILDERS[name]().parse()
    ack = mmsdr.acknowledge(expected)
    assert (sent.returncode, sent.stderr) == (0, b"")
    assert sent.stdout.startswith(f"HTTP/1.0 {ack.status_line}\r\n".encode())
    assert sent.stdout.endswith(b"\r\n\r\n" + ack.body)
    assert [(type(event), event.dedupe_key) for event in received] == [
        (type(event), event.dedupe_key) for event in expected.events
    ]


@pytest.mark.parametrize(
    ("name", "path"),
    [("mm7.deliver", "/mm7"), ("openmarket.mms_inbound", "/openmarket"), ("bandwidth.inbound", "/bandwidth")],
)
def test_a_sample_without_credentials_is_refused_with_the_challenge(
    server: tuple[int, list[mmsdr.Event]], name: str, path: str
) -> None:
    port, received = server
    received.clear()
    sample = subprocess.run([sys.executable, "-m", "mmsdr", "sample", name], capture_output=True, check=True)
    sent = subprocess.run(
        [sys.executable, "-m", "mmsdr", "send", "-", f"http://127.0.0.1:{port}"],
        input=sample.stdout,
        capture_output=True,
        check=False,
        timeout=60,
    )
    with pytest.raises(mmsdr.AuthenticationError) as refused:
        BUILDERS[name]().parse(formats=path.lstrip("/"), auth=mmsdr.auth.BasicAuth(CREDENTIALS[path], realm="mmsdr"))
    ack = refused.value.ack
    assert (sent.returncode, sent.stderr, ack.status) == (1, b"", 401)
    assert sent.stdout.startswith(b"HTTP/1.0 401 Unauthorized\r\n")
    assert b'\r\nWWW-Authenticate: Basic realm="mmsdr", charset="UTF-8"\r\n' in sent.stdout
    assert sent.stdout.endswith(b"\r\n\r\n" + ack.body)
    assert received == []

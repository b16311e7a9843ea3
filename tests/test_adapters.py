"""mmsdr.wsgi and mmsdr.asgi: bounded body reading, client addresses behind proxies, acks sent back."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import mmsdr
import mmsdr.asgi
import mmsdr.dedupe
import mmsdr.testing
import mmsdr.wsgi
from mmsdr.__main__ import read_raw_request

REQUESTS = sorted((Path(__file__).parent.parent / "examples" / "requests").glob("*.http"))
SMALL = mmsdr.Limits(max_body_bytes=100)
PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]

# --- client addresses -----------------------------------------------------------------------------------

# (peer, headers, trusted_proxies, forwarded_header, expected)
CLIENT_ADDRESS_CASES: list[tuple[str | None, list[tuple[str, str]], list[str] | None, str, str | None]] = [
    # No trusted proxies: the socket is the answer, whatever the headers say.
    ("203.0.113.7", [], None, "x-forwarded-for", "203.0.113.7"),
    ("203.0.113.7", [("x-forwarded-for", "83.166.68.5")], None, "x-forwarded-for", "203.0.113.7"),
    ("10.0.0.1", [("x-forwarded-for", "83.166.68.5")], None, "x-forwarded-for", "10.0.0.1"),
    ("10.0.0.1", [("x-forwarded-for", "83.166.68.5")], [], "x-forwarded-for", "10.0.0.1"),
    # A peer that is not one of our proxies sent the header itself: ignored (direct spoofing).
    ("203.0.113.7", [("x-forwarded-for", "83.166.68.5")], PROXIES, "x-forwarded-for", "203.0.113.7"),
    ("203.0.113.7", [("forwarded", "for=83.166.68.5")], PROXIES, "forwarded", "203.0.113.7"),
    # Through one proxy: the entry it appended.
    ("10.0.0.1", [("x-forwarded-for", "83.166.68.5")], PROXIES, "x-forwarded-for", "83.166.68.5"),
    # The client prepends a provider address; the proxy appends the real one, which wins.
    ("10.0.0.1", [("x-forwarded-for", "83.166.68.5, 203.0.113.7")], PROXIES, "x-forwarded-for", "203.0.113.7"),
    # Two proxies: skip the inner one, take the first untrusted from the right.
    (
        "10.0.0.1",
        [("x-forwarded-for", "83.166.68.5, 203.0.113.7, 10.0.0.2")],
        PROXIES,
        "x-forwarded-for",
        "203.0.113.7",
    ),
    # Repeated header lines are one list, in order: the spoofed first line is to the left.
    (
        "10.0.0.1",
        [("x-forwarded-for", "83.166.68.5"), ("x-forwarded-for", "203.0.113.7")],
        PROXIES,
        "x-forwarded-for",
        "203.0.113.7",
    ),
    # A client writing a trusted proxy's address to the left does not get past its own entry.
    ("10.0.0.1", [("x-forwarded-for", "10.0.0.9, 198.51.100.1")], PROXIES, "x-forwarded-for", "198.51.100.1"),
    # Every entry a proxy: the left-most; no header: the peer (the proxy's own request).
    ("10.0.0.1", [("x-forwarded-for", "10.0.0.3, 10.0.0.2")], PROXIES, "x-forwarded-for", "10.0.0.3"),
    ("10.0.0.1", [], PROXIES, "x-forwarded-for", "10.0.0.1"),
    # Garbage where the proxy's entry should be is returned as written, so no trust check passes.
    ("10.0.0.1", [("x-forwarded-for", "83.166.68.5, unknown")], PROXIES, "x-forwarded-for", "unknown"),
    ("10.0.0.1", [("x-forwarded-for", "83.166.68.5,")], PROXIES, "x-forwarded-for", ""),
    # Ports and IPv6 forms.
    ("10.0.0.1", [("x-forwarded-for", "83.166.68.5:4711")], PROXIES, "x-forwarded-for", "83.166.68.5"),
    ("10.0.0.1", [("x-forwarded-for", "2001:db8::1")], PROXIES, "x-forwarded-for", "2001:db8::1"),
    ("2001:db8:ffff::5", [("x-forwarded-for", "[2001:db8::1]:80")], PROXIES, "x-forwarded-for", "2001:db8::1"),
    ("::ffff:10.0.0.1", [("x-forwarded-for", "83.166.68.5")], PROXIES, "x-forwarded-for", "83.166.68.5"),
    # Only the header named is read: a client-made Forwarded beside the proxy's X-Forwarded-For is ignored.
    (
        "10.0.0.1",
        [("forwarded", "for=83.166.68.5"), ("x-forwarded-for", "203.0.113.7")],
        PROXIES,
        "x-forwarded-for",
        "203.0.113.7",
    ),
    ("10.0.0.1", [("x-forwarded-for", "83.166.68.5")], PROXIES, "forwarded", "10.0.0.1"),
    # RFC 7239 Forwarded.
    ("10.0.0.1", [("forwarded", "for=83.166.68.5;proto=https")], PROXIES, "forwarded", "83.166.68.5"),
    (
        "10.0.0.1",
        [("forwarded", 'for=83.166.68.5, for="[2001:db8::1]:4711";by=10.0.0.1')],
        PROXIES,
        "forwarded",
        "2001:db8::1",
    ),
    ("10.0.0.1", [("forwarded", "for=83.166.68.5, for=10.0.0.2")], PROXIES, "forwarded", "83.166.68.5"),
    ("10.0.0.1", [("forwarded", 'for="83.166.68.5, for=1.2.3.4"')], PROXIES, "forwarded", "83.166.68.5, for=1.2.3.4"),
    ("10.0.0.1", [("forwarded", "for=83.166.68.5, proto=https")], PROXIES, "forwarded", "unknown"),
    ("10.0.0.1", [("forwarded", "for=_hidden")], PROXIES, "forwarded", "_hidden"),
    # No peer (a Unix socket): nothing to trust.
    (None, [("x-forwarded-for", "83.166.68.5")], PROXIES, "x-forwarded-for", None),
]


@pytest.mark.parametrize(("peer", "headers", "proxies", "header", "expected"), CLIENT_ADDRESS_CASES)
def test_client_address(
    peer: str | None, headers: list[tuple[str, str]], proxies: list[str] | None, header: Any, expected: str | None
) -> None:
    assert mmsdr.wsgi.client_address(peer, headers, trusted_proxies=proxies, forwarded_header=header) == expected


def test_a_garbage_client_address_is_not_trusted() -> None:
    address = mmsdr.wsgi.client_address("10.0.0.1", [("x-forwarded-for", "unknown")], trusted_proxies=PROXIES)
    assert not mmsdr.is_trusted_source(address)


# --- WSGI -----------------------------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """A ``wsgi.input`` that records how much was read and hands out at most ``step`` bytes per read."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        super().__init__(data)
        self.consumed = 0
        self.step = step

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self.step
        chunk = super().read(min(size, self.step))
        self.consumed += len(chunk)
        return chunk


def environ_of(raw: bytes, *, remote: str = "83.166.68.5", **extra: Any) -> dict[str, Any]:
    request = read_raw_request(raw)
    path, _, query = request.target.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": remote,
        "wsgi.input": CountingStream(request.body),
    }
    if request.body:
        environ["CONTENT_LENGTH"] = str(len(request.body))  # as a client sends it; some files leave it out
    for name, value in request.headers:
        key = name.upper().replace("-", "_")
        environ[key if key in {"CONTENT_TYPE", "CONTENT_LENGTH"} else f"HTTP_{key}"] = value
    environ.update(extra)
    return environ


def read_at() -> datetime:
    """One clock for both parses: Sinch's batch report and Twilio's inbound message carry no time, and take the
    time of reading."""
    return datetime(2026, 7, 17, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("path", REQUESTS, ids=lambda path: path.stem)
def test_wsgi_request_parses_like_the_raw_request(path: Path) -> None:
    raw = read_raw_request(path.read_bytes())
    expected = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method, clock=read_at)
    request = mmsdr.wsgi.request_from_environ(environ_of(path.read_bytes()))
    assert request.body == raw.body
    assert request.method == raw.method
    assert request.remote_address == "83.166.68.5"
    assert request.parse(mmsdr.Parser(clock=read_at)) == expected


def test_wsgi_query_keeps_the_bytes_sent() -> None:
    # PEP 3333 hands over the raw query bytes as latin-1 text: a Latin-9 SMS text must come back as sent.
    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": "text=\u00e9t\u00e9", "wsgi.input": io.BytesIO()}
    assert mmsdr.wsgi.request_from_environ(environ).query == b"text=\xe9t\xe9"


def test_wsgi_reads_content_length_bytes_through_short_reads() -> None:
    stream = CountingStream(b"a=1&b=2" * 10 + b"trailing garbage", step=3)
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "70", "wsgi.input": stream}
    assert mmsdr.wsgi.request_from_environ(environ).body == b"a=1&b=2" * 10
    assert stream.consumed == 70


def test_wsgi_refuses_a_declared_length_over_the_limit_unread() -> None:
    stream = CountingStream(b"x" * 1000)
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "1000", "wsgi.input": stream}
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        mmsdr.wsgi.request_from_environ(environ, limits=SMALL)
    assert caught.value.ack.status == 413
    assert stream.consumed == 0


@pytest.mark.parametrize("size", [100, 101, 10_000])
def test_wsgi_terminated_input_is_read_to_the_limit_plus_one(size: int) -> None:
    stream = CountingStream(b"x" * size)
    environ = {"REQUEST_METHOD": "POST", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}
    environ["wsgi.input"] = stream
    if size <= 100:
        assert mmsdr.wsgi.request_from_environ(environ, limits=SMALL).body == b"x" * size
    else:
        with pytest.raises(mmsdr.LimitExceededError):
            mmsdr.wsgi.request_from_environ(environ, limits=SMALL)
    assert stream.consumed <= 101


def test_wsgi_chunked_input_the_server_does_not_terminate_is_refused_with_411() -> None:
    stream = CountingStream(b"x" * 10)
    environ = {"REQUEST_METHOD": "POST", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": stream}
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        mmsdr.wsgi.request_from_environ(environ)
    assert caught.value.ack.status == 411
    assert stream.consumed == 0


def test_wsgi_without_content_length_reads_nothing() -> None:
    stream = CountingStream(b"x" * 10)
    assert mmsdr.wsgi.request_from_environ({"REQUEST_METHOD": "POST", "wsgi.input": stream}).body == b""
    assert stream.consumed == 0


@pytest.mark.parametrize("value", ["abc", "-1", "1e3", "\u0661\u0662"])
def test_wsgi_refuses_a_bad_content_length(value: str) -> None:
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": value, "wsgi.input": io.BytesIO(b"x")}
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        mmsdr.wsgi.request_from_environ(environ)
    assert caught.value.ack.status == 400


def test_wsgi_refuses_a_body_shorter_than_its_content_length() -> None:
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "10", "wsgi.input": io.BytesIO(b"x")}
    with pytest.raises(mmsdr.MalformedRequestError, match="1 of its 10 bytes"):
        mmsdr.wsgi.request_from_environ(environ)


def test_wsgi_reads_the_client_address_through_trusted_proxies_only() -> None:
    environ = {"REQUEST_METHOD": "GET", "REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 83.166.68.5"}
    assert mmsdr.wsgi.request_from_environ(environ).remote_address == "10.0.0.1"
    assert mmsdr.wsgi.request_from_environ(environ, trusted_proxies=PROXIES).remote_address == "83.166.68.5"


def test_wsgi_respond() -> None:
    started: list[Any] = []
    ack = mmsdr.Ack.plain_text(413, "too big")
    body = mmsdr.wsgi.respond(ack, lambda status, headers: started.extend([status, headers]))
    assert started == ["413 Request Entity Too Large", list(ack.headers)]
    assert body == [b"too big"]


def call_wsgi_handle(environ: dict[str, Any], parser: mmsdr.Parser, **options: Any) -> tuple[Any, list[Any], bytes]:
    received: list[mmsdr.Callback] = []
    started: list[Any] = []
    body = mmsdr.wsgi.handle(
        environ, lambda status, headers: started.extend([status, headers]), parser, received.append, **options
    )
    return started[0], received, b"".join(body)


def test_wsgi_handle_acknowledges_hands_over_and_rejects() -> None:
    raw = (Path(__file__).parent.parent / "examples" / "requests" / "mxtelecom-sms-report.http").read_bytes()
    parser = mmsdr.Parser(trusted_networks=mmsdr.mxtelecom.NETWORKS)
    status, received, body = call_wsgi_handle(environ_of(raw), parser)
    assert (status, body) == ("200 OK", b"OK")
    assert received == [mmsdr.parse_request(*environ_args(raw))]
    # Spoofed: the header names a provider address, but the peer is not a trusted proxy.
    spoofed = environ_of(raw, remote="203.0.113.7", HTTP_X_FORWARDED_FOR="83.166.68.5")
    status, received, _ = call_wsgi_handle(spoofed, parser, trusted_proxies=PROXIES)
    assert (status, received) == ("403 Forbidden", [])
    proxied = environ_of(raw, remote="10.0.0.1", HTTP_X_FORWARDED_FOR="83.166.68.5")
    status, received, _ = call_wsgi_handle(proxied, parser, trusted_proxies=PROXIES)
    assert (status, len(received)) == ("200 OK", 1)


def environ_args(raw: bytes) -> tuple[Any, ...]:
    request = read_raw_request(raw)
    return request.headers, request.body, request.query


def test_wsgi_handle_rejects_an_oversized_body_with_413() -> None:
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "1000", "wsgi.input": CountingStream(b"x" * 1000)}
    status, received, _ = call_wsgi_handle(environ, mmsdr.Parser(limits=SMALL))
    assert (status, received) == ("413 Request Entity Too Large", [])


def test_wsgi_handle_lets_an_application_error_through() -> None:
    raw = (Path(__file__).parent.parent / "examples" / "requests" / "mxtelecom-sms-report.http").read_bytes()

    def fail(callback: mmsdr.Callback) -> None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        mmsdr.wsgi.handle(environ_of(raw), lambda *args: None, mmsdr.Parser(), fail)


# --- ASGI -----------------------------------------------------------------------------------------------


class Receiver:
    """An ASGI ``receive`` over body chunks, counting how many messages were taken."""

    def __init__(self, chunks: list[bytes], *, disconnect: bool = False) -> None:
        self.messages: list[dict[str, Any]] = [
            {"type": "http.request", "body": chunk, "more_body": disconnect or i < len(chunks) - 1}
            for i, chunk in enumerate(chunks)
        ]
        if disconnect:
            self.messages.append({"type": "http.disconnect"})
        self.taken = 0

    async def __call__(self) -> dict[str, Any]:
        self.taken += 1
        return self.messages.pop(0)


def scope_of(raw: bytes, *, client: tuple[str, int] | None = ("83.166.68.5", 40000)) -> dict[str, Any]:
    request = read_raw_request(raw)
    return {
        "type": "http",
        "method": request.method,
        "path": request.target.partition("?")[0],
        "query_string": request.query.encode("latin-1"),
        "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in request.headers],
        "client": client,
    }


@pytest.mark.parametrize("path", REQUESTS, ids=lambda path: path.stem)
def test_asgi_request_parses_like_the_raw_request(path: Path) -> None:
    raw = read_raw_request(path.read_bytes())
    expected = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method, clock=read_at)
    chunks = [raw.body[i : i + 100] for i in range(0, len(raw.body), 100)] or [b""]
    request = asyncio.run(mmsdr.asgi.request_from_scope(scope_of(path.read_bytes()), Receiver(chunks)))
    assert request.body == raw.body
    assert request.remote_address == "83.166.68.5"
    assert request.parse(mmsdr.Parser(clock=read_at)) == expected


def test_asgi_stops_receiving_past_the_limit() -> None:
    receive = Receiver([b"x" * 60] * 10)
    scope = {"type": "http", "method": "POST", "headers": [], "query_string": b""}
    with pytest.raises(mmsdr.LimitExceededError):
        asyncio.run(mmsdr.asgi.request_from_scope(scope, receive, limits=SMALL))
    assert receive.taken == 2


def test_asgi_refuses_a_declared_length_over_the_limit_unreceived() -> None:
    receive = Receiver([b"x" * 1000])
    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"1000")], "query_string": b""}
    with pytest.raises(mmsdr.LimitExceededError):
        asyncio.run(mmsdr.asgi.request_from_scope(scope, receive, limits=SMALL))
    assert receive.taken == 0


def test_asgi_refuses_too_many_headers() -> None:
    scope = {"type": "http", "method": "POST", "headers": [(b"x-a", b"1")] * 300, "query_string": b""}
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        asyncio.run(mmsdr.asgi.request_from_scope(scope, Receiver([b""])))
    assert caught.value.status_hint == 431


def test_asgi_client_disconnect_is_a_malformed_request() -> None:
    scope = {"type": "http", "method": "POST", "headers": [], "query_string": b""}
    with pytest.raises(mmsdr.MalformedRequestError, match="disconnected"):
        asyncio.run(mmsdr.asgi.request_from_scope(scope, Receiver([b"abc"], disconnect=True)))


def test_asgi_needs_an_http_scope() -> None:
    with pytest.raises(ValueError, match="'http' scope"):
        asyncio.run(mmsdr.asgi.request_from_scope({"type": "websocket"}, Receiver([])))


def test_asgi_reads_the_client_address_through_trusted_proxies_only() -> None:
    raw = b"GET /x HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4, 83.166.68.5\r\n\r\n"
    scope = scope_of(raw, client=("10.0.0.1", 1234))
    plain = asyncio.run(mmsdr.asgi.request_from_scope(scope, Receiver([b""])))
    proxied = asyncio.run(mmsdr.asgi.request_from_scope(scope, Receiver([b""]), trusted_proxies=PROXIES))
    without_client = asyncio.run(mmsdr.asgi.request_from_scope(scope_of(raw, client=None), Receiver([b""])))
    assert (plain.remote_address, proxied.remote_address, without_client.remote_address) == (
        "10.0.0.1",
        "83.166.68.5",
        None,
    )


UNDERSCORED = (
    "request: a header 'x_forwarded_for' came through the trusted proxy: servers can merge it with "
    "'x-forwarded-for', so the client address is unknown"
)


@pytest.mark.parametrize(
    "headers",
    [
        [("x-forwarded-for", "83.166.68.5"), ("x_forwarded_for", "83.166.68.9")],
        [("X_Forwarded_For", "83.166.68.9")],
    ],
)
def test_an_underscored_forwarded_header_through_a_proxy_is_refused(headers: list[tuple[str, str]]) -> None:
    with pytest.raises(mmsdr.UntrustedSourceError) as caught:
        mmsdr.wsgi.client_address("10.0.0.1", headers, trusted_proxies=PROXIES)
    assert (str(caught.value), caught.value.status_hint) == (UNDERSCORED, 403)
    # Not through a proxy: the peer is the answer and the headers are not read.
    assert mmsdr.wsgi.client_address("83.166.68.1", headers, trusted_proxies=PROXIES) == "83.166.68.1"


def test_asgi_handle_answers_an_underscored_forwarded_header_with_403() -> None:
    raw = b"GET /x HTTP/1.1\r\nX-Forwarded-For: 83.166.68.5\r\nX_Forwarded_For: 83.166.68.9\r\n\r\n"
    sent = run_asgi_handle(
        scope_of(raw, client=("10.0.0.1", 1234)), [b""], mmsdr.Parser(), lambda callback: None, PROXIES
    )
    assert (sent[0]["status"], sent[1]["body"]) == (403, UNDERSCORED.encode())


def test_an_underscored_forwarded_header_is_a_logged_refusal(caplog: pytest.LogCaptureFixture) -> None:
    raw = b"GET /x?a=1 HTTP/1.1\r\nX-Forwarded-For: 83.166.68.5\r\nX_Forwarded_For: 83.166.68.9\r\n\r\n"
    with pytest.raises(mmsdr.UntrustedSourceError) as caught:
        asyncio.run(
            mmsdr.asgi.request_from_scope(
                scope_of(raw, client=("10.0.0.1", 1234)), Receiver([b""]), trusted_proxies=PROXIES
            )
        )
    assert caught.value.request is not None
    assert (caught.value.request.remote_address, caught.value.request.query) == ("10.0.0.1", b"a=1")
    assert [record.getMessage() for record in caplog.records] == [f"refused (403 UntrustedSourceError): {UNDERSCORED}"]


def run_asgi_handle(
    scope: dict[str, Any],
    chunks: list[bytes],
    parser: mmsdr.Parser,
    on_event: Any,
    trusted_proxies: list[str] | None = None,
) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(mmsdr.asgi.handle(scope, Receiver(chunks), send, parser, on_event, trusted_proxies=trusted_proxies))
    return sent


@pytest.mark.parametrize("asynchronous", [False, True])
def test_asgi_handle_acknowledges_and_hands_over(asynchronous: bool) -> None:
    raw = (Path(__file__).parent.parent / "examples" / "requests" / "mm7-sinch-deliver.http").read_bytes()
    request = read_raw_request(raw)
    expected = mmsdr.parse_request(request.headers, request.body, request.query, method=request.method)
    received: list[mmsdr.Callback] = []

    async def store(callback: mmsdr.Callback) -> None:
        received.append(callback)

    sent = run_asgi_handle(scope_of(raw), [request.body], mmsdr.Parser(), store if asynchronous else received.append)
    ack = mmsdr.acknowledge(expected)
    assert sent[0] == {
        "type": "http.response.start",
        "status": ack.status,
        "headers": [(name.encode(), value.encode()) for name, value in ack.headers],
    }
    assert sent[1] == {"type": "http.response.body", "body": ack.body}
    assert received == [expected]


def test_asgi_handle_rejects_with_the_error_ack() -> None:
    raw = b"GET /x?smsmsg=REPORT+1+DELIVERED HTTP/1.1\r\n\r\n"
    received: list[mmsdr.Callback] = []
    sent = run_asgi_handle(scope_of(raw), [b""], mmsdr.Parser(formats="mxtelecom.sms_report"), received.append)
    assert sent[0]["status"] == 400
    assert sent[1]["body"] == b"mxtelecom.sms_report: field 'smsfrom' is missing"
    assert received == []


# --- a dedupe store that is down: the provider's own "send it again" ------------------------------------------

EXAMPLE_REQUESTS = Path(__file__).parent.parent / "examples" / "requests"
MM7_FAULT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">\n'
    b"<soap-env:Header>\n"
    b'<TransactionID xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4" '
    b'soap-env:mustUnderstand="1">{transaction_id}</TransactionID>\n'
    b"</soap-env:Header>\n"
    b"<soap-env:Body>\n"
    b"<soap-env:Fault>\n"
    b"<faultcode>soap-env:Server</faultcode>\n"
    b"<faultstring>Service unavailable</faultstring>\n"
    b"<detail>\n"
    b'<VASPErrorRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">\n'
    b"<MM7Version>6.8.0</MM7Version>\n"
    b"<Status>\n"
    b"<StatusCode>4006</StatusCode>\n"
    b"<StatusText>Service unavailable</StatusText>\n"
    b"</Status>\n"
    b"</VASPErrorRsp>\n"
    b"</detail>\n"
    b"</soap-env:Fault>\n"
    b"</soap-env:Body>\n"
    b"</soap-env:Envelope>\n"
)
MX_RETRY = mmsdr.Ack(
    status=503,
    headers=(
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", "49"),
        ("X-Content-Type-Options", "nosniff"),
    ),
    body=b"not processed now; send this callback again later",
)


def expected_retry(name: str) -> tuple[mmsdr.Callback, mmsdr.Ack]:
    """The callback of ``examples/requests/<name>.http`` and the retry answer its provider expects, written out."""
    request = read_raw_request((EXAMPLE_REQUESTS / f"{name}.http").read_bytes())
    callback = mmsdr.parse_request(request.headers, request.body, request.query, method=request.method)
    if callback.provider == "mxtelecom":
        return callback, MX_RETRY
    assert isinstance(callback.details, mmsdr.mm7.Envelope)
    body = MM7_FAULT.replace(b"{transaction_id}", callback.details.transaction_id.encode())
    headers = (("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body))))
    return callback, mmsdr.Ack(status=500, headers=headers, body=body)


RETRIED = ["mm7-sinch-deliver", "mm7-sinch-delivery-report", "mxtelecom-sms-report", "mxtelecom-mms-inbound-get"]


def store_down(callback: mmsdr.Callback) -> None:
    raise mmsdr.dedupe.DedupeStoreError("dedupe store: connection refused", key=callback.events[0].dedupe_key)


@pytest.mark.parametrize("name", RETRIED)
def test_wsgi_handle_answers_a_dedupe_store_error_with_the_retry_ack(name: str) -> None:
    callback, retry = expected_retry(name)
    assert mmsdr.acknowledge(callback, retry=True) == retry
    started: list[Any] = []
    raw = (EXAMPLE_REQUESTS / f"{name}.http").read_bytes()
    body = mmsdr.wsgi.handle(
        environ_of(raw), lambda status, headers: started.extend([status, headers]), mmsdr.Parser(), store_down
    )
    assert started == [retry.status_line, list(retry.headers)]
    assert b"".join(body) == retry.body


@pytest.mark.parametrize("asynchronous", [False, True])
@pytest.mark.parametrize("name", RETRIED)
def test_asgi_handle_answers_a_dedupe_store_error_with_the_retry_ack(name: str, asynchronous: bool) -> None:
    _, retry = expected_retry(name)
    raw = (EXAMPLE_REQUESTS / f"{name}.http").read_bytes()

    async def store_down_async(callback: mmsdr.Callback) -> None:
        store_down(callback)

    on_callback = store_down_async if asynchronous else store_down
    sent = run_asgi_handle(scope_of(raw), [read_raw_request(raw).body], mmsdr.Parser(), on_callback)
    assert sent == [
        {
            "type": "http.response.start",
            "status": retry.status,
            "headers": [(name.encode(), value.encode()) for name, value in retry.headers],
        },
        {"type": "http.response.body", "body": retry.body},
    ]


def test_handle_lets_other_errors_of_the_application_through_unanswered() -> None:
    raw = (EXAMPLE_REQUESTS / "mm7-sinch-deliver.http").read_bytes()

    def fail(callback: mmsdr.Callback) -> None:
        raise mmsdr.MalformedRequestError("the app's own validation")

    started: list[Any] = []
    with pytest.raises(mmsdr.MalformedRequestError, match="the app's own validation"):
        mmsdr.wsgi.handle(environ_of(raw), lambda *args: started.append(args), mmsdr.Parser(), fail)
    assert started == []


# --- public_url: the URL the provider called, for signatures over it -------------------------------------------

BASE = "https://callbacks.example.com/hooks"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, "https://callbacks.example.com/hooks/mx%20sms?a=1&b=%C3%A9"),  # PATH_INFO escaped again
        ({"RAW_URI": "/mx%20sms?a=1&b=%C3%A9"}, "https://callbacks.example.com/hooks/mx%20sms?a=1&b=%C3%A9"),
        ({"REQUEST_URI": "/mx%2Dsms?x"}, "https://callbacks.example.com/hooks/mx%2Dsms?a=1&b=%C3%A9"),  # as sent
        ({"SCRIPT_NAME": "/app"}, "https://callbacks.example.com/hooks/app/mx%20sms?a=1&b=%C3%A9"),
    ],
)
def test_wsgi_public_url(extra: dict[str, str], expected: str) -> None:
    environ = environ_of(b"GET /x HTTP/1.1\r\n\r\n", PATH_INFO="/mx sms", QUERY_STRING="a=1&b=%C3%A9", **extra)
    assert mmsdr.wsgi.request_from_environ(environ, public_url=BASE).url == expected
    assert mmsdr.wsgi.request_from_environ(environ).url is None


@pytest.mark.parametrize(
    ("scope_extra", "expected"),
    [
        ({"path": "/mx sms", "raw_path": b"/mx%20sms"}, "https://callbacks.example.com/hooks/mx%20sms?a=1"),
        ({"path": "/mx sms", "root_path": "/app"}, "https://callbacks.example.com/hooks/app/mx%20sms?a=1"),
    ],
)
def test_asgi_public_url(scope_extra: dict[str, Any], expected: str) -> None:
    scope = {**scope_of(b"GET /x?a=1 HTTP/1.1\r\n\r\n"), **scope_extra}
    request = asyncio.run(mmsdr.asgi.request_from_scope(scope, Receiver([b""]), public_url=BASE + "/"))
    assert request.url == expected


def test_public_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="public_url must be an http:// or https:// URL, got 'callbacks.example.com'"):
        mmsdr.wsgi.request_from_environ(environ_of(b"GET /x HTTP/1.1\r\n\r\n"), public_url="callbacks.example.com")


def test_handle_gives_the_parser_the_public_url() -> None:
    seen: list[str | None] = []

    class Recording:
        def authenticate(self, request: mmsdr.Request, /) -> None:
            seen.append(request.url)

    sample = mmsdr.testing.BUILDERS["mxtelecom.sms_report"]()
    environ = environ_of(sample.as_http())
    parser = mmsdr.Parser(formats="mxtelecom.sms_report", auth=Recording())
    mmsdr.wsgi.handle(environ, lambda status, headers: None, parser, lambda callback: None, public_url=BASE)
    assert seen == [f"{BASE}{sample.target}"]

"""Server CPU per request: mmsdr in an ASGI app under uvicorn, against a minimal hand-written parse and a constant.

For each case, three ASGI apps, each in its own uvicorn worker process (httptools, asyncio loop) on 127.0.0.1:

* **mmsdr** (a): the body received, then ``mmsdr.acknowledge(mmsdr.parse_request(headers, body, query,
  method=...))``, the ack sent;
* **minimal** (b): the body received, then a hand-written minimal parse of the format that answers the same
  bytes: run.py's floor for that format (its ``floor_record``, ``raw_multipart``, ``MX_REPORT``, ``SOAP`` and
  ``MM7_NAMESPACE`` imported from it) plus the ack;
* **constant** (c): mmsdr's ack for the case, computed at start-up, sent without receiving the body.

Every server is pinned to one CPU and the load generator (this process: keep-alive connections, one request
in flight on each, no pipelining) to the other, where the machine has two or more. A server reports its own
``time.process_time()`` (user + system CPU of the process) over each measured window, through a control path;
the figure per app is that CPU time divided by the requests served in the window. The windows are interleaved:
each repetition measures every case's three apps in turn (each app first in turn), after a warm-up of each.
Before anything is timed, the three apps of each case must answer byte-identical HTTP responses, and the
minimal parse must read the values the request was built with.

The figure of a case is ``(a - c) / (b - c)``: what mmsdr adds to a server's cost per request, over what the
minimal parse adds. Requests per second per core is ``1e6 / (CPU µs per request)``.

    python benchmarks/server.py                 # the table (1 to 2 minutes)
    python benchmarks/server.py --json out.json # the table, and the numbers as JSON
    python benchmarks/server.py --quick         # a smoke run: a few hundred requests per app, numbers meaningless

Bounded: a fixed number of requests per app, every wait under a deadline (``--quick`` 60 s, else 900 s), and
every server exits by itself a little after it. Needs ``uvicorn`` and ``httptools`` (``pip install -e '.[bench]'``,
part of ``.[dev]``).
"""

from __future__ import annotations

import argparse
import asyncio
import binascii
import json
import os
import platform
import random
import re
import selectors
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import httptools
import python_multipart
import uvicorn
from lxml import etree
from python_multipart.multipart import parse_options_header
from run import MX_REPORT, FloorRecord, floor_record, mm7_record_and_ack, raw_multipart

import mmsdr
import mmsdr.testing

if TYPE_CHECKING:
    from collections.abc import Awaitable, MutableMapping, Sequence

    Scope = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
    Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
    App = Callable[[Scope, Receive, Send], Awaitable[None]]

HeaderPairs = list[tuple[bytes, bytes]]

APPS = ("mmsdr", "minimal", "constant")
CONTROL = "/__bench__"
"""The control path: ``?start`` begins a window, ``?stop`` ends it and answers the window's CPU time as JSON."""
HOST = "127.0.0.1"
MEDIA_BYTES = 100_000


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP response as an ASGI app sends it."""

    status: int
    headers: HeaderPairs
    body: bytes


# --- the cases: one request each, built with mmsdr.testing ---------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerCase:
    name: str
    request: mmsdr.testing.TestRequest
    minimal: Callable[[HeaderPairs, bytes, bytes], tuple[FloorRecord, Answer]]
    """The hand-written minimal parse: scope headers, body, query string in; the values read and the answer out."""
    expected: dict[str, object]
    """What ``minimal`` must read from ``request``: checked before anything is timed."""


def mx_report_request() -> mmsdr.testing.TestRequest:
    return mmsdr.testing.mxtelecom_sms_report()


MX_ANSWER = Answer(200, [(b"Content-Type", b"text/plain; charset=utf-8"), (b"Content-Length", b"2")], b"OK")


def minimal_mx_report(_headers: HeaderPairs, _body: bytes, query: bytes) -> tuple[FloorRecord, Answer]:
    """run.py's MX Telecom floor (``parse_qsl``, the ``REPORT`` regex, the record) and ``OK``."""
    fields = dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    match = MX_REPORT.fullmatch(fields["smsmsg"])
    if match is None:
        raise ValueError(fields["smsmsg"])
    record = floor_record(
        "sms_report",
        match[1],
        fields["smsdate"],
        match[2],
        recipient=fields["smsfrom"],
        sender=fields["shortcode"],
        reason=int(fields["reason"]),
    )
    return record, MX_ANSWER


MM7_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
)
"""run.py's hardened lxml parser for the MM7 floor."""

MM7_TEMPLATE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<soap-env:Envelope xmlns:soap-env="{soap}">\n<soap-env:Header>\n'
    '<TransactionID xmlns="{ns}" soap-env:mustUnderstand="1">{tid}</TransactionID>\n</soap-env:Header>\n'
    '<soap-env:Body>\n<DeliveryReportRsp xmlns="{ns}">\n<MM7Version>{version}</MM7Version>\n<Status>\n'
    "<StatusCode>1000</StatusCode>\n<StatusText>Success</StatusText>\n</Status>\n</DeliveryReportRsp>\n"
    "</soap-env:Body>\n</soap-env:Envelope>\n"
)
"""``DeliveryReportRsp`` as a template, laid out as mmsdr lays it out so that the answers are the same bytes."""

MM7_CONTENT_TYPE = b"text/xml; charset=utf-8"


def minimal_mm7_report(_headers: HeaderPairs, body: bytes, _query: bytes) -> tuple[FloorRecord, Answer]:
    """run.py's MM7 floor: the hardened lxml parse, one pass by local name, the record, the template ack."""
    values: dict[str, str | None] = {}
    for part in etree.fromstring(body, MM7_PARSER):
        name = part.tag.rpartition("}")[2]
        if name == "Header":
            for child in part:
                if child.tag.rpartition("}")[2] == "TransactionID":
                    values["TransactionID"] = child.text
        elif name == "Body":
            for operation in part:
                for child in operation:
                    values[child.tag.rpartition("}")[2]] = child[0].text if len(child) else child.text
    record, ack = mm7_record_and_ack(values, MM7_TEMPLATE)
    return record, Answer(200, [(b"Content-Type", MM7_CONTENT_TYPE), (b"Content-Length", b"%d" % len(ack))], ack)


MEDIA = random.Random(0).randbytes(MEDIA_BYTES)  # noqa: S311 - the same bytes every run, not a secret


def openmarket_request() -> mmsdr.testing.TestRequest:
    """The default OpenMarket MO MMS with its image replaced by 100 KB of (seeded) random bytes."""
    image, text = mmsdr.testing.DEFAULT_PARTS
    parts = (mmsdr.Part(content_type=image.content_type, content_id=image.content_id, data=MEDIA), text)
    return mmsdr.testing.openmarket_mms_inbound(parts=parts)


EMPTY_ANSWER = Answer(200, [(b"Content-Length", b"0")], b"")
"""OpenMarket's, Twilio's status callback's and Telnyx's answer: 200, no body."""


def minimal_openmarket_mms(headers: HeaderPairs, body: bytes, _query: bytes) -> tuple[FloorRecord, Answer]:
    """run.py's multipart floor (the Content-Type parse, python-multipart's raw parser, ``json.loads``, the
    record) plus the base64 decoding of the media parts, which OpenMarket sends base64-encoded."""
    content_type = next(value for name, value in headers if name.lower() == b"content-type")
    _, options = parse_options_header(content_type)
    parts = raw_multipart(options[b"boundary"])(body)
    main = json.loads(parts[0])
    media = [binascii.a2b_base64(part) for part in parts[1:]]
    record = floor_record(
        "openmarket_mo",
        str(main["moId"]),
        main["date"],
        recipient=main["destinations"][0],
        sender=main["source"],
        text=media[-1].decode(),
    )
    return record, EMPTY_ANSWER


def twilio_status_request() -> mmsdr.testing.TestRequest:
    return mmsdr.testing.twilio_status()


def minimal_twilio_status(_headers: HeaderPairs, body: bytes, _query: bytes) -> tuple[FloorRecord, Answer]:
    """run.py's Twilio floor: ``parse_qsl`` of the form body, ``RawDlrDoneDate`` (``YYMMDDhhmm``, UTC) as an ISO
    date, the record; the empty 200."""
    fields = dict(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
    done = fields["RawDlrDoneDate"]
    date = f"20{done[0:2]}-{done[2:4]}-{done[4:6]}T{done[6:8]}:{done[8:10]}+00:00"
    record = floor_record(
        "twilio_status",
        fields["MessageSid"],
        date,
        fields["MessageStatus"],
        recipient=fields["To"],
        sender=fields["From"],
    )
    return record, EMPTY_ANSWER


def minimal_telnyx_report(_headers: HeaderPairs, body: bytes, _query: bytes) -> tuple[FloorRecord, Answer]:
    """run.py's Telnyx floor: ``json.loads``, ``occurred_at``, one record per ``to[]`` recipient (one here); the
    empty 200."""
    data = json.loads(body)["data"]
    payload = data["payload"]
    records = [
        floor_record("telnyx", payload["id"], data["occurred_at"], entry["status"], recipient=entry["phone_number"])
        for entry in payload["to"]
    ]
    return records[0], EMPTY_ANSWER


def build_cases() -> list[ServerCase]:
    return [
        ServerCase(
            name="mxtelecom.sms_report",
            request=mx_report_request(),
            minimal=minimal_mx_report,
            expected={"message_id": "17218733", "provider_status": "DELIVERED", "reason": 1359151616},
        ),
        ServerCase(
            name="mm7.delivery_report",
            request=mmsdr.testing.mm7_delivery_report(),
            minimal=minimal_mm7_report,
            expected={
                "message_id": "369500617770864640",
                "provider_status": "Retrieved",
                "timestamp": datetime(2015, 3, 16, 14, 3, 51, 749000, tzinfo=UTC),
            },
        ),
        ServerCase(
            name="openmarket.mms_inbound 100 KB",
            request=openmarket_request(),
            minimal=minimal_openmarket_mms,
            expected={"message_id": "123456789012345", "sender": "447800000001", "text": "This is a text attachment"},
        ),
        ServerCase(
            name="twilio.status",
            request=twilio_status_request(),
            minimal=minimal_twilio_status,
            expected={
                "message_id": "SMc0ffee00c0ffee00c0ffee00c0ffee00",
                "provider_status": "delivered",
                "timestamp": datetime(2026, 7, 17, 12, 6, tzinfo=UTC),
            },
        ),
        ServerCase(
            name="telnyx.report",
            request=mmsdr.testing.telnyx_report(),
            minimal=minimal_telnyx_report,
            expected={
                "message_id": "40385f64-5717-4562-b3fc-2c963f66afa6",
                "provider_status": "delivered",
                "recipient": "+18665550001",
            },
        ),
    ]


def scope_headers(request: mmsdr.testing.TestRequest) -> HeaderPairs:
    """The request's headers as an ASGI scope holds them: lower-case names, bytes."""
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in request.headers]


def check_minimal(case: ServerCase) -> None:
    """The minimal parse reads the values the request was built with (OpenMarket: and the media, decoded)."""
    headers = scope_headers(case.request)
    record, _ = case.minimal(headers, case.request.body, case.request.query.encode("latin-1"))
    got = {name: getattr(record, name) for name in case.expected}
    assert got == case.expected, (case.name, got)
    if case.minimal is minimal_openmarket_mms:
        content_type = dict(headers)[b"content-type"]
        parts = raw_multipart(parse_options_header(content_type)[1][b"boundary"])(case.request.body)
        assert binascii.a2b_base64(parts[1]) == MEDIA


# --- the server side: the three ASGI apps, the control path, one uvicorn worker ------------------------------------


async def read_body(receive: Receive) -> bytes:
    message = await receive()
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    while message.get("more_body", False):
        message = await receive()
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


async def send_answer(send: Send, answer: Answer) -> None:
    await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
    await send({"type": "http.response.body", "body": answer.body})


def mmsdr_app() -> App:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        ack = mmsdr.acknowledge(
            mmsdr.parse_request(scope["headers"], body, scope["query_string"], method=scope["method"])
        )
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in ack.headers]
        await send_answer(send, Answer(ack.status, headers, ack.body))

    return app


def minimal_app(case: ServerCase) -> App:
    minimal = case.minimal

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        _, answer = minimal(scope["headers"], body, scope["query_string"])
        await send_answer(send, answer)

    return app


def constant_app(case: ServerCase) -> App:
    request = case.request
    ack = mmsdr.acknowledge(mmsdr.parse_request(request.headers, request.body, request.query, method=request.method))
    answer = Answer(
        ack.status, [(name.encode("latin-1"), value.encode("latin-1")) for name, value in ack.headers], ack.body
    )

    async def app(_scope: Scope, _receive: Receive, send: Send) -> None:
        await send_answer(send, answer)

    return app


def with_control(app: App) -> App:
    """``app`` behind the control path, which reports the process's CPU time and requests served over a window."""
    served = 0
    window: list[float | int] = [0.0, 0]

    async def measured(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal served
        if scope["path"] != CONTROL:
            served += 1
            await app(scope, receive, send)
            return
        if scope["query_string"] == b"start":
            window[:] = [time.process_time(), served]
            body = b"{}"
        else:
            cpu = time.process_time() - window[0]
            body = json.dumps({"cpu_seconds": cpu, "requests": served - int(window[1])}).encode()
        headers = [(b"Content-Type", b"application/json"), (b"Content-Length", b"%d" % len(body))]
        await send_answer(send, Answer(200, headers, body))

    return measured


def serve(case_name: str, app_name: str, fd: int, cpu: int | None, lifetime: float) -> None:
    """One worker: the app on the listening socket ``fd``, pinned to ``cpu``; it exits after ``lifetime`` seconds."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    case = next(case for case in build_cases() if case.name == case_name)
    apps = {"mmsdr": mmsdr_app, "minimal": lambda: minimal_app(case), "constant": lambda: constant_app(case)}
    config = uvicorn.Config(
        with_control(apps[app_name]()),
        http="httptools",
        loop="asyncio",
        lifespan="off",
        access_log=False,
        log_level="warning",
        server_header=False,  # no Server and Date headers: the three apps' responses are compared byte for byte
        date_header=False,
        timeout_keep_alive=int(lifetime) + 1,
    )
    server = uvicorn.Server(config)
    listener = socket.socket(fileno=fd)

    async def run() -> None:
        asyncio.get_running_loop().call_later(lifetime, setattr, server, "should_exit", True)
        await server.serve(sockets=[listener])

    asyncio.run(run())


# --- the client side: servers started, responses compared, the load --------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    warmup: int
    """Requests sent to each server before any window."""
    requests: dict[str, int]
    """Requests per window, by case name."""
    repeats: int
    connections: int
    """Keep-alive connections per server, each with one request in flight."""
    deadline_seconds: float


FULL = Settings(
    warmup=1000,
    requests={
        "mxtelecom.sms_report": 3_000,
        "mm7.delivery_report": 2_000,
        "openmarket.mms_inbound 100 KB": 600,
        "twilio.status": 3_000,
        "telnyx.report": 3_000,
    },
    repeats=15,
    connections=8,
    deadline_seconds=900.0,
)
QUICK = Settings(
    warmup=100,
    requests={
        "mxtelecom.sms_report": 100,
        "mm7.delivery_report": 100,
        "openmarket.mms_inbound 100 KB": 100,
        "twilio.status": 100,
        "telnyx.report": 100,
    },
    repeats=2,
    connections=2,
    deadline_seconds=60.0,
)


def read_response(sock: socket.socket) -> bytes:
    """One whole HTTP/1.1 response with a Content-Length, read from a blocking socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk
    head = data.partition(b"\r\n\r\n")[0]
    match = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    if match is None:
        raise ValueError(f"no Content-Length in {head!r}")
    size = len(head) + 4 + int(match[1])
    while len(data) < size:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk
    if len(data) != size:
        raise ValueError("more bytes than one response")
    return data


def exchange(sock: socket.socket, request: bytes) -> bytes:
    sock.sendall(request)
    return read_response(sock)


@dataclass(slots=True, eq=False)
class Connection:
    sock: socket.socket
    pending: memoryview = field(default_factory=lambda: memoryview(b""))
    received: bytearray = field(default_factory=bytearray)


@dataclass(slots=True, eq=False)
class Server:
    case: ServerCase
    app: str
    process: subprocess.Popen[bytes]
    control: socket.socket
    connections: list[Connection]
    expected: bytes = b""
    """The response every request of the case gets: the same bytes from the three apps."""


def connect(port: int, deadline: float) -> socket.socket:
    sock = socket.create_connection((HOST, port), timeout=max(0.1, deadline - time.monotonic()))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def start_server(
    case: ServerCase, app: str, settings: Settings, cpus: tuple[int, int] | None, deadline: float
) -> Server:
    listener = socket.create_server((HOST, 0), backlog=64)
    port = listener.getsockname()[1]
    lifetime = deadline - time.monotonic() + 10  # the server stops by itself, whatever happens here
    command = [
        sys.executable,
        __file__,
        "--serve",
        case.name,
        app,
        "--fd",
        str(listener.fileno()),
        "--lifetime",
        f"{lifetime:.0f}",
    ]
    if cpus is not None:
        command += ["--cpu", str(cpus[0])]
    process = subprocess.Popen(command, pass_fds=[listener.fileno()])  # noqa: S603 - this script, these arguments
    listener.close()  # the server has its own copy; connections queue in the backlog until it accepts
    control = connect(port, deadline)
    connections = [Connection(connect(port, deadline)) for _ in range(settings.connections)]
    return Server(case=case, app=app, process=process, control=control, connections=connections)


def stop_servers(servers: Sequence[Server]) -> None:
    for server in servers:
        for sock in [server.control, *(connection.sock for connection in server.connections)]:
            sock.close()
        server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def control(server: Server, command: str) -> dict[str, Any]:
    request = f"GET {CONTROL}?{command} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    response = exchange(server.control, request)
    result: dict[str, Any] = json.loads(response.partition(b"\r\n\r\n")[2])
    return result


def drive(server: Server, request: bytes, count: int, deadline: float) -> None:
    """Send ``request`` ``count`` times over the server's connections, one in flight on each, and check every
    response against ``server.expected``."""
    expected = server.expected
    size = len(expected)
    selector = selectors.DefaultSelector()
    started = done = 0

    def start(connection: Connection) -> None:
        nonlocal started
        started += 1
        connection.pending = memoryview(request)
        selector.register(connection.sock, selectors.EVENT_WRITE, connection)

    for connection in server.connections:
        connection.sock.setblocking(False)
        if started < count:
            start(connection)
    try:
        while done < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{server.case.name} / {server.app}: {done} of {count} requests by the deadline")
            for key, events in selector.select(timeout=1.0):
                connection = key.data
                if events & selectors.EVENT_WRITE:
                    sent = connection.sock.send(connection.pending)
                    connection.pending = connection.pending[sent:]
                    if not connection.pending:
                        selector.modify(connection.sock, selectors.EVENT_READ, connection)
                    continue
                chunk = connection.sock.recv(262144)
                if not chunk:
                    raise ConnectionError(f"{server.case.name} / {server.app}: the server closed a connection")
                connection.received += chunk
                if len(connection.received) < size:
                    continue
                if connection.received != expected:
                    raise AssertionError(f"{server.case.name} / {server.app}: {bytes(connection.received)!r}")
                connection.received.clear()
                done += 1
                selector.unregister(connection.sock)
                if started < count:
                    start(connection)
    finally:
        selector.close()
        for connection in server.connections:
            connection.sock.setblocking(True)


def measure(server: Server, request: bytes, count: int, deadline: float) -> dict[str, float]:
    control(server, "start")
    wall = time.perf_counter()
    drive(server, request, count, deadline)
    wall = time.perf_counter() - wall
    window = control(server, "stop")
    assert window["requests"] == count, (server.case.name, server.app, window, count)
    cpu_us = window["cpu_seconds"] / count * 1e6
    return {"cpu_us": cpu_us, "busy": window["cpu_seconds"] / wall}


def cpu_pair() -> tuple[int, int] | None:
    """The server's CPU and the load generator's, or None with fewer than two CPUs to run on."""
    available = sorted(os.sched_getaffinity(0))
    return (available[0], available[1]) if len(available) >= 2 else None


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def figure(a: float, b: float, c: float) -> float:
    return (a - c) / (b - c)


def run(settings: Settings) -> dict[str, Any]:
    deadline = time.monotonic() + settings.deadline_seconds
    cases = build_cases()
    for case in cases:
        check_minimal(case)
    cpus = cpu_pair()
    if cpus is not None:
        os.sched_setaffinity(0, {cpus[1]})
    servers: list[Server] = []
    try:
        servers.extend(start_server(case, app, settings, cpus, deadline) for case in cases for app in APPS)
        by_case = {case.name: [server for server in servers if server.case is case] for case in cases}
        # Before anything is timed: the three apps answer the same bytes, and mmsdr answers the ack it builds.
        for case in cases:
            request = case.request.as_http()
            for server in by_case[case.name]:
                server.expected = exchange(server.connections[0].sock, request)
            answers = {server.app: server.expected for server in by_case[case.name]}
            assert answers["mmsdr"] == answers["minimal"] == answers["constant"], (case.name, answers)
            assert answers["mmsdr"].startswith(b"HTTP/1.1 200 "), (case.name, answers["mmsdr"])
        for server in servers:
            drive(server, server.case.request.as_http(), settings.warmup, deadline)
        runs: dict[tuple[str, str], list[dict[str, float]]] = {(server.case.name, server.app): [] for server in servers}
        for repeat in range(settings.repeats):
            for case in cases:
                request = case.request.as_http()
                ordered = by_case[case.name]
                for server in ordered[repeat % 3 :] + ordered[: repeat % 3]:  # each app first in turn
                    runs[case.name, server.app].append(measure(server, request, settings.requests[case.name], deadline))
    finally:
        stop_servers(servers)
    results = []
    for case in cases:
        apps = {}
        for app in APPS:
            cpu = [window["cpu_us"] for window in runs[case.name, app]]
            apps[app] = {
                "cpu_us": summary(cpu),
                "requests_per_second_per_core": 1e6 / statistics.median(cpu),
                "busy": statistics.median(window["busy"] for window in runs[case.name, app]),
            }
        medians = [apps[app]["cpu_us"]["median"] for app in APPS]
        per_repeat = [
            figure(*(runs[case.name, app][index]["cpu_us"] for app in APPS)) for index in range(settings.repeats)
        ]
        results.append(
            {
                "name": case.name,
                "request_bytes": len(case.request.as_http()),
                "requests_per_window": settings.requests[case.name],
                "apps": apps,
                "figure": figure(*medians),
                "figure_range": [min(per_repeat), max(per_repeat)],
            }
        )
    return {"cases": results, "environment": environment(settings, cpus)}


def environment(settings: Settings, cpus: tuple[int, int] | None) -> dict[str, Any]:
    return {
        "python": f"{sys.implementation.name} {platform.python_version()}",
        "mmsdr": mmsdr.__version__,
        "uvicorn": uvicorn.__version__,
        "httptools": httptools.__version__,
        "lxml": etree.__version__,
        "python_multipart": python_multipart.__version__,
        "cpus": os.cpu_count(),
        "pinned": cpus is not None,
        "connections": settings.connections,
        "warmup": settings.warmup,
        "repeats": settings.repeats,
    }


def table(result: dict[str, Any]) -> str:
    header = ("case", "mmsdr µs (a)", "minimal µs (b)", "constant µs (c)", "(a-c)/(b-c)", "req/s per core a / b / c")
    rows = [header]
    for case in result["cases"]:
        apps = case["apps"]

        def cell(app: str, apps: dict[str, Any] = apps) -> str:
            cpu = apps[app]["cpu_us"]
            return f"{cpu['median']:.1f} ({cpu['min']:.1f}-{cpu['max']:.1f})"

        low, high = case["figure_range"]
        rows.append(
            (
                case["name"],
                cell("mmsdr"),
                cell("minimal"),
                cell("constant"),
                f"{case['figure']:.2f} ({low:.2f}-{high:.2f})",
                " / ".join(f"{apps[app]['requests_per_second_per_core']:,.0f}" for app in APPS),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) if column == 0 else cell.rjust(width) for column, (cell, width) in
                  enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]  # fmt: skip
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    parser.add_argument("--quick", action="store_true", help="a smoke run: a few hundred requests per app")
    parser.add_argument("--serve", nargs=2, metavar=("CASE", "APP"), help=argparse.SUPPRESS)
    parser.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--lifetime", type=float, default=60.0, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve is not None:
        serve(*options.serve, fd=options.fd, cpu=options.cpu, lifetime=options.lifetime)
        return 0
    started = time.perf_counter()
    result = run(QUICK if options.quick else FULL)
    result["environment"]["seconds"] = round(time.perf_counter() - started, 1)
    print(table(result))
    env = result["environment"]
    print(
        f"\nCPU µs per request of the server process: median (min-max) of {env['repeats']} windows; the figure from "
        f"the medians (range: per window).\n{env['python']}, mmsdr {env['mmsdr']}, uvicorn {env['uvicorn']} "
        f"(httptools {env['httptools']}, asyncio), lxml {env['lxml']}, python-multipart {env['python_multipart']}; "
        f"{env['cpus']} CPUs, {'server and load generator pinned apart' if env['pinned'] else 'not pinned'}; "
        f"{env['seconds']} s"
    )
    if options.json is not None:
        with open(options.json, "w", encoding="utf-8") as output:  # noqa: PTH123
            output.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Refusals can be found and replayed: one log record each, the refused request kept on the error, on_error."""

from __future__ import annotations

import asyncio
import gzip
import io
import logging
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

import mmsdr
import mmsdr.asgi
import mmsdr.testing
import mmsdr.wsgi
from mmsdr.__main__ import main, read_raw_request
from mmsdr._request import read_query

PRIVATE_TEXT = "PIN 4242 for your bank: 918273"
TEXT_IN_QUERY = "PIN+4242+for+your+bank%3A+918273"


def without_field(request: mmsdr.testing.TestRequest, name: str) -> mmsdr.testing.TestRequest:
    """``request`` (a GET) without its query field ``name``: a message that cannot be known, refused by any parser."""
    path, _, query = request.target.partition("?")
    kept = "&".join(field for field in query.split("&") if not field.startswith(f"{name}="))
    return mmsdr.testing.TestRequest(method="GET", target=f"{path}?{kept}", headers=request.headers)


# An inbound SMS holding a secret-looking text, refused because it has no message id.
PRIVATE_SMS = without_field(mmsdr.testing.mxtelecom_sms_inbound(text=PRIVATE_TEXT), "smsid")


def mm7_without_message_id() -> mmsdr.testing.TestRequest:
    request = mmsdr.testing.mm7_delivery_report()
    body = request.body.replace(b"<MessageID>369500617770864640</MessageID>", b"")
    headers = tuple((name, str(len(body)) if name == "Content-Length" else value) for name, value in request.headers)
    return mmsdr.testing.TestRequest(method="POST", target=request.target, headers=headers, body=body)


def refusal(call: Any) -> mmsdr.MmsdrError:
    with pytest.raises(mmsdr.MmsdrError) as caught:
        call()
    return caught.value


# --- one log record per refusal ------------------------------------------------------------------------------

# (name, how the request is parsed, its level, message, and extras)
LOG_CASES: list[tuple[str, Any, str, dict[str, object]]] = [
    (
        "a missing message id",
        lambda: PRIVATE_SMS.parse(formats="mxtelecom.sms_inbound"),
        "refused (400 MalformedRequestError): mxtelecom.sms_inbound: field 'smsid' is missing",
        {
            "mmsdr_error": "MalformedRequestError",
            "mmsdr_provider": "mxtelecom",
            "mmsdr_format": "mxtelecom.sms_inbound",
            "mmsdr_status": 400,
            "mmsdr_field": "smsid",
            "mmsdr_remote_address": None,
        },
    ),
    (
        "an MM7 report without MessageID",
        lambda: mm7_without_message_id().parse(remote_address="192.0.2.7"),
        "refused (400 MalformedRequestError): mm7.delivery_report: element 'MessageID' is missing",
        {
            "mmsdr_error": "MalformedRequestError",
            "mmsdr_provider": "mm7",
            "mmsdr_format": "mm7.delivery_report",
            "mmsdr_status": 400,
            "mmsdr_field": "MessageID",
            "mmsdr_remote_address": "192.0.2.7",
        },
    ),
    (
        "a body over the limit",
        lambda: mmsdr.parse_request([], b"x" * 101, None, limits=mmsdr.Limits(max_body_bytes=100)),
        "refused (413 LimitExceededError): request: body larger than 100 bytes (Limits.max_body_bytes)",
        {
            "mmsdr_error": "LimitExceededError",
            "mmsdr_provider": None,
            "mmsdr_format": None,
            "mmsdr_status": 413,
            "mmsdr_field": "body",
            "mmsdr_remote_address": None,
        },
    ),
    (
        "an untrusted source",
        lambda: mmsdr.testing.mxtelecom_sms_report().parse(
            trusted_networks=["10.0.0.0/8"], remote_address="203.0.113.9"
        ),
        "refused (403 UntrustedSourceError): request: source address '203.0.113.9' is not in the trusted networks",
        {
            "mmsdr_error": "UntrustedSourceError",
            "mmsdr_provider": None,
            "mmsdr_format": None,
            "mmsdr_status": 403,
            "mmsdr_field": "remote_address",
            "mmsdr_remote_address": "203.0.113.9",
        },
    ),
]


@pytest.mark.parametrize(("call", "message", "extras"), [case[1:] for case in LOG_CASES], ids=[c[0] for c in LOG_CASES])
def test_every_refusal_is_one_warning_record(
    caplog: pytest.LogCaptureFixture, call: Any, message: str, extras: dict[str, object]
) -> None:
    caplog.set_level(logging.INFO, logger="mmsdr")
    error = refusal(call)
    assert [(record.name, record.levelname, record.getMessage()) for record in caplog.records] == [
        ("mmsdr", "WARNING", message)
    ]
    assert {name: getattr(caplog.records[0], name) for name in extras} == extras
    assert message.endswith(str(error))


def test_no_message_content_at_info_and_above(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mmsdr")
    refusal(lambda: PRIVATE_SMS.parse(formats="mxtelecom.sms_inbound"))
    loud = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert len(loud) == 1
    seen = " ".join([loud[0].getMessage(), *(str(value) for value in vars(loud[0]).values())])
    for secret in ("4242", "918273", TEXT_IN_QUERY):
        assert secret not in seen
    # The request itself is described at DEBUG only: that is where the text may appear.
    assert [record.levelname for record in caplog.records] == ["WARNING", "DEBUG"]
    assert caplog.records[1].getMessage() == (
        "refused request: GET from None, query b'smsfrom=447931123456&smsmsg=PIN+4242+for+your+bank%3A...0', "
        "headers [host: 'callbacks.example.com'], body 0 bytes b''"
    )


def test_the_debug_record_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mmsdr")
    headers = [(f"x-header-{number}", "v" * 200) for number in range(200)]
    refusal(lambda: mmsdr.parse_request(headers, b"<" * 10_000_000, "a=" + "b" * 60_000))
    described = [record.getMessage() for record in caplog.records if record.levelno == logging.DEBUG]
    assert len(described) == 1
    assert len(described[0]) == len("refused request: ") + 1024
    assert described[0].endswith("...")


def test_no_debug_record_unless_debug_is_enabled(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="mmsdr")
    refusal(PRIVATE_SMS.parse)
    assert [record.levelname for record in caplog.records] == ["WARNING"]


def test_the_logger_is_mmsdr_with_a_null_handler_only() -> None:
    logger = logging.getLogger("mmsdr")
    assert [type(handler) for handler in logger.handlers] == [logging.NullHandler]
    assert logger.propagate
    assert logger.level == logging.NOTSET  # the application decides what is shown


def test_a_parse_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mmsdr")
    mmsdr.testing.mxtelecom_sms_report().parse()
    assert caplog.records == []


# --- the refused request, kept on the error -------------------------------------------------------------------

GZIPPED = gzip.compress(b"not a callback", mtime=0)
SMALL = mmsdr.Limits(max_body_bytes=100, max_query_bytes=50, max_header_count=3)

# (name, parse_request arguments, keyword options, the request kept)
KEPT_CASES: list[tuple[str, tuple[Any, Any, Any], dict[str, Any], mmsdr.RefusedRequest]] = [
    (
        "pairs, bytes, a str query",
        ([("Content-Type", "text/plain"), ("X-A", "1")], b"hello", "a=1&b=%41"),
        {"method": "post", "remote_address": "192.0.2.1"},
        mmsdr.RefusedRequest(
            method="POST",
            headers=(("content-type", "text/plain"), ("x-a", "1")),
            query=b"a=1&b=%41",
            body=b"hello",
            remote_address="192.0.2.1",
        ),
    ),
    (
        "a body over the limit is not kept",
        ([("Content-Type", "text/plain")], b"x" * 101, b"a=1"),
        {},
        mmsdr.RefusedRequest(headers=(("content-type", "text/plain"),), query=b"a=1", body=None),
    ),
    (
        "chunks over the limit are not kept",
        ([], iter([b"x" * 60, b"x" * 60]), None),
        {},
        mmsdr.RefusedRequest(query=b"", body=None),
    ),
    (
        "a query over the limit is not kept",
        ([], b"", "a=" + "b" * 60),
        {},
        mmsdr.RefusedRequest(query=None, body=b""),
    ),
    (
        "headers over the limit are not kept",
        ([("x-a", "1")] * 4, b"body", "a=1"),
        {"method": "POST"},
        mmsdr.RefusedRequest(method="POST", query=b"a=1", body=b"body"),
    ),
    (
        "a corrupt gzip body is kept as received",
        ([("Content-Encoding", "gzip")], b"\x1f\x8bnot gzip", None),
        {},
        mmsdr.RefusedRequest(headers=(("content-encoding", "gzip"),), body=b"\x1f\x8bnot gzip"),
    ),
    (
        "a gzip body is kept as received",
        ([("Content-Encoding", "gzip"), ("Content-Length", str(len(GZIPPED)))], GZIPPED, None),
        {},
        mmsdr.RefusedRequest(
            headers=(("content-encoding", "gzip"), ("content-length", str(len(GZIPPED)))), body=GZIPPED
        ),
    ),
    (
        # Chunks are consumed by the read: what is kept is the decoded body, without the headers describing
        # the encoded one.
        "gzip chunks are kept decoded",
        ([("Content-Encoding", "gzip"), ("Content-Length", str(len(GZIPPED))), ("X-A", "1")], iter([GZIPPED]), None),
        {},
        mmsdr.RefusedRequest(headers=(("x-a", "1"),), body=b"not a callback"),
    ),
    (
        "a mapping query is written back",
        ([], None, {"smsmsg": ["caf\u00e9 & co"], "smsid": "1"}),
        {"method": "GET"},
        mmsdr.RefusedRequest(method="GET", query=b"smsmsg=caf%C3%A9+%26+co&smsid=1", body=b""),
    ),
    (
        "a WSGI environ gives its method",
        ({"REQUEST_METHOD": "get", "HTTP_HOST": "example.com", "wsgi.version": (1, 0)}, None, "a=1"),
        {},
        mmsdr.RefusedRequest(method="GET", headers=(("host", "example.com"),), query=b"a=1"),
    ),
    (
        "a WSGI environ over the header limit still gives its method",
        ({"REQUEST_METHOD": "get", **{f"HTTP_X_{n}": "1" for n in range(4)}}, None, "a=1"),
        {},
        mmsdr.RefusedRequest(method="GET", query=b"a=1"),
    ),
    (
        "a header value no server could have received is kept as UTF-8 characters",
        ([("X-Name", "\u20ac")], None, None),
        {},
        mmsdr.RefusedRequest(headers=(("x-name", "\u00e2\u0082\u00ac"),)),
    ),
]


@pytest.mark.parametrize(
    ("args", "options", "expected"), [case[1:] for case in KEPT_CASES], ids=[case[0] for case in KEPT_CASES]
)
def test_the_error_keeps_the_request_within_the_limits(
    args: tuple[Any, Any, Any], options: dict[str, Any], expected: mmsdr.RefusedRequest
) -> None:
    error = refusal(lambda: mmsdr.parse_request(*args, limits=SMALL, **options))
    assert error.request == expected


def test_an_error_raised_outside_the_parser_has_no_request() -> None:
    assert mmsdr.MalformedRequestError("x").request is None


REPLAYED = [
    PRIVATE_SMS,
    mm7_without_message_id(),
    mmsdr.testing.TestRequest(
        method="POST", target="/x", headers=(("Content-Type", "application/json"),), body=b'{"a": 1}'
    ),
]


@pytest.mark.parametrize("request_", REPLAYED, ids=["mxtelecom", "mm7", "unknown"])
def test_a_kept_request_replays_to_the_same_refusal(request_: mmsdr.testing.TestRequest) -> None:
    error = refusal(request_.parse)
    assert error.request is not None
    raw = read_raw_request(error.request.as_http(request_.path))
    assert (raw.method, raw.target, raw.body) == (request_.method, request_.target, request_.body)
    replayed = refusal(lambda: mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method))
    assert (type(replayed), str(replayed), replayed.request) == (type(error), str(error), error.request)


def test_mmsdr_parse_reads_a_kept_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    error = refusal(PRIVATE_SMS.parse)
    assert error.request is not None
    saved = tmp_path / "refused.http"
    saved.write_bytes(error.request.as_http())
    assert main(["parse", str(saved)]) == 1
    assert str(error) in capsys.readouterr().out


def test_as_http_escapes_what_a_request_line_cannot_hold() -> None:
    kept = mmsdr.RefusedRequest(query=b"smsmsg=a b\xe9%41+c&x=\x01", body=None)
    assert kept.as_http("/in") == b"GET /in?smsmsg=a%20b%E9%41+c&x=%01 HTTP/1.1\r\n\r\n"
    # The escaped query reads into the same fields as the one sent.
    raw = read_raw_request(kept.as_http())
    assert read_query(raw.query, mmsdr.Limits()) == read_query(b"smsmsg=a b\xe9%41+c&x=\x01", mmsdr.Limits())
    assert read_query(raw.query, mmsdr.Limits()) == (("smsmsg", b"a b\xe9A c"), ("x", "\x01"))


def test_as_http_without_method_or_query() -> None:
    assert mmsdr.RefusedRequest(body=b"abc").as_http() == b"POST / HTTP/1.1\r\n\r\nabc"
    assert mmsdr.RefusedRequest(query=None, body=None).as_http() == b"GET / HTTP/1.1\r\n\r\n"


# --- the adapters: on_error ----------------------------------------------------------------------------------


def environ_of(request: mmsdr.testing.TestRequest, **extra: Any) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.query,
        "REMOTE_ADDR": "192.0.2.5",
        "wsgi.input": io.BytesIO(request.body),
    }
    for name, value in request.headers:
        key = name.upper().replace("-", "_")
        environ[key if key in {"CONTENT_TYPE", "CONTENT_LENGTH"} else f"HTTP_{key}"] = value
    environ.update(extra)
    return environ


def wsgi_call(environ: dict[str, Any], parser: mmsdr.Parser, on_error: Any) -> tuple[str, bytes, list[Any]]:
    started: list[Any] = []
    received: list[mmsdr.Callback] = []
    body = mmsdr.wsgi.handle(
        environ, lambda status, headers: started.append(status), parser, received.append, on_error=on_error
    )
    return started[0], b"".join(body), received


def asgi_call(
    request: mmsdr.testing.TestRequest, parser: mmsdr.Parser, on_error: Any, *, chunks: list[bytes] | None = None
) -> tuple[int, bytes, list[Any]]:
    scope = {
        "type": "http",
        "method": request.method,
        "path": request.path,
        "query_string": request.query.encode("latin-1"),
        "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in request.headers],
        "client": ("192.0.2.5", 4000),
    }
    messages = [{"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks or [request.body]]
    messages[-1]["more_body"] = False
    sent: list[dict[str, Any]] = []
    received: list[mmsdr.Callback] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(mmsdr.asgi.handle(scope, receive, send, parser, received.append, on_error=on_error))
    return sent[0]["status"], sent[1]["body"], received


def expected_kept(request: mmsdr.testing.TestRequest, *, body: bytes | None) -> mmsdr.RefusedRequest:
    return mmsdr.RefusedRequest(
        method=request.method,
        headers=tuple((name.lower(), value) for name, value in request.headers),
        query=request.query.encode("latin-1"),
        body=body,
        remote_address="192.0.2.5",
    )


def test_wsgi_on_error_gets_the_request_and_the_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mmsdr")
    calls: list[tuple[mmsdr.RefusedRequest, mmsdr.MmsdrError]] = []
    status, body, received = wsgi_call(
        environ_of(PRIVATE_SMS), mmsdr.Parser(formats="mxtelecom.sms_inbound"), lambda *args: calls.append(args)
    )
    assert (status, body, received) == ("400 Bad Request", b"mxtelecom.sms_inbound: field 'smsid' is missing", [])
    [(kept, error)] = calls
    assert kept == error.request == expected_kept(PRIVATE_SMS, body=b"")
    assert [record.levelname for record in caplog.records] == ["WARNING"]


def test_wsgi_on_error_gets_what_is_known_of_a_body_over_the_limit(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mmsdr")
    request = mmsdr.testing.TestRequest(
        method="POST",
        target="/mm7?x=1",
        headers=(("Content-Type", "text/xml"), ("Content-Length", "101")),
        body=b"<" * 101,
    )
    calls: list[tuple[mmsdr.RefusedRequest, mmsdr.MmsdrError]] = []
    status, _, _ = wsgi_call(
        environ_of(request), mmsdr.Parser(limits=mmsdr.Limits(max_body_bytes=100)), lambda *args: calls.append(args)
    )
    assert status == "413 Request Entity Too Large"
    [(kept, error)] = calls
    assert kept == error.request == expected_kept(request, body=None)
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("WARNING", "refused (413 LimitExceededError): request: body larger than 100 bytes (Limits.max_body_bytes)")
    ]


def test_wsgi_on_error_gets_what_is_known_of_headers_over_the_limit() -> None:
    calls: list[tuple[mmsdr.RefusedRequest, mmsdr.MmsdrError]] = []
    environ = environ_of(PRIVATE_SMS, **{f"HTTP_X_{number}": "1" for number in range(4)})
    status, _, _ = wsgi_call(
        environ, mmsdr.Parser(limits=mmsdr.Limits(max_header_count=3)), lambda *args: calls.append(args)
    )
    assert status == "431 Request Header Fields Too Large"
    assert calls[0][0] == mmsdr.RefusedRequest(
        method="GET", query=PRIVATE_SMS.query.encode("latin-1"), body=None, remote_address="192.0.2.5"
    )


def test_wsgi_on_error_that_raises_is_logged_and_the_refusal_answered(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mmsdr")

    def fail(request: mmsdr.RefusedRequest, error: mmsdr.MmsdrError) -> None:
        raise OSError("dead-letter table unavailable")

    status, body, _ = wsgi_call(environ_of(PRIVATE_SMS), mmsdr.Parser(formats="mxtelecom.sms_inbound"), fail)
    assert (status, body) == ("400 Bad Request", b"mxtelecom.sms_inbound: field 'smsid' is missing")
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("WARNING", "refused (400 MalformedRequestError): mxtelecom.sms_inbound: field 'smsid' is missing"),
        (
            "ERROR",
            "on_error raised while keeping a refusal (400 MalformedRequestError); the refusal is answered anyway",
        ),
    ]
    failure = caplog.records[1].exc_info
    assert failure is not None
    assert (failure[0], str(failure[1])) == (OSError, "dead-letter table unavailable")


def test_wsgi_on_error_is_not_called_for_a_callback() -> None:
    calls: list[object] = []
    status, _, received = wsgi_call(
        environ_of(mmsdr.testing.mxtelecom_sms_report()), mmsdr.Parser(), lambda *args: calls.append(args)
    )
    assert (status, len(received), calls) == ("200 OK", 1, [])


@pytest.mark.parametrize("asynchronous", [False, True])
def test_asgi_on_error_gets_the_request_and_the_error(asynchronous: bool, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mmsdr")
    calls: list[tuple[mmsdr.RefusedRequest, mmsdr.MmsdrError]] = []

    async def keep(request: mmsdr.RefusedRequest, error: mmsdr.MmsdrError) -> None:
        calls.append((request, error))

    request = mm7_without_message_id()
    status, body, received = asgi_call(
        request, mmsdr.Parser(), keep if asynchronous else lambda *args: calls.append(args), chunks=[request.body]
    )
    [(kept, error)] = calls
    assert (status, body, received) == (error.ack.status, error.ack.body, [])
    assert b"<faultcode>soap-env:Client</faultcode>" in body
    assert kept == error.request == expected_kept(request, body=request.body)
    assert [record.levelname for record in caplog.records] == ["WARNING"]


def test_asgi_on_error_gets_what_is_known_of_a_body_over_the_limit() -> None:
    calls: list[tuple[mmsdr.RefusedRequest, mmsdr.MmsdrError]] = []
    request = mmsdr.testing.TestRequest(method="POST", target="/in?a=1", headers=(("Content-Type", "text/xml"),))
    status, _, _ = asgi_call(
        request,
        mmsdr.Parser(limits=mmsdr.Limits(max_body_bytes=100)),
        lambda *args: calls.append(args),
        chunks=[b"x" * 60, b"x" * 60],
    )
    assert status == 413
    assert calls[0][0] == expected_kept(request, body=None)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_asgi_on_error_that_raises_is_logged_and_the_refusal_answered(
    asynchronous: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mmsdr")

    def fail(request: mmsdr.RefusedRequest, error: mmsdr.MmsdrError) -> None:
        raise OSError("dead-letter table unavailable")

    async def fail_later(request: mmsdr.RefusedRequest, error: mmsdr.MmsdrError) -> None:
        fail(request, error)

    status, body, _ = asgi_call(
        PRIVATE_SMS, mmsdr.Parser(formats="mxtelecom.sms_inbound"), fail_later if asynchronous else fail
    )
    assert (status, body) == (400, b"mxtelecom.sms_inbound: field 'smsid' is missing")
    assert [record.levelname for record in caplog.records] == ["WARNING", "ERROR"]
    failure = caplog.records[1].exc_info
    assert failure is not None
    assert failure[0] is OSError


# --- docs/errors-and-limits.md: logging and the dead-letter recipe ----------------------------------------------

PAGE = Path(__file__).parent.parent / "docs" / "errors-and-limits.md"


def page_section(title: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_the_logging_tables_are_what_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    section = page_section("Logging")
    rows = re.findall(r"^\| (WARNING|DEBUG|ERROR) \| [^|]+ \| `([^`]+)`", section, flags=re.MULTILINE)
    attributes = re.findall(r"^\| `(mmsdr_\w+)` \|", section, flags=re.MULTILINE)
    caplog.set_level(logging.DEBUG, logger="mmsdr")

    def fail(request: mmsdr.RefusedRequest, error: mmsdr.MmsdrError) -> None:
        raise OSError("dead-letter table unavailable")

    wsgi_call(environ_of(PRIVATE_SMS), mmsdr.Parser(formats="mxtelecom.sms_inbound"), fail)
    logged = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert [level for level, _ in logged] == [level for level, _ in rows] == ["WARNING", "DEBUG", "ERROR"]
    for (_, message), (_, documented) in zip(logged, rows, strict=True):
        # The DEBUG example elides the request with "...": what it shows is the start of the record.
        assert message == documented or message.startswith(documented.split("...", 1)[0]), message
    for record in caplog.records[:2]:
        assert sorted(name for name in vars(record) if name.startswith("mmsdr_")) == sorted(attributes)


def test_the_dead_letter_recipe_keeps_and_replays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    section = page_section("Keep what you refuse")
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    [command] = re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)
    monkeypatch.chdir(tmp_path)
    recipe: dict[str, Any] = {"__name__": "keep_what_you_refuse"}
    exec(compile(code, "docs/errors-and-limits.md", "exec"), recipe)  # noqa: S102 - the docs' own code

    def call(request: mmsdr.testing.TestRequest) -> str:
        started: list[str] = []
        recipe["app"](environ_of(request), lambda status, headers: started.append(status))
        return started[0]

    assert call(PRIVATE_SMS) == "400 Bad Request"
    assert call(mmsdr.testing.mxtelecom_sms_inbound()) == "200 OK"
    assert len(recipe["received"]) == 1
    with closing(sqlite3.connect(tmp_path / "refused.db")) as db:
        rows = db.execute("SELECT id, error, format, status, reason FROM refused").fetchall()
    assert rows == [
        (1, "MalformedRequestError", "mxtelecom.sms_inbound", 400, "mxtelecom.sms_inbound: field 'smsid' is missing")
    ]
    recipe["save_refused"](1, "refused-1.http")
    saved = read_raw_request((tmp_path / "refused-1.http").read_bytes())
    assert (saved.method, saved.target) == ("GET", PRIVATE_SMS.target.replace("/mxtelecom/sms-inbound", "/sms"))
    arguments = command.split()
    assert arguments[0] == "mmsdr"
    capsys.readouterr()
    assert main(arguments[1:]) == 1
    assert "mxtelecom.sms_inbound: field 'smsid' is missing" in capsys.readouterr().out

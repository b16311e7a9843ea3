"""The WSGI and ASGI examples as they are served (no server needed: both are plain callables), and the docs that
show the examples' code. Every example at every endpoint is in ``tests/test_frameworks.py``."""

from __future__ import annotations

import asyncio
import importlib
import io
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from _support import query_fixture

import mmsdr
import mmsdr.auth
import mmsdr.sinch
import mmsdr.telnyx
import mmsdr.testing
import mmsdr.twilio
import mmsdr.vonage

sys.path.insert(0, str(Path(__file__).parent.parent / "examples"))
import asgi_app
import endpoints
import wsgi_app

ROOT = Path(__file__).parent.parent

MXTELECOM_ADDRESS = "83.166.68.5"  # in MX Telecom's published ranges
MM7_AUTH = mmsdr.auth.BasicAuth({"vasp": "mm7-password"})  # what the MMSC was given
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def call_wsgi(
    method: str,
    path: str,
    query: str = "",
    remote_address: str = MXTELECOM_ADDRESS,
    body: bytes = b"",
    app: WsgiApp = wsgi_app.app,
    extra: dict[str, str] | None = None,
) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": remote_address,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "callbacks.example.com",
        "wsgi.input": io.BytesIO(body),
        **(extra or {}),
    }
    started: list[Any] = []
    body_parts = app(environ, lambda status, headers: started.extend([status, headers]))
    return started[0], started[1], b"".join(body_parts)


@pytest.fixture(autouse=True)
def empty_stores() -> None:
    for module in (wsgi_app, asgi_app):
        module.received.clear()
        module.refused.clear()


def test_wsgi_example_acknowledges_mxtelecom_from_its_ranges_and_hands_over_the_event_once() -> None:
    query = query_fixture("mxtelecom", "sms-report-mx-us")
    expected = mmsdr.parse_request({"Host": "callbacks.example.com"}, b"", query, formats="mxtelecom.sms_report")
    status, headers, body = call_wsgi("GET", "/mxtelecom/sms-report", query)
    assert (status, body) == ("200 OK", b"OK")
    assert ("Content-Length", "2") in headers
    assert isinstance(expected.events[0], mmsdr.DeliveryReport)
    assert wsgi_app.received == list(expected.events)
    # The provider's retry of the same callback is acknowledged again, and its event not handed over twice.
    assert call_wsgi("GET", "/mxtelecom/sms-report", query)[::2] == ("200 OK", b"OK")
    assert wsgi_app.received == list(expected.events)


def environ_headers(request: mmsdr.testing.TestRequest) -> dict[str, str]:
    """``request``'s headers as WSGI environ keys, without those the server sets."""
    return {
        name.upper().replace("-", "_") if name == "Content-Type" else "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in request.headers
        if name not in {"Host", "Content-Length"}
    }


def test_wsgi_example_checks_mxtelecom_s_ranges_on_mxtelecom_s_endpoints_only() -> None:
    query = query_fixture("mxtelecom", "sms-report-mx-us")
    status, _, body = call_wsgi("GET", "/mxtelecom/sms-report", query, remote_address="192.0.2.7")
    assert (status, body) == (
        "403 Forbidden",
        b"request: source address '192.0.2.7' is not in the trusted networks",
    )
    # MM7 from any address, with the credentials the MMSC was given.
    app = wsgi_app.create_app(endpoints.parsers(mm7_credentials={"vasp": "mm7-password"}), wsgi_app.received.append)
    request = mmsdr.testing.mm7_delivery_report().signed(MM7_AUTH)
    status, _, body = call_wsgi(
        "POST", "/mm7", remote_address="192.0.2.7", body=request.body, app=app, extra=environ_headers(request)
    )
    expected = request.parse(auth=MM7_AUTH)
    assert (status, body) == ("200 OK", mmsdr.acknowledge(expected).body)
    # The same event; raw differs in its header order only (a WSGI environ is a dict).
    assert [event.to_dict() | {"raw": None} for event in wsgi_app.received] == [
        event.to_dict() | {"raw": None} for event in expected.events
    ]


TWILIO = mmsdr.twilio.Signature("twilio-auth-token")
SINCH = mmsdr.sinch.Signature("sinch-secret")
BANDWIDTH_AUTH = mmsdr.auth.BasicAuth({"bandwidth": "bw-password"})
# Telnyx's key (the seed of bytes 0 to 31) and another one's (the seed of 32 zeros), each with its public key in
# base64 as Telnyx's portal shows it: what MMSDR_TELNYX_PUBLIC_KEYS holds.
TELNYX = mmsdr.telnyx.Signature.for_testing(bytes(range(32)))
TELNYX_PUBLIC_KEY = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
OLD_TELNYX = mmsdr.telnyx.Signature.for_testing(bytes(32))
OLD_TELNYX_PUBLIC_KEY = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="
# Vonage's signature secret (one per account; the SMS API's method is the Dashboard's), and an older one.
VONAGE = mmsdr.vonage.Signature("vonage-secret", method="sha256")
VONAGE_JWT = mmsdr.vonage.JwtSignature("vonage-secret")
OLD_VONAGE_JWT = mmsdr.vonage.JwtSignature("old-vonage-secret")
Signer = (
    mmsdr.twilio.Signature
    | mmsdr.sinch.Signature
    | mmsdr.telnyx.Signature
    | mmsdr.vonage.Signature
    | mmsdr.vonage.JwtSignature
)


@pytest.mark.parametrize(
    ("request_", "variable", "challenges"),
    [
        (
            mmsdr.testing.mm7_deliver().signed(MM7_AUTH),
            "MMSDR_MM7_CREDENTIALS (user:password)",
            ['Basic realm="mmsdr"'],
        ),
        (
            mmsdr.testing.openmarket_mms_report().signed(MM7_AUTH),
            "MMSDR_OPENMARKET_CREDENTIALS (user:password)",
            ['Basic realm="mmsdr"'],
        ),
        (mmsdr.testing.twilio_status().signed(TWILIO), "MMSDR_TWILIO_AUTH_TOKENS (auth tokens)", []),
        (mmsdr.testing.sinch_inbound().signed(SINCH), "MMSDR_SINCH_SECRETS (secrets)", []),
        (
            mmsdr.testing.bandwidth_report().signed(BANDWIDTH_AUTH),
            "MMSDR_BANDWIDTH_CREDENTIALS (user:password)",
            ['Basic realm="mmsdr"'],
        ),
        (mmsdr.testing.telnyx_inbound().signed(TELNYX), "MMSDR_TELNYX_PUBLIC_KEYS (public keys)", []),
        (
            mmsdr.testing.vonage_sms_inbound(method="POST").signed(VONAGE),
            "MMSDR_VONAGE_SIGNATURE_SECRETS (signature secrets)",
            [],
        ),
        (
            mmsdr.testing.vonage_message_inbound().signed(VONAGE_JWT),
            "MMSDR_VONAGE_SIGNATURE_SECRETS (signature secrets)",
            [],
        ),
    ],
)
def test_wsgi_example_as_served_without_its_credentials_set_refuses_even_signed_requests(
    request_: mmsdr.testing.TestRequest, variable: str, challenges: list[str]
) -> None:
    # The environment of the tests sets no variable: wsgi_app.app fails closed, there is no default password.
    assert (endpoints.MM7_CREDENTIALS, endpoints.OPENMARKET_CREDENTIALS, endpoints.BANDWIDTH_CREDENTIALS) == (
        None,
        None,
        None,
    )
    assert (endpoints.TWILIO_AUTH_TOKENS, endpoints.SINCH_SECRETS, endpoints.PUBLIC_URL) == (None, None, None)
    assert (endpoints.TELNYX_PUBLIC_KEYS, endpoints.VONAGE_SIGNATURE_SECRETS) == (None, None)
    status, headers, body = call_wsgi("POST", request_.path, body=request_.body, extra=environ_headers(request_))
    message = f"request: this endpoint has no credentials to check; set {variable}"
    assert (status, [value for name, value in headers if name == "WWW-Authenticate"]) == (
        "401 Unauthorized",
        challenges,
    )
    assert message.encode() in body  # MM7's inside its SOAP fault, the others' the whole body
    assert wsgi_app.received == []
    ((_, error),) = wsgi_app.refused
    assert (type(error), str(error)) == (mmsdr.AuthenticationError, message)


def test_wsgi_example_refuses_bad_input_with_the_error_ack_and_keeps_it() -> None:
    status, _, body = call_wsgi("GET", "/mxtelecom/sms-report", "smsmsg=REPORT+1+DELIVERED")
    assert status == "400 Bad Request"
    assert body == b"mxtelecom.sms_report: field 'smsfrom' is missing"
    assert wsgi_app.received == []
    ((request, error),) = wsgi_app.refused
    assert (request.method, request.query, request.remote_address) == (
        "GET",
        b"smsmsg=REPORT+1+DELIVERED",
        MXTELECOM_ADDRESS,
    )
    assert str(error) == "mxtelecom.sms_report: field 'smsfrom' is missing"


def test_wsgi_example_answers_404_where_it_has_no_endpoint() -> None:
    status, headers, body = call_wsgi("GET", "/callbacks", query_fixture("mxtelecom", "sms-report-mx-us"))
    assert (status, body) == ("404 Not Found", b"no callback endpoint at this path")
    assert ("Content-Type", "text/plain; charset=utf-8") in headers
    assert (wsgi_app.received, wsgi_app.refused) == ([], [])


def call_asgi(path: str, query: bytes, chunks: list[bytes], content_type: bytes) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1} for i, chunk in enumerate(chunks)
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"content-type", content_type)],
        "query_string": query,
        "client": (MXTELECOM_ADDRESS, 40000),
    }
    asyncio.run(asgi_app.app(scope, receive, send))
    return sent


FORM = b"application/x-www-form-urlencoded"


def test_asgi_example_reads_a_chunked_body() -> None:
    body = query_fixture("mxtelecom", "sms-inbound-mx-uk").encode()
    sent = call_asgi("/mxtelecom/sms-inbound", b"", [body[:10], body[10:30], body[30:]], FORM)
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"OK"
    expected = mmsdr.parse_request(
        [("content-type", "application/x-www-form-urlencoded")], body, b"", method="POST", formats="mxtelecom"
    )
    assert isinstance(expected.events[0], mmsdr.InboundMessage)
    assert asgi_app.received == list(expected.events)


@pytest.mark.parametrize("chunks", [[b"x" * 30_000_000], [b"x" * 10_000_000] * 3])
def test_asgi_example_stops_reading_past_the_limit(chunks: list[bytes]) -> None:
    sent = call_asgi("/openmarket", b"", chunks, b"application/json")
    assert sent[0]["status"] == 413
    ((request, error),) = asgi_app.refused
    assert (request.body, type(error)) == (None, mmsdr.LimitExceededError)  # over its limit: not kept


def test_asgi_example_refuses_a_forged_report_and_keeps_it() -> None:
    forged = mmsdr.testing.mxtelecom_sms_inbound(text="REPORT 17218733 DELIVERED", network="TMOBILEUK")
    sent = call_asgi("/mxtelecom/sms-report", forged.query.encode(), [b""], FORM)
    assert (sent[0]["status"], sent[1]["body"]) == (
        415,
        b"mxtelecom.sms_report: field 'network' is only sent with an inbound SMS: this request is not this format",
    )
    assert asgi_app.received == []
    ((request, _),) = asgi_app.refused
    assert request.query == forged.query.encode()


def test_asgi_example_answers_404_where_it_has_no_endpoint() -> None:
    sent = call_asgi("/callbacks", b"", [b""], FORM)
    assert (sent[0]["status"], sent[1]["body"]) == (404, b"no callback endpoint at this path")


def test_mxtelecom_s_networks_are_its_published_ranges_or_the_environment_s(monkeypatch: pytest.MonkeyPatch) -> None:
    assert endpoints.MXTELECOM_NETWORKS == ["83.166.68.0/23", "83.166.72.0/24", "208.93.48.0/22"]
    monkeypatch.setenv("MMSDR_TRUSTED_NETWORKS", "192.0.2.0/24,2001:db8::/32")
    try:
        assert importlib.reload(endpoints).MXTELECOM_NETWORKS == ["192.0.2.0/24", "2001:db8::/32"]
    finally:
        monkeypatch.delenv("MMSDR_TRUSTED_NETWORKS")
        importlib.reload(endpoints)
    assert endpoints.MXTELECOM_NETWORKS == ["83.166.68.0/23", "83.166.72.0/24", "208.93.48.0/22"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("vasp:s3cret", {"vasp": ["s3cret"]}),
        ("old:first,new:pa:ss word", {"old": ["first"], "new": ["pa:ss word"]}),  # a password may hold ':'
        ("vasp:old,vasp:new", {"vasp": ["old", "new"]}),  # one user's password during a rotation
    ],
)
def test_credentials_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: dict[str, list[str]] | None
) -> None:
    if value is not None:
        monkeypatch.setenv("MMSDR_MM7_CREDENTIALS", value)
    assert endpoints.credentials_from("MMSDR_MM7_CREDENTIALS") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("vasp", "MMSDR_MM7_CREDENTIALS: entry 1 is not user:password"),
        ("vasp:s3cret,", "MMSDR_MM7_CREDENTIALS: entry 2 is not user:password"),
        (":s3cret", "MMSDR_MM7_CREDENTIALS: entry 1 is not user:password"),
        ("vasp:", "MMSDR_MM7_CREDENTIALS: entry 1 is not user:password"),
    ],
)
def test_malformed_credentials_stop_the_start_without_showing_a_password(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv("MMSDR_MM7_CREDENTIALS", value)
    with pytest.raises(ValueError) as caught:
        endpoints.credentials_from("MMSDR_MM7_CREDENTIALS")
    assert str(caught.value) == message


def test_the_environment_s_credentials_are_each_endpoint_s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMSDR_MM7_CREDENTIALS", "vasp:mm7-password")
    monkeypatch.setenv("MMSDR_OPENMARKET_CREDENTIALS", "openmarket:om-password")
    monkeypatch.setenv("MMSDR_BANDWIDTH_CREDENTIALS", "bandwidth:bw-password")
    try:
        reloaded = importlib.reload(endpoints)
        assert (reloaded.MM7_CREDENTIALS, reloaded.OPENMARKET_CREDENTIALS, reloaded.BANDWIDTH_CREDENTIALS) == (
            {"vasp": ["mm7-password"]},
            {"openmarket": ["om-password"]},
            {"bandwidth": ["bw-password"]},
        )
        parsers = reloaded.parsers()
        mm7 = mmsdr.testing.mm7_deliver()
        openmarket = mmsdr.testing.openmarket_mms_report()
        bandwidth = mmsdr.testing.bandwidth_inbound()
        om_auth = mmsdr.auth.BasicAuth({"openmarket": "om-password"})
        for path, request, auth, other in [
            ("/mm7", mm7, MM7_AUTH, om_auth),
            ("/openmarket", openmarket, om_auth, BANDWIDTH_AUTH),
            ("/bandwidth", bandwidth, BANDWIDTH_AUTH, MM7_AUTH),
        ]:
            signed = request.signed(auth)
            assert parsers[path].parse(signed.headers, signed.body, signed.query, method=signed.method).events
            wrong = request.signed(other)
            with pytest.raises(
                mmsdr.AuthenticationError, match="^request: the Basic credentials are not this endpoint's$"
            ):
                parsers[path].parse(wrong.headers, wrong.body, wrong.query, method=wrong.method)
    finally:
        monkeypatch.delenv("MMSDR_MM7_CREDENTIALS")
        monkeypatch.delenv("MMSDR_OPENMARKET_CREDENTIALS")
        monkeypatch.delenv("MMSDR_BANDWIDTH_CREDENTIALS")
        importlib.reload(endpoints)
    assert (endpoints.MM7_CREDENTIALS, endpoints.OPENMARKET_CREDENTIALS, endpoints.BANDWIDTH_CREDENTIALS) == (
        None,
        None,
        None,
    )


# --- the docs show the examples' own code --------------------------------------------------------------------

DOCS_SECTIONS = {
    "## One endpoint per callback kind": ("endpoints.py", "def parser("),
    "## Flask": ("flask_app.py", "for event in callback.events:"),
    "## Django": ("django_app.py", "for event in callback.events:"),
    "## FastAPI and Starlette": ("fastapi_app.py", "for event in callback.events:"),
    "## aiohttp": ("aiohttp_app.py", "for event in callback.events:"),
    "## WSGI and ASGI without a framework": ("wsgi_app.py", "for event in callback.events:"),
}


def code_lines(text: str) -> list[str]:
    """The lines of ``text`` without comments, blank lines and indentation."""
    stripped = (line.partition("  #")[0].strip() for line in text.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


@pytest.mark.parametrize(("heading", "example", "shown_line"), [(h, *v) for h, v in DOCS_SECTIONS.items()])
def test_docs_frameworks_md_shows_the_example_s_code(heading: str, example: str, shown_line: str) -> None:
    page = (ROOT / "docs" / "frameworks.md").read_text(encoding="utf-8")
    section = page[page.index(f"\n{heading}\n") :]
    snippet = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert snippet is not None
    source = code_lines((ROOT / "examples" / example).read_text(encoding="utf-8"))
    shown = code_lines(snippet[1])
    assert any(line.startswith(shown_line) for line in shown)
    assert [line for line in shown if line not in source] == []
    # In the example's order: the snippet is an excerpt, not a rewrite.
    positions = [source.index(line) for line in shown if shown.count(line) == 1 and source.count(line) == 1]
    assert positions == sorted(positions)


def section_code(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    section = text[text.index(f"\n{heading}\n") :]
    snippet = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert snippet is not None
    return snippet[1]


def test_the_quickstart_shows_the_readme_s_use() -> None:
    readme = section_code(ROOT / "README.md", "## Use")
    assert 'mmsdr.Parser(formats="mxtelecom.sms_report"' in readme
    assert section_code(ROOT / "docs" / "quickstart.md", "## Use") == readme


def run_readme_use(request: mmsdr.testing.TestRequest, client_address: str) -> tuple[mmsdr.Ack, list[mmsdr.Event]]:
    """The README's "Use" code, run on ``request`` from ``client_address``: the ack it sends, the events stored."""
    stored: list[mmsdr.Event] = []
    namespace: dict[str, Any] = {
        "headers": request.headers,
        "body": request.body,
        "query": request.query,
        "client_address": client_address,
        "store": stored.append,
    }
    exec(compile(section_code(ROOT / "README.md", "## Use"), "README.md", "exec"), namespace)  # noqa: S102 - our docs
    ack: mmsdr.Ack = namespace["ack"]
    return ack, stored


def test_the_readme_s_use_stores_a_report_once_refuses_a_forged_one_and_other_sources() -> None:
    report = mmsdr.testing.mxtelecom_sms_report()
    ack, stored = run_readme_use(report, MXTELECOM_ADDRESS)
    assert ((ack.status, ack.body), stored) == ((200, b"OK"), list(report.parse().events))
    forged = mmsdr.testing.mxtelecom_sms_inbound(text="REPORT 17218733 DELIVERED", network="TMOBILEUK")
    ack, stored = run_readme_use(forged, MXTELECOM_ADDRESS)
    assert ((ack.status, ack.body), stored) == (
        (
            415,
            b"mxtelecom.sms_report: field 'network' is only sent with an inbound SMS: this request is not this format",
        ),
        [],
    )
    ack, stored = run_readme_use(report, "192.0.2.7")
    assert ((ack.status, ack.body), stored) == (
        (403, b"request: source address '192.0.2.7' is not in the trusted networks"),
        [],
    )


def test_the_quickstart_shows_the_readme_s_endpoint_with_auth() -> None:
    readme = section_code(ROOT / "README.md", "### Who sent it")
    assert 'auth=mmsdr.auth.BasicAuth({"vasp": mm7_password})' in readme
    assert section_code(ROOT / "docs" / "quickstart.md", "### Who sent it") == readme
    for page in (ROOT / "README.md", ROOT / "docs" / "quickstart.md"):
        text = page.read_text(encoding="utf-8")
        section = text[text.index("\n### Who sent it\n") :]
        assert "security.md#who-sent-it)" in section[: section.index("```python")]


def run_readme_auth(request: mmsdr.testing.TestRequest) -> mmsdr.Ack:
    """The README's "Who sent it" code, its password the MMSC's, run on ``request``: the ack it sends."""
    namespace: dict[str, Any] = {
        "headers": request.headers,
        "body": request.body,
        "query": request.query,
        "mm7_password": "mm7-password",
    }
    code = compile(section_code(ROOT / "README.md", "### Who sent it"), "README.md", "exec")
    exec(code, namespace)  # noqa: S102 - our docs
    ack: mmsdr.Ack = namespace["ack"]
    return ack


def test_the_readme_s_mm7_endpoint_acknowledges_the_mmsc_and_refuses_others() -> None:
    request = mmsdr.testing.mm7_deliver()
    ack = run_readme_auth(request.signed(MM7_AUTH))
    assert (ack.status, ack.body) == (200, mmsdr.acknowledge(request.parse()).body)
    challenge = ("WWW-Authenticate", 'Basic realm="mmsdr", charset="UTF-8"')
    guessed = mmsdr.auth.BasicAuth({"vasp": "guessed"})
    for forged, details in [
        (request, b"<Details>request: no Authorization header; this endpoint takes HTTP Basic credentials</Details>"),
        (request.signed(guessed), b"<Details>request: the Basic credentials are not this endpoint's</Details>"),
    ]:
        ack = run_readme_auth(forged)
        assert (ack.status, challenge in ack.headers) == (401, True)
        assert b"<StatusCode>4001</StatusCode>" in ack.body
        assert details in ack.body


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("token", ["token"]), ("old,new", ["old", "new"])],  # two during a rotation
)
def test_secrets_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: list[str] | None
) -> None:
    if value is not None:
        monkeypatch.setenv("MMSDR_TWILIO_AUTH_TOKENS", value)
    assert endpoints.secrets_from("MMSDR_TWILIO_AUTH_TOKENS") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("token,", "MMSDR_SINCH_SECRETS: entry 2 is empty"),
        (",token", "MMSDR_SINCH_SECRETS: entry 1 is empty"),
        ("old, ,new", "MMSDR_SINCH_SECRETS: entry 2 is empty"),
    ],
)
def test_an_empty_secret_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str, message: str) -> None:
    monkeypatch.setenv("MMSDR_SINCH_SECRETS", value)
    with pytest.raises(ValueError) as caught:
        endpoints.secrets_from("MMSDR_SINCH_SECRETS")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("https://callbacks.example.com", "https://callbacks.example.com"),
        ("http://10.0.0.7:8080/prefix", "http://10.0.0.7:8080/prefix"),
    ],
)
def test_the_public_url_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str | None
) -> None:
    if value is not None:
        monkeypatch.setenv("MMSDR_PUBLIC_URL", value)
    assert endpoints.public_url_from("MMSDR_PUBLIC_URL") == expected


def test_a_public_url_that_is_not_one_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMSDR_PUBLIC_URL", "callbacks.example.com")
    with pytest.raises(ValueError) as caught:
        endpoints.public_url_from("MMSDR_PUBLIC_URL")
    assert str(caught.value) == "MMSDR_PUBLIC_URL must be an http:// or https:// URL, got 'callbacks.example.com'"


def test_the_environment_s_secrets_and_public_url_reach_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMSDR_TWILIO_AUTH_TOKENS", "old-token,twilio-auth-token")
    monkeypatch.setenv("MMSDR_SINCH_SECRETS", "sinch-secret")
    monkeypatch.setenv("MMSDR_TELNYX_PUBLIC_KEYS", f"{OLD_TELNYX_PUBLIC_KEY},{TELNYX_PUBLIC_KEY}")
    monkeypatch.setenv("MMSDR_VONAGE_SIGNATURE_SECRETS", "old-vonage-secret,vonage-secret")
    monkeypatch.setenv("MMSDR_VONAGE_SIGNATURE_METHOD", "sha256")
    monkeypatch.setenv("MMSDR_PUBLIC_URL", "https://callbacks.example.com")
    try:
        importlib.reload(endpoints)
        received: list[mmsdr.Event] = []
        # As wsgi_app.app is built (reloading wsgi_app would leave the other tests' app on another list).
        served = wsgi_app.create_app(endpoints.parsers(), received.append, public_url=endpoints.PUBLIC_URL)
        assert (endpoints.TWILIO_AUTH_TOKENS, endpoints.SINCH_SECRETS, endpoints.PUBLIC_URL) == (
            ["old-token", "twilio-auth-token"],
            ["sinch-secret"],
            "https://callbacks.example.com",
        )
        assert endpoints.TELNYX_PUBLIC_KEYS == [OLD_TELNYX_PUBLIC_KEY, TELNYX_PUBLIC_KEY]
        assert (endpoints.VONAGE_SIGNATURE_SECRETS, endpoints.VONAGE_SIGNATURE_METHOD) == (
            ["old-vonage-secret", "vonage-secret"],
            "sha256",
        )
        replies = []
        sent: list[tuple[mmsdr.testing.TestRequest, Signer]] = [
            (mmsdr.testing.twilio_status(), TWILIO),  # the second token of a rotation
            (mmsdr.testing.twilio_status(), mmsdr.twilio.Signature("old-token")),
            (mmsdr.testing.sinch_inbound(), SINCH),
            (mmsdr.testing.sinch_inbound(), mmsdr.sinch.Signature("guessed")),
            (mmsdr.testing.telnyx_inbound(), TELNYX),  # the second key of a rotation
            (mmsdr.testing.telnyx_inbound(), OLD_TELNYX),
            (mmsdr.testing.telnyx_inbound(), mmsdr.telnyx.Signature.for_testing(b"\x07" * 32)),
            (mmsdr.testing.vonage_sms_receipt(method="POST"), VONAGE),  # the second secret, the method set
            (mmsdr.testing.vonage_sms_receipt(method="POST"), mmsdr.vonage.Signature("vonage-secret")),  # md5hash
            (mmsdr.testing.vonage_message_status(), OLD_VONAGE_JWT),  # the first secret of the rotation
            (mmsdr.testing.vonage_message_status(), mmsdr.vonage.JwtSignature("guessed")),
        ]
        for request, auth in sent:
            signed = request.signed(auth)
            status, _, body = call_wsgi(
                "POST", signed.path, body=signed.body, app=served, extra=environ_headers(signed)
            )
            replies.append((status, body))
        acks = [
            mmsdr.acknowledge(mmsdr.testing.twilio_status().parse()),
            mmsdr.acknowledge(mmsdr.testing.sinch_inbound().parse()),
            mmsdr.acknowledge(mmsdr.testing.telnyx_inbound().parse()),
            mmsdr.acknowledge(mmsdr.testing.vonage_sms_receipt().parse()),
        ]
        assert replies == [
            ("200 OK", acks[0].body),
            ("200 OK", acks[0].body),
            ("200 OK", acks[1].body),
            ("401 Unauthorized", b"request: the Sinch signature does not match"),
            ("200 OK", acks[2].body),
            ("200 OK", acks[2].body),
            ("401 Unauthorized", b"request: the Telnyx signature does not match"),
            ("200 OK", acks[3].body),
            ("401 Unauthorized", b"request: the sig parameter does not match the parameters (sha256)"),
            ("200 OK", acks[3].body),
            ("401 Unauthorized", b"request: the JWT signature does not match"),
        ]
        # A retry is handled once.
        assert [event.provider for event in received] == ["twilio", "sinch", "telnyx", "vonage", "vonage"]
    finally:
        for variable in (
            "MMSDR_TWILIO_AUTH_TOKENS",
            "MMSDR_SINCH_SECRETS",
            "MMSDR_TELNYX_PUBLIC_KEYS",
            "MMSDR_VONAGE_SIGNATURE_SECRETS",
            "MMSDR_VONAGE_SIGNATURE_METHOD",
            "MMSDR_PUBLIC_URL",
        ):
            monkeypatch.delenv(variable)
        importlib.reload(endpoints)
    assert (endpoints.TWILIO_AUTH_TOKENS, endpoints.SINCH_SECRETS, endpoints.PUBLIC_URL) == (None, None, None)
    assert endpoints.TELNYX_PUBLIC_KEYS is None
    assert endpoints.VONAGE_SIGNATURE_SECRETS is None
    assert endpoints.VONAGE_SIGNATURE_METHOD == "md5hash"

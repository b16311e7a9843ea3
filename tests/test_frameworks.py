"""Every example app (WSGI, ASGI, Flask, Django, FastAPI, aiohttp), each through its own test client, at every
endpoint: each builder's sample and each request in ``examples/requests/`` at its own endpoint, each sample at
every other endpoint (refused), the forged report, each endpoint's check of its provider (a forged request without
credentials or signature refused at every endpoint, an endpoint without its credentials set refusing every
request, Twilio's without the public URL), retries and a dedupe store that cannot say.

The cases are built in each test, not at import: Sinch's signatures hold the time they were made at.

The frameworks are test dependencies (the ``frameworks`` extra, in ``dev``): locally a missing one skips its
tests, on CI (``CI`` set) it fails them, so that nothing is silently skipped there.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import importlib
import io
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _support import SigningCheck
from cryptography.hazmat.primitives.asymmetric import ed25519
from lxml import etree

import mmsdr
import mmsdr.auth
import mmsdr.dedupe
import mmsdr.sinch
import mmsdr.telnyx
import mmsdr.twilio
import mmsdr.vonage
from mmsdr.__main__ import read_raw_request
from mmsdr.testing import BUILDERS, TestRequest

sys.path.insert(0, str(Path(__file__).parent.parent / "examples"))
import endpoints

REQUESTS = sorted((Path(__file__).parent.parent / "examples" / "requests").glob("*.http"))
CLIENT = "127.0.0.1"  # where every test request comes from
LOCAL = ["127.0.0.0/8", "::1/128"]
MXTELECOM = [str(network) for network in mmsdr.mxtelecom.NETWORKS]  # CLIENT is not in them
# Set by each test client from the body or the URL; the requests' own values are not sent.
CLIENT_SET = {"host", "content-length"}
# What each endpoint is for: one per MX Telecom callback kind, one for each other provider.
FORMATS_AT = {
    "/mxtelecom/sms-report": "mxtelecom.sms_report",
    "/mxtelecom/sms-inbound": "mxtelecom.sms_inbound",
    "/mxtelecom/mms-report": "mxtelecom.mms_report",
    "/mxtelecom/mms-inbound": "mxtelecom.mms_inbound",
    "/mxtelecom/unsubscribe": "mxtelecom.unsubscribe",
    "/mxtelecom/renewal": "mxtelecom.renewal",
    "/mm7": "mm7",
    "/openmarket": "openmarket",
    "/twilio": "twilio",
    "/sinch": "sinch",
    "/bandwidth": "bandwidth",
    "/telnyx": "telnyx",
    "/vonage/sms-receipt": "vonage.sms_receipt",
    "/vonage/sms-inbound": "vonage.sms_inbound",
    "/vonage/message-status": "vonage.message_status",
    "/vonage/message-inbound": "vonage.message_inbound",
}
VONAGE_SMS = ("/vonage/sms-receipt", "/vonage/sms-inbound")
VONAGE_MESSAGES = ("/vonage/message-status", "/vonage/message-inbound")
VONAGE = (*VONAGE_SMS, *VONAGE_MESSAGES)
SERVED = list(BUILDERS)
# Each format's endpoint: the builder's default path, so that `mmsdr sample FORMAT | mmsdr send - URL` reaches it.
PATH_OF = {name: BUILDERS[name]().path for name in SERVED}


def require(name: str) -> ModuleType:
    """Import a framework: a skip where it is not installed, a failure on CI where it must be."""
    if os.environ.get("CI"):
        return importlib.import_module(name)
    module: ModuleType = pytest.importorskip(name)
    return module


@dataclass(frozen=True)
class Credentials:
    """What each endpoint is given here, as the examples read it from the environment: the HTTP Basic credentials
    of MM7's, OpenMarket's and Bandwidth's endpoints, Twilio's Auth Token, Sinch's secret, the hex seed of
    Telnyx's Ed25519 key (the endpoint is given its public key) and Vonage's signature secret (one for the account,
    its SMS API and Messages API endpoints alike; MX Telecom's check the networks)."""

    basic: Mapping[str, Mapping[str, str]]
    secrets: Mapping[str, str]


CREDENTIALS = Credentials(
    basic={
        "/mm7": {"vasp": "mm7-password"},
        "/openmarket": {"openmarket": "om-password"},
        "/bandwidth": {"bandwidth": "bw-password"},
    },
    secrets={
        "/twilio": "twilio-auth-token",
        "/sinch": "sinch-secret",
        "/telnyx": bytes(range(32)).hex(),
        **dict.fromkeys(VONAGE, "vonage-signature-secret"),
    },
)
UNSET = Credentials(basic={}, secrets={})  # no variable set
VARIABLES = {
    "/mm7": "MMSDR_MM7_CREDENTIALS",
    "/openmarket": "MMSDR_OPENMARKET_CREDENTIALS",
    "/twilio": "MMSDR_TWILIO_AUTH_TOKENS",
    "/sinch": "MMSDR_SINCH_SECRETS",
    "/bandwidth": "MMSDR_BANDWIDTH_CREDENTIALS",
    "/telnyx": "MMSDR_TELNYX_PUBLIC_KEYS",
    **dict.fromkeys(VONAGE, "MMSDR_VONAGE_SIGNATURE_SECRETS"),
}
CHALLENGE = 'Basic realm="mmsdr", charset="UTF-8"'
# The base of the URLs the providers are given (MMSDR_PUBLIC_URL): the samples' Host, so that what
# ``TestRequest.signed`` signs for Twilio is the URL each app passes on.
PUBLIC_URL = "https://callbacks.example.com"


class RefusesAll:
    """What an endpoint whose credentials are not set does: refuse every request, naming the variable to set."""

    def __init__(self, variable: str, holds: str, field: str, challenge: str | None) -> None:
        self.variable, self.holds, self.field, self.challenge = variable, holds, field, challenge

    def authenticate(self, request: mmsdr.Request, /) -> None:
        message = f"request: this endpoint has no credentials to check; set {self.variable} ({self.holds})"
        raise mmsdr.AuthenticationError(message, field=self.field, challenge=self.challenge)


def public_key(seed: str) -> str:
    """The public key of the Ed25519 ``seed`` (hex), base64 as Telnyx's portal shows it."""
    raw = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed)).public_key().public_bytes_raw()
    return base64.b64encode(raw).decode("ascii")


def reference_check(path: str, credentials: Credentials) -> SigningCheck | RefusesAll | None:
    """The check of the endpoint at ``path`` beyond MX Telecom's networks, written out here."""
    basic, secret = credentials.basic.get(path), credentials.secrets.get(path)
    if path in {"/mm7", "/openmarket", "/bandwidth"}:
        unset = RefusesAll(VARIABLES[path], "user:password", "authorization", 'Basic realm="mmsdr"')
        return mmsdr.auth.BasicAuth(basic, realm="mmsdr") if basic else unset
    if path == "/twilio":
        unset = RefusesAll(VARIABLES[path], "auth tokens", "x-twilio-signature", None)
        return mmsdr.twilio.Signature(secret) if secret else unset
    if path == "/sinch":
        unset = RefusesAll(VARIABLES[path], "secrets", "x-sinch-webhook-signature", None)
        return mmsdr.sinch.Signature(secret) if secret else unset
    if path == "/telnyx":
        unset = RefusesAll(VARIABLES[path], "public keys", "telnyx-signature-ed25519", None)
        return mmsdr.telnyx.Signature.for_testing(bytes.fromhex(secret)) if secret else unset
    if path in VONAGE_SMS:
        unset = RefusesAll(VARIABLES[path], "signature secrets", "sig", None)
        return mmsdr.vonage.Signature(secret, method="md5hash") if secret else unset
    if path in VONAGE_MESSAGES:
        unset = RefusesAll(VARIABLES[path], "signature secrets", "authorization", None)
        return mmsdr.vonage.JwtSignature(secret) if secret else unset
    return None


def reference_parser(path: str, mxtelecom_networks: Sequence[str], credentials: Credentials) -> mmsdr.Parser:
    """What the endpoint at ``path`` should do, written out here rather than taken from the examples."""
    networks = mxtelecom_networks if path.startswith("/mxtelecom/") else None
    auth = reference_check(path, credentials)
    return mmsdr.Parser(formats=FORMATS_AT[path], trusted_networks=networks, auth=auth)


def example_parsers(mxtelecom_networks: Sequence[str], credentials: Credentials) -> dict[str, mmsdr.Parser]:
    """The examples' parsers, given the networks, credentials and secrets as the environment would."""
    twilio, sinch = credentials.secrets.get("/twilio"), credentials.secrets.get("/sinch")
    telnyx, vonage = credentials.secrets.get("/telnyx"), credentials.secrets.get(VONAGE[0])
    return endpoints.parsers(
        mxtelecom_networks=mxtelecom_networks,
        mm7_credentials=credentials.basic.get("/mm7"),
        openmarket_credentials=credentials.basic.get("/openmarket"),
        twilio_auth_tokens=[twilio] if twilio else None,
        sinch_secrets=[sinch] if sinch else None,
        bandwidth_credentials=credentials.basic.get("/bandwidth"),
        telnyx_public_keys=[public_key(telnyx)] if telnyx else None,
        vonage_signature_secrets=[vonage] if vonage else None,
        vonage_signature_method="md5hash",
    )


def authorization(credentials: Mapping[str, str]) -> tuple[str, str]:
    """The ``Authorization`` header of ``credentials``, as ``mmsdr.testing`` signs a request."""
    (header,) = TestRequest(method="POST", target="/", headers=()).signed(mmsdr.auth.BasicAuth(credentials)).headers
    return header


def signed_for(path: str, request: TestRequest) -> TestRequest:
    """``request`` sent to ``path``, with the credentials or the signature of ``CREDENTIALS`` for ``path`` where
    its endpoint checks them (Twilio's over the URL the request is sent to; Vonage's SMS API ``sig`` in the query
    or the body)."""
    target = path + (f"?{request.query}" if request.query else "")
    request = dataclasses.replace(request, target=target)
    signer = reference_check(path, CREDENTIALS)
    if signer is None or isinstance(signer, RefusesAll):
        return request
    if path in VONAGE_SMS and not vonage_parameters(request):
        return request  # another provider's JSON at an SMS API endpoint: it has no parameters to sign, sent unsigned
    return request.signed(signer)


def vonage_parameters(request: TestRequest) -> bool:
    """Whether ``request`` carries parameters Vonage's SMS API signs: a query, a form, or a JSON object of strings."""
    if dict(request.headers).get("Content-Type", "").partition(";")[0] != "application/json":
        return True
    try:
        obj = json.loads(request.body)
    except ValueError:
        return False
    return isinstance(obj, dict) and all(type(value) is str for value in obj.values())


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    expected: mmsdr.Ack
    callback: mmsdr.Callback | None


def case_of(
    name: str,
    method: str,
    path: str,
    query: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    mxtelecom_networks: Sequence[str] = LOCAL,
    credentials: Credentials = CREDENTIALS,
    public_url: str | None = PUBLIC_URL,
) -> Case:
    callback: mmsdr.Callback | None
    url = f"{public_url}{path}" + (f"?{query}" if query else "") if public_url else None
    try:
        callback = reference_parser(path, mxtelecom_networks, credentials).parse(
            headers, body, query, method=method, remote_address=CLIENT, url=url
        )
    except mmsdr.MmsdrError as error:
        callback, expected = None, error.ack
    else:
        expected = mmsdr.acknowledge(callback)
    return Case(
        name=name,
        method=method,
        url=path + (f"?{query}" if query else ""),
        headers=[(name, value) for name, value in headers if name.lower() not in CLIENT_SET],
        body=body,
        expected=expected,
        callback=callback,
    )


def sample_at(
    name: str,
    path: str | None = None,
    mxtelecom_networks: Sequence[str] = LOCAL,
    credentials: Credentials = CREDENTIALS,
    *,
    signed: bool = True,
    public_url: str | None = PUBLIC_URL,
) -> Case:
    """The builder's sample request for ``name``, sent to ``path`` (its own endpoint when None), with the
    credentials or signature of ``CREDENTIALS`` for that endpoint unless not ``signed``; the endpoint has
    ``credentials`` and ``public_url``."""
    request = BUILDERS[name]()
    path = path or request.path
    if signed:
        request = signed_for(path, request)
    return case_of(
        f"{name} at {path}",
        request.method,
        path,
        request.query,
        request.headers,
        request.body,
        mxtelecom_networks,
        credentials,
        public_url,
    )


def file_case(file: Path) -> Case:
    """A request from ``examples/requests/``, sent to its format's endpoint whatever path the file names."""
    raw = read_raw_request(file.read_bytes())
    name = mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method).format
    path = PATH_OF[name]
    target = path + (f"?{raw.query}" if raw.query else "")
    request = signed_for(path, TestRequest(method=raw.method, target=target, headers=tuple(raw.headers), body=raw.body))
    return case_of(file.stem, raw.method, path, request.query, request.headers, request.body)


def samples() -> list[Case]:
    return [sample_at(name) for name in SERVED]


def files() -> list[Case]:
    return [file_case(file) for file in REQUESTS]


# A report sent to the inbound SMS endpoint is read as an inbound SMS whose text is `REPORT ...`: an inbound SMS
# carries every field a report does (docs/mxtelecom.md), and only MX Telecom sends to that URL.
READ_AS_INBOUND = ("mxtelecom.sms_report", "/mxtelecom/sms-inbound")


def elsewhere() -> list[Case]:
    return [
        sample_at(name, path)
        for name in SERVED
        for path in FORMATS_AT
        if path != PATH_OF[name] and (name, path) != READ_AS_INBOUND
    ]


FORGED = mmsdr.testing.mxtelecom_sms_inbound(text="REPORT 17218733 DELIVERED", network="TMOBILEUK")


def test_the_endpoints_are_one_per_callback_kind_at_the_builders_paths() -> None:
    assert endpoints.ENDPOINTS == FORMATS_AT
    assert sorted(set(PATH_OF.values())) == sorted(FORMATS_AT)
    assert PATH_OF == {
        "mxtelecom.sms_report": "/mxtelecom/sms-report",
        "mxtelecom.mms_report": "/mxtelecom/mms-report",
        "mxtelecom.sms_inbound": "/mxtelecom/sms-inbound",
        "mxtelecom.mms_inbound": "/mxtelecom/mms-inbound",
        "mxtelecom.unsubscribe": "/mxtelecom/unsubscribe",
        "mxtelecom.renewal": "/mxtelecom/renewal",
        "mm7.delivery_report": "/mm7",
        "mm7.deliver": "/mm7",
        "mm7.read_reply": "/mm7",
        "openmarket.mms_report": "/openmarket",
        "openmarket.mms_inbound": "/openmarket",
        "sinch.recipient_delivery_report": "/sinch",
        "sinch.delivery_report": "/sinch",
        "sinch.inbound": "/sinch",
        "twilio.status": "/twilio",
        "twilio.inbound": "/twilio",
        "bandwidth.report": "/bandwidth",
        "bandwidth.inbound": "/bandwidth",
        "telnyx.report": "/telnyx",
        "telnyx.inbound": "/telnyx",
        "vonage.sms_receipt": "/vonage/sms-receipt",
        "vonage.sms_inbound": "/vonage/sms-inbound",
        "vonage.message_status": "/vonage/message-status",
        "vonage.message_inbound": "/vonage/message-inbound",
    }


def test_the_cases_cover_every_format_each_at_its_endpoint_and_refused_elsewhere() -> None:
    assert [case.callback.format if case.callback else None for case in samples()] == SERVED
    assert {case.callback.format for case in files() if case.callback} == set(SERVED)
    assert all(case.callback for case in files())
    assert len(elsewhere()) == len(SERVED) * (len(FORMATS_AT) - 1) - 1
    assert [case.name for case in elsewhere() if case.callback or case.expected.status < 400] == []
    inbound = sample_at(*READ_AS_INBOUND)
    assert inbound.callback is not None
    assert inbound.callback.format == "mxtelecom.sms_inbound"
    (event,) = inbound.callback.events
    assert isinstance(event, mmsdr.InboundMessage)
    assert event.text == "REPORT 17218733 DELIVERED"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


Replies = tuple[list[Reply], list[mmsdr.Event]]


class DownStore:
    """A dedupe store that cannot be reached (a Redis that is down)."""

    def claim(self, key: str, token: str, lease_seconds: float) -> mmsdr.dedupe.ClaimState:
        raise mmsdr.dedupe.DedupeStoreError("the store is down", key=key)

    def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        raise mmsdr.dedupe.DedupeStoreError("the store is down", key=key)

    def release(self, key: str, token: str) -> None:
        raise mmsdr.dedupe.DedupeStoreError("the store is down", key=key)

    def close(self) -> None:
        pass


class HeldStore(DownStore):
    """A dedupe store where another delivery holds every event's lease and has not finished."""

    def claim(self, key: str, token: str, lease_seconds: float) -> mmsdr.dedupe.ClaimState:
        return mmsdr.dedupe.ClaimState.HELD


class AsyncOf:
    """``store`` seen through the async protocol, for the async examples' AsyncDeduplicator."""

    def __init__(self, store: DownStore) -> None:
        self.store = store

    async def claim(self, key: str, token: str, lease_seconds: float) -> mmsdr.dedupe.ClaimState:
        return self.store.claim(key, token, lease_seconds)

    async def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        return self.store.finish(key, token, ttl_seconds)

    async def release(self, key: str, token: str) -> None:
        self.store.release(key, token)

    async def close(self) -> None:
        self.store.close()


STORES: dict[str, Callable[[], DownStore]] = {"down": DownStore, "held": HeldStore}


def sync_dedupe(store: str | None) -> mmsdr.dedupe.Deduplicator | None:
    return None if store is None else mmsdr.dedupe.Deduplicator(STORES[store]())


def async_dedupe(store: str | None) -> mmsdr.dedupe.AsyncDeduplicator | None:
    return None if store is None else mmsdr.dedupe.AsyncDeduplicator(AsyncOf(STORES[store]()))


def wsgi_environ(case: Case) -> dict[str, Any]:
    path, _, query = case.url.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": case.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": CLIENT,
        "SERVER_NAME": "callbacks.example.com",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "callbacks.example.com",
        "CONTENT_LENGTH": str(len(case.body)),
        "wsgi.input": io.BytesIO(case.body),
        "wsgi.url_scheme": "http",
    }
    for name, value in case.headers:
        key = name.upper().replace("-", "_")
        key = key if key == "CONTENT_TYPE" else f"HTTP_{key}"
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def wsgi_call(
    cases: Sequence[Case],
    networks: Sequence[str],
    store: str | None = None,
    credentials: Credentials = CREDENTIALS,
    public_url: str | None = PUBLIC_URL,
) -> Replies:
    import wsgi_app

    received: list[mmsdr.Event] = []
    parsers = example_parsers(networks, credentials)
    app = wsgi_app.create_app(parsers, received.append, deduplicator=sync_dedupe(store), public_url=public_url)
    replies = []
    for case in cases:
        started: list[Any] = []
        body = b"".join(
            app(wsgi_environ(case), lambda status, headers, started=started: started.extend([status, headers]))
        )
        replies.append(Reply(int(started[0].split()[0]), started[1], body))
    return replies, received


def asgi_call(
    cases: Sequence[Case],
    networks: Sequence[str],
    store: str | None = None,
    credentials: Credentials = CREDENTIALS,
    public_url: str | None = PUBLIC_URL,
) -> Replies:
    import asgi_app

    received: list[mmsdr.Event] = []
    parsers = example_parsers(networks, credentials)
    app = asgi_app.create_app(parsers, received.append, deduplicator=async_dedupe(store), public_url=public_url)

    async def one(case: Case) -> Reply:
        path, _, query = case.url.partition("?")
        messages = [{"type": "http.request", "body": case.body, "more_body": False}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        headers = [(b"host", b"callbacks.example.com"), (b"content-length", str(len(case.body)).encode())]
        headers += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in case.headers]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": case.method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": headers,
            "client": (CLIENT, 50000),
            "server": ("callbacks.example.com", 80),
        }
        await app(scope, receive, send)
        start, body = sent
        pairs = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in start["headers"]]
        return Reply(start["status"], pairs, body["body"])

    async def run() -> list[Reply]:
        return [await one(case) for case in cases]

    return asyncio.run(run()), received


def flask_call(
    cases: Sequence[Case],
    networks: Sequence[str],
    store: str | None = None,
    credentials: Credentials = CREDENTIALS,
    public_url: str | None = PUBLIC_URL,
) -> Replies:
    require("flask")
    import flask_app

    received: list[mmsdr.Event] = []
    app = flask_app.create_app(
        parsers=example_parsers(networks, credentials),
        public_url=public_url,
        on_event=received.append,
        deduplicator=sync_dedupe(store),
    )
    client = app.test_client()
    replies = []
    for case in cases:
        response = client.open(
            case.url, method=case.method, headers=case.headers, data=case.body, environ_base={"REMOTE_ADDR": CLIENT}
        )
        replies.append(Reply(response.status_code, list(response.headers.items()), response.get_data()))
    return replies, received


def django_call(
    cases: Sequence[Case],
    networks: Sequence[str],
    store: str | None = None,
    credentials: Credentials = CREDENTIALS,
    public_url: str | None = PUBLIC_URL,
) -> Replies:
    require("django")
    import django_app
    from django.test import Client, override_settings

    django_app.received.clear()
    replies = []
    saved, django_app.deduplicator = django_app.deduplicator, sync_dedupe(store) or mmsdr.dedupe.Deduplicator()
    try:
        with override_settings(MMSDR_PARSERS=example_parsers(networks, credentials), MMSDR_PUBLIC_URL=public_url):
            for case in cases:
                content_type = next((value for name, value in case.headers if name.lower() == "content-type"), None)
                headers = {name: value for name, value in case.headers if name.lower() != "content-type"}
                extra: dict[str, Any] = {"content_type": content_type} if content_type else {}
                response = Client(REMOTE_ADDR=CLIENT).generic(
                    case.method, case.url, data=case.body, headers=headers, **extra
                )
                replies.append(Reply(response.status_code, list(response.items()), response.content))
    finally:
        django_app.deduplicator = saved
    return replies, list(django_app.received)


def fastapi_call(
    cases: Sequence[Case],
    networks: Sequence[str],
    store: str | None = None,
    credentials: Credentials = CREDENTIALS,
    public_url: str | None = PUBLIC_URL,
) -> Replies:
    require("fastapi")
    require("httpx")
    import fastapi_app
    from fastapi.testclient import TestClient

    received: list[mmsdr.Event] = []
    app = fastapi_app.create_app(
        parsers=example_parsers(networks, credentials),
        public_url=public_url,
        on_event=received.append,
        deduplicator=async_dedupe(store),
    )
    replies = []
    with TestClient(app, client=(CLIENT, 50000)) as client:
        for case in cases:
            response = client.request(case.method, case.url, headers=case.headers, content=case.body)
            replies.append(Reply(response.status_code, list(response.headers.multi_items()), response.content))
    return replies, received


def aiohttp_call(
    cases: Sequence[Case],
    networks: Sequence[str],
    store: str | None = None,
    credentials: Credentials = CREDENTIALS,
    public_url: str | None = PUBLIC_URL,
) -> Replies:
    require("aiohttp")
    import aiohttp_app
    from aiohttp.test_utils import TestClient, TestServer
    from yarl import URL

    received: list[mmsdr.Event] = []

    async def run() -> list[Reply]:
        app = aiohttp_app.create_app(
            parsers=example_parsers(networks, credentials),
            public_url=public_url,
            on_event=received.append,
            deduplicator=async_dedupe(store),
        )
        replies = []
        async with TestClient(TestServer(app, host=CLIENT)) as client:
            for case in cases:
                url = URL(case.url, encoded=True)  # as written: yarl must not re-encode the Latin-9 query
                # No body, no data: aiohttp would send an empty one as application/octet-stream.
                data = case.body or None
                response = await client.request(case.method, url, headers=case.headers, data=data)
                replies.append(Reply(response.status, list(response.headers.items()), await response.read()))
        return replies

    return asyncio.run(run()), received


CALLERS = {
    "wsgi": wsgi_call,
    "asgi": asgi_call,
    "flask": flask_call,
    "django": django_call,
    "fastapi": fastapi_call,
    "aiohttp": aiohttp_call,
}


# Sinch's batch report and Twilio's inbound message carry no time: their timestamp is when they were read
# (docs/sinch.md, docs/twilio.md), by the app after the reference parser read them here.
READ_TIME_ONLY = {"sinch.delivery_report", "twilio.inbound"}


def test_only_the_read_time_only_formats_take_the_time_of_reading() -> None:
    read_at = datetime(2000, 1, 1, tzinfo=UTC)
    taken = {name for name in BUILDERS if BUILDERS[name]().parse(clock=lambda: read_at).events[0].timestamp == read_at}
    assert taken == READ_TIME_ONLY


def comparable(event: mmsdr.Event) -> tuple[Any, ...]:
    """The event, its raw fields in any order: a WSGI environ (a dict) does not keep the header order; without
    the time of reading where the request carries no time."""
    fields = event.to_dict()
    fields.pop("raw")
    if event.format in READ_TIME_ONLY:
        fields.pop("timestamp")
    return type(event), fields, sorted(event.raw.multi_items())


def check_events(received: Sequence[mmsdr.Event], expected: Sequence[mmsdr.Event]) -> None:
    assert [comparable(event) for event in received] == [comparable(event) for event in expected]
    read = [(got.timestamp, wanted.timestamp) for got, wanted in zip(received, expected, strict=True)]
    assert [got >= wanted for got, wanted in read] == [True] * len(read)  # read by the app after the reference


def check_reply(case: Case, reply: Reply, expected: mmsdr.Ack | None = None) -> None:
    ack = expected or case.expected
    assert (case.name, reply.status, reply.body) == (case.name, ack.status, ack.body)
    sent = [(name.lower(), value) for name, value in reply.headers]
    for name, value in ack.headers:
        assert (name.lower(), value) in sent, (case.name, name)


def check(cases: Sequence[Case], replies: Sequence[Reply], received: Sequence[mmsdr.Event]) -> None:
    assert len(replies) == len(cases)
    for case, reply in zip(cases, replies, strict=True):
        check_reply(case, reply)
    expected = [event for case in cases if case.callback for event in case.callback.events]
    check_events(received, expected)


@pytest.mark.parametrize("framework", CALLERS)
def test_every_sample_is_acknowledged_at_its_own_endpoint(framework: str) -> None:
    cases = samples()
    check(cases, *CALLERS[framework](cases, LOCAL))


@pytest.mark.parametrize("framework", CALLERS)
def test_every_example_request_is_acknowledged_at_its_format_s_endpoint(framework: str) -> None:
    cases = files()
    check(cases, *CALLERS[framework](cases, LOCAL))


@pytest.mark.parametrize("framework", CALLERS)
def test_every_sample_is_refused_at_every_other_kind_s_endpoint(framework: str) -> None:
    cases = elsewhere()
    check(cases, *CALLERS[framework](cases, LOCAL))


@pytest.mark.parametrize("framework", CALLERS)
def test_a_forged_report_is_refused_as_a_report_and_read_as_an_inbound_sms(framework: str) -> None:
    at_report = case_of("forged", FORGED.method, "/mxtelecom/sms-report", FORGED.query, FORGED.headers, b"")
    at_inbound = case_of("forged", FORGED.method, "/mxtelecom/sms-inbound", FORGED.query, FORGED.headers, b"")
    (refused, accepted), received = CALLERS[framework]([at_report, at_inbound], LOCAL)
    assert (refused.status, refused.body) == (
        415,
        b"mxtelecom.sms_report: field 'network' is only sent with an inbound SMS: this request is not this format",
    )
    assert (accepted.status, accepted.body) == (200, b"OK")
    (event,) = received
    assert isinstance(event, mmsdr.InboundMessage)
    assert (event.format, event.text, event.sender) == (
        "mxtelecom.sms_inbound",
        "REPORT 17218733 DELIVERED",
        "447931123456",
    )


@pytest.mark.parametrize("framework", CALLERS)
def test_only_mxtelecom_s_endpoints_check_mxtelecom_s_networks(framework: str) -> None:
    cases = [sample_at(name, mxtelecom_networks=MXTELECOM) for name in SERVED]
    replies, received = CALLERS[framework](cases, MXTELECOM)
    outcome = {
        case.name: (reply.status, reply.body.startswith(b"request: source address"))
        for case, reply in zip(cases, replies, strict=True)
    }
    assert outcome == {
        f"{name} at {PATH_OF[name]}": (403, True) if name.startswith("mxtelecom.") else (200, False) for name in SERVED
    }
    # The others from any address, with their credentials or signatures: acknowledged, their events received.
    check(cases, replies, received)
    assert {event.provider for event in received} == {
        "mm7",
        "openmarket",
        "sinch",
        "twilio",
        "bandwidth",
        "telnyx",
        "vonage",
    }


def mm7_fault(body: bytes) -> dict[str, str | None]:
    """The status of an MM7 SOAP fault, read back as an MMSC would."""
    root = etree.fromstring(body)
    fields = root.iter("{*}faultcode", "{*}StatusCode", "{*}StatusText", "{*}Details")
    return {element.tag.rpartition("}")[2]: element.text for element in fields}


def refusal(reply: Reply) -> tuple[Any, ...]:
    """The status, the challenge and what the refusal says: MM7's fault read back, the others' plain text."""
    challenges = [value for name, value in reply.headers if name.lower() == "www-authenticate"]
    said = mm7_fault(reply.body) if reply.body.startswith(b"<") else reply.body
    return reply.status, challenges, said


def mm7_refusal(details: str, challenge: str = CHALLENGE) -> tuple[Any, ...]:
    fault = {
        "faultcode": "soap-env:Client",
        "StatusCode": "4001",
        "StatusText": "Improper identification",
        "Details": details,
    }
    return 401, [challenge], fault


NO_CREDENTIALS = "request: no Authorization header; this endpoint takes HTTP Basic credentials"
WRONG_CREDENTIALS = "request: the Basic credentials are not this endpoint's"
OUTSIDE: tuple[Any, ...] = (
    403,
    [],
    b"request: source address '127.0.0.1' is not in the trusted networks",
)  # CLIENT is outside
# A forged request at each endpoint, without credentials: each sample unsigned at its own endpoint, MX Telecom's
# from outside its networks; at each Basic endpoint, a guessed password and the other endpoint's credentials; at
# each signed endpoint, a signature under a guessed secret, and Twilio's signature of another URL.
GUESSED = {
    "/mm7": {"vasp": "guessed"},
    "/openmarket": {"openmarket": "guessed"},
    "/bandwidth": {"bandwidth": "guessed"},
}
GUESSED_SIGNATURES: dict[str, SigningCheck] = {
    "/twilio": mmsdr.twilio.Signature("guessed"),
    "/sinch": mmsdr.sinch.Signature("guessed"),
    "/telnyx": mmsdr.telnyx.Signature.for_testing(bytes(32)),  # another key than the endpoint's
    "/vonage/sms-receipt": mmsdr.vonage.Signature("guessed"),
    "/vonage/message-status": mmsdr.vonage.JwtSignature("guessed"),
}
ANOTHER_URL = dataclasses.replace(mmsdr.testing.twilio_status(), target="/twilio?tenant=7")


def forged_everywhere() -> list[Case]:
    basic = [
        case_of(f"{what} at {path}", "POST", path, "", [*request.headers, authorization(given)], request.body)
        for path, name, other in [
            ("/mm7", "mm7.deliver", "/openmarket"),
            ("/openmarket", "openmarket.mms_report", "/bandwidth"),
            ("/bandwidth", "bandwidth.inbound", "/mm7"),
        ]
        for request in [BUILDERS[name]()]
        for what, given in [
            ("a guessed password", GUESSED[path]),
            ("the other endpoint's credentials", CREDENTIALS.basic[other]),
        ]
    ]
    signed = [
        case_of(f"a guessed secret at {path}", "POST", path, "", request.headers, request.body)
        for path, name, method in [
            ("/twilio", "twilio.inbound", None),
            ("/sinch", "sinch.delivery_report", None),
            ("/telnyx", "telnyx.report", None),
            ("/vonage/sms-receipt", "vonage.sms_receipt", "POST"),  # a form: the sig in the body
            ("/vonage/message-status", "vonage.message_status", None),
        ]
        for request in [
            BUILDERS[name](**({} if method is None else {"method": method})).signed(GUESSED_SIGNATURES[path])
        ]
    ]
    twilio = mmsdr.twilio.Signature(CREDENTIALS.secrets["/twilio"])
    another_url = case_of(
        "Twilio's signature of another URL at /twilio",
        "POST",
        "/twilio",
        "",
        ANOTHER_URL.signed(twilio).headers,
        ANOTHER_URL.body,
    )
    unsigned = [sample_at(name, mxtelecom_networks=MXTELECOM, signed=False) for name in SERVED]
    return [*unsigned, *basic, *signed, another_url]


def test_the_forged_requests_reach_every_endpoint() -> None:
    forged = forged_everywhere()
    assert sorted({case.url.partition("?")[0] for case in forged}) == sorted(FORMATS_AT)
    assert [case.name for case in forged if case.callback] == []
    authorization = [dict(case.headers).get("Authorization", "") for case in forged]
    assert [value.startswith("Basic ") for value in authorization] == [False] * len(SERVED) + [True] * 6 + [False] * 6
    # None, at each Basic endpoint a guessed password and its credentials, and Vonage's guessed Bearer token.
    assert len(set(authorization)) == 8
    assert authorization[-2].startswith("Bearer ")
    signed = {"x-twilio-signature", "x-sinch-webhook-signature", "telnyx-signature-ed25519"}
    signatures = [{name.lower() for name, _ in case.headers} & signed for case in forged]
    assert signatures[-6:] == [
        {"x-twilio-signature"},
        {"x-sinch-webhook-signature"},
        {"telnyx-signature-ed25519"},
        set(),  # Vonage's SMS API signs in the parameters
        set(),
        {"x-twilio-signature"},
    ]
    assert not any(signatures[:-6])
    assert [b"&sig=" in case.body for case in forged[-6:]] == [False, False, False, True, False, False]


NO_SIGNATURE = "request: the {} header is missing; the endpoint checks signatures"


@pytest.mark.parametrize("framework", CALLERS)
def test_forged_requests_without_credentials_are_refused_at_every_endpoint(framework: str) -> None:
    forged = forged_everywhere()
    replies, received = CALLERS[framework](forged, MXTELECOM)
    check(forged, replies, received)  # the reference parser's ack, and no event received
    assert {case.name: refusal(reply) for case, reply in zip(forged, replies, strict=True)} == {
        **{f"{name} at {PATH_OF[name]}": OUTSIDE for name in SERVED if name.startswith("mxtelecom.")},
        **{f"{name} at /mm7": mm7_refusal(NO_CREDENTIALS) for name in SERVED if name.startswith("mm7.")},
        **{
            f"{name} at /openmarket": (401, [CHALLENGE], NO_CREDENTIALS.encode())
            for name in SERVED
            if name.startswith("openmarket.")
        },
        "a guessed password at /mm7": mm7_refusal(WRONG_CREDENTIALS),
        "the other endpoint's credentials at /mm7": mm7_refusal(WRONG_CREDENTIALS),
        "a guessed password at /openmarket": (401, [CHALLENGE], WRONG_CREDENTIALS.encode()),
        "the other endpoint's credentials at /openmarket": (401, [CHALLENGE], WRONG_CREDENTIALS.encode()),
        **{
            f"{name} at /bandwidth": (401, [CHALLENGE], NO_CREDENTIALS.encode())
            for name in SERVED
            if name.startswith("bandwidth.")
        },
        "a guessed password at /bandwidth": (401, [CHALLENGE], WRONG_CREDENTIALS.encode()),
        "the other endpoint's credentials at /bandwidth": (401, [CHALLENGE], WRONG_CREDENTIALS.encode()),
        **{
            f"{name} at /twilio": (401, [], NO_SIGNATURE.format("X-Twilio-Signature").encode())
            for name in SERVED
            if name.startswith("twilio.")
        },
        **{
            f"{name} at /sinch": (401, [], NO_SIGNATURE.format("x-sinch-webhook-signature").encode())
            for name in SERVED
            if name.startswith("sinch.")
        },
        "a guessed secret at /twilio": (
            401,
            [],
            b"request: the X-Twilio-Signature signature does not match the url and parameters",
        ),
        "Twilio's signature of another URL at /twilio": (
            401,
            [],
            b"request: the X-Twilio-Signature signature does not match the url and parameters",
        ),
        "a guessed secret at /sinch": (401, [], b"request: the Sinch signature does not match"),
        **{
            f"{name} at /telnyx": (401, [], NO_SIGNATURE.format("telnyx-signature-ed25519").encode())
            for name in SERVED
            if name.startswith("telnyx.")
        },
        "a guessed secret at /telnyx": (401, [], b"request: the Telnyx signature does not match"),
        **{
            f"{name} at {PATH_OF[name]}": (
                401,
                [],
                b"request: the sig parameter is missing; the endpoint checks Vonage signatures",
            )
            for name in SERVED
            if name.startswith("vonage.sms_")
        },
        # An unsigned Messages API callback: 503, so that Vonage sends it again, signed.
        **{
            f"{name} at {PATH_OF[name]}": (
                503,
                [],
                (
                    b"request: no Authorization header; Vonage sends an unsigned callback after an internal error, "
                    b"and answering 503 makes it send the callback again, signed"
                ),
            )
            for name in SERVED
            if name.startswith("vonage.message_")
        },
        "a guessed secret at /vonage/sms-receipt": (
            401,
            [],
            b"request: the sig parameter does not match the parameters (md5hash)",
        ),
        "a guessed secret at /vonage/message-status": (401, [], b"request: the JWT signature does not match"),
    }


@pytest.mark.parametrize("framework", CALLERS)
def test_an_endpoint_without_its_credentials_set_refuses_every_request(framework: str) -> None:
    # Fail closed: with no variable set, /mm7, /openmarket, /twilio, /sinch, /bandwidth, /telnyx and Vonage's refuse
    # even the rightly signed request.
    cases = [sample_at(name, credentials=UNSET) for name in SERVED]
    replies, received = CALLERS[framework](cases, LOCAL, None, UNSET)
    check(cases, replies, received)
    unset = 'Basic realm="mmsdr"'
    # Each provider's variable, what it holds, and whether its refusal asks for Basic credentials.
    variables = {
        "mm7.": ("MMSDR_MM7_CREDENTIALS (user:password)", True),
        "openmarket.": ("MMSDR_OPENMARKET_CREDENTIALS (user:password)", True),
        "twilio.": ("MMSDR_TWILIO_AUTH_TOKENS (auth tokens)", False),
        "sinch.": ("MMSDR_SINCH_SECRETS (secrets)", False),
        "bandwidth.": ("MMSDR_BANDWIDTH_CREDENTIALS (user:password)", True),
        "telnyx.": ("MMSDR_TELNYX_PUBLIC_KEYS (public keys)", False),
        "vonage.": ("MMSDR_VONAGE_SIGNATURE_SECRETS (signature secrets)", False),
    }
    expected: dict[str, tuple[Any, ...]] = {}
    for name in SERVED:
        for prefix, (variable, basic) in variables.items():
            if name.startswith(prefix):
                said = f"request: this endpoint has no credentials to check; set {variable}"
                expected[f"{name} at {PATH_OF[name]}"] = (
                    mm7_refusal(said, unset) if prefix == "mm7." else (401, [unset] if basic else [], said.encode())
                )
    assert {case.name: refusal(reply) for case, reply in zip(cases, replies, strict=True) if reply.status != 200} == (
        expected
    )
    assert {event.provider for event in received} == {"mxtelecom"}  # its endpoints check its networks only


@pytest.mark.parametrize("framework", CALLERS)
def test_twilio_s_endpoint_without_the_public_url_refuses_every_request(framework: str) -> None:
    # Fail closed: without MMSDR_PUBLIC_URL the app cannot say which URL Twilio signed, so it checks none.
    cases = [sample_at(name, public_url=None) for name in SERVED if name.startswith("twilio.")]
    replies, received = CALLERS[framework](cases, LOCAL, None, CREDENTIALS, None)
    check(cases, replies, received)
    no_url = (
        b"request: no url to check the Twilio signature against; pass parse(..., url=...) with the URL Twilio called "
        b"(public_url in the adapters)"
    )
    assert [refusal(reply) for reply in replies] == [(401, [], no_url)] * 2
    assert received == []


@pytest.mark.parametrize("framework", CALLERS)
def test_twilio_s_signature_covers_the_query_of_the_url_it_called(framework: str) -> None:
    # A query string in the URL given to Twilio is signed with it: each app passes the target on as received.
    path, query = "/twilio", ANOTHER_URL.query
    case = case_of("a URL with a query", "POST", path, query, signed_for(path, ANOTHER_URL).headers, ANOTHER_URL.body)
    assert case.callback is not None
    assert (case.url, case.expected.status) == ("/twilio?tenant=7", 200)
    check([case], *CALLERS[framework]([case], LOCAL))


@pytest.mark.parametrize("framework", CALLERS)
def test_a_path_without_an_endpoint_is_not_found(framework: str) -> None:
    moved = Case("old path", "GET", "/callbacks", [], b"", mmsdr.Ack.plain_text(404, ""), None)
    (reply,), received = CALLERS[framework]([moved], LOCAL)
    assert (reply.status, received) == (404, [])


@pytest.mark.parametrize("framework", CALLERS)
def test_a_retried_callback_is_acknowledged_and_its_events_handled_once(framework: str) -> None:
    cases = samples()
    twice = [case for case in cases for _ in range(2)]
    replies, received = CALLERS[framework](twice, LOCAL)
    for case, reply in zip(twice, replies, strict=True):
        check_reply(case, reply)  # both acknowledged
    expected = [event for case in cases if case.callback for event in case.callback.events]
    check_events(received, expected)


RETRIED = {
    "mm7.deliver",
    "mxtelecom.sms_report",
    "openmarket.mms_report",
    "twilio.status",
    "sinch.inbound",
    "bandwidth.report",
    "telnyx.inbound",
    "vonage.sms_inbound",
    "vonage.message_status",
}


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("framework", CALLERS)
def test_a_dedupe_store_that_cannot_say_gets_the_provider_s_retry_answer(framework: str, store: str) -> None:
    # Down, or another delivery holding the lease (LeaseHeldError): either way not a duplicate, so not "OK".
    cases = [case for case in samples() if case.name.partition(" ")[0] in RETRIED]
    replies, received = CALLERS[framework](cases, LOCAL, store)
    assert received == []
    assert len(cases) == len(RETRIED)
    for case, reply in zip(cases, replies, strict=True):
        assert case.callback is not None
        check_reply(case, reply, mmsdr.acknowledge(case.callback, retry=True))
        if case.callback.provider == "mm7":
            assert (reply.status, reply.body) == (500, mmsdr.mm7.response(case.callback, retry=True).body)
            assert b"<faultcode>soap-env:Server</faultcode>" in reply.body
            assert b"<StatusCode>4006</StatusCode>" in reply.body
        else:
            assert (reply.status, reply.body) == (503, b"not processed now; send this callback again later")

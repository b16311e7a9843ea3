"""The framework examples, each through its own test client, fed every request in ``examples/requests/``.

The frameworks are test dependencies (the ``frameworks`` extra, in ``dev``): locally a missing one skips its
tests, on CI (``CI`` set) it fails them, so that nothing is silently skipped there.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import mmsdr
import mmsdr.dedupe
from mmsdr.__main__ import read_raw_request

sys.path.insert(0, str(Path(__file__).parent.parent / "examples"))

REQUESTS = sorted((Path(__file__).parent.parent / "examples" / "requests").glob("*.http"))
LOCAL = ["127.0.0.0/8", "::1/128"]
ELSEWHERE = ["192.0.2.0/24"]
# Set by each test client from the body or the URL; the files' own values are not sent.
CLIENT_SET = {"host", "content-length"}


def require(name: str) -> ModuleType:
    """Import a framework: a skip where it is not installed, a failure on CI where it must be."""
    if os.environ.get("CI"):
        return importlib.import_module(name)
    module: ModuleType = pytest.importorskip(name)
    return module


@dataclass(frozen=True)
class Case:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    expected: mmsdr.Ack
    callback: mmsdr.Callback | None


def case_of(raw: bytes) -> Case:
    request = read_raw_request(raw)
    parser = mmsdr.Parser(trusted_networks=LOCAL)
    callback: mmsdr.Callback | None
    try:
        callback = parser.parse(
            request.headers, request.body, request.query, method=request.method, remote_address="127.0.0.1"
        )
    except mmsdr.MmsdrError as error:
        callback, expected = None, error.ack
    else:
        expected = mmsdr.acknowledge(callback)
    return Case(
        method=request.method,
        url="/callbacks" + (f"?{request.query}" if request.query else ""),
        headers=[(name, value) for name, value in request.headers if name.lower() not in CLIENT_SET],
        body=request.body,
        expected=expected,
        callback=callback,
    )


ALL_CASES = [case_of(path.read_bytes()) for path in REQUESTS]
CASES = [pytest.param(case, id=path.stem) for case, path in zip(ALL_CASES, REQUESTS, strict=True)]
BAD = case_of(b"GET /x?smsmsg=REPORT+1+DELIVERED&smsdate=2002-04-30+21%3A58%3A00 HTTP/1.1\r\n\r\n")
UNTRUSTED = case_of((Path(__file__).parent.parent / "examples" / "requests" / "mxtelecom-sms-report.http").read_bytes())


def test_the_cases_cover_every_format_and_a_rejection() -> None:
    callbacks = [case.callback for case in ALL_CASES]
    assert all(callbacks)
    assert {callback.format for callback in callbacks if callback} == set(mmsdr.FORMATS)
    assert BAD.callback is None
    assert (BAD.expected.status, BAD.expected.body) == (400, b"mxtelecom.sms_report: field 'smsfrom' is missing")


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


Dedupe = mmsdr.dedupe.Deduplicator | None
Replies = tuple[list[Reply], list[mmsdr.Event]]


def check(case: Case, reply: Reply, received: list[mmsdr.Event]) -> None:
    assert (reply.status, reply.body) == (case.expected.status, case.expected.body)
    sent = [(name.lower(), value) for name, value in reply.headers]
    for name, value in case.expected.headers:
        assert (name.lower(), value) in sent
    expected = case.callback.events if case.callback else ()
    assert [comparable(event) for event in received] == [comparable(event) for event in expected]


def comparable(event: mmsdr.Event) -> tuple[Any, ...]:
    """The event, its raw fields in any order: a WSGI environ (a dict) does not keep the header order."""
    fields = event.to_dict()
    fields.pop("raw")
    return type(event), fields, sorted(event.raw.multi_items())


def flask_call(case: Case, trusted: list[str], dedupe: Dedupe = None, times: int = 1) -> Replies:
    require("flask")
    import flask_app

    received: list[mmsdr.Event] = []
    app = flask_app.create_app(trusted_networks=trusted, on_event=received.append, deduplicator=dedupe)
    client = app.test_client()
    replies = []
    for _ in range(times):
        response = client.open(case.url, method=case.method, headers=case.headers, data=case.body)
        replies.append(Reply(response.status_code, list(response.headers.items()), response.get_data()))
    return replies, received


def django_call(case: Case, trusted: list[str], dedupe: Dedupe = None, times: int = 1) -> Replies:
    require("django")
    import django_app
    from django.test import Client, override_settings

    content_type = next((value for name, value in case.headers if name.lower() == "content-type"), None)
    headers = {name: value for name, value in case.headers if name.lower() != "content-type"}
    extra: dict[str, Any] = {"content_type": content_type} if content_type else {}
    django_app.received.clear()
    replies = []
    saved, django_app.deduplicator = django_app.deduplicator, dedupe or mmsdr.dedupe.Deduplicator()
    try:
        with override_settings(MMSDR_TRUSTED_NETWORKS=trusted):
            for _ in range(times):
                response = Client().generic(case.method, case.url, data=case.body, headers=headers, **extra)
                replies.append(Reply(response.status_code, list(response.items()), response.content))
    finally:
        django_app.deduplicator = saved
    return replies, list(django_app.received)


def fastapi_call(case: Case, trusted: list[str], dedupe: Dedupe = None, times: int = 1) -> Replies:
    require("fastapi")
    require("httpx")
    import fastapi_app
    from fastapi.testclient import TestClient

    received: list[mmsdr.Event] = []
    app = fastapi_app.create_app(trusted_networks=trusted, on_event=received.append, deduplicator=dedupe)
    replies = []
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        for _ in range(times):
            response = client.request(case.method, case.url, headers=case.headers, content=case.body)
            replies.append(Reply(response.status_code, list(response.headers.multi_items()), response.content))
    return replies, received


def aiohttp_call(case: Case, trusted: list[str], dedupe: Dedupe = None, times: int = 1) -> Replies:
    require("aiohttp")
    import aiohttp_app
    from aiohttp.test_utils import TestClient, TestServer
    from yarl import URL

    received: list[mmsdr.Event] = []

    async def run() -> list[Reply]:
        app = aiohttp_app.create_app(trusted_networks=trusted, on_event=received.append, deduplicator=dedupe)
        replies = []
        async with TestClient(TestServer(app)) as client:
            url = URL(case.url, encoded=True)  # as written: yarl must not re-encode the Latin-9 query
            for _ in range(times):
                response = await client.request(case.method, url, headers=case.headers, data=case.body)
                replies.append(Reply(response.status, list(response.headers.items()), await response.read()))
        return replies

    return asyncio.run(run()), received


CALLERS = {"flask": flask_call, "django": django_call, "fastapi": fastapi_call, "aiohttp": aiohttp_call}


def call(framework: str, case: Case, trusted: list[str]) -> tuple[Reply, list[mmsdr.Event]]:
    (reply,), received = CALLERS[framework](case, trusted)
    return reply, received


@pytest.mark.parametrize("framework", CALLERS)
@pytest.mark.parametrize("case", CASES)
def test_every_request_is_acknowledged(framework: str, case: Case) -> None:
    check(case, *call(framework, case, LOCAL))


@pytest.mark.parametrize("framework", CALLERS)
def test_a_bad_request_gets_the_error_ack(framework: str) -> None:
    check(BAD, *call(framework, BAD, LOCAL))


@pytest.mark.parametrize("framework", CALLERS)
def test_an_untrusted_source_is_refused(framework: str) -> None:
    reply, received = call(framework, UNTRUSTED, ELSEWHERE)
    assert (reply.status, received) == (403, [])
    assert reply.body.startswith(b"request: source address")


@pytest.mark.parametrize("framework", CALLERS)
@pytest.mark.parametrize("case", CASES)
def test_a_retried_callback_is_acknowledged_and_its_events_handled_once(framework: str, case: Case) -> None:
    replies, received = CALLERS[framework](case, LOCAL, mmsdr.dedupe.Deduplicator(), 2)
    assert len(replies) == 2
    for reply in replies:
        check(case, reply, received)  # both acknowledged; the events received once


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


RETRY_CASES = [
    pytest.param(case, id=path.stem)
    for case, path in zip(ALL_CASES, REQUESTS, strict=True)
    if path.stem in {"mm7-sinch-deliver", "mxtelecom-sms-report", "openmarket-mms-report"}
]


@pytest.mark.parametrize("framework", CALLERS)
@pytest.mark.parametrize("case", RETRY_CASES)
def test_a_dedupe_store_that_is_down_gets_the_provider_s_retry_answer(framework: str, case: Case) -> None:
    assert case.callback is not None
    (reply,), received = CALLERS[framework](case, LOCAL, mmsdr.dedupe.Deduplicator(DownStore()))
    retry = mmsdr.acknowledge(case.callback, retry=True)
    assert (reply.status, reply.body) == (retry.status, retry.body)
    sent = [(name.lower(), value) for name, value in reply.headers]
    for name, value in retry.headers:
        assert (name.lower(), value) in sent
    assert received == []
    if case.callback.provider == "mm7":
        assert (reply.status, reply.body) == (500, mmsdr.mm7.response(case.callback, retry=True).body)
        assert b"<faultcode>soap-env:Server</faultcode>" in reply.body
        assert b"<StatusCode>4006</StatusCode>" in reply.body
    else:
        assert (reply.status, reply.body) == (503, b"not processed now; send this callback again later")

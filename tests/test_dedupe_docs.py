"""docs/dedupe.md's code, run as written: the WSGI handler, the ASGI app and the SQL store (sqlite3, in the standard
library)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import socket
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _support import only_event
from test_dedupe import LATER_STATUS, FakeClock, race_threads

import mmsdr
from mmsdr.__main__ import RawHttpRequest, read_raw_request
from mmsdr.dedupe import (
    AsyncDeduplicator,
    ClaimState,
    DedupeStore,
    DedupeStoreError,
    Deduplicator,
    LeaseHeldError,
    MemoryStore,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).parent.parent
PAGE = ROOT / "docs" / "dedupe.md"


def code_block(marker: str) -> str:
    blocks: list[str] = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.DOTALL)
    matching = [block for block in blocks if marker in block]
    assert len(matching) == 1, f"docs/dedupe.md: expected one python block with {marker!r}"
    return matching[0]


def run_block(marker: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    namespace = {"__name__": "dedupe_docs", **(namespace or {})}
    exec(compile(code_block(marker), f"docs/dedupe.md ({marker})", "exec"), namespace)  # noqa: S102 - the docs' own code
    return namespace


# --- the worked example --------------------------------------------------------------------------------------

RETRY_TEXT = b"not processed now; send this callback again later"
MXTELECOM_RETRY = ("503 Service Unavailable", RETRY_TEXT)


def example_raw(request: str) -> RawHttpRequest:
    return read_raw_request((ROOT / "examples" / "requests" / request).read_bytes())


def parse(raw: RawHttpRequest) -> mmsdr.Callback:
    return mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method)


class Endpoint:
    """The documented WSGI app, with its Redis swapped for a store the test chooses and persist() recorded."""

    def __init__(self) -> None:
        self.module = run_block("def handle(")
        self.module["dedupe"].close()  # the documented client for 127.0.0.1:6379, never connected
        self.module["dedupe"] = Deduplicator()
        self.stored: list[mmsdr.Event] = []
        self.failing: set[str] = set()  # the dedupe keys whose next persist() fails
        self.during_persist: Callable[[], None] | None = None  # run once, inside the next persist()
        self.module["persist"] = self.persist

    def persist(self, event: mmsdr.Event) -> None:
        if self.during_persist is not None:
            during, self.during_persist = self.during_persist, None
            during()
        if event.dedupe_key in self.failing:
            self.failing.remove(event.dedupe_key)
            msg = "database unavailable"
            raise OSError(msg)
        self.stored.append(event)

    def exchange(self, raw: RawHttpRequest, **extra: Any) -> tuple[str, list[tuple[str, str]], bytes]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": raw.method,
            "QUERY_STRING": raw.query,
            "CONTENT_LENGTH": str(len(raw.body)),
            "wsgi.input": io.BytesIO(raw.body),
        }
        for name, value in raw.headers:
            key = name.upper().replace("-", "_")
            environ[key if key in {"CONTENT_TYPE", "CONTENT_LENGTH"} else f"HTTP_{key}"] = value
        environ.update(extra)
        started: list[tuple[str, list[tuple[str, str]]]] = []
        body = b"".join(self.module["app"](environ, lambda status, headers: started.append((status, headers))))
        [(status, headers)] = started
        return status, headers, body

    def call(self, request: str) -> tuple[str, bytes]:
        status, _, body = self.exchange(example_raw(request))
        return status, body


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    value = Endpoint()
    yield value
    value.module["dedupe"].close()


def test_the_example_stores_a_callback_once_and_acknowledges_every_retry(endpoint: Endpoint) -> None:
    answers = [endpoint.call("mxtelecom-sms-report.http") for _ in range(3)]
    assert answers == [("200 OK", b"OK")] * 3
    assert len(endpoint.stored) == 1
    assert endpoint.call("mxtelecom-mms-read-report.http") == ("200 OK", b"OK")
    assert len(endpoint.stored) == 2


def test_the_example_asks_for_a_retry_when_persisting_fails_and_stores_the_retry(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint.failing.add(only_event(parse(example_raw("mxtelecom-sms-inbound.http"))).dedupe_key)
    with caplog.at_level(logging.ERROR, logger="callbacks"):
        assert endpoint.call("mxtelecom-sms-inbound.http") == MXTELECOM_RETRY
    assert [record.getMessage() for record in caplog.records] == ["storing a callback failed"]
    assert endpoint.stored == []
    assert endpoint.call("mxtelecom-sms-inbound.http") == ("200 OK", b"OK")
    assert len(endpoint.stored) == 1


@pytest.mark.parametrize("first_fails", [False, True], ids=["first-stores", "first-fails"])
def test_a_retry_is_a_duplicate_only_when_the_first_delivery_finished(endpoint: Endpoint, first_fails: bool) -> None:
    request = "mxtelecom-sms-report.http"
    early: list[tuple[str, bytes]] = []
    endpoint.during_persist = lambda: early.append(endpoint.call(request))  # a retry while the first persists
    if first_fails:
        endpoint.failing.add(only_event(parse(example_raw(request))).dedupe_key)
    first = endpoint.call(request)
    # The early retry found the lease held, not final: not a duplicate, so "send it again".
    assert early == [MXTELECOM_RETRY]
    assert first == (MXTELECOM_RETRY if first_fails else ("200 OK", b"OK"))
    assert endpoint.stored == ([] if first_fails else [only_event(parse(example_raw(request)))])
    # A retry after the first delivery finished: a duplicate when it stored the event, else stored now.
    assert endpoint.call(request) == ("200 OK", b"OK")
    assert endpoint.stored == [only_event(parse(example_raw(request)))]


class OneCallbackParser:
    """Stands in for the example's parser: every request gives the same callback (a batch of two events;
    mmsdr's own formats carry one event per request)."""

    limits = mmsdr.Limits()

    def __init__(self, callback: mmsdr.Callback) -> None:
        self.callback = callback

    def parse(self, *request: object, **options: object) -> mmsdr.Callback:
        return self.callback


def test_a_callback_is_acknowledged_only_when_all_its_events_are_stored(endpoint: Endpoint) -> None:
    raw = example_raw("mxtelecom-sms-report.http")
    first, later = only_event(parse(raw)), only_event(parse(LATER_STATUS["mxtelecom.sms_report"](raw)))
    assert first.dedupe_key != later.dedupe_key
    batch = mmsdr.Callback(provider="mxtelecom", format="mxtelecom.sms_report", events=(first, later))
    endpoint.module["parser"] = OneCallbackParser(batch)
    endpoint.failing.add(later.dedupe_key)
    assert endpoint.call("mxtelecom-sms-report.http") == MXTELECOM_RETRY
    assert endpoint.stored == [first]
    # The retry: the first event is a duplicate (stored), the second is stored now; then it is acknowledged.
    assert endpoint.call("mxtelecom-sms-report.http") == ("200 OK", b"OK")
    assert endpoint.stored == [first, later]
    assert endpoint.call("mxtelecom-sms-report.http") == ("200 OK", b"OK")
    assert endpoint.stored == [first, later]


@pytest.mark.parametrize(
    ("request_name", "status"),
    [("mxtelecom-sms-report.http", 503), ("openmarket-mms-report.http", 503), ("mm7-sinch-delivery-report.http", 500)],
)
def test_the_example_gives_the_providers_retry_answer_while_redis_is_down(
    endpoint: Endpoint, request_name: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("redis", reason="the redis package is a test dependency: pip install -e '.[test]'")
    from mmsdr.dedupe import RedisStore

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    endpoint.module["dedupe"] = Deduplicator(RedisStore.from_url(f"redis://127.0.0.1:{closed_port}/0"))
    raw = example_raw(request_name)
    retry = mmsdr.acknowledge(parse(raw), retry=True)  # MM7: a soap-env:Server fault, StatusCode 4006
    assert retry.status == status
    with caplog.at_level(logging.ERROR, logger="callbacks"):
        assert endpoint.exchange(raw) == (retry.status_line, list(retry.headers), retry.body)
    assert endpoint.stored == []
    assert [record for record in caplog.records if record.name == "callbacks"] == []  # an outage, not a bug


def test_the_example_rejects_bad_input(endpoint: Endpoint) -> None:
    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": "smsmsg=REPORT+1+DELIVERED", "wsgi.input": io.BytesIO()}
    started: list[str] = []
    body = b"".join(endpoint.module["app"](environ, lambda status, headers: started.append(status)))
    assert (started, body) == (["400 Bad Request"], b"mxtelecom.sms_report: field 'smsfrom' is missing")
    assert endpoint.stored == []


class UnreadStream:
    """A wsgi.input that must not be read."""

    def read(self, size: int = -1) -> bytes:
        pytest.fail("the body was read")


@pytest.mark.parametrize(
    ("length", "status", "text"),
    [
        ("abc", "400 Bad Request", b"request: Content-Length 'abc' is not a number"),
        ("-1", "400 Bad Request", b"request: Content-Length '-1' is not a number"),
        ("1e3", "400 Bad Request", b"request: Content-Length '1e3' is not a number"),
        (str(mmsdr.Limits().max_body_bytes + 1), "413 Request Entity Too Large", None),
    ],
)
def test_the_example_refuses_a_bad_content_length_without_reading(
    endpoint: Endpoint, length: str, status: str, text: bytes | None
) -> None:
    # int(environ.get("CONTENT_LENGTH") or 0) answered "abc" with a 500 and waited forever on "-1".
    raw = example_raw("openmarket-mms-report.http")
    answer, _, body = endpoint.exchange(raw, CONTENT_LENGTH=length, **{"wsgi.input": UnreadStream()})
    assert answer == status
    if text is not None:
        assert body == text
    assert endpoint.stored == []


# --- the ASGI app ---------------------------------------------------------------------------------------------


def test_the_asgi_example_stores_once_and_answers_a_held_lease_with_the_retry_answer() -> None:
    pytest.importorskip("redis", reason="the redis package is a test dependency: pip install -e '.[test]'")
    from test_adapters import Receiver, scope_of

    module = run_block("async def on_callback(")
    asyncio.run(module["dedupe"].close())  # the documented client for 127.0.0.1:6379, never connected
    store = MemoryStore()
    module["dedupe"] = AsyncDeduplicator(store)
    stored: list[mmsdr.Event] = []

    async def persist(event: mmsdr.Event) -> None:
        stored.append(event)

    module["persist"] = persist
    raw = (ROOT / "examples" / "requests" / "mxtelecom-sms-report.http").read_bytes()

    def call() -> tuple[int, bytes]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        asyncio.run(module["app"](scope_of(raw), Receiver([read_raw_request(raw).body]), send))
        return sent[0]["status"], sent[1]["body"]

    event = only_event(parse(read_raw_request(raw)))
    first = Deduplicator(store)  # another worker holds the lease
    lease = first.claim(event)
    assert lease is not None
    assert call() == (503, RETRY_TEXT)
    first.release(lease)  # it failed: the next retry is processed
    assert [call(), call()] == [(200, b"OK"), (200, b"OK")]
    assert stored == [event]


# --- the SQL store ---------------------------------------------------------------------------------------------

RECIPE = run_block("class SqliteStore")
SqliteStore = RECIPE["SqliteStore"]


def autocommit(path: Path | str, *, timeout: float = 10, any_thread: bool = False) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, timeout=timeout, check_same_thread=not any_thread)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "claims.db"


def test_the_sql_store_leases_finishes_and_releases() -> None:
    store = SqliteStore(autocommit(":memory:"))
    assert isinstance(store, DedupeStore)
    dedupe = Deduplicator(store)
    event = only_event(
        mmsdr.parse_request(
            {}, b"", "id=1&requestid=77&to=81111&from=447700900123&date=2010-08-21+17%3A32%3A21&type=1&status=3"
        )
    )
    lease = dedupe.claim(event)
    assert lease is not None
    assert store.claim(lease.key, lease.token, 60) is ClaimState.WON  # the same claim sent again
    with pytest.raises(LeaseHeldError):
        dedupe.claim(event)
    dedupe.release(lease)
    lease = dedupe.claim(event)
    assert lease is not None
    assert dedupe.finish(lease) is True
    assert dedupe.finish(lease) is True
    dedupe.release(lease)  # final: not released
    assert dedupe.claim(event) is None
    dedupe.close()


def test_the_sql_store_takes_over_expired_leases_and_purges_them() -> None:
    clock = FakeClock()
    store = SqliteStore(autocommit(":memory:"), clock=clock)
    for key in ("a", "b", "c"):
        assert store.claim(key, "t", 10) is ClaimState.WON
    clock.now += 9.999
    assert store.claim("a", "u", 10) is ClaimState.HELD
    clock.now += 0.001
    assert store.claim("a", "u", 10) is ClaimState.WON  # expired: taken over
    assert store.finish("a", "t", 100) is False  # the late finish of the old lease leaves the new one alone
    store.release("a", "t")  # and so does its late release
    assert store.claim("a", "v", 10) is ClaimState.HELD
    assert store.finish("b", "t", 100) is True  # expired, not taken over: made final all the same
    assert store.claim("b", "v", 10) is ClaimState.FINISHED
    assert store.finish("new", "t", 100) is True  # no row at all: final
    assert store.purge() == 1  # "c"; "a" and "b" are live
    assert store.finish("a", "u", 100) is True
    assert store.claim("a", "v", 10) is ClaimState.FINISHED
    store.close()


def test_sixteen_threads_with_their_own_connections_get_one_winner_per_key(db: Path) -> None:
    stores: list[Any] = []
    lock = threading.Lock()

    def dedupe_for_thread() -> Deduplicator:
        store = SqliteStore(autocommit(db, any_thread=True))  # closed by the test's thread afterwards
        with lock:
            stores.append(store)
        return Deduplicator(store)

    try:
        assert race_threads(dedupe_for_thread, threads=16, rounds=20) == [1] * 20
    finally:
        for store in stores:
            store.close()


def test_a_locked_database_raises_a_store_error(db: Path) -> None:
    holder = autocommit(db)
    store = SqliteStore(autocommit(db, timeout=0.05))
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        with pytest.raises(DedupeStoreError, match="database is locked") as caught:
            Deduplicator(store).claim("k")
        assert caught.value.status_hint == 503
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        with pytest.raises(DedupeStoreError, match="^dedupe store: finishing 'k' failed: database is locked"):
            store.finish("k", "t", 60)
        with pytest.raises(DedupeStoreError, match="^dedupe store: releasing 'k' failed: database is locked"):
            store.release("k", "t")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


def test_a_plain_insert_says_held_with_integrity_error() -> None:
    store = SqliteStore(autocommit(":memory:"))
    assert store.claim("k", "t", 60) is ClaimState.WON
    with pytest.raises(sqlite3.IntegrityError):
        store.connection.execute("INSERT INTO mmsdr_dedupe VALUES ('k', 'u', 0, 0)")
    store.close()


def test_a_claim_in_a_transaction_commits_or_rolls_back_with_it(db: Path) -> None:
    other = Deduplicator(SqliteStore(autocommit(db)))  # another worker
    app = sqlite3.connect(db, timeout=5)  # the default mode: writes wait for the commit
    dedupe = Deduplicator(SqliteStore(app))
    try:
        # An exception before the commit: the lease is rolled back with the rest.
        with pytest.raises(OSError, match="persist failed"), app, dedupe.processing("failed") as first:  # noqa: PT012
            assert first
            raise OSError("persist failed")
        assert other.claim("failed") is not None
        # After the commit it is final.
        with app, dedupe.processing("committed") as first:
            assert first
        assert other.claim("committed") is None
        # A crash: the connection goes away before its commit.
        assert dedupe.claim("crashed") is not None
        app.close()
        assert other.claim("crashed") is not None
    finally:
        app.close()
        other.close()


@pytest.mark.parametrize("commits", [True, False], ids=["commit", "rollback"])
def test_a_retry_claiming_during_the_first_transaction_waits_for_its_end(db: Path, commits: bool) -> None:
    app = sqlite3.connect(db, timeout=5, check_same_thread=False)
    dedupe = Deduplicator(SqliteStore(app))
    retry = Deduplicator(SqliteStore(autocommit(db, timeout=10, any_thread=True)))
    duplicate: list[bool] = []
    try:
        with dedupe.processing("k") as first:  # the first delivery's transaction is open: stored, not committed
            assert first
        waiting = threading.Thread(target=lambda: duplicate.append(retry.claim("k") is None))
        waiting.start()
        waiting.join(timeout=0.3)
        assert waiting.is_alive()  # the retry's claim waits for the first transaction
        if commits:
            app.commit()
        else:
            app.rollback()
        waiting.join(timeout=10)
        # A duplicate only once the first delivery committed; after a rollback the retry claims anew.
        assert duplicate == [commits]
    finally:
        app.close()
        retry.close()


def test_the_transaction_snippet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with sqlite3.connect("app.db") as setup:
        setup.execute("CREATE TABLE events (dedupe_key TEXT, data TEXT)")
    setup.close()
    query = "smsfrom=447931123456&smsmsg=Hello&smsto=913&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00"
    names = {"json": json, "mmsdr": mmsdr, "sqlite3": sqlite3, "Deduplicator": Deduplicator, "SqliteStore": SqliteStore}
    for attempt in range(2):  # the callback and its retry
        callback = mmsdr.parse_request({"X-Attempt": str(attempt)}, b"", query)
        snippet = run_block("with connection:  # one transaction", {**names, "callback": callback})
        snippet["connection"].close()
        assert snippet["ack"] == mmsdr.acknowledge(callback)
        assert snippet["ack"].status == 200
    with sqlite3.connect("app.db") as check:
        stored = check.execute("SELECT count(*), min(dedupe_key) FROM events").fetchone()
        assert stored == (1, only_event(callback).dedupe_key)
    check.close()


def test_the_api_table_names_everything_public() -> None:
    import mmsdr.dedupe

    api = PAGE.read_text(encoding="utf-8").split("\n## API\n", 1)[1]
    for name in mmsdr.dedupe.__all__:
        assert f"`{name}" in api, name

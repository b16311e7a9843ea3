"""docs/dedupe.md's code, run as written: the WSGI handler and the SQL store (sqlite3, in the standard library)."""

from __future__ import annotations

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
from test_dedupe import FakeClock, race_threads

import mmsdr
from mmsdr.__main__ import read_raw_request
from mmsdr.dedupe import DedupeStore, DedupeStoreError, Deduplicator

if TYPE_CHECKING:
    from collections.abc import Iterator

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


class Endpoint:
    """The documented WSGI app, with its Redis swapped for a store the test chooses and persist() recorded."""

    def __init__(self) -> None:
        self.module = run_block("def handle(")
        self.module["dedupe"].close()  # the documented client for 127.0.0.1:6379, never connected
        self.module["dedupe"] = Deduplicator()
        self.stored: list[mmsdr.Event] = []
        self.failures = 0
        self.module["persist"] = self.persist

    def persist(self, event: mmsdr.Event) -> None:
        if self.failures:
            self.failures -= 1
            msg = "database unavailable"
            raise OSError(msg)
        self.stored.append(event)

    def call(self, request: str) -> tuple[str, bytes]:
        raw = read_raw_request((ROOT / "examples" / "requests" / request).read_bytes())
        environ: dict[str, Any] = {
            "REQUEST_METHOD": raw.method,
            "QUERY_STRING": raw.query,
            "CONTENT_LENGTH": str(len(raw.body)),
            "wsgi.input": io.BytesIO(raw.body),
        }
        environ.update({"HTTP_" + name.upper().replace("-", "_"): value for name, value in raw.headers})
        started: list[str] = []
        body = b"".join(self.module["app"](environ, lambda status, headers: started.append(status)))
        return started[0], body


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


def test_the_example_answers_500_when_persisting_fails_and_stores_the_retry(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint.failures = 1
    with caplog.at_level(logging.ERROR, logger="callbacks"):
        assert endpoint.call("mxtelecom-sms-inbound.http") == ("500 Internal Server Error", b"not stored; retry later")
    assert "storing a callback failed" in caplog.text
    assert endpoint.stored == []
    assert endpoint.call("mxtelecom-sms-inbound.http") == ("200 OK", b"OK")
    assert len(endpoint.stored) == 1


def test_the_example_answers_503_while_redis_is_down(endpoint: Endpoint) -> None:
    pytest.importorskip("redis", reason="the redis package is a test dependency: pip install -e '.[test]'")
    from mmsdr.dedupe import RedisStore

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    endpoint.module["dedupe"] = Deduplicator(RedisStore.from_url(f"redis://127.0.0.1:{closed_port}/0"))
    assert endpoint.call("mxtelecom-sms-report.http") == (
        "503 Service Unavailable",
        b"the deduplication store is unavailable; retry later",
    )
    assert endpoint.stored == []


def test_the_example_rejects_bad_input(endpoint: Endpoint) -> None:
    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": "smsmsg=REPORT+1+DELIVERED", "wsgi.input": io.BytesIO()}
    started: list[str] = []
    body = b"".join(endpoint.module["app"](environ, lambda status, headers: started.append(status)))
    assert (started, body) == (["400 Bad Request"], b"mxtelecom.sms_report: field 'smsfrom' is missing")
    assert endpoint.stored == []


# --- the SQL store ---------------------------------------------------------------------------------------------

RECIPE = run_block("class SqliteStore")
SqliteStore = RECIPE["SqliteStore"]


def autocommit(path: Path | str, *, timeout: float = 10, any_thread: bool = False) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, timeout=timeout, check_same_thread=not any_thread)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "claims.db"


def test_the_sql_store_is_a_dedupe_store_that_claims_once_and_releases() -> None:
    store = SqliteStore(autocommit(":memory:"))
    assert isinstance(store, DedupeStore)
    dedupe = Deduplicator(store)
    event = mmsdr.parse_request(
        {}, b"", "id=1&requestid=77&to=81111&from=447700900123&date=2010-08-21+17%3A32%3A21&type=1&status=3"
    )
    assert dedupe.claim(event)
    assert not dedupe.claim(event)
    dedupe.release(event)
    assert dedupe.claim(event)
    dedupe.close()


def test_the_sql_store_takes_over_expired_claims_and_purges_them() -> None:
    clock = FakeClock()
    store = SqliteStore(autocommit(":memory:"), clock=clock)
    for key in ("a", "b", "c"):
        assert store.claim(key, 10)
    clock.now += 9.999
    assert not store.claim("a", 10)
    clock.now += 0.001
    assert store.claim("a", 10)  # expired: taken over
    assert store.purge() == 2  # "b" and "c"; "a" is live again
    assert not store.claim("a", 10)
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
        with pytest.raises(DedupeStoreError, match="releasing"):
            store.release("k")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


def test_a_plain_insert_says_held_with_integrity_error() -> None:
    store = SqliteStore(autocommit(":memory:"))
    assert store.claim("k", 60)
    with pytest.raises(sqlite3.IntegrityError):
        store.connection.execute("INSERT INTO mmsdr_dedupe (key, expires_at) VALUES ('k', 0)")
    store.close()


def test_a_claim_in_a_transaction_commits_or_rolls_back_with_it(db: Path) -> None:
    other = Deduplicator(SqliteStore(autocommit(db)))  # another worker
    app = sqlite3.connect(db, timeout=5)  # the default mode: writes wait for the commit
    dedupe = Deduplicator(SqliteStore(app))
    try:
        # An exception before the commit: the claim is rolled back with the rest.
        with pytest.raises(OSError, match="persist failed"), app:  # noqa: PT012 - the application's block
            assert dedupe.claim("failed")
            raise OSError("persist failed")
        assert other.claim("failed")
        # After the commit it is held.
        with app:
            assert dedupe.claim("committed")
        assert not other.claim("committed")
        # A crash: the connection goes away before its commit.
        assert dedupe.claim("crashed")
        app.close()
        assert other.claim("crashed")
    finally:
        app.close()
        other.close()


def test_the_transaction_snippet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with sqlite3.connect("app.db") as setup:
        setup.execute("CREATE TABLE events (dedupe_key TEXT, data TEXT)")
    setup.close()
    query = "smsfrom=447931123456&smsmsg=Hello&smsto=913&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00"
    names = {"json": json, "mmsdr": mmsdr, "sqlite3": sqlite3, "Deduplicator": Deduplicator, "SqliteStore": SqliteStore}
    for attempt in range(2):  # the callback and its retry
        event = mmsdr.parse_request({"X-Attempt": str(attempt)}, b"", query)
        snippet = run_block("with connection:  # one transaction", {**names, "event": event})
        snippet["connection"].close()
        assert snippet["ack"].status == 200
    with sqlite3.connect("app.db") as check:
        assert check.execute("SELECT count(*), min(dedupe_key) FROM events").fetchone() == (1, event.dedupe_key)
    check.close()


def test_the_api_table_names_everything_public() -> None:
    import mmsdr.dedupe

    api = PAGE.read_text(encoding="utf-8").split("\n## API\n", 1)[1]
    for name in mmsdr.dedupe.__all__:
        assert f"`{name}" in api, name

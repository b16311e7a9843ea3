"""RedisStore against a real redis-server on 127.0.0.1: one winner across threads and processes, expiry,
release, outages.

The server is the one at MMSDR_TEST_REDIS_URL (``.ci/run`` starts one), else one these tests start from
``redis-server`` on PATH in a temporary directory. Without either the tests skip, saying why; with
MMSDR_REQUIRE_REDIS=1 (set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _support import only_event
from test_dedupe import race_threads

import mmsdr
from mmsdr.dedupe import DEFAULT_TTL, DedupeStoreError, Deduplicator, RedisStore

if TYPE_CHECKING:
    from collections.abc import Iterator
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Barrier

redis = pytest.importorskip("redis", reason="the redis package is a test dependency: pip install -e '.[test]'")

EXAMPLE_QUERY = (
    "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsto=913&shortcode=913&smsid=17221293"
    "&smsdate=2002-04-30+21%3A58%3A00&reason=1359151616"
)


def no_redis(reason: str) -> None:
    if os.environ.get("MMSDR_REQUIRE_REDIS") == "1":
        pytest.fail(f"MMSDR_REQUIRE_REDIS=1 but no redis-server could be started: {reason}")
    pytest.skip(f"no redis-server could be started: {reason}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RedisServer:
    """A redis-server process of our own, on a free loopback port, without persistence."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    appendonly: bool = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            no_redis("redis-server is not on PATH (apt-get install redis-server) and MMSDR_TEST_REDIS_URL is unset")
            return
        log = self.directory / "redis.log"
        self.process = subprocess.Popen(
            [
                *(executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "yes" if self.appendonly else "no"),
                *("--dir", str(self.directory), "--logfile", str(log)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        client = redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            while True:
                try:
                    client.ping()
                except redis.exceptions.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                        no_redis(f"redis-server on port {self.port} did not answer PING: {tail}")
                    time.sleep(0.02)
                else:
                    return
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("MMSDR_TEST_REDIS_URL")
    if url:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        except redis.exceptions.RedisError as error:
            no_redis(f"MMSDR_TEST_REDIS_URL={url} does not answer PING: {error}")
        finally:
            client.close()
        yield url
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A server for this test alone, which it may stop and start again."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A prefix of this test's own: the tests never touch other keys, and clean up theirs."""
    value = f"mmsdr-test:{uuid.uuid4().hex}:"
    yield value
    client = redis.Redis.from_url(redis_url)
    try:
        for name in client.scan_iter(match=f"{value}*"):
            client.delete(name)
    finally:
        client.close()


@pytest.fixture
def client(redis_url: str) -> Iterator[Any]:
    value = redis.Redis.from_url(redis_url)
    yield value
    value.close()


@pytest.fixture
def store(redis_url: str, prefix: str) -> Iterator[RedisStore]:
    value = RedisStore.from_url(redis_url, prefix=prefix)
    yield value
    value.close()


def example_event() -> mmsdr.Event:
    return only_event(mmsdr.parse_request({}, b"", EXAMPLE_QUERY))


def test_claim_duplicate_release_claim_again(store: RedisStore) -> None:
    dedupe = Deduplicator(store)
    event = example_event()
    assert dedupe.claim(event) is True
    assert dedupe.claim(event) is False
    assert dedupe.claim(example_event()) is False  # the retry, parsed again
    dedupe.release(event)
    assert dedupe.claim(event) is True


def test_the_key_is_prefix_and_dedupe_key_and_lives_for_the_ttl(store: RedisStore, client: Any, prefix: str) -> None:
    event = example_event()
    assert Deduplicator(store).claim(event)
    name = prefix + event.dedupe_key
    assert client.exists(name) == 1
    ttl_ms = client.pttl(name)
    assert DEFAULT_TTL.total_seconds() * 1000 - 60_000 < ttl_ms <= DEFAULT_TTL.total_seconds() * 1000
    assert Deduplicator(store, ttl=timedelta(hours=1), prefix="app1:").claim(event)
    assert 3_540_000 < client.pttl(f"{prefix}app1:{event.dedupe_key}") <= 3_600_000


def test_the_value_is_a_token_naming_the_claimant(store: RedisStore, client: Any, prefix: str) -> None:
    assert store.claim("k", 60)
    assert store.claim("l", 60)
    tokens = [client.get(prefix + key).decode() for key in ("k", "l")]
    assert re.fullmatch(rf"[0-9a-f]{{16}}:{os.getpid()}:000000000000", tokens[0])
    assert tokens[1] == tokens[0][:-1] + "1"


def test_the_default_prefix_and_the_size_of_a_claim(redis_url: str, client: Any) -> None:
    event = example_event()
    name = f"mmsdr:dedupe:{event.dedupe_key}"
    if client.exists(name):
        pytest.skip(f"{name} exists already in the server at MMSDR_TEST_REDIS_URL")
    store = RedisStore.from_url(redis_url)
    try:
        assert store.prefix == "mmsdr:dedupe:"
        assert Deduplicator(store).claim(event)
        assert client.exists(name) == 1
        assert client.memory_usage(name) < 200
    finally:
        client.delete(name)
        store.close()


def test_a_claim_expires_after_its_ttl(store: RedisStore) -> None:
    dedupe = Deduplicator(store, ttl=0.2)
    assert dedupe.claim("short-lived")
    started = time.monotonic()
    assert not dedupe.claim("short-lived")
    while not dedupe.claim("short-lived"):
        assert time.monotonic() - started < 3, "the claim did not expire"
        time.sleep(0.02)
    assert time.monotonic() - started >= 0.15


def test_sixteen_threads_get_one_winner_per_key(store: RedisStore) -> None:
    dedupe = Deduplicator(store)
    assert race_threads(lambda: dedupe, threads=16, rounds=20) == [1] * 20


def claim_in_process(url: str, prefix: str, keys: list[str], barrier: Barrier, results: Queue[list[str]]) -> None:
    """Runs in a child process: a store and a Deduplicator of its own, as on another machine."""
    store = RedisStore.from_url(url, prefix=prefix)
    try:
        dedupe = Deduplicator(store)
        barrier.wait(timeout=30)
        results.put([key for key in keys if dedupe.claim(key)])
    finally:
        store.close()


def test_four_processes_get_one_winner_per_key(redis_url: str, prefix: str) -> None:
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each, like separate workers
    keys = [f"process-race-{n}" for n in range(200)]
    barrier = context.Barrier(4)
    results: Queue[list[str]] = context.Queue()
    processes = [
        context.Process(target=claim_in_process, args=(redis_url, prefix, keys, barrier, results)) for _ in range(4)
    ]
    for process in processes:
        process.start()
    try:
        won = [results.get(timeout=60) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
    assert [process.exitcode for process in processes] == [0, 0, 0, 0]
    assert sorted(key for keys_won in won for key in keys_won) == sorted(keys)
    results.close()
    results.join_thread()


def test_release_only_deletes_this_stores_own_claim(redis_url: str, prefix: str) -> None:
    ours = RedisStore.from_url(redis_url, prefix=prefix)
    theirs = RedisStore.from_url(redis_url, prefix=prefix)
    try:
        assert ours.claim("k", 60)
        theirs.release("k")  # another worker's release: does nothing
        assert not theirs.claim("k", 60)
        assert not ours.claim("k", 60)
        ours.release("k")
        assert theirs.claim("k", 60)
        theirs.release("never-claimed")  # nothing to release: no error
    finally:
        ours.close()
        theirs.close()


def test_a_claim_whose_reply_was_lost_and_resent_counts_as_won(store: RedisStore, client: Any, prefix: str) -> None:
    # What the server holds when redis-py re-sent this very SET after the first one's reply was lost.
    next_token = f"{store._owner()}{0:012x}"
    client.set(prefix + "resent", next_token, px=60_000)
    assert store.claim("resent", 60) is True
    assert store.claim("resent", 60) is False  # a later claim (the provider's retry) is a duplicate


def test_a_client_with_decoded_responses_works_too(redis_url: str, prefix: str) -> None:
    decoding = redis.Redis.from_url(redis_url, decode_responses=True)
    store = RedisStore(decoding, prefix=prefix)
    try:
        decoding.set(prefix + "resent", f"{store._owner()}{0:012x}", px=60_000)
        assert store.claim("resent", 60)
        assert store.claim("k", 60)
        assert not store.claim("k", 60)
        store.release("k")
        assert store.claim("k", 60)
    finally:
        store.close()
        assert decoding.ping()  # close() leaves a client you passed in open
        decoding.close()


def test_from_url_keeps_requests_within_the_providers_10_seconds(redis_url: str) -> None:
    store = RedisStore.from_url(redis_url)
    try:
        options = store.client.connection_pool.connection_kwargs
        assert options["socket_timeout"] == 1.0
        assert options["socket_connect_timeout"] == 1.0
        assert options["retry"].get_retries() == 2
    finally:
        store.close()


def assert_store_error(error: DedupeStoreError, cause: type[BaseException]) -> None:
    assert isinstance(error, mmsdr.MmsdrError)
    assert error.status_hint == 503
    assert isinstance(error.__cause__, cause)
    # The ack goes to the provider: no host, port or key in it.
    assert error.ack.status == 503
    assert error.ack.body == b"the deduplication store is unavailable; retry later"


def test_a_closed_port_raises_a_store_error(prefix: str) -> None:
    store = RedisStore.from_url(f"redis://127.0.0.1:{free_port()}/0", prefix=prefix)
    dedupe = Deduplicator(store)
    try:
        with pytest.raises(DedupeStoreError, match=r"claiming 'mmsdr-test:.*:k' in Redis failed") as caught:
            dedupe.claim("k")
        assert_store_error(caught.value, redis.exceptions.ConnectionError)
        assert caught.value.key == prefix + "k"
        with pytest.raises(DedupeStoreError, match="releasing"):
            dedupe.release("k")
        with pytest.raises(DedupeStoreError), dedupe.processing("k"):
            pytest.fail("the block must not run when the claim failed")
    finally:
        store.close()


@pytest.mark.parametrize("retries", [0, 2])
def test_a_server_that_does_not_answer_times_out_into_a_store_error(retries: int) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        store = RedisStore.from_url(f"redis://127.0.0.1:{port}/0", socket_timeout=0.2, retries=retries)
        try:
            started = time.monotonic()
            with pytest.raises(DedupeStoreError) as caught:
                store.claim("k", 60)
            # About (1 + retries) * socket_timeout, as docs/dedupe.md says.
            assert (1 + retries) * 0.2 - 0.05 < time.monotonic() - started < (1 + retries) * 0.2 + 0.5
            assert_store_error(caught.value, redis.exceptions.TimeoutError)
        finally:
            store.close()


def test_an_error_reply_raises_a_store_error(store: RedisStore, client: Any, prefix: str) -> None:
    client.hset(prefix + "not-a-claim", "field", "value")  # a key of another type under our prefix
    with pytest.raises(DedupeStoreError) as caught:
        store.claim("not-a-claim", 60)
    assert_store_error(caught.value, redis.exceptions.ResponseError)
    with pytest.raises(DedupeStoreError):
        store.release("not-a-claim")


def test_the_server_dying_mid_way_and_coming_back(own_redis: RedisServer) -> None:
    store = RedisStore.from_url(own_redis.url, socket_timeout=0.5)
    dedupe = Deduplicator(store)
    try:
        assert dedupe.claim("before")

        def persist(event_key: str) -> None:
            own_redis.stop()  # Redis goes away while the event is being processed
            msg = f"persisting {event_key} failed"
            raise ValueError(msg)

        with pytest.raises(ValueError, match="persisting during failed") as caught, dedupe.processing("during"):
            persist("during")
        # The application's own exception goes on, with a note that the claim could not be released.
        assert any("could not be released" in note for note in caught.value.__notes__)
        with pytest.raises(DedupeStoreError):
            dedupe.claim("after")
        own_redis.start()  # the same port, no persistence: the claims are gone
        assert dedupe.claim("before")  # forgotten: a retry now would be processed again (a duplicate, not a loss)
        assert dedupe.claim("after")
        assert not dedupe.claim("after")  # the client reconnected by itself
    finally:
        store.close()


def test_close_closes_the_client_from_url(redis_url: str) -> None:
    store = RedisStore.from_url(redis_url)
    closed: list[bool] = []
    original = store.client.close

    def close() -> None:
        closed.append(True)
        original()

    store.client.close = close  # type: ignore[method-assign]
    Deduplicator(store).close()
    assert closed == [True]


def test_repr_names_the_store(store: RedisStore) -> None:
    assert repr(Deduplicator(store, ttl=60)).startswith("Deduplicator(RedisStore(")
    assert "prefix='mmsdr-test:" in repr(store)


def test_a_full_redis_answers_out_of_memory_by_default(own_redis: RedisServer) -> None:
    store = RedisStore.from_url(own_redis.url)
    try:
        client = store.client
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        assert store.claim("before", 60)
        client.config_set("maxmemory", 1)  # full: claims are refused, not evicted
        with pytest.raises(DedupeStoreError, match="maxmemory") as caught:
            store.claim("k", 60)
        assert_store_error(caught.value, redis.exceptions.OutOfMemoryError)
        client.config_set("maxmemory", 0)
        assert not store.claim("before", 60)
    finally:
        store.close()


def test_claims_survive_a_restart_with_appendonly(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, appendonly=True)
    server.start()
    store = RedisStore.from_url(server.url)
    try:
        assert store.claim("k", 60)
        server.stop()
        server.start()
        assert not store.claim("k", 60)
    finally:
        store.close()
        server.stop()

"""RedisStore and AsyncRedisStore against a real redis-server on 127.0.0.1: leases and final keys, one winner
across threads and processes, outages, a server paused with SIGSTOP, replies lost on the way.

The server is the one at MMSDR_TEST_REDIS_URL (``.ci/run`` starts one), else one these tests start from
``redis-server`` on PATH in a temporary directory; the tests that stop or pause a server always start their own.
Without a server the tests skip, saying why; with MMSDR_REQUIRE_REDIS=1 (set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _support import only_event
from test_dedupe import Driver, race_threads

import mmsdr
from mmsdr.dedupe import (
    DEFAULT_LEASE,
    DEFAULT_TTL,
    AsyncRedisStore,
    ClaimState,
    DedupeStoreError,
    Deduplicator,
    LeaseHeldError,
    RedisStore,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
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


KINDS = ("sync", "async")


def redis_store(kind: str, url: str, **options: Any) -> RedisStore | AsyncRedisStore:
    if kind == "sync":
        return RedisStore.from_url(url, **options)
    return AsyncRedisStore.from_url(url, **options)


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def drivers(kind: str, redis_url: str, prefix: str) -> Iterator[Callable[..., Driver]]:
    """Makes deduplicators of this test's kind on a Redis store (this test's prefix), closed afterwards."""
    made: list[Driver] = []

    def make(url: str | None = None, *, store_options: dict[str, Any] | None = None, **options: Any) -> Driver:
        store = redis_store(kind, url or redis_url, prefix=prefix, **(store_options or {}))
        made.append(Driver(kind, store, **options))
        return made[-1]

    yield make
    for driver in made:
        driver.close()


@pytest.fixture
def store(redis_url: str, prefix: str) -> Iterator[RedisStore]:
    value = RedisStore.from_url(redis_url, prefix=prefix)
    yield value
    value.close()


def example_event() -> mmsdr.Event:
    return only_event(mmsdr.parse_request({}, b"", EXAMPLE_QUERY))


def wait_for_claim(driver: Driver, key: mmsdr.Event | str, *, within: float = 10) -> Any:
    """Claims until the lease held on the key expires; returns the lease won."""
    deadline = time.monotonic() + within
    while True:
        try:
            lease = driver.claim(key)
        except LeaseHeldError:
            assert time.monotonic() < deadline, "the lease did not expire"
            time.sleep(0.02)
        else:
            assert lease is not None
            return lease


def test_a_lease_then_a_final_key(drivers: Callable[..., Driver], client: Any, prefix: str) -> None:
    driver = drivers()
    event = example_event()
    name = prefix + event.dedupe_key
    lease = driver.claim(event)
    assert lease is not None
    assert lease.key == event.dedupe_key
    assert client.get(name) == f"lease:{lease.token}".encode()
    assert DEFAULT_LEASE.total_seconds() * 1000 - 5_000 < client.pttl(name) <= DEFAULT_LEASE.total_seconds() * 1000
    with pytest.raises(LeaseHeldError) as caught:
        driver.claim(example_event())  # the retry, parsed again, while the first delivery is at work
    assert caught.value.key == event.dedupe_key  # the deduplicator's key; the store adds its own prefix
    assert driver.finish(lease) is True
    assert client.get(name) == f"done:{lease.token}".encode()
    assert DEFAULT_TTL.total_seconds() * 1000 - 60_000 < client.pttl(name) <= DEFAULT_TTL.total_seconds() * 1000
    assert driver.claim(event) is None
    assert driver.finish(lease) is True  # said again (its reply lost): the same answer, nothing changed
    driver.release(lease)  # a final key is not released
    assert driver.claim(event) is None


def test_release_lets_the_retry_through(drivers: Callable[..., Driver], client: Any, prefix: str) -> None:
    driver = drivers()
    lease = driver.claim("k")
    driver.release(lease)
    assert client.exists(prefix + "k") == 0
    again = driver.claim("k")
    assert again is not None
    driver.release(again)
    driver.release(again)  # nothing held: no error


def test_the_ttl_and_the_lease_are_the_deduplicators(drivers: Callable[..., Driver], client: Any, prefix: str) -> None:
    driver = drivers(ttl=timedelta(hours=1), lease=timedelta(seconds=30), prefix="app1:")
    lease = driver.claim("k")
    name = f"{prefix}app1:k"
    assert 25_000 < client.pttl(name) <= 30_000
    driver.finish(lease)
    assert 3_540_000 < client.pttl(name) <= 3_600_000


def test_the_default_prefix_and_the_size_of_a_key(kind: str, redis_url: str, client: Any) -> None:
    event = example_event()
    name = f"mmsdr:dedupe:{event.dedupe_key}"
    if client.exists(name):
        pytest.skip(f"{name} exists already in the server at MMSDR_TEST_REDIS_URL")
    driver = Driver(kind, redis_store(kind, redis_url))
    try:
        assert driver.dedupe.store.prefix == "mmsdr:dedupe:"  # type: ignore[union-attr]
        assert driver.store_once(event)
        assert client.exists(name) == 1
        assert client.memory_usage(name) < 200
    finally:
        client.delete(name)
        driver.close()


def test_an_expired_lease_lets_a_retry_through_and_the_late_holder_cannot_touch_it(
    drivers: Callable[..., Driver], client: Any, prefix: str
) -> None:
    first, retry = drivers(lease=0.2), drivers(lease=60)  # two workers
    old = first.claim("k")
    assert old is not None
    new = wait_for_claim(retry, "k")  # the first one's lease expired: taken over
    first.release(old)  # the late release of the first does not free it
    assert first.finish(old) is False  # nor does its late finish make it final
    assert client.get(prefix + "k") == f"lease:{new.token}".encode()
    with pytest.raises(LeaseHeldError):
        first.claim("k")
    assert retry.finish(new) is True
    assert first.claim("k") is None


def test_a_late_finish_of_a_lease_nobody_took_makes_it_final(
    drivers: Callable[..., Driver], client: Any, prefix: str
) -> None:
    driver = drivers(lease=0.1)
    lease = driver.claim("k")
    deadline = time.monotonic() + 10
    while client.exists(prefix + "k"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert driver.finish(lease) is True  # the event is stored: final all the same
    assert driver.claim("k") is None


def test_sixteen_threads_get_one_winner_per_key(store: RedisStore) -> None:
    dedupe = Deduplicator(store)
    assert race_threads(lambda: dedupe, threads=16, rounds=20) == [1] * 20


def claim_in_process(url: str, prefix: str, keys: list[str], barrier: Barrier, results: Queue[list[str]]) -> None:
    """Runs in a child process: a store and a Deduplicator of its own, as on another machine."""
    store = RedisStore.from_url(url, prefix=prefix)
    try:
        dedupe = Deduplicator(store)
        barrier.wait(timeout=30)
        won = []
        for key in keys:
            try:
                if dedupe.claim(key) is not None:
                    won.append(key)
            except LeaseHeldError:
                pass
        results.put(won)
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


def test_a_claim_sent_again_with_its_own_token_counts_as_won(store: RedisStore, client: Any, prefix: str) -> None:
    # What the server holds when redis-py sent this very claim again after the first one's reply was lost.
    client.set(prefix + "resent", "lease:t1", px=60_000)
    assert store.claim("resent", "t1", 60) is ClaimState.WON
    assert store.claim("resent", "t2", 60) is ClaimState.HELD


def test_a_client_with_decoded_responses_works_too(kind: str, redis_url: str, prefix: str) -> None:
    if kind == "sync":
        decoding: Any = redis.Redis.from_url(redis_url, decode_responses=True)
        store: Any = RedisStore(decoding, prefix=prefix)
    else:
        decoding = redis.asyncio.Redis.from_url(redis_url, decode_responses=True)
        store = AsyncRedisStore(decoding, prefix=prefix)
    driver = Driver(kind, store)
    try:
        lease = driver.claim("k")
        with pytest.raises(LeaseHeldError):
            driver.claim("k")
        assert driver.finish(lease) is True
        assert driver.claim("k") is None
        driver.run(driver.dedupe.close())
        assert driver.run(decoding.ping())  # close() leaves a client you passed in open
    finally:
        driver.run(decoding.close() if kind == "sync" else decoding.aclose())
        if driver.loop is not None:
            driver.loop.close()


@pytest.mark.parametrize("store_class", [RedisStore, AsyncRedisStore])
def test_from_url_keeps_requests_within_the_providers_10_seconds(redis_url: str, store_class: Any) -> None:
    store = store_class.from_url(redis_url)
    options = store.client.connection_pool.connection_kwargs
    assert options["socket_timeout"] == 1.0
    assert options["socket_connect_timeout"] == 1.0
    assert options["retry"].get_retries() == 2


def assert_store_error(error: DedupeStoreError, cause: type[BaseException]) -> None:
    assert type(error) is DedupeStoreError
    assert error.status_hint == 503
    assert isinstance(error.__cause__, cause)
    # The ack goes to the provider: no host, port or key in it.
    assert error.ack.status == 503
    assert error.ack.body == b"the deduplication store is unavailable; retry later"


def test_a_closed_port_raises_a_store_error(drivers: Callable[..., Driver], prefix: str) -> None:
    driver = drivers(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(DedupeStoreError, match=r"^dedupe store: claiming 'mmsdr-test:.*:k' in Redis failed") as caught:
        driver.claim("k")
    assert_store_error(caught.value, redis.exceptions.ConnectionError)
    assert caught.value.key == prefix + "k"
    store: Any = driver.dedupe.store
    operations: list[tuple[str, Callable[[], Any]]] = [
        ("finishing", lambda: store.finish("k", "t", 60)),
        ("releasing", lambda: store.release("k", "t")),
    ]
    for operation, call in operations:
        with pytest.raises(DedupeStoreError, match=f"^dedupe store: {operation} "):
            driver.run(call())
    with pytest.raises(DedupeStoreError):
        driver.process("k", lambda first: pytest.fail("the block must not run when the claim failed"))


@pytest.mark.parametrize("retries", [0, 2])
def test_a_server_that_does_not_answer_times_out_into_a_store_error(kind: str, retries: int) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        driver = Driver(kind, redis_store(kind, f"redis://127.0.0.1:{port}/0", socket_timeout=0.2, retries=retries))
        try:
            started = time.monotonic()
            with pytest.raises(DedupeStoreError) as caught:
                driver.claim("k")
            # About (1 + retries) * socket_timeout, as docs/dedupe.md says.
            assert (1 + retries) * 0.2 - 0.05 < time.monotonic() - started < (1 + retries) * 0.2 + 0.5
            assert_store_error(caught.value, redis.exceptions.TimeoutError)
        finally:
            driver.close()


def test_an_error_reply_raises_a_store_error(drivers: Callable[..., Driver], client: Any, prefix: str) -> None:
    driver = drivers()
    client.hset(prefix + "not-a-claim", "field", "value")  # a key of another type under our prefix
    with pytest.raises(DedupeStoreError) as caught:
        driver.claim("not-a-claim")
    assert_store_error(caught.value, redis.exceptions.ResponseError)


def test_the_server_dying_mid_way_and_coming_back(own_redis: RedisServer) -> None:
    store = RedisStore.from_url(own_redis.url, socket_timeout=0.5)
    dedupe = Deduplicator(store)
    try:
        lease = dedupe.claim("before")
        assert lease is not None
        dedupe.finish(lease)

        def persist(first: bool) -> None:
            own_redis.stop()  # Redis goes away while the event is being processed
            msg = "persisting during failed"
            raise ValueError(msg)

        with (
            pytest.raises(ValueError, match="persisting during failed") as caught,
            dedupe.processing("during") as first,
        ):
            persist(first)
        # The application's own exception goes on, with a note that the lease could not be released.
        assert any("could not be released" in note for note in caught.value.__notes__)
        with pytest.raises(DedupeStoreError):
            dedupe.claim("after")
        own_redis.start()  # the same port, no persistence: the keys are gone
        assert dedupe.claim("before") is not None  # forgotten: processed again (a duplicate, not a loss)
        assert dedupe.claim("after") is not None
        with pytest.raises(LeaseHeldError):  # the client reconnected by itself
            dedupe.claim("after")
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


def test_repr_names_the_store(drivers: Callable[..., Driver], kind: str) -> None:
    driver = drivers()
    name = "RedisStore(" if kind == "sync" else "AsyncRedisStore("
    assert repr(driver.dedupe).startswith(f"{type(driver.dedupe).__name__}({name}")
    assert "prefix='mmsdr-test:" in repr(driver.dedupe.store)


def test_a_full_redis_answers_out_of_memory_by_default(own_redis: RedisServer) -> None:
    store = RedisStore.from_url(own_redis.url)
    try:
        client = store.client
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        assert store.claim("before", "t", 60) is ClaimState.WON
        client.config_set("maxmemory", 1)  # full: claims are refused, not evicted
        with pytest.raises(DedupeStoreError, match="maxmemory") as caught:
            store.claim("k", "t", 60)
        assert_store_error(caught.value, redis.exceptions.OutOfMemoryError)
        client.config_set("maxmemory", 0)
        assert store.claim("before", "u", 60) is ClaimState.HELD
    finally:
        store.close()


def test_keys_survive_a_restart_with_appendonly(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, appendonly=True)
    server.start()
    store = RedisStore.from_url(server.url)
    try:
        assert store.claim("k", "t", 60) is ClaimState.WON
        assert store.finish("k", "t", 3600)
        server.stop()
        server.start()
        assert store.claim("k", "u", 60) is ClaimState.FINISHED
    finally:
        store.close()
        server.stop()


# --- a paused server and lost replies: a claim that runs late or unseen is only a lease --------------------------


def test_a_claim_sent_to_a_paused_redis_runs_late_as_a_short_lease(kind: str, own_redis: RedisServer) -> None:
    # Paused longer than socket_timeout, Redis runs the claims the client sent (and sent again) when it resumes,
    # after the client gave up. They leave a lease, which expires, so the provider's retries are processed.
    driver = Driver(kind, redis_store(kind, own_redis.url, socket_timeout=0.2), lease=1)
    checker = redis.Redis.from_url(own_redis.url, socket_timeout=5)
    event = example_event()
    name = "mmsdr:dedupe:" + event.dedupe_key
    process = own_redis.process
    assert process is not None
    try:
        assert driver.store_once("warm-up")  # connected before the pause: the claim itself is what waits
        process.send_signal(signal.SIGSTOP)
        try:
            with pytest.raises(DedupeStoreError) as caught:  # answered with the retry answer (503, MM7's fault)
                driver.claim(event)
            assert type(caught.value) is DedupeStoreError
        finally:
            process.send_signal(signal.SIGCONT)
        value = checker.get(name)
        assert value is not None
        assert value.startswith(b"lease:")
        assert 0 < checker.pttl(name) <= 1000  # a lease, not 7 days
        with pytest.raises(LeaseHeldError):  # a retry while the late lease lasts: "send it again", not a duplicate
            driver.claim(event)
        lease = wait_for_claim(driver, event)  # the retry after it expired is processed
        assert driver.finish(lease) is True
        assert driver.claim(event) is None
    finally:
        checker.close()
        driver.close()


class ReplyDroppingProxy:
    """A TCP proxy to a Redis that passes every command on and drops the replies on the connections the test
    names (numbered from 1 in the order they are made): as if the network lost them."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.dropping: Callable[[int], bool] = lambda number: False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port: int = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.accept, daemon=True)]
        self.threads[0].start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def accept(self) -> None:
        number = 0
        while not self.stopped.is_set():
            try:
                downstream, _ = self.listener.accept()
            except TimeoutError:
                continue
            number += 1
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self.sockets += [downstream, upstream]
            for source, target, replies in ((downstream, upstream, False), (upstream, downstream, True)):
                thread = threading.Thread(target=self.pump, args=(source, target, replies, number), daemon=True)
                self.threads.append(thread)
                thread.start()

    def pump(self, source: socket.socket, target: socket.socket, replies: bool, number: int) -> None:
        try:
            while data := source.recv(65536):
                if not (replies and self.dropping(number)):
                    target.sendall(data)
        except OSError:
            pass  # a side closed: this connection is over
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.stopped.set()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in self.threads:
            thread.join(timeout=5)
        for sock in [self.listener, *self.sockets]:
            sock.close()


@pytest.fixture
def proxy(own_redis: RedisServer) -> Iterator[ReplyDroppingProxy]:
    value = ReplyDroppingProxy(own_redis.port)
    yield value
    value.close()


QUIET_CLIENT = {"socket_timeout": 0.3}


def test_a_claim_whose_reply_was_lost_and_sent_again_is_won(
    kind: str, proxy: ReplyDroppingProxy, own_redis: RedisServer
) -> None:
    driver = Driver(kind, redis_store(kind, proxy.url, **QUIET_CLIENT))
    checker = redis.Redis.from_url(own_redis.url)
    try:
        assert driver.store_once("warm-up")  # connection 1 made, its handshake answered
        proxy.dropping = lambda number: number == 1  # from now on its replies are lost; the client retries on 2
        lease = driver.claim("k")  # ran on the server twice: the second run found its own token
        assert lease is not None
        assert checker.get("mmsdr:dedupe:k") == f"lease:{lease.token}".encode()
        assert driver.finish(lease) is True
        assert driver.claim("k") is None
    finally:
        checker.close()
        driver.close()


def test_a_claim_whose_every_reply_is_lost_leaves_a_lease_that_expires(
    kind: str, proxy: ReplyDroppingProxy, own_redis: RedisServer
) -> None:
    lost = Driver(kind, redis_store(kind, proxy.url, retries=0, **QUIET_CLIENT), lease=0.5)
    retry = Driver(kind, redis_store(kind, own_redis.url))  # the provider's retry, on a worker that gets its replies
    checker = redis.Redis.from_url(own_redis.url)
    try:
        assert lost.store_once("warm-up")  # connected, its handshake answered
        proxy.dropping = lambda number: True  # from now on every reply is lost
        with pytest.raises(DedupeStoreError) as caught:  # unknown to the client: the retry answer
            lost.claim("k")
        assert_store_error(caught.value, redis.exceptions.TimeoutError)
        value = checker.get("mmsdr:dedupe:k")  # yet it ran on the server
        assert value is not None
        assert value.startswith(b"lease:")
        assert 0 < checker.pttl("mmsdr:dedupe:k") <= 500
        with pytest.raises(LeaseHeldError):
            retry.claim("k")
        lease = wait_for_claim(retry, "k")  # once it expires the retry is processed: never taken for a duplicate
        assert retry.finish(lease) is True
    finally:
        checker.close()
        lost.close()
        retry.close()


def test_a_finish_whose_reply_was_lost_and_sent_again_is_finished(
    kind: str, proxy: ReplyDroppingProxy, own_redis: RedisServer
) -> None:
    driver = Driver(kind, redis_store(kind, proxy.url, **QUIET_CLIENT))
    checker = redis.Redis.from_url(own_redis.url)
    try:
        lease = driver.claim("k")
        assert lease is not None
        proxy.dropping = lambda number: number == 1  # from now on, the first connection's replies are lost
        assert driver.finish(lease) is True  # ran twice: the second run found the key final under its token
        assert checker.get("mmsdr:dedupe:k") == f"done:{lease.token}".encode()
        assert checker.pttl("mmsdr:dedupe:k") > DEFAULT_TTL.total_seconds() * 1000 - 60_000
        assert driver.claim("k") is None
    finally:
        checker.close()
        driver.close()

"""mmsdr.dedupe without a server: leases, the Deduplicator and AsyncDeduplicator, MemoryStore, processing(), the
adapters' retry answers; and dedupe_key across formats.

Every behaviour of the deduplicators is run twice, through [`Driver`], once sync and once async.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import subprocess
import sys
import threading
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _support import only_event

import mmsdr
import mmsdr.asgi
import mmsdr.testing
import mmsdr.wsgi
from mmsdr.__main__ import RawHttpRequest, read_raw_request
from mmsdr.dedupe import (
    DEFAULT_LEASE,
    DEFAULT_MAX_KEYS,
    DEFAULT_TTL,
    AsyncDedupeStore,
    AsyncDeduplicator,
    ClaimState,
    DedupeStore,
    DedupeStoreError,
    Deduplicator,
    Lease,
    LeaseHeldError,
    MemoryStore,
)
from mmsdr.mxtelecom import MmsReportDetails, SmsReportDetails

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "requests").glob("*.http"))
KINDS = ("sync", "async")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Driver:
    """A Deduplicator or an AsyncDeduplicator behind one sync face, so that one test runs against both: the
    async one runs on an event loop of its own, kept for the driver's life (a Redis client's connections
    belong to one loop)."""

    def __init__(self, kind: str, store: Any = None, **options: Any) -> None:
        self.kind = kind
        self.dedupe: Deduplicator | AsyncDeduplicator
        if kind == "sync":
            self.dedupe = Deduplicator(store, **options)
        else:
            self.dedupe = AsyncDeduplicator(store, **options)
        self.loop = asyncio.new_event_loop() if kind == "async" else None

    def run(self, value: Any) -> Any:
        if asyncio.iscoroutine(value):
            assert self.loop is not None
            return self.loop.run_until_complete(value)
        return value

    def claim(self, event_or_key: mmsdr.Event | str) -> Lease | None:
        lease: Lease | None = self.run(self.dedupe.claim(event_or_key))
        return lease

    def finish(self, lease: Lease | None) -> bool:
        assert lease is not None
        finished: bool = self.run(self.dedupe.finish(lease))
        return finished

    def release(self, lease: Lease | None) -> None:
        assert lease is not None
        self.run(self.dedupe.release(lease))

    def store_once(self, event_or_key: mmsdr.Event | str) -> bool:
        """Claim and, if won, finish at once: True when this call stored it."""
        lease = self.claim(event_or_key)
        if lease is not None:
            assert self.finish(lease)
        return lease is not None

    def process(self, event_or_key: mmsdr.Event | str, block: Callable[[bool], object]) -> None:
        """``with dedupe.processing(event_or_key) as first: block(first)``, sync or async."""
        if isinstance(self.dedupe, Deduplicator):
            with self.dedupe.processing(event_or_key) as first:
                block(first)
            return
        dedupe = self.dedupe

        async def process() -> None:
            async with dedupe.processing(event_or_key) as first:
                block(first)

        self.run(process())

    def close(self) -> None:
        self.run(self.dedupe.close())
        if self.loop is not None:
            self.loop.close()


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def drivers(kind: str) -> Iterator[Callable[..., Driver]]:
    """Makes drivers of this test's kind (sync or async), closed afterwards."""
    made: list[Driver] = []

    def make(store: Any = None, **options: Any) -> Driver:
        made.append(Driver(kind, store, **options))
        return made[-1]

    yield make
    for driver in made:
        driver.close()


def race_threads(dedupe_for_thread: Callable[[], Deduplicator], *, threads: int, rounds: int) -> list[int]:
    """Each round, every thread claims the same new key at once (a barrier lets them go together); returns
    how many won, per round. Each thread claims through ``dedupe_for_thread()``, called once in the thread. A
    loser finds the lease held (or, had the winner finished already, the key final): never a second winner."""
    barrier = threading.Barrier(threads)
    wins = [0] * rounds
    lock = threading.Lock()

    def race() -> None:
        dedupe = dedupe_for_thread()
        for round_ in range(rounds):
            barrier.wait(timeout=10)
            try:
                won = dedupe.claim(f"race-{round_}") is not None
            except LeaseHeldError:
                won = False
            if won:
                with lock:
                    wins[round_] += 1

    workers = [threading.Thread(target=race) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    return wins


def parse(raw: RawHttpRequest) -> mmsdr.Callback:
    return mmsdr.parse_request(raw.headers, raw.body, raw.query, method=raw.method)


def example(name: str) -> mmsdr.Callback:
    return parse(read_raw_request((ROOT / "examples" / "requests" / name).read_bytes()))


def example_event(name: str) -> mmsdr.Event:
    return only_event(example(name))


def keys(callback: mmsdr.Callback) -> list[str]:
    return [event.dedupe_key for event in callback.events]


def held_message(key: str) -> str:
    return f"dedupe store: {key!r} is leased by another delivery that has not finished"


# --- leases: claim, finish, release ----------------------------------------------------------------------------


def test_a_claim_is_a_lease_a_retry_is_told_to_retry_until_it_is_finished(drivers: Callable[..., Driver]) -> None:
    driver = drivers()
    event = example_event("mxtelecom-sms-report.http")
    lease = driver.claim(event)
    assert lease is not None
    assert lease.key == event.dedupe_key
    assert re.fullmatch(r"[0-9a-f]{32}", lease.token)
    # The provider's retry while the first delivery is at work: not a duplicate, "send it again".
    with pytest.raises(LeaseHeldError) as caught:
        driver.claim(example_event("mxtelecom-sms-report.http"))
    error = caught.value
    assert isinstance(error, DedupeStoreError)
    assert isinstance(error, mmsdr.MmsdrError)
    assert (str(error), error.key, error.status_hint) == (held_message(event.dedupe_key), event.dedupe_key, 503)
    assert (error.ack.status, error.ack.body) == (
        503,
        b"this event is being processed by another delivery; retry later",
    )
    assert driver.finish(lease) is True
    # Final: every retry now is a duplicate, by the event or by its key.
    assert driver.claim(example_event("mxtelecom-sms-report.http")) is None
    assert driver.claim(event.dedupe_key) is None


def test_a_released_lease_lets_the_retry_through(drivers: Callable[..., Driver]) -> None:
    driver = drivers()
    lease = driver.claim("k")
    driver.release(lease)
    again = driver.claim("k")
    assert lease is not None
    assert again is not None
    assert again.token != lease.token
    driver.release(again)
    driver.release(again)  # nothing held: nothing happens


def test_an_expired_lease_lets_a_retry_through_and_its_late_finish_leaves_the_new_holder(
    drivers: Callable[..., Driver],
) -> None:
    clock = FakeClock()
    driver = drivers(MemoryStore(clock=clock))
    first = driver.claim("k")
    clock.now += DEFAULT_LEASE.total_seconds() - 0.001
    with pytest.raises(LeaseHeldError):
        driver.claim("k")
    clock.now += 0.001  # the first delivery's lease has expired (it crashed, or is still at work)
    second = driver.claim("k")
    assert second is not None
    driver.release(first)  # the first one's late release does not free the second's lease
    with pytest.raises(LeaseHeldError):
        driver.claim("k")
    assert driver.finish(first) is False  # nor does its late finish overwrite it
    with pytest.raises(LeaseHeldError):
        driver.claim("k")
    assert driver.finish(second) is True
    assert driver.claim("k") is None


def test_a_late_finish_of_a_lease_nobody_took_over_makes_it_final(drivers: Callable[..., Driver]) -> None:
    clock = FakeClock()
    driver = drivers(MemoryStore(clock=clock), lease=10)
    lease = driver.claim("k")
    clock.now += 11
    assert driver.finish(lease) is True  # the event is stored: the key is final all the same
    assert driver.finish(lease) is True  # said twice (a reply lost, sent again): the same answer
    assert driver.claim("k") is None


def test_a_final_key_lasts_the_ttl(drivers: Callable[..., Driver]) -> None:
    clock = FakeClock()
    driver = drivers(MemoryStore(clock=clock), ttl=timedelta(hours=1), lease=timedelta(seconds=30))
    assert driver.dedupe.ttl == timedelta(hours=1)
    assert driver.dedupe.lease == timedelta(seconds=30)
    clock.now += 20
    driver.finish(driver.claim("k"))
    clock.now += 3600 - 0.001  # the TTL counts from the finish, not from the claim
    assert driver.claim("k") is None
    clock.now += 0.001
    assert driver.claim("k") is not None


def test_a_finished_key_cannot_be_released(drivers: Callable[..., Driver]) -> None:
    driver = drivers()
    lease = driver.claim("k")
    driver.finish(lease)
    driver.release(lease)
    assert driver.claim("k") is None


def test_defaults() -> None:
    dedupe = Deduplicator()
    assert isinstance(dedupe.store, MemoryStore)
    assert dedupe.store.max_keys == DEFAULT_MAX_KEYS == 100_000
    assert dedupe.ttl == DEFAULT_TTL == timedelta(days=7)
    assert dedupe.lease == DEFAULT_LEASE == timedelta(seconds=60)
    assert dedupe.prefix == ""
    assert isinstance(MemoryStore(), DedupeStore)
    assert isinstance(AsyncDeduplicator().store, MemoryStore)
    assert AsyncDeduplicator().lease == DEFAULT_LEASE


def test_the_prefix_keeps_applications_apart_in_one_store(drivers: Callable[..., Driver]) -> None:
    store = MemoryStore()
    live, staging = drivers(store), drivers(store, prefix="staging:")
    event = example_event("mxtelecom-sms-report.http")
    assert staging.dedupe.key(event) == "staging:" + event.dedupe_key
    assert live.store_once(event)
    assert staging.store_once(event)
    assert not staging.store_once(event)


class SyncStore:
    """Has the sync store methods and nothing behind them."""

    def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:
        return ClaimState.WON

    def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        return True

    def release(self, key: str, token: str) -> None:
        pass

    def close(self) -> None:
        pass


class AsyncStore:
    """Has the async store methods and nothing behind them."""

    async def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:
        return ClaimState.WON

    async def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        return True

    async def release(self, key: str, token: str) -> None:
        pass

    async def close(self) -> None:
        pass


class OldStore:
    """The 0.1 protocol: claim(key, ttl_seconds) and release(key), no finish()."""

    def claim(self, key: str, ttl_seconds: float) -> bool:
        return True

    def release(self, key: str) -> None:
        pass

    def close(self) -> None:
        pass


SYNC_MESSAGE = "store must have claim(), finish(), release() and close(), got "
ASYNC_MESSAGE = "store must have async claim(), finish(), release() and close(), or be a MemoryStore, got "


@pytest.mark.parametrize(
    ("make", "options", "error", "message"),
    [
        (Deduplicator, {"ttl": 0}, ValueError, "ttl must be positive and finite, got 0"),
        (Deduplicator, {"ttl": -5}, ValueError, "ttl must be positive and finite, got -5"),
        (Deduplicator, {"ttl": float("inf")}, ValueError, "ttl must be positive and finite, got inf"),
        (Deduplicator, {"ttl": timedelta(0)}, ValueError, "ttl must be positive and finite, got datetime.timedelta(0)"),
        (Deduplicator, {"ttl": True}, TypeError, "ttl must be a number of seconds or a timedelta, got bool"),
        (Deduplicator, {"ttl": "7d"}, TypeError, "ttl must be a number of seconds or a timedelta, got str"),
        (Deduplicator, {"lease": 0}, ValueError, "lease must be positive and finite, got 0"),
        (AsyncDeduplicator, {"lease": "1m"}, TypeError, "lease must be a number of seconds or a timedelta, got str"),
        (Deduplicator, {"ttl": 30, "lease": 60}, ValueError, "lease (60) must not be longer than ttl (30)"),
        (AsyncDeduplicator, {"ttl": 30, "lease": 60}, ValueError, "lease (60) must not be longer than ttl (30)"),
        (Deduplicator, {"prefix": b"x"}, TypeError, "prefix must be a str, got bytes"),
        (Deduplicator, {"store": object()}, TypeError, SYNC_MESSAGE + "object"),
        (Deduplicator, {"store": OldStore()}, TypeError, SYNC_MESSAGE + "OldStore"),
        (
            Deduplicator,
            {"store": AsyncStore()},
            TypeError,
            SYNC_MESSAGE + "AsyncStore: an async store goes with AsyncDeduplicator",
        ),
        (AsyncDeduplicator, {"store": object()}, TypeError, ASYNC_MESSAGE + "object"),
        (
            AsyncDeduplicator,
            {"store": SyncStore()},
            TypeError,
            ASYNC_MESSAGE + "SyncStore: a blocking store would stall the event loop; use its async kind",
        ),
    ],
)
def test_bad_options(
    make: Callable[..., object], options: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        make(**options)
    assert str(caught.value) == message


def test_the_store_protocols() -> None:
    assert isinstance(SyncStore(), DedupeStore)
    assert isinstance(AsyncStore(), AsyncDedupeStore)
    lease = Deduplicator(SyncStore(), prefix="p:").claim("k")
    assert lease is not None
    assert lease.key == "p:k"


def test_bad_keys_and_leases(drivers: Callable[..., Driver]) -> None:
    driver = drivers()
    with pytest.raises(ValueError, match="^the dedupe key is empty$"):
        driver.claim("")
    with pytest.raises(TypeError) as caught:
        driver.claim(b"key")  # type: ignore[arg-type]
    assert str(caught.value) == "expected an mmsdr event or a str key, got bytes"
    for method in (driver.dedupe.finish, driver.dedupe.release):
        with pytest.raises(TypeError) as caught:
            driver.run(method("k"))  # type: ignore[arg-type]
        assert str(caught.value) == "expected the Lease that claim() returned, got str"
    with pytest.raises(ValueError, match="max_keys must be a positive int"):
        MemoryStore(max_keys=0)


class StateStore(SyncStore):
    """Answers every claim with what the test says."""

    def __init__(self, state: object) -> None:
        self.state = state

    def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:
        return self.state  # type: ignore[return-value]


def test_a_store_answering_something_else_than_a_claim_state() -> None:
    with pytest.raises(TypeError) as caught:
        Deduplicator(StateStore(True)).claim("k")
    assert str(caught.value) == "dedupe store: claim() must return a ClaimState, got bool"


# --- MemoryStore -------------------------------------------------------------------------------------------------


def test_memory_leases_expire_on_the_clock() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    assert store.claim("a", "t1", 10) is ClaimState.WON
    assert store.claim("a", "t1", 10) is ClaimState.WON  # the same claim sent again
    clock.now += 9.999
    assert store.claim("a", "t2", 10) is ClaimState.HELD
    assert len(store) == 1
    clock.now += 0.001
    assert len(store) == 0
    assert store.claim("a", "t2", 10) is ClaimState.WON
    assert store.finish("a", "t2", 100) is True
    assert store.claim("a", "t3", 10) is ClaimState.FINISHED
    assert store.finish("a", "t3", 100) is False  # final already, by another claim


def test_memory_store_is_bounded_and_evicts_the_oldest_key() -> None:
    store = MemoryStore(max_keys=3, clock=FakeClock())
    for key in "abcd":
        assert store.claim(key, "t", 60) is ClaimState.WON
        assert store.finish(key, "t", 600)
    assert len(store) == 3
    assert store.evicted == 1
    # "a" was evicted: a very old duplicate now gets through. The others are still final.
    assert store.claim("a", "u", 60) is ClaimState.WON
    assert [store.claim(key, "u", 60) for key in "cd"] == [ClaimState.FINISHED, ClaimState.FINISHED]
    assert store.evicted == 2  # "b" made room for "a"


def test_memory_store_drops_expired_keys_before_live_ones() -> None:
    clock = FakeClock()
    store = MemoryStore(max_keys=3, clock=clock)
    store.claim("a", "t", 10)
    clock.now += 5
    store.claim("b", "t", 10)
    store.claim("c", "t", 10)
    clock.now += 5  # "a" has expired
    assert store.claim("d", "t", 10) is ClaimState.WON
    assert store.evicted == 0
    assert [store.claim(key, "u", 10) for key in "bcd"] == [ClaimState.HELD] * 3


def test_memory_store_never_grows_past_max_keys() -> None:
    store = MemoryStore(max_keys=100)
    for n in range(5_000):
        store.claim(f"key-{n}", "t", 60)
        store.finish(f"key-{n}", "t", 3600)
        assert len(store._entries) <= 100
    assert len(store) == 100
    assert store.evicted == 4_900


def test_memory_store_reclaims_an_expired_lease_behind_a_final_key() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    store.claim("lease", "t", 60)
    store.claim("final", "t", 60)
    store.finish("final", "t", 3600)  # written last: behind the lease
    clock.now += 61
    assert len(store) == 1  # the expired lease went; the final key stays
    store.claim("abandoned", "t", 60)
    store.claim("final2", "t", 60)
    store.finish("final2", "t", 3600)
    clock.now += 61
    assert len(store) == 3  # "abandoned" expired behind "final": counted until that one goes, but free:
    assert store.claim("abandoned", "u", 60) is ClaimState.WON


def test_memory_store_cost_per_key() -> None:
    keys = [mmsdr.mxtelecom.sms_report.NAME + f":{n:032x}" for n in range(20_000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = MemoryStore()
        for key in keys:
            store.claim(key, "t", 60)
            store.finish(key, "t", 3600)
        per_key = (tracemalloc.get_traced_memory()[0] - before) / len(keys)
    finally:
        tracemalloc.stop()
    key_bytes = sys.getsizeof(keys[0])
    # docs/dedupe.md: about 250 bytes per key with the key itself, some 25 MB at the default 100,000.
    assert per_key + key_bytes < 300


def test_memory_store_close_forgets_everything(drivers: Callable[..., Driver]) -> None:
    driver = drivers()
    driver.store_once("a")
    driver.run(driver.dedupe.close())
    assert driver.claim("a") is not None


def test_one_memory_store_serves_a_deduplicator_and_an_async_one() -> None:
    store = MemoryStore()
    sync, asynchronous = Driver("sync", store), Driver("async", store)
    try:
        assert asynchronous.dedupe.store is store
        lease = sync.claim("k")
        with pytest.raises(LeaseHeldError):
            asynchronous.claim("k")
        sync.finish(lease)
        assert asynchronous.claim("k") is None
        assert asynchronous.store_once("l")
        assert sync.claim("l") is None
    finally:
        sync.close()
        asynchronous.close()


def test_sixteen_threads_get_one_winner_per_key() -> None:
    dedupe = Deduplicator()
    assert race_threads(lambda: dedupe, threads=16, rounds=200) == [1] * 200


def test_repr() -> None:
    assert repr(Deduplicator(ttl=60, lease=30, prefix="p:")) == (
        "Deduplicator(MemoryStore(max_keys=100000), ttl=datetime.timedelta(seconds=60), "
        "lease=datetime.timedelta(seconds=30), prefix='p:')"
    )
    assert repr(AsyncDeduplicator()) == (
        "AsyncDeduplicator(MemoryStore(max_keys=100000), ttl=datetime.timedelta(days=7), "
        "lease=datetime.timedelta(seconds=60), prefix='')"
    )


# --- processing(): claim, persist, finish; release on failure ----------------------------------------------------


def test_processing_persists_once_and_acknowledges_every_time(drivers: Callable[..., Driver]) -> None:
    driver = drivers()
    persisted: list[mmsdr.Event] = []
    acks: list[mmsdr.Ack] = []
    for _ in range(3):  # the callback and two retries, each after the one before finished
        callback = example("mxtelecom-mms-delivery-report.http")
        for event in callback.events:

            def persist(first: bool, event: mmsdr.Event = event) -> None:
                if first:
                    persisted.append(event)

            driver.process(event, persist)
        acks.append(mmsdr.acknowledge(callback))
    assert len(persisted) == 1
    assert [ack.status for ack in acks] == [200, 200, 200]


def test_a_retry_during_processing_is_told_to_retry(drivers: Callable[..., Driver]) -> None:
    store = MemoryStore()
    driver = drivers(store)
    retry = Deduplicator(store)  # another worker, while the first delivery stores the event
    seen: list[str] = []

    def persist(first: bool) -> None:
        with pytest.raises(LeaseHeldError) as caught:
            retry.claim("k")
        seen.append(str(caught.value))

    driver.process("k", persist)
    assert seen == [held_message("k")]
    assert retry.claim("k") is None  # finished by processing(): now a duplicate


def process_and_fail(driver: Driver, key: str, failure: BaseException) -> None:
    """What a handler does when persisting fails: the failure leaves the processing() block."""

    def fail(first: bool) -> None:
        raise failure

    driver.process(key, fail)


@pytest.mark.parametrize("failure", [OSError("database down"), KeyboardInterrupt(), SystemExit(1)])
def test_processing_releases_when_the_block_fails(drivers: Callable[..., Driver], failure: BaseException) -> None:
    driver = drivers()
    with pytest.raises(type(failure)):
        process_and_fail(driver, "k", failure)
    # The provider's retry is processed, not dropped.
    firsts: list[bool] = []
    driver.process("k", firsts.append)
    assert firsts == [True]


def test_a_failing_duplicate_leaves_the_final_key_alone(drivers: Callable[..., Driver]) -> None:
    driver = drivers()
    driver.store_once("k")
    with pytest.raises(OSError, match="boom"):
        process_and_fail(driver, "k", OSError("boom"))
    assert driver.claim("k") is None


class BrokenStore:
    """A store whose backend is down for the operations named; it records the calls."""

    def __init__(self, *, claim_fails: bool = False, finish_fails: bool = False, release_fails: bool = False) -> None:
        self.claim_fails, self.finish_fails, self.release_fails = claim_fails, finish_fails, release_fails
        self.memory = MemoryStore()

    def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:
        if self.claim_fails:
            raise DedupeStoreError(f"claiming {key!r} failed: down", key=key)
        return self.memory.claim(key, token, lease_seconds)

    def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        if self.finish_fails:
            raise DedupeStoreError(f"finishing {key!r} failed: down", key=key)
        return self.memory.finish(key, token, ttl_seconds)

    def release(self, key: str, token: str) -> None:
        if self.release_fails:
            raise DedupeStoreError(f"releasing {key!r} failed: down", key=key)
        self.memory.release(key, token)

    def close(self) -> None:
        pass


class AsyncBrokenStore(BrokenStore):
    async def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:  # type: ignore[override]
        return super().claim(key, token, lease_seconds)

    async def finish(self, key: str, token: str, ttl_seconds: float) -> bool:  # type: ignore[override]
        return super().finish(key, token, ttl_seconds)

    async def release(self, key: str, token: str) -> None:  # type: ignore[override]
        super().release(key, token)

    async def close(self) -> None:  # type: ignore[override]
        pass


def broken(kind: str, **failing: bool) -> BrokenStore:
    return BrokenStore(**failing) if kind == "sync" else AsyncBrokenStore(**failing)


def test_a_failed_claim_raises_before_the_block(kind: str, drivers: Callable[..., Driver]) -> None:
    driver = drivers(broken(kind, claim_fails=True))
    with pytest.raises(DedupeStoreError) as caught:
        driver.process("k", lambda first: pytest.fail("the block must not run"))
    error = caught.value
    assert type(error) is DedupeStoreError
    assert (error.status_hint, error.key, error.ack.status) == (503, "k", 503)
    assert error.ack.body == b"the deduplication store is unavailable; retry later"


def test_a_held_lease_raises_before_the_block(drivers: Callable[..., Driver]) -> None:
    driver = drivers()
    driver.claim("k")
    with pytest.raises(LeaseHeldError) as caught:
        driver.process("k", lambda first: pytest.fail("the block must not run"))
    assert str(caught.value) == held_message("k")


def test_a_failed_release_adds_a_note_to_the_applications_exception(kind: str, drivers: Callable[..., Driver]) -> None:
    driver = drivers(broken(kind, release_fails=True))
    with pytest.raises(OSError, match="database down") as caught:
        process_and_fail(driver, "k", OSError("database down"))
    assert caught.value.__notes__ == [
        (
            "mmsdr.dedupe: the lease on 'k' could not be released (releasing 'k' failed: down); the provider's "
            "retries of this event get the retry answer until it expires"
        )
    ]


def test_a_failed_finish_is_logged_not_raised(
    kind: str, drivers: Callable[..., Driver], caplog: pytest.LogCaptureFixture
) -> None:
    # The event is stored: the callback is to be acknowledged, or the provider's retry would store it again.
    store = broken(kind, finish_fails=True)
    driver = drivers(store)
    stored: list[bool] = []
    with caplog.at_level(logging.WARNING, logger="mmsdr.dedupe"):
        driver.process("k", stored.append)
    assert stored == [True]
    assert [(record.name, record.levelname, record.getMessage()) for record in caplog.records] == [
        (
            "mmsdr.dedupe",
            "WARNING",
            "'k' is stored but could not be made final (finishing 'k' failed: down); a late retry may store it again",
        )
    ]
    with pytest.raises(LeaseHeldError):  # the lease stays until it expires
        driver.claim("k")


def test_a_finish_after_a_takeover_is_logged(drivers: Callable[..., Driver], caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    driver = drivers(store)
    retry = Deduplicator(store)  # another worker
    taken: list[Lease | None] = []

    def slow_persist(first: bool) -> None:
        clock.now += DEFAULT_LEASE.total_seconds()  # slower than the lease: a retry takes the key over
        taken.append(retry.claim("k"))

    with caplog.at_level(logging.WARNING, logger="mmsdr.dedupe"):
        driver.process("k", slow_persist)
    assert [record.getMessage() for record in caplog.records] == [
        "'k' is stored but another delivery took its lease over; it may be stored twice"
    ]
    with pytest.raises(LeaseHeldError):  # the new holder's lease is left alone
        driver.claim("k")
    [lease] = taken
    assert lease is not None
    assert retry.finish(lease) is True


def test_importing_dedupe_does_not_import_redis() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"  # as if redis were not installed
        "import mmsdr\n"
        "assert 'mmsdr.dedupe' not in sys.modules\n"
        "import mmsdr.dedupe as d\n"
        "assert d.Deduplicator().claim('k')\n"
        "for store in (d.RedisStore, d.AsyncRedisStore):\n"
        "    try:\n"
        "        store.from_url('redis://127.0.0.1:6379/0')\n"
        "    except ImportError as error:\n"
        "        print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.splitlines() == ["RedisStore needs the redis package: pip install 'mmsdr[redis]'"] * 2


# --- the adapters: when the store cannot say, the provider's own retry answer ------------------------------------

ADAPTER_REQUESTS = [
    "mm7-sinch-deliver",
    "mm7-sinch-delivery-report",
    "mxtelecom-sms-report",
    "mxtelecom-sms-inbound",
    "openmarket-mms-report",
    "openmarket-mms-inbound",
]
Reply = tuple[int, list[tuple[str, str]], bytes]


def wsgi_reply(name: str, dedupe: Deduplicator, stored: list[mmsdr.Event]) -> Reply:
    from test_adapters import environ_of

    def on_callback(callback: mmsdr.Callback) -> None:
        for event in callback.events:
            with dedupe.processing(event) as first:
                if first:
                    stored.append(event)

    started: list[tuple[str, list[tuple[str, str]]]] = []
    raw = (ROOT / "examples" / "requests" / f"{name}.http").read_bytes()
    body = mmsdr.wsgi.handle(
        environ_of(raw), lambda status, headers: started.append((status, headers)), mmsdr.Parser(), on_callback
    )
    [(status, headers)] = started
    return int(status.split()[0]), headers, b"".join(body)


def asgi_reply(name: str, dedupe: AsyncDeduplicator, stored: list[mmsdr.Event]) -> Reply:
    from test_adapters import run_asgi_handle, scope_of

    async def on_callback(callback: mmsdr.Callback) -> None:
        for event in callback.events:
            async with dedupe.processing(event) as first:
                if first:
                    stored.append(event)

    raw = (ROOT / "examples" / "requests" / f"{name}.http").read_bytes()
    start, body = run_asgi_handle(scope_of(raw), [read_raw_request(raw).body], mmsdr.Parser(), on_callback)
    headers = [(name.decode(), value.decode()) for name, value in start["headers"]]
    return start["status"], headers, body["body"]


def adapter_reply(kind: str, name: str, store: Any, stored: list[mmsdr.Event]) -> Reply:
    """What mmsdr.wsgi.handle (sync) or mmsdr.asgi.handle with an AsyncDeduplicator (async) answers."""
    if kind == "sync":
        return wsgi_reply(name, Deduplicator(store), stored)
    return asgi_reply(name, AsyncDeduplicator(store), stored)


def as_reply(ack: mmsdr.Ack) -> Reply:
    return ack.status, list(ack.headers), ack.body


@pytest.mark.parametrize("name", ADAPTER_REQUESTS)
def test_the_adapters_answer_a_store_that_is_down_with_the_providers_retry(kind: str, name: str) -> None:
    callback = example(f"{name}.http")
    stored: list[mmsdr.Event] = []
    reply = adapter_reply(kind, name, broken(kind, claim_fails=True), stored)
    assert reply == as_reply(mmsdr.acknowledge(callback, retry=True))
    assert stored == []
    if callback.provider == "mm7":  # its own retry fault, never plain text
        assert reply[0] == 500
        assert reply[1][0] == ("Content-Type", "text/xml; charset=utf-8")
        assert b"<faultcode>soap-env:Server</faultcode>" in reply[2]
        assert b"<StatusCode>4006</StatusCode>" in reply[2]
    else:
        assert reply[:1] + reply[2:] == (503, b"not processed now; send this callback again later")


@pytest.mark.parametrize("name", ADAPTER_REQUESTS)
def test_the_adapters_answer_a_retry_during_the_first_delivery_with_the_providers_retry(kind: str, name: str) -> None:
    callback = example(f"{name}.http")
    store = MemoryStore()
    first = Deduplicator(store)  # the first delivery, on another worker, still storing the events
    leases = [first.claim(event) for event in callback.events]
    stored: list[mmsdr.Event] = []
    assert adapter_reply(kind, name, store, stored) == as_reply(mmsdr.acknowledge(callback, retry=True))
    assert stored == []
    for lease in leases:
        assert lease is not None
        first.finish(lease)
    # Once the first delivery finished, the retry is a duplicate: acknowledged, not stored again.
    assert adapter_reply(kind, name, store, stored) == as_reply(mmsdr.acknowledge(callback))
    assert stored == []


@pytest.mark.parametrize("name", ADAPTER_REQUESTS)
def test_the_adapters_store_a_callback_once(kind: str, name: str) -> None:
    callback = example(f"{name}.http")
    store = MemoryStore()
    stored: list[mmsdr.Event] = []
    for _ in range(2):
        assert adapter_reply(kind, name, store, stored) == as_reply(mmsdr.acknowledge(callback))
    assert stored == list(callback.events)


# --- dedupe_key across every format ----------------------------------------------------------------------------

# Providers whose formats must all have an example request and, for reports, a LATER_STATUS entry: all of them.
STRICT_PROVIDERS = ("mxtelecom", "mm7", "openmarket", "sinch", "twilio", "bandwidth", "telnyx", "vonage")


def _sub(pattern: str, replace: Callable[[re.Match[str]], str]) -> Callable[[RawHttpRequest], RawHttpRequest]:
    def mutate(raw: RawHttpRequest) -> RawHttpRequest:
        target, count = re.subn(pattern, replace, raw.target)
        assert count == 1, f"{pattern!r} not found in {raw.target!r}"
        return dataclasses.replace(raw, target=target)

    return mutate


def _sub_body(old: bytes, new: bytes) -> Callable[[RawHttpRequest], RawHttpRequest]:
    def mutate(raw: RawHttpRequest) -> RawHttpRequest:
        assert raw.body.count(old) == 1, f"{old!r} not found once in the body"
        body = raw.body.replace(old, new)
        headers = tuple(
            (name, str(len(body)) if name.lower() == "content-length" else value) for name, value in raw.headers
        )
        return dataclasses.replace(raw, body=body, headers=headers)

    return mutate


def _other_mms_status(match: re.Match[str]) -> str:
    return match[1] + ("1" if match[2] != "1" else "3")


# Per report format: the same request turned into a later report with another status for the same message.
# The report's own id is left as it was (the stricter case: a provider reusing it).
LATER_STATUS: dict[str, Callable[[RawHttpRequest], RawHttpRequest]] = {
    "mxtelecom.sms_report": _sub(
        r"(REPORT\+\d+\+)([A-Z]+)", lambda m: m[1] + ("FAILED" if m[2] != "FAILED" else "DELIVERED")
    ),
    "mxtelecom.mms_report": _sub(r"([?&]status=)(\d+)", _other_mms_status),
    "mm7.delivery_report": _sub_body(b"<MMStatus>Retrieved</MMStatus>", b"<MMStatus>Forwarded</MMStatus>"),
    "mm7.read_reply": _sub_body(b"<MMStatus>Read</MMStatus>", b"<MMStatus>Deleted</MMStatus>"),
    "openmarket.mms_report": _sub_body(b'"status":"Rejected"', b'"status":"Retrieved"'),
    "sinch.recipient_delivery_report": _sub_body(b'"status":"Delivered"', b'"status":"Failed"'),
    "sinch.delivery_report": _sub_body(b'"status": "Delivered"', b'"status": "Failed"'),
    "twilio.status": _sub_body(b"MessageStatus=delivered", b"MessageStatus=undelivered"),
    "bandwidth.report": _sub_body(b'"type": "message-delivered"', b'"type": "message-failed"'),
    "telnyx.report": _sub_body(b'"status": "delivered"', b'"status": "delivery_failed"'),
    "vonage.sms_receipt": _sub(r"([?&]status=)delivered", lambda m: m[1] + "failed"),
    "vonage.message_status": _sub_body(b'"status": "delivered"', b'"status": "rejected"'),
}


def as_retry(raw: RawHttpRequest) -> RawHttpRequest:
    """The same callback sent again: other headers, the query fields in another order, the same body."""
    headers = tuple((name, value) for name, value in raw.headers if name.lower() not in {"user-agent", "date"})
    headers += (("User-Agent", "retry/2"), ("Date", "Tue, 30 Apr 2002 22:28:00 GMT"), ("X-Attempt", "2"))
    path, _, query = raw.target.partition("?")
    if query:
        path += "?" + "&".join(reversed(query.split("&")))
    return dataclasses.replace(raw, target=path, headers=headers)


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_a_retry_of_every_example_request_gives_the_same_key(path: Path) -> None:
    raw = read_raw_request(path.read_bytes())
    callback, retry = parse(raw), parse(as_retry(raw))
    assert all(key.startswith(callback.format + ":") for key in keys(callback))
    assert keys(retry) == keys(callback)
    dedupe = Driver("sync")
    assert all(dedupe.store_once(event) for event in callback.events)
    assert not any(dedupe.store_once(event) for event in retry.events)


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_a_later_status_of_every_example_report_gets_another_key(path: Path) -> None:
    raw = read_raw_request(path.read_bytes())
    event = only_event(parse(raw))
    if not isinstance(event, mmsdr.Report):
        return  # not a report: there is no later status (every other callback differs in its own id)
    if event.format not in LATER_STATUS:
        message = f"{event.format}: add an entry to LATER_STATUS in tests/test_dedupe.py (how a later report looks)"
        if event.provider in STRICT_PROVIDERS:
            pytest.fail(message)
        pytest.skip(message)
    later = only_event(parse(LATER_STATUS[event.format](raw)))
    assert isinstance(later, mmsdr.Report)
    assert (later.format, later.message_id, type(later)) == (event.format, event.message_id, type(event))
    assert later.provider_status != event.provider_status
    assert later.dedupe_key != event.dedupe_key
    dedupe = Driver("sync")
    assert dedupe.store_once(event)
    assert dedupe.store_once(later)


def test_every_format_has_an_example_request() -> None:
    formats = {parse(read_raw_request(path.read_bytes())).format for path in EXAMPLES}
    missing = [name for name, fmt in mmsdr.FORMATS.items() if fmt.provider in STRICT_PROVIDERS and name not in formats]
    assert not missing, f"add an example request to examples/requests/ for: {', '.join(missing)}"


def test_example_requests_all_have_their_own_key() -> None:
    every_key = [key for path in EXAMPLES for key in keys(parse(read_raw_request(path.read_bytes())))]
    assert len(set(every_key)) == len(every_key)


def _corpus() -> list[tuple[str, mmsdr.Event]]:
    events = [(path.name, event) for path in EXAMPLES for event in parse(read_raw_request(path.read_bytes())).events]
    for provider in STRICT_PROVIDERS:
        for path in sorted((ROOT / "tests" / "data" / provider).glob("*.query")):
            query = path.read_text(encoding="ascii").splitlines()[-1]
            events += [(f"{provider}/{path.name}", event) for event in mmsdr.parse_request({}, b"", query).events]
    return events


# The details that carry the report's own id (MX Telecom's).
REPORT_ID_DETAILS = (SmsReportDetails, MmsReportDetails)


def test_reports_sharing_a_key_are_the_same_report() -> None:
    # Across every example and fixture: equal keys only ever come from the same report sent again (the
    # example and the fixture of one vendor sample), never from two statuses of one message.
    seen: dict[str, tuple[str, tuple[object, ...]]] = {}
    reports = 0
    for name, event in _corpus():
        if not isinstance(event, mmsdr.Report):
            continue
        reports += 1
        identity = (
            event.format,
            type(event),
            event.message_id,
            event.provider_status,
            event.recipient,
            event.provider_code,
            event.details.report_id if isinstance(event.details, REPORT_ID_DETAILS) else None,
        )
        if event.dedupe_key in seen:
            other, other_identity = seen[event.dedupe_key]
            assert identity == other_identity, f"{name} and {other} share a key but are different reports"
        seen[event.dedupe_key] = (name, identity)
    assert reports >= 10


def test_a_callback_is_not_a_key_its_events_are() -> None:
    callback = mmsdr.testing.mxtelecom_sms_report().parse()
    deduplicator = Deduplicator(MemoryStore())
    with pytest.raises(TypeError) as caught:
        deduplicator.key(callback)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "expected an mmsdr event or a str key, got a Callback: claim each of its events (callback.events)"
    )

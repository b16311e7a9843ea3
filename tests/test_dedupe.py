"""mmsdr.dedupe without a server: the Deduplicator, MemoryStore, processing(); and dedupe_key across formats."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import threading
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _support import only_event

import mmsdr
import mmsdr.testing
from mmsdr.__main__ import RawHttpRequest, read_raw_request
from mmsdr.dedupe import (
    DEFAULT_MAX_KEYS,
    DEFAULT_TTL,
    DedupeStore,
    DedupeStoreError,
    Deduplicator,
    MemoryStore,
)
from mmsdr.mxtelecom import MmsReportDetails, SmsReportDetails

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "requests").glob("*.http"))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def race_threads(dedupe_for_thread: Callable[[], Deduplicator], *, threads: int, rounds: int) -> list[int]:
    """Each round, every thread claims the same new key at once (a barrier lets them go together); returns
    how many won, per round. Each thread claims through ``dedupe_for_thread()``, called once in the thread."""
    barrier = threading.Barrier(threads)
    wins = [0] * rounds
    lock = threading.Lock()

    def race() -> None:
        dedupe = dedupe_for_thread()
        for round_ in range(rounds):
            barrier.wait(timeout=10)
            if dedupe.claim(f"race-{round_}"):
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


# --- Deduplicator and MemoryStore ------------------------------------------------------------------------------


def test_claim_is_true_once_then_false_until_released() -> None:
    dedupe = Deduplicator()
    event = example_event("mxtelecom-sms-report.http")
    assert dedupe.claim(event) is True
    assert dedupe.claim(example_event("mxtelecom-sms-report.http")) is False  # the provider's retry
    assert dedupe.claim(event.dedupe_key) is False  # the key itself is the same claim
    dedupe.release(event)
    assert dedupe.claim(event) is True


def test_defaults() -> None:
    dedupe = Deduplicator()
    assert isinstance(dedupe.store, MemoryStore)
    assert dedupe.store.max_keys == DEFAULT_MAX_KEYS == 100_000
    assert dedupe.ttl == DEFAULT_TTL == timedelta(days=7)
    assert dedupe.prefix == ""
    assert isinstance(MemoryStore(), DedupeStore)


def test_the_prefix_keeps_applications_apart_in_one_store() -> None:
    store = MemoryStore()
    live, staging = Deduplicator(store), Deduplicator(store, prefix="staging:")
    event = example_event("mxtelecom-sms-report.http")
    assert staging.key(event) == "staging:" + event.dedupe_key
    assert live.claim(event)
    assert staging.claim(event)
    assert not staging.claim(event)


@pytest.mark.parametrize("ttl", [60, 0.5, timedelta(hours=1)])
def test_ttl_in_seconds_or_timedelta(ttl: float | timedelta) -> None:
    clock = FakeClock()
    seconds = ttl.total_seconds() if isinstance(ttl, timedelta) else ttl
    dedupe = Deduplicator(MemoryStore(clock=clock), ttl=ttl)
    assert dedupe.ttl == timedelta(seconds=seconds)
    assert dedupe.claim("k")
    clock.now += seconds - 0.001
    assert not dedupe.claim("k")
    clock.now += 0.001
    assert dedupe.claim("k")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"ttl": 0}, ValueError, "ttl must be positive"),
        ({"ttl": -5}, ValueError, "ttl must be positive"),
        ({"ttl": float("inf")}, ValueError, "ttl must be positive and finite"),
        ({"ttl": timedelta(0)}, ValueError, "ttl must be positive"),
        ({"ttl": True}, TypeError, "ttl must be a number"),
        ({"ttl": "7d"}, TypeError, "ttl must be a number"),
        ({"prefix": b"x"}, TypeError, "prefix must be a str"),
        ({"store": object()}, TypeError, "store must have claim"),
    ],
)
def test_bad_options(options: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        Deduplicator(**options)  # type: ignore[arg-type]


def test_bad_keys() -> None:
    dedupe = Deduplicator()
    with pytest.raises(ValueError, match="empty"):
        dedupe.claim("")
    with pytest.raises(TypeError, match="expected an mmsdr event or a str key, got bytes"):
        dedupe.claim(b"key")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_keys must be a positive int"):
        MemoryStore(max_keys=0)


def test_memory_claims_expire_on_the_clock() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    assert store.claim("a", 10)
    clock.now += 9.999
    assert not store.claim("a", 10)
    assert len(store) == 1
    clock.now += 0.001
    assert len(store) == 0
    assert store.claim("a", 10)


def test_memory_store_is_bounded_and_evicts_the_oldest_claim() -> None:
    store = MemoryStore(max_keys=3, clock=FakeClock())
    for key in "abcd":
        assert store.claim(key, 60)
    assert len(store) == 3
    assert store.evicted == 1
    # "a" was evicted: a very old duplicate now gets through. The others are still held.
    assert store.claim("a", 60)
    assert [store.claim(key, 60) for key in "cd"] == [False, False]
    assert store.evicted == 2  # "b" made room for "a"


def test_memory_store_drops_expired_claims_before_live_ones() -> None:
    clock = FakeClock()
    store = MemoryStore(max_keys=3, clock=clock)
    store.claim("a", 10)
    clock.now += 5
    store.claim("b", 10)
    store.claim("c", 10)
    clock.now += 5  # "a" has expired
    assert store.claim("d", 10)
    assert store.evicted == 0
    assert [store.claim(key, 10) for key in "bcd"] == [False, False, False]


def test_memory_store_never_grows_past_max_keys() -> None:
    store = MemoryStore(max_keys=100)
    for n in range(5_000):
        store.claim(f"key-{n}", 3600)
        assert len(store._expiries) <= 100
    assert len(store) == 100
    assert store.evicted == 4_900


def test_memory_store_reclaims_a_short_claim_behind_a_long_one() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    store.claim("long", 100)
    store.claim("short", 1)
    clock.now += 2
    assert len(store) == 2  # "short" expired but waits behind "long"; it is not live, though:
    assert store.claim("short", 1)
    assert not store.claim("long", 100)


def test_memory_store_cost_per_claim() -> None:
    keys = [mmsdr.mxtelecom.sms_report.NAME + f":{n:032x}" for n in range(20_000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = MemoryStore()
        for key in keys:
            store.claim(key, 3600)
        per_claim = (tracemalloc.get_traced_memory()[0] - before) / len(keys)
    finally:
        tracemalloc.stop()
    key_bytes = sys.getsizeof(keys[0])
    # docs/dedupe.md: about 200 bytes per claim with its key, some 20 MB at the default 100,000.
    assert per_claim + key_bytes < 250


def test_memory_store_close_forgets_everything() -> None:
    dedupe = Deduplicator()
    dedupe.claim("a")
    dedupe.close()
    assert dedupe.claim("a")


def test_sixteen_threads_get_one_winner_per_key() -> None:
    dedupe = Deduplicator()
    assert race_threads(lambda: dedupe, threads=16, rounds=200) == [1] * 200


def test_repr() -> None:
    assert repr(Deduplicator(ttl=60, prefix="p:")) == (
        "Deduplicator(MemoryStore(max_keys=100000), ttl=datetime.timedelta(seconds=60), prefix='p:')"
    )


# --- processing(): claim, persist, acknowledge; release on failure -----------------------------------------------


def test_processing_persists_once_and_acknowledges_every_time() -> None:
    dedupe = Deduplicator()
    persisted: list[mmsdr.Event] = []
    acks: list[mmsdr.Ack] = []
    for _ in range(3):  # the callback and two retries
        callback = example("mxtelecom-mms-delivery-report.http")
        for event in callback.events:
            with dedupe.processing(event) as first:
                if first:
                    persisted.append(event)
        acks.append(mmsdr.acknowledge(callback))
    assert len(persisted) == 1
    assert [ack.status for ack in acks] == [200, 200, 200]


def process_and_fail(dedupe: Deduplicator, key: str, failure: BaseException) -> bool:
    """What a handler does when persisting fails: the failure leaves the processing() block."""
    with dedupe.processing(key) as first:
        raise failure
    return first  # pragma: no cover


@pytest.mark.parametrize("failure", [OSError("database down"), KeyboardInterrupt(), SystemExit(1)])
def test_processing_releases_when_the_block_fails(failure: BaseException) -> None:
    dedupe = Deduplicator()
    with pytest.raises(type(failure)):
        process_and_fail(dedupe, "k", failure)
    # The provider's retry is processed, not dropped.
    with dedupe.processing("k") as first:
        assert first


def test_a_failing_duplicate_does_not_release_the_winners_claim() -> None:
    dedupe = Deduplicator()
    assert dedupe.claim("k")
    with pytest.raises(OSError, match="boom"):
        process_and_fail(dedupe, "k", OSError("boom"))
    assert not dedupe.claim("k")


class BrokenStore:
    """A store whose backend is down for the operations named."""

    def __init__(self, *, claim_fails: bool = False, release_fails: bool = False) -> None:
        self.claim_fails, self.release_fails = claim_fails, release_fails

    def claim(self, key: str, ttl_seconds: float) -> bool:
        if self.claim_fails:
            msg = f"claiming {key!r} failed: down"
            raise DedupeStoreError(msg, key=key)
        return True

    def release(self, key: str) -> None:
        if self.release_fails:
            msg = f"releasing {key!r} failed: down"
            raise DedupeStoreError(msg, key=key)

    def close(self) -> None:
        pass


def test_a_failed_claim_raises_before_the_block() -> None:
    dedupe = Deduplicator(BrokenStore(claim_fails=True))
    with pytest.raises(DedupeStoreError) as caught, dedupe.processing("k"):
        pytest.fail("the block must not run")
    error = caught.value
    assert isinstance(error, mmsdr.MmsdrError)
    assert (error.status_hint, error.key, error.ack.status) == (503, "k", 503)
    assert error.ack.body == b"the deduplication store is unavailable; retry later"


def test_a_failed_release_adds_a_note_to_the_applications_exception() -> None:
    dedupe = Deduplicator(BrokenStore(release_fails=True))
    with pytest.raises(OSError, match="database down") as caught:
        process_and_fail(dedupe, "k", OSError("database down"))
    assert caught.value.__notes__ == [
        (
            "mmsdr.dedupe: the claim on 'k' could not be released (releasing 'k' failed: down); until it expires, "
            "the provider's retries of this event will be taken for duplicates"
        )
    ]


def test_importing_dedupe_does_not_import_redis() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"  # as if redis were not installed
        "import mmsdr\n"
        "assert 'mmsdr.dedupe' not in sys.modules\n"
        "import mmsdr.dedupe as d\n"
        "assert d.Deduplicator().claim('k')\n"
        "try:\n"
        "    d.RedisStore.from_url('redis://127.0.0.1:6379/0')\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "RedisStore needs the redis package: pip install 'mmsdr[redis]'"


# --- dedupe_key across every format ----------------------------------------------------------------------------

# Providers whose formats must all have an example request and, for reports, a LATER_STATUS entry: all of them.
STRICT_PROVIDERS = ("mxtelecom", "mm7", "openmarket")


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
    dedupe = Deduplicator()
    assert all(dedupe.claim(event) for event in callback.events)
    assert not any(dedupe.claim(event) for event in retry.events)


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
    dedupe = Deduplicator()
    assert dedupe.claim(event)
    assert dedupe.claim(later)


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

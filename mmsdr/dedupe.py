"""Deduplication of provider retries with leases: in memory, or across machines in Redis, sync or async.

Every provider retries a callback it thinks failed, so the same events can arrive twice, on two workers at once.
A [`Deduplicator`][mmsdr.dedupe.Deduplicator] (or, in an ASGI app, an
[`AsyncDeduplicator`][mmsdr.dedupe.AsyncDeduplicator]) claims each event's ``dedupe_key`` in a shared store. The
first claim wins a short **lease** ([`DEFAULT_LEASE`][mmsdr.dedupe.DEFAULT_LEASE], 60 s) while the application
stores the event; only when it says the event is stored (``finish``) does the key become **final**, for the TTL
([`DEFAULT_TTL`][mmsdr.dedupe.DEFAULT_TTL], 7 days). A retry is a duplicate only when the key is final; a retry
that finds a lease not yet final gets [`LeaseHeldError`][mmsdr.dedupe.LeaseHeldError], to be answered with the
provider's own "send it again" (``mmsdr.acknowledge(callback, retry=True)``); a lease that expired (its holder
crashed, or a claim ran late in a paused Redis) lets the next retry through.

[`Deduplicator.processing`][mmsdr.dedupe.Deduplicator.processing] does it all: claim, finish when the block
succeeds, release when it raises. See ``docs/dedupe.md``.

Unlike the parsers this module does I/O when its store does ([`RedisStore`][mmsdr.dedupe.RedisStore],
[`AsyncRedisStore`][mmsdr.dedupe.AsyncRedisStore]); [`MemoryStore`][mmsdr.dedupe.MemoryStore], which serves both
kinds of deduplicator, does none. ``redis`` is imported only when a Redis store is made.
"""

from __future__ import annotations

import enum
import inspect
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ._errors import MmsdrError
from ._events import Ack, Callback, Event
from ._public import public_dir

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from redis import Redis
    from redis.asyncio import Redis as AsyncRedis

__all__ = (
    "DEFAULT_LEASE",
    "DEFAULT_MAX_KEYS",
    "DEFAULT_TTL",
    "AsyncDedupeStore",
    "AsyncDeduplicator",
    "AsyncRedisStore",
    "ClaimState",
    "DedupeStore",
    "DedupeStoreError",
    "Deduplicator",
    "Lease",
    "LeaseHeldError",
    "MemoryStore",
    "RedisStore",
)

#: How long a finished event's key stays final. It must outlast every provider's retry window: MX Telecom
#: retries up to 10 times with doubling delays (30 s, 60 s, 120 s, ...: under 9 hours in all), Sinch MM7
#: 5 times, 5 minutes apart, OpenMarket until it gets its 200 (v4 inbound SMS for up to 3 days). Seven days
#: is more than twice the longest of them, with room for a weekend-long outage of your own endpoint.
DEFAULT_TTL = timedelta(days=7)

#: How long a claim holds its key before the event is stored. No provider waits longer than 60 s for its answer
#: (MX Telecom and OpenMarket abandon a request after 60 s and retry it), so a delivery still at work after a
#: minute has been given up on and its lease may go; and a lease nobody finishes (a crash, or a claim that ran
#: late in a paused Redis after its client gave up) holds back the provider's retries for a minute at most.
DEFAULT_LEASE = timedelta(seconds=60)

#: [`MemoryStore`][mmsdr.dedupe.MemoryStore] holds at most this many keys unless told otherwise.
DEFAULT_MAX_KEYS = 100_000

# What a rejected request is answered when no callback is at hand: no host names or addresses in it, since the
# body goes to the provider; the details are in the error's message, for your logs.
_UNAVAILABLE_TEXT = "the deduplication store is unavailable; retry later"
_HELD_TEXT = "this event is being processed by another delivery; retry later"

_log = logging.getLogger("mmsdr.dedupe")


class DedupeStoreError(MmsdrError):
    """The deduplication store cannot say now whether the event is a duplicate (503): it is not an input error.

    Raised when the store could not be reached or failed, and (as [`LeaseHeldError`][mmsdr.dedupe.LeaseHeldError])
    when another delivery of the event holds its lease. Answer the callback with ``mmsdr.acknowledge(callback,
    retry=True)``, the provider's own "send it again" (``mmsdr.wsgi.handle`` and ``mmsdr.asgi.handle`` do), and
    the provider retries later. ``ack`` is a plain-text 503, for a store used without a callback at hand. ``key``
    is the store key of the failed operation; the store's own exception, if any, is ``__cause__``.
    """

    default_status_hint = 503
    _ack_text = _UNAVAILABLE_TEXT

    def __init__(self, message: str, /, *, key: str | None = None, status_hint: int | None = None) -> None:
        super().__init__(message, status_hint=status_hint)
        self.key = key
        self.ack = Ack.plain_text(self.status_hint, self._ack_text)


class LeaseHeldError(DedupeStoreError):
    """Another delivery of this event holds its lease and has not finished: not a duplicate yet.

    That delivery may still store the event, or fail and release it, or die and let its lease expire; answer
    ``mmsdr.acknowledge(callback, retry=True)`` and the provider's retry finds out. A subclass of
    [`DedupeStoreError`][mmsdr.dedupe.DedupeStoreError], so that code answering that one answers this one too.
    """

    _ack_text = _HELD_TEXT


class ClaimState(enum.Enum):
    """What a store says of a claim."""

    WON = "won"
    """The key was free (or its lease had expired), or already held by this very claim: the lease is ours."""
    HELD = "held"
    """Another claim holds a lease on the key that is not final: whether it is a duplicate is not known yet."""
    FINISHED = "finished"
    """The key is final: the event was stored; a duplicate."""


@dataclass(frozen=True, slots=True)
class Lease:
    """A claim won: store the event, then ``finish`` it (or ``release`` it if storing failed)."""

    key: str
    """The store key (the deduplicator's prefix and the event's ``dedupe_key``)."""
    token: str
    """Names this claim: only it can finish or release the lease."""


@runtime_checkable
class DedupeStore(Protocol):
    """Where claims live, for a [`Deduplicator`][mmsdr.dedupe.Deduplicator]. ``docs/dedupe.md`` has a SQL one.

    Every method raises [`DedupeStoreError`][mmsdr.dedupe.DedupeStoreError] when the store cannot tell, never
    returns a guess.
    """

    def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:
        """Atomically take ``key`` under ``token`` for ``lease_seconds`` if it is free or its lease expired.

        [`WON`][mmsdr.dedupe.ClaimState.WON] also when the key already holds this very ``token`` (a claim sent
        again after its reply was lost)."""
        ...

    def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        """Make ``key`` final for ``ttl_seconds`` if ``token`` holds its lease or the key is free; True then (and
        when this token made it final already), False when another claim holds the key, which is left alone."""
        ...

    def release(self, key: str, token: str) -> None:
        """Free ``key`` if ``token`` holds its lease; nothing happens otherwise."""
        ...

    def close(self) -> None:
        """Free what the store holds (connections); it is not used afterwards."""
        ...


@runtime_checkable
class AsyncDedupeStore(Protocol):
    """[`DedupeStore`][mmsdr.dedupe.DedupeStore] with coroutine methods, for an
    [`AsyncDeduplicator`][mmsdr.dedupe.AsyncDeduplicator]: the same meaning, awaited."""

    async def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState: ...

    async def finish(self, key: str, token: str, ttl_seconds: float) -> bool: ...

    async def release(self, key: str, token: str) -> None: ...

    async def close(self) -> None: ...


_STORE_METHODS = ("claim", "finish", "release", "close")


def _is_async_store(store: object) -> bool:
    return all(inspect.iscoroutinefunction(getattr(store, name, None)) for name in _STORE_METHODS)


def _is_sync_store(store: object) -> bool:
    return all(
        callable(method) and not inspect.iscoroutinefunction(method)
        for method in (getattr(store, name, None) for name in _STORE_METHODS)
    )


def _seconds(name: str, value: float | timedelta) -> float:
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        msg = f"{name} must be a number of seconds or a timedelta, got {type(value).__name__}"
        raise TypeError(msg)
    if not (math.isfinite(seconds) and seconds > 0):
        msg = f"{name} must be positive and finite, got {value!r}"
        raise ValueError(msg)
    return float(seconds)


def _lease_or_none(state: ClaimState, key: str, token: str) -> Lease | None:
    """What a claim's state means to the application: a lease to finish, None for a duplicate, or an error."""
    if state is ClaimState.WON:
        return Lease(key, token)
    if state is ClaimState.FINISHED:
        return None
    if state is ClaimState.HELD:
        msg = f"dedupe store: {key!r} is leased by another delivery that has not finished"
        raise LeaseHeldError(msg, key=key)
    msg = f"dedupe store: claim() must return a ClaimState, got {type(state).__name__}"
    raise TypeError(msg)


def _check_lease(lease: object) -> Lease:
    if not isinstance(lease, Lease):
        msg = f"expected the Lease that claim() returned, got {type(lease).__name__}"
        raise TypeError(msg)
    return lease


def _note_failed_release(failure: BaseException, key: str, error: DedupeStoreError) -> None:
    failure.add_note(
        f"mmsdr.dedupe: the lease on {key!r} could not be released ({error}); the provider's retries of this "
        "event get the retry answer until it expires"
    )


def _log_unfinished(key: str, error: DedupeStoreError | None) -> None:
    # The event is stored either way, so the callback may be acknowledged: the worst that follows is a
    # duplicate (a retry after the lease expired), never a loss.
    if error is not None:
        _log.warning("%r is stored but could not be made final (%s); a late retry may store it again", key, error)
    else:
        _log.warning("%r is stored but another delivery took its lease over; it may be stored twice", key)


class _Settings:
    """What both deduplicators share: the TTL, the lease, the prefix and the key of an event."""

    __slots__ = ("_lease_seconds", "_prefix", "_ttl_seconds")

    def __init__(self, *, ttl: float | timedelta, lease: float | timedelta, prefix: str) -> None:
        if not isinstance(prefix, str):
            msg = f"prefix must be a str, got {type(prefix).__name__}"
            raise TypeError(msg)
        self._ttl_seconds = _seconds("ttl", ttl)
        self._lease_seconds = _seconds("lease", lease)
        if self._lease_seconds > self._ttl_seconds:
            msg = f"lease ({lease!r}) must not be longer than ttl ({ttl!r})"
            raise ValueError(msg)
        self._prefix = prefix

    @property
    def ttl(self) -> timedelta:
        """How long a finished event's key stays final."""
        return timedelta(seconds=self._ttl_seconds)

    @property
    def lease(self) -> timedelta:
        """How long a claim holds its key before it is finished."""
        return timedelta(seconds=self._lease_seconds)

    @property
    def prefix(self) -> str:
        return self._prefix

    def key(self, event_or_key: Event | str, /) -> str:
        """The key claimed in the store for an event (its ``dedupe_key``) or a key of your own, with the prefix."""
        if isinstance(event_or_key, Event):
            key = event_or_key.dedupe_key
        elif isinstance(event_or_key, str):
            key = event_or_key
        elif isinstance(event_or_key, Callback):
            msg = "expected an mmsdr event or a str key, got a Callback: claim each of its events (callback.events)"
            raise TypeError(msg)
        else:
            msg = f"expected an mmsdr event or a str key, got {type(event_or_key).__name__}"
            raise TypeError(msg)
        if not key:
            msg = "the dedupe key is empty"
            raise ValueError(msg)
        return self._prefix + key

    def _repr(self, store: object) -> str:
        return f"{type(self).__name__}({store!r}, ttl={self.ttl!r}, lease={self.lease!r}, prefix={self._prefix!r})"


class Deduplicator(_Settings):
    """Claims events (by their ``dedupe_key``) with leases, so that the provider's retries are stored once.

    Build one at start-up and share it between threads; with a shared store ([`RedisStore`][mmsdr.dedupe.RedisStore])
    every worker on every machine sees the same claims.

    Args:
        store: where claims live; a new [`MemoryStore`][mmsdr.dedupe.MemoryStore] (this process only) when None.
        ttl: how long a finished event's key stays final, in seconds or as a ``timedelta``; it must outlast the
            provider's retries ([`DEFAULT_TTL`][mmsdr.dedupe.DEFAULT_TTL], 7 days, does for every supported provider).
        lease: how long a claim holds the key while the event is being stored
            ([`DEFAULT_LEASE`][mmsdr.dedupe.DEFAULT_LEASE], 60 s); it must outlast storing one callback's events,
            and be no longer than ``ttl``.
        prefix: put before every key, to keep apart the claims of applications or environments that share one
            store (``"staging:"``).
    """

    __slots__ = ("_store",)

    def __init__(
        self,
        store: DedupeStore | None = None,
        *,
        ttl: float | timedelta = DEFAULT_TTL,
        lease: float | timedelta = DEFAULT_LEASE,
        prefix: str = "",
    ) -> None:
        if store is None:
            store = MemoryStore()
        elif not _is_sync_store(store):
            hint = ": an async store goes with AsyncDeduplicator" if _is_async_store(store) else ""
            msg = f"store must have claim(), finish(), release() and close(), got {type(store).__name__}{hint}"
            raise TypeError(msg)
        super().__init__(ttl=ttl, lease=lease, prefix=prefix)
        self._store = store

    @property
    def store(self) -> DedupeStore:
        return self._store

    def claim(self, event_or_key: Event | str, /) -> Lease | None:
        """Claim an event (or key): a [`Lease`][mmsdr.dedupe.Lease] when this delivery is to store it, None when
        it was stored already (a duplicate: acknowledge it).

        Raises:
            LeaseHeldError: another delivery holds its lease and has not finished: answer the retry answer.
            DedupeStoreError: the store cannot tell (503).
        """
        key = self.key(event_or_key)
        token = secrets.token_hex(16)
        return _lease_or_none(self._store.claim(key, token, self._lease_seconds), key, token)

    def finish(self, lease: Lease, /) -> bool:
        """Say the event is stored: its key becomes final for the TTL, and retries are duplicates.

        False when the lease had expired and another delivery took the key over (it stores the event too: make
        storing tolerate that rare duplicate, a unique index on ``dedupe_key``); that key is left alone.

        Raises:
            DedupeStoreError: the store cannot be reached; the lease stays until it expires.
        """
        lease = _check_lease(lease)
        return self._store.finish(lease.key, lease.token, self._ttl_seconds)

    def release(self, lease: Lease, /) -> None:
        """Give a lease up because storing failed: the provider's next retry is then processed.

        Raises:
            DedupeStoreError: the store cannot be reached; the lease stays until it expires.
        """
        lease = _check_lease(lease)
        self._store.release(lease.key, lease.token)

    @contextmanager
    def processing(self, event_or_key: Event | str, /) -> Iterator[bool]:
        """Claim, run the block, finish the lease when the block succeeds, release it when the block raises.

        ``first`` is True when this delivery is to store the event, False for a duplicate (the event was stored
        by an earlier delivery that finished); acknowledge the callback once the block has run for every event::

            for event in callback.events:
                with dedupe.processing(event) as first:
                    if first:
                        persist(event)
            ack = mmsdr.acknowledge(callback)

        Any exception out of the block (``KeyboardInterrupt`` and ``SystemExit`` included) releases the lease won
        here and goes on; if the release fails, the exception gets a note saying so. When finishing fails after
        the block succeeded, the event is stored all the same: a warning is logged to ``mmsdr.dedupe`` and
        nothing is raised, so that the callback is acknowledged (a later retry may store it again).

        Raises:
            LeaseHeldError: from the claim, before the block runs: another delivery holds the lease.
            DedupeStoreError: from the claim, before the block runs.
        """
        lease = self.claim(event_or_key)
        try:
            yield lease is not None
        except BaseException as failure:
            if lease is not None:
                try:
                    self._store.release(lease.key, lease.token)
                except DedupeStoreError as error:
                    _note_failed_release(failure, lease.key, error)
            raise
        if lease is not None:
            try:
                finished = self._store.finish(lease.key, lease.token, self._ttl_seconds)
            except DedupeStoreError as error:
                _log_unfinished(lease.key, error)
            else:
                if not finished:
                    _log_unfinished(lease.key, None)

    def close(self) -> None:
        """Close the store."""
        self._store.close()

    def __repr__(self) -> str:
        return self._repr(self._store)


class _MemoryAsAsync:
    """A [`MemoryStore`][mmsdr.dedupe.MemoryStore] seen through the async protocol: it never waits on I/O (its lock
    is held for one dictionary operation), so calling it from the event loop is fine."""

    __slots__ = ("store",)

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    async def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:
        return self.store.claim(key, token, lease_seconds)

    async def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        return self.store.finish(key, token, ttl_seconds)

    async def release(self, key: str, token: str) -> None:
        self.store.release(key, token)

    async def close(self) -> None:
        self.store.close()


class AsyncDeduplicator(_Settings):
    """[`Deduplicator`][mmsdr.dedupe.Deduplicator] for asyncio applications (ASGI): the same leases and answers,
    with coroutine methods and ``async with dedupe.processing(event) as first``.

    Args:
        store: an [`AsyncRedisStore`][mmsdr.dedupe.AsyncRedisStore], another
            [`AsyncDedupeStore`][mmsdr.dedupe.AsyncDedupeStore], or a [`MemoryStore`][mmsdr.dedupe.MemoryStore]
            (a new one when None; one MemoryStore may serve a Deduplicator and an AsyncDeduplicator at once).
        ttl: as for [`Deduplicator`][mmsdr.dedupe.Deduplicator].
        lease: as for [`Deduplicator`][mmsdr.dedupe.Deduplicator].
        prefix: as for [`Deduplicator`][mmsdr.dedupe.Deduplicator].
    """

    __slots__ = ("_async_store", "_store")

    def __init__(
        self,
        store: AsyncDedupeStore | MemoryStore | None = None,
        *,
        ttl: float | timedelta = DEFAULT_TTL,
        lease: float | timedelta = DEFAULT_LEASE,
        prefix: str = "",
    ) -> None:
        if store is None:
            store = MemoryStore()
        async_store: AsyncDedupeStore
        if isinstance(store, MemoryStore):
            async_store = _MemoryAsAsync(store)
        elif _is_async_store(store):
            async_store = store
        else:
            hint = ": a blocking store would stall the event loop; use its async kind" if _is_sync_store(store) else ""
            msg = (
                "store must have async claim(), finish(), release() and close(), or be a MemoryStore, "
                f"got {type(store).__name__}{hint}"
            )
            raise TypeError(msg)
        super().__init__(ttl=ttl, lease=lease, prefix=prefix)
        self._store = store
        self._async_store = async_store

    @property
    def store(self) -> AsyncDedupeStore | MemoryStore:
        return self._store

    async def claim(self, event_or_key: Event | str, /) -> Lease | None:
        """[`Deduplicator.claim`][mmsdr.dedupe.Deduplicator.claim], awaited."""
        key = self.key(event_or_key)
        token = secrets.token_hex(16)
        return _lease_or_none(await self._async_store.claim(key, token, self._lease_seconds), key, token)

    async def finish(self, lease: Lease, /) -> bool:
        """[`Deduplicator.finish`][mmsdr.dedupe.Deduplicator.finish], awaited."""
        lease = _check_lease(lease)
        return await self._async_store.finish(lease.key, lease.token, self._ttl_seconds)

    async def release(self, lease: Lease, /) -> None:
        """[`Deduplicator.release`][mmsdr.dedupe.Deduplicator.release], awaited."""
        lease = _check_lease(lease)
        await self._async_store.release(lease.key, lease.token)

    @asynccontextmanager
    async def processing(self, event_or_key: Event | str, /) -> AsyncIterator[bool]:
        """[`Deduplicator.processing`][mmsdr.dedupe.Deduplicator.processing] as ``async with``."""
        lease = await self.claim(event_or_key)
        try:
            yield lease is not None
        except BaseException as failure:
            if lease is not None:
                try:
                    await self._async_store.release(lease.key, lease.token)
                except DedupeStoreError as error:
                    _note_failed_release(failure, lease.key, error)
            raise
        if lease is not None:
            try:
                finished = await self._async_store.finish(lease.key, lease.token, self._ttl_seconds)
            except DedupeStoreError as error:
                _log_unfinished(lease.key, error)
            else:
                if not finished:
                    _log_unfinished(lease.key, None)

    async def close(self) -> None:
        """Close the store."""
        await self._async_store.close()

    def __repr__(self) -> str:
        return self._repr(self._store)


class MemoryStore:
    """Claims in this process's memory: thread-safe, expiring, bounded to ``max_keys`` keys; sync and async.

    For one process only: other processes and machines do not see these claims, and a restart forgets them (a
    retry after it is processed again). Both a [`Deduplicator`][mmsdr.dedupe.Deduplicator] and an
    [`AsyncDeduplicator`][mmsdr.dedupe.AsyncDeduplicator] take it: it never waits on I/O. When full, the keys
    written longest ago go first (expired ones among them), whose retries would then be processed again;
    [`evicted`][mmsdr.dedupe.MemoryStore.evicted] counts the live keys dropped that way.

    Args:
        max_keys: the most keys (leases and final ones) held at once.
        clock: seconds from a monotonic clock; tests pass a fake one.
    """

    __slots__ = ("_clock", "_entries", "_evicted", "_lock", "_max_keys")

    def __init__(self, *, max_keys: int = DEFAULT_MAX_KEYS, clock: Callable[[], float] = time.monotonic) -> None:
        if type(max_keys) is not int or max_keys < 1:
            msg = f"max_keys must be a positive int, got {max_keys!r}"
            raise ValueError(msg)
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (when it expires, the claim's token, whether it is final), in write order: the front is the oldest.
        self._entries: OrderedDict[str, tuple[float, str, bool]] = OrderedDict()
        self._evicted = 0

    @property
    def max_keys(self) -> int:
        return self._max_keys

    @property
    def evicted(self) -> int:
        """How many live keys were dropped because the store was full."""
        return self._evicted

    def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:
        with self._lock:
            now = self._clock()
            self._drop_expired(now)
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                if entry[2]:
                    return ClaimState.FINISHED
                return ClaimState.WON if entry[1] == token else ClaimState.HELD
            self._write(key, (now + lease_seconds, token, False))
            return ClaimState.WON

    def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        with self._lock:
            now = self._clock()
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                if entry[1] != token:
                    return False  # another claim's live lease, or final by another claim: left alone
                if entry[2]:
                    return True  # made final by this very claim already
            self._write(key, (now + ttl_seconds, token, True))
            return True

    def release(self, key: str, token: str) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[1] == token and not entry[2]:
                del self._entries[key]

    def close(self) -> None:
        """Forget every claim."""
        with self._lock:
            self._entries.clear()

    def _write(self, key: str, entry: tuple[float, str, bool]) -> None:
        self._entries.pop(key, None)  # written anew: to the back
        while len(self._entries) >= self._max_keys:
            self._entries.popitem(last=False)
            self._evicted += 1
        self._entries[key] = entry

    def __len__(self) -> int:
        """The number of keys held. Expired ones are dropped oldest first, so one that expired behind a
        longer-lived key still counts until that one goes (it can be claimed anew all the same)."""
        with self._lock:
            self._drop_expired(self._clock())
            return len(self._entries)

    def _drop_expired(self, now: float) -> None:
        # Stop at the first live key: each key is dropped once, so this costs O(1) per write on average.
        entries = self._entries
        while entries:
            key, (expiry, _, _) = next(iter(entries.items()))
            if expiry > now:
                return
            del entries[key]

    def __repr__(self) -> str:
        return f"MemoryStore(max_keys={self._max_keys})"


# The three scripts run atomically on the server. A lease's value is "lease:<token>", a final key's
# "done:<token>"; every script gives the same answer when redis-py sends it again after a lost reply.
#
# claim: KEYS[1] the key; ARGV[1] "lease:<token>"; ARGV[2] the lease in milliseconds.
_CLAIM_SCRIPT = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'won' end
local value = redis.call('GET', KEYS[1])
if value == ARGV[1] then return 'won' end
if string.sub(value, 1, 5) == 'done:' then return 'finished' end
return 'held'
"""
# finish: ARGV[1] "lease:<token>"; ARGV[2] "done:<token>"; ARGV[3] the TTL in milliseconds. A lease that
# expired and was taken over by another claim is not overwritten; one that expired and is gone is made final.
_FINISH_SCRIPT = """
local value = redis.call('GET', KEYS[1])
if value == ARGV[2] then return 1 end
if value == false or value == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    return 1
end
return 0
"""
# release: ARGV[1] "lease:<token>"; deletes the key only while this claim holds its lease.
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_MISSING_REDIS = "RedisStore needs the redis package: pip install 'mmsdr[redis]'"


def _redis_errors() -> tuple[type[Exception], ...]:
    try:
        from redis.exceptions import RedisError  # noqa: PLC0415 - redis is an optional extra
    except ImportError as error:
        raise ImportError(_MISSING_REDIS) from error
    return (RedisError,)


def _milliseconds(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def _claim_state(reply: object) -> ClaimState:
    text = reply.decode() if isinstance(reply, bytes) else str(reply)
    return ClaimState(text)


class _RedisBase:
    """What both Redis stores share: the prefix, the scripts' arguments, the errors."""

    __slots__ = ("_errors", "_owns_client", "_prefix")

    def __init__(self, prefix: str) -> None:
        self._errors = _redis_errors()
        self._prefix = prefix
        self._owns_client = False

    @property
    def prefix(self) -> str:
        return self._prefix

    def _failed(self, doing: str, name: str, error: Exception) -> DedupeStoreError:
        msg = f"dedupe store: {doing} {name!r} in Redis failed: {error}"
        return DedupeStoreError(msg, key=name)


def _client_options(socket_timeout: float, socket_connect_timeout: float, options: dict[str, Any]) -> dict[str, Any]:
    return {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_connect_timeout, **options}


class RedisStore(_RedisBase):
    """Claims in Redis, shared by every worker that uses the same server and prefix.

    A claim is a short script around ``SET <prefix><key> lease:<token> NX PX <lease>``: atomic on the server,
    so exactly one of any number of concurrent claimants wins. ``finish`` turns the value into ``done:<token>``
    with the TTL, and ``release`` deletes it, each only while the key holds this claim's own lease (a script
    that checks the token): a claimant whose lease expired and was taken over cannot overwrite or free the new
    holder's. A claim that runs late (sent to a Redis that was paused, after the client gave up) creates only
    a lease, which expires. Any failure of Redis (connection refused or lost, timeout, an error reply such as
    out of memory) raises [`DedupeStoreError`][mmsdr.dedupe.DedupeStoreError].

    Args:
        client: a ``redis.Redis`` client (``decode_responses`` either way);
            [`from_url`][mmsdr.dedupe.RedisStore.from_url] makes one.
        prefix: put before every key, so that the claims are easy to find and to keep apart from other data.
    """

    __slots__ = ("_client",)

    def __init__(self, client: Redis, *, prefix: str = "mmsdr:dedupe:") -> None:
        super().__init__(prefix)
        self._client = client

    @classmethod
    def from_url(
        cls,
        url: str,
        /,
        *,
        prefix: str = "mmsdr:dedupe:",
        socket_timeout: float = 1.0,
        socket_connect_timeout: float = 1.0,
        retries: int = 2,
        **client_options: Any,
    ) -> RedisStore:
        """A store with its own client for ``url`` (``redis://host:6379/0``, ``rediss://...``, ``unix://...``).

        The timeouts and retries are kept short because providers want their answer within 10 seconds: a
        Redis that does not answer fails in about ``(1 + retries) * socket_timeout`` seconds rather than
        hanging the request. Other keyword arguments go to ``redis.Redis.from_url``.
        [`close`][mmsdr.dedupe.RedisStore.close] closes this client.
        """
        _redis_errors()
        from redis import Redis  # noqa: PLC0415 - redis is an optional extra
        from redis.backoff import ExponentialBackoff  # noqa: PLC0415
        from redis.retry import Retry  # noqa: PLC0415

        client_options.setdefault("retry", Retry(ExponentialBackoff(cap=0.1, base=0.01), retries))
        client = Redis.from_url(url, **_client_options(socket_timeout, socket_connect_timeout, client_options))
        store = cls(client, prefix=prefix)
        store._owns_client = True
        return store

    @property
    def client(self) -> Redis:
        return self._client

    def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:
        name = self._prefix + key
        try:
            reply = self._client.eval(_CLAIM_SCRIPT, 1, name, f"lease:{token}", _milliseconds(lease_seconds))
        except self._errors as error:
            raise self._failed("claiming", name, error) from error
        return _claim_state(reply)

    def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        name = self._prefix + key
        try:
            reply = self._client.eval(
                _FINISH_SCRIPT, 1, name, f"lease:{token}", f"done:{token}", _milliseconds(ttl_seconds)
            )
        except self._errors as error:
            raise self._failed("finishing", name, error) from error
        return bool(reply == 1)

    def release(self, key: str, token: str) -> None:
        name = self._prefix + key
        try:
            self._client.eval(_RELEASE_SCRIPT, 1, name, f"lease:{token}")
        except self._errors as error:
            raise self._failed("releasing", name, error) from error

    def close(self) -> None:
        """Close the client if [`from_url`][mmsdr.dedupe.RedisStore.from_url] made it; a client you passed in is yours
        to close."""
        if self._owns_client:
            self._client.close()

    def __repr__(self) -> str:
        return f"RedisStore({self._client!r}, prefix={self._prefix!r})"


class AsyncRedisStore(_RedisBase):
    """[`RedisStore`][mmsdr.dedupe.RedisStore] on a ``redis.asyncio.Redis`` client, for an
    [`AsyncDeduplicator`][mmsdr.dedupe.AsyncDeduplicator]: the same scripts, keys and errors, awaited."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncRedis, *, prefix: str = "mmsdr:dedupe:") -> None:
        super().__init__(prefix)
        self._client = client

    @classmethod
    def from_url(
        cls,
        url: str,
        /,
        *,
        prefix: str = "mmsdr:dedupe:",
        socket_timeout: float = 1.0,
        socket_connect_timeout: float = 1.0,
        retries: int = 2,
        **client_options: Any,
    ) -> AsyncRedisStore:
        """[`RedisStore.from_url`][mmsdr.dedupe.RedisStore.from_url] with ``redis.asyncio.Redis.from_url``."""
        _redis_errors()
        from redis.asyncio import Redis as AsyncRedis  # noqa: PLC0415 - redis is an optional extra
        from redis.asyncio.retry import Retry  # noqa: PLC0415
        from redis.backoff import ExponentialBackoff  # noqa: PLC0415

        client_options.setdefault("retry", Retry(ExponentialBackoff(cap=0.1, base=0.01), retries))
        client = AsyncRedis.from_url(url, **_client_options(socket_timeout, socket_connect_timeout, client_options))
        store = cls(client, prefix=prefix)
        store._owns_client = True
        return store

    @property
    def client(self) -> AsyncRedis:
        return self._client

    async def claim(self, key: str, token: str, lease_seconds: float) -> ClaimState:
        name = self._prefix + key
        try:
            reply = await self._client.eval(_CLAIM_SCRIPT, 1, name, f"lease:{token}", _milliseconds(lease_seconds))
        except self._errors as error:
            raise self._failed("claiming", name, error) from error
        return _claim_state(reply)

    async def finish(self, key: str, token: str, ttl_seconds: float) -> bool:
        name = self._prefix + key
        try:
            reply = await self._client.eval(
                _FINISH_SCRIPT, 1, name, f"lease:{token}", f"done:{token}", _milliseconds(ttl_seconds)
            )
        except self._errors as error:
            raise self._failed("finishing", name, error) from error
        return bool(reply == 1)

    async def release(self, key: str, token: str) -> None:
        name = self._prefix + key
        try:
            await self._client.eval(_RELEASE_SCRIPT, 1, name, f"lease:{token}")
        except self._errors as error:
            raise self._failed("releasing", name, error) from error

    async def close(self) -> None:
        """Close the client if [`from_url`][mmsdr.dedupe.AsyncRedisStore.from_url] made it; a client you passed in
        is yours to close."""
        if self._owns_client:
            await self._client.aclose()

    def __repr__(self) -> str:
        return f"AsyncRedisStore({self._client!r}, prefix={self._prefix!r})"


__dir__ = public_dir(globals())

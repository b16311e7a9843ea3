"""Claim-once deduplication of provider retries: in memory, or across machines in Redis.

Every provider retries a callback it thinks failed, so the same events can arrive twice, on two workers at once.
[`Deduplicator`][mmsdr.dedupe.Deduplicator] claims each event's ``dedupe_key`` atomically in a
[`DedupeStore`][mmsdr.dedupe.DedupeStore]: the first claim wins, every later claim is told the key is held, and a
claim whose processing failed is released so that the next retry is processed. The documented order that loses
nothing is: for each event of the [`Callback`][mmsdr.Callback], claim and persist; then acknowledge the callback, once
all its events are stored; release on failure ([`Deduplicator.processing`][mmsdr.dedupe.Deduplicator.processing] does
it) and answer ``mmsdr.acknowledge(callback, retry=True)``. A held key is a duplicate only once the delivery that
claimed it has finished. See ``docs/dedupe.md``.

Unlike the parsers this module does I/O when its store does ([`RedisStore`][mmsdr.dedupe.RedisStore]);
[`MemoryStore`][mmsdr.dedupe.MemoryStore] and the [`Deduplicator`][mmsdr.dedupe.Deduplicator] itself do none.
``redis`` is imported only when a [`RedisStore`][mmsdr.dedupe.RedisStore] is made.
"""

from __future__ import annotations

import itertools
import math
import os
import secrets
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ._errors import MmsdrError
from ._events import Ack, Callback, Event

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from redis import Redis

__all__ = (
    "DEFAULT_MAX_KEYS",
    "DEFAULT_TTL",
    "DedupeStore",
    "DedupeStoreError",
    "Deduplicator",
    "MemoryStore",
    "RedisStore",
)

#: How long a claim lasts unless told otherwise. It must outlast every provider's retry window: MX Telecom
#: retries up to 10 times with doubling delays (30 s, 60 s, 120 s, ...: under 9 hours in all), Sinch MM7
#: 5 times, 5 minutes apart, OpenMarket until it gets its 200 (v4 inbound SMS for up to 3 days). Seven days
#: is more than twice the longest of them, with room for a weekend-long outage of your own endpoint.
DEFAULT_TTL = timedelta(days=7)

#: [`MemoryStore`][mmsdr.dedupe.MemoryStore] holds at most this many claims unless told otherwise.
DEFAULT_MAX_KEYS = 100_000

# What a rejected request is answered when the store is down: no host names or addresses in it, since the
# body goes to the provider; the details are in the error's message, for your logs.
_UNAVAILABLE_TEXT = "the deduplication store is unavailable; retry later"


class DedupeStoreError(MmsdrError):
    """The deduplication store could not be reached or failed (503): it is not an input error.

    Whether the event was a duplicate is unknown. Answer the callback with ``mmsdr.acknowledge(callback,
    retry=True)``, the provider's own "send it again" (``mmsdr.wsgi.handle`` and ``mmsdr.asgi.handle`` do), and
    the provider retries later; or process the event anyway and accept that it may be processed twice. ``ack``
    is a plain-text 503, for a store used without a callback at hand. ``key`` is the store key of the failed
    operation; the store's own exception is ``__cause__``.
    """

    default_status_hint = 503

    def __init__(self, message: str, /, *, key: str | None = None, status_hint: int | None = None) -> None:
        super().__init__(message, status_hint=status_hint)
        self.key = key
        self.ack = Ack.plain_text(self.status_hint, _UNAVAILABLE_TEXT)


@runtime_checkable
class DedupeStore(Protocol):
    """Where claims live. Write your own for another database (``docs/dedupe.md`` has a SQL one)."""

    def claim(self, key: str, ttl_seconds: float) -> bool:
        """Atomically take ``key`` for ``ttl_seconds``: True if it was free (or its claim had expired), False if
        it is held. Raise [`DedupeStoreError`][mmsdr.dedupe.DedupeStoreError] when the store cannot tell, never return a
        guess."""
        ...

    def release(self, key: str) -> None:
        """Give ``key`` up so that it can be claimed again; nothing happens when it is not held."""
        ...

    def close(self) -> None:
        """Free what the store holds (connections); it is not used afterwards."""
        ...


def _ttl_seconds(ttl: float | timedelta) -> float:
    seconds = ttl.total_seconds() if isinstance(ttl, timedelta) else ttl
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        msg = f"ttl must be a number of seconds or a timedelta, got {type(ttl).__name__}"
        raise TypeError(msg)
    if not (math.isfinite(seconds) and seconds > 0):
        msg = f"ttl must be positive and finite, got {ttl!r}"
        raise ValueError(msg)
    return float(seconds)


class Deduplicator:
    """Claims events (by their ``dedupe_key``) once, so that the provider's retries can be dropped.

    Build one at start-up and share it between threads; with a shared store ([`RedisStore`][mmsdr.dedupe.RedisStore])
    every worker on every machine sees the same claims.

    Args:
        store: where claims live; a new [`MemoryStore`][mmsdr.dedupe.MemoryStore] (this process only) when None.
        ttl: how long a claim lasts, in seconds or as a ``timedelta``; it must outlast the provider's retries
            ([`DEFAULT_TTL`][mmsdr.dedupe.DEFAULT_TTL], 7 days, does for every supported provider).
        prefix: put before every key, to keep apart the claims of applications or environments that share one
            store (``"staging:"``).
    """

    __slots__ = ("_prefix", "_store", "_ttl_seconds")

    def __init__(
        self, store: DedupeStore | None = None, *, ttl: float | timedelta = DEFAULT_TTL, prefix: str = ""
    ) -> None:
        if store is None:
            store = MemoryStore()
        elif not isinstance(store, DedupeStore):
            msg = f"store must have claim(), release() and close(), got {type(store).__name__}"
            raise TypeError(msg)
        if not isinstance(prefix, str):
            msg = f"prefix must be a str, got {type(prefix).__name__}"
            raise TypeError(msg)
        self._store = store
        self._ttl_seconds = _ttl_seconds(ttl)
        self._prefix = prefix

    @property
    def store(self) -> DedupeStore:
        return self._store

    @property
    def ttl(self) -> timedelta:
        """How long a claim lasts."""
        return timedelta(seconds=self._ttl_seconds)

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

    def claim(self, event_or_key: Event | str, /) -> bool:
        """True the first time an event (or key) is claimed, False while that claim lasts: a retry, whose first
        delivery may have finished or may still be at work.

        Raises:
            DedupeStoreError: the store cannot tell (503); whether it is a duplicate is unknown.
        """
        return self._store.claim(self.key(event_or_key), self._ttl_seconds)

    def release(self, event_or_key: Event | str, /) -> None:
        """Give up a claim you won, because processing failed: the provider's next retry is then processed.

        Raises:
            DedupeStoreError: the store cannot be reached; the claim stays until it expires.
        """
        self._store.release(self.key(event_or_key))

    @contextmanager
    def processing(self, event_or_key: Event | str, /) -> Iterator[bool]:
        """Claim, run the block, and release the claim if the block raises.

        ``first`` is what [`claim`][mmsdr.dedupe.Deduplicator.claim] returned: persist the event when it is True, skip
        it for a duplicate; acknowledge the callback once the block has run for every one of its events::

            for event in callback.events:
                with dedupe.processing(event) as first:
                    if first:
                        persist(event)
            ack = mmsdr.acknowledge(callback)

        False says another delivery claimed the event, not that it finished: ``docs/dedupe.md`` answers such a
        retry with ``mmsdr.acknowledge(callback, retry=True)`` until the event is stored.

        Any exception out of the block (``KeyboardInterrupt`` and ``SystemExit`` included) releases a claim
        won here and goes on. If the release itself fails, the exception that goes on gets a note saying so.

        Raises:
            DedupeStoreError: from the claim, before the block runs.
        """
        key = self.key(event_or_key)
        first = self._store.claim(key, self._ttl_seconds)
        try:
            yield first
        except BaseException as failure:
            if first:
                try:
                    self._store.release(key)
                except DedupeStoreError as error:
                    failure.add_note(
                        f"mmsdr.dedupe: the claim on {key!r} could not be released ({error}); until it expires, "
                        "the provider's retries of this event will be taken for duplicates"
                    )
            raise

    def close(self) -> None:
        """Close the store."""
        self._store.close()

    def __repr__(self) -> str:
        return f"Deduplicator({self._store!r}, ttl={self.ttl!r}, prefix={self._prefix!r})"


class MemoryStore:
    """Claims in this process's memory: thread-safe, expiring, and bounded to ``max_keys`` claims.

    For one process only: other processes and machines do not see these claims, and a restart forgets them (a
    retry after it is processed again). When full, the claims made longest ago go first; with one TTL for all
    (as a [`Deduplicator`][mmsdr.dedupe.Deduplicator] claims) those are the expired ones, then the oldest live ones,
    whose retries would then be processed again. [`evicted`][mmsdr.dedupe.MemoryStore.evicted] counts the live
    claims dropped that way.

    Args:
        max_keys: the most claims held at once.
        clock: seconds from a monotonic clock; tests pass a fake one.
    """

    __slots__ = ("_clock", "_evicted", "_expiries", "_lock", "_max_keys")

    def __init__(self, *, max_keys: int = DEFAULT_MAX_KEYS, clock: Callable[[], float] = time.monotonic) -> None:
        if type(max_keys) is not int or max_keys < 1:
            msg = f"max_keys must be a positive int, got {max_keys!r}"
            raise ValueError(msg)
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        # key -> when its claim expires, in claim order: the front is the oldest claim.
        self._expiries: OrderedDict[str, float] = OrderedDict()
        self._evicted = 0

    @property
    def max_keys(self) -> int:
        return self._max_keys

    @property
    def evicted(self) -> int:
        """How many live claims were dropped because the store was full."""
        return self._evicted

    def claim(self, key: str, ttl_seconds: float) -> bool:
        with self._lock:
            now = self._clock()
            self._drop_expired(now)
            expiry = self._expiries.get(key)
            if expiry is not None:
                if expiry > now:
                    return False
                del self._expiries[key]  # expired behind a longer-lived claim: claim it anew, at the back
            while len(self._expiries) >= self._max_keys:
                self._expiries.popitem(last=False)
                self._evicted += 1
            self._expiries[key] = now + ttl_seconds
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._expiries.pop(key, None)

    def close(self) -> None:
        """Forget every claim."""
        with self._lock:
            self._expiries.clear()

    def __len__(self) -> int:
        """The number of claims held. Expired ones are dropped oldest first, so one that expired behind a
        longer-lived claim still counts until that one goes (it can be claimed anew all the same)."""
        with self._lock:
            self._drop_expired(self._clock())
            return len(self._expiries)

    def _drop_expired(self, now: float) -> None:
        # Claims expire in claim order when they share one TTL: stop at the first live one. Each claim is
        # dropped once, so this costs O(1) per claim on average.
        expiries = self._expiries
        while expiries:
            key, expiry = next(iter(expiries.items()))
            if expiry > now:
                return
            del expiries[key]

    def __repr__(self) -> str:
        return f"MemoryStore(max_keys={self._max_keys})"


# Deletes KEYS[1] only when its value starts with ARGV[1], the claimant's owner tag: a RedisStore releases
# only a claim it made itself, never one another worker holds (say after this one's claim expired).
_RELEASE_SCRIPT = """
local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[1])) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""

_MISSING_REDIS = "RedisStore needs the redis package: pip install 'mmsdr[redis]'"


def _redis_errors() -> tuple[type[Exception], ...]:
    try:
        from redis.exceptions import RedisError  # noqa: PLC0415 - redis is an optional extra
    except ImportError as error:
        raise ImportError(_MISSING_REDIS) from error
    return (RedisError,)


class RedisStore:
    """Claims in Redis, shared by every worker that uses the same server and prefix.

    A claim is ``SET <prefix><key> <token> NX PX <ttl>``: atomic on the server, so exactly one of any number
    of concurrent claimants wins. The token names this store (a random tag and the process id) plus a
    counter; [`release`][mmsdr.dedupe.RedisStore.release] deletes the key only while it holds this store's tag, so a
    worker cannot release another worker's claim. Any failure of Redis (connection refused or lost, timeout, an error
    reply such as out of memory) raises [`DedupeStoreError`][mmsdr.dedupe.DedupeStoreError].

    Args:
        client: a ``redis.Redis`` client (``decode_responses`` either way);
            [`from_url`][mmsdr.dedupe.RedisStore.from_url] makes one.
        prefix: put before every key, so that the claims are easy to find and to keep apart from other data.
    """

    __slots__ = ("_client", "_counter", "_errors", "_owns_client", "_prefix", "_tag")

    def __init__(self, client: Redis, *, prefix: str = "mmsdr:dedupe:") -> None:
        self._errors = _redis_errors()
        self._client = client
        self._prefix = prefix
        self._tag = secrets.token_hex(8)
        self._counter = itertools.count()
        self._owns_client = False

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
        client = Redis.from_url(
            url, socket_timeout=socket_timeout, socket_connect_timeout=socket_connect_timeout, **client_options
        )
        store = cls(client, prefix=prefix)
        store._owns_client = True
        return store

    @property
    def client(self) -> Redis:
        return self._client

    @property
    def prefix(self) -> str:
        return self._prefix

    def _owner(self) -> str:
        # The process id keeps apart the claims of processes forked after this store was made.
        return f"{self._tag}:{os.getpid()}:"

    def claim(self, key: str, ttl_seconds: float) -> bool:
        name = self._prefix + key
        token = f"{self._owner()}{next(self._counter):012x}"
        milliseconds = max(1, math.ceil(ttl_seconds * 1000))
        try:
            if self._client.set(name, token, nx=True, px=milliseconds):
                return True
            # SET answers nil when the key is held. When it holds this very token, redis-py re-sent the
            # command after the first one's reply was lost, and the first one won: the claim is ours.
            held = self._client.get(name)
        except self._errors as error:
            msg = f"dedupe store: claiming {name!r} in Redis failed: {error}"
            raise DedupeStoreError(msg, key=name) from error
        return held in {token, token.encode()}

    def release(self, key: str) -> None:
        name = self._prefix + key
        try:
            self._client.eval(_RELEASE_SCRIPT, 1, name, self._owner())
        except self._errors as error:
            msg = f"dedupe store: releasing {name!r} in Redis failed: {error}"
            raise DedupeStoreError(msg, key=name) from error

    def close(self) -> None:
        """Close the client if [`from_url`][mmsdr.dedupe.RedisStore.from_url] made it; a client you passed in is yours
        to close."""
        if self._owns_client:
            self._client.close()

    def __repr__(self) -> str:
        return f"RedisStore({self._client!r}, prefix={self._prefix!r})"

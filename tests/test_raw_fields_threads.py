"""``RawFields.lazy``: threads that read ``raw`` first at the same time get one build, and no error.

A lazy view used to be built without a lock: two threads reading it first at once could both build it, or one
could find the source already let go and fail (an AssertionError). It is built under the view's own lock.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable

from mmsdr import RawFields

PAIRS = (("to", "1"), ("from", "2"), ("to", "3"))


def read_at_once(raw: RawFields, threads: int, read: Callable[[RawFields], object]) -> list[object]:
    """``read(raw)`` in ``threads`` threads released together by a barrier; what each got, in thread order."""
    barrier = threading.Barrier(threads)
    results: list[object] = [None] * threads
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = read(raw)
        except BaseException as exc:  # noqa: BLE001 - any error in a thread is the test's failure
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    return results


def test_two_threads_reading_raw_first_at_once_build_it_once() -> None:
    builds: list[str] = []
    second = threading.Event()

    def source() -> list[tuple[str, str]]:
        builds.append(threading.current_thread().name)
        if len(builds) == 1:
            # The first build waits for a second one to start: without the lock the other thread, released by
            # the same barrier, would be building too by then; with it, it waits here until the timeout.
            second.wait(timeout=0.5)
        else:
            second.set()
        return list(PAIRS)

    raw = RawFields.lazy(source)
    first, other = read_at_once(raw, 2, RawFields.multi_items)
    assert len(builds) == 1
    assert first == other == PAIRS
    assert first is other  # the one tuple the build kept


def test_many_threads_reading_every_accessor_first_see_the_same_fields() -> None:
    readers: list[Callable[[RawFields], object]] = [
        RawFields.multi_items,
        lambda raw: raw["to"],
        lambda raw: raw.getall("to"),
        len,
        RawFields.to_pairs,
        repr,
        hash,
        lambda raw: pickle.loads(pickle.dumps(raw)),  # noqa: S301 - our own bytes
    ]
    expected = [
        PAIRS,
        "1",
        ("1", "3"),
        2,
        [list(pair) for pair in PAIRS],
        f"RawFields({list(PAIRS)!r})",
        hash(PAIRS),
        RawFields(PAIRS),
    ]
    for reader, wanted in zip(readers, expected, strict=True):
        for _ in range(50):
            builds: list[int] = []

            def source(builds: list[int] = builds) -> list[tuple[str, str]]:
                builds.append(1)
                return list(PAIRS)

            assert read_at_once(RawFields.lazy(source), 4, reader) == [wanted] * 4
            assert builds == [1]


def test_a_view_built_eagerly_needs_no_lock() -> None:
    raw = RawFields(PAIRS)
    assert read_at_once(raw, 2, RawFields.multi_items) == [PAIRS, PAIRS]

"""Helpers shared by the tests: fixtures, event comparison, request variants."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar, overload
from zoneinfo import ZoneInfo

from mmsdr import Callback, Event

DATA = Path(__file__).parent / "data"
LONDON = ZoneInfo("Europe/London")
E = TypeVar("E", bound=Event)


def query_fixture(provider: str, name: str) -> str:
    """The query string of ``tests/data/<provider>/<name>.query`` (its last line; ``#`` lines say where seen)."""
    lines = (DATA / provider / f"{name}.query").read_text(encoding="ascii").splitlines()
    assert lines[0].startswith("# seen: "), f"{name}: the first line must say where the quirk was seen"
    return lines[-1]


@overload
def only_event(callback: Callback, /) -> Event: ...
@overload
def only_event(callback: Callback, kind: type[E], /) -> E: ...
def only_event(callback: Callback, kind: type[Event] = Event, /) -> Event:
    """The one event of a callback that carries exactly one (an instance of ``kind`` when given)."""
    assert isinstance(callback, Callback), f"not a Callback: {callback!r}"
    assert len(callback.events) == 1, f"expected exactly one event, got {len(callback.events)}: {callback.events!r}"
    event = callback.events[0]
    assert isinstance(event, kind), f"expected a {kind.__name__}, got {event!r}"
    return event


def without_key(event: E) -> E:
    """The event with an empty dedupe_key, for whole-event comparisons (keys have their own tests)."""
    assert isinstance(event, Event), f"not an event: {event!r}"
    return dataclasses.replace(event, dedupe_key="")


def without_keys(callback: Callback) -> Callback:
    """The callback with every event's dedupe_key empty, for whole-callback comparisons."""
    return dataclasses.replace(callback, events=tuple(without_key(event) for event in callback.events))


def utc_offset(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def at(
    year: int, month: int, day: int, hour: int, minute: int, second: int = 0, *, tz: timezone | ZoneInfo = LONDON
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=tz)

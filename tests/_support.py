"""Helpers shared by the tests: fixtures, event comparison, request variants."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar
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


def only_event(callback: Callback) -> Event:
    """The one event of a callback that carries exactly one."""
    assert len(callback.events) == 1
    return callback.events[0]


def without_key(event: E) -> E:
    """The event with an empty dedupe_key, for whole-event comparisons (keys have their own tests)."""
    return dataclasses.replace(event, dedupe_key="")


def utc_offset(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def at(
    year: int, month: int, day: int, hour: int, minute: int, second: int = 0, *, tz: timezone | ZoneInfo = LONDON
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=tz)

"""Provider timestamps: one strict grammar with the lenient corners real traffic needs.

Every result is timezone-aware. A value with an offset keeps it; a zone-less value is read in the zone the
caller gives (each format's own default: MX Telecom's Europe/London, "GMT or BST"; UTC for MM7 and OpenMarket),
and the caller is told that the zone was assumed.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from dateutil import tz as dateutil_tz

__all__ = ("DateError", "parse_provider_date", "read_provider_date", "resolve_zone")

#: Years outside this window are garbage or an attack (D2), never a real callback.
MIN_YEAR = 1970
MAX_YEAR = 2199
# "UTC offsets range from -12:00 to +14:00" (ISO 8601 in practice); anything beyond is hostile (D2).
_MAX_OFFSET = timedelta(hours=14)

# MX Telecom: "yyyy-MM-dd HH:mm:ssZ (Z is UTC offset, eg +0100)", "yyyy-MM-dd HH:mm:ss Z" (a space) and
# "yyyy-MM-dd HH:mm:ss" (no zone); MM7 and OpenMarket: ISO 8601 with "T" and "+01:00" or "Z".
_DATE = re.compile(
    r"""
    # month, day and hour unpadded: "2014-3-24T10:34:50+08:00" (a China Mobile style MMSC simulator's reports)
    (?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})
    [T ]
    (?P<hour>\d{1,2}):(?P<minute>\d{2})           # seconds missing: seen in an MX Telecom integration's tests
    (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?
    (?:
        [ ]?(?P<utc>Z)
      | [ ]?(?P<sign>[+-])(?P<offset_hours>\d{2}):?(?P<offset_minutes>\d{2})
      # "+0100" sent unescaped in a query string arrives as " 0100": a query decoder made the "+" a space
      | [ ](?P<plus_hours>\d{2})(?P<plus_minutes>\d{2})
    )?
    """,
    re.VERBOSE | re.ASCII,
)


# The shapes datetime.fromisoformat reads exactly as _DATE does (Python 3.11+: "Z", "+01:00" and "+0100"), and
# much faster than the regex (docs/performance.md): every documented example has one of them. The quirks (no
# seconds, a space before the zone, "+" decoded to a space, more than 6 fraction digits) take the full grammar.
_ISO_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:?\d{2})?", re.ASCII)


class DateError(ValueError):
    """Why a date string was refused; the caller names the provider and field."""


def resolve_zone(name: str) -> tzinfo:
    """The tzinfo for an IANA zone name, from the system's tz database or dateutil's bundled copy.

    ``ZoneInfo`` keeps the zones it has loaded (and ``dateutil.tz.gettz`` too): asking again is cheap.
    """
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dateutil_tz.gettz(name)
        if zone is None:
            msg = f"unknown time zone {name!r}"
            raise ValueError(msg) from None
        return zone


#: What the grammar reads, in MX Telecom's notation; a format with another documented form names its own.
GRAMMAR_FORM = "a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset"


def parse_provider_date(text: str, *, default_zone: tzinfo, max_chars: int = 64, form: str = GRAMMAR_FORM) -> datetime:
    """Parse a provider timestamp; raise ``DateError`` saying what was wrong (``form``: what a date looks like)."""
    return read_provider_date(text, default_zone=default_zone, max_chars=max_chars, form=form)[0]


def read_provider_date(
    text: str, *, default_zone: tzinfo, max_chars: int = 64, form: str = GRAMMAR_FORM
) -> tuple[datetime, bool]:
    """``parse_provider_date``, and whether the zone was assumed (the text had no UTC offset)."""
    if len(text) > max_chars:
        msg = f"longer than {max_chars} characters"
        raise DateError(msg)
    if _ISO_SHAPE.fullmatch(text) is not None:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            pass  # February 30, offset minutes 75, ...: the full grammar below says which
        else:
            if MIN_YEAR <= value.year <= MAX_YEAR:
                offset = value.utcoffset()
                if offset is None:
                    return in_zone(value, default_zone), True
                if abs(offset) <= _MAX_OFFSET:
                    return value, False
            # A year or an offset out of range: the full grammar below gives the message.
    match = _DATE.fullmatch(text.strip())
    if match is None:
        msg = f"not {form}"
        raise DateError(msg)
    parts = match.groupdict()
    zone = _zone_of(parts)

    fraction = (parts["fraction"] or "").ljust(6, "0")[:6]
    try:
        value = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"] or 0),
            int(fraction),
            tzinfo=zone,  # None: naive, read in default_zone below
        )
    except ValueError as exc:  # month 13, hour 24, February 30 ...
        raise DateError(str(exc)) from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        msg = f"year {value.year} is outside {MIN_YEAR}..{MAX_YEAR}"
        raise DateError(msg)
    if zone is not None:
        return value, False
    return in_zone(value, default_zone), True


def in_zone(naive: datetime, zone: tzinfo) -> datetime:
    """``naive`` read in ``zone`` (the first occurrence of a repeated hour), with that zone's UTC offset then
    as a fixed ``timezone``: an instant and its offset, which ISO 8601 text carries exactly (``to_dict`` and
    ``event_from_dict`` give back an equal value; a zone's repeated hour would compare unequal across zones)."""
    offset = zone.utcoffset(naive.replace(tzinfo=None, fold=0))
    if offset is None:
        msg = f"the zone {zone!r} gives no UTC offset"
        raise DateError(msg)
    return datetime.combine(naive, naive.time(), UTC if not offset else timezone(offset))


def _zone_of(parts: dict[str, str | None]) -> tzinfo | None:
    """The zone the text gives; None when it gives none."""
    if parts["utc"]:
        return UTC
    if parts["sign"]:
        sign, hours, minutes = parts["sign"], parts["offset_hours"], parts["offset_minutes"]
    elif parts["plus_hours"]:
        sign, hours, minutes = "+", parts["plus_hours"], parts["plus_minutes"]
    else:
        return None
    assert hours is not None
    assert minutes is not None
    if int(minutes) >= 60:
        msg = f"UTC offset minutes {minutes} out of range"
        raise DateError(msg)
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if offset > _MAX_OFFSET:
        msg = f"UTC offset {sign}{hours}{minutes} is beyond 14 hours"
        raise DateError(msg)
    return timezone(-offset if sign == "-" else offset)

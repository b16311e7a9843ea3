"""Provider timestamps: the documented forms, the lenient corners, and the hostile ones (D1-D3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mmsdr._dates import DateError, parse_provider_date, resolve_zone

LONDON = ZoneInfo("Europe/London")


def offset(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # MX Telecom "yyyy-MM-dd HH:mm:ssZ (Z is UTC offset, eg +0100)"
        ("2010-08-21 17:32:21+0100", datetime(2010, 8, 21, 17, 32, 21, tzinfo=offset(1))),
        # newer UK MMS page: "yyyy-MM-dd HH:mm:ss Z", a space before the offset
        ("2010-08-21 17:32:21 +0000", datetime(2010, 8, 21, 17, 32, 21, tzinfo=offset(0))),
        ("2010-08-21 17:32:21 -0530", datetime(2010, 8, 21, 17, 32, 21, tzinfo=offset(-5, -30))),
        # zone-less: London time, GMT in winter and BST in summer
        ("2002-04-30 21:58:00", datetime(2002, 4, 30, 21, 58, tzinfo=LONDON)),
        ("2002-01-30 21:58:00", datetime(2002, 1, 30, 21, 58, tzinfo=LONDON)),
        # ISO 8601 as MM7 and OpenMarket send it
        ("2014-07-16T19:20:30+00:00", datetime(2014, 7, 16, 19, 20, 30, tzinfo=offset(0))),
        ("2014-07-16T19:20:30Z", datetime(2014, 7, 16, 19, 20, 30, tzinfo=UTC)),
        ("2014-07-16T19:20:30.123456789-07:00", datetime(2014, 7, 16, 19, 20, 30, 123456, tzinfo=offset(-7))),
        # seconds missing (seen in an MX Telecom integration's tests)
        ("2010-10-10 21:58", datetime(2010, 10, 10, 21, 58, tzinfo=LONDON)),
        # "+0100" sent unescaped in a query string, its "+" decoded to a space
        ("2010-08-21 17:32:21 0100", datetime(2010, 8, 21, 17, 32, 21, tzinfo=offset(1))),
        (" 2010-08-21 17:32:21 ", datetime(2010, 8, 21, 17, 32, 21, tzinfo=LONDON)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    value = parse_provider_date(text, default_zone=LONDON)
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()


def test_zone_less_times_use_the_zone_rules_of_that_date() -> None:
    assert parse_provider_date("2002-04-30 21:58:00", default_zone=LONDON).isoformat() == "2002-04-30T21:58:00+01:00"
    assert parse_provider_date("2002-01-30 21:58:00", default_zone=LONDON).isoformat() == "2002-01-30T21:58:00+00:00"
    # The repeated hour when BST ends is read as its first occurrence (fold=0, still BST).
    assert parse_provider_date("2010-10-31 01:30:00", default_zone=LONDON).isoformat() == "2010-10-31T01:30:00+01:00"


NAIVE_RANGE = (datetime(1970, 1, 2), datetime(2199, 12, 30))  # noqa: DTZ001 - provider dates without a zone


@given(st.datetimes(*NAIVE_RANGE), st.sampled_from(["T", " "]))
def test_zone_less_iso_shapes_get_the_offset_the_zone_has_then(naive: datetime, separator: str) -> None:
    text = naive.isoformat(sep=separator, timespec="microseconds" if naive.microsecond else "seconds")
    value = parse_provider_date(text, default_zone=LONDON)
    in_london = naive.replace(tzinfo=LONDON, fold=0)  # the text cannot carry a fold: the first occurrence
    # The wall time as sent, London's offset at that time, as a fixed offset that ISO 8601 text carries exactly.
    assert (value.replace(tzinfo=None), value.utcoffset(), value.fold) == (naive, in_london.utcoffset(), 0)
    assert value.tzinfo == timezone(in_london.utcoffset() or timedelta())
    assert value.isoformat() == in_london.isoformat()
    assert datetime.fromisoformat(value.isoformat()) == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Call me at 5", "not a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset"),  # D1
        ("10", "not a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset"),  # D1
        ("99999999999999999999", "not a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset"),  # D2
        ("2010-08-21 17:32:21+9900", "UTC offset +9900 is beyond 14 hours"),  # D2
        ("2010-08-21 17:32:21+1460", "UTC offset minutes 60 out of range"),
        ("0001-01-01 00:00:00", "year 1 is outside 1970..2199"),  # D2
        ("9999-12-31 23:59:59+14:00", "year 9999 is outside 1970..2199"),
        ("2010-13-01 00:00:00", "month must be in 1..12"),
        ("2010-02-29 00:00:00", "day is out of range for month"),
        ("2010-01-01 24:00:00", "hour must be in 0..23"),
        ("2010-01-01 12:00:00 EST", "not a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset"),
        ("١٩٧٠-٠١-٠١ 00:00:00", "not a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset"),
        ("1 " * 50_000, "longer than 64 characters"),  # D3: refused before any parsing
    ],
)
def test_refused_forms(text: str, reason: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_provider_date(text, default_zone=LONDON)
    assert str(caught.value) == reason


def test_resolve_zone() -> None:
    assert resolve_zone("Europe/London") == LONDON
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        resolve_zone("Mars/Olympus")

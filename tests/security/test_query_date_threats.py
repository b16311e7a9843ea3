"""Threat catalogue rows Q1-Q2 (query strings) and D1-D3 (dates) against the public parse_request.

Query rows go through MX Telecom GET callbacks; date rows through the date fields of every format (MX Telecom
``smsdate``/``date``, the MM7 ``Date`` element, the OpenMarket ``date`` member).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from _threats import (
    MX_FIELDS,
    MX_SMS_INBOUND,
    MX_SMS_REPORT,
    mm7_report,
    mm7_xml,
    mms_zip,
    mx_form,
    openmarket_report,
    parsed,
    refused,
)

import mmsdr
from mmsdr import Event, InboundMessage, LimitExceededError, MalformedRequestError

SMSDATE = "smsdate=2002-04-30+21%3A58%3A00"
NOT_A_DATE = "not a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset"


def test_q1_query_field_flood_is_refused() -> None:
    refused(
        [],
        None,
        MX_SMS_INBOUND + "&x=1" * 300,
        error=LimitExceededError,
        status=413,
        message="request: more than 256 fields in the query string (Limits.max_query_fields)",
    )


@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_q1_100k_fields_stop_at_the_query_size_limit(as_bytes: bool) -> None:
    query = MX_SMS_INBOUND + "&x=1" * 100_000
    refused(
        [],
        None,
        query.encode() if as_bytes else query,
        error=LimitExceededError,
        status=413,
        message="request: query string longer than 65536 bytes (Limits.max_query_bytes)",
    )


def test_q1_field_flood_in_a_decoded_mapping() -> None:
    refused(
        [],
        None,
        {"smsfrom": "1", "x": ["1"] * 100_000},
        error=LimitExceededError,
        status=413,
        message="request: more than 256 fields in the query string (Limits.max_query_fields)",
    )


def test_q1_semicolon_is_data_not_a_separator() -> None:
    event = parsed([], None, MX_SMS_INBOUND.replace("smsmsg=Hello", "smsmsg=Hello;smsto=666"))
    assert isinstance(event, InboundMessage)
    assert event.text == "Hello;smsto=666"
    assert event.recipients == ("913",)
    refused(
        [],
        None,
        MX_SMS_INBOUND.replace("&smsto", ";smsto"),
        error=MalformedRequestError,
        status=400,
        message="mxtelecom.sms_inbound: field 'smsto' is missing",
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            MX_SMS_INBOUND + "&smsfrom=999",
            "mxtelecom.sms_inbound: field 'smsfrom' is repeated with different values, got ['447931123456', '999']",
        ),
        (
            MX_SMS_INBOUND + "&smsid=1",
            "mxtelecom.sms_inbound: field 'smsid' is repeated with different values, got ['17221293', '1']",
        ),
        (
            MX_SMS_REPORT + "&smsmsg=REPORT+1+FAILED",
            (
                "mxtelecom.sms_report: field 'smsmsg' is repeated with different values, "
                "got ['REPORT 17218733 DELIVERED', 'REPORT 1 FAILED']"
            ),
        ),
    ],
    ids=["smsfrom", "smsid", "smsmsg"],
)
def test_q1_duplicate_key_fields_are_refused(query: str, message: str) -> None:
    refused([], None, query, error=MalformedRequestError, status=400, message=message)


def test_q2_invalid_utf8_percent_encoding_has_an_explicit_policy() -> None:
    # Not UTF-8, so read as ISO-8859-15 (MX Telecom's documented SMS charset): no U+FFFD, no byte lost.
    event = parsed([], None, MX_SMS_INBOUND.replace("smsmsg=Hello", "smsmsg=%FF%FE%A4"))
    assert isinstance(event, InboundMessage)
    assert event.text == "\u00ff\u00fe\u20ac"
    assert "\ufffd" not in event.text


def test_q2_invalid_percent_escapes_are_kept_literally() -> None:
    event = parsed([], None, MX_SMS_INBOUND.replace("smsmsg=Hello", "smsmsg=%ZZ%F"))
    assert isinstance(event, InboundMessage)
    assert event.text == "%ZZ%F"


def sms_with_date(value: str) -> str:
    return MX_SMS_INBOUND.replace(SMSDATE, "smsdate=" + quote(value))


# A date that does not read never costs the message (issue #14): the event carries the time the request was
# read, from the Parser's clock, and the callback a warning naming the field; the value stays in raw.
READ_AT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
READ_NOW = ": timestamp is the time the request was read"


def clock() -> datetime:
    return READ_AT


def read_now(headers: Any, body: Any = None, query: Any = None, /, *, warning: str, **options: Any) -> Event:
    """The one event of a request whose date does not read: at the clock's time, with exactly ``warning``
    (a ``...`` in it stands for the shortened value)."""
    callback = mmsdr.parse_request(headers, body, query, clock=clock, **options)
    assert isinstance(mmsdr.acknowledge(callback), mmsdr.Ack)
    (event,) = callback.events
    assert event.timestamp == READ_AT
    (got,) = callback.warnings
    head, dots, tail = warning.partition("...")
    assert got.startswith(head) if dots else got == warning
    assert got.endswith(tail)
    return event


@pytest.mark.parametrize(
    "value", ["Call me at 5", "10", "2024-01-01 12:00 EST", "01/02/03", "\u0661\u0662\u0663\u0664-01-01 10:00:00"]
)
def test_d1_fuzzy_or_partial_dates_are_not_read(value: str) -> None:
    event = read_now(
        [],
        None,
        sms_with_date(value),
        warning=f"field 'smsdate' is not a valid date ({NOT_A_DATE}), got {value!r}{READ_NOW}",
    )
    assert event.raw["smsdate"] == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("99999999999999999999", NOT_A_DATE),
        ("2024-01-01 12:00:00+99:00", "UTC offset +9900 is beyond 14 hours"),
        ("2024-01-01 12:00:00-14:01", "UTC offset -1401 is beyond 14 hours"),
        ("0001-01-01 00:00:00", "year 1 is outside 1970..2199"),
        ("9999-12-31 23:59:59 -1400", "year 9999 is outside 1970..2199"),
        ("2024-02-30 10:00:00", "day is out of range for month"),
    ],
)
def test_d2_overflow_and_exotic_offsets_are_not_read(value: str, reason: str) -> None:
    event = read_now(
        [],
        None,
        sms_with_date(value),
        warning=f"field 'smsdate' is not a valid date ({reason}), got {value!r}{READ_NOW}",
    )
    assert event.raw["smsdate"] == value


def test_d2_in_the_mm7_date_element() -> None:
    event = read_now(
        *mm7_xml(mm7_report().replace("2024-05-06T07:08:09Z", "2024-05-06T07:08:09+99:00")),
        warning="element 'Date' is not a valid date (UTC offset +9900 is beyond 14 hours), "
        f"got '2024-05-06T07:08:09+99:00'{READ_NOW}",
    )
    assert event.raw["Date"] == "2024-05-06T07:08:09+99:00"


LONG_DATE = "1 " * 50_000


def test_d3_long_date_string_in_an_mm7_element() -> None:
    event = read_now(
        *mm7_xml(mm7_report().replace("2024-05-06T07:08:09Z", LONG_DATE)),
        warning=f"element 'Date' is not a valid date (longer than 64 characters), got '1 1 1 ...{READ_NOW}",
    )
    assert event.raw["Date"] == LONG_DATE


def test_d3_long_date_string_in_openmarket_json() -> None:
    read_now(
        *openmarket_report(date=LONG_DATE),
        warning=f"field 'date' is not a valid date (longer than 64 characters), got '1 1 1 ...{READ_NOW}",
    )


def test_d3_long_date_string_in_an_mx_form_post() -> None:
    fields = [(name, LONG_DATE if name == "date" else value) for name, value in MX_FIELDS]
    headers, body = mx_form(mms_zip(), fields=fields)
    read_now(
        headers,
        body,
        warning=f"field 'date' is not a valid date (longer than 64 characters), got '1 1 1 ...{READ_NOW}",
        method="POST",
    )


def test_d3_long_date_string_in_a_query_just_over_the_cap() -> None:
    value = "2024-01-01 12:00:00" + " " * 46
    read_now(
        [],
        None,
        sms_with_date(value),
        warning=f"field 'smsdate' is not a valid date (longer than 64 characters), got '2024-01-01 12:00:00 ...{READ_NOW}",
    )

"""MX Telecom bad input: each case raises the exact error, naming the format and the field; a date that does not
read never costs the message."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest

import mmsdr
from mmsdr import MalformedRequestError, MmsdrError

# (format, query, error type, field, exact message)
BAD_INPUT = [
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00",
        MalformedRequestError,
        "smsmsg",
        "mxtelecom.sms_report: field 'smsmsg' must be 'REPORT <SMS ID> <STATUS>', got 'REPORT 17218733'",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+abc+DELIVERED&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00",
        MalformedRequestError,
        "smsmsg",
        "mxtelecom.sms_report: field 'smsmsg' must be 'REPORT <SMS ID> <STATUS>', got 'REPORT abc DELIVERED'",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+0+DELIVERED&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00",
        MalformedRequestError,
        "smsmsg",
        "mxtelecom.sms_report: field 'smsmsg' must carry a positive SMS ID, got 'REPORT 0 DELIVERED'",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+18446744073709551616+DELIVERED&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00",
        MalformedRequestError,
        "smsmsg",
        "mxtelecom.sms_report: field 'smsmsg' must be below 2**64, got '18446744073709551616'",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00&reason=12x",
        MalformedRequestError,
        "reason",
        "mxtelecom.sms_report: field 'reason' must be a decimal integer, got '12x'",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00&reason=99999999999",
        MalformedRequestError,
        "reason",
        "mxtelecom.sms_report: field 'reason' must fit in 32 bits, got '99999999999'",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=-5&smsdate=2002-04-30+21%3A58%3A00",
        MalformedRequestError,
        "smsid",
        "mxtelecom.sms_report: field 'smsid' must be a decimal integer, got '-5'",
    ),
    (
        "sms_report",
        "smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00",
        MalformedRequestError,
        "smsfrom",
        "mxtelecom.sms_report: field 'smsfrom' is missing",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00&smsdate=2002-05-01+00%3A00%3A00",
        MalformedRequestError,
        "smsdate",
        "mxtelecom.sms_report: field 'smsdate' is repeated with different values, got ['2002-04-30 21:58:00', '2002-05-01 00:00:00']",
    ),
    (
        "sms_inbound",
        "smsfrom=447931123456&smsmsg=Hi&smsto=913&smsid=%D9%A1%D9%A2&smsdate=2002-04-30+21%3A58%3A00",
        MalformedRequestError,
        "smsid",
        "mxtelecom.sms_inbound: field 'smsid' must be a decimal integer, got '١٢'",
    ),
    (
        "sms_inbound",
        "smsfrom=447931123456&smsmsg=Hi&smsto=913&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00&bits=9",
        MalformedRequestError,
        "bits",
        "mxtelecom.sms_inbound: field 'bits' must be one of 7, 8, 16, got '9'",
    ),
    (
        "sms_inbound",
        "smsfrom=447931123456&smsmsg=Hi&smsto=913&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00&bits=8",
        MalformedRequestError,
        "smsmsg",
        "mxtelecom.sms_inbound: field 'smsmsg' must be hex digits in pairs, got 'Hi'",
    ),
    (
        "sms_inbound",
        "smsfrom=447931123456&smsmsg=Hi&smsto=913&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00&bits=16&smsucs2=04F",
        MalformedRequestError,
        "smsucs2",
        "mxtelecom.sms_inbound: field 'smsucs2' must be hex digits in pairs, got '04F'",
    ),
    (
        "sms_inbound",
        "smsfrom=447931123456&smsmsg=Hi&smsto=913&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00&smsudh=zz",
        MalformedRequestError,
        "smsudh",
        "mxtelecom.sms_inbound: field 'smsudh' must be hex digits in pairs, got 'zz'",
    ),
    (
        "sms_inbound",
        "smsfrom=447931123456&smsmsg=Hi&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00",
        MalformedRequestError,
        "smsto",
        "mxtelecom.sms_inbound: field 'smsto' is missing",
    ),
    (
        "sms_inbound",
        "smsfrom=447931123456&smsto=913&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00",
        MalformedRequestError,
        "smsmsg",
        "mxtelecom.sms_inbound: field 'smsmsg' is missing",
    ),
    (
        "mms_report",
        "id=1&requestid=2&to=81111&from=447700900123&date=2010-08-21+17%3A32%3A21&type=5&status=3",
        MalformedRequestError,
        "type",
        "mxtelecom.mms_report: field 'type' must be one of 1, 2, 3, 4, got '5'",
    ),
    (
        "mms_report",
        "id=1&requestid=2&to=81111&from=447700900123&date=2010-08-21+17%3A32%3A21&type=1&status=",
        MalformedRequestError,
        "status",
        "mxtelecom.mms_report: field 'status' is empty, got ''",
    ),
    (
        "mms_report",
        "requestid=2&to=81111&from=447700900123&date=2010-08-21+17%3A32%3A21&type=1&status=3",
        MalformedRequestError,
        "id",
        "mxtelecom.mms_report: field 'id' is missing",
    ),
    (
        "mms_inbound",
        "id=MX-1&from=447700900123&date=2010-08-21+17%3A32%3A21&type=2",
        MalformedRequestError,
        "to",
        "mxtelecom.mms_inbound: field 'to' is missing",
    ),
    (
        "mms_inbound",
        "id=MX-1&from=447700900123&to=81111&date=2010-08-21+17%3A32%3A21&type=3",
        MalformedRequestError,
        "type",
        "mxtelecom.mms_inbound: field 'type' must be one of 2, 6, got '3'",
    ),
    (
        "unsubscribe",
        "msisdn=447884436692&date=2005-08-29+19%3A12%3A45&source=IVR",
        MalformedRequestError,
        "shortcode",
        "mxtelecom.unsubscribe: field 'shortcode' is missing",
    ),
    (
        "unsubscribe",
        "msisdn=447884436692&shortcode=81111&date=2005-08-29+19%3A12%3A45&source=",
        MalformedRequestError,
        "source",
        "mxtelecom.unsubscribe: field 'source' is empty, got ''",
    ),
    (
        "renewal",
        "network=ATTUS&shortcode=81111&msisdn=14155550123&smsid=12_3&date=2011-03-01+09%3A00%3A00",
        MalformedRequestError,
        "smsid",
        "mxtelecom.renewal: field 'smsid' must be a decimal integer, got '12_3'",
    ),
    (
        "renewal",
        "network=ATTUS&msisdn=14155550123&smsid=5012345678&date=2011-03-01+09%3A00%3A00",
        MalformedRequestError,
        "shortcode",
        "mxtelecom.renewal: field 'shortcode' is missing",
    ),
]


@pytest.mark.parametrize(("fmt", "query", "error_type", "field", "message"), BAD_INPUT)
def test_bad_input_is_rejected_with_the_exact_message(
    fmt: str, query: str, error_type: type[MmsdrError], field: str, message: str
) -> None:
    with pytest.raises(error_type) as caught:
        mmsdr.parse_request({}, b"", query, formats=f"mxtelecom.{fmt}")
    error = caught.value
    assert str(error) == message
    assert (error.provider, error.format, error.field, error.status_hint) == (
        "mxtelecom",
        f"mxtelecom.{fmt}",
        field,
        400,
    )
    assert error.ack.status == 400
    assert error.ack.body == message.encode()
    assert ("Content-Type", "text/plain; charset=utf-8") in error.ack.headers


@pytest.mark.parametrize(("fmt", "query", "error_type", "field", "message"), BAD_INPUT)
def test_bad_input_is_also_rejected_when_detecting_among_all_formats(
    fmt: str, query: str, error_type: type[MmsdrError], field: str, message: str
) -> None:
    # Detection may pick another format for a request missing the fields that identify its own: it must
    # still be a typed rejection, never an event or another exception.
    with pytest.raises(MmsdrError):
        mmsdr.parse_request({}, b"", query)


def test_malformed_request_error_is_also_a_value_error() -> None:
    with pytest.raises(ValueError, match="smsfrom"):
        mmsdr.parse_request({}, b"", "smsmsg=REPORT+1+DELIVERED&smsdate=2002-04-30+21%3A58%3A00")
    assert issubclass(MalformedRequestError, MmsdrError)


READ_AT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
READ_NOW = "timestamp is the time the request was read"
NOT_A_DATE = "not a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset"
LONG = "1 " * 100

# (format, query, the callback's exact warnings): the event is read, its timestamp the clock's time (where the
# provider's did not read), the value as sent in raw.
UNREADABLE_DATES = [
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=2002-02-30+21%3A58%3A00",
        f"field 'smsdate' is not a valid date (day is out of range for month), got '2002-02-30 21:58:00': {READ_NOW}",
    ),
    (
        # Seen in MX Telecom traffic: a minute of 61.
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=2002-04-30+11%3A61%3A25",
        f"field 'smsdate' is not a valid date (minute must be in 0..59), got '2002-04-30 11:61:25': {READ_NOW}",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=yesterday",
        f"field 'smsdate' is not a valid date ({NOT_A_DATE}), got 'yesterday': {READ_NOW}",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=",
        f"field 'smsdate' is empty: {READ_NOW}",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293",
        f"field 'smsdate' is missing: {READ_NOW}",
    ),
    (
        "sms_inbound",
        "smsfrom=447931123456&smsmsg=Hi&smsto=913&smsid=17221293",
        f"field 'smsdate' is missing: {READ_NOW}",
    ),
    (
        "mms_report",
        "id=1&requestid=2&to=81111&from=447700900123&date=2010-08-21+17%3A32%3A21+%2B9900&type=1&status=3",
        "field 'date' is not a valid date (UTC offset +9900 is beyond 14 hours), got '2010-08-21 17:32:21 +9900': "
        + READ_NOW,
    ),
    (
        "mms_report",
        "id=1&requestid=2&to=81111&from=447700900123&date=0001-01-01+00%3A00%3A00&type=1&status=3",
        f"field 'date' is not a valid date (year 1 is outside 1970..2199), got '0001-01-01 00:00:00': {READ_NOW}",
    ),
    (
        "mms_report",
        f"id=1&requestid=2&to=81111&from=447700900123&date={LONG.replace(' ', '+')}&type=1&status=3",
        (
            "field 'date' is not a valid date (longer than 64 characters), got "
            f"'1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 ... ': {READ_NOW}"
        ),
    ),
    (
        "unsubscribe",
        "msisdn=447884436692&shortcode=81111&date=29%2F08%2F2005&source=IVR",
        f"field 'date' is not a valid date ({NOT_A_DATE}), got '29/08/2005': {READ_NOW}",
    ),
    (
        "renewal",
        "network=ATTUS&shortcode=81111&msisdn=14155550123&smsid=5012345678",
        f"field 'date' is missing: {READ_NOW}",
    ),
]


def clock() -> datetime:
    return READ_AT


@pytest.mark.parametrize(("fmt", "query", "warning"), UNREADABLE_DATES)
def test_a_date_that_does_not_read_is_the_time_of_reading_with_a_warning(fmt: str, query: str, warning: str) -> None:
    callback = mmsdr.parse_request({}, b"", query, formats=f"mxtelecom.{fmt}", clock=clock)
    (event,) = callback.events
    assert (event.timestamp, callback.warnings) == (READ_AT, (warning,))
    date_field = "smsdate" if fmt.startswith("sms_") else "date"
    assert event.raw.get(date_field) == dict(parse_qsl(query, keep_blank_values=True)).get(date_field)
    # The dedupe key never depends on the time of reading.
    later = mmsdr.parse_request(
        {}, b"", query, formats=f"mxtelecom.{fmt}", clock=lambda: datetime(2031, 5, 5, tzinfo=UTC)
    )
    assert later.events[0].dedupe_key == event.dedupe_key
    assert later.events[0].timestamp != event.timestamp


def test_an_expiry_that_does_not_read_is_left_out_with_a_warning() -> None:
    query = "id=MX-1&from=447700900123&to=81111&date=2010-08-21+17%3A32%3A21%2B0100&type=2&expiry=soon"
    callback = mmsdr.parse_request({}, b"", query, formats="mxtelecom.mms_inbound", clock=clock)
    (event,) = callback.events
    assert event.details == mmsdr.mxtelecom.MmsInboundDetails(expiry=None)
    assert event.timestamp == datetime.fromisoformat("2010-08-21T17:32:21+01:00")
    assert callback.warnings == (f"field 'expiry' is not a valid date ({NOT_A_DATE}), got 'soon': left out",)
    assert event.raw.get("expiry") == "soon"

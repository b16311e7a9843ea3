"""MX Telecom bad input: each case raises the exact error, naming the format and the field."""

from __future__ import annotations

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
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=2002-02-30+21%3A58%3A00",
        MalformedRequestError,
        "smsdate",
        "mxtelecom.sms_report: field 'smsdate' is not a valid date (day is out of range for month), got '2002-02-30 21:58:00'",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=yesterday",
        MalformedRequestError,
        "smsdate",
        "mxtelecom.sms_report: field 'smsdate' is not a valid date (not a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset), got 'yesterday'",
    ),
    (
        "sms_report",
        "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsid=17221293&smsdate=",
        MalformedRequestError,
        "smsdate",
        "mxtelecom.sms_report: field 'smsdate' is empty, got ''",
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
        "mms_report",
        "id=1&requestid=2&to=81111&from=447700900123&date=2010-08-21+17%3A32%3A21+%2B9900&type=1&status=3",
        MalformedRequestError,
        "date",
        "mxtelecom.mms_report: field 'date' is not a valid date (UTC offset +9900 is beyond 14 hours), got '2010-08-21 17:32:21 +9900'",
    ),
    (
        "mms_report",
        "id=1&requestid=2&to=81111&from=447700900123&date=0001-01-01+00%3A00%3A00&type=1&status=3",
        MalformedRequestError,
        "date",
        "mxtelecom.mms_report: field 'date' is not a valid date (year 1 is outside 1970..2199), got '0001-01-01 00:00:00'",
    ),
    (
        "mms_report",
        "id=1&requestid=2&to=81111&from=447700900123&date=1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+&type=1&status=3",
        MalformedRequestError,
        "date",
        "mxtelecom.mms_report: field 'date' is not a valid date (longer than 64 characters), got '1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 ... '",
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
        "mms_inbound",
        "id=MX-1&from=447700900123&to=81111&date=2010-08-21+17%3A32%3A21&type=2&expiry=soon",
        MalformedRequestError,
        "expiry",
        "mxtelecom.mms_inbound: field 'expiry' is not a valid date (not a date of the form yyyy-MM-dd HH:mm:ss with an optional UTC offset), got 'soon'",
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

"""When no accepted format matches, the error names the closest format and what it misses."""

from __future__ import annotations

from typing import Any, cast

import pytest

import mmsdr
import mmsdr.testing
from mmsdr._parser import _closest

DATE = "smsdate=2002-04-30+21%3A58%3A00"
MMS_DATE = "date=2010-08-21+17%3A32%3A21+%2B0100"

# (formats, query, the error type, its exact message)
CLOSEST = [
    (
        "mxtelecom",  # an inbound SMS without its smsid: sms_inbound has 3 of its 4 fields, sms_report 2 of 2
        f"smsfrom=447931123456&smsmsg=Hello&smsto=913&{DATE}",
        mmsdr.MalformedRequestError,
        "mxtelecom.sms_inbound: field 'smsid' is missing",
    ),
    (
        None,  # every format: the method leaves MX Telecom's
        f"smsfrom=447931123456&smsmsg=Hello&smsto=913&{DATE}",
        mmsdr.MalformedRequestError,
        "mxtelecom.sms_inbound: field 'smsid' is missing",
    ),
    (
        "mxtelecom",  # an MMS delivery report without its status: 5 of mms_report's 6, 4 of mms_inbound's 4
        f"id=4419283&requestid=77110011&to=81111&from=447700900123&{MMS_DATE}&type=1",
        mmsdr.MalformedRequestError,
        "mxtelecom.mms_report: field 'status' is missing",
    ),
    (
        "mxtelecom",  # a tie (unsubscribe and renewal have 2 each): the first in detection order
        "msisdn=447884436692&shortcode=81111&date=2005-08-29+19%3A12%3A45",
        mmsdr.MalformedRequestError,
        "mxtelecom.unsubscribe: field 'source' is missing",
    ),
    (
        ["mxtelecom.sms_report", "mxtelecom.mms_report"],  # every field there, but an inbound SMS's bits
        f"smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&{DATE}&bits=7",
        mmsdr.UnsupportedFormatError,
        "mxtelecom.sms_report: field 'bits' is only sent with an inbound SMS: this request is not this format",
    ),
    (
        "mxtelecom",  # no field of any format: nothing is closest
        "foo=1&bar=2",
        mmsdr.UnsupportedFormatError,
        "request: no accepted format matches (content type 'none', fields: bar, foo)",
    ),
]


@pytest.mark.parametrize(("formats", "query", "error_type", "message"), CLOSEST)
def test_the_closest_format_names_what_it_misses(
    formats: str | list[str] | None, query: str, error_type: type[mmsdr.MmsdrError], message: str
) -> None:
    with pytest.raises(mmsdr.MmsdrError) as caught:
        mmsdr.Parser(formats=formats).parse({}, b"", query, method="GET")
    assert type(caught.value) is error_type
    assert str(caught.value) == message


class CountingNames:
    """A request's field names that count the lookups made in them."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.lookups = 0

    def __contains__(self, name: object) -> bool:
        self.lookups += 1
        return name in self.names


@pytest.mark.parametrize("count", [0, 10, 10_000])
def test_the_closest_costs_one_lookup_per_required_field(count: int) -> None:
    # Linear: one set lookup per required field of each accepted format, however many fields came.
    names = CountingNames({f"f{index}" for index in range(count)} | {"smsfrom"})
    request = cast("Any", type("StubRequest", (), {"field_names": names})())
    formats = tuple(mmsdr.FORMATS.values())
    assert _closest(formats, request) is mmsdr.FORMATS["mxtelecom.sms_report"]  # 1 of 2: the first with most
    assert names.lookups == sum(len(fmt.required_fields) for fmt in formats) == 32


def test_required_fields_of_the_field_formats() -> None:
    assert {name: fmt.required_fields for name, fmt in mmsdr.FORMATS.items() if fmt.required_fields} == {
        "mxtelecom.sms_report": ("smsmsg", "smsfrom"),
        "mxtelecom.mms_report": ("id", "requestid", "to", "from", "type", "status"),
        "mxtelecom.sms_inbound": ("smsfrom", "smsto", "smsid", "smsmsg"),
        "mxtelecom.mms_inbound": ("id", "from", "to", "type"),
        "mxtelecom.unsubscribe": ("msisdn", "shortcode", "source"),
        "mxtelecom.renewal": ("msisdn", "smsid", "shortcode", "network"),
        "twilio.status": ("MessageSid", "MessageStatus"),
        "twilio.inbound": ("MessageSid", "From"),
        "vonage.sms_receipt": ("messageId", "msisdn", "status"),
        "vonage.sms_inbound": ("messageId", "msisdn"),
    }


@pytest.mark.parametrize("name", [name for name, fmt in mmsdr.FORMATS.items() if fmt.required_fields])
@pytest.mark.parametrize("dropped", range(6))
def test_each_required_field_is_required(name: str, dropped: int) -> None:
    # Leave one required field out of the builder's request: that format's parser names exactly it.
    fmt = mmsdr.FORMATS[name]
    if dropped >= len(fmt.required_fields):
        return
    missing = fmt.required_fields[dropped]
    request = mmsdr.testing.BUILDERS[name]()
    fields = request.query or request.body.decode("ascii")  # Twilio posts a form; the same fields by GET
    query = "&".join(pair for pair in fields.split("&") if pair.split("=", 1)[0] != missing)
    with pytest.raises(mmsdr.MmsdrError) as caught:
        mmsdr.parse_request({}, b"", query, formats=name, method="GET")
    assert caught.value.field == missing

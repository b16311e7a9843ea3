"""A handset chooses an SMS's text, never the fields MX Telecom sends with it: an inbound SMS reading
``REPORT <id> <STATUS>`` is not a delivery report, and a read report is not an inbound MMS."""

from __future__ import annotations

import pytest

import mmsdr

# The vendor's inbound SMS example ("Receiving SMS via HTTP") with a report's text typed by a handset.
FORGED_BASE = (
    "smsfrom=447931123456&smsmsg=REPORT+17218733+DELIVERED&smsto=913&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00"
)
INBOUND_ONLY = [
    ("bits", "bits=7"),
    ("smsucs2", "smsucs2=" + "REPORT 17218733 DELIVERED".encode("utf-16-be").hex().upper()),
    ("smsudh", "smsudh=050003A70201"),
    ("smsc", "smsc=447785016005"),
    ("network", "network=TMOBILEUK"),
]


@pytest.mark.parametrize(("field", "extra"), INBOUND_ONLY, ids=[field for field, _ in INBOUND_ONLY])
@pytest.mark.parametrize("formats", [None, "mxtelecom", ["mxtelecom.sms_report", "mxtelecom.sms_inbound"]])
def test_a_forged_report_is_an_inbound_message(field: str, extra: str, formats: str | list[str] | None) -> None:
    query = f"{FORGED_BASE}&{extra}"
    callback = mmsdr.Parser(formats=formats).parse({}, b"", query)
    assert callback == mmsdr.Parser(formats="mxtelecom.sms_inbound").parse({}, b"", query)
    (event,) = callback.events
    assert type(event) is mmsdr.InboundMessage
    assert (event.format, event.message_id, event.sender, event.recipients) == (
        "mxtelecom.sms_inbound",
        "17221293",
        "447931123456",
        ("913",),
    )
    # The text as typed: the SMS is not lost, only never taken for a report.
    assert event.text == "REPORT 17218733 DELIVERED"


@pytest.mark.parametrize(("field", "extra"), INBOUND_ONLY, ids=[field for field, _ in INBOUND_ONLY])
def test_a_report_endpoint_refuses_a_field_only_inbound_sms_have(field: str, extra: str) -> None:
    parser = mmsdr.Parser(formats="mxtelecom.sms_report")
    with pytest.raises(mmsdr.UnsupportedFormatError) as caught:
        parser.parse({}, b"", f"{FORGED_BASE}&{extra}")
    error = caught.value
    assert str(error) == (
        f"mxtelecom.sms_report: field {field!r} is only sent with an inbound SMS: this request is not this format"
    )
    assert (error.provider, error.format, error.field, error.status_hint) == (
        "mxtelecom",
        "mxtelecom.sms_report",
        field,
        415,
    )
    assert (error.ack.status, error.ack.body) == (415, str(error).encode())


def test_the_first_inbound_only_field_in_the_documented_order_is_named() -> None:
    with pytest.raises(mmsdr.UnsupportedFormatError, match=r"^mxtelecom\.sms_report: field 'bits' is only"):
        mmsdr.parse_request({}, b"", f"{FORGED_BASE}&network=UNKNOWN&bits=7", formats="mxtelecom.sms_report")


def test_an_inbound_sms_without_those_fields_looks_like_a_report() -> None:
    # The oldest documented inbound SMS carries none of them: only separate endpoints tell it apart, as MX
    # Telecom's own setup has (docs/mxtelecom.md).
    assert type(mmsdr.parse_request({}, b"", FORGED_BASE).events[0]) is mmsdr.DeliveryReport
    inbound = mmsdr.parse_request({}, b"", FORGED_BASE, formats="mxtelecom.sms_inbound")
    assert type(inbound.events[0]) is mmsdr.InboundMessage
    assert inbound.events[0].text == "REPORT 17218733 DELIVERED"


# "Receiving reports using HTTP": a read report is type 2, as an inbound MMS is.
READ_REPORT = (
    "id=4419284&requestid=77110011&to=81111&from=447700900123&date=2010-08-21+17%3A32%3A21+%2B0100&type=2&status=7"
)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (READ_REPORT, "requestid"),
        (READ_REPORT.replace("requestid=77110011&", ""), "status"),
    ],
)
def test_an_inbound_mms_endpoint_refuses_a_report(query: str, field: str) -> None:
    with pytest.raises(mmsdr.UnsupportedFormatError) as caught:
        mmsdr.parse_request({}, b"", query, formats="mxtelecom.mms_inbound")
    assert str(caught.value) == (
        f"mxtelecom.mms_inbound: field {field!r} is only sent with an MMS delivery or read report: "
        "this request is not this format"
    )
    assert (caught.value.field, caught.value.status_hint) == (field, 415)


def test_a_read_report_is_read_as_one_by_detection() -> None:
    (event,) = mmsdr.parse_request({}, b"", READ_REPORT).events
    assert isinstance(event, mmsdr.ReadReport)
    assert (event.format, event.message_id, event.status) == ("mxtelecom.mms_report", "77110011", mmsdr.Status.READ)

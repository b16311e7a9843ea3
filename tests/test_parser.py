"""The entry points: format selection and detection, methods, sources, errors and acknowledgements."""

from __future__ import annotations

import ipaddress
import threading

import pytest
from _support import query_fixture

import mmsdr
from mmsdr import (
    DeliveryReport,
    InboundMessage,
    Parser,
    UnsupportedFormatError,
    UntrustedSourceError,
    is_trusted_source,
)

REPORT = query_fixture("mxtelecom", "sms-report-mx-us")
INBOUND = query_fixture("mxtelecom", "sms-inbound-mx-uk")


def test_formats_are_listed_in_detection_order() -> None:
    assert list(mmsdr.FORMATS)[:6] == [
        "mxtelecom.sms_report",
        "mxtelecom.mms_report",
        "mxtelecom.sms_inbound",
        "mxtelecom.mms_inbound",
        "mxtelecom.unsubscribe",
        "mxtelecom.renewal",
    ]
    for name, fmt in mmsdr.FORMATS.items():
        assert fmt.name == name
        assert fmt.description


def test_formats_by_provider_or_name() -> None:
    assert Parser(formats="mxtelecom").formats[:2] == ("mxtelecom.sms_report", "mxtelecom.mms_report")
    # Detection order is kept whatever order the caller lists formats in.
    assert Parser(formats=["mxtelecom.sms_inbound", "mxtelecom.sms_report"]).formats == (
        "mxtelecom.sms_report",
        "mxtelecom.sms_inbound",
    )
    with pytest.raises(ValueError, match="unknown format 'mxtelecom.fax'; known: "):
        Parser(formats="mxtelecom.fax")
    with pytest.raises(ValueError, match="formats must name at least one format"):
        Parser(formats=[])


def test_an_inbound_sms_starting_with_report_is_an_inbound_sms_on_an_inbound_endpoint() -> None:
    # mxtelecom.md 11: "a customer could send an MT whose text starts with REPORT ... let the caller state the
    # endpoint kind explicitly".
    query = INBOUND.replace("smsmsg=Hello+World", "smsmsg=REPORT+1+DELIVERED")
    assert isinstance(mmsdr.parse_request({}, b"", query), DeliveryReport)
    event = mmsdr.parse_request({}, b"", query, formats="mxtelecom.sms_inbound")
    assert isinstance(event, InboundMessage)
    assert event.text == "REPORT 1 DELIVERED"


def test_undetectable_request_is_415_naming_what_came() -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        mmsdr.parse_request({"Content-Type": "image/png"}, b"\x89PNG", "foo=1&bar=2")
    error = caught.value
    assert str(error) == "request: no accepted format matches (content type 'image/png', fields: bar, foo)"
    assert (error.status_hint, error.ack.status, error.provider, error.format) == (415, 415, None, None)


def test_single_format_endpoint_names_the_missing_field_instead_of_415() -> None:
    with pytest.raises(mmsdr.MalformedRequestError, match="mxtelecom.sms_report: field 'smsmsg' is missing"):
        mmsdr.parse_request({}, b"", "foo=1", formats="mxtelecom.sms_report")


def test_detection_tries_the_formats_the_shape_allows_and_remembers_them() -> None:
    parser = mmsdr.Parser()
    soap = b"<Envelope><Body><DeliveryReportReq/></Body></Envelope>"
    for _ in range(2):  # the second time from the remembered candidates
        # No fields and a SOAP media type: only the MM7 formats are tried (this body then fails as MM7).
        with pytest.raises(mmsdr.MalformedRequestError, match=r"^mm7\.delivery_report: "):
            parser.parse({"Content-Type": "text/xml"}, soap)
        # Fields: every format may match, whatever the Content-Type says (a stray one on a GET).
        assert isinstance(parser.parse({"Content-Type": "text/xml"}, b"", REPORT), DeliveryReport)
        # No fields and a media type no format comes as: nothing is tried.
        with pytest.raises(UnsupportedFormatError, match="no accepted format matches"):
            parser.parse({"Content-Type": "text/csv"}, b"a,b")


def test_method_not_used_by_any_format_is_405() -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        mmsdr.parse_request({}, b"", REPORT, method="DELETE")
    assert str(caught.value).startswith("request: method 'DELETE' is not used by the accepted formats (GET, POST")
    assert caught.value.status_hint == 405
    assert isinstance(mmsdr.parse_request({}, b"", REPORT, method="head"), DeliveryReport)


@pytest.mark.parametrize(
    ("address", "trusted"),
    [
        ("83.166.68.0", True),
        ("83.166.69.255", True),  # "ie 68.0 -> 69.255"
        ("83.166.70.0", False),
        ("83.166.72.17", True),
        ("208.93.51.255", True),
        ("208.93.52.0", False),
        ("::ffff:83.166.68.10", True),  # IPv4-mapped, as dual-stack sockets report it
        ("2001:db8::1", False),
        (ipaddress.ip_address("83.166.68.10"), True),
        ("not an address", False),
        ("", False),
        (None, False),
    ],
)
def test_is_trusted_source(address: str | ipaddress.IPv4Address | None, trusted: bool) -> None:
    assert is_trusted_source(address) is trusted


def test_is_trusted_source_with_other_networks() -> None:
    assert is_trusted_source("10.1.2.3", networks=["10.0.0.0/8"])
    assert not is_trusted_source("83.166.68.1", networks=["10.0.0.0/8"])
    with pytest.raises(ValueError):
        is_trusted_source("10.1.2.3", networks=["10.0.0.0/33"])


def test_parser_with_trusted_networks_checks_every_request() -> None:
    parser = Parser(trusted_networks=mmsdr.mxtelecom.TRUSTED_NETWORKS)
    assert isinstance(parser.parse({}, b"", REPORT, remote_address="83.166.68.7"), DeliveryReport)
    with pytest.raises(UntrustedSourceError) as caught:
        parser.parse({}, b"", REPORT, remote_address="198.51.100.7")
    assert str(caught.value) == "request: source address '198.51.100.7' is not in the trusted networks"
    assert (caught.value.status_hint, caught.value.ack.status) == (403, 403)
    with pytest.raises(TypeError, match="needs parse"):
        parser.parse({}, b"", REPORT)


def test_a_parser_is_shared_safely_between_threads() -> None:
    parser = Parser(formats="mxtelecom")
    expected = parser.parse({}, b"", REPORT)
    results: list[object] = []

    def work() -> None:
        results.extend(parser.parse({}, b"", REPORT) for _ in range(200))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 800


def test_acknowledge_refuses_what_is_not_an_event() -> None:
    with pytest.raises(TypeError, match="acknowledge\\(\\) takes an event from parse_request, got str"):
        mmsdr.acknowledge("OK")  # type: ignore[arg-type]


def test_events_are_frozen_and_slotted() -> None:
    event = mmsdr.parse_request({}, b"", REPORT)
    with pytest.raises(AttributeError):
        event.timestamp = None  # type: ignore[misc, assignment]
    assert not hasattr(event, "__dict__")


def test_status_values_and_finality() -> None:
    # status-model.md: exactly these values, and these final ones.
    assert [status.value for status in mmsdr.Status] == [
        "pending",
        "forwarded",
        "delivered",
        "read",
        "deleted",
        "expired",
        "rejected",
        "failed",
        "indeterminate",
        "unknown",
    ]
    assert {status.value for status in mmsdr.Status if status.is_final} == {
        "delivered",
        "read",
        "deleted",
        "expired",
        "rejected",
        "failed",
        "indeterminate",
    }
    assert str(mmsdr.Status.DELIVERED) == "delivered"
    assert mmsdr.Status("delivered") is mmsdr.Status.DELIVERED


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="Limits.max_parts must be a positive int, got 0"):
        mmsdr.Limits(max_parts=0)
    assert mmsdr.Limits().replace(max_parts=3).max_parts == 3


def test_ack_status_line() -> None:
    assert mmsdr.Ack(status=200, headers=(), body=b"").status_line == "200 OK"
    assert mmsdr.Ack(status=599, headers=(), body=b"").status_line == "599 Unknown"


def test_error_repr_and_attributes() -> None:
    with pytest.raises(mmsdr.MmsdrError) as caught:
        mmsdr.parse_request({}, b"", "smsmsg=REPORT+1+X&smsdate=2002-04-30+21%3A58%3A00")
    assert repr(caught.value) == (
        "MalformedRequestError(\"mxtelecom.sms_report: field 'smsfrom' is missing\", status_hint=400)"
    )

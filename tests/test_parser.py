"""The entry points: format selection and detection, methods, sources, errors and acknowledgements."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from _support import BATCH_FORMAT, BATCH_OK, at, only_event, query_fixture, utc_offset, without_keys

import mmsdr
from mmsdr import (
    Callback,
    DeliveryReport,
    InboundMessage,
    Parser,
    RawFields,
    Status,
    UnsupportedFormatError,
    UntrustedSourceError,
    is_trusted_source,
)
from mmsdr._format import retry_later
from mmsdr._request import Request

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


SOAP_TYPES = frozenset({"multipart/related", "application/soap+xml", "text/xml", "application/xml"})
QUERY_METHODS = frozenset({"GET", "POST"})


@pytest.mark.parametrize(
    ("name", "methods", "body_media_types", "details_types"),
    [
        ("mxtelecom.sms_report", QUERY_METHODS, frozenset(), ("SmsReportDetails",)),
        ("mxtelecom.mms_report", QUERY_METHODS, frozenset(), ("MmsReportDetails",)),
        ("mxtelecom.sms_inbound", QUERY_METHODS, frozenset(), ("SmsInboundDetails",)),
        ("mxtelecom.mms_inbound", QUERY_METHODS, frozenset({"multipart/form-data"}), ("MmsInboundDetails",)),
        ("mxtelecom.unsubscribe", QUERY_METHODS, frozenset(), ()),
        ("mxtelecom.renewal", QUERY_METHODS, frozenset(), ()),
        ("mm7.delivery_report", frozenset({"POST"}), SOAP_TYPES, ("Envelope", "ReportDetails")),
        ("mm7.deliver", frozenset({"POST"}), SOAP_TYPES, ("Envelope", "DeliverDetails")),
        ("mm7.read_reply", frozenset({"POST"}), SOAP_TYPES, ("Envelope", "ReportDetails")),
        (
            "openmarket.mms_report",
            frozenset({"POST"}),
            frozenset({"application/json", "text/json"}),
            ("RequestDetails", "ReportDetails"),
        ),
        (
            "openmarket.mms_inbound",
            frozenset({"POST"}),
            frozenset({"multipart/mixed"}),
            ("RequestDetails", "InboundDetails"),
        ),
    ],
)
def test_every_format_says_how_it_comes(
    name: str, methods: frozenset[str], body_media_types: frozenset[str], details_types: tuple[str, ...]
) -> None:
    fmt = mmsdr.FORMATS[name]
    assert (fmt.name, fmt.provider, fmt.methods, fmt.body_media_types) == (
        name,
        name.split(".", maxsplit=1)[0],
        methods,
        body_media_types,
    )
    assert tuple(kind.__name__ for kind in fmt.details_types) == details_types
    assert all(issubclass(kind, mmsdr.Details) for kind in fmt.details_types)
    # The MM7 formats answer errors with their own SOAP fault; the others with plain text.
    assert (fmt.reject is not None) == name.startswith("mm7.")


def test_the_format_table_is_the_whole_list() -> None:
    assert len(mmsdr.FORMATS) == 24


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
    # A handset can send a text that starts with REPORT: with every format accepted it reads as a report, so the
    # caller states the endpoint kind (Parser(formats=...)).
    query = INBOUND.replace("smsmsg=Hello+World", "smsmsg=REPORT+1+DELIVERED")
    assert isinstance(only_event(mmsdr.parse_request({}, b"", query)), DeliveryReport)
    event = only_event(mmsdr.parse_request({}, b"", query, formats="mxtelecom.sms_inbound"), InboundMessage)
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


def test_detection_tries_the_formats_the_shape_allows() -> None:
    parser = mmsdr.Parser()
    soap = b"<Envelope><Body><DeliveryReportReq/></Body></Envelope>"
    for _ in range(2):  # the same answers the second time: a parser keeps no state between requests
        # No fields and a SOAP media type: only the MM7 formats are tried (this body then fails as MM7).
        with pytest.raises(mmsdr.MalformedRequestError, match=r"^mm7\.delivery_report: "):
            parser.parse({"Content-Type": "text/xml"}, soap)
        # Fields: every format may match, whatever the Content-Type says (a stray one on a GET).
        assert isinstance(only_event(parser.parse({"Content-Type": "text/xml"}, b"", REPORT)), DeliveryReport)
        # No fields and a media type no format comes as: nothing is tried.
        with pytest.raises(UnsupportedFormatError, match="no accepted format matches"):
            parser.parse({"Content-Type": "text/csv"}, b"a,b")


def test_method_not_used_by_any_format_is_405() -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        mmsdr.parse_request({}, b"", REPORT, method="DELETE")
    assert str(caught.value).startswith("request: method 'DELETE' is not used by the accepted formats (GET, POST")
    assert caught.value.status_hint == 405
    assert isinstance(only_event(mmsdr.parse_request({}, b"", REPORT, method="head")), DeliveryReport)


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


@pytest.mark.parametrize("address", [1403470853, True, b"83.166.68.5"])
def test_is_trusted_source_takes_no_other_types(address: object) -> None:
    """An int would be read as an address (1403470853 is 83.166.68.5): a programming error, not a pass."""
    with pytest.raises(TypeError, match="takes the address as str, IPv4Address or IPv6Address, not"):
        is_trusted_source(address)  # type: ignore[arg-type]


def test_parser_with_trusted_networks_checks_every_request() -> None:
    parser = Parser(trusted_networks=mmsdr.mxtelecom.NETWORKS)
    assert isinstance(only_event(parser.parse({}, b"", REPORT, remote_address="83.166.68.7")), DeliveryReport)
    with pytest.raises(UntrustedSourceError) as caught:
        parser.parse({}, b"", REPORT, remote_address="198.51.100.7")
    assert str(caught.value) == "request: source address '198.51.100.7' is not in the trusted networks"
    assert (caught.value.status_hint, caught.value.ack.status) == (403, 403)
    with pytest.raises(UntrustedSourceError) as caught:  # no address: refused, never a pass
        parser.parse({}, b"", REPORT)
    assert str(caught.value) == (
        "request: no remote address to check against the trusted networks; pass parse(..., remote_address=...)"
    )


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


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("OK", "str"),
        (None, "NoneType"),
        (only_event(mmsdr.parse_request({}, b"", REPORT)), "DeliveryReport"),  # an event, not its callback
        (mmsdr.parse_request({}, b"", REPORT).to_dict(), "dict"),
    ],
    ids=["str", "none", "event", "dict"],
)
def test_acknowledge_refuses_what_is_not_a_callback(value: object, name: str) -> None:
    message = f"acknowledge() takes the Callback parse_request returned, got {name}"
    with pytest.raises(TypeError) as caught:
        mmsdr.acknowledge(value)  # type: ignore[arg-type]
    assert str(caught.value) == message
    with pytest.raises(TypeError) as caught:
        mmsdr.acknowledge(value, retry=True)  # type: ignore[arg-type]
    assert str(caught.value) == message
    with pytest.raises(TypeError) as caught:
        Parser().acknowledge(value)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_events_and_callbacks_are_frozen_and_slotted() -> None:
    callback = mmsdr.parse_request({}, b"", REPORT)
    event = only_event(callback)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.timestamp = None  # type: ignore[misc, assignment]
    with pytest.raises(dataclasses.FrozenInstanceError):
        callback.events = ()  # type: ignore[misc]
    assert event.details is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.details.note = "x"  # type: ignore[attr-defined]
    for value in (event, callback, event.details):
        assert not hasattr(value, "__dict__")


def test_a_callback_carries_at_least_one_event() -> None:
    with pytest.raises(ValueError) as caught:
        Callback(provider="mxtelecom", format="mxtelecom.sms_report", events=())
    assert str(caught.value) == "a Callback carries at least one event"


def test_status_values_and_finality() -> None:
    # docs/status.md: exactly these values, and these final ones.
    assert [status.value for status in mmsdr.Status] == [
        "pending",
        "forwarded",
        "delivered",
        "read",
        "deleted",
        "expired",
        "rejected",
        "failed",
        "cancelled",
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
        "cancelled",
        "indeterminate",
    }
    assert str(mmsdr.Status.DELIVERED) == "delivered"
    assert mmsdr.Status("delivered") is mmsdr.Status.DELIVERED
    assert mmsdr.Status("cancelled") is mmsdr.Status.CANCELLED


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


# --- formats of your own, and a request carrying several events ----------------------------------------------------


class Calls:
    """A ``matches`` that records every request it is asked about and answers ``answer``."""

    def __init__(self, *, answer: bool) -> None:
        self.requests: list[Request] = []
        self.answer = answer

    def __call__(self, request: Request) -> bool:
        self.requests.append(request)
        return self.answer


def refuse_to_match(request: Request) -> bool:
    msg = "matches() must not be called for a parser of one format"
    raise AssertionError(msg)


@pytest.mark.parametrize("matches", [Calls(answer=False), refuse_to_match], ids=["counting", "raising"])
def test_a_parser_of_one_format_does_not_call_its_matches(matches: Callable[[Request], bool]) -> None:
    own = dataclasses.replace(mmsdr.FORMATS["mxtelecom.sms_report"], name="test.sms_report", matches=matches)
    parser = Parser(formats=[own])
    assert parser.formats == ("test.sms_report",)
    callback = parser.parse({}, b"", REPORT)
    # Read by that format's parse (which names its events after the built-in format it reuses).
    assert callback == mmsdr.parse_request({}, b"", REPORT)
    # Even a request of another shape goes to its parse, so that the error names the missing field.
    with pytest.raises(mmsdr.MalformedRequestError) as caught:
        parser.parse({}, b"", INBOUND)
    assert (
        str(caught.value)
        == "mxtelecom.sms_report: field 'smsmsg' must be 'REPORT <SMS ID> <STATUS>', got 'Hello World'"
    )
    if isinstance(matches, Calls):
        assert matches.requests == []


def test_a_format_of_your_own_is_tried_after_the_built_in_ones() -> None:
    everything = Calls(answer=True)
    own = dataclasses.replace(
        BATCH_FORMAT, name="test.everything", methods=frozenset({"GET", "POST"}), matches=everything
    )
    parser = Parser(formats=[own, "mxtelecom.sms_report", "mxtelecom.sms_inbound"])
    assert parser.formats == ("mxtelecom.sms_report", "mxtelecom.sms_inbound", "test.everything")
    # A built-in format that matches wins: the format of your own is not even asked.
    assert only_event(parser.parse({}, b"", REPORT)).format == "mxtelecom.sms_report"
    assert only_event(parser.parse({}, b"", INBOUND)).format == "mxtelecom.sms_inbound"
    assert everything.requests == []
    # What no built-in format matches goes to it.
    callback = parser.parse({"Content-Type": "application/json"}, json.dumps([BATCH[0]]).encode(), None)
    assert callback.format == "test.batch"
    assert len(everything.requests) == 1
    assert everything.requests[0].media_type == "application/json"


BATCH = [
    {"id": "a", "status": "delivered", "to": "447700900001", "from": "81111", "code": "0", "text": "ok",
     "date": "2024-05-06T07:08:09+00:00"},
    {"id": "b", "status": "failed", "to": "447700900002", "from": "81111", "code": "34", "text": "no route",
     "date": "2024-05-06T07:08:10+00:00"},
    {"id": "c", "status": "cancelled", "to": "447700900003", "from": "81112", "code": "7", "text": "cancelled",
     "date": "2024-05-06T08:08:10+01:00"},
]  # fmt: skip


BATCH_TIMES = [
    at(2024, 5, 6, 7, 8, 9, tz=utc_offset(0)),
    at(2024, 5, 6, 7, 8, 10, tz=utc_offset(0)),
    at(2024, 5, 6, 7, 8, 10, tz=utc_offset(0)),  # 08:08:10+01:00
]


def batch_event(item: dict[str, str], timestamp: datetime) -> DeliveryReport:
    return DeliveryReport(
        provider="test",
        format="test.batch",
        timestamp=timestamp,
        dedupe_key="",
        raw=RawFields(item.items()),
        message_id=item["id"],
        status=Status(item["status"]),
        provider_status=item["status"],
        provider_code=item["code"],
        recipient=item["to"],
        sender=item["from"],
        status_text=item["text"],
    )


def test_a_request_carrying_several_events_gives_one_event_each_in_order() -> None:
    parser = Parser(formats=[BATCH_FORMAT])
    callback = parser.parse({"Content-Type": "application/json"}, json.dumps(BATCH).encode(), None, method="POST")
    assert without_keys(callback) == Callback(
        provider="test",
        format="test.batch",
        events=tuple(batch_event(item, timestamp) for item, timestamp in zip(BATCH, BATCH_TIMES, strict=True)),
        warnings=(),
        details=None,
    )
    keys = [event.dedupe_key for event in callback.events]
    assert len(set(keys)) == 3
    assert all(key.startswith("test.batch:") for key in keys)
    # Each event keeps its own element's fields as raw, not the whole body.
    assert [event.raw["id"] for event in callback.events] == ["a", "b", "c"]


def test_a_callback_of_several_events_gets_one_answer() -> None:
    parser = Parser(formats=[BATCH_FORMAT])
    callback = parser.parse({"Content-Type": "application/json"}, json.dumps(BATCH).encode(), None)
    # mmsdr.acknowledge knows only mmsdr's formats (it looks the format up in mmsdr.FORMATS) ...
    with pytest.raises(ValueError) as caught:
        mmsdr.acknowledge(callback)
    assert str(caught.value) == (
        "acknowledge(): 'test.batch' is not one of mmsdr's formats; "
        "answer a format of your own with the Parser that read it: parser.acknowledge(callback)"
    )
    with pytest.raises(ValueError):
        mmsdr.acknowledge(callback, retry=True)
    # ... the Parser that read it, and the format itself, give one answer for the whole request.
    assert parser.acknowledge(callback) == BATCH_OK
    assert BATCH_FORMAT.acknowledge(callback) == BATCH_OK
    assert parser.acknowledge(callback, retry=True) == retry_later(callback)
    assert parser.acknowledge(callback, retry=True) == mmsdr.Ack.plain_text(
        503, "not processed now; send this callback again later"
    )


def test_a_parser_answers_only_the_formats_it_reads() -> None:
    callback = mmsdr.parse_request({}, b"", REPORT)
    assert Parser(formats="mxtelecom").acknowledge(callback) == mmsdr.acknowledge(callback)
    assert Parser(formats="mxtelecom").acknowledge(callback, retry=True) == mmsdr.acknowledge(callback, retry=True)
    with pytest.raises(ValueError) as caught:
        Parser(formats=[BATCH_FORMAT]).acknowledge(callback)
    assert str(caught.value) == "acknowledge(): this parser does not read the format 'mxtelecom.sms_report'"


# --- the clock and the zones (issue #14) ----------------------------------------------------------------------------


def test_each_format_has_its_own_default_zone() -> None:
    zones = {name: fmt.default_zone for name, fmt in mmsdr.FORMATS.items()}
    assert zones == {name: "Europe/London" if name.startswith("mxtelecom.") else "UTC" for name in mmsdr.FORMATS}


def test_an_endpoint_zone_applies_to_every_format() -> None:
    query = "smsfrom=1&smsmsg=hi&smsto=2&smsid=3&smsdate=2010-07-15+12%3A00%3A00"
    callback = mmsdr.Parser(default_zone=UTC).parse({}, b"", query)
    assert callback.events[0].timestamp == datetime(2010, 7, 15, 12, tzinfo=UTC)
    assert callback.warnings == ("field 'smsdate' has no UTC offset: read in UTC",)


def test_a_missing_time_is_the_clocks_and_the_key_is_not() -> None:
    query = "smsfrom=1&smsmsg=hi&smsto=2&smsid=3"
    first = mmsdr.Parser(clock=lambda: datetime(2030, 1, 1, tzinfo=UTC)).parse({}, b"", query)
    second = mmsdr.parse_request({}, b"", query, clock=lambda: datetime(2031, 2, 2, tzinfo=UTC))
    assert (first.events[0].timestamp, second.events[0].timestamp) == (
        datetime(2030, 1, 1, tzinfo=UTC),
        datetime(2031, 2, 2, tzinfo=UTC),
    )
    assert first.events[0].dedupe_key == second.events[0].dedupe_key
    assert first.warnings == ("field 'smsdate' is missing: timestamp is the time the request was read",)


def test_the_default_clock_is_now_in_utc() -> None:
    before = datetime.now(UTC)
    event = mmsdr.parse_request({}, b"", "smsfrom=1&smsmsg=hi&smsto=2&smsid=3").events[0]
    assert before <= event.timestamp <= datetime.now(UTC)
    assert event.timestamp.utcoffset() == timedelta(0)


def test_a_clock_that_is_not_one_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="clock must be a callable returning a timezone-aware datetime, got str"):
        mmsdr.Parser(clock="now")  # type: ignore[arg-type]
    parser = mmsdr.Parser(clock=lambda: datetime(2030, 1, 1))  # noqa: DTZ001 - the mistake under test
    with pytest.raises(TypeError, match="the Parser's clock must return a timezone-aware datetime"):
        parser.parse({}, b"", "smsfrom=1&smsmsg=hi&smsto=2&smsid=3")


def test_a_zone_that_is_not_one() -> None:
    with pytest.raises(TypeError, match="default_zone must be a zone name or a tzinfo, got int"):
        mmsdr.Parser(default_zone=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        mmsdr.Parser(default_zone="Mars/Olympus")

"""Event.to_dict() and mmsdr.event_from_dict(): an event read back from its data (JSON text included) is equal
to it, for events of every format and for every MX Telecom fixture; data that is not an event's is refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from _support import DATA, only_event
from hypothesis import HealthCheck, given, settings

import mmsdr
from mmsdr import Event
from mmsdr.testing import strategies

MX_FIXTURES = sorted(path.stem for path in (DATA / "mxtelecom").glob("*.query"))


def read_back(event: Event) -> tuple[Event, Event]:
    """The event read from its to_dict() data, and read from that data as JSON text."""
    data = event.to_dict()
    return mmsdr.event_from_dict(data), mmsdr.event_from_dict(json.loads(json.dumps(data)))


def assert_reads_back(event: Event) -> None:
    direct, from_json = read_back(event)
    assert direct == event
    assert from_json == event
    # Equal, and of the same classes (dataclass equality checks the class; details are compared whole).
    assert type(direct) is type(event)
    assert type(from_json.details) is type(event.details)
    assert from_json.raw.multi_items() == event.raw.multi_items()
    assert from_json.to_dict() == event.to_dict()


@given(strategies.events())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_every_event_reads_back_from_its_data(event: Event) -> None:
    assert_reads_back(event)


@given(strategies.callbacks())
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_every_event_of_a_callback_reads_back(callback: mmsdr.Callback) -> None:
    for event in callback.events:
        assert_reads_back(event)


def test_the_fixtures_are_found() -> None:
    assert len(MX_FIXTURES) == 16


@pytest.mark.parametrize("fixture", MX_FIXTURES)
def test_every_mx_fixture_reads_back_from_its_data(fixture: str) -> None:
    query = (DATA / "mxtelecom" / f"{fixture}.query").read_text(encoding="ascii").splitlines()[-1]
    event = only_event(mmsdr.parse_request({}, b"", query))
    assert_reads_back(event)


def test_the_data_names_its_classes() -> None:
    query = (DATA / "mxtelecom" / "mms-inbound-get.query").read_text(encoding="ascii").splitlines()[-1]
    data = only_event(mmsdr.parse_request({}, b"", query)).to_dict()
    assert next(iter(data)) == "type"
    assert data["type"] == "InboundMessage"
    assert data["details"] == {
        "type": "MmsInboundDetails",
        "network": "TMOBILEUK",
        "expiry": "2010-08-22T17:32:21+01:00",
    }
    assert data["parts"] == [
        {
            "content_type": "application/zip",
            "data": None,
            "url": "https://mms.mxtelecom.com/RetrieveMMS?id=MX-91a7c2",
            "size": None,
            "content_id": None,
            "filename": "mms.zip",
            "charset": None,
            "text": None,
        }
    ]
    assert data["raw"][:2] == [["id", "MX-91a7c2"], ["from", "447700900123"]]


# --- data that is not an event's ------------------------------------------------------------------------------

REPORT = (DATA / "mxtelecom" / "sms-report-mx-us.query").read_text(encoding="ascii").splitlines()[-1]
NOT_A = "event_from_dict(): not the data of a DeliveryReport: "


def report_data() -> dict[str, Any]:
    return only_event(mmsdr.parse_request({}, b"", REPORT)).to_dict()


def set_reason_value(data: dict[str, Any]) -> None:
    data["details"]["reason"]["value"] = "1359151616"


def set_details_type(data: dict[str, Any]) -> None:
    data["details"]["type"] = "Envelope"  # an MM7 details class, not one of this format's


ERRORS = [
    ("unknown-type", lambda data: data.update(type="Fax"), "event_from_dict(): unknown event type 'Fax'"),
    ("base-type", lambda data: data.update(type="Report"), "event_from_dict(): unknown event type 'Report'"),
    ("no-type", lambda data: data.pop("type"), "event_from_dict(): unknown event type None"),
    (
        "unknown-format",
        lambda data: data.update(format="mxtelecom.fax"),
        "event_from_dict(): unknown format 'mxtelecom.fax'",
    ),
    ("no-format", lambda data: data.pop("format"), "event_from_dict(): unknown format None"),
    (
        "missing-field",
        lambda data: data.pop("message_id"),
        NOT_A + "DeliveryReport.__init__() missing 1 required keyword-only argument: 'message_id'",
    ),
    ("int-for-str", lambda data: data.update(message_id=17218733), NOT_A + "expected str, got int"),
    ("str-for-list", lambda data: data.update(raw="smsfrom=1"), NOT_A + "expected list, got str"),
    (
        "short-pair",
        lambda data: data.update(raw=[["smsfrom"]]),
        NOT_A + "a raw field is a [name, value] pair, got 1 items",
    ),
    ("unknown-status", lambda data: data.update(status="lost"), NOT_A + "'lost' is not a valid Status"),
    ("not-a-date", lambda data: data.update(timestamp="yesterday"), NOT_A + "Invalid isoformat string: 'yesterday'"),
    ("str-for-int-in-details", set_reason_value, NOT_A + "expected int, got str"),
    ("details-of-another-format", set_details_type, NOT_A + "unknown details type 'Envelope'"),
]


@pytest.mark.parametrize(("change", "message"), [row[1:] for row in ERRORS], ids=[row[0] for row in ERRORS])
def test_data_that_is_not_an_events_is_refused(change: Any, message: str) -> None:
    data = report_data()
    change(data)
    with pytest.raises(ValueError) as caught:
        mmsdr.event_from_dict(data)
    assert str(caught.value) == message


def test_refusing_leaves_the_data_unchanged() -> None:
    data = report_data()
    data["status"] = "lost"
    before = copy.deepcopy(data)
    with pytest.raises(ValueError):
        mmsdr.event_from_dict(data)
    assert data == before


def test_optional_fields_left_out_take_their_defaults() -> None:
    data = report_data()
    del data["status_text"], data["details"]["note"]
    event = mmsdr.event_from_dict(data)
    assert event == only_event(mmsdr.parse_request({}, b"", REPORT))


def test_data_that_is_not_a_mapping_is_refused_with_a_type_error() -> None:
    with pytest.raises(TypeError) as caught:
        mmsdr.event_from_dict([["type", "DeliveryReport"]])  # type: ignore[arg-type]
    assert str(caught.value) == "event_from_dict() takes the dict Event.to_dict() gives, got list"


def test_the_message_names_an_inbound_message_with_its_article() -> None:
    request = mmsdr.testing.mxtelecom_sms_inbound()
    data = only_event(request.parse()).to_dict()
    del data["message_id"]
    with pytest.raises(ValueError, match=r"^event_from_dict\(\): not the data of an InboundMessage: "):
        mmsdr.event_from_dict(data)


def test_fixture_files_are_only_query_files_and_a_readme() -> None:
    names = {path.name for path in Path(DATA / "mxtelecom").iterdir()}
    assert names == {"README.md", *(f"{name}.query" for name in MX_FIXTURES)}

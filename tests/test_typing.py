"""Static typing of the public API: mypy --strict checks these assert_type calls; pytest runs them too."""

from __future__ import annotations

from datetime import datetime
from typing import assert_type

import mmsdr
from mmsdr.mxtelecom import ReasonCode, SmsReportDetails


def test_public_api_types() -> None:
    callback = mmsdr.parse_request({}, b"", "smsfrom=1&smsmsg=REPORT+1+DELIVERED&smsdate=2002-04-30+21%3A58%3A00")
    assert_type(callback, mmsdr.Callback)
    assert_type(callback.events, tuple[mmsdr.Event, ...])
    assert_type(callback.warnings, tuple[str, ...])
    assert_type(callback.details, mmsdr.Details | None)
    (event,) = callback.events
    assert_type(event, mmsdr.Event)
    assert_type(event.timestamp, datetime)
    assert_type(event.raw.getall("smsfrom"), tuple[str, ...])
    assert_type(event.details, mmsdr.Details | None)
    ack = mmsdr.acknowledge(callback)
    assert_type(ack, mmsdr.Ack)
    assert_type(mmsdr.acknowledge(callback, retry=True), mmsdr.Ack)
    assert_type(ack.headers, tuple[tuple[str, str], ...])
    assert isinstance(event, mmsdr.DeliveryReport)
    assert_type(event.status, mmsdr.Status)
    assert_type(event.status.is_final, bool)
    assert_type(event.provider_code, str | None)
    assert isinstance(event.details, SmsReportDetails)
    assert_type(event.details.reason, ReasonCode | None)
    assert_type(event.details.report_id, str | None)
    assert_type(mmsdr.event_from_dict(event.to_dict()), mmsdr.Event)
    assert_type(mmsdr.is_trusted_source("83.166.68.1"), bool)
    assert_type(mmsdr.Parser().formats, tuple[str, ...])
    assert_type(mmsdr.FORMATS["mxtelecom.sms_report"].body_media_types, frozenset[str] | None)


def test_part_by_reference_types() -> None:
    part = mmsdr.Part(content_type="application/zip", url="https://example.invalid/x")
    assert_type(part.data, bytes | None)
    assert_type(part.url, str | None)
    assert_type(part.text, str | None)
    assert (part.data, part.text) == (None, None)

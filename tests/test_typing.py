"""Static typing of the public API: mypy --strict checks these assert_type calls; pytest runs them too."""

from __future__ import annotations

from datetime import datetime
from typing import assert_type

import mmsdr
from mmsdr.mxtelecom import ReasonCode


def test_public_api_types() -> None:
    event = mmsdr.parse_request({}, b"", "smsfrom=1&smsmsg=REPORT+1+DELIVERED&smsdate=2002-04-30+21%3A58%3A00")
    assert_type(event, mmsdr.Event)
    assert_type(event.timestamp, datetime)
    assert_type(event.raw.getall("smsfrom"), tuple[str, ...])
    ack = mmsdr.acknowledge(event)
    assert_type(ack, mmsdr.Ack)
    assert_type(ack.headers, tuple[tuple[str, str], ...])
    assert isinstance(event, mmsdr.DeliveryReport)
    assert_type(event.status, mmsdr.Status)
    assert_type(event.status.is_final, bool)
    assert_type(event.reason, ReasonCode | None)
    assert_type(mmsdr.is_trusted_source("83.166.68.1"), bool)
    assert_type(mmsdr.Parser().formats, tuple[str, ...])

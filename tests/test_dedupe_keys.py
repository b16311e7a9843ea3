"""dedupe_key: equal for retries of one callback, different for any other callback."""

from __future__ import annotations

import pytest
from _support import only_event, query_fixture

import mmsdr


def parse_one(query: str, headers: dict[str, str] | None = None) -> mmsdr.Event:
    return only_event(mmsdr.parse_request(headers or {}, b"", query))


FIXTURES = [
    "sms-report-mx-us",
    "sms-report-brackets",
    "sms-report-none-buffered",
    "mms-report-delivered",
    "mms-report-read-space",
    "sms-inbound-mx-uk",
    "sms-inbound-latin9",
    "mms-inbound-get",
    "unsubscribe",
    "renewal",
]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_a_retry_gives_the_same_key(fixture: str) -> None:
    query = query_fixture("mxtelecom", fixture)
    first = parse_one(query)
    # A retry arrives with other headers, perhaps as a form POST, perhaps with its fields reordered.
    retry = parse_one("&".join(reversed(query.split("&"))), {"User-Agent": "retry/2"})
    assert retry.dedupe_key == first.dedupe_key
    assert retry.dedupe_key.startswith(first.format + ":")
    assert len(retry.dedupe_key) == len(first.format) + 1 + 32


def test_every_fixture_has_its_own_key() -> None:
    keys = {parse_one(query_fixture("mxtelecom", name)).dedupe_key for name in FIXTURES}
    assert len(keys) == len(FIXTURES)


SMS_REPORT = "smsfrom=447931123456&smsmsg=REPORT+17218733+{status}&smsid={smsid}&smsdate={date}&reason={reason}"


@pytest.mark.parametrize(
    "later",
    [
        {"status": "DELIVERED"},  # a later status of the same message
        {"smsid": "17221294"},  # a second BUFFERED report of the same message
        {"date": "2002-04-30+22%3A58%3A00"},  # the same status again, later
        {"reason": "1359151617"},  # another reason
    ],
)
def test_another_sms_report_for_the_same_message_has_another_key(later: dict[str, str]) -> None:
    fields = {"status": "BUFFERED", "smsid": "17221293", "date": "2002-04-30+21%3A58%3A00", "reason": "805306368"}
    first = parse_one(SMS_REPORT.format(**fields))
    second = parse_one(SMS_REPORT.format(**{**fields, **later}))
    assert isinstance(first, mmsdr.DeliveryReport)
    assert isinstance(second, mmsdr.DeliveryReport)
    assert first.message_id == second.message_id
    assert first.dedupe_key != second.dedupe_key


MMS_REPORT = "id={id}&requestid=77110011&to=81111&from={to}&date=2010-08-21+17%3A32%3A21&type={type}&status={status}"


@pytest.mark.parametrize(
    "later",
    [
        {"id": "2", "status": "3"},  # delivered after buffered
        {"id": "1", "status": "3"},  # even if a provider reused the report id
        {"id": "1", "to": "447700900999"},  # the other recipient's report
        {"id": "1", "type": "2", "status": "1"},  # a read report numbered like a delivery report
    ],
)
def test_another_mms_report_for_the_same_message_has_another_key(later: dict[str, str]) -> None:
    fields = {"id": "1", "to": "447700900123", "type": "1", "status": "1"}
    first = parse_one(MMS_REPORT.format(**fields))
    second = parse_one(MMS_REPORT.format(**{**fields, **later}))
    assert first.dedupe_key != second.dedupe_key


def test_inbound_sms_key_is_the_smsid() -> None:
    # "The customer must de-duplicate on smsid": the same smsid is the same message, whatever else changed.
    query = query_fixture("mxtelecom", "sms-inbound-mx-uk")
    first = parse_one(query)
    same = parse_one(query.replace("2002-04-30", "2002-05-01"))
    other = parse_one(query.replace("smsid=17221293", "smsid=17221294"))
    assert first.dedupe_key == same.dedupe_key
    assert first.dedupe_key != other.dedupe_key

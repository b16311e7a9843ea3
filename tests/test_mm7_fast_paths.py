"""MM7's fast paths give exactly what the general code gives.

Reports read in one pass: the one-pass reading (``read_ordinary`` and ``_ordinary_report`` in ``mmsdr/mm7``)
takes only the ordinary shape and leaves every other request to the general reading, which alone raises errors.
Each case here is read both ways, the general way first, and must give equal events (every field, ``raw`` and
``dedupe_key`` included) or equal errors (type, message, field, ack).

Acknowledgements from a template: ``acknowledge`` fills a cached template with the TransactionID; it must give
the bytes ``response`` builds in full.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from _support import DATA
from test_mm7 import DR_FIELDS, NS14, SOAP_12, Headers, envelope, request, xml

import mmsdr
from mmsdr import Limits, MmsdrError, mm7
from mmsdr.mm7 import _envelope, _operations, _responses

FIXTURES = sorted(path.name for path in (DATA / "mm7").iterdir() if path.suffix in {".http", ".xml"})

# The fixtures the one-pass reading takes (the others are MOs, responses, faults, or not ordinary).
ORDINARY_FIXTURES = {
    "annex-delivery-report.http",
    "annex-read-reply.http",
    "cmcc-delivery-report.http",
    "cmcc-delivery-report-rel5.http",
    "rel5-delivery-report.http",
    "sinch-2020-delivery-report.http",
    "sinch-delivery-report-example.xml",
    "sinch-delivery-report.http",
    "skycore-delivery-report.http",
    "telstra-mock-delivery-report.http",
    "vibes-delivery-report.http",
}

RR_FIELDS = (
    "<MessageID>m-1</MessageID>"
    "<Recipient><Number>447700900123</Number></Recipient>"
    "<Sender><ShortCode>12345</ShortCode></Sender>"
    "<TimeStamp>2024-05-06T07:08:09Z</TimeStamp>"
    "<MMStatus>Read</MMStatus>"
)


def dr(old: str = "", new: str = "", **options: Any) -> tuple[Headers, bytes]:
    return xml(envelope(DR_FIELDS.replace(old, new) if old else DR_FIELDS, **options))


# (id, request, options for parse_request, whether the one-pass reading takes it)
VARIANTS: list[tuple[str, tuple[Headers, bytes], dict[str, Any], bool]] = [
    ("template", dr(), {}, True),
    ("prefixed", dr(prefix="mm7"), {}, True),
    ("no namespace", dr(namespace=None), {}, True),
    ("soap 1.2", dr(soap=SOAP_12), {}, True),
    ("transaction id with spaces", dr(transaction_id="\n  t-1 \n"), {}, True),
    ("transaction id empty", dr(transaction_id=" "), {}, False),
    ("no header", dr(transaction_id=None), {}, False),
    ("no version", dr(version=None), {}, False),
    ("bad version", dr(version="6.8"), {}, False),
    ("unsupported version", dr(version="7.0.0"), {}, False),
    ("version with spaces", dr(version=" 6.8.0 "), {}, True),
    ("other version", dr(version="5.3.0"), {}, True),
    ("message id missing", dr("<MessageID>m-1</MessageID>", ""), {}, False),
    ("message id empty", dr("<MessageID>m-1</MessageID>", "<MessageID> </MessageID>"), {}, False),
    ("message id repeated", dr("<MessageID>m-1</MessageID>", "<MessageID>m-1</MessageID>" * 2), {}, False),
    (
        "message id repeated apart",
        dr("<MessageID>m-1</MessageID>", "<MessageID>m-1</MessageID><MessageID>m-2</MessageID>"),
        {},
        False,
    ),
    ("status empty", dr("<MMStatus>Retrieved</MMStatus>", "<MMStatus/>"), {}, False),
    ("status unknown", dr("Retrieved", "Exploded"), {}, True),
    ("status case", dr("Retrieved", " RETRIEVED "), {}, True),
    ("recipient missing", dr("<Recipient><Number>447700900123</Number></Recipient>", ""), {}, False),
    (
        "recipient bare text",
        dr("<Recipient><Number>447700900123</Number></Recipient>", "<Recipient> +4477 </Recipient>"),
        {},
        True,
    ),
    ("recipient to", dr("<Number>447700900123</Number>", "<To><Number>447700900123</Number></To>"), {}, False),
    ("recipient empty number", dr("<Number>447700900123</Number>", "<Number> </Number>"), {}, False),
    ("recipient plmn", dr("447700900123", "+447700900123/TYPE=PLMN"), {}, True),
    ("recipient plmn at", dr("447700900123", "447700900123/TYPE=PLMN@mm7.example.com"), {}, True),
    ("recipient slash", dr("447700900123", "4477/00900123"), {}, True),
    ("recipient rfc2822", dr("<Number>447700900123</Number>", "<RFC2822Address>a@b.c</RFC2822Address>"), {}, True),
    ("recipient shortcode case", dr("<Number>447700900123</Number>", "<Shortcode>447700900123</Shortcode>"), {}, True),
    ("recipient two numbers", dr("<Number>447700900123</Number>", "<Number>1</Number><Number>2</Number>"), {}, True),
    ("recipient unknown child", dr("<Number>447700900123</Number>", "<Phone>447700900123</Phone>"), {}, False),
    ("recipient empty", dr("<Recipient><Number>447700900123</Number></Recipient>", "<Recipient/>"), {}, False),
    ("sender missing", dr("<Sender><ShortCode>12345</ShortCode></Sender>", ""), {}, True),
    ("sender bare plmn", dr("<Sender><ShortCode>12345</ShortCode></Sender>", "<Sender>1/TYPE=PLMN</Sender>"), {}, True),
    ("sender empty", dr("<Sender><ShortCode>12345</ShortCode></Sender>", "<Sender/>"), {}, False),
    ("sender bare text", dr("<Sender><ShortCode>12345</ShortCode></Sender>", "<Sender>12345</Sender>"), {}, True),
    ("date zone-less", dr("2024-05-06T07:08:09Z", "2024-05-06T07:08:09"), {}, True),
    (
        "date zone-less in a zone",
        dr("2024-05-06T07:08:09Z", "2024-05-06T07:08:09"),
        {"default_zone": "Asia/Tokyo"},
        True,
    ),
    ("date offset", dr("2024-05-06T07:08:09Z", "2024-05-06T07:08:09.5+02:00"), {}, True),
    ("date with space", dr("2024-05-06T07:08:09Z", " 2024-05-06 07:08:09 "), {}, True),
    ("date bad", dr("2024-05-06T07:08:09Z", "yesterday"), {}, False),
    ("date empty", dr("<Date>2024-05-06T07:08:09Z</Date>", "<Date/>"), {}, False),
    ("date missing", dr("<Date>2024-05-06T07:08:09Z</Date>", ""), {}, False),
    ("timestamp", dr("<Date>2024-05-06T07:08:09Z</Date>", "<TimeStamp>2024-05-06T07:08:09Z</TimeStamp>"), {}, True),
    ("date and timestamp", dr("</MMStatus>", "</MMStatus><TimeStamp>2020-01-01T00:00:00Z</TimeStamp>"), {}, True),
    ("status text", dr("</MMStatus>", "</MMStatus><StatusText> Success </StatusText>"), {}, True),
    ("status text empty", dr("</MMStatus>", "</MMStatus><StatusText> </StatusText>"), {}, True),
    ("status extension", dr("</MMStatus>", "</MMStatus><MMStatusExtension>x</MMStatusExtension>"), {}, True),
    ("status extension empty", dr("</MMStatus>", "</MMStatus><MMStatusExtension/>"), {}, True),
    ("uaprof", dr("</MMStatus>", '</MMStatus><UACapabilities UAProf=" Galaxy " TimeStamp="x"/>'), {}, True),
    ("uaprof empty", dr("</MMStatus>", '</MMStatus><UACapabilities UAProf=""/>'), {}, True),
    ("uaprof prefixed", dr("</MMStatus>", f'</MMStatus><UACapabilities xmlns:p="{NS14}" p:UAProf="G"/>'), {}, True),
    ("unknown element", dr("</MMStatus>", "</MMStatus><Extra a='1'>x<Deep>y</Deep></Extra>"), {}, True),
    ("unknown element repeated", dr("</MMStatus>", "</MMStatus><Extra>x</Extra><Extra>x</Extra>"), {}, False),
    ("relay server id", dr("<MessageID>", "<MMSRelayServerID/><MessageID>"), {}, True),
    ("deliver req", xml(envelope(operation="DeliverReq")), {"formats": "mm7.delivery_report"}, False),
    ("submit req", xml(envelope(operation="SubmitReq")), {}, False),
    ("read reply", xml(envelope(RR_FIELDS, operation="ReadReplyReq")), {}, True),
    ("read reply with date", xml(envelope(RR_FIELDS.replace("TimeStamp", "Date"), operation="ReadReplyReq")), {}, True),
    ("element cap", dr(), {"limits": Limits(max_xml_elements=5)}, False),
    ("element cap near", dr(), {"limits": Limits(max_xml_elements=12)}, False),
]

HEADER_VARIANTS: list[tuple[str, Headers]] = [
    ("operator", [("x-mblox-operator-id", " 0001890 ")]),
    ("operator blank then carrier", [("X-Mblox-Operator-Id", " "), ("X-Mblox-Carrier-Id", "42")]),
    ("operator repeated", [("x-mblox-operator-id", ""), ("x-mblox-operator-id", "7"), ("x-skycore-carrier-id", "8")]),
    ("profile headers", [("X-Wap-Profile", " http://p "), ("UAProf", "u")]),
    ("soapaction and content type twice", [("SOAPAction", '"x"'), ("Content-Type", "text/plain")]),
]


def read(headers: Headers, body: bytes, options: dict[str, Any]) -> mmsdr.Event | MmsdrError:
    try:
        return mmsdr.parse_request(headers, body, None, **options)
    except MmsdrError as error:
        return error


@pytest.fixture
def general(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the general readings; ``general.append(0)`` before a call turns the one-pass reading off."""
    readings: list[int] = []
    read_envelope = _envelope.read_envelope
    read_ordinary = _envelope.read_ordinary

    def counting(*args: Any) -> None:
        readings.append(1)
        read_envelope(*args)

    def switchable(*args: Any) -> Any:
        return None if 0 in readings else read_ordinary(*args)

    monkeypatch.setattr(_operations, "read_envelope", counting)
    monkeypatch.setattr(_operations, "read_ordinary", switchable)
    return readings


def both_ways(
    general: list[int], headers: Headers, body: bytes, options: dict[str, Any]
) -> tuple[mmsdr.Event | MmsdrError, mmsdr.Event | MmsdrError, bool]:
    """The general reading's result, the one-pass reading's, and whether the latter took the request."""
    general[:] = [0]
    expected = read(headers, body, options)
    general.clear()
    got = read(headers, body, options)
    return expected, got, not general and not isinstance(got, MmsdrError)


def assert_same(expected: mmsdr.Event | MmsdrError, got: mmsdr.Event | MmsdrError) -> None:
    if isinstance(expected, MmsdrError):
        assert isinstance(got, MmsdrError), got
        assert (type(got), str(got), got.field, got.provider, got.format, got.status_hint, got.ack) == (
            type(expected),
            str(expected),
            expected.field,
            expected.provider,
            expected.format,
            expected.status_hint,
            expected.ack,
        )
        return
    assert not isinstance(got, MmsdrError), got
    assert type(got) is type(expected)
    assert got == expected  # every field: raw compares its pairs, the dedupe key its digest
    assert got.raw.multi_items() == expected.raw.multi_items()
    assert mmsdr.acknowledge(got) == mmsdr.acknowledge(expected)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_fixture_reads_the_same_both_ways(fixture: str, general: list[int]) -> None:
    headers, body = request(fixture)
    expected, got, taken = both_ways(general, headers, body, {})
    assert_same(expected, got)
    assert taken is (fixture in ORDINARY_FIXTURES)


@pytest.mark.parametrize(
    ("sent", "options", "ordinary"), [variant[1:] for variant in VARIANTS], ids=[variant[0] for variant in VARIANTS]
)
def test_every_variant_reads_the_same_both_ways(
    sent: tuple[Headers, bytes], options: dict[str, Any], ordinary: bool, general: list[int]
) -> None:
    headers, body = sent
    expected, got, taken = both_ways(general, headers, body, options)
    assert_same(expected, got)
    assert taken is ordinary


@pytest.mark.parametrize("extra", [v[1] for v in HEADER_VARIANTS], ids=[v[0] for v in HEADER_VARIANTS])
@pytest.mark.parametrize("fixture", ["sinch-delivery-report.http", "annex-read-reply.http"])
def test_http_headers_read_the_same_both_ways(fixture: str, extra: Headers, general: list[int]) -> None:
    headers, body = request(fixture)
    expected, got, taken = both_ways(general, [*headers, *extra], body, {})
    assert_same(expected, got)
    assert taken


def test_a_new_version_is_read_the_general_way_first(general: list[int]) -> None:
    # The one-pass reading takes only versions the general reading has checked (and remembered).
    _envelope._GOOD_VERSIONS.discard("6.3.0")
    headers, body = dr(version="6.3.0")
    first = read(headers, body, {})
    assert general == [1]
    general.clear()
    assert read(headers, body, {}) == first
    assert general == []


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"transaction_id": "a&b<c>\"d' \x01 \ud800 \u00e9"},
        {"transaction_id": None},
        {"namespace": None},
        {"namespace": 'urn:"x"&<y>'},
        {"mm7_version": "5.3.0"},
        {"mm7_version": "6.8.0", "namespace": "urn:x", "transaction_id": ""},
    ],
)
@pytest.mark.parametrize("fixture", ["sinch-delivery-report.http", "annex-read-reply.http", "nokia-deliver.http"])
def test_the_ack_template_gives_the_bytes_of_the_full_answer(fixture: str, changes: dict[str, Any]) -> None:
    event = dataclasses.replace(mmsdr.parse_request(*request(fixture), None), **changes)
    for _ in range(2):  # the template built, then reused
        assert mmsdr.acknowledge(event) == mm7.response(event)


def test_long_tags_and_namespaces_are_read_and_answered_but_not_kept(general: list[int]) -> None:
    # A namespace name may be megabytes long within Limits.max_xml_bytes: the caches keyed by request text keep
    # only short keys, so that a stream of such requests cannot make them hold megabytes each.
    namespace = "urn:" + "x" * 20_000
    sent = dr(namespace=namespace)
    expected, got, taken = both_ways(general, *sent, {})
    assert_same(expected, got)
    assert taken
    assert not isinstance(got, MmsdrError)
    assert got.namespace == namespace  # type: ignore[attr-defined]
    assert mmsdr.acknowledge(got) == mm7.response(got)
    kept = [
        *_envelope._LOCAL_NAMES,
        *_envelope._NAMESPACES,
        *_responses._XMLNS,
        *(key[1] or "" for key in _responses._SUCCESS_TEMPLATES),
    ]
    assert all(len(key) <= 512 for key in kept)

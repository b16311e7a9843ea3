"""MX Telecom reason codes: the documented examples and the forgiving decoders."""

from __future__ import annotations

import pytest

import mmsdr
from mmsdr.mxtelecom import BillingType, NetworkInfo, ReasonCode, ReasonType, SmsReportDetails


def test_vendor_example_1610612736_is_0x60000000() -> None:
    # provider-docs/002: 'for example "1610612736". ... converted to hexadecimal; for example, "0x60000000"'
    code = ReasonCode.parse("1610612736")
    assert code.hex == "0x60000000"
    assert (code.type_nibble, code.billing_nibble, code.reason_byte, code.reason_byte_2, code.network_byte) == (
        6,
        0,
        0,
        0,
        0,
    )
    # Type 6 is not verified: kept as a plain int, never guessed.
    assert code.type == 6
    assert not isinstance(code.type, ReasonType)
    assert code.billing is BillingType.SEE_BELOW
    assert code.network is NetworkInfo.NO_INFORMATION


def test_vendor_example_1359151616_is_0x51030200() -> None:
    code = ReasonCode.parse("1359151616")
    assert code == ReasonCode(1359151616)
    assert (code.hex, str(code)) == ("0x51030200", "0x51030200")
    assert (code.type_nibble, code.billing_nibble, code.reason_byte, code.reason_byte_2, code.network_byte) == (
        5,
        1,
        3,
        2,
        0,
    )
    assert code.billing is BillingType.POST_BILLING


@pytest.mark.parametrize(
    ("value", "kind", "network"),
    [
        (0x10000010, ReasonType.REJECTED, NetworkInfo.ON_NET),
        (0x30000000, ReasonType.BUFFERED, NetworkInfo.NO_INFORMATION),
        (0x300000FF, ReasonType.BUFFERED, 0xFF),
    ],
)
def test_verified_values_decode_to_enums(value: int, kind: ReasonType, network: NetworkInfo | int) -> None:
    code = ReasonCode(value)
    assert code.type is kind
    assert code.network == network


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("4294967295", 0xFFFFFFFF),
        (" 1359151616 ", 0x51030200),
        ("-1", 0xFFFFFFFF),  # the same 32 bits printed as a signed (Java) int
        ("-2147483648", 0x80000000),
        ("0x51030200", 0x51030200),  # from a relay that already converted it
    ],
)
def test_lenient_forms(text: str, value: int) -> None:
    assert ReasonCode.parse(text).value == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must be a decimal integer"),
        ("12x", "must be a decimal integer"),
        ("١٢", "must be a decimal integer"),
        ("1_000", "must be a decimal integer"),
        ("4294967296", "must fit in 32 bits"),
        ("-2147483649", "must fit in 32 bits"),
        ("9" * 30, "must be a decimal integer"),
    ],
)
def test_garbage_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        ReasonCode.parse(text)
    assert str(caught.value) == message


def test_constructor_checks_the_range() -> None:
    with pytest.raises(ValueError, match="32 bits unsigned"):
        ReasonCode(1 << 32)


def test_json_view_has_the_code_and_the_decoded_fields() -> None:
    assert ReasonCode(0x10000010).to_dict() == {
        "value": 0x10000010,
        "hex": "0x10000010",
        "type_nibble": 1,
        "billing_nibble": 0,
        "reason_byte": 0,
        "reason_byte_2": 0,
        "network_byte": 0x10,
        "type": "REJECTED",
        "billing": "SEE_BELOW",
        "network": "ON_NET",
    }


def test_json_view_names_no_enum_for_an_unverified_nibble() -> None:
    assert ReasonCode(1610612736).to_dict() == {
        "value": 1610612736,
        "hex": "0x60000000",
        "type_nibble": 6,
        "billing_nibble": 0,
        "reason_byte": 0,
        "reason_byte_2": 0,
        "network_byte": 0,
        "type": None,
        "billing": "SEE_BELOW",
        "network": "NO_INFORMATION",
    }


def test_a_reason_code_in_event_data_reads_back() -> None:
    # The event's to_dict() carries the code with its derived fields; event_from_dict reads the value back.
    query = "smsfrom=1&smsmsg=REPORT+1+FAILED&smsid=2&smsdate=2002-04-30+21%3A58%3A00&reason=-1"
    (event,) = mmsdr.parse_request({}, b"", query).events
    data = event.to_dict()
    assert data["details"] == {
        "type": "SmsReportDetails",
        "report_id": "2",
        "reason": ReasonCode(0xFFFFFFFF).to_dict(),
        "note": None,
    }
    assert data["provider_code"] == "-1"
    back = mmsdr.event_from_dict(data)
    assert back == event
    assert back.details == SmsReportDetails(report_id="2", reason=ReasonCode(0xFFFFFFFF))

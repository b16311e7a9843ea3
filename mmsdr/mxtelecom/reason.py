"""MX Telecom's detailed delivery reason code: a 4-byte integer sent in decimal, read in hex.

"This is passed as a decimal number; for example "1610612736". Before it can be used, this code should be
converted to hexadecimal; for example, "0x60000000"." -- MX Telecom, Receiving Delivery Reports via HTTP

Layout, most significant byte first (MX Telecom, "Delivery report reason codes")::

    byte 3: type nibble (high) | billing nibble (low)
    byte 2: reason byte
    byte 1: reason byte 2
    byte 0: network byte

Only a few values could be verified; every other value is kept as a plain int, never an error. The vendor's
own example pairs ``0x51030200`` (type 5) with STATUS ``DELIVERED``, while the order of its types table would
make 5 FAILED: the sources do not settle it, so type 5 and 6 are left undecoded and the report's status always
comes from the STATUS word, never from this code.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import TypeVar

from .._public import public_dir

__all__ = ("BillingType", "NetworkInfo", "ReasonCode", "ReasonType")


class ReasonType(enum.IntEnum):
    """The type nibble: it "corresponds to" the STATUS word of the report."""

    #: The carrier did not accept the message or billing request.
    REJECTED = 0x1
    #: The message reached some processing stage; not final.
    BUFFERED = 0x3


class BillingType(enum.IntEnum):
    """The billing nibble."""

    #: The vendor's table cell reads "See below"; the text it pointed to could not be recovered.
    SEE_BELOW = 0x0
    #: "Post billing".
    POST_BILLING = 0x1


class NetworkInfo(enum.IntEnum):
    """The network byte."""

    #: "No information".
    NO_INFORMATION = 0x00
    #: "On net".
    ON_NET = 0x10


_E = TypeVar("_E", bound=enum.IntEnum)


def _known(enum_type: type[_E], value: int) -> _E | int:
    # Forgiving, like h2's _error_code_from_int: unknown codes stay plain ints.
    try:
        return enum_type(value)
    except ValueError:
        return value


# Decimal as documented; a negative value is the same 32 bits printed as a signed (Java) int, and a 0x form
# is accepted from relays that already converted it. Both are lenient readings, not documented forms.
_REASON = re.compile(r"(?P<decimal>-?[0-9]{1,20})|0[xX](?P<hex>[0-9a-fA-F]{1,8})", re.ASCII)


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """A decoded reason code. ``ReasonCode(1359151616).hex == "0x51030200"``."""

    value: int
    """The code as an unsigned 32-bit integer."""

    def __post_init__(self) -> None:
        if not 0 <= self.value <= 0xFFFFFFFF:
            msg = f"a reason code is 32 bits unsigned, got {self.value}"
            raise ValueError(msg)

    @classmethod
    def parse(cls, text: str) -> ReasonCode:
        """Read the ``reason`` parameter; ``ValueError`` when it is not a 32-bit number."""
        text = text.strip()
        if text.isascii() and text.isdigit() and len(text) <= 10:  # the documented form, e.g. "1610612736"
            number = int(text)
            if number > 0xFFFFFFFF:
                msg = "must fit in 32 bits"
                raise ValueError(msg)
            return cls(number)
        match = _REASON.fullmatch(text)
        if match is None:
            msg = "must be a decimal integer"
            raise ValueError(msg)
        if match["hex"] is not None:
            return cls(int(match["hex"], 16))
        number = int(match["decimal"])
        if -(1 << 31) <= number < 0:
            number += 1 << 32
        if not 0 <= number <= 0xFFFFFFFF:
            msg = "must fit in 32 bits"
            raise ValueError(msg)
        return cls(number)

    @property
    def hex(self) -> str:
        """``"0x51030200"``: the form the vendor's tables use."""
        return f"0x{self.value:08X}"

    @property
    def type_nibble(self) -> int:
        return self.value >> 28

    @property
    def billing_nibble(self) -> int:
        return (self.value >> 24) & 0xF

    @property
    def reason_byte(self) -> int:
        return (self.value >> 16) & 0xFF

    @property
    def reason_byte_2(self) -> int:
        return (self.value >> 8) & 0xFF

    @property
    def network_byte(self) -> int:
        return self.value & 0xFF

    @property
    def type(self) -> ReasonType | int:
        """The type nibble, as [`ReasonType`][mmsdr.mxtelecom.ReasonType] where its meaning is known."""
        return _known(ReasonType, self.type_nibble)

    @property
    def billing(self) -> BillingType | int:
        """The billing nibble, as [`BillingType`][mmsdr.mxtelecom.BillingType] where its meaning is known."""
        return _known(BillingType, self.billing_nibble)

    @property
    def network(self) -> NetworkInfo | int:
        """The network byte, as [`NetworkInfo`][mmsdr.mxtelecom.NetworkInfo] where its meaning is known."""
        return _known(NetworkInfo, self.network_byte)

    def to_dict(self) -> dict[str, object]:
        """The code and its derived fields, for [`mmsdr.Event.to_dict`][mmsdr.Event.to_dict]."""
        return {
            "value": self.value,
            "hex": self.hex,
            "type_nibble": self.type_nibble,
            "billing_nibble": self.billing_nibble,
            "reason_byte": self.reason_byte,
            "reason_byte_2": self.reason_byte_2,
            "network_byte": self.network_byte,
            "type": _enum_name(self.type),
            "billing": _enum_name(self.billing),
            "network": _enum_name(self.network),
        }

    def __str__(self) -> str:
        return self.hex


def _enum_name(value: enum.IntEnum | int) -> str | None:
    return value.name if isinstance(value, enum.IntEnum) else None


__dir__ = public_dir(globals())

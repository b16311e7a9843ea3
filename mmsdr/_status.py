"""The normalised status model: one vocabulary across providers (docs/status.md)."""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ("Status",)


class Status(enum.StrEnum):
    """What a delivery or read report says happened, the same whichever provider sent it.

    The provider's own value is always kept beside it, verbatim, as ``provider_status``.
    """

    #: Accepted somewhere on the way; delivery not yet known (buffered, deferred).
    PENDING = "pending"
    #: Handed on to another network or the handset's network; more reports usually follow.
    FORWARDED = "forwarded"
    #: Reached the handset (retrieved).
    DELIVERED = "delivered"
    #: The recipient read it (read reports).
    READ = "read"
    #: Deleted without being read (read reports).
    DELETED = "deleted"
    #: The validity period ran out before delivery or reading.
    EXPIRED = "expired"
    #: Refused by the carrier or the provider (synchronous validation, content, size).
    REJECTED = "rejected"
    #: Failed after submission (unreachable, unrecognised content, not supported).
    FAILED = "failed"
    #: The sender cancelled it before delivery (Twilio ``canceled``, Sinch ``Cancelled``); not a failure.
    CANCELLED = "cancelled"
    #: The network cannot say; no further report is expected.
    INDETERMINATE = "indeterminate"
    #: A provider value this version does not know; ``provider_status`` has it. Never an error.
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """True when no later report for the same message and recipient is expected."""
        return self not in _NOT_FINAL


_NOT_FINAL = frozenset({Status.PENDING, Status.FORWARDED, Status.UNKNOWN})


def status_from_table(table: Mapping[str, Status], provider_value: str) -> Status:
    """The normalised status for ``provider_value``; [`Status.UNKNOWN`][mmsdr.Status.UNKNOWN] where the table has none.

    Forgiving, like h2's ``_error_code_from_int``: a provider adding a status must not lose a report.
    """
    return table.get(provider_value, Status.UNKNOWN)


# MM7 MMStatus (DeliveryReportReq, ReadReplyReq) and OpenMarket MMS REPORT `status`, keyed case-folded: senders
# differ in case ("Retrieved", "RETRIEVED"), and the raw spelling stays in provider_status.
MM7_STATUSES: Mapping[str, Status] = MappingProxyType(
    {
        "retrieved": Status.DELIVERED,
        "delivered": Status.DELIVERED,  # non-standard, seen from one aggregator
        "deferred": Status.PENDING,
        "forwarded": Status.FORWARDED,
        "expired": Status.EXPIRED,
        "rejected": Status.REJECTED,
        "unrecognised": Status.FAILED,
        "unrecognized": Status.FAILED,
        "notsupported": Status.FAILED,
        "unreachable": Status.FAILED,
        "deliveryconditionnotmet": Status.FAILED,
        "indeterminate": Status.INDETERMINATE,
        "read": Status.READ,
        "deleted": Status.DELETED,
    }
)


def mm7_status(provider_value: str) -> Status:
    """Map an MM7 ``MMStatus`` (or OpenMarket MMS report ``status``) value, case-insensitively."""
    return status_from_table(MM7_STATUSES, provider_value.strip().casefold())

"""What MX Telecom callbacks carry beyond the shared event fields: one details class per format that has any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .._events import Details
from .._public import public_dir
from .reason import ReasonCode

__all__ = ("MmsInboundDetails", "MmsReportDetails", "SmsInboundDetails", "SmsReportDetails")


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsReportDetails(Details):
    """``mxtelecom.sms_report``: the report's own id, the decoded reason code and your note."""

    report_id: str | None = None
    """``smsid``: the id of this report itself (not of the reported message), where sent."""

    reason: ReasonCode | None = None
    """``reason`` decoded (its decimal text is the event's ``provider_code``); None when absent."""

    note: str | None = None
    """``note``: what you passed when sending, echoed back."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MmsReportDetails(Details):
    """``mxtelecom.mms_report``: the report's own id and the handset description."""

    report_id: str
    """``id``: the id of this report itself."""

    user_agent: str | None = None
    """``useragent``: the recipient's handset description, where sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsInboundDetails(Details):
    """``mxtelecom.sms_inbound``: the user data header, the SMSC and the network."""

    udh: bytes | None = None
    """``smsudh`` decoded from hex: the user data header, if one came (segments of a long SMS are not joined)."""

    smsc: str | None = None
    """``smsc``: the SMSC, where known."""

    network: str | None = None
    """``network``: the sender's network code, where sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MmsInboundDetails(Details):
    """``mxtelecom.mms_inbound``: the sender's network and, for a GET notification, until when to fetch the MMS."""

    network: str | None = None
    """``network``: the sender's network code, where sent."""

    expiry: datetime | None = None
    """``expiry`` of a GET notification: until when the zipped MMS can be fetched from its RetrieveMMS URL
    (the message's one part by reference; [`retrieve_mms_url`][mmsdr.mxtelecom.retrieve_mms_url] adds your
    credentials)."""


__dir__ = public_dir(globals())

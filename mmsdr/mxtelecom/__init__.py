"""MX Telecom / OpenMarket-legacy ("MX API") HTTP callbacks.

One module per callback format; [`FORMATS`][mmsdr.mxtelecom.FORMATS] lists them in detection order (the most specific
first: an SMS report is an ``smsmsg`` that starts with ``REPORT``, so it is tried before the inbound SMS).
"""

from __future__ import annotations

from .._public import public_dir
from .._source import MXTELECOM_NETWORKS as NETWORKS
from . import mms_inbound, mms_report, mmszip, sms_inbound, sms_report, subscriptions
from .details import MmsInboundDetails, MmsReportDetails, SmsInboundDetails, SmsReportDetails
from .mms_inbound import RETRIEVE_MMS_ENDPOINTS, retrieve_mms_url
from .reason import BillingType, NetworkInfo, ReasonCode, ReasonType

__all__ = (
    "FORMATS",
    "NETWORKS",
    "RETRIEVE_MMS_ENDPOINTS",
    "BillingType",
    "MmsInboundDetails",
    "MmsReportDetails",
    "NetworkInfo",
    "ReasonCode",
    "ReasonType",
    "SmsInboundDetails",
    "SmsReportDetails",
    "mmszip",
    "retrieve_mms_url",
)

FORMATS = (
    sms_report.FORMAT,
    mms_report.FORMAT,
    sms_inbound.FORMAT,
    mms_inbound.FORMAT,
    subscriptions.UNSUBSCRIBE_FORMAT,
    subscriptions.RENEWAL_FORMAT,
)

__dir__ = public_dir(globals())

"""MM7 (3GPP TS 23.140) over SOAP: delivery reports, inbound MMS and read replies from an MMSC.

Sinch (formerly mBlox) sends ``DeliveryReportReq`` and ``DeliverReq``; other MMSCs and aggregators (Vibes,
Skycore, Nokia, Huawei and China Mobile style gateways) send the same operations, and ``ReadReplyReq``. One
format per operation; [`FORMATS`][mmsdr.mm7.FORMATS] lists them in detection order. Each is read by local name in any
MM7 namespace, as bare SOAP or SOAP with attachments (multipart/related), and answered with the matching ``...Rsp``
([`response`][mmsdr.mm7.response]) or, when the request is refused, a SOAP fault carrying a ``VASPErrorRsp``
([`rejection`][mmsdr.mm7.rejection]). Either answer closes the matter with HTTP 200, or asks for the request again with
500 (``retry=True``).
"""

from __future__ import annotations

from .._public import public_dir
from ._operations import DELIVER, DELIVERY_REPORT, FORMATS, READ_REPLY
from ._responses import (
    DEFAULT_NAMESPACE,
    DEFAULT_VERSION,
    StatusClass,
    StatusCode,
    is_implementation_specific,
    rejection,
    response,
    standard_status_code,
    status_class,
    status_code_from_int,
    status_text,
)
from .details import DeliverDetails, Envelope, ReportDetails

__all__ = (
    "DEFAULT_NAMESPACE",
    "DEFAULT_VERSION",
    "DELIVER",
    "DELIVERY_REPORT",
    "FORMATS",
    "READ_REPLY",
    "DeliverDetails",
    "Envelope",
    "ReportDetails",
    "StatusClass",
    "StatusCode",
    "is_implementation_specific",
    "rejection",
    "response",
    "standard_status_code",
    "status_class",
    "status_code_from_int",
    "status_text",
)

__dir__ = public_dir(globals())

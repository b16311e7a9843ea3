"""What an MM7 VASP answers: the ``...Rsp`` acknowledgements and the SOAP faults, built from str templates.

A template with escaping is 7x cheaper than building an lxml tree (perf.md b). Every answer is SOAP 1.1, in the
request's MM7 namespace, echoing its ``MM7Version`` and ``TransactionID`` (``mustUnderstand="1"``), sent with a
Content-Length: mBlox "does not support chunked transfer-coding" (mm7.md 3).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from .._errors import LimitExceededError, MalformedRequestError, UnsupportedFormatError, UntrustedSourceError
from .._events import Ack, DeliveryReport, InboundMessage, ReadReport

if TYPE_CHECKING:
    from .._errors import MmsdrError
    from .._events import Event

__all__ = ("DEFAULT_NAMESPACE", "DEFAULT_VERSION", "StatusCode", "reject", "response")

SOAP_1_1 = "http://schemas.xmlsoap.org/soap/envelope/"

#: The namespace of answers to a request that could not be read far enough to learn its own: Sinch's
#: (mm7.md 1.2: "REL-6-MM7-1-4 is the only namespace for 6.8.0").
DEFAULT_NAMESPACE = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"

#: The ``MM7Version`` of such answers: Sinch's "ver-6.8.0".
DEFAULT_VERSION = "6.8.0"


class StatusCode(enum.IntEnum):
    """MM7 ``Status/StatusCode`` values (TS 23.140 table 12.21, mm7.md 2.2).

    The first digit is the class: 1 success, 2 client error, 3 server error, 4 service error; x500-x999 are
    implementation-specific (Sinch's 25xx and 35xx).
    """

    #: Request fully executed.
    SUCCESS = 1000
    #: Partly executed; ``Details`` may say what failed.
    PARTIAL_SUCCESS = 1100
    #: Invalid request.
    CLIENT_ERROR = 2000
    #: No permission.
    OPERATION_RESTRICTED = 2001
    #: Address format unrecognised or not served.
    ADDRESS_ERROR = 2002
    ADDRESS_NOT_FOUND = 2003
    #: MIME content unparseable, or its size or type not acceptable.
    MULTIMEDIA_CONTENT_REFUSED = 2004
    #: Also a VASP's answer to a report about a MessageID it does not know.
    MESSAGE_ID_NOT_FOUND = 2005
    LINKED_ID_NOT_FOUND = 2006
    #: An element value's format is wrong.
    MESSAGE_FORMAT_CORRUPT = 2007
    APPLICATION_ID_NOT_FOUND = 2008
    REPLY_APPLICATION_ID_NOT_FOUND = 2009
    SERVER_ERROR = 3000
    NOT_POSSIBLE = 3001
    MESSAGE_REJECTED = 3002
    MULTIPLE_ADDRESSES_NOT_SUPPORTED = 3003
    APPLICATION_ADDRESSING_NOT_SUPPORTED = 3004
    GENERAL_SERVICE_ERROR = 4000
    IMPROPER_IDENTIFICATION = 4001
    #: The ``MM7Version`` is not supported.
    UNSUPPORTED_VERSION = 4002
    #: The request is not an operation this side supports.
    UNSUPPORTED_OPERATION = 4003
    #: The SOAP/XML could not be parsed, or a mandatory element is missing.
    VALIDATION_ERROR = 4004
    #: Do not resend.
    SERVICE_ERROR = 4005
    #: Temporary.
    SERVICE_UNAVAILABLE = 4006
    SERVICE_DENIED = 4007
    APPLICATION_DENIED = 4008

    @property
    def text(self) -> str:
        """The standard ``StatusText`` (the one Mbuni, instantcom-mm7 and mmsgw all send)."""
        return _TEXTS[self]


_TEXTS = {
    StatusCode.SUCCESS: "Success",
    StatusCode.PARTIAL_SUCCESS: "Partial success",
    StatusCode.CLIENT_ERROR: "Client error",
    StatusCode.OPERATION_RESTRICTED: "Operation restricted",
    StatusCode.ADDRESS_ERROR: "Address Error",
    StatusCode.ADDRESS_NOT_FOUND: "Address Not Found",
    StatusCode.MULTIMEDIA_CONTENT_REFUSED: "Multimedia content refused",
    StatusCode.MESSAGE_ID_NOT_FOUND: "Message ID Not found",
    StatusCode.LINKED_ID_NOT_FOUND: "LinkedID not found",
    StatusCode.MESSAGE_FORMAT_CORRUPT: "Message format corrupt",
    StatusCode.APPLICATION_ID_NOT_FOUND: "Application ID not found",
    StatusCode.REPLY_APPLICATION_ID_NOT_FOUND: "Reply Application ID not found",
    StatusCode.SERVER_ERROR: "Server Error",
    StatusCode.NOT_POSSIBLE: "Not Possible",
    StatusCode.MESSAGE_REJECTED: "Message rejected",
    StatusCode.MULTIPLE_ADDRESSES_NOT_SUPPORTED: "Multiple addresses not supported",
    StatusCode.APPLICATION_ADDRESSING_NOT_SUPPORTED: "Application Addressing not supported",
    StatusCode.GENERAL_SERVICE_ERROR: "General service error",
    StatusCode.IMPROPER_IDENTIFICATION: "Improper identification",
    StatusCode.UNSUPPORTED_VERSION: "Unsupported version",
    StatusCode.UNSUPPORTED_OPERATION: "Unsupported operation",
    StatusCode.VALIDATION_ERROR: "Validation error",
    StatusCode.SERVICE_ERROR: "Service error",
    StatusCode.SERVICE_UNAVAILABLE: "Service unavailable",
    StatusCode.SERVICE_DENIED: "Service denied",
    StatusCode.APPLICATION_DENIED: "Application denied",
}

# The response element for each event type (TS 23.140: DeliverReq -> DeliverRsp, ...).
_RESPONSE_ELEMENTS: dict[type[Event], str] = {
    DeliveryReport: "DeliveryReportRsp",
    InboundMessage: "DeliverRsp",
    ReadReport: "ReadReplyRsp",
}

_HEADER = (
    "<soap-env:Header>\n"
    '<TransactionID{xmlns} soap-env:mustUnderstand="1">{transaction_id}</TransactionID>\n'
    "</soap-env:Header>\n"
)

_STATUS = "<StatusCode>{code}</StatusCode>\n<StatusText>{text}</StatusText>\n{details}"

# Default namespace declarations as in Sinch's own examples: Mbuni's notes say some MMSCs "do not seem to like"
# an mm7: prefix (mm7.md 4.2).
_RESPONSE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<soap-env:Envelope xmlns:soap-env="{SOAP_1_1}">\n'
    "{header}"
    "<soap-env:Body>\n"
    "<{element}{xmlns}>\n"
    "<MM7Version>{version}</MM7Version>\n"
    "<Status>\n" + _STATUS + "</Status>\n"
    "</{element}>\n"
    "</soap-env:Body>\n"
    "</soap-env:Envelope>\n"
)

# "faultcode soap-env:Client" as Sinch sends its own RSErrorRsp (mm7.md 1.4); a VASP reports its errors with
# VASPErrorRsp, carried in Fault/detail.
_FAULT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<soap-env:Envelope xmlns:soap-env="{SOAP_1_1}">\n'
    "{header}"
    "<soap-env:Body>\n"
    "<soap-env:Fault>\n"
    "<faultcode>soap-env:Client</faultcode>\n"
    "<faultstring>{text}</faultstring>\n"
    "<detail>\n"
    "<VASPErrorRsp{xmlns}>\n"
    "<MM7Version>{version}</MM7Version>\n"
    "<Status>\n" + _STATUS + "</Status>\n"
    "</VASPErrorRsp>\n"
    "</detail>\n"
    "</soap-env:Fault>\n"
    "</soap-env:Body>\n"
    "</soap-env:Envelope>\n"
)

_CONTENT_TYPE = ("Content-Type", "text/xml; charset=utf-8")

# Characters XML 1.0 cannot carry at all, even escaped: an error message may quote them from a hostile request.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def _attribute(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value), {'"': "&quot;"})


def _xmlns(namespace: str | None) -> str:
    return "" if namespace is None else f' xmlns="{_attribute(namespace)}"'


def _header(transaction_id: str | None, namespace: str | None) -> str:
    if transaction_id is None:
        return ""
    return _HEADER.format(xmlns=_xmlns(namespace), transaction_id=_text(transaction_id))


def _details(details: str | None) -> str:
    return "" if details is None else f"<Details>{_text(details)}</Details>\n"


def _ack(body: str) -> Ack:
    data = body.encode("utf-8")
    return Ack(status=200, headers=(_CONTENT_TYPE, ("Content-Length", str(len(data)))), body=data)


def response(
    event: Event,
    /,
    *,
    status_code: int = StatusCode.SUCCESS,
    status_text: str | None = None,
    details: str | None = None,
) -> Ack:
    """The ``...Rsp`` answering an MM7 event: 200, ``text/xml; charset=utf-8``, with a Content-Length.

    :func:`mmsdr.acknowledge` gives it with StatusCode 1000 "Success". Pass another code to refuse the request
    in MM7's own terms (``StatusCode.MESSAGE_ID_NOT_FOUND`` for a report on a message you do not know). Sinch's
    retry policy asks for "HTTP 200 + proper SOAP response with matching TransactionID and Status 1000"; what it
    does with another code under a 200 is not documented (mm7.md, Gaps). Answer a transient failure you want
    retried with a non-200 status instead.

    Args:
        event: an event parsed from an MM7 request (``mm7.delivery_report``, ``mm7.deliver``, ``mm7.read_reply``).
        status_code: the ``StatusCode``; a :class:`StatusCode` or any int (Sinch's 25xx, ...).
        status_text: the ``StatusText``; the standard text of ``status_code`` when None.
        details: an optional ``Status/Details`` text.
    """
    element = _RESPONSE_ELEMENTS.get(type(event))
    mm7_version = getattr(event, "mm7_version", None)
    if element is None or mm7_version is None or not event.format.startswith("mm7."):
        msg = f"mm7.response() takes an event parsed from an MM7 request, got {type(event).__name__} {event.format!r}"
        raise TypeError(msg)
    code = int(status_code)
    if not 1000 <= code <= 9999:
        msg = f"status_code must be a four-digit MM7 StatusCode, got {status_code!r}"
        raise ValueError(msg)
    if status_text is None:
        try:
            status_text = StatusCode(code).text
        except ValueError:  # an implementation-specific code (Sinch's 25xx): no standard text to give
            status_text = str(code)
    namespace: str | None = getattr(event, "namespace", None)
    body = _RESPONSE.format(
        header=_header(getattr(event, "transaction_id", None), namespace),
        element=element,
        xmlns=_xmlns(namespace),
        version=_text(mm7_version),
        code=code,
        text=_text(status_text),
        details=_details(details),
    )
    return _ack(body)


def acknowledge(event: Event) -> Ack:
    """``Format.acknowledge`` of every MM7 format: the matching ``...Rsp``, StatusCode 1000 "Success"."""
    return response(event)


# --- Faults ---------------------------------------------------------------------------------------------------
#
# The errors are mmsdr's shared classes, so the MM7 side of a failure (the StatusCode it deserves, and the
# TransactionID, namespace and version read before it happened) rides on the error instance itself, under
# this key, until ``reject`` turns it into the fault.
_CONTEXT_KEY = "_mm7_fault"


@dataclass(frozen=True, slots=True)
class FaultContext:
    """What a fault answering a failed MM7 request echoes, as far as the request could be read."""

    status_code: StatusCode | None = None
    transaction_id: str | None = None
    namespace: str | None = None
    mm7_version: str | None = None


def context_of(error: MmsdrError) -> FaultContext:
    found = vars(error).get(_CONTEXT_KEY)
    return found if isinstance(found, FaultContext) else FaultContext()


def with_status(error: MmsdrError, status_code: StatusCode) -> MmsdrError:
    """``error``, marked with the StatusCode its fault should carry; returned for ``raise with_status(...)``."""
    vars(error)[_CONTEXT_KEY] = replace(context_of(error), status_code=status_code)
    return error


def with_request(
    error: MmsdrError, *, transaction_id: str | None, namespace: str | None, mm7_version: str | None
) -> None:
    """Record on ``error`` what the request said about itself, for the fault to echo."""
    vars(error)[_CONTEXT_KEY] = replace(
        context_of(error), transaction_id=transaction_id, namespace=namespace, mm7_version=mm7_version
    )


def _default_status(error: MmsdrError) -> StatusCode:
    if isinstance(error, UnsupportedFormatError):
        return StatusCode.UNSUPPORTED_OPERATION
    if isinstance(error, LimitExceededError):
        return StatusCode.MULTIMEDIA_CONTENT_REFUSED  # "size ... not acceptable"
    if isinstance(error, MalformedRequestError):
        return StatusCode.MESSAGE_FORMAT_CORRUPT
    if isinstance(error, UntrustedSourceError):
        return StatusCode.IMPROPER_IDENTIFICATION
    return StatusCode.GENERAL_SERVICE_ERROR


def reject(error: MmsdrError) -> Ack:
    """``Format.reject`` of every MM7 format: a SOAP 1.1 Fault (faultcode Client) carrying a VASPErrorRsp.

    Its StatusCode says what was wrong (4004 unreadable or a mandatory element missing, 2007 a value's format,
    4003 an operation mmsdr does not take, 4002 an MM7Version it does not take, 2004 a size limit); it echoes the
    TransactionID, namespace and MM7Version when the request could be read that far, and ``Details`` holds the
    error message. It is sent with HTTP **200**: a parse error is permanent (the retry would fail the same way),
    and mm7.md 6.8 answers permanent problems with 200 plus a fault, as Mbuni does; a non-200 only makes Sinch
    retry "5 minutes later, at most 5 times". ``error.status_hint`` still gives the 4xx that fits the error.
    """
    context = context_of(error)
    code = context.status_code or _default_status(error)
    body = _FAULT.format(
        header=_header(context.transaction_id, context.namespace or DEFAULT_NAMESPACE),
        xmlns=_xmlns(context.namespace or DEFAULT_NAMESPACE),
        version=_text(context.mm7_version or DEFAULT_VERSION),
        code=int(code),
        text=_text(code.text),
        details=_details(error.message),
    )
    return _ack(body)

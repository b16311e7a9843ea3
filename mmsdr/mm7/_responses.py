"""What an MM7 VASP answers: the ``...Rsp`` acknowledgements and the SOAP faults, built from str templates.

A str template with escaping costs a fraction of building an lxml tree. Every answer is SOAP 1.1, in the
request's MM7 namespace, echoing its ``MM7Version`` and ``TransactionID`` (``mustUnderstand="1"``), sent with a
Content-Length: mBlox "does not support chunked transfer-coding" (mBlox MM7 guide).

The HTTP status is the caller's choice between two outcomes (docs/mm7.md). **200** closes the matter: Sinch
wants "HTTP 200 + proper SOAP response with matching TransactionID" and retries anything else, so a 200 (with
a ``...Rsp`` or a fault) is how a request is accepted, or refused for good. **500** asks for the request
again: SOAP 1.1 (section 6.2) sends every fault with "500 Internal Server Error", and Sinch retries a non-200
"5 minutes later, at most 5 times" (Sinch MM7 guide).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from .._errors import AuthenticationError, LimitExceededError, MalformedRequestError, UnsupportedFormatError
from .._events import Ack, Callback
from .details import Envelope

if TYPE_CHECKING:
    from .._errors import MmsdrError

__all__ = (
    "DEFAULT_NAMESPACE",
    "DEFAULT_VERSION",
    "StatusClass",
    "StatusCode",
    "is_implementation_specific",
    "reject",
    "rejection",
    "response",
    "standard_status_code",
    "status_class",
    "status_code_from_int",
    "status_text",
)

SOAP_1_1 = "http://schemas.xmlsoap.org/soap/envelope/"

#: The namespace of answers to a request that could not be read far enough to learn its own: Sinch's
#: (Sinch MM7 guide: REL-6-MM7-1-4 with MM7Version 6.8.0).
DEFAULT_NAMESPACE = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"

#: The ``MM7Version`` of such answers: Sinch's "ver-6.8.0".
DEFAULT_VERSION = "6.8.0"

# The HTTP statuses of the two outcomes: see the module docstring.
_FINAL = 200
_RETRY = 500


class StatusClass(enum.IntEnum):
    """The class of an MM7 ``StatusCode``: its first digit (3GPP TS 23.140 table 12.21).

    [`status_class`][mmsdr.mm7.status_class] gives it for any int, an unknown code included.
    """

    #: 1xxx: the request was executed, fully or partly.
    SUCCESS = 1
    #: 2xxx: the request was wrong (addresses, content, ids, format); sending it again changes nothing.
    CLIENT_ERROR = 2
    #: 3xxx: the server could not execute a valid request.
    SERVER_ERROR = 3
    #: 4xxx: the service refused it (version, operation, identification, availability).
    SERVICE_ERROR = 4

    @property
    def code(self) -> StatusCode:
        """The class's general code, x000, which every unknown code of the class counts as."""
        return StatusCode(self.value * 1000)


class StatusCode(enum.IntEnum):
    """MM7 ``Status/StatusCode`` values (3GPP TS 23.140 table 12.21), each with its standard ``text``.

    The first digit is the class ([`StatusClass`][mmsdr.mm7.StatusClass]): 1 success, 2 client error, 3 server error, 4
    service error; x500-x999 are implementation-specific (Sinch's 25xx and 35xx). An int not in this table still has a
    class and a text: see [`status_code_from_int`][mmsdr.mm7.status_code_from_int],
    [`status_class`][mmsdr.mm7.status_class] and [`status_text`][mmsdr.mm7.status_text].
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

    @property
    def status_class(self) -> StatusClass:
        """The code's class, from its first digit."""
        return StatusClass(self.value // 1000)


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


def status_code_from_int(code: int) -> StatusCode | int:
    """``code`` as a [`StatusCode`][mmsdr.mm7.StatusCode] when the table has it, else the int unchanged (Sinch's 2571,
    ...).

    Forgiving, like h2's ``_error_code_from_int``: an unknown code is kept, never an error.
    """
    try:
        return StatusCode(code)
    except ValueError:
        return code


def status_class(code: int) -> StatusClass:
    """The class of any code: its first digit for 1000-4999; a code outside 1-4 counts as 3000 (3GPP TS 23.140)."""
    if 1000 <= code <= 4999:
        return StatusClass(code // 1000)
    return StatusClass.SERVER_ERROR


def standard_status_code(code: int) -> StatusCode:
    """What ``code`` means in TS 23.140 terms: itself when in the table, else the x000 code of its class.

    An unrecognised code counts as x000 of its class; a code outside 1-4 counts as 3000 (3GPP TS 23.140): Sinch's
    2571 counts as 2000 Client error, 9999 as 3000 Server Error.
    """
    found = status_code_from_int(code)
    return found if isinstance(found, StatusCode) else status_class(code).code


def status_text(code: int) -> str:
    """The standard ``StatusText`` of ``code``, or of the code it counts as
    ([`standard_status_code`][mmsdr.mm7.standard_status_code])."""
    return standard_status_code(code).text


def is_implementation_specific(code: int) -> bool:
    """True for x500-x999 of classes 1-4, the range TS 23.140 leaves to implementations (Sinch's 25xx, 35xx)."""
    return 1000 <= code <= 4999 and code % 1000 >= 500


# The response element for each format (TS 23.140: DeliverReq -> DeliverRsp, ...).
_RESPONSE_ELEMENTS = {
    "mm7.delivery_report": "DeliveryReportRsp",
    "mm7.deliver": "DeliverRsp",
    "mm7.read_reply": "ReadReplyRsp",
}

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ENVELOPE = f'<soap-env:Envelope xmlns:soap-env="{SOAP_1_1}">\n'
_BODY_END = "</soap-env:Body>\n</soap-env:Envelope>\n"

# faultcode Client: "the message was incorrectly formed or did not contain the appropriate information in order
# to succeed", not to be resent "without change"; Server: it "could not be processed for reasons not directly
# attributable to the contents of the message itself", it "may succeed at a later point in time" (SOAP 1.1
# section 4.4.1). Sinch sends its own RSErrorRsp with soap-env:Client (Sinch MM7 guide, mm7_submit).
_CLIENT = "soap-env:Client"
_SERVER = "soap-env:Server"

_CONTENT_TYPE = ("Content-Type", "text/xml; charset=utf-8")

# Characters XML 1.0 cannot carry at all, even escaped: an error message may quote them from a hostile request.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What escaping would change (the three markup characters, a quote, a character XML cannot carry): a value
# without any, the usual id or version, is used as it is.
_NEEDS_ESCAPING = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def _text(value: str) -> str:
    if _NEEDS_ESCAPING.search(value) is None:
        return value
    return escape(_NOT_XML.sub("\ufffd", value))


def _attribute(value: str) -> str:
    if _NEEDS_ESCAPING.search(value) is None:
        return value
    return escape(_NOT_XML.sub("\ufffd", value), {'"': "&quot;"})


def _xmlns(namespace: str | None) -> str:
    # Default namespace declarations as in Sinch's own examples: Mbuni's source notes that some MMSCs do not
    # like an mm7: prefix.
    return "" if namespace is None else f' xmlns="{_attribute(namespace)}"'


def _header(transaction_id: str | None, xmlns: str) -> str:
    if transaction_id is None:
        return ""
    return (
        f'<soap-env:Header>\n<TransactionID{xmlns} soap-env:mustUnderstand="1">{_text(transaction_id)}'
        "</TransactionID>\n</soap-env:Header>\n"
    )


def _status(code: int, text: str, details: str | None) -> str:
    details_element = "" if details is None else f"<Details>{_text(details)}</Details>\n"
    return (
        f"<Status>\n<StatusCode>{code}</StatusCode>\n<StatusText>{_text(text)}</StatusText>\n{details_element}"
        "</Status>\n"
    )


def _rsp(element: str, transaction_id: str | None, namespace: str | None, version: str, status: str) -> str:
    xmlns = _xmlns(namespace)
    return (
        f"{_DECLARATION}{_ENVELOPE}{_header(transaction_id, xmlns)}<soap-env:Body>\n<{element}{xmlns}>\n"
        f"<MM7Version>{_text(version)}</MM7Version>\n{status}</{element}>\n{_BODY_END}"
    )


def _fault(
    faultcode: str,
    transaction_id: str | None,
    namespace: str,
    version: str,
    *,
    code: int,
    text: str,
    details: str | None,
) -> str:
    """A SOAP Fault carrying a VASPErrorRsp, the VASP's own error response, in Fault/detail (3GPP TS 23.140)."""
    xmlns = _xmlns(namespace)
    return (
        f"{_DECLARATION}{_ENVELOPE}{_header(transaction_id, xmlns)}<soap-env:Body>\n<soap-env:Fault>\n"
        f"<faultcode>{faultcode}</faultcode>\n<faultstring>{_text(text)}</faultstring>\n<detail>\n"
        f"<VASPErrorRsp{xmlns}>\n<MM7Version>{_text(version)}</MM7Version>\n{_status(code, text, details)}"
        f"</VASPErrorRsp>\n</detail>\n</soap-env:Fault>\n{_BODY_END}"
    )


def _ack(body: str, status: int = _FINAL) -> Ack:
    data = body.encode("utf-8")
    return Ack(status=status, headers=(_CONTENT_TYPE, ("Content-Length", str(len(data)))), body=data)


def _check_callback(callback: Callback) -> tuple[str, Envelope]:
    """The response element and envelope of a callback parsed from an MM7 request; TypeError for any other."""
    element = _RESPONSE_ELEMENTS.get(getattr(callback, "format", ""))
    envelope = getattr(callback, "details", None)
    if element is None or not isinstance(envelope, Envelope):
        got = f"a Callback of {callback.format!r}" if isinstance(callback, Callback) else type(callback).__name__
        msg = f"mm7.response() takes a Callback parsed from an MM7 request, got {got}"
        raise TypeError(msg)
    return element, envelope


def response(
    callback: Callback,
    /,
    *,
    status_code: int | None = None,
    status_text: str | None = None,
    details: str | None = None,
    retry: bool = False,
) -> Ack:
    """The MM7 answer to ``callback``, ``text/xml; charset=utf-8`` with a Content-Length.

    By default, the ``...Rsp`` with StatusCode 1000 "Success" and HTTP 200, as [`mmsdr.acknowledge`][mmsdr.acknowledge]
    gives it. Pass another ``status_code`` to refuse the request for good in MM7's own terms, still with 200
    (``StatusCode.MESSAGE_ID_NOT_FOUND`` for a report on a message you do not know). What Sinch does with a
    code other than 1000 under a 200 is not documented; it does not retry a 200.

    With ``retry=True`` the answer asks for the request again, for a *temporary* failure of yours after a
    successful parse (your database is down): a SOAP Fault, faultcode ``soap-env:Server`` ("may succeed at a
    later point in time", SOAP 1.1 section 4.4.1), carrying a VASPErrorRsp with ``status_code`` (4006 "Service
    unavailable" when None; it must not be a 1xxx success), sent with HTTP 500 as SOAP 1.1 sends faults. Sinch
    retries it "5 minutes later, at most 5 times" (Sinch MM7 guide).

    Args:
        callback: a callback parsed from an MM7 request (``mm7.delivery_report``, ``mm7.deliver``,
            ``mm7.read_reply``).
        status_code: the ``StatusCode``; a [`StatusCode`][mmsdr.mm7.StatusCode] or any four-digit int (Sinch's 25xx,
            ...); None for 1000, or 4006 with ``retry``.
        status_text: the ``StatusText``; when None, the standard text of a code in the table, else the code's
            digits.
        details: an optional ``Status/Details`` text.
        retry: ask the sender to send the request again (HTTP 500 and a fault) instead of closing it (200).

    Raises:
        TypeError: ``callback`` is not from an MM7 request.
        ValueError: ``status_code`` is not four digits, or is a success with ``retry``.
    """
    element, envelope = _check_callback(callback)
    mm7_version, namespace, transaction_id = envelope.mm7_version, envelope.namespace, envelope.transaction_id
    if status_code is None:
        status_code = StatusCode.SERVICE_UNAVAILABLE if retry else StatusCode.SUCCESS
    code = int(status_code)
    if not 1000 <= code <= 9999:
        msg = f"status_code must be a four-digit MM7 StatusCode, got {status_code!r}"
        raise ValueError(msg)
    if retry and code < 2000:
        msg = f"retry=True answers a failure, so status_code must not be a 1xxx success, got {status_code!r}"
        raise ValueError(msg)
    if status_text is None:
        found = status_code_from_int(code)
        # An implementation-specific code (Sinch's 25xx) has no standard text: its digits say more than the
        # class's general text would.
        status_text = found.text if isinstance(found, StatusCode) else str(code)
    if retry:
        fault = _fault(
            _SERVER,
            transaction_id,
            namespace or DEFAULT_NAMESPACE,
            mm7_version,
            code=code,
            text=status_text,
            details=details,
        )
        return _ack(fault, _RETRY)
    return _ack(_rsp(element, transaction_id, namespace, mm7_version, _status(code, status_text, details)))


def acknowledge(callback: Callback) -> Ack:
    """``Format.acknowledge`` of every MM7 format: the matching ``...Rsp``, StatusCode 1000 "Success"."""
    return response(callback)


def retry(callback: Callback) -> Ack:
    """``Format.retry`` of every MM7 format: a ``soap-env:Server`` fault, StatusCode 4006, HTTP 500."""
    return response(callback, retry=True)


# --- Faults ---------------------------------------------------------------------------------------------------
#
# The errors are mmsdr's shared classes, so the MM7 side of a failure (the StatusCode it deserves, and the
# TransactionID, namespace and version read before it happened) rides on the error instance itself, under
# this key, until ``rejection`` turns it into the fault.
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
    if isinstance(error, AuthenticationError):  # Basic credentials, a source address: "Improper identification"
        return StatusCode.IMPROPER_IDENTIFICATION
    return StatusCode.GENERAL_SERVICE_ERROR


def rejection(error: MmsdrError, /, *, retry: bool = False) -> Ack:
    """The SOAP 1.1 Fault (faultcode Client) carrying a VASPErrorRsp that refuses the request ``error`` is about.

    Its StatusCode says what was wrong (4004 unreadable or a mandatory element missing, 2007 a value's format,
    4003 an operation mmsdr does not take, 2004 a size limit, 4001 a request that failed authentication); it
    echoes the TransactionID, namespace and MM7Version when the request could be read that far (an
    authentication failure is refused before the body is read), and ``Details`` holds the error message.

    An [`AuthenticationError`][mmsdr.AuthenticationError] is sent with its own HTTP status (401, or 403 for a
    source outside the networks) and its ``WWW-Authenticate`` challenge, so that an HTTP client sends
    credentials.

    With ``retry=False`` (the default, and ``error.ack`` of an MM7 request) it is sent with HTTP 200: refused
    for good. A parse error is permanent (the retry carries the same bytes and fails the same way), and
    permanent problems are answered with 200 plus a fault, as Mbuni does. With ``retry=True`` the same fault goes
    with HTTP 500, as SOAP 1.1 sends faults, and Sinch sends the request again, 5 minutes later, at most 5
    times: for when you would rather have the request back (a deployment that reads it is on its way).
    ``error.status_hint`` still gives the 4xx that fits the error, for logs and metrics.
    """
    context = context_of(error)
    code = context.status_code or _default_status(error)
    fault = _fault(
        _CLIENT,
        context.transaction_id,
        context.namespace or DEFAULT_NAMESPACE,
        context.mm7_version or DEFAULT_VERSION,
        code=code.value,
        text=code.text,
        details=error.message,
    )
    ack = _ack(fault, _RETRY if retry else _FINAL)
    if isinstance(error, AuthenticationError) and not retry:
        # An MMSC's HTTP client sends Basic credentials after a 401 that asks for them (RFC 7235): the status
        # and the challenge are HTTP's, the fault says the same to the MM7 layer.
        challenge = () if error.challenge is None else (("WWW-Authenticate", error.challenge),)
        ack = Ack(status=error.status_hint, headers=(*ack.headers, *challenge), body=ack.body)
    return ack


def reject(error: MmsdrError) -> Ack:
    """``Format.reject`` of every MM7 format: [`rejection`][mmsdr.mm7.rejection] refusing for good (HTTP 200)."""
    return rejection(error)

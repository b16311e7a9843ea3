"""mmsdr: MMS/SMS delivery reports, read reports and inbound messages from provider callbacks.

Sans-I/O: pass what your web framework already has to [`parse_request`][mmsdr.parse_request] and get a
[`Callback`][mmsdr.Callback] holding typed, frozen events; send back what [`acknowledge`][mmsdr.acknowledge]
returns. Everything public is importable from here; the
semantic versioning promise covers what the documentation describes.
"""

from __future__ import annotations

from . import bandwidth, mm7, mxtelecom, openmarket, sinch, telnyx, twilio, vonage
from ._errors import (
    AuthenticationError,
    LimitExceededError,
    MalformedRequestError,
    MmsdrError,
    UnsupportedFormatError,
    UntrustedSourceError,
)
from ._events import (
    Ack,
    Callback,
    DeliveryReport,
    Details,
    Event,
    InboundMessage,
    Part,
    RawFields,
    ReadReport,
    Report,
    SubscriptionRenewal,
    Unsubscribe,
)
from ._format import Format
from ._limits import Limits
from ._parser import FORMATS, Parser, acknowledge, event_from_dict, parse_request
from ._public import public_dir
from ._refused import RefusedRequest
from ._request import Headers, Request
from ._source import is_trusted_source
from ._status import Status

__version__ = "0.2.0.dev0"

__all__ = (
    "FORMATS",
    "Ack",
    "AuthenticationError",
    "Callback",
    "DeliveryReport",
    "Details",
    "Event",
    "Format",
    "Headers",
    "InboundMessage",
    "LimitExceededError",
    "Limits",
    "MalformedRequestError",
    "MmsdrError",
    "Parser",
    "Part",
    "RawFields",
    "ReadReport",
    "RefusedRequest",
    "Report",
    "Request",
    "Status",
    "SubscriptionRenewal",
    "Unsubscribe",
    "UnsupportedFormatError",
    "UntrustedSourceError",
    "__version__",
    "acknowledge",
    "bandwidth",
    "event_from_dict",
    "is_trusted_source",
    "mm7",
    "mxtelecom",
    "openmarket",
    "parse_request",
    "sinch",
    "telnyx",
    "twilio",
    "vonage",
)

__dir__ = public_dir(globals())

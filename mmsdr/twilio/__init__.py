"""Twilio Programmable Messaging callbacks: status callbacks and inbound SMS/MMS, and ``X-Twilio-Signature``.

[`FORMATS`][mmsdr.twilio.FORMATS] lists them in detection order: a status callback carries ``MessageStatus``,
which an inbound message never does. Both come as a form POST or, where the webhook is configured so, a GET.
Twilio-compatible providers (SignalWire and others) post the same forms. See docs/twilio.md.
"""

from __future__ import annotations

from .._public import public_dir
from . import inbound, status
from ._signature import Signature
from .details import InboundDetails, StatusDetails
from .status import REFUSAL_CODES, STATUSES

__all__ = ("FORMATS", "REFUSAL_CODES", "STATUSES", "InboundDetails", "Signature", "StatusDetails")

FORMATS = (status.FORMAT, inbound.FORMAT)

__dir__ = public_dir(globals())

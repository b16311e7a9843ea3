"""Vonage callbacks: the SMS API's delivery receipts and inbound SMS, and the Messages API's status and inbound
webhooks, with their checks.

[`FORMATS`][mmsdr.vonage.FORMATS] lists them in detection order:

- ``vonage.sms_receipt``: an SMS API delivery receipt, one per part of a message (GET, form POST or JSON).
- ``vonage.sms_inbound``: an SMS API inbound SMS, one event per part of a long message (GET, form POST or JSON).
- ``vonage.message_status``: a Messages API status (JSON); ``read`` is a read report.
- ``vonage.message_inbound``: a Messages API inbound message, SMS or MMS (media by URL) or another channel (JSON).

Vonage takes 200 or 204 and resends anything else.

- ``Signature``: the SMS API ``sig`` parameter (``md5hash``, the Dashboard's default, or an HMAC: ``md5``,
  ``sha1``, ``sha256``, ``sha512``) over the callback's parameters, with its signed ``timestamp`` checked.
- ``JwtSignature``: the Messages API ``Authorization: Bearer`` JWT (HS256, ``iat``, ``payload_hash``); needs
  the extra ``mmsdr[vonage]``. An unsigned Messages callback is answered 503, so that Vonage sends it again
  signed (docs/vonage.md).
"""

from __future__ import annotations

from .._public import public_dir
from . import messages, sms
from ._jwt import JwtSignature
from ._signature import Signature
from .details import MediaItem, MessageInboundDetails, MessageStatusDetails, SmsInboundDetails, SmsReceiptDetails
from .messages import MESSAGE_STATUSES
from .sms import ERROR_CODES, STATUSES

__all__ = (
    "ERROR_CODES",
    "FORMATS",
    "MESSAGE_STATUSES",
    "STATUSES",
    "JwtSignature",
    "MediaItem",
    "MessageInboundDetails",
    "MessageStatusDetails",
    "Signature",
    "SmsInboundDetails",
    "SmsReceiptDetails",
)

FORMATS = (*sms.FORMATS, *messages.FORMATS)

__dir__ = public_dir(globals())

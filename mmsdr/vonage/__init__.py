"""Vonage callbacks: the SMS API's delivery receipts and inbound SMS, and the Messages API's status and inbound
webhooks.

[`FORMATS`][mmsdr.vonage.FORMATS] lists them in detection order:

- ``vonage.sms_receipt``: an SMS API delivery receipt, one per part of a message (GET, form POST or JSON).
- ``vonage.sms_inbound``: an SMS API inbound SMS, one event per part of a long message (GET, form POST or JSON).
- ``vonage.message_status``: a Messages API status (JSON); ``read`` is a read report.
- ``vonage.message_inbound``: a Messages API inbound message, SMS or MMS (media by URL) or another channel (JSON).

Vonage takes 200 or 204 and resends anything else. See docs/vonage.md.
"""

from __future__ import annotations

from .._public import public_dir
from . import messages, sms
from .details import MediaItem, MessageInboundDetails, MessageStatusDetails, SmsInboundDetails, SmsReceiptDetails
from .messages import MESSAGE_STATUSES
from .sms import ERROR_CODES, STATUSES

__all__ = (
    "ERROR_CODES",
    "FORMATS",
    "MESSAGE_STATUSES",
    "STATUSES",
    "MediaItem",
    "MessageInboundDetails",
    "MessageStatusDetails",
    "SmsInboundDetails",
    "SmsReceiptDetails",
)

FORMATS = (*sms.FORMATS, *messages.FORMATS)

__dir__ = public_dir(globals())

"""What Vonage callbacks carry beyond the shared event fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .._events import Details
from .._public import public_dir

__all__ = ("MediaItem", "MessageInboundDetails", "MessageStatusDetails", "SmsInboundDetails", "SmsReceiptDetails")


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsReceiptDetails(Details):
    """``vonage.sms_receipt``: the SMS API delivery receipt of one part of a message you sent."""

    error_text: str | None = None
    """The documented meaning of ``err-code`` (``provider_code``): ``"Absent subscriber - temporary"`` for 2;
    None for a code the table does not list."""

    scts: datetime | None = None
    """``scts`` (``YYMMDDHHMM``), the carrier's time of the status, read in the endpoint's zone (UTC unless
    configured). Its zone is not reliable (a carrier's local time has been seen), so it is never the event's
    ``timestamp``; the text as sent is in ``raw``."""

    network_code: str | None = None
    """``network-code``: the recipient's network (MCCMNC, ``23820``)."""

    price: str | None = None
    """``price`` as sent (``0.01820000``), never a number."""

    client_ref: str | None = None
    """``client-ref``: the reference you gave when sending."""

    api_key: str | None = None
    """``api-key``: the account that sent the message; its signature secret signs the callback."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsInboundDetails(Details):
    """``vonage.sms_inbound``: one SMS, or one part of a long one, sent to your Vonage number."""

    message_type: str | None = None
    """``type``: ``text``, ``unicode`` or ``binary``."""

    keyword: str | None = None
    """``keyword``: the first word of the text, upper-case, as Vonage found it."""

    concat: bool = False
    """``concat`` is ``true``: this event is one part of a long message (the other parts come as other events)."""

    concat_ref: str | None = None
    """``concat-ref``: the same for every part of one long message (from one sender)."""

    concat_total: int | None = None
    """``concat-total``: how many parts the long message has."""

    concat_part: int | None = None
    """``concat-part``: this part's number, from 1."""

    udh: bytes | None = None
    """``udh`` of a binary message, decoded from hex (the hex is in ``raw``)."""

    api_key: str | None = None
    """``api-key``: the account that owns the number; its signature secret signs the callback."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageStatusDetails(Details):
    """``vonage.message_status``: a Messages API status webhook."""

    channel: str | None = None
    """``channel``: ``sms``, ``mms``, ``rcs``, ``whatsapp``, ..."""

    error_type: str | None = None
    """``error.type``: a URL of Vonage's error page for the code (``provider_code`` is ``error.title``)."""

    error_detail: str | None = None
    """``error.detail``: the error in words."""

    client_ref: str | None = None
    """``client_ref``: the reference you gave when sending."""

    price: str | None = None
    """``usage.price`` as sent, never a number."""

    currency: str | None = None
    """``usage.currency``."""

    network_code: str | None = None
    """``destination.network_code``: the recipient's network."""

    sms_count_total: int | None = None
    """``sms.count_total``: how many SMS parts carried the message."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaItem:
    """One medium of a Messages API inbound message, as Vonage describes it."""

    kind: str
    """Where it came from: ``image``, ``audio``, ``video``, ``file``, ``vcard`` or ``sticker`` (an object of that
    name), or the ``type`` of a ``content[]`` element."""

    url: str
    """``url``."""

    name: str | None = None
    """``name``, where sent."""

    caption: str | None = None
    """``caption``, where sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageInboundDetails(Details):
    """``vonage.message_inbound``: a Messages API inbound message (SMS, MMS and the other channels)."""

    message_type: str | None = None
    """``message_type``: ``text``, ``image``, ``audio``, ``video``, ``file``, ``vcard``, ..."""

    media: tuple[MediaItem, ...] = ()
    """The media as sent, with their names and captions (each is also one of the event's ``parts``)."""

    keyword: str | None = None
    """``sms.keyword``."""

    num_messages: int | None = None
    """``sms.num_messages``: how many SMS parts carried the message."""

    network_code: str | None = None
    """``origin.network_code``: the sender's network."""

    client_ref: str | None = None
    """``client_ref``."""

    price: str | None = None
    """``usage.price`` as sent, never a number."""

    currency: str | None = None
    """``usage.currency``."""


__dir__ = public_dir(globals())

"""What Twilio callbacks carry beyond the shared event fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .._events import Details
from .._public import public_dir

__all__ = ("InboundDetails", "StatusDetails")


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusDetails(Details):
    """``twilio.status``: the account, the messaging service and the carrier's done date."""

    account_sid: str | None = None
    """``AccountSid``: the (sub-)account that sent the message; its Auth Token signs the callback."""

    messaging_service_sid: str | None = None
    """``MessagingServiceSid``, where the message went through a Messaging Service."""

    raw_dlr_done_date: datetime | None = None
    """``RawDlrDoneDate`` read as UTC (``YYMMDDhhmm``, no zone): the carrier's "done date", also the event's
    ``timestamp``; None where Twilio sends none (it sends it for most ``delivered`` and ``undelivered``)."""

    event_type: str | None = None
    """``EventType`` of channels other than SMS (``READ`` for a WhatsApp read receipt), where sent."""

    api_version: str | None = None
    """``ApiVersion``: ``2010-04-01``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundDetails(Details):
    """``twilio.inbound``: the account, the segments, where the numbers are, and an opt-out keyword's kind."""

    account_sid: str | None = None
    """``AccountSid``: the (sub-)account that owns the number; its Auth Token signs the callback."""

    messaging_service_sid: str | None = None
    """``MessagingServiceSid``, where the number belongs to a Messaging Service."""

    num_segments: int | None = None
    """``NumSegments``: how many SMS segments made the message (an SMS of more than 160 GSM characters)."""

    num_media: int | None = None
    """``NumMedia`` as sent; ``parts`` holds the media that came (a warning says when the two disagree)."""

    opt_out_type: str | None = None
    """``OptOutType`` (``STOP``, ``START``, ``HELP``), where Advanced Opt-Out recognised a keyword."""

    from_city: str | None = None
    """``FromCity``: Twilio's guess of the sender's city, where it has one; so for the next seven fields."""

    from_state: str | None = None
    """``FromState``."""

    from_zip: str | None = None
    """``FromZip``."""

    from_country: str | None = None
    """``FromCountry``."""

    to_city: str | None = None
    """``ToCity``."""

    to_state: str | None = None
    """``ToState``."""

    to_zip: str | None = None
    """``ToZip``."""

    to_country: str | None = None
    """``ToCountry``."""

    api_version: str | None = None
    """``ApiVersion``: ``2010-04-01``."""


__dir__ = public_dir(globals())

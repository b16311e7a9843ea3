"""What Telnyx Messaging (API v2) callbacks carry beyond the shared event fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .._events import Details
from .._public import public_dir

__all__ = ("InboundDetails", "MediaItem", "ReportDetails", "TelnyxError")


@dataclass(frozen=True, slots=True, kw_only=True)
class TelnyxError:
    """One element of ``payload.errors``."""

    code: str | None
    """``code`` as a string (``"40300"``)."""

    title: str | None = None
    """``title``."""

    detail: str | None = None
    """``detail``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaItem:
    """One element of ``payload.media`` as Telnyx describes it."""

    url: str | None
    """``url``."""

    content_type: str | None = None
    """``content_type`` as sent (the event's part says ``application/octet-stream`` where this is None)."""

    size: int | None = None
    """``size`` in bytes."""

    sha256: str | None = None
    """``hash_sha256`` (inbound, the SDK's name) or ``sha256`` (the docs' outbound example)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDetails(Details):
    """``telnyx.report``: one recipient's status in ``message.sent`` or ``message.finalized``."""

    event_id: str | None = None
    """``data.id``."""

    event_type: str
    """``data.event_type``: ``message.sent`` or ``message.finalized``."""

    attempt: int | None = None
    """``meta.attempt``: Telnyx warns of duplicate, concurrent and out-of-order events; this says which try."""

    message_type: str | None = None
    """``payload.type``: ``SMS`` or ``MMS``."""

    carrier: str | None = None
    """``to[].carrier`` of this recipient."""

    line_type: str | None = None
    """``to[].line_type`` of this recipient."""

    errors: tuple[TelnyxError, ...] = ()
    """``payload.errors``: the message's errors (the first one's code is ``provider_code``)."""

    sent_at: datetime | None = None
    """``payload.sent_at``."""

    completed_at: datetime | None = None
    """``payload.completed_at``."""

    tags: tuple[str, ...] = ()
    """``payload.tags``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundDetails(Details):
    """``telnyx.inbound``: what a ``message.received`` event says beyond the message."""

    event_id: str | None = None
    """``data.id``."""

    attempt: int | None = None
    """``meta.attempt``."""

    message_type: str | None = None
    """``payload.type``: ``SMS`` or ``MMS``."""

    carrier: str | None = None
    """``from.carrier``: the sender's carrier."""

    line_type: str | None = None
    """``from.line_type``."""

    media: tuple[MediaItem, ...] = ()
    """``payload.media`` as sent, with each item's size and hash."""

    messaging_profile_id: str | None = None
    """``payload.messaging_profile_id``."""

    encoding: str | None = None
    """``payload.encoding``."""

    parts_count: int | None = None
    """``payload.parts``: how many SMS segments carried the message."""


__dir__ = public_dir(globals())

"""What Sinch SMS REST API ("XMS") callbacks carry beyond the shared event fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .._events import Details
from .._public import public_dir

__all__ = ("BatchReportDetails", "InboundDetails", "MediaItem", "ReportDetails", "StatusCount")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDetails(Details):
    """``sinch.recipient_delivery_report``: what a per-recipient report says beyond status and code."""

    kind: str
    """``type``: ``"recipient_delivery_report_sms"`` or ``"recipient_delivery_report_mms"``."""

    client_reference: str | None = None
    """``client_reference``: what you set when sending the batch."""

    operator: str | None = None
    """``operator``: the recipient's operator, where Sinch says."""

    applied_originator: str | None = None
    """``applied_originator``: the default originator Sinch used, where it chose one."""

    encoding: str | None = None
    """``encoding``: ``"GSM"`` or ``"UNICODE"``, sent only with smart encoding."""

    message_parts: int | None = None
    """``number_of_message_parts``, sent only when the batch set a maximum."""

    operator_status_at: datetime | None = None
    """``operator_status_at``: when the operator reported the status (the event's ``timestamp`` is ``at``,
    when Sinch created the report)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusCount:
    """One element of a batch report's ``statuses`` that lists no recipients."""

    status: str
    """``status``, verbatim (``"Delivered"``)."""

    code: str | None
    """``code`` as a string (``"0"``); None when absent."""

    count: int | None
    """``count``: how many messages of the batch have this status and code."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchReportDetails(Details):
    """``sinch.delivery_report``: the batch a recipient's status was reported in.

    A "full" report lists recipients: one event each, ``counts`` empty. A "summary" report (or the elements
    of a "full" one that list none) gives one event with ``recipient`` None whose ``counts`` say how many
    messages have each status: recipients are never invented.
    """

    kind: str
    """``type``: ``"delivery_report_sms"`` or ``"delivery_report_mms"``."""

    client_reference: str | None = None
    """``client_reference``: what you set when sending the batch."""

    total_message_count: int | None = None
    """``total_message_count``: the number of messages in the batch."""

    count: int | None = None
    """``count`` of the ``statuses`` element this recipient was listed in (None on the counts event)."""

    counts: tuple[StatusCount, ...] = ()
    """The ``statuses`` elements without recipients, in the order sent (empty on a recipient's event)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaItem:
    """One element of an ``mo_media`` body's ``media``: where Sinch uploaded it, or why it could not."""

    url: str | None
    """``url`` in your storage bucket; None when the upload failed."""

    content_type: str | None
    """``content_type`` as sent."""

    status: str | None
    """``status``: ``"Uploaded"`` or ``"Failed"``."""

    code: str | None
    """``code`` as a string: ``"0"`` uploaded, ``"1"`` internal failure, ``"2"`` bucket not found."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundDetails(Details):
    """``sinch.inbound``: the kind of message, the sender's operator and, for binary SMS, the UDH."""

    kind: str
    """``type``: ``"mo_text"``, ``"mo_binary"`` or ``"mo_media"``."""

    operator_id: str | None = None
    """``operator_id``: the sender's operator as MCC and MNC (``"35000"``), where sent."""

    client_reference: str | None = None
    """``client_reference``, where sent."""

    sent_at: datetime | None = None
    """``sent_at``: when the handset sent it, where sent (the event's ``timestamp`` is ``received_at``)."""

    udh: bytes | None = None
    """``mo_binary``: ``udh`` decoded from hex (the body is the event's one part)."""

    media: tuple[MediaItem, ...] = ()
    """``mo_media``: every element of ``body.media``, failed uploads included (those with a ``url`` are also
    the event's parts)."""


__dir__ = public_dir(globals())

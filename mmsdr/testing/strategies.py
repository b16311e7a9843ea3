"""Hypothesis strategies for mmsdr events and requests, for property tests of code that handles events.

Needs hypothesis (a test dependency: ``pip install hypothesis``); ``import mmsdr.testing`` itself does not.
Each strategy draws a builder's keyword arguments, builds the request and parses it, so every event drawn is
one mmsdr really produces, ``raw`` and ``dedupe_key`` included::

    from hypothesis import given
    from mmsdr.testing import strategies

    @given(strategies.delivery_reports())
    def test_my_handler(report): ...
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from .._events import (
    Callback,
    DeliveryReport,
    Event,
    InboundMessage,
    Part,
    ReadReport,
    SubscriptionRenewal,
    Unsubscribe,
)
from .._parser import FORMATS
from .._public import public_dir
from ..mxtelecom._builders import LONDON as _LONDON
from . import BUILDERS, TestRequest

if TYPE_CHECKING:
    from collections.abc import Callable

    from hypothesis.strategies import SearchStrategy

__all__ = (
    "arguments",
    "callbacks",
    "delivery_reports",
    "events",
    "inbound_messages",
    "read_reports",
    "requests",
    "subscription_renewals",
    "unsubscribes",
)

_DIGITS = "0123456789"
_ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"


def _digits(min_size: int = 1, max_size: int = 15) -> SearchStrategy[str]:
    return st.text(_DIGITS, min_size=min_size, max_size=max_size)


def _sms_id() -> SearchStrategy[str]:
    return st.integers(1, 2**64 - 1).map(str)


def _token(max_size: int = 24) -> SearchStrategy[str]:
    return st.text(_ID_CHARS, min_size=1, max_size=max_size)


def _words(max_size: int = 40) -> SearchStrategy[str]:
    """Printable text without surrounding blanks (fields are trimmed), any script: names, subjects."""
    alphabet = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x85\xa0")
    return st.text(alphabet, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def _phone() -> SearchStrategy[str]:
    return _digits(3, 15)


# Hypothesis takes naive bounds; the years are inside the parser's 1970..2199.
_EARLIEST = datetime(1990, 1, 1)  # noqa: DTZ001
_LATEST = datetime(2150, 1, 1)  # noqa: DTZ001


def _instants() -> SearchStrategy[datetime]:
    return st.datetimes(_EARLIEST, _LATEST, timezones=st.just(UTC))


def _london_seconds() -> SearchStrategy[datetime]:
    # Zone-less MX dates are read in London time, the repeated hour as its first occurrence: draw wall-clock
    # times that exist exactly once, as the parser gives them back.
    return (
        st.datetimes(_EARLIEST, _LATEST)
        .map(lambda value: value.replace(microsecond=0, tzinfo=_LONDON))
        .filter(
            lambda value: value.astimezone(UTC).astimezone(_LONDON).replace(tzinfo=None) == value.replace(tzinfo=None)
        )
        .filter(lambda value: value.replace(fold=1).utcoffset() == value.utcoffset())
    )


def _offset_seconds() -> SearchStrategy[datetime]:
    offsets = st.integers(-12 * 4, 14 * 4).map(lambda quarter: timezone(timedelta(minutes=15 * quarter)))
    return st.builds(lambda instant, zone: instant.replace(microsecond=0).astimezone(zone), _instants(), offsets)


def _milliseconds() -> SearchStrategy[datetime]:
    return _instants().map(lambda value: value.replace(microsecond=value.microsecond // 1000 * 1000))


def _utc_seconds() -> SearchStrategy[datetime]:
    return _instants().map(lambda value: value.replace(microsecond=0))


_MEDIA = ("image/jpeg", "image/gif", "image/png", "audio/amr", "video/3gpp", "application/smil", "text/plain")
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/png": ".png",
    "audio/amr": ".amr",
    "video/3gpp": ".3gp",
    "application/smil": ".smil",
    "text/plain": ".txt",
}


@st.composite
def _parts(draw: st.DrawFn, *, min_size: int = 0, max_size: int = 4, zip_names: bool = False) -> tuple[Part, ...]:
    count = draw(st.integers(min_size, max_size))
    parts: list[Part] = []
    for index in range(count):
        media = draw(st.sampled_from(_MEDIA))
        name = f"{draw(_token(12))}-{index}{_EXTENSIONS[media]}"
        if media == "text/plain":
            data = draw(_words(60)).encode("utf-8")
            charset: str | None = "utf-8"
        else:
            data = draw(st.binary(max_size=64))
            charset = None
        if zip_names:  # the zipped MMS names each part by its file name (mmsdr.testing.mms_zip)
            parts.append(Part(content_type=media, data=data, content_id=name, filename=name, charset=charset))
        else:
            content_id = draw(st.none() | st.just(name))
            filename = draw(st.none() | st.just(name))
            parts.append(Part(content_type=media, data=data, content_id=content_id, filename=filename, charset=charset))
    return tuple(parts)


def _optional(strategy: SearchStrategy[Any]) -> SearchStrategy[Any]:
    return st.none() | strategy


def _not_a_report(text: str) -> bool:
    # An inbound SMS reading "REPORT 1 DELIVERED" is taken for a delivery report when formats are detected.
    return not text.lstrip().upper().startswith("REPORT")


def _twilio_sid(prefix: str) -> SearchStrategy[str]:
    return st.text("0123456789abcdef", min_size=32, max_size=32).map(lambda digits: prefix + digits)


def _e164() -> SearchStrategy[str]:
    return _digits(8, 15).map(lambda digits: "+" + digits)


_TELNYX_STATUSES = (
    "queued",
    "sending",
    "sent",
    "delivered",
    "sending_failed",
    "delivery_failed",
    "delivery_unconfirmed",
    "expired",
)
_VONAGE_SMS_STATUSES = (
    "delivered",
    "DELIVRD",
    "accepted",
    "ACCEPTD",
    "buffered",
    "expired",
    "failed",
    "UNDELIV",
    "rejected",
    "DELETED",
    "unknown",
)
_VONAGE_METHODS = ("GET", "POST", "POST-JSON")
_VONAGE_CHANNELS = ("sms", "mms", "rcs", "whatsapp")


def _scts() -> SearchStrategy[datetime]:
    # YYMMDDHHMM: minutes of the years 2000 to 2099, read back as UTC.
    return st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31), timezones=st.just(UTC)).map(  # noqa: DTZ001
        lambda value: value.replace(second=0, microsecond=0)
    )


_BANDWIDTH_KINDS = ("message-sending", "message-sent", "message-delivered", "message-failed", "message-read")


def _utc_minutes() -> SearchStrategy[datetime]:
    # RawDlrDoneDate: YYMMDDhhmm, read as 20YY.
    return st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31), timezones=st.just(UTC)).map(  # noqa: DTZ001
        lambda value: value.replace(second=0, microsecond=0)
    )


_TWILIO_STATUSES = (
    "queued",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "read",
    "canceled",
    "partially_delivered",
)
_MM7_STATUSES = ("Retrieved", "Deferred", "Forwarded", "Expired", "Rejected", "Unrecognised", "Indeterminate")
_MM7_COMMON: dict[str, SearchStrategy[Any]] = {
    "transaction_id": _token(),
    "mm7_version": st.sampled_from(("6.8.0", "5.3.0", "6.5.0")),
    "namespace": st.sampled_from(
        (
            "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
            "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-2",
            None,
        )
    ),
    "network": _optional(_digits(7, 7)),
}


def _listed_once(statuses: tuple[tuple[str, int, Any], ...]) -> bool:
    # A recipient listed twice gives two events that differ only in their keys: request_for cannot tell them apart.
    listed = [recipient for _, _, given in statuses if not isinstance(given, int) for recipient in given]
    return len(listed) == len(set(listed))


_SINCH_STATUSES = (
    "Queued",
    "Dispatched",
    "Delivered",
    "Failed",
    "Aborted",
    "Cancelled",
    "Deleted",
    "Expired",
    "Unknown",
)

_ARGUMENTS: dict[str, dict[str, SearchStrategy[Any]]] = {
    "mxtelecom.sms_report": {
        "message_id": _sms_id(),
        "status": st.sampled_from(("BUFFERED", "DELIVERED", "FAILED", "REJECTED", "NONE/BUFFERED")),
        "recipient": _phone(),
        "sender": _optional(_digits(3, 6)),
        "report_id": _optional(_sms_id()),
        "timestamp": _london_seconds(),
        "reason": _optional(st.integers(0, 2**32 - 1)),
        "note": _optional(_words()),
    },
    "mxtelecom.mms_report": {
        "report_id": _token(),
        "message_id": _token(),
        "status": st.integers(1, 11),
        "kind": st.sampled_from(("delivery", "read")),
        "recipient": _phone(),
        "sender": _digits(3, 6),
        "timestamp": _offset_seconds(),
        "user_agent": _optional(_words()),
    },
    "mxtelecom.sms_inbound": {
        "message_id": _sms_id(),
        "sender": _phone(),
        "recipient": _digits(3, 6),
        "text": st.text(max_size=160).filter(_not_a_report),
        "udh": _optional(st.binary(min_size=1, max_size=6)),
        "timestamp": _london_seconds(),
        "network": _optional(_token()),
        "smsc": _optional(_token()),
    },
    "mxtelecom.mms_inbound": {
        "message_id": _token(),
        "sender": _phone(),
        "recipients": st.lists(_digits(3, 12), min_size=1, max_size=3).map(tuple),
        "cc": st.lists(_phone(), max_size=2).map(tuple),
        "timestamp": _offset_seconds(),
        "subject": _optional(_words()),
        "network": _optional(_token()),
        "expiry": _optional(_offset_seconds()),
        "parts": _parts(zip_names=True),
    },
    "mxtelecom.unsubscribe": {
        "msisdn": _phone(),
        "shortcodes": st.lists(_digits(3, 6), min_size=1, max_size=3).map(tuple),
        "source": st.sampled_from(("IVR", "STOP", "UNKNOWN", "WEB")),
        "timestamp": _london_seconds(),
    },
    "mxtelecom.renewal": {
        "message_id": _sms_id(),
        "msisdn": _phone(),
        "shortcode": _digits(3, 6),
        "network": st.sampled_from(("ATTUS", "CINGULARUS")),
        "timestamp": _london_seconds(),
        "mt_username": _optional(_token()),
    },
    "mm7.delivery_report": {
        "message_id": _token(),
        "status": st.sampled_from(_MM7_STATUSES),
        "recipient": _phone(),
        "sender": _optional(_digits(3, 6)),
        "timestamp": _milliseconds(),
        "status_text": _optional(_words()),
        "user_agent": _optional(_words()),
        **_MM7_COMMON,
    },
    "mm7.read_reply": {
        "message_id": _token(),
        "status": st.sampled_from(("Read", "Deleted", "Indeterminate")),
        "recipient": _phone(),
        "sender": _optional(_digits(3, 6)),
        "timestamp": _milliseconds(),
        "status_text": _optional(_words()),
        "user_agent": _optional(_words()),
        **_MM7_COMMON,
    },
    "mm7.deliver": {
        "message_id": _token(),
        "sender": _phone(),
        "recipients": st.lists(_digits(3, 12), min_size=1, max_size=3).map(tuple),
        "cc": st.lists(_phone(), max_size=2).map(tuple),
        "bcc": st.lists(_phone(), max_size=2).map(tuple),
        "subject": _optional(_words()),
        "priority": st.sampled_from(("High", "Normal", "Low", None)),
        "timestamp": _milliseconds(),
        "parts": _parts(min_size=1),
        **_MM7_COMMON,
    },
    "openmarket.mms_report": {
        "message_id": _token(),
        "status": st.sampled_from(_MM7_STATUSES),
        "outcome_id": _optional(st.integers(0, 99)),
        "outcome_description": _optional(_words()),
        "user_agent": _optional(_words()),
        "timestamp": _offset_seconds(),
        "request_id": _optional(_token(30)),
    },
    "openmarket.mms_inbound": {
        "message_id": _token() | _digits(1, 15),
        "sender": _phone(),
        "recipients": st.lists(_digits(3, 6), min_size=1, max_size=1).map(tuple),
        "cc": st.lists(_phone(), max_size=2).map(tuple),
        "bcc": st.lists(_phone(), max_size=2).map(tuple),
        "timestamp": _offset_seconds(),
        "network": _optional(st.integers(1, 999).map(str)),
        "subject": _optional(_words()),
        "user_agent": _optional(_words()),
        "parts": _parts(),
        "request_id": _optional(_token(30)),
    },
    "sinch.recipient_delivery_report": {
        "batch_id": _token(26),
        "recipient": _phone(),
        "status": st.sampled_from(_SINCH_STATUSES),
        "code": _optional(st.sampled_from((0, *range(400, 419)))),
        "timestamp": _milliseconds(),
        "operator_status_at": _optional(_milliseconds()),
        "client_reference": _optional(_words()),
        "operator": _optional(_words()),
        "applied_originator": _optional(_digits(3, 15)),
        "encoding": _optional(st.sampled_from(("GSM", "UNICODE"))),
        "message_parts": _optional(st.integers(1, 10)),
        "channel": st.sampled_from(("sms", "mms")),
    },
    "sinch.delivery_report": {
        "batch_id": _token(26),
        "statuses": st.lists(
            st.tuples(
                st.sampled_from(_SINCH_STATUSES),
                st.sampled_from((0, 401, 402, 406)),
                st.lists(_phone(), min_size=1, max_size=3, unique=True).map(tuple) | st.integers(1, 1000),
            ),
            min_size=1,
            max_size=3,
        )
        .map(tuple)
        .filter(_listed_once),
        "client_reference": _optional(_words()),
        "channel": st.sampled_from(("sms", "mms")),
    },
    "sinch.inbound": {
        "kind": st.sampled_from(("mo_text", "mo_binary", "mo_media")),
        "message_id": _token(26),
        "sender": _phone(),
        "recipient": _phone(),
        "text": _optional(st.text(max_size=160)),
        "subject": _optional(_words()),
        "data": st.binary(max_size=140),
        "udh": _optional(st.binary(min_size=1, max_size=6)),
        "parts": st.lists(
            st.builds(
                lambda media, name: Part(
                    content_type=media, url=f"https://media.example.com/{name}{_EXTENSIONS[media]}"
                ),
                st.sampled_from(_MEDIA),
                _token(12),
            ),
            max_size=3,
        ).map(tuple),
        "timestamp": _milliseconds(),
        "sent_at": _optional(_milliseconds()),
        "operator_id": _optional(_digits(5, 6)),
        "client_reference": _optional(_words()),
    },
    "twilio.status": {
        "message_id": _twilio_sid("SM") | _twilio_sid("MM"),
        "status": st.sampled_from(_TWILIO_STATUSES),
        "error_code": _optional(st.sampled_from(("30003", "30007", "21610", "30008", "99999"))),
        "sender": _optional(_e164()),
        "recipient": _optional(_e164()),
        "timestamp": _optional(_utc_minutes()),
        "account_sid": _optional(_twilio_sid("AC")),
        "messaging_service_sid": _optional(_twilio_sid("MG")),
        "method": st.sampled_from(("POST", "GET")),
    },
    "twilio.inbound": {
        "message_id": _twilio_sid("SM") | _twilio_sid("MM"),
        "sender": _e164(),
        "recipient": _e164(),
        "text": st.text(st.characters(codec="utf-8"), max_size=320),
        "media": st.lists(
            st.tuples(
                _twilio_sid("ME").map(lambda sid: f"https://api.twilio.com/Media/{sid}"), st.sampled_from(_MEDIA)
            ),
            max_size=3,
        ),
        "num_segments": _optional(st.integers(1, 10)),
        "account_sid": _twilio_sid("AC"),
        "messaging_service_sid": _optional(_twilio_sid("MG")),
        "opt_out_type": _optional(st.sampled_from(("STOP", "START", "HELP"))),
        "method": st.sampled_from(("POST", "GET")),
    },
    "bandwidth.report": {
        "kind": st.sampled_from(_BANDWIDTH_KINDS),
        "message_id": _token(29),
        "recipient": _optional(_e164()),
        "sender": _e164(),
        "error_code": _optional(st.sampled_from((4432, 4360, 4720, 5600, 9902, 9999, 995))),
        "description": _optional(_words()),
        "timestamp": _milliseconds(),
        "message_time": _optional(_milliseconds()),
        "media": st.lists(_token(12).map(lambda name: f"https://messaging.bandwidth.com/media/{name}"), max_size=2),
        "tag": _optional(_words()),
        "segment_count": _optional(st.integers(1, 10)),
        "as_object": st.booleans(),
    },
    "bandwidth.inbound": {
        "message_id": _token(29),
        "sender": _e164(),
        "recipient": _e164(),
        "recipients": _optional(st.lists(_e164(), min_size=1, max_size=3).map(tuple)),
        "text": st.text(st.characters(codec="utf-8"), max_size=320),
        "media": st.lists(_token(12).map(lambda name: f"https://messaging.bandwidth.com/media/{name}"), max_size=2),
        "timestamp": _milliseconds(),
        "message_time": _optional(_milliseconds()),
        "segment_count": _optional(st.integers(1, 10)),
    },
    "telnyx.report": {
        "event_type": st.sampled_from(("message.sent", "message.finalized")),
        "message_id": _token(36),
        "sender": _e164(),
        "recipients": st.lists(
            st.tuples(_e164(), st.sampled_from(_TELNYX_STATUSES)),
            min_size=1,
            max_size=3,
            unique_by=lambda pair: pair[0],
        ).map(tuple),
        "errors": st.lists(st.tuples(st.sampled_from((40001, 40002, 40004, 40005, 40008)), _words()), max_size=2).map(
            tuple
        ),
        "message_type": st.sampled_from(("SMS", "MMS")),
        "timestamp": _milliseconds(),
        "event_id": _optional(_token(36)),
        "attempt": _optional(st.integers(1, 3)),
        "tags": st.lists(_words(), max_size=2).map(tuple),
    },
    "telnyx.inbound": {
        "message_id": _token(36),
        "sender": _e164(),
        "recipients": st.lists(_e164(), min_size=1, max_size=3).map(tuple),
        "cc": st.lists(_e164(), max_size=2).map(tuple),
        "text": _optional(st.text(st.characters(codec="utf-8"), max_size=160)),
        "subject": _optional(_words()),
        "media": st.lists(
            st.tuples(
                _token(12).map(lambda name: f"https://media.telnyx.com/{name}"),
                _optional(st.sampled_from(_MEDIA)),
                _optional(st.integers(0, 10**7)),
                _optional(st.text("0123456789abcdef", min_size=64, max_size=64)),
            ),
            max_size=2,
        ).map(tuple),
        "message_type": st.sampled_from(("SMS", "MMS")),
        "timestamp": _milliseconds(),
        "event_id": _optional(_token(36)),
        "attempt": _optional(st.integers(1, 3)),
    },
    "vonage.sms_receipt": {
        "message_id": _token(),
        "status": st.sampled_from(_VONAGE_SMS_STATUSES),
        "error_code": _optional(st.sampled_from((0, 1, 2, 6, 15, 99, 31))),
        "recipient": _phone(),
        "sender": _optional(_phone()),
        "network_code": _optional(_digits(5, 6)),
        "price": _optional(st.sampled_from(("0.01820000", "0.00570000", "0"))),
        "scts": _optional(_scts()),
        "timestamp": _optional(_utc_seconds()),
        "client_ref": _optional(_token()),
        "api_key": _optional(_token(8)),
        "method": st.sampled_from(_VONAGE_METHODS),
    },
    "vonage.sms_inbound": {
        "message_id": _token(),
        "sender": _phone(),
        "recipient": _optional(_phone()),
        "text": _optional(st.text(st.characters(codec="utf-8"), max_size=160)),
        "message_type": st.sampled_from(("text", "unicode", "binary")),
        "keyword": _optional(_token(12)),
        "data": _optional(st.binary(min_size=1, max_size=140)),
        "udh": _optional(st.binary(min_size=1, max_size=12)),
        "concat": _optional(st.tuples(_token(4), st.integers(2, 9), st.integers(1, 9))),
        "timestamp": _optional(_utc_seconds()),
        "api_key": _optional(_token(8)),
        "method": st.sampled_from(_VONAGE_METHODS),
    },
    "vonage.message_status": {
        "message_id": _token(36),
        "status": st.sampled_from(("submitted", "delivered", "read", "rejected", "undeliverable")),
        "recipient": _phone(),
        "sender": _optional(_phone()),
        "timestamp": _optional(_milliseconds()),
        "error": _optional(st.tuples(st.sampled_from((1000, 1300, 1320, "1460")), _words())),
        "channel": st.sampled_from(_VONAGE_CHANNELS),
        "client_ref": _optional(_token()),
        "price": _optional(st.tuples(st.sampled_from(("EUR", "USD")), st.sampled_from(("0.0333", "0.0057")))),
        "network_code": _optional(_digits(5, 6)),
        "sms_count_total": _optional(st.integers(1, 9)),
    },
    "vonage.message_inbound": {
        "message_id": _token(36),
        "sender": _phone(),
        "recipient": _optional(_phone()),
        "channel": st.sampled_from(("sms", "mms")),
        "message_type": st.sampled_from(("text", "image")),
        "text": _optional(st.text(st.characters(codec="utf-8"), max_size=160)),
        "image": _optional(
            st.tuples(_token(12).map(lambda name: f"https://example.com/{name}.jpg"), _optional(_words()))
        ),
        "content": st.lists(
            st.tuples(
                st.sampled_from(("image", "video", "audio", "file")),
                _token(12).map(lambda name: f"https://api-us.nexmo.com/v3/media/{name}"),
            ),
            max_size=3,
            unique_by=lambda pair: pair[1],
        ).map(tuple),
        "timestamp": _optional(_milliseconds()),
        "keyword": _optional(_token(12)),
        "num_messages": _optional(st.integers(1, 9)),
        "network_code": _optional(_digits(5, 6)),
    },
}


def arguments(format_name: str, /) -> SearchStrategy[dict[str, Any]]:
    """Keyword arguments for ``mmsdr.testing.BUILDERS[format_name]``."""
    return st.fixed_dictionaries(_ARGUMENTS[format_name])


def requests(format_name: str | None = None, /) -> SearchStrategy[TestRequest]:
    """Requests of one format (all formats when None), as its builder makes them."""
    if format_name is None:
        return st.one_of([requests(name) for name in FORMATS])
    builder: Callable[..., TestRequest] = BUILDERS[format_name]
    return arguments(format_name).map(lambda kwargs: builder(**kwargs))


def callbacks(format_name: str | None = None, /) -> SearchStrategy[Callback]:
    """Callbacks of one format (all formats when None), exactly as mmsdr parses them."""
    return requests(format_name).map(lambda request: request.parse())


def events(format_name: str | None = None, /) -> SearchStrategy[Event]:
    """Events of one format (all formats when None), exactly as mmsdr parses them."""
    return callbacks(format_name).flatmap(lambda callback: st.sampled_from(callback.events))


def _of(kind: type[Event], *names: str) -> SearchStrategy[Any]:
    return st.one_of([events(name) for name in names]).filter(lambda event: isinstance(event, kind))


def delivery_reports() -> SearchStrategy[DeliveryReport]:
    """Delivery reports of every provider."""
    names = (
        "mxtelecom.sms_report",
        "mxtelecom.mms_report",
        "mm7.delivery_report",
        "openmarket.mms_report",
        "sinch.recipient_delivery_report",
        "sinch.delivery_report",
        "twilio.status",
        "bandwidth.report",
        "telnyx.report",
        "vonage.sms_receipt",
        "vonage.message_status",
    )
    return _of(DeliveryReport, *names)


def read_reports() -> SearchStrategy[ReadReport]:
    """Read reports: MX Telecom MMS (``type=2``), MM7 ``ReadReplyReq``, Twilio's ``read``, Bandwidth's
    ``message-read`` and the Vonage Messages API's ``read``."""
    mxtelecom: SearchStrategy[Any] = arguments("mxtelecom.mms_report").map(
        lambda kwargs: BUILDERS["mxtelecom.mms_report"](**{**kwargs, "kind": "read"}).parse().events[0]
    )
    twilio: SearchStrategy[Any] = arguments("twilio.status").map(
        lambda kwargs: BUILDERS["twilio.status"](**{**kwargs, "status": "read"}).parse().events[0]
    )
    bandwidth: SearchStrategy[Any] = arguments("bandwidth.report").map(
        lambda kwargs: BUILDERS["bandwidth.report"](**{**kwargs, "kind": "message-read"}).parse().events[0]
    )
    vonage: SearchStrategy[Any] = arguments("vonage.message_status").map(
        lambda kwargs: BUILDERS["vonage.message_status"](**{**kwargs, "status": "read"}).parse().events[0]
    )
    both: SearchStrategy[Any] = st.one_of(mxtelecom, events("mm7.read_reply"), twilio, bandwidth, vonage)
    return both.filter(lambda event: isinstance(event, ReadReport))


def inbound_messages() -> SearchStrategy[InboundMessage]:
    """Inbound SMS and MMS of every provider."""
    names = (
        "mxtelecom.sms_inbound",
        "mxtelecom.mms_inbound",
        "mm7.deliver",
        "openmarket.mms_inbound",
        "sinch.inbound",
        "twilio.inbound",
        "bandwidth.inbound",
        "telnyx.inbound",
        "vonage.sms_inbound",
        "vonage.message_inbound",
    )
    return _of(InboundMessage, *names)


def unsubscribes() -> SearchStrategy[Unsubscribe]:
    """MX Telecom unsubscribe notifications."""
    return _of(Unsubscribe, "mxtelecom.unsubscribe")


def subscription_renewals() -> SearchStrategy[SubscriptionRenewal]:
    """MX Telecom AT&T subscription renewals."""
    return _of(SubscriptionRenewal, "mxtelecom.renewal")


__dir__ = public_dir(globals())

"""What a callback carried: a [`Callback`][mmsdr.Callback] holding its events, and the [`Ack`][mmsdr.Ack] to answer.

Events are frozen, slotted, keyword-only dataclasses holding what a user branches on across providers; what only
one provider's format carries is in the event's ``details``, a frozen dataclass defined in that provider's package
(narrow it with ``isinstance``). Don't subclass the events outside mmsdr: the parsers build exactly these classes.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import http
import threading
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from ._status import Status
from ._wire.text import without_lone_surrogates

# Everything in __all__ gets re-exported as part of the mmsdr public API.
__all__ = (
    "Ack",
    "Callback",
    "DeliveryReport",
    "Details",
    "Event",
    "InboundMessage",
    "Part",
    "RawFields",
    "ReadReport",
    "Report",
    "SubscriptionRenewal",
    "Unsubscribe",
)

_T = TypeVar("_T")


class RawFields(Mapping[str, str]):
    """A read-only view of every field exactly as the provider sent it, in order, repeats included.

    As a mapping it gives the *first* value of a name (``raw["to"]``); [`getall`][mmsdr.RawFields.getall] gives every
    value (``raw.getall("to")``) and [`multi_items`][mmsdr.RawFields.multi_items] every pair in the order received.
    Fields mmsdr does not know are here too: nothing the provider sent is dropped.
    """

    __slots__ = ("_first", "_items", "_lock", "_source")

    def __init__(self, items: Iterable[tuple[str, str]] = (), /) -> None:
        self._items: tuple[tuple[str, str], ...] | None = tuple(items)
        self._first: dict[str, str] | None = None
        self._source: Callable[[], Iterable[tuple[str, str]]] | None = None
        self._lock: threading.Lock | None = None

    @classmethod
    def lazy(cls, source: Callable[[], Iterable[tuple[str, str]]], /) -> RawFields:
        """A view whose pairs ``source()`` gives on first use (once, then kept).

        Most endpoints never read ``raw``; building it costs as much as the rest of a small parse (issue 8's
        profile), so the parsers hand over what to build it from instead. ``source`` must only read values
        already checked and kept by the parse: it cannot fail. Threads that read it first at the same time get
        the one result: it is built under this view's own lock.
        """
        self = cls.__new__(cls)
        self._items = None
        self._first = None
        self._source = source
        self._lock = threading.Lock()
        return self

    def _pairs(self) -> tuple[tuple[str, str], ...]:
        items = self._items
        if items is None:
            with cast("threading.Lock", self._lock):  # a lazy view always has one
                items = self._items
                if items is None:  # not built by a thread that held the lock first
                    source = cast("Callable[[], Iterable[tuple[str, str]]]", self._source)
                    items = self._items = tuple(source())
                    self._source = None  # let what it read go
        return items

    def _index(self) -> dict[str, str]:
        first = self._first
        if first is None:
            first = {}
            for name, value in self._pairs():
                first.setdefault(name, value)
            self._first = first
        return first

    def __getitem__(self, name: str) -> str:
        return self._index()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())

    def __contains__(self, name: object) -> bool:
        return name in self._index()

    def to_pairs(self) -> list[list[str]]:
        """Every pair as a two-item list, in order: the JSON form [`Event.to_dict`][mmsdr.Event.to_dict] gives."""
        return [[name, value] for name, value in self._pairs()]

    def __reduce__(self) -> tuple[type[RawFields], tuple[tuple[tuple[str, str], ...]]]:
        return (RawFields, (self._pairs(),))

    def getall(self, name: str) -> tuple[str, ...]:
        """Every value sent under ``name``, in order; ``()`` when there is none."""
        return tuple(value for item_name, value in self._pairs() if item_name == name)

    def multi_items(self) -> tuple[tuple[str, str], ...]:
        """Every ``(name, value)`` pair, in the order received."""
        return self._pairs()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RawFields):
            return self._pairs() == other._pairs()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._pairs())

    def __repr__(self) -> str:
        return f"RawFields({list(self._pairs())!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Details:
    """Base of every provider's details: what one format carries beyond the shared event fields.

    Each provider package defines its own subclasses (``mmsdr.mxtelecom.SmsReportDetails``, ...); an event's
    [`details`][mmsdr.Event.details] is one of them or None.
    """

    def to_dict(self) -> dict[str, Any]:
        """The details as JSON-ready data, with ``"type"`` naming the class."""
        return {"type": type(self).__name__, **_fields_as_json(self)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Part:
    """One part of a multimedia message (an image, a text, a SMIL layout), by value or by reference.

    A part by value has its bytes in [`data`][mmsdr.Part.data]; a part by reference has only a
    [`url`][mmsdr.Part.url] where the provider keeps the media (Twilio, Telnyx, Bandwidth, Sinch, MX Telecom's
    GET notification). ``data is None`` tells which: the bytes are never fetched by mmsdr.
    """

    content_type: str
    """The media type, lower-case, without parameters: ``"image/jpeg"``; ``"application/octet-stream"`` where
    the provider does not say."""

    data: bytes | None = None
    """The part's bytes, with any transfer encoding undone; None for a part by reference."""

    url: str | None = None
    """Where the provider keeps the media, for a part by reference; None for a part by value."""

    size: int | None = None
    """The size in bytes the provider gives for a part by reference, where it gives one."""

    content_id: str | None = None
    """The part's Content-ID (without ``<>``) or, in a zipped MMS, its manifest key."""

    filename: str | None = None
    """The file name the provider gave (Content-Disposition, Content-Location or zip entry). Never a path
    to write to: it comes from the sender."""

    charset: str | None = None
    """The ``charset`` parameter of the Content-Type, if any."""

    def __post_init__(self) -> None:
        if self.data is None and self.url is None:
            msg = "a Part needs its data or its url"
            raise ValueError(msg)

    @property
    def text(self) -> str | None:
        """The data decoded as text, with ``charset`` (UTF-8 when absent), undecodable bytes and lone surrogates
        (which UTF-7 or ``unicode_escape`` data can decode to) replaced by U+FFFD; None for a part by reference."""
        if self.data is None:
            return None
        try:
            text = self.data.decode(self.charset or "utf-8", errors="replace")
        except (LookupError, ValueError):  # a charset name the codecs do not know, or cannot look up ("a\x00")
            return self.data.decode("utf-8", errors="replace")
        return without_lone_surrogates(text)

    @property
    def is_text(self) -> bool:
        """True for ``text/plain`` parts, the ones joined into [`InboundMessage.text`][mmsdr.InboundMessage.text]."""
        return self.content_type == "text/plain"

    def to_dict(self) -> dict[str, Any]:
        """The part as JSON-ready data: ``data`` in base64, plus ``text`` for a ``text/plain`` part by value."""
        result = _fields_as_json(self)
        result["text"] = self.text if self.is_text else None
        return result

    def __repr__(self) -> str:
        if self.data is None:
            shown = f"url={self.url!r}, size={self.size!r}"
        else:
            head = self.data[:20].hex() + ("..." if len(self.data) > 20 else "")
            shown = f"data=<{len(self.data)} bytes {head}>"
        return (
            f"Part(content_type={self.content_type!r}, content_id={self.content_id!r}, "
            f"filename={self.filename!r}, charset={self.charset!r}, {shown})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Fields every event has."""

    provider: str
    """Who sent it: ``"mxtelecom"``, ``"mm7"``, ``"openmarket"``."""

    format: str
    """The callback format it arrived in: ``"mxtelecom.sms_report"``, ... (see [`mmsdr.FORMATS`][mmsdr.FORMATS])."""

    timestamp: datetime
    """When the provider says it happened; always timezone-aware."""

    dedupe_key: str
    """Equal for retries of the same callback, different for any other event (a later status of the same
    message included). Claim it before processing to drop the provider's retries."""

    raw: RawFields
    """Every field exactly as the provider sent it, unknown ones included."""

    details: Details | None = None
    """What this format carries beyond the shared fields: an instance of one of the provider's details classes
    (``mmsdr.mxtelecom.SmsReportDetails``, ``mmsdr.mm7.ReportDetails``, ...), or None."""

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data, ``"type"`` naming its class: datetimes in ISO 8601, bytes in base64,
        enums by value, ``raw`` as ``[name, value]`` pairs in order. [`mmsdr.event_from_dict`][mmsdr.event_from_dict]
        reads it back into an equal event."""
        return {"type": type(self).__name__, **_fields_as_json(self)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Report(Event):
    """Fields delivery and read reports share."""

    message_id: str
    """The provider's id of the message this report is about (the id its send API returned)."""

    status: Status
    """The normalised status, the same vocabulary for every provider."""

    provider_status: str
    """The provider's own status value, verbatim."""

    provider_code: str | None = None
    """The provider's error or reason code for this status, as a string, where the callback carries one (MX
    Telecom's ``reason``, OpenMarket's ``outcomeId``); None where it carries none."""

    recipient: str | None = None
    """The handset the reported message went to; None where the provider does not say (OpenMarket MMS
    reports, one per recipient, do not)."""

    sender: str | None = None
    """The originator of the reported message (your short code or number), where the provider says."""

    status_text: str | None = None
    """The provider's own words about the status (MM7 ``StatusText``, OpenMarket ``outcomeDescription``),
    where it gives them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReport(Report):
    """The provider tells what became of a message you sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadReport(Report):
    """The recipient's handset tells whether a message you sent was read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessage(Event):
    """A message a handset sent to you (MO): an SMS or an MMS."""

    message_id: str
    """The provider's id of this message; the same on every retry."""

    channel: str
    """``"sms"`` or ``"mms"``."""

    sender: str
    """The handset that sent it."""

    recipients: tuple[str, ...]
    """Who it was sent to: your short code or number, and any other To recipients."""

    cc: tuple[str, ...] = ()
    """Cc recipients (MMS)."""

    bcc: tuple[str, ...] = ()
    """Bcc recipients (MMS, where the provider reveals them)."""

    subject: str | None = None
    """The MMS subject."""

    text: str | None = None
    """The SMS text; for an MMS its ``text/plain`` parts by value joined with newlines; None when there is none."""

    parts: tuple[Part, ...] = ()
    """The MMS parts in presentation order, by value or by reference; a binary SMS as one
    ``application/octet-stream`` part."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsubscribe(Event):
    """A handset unsubscribed (STOP, IVR) from one or more of your short codes (MX Telecom)."""

    msisdn: str
    """The handset that unsubscribed."""

    shortcodes: tuple[str, ...]
    """The short codes it unsubscribed from."""

    source: str
    """How: ``"STOP"``, ``"IVR"`` or ``"UNKNOWN"`` as documented, any other value verbatim."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionRenewal(Event):
    """A subscription is due for renewal (MX Telecom, AT&T only)."""

    message_id: str
    """The id of the original subscription MT (``smsid``)."""

    msisdn: str
    """The subscriber's handset."""

    shortcode: str
    """The short code of the subscription."""

    network: str
    """The network code (``ATTUS`` or ``CINGULARUS``)."""

    mt_username: str | None = None
    """The account that sent the subscription MT; absent for older integrations."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Callback:
    """What one HTTP request from a provider carried: one or more events, and the facts of the request itself.

    [`mmsdr.parse_request`][mmsdr.parse_request] returns one; answer it with
    [`mmsdr.acknowledge`][mmsdr.acknowledge]. Most formats carry one event per request; a batch (Bandwidth's
    JSON array, a Sinch report listing recipients) carries one per item, in the order sent.
    """

    provider: str
    """Who sent it: ``"mxtelecom"``, ``"mm7"``, ``"openmarket"``."""

    format: str
    """The callback format: ``"mxtelecom.sms_report"``, ... (see [`mmsdr.FORMATS`][mmsdr.FORMATS])."""

    events: tuple[Event, ...]
    """The events, in the order the request gave them; never empty."""

    warnings: tuple[str, ...] = ()
    """Where the request departed from its provider's documents and was accepted anyway (a value longer than
    documented, say): one sentence each. Empty for a request exactly as documented."""

    details: Details | None = None
    """The request-level facts of this format (the MM7 envelope: TransactionID, version, namespace;
    OpenMarket's ``X-Request-Id``), as a provider details class, or None."""

    def __post_init__(self) -> None:
        if not self.events:
            msg = "a Callback carries at least one event"
            raise ValueError(msg)

    def to_dict(self) -> dict[str, Any]:
        """The callback as JSON-ready data, each event as [`Event.to_dict`][mmsdr.Event.to_dict] gives it."""
        return _fields_as_json(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ack:
    """An HTTP response to send back to the provider, exactly as it expects it."""

    status: int
    """The HTTP status code."""

    headers: tuple[tuple[str, str], ...]
    """Header name and value pairs, Content-Type and Content-Length included."""

    body: bytes
    """The response body."""

    @property
    def status_line(self) -> str:
        """``"200 OK"``: the status as WSGI's ``start_response`` takes it."""
        try:
            phrase = http.HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Unknown"
        return f"{self.status} {phrase}"

    @classmethod
    def plain_text(cls, status: int, text: str) -> Ack:
        """A ``text/plain`` response with ``text`` as its body."""
        body = text.encode("utf-8")
        return cls(
            status=status,
            headers=(
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("X-Content-Type-Options", "nosniff"),
            ),
            body=body,
        )


def _fields_as_json(value: Any) -> dict[str, Any]:
    return {field.name: _jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)}


def _jsonable(value: object) -> object:
    """JSON-ready data for one field value; linear in its size."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, RawFields):
        return value.to_pairs()
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields_as_json(value)
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    return str(value)


# --- reading to_dict() data back -------------------------------------------------------------------------------


def from_jsonable(hint: Any, value: object, details_types: Mapping[str, type[Details]], /) -> Any:
    """The field value of type ``hint`` that [`_jsonable`] turned into ``value``; ``ValueError`` or
    ``TypeError`` when ``value`` is not such data."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        errors: list[Exception] = []
        for option in options:
            if option is type(None):
                continue
            try:
                return from_jsonable(option, value, details_types)
            except (TypeError, ValueError) as exc:
                errors.append(exc)
        raise errors[0] if errors else TypeError(hint)
    if origin is tuple:
        (item_hint, _) = typing.get_args(hint)
        return tuple(from_jsonable(item_hint, item, details_types) for item in _expect(list, value))
    if hint is typing.Any or hint is object:
        return value
    if hint is RawFields:
        return RawFields((str(name), str(item)) for name, item in (_pair(pair) for pair in _expect(list, value)))
    if hint is datetime:
        return datetime.fromisoformat(_expect(str, value))
    if hint is bytes:
        return base64.b64decode(_expect(str, value), validate=True)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is Details:
        data = _expect(dict, value)
        kind = details_types.get(str(data.get("type")))
        if kind is None:
            msg = f"unknown details type {data.get('type')!r}"
            raise ValueError(msg)
        return dataclass_from_dict(kind, data, details_types)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return dataclass_from_dict(hint, _expect(dict, value), details_types)
    if hint in (str, int, bool, float):
        if type(value) is not hint:
            msg = f"expected {hint.__name__}, got {type(value).__name__}"
            raise TypeError(msg)
        return value
    msg = f"cannot read a {hint!r} from JSON data"
    raise TypeError(msg)


def dataclass_from_dict(
    kind: type[_T], data: Mapping[str, object], details_types: Mapping[str, type[Details]], /
) -> _T:
    """An instance of the dataclass ``kind`` from its ``to_dict()`` data; extra keys (``"type"``, derived
    values such as a part's ``text``) are ignored."""
    hints = typing.get_type_hints(kind)
    values = {
        field.name: from_jsonable(hints[field.name], data[field.name], details_types)
        for field in dataclasses.fields(kind)  # type: ignore[arg-type]
        if field.name in data
    }
    return kind(**values)


def _expect(kind: type[_T], value: object) -> _T:
    if not isinstance(value, kind):
        msg = f"expected {kind.__name__}, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def _pair(value: object) -> tuple[object, object]:
    pair = _expect(list, value)
    if len(pair) != 2:
        msg = f"a raw field is a [name, value] pair, got {len(pair)} items"
        raise ValueError(msg)
    return pair[0], pair[1]

"""Events (what a provider told us) and the acknowledgement (what to answer).

Events are frozen, slotted, keyword-only dataclasses. Don't subclass them outside mmsdr: the parsers build
exactly these classes and ``acknowledge`` relies on their fields.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import http
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._status import Status
    from .mxtelecom.reason import ReasonCode

# Everything in __all__ gets re-exported as part of the mmsdr public API.
__all__ = (
    "Ack",
    "DeliveryReport",
    "Event",
    "InboundMessage",
    "Part",
    "RawFields",
    "ReadReport",
    "Report",
    "SubscriptionRenewal",
    "Unsubscribe",
)


class RawFields(Mapping[str, str]):
    """A read-only view of every field exactly as the provider sent it, in order, repeats included.

    As a mapping it gives the *first* value of a name (``raw["to"]``); [`getall`][mmsdr.RawFields.getall] gives every
    value (``raw.getall("to")``) and [`multi_items`][mmsdr.RawFields.multi_items] every pair in the order received.
    Fields mmsdr does not know are here too: nothing the provider sent is dropped.
    """

    __slots__ = ("_first", "_items", "_source")

    def __init__(self, items: Iterable[tuple[str, str]] = (), /) -> None:
        self._items: tuple[tuple[str, str], ...] | None = tuple(items)
        self._first: dict[str, str] | None = None
        self._source: Callable[[], Iterable[tuple[str, str]]] | None = None

    @classmethod
    def lazy(cls, source: Callable[[], Iterable[tuple[str, str]]], /) -> RawFields:
        """A view whose pairs ``source()`` gives on first use (once, then kept).

        Most endpoints never read ``raw``; building it costs as much as the rest of a small parse (issue 8's
        profile), so the parsers hand over what to build it from instead. ``source`` must only read values
        already checked and kept by the parse: it cannot fail.
        """
        self = cls.__new__(cls)
        self._items = None
        self._first = None
        self._source = source
        return self

    def _pairs(self) -> tuple[tuple[str, str], ...]:
        items = self._items
        if items is None:
            source = self._source
            assert source is not None
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
class Part:
    """One part of a multimedia message: an image, a text, a SMIL layout."""

    content_type: str
    """The media type, lower-case, without parameters: ``"image/jpeg"``."""

    data: bytes
    """The part's bytes, with any transfer encoding undone."""

    content_id: str | None = None
    """The part's Content-ID (without ``<>``) or, in a zipped MMS, its manifest key."""

    filename: str | None = None
    """The file name the provider gave (Content-Disposition, Content-Location or zip entry). Never a path
    to write to: it comes from the sender."""

    charset: str | None = None
    """The ``charset`` parameter of the Content-Type, if any."""

    @property
    def text(self) -> str:
        """The data decoded as text, with ``charset`` (UTF-8 when absent); undecodable bytes replaced."""
        try:
            return self.data.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # an unknown charset name from the provider
            return self.data.decode("utf-8", errors="replace")

    @property
    def is_text(self) -> bool:
        """True for ``text/plain`` parts, the ones joined into [`InboundMessage.text`][mmsdr.InboundMessage.text]."""
        return self.content_type == "text/plain"

    def __repr__(self) -> str:
        shown = self.data[:20].hex() + ("..." if len(self.data) > 20 else "")
        return (
            f"Part(content_type={self.content_type!r}, content_id={self.content_id!r}, "
            f"filename={self.filename!r}, charset={self.charset!r}, data=<{len(self.data)} bytes {shown}>)"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Fields every event has."""

    provider: str
    """Who sent it: ``"mxtelecom"``, ``"sinch"``/``"mm7"``, ``"openmarket"``."""

    format: str
    """The callback format it arrived in: ``"mxtelecom.sms_report"``, ... (see [`mmsdr.FORMATS`][mmsdr.FORMATS])."""

    timestamp: datetime
    """When the provider says it happened; always timezone-aware."""

    dedupe_key: str
    """Equal for retries of the same callback, different for any other callback (a later status of the
    same message included). Claim it before processing to drop the provider's retries."""

    raw: RawFields
    """Every field exactly as the provider sent it, unknown ones included."""

    request_id: str | None = None
    """The provider's id of this HTTP request (OpenMarket ``X-Request-Id``), for its support desk; not known
    to stay the same across retries, so never part of ``dedupe_key``."""

    warnings: tuple[str, ...] = ()
    """Where the request departed from its provider's documents and was accepted anyway (a value longer than
    documented, say): one sentence each. Empty for a request exactly as documented."""

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data: datetimes in ISO 8601, bytes in base64, enums by value."""
        return {field.name: _jsonable(getattr(self, field.name)) for field in dataclasses.fields(self)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Report(Event):
    """Fields delivery and read reports share."""

    message_id: str
    """The provider's id of the message this report is about (the id its send API returned)."""

    status: Status
    """The normalised status, the same vocabulary for every provider."""

    provider_status: str
    """The provider's own status value, verbatim."""

    recipient: str | None
    """The handset the reported message went to; None where the provider does not say (OpenMarket MMS
    reports, one per recipient, do not)."""

    sender: str | None = None
    """The originator of the reported message (your short code or number), where the provider says."""

    report_id: str | None = None
    """The provider's id of this report itself, where it has one."""

    status_text: str | None = None
    """The provider's own words about the status (MM7 ``StatusText``), trimmed, where it gives them."""

    transaction_id: str | None = None
    """MM7: the request's ``TransactionID`` (SOAP header), trimmed; the acknowledgement echoes it."""

    mm7_version: str | None = None
    """MM7: the request's ``MM7Version`` (``"6.8.0"``); the acknowledgement echoes it."""

    namespace: str | None = None
    """MM7: the request's MM7 namespace URI (``.../23.140/schema/REL-6-MM7-1-4``, ...), trimmed; the
    acknowledgement answers in it. None when the request used no namespace."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReport(Report):
    """The provider tells what became of a message you sent."""

    reason: ReasonCode | None = None
    """MX Telecom SMS: the detailed reason code, decoded."""

    outcome_id: int | None = None
    """OpenMarket MMS: the numeric ``outcomeId`` (its text is ``status_text``)."""

    note: str | None = None
    """MX Telecom SMS: the ``note`` you passed when sending, echoed back."""

    network: str | None = None
    """The recipient's network, where the provider says."""

    user_agent: str | None = None
    """The recipient's handset description, where the provider says."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadReport(Report):
    """The recipient's handset tells whether a message you sent was read."""

    user_agent: str | None = None
    """The recipient's handset description, where the provider says."""

    network: str | None = None
    """The recipient's network (MM7 operator header such as ``x-mblox-operator-id``), where the provider says."""


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
    """The SMS text; for an MMS its ``text/plain`` parts joined with newlines; None when there is none."""

    parts: tuple[Part, ...] = ()
    """The MMS parts in presentation order; a binary SMS as one ``application/octet-stream`` part."""

    network: str | None = None
    """The sender's network (MX Telecom network code, OpenMarket operator id), where the provider says."""

    expiry: datetime | None = None
    """MX Telecom MMS by GET: until when the content can be fetched (see ``mxtelecom.retrieve_mms_url``)."""

    udh: bytes | None = None
    """MX Telecom SMS: the user data header, if one came (segments of a long SMS are not joined)."""

    smsc: str | None = None
    """MX Telecom SMS: the SMSC, where known."""

    user_agent: str | None = None
    """The sender's handset description, where the provider says (OpenMarket ``userAgent``)."""

    priority: str | None = None
    """MM7: the message's ``Priority`` (``"High"``, ``"Normal"`` or ``"Low"``), trimmed, where the sender gives it."""

    transaction_id: str | None = None
    """MM7: the request's ``TransactionID`` (SOAP header), trimmed; the acknowledgement echoes it."""

    mm7_version: str | None = None
    """MM7: the request's ``MM7Version`` (``"6.8.0"``); the acknowledgement echoes it."""

    namespace: str | None = None
    """MM7: the request's MM7 namespace URI (``.../23.140/schema/REL-6-MM7-1-4``, ...), trimmed; the
    acknowledgement answers in it. None when the request used no namespace."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsubscribe(Event):
    """MX Telecom: a handset unsubscribed (STOP, IVR) from one or more of your short codes."""

    msisdn: str
    """The handset that unsubscribed."""

    shortcodes: tuple[str, ...]
    """The short codes it unsubscribed from."""

    source: str
    """How: ``"STOP"``, ``"IVR"`` or ``"UNKNOWN"`` as documented, any other value verbatim."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionRenewal(Event):
    """MX Telecom, AT&T only: a subscription is due for renewal."""

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


def _single_or_list(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, RawFields):
        return {name: _single_or_list(value.getall(name)) for name in value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result: dict[str, object] = {
            field.name: _jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
        if isinstance(value, Part):
            result["text"] = value.text if value.is_text else None
        extra = getattr(value, "json_extra", None)
        if callable(extra):
            result.update(extra())
        return result
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    return str(value)

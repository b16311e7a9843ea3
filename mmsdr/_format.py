"""What a callback format is to the parser: how to recognise it, read it and answer it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, NamedTuple

from ._dates import GRAMMAR_FORM, DateError, read_provider_date
from ._errors import MmsdrError, shown
from ._events import Ack, Callback, Details
from ._limits import Limits
from ._request import Request

if TYPE_CHECKING:
    from ._events import Event

__all__ = (
    "Format",
    "ParseContext",
    "ProviderTime",
    "Times",
    "make_dedupe_key",
    "one_event",
    "retry_later",
    "utc_now",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    """One callback format of one provider; see [`mmsdr.FORMATS`][mmsdr.FORMATS] for the list."""

    name: str
    """``"<provider>.<format>"``, e.g. ``"mxtelecom.sms_report"``: what ``Parser(formats=...)`` takes."""

    description: str
    """One line for people: what arrives in this format."""

    methods: frozenset[str]
    """The HTTP methods the provider uses for it."""

    matches: Callable[[Request], bool]
    """Cheap test whether a request has this format's shape (used when several formats are accepted)."""

    body_media_types: frozenset[str] | None
    """The media types of a request of this format that has no query or form fields: those its body can have
    (MM7's SOAP types), none for a format always read from fields (MX Telecom's query strings), None for any.
    Detection tries [`matches`][mmsdr.Format.matches] only where this allows it."""

    parse: Callable[[Request, ParseContext], Callback]
    """Read the request into a callback, raising [`mmsdr.MmsdrError`][mmsdr.MmsdrError] subclasses."""

    acknowledge: Callable[[Callback], Ack]
    """The success response the provider expects for a callback of this format."""

    retry: Callable[[Callback], Ack]
    """The provider's own "not now, send it again" response for a callback of this format."""

    reject: Callable[[MmsdrError], Ack] | None = None
    """The provider's own rejection response, where it has one (MM7 faults); else a plain text answer."""

    details_types: tuple[type[Details], ...] = ()
    """The details classes this format's events and callbacks carry (what
    [`mmsdr.event_from_dict`][mmsdr.event_from_dict] reads back)."""

    required_fields: tuple[str, ...] = ()
    """Query or form fields [`parse`][mmsdr.Format.parse] cannot do without. When no accepted format matches a
    request, the one with most of them present is read, so that its error names what is missing."""

    default_zone: str = "UTC"
    """The IANA zone a provider time without a UTC offset is read in, unless ``Parser(default_zone=...)`` sets
    one for the endpoint: the zone the provider documents (MX Telecom: ``"Europe/London"``; MM7 and OpenMarket:
    ``"UTC"``). Either way the callback gets a warning naming the field and the zone."""

    @property
    def provider(self) -> str:
        return self.name.split(".", 1)[0]


def utc_now() -> datetime:
    """The default clock: now, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ParseContext:
    """The options one parse runs with (the ``Parser`` builds one per format it accepts)."""

    limits: Limits
    default_zone: tzinfo
    """The zone a provider time without a UTC offset is read in: the Parser's, else the format's own."""
    undeclared_base64: bool = False
    """OpenMarket: decode parts that are entirely base64 although no Content-Transfer-Encoding says so."""
    clock: Callable[[], datetime] = utc_now
    """The time a request is read: its events' ``timestamp`` where the provider's is missing or unreadable."""
    zone_name: str = "UTC"
    """``default_zone`` as warnings name it (``"Europe/London"``)."""


class ProviderTime(NamedTuple):
    """A provider's time as an event carries it."""

    timestamp: datetime
    """The provider's time; the time the request was read where it is missing or unreadable."""

    key: str
    """What a dedupe key takes: the provider's time in ISO 8601, else the text as sent (``""`` when missing),
    never the time of reading, so that a retry gives the same key."""


_READ_NOW = "timestamp is the time the request was read"


class Times:
    """The provider times of one parse: a secondary field never costs the message.

    A time that is missing or unreadable gives the time of reading (``ParseContext.clock``), one without a UTC
    offset is read in ``ParseContext.default_zone``; each of these adds a warning naming the field. ``noun`` is
    how the format's errors name a field (``"field"``, MM7's ``"element"``) and ``form`` what its dates look like.
    """

    __slots__ = ("_context", "_form", "_noun", "_warnings")

    def __init__(
        self, context: ParseContext, warnings: list[str], *, noun: str = "field", form: str = GRAMMAR_FORM
    ) -> None:
        self._context = context
        self._warnings = warnings
        self._noun = noun
        self._form = form

    def read(self, name: str, text: str | None) -> ProviderTime:
        """The event's time from field ``name`` whose text is ``text`` (None when absent)."""
        if text is None or not text.strip():
            problem = "is missing" if text is None else "is empty"
            self._warnings.append(f"{self._noun} {name!r} {problem}: {_READ_NOW}")
            return ProviderTime(self._now(), "")
        value = self._parse(name, text, instead=_READ_NOW)
        if value is None:
            return ProviderTime(self._now(), text.strip())
        return ProviderTime(value, value.isoformat())

    def now(self) -> datetime:
        """The time of reading, for an event whose provider documents no time (Twilio's inbound message): no
        warning, since nothing departed from the document."""
        return self._now()

    def optional(self, name: str, text: str | None) -> datetime | None:
        """A secondary time (an expiry): None when absent or unreadable, the latter with a warning."""
        if text is None or not text.strip():
            return None
        return self._parse(name, text, instead="left out")

    def _parse(self, name: str, text: str, *, instead: str) -> datetime | None:
        """The time ``text`` gives; None when unreadable, with a warning ending in what is done ``instead``."""
        context = self._context
        try:
            value, assumed = read_provider_date(
                text, default_zone=context.default_zone, max_chars=context.limits.max_date_chars, form=self._form
            )
        except DateError as exc:
            self._warnings.append(f"{self._noun} {name!r} is not a valid date ({exc}), got {shown(text)}: {instead}")
            return None
        if assumed:
            self._warnings.append(f"{self._noun} {name!r} has no UTC offset: read in {context.zone_name}")
        return value

    def _now(self) -> datetime:
        now = self._context.clock()
        if not isinstance(now, datetime) or now.utcoffset() is None:
            msg = f"the Parser's clock must return a timezone-aware datetime, got {now!r}"
            raise TypeError(msg)
        return now


def make_dedupe_key(format_name: str, *values: object) -> str:
    """``"<format>:<digest>"`` over the values that identify one event (retries give the same values)."""
    digest = hashlib.sha256("\x1f".join(["" if value is None else str(value) for value in values]).encode())
    return f"{format_name}:{digest.hexdigest()[:32]}"


def one_event(event: Event, /, *, warnings: tuple[str, ...] = (), details: Details | None = None) -> Callback:
    """The callback of a request that carried ``event`` alone."""
    return Callback(provider=event.provider, format=event.format, events=(event,), warnings=warnings, details=details)


_EMPTY_OK = Ack(status=200, headers=(("Content-Length", "0"),), body=b"")


def ok_without_body(callback: Callback, /) -> Ack:  # noqa: ARG001 - the same answer for every callback
    """200 with an empty body: the success answer of the providers that take any 2xx (or ask for no body)."""
    return _EMPTY_OK


_RETRY_TEXT = "not processed now; send this callback again later"


def retry_later(callback: Callback, /) -> Ack:  # noqa: ARG001 - the same answer for every callback
    """503 with a short text: what providers that retry on any non-2xx answer take as "send it again"."""
    return Ack.plain_text(503, _RETRY_TEXT)

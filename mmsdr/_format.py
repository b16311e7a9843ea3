"""What a callback format is to the parser: how to recognise it, read it and answer it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING

from ._errors import MmsdrError
from ._events import Ack, Callback, Details
from ._limits import Limits
from ._request import Request

if TYPE_CHECKING:
    from ._events import Event

__all__ = ("Format", "ParseContext", "make_dedupe_key", "one_event", "retry_later")


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

    @property
    def provider(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class ParseContext:
    """The options one parse runs with."""

    limits: Limits
    default_zone: tzinfo
    undeclared_base64: bool = False
    """OpenMarket: decode parts that are entirely base64 although no Content-Transfer-Encoding says so."""


def make_dedupe_key(format_name: str, *values: object) -> str:
    """``"<format>:<digest>"`` over the values that identify one event (retries give the same values)."""
    digest = hashlib.sha256("\x1f".join(["" if value is None else str(value) for value in values]).encode())
    return f"{format_name}:{digest.hexdigest()[:32]}"


def one_event(event: Event, /, *, warnings: tuple[str, ...] = (), details: Details | None = None) -> Callback:
    """The callback of a request that carried ``event`` alone."""
    return Callback(provider=event.provider, format=event.format, events=(event,), warnings=warnings, details=details)


_RETRY_TEXT = "not processed now; send this callback again later"


def retry_later(callback: Callback, /) -> Ack:  # noqa: ARG001 - the same answer for every callback
    """503 with a short text: what providers that retry on any non-2xx answer take as "send it again"."""
    return Ack.plain_text(503, _RETRY_TEXT)

"""What a callback format is to the parser: how to recognise it, read it and answer it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import tzinfo

    from ._errors import MmsdrError
    from ._events import Ack, Event
    from ._limits import Limits
    from ._request import Request

__all__ = ("Format", "ParseContext", "make_dedupe_key")


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

    bodies: frozenset[str] | None
    """The media types of a request of this format that has no query or form fields: those its body can have
    (MM7's SOAP types), none for a format always read from fields (MX Telecom's query strings), None for any.
    Detection tries [`matches`][mmsdr.Format.matches] only where this allows it."""

    parse: Callable[[Request, ParseContext], Event]
    """Read the request into an event, raising [`mmsdr.MmsdrError`][mmsdr.MmsdrError] subclasses."""

    acknowledge: Callable[[Event], Ack]
    """The success response the provider expects for an event of this format."""

    reject: Callable[[MmsdrError], Ack] | None = field(default=None)
    """The provider's own rejection response, where it has one (MM7 faults); else a plain text answer."""

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
    """``"<format>:<digest>"`` over the values that identify one callback (retries give the same values)."""
    digest = hashlib.sha256("\x1f".join(["" if value is None else str(value) for value in values]).encode())
    return f"{format_name}:{digest.hexdigest()[:32]}"

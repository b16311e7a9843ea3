"""What the WSGI and ASGI adapters hand to [`mmsdr.Parser.parse`][mmsdr.Parser.parse]: one shape for both interfaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._errors import MalformedRequestError

if TYPE_CHECKING:
    from ._events import Callback
    from ._parser import Parser

__all__ = ("ServerRequest",)


@dataclass(frozen=True, slots=True)
class ServerRequest:
    """What [`mmsdr.Parser.parse`][mmsdr.Parser.parse] takes, read from one WSGI environ or ASGI scope and body."""

    headers: tuple[tuple[str, str], ...]
    """``(lower-case name, value)`` pairs as received, decoded as latin-1 (RFC 9110 5.5)."""
    body: bytes
    query: bytes
    """The raw query string as sent (WSGI's latin-1 text turned back into bytes; ASGI's ``query_string``)."""
    method: str
    remote_address: str | None
    """The client address: see [`mmsdr.wsgi.client_address`][mmsdr.wsgi.client_address]."""

    def parse(self, parser: Parser, /) -> Callback:
        """``parser.parse(...)`` with this request's values."""
        return parser.parse(self.headers, self.body, self.query, method=self.method, remote_address=self.remote_address)


def content_length(value: object) -> int | None:
    """A Content-Length header value as an int; None when absent or empty (both adapters read it first)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        msg = f"request: Content-Length {text[:40]!r} is not a number"
        raise MalformedRequestError(msg, field="content-length")
    return int(text)

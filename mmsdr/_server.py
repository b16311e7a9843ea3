"""What the WSGI and ASGI adapters hand to [`mmsdr.Parser.parse`][mmsdr.Parser.parse]: one shape for both interfaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

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
    url: str | None = None
    """The public URL the provider called, when the adapter was given ``public_url``: that base, then the path
    and query as received. What signatures over the URL (Twilio's) cover."""

    def parse(self, parser: Parser, /) -> Callback:
        """``parser.parse(...)`` with this request's values."""
        return parser.parse(
            self.headers, self.body, self.query, method=self.method, remote_address=self.remote_address, url=self.url
        )


# RFC 3986 pchar, and "/": what a path keeps unescaped when it is rebuilt from its decoded form.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def public_url(base: str | None, raw_path: bytes | None, decoded_path: str, query: bytes) -> str | None:
    """The URL the provider called: ``base`` (scheme, host, port and any prefix a proxy removed, as the
    provider was told them), then the path as received and the query string; None without a base.

    ``raw_path`` is the path as sent where the server keeps it (ASGI ``raw_path``, WSGI ``RAW_URI`` or
    ``REQUEST_URI``); else the decoded path is escaped again, which gives the sent path for every path a
    provider is given (one without escapes of characters that need none).
    """
    if base is None:
        return None
    if not base.startswith(("https://", "http://")):
        msg = f"public_url must be an http:// or https:// URL, got {base!r}"
        raise ValueError(msg)
    path = raw_path.decode("latin-1") if raw_path else quote(decoded_path.encode("latin-1", "replace"), _PATH_SAFE)
    url = base.rstrip("/") + (path if path.startswith("/") else f"/{path}")
    return f"{url}?{query.decode('latin-1')}" if query else url


def content_length(value: object) -> int | None:
    """A Content-Length header value as an int; None when absent or empty (both adapters read it first)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        msg = f"request: Content-Length {text[:40]!r} is not a number"
        raise MalformedRequestError(msg, field="content-length")
    return int(text)

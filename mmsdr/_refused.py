"""What a refusal leaves behind: the request it refused (bounded by the limits), and one log record.

mmsdr logs through the ``mmsdr`` logger, with a ``NullHandler`` so that nothing is printed unless the
application configures logging. Every refusal is one WARNING record naming the error, its format, status and
reason, never the message's text or body; the refused request itself is logged only at DEBUG, cut short.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from ._errors import MmsdrError, shown
from ._request import _read_headers, read_query

if TYPE_CHECKING:
    from ._limits import Limits
    from ._request import Request

__all__ = (
    "LOGGER",
    "OnError",
    "RefusedRequest",
    "kept_query",
    "on_error_failed",
    "refused",
    "request_kept",
    "request_of",
)

#: The logger every mmsdr record goes to; a library adds a NullHandler and never configures logging itself.
LOGGER = logging.getLogger("mmsdr")
LOGGER.addHandler(logging.NullHandler())

# The DEBUG record of a refused request is cut to this many characters, whatever the request's size.
_DEBUG_CHARS = 1024

# A query string written into a request line: every visible ASCII character stays as it was sent (percent
# escapes included); a space, a control character or a byte outside ASCII becomes %XX, which reads back the same.
_TARGET_SAFE = "".join(chr(code) for code in range(0x21, 0x7F))


@dataclass(frozen=True, slots=True, kw_only=True)
class RefusedRequest:
    """The request an [`MmsdrError`][mmsdr.MmsdrError] refused, as received and within the limits: its
    ``request``.

    [`as_http`][mmsdr.RefusedRequest.as_http] writes it in the raw HTTP form that ``mmsdr parse FILE`` reads, so that a
    refused callback can be kept (a dead-letter table) and read again later.
    """

    method: str | None = None
    """The HTTP method, upper-case; None when the caller did not say."""

    headers: tuple[tuple[str, str], ...] = ()
    """``(lower-case name, value)`` pairs as received; empty when the headers themselves were refused."""

    query: bytes | None = b""
    """The query string as sent (percent-encoded); None when it was not kept (over ``Limits.max_query_bytes``)."""

    body: bytes | None = b""
    """The body as received (before any ``Content-Encoding`` is undone); None when it was not read (the
    request was refused before, or the body is over ``Limits.max_body_bytes``)."""

    remote_address: str | None = None
    """The client address the parser was given, if any."""

    def as_http(self, path: str = "/") -> bytes:
        """The request in its raw HTTP/1.1 form, as ``mmsdr parse`` reads it and
        [`TestRequest.as_http`][mmsdr.testing.TestRequest.as_http] writes it.

        ``path`` is the request target's path (the adapters do not record it). A body that was not read is
        written empty: its ``Content-Length`` header, when it had one, still says what was announced.
        """
        from ._testing import TestRequest  # noqa: PLC0415 - _testing imports the parser, which imports this module

        query = quote(self.query, safe=_TARGET_SAFE) if self.query else ""
        method = self.method or ("POST" if self.body else "GET")
        target = f"{path}?{query}" if query else path
        return TestRequest(method=method, target=target, headers=self.headers, body=self.body or b"").as_http()


def kept_query(query: bytes, limits: Limits) -> bytes | None:
    """A raw query string to keep: itself when within ``Limits.max_query_bytes``, else None."""
    return query if len(query) <= limits.max_query_bytes else None


def _latin1(value: str) -> str:
    """A header value writable in an HTTP head: as it is, or (a ``str`` no server could have received) the
    characters of its UTF-8 bytes."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("latin-1")
    return value


def request_kept(
    request: Request | None,
    headers: Any,
    body: Any,
    query: Any,
    *,
    method: str | None,
    remote_address: str | None,
    limits: Limits,
) -> RefusedRequest:
    """What [`Parser.parse`][mmsdr.Parser.parse] keeps of the request it refuses, from its own arguments.

    ``request`` is the normalised request when it was read (None when reading it was refused): a body given
    as chunks has been consumed, so it comes from there. Everything kept is bounded by ``limits``.
    """
    header_items: tuple[tuple[str, str], ...]
    if request is not None:
        header_items, method = request.headers.items, request.method
    else:
        try:
            header_items, environ_method = _read_headers(headers, limits)
        except (MmsdrError, TypeError):
            header_items, environ_method = (), _environ_method(headers)
        method = (method or environ_method or "").upper() or None
    kept_body: bytes | None
    if body is None:
        kept_body = b""
    else:
        try:
            view = memoryview(body)
        except TypeError:  # chunks, consumed by the read: the request holds what they were
            kept_body = None if request is None else request.body
            if request is not None and (request.headers.get("content-encoding") or "identity") != "identity":
                # That body is the decoded one: its encoding headers no longer describe it.
                header_items = tuple(
                    item for item in header_items if item[0] not in {"content-encoding", "content-length"}
                )
        else:
            kept_body = view.tobytes() if view.nbytes <= limits.max_body_bytes else None
    return RefusedRequest(
        method=method,
        headers=tuple((name, _latin1(value)) for name, value in header_items),
        query=_query_kept(query, request, limits),
        body=kept_body,
        remote_address=remote_address,
    )


def _environ_method(headers: Any) -> str | None:
    """A WSGI environ's method, for an environ whose headers were refused before it was read."""
    value = headers.get("REQUEST_METHOD") if isinstance(headers, Mapping) else None
    return value if isinstance(value, str) else None


def _query_kept(query: Any, request: Request | None, limits: Limits) -> bytes | None:
    if query is None:
        return b""
    if isinstance(query, str):
        return kept_query(query.encode("utf-8", "surrogatepass"), limits)
    if isinstance(query, (bytes, bytearray, memoryview)):
        view = memoryview(query)
        return view.tobytes() if view.nbytes <= limits.max_query_bytes else None
    # A mapping of decoded values: written back as a query string, from the fields read (bounded by the limits).
    try:
        fields = request.query if request is not None else read_query(query, limits)
    except (MmsdrError, TypeError):
        return None
    return kept_query(urlencode(fields).encode("ascii"), limits)


def refused(error: MmsdrError, request: RefusedRequest) -> None:
    """Give ``error`` the request it refused (unless it has one) and log the refusal, once."""
    if error.request is None:
        error.request = request
    kept = error.request
    extra = {
        "mmsdr_error": type(error).__name__,
        "mmsdr_provider": error.provider,
        "mmsdr_format": error.format,
        "mmsdr_status": error.status_hint,
        "mmsdr_field": error.field,
        "mmsdr_remote_address": kept.remote_address,
    }
    LOGGER.warning("refused (%d %s): %s", error.status_hint, type(error).__name__, error.message, extra=extra)
    if LOGGER.isEnabledFor(logging.DEBUG):
        LOGGER.debug("refused request: %s", _described(kept), extra=extra)


def _described(request: RefusedRequest) -> str:
    """The refused request in one line of at most ``_DEBUG_CHARS`` characters: it holds message content."""
    body = "not read" if request.body is None else f"{len(request.body)} bytes {shown(request.body[:64])}"
    query = "not kept" if request.query is None else shown(request.query)
    headers = ", ".join(f"{name}: {shown(value)}" for name, value in request.headers[:32])
    text = f"{request.method} from {request.remote_address}, query {query}, headers [{headers}], body {body}"
    return text if len(text) <= _DEBUG_CHARS else f"{text[: _DEBUG_CHARS - 3]}..."


#: The adapters' ``on_error`` hook: called with the refused request and the error, before the refusal is answered.
OnError = Callable[[RefusedRequest, MmsdrError], object]


def request_of(error: MmsdrError) -> RefusedRequest:
    """The request ``error`` refused; every error the adapters see has one (an empty record otherwise)."""
    return error.request if error.request is not None else RefusedRequest(query=None, body=None)


def on_error_failed(error: MmsdrError, failure: Exception) -> None:
    """Log, with its traceback, that the ``on_error`` hook raised ``failure`` while ``error`` was refused.

    The refusal is still answered with ``error.ack``: the request would be refused the same way again, and an
    unanswered exception would be a bare 500 that hides both the refusal and the hook's failure.
    """
    LOGGER.error(
        "on_error raised while keeping a refusal (%d %s); the refusal is answered anyway",
        error.status_hint,
        type(error).__name__,
        extra={"mmsdr_error": type(error).__name__, "mmsdr_format": error.format, "mmsdr_status": error.status_hint},
        exc_info=failure,
    )

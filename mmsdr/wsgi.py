"""WSGI (PEP 3333) adapter: an environ in, the arguments of [`mmsdr.Parser.parse`][mmsdr.Parser.parse] out; an
[`Ack`][mmsdr.Ack] back.

No framework needed: Flask's ``request.environ`` and Django's ``request.META`` are environs too. The body is
read here within ``Limits.max_body_bytes`` (never more than one byte past it), and the client address is taken
from the socket, or from a forwarded header only when you name the proxies that set it
([`client_address`][mmsdr.wsgi.client_address]).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from . import _server
from ._errors import MalformedRequestError, MmsdrError, UntrustedSourceError
from ._limits import Limits
from ._parser import acknowledge
from ._public import public_dir
from ._refused import OnError, RefusedRequest, kept_query, on_error_failed, refused, request_of
from ._request import body_limit_error, read_environ
from ._server import ServerRequest, content_length
from ._source import is_trusted_source, parse_networks
from .dedupe import DedupeStoreError

if TYPE_CHECKING:
    from ._events import Ack, Callback
    from ._parser import Parser
    from ._source import IPNetwork

__all__ = ("ForwardedHeader", "WsgiRequest", "client_address", "handle", "request_from_environ", "respond")

ForwardedHeader = Literal["x-forwarded-for", "forwarded"]

_READ_STEP = 64 * 1024
_CHUNKED = "chunked"


#: The request read from an environ (one class for both adapters).
WsgiRequest = ServerRequest


def request_from_environ(
    environ: Mapping[str, Any],
    /,
    *,
    limits: Limits | None = None,
    trusted_proxies: Iterable[str | IPNetwork] | None = None,
    forwarded_header: ForwardedHeader = "x-forwarded-for",
    public_url: str | None = None,
) -> WsgiRequest:
    """Read one request from a WSGI environ, the body from ``wsgi.input`` within ``limits``.

    A ``CONTENT_LENGTH`` over ``max_body_bytes`` is refused before anything is read; without one, the body is
    read to its end only where the server says it ends (``wsgi.input_terminated``, as for chunked requests),
    and a chunked body the server does not terminate is refused with 411.

    ``public_url`` is the base of the URL the provider calls (``"https://callbacks.example.com"``, with any
    path prefix your proxy removes): behind a proxy the app cannot rebuild it from the request, and signatures
    over the URL need it. The request's ``url`` is that base, then the path as received (``RAW_URI`` or
    ``REQUEST_URI`` where the server gives them, else ``SCRIPT_NAME`` and ``PATH_INFO``) and the query.

    Raises:
        MmsdrError: [`LimitExceededError`][mmsdr.LimitExceededError] (413, 431 for headers),
            [`MalformedRequestError`][mmsdr.MalformedRequestError] (400, 411): answer with its ``ack``.
    """
    limits = limits or Limits()
    # PEP 3333 "bytes as str": latin-1 gets the sent bytes back (UTF-8 would garble Latin-9 SMS text).
    query = _query_bytes(environ.get("QUERY_STRING") or "")
    method = environ.get("REQUEST_METHOD")
    method = ((method if isinstance(method, str) else "") or "GET").upper()
    peer = environ.get("REMOTE_ADDR")
    peer = peer if isinstance(peer, str) else None
    try:
        headers, _ = read_environ(environ, limits)
    except MmsdrError as error:
        known = RefusedRequest(method=method, query=kept_query(query, limits), body=None, remote_address=peer)
        refused(error, known)
        raise
    remote_address = peer  # until the forwarded header is read, which can be refused too
    try:
        remote_address = client_address(
            peer, headers, trusted_proxies=trusted_proxies, forwarded_header=forwarded_header
        )
        body = _read_body(environ, limits)
    except MmsdrError as error:
        known = RefusedRequest(
            method=method, headers=headers, query=kept_query(query, limits), body=None, remote_address=remote_address
        )
        refused(error, known)
        raise
    raw_target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    url = _server.public_url(
        public_url,
        raw_target.partition("?")[0].encode("latin-1", "replace") if isinstance(raw_target, str) else None,
        f"{environ.get('SCRIPT_NAME') or ''}{environ.get('PATH_INFO') or ''}",
        query,
    )
    return WsgiRequest(headers=headers, body=body, query=query, method=method, remote_address=remote_address, url=url)


def _query_bytes(query: object) -> bytes:
    if not isinstance(query, str):
        return b""
    try:
        return query.encode("latin-1")
    except UnicodeEncodeError:
        return query.encode("utf-8")  # not PEP 3333 text: a server that decoded it as UTF-8 already


def _read_body(environ: Mapping[str, Any], limits: Limits) -> bytes:
    stream = environ.get("wsgi.input")
    length = content_length(environ.get("CONTENT_LENGTH"))
    if length is not None:
        if length > limits.max_body_bytes:
            raise body_limit_error(limits)  # refused unread: the declared size is enough
        data = _read_up_to(stream, length)
        if len(data) < length:
            msg = f"request: the body ends after {len(data)} of its {length} bytes (Content-Length)"
            raise MalformedRequestError(msg, field="body")
        return data
    if environ.get("wsgi.input_terminated"):
        data = _read_up_to(stream, limits.max_body_bytes + 1)
        if len(data) > limits.max_body_bytes:
            raise body_limit_error(limits)
        return data
    if _CHUNKED in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower():
        # Reading on would block on a stream the server does not end (PEP 3333): ask for a length instead.
        msg = "request: a chunked body needs a server that sets wsgi.input_terminated, or a Content-Length"
        raise MalformedRequestError(msg, field="content-length", status_hint=411)
    return b""  # PEP 3333: no CONTENT_LENGTH means no body to read


def _read_up_to(stream: Any, size: int) -> bytes:
    """Read ``size`` bytes or to the end, whichever comes first: ``read(n)`` may return less than ``n``."""
    if stream is None or size <= 0:
        return b""
    buffer = bytearray()
    while len(buffer) < size:
        chunk = stream.read(min(_READ_STEP, size - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return bytes(buffer)


def client_address(
    peer: str | None,
    headers: Iterable[tuple[str, str]],
    /,
    *,
    trusted_proxies: Iterable[str | IPNetwork] | None = None,
    forwarded_header: ForwardedHeader = "x-forwarded-for",
) -> str | None:
    """The client address: the socket's ``peer``, or the one your own proxies recorded.

    Without ``trusted_proxies`` (the default) the peer address is the answer and forwarded headers are
    ignored. With them, and only when the peer is one of them, ``forwarded_header`` (``X-Forwarded-For`` or
    RFC 7239 ``Forwarded``: one, never both, so that a header your proxy does not set cannot be forged) is
    walked from the right, skipping trusted proxy addresses; the first other entry is the client. Entries to
    its left were written by the client and are never read. An entry that is not an address (``unknown``, an
    obfuscated ``_name``) is returned as written, so that [`is_trusted_source`][mmsdr.is_trusted_source] refuses it.
    When every entry is a trusted proxy, the left-most is the answer; with no header, the peer.

    A header spelt with underscores (``X_Forwarded_For``) is refused with
    [`UntrustedSourceError`][mmsdr.UntrustedSourceError] when it comes through a trusted proxy: WSGI servers
    give it the same environ key as the proxy's own ``X-Forwarded-For`` (``HTTP_X_FORWARDED_FOR``), so a client
    could write it. Where both spellings reach the environ, only one survives and nobody can tell which: have the
    proxy drop such headers (nginx does by default: ``underscores_in_headers off``) or the server (gunicorn 22
    and later drop them by default: ``--header-map drop``). Through ASGI, which keeps header names as sent, this
    check sees them.
    """
    if not trusted_proxies or peer is None:
        return peer
    proxies = parse_networks(trusted_proxies)
    if not is_trusted_source(peer, proxies):
        return peer  # not through our proxy: whatever headers it sent are the client's own
    headers = tuple(headers)
    underscored = forwarded_header.replace("-", "_")
    if underscored != forwarded_header and any(name.lower() == underscored for name, _ in headers):
        msg = (
            f"request: a header {underscored!r} came through the trusted proxy: servers can merge it with "
            f"{forwarded_header!r}, so the client address is unknown"
        )
        raise UntrustedSourceError(msg, field=forwarded_header)
    entries = _forwarded_entries(headers, forwarded_header)
    if not entries:
        return peer
    for entry in reversed(entries):
        address = _address_of(entry)
        if address is None:
            return entry
        if not is_trusted_source(address, proxies):
            return address
    return _address_of(entries[0]) or entries[0]


def _forwarded_entries(headers: Iterable[tuple[str, str]], forwarded_header: ForwardedHeader) -> list[str]:
    # Repeated header lines are one list, in order (RFC 9110 5.3).
    values = [value for name, value in headers if name.lower() == forwarded_header]
    if forwarded_header == "x-forwarded-for":
        return [entry.strip() for value in values for entry in value.split(",")]
    return [_forwarded_for(element) for value in values for element in _split_outside_quotes(value, ",")]


def _split_outside_quotes(value: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _forwarded_for(element: str) -> str:
    """The ``for=`` value of one RFC 7239 element, unquoted; ``unknown`` when it has none."""
    for pair in _split_outside_quotes(element, ";"):
        name, _, value = pair.strip().partition("=")
        if name.strip().lower() == "for":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace("\\", "")
            return value
    return "unknown"


def _address_of(entry: str) -> str | None:
    """The IP address in ``1.2.3.4``, ``1.2.3.4:80``, ``2001:db8::1``, ``[2001:db8::1]:80``; None otherwise."""
    text = entry.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]  # IPv4 with a port; a bare IPv6 address has more colons
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def respond(ack: Ack, start_response: StartResponse, /) -> list[bytes]:
    """Start the response with ``ack``'s status and headers; return its body, the WSGI way."""
    start_response(ack.status_line, list(ack.headers))
    return [ack.body]


def handle(
    environ: Mapping[str, Any],
    start_response: StartResponse,
    parser: Parser,
    on_callback: Callable[[Callback], object],
    /,
    *,
    trusted_proxies: Iterable[str | IPNetwork] | None = None,
    forwarded_header: ForwardedHeader = "x-forwarded-for",
    public_url: str | None = None,
    on_error: OnError | None = None,
) -> list[bytes]:
    """A whole endpoint: read, parse with ``parser``, hand the callback to ``on_callback``, acknowledge.

    Bad input is answered with the error's ack, after ``on_error(error.request, error)`` when given (to keep
    what you refuse: a [`RefusedRequest`][mmsdr.RefusedRequest] and the [`MmsdrError`][mmsdr.MmsdrError]); an
    exception from ``on_error`` is logged on the ``mmsdr`` logger (ERROR, with its traceback) and the refusal
    is answered all the same. A [`DedupeStoreError`][mmsdr.dedupe.DedupeStoreError] from ``on_callback`` (the
    store is down, or, as [`LeaseHeldError`][mmsdr.dedupe.LeaseHeldError], another delivery holds the event's
    lease) is answered with the provider's own "send it again" (``acknowledge(callback, retry=True)``: MM7's
    ``soap-env:Server`` fault, MX Telecom's and OpenMarket's 503); any other exception propagates (your server
    answers 500 and the provider retries): a callback is acknowledged only once your application has all its
    events.

    ``public_url`` (the base of the URL the provider calls) gives ``Parser.parse`` its ``url``, for signatures
    over the URL: see [`request_from_environ`][mmsdr.wsgi.request_from_environ].
    """
    try:
        request = request_from_environ(
            environ,
            limits=parser.limits,
            trusted_proxies=trusted_proxies,
            forwarded_header=forwarded_header,
            public_url=public_url,
        )
        callback = request.parse(parser)
    except MmsdrError as error:
        if on_error is not None:
            try:
                on_error(request_of(error), error)
            except Exception as failure:  # noqa: BLE001 - any failure of the hook is logged; the refusal is answered
                on_error_failed(error, failure)
        return respond(error.ack, start_response)
    try:
        on_callback(callback)
    except DedupeStoreError:
        return respond(acknowledge(callback, retry=True), start_response)
    return respond(acknowledge(callback), start_response)


__dir__ = public_dir(globals())

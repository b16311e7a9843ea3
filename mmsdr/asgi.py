"""ASGI adapter: a scope and ``receive`` in, the arguments of [`mmsdr.Parser.parse`][mmsdr.Parser.parse] out; an
[`Ack`][mmsdr.Ack] sent.

No framework needed: Starlette and FastAPI hand over ``request.scope`` and ``request.receive``. The body is
received within ``Limits.max_body_bytes``: past it, nothing more is received and the request is refused (413).
The client address rules are [`mmsdr.wsgi.client_address`][mmsdr.wsgi.client_address]'s.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import _server
from ._errors import MalformedRequestError, MmsdrError
from ._limits import Limits
from ._parser import acknowledge
from ._public import public_dir
from ._refused import OnError, RefusedRequest, kept_query, on_error_failed, refused, request_of
from ._request import body_limit_error, check_header_limits
from ._server import ServerRequest, content_length
from .dedupe import DedupeStoreError
from .wsgi import ForwardedHeader, client_address

if TYPE_CHECKING:
    from ._events import Ack, Callback
    from ._parser import Parser
    from ._source import IPNetwork

__all__ = ("AsgiRequest", "Receive", "Send", "client_address", "handle", "request_from_scope", "respond")

# The widest types that Starlette's, aiohttp's and plain-dict receive and send callables all fit.
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


#: The request read from a scope and its body (one class for both adapters).
AsgiRequest = ServerRequest


async def request_from_scope(
    scope: Mapping[str, Any],
    receive: Receive,
    /,
    *,
    limits: Limits | None = None,
    trusted_proxies: Iterable[str | IPNetwork] | None = None,
    forwarded_header: ForwardedHeader = "x-forwarded-for",
    public_url: str | None = None,
) -> AsgiRequest:
    """Read one HTTP request: headers from ``scope``, the body from ``receive`` within ``limits``.

    A ``Content-Length`` over ``max_body_bytes`` is refused before anything is received; otherwise body
    messages are received until ``more_body`` is false, and no more once their total passes the limit.
    ``public_url`` is read as [`mmsdr.wsgi.request_from_environ`][mmsdr.wsgi.request_from_environ] reads it,
    the path as received being ``raw_path`` where the server gives it, else ``root_path`` and ``path``.

    Raises:
        MmsdrError: [`LimitExceededError`][mmsdr.LimitExceededError] (413, 431 for headers),
            [`MalformedRequestError`][mmsdr.MalformedRequestError] (400, also when the client disconnects mid-body):
            answer with its ``ack``.
        ValueError: ``scope`` is not an ``http`` scope (a programming error).
    """
    if scope.get("type") != "http":
        msg = f"request_from_scope() takes an 'http' scope, not {scope.get('type')!r}"
        raise ValueError(msg)
    limits = limits or Limits()
    query = bytes(scope.get("query_string") or b"")
    method = str(scope.get("method") or "GET").upper()
    client = scope.get("client")
    peer = str(client[0]) if client else None
    try:
        headers = _read_headers(scope.get("headers") or (), limits)
    except MmsdrError as error:
        refused(error, RefusedRequest(method=method, query=kept_query(query, limits), body=None, remote_address=peer))
        raise
    remote_address = peer  # until the forwarded header is read, which can be refused too
    try:
        remote_address = client_address(
            peer, headers, trusted_proxies=trusted_proxies, forwarded_header=forwarded_header
        )
        length = content_length(next((value for name, value in headers if name == "content-length"), None))
        if length is not None and length > limits.max_body_bytes:
            raise body_limit_error(limits)  # refused unreceived: the declared size is enough
        body = await _receive_body(receive, limits)
    except MmsdrError as error:
        known = RefusedRequest(
            method=method, headers=headers, query=kept_query(query, limits), body=None, remote_address=remote_address
        )
        refused(error, known)
        raise
    raw_path = scope.get("raw_path")
    url = _server.public_url(
        public_url,
        bytes(raw_path) if raw_path else None,
        f"{scope.get('root_path') or ''}{scope.get('path') or ''}",
        query,
    )
    return AsgiRequest(headers=headers, body=body, query=query, method=method, remote_address=remote_address, url=url)


def _read_headers(raw: Iterable[tuple[bytes, bytes]], limits: Limits) -> tuple[tuple[str, str], ...]:
    items: list[tuple[str, str]] = []
    size = 0
    for name, value in raw:
        # Header bytes are ISO-8859-1 by definition (RFC 9110 5.5).
        item = (bytes(name).decode("latin-1").strip().lower(), bytes(value).decode("latin-1").strip())
        size += len(item[0]) + len(item[1])
        items.append(item)
        check_header_limits(len(items), size, limits)
    return tuple(items)


async def _receive_body(receive: Receive, limits: Limits) -> bytes:
    buffer = bytearray()
    while True:
        message = await receive()
        if message.get("type") == "http.disconnect":
            msg = "request: the client disconnected before the body ended"
            raise MalformedRequestError(msg, field="body")
        buffer += message.get("body", b"")
        if len(buffer) > limits.max_body_bytes:
            raise body_limit_error(limits)  # stop receiving: the rest would be refused anyway
        if not message.get("more_body", False):
            return bytes(buffer)


async def respond(ack: Ack, send: Send, /) -> None:
    """Send ``ack``: ``http.response.start`` with its status and headers, then its body."""
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in ack.headers]
    await send({"type": "http.response.start", "status": ack.status, "headers": headers})
    await send({"type": "http.response.body", "body": ack.body})


async def handle(
    scope: Mapping[str, Any],
    receive: Receive,
    send: Send,
    parser: Parser,
    on_callback: Callable[[Callback], object],
    /,
    *,
    trusted_proxies: Iterable[str | IPNetwork] | None = None,
    forwarded_header: ForwardedHeader = "x-forwarded-for",
    public_url: str | None = None,
    on_error: OnError | None = None,
) -> None:
    """A whole endpoint: receive, parse with ``parser``, hand the callback to ``on_callback``, acknowledge.

    ``on_callback`` and ``on_error`` may be plain functions or coroutine functions (one that deduplicates uses
    an [`AsyncDeduplicator`][mmsdr.dedupe.AsyncDeduplicator]). Bad input is answered with the error's ack, after
    ``on_error(error.request, error)`` when given; an exception from ``on_error`` is logged and the refusal
    answered all the same, as [`mmsdr.wsgi.handle`][mmsdr.wsgi.handle] does. A
    [`DedupeStoreError`][mmsdr.dedupe.DedupeStoreError] from ``on_callback`` (the store is down, or, as
    [`LeaseHeldError`][mmsdr.dedupe.LeaseHeldError], another delivery holds the event's lease) is answered with
    the provider's own "send it again" (``acknowledge(callback, retry=True)``, MM7's fault included); any other
    exception propagates, so that only callbacks your application has are acknowledged.

    ``public_url`` (the base of the URL the provider calls) gives ``Parser.parse`` its ``url``, for signatures
    over the URL: see [`request_from_environ`][mmsdr.wsgi.request_from_environ].
    """
    try:
        request = await request_from_scope(
            scope,
            receive,
            limits=parser.limits,
            trusted_proxies=trusted_proxies,
            forwarded_header=forwarded_header,
            public_url=public_url,
        )
        callback = request.parse(parser)
    except MmsdrError as error:
        if on_error is not None:
            try:
                outcome = on_error(request_of(error), error)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception as failure:  # noqa: BLE001 - any failure of the hook is logged; the refusal is answered
                on_error_failed(error, failure)
        await respond(error.ack, send)
        return
    try:
        outcome = on_callback(callback)
        if inspect.isawaitable(outcome):
            await outcome
    except DedupeStoreError:
        await respond(acknowledge(callback, retry=True), send)
        return
    await respond(acknowledge(callback), send)


__dir__ = public_dir(globals())

"""aiohttp callback endpoints with mmsdr: ``PYTHONPATH=examples python -m aiohttp.web aiohttp_app:create_app``.

One endpoint per callback kind (``endpoints.py``): ``/mxtelecom/sms-report``, ``/mxtelecom/sms-inbound``, ...,
``/mm7``, ``/openmarket``, ``/twilio``, ``/sinch``, ``/bandwidth``, ``/telnyx``, ``/vonage/sms-receipt``, ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import endpoints
from aiohttp import web

import mmsdr
import mmsdr.dedupe

received: list[mmsdr.Event] = []  # stands in for your queue or database


def create_app(
    *_argv: Any,  # `python -m aiohttp.web` passes the command line arguments
    parsers: Mapping[str, mmsdr.Parser] | None = None,
    public_url: str | None = endpoints.PUBLIC_URL,
    on_event: Callable[[mmsdr.Event], object] = received.append,
    deduplicator: mmsdr.dedupe.AsyncDeduplicator | None = None,
) -> web.Application:
    # Drops the provider's retries; a MemoryStore (this process only) by default, an AsyncRedisStore for several.
    dedupe = deduplicator or mmsdr.dedupe.AsyncDeduplicator()

    async def endpoint(parser: mmsdr.Parser, request: web.Request) -> web.Response:
        body = bytearray()
        async for chunk in request.content.iter_any():
            body += chunk
            if len(body) > parser.limits.max_body_bytes:
                break  # stop receiving: parse() refuses it with the 413 ack
        try:
            callback = parser.parse(
                request.headers,
                body,
                request.rel_url.raw_query_string,  # raw: MX Telecom's Latin-9 text must not be decoded as UTF-8
                method=request.method,
                remote_address=request.remote,
                # The URL the provider called, which Twilio's signature covers: raw_path is the target as sent.
                url=f"{public_url.rstrip('/')}{request.raw_path}" if public_url else None,
            )
        except mmsdr.MmsdrError as error:
            return ack_response(error.ack)  # the rejection this provider understands
        try:
            for event in callback.events:
                async with dedupe.processing(event) as first:  # final once on_event returns; a failure releases it
                    if first:
                        on_event(event)  # store it first: an exception here is a 500 and the provider retries
        except mmsdr.dedupe.DedupeStoreError:  # the store is down, or another delivery holds the lease
            return ack_response(mmsdr.acknowledge(callback, retry=True))  # "send it again later"
        return ack_response(mmsdr.acknowledge(callback))

    app = web.Application()
    # One URL per callback kind, each with its own parser: its formats, its provider's check (endpoints.py);
    # every one built from the environment unless given.
    configured = endpoints.parsers() if parsers is None else parsers
    for path, parser in configured.items():
        app.router.add_route("GET", path, functools.partial(endpoint, parser))
        app.router.add_route("POST", path, functools.partial(endpoint, parser))
    return app


def ack_response(ack: mmsdr.Ack) -> web.Response:
    return web.Response(body=ack.body, status=ack.status, headers=list(ack.headers))

"""An aiohttp callback endpoint with mmsdr: ``python -m aiohttp.web examples.aiohttp_app:create_app``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

import mmsdr
import mmsdr.dedupe

# Comma-separated networks the callbacks may come from; MX Telecom's published ranges when unset.
TRUSTED_NETWORKS = os.environ.get("MMSDR_TRUSTED_NETWORKS", ",".join(map(str, mmsdr.mxtelecom.TRUSTED_NETWORKS)))
received: list[mmsdr.Event] = []  # stands in for your queue or database


def create_app(
    *_argv: Any,  # `python -m aiohttp.web` passes the command line arguments
    trusted_networks: Iterable[str] = TRUSTED_NETWORKS.split(","),
    on_event: Callable[[mmsdr.Event], object] = received.append,
    deduplicator: mmsdr.dedupe.Deduplicator | None = None,
) -> web.Application:
    parser = mmsdr.Parser(trusted_networks=trusted_networks)  # once: checks the source, detects the format
    # Drops the provider's retries; a MemoryStore (this process only) by default, a RedisStore for several.
    dedupe = deduplicator or mmsdr.dedupe.Deduplicator()

    async def endpoint(request: web.Request) -> web.Response:
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
            )
        except mmsdr.MmsdrError as error:
            return ack_response(error.ack)  # the rejection this provider understands
        try:
            for event in callback.events:
                with dedupe.processing(event) as first:
                    if first:
                        on_event(event)  # store it first: an exception here is a 500 and the provider retries
        except mmsdr.dedupe.DedupeStoreError:
            return ack_response(mmsdr.acknowledge(callback, retry=True))  # store down: "send it again later"
        return ack_response(mmsdr.acknowledge(callback))

    app = web.Application()
    app.router.add_route("GET", "/callbacks", endpoint)
    app.router.add_route("POST", "/callbacks", endpoint)
    return app


def ack_response(ack: mmsdr.Ack) -> web.Response:
    return web.Response(body=ack.body, status=ack.status, headers=list(ack.headers))

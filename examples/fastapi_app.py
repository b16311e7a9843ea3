"""A FastAPI (Starlette) callback endpoint with mmsdr: ``uvicorn examples.fastapi_app:app``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from fastapi import FastAPI, Request, Response

import mmsdr
import mmsdr.asgi
import mmsdr.dedupe

# Comma-separated networks the callbacks may come from; MX Telecom's published ranges when unset.
TRUSTED_NETWORKS = os.environ.get("MMSDR_TRUSTED_NETWORKS", ",".join(map(str, mmsdr.mxtelecom.TRUSTED_NETWORKS)))
received: list[mmsdr.Event] = []  # stands in for your queue or database


def create_app(
    *,
    trusted_networks: Iterable[str] = TRUSTED_NETWORKS.split(","),
    on_event: Callable[[mmsdr.Event], object] = received.append,
    deduplicator: mmsdr.dedupe.Deduplicator | None = None,
) -> FastAPI:
    app = FastAPI()
    parser = mmsdr.Parser(trusted_networks=trusted_networks)  # once: checks the source, detects the format
    # Drops the provider's retries; a MemoryStore (this process only) by default, a RedisStore for several.
    dedupe = deduplicator or mmsdr.dedupe.Deduplicator()

    @app.api_route("/callbacks", methods=["GET", "POST"])
    async def endpoint(request: Request) -> Response:
        try:
            # The adapter receives the body within parser.limits and stops past max_body_bytes (413).
            asgi_request = await mmsdr.asgi.request_from_scope(request.scope, request.receive, limits=parser.limits)
            callback = asgi_request.parse(parser)
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

    return app


def ack_response(ack: mmsdr.Ack) -> Response:
    return Response(ack.body, status_code=ack.status, headers=dict(ack.headers))


app = create_app()

"""A FastAPI (Starlette) callback endpoint with mmsdr: ``uvicorn examples.fastapi_app:app``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from fastapi import FastAPI, Request, Response

import mmsdr
import mmsdr.asgi

# Comma-separated networks the callbacks may come from; MX Telecom's published ranges when unset.
TRUSTED_NETWORKS = os.environ.get("MMSDR_TRUSTED_NETWORKS", ",".join(map(str, mmsdr.mxtelecom.TRUSTED_NETWORKS)))
received: list[mmsdr.Event] = []  # stands in for your queue or database


def create_app(
    *,
    trusted_networks: Iterable[str] = TRUSTED_NETWORKS.split(","),
    on_event: Callable[[mmsdr.Event], object] = received.append,
) -> FastAPI:
    app = FastAPI()
    parser = mmsdr.Parser(trusted_networks=trusted_networks)  # once: checks the source, detects the format

    @app.api_route("/callbacks", methods=["GET", "POST"])
    async def callback(request: Request) -> Response:
        try:
            # The adapter receives the body within parser.limits and stops past max_body_bytes (413).
            asgi_request = await mmsdr.asgi.request_from_scope(request.scope, request.receive, limits=parser.limits)
            event = asgi_request.parse(parser)
        except mmsdr.MmsdrError as error:
            return ack_response(error.ack)  # the rejection this provider understands
        on_event(event)  # store it first: an exception here is a 500 and the provider retries
        return ack_response(mmsdr.acknowledge(event))

    return app


def ack_response(ack: mmsdr.Ack) -> Response:
    return Response(ack.body, status_code=ack.status, headers=dict(ack.headers))


app = create_app()

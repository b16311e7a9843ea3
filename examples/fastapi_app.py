"""FastAPI (Starlette) callback endpoints with mmsdr: ``uvicorn --app-dir examples fastapi_app:app``.

One endpoint per callback kind (``endpoints.py``): ``/mxtelecom/sms-report``, ``/mxtelecom/sms-inbound``, ...,
``/mm7``, ``/openmarket``, ``/twilio``, ``/sinch``, ``/bandwidth``, ``/telnyx``, ``/vonage/sms-receipt``, ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import endpoints
from fastapi import FastAPI, Request, Response

import mmsdr
import mmsdr.asgi
import mmsdr.dedupe

received: list[mmsdr.Event] = []  # stands in for your queue or database


def create_app(
    *,
    parsers: Mapping[str, mmsdr.Parser] | None = None,
    public_url: str | None = endpoints.PUBLIC_URL,
    on_event: Callable[[mmsdr.Event], object] = received.append,
    deduplicator: mmsdr.dedupe.AsyncDeduplicator | None = None,
) -> FastAPI:
    app = FastAPI()
    # Drops the provider's retries; a MemoryStore (this process only) by default, an AsyncRedisStore for several.
    dedupe = deduplicator or mmsdr.dedupe.AsyncDeduplicator()

    def endpoint_for(parser: mmsdr.Parser) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                # The adapter receives the body within parser.limits and stops past max_body_bytes (413); public_url
                # gives the parser the URL the provider called, which Twilio's signature covers.
                asgi_request = await mmsdr.asgi.request_from_scope(
                    request.scope, request.receive, limits=parser.limits, public_url=public_url
                )
                callback = asgi_request.parse(parser)
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

        return endpoint

    # One URL per callback kind, each with its own parser: its formats, its provider's check (endpoints.py);
    # every one built from the environment unless given.
    configured = endpoints.parsers() if parsers is None else parsers
    for path, parser in configured.items():
        app.add_api_route(path, endpoint_for(parser), methods=["GET", "POST"], include_in_schema=False)
    return app


def ack_response(ack: mmsdr.Ack) -> Response:
    return Response(ack.body, status_code=ack.status, headers=dict(ack.headers))


app = create_app()

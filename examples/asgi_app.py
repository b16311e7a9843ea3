"""A complete ASGI callback app with mmsdr and no framework: serve ``app`` with any ASGI server, from this directory.

One endpoint per callback kind (``endpoints.py``): ``/mxtelecom/sms-report``, ``/mxtelecom/sms-inbound``, ...,
``/mm7``, ``/openmarket``, ``/twilio``, ``/sinch``, ``/bandwidth``, ``/telnyx``, ``/vonage/sms-receipt``, ...
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import endpoints

import mmsdr
import mmsdr.asgi
import mmsdr.dedupe

received: list[mmsdr.Event] = []  # stands in for your queue or database
refused: list[tuple[mmsdr.RefusedRequest, mmsdr.MmsdrError]] = []  # stands in for your dead-letter table
NOT_FOUND = mmsdr.Ack.plain_text(404, "no callback endpoint at this path")
App = Callable[[dict[str, Any], mmsdr.asgi.Receive, mmsdr.asgi.Send], Coroutine[Any, Any, None]]


async def keep_refused(request: mmsdr.RefusedRequest, error: mmsdr.MmsdrError) -> None:
    """Your application: keep what was refused, to replay it (docs/errors-and-limits.md)."""
    refused.append((request, error))


def create_app(
    parsers: Mapping[str, mmsdr.Parser],
    on_event: Callable[[mmsdr.Event], object],
    *,
    deduplicator: mmsdr.dedupe.AsyncDeduplicator | None = None,
    public_url: str | None = None,
) -> App:
    """An endpoint at each path of ``parsers`` for that parser's formats and check of its provider; ``public_url``
    is the base of the URLs the providers call, which Twilio's signature covers (``/twilio`` refuses without it).

    Each event goes to ``on_event`` once: the provider's retries are dropped by ``deduplicator`` (a
    ``MemoryStore``, this process only, when None; an ``AsyncRedisStore`` for several workers).
    """
    dedupe = deduplicator or mmsdr.dedupe.AsyncDeduplicator()

    async def on_callback(callback: mmsdr.Callback) -> None:
        for event in callback.events:
            async with dedupe.processing(event) as first:  # final once on_event returns; a failure releases it
                if first:
                    on_event(event)

    async def app(scope: dict[str, Any], receive: mmsdr.asgi.Receive, send: mmsdr.asgi.Send) -> None:
        if scope["type"] != "http":
            return
        parser = parsers.get(scope["path"])  # this URL's parser: its formats, its provider's check
        if parser is None:
            await mmsdr.asgi.respond(NOT_FOUND, send)
            return
        # The body is received within parser.limits: past max_body_bytes the request is refused with 413. Sent:
        # acknowledge(callback) once on_callback returns; the error's ack for bad input (after on_error);
        # acknowledge(callback, retry=True) for a DedupeStoreError (the store is down, or another delivery
        # holds the event's lease), so that the provider sends the callback again later.
        await mmsdr.asgi.handle(scope, receive, send, parser, on_callback, on_error=keep_refused, public_url=public_url)

    return app


app = create_app(endpoints.parsers(), received.append, public_url=endpoints.PUBLIC_URL)

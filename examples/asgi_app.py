"""A complete ASGI callback endpoint with mmsdr and no framework: serve ``app`` with any ASGI server."""

from __future__ import annotations

from typing import Any

import mmsdr
import mmsdr.asgi
import mmsdr.dedupe

parser = mmsdr.Parser(formats="mxtelecom")
deduplicator = mmsdr.dedupe.Deduplicator()  # this process only; a RedisStore for several workers
received: list[mmsdr.Event] = []  # stands in for your queue or database


async def on_callback(callback: mmsdr.Callback) -> None:
    """Your application: store each event once (the provider's retries are dropped)."""
    for event in callback.events:
        with deduplicator.processing(event) as first:  # a failed store releases the claim: the retry gets it
            if first:
                received.append(event)


async def app(scope: dict[str, Any], receive: mmsdr.asgi.Receive, send: mmsdr.asgi.Send) -> None:
    if scope["type"] != "http":
        return
    # The body is received within parser.limits: past max_body_bytes the request is refused with 413. Sent:
    # acknowledge(callback) once on_callback returns; acknowledge(callback, retry=True) when the dedupe
    # store is down (DedupeStoreError), so that the provider sends the callback again later.
    await mmsdr.asgi.handle(scope, receive, send, parser, on_callback)

"""A complete WSGI callback endpoint with mmsdr and no framework: serve ``app`` with any WSGI server."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import mmsdr
import mmsdr.dedupe
import mmsdr.wsgi

parser = mmsdr.Parser(formats="mxtelecom")
received: list[mmsdr.Event] = []  # stands in for your queue or database


def handle(event: mmsdr.Event) -> None:
    """Your application: store the event."""
    received.append(event)


def create_app(
    parser: mmsdr.Parser,
    on_event: Callable[[mmsdr.Event], object],
    *,
    deduplicator: mmsdr.dedupe.Deduplicator | None = None,
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """An endpoint for ``parser``'s formats and sources; the body is read within ``parser.limits``.

    Each event goes to ``on_event`` once: the provider's retries are dropped by ``deduplicator`` (a
    ``MemoryStore``, this process only, when None; a ``RedisStore`` for several workers).
    """
    dedupe = deduplicator or mmsdr.dedupe.Deduplicator()

    def on_callback(callback: mmsdr.Callback) -> None:
        for event in callback.events:
            with dedupe.processing(event) as first:  # a failed on_event releases the claim: the retry gets it
                if first:
                    on_event(event)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # handle() answers acknowledge(callback) once on_callback returns, the error's ack for bad input, and
        # acknowledge(callback, retry=True) when the dedupe store is down (DedupeStoreError): the provider
        # sends the callback again later. Behind your own reverse proxy, add trusted_proxies=["10.0.0.0/8"]
        # (docs/frameworks.md).
        return mmsdr.wsgi.handle(environ, start_response, parser, on_callback)

    return app


app = create_app(parser, handle)

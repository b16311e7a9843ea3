"""A complete WSGI callback app with mmsdr and no framework: serve ``app`` with any WSGI server, from this directory.

One endpoint per callback kind (``endpoints.py``): ``/mxtelecom/sms-report``, ``/mxtelecom/sms-inbound``, ...,
``/mm7``, ``/openmarket``, ``/twilio``, ``/sinch``, ``/bandwidth``, ``/telnyx``, ``/vonage/sms-receipt``, ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import endpoints

import mmsdr
import mmsdr.dedupe
import mmsdr.wsgi

received: list[mmsdr.Event] = []  # stands in for your queue or database
refused: list[tuple[mmsdr.RefusedRequest, mmsdr.MmsdrError]] = []  # stands in for your dead-letter table
NOT_FOUND = mmsdr.Ack.plain_text(404, "no callback endpoint at this path")


def keep_refused(request: mmsdr.RefusedRequest, error: mmsdr.MmsdrError) -> None:
    """Your application: keep what was refused, to replay it (docs/errors-and-limits.md)."""
    refused.append((request, error))


def create_app(
    parsers: Mapping[str, mmsdr.Parser],
    on_event: Callable[[mmsdr.Event], object],
    *,
    deduplicator: mmsdr.dedupe.Deduplicator | None = None,
    public_url: str | None = None,
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """An endpoint at each path of ``parsers`` for that parser's formats and check of its provider; ``public_url``
    is the base of the URLs the providers call, which Twilio's signature covers (``/twilio`` refuses without it).

    Each event goes to ``on_event`` once: the provider's retries are dropped by ``deduplicator`` (a
    ``MemoryStore``, this process only, when None; a ``RedisStore`` for several workers).
    """
    dedupe = deduplicator or mmsdr.dedupe.Deduplicator()

    def on_callback(callback: mmsdr.Callback) -> None:
        for event in callback.events:
            with dedupe.processing(event) as first:  # final once on_event returns; a failure releases it
                if first:
                    on_event(event)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        parser = parsers.get(environ.get("PATH_INFO", ""))  # this URL's parser: its formats, its provider's check
        if parser is None:
            return mmsdr.wsgi.respond(NOT_FOUND, start_response)
        # handle() answers acknowledge(callback) once on_callback returns, the error's ack for bad input (after
        # on_error), and acknowledge(callback, retry=True) for a DedupeStoreError (the store is down, or another
        # delivery holds the event's lease): the provider sends the callback again later. Behind your own
        # reverse proxy, add trusted_proxies=["10.0.0.0/8"] (docs/frameworks.md).
        return mmsdr.wsgi.handle(
            environ, start_response, parser, on_callback, on_error=keep_refused, public_url=public_url
        )

    return app


app = create_app(endpoints.parsers(), received.append, public_url=endpoints.PUBLIC_URL)

"""A complete WSGI callback endpoint with mmsdr and no framework: serve ``app`` with any WSGI server."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import mmsdr
import mmsdr.wsgi

parser = mmsdr.Parser(formats="mxtelecom")
received: list[mmsdr.Event] = []  # stands in for your queue or database


def handle(event: mmsdr.Event) -> None:
    """Your application: store the event (claim event.dedupe_key first to drop the provider's retries)."""
    received.append(event)


def create_app(
    parser: mmsdr.Parser, on_event: Callable[[mmsdr.Event], object]
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """An endpoint for ``parser``'s formats and sources; the body is read within ``parser.limits``."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # Behind your own reverse proxy, add trusted_proxies=["10.0.0.0/8"] (docs/frameworks.md).
        return mmsdr.wsgi.handle(environ, start_response, parser, on_event)

    return app


app = create_app(parser, handle)

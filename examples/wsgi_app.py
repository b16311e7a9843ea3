"""A complete WSGI callback endpoint with mmsdr: run it with ``python -m wsgiref.simple_server``-style servers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import mmsdr

parser = mmsdr.Parser(formats="mxtelecom")
received: list[mmsdr.Event] = []  # stands in for your queue or database


def handle(event: mmsdr.Event) -> None:
    """Your application: store the event (claim event.dedupe_key first to drop the provider's retries)."""
    received.append(event)


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(min(length, parser.limits.max_body_bytes + 1))
    try:
        event = parser.parse(environ, body, environ.get("QUERY_STRING", ""), remote_address=environ.get("REMOTE_ADDR"))
    except mmsdr.MmsdrError as error:
        ack = error.ack  # the rejection this provider understands
    else:
        handle(event)
        ack = mmsdr.acknowledge(event)
    start_response(ack.status_line, list(ack.headers))
    return [ack.body]

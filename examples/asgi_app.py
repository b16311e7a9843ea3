"""A complete ASGI callback endpoint with mmsdr and no framework: serve ``app`` with any ASGI server."""

from __future__ import annotations

from typing import Any

import mmsdr
import mmsdr.asgi

parser = mmsdr.Parser(formats="mxtelecom")
received: list[mmsdr.Event] = []  # stands in for your queue or database


async def app(scope: dict[str, Any], receive: mmsdr.asgi.Receive, send: mmsdr.asgi.Send) -> None:
    if scope["type"] != "http":
        return
    # The body is received within parser.limits: past max_body_bytes the request is refused with 413.
    await mmsdr.asgi.handle(scope, receive, send, parser, received.append)

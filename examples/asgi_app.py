"""A complete ASGI callback endpoint with mmsdr, no framework: run it with any ASGI server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import mmsdr

parser = mmsdr.Parser(formats="mxtelecom")
received: list[mmsdr.Event] = []  # stands in for your queue or database


async def app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        # Past the limit parse() rejects the body with a 413 ack: no need to receive the rest.
        if size > parser.limits.max_body_bytes or not message.get("more_body", False):
            break
    client = scope.get("client")
    try:
        event = parser.parse(
            scope["headers"],
            chunks,
            scope.get("query_string", b""),
            method=scope["method"],
            remote_address=client[0] if client else None,
        )
    except mmsdr.MmsdrError as error:
        ack = error.ack
    else:
        received.append(event)
        ack = mmsdr.acknowledge(event)
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in ack.headers]
    await send({"type": "http.response.start", "status": ack.status, "headers": headers})
    await send({"type": "http.response.body", "body": ack.body})

"""The README's WSGI and ASGI examples, run against real requests (no server needed: both are plain callables)."""

from __future__ import annotations

import asyncio
import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from _support import query_fixture

import mmsdr

sys.path.insert(0, str(Path(__file__).parent.parent / "examples"))
import asgi_app
import wsgi_app


def call_wsgi(
    query: str, remote_address: str = "83.166.68.5", body: bytes = b""
) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": query,
        "REMOTE_ADDR": remote_address,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "callbacks.example.com",
        "wsgi.input": io.BytesIO(body),
    }
    started: list[Any] = []
    body_parts = wsgi_app.app(environ, lambda status, headers: started.extend([status, headers]))
    return started[0], started[1], b"".join(body_parts)


def test_wsgi_example_acknowledges_and_hands_over_the_event() -> None:
    wsgi_app.received.clear()
    query = query_fixture("mxtelecom", "sms-report-mx-us")
    expected = mmsdr.parse_request({"Host": "callbacks.example.com"}, b"", query, formats="mxtelecom")
    status, headers, body = call_wsgi(query)
    assert (status, body) == ("200 OK", b"OK")
    assert ("Content-Length", "2") in headers
    assert isinstance(expected.events[0], mmsdr.DeliveryReport)
    assert wsgi_app.received == list(expected.events)
    # The provider's retry of the same callback is acknowledged again, and its event not handed over twice.
    assert call_wsgi(query)[::2] == ("200 OK", b"OK")
    assert wsgi_app.received == list(expected.events)


def test_wsgi_example_rejects_bad_input_with_the_error_ack() -> None:
    wsgi_app.received.clear()
    status, _, body = call_wsgi("smsmsg=REPORT+1+DELIVERED")
    assert status == "400 Bad Request"
    assert body == b"mxtelecom.sms_report: field 'smsfrom' is missing"
    assert wsgi_app.received == []


def call_asgi(query: bytes, chunks: list[bytes]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1} for i, chunk in enumerate(chunks)
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "headers": [(b"content-type", b"application/x-www-form-urlencoded")],
        "query_string": query,
        "client": ("83.166.68.5", 40000),
    }
    asyncio.run(asgi_app.app(scope, receive, send))
    return sent


def test_asgi_example_reads_a_chunked_body() -> None:
    asgi_app.received.clear()
    body = query_fixture("mxtelecom", "sms-inbound-mx-uk").encode()
    sent = call_asgi(b"", [body[:10], body[10:30], body[30:]])
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"OK"
    expected = mmsdr.parse_request(
        [("content-type", "application/x-www-form-urlencoded")], body, b"", method="POST", formats="mxtelecom"
    )
    assert isinstance(expected.events[0], mmsdr.InboundMessage)
    assert asgi_app.received == list(expected.events)


@pytest.mark.parametrize("chunks", [[b"x" * 30_000_000], [b"x" * 10_000_000] * 3])
def test_asgi_example_stops_reading_past_the_limit(chunks: list[bytes]) -> None:
    sent = call_asgi(b"", chunks)
    assert sent[0]["status"] == 413


# --- docs/frameworks.md shows the examples' own code ------------------------------------------------------------

DOCS_SECTIONS = {
    "## Flask": "flask_app.py",
    "## Django": "django_app.py",
    "## FastAPI and Starlette": "fastapi_app.py",
    "## aiohttp": "aiohttp_app.py",
    "## WSGI and ASGI without a framework": "wsgi_app.py",
}


def code_lines(text: str) -> list[str]:
    """The lines of ``text`` without comments, blank lines and indentation."""
    stripped = (line.partition("  #")[0].strip() for line in text.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


@pytest.mark.parametrize(("heading", "example"), DOCS_SECTIONS.items())
def test_docs_frameworks_md_shows_the_example_s_code(heading: str, example: str) -> None:
    page = (Path(__file__).parent.parent / "docs" / "frameworks.md").read_text(encoding="utf-8")
    section = page[page.index(f"\n{heading}\n") :]
    snippet = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert snippet is not None
    source = code_lines((Path(__file__).parent.parent / "examples" / example).read_text(encoding="utf-8"))
    shown = code_lines(snippet[1])
    assert "for event in callback.events:" in shown
    assert [line for line in shown if line not in source] == []
    # In the example's order: the snippet is an excerpt, not a rewrite.
    positions = [source.index(line) for line in shown if shown.count(line) == 1 and source.count(line) == 1]
    assert positions == sorted(positions)

"""Shared by the test modules of every folder: import paths and the fixtures more than one module uses.

The security tests import ``_threats`` (``tests/security``) and ``_support`` (``tests``): pytest's default
``prepend`` import mode puts only a test file's own folder on ``sys.path``, so both are added here, whatever
directory pytest starts from. Assertions in ``_threats`` are rewritten so that its failures show the values.
"""

from __future__ import annotations

import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

for folder in (Path(__file__).resolve().parent / "security", Path(__file__).resolve().parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

pytest.register_assert_rewrite("_threats")


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request it gets (XXE / remote DTD tests: X6)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            payload = b'<!ENTITY x "FETCHED">'
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()

"""docs/testing.md's WSGI example reads the body safely: a bad CONTENT_LENGTH is a 400, never a 500 or a hang."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

import mmsdr.testing

ROOT = Path(__file__).parent.parent


class NoReadPastTheEnd(io.BytesIO):
    """A ``wsgi.input`` that fails where a socket would block: a read without a size or with a negative one."""

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0:
            msg = "read to the end of a socket: this would wait for the client to close the connection"
            raise AssertionError(msg)
        return super().read(size)


def docs_app() -> Any:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL) if "def app(" in block)
    namespace: dict[str, Any] = {"__name__": "docs_testing_app"}
    exec(compile(example, "docs/testing.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["app"]


@pytest.mark.parametrize(
    ("content_length", "body", "status", "answer"),
    [
        ("abc", b"", "400 Bad Request", b"request: Content-Length 'abc' is not a number"),
        ("-1", b"", "400 Bad Request", b"request: Content-Length '-1' is not a number"),
        ("100", b"short", "400 Bad Request", b"request: the body ends after 5 of its 100 bytes (Content-Length)"),
        (
            str(30 * 1024 * 1024),
            b"",
            "413 Request Entity Too Large",
            b"request: body larger than 20971520 bytes (Limits.max_body_bytes)",
        ),
    ],
)
def test_the_docs_app_refuses_a_bad_content_length(
    content_length: str, body: bytes, status: str, answer: bytes
) -> None:
    app = docs_app()
    request = mmsdr.testing.mm7_deliver()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/mm7",
        "QUERY_STRING": "",
        "CONTENT_TYPE": dict(request.headers)["Content-Type"],
        "CONTENT_LENGTH": content_length,
        "wsgi.input": NoReadPastTheEnd(body),
    }
    started: list[str] = []
    sent = b"".join(app(environ, lambda line, headers: started.append(line)))
    assert (started, sent) == ([status], answer)

"""Building test requests as a provider sends them: the request type and the helpers every provider's builders share."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from ._events import Callback, Part
from ._parser import parse_request

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .auth import Signer

__all__ = (
    "DEFAULT_PARTS",
    "HOST",
    "JPEG",
    "TestRequest",
    "aware",
    "boundary_for",
    "get_request",
    "iso_date",
    "json_member",
    "media_headers",
    "multipart_body",
    "part_bytes",
    "post_request",
    "query_string",
    "quoted",
    "utc_minutes",
    "utc_offset_text",
)

HOST = "callbacks.example.com"


@dataclass(frozen=True, slots=True, kw_only=True)
class TestRequest:
    """One HTTP request as a provider sends it: what [`mmsdr.parse_request`][mmsdr.parse_request] takes, and its wire
    form."""

    __test__ = False  # a name pytest would otherwise try to collect

    method: str
    """``"GET"`` or ``"POST"``."""

    target: str
    """The request target: the path and, for a GET callback, ``?`` and the query string."""

    headers: tuple[tuple[str, str], ...]
    """Header name and value pairs in order, ``Host`` (and ``Content-Length`` of a body) included."""

    body: bytes = b""
    """The body; empty for a GET."""

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        """The raw (percent-encoded) query string, ``""`` when there is none."""
        return self.target.partition("?")[2]

    def as_http(self) -> bytes:
        """The raw HTTP/1.1 request (CRLF line ends), as ``mmsdr parse`` reads it."""
        head = [f"{self.method} {self.target} HTTP/1.1", *(f"{name}: {value}" for name, value in self.headers)]
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + self.body

    @property
    def url(self) -> str:
        """The URL the provider calls: ``https://`` and the ``Host`` header, then the target."""
        host = next((value for name, value in self.headers if name.lower() == "host"), HOST)
        return f"https://{host}{self.target}"

    def signed(self, auth: Signer, /) -> TestRequest:
        """This request with the credentials or the signature ``auth`` checks (``auth.sign(self)``): for
        endpoints built with ``Parser(auth=...)``; one byte of the body or one header changed fails the check."""
        return auth.sign(self)

    def parse(self, **options: Any) -> Callback:
        """``mmsdr.parse_request(headers, body, query, method=..., url=..., **options)`` on this request."""
        options.setdefault("method", self.method)
        options.setdefault("url", self.url)
        return parse_request(self.headers, self.body, self.query, **options)


def aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        msg = f"timestamps must be timezone-aware, got {value!r}"
        raise ValueError(msg)
    return value


def utc_offset_text(value: datetime) -> str:
    offset = value.utcoffset() or timedelta()
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def utc_minutes(value: datetime | str | None) -> str | None:
    """``YYMMDDhhmm`` in UTC (Twilio's ``RawDlrDoneDate``, Vonage's ``scts``); a str verbatim, None for none."""
    if value is None or isinstance(value, str):
        return value
    return aware(value).astimezone(UTC).strftime("%y%m%d%H%M")


def json_member(text: str, *, string: bool) -> object:
    """The JSON member a ``raw`` text stands for: the text itself for a member that is a string, else the
    JSON value the text is (the text where it is not JSON)."""
    if string:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def iso_date(value: datetime | str, *, milliseconds: bool) -> str:
    if isinstance(value, str):
        return value
    value = aware(value)
    if milliseconds:  # Sinch: "Value is in UTC", with milliseconds and Z
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.isoformat(timespec="seconds")  # OpenMarket: YYYY-MM-DDThh:mm:ssTZD


def query_string(fields: Iterable[tuple[str, str | bytes | None]]) -> str:
    # "+" for spaces and %XX for the rest, as the vendor's examples: smsmsg=REPORT+17218733+DELIVERED.
    return "&".join(
        f"{quote_plus(name, safe='')}={quote_plus(value, safe='')}" for name, value in fields if value is not None
    )


def get_request(path: str, fields: Iterable[tuple[str, str | bytes | None]]) -> TestRequest:
    query = query_string(fields)
    return TestRequest(method="GET", target=f"{path}?{query}" if query else path, headers=(("Host", HOST),))


def post_request(path: str, content_type: str, body: bytes, extra: Iterable[tuple[str, str]] = ()) -> TestRequest:
    """A POST; ``extra`` headers follow Content-Type, or replace it where they hold a Content-Type themselves
    (``request_for`` keeps the order MM7's ``raw`` recorded)."""
    extra = list(extra)
    if not any(name.lower() == "content-type" for name, _ in extra):
        extra.insert(0, ("Content-Type", content_type))
    headers = [(name, content_type if name.lower() == "content-type" else value) for name, value in extra]
    headers = [("Host", HOST), *headers, ("Content-Length", str(len(body)))]
    return TestRequest(method="POST", target=path, headers=tuple(headers), body=body)


def boundary_for(prefix: str, *contents: bytes) -> str:
    """A boundary that occurs in none of ``contents`` (RFC 2046 5.1.1), stable for the same contents."""
    digest = hashlib.sha256(b"".join(contents)).hexdigest()
    for length in range(16, 65, 8):
        boundary = f"{prefix}{digest[:length]}"
        if not any(boundary.encode("ascii") in content for content in contents):
            return boundary
    msg = "no multipart boundary avoids the content"  # pragma: no cover - needs a SHA-256 collision in the data
    raise ValueError(msg)


def multipart_body(boundary: str, parts: Iterable[tuple[Sequence[tuple[str, str]], bytes]]) -> bytes:
    out = bytearray()
    for headers, data in parts:
        out += f"--{boundary}\r\n".encode("ascii")
        for name, value in headers:
            out += f"{name}: {value}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode("ascii")
    return bytes(out)


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def media_headers(part: Part, encoding: str) -> list[tuple[str, str]]:
    content_type = part.content_type + (f"; charset={part.charset}" if part.charset else "")
    headers = [("Content-Type", content_type)]
    if part.content_id is not None:
        headers.append(("Content-ID", f"<{part.content_id}>"))
    if part.filename is not None:
        headers.append(("Content-Disposition", f"attachment; filename={quoted(part.filename)}"))
    headers.append(("Content-Transfer-Encoding", encoding))
    return headers


# Realistic, tiny media: the start and end of a JPEG, and a text.
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
DEFAULT_PARTS = (
    Part(content_type="image/jpeg", data=JPEG, content_id="image.jpg"),
    Part(content_type="text/plain", data=b"This is a text attachment", content_id="text.txt", charset="utf-8"),
)
"""The parts the MMS builders send when not told: a JPEG and a text."""


def part_bytes(part: Part) -> bytes:
    """The bytes of a part by value; ``ValueError`` for a part by reference, which these formats cannot send."""
    if part.data is None:
        msg = f"this format sends its parts by value, got a part by reference ({part.url!r})"
        raise ValueError(msg)
    return part.data

"""Command line: ``mmsdr parse FILE`` reads a raw HTTP request and prints the event and the acknowledgement;
``mmsdr sample FORMAT`` prints a sample request of that format (built with [`mmsdr.testing`][mmsdr.testing]);
``mmsdr send FILE URL`` posts a saved or sampled request to a running endpoint and prints its response.

The file holds a request as it travels: a request line (``GET /path?query HTTP/1.1``), header lines, a blank
line and the body; CRLF or LF line ends. ``-`` reads standard input. With a ``Content-Length`` the body is that
many bytes, as a server reads it: bytes after it are left out, and a body shorter than it is refused.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import FORMATS, MmsdrError, Parser, __version__, acknowledge

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("RawHttpRequest", "main", "read_raw_request")

# The end of the head: a blank line, with CRLF or bare LF line ends.
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
# Byte order marks of text encodings in which no HTTP request travels (UTF-32 LE starts like UTF-16 LE).
_WIDE_TEXT_MARKS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
# Exit status when standard output is closed early (`mmsdr parse f | head -1`): 128 + SIGPIPE, as shells report.
_BROKEN_PIPE_STATUS = 141


@dataclass(frozen=True, slots=True)
class RawHttpRequest:
    """A request read from its wire form: what [`mmsdr.parse_request`][mmsdr.parse_request] takes, plus the method."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


def read_raw_request(data: bytes, /) -> RawHttpRequest:
    """Split a raw HTTP/1.x request into its parts; ``ValueError`` when it is not one."""
    for mark, encoding in _WIDE_TEXT_MARKS:
        if data.startswith(mark):
            msg = (
                f"the file is {encoding} text (it starts with a {encoding} byte order mark); a request travels "
                "as bytes, its head in ASCII: save the file as UTF-8 or ASCII"
            )
            raise ValueError(msg)
    blank_line = _BLANK_LINE.search(data)
    head, body = (data[: blank_line.start()], data[blank_line.end() :]) if blank_line else (data, b"")
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    request_line = lines[0].split()
    if request_line and request_line[0].upper().startswith("HTTP/"):
        msg = f"it is an HTTP response (its first line is a status line, {lines[0][:80]!r}), not a request"
        raise ValueError(msg)
    if len(request_line) not in (2, 3):
        msg = f"the first line must be 'METHOD TARGET HTTP/1.1', got {lines[0][:80]!r}"
        raise ValueError(msg)
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line.strip():
            continue
        if line[0] in " \t" and headers:  # obsolete line folding: continue the previous header
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon:
            msg = f"a header line must be 'Name: value', got {line[:80]!r}"
            raise ValueError(msg)
        headers.append((name.strip(), value.strip()))
    return RawHttpRequest(
        method=request_line[0].upper(), target=request_line[1], headers=tuple(headers), body=_framed(body, headers)
    )


def _framed(body: bytes, headers: Sequence[tuple[str, str]]) -> bytes:
    """The body as a server reads it: ``Content-Length`` bytes where the request says how many."""
    names = {name.lower() for name, _ in headers}
    if "transfer-encoding" in names:
        return body  # RFC 9112 6.3: Transfer-Encoding overrides Content-Length; the body is kept as saved
    lengths = {value for name, value in headers if name.lower() == "content-length"}
    if not lengths:
        return body
    if len(lengths) > 1:
        msg = f"the request has different Content-Length headers: {', '.join(sorted(lengths))}"
        raise ValueError(msg)
    (text,) = lengths
    if not (text.isascii() and text.isdigit()):
        msg = f"Content-Length {text[:40]!r} is not a number"
        raise ValueError(msg)
    length = int(text)
    if len(body) < length:
        msg = f"the body is {len(body)} bytes, shorter than its Content-Length ({length}): the file is cut short"
        raise ValueError(msg)
    return body[:length]


def _ack_json(status: int, headers: Sequence[tuple[str, str]], body: bytes) -> dict[str, Any]:
    try:
        shown: dict[str, str] = {"body": body.decode("utf-8")}
    except UnicodeDecodeError:
        shown = {"body_base64": base64.b64encode(body).decode("ascii")}
    return {"status": status, "headers": [list(header) for header in headers], **shown}


def _without_nulls(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without its None values, nested dicts and lists of dicts included: a field the request did
    not fill is left out rather than printed as null."""
    return {key: _value_without_nulls(value) for key, value in data.items() if value is not None}


def _value_without_nulls(value: object) -> object:
    if isinstance(value, dict):
        return _without_nulls(value)
    if isinstance(value, list):
        return [_value_without_nulls(item) for item in value]
    return value


def _read_request_file(file: str) -> RawHttpRequest | None:
    """The request saved in ``file`` (``-``: standard input); None, with the reason printed, when unusable."""
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        print(f"mmsdr: cannot read {file}: {exc.strerror}", file=sys.stderr)
        return None
    try:
        return read_raw_request(data)
    except ValueError as exc:
        print(f"mmsdr: {'standard input' if file == '-' else file} is not a raw HTTP request: {exc}", file=sys.stderr)
        return None


def _parse_command(args: argparse.Namespace) -> int:
    raw = _read_request_file(args.file)
    if raw is None:
        return 2
    try:
        parser = Parser(formats=args.format or None, default_zone=args.zone)
    except ValueError as exc:
        print(f"mmsdr: {exc}", file=sys.stderr)
        return 2
    try:
        callback = parser.parse(raw.headers, raw.body, raw.query, method=raw.method)
    except MmsdrError as error:
        print(f"mmsdr: {error}", file=sys.stderr)
        rejection = error.ack
        output = {"error": {"type": type(error).__name__, "message": str(error), "status_hint": error.status_hint}}
        output["ack"] = _ack_json(rejection.status, rejection.headers, rejection.body)
        print(json.dumps(output, indent=2, ensure_ascii=False))
        return 1
    ack = acknowledge(callback)
    output = {"callback": _without_nulls(callback.to_dict()), "ack": _ack_json(ack.status, ack.headers, ack.body)}
    print(json.dumps(output, indent=2, ensure_ascii=False))
    return 0


def _sample_command(args: argparse.Namespace) -> int:
    from .testing import BUILDERS  # noqa: PLC0415 - only this command needs the builders

    sys.stdout.buffer.write(BUILDERS[args.format]().as_http())
    sys.stdout.flush()
    return 0


# Set by the connection for the request sent, not copied from the saved one.
_CONNECTION_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive"})


def _send_command(args: argparse.Namespace) -> int:
    url = urllib.parse.urlsplit(args.url)
    if url.scheme not in {"http", "https"} or not url.hostname or url.query or url.fragment:
        print(f"mmsdr: URL must be http(s)://host[:port][/path] without a query, got {args.url!r}", file=sys.stderr)
        return 2
    raw = _read_request_file(args.file)
    if raw is None:
        return 2
    # The saved request's own path unless the URL names one; always the saved query (MX Telecom's fields).
    path = url.path if url.path not in {"", "/"} else raw.target.partition("?")[0] or "/"
    target = f"{path}?{raw.query}" if raw.query else path
    connection_type = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    try:
        connection = connection_type(url.hostname, url.port, timeout=args.timeout)
    except ValueError as exc:  # a port that is not a number
        print(f"mmsdr: URL {args.url!r}: {exc}", file=sys.stderr)
        return 2
    try:
        connection.putrequest(raw.method, target, skip_accept_encoding=True)  # Host: the URL's
        for name, value in raw.headers:
            if name.lower() not in _CONNECTION_HEADERS:
                connection.putheader(name, value)
        if raw.body or raw.method in {"POST", "PUT", "PATCH"}:
            connection.putheader("Content-Length", str(len(raw.body)))
        connection.endheaders(raw.body or None)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException, ValueError) as exc:
        print(f"mmsdr: cannot send {args.file} to {args.url}: {exc}", file=sys.stderr)
        return 2
    finally:
        connection.close()
    version = "HTTP/1.0" if response.version == 10 else "HTTP/1.1"
    head = [
        f"{version} {response.status} {response.reason}",
        *(f"{name}: {value}" for name, value in response.msg.items()),
    ]
    sys.stdout.buffer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1", errors="replace") + body)
    return 0 if 200 <= response.status < 300 else 1


def _build_arguments() -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(prog="mmsdr", description="Parse MMS/SMS provider callbacks.")
    arguments.add_argument("--version", action="version", version=f"mmsdr {__version__}")
    commands = arguments.add_subparsers(dest="command", required=True)
    parse = commands.add_parser(
        "parse",
        help="parse a raw HTTP request file; print the event and the acknowledgement as JSON",
        description="Exit status: 0 parsed, 1 rejected (the error and its rejection ack are printed), 2 unusable file.",
    )
    parse.add_argument("file", help="a raw HTTP request (request line, headers, blank line, body); - for stdin")
    parse.add_argument(
        "--format",
        action="append",
        choices=sorted({*FORMATS, *(fmt.provider for fmt in FORMATS.values())}),
        help="accept only this format or provider (repeatable); default: detect among all",
    )
    parse.add_argument(
        "--zone", default=None, help="zone for dates without an offset (default: each format's own; MX Telecom London)"
    )
    sample = commands.add_parser(
        "sample",
        help="print a sample request of a format (raw HTTP, as 'mmsdr parse -' reads it)",
        description="The request is built by mmsdr.testing with its defaults, in the provider's documented form.",
    )
    sample.add_argument("format", choices=list(FORMATS), help="the format name, e.g. mxtelecom.sms_report")
    send = commands.add_parser(
        "send",
        help="send a raw HTTP request file to a running endpoint; print the response as it came",
        description=(
            "The request goes to URL's host with its own method, headers, query and body; to URL's path when URL "
            "has one, else to its own path. Exit status: 0 for a 2xx response, 1 for any other response, "
            "2 when the file is unusable or the endpoint cannot be reached."
        ),
    )
    send.add_argument("file", help="a raw HTTP request, e.g. from 'mmsdr sample' or examples/requests; - for stdin")
    send.add_argument("url", help="where to send it: http(s)://host[:port][/path]")
    send.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the endpoint (default 30)")
    return arguments


_COMMANDS = {"parse": _parse_command, "sample": _sample_command, "send": _send_command}


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_arguments().parse_args(argv)
    try:
        status = _COMMANDS[args.command](args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly. Python's own advice ("Note on SIGPIPE", signal module
        # docs): point stdout at devnull so that the flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return _BROKEN_PIPE_STATUS
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``mmsdr parse FILE`` reads a raw HTTP request and prints the event and the acknowledgement;
``mmsdr sample FORMAT`` prints a sample request of that format (built with [`mmsdr.testing`][mmsdr.testing]).

The file holds a request as it travels: a request line (``GET /path?query HTTP/1.1``), header lines, a blank
line and the body; CRLF or LF line ends. ``-`` reads standard input.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import FORMATS, MmsdrError, Parser, __version__, acknowledge

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("RawHttpRequest", "main", "read_raw_request")

# The end of the head: a blank line, with CRLF or bare LF line ends.
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


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
    blank_line = _BLANK_LINE.search(data)
    head, body = (data[: blank_line.start()], data[blank_line.end() :]) if blank_line else (data, b"")
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    request_line = lines[0].split()
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
    return RawHttpRequest(method=request_line[0].upper(), target=request_line[1], headers=tuple(headers), body=body)


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


def _parse_command(args: argparse.Namespace) -> int:
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"mmsdr: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        raw = read_raw_request(data)
    except ValueError as exc:
        print(f"mmsdr: {args.file} is not a raw HTTP request: {exc}", file=sys.stderr)
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
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_arguments().parse_args(argv)
    if args.command == "parse":
        return _parse_command(args)
    if args.command == "sample":
        return _sample_command(args)
    return 2  # pragma: no cover - argparse enforces the choice


if __name__ == "__main__":
    sys.exit(main())

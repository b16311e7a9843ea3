"""Content-Type and Content-Disposition values: the media type (or disposition type) and its parameters.

Provider-neutral: MM7, OpenMarket and MX Telecom request headers, multipart part headers and the MX Telecom
zip manifest all read their values here. Parameters are read as RFC 9110 5.6.6 writes them, with RFC 2231
extended and continued parameters decoded, in time linear in the value whatever it holds (M7).
"""

from __future__ import annotations

import codecs
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TypeVar
from urllib.parse import unquote_to_bytes

from .._errors import MalformedRequestError, MmsdrError, shown
from .text import without_lone_surrogates

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ("header_text", "parse_content_type", "parse_header_value", "valid_content_type", "wire_error")

_E = TypeVar("_E", bound=MmsdrError)

# No real Content-Type or Content-Disposition carries more than a handful of parameters; stdlib email spends
# 2.4 s on 8 000 of them (E2). Ours is linear, and this bounds the mapping it builds.
_MAX_PARAMETERS: Final = 64

# RFC 9110 5.6.2: token = 1*tchar.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

# One ``; name=value`` parameter from ``pos``: a quoted-string value (quoted-pairs allowed) or a lenient token
# value (anything up to the next ';'). Every quantifier is possessive (Python 3.11+): once a run of spaces or
# characters is taken it is never given back, so a failed match costs one pass, never a backtracking search
# (M7; "x=" + 200 000 spaces + '"' was quadratic with plain quantifiers).
_PARAMETER = re.compile(
    r"""
    [ \t]*+
    (?P<name>[^=;"\s]*+)
    [ \t]*+
    (?:
        =[ \t]*+
        (?:
            "(?P<quoted>(?:[^"\\]++|\\.)*+)"[ \t]*+
          | (?P<token>[^;"]*+)
        )
    )?
    (?:;|\Z)
    """,
    re.VERBOSE | re.DOTALL,
)
# RFC 2231 3 and 4: name*=charset'language'percent-encoded, name*0=..., name*1*=...
_EXTENDED_NAME = re.compile(r"(?P<base>[^*]+)\*(?:(?P<index>[0-9]{1,3})(?P<encoded>\*)?)?")
_QUOTED_PAIR = re.compile(r"\\([\\\"])")


def wire_error(kind: type[_E], what: str, message: str, *, field: str | None = None) -> _E:
    """``kind("<what>: <message>")``; ``what`` is also the format when it names one ("mxtelecom.mms_inbound")."""
    format_name = what if "." in what else None
    provider = what.split(".", 1)[0] if format_name else None
    return kind(f"{what}: {message}", provider=provider, format=format_name, field=field)


def header_text(value: bytes) -> str:
    """Header bytes as text: UTF-8 when valid (RFC 6532), else Latin-1 (RFC 9110 5.5), so never an error."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def parse_content_type(value: str, /, *, what: str) -> tuple[str, dict[str, str]]:
    """The media type (lower-case, no parameters) and the parameters of a ``Content-Type`` value.

    Parameter names are lower-cased and values unquoted; RFC 2231 extended and continued parameters
    (``name*=utf-8''a%20b``, ``name*0=...``) are decoded and win over a plain one of the same name (RFC 6266
    4.3), except ``boundary*``, which is refused. A repeated parameter raises
    [`MalformedRequestError`][mmsdr.MalformedRequestError] (M6). Runs in linear time on any input (M7).
    """
    return parse_header_value(value, what=what, subject="Content-Type", field="content-type", media=True)


def parse_header_value(value: str, *, what: str, subject: str, field: str, media: bool) -> tuple[str, dict[str, str]]:
    head, semicolon, rest = value.partition(";")
    head = head.strip(" \t").lower()
    if media:
        kind, slash, subtype = head.partition("/")
        if not (slash and _TOKEN.fullmatch(kind) and _TOKEN.fullmatch(subtype)):
            raise wire_error(
                MalformedRequestError, what, f"{subject} is not a media type, got {shown(value)}", field=field
            )
    elif not _TOKEN.fullmatch(head):
        raise wire_error(MalformedRequestError, what, f"{subject} has no valid type, got {shown(value)}", field=field)
    if not semicolon:
        return head, {}
    return head, _parse_parameters(value, len(value) - len(rest), what=what, subject=subject, field=field)


def _parse_parameters(value: str, pos: int, *, what: str, subject: str, field: str) -> dict[str, str]:
    plain: dict[str, str] = {}
    extended: dict[str, str] = {}
    continued: dict[str, dict[int, tuple[str, bool]]] = {}
    count = 0
    end = len(value)
    while pos < end:
        match = _PARAMETER.match(value, pos)
        if match is None:
            raise wire_error(
                MalformedRequestError, what, f"{subject} has a malformed parameter, got {shown(value)}", field=field
            )
        pos = match.end()
        raw_name = match["name"]
        quoted, token = match["quoted"], match["token"]
        if quoted is None and token is None:
            # An empty segment (";;", a trailing ";") or a bare word without "=": nothing to read.
            continue
        count += 1
        if count > _MAX_PARAMETERS:
            raise wire_error(
                MalformedRequestError,
                what,
                f"{subject} has more than {_MAX_PARAMETERS} parameters, got {shown(value)}",
                field=field,
            )
        name = raw_name.lower()
        if quoted is not None:
            # The substitution costs a template parse per call: only a value with a backslash needs it.
            text = _QUOTED_PAIR.sub(r"\1", quoted) if "\\" in quoted else quoted
        else:
            text = (token or "").strip(" \t")
        if _TOKEN.fullmatch(name) is None:
            raise wire_error(
                MalformedRequestError,
                what,
                f"{subject} has a malformed parameter name, got {shown(value)}",
                field=field,
            )
        if "*" not in name:
            if name in plain:
                raise wire_error(
                    MalformedRequestError,
                    what,
                    f"{subject} repeats parameter {name!r}, got {shown(value)}",
                    field=field,
                )
            plain[name] = text
            continue
        parts = _EXTENDED_NAME.fullmatch(name)
        if parts is None:
            raise wire_error(
                MalformedRequestError,
                what,
                f"{subject} has a malformed parameter name, got {shown(value)}",
                field=field,
            )
        base = parts["base"]
        if base == "boundary":
            # A boundary is plain ASCII (RFC 2046 5.1.1) and python-multipart ignores "*" parameters: a second
            # spelling could only make two parsers split the body differently (M6).
            raise wire_error(
                MalformedRequestError,
                what,
                f"{subject} has an RFC 2231 boundary parameter {name!r}, got {shown(value)}",
                field=field,
            )
        if parts["index"] is None:
            if base in extended or base in continued:
                raise wire_error(
                    MalformedRequestError,
                    what,
                    f"{subject} repeats parameter {base!r}, got {shown(value)}",
                    field=field,
                )
            extended[base] = _decode_extended(text)
            continue
        if base in extended:
            raise wire_error(
                MalformedRequestError, what, f"{subject} repeats parameter {base!r}, got {shown(value)}", field=field
            )
        segments = continued.setdefault(base, {})
        index = int(parts["index"])
        if index in segments:
            raise wire_error(
                MalformedRequestError, what, f"{subject} repeats parameter {name!r}, got {shown(value)}", field=field
            )
        segments[index] = (text, parts["encoded"] is not None)
    for base, segments in continued.items():
        if sorted(segments) != list(range(len(segments))):
            raise wire_error(
                MalformedRequestError,
                what,
                f"{subject} has parameter {base!r} with missing continuations, got {shown(value)}",
                field=field,
            )
        extended[base] = _join_continuations([segments[index] for index in range(len(segments))])
    if not extended:
        return plain
    # RFC 6266 4.3: "when both "filename" and "filename*" are present in a single header field value,
    # recipients SHOULD pick "filename*"" -- the same for every parameter.
    return {**plain, **extended}


def _split_charset(text: str) -> tuple[str | None, str]:
    """RFC 2231 4: ``charset'language'value`` -> ``(charset, value)``; a value without the quotes is kept whole."""
    charset, quote, rest = text.partition("'")
    if not quote:
        return None, text
    _language, quote, value = rest.partition("'")
    return charset or None, value if quote else rest


def _decode_extended(text: str) -> str:
    """One RFC 2231 extended value (``name*=utf-8''a%20b``)."""
    charset, value = _split_charset(text)
    return _decode_charset(unquote_to_bytes(value), charset)


def _join_continuations(segments: list[tuple[str, bool]]) -> str:
    """RFC 2231 3: ``name*0``, ``name*1``... joined; only the first encoded segment names the charset."""
    charset: str | None = None
    data = bytearray()
    for index, (text, encoded) in enumerate(segments):
        if encoded:
            value = text
            if index == 0:
                charset, value = _split_charset(text)
            data += unquote_to_bytes(value)
        else:
            data += text.encode("utf-8")
    return _decode_charset(bytes(data), charset)


def _decode_charset(data: bytes, charset: str | None) -> str:
    """Bytes of an RFC 2231 value in their declared charset; UTF-8 or Latin-1 when that fails, never an error."""
    if charset:
        try:
            codecs.lookup(charset)
            return without_lone_surrogates(data.decode(charset))  # UTF-7 can decode to one
        except (LookupError, UnicodeDecodeError, ValueError):
            pass  # unknown or wrong charset name: a file name is better kept than refused
    return header_text(data)


def valid_content_type(value: str, /) -> tuple[str, Mapping[str, str]] | None:
    """``parse_content_type`` for a value that may be refused: None then, never an error."""
    try:
        media_type, params = parse_content_type(value, what="")
    except MalformedRequestError:
        return None
    return media_type, MappingProxyType(params)

"""One streaming multipart engine for every ``multipart/*`` body mmsdr reads.

MM7 (``multipart/related`` with a ``multipart/mixed`` inside), OpenMarket (``multipart/mixed``) and MX Telecom
(``multipart/form-data`` carrying ``mms.zip``) all come through ``parse_multipart``. The parsing itself is
python-multipart's low-level ``python_multipart.MultipartParser`` (callbacks; ``FormParser`` only knows
form-data), with mmsdr's limits enforced around it as errors, never as silent truncation.

python-multipart reads RFC 2046 strictly and real senders do not write it strictly, so a small framer sits in
front of it. The framer only rewrites the *structure lines* -- delimiter lines and part headers -- into the
canonical form python-multipart reads. Part data is never rewritten: the framer has already found where each
part ends, so it keeps the data itself (views, joined once per part) and python-multipart sees only the structure
lines -- the data is searched for delimiters once, not twice.

Most bodies need none of that: a whole ``bytes`` body (nested multiparts included) that starts with a canonical
``--boundary`` CRLF line is first given to python-multipart alone, in one call (``_CanonicalReader``). Its
parts are kept only when they are exactly the framer's -- every header block canonical, every limit within
bounds, padding and epilogue measured as the framer measures them; anything else, errors included, is read by
the framer, so the leniencies and every error message are the framer's. A body given in chunks always goes
through the framer, which reads it as it comes, and so does every body when this python-multipart reads a probe
body differently (before 0.0.34 a padded delimiter line was part data). What the engine accepts:

* **Preamble and epilogue.** RFC 2046 5.1.1: "the preamble and epilogue ... are to be ignored". Text before the
  first delimiter line (python-multipart refuses it) and after the closing one is dropped, each bounded by
  ``Limits.max_preamble_bytes`` (M4).
* **Bare LF line endings.** A body whose first delimiter line ends in CRLF is read exactly as RFC 2046 says:
  only CRLF ``--boundary`` starts a delimiter, so it splits where every strict parser splits. A body whose first
  delimiter line ends in a bare LF (samples copied from documentation and text files, hand-made test payloads)
  is read with LF line endings throughout: LF ``--boundary`` starts a delimiter and a CR right before that LF
  belongs to the line break, as in CRLF. The mode is chosen once per multipart, never per line, and part data
  is never rewritten (no LF to CRLF conversion of binary content).
* **Transport padding** (RFC 2046 5.1.1 ``transport-padding``): spaces and tabs after any boundary, the first
  one included (python-multipart accepts them only after later ones).
* **Folded header lines** (RFC 5322 2.2.3, used by Java MIME writers for long ``Content-Type`` values) are
  unfolded; spaces around the colon are dropped; a header line may end in CRLF or LF.
* **Header values** arrive as bytes: decoded as UTF-8 when they are valid UTF-8 (RFC 6532, what form-data
  senders put in file names), else as Latin-1 (RFC 9110 5.5), so no header is ever undecodable.
* **Content-ID** with or without its ``<>`` (MM7 senders do both).
* **base64** parts: ASCII whitespace is removed (RFC 2045 6.8: "All line breaks or other characters not found
  in Table 1 must be ignored") and the rest is decoded strictly: garbage characters, data after padding and
  bad padding raise [`MalformedRequestError`][mmsdr.MalformedRequestError] rather than being silently dropped (M9).

What it refuses: a duplicated parameter (``boundary="a"; boundary="b"``, M6) or ``boundary*``; a part with
two ``Content-Type`` (``-ID``, ``-Location``, ``-Disposition``, ``-Transfer-Encoding``) headers; a body that
ends before its closing delimiter (M8); a ``multipart/*`` part with a transfer encoding other than 7bit, 8bit
or binary (RFC 2045 6.4). Every exception from python-multipart, binascii or codecs becomes an
[`mmsdr.MmsdrError`][mmsdr.MmsdrError]: nothing else escapes on any input.
"""

from __future__ import annotations

import binascii
import codecs
import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TypeVar
from urllib.parse import unquote_to_bytes

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError

from .._errors import LimitExceededError, MalformedRequestError, MmsdrError, UnsupportedFormatError, shown
from .._limits import Limits

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ("BodyPart", "parse_content_type", "parse_multipart", "valid_content_type")

_E = TypeVar("_E", bound=MmsdrError)

# RFC 2046 5.1.1 allows boundaries of 1 to 70 characters; longer ones are accepted up to python-multipart's
# own cap (MAX_BOUNDARY_LENGTH), which it would otherwise raise on.
_MAX_BOUNDARY_CHARS: Final = 256
_BOUNDARY_CHARS = re.compile(r"[\x20-\x7e]+")

# No real Content-Type or Content-Disposition carries more than a handful of parameters; stdlib email spends
# 2.4 s on 8 000 of them (E2). Ours is linear, and this bounds the mapping it builds.
_MAX_PARAMETERS: Final = 64

# RFC 9110 5.6.2: token = 1*tchar.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_TOKEN_BYTES = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

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

# The headers a part is read by; RFC 2045 allows each of them once, and two would make the part ambiguous.
_SINGLE_HEADERS: Final = MappingProxyType(
    {
        "content-type": "Content-Type",
        "content-id": "Content-ID",
        "content-location": "Content-Location",
        "content-disposition": "Content-Disposition",
        "content-transfer-encoding": "Content-Transfer-Encoding",
    }
)
_IDENTITY_ENCODINGS: Final = frozenset({"7bit", "8bit", "binary"})
# RFC 2045 6.8 ignores line breaks and whitespace inside base64; removing them first makes a strict decode
# possible (bytes.translate deletes them in one pass).
_BASE64_WHITESPACE: Final = b" \t\r\n\x0b\x0c"

_CR: Final = 0x0D
_LF: Final = 0x0A
_PADDING = re.compile(rb"[ \t]*")

# python-multipart logs every parse error at WARNING just before raising it. mmsdr raises its own error in
# its place and does no logging of its own: a hostile body must not be able to write to the app's logs.
# A logger outside the logging tree, so no logging configuration of the app can turn it back on.
_QUIET_LOGGER = logging.Logger("mmsdr._multipart")  # noqa: LOG001
_QUIET_LOGGER.disabled = True


def _error(kind: type[_E], what: str, message: str, *, field: str | None = None) -> _E:
    """``kind("<what>: <message>")``; ``what`` is also the format when it names one ("mxtelecom.mms_inbound")."""
    format_name = what if "." in what else None
    provider = what.split(".", 1)[0] if format_name else None
    return kind(f"{what}: {message}", provider=provider, format=format_name, field=field)


def _header_text(value: bytes) -> str:
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
    return _parse_header_value(value, what=what, subject="Content-Type", field="content-type", media=True)


def _parse_header_value(value: str, *, what: str, subject: str, field: str, media: bool) -> tuple[str, dict[str, str]]:
    head, semicolon, rest = value.partition(";")
    head = head.strip(" \t").lower()
    if media:
        kind, slash, subtype = head.partition("/")
        if not (slash and _TOKEN.fullmatch(kind) and _TOKEN.fullmatch(subtype)):
            raise _error(MalformedRequestError, what, f"{subject} is not a media type, got {shown(value)}", field=field)
    elif not _TOKEN.fullmatch(head):
        raise _error(MalformedRequestError, what, f"{subject} has no valid type, got {shown(value)}", field=field)
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
            raise _error(
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
            raise _error(
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
            raise _error(
                MalformedRequestError,
                what,
                f"{subject} has a malformed parameter name, got {shown(value)}",
                field=field,
            )
        if "*" not in name:
            if name in plain:
                raise _error(
                    MalformedRequestError,
                    what,
                    f"{subject} repeats parameter {name!r}, got {shown(value)}",
                    field=field,
                )
            plain[name] = text
            continue
        parts = _EXTENDED_NAME.fullmatch(name)
        if parts is None:
            raise _error(
                MalformedRequestError,
                what,
                f"{subject} has a malformed parameter name, got {shown(value)}",
                field=field,
            )
        base = parts["base"]
        if base == "boundary":
            # A boundary is plain ASCII (RFC 2046 5.1.1) and python-multipart ignores "*" parameters: a second
            # spelling could only make two parsers split the body differently (M6).
            raise _error(
                MalformedRequestError,
                what,
                f"{subject} has an RFC 2231 boundary parameter {name!r}, got {shown(value)}",
                field=field,
            )
        if parts["index"] is None:
            if base in extended or base in continued:
                raise _error(
                    MalformedRequestError,
                    what,
                    f"{subject} repeats parameter {base!r}, got {shown(value)}",
                    field=field,
                )
            extended[base] = _decode_extended(text)
            continue
        if base in extended:
            raise _error(
                MalformedRequestError, what, f"{subject} repeats parameter {base!r}, got {shown(value)}", field=field
            )
        segments = continued.setdefault(base, {})
        index = int(parts["index"])
        if index in segments:
            raise _error(
                MalformedRequestError, what, f"{subject} repeats parameter {name!r}, got {shown(value)}", field=field
            )
        segments[index] = (text, parts["encoded"] is not None)
    for base, segments in continued.items():
        if sorted(segments) != list(range(len(segments))):
            raise _error(
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
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError, ValueError):
            pass  # unknown or wrong charset name: a file name is better kept than refused
    return _header_text(data)


@dataclass(frozen=True, slots=True)
class BodyPart:
    """One part of a multipart body, as received; ``children`` when it is a multipart itself.

    Don't build these outside mmsdr; ``parse_multipart`` does.
    """

    headers: tuple[tuple[str, str], ...]
    """Every header line of the part as ``(lower-case name, value)``, in order, folded lines unfolded."""

    media_type: str
    """The Content-Type without parameters, lower-case; ``""`` when the part has none."""

    params: Mapping[str, str]
    """The Content-Type parameters (``charset``, ``boundary``, ``start``, ``type``, ...), names lower-case."""

    content_id: str | None
    """The Content-ID without surrounding ``<>`` and whitespace; None when absent or empty."""

    content_location: str | None
    """The Content-Location, stripped; None when absent or empty."""

    disposition: str | None
    """The Content-Disposition type, lower-case: ``"form-data"``, ``"attachment"``, ``"inline"``..."""

    name: str | None
    """The Content-Disposition ``name`` (the form field name of a form-data part)."""

    filename: str | None
    """The Content-Disposition ``filename`` exactly as the sender gave it. Never a path to write to (M10)."""

    transfer_encoding: str | None
    """The Content-Transfer-Encoding, lower-case; None when absent."""

    raw: bytes
    """The part body as received, before transfer decoding."""

    children: tuple[BodyPart, ...] = ()
    """The parts inside, when this part is itself ``multipart/*``."""

    position: str = "1"
    """Where the part sits, for messages: ``"2"`` is the body's second part, ``"2.1"`` the first one inside it."""

    what: str = "multipart"
    """The prefix of error messages about this part (the ``what`` given to ``parse_multipart``)."""

    _decoded: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def data(self) -> bytes:
        """The part body with its Content-Transfer-Encoding undone, decoded on first use.

        base64 (whitespace ignored, otherwise strict), quoted-printable, and 7bit/8bit/binary/absent as they
        are. Bad base64 raises [`MalformedRequestError`][mmsdr.MalformedRequestError]; an unknown encoding
        [`UnsupportedFormatError`][mmsdr.UnsupportedFormatError].
        """
        decoded = self._decoded
        if decoded is None:
            decoded = self._decode()
            object.__setattr__(self, "_decoded", decoded)
        return decoded

    def _decode(self) -> bytes:
        encoding = self.transfer_encoding
        if encoding is None or encoding in _IDENTITY_ENCODINGS:
            return self.raw
        if encoding == "base64":
            try:
                return binascii.a2b_base64(self.raw.translate(None, _BASE64_WHITESPACE), strict_mode=True)
            except binascii.Error as exc:
                raise _error(
                    MalformedRequestError,
                    self.what,
                    f"part {self.position} is not valid base64 ({exc}), got {shown(self.raw)}",
                    field=f"part {self.position}",
                ) from exc
        if encoding == "quoted-printable":
            # a2b_qp is lenient by design (RFC 2045 6.7 asks decoders to be): it never raises.
            return binascii.a2b_qp(self.raw)
        raise _error(
            UnsupportedFormatError,
            self.what,
            f"part {self.position} has a Content-Transfer-Encoding mmsdr does not decode (base64, "
            f"quoted-printable, 7bit, 8bit and binary are), got {shown(encoding)}",
            field=f"part {self.position}",
        )

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        name = name.lower()
        for item_name, value in self.headers:
            if item_name == name:
                return value
        return None

    def __repr__(self) -> str:
        return (
            f"BodyPart(position={self.position!r}, media_type={self.media_type!r}, content_id={self.content_id!r}, "
            f"name={self.name!r}, filename={self.filename!r}, transfer_encoding={self.transfer_encoding!r}, "
            f"raw=<{len(self.raw)} bytes>, children={len(self.children)})"
        )


def parse_multipart(
    body: bytes | Iterable[bytes], content_type: str, limits: Limits, /, *, what: str
) -> tuple[BodyPart, ...]:
    """Read a ``multipart/*`` body into its parts, nested multiparts included, within ``limits``.

    Args:
        body: the whole body, or an iterable of byte chunks, which are fed to the parser as they come (so a
            limit stops reading early).
        content_type: the request's (or enclosing part's) full Content-Type value, with its ``boundary``.
        limits: ``max_body_bytes``, ``max_parts`` (nested parts included), ``max_part_header_count``,
            ``max_part_header_bytes`` (one unfolded header line), ``max_part_bytes``, ``max_multipart_depth``
            and ``max_preamble_bytes`` (preamble and epilogue each).
        what: the prefix of every error message (``"mm7"``, ``"mxtelecom.mms_inbound"``); when it names a
            format (it has a dot) it is also the error's ``format``.

    Returns:
        The parts in order; an empty tuple for a body whose first delimiter is its closing one.

    Raises:
        UnsupportedFormatError: ``content_type`` is not ``multipart/*``, or a part uses an unknown encoding.
        LimitExceededError: a limit was exceeded.
        MalformedRequestError: anything else wrong with the body; see the module docstring.
    """
    media_type, params = parse_content_type(content_type, what=what)
    if not media_type.startswith("multipart/"):
        raise _error(
            UnsupportedFormatError,
            what,
            f"Content-Type is not multipart, got {shown(content_type)}",
            field="content-type",
        )
    boundary = _boundary(params, content_type, what=what, subject="Content-Type", field_name="content-type")
    budget = _Budget()
    if _CANONICAL_PATH and isinstance(body, bytes) and len(body) <= limits.max_body_bytes:
        raw_parts = _CanonicalReader().read(body, boundary, limits, budget)
        if raw_parts is not None:
            return _build_parts(raw_parts, limits, what=what, prefix="", budget=budget, depth=0)
    stream = _Stream(boundary, limits, what=what, prefix="", budget=budget)
    received = 0
    for chunk in _chunks(body):
        received += len(chunk)
        if received > limits.max_body_bytes:
            raise _error(
                LimitExceededError,
                what,
                f"body larger than {limits.max_body_bytes} bytes (Limits.max_body_bytes)",
                field="body",
            )
        stream.feed(chunk)
    return _build_parts(stream.close(), limits, what=what, prefix="", budget=budget, depth=0)


def _chunks(body: bytes | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(body, bytes):
        yield body
        return
    if isinstance(body, (bytearray, memoryview)):
        yield bytes(body)
        return
    if isinstance(body, str):
        msg = "body must be bytes or an iterable of bytes chunks, not str"
        raise TypeError(msg)
    for chunk in body:
        if isinstance(chunk, bytes):
            yield chunk
        elif isinstance(chunk, (bytearray, memoryview)):
            yield bytes(chunk)
        else:
            msg = f"body chunks must be bytes, not {type(chunk).__name__}"
            raise TypeError(msg)


def _boundary(params: Mapping[str, str], value: str, *, what: str, subject: str, field_name: str) -> bytes:
    boundary = params.get("boundary")
    if boundary is None:
        raise _error(
            MalformedRequestError, what, f"{subject} has no boundary parameter, got {shown(value)}", field=field_name
        )
    if len(boundary) > _MAX_BOUNDARY_CHARS or _BOUNDARY_CHARS.fullmatch(boundary) is None:
        raise _error(
            MalformedRequestError,
            what,
            f"{subject} boundary must be 1 to {_MAX_BOUNDARY_CHARS} printable ASCII characters, got {shown(boundary)}",
            field=field_name,
        )
    return boundary.encode("ascii")


class _Budget:
    """What every multipart of one body shares: the part count (M1 counts nested parts too)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts = 0


# The framer's states.
_PREAMBLE: Final = 0
_DELIMITER: Final = 1
_HEADERS: Final = 2
_DATA: Final = 3
_EPILOGUE: Final = 4

_RawPart = tuple[tuple[tuple[bytes, bytes], ...], bytes]


class _Stream:
    """One multipart body: the framer (structure lines to canonical CRLF) in front of python-multipart.

    Every state consumes its input as it comes, so memory and time stay linear in the body however it is
    chunked: the preamble keeps only a boundary's length of look-back, header lines are accumulated up to the
    header line limit, part data goes straight through.
    """

    def __init__(self, boundary: bytes, limits: Limits, *, what: str, prefix: str, budget: _Budget) -> None:
        self._limits = limits
        self._what = what
        self._prefix = prefix
        self._budget = budget
        self._dash = b"--" + boundary
        self._needle = b""  # the delimiter to search part data for: CRLF or LF + dash, set by the first line
        self._state = _PREAMBLE
        self._carry = b""  # unprocessed input kept for the next chunk (bounded: see each state)
        self._skipped = 0  # preamble bytes dropped so far
        self._epilogue = 0
        self._index = 0  # parts started, for messages
        self._candidate = b""  # the delimiter (and padding) under inspection, kept verbatim in case it is data
        self._padding = 0
        self._line = bytearray()  # the header line being read
        self._header: bytes | bytearray | None = None  # the header being unfolded
        self._header_count = 0
        self._canonical: list[bytes] = []  # the delimiter and header lines, rewritten for python-multipart
        # What python-multipart reports.
        self._parts: list[_RawPart] = []
        self._headers: list[tuple[bytes, bytes]] = []
        self._field = b""
        self._value = b""
        self._chunks: list[memoryview] = []  # the current part's data, joined once at its end
        self._size = 0
        self._ended = False
        try:
            self._parser = MultipartParser(
                boundary,
                {
                    "on_part_begin": self._on_part_begin,
                    "on_header_field": self._on_header_field,
                    "on_header_value": self._on_header_value,
                    "on_header_end": self._on_header_end,
                    "on_part_data": self._on_part_data,
                    "on_part_end": self._on_part_end,
                    "on_end": self._on_end,
                },
                # The framer enforces both limits first with its own messages; python-multipart's defaults (8
                # headers, 4224 bytes) would refuse what Limits allows.
                max_header_count=limits.max_part_header_count,
                max_header_size=limits.max_part_header_bytes,
            )
        except FormParserError as exc:
            raise _error(MalformedRequestError, what, f"boundary is not usable ({exc})", field="content-type") from exc
        self._parser.logger = _QUIET_LOGGER

    # -- python-multipart's callbacks ----------------------------------------------------------------------

    def _on_part_begin(self) -> None:
        self._budget.parts += 1
        if self._budget.parts > self._limits.max_parts:
            raise _error(
                LimitExceededError,
                self._what,
                f"more than {self._limits.max_parts} parts (Limits.max_parts)",
                field="body",
            )
        self._headers = []
        self._chunks = []
        self._size = 0

    # A header block is always written whole (see _in_headers), so each of these comes in one call: plain bytes,
    # no accumulator to convert and clear.
    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers.append((self._field, self._value))
        self._field = self._value = b""

    def _on_part_data(self, _data: bytes, _start: int, _end: int) -> None:
        # python-multipart is only ever given structure lines (see _add_data): part data from it would mean
        # it split the body where the framer did not.
        raise _error(
            MalformedRequestError,
            self._what,
            "body is not valid multipart (the parser found part data where the framer found none)",
            field="body",
        )

    def _on_part_end(self) -> None:
        chunks = self._chunks
        if len(chunks) == 1 and isinstance(chunks[0].obj, bytes) and len(chunks[0]) == len(chunks[0].obj):
            # The part is a whole chunk as given: keep that object rather than copying megabytes once more.
            raw = chunks[0].obj
        else:
            raw = b"".join(chunks)
        self._parts.append((tuple(self._headers), raw))
        self._chunks = []

    def _on_end(self) -> None:
        self._ended = True

    # -- the framer ----------------------------------------------------------------------------------------

    def _label(self) -> str:
        return f"{self._prefix}{self._index}"

    def _add_data(self, data: bytes, start: int, end: int) -> None:
        """``data[start:end]`` is part data: counted against the part limit and kept as a view, not a copy.

        The framer has already found where the part ends, so the data does not go through python-multipart,
        which would only search it for the same delimiter a second time (the framer hands it the delimiter and
        header lines, in canonical form, and python-multipart reports the part boundaries and headers).
        """
        self._size += end - start
        if self._size > self._limits.max_part_bytes:
            raise _error(
                LimitExceededError,
                self._what,
                f"part {self._label()} larger than {self._limits.max_part_bytes} bytes (Limits.max_part_bytes)",
                field=f"part {self._label()}",
            )
        self._chunks.append(memoryview(data)[start:end])

    def _write(self, data: bytes) -> None:
        try:
            written = self._parser.write(data)
        except FormParserError as exc:  # MultipartParseError and its relatives
            raise _error(
                MalformedRequestError, self._what, f"body is not valid multipart ({exc})", field="body"
            ) from exc
        if written != len(data):
            # python-multipart truncates silently past its max_size (M5); never accept half a body.
            raise _error(
                MalformedRequestError,
                self._what,
                f"body is not valid multipart (the parser stopped after {written} of {len(data)} bytes)",
                field="body",
            )

    def feed(self, chunk: bytes) -> None:
        data = self._carry + chunk if self._carry else chunk
        self._carry = b""
        pos = 0
        while pos >= 0:
            state = self._state
            if state == _DATA:
                pos = self._in_data(data, pos)
            elif state == _HEADERS:
                pos = self._in_headers(data, pos)
            elif state == _DELIMITER:
                pos = self._in_delimiter(data, pos)
            elif state == _PREAMBLE:
                pos = self._in_preamble(data)
            else:
                self._in_epilogue(len(data) - pos)
                pos = -1

    def close(self) -> list[_RawPart]:
        """The parts, once the whole body was fed; raises when the body ended early (M8)."""
        if self._state == _PREAMBLE:
            raise _error(
                MalformedRequestError,
                self._what,
                f"body has no delimiter line, got no line starting with {shown(self._dash.decode('ascii'))}",
                field="body",
            )
        if self._state != _EPILOGUE:
            where = f"after part {self._label()}" if self._index else "after the first delimiter"
            closing = (self._dash + b"--").decode("ascii")
            raise _error(
                MalformedRequestError,
                self._what,
                f"body ends before its closing delimiter, got no {shown(closing)} {where}",
                field="body",
            )
        self._parser.finalize()
        if not self._ended:
            raise _error(
                MalformedRequestError,
                self._what,
                "body is not valid multipart (the parser did not finish)",
                field="body",
            )
        # The parser's callbacks make a reference cycle with this stream: hand the parts over rather than keep
        # megabytes alive until the garbage collector gets to the cycle.
        parts, self._parts = self._parts, []
        return parts

    def _in_preamble(self, data: bytes) -> int:
        """Look for ``--boundary`` at a line start; drop what comes before (RFC 2046 preamble, M4)."""
        dash = self._dash
        start = -1
        if self._skipped == 0 and data.startswith(dash):
            start = 0
        else:
            found = data.find(b"\n" + dash)
            if found >= 0:
                start = found + 1
        limit = self._limits.max_preamble_bytes
        if start < 0:
            # Keep the last len(dash) bytes: a "\n--boundary" starting before them would have been found.
            drop = max(0, len(data) - len(dash))
            self._skipped += drop
            if self._skipped >= limit:  # any delimiter still to come starts after the limit
                raise self._preamble_error()
            self._carry = data[drop:]
            return -1
        if self._skipped + start > limit:
            raise self._preamble_error()
        self._state = _DELIMITER
        self._candidate = b""
        self._padding = 0
        return start + len(dash)

    def _preamble_error(self) -> LimitExceededError:
        return _error(
            LimitExceededError,
            self._what,
            f"preamble longer than {self._limits.max_preamble_bytes} bytes (Limits.max_preamble_bytes)",
            field="body",
        )

    def _in_delimiter(self, data: bytes, pos: int) -> int:
        """After ``--boundary``: ``--`` closes, transport padding then a line break opens a part."""
        end = len(data)
        first = not self._needle
        if self._padding == 0:
            if end - pos < 2 and (pos == end or data[pos] == 0x2D):
                self._carry = data[pos:]
                return -1
            if data.startswith(b"--", pos):
                self._write(self._dash + b"--" if first else b"\r\n" + self._dash + b"--")
                self._state = _EPILOGUE
                return pos + 2
        padding = _PADDING.match(data, pos)
        padding_end = padding.end() if padding else pos
        if padding_end > pos:
            self._padding += padding_end - pos
            self._candidate += data[pos:padding_end]
            if self._padding > self._limits.max_part_header_bytes:
                raise _error(
                    LimitExceededError,
                    self._what,
                    f"{self._delimiter_name(first)} longer than {self._limits.max_part_header_bytes} bytes "
                    "(Limits.max_part_header_bytes)",
                    field="body",
                )
        if padding_end == end:
            return -1
        line_end = -1
        crlf = False
        if data[padding_end] == _LF:
            line_end = padding_end + 1
        elif data[padding_end] == _CR:
            if padding_end + 1 == end:
                self._carry = data[padding_end:]
                return -1
            if data[padding_end + 1] == _LF:
                line_end = padding_end + 2
                crlf = True
        if line_end >= 0 and (first or crlf or self._needle[0] == _LF):
            if first:
                self._needle = (b"\r\n" if crlf else b"\n") + self._dash
            # The canonical delimiter goes to python-multipart together with the header block that follows.
            self._canonical = [self._dash + b"\r\n" if first else b"\r\n" + self._dash + b"\r\n"]
            self._index += 1
            self._state = _HEADERS
            self._header = None
            self._header_count = 0
            return line_end
        # Not a delimiter line after all.
        if first or self._padding:
            # Show only the bytes that decided, so the message is the same however the body was chunked.
            decisive = data[padding_end : padding_end + (2 if data[padding_end] == _CR else 1)]
            # python-multipart refuses "--boundary" + padding + text too: RFC 2046 says boundary delimiters
            # must not appear within the encapsulated material.
            raise _error(
                MalformedRequestError,
                self._what,
                f"{self._delimiter_name(first)} has text after the boundary, got {shown(decisive)}",
                field="body",
            )
        # "--boundaryX...": part data that merely starts like a delimiter.
        self._add_data(self._candidate, 0, len(self._candidate))
        self._state = _DATA
        return pos

    def _delimiter_name(self, first: bool) -> str:
        return "first delimiter line" if first else f"delimiter line after part {self._label()}"

    def _in_headers(self, data: bytes, pos: int) -> int:
        limit = self._limits.max_part_header_bytes
        while True:
            # A line of limit + 2 bytes without its LF is too long whatever follows: look no further than that
            # (+ 1: the CR of a CRLF), so an endless header line is neither scanned nor copied whole.
            room = limit + 2 - len(self._line)
            newline = data.find(b"\n", pos, pos + room)
            if newline < 0:
                if len(data) - pos >= room:
                    raise self._header_size_error()
                self._line += data[pos:]
                return -1
            if self._line:
                self._line += data[pos:newline]
                line = bytes(self._line)
                self._line.clear()
            else:
                line = data[pos:newline]  # the usual case: the whole line is in this chunk
            pos = newline + 1
            if line.endswith(b"\r"):
                line = line[:-1]
            if len(line) > limit:
                raise self._header_size_error()
            if not line:
                self._finish_header()
                self._canonical.append(b"\r\n")
                self._write(b"".join(self._canonical))
                self._canonical = []
                self._state = _DATA
                return pos
            if line[0] in b" \t":
                # RFC 5322 2.2.3: "Unfolding is accomplished by simply removing any CRLF that is immediately
                # followed by WSP."
                if self._header is None:
                    raise _error(
                        MalformedRequestError,
                        self._what,
                        f"part {self._label()} headers start with a continuation line, got {shown(line)}",
                        field=f"part {self._label()}",
                    )
                if isinstance(self._header, bytes):
                    self._header = bytearray(self._header)  # appended to in place: linear in the header
                self._header += line
                if len(self._header) > limit:
                    raise self._header_size_error()
                continue
            self._finish_header()
            self._header_count += 1
            if self._header_count > self._limits.max_part_header_count:
                raise _error(
                    LimitExceededError,
                    self._what,
                    f"part {self._label()} has more than {self._limits.max_part_header_count} header lines "
                    "(Limits.max_part_header_count)",
                    field=f"part {self._label()}",
                )
            self._header = line

    def _header_size_error(self) -> LimitExceededError:
        return _error(
            LimitExceededError,
            self._what,
            f"part {self._label()} has a header line longer than {self._limits.max_part_header_bytes} bytes "
            "(Limits.max_part_header_bytes)",
            field=f"part {self._label()}",
        )

    def _finish_header(self) -> None:
        if self._header is None:
            return
        header = bytes(self._header)  # no copy for an unfolded header, already bytes
        self._header = None
        name, colon, value = header.partition(b":")
        name = name.rstrip(b" \t")
        label = self._label()
        if not colon or _TOKEN_BYTES.fullmatch(name) is None:
            raise _error(
                MalformedRequestError,
                self._what,
                f"part {label} has a header line that is not 'Name: value', got {shown(header)}",
                field=f"part {label}",
            )
        if b"\r" in value:
            raise _error(
                MalformedRequestError,
                self._what,
                f"part {label} has a header with a bare CR, got {shown(header)}",
                field=f"part {label}",
            )
        self._canonical.append(name + b":" + value.strip(b" \t") + b"\r\n")

    def _in_data(self, data: bytes, pos: int) -> int:
        needle = self._needle
        found = data.find(needle, pos)
        if found < 0:
            # Keep len(needle) bytes back: a delimiter may start in them, and in LF mode the CR before it.
            safe = len(data) - len(needle)
            if safe > pos:
                self._add_data(data, pos, safe)
                pos = safe
            self._carry = data[pos:]
            return -1
        cut = found
        if needle[0] == _LF and found > pos and data[found - 1] == _CR:
            cut = found - 1  # LF mode: a CRLF before the boundary is a line break all the same
        if cut > pos:
            self._add_data(data, pos, cut)
        after = found + len(needle)
        self._candidate = data[cut:after]
        self._padding = 0
        self._state = _DELIMITER
        return after

    def _in_epilogue(self, size: int) -> None:
        self._epilogue += size
        if self._epilogue > self._limits.max_preamble_bytes:
            raise _error(
                LimitExceededError,
                self._what,
                f"epilogue longer than {self._limits.max_preamble_bytes} bytes (Limits.max_preamble_bytes)",
                field="body",
            )


class _HandOver(Exception):  # noqa: N818 - not an error: the framer is to read the body
    """Raised in a ``_CanonicalReader`` callback to stop python-multipart early."""


class _CanonicalReader:
    """python-multipart alone, in one call, on a whole body whose first delimiter line is canonical.

    Most bodies are written as RFC 2046 says, and python-multipart then reads them with every position reported
    against the body itself, so the framer (``_Stream``) has nothing to add. ``read`` gives the parts
    only when they are exactly the framer's; on anything else -- an error, a bare LF in a header block, a limit
    reached, a body python-multipart did not finish -- it gives None and the framer reads the body and says what
    is wrong, so every message and every leniency stays the framer's. It never raises.

    python-multipart is asked only for where each part's data lies (three callbacks a part, not four a
    header): a header block it accepted is canonical "Name: value" CRLF lines up to the first blank line, so
    the blocks are read from the body between those positions.
    """

    __slots__ = ("_begun", "_ended", "_parts", "_room", "_spans")

    def __init__(self) -> None:
        self._parts: list[list[tuple[int, int]]] = []  # per part, where its data lies in the body
        self._spans: list[tuple[int, int]] = []
        self._ended = False
        self._begun = 0
        self._room = 0  # how many more parts the budget allows

    def _on_part_begin(self) -> None:
        self._begun += 1
        if self._begun > self._room:
            # A part flood: stop python-multipart here, as the framer stops, rather than after the whole body.
            raise _HandOver

    def _on_part_data(self, _data: bytes, start: int, end: int) -> None:
        self._spans.append((start, end))

    def _on_part_end(self) -> None:
        self._parts.append(self._spans)
        self._spans = []

    def _on_end(self) -> None:
        self._ended = True

    def read(self, body: bytes, boundary: bytes, limits: Limits, budget: _Budget) -> list[_RawPart] | None:
        """The framer's parts of ``body``, counted in ``budget``; None when the framer has to read it."""
        dash = b"--" + boundary
        # A preamble, padding or a bare LF after the first boundary: the framer's leniencies.
        if not (body.startswith(dash) and body.startswith(b"\r\n", len(dash))):
            return None
        self._room = limits.max_parts - budget.parts
        try:
            parser = MultipartParser(
                boundary,
                {
                    "on_part_begin": self._on_part_begin,
                    "on_part_data": self._on_part_data,
                    "on_part_end": self._on_part_end,
                    "on_end": self._on_end,
                },
                # The framer's limits, which count a canonical "Name: value" line as python-multipart does.
                max_header_count=limits.max_part_header_count,
                max_header_size=limits.max_part_header_bytes,
            )
            parser.logger = _QUIET_LOGGER
            written = parser.write(body)
        except Exception:  # noqa: BLE001 - untrusted bytes; whatever python-multipart raises, the framer decides
            return None
        parts = self._parts
        if written != len(body) or not self._ended or not parts:
            return None
        needle = b"\r\n" + dash
        raw_parts: list[_RawPart] = []
        line_end = len(dash) + 2  # just after the delimiter line before the part
        for number, spans in enumerate(parts, start=1):
            raw_headers: list[tuple[bytes, bytes]] = []
            if body.startswith(b"\r\n", line_end):
                data_start = line_end + 2  # no header lines
            else:
                block_end = body.find(b"\r\n\r\n", line_end)
                if block_end < 0:
                    return None
                for line in body[line_end:block_end].split(b"\r\n"):
                    if b"\n" in line:
                        return None  # a bare LF ends a header line for the framer; python-multipart reads on to the CR
                    name, _colon, value = line.partition(b":")
                    raw_headers.append((name, value.strip(b" \t")))
                data_start = block_end + 4
            # python-multipart reports no data for an empty part, and one span otherwise (one write).
            data_end = data_start
            if spans:
                if len(spans) > 1 or spans[0][0] != data_start:
                    return None
                data_end = spans[0][1]
            if data_end - data_start > limits.max_part_bytes or not body.startswith(needle, data_end):
                return None
            after = data_end + len(needle)
            if number == len(parts):
                # The closing delimiter, then the epilogue the framer would count.
                if not body.startswith(b"--", after) or len(body) - (after + 2) > limits.max_preamble_bytes:
                    return None
            elif body.startswith(b"\r\n", after):
                line_end = after + 2  # the usual delimiter line: no padding
            else:
                padding = _PADDING.match(body, after)
                padding_end = padding.end() if padding else after
                if padding_end - after > limits.max_part_header_bytes or not body.startswith(b"\r\n", padding_end):
                    return None
                line_end = padding_end + 2
            raw_parts.append((tuple(raw_headers), body[data_start:data_end]))
        budget.parts += len(raw_parts)
        return raw_parts


# Bodies python-multipart versions have read differently: before 0.0.34 a delimiter line with transport padding
# was part data, where RFC 2046 and the framer end the part (or refuse the line). The canonical path is taken
# only with a python-multipart that reads each of them as the framer does.
_PROBES: Final = (
    b"--b\r\n\r\nx\r\n--b \t\r\n\r\ny\r\n--b--",
    b"--b\r\n\r\nx\r\n--b \tjunk\r\n\r\ny\r\n--b--",
)


def _canonical_path_agrees(probes: tuple[bytes, ...] = _PROBES) -> bool:
    """Whether ``_CanonicalReader`` gives the framer's outcome on every probe body (boundary ``b``)."""
    limits = Limits()
    for body in probes:
        stream = _Stream(b"b", limits, what="probe", prefix="", budget=_Budget())
        try:
            stream.feed(body)
            expected: list[_RawPart] | None = stream.close()
        except MmsdrError:
            expected = None  # the framer refuses it: the canonical path must hand it over
        found = _CanonicalReader().read(body, b"b", limits, _Budget())
        if found is not None and found != expected:  # None is always safe: the framer reads the body
            return False
    return True


_CANONICAL_PATH: Final = _canonical_path_agrees()


def _build_parts(
    raw_parts: list[_RawPart], limits: Limits, *, what: str, prefix: str, budget: _Budget, depth: int
) -> tuple[BodyPart, ...]:
    return tuple(
        _build_part(headers, raw, limits, what=what, position=f"{prefix}{number}", budget=budget, depth=depth)
        for number, (headers, raw) in enumerate(raw_parts, start=1)
    )


def _build_part(
    raw_headers: tuple[tuple[bytes, bytes], ...],
    raw: bytes,
    limits: Limits,
    *,
    what: str,
    position: str,
    budget: _Budget,
    depth: int,
) -> BodyPart:
    try:
        # Header names are tokens (checked by the framer or python-multipart): ASCII.
        headers = tuple([(raw_name.decode().lower(), value.decode()) for raw_name, value in raw_headers])
    except UnicodeDecodeError:  # a header value in Latin-1
        headers = tuple([(raw_name.decode().lower(), _header_text(value)) for raw_name, value in raw_headers])
    single: dict[str, str] = {}
    for header_name, value in headers:
        if header_name in _SINGLE_HEADERS:
            if header_name in single:
                repeated = [item for item_name, item in headers if item_name == header_name]
                raise _error(
                    MalformedRequestError,
                    what,
                    f"part {position} has more than one {_SINGLE_HEADERS[header_name]} header, got {shown(repeated)}",
                    field=f"part {position}",
                )
            single[header_name] = value
    media_type = ""
    params: Mapping[str, str] = _NO_PARAMETERS
    if "content-type" in single:
        media_type, params = _part_header_value(
            single["content-type"], what=what, header="Content-Type", position=position, media=True
        )
    disposition: str | None = None
    name: str | None = None
    filename: str | None = None
    if "content-disposition" in single:
        disposition, disposition_params = _part_header_value(
            single["content-disposition"], what=what, header="Content-Disposition", position=position, media=False
        )
        name = disposition_params.get("name")
        filename = disposition_params.get("filename")
    encoding = None
    if "content-transfer-encoding" in single:
        encoding = single["content-transfer-encoding"].strip(" \t").lower() or None
    children: tuple[BodyPart, ...] = ()
    if media_type.startswith("multipart/"):
        children = _parse_nested(
            raw,
            params,
            single["content-type"],
            encoding,
            limits,
            what=what,
            position=position,
            budget=budget,
            depth=depth + 1,
        )
    return BodyPart(
        headers=headers,
        media_type=media_type,
        params=params,
        content_id=_content_id(single["content-id"]) if "content-id" in single else None,
        content_location=(single["content-location"].strip() or None) if "content-location" in single else None,
        disposition=disposition,
        name=name,
        filename=filename,
        transfer_encoding=encoding,
        raw=raw,
        children=children,
        position=position,
        what=what,
    )


_NO_PARAMETERS: Final[Mapping[str, str]] = MappingProxyType({})
# Part headers repeat from request to request (a provider's form field names, its media types): the parses of
# short values are kept. Bounded in entries and in value length, so no body can make the cache large.
_CACHED_VALUES: Final = 256
_CACHED_VALUE_CHARS: Final = 256


@functools.lru_cache(maxsize=_CACHED_VALUES)
def _valid_header_value(value: str, media: bool) -> tuple[str, Mapping[str, str]] | None:
    """A parse of ``value`` that every part can share (a read-only view), or None when it is refused."""
    try:
        head, params = _parse_header_value(value, what="", subject="", field="", media=media)
    except MalformedRequestError:
        return None
    return head, MappingProxyType(params)


def valid_content_type(value: str, /) -> tuple[str, Mapping[str, str]] | None:
    """``parse_content_type`` for a value that may be refused: None then, never an error.

    Parses of short values are shared (a read-only view), as for part headers.
    """
    if len(value) <= _CACHED_VALUE_CHARS:
        return _valid_header_value(value, True)
    try:
        return parse_content_type(value, what="")
    except MalformedRequestError:
        return None


def _part_header_value(
    value: str, *, what: str, header: str, position: str, media: bool
) -> tuple[str, Mapping[str, str]]:
    if len(value) <= _CACHED_VALUE_CHARS:
        valid = _valid_header_value(value, media)
        if valid is not None:
            return valid
    # A long value, or one refused: parsed here, raising the error that names this part.
    head, params = _parse_header_value(
        value, what=what, subject=f"part {position} {header}", field=f"part {position}", media=media
    )
    return head, MappingProxyType(params)


def _content_id(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value or None


def _parse_nested(
    raw: bytes,
    params: Mapping[str, str],
    content_type: str,
    encoding: str | None,
    limits: Limits,
    *,
    what: str,
    position: str,
    budget: _Budget,
    depth: int,
) -> tuple[BodyPart, ...]:
    if depth > limits.max_multipart_depth:
        raise _error(
            LimitExceededError,
            what,
            f"part {position} nests multiparts more than {limits.max_multipart_depth} deep "
            "(Limits.max_multipart_depth)",
            field=f"part {position}",
        )
    if encoding is not None and encoding not in _IDENTITY_ENCODINGS:
        # RFC 2045 6.4: "If an entity is of type "multipart" the Content-Transfer-Encoding is not permitted to
        # have any value other than "7bit", "8bit" or "binary"."
        raise _error(
            MalformedRequestError,
            what,
            f"part {position} is multipart with a Content-Transfer-Encoding other than 7bit, 8bit or binary, "
            f"got {shown(encoding)}",
            field=f"part {position}",
        )
    subject = f"part {position} Content-Type"
    boundary = _boundary(params, content_type, what=what, subject=subject, field_name=f"part {position}")
    raw_parts = _CanonicalReader().read(raw, boundary, limits, budget) if _CANONICAL_PATH else None
    if raw_parts is None:
        stream = _Stream(boundary, limits, what=what, prefix=f"{position}.", budget=budget)
        stream.feed(raw)
        raw_parts = stream.close()
    return _build_parts(raw_parts, limits, what=what, prefix=f"{position}.", budget=budget, depth=depth)

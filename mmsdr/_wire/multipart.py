"""One streaming multipart engine for every ``multipart/*`` body mmsdr reads.

MM7 (``multipart/related`` with a ``multipart/mixed`` inside), OpenMarket (``multipart/mixed``) and MX Telecom
(``multipart/form-data`` carrying ``mms.zip``) all come through ``parse_multipart``. The parts are produced in
one place: python-multipart's low-level ``python_multipart.MultipartParser`` (``FormParser`` only knows
form-data) reads the structure, in one write per multipart, and its callbacks give each part's headers
(``_PartReader``). mmsdr's limits are
enforced around it as errors, never as silent truncation.

python-multipart reads RFC 2046 strictly and real senders do not write it strictly, so every body is normalised
on its way in (``_Normaliser``): the *structure lines* -- delimiter lines and part headers -- are rewritten into
the canonical form python-multipart reads, and the part data between them is handed to the ``_PartReader`` as it
came, never through python-multipart. The normaliser finds delimiters with ``bytes.find`` and, once it has met a
line that only starts like one, with a compiled pattern that skips all such lines in one call; python-multipart
would step byte by byte through each of them. So time and memory are linear in the body, with the constant of
ordinary data, whatever the part data holds and however the body is chunked. What the engine accepts:

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
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError

from .._errors import LimitExceededError, MalformedRequestError, UnsupportedFormatError, shown
from .content_type import header_text, parse_content_type, parse_header_value, wire_error

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from .._limits import Limits

__all__ = ("BodyPart", "parse_multipart")

# RFC 2046 5.1.1 allows boundaries of 1 to 70 characters; longer ones are accepted up to python-multipart's
# own cap (MAX_BOUNDARY_LENGTH), which it would otherwise raise on.
_MAX_BOUNDARY_CHARS: Final = 256
_BOUNDARY_CHARS = re.compile(r"[\x20-\x7e]+")

# RFC 9110 5.6.2: a header field name is a token = 1*tchar.
_TOKEN_BYTES = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

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
_NO_PARAMETERS: Final[Mapping[str, str]] = MappingProxyType({})

_CR: Final = 0x0D
_LF: Final = 0x0A
_PADDING = re.compile(rb"[ \t]*")

# python-multipart logs every parse error at WARNING just before raising it. mmsdr raises its own error in
# its place and does no logging of its own: a hostile body must not be able to write to the app's logs.
# A logger outside the logging tree, so no logging configuration of the app can turn it back on.
_QUIET_LOGGER = logging.Logger("mmsdr._multipart")  # noqa: LOG001
_QUIET_LOGGER.disabled = True


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

    _raw: bytes | memoryview
    """The part body as received: a view of the body read until ``raw`` copies it out (see ``raw``)."""

    children: tuple[BodyPart, ...] = ()
    """The parts inside, when this part is itself ``multipart/*``."""

    position: str = "1"
    """Where the part sits, for messages: ``"2"`` is the body's second part, ``"2.1"`` the first one inside it."""

    what: str = "multipart"
    """The prefix of error messages about this part (the ``what`` given to ``parse_multipart``)."""

    _decoded: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def raw(self) -> bytes:
        """The part body as received, before transfer decoding; copied out of the body on first use."""
        raw = self._raw
        if isinstance(raw, memoryview):
            # Copied only when asked for: a multipart's own bytes never are, its parts' once each.
            raw = raw.tobytes()
            object.__setattr__(self, "_raw", raw)
        return raw

    @property
    def data(self) -> bytes:
        """The part body with its Content-Transfer-Encoding undone, decoded on first use.

        base64 (whitespace ignored, otherwise strict), quoted-printable, and 7bit/8bit/binary/absent as they
        are. Bad base64 raises [`MalformedRequestError`][mmsdr.MalformedRequestError]; an unknown encoding
        [`UnsupportedFormatError`][mmsdr.UnsupportedFormatError].
        """
        if self._as_received:
            return self.raw
        decoded = self._decoded
        if decoded is None:
            decoded = self._decode()
            object.__setattr__(self, "_decoded", decoded)
        return decoded

    @property
    def data_view(self) -> memoryview:
        """``data`` as a read-only view: for 7bit, 8bit, binary or no encoding a view of the body, no copy."""
        return memoryview(self._raw) if self._as_received else memoryview(self.data)

    @property
    def _as_received(self) -> bool:
        return self.transfer_encoding is None or self.transfer_encoding in _IDENTITY_ENCODINGS

    def _decode(self) -> bytes:
        encoding = self.transfer_encoding
        if encoding == "base64":
            try:
                return binascii.a2b_base64(self.raw.translate(None, _BASE64_WHITESPACE), strict_mode=True)
            except binascii.Error as exc:
                raise wire_error(
                    MalformedRequestError,
                    self.what,
                    f"part {self.position} is not valid base64 ({exc}), got {shown(self.raw)}",
                    field=f"part {self.position}",
                ) from exc
        if encoding == "quoted-printable":
            # a2b_qp is lenient by design (RFC 2045 6.7 asks decoders to be): it never raises.
            return binascii.a2b_qp(self.raw)
        raise wire_error(
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
            f"raw=<{len(self._raw)} bytes>, children={len(self.children)})"
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
        raise wire_error(
            UnsupportedFormatError,
            what,
            f"Content-Type is not multipart, got {shown(content_type)}",
            field="content-type",
        )
    boundary = _boundary(params, content_type, what=what, subject="Content-Type", field_name="content-type")
    budget = _Budget()
    if isinstance(body, (bytes, bytearray, memoryview)):
        whole = bytes(body)
        if len(whole) > limits.max_body_bytes:
            raise _body_sizewire_error(limits, what)
        raw_parts = _read_whole(whole, boundary, limits, what=what, prefix="", budget=budget)
    else:
        normaliser = _Normaliser(boundary, limits, what=what, prefix="", budget=budget)
        received = 0
        for chunk in _chunks(body):
            received += len(chunk)
            if received > limits.max_body_bytes:
                raise _body_sizewire_error(limits, what)
            normaliser.feed(chunk)
        raw_parts = normaliser.close()
    return _build_parts(raw_parts, limits, what=what, prefix="", budget=budget, depth=0)


def _body_sizewire_error(limits: Limits, what: str) -> LimitExceededError:
    return wire_error(
        LimitExceededError,
        what,
        f"body larger than {limits.max_body_bytes} bytes (Limits.max_body_bytes)",
        field="body",
    )


def _read_whole(
    body: bytes | memoryview, boundary: bytes, limits: Limits, *, what: str, prefix: str, budget: _Budget
) -> list[_RawPart]:
    """The raw parts of a whole multipart body, each a view of ``body``.

    A nested multipart comes as a view of the enclosing body. The normaliser searches ``bytes``, so it reads a
    copy of it, but its parts are views of ``body`` itself (the positions are the same), so the copy is gone
    when this returns, before any part's data is copied out.
    """
    whole = body if isinstance(body, bytes) else body.tobytes()
    normaliser = _Normaliser(boundary, limits, what=what, prefix=prefix, budget=budget, view=memoryview(body))
    normaliser.feed(whole)
    return normaliser.close()


def _chunks(body: Iterable[bytes]) -> Iterator[bytes]:
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
        raise wire_error(
            MalformedRequestError, what, f"{subject} has no boundary parameter, got {shown(value)}", field=field_name
        )
    if len(boundary) > _MAX_BOUNDARY_CHARS or _BOUNDARY_CHARS.fullmatch(boundary) is None:
        raise wire_error(
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


_RawPart = tuple[tuple[tuple[bytes, bytes], ...], bytes | memoryview]


class _PartReader:
    """The one place parts are produced: python-multipart reads the structure, its callbacks give each part.

    The ``_Normaliser`` writes it every delimiter line and header block in canonical form, all in one ``write``
    when the body has been read, and hands it each part's data as the part ends (``add_data``), in the same
    order. Part data never goes through python-multipart: its delimiter search steps byte by byte through every
    line that starts like the delimiter (about a microsecond and a half each), so a body of such lines would
    cost about a hundred times ordinary data; and one ``write`` per body rather than per part keeps its setup
    cost per body.
    """

    def __init__(self, boundary: bytes, limits: Limits, *, what: str) -> None:
        self._what = what
        self._headers: list[tuple[bytes, bytes]] = []
        self._field = b""
        self._value = b""
        self._header_blocks: list[tuple[tuple[bytes, bytes], ...]] = []  # each part's headers, in order
        self._data: list[bytes | memoryview] = []  # each part's data, in order
        self._ended = False
        try:
            self._parser = MultipartParser(
                boundary,
                {
                    "on_part_begin": self._on_part_begin,
                    "on_header_field": self._on_header_field,
                    "on_header_value": self._on_header_value,
                    "on_header_end": self._on_header_end,
                    "on_part_end": self._on_part_end,
                    "on_end": self._on_end,
                },
                # python-multipart's defaults (8 headers, 4224 bytes) would refuse what Limits allows.
                max_header_count=limits.max_part_header_count,
                max_header_size=limits.max_part_header_bytes,
            )
        except FormParserError as exc:
            raise wire_error(
                MalformedRequestError, what, f"boundary is not usable ({exc})", field="content-type"
            ) from exc
        self._parser.logger = _QUIET_LOGGER

    def _on_part_begin(self) -> None:
        self._headers = []

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        # python-multipart skips spaces before a value, not tabs, and keeps trailing ones.
        self._headers.append((self._field, self._value.strip(b" \t")))
        self._field = self._value = b""

    def _on_part_end(self) -> None:
        self._header_blocks.append(tuple(self._headers))

    def _on_end(self) -> None:
        self._ended = True

    def add_data(self, raw: bytes | memoryview) -> None:
        """``raw`` is the whole data of the next part."""
        self._data.append(raw)

    def close(self, structure: bytes) -> list[_RawPart]:
        """The parts, once python-multipart has read ``structure`` to its closing delimiter."""
        try:
            written = self._parser.write(structure)
            self._parser.finalize()
        except FormParserError as exc:  # MultipartParseError and its relatives
            raise wire_error(
                MalformedRequestError, self._what, f"body is not valid multipart ({exc})", field="body"
            ) from exc
        if written != len(structure):
            # python-multipart truncates silently past its max_size (M5); never accept half a body.
            raise wire_error(
                MalformedRequestError,
                self._what,
                f"body is not valid multipart (the parser stopped after {written} of {len(structure)} bytes)",
                field="body",
            )
        if not self._ended or len(self._header_blocks) != len(self._data):
            raise wire_error(
                MalformedRequestError,
                self._what,
                "body is not valid multipart (the parser did not finish)",
                field="body",
            )
        # The parser's callbacks make a reference cycle with this reader: hand the parts over rather than keep
        # megabytes alive until the garbage collector gets to the cycle.
        parts = list(zip(self._header_blocks, self._data, strict=True))
        self._header_blocks, self._data = [], []
        return parts


# The normaliser's states.
_PREAMBLE: Final = 0
_DELIMITER: Final = 1
_HEADERS: Final = 2
_DATA: Final = 3
_EPILOGUE: Final = 4


class _Normaliser:
    """One multipart body, normalised on its way into the ``_PartReader``: structure lines to canonical CRLF.

    Delimiter lines and header blocks are rewritten into the form python-multipart reads and kept for one
    ``write`` at the end (a rewrite of the body's own lines: never more than the body); part data is handed to
    the reader as it came, cut only where the delimiter found here starts, one piece per part (joined from one
    piece per chunk when the body comes in chunks). Every state consumes its input as it comes, so memory and
    time stay linear in the body however it is chunked: the preamble keeps only a boundary's length of
    look-back, header lines are accumulated up to the header line limit. A line that starts like the delimiter
    but is not one costs no Python work of its own: ``data.find`` skips ordinary data, and from the first such
    line on the delimiter pattern (a compiled regular expression) skips them all in one call. Limits are checked
    here as the body is read (parts, part size, header lines), so a flood stops where it goes over.

    ``view``: a view of the whole body when it is fed in one chunk; part data is then taken from it by position.
    """

    def __init__(
        self,
        boundary: bytes,
        limits: Limits,
        *,
        what: str,
        prefix: str,
        budget: _Budget,
        view: memoryview | None = None,
    ) -> None:
        self._limits = limits
        self._what = what
        self._prefix = prefix
        self._dash = b"--" + boundary
        self._needle = b""  # the delimiter to search part data for: CRLF or LF + dash, set by the first line
        self._pattern: re.Pattern[bytes] | None = None  # the needle and what makes it a delimiter line
        self._view = view
        self._state = _PREAMBLE
        self._carry = b""  # unprocessed input kept for the next chunk (bounded: see each state)
        self._skipped = 0  # preamble bytes dropped so far
        self._epilogue = 0
        self._index = 0  # parts started, for messages
        self._padding = 0
        self._line = bytearray()  # the header line being read
        self._header: bytes | bytearray | None = None  # the header being unfolded
        self._header_count = 0
        self._canonical: list[bytes] = []  # the delimiter and header lines, rewritten for python-multipart
        self._structure: list[bytes] = []  # every part's canonical lines, written to python-multipart at the end
        self._budget = budget
        self._pieces: list[bytes | memoryview] = []  # the current part's data
        self._size = 0
        self._reader = _PartReader(boundary, limits, what=what)

    def _label(self) -> str:
        return f"{self._prefix}{self._index}"

    def _add_data(self, data: bytes, start: int, end: int) -> None:
        """``data[start:end]`` is part data: a view of the body when it came whole, else a copy of the piece."""
        if end > start:
            self._size += end - start
            if self._size > self._limits.max_part_bytes:
                raise wire_error(
                    LimitExceededError,
                    self._what,
                    f"part {self._label()} larger than {self._limits.max_part_bytes} bytes (Limits.max_part_bytes)",
                    field=f"part {self._label()}",
                )
            self._pieces.append(self._view[start:end] if self._view is not None else data[start:end])

    def _end_data(self) -> None:
        """The current part's data is complete: one piece stays as it is (a view is copied out when the part's
        data is asked for, see BodyPart.raw), more are joined."""
        pieces = self._pieces
        self._reader.add_data(pieces[0] if len(pieces) == 1 else b"".join(pieces))
        self._pieces = []
        self._size = 0

    def _write(self, data: bytes) -> None:
        self._structure.append(data)

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
            raise wire_error(
                MalformedRequestError,
                self._what,
                f"body has no delimiter line, got no line starting with {shown(self._dash.decode('ascii'))}",
                field="body",
            )
        if self._state != _EPILOGUE:
            where = f"after part {self._label()}" if self._index else "after the first delimiter"
            closing = (self._dash + b"--").decode("ascii")
            raise wire_error(
                MalformedRequestError,
                self._what,
                f"body ends before its closing delimiter, got no {shown(closing)} {where}",
                field="body",
            )
        return self._reader.close(b"".join(self._structure))

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
                raise self._preamblewire_error()
            self._carry = data[drop:]
            return -1
        if self._skipped + start > limit:
            raise self._preamblewire_error()
        self._state = _DELIMITER
        self._padding = 0
        return start + len(dash)

    def _preamblewire_error(self) -> LimitExceededError:
        return wire_error(
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
            if self._padding > self._limits.max_part_header_bytes:
                raise wire_error(
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
            self._budget.parts += 1
            if self._budget.parts > self._limits.max_parts:
                raise wire_error(
                    LimitExceededError,
                    self._what,
                    f"more than {self._limits.max_parts} parts (Limits.max_parts)",
                    field="body",
                )
            self._index += 1
            self._state = _HEADERS
            self._header = None
            self._header_count = 0
            return line_end
        # Not a delimiter line: the first line, or a later one with padding (``_in_data`` hands over no other).
        # Show only the bytes that decided, so the message is the same however the body was chunked.
        decisive = data[padding_end : padding_end + (2 if data[padding_end] == _CR else 1)]
        # python-multipart refuses "--boundary" + padding + text too: RFC 2046 says boundary delimiters must not
        # appear within the encapsulated material.
        raise wire_error(
            MalformedRequestError,
            self._what,
            f"{self._delimiter_name(first)} has text after the boundary, got {shown(decisive)}",
            field="body",
        )

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
                    raise self._header_sizewire_error()
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
                raise self._header_sizewire_error()
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
                    raise wire_error(
                        MalformedRequestError,
                        self._what,
                        f"part {self._label()} headers start with a continuation line, got {shown(line)}",
                        field=f"part {self._label()}",
                    )
                if isinstance(self._header, bytes):
                    self._header = bytearray(self._header)  # appended to in place: linear in the header
                self._header += line
                if len(self._header) > limit:
                    raise self._header_sizewire_error()
                continue
            self._finish_header()
            self._header_count += 1
            if self._header_count > self._limits.max_part_header_count:
                raise wire_error(
                    LimitExceededError,
                    self._what,
                    f"part {self._label()} has more than {self._limits.max_part_header_count} header lines "
                    "(Limits.max_part_header_count)",
                    field=f"part {self._label()}",
                )
            self._header = line

    def _header_sizewire_error(self) -> LimitExceededError:
        return wire_error(
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
            raise wire_error(
                MalformedRequestError,
                self._what,
                f"part {label} has a header line that is not 'Name: value', got {shown(header)}",
                field=f"part {label}",
            )
        if b"\r" in value:
            raise wire_error(
                MalformedRequestError,
                self._what,
                f"part {label} has a header with a bare CR, got {shown(header)}",
                field=f"part {label}",
            )
        self._canonical.append(name + b":" + value.strip(b" \t") + b"\r\n")

    def _in_data(self, data: bytes, pos: int) -> int:
        needle = self._needle
        found = data.find(needle, pos)
        if found >= 0 and not self._opens_line(data, found + len(needle)):
            # "--boundaryX": part data that merely starts like a delimiter. From here on the pattern skips every
            # such line in one call (a body of them costs about what ordinary data costs).
            match = self._delimiter_pattern().search(data, found + 1)
            found = match.start() if match is not None else -1
        if found < 0:
            # Keep len(needle) + 2 bytes back: a delimiter may start in them and need two more bytes to be told
            # from data (its "--" or CRLF); in LF mode the CR before it is kept too.
            safe = len(data) - len(needle) - 2
            if safe > pos:
                self._add_data(data, pos, safe)
                pos = safe
            self._carry = data[pos:]
            return -1
        cut = found
        if needle[0] == _LF and found > pos and data[found - 1] == _CR:
            cut = found - 1  # LF mode: a CRLF before the boundary is a line break all the same
        self._add_data(data, pos, cut)
        self._end_data()
        self._padding = 0
        self._state = _DELIMITER
        return found + len(needle)

    def _opens_line(self, data: bytes, after: int) -> bool:
        """Whether the needle ending at ``after`` is followed by what the delimiter pattern requires.

        "--" (the closing delimiter), padding (a delimiter line, or text after padding: refused), or the line
        break of the mode: CRLF, and in LF mode a bare LF too. Anything else is part data.
        """
        return data.startswith((b"--", b"\r\n", b" ", b"\t"), after) or (
            self._needle[0] == _LF and data.startswith(b"\n", after)
        )

    def _delimiter_pattern(self) -> re.Pattern[bytes]:
        """The needle followed by what ``_opens_line`` requires, compiled on first use for this multipart."""
        pattern = self._pattern
        if pattern is None:
            line_break = rb"\r?\n" if self._needle[0] == _LF else rb"\r\n"
            pattern = re.compile(re.escape(self._needle) + rb"(?:--|[ \t]|" + line_break + rb")")
            self._pattern = pattern
        return pattern

    def _in_epilogue(self, size: int) -> None:
        self._epilogue += size
        if self._epilogue > self._limits.max_preamble_bytes:
            raise wire_error(
                LimitExceededError,
                self._what,
                f"epilogue longer than {self._limits.max_preamble_bytes} bytes (Limits.max_preamble_bytes)",
                field="body",
            )


def _build_parts(
    raw_parts: list[_RawPart], limits: Limits, *, what: str, prefix: str, budget: _Budget, depth: int
) -> tuple[BodyPart, ...]:
    return tuple(
        _build_part(headers, raw, limits, what=what, position=f"{prefix}{number}", budget=budget, depth=depth)
        for number, (headers, raw) in enumerate(raw_parts, start=1)
    )


def _build_part(
    raw_headers: tuple[tuple[bytes, bytes], ...],
    raw: bytes | memoryview,
    limits: Limits,
    *,
    what: str,
    position: str,
    budget: _Budget,
    depth: int,
) -> BodyPart:
    try:
        # Header names are tokens (checked by python-multipart, and by the normaliser before it): ASCII.
        headers = tuple([(raw_name.decode().lower(), value.decode()) for raw_name, value in raw_headers])
    except UnicodeDecodeError:  # a header value in Latin-1
        headers = tuple([(raw_name.decode().lower(), header_text(value)) for raw_name, value in raw_headers])
    single: dict[str, str] = {}
    for header_name, value in headers:
        if header_name in _SINGLE_HEADERS:
            if header_name in single:
                repeated = [item for item_name, item in headers if item_name == header_name]
                raise wire_error(
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
        _raw=raw,
        children=children,
        position=position,
        what=what,
    )


def _part_header_value(
    value: str, *, what: str, header: str, position: str, media: bool
) -> tuple[str, Mapping[str, str]]:
    head, params = parse_header_value(
        value, what=what, subject=f"part {position} {header}", field=f"part {position}", media=media
    )
    return head, MappingProxyType(params) if params else _NO_PARAMETERS


def _content_id(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value or None


def _parse_nested(
    raw: bytes | memoryview,
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
        raise wire_error(
            LimitExceededError,
            what,
            f"part {position} nests multiparts more than {limits.max_multipart_depth} deep "
            "(Limits.max_multipart_depth)",
            field=f"part {position}",
        )
    if encoding is not None and encoding not in _IDENTITY_ENCODINGS:
        # RFC 2045 6.4: "If an entity is of type "multipart" the Content-Transfer-Encoding is not permitted to
        # have any value other than "7bit", "8bit" or "binary"."
        raise wire_error(
            MalformedRequestError,
            what,
            f"part {position} is multipart with a Content-Transfer-Encoding other than 7bit, 8bit or binary, "
            f"got {shown(encoding)}",
            field=f"part {position}",
        )
    subject = f"part {position} Content-Type"
    boundary = _boundary(params, content_type, what=what, subject=subject, field_name=f"part {position}")
    raw_parts = _read_whole(raw, boundary, limits, what=what, prefix=f"{position}.", budget=budget)
    return _build_parts(raw_parts, limits, what=what, prefix=f"{position}.", budget=budget, depth=depth)

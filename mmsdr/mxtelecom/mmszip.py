"""Zipped MMS contents (MX Telecom's ``mms.zip``), read in memory within limits.

MX Telecom hands an inbound MMS over as a zip: posted as the ``mms.zip`` part of a multipart POST, or fetched
by the app from the RetrieveMMS URL of a GET notification. The zip holds the MMS files, an optional SMIL file
and a file named exactly ``manifest`` in Java properties format that maps each Content-Id to its
Content-Type; "the manifest order is the part order" and "text parts must be UTF-8" (MX Telecom's MMS
documentation).

The zip itself is read by ``mmsdr._wire.zip``, which checks everything it can before it decompresses a single
byte:

* the entry count, from the end of central directory record and from the central directory's own record
  signatures, before ``zipfile.ZipFile`` builds one object per entry (Z5); ZIP64 archives are refused
  (a zipped MMS never needs them, and their end records are where CVE-2025-8291 lived);
* names: no absolute paths, ``..`` components, backslashes, drive letters or NULs, no two names equal after
  case folding, at most ``Limits.max_zip_name_chars`` (Z6, Z7) -- nothing is ever written to disk anyway;
* no encryption, no symbolic links, only stored or deflate (Z8);
* the layout: every entry's local header and data lie before the central directory and no two entries share
  or overlap their bytes (Z2, Z3, Z10 -- the quoted-overlap and full-overlap bombs);
* declared sizes and compression ratio (Z1, Z2).

Then each entry is decompressed in bounded steps, counting the bytes that actually come out (Z4). Nested zips
stay opaque bytes (Z9). Every ``zipfile``, ``zlib`` or decoding exception becomes an
[`mmsdr.MmsdrError`][mmsdr.MmsdrError].
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from .._errors import LimitExceededError
from .._events import Part
from .._limits import Limits
from .._public import public_dir
from .._wire.content_type import valid_content_type
from .._wire.zip import ZipSource, name_key, read_zip, zip_error

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ("ZippedMms", "parse_manifest", "read_mms_zip")

# The manifest maps at most one line per entry; this bounds the work of reading it (a compressed manifest
# could otherwise be ``max_zip_entry_bytes`` of backslash escapes).
_MANIFEST_BYTES_PER_ENTRY: Final = 1024

_MANIFEST: Final = "manifest"
_DEFAULT_WHAT: Final = "mms.zip"
_SMIL_TYPES: Final = frozenset({"application/smil", "application/smil+xml"})

# MMS media types the stdlib table lacks or gets wrong (.3gp is audio/3gpp there, video in MMS); the MX
# Telecom manifest example uses .sml for SMIL. Everything else comes from mimetypes' built-in table.
_MMS_TYPES: Final = MappingProxyType(
    {
        ".sml": "application/smil",
        ".smil": "application/smil",
        ".amr": "audio/amr",
        ".awb": "audio/amr-wb",
        ".3gp": "video/3gpp",
        ".3g2": "video/3gpp2",
        ".mid": "audio/midi",
        ".midi": "audio/midi",
        ".imy": "audio/imelody",
        ".mmf": "application/vnd.smaf",
        ".m4a": "audio/mp4",
        ".ogg": "audio/ogg",
        ".qcp": "audio/qcelp",
        ".wbmp": "image/vnd.wap.wbmp",
        ".webp": "image/webp",
        ".vcs": "text/x-vcalendar",
        ".jad": "text/vnd.sun.j2me.app-descriptor",
        ".jar": "application/java-archive",
    }
)
_FALLBACK_TYPE: Final = "application/octet-stream"


@dataclass(frozen=True, slots=True, kw_only=True)
class ZippedMms:
    """The contents of a zipped MMS."""

    parts: tuple[Part, ...]
    """The files in manifest order, then the files the manifest does not name in zip order; the manifest
    itself and directory entries are not parts."""

    smil: Part | None
    """The SMIL layout (``application/smil``, or a ``.smil``/``.sml`` file), also in
    [`parts`][mmsdr.mxtelecom.mmszip.ZippedMms.parts]; None when the MMS has none."""

    manifest: tuple[tuple[str, str], ...]
    """The manifest's ``(content-id, content-type)`` pairs in order, exactly as parsed; ``()`` without one."""

    missing: tuple[str, ...]
    """Manifest keys with no file in the zip, in manifest order (tolerated: the rest is still delivered)."""

    @property
    def text(self) -> str | None:
        """The ``text/plain`` parts joined with newlines; None when there is none."""
        texts = [text for part in self.parts if part.is_text and (text := part.text) is not None]
        return "\n".join(texts) if texts else None


def _source(what: str) -> ZipSource:
    # "mms.zip", the default, names the file, not a format; "mxtelecom.mms_inbound" names one.
    return ZipSource(what, what if "." in what and what != _DEFAULT_WHAT else None)


def read_mms_zip(
    data: bytes | bytearray | memoryview, /, *, limits: Limits | None = None, what: str = _DEFAULT_WHAT
) -> ZippedMms:
    """Read a zipped MMS in memory: checked entry by entry before anything is decompressed.

    Args:
        data: the zip as received: ``bytes``, ``bytearray`` or ``memoryview``, read where it is (not copied).
        limits: ``max_zip_bytes``, ``max_zip_entries``, ``max_zip_entry_bytes``, ``max_zip_total_bytes``,
            ``max_zip_ratio`` and ``max_zip_name_chars``; [`mmsdr.Limits`][mmsdr.Limits] defaults when None.
        what: the prefix of error messages; a format name (``"mxtelecom.mms_inbound"``) is also the error's
            ``format``.

    Returns:
        The parts in manifest order (content type from the manifest, else from the file name; text parts
        with charset ``utf-8``), the SMIL part, the manifest as parsed and the manifest keys with no file.

    Raises:
        LimitExceededError: the zip, an entry, all entries, the ratio or a name is over its limit.
        UnsupportedFormatError: an encrypted entry, a compression method other than stored or deflate, ZIP64.
        MalformedRequestError: not a zip, a corrupt one, or a hostile one (unsafe or repeated names, symbolic
            links, overlapping entries).
    """
    if limits is None:
        limits = Limits()
    if isinstance(data, str) or not isinstance(data, (bytes, bytearray, memoryview)):
        msg = f"data must be bytes, not {type(data).__name__}"
        raise TypeError(msg)
    source = _source(what)
    # Read where it is (a view of a request body, say), never copied whole; released, so that a bytearray
    # given is not left locked.
    with memoryview(data).cast("B") as blob:
        if len(blob) > limits.max_zip_bytes:
            raise zip_error(
                LimitExceededError, source, f"zip larger than {limits.max_zip_bytes} bytes (Limits.max_zip_bytes)"
            )
        files, names_by_key = read_zip(blob, limits, source)
    return _assemble(files, names_by_key, limits, source)


def _assemble(
    files: list[tuple[str, bytes]], names_by_key: dict[str, str], limits: Limits, what: ZipSource
) -> ZippedMms:
    manifest: tuple[tuple[str, str], ...] = ()
    contents = dict(files)
    if _MANIFEST in contents:
        manifest = parse_manifest(_manifest_text(contents[_MANIFEST], limits, what))
    # Java's Properties keeps the last value of a repeated key; the order is that of first appearance.
    declared = dict(manifest)
    # The files (not directories) by name key, as _check_entries keyed them.
    by_key = {key: name for key, name in names_by_key.items() if not name.endswith("/")}
    used: set[str] = {_MANIFEST}
    guess = _TypeGuesser()
    parts: list[Part] = []
    missing: list[str] = []
    for key, content_type in declared.items():
        if not key:
            continue
        name = key if key in contents else by_key.get(name_key(key))
        if name is None or name == _MANIFEST:
            missing.append(key)
            continue
        if name in used:
            continue
        used.add(name)
        parts.append(_part(name, contents[name], content_id=key, declared=content_type, guess=guess))
    parts.extend(
        _part(name, data, content_id=None, declared=None, guess=guess) for name, data in files if name not in used
    )
    return ZippedMms(
        parts=tuple(parts),
        smil=next((part for part in parts if part.content_type in _SMIL_TYPES), None),
        manifest=manifest,
        missing=tuple(missing),
    )


def _manifest_text(data: bytes, limits: Limits, what: ZipSource) -> str:
    limit = limits.max_zip_entries * _MANIFEST_BYTES_PER_ENTRY
    if len(data) > limit:
        raise zip_error(
            LimitExceededError,
            what,
            f"manifest larger than {limit} bytes ({_MANIFEST_BYTES_PER_ENTRY} per entry of Limits.max_zip_entries)",
            field=_MANIFEST,
        )
    # Java 9+ reads properties files as UTF-8 and falls back to ISO-8859-1 (PropertyResourceBundle); the
    # MX Telecom docs ask for UTF-8. A BOM from a Windows editor is dropped.
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _part(name: str, data: bytes, *, content_id: str | None, declared: str | None, guess: _TypeGuesser) -> Part:
    content_type: str | None = None
    charset: str | None = None
    if declared is not None and declared.strip():
        # An unreadable manifest value gives None: the file name still tells the type.
        valid = valid_content_type(declared.strip())
        if valid is not None:
            content_type, params = valid
            charset = params.get("charset")
    if content_type is None:
        content_type = guess(name)
    if charset is None and content_type.startswith("text/"):
        charset = "utf-8"  # "Text parts must be UTF-8"
    return Part(content_type=content_type, data=data, content_id=content_id, filename=name, charset=charset)


class _TypeGuesser:
    """A file name's media type: the MMS table, then the interpreter's built-in ``mimetypes`` table."""

    __slots__ = ("_stdlib",)

    def __init__(self) -> None:
        self._stdlib: mimetypes.MimeTypes | None = None  # built for the first name the MMS table lacks

    def __call__(self, name: str) -> str:
        extension = posixpath.splitext(name)[1].lower()
        if extension in _MMS_TYPES:
            return _MMS_TYPES[extension]
        if self._stdlib is None:
            # A MimeTypes instance knows only the interpreter's built-in table, so the answer is the same on
            # every machine (the module-level guess_type reads /etc/mime.types and the Windows registry too).
            self._stdlib = mimetypes.MimeTypes()
        non_strict, strict = self._stdlib.types_map
        return strict.get(extension) or non_strict.get(extension) or _FALLBACK_TYPE


# -- the manifest: java.util.Properties.load ---------------------------------------------------------------

# "Properties are processed in terms of lines. There are two kinds of line, natural lines and logical lines. A
# natural line is defined as a line of characters that is terminated either by a set of line terminator
# characters (\n or \r or \r\n) or by the end of the stream." -- java.util.Properties.load(Reader)
_NATURAL_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# "The key contains all of the characters in the line starting with the first non-white space character and up
# to, but not including, the first unescaped '=', ':', or white space character other than a line terminator."
_KEY = re.compile(r"(?:[^\\=: \t\f]|\\.)*", re.DOTALL)
# "Any white space after the key is skipped; if the first non-white space character after the key is '=' or
# ':', then it is ignored and any white space characters after it are also skipped."
_SEPARATOR = re.compile(r"[ \t\f]*[=:]?[ \t\f]*")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)", re.DOTALL)
_ESCAPES: Final = MappingProxyType({"t": "\t", "n": "\n", "r": "\r", "f": "\f"})
_WHITESPACE: Final = " \t\f"


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        escaped = match[1]
        if escaped[0] == "u" and len(escaped) == 5:  # uXXXX
            return chr(int(escaped[1:], 16))
        return _ESCAPES.get(escaped, escaped)

    return _ESCAPE.sub(replace, text)


def _logical_lines(text: str) -> Iterator[str]:
    lines = _NATURAL_LINE_BREAK.split(text.removeprefix("\ufeff"))
    index = 0
    while index < len(lines):
        line = lines[index].lstrip(_WHITESPACE)
        index += 1
        # "A comment line has an ASCII '#' or '!' as its first non-white space character"; comment lines are
        # not continued, and blank lines are ignored.
        if not line or line[0] in "#!":
            continue
        # "...a line terminator can be escaped by a backslash... the line will be continued: any white space
        # at the start of the following line [is skipped]" -- an odd number of trailing backslashes.
        while (len(line) - len(line.rstrip("\\"))) % 2 == 1:
            line = line[:-1]
            if index == len(lines):
                break
            line += lines[index].lstrip(_WHITESPACE)
            index += 1
        yield line


def parse_manifest(text: str, /) -> tuple[tuple[str, str], ...]:
    """The ``(key, value)`` pairs of a Java properties text, in order, repeats kept.

    As ``java.util.Properties.load`` reads it: ``#`` and ``!`` comments, ``key=value``, ``key: value`` and
    ``key value``, backslash escapes (``\\t``, ``\\n``, ``\\uXXXX``, ``\\=``...) and line continuations.
    It never fails: a backslash before any other character stands for that character (so a malformed
    ``\\uXX`` reads as ``uXX``, where Java would throw), and a leading byte order mark is ignored.
    """
    pairs: list[tuple[str, str]] = []
    for line in _logical_lines(text):
        key_match = _KEY.match(line)
        key_end = key_match.end() if key_match else 0
        separator = _SEPARATOR.match(line, key_end)
        value_start = separator.end() if separator else key_end
        pairs.append((_unescape(line[:key_end]), _unescape(line[value_start:])))
    return tuple(pairs)


__dir__ = public_dir(globals())

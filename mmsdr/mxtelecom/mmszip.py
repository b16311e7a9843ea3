"""Zipped MMS contents (MX Telecom's ``mms.zip``), read in memory within limits.

MX Telecom hands an inbound MMS over as a zip: posted as the ``mms.zip`` part of a multipart POST, or fetched
by the app from the RetrieveMMS URL of a GET notification. The zip holds the MMS files, an optional SMIL file
and a file named exactly ``manifest`` in Java properties format that maps each Content-Id to its
Content-Type; "the manifest order is the part order" and "text parts must be UTF-8"
(``shared/notes/mxtelecom.md`` section 7).

A zip is the classic decompression-bomb carrier and CPython's ``zipfile`` checks almost nothing by itself
(no entry count, total size, ratio or name checks, and no overlap check before 3.11.8/3.12.2), so
[`read_mms_zip`][mmsdr.mxtelecom.mmszip.read_mms_zip] checks everything it can before it decompresses a single byte:

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

import contextlib
import io
import itertools
import mimetypes
import posixpath
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TypeVar

from .._errors import LimitExceededError, MalformedRequestError, MmsdrError, UnsupportedFormatError, shown
from .._events import Part
from .._limits import Limits
from .._wire.content_type import valid_content_type

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ("ZippedMms", "parse_manifest", "read_mms_zip")

_E = TypeVar("_E", bound=MmsdrError)

# APPNOTE.TXT 4.3.16: the end of central directory record, 22 bytes plus a comment of up to 65535.
_END_SIGNATURE: Final = b"PK\x05\x06"
_END_SIZE: Final = 22
_END_SEARCH: Final = (1 << 16) + _END_SIZE
_ZIP64_LOCATOR_SIGNATURE: Final = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE: Final = 20
_CENTRAL_SIGNATURE: Final = b"PK\x01\x02"
_LOCAL_SIGNATURE: Final = b"PK\x03\x04"
_LOCAL_HEADER_SIZE: Final = 30

_ENCRYPTED: Final = 0x1  # general purpose flag bit 0
_METHODS: Final = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_READ_STEP: Final = 64 * 1024

# A 200:1 ratio is generous for already-compressed JPEG/MP4/AMR; SMIL and text can go beyond it only at tiny
# sizes, hence the allowance (shared/notes/security.md 5.3).
_RATIO_ALLOWANCE: Final = 1024

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


def _error(kind: type[_E], what: str, message: str, *, field: str | None = None) -> _E:
    """``kind("<what>: <message>")``; a format name as ``what`` ("mxtelecom.mms_inbound") is also the format."""
    # "mms.zip", the default, names the file, not a format.
    format_name = what if "." in what and what != _DEFAULT_WHAT else None
    provider = what.split(".", 1)[0] if format_name else None
    return kind(f"{what}: {message}", provider=provider, format=format_name, field=field)


# zipfile and zlib raise all of these on corrupt archives (BadZipFile covers "Bad CRC-32", EOFError a cut
# deflate stream, NotImplementedError odd versions and flags, ValueError/OSError/OverflowError seeks to
# impossible offsets, UnicodeDecodeError a UTF-8-flagged name that is not UTF-8).
_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
    OverflowError,
    ValueError,
)


@contextlib.contextmanager
def _translated(what: str, message: str, *, field: str | None = None) -> Iterator[None]:
    try:
        yield
    except MmsdrError:
        raise
    except _ZIP_ERRORS as exc:
        raise _error(MalformedRequestError, what, f"{message} ({exc})", field=field) from exc


def read_mms_zip(data: bytes, /, *, limits: Limits | None = None, what: str = _DEFAULT_WHAT) -> ZippedMms:
    """Read a zipped MMS in memory: checked entry by entry before anything is decompressed.

    Args:
        data: the zip as received (bytes-like).
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
    blob = bytes(data)
    if len(blob) > limits.max_zip_bytes:
        raise _error(LimitExceededError, what, f"zip larger than {limits.max_zip_bytes} bytes (Limits.max_zip_bytes)")
    directory_start = _check_end_record(blob, limits, what)
    with _translated(what, "is not a readable zip archive"):
        archive = zipfile.ZipFile(io.BytesIO(blob))
    with archive:
        infos = archive.infolist()
        names_by_key = _check_entries(blob, infos, directory_start, limits, what)
        files = _read_files(archive, infos, limits, what)
    return _assemble(files, names_by_key, limits, what)


def _entry_count_error(limits: Limits, what: str) -> LimitExceededError:
    return _error(LimitExceededError, what, f"more than {limits.max_zip_entries} entries (Limits.max_zip_entries)")


def _check_end_record(blob: bytes, limits: Limits, what: str) -> int:
    """Find the end record as zipfile does and bound the entry count before ``ZipFile()`` reads it (Z5).

    Returns the offset of the central directory.
    """
    # zipfile._EndRecData: first a record at the very end with no comment, else the last signature in the
    # last 64 KiB + 22 bytes.
    if len(blob) >= _END_SIZE and blob.startswith(_END_SIGNATURE, len(blob) - _END_SIZE) and blob.endswith(b"\0\0"):
        position = len(blob) - _END_SIZE
    else:
        position = blob.rfind(_END_SIGNATURE, max(len(blob) - _END_SEARCH, 0))
    if position < 0 or len(blob) - position < _END_SIZE:
        raise _error(MalformedRequestError, what, "is not a zip archive (no end of central directory record)")
    entries_here, entries, directory_size, directory_offset = struct.unpack_from("<HHII", blob, position + 8)
    # zipfile reads a ZIP64 end record whenever its locator sits right before this one; the 0xFFFF... values
    # say "see the ZIP64 record".
    has_locator = position >= _ZIP64_LOCATOR_SIZE and blob.startswith(
        _ZIP64_LOCATOR_SIGNATURE, position - _ZIP64_LOCATOR_SIZE
    )
    if has_locator or 0xFFFF in {entries_here, entries} or 0xFFFFFFFF in {directory_size, directory_offset}:
        raise _error(
            UnsupportedFormatError,
            what,
            "is a ZIP64 archive, which a zipped MMS never needs (at most 65535 entries and 4 GiB)",
        )
    if max(entries_here, entries) > limits.max_zip_entries:
        raise _entry_count_error(limits, what)
    # ZipFile() does not trust the record's count either: it reads central directory records until it has
    # read directory_size bytes. Each record starts with its signature, so counting the signatures in that
    # span bounds the ZipInfo objects it can build, whatever the count field says.
    directory_start: int = position - directory_size
    if directory_start < 0:
        raise _error(MalformedRequestError, what, "is not a readable zip archive (bad central directory size)")
    if blob.count(_CENTRAL_SIGNATURE, directory_start, position) > limits.max_zip_entries:
        raise _entry_count_error(limits, what)
    return directory_start


def _check_name(info: zipfile.ZipInfo, limits: Limits, what: str) -> None:
    # orig_filename is the name as stored: ZipInfo cuts filename at a NUL.
    name = info.orig_filename
    if len(name) > limits.max_zip_name_chars:
        raise _error(
            LimitExceededError,
            what,
            f"entry name longer than {limits.max_zip_name_chars} characters (Limits.max_zip_name_chars), "
            f"got {shown(name)}",
        )
    problem = None
    if not name:
        problem = "is empty"
    elif "\0" in name:
        problem = "contains a NUL character"
    elif "\\" in name:
        problem = "contains a backslash"
    elif name.startswith("/"):
        problem = "is an absolute path"
    elif len(name) >= 2 and name[1] == ":" and name[0].isascii() and name[0].isalpha():
        problem = "starts with a drive letter"
    elif ".." in name.split("/"):
        problem = "has a '..' component"
    if problem is not None:
        raise _error(MalformedRequestError, what, f"entry name {problem}, got {shown(name)}", field=name)


def _is_directory(info: zipfile.ZipInfo) -> bool:
    # Not ZipInfo.is_dir(): it indexes filename[-1] and raises IndexError on an empty name.
    return info.filename.endswith("/")


def _name_key(name: str) -> str:
    """What makes two names the same file on some system: case, Unicode normalisation, "." and "" parts."""
    parts = [part for part in name.split("/") if part not in {"", "."}]
    return unicodedata.normalize("NFC", "/".join(parts)).casefold()


def _check_entries(
    blob: bytes, infos: list[zipfile.ZipInfo], directory_start: int, limits: Limits, what: str
) -> dict[str, str]:
    """Every check that needs no decompression, for every entry, before any entry is read.

    Returns every entry's name by its ``_name_key`` (unique: a repeat is refused here).
    """
    if len(infos) > limits.max_zip_entries:
        raise _entry_count_error(limits, what)
    spans: list[tuple[int, int, str]] = []
    for info in infos:
        name = info.orig_filename
        _check_name(info, limits, what)
        if info.flag_bits & _ENCRYPTED:
            raise _error(UnsupportedFormatError, what, f"entry {shown(name)} is encrypted", field=name)
        if info.compress_type not in _METHODS:
            raise _error(
                UnsupportedFormatError,
                what,
                f"entry {shown(name)} uses a compression method other than stored or deflate, got {info.compress_type}",
                field=name,
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _error(MalformedRequestError, what, f"entry {shown(name)} is a symbolic link", field=name)
        spans.append((*_entry_span(blob, info, directory_start, what), name))
    _check_layout(spans, what)
    seen: dict[str, str] = {}
    for info in infos:
        key = _name_key(info.filename)
        if key in seen:
            raise _error(
                MalformedRequestError,
                what,
                f"entry {shown(info.filename)} repeats entry {shown(seen[key])} (names are compared without case)",
                field=info.filename,
            )
        seen[key] = info.filename
    total = 0
    for info in infos:
        if _is_directory(info):
            continue
        name = info.filename
        if info.file_size > limits.max_zip_entry_bytes:
            raise _error(
                LimitExceededError,
                what,
                f"entry {shown(name)} larger than {limits.max_zip_entry_bytes} bytes (Limits.max_zip_entry_bytes), "
                f"got {info.file_size}",
                field=name,
            )
        total += info.file_size
        if total > limits.max_zip_total_bytes:
            raise _error(
                LimitExceededError,
                what,
                f"entries larger than {limits.max_zip_total_bytes} bytes together (Limits.max_zip_total_bytes)",
                field=name,
            )
        if info.file_size > limits.max_zip_ratio * info.compress_size + _RATIO_ALLOWANCE:
            raise _error(
                LimitExceededError,
                what,
                f"entry {shown(name)} compressed more than {limits.max_zip_ratio}:1 (Limits.max_zip_ratio), "
                f"got {info.file_size} bytes from {info.compress_size}",
                field=name,
            )
    return seen


def _entry_span(blob: bytes, info: zipfile.ZipInfo, directory_start: int, what: str) -> tuple[int, int]:
    """``[local header, end of data)`` of an entry, which must lie before the central directory (Z10)."""
    name = info.orig_filename
    start = info.header_offset
    if start < 0 or start + _LOCAL_HEADER_SIZE > directory_start or not blob.startswith(_LOCAL_SIGNATURE, start):
        raise _error(
            MalformedRequestError,
            what,
            f"entry {shown(name)} has no local header where the central directory says, got offset {start}",
            field=name,
        )
    name_length, extra_length = struct.unpack_from("<HH", blob, start + 26)
    end = start + _LOCAL_HEADER_SIZE + name_length + extra_length + info.compress_size
    if end > directory_start:
        raise _error(
            MalformedRequestError,
            what,
            f"entry {shown(name)} runs past the start of the central directory, got {info.compress_size} "
            "compressed bytes",
            field=name,
        )
    return start, end


def _check_layout(spans: list[tuple[int, int, str]], what: str) -> None:
    """No two entries share a local header (Z3) or overlap (Z2): the two zip-bomb constructions that make a
    few KB decompress to GBs by reading the same bytes again. CPython 3.11.7 checks neither, and newer ones
    only warn when a local header is shared."""
    spans = sorted(spans)
    for (start, end, name), (next_start, _next_end, next_name) in itertools.pairwise(spans):
        if start == next_start:
            raise _error(
                MalformedRequestError,
                what,
                f"entry {shown(next_name)} shares its local header with entry {shown(name)} (a zip bomb shape), "
                f"got offset {start}",
                field=next_name,
            )
        if end > next_start:
            raise _error(
                MalformedRequestError,
                what,
                f"entry {shown(name)} overlaps entry {shown(next_name)} (a zip bomb shape), "
                f"got data up to {end} past offset {next_start}",
                field=name,
            )


def _read_files(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits, what: str
) -> list[tuple[str, bytes]]:
    """Decompress each file entry in bounded steps, counting what comes out (never trusting ``file_size``)."""
    files: list[tuple[str, bytes]] = []
    total = 0
    for info in infos:
        if _is_directory(info):
            continue
        name = info.filename
        pieces: list[bytes] = []
        size = 0
        try:
            with archive.open(info) as handle:
                while piece := handle.read(_read_size(limits, size, total)):
                    pieces.append(piece)
                    size += len(piece)
                    total += len(piece)
                    if size > limits.max_zip_entry_bytes:
                        raise _error(
                            LimitExceededError,
                            what,
                            f"entry {shown(name)} larger than {limits.max_zip_entry_bytes} bytes "
                            "(Limits.max_zip_entry_bytes)",
                            field=name,
                        )
                    if total > limits.max_zip_total_bytes:
                        raise _error(
                            LimitExceededError,
                            what,
                            f"entries larger than {limits.max_zip_total_bytes} bytes together "
                            "(Limits.max_zip_total_bytes)",
                            field=name,
                        )
        except MmsdrError:
            raise
        except _ZIP_ERRORS as exc:  # what _translated does, with the message built only when it is needed
            raise _error(MalformedRequestError, what, f"entry {shown(name)} is corrupt ({exc})", field=name) from exc
        if size != info.file_size:
            raise _error(
                MalformedRequestError,
                what,
                f"entry {shown(name)} is corrupt (it declares {info.file_size} bytes), got {size}",
                field=name,
            )
        files.append((name, pieces[0] if len(pieces) == 1 else b"".join(pieces)))
    return files


def _read_size(limits: Limits, size: int, total: int) -> int:
    """How much to read next: the whole steps that cannot take the entry or the total past its limit, else one.

    Steps read at once are the same bytes, and the limits are checked at the same step where one is crossed,
    as when read one by one; an entry under its limits usually comes in one piece, kept without a copy.
    """
    room = min(limits.max_zip_entry_bytes - size, limits.max_zip_total_bytes - total)
    return max(room // _READ_STEP, 1) * _READ_STEP


def _assemble(files: list[tuple[str, bytes]], names_by_key: dict[str, str], limits: Limits, what: str) -> ZippedMms:
    manifest: tuple[tuple[str, str], ...] = ()
    contents = dict(files)
    if _MANIFEST in contents:
        manifest = parse_manifest(_manifest_text(contents[_MANIFEST], limits, what))
    # Java's Properties keeps the last value of a repeated key; the order is that of first appearance.
    declared = dict(manifest)
    # The files (not directories) by name key, as _check_entries keyed them.
    by_key = {key: name for key, name in names_by_key.items() if not name.endswith("/")}
    used: set[str] = {_MANIFEST}
    parts: list[Part] = []
    missing: list[str] = []
    for key, content_type in declared.items():
        if not key:
            continue
        name = key if key in contents else by_key.get(_name_key(key))
        if name is None or name == _MANIFEST:
            missing.append(key)
            continue
        if name in used:
            continue
        used.add(name)
        parts.append(_part(name, contents[name], content_id=key, declared=content_type))
    parts.extend(_part(name, data, content_id=None, declared=None) for name, data in files if name not in used)
    return ZippedMms(
        parts=tuple(parts),
        smil=next((part for part in parts if part.content_type in _SMIL_TYPES), None),
        manifest=manifest,
        missing=tuple(missing),
    )


def _manifest_text(data: bytes, limits: Limits, what: str) -> str:
    limit = limits.max_zip_entries * _MANIFEST_BYTES_PER_ENTRY
    if len(data) > limit:
        raise _error(
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


def _part(name: str, data: bytes, *, content_id: str | None, declared: str | None) -> Part:
    content_type: str | None = None
    charset: str | None = None
    if declared is not None and declared.strip():
        # An unreadable manifest value gives None: the file name still tells the type.
        valid = valid_content_type(declared.strip())
        if valid is not None:
            content_type, params = valid
            charset = params.get("charset")
    if content_type is None:
        content_type = _guess_type(name)
    if charset is None and content_type.startswith("text/"):
        charset = "utf-8"  # "Text parts must be UTF-8"
    return Part(content_type=content_type, data=data, content_id=content_id, filename=name, charset=charset)


_STDLIB_TYPES: list[mimetypes.MimeTypes] = []


def _guess_type(name: str) -> str:
    extension = posixpath.splitext(name)[1].lower()
    if extension in _MMS_TYPES:
        return _MMS_TYPES[extension]
    if not _STDLIB_TYPES:
        # A MimeTypes instance knows only the interpreter's built-in table, so the answer is the same on every
        # machine (the module-level guess_type reads /etc/mime.types and the Windows registry too).
        _STDLIB_TYPES.append(mimetypes.MimeTypes())
    non_strict, strict = _STDLIB_TYPES[0].types_map
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

"""Zip archives read in memory within limits: every check that needs no decompression first, then bounded reads.

Provider-neutral (MX Telecom's ``mms.zip`` is read with it, see ``mmsdr.mxtelecom.mmszip``). A zip is the
classic decompression-bomb carrier and CPython's ``zipfile`` checks almost nothing by itself (no entry count,
total size, ratio or name checks, and no overlap check before 3.11.8/3.12.2), so ``read_zip`` checks:

* the entry count, from the end of central directory record and from the central directory's own record
  signatures, before ``zipfile.ZipFile`` builds one object per entry (Z5); ZIP64 archives are refused
  (their end records are where CVE-2025-8291 lived);
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
import itertools
import stat
import struct
import unicodedata
import zipfile
import zlib
from typing import TYPE_CHECKING, Final, NamedTuple, TypeVar

from .._errors import LimitExceededError, MalformedRequestError, MmsdrError, UnsupportedFormatError, shown

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .._limits import Limits

__all__ = ("ZipSource", "name_key", "read_zip", "zip_error")

_E = TypeVar("_E", bound=MmsdrError)


class ZipSource(NamedTuple):
    """Whose zip it is, for error messages."""

    label: str
    """The prefix of every message (``"mms.zip"``, ``"mxtelecom.mms_inbound"``)."""

    format_name: str | None
    """The error's ``format`` (and, before its dot, ``provider``); None when the label names no format."""


def zip_error(kind: type[_E], what: ZipSource, message: str, *, field: str | None = None) -> _E:
    """``kind("<label>: <message>")``, with the format (and provider) of ``what``."""
    provider = what.format_name.split(".", 1)[0] if what.format_name else None
    return kind(f"{what.label}: {message}", provider=provider, format=what.format_name, field=field)


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

# A 200:1 ratio is generous for already-compressed media (JPEG, MP4, AMR); small text files can go beyond it,
# hence the allowance (Z1 in docs/security.md).
_RATIO_ALLOWANCE: Final = 1024

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
def _translated(what: ZipSource, message: str, *, field: str | None = None) -> Iterator[None]:
    try:
        yield
    except MmsdrError:
        raise
    except _ZIP_ERRORS as exc:
        raise zip_error(MalformedRequestError, what, f"{message} ({exc})", field=field) from exc


def read_zip(blob: memoryview, limits: Limits, what: ZipSource) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    """Every file entry of ``blob`` as ``(name, bytes)`` in zip order, and every entry's name by ``name_key``.

    ``blob`` (bytes, one byte an item) is within ``Limits.max_zip_bytes`` already; it is read where it is, never
    copied whole. Raises ``LimitExceededError``, ``UnsupportedFormatError`` or ``MalformedRequestError``, and
    nothing else.
    """
    directory_start = _check_end_record(blob, limits, what)
    with _translated(what, "is not a readable zip archive"):
        archive = zipfile.ZipFile(_ViewFile(blob))
    with archive:
        infos = archive.infolist()
        names_by_key = _check_entries(blob, infos, directory_start, limits, what)
        files = _read_files(archive, infos, limits, what)
    return files, names_by_key


class _ViewFile:
    """A read-only file over a view, for ``zipfile``: ``io.BytesIO`` would copy a view before reading it.

    It seeks as ``io.BytesIO`` does, the errors ``zipfile`` reports included; a read copies only what it reads.
    """

    __slots__ = ("_position", "_view")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._position = 0

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0, /) -> int:
        if whence == 0 and offset < 0:
            msg = f"negative seek value {offset}"
            raise ValueError(msg)
        base = (0, self._position, len(self._view))[whence]
        self._position = max(base + offset, 0)
        return self._position

    def read(self, size: int = -1, /) -> bytes:
        start = self._position
        end = len(self._view) if size < 0 else min(start + size, len(self._view))
        if end <= start:
            return b""
        self._position = end
        return self._view[start:end].tobytes()


def _entry_count_error(limits: Limits, what: ZipSource) -> LimitExceededError:
    return zip_error(LimitExceededError, what, f"more than {limits.max_zip_entries} entries (Limits.max_zip_entries)")


def _check_end_record(blob: memoryview, limits: Limits, what: ZipSource) -> int:
    """Find the end record as zipfile does and bound the entry count before ``ZipFile()`` reads it (Z5).

    Returns the offset of the central directory.
    """
    # The end records lie in the last 64 KiB + 22 bytes, and a ZIP64 locator right before them: only that
    # tail is copied to be searched. Offsets in the tail are "at"; the search starts at "search".
    tail_start = max(len(blob) - _END_SEARCH - _ZIP64_LOCATOR_SIZE, 0)
    tail = blob[tail_start:].tobytes()
    search = max(len(tail) - _END_SEARCH, 0)
    # zipfile._EndRecData: first a record at the very end with no comment, else the last signature in the
    # last 64 KiB + 22 bytes.
    if len(tail) >= _END_SIZE and tail.startswith(_END_SIGNATURE, len(tail) - _END_SIZE) and tail.endswith(b"\0\0"):
        at = len(tail) - _END_SIZE
    else:
        at = tail.rfind(_END_SIGNATURE, search)
    if at < 0 or len(tail) - at < _END_SIZE:
        raise zip_error(MalformedRequestError, what, "is not a zip archive (no end of central directory record)")
    position = tail_start + at
    entries_here, entries, directory_size, directory_offset = struct.unpack_from("<HHII", tail, at + 8)
    # zipfile reads a ZIP64 end record whenever its locator sits right before this one; the 0xFFFF... values
    # say "see the ZIP64 record".
    has_locator = at >= _ZIP64_LOCATOR_SIZE and tail.startswith(_ZIP64_LOCATOR_SIGNATURE, at - _ZIP64_LOCATOR_SIZE)
    if has_locator or 0xFFFF in {entries_here, entries} or 0xFFFFFFFF in {directory_size, directory_offset}:
        raise zip_error(
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
        raise zip_error(MalformedRequestError, what, "is not a readable zip archive (bad central directory size)")
    # ZipFile() copies the central directory to read it; so does this count.
    if blob[directory_start:position].tobytes().count(_CENTRAL_SIGNATURE) > limits.max_zip_entries:
        raise _entry_count_error(limits, what)
    return directory_start


def _check_name(info: zipfile.ZipInfo, limits: Limits, what: ZipSource) -> None:
    # orig_filename is the name as stored: ZipInfo cuts filename at a NUL.
    name = info.orig_filename
    if len(name) > limits.max_zip_name_chars:
        raise zip_error(
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
        raise zip_error(MalformedRequestError, what, f"entry name {problem}, got {shown(name)}", field=name)


def _is_directory(info: zipfile.ZipInfo) -> bool:
    # Not ZipInfo.is_dir(): it indexes filename[-1] and raises IndexError on an empty name.
    return info.filename.endswith("/")


def name_key(name: str) -> str:
    """What makes two names the same file on some system: case, Unicode normalisation, "." and "" parts."""
    parts = [part for part in name.split("/") if part not in {"", "."}]
    return unicodedata.normalize("NFC", "/".join(parts)).casefold()


def _check_entries(
    blob: memoryview, infos: list[zipfile.ZipInfo], directory_start: int, limits: Limits, what: ZipSource
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
            raise zip_error(UnsupportedFormatError, what, f"entry {shown(name)} is encrypted", field=name)
        if info.compress_type not in _METHODS:
            raise zip_error(
                UnsupportedFormatError,
                what,
                f"entry {shown(name)} uses a compression method other than stored or deflate, got {info.compress_type}",
                field=name,
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise zip_error(MalformedRequestError, what, f"entry {shown(name)} is a symbolic link", field=name)
        spans.append((*_entry_span(blob, info, directory_start, what), name))
    _check_layout(spans, what)
    seen: dict[str, str] = {}
    for info in infos:
        key = name_key(info.filename)
        if key in seen:
            raise zip_error(
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
            raise zip_error(
                LimitExceededError,
                what,
                f"entry {shown(name)} larger than {limits.max_zip_entry_bytes} bytes (Limits.max_zip_entry_bytes), "
                f"got {info.file_size}",
                field=name,
            )
        total += info.file_size
        if total > limits.max_zip_total_bytes:
            raise zip_error(
                LimitExceededError,
                what,
                f"entries larger than {limits.max_zip_total_bytes} bytes together (Limits.max_zip_total_bytes)",
                field=name,
            )
        if info.file_size > limits.max_zip_ratio * info.compress_size + _RATIO_ALLOWANCE:
            raise zip_error(
                LimitExceededError,
                what,
                f"entry {shown(name)} compressed more than {limits.max_zip_ratio}:1 (Limits.max_zip_ratio), "
                f"got {info.file_size} bytes from {info.compress_size}",
                field=name,
            )
    return seen


def _entry_span(blob: memoryview, info: zipfile.ZipInfo, directory_start: int, what: ZipSource) -> tuple[int, int]:
    """``[local header, end of data)`` of an entry, which must lie before the central directory (Z10)."""
    name = info.orig_filename
    start = info.header_offset
    if (
        start < 0
        or start + _LOCAL_HEADER_SIZE > directory_start
        or blob[start : start + 4].tobytes() != _LOCAL_SIGNATURE
    ):
        raise zip_error(
            MalformedRequestError,
            what,
            f"entry {shown(name)} has no local header where the central directory says, got offset {start}",
            field=name,
        )
    name_length, extra_length = struct.unpack_from("<HH", blob, start + 26)
    end = start + _LOCAL_HEADER_SIZE + name_length + extra_length + info.compress_size
    if end > directory_start:
        raise zip_error(
            MalformedRequestError,
            what,
            f"entry {shown(name)} runs past the start of the central directory, got {info.compress_size} "
            "compressed bytes",
            field=name,
        )
    return start, end


def _check_layout(spans: list[tuple[int, int, str]], what: ZipSource) -> None:
    """No two entries share a local header (Z3) or overlap (Z2): the two zip-bomb constructions that make a
    few KB decompress to GBs by reading the same bytes again. CPython 3.11.7 checks neither, and newer ones
    only warn when a local header is shared."""
    spans = sorted(spans)
    for (start, end, name), (next_start, _next_end, next_name) in itertools.pairwise(spans):
        if start == next_start:
            raise zip_error(
                MalformedRequestError,
                what,
                f"entry {shown(next_name)} shares its local header with entry {shown(name)} (a zip bomb shape), "
                f"got offset {start}",
                field=next_name,
            )
        if end > next_start:
            raise zip_error(
                MalformedRequestError,
                what,
                f"entry {shown(name)} overlaps entry {shown(next_name)} (a zip bomb shape), "
                f"got data up to {end} past offset {next_start}",
                field=name,
            )


def _read_files(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits, what: ZipSource
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
                        raise zip_error(
                            LimitExceededError,
                            what,
                            f"entry {shown(name)} larger than {limits.max_zip_entry_bytes} bytes "
                            "(Limits.max_zip_entry_bytes)",
                            field=name,
                        )
                    if total > limits.max_zip_total_bytes:
                        raise zip_error(
                            LimitExceededError,
                            what,
                            f"entries larger than {limits.max_zip_total_bytes} bytes together "
                            "(Limits.max_zip_total_bytes)",
                            field=name,
                        )
        except MmsdrError:
            raise
        except _ZIP_ERRORS as exc:  # what _translated does, with the message built only when it is needed
            raise zip_error(MalformedRequestError, what, f"entry {shown(name)} is corrupt ({exc})", field=name) from exc
        if size != info.file_size:
            raise zip_error(
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

"""Threat catalogue rows Z1-Z10 (zip) against the public parse_request, through the MX Telecom ``mms.zip`` POST.

Every hostile archive is built here, a few KB each; the bombs expand to hundreds of MB only in a reader
without mmsdr's checks.
"""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib

import pytest
from _threats import (
    central_record,
    central_records,
    full_overlap_bomb,
    local_header,
    make_zip,
    mms_zip,
    mx_form,
    parsed,
    patch,
    quoted_overlap_bomb,
    refused,
    zip_with_entry_named,
)

from mmsdr import InboundMessage, LimitExceededError, Limits, MalformedRequestError, MmsdrError, UnsupportedFormatError
from mmsdr._errors import shown

FMT = "mxtelecom.mms_inbound"


def refused_zip(
    data: bytes,
    *,
    error: type[MmsdrError] = MalformedRequestError,
    status: int = 400,
    message: str | None = None,
    prefix: str | None = None,
    **options: object,
) -> MmsdrError:
    headers, body = mx_form(data)
    return refused(
        headers, body, None, error=error, status=status, message=message, prefix=prefix, method="POST", **options
    )


def test_z1_high_ratio_deflate_is_refused_on_its_ratio() -> None:
    bomb = make_zip([("zeros.bin", bytes(100 * 1024 * 1024)), ("manifest", b"zeros.bin=image/jpeg\n")])
    assert len(bomb) < 150_000
    refused_zip(
        bomb,
        error=LimitExceededError,
        status=413,
        message=f"{FMT}: entry 'zeros.bin' larger than 10485760 bytes (Limits.max_zip_entry_bytes), got 104857600",
    )


def test_z1_high_ratio_deflate_within_the_entry_cap_is_refused_on_its_ratio() -> None:
    bomb = make_zip([("zeros.bin", bytes(1024 * 1024))])
    assert len(bomb) < 5_000
    refused_zip(
        bomb,
        error=LimitExceededError,
        status=413,
        prefix=f"{FMT}: entry 'zeros.bin' compressed more than 200:1 (Limits.max_zip_ratio), got 1048576 bytes from ",
    )


def test_z2_quoted_overlap_bomb() -> None:
    bomb = quoted_overlap_bomb(files=20, kernel_size=1 << 20)
    assert len(bomb) < 5_000
    refused_zip(
        bomb,
        prefix=f"{FMT}: entry '0000.bin' overlaps entry '0001.bin' (a zip bomb shape), got ",
        limits=Limits(max_zip_ratio=100_000),
    )


@pytest.mark.parametrize("same_names", [True, False], ids=["same-name", "distinct-names"])
def test_z3_full_overlap_duplicate_central_records(same_names: bool) -> None:
    bomb = full_overlap_bomb(same_names=same_names)
    first, second = ("a.bin", "a.bin") if same_names else ("00.bn", "01.bn")
    refused_zip(
        bomb,
        message=f"{FMT}: entry {second!r} shares its local header with entry {first!r} (a zip bomb shape), got offset 0",
        limits=Limits(max_zip_ratio=100_000),
    )


def _lying_size_zip(*, forge_crc: bool) -> tuple[bytes, bytes]:
    payload = b"".join(b"line %06d of the real payload\n" % index for index in range(5000))
    data = make_zip([("big.txt", payload)])
    (record,) = central_records(data)
    data = patch(patch(data, record + 24, "<I", 1000), 22, "<I", 1000)
    if forge_crc:
        crc = zlib.crc32(payload[:1000])
        data = patch(patch(data, record + 16, "<I", crc), 14, "<I", crc)
    return data, payload


def test_z4_lying_file_size_never_gives_more_than_declared() -> None:
    data, _ = _lying_size_zip(forge_crc=False)
    refused_zip(data, message=f"{FMT}: entry 'big.txt' is corrupt (Bad CRC-32 for file 'big.txt')")
    data, payload = _lying_size_zip(forge_crc=True)
    headers, body = mx_form(data)
    event = parsed(headers, body, None, method="POST")
    assert isinstance(event, InboundMessage)
    assert [part.data for part in event.parts] == [payload[:1000]]


@pytest.mark.parametrize("claimed", [1, 100_000 % 65536], ids=["end-record-lies", "end-record-wraps"])
def test_z5_entry_count_bomb(claimed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    records = b"".join(central_record(b"%06d" % index, 0, 0, 0, 0, method=0) for index in range(100_000))
    local = local_header(b"000000", 0, 0, 0, method=0)
    data = (
        local + records + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, claimed, claimed, len(records), len(local), 0)
    )

    def no_zipfile(*args: object, **kwargs: object) -> None:
        pytest.fail("zipfile.ZipFile() was reached")

    monkeypatch.setattr(zipfile, "ZipFile", no_zipfile)
    refused_zip(
        data, error=LimitExceededError, status=413, message=f"{FMT}: more than 256 entries (Limits.max_zip_entries)"
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../../etc/cron.d/x", "has a '..' component"),
        ("/etc/passwd", "is an absolute path"),
        ("C:\\x", "contains a backslash"),
        ("c:/x.gif", "starts with a drive letter"),
        ("x\0.gif.exe", "contains a NUL character"),
    ],
)
def test_z6_zip_slip_and_absolute_names(name: str, problem: str) -> None:
    refused_zip(zip_with_entry_named(name), message=f"{FMT}: entry name {problem}, got {shown(name)}")


@pytest.mark.parametrize(("first", "second"), [("a.txt", "a.txt"), ("photo.JPG", "Photo.jpg")])
def test_z7_duplicate_names(first: str, second: str) -> None:
    placeholder = "#" * len(second)
    data = make_zip([(first, b"one"), (placeholder, b"two")]).replace(placeholder.encode(), second.encode())
    refused_zip(data, message=f"{FMT}: entry {second!r} repeats entry {first!r} (names are compared without case)")


def test_z8_encrypted_entry() -> None:
    data = make_zip([("secret.txt", b"x")])
    (record,) = central_records(data)
    data = patch(patch(data, record + 8, "<H", 1), 6, "<H", 1)
    refused_zip(data, error=UnsupportedFormatError, status=415, message=f"{FMT}: entry 'secret.txt' is encrypted")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_z8_odd_compression_methods(method: int) -> None:
    refused_zip(
        make_zip([("a.txt", b"x" * 100)], compression=method),
        error=UnsupportedFormatError,
        status=415,
        message=f"{FMT}: entry 'a.txt' uses a compression method other than stored or deflate, got {method}",
    )


def test_z8_symlink_entry() -> None:
    link = zipfile.ZipInfo("link.jpg")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    refused_zip(make_zip([(link, b"/etc/passwd")]), message=f"{FMT}: entry 'link.jpg' is a symbolic link")


def test_z9_nested_zip_is_opaque_bytes() -> None:
    inner_bomb = quoted_overlap_bomb(files=10, kernel_size=1 << 20)
    headers, body = mx_form(mms_zip(("inner.zip", inner_bomb)))
    event = parsed(headers, body, None, method="POST")
    assert isinstance(event, InboundMessage)
    inner = next(part for part in event.parts if part.filename == "inner.zip")
    assert (inner.content_type, inner.data) == ("application/zip", inner_bomb)


def test_z10_forged_compress_size_is_refused_before_reading() -> None:
    data = make_zip([("a.txt", b"hello")])
    (record,) = central_records(data)
    refused_zip(
        patch(data, record + 20, "<I", 0xFFFFFFFE),
        message=f"{FMT}: entry 'a.txt' runs past the start of the central directory, got 4294967294 compressed bytes",
    )


def test_z10_forged_file_size_is_refused_on_the_declared_size() -> None:
    data = make_zip([("a.txt", b"hello")])
    (record,) = central_records(data)
    refused_zip(
        patch(data, record + 24, "<I", 0xFFFFFFFE),
        error=LimitExceededError,
        status=413,
        message=f"{FMT}: entry 'a.txt' larger than 10485760 bytes (Limits.max_zip_entry_bytes), got 4294967294",
    )

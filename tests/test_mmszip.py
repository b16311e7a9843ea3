"""Zipped MMS contents (mmsdr.mxtelecom.mmszip): manifest order and syntax, and threat rows Z1-Z10.

Every hostile zip is built here, in memory: with zipfile, then patched with struct where the attack needs
fields zipfile would never write.
"""

from __future__ import annotations

import io
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
    patch,
    quoted_overlap_bomb,
    zip_with_entry_named,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from mmsdr import LimitExceededError, Limits, MalformedRequestError, MmsdrError, UnsupportedFormatError
from mmsdr._errors import shown
from mmsdr._wire.zip import _read_size
from mmsdr.mxtelecom.mmszip import ZippedMms, parse_manifest, read_mms_zip

SMIL = b'<smil><body><par dur="5000ms"><img src="demo.gif"/><text src="demo.txt"/></par></body></smil>'
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8 + b"\xff\xd9"
MANIFEST = b"""# MMS manifest
demo.sml=application/smil
demo.gif=image/gif
photo.jpg=image/jpeg
demo.txt=text/plain
"""


REALISTIC = make_zip(
    [
        ("demo.txt", "Hello from the handset — ünïcode".encode()),
        ("photo.jpg", JPEG),
        ("demo.gif", GIF),
        ("manifest", MANIFEST),
        ("demo.sml", SMIL),
    ]
)


# -- the documented format ------------------------------------------------------------------------------------


def test_realistic_zip_in_manifest_order() -> None:
    mms = read_mms_zip(REALISTIC)
    assert [(part.content_id, part.content_type, part.filename, part.charset) for part in mms.parts] == [
        ("demo.sml", "application/smil", "demo.sml", None),
        ("demo.gif", "image/gif", "demo.gif", None),
        ("photo.jpg", "image/jpeg", "photo.jpg", None),
        ("demo.txt", "text/plain", "demo.txt", "utf-8"),
    ]
    assert [part.data for part in mms.parts] == [SMIL, GIF, JPEG, "Hello from the handset — ünïcode".encode()]
    assert mms.smil is mms.parts[0]
    assert mms.text == "Hello from the handset — ünïcode"
    assert mms.manifest == (
        ("demo.sml", "application/smil"),
        ("demo.gif", "image/gif"),
        ("photo.jpg", "image/jpeg"),
        ("demo.txt", "text/plain"),
    )
    assert mms.missing == ()


def test_entries_missing_from_the_manifest_follow_in_zip_order() -> None:
    data = make_zip(
        [("z.amr", b"#!AMR\n"), ("demo.gif", GIF), ("a.txt", b"second text"), ("manifest", b"demo.gif=image/gif\n")]
    )
    mms = read_mms_zip(data)
    assert [(part.filename, part.content_id, part.content_type) for part in mms.parts] == [
        ("demo.gif", "demo.gif", "image/gif"),
        ("z.amr", None, "audio/amr"),
        ("a.txt", None, "text/plain"),
    ]
    assert mms.text == "second text"
    assert mms.smil is None


def test_manifest_keys_missing_from_the_zip_are_reported() -> None:
    manifest = b"gone.jpg=image/jpeg\ndemo.gif=image/gif\nalso-gone.txt=text/plain\n"
    mms = read_mms_zip(make_zip([("demo.gif", GIF), ("manifest", manifest)]))
    assert [part.filename for part in mms.parts] == ["demo.gif"]
    assert mms.missing == ("gone.jpg", "also-gone.txt")
    assert len(mms.manifest) == 3


def test_without_a_manifest_types_come_from_names() -> None:
    names = [
        "a.sml",
        "b.SMIL",
        "c.jpg",
        "d.JPEG",
        "e.amr",
        "f.3gp",
        "g.mid",
        "h.txt",
        "i.wbmp",
        "j.png",
        "k.unknown",
        "l",
    ]
    mms = read_mms_zip(make_zip([(name, b"x") for name in names]))
    assert [part.content_type for part in mms.parts] == [
        "application/smil",
        "application/smil",
        "image/jpeg",
        "image/jpeg",
        "audio/amr",
        "video/3gpp",
        "audio/midi",
        "text/plain",
        "image/vnd.wap.wbmp",
        "image/png",
        "application/octet-stream",
        "application/octet-stream",
    ]
    assert mms.smil is not None
    assert mms.smil.filename == "a.sml"
    assert mms.manifest == ()
    assert all(part.content_id is None for part in mms.parts)


def test_manifest_values_with_parameters_and_fallbacks() -> None:
    manifest = (
        b"a.txt=text/plain; charset=iso-8859-1\n"
        b"b.gif=not a media type\n"
        b"c.bin=\n"
        b"D.JPG=image/jpeg\n"  # matched without case
        b"=orphan\n"
    )
    data = make_zip(
        [
            ("a.txt", "café".encode("iso-8859-1")),
            ("b.gif", GIF),
            ("c.bin", b"\0"),
            ("d.jpg", JPEG),
            ("manifest", manifest),
        ]
    )
    mms = read_mms_zip(data)
    assert [(part.filename, part.content_id, part.content_type, part.charset) for part in mms.parts] == [
        ("a.txt", "a.txt", "text/plain", "iso-8859-1"),
        ("b.gif", "b.gif", "image/gif", None),
        ("c.bin", "c.bin", "application/octet-stream", None),
        ("d.jpg", "D.JPG", "image/jpeg", None),
    ]
    assert mms.parts[0].text == "café"
    assert mms.missing == ()


def test_manifest_repeated_key_last_value_wins_first_position_kept() -> None:
    manifest = b"a.gif=image/png\nb.txt=text/plain\na.gif=image/gif\n"
    mms = read_mms_zip(make_zip([("b.txt", b"t"), ("a.gif", GIF), ("manifest", manifest)]))
    assert [(part.filename, part.content_type) for part in mms.parts] == [
        ("a.gif", "image/gif"),
        ("b.txt", "text/plain"),
    ]
    assert mms.manifest == (("a.gif", "image/png"), ("b.txt", "text/plain"), ("a.gif", "image/gif"))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("caf\u00e9.txt=text/plain".encode("utf-8"), "café.txt"),
        ("caf\u00e9.txt=text/plain".encode("latin-1"), "café.txt"),  # not UTF-8: ISO-8859-1, as Java reads it
        (b"\xef\xbb\xbfcaf\\u00e9.txt=text/plain", "café.txt"),  # BOM dropped, \uXXXX escape
    ],
)
def test_manifest_encodings(data: bytes, expected: str) -> None:
    mms = read_mms_zip(make_zip([(expected, b"x"), ("manifest", data)]))
    assert mms.parts[0].content_id == expected
    assert mms.parts[0].content_type == "text/plain"


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("a=b", (("a", "b"),)),
        ("a:b\nc d\ne\tf\ng\fh", (("a", "b"), ("c", "d"), ("e", "f"), ("g", "h"))),
        ("  a  =  b  ", (("a", "b  "),)),  # Java keeps trailing white space in values
        ("a = = b", (("a", "= b"),)),
        ("a b = c", (("a", "b = c"),)),
        ("# comment\n! bang\n   # indented comment\n\n   \na=b", (("a", "b"),)),
        ("a=b # not a comment", (("a", "b # not a comment"),)),
        ("key", (("key", ""),)),
        ("key=", (("key", ""),)),
        ("=value", (("", "value"),)),
        ("a\\=b\\:c\\ d=e", (("a=b:c d", "e"),)),
        ("a=\\t\\n\\r\\f\\\\\\q", (("a", "\t\n\r\f\\q"),)),
        ("a=\\u00e9\\u20AC", (("a", "é€"),)),
        ("a=\\u12", (("a", "u12"),)),  # malformed: kept, where Java would throw
        ("a=one \\\n    two \\\n\tthree", (("a", "one two three"),)),
        ("a=b\\\\\nc=d", (("a", "b\\"), ("c", "d"))),  # an even number of backslashes does not continue
        ("# comment \\\na=b", (("a", "b"),)),  # comments are not continued
        ("a=b\\\n# not a comment", (("a", "b# not a comment"),)),
        ("a=b\\", (("a", "b"),)),  # a continuation at the end is dropped
        ("a=1\r\nb=2\rc=3\n", (("a", "1"), ("b", "2"), ("c", "3"))),
        ("\ufeffa=b", (("a", "b"),)),
        ("", ()),
    ],
)
def test_parse_manifest(text: str, pairs: tuple[tuple[str, str], ...]) -> None:
    assert parse_manifest(text) == pairs


def test_directory_entries_are_skipped() -> None:
    data = make_zip([(zipfile.ZipInfo("images/"), b""), ("images/a.gif", GIF), ("./b.txt", b"b")])
    mms = read_mms_zip(data)
    assert [part.filename for part in mms.parts] == ["images/a.gif", "./b.txt"]


def test_text_is_none_without_text_parts() -> None:
    assert read_mms_zip(make_zip([("a.gif", GIF)])).text is None
    assert read_mms_zip(make_zip([])) == ZippedMms(parts=(), smil=None, manifest=(), missing=())


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview])
def test_bytes_like_input(wrap: type) -> None:
    assert read_mms_zip(wrap(REALISTIC)) == read_mms_zip(REALISTIC)


@pytest.mark.parametrize("data", ["text", None, 42])
def test_input_of_the_wrong_type_is_a_type_error(data: object) -> None:
    with pytest.raises(TypeError):
        read_mms_zip(data)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "mms.zip: is not a zip archive (no end of central directory record)"),
        (b"GIF89a" * 100, "mms.zip: is not a zip archive (no end of central directory record)"),
        (REALISTIC[:-1], "mms.zip: is not a zip archive (no end of central directory record)"),
        (
            REALISTIC[:100] + REALISTIC[-22:],
            "mms.zip: is not a readable zip archive (bad central directory size)",
        ),
    ],
)
def test_not_a_zip(data: bytes, message: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(data)
    assert str(caught.value) == message
    assert caught.value.status_hint == 400


def test_corrupt_entry_data() -> None:
    data = make_zip([("a.txt", b"hello world " * 50)])
    start = 30 + len("a.txt")
    corrupt = data[:start] + bytes(4) + data[start + 4 :]
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(corrupt)
    assert str(caught.value).startswith("mms.zip: entry 'a.txt' is corrupt (")
    assert caught.value.field == "a.txt"


def test_errors_name_the_format() -> None:
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(b"nope", what="mxtelecom.mms_inbound")
    assert str(caught.value) == "mxtelecom.mms_inbound: is not a zip archive (no end of central directory record)"
    assert (caught.value.provider, caught.value.format) == ("mxtelecom", "mxtelecom.mms_inbound")
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(b"nope")
    assert (caught.value.provider, caught.value.format) == (None, None)


def test_zip_over_the_size_limit() -> None:
    with pytest.raises(LimitExceededError) as caught:
        read_mms_zip(REALISTIC, limits=Limits(max_zip_bytes=1000))
    assert str(caught.value) == "mms.zip: zip larger than 1000 bytes (Limits.max_zip_bytes)"
    assert caught.value.status_hint == 413


def test_zip64_is_refused() -> None:
    end = REALISTIC.rindex(b"PK\x05\x06")
    sentinel = patch(REALISTIC, end + 8, "<HH", 0xFFFF, 0xFFFF)
    locator = REALISTIC[:end] + b"PK\x06\x07" + struct.pack("<IQI", 0, 0, 1) + REALISTIC[end:]
    for data in (sentinel, locator):
        with pytest.raises(UnsupportedFormatError) as caught:
            read_mms_zip(data)
        assert str(caught.value) == (
            "mms.zip: is a ZIP64 archive, which a zipped MMS never needs (at most 65535 entries and 4 GiB)"
        )
        assert caught.value.status_hint == 415


# -- threat rows Z1-Z10 (docs/security.md) --------------------------------------------------------------------------


def test_z1_high_ratio_deflate_rejected_before_decompressing() -> None:
    # 100 MiB of zeros deflate to ~100 KB: written in 1 MiB steps so the test never holds 100 MiB.
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w") as handle,
    ):
        for _ in range(100):
            handle.write(bytes(1 << 20))
    data = buffer.getvalue()
    assert len(data) < 200_000
    with pytest.raises(LimitExceededError) as caught:
        read_mms_zip(data)
    assert str(caught.value) == (
        "mms.zip: entry 'zeros.bin' larger than 10485760 bytes (Limits.max_zip_entry_bytes), got 104857600"
    )
    assert caught.value.field == "zeros.bin"
    # Within the size limits, the ratio alone refuses it.
    with pytest.raises(LimitExceededError) as caught:
        read_mms_zip(data, limits=Limits(max_zip_entry_bytes=200 << 20, max_zip_total_bytes=200 << 20))
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("zeros.bin")
    assert str(caught.value) == (
        f"mms.zip: entry 'zeros.bin' compressed more than 200:1 (Limits.max_zip_ratio), "
        f"got 104857600 bytes from {info.compress_size}"
    )
    assert caught.value.status_hint == 413


def test_z1_small_text_may_exceed_the_ratio() -> None:
    mms = read_mms_zip(make_zip([("a.txt", b" " * 1000)]))
    assert mms.parts[0].data == b" " * 1000


def test_z2_quoted_overlap_bomb_rejected() -> None:
    bomb = quoted_overlap_bomb(files=20, kernel_size=1 << 20)
    assert len(bomb) < 5_000
    # The construction is real: a reader without an overlap check (CPython 3.11.7) gets 20 MiB out of 4 KB.
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        try:
            total = sum(len(archive.read(name)) for name in archive.namelist())
        except zipfile.BadZipFile:  # CPython >= 3.11.8 / 3.12.2 detect it
            total = None
    assert total is None or total > 20 << 20
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(bomb)
    assert str(caught.value).startswith("mms.zip: entry '0000.bin' overlaps entry '0001.bin' (a zip bomb shape), got ")
    assert caught.value.status_hint == 400


def test_z2_overlap_refused_even_when_every_size_limit_allows_it() -> None:
    bomb = quoted_overlap_bomb(files=5, kernel_size=1000)
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(bomb, limits=Limits(max_zip_ratio=100_000))
    assert "overlaps entry" in str(caught.value)


@pytest.mark.parametrize("same_names", [True, False], ids=["same name", "distinct names"])
def test_z3_full_overlap_rejected(same_names: bool) -> None:
    bomb = full_overlap_bomb(same_names=same_names)
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(bomb)
    second = "a.bin" if same_names else "01.bn"
    first = "a.bin" if same_names else "00.bn"
    assert str(caught.value) == (
        f"mms.zip: entry {second!r} shares its local header with entry {first!r} (a zip bomb shape), got offset 0"
    )


def _lying_size_zip(forge_crc: bool) -> tuple[bytes, bytes]:
    payload = b"".join(b"line %06d of the real payload\n" % index for index in range(5000))
    data = make_zip([("big.txt", payload)])
    (record,) = central_records(data)
    data = patch(data, record + 24, "<I", 1000)
    data = patch(data, 22, "<I", 1000)
    if forge_crc:
        crc = zlib.crc32(payload[:1000])
        data = patch(data, record + 16, "<I", crc)
        data = patch(data, 14, "<I", crc)
    return data, payload


def test_z4_lying_file_size_gives_no_more_than_declared() -> None:
    data, payload = _lying_size_zip(forge_crc=False)
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(data)
    assert str(caught.value) == "mms.zip: entry 'big.txt' is corrupt (Bad CRC-32 for file 'big.txt')"
    # With a CRC forged for the first 1000 bytes, those are all that ever come out.
    data, payload = _lying_size_zip(forge_crc=True)
    (part,) = read_mms_zip(data).parts
    assert part.data == payload[:1000]


def test_z4_short_entry_is_corrupt() -> None:
    data = make_zip([("a.txt", b"abc" * 100)], compression=zipfile.ZIP_STORED)
    (record,) = central_records(data)
    data = patch(patch(data, record + 24, "<I", 400), 22, "<I", 400)
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(data)
    assert str(caught.value).startswith("mms.zip: entry 'a.txt' is corrupt")


def _refuse_zipfile(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail("ZipFile() was reached")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)


def test_z5_entry_count_checked_before_zipfile(monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_zip([(f"{index}.txt", b"") for index in range(257)])
    _refuse_zipfile(monkeypatch)
    with pytest.raises(LimitExceededError) as caught:
        read_mms_zip(data)
    assert str(caught.value) == "mms.zip: more than 256 entries (Limits.max_zip_entries)"
    assert caught.value.status_hint == 413


@pytest.mark.parametrize("claimed", [1, 100_000 % 65536], ids=["end record lies", "end record wraps"])
def test_z5_entry_count_bomb_rejected_whatever_the_end_record_says(
    claimed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 100 000 empty entries (4.6 MB of central directory): ZipFile() alone would build 100 000 ZipInfo objects.
    records = b"".join(central_record(b"%06d" % index, 0, 0, 0, 0, method=0) for index in range(100_000))
    local = local_header(b"000000", 0, 0, 0)
    data = (
        local + records + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, claimed, claimed, len(records), len(local), 0)
    )
    _refuse_zipfile(monkeypatch)
    with pytest.raises(LimitExceededError) as caught:
        read_mms_zip(data)
    assert str(caught.value) == "mms.zip: more than 256 entries (Limits.max_zip_entries)"


def test_z5_entries_within_the_limit() -> None:
    data = make_zip([(f"{index}.txt", b"x") for index in range(256)])
    assert len(read_mms_zip(data).parts) == 256
    with pytest.raises(LimitExceededError):
        read_mms_zip(data, limits=Limits(max_zip_entries=255))


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../../etc/cron.d/x", "has a '..' component"),
        ("images/../../x.gif", "has a '..' component"),
        ("..", "has a '..' component"),
        ("/etc/passwd", "is an absolute path"),
        ("C:\\Windows\\x.dll", "contains a backslash"),
        ("..\\..\\x", "contains a backslash"),
        ("C:x.gif", "starts with a drive letter"),
        ("c:/x.gif", "starts with a drive letter"),
        ("x\0.gif.exe", "contains a NUL character"),
        ("", "is empty"),
    ],
)
def test_z6_unsafe_names_rejected(name: str, problem: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(zip_with_entry_named(name))
    assert str(caught.value) == f"mms.zip: entry name {problem}, got {shown(name)}"
    assert caught.value.status_hint == 400


def test_z6_long_names_rejected() -> None:
    name = "a" * 256
    with pytest.raises(LimitExceededError) as caught:
        read_mms_zip(make_zip([(name, b"x")]))
    assert str(caught.value) == (
        f"mms.zip: entry name longer than 255 characters (Limits.max_zip_name_chars), got {shown(name)}"
    )
    assert read_mms_zip(make_zip([("a" * 255, b"x")])).parts[0].filename == "a" * 255


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("a.txt", "a.txt"),
        ("photo.JPG", "Photo.jpg"),
        ("caf\u00e9.txt", "cafe\u0301.txt"),  # NFC and NFD spellings
        ("dir/a.txt", "dir//./a.txt"),
    ],
)
def test_z7_duplicate_names_rejected(first: str, second: str) -> None:
    if first == second:  # zipfile only warns on a true duplicate: write a placeholder, then patch it
        data = make_zip([(first, b"one"), ("#" * len(second), b"two")]).replace(b"#" * len(second), second.encode())
    else:
        data = make_zip([(first, b"one"), (second, b"two")])
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(data)
    assert str(caught.value) == (
        f"mms.zip: entry {shown(second)} repeats entry {shown(first)} (names are compared without case)"
    )


def test_z8_encrypted_entry_rejected() -> None:
    data = make_zip([("secret.txt", b"x")])
    (record,) = central_records(data)
    data = patch(patch(data, record + 8, "<H", 1), 6, "<H", 1)
    with pytest.raises(UnsupportedFormatError) as caught:
        read_mms_zip(data)
    assert str(caught.value) == "mms.zip: entry 'secret.txt' is encrypted"
    assert caught.value.status_hint == 415


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_z8_other_compression_methods_rejected(method: int) -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        read_mms_zip(make_zip([("a.txt", b"x" * 100)], compression=method))
    assert str(caught.value) == (
        f"mms.zip: entry 'a.txt' uses a compression method other than stored or deflate, got {method}"
    )


def test_z8_symlink_rejected() -> None:
    link = zipfile.ZipInfo("link.jpg")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(make_zip([(link, b"/etc/passwd")]))
    assert str(caught.value) == "mms.zip: entry 'link.jpg' is a symbolic link"


def test_z9_nested_zip_stays_opaque_bytes() -> None:
    inner_bomb = quoted_overlap_bomb(files=10, kernel_size=1 << 20)
    mms = read_mms_zip(make_zip([("inner.zip", inner_bomb), ("a.txt", b"hi")]))
    inner = mms.parts[0]
    assert (inner.filename, inner.content_type, inner.data) == ("inner.zip", "application/zip", inner_bomb)


def test_z10_forged_compress_size_rejected_before_reading() -> None:
    data = make_zip([("a.txt", b"hello")])
    (record,) = central_records(data)
    forged = patch(data, record + 20, "<I", 0xFFFFFFFE)
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(forged)
    assert str(caught.value) == (
        "mms.zip: entry 'a.txt' runs past the start of the central directory, got 4294967294 compressed bytes"
    )
    # A header offset pointing nowhere is refused the same way, before any read.
    misplaced = patch(data, record + 42, "<I", 7)
    with pytest.raises(MalformedRequestError) as caught:
        read_mms_zip(misplaced)
    assert str(caught.value) == (
        "mms.zip: entry 'a.txt' has no local header where the central directory says, got offset 7"
    )


# -- property: nothing but MmsdrError on mutated zips ----------------------------------------------------------

SMALL_ZIP = make_zip(
    [("manifest", b"a.sml=application/smil\nb.txt=text/plain\n"), ("a.sml", SMIL), ("b.txt", b"hello " * 20)]
)


@settings(max_examples=200, deadline=None)
@given(
    edits=st.lists(st.tuples(st.integers(0, len(SMALL_ZIP) - 1), st.binary(min_size=1, max_size=4)), max_size=4),
    cut=st.integers(0, 40),
)
def test_mutated_zips_give_contents_or_an_mmsdr_error(edits: list[tuple[int, bytes]], cut: int) -> None:
    data = bytearray(SMALL_ZIP)
    for position, replacement in edits:
        data[position : position + len(replacement)] = replacement
    candidate = bytes(data[: len(data) - cut]) if cut > 30 else bytes(data)
    try:
        mms = read_mms_zip(candidate)
    except MmsdrError:
        return
    assert isinstance(mms, ZippedMms)


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 200_000])
def test_entries_read_whole_at_every_size_around_the_read_step(compression: int, size: int) -> None:
    # Entries come out in 64 KiB steps: one step is kept as it is, more are joined.
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    zipped = read_mms_zip(make_zip([("a.bin", data), ("b.txt", b"text")], compression))
    assert [part.data for part in zipped.parts] == [data, b"text"]
    with pytest.raises(LimitExceededError):
        read_mms_zip(make_zip([("a.bin", data + b"xx")], compression), limits=Limits(max_zip_entry_bytes=max(size, 1)))


def test_reads_take_whole_steps_that_stay_within_both_limits() -> None:
    # Checked at the same 64 KiB step as a step-by-step read would be: only steps that cannot cross a limit
    # are taken together.
    limits = Limits(max_zip_entry_bytes=300_000, max_zip_total_bytes=1_000_000)
    assert _read_size(limits, 0, 0) == 4 * 65536
    assert _read_size(limits, 4 * 65536, 4 * 65536) == 65536  # 37 856 bytes of room: one step
    assert _read_size(limits, 0, 900_000) == 65536  # the total's room decides
    assert _read_size(limits, 0, 1_000_000) == 65536

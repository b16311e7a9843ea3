"""MX Telecom inbound MMS by multipart POST: the form fields and the unpacked ``mms.zip``."""

from __future__ import annotations

import io
import zipfile

import pytest
from _support import at, only_event, utc_offset, without_keys

import mmsdr
from mmsdr import Callback, InboundMessage, Part, RawFields
from mmsdr.mxtelecom import MmsInboundDetails

SMIL = b'<smil><body><par><img src="demo.gif"/><text src="demo.txt"/></par></body></smil>'
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
TEXT = "Greetings from the beach \u2600".encode()
# MX Telecom's zipped MMS page: "demo.sml=application/smil", "demo.gif=image/gif", "demo.txt=text/plain"
MANIFEST = b"# MMS manifest\ndemo.sml=application/smil\ndemo.txt=text/plain\ndemo.gif=image/gif\n"


def mms_zip(manifest: bytes = MANIFEST) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("demo.gif", GIF)  # zip order differs from the manifest: the manifest wins
        archive.writestr("demo.sml", SMIL)
        archive.writestr("demo.txt", TEXT)
        archive.writestr("manifest", manifest)
    return buffer.getvalue()


FIELDS = [
    ("id", "MX-77aa01"),
    ("from", "447700900123"),
    ("to", "81111"),
    ("to", "81112"),
    ("cc", "447700900456"),
    ("date", "2010-08-21 17:32:21 +0000"),
    ("type", "2"),
    ("network", "TMOBILEUK"),
    ("subject", "Beach"),
]


def form_post(
    fields: list[tuple[str, str]], zip_bytes: bytes | None, *, crlf: bytes = b"\r\n"
) -> tuple[dict[str, str], bytes]:
    body = b""
    for name, value in fields:
        body += b"--XyZ" + crlf + f'Content-Disposition: form-data; name="{name}"'.encode() + crlf + crlf
        body += value.encode() + crlf
    if zip_bytes is not None:
        body += b"--XyZ" + crlf + b'Content-Disposition: form-data; name="mms.zip"; filename="mms.zip"' + crlf
        body += b"Content-Type: application/zip" + crlf + crlf + zip_bytes + crlf
    body += b"--XyZ--" + crlf
    return {"Content-Type": "multipart/form-data; boundary=XyZ"}, body


def test_post_with_mms_zip_gives_the_parts_in_manifest_order() -> None:
    headers, body = form_post(FIELDS, mms_zip())
    callback = mmsdr.parse_request(headers, body, None, method="POST")
    expected = InboundMessage(
        provider="mxtelecom",
        format="mxtelecom.mms_inbound",
        timestamp=at(2010, 8, 21, 17, 32, 21, tz=utc_offset(0)),
        dedupe_key="",
        raw=RawFields(FIELDS),
        message_id="MX-77aa01",
        channel="mms",
        sender="447700900123",
        recipients=("81111", "81112"),
        cc=("447700900456",),
        subject="Beach",
        text="Greetings from the beach \u2600",
        parts=(
            Part(content_type="application/smil", data=SMIL, content_id="demo.sml", filename="demo.sml"),
            Part(content_type="text/plain", data=TEXT, content_id="demo.txt", filename="demo.txt", charset="utf-8"),
            Part(content_type="image/gif", data=GIF, content_id="demo.gif", filename="demo.gif"),
        ),
        details=MmsInboundDetails(network="TMOBILEUK"),
    )
    assert without_keys(callback) == Callback(
        provider="mxtelecom", format="mxtelecom.mms_inbound", events=(expected,), warnings=(), details=None
    )
    # Parts by value: the bytes are here, no reference.
    assert all(part.data is not None and part.url is None for part in expected.parts)
    assert mmsdr.acknowledge(callback).body == b"OK"


def test_post_and_get_of_the_same_message_share_the_key_and_fields() -> None:
    headers, body = form_post(FIELDS, mms_zip())
    posted = only_event(mmsdr.parse_request(headers, body, None), InboundMessage)
    query = "&".join(f"{name}={value.replace(' ', '+').replace('+0000', '%2B0000')}" for name, value in FIELDS)
    notified = only_event(mmsdr.parse_request({}, b"", query), InboundMessage)
    assert posted.dedupe_key == notified.dedupe_key
    assert (posted.recipients, posted.cc, posted.subject, posted.details) == (
        notified.recipients,
        notified.cc,
        notified.subject,
        notified.details,
    )
    # The POST carries the parts by value; the GET notification the zip by reference.
    assert [part.url for part in posted.parts] == [None, None, None]
    assert notified.parts == (
        Part(
            content_type="application/zip", url="https://mms.mxtelecom.com/RetrieveMMS?id=MX-77aa01", filename="mms.zip"
        ),
    )


def test_fields_in_the_query_string_and_zip_in_the_body() -> None:
    headers, body = form_post([], mms_zip())
    query = "id=MX-1&from=447700900123&to=81111&date=2010-08-21+17%3A32%3A21&type=2"
    event = only_event(mmsdr.parse_request(headers, body, query), InboundMessage)
    assert [part.content_id for part in event.parts] == ["demo.sml", "demo.txt", "demo.gif"]


@pytest.mark.parametrize("crlf", [b"\r\n", b"\n"], ids=["crlf", "bare-lf"])
def test_every_split_of_the_body_gives_the_same_event(crlf: bytes) -> None:
    headers, body = form_post(FIELDS, mms_zip(), crlf=crlf)
    expected = mmsdr.parse_request(headers, body, None)
    for size in (1, 7, 64, 1000):
        chunks = [body[start : start + size] for start in range(0, len(body), size)]
        assert mmsdr.parse_request(headers, chunks, None) == expected


def test_sms_by_post_needs_no_zip() -> None:
    fields = [
        ("id", "MX-2"),
        ("from", "447700900123"),
        ("to", "81111"),
        ("date", "2010-08-21 17:32:21"),
        ("type", "6"),
        ("message", "hi"),
    ]
    event = only_event(mmsdr.parse_request(*form_post(fields, None), None), InboundMessage)
    assert (event.channel, event.text, event.parts, event.details) == ("sms", "hi", (), MmsInboundDetails())


@pytest.mark.parametrize(
    ("zip_bytes", "error", "message"),
    [
        (None, mmsdr.MalformedRequestError, "mxtelecom.mms_inbound: part 'mms.zip' is missing from the multipart POST"),
        (
            b"PK not really a zip",
            mmsdr.MalformedRequestError,
            "mxtelecom.mms_inbound: is not a zip archive (no end of central directory record)",
        ),
    ],
)
def test_post_errors(zip_bytes: bytes | None, error: type[mmsdr.MmsdrError], message: str) -> None:
    with pytest.raises(error) as caught:
        mmsdr.parse_request(*form_post(FIELDS, zip_bytes), None)
    assert str(caught.value) == message
    assert caught.value.format == "mxtelecom.mms_inbound"
    assert caught.value.status_hint == 400


def test_a_zip_bomb_in_the_post_is_refused_with_413() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest", b"big.txt=text/plain\n")
        archive.writestr("big.txt", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        mmsdr.parse_request(*form_post(FIELDS, buffer.getvalue()), None)
    assert caught.value.format == "mxtelecom.mms_inbound"
    assert caught.value.status_hint == 413

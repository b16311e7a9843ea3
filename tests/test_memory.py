"""Peak memory of one parse, counted with tracemalloc (not timed): a large part's bytes are copied once.

The target (docs/performance.md): one ``parse_request`` + ``acknowledge`` of a multipart body peaks within
1.5x the body, the body itself built before tracing starts.
"""

from __future__ import annotations

import io
import json
import random
import tracemalloc
import zipfile
from typing import TYPE_CHECKING

import pytest

import mmsdr
import mmsdr.testing
from mmsdr import Limits, Part
from mmsdr._testing import media_headers, multipart_body
from mmsdr._wire.multipart import parse_multipart
from mmsdr.mxtelecom.mmszip import read_mms_zip

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

MEDIA = random.Random(7).randbytes(2_000_000)  # noqa: S311 - test data, not a secret
TARGET = 1.5


def peak(run: Callable[[], object]) -> int:
    """The tracemalloc peak of ``run()``, run once before to warm imports and caches."""
    run()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def parse_peak(headers: Sequence[tuple[str, str]], body: bytes, query: str | None = None) -> float:
    """The peak of one parse_request + acknowledge, as a multiple of the body; the media read checked first."""
    callback = mmsdr.parse_request(headers, body, query)
    (event,) = callback.events
    assert isinstance(event, mmsdr.InboundMessage)
    assert [part.data for part in event.parts if part.data == MEDIA] == [MEDIA]
    return peak(lambda: mmsdr.acknowledge(mmsdr.parse_request(headers, body, query))) / len(body)


def test_openmarket_mms_peaks_within_1_5x_the_body() -> None:
    main = {
        "type": "MO",
        "moId": 1,
        "source": "447800000001",
        "destinations": ["88600"],
        "date": "2014-07-16T19:20:30Z",
    }
    image = Part(content_type="image/jpeg", data=MEDIA, content_id="image.jpg")
    body = multipart_body(
        "b0undary",
        [
            ([("Content-Type", "application/json"), ("Content-Id", "main")], json.dumps(main).encode()),
            (media_headers(image, "binary"), MEDIA),
        ],
    )
    assert parse_peak([("Content-Type", "multipart/mixed; boundary=b0undary")], body) <= TARGET


def test_mxtelecom_post_with_mms_zip_peaks_within_1_5x_the_body() -> None:
    # The zip is read where it is in the body: only the stored entry's own bytes are copied out.
    request = mmsdr.testing.mxtelecom_mms_inbound(
        parts=(Part(content_type="image/jpeg", data=MEDIA, filename="a.jpg"),)
    )
    assert parse_peak(request.headers, request.body, request.query) <= TARGET


def test_mm7_deliver_req_with_an_attachment_peaks_within_1_5x_the_body() -> None:
    # The attachment is a part of a multipart/mixed inside the multipart/related body: the inner multipart is
    # read from a view of the body, so the attachment is copied out once, not once per level.
    request = mmsdr.testing.mm7_deliver(parts=(Part(content_type="image/jpeg", data=MEDIA, content_id="a.jpg"),))
    assert parse_peak(request.headers, request.body, request.query) <= TARGET


def test_multipart_parts_are_copied_out_of_the_body_once_when_asked_for() -> None:
    body = multipart_body("b", [([("Content-Type", "image/jpeg")], MEDIA), ([("Content-Type", "text/plain")], b"hi")])
    limits = Limits(max_body_bytes=len(body))
    # Reading the structure copies no part data: every part is a view of the body until asked for.
    assert peak(lambda: parse_multipart(body, "multipart/mixed; boundary=b", limits, what="mm7")) < len(MEDIA) / 20
    image, _ = parse_multipart(body, "multipart/mixed; boundary=b", limits, what="mm7")
    tracemalloc.start()
    try:
        data = image.data
        again = image.data
        copied = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data == MEDIA
    assert again is data
    assert copied < len(MEDIA) * 1.05


def stored_zip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.jpg", data)
    return buffer.getvalue()


def test_read_mms_zip_reads_a_view_without_copying_the_zip() -> None:
    zipped = stored_zip(MEDIA)
    view = memoryview(zipped)[: len(zipped)]
    assert read_mms_zip(view).parts[0].data == MEDIA
    # The stored entry's bytes are the one copy: not the zip's as well.
    assert peak(lambda: read_mms_zip(view)) < len(MEDIA) * 1.2


def test_read_mms_zip_leaves_a_bytearray_resizable() -> None:
    zipped = bytearray(stored_zip(b"jpeg"))
    assert read_mms_zip(zipped).parts[0].data == b"jpeg"
    zipped += b"more"  # a view left exported would make this a BufferError
    assert zipped.endswith(b"more")


@pytest.mark.parametrize("eol", [b"\r\n", b"\n"], ids=["CRLF", "bare LF"])
def test_a_part_of_near_delimiter_lines_is_read_without_a_copy(eol: bytes) -> None:
    # M11 (docs/security.md): a part made of lines that start like the delimiter used to be kept as one fragment
    # per line (tens of MiB per MiB in bare LF). Now it is one view of the body, like any other part.
    lines = (b"--bX" + eol) * 250_000
    body = b"--b" + eol + b"Content-Type: text/plain" + eol + eol + lines + eol + b"--b--" + eol
    limits = Limits(max_body_bytes=len(body))
    (part,) = parse_multipart(body, "multipart/mixed; boundary=b", limits, what="mm7")
    assert part.data == lines
    assert peak(lambda: parse_multipart(body, "multipart/mixed; boundary=b", limits, what="mm7")) < len(lines) / 20

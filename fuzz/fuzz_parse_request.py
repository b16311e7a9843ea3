"""Atheris harness for :func:`mmsdr.parse_request`: every input gives a ``Callback`` or an ``MmsdrError``.

The invariant (h11's, and docs/security.md's): whatever the bytes, ``parse_request`` either returns a
:class:`mmsdr.Callback` holding at least one event, for which :func:`mmsdr.acknowledge` returns an
:class:`mmsdr.Ack` (with ``retry=True`` too), or raises an :class:`mmsdr.MmsdrError` whose ``ack`` is
an :class:`mmsdr.Ack` and whose ``status_hint`` is a 4xx status. Nothing else may escape. Feeding the body in
chunks must give the same outcome as feeding it whole. The checks are ``assert`` statements: never run the
harness with ``python -O``. Every event's ``raw``, ``to_dict()`` and ``repr`` are read too.

An input is ``payload + control``: :class:`atheris.FuzzedDataProvider` takes integers from the end of the data
and bytes from the front, so the last bytes choose the seed request (``examples/requests/*.http``), what the
payload replaces (a whole raw request, the body, the query, or mutations of the seed), the content type, a
``Content-Encoding: gzip`` wrapping, header shuffles and duplicates, and the chunking. ``make_corpus.py`` writes
seed inputs in this shape.

Run: ``python fuzz/fuzz_parse_request.py fuzz/corpus -max_total_time=600`` (see fuzz/README.md).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import atheris  # type: ignore[import-untyped, import-not-found, unused-ignore]

with atheris.instrument_imports():
    import mmsdr
    from mmsdr.__main__ import RawHttpRequest, read_raw_request

SEED_DIR = Path(__file__).resolve().parent.parent / "examples" / "requests"
SEEDS: tuple[RawHttpRequest, ...] = tuple(
    read_raw_request(path.read_bytes()) for path in sorted(SEED_DIR.glob("*.http"))
)

# What the payload (the front of the input) is used as.
MODE_RAW_REQUEST = 0
MODE_BODY = 1
MODE_QUERY = 2
MODE_MUTATE = 3
MODES = 4

CONTENT_TYPES: tuple[str | None, ...] = (
    None,  # keep the seed's own
    "",
    "text/xml",
    "text/xml; charset=utf-16",
    "application/soap+xml; charset=iso-8859-1",
    "application/json",
    "application/json; charset=latin-1",
    'multipart/related; type="text/xml"; boundary=XyZ',
    'multipart/related; start="<nope>"; boundary="----=_Part_139078_1411587550.1397492135426"',
    "multipart/mixed; boundary=mimeboundary",
    "multipart/mixed; boundary=mimeboundary; boundary=other",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    'text/plain; charset="',
)
METHODS: tuple[str | None, ...] = (None, "GET", "POST", "HEAD", "PUT")


def _mutate(data: bytes, fdp: Any) -> bytes:
    """Apply a few byte-level mutations chosen by ``fdp``: flips, truncation, insertion, deletion, repeats."""
    buffer = bytearray(data)
    for _ in range(fdp.ConsumeIntInRange(0, 8)):
        op = fdp.ConsumeIntInRange(0, 5)
        pos = fdp.ConsumeIntInRange(0, max(len(buffer) - 1, 0))
        if op == 0 and buffer:
            buffer[pos] ^= 1 << fdp.ConsumeIntInRange(0, 7)
        elif op == 1:
            del buffer[pos:]
        elif op == 2:
            buffer[pos:pos] = fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 16))
        elif op == 3:
            del buffer[pos : pos + fdp.ConsumeIntInRange(1, 64)]
        elif op == 4:
            piece = bytes(buffer[pos : pos + fdp.ConsumeIntInRange(1, 64)])
            buffer[pos:pos] = piece * fdp.ConsumeIntInRange(1, 4)
        elif buffer:
            buffer[pos] = fdp.ConsumeIntInRange(0, 255)
    return bytes(buffer)


def _headers(seed: RawHttpRequest, fdp: Any) -> list[tuple[str, str]]:
    headers = list(seed.headers)
    content_type = CONTENT_TYPES[fdp.ConsumeIntInRange(0, len(CONTENT_TYPES) - 1)]
    if content_type is not None:
        headers = [(name, value) for name, value in headers if name.lower() != "content-type"]
        if content_type:
            headers.append(("Content-Type", content_type))
    # Both choices are always consumed, so that the payload in front keeps its length whatever the seed.
    duplicate, rotate = fdp.ConsumeIntInRange(0, 1), fdp.ConsumeIntInRange(0, 1)
    if headers and duplicate:  # a repeated header
        headers.append(headers[fdp.ConsumeIntInRange(0, len(headers) - 1)])
    if len(headers) > 1 and rotate:  # a different header order
        shift = fdp.ConsumeIntInRange(1, len(headers) - 1)
        headers = headers[shift:] + headers[:shift]
    return headers


def _touch(callback: mmsdr.Callback) -> None:
    """Everything an event offers, so that a slow or failing ``raw``, ``to_dict()`` or ``repr`` is found too."""
    for event in callback.events:
        pairs = event.raw.multi_items()
        assert len(event.raw) <= len(pairs), f"{event!r}: raw has more names than pairs"
        assert event.to_dict()["raw"] == [list(pair) for pair in pairs], f"{event!r}: to_dict() raw differs"
        assert repr(event)
    assert json.dumps(callback.to_dict())


def _outcome(headers: list[tuple[str, str]], body: Any, query: str | bytes, method: str | None) -> object:
    """The callback, or ``(error type, message)``; anything but an MmsdrError propagates and is a crash."""
    try:
        callback = mmsdr.parse_request(headers, body, query, method=method)
    except mmsdr.MmsdrError as caught:
        error = caught
    else:
        assert isinstance(callback, mmsdr.Callback), f"parse_request() returned {callback!r}"
        assert callback.events, f"{callback!r} has no events"
        assert isinstance(mmsdr.acknowledge(callback), mmsdr.Ack), f"acknowledge({callback!r}) is not an Ack"
        retry = mmsdr.acknowledge(callback, retry=True)
        assert isinstance(retry, mmsdr.Ack), f"acknowledge({callback!r}, retry=True) is not an Ack"
        _touch(callback)
        return callback
    assert isinstance(error.ack, mmsdr.Ack), f"{error!r}: ack is {error.ack!r}"
    assert 400 <= error.status_hint < 500, f"{error!r}: status_hint {error.status_hint!r}"
    return (type(error), str(error))


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    # Integers come from the end of the data: these control bytes are the last ones of a corpus file.
    seed = SEEDS[fdp.ConsumeIntInRange(0, 255) % len(SEEDS)]
    mode = fdp.ConsumeIntInRange(0, 255) % MODES
    method = METHODS[fdp.ConsumeIntInRange(0, 255) % len(METHODS)]
    gzipped = fdp.ConsumeIntInRange(0, 255) == 0xFF
    chunk_count = fdp.ConsumeIntInRange(1, 8)
    headers: list[tuple[str, str]] = list(seed.headers)
    body, query = seed.body, seed.query
    if mode == MODE_RAW_REQUEST:
        try:
            raw = read_raw_request(fdp.ConsumeBytes(fdp.remaining_bytes()))
        except ValueError:
            return
        headers, body, query, method = list(raw.headers), raw.body, raw.query, method or raw.method
    elif mode == MODE_BODY:
        headers = _headers(seed, fdp)
        body = fdp.ConsumeBytes(fdp.remaining_bytes())
    elif mode == MODE_QUERY:
        headers = _headers(seed, fdp)
        query = fdp.ConsumeBytes(fdp.remaining_bytes()).decode("latin-1")
    else:
        headers = _headers(seed, fdp)
        body = _mutate(body, fdp)
        if fdp.ConsumeIntInRange(0, 1):
            query = _mutate(query.encode("latin-1"), fdp).decode("latin-1")
    if gzipped:
        body = gzip.compress(body, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    whole = _outcome(headers, body, query, method)
    if chunk_count > 1 and body:
        step = max(1, len(body) // chunk_count)
        chunks = [body[i : i + step] for i in range(0, len(body), step)]
        chunked = _outcome(headers, iter(chunks), query, method)
        assert chunked == whole, f"chunked feeding differs: {chunked!r} != {whole!r}"


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

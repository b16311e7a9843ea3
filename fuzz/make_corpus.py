"""Write the seed corpus for fuzz_parse_request.py from ``examples/requests/*.http`` (a few KB; not committed)..

Each input is ``payload + control bytes``: the harness reads its choices from the end of the data (see its
docstring). For every example request this writes three inputs: the raw request as it travels, its body alone
and its query alone, each under the example's own headers. Then the shapes that once cost more than their size
(docs/security.md, M11 and F1), each under the example's own headers: a multipart body whose last part ends in
lines that start like the delimiter (CRLF, and the whole body in bare LF), a JSON body with thousands of extra
keys, an MM7 body with thousands of attributes on one element.

Usage: ``python fuzz/make_corpus.py [fuzz/corpus]``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mmsdr.__main__ import read_raw_request

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "requests"

# The harness's modes (fuzz_parse_request.MODE_*), repeated here so that this script needs no atheris.
MODE_RAW_REQUEST, MODE_BODY, MODE_QUERY = 0, 1, 2


def control(seed: int, mode: int) -> bytes:
    """The trailing bytes that choose ``seed`` and ``mode``, no method change, no gzip, one chunk, same headers."""
    # Consumed from the end: seed, mode, method, gzip, chunk count; then content type, duplicate, rotate.
    values = [seed, mode, 0, 0, 0]
    if mode != MODE_RAW_REQUEST:
        values += [0, 0, 0]
    return bytes(reversed(values))


FLOOD = 2_000  # lines, keys or attributes: a few tens of KB, within -max_len=65536


def costly_shapes(body: bytes, content_type: str) -> dict[str, bytes]:
    """The M11 and F1 shapes of ``body`` that apply to its content type, by file suffix."""
    shapes: dict[str, bytes] = {}
    boundary = re.search(r'boundary="?([^";]+)', content_type)
    if content_type.startswith("multipart/") and boundary is not None:
        dash = b"--" + boundary.group(1).encode("latin-1")
        closing = body.rfind(b"\n" + dash + b"--")
        if closing >= 0:
            crlf = body[closing - 1 : closing] == b"\r"
            closing -= crlf
            eol = b"\r\n" if crlf else b"\n"
            lines = min(FLOOD, 32_768 // (len(dash) + 3))
            near = body[:closing] + (eol + dash + b"X") * lines + body[closing:]
            if crlf:
                shapes["near-delimiter-crlf"] = near
            shapes["near-delimiter-lf"] = near.replace(b"\r\n", b"\n")
    if content_type.startswith("application/json") and body.strip().startswith(b"{") and body.rstrip().endswith(b"}"):
        end = body.rindex(b"}")  # after the known keys, which format detection looks for first
        keys = b"".join(b',"%x":%d' % (index, index) for index in range(FLOOD))
        shapes["extra-keys"] = body[:end].rstrip() + keys + body[end:]
    version = re.search(rb"<[\w.-]*:?MM7Version", body)
    if version is not None:
        attributes = b"".join(b' a%x="%d"' % (index, index) for index in range(FLOOD))
        shapes["attributes"] = body[: version.end()] + attributes + body[version.end() :]
    return shapes


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE / "corpus"
    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(EXAMPLES.glob("*.http"))
    for seed, path in enumerate(paths):
        raw = path.read_bytes()
        request = read_raw_request(raw)
        body, query = request.body, request.query.encode("latin-1")
        (out / f"{path.stem}.raw").write_bytes(raw + control(seed, MODE_RAW_REQUEST))
        if body:
            (out / f"{path.stem}.body").write_bytes(body + control(seed, MODE_BODY))
        if query:
            (out / f"{path.stem}.query").write_bytes(query + control(seed, MODE_QUERY))
        content_type = next((value for name, value in request.headers if name.lower() == "content-type"), "")
        for suffix, shaped in costly_shapes(body, content_type.strip()).items():
            (out / f"{path.stem}.{suffix}").write_bytes(shaped + control(seed, MODE_BODY))
    print(f"wrote {len(list(out.iterdir()))} inputs to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

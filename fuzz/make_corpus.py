"""Write the seed corpus for fuzz_parse_request.py from ``examples/requests/*.http`` (a few KB; not committed)..

Each input is ``payload + control bytes``: the harness reads its choices from the end of the data (see its
docstring). For every example request this writes three inputs: the raw request as it travels, its body alone
and its query alone, each under the example's own headers.

Usage: ``python fuzz/make_corpus.py [fuzz/corpus]``.
"""

from __future__ import annotations

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
    print(f"wrote {len(list(out.iterdir()))} inputs to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

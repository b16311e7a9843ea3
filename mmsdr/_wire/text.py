"""Text that can always be written as UTF-8: the one rule for lone surrogates.

A Python ``str`` can hold a lone surrogate (U+D800 to U+DFFF) that no UTF-8 encoder writes: a JSON ``"\\ud800"``
escape, a charset decoder such as UTF-7 or ``unicode_escape``, a framework that decoded with ``surrogateescape``.
mmsdr never hands one on: the provider's text has each replaced by U+FFFD, as a decoder's ``errors="replace"`` does
for bytes, and a field that identifies the message is refused instead (see docs/errors-and-limits.md).
"""

from __future__ import annotations

import re

__all__ = ("REPLACEMENT", "first_lone_surrogate", "without_lone_surrogates")

REPLACEMENT = "\ufffd"

# Python combines a valid pair on every decode mmsdr uses, so any code point in this range is lone.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def first_lone_surrogate(text: str, /) -> str | None:
    """The first lone surrogate in ``text`` as ``"U+D800"``, or None (ASCII text is checked in C, at once)."""
    if text.isascii():
        return None
    found = _LONE_SURROGATE.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def without_lone_surrogates(text: str, /) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(REPLACEMENT, text)

"""One validation helper for name/value formats: every field is read, checked and reported the same way.

Error messages have one shape, tested verbatim: ``"<format>: field '<name>' <what was wrong>, got <value>"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._errors import MalformedRequestError, shown
from .._events import RawFields
from .._request import decode_text

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from .._format import ParseContext

__all__ = ("FieldReader",)

# int() accepts Arabic-Indic digits, "_" and surrounding spaces (a smuggled id would compare unequal): only ASCII 0-9
# (the only ASCII characters isdigit() takes), at most 20 of them (2**64 has 20 digits).
_MAX_DIGITS = 20


class FieldReader:
    """Typed access to ``(name, value)`` fields of one format, raising errors that name the field."""

    __slots__ = ("_fields", "_first", "_repeated", "context", "format")

    def __init__(
        self,
        fields: Sequence[tuple[str, bytes | str]],
        /,
        *,
        format_name: str,
        context: ParseContext,
        index: Mapping[str, bytes | str] | None = None,
    ) -> None:
        """``index``, when given, maps every name of ``fields`` to its last value (``Request.field_index``)."""
        self._fields = fields
        # Every accessor looks fields up by name: index them once. A name sent twice (rare) keeps every value.
        first: Mapping[str, bytes | str]
        repeated: dict[str, list[bytes | str]] | None = None
        if index is not None and len(index) == len(fields):
            first = index  # no name repeats: the last value is the first
        else:
            built: dict[str, bytes | str] = {}
            first = built
            for name, value in fields:
                if name in built:
                    if repeated is None:
                        repeated = {}
                    repeated.setdefault(name, [built[name]]).append(value)
                else:
                    built[name] = value
        self._first = first
        self._repeated = repeated
        self.format = format_name
        self.context = context

    @property
    def provider(self) -> str:
        return self.format.split(".", 1)[0]

    def raw(self) -> RawFields:
        """Every field, decoded as ``mmsdr._request.decode_text`` says, in order (built on first use)."""
        fields = self._fields
        return RawFields.lazy(lambda: [(name, _as_text(value)) for name, value in fields])

    def error(self, field: str, problem: str, value: object = None, *, show: bool = True) -> MalformedRequestError:
        """A [`MalformedRequestError`][mmsdr.MalformedRequestError] for ``field``: ``problem`` plus the offending
        value."""
        message = f"{self.format}: field {field!r} {problem}"
        if show:
            message += f", got {shown(value)}"
        return MalformedRequestError(message, provider=self.provider, format=self.format, field=field)

    def has(self, name: str) -> bool:
        return name in self._first

    def values(self, name: str) -> Sequence[bytes | str]:
        if self._repeated is not None and name in self._repeated:
            return self._repeated[name]
        value = self._first.get(name)
        return () if value is None else (value,)

    def _single(self, name: str) -> bytes | str | None:
        if self._repeated is None or name not in self._repeated:
            return self._first.get(name)
        values = self._repeated[name]
        if any(value != values[0] for value in values[1:]):
            # Q1: a repeated key field with two values makes the request ambiguous; refuse to guess.
            raise self.error(name, "is repeated with different values", [self._decode(v) for v in values])
        return values[0]

    def _decode(self, value: bytes | str, charset: str | None = None) -> str:
        if charset is None or isinstance(value, str):
            return _as_text(value)
        return value.decode(charset)

    def text(self, name: str, *, charset: str | None = None) -> str | None:
        """The field's value as text, or None when absent. ``charset`` overrides the UTF-8/Latin-9 rule."""
        # Inlined _single and _decode for the usual case (no repeats, an ASCII str value): every format reads
        # a dozen fields per request.
        value = self._first.get(name) if self._repeated is None else self._single(name)
        if value is None or type(value) is str:
            return value
        return self._decode(value, charset)

    def required_text(self, name: str, *, charset: str | None = None) -> str:
        """The field's value, which must be present and not blank."""
        value = self.text(name, charset=charset)
        if value is None:
            raise self.error(name, "is missing", show=False)
        if not value or value.isspace():
            raise self.error(name, "is empty", value)
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        """Every value of a repeatable field, in order, blank ones skipped."""
        return tuple(text for text in (self._decode(v) for v in self.values(name)) if text.strip())

    def bytes_value(self, name: str) -> bytes | None:
        """The field's percent-decoded bytes (UTF-8 for a pre-decoded mapping), or None when absent."""
        value = self._single(name)
        if value is None:
            return None
        return value.encode("utf-8") if isinstance(value, str) else value

    def unsigned(self, name: str, *, bits: int, required: bool = True) -> int | None:
        """A decimal integer in ``0 .. 2**bits - 1``."""
        text = self.required_text(name) if required else self.text(name)
        if text is None:
            return None
        return self.check_unsigned(name, text, bits=bits)

    def check_unsigned(self, name: str, text: str, *, bits: int) -> int:
        if not (text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS):
            raise self.error(name, "must be a decimal integer", text)
        number = int(text)
        if number >= 1 << bits:
            raise self.error(name, f"must be below 2**{bits}", text)
        return number

    def choice(self, name: str, allowed: Sequence[str]) -> str:
        """A required field whose value must be one of ``allowed``."""
        text = self.required_text(name).strip()
        if text not in allowed:
            raise self.error(name, f"must be one of {', '.join(allowed)}", text)
        return text


def _as_text(value: bytes | str) -> str:
    return value if isinstance(value, str) else decode_text(value)

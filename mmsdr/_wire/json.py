"""JSON bodies read strictly and safely: one object (or an array of them), no duplicate keys, no NaN, bounded,
typed field access."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from .._errors import LimitExceededError, MalformedRequestError, shown
from .._events import RawFields
from .text import first_lone_surrogate, without_lone_surrogates

__all__ = ("JsonFields", "load_json", "load_json_array", "load_json_object")


class _DuplicateKeyError(ValueError):
    pass


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        # Two readers may keep different copies of a repeated key (a parser differential): refuse it.
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return result


class _MayHoldLoneSurrogates(dict[str, Any]):
    """An object of a document whose text has a lone surrogate, or a ``\\u`` escape of one: ``JsonFields``
    looks through the fields of such objects. An object of any other document is a plain ``dict`` and nothing
    in it can hold one, so the common case costs one scan of the text, not a walk of every nested value at
    every level a format reads."""

    __slots__ = ()


def _object_that_may_hold_lone_surrogates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return _MayHoldLoneSurrogates(_object_without_duplicates(pairs))


# A \u escape of a surrogate (D800 to DFFF). An escaped backslash before "ud800" matches too: it only costs the
# look through. (A regex that also matched the surrogates themselves scans ten times slower.)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _may_hold_lone_surrogates(text: str) -> bool:
    """Whether the value decoded from ``text`` can hold a lone surrogate: ``text`` holds one (the body was
    decoded with "surrogatepass"; a str encodes to UTF-8 unless it holds one) or a ``\\u`` escape of one."""
    if not text.isascii():  # O(1): CPython keeps the flag
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return _SURROGATE_ESCAPE.search(text) is not None


def _refuse_constant(name: str) -> Any:
    msg = f"{name} is not JSON"
    raise ValueError(msg)


# A decoder built once: json.loads with hooks would build a new decoder and scanner on every call. The second
# one, for a text where a lone surrogate can be, differs only in the objects it makes.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_without_duplicates,
    parse_float=Decimal,  # exact: an id sent as 1.5e14 is refused, not rounded
    parse_constant=_refuse_constant,
)
_DECODER_LOOKING_THROUGH = json.JSONDecoder(
    object_pairs_hook=_object_that_may_hold_lone_surrogates,
    parse_float=Decimal,
    parse_constant=_refuse_constant,
)


def _load(data: bytes, *, max_bytes: int, format_name: str, what: str) -> Any:
    """Decode one JSON value; every failure is an [`MmsdrError`][mmsdr.MmsdrError] naming ``what``."""
    provider = format_name.split(".", 1)[0]
    if len(data) > max_bytes:
        msg = f"{format_name}: {what} is larger than {max_bytes} bytes (Limits.max_json_bytes)"
        raise LimitExceededError(msg, provider=provider, format=format_name, field=what)
    try:
        # What json.loads does with bytes: UTF-8, -16 or -32 told apart by the first bytes (RFC 8259 8.1).
        text = data.decode(json.detect_encoding(data), "surrogatepass")
        decoder = _DECODER_LOOKING_THROUGH if _may_hold_lone_surrogates(text) else _DECODER
        value = decoder.decode(text)
    except _DuplicateKeyError as exc:
        msg = f"{format_name}: {what} has the key {shown(str(exc))} more than once"
        raise MalformedRequestError(msg, provider=provider, format=format_name, field=what) from None
    except RecursionError:
        msg = f"{format_name}: {what} is nested too deeply"
        raise MalformedRequestError(msg, provider=provider, format=format_name, field=what) from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, int digit limit, NaN
        msg = f"{format_name}: {what} is not valid JSON ({exc})"
        raise MalformedRequestError(msg, provider=provider, format=format_name, field=what) from None
    return value


def _refuse(format_name: str, what: str, problem: str) -> MalformedRequestError:
    msg = f"{format_name}: {what} {problem}"
    return MalformedRequestError(msg, provider=format_name.split(".", 1)[0], format=format_name, field=what)


def load_json(data: bytes, /, *, max_bytes: int, format_name: str, what: str = "body") -> Any:
    """Decode one JSON value of any type (a format that takes an array or an object checks which)."""
    return _load(data, max_bytes=max_bytes, format_name=format_name, what=what)


def load_json_object(data: bytes, /, *, max_bytes: int, format_name: str, what: str = "body") -> dict[str, Any]:
    """Decode one JSON object; every failure is an [`MmsdrError`][mmsdr.MmsdrError] naming ``what``."""
    value = _load(data, max_bytes=max_bytes, format_name=format_name, what=what)
    if not isinstance(value, dict):
        raise _refuse(format_name, what, f"must be a JSON object, got {type(value).__name__}")
    return value


def load_json_array(data: bytes, /, *, max_bytes: int, format_name: str, what: str = "body") -> list[dict[str, Any]]:
    """Decode a JSON array of objects, at least one (a batch of callbacks in one request)."""
    value = _load(data, max_bytes=max_bytes, format_name=format_name, what=what)
    if not isinstance(value, list):
        raise _refuse(format_name, what, f"must be a JSON array, got {type(value).__name__}")
    if not value:
        raise _refuse(format_name, what, "is an empty array")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _refuse(format_name, f"{what}[{index}]", f"must be a JSON object, got {type(item).__name__}")
    return value


def _raw_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def _lone_surrogate_in(value: Any) -> str | None:
    """The first lone surrogate anywhere in a JSON value (a ``"\\ud800"`` escape decodes to one), or None."""
    pending = [value]
    while pending:  # a loop, not recursion: the decoder accepts nesting deeper than a recursive walk could take
        item = pending.pop()
        if type(item) is str:
            found = first_lone_surrogate(item)
            if found is not None:
                return found
        elif isinstance(item, dict):  # json gives dict or _MayHoldLoneSurrogates, never another mapping
            pending.extend(item)
            pending.extend(item.values())
        elif type(item) is list:
            pending.extend(item)
    return None


def _unreadable_fields(obj: dict[str, Any]) -> dict[str, str]:
    """The fields of ``obj`` whose name or value holds a lone surrogate, with the first one each holds."""
    unreadable: dict[str, str] = {}
    for name, value in obj.items():
        if name.isascii() and type(value) is str and value.isascii():
            continue  # nearly every field: checked in C
        found = first_lone_surrogate(name) or _lone_surrogate_in(value)
        if found is not None:
            unreadable[name] = found
    return unreadable


class JsonFields:
    """Typed access to a JSON object's fields, raising errors that name the field (the FieldReader of JSON).

    A field holding a lone surrogate (a ``"\\ud800"`` escape: valid JSON, but not text) is refused where it
    identifies the message (``required_text``, ``identifier``, ``text_list``: ids, statuses, addresses), and
    elsewhere read with U+FFFD in the surrogate's place and named in ``warnings``. ``obj`` is an object of a
    document ``load_json``, ``load_json_object`` or ``load_json_array`` decoded: they tell which may hold one.
    """

    __slots__ = ("_object", "_unreadable", "format")

    def __init__(self, obj: dict[str, Any], /, *, format_name: str, warnings: list[str] | None = None) -> None:
        self._object = obj
        self.format = format_name
        # A plain dict comes from a document without a lone surrogate (load_json*): nothing to look through.
        self._unreadable = {} if type(obj) is dict else _unreadable_fields(obj)
        if warnings is not None:
            warnings.extend(
                f"field {shown(without_lone_surrogates(name))} holds a lone surrogate ({surrogate}), which is not "
                "text: read with U+FFFD in its place"
                for name, surrogate in self._unreadable.items()
            )

    def raw(self, *extra: tuple[str, str]) -> RawFields:
        """Every field: strings verbatim, other values as their JSON text; then ``extra`` pairs (built on first
        use: the parsed object is only read, never changed)."""
        obj = self._object
        if self._unreadable:
            return RawFields.lazy(
                lambda: [
                    *(
                        (without_lone_surrogates(name), without_lone_surrogates(_raw_text(value)))
                        for name, value in obj.items()
                    ),
                    *extra,
                ]
            )
        return RawFields.lazy(lambda: [*((name, _raw_text(value)) for name, value in obj.items()), *extra])

    def error(self, field: str, problem: str, value: object = None, *, show: bool = True) -> MalformedRequestError:
        message = f"{self.format}: field {field!r} {problem}"
        if show:
            message += f", got {shown(value)}"
        return MalformedRequestError(message, provider=self.format.split(".", 1)[0], format=self.format, field=field)

    def _get(self, name: str, *, required: bool) -> Any:
        value = self._object.get(name)
        if value is None and required:
            raise self.error(name, "is missing", show=False)
        if required and name in self._unreadable:
            raise self.error(name, f"holds a lone surrogate ({self._unreadable[name]}), which is not text", value)
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        """A string field; an optional one that holds a lone surrogate is read with U+FFFD in its place."""
        value = self._get(name, required=required)
        if value is None:
            return None
        if type(value) is not str:  # json gives exactly str, never a subclass
            raise self.error(name, "must be a string", value)
        if required and (not value or value.isspace()):
            raise self.error(name, "is empty", value)
        return without_lone_surrogates(value) if name in self._unreadable else value

    def secondary_text(self, name: str, warnings: list[str], *, where: str = "") -> str | None:
        """An optional string field the message does not depend on: a value of another JSON type costs a
        warning naming it (``where`` is the path of this object in the body, ``"message."``), never the message."""
        try:
            return self.text(name)
        except ValueError:
            warnings.append(f"field {where + name!r} is not a string: left out")
            return None

    def secondary_object(self, name: str, warnings: list[str], *, where: str = "") -> dict[str, Any]:
        """An optional JSON object the message does not depend on: ``{}`` when absent; a value of another JSON
        type costs a warning naming it (``where`` as in ``secondary_text``), never the message."""
        value = self._object.get(name)
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        warnings.append(f"field {where + name!r} is not a JSON object: left out")
        return {}

    def required_text(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def identifier(self, name: str) -> str:
        """A required id sent as a string or a JSON integer, always returned as ``str`` (never a float)."""
        value = self._get(name, required=True)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.error(name, "must be a string or an integer", value)
        text = str(value).strip()
        if not text:
            raise self.error(name, "is empty", value)
        return text

    def integer(self, name: str) -> int | None:
        value = self._get(name, required=False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, "must be an integer", value)
        return value

    def text_list(self, name: str) -> tuple[str, ...]:
        """A list of strings; a single string is taken as a list of one (lenient input)."""
        value = self._get(name, required=name in self._unreadable)  # addresses: refused, never replaced
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,) if value.strip() else ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(name, "must be a list of strings", value)
        return tuple(item for item in value if item.strip())

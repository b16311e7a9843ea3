"""Turn what a web framework hands over (headers, body, query) into one normalised request.

Frameworks disagree on shapes: WSGI has an environ dict, ASGI a list of ``[bytes, bytes]`` pairs, Django and
Flask mappings with repeated names, bodies come whole or in chunks. Everything is read here, once, within the
limits, so that the format modules see one ``Request``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, KeysView, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from ._errors import LimitExceededError, MalformedRequestError, UnsupportedFormatError, shown
from ._wire.text import first_lone_surrogate, without_lone_surrogates

if TYPE_CHECKING:
    from ._limits import Limits

__all__ = ("Headers", "Request", "read_request")

_WSGI_MARKERS = ("REQUEST_METHOD", "wsgi.version", "SERVER_PROTOCOL")
_WSGI_UNPREFIXED = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}
_INFLATE_STEP = 64 * 1024


@dataclass(frozen=True, slots=True)
class Headers:
    """HTTP headers as ``(lower-case name, value)`` pairs in the order received, repeats kept."""

    items: tuple[tuple[str, str], ...] = ()
    """The ``(name, value)`` pairs: names in lower case, values as received (ISO-8859-1 text, RFC 9110 5.5)."""

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name`` (any case), or ``default``."""
        name = name.lower()
        for item_name, value in self.items:
            if item_name == name:
                return value
        return default

    def getall(self, name: str) -> tuple[str, ...]:
        """Every value of ``name`` (any case), in order."""
        name = name.lower()
        return tuple(value for item_name, value in self.items if item_name == name)


@dataclass(frozen=True, slots=True)
class Request:
    """One callback request, read within the limits: what authenticators
    ([`mmsdr.auth`][mmsdr.auth]) and formats ([`Format.parse`][mmsdr.Format.parse]) read."""

    headers: Headers
    """The headers as received."""
    body: bytes
    """The body as received, any ``Content-Encoding`` (gzip, deflate) undone."""
    query: tuple[tuple[str, bytes | str], ...]
    """Query fields in order. From a raw query string a value is its percent-decoded bytes, as ``str`` when
    they are all ASCII; from an already decoded mapping it is the caller's ``str``."""
    field_index: Mapping[str, bytes | str]
    """Every query and form field name with its last value, built once: detection asks for the names, and
    where no name repeats a format's ``FieldReader`` takes it as its index."""
    form: tuple[tuple[str, bytes | str], ...] = ()
    """Fields of an ``application/x-www-form-urlencoded`` body, read the same way as the query."""
    method: str | None = None
    """The HTTP method, upper-case, where the caller gave it."""
    remote_address: str | None = None
    """The client address the caller gave (see [`mmsdr.is_trusted_source`][mmsdr.is_trusted_source])."""
    media_type: str = ""
    """The Content-Type without parameters, lower-case; ``""`` when there is none."""
    url: str | None = None
    """The public URL the provider called (scheme, host, port as configured, path and query), where the
    caller gave it (``parse(..., url=...)``): what signatures over the URL cover."""

    @property
    def field_names(self) -> KeysView[str]:
        """The names of the query and form fields, for format detection."""
        return self.field_index.keys()


def media_type_of(headers: Headers) -> str:
    value = headers.get("content-type") or ""
    return value.split(";", 1)[0].strip().lower()


def read_request(
    headers: Any,
    body: Any,
    query: Any,
    /,
    *,
    limits: Limits,
    method: str | None = None,
    remote_address: str | None = None,
    url: str | None = None,
) -> Request:
    """Read the three framework inputs within ``limits``; raise [`MmsdrError`][mmsdr.MmsdrError] subclasses on bad
    input."""
    header_items, environ_method = _read_headers(headers, limits)
    normalised = Headers(header_items)
    raw_body = _read_body(body, limits)
    if header_items:  # most callbacks to a GET endpoint come with no headers that matter here
        raw_body = _undo_content_encoding(normalised.get("content-encoding"), raw_body, limits)
    resolved_method = method or environ_method
    media_type = media_type_of(normalised) if header_items else ""
    form: tuple[tuple[str, bytes | str], ...] = ()
    if media_type == "application/x-www-form-urlencoded":
        form = parse_query_string(raw_body, limits, what="form body")
    query_fields = read_query(query, limits)
    return Request(
        headers=normalised,
        body=raw_body,
        query=query_fields,
        form=form,
        method=resolved_method.upper() if resolved_method else None,
        remote_address=remote_address,
        media_type=media_type,
        field_index=dict(query_fields + form),
        url=url,
    )


def _text(value: object, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        # HTTP header bytes are ISO-8859-1 by definition (RFC 9110 5.5); WSGI and ASGI agree.
        return bytes(value).decode("latin-1")
    msg = f"{what} must be str or bytes, not {type(value).__name__}"
    raise TypeError(msg)


def _read_headers(headers: Any, limits: Limits) -> tuple[tuple[tuple[str, str], ...], str | None]:
    if headers is None:
        return (), None
    environ_method: str | None = None
    pairs: Iterable[Any]
    if type(headers) is list or type(headers) is tuple:  # the usual pairs, without the Mapping ABC check
        pairs = headers
    elif isinstance(headers, Mapping):
        if any(marker in headers for marker in _WSGI_MARKERS):
            return read_environ(headers, limits)
        pairs = _mapping_items(headers)
    elif isinstance(headers, (str, bytes, bytearray, memoryview)):
        msg = "headers must be a mapping or an iterable of (name, value) pairs, not a string"
        raise TypeError(msg)
    else:
        pairs = headers
    items: list[tuple[str, str]] = []
    append = items.append
    size = 0
    max_count, max_bytes = limits.max_header_count, limits.max_header_bytes
    for name, value in pairs:
        # str is the usual type (WSGI, Django, Flask); ASGI gives bytes.
        name_text = (name if type(name) is str else _text(name, "a header name")).strip().lower()
        value_text = (value if type(value) is str else _text(value, "a header value")).strip()
        if not (name_text.isascii() and value_text.isascii()):
            _check_header_text(name_text, value_text)
        size += len(name_text) + len(value_text)
        append((name_text, value_text))
        if size > max_bytes or len(items) > max_count:
            check_header_limits(len(items), size, limits)
    return tuple(items), environ_method


def _mapping_items(mapping: Mapping[Any, Any]) -> Iterable[tuple[Any, Any]]:
    # werkzeug's Headers and MultiDict yield every repeat from items(); a dict of lists is expanded here.
    for name, value in mapping.items():
        if isinstance(value, (list, tuple)):
            for one in value:
                yield name, one
        else:
            yield name, value


def read_environ(environ: Mapping[Any, Any], limits: Limits) -> tuple[tuple[tuple[str, str], ...], str | None]:
    items: list[tuple[str, str]] = []
    size = 0
    for key, value in environ.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in _WSGI_UNPREFIXED:
            name = _WSGI_UNPREFIXED[key]
        else:
            continue
        if not value.isascii():
            _check_header_text(name, value)
        size += len(name) + len(value)
        items.append((name, value.strip()))
        check_header_limits(len(items), size, limits)
    method = environ.get("REQUEST_METHOD")
    return tuple(items), method if isinstance(method, str) else None


def _check_header_text(name: str, value: str) -> None:
    """Refuse a header the framework gave as a ``str`` with a lone surrogate: no bytes on the wire decode to one."""
    surrogate = first_lone_surrogate(name) or first_lone_surrogate(value)
    if surrogate is not None:
        msg = (
            f"request: header {shown(without_lone_surrogates(name))} holds a lone surrogate ({surrogate}); "
            "pass header values as bytes or as ISO-8859-1 text (RFC 9110 5.5)"
        )
        raise MalformedRequestError(msg, field="headers")


def check_header_limits(count: int, size: int, limits: Limits) -> None:
    if count > limits.max_header_count:
        msg = f"request: more than {limits.max_header_count} header lines (Limits.max_header_count)"
        raise LimitExceededError(msg, field="headers", status_hint=431)
    if size > limits.max_header_bytes:
        msg = f"request: headers larger than {limits.max_header_bytes} bytes (Limits.max_header_bytes)"
        raise LimitExceededError(msg, field="headers", status_hint=431)


def body_limit_error(limits: Limits) -> LimitExceededError:
    msg = f"request: body larger than {limits.max_body_bytes} bytes (Limits.max_body_bytes)"
    return LimitExceededError(msg, field="body")


def _read_body(body: Any, limits: Limits) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        msg = "body must be bytes-like or an iterable of bytes chunks, not str"
        raise TypeError(msg)
    if isinstance(body, bytes):
        data = body
    else:
        try:
            data = memoryview(body).tobytes()
        except TypeError:
            data = _join_chunks(body, limits)
    if len(data) > limits.max_body_bytes:
        raise body_limit_error(limits)
    return data


def _join_chunks(chunks: Any, limits: Limits) -> bytes:
    try:
        iterator = iter(chunks)
    except TypeError:
        msg = f"body must be bytes-like or an iterable of bytes chunks, not {type(chunks).__name__}"
        raise TypeError(msg) from None
    buffer = bytearray()
    for chunk in iterator:
        if isinstance(chunk, str):
            msg = "body chunks must be bytes-like, not str"
            raise TypeError(msg)
        buffer += chunk
        if len(buffer) > limits.max_body_bytes:
            raise body_limit_error(limits)
    return bytes(buffer)


def _undo_content_encoding(encoding: str | None, body: bytes, limits: Limits) -> bytes:
    """Inflate a gzip or deflate body, counting output so that a bomb stops at the body limit (C1)."""
    if encoding is None or encoding.strip().lower() in {"", "identity"}:
        return body
    coding = encoding.strip().lower()
    if coding in {"gzip", "x-gzip"}:
        wbits = 16 + zlib.MAX_WBITS
    elif coding == "deflate":
        wbits = zlib.MAX_WBITS  # RFC 9110 8.4.1.2: "deflate" is the zlib format
    else:
        msg = f"request: Content-Encoding {coding!r} is not supported (gzip, deflate and identity are)"
        raise UnsupportedFormatError(msg, field="content-encoding")
    inflater = zlib.decompressobj(wbits)
    output = bytearray()
    pending = body
    try:
        while pending:
            output += inflater.decompress(pending, _INFLATE_STEP)
            if len(output) > limits.max_body_bytes:
                raise body_limit_error(limits)
            pending = inflater.unconsumed_tail
        output += inflater.flush()
    except zlib.error as exc:
        msg = f"request: the {coding} body is corrupt ({exc})"
        raise MalformedRequestError(msg, field="content-encoding") from exc
    if not inflater.eof:
        msg = f"request: the {coding} body ends before its end marker"
        raise MalformedRequestError(msg, field="content-encoding")
    if inflater.unused_data:
        # Bytes after the end marker (junk, or a second gzip member, which no HTTP client sends) would be
        # dropped silently by a reader that stops at the first member: refuse them instead.
        msg = f"request: the {coding} body has data after its end marker"
        raise MalformedRequestError(msg, field="content-encoding")
    if len(output) > limits.max_body_bytes:
        raise body_limit_error(limits)
    return bytes(output)


def read_query(query: Any, limits: Limits) -> tuple[tuple[str, bytes | str], ...]:
    """Query fields in order, within ``limits``; see ``Request.query``."""
    if query is None:
        return ()
    if isinstance(query, str):
        # A str query is the percent-encoded text; anything outside ASCII is taken as UTF-8.
        return parse_query_string(query if query.isascii() else _query_text_bytes(query), limits)
    if isinstance(query, (bytes, bytearray, memoryview)):
        return parse_query_string(bytes(query), limits)
    if isinstance(query, Mapping):
        return _read_query_mapping(query, limits)
    msg = f"query must be a str, bytes or a mapping, not {type(query).__name__}"
    raise TypeError(msg)


def _query_fields_error(limits: Limits, what: str = "query string") -> LimitExceededError:
    msg = f"request: more than {limits.max_query_fields} fields in the {what} (Limits.max_query_fields)"
    return LimitExceededError(msg, field="query" if what == "query string" else "body")


def parse_query_string(
    query: bytes | str, limits: Limits, *, what: str = "query string"
) -> tuple[tuple[str, bytes | str], ...]:
    """Split ``a=1&b=2`` into ``(name, value)`` pairs; ``query`` is bytes, or str when it is all ASCII.

    Only ``&`` separates (a ``;`` is data: Q1 in the threat catalogue, and CPython's own choice since
    3.9.2); ``+`` is a space; empty values are kept; names are decoded as ``decode_text`` says. A value
    is the percent-decoded bytes, given as ``str`` when they are all ASCII (the same text in every charset
    mmsdr reads, and most values are): a value's bytes are never lost, whatever its charset turns out to be.

    The result is exactly ``parse_qsl(text, keep_blank_values=True, encoding="latin-1")`` with ISO-8859-1
    mapping every byte to one character and back (property-tested against it), at well under half its cost:
    a name or value without ``+`` or ``%`` (most of them) is taken as it is, the others are unquoted to bytes.
    """
    if len(query) > limits.max_query_bytes:
        msg = f"request: {what} longer than {limits.max_query_bytes} bytes (Limits.max_query_bytes)"
        raise LimitExceededError(msg, field="query")
    text = query if isinstance(query, str) else query.decode("latin-1")
    # Counting separators first bounds the work before anything is split (Q1).
    if text.count("&") >= limits.max_query_fields and _field_count(text) > limits.max_query_fields:
        raise _query_fields_error(limits, what)
    fields: list[tuple[str, bytes | str]] = []
    append = fields.append
    for segment in text.removeprefix("?").split("&"):
        if not segment:
            continue
        name, _, value = segment.partition("=")
        if not name.isascii() or "+" in name or "%" in name:
            decoded = _unquoted(name)
            name = decoded if isinstance(decoded, str) else decode_text(decoded)
        append((name, value if value.isascii() and "+" not in value and "%" not in value else _unquoted(value)))
    return tuple(fields)


def _query_text_bytes(query: str) -> bytes:
    """The bytes of a raw query string given as non-ASCII ``str``: UTF-8, and a framework's surrogate escapes
    (PEP 383: undecodable bytes kept as U+DC80 to U+DCFF) are those bytes again."""
    try:
        return query.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as exc:
        surrogate = f"U+{ord(query[exc.start]):04X}"
        raise _lone_surrogate_error("the query string", surrogate, "pass the raw query bytes") from None


def _decoded_query_value(value: str, name: str) -> bytes | str:
    """A value the framework already decoded: its surrogate escapes (PEP 383) are bytes again, for the format's
    own charset to decode; any other lone surrogate is refused, since no bytes decode to it."""
    if first_lone_surrogate(value) is None:
        return value
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as exc:
        surrogate = f"U+{ord(value[exc.start]):04X}"
        raise _lone_surrogate_error(f"query field {shown(name)}", surrogate, "pass the raw query") from None


def _lone_surrogate_error(what: str, surrogate: str, advice: str) -> MalformedRequestError:
    msg = f"request: {what} holds a lone surrogate ({surrogate}), which no bytes decode to; {advice}"
    return MalformedRequestError(msg, field="query")


def _unquoted(text: str) -> bytes | str:
    """``text`` (one character per byte) with ``+`` as a space and ``%XX`` decoded: str when ASCII, else bytes."""
    text = text.replace("+", " ")
    raw = unquote_to_bytes(text if text.isascii() else text.encode("latin-1"))
    return raw.decode("ascii") if raw.isascii() else raw


def _field_count(query: str) -> int:
    return sum(1 for segment in query.split("&") if segment)


def _read_query_mapping(query: Mapping[Any, Any], limits: Limits) -> tuple[tuple[str, bytes | str], ...]:
    fields: list[tuple[str, bytes | str]] = []
    getlist = getattr(query, "getlist", None)
    for name in query:
        values = getlist(name) if callable(getlist) else query[name]
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            values = [values]
        for value in values:
            name_text = _text(name, "a query field name")
            surrogate = first_lone_surrogate(name_text)
            if surrogate is not None:
                raise _lone_surrogate_error("a query field name", surrogate, "pass the raw query")
            text = value if isinstance(value, str) else _text(value, "a query value")
            fields.append((name_text, text if text.isascii() else _decoded_query_value(text, name_text)))
            if len(fields) > limits.max_query_fields:
                raise _query_fields_error(limits)
    return tuple(fields)


def decode_text(data: bytes) -> str:
    """Decode provider text: UTF-8 when it is valid UTF-8, else ISO-8859-15.

    MX Telecom documents its SMS text as "URL-encoded ISO-8859-15" and says nothing for the other fields;
    real traffic and frameworks send UTF-8. Every byte string decodes one of the two ways, so no field is
    ever lost; the formats that know better (``bits=7``) decode for themselves.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("iso-8859-15")

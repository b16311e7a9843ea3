"""The entry points: [`Parser`][mmsdr.Parser], [`parse_request`][mmsdr.parse_request] and
[`acknowledge`][mmsdr.acknowledge]."""

from __future__ import annotations

from datetime import tzinfo
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from . import mm7, mxtelecom, openmarket
from ._errors import MmsdrError, UnsupportedFormatError, UntrustedSourceError
from ._format import ParseContext
from ._limits import Limits
from ._request import Request, read_request
from ._source import IPNetwork, is_trusted_source, parse_networks

if TYPE_CHECKING:
    import ipaddress
    from collections.abc import Iterable, Mapping

    from ._events import Ack, Event
    from ._format import Format

# Everything in __all__ gets re-exported as part of the mmsdr public API.
__all__ = ("DEFAULT_ZONE", "FORMATS", "Parser", "acknowledge", "parse_request")

#: Zone-less provider dates are read in this zone: MX Telecom documents London time ("GMT or BST").
DEFAULT_ZONE = "Europe/London"

# How many (method, fields, media type) combinations a Parser remembers the candidate formats of.
_CANDIDATES_KEPT = 64

# Detection order: each provider's own order, providers in turn.
_ORDERED_FORMATS: tuple[Format, ...] = (*mxtelecom.FORMATS, *mm7.FORMATS, *openmarket.FORMATS)

#: Every format mmsdr reads, by name, in detection order.
FORMATS: Mapping[str, Format] = MappingProxyType({fmt.name: fmt for fmt in _ORDERED_FORMATS})


def _select_formats(names: str | Iterable[str] | None) -> tuple[Format, ...]:
    if names is None:
        return _ORDERED_FORMATS
    wanted = [names] if isinstance(names, str) else list(names)
    selected: list[Format] = []
    for name in wanted:
        matching = [fmt for fmt in _ORDERED_FORMATS if name in {fmt.name, fmt.provider}]
        if not matching:
            known = sorted({*FORMATS, *(fmt.provider for fmt in _ORDERED_FORMATS)})
            msg = f"unknown format {name!r}; known: {', '.join(known)}"
            raise ValueError(msg)
        selected.extend(fmt for fmt in matching if fmt not in selected)
    if not selected:
        msg = "formats must name at least one format"
        raise ValueError(msg)
    # Keep detection order whatever order the caller listed them in.
    return tuple(fmt for fmt in _ORDERED_FORMATS if fmt in selected)


def _zone(zone: str | tzinfo) -> tzinfo:
    if isinstance(zone, tzinfo):
        return zone
    from ._dates import resolve_zone  # noqa: PLC0415 - only needed for a zone given by name

    return resolve_zone(zone)


class Parser:
    """A parser configured for one endpoint: which formats it accepts, its limits, its zone, its sources.

    Build it once at start-up and call [`parse`][mmsdr.Parser.parse] for every request; it holds no per-request state
    and is safe to share between threads.

    Args:
        formats: format names (``"mxtelecom.sms_report"``) or provider names (``"mxtelecom"``) this endpoint
            accepts; None (the default) detects among all of [`FORMATS`][mmsdr.FORMATS].
        limits: the sizes to accept; [`Limits`][mmsdr.Limits] defaults when None.
        default_zone: the zone for provider dates without an offset, a name or a ``tzinfo``.
        trusted_networks: when given, every request must come from an address in these networks
            (``mxtelecom.TRUSTED_NETWORKS``, or your own list) and [`parse`][mmsdr.Parser.parse] needs
            ``remote_address``.
        undeclared_base64: OpenMarket documents "Encoding: Base64" for MMS parts but its example declares no
            ``Content-Transfer-Encoding``; when True, a media part that is entirely base64 text and declares
            none is decoded. Off by default: undeclared data is taken as binary, as RFC 2045 says.
    """

    __slots__ = ("_candidates", "_context", "_formats", "_trusted")

    def __init__(
        self,
        *,
        formats: str | Iterable[str] | None = None,
        limits: Limits | None = None,
        default_zone: str | tzinfo = DEFAULT_ZONE,
        trusted_networks: Iterable[str | IPNetwork] | None = None,
        undeclared_base64: bool = False,
    ) -> None:
        self._formats = _select_formats(formats)
        self._context = ParseContext(
            limits=limits or Limits(), default_zone=_zone(default_zone), undeclared_base64=undeclared_base64
        )
        self._trusted = None if trusted_networks is None else parse_networks(trusted_networks)
        # (method, has fields, media type) -> (formats for the method, those of them whose shape may match).
        self._candidates: dict[tuple[str | None, bool, str], tuple[tuple[Format, ...], tuple[Format, ...]]] = {}

    @property
    def formats(self) -> tuple[str, ...]:
        """The names of the formats this parser accepts, in detection order."""
        return tuple(fmt.name for fmt in self._formats)

    @property
    def limits(self) -> Limits:
        return self._context.limits

    def parse(
        self,
        headers: Any,
        body: Any = None,
        query: Any = None,
        /,
        *,
        method: str | None = None,
        remote_address: str | ipaddress.IPv4Address | ipaddress.IPv6Address | None = None,
    ) -> Event:
        """Read one callback into an event.

        Args:
            headers: a mapping or an iterable of ``(name, value)`` pairs, ``str`` or ``bytes``; a WSGI
                environ (or Django's ``request.META``) is recognised and its ``HTTP_*`` keys read.
            body: bytes, bytearray, memoryview (any buffer), or an iterable of bytes chunks; None for none.
            query: the raw query string (``str`` or ``bytes``, percent-encoded) or a mapping of already
                decoded values (one with ``getlist`` is read fully). The raw string is better: MX Telecom's
                SMS text is Latin-9, which a framework decoding it as UTF-8 has already garbled.
            method: the HTTP method, where known (taken from a WSGI environ otherwise).
            remote_address: the client address you trust (see [`is_trusted_source`][mmsdr.is_trusted_source]).

        Returns:
            A [`DeliveryReport`][mmsdr.DeliveryReport], [`ReadReport`][mmsdr.ReadReport],
            [`InboundMessage`][mmsdr.InboundMessage], ... event.

        Raises:
            MmsdrError: on any bad input; its ``ack`` is the response to send. ``TypeError`` only for
                arguments of the wrong Python type (a programming error, not an input error).
        """
        request = read_request(
            headers,
            body,
            query,
            limits=self._context.limits,
            method=method,
            remote_address=None if remote_address is None else str(remote_address),
        )
        self._check_source(request)
        fmt = self._choose(request)
        try:
            return fmt.parse(request, self._context)
        except MmsdrError as error:
            error.provider = error.provider or fmt.provider
            error.format = error.format or fmt.name
            if fmt.reject is not None:
                error.ack = fmt.reject(error)
            raise

    def _check_source(self, request: Request) -> None:
        if self._trusted is None:
            return
        if request.remote_address is None:
            msg = "Parser(trusted_networks=...) needs parse(..., remote_address=...)"
            raise TypeError(msg)
        if not is_trusted_source(request.remote_address, self._trusted):
            msg = f"request: source address {request.remote_address!r} is not in the trusted networks"
            raise UntrustedSourceError(msg, field="remote_address")

    def _choose(self, request: Request) -> Format:
        by_method, likely = self._candidates_for(request)
        for fmt in likely:
            if fmt.matches(request):
                return fmt
        if len(by_method) == 1:
            # One format for this endpoint: read it anyway, so that the error names the missing field.
            return by_method[0]
        fields = sorted(request.field_names)
        shown_fields = ", ".join(fields[:12]) + (", ..." if len(fields) > 12 else "")
        msg = (
            f"request: no accepted format matches (content type {request.media_type or 'none'!r}, "
            f"fields: {shown_fields or 'none'})"
        )
        raise UnsupportedFormatError(msg, field="content-type")

    def _candidates_for(self, request: Request) -> tuple[tuple[Format, ...], tuple[Format, ...]]:
        """The formats the request's method allows, and those of them its shape may match (Format.bodies)."""
        method = None if request.method == "HEAD" else request.method
        has_fields = bool(request.field_names)
        key = (method, has_fields, request.media_type)
        found = self._candidates.get(key)
        if found is not None:
            return found
        by_method = self._formats
        if method is not None:
            by_method = tuple(fmt for fmt in by_method if method in fmt.methods)
            if not by_method:
                allowed = sorted({method for fmt in self._formats for method in fmt.methods})
                msg = f"request: method {method!r} is not used by the accepted formats ({', '.join(allowed)})"
                raise UnsupportedFormatError(msg, field="method", status_hint=405)
        likely = tuple(fmt for fmt in by_method if has_fields or fmt.bodies is None or request.media_type in fmt.bodies)
        found = (by_method, likely)
        if len(self._candidates) < _CANDIDATES_KEPT:  # the media type comes from the request: bounded
            self._candidates[key] = found
        return found


_DEFAULT_PARSER: Parser | None = None


def parse_request(
    headers: Any,
    body: Any = None,
    query: Any = None,
    /,
    *,
    formats: str | Iterable[str] | None = None,
    limits: Limits | None = None,
    default_zone: str | tzinfo = DEFAULT_ZONE,
    trusted_networks: Iterable[str | IPNetwork] | None = None,
    undeclared_base64: bool = False,
    method: str | None = None,
    remote_address: str | ipaddress.IPv4Address | ipaddress.IPv6Address | None = None,
) -> Event:
    """Read one callback into an event: ``Parser(**options).parse(headers, body, query, ...)``.

    See [`Parser`][mmsdr.Parser] for the options and [`Parser.parse`][mmsdr.Parser.parse] for the arguments. An endpoint
    that always takes the same options can build its [`Parser`][mmsdr.Parser] once instead.
    """
    global _DEFAULT_PARSER  # noqa: PLW0603 - a cache of the option-less parser, built on first use
    options_given = limits is not None or trusted_networks is not None or undeclared_base64
    if formats is None and default_zone == DEFAULT_ZONE and not options_given:
        if _DEFAULT_PARSER is None:
            _DEFAULT_PARSER = Parser()
        parser = _DEFAULT_PARSER
    else:
        parser = Parser(
            formats=formats,
            limits=limits,
            default_zone=default_zone,
            trusted_networks=trusted_networks,
            undeclared_base64=undeclared_base64,
        )
    return parser.parse(headers, body, query, method=method, remote_address=remote_address)


def acknowledge(event: Event, /) -> Ack:
    """The response the provider expects for ``event``, exactly: status, headers and body."""
    try:
        fmt = FORMATS[event.format]
    except (KeyError, AttributeError):
        msg = f"acknowledge() takes an event from parse_request, got {type(event).__name__}"
        raise TypeError(msg) from None
    return fmt.acknowledge(event)

"""The entry points: [`Parser`][mmsdr.Parser], [`parse_request`][mmsdr.parse_request],
[`acknowledge`][mmsdr.acknowledge] and [`event_from_dict`][mmsdr.event_from_dict]."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from . import _events, bandwidth, mm7, mxtelecom, openmarket, sinch, telnyx, twilio, vonage
from ._errors import AuthenticationError, MmsdrError, UnsupportedFormatError
from ._events import Callback, Event, dataclass_from_dict
from ._format import Format, ParseContext, utc_now
from ._limits import Limits
from ._refused import refused, request_kept
from ._request import Request, read_request
from .auth import Authenticator, SourceNetworks

if TYPE_CHECKING:
    import ipaddress

    from ._events import Ack, Details
    from ._source import IPNetwork

# Everything in __all__ gets re-exported as part of the mmsdr public API.
__all__ = ("FORMATS", "Parser", "acknowledge", "event_from_dict", "parse_request")

# Detection order: each provider's own order, providers in turn.
_ORDERED_FORMATS: tuple[Format, ...] = (
    *mxtelecom.FORMATS,
    *mm7.FORMATS,
    *openmarket.FORMATS,
    *sinch.FORMATS,
    *twilio.FORMATS,
    *bandwidth.FORMATS,
    *telnyx.FORMATS,
    *vonage.FORMATS,
)

#: Every format mmsdr reads, by name, in detection order.
FORMATS: Mapping[str, Format] = MappingProxyType({fmt.name: fmt for fmt in _ORDERED_FORMATS})


def _select_formats(names: str | Format | Iterable[str | Format] | None) -> tuple[Format, ...]:
    if names is None:
        return _ORDERED_FORMATS
    wanted = [names] if isinstance(names, (str, Format)) else list(names)
    selected: list[Format] = []
    for name in wanted:
        if isinstance(name, Format):  # a format of your own (or a test's), tried after the built-in ones
            if name not in selected:
                selected.append(name)
            continue
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
    return (
        *(fmt for fmt in _ORDERED_FORMATS if fmt in selected),
        *(fmt for fmt in selected if fmt not in _ORDERED_FORMATS),
    )


def _zone(zone: str | tzinfo) -> tuple[tzinfo, str]:
    """The zone and its name for warnings."""
    if isinstance(zone, tzinfo):
        return zone, getattr(zone, "key", None) or str(zone)
    if not isinstance(zone, str):
        msg = f"default_zone must be a zone name or a tzinfo, got {type(zone).__name__}"
        raise TypeError(msg)
    from ._dates import resolve_zone  # noqa: PLC0415 - only needed for a zone given by name

    return resolve_zone(zone), zone


def _contexts(
    formats: tuple[Format, ...],
    *,
    limits: Limits,
    default_zone: str | tzinfo | None,
    clock: Callable[[], datetime],
    undeclared_base64: bool,
) -> dict[str, ParseContext]:
    """One context per format: the endpoint's zone when given, else the format's own."""
    if not callable(clock):
        msg = f"clock must be a callable returning a timezone-aware datetime, got {type(clock).__name__}"
        raise TypeError(msg)
    given = None if default_zone is None else _zone(default_zone)
    contexts: dict[str, ParseContext] = {}
    for fmt in formats:
        zone, zone_name = given or _zone(fmt.default_zone)
        contexts[fmt.name] = ParseContext(
            limits=limits,
            default_zone=zone,
            undeclared_base64=undeclared_base64,
            clock=clock,
            zone_name=zone_name,
        )
    return contexts


class Parser:
    """A parser configured for one endpoint: which formats it accepts, its limits, its zone, its clock, its sources.

    Build it once at start-up and call [`parse`][mmsdr.Parser.parse] for every request; it holds no per-request state
    and is safe to share between threads.

    Args:
        formats: format names (``"mxtelecom.sms_report"``) or provider names (``"mxtelecom"``) this endpoint
            accepts, or [`Format`][mmsdr.Format] objects of your own; None (the default) detects among all of
            [`FORMATS`][mmsdr.FORMATS]. A parser told one format reads every request as that format, without
            detection.
        limits: the sizes to accept; [`Limits`][mmsdr.Limits] defaults when None.
        default_zone: the zone for provider times without a UTC offset, a name or a ``tzinfo``, for every
            format of this endpoint; None (the default) reads each in its format's own
            [`default_zone`][mmsdr.Format.default_zone]: MX Telecom's Europe/London, UTC for MM7 and OpenMarket.
            Either way a time read in an assumed zone adds a warning naming the field and the zone.
        clock: what gives the time a request is read (a timezone-aware ``datetime``): an event's
            ``timestamp`` where the provider's time is missing or unreadable, with a warning naming the field.
            The default is ``datetime.now(timezone.utc)``. Dedupe keys never depend on it.
        auth: the check that the request comes from the provider, run before the body is read: an
            authenticator of [`mmsdr.auth`][mmsdr.auth] (``BasicAuth``, ``SourceNetworks``, a provider's
            ``Signature``) or of your own, or a sequence of them, all of which must pass. A refusal is an
            [`AuthenticationError`][mmsdr.AuthenticationError] (401, or 403 for a source outside the networks),
            answered in the provider's own way where it has one (MM7: a SOAP fault, StatusCode 4001).
        trusted_networks: ``auth=mmsdr.auth.SourceNetworks(trusted_networks)``, checked first: every request
            must come from an address in these networks (``mxtelecom.NETWORKS``, or your own list), and
            one without ``remote_address`` is refused.
        undeclared_base64: OpenMarket documents "Encoding: Base64" for MMS parts but its example declares no
            ``Content-Transfer-Encoding``; when True, a media part that is entirely base64 text and declares
            none is decoded. Off by default: undeclared data is taken as binary, as RFC 2045 says.
    """

    __slots__ = ("_authenticators", "_contexts", "_formats", "_limits")

    def __init__(
        self,
        *,
        formats: str | Format | Iterable[str | Format] | None = None,
        limits: Limits | None = None,
        default_zone: str | tzinfo | None = None,
        auth: Authenticator | Iterable[Authenticator] | None = None,
        trusted_networks: Iterable[str | IPNetwork] | None = None,
        undeclared_base64: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._formats = _select_formats(formats)
        self._limits = limits or Limits()
        self._contexts = _contexts(
            self._formats,
            limits=self._limits,
            default_zone=default_zone,
            clock=clock,
            undeclared_base64=undeclared_base64,
        )
        self._authenticators = _authenticators(auth, trusted_networks)

    @property
    def formats(self) -> tuple[str, ...]:
        """The names of the formats this parser accepts, in detection order."""
        return tuple(fmt.name for fmt in self._formats)

    @property
    def limits(self) -> Limits:
        return self._limits

    def acknowledge(self, callback: Callback, /, *, retry: bool = False) -> Ack:
        """[`mmsdr.acknowledge`][mmsdr.acknowledge] for the formats of this parser, your own included."""
        _check_callback(callback)
        for fmt in self._formats:
            if fmt.name == callback.format:
                return fmt.retry(callback) if retry else fmt.acknowledge(callback)
        msg = f"acknowledge(): this parser does not read the format {callback.format!r}"
        raise ValueError(msg)

    def parse(
        self,
        headers: Any,
        body: Any = None,
        query: Any = None,
        /,
        *,
        method: str | None = None,
        remote_address: str | ipaddress.IPv4Address | ipaddress.IPv6Address | None = None,
        url: str | None = None,
    ) -> Callback:
        """Read one callback request into a [`Callback`][mmsdr.Callback] holding its events.

        Args:
            headers: a mapping or an iterable of ``(name, value)`` pairs, ``str`` or ``bytes``; a WSGI
                environ (or Django's ``request.META``) is recognised and its ``HTTP_*`` keys read.
            body: bytes, bytearray, memoryview (any buffer), or an iterable of bytes chunks; None for none.
            query: the raw query string (``str`` or ``bytes``, percent-encoded) or a mapping of already
                decoded values (one with ``getlist`` is read fully). The raw string is better: MX Telecom's
                SMS text is Latin-9, which a framework decoding it as UTF-8 has already garbled.
            method: the HTTP method, where known (taken from a WSGI environ otherwise).
            remote_address: the client address you trust (see [`is_trusted_source`][mmsdr.is_trusted_source]).
            url: the public URL the provider called, as the provider knows it (scheme, host, port as
                configured, path and query): what signatures over the URL cover. Behind a proxy your app cannot
                rebuild it from the request; the adapters take ``public_url``.

        Returns:
            A [`Callback`][mmsdr.Callback]: its ``events`` are [`DeliveryReport`][mmsdr.DeliveryReport],
            [`ReadReport`][mmsdr.ReadReport], [`InboundMessage`][mmsdr.InboundMessage], ... events, at least one.

        Raises:
            MmsdrError: on any bad input; its ``ack`` is the response to send and its ``request`` the request
                refused (bounded by the limits). Each one is logged once on the ``mmsdr`` logger, at WARNING.
                ``TypeError`` only for arguments of the wrong Python type (a programming error, not an input
                error).
        """
        address = None if remote_address is None else str(remote_address)
        request: Request | None = None
        try:
            request = read_request(
                headers,
                body,
                query,
                limits=self._limits,
                method=method,
                remote_address=address,
                url=url,
            )
            self._authenticate(request)
            fmt = self._choose(request)
            try:
                return fmt.parse(request, self._contexts[fmt.name])
            except MmsdrError as error:
                error.provider = error.provider or fmt.provider
                error.format = error.format or fmt.name
                if fmt.reject is not None:
                    error.ack = fmt.reject(error)
                raise
        except MmsdrError as error:
            # Every refusal keeps its request and is logged once, here (see docs/errors-and-limits.md).
            kept = request_kept(
                request, headers, body, query, method=method, remote_address=address, limits=self._limits
            )
            refused(error, kept)
            raise

    def _authenticate(self, request: Request) -> None:
        try:
            for authenticator in self._authenticators:
                authenticator.authenticate(request)
        except AuthenticationError as error:
            # Before any format is read: answered as the endpoint's provider answers, when it has one.
            providers = {fmt.provider for fmt in self._formats}
            if len(providers) == 1:
                error.provider = error.provider or providers.pop()
                fmt = self._formats[0]
                if len(self._formats) == 1:
                    error.format = error.format or fmt.name
                if fmt.reject is not None:
                    error.ack = fmt.reject(error)
            raise

    def _choose(self, request: Request) -> Format:
        if len(self._formats) == 1:
            # One format for this endpoint: no detection; read it, so that an error names what is wrong.
            return self._formats[0]
        method = None if request.method == "HEAD" else request.method
        by_method = self._formats
        if method is not None:
            by_method = tuple(fmt for fmt in by_method if method in fmt.methods)
            if not by_method:
                allowed = sorted({method for fmt in self._formats for method in fmt.methods})
                msg = f"request: method {method!r} is not used by the accepted formats ({', '.join(allowed)})"
                raise UnsupportedFormatError(msg, field="method", status_hint=405)
        has_fields = bool(request.field_names)
        for fmt in by_method:
            media_types = fmt.body_media_types
            if (has_fields or media_types is None or request.media_type in media_types) and fmt.matches(request):
                return fmt
        closest = _closest(by_method, request)
        if closest is not None:
            # Read the closest format anyway, so that its error names the missing field.
            return closest
        fields = sorted(request.field_names)
        shown_fields = ", ".join(fields[:12]) + (", ..." if len(fields) > 12 else "")
        msg = (
            f"request: no accepted format matches (content type {request.media_type or 'none'!r}, "
            f"fields: {shown_fields or 'none'})"
        )
        raise UnsupportedFormatError(msg, field="content-type")


def _closest(formats: tuple[Format, ...], request: Request) -> Format | None:
    """The format to read when none matches: the only one for this method, else the one with most of its
    required fields present (the first in detection order on a tie); None when none has any.

    Work: one set lookup per required field of each format."""
    if len(formats) == 1:
        return formats[0]
    names = request.field_names
    closest, most = None, 0
    for fmt in formats:
        present = sum(1 for name in fmt.required_fields if name in names)
        if present > most:
            closest, most = fmt, present
    return closest


def _authenticators(
    auth: Authenticator | Iterable[Authenticator] | None, trusted_networks: Iterable[str | IPNetwork] | None
) -> tuple[Authenticator, ...]:
    if auth is None:
        listed: list[Any] = []
    elif isinstance(auth, Authenticator) or not isinstance(auth, Iterable):
        listed = [auth]
    else:
        listed = list(auth)
    if trusted_networks is not None:
        listed.insert(0, SourceNetworks(trusted_networks))
    for authenticator in listed:
        if not isinstance(authenticator, Authenticator):
            msg = f"auth takes authenticators (objects with authenticate(request)), got {type(authenticator).__name__}"
            raise TypeError(msg)
    return tuple(listed)


def parse_request(
    headers: Any,
    body: Any = None,
    query: Any = None,
    /,
    *,
    formats: str | Format | Iterable[str | Format] | None = None,
    limits: Limits | None = None,
    default_zone: str | tzinfo | None = None,
    auth: Authenticator | Iterable[Authenticator] | None = None,
    trusted_networks: Iterable[str | IPNetwork] | None = None,
    undeclared_base64: bool = False,
    clock: Callable[[], datetime] = utc_now,
    method: str | None = None,
    remote_address: str | ipaddress.IPv4Address | ipaddress.IPv6Address | None = None,
    url: str | None = None,
) -> Callback:
    """Read one callback request: ``Parser(**options).parse(headers, body, query, ...)``.

    See [`Parser`][mmsdr.Parser] for the options and [`Parser.parse`][mmsdr.Parser.parse] for the arguments. An endpoint
    that always takes the same options can build its [`Parser`][mmsdr.Parser] once instead.
    """
    options_given = limits is not None or auth is not None or trusted_networks is not None or undeclared_base64
    if formats is None and default_zone is None and clock is utc_now and not options_given:
        parser = _PARSER_WITHOUT_OPTIONS
    else:
        parser = Parser(
            formats=formats,
            limits=limits,
            default_zone=default_zone,
            auth=auth,
            trusted_networks=trusted_networks,
            undeclared_base64=undeclared_base64,
            clock=clock,
        )
    return parser.parse(headers, body, query, method=method, remote_address=remote_address, url=url)


# A Parser holds no per-request state: the one every option-less parse_request uses is built once, here, like a
# default argument (a Parser costs about as much to build as a small parse).
_PARSER_WITHOUT_OPTIONS = Parser()


def acknowledge(callback: Callback, /, *, retry: bool = False) -> Ack:
    """The response the provider expects for ``callback``, exactly: status, headers and body.

    Args:
        callback: what [`parse_request`][mmsdr.parse_request] returned for the request.
        retry: False (the default) for the provider's success answer: every event of the callback is taken
            care of. True for the provider's own "not now, send it again" answer (MM7: a server-error SOAP
            fault with HTTP 500; MX Telecom and OpenMarket: 503), for an app that cannot take the callback now
            (its store or its deduplication store is down).
    """
    _check_callback(callback)
    fmt = FORMATS.get(callback.format)
    if fmt is None:
        msg = (
            f"acknowledge(): {callback.format!r} is not one of mmsdr's formats; "
            "answer a format of your own with the Parser that read it: parser.acknowledge(callback)"
        )
        raise ValueError(msg)
    return fmt.retry(callback) if retry else fmt.acknowledge(callback)


def _check_callback(callback: object) -> None:
    if not isinstance(callback, Callback):
        msg = f"acknowledge() takes the Callback parse_request returned, got {type(callback).__name__}"
        raise TypeError(msg)


def _format_named(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        msg = f"unknown format {name!r}"
        raise ValueError(msg) from None


_EVENT_TYPES: Mapping[str, type[Event]] = MappingProxyType(
    {
        kind.__name__: kind
        for kind in (
            _events.DeliveryReport,
            _events.ReadReport,
            _events.InboundMessage,
            _events.Unsubscribe,
            _events.SubscriptionRenewal,
        )
    }
)


def event_from_dict(data: Mapping[str, Any], /) -> Event:
    """The event whose [`to_dict`][mmsdr.Event.to_dict] gave ``data``: ``event_from_dict(e.to_dict()) == e``.

    For events stored as JSON (an audit log, a queue) and replayed later, for example through
    [`mmsdr.testing.request_for`][mmsdr.testing.request_for].

    Raises:
        TypeError: ``data`` is not a mapping.
        ValueError: ``data`` is not what ``to_dict()`` gives for an event of a format mmsdr reads.
    """
    if not isinstance(data, Mapping):
        msg = f"event_from_dict() takes the dict Event.to_dict() gives, got {type(data).__name__}"
        raise TypeError(msg)
    kind = _EVENT_TYPES.get(data.get("type"))  # type: ignore[arg-type] # any key: a miss is the answer
    if kind is None:
        msg = f"event_from_dict(): unknown event type {data.get('type')!r}"
        raise ValueError(msg)
    fmt = FORMATS.get(data.get("format"))  # type: ignore[arg-type]
    if fmt is None:
        msg = f"event_from_dict(): unknown format {data.get('format')!r}"
        raise ValueError(msg)
    details_types: dict[str, type[Details]] = {details.__name__: details for details in fmt.details_types}
    try:
        return dataclass_from_dict(kind, data, details_types)
    except (TypeError, ValueError, KeyError) as exc:
        msg = f"event_from_dict(): not the data of {_article(kind.__name__)} {kind.__name__}: {exc}"
        raise ValueError(msg) from exc


def _article(name: str) -> str:
    return "an" if name[0] in "AEIOU" else "a"

"""Know who sent it: the checks a [`Parser`][mmsdr.Parser] runs on a request before it reads the callback.

Give an endpoint its provider's check with ``Parser(auth=...)``: one authenticator, or a sequence that must all
pass. Each gets the [`Request`][mmsdr.Request] (headers, the body's bytes, query and form fields, the public
``url`` the caller passed, the remote address) and returns, or raises
[`AuthenticationError`][mmsdr.AuthenticationError] (401) or [`UntrustedSourceError`][mmsdr.UntrustedSourceError]
(403). A check never passes for want of something: a missing header, secret, URL, address or optional package is
an error that names it.

- [`BasicAuth`][mmsdr.auth.BasicAuth]: HTTP Basic credentials (MM7 MMSCs, Bandwidth, OpenMarket on request).
- [`SourceNetworks`][mmsdr.auth.SourceNetworks]: the source address in the networks a provider publishes
  (``mmsdr.mxtelecom.NETWORKS``).
- [`SignatureCheck`][mmsdr.auth.SignatureCheck]: what the providers' signature checks share (several secrets for
  rotation, constant-time comparison, the replay window of a signed time).

An authenticator that can also sign (``sign(request)``) lets [`mmsdr.testing`][mmsdr.testing] build requests
that pass it: ``request_for(event, auth=...)``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hmac
import time
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ._errors import AuthenticationError, UntrustedSourceError
from ._public import public_dir
from ._source import IPNetwork, is_trusted_source, parse_networks

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from ._request import Request
    from ._testing import TestRequest

__all__ = (
    "DEFAULT_TOLERANCE",
    "Authenticator",
    "BasicAuth",
    "SignatureCheck",
    "Signer",
    "SourceNetworks",
)

#: Seconds a signed time may be away from the clock: what Telnyx's SDK allows, and Sinch's and Vonage's
#: schemes sign a time without any SDK checking it.
DEFAULT_TOLERANCE = 300.0

# RFC 7235 allows any size; a Basic value of credentials a person configured is far shorter.
_MAX_BASIC_CHARS = 1024


@runtime_checkable
class Authenticator(Protocol):
    """A check on a request: returns when it passes, raises [`AuthenticationError`][mmsdr.AuthenticationError]
    (or [`UntrustedSourceError`][mmsdr.UntrustedSourceError]) when it does not."""

    def authenticate(self, request: Request, /) -> None: ...


@runtime_checkable
class Signer(Protocol):
    """An authenticator that can also make a request pass it: for tests ([`mmsdr.testing`][mmsdr.testing])."""

    def sign(self, request: TestRequest, /) -> TestRequest: ...


def _refusal(message: str, field: str, challenge: str | None = None) -> AuthenticationError:
    return AuthenticationError(f"request: {message}", field=field, challenge=challenge)


def _as_bytes(secret: str | bytes, what: str) -> bytes:
    if isinstance(secret, bytes):
        value = secret
    elif isinstance(secret, str):
        value = secret.encode("utf-8")
    else:
        msg = f"{what} must be str or bytes, not {type(secret).__name__}"
        raise TypeError(msg)
    if not value:
        msg = f"{what} must not be empty"
        raise ValueError(msg)
    return value


class BasicAuth:
    """HTTP Basic credentials (RFC 7617): the request's ``Authorization`` must hold one of ``credentials``.

    Args:
        credentials: user name to password, or to several passwords; several for rotation (add the new
            password or user, move the provider to it, remove the old). Names and passwords are compared in
            constant time, every pair every time.
        realm: the realm of the ``WWW-Authenticate`` challenge a refusal carries (clients such as Twilio send
            credentials only after a 401 that asks for them).

    Raises:
        ValueError: no credentials, an empty user name or password, or a user name with ``:`` (RFC 7617 2).
    """

    __slots__ = ("_challenge", "_credentials")

    def __init__(self, credentials: Mapping[str, str | Sequence[str]], /, *, realm: str = "mmsdr") -> None:
        pairs: list[tuple[bytes, bytes]] = []
        for user, passwords in credentials.items():
            user_bytes = _as_bytes(user, "a BasicAuth user name")
            if b":" in user_bytes:
                msg = f"a BasicAuth user name cannot hold ':' (RFC 7617 section 2), got {user!r}"
                raise ValueError(msg)
            listed = [passwords] if isinstance(passwords, (str, bytes)) else list(passwords)
            pairs.extend((user_bytes, _as_bytes(password, "a BasicAuth password")) for password in listed)
        if not pairs:
            msg = "BasicAuth needs at least one user name and password"
            raise ValueError(msg)
        if '"' in realm or "\\" in realm or not realm.isprintable():
            msg = f"the realm must be printable text without quotes or backslashes, got {realm!r}"
            raise ValueError(msg)
        self._credentials = tuple(pairs)
        self._challenge = f'Basic realm="{realm}", charset="UTF-8"'

    def __repr__(self) -> str:  # never the passwords
        users = ", ".join(repr(user) for user in dict.fromkeys(user.decode("utf-8") for user, _ in self._credentials))
        return f"BasicAuth(users=[{users}])"

    def authenticate(self, request: Request, /) -> None:
        """Pass when ``Authorization: Basic ...`` holds one of the credentials; else 401 with the challenge."""
        value = request.headers.get("authorization")
        if value is None:
            raise _refusal(
                "no Authorization header; this endpoint takes HTTP Basic credentials", "authorization", self._challenge
            )
        given = self._decoded(value)
        matched = False
        for user, password in self._credentials:  # every pair, whichever matches: the time tells nothing
            matched |= hmac.compare_digest(user, given[0]) & hmac.compare_digest(password, given[1])
        if not matched:
            raise _refusal("the Basic credentials are not this endpoint's", "authorization", self._challenge)

    def _decoded(self, value: str) -> tuple[bytes, bytes]:
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "basic":
            shown = scheme[:20]
            raise _refusal(
                f"the Authorization header is not Basic credentials (scheme {shown!r})",
                "authorization",
                self._challenge,
            )
        token = token.strip()
        if len(token) > _MAX_BASIC_CHARS:
            raise _refusal(
                f"the Basic credentials are longer than {_MAX_BASIC_CHARS} characters", "authorization", self._challenge
            )
        try:
            decoded = base64.b64decode(token.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error):
            raise _refusal("the Basic credentials are not base64", "authorization", self._challenge) from None
        user, colon, password = decoded.partition(b":")
        if not colon:
            raise _refusal(
                "the Basic credentials have no ':' between user name and password", "authorization", self._challenge
            )
        return user, password

    def sign(self, request: TestRequest, /) -> TestRequest:
        """``request`` with the first credentials in its ``Authorization`` header."""
        user, password = self._credentials[0]
        token = base64.b64encode(user + b":" + password).decode("ascii")
        headers = tuple((name, value) for name, value in request.headers if name.lower() != "authorization")
        return dataclasses.replace(request, headers=(*headers, ("Authorization", f"Basic {token}")))


class SourceNetworks:
    """The request's remote address must lie in ``networks`` (403 otherwise).

    Only for a provider that publishes the networks its callbacks come from (MX Telecom:
    ``mmsdr.mxtelecom.NETWORKS``); pass the address *you* trust to have seen the provider (see
    [`mmsdr.wsgi.client_address`][mmsdr.wsgi.client_address]). A request without an address is refused.

    Raises:
        ValueError: no networks, or a malformed one.
    """

    __slots__ = ("_networks",)

    def __init__(self, networks: Iterable[str | IPNetwork], /) -> None:
        if isinstance(networks, str):
            msg = "SourceNetworks takes a list of networks, not one string"
            raise TypeError(msg)
        self._networks = parse_networks(networks)
        if not self._networks:
            msg = "SourceNetworks needs at least one network"
            raise ValueError(msg)

    @property
    def networks(self) -> tuple[IPNetwork, ...]:
        return self._networks

    def __repr__(self) -> str:
        return f"SourceNetworks([{', '.join(repr(str(network)) for network in self._networks)}])"

    def authenticate(self, request: Request, /) -> None:
        """Pass when ``request.remote_address`` lies in the networks."""
        address = request.remote_address
        if address is None:
            msg = (
                "request: no remote address to check against the trusted networks; pass parse(..., remote_address=...)"
            )
            raise UntrustedSourceError(msg, field="remote_address")
        if not is_trusted_source(address, self._networks):
            msg = f"request: source address {address!r} is not in the trusted networks"
            raise UntrustedSourceError(msg, field="remote_address")


class SignatureCheck:
    """What the providers' signature checks share; each provider's ``Signature`` builds on it.

    Args:
        secrets: the signing secret as the provider's console shows it, or several (rotation): a request
            passes when its signature matches any of them.
        tolerance: seconds a signed time may differ from ``clock()``, for schemes that sign one.
        clock: the current time in seconds since the epoch (``time.time``); tests and fixed vectors set it.

    Raises:
        ValueError: no secret, an empty one, or a tolerance that is not a positive number.
    """

    __slots__ = ("_clock", "_secrets", "_tolerance")

    def __init__(
        self,
        secrets: str | bytes | Sequence[str | bytes],
        /,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        listed = [secrets] if isinstance(secrets, (str, bytes)) else list(secrets)
        if not listed:
            msg = f"{type(self).__name__} needs at least one secret"
            raise ValueError(msg)
        self._secrets = tuple(_as_bytes(secret, f"a {type(self).__name__} secret") for secret in listed)
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance > 0:
            msg = f"tolerance must be a positive number of seconds, got {tolerance!r}"
            raise ValueError(msg)
        self._tolerance = float(tolerance)
        self._clock = clock

    def __repr__(self) -> str:  # never the secrets
        return f"{type(self).__name__}(<{len(self._secrets)} secret(s)>, tolerance={self._tolerance:g})"

    @property
    def secrets(self) -> tuple[bytes, ...]:
        return self._secrets

    @property
    def tolerance(self) -> float:
        """Seconds a signed time may differ from the clock."""
        return self._tolerance

    def now(self) -> float:
        """The current time from the check's ``clock``: what a signed time is compared with, and what ``sign``
        signs."""
        return self._clock()

    def authenticate(self, request: Request, /) -> None:
        """Check ``request``'s signature; every provider's check defines it."""
        raise NotImplementedError

    @staticmethod
    def header(request: Request, name: str) -> str:
        """The value of a header the scheme needs; a missing or empty one is refused, naming it."""
        value = request.headers.get(name)
        if not value:
            raise _refusal(f"the {name} header is missing; the endpoint checks signatures", name.lower())
        return value

    def matches_any(self, given: bytes, expected_for: Callable[[bytes], bytes]) -> bool:
        """Whether ``given`` equals ``expected_for(secret)`` for one of the secrets, compared in constant time
        for every secret (the time does not tell which one matched, or how much of it)."""
        matched = False
        for secret in self._secrets:
            matched |= hmac.compare_digest(expected_for(secret), given)
        return matched

    def check_time(self, signed: str, field: str) -> float:
        """The signed time (seconds since the epoch, as text), refused when outside the replay window."""
        text = signed.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 12:
            raise _refusal(f"the signed time {text[:20]!r} is not a number of seconds", field)
        seconds = float(int(text))
        now = self.now()
        if abs(now - seconds) > self._tolerance:
            raise _refusal(
                f"the signed time is {abs(now - seconds):.0f} s away from now, more than the {self._tolerance:g} s "
                "allowed (a replay, or a clock that is wrong)",
                field,
            )
        return seconds


__dir__ = public_dir(globals())

"""The Vonage Messages API signed callbacks: ``Authorization: Bearer <JWT>``, HS256 with the signature secret.

Vonage API documentation, "Signed webhooks": the token is signed with the account's signature secret,
"SHA-256 is always used" (the Dashboard's method does not apply); its ``payload_hash`` claim is the SHA-256 of
the body; "In the rare case of an internal error, it is possible that the callback service will send an
unsigned callback. By returning an HTTP 5xx response, a retry will be triggered". So a callback without a
Bearer token is answered 503 (Vonage sends it again, signed), every other failure 401.

PyJWT (the extra ``mmsdr[vonage]``) reads the token; the HMAC is computed here and compared in constant time
against every secret, because PyJWT warns on every token checked with a secret under 32 bytes, and Vonage
allows shorter ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any

from .._errors import AuthenticationError
from ..auth import DEFAULT_TOLERANCE, SignatureCheck

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import ModuleType

    from .._request import Request
    from .._testing import TestRequest

__all__ = ("MAX_AUTHORIZATION_CHARS", "JwtSignature")

EXTRA = "vonage"
ALGORITHM = "HS256"
_FIELD = "authorization"
_UNSIGNED = 503

#: The longest ``Authorization`` value read: a Vonage token (a dozen short claims) is well under 1 KiB, and a
#: longer one is refused before it is decoded.
MAX_AUTHORIZATION_CHARS = 8 * 1024


def _pyjwt() -> ModuleType:
    """The ``jwt`` module (PyJWT); without it no check can be built (never one that passes)."""
    try:
        import jwt  # noqa: PLC0415 - an optional extra
    except ImportError as exc:
        msg = f"mmsdr.vonage.JwtSignature needs PyJWT: pip install 'mmsdr[{EXTRA}]' (or pip install pyjwt)"
        raise ImportError(msg, name="jwt") from exc
    return jwt


def _refusal(message: str, *, status_hint: int | None = None) -> AuthenticationError:
    return AuthenticationError(f"request: {message}", provider="vonage", field=_FIELD, status_hint=status_hint)


def _digest(secret: bytes, signing_input: bytes) -> bytes:
    return hmac.new(secret, signing_input, hashlib.sha256).digest()


class JwtSignature(SignatureCheck):
    """Vonage Messages API signed callbacks: ``Parser(auth=mmsdr.vonage.JwtSignature(secret))``.

    ``Authorization: Bearer <JWT>``: the token's header must name HS256 (``none`` and every other algorithm are
    refused before any secret is tried), its signature must match one of the secrets, its ``iat`` must lie
    within ``tolerance`` seconds of ``clock()`` (either way) and an ``exp`` must not have passed by more; a
    ``payload_hash`` claim, where the token has one, must be the SHA-256 (hex, any case) of the body as
    received. A callback without an ``Authorization`` header, or with one that is not a Bearer token, is what
    Vonage sends after an internal error: refused with ``status_hint`` 503, so that the answer (``error.ack``)
    makes Vonage send it again, signed. Every other failure is 401. Needs PyJWT, the extra ``mmsdr[vonage]``:
    without it, building the check raises ``ImportError`` naming the extra.

    Args:
        secrets: the signature secret as the Vonage Dashboard shows it, or several during a rotation.
        tolerance: seconds ``iat`` may be away from the clock (300 by default).
        clock: the current time in seconds since the epoch (``time.time``).

    Raises:
        ImportError: PyJWT is not installed.
        ValueError: no secret or an empty one, a tolerance that is not positive.
    """

    __slots__ = ("_jwt",)

    def __init__(
        self,
        secrets: str | bytes | Sequence[str | bytes],
        /,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._jwt = _pyjwt()
        super().__init__(secrets, tolerance=tolerance, clock=clock)

    def authenticate(self, request: Request, /) -> None:
        """Pass when the Bearer token is HS256 under one of the secrets, recent, and covers the body; else 401,
        or 503 for a callback without a Bearer token."""
        value = request.headers.get(_FIELD)
        if not value:
            raise _refusal(
                "no Authorization header; Vonage sends an unsigned callback after an internal error, and "
                "answering 503 makes it send the callback again, signed",
                status_hint=_UNSIGNED,
            )
        if len(value) > MAX_AUTHORIZATION_CHARS:
            raise _refusal(f"the Authorization header is longer than {MAX_AUTHORIZATION_CHARS} characters")
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise _refusal(
                f"the Authorization header is not a Bearer token (scheme {scheme[:20]!r}); answering 503 makes "
                "Vonage send the callback again, signed",
                status_hint=_UNSIGNED,
            )
        claims = self._verified_claims(token.strip())
        self._check_times(claims)
        self._check_payload_hash(claims, request.body)

    def _verified_claims(self, token: str) -> dict[str, Any]:
        jwt = self._jwt
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, RecursionError):
            raise _refusal("the Bearer token is not a JWT") from None
        algorithm = header.get("alg")
        if algorithm != ALGORITHM:
            shown = repr(algorithm)[:40] if isinstance(algorithm, str) else type(algorithm).__name__
            raise _refusal(f"the JWT algorithm is {shown}, not HS256, the one Vonage signs with")
        try:
            decoded = jwt.decode_complete(token, options={"verify_signature": False})
        except (jwt.PyJWTError, ValueError, RecursionError):
            raise _refusal("the Bearer token is not a JWT") from None
        signing_input = token.rpartition(".")[0].encode("ascii")  # decode_complete read it: ASCII base64url
        signature: bytes = decoded["signature"]
        if not self.matches_any(signature, lambda secret: _digest(secret, signing_input)):
            raise _refusal("the JWT signature does not match")
        claims: dict[str, Any] = decoded["payload"]
        return claims

    def _check_times(self, claims: dict[str, Any]) -> None:
        issued = claims.get("iat")
        if issued is None:
            raise _refusal("the JWT has no iat claim; the endpoint checks when it was signed")
        if type(issued) is not int or issued < 0:
            raise _refusal(f"the JWT's iat claim {str(issued)[:20]!r} is not a whole number of seconds")
        self.check_time(str(issued), _FIELD)
        expires = claims.get("exp")
        if expires is not None:
            if type(expires) is not int:
                raise _refusal(f"the JWT's exp claim {str(expires)[:20]!r} is not a whole number of seconds")
            if self.now() > expires + self.tolerance:
                raise _refusal("the JWT has expired (its exp claim has passed)")

    def _check_payload_hash(self, claims: dict[str, Any], body: bytes) -> None:
        # "Signed webhooks": the check is optional on Vonage's side; a token without the claim (the SDK's
        # published test token has none) passes, one with it must match.
        given = claims.get("payload_hash")
        if given is None:
            return
        if not isinstance(given, str):
            raise _refusal("the JWT's payload_hash claim is not a string")
        actual = hashlib.sha256(body).hexdigest().encode("ascii")
        if not hmac.compare_digest(actual, given.strip().lower().encode("utf-8", "surrogatepass")):
            raise _refusal("the JWT's payload_hash is not the SHA-256 of the body")

    def sign(self, request: TestRequest, /) -> TestRequest:
        """``request`` with ``Authorization: Bearer`` a token by the first secret: ``iat`` the clock's time,
        ``payload_hash`` the SHA-256 of the body."""
        encode = self._jwt.utils.base64url_encode
        header = encode(json.dumps({"alg": ALGORITHM, "typ": "JWT"}, separators=(",", ":")).encode("ascii"))
        claims = {"iat": int(self.now()), "payload_hash": hashlib.sha256(request.body).hexdigest()}
        payload = encode(json.dumps(claims, separators=(",", ":")).encode("ascii"))
        signing_input = header + b"." + payload
        token = (signing_input + b"." + encode(_digest(self.secrets[0], signing_input))).decode("ascii")
        headers = tuple((name, value) for name, value in request.headers if name.lower() != _FIELD)
        return dataclasses.replace(request, headers=(*headers, ("Authorization", f"Bearer {token}")))

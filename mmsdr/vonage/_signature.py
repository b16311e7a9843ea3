"""The Vonage SMS API ``sig`` parameter: a hash of the callback's other parameters, sorted, and the secret.

Vonage's rule (Vonage API documentation, "Signing messages"; the SDKs' ``Auth.sign_params`` (Python) and
``SmsSignatureGenerator`` (.NET) build the same string):

1. drop ``sig``; take every other parameter, sorted by name;
2. append ``&{name}={value}`` for each, with every ``&`` and ``=`` inside a value replaced by ``_``;
3. ``md5hash`` (the Dashboard's default): the MD5 of that string with the secret appended, which is *not* an
   HMAC; ``md5``, ``sha1``, ``sha256``, ``sha512``: the HMAC of that string keyed with the secret.

The hex digest is lower case from some SDKs and upper case from others (.NET): compared without case. The
parameters include ``timestamp`` (Unix seconds), which Vonage signs and nothing on Vonage's side checks: this
check refuses one outside ``tolerance``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus, unquote_plus

from .._errors import AuthenticationError, MmsdrError
from .._limits import Limits
from .._request import parse_query_string
from .._wire.json import load_json_object
from ..auth import DEFAULT_TOLERANCE, SignatureCheck

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from .._request import Request
    from .._testing import TestRequest

__all__ = ("METHODS", "Signature")

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
_SIG = "sig"
_TIMESTAMP = "timestamp"


def _md5hash(secret: bytes, canonical: bytes) -> str:
    # Not an HMAC, and MD5: Vonage's scheme, kept because the Dashboard defaults to it.
    return hashlib.md5(canonical + secret).hexdigest()  # noqa: S324


def _hmac(algorithm: str) -> Callable[[bytes, bytes], str]:
    def digest(secret: bytes, canonical: bytes) -> str:
        return hmac.new(secret, canonical, algorithm).hexdigest()

    return digest


#: The signature methods, as the Vonage Dashboard names them: the digest of the canonical string and the secret.
METHODS: Mapping[str, Callable[[bytes, bytes], str]] = {
    "md5hash": _md5hash,
    "md5": _hmac("md5"),
    "sha1": _hmac("sha1"),
    "sha256": _hmac("sha256"),
    "sha512": _hmac("sha512"),
}


def _refusal(message: str, field: str) -> AuthenticationError:
    return AuthenticationError(f"request: {message}", provider="vonage", field=field)


def _as_bytes(value: bytes | str) -> bytes:
    # A value that is not UTF-8 reaches here as its bytes; a decoded str is signed as its UTF-8 (as the SDKs do).
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def canonical(fields: Iterable[tuple[str, bytes | str]]) -> bytes:
    """``&{name}={value}`` for every field but ``sig``, sorted by name, ``&`` and ``=`` in values made ``_``."""
    pairs = sorted((name, _as_bytes(value)) for name, value in fields if name != _SIG)
    return b"".join(
        b"&" + name.encode("utf-8", "surrogatepass") + b"=" + value.replace(b"&", b"_").replace(b"=", b"_")
        for name, value in pairs
    )


def _json_fields(body: bytes) -> list[tuple[str, bytes | str]]:
    """The members of a JSON body; each must be a string (Vonage sends every value as one)."""
    try:
        # A Vonage SMS API callback is well under a kilobyte; the default JSON limit bounds the decoding.
        obj = load_json_object(body, max_bytes=Limits().max_json_bytes, format_name="request")
    except MmsdrError as error:
        raise _refusal(
            f"{error.message.removeprefix('request: ')}; the signed parameters cannot be read", "body"
        ) from None
    for name, value in obj.items():
        if type(value) is not str:
            shown = "null" if value is None else type(value).__name__
            raise _refusal(
                f"the JSON field {name[:40]!r} is {shown}, not a string; the signature cannot be checked", name
            )
    return list(obj.items())


def carried_fields(request: Request) -> Sequence[tuple[str, bytes | str]]:
    """The callback's parameters where it carries them: a form body, a JSON body, else the query string."""
    if request.media_type == _FORM:
        return request.form
    if request.media_type == _JSON:
        return _json_fields(request.body)
    return request.query


class Signature(SignatureCheck):
    """The Vonage SMS API ``sig`` parameter: ``Parser(auth=mmsdr.vonage.Signature(secret, method="md5hash"))``.

    Vonage signs SMS API callbacks (inbound messages, delivery receipts) only once Vonage support enables it for
    the account; the Dashboard then chooses the method. The parameters are read where the callback carries
    them: the query string of a GET, the form body of a POST, or the members of a JSON body (which must all be
    strings). The signed ``timestamp`` must lie within ``tolerance`` seconds of ``clock()``. A request without
    ``sig`` or ``timestamp``, with a parameter given twice, or with a JSON member that is not a string cannot
    be checked and is refused (401). The request is only read, never changed.

    Args:
        secrets: the signature secret as the Vonage Dashboard shows it, or several during a rotation.
        method: ``"md5hash"`` (the Dashboard's default: MD5 of the parameters and the secret, not an HMAC),
            ``"md5"``, ``"sha1"``, ``"sha256"`` or ``"sha512"`` (HMACs).
        tolerance: seconds the signed ``timestamp`` may be away from the clock (300 by default).
        clock: the current time in seconds since the epoch (``time.time``).

    Raises:
        ValueError: an unknown method, no secret or an empty one, a tolerance that is not positive.
    """

    __slots__ = ("_digest", "_method")

    def __init__(
        self,
        secrets: str | bytes | Sequence[str | bytes],
        /,
        *,
        method: str = "md5hash",
        tolerance: float = DEFAULT_TOLERANCE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(method, str):
            msg = f"method must be str, not {type(method).__name__}"
            raise TypeError(msg)
        if method not in METHODS:
            names = ", ".join(map(repr, METHODS))
            msg = f"method must be one of {names} (as the Vonage Dashboard names them), got {method!r}"
            raise ValueError(msg)
        super().__init__(secrets, tolerance=tolerance, clock=clock)
        self._method = method
        self._digest = METHODS[method]

    def __repr__(self) -> str:  # never the secrets
        return f"Signature(<{len(self.secrets)} secret(s)>, method={self._method!r}, tolerance={self.tolerance:g})"

    def authenticate(self, request: Request, /) -> None:
        """Pass when ``sig`` matches the other parameters under one of the secrets and ``timestamp`` is recent."""
        fields = carried_fields(request)
        by_name: dict[str, bytes | str] = {}
        for name, value in fields:
            if name in by_name:
                raise _refusal(
                    f"the parameter {name[:40]!r} comes more than once; the signature cannot be checked", name
                )
            by_name[name] = value
        given = by_name.get(_SIG)
        if given is None:
            raise _refusal("the sig parameter is missing; the endpoint checks Vonage signatures", _SIG)
        signed_time = by_name.get(_TIMESTAMP)
        if signed_time is None:
            raise _refusal("the timestamp parameter is missing; Vonage signs it and the endpoint checks it", _TIMESTAMP)
        self.check_time(signed_time if isinstance(signed_time, str) else signed_time.decode("latin-1"), _TIMESTAMP)
        message = canonical(fields)
        signature = _as_bytes(given).strip().lower()
        if not self.matches_any(signature, lambda secret: self._digest(secret, message).encode("ascii")):
            raise _refusal(f"the sig parameter does not match the parameters ({self._method})", _SIG)

    def sign(self, request: TestRequest, /) -> TestRequest:
        """``request`` with ``timestamp`` (the clock's time) and ``sig`` (the first secret) added where it carries
        its parameters: the JSON body, the form body, or the query string; any earlier ``sig`` and
        ``timestamp`` are replaced."""
        signed_time = str(int(self.now()))
        content_type = next((value for name, value in request.headers if name.lower() == "content-type"), "")
        media_type = content_type.split(";", 1)[0].strip().lower() if request.method == "POST" else ""
        if media_type == _JSON:
            obj: Any = json.loads(request.body)
            if not isinstance(obj, dict) or not all(type(value) is str for value in obj.values()):
                msg = "a Vonage SMS API JSON callback is one object that carries every value as a string"
                raise ValueError(msg)
            obj = {name: value for name, value in obj.items() if name not in {_SIG, _TIMESTAMP}}
            obj[_TIMESTAMP] = signed_time
            obj[_SIG] = self._digest(self.secrets[0], canonical(obj.items()))
            return _with_body(request, json.dumps(obj, ensure_ascii=False).encode("utf-8"))
        raw = request.body.decode("latin-1") if media_type == _FORM else request.query
        kept = [
            piece
            for piece in raw.split("&")
            if piece and unquote_plus(piece.partition("=")[0], encoding="latin-1") not in {_SIG, _TIMESTAMP}
        ]
        fields = [*parse_query_string("&".join(kept).encode("latin-1"), Limits()), (_TIMESTAMP, signed_time)]
        digest = self._digest(self.secrets[0], canonical(fields))
        signed = "&".join([*kept, f"{_TIMESTAMP}={signed_time}", f"{_SIG}={quote_plus(digest)}"])
        if media_type == _FORM:
            return _with_body(request, signed.encode("latin-1"))
        return dataclasses.replace(request, target=f"{request.path}?{signed}")


def _with_body(request: TestRequest, body: bytes) -> TestRequest:
    headers = tuple(
        (name, str(len(body)) if name.lower() == "content-length" else value) for name, value in request.headers
    )
    return dataclasses.replace(request, headers=headers, body=body)

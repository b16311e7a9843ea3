"""Telnyx callback signatures: Ed25519 over ``{timestamp}|{raw body}`` (API v2), and the legacy v1 HMAC."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import time
from typing import TYPE_CHECKING, Any

from .._errors import AuthenticationError
from ..auth import DEFAULT_TOLERANCE, SignatureCheck

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .._request import Request
    from .._testing import TestRequest

__all__ = ("LEGACY_SIGNATURE_HEADER", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "LegacySignature", "Signature")

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
LEGACY_SIGNATURE_HEADER = "X-Telnyx-Signature"
EXTRA = "telnyx"
_KEY_BYTES = 32
_SIGNATURE_BYTES = 64


def _ed25519() -> Any:
    """The ``cryptography`` Ed25519 module; without it no check can be built (never one that passes)."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: PLC0415 - an optional extra
    except ImportError as exc:
        msg = (
            "mmsdr.telnyx.Signature needs the cryptography package for Ed25519: "
            f"pip install 'mmsdr[{EXTRA}]' (or pip install cryptography)"
        )
        raise ImportError(msg, name="cryptography") from exc
    return ed25519


def _public_key_bytes(key: str | bytes) -> bytes:
    if isinstance(key, bytes) and len(key) == _KEY_BYTES:
        return key
    text = key.decode("ascii", "replace") if isinstance(key, bytes) else key
    try:
        raw = base64.b64decode(text.strip().encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raw = b""
    if len(raw) != _KEY_BYTES:
        msg = "a Telnyx public key is the 32-byte Ed25519 key in base64, as the Mission Control Portal shows it"
        raise ValueError(msg)
    return raw


class Signature(SignatureCheck):
    """Telnyx API v2 callback signatures: ``Parser(auth=mmsdr.telnyx.Signature(public_key))``.

    ``telnyx-signature-ed25519`` must be the base64 Ed25519 signature, by the account's key, of
    ``telnyx-timestamp`` (Unix seconds), ``|`` and the raw body; the timestamp must lie within ``tolerance``
    seconds of ``clock()`` (Telnyx, "Receiving Webhooks", webhook signing). Needs ``cryptography``, the extra
    ``mmsdr[telnyx]``: without it, building the check raises ``ImportError`` naming the extra, so an endpoint
    never runs unchecked.

    Args:
        public_keys: the account's public key, base64 as the portal shows it (or its 32 bytes), or several
            during a rotation.
        tolerance: seconds the signed time may be away from the clock (300 by default, as Telnyx's SDK).
        clock: the current time in seconds since the epoch (``time.time``).

    Raises:
        ImportError: ``cryptography`` is not installed.
        ValueError: a key that is not 32 bytes of base64.
    """

    __slots__ = ("_keys", "_signing_key")

    def __init__(
        self,
        public_keys: str | bytes | Sequence[str | bytes],
        /,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        ed25519 = _ed25519()
        listed = [public_keys] if isinstance(public_keys, (str, bytes)) else list(public_keys)
        raw = [_public_key_bytes(key) for key in listed]
        super().__init__(raw, tolerance=tolerance, clock=clock)
        self._keys = tuple(ed25519.Ed25519PublicKey.from_public_bytes(key) for key in raw)
        self._signing_key: Any = None

    @classmethod
    def for_testing(
        cls, private_key: bytes, /, *, tolerance: float = DEFAULT_TOLERANCE, clock: Callable[[], float] = time.time
    ) -> Signature:
        """A check of the public key of ``private_key`` (a 32-byte Ed25519 seed) that can also ``sign`` test
        requests (``TestRequest.signed``); production checks hold public keys only."""
        ed25519 = _ed25519()
        signing = ed25519.Ed25519PrivateKey.from_private_bytes(private_key)
        from cryptography.hazmat.primitives import serialization  # noqa: PLC0415 - with the extra

        public = signing.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        check = cls(public, tolerance=tolerance, clock=clock)
        check._signing_key = signing
        return check

    def authenticate(self, request: Request, /) -> None:
        """Pass when the signature verifies with one of the keys and the signed time is recent; else 401."""
        from cryptography.exceptions import InvalidSignature  # noqa: PLC0415 - present: __init__ checked

        encoded = self.header(request, SIGNATURE_HEADER)
        signed_time = self.header(request, TIMESTAMP_HEADER)
        self.check_time(signed_time, TIMESTAMP_HEADER)
        try:
            signature = base64.b64decode(encoded.strip().encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error):
            signature = b""
        if len(signature) != _SIGNATURE_BYTES:
            msg = "request: the Telnyx signature is not 64 bytes of base64"
            raise AuthenticationError(msg, field=SIGNATURE_HEADER)
        message = _signed(signed_time, request.body)
        verified = False
        for key in self._keys:  # every key, every time: a rotation's keys are all tried
            try:
                key.verify(signature, message)
            except InvalidSignature:
                continue
            verified = True
        if not verified:
            raise AuthenticationError("request: the Telnyx signature does not match", field=SIGNATURE_HEADER)

    def sign(self, request: TestRequest, /) -> TestRequest:
        """``request`` signed at the clock's time; only a check built with ``for_testing`` holds a key to sign."""
        if self._signing_key is None:
            msg = "this Signature holds public keys only; build it with Signature.for_testing(private_key) to sign"
            raise ValueError(msg)
        signed_time = str(int(self.now()))
        signature = base64.b64encode(self._signing_key.sign(_signed(signed_time, request.body))).decode("ascii")
        names = {SIGNATURE_HEADER, TIMESTAMP_HEADER}
        headers = tuple((name, value) for name, value in request.headers if name.lower() not in names)
        added = ((SIGNATURE_HEADER, signature), (TIMESTAMP_HEADER, signed_time))
        return dataclasses.replace(request, headers=(*headers, *added))


def _signed(signed_time: str, body: bytes) -> bytes:
    return signed_time.strip().encode("ascii", "replace") + b"|" + body


class LegacySignature(SignatureCheck):
    """Telnyx API v1 signatures: ``X-Telnyx-Signature: t={unix seconds},h={base64}``, where ``h`` is HMAC-SHA256,
    keyed with the messaging profile's secret, of ``{t}.{raw body}`` (Telnyx v1, "Inbound Message Signature").

    Args:
        secrets: the messaging profile's secret, or several during a rotation.
        tolerance: seconds ``t`` may be away from the clock (300 by default).
        clock: the current time in seconds since the epoch (``time.time``).
    """

    __slots__ = ()

    def authenticate(self, request: Request, /) -> None:
        """Pass when ``h`` matches one of the secrets and ``t`` is recent; else 401."""
        value = self.header(request, LEGACY_SIGNATURE_HEADER)
        fields = dict(item.strip().partition("=")[::2] for item in value.split(",", 1))
        signed_time, given = fields.get("t", ""), fields.get("h", "")
        if not signed_time or not given:
            msg = "request: X-Telnyx-Signature is not t=<seconds>,h=<signature>"
            raise AuthenticationError(msg, field=LEGACY_SIGNATURE_HEADER.lower())
        self.check_time(signed_time, LEGACY_SIGNATURE_HEADER.lower())
        message = signed_time.strip().encode("ascii") + b"." + request.body
        if not self.matches_any(given.strip().encode("utf-8", "replace"), lambda secret: _hmac(secret, message)):
            raise AuthenticationError(
                "request: the Telnyx signature does not match", field=LEGACY_SIGNATURE_HEADER.lower()
            )

    def sign(self, request: TestRequest, /) -> TestRequest:
        """``request`` signed with the last secret at the clock's time."""
        signed_time = str(int(self.now()))
        digest = _hmac(self.secrets[-1], signed_time.encode("ascii") + b"." + request.body).decode("ascii")
        headers = tuple((name, value) for name, value in request.headers if name.lower() != "x-telnyx-signature")
        return dataclasses.replace(
            request, headers=(*headers, (LEGACY_SIGNATURE_HEADER, f"t={signed_time},h={digest}"))
        )


def _hmac(secret: bytes, message: bytes) -> bytes:
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest())

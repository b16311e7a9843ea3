"""The Sinch SMS REST API callback signature: base64 HMAC-SHA256 over ``{raw body}.{nonce}.{timestamp}``."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from typing import TYPE_CHECKING

from .._errors import AuthenticationError
from ..auth import SignatureCheck

if TYPE_CHECKING:
    from .._request import Request
    from .._testing import TestRequest

__all__ = ("ALGORITHM_HEADER", "NONCE_HEADER", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "Signature")

SIGNATURE_HEADER = "x-sinch-webhook-signature"
NONCE_HEADER = "x-sinch-webhook-signature-nonce"
TIMESTAMP_HEADER = "x-sinch-webhook-signature-timestamp"
ALGORITHM_HEADER = "x-sinch-webhook-signature-algorithm"

# The names HMAC-SHA256 goes by (Sinch's Java SDK hands the header to Mac.getInstance: "HmacSHA256"), compared
# without case, dashes or underscores. Anything else is refused: never a weaker check than the one configured.
_SHA256_NAMES = frozenset({"hmacsha256", "sha256"})


class Signature(SignatureCheck):
    """Sinch SMS REST API callback signatures (enabled by Sinch on request): ``Parser(auth=Signature(secret))``.

    ``x-sinch-webhook-signature`` must be base64 HMAC-SHA256, keyed with the secret, of the raw body, ``.``, the
    ``x-sinch-webhook-signature-nonce`` and ``.``, then ``x-sinch-webhook-signature-timestamp`` (Unix seconds),
    which must lie within ``tolerance`` seconds of ``clock()``: Sinch's SDKs check no age, so a captured callback
    could be replayed forever. An ``x-sinch-webhook-signature-algorithm`` other than HMAC-SHA256 is refused;
    without one, HMAC-SHA256 is checked (what the Python SDK always does).

    Args:
        secrets: the webhook secret as Sinch gives it, or several during a rotation.
        tolerance: seconds the signed time may be away from the clock (300 by default).
        clock: the current time in seconds since the epoch (``time.time``).
    """

    __slots__ = ()

    def authenticate(self, request: Request, /) -> None:
        """Pass when the signature matches one of the secrets and the signed time is recent; else 401."""
        signature = self.header(request, SIGNATURE_HEADER)
        nonce = self.header(request, NONCE_HEADER)
        signed_time = self.header(request, TIMESTAMP_HEADER)
        algorithm = request.headers.get(ALGORITHM_HEADER)
        if algorithm is not None and algorithm.strip().lower().replace("-", "").replace("_", "") not in _SHA256_NAMES:
            msg = f"request: the signature algorithm {algorithm[:40]!r} is not HMAC-SHA256, the one this check knows"
            raise AuthenticationError(msg, field=ALGORITHM_HEADER)
        self.check_time(signed_time, TIMESTAMP_HEADER)
        message = _signed(request.body, nonce, signed_time)
        if not self.matches_any(signature.strip().encode("utf-8", "replace"), lambda secret: _digest(secret, message)):
            raise AuthenticationError("request: the Sinch signature does not match", field=SIGNATURE_HEADER)

    def sign(self, request: TestRequest, /) -> TestRequest:
        """``request`` signed as Sinch signs, with the last secret at the clock's time and a nonce from the body."""
        signed_time = str(int(self.now()))
        nonce = hashlib.sha256(request.body).hexdigest()[:26].upper()
        digest = _digest(self.secrets[-1], _signed(request.body, nonce, signed_time)).decode("ascii")
        names = {SIGNATURE_HEADER, NONCE_HEADER, TIMESTAMP_HEADER, ALGORITHM_HEADER}
        headers = tuple((name, value) for name, value in request.headers if name.lower() not in names)
        added = ((NONCE_HEADER, nonce), (TIMESTAMP_HEADER, signed_time), (SIGNATURE_HEADER, digest))
        return dataclasses.replace(request, headers=(*headers, *added))


def _signed(body: bytes, nonce: str, signed_time: str) -> bytes:
    return b".".join((body, nonce.encode("utf-8", "surrogateescape"), signed_time.encode("utf-8", "surrogateescape")))


def _digest(secret: bytes, message: bytes) -> bytes:
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest())

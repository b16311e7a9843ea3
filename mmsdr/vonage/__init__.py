"""Vonage: the SMS API and the Messages API.

- ``Signature``: the SMS API ``sig`` parameter (``md5hash``, the Dashboard's default, or an HMAC: ``md5``,
  ``sha1``, ``sha256``, ``sha512``) over the callback's parameters, with its signed ``timestamp`` checked.
- ``JwtSignature``: the Messages API ``Authorization: Bearer`` JWT (HS256, ``iat``, ``payload_hash``); needs
  the extra ``mmsdr[vonage]``. An unsigned Messages callback is answered 503, so that Vonage sends it again
  signed (docs/vonage.md).
"""

from __future__ import annotations

from .._public import public_dir
from ._jwt import JwtSignature
from ._signature import Signature

__all__ = ("JwtSignature", "Signature")

__dir__ = public_dir(globals())

"""``X-Twilio-Signature``: HMAC-SHA1 over the URL Twilio requested and, for a form POST, the sorted parameters.

Twilio's algorithm (Twilio, "Webhooks security", validating signatures; and its Python SDK's
``RequestValidator``, whose published tests are this module's tests):

1. take the full URL Twilio requested, query string included;
2. for a form POST, append every parameter's name then value, names sorted, no separators (a name sent with
   several values: its distinct values, sorted, as the SDK does);
3. HMAC-SHA1 with the Auth Token, base64.

The SDK accepts the signature of the URL with its port (the default port added when the URL has none) and of
the URL without any port; so does this check. A JSON body is covered by its SHA-256 in the URL's ``bodySHA256``
query parameter instead of the parameters. Twilio signs no time: a replay is only caught by deduplication.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, parse_qsl, urlsplit

from .._errors import AuthenticationError
from .._limits import Limits
from .._request import parse_query_string
from ..auth import SignatureCheck

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._request import Request
    from .._testing import TestRequest

__all__ = ("Signature",)

HEADER = "X-Twilio-Signature"
_FORM = "application/x-www-form-urlencoded"
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _refusal(message: str, field: str) -> AuthenticationError:
    return AuthenticationError(f"request: {message}", provider="twilio", field=field)


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def signed_parameters(fields: Iterable[tuple[str, bytes | str]]) -> bytes:
    """Every name then its distinct values, names and values sorted (as UTF-8 bytes: the order of code points)."""
    by_name: dict[bytes, set[bytes]] = {}
    for name, value in fields:
        by_name.setdefault(name.encode("utf-8"), set()).add(_as_bytes(value))
    return b"".join(name + value for name in sorted(by_name) for value in sorted(by_name[name]))


def url_variants(url: str) -> tuple[str, str]:
    """The URL with its port (the scheme's default added where it has none) and without any port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refusal(f"the url is not a URL ({exc})", "url") from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise _refusal(f"the url must be the absolute http(s) URL Twilio called, got {url[:80]!r}", "url")
    host = parts.netloc.rpartition("@")[2]
    user = parts.netloc[: len(parts.netloc) - len(host)]
    bare = host if port is None else host[: host.rfind(":")]
    with_port = host if port is not None else f"{host}:{_DEFAULT_PORTS[parts.scheme]}"
    return _with_netloc(parts, user + with_port), _with_netloc(parts, user + bare)


def _with_netloc(parts: SplitResult, netloc: str) -> str:
    return parts._replace(netloc=netloc).geturl()


class Signature(SignatureCheck):
    """Twilio's ``X-Twilio-Signature``, checked against one Auth Token or several.

    Args:
        secrets: the Auth Token as Twilio's console shows it, or several: during a rotation (primary and
            secondary token), and for numbers of several sub-accounts (each signs with its own token).
        header: the header holding the signature; Twilio-compatible providers may name it otherwise.

    The request must carry the URL Twilio called (``parse(..., url=...)``, or ``public_url`` in the adapters):
    without it the check refuses, since the URL is what is signed. Twilio signs no time, so ``tolerance``
    and ``clock`` are not used.
    """

    __slots__ = ("_header",)

    def __init__(self, secrets: str | bytes | Iterable[str | bytes], /, *, header: str = HEADER) -> None:
        super().__init__(secrets if isinstance(secrets, (str, bytes)) else list(secrets))
        self._header = header

    def authenticate(self, request: Request, /) -> None:
        """Pass when the signature matches the URL and parameters under one of the tokens; else 401."""
        signature = self.header(request, self._header).strip().encode("latin-1")
        if request.url is None:
            raise _refusal(
                "no url to check the Twilio signature against; pass parse(..., url=...) with the URL Twilio called "
                "(public_url in the adapters)",
                "url",
            )
        with_port, without_port = url_variants(request.url)
        payload = self._payload(request)
        matched = False
        for url in (with_port, without_port):  # both, every token: the time does not tell which matched
            message = url.encode("utf-8") + payload

            def expected(secret: bytes, message: bytes = message) -> bytes:
                return base64.b64encode(hmac.new(secret, message, hashlib.sha1).digest())

            matched |= self.matches_any(signature, expected)
        if not matched:
            raise _refusal(f"the {self._header} signature does not match the url and parameters", self._header.lower())

    def _payload(self, request: Request) -> bytes:
        """What follows the URL: the sorted form parameters; nothing for a GET or a body covered by bodySHA256."""
        assert request.url is not None
        query = urlsplit(request.url).query
        hashes = [value for name, value in parse_qsl(query, keep_blank_values=True) if name == "bodySHA256"]
        if hashes:
            actual = hashlib.sha256(request.body).hexdigest().encode("ascii")
            # Every copy must match (a GET may carry it twice: twilio-php issue 861), compared in constant time.
            if not all(hmac.compare_digest(actual, value.strip().lower().encode("utf-8")) for value in hashes):
                raise _refusal("the body's SHA-256 is not the url's bodySHA256", "bodySHA256")
            return b""
        if request.media_type == _FORM:
            return signed_parameters(request.form)
        return b""

    def sign(self, request: TestRequest, /) -> TestRequest:
        """``request`` with the signature of its URL (``request.url``) and form parameters, by the first token."""
        message = request.url.encode("utf-8")
        content_type = next((value for name, value in request.headers if name.lower() == "content-type"), "")
        if request.method == "POST" and content_type.split(";", 1)[0].strip().lower() == _FORM:
            message += signed_parameters(parse_query_string(request.body, Limits(), what="form body"))
        digest = base64.b64encode(hmac.new(self.secrets[0], message, hashlib.sha1).digest()).decode("ascii")
        headers = tuple((name, value) for name, value in request.headers if name.lower() != self._header.lower())
        return dataclasses.replace(request, headers=(*headers, (self._header, digest)))

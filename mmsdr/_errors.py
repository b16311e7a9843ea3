"""The exception hierarchy: one root, four kinds, each with the HTTP status to answer."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._events import Ack
    from ._refused import RefusedRequest

# Everything in __all__ gets re-exported as part of the mmsdr public API.
__all__ = (
    "AuthenticationError",
    "LimitExceededError",
    "MalformedRequestError",
    "MmsdrError",
    "UnsupportedFormatError",
    "UntrustedSourceError",
)

# How much of an offending value a message shows: enough to recognise it, never a flood.
_SHOWN_VALUE_CHARS = 60


def shown(value: object) -> str:
    """``repr`` of a provider value, cut so that an error message stays one readable line."""
    text = repr(value)
    if len(text) > _SHOWN_VALUE_CHARS:
        text = f"{text[: _SHOWN_VALUE_CHARS - 5]}...{text[-2:]}"
    return text


class MmsdrError(Exception):
    """Root of every error mmsdr raises on bad input.

    Catch this one class around [`mmsdr.parse_request`][mmsdr.parse_request] and answer with ``error.ack``: no other
    exception escapes the parser on hostile input.

    Attributes:
        message: The message, as ``str(error)`` gives it: ``"<format>: field '<name>' <problem>, got <value>"``.
        status_hint: The HTTP status that fits the rejection (400, 403, 413, 415, ...).
        provider: The provider whose format was being read (``"mxtelecom"``, ...), or None when no format was
            chosen yet.
        format: The format being read (``"mxtelecom.sms_report"``, ...), or None.
        field: The field (query parameter, header, element, part) that was wrong, or None.
        ack: The response to send back: the provider's own rejection (an MM7 fault, ...) where it has one,
            else ``status_hint`` with a short text body.
        request: The request that was refused, as received and bounded by the limits: a
            [`RefusedRequest`][mmsdr.RefusedRequest] that can be saved (``request.as_http()``) and read again
            with ``mmsdr parse``. Set on every error [`Parser.parse`][mmsdr.Parser.parse] and the adapters
            raise; None on an error raised elsewhere.
    """

    #: The default HTTP status for this kind of error.
    default_status_hint: int = 400

    def __init__(
        self,
        message: str,
        /,
        *,
        provider: str | None = None,
        format: str | None = None,  # noqa: A002 - the public attribute is named after what it holds
        field: str | None = None,
        status_hint: int | None = None,
        ack: Ack | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.format = format
        self.field = field
        self.status_hint = self.default_status_hint if status_hint is None else status_hint
        self._ack = ack
        self.request: RefusedRequest | None = None

    @property
    def ack(self) -> Ack:
        """The rejection to send: see the class docstring."""
        if self._ack is None:
            self._ack = self._default_ack()
        return self._ack

    @ack.setter
    def ack(self, value: Ack) -> None:
        self._ack = value

    def _default_ack(self) -> Ack:
        """The answer where the provider has no rejection of its own: ``status_hint`` with the message as text."""
        from ._events import Ack  # noqa: PLC0415 - _events imports this module

        return Ack.plain_text(self.status_hint, self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_hint={self.status_hint})"


class MalformedRequestError(MmsdrError, ValueError):
    """The request is in a known format but a field is missing, garbled or of the wrong type (400)."""


class UnsupportedFormatError(MmsdrError, ValueError):
    """No accepted format matches the request: wrong content type, unknown shape, wrong method (415)."""

    default_status_hint = 415


class LimitExceededError(MmsdrError, ValueError):
    """The request is larger than a configured limit allows: body, fields, parts, entries (413)."""

    default_status_hint = 413


class AuthenticationError(MmsdrError):
    """The request did not prove that it came from the provider (401): credentials or a signature missing,
    malformed or wrong, a signed time outside the replay window, or a check that cannot run (an optional
    package missing). Raised by the authenticators of [`mmsdr.auth`][mmsdr.auth], never a pass.

    Attributes:
        challenge: The ``WWW-Authenticate`` value the answer carries (``Basic realm="..."``), or None: HTTP
            clients (Twilio, MMSCs) send Basic credentials only after a 401 that asks for them.
    """

    default_status_hint = 401

    def __init__(
        self,
        message: str,
        /,
        *,
        provider: str | None = None,
        format: str | None = None,  # noqa: A002 - the public attribute is named after what it holds
        field: str | None = None,
        status_hint: int | None = None,
        challenge: str | None = None,
    ) -> None:
        super().__init__(message, provider=provider, format=format, field=field, status_hint=status_hint)
        self.challenge = challenge

    def _default_ack(self) -> Ack:
        ack = super()._default_ack()
        if self.challenge is None:
            return ack
        return dataclasses.replace(ack, headers=(*ack.headers, ("WWW-Authenticate", self.challenge)))


class UntrustedSourceError(AuthenticationError):
    """The request came from an address outside the networks the endpoint accepts (403)."""

    default_status_hint = 403

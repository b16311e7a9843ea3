"""Helpers shared by the tests: fixtures, event comparison, request variants."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol, TypeVar, overload
from zoneinfo import ZoneInfo

import pytest

from mmsdr import (
    Ack,
    AuthenticationError,
    Callback,
    DeliveryReport,
    Event,
    Format,
    MalformedRequestError,
    RawFields,
    Status,
)
from mmsdr._format import ParseContext, make_dedupe_key, retry_later
from mmsdr._request import Request
from mmsdr.auth import Authenticator, SignatureCheck, Signer
from mmsdr.testing import TestRequest

DATA = Path(__file__).parent / "data"
LONDON = ZoneInfo("Europe/London")
E = TypeVar("E", bound=Event)


def query_fixture(provider: str, name: str) -> str:
    """The query string of ``tests/data/<provider>/<name>.query`` (its last line; ``#`` lines say where seen)."""
    lines = (DATA / provider / f"{name}.query").read_text(encoding="ascii").splitlines()
    assert lines[0].startswith("# seen: "), f"{name}: the first line must say where the quirk was seen"
    return lines[-1]


@overload
def only_event(callback: Callback, /) -> Event: ...
@overload
def only_event(callback: Callback, kind: type[E], /) -> E: ...
def only_event(callback: Callback, kind: type[Event] = Event, /) -> Event:
    """The one event of a callback that carries exactly one (an instance of ``kind`` when given)."""
    assert isinstance(callback, Callback), f"not a Callback: {callback!r}"
    assert len(callback.events) == 1, f"expected exactly one event, got {len(callback.events)}: {callback.events!r}"
    event = callback.events[0]
    assert isinstance(event, kind), f"expected a {kind.__name__}, got {event!r}"
    return event


def without_key(event: E) -> E:
    """The event with an empty dedupe_key, for whole-event comparisons (keys have their own tests)."""
    assert isinstance(event, Event), f"not an event: {event!r}"
    return dataclasses.replace(event, dedupe_key="")


def without_keys(callback: Callback) -> Callback:
    """The callback with every event's dedupe_key empty, for whole-callback comparisons."""
    return dataclasses.replace(callback, events=tuple(without_key(event) for event in callback.events))


def utc_offset(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def at(
    year: int, month: int, day: int, hour: int, minute: int, second: int = 0, *, tz: timezone | ZoneInfo = LONDON
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=tz)


# --- a test-only format whose request carries several events ---------------------------------------------------

BATCH_NAME = "test.batch"
BATCH_OK = Ack.plain_text(200, "batch taken")


def _parse_batch(request: Request, context: ParseContext) -> Callback:
    """``[{"id": "a", "status": "delivered", "to": ..., "from": ..., "code": ..., "text": ..., "date": ...}, ...]``:
    one DeliveryReport per element, in order."""
    items = json.loads(request.body)
    if not isinstance(items, list) or not items:
        raise MalformedRequestError(f"{BATCH_NAME}: the body must be a non-empty JSON array", format=BATCH_NAME)
    events: list[Event] = []
    for item in items:
        pairs = tuple((str(name), str(value)) for name, value in item.items())
        events.append(
            DeliveryReport(
                provider="test",
                format=BATCH_NAME,
                timestamp=datetime.fromisoformat(item["date"]),
                dedupe_key=make_dedupe_key(BATCH_NAME, item["id"], item["status"], item["date"]),
                raw=RawFields(pairs),
                message_id=item["id"],
                status=Status(item["status"]),
                provider_status=item["status"],
                provider_code=item["code"],
                recipient=item["to"],
                sender=item["from"],
                status_text=item["text"],
            )
        )
    return Callback(provider="test", format=BATCH_NAME, events=tuple(events))


BATCH_FORMAT = Format(
    name=BATCH_NAME,
    description="Test only: a JSON array of delivery reports, one event each",
    methods=frozenset({"POST"}),
    matches=lambda request: request.media_type == "application/json" and request.body.startswith(b"["),
    body_media_types=frozenset({"application/json"}),
    parse=_parse_batch,
    acknowledge=lambda callback: BATCH_OK,  # one answer for the whole request
    retry=retry_later,
)


# --- a signature scheme of the usual shape, for the tests of mmsdr.auth ------------------------------------------


class AcmeSignature(SignatureCheck):
    """A test scheme: ``X-Acme-Signature`` is base64 HMAC-SHA256 of ``{X-Acme-Timestamp}.{body}``."""

    def authenticate(self, request: Request, /) -> None:
        signature = self.header(request, "X-Acme-Signature")
        signed_time = self.header(request, "X-Acme-Timestamp")
        self.check_time(signed_time, "x-acme-timestamp")
        message = signed_time.encode() + b"." + request.body

        def expected(secret: bytes) -> bytes:
            return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest())

        if not self.matches_any(signature.encode(), expected):
            raise AuthenticationError("request: the signature does not match", field="x-acme-signature")

    def sign(self, request: TestRequest, /) -> TestRequest:
        """``request`` signed with the last secret at the clock's time (what ``TestRequest.signed`` calls)."""
        headers = acme_headers(self.secrets[-1], int(self._clock()), request.body)
        return dataclasses.replace(request, headers=(*request.headers, *headers))


#: The fixed time the signature tests run at.
NOW = 1_764_720_000.0


def acme_headers(secret: bytes, signed_time: int, body: bytes) -> list[tuple[str, str]]:
    digest = hmac.new(secret, str(signed_time).encode() + b"." + body, hashlib.sha256).digest()
    return [("X-Acme-Signature", base64.b64encode(digest).decode()), ("X-Acme-Timestamp", str(signed_time))]


def count_comparisons(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Record every ``hmac.compare_digest`` call (its second argument) from now to the end of the test."""
    compared: list[bytes] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        compared.append(b)
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)
    return compared


def hide_module(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make ``import name`` fail as it does where the package is not installed (an optional extra missing)."""
    for loaded in [module for module in sys.modules if module == name or module.startswith(name + ".")]:
        monkeypatch.delitem(sys.modules, loaded)
    monkeypatch.setitem(sys.modules, name, None)


class SigningCheck(Authenticator, Signer, Protocol):
    """A check that can also sign (``BasicAuth``, every provider's ``Signature``): what the example apps'
    endpoints are given, and what the tests sign their requests with."""

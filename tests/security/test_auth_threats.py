"""Threat rows A1-A7: a callback that does not come from the provider (docs/security.md, "Who sent it").

Every attack goes through ``mmsdr.parse_request`` with the endpoint's ``auth=``: Basic credentials
(``mmsdr.auth.BasicAuth``) and a signature of the usual shape (HMAC-SHA256 over a signed time and the body,
``AcmeSignature`` in tests/_support.py, built on ``mmsdr.auth.SignatureCheck``).
"""

from __future__ import annotations

import base64

import pytest
from _support import NOW, AcmeSignature, acme_headers, count_comparisons

import mmsdr
from mmsdr import AuthenticationError
from mmsdr.auth import Authenticator, BasicAuth
from mmsdr.testing import BUILDERS, TestRequest

BASIC = BasicAuth({"provider": "correct horse"})
SIGNATURE = AcmeSignature(["previous", "current"], clock=lambda: NOW)
REPORT = BUILDERS["mm7.delivery_report"]()


def refusal(request: TestRequest, auth: Authenticator, *, headers: object = None, body: bytes | None = None) -> str:
    """The refusal's status and message; fails when the request passes."""
    with pytest.raises(AuthenticationError) as caught:
        mmsdr.parse_request(
            request.headers if headers is None else headers,
            request.body if body is None else body,
            request.query,
            method=request.method,
            auth=auth,
        )
    return f"{caught.value.status_hint} {caught.value}"


def signed(request: TestRequest, secret: bytes, signed_time: int) -> list[tuple[str, str]]:
    return [*request.headers, *acme_headers(secret, signed_time, request.body)]


@pytest.mark.parametrize("name", list(BUILDERS))
def test_a1_a_forged_callback_without_credentials_is_refused(name: str) -> None:
    request = BUILDERS[name]()
    assert refusal(request, BASIC) == (
        "401 request: no Authorization header; this endpoint takes HTTP Basic credentials"
    )
    assert refusal(request, SIGNATURE) == (
        "401 request: the X-Acme-Signature header is missing; the endpoint checks signatures"
    )


def test_a2_wrong_credentials_or_signature_are_refused() -> None:
    wrong = [*REPORT.headers, ("Authorization", "Basic " + base64.b64encode(b"provider:guess").decode())]
    assert refusal(REPORT, BASIC, headers=wrong) == "401 request: the Basic credentials are not this endpoint's"
    assert refusal(REPORT, SIGNATURE, headers=signed(REPORT, b"guess", int(NOW))) == (
        "401 request: the signature does not match"
    )


def test_a3_a_replay_inside_the_window_passes_and_outside_is_refused() -> None:
    # Inside the window a replay carries a valid signature: the dedupe key is the defence (docs/dedupe.md).
    inside = signed(REPORT, b"current", int(NOW) - 299)
    callback = mmsdr.parse_request(inside, REPORT.body, None, method="POST", auth=SIGNATURE)
    again = mmsdr.parse_request(inside, REPORT.body, None, method="POST", auth=SIGNATURE)
    assert callback.events[0].dedupe_key == again.events[0].dedupe_key
    assert refusal(REPORT, SIGNATURE, headers=signed(REPORT, b"current", int(NOW) - 301)) == (
        "401 request: the signed time is 301 s away from now, more than the 300 s allowed "
        "(a replay, or a clock that is wrong)"
    )


def test_a4_every_secret_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """hmac.compare_digest for every secret and every credential pair, whichever matched (or none)."""
    compared = count_comparisons(monkeypatch)
    for secret in (b"previous", b"current", b"guess"):
        compared.clear()
        try:
            mmsdr.parse_request(signed(REPORT, secret, int(NOW)), REPORT.body, None, method="POST", auth=SIGNATURE)
        except AuthenticationError:
            assert secret == b"guess"
        assert len(compared) == 2, secret


@pytest.mark.parametrize(
    "value",
    [
        "Basic " + base64.b64encode(b"provider:correct horse").decode() + "\r\nX-Admin: 1",
        "Basic " + base64.b64encode(b"provider:correct horse").decode() + " extra",
        "Basic " + base64.b64encode(b"provider:correct horse\r\nX-Admin: 1").decode(),
    ],
)
def test_a5_header_injection_in_the_basic_value_is_refused(value: str) -> None:
    assert refusal(REPORT, BASIC, headers=[*REPORT.headers, ("Authorization", value)]).startswith("401 request: ")


def test_a6_a_body_changed_after_signing_is_refused() -> None:
    headers = signed(REPORT, b"current", int(NOW))
    assert mmsdr.parse_request(headers, REPORT.body, None, method="POST", auth=SIGNATURE).events
    changed = REPORT.body.replace(b"Retrieved", b"Rejected!")
    assert changed != REPORT.body
    assert refusal(REPORT, SIGNATURE, headers=headers, body=changed) == "401 request: the signature does not match"


def test_a7_an_over_long_authorization_header_is_refused() -> None:
    value = "Basic " + "QUFB" * 300
    assert refusal(REPORT, BASIC, headers=[*REPORT.headers, ("Authorization", value)]) == (
        "401 request: the Basic credentials are longer than 1024 characters"
    )
    # Past the header caps the request is refused before any check runs (431).
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        mmsdr.parse_request([("Authorization", "Basic " + "A" * 70_000)], b"", None, auth=BASIC)
    assert caught.value.status_hint == 431

"""Threat rows A1-A10: a callback that does not come from the provider (docs/security.md, "Who sent it").

Every attack goes through ``mmsdr.parse_request`` with the endpoint's ``auth=``: Basic credentials
(``mmsdr.auth.BasicAuth``), a signature of the usual shape (HMAC-SHA256 over a signed time and the body,
``AcmeSignature`` in tests/_support.py, built on ``mmsdr.auth.SignatureCheck``), and Vonage's two checks
(``mmsdr.vonage.JwtSignature``, a JWT; ``mmsdr.vonage.Signature``, a hash over the parameters). Work is
counted (Python calls made), never timed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest
from _support import NOW, AcmeSignature, acme_headers, count_comparisons
from _threats import calls_made

import mmsdr
from mmsdr import AuthenticationError
from mmsdr._request import read_request
from mmsdr.auth import Authenticator, BasicAuth
from mmsdr.testing import BUILDERS, TestRequest
from mmsdr.vonage import JwtSignature, Signature

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


# --- Vonage: the Messages API JWT and the SMS API sig -----------------------------------------------------------

VONAGE_SECRET = "a-vonage-signature-secret-of-32-b"  # noqa: S105 - ours
JWT = JwtSignature(VONAGE_SECRET, clock=lambda: NOW)
JSON = [("Content-Type", "application/json")]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_with(header: dict[str, str], signature: bytes | None = None) -> str:
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps({"iat": int(NOW)}).encode())
    if signature is None:
        signature = hmac.new(VONAGE_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


@pytest.mark.parametrize(
    ("header", "signature"),
    [
        ({"alg": "none", "typ": "JWT"}, b""),
        ({"alg": "none", "typ": "JWT"}, None),  # signed with the secret, but naming no algorithm
        ({"alg": "NONE"}, b""),
        ({"alg": "HS512"}, None),
        ({"alg": "RS256"}, None),  # the confusion: a public-key algorithm over a shared secret
    ],
)
def test_a8_a_jwt_naming_another_algorithm_is_refused_before_any_secret_is_tried(
    header: dict[str, str], signature: bytes | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = count_comparisons(monkeypatch)
    headers = [*JSON, ("Authorization", f"Bearer {jwt_with(header, signature)}")]
    assert refusal(REPORT, JWT, headers=headers, body=b"{}") == (
        f"401 request: the JWT algorithm is {header['alg']!r}, not HS256, the one Vonage signs with"
    )
    assert compared == []
    good = [*JSON, ("Authorization", f"Bearer {jwt_with({'alg': 'HS256', 'typ': 'JWT'})}")]
    JWT.authenticate(read_request(good, b"{}", None, limits=mmsdr.Limits(), method="POST"))  # HS256 passes


def test_a9_an_over_long_bearer_token_is_refused_before_it_is_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    import jwt

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded")

    monkeypatch.setattr(jwt, "get_unverified_header", fail)
    monkeypatch.setattr(jwt, "decode_complete", fail)
    value = "Bearer " + jwt_with({"alg": "HS256"}) + "A" * 8192
    assert refusal(REPORT, JWT, headers=[*JSON, ("Authorization", value)], body=b"{}") == (
        "401 request: the Authorization header is longer than 8192 characters"
    )
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        mmsdr.parse_request([("Authorization", "Bearer " + "A" * 70_000)], b"", None, auth=JWT)
    assert caught.value.status_hint == 431


def sig_fields(count: int) -> list[tuple[str, str]]:
    fields = [(f"p{index:05d}", f"v{index}&={index}") for index in range(count)] + [("timestamp", str(int(NOW)))]
    text = "".join(f"&{name}={value.replace('&', '_').replace('=', '_')}" for name, value in sorted(fields))
    return [*fields, ("sig", hashlib.md5((text + VONAGE_SECRET).encode()).hexdigest())]  # noqa: S324


def test_a10_a_sig_parameter_flood_is_refused_at_the_field_limits() -> None:
    check = Signature(VONAGE_SECRET, clock=lambda: NOW)
    flood = urlencode(sig_fields(mmsdr.Limits().max_query_fields))
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        mmsdr.parse_request(None, b"", flood, method="GET", auth=check)
    assert str(caught.value) == "request: more than 256 fields in the query string (Limits.max_query_fields)"
    form = [("Content-Type", "application/x-www-form-urlencoded")]
    with pytest.raises(mmsdr.LimitExceededError) as caught:
        mmsdr.parse_request(form, flood.encode(), None, method="POST", auth=check)
    assert caught.value.status_hint == 413


def test_a10_within_the_limits_the_signed_string_costs_work_linear_in_the_parameters() -> None:
    check = Signature(VONAGE_SECRET, clock=lambda: NOW)

    def request(count: int) -> mmsdr.Request:
        body = json.dumps(dict(sig_fields(count))).encode()
        return read_request(JSON, body, None, limits=mmsdr.Limits(), method="POST")

    small, large = request(1_000), request(4_000)
    assert len(large.body) < mmsdr.Limits().max_json_bytes
    check.authenticate(large)  # it passes: the whole check ran
    ratio = calls_made(lambda: check.authenticate(large)) / calls_made(lambda: check.authenticate(small))
    assert 3.5 < ratio < 4.5

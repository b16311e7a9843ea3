"""mmsdr.vonage.Signature (the SMS API ``sig``) and mmsdr.vonage.JwtSignature (the Messages API JWT).

Vectors: the four ``sig`` values of the Vonage Python SDK's tests (``http_client/tests/test_auth.py``, secret
``signature_secret``), an ``md5hash`` vector of ours computed here from the rule of "Signing messages", and the
HS256 token of the SDK's ``jwt/tests/test_verify_jwt.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from _support import count_comparisons, hide_module

import mmsdr
from mmsdr import AuthenticationError, Limits
from mmsdr._request import Request, read_request
from mmsdr._testing import get_request, post_request
from mmsdr.vonage import JwtSignature, Signature

FORM = "application/x-www-form-urlencoded"
SECRET = "signature_secret"  # noqa: S105 - the SDK's published test secret
AT = 1234567890  # the timestamp the SDK's vectors sign

Fields = list[tuple[str, str]]


# --- the three places an SMS API callback carries its parameters -----------------------------------------------


def as_get(fields: Fields) -> Request:
    return read_request(None, b"", urlencode(fields), limits=Limits(), method="GET")


def as_form(fields: Fields) -> Request:
    body = urlencode(fields).encode()
    return read_request([("Content-Type", FORM)], body, None, limits=Limits(), method="POST")


def as_json(fields: Fields) -> Request:
    body = json.dumps(dict(fields)).encode()
    return read_request([("Content-Type", "application/json")], body, None, limits=Limits(), method="POST")


CARRIERS = [as_get, as_form, as_json]


def outcome(auth: Any, request: Request) -> str | None:
    """None when the request passes, else the refusal as ``"<status> <field>: <message>"``."""
    try:
        auth.authenticate(request)
    except AuthenticationError as error:
        return f"{error.status_hint} {error.field}: {error}"
    return None


def sms(method: str = "md5", *, now: float = AT, secrets: Any = SECRET) -> Signature:
    return Signature(secrets, method=method, clock=lambda: now)


def rule(fields: Fields, secret: str, method: str) -> str:
    """The rule of "Signing messages", written out again here: the check's own code is not used."""
    text = "".join(
        f"&{name}={value.replace('&', '_').replace('=', '_')}" for name, value in sorted(fields) if name != "sig"
    )
    if method == "md5hash":
        return hashlib.md5((text + secret).encode()).hexdigest()  # noqa: S324 - Vonage's scheme
    return hmac.new(secret.encode(), text.encode(), method.removeprefix("hmac-")).hexdigest()


def one_byte_changes(text: str) -> list[str]:
    """``text`` with each one of its characters changed (its lowest bit flipped)."""
    return [text[:index] + chr(ord(text[index]) ^ 1) + text[index + 1 :] for index in range(len(text))]


# --- the published vectors ------------------------------------------------------------------------------------

PUBLISHED = [
    (
        "sha256",
        [("param1", "value1"), ("param2", "value2")],
        "280c4320703dbc98bfa22db676655ed2acfbfe8792b062ff7622e67f1183c287",
    ),
    ("md5", [("param1", "value1"), ("param2", "value2")], "724c2bf6ca423c36e20631b11d1c5753"),
    ("md5", [("param1", "value&1"), ("param2", "value=2")], "2bbf0abafb2c55e5af6231513896a2ac"),
    ("md5", [("param", "value")], "655a4d0b7f064dff438defc52b012cf5"),
]


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize(("method", "fields", "sig"), PUBLISHED)
def test_the_published_vectors_pass(carrier: Any, method: str, fields: Fields, sig: str) -> None:
    signed = [*fields, ("timestamp", str(AT)), ("sig", sig)]
    assert rule(signed, SECRET, method) == sig  # the rule as written reproduces the SDK's values
    assert outcome(sms(method), carrier(signed)) is None


@pytest.mark.parametrize(("method", "fields", "sig"), PUBLISHED)
def test_the_published_vectors_fail_after_any_one_byte_change(method: str, fields: Fields, sig: str) -> None:
    signed = [*fields, ("timestamp", str(AT))]
    mismatch = f"401 sig: request: the sig parameter does not match the parameters ({method})"
    for index, (name, value) in enumerate(fields):
        for changed_name in one_byte_changes(name):
            changed = [*signed[:index], (changed_name, value), *signed[index + 1 :], ("sig", sig)]
            assert outcome(sms(method), as_get(changed)) == mismatch, changed_name
        for changed_value in one_byte_changes(value):
            changed = [*signed[:index], (name, changed_value), *signed[index + 1 :], ("sig", sig)]
            assert outcome(sms(method), as_get(changed)) == mismatch, changed_value
    for changed_time in one_byte_changes(str(AT)):  # out of the window, or in it and no longer matching
        refusal = outcome(sms(method), as_get([*fields, ("timestamp", changed_time), ("sig", sig)]))
        assert refusal is not None
        assert refusal.startswith(("401 sig: ", "401 timestamp: "))
    for changed_sig in one_byte_changes(sig):
        assert outcome(sms(method), as_get([*signed, ("sig", changed_sig)])) == mismatch, changed_sig
    for changed_secret in one_byte_changes(SECRET):
        assert outcome(sms(method, secrets=changed_secret), as_get([*signed, ("sig", sig)])) == mismatch


# --- md5hash: an inbound SMS of ours (fields of "Inbound SMS"), signed by hand ------------------------------------

MD5HASH_SECRET = "Zq8Xy2Lm4Nv6Pb1T"  # noqa: S105 - ours
INBOUND_AT = 1578787200
INBOUND = [
    ("msisdn", "447700900001"),
    ("to", "447700900000"),
    ("messageId", "0A0000000123ABCD1"),
    ("text", "Hello & welcome = yes"),
    ("type", "text"),
    ("keyword", "HELLO"),
    ("message-timestamp", "2020-01-12 00:00:00"),
    ("timestamp", str(INBOUND_AT)),
    ("nonce", "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"),
    ("api-key", "abcd1234"),
]
# The parameters sorted by name ("-" sorts before letters), "&" and "=" in values made "_", then the secret.
INBOUND_CANONICAL = (
    "&api-key=abcd1234&keyword=HELLO&message-timestamp=2020-01-12 00:00:00&messageId=0A0000000123ABCD1"
    "&msisdn=447700900001&nonce=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&text=Hello _ welcome _ yes"
    "&timestamp=1578787200&to=447700900000&type=text"
)
INBOUND_SIG = hashlib.md5((INBOUND_CANONICAL + MD5HASH_SECRET).encode()).hexdigest()  # noqa: S324


def md5hash(now: float = INBOUND_AT, secrets: Any = MD5HASH_SECRET) -> Signature:
    return Signature(secrets, clock=lambda: now)  # md5hash: the default, as the Dashboard's


def test_our_md5hash_vector() -> None:
    assert INBOUND_SIG == "16378a899b65119c803d3711af41c83f"
    assert rule(INBOUND, MD5HASH_SECRET, "md5hash") == INBOUND_SIG
    for carrier in CARRIERS:
        assert outcome(md5hash(), carrier([*INBOUND, ("sig", INBOUND_SIG)])) is None


def test_our_md5hash_vector_fails_after_any_one_byte_change() -> None:
    mismatch = "401 sig: request: the sig parameter does not match the parameters (md5hash)"
    for index, (name, value) in enumerate(INBOUND):
        if name == "timestamp":
            continue
        for changed_value in one_byte_changes(value):
            if value.replace("&", "_").replace("=", "_") == changed_value.replace("&", "_").replace("=", "_"):
                continue  # never: a flipped bit does not turn "&" into "="
            changed = [*INBOUND[:index], (name, changed_value), *INBOUND[index + 1 :], ("sig", INBOUND_SIG)]
            assert outcome(md5hash(), as_form(changed)) == mismatch, changed_value
        for changed_name in one_byte_changes(name):
            changed = [*INBOUND[:index], (changed_name, value), *INBOUND[index + 1 :], ("sig", INBOUND_SIG)]
            assert outcome(md5hash(), as_form(changed)) == mismatch, changed_name
    for changed_sig in one_byte_changes(INBOUND_SIG):
        assert outcome(md5hash(), as_form([*INBOUND, ("sig", changed_sig)])) == mismatch
    for changed_secret in one_byte_changes(MD5HASH_SECRET):
        assert outcome(md5hash(secrets=changed_secret), as_form([*INBOUND, ("sig", INBOUND_SIG)])) == mismatch


def test_md5hash_is_not_an_hmac() -> None:
    hmac_md5 = rule(INBOUND, MD5HASH_SECRET, "md5")
    assert hmac_md5 != INBOUND_SIG
    assert outcome(md5hash(), as_get([*INBOUND, ("sig", hmac_md5)])) == (
        "401 sig: request: the sig parameter does not match the parameters (md5hash)"
    )
    assert (
        outcome(
            Signature(MD5HASH_SECRET, method="md5", clock=lambda: INBOUND_AT), as_get([*INBOUND, ("sig", hmac_md5)])
        )
        is None
    )


# --- each method, case, rotation ------------------------------------------------------------------------------

METHODS = ["md5hash", "md5", "sha1", "sha256", "sha512"]


@pytest.mark.parametrize("method", METHODS)
def test_each_method_passes_its_own_signature_and_no_other(method: str) -> None:
    for other in METHODS:
        sig = rule(INBOUND, MD5HASH_SECRET, other)
        check = Signature(MD5HASH_SECRET, method=method, clock=lambda: INBOUND_AT)
        expected = (
            None if other == method else f"401 sig: request: the sig parameter does not match the parameters ({method})"
        )
        assert outcome(check, as_json([*INBOUND, ("sig", sig)])) == expected, other
    assert (
        len(rule(INBOUND, MD5HASH_SECRET, method))
        == {"md5hash": 32, "md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}[method]
    )


@pytest.mark.parametrize("method", METHODS)
def test_hex_is_compared_without_case(method: str) -> None:
    sig = rule(INBOUND, MD5HASH_SECRET, method)
    check = Signature(MD5HASH_SECRET, method=method, clock=lambda: INBOUND_AT)
    for given in (sig.upper(), sig.lower(), f" {sig.upper()} "):  # .NET sends upper case
        assert outcome(check, as_get([*INBOUND, ("sig", given)])) is None


def test_several_secrets_each_pass_and_all_are_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    check = md5hash(secrets=["previous-secret", MD5HASH_SECRET])
    compared = count_comparisons(monkeypatch)
    for secret, passes in (("previous-secret", True), (MD5HASH_SECRET, True), ("guess", False)):
        compared.clear()
        sig = rule(INBOUND, secret, "md5hash")
        assert (outcome(check, as_get([*INBOUND, ("sig", sig)])) is None) is passes
        assert len(compared) == 2  # every secret, whichever matched


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0, None),
        (300, None),
        (-300, None),
        (
            301,
            (
                "401 timestamp: request: the signed time is 301 s away from now, more than the 300 s allowed "
                "(a replay, or a clock that is wrong)"
            ),
        ),
        (
            -301,
            (
                "401 timestamp: request: the signed time is 301 s away from now, more than the 300 s allowed "
                "(a replay, or a clock that is wrong)"
            ),
        ),
    ],
)
def test_the_replay_window(offset: int, expected: str | None) -> None:
    fields = [(name, str(INBOUND_AT + offset) if name == "timestamp" else value) for name, value in INBOUND]
    sig = rule(fields, MD5HASH_SECRET, "md5hash")
    assert outcome(md5hash(), as_get([*fields, ("sig", sig)])) == expected


def test_the_tolerance_is_configurable() -> None:
    fields = [(name, str(INBOUND_AT - 60) if name == "timestamp" else value) for name, value in INBOUND]
    request = as_get([*fields, ("sig", rule(fields, MD5HASH_SECRET, "md5hash"))])
    assert outcome(Signature(MD5HASH_SECRET, tolerance=60, clock=lambda: INBOUND_AT), request) is None
    assert outcome(Signature(MD5HASH_SECRET, tolerance=59, clock=lambda: INBOUND_AT), request) == (
        "401 timestamp: request: the signed time is 60 s away from now, more than the 59 s allowed "
        "(a replay, or a clock that is wrong)"
    )


# --- requests that cannot be checked ----------------------------------------------------------------------------

WITHOUT_TIMESTAMP = [(name, value) for name, value in INBOUND if name != "timestamp"]


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (as_get(INBOUND), "401 sig: request: the sig parameter is missing; the endpoint checks Vonage signatures"),
        (as_json(INBOUND), "401 sig: request: the sig parameter is missing; the endpoint checks Vonage signatures"),
        (
            as_form([*WITHOUT_TIMESTAMP, ("sig", rule(WITHOUT_TIMESTAMP, MD5HASH_SECRET, "md5hash"))]),
            "401 timestamp: request: the timestamp parameter is missing; Vonage signs it and the endpoint checks it",
        ),
        (
            as_get([*INBOUND, ("sig", INBOUND_SIG), ("sig", INBOUND_SIG)]),
            "401 sig: request: the parameter 'sig' comes more than once; the signature cannot be checked",
        ),
        (
            as_form([*INBOUND, ("text", "again"), ("sig", INBOUND_SIG)]),
            "401 text: request: the parameter 'text' comes more than once; the signature cannot be checked",
        ),
        (
            as_get([*WITHOUT_TIMESTAMP, ("timestamp", "soon"), ("sig", INBOUND_SIG)]),
            "401 timestamp: request: the signed time 'soon' is not a number of seconds",
        ),
        (
            read_request(
                [("Content-Type", "application/json")],
                b'{"msisdn": "1", "msisdn": "2", "sig": "x"}',
                None,
                limits=Limits(),
                method="POST",
            ),
            "401 body: request: body has the key 'msisdn' more than once; the signed parameters cannot be read",
        ),
        (
            read_request(
                [("Content-Type", "application/json")],
                b'{"timestamp": 1578787200, "sig": "x"}',
                None,
                limits=Limits(),
                method="POST",
            ),
            "401 timestamp: request: the JSON field 'timestamp' is int, not a string; the signature cannot be checked",
        ),
        (
            read_request([("Content-Type", "application/json")], b'{"to": null}', None, limits=Limits(), method="POST"),
            "401 to: request: the JSON field 'to' is null, not a string; the signature cannot be checked",
        ),
        (
            read_request([("Content-Type", "application/json")], b"[]", None, limits=Limits(), method="POST"),
            "401 body: request: body must be a JSON object, got list; the signed parameters cannot be read",
        ),
        (
            read_request([("Content-Type", "application/json")], b"{", None, limits=Limits(), method="POST"),
            (
                "401 body: request: body is not valid JSON (Expecting property name enclosed in double quotes: "
                "line 1 column 2 (char 1)); the signed parameters cannot be read"
            ),
        ),
    ],
)
def test_requests_that_cannot_be_checked_are_refused(request_: Request, expected: str) -> None:
    refusal = outcome(md5hash(), request_)
    assert refusal == expected


def test_the_callers_data_is_never_changed() -> None:
    query = {**dict(INBOUND), "sig": INBOUND_SIG}
    before = dict(query)
    request = read_request(None, b"", query, limits=Limits(), method="GET")
    md5hash().authenticate(request)
    assert query == before  # the SDK pops "sig" (and adds "timestamp") in the caller's dict
    assert dict(request.query) == before


def test_a_post_is_read_from_its_body_not_its_url() -> None:
    signed = [*INBOUND, ("sig", INBOUND_SIG)]
    body = urlencode(signed).encode()
    request = read_request([("Content-Type", FORM)], body, "sig=0&timestamp=1", limits=Limits(), method="POST")
    assert outcome(md5hash(), request) is None


def test_a_value_that_is_not_utf8_is_signed_as_its_bytes() -> None:
    text = "Caf\xe9".encode("latin-1")  # not UTF-8: the query reader keeps the bytes
    canonical = INBOUND_CANONICAL.replace("Hello _ welcome _ yes", "").encode().replace(b"&text=", b"&text=" + text)
    sig = hashlib.md5(canonical + MD5HASH_SECRET.encode()).hexdigest()  # noqa: S324
    query = urlencode([(name, text if name == "text" else value) for name, value in INBOUND] + [("sig", sig)])
    assert outcome(md5hash(), read_request(None, b"", query, limits=Limits(), method="GET")) is None


@pytest.mark.parametrize(
    ("kwargs", "kind", "message"),
    [
        (
            {"method": "sha384"},
            ValueError,
            (
                "method must be one of 'md5hash', 'md5', 'sha1', 'sha256', 'sha512' (as the Vonage Dashboard names "
                "them), got 'sha384'"
            ),
        ),
        (
            {"method": "MD5HASH"},
            ValueError,
            (
                "method must be one of 'md5hash', 'md5', 'sha1', 'sha256', 'sha512' (as the Vonage Dashboard names "
                "them), got 'MD5HASH'"
            ),
        ),
        ({"method": None}, TypeError, "method must be str, not NoneType"),
        ({"tolerance": 0}, ValueError, "tolerance must be a positive number of seconds, got 0"),
    ],
)
def test_signature_configuration(kwargs: dict[str, Any], kind: type[Exception], message: str) -> None:
    with pytest.raises(kind) as caught:
        Signature(SECRET, **kwargs)
    assert str(caught.value) == message


def test_signature_never_shows_a_secret() -> None:
    assert repr(Signature([SECRET, "next"], method="sha256")) == (
        "Signature(<2 secret(s)>, method='sha256', tolerance=300)"
    )


# --- sign(): the test requests mmsdr.testing builds ------------------------------------------------------------


def read(request: mmsdr.testing.TestRequest) -> Request:
    return read_request(request.headers, request.body, request.query, limits=Limits(), method=request.method)


FIELDS = [(name, value) for name, value in INBOUND if name not in {"timestamp", "nonce"}]


@pytest.mark.parametrize("method", METHODS)
def test_sign_adds_timestamp_and_sig_where_the_callback_carries_them(method: str) -> None:
    check = Signature(MD5HASH_SECRET, method=method, clock=lambda: INBOUND_AT + 0.9)
    get = get_request("/vonage/inbound", [*FIELDS, ("timestamp", "1"), ("sig", "old")]).signed(check)
    fields = [*FIELDS, ("timestamp", str(INBOUND_AT))]
    assert get.target == f"/vonage/inbound?{urlencode(fields)}&sig={rule(fields, MD5HASH_SECRET, method)}"
    form = post_request("/vonage/inbound", FORM, urlencode(FIELDS).encode()).signed(check)
    assert form.body == f"{urlencode(fields)}&sig={rule(fields, MD5HASH_SECRET, method)}".encode()
    assert ("Content-Length", str(len(form.body))) in form.headers
    body = json.dumps(dict(FIELDS)).encode()
    posted = post_request("/vonage/inbound", "application/json; charset=utf-8", body).signed(check)
    assert json.loads(posted.body) == {**dict(fields), "sig": rule(fields, MD5HASH_SECRET, method)}
    for signed in (get, form, posted):
        assert outcome(check, read(signed)) is None
        changed = signed.body.replace(b"HELLO", b"HELLP") if signed.body else b""
        if changed:
            assert (
                outcome(
                    check,
                    read(
                        mmsdr.testing.TestRequest(
                            method="POST", target=signed.target, headers=signed.headers, body=changed
                        )
                    ),
                )
                is not None
            )
    assert outcome(check, read(get_request("/vonage/inbound", [*fields, ("sig", "0" * 32)]))) is not None


@pytest.mark.parametrize("body", [b'{"concat-part": 2}', b'[{"messageId": "m1"}]', b'"text"'])
def test_a_signed_json_callback_must_be_one_object_of_strings(body: bytes) -> None:
    request = post_request("/vonage/inbound", "application/json", body)
    with pytest.raises(ValueError) as caught:
        request.signed(md5hash())
    assert str(caught.value) == "a Vonage SMS API JSON callback is one object that carries every value as a string"


# --- the Messages API JWT ------------------------------------------------------------------------------------

JWT_SECRET = "qwertyuiopasdfghjklzxcvbnm123456"  # noqa: S105 - the SDK's published test secret
JWT = (
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJPbmxpbmUgSldUIEJ1aWxkZXIiLCJpYXQiOjE2OTc2MzQ2ODAsImV4cCI6MzMy"
    "NTQ1NDA4MjgsImF1ZCI6IiIsInN1YiI6IiJ9.88vJc3I2HhuqEDixHXVhc9R30tA6U_HQHZTC29y6CGM"
)
JWT_IAT = 1697634680
BODY = b'{"message_uuid": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", "status": "delivered"}'


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(claims: dict[str, Any], *, secret: str = JWT_SECRET, header: dict[str, Any] | None = None) -> str:
    """A JWT made here (not by PyJWT, not by the check): HMAC of the alg the header names, none for "none"."""
    head = header or {"alg": "HS256", "typ": "JWT"}
    signing_input = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512, "RS256": hashlib.sha256}.get(str(head.get("alg")))
    signature = b"" if digest is None else hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    return signing_input + "." + b64url(signature)


def jwt_check(now: float = JWT_IAT, secrets: Any = JWT_SECRET) -> JwtSignature:
    return JwtSignature(secrets, clock=lambda: now)


def bearer(value: str | None, body: bytes = BODY) -> Request:
    headers = [("Content-Type", "application/json")] + ([] if value is None else [("Authorization", value)])
    return read_request(headers, body, None, limits=Limits(), method="POST")


def test_the_published_jwt_passes() -> None:
    assert outcome(jwt_check(), bearer(f"Bearer {JWT}")) is None
    assert outcome(jwt_check(), bearer(f"bearer  {JWT} ")) is None  # the scheme without case; spaces around
    assert outcome(jwt_check(now=JWT_IAT + 300), bearer(f"Bearer {JWT}")) is None
    assert outcome(jwt_check(now=JWT_IAT - 300), bearer(f"Bearer {JWT}")) is None


def test_the_published_jwt_fails_after_any_one_byte_change() -> None:
    for changed in one_byte_changes(JWT):
        refusal = outcome(jwt_check(), bearer(f"Bearer {changed}"))
        assert refusal is not None, changed
        assert refusal.startswith("401 authorization: request: "), refusal
    for changed_secret in one_byte_changes(JWT_SECRET):
        assert outcome(jwt_check(secrets=changed_secret), bearer(f"Bearer {JWT}")) == (
            "401 authorization: request: the JWT signature does not match"
        )


OLD = (
    "401 authorization: request: the signed time is 301 s away from now, more than the 300 s allowed "
    "(a replay, or a clock that is wrong)"
)


@pytest.mark.parametrize(("now", "expected"), [(JWT_IAT + 301, OLD), (JWT_IAT - 301, OLD)])
def test_the_published_jwt_outside_the_window_fails(now: float, expected: str) -> None:
    assert outcome(jwt_check(now=now), bearer(f"Bearer {JWT}")) == expected


PAYLOAD_HASH = hashlib.sha256(BODY).hexdigest()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"Bearer {token({'iat': JWT_IAT, 'payload_hash': PAYLOAD_HASH})}", None),
        (f"Bearer {token({'iat': JWT_IAT, 'payload_hash': PAYLOAD_HASH.upper()})}", None),
        (f"Bearer {token({'iat': JWT_IAT, 'api_key': 'abcd1234', 'jti': 'j-1', 'iss': 'Vonage'})}", None),
        (
            f"Bearer {token({'iat': JWT_IAT, 'payload_hash': hashlib.sha256(BODY + b' ').hexdigest()})}",
            "401 authorization: request: the JWT's payload_hash is not the SHA-256 of the body",
        ),
        (
            f"Bearer {token({'iat': JWT_IAT, 'payload_hash': 12})}",
            "401 authorization: request: the JWT's payload_hash claim is not a string",
        ),
        (
            f"Bearer {token({'payload_hash': PAYLOAD_HASH})}",
            "401 authorization: request: the JWT has no iat claim; the endpoint checks when it was signed",
        ),
        (
            f"Bearer {token({'iat': str(JWT_IAT)})}",
            "401 authorization: request: the JWT's iat claim '1697634680' is not a whole number of seconds",
        ),
        (
            f"Bearer {token({'iat': True})}",
            "401 authorization: request: the JWT's iat claim 'True' is not a whole number of seconds",
        ),
        (f"Bearer {token({'iat': JWT_IAT, 'exp': JWT_IAT - 300})}", None),  # within the tolerance
        (
            f"Bearer {token({'iat': JWT_IAT, 'exp': JWT_IAT - 301})}",
            "401 authorization: request: the JWT has expired (its exp claim has passed)",
        ),
        (
            f"Bearer {token({'iat': JWT_IAT, 'exp': 'never'})}",
            "401 authorization: request: the JWT's exp claim 'never' is not a whole number of seconds",
        ),
        (
            f"Bearer {token({'iat': JWT_IAT}, header={'alg': 'none', 'typ': 'JWT'})}",
            "401 authorization: request: the JWT algorithm is 'none', not HS256, the one Vonage signs with",
        ),
        (
            f"Bearer {token({'iat': JWT_IAT}, header={'alg': 'HS512'})}",
            "401 authorization: request: the JWT algorithm is 'HS512', not HS256, the one Vonage signs with",
        ),
        (
            f"Bearer {token({'iat': JWT_IAT}, header={'alg': 'RS256'})}",
            "401 authorization: request: the JWT algorithm is 'RS256', not HS256, the one Vonage signs with",
        ),
        (
            f"Bearer {token({'iat': JWT_IAT}, header={'typ': 'JWT'})}",
            "401 authorization: request: the JWT algorithm is NoneType, not HS256, the one Vonage signs with",
        ),
        (
            f"Bearer {token({'iat': JWT_IAT}, header={'alg': ['HS256']})}",
            "401 authorization: request: the JWT algorithm is list, not HS256, the one Vonage signs with",
        ),
        (
            f"Bearer {token({'iat': JWT_IAT}, secret='another-secret')}",
            "401 authorization: request: the JWT signature does not match",
        ),
        ("Bearer", "401 authorization: request: the Bearer token is not a JWT"),
        ("Bearer a.b", "401 authorization: request: the Bearer token is not a JWT"),
        ("Bearer a.b.c", "401 authorization: request: the Bearer token is not a JWT"),
        ("Bearer Zm9v.Zm9v.Zm9v", "401 authorization: request: the Bearer token is not a JWT"),
        (f"Bearer {b64url(b'[' * 5000)}.e30.", "401 authorization: request: the Bearer token is not a JWT"),
        (
            f"Bearer {b64url(json.dumps({'alg': 'HS256'}).encode())}.{b64url(b'[' * 5000)}.",
            "401 authorization: request: the Bearer token is not a JWT",
        ),
        (
            f"Bearer {b64url(json.dumps({'alg': 'HS256'}).encode())}.{b64url(b'[1]')}.",
            "401 authorization: request: the Bearer token is not a JWT",
        ),
        (f"Bearer {JWT}\u00e9", "401 authorization: request: the Bearer token is not a JWT"),
        (
            "Bearer " + "A" * 8200,
            "401 authorization: request: the Authorization header is longer than 8192 characters",
        ),
        (
            None,
            (
                "503 authorization: request: no Authorization header; Vonage sends an unsigned callback after an "
                "internal error, and answering 503 makes it send the callback again, signed"
            ),
        ),
        (
            "",
            (
                "503 authorization: request: no Authorization header; Vonage sends an unsigned callback after an "
                "internal error, and answering 503 makes it send the callback again, signed"
            ),
        ),
        (
            "Basic dXNlcjpwYXNz",
            (
                "503 authorization: request: the Authorization header is not a Bearer token (scheme 'Basic'); "
                "answering 503 makes Vonage send the callback again, signed"
            ),
        ),
        (
            JWT,
            (
                "503 authorization: request: the Authorization header is not a Bearer token (scheme "
                "'eyJ0eXAiOiJKV1QiLCJh'); answering 503 makes Vonage send the callback again, signed"
            ),
        ),
    ],
)
def test_jwt_signature(value: str | None, expected: str | None) -> None:
    assert outcome(jwt_check(), bearer(value)) == expected


@pytest.mark.parametrize("alg", ["none", "None", "HS512", "RS256", "HS384", "ES256", ""])
def test_another_algorithm_is_refused_before_any_secret_is_tried(alg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    compared = count_comparisons(monkeypatch)
    refusal = outcome(jwt_check(), bearer(f"Bearer {token({'iat': JWT_IAT}, header={'alg': alg})}"))
    assert refusal == f"401 authorization: request: the JWT algorithm is {alg!r}, not HS256, the one Vonage signs with"
    assert compared == []


def test_an_unsigned_messages_callback_is_answered_503() -> None:
    with pytest.raises(AuthenticationError) as caught:
        mmsdr.parse_request([("Content-Type", "application/json")], BODY, None, method="POST", auth=jwt_check())
    assert caught.value.status_hint == 503
    assert caught.value.ack.status == 503
    with pytest.raises(AuthenticationError) as forged:
        mmsdr.parse_request(
            [("Content-Type", "application/json"), ("Authorization", "Bearer x.y.z")],
            BODY,
            None,
            method="POST",
            auth=jwt_check(),
        )
    assert forged.value.ack.status == 401


def test_several_jwt_secrets_each_pass_and_all_are_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    check = jwt_check(secrets=["the-previous-secret", JWT_SECRET])
    compared = count_comparisons(monkeypatch)
    for secret, passes in (("the-previous-secret", True), (JWT_SECRET, True), ("a-guess", False)):
        compared.clear()
        value = f"Bearer {token({'iat': JWT_IAT, 'payload_hash': PAYLOAD_HASH}, secret=secret)}"
        assert (outcome(check, bearer(value)) is None) is passes
        assert len(compared) == (3 if passes else 2)  # every secret, then the payload_hash


def test_a_short_secret_works_without_warnings() -> None:
    # Vonage allows secrets shorter than PyJWT's 32-byte minimum (it warns on each token); pytest turns
    # warnings into errors here.
    value = f"Bearer {token({'iat': JWT_IAT}, secret='short')}"
    assert outcome(jwt_check(secrets="short"), bearer(value)) is None


def test_jwt_sign_makes_a_request_that_passes_and_covers_the_body() -> None:
    check = jwt_check(now=JWT_IAT + 0.5)
    signed = post_request("/vonage/status", "application/json", BODY, [("Authorization", "Bearer old")]).signed(check)
    values = [value for name, value in signed.headers if name.lower() == "authorization"]
    assert len(values) == 1
    claims = json.loads(base64.urlsafe_b64decode(values[0].split(".")[1] + "=="))
    assert claims == {"iat": JWT_IAT, "payload_hash": PAYLOAD_HASH}
    assert outcome(check, read(signed)) is None
    assert outcome(check, read_request(signed.headers, BODY + b" ", None, limits=Limits(), method="POST")) == (
        "401 authorization: request: the JWT's payload_hash is not the SHA-256 of the body"
    )


def test_jwt_signature_never_shows_a_secret() -> None:
    assert repr(JwtSignature([JWT_SECRET, "next"])) == "JwtSignature(<2 secret(s)>, tolerance=300)"


def test_without_pyjwt_building_the_check_fails_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # The import fails as it does where the package is missing: nothing must pass unchecked.
    hide_module(monkeypatch, "jwt")
    with pytest.raises(ImportError) as caught:
        JwtSignature(JWT_SECRET)
    assert str(caught.value) == (
        "mmsdr.vonage.JwtSignature needs PyJWT: pip install 'mmsdr[vonage]' (or pip install pyjwt)"
    )
    assert caught.value.name == "jwt"
    assert (
        outcome(
            Signature(SECRET, clock=lambda: AT),
            as_get([("timestamp", str(AT)), ("sig", rule([("timestamp", str(AT))], SECRET, "md5hash"))]),
        )
        is None
    )

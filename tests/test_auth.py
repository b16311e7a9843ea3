"""mmsdr.auth: Basic credentials, source networks and the base of signature checks, each failing closed."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from _support import NOW, AcmeSignature, acme_headers, count_comparisons
from lxml import etree

import mmsdr
from mmsdr import AuthenticationError, Limits, UntrustedSourceError
from mmsdr._request import Request, read_request
from mmsdr.auth import BasicAuth, SourceNetworks
from mmsdr.testing import TestRequest

CHALLENGE = 'Basic realm="mmsdr", charset="UTF-8"'


def request(headers: Any = (), body: bytes = b"", *, remote_address: str | None = None) -> Request:
    return read_request(list(headers), body, None, limits=Limits(), method="POST", remote_address=remote_address)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


AUTH = BasicAuth({"mmsc": "s3cret", "mmsc-next": "n3w:pass"})
ROTATING = BasicAuth({"mmsc": ["old", "new"]})  # one user's password during a rotation


def outcome(authenticator: Any, checked: Request) -> str | None:
    """None when the request passes, else the refusal as ``"<status> <message>"``."""
    try:
        authenticator.authenticate(checked)
    except AuthenticationError as error:
        return f"{error.status_hint} {error}"
    return None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("Authorization", basic("mmsc", "s3cret"))], None),
        ([("Authorization", basic("mmsc-next", "n3w:pass"))], None),  # rotation; a password may hold ':'
        ([("Authorization", "basic " + basic("mmsc", "s3cret")[6:])], None),  # the scheme is case-insensitive
        ([("Authorization", basic("mmsc", "wrong"))], "401 request: the Basic credentials are not this endpoint's"),
        ([("Authorization", basic("other", "s3cret"))], "401 request: the Basic credentials are not this endpoint's"),
        ([("Authorization", basic("mmsc", "n3w:pass"))], "401 request: the Basic credentials are not this endpoint's"),
        ([], "401 request: no Authorization header; this endpoint takes HTTP Basic credentials"),
        (
            [("Authorization", "Bearer abc")],
            "401 request: the Authorization header is not Basic credentials (scheme 'Bearer')",
        ),
        ([("Authorization", "Basic !!!")], "401 request: the Basic credentials are not base64"),
        (
            [("Authorization", "Basic " + base64.b64encode(b"mmsc").decode())],
            "401 request: the Basic credentials have no ':' between user name and password",
        ),
        (
            [("Authorization", basic("mmsc", "s3cret") + "\r\nX-Injected: 1")],  # a header smuggled in the value
            "401 request: the Basic credentials are not base64",
        ),
        (
            [("Authorization", "Basic " + "A" * 2000)],
            "401 request: the Basic credentials are longer than 1024 characters",
        ),
    ],
)
def test_basic_auth(headers: list[tuple[str, str]], expected: str | None) -> None:
    assert outcome(AUTH, request(headers)) == expected


@pytest.mark.parametrize(("password", "passes"), [("old", True), ("new", True), ("older", False)])
def test_basic_auth_rotates_one_users_password(password: str, passes: bool) -> None:
    assert (outcome(ROTATING, request([("Authorization", basic("mmsc", password))])) is None) is passes
    assert repr(ROTATING) == "BasicAuth(users=['mmsc'])"


def test_a_basic_refusal_asks_for_credentials() -> None:
    with pytest.raises(AuthenticationError) as caught:
        AUTH.authenticate(request())
    assert ("WWW-Authenticate", CHALLENGE) in caught.value.ack.headers
    assert (caught.value.ack.status, caught.value.field, caught.value.challenge) == (401, "authorization", CHALLENGE)


@pytest.mark.parametrize(
    ("user", "password", "passes"), [("mmsc", "s3cret", True), ("mmsc-next", "n3w:pass", True), ("x", "y", False)]
)
def test_basic_auth_compares_every_pair_in_constant_time(
    monkeypatch: pytest.MonkeyPatch, user: str, password: str, passes: bool
) -> None:
    compared = count_comparisons(monkeypatch)
    assert (outcome(AUTH, request([("Authorization", basic(user, password))])) is None) is passes
    assert len(compared) == 4  # user and password of both pairs, whichever matched


def test_basic_auth_with_utf8_credentials() -> None:
    auth = BasicAuth({"vasp": "pässwörd"})
    assert outcome(auth, request([("Authorization", basic("vasp", "pässwörd"))])) is None


@pytest.mark.parametrize(
    ("credentials", "realm", "message"),
    [
        ({}, "mmsdr", "BasicAuth needs at least one user name and password"),
        ({"": "x"}, "mmsdr", "a BasicAuth user name must not be empty"),
        ({"u": ""}, "mmsdr", "a BasicAuth password must not be empty"),
        ({"u": []}, "mmsdr", "BasicAuth needs at least one user name and password"),
        ({"a:b": "x"}, "mmsdr", "a BasicAuth user name cannot hold ':' (RFC 7617 section 2), got 'a:b'"),
        ({"u": "p"}, 'a"b', "the realm must be printable text without quotes or backslashes, got 'a\"b'"),
    ],
)
def test_basic_auth_configuration(credentials: dict[str, str], realm: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        BasicAuth(credentials, realm=realm)
    assert str(caught.value) == message


def test_basic_auth_never_shows_a_password() -> None:
    assert repr(AUTH) == "BasicAuth(users=['mmsc', 'mmsc-next'])"


def test_a_signed_test_request_passes_and_fails_once_changed() -> None:
    built = TestRequest(method="POST", target="/mm7", headers=(("Host", "example.com"),), body=b"<x/>")
    signed = AUTH.sign(built)
    assert outcome(AUTH, request(signed.headers, signed.body)) is None
    changed = tuple((name, value[:-2] + "x=" if name == "Authorization" else value) for name, value in signed.headers)
    assert outcome(AUTH, request(changed, signed.body)) is not None


# --- SourceNetworks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("83.166.68.5", None),
        ("::ffff:83.166.68.5", None),
        ("10.0.0.1", "403 request: source address '10.0.0.1' is not in the trusted networks"),
        ("unknown", "403 request: source address 'unknown' is not in the trusted networks"),
        (
            None,
            "403 request: no remote address to check against the trusted networks; pass parse(..., remote_address=...)",
        ),
    ],
)
def test_source_networks(address: str | None, expected: str | None) -> None:
    assert outcome(SourceNetworks(mmsdr.mxtelecom.NETWORKS), request(remote_address=address)) == expected


def test_source_networks_refusals_are_untrusted_source_errors() -> None:
    with pytest.raises(UntrustedSourceError):
        SourceNetworks(["10.0.0.0/8"]).authenticate(request(remote_address="192.0.2.1"))
    assert issubclass(UntrustedSourceError, AuthenticationError)


@pytest.mark.parametrize(
    ("networks", "kind", "message"),
    [
        ([], ValueError, "SourceNetworks needs at least one network"),
        ("10.0.0.0/8", TypeError, "SourceNetworks takes a list of networks, not one string"),
        (["10.0.0.0/33"], ValueError, "'10.0.0.0/33' does not appear to be an IPv4 or IPv6 network"),
    ],
)
def test_source_networks_configuration(networks: Any, kind: type[Exception], message: str) -> None:
    with pytest.raises(kind) as caught:
        SourceNetworks(networks)
    assert str(caught.value) == message


# --- SignatureCheck: a scheme of the usual shape, HMAC-SHA256 over "{time}.{body}" ----------------------------------


ACME = AcmeSignature(["old-secret", b"new-secret"], clock=lambda: NOW)
BODY = b'{"id": "1"}'


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        (acme_headers(b"old-secret", int(NOW), BODY), BODY, None),
        (acme_headers(b"new-secret", int(NOW), BODY), BODY, None),  # rotation
        (acme_headers(b"other", int(NOW), BODY), BODY, "401 request: the signature does not match"),
        (acme_headers(b"new-secret", int(NOW), BODY), BODY + b" ", "401 request: the signature does not match"),
        (acme_headers(b"new-secret", int(NOW) - 300, BODY), BODY, None),  # the edges of the window pass
        (acme_headers(b"new-secret", int(NOW) + 300, BODY), BODY, None),
        (
            acme_headers(b"new-secret", int(NOW) - 301, BODY),
            BODY,
            (
                "401 request: the signed time is 301 s away from now, more than the 300 s allowed "
                "(a replay, or a clock that is wrong)"
            ),
        ),
        (
            acme_headers(b"new-secret", int(NOW) + 301, BODY),
            BODY,
            (
                "401 request: the signed time is 301 s away from now, more than the 300 s allowed "
                "(a replay, or a clock that is wrong)"
            ),
        ),
        (
            [("X-Acme-Signature", "abc"), ("X-Acme-Timestamp", "soon")],
            BODY,
            "401 request: the signed time 'soon' is not a number of seconds",
        ),
        (
            acme_headers(b"new-secret", int(NOW), BODY)[1:],
            BODY,
            "401 request: the X-Acme-Signature header is missing; the endpoint checks signatures",
        ),
        (
            [("X-Acme-Signature", "")],
            BODY,
            "401 request: the X-Acme-Signature header is missing; the endpoint checks signatures",
        ),
    ],
)
def test_signature_check(headers: list[tuple[str, str]], body: bytes, expected: str | None) -> None:
    assert outcome(ACME, request(headers, body)) == expected


def test_signature_check_compares_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_comparisons(monkeypatch)
    ACME.authenticate(request(acme_headers(b"old-secret", int(NOW), BODY), BODY))
    assert len(calls) == 2  # the first secret matched; the second was compared all the same


@pytest.mark.parametrize(
    ("secrets", "tolerance", "message"),
    [
        ([], 300, "AcmeSignature needs at least one secret"),
        ("", 300, "a AcmeSignature secret must not be empty"),
        ("s", 0, "tolerance must be a positive number of seconds, got 0"),
        ("s", True, "tolerance must be a positive number of seconds, got True"),
    ],
)
def test_signature_check_configuration(secrets: Any, tolerance: Any, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        AcmeSignature(secrets, tolerance=tolerance)
    assert str(caught.value) == message


def test_signature_check_never_shows_a_secret() -> None:
    assert repr(ACME) == "AcmeSignature(<2 secret(s)>, tolerance=300)"


def test_signature_check_tells_its_clock_and_tolerance() -> None:
    # What a provider's check signs with and compares against: the configured clock, not the system's.
    assert (ACME.now(), ACME.tolerance) == (NOW, 300.0)
    assert AcmeSignature("s", tolerance=5, clock=lambda: 42.0).now() == 42.0


# --- Parser(auth=...) -------------------------------------------------------------------------------------------

MM7_AUTH = BasicAuth({"mmsc": "s3cret"}, realm="vasp")
MM7_CHALLENGE = 'Basic realm="vasp", charset="UTF-8"'


@pytest.mark.parametrize("name", list(mmsdr.testing.BUILDERS))
def test_every_format_refuses_a_forged_request_and_reads_a_signed_one(name: str) -> None:
    parser = mmsdr.Parser(formats=name, auth=MM7_AUTH)
    built = mmsdr.testing.BUILDERS[name]()
    with pytest.raises(AuthenticationError) as caught:
        built.parse(formats=name, auth=MM7_AUTH)
    assert (caught.value.status_hint, caught.value.format) == (401, name)
    assert ("WWW-Authenticate", MM7_CHALLENGE) in caught.value.ack.headers
    signed = built.signed(MM7_AUTH)
    assert parser.parse(signed.headers, signed.body, signed.query, method=signed.method).events
    # Basic credentials cover no body: one header changed fails.
    changed = tuple((n, v[:-2] + "x=" if n == "Authorization" else v) for n, v in signed.headers)
    with pytest.raises(AuthenticationError):
        parser.parse(changed, signed.body, signed.query, method=signed.method)


def test_an_mm7_request_failing_basic_auth_gets_a_parseable_fault() -> None:
    built = mmsdr.testing.BUILDERS["mm7.delivery_report"]()
    with pytest.raises(AuthenticationError) as caught:
        built.parse(formats="mm7", auth=MM7_AUTH)
    ack = caught.value.ack
    assert (ack.status, ack.headers[-1]) == (401, ("WWW-Authenticate", MM7_CHALLENGE))
    root = etree.fromstring(ack.body)
    status = {
        element.tag.rpartition("}")[2]: element.text
        for element in root.iter("{*}StatusCode", "{*}StatusText", "{*}Details")
    }
    assert status == {
        "StatusCode": "4001",
        "StatusText": "Improper identification",
        "Details": "request: no Authorization header; this endpoint takes HTTP Basic credentials",
    }
    assert root.find("{*}Header/{*}TransactionID") is None  # refused before the body was read


def test_a_refusal_on_a_several_provider_endpoint_is_plain_text() -> None:
    built = mmsdr.testing.BUILDERS["mm7.delivery_report"]()
    with pytest.raises(AuthenticationError) as caught:
        built.parse(auth=MM7_AUTH)
    assert (caught.value.provider, caught.value.format, caught.value.ack.status) == (None, None, 401)
    assert caught.value.ack.body == b"request: no Authorization header; this endpoint takes HTTP Basic credentials"


def test_authentication_comes_before_the_body_is_read() -> None:
    with pytest.raises(AuthenticationError):
        mmsdr.parse_request([("Content-Type", "text/xml")], b"<not xml", None, formats="mm7", auth=MM7_AUTH)


def test_every_authenticator_must_pass_in_order() -> None:
    seen: list[str] = []

    class Recording:
        def __init__(self, name: str, *, passes: bool) -> None:
            self.name, self.passes = name, passes

        def authenticate(self, request: Request, /) -> None:
            seen.append(f"{self.name} {request.url}")
            if not self.passes:
                raise AuthenticationError(f"request: {self.name} says no", field="x")

    built = mmsdr.testing.BUILDERS["mxtelecom.sms_report"]()
    parser = mmsdr.Parser(auth=[Recording("a", passes=True), Recording("b", passes=False), Recording("c", passes=True)])
    with pytest.raises(AuthenticationError, match="b says no"):
        parser.parse(built.headers, built.body, built.query, url="https://example.com/hook?x=1")
    assert seen == ["a https://example.com/hook?x=1", "b https://example.com/hook?x=1"]


def test_trusted_networks_is_source_networks_checked_first() -> None:
    built = mmsdr.testing.BUILDERS["mxtelecom.sms_report"]().signed(MM7_AUTH)
    parser = mmsdr.Parser(trusted_networks=mmsdr.mxtelecom.NETWORKS, auth=MM7_AUTH)
    with pytest.raises(UntrustedSourceError):
        parser.parse(built.headers, built.body, built.query, remote_address="192.0.2.1")
    assert parser.parse(built.headers, built.body, built.query, remote_address="83.166.68.5").events


@pytest.mark.parametrize("auth", [object(), [MM7_AUTH, "secret"]])
def test_auth_takes_authenticators_only(auth: Any) -> None:
    with pytest.raises(TypeError, match="auth takes authenticators"):
        mmsdr.Parser(auth=auth)


def test_request_for_signs() -> None:
    event = mmsdr.testing.BUILDERS["mm7.deliver"]().parse().events[0]
    signed = mmsdr.testing.request_for(event, auth=MM7_AUTH)
    assert signed.parse(auth=MM7_AUTH).events == (event,)


@pytest.mark.parametrize("name", list(mmsdr.testing.BUILDERS))
def test_a_signed_builder_request_passes_and_fails_after_one_changed_byte(name: str) -> None:
    signed = mmsdr.testing.BUILDERS[name]().signed(ACME)
    assert signed.parse(auth=ACME).events
    if signed.body:
        changed = signed.body[:-1] + bytes([signed.body[-1] ^ 1])
        with pytest.raises(AuthenticationError, match="the signature does not match"):
            mmsdr.parse_request(signed.headers, changed, signed.query, method=signed.method, auth=ACME)
    stale = tuple((n, str(int(v) - 301) if n == "X-Acme-Timestamp" else v) for n, v in signed.headers)
    with pytest.raises(AuthenticationError, match="the signed time is 301 s away"):
        mmsdr.parse_request(stale, signed.body, signed.query, method=signed.method, auth=ACME)

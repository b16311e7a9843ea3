"""The examples' endpoints: one URL per callback kind, each with its own parser and its provider's check, shared
by every example app.

MX Telecom sends each kind of callback to its own URL (you set one for SMS reports, one for inbound SMS, and so
on), so each of its endpoints reads only its own format: an inbound SMS whose text is ``REPORT 17218733
DELIVERED`` sent to the report URL is refused, never stored as a report. An MMSC posts every MM7 operation to
the one VASP URL, and OpenMarket posts its inbound MMS and its delivery reports to the same URL: one endpoint
each, for all of that provider's formats. The paths are the ``mmsdr.testing`` builders' defaults, so that
``mmsdr sample FORMAT | mmsdr send - http://HOST:PORT`` reaches the right endpoint.

Twilio posts status callbacks and inbound messages to the URLs you give it, Sinch its delivery reports and
inbound messages to one callback URL, and Bandwidth and Telnyx theirs to the callback URL of the application or
messaging profile: ``/twilio``, ``/sinch``, ``/bandwidth`` and ``/telnyx`` each take all of that provider's formats.
Vonage takes one URL per kind, as MX Telecom does: the SMS API's delivery receipt and inbound URLs, a Messages API
application's status and inbound URLs.

Each endpoint checks who sent it (docs/security.md, "Who sent it"): MX Telecom's endpoints its source networks,
``/mm7``, ``/openmarket`` and ``/bandwidth`` HTTP Basic credentials, ``/twilio``, ``/sinch``, ``/telnyx`` and
the ``/vonage/...`` endpoints their provider's signature. An
endpoint whose credentials are not set refuses every request: it never accepts a callback it cannot check, and
there is no default password. Twilio signs the URL it calls, which an app behind a proxy cannot rebuild: the apps
take it from ``MMSDR_PUBLIC_URL``, and without it ``/twilio`` refuses every request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence

import mmsdr
import mmsdr.auth
import mmsdr.sinch
import mmsdr.telnyx
import mmsdr.twilio
import mmsdr.vonage

#: User name to password, or to the passwords of a rotation.
Credentials = Mapping[str, str | Sequence[str]]

# Comma-separated networks MX Telecom's callbacks may come from; its published ranges when unset.
MXTELECOM_NETWORKS = os.environ.get("MMSDR_TRUSTED_NETWORKS", ",".join(map(str, mmsdr.mxtelecom.NETWORKS))).split(",")

#: Each endpoint's path and the formats it accepts.
ENDPOINTS = {
    "/mxtelecom/sms-report": "mxtelecom.sms_report",
    "/mxtelecom/sms-inbound": "mxtelecom.sms_inbound",
    "/mxtelecom/mms-report": "mxtelecom.mms_report",  # delivery and read reports alike
    "/mxtelecom/mms-inbound": "mxtelecom.mms_inbound",
    "/mxtelecom/unsubscribe": "mxtelecom.unsubscribe",
    "/mxtelecom/renewal": "mxtelecom.renewal",
    "/mm7": "mm7",  # DeliveryReportReq, DeliverReq and ReadReplyReq
    "/openmarket": "openmarket",  # inbound MMS and delivery reports
    "/twilio": "twilio",  # status callbacks and inbound SMS and MMS
    "/sinch": "sinch",  # delivery reports (per recipient and per batch) and inbound SMS
    "/bandwidth": "bandwidth",  # message events (delivered, failed, received), a JSON array of them
    "/telnyx": "telnyx",  # message.finalized and message.received
    "/vonage/sms-receipt": "vonage.sms_receipt",  # the SMS API's delivery receipts, one per part
    "/vonage/sms-inbound": "vonage.sms_inbound",  # the SMS API's inbound SMS, one per part
    "/vonage/message-status": "vonage.message_status",  # a Messages API application's status URL
    "/vonage/message-inbound": "vonage.message_inbound",  # and its inbound URL
}

#: The realm of the ``WWW-Authenticate`` challenge a refused request gets.
REALM = "mmsdr"


def credentials_from(variable: str) -> Credentials | None:
    """The credentials in the environment variable ``variable``, ``user:password[,user:password...]`` (several
    during a rotation: add the new password, move the provider to it, remove the old); None when unset or empty.

    Raises:
        ValueError: an entry without a user name or password (never the password shown).
    """
    value = os.environ.get(variable, "")
    if not value:
        return None
    credentials: dict[str, list[str]] = {}
    for number, entry in enumerate(value.split(","), start=1):
        user, _, password = entry.partition(":")  # the first ':': a user name cannot hold one (RFC 7617)
        if not user or not password:
            msg = f"{variable}: entry {number} is not user:password"
            raise ValueError(msg)
        credentials.setdefault(user, []).append(password)
    return credentials


def secrets_from(variable: str) -> list[str] | None:
    """The secrets in the environment variable ``variable``, comma-separated (several during a rotation); None
    when unset or empty.

    Raises:
        ValueError: an empty entry (never a secret shown).
    """
    value = os.environ.get(variable, "")
    if not value:
        return None
    secrets = value.split(",")
    for number, secret in enumerate(secrets, start=1):
        if not secret.strip():
            msg = f"{variable}: entry {number} is empty"
            raise ValueError(msg)
    return secrets


def public_url_from(variable: str) -> str | None:
    """The base of the URLs the providers call (``https://callbacks.example.com``), None when unset or empty.

    Raises:
        ValueError: not an ``http://`` or ``https://`` URL, found at start-up rather than at the first callback.
    """
    value = os.environ.get(variable, "")
    if value and not value.startswith(("https://", "http://")):
        msg = f"{variable} must be an http:// or https:// URL, got {value!r}"
        raise ValueError(msg)
    return value or None


# The HTTP Basic credentials you gave the MMSC for its MM7 requests, and those you asked OpenMarket to send.
MM7_CREDENTIALS = credentials_from("MMSDR_MM7_CREDENTIALS")
OPENMARKET_CREDENTIALS = credentials_from("MMSDR_OPENMARKET_CREDENTIALS")
# The HTTP Basic credentials you set on your Bandwidth application's callbacks.
BANDWIDTH_CREDENTIALS = credentials_from("MMSDR_BANDWIDTH_CREDENTIALS")
# Twilio's Auth Tokens (primary and secondary during a rotation) and the webhook secret Sinch gave you.
TWILIO_AUTH_TOKENS = secrets_from("MMSDR_TWILIO_AUTH_TOKENS")
SINCH_SECRETS = secrets_from("MMSDR_SINCH_SECRETS")
# Telnyx's Ed25519 public keys, base64 as the Mission Control Portal shows them.
TELNYX_PUBLIC_KEYS = secrets_from("MMSDR_TELNYX_PUBLIC_KEYS")
# Vonage's signature secret (one per account, the Dashboard's; several during a rotation) and the SMS API's
# signature method as the Dashboard names it; the Messages API always signs its JWT with HS256.
VONAGE_SIGNATURE_SECRETS = secrets_from("MMSDR_VONAGE_SIGNATURE_SECRETS")
VONAGE_SIGNATURE_METHOD = os.environ.get("MMSDR_VONAGE_SIGNATURE_METHOD", "") or "md5hash"
# The scheme, host and port (and any prefix your proxy removes) of the URLs you gave the providers.
PUBLIC_URL = public_url_from("MMSDR_PUBLIC_URL")


class NotConfigured:
    """The check of an endpoint whose credentials are not set: every request is refused (fail closed), naming the
    variable to set and what it holds; HTTP Basic endpoints send their challenge."""

    def __init__(
        self, variable: str, holds: str = "user:password", *, field: str = "authorization", basic: bool = True
    ) -> None:
        self.variable = variable
        self.holds = holds
        self.field = field
        self.challenge = f'Basic realm="{REALM}"' if basic else None

    def authenticate(self, _request: mmsdr.Request, /) -> None:  # whatever the request holds
        msg = f"request: this endpoint has no credentials to check; set {self.variable} ({self.holds})"
        raise mmsdr.AuthenticationError(msg, field=self.field, challenge=self.challenge)


def basic_auth(credentials: Credentials | None, variable: str) -> mmsdr.auth.Authenticator:
    """``BasicAuth`` with ``credentials``; without any, a check that refuses every request, naming ``variable``."""
    if not credentials:
        return NotConfigured(variable)
    return mmsdr.auth.BasicAuth(credentials, realm=REALM)


def signature(
    check: Callable[[Sequence[str]], mmsdr.auth.Authenticator],
    secrets: Sequence[str] | None,
    variable: str,
    holds: str,
    header: str,
) -> mmsdr.auth.Authenticator:
    """The provider's ``Signature`` over ``secrets``; without any, a check that refuses every request, naming
    ``variable``."""
    return check(secrets) if secrets else NotConfigured(variable, holds, field=header, basic=False)


def parser(
    formats: str,
    *,
    mxtelecom_networks: Iterable[str],
    mm7_credentials: Credentials | None,
    openmarket_credentials: Credentials | None,
    twilio_auth_tokens: Sequence[str] | None,
    sinch_secrets: Sequence[str] | None,
    bandwidth_credentials: Credentials | None,
    telnyx_public_keys: Sequence[str] | None,
    vonage_signature_secrets: Sequence[str] | None = None,
    vonage_signature_method: str = "md5hash",
    limits: mmsdr.Limits | None = None,
) -> mmsdr.Parser:
    """The parser of one endpoint, built once at start-up: each provider's checks are added here."""
    provider = formats.partition(".")[0]
    if provider == "mxtelecom":
        # MX Telecom signs nothing: its source address is the only proof a callback is its own.
        return mmsdr.Parser(formats=formats, limits=limits, trusted_networks=mxtelecom_networks)
    auth: mmsdr.auth.Authenticator
    if provider == "mm7":
        # The MMSC sends the HTTP Basic credentials you gave it; MM7 callbacks come from the MMSC's addresses.
        auth = basic_auth(mm7_credentials, "MMSDR_MM7_CREDENTIALS")
    elif provider == "twilio":
        # Twilio signs the URL it called and the fields with your Auth Token: the app passes that URL (public_url).
        auth = signature(
            mmsdr.twilio.Signature, twilio_auth_tokens, "MMSDR_TWILIO_AUTH_TOKENS", "auth tokens", "x-twilio-signature"
        )
    elif provider == "sinch":
        # Sinch signs the body, a nonce and the time with the webhook secret it gave you (on request).
        auth = signature(
            mmsdr.sinch.Signature, sinch_secrets, "MMSDR_SINCH_SECRETS", "secrets", "x-sinch-webhook-signature"
        )
    elif provider == "bandwidth":
        # Bandwidth sends the HTTP Basic credentials set on the application's callbacks, and signs nothing.
        auth = basic_auth(bandwidth_credentials, "MMSDR_BANDWIDTH_CREDENTIALS")
    elif provider == "telnyx":
        # Telnyx signs the time and the body with its Ed25519 key: the check holds the public key only.
        auth = signature(
            mmsdr.telnyx.Signature,
            telnyx_public_keys,
            "MMSDR_TELNYX_PUBLIC_KEYS",
            "public keys",
            "telnyx-signature-ed25519",
        )
    elif formats.startswith("vonage.sms_"):
        # Vonage signs the SMS API's parameters (sig) with the account's signature secret, once support enables it.
        auth = signature(
            lambda secrets: mmsdr.vonage.Signature(secrets, method=vonage_signature_method),
            vonage_signature_secrets,
            "MMSDR_VONAGE_SIGNATURE_SECRETS",
            "signature secrets",
            "sig",
        )
    elif provider == "vonage":
        # The Messages API signs a JWT with the same secret; it answers an unsigned callback 503 (sent again, signed).
        auth = signature(
            mmsdr.vonage.JwtSignature,
            vonage_signature_secrets,
            "MMSDR_VONAGE_SIGNATURE_SECRETS",
            "signature secrets",
            "authorization",
        )
    else:
        # OpenMarket sends HTTP Basic credentials when you ask it to, and publishes no networks.
        auth = basic_auth(openmarket_credentials, "MMSDR_OPENMARKET_CREDENTIALS")
    return mmsdr.Parser(formats=formats, limits=limits, auth=auth)


def parsers(
    *,
    mxtelecom_networks: Iterable[str] = MXTELECOM_NETWORKS,
    mm7_credentials: Credentials | None = MM7_CREDENTIALS,
    openmarket_credentials: Credentials | None = OPENMARKET_CREDENTIALS,
    twilio_auth_tokens: Sequence[str] | None = TWILIO_AUTH_TOKENS,
    sinch_secrets: Sequence[str] | None = SINCH_SECRETS,
    bandwidth_credentials: Credentials | None = BANDWIDTH_CREDENTIALS,
    telnyx_public_keys: Sequence[str] | None = TELNYX_PUBLIC_KEYS,
    vonage_signature_secrets: Sequence[str] | None = VONAGE_SIGNATURE_SECRETS,
    vonage_signature_method: str = VONAGE_SIGNATURE_METHOD,
    limits: mmsdr.Limits | None = None,
) -> dict[str, mmsdr.Parser]:
    """Every endpoint's parser by its path: the environment's networks, credentials and secrets unless given."""
    networks = list(mxtelecom_networks)
    return {
        path: parser(
            formats,
            mxtelecom_networks=networks,
            mm7_credentials=mm7_credentials,
            openmarket_credentials=openmarket_credentials,
            twilio_auth_tokens=twilio_auth_tokens,
            sinch_secrets=sinch_secrets,
            bandwidth_credentials=bandwidth_credentials,
            telnyx_public_keys=telnyx_public_keys,
            vonage_signature_secrets=vonage_signature_secrets,
            vonage_signature_method=vonage_signature_method,
            limits=limits,
        )
        for path, formats in ENDPOINTS.items()
    }

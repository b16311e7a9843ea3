"""Bandwidth's messaging error table as data (Bandwidth, "Messaging Errors": the Client Errors, Carrier Reported
Client Errors, Service Failures, Carrier Reported Service Failures and Ambiguous Cause tables)."""

from __future__ import annotations

from .details import ErrorCode

# code: (Description, Billable), as the tables list them.
_TABLE: dict[str, tuple[str, bool]] = {
    "4001": ("service-not-allowed", False),
    "4301": ("malformed-invalid-encoding", False),
    "4302": ("malformed-invalid-from-number", False),
    "4303": ("malformed-invalid-to-number", False),
    "4350": ("malformed-for-destination", False),
    "4360": ("message-not-sent-expiration-date-passed", False),
    "4401": ("rejected-routing-error", False),
    "4403": ("rejected-forbidden-from-number", False),
    "4404": ("rejected-forbidden-to-number", False),
    "4405": ("rejected-unallocated-from-number", False),
    "4406": ("rejected-unallocated-to-number", False),
    "4407": ("rejected-account-not-defined-from-number", False),
    "4408": ("rejected-account-not-defined-to-number", False),
    "4409": ("rejected-invalid-from-profile", False),
    "4410": ("media-unavailable", False),
    "4411": ("rejected-message-size-limit-exceeded", False),
    "4412": ("media-content-invalid", False),
    "4420": ("rejected-carrier-does-not-exist", False),
    "4421": ("rejected-forbidden-no-destination", False),
    "4431": ("rejected-forbidden-shortcode", False),
    "4432": ("rejected-forbidden-country", False),
    "4433": ("rejected-forbidden-tollfree", False),
    "4434": ("rejected-forbidden-tollfree-for-recipient", False),
    "4435": ("forbidden-too-many-recipients", False),
    "4451": ("rejected-wrong-user-id", False),
    "4452": ("rejected-wrong-application-id", False),
    "4470": ("rejected-spam-detected", True),
    "4481": ("rejected-from-number-in-blacklist", False),
    "4482": ("rejected-to-number-in-blacklist", False),
    "4492": ("reject-emergency", False),
    "4493": ("rejected-unauthorized", False),
    "4700": ("invalid-service-type", True),
    "4701": ("destination-service-unavailable", True),
    "4702": ("destination-subscriber-unavailable", True),
    "4711": ("rejected-message-size-limit-exceeded", True),
    "4712": ("media-content-invalid", True),
    "4720": ("invalid-destination-address", True),
    "4721": ("destination-tn-deactivated", True),
    "4730": ("no-route-to-destination-carrier", True),
    "4740": ("invalid-source-address-address", True),
    "4750": ("destination-rejected-message", True),
    "4751": ("destination-rejected-message-size-invalid", True),
    "4752": ("destination-rejected-malformed", True),
    "4770": ("destination-spam-detected", True),
    "4771": ("rejected-shortened-url", True),
    "4772": ("rejected-tn-blocked", True),
    "4773": ("inactive-campaign", True),
    "4774": ("provisioning-issue", True),
    "4775": ("destination-rejected-due-to-user-opt-out", True),
    "4780": ("volume-violation-tmo", True),
    "4781": ("volume-violation-att", True),
    "4785": ("volumetric-violation", True),
    "4790": ("destination-rejected-sc-not-allowed", True),
    "4791": ("destination-rejected-campaign-not-allowed", True),
    "4792": ("destination-rejected-sc-not-provisioned", True),
    "4793": ("destination-rejected-sc-expired", True),
    "4795": ("tfn-not-verified", True),
    "5100": ("temporary-app-error", False),
    "5101": ("temporary-app-shutdown", False),
    "5106": ("impossible-to-route", False),
    "5111": ("temporary-app-connection-closed", False),
    "5201": ("temporary-rout-error-retries-exceeded", False),
    "5211": ("temporary-app-error-app-busy", False),
    "5220": ("temporary-store-error", False),
    "5231": ("discarded-concatenation-timeout", False),
    "5500": ("message-send-failed", False),
    "5501": ("message-send-failed", False),
    "5999": ("unknown-error", False),
    "5600": ("destination-carrier-queue-full", True),
    "5610": ("submit_ sm-or-submit_ multi-failed", True),
    "5620": ("destination-app-error", True),
    "5630": ("message-not-acknowle", True),
    "5650": ("destination-failed", True),
    "9902": ("delivery-receipt-expired", True),
    "9999": ("unknown-error", True),
}


def _row(code: str, name: str, billable: bool) -> ErrorCode:
    # Error Code Schema: the first digit says client (4), server (5) or ambiguous (9); the second who reported
    # it: 7 (client) and 6 (server) the carrier, the others Bandwidth.
    first, second = code[0], code[1]
    if first == "9":
        return ErrorCode(code=code, name=name, reported_by="downstream", permanent=None, billable=billable)
    carrier = second == ("7" if first == "4" else "6")
    return ErrorCode(
        code=code,
        name=name,
        reported_by="carrier" if carrier else "bandwidth",
        permanent=first == "4",
        billable=billable,
    )


#: Every code of the error tables, by its decimal text.
ERRORS: dict[str, ErrorCode] = {code: _row(code, name, billable) for code, (name, billable) in _TABLE.items()}

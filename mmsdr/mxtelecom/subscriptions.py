"""MX Telecom subscription callbacks: unsubscribe notifications and AT&T renewal notifications.

Unsubscribe example (MX Telecom, "Unsubscription notifications via HTTP")::

    GET /unsub?msisdn=447884436692&shortcode=81111&shortcode=82222&date=2005-08-29+19%3A12%3A45&source=IVR

Renewal (AT&T only): ``network``, ``shortcode``, ``msisdn``, ``smsid`` (of the original subscription MT),
``date`` (London time) and ``mtusername`` (absent for older integrations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._events import SubscriptionRenewal, Unsubscribe
from .._format import make_dedupe_key, one_event
from . import _common

if TYPE_CHECKING:
    from .._events import Callback
    from .._format import ParseContext
    from .._request import Request

__all__ = ("RENEWAL_FORMAT", "UNSUBSCRIBE_FORMAT")

UNSUBSCRIBE = "mxtelecom.unsubscribe"
RENEWAL = "mxtelecom.renewal"


def _is_unsubscribe(request: Request) -> bool:
    return {"msisdn", "source"} <= request.field_names


def _is_renewal(request: Request) -> bool:
    names = request.field_names
    return {"msisdn", "smsid", "network"} <= names or {"msisdn", "mtusername"} <= names


def parse_unsubscribe(request: Request, context: ParseContext) -> Callback:
    fields = _common.fields(request, context, UNSUBSCRIBE)
    msisdn = fields.required_text("msisdn").strip()
    shortcodes = tuple(code.strip() for code in fields.texts("shortcode"))
    if not shortcodes:
        raise fields.error("shortcode", "is missing", show=False)
    # "source: IVR | STOP | UNKNOWN" (at most 50 characters); any other value is kept verbatim.
    source = fields.required_text("source").strip()
    warnings: list[str] = []
    time = _common.times(context, warnings).read("date", fields.text("date"))
    return one_event(
        Unsubscribe(
            provider=_common.PROVIDER,
            format=UNSUBSCRIBE,
            timestamp=time.timestamp,
            dedupe_key=make_dedupe_key(UNSUBSCRIBE, msisdn, ",".join(sorted(shortcodes)), source, time.key),
            raw=fields.raw(),
            msisdn=msisdn,
            shortcodes=shortcodes,
            source=source,
        ),
        warnings=tuple(warnings),
    )


def parse_renewal(request: Request, context: ParseContext) -> Callback:
    fields = _common.fields(request, context, RENEWAL)
    message_id = str(fields.unsigned("smsid", bits=64))
    msisdn = fields.required_text("msisdn").strip()
    shortcode = fields.required_text("shortcode").strip()
    warnings: list[str] = []
    time = _common.times(context, warnings).read("date", fields.text("date"))
    return one_event(
        SubscriptionRenewal(
            provider=_common.PROVIDER,
            format=RENEWAL,
            timestamp=time.timestamp,
            dedupe_key=make_dedupe_key(RENEWAL, message_id, msisdn, shortcode, time.key),
            raw=fields.raw(),
            message_id=message_id,
            msisdn=msisdn,
            shortcode=shortcode,
            network=fields.required_text("network").strip(),
            mt_username=fields.text("mtusername") or None,
        ),
        warnings=tuple(warnings),
    )


UNSUBSCRIBE_FORMAT = _common.mx_format(
    UNSUBSCRIBE,
    "Unsubscribe notification: msisdn, repeated shortcode, date, source (GET)",
    _is_unsubscribe,
    parse_unsubscribe,
    required_fields=("msisdn", "shortcode", "source"),
)

RENEWAL_FORMAT = _common.mx_format(
    RENEWAL,
    "AT&T subscription renewal: network, shortcode, msisdn, smsid, date, mtusername (GET)",
    _is_renewal,
    parse_renewal,
    required_fields=("msisdn", "smsid", "shortcode", "network"),
)

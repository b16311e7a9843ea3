"""Request builders for your own tests: the exact callback a provider would send, from keyword arguments.

Every builder returns a [`TestRequest`][mmsdr.testing.TestRequest] in the provider's documented form (strict on output),
with realistic defaults taken from the providers' own examples::

    request = mmsdr.testing.mxtelecom_sms_report(message_id="17218733", status="FAILED")
    response = client.get(request.target, headers=dict(request.headers))   # your framework's test client
    callback = request.parse()                                              # or parse it: a Callback

[`request_for`][mmsdr.testing.request_for] goes the other way: the request that parses back into an event equal to a
given one. Hypothesis strategies for every event type are in ``mmsdr.testing.strategies`` (hypothesis needed there
only). See docs/testing.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._events import Event
from .._public import public_dir
from .._testing import DEFAULT_PARTS, TestRequest
from ..bandwidth import _builders as _bandwidth
from ..bandwidth._builders import bandwidth_inbound, bandwidth_report
from ..mm7 import _builders as _mm7
from ..mm7._builders import mm7_deliver, mm7_delivery_report, mm7_read_reply
from ..mxtelecom import _builders as _mxtelecom
from ..mxtelecom._builders import (
    mms_zip,
    mxtelecom_mms_inbound,
    mxtelecom_mms_report,
    mxtelecom_renewal,
    mxtelecom_sms_inbound,
    mxtelecom_sms_report,
    mxtelecom_unsubscribe,
)
from ..openmarket import _builders as _openmarket
from ..openmarket._builders import openmarket_mms_inbound, openmarket_mms_report
from ..sinch import _builders as _sinch
from ..sinch._builders import sinch_delivery_report, sinch_inbound, sinch_recipient_delivery_report
from ..telnyx import _builders as _telnyx
from ..telnyx._builders import telnyx_inbound, telnyx_report
from ..twilio import _builders as _twilio
from ..twilio._builders import twilio_inbound, twilio_status
from ..vonage import _builders as _vonage
from ..vonage._builders import vonage_message_inbound, vonage_message_status, vonage_sms_inbound, vonage_sms_receipt

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..auth import Signer

__all__ = (
    "BUILDERS",
    "DEFAULT_PARTS",
    "TestRequest",
    "bandwidth_inbound",
    "bandwidth_report",
    "mm7_deliver",
    "mm7_delivery_report",
    "mm7_read_reply",
    "mms_zip",
    "mxtelecom_mms_inbound",
    "mxtelecom_mms_report",
    "mxtelecom_renewal",
    "mxtelecom_sms_inbound",
    "mxtelecom_sms_report",
    "mxtelecom_unsubscribe",
    "openmarket_mms_inbound",
    "openmarket_mms_report",
    "request_for",
    "sinch_delivery_report",
    "sinch_inbound",
    "sinch_recipient_delivery_report",
    "telnyx_inbound",
    "telnyx_report",
    "twilio_inbound",
    "twilio_status",
    "vonage_message_inbound",
    "vonage_message_status",
    "vonage_sms_inbound",
    "vonage_sms_receipt",
)


#: Every builder by format name.
BUILDERS: Mapping[str, Callable[..., TestRequest]] = {
    "mxtelecom.sms_report": mxtelecom_sms_report,
    "mxtelecom.mms_report": mxtelecom_mms_report,
    "mxtelecom.sms_inbound": mxtelecom_sms_inbound,
    "mxtelecom.mms_inbound": mxtelecom_mms_inbound,
    "mxtelecom.unsubscribe": mxtelecom_unsubscribe,
    "mxtelecom.renewal": mxtelecom_renewal,
    "mm7.delivery_report": mm7_delivery_report,
    "mm7.deliver": mm7_deliver,
    "mm7.read_reply": mm7_read_reply,
    "openmarket.mms_report": openmarket_mms_report,
    "openmarket.mms_inbound": openmarket_mms_inbound,
    "sinch.recipient_delivery_report": sinch_recipient_delivery_report,
    "sinch.delivery_report": sinch_delivery_report,
    "sinch.inbound": sinch_inbound,
    "twilio.status": twilio_status,
    "twilio.inbound": twilio_inbound,
    "bandwidth.report": bandwidth_report,
    "bandwidth.inbound": bandwidth_inbound,
    "telnyx.report": telnyx_report,
    "telnyx.inbound": telnyx_inbound,
    "vonage.sms_receipt": vonage_sms_receipt,
    "vonage.sms_inbound": vonage_sms_inbound,
    "vonage.message_status": vonage_message_status,
    "vonage.message_inbound": vonage_message_inbound,
}


def request_for(event: Event, /, *, auth: Signer | None = None) -> TestRequest:
    """The request that [`mmsdr.parse_request`][mmsdr.parse_request] reads back into an event equal to ``event``.

    It is built from the event's typed fields and from ``event.raw`` (which holds every field as sent), for
    events mmsdr parsed with its default options or built by this module's builders. The request is checked
    by parsing it: ``ValueError`` when the event cannot be reproduced (an event built by hand with
    values that disagree with its ``raw``, one parsed with another ``default_zone``, and the like). An event
    whose ``timestamp`` is the time its request was read (Twilio's inbound message, a Sinch batch report, a
    report without a provider time) comes back equal when the request is parsed at that time
    (``parse(clock=...)``).

    With ``auth`` (an authenticator of [`mmsdr.auth`][mmsdr.auth] that can sign, such as ``BasicAuth``), the
    request carries the credentials or the signature it checks, so that a test goes through the same check as
    production: ``request_for(event, auth=auth)`` is ``request_for(event).signed(auth)``.
    """
    if not isinstance(event, Event):
        msg = f"request_for() takes an mmsdr event, got {type(event).__name__}"
        raise TypeError(msg)
    provider = event.format.partition(".")[0]
    builders: dict[str, Callable[[Event], TestRequest]] = {
        "mxtelecom": _mxtelecom.request_for_event,
        "mm7": _mm7.request_for_event,
        "openmarket": _openmarket.request_for_event,
        "sinch": _sinch.request_for_event,
        "twilio": _twilio.request_for_event,
        "bandwidth": _bandwidth.request_for_event,
        "telnyx": _telnyx.request_for_event,
        "vonage": _vonage.request_for_event,
    }
    if provider not in builders:
        msg = f"request_for() does not know the format {event.format!r}"
        raise ValueError(msg)
    request = builders[provider](event)
    try:
        # At the event's own time: an event without a provider time (Twilio's inbound, a Sinch batch report) took
        # the time of reading.
        parsed: tuple[Event, ...] = request.parse(clock=lambda: event.timestamp).events
    except Exception:  # noqa: BLE001 - any failure means the same thing here: not reproducible
        parsed = ()
    if parsed != (event,):
        msg = (
            f"request_for() cannot reproduce this {event.format} event: the request it builds from the event's "
            "fields and raw parses to a different event (was it built by hand, or parsed with other options?)"
        )
        raise ValueError(msg)
    return request if auth is None else request.signed(auth)


__dir__ = public_dir(globals())

"""MX Telecom / OpenMarket-legacy inbound SMS (MO), by GET.

Example from the vendor ("Receiving SMS via HTTP")::

    GET /drpt.cgi?smsfrom=447931123456&smsmsg=Hello+World&smsto=913&smsid=17221293&smsdate=2002-04-30+21%3A58%3A00

The text's encoding depends on ``bits``:

- ``7``: ``smsmsg`` is "URL-encoded ISO-8859-15" (Latin-9), *not* UTF-8;
- ``8``: ``smsmsg`` is hex-encoded binary data (the event carries it as one ``application/octet-stream`` part);
- ``16``: the real text is ``smsucs2``, hex-encoded UCS-2; ``smsmsg`` is only a best-effort rendering, used
  when ``smsucs2`` is missing.
"""

from __future__ import annotations

import binascii
import re
from typing import TYPE_CHECKING

from .._events import Callback, InboundMessage, Part
from .._format import make_dedupe_key, one_event
from . import _common
from .details import SmsInboundDetails

if TYPE_CHECKING:
    from .._format import ParseContext
    from .._request import Request
    from .._wire.fields import FieldReader

__all__ = ("FORMAT",)

NAME = "mxtelecom.sms_inbound"

_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*", re.ASCII)
# Absent `bits` is read as 7 (plain text): the field is documented but older integrations do not send it.
_BITS = ("7", "8", "16")


def _matches(request: Request) -> bool:
    return {"smsfrom", "smsid", "smsmsg"} <= request.field_names


def hex_field(fields: FieldReader, name: str, text: str) -> bytes:
    """Decode a hex-encoded field (``smsudh``, ``smsucs2``, ``smsmsg`` with ``bits=8``)."""
    cleaned = "".join(text.split())
    if _HEX.fullmatch(cleaned) is None:
        raise fields.error(name, "must be hex digits in pairs", text)
    return binascii.unhexlify(cleaned)


def parse(request: Request, context: ParseContext) -> Callback:
    fields = _common.fields(request, context, NAME)
    bits = (fields.text("bits") or "7").strip()
    if bits not in _BITS:
        raise fields.error("bits", "must be one of 7, 8, 16", bits)
    message_id = str(fields.unsigned("smsid", bits=64))
    sender = fields.required_text("smsfrom").strip()
    recipient = fields.required_text("smsto").strip()
    warnings: list[str] = []
    time = _common.times(context, warnings).read("smsdate", fields.text("smsdate"))
    if not fields.has("smsmsg"):
        raise fields.error("smsmsg", "is missing", show=False)
    text: str | None
    parts: tuple[Part, ...] = ()
    if bits == "8":
        data = hex_field(fields, "smsmsg", fields.text("smsmsg") or "")
        parts = (Part(content_type="application/octet-stream", data=data),)
        text = None
    elif bits == "16" and fields.text("smsucs2"):
        ucs2 = hex_field(fields, "smsucs2", fields.text("smsucs2") or "")
        # UCS-2 is UTF-16 without surrogates; decoding as UTF-16 also reads what phones really send.
        text = ucs2.decode("utf-16-be", errors="replace")
    else:
        # bits=7: "URL-encoded ISO-8859-15". Every byte decodes, so no text is ever lost to the charset.
        text = fields.text("smsmsg", charset="iso-8859-15")
    udh_text = fields.text("smsudh")
    return one_event(
        InboundMessage(
            provider=_common.PROVIDER,
            format=NAME,
            timestamp=time.timestamp,
            # "The customer must de-duplicate on smsid."
            dedupe_key=make_dedupe_key(NAME, message_id),
            raw=fields.raw(),
            message_id=message_id,
            channel="sms",
            sender=sender,
            recipients=(recipient,),
            text=text,
            parts=parts,
            details=SmsInboundDetails(
                udh=hex_field(fields, "smsudh", udh_text) if udh_text else None,
                smsc=fields.text("smsc") or None,
                network=fields.text("network") or None,
            ),
        ),
        warnings=tuple(warnings),
    )


FORMAT = _common.mx_format(
    NAME,
    "Inbound SMS: smsfrom, smsto, smsmsg, smsid, smsdate, bits, smsudh, smsucs2 (GET)",
    _matches,
    parse,
    details_types=(SmsInboundDetails,),
    required_fields=("smsfrom", "smsto", "smsid", "smsmsg"),
)

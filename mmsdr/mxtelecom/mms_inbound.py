"""MX Telecom inbound MMS (or SMS sent to the MMS endpoint), by GET or by multipart POST.

"This request can either be in the form of an HTTP GET request, in which case a url will be provided to
indicate where the MMS may be retrieved from, or as a Multipart HTTP POST request, where the mms itself is
included in the request." For the GET flow the event's one part is the zip by reference: its ``url`` is the
RetrieveMMS location without credentials ([`retrieve_mms_url`][mmsdr.mxtelecom.retrieve_mms_url] adds yours), and
its details say until when it can be fetched (``expiry``). For the POST flow the same
fields come as form fields (or in the query string) and "this file will be included as part of the request named
mms.zip": it is unpacked with [`mmsdr.mxtelecom.mmszip.read_mms_zip`][mmsdr.mxtelecom.mmszip.read_mms_zip] into
``parts``, in manifest order, and its text parts are joined into ``text``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from .._errors import MalformedRequestError
from .._events import Callback, InboundMessage, Part
from .._format import make_dedupe_key, one_event
from .._wire.multipart import BodyPart, parse_multipart
from . import _common
from .details import MmsInboundDetails
from .mmszip import read_mms_zip

if TYPE_CHECKING:
    from .._format import ParseContext
    from .._request import Request

__all__ = ("FORMAT", "RETRIEVE_MMS_ENDPOINTS", "retrieve_mms_url")

NAME = "mxtelecom.mms_inbound"

#: Where the zipped MMS of a GET notification is fetched: MX Telecom's documented host, and the endpoint
#: the OpenMarket-era pages give for the same service ("Retrieving MMS messages").
RETRIEVE_MMS_ENDPOINTS = MappingProxyType(
    {
        "mxtelecom": "mms.mxtelecom.com/RetrieveMMS",
        "openmarket": "mms.openmarket.com/mms/v1/http/retrieve",
    }
)

# The vendor's table: type 2 is an MMS, type 6 an SMS.
_CHANNELS = MappingProxyType({"2": "mms", "6": "sms"})


def retrieve_mms_url(
    message: InboundMessage | str, /, *, user: str, password: str, host: str = "mxtelecom", https: bool = True
) -> str:
    """The RetrieveMMS URL for an MMS notified by GET; the response body is the zipped MMS.

    ``"http://mms.mxtelecom.com/RetrieveMMS?user=myUsername&pass=myPass&id=messageid"`` -- fetch it before
    the event's ``expiry`` ("no less than 24 hours"). ``host`` is ``"mxtelecom"`` or ``"openmarket"``.
    The URL carries your inbound account password: do not log it.
    """
    message_id = message.message_id if isinstance(message, InboundMessage) else message
    try:
        endpoint = RETRIEVE_MMS_ENDPOINTS[host]
    except KeyError:
        msg = f"host must be one of {', '.join(RETRIEVE_MMS_ENDPOINTS)}, got {host!r}"
        raise ValueError(msg) from None
    query = urlencode({"user": user, "pass": password, "id": message_id})
    return f"{'https' if https else 'http'}://{endpoint}?{query}"


_ZIP_PART = "mms.zip"
_ZIP_TYPE = "application/zip"


def _retrieve_location(message_id: str) -> str:
    """The RetrieveMMS URL of a GET notification without credentials: where the zip is, not how to log in."""
    return f"https://{RETRIEVE_MMS_ENDPOINTS['mxtelecom']}?{urlencode({'id': message_id})}"


# "Receiving reports using HTTP" sends id, requestid, to, from, date, type and status; "Receiving MMS messages
# using HTTP" never sends requestid or status. A read report is "type 2", as an MMS is: without this check an
# endpoint told to read inbound MMS would take a read report for a message.
_REPORT_ONLY_FIELDS = ("requestid", "status")


def _matches(request: Request) -> bool:
    # multipart/form-data is MX Telecom's MMS POST alone among the formats mmsdr reads.
    if request.media_type == "multipart/form-data":
        return True
    names = request.field_names
    return {"id", "from", "type"} <= names and _common.first_present(request, _REPORT_ONLY_FIELDS) is None


def _form_parts(request: Request, context: ParseContext) -> tuple[tuple[tuple[str, bytes | str], ...], BodyPart | None]:
    """The form fields of a multipart POST, and its ``mms.zip`` part (None when there is none)."""
    if request.media_type != "multipart/form-data":
        return (), None
    parts = parse_multipart(request.body, request.headers.get("content-type") or "", context.limits, what=NAME)
    zip_part = next(
        (part for part in parts if _ZIP_PART in {(part.name or "").lower(), (part.filename or "").lower()}), None
    )
    fields = tuple(
        (part.name, part.data) for part in parts if part.name and part is not zip_part and part.filename is None
    )
    return fields, zip_part


def parse(request: Request, context: ParseContext) -> Callback:
    _common.refuse_foreign_field(request, NAME, _REPORT_ONLY_FIELDS, "an MMS delivery or read report")
    form_fields, zip_part = _form_parts(request, context)
    fields = _common.fields(request, context, NAME, form_fields)
    kind = fields.choice("type", tuple(_CHANNELS))
    message_id = fields.required_text("id").strip()
    recipients = fields.texts("to")
    if not recipients:
        raise fields.error("to", "is missing", show=False)
    channel = _CHANNELS[kind]
    parts: tuple[Part, ...] = ()
    text = fields.text("message") if channel == "sms" else None
    if zip_part is not None:
        zipped = read_mms_zip(zip_part.data_view, limits=context.limits, what=NAME)
        parts, text = zipped.parts, zipped.text
    elif channel == "mms" and request.media_type == "multipart/form-data":
        msg = f"{NAME}: part {_ZIP_PART!r} is missing from the multipart POST"
        raise MalformedRequestError(msg, provider=_common.PROVIDER, format=NAME, field=_ZIP_PART)
    elif channel == "mms":
        # "a url will be provided to indicate where the MMS may be retrieved from": the zip, by reference.
        parts = (Part(content_type=_ZIP_TYPE, url=_retrieve_location(message_id), filename=_ZIP_PART),)
    warnings: list[str] = []
    times = _common.times(context, warnings)
    time = times.read("date", fields.text("date"))
    expiry = times.optional("expiry", fields.text("expiry"))
    return one_event(
        InboundMessage(
            provider=_common.PROVIDER,
            format=NAME,
            timestamp=time.timestamp,
            dedupe_key=make_dedupe_key(NAME, message_id),
            raw=fields.raw(),
            message_id=message_id,
            channel=channel,
            sender=fields.required_text("from").strip(),
            recipients=recipients,
            cc=fields.texts("cc"),
            subject=fields.text("subject"),
            # "SMS contents -- message: The text of the SMS message" (type 6 only); an MMS's text is in its zip.
            text=text,
            parts=parts,
            details=MmsInboundDetails(network=fields.text("network") or None, expiry=expiry),
        ),
        warnings=tuple(warnings),
    )


FORMAT = _common.mx_format(
    NAME,
    "Inbound MMS (or SMS): id, from, to, cc, date, type, subject, expiry (GET); mms.zip (POST)",
    _matches,
    parse,
    body_media_types=frozenset({"multipart/form-data"}),
    details_types=(MmsInboundDetails,),
    required_fields=("id", "from", "to", "type"),
)

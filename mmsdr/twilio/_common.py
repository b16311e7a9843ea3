"""What Twilio's two messaging callbacks share: where their fields come from, detection, the acknowledgements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._events import Ack
from .._format import Format, retry_later
from .._wire.fields import FieldReader

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .._events import Callback, Details
    from .._format import ParseContext
    from .._request import Request

PROVIDER = "twilio"

# "Twilio sends a POST request ... as application/x-www-form-urlencoded", or a GET with the parameters in the
# query string where the webhook is configured so (Twilio, "Messaging webhooks", webhook request).
METHODS = frozenset({"GET", "POST"})
FORM = "application/x-www-form-urlencoded"

# The message id. The deprecated SmsSid and SmsMessageSid carry the same value and are kept in raw only: the id
# is MessageSid even where they differ.
MESSAGE_SID = "MessageSid"

# Status callback: "HTTP status code of 200 (OK). No response content is required." (Twilio, "Track the
# message status of outbound messages").
STATUS_OK = Ack(status=200, headers=(("Content-Length", "0"),), body=b"")

# Inbound message: Twilio "expects to receive TwiML"; a response whose Content-Type is not XML, even a 200, is
# Twilio error 12300 "Invalid Content-Type" (Twilio help center, "Error 12300"). An empty <Response/> does nothing.
TWIML_BODY = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
INBOUND_OK = Ack(
    status=200,
    headers=(("Content-Type", "text/xml"), ("Content-Length", str(len(TWIML_BODY)))),
    body=TWIML_BODY,
)


def acknowledge_status(callback: Callback) -> Ack:  # noqa: ARG001 - one answer for every status callback
    """200 with an empty body."""
    return STATUS_OK


def acknowledge_inbound(callback: Callback) -> Ack:  # noqa: ARG001 - one answer for every inbound message
    """200, ``text/xml``, an empty TwiML ``<Response/>``: Twilio does nothing more."""
    return INBOUND_OK


def source_fields(request: Request) -> tuple[tuple[str, bytes | str], ...]:
    """The callback's fields: a form POST's body; else the query string.

    On a POST the query string belongs to the URL configured at Twilio (which the signature covers), not to the
    callback: ``https://example.com/hook?tenant=7`` must not give the callback a field ``tenant``.
    """
    if request.media_type == FORM:
        return request.form
    return request.query


def field_names(request: Request) -> Mapping[str, bytes | str]:
    """``source_fields`` by name, for detection: the request's own index unless a form body comes with a query."""
    if request.media_type == FORM and request.query:
        return dict(request.form)
    return request.field_index


def fields(request: Request, context: ParseContext, format_name: str) -> FieldReader:
    source = source_fields(request)
    index = request.field_index if source is request.query or not request.query else None
    return FieldReader(source, format_name=format_name, context=context, index=index)


def text_or_none(reader: FieldReader, name: str) -> str | None:
    """A secondary field: its text stripped, None when absent or blank."""
    value = reader.text(name)
    if value is None:
        return None
    return value.strip() or None


def twilio_format(
    name: str,
    description: str,
    matches: Callable[[Request], bool],
    parse: Callable[[Request, ParseContext], Callback],
    acknowledge: Callable[[Callback], Ack],
    *,
    details_types: tuple[type[Details], ...],
    required_fields: tuple[str, ...],
) -> Format:
    return Format(
        name=name,
        description=description,
        methods=METHODS,
        matches=matches,
        body_media_types=frozenset({FORM}),
        parse=parse,
        acknowledge=acknowledge,
        # Twilio retries only what its connection overrides ask for (#rc=...&rp=...), by default once, on a
        # connect or read timeout (Twilio, "Webhooks Connection Overrides"): a 503 may not come back.
        retry=retry_later,
        details_types=details_types,
        required_fields=required_fields,
        # RawDlrDoneDate has no zone; mmsdr reads it as UTC (docs/twilio.md).
        default_zone="UTC",
    )

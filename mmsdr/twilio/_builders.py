"""Twilio request builders for [`mmsdr.testing`][mmsdr.testing]."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .._testing import HOST, TestRequest, post_request, query_string, utc_minutes
from ._signature import Signature

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .._events import Event

# Values of the shapes Twilio documents: 34-character sids (SM... an SMS, MM... an MMS, AC... an account).
_ACCOUNT_SID = "AC" + "0" * 31 + "1"
_SMS_SID = "SM" + "c0ffee00" * 4  # no fixture uses it: a built request is never mistaken for one
_MMS_SID = "MM0fe83458b74a1f626eb0da4685ab28b5"
_API_VERSION = "2010-04-01"
_FORM = "application/x-www-form-urlencoded"
PATH = "/twilio"

Fields = list[tuple[str, str | None]]


def form_request(
    fields: Iterable[tuple[str, str | None]], *, method: str, path: str, auth_token: str | None
) -> TestRequest:
    """A form POST (or a GET with the fields in the query string), signed with ``auth_token`` when given."""
    encoded = query_string(fields)
    if method == "GET":
        request = TestRequest(method="GET", target=f"{path}?{encoded}" if encoded else path, headers=(("Host", HOST),))
    elif method == "POST":
        request = post_request(path, _FORM, encoded.encode("ascii"))
    else:
        msg = f"Twilio sends callbacks by GET or POST, not {method!r}"
        raise ValueError(msg)
    return request if auth_token is None else request.signed(Signature(auth_token))


def twilio_status(
    *,
    message_id: str = _SMS_SID,
    status: str = "delivered",
    error_code: str | int | None = None,
    sender: str | None = "+15017122661",
    recipient: str | None = "+15558675310",
    timestamp: datetime | str | None = datetime(2026, 7, 17, 12, 6, tzinfo=UTC),
    account_sid: str | None = _ACCOUNT_SID,
    messaging_service_sid: str | None = None,
    api_version: str | None = _API_VERSION,
    method: str = "POST",
    path: str = PATH,
    auth_token: str | None = None,
) -> TestRequest:
    """``twilio.status``: the documented status callback form (``SmsSid`` and ``SmsStatus`` repeat
    ``MessageSid`` and ``MessageStatus``, as Twilio still sends them); ``timestamp`` is ``RawDlrDoneDate``
    (minutes, UTC), None for none. Signed with ``auth_token`` when given (``X-Twilio-Signature`` over
    ``request.url``)."""
    fields: Fields = [
        ("AccountSid", account_sid),
        ("ApiVersion", api_version),
        ("ErrorCode", None if error_code is None else str(error_code)),
        ("From", sender),
        ("MessageSid", message_id),
        ("MessageStatus", status),
        ("MessagingServiceSid", messaging_service_sid),
        ("RawDlrDoneDate", utc_minutes(timestamp)),
        ("SmsSid", message_id),
        ("SmsStatus", status),
        ("To", recipient),
    ]
    return form_request(fields, method=method, path=path, auth_token=auth_token)


def twilio_inbound(
    *,
    message_id: str = _MMS_SID,
    sender: str = "+19105563874",
    recipient: str | None = "+15869913930",
    text: str = "",
    media: Sequence[tuple[str, str]] = (
        (
            "https://api.twilio.com/2010-04-01/Accounts/" + _ACCOUNT_SID + "/Messages/" + _MMS_SID + "/Media/ME1",
            "image/jpeg",
        ),
    ),
    num_segments: int | None = 1,
    account_sid: str = _ACCOUNT_SID,
    messaging_service_sid: str | None = None,
    opt_out_type: str | None = None,
    from_place: Sequence[str | None] = ("VASS", "NC", "28394", "US"),
    to_place: Sequence[str | None] = ("UTICA", "MI", "48316", "US"),
    method: str = "POST",
    path: str = PATH,
    auth_token: str | None = None,
) -> TestRequest:
    """``twilio.inbound``: the webhook request of an SMS or MMS; ``media`` as ``(url, content_type)`` pairs
    (``MediaUrl{N}``, ``MediaContentType{N}``, N from 0); ``from_place`` and ``to_place`` as (city, state, zip,
    country). Signed with ``auth_token`` when given."""
    from_city, from_state, from_zip, from_country = from_place
    to_city, to_state, to_zip, to_country = to_place
    fields: Fields = [
        ("ToCountry", to_country),
        ("ToState", to_state),
        ("SmsMessageSid", message_id),
        ("NumMedia", str(len(media))),
        ("ToCity", to_city),
        ("FromZip", from_zip),
        ("SmsSid", message_id),
        ("FromState", from_state),
        ("SmsStatus", "received"),
        ("FromCity", from_city),
        ("Body", text),
        ("FromCountry", from_country),
        ("To", recipient),
        ("MessagingServiceSid", messaging_service_sid),
        ("ToZip", to_zip),
        ("NumSegments", None if num_segments is None else str(num_segments)),
        ("OptOutType", opt_out_type),
        ("MessageSid", message_id),
        ("AccountSid", account_sid),
        ("From", sender),
    ]
    for index, (url, content_type) in enumerate(media):
        fields += [(f"MediaContentType{index}", content_type), (f"MediaUrl{index}", url)]
    fields.append(("ApiVersion", _API_VERSION))
    return form_request(fields, method=method, path=path, auth_token=auth_token)


def request_for_event(event: Event) -> TestRequest:
    """The form POST of every field ``raw`` kept, in order: Twilio's fields are all in it."""
    return form_request(event.raw.multi_items(), method="POST", path=PATH, auth_token=None)

"""Vonage request builders for [`mmsdr.testing`][mmsdr.testing].

Defaults are the values of Vonage's own examples: the delivery receipt a public project documents from
traffic, the .NET SDK's inbound SMS and Messages API test data.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .._testing import HOST, TestRequest, aware, json_member, post_request, query_string, utc_minutes
from ._jwt import JwtSignature
from ._signature import Signature

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .._events import Event

# Vonage takes one URL per kind of callback: the SMS API's inbound and delivery receipt URLs (account settings),
# a Messages API application's inbound and status URLs.
SMS_RECEIPT_PATH = "/vonage/sms-receipt"
SMS_INBOUND_PATH = "/vonage/sms-inbound"
MESSAGE_STATUS_PATH = "/vonage/message-status"
MESSAGE_INBOUND_PATH = "/vonage/message-inbound"
PATHS = {
    "vonage.sms_receipt": SMS_RECEIPT_PATH,
    "vonage.sms_inbound": SMS_INBOUND_PATH,
    "vonage.message_status": MESSAGE_STATUS_PATH,
    "vonage.message_inbound": MESSAGE_INBOUND_PATH,
}
_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
_API_KEY = "abcd1234"

Fields = list[tuple[str, str | None]]


def sms_time(value: datetime | str | None) -> str | None:
    """``message-timestamp``: ``YYYY-MM-DD HH:MM:SS`` in UTC, as documented."""
    if value is None or isinstance(value, str):
        return value
    return aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso_time(value: datetime | str | None) -> str | None:
    """The Messages API's times: ``2025-02-03T12:14:25Z`` (milliseconds where there are any)."""
    if value is None or isinstance(value, str):
        return value
    value = aware(value).astimezone(UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def sms_request(
    fields: Iterable[tuple[str, str | None]],
    *,
    method: str,
    path: str,
    signature_secret: str | None = None,
    signature_method: str = "md5hash",
) -> TestRequest:
    """The SMS API's three ways, as the dashboard names them: ``GET`` (a query string), ``POST`` (a form body)
    or ``POST-JSON`` (a JSON object of strings); signed (``timestamp`` and ``sig`` added) when given a secret."""
    listed = [(name, value) for name, value in fields if value is not None]
    if method == "GET":
        encoded = query_string(listed)
        request = TestRequest(method="GET", target=f"{path}?{encoded}" if encoded else path, headers=(("Host", HOST),))
    elif method == "POST":
        request = post_request(path, _FORM, query_string(listed).encode("ascii"))
    elif method == "POST-JSON":
        request = post_request(path, _JSON, json.dumps(dict(listed), ensure_ascii=False).encode("utf-8"))
    else:
        msg = f"Vonage sends SMS API callbacks by GET, POST or POST-JSON, not {method!r}"
        raise ValueError(msg)
    if signature_secret is None:
        return request
    return request.signed(Signature(signature_secret, method=signature_method))


def vonage_sms_receipt(
    *,
    message_id: str = "0C0000002EEBDA56",
    status: str = "delivered",
    error_code: str | int | None = 0,
    recipient: str = "4527631111",
    sender: str | None = "Tak",
    network_code: str | None = "23820",
    price: str | None = "0.01820000",
    scts: datetime | str | None = "1705021324",
    timestamp: datetime | str | None = datetime(2017, 5, 2, 11, 24, 3, tzinfo=UTC),
    client_ref: str | None = None,
    api_key: str | None = None,
    method: str = "GET",
    path: str = SMS_RECEIPT_PATH,
    signature_secret: str | None = None,
    signature_method: str = "md5hash",
) -> TestRequest:
    """``vonage.sms_receipt``: a delivery receipt as Vonage sends it, by ``method`` ``GET``, ``POST`` (a form)
    or ``POST-JSON``; ``timestamp`` is ``message-timestamp`` (seconds, UTC) and ``scts`` ``YYMMDDHHMM``. Signed
    with ``signature_secret`` when given (``mmsdr.vonage.Signature(secret, method=signature_method)``)."""
    fields: Fields = [
        ("msisdn", recipient),
        ("to", sender),
        ("network-code", network_code),
        ("messageId", message_id),
        ("price", price),
        ("status", status),
        ("scts", utc_minutes(scts)),
        ("err-code", None if error_code is None else str(error_code)),
        ("api-key", api_key),
        ("client-ref", client_ref),
        ("message-timestamp", sms_time(timestamp)),
    ]
    return sms_request(
        fields, method=method, path=path, signature_secret=signature_secret, signature_method=signature_method
    )


def vonage_sms_inbound(
    *,
    message_id: str = "0A0000000123ABCD1",
    sender: str = "447700900001",
    recipient: str | None = "447700900000",
    text: str | None = "Hello world",
    message_type: str = "text",
    keyword: str | None = "HELLO",
    data: bytes | None = None,
    udh: bytes | None = None,
    concat: tuple[str, int, int] | None = None,
    timestamp: datetime | str | None = datetime(2020, 1, 1, 12, 0, tzinfo=UTC),
    api_key: str | None = _API_KEY,
    method: str = "GET",
    path: str = SMS_INBOUND_PATH,
    signature_secret: str | None = None,
    signature_method: str = "md5hash",
) -> TestRequest:
    """``vonage.sms_inbound``: an inbound SMS or one part of a long one, by ``method`` ``GET``, ``POST`` or
    ``POST-JSON``; ``concat`` is ``(concat-ref, concat-total, concat-part)``; ``data`` and ``udh`` (a binary
    message) are sent as hex. Signed with ``signature_secret`` when given (``mmsdr.vonage.Signature``)."""
    fields: Fields = [
        ("api-key", api_key),
        ("msisdn", sender),
        ("to", recipient),
        ("messageId", message_id),
        ("text", text),
        ("type", message_type),
        ("keyword", keyword),
        ("data", None if data is None else data.hex()),
        ("udh", None if udh is None else udh.hex()),
        ("message-timestamp", sms_time(timestamp)),
    ]
    if concat is not None:
        ref, total, part = concat
        fields += [("concat", "true"), ("concat-ref", ref), ("concat-total", str(total)), ("concat-part", str(part))]
    return sms_request(
        fields, method=method, path=path, signature_secret=signature_secret, signature_method=signature_method
    )


def _json_request(obj: dict[str, object], path: str, signature_secret: str | None = None) -> TestRequest:
    request = post_request(path, _JSON, json.dumps(obj, ensure_ascii=False).encode("utf-8"))
    return request if signature_secret is None else request.signed(JwtSignature(signature_secret))


def vonage_message_status(
    *,
    message_id: str = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab",
    status: str = "delivered",
    recipient: str = "447700900000",
    sender: str | None = "447700900001",
    timestamp: datetime | str | None = datetime(2025, 2, 3, 12, 14, 25, tzinfo=UTC),
    error: tuple[str | int, str] | None = None,
    channel: str = "sms",
    client_ref: str | None = "abc123",
    price: tuple[str, str] | None = ("EUR", "0.0333"),
    network_code: str | None = "12345",
    sms_count_total: int | None = 1,
    path: str = MESSAGE_STATUS_PATH,
    signature_secret: str | None = None,
) -> TestRequest:
    """``vonage.message_status``: a Messages API status webhook; ``error`` is ``(code, detail)`` (``error.title``
    and ``error.detail``), ``price`` ``(currency, price)``. Signed with ``signature_secret`` when given (a Bearer
    JWT, ``mmsdr.vonage.JwtSignature``: needs ``mmsdr[vonage]``)."""
    obj: dict[str, object] = {"message_uuid": message_id, "to": recipient}
    if sender is not None:
        obj["from"] = sender
    if timestamp is not None:
        obj["timestamp"] = iso_time(timestamp)
    obj["status"] = status
    if error is not None:
        code, detail = error
        obj["error"] = {
            "type": f"https://developer.vonage.com/api-errors/messages#{code}",
            "title": str(code),
            "detail": detail,
            "instance": "bf0ca0bf927b3b52e3cb03217e1a1ddf",
        }
    if client_ref is not None:
        obj["client_ref"] = client_ref
    if price is not None:
        obj["usage"] = {"currency": price[0], "price": price[1]}
    obj["channel"] = channel
    if network_code is not None:
        obj["destination"] = {"network_code": network_code}
    if sms_count_total is not None:
        obj["sms"] = {"count_total": str(sms_count_total)}
    return _json_request(obj, path, signature_secret)


def vonage_message_inbound(
    *,
    message_id: str = "52afe398-e31a-4362-8c42-beb0c3b1d098",
    sender: str = "447700900001",
    recipient: str | None = "447700900000",
    channel: str = "mms",
    message_type: str = "image",
    text: str | None = None,
    image: tuple[str, str | None] | None = ("https://example.com/image.jpg", "Additional text to accompany the image."),
    content: Sequence[tuple[str, str]] = (),
    timestamp: datetime | str | None = datetime(2020, 1, 1, 14, 0, tzinfo=UTC),
    keyword: str | None = None,
    num_messages: int | None = None,
    network_code: str | None = "12345",
    path: str = MESSAGE_INBOUND_PATH,
    signature_secret: str | None = None,
) -> TestRequest:
    """``vonage.message_inbound``: a Messages API inbound message; ``image`` is ``(url, caption)``, ``content``
    the ``(type, url)`` elements of a multi-part MMS's ``content[]``; ``keyword`` and ``num_messages`` go in
    ``sms``. Signed with ``signature_secret`` when given (a Bearer JWT, ``mmsdr.vonage.JwtSignature``)."""
    obj: dict[str, object] = {"channel": channel, "message_uuid": message_id}
    if recipient is not None:
        obj["to"] = recipient
    obj["from"] = sender
    if timestamp is not None:
        obj["timestamp"] = iso_time(timestamp)
    obj["message_type"] = message_type
    if text is not None:
        obj["text"] = text
    if image is not None:
        url, caption = image
        obj["image"] = {"url": url} if caption is None else {"url": url, "caption": caption}
    if content:
        obj["content"] = [{"type": kind, "url": url} for kind, url in content]
    sms: dict[str, str] = {}
    if num_messages is not None:
        sms["num_messages"] = str(num_messages)
    if keyword is not None:
        sms["keyword"] = keyword
    if sms:
        obj["sms"] = sms
    if network_code is not None:
        obj["origin"] = {"network_code": network_code}
    return _json_request(obj, path, signature_secret)


# The Messages API members whose raw text is the string itself; any other member's raw is its JSON text.
_STRINGS = frozenset(
    {
        "message_uuid",
        "to",
        "from",
        "timestamp",
        "status",
        "channel",
        "message_type",
        "text",
        "client_ref",
        "provider_message",
        "context_status",
    }
)


def request_for_event(event: Event) -> TestRequest:
    """The request ``raw`` holds: an SMS API callback as a form POST of its fields (which gives the same event
    as the GET or the JSON it came as), a Messages API one as its JSON object."""
    path = PATHS[event.format]
    if event.format.startswith("vonage.sms_"):
        return sms_request(event.raw.multi_items(), method="POST", path=path)
    obj = {key: json_member(value, string=key in _STRINGS) for key, value in event.raw.multi_items()}
    return _json_request(obj, path)

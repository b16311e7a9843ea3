"""MX Telecom request builders for [`mmsdr.testing`][mmsdr.testing]."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Literal

from .._dates import resolve_zone
from .._events import Event, InboundMessage, Part
from .._testing import (
    TestRequest,
    aware,
    boundary_for,
    get_request,
    multipart_body,
    part_bytes,
    post_request,
    quoted,
    utc_offset_text,
)
from ._common import ZONE
from .reason import ReasonCode

if TYPE_CHECKING:
    from collections.abc import Sequence

#: MX Telecom's zone: the builders' default times are in it, and its formats without an offset are sent in it.
LONDON = resolve_zone(ZONE)


def mx_date(value: datetime | str, *, with_offset: bool) -> str:
    """``yyyy-MM-dd HH:mm:ss``: in London time when the format has no offset, else with the value's own
    offset attached (``+0100``, the form of the vendor's MMS document)."""
    if isinstance(value, str):
        return value
    value = aware(value)
    if with_offset:
        return value.strftime("%Y-%m-%d %H:%M:%S") + utc_offset_text(value)
    return value.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S")


def mxtelecom_sms_report(
    *,
    message_id: str = "17218733",
    status: str = "DELIVERED",
    recipient: str = "447931123456",
    sender: str | None = "913",
    report_id: str | None = "17221293",
    timestamp: datetime | str = datetime(2002, 4, 30, 21, 58, tzinfo=LONDON),
    reason: int | ReasonCode | None = 1359151616,
    note: str | None = None,
    path: str = "/mxtelecom/sms-report",
) -> TestRequest:
    """``mxtelecom.sms_report``: ``GET ?smsfrom=...&smsmsg=REPORT+<id>+<STATUS>&...``; the date in London time."""
    reason_value = reason.value if isinstance(reason, ReasonCode) else reason
    return get_request(
        path,
        [
            ("smsfrom", recipient),
            ("smsmsg", f"REPORT {message_id} {status}"),
            ("smsto", sender),
            ("shortcode", sender),
            ("smsid", report_id),
            ("smsdate", mx_date(timestamp, with_offset=False)),
            ("reason", None if reason_value is None else str(reason_value)),
            ("note", note),
        ],
    )


def mxtelecom_mms_report(
    *,
    report_id: str = "4419283",
    message_id: str = "77110011",
    status: int | str = 3,
    kind: Literal["delivery", "read"] = "delivery",
    recipient: str = "447700900123",
    sender: str = "81111",
    timestamp: datetime | str = datetime(2010, 8, 21, 17, 32, 21, tzinfo=timezone(timedelta(hours=1))),
    user_agent: str | None = None,
    path: str = "/mxtelecom/mms-report",
) -> TestRequest:
    """``mxtelecom.mms_report``: ``type=1`` (delivery) or ``2`` (read); ``to`` is the sender of the reported
    message and ``from`` its recipient, as the vendor names them; the date with its offset (``+0100``)."""
    return get_request(
        path,
        [
            ("id", report_id),
            ("requestid", message_id),
            ("to", sender),
            ("from", recipient),
            ("date", mx_date(timestamp, with_offset=True)),
            ("type", "1" if kind == "delivery" else "2"),
            ("status", str(status)),
            ("useragent", user_agent),
        ],
    )


def mxtelecom_sms_inbound(
    *,
    message_id: str = "17221293",
    sender: str = "447931123456",
    recipient: str = "913",
    text: str | None = "Hello World",
    data: bytes | None = None,
    udh: bytes | None = None,
    timestamp: datetime | str = datetime(2002, 4, 30, 21, 58, tzinfo=LONDON),
    network: str | None = None,
    smsc: str | None = None,
    path: str = "/mxtelecom/sms-inbound",
) -> TestRequest:
    """``mxtelecom.sms_inbound``. ``text`` is sent as ISO-8859-15 (``bits`` left out, i.e. 7) when it fits,
    else as UCS-2 (``bits=16``, ``smsucs2`` hex, ``smsmsg`` a best-effort rendering); ``data`` makes a binary
    SMS (``bits=8``, hex ``smsmsg``)."""
    fields: list[tuple[str, str | bytes | None]] = [("smsfrom", sender)]
    bits = ucs2 = None
    if data is not None:
        fields.append(("smsmsg", data.hex().upper()))
        bits = "8"
    else:
        message = text or ""
        try:
            fields.append(("smsmsg", message.encode("iso-8859-15")))
        except UnicodeEncodeError:
            fields.append(("smsmsg", message.encode("iso-8859-15", errors="replace")))
            bits, ucs2 = "16", message.encode("utf-16-be").hex().upper()
    fields += [
        ("smsto", recipient),
        ("smsid", message_id),
        ("smsdate", mx_date(timestamp, with_offset=False)),
        ("bits", bits),
        ("smsucs2", ucs2),
        ("smsudh", None if udh is None else udh.hex().upper()),
        ("network", network),
        ("smsc", smsc),
    ]
    return get_request(path, fields)


def _zip_name(part: Part, index: int) -> str:
    return part.filename or part.content_id or f"part{index}"


def _manifest_escape(text: str, *, key: bool) -> str:
    # java.util.Properties: a backslash escapes; in keys also the separators and a leading comment mark.
    escaped = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    if key:
        for char in " =:#!":
            escaped = escaped.replace(char, "\\" + char)
    return escaped


def mms_zip(parts: Sequence[Part], /) -> bytes:
    """A zipped MMS as MX Telecom sends it: the files, then a ``manifest`` naming each with its type.

    Each file is named after the part's ``filename``, else its ``content_id``; the manifest keys are those
    names, so the parsed parts have ``content_id == filename`` (and ``charset="utf-8"`` for text parts)."""
    buffer = io.BytesIO()
    manifest: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, part in enumerate(parts):
            name = _zip_name(part, index)
            content_type = part.content_type + (f"; charset={part.charset}" if part.charset else "")
            manifest.append(f"{_manifest_escape(name, key=True)}={_manifest_escape(content_type, key=False)}")
            # A fixed date: the same parts give the same bytes.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2010, 8, 21, 17, 32, 20)), part_bytes(part))
        manifest_info = zipfile.ZipInfo("manifest", date_time=(2010, 8, 21, 17, 32, 20))
        archive.writestr(manifest_info, "".join(line + "\n" for line in manifest).encode("utf-8"))
    return buffer.getvalue()


def _form_data(fields: Sequence[tuple[str, bytes]], zipped: bytes) -> tuple[str, bytes]:
    boundary = boundary_for("----mmsdr", zipped, *(value for _, value in fields))
    parts: list[tuple[Sequence[tuple[str, str]], bytes]] = [
        ([("Content-Disposition", f"form-data; name={quoted(name)}")], value) for name, value in fields
    ]
    parts.append(
        (
            [
                ("Content-Disposition", 'form-data; name="mms.zip"; filename="mms.zip"'),
                ("Content-Type", "application/zip"),
            ],
            zipped,
        )
    )
    return f"multipart/form-data; boundary={boundary}", multipart_body(boundary, parts)


def mxtelecom_mms_inbound(
    *,
    message_id: str = "MX-91a7c2",
    sender: str = "447700900123",
    recipients: Sequence[str] = ("81111",),
    cc: Sequence[str] = (),
    timestamp: datetime | str = datetime(2010, 8, 21, 17, 32, 21, tzinfo=timezone(timedelta(hours=1))),
    subject: str | None = "Holiday",
    network: str | None = None,
    expiry: datetime | str | None = datetime(2010, 8, 24, 17, 32, 21, tzinfo=timezone(timedelta(hours=1))),
    parts: Sequence[Part] | None = None,
    sms_text: str | None = None,
    path: str = "/mxtelecom/mms-inbound",
) -> TestRequest:
    """``mxtelecom.mms_inbound``. Without ``parts``: the GET notification (fetch before ``expiry``); with
    ``parts``: the multipart POST carrying them in ``mms.zip`` (see [`mms_zip`][mmsdr.testing.mms_zip]). ``sms_text``
    makes an SMS sent to the MMS endpoint (``type=6``)."""
    fields: list[tuple[str, str | None]] = [("id", message_id), ("from", sender)]
    fields += [("to", recipient) for recipient in recipients]
    fields += [("cc", copy) for copy in cc]
    fields += [
        ("date", mx_date(timestamp, with_offset=True)),
        ("type", "2" if sms_text is None else "6"),
        ("subject", subject),
        ("network", network),
    ]
    if not parts:
        fields.append(("expiry", None if expiry is None else mx_date(expiry, with_offset=True)))
        fields.append(("message", sms_text))
        return get_request(path, fields)
    form = [(name, value.encode("utf-8")) for name, value in fields if value is not None]
    content_type, body = _form_data(form, mms_zip(parts))
    return post_request(path, content_type, body)


def mxtelecom_unsubscribe(
    *,
    msisdn: str = "447884436692",
    shortcodes: Sequence[str] = ("81111", "82222"),
    source: str = "IVR",
    timestamp: datetime | str = datetime(2005, 8, 29, 19, 12, 45, tzinfo=LONDON),
    path: str = "/mxtelecom/unsubscribe",
) -> TestRequest:
    """``mxtelecom.unsubscribe``: ``msisdn``, one ``shortcode`` each, ``date`` (London time), ``source``."""
    fields: list[tuple[str, str | None]] = [("msisdn", msisdn)]
    fields += [("shortcode", code) for code in shortcodes]
    fields += [("date", mx_date(timestamp, with_offset=False)), ("source", source)]
    return get_request(path, fields)


def mxtelecom_renewal(
    *,
    message_id: str = "17221293",
    msisdn: str = "14155550123",
    shortcode: str = "81111",
    network: str = "ATTUS",
    timestamp: datetime | str = datetime(2011, 3, 1, 10, 0, tzinfo=LONDON),
    mt_username: str | None = "myaccount",
    path: str = "/mxtelecom/renewal",
) -> TestRequest:
    """``mxtelecom.renewal`` (AT&T): ``smsid`` is the original subscription MT's id; the date in London time."""
    return get_request(
        path,
        [
            ("network", network),
            ("shortcode", shortcode),
            ("msisdn", msisdn),
            ("smsid", message_id),
            ("date", mx_date(timestamp, with_offset=False)),
            ("mtusername", mt_username),
        ],
    )


def request_for_event(event: Event) -> TestRequest:
    path = f"/{event.format.replace('.', '/')}"
    fields: list[tuple[str, str | bytes]] = []
    for name, value in event.raw.multi_items():
        if name == "smsmsg" and event.format == "mxtelecom.sms_inbound" and isinstance(event, InboundMessage):
            fields.append((name, _latin9_smsmsg(event, value)))
        else:
            fields.append((name, value.encode("utf-8")))
    # An MMS notified by GET has one part by reference (its zip's URL): only parts by value were POSTed.
    by_value = isinstance(event, InboundMessage) and any(part.data is not None for part in event.parts)
    if event.format == "mxtelecom.mms_inbound" and isinstance(event, InboundMessage) and by_value:
        content_type, body = _form_data(
            [(name, value) for name, value in fields if isinstance(value, bytes)], mms_zip(event.parts)
        )
        return post_request(path, content_type, body)
    return get_request(path, fields)


def _latin9_smsmsg(event: InboundMessage, raw_value: str) -> bytes:
    # bits=7 (and 16 without smsucs2) text is read as ISO-8859-15: send the bytes that read back as both.
    bits = event.raw.get("bits", "7").strip()
    if bits == "8" or (bits == "16" and event.raw.get("smsucs2")) or event.text is None:
        return raw_value.encode("utf-8")
    try:
        return event.text.encode("iso-8859-15")
    except UnicodeEncodeError:
        return raw_value.encode("utf-8")

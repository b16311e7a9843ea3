"""The three MM7 operations a VASP receives: DeliveryReportReq, DeliverReq (MO) and ReadReplyReq.

Element names are TS 23.140's as every peer implementation reads them (Mbuni, instantcom-mm7, mmsgw);
their order and cardinality are not checked, since 3GPP's official XSD files are no longer published.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from .._errors import MmsdrError
from .._events import Callback, DeliveryReport, InboundMessage, Part, RawFields, ReadReport
from .._format import Format, make_dedupe_key
from .._status import mm7_status
from ._envelope import (
    MEDIA_TYPES,
    OPERATOR_HEADERS,
    PROFILE_HEADERS,
    PROVIDER,
    ZONE,
    Address,
    Mm7Reader,
    matcher,
    part_data,
    read_message,
)
from ._responses import acknowledge, reject, retry, with_request
from .details import DeliverDetails, Envelope, ReportDetails

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from .._format import ParseContext
    from .._request import Request
    from .._wire.multipart import BodyPart

__all__ = ("DELIVER", "DELIVERY_REPORT", "FORMATS", "READ_REPLY")

DELIVERY_REPORT = "mm7.delivery_report"
DELIVER = "mm7.deliver"
READ_REPLY = "mm7.read_reply"

# Sinch's MM7 guide: DeliveryReportReq to the DR URL, DeliverReq to the MO URL: SOAP over HTTP is a POST.
_METHODS = frozenset({"POST"})


def _reading(
    format_name: str, operation: str, build: Callable[[Mm7Reader], DeliveryReport | ReadReport | InboundMessage]
) -> Callable[[Request, ParseContext], Callback]:
    """A parse function: read the request as ``operation``, then ``build`` the event from it.

    Any error on the way carries what was read of the request (TransactionID, namespace, version) so that
    ``reject`` echoes it in the fault.
    """

    def parse(request: Request, context: ParseContext) -> Callback:
        reader = Mm7Reader(format_name, context)
        try:
            read_message(request, reader, operation)
            return _callback(build(reader), reader)
        except MmsdrError as error:
            with_request(
                error,
                transaction_id=reader.transaction_id,
                namespace=reader.namespace,
                mm7_version=reader.mm7_version,
            )
            raise

    return parse


def _callback(event: DeliveryReport | ReadReport | InboundMessage, reader: Mm7Reader) -> Callback:
    transaction_id = reader.transaction_id
    mm7_version = reader.mm7_version
    assert transaction_id is not None
    assert mm7_version is not None
    envelope = Envelope(transaction_id=transaction_id, mm7_version=mm7_version, namespace=reader.namespace)
    return Callback(
        provider=PROVIDER, format=event.format, events=(event,), warnings=tuple(reader.warnings), details=envelope
    )


def _transaction_id(reader: Mm7Reader) -> str:
    # Mandatory (3GPP TS 23.140) and the ack must echo it: missing is an error with a fault, never a crash.
    if reader.transaction_id is None:
        raise reader.missing("TransactionID")
    if not reader.transaction_id:
        raise reader.error("TransactionID", "is empty", reader.elements("Header/TransactionID")[0].text or "")
    return reader.transaction_id


def _first_header(headers: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    """The first of ``names`` whose (first) value is not blank, trimmed."""
    for name in names:
        value = headers.get(name)
        if value and (value := value.strip()):
            return value
    return None


def _user_agent(profile: str | None, headers: Mapping[str, str]) -> str | None:
    # UACapabilities "UAProf" attribute (Sinch: "only when provided by mobile operator"), else a profile header.
    return profile or _first_header(headers, PROFILE_HEADERS)


def _recipient(reader: Mm7Reader) -> Address:
    """The one recipient a report is about: ``Recipient``, else the one address of ``Recipients``.

    ``<Recipients><Number>`` (or ``<Recipients><To><Number>``) where TS 23.140 has ``<Recipient>``: a Korean
    operator's live reports and a C MM7 library send it. Without either the report is about nobody: refused.
    """
    recipient = reader.address("Recipient", required=False)
    if recipient is not None:
        return recipient
    found = reader.addresses("Recipients")
    if not found:
        raise reader.missing("Recipient")
    if any(address.value != found[0].value for address in found[1:]):
        values = [address.value for address in found]
        raise reader.error("Recipients", "holds several addresses where a report has one recipient", values)
    reader.warnings.append("element 'Recipient' is missing: the recipient is read from 'Recipients'")
    return found[0]


def _report(
    reader: Mm7Reader, event_type: type[DeliveryReport | ReadReport], *date_paths: str
) -> DeliveryReport | ReadReport:
    """A delivery or read report: ids, status, addresses, date, and the MM7 request's own values."""
    _transaction_id(reader)
    message_id = reader.required_text("MessageID")
    provider_status = reader.required_text("MMStatus")
    recipient = _recipient(reader)
    sender = reader.address("Sender", required=False)
    time = reader.date(*date_paths)
    status_text = reader.text("StatusText") or None
    status_extension = reader.text("MMStatusExtension")
    # A retry repeats the report exactly; whether the MMSC renews its TransactionID is not documented by
    # Sinch, so the key leaves it out. A later report on the same message differs in MMStatus (Forwarded, then
    # Retrieved), its extension or text, or its Date (Vibes: "when the report was generated").
    dedupe_key = make_dedupe_key(
        reader.format,
        message_id,
        recipient.value,
        provider_status,
        status_extension,
        status_text,
        time.key,
    )
    return event_type(
        provider=PROVIDER,
        format=reader.format,
        timestamp=time.timestamp,
        dedupe_key=dedupe_key,
        raw=RawFields.lazy(reader.raw_source()),
        message_id=message_id,
        status=mm7_status(provider_status),
        provider_status=provider_status,
        recipient=recipient.value,
        sender=sender.value if sender is not None else None,
        status_text=status_text,
        details=ReportDetails(
            status_extension=status_extension,
            network=_first_header(reader.headers, OPERATOR_HEADERS),
            user_agent=_user_agent(reader.attribute("UACapabilities", "UAProf"), reader.headers),
        ),
    )


# Sinch sends Date; CMCC-style senders send TimeStamp instead (seen in China Mobile gateway traffic).
_DELIVERY_REPORT_DATES = ("Date", "TimeStamp")
# ReadReplyReq has TimeStamp, not Date (3GPP TS 23.140); Date is read when a sender mixes them up.
_READ_REPLY_DATES = ("TimeStamp", "Date")


def _delivery_report(reader: Mm7Reader) -> DeliveryReport | ReadReport:
    return _report(reader, DeliveryReport, *_DELIVERY_REPORT_DATES)


def _read_reply(reader: Mm7Reader) -> DeliveryReport | ReadReport:
    return _report(reader, ReadReport, *_READ_REPLY_DATES)


def _flatten(part: BodyPart) -> Iterator[Part]:
    """The leaf parts of ``part`` in order: a nested multipart/mixed (Sinch) or related (Nokia) is opened."""
    if part.children or part.media_type.startswith("multipart/"):
        for child in part.children:
            yield from _flatten(child)
        return
    yield Part(
        content_type=part.media_type,
        data=part_data(part),
        content_id=part.content_id,
        # Content-Disposition filename, else the Content-Type "name" (Nokia: "Name=Bomb.gif"), else the location.
        filename=part.filename or part.params.get("name") or part.content_location,
        charset=part.params.get("charset"),
    )


def _content_index(reader: Mm7Reader) -> int | None:
    """Which attachment ``<Content href="...">`` names; None when none is given or none matches."""
    href = reader.attribute("Content", "href")  # "href" or a prefixed "mm7:href" (instantcom-mm7 deliver-req5)
    if not href:
        return None
    reference = href
    if reference[:4].casefold() == "cid:":
        reference = reference[4:].strip()  # "cid: content_15": a space after "cid:" (deliver-req5)
    reference = reference.strip("<>").strip()  # Content-IDs compared with or without <> (Mbuni)
    attachments = reader.attachments
    for match in (
        lambda part: part.content_id == reference,
        lambda part: part.content_id is not None and part.content_id.casefold() == reference.casefold(),
        # Some MMSCs leave out "cid:" or point at a Content-Location (instantcom-mm7: cid, then location).
        lambda part: part.content_location is not None and part.content_location.strip() in {reference, href},
    ):
        for index, part in enumerate(attachments):
            if match(part):
                return index
    return None


def _parts(reader: Mm7Reader) -> tuple[Part, ...]:
    """The MMS content: the attachment ``Content`` names, flattened, then any other attachment.

    The href resolves by Content-ID (with or without ``<>``, ``cid:`` with spaces, a prefixed attribute), then
    by Content-Location; failing that the content is the first part that is not the SOAP envelope ("Broken MMC
    don't set" it, Mbuni; instantcom-mm7's own sample names a part that does not exist). Other attachments
    follow it: Sinch's href names "the first attachment", and nothing the MMSC sent is dropped.
    """
    attachments = reader.attachments
    if not attachments:
        return ()
    index = _content_index(reader)
    if index is not None:
        attachments = (attachments[index], *attachments[:index], *attachments[index + 1 :])
    return tuple(part for attachment in attachments for part in _flatten(attachment))


def _sender(reader: Mm7Reader) -> Address:
    """The MO's sender: ``Sender``, else ``SenderIdentification/SenderAddress`` (a gateway that fills only the
    latter, as SubmitReq has it)."""
    sender = reader.address("Sender", required=False)
    if sender is not None:
        return sender
    sender = reader.address("SenderIdentification/SenderAddress", required=False)
    if sender is None:
        raise reader.missing("Sender")
    reader.warnings.append("element 'Sender' is missing: the sender is read from 'SenderIdentification/SenderAddress'")
    return sender


def _deliver(reader: Mm7Reader) -> InboundMessage:
    transaction_id = _transaction_id(reader)
    sender = _sender(reader)
    # Sinch: TimeStamp is "The date and time of the submission of the MO message", returned "Always"; other
    # MMSCs leave it out (TS 23.140 makes it optional in DeliverReq).
    time = reader.date("TimeStamp")
    parts = _parts(reader)
    texts = [text for part in parts if part.is_text and (text := part.text) is not None]
    subject = reader.text("Subject")
    to = tuple(address.value for address in reader.addresses("Recipients/To"))
    # "LinkedID: Identifier for the MO reader. This is a Sinch generated ID" (always sent by Sinch); other
    # MMSCs may leave it out, and then the TransactionID stands in as the message id.
    linked_id = reader.text("LinkedID") or None
    if linked_id is not None:
        identity: tuple[object, ...] = (linked_id,)
    else:
        # Without a LinkedID, the content itself tells a retry (same bytes) from another MO sent the same second.
        digest = hashlib.sha256()
        for part in parts:
            data = part.data or b""  # every MM7 part is by value
            digest.update(len(data).to_bytes(8, "big") + data)
        identity = ("", ",".join(to), subject, digest.hexdigest())
    return InboundMessage(
        provider=PROVIDER,
        format=reader.format,
        timestamp=time.timestamp,
        dedupe_key=make_dedupe_key(reader.format, *identity, sender.value, time.key),
        raw=RawFields.lazy(reader.raw_source()),
        message_id=linked_id or transaction_id,
        channel="mms",
        sender=sender.value,
        recipients=to,
        cc=tuple(address.value for address in reader.addresses("Recipients/Cc")),
        bcc=tuple(address.value for address in reader.addresses("Recipients/Bcc")),
        subject=subject,
        text="\n".join(texts) if texts else None,
        parts=parts,
        details=DeliverDetails(
            priority=reader.text("Priority") or None,
            linked_id=linked_id,
            network=_first_header(reader.headers, OPERATOR_HEADERS),
        ),
    )


def _format(
    name: str,
    operation: str,
    description: str,
    build: Callable[[Mm7Reader], DeliveryReport | ReadReport | InboundMessage],
) -> Format:
    return Format(
        name=name,
        description=description,
        methods=_METHODS,
        matches=matcher(operation),
        body_media_types=MEDIA_TYPES,
        parse=_reading(name, operation, build),
        acknowledge=acknowledge,
        retry=retry,
        reject=reject,
        details_types=(Envelope, DeliverDetails if name == DELIVER else ReportDetails),
        default_zone=ZONE,
    )


FORMATS = (
    _format(
        DELIVERY_REPORT,
        "DeliveryReportReq",
        "MM7 DeliveryReportReq (SOAP, bare or multipart/related): MessageID, Recipient, MMStatus, Date (POST)",
        _delivery_report,
    ),
    _format(
        DELIVER,
        "DeliverReq",
        "MM7 DeliverReq, an inbound MMS (SOAP with attachments): Sender, Recipients, Subject, Content (POST)",
        _deliver,
    ),
    _format(
        READ_REPLY,
        "ReadReplyReq",
        "MM7 ReadReplyReq (SOAP): MessageID, Recipient, MMStatus Read/Deleted, TimeStamp (POST)",
        _read_reply,
    ),
)

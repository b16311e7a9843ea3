"""What every MX Telecom callback shares: where its fields come from and the acknowledgement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._dates import GRAMMAR_FORM
from .._errors import UnsupportedFormatError
from .._events import Ack
from .._format import Format, Times, retry_later
from .._wire.fields import FieldReader

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._events import Callback, Details
    from .._format import ParseContext
    from .._request import Request

PROVIDER = "mxtelecom"

#: The zone of MX Telecom's times without an offset: "London local time (GMT or BST)" (Receiving SMS messages
#: via HTTP, and the subscription pages: "date ... London time").
ZONE = "Europe/London"

# "The MX Telecom MMS Server will push reports by making an HTTP GET request"; the MMS MO may be a multipart
# POST. A form-urlencoded POST carries the same fields in its body and is accepted too (lenient input).
QUERY_METHODS = frozenset({"GET", "POST"})

# "The customer's server should respond with an HTTP 200 response with a non-empty body."
_OK_BODY = b"OK"
_OK = Ack(
    status=200,
    headers=(("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(_OK_BODY)))),
    body=_OK_BODY,
)


def acknowledge(callback: Callback) -> Ack:  # noqa: ARG001 - one answer fits every MX Telecom callback
    """200, ``text/plain``, body ``OK``: every MX Telecom callback wants "a non-empty body" within 10 s."""
    return _OK


# Anything but a 200 with a non-empty body within 10 s is a failed delivery, which MX Telecom tries again.
retry = retry_later


def fields(
    request: Request,
    context: ParseContext,
    format_name: str,
    extra: tuple[tuple[str, bytes | str], ...] = (),
) -> FieldReader:
    """The callback's fields: the query string, then a form body's fields (``extra``: multipart form fields)."""
    if extra:
        return FieldReader(request.query + request.form + extra, format_name=format_name, context=context)
    index = request.field_index
    return FieldReader(request.query + request.form, format_name=format_name, context=context, index=index)


def first_present(request: Request, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that the request carries as a field, or None."""
    present = request.field_names
    return next((name for name in names if name in present), None)


def refuse_foreign_field(request: Request, format_name: str, names: tuple[str, ...], sent_with: str) -> None:
    """Refuse a request carrying a field that only another callback kind has: it is not this format, whatever
    its other fields say (a handset chooses an SMS's text, never which fields MX Telecom sends with it)."""
    name = first_present(request, names)
    if name is not None:
        msg = f"{format_name}: field {name!r} is only sent with {sent_with}: this request is not this format"
        raise UnsupportedFormatError(msg, provider=PROVIDER, format=format_name, field=name)


def times(context: ParseContext, warnings: list[str]) -> Times:
    """The callback's times: ``yyyy-MM-dd HH:mm:ss``, an optional offset, London time without one."""
    return Times(context, warnings, form=GRAMMAR_FORM)


def mx_format(
    name: str,
    description: str,
    matches: Callable[[Request], bool],
    parse: Callable[[Request, ParseContext], Callback],
    *,
    body_media_types: frozenset[str] = frozenset(),
    details_types: tuple[type[Details], ...] = (),
    required_fields: tuple[str, ...] = (),
) -> Format:
    """An MX Telecom format: query (or form) fields by GET or POST, answered ``OK``."""
    return Format(
        name=name,
        description=description,
        methods=QUERY_METHODS,
        matches=matches,
        body_media_types=body_media_types,
        parse=parse,
        acknowledge=acknowledge,
        retry=retry,
        details_types=details_types,
        required_fields=required_fields,
        default_zone=ZONE,
    )

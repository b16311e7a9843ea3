"""Resource limits: every size the parser accepts from a provider, with safe defaults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ("Limits",)

_KiB = 1024
_MiB = 1024 * _KiB


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """The sizes mmsdr accepts; going over any of them raises [`mmsdr.LimitExceededError`][mmsdr.LimitExceededError]
    (413).

    The defaults follow the threat catalogue in docs/security.md: generous for real
    provider traffic, small enough that one hostile request costs milliseconds. Pass your own to
    [`mmsdr.Parser`][mmsdr.Parser] (``Limits(max_body_bytes=50 * 1024 * 1024)``) or derive one with
    ``Limits().replace(...)``.
    """

    max_body_bytes: int = 20 * _MiB
    """Request body, after any ``Content-Encoding`` is undone."""

    max_header_count: int = 256
    """HTTP request header lines."""

    max_header_bytes: int = 64 * _KiB
    """All HTTP request header names and values together."""

    max_query_bytes: int = 64 * _KiB
    """The query string (and a form-urlencoded body read as one)."""

    max_query_fields: int = 256
    """``name=value`` pairs in the query string; Q1 in the threat catalogue."""

    max_date_chars: int = 64
    """A provider date string; D3 in the threat catalogue (dateutil spends 0.3 s on 100 KB)."""

    max_parts: int = 64
    """Parts in a multipart body, nested ones included; M1."""

    max_part_header_count: int = 16
    """Header lines in one multipart part; M3."""

    max_part_header_bytes: int = 8 * _KiB
    """One header line in a multipart part; M3."""

    max_part_bytes: int = 10 * _MiB
    """One multipart part, before transfer decoding; M2."""

    max_multipart_depth: int = 4
    """Multiparts nested inside multiparts (MM7 sends multipart/mixed inside multipart/related)."""

    max_preamble_bytes: int = 64 * _KiB
    """Text before the first delimiter and after the last one; M4."""

    max_zip_bytes: int = 20 * _MiB
    """A zipped MMS (``mms.zip``) as received."""

    max_zip_entries: int = 256
    """Entries in a zipped MMS, checked before the central directory is read; Z5."""

    max_zip_entry_bytes: int = 10 * _MiB
    """One decompressed zip entry; Z1, Z4."""

    max_zip_total_bytes: int = 50 * _MiB
    """All decompressed zip entries together; Z2, Z3."""

    max_zip_ratio: int = 200
    """Decompressed size over compressed size for one entry; Z1."""

    max_zip_name_chars: int = 255
    """One zip entry name."""

    max_xml_bytes: int = 5 * _MiB
    """One XML document (an MM7 SOAP envelope); depth and text node caps are libxml2's own."""

    max_xml_elements: int = 4096
    """Elements of one MM7 SOAP envelope that the extraction walks (real ones have a few dozen)."""

    max_json_bytes: int = 1 * _MiB
    """One JSON document (an OpenMarket report or MO metadata part)."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if type(value) is not int or value < 1:
                msg = f"Limits.{field.name} must be a positive int, got {value!r}"
                raise ValueError(msg)

    def replace(self, **changes: int) -> Limits:
        """A copy with some limits changed: ``Limits().replace(max_parts=16)``."""
        return dataclasses.replace(self, **changes)

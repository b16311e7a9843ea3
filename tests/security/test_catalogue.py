"""Every row of the threat catalogue (docs/security.md) has a test in this folder.

The row IDs are kept here, not read from the page: a new row in
the catalogue means a new ID here and a test named after it, ``test_<id>_...`` in one of the family modules.
"""

from __future__ import annotations

import importlib
import inspect

ROW_IDS = (
    *(f"X{number}" for number in range(1, 14)),
    *(f"M{number}" for number in range(1, 12)),
    *(f"Z{number}" for number in range(1, 11)),
    "E1",
    "E2",
    "E3",
    "Q1",
    "Q2",
    "D1",
    "D2",
    "D3",
    "C1",
    "F1",
    *(f"A{number}" for number in range(1, 11)),
    *(f"R{number}" for number in range(1, 5)),
    "J1",
    "J2",
    "J3",
)
MODULES = (
    "test_xml_threats",
    "test_multipart_threats",
    "test_zip_threats",
    "test_mime_threats",
    "test_query_date_threats",
    "test_compression_threats",
    "test_field_threats",
    "test_auth_threats",
    "test_media_threats",
    "test_json_threats",
)


def threat_test_names() -> list[str]:
    names: list[str] = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        names += [
            name for name, value in vars(module).items() if name.startswith("test_") and inspect.isfunction(value)
        ]
    return names


def test_the_catalogue_has_61_rows() -> None:
    # X1-X13, M1-M11, Z1-Z10, E1-E3, Q1-Q2, D1-D3, C1, F1, A1-A10, R1-R4, J1-J3.
    assert len(ROW_IDS) == len(set(ROW_IDS)) == 61


def test_every_catalogue_row_has_a_test() -> None:
    names = threat_test_names()
    missing = [row for row in ROW_IDS if not any(name.startswith(f"test_{row.lower()}_") for name in names)]
    assert missing == []


def test_every_threat_test_names_a_catalogue_row() -> None:
    prefixes = tuple(f"test_{row.lower()}_" for row in ROW_IDS)
    assert [name for name in threat_test_names() if not name.startswith(prefixes)] == []

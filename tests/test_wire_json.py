"""The shared JSON reader: one object or an array of objects, refused with a message naming format and field."""

from __future__ import annotations

import pytest

from mmsdr import MalformedRequestError
from mmsdr._wire.json import JsonFields, load_json_array, load_json_object


def test_an_array_of_objects_is_read_in_order() -> None:
    assert load_json_array(b'[{"id": 1}, {"id": "2"}]', max_bytes=100, format_name="acme.report") == [
        {"id": 1},
        {"id": "2"},
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[]", "acme.report: body is an empty array"),
        (b'{"id": 1}', "acme.report: body must be a JSON array, got dict"),
        (b'[{"id": 1}, 2]', "acme.report: body[1] must be a JSON object, got int"),
        (b'[{"id": 1, "id": 2}]', "acme.report: body has the key 'id' more than once"),
    ],
)
def test_what_is_not_an_array_of_objects_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        load_json_array(body, max_bytes=100, format_name="acme.report")
    assert str(caught.value) == message
    assert (caught.value.provider, caught.value.format) == ("acme", "acme.report")


def test_an_object_reader_refuses_an_array() -> None:
    with pytest.raises(MalformedRequestError) as caught:
        load_json_object(b"[{}]", max_bytes=100, format_name="acme.report")
    assert str(caught.value) == "acme.report: body must be a JSON object, got list"


@pytest.mark.parametrize(
    ("body", "expected", "warnings"),
    [
        (b'{"usage": {"price": "0.01"}}', {"price": "0.01"}, []),
        (b"{}", {}, []),
        (b'{"usage": null}', {}, []),
        (b'{"usage": "0.01"}', {}, ["field 'data.usage' is not a JSON object: left out"]),
        (b'{"usage": [1]}', {}, ["field 'data.usage' is not a JSON object: left out"]),
    ],
)
def test_a_secondary_object_never_costs_the_message(body: bytes, expected: dict[str, str], warnings: list[str]) -> None:
    seen: list[str] = []
    fields = JsonFields(load_json_object(body, max_bytes=100, format_name="acme.report"), format_name="acme.report")
    assert (fields.secondary_object("usage", seen, where="data."), seen) == (expected, warnings)

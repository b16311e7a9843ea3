"""The shared JSON reader: one object or an array of objects, refused with a message naming format and field."""

from __future__ import annotations

import pytest

from mmsdr import MalformedRequestError
from mmsdr._wire import json as json_module
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


# --- lone surrogates: every way one can enter a document is looked for; a document without any is not walked ----

SOURCES = [
    pytest.param(b'{"a": "x\\ud800", "b": {"c": "y\\ud800"}}', id="escape"),
    pytest.param(b'{"a": "x\\uDBFF", "b": {"c": "y\\uDbFf"}}', id="upper-case escape"),
    pytest.param('{"a": "x\ud800", "b": {"c": "y\ud800"}}'.encode("utf-8", "surrogatepass"), id="UTF-8 bytes"),
    pytest.param('{"a": "x\ud800", "b": {"c": "y\ud800"}}'.encode("utf-16-le", "surrogatepass"), id="UTF-16"),
]


@pytest.mark.parametrize("body", SOURCES)
def test_a_lone_surrogate_from_any_source_is_found_at_every_level(body: bytes) -> None:
    warnings: list[str] = []
    obj = load_json_object(body, max_bytes=1000, format_name="acme.report")
    top = JsonFields(obj, format_name="acme.report", warnings=warnings)
    inner = JsonFields(top.secondary_object("b", warnings), format_name="acme.report", warnings=warnings)
    assert (top.text("a"), inner.text("c")) == ("x\ufffd", "y\ufffd")
    assert [warning.split(" holds")[0] for warning in warnings] == ["field 'a'", "field 'b'", "field 'c'"]


def walks(monkeypatch: pytest.MonkeyPatch, body: bytes) -> tuple[int, list[str]]:
    """How many nested values JsonFields walked reading every object of ``body``, and its warnings."""
    calls: list[object] = []
    walk = json_module._lone_surrogate_in

    def counted(value: object) -> str | None:
        calls.append(value)
        return walk(value)

    monkeypatch.setattr(json_module, "_lone_surrogate_in", counted)
    warnings: list[str] = []
    pending = [load_json_object(body, max_bytes=100_000, format_name="acme.report")]
    while pending:
        obj = pending.pop()
        JsonFields(obj, format_name="acme.report", warnings=warnings)
        pending.extend(value for value in obj.values() if isinstance(value, dict))
    return len(calls), warnings


def test_a_document_without_a_lone_surrogate_is_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    nested = '{"to": [{"n": "+1555", "s": "délivré"}], "from": {"n": "+1556"}}'
    body = ('{"data": {"payload": ' + nested + ', "id": "é"}, "meta": {"attempt": 1}}').encode()
    assert walks(monkeypatch, body) == (0, [])


def test_an_escaped_backslash_before_ud800_is_looked_through_and_is_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # "\\ud800" in JSON is a backslash and "ud800": text. It only costs the look.
    count, warnings = walks(monkeypatch, b'{"data": {"payload": {"text": "\\\\ud800"}}}')
    assert (count > 0, warnings) == (True, [])

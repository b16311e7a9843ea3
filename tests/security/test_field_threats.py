"""Threat catalogue row F1 (field floods after the parse) against the public parse_request.

A report within the default limits may carry tens of thousands of fields mmsdr does not know: extra JSON keys
(OpenMarket), attributes on one element (MM7). All of them are kept in ``raw``, so everything an event offers -- the first ``raw`` read, ``to_dict()``, ``repr`` --
must cost work proportional to them. The work is counted (Python calls made, fields visited), never timed: at
N and 4N fields it must be about 4 times, not 16.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _threats import Headers, calls_made, mm7_report, mm7_xml, parsed

from mmsdr import Event
from mmsdr.mm7 import _envelope


def openmarket_report_with_keys(keys: int) -> tuple[Headers, bytes]:
    document: dict[str, object] = {
        "type": "REPORT",
        "mtId": "123",
        "date": "2014-07-16T19:20:30+00:00",
        "status": "Delivered",
    }
    document.update({f"{index:x}": index for index in range(keys)})
    return [("Content-Type", "application/json")], json.dumps(document, separators=(",", ":")).encode()


def mm7_report_with_attributes(attributes: int) -> tuple[Headers, bytes]:
    names = " ".join(f'a{index:x}="{index}"' for index in range(attributes))
    return mm7_xml(mm7_report().replace("<MMStatus>", f"<MMStatus {names}>"))


# (the request with N extra fields, whether a raw name is one of them)
SHAPES: dict[str, tuple[Callable[[int], tuple[Headers, bytes]], Callable[[str], bool]]] = {
    "openmarket extra keys": (
        openmarket_report_with_keys,
        lambda name: name not in ("type", "mtId", "date", "status"),
    ),
    "mm7 attributes on one element": (mm7_report_with_attributes, lambda name: name.startswith("MMStatus@a")),
}


def work(event: Event) -> dict[str, int]:
    """The calls made by the first ``raw`` read, then ``to_dict()``, then ``repr``."""
    return {
        "raw": calls_made(event.raw.multi_items),
        "to_dict": calls_made(event.to_dict),
        "repr": calls_made(lambda: repr(event)),
    }


@pytest.mark.parametrize("shape", SHAPES)
def test_f1_raw_to_dict_and_repr_cost_work_proportional_to_the_fields(shape: str) -> None:
    request, is_extra = SHAPES[shape]
    counted = []
    for fields in (20_000, 80_000):
        event = parsed(*request(fields))
        counted.append(work(event))
        assert sum(1 for name, _ in event.raw.multi_items() if is_extra(name)) == fields
        assert event.to_dict()["raw"] == [list(pair) for pair in event.raw.multi_items()]
    small, large = counted
    for name in small:
        assert small[name] > 0
        assert large[name] <= 4.2 * small[name], (name, small[name], large[name])


class ModelAttributes:
    """An element's attributes as libxml2 keeps them: a list, a value looked up by name with a scan from the front.

    Each lookup counts the attributes it passes (lxml 6.1's ``items()`` looks every value up this way: 20,000
    attributes took about 1 s, 80,000 the reported 35 s).
    """

    def __init__(self, count: int, visits: list[int]) -> None:
        self.names = [f"a{index}" for index in range(count)]
        self.values = {name: str(index) for index, name in enumerate(self.names)}
        self.visits = visits

    def __len__(self) -> int:
        return len(self.names)

    def _position(self, name: str) -> int:
        position = self.names.index(name)
        self.visits[0] += position + 1
        return position

    def pop(self, name: str) -> str:
        del self.names[self._position(name)]
        return self.values.pop(name)


class ModelElement:
    """An lxml element stand-in over ``ModelAttributes``: ``keys()`` is one pass, ``items()`` a lookup each."""

    def __init__(self, tag: str, attributes: int, visits: list[int], children: list[ModelElement] | None = None):
        self.tag = tag
        self.text: str | None = "Retrieved" if not children else None
        self.attrib = ModelAttributes(attributes, visits)
        self._children = children or []

    def __iter__(self) -> Iterator[ModelElement]:
        return iter(self._children)

    def __len__(self) -> int:
        return len(self._children)

    def keys(self) -> list[str]:
        self.attrib.visits[0] += len(self.attrib)
        return list(self.attrib.names)

    def items(self) -> list[tuple[str, str]]:
        return [
            (name, self.attrib.values[name]) for name in list(self.attrib.names) if self.attrib._position(name) >= 0
        ]


def test_f1_mm7_raw_visits_each_attribute_once() -> None:
    counted = []
    for attributes in (2_000, 8_000):
        visits = [0]
        root: Any = ModelElement("DeliveryReportReq", 0, visits, [ModelElement("MMStatus", attributes, visits)])
        raw: list[tuple[str, str]] = []
        _envelope._walk(root, "", raw)
        assert raw[0] == ("MMStatus", "Retrieved")
        assert raw[1:] == [(f"MMStatus@a{index}", str(index)) for index in range(attributes)]
        counted.append(visits[0])
    # keys() once, then each attribute taken off the front: two visits each, not a scan each.
    assert counted == [2 * 2_000, 2 * 8_000]

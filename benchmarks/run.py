"""Benchmarks: what mmsdr costs per callback, against the floor and against what a user would write by hand.

Every case times three things on the same input, in the same run, so that the ratios survive a noisy machine
(perf.md: "compare ratios rather than absolute numbers"):

* **mmsdr**: ``mmsdr.parse_request`` plus ``mmsdr.acknowledge``, the whole path an endpoint runs;
* **floor**: the least the format's parsing can cost (for XML, the hardened lxml parse plus one pass over the
  elements wanted, by local name);
* **alt**: the usual hand-written alternative (for XML, ``xmltodict``).

Method (perf.md): timeit-style, each repeat calibrated to about 50 ms, 7 repeats, the best per-op time; the
three are interleaved repeat by repeat so that a slow moment hits all of them. Each result is checked before
anything is timed. ``ratio_floor`` is mmsdr over the floor, ``ratio_alt`` mmsdr over the alternative: lower is
better for both.

    python benchmarks/run.py                 # the table
    python benchmarks/run.py --json out.json # the table, and the numbers as JSON
    python benchmarks/run.py --quick         # a smoke run: short repeats, numbers not to be trusted

Needs ``xmltodict`` (``pip install -e '.[dev]'``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

import mmsdr

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

Headers = list[tuple[str, str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One input of one format, and the three ways to read it."""

    name: str
    mmsdr: Callable[[], object]
    floor: Callable[[], object]
    alt_name: str
    alt: Callable[[], object]
    check: Callable[[], None]
    """Raises AssertionError unless the three read the same values; run before anything is timed."""
    target_floor: float
    """The most ``ratio_floor`` may be (the issue's "Done when")."""
    target_alt: float
    """The most ``ratio_alt`` may be."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    target_seconds: float
    """How long one repeat of one op should take."""
    repeats: int


FULL = Settings(target_seconds=0.050, repeats=7)
QUICK = Settings(target_seconds=0.002, repeats=2)


def read_http(path: Path) -> tuple[Headers, bytes]:
    """A recorded request as ``parse_request`` takes it: the header lines after the request line, and the body."""
    head, separator, body = path.read_bytes().partition(b"\r\n\r\n")
    if not separator:
        msg = f"{path.name}: no blank line after the headers"
        raise ValueError(msg)
    headers: Headers = []
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return headers, body


# --- MM7: Sinch DeliveryReportReq ---------------------------------------------------------------------------------

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
MM7_NAMESPACE = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"

# TransactionID and the eight DeliveryReportReq values perf.md b extracts.
MM7_EXPECTED = {
    "TransactionID": "10000001",
    "MM7Version": "6.8.0",
    "MessageID": "369500617770864640",
    "Recipient": "16175550123",
    "Sender": "111122",
    "Date": "2015-03-16T14:03:51.749Z",
    "MMStatus": "Retrieved",
    "StatusText": "Success",
    "UAProf": "Samsung Galaxy",
}


def mm7_delivery_report() -> Case:
    headers, body = read_http(DATA / "mm7" / "sinch-delivery-report.http")

    def run_mmsdr() -> tuple[mmsdr.Event, mmsdr.Ack]:
        event = mmsdr.parse_request(headers, body, None)
        return event, mmsdr.acknowledge(event)

    # The floor: the hardening perf.md b measured as free, one parser reused, one pass keyed by local name.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )

    def run_floor() -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        for part in etree.fromstring(body, parser):
            name = part.tag.rpartition("}")[2]
            if name == "Header":
                for child in part:
                    if child.tag.rpartition("}")[2] == "TransactionID":
                        values["TransactionID"] = child.text
            elif name == "Body":
                for operation in part:
                    for child in operation:
                        local = child.tag.rpartition("}")[2]
                        values[local] = child[0].text if len(child) else child.text
                        if local == "UACapabilities":
                            values["UAProf"] = child.get("UAProf")
        return values

    # What a user writes by hand: namespaces expanded, then dictionary lookups.
    xmltodict: Any = importlib.import_module("xmltodict")
    envelope_key, header_key, body_key = f"{SOAP}:Envelope", f"{SOAP}:Header", f"{SOAP}:Body"
    mm7 = f"{MM7_NAMESPACE}:"

    def run_alt() -> dict[str, str | None]:
        envelope = xmltodict.parse(body, process_namespaces=True)[envelope_key]
        report = envelope[body_key][f"{mm7}DeliveryReportReq"]
        return {
            "TransactionID": envelope[header_key][f"{mm7}TransactionID"]["#text"],
            "MM7Version": report[f"{mm7}MM7Version"],
            "MessageID": report[f"{mm7}MessageID"],
            "Recipient": report[f"{mm7}Recipient"][f"{mm7}Number"],
            "Sender": report[f"{mm7}Sender"][f"{mm7}Number"],
            "Date": report[f"{mm7}Date"],
            "MMStatus": report[f"{mm7}MMStatus"],
            "StatusText": report[f"{mm7}StatusText"],
            "UAProf": report[f"{mm7}UACapabilities"]["@UAProf"],
        }

    def check() -> None:
        event, ack = run_mmsdr()
        assert isinstance(event, mmsdr.DeliveryReport)
        values = {
            "TransactionID": event.transaction_id,
            "MM7Version": event.mm7_version,
            "MessageID": event.message_id,
            "Recipient": event.recipient,
            "Sender": event.sender,
            "Date": event.raw["Date"],
            "MMStatus": event.provider_status,
            "StatusText": event.status_text,
            "UAProf": event.user_agent,
        }
        assert values == MM7_EXPECTED, values
        assert ack.status == 200
        assert b"<TransactionID" in ack.body
        assert b"<StatusCode>1000</StatusCode>" in ack.body
        floor = run_floor()
        assert {name: floor.get(name) for name in MM7_EXPECTED} == MM7_EXPECTED, floor
        assert run_alt() == MM7_EXPECTED

    return Case(
        name="mm7.delivery_report (Sinch)",
        mmsdr=run_mmsdr,
        floor=run_floor,
        alt_name="xmltodict",
        alt=run_alt,
        check=check,
        target_floor=2.0,
        target_alt=0.5,
    )


#: Every case, in the order printed; each builds its inputs when called.
CASES: list[Callable[[], Case]] = [mm7_delivery_report]


# --- timing -------------------------------------------------------------------------------------------------------


def calibrate(op: Callable[[], object], target_seconds: float) -> int:
    """How many calls of ``op`` take about ``target_seconds``."""
    timer = timeit.Timer(op)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= target_seconds / 10:
            return max(1, round(number * target_seconds / elapsed))
        number *= 10 if elapsed < target_seconds / 1000 else 2


def best_microseconds(ops: list[Callable[[], object]], settings: Settings) -> list[float]:
    """The best µs per call of each op over ``settings.repeats`` repeats, the ops interleaved repeat by repeat."""
    timers = [(timeit.Timer(op), calibrate(op, settings.target_seconds)) for op in ops]
    best = [float("inf")] * len(ops)
    for _ in range(settings.repeats):
        for index, (timer, number) in enumerate(timers):
            best[index] = min(best[index], timer.timeit(number) / number * 1e6)
    return best


def run_case(case: Case, settings: Settings) -> dict[str, object]:
    case.check()
    mmsdr_us, floor_us, alt_us = best_microseconds([case.mmsdr, case.floor, case.alt], settings)
    return {
        "name": case.name,
        "mmsdr_us": round(mmsdr_us, 2),
        "floor_us": round(floor_us, 2),
        "ratio_floor": round(mmsdr_us / floor_us, 2),
        "alt_name": case.alt_name,
        "alt_us": round(alt_us, 2),
        "ratio_alt": round(mmsdr_us / alt_us, 2),
    }


def table(results: list[dict[str, Any]], cases: list[Case]) -> str:
    header = ("case", "mmsdr µs", "floor µs", "mmsdr/floor", "alt", "alt µs", "mmsdr/alt", "alt/mmsdr")
    rows = [header]
    rows.extend(
        (
            result["name"],
            f"{result['mmsdr_us']:.2f}",
            f"{result['floor_us']:.2f}",
            f"{result['ratio_floor']:.2f}",
            result["alt_name"],
            f"{result['alt_us']:.2f}",
            f"{result['ratio_alt']:.2f}",
            f"{result['alt_us'] / result['mmsdr_us']:.2f}",
        )
        for result in results
    )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) if column == 0 else cell.rjust(width) for column, (cell, width) in
                  enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]  # fmt: skip
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append("")
    for result, case in zip(results, cases, strict=True):
        met_floor = "met" if result["ratio_floor"] <= case.target_floor else "NOT met"
        met_alt = "met" if result["ratio_alt"] <= case.target_alt else "NOT met"
        lines.append(
            f"{result['name']}: target mmsdr/floor <= {case.target_floor}: {met_floor}; "
            f"target mmsdr/{result['alt_name']} <= {case.target_alt}: {met_alt}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results to FILE as JSON")
    parser.add_argument("--quick", action="store_true", help="a smoke run: short repeats, numbers not to be trusted")
    options = parser.parse_args(argv)
    settings = QUICK if options.quick else FULL
    started = time.perf_counter()
    cases = [build() for build in CASES]
    results = [run_case(case, settings) for case in cases]
    print(table(results, cases))
    elapsed = time.perf_counter() - started
    print(f"\n{sys.implementation.name} {sys.version.split()[0]}, lxml {etree.__version__}; {elapsed:.1f} s")
    if options.json is not None:
        # "memory" is filled in by the memory benchmark; None until then.
        options.json.write_text(json.dumps({"cases": results, "memory": None}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

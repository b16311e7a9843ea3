"""The benchmark scripts run and write their JSON in the agreed shape; their numbers are not tested (noisy machines)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent

CASE_KEYS = ["name", "mmsdr_us", "floor_us", "ratio_floor", "alt_name", "alt_us", "ratio_alt"]
CASE_NAMES = [
    "mxtelecom.sms_report",
    "mxtelecom.sms_inbound",
    "mm7.delivery_report (Sinch)",
    "openmarket.mms_inbound 100 KB",
    "openmarket.mms_inbound 5 MB",
    "openmarket.mms_report",
    "mxtelecom.mms_inbound POST mms.zip",
    "twilio.status",
    "sinch.delivery_report 1,000 recipients",
    "bandwidth.report 100 events",
    "telnyx.report",
    "vonage.sms_receipt",
]
MEMORY_KEYS = ["name", "body_bytes", "peak_bytes", "ratio"]
MEMORY_NAMES = ["OpenMarket MO MMS", "MX Telecom POST mms.zip", "MM7 DeliverReq"]


def test_quick_run_writes_the_json_shape(tmp_path: Path) -> None:
    pytest.importorskip("xmltodict")  # the hand-written alternative the MM7 case compares with (dev extra)
    output = tmp_path / "bench.json"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for name in CASE_NAMES:
        assert name in completed.stdout
    for name in MEMORY_NAMES:
        assert f"memory, 5 MB {name}: " in completed.stdout
    result = json.loads(output.read_text(encoding="utf-8"))
    assert list(result) == ["cases", "memory"]
    assert [memory["name"] for memory in result["memory"]] == MEMORY_NAMES
    for memory in result["memory"]:
        assert list(memory) == MEMORY_KEYS
        for key in ("body_bytes", "peak_bytes"):
            assert isinstance(memory[key], int)
            assert memory[key] > 0
        assert memory["body_bytes"] > 5_000_000
        assert memory["ratio"] == memory["peak_bytes"] / memory["body_bytes"]
    assert [case["name"] for case in result["cases"]] == CASE_NAMES
    alternatives = {}
    for case in result["cases"]:
        assert list(case) == CASE_KEYS
        assert isinstance(case["name"], str)
        for key in ("mmsdr_us", "floor_us", "ratio_floor"):
            assert isinstance(case[key], float)
            assert case[key] > 0
        # An alternative is all there or all null.
        if case["alt_name"] is None:
            assert case["alt_us"] is None
            assert case["ratio_alt"] is None
        else:
            assert isinstance(case["alt_name"], str)
            for key in ("alt_us", "ratio_alt"):
                assert isinstance(case[key], float)
                assert case[key] > 0
        alternatives[case["name"]] = case["alt_name"]
    assert alternatives["mm7.delivery_report (Sinch)"] == "xmltodict"
    assert alternatives["openmarket.mms_inbound 100 KB"] is not None
    assert alternatives["openmarket.mms_report"] is None


SERVER_CASE_NAMES = [
    "mxtelecom.sms_report",
    "mm7.delivery_report",
    "openmarket.mms_inbound 100 KB",
    "twilio.status",
    "telnyx.report",
]
SERVER_APPS = ["mmsdr", "minimal", "constant"]


def test_server_quick_run_writes_the_json_shape(tmp_path: Path) -> None:
    # The shape of benchmarks/server.py's output, not its numbers: the run starts nine uvicorn workers on
    # 127.0.0.1, checks that each case's three apps answer the same bytes, and sends a few hundred requests to each.
    pytest.importorskip("uvicorn")
    pytest.importorskip("httptools")
    output = tmp_path / "server.json"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "server.py"), "--quick", "--json", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for name in SERVER_CASE_NAMES:
        assert name in completed.stdout
    assert "(a-c)/(b-c)" in completed.stdout
    result = json.loads(output.read_text(encoding="utf-8"))
    assert list(result) == ["cases", "environment"]
    assert [case["name"] for case in result["cases"]] == SERVER_CASE_NAMES
    for case in result["cases"]:
        assert list(case) == ["name", "request_bytes", "requests_per_window", "apps", "figure", "figure_range"]
        assert isinstance(case["request_bytes"], int)
        assert case["request_bytes"] > 0
        assert isinstance(case["requests_per_window"], int)
        assert case["requests_per_window"] > 0
        assert list(case["apps"]) == SERVER_APPS
        for app in case["apps"].values():
            assert list(app) == ["cpu_us", "requests_per_second_per_core", "busy"]
            assert list(app["cpu_us"]) == ["median", "min", "max"]
            assert 0 < app["cpu_us"]["min"] <= app["cpu_us"]["median"] <= app["cpu_us"]["max"]
            assert app["requests_per_second_per_core"] > 0
            assert app["busy"] > 0
        # A ratio of two differences: a float, of any sign on a noisy machine; its range holds per-window figures.
        assert isinstance(case["figure"], float)
        assert len(case["figure_range"]) == 2
        assert case["figure_range"][0] <= case["figure_range"][1]
    sizes = {case["name"]: case["request_bytes"] for case in result["cases"]}
    assert sizes["openmarket.mms_inbound 100 KB"] > 100_000  # the OpenMarket MMS, with its 100 KB image
    environment = result["environment"]
    for key in ("python", "mmsdr", "uvicorn", "httptools", "lxml", "python_multipart"):
        assert isinstance(environment[key], str)
    assert environment["repeats"] >= 1
    assert environment["seconds"] > 0

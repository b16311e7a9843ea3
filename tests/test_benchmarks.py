"""The benchmark script runs and writes its JSON in the agreed shape; its numbers are not tested (noisy machines)."""

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
]


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
    assert "memory, 5 MB OpenMarket MMS" in completed.stdout
    result = json.loads(output.read_text(encoding="utf-8"))
    assert list(result) == ["cases", "memory"]
    assert list(result["memory"]) == ["body_bytes", "peak_bytes"]
    for key in ("body_bytes", "peak_bytes"):
        assert isinstance(result["memory"][key], int)
        assert result["memory"][key] > 0
    assert result["memory"]["body_bytes"] > 5_000_000
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

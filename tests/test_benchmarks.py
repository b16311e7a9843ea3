"""The benchmark script runs and writes its JSON in the agreed shape; its numbers are not tested (noisy machines)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent

CASE_KEYS = ["name", "mmsdr_us", "floor_us", "ratio_floor", "alt_name", "alt_us", "ratio_alt"]


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
    assert "mm7.delivery_report" in completed.stdout
    result = json.loads(output.read_text(encoding="utf-8"))
    assert list(result) == ["cases", "memory"]
    assert result["memory"] is None
    assert [case["name"] for case in result["cases"]] == ["mm7.delivery_report (Sinch)"]
    for case in result["cases"]:
        assert list(case) == CASE_KEYS
        assert isinstance(case["name"], str)
        assert isinstance(case["alt_name"], str)
        for key in ("mmsdr_us", "floor_us", "ratio_floor", "alt_us", "ratio_alt"):
            assert isinstance(case[key], float)
            assert case[key] > 0

"""The on-sale benchmark (issue 13 item 6) at smoke scale: both sales sell out with no error,
no seat sold twice and no fairness inversion."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]
ROOT = Path(__file__).resolve().parents[2]


def test_the_onsale_benchmark_sells_out_fairly_with_and_without_a_room(
    dev_stack: None, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.waitroom", "--buyers", "120", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    for run in (result["with_waiting_room"], result["without"]):
        assert run["errors"] == {} and run["sold_out"] and run["oversold"] == 0, run
        assert run["time_to_sell_out_s"] > 0
    room = result["with_waiting_room"]
    assert room["fairness_inversions"] == 0
    assert room["join"]["ok"] == 120 and room["hold"]["ok"] == 60

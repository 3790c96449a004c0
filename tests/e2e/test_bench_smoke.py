"""The load benchmark end to end at smoke scale: it runs, writes its files, and oversells none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmark_runs_and_oversells_nothing(dev_stack: None, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "run",
            "--quick",
            "--no-write-results",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=290,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((out / "result.json").read_text())
    assert (out / "chart.png").stat().st_size > 10_000
    for scenario in ("noop", "flash", "naive", "mixed", "partner", "partner_half", "kafka"):
        assert "error" not in result[scenario], result[scenario]
    assert result["flash"]["oversells"] == 0
    assert result["flash"]["final_state"]["confirmed_but_not_booked"] == 0
    assert result["flash"]["final_state"]["map_vs_holds_mismatch"] == 0
    assert result["naive"]["oversells"] == 0
    assert result["flash"]["hold"]["ok"] > 0 and result["flash"]["confirm"]["ok"] > 0
    assert result["partner"]["decisions"] > 0 and result["kafka"]["round_trips_per_s"] > 0
    assert result["partner_half"]["decisions"] > 0 and result["partner_half"]["hold_rate"] > 0
    assert result["memory_mib"]["ingress"]["peak_rss"] > 0
    pretix = result["pretix"]["50"]
    for target in ("evently", "naive"):
        assert "error" not in pretix[target], pretix[target]
        assert pretix[target]["oversells"] == 0
        assert pretix[target]["tickets_sold"] > 0
    assert pretix["evently"]["final_state"]["confirmed_but_not_booked"] == 0
    hops = pretix["hops"]["confirm: ConfirmHold sent -> outcome published"]
    assert hops["count"] >= pretix["evently"]["confirm"]["ok"] > 0

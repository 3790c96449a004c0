"""The run's chart (PNG), console table and section of benchmarks/RESULTS.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from benchmarks.targets import checks, markdown, pretix_checks  # noqa: E402

START, END = "<!-- load:start -->", "<!-- load:end -->"
PANELS = (
    ("flash", "hold", "flash sale, Evently: POST hold"),
    ("flash", "confirm", "flash sale, Evently: POST confirm"),
    ("naive", "hold", "flash sale, naive LWT app: POST hold"),
    ("mixed", "hold", "mixed load: POST hold"),
    ("mixed", "seat_map", "mixed load: GET seat map"),
    ("partner", "decision", "partner path: decisions"),
    ("kafka", "round_trip", "raw Kafka round trips"),
)


def chart(result: dict[str, Any], path: Path) -> None:
    """Throughput and latency percentiles over time, one row per scenario and operation."""
    panels = [p for p in PANELS if result.get(p[0], {}).get("timeline", {}).get(p[1])]
    if not panels:
        return
    fig, axes = plt.subplots(len(panels), 2, figsize=(13, 2.6 * len(panels)), squeeze=False)
    for row, (scenario, op, title) in enumerate(panels):
        points = result[scenario]["timeline"][op]
        t = [p["t"] for p in points]
        rate_ax, latency_ax = axes[row]
        rate_ax.plot(t, [p["per_s"] for p in points], color="tab:blue")
        rate_ax.set_title(f"{title}: done per second", fontsize=9)
        rate_ax.set_ylabel("per s")
        for key, colour in (
            ("p50_ms", "tab:green"),
            ("p95_ms", "tab:orange"),
            ("p99_ms", "tab:red"),
        ):
            latency_ax.plot(t, [p[key] for p in points], label=key[:3], color=colour)
        latency_ax.set_yscale("log")
        latency_ax.set_title(f"{title}: latency (ms, log)", fontsize=9)
        latency_ax.legend(fontsize=7, loc="upper right")
    for ax in axes[-1]:
        ax.set_xlabel("seconds into the scenario")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def table(result: dict[str, Any]) -> str:
    """The figures that matter, as plain text for the console."""
    lines = [
        f"{c['what']}: {c['value']}  (target {c['target']}: {c['verdict']})"
        for c in checks(result) + pretix_checks(result)
    ]
    return "\n".join(lines)


def update_results(result: dict[str, Any], out_dir: Path, path: Path) -> None:
    """Replace (or add) our section of RESULTS.md; other sections stay as they are."""
    section = f"{START}\n{markdown(result, out_dir)}\n{END}"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if START in text and END in text:
        text = re.sub(
            re.escape(START) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S
        )
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)

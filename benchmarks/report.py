"""The run's chart (PNG), console table and section of benchmarks/RESULTS.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from benchmarks import pretix_report  # noqa: E402
from benchmarks.targets import checks, markdown  # noqa: E402

START, END = "<!-- load:start -->", "<!-- load:end -->"
LOAD = ("noop", "flash", "naive", "mixed", "partner", "kafka")  # what the load section shows
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
        for c in checks(result) + pretix_report.checks(result)
    ]
    return "\n".join(lines)


def update_results(result: dict[str, Any], out_dir: Path, path: Path) -> None:
    """Replace (or add) the sections of RESULTS.md this run has figures for: the load section,
    the pretix-shaped sale's; other sections stay as they are."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if any(name in result for name in LOAD):
        text = _replaced(text, START, END, markdown(result, out_dir))
    if result.get("pretix"):
        text = _replaced(
            text, pretix_report.START, pretix_report.END, pretix_report.markdown(result, out_dir)
        )
    path.write_text(text)


def _replaced(text: str, start: str, end: str, body: str) -> str:
    section = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        return re.sub(
            re.escape(start) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S
        )
    return text.rstrip() + "\n\n" + section + "\n"

"""The pretix-shaped sale's targets (issue 12) and its section of benchmarks/RESULTS.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.targets import COMMAND, _cpu, _latency, _ratio, _row, _verdict

START, END = "<!-- pretix:start -->", "<!-- pretix:end -->"


def checks(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 12's targets for the pretix-shaped sale, for each client count run."""
    found: list[dict[str, Any]] = []
    for clients, run in (result.get("pretix") or {}).items():
        f = run.get("evently") or {}
        sold_out, hold, confirm = f.get("time_to_sell_out_s"), f.get("hold"), f.get("confirm")
        ratio = f.get("vs_pretix")
        found += [
            {
                "what": f"pretix-shaped sale, {clients} clients: time to sell out",
                "value": f"{sold_out} s" if sold_out else "not sold out",
                "target": "< 30 s",
                "verdict": _verdict(bool(sold_out and sold_out < 30) if f else None),
            },
            {
                "what": f"pretix-shaped sale, {clients} clients: tickets/s vs pretix (32.6/s)",
                "value": f"{ratio}x" if ratio is not None else "n/a",
                "target": ">= 10x",
                "verdict": _verdict(ratio >= 10 if ratio is not None else None),
            },
            {
                "what": f"pretix-shaped sale, {clients} clients: hold p99",
                "value": f"{hold['p99_ms']} ms" if hold and hold.get("count") else "n/a",
                "target": "< 1000 ms",
                "verdict": _verdict(hold["p99_ms"] < 1000 if hold and hold.get("count") else None),
            },
            {
                "what": f"pretix-shaped sale, {clients} clients: confirm p50",
                "value": f"{confirm['p50_ms']} ms" if confirm and confirm.get("count") else "n/a",
                "target": "< 200 ms",
                "verdict": _verdict(
                    confirm["p50_ms"] < 200 if confirm and confirm.get("count") else None
                ),
            },
            {
                "what": f"pretix-shaped sale, {clients} clients: oversells (final state)",
                "value": f.get("oversells", f.get("error")),
                "target": "0",
                "verdict": _verdict(f.get("oversells") == 0 if f else None),
            },
        ]
    return found


def _pretix_rows(result: dict[str, Any]) -> list[str]:
    runs = result.get("pretix") or {}
    if not runs:
        return []
    head = [f"{c} clients: {t}" for c in runs for t in ("Evently", "naive")]
    lines = [_row("measure", *head), _row(*["---"] * (len(head) + 1))]
    figures = [run.get(t) or {} for run in runs.values() for t in ("evently", "naive")]
    for label, key in (
        ("time to sell out (s, last confirm)", "time_to_sell_out_s"),
        ("tickets sold", "tickets_sold"),
        ("tickets /s", "tickets_per_s"),
        ("ratio to pretix (32.6 tickets/s)", "vs_pretix"),
        ("oversells (final state)", "oversells"),
    ):
        lines.append(_row(label, *(f.get(key, f.get("error")) for f in figures)))
    evently, naive = figures[0::2], figures[1::2]
    ratios = [
        _ratio(e.get("tickets_per_s"), n.get("tickets_per_s"))
        for e, n in zip(evently, naive, strict=True)
    ]
    ratio_cells = (x for r in ratios for x in ("n/a" if r is None else f"{r}x", ""))
    lines.append(_row("tickets /s, Evently / naive", *ratio_cells))
    for op in ("hold", "confirm"):
        lines.append(_row(f"{op} p50 / p95 / p99 (ms)", *(_latency(f.get(op)) for f in figures)))
        lines.append(_row(f"{op} outcomes", *((f.get(op) or {}).get("outcomes") for f in figures)))
    for label, proc in (("ingress", "ingress"), ("worker", "worker"), ("cassandra", "cassandra")):
        lines.append(_row(f"{label} CPU ms per request", *(_cpu(f, proc) for f in figures)))
    return lines


def _hop_rows(result: dict[str, Any]) -> list[str]:
    runs = result.get("pretix") or {}
    found = {
        c: run["hops"] for c, run in runs.items() if "error" not in run.get("hops", {"error": 1})
    }
    if not found:
        return []
    lines = [_row("hop (Evently)", *(f"{c} clients: p50 / p99 ms (count)" for c in found))]
    lines.append(_row(*["---"] * (len(found) + 1)))
    for hop in next(iter(found.values())):
        cells = (
            f"{h[hop]['p50_ms']} / {h[hop]['p99_ms']} ({h[hop]['count']})" for h in found.values()
        )
        lines.append(_row(hop, *cells))
    return lines


def markdown(result: dict[str, Any], out_dir: Path) -> str:
    """The section: the run, the command, the targets, the figures and the hops."""
    m, scale = result["machine"], result["scale"]
    clients = " ".join(f"--pretix-clients {c}" for c in scale["pretix_clients"])
    skips = "--skip noop --skip flash --skip mixed --skip partner --skip kafka"
    return "\n".join(
        [
            "## Pretix-shaped flash sale (issue 12)",
            "",
            f"Run {result['started_at']} ({result['seconds']} s in all) on {m['cpu']}, "
            f"{m['cores']} cores; load average at the end {m['load_average']} (the box is "
            f"shared). {scale['seats_rows'] * scale['seats_per_row']:,} seats of one type; "
            "each client loops: hold 1-4 best available, confirm with tok_ok, one fewer seat "
            "after a refusal, until a single seat is refused (closed loop, stopping after "
            f"{scale['pretix_seconds']:.0f} s per target). pretix 2026.8.0 (PostgreSQL, Redis, "
            "4 gunicorn workers) sold 10,000 tickets at 32.6 tickets/s on this box.",
            "",
            f"Reproduce: `{COMMAND} {skips} {clients}` (raw figures in "
            f"`benchmarks/results/{out_dir.name}/`, not committed).",
            "",
            _row("target", "measured", "wanted", "verdict"),
            _row("---", "---", "---", "---"),
            *(_row(c["what"], c["value"], c["target"], c["verdict"]) for c in checks(result)),
            "",
            *_pretix_rows(result),
            "",
            "Where a confirm's time goes, from the producer timestamps of the run's own records "
            "(`benchmarks/hops.py`):",
            "",
            *_hop_rows(result),
        ]
    )

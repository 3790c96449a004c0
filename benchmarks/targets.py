"""The issue's targets checked against a run, and the run as a RESULTS.md section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COMMAND = ".venv/bin/python -m benchmarks run"
PROCESSES = ("ingress", "worker-1", "worker-2", "naive", "relay-1", "relay-2", "kafka", "cassandra")


def _get(result: dict[str, Any], *path: str) -> Any:
    value: Any = result
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "met" if ok else "NOT met"


def checks(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target: what, the measured value, the target and whether it is met."""
    sell_out = _get(result, "flash", "time_to_sell_out_s")
    oversells = [_get(result, s, "oversells") for s in ("flash", "naive")]
    hold_ratio = _ratio(_get(result, "flash", "holds_per_s"), _get(result, "naive", "holds_per_s"))
    p99 = _get(result, "flash", "hold", "p99_ms"), _get(result, "naive", "hold", "p99_ms")
    kafka_ratio = _ratio(
        _get(result, "partner", "decisions_per_s"), _get(result, "kafka", "round_trips_per_s")
    )
    half_p99 = _get(result, "partner_half", "latency", "p99_ms")
    flash_done = _get(result, "flash", "attempts") is not None
    return [
        {
            "what": "flash sale: time to sell out",
            "value": f"{sell_out} s" if sell_out is not None else "not sold out",
            "target": "< 30 s",
            "verdict": _verdict(sell_out < 30 if sell_out is not None else flash_done and False),
        },
        {
            "what": "oversells (Evently / naive), from the final state",
            "value": f"{oversells[0]} / {oversells[1]}",
            "target": "0",
            "verdict": _verdict(oversells[0] == 0 if oversells[0] is not None else None),
        },
        {
            "what": "HTTP hold throughput, Evently / naive LWT app",
            "value": f"{hold_ratio}x" if hold_ratio is not None else "n/a",
            "target": ">= 3x",
            "verdict": _verdict(hold_ratio >= 3 if hold_ratio is not None else None),
        },
        {
            "what": "hold p99, Evently vs naive",
            "value": f"{p99[0]} ms vs {p99[1]} ms",
            "target": "no worse",
            "verdict": _verdict(p99[0] <= p99[1] if None not in p99 else None),
        },
        {
            "what": "partner decisions/s vs raw Kafka round trips/s",
            "value": f"{kafka_ratio}x" if kafka_ratio is not None else "n/a",
            "target": ">= 0.5x",
            "verdict": _verdict(kafka_ratio >= 0.5 if kafka_ratio is not None else None),
        },
        {
            "what": "partner p99, command to outcome, at half the rate reached",
            "value": f"{half_p99} ms" if half_p99 is not None else "n/a",
            "target": "< 250 ms",
            "verdict": _verdict(half_p99 < 250 if half_p99 is not None else None),
        },
    ]


def _row(*cells: Any) -> str:
    return "| " + " | ".join("" if c is None else str(c) for c in cells) + " |"


def _latency(summary: dict[str, Any] | None) -> str:
    if not summary or not summary.get("count"):
        return "n/a"
    return f"{summary['p50_ms']} / {summary['p95_ms']} / {summary['p99_ms']}"


def _flash_rows(result: dict[str, Any]) -> list[str]:
    f, n = result.get("flash") or {}, result.get("naive") or {}
    lines = [
        _row("measure", "Evently (Kafka + workers)", "naive (LWT per seat)"),
        _row("---", "---", "---"),
    ]
    items = (
        ("hold attempts", "attempts"),
        ("time to sell out (s)", "time_to_sell_out_s"),
        ("hold attempts decided /s", "holds_per_s"),
        ("successful holds /s until sold out", "successful_holds_per_s_until_sold_out"),
        ("oversells (final state)", "oversells"),
        ("seats left unsold (held by abandoned or declined holds)", "seats_left_unsold"),
        ("load generator CPU (cores)", "generator_cores"),
    )
    for label, key in items:
        lines.append(_row(label, f.get(key, f.get("error")), n.get(key, n.get("error"))))
    for label, proc in (
        ("ingress (naive: its app) CPU ms per request", "ingress"),
        ("seat worker CPU ms per request (both)", "worker"),
        ("Cassandra CPU ms per request (shared box)", "cassandra"),
        ("Kafka CPU ms per request (shared box)", "kafka"),
    ):
        lines.append(_row(label, _cpu(f, proc), _cpu(n, "naive" if proc == "ingress" else proc)))
    for op in ("hold", "confirm"):
        lines.append(_row(f"{op} p50 / p95 / p99 (ms)", _latency(f.get(op)), _latency(n.get(op))))
        lines.append(
            _row(
                f"{op} outcomes",
                (f.get(op) or {}).get("outcomes"),
                (n.get(op) or {}).get("outcomes"),
            )
        )
    return lines


def _cpu(figures: dict[str, Any], process: str) -> float | None:
    per = figures.get("cpu_ms_per_request") or {}
    found = [v for k, v in per.items() if k.startswith(process)]
    return round(sum(found), 2) if found else None


def _cpu_rows(result: dict[str, Any]) -> list[str]:
    scenarios = [
        s for s in ("flash", "naive", "mixed", "partner", "kafka") if _get(result, s, "cores")
    ]
    lines = [
        _row("scenario", *PROCESSES, "generator", "whole box"),
        _row(*["---"] * (len(PROCESSES) + 3)),
    ]
    for s in scenarios:
        cores = result[s]["cores"]
        lines.append(
            _row(
                s,
                *(cores.get(p) for p in PROCESSES),
                result[s].get("generator_cores"),
                cores.get("box"),
            )
        )
    return lines


def markdown(result: dict[str, Any], out_dir: Path) -> str:
    """Our section of RESULTS.md: the latest figures, the machine and the command."""
    m = result["machine"]
    quick = ", --quick" if result.get("quick") else ""
    scale = result["scale"]
    lines = [
        "## Load: flash sale, mixed load, partner path, baselines (`python -m benchmarks run`)",
        "",
        f"Run {result['started_at']} ({result['seconds']} s in all{quick}) on "
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; load average at the end "
        f"{m['load_average']} (Kafka, Cassandra, the system under test and the load "
        "generator share the cores). "
        "Kafka 4 and Cassandra 5 are local single-node JVMs; "
        f"{result['workers']} seat workers, one ingress.",
        "",
        f"Reproduce: `{COMMAND}`"
        + (" --quick" if result.get("quick") else "")
        + " (7-10 minutes here; `--quick`: "
        "about a minute). Raw figures and the chart are written to "
        f"`benchmarks/results/{out_dir.name}/` (not committed).",
        "",
        f"Flash sale: one event of {scale['seats_rows'] * scale['seats_per_row']:,} seats, "
        f"{scale['buyers']:,} concurrent buyers, up to {scale['attempts']:,} hold attempts "
        f"(stopping after {scale['flash_seconds']:.0f} s per target) "
        "(half chosen seats, half "
        "best available, 1-4 seats), 80% of successful holds confirmed, 5% of payments declined; "
        + (
            f"open loop at {scale['rate']}/s."
            if scale["rate"]
            else "closed loop (each buyer waits for its answer)."
        ),
        "",
        "### Targets",
        "",
        _row("target", "measured", "wanted", "verdict"),
        _row("---", "---", "---", "---"),
        *(_row(c["what"], c["value"], c["target"], c["verdict"]) for c in checks(result)),
        "",
        "### Flash sale",
        "",
        *_flash_rows(result),
    ]
    noop = result.get("noop") or {}
    if noop.get("count"):
        lines += [
            "",
            f"Load generator ceiling: GET /health (no work) with {scale['buyers']:,} connections: "
            f"{noop['per_s']} req/s, p50 {noop['p50_ms']} ms, p99 {noop['p99_ms']} ms, "
            f"the generator using {noop['generator_cores']} cores.",
        ]
    mixed = result.get("mixed") or {}
    if mixed.get("ops"):
        lines += [
            "",
            f"### Mixed load: {mixed['events']} events, {mixed['rate_per_s']} requests/s "
            f"(open loop), {mixed['seconds']} s",
            "",
            _row("operation", "count", "per s", "p50 / p95 / p99 (ms)", "outcomes"),
            _row("---", "---", "---", "---", "---"),
        ]
        for op, s in mixed["ops"].items():
            if s.get("count"):
                lines.append(_row(op, s["count"], s["per_s"], _latency(s), s["outcomes"]))
    partner, kafka = result.get("partner") or {}, result.get("kafka") or {}
    half = result.get("partner_half") or {}
    if partner.get("decisions") or kafka.get("messages"):
        lines += [
            "",
            "### Partner path (Kafka) and the raw Kafka limit",
            "",
            _row("path", "per s", "p50 / p95 / p99 (ms)", "in flight"),
            _row("---", "---", "---", "---"),
            _row(
                "partner: commands in, outcomes out (decisions)",
                partner.get("decisions_per_s"),
                _latency(partner.get("latency")),
                partner.get("window"),
            ),
            _row(
                f"partner, paced at {half.get('hold_rate') or 0:.0f} holds/s (half)",
                half.get("decisions_per_s"),
                _latency(half.get("latency")),
                "open loop",
            ),
            _row(
                f"raw aiokafka round trip via {kafka.get('relays')} relay process(es)",
                kafka.get("round_trips_per_s"),
                _latency(kafka.get("latency")),
                kafka.get("window"),
            ),
        ]
    lines += ["", "### CPU (cores busy on average during each scenario)", "", *_cpu_rows(result)]
    memory = result.get("memory_mib") or {}
    lines += [
        "",
        "### Memory (MiB)",
        "",
        _row("process", "peak RSS", "RSS at the end"),
        _row("---", "---", "---"),
        *(_row(name, v["peak_rss"], v["rss"]) for name, v in memory.items()),
        "",
        "What limits these figures and what to do next: `docs/performance.md`.",
    ]
    return "\n".join(lines)

"""Query parameters to index queries (as the route builds them), and the RESULTS.md section."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from search.listing import epoch_ms
from search.query import Query
from search.text import normalize

START, END = "<!-- search:start -->", "<!-- search:end -->"


def to_query(params: dict[str, Any]) -> Query:
    """The index query GET /events builds from `params` (no cursor)."""

    def day(key: str, at: time) -> int | None:
        value = params.get(key)
        return epoch_ms(datetime.combine(date.fromisoformat(value), at, UTC)) if value else None

    tags = params.get("tag") or []
    return Query(
        q=params.get("q", ""),
        date_from=day("date_from", time.min),
        date_to=day("date_to", time(23, 59, 59, 999000)),
        min_price=params.get("min_price"),
        max_price=params.get("max_price"),
        artist=normalize(params["artist"]) if "artist" in params else None,
        tags=tuple(sorted({normalize(t) for t in tags})),
        tag_mode=params.get("tag_mode", "any"),
        city=normalize(params["city"]) if "city" in params else None,
        venue_id=params.get("venue_id"),
        available=True if params.get("available") == "true" else None,
        sort=params["sort"],
        limit=params.get("limit", 20),
    )


def write_report(path: Path, r: dict[str, Any], json_path: Path) -> None:
    """Replace (or add) the search section of RESULTS.md."""
    h, local = r["http"], r["in_process"]
    section = f"""{START}
## Discovery search (`python -m benchmarks.search`)

{r["at"]}: {r["events"]:,} generated events, {h["requests"]:,} GET /events requests
({r["queries"]:,} mixed filter-and-search queries, a third followed to their next page),
{r["concurrency"]} in flight, one ingress and one worker on this 2-core machine.
Raw figures: `{json_path}`.

| measure | value | target |
|---|---|---|
| HTTP p50 / p90 / p99 | {h["p50_ms"]} / {h["p90_ms"]} / {h["p99_ms"]} ms | p99 < 50 ms |
| HTTP throughput | {h["throughput_rps"]} req/s | |
| index memory (tracemalloc) | {local["index_memory_mb"]} MB | < 500 MB |
| ingress RSS after loading | {r["ingress_rss_mb"]} MB | |
| index alone p50 / p99 | {local["index"]["p50_ms"]} / {local["index"]["p99_ms"]} ms | |
| naive full scan p50 (baseline) | {local["naive_scan"]["p50_ms"]} ms | |
| speed-up over the scan (p50) | {local["speedup_p50"]}x | |
| index build / ingress start with load | {local["index_build_s"]} s / {r["ingress_start_s"]} s | |
| bulk load into Cassandra | {r["bulk_load_s"]} s | |
| statuses | {h["statuses"]} | all 200 |
{END}"""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if START in text:
        head, _, rest = text.partition(START)
        text = head + section + rest.partition(END)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)

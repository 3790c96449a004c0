"""`python -m benchmarks.search`: bulk-load events into an isolated keyspace, start an ingress
and a worker, fire mixed discovery queries over HTTP, and compare with a naive full scan."""

from __future__ import annotations

import asyncio
import random
import secrets
import time
import uuid
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import httpx
import orjson
import typer
from cassandra.concurrent import execute_concurrent
from cassandra.query import BatchStatement, BatchType
from rich.console import Console
from rich.progress import Progress

import tables.events
import tables.venues
from benchmarks.search import data, queries
from benchmarks.search.measure import percentiles, rss_bytes, summary, timed, traced
from benchmarks.search.report import to_query, write_report
from devstack import stack
from infra.bootstrap import bootstrap
from infra.cassandra import connect
from infra.settings import Settings
from search.index import SearchIndex
from search.listing import Listing
from search.scan import scan
from system.launch import start_system

ROOT = Path(__file__).resolve().parents[2]
console = Console()
app = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)


def isolated(port: int) -> Settings:
    run = uuid.uuid4().hex[:8]
    return Settings(
        cassandra_keyspace=f"evently_bench{run}",
        topic_prefix=f"bench{run}.",
        worker_group_id=f"bench-{run}",
        http_port=port,
        admin_token=f"adm_{secrets.token_urlsafe(16)}",
        log_level="WARNING",
    )


def bulk_load(settings: Settings, venues: list[data.Venue], rows: list[dict[str, Any]]) -> None:
    """Events and venue seats straight into Cassandra: unlogged batches, many in flight."""
    session = connect(settings, timeout=60.0)
    try:
        seat = session.prepare(tables.venues.INSERT_SEAT)
        event = session.prepare(tables.events.INSERT)
        seats = [(v.venue_id, f"A-{n}", "A", n, "Regular") for v in venues for n in range(v.seats)]
        venue = session.prepare(tables.venues.INSERT)
        now = datetime.now(UTC)
        values: list[tuple[Any, tuple[Any, ...]]] = [
            (venue, (v.venue_id, "bench", v.name, v.city, None, ["Regular"], now)) for v in venues
        ]
        values += [(event, tuple(r.get(c) for c in tables.events.COLUMNS)) for r in rows]
        values += [(seat, s) for s in seats]
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("inserting events and seats", total=len(values))
            for i in range(0, len(values), 5000):
                chunk = values[i : i + 5000]
                batches = []
                for j in range(0, len(chunk), 25):
                    batch = BatchStatement(BatchType.UNLOGGED)
                    for statement, params in chunk[j : j + 25]:
                        batch.add(statement, params)
                    batches.append((batch, None))
                execute_concurrent(session, batches, concurrency=32)
                progress.advance(task, len(chunk))
    finally:
        session.cluster.shutdown()


def drop_keyspace(settings: Settings) -> None:
    """Our own keyspace only (its name is unique to this run)."""
    session = connect(settings, keyspace=False, timeout=60.0)
    try:
        session.execute(f"DROP KEYSPACE IF EXISTS {settings.cassandra_keyspace}", timeout=120.0)
    finally:
        session.cluster.shutdown()


async def fire(base_url: str, mix: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
    """Every query once over HTTP (a third follow their next_cursor); latencies and statuses."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0, limits=limits) as http:

        async def one(params: dict[str, Any], follow: bool) -> None:
            async with gate:
                started = time.perf_counter()
                response = await http.get("/events", params=params)
                latencies.append((time.perf_counter() - started) * 1000)
            code = str(response.status_code)
            statuses[code] = statuses.get(code, 0) + 1
            cursor = response.json().get("next_cursor") if response.status_code == 200 else None
            if follow and cursor:
                await one(params | {"cursor": cursor}, False)

        for params in mix[:50]:  # warm up connections and caches
            await http.get("/events", params=params)
        started = time.perf_counter()
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("querying", total=len(mix))

            async def tracked(i: int, params: dict[str, Any]) -> None:
                await one(params, i % 3 == 0)
                progress.advance(task)

            await asyncio.gather(*(tracked(i, p) for i, p in enumerate(mix)))
        wall = time.perf_counter() - started
    return percentiles(latencies) | {
        "requests": len(latencies),
        "throughput_rps": round(len(latencies) / wall, 1),
        "statuses": statuses,
    }


def in_process(listings: list[Listing], mix: list[dict[str, Any]], baseline: int) -> dict[str, Any]:
    """The index alone (memory, build time, latency) against the naive scan on the same data."""
    index, memory = traced(lambda: _built(listings))
    _, build_ms = timed(lambda: _built(listings))
    searches = [to_query(p) for p in mix]
    index_ms = [timed(partial(index.search, s))[1] for s in searches]
    scan_ms = [timed(partial(scan, s, listings, index.seats_left))[1] for s in searches[:baseline]]
    same = index_ms[:baseline]
    return {
        "index_memory_mb": round(memory / 2**20, 1),
        "index_build_s": round(build_ms / 1000, 2),
        "index": percentiles(index_ms),
        "naive_scan": percentiles(scan_ms),
        "speedup_p50": round(percentiles(scan_ms)["p50_ms"] / percentiles(same)["p50_ms"], 1),
    }


def _built(listings: list[Listing]) -> SearchIndex:
    index = SearchIndex()
    index.extend(listings)
    return index


@app.command()
def main(
    events: Annotated[int, typer.Option(help="events to generate")] = 100_000,
    n_queries: Annotated[int, typer.Option("--queries", help="HTTP queries")] = 1000,
    concurrency: Annotated[int, typer.Option(help="requests in flight")] = 4,
    baseline: Annotated[int, typer.Option(help="queries the naive scan answers")] = 30,
    seed: int = 1,
    port: int = 18_700,
) -> None:
    rng = random.Random(seed)
    settings = isolated(port)
    venues = data.venues(rng)
    rows = data.events(rng, venues, events)
    capacity = {v.venue_id: v.seats for v in venues}
    mix = queries.mix(rng, rows, [v.venue_id for v in venues], n_queries)
    stack.ensure_up()  # starts the shared stack only if it does not answer; never stops it
    system = None
    try:
        bootstrap(settings)
        _, load_ms = timed(lambda: bulk_load(settings, venues, rows))
        console.print(
            f"loaded {events} events into {settings.cassandra_keyspace} in {load_ms / 1000:.1f}s"
        )
        log_dir = ROOT / "artifacts" / "bench-search"
        system, start_ms = timed(
            lambda: start_system(settings, log_dir, workers=1, analytics=False)
        )
        rss = rss_bytes(system.processes["ingress"].pid)
        console.print(
            f"ingress ready (index loaded) in {start_ms / 1000:.1f}s, RSS {rss / 2**20:.0f} MB"
        )
        http = asyncio.run(fire(system.base_url, mix, concurrency))
        console.print(f"HTTP: {summary(http)}")
    finally:  # a failed load or start leaves nothing behind either
        if system is not None:
            system.stop()
        drop_keyspace(settings)
    listings = [Listing.of(r, capacity[r["venue_id"]]) for r in rows]
    local = in_process(listings, mix, baseline)
    console.print(f"in process: {summary(local)}")
    result = {
        "benchmark": "search",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "events": events,
        "queries": n_queries,
        "concurrency": concurrency,
        "seed": seed,
        "bulk_load_s": round(load_ms / 1000, 1),
        "ingress_start_s": round(start_ms / 1000, 1),
        "ingress_rss_mb": round(rss / 2**20, 1),
        "http": http,
        "in_process": local,
    }
    out = ROOT / "benchmarks" / "results" / f"search-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    write_report(ROOT / "benchmarks" / "RESULTS.md", result, out.relative_to(ROOT))
    console.print(f"[green]wrote {out}[/]")


if __name__ == "__main__":
    app()

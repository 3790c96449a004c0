"""`python -m benchmarks.reads`: the ingress's CPU per read (GET /events/{id}/seats and
/events/{id}) and read latency, reads only, closed loop: a figure that stays comparable on a
shared box, where the mixed load's rates do not (docs/performance.md)."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from benchmarks import seed
from benchmarks.deploy import deployment
from benchmarks.http import call, session
from benchmarks.procs import cpu_seconds
from benchmarks.stats import Recorder

RESULTS = Path(__file__).resolve().parent / "results"


async def measure(
    base_url: str, admin: dict[str, str], pids: dict[str, int], scale: tuple[int, int, int]
) -> dict[str, Any]:
    """Make `events` events of 200 seats, read each once, then `reads` GETs from `clients`."""
    events, reads, clients = scale
    async with session(base_url, clients) as http:
        venue = await seed.make_venue(http, admin, 10, 20, 2)
        ids = [
            (await seed.make_event(http, admin, venue, f"Night {i}")).event_id
            for i in range(events)
        ]
        rng, recorder = random.Random(7), Recorder()

        async def client(count: int) -> None:
            for _ in range(count):
                event_id = rng.choice(ids)
                op = rng.choice(("seat_map", "event"))
                path = f"/events/{event_id}/seats" if op == "seat_map" else f"/events/{event_id}"
                began = time.perf_counter()
                status, _ = await call(http, "GET", path)
                recorder.add(op, began, str(status))

        await client(events)  # a first read of each event (loads the read model)
        recorder = Recorder()
        cpu = {name: cpu_seconds(pid) or 0.0 for name, pid in pids.items()}
        started = time.perf_counter()
        await asyncio.gather(*(client(reads // clients) for _ in range(clients)))
        wall = time.perf_counter() - started
    used = {name: (cpu_seconds(pid) or 0.0) - cpu[name] for name, pid in pids.items()}
    count = len(recorder.samples)
    ingress = sum(v for name, v in used.items() if name.startswith("ingress"))
    return {
        "reads": count,
        "reads_per_s": round(count / wall, 1),
        "ingress_cpu_ms_per_read": round(1000 * ingress / count, 3),
        "cassandra_cpu_ms_per_read": round(1000 * used.get("cassandra", 0.0) / count, 3),
        "seat_map": recorder.summary("seat_map", ok=("200",)),
        "event": recorder.summary("event", ok=("200",)),
    }


def main(
    events: Annotated[int, typer.Option(help="Events of 200 seats.")] = 100,
    reads: Annotated[int, typer.Option(help="GETs in all.")] = 6000,
    clients: Annotated[int, typer.Option(help="Concurrent clients.")] = 20,
    ingresses: Annotated[int, typer.Option(help="Ingress processes on one port.")] = 1,
) -> None:
    """Print the figures as JSON (and write them to benchmarks/results/reads-<time>.json)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    with deployment(RESULTS / f"reads-{stamp}" / "logs", ingresses=ingresses) as dep:
        admin = {"Authorization": f"Bearer {dep.settings.admin_token}"}
        pids = {n: p for n, p in dep.pids().items() if n.startswith("ingress") or n == "cassandra"}
        result = asyncio.run(measure(dep.system.base_url, admin, pids, (events, reads, clients)))
    text = orjson.dumps(result | {"ingresses": ingresses}, option=orjson.OPT_INDENT_2)
    (RESULTS / f"reads-{stamp}.json").write_bytes(text)
    print(text.decode())


if __name__ == "__main__":
    typer.run(main)

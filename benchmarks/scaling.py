"""`python -m benchmarks.scaling`: how decisions per second grow with seat workers (1, 2, 4)
and ingress processes, on whatever stack the settings name (a 3-node cluster with
EVENTLY_DEVSTACK_NODES=3). Two loads per shape: many events (spread over the partitions) and
one event (everything on one partition: the per-event limit). Figures to
benchmarks/results/scaling-<time>.json and the table to stdout."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from benchmarks import seed
from benchmarks.http import session
from benchmarks.procs import CpuMeter, machine
from benchmarks.sale import Sale
from infra.bootstrap import bootstrap
from infra.cassandra import connect
from infra.settings import Settings, get_settings
from system.launch import System, settings_env, start_system
from tests.support import drop_deployment, free_port, isolated_settings

HERE = Path(__file__).resolve().parent
SHAPES = ((1, 1), (2, 1), (4, 1), (4, 2))  # (seat workers, ingress processes)
EVENTS, ROWS, PER_ROW = 12, 30, 100  # 3,000 seats an event: none sells out in a run


def extra_ingresses(system: System, settings: Settings, count: int) -> list[str]:
    """Base URLs of `count` ingress processes: the system's and count - 1 more."""
    urls = [system.base_url]
    for index in range(2, count + 1):
        port = free_port()
        env = settings_env(settings.model_copy(update={"http_port": port}))
        system.spawn(f"ingress-{index}", "ingress", env)
        urls.append(f"http://{settings.http_host}:{port}")
    for url in urls[1:]:
        System(url, system.log_dir, {}).wait_healthy()
    return urls


async def load(
    urls: list[str],
    events: list[seed.Layout],
    buyers: list[seed.Buyer],
    clients: int,
    seconds: float,
) -> dict[str, Any]:
    """`clients` buyers in closed loop for `seconds`, spread evenly over the events, each
    event's sale on one ingress (round robin); decided holds and confirms a second."""
    share = max(1, clients // len(events))
    sales = [
        Sale(urls[i % len(urls)], layout, buyers, attempts=10**9, seed=i)
        for i, layout in enumerate(events)
    ]
    await asyncio.gather(*(sale.closed_loop(share, seconds) for sale in sales))
    holds = sum(s.recorder.summary("hold").get("count", 0) for s in sales)
    confirms = sum(s.recorder.summary("confirm").get("count", 0) for s in sales)
    ok = sum(s.recorder.summary("hold", ok=("201",)).get("ok", 0) for s in sales)
    p99 = max(s.recorder.summary("hold").get("p99_ms", 0.0) for s in sales)
    failed = sum(
        n
        for s in sales
        for o, n in s.recorder.summary("hold").get("outcomes", {}).items()
        if o.startswith(("0", "5"))
    )
    return {
        "decisions_per_s": round((holds + confirms) / seconds, 1),
        "holds_per_s": round(holds / seconds, 1),
        "successful_holds_per_s": round(ok / seconds, 1),
        "hold_p99_ms": p99,
        "unanswered_or_5xx": failed,
    }


async def shape(
    settings: Settings, workers: int, ingresses: int, clients: int, seconds: float, logs: Path
) -> dict[str, Any]:
    """One deployment shape: its processes started, both loads run, the processes stopped."""
    system = await asyncio.to_thread(start_system, settings, logs, workers, False)
    try:
        urls = await asyncio.to_thread(extra_ingresses, system, settings, ingresses)
        admin = {"Authorization": f"Bearer {settings.admin_token}"}
        db = await asyncio.to_thread(connect, settings, timeout=60.0)
        try:
            buyers = await asyncio.to_thread(seed.make_buyers, db, clients)
        finally:
            db.cluster.shutdown()
        async with session(system.base_url, 16) as http:
            venue = await seed.make_venue(http, admin, ROWS, PER_ROW, 3)
            events = [
                await seed.make_event(http, admin, venue, f"Scale {workers}w{ingresses}i {n}")
                for n in range(EVENTS + 2)
            ]
        await load(urls, events[-1:], buyers, clients, 5.0)  # warm-up: partitions assigned
        pids = {n: p.pid for n, p in system.processes.items()}
        meter = CpuMeter(pids)
        meter.start()
        many = await load(urls, events[:EVENTS], buyers, clients, seconds)
        many["cores"] = meter.stop()
        meter.start()
        one = await load(urls, events[EVENTS : EVENTS + 1], buyers, clients, seconds)
        one["cores"] = meter.stop()
        return {"workers": workers, "ingresses": ingresses, "many_events": many, "one_event": one}
    finally:
        system.stop()


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| workers | ingresses | 12 events: decisions/s | holds/s | hold p99 ms | "
        "1 event: decisions/s | holds/s | hold p99 ms | box cores (12 events) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        m, o = r["many_events"], r["one_event"]
        lines.append(
            f"| {r['workers']} | {r['ingresses']} | {m['decisions_per_s']} | {m['holds_per_s']} "
            f"| {m['hold_p99_ms']} | {o['decisions_per_s']} | {o['holds_per_s']} "
            f"| {o['hold_p99_ms']} | {m['cores'].get('box')} |"
        )
    return "\n".join(lines)


def main(
    clients: Annotated[int, typer.Option(help="Concurrent buyers (closed loop).")] = 240,
    seconds: Annotated[float, typer.Option(help="Length of each load.")] = 20.0,
) -> None:
    """Run every shape on one isolated deployment (keyspace and topics dropped after)."""
    base = get_settings()
    settings = isolated_settings(
        max_active_holds_per_user=1000,
        log_level="WARNING",
        devstack_nodes=base.devstack_nodes,
        devstack_dir=base.devstack_dir,
        kafka_bootstrap_servers=base.kafka_bootstrap_servers,
        cassandra_contact_points=base.cassandra_contact_points,
    )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = HERE / "results" / f"scaling-{stamp}"
    bootstrap(settings)
    rows = []
    try:
        for workers, ingresses in SHAPES:
            logs = out / f"logs-{workers}w{ingresses}i"
            rows.append(asyncio.run(shape(settings, workers, ingresses, clients, seconds, logs)))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    finally:
        drop_deployment(settings)
    result = {
        "started": stamp,
        "nodes": settings.devstack_nodes,
        "kafka": settings.kafka_bootstrap_servers,
        "cassandra": settings.cassandra_contact_points,
        "consistency": settings.cassandra_consistency_level,
        "clients": clients,
        "seconds": seconds,
        "machine": machine(),
        "shapes": rows,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(table(rows))


if __name__ == "__main__":
    typer.run(main)

"""One benchmark run: deploy, seed, run every scenario with progress shown, collect figures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from benchmarks import flash, hops, kafka_limit, mixed, partner_path, pretix, seed
from benchmarks.deploy import Deployment, deployment
from benchmarks.http import noop_ceiling, session
from benchmarks.procs import CpuMeter, machine, memory_mib

console = Console()


@dataclass(frozen=True)
class Scale:
    seats_rows: int
    seats_per_row: int
    attempts: int
    buyers: int
    rate: float
    noop_seconds: float
    mixed_events: int
    mixed_seconds: float
    mixed_rate: float
    partner_commands: int
    kafka_messages: int
    window: int
    flash_seconds: float  # cap per flash-sale target (100,000 attempts take longer here)
    partner_seconds: float
    pretix_clients: tuple[int, ...]  # one pretix-shaped sale per client count
    pretix_seconds: float  # cap per pretix-shaped sale and target

    @property
    def seats(self) -> int:
        return self.seats_rows * self.seats_per_row


FULL = Scale(
    100,
    100,
    100_000,
    1000,
    0.0,
    5.0,
    100,
    30.0,
    150.0,
    20_000,
    20_000,
    1000,
    120,
    45,
    (200, 1000),
    90,
)
QUICK = Scale(20, 50, 5_000, 100, 0.0, 2.0, 10, 4.0, 40.0, 2_000, 500, 100, 8, 6, (50,), 15)


@asynccontextmanager
async def shown(
    progress: Progress, label: str, total: int, done: Callable[[], int]
) -> AsyncIterator[None]:
    """A progress bar for `label` fed by `done()` until the block ends."""
    task = progress.add_task(label, total=total)

    async def tick() -> None:
        while True:
            progress.update(task, completed=done())
            await asyncio.sleep(0.25)

    ticker = asyncio.create_task(tick())
    try:
        yield
    finally:
        ticker.cancel()
        progress.update(task, completed=done())


async def scenarios(
    dep: Deployment, scale: Scale, skip: set[str], progress: Progress
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    admin = {"Authorization": f"Bearer {dep.settings.admin_token}"}
    buyers = await asyncio.to_thread(seed.make_buyers, dep.session(), scale.buyers)
    async with session(dep.system.base_url, 16) as http:
        venue = await seed.make_venue(
            http, admin, scale.seats_rows, scale.seats_per_row, scale.seats_rows // 10
        )
        flash_event = await seed.make_event(http, admin, venue, "Flash Sale Night")
        naive_event = await seed.make_event(http, admin, venue, "Flash Sale Night (naive)")
    load = flash.Load(scale.attempts, scale.buyers, scale.rate, scale.flash_seconds)
    if "noop" not in skip:
        label = f"no-op GET /health, {scale.buyers} clients"
        async with shown(progress, label, 1, lambda: int("noop" in results)):
            ceiling = noop_ceiling(dep.system.base_url, scale.buyers, scale.noop_seconds)
            results["noop"] = await guarded(ceiling)
    if "flash" not in skip:
        for name, runner, event in (
            ("flash", flash.evently, flash_event),
            ("naive", flash.naive, naive_event),
        ):
            results[f"{name}_settle_s"] = await settle(dep)
            watch: flash.Watch = {}
            label = f"flash sale ({name}), {scale.seats:,} seats"
            async with shown(progress, label, scale.attempts, partial(_done, watch)):
                results[name] = await guarded(runner(dep, event, buyers, load, watch))
    if "pretix" not in skip:
        results["pretix"] = await pretix_sales(dep, scale, skip, buyers, progress)
    if {"mixed", "partner"} - skip:
        async with session(dep.system.base_url, 16) as http:
            small = await seed.make_venue(http, admin, 10, 20, 2)
            layouts = list(
                await asyncio.gather(
                    *(
                        seed.make_event(http, admin, small, f"Bench Night {i}")
                        for i in range(scale.mixed_events)
                    )
                )
            )
    if "mixed" not in skip:
        results["mixed_settle_s"] = await settle(dep)
        watch_mixed: dict[str, mixed.Mixed] = {}
        total = int(scale.mixed_rate * scale.mixed_seconds)
        label = f"mixed load, {scale.mixed_events} events, {scale.mixed_rate:.0f}/s"
        async with shown(progress, label, total, lambda: _count(watch_mixed, "mixed")):
            results["mixed"] = await guarded(
                mixed.run(
                    dep.system.base_url,
                    layouts,
                    buyers,
                    scale.mixed_rate,
                    scale.mixed_seconds,
                    CpuMeter(dep.pids()),
                    watch_mixed,
                )
            )
    if "partner" not in skip:
        results["partner_settle_s"] = await settle(dep)
        watch_partner: dict[str, partner_path.PartnerLoad] = {}
        label = f"partner path (Kafka), {scale.partner_commands:,} holds"
        total = scale.partner_commands
        async with shown(progress, label, total, lambda: _count(watch_partner, "partner")):
            results["partner"] = await guarded(
                partner_path.run(
                    dep.settings,
                    layouts,
                    scale.partner_commands,
                    scale.window,
                    scale.partner_seconds,
                    CpuMeter(dep.pids()),
                    watch_partner,
                )
            )
        full = ((results.get("partner") or {}).get("hold") or {}).get("per_s")
        if full:  # the same path at half the rate it reached: its latency when not saturated
            half, seconds = full / 2, min(20.0, scale.partner_seconds)
            label = f"partner path at {half:.0f} holds/s (half), {seconds:.0f} s"
            counted = partial(_count, watch_partner, "partner")
            async with shown(progress, label, int(half * seconds), counted):
                results["partner_half"] = await guarded(
                    partner_path.run(
                        dep.settings,
                        layouts,
                        int(half * seconds),
                        10**6,
                        seconds,
                        CpuMeter(dep.pids()),
                        watch_partner,
                        rate=half,
                    )
                )
    if "kafka" not in skip:
        watch_kafka: dict[str, Any] = {}
        label = f"raw Kafka round trips, {scale.kafka_messages:,}"
        async with shown(progress, label, scale.kafka_messages, lambda: _samples(watch_kafka)):
            results["kafka"] = await guarded(
                kafka_limit.round_trips(
                    dep.settings,
                    scale.kafka_messages,
                    scale.window,
                    dep.workers,
                    CpuMeter(dep.pids()),
                    watch_kafka,
                )
            )
    return results


async def pretix_sales(
    dep: Deployment, scale: Scale, skip: set[str], buyers: list[seed.Buyer], progress: Progress
) -> dict[str, Any]:
    """The pretix-shaped sale with each client count, each target on a fresh event of a venue
    with one seat type; the naive app too unless `pretix-naive` is skipped."""
    admin = {"Authorization": f"Bearer {dep.settings.admin_token}"}
    targets = [("evently", flash.evently)]
    if "pretix-naive" not in skip:
        targets.append(("naive", flash.naive))
    async with session(dep.system.base_url, 16) as http:
        venue = await seed.make_venue(http, admin, scale.seats_rows, scale.seats_per_row, 0)
    runs: dict[str, Any] = {}
    for clients in scale.pretix_clients:
        load = flash.Load(10**9, clients, seconds=scale.pretix_seconds)
        run = runs[str(clients)] = {"clients": clients}
        for name, target in targets:
            async with session(dep.system.base_url, 4) as http:
                title = f"Pretix-shaped Sale ({name}, {clients} clients)"
                layout = await seed.make_event(http, admin, venue, title)
            run[f"{name}_settle_s"] = await settle(dep)
            watch: flash.Watch = {}
            label = f"pretix-shaped sale ({name}), {clients:,} clients"
            async with shown(progress, label, scale.seats, partial(_sold, watch)):
                figures = await guarded(target(dep, layout, buyers, load, watch, pretix.PretixSale))
            run[name] = pretix.summarise(figures)
            if name == "evently":
                run["hops"] = await guarded(hops.confirm_path(dep.settings, layout.event_id))
    return runs


async def settle(dep: Deployment, limit: float = 180.0) -> float:
    """Wait until the workers and the ingress are idle (a backlog of decisions from the last
    scenario would otherwise take CPU from the next); returns the seconds waited."""
    started = time.monotonic()
    ours = {k: v for k, v in dep.pids().items() if k.startswith(("worker", "ingress"))}
    while time.monotonic() - started < limit:
        meter = CpuMeter(ours)
        meter.start()
        await asyncio.sleep(1.0)
        busy = meter.stop()
        if sum(v for k, v in busy.items() if k != "box") < 0.1:
            break
    return round(time.monotonic() - started, 1)


async def guarded(scenario: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """A scenario's figures, or the error that stopped it (the other scenarios still run)."""
    try:
        return await scenario
    except Exception as exc:
        console.print_exception(max_frames=8)
        return {"error": repr(exc)}


def _count(watch: dict[str, Any], name: str) -> int:
    item = watch.get(name)
    return int(item.done) if item is not None else 0


def _samples(watch: dict[str, Any]) -> int:
    recorder = watch.get("kafka")
    return len(recorder.samples) if recorder is not None else 0


def _done(watch: flash.Watch) -> int:
    sale = watch.get("sale")
    return sale.progress() if sale is not None else 0


def _sold(watch: flash.Watch) -> int:
    sale = watch.get("sale")
    return sum(len(s) for s in sale.confirmed.values()) if sale is not None else 0


def run(
    scale: Scale, skip: set[str], out_dir: Path, workers: int, ingresses: int = 1
) -> dict[str, Any]:
    """Run every scenario not in `skip`; the result as written to result.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    with deployment(out_dir / "logs", workers=workers, ingresses=ingresses) as dep:
        with progress:
            results = asyncio.run(scenarios(dep, scale, skip, progress))
        memory = {name: memory_mib(pid) for name, pid in dep.pids().items()}
    return {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
        "scale": scale.__dict__,
        "workers": workers,
        "machine": machine(),
        "memory_mib": {
            k: {"rss": round(v[0], 1), "peak_rss": round(v[1], 1)} for k, v in memory.items() if v
        },
        **results,
    }

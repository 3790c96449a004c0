"""Scenario 1 and baseline (a): the flash sale against Evently and against the naive app."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from benchmarks import verify
from benchmarks.deploy import Deployment
from benchmarks.http import call, session
from benchmarks.procs import CpuMeter
from benchmarks.sale import Sale
from benchmarks.seed import Buyer, Layout

Watch = dict[str, Sale]  # the sale under way, for the progress bar


@dataclass(frozen=True)
class Load:
    """How hard to push: attempts, buyers (closed loop) or an arrival rate (open loop)."""

    attempts: int
    buyers: int
    rate: float = 0.0  # > 0: open loop at this many attempts a second
    seconds: float = 1e9  # stop making attempts after this long


async def run_sale(
    base_url: str,
    layout: Layout,
    buyers: list[Buyer],
    load: Load,
    meter: CpuMeter,
    watch: Watch,
    kind: type[Sale] = Sale,
) -> Sale:
    sale = watch["sale"] = kind(base_url, layout, buyers, load.attempts)
    meter.start()
    if load.rate > 0:
        await sale.open_loop(load.rate, connections=load.buyers, seconds=load.seconds)
    else:
        await sale.closed_loop(load.buyers, seconds=load.seconds)
    sale.cores = meter.stop()
    return sale


def figures(sale: Sale, check: dict[str, Any]) -> dict[str, Any]:
    """What the issue asks of a flash sale, from one run."""
    rec = sale.recorder
    hold = rec.summary("hold", ok=("201",))
    sold_out = sale.last_hold_at if check["sold_out"] else None
    return {
        "attempts": hold.get("count", 0),
        "time_to_sell_out_s": round(sold_out, 2) if sold_out is not None else None,
        "holds_per_s": hold.get("per_s"),
        "successful_holds_per_s_until_sold_out": (
            round(hold["ok"] / sold_out, 1) if sold_out else None
        ),
        "hold": hold,
        "confirm": rec.summary("confirm", ok=("201", "200")),
        "oversells": check["oversells"],
        "seats_left_unsold": check["unsold"],
        "tickets_sold": check["booked"],
        "last_confirm_s": round(sale.last_confirm_at, 2) if sale.last_confirm_at else None,
        "final_state": check,
        "generator_cores": sale.generator_cores,
        "cores": sale.cores,
        "cpu_ms_per_request": _cpu_per_request(sale),
        "timeline": {"hold": rec.timeline("hold"), "confirm": rec.timeline("confirm")},
    }


async def evently(
    dep: Deployment,
    layout: Layout,
    buyers: list[Buyer],
    load: Load,
    watch: Watch,
    kind: type[Sale] = Sale,
) -> dict[str, Any]:
    meter = CpuMeter(dep.pids())
    sale = await run_sale(dep.system.base_url, layout, buyers, load, meter, watch, kind)
    await asyncio.sleep(1.0)  # let the last projections land before reading the state
    async with session(dep.system.base_url, 4) as http:
        status, data = await call(http, "GET", f"/events/{layout.event_id}/seats")
    assert status == 200, data
    check = await asyncio.to_thread(_with_session, dep, verify.evently, data["seats"], sale)
    return figures(sale, check)


async def naive(
    dep: Deployment,
    layout: Layout,
    buyers: list[Buyer],
    load: Load,
    watch: Watch,
    kind: type[Sale] = Sale,
) -> dict[str, Any]:
    meter = CpuMeter(dep.pids())
    sale = await run_sale(dep.naive_url, layout, buyers, load, meter, watch, kind)
    check = await asyncio.to_thread(_with_session, dep, verify.naive, sale)
    return figures(sale, check)


def _cpu_per_request(sale: Sale) -> dict[str, float]:
    """CPU milliseconds each process spent per HTTP request: robust to a noisy box."""
    requests = len(sale.recorder.samples)
    wall = sale.recorder.elapsed()
    return {
        name: round(cores * wall * 1000 / requests, 2)
        for name, cores in sale.cores.items()
        if requests and name != "box"
    }


def _with_session(dep: Deployment, check: Any, *args: Any) -> dict[str, Any]:
    result: dict[str, Any] = check(dep.session(), *args)
    return result

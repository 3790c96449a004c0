"""Scenario 2: steady mixed load over many events at a fixed arrival rate (open loop):
seat maps, search, event pages, holds, confirms, hold and booking cancellations."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from benchmarks.http import call, session
from benchmarks.procs import CpuMeter
from benchmarks.seed import Buyer, Layout
from benchmarks.stats import Recorder

QUERIES = ("bench", "night", "nigth", "rock", "jazz", "loud music", "generators")
MIX = (("seat_map", 30), ("search", 20), ("event", 10), ("hold", 30), ("cancel_booking", 10))
OPS = ("seat_map", "search", "event", "hold", "confirm", "cancel_hold", "cancel_booking")


@dataclass
class Mixed:
    layouts: list[Layout]
    buyers: list[Buyer]
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    recorder: Recorder = field(default_factory=Recorder)
    bookings: list[tuple[Buyer, str]] = field(default_factory=list)
    done: int = 0

    async def _timed(
        self, http: aiohttp.ClientSession, op: str, began: float, *args: Any
    ) -> tuple[int, Any]:
        status, data = await call(http, *args)
        self.recorder.add(op, began, str(status))
        return status, data

    async def _one(self, http: aiohttp.ClientSession, due: float) -> None:
        layout = self.rng.choice(self.layouts)
        buyer = self.rng.choice(self.buyers)
        op = self.rng.choices([m[0] for m in MIX], [m[1] for m in MIX])[0]
        if op == "cancel_booking" and not self.bookings:
            op = "seat_map"
        if op == "seat_map":
            await self._timed(http, op, due, "GET", f"/events/{layout.event_id}/seats")
        elif op == "search":
            path = f"/events?q={self.rng.choice(QUERIES)}&limit=20"
            await self._timed(http, op, due, "GET", path)
        elif op == "event":
            await self._timed(http, op, due, "GET", f"/events/{layout.event_id}")
        elif op == "cancel_booking":
            owner, booking_id = self.bookings.pop(self.rng.randrange(len(self.bookings)))
            path = f"/bookings/{booking_id}/cancel"
            await self._timed(http, op, due, "POST", path, owner.headers)
        else:
            await self._hold(http, layout, buyer, due)
        self.done += 1

    async def _hold(
        self, http: aiohttp.ClientSession, layout: Layout, buyer: Buyer, due: float
    ) -> None:
        if self.rng.random() < 0.5:
            body: dict[str, Any] = {"seat_type": "Regular", "quantity": self.rng.randint(1, 3)}
        else:
            row = self.rng.choice(list(layout.rows))
            start = self.rng.randrange(len(layout.rows[row]) - 2)
            body = {"seat_ids": layout.rows[row][start : start + self.rng.randint(1, 2)]}
        path = f"/events/{layout.event_id}/hold"
        status, data = await self._timed(http, "hold", due, "POST", path, buyer.headers, body)
        if status != 201:
            return
        holding_id, roll = data["holding_id"], self.rng.random()
        if roll < 0.6:
            status, data = await self._timed(
                http,
                "confirm",
                time.perf_counter(),
                "POST",
                f"/{holding_id}/confirm",
                buyer.headers,
                {"payment_token": "tok_ok"},
            )
            if status in (200, 201):
                self.bookings.append((buyer, data["booking_id"]))
        elif roll < 0.85:
            path = f"/{holding_id}/cancel"
            await self._timed(http, "cancel_hold", time.perf_counter(), "POST", path, buyer.headers)

    async def run(self, base_url: str, rate: float, seconds: float, connections: int) -> None:
        self.recorder = Recorder()
        async with session(base_url, connections) as http:
            tasks: set[asyncio.Task[None]] = set()
            start = time.perf_counter()
            for index in range(int(rate * seconds)):
                due = start + index / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                task = asyncio.create_task(self._one(http, due))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.gather(*tasks)


async def run(
    base_url: str,
    layouts: list[Layout],
    buyers: list[Buyer],
    rate: float,
    seconds: float,
    meter: CpuMeter,
    watch: dict[str, Mixed],
) -> dict[str, Any]:
    mixed = watch["mixed"] = Mixed(layouts, buyers)
    meter.start()
    cpu = time.process_time()
    await mixed.run(base_url, rate, seconds, connections=200)
    wall = time.perf_counter() - mixed.recorder.started
    return {
        "events": len(layouts),
        "rate_per_s": rate,
        "seconds": seconds,
        "ops": {op: mixed.recorder.summary(op) for op in OPS},
        "all": _all(mixed.recorder),
        "cores": meter.stop(),
        "generator_cores": round((time.process_time() - cpu) / wall, 2),
        "timeline": {op: mixed.recorder.timeline(op) for op in ("seat_map", "hold", "search")},
    }


def _all(recorder: Recorder) -> dict[str, Any]:
    everything = Recorder(recorder.started, [("any", *s[1:]) for s in recorder.samples])
    return everything.summary("any", ok=("200", "201"))

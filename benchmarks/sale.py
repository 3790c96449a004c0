"""The flash-sale workload: virtual buyers holding chosen or best-available seats, most of them
confirming; run closed-loop (N buyers) or open-loop (a fixed arrival rate)."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from benchmarks.http import call, session
from benchmarks.seed import Buyer, Layout
from benchmarks.stats import Recorder

MAX_QUANTITY = 4


class FreeSeats:
    """Seats the generator believes free: O(1) add, remove and random pick."""

    def __init__(self, seat_ids: list[str]) -> None:
        self.items = list(seat_ids)
        self.index = {s: i for i, s in enumerate(self.items)}

    def __contains__(self, seat_id: str) -> bool:
        return seat_id in self.index

    def __len__(self) -> int:
        return len(self.items)

    def discard(self, seat_id: str) -> None:
        i = self.index.pop(seat_id, None)
        if i is None:
            return
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.index[last] = i

    def pick(self, rng: random.Random) -> str:
        return self.items[rng.randrange(len(self.items))]


@dataclass
class Sale:
    """One flash sale against one base URL; what the buyers were told."""

    base_url: str
    layout: Layout
    buyers: list[Buyer]
    attempts: int
    confirm_share: float = 0.8
    decline_share: float = 0.05
    seed: int = 8
    recorder: Recorder = field(default_factory=Recorder)
    confirmed: dict[str, list[str]] = field(default_factory=dict)
    held: dict[str, list[str]] = field(default_factory=dict)
    last_hold_at: float | None = None
    last_confirm_at: float | None = None
    generator_cores: float = 0.0
    cores: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.free = FreeSeats([s for row in self.layout.rows.values() for s in row])
        self.position = {
            s: (row, i) for row, seats in self.layout.rows.items() for i, s in enumerate(seats)
        }
        self.started = 0
        self.done = 0

    def progress(self) -> int:
        return self.done

    def _body(self) -> dict[str, Any]:
        quantity = self.rng.randint(1, MAX_QUANTITY)
        if self.rng.random() < 0.5:
            seat_type = "VIP" if self.rng.random() < 0.2 else "Regular"
            return {"seat_type": seat_type, "quantity": quantity}
        if not self.free:
            row = self.rng.choice(list(self.layout.rows))
            return {"seat_ids": self.layout.rows[row][:quantity]}
        row, i = self.position[self.free.pick(self.rng)]
        seats = self.layout.rows[row][i : i + quantity]
        run = [seats[0]]
        for seat in seats[1:]:
            if seat not in self.free:
                break
            run.append(seat)
        return {"seat_ids": run}

    async def _attempt(self, http: aiohttp.ClientSession, buyer: Buyer, began: float) -> None:
        status, data = await self._hold(http, buyer, self._body(), began)
        if status == 201:
            if self.rng.random() < self.confirm_share:
                declined = self.rng.random() < self.decline_share
                await self._confirm(http, buyer, data["holding_id"], declined)
        elif status == 409:
            for seat in (data["error"]["details"] or {}).get("unavailable_seat_ids", []):
                self.free.discard(seat)

    async def _hold(
        self, http: aiohttp.ClientSession, buyer: Buyer, body: dict[str, Any], began: float
    ) -> tuple[int, Any]:
        """POST the hold, record it, and note the seats a successful one took."""
        path = f"/events/{self.layout.event_id}/hold"
        status, data = await call(http, "POST", path, buyer.headers, body)
        self.recorder.add("hold", began, _label(status, data))
        self.done += 1
        if status == 201:
            self.last_hold_at = time.perf_counter() - self.recorder.started
            seats = data["seat_ids"]
            self.held[data["holding_id"]] = seats
            for seat in seats:
                self.free.discard(seat)
        return status, data

    async def _confirm(
        self, http: aiohttp.ClientSession, buyer: Buyer, holding_id: str, declined: bool = False
    ) -> int:
        token = "tok_declined" if declined else "tok_ok"  # noqa: S105 - simulator test cards
        began = time.perf_counter()
        status, data = await call(
            http, "POST", f"/{holding_id}/confirm", buyer.headers, {"payment_token": token}
        )
        self.recorder.add("confirm", began, _label(status, data))
        if status in (200, 201):
            self.confirmed[holding_id] = data["seat_ids"]
            self.last_confirm_at = time.perf_counter() - self.recorder.started
        return status

    async def _shop(self, http: aiohttp.ClientSession, buyer: Buyer, deadline: float) -> None:
        """One closed-loop buyer: its next attempt when the last one ends."""
        while self.started < self.attempts and time.perf_counter() < deadline:
            self.started += 1
            await self._attempt(http, buyer, time.perf_counter())

    async def closed_loop(self, concurrency: int, seconds: float = 1e9) -> None:
        """`concurrency` buyers, each shopping (`_shop`) until the attempts or the time run out."""
        cpu = time.process_time()
        self.recorder = Recorder()
        async with session(self.base_url, concurrency) as http:
            deadline = time.perf_counter() + seconds
            pool = [self.buyers[i % len(self.buyers)] for i in range(concurrency)]
            await asyncio.gather(*(self._shop(http, b, deadline) for b in pool))
        self.generator_cores = _cores(cpu, self.recorder)

    async def open_loop(self, rate: float, connections: int, seconds: float = 1e9) -> None:
        """Attempts arrive at `rate` per second whatever the answers; each attempt's latency
        counts from when it was due, so time spent queued in the generator is included."""
        cpu = time.process_time()
        self.recorder = Recorder()
        async with session(self.base_url, connections) as http:
            tasks: set[asyncio.Task[None]] = set()
            start = time.perf_counter()
            for index in range(min(self.attempts, int(rate * seconds))):
                due = start + index / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                buyer = self.buyers[index % len(self.buyers)]
                task = asyncio.create_task(self._attempt(http, buyer, due))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.gather(*tasks)
        self.generator_cores = _cores(cpu, self.recorder)


def _label(status: int, data: Any) -> str:
    if status >= 400 and isinstance(data, dict) and "error" in data:
        return f"{status} {data['error'].get('code')}"
    return str(status)


def _cores(cpu_before: float, recorder: Recorder) -> float:
    wall = time.perf_counter() - recorder.started
    return round((time.process_time() - cpu_before) / max(wall, 1e-9), 2)

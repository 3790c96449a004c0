"""The buyers of one on-sale: each joins the waiting room (when there is one), waits for its
pass reading its ticket now and then, holds one seat and pays; or, without a waiting room,
holds and pays at once. Buyers stop once the event is sold out."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from benchmarks.http import call
from benchmarks.seed import Buyer
from benchmarks.stats import Recorder

EXPECTED = {
    "join": {"200", "201"},
    "poll": {"200"},
    "hold": {"201", "409 not_enough_seats"},
    "confirm": {"200", "201"},
}
HOLD = {"seat_type": "Regular", "quantity": 1}
RETRIES = 10


@dataclass
class Joined:
    """What a buyer saw of its join (client clock)."""

    ticket_id: str
    sent: float
    answered: float


@dataclass
class OnSale:
    """One event's sale under way."""

    event_id: str
    capacity: int
    opens_at: float  # perf_counter() time the sale opens
    recorder: Recorder = field(default_factory=Recorder)
    sold_out: asyncio.Event = field(default_factory=asyncio.Event)
    sold_seats: list[str] = field(default_factory=list)
    sold_out_after: float | None = None
    joined: list[Joined] = field(default_factory=list)

    def record(self, op: str, began: float, status: int, data: Any) -> None:
        label = str(status)
        if status >= 400 and isinstance(data, dict) and "error" in data:
            label = f"{status} {data['error'].get('code')}"
        self.recorder.add(op, began, label)

    def errors(self) -> dict[str, int]:
        """Answers no buyer should get (5xx, transport failures, refusals of good requests)."""
        found: Counter[str] = Counter()
        for op, _, _, outcome in self.recorder.samples:
            if outcome not in EXPECTED[op]:
                found[f"{op} {outcome}"] += 1
        return dict(found)

    async def send(
        self, http: aiohttp.ClientSession, op: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        """POST as a buyer would: a 503 (its outcome not in time) is asked again with the same
        Idempotency-Key, so the command is decided once; every answer is recorded."""
        headers = headers | {"Idempotency-Key": uuid.uuid4().hex}
        for _ in range(RETRIES):
            began = time.perf_counter()
            status, data = await call(http, "POST", path, headers, body)
            self.record(op, began, status, data)
            if status != 503 and _code(data) != "idempotency_key_in_use":
                break
            await asyncio.sleep(1.0)
        return status, data

    async def buy(self, http: aiohttp.ClientSession, buyer: Buyer, token: str | None) -> None:
        """Hold one seat and pay for it."""
        headers = buyer.headers | ({"Evently-Queue-Pass": token} if token else {})
        path = f"/events/{self.event_id}/hold"
        status, data = await self.send(http, "hold", path, headers, HOLD)
        if _code(data) == "not_enough_seats":
            self.sold_out.set()
        if status != 201:
            return
        body = {"payment_token": "tok_ok"}
        status, paid = await self.send(
            http, "confirm", f"/{data['holding_id']}/confirm", headers, body
        )
        if status in (200, 201):
            self.sold_seats += paid["seat_ids"]
            if len(self.sold_seats) >= self.capacity and self.sold_out_after is None:
                self.sold_out_after = time.perf_counter() - self.opens_at
                self.sold_out.set()

    async def queue_then_buy(self, http: aiohttp.ClientSession, buyer: Buyer) -> None:
        """Join, wait to be let in (reading the ticket as its estimate comes due), buy."""
        sent = time.perf_counter()
        status, ticket = await call(http, "POST", f"/events/{self.event_id}/queue", buyer.headers)
        self.record("join", sent, status, ticket)
        if status not in (200, 201):
            return
        self.joined.append(Joined(ticket["ticket_id"], sent, time.perf_counter()))
        path = f"/events/{self.event_id}/queue/{ticket['ticket_id']}"
        while ticket["status"] != "admitted":
            pause = min(max(ticket["estimated_wait_s"] * 0.8, 0.5), 30.0)
            try:
                await asyncio.wait_for(self.sold_out.wait(), pause)
                return  # sold out: nothing left to wait for
            except TimeoutError:
                pass
            began = time.perf_counter()
            status, read = await call(http, "GET", path, buyer.headers)
            self.record("poll", began, status, read)
            if status == 200:
                ticket = read
        if not self.sold_out.is_set():
            await self.buy(http, buyer, ticket["pass"])


def _code(data: Any) -> str | None:
    """The error code of a refusal's body."""
    return data.get("error", {}).get("code") if isinstance(data, dict) else None

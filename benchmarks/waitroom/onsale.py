"""The buyers of one on-sale: each joins the waiting room (when there is one), waits for its
pass reading its ticket now and then, holds one seat and pays; or, without a waiting room,
holds and pays at once. Buyers stop once the event is sold out."""

from __future__ import annotations

import asyncio
import time
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

    async def buy(self, http: aiohttp.ClientSession, buyer: Buyer, token: str | None) -> None:
        """Hold one seat and pay for it."""
        headers = buyer.headers | ({"Evently-Queue-Pass": token} if token else {})
        began = time.perf_counter()
        status, data = await call(http, "POST", f"/events/{self.event_id}/hold", headers, HOLD)
        self.record("hold", began, status, data)
        if status == 409:
            self.sold_out.set()
        if status != 201:
            return
        began = time.perf_counter()
        body = {"payment_token": "tok_ok"}
        status, paid = await call(http, "POST", f"/{data['holding_id']}/confirm", headers, body)
        self.record("confirm", began, status, paid)
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

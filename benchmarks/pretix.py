"""Scenario: the flash sale shaped like pretix's published benchmark (issue 12). C clients, each
looping: hold 1-4 seats best available, confirm with tok_ok, one fewer seat after a refusal,
until a single seat is refused (sold out). Run against Evently and the naive app."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp

from benchmarks.sale import MAX_QUANTITY, Sale
from benchmarks.seed import Buyer

PRETIX_TICKETS_PER_S = 32.6  # pretix 2026.8.0 on this box, the same client shape (issue 12)
SEAT_TYPE = "Regular"  # the pretix-shaped venue has one seat type
TRANSIENT_PAUSE_S = 0.05  # after a 503 or a transport error, before asking again


class PretixSale(Sale):
    """Every client holds best available and confirms every hold it gets with a card that
    pays; a refused hold is asked again with one seat fewer, a refused single seat ends it."""

    async def _shop(self, http: aiohttp.ClientSession, buyer: Buyer, deadline: float) -> None:
        quantity = self.rng.randint(1, MAX_QUANTITY)
        while quantity and time.perf_counter() < deadline:
            body = {"seat_type": SEAT_TYPE, "quantity": quantity}
            status, data = await self._hold(http, buyer, body, time.perf_counter())
            if status == 201:
                await self._confirm(http, buyer, data["holding_id"])
                quantity = self.rng.randint(1, MAX_QUANTITY)
            elif status == 409:
                quantity -= 1
            else:  # overloaded or unreachable: the same request again shortly
                await asyncio.sleep(TRANSIENT_PAUSE_S)


def summarise(figures: dict[str, Any]) -> dict[str, Any]:
    """The flash-sale figures of one pretix-shaped run, with pretix's measures: sold out when
    every seat is booked (the last confirm), tickets a second, the ratio to pretix."""
    if "error" in figures:
        return figures
    state = figures["final_state"]
    sold = figures["tickets_sold"]
    sold_out = state["booked"] == state["capacity"] and figures["last_confirm_s"]
    seconds = sold_out or figures["confirm"].get("seconds") or None
    per_s = round(sold / seconds, 1) if seconds else None
    return figures | {
        "time_to_sell_out_s": sold_out or None,
        "tickets_per_s": per_s,
        "vs_pretix": round(per_s / PRETIX_TICKETS_PER_S, 2) if per_s else None,
    }

"""The waiting room (API.md, On-sales): join an event's queue, read a ticket. A join is one
read, one write and one lightweight transaction on the user's own row; the admitter
(`python -m waitroom`) ranks and lets in (docs/onsale.md)."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from cassandra.util import uuid_from_time
from fastapi import APIRouter
from prometheus_client import Counter

from infra.cassandra import Row
from ingress.deps import Caller, Ctx, Customer, owns
from ingress.errors import ApiError, not_found
from ingress.responses import OrjsonResponse
from ingress.routes.events import load_event
from seating.ids import is_event_id
from tables import queue
from waitroom import order, passes

router = APIRouter(tags=["waiting room"])
JOINS = Counter("evently_queue_joins_total", "Joins of a waiting room", ["outcome"])


def _new_arrival() -> tuple[uuid.UUID, int]:
    """A fresh ticket: a timeuuid of now (random node and sequence) and a random draw."""
    stamp = uuid_from_time(time.time(), node=secrets.randbits(48), clock_seq=secrets.randbits(14))
    return stamp, secrets.randbits(order.LOTTERY_BITS)


def _ticket(ctx: Ctx, event_id: str, room: Row, arrival: order.Arrival) -> dict[str, Any]:
    """The ticket as the contract shows it, current."""
    now = time.time()
    opens = room["sale_starts_at"].timestamp()
    rate = room["admit_per_minute"]
    body: dict[str, Any] = {
        "ticket_id": arrival.ticket_id,
        "event_id": event_id,
        "user_id": arrival.user_id,
        "joined_at": datetime.fromtimestamp(arrival.joined_at, UTC),
    }
    if arrival.admitted_at is not None:
        token, expires = ctx.gate.pass_for(arrival.user_id, event_id, arrival.admitted_at)
        return body | {
            "status": "admitted",
            "admitted_at": datetime.fromtimestamp(arrival.admitted_at, UTC),
            "position": 0,
            "estimated_wait_s": 0.0,
            "pass": token,
            "pass_expires_at": datetime.fromtimestamp(expires, UTC),
        }
    if arrival.rank is not None:
        ahead = order.position(arrival.rank, room["admitted"] or 0)
    elif order.presale(arrival, opens):
        ahead = order.presale_position(arrival.lottery, max(room["presale"] or 0, 1))
    else:  # not ranked yet: behind everyone ranked and still waiting
        ahead = max(0, (room["ranked"] or 0) - (room["admitted"] or 0))
    wait = order.estimated_wait(ahead, rate, opens, now)
    return body | {"status": "waiting", "position": ahead, "estimated_wait_s": round(wait, 1)}


async def _room(ctx: Ctx, event_id: str) -> Row:
    """The event's room, or 404 (no event) / 409 no_waiting_room. A room is listed only for
    an event made with one, so the event itself is read only when there is none."""
    room = await queue.room(ctx.q, event_id) if is_event_id(event_id) else None
    if room is None:
        await load_event(ctx, event_id)  # 404 when there is no such event
        raise ApiError(409, "no_waiting_room", "this event has no waiting room: hold directly")
    return room


async def _current(ctx: Ctx, event_id: str, joined_at: uuid.UUID) -> order.Arrival | None:
    row = await queue.arrival(ctx.q, event_id, joined_at)
    return order.arrival_of(row) if row else None


def _still_valid(arrival: order.Arrival) -> bool:
    """A ticket that waits, or whose pass has not expired, is the one a join returns."""
    if arrival.admitted_at is None:
        return True
    return time.time() < int(arrival.admitted_at) + passes.PASS_SECONDS


@router.post("/events/{event_id}/queue", status_code=201)
async def join_queue(event_id: str, ctx: Ctx, principal: Customer) -> Any:
    """Take a ticket (201); the same user again gets the same ticket (200) while it waits or
    its pass is valid, and after that a new one at the back."""
    room = await _room(ctx, event_id)
    user_id = principal.user_id
    held = await queue.ticket_of(ctx.q, event_id, user_id)
    replacing = held["joined_at"] if held else None
    if replacing is not None:
        current = await _current(ctx, event_id, replacing)
        if current is not None and _still_valid(current):
            JOINS.labels("again").inc()
            return OrjsonResponse(_ticket(ctx, event_id, room, current), status_code=200)
    joined_at, lottery = _new_arrival()
    await queue.add_arrival(ctx.q, event_id, joined_at, user_id, lottery)
    won, ticket = await queue.claim_ticket(
        ctx.q, event_id, user_id, (joined_at, lottery), replacing
    )
    if not won:  # a concurrent join of the same user took the ticket first: that one counts
        await queue.remove_arrival(ctx.q, event_id, joined_at)
        current = await _current(ctx, event_id, ticket["joined_at"])
        if current is None:
            raise ApiError(409, "join_in_progress", "another join of yours is running; retry")
        JOINS.labels("again").inc()
        return OrjsonResponse(_ticket(ctx, event_id, room, current), status_code=200)
    JOINS.labels("joined").inc()
    arrival = order.Arrival(joined_at.hex, user_id, order.seconds_of(joined_at), lottery)
    return _ticket(ctx, event_id, room, arrival)


@router.get("/events/{event_id}/queue/{ticket_id}")
async def read_ticket(event_id: str, ticket_id: str, ctx: Ctx, principal: Caller) -> Any:
    """A ticket, current (its holder only)."""
    room = await _room(ctx, event_id)
    try:
        joined_at = uuid.UUID(hex=ticket_id)
    except ValueError:
        raise not_found("ticket") from None
    if joined_at.version != 1 or joined_at.hex != ticket_id:
        raise not_found("ticket")
    arrival = await _current(ctx, event_id, joined_at)
    if arrival is None or not owns(principal, arrival.user_id):
        raise not_found("ticket")
    return _ticket(ctx, event_id, room, arrival)

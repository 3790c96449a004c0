"""Oversells read from the final state (not from status codes): the seat map and every hold."""

from __future__ import annotations

from collections import Counter
from typing import Any

from cassandra.cluster import Session

from benchmarks.sale import Sale
from seating import HoldStatus
from tables import event_state


def _double(seat_lists: list[list[str]] | Any) -> int:
    """Seats that appear in more than one of `seat_lists`."""
    counts = Counter(s for seats in seat_lists for s in seats)
    return sum(1 for n in counts.values() if n > 1)


def evently(session: Session, seat_map: list[dict[str, Any]], sale: Sale) -> dict[str, Any]:
    """Seat map statuses against the holds in event_state and against what buyers were told."""
    event_id = sale.layout.event_id
    holds = event_state.holds_now(session, event_id)
    occupying = [list(h.seat_ids) for h in holds if h.occupies_seats()]
    booked_holds = {
        h.holding_id: list(h.seat_ids)
        for h in holds
        if h.status is HoldStatus.CONFIRMED and not h.booking_cancelled
    }
    booked_in_state = {s for seats in booked_holds.values() for s in seats}
    map_status = {s["seat_id"]: s["status"] for s in seat_map}
    booked_on_map = {s for s, status in map_status.items() if status == "booked"}
    return _figures(
        capacity=len(seat_map),
        statuses=Counter(map_status.values()),
        oversold=_double(occupying) + _double(booked_holds.values()),
        told=sale,
        booked_holds=booked_holds,
        mismatch=len(booked_in_state ^ booked_on_map),
    )


def naive(session: Session, sale: Sale) -> dict[str, Any]:
    """The naive app's claims and holds, checked the same way."""
    event_id = sale.layout.event_id
    claims = [
        r
        for r in session.execute("SELECT event_id, seat_id, status FROM naive_seat_claims")
        if r["event_id"] == event_id
    ]
    holds = [
        r
        for r in session.execute("SELECT event_id, holding_id, seat_ids, status FROM naive_holds")
        if r["event_id"] == event_id
    ]
    booked_holds = {h["holding_id"]: h["seat_ids"] for h in holds if h["status"] == "confirmed"}
    claimed = Counter(r["status"] for r in claims)
    capacity = sale.layout.capacity
    statuses = Counter(
        {"booked": claimed["booked"], "held": claimed["held"], "available": capacity - len(claims)}
    )
    booked_claims = {r["seat_id"] for r in claims if r["status"] == "booked"}
    booked_in_holds = {s for seats in booked_holds.values() for s in seats}
    return _figures(
        capacity=capacity,
        statuses=statuses,
        oversold=_double(booked_holds.values()),
        told=sale,
        booked_holds=booked_holds,
        mismatch=len(booked_claims ^ booked_in_holds),
    )


def _figures(
    *,
    capacity: int,
    statuses: Counter[str],
    oversold: int,
    told: Sale,
    booked_holds: dict[str, list[str]],
    mismatch: int,
) -> dict[str, Any]:
    lost = [h for h in told.confirmed if h not in booked_holds]
    told_twice = _double(told.confirmed.values())
    return {
        "capacity": capacity,
        "booked": statuses["booked"],
        "held": statuses["held"],
        "available": statuses["available"],
        "unsold": capacity - statuses["booked"],
        "oversells": oversold + told_twice,
        "seats_in_two_holds_or_bookings": oversold,
        "seats_confirmed_to_two_buyers": told_twice,
        "confirmed_but_not_booked": len(lost),
        "map_vs_holds_mismatch": mismatch,
        "sold_out": statuses["available"] == 0,
    }

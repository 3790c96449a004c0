"""Pure: the contract's analytics body from a tally, and a tally as rows and back."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import orjson

from analytics.figures import Tally

Row = tuple[str, str, str]  # kind, item id, JSON data
USER_FIELDS = ("bookings", "seats", "spend", "cancellations")


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def money(amount_cents: int) -> float:
    return round(amount_cents / 100, 2)


def report(event_id: str, tally: Tally, capacity: int) -> dict[str, Any]:
    """The figures of GET /events/{event_id}/analytics."""
    c = tally.counts
    booked, held = c["booked"], c["held"]
    return {
        "event_id": event_id,
        "capacity": capacity,
        "booked": booked,
        "held": held,
        "available": max(capacity - booked - held, 0),
        "utilization": ratio(booked, capacity),
        "revenue": money(c["revenue"]),
        "gross_revenue": money(c["gross_revenue"]),
        "refunded": money(c["refunded"]),
        "revenue_by_seat_type": {
            t: money(v) for t, v in sorted(tally.revenue_by_type.items()) if v
        },
        "holds_created": c["holds_created"],
        "holds_confirmed": c["holds_confirmed"],
        "holds_expired": c["holds_expired"],
        "holds_cancelled": c["holds_cancelled"],
        "bookings_cancelled": c["bookings_cancelled"],
        "booking_success_rate": ratio(c["holds_confirmed"], c["holds_created"]),
        "cancellation_rate": ratio(c["bookings_cancelled"], c["holds_confirmed"]),
        "payment_failures": c["payment_failures"],
        "waitlist_size": c["waitlist_size"],
        "waitlist_offers_taken": c["waitlist_offers_taken"],
        "seats": {
            seat_id: {
                "times_held": s["times_held"],
                "times_booked": s["times_booked"],
                "conversion": ratio(s["times_booked"], s["times_held"]),
            }
            for seat_id, s in sorted(tally.seats.items())
            if s["times_held"]
        },
        "users": {
            user_id: {
                "bookings": u["bookings"],
                "seats": u["seats"],
                "spend": money(u["spend"]),
                "cancellations": u["cancellations"],
            }
            for user_id, u in sorted(tally.users.items())
            if any(u.values())
        },
        "per_minute": [
            {
                "minute": datetime.fromtimestamp(m, UTC).isoformat(),
                "bookings": v["bookings"],
                "revenue": money(v["revenue"]),
            }
            for m, v in sorted(tally.minutes.items())
            if v["bookings"]
        ],
    }


def _json(data: dict[str, Any]) -> str:
    return orjson.dumps(data).decode()


def to_rows(
    tally: Tally, meta: dict[str, Any], seats: set[str], users: set[str], minutes: set[int]
) -> list[Row]:
    """The summary row and the named seat, user and minute rows of `tally`."""
    summary = {"counts": tally.counts, "revenue_by_type": tally.revenue_by_type} | meta
    rows = [("summary", "", _json(summary))]
    rows += [("seat", s, _json(tally.seats.get(s, {}))) for s in sorted(seats)]
    rows += [("user", u, _json(tally.users.get(u, {}))) for u in sorted(users)]
    rows += [("minute", str(m), _json(tally.minutes.get(m, {}))) for m in sorted(minutes)]
    return rows


def from_rows(rows: list[Row]) -> tuple[Tally, dict[str, Any]]:
    """Inverse of `to_rows` over every row of an event: the tally and the summary's meta."""
    tally, meta = Tally(), {}
    for kind, item, text in rows:
        data = orjson.loads(text)
        if kind == "summary":
            tally.counts = Counter(data.pop("counts"))
            tally.revenue_by_type = Counter(data.pop("revenue_by_type"))
            meta = data
        elif kind == "seat":
            tally.seats[item] = Counter(data)
        elif kind == "user":
            tally.users[item] = Counter(data)
        elif kind == "minute":
            tally.minutes[int(item)] = Counter(data)
    return tally, meta

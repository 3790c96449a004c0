"""Checks the booking invariants over a whole history and the final persisted state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from seating.ids import holding_id_for

OCCUPYING = ("held", "confirming")


def seat_conflicts(holds: Iterable[Mapping[str, Any]]) -> list[str]:
    """Seats occupied by two live holds or bookings at once."""
    taken: dict[str, str] = {}
    anomalies = []
    for hold in holds:
        booked = hold["status"] == "confirmed" and not hold["booking_cancelled"]
        if hold["status"] not in OCCUPYING and not booked:
            continue
        for seat in hold["seats"]:
            other = taken.setdefault(seat["seat_id"], hold["holding_id"])
            if other != hold["holding_id"]:
                anomalies.append(f"seat {seat['seat_id']} in {other} and {hold['holding_id']}")
    return anomalies


def outcome_anomalies(
    event_id: str, outcomes: Mapping[str, Any], holds: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Hold outcomes that disagree with what was persisted: a hold acknowledged but lost, or a
    hold persisted for a command that was told it failed."""
    persisted = {h["holding_id"]: h for h in holds}
    anomalies = []
    for command_id, outcome in outcomes.items():
        holding_id = holding_id_for(event_id, command_id)
        if outcome.status == "created" and holding_id not in persisted:
            anomalies.append(f"acknowledged hold {holding_id} ({command_id}) is lost")
        if outcome.status == "rejected" and holding_id in persisted:
            anomalies.append(f"refused command {command_id} left hold {holding_id}")
    return anomalies

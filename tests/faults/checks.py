"""The checker: reads a whole history and the final state and lists every anomaly.

An `unknown` operation may or may not have taken effect, so it proves nothing either way; `ok`
and `fail` are promises the final state must keep."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from seating.ids import holding_id_for
from tests.checker import seat_conflicts
from tests.faults.history import History, Op
from tests.integration.partner import consistent
from topics.outcomes import CommandOutcomeV1

ENDED = ("confirmed", "cancelled", "expired")


@dataclass
class Final:
    """The state after the faults stopped and every hold's time ran out."""

    event_id: str
    holds: list[dict[str, Any]]
    bookings: list[dict[str, Any]]
    seat_map: dict[str, str]
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)  # holding id -> charge
    refunds: list[dict[str, Any]] = field(default_factory=list)
    partner_outcomes: dict[str, list[CommandOutcomeV1]] = field(default_factory=dict)


def check(history: History, final: Final) -> list[str]:
    """Every broken promise, as one line each; empty when the run was correct."""
    holds = {h["holding_id"]: h for h in final.holds}
    return [
        *seat_conflicts(final.holds),
        *_double_bookings(final.bookings),
        *_holds_as_told(history, final.event_id, holds),
        *_bookings_as_told(history, holds, final.bookings),
        *_every_hold_ended(holds, final.seat_map),
        *money_as_booked(holds, final.charges, final.refunds),
        *(f"repeated outcomes differ: {c}" for c in consistent(final.partner_outcomes)),
    ]


def _double_bookings(bookings: list[dict[str, Any]]) -> list[str]:
    owner: dict[str, str] = {}
    found = []
    for booking in bookings:
        if booking["status"] != "confirmed":
            continue
        for seat in booking["seat_ids"]:
            other = owner.setdefault(seat, booking["booking_id"])
            if other != booking["booking_id"]:
                found.append(f"seat {seat} confirmed in {other} and {booking['booking_id']}")
    return found


def _holds_as_told(history: History, event_id: str, holds: dict[str, Any]) -> list[str]:
    """An acknowledged hold exists with its seats; a refused one left nothing behind."""
    found = []
    for op in history.done("hold"):
        holding_id = holding_id_for(event_id, op.args["command_id"])
        stored = holds.get(holding_id)
        if op.status == "ok":
            if stored is None:
                found.append(f"op {op.index}: acknowledged hold {holding_id} is lost")
            elif sorted(s["seat_id"] for s in stored["seats"]) != sorted(op.args["seat_ids"]):
                found.append(f"op {op.index}: hold {holding_id} has other seats than asked")
        elif op.status == "fail" and stored is not None:
            found.append(
                f"op {op.index}: {op.client} was told the hold failed ({_why(op)}) but "
                f"{holding_id} holds {[s['seat_id'] for s in stored['seats']]}"
            )
    return found


def _bookings_as_told(
    history: History, holds: dict[str, Any], bookings: list[dict[str, Any]]
) -> list[str]:
    """Acknowledged bookings are present (cancelled only if a cancel may have happened);
    a confirm refused as expired left no booking; an acknowledged cancel stuck."""
    rows = {b["booking_id"]: b for b in bookings}
    cancels = {op.args["booking_id"]: op.status for op in history.done("cancel_booking")}
    found = []
    for op in history.done("confirm", "ok"):
        booking_id = _booking_id(op)
        row, hold = rows.get(booking_id), holds.get(op.args["holding_id"], {})
        if row is None or hold.get("status") != "confirmed":
            found.append(f"op {op.index}: acknowledged booking {booking_id} is missing")
            continue
        cancelled = cancels.get(booking_id)
        expected = {"ok": {"cancelled"}, "unknown": {"cancelled", "confirmed"}}.get(
            cancelled or "", {"confirmed"}
        )
        if row["status"] not in expected:
            found.append(f"op {op.index}: booking {booking_id} is {row['status']}")
    for op in history.done("confirm", "fail"):
        hold = holds.get(op.args["holding_id"], {})
        if _why(op) == "hold_expired" and hold.get("status") == "confirmed":
            found.append(
                f"op {op.index}: confirm refused as expired, yet {hold['holding_id']} booked"
            )
    for op in history.done("cancel", "ok"):
        status = holds.get(op.args["holding_id"], {}).get("status")
        if status != "cancelled":
            found.append(f"op {op.index}: cancelled hold {op.args['holding_id']} is {status}")
    return found


def money_as_booked(
    holds: dict[str, Any], charges: dict[str, dict[str, Any]], refunds: list[dict[str, Any]]
) -> list[str]:
    """Money kept is money for a booking: a confirmed hold was charged once (the charge its
    booking names), a cancelled booking's charge was refunded, an unbooked hold's charge
    voided, and nothing was given back twice."""
    given_back: defaultdict[str, float] = defaultdict(float)
    for refund in refunds:
        given_back[refund["charge_id"]] += refund["amount"]
    found = []
    for holding_id, hold in holds.items():
        charge = charges.get(holding_id)
        booked = hold["status"] == "confirmed"
        if booked and (charge is None or charge["charge_id"] != hold["charge_id"]):
            found.append(f"booking of {holding_id} names charge {hold['charge_id']}, made {charge}")
        if charge is None:
            continue
        voided = charge["amount"] if charge.get("voided_at") else 0.0
        kept = charge["amount"] - given_back[charge["charge_id"]] - voided
        owed = charge["amount"] if booked and not hold["booking_cancelled"] else 0.0
        if abs(kept - owed) > 0.005:
            found.append(f"{holding_id} ({hold['status']}): {kept} kept of its charge, {owed} owed")
    return found


def _every_hold_ended(holds: dict[str, Any], seat_map: dict[str, str]) -> list[str]:
    """After the faults and a hold's time: nothing still held or being paid for; the public
    seat map shows exactly the seats of confirmed bookings as booked."""
    found = [
        f"hold {h} still {hold['status']} after its time plus 5 s"
        for h, hold in holds.items()
        if hold["status"] not in ENDED
    ]
    booked = {
        s["seat_id"]
        for hold in holds.values()
        if hold["status"] == "confirmed" and not hold["booking_cancelled"]
        for s in hold["seats"]
    }
    shown = {seat for seat, status in seat_map.items() if status == "booked"}
    held = sorted(seat for seat, status in seat_map.items() if status == "held")
    if held:
        found.append(f"seat map still shows held seats {held}")
    if shown != booked:
        found.append(f"seat map booked {sorted(shown ^ booked)} disagrees with the bookings")
    return found


def _booking_id(op: Op) -> str:
    return str((op.result.get("body") or {}).get("booking_id"))


def _why(op: Op) -> str:
    return str(op.result.get("code"))

"""The fault suite's money check: it flags every way a ledger can disagree with the bookings."""

from __future__ import annotations

from typing import Any

from tests.faults.checks import money_as_booked


def hold(status: str, charge_id: str | None = None, cancelled: bool = False) -> dict[str, Any]:
    return {"status": status, "charge_id": charge_id, "booking_cancelled": cancelled}


def charge(charge_id: str, amount: float = 30.0, voided: bool = False) -> dict[str, Any]:
    return {"charge_id": charge_id, "amount": amount, "voided_at": "2026-12-07" if voided else None}


def refund(charge_id: str, refund_id: str, amount: float = 30.0) -> dict[str, Any]:
    return {"refund_id": refund_id, "charge_id": charge_id, "amount": amount}


def test_a_ledger_that_matches_the_bookings_has_no_anomaly() -> None:
    holds = {
        "h1": hold("confirmed", "c1"),
        "h2": hold("confirmed", "c2", cancelled=True),
        "h3": hold("expired"),
        "h4": hold("expired"),
    }
    charges = {"h1": charge("c1"), "h2": charge("c2"), "h4": charge("c4", voided=True)}
    refunds = [refund("c2", "rf_2")]
    assert money_as_booked(holds, charges, refunds) == []


def test_every_disagreement_is_flagged() -> None:
    holds = {
        "kept": hold("expired"),  # charged, never booked, never given back
        "unpaid": hold("confirmed", "c9"),  # a booking with no charge
        "twice": hold("confirmed", "c3", cancelled=True),  # refunded twice
        "unrefunded": hold("confirmed", "c4", cancelled=True),
        "lost": hold("confirmed", "c5"),  # a booking whose money was given back
        "voided": hold("confirmed", "c6"),  # a booking whose charge was voided
    }
    charges = {
        "kept": charge("c1"),
        "twice": charge("c3"),
        "unrefunded": charge("c4"),
        "lost": charge("c5"),
        "voided": charge("c6", voided=True),
    }
    refunds = [refund("c3", "rf_3"), refund("c3", "rf_3b"), refund("c5", "rf_5")]
    found = money_as_booked(holds, charges, refunds)
    assert len(found) == 6
    for holding_id in holds:
        assert any(line.startswith(f"{holding_id} ") or f" {holding_id} " in line for line in found)

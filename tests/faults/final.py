"""The final state of a fault run: holds and bookings from Cassandra, the seat map and the
analytics over HTTP, and the analytics recounted from the stored holds."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from analytics import store
from analytics.reconcile import LIVE_ONLY, differences
from analytics.recount import recount
from analytics.report import report
from infra.cassandra import Statements, connect
from infra.settings import Settings
from tests.faults.checks import Final
from tests.integration.partner import Partner
from tests.integration.seed import persisted_holds
from topics.partners import scoped


def bookings_of(settings: Settings, event_id: str) -> list[dict[str, Any]]:
    session = connect(settings)
    try:
        rows = session.execute(
            "SELECT booking_id, event_id, seats AS seat_ids, status FROM bookings"
        )
        return [dict(r) for r in rows if r["event_id"] == event_id]
    finally:
        session.cluster.shutdown()


def ledger_of(settings: Settings, holding_ids: set[str]) -> tuple[dict[str, Any], list[Any]]:
    """The simulator's charges of these holds (by holding id, voided or not) and every refund
    of them."""
    session = connect(settings)
    try:
        charges = {
            r["idempotency_key"]: dict(r)
            for r in session.execute(
                "SELECT idempotency_key, charge_id, amount, voided_at FROM charges"
            )
            if r["idempotency_key"] in holding_ids and r["charge_id"] is not None
        }
        ids = {c["charge_id"] for c in charges.values()}
        refunds = [
            dict(r)
            for r in session.execute("SELECT refund_id, charge_id, amount FROM refunds")
            if r["charge_id"] in ids
        ]
        return charges, refunds
    finally:
        session.cluster.shutdown()


async def read_final(
    settings: Settings, http: httpx.AsyncClient, event_id: str, partners: list[Partner]
) -> Final:
    seats = await http.get(f"/events/{event_id}/seats")
    seats.raise_for_status()
    holds = await asyncio.to_thread(persisted_holds, settings, event_id)
    charges, refunds = await asyncio.to_thread(
        ledger_of, settings, {str(h["holding_id"]) for h in holds}
    )
    return Final(
        event_id=event_id,
        holds=holds,
        charges=charges,
        refunds=refunds,
        bookings=await asyncio.to_thread(bookings_of, settings, event_id),
        seat_map={s["seat_id"]: s["status"] for s in seats.json()["seats"]},
        partner_outcomes={
            scoped(p.partner_id, command_id): seen
            for p in partners
            for command_id, seen in p.outcomes.items()
        },
    )


async def analytics_anomalies(
    settings: Settings,
    http: httpx.AsyncClient,
    event_id: str,
    headers: dict[str, str],
    timeout: float = 30.0,
) -> list[str]:
    """Figures from GET /events/{id}/analytics that differ from a recount of the stored holds
    (and bookings that differ from their holds), once the stream had `timeout` to catch up."""
    session = await asyncio.to_thread(connect, settings)
    q = Statements(session)
    try:
        event = await store.event_row(q, event_id)
        assert event is not None
        expected = report(
            event_id, recount(await store.stored_holds(q, event_id)), await store.capacity(q, event)
        )
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            response = await http.get(f"/events/{event_id}/analytics", headers=headers)
            shown = response.json() if response.status_code == 200 else {}
            found = [
                f"analytics {k}: shown {shown.get(k)!r}, recounted {v!r}"
                for k, v in expected.items()
                if k not in LIVE_ONLY and shown.get(k) != v
            ]
            found += [f"reconcile {k}: {v}" for k, v in (await differences(q, event)).items()]
            if not found or asyncio.get_running_loop().time() > deadline:
                return found
            await asyncio.sleep(1.0)
    finally:
        session.cluster.shutdown()

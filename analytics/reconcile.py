"""`python -m analytics.reconcile [--event-id ID]`: recompute every figure from the holds and
bookings the workers stored, compare with the live (materialised) figures; exit 1 on a
difference."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from analytics import store
from analytics.read import event_figures
from analytics.recount import recount
from analytics.report import report
from infra.cassandra import Statements, connect
from infra.settings import get_settings
from tables import bookings

LIVE_ONLY = ("name", "updated_at", "last_event_at")


async def differences(q: Statements, event: dict[str, Any]) -> dict[str, Any]:
    """{figure: (live, recomputed)} for each figure that differs; empty when they agree."""
    holds = await store.stored_holds(q, event["event_id"])
    entries = await store.stored_waitlist(q, event["event_id"])
    tally = recount(holds, entries)
    expected = report(event["event_id"], tally, await store.capacity(q, event))
    live = await event_figures(q, event)
    found = {k: (live.get(k), v) for k, v in expected.items() if live.get(k) != v}
    for hold in holds:
        if hold.booking_id is None:
            continue
        booking = await bookings.amount_and_status(q, hold.booking_id)
        status = "cancelled" if hold.booking_cancelled else "confirmed"
        if not booking or booking["status"] != status or booking["amount"] != hold.total_price:
            found[f"booking {hold.booking_id}"] = (booking, status)
    return found


async def reconcile(q: Statements, event_id: str | None) -> dict[str, dict[str, Any]]:
    """Differences per event (only events that differ)."""
    if event_id:
        event = await store.event_row(q, event_id)
        events = [event] if event else []
    else:
        events = await store.all_events(q)
    found = {e["event_id"]: await differences(q, e) for e in events}
    return {k: v for k, v in found.items() if v}


def main(event_id: str | None = typer.Option(None, help="one event; default all")) -> None:
    session = connect(get_settings())
    try:
        found = asyncio.run(reconcile(Statements(session), event_id))
    finally:
        session.cluster.shutdown()
    for event, diffs in found.items():
        for figure, (live, recomputed) in diffs.items():
            typer.echo(f"{event} {figure}: live {live!r} != recomputed {recomputed!r}")
    typer.echo("reconciled: every figure agrees" if not found else f"{len(found)} event(s) differ")
    raise typer.Exit(1 if found else 0)


if __name__ == "__main__":
    typer.run(main)

"""`python -m benchmarks.waitroom`: issue 13 item 6. N buyers join a sale of N/2 seats as fast
as the generator can send, through a waiting room and, in the same run, without one: join rate
and p99, errors, admitted buyers' hold p99, fairness inversions, sold out and the time to sell
out of both. The default is smoke scale; `--buyers 20000` is the issue's."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from cassandra.cluster import Session
from rich.console import Console

from benchmarks import seed
from benchmarks.deploy import drop
from benchmarks.http import call, session
from benchmarks.waitroom import fairness
from benchmarks.waitroom.onsale import OnSale
from infra.bootstrap import bootstrap
from infra.cassandra import Statements, connect
from infra.settings import Settings
from system.launch import start_system
from tables import queue
from tests.support import isolated_settings
from waitroom import order

HERE = Path(__file__).resolve().parent.parent
console = Console()
app = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)


async def sale(
    settings: Settings,
    db: Session,
    buyers: int,
    seats: int,
    connections: int,
    room: tuple[int, float] | None = None,
) -> dict[str, Any]:
    """One on-sale and its figures; with a waiting room when `room` gives its rate and the
    seconds from the first join to the sale's start."""
    admin = {"Authorization": f"Bearer {settings.admin_token}"}
    base = f"http://{settings.http_host}:{settings.http_port}"
    pool = await asyncio.to_thread(seed.make_buyers, db, buyers)
    per_row = 100 if seats >= 1000 else 10
    async with session(base, connections) as http:
        venue = await seed.make_venue(http, admin, -(-seats // per_row), per_row, 0)
        lead = room[1] if room else 0.0
        opens = datetime.now(UTC) + timedelta(seconds=lead)
        extra: dict[str, Any] = {"waiting_room": True, "admit_per_minute": room[0]} if room else {}
        extra["sale_starts_at"] = opens.isoformat()
        layout = await seed.make_event(http, admin, venue, "On-sale night", extra=extra)
        onsale = OnSale(layout.event_id, layout.capacity, time.perf_counter() + lead)
        buyer = onsale.queue_then_buy if room else (lambda h, b: onsale.buy(h, b, None))
        await asyncio.gather(*(buyer(http, b) for b in pool))
        status, seat_map = await call(http, "GET", f"/events/{layout.event_id}/seats")
    assert status == 200, seat_map  # noqa: S101 - the run is void without it
    booked = sum(s["status"] == "booked" for s in seat_map["seats"])
    rec = onsale.recorder
    result = {
        "buyers": buyers,
        "seats": layout.capacity,
        "errors": onsale.errors(),
        "sold_out": booked == layout.capacity,
        "time_to_sell_out_s": onsale.sold_out_after and round(onsale.sold_out_after, 2),
        "oversold": len(onsale.sold_seats) - len(set(onsale.sold_seats)),
        "hold": rec.summary("hold", ok=("201",)),
        "confirm": rec.summary("confirm"),
    }
    if room:
        result |= {
            "join": rec.summary("join"),
            "poll": rec.summary("poll"),
            "fairness_inversions": await inversions(db, onsale),
        }
    return result


async def inversions(db: Session, onsale: OnSale) -> int:
    """Fairness inversions of the run, from the buyers' joins and the stored arrivals."""
    stored = {
        a.ticket_id: a
        for a in map(order.arrival_of, await queue.arrivals(Statements(db), onsale.event_id))
    }
    row = await queue.room(Statements(db), onsale.event_id)
    assert row is not None  # noqa: S101
    opens = row["sale_starts_at"].timestamp()
    seen = []
    for joined in onsale.joined:
        arrival = stored[joined.ticket_id]
        let_in = arrival.admitted_at if arrival.admitted_at is not None else float("inf")
        presale = order.presale(arrival, opens)
        seen.append(fairness.Seen(joined.sent, joined.answered, presale, arrival.lottery, let_in))
    return fairness.inversions(seen)


@app.command()
def main(
    buyers: Annotated[int, typer.Option(help="Buyers (the issue: 20000).")] = 400,
    seats: Annotated[int | None, typer.Option(help="Seats (default: half the buyers).")] = None,
    connections: Annotated[int, typer.Option(help="HTTP connections of the generator.")] = 256,
    admit_per_minute: Annotated[int | None, typer.Option(help="The room's rate.")] = None,
    lead: Annotated[float, typer.Option(help="Seconds from the first join to the sale.")] = 2.0,
    workers: Annotated[int, typer.Option(help="Seat worker processes.")] = 2,
    out: Annotated[Path | None, typer.Option(help="Where result.json goes.")] = None,
) -> None:
    """Run both on-sales in one deployment; print and write the figures."""
    settings = isolated_settings(log_level="WARNING")
    seats = seats or buyers // 2
    rate = admit_per_minute or settings.admit_per_minute
    out = out or HERE / "results" / f"waitroom-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    bootstrap(settings)
    system = start_system(settings, out / "logs", workers=workers, analytics=False)
    db = connect(settings, timeout=60.0)
    try:
        with console.status(f"{buyers} buyers through a waiting room ({rate}/min)"):
            with_room = asyncio.run(sale(settings, db, buyers, seats, connections, (rate, lead)))
        with console.status(f"{buyers} buyers without a waiting room"):
            without = asyncio.run(sale(settings, db, buyers, seats, connections))
        result = {"admit_per_minute": rate, "with_waiting_room": with_room, "without": without}
        (out / "result.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
        console.print_json(data=result)
        console.print(f"written to {out}")
    finally:
        db.cluster.shutdown()
        system.stop()
        drop(settings)


if __name__ == "__main__":
    app()

"""Baseline (a): the same hold and confirm API with no Kafka, each seat taken by a Cassandra
lightweight transaction in the request handler. `python -m benchmarks.naive_app`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Header, Request

from infra.cassandra import Statements, applied, connect
from infra.settings import Settings, get_settings
from ingress.auth import Authenticator, Principal
from ingress.errors import ApiError, error_response
from ingress.errors import install as install_errors
from ingress.responses import OrjsonResponse
from ingress.routes.holds import ConfirmRequest, HoldRequest
from seating import Seat, best_available
from seating.state import row_order

TABLES = (
    "CREATE TABLE IF NOT EXISTS naive_seat_claims (event_id text, seat_id text, holding_id text,"
    " user_id text, status text, PRIMARY KEY ((event_id, seat_id)))",
    "CREATE TABLE IF NOT EXISTS naive_holds (holding_id text PRIMARY KEY, event_id text,"
    " user_id text, seat_ids list<text>, total_price double, expires_at timestamp,"
    " status text, booking_id text)",
)
CLAIM = (
    "INSERT INTO naive_seat_claims (event_id, seat_id, holding_id, user_id, status) "
    "VALUES (?, ?, ?, ?, 'held') IF NOT EXISTS USING TTL ?"
)
RELEASE = "DELETE FROM naive_seat_claims WHERE event_id = ? AND seat_id = ? IF holding_id = ?"
BOOK = (
    "UPDATE naive_seat_claims USING TTL 0 SET status = 'booked', holding_id = ?, user_id = ? "
    "WHERE event_id = ? AND seat_id = ? IF holding_id = ?"
)
CHARGE = (
    "INSERT INTO charges (idempotency_key, charge_id, amount, card_token, created_at) "
    "VALUES (?, ?, ?, ?, ?) IF NOT EXISTS"
)


class Event:
    """Seats and prices of one event, and the seats this process knows to be taken."""

    def __init__(self, row: dict[str, Any], seats: list[dict[str, Any]]) -> None:
        prices = dict(row["prices"] or {})
        self.ttl: int = row["hold_ttl_seconds"]
        self.seats = {
            s["seat_id"]: Seat(s["seat_id"], s["row"], s["number"], s["seat_type"], prices[t])
            for s in seats
            if (t := s["seat_type"]) in prices
        }
        by_type: dict[str, dict[str, list[Seat]]] = {}
        for seat in self.seats.values():
            by_type.setdefault(seat.seat_type, {}).setdefault(seat.row, []).append(seat)
        self.rows = {
            t: [sorted(r, key=lambda s: s.number) for _, r in sorted(rs.items(), key=_row_key)]
            for t, rs in by_type.items()
        }
        self.taken: set[str] = set()


def _row_key(item: tuple[str, list[Seat]]) -> tuple[int, int, str]:
    return row_order(item[0])


class Naive:
    def __init__(self, q: Statements, auth: Authenticator) -> None:
        self.q, self.auth = q, auth
        self.events: dict[str, Event] = {}

    async def event(self, event_id: str) -> Event:
        if event_id not in self.events:
            rows = await self.q.run(
                "SELECT venue_id, prices, hold_ttl_seconds FROM events WHERE event_id = ?",
                event_id,
            )
            if not rows:
                raise ApiError(404, "event_not_found", "no such event")
            seats = await self.q.run(
                "SELECT seat_id, row, number, seat_type FROM venue_seats WHERE venue_id = ?",
                rows[0]["venue_id"],
            )
            self.events[event_id] = Event(rows[0], seats)
        return self.events[event_id]

    async def claim(
        self, event_id: str, event: Event, seat_ids: list[str], hold: str, user: str
    ) -> list[str]:
        """Take every seat with an LWT; on any refusal give back the ones taken. -> refused."""
        done = await asyncio.gather(
            *(self.q.run(CLAIM, event_id, s, hold, user, event.ttl) for s in seat_ids)
        )
        refused = [s for s, rows in zip(seat_ids, done, strict=True) if not applied(rows)]
        event.taken.update(seat_ids)
        if refused:
            got = [s for s in seat_ids if s not in refused]
            await asyncio.gather(*(self.q.run(RELEASE, event_id, s, hold) for s in got))
            event.taken.difference_update(got)
        return refused

    async def hold(self, event_id: str, body: HoldRequest, user: str) -> OrjsonResponse:
        event = await self.event(event_id)
        holding_id = uuid.uuid4().hex
        if body.seat_ids is not None:
            chosen = list(body.seat_ids)
            if any(s not in event.seats for s in chosen):
                raise ApiError(422, "unknown_seats", "no such seats at this event")
            refused = await self.claim(event_id, event, chosen, holding_id, user)
            if refused:
                return error_response(
                    409, "seats_unavailable", "taken", {"unavailable_seat_ids": refused}
                )
        else:
            for _ in range(3):
                picked = best_available.choose(
                    event.rows.get(body.seat_type or "", []),
                    body.quantity or 1,
                    lambda s: s not in event.taken,
                )
                if picked is None:
                    return error_response(409, "not_enough_seats", "too few seats are available")
                chosen = [s.seat_id for s in picked]
                if not await self.claim(event_id, event, chosen, holding_id, user):
                    break
            else:
                return error_response(409, "not_enough_seats", "lost the race three times")
        total = round(sum(event.seats[s].price for s in chosen), 2)
        expires = datetime.fromtimestamp(datetime.now(UTC).timestamp() + event.ttl, UTC)
        await self.q.run(
            "INSERT INTO naive_holds (holding_id, event_id, user_id, seat_ids, total_price, "
            "expires_at, status) VALUES (?, ?, ?, ?, ?, ?, 'held')",
            holding_id,
            event_id,
            user,
            chosen,
            total,
            expires,
        )
        result: dict[str, object] = {
            "holding_id": holding_id,
            "event_id": event_id,
            "user_id": user,
        }
        result |= {"seat_ids": chosen, "total_price": total, "expires_at": expires.isoformat()}
        return OrjsonResponse(result, status_code=201)

    async def confirm(self, holding_id: str, token: str, user: str) -> OrjsonResponse:
        rows = await self.q.run("SELECT * FROM naive_holds WHERE holding_id = ?", holding_id)
        if not rows or rows[0]["user_id"] != user:
            raise ApiError(404, "hold_not_found", "no such hold")
        hold = rows[0]
        booking = {
            "booking_id": f"b{holding_id}",
            "holding_id": holding_id,
            "event_id": hold["event_id"],
            "user_id": user,
            "seat_ids": hold["seat_ids"],
            "amount": hold["total_price"],
            "status": "confirmed",
        }
        if hold["status"] == "confirmed":
            return OrjsonResponse(booking, status_code=200)
        if hold["expires_at"].replace(tzinfo=UTC) <= datetime.now(UTC):
            raise ApiError(410, "hold_expired", "the hold has expired")
        if token != "tok_ok":  # noqa: S105 - the simulator's test token
            raise ApiError(402, "payment_declined", "the payment was declined")
        now = datetime.now(UTC)
        await self.q.run(CHARGE, holding_id, f"ch_{holding_id}", hold["total_price"], token, now)
        done = await self.q.run(
            "UPDATE naive_holds SET status = 'confirmed', booking_id = ? "
            "WHERE holding_id = ? IF status = 'held'",
            booking["booking_id"],
            holding_id,
        )
        if not applied(done):
            return OrjsonResponse(booking, status_code=200)
        await asyncio.gather(
            *(
                self.q.run(BOOK, holding_id, user, hold["event_id"], s, holding_id)
                for s in hold["seat_ids"]
            )
        )
        return OrjsonResponse(booking, status_code=201)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        session = await asyncio.to_thread(connect, settings)
        for cql in TABLES:
            await asyncio.to_thread(session.execute, cql, timeout=60.0)
        q = Statements(session)
        app.state.naive = Naive(q, Authenticator(q, settings.admin_token))
        yield
        session.cluster.shutdown()

    app = FastAPI(default_response_class=OrjsonResponse, lifespan=lifespan)
    install_errors(app)

    async def who(request: Request, authorization: str | None) -> tuple[Naive, Principal]:
        naive: Naive = request.app.state.naive
        return naive, await naive.auth.principal(authorization)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/events/{event_id}/hold", status_code=201)
    async def hold_seats(
        event_id: str, body: HoldRequest, request: Request, authorization: str | None = Header(None)
    ) -> Any:
        body.check_one_form()
        naive, principal = await who(request, authorization)
        return await naive.hold(event_id, body, principal.user_id)

    @app.post("/{holding_id}/confirm", status_code=201)
    async def confirm_hold(
        holding_id: str,
        body: ConfirmRequest,
        request: Request,
        authorization: str | None = Header(None),
    ) -> Any:
        naive, principal = await who(request, authorization)
        return await naive.confirm(holding_id, body.payment_token, principal.user_id)

    return app


if __name__ == "__main__":
    current = get_settings()
    uvicorn.run(
        create_app(current),
        host=current.http_host,
        port=current.http_port,
        log_level="warning",
        access_log=False,
    )

"""The clients of a fault run: buyers over HTTP (one token each) and partners over Kafka. Each
draws its choices from its own seeded generator and records every operation in the history."""

from __future__ import annotations

import asyncio
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka.errors import KafkaError

from tests.faults.history import History, Op
from tests.integration.partner import Partner
from topics.partners import PartnerCommand, PartnerConfirmHoldV1, PartnerHoldSeatsV1, scoped


def http_command_id(user_id: str, path: str, key: str) -> str:
    """The command id the ingress derives from an Idempotency-Key (ingress.routes.holds)."""
    return hashlib.sha256(f"{user_id}\n{path}\n{key}".encode()).hexdigest()[:32]


@dataclass
class Run:
    """What every client shares: the event, its seats, the history and the stop signal."""

    event_id: str
    seats: list[str]
    history: History
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    duplicate_rounds: int = 0  # raised by the nemesis: partners send recent commands again

    def duplicate(self) -> None:
        self.duplicate_rounds += 1


class Buyer:
    """Holds 1-3 seats, then pays, cancels or lets the hold lapse; sometimes cancels the
    booking. A request without an answer is retried once with the same Idempotency-Key."""

    def __init__(self, run: Run, http: httpx.AsyncClient, user: dict[str, Any], seed: int) -> None:
        self.run_ = run
        self.http = http
        self.user = user
        self.name = f"http-{user['user_id'][:8]}"
        self.rng = random.Random(f"{seed}-{user['email']}")
        self.headers = {"Authorization": f"Bearer {user['token']}"}
        self.rounds = 0

    async def run(self) -> None:
        while not self.run_.stop.is_set():
            await self.round()

    async def round(self) -> None:
        self.rounds += 1
        seats = self.rng.sample(self.run_.seats, self.rng.randint(1, 3))
        key = f"{self.name}-hold-{self.rounds}"
        path = f"/events/{self.run_.event_id}/hold"
        args = {"seat_ids": seats, "command_id": http_command_id(self.user["user_id"], path, key)}
        hold = await self.call_twice("hold", path, {"seat_ids": seats}, key, args)
        if hold.status != "ok":
            await asyncio.sleep(self.rng.uniform(0.05, 0.3))
            return
        holding_id = hold.result["body"]["holding_id"]
        await asyncio.sleep(self.rng.uniform(0.0, 1.5))
        choice = self.rng.random()
        if choice < 0.55:
            key = f"{self.name}-confirm-{self.rounds}"
            body = {"payment_token": "tok_ok"}
            args = {"holding_id": holding_id}
            booked = await self.call_twice("confirm", f"/{holding_id}/confirm", body, key, args)
            if booked.status == "ok" and self.rng.random() < 0.15:
                booking_id = booked.result["body"]["booking_id"]
                path = f"/bookings/{booking_id}/cancel"
                key = f"{self.name}-unbook-{self.rounds}"
                await self.call_twice("cancel_booking", path, None, key, {"booking_id": booking_id})
        elif choice < 0.75:
            key = f"{self.name}-cancel-{self.rounds}"
            await self.call_twice(
                "cancel", f"/{holding_id}/cancel", None, key, {"holding_id": holding_id}
            )

    async def call_twice(
        self, kind: str, path: str, body: Any, key: str, args: dict[str, Any]
    ) -> Op:
        op = await self.call(kind, path, body, key, args)
        if op.status == "unknown" and not self.run_.stop.is_set():
            await asyncio.sleep(self.rng.uniform(0.5, 1.5))  # back off while something is down
            op = await self.call(kind, path, body, key, args | {"retry": True})
        if op.status == "unknown":
            await asyncio.sleep(self.rng.uniform(0.5, 1.5))
        return op

    async def call(self, kind: str, path: str, body: Any, key: str, args: dict[str, Any]) -> Op:
        op = self.run_.history.invoke(self.name, kind, **args)
        headers = self.headers | {"Idempotency-Key": key}
        try:
            response = await self.http.post(path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            return self.run_.history.complete(op, "unknown", error=type(exc).__name__)
        try:
            data = response.json()
        except ValueError:
            data = {"text": response.text[:200]}
        code = (data.get("error") or {}).get("code") if isinstance(data, dict) else None
        if response.status_code < 300:
            status = "ok"
        elif response.status_code >= 500:
            status = "unknown"
        else:
            status = "fail"
        return self.run_.history.complete(
            op, status, http=response.status_code, code=code, body=data
        )


class PartnerClient:
    """A partner with its own credentials, through the gateway: sends holds (and confirms for
    some); a quarter of its commands twice, and all of its recent ones again when the nemesis
    says `duplicate`. The history records each command under the id the seat workers see."""

    OUTCOME_TIMEOUT = 10.0

    def __init__(self, run: Run, partner: Partner, index: int, seed: int) -> None:
        self.run_ = run
        self.partner = partner
        self.name = f"partner-{index}"
        self.rng = random.Random(f"{seed}-{self.name}")
        self.sent: list[PartnerCommand] = []
        self.count = 0
        self.duplicated = 0

    async def run(self) -> None:
        while not self.run_.stop.is_set():
            if self.duplicated < self.run_.duplicate_rounds:
                self.duplicated = self.run_.duplicate_rounds
                await self.resend_recent()
            await self.round()

    async def round(self) -> None:
        self.count += 1
        seats = self.rng.sample(self.run_.seats, self.rng.randint(1, 3))
        command = PartnerHoldSeatsV1(
            command_id=f"{self.name}-{self.run_.history.seed}-{self.count}",
            event_id=self.run_.event_id,
            seat_ids=seats,
        )
        op = await self.ask("hold", command, {"seat_ids": seats})
        if op.status == "ok" and self.rng.random() < 0.5:
            holding_id = op.result["body"]["holding_id"]
            confirm = PartnerConfirmHoldV1(
                command_id=f"{command.command_id}-confirm",
                event_id=self.run_.event_id,
                holding_id=holding_id,
                payment_token="tok_ok",
            )
            await self.ask("confirm", confirm, {"holding_id": holding_id})
        else:
            await asyncio.sleep(self.rng.uniform(0.05, 0.3))

    async def ask(self, kind: str, command: PartnerCommand, args: dict[str, Any]) -> Op:
        history = self.run_.history
        internal = scoped(self.partner.partner_id, command.command_id)
        op = history.invoke(self.name, kind, command_id=internal, via="kafka", **args)
        twice = self.rng.random() < 0.25
        for _ in range(2 if twice else 1):
            if not await self.send(command):
                return history.complete(op, "unknown", error="send failed")
        self.sent = [*self.sent[-29:], command]
        try:
            await self.partner.wait_for([command.command_id], timeout=self.OUTCOME_TIMEOUT)
        except TimeoutError:
            return history.complete(op, "unknown", error="no outcome in time", twice=twice)
        outcome = self.partner.first(command.command_id)
        status = "fail" if outcome.status == "rejected" else "ok"
        code = outcome.error.code if outcome.error else None
        return history.complete(op, status, twice=twice, code=code, body=outcome.result)

    async def send(self, command: PartnerCommand) -> bool:
        try:
            async with asyncio.timeout(5.0):
                await self.partner.send(command)
        except (TimeoutError, KafkaError):
            return False
        return True

    async def resend_recent(self) -> None:
        """Deliver recent commands again (their outcomes must repeat, their effects not)."""
        self.run_.history.fault("duplicate", "resend", client=self.name, count=len(self.sent))
        for command in self.sent:
            await self.send(command)

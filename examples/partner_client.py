"""A partner's client for Evently's Kafka channel, needing only aiokafka.

Give it the JSON that POST /partners answered (the `kafka` block is enough):

    python examples/partner_client.py partner.json EVENT_ID --quantity 2 --seat-type standard

It holds the best available seats, confirms them with a test payment token, and prints each
outcome as it arrives on the partner's result topic. `PartnerClient` is the reusable part:
send commands with `send`, await their outcomes (matched by correlation id) with `ask`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import uuid
from contextlib import suppress
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


class PartnerClient:
    """Produces to the partner's command topic; reads its result topic."""

    def __init__(self, kafka: dict[str, Any], group: str | None = None) -> None:
        self.kafka = kafka
        auth = {
            "bootstrap_servers": kafka["bootstrap_servers"],
            "security_protocol": kafka["security_protocol"],
            "sasl_mechanism": kafka["sasl_mechanism"],
            "sasl_plain_username": kafka["username"],
            "sasl_plain_password": kafka["password"],
        }
        if kafka["security_protocol"] == "SASL_SSL":
            auth["ssl_context"] = ssl.create_default_context()
        self.producer = AIOKafkaProducer(**auth, acks="all")
        self.consumer = AIOKafkaConsumer(
            kafka["result_topic"],
            **auth,
            group_id=group or f"{kafka['consumer_group_prefix']}-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="latest",
        )
        self.outcomes: dict[str, list[dict[str, Any]]] = {}
        self._arrived = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.producer.start()
        await self.consumer.start()
        while not self.consumer.assignment():  # read from the end before anything is sent
            await asyncio.sleep(0.05)
        for tp in self.consumer.assignment():
            await self.consumer.position(tp)
        self._reader = asyncio.create_task(self._read())

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            with suppress(asyncio.CancelledError):
                await self._reader
        await self.consumer.stop()
        await self.producer.stop()

    async def send(self, command: dict[str, Any]) -> str:
        """Send a command (a command_id is made when it has none); returns its correlation id."""
        command = {"command_id": uuid.uuid4().hex, **command}
        command.setdefault("correlation_id", command["command_id"])
        await self.producer.send_and_wait(
            self.kafka["command_topic"],
            json.dumps(command).encode(),
            key=str(command.get("event_id", "")).encode(),
        )
        return str(command["correlation_id"])

    async def send_raw(self, key: bytes | None, value: bytes) -> None:
        """Send bytes as they are (to see how malformed input is answered)."""
        await self.producer.send_and_wait(self.kafka["command_topic"], value, key=key)

    async def outcome(self, correlation_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """The first outcome with this correlation id."""
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: correlation_id in self.outcomes)
            return self.outcomes[correlation_id][0]

    async def ask(self, command: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
        """Send a command and await its outcome."""
        return await self.outcome(await self.send(command), timeout)

    async def _read(self) -> None:
        async for record in self.consumer:
            outcome = json.loads(record.value)
            key = record.key.decode() if record.key else outcome.get("command_id", "")
            async with self._arrived:
                self.outcomes.setdefault(key, []).append(outcome)
                self._arrived.notify_all()


async def buy(kafka: dict[str, Any], event_id: str, seat_type: str, quantity: int) -> int:
    client = PartnerClient(kafka)
    await client.start()
    try:
        hold = await client.ask(
            {
                "type": "hold_seats",
                "event_id": event_id,
                "seat_type": seat_type,
                "quantity": quantity,
                "customer_ref": "example-order-1",
            }
        )
        print(json.dumps(hold, indent=2))
        if hold["status"] != "created":
            return 1
        confirm = await client.ask(
            {
                "type": "confirm_hold",
                "event_id": event_id,
                "holding_id": hold["result"]["holding_id"],
                "payment_token": "tok_ok",
            }
        )
        print(json.dumps(confirm, indent=2))
        return 0 if confirm["status"] in ("created", "ok") else 1
    finally:
        await client.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("credentials", help="the JSON POST /partners answered")
    parser.add_argument("event_id")
    parser.add_argument("--seat-type", default="standard")
    parser.add_argument("--quantity", type=int, default=2)
    args = parser.parse_args()
    with open(args.credentials) as f:
        made = json.load(f)
    kafka = made.get("kafka", made)
    raise SystemExit(asyncio.run(buy(kafka, args.event_id, args.seat_type, args.quantity)))


if __name__ == "__main__":
    main()

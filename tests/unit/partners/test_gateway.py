"""The partner gateway with in-memory Kafka: identity from the topic, what is forwarded, what
is answered, and outcomes routed back to their partner only."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError

from partners.gateway import Gateway, PartnerSender
from partners.limits import RateLimits
from tables.partners import Partner
from tests.unit.workers.test_publisher import FlakyProducer
from topics.names import Topics
from topics.outcomes import CommandOutcomeV1
from topics.partners import scoped

TOPICS = Topics("t.")
P, Q = "a" * 32, "b" * 32
EVENT = "e" * 32


def partner(partner_id: str, rate: float = 100.0) -> Partner:
    return Partner(
        partner_id=partner_id,
        name="Tix",
        user_id=f"user-of-{partner_id[0]}",
        kafka_username=f"t.partner-{partner_id}",
        command_topic=TOPICS.partner_commands(partner_id),
        result_topic=TOPICS.partner_results(partner_id),
        commands_per_second=rate,
        seats_per_event=7,
        created_at=datetime.now(UTC),
    )


class Known:
    """The partners table, in memory."""

    def __init__(self, *partners: Partner) -> None:
        self.partners = {p.partner_id: p for p in partners}

    async def get(self, partner_id: str) -> Partner | None:
        return self.partners.get(partner_id)


def record(topic: str, value: Any, key: bytes | None = EVENT.encode()) -> ConsumerRecord:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return ConsumerRecord(topic, 0, 5, 0, 0, key, raw, None, 0, len(raw), [])


def rig(*partners: Partner) -> tuple[Gateway, FlakyProducer]:
    producer = FlakyProducer(0, RuntimeError())
    sender = PartnerSender(producer, TOPICS, "gateway-test")
    gateway = Gateway(None, None, sender, Known(*partners), RateLimits())  # type: ignore[arg-type]
    return gateway, producer


def sent(producer: FlakyProducer, topic: str) -> list[dict[str, Any]]:
    return [json.loads(value) for t, value in producer.sent if t == topic]


async def test_a_command_is_forwarded_as_the_partner_whose_topic_it_came_on() -> None:
    gateway, producer = rig(partner(P))
    forged = {
        "type": "cancel_booking",
        "event_id": EVENT,
        "command_id": "c1",
        "booking_id": "b1",
        "user_id": "victim",
        "as_admin": True,
    }
    await gateway.command(record(TOPICS.partner_commands(P), forged))
    await gateway.sender.flush()
    (forwarded,) = sent(producer, TOPICS.seat_commands)
    assert forwarded["user_id"] == "user-of-a" and not forwarded.get("as_admin")
    assert forwarded["command_id"] == scoped(P, "c1") == forwarded["correlation_id"]


async def test_what_is_not_forwarded_is_answered_on_the_partners_own_topic() -> None:
    gateway, producer = rig(partner(P, rate=1.0))
    topic = TOPICS.partner_commands(P)
    await gateway.command(record(topic, {"type": "expire_hold", "command_id": "x1"}))
    await gateway.command(record(topic, b"{not json"))
    hold = {"type": "hold_seats", "event_id": EVENT, "seat_ids": ["A-1"]}
    await gateway.command(record(topic, {**hold, "command_id": "h1"}))
    await gateway.command(record(topic, {**hold, "command_id": "h2"}))  # over 1 a second
    await gateway.sender.flush()
    answers = sent(producer, TOPICS.partner_results(P))
    codes = {a.get("command_id"): a["error"]["code"] for a in answers}
    assert codes == {"x1": "command_not_allowed", "": "invalid_command", "h2": "rate_limited"}
    assert [f["command_id"] for f in sent(producer, TOPICS.seat_commands)] == [scoped(P, "h1")]
    letters = sent(producer, TOPICS.dead_letters)
    assert {d["reason"] for d in letters} == {"command_not_allowed", "bad_json"}


async def test_a_topic_of_no_known_partner_is_dead_lettered_not_forwarded() -> None:
    gateway, producer = rig(partner(P))
    await gateway.command(record(TOPICS.partner_commands(Q), {"type": "hold_seats"}))
    await gateway.sender.flush()
    assert sent(producer, TOPICS.seat_commands) == []
    assert [d["reason"] for d in sent(producer, TOPICS.dead_letters)] == ["unknown_partner"]


async def test_outcomes_reach_their_partner_only() -> None:
    gateway, producer = rig(partner(P), partner(Q))
    outcome = CommandOutcomeV1(
        command_id=scoped(P, "c1"), correlation_id=scoped(P, "k1"), event_id=EVENT, status="ok"
    )
    stranger = outcome.model_copy(update={"command_id": "c2", "correlation_id": "c2"})
    for message in (outcome, stranger):
        await gateway.result(record(TOPICS.seat_results, message.model_dump_json().encode()))
    await gateway.sender.flush()
    (answer,) = sent(producer, TOPICS.partner_results(P))
    assert (answer["command_id"], answer["correlation_id"]) == ("c1", "k1")
    assert sent(producer, TOPICS.partner_results(Q)) == []


class ScriptedConsumer:
    """Hands out batches; a seek puts the batch back; the first commit fails (a rebalance)."""

    def __init__(self, *batches: dict[Any, list[ConsumerRecord]]) -> None:
        self.batches = list(batches)
        self.seeks: list[tuple[Any, int]] = []
        self.commits: list[dict[Any, int]] = []

    async def getmany(self, **_: Any) -> dict[Any, list[ConsumerRecord]]:
        if self.batches:
            return self.batches.pop(0)
        await asyncio.sleep(0.01)
        return {}

    def seek(self, tp: Any, offset: int) -> None:
        self.seeks.append((tp, offset))
        self.batches.insert(0, {tp: [r for r in self.last[tp] if r.offset >= offset]})

    async def commit(self, offsets: dict[Any, int]) -> None:
        self.commits.append(offsets)
        if len(self.commits) == 1:
            raise CommitFailedError("rebalancing")


async def test_a_failed_poll_is_read_again_and_a_failed_commit_does_not_stop_the_loop() -> None:
    gateway, _ = rig(partner(P))
    tp = TopicPartition(TOPICS.partner_commands(P), 0)
    first, second = record(tp.topic, {}), record(tp.topic, {})
    consumer = ScriptedConsumer({tp: [first]}, {tp: [second]})
    consumer.last = {tp: [first]}  # type: ignore[attr-defined]
    handled: list[ConsumerRecord] = []

    async def handle(message: ConsumerRecord) -> None:
        handled.append(message)
        if len(handled) == 1:
            raise ConnectionError("Cassandra stopped")

    loop = asyncio.create_task(gateway._loop(consumer, handle))  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(10):
            while len(consumer.commits) < 2:
                await asyncio.sleep(0.01)
    finally:
        loop.cancel()
    assert consumer.seeks == [(tp, first.offset)]
    assert handled == [first, first, second]
    assert consumer.commits == [{tp: first.offset + 1}, {tp: second.offset + 1}]

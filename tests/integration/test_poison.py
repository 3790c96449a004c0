"""Poison on the seat-commands topic: each unreadable message lands on the dead-letter topic
with its reason and is counted in /metrics; the worker stays up and valid commands sent
between the poison still get their outcomes promptly."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from infra.kafka import make_consumer, topics_for
from infra.settings import Settings
from system.launch import System, settings_env
from tests.integration.partner import CommandClient
from tests.integration.seed import seed_event
from tests.support import free_port
from topics.commands import HoldSeatsV1
from topics.dead_letters import DeadLetterV1
from topics.names import SEAT_COMMANDS
from topics.partitioning import seat_partition

pytestmark = pytest.mark.integration
ROUNDS = 40


def poison(event_id: str) -> list[tuple[str, bytes | None, bytes | None, int | None]]:
    """(expected reason, key, value, partition) of every kind of unreadable command (the
    partition: None for the key's own)."""
    key = event_id.encode()
    hold = {"type": "hold_seats", "command_id": uuid.uuid4().hex, "event_id": event_id}
    hold |= {"user_id": "mallory", "seat_ids": ["A-1"]}
    elsewhere = (seat_partition(event_id) + 1) % SEAT_COMMANDS.partitions
    kinds: list[tuple[str, bytes | None, bytes | None]] = [
        ("bad_json", key, b"{oops"),
        ("bad_json", key, None),
        ("not_an_object", key, b"[1, 2]"),
        ("unknown_type", key, orjson.dumps(hold | {"type": "steal_seats"})),
        ("unknown_type", key, orjson.dumps({k: v for k, v in hold.items() if k != "type"})),
        ("unsupported_version", key, orjson.dumps(hold | {"schema_version": 2})),
        ("invalid_fields", key, orjson.dumps(hold | {"seat_ids": "A-1"})),
        ("invalid_fields", key, orjson.dumps(hold | {"admin": True})),
        ("wrong_key", uuid.uuid4().hex.encode(), orjson.dumps(hold)),
        ("wrong_key", None, orjson.dumps(hold)),
        ("too_large", key, orjson.dumps(hold | {"pad": "x" * 70_000})),
    ]
    # A readable command in a partition that does not decide its event.
    return [(*kind, None) for kind in kinds] + [
        ("wrong_partition", key, orjson.dumps(hold), elsewhere)
    ]


@pytest.fixture
def metrics_port(settings: Settings, workers: System) -> Iterator[int]:
    """One worker serving /metrics on a port of its own."""
    port = free_port()
    workers.spawn("worker-1", "workers", settings_env(settings) | metrics_env(port))
    yield port


def metrics_env(port: int) -> dict[str, str]:
    return {"EVENTLY_WORKER_METRICS_PORT": str(port)}


def dead_letter_counts(port: int) -> Counter[str]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    counts: Counter[str] = Counter()
    for family in text_string_to_metric_families(text):
        if family.name == "evently_dead_letters":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    counts[sample.labels["reason"]] += int(sample.value)
    return counts


async def read_dead_letters(settings: Settings, count: int) -> list[DeadLetterV1]:
    consumer = make_consumer(
        settings,
        "admin",
        topics_for(settings).dead_letters,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    letters: list[DeadLetterV1] = []
    try:
        async with asyncio.timeout(30):
            while len(letters) < count:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    letters += [DeadLetterV1.model_validate_json(r.value) for r in records]
    finally:
        await consumer.stop()
    return letters


async def holds(partner: CommandClient, event_id: str, seats: list[str], n: int) -> float:
    """Seconds until `n` one-seat holds, sent one by one, all have outcomes."""
    started = time.monotonic()
    commands = [
        HoldSeatsV1(
            command_id=uuid.uuid4().hex, event_id=event_id, user_id=f"u{i}", seat_ids=[seats[i]]
        )
        for i in range(n)
    ]
    for command in commands:
        await partner.send(command)
    await partner.wait_for([c.command_id for c in commands], timeout=60)
    return time.monotonic() - started


async def test_poison_is_dead_lettered_and_the_worker_keeps_its_pace(
    settings: Settings, workers: System, partner: CommandClient, metrics_port: int
) -> None:
    event_id, seats = seed_event(settings, rows="ABCDEFGHIJ", per_row=10)
    await holds(partner, event_id, seats[:1], 1)  # the worker is up and owns the partition
    baseline = await holds(partner, event_id, seats[1:], ROUNDS)
    kinds = poison(event_id)
    started, sent = time.monotonic(), []
    for i in range(ROUNDS):
        reason, key, value, partition = kinds[i % len(kinds)]
        await partner.send_raw(key, value, partition)
        command = HoldSeatsV1(
            command_id=uuid.uuid4().hex,
            event_id=event_id,
            user_id=f"v{i}",
            seat_ids=[seats[ROUNDS + 1 + i]],
        )
        await partner.send(command)
        sent.append((reason, command.command_id))
    await partner.wait_for([c for _, c in sent], timeout=60)
    interleaved = time.monotonic() - started
    print(f"{ROUNDS} holds: {baseline:.2f}s alone, {interleaved:.2f}s between poison")
    assert interleaved < max(3 * baseline, baseline + 5.0)
    assert all(partner.first(c).status == "created" for _, c in sent)
    assert workers.processes["worker-1"].poll() is None, "the worker is still running"

    expected = Counter(reason for reason, _ in sent)
    letters = await read_dead_letters(settings, ROUNDS)
    assert Counter(letter.reason for letter in letters) == expected
    assert all(letter.source_topic == topics_for(settings).seat_commands for letter in letters)
    assert all(letter.detail for letter in letters)
    assert dead_letter_counts(metrics_port) == expected

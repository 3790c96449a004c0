"""The partners table: one row per partner on Kafka."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from infra.cassandra import Statements

_COLUMNS = (
    "partner_id, name, user_id, kafka_username, command_topic, result_topic, "
    "commands_per_second, seats_per_event, created_at"
)


@dataclass(frozen=True)
class Partner:
    """A partner, its Evently user, its Kafka principal, topics and limits."""

    partner_id: str
    name: str
    user_id: str
    kafka_username: str
    command_topic: str
    result_topic: str
    commands_per_second: float
    seats_per_event: int
    created_at: datetime


async def insert(q: Statements, partner: Partner) -> None:
    await q.run(
        f"INSERT INTO partners ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
        *vars(partner).values(),
    )


async def read(q: Statements, partner_id: str) -> Partner | None:
    rows = await q.run(
        f"SELECT {_COLUMNS} FROM partners WHERE partner_id = ?",  # noqa: S608
        partner_id,
    )
    return Partner(**rows[0]) if rows else None

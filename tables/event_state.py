"""The seat_state table: every event's seat state as its owning worker keeps it.

Sharded by the seat-commands partition that decides the event (`topics.partitioning`): one
Cassandra partition per shard holds the rows of all its events and, as static columns, the
shard's owner `epoch` (with the `owner`'s name) and `version` (batches written so far). Rows
(event_id, kind, item_id):
* `hold`, holding id: the hold and its waiting confirms (`hold_to_row`);
* `wait`, waitlist id: a waiting-list entry (`waitlist_to_row`);
* `cmd`, command id: a finished command's outcome, kept 7 days;
* `out`, message id: a booking event not yet acknowledged by Kafka (the outbox).
Only the shard's owner writes, each poll for all of its events in one batch conditional on its
epoch and the version; readers use the functions below, which find the shard themselves.
Who occupies a seat is read from the hold rows (a hold lists its seats). Seats once had rows of
their own as well: 40 % of the rows of every batch, read by no decision and no page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from cassandra import ConsistencyLevel
from cassandra.cluster import Session
from cassandra.query import BatchStatement, BatchType

from infra.cassandra import Statements, applied, execute
from seating import Hold, HoldStatus, SeatLine, WaitEntry, WaitStatus
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1
from topics.partitioning import seat_partition

OUTCOME_TTL_SECONDS = 7 * 24 * 3600
_PUT = (
    "UPDATE seat_state USING TTL ? SET data = ? "
    "WHERE shard = ? AND event_id = ? AND kind = ? AND item_id = ?"
)
_DELETE_OUT = (
    "DELETE FROM seat_state WHERE shard = ? AND event_id = ? AND kind = 'out' AND item_id IN ?"
)
_HOLDS = "SELECT data FROM seat_state WHERE shard = ? AND event_id = ? AND kind = 'hold'"
_WAITS = "SELECT data FROM seat_state WHERE shard = ? AND event_id = ? AND kind = 'wait'"


@dataclass(frozen=True)
class Waiter:
    """Someone awaiting the outcome of a confirm that waits for the payment."""

    command_id: str
    correlation_id: str | None
    reply_partition: int | None


@dataclass
class Stored:
    """What an owner reads when it loads an event."""

    holds: list[tuple[Hold, list[Waiter]]] = field(default_factory=list)
    waits: list[WaitEntry] = field(default_factory=list)
    outcomes: dict[str, CommandOutcomeV1] = field(default_factory=dict)
    outbox: list[BookingEventV1] = field(default_factory=list)  # in decision order


@dataclass
class EventRows:
    """What one poll writes for one event."""

    event_id: str
    holds: list[tuple[Hold, list[Waiter]]]
    outcomes: dict[str, CommandOutcomeV1]
    events: list[BookingEventV1]  # the outbox, in decision order
    waits: list[WaitEntry] = field(default_factory=list)  # waiting-list entries


# -- rows ---------------------------------------------------------------------------------------


def hold_to_row(hold: Hold, waiters: list[Waiter]) -> str:
    """A hold (and its waiting confirms) as the JSON of its row."""
    # orjson writes the dataclasses (seat lines, waiters) and the status enum itself.
    return orjson.dumps({**vars(hold), "waiters": waiters}).decode()


def hold_from_row(text: str) -> tuple[Hold, list[Waiter]]:
    """Inverse of `hold_to_row`."""
    data: dict[str, Any] = orjson.loads(text)
    waiters = [Waiter(**w) for w in data.pop("waiters", [])]
    data["seats"] = tuple(SeatLine(**line) for line in data["seats"])
    data["status"] = HoldStatus(data["status"])
    return Hold(**data), waiters


def waitlist_to_row(entry: WaitEntry) -> str:
    """A waiting-list entry as the JSON of its row."""
    return orjson.dumps(vars(entry)).decode()


def waitlist_from_row(text: str) -> WaitEntry:
    """Inverse of `waitlist_to_row`."""
    data: dict[str, Any] = orjson.loads(text)
    data["status"] = WaitStatus(data["status"])
    return WaitEntry(**data)


def outbox_to_row(version: int, index: int, event: BookingEventV1) -> str:
    """A booking event in the outbox, with its place: the batch's version, then its index."""
    return orjson.dumps({"at": [version, index], "event": event.model_dump(mode="json")}).decode()


def outbox_from_row(text: str) -> tuple[tuple[int, int], BookingEventV1]:
    """Inverse of `outbox_to_row`: the event and its place, to publish in decision order."""
    data = orjson.loads(text)
    version, index = data["at"]
    return (version, index), BookingEventV1.model_validate(data["event"])


# -- the owner's reads and writes -----------------------------------------------------------------


async def owner_of(q: Statements, shard: int) -> tuple[int, str] | None:
    """(epoch, owner) of a shard, or None when nobody ever claimed it."""
    rows = await q.run("SELECT epoch, owner FROM seat_state WHERE shard = ? LIMIT 1", shard)
    if not rows or rows[0]["epoch"] is None:
        return None
    return rows[0]["epoch"], rows[0]["owner"]


async def claim(q: Statements, shard: int, owner: str, current: int | None) -> bool:
    """Raise the shard's epoch from `current` (None: never claimed) by one for `owner`; False
    when it is no longer `current`. Every batch of an older epoch fails from then on."""
    if current is None:
        rows = await q.run(
            "UPDATE seat_state SET epoch = 1, owner = ? WHERE shard = ? IF epoch = null",
            owner,
            shard,
        )
    else:
        rows = await q.run(
            "UPDATE seat_state SET epoch = ?, owner = ? WHERE shard = ? IF epoch = ?",
            current + 1,
            owner,
            shard,
            current,
        )
    return applied(rows)


async def version(q: Statements, shard: int) -> int | None:
    """Batches written to the shard so far (None: never). Read it before the rows it covers:
    a late batch landing between the two reads then fails the next write too."""
    rows = await q.run("SELECT version FROM seat_state WHERE shard = ? LIMIT 1", shard)
    return rows[0]["version"] if rows else None


async def load(q: Statements, shard: int, event_id: str) -> Stored:
    """The event's holds, stored outcomes and outbox."""
    stored = Stored()
    rows = await q.run(
        "SELECT kind, item_id, data FROM seat_state WHERE shard = ? AND event_id = ? AND kind IN ?",
        shard,
        event_id,
        ["cmd", "hold", "out", "wait"],
    )
    outbox = []
    for row in rows:
        if row["kind"] == "hold":
            stored.holds.append(hold_from_row(row["data"]))
        elif row["kind"] == "wait":
            stored.waits.append(waitlist_from_row(row["data"]))
        elif row["kind"] == "out":
            outbox.append(outbox_from_row(row["data"]))
        else:
            stored.outcomes[row["item_id"]] = CommandOutcomeV1.model_validate_json(row["data"])
    stored.outbox = [event for _, event in sorted(outbox, key=lambda o: o[0])]
    return stored


async def write(
    q: Statements,
    shard: int,
    *,
    epoch: int,
    version: int | None,
    events: Iterable[EventRows],
    delivered: dict[str, list[str]] | None = None,
) -> bool:
    """One batch for every event of a poll, applied only if `epoch` still owns the shard and
    nobody wrote since `version` (it sets `version + 1`); False when it was not applied.
    `delivered` (event id -> message ids) are outbox rows Kafka has, deleted in the batch
    (as `delete_outbox` says, for nothing but a request)."""
    batch = BatchStatement(
        batch_type=BatchType.UNLOGGED, serial_consistency_level=ConsistencyLevel.SERIAL
    )
    written = (version or 0) + 1
    batch.add(
        q("UPDATE seat_state SET version = ? WHERE shard = ? IF epoch = ? AND version = ?"),
        (written, shard, epoch, version),
    )
    put = q(_PUT)
    for rows in events:
        event_id = rows.event_id
        for hold, waiters in rows.holds:
            row = hold_to_row(hold, waiters)
            batch.add(put, (0, row, shard, event_id, "hold", hold.holding_id))
        for entry in rows.waits:
            row = waitlist_to_row(entry)
            batch.add(put, (0, row, shard, event_id, "wait", entry.waitlist_id))
        for command_id, outcome in rows.outcomes.items():
            row = outcome.model_dump_json()
            batch.add(put, (OUTCOME_TTL_SECONDS, row, shard, event_id, "cmd", command_id))
        # The outbox: booking events land iff the decision lands, and stay until published.
        for index, event in enumerate(rows.events):
            row = outbox_to_row(written, index, event)
            batch.add(put, (0, row, shard, event_id, "out", event.message_id))
    # Row by row: a conditional batch takes no IN on clustering columns.
    for event_id, message_ids in (delivered or {}).items():
        for message_id in message_ids:
            batch.add(q(_DELETE_OUT.replace("IN ?", "= ?")), (shard, event_id, message_id))
    return applied(await execute(q.session, batch))


async def delete_outbox(q: Statements, shard: int, event_id: str, message_ids: list[str]) -> None:
    """Take published booking events out of the event's outbox.

    Unconditional (no epoch, no version), and safe so: the owner deletes only messages Kafka
    acknowledged, by their message id, which readers drop when they see it again. So a delete
    that meets a row written anew (the same message decided again) or one a newer owner is
    about to republish removes nothing that still has to be delivered; one that misses (lost,
    or ordered before the write by its timestamp) only makes the next owner publish a
    duplicate."""
    await q.run(_DELETE_OUT, shard, event_id, message_ids)


# -- readers ------------------------------------------------------------------------------------


async def taken_seats(q: Statements, now: float) -> dict[str, list[str]]:
    """Every event's seats held or booked now (a scan of the whole table)."""
    taken: dict[str, list[str]] = {}
    for row in await q.run("SELECT event_id, kind, data FROM seat_state"):
        if row["kind"] != "hold":
            continue
        hold, _ = hold_from_row(row["data"])
        if hold.occupies_seats() and not hold.lapsed(now):
            taken.setdefault(row["event_id"], []).extend(hold.seat_ids)
    return taken


async def outcome(q: Statements, event_id: str, command_id: str) -> CommandOutcomeV1 | None:
    """The stored outcome of a finished command."""
    rows = await q.run(
        "SELECT data FROM seat_state WHERE shard = ? AND event_id = ? AND kind = 'cmd' "
        "AND item_id = ?",
        seat_partition(event_id),
        event_id,
        command_id,
    )
    return CommandOutcomeV1.model_validate_json(rows[0]["data"]) if rows else None


async def holds(q: Statements, event_id: str) -> list[Hold]:
    """Every hold the owner stored for the event."""
    rows = await q.run(_HOLDS, seat_partition(event_id), event_id)
    return [hold_from_row(r["data"])[0] for r in rows]


async def waitlist(q: Statements, event_id: str) -> list[WaitEntry]:
    """Every entry of the event's waiting list, as the owner stored them."""
    rows = await q.run(_WAITS, seat_partition(event_id), event_id)
    return [waitlist_from_row(r["data"]) for r in rows]


def waitlist_now(session: Session, event_id: str) -> list[WaitEntry]:
    """`waitlist`, blocking (for scripts without an event loop)."""
    rows = session.execute(_WAITS.replace("?", "%s"), (seat_partition(event_id), event_id))
    return [waitlist_from_row(r["data"]) for r in rows]


def holds_now(session: Session, event_id: str) -> list[Hold]:
    """`holds`, blocking (for scripts without an event loop)."""
    rows = session.execute(_HOLDS.replace("?", "%s"), (seat_partition(event_id), event_id))
    return [hold_from_row(r["data"])[0] for r in rows]

"""The event_state table: each event's seat state as its owning worker keeps it.

One partition per event. Static columns: `epoch` (the owner allowed to write) and `version`
(batches written so far). Rows (kind, item_id):
* `hold`, holding id: the hold and its waiting confirms (`hold_to_row`);
* `seat`, seat id: who occupies the seat, how, until when (`seat_row`), for readers;
* `wait`, waitlist id: a waiting-list entry (`waitlist_to_row`);
* `cmd`, command id: a finished command's outcome, kept 7 days;
* `out`, message id: a booking event not yet acknowledged by Kafka (the outbox).
Only the owner writes, each poll in one batch conditional on its epoch and the version; the
ingress creates the partition (epoch 0) and readers use the functions below."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from cassandra import ConsistencyLevel
from cassandra.cluster import Session
from cassandra.query import BatchStatement, BatchType

from infra.cassandra import Statements, applied, execute
from seating import EventSeats, Hold, HoldStatus, SeatLine, WaitEntry, WaitStatus
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1

OUTCOME_TTL_SECONDS = 7 * 24 * 3600
_PUT = "UPDATE event_state USING TTL ? SET data = ? WHERE event_id = ? AND kind = ? AND item_id = ?"
_HOLDS = "SELECT data FROM event_state WHERE event_id = ? AND kind = 'hold'"
_WAITS = "SELECT data FROM event_state WHERE event_id = ? AND kind = 'wait'"


@dataclass(frozen=True)
class Waiter:
    """Someone awaiting the outcome of a confirm that waits for the payment."""

    command_id: str
    correlation_id: str | None
    reply_partition: int | None


@dataclass
class Stored:
    """What an owner reads when it loads an event."""

    version: int | None
    holds: list[tuple[Hold, list[Waiter]]] = field(default_factory=list)
    waits: list[WaitEntry] = field(default_factory=list)
    outcomes: dict[str, CommandOutcomeV1] = field(default_factory=dict)
    outbox: list[BookingEventV1] = field(default_factory=list)  # in decision order


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


def seat_row(state: EventSeats, seat_id: str) -> str:
    """What a seat row says: who occupies it, how, and until when."""
    hold = state.holder_of(seat_id)
    if hold is None:
        return "{}"
    status = "booked" if hold.status is HoldStatus.CONFIRMED else "held"
    lapses = hold.expires_at if hold.status is HoldStatus.HELD else None
    return orjson.dumps({"h": hold.holding_id, "s": status, "x": lapses}).decode()


def seat_status(row: str | None, now: float) -> str:
    """available, held or booked, from a seat row as `seat_row` wrote it."""
    if not row:
        return "available"
    data = orjson.loads(row)
    status: str = data.get("s", "available")
    if status == "held" and data.get("x") is not None and data["x"] <= now:
        return "available"
    return status


def outbox_to_row(version: int, index: int, event: BookingEventV1) -> str:
    """A booking event in the outbox, with its place: the batch's version, then its index."""
    return orjson.dumps({"at": [version, index], "event": event.model_dump(mode="json")}).decode()


def outbox_from_row(text: str) -> tuple[tuple[int, int], BookingEventV1]:
    """Inverse of `outbox_to_row`: the event and its place, to publish in decision order."""
    data = orjson.loads(text)
    version, index = data["at"]
    return (version, index), BookingEventV1.model_validate(data["event"])


# -- the owner's reads and writes -----------------------------------------------------------------


async def create(q: Statements, event_id: str) -> None:
    """The event's partition, owned by nobody yet (epoch 0)."""
    await q.run("INSERT INTO event_state (event_id, epoch) VALUES (?, 0)", event_id)


async def claim(q: Statements, event_id: str, epoch: int) -> bool:
    """Raise the event's epoch to ours; False when a newer owner already holds it."""
    rows = await q.run(
        "UPDATE event_state SET epoch = ? WHERE event_id = ? IF epoch < ?", epoch, event_id, epoch
    )
    if applied(rows):
        return True
    current = rows[0].get("epoch") if rows else None
    if current is None:
        rows = await q.run(
            "UPDATE event_state SET epoch = ? WHERE event_id = ? IF epoch = null", epoch, event_id
        )
        return applied(rows)
    return bool(current == epoch)


async def load(q: Statements, event_id: str) -> Stored:
    """The event's version, holds, stored outcomes and outbox."""
    # The version first: a late batch landing between the two reads then fails our next write.
    version = await q.run("SELECT version FROM event_state WHERE event_id = ? LIMIT 1", event_id)
    stored = Stored(version[0]["version"] if version else None)
    rows = await q.run(
        "SELECT kind, item_id, data FROM event_state WHERE event_id = ? AND kind IN ?",
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
    event_id: str,
    *,
    epoch: int,
    version: int | None,
    holds: Iterable[tuple[Hold, list[Waiter]]],
    seat_rows: dict[str, str],
    waits: Iterable[WaitEntry] = (),
    outcomes: dict[str, CommandOutcomeV1],
    events: list[BookingEventV1],
) -> bool:
    """One batch, applied only if `epoch` still owns the event and nobody wrote since
    `version` (it sets `version + 1`); False when it was not applied."""
    batch = BatchStatement(
        batch_type=BatchType.UNLOGGED, serial_consistency_level=ConsistencyLevel.SERIAL
    )
    batch.add(
        q("UPDATE event_state SET version = ? WHERE event_id = ? IF epoch = ? AND version = ?"),
        ((version or 0) + 1, event_id, epoch, version),
    )
    put = q(_PUT)
    for hold, waiters in holds:
        batch.add(put, (0, hold_to_row(hold, waiters), event_id, "hold", hold.holding_id))
    for seat_id, row in seat_rows.items():
        batch.add(put, (0, row, event_id, "seat", seat_id))
    for entry in waits:
        batch.add(put, (0, waitlist_to_row(entry), event_id, "wait", entry.waitlist_id))
    for command_id, outcome in outcomes.items():
        row = outcome.model_dump_json()
        batch.add(put, (OUTCOME_TTL_SECONDS, row, event_id, "cmd", command_id))
    # The outbox: booking events land iff the decision lands, and stay until published.
    for index, event in enumerate(events):
        row = outbox_to_row((version or 0) + 1, index, event)
        batch.add(put, (0, row, event_id, "out", event.message_id))
    return applied(await execute(q.session, batch))


async def delete_outbox(q: Statements, event_id: str, message_ids: list[str]) -> None:
    """Take published booking events out of the event's outbox.

    Unconditional (no epoch, no version), and safe so: the owner deletes only messages Kafka
    acknowledged, by their message id, which readers drop when they see it again. So a delete
    that meets a row written anew (the same message decided again) or one a newer owner is
    about to republish removes nothing that still has to be delivered; one that misses (lost,
    or ordered before the write by its timestamp) only makes the next owner publish a
    duplicate."""
    await q.run(
        "DELETE FROM event_state WHERE event_id = ? AND kind = 'out' AND item_id IN ?",
        event_id,
        message_ids,
    )


# -- readers ------------------------------------------------------------------------------------


async def seat_statuses(q: Statements, event_id: str, now: float) -> dict[str, str]:
    """available, held or booked for every seat with a row (a seat without one is available)."""
    rows = await q.run(
        "SELECT item_id, data FROM event_state WHERE event_id = ? AND kind = 'seat'", event_id
    )
    return {r["item_id"]: seat_status(r["data"], now) for r in rows}


async def taken_seats(q: Statements, now: float) -> dict[str, list[str]]:
    """Every event's seats held or booked now (a scan of the whole table)."""
    taken: dict[str, list[str]] = {}
    for row in await q.run("SELECT event_id, kind, item_id, data FROM event_state"):
        if row["kind"] == "seat" and seat_status(row["data"], now) != "available":
            taken.setdefault(row["event_id"], []).append(row["item_id"])
    return taken


async def outcome(q: Statements, event_id: str, command_id: str) -> CommandOutcomeV1 | None:
    """The stored outcome of a finished command."""
    rows = await q.run(
        "SELECT data FROM event_state WHERE event_id = ? AND kind = 'cmd' AND item_id = ?",
        event_id,
        command_id,
    )
    return CommandOutcomeV1.model_validate_json(rows[0]["data"]) if rows else None


async def holds(q: Statements, event_id: str) -> list[Hold]:
    """Every hold the owner stored for the event."""
    return [hold_from_row(r["data"])[0] for r in await q.run(_HOLDS, event_id)]


async def waitlist(q: Statements, event_id: str) -> list[WaitEntry]:
    """Every entry of the event's waiting list, as the owner stored them."""
    return [waitlist_from_row(r["data"]) for r in await q.run(_WAITS, event_id)]


def holds_now(session: Session, event_id: str) -> list[Hold]:
    """`holds`, blocking (for scripts without an event loop)."""
    rows = session.execute(_HOLDS.replace("?", "%s"), (event_id,))
    return [hold_from_row(r["data"])[0] for r in rows]

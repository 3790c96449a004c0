"""One event's admission: the arrivals as stored, ranked and admitted by the pure rules of
`waitroom.order`. Every decision is written before it is kept in memory, so a restart rebuilds
exactly this state from Cassandra and nobody loses a place."""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from infra.cassandra import Row, Statements
from tables import queue
from waitroom import order
from waitroom.order import Arrival

READ_EVERY_SECONDS = 0.5


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass
class Room:
    """The admitter's state of one waiting room."""

    event_id: str
    sale_starts_at: float
    admit_per_minute: int
    known: set[str] = field(default_factory=set)
    unranked: dict[str, Arrival] = field(default_factory=dict)
    waiting: deque[Arrival] = field(default_factory=deque)  # ranked, not yet admitted
    presale: int = 0
    ranked: int = 0
    admitted: int = 0
    last_admit_at: float | None = None
    loaded: bool = False
    last_read: float = 0.0
    shown: tuple[int, int, int, int] = (-1, -1, -1, -1)

    @classmethod
    def of(cls, row: Row) -> Room:
        """A room from its waiting_rooms row, not loaded yet."""
        return cls(row["event_id"], row["sale_starts_at"].timestamp(), row["admit_per_minute"])

    async def load(self, q: Statements) -> None:
        """Read every arrival and what was decided for it."""
        stored = [order.arrival_of(row) for row in await queue.arrivals(q, self.event_id)]
        self.last_read = time.time()
        self.loaded = True
        ranked = sorted((a for a in stored if a.rank is not None), key=lambda a: a.rank or 0)
        for arrival in stored:
            self._note(arrival)
        self.unranked = {a.ticket_id: a for a in stored if a.rank is None}
        self.waiting = deque(a for a in ranked if a.admitted_at is None)
        self.ranked = len(ranked)
        admitted = [a.admitted_at for a in ranked if a.admitted_at is not None]
        self.admitted = len(admitted)
        self.last_admit_at = max(admitted, default=None)

    def _note(self, arrival: Arrival) -> None:
        self.known.add(arrival.ticket_id)
        self.presale += order.presale(arrival, self.sale_starts_at)

    async def read_new(self, q: Statements, now: float) -> None:
        """Arrivals stamped since the last read (less the settle time, for slow writes)."""
        if now - self.last_read < READ_EVERY_SECONDS:
            return
        since = _moment(self.last_read - order.SETTLE_SECONDS)
        rows = await queue.arrivals(q, self.event_id, after=since)
        self.last_read = now
        for arrival in map(order.arrival_of, rows):
            if arrival.ticket_id not in self.known:
                self._note(arrival)
                self.unranked[arrival.ticket_id] = arrival

    async def step(self, q: Statements, now: float) -> int:
        """Rank what can be ranked, admit who is due; returns how many were let in."""
        await self.read_new(q, now)
        newly = order.next_ranks(self.unranked.values(), self.sale_starts_at, now)
        line = [*self.waiting, *newly]
        slots = order.admission_slots(
            self.last_admit_at, self.sale_starts_at, now, self.admit_per_minute, len(line)
        )
        ranks = [(uuid.UUID(a.ticket_id), self.ranked + i) for i, a in enumerate(newly)]
        admissions = [
            (uuid.UUID(a.ticket_id), _moment(t)) for a, t in zip(line, slots, strict=False)
        ]
        if ranks or admissions:
            await queue.record_decisions(q, self.event_id, ranks, admissions)
        for arrival in newly:
            del self.unranked[arrival.ticket_id]
        self.waiting = deque(line[len(slots) :])
        self.ranked += len(newly)
        self.admitted += len(slots)
        self.last_admit_at = slots[-1] if slots else self.last_admit_at
        await self._show(q)
        return len(slots)

    async def _show(self, q: Statements) -> None:
        """Write the room's figures when they changed (tickets and the dashboard read them)."""
        counts = (len(self.known), self.presale, self.ranked, self.admitted)
        if counts != self.shown:
            last = _moment(self.last_admit_at) if self.last_admit_at is not None else None
            await queue.record_progress(q, self.event_id, counts, last)
            self.shown = counts

"""Drive the pure seating core and collect the booking events it publishes, as on the topic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from seating import Command, EventSeats, Seat, decide, evolve
from topics.events import BookingEventV1

T0 = 1_900_000_000.0


def venue(event_id: str, rows: dict[str, tuple[str, float]], per_row: int = 4) -> EventSeats:
    """rows: row -> (seat type, price)."""
    seats = {
        f"{row}-{n}": Seat(f"{row}-{n}", row, n, seat_type, price)
        for row, (seat_type, price) in rows.items()
        for n in range(1, per_row + 1)
    }
    return EventSeats(event_id, seats, hold_ttl_seconds=60)


@dataclass
class Script:
    """Decides commands at given times and keeps every published message in order."""

    states: dict[str, EventSeats]
    messages: list[BookingEventV1] = field(default_factory=list)
    count: int = 0

    def attempt(self, event_id: str, holding_id: str) -> int:
        """The payment attempt a RecordPayment for `holding_id` answers now."""
        hold = self.states[event_id].holds.get(holding_id)
        return hold.payment_attempt if hold is not None else 1

    def run(self, event_id: str, command: Command, at: float) -> str | None:
        """Decide `command`; returns the holding id it touched."""
        state = self.states[event_id]
        decision = decide(state, command, at)
        for index, event in enumerate(decision.events):
            evolve(state, event)
            self.messages.append(
                BookingEventV1.wrap(
                    event,
                    event_id=event_id,
                    command_id=command.command_id,
                    index=index,
                    at=datetime.fromtimestamp(at, UTC),
                )
            )
        return decision.holding_id

    def cid(self) -> str:
        self.count += 1
        return f"c{self.count}"

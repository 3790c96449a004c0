"""Waiting-list entries: who waits for how many seats of a type, and where they are in line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class WaitStatus(StrEnum):
    """Where an entry is: waiting, offered a hold, or ended exactly one way."""

    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    LAPSED = "lapsed"
    LEFT = "left"


ENDED = frozenset({WaitStatus.BOOKED, WaitStatus.LAPSED, WaitStatus.LEFT})


@dataclass
class WaitEntry:
    """One user's place on an event's waiting list for `quantity` seats of `seat_type`.

    `seq` is the entry's place in the event's line (1 for the first to join); `holding_id` and
    `expires_at` are the offered hold's, once offered."""

    waitlist_id: str
    user_id: str
    seat_type: str
    quantity: int
    seq: int
    joined_at: float
    status: WaitStatus = WaitStatus.WAITING
    holding_id: str | None = None
    expires_at: float | None = None


def position(entry: WaitEntry, entries: Iterable[WaitEntry]) -> int:
    """1 + the entries of its seat type still waiting ahead of it; 0 once it no longer waits."""
    if entry.status is not WaitStatus.WAITING:
        return 0
    return 1 + sum(
        1
        for other in entries
        if other.status is WaitStatus.WAITING
        and other.seat_type == entry.seat_type
        and other.seq < entry.seq
    )

"""Pure rules of the waiting room: the order of arrivals, when each may be ranked, the admission
schedule and the figures a ticket shows. Stdlib only; times are seconds since the epoch."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# An arrival is ranked only once every arrival stamped before it has surely landed: a join's
# write takes milliseconds, this leaves room for a slow one.
SETTLE_SECONDS = 1.0
# After a pause (an empty room, a restarted admitter) admission resumes at the rate: at most
# this much past time is made up, so nobody is let in as a burst.
MAX_CATCH_UP_SECONDS = 0.5
LOTTERY_BITS = 63


@dataclass(frozen=True)
class Arrival:
    """One ticket: its id (a timeuuid's hex), when it joined, its draw and what the admitter
    decided for it so far."""

    ticket_id: str
    user_id: str
    joined_at: float
    lottery: int
    rank: int | None = None
    admitted_at: float | None = None


def presale(arrival: Arrival, sale_starts_at: float) -> bool:
    """Whether `arrival` joined before the sale opened (and so takes part in the draw)."""
    return arrival.joined_at < sale_starts_at


def order_key(arrival: Arrival, sale_starts_at: float) -> tuple[int, int, float, str]:
    """Pre-sale joiners first, in the order of their random draws; later arrivals after them,
    first come first served (the ticket id breaks ties). Draws compare as integers: 63 bits do
    not fit a float, whose rounding made neighbouring draws tie."""
    if presale(arrival, sale_starts_at):
        return (0, arrival.lottery, 0.0, arrival.ticket_id)
    return (1, 0, arrival.joined_at, arrival.ticket_id)


def rankable(arrival: Arrival, sale_starts_at: float, now: float) -> bool:
    """Pre-sale joiners are drawn once the sale is open and settled; later ones once settled."""
    settled_from = max(sale_starts_at, arrival.joined_at)
    return now >= settled_from + SETTLE_SECONDS


def next_ranks(unranked: Iterable[Arrival], sale_starts_at: float, now: float) -> list[Arrival]:
    """The unranked arrivals that can be ranked now, in the order they take the next ranks.

    Ranks are given once and never change, so a ticket never loses its place. Done in rank
    order, an interrupted draw continues as the uninterrupted one would have gone on."""
    ready = [a for a in unranked if rankable(a, sale_starts_at, now)]
    return sorted(ready, key=lambda a: order_key(a, sale_starts_at))


def interval_of(admit_per_minute: int) -> float:
    """Seconds between two admissions."""
    return 60.0 / admit_per_minute


def admission_slots(
    last_admit_at: float | None,
    opens_at: float,
    now: float,
    admit_per_minute: int,
    waiting: int,
) -> list[float]:
    """When each of the next admissions falls due by `now`, one interval apart: nobody before
    the sale opens, never two closer than the rate allows, at most `waiting` of them."""
    interval = interval_of(admit_per_minute)
    first = opens_at if last_admit_at is None else max(opens_at, last_admit_at + interval)
    first = max(first, now - MAX_CATCH_UP_SECONDS)
    if first > now or waiting <= 0:
        return []
    count = min(waiting, math.floor((now - first) / interval) + 1)
    return [first + i * interval for i in range(count)]


def position(rank: int, admitted: int) -> int:
    """Buyers still ahead of the holder of `rank` (admission goes in rank order)."""
    return max(0, rank - admitted)


def presale_position(lottery: int, presale_joiners: int) -> int:
    """Before the draw, where a pre-sale joiner is likely to land: its draw's quantile among
    the pre-sale joiners so far (draws are uniform, so this keeps their order)."""
    share = lottery / float(1 << LOTTERY_BITS)
    return min(max(presale_joiners - 1, 0), math.floor(share * presale_joiners))


def estimated_wait(ahead: int, admit_per_minute: int, sale_starts_at: float, now: float) -> float:
    """Seconds until a ticket with `ahead` buyers before it is let in, at the rate."""
    return max(0.0, sale_starts_at - now) + ahead * interval_of(admit_per_minute)


_UUID_EPOCH = 0x01B21DD213814000  # 1582-10-15 (the timeuuid epoch) in 100 ns, from 1970


def seconds_of(timeuuid: uuid.UUID) -> float:
    """The time a version-1 uuid stamps, in seconds since the epoch."""
    return (timeuuid.time - _UUID_EPOCH) / 1e7


def arrival_of(row: Mapping[str, Any]) -> Arrival:
    """An arrival from its stored row (queue_arrivals)."""
    admitted = row.get("admitted_at")
    return Arrival(
        ticket_id=row["joined_at"].hex,
        user_id=row["user_id"],
        joined_at=seconds_of(row["joined_at"]),
        lottery=row["lottery"],
        rank=row.get("rank"),
        admitted_at=admitted.timestamp() if admitted is not None else None,
    )

"""Fairness inversions of a waiting room, from what the buyers saw and what the server stored.

A buyer is overtaken when someone who should come after it is let in first (or is let in while
it never is): a later post-sale joiner (by the client's clock: it sent its join after the
other's join was answered), anyone who joined after the sale opened while it joined before,
or a pre-sale joiner after it in the random draw."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Seen:
    """One buyer's ticket: join request sent and answered (client clock), whether it joined
    before the sale (server), its draw, and when it was let in (server; inf: never)."""

    sent: float
    answered: float
    presale: bool
    lottery: int
    admitted_at: float = math.inf


def first_come_inversions(buyers: list[Seen]) -> int:
    """Post-sale joiners let in before (or instead of) one whose join was answered before
    theirs was sent."""
    post = [b for b in buyers if not b.presale]
    by_answer = sorted(post, key=lambda b: b.answered)
    earlier: list[float] = []  # -admitted_at of those answered before the current one was sent
    overtaking, i = 0, 0
    for buyer in sorted(post, key=lambda b: b.sent):
        while i < len(by_answer) and by_answer[i].answered < buyer.sent:
            heapq.heappush(earlier, -by_answer[i].admitted_at)
            i += 1
        if earlier and -earlier[0] > buyer.admitted_at:
            overtaking += 1
    return overtaking


def draw_inversions(buyers: list[Seen]) -> int:
    """Buyers let in ahead of someone before them in the expected order: pre-sale joiners by
    their draw, then everyone who joined later."""
    pre = sorted((b for b in buyers if b.presale), key=lambda b: b.lottery)
    post = [b for b in buyers if not b.presale]
    ahead = -math.inf
    jumped = 0
    for buyer in pre:
        jumped += buyer.admitted_at < ahead
        ahead = max(ahead, buyer.admitted_at)
    return jumped + sum(b.admitted_at < ahead for b in post)


def inversions(buyers: list[Seen]) -> int:
    """Every fairness inversion of the run (0 is the goal)."""
    return first_come_inversions(buyers) + draw_inversions(buyers)

"""One event's seat occupancy as the ingress shows it, kept from booking events and command
outcomes. Pure: no I/O, no clock (callers pass `now`).

The two sources arrive out of order: an outcome (read-your-writes) often comes before the
booking events it follows, and a replayed or late message can name a hold that already ended.
So each hold only moves forward (live, then booked, then ended; an ended hold is remembered),
and of two holds naming one seat the later one (by `order`: its expiry, or when unknown its
confirmation time) occupies it: a seat is only ever held again after its earlier hold ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Stage(IntEnum):
    """How far a hold got; it never goes back."""

    LIVE = 1
    BOOKED = 2
    ENDED = 3


@dataclass
class HoldView:
    holding_id: str
    seat_ids: tuple[str, ...]
    order: float  # expires_at of the hold (seconds); later holds of a seat have larger ones
    stage: Stage = Stage.LIVE
    confirming: bool = False  # a payment runs: the hold cannot lapse

    def occupies(self, now: float) -> bool:
        """Whether its seats count as taken at `now` (a held hold lapses at its expiry)."""
        if self.stage is Stage.LIVE:
            return self.confirming or now < self.order
        return self.stage is Stage.BOOKED

    def lapses_at(self) -> float | None:
        """When its seats turn available by themselves, if they will."""
        return self.order if self.stage is Stage.LIVE and not self.confirming else None


@dataclass
class SeatView:
    """Holds and who occupies which seat; `version` counts changes that moved a seat."""

    holds: dict[str, HoldView] = field(default_factory=dict)
    occupant: dict[str, str] = field(default_factory=dict)
    version: int = 0

    def held(
        self, holding_id: str, seat_ids: tuple[str, ...], expires_at: float, *, confirming: bool
    ) -> set[str]:
        """A hold was made (or is live, from a stored row); the seats that changed."""
        if holding_id in self.holds:
            return set()
        hold = HoldView(holding_id, seat_ids, expires_at, confirming=confirming)
        self.holds[holding_id] = hold
        return self._occupy(hold)

    def confirmed(self, holding_id: str, seat_ids: tuple[str, ...], order: float) -> set[str]:
        """A hold became a booking; `order` is used only when the hold was never seen."""
        hold = self.holds.get(holding_id)
        if hold is None:
            hold = self.holds[holding_id] = HoldView(holding_id, seat_ids, order, Stage.BOOKED)
            return self._occupy(hold)
        if hold.stage is not Stage.LIVE:
            return set()
        hold.stage, hold.confirming = Stage.BOOKED, False
        return self._moved(set(hold.seat_ids))

    def ended(self, holding_id: str, seat_ids: tuple[str, ...]) -> set[str]:
        """A hold was cancelled or expired, or its booking cancelled: its seats are free."""
        hold = self.holds.get(holding_id)
        if hold is None:
            self.holds[holding_id] = HoldView(holding_id, seat_ids, 0.0, Stage.ENDED)
            return set()
        if hold.stage is Stage.ENDED:
            return set()
        hold.stage = Stage.ENDED
        freed = {s for s in hold.seat_ids if self.occupant.get(s) == holding_id}
        for seat_id in freed:
            del self.occupant[seat_id]
        return self._moved(freed)

    def paying(self, holding_id: str, confirming: bool) -> set[str]:
        """A payment started (the hold cannot lapse) or ended without a booking."""
        hold = self.holds.get(holding_id)
        if hold is None or hold.stage is not Stage.LIVE or hold.confirming == confirming:
            return set()
        hold.confirming = confirming
        return self._moved(set(hold.seat_ids))

    def status(self, seat_id: str, now: float) -> tuple[str, float | None]:
        """available, held or booked at `now`, and when a held seat lapses."""
        hold = self.holds.get(self.occupant.get(seat_id, ""))
        if hold is None or not hold.occupies(now):
            return "available", None
        if hold.stage is Stage.BOOKED:
            return "booked", None
        return "held", hold.lapses_at()

    def next_lapse(self, now: float) -> float | None:
        """The first moment after `now` at which a seat turns available by itself."""
        times = (h.lapses_at() for h in self._occupants())
        return min((t for t in times if t is not None and t > now), default=None)

    def _occupants(self) -> list[HoldView]:
        return [self.holds[h] for h in set(self.occupant.values())]

    def _occupy(self, hold: HoldView) -> set[str]:
        taken = set()
        for seat_id in hold.seat_ids:
            current = self.holds.get(self.occupant.get(seat_id, ""))
            if current is None or current.order <= hold.order:
                self.occupant[seat_id] = hold.holding_id
                taken.add(seat_id)
        return self._moved(taken)

    def _moved(self, seat_ids: set[str]) -> set[str]:
        if seat_ids:
            self.version += 1
        return seat_ids

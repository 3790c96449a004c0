"""waitlist_size and waitlist_offers_taken from the waiting-list booking events, counted once
even when a message comes twice, and recounted alike from the stored entries."""

from __future__ import annotations

from datetime import UTC, datetime

from analytics.figures import HoldFacts, tally
from analytics.processor import Processor
from analytics.recount import recount
from analytics.report import report
from seating import (
    Event,
    WaitEntry,
    WaitlistBooked,
    WaitlistJoined,
    WaitlistLapsed,
    WaitlistLeft,
    WaitlistOffered,
    WaitStatus,
)
from topics.events import BookingEventV1

EVENT = "0123456789abcdef0123456789abcdef"
W = [f"{EVENT}-w{str(i) * 20}" for i in range(4)]
AT = datetime(2030, 1, 1, tzinfo=UTC)


def message(event: Event, n: int) -> BookingEventV1:
    return BookingEventV1.wrap(event, event_id=EVENT, command_id=f"c{n}", index=0, at=AT)


def test_waitlist_figures_follow_the_entries() -> None:
    events: list[Event] = [
        *(WaitlistJoined(w, f"u{i}", "standard", 1, i + 1, 0.0) for i, w in enumerate(W)),
        WaitlistOffered(W[0], "u0", "h0", 9.0),
        WaitlistBooked(W[0], "u0", "h0"),
        WaitlistOffered(W[1], "u1", "h1", 9.0),
        WaitlistLapsed(W[1], "u1", "h1"),
        WaitlistLeft(W[2], "u2"),
    ]
    table: dict[str, dict[str, object]] = {}
    processor = Processor(table, sink=None, capacity=None)  # type: ignore[arg-type]
    for n, event in enumerate(events):
        processor.apply(message(event, n))
        processor.apply(message(event, n))  # a duplicate changes nothing
    figures = report(EVENT, processor.tallies[EVENT], 10)
    assert (figures["waitlist_size"], figures["waitlist_offers_taken"]) == (1, 1)
    assert figures["holds_created"] == 0  # entries are not holds
    rebuilt = tally([HoldFacts.from_json(v) for v in table.values()])
    assert rebuilt.counts == processor.tallies[EVENT].counts
    statuses = [WaitStatus.BOOKED, WaitStatus.LAPSED, WaitStatus.LEFT, WaitStatus.WAITING]
    entries = [
        WaitEntry(w, "u", "standard", 1, i, 0.0, s)
        for i, (w, s) in enumerate(zip(W, statuses, strict=True))
    ]
    recounted = report(EVENT, recount([], entries), 10)
    assert recounted["waitlist_size"] == 1
    assert recounted["waitlist_offers_taken"] == 1

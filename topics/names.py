"""Every topic, its key and its partition count. Nothing else spells a topic name."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """A topic as declared here; `name` is prefixed per deployment by `Topics`."""

    base: str
    partitions: int
    key: str
    description: str
    retention_ms: int | None = None
    compacted: bool = False


SEAT_COMMANDS = Topic(
    "evently.seat-commands.v1",
    12,
    key="event_id",
    description="Seat commands (hold, confirm, cancel, expire, payment outcomes) from the "
    "ingress, partners and workers; one partition owner decides for each event.",
)
SEAT_REPLIES = Topic(
    "evently.seat-replies.v1",
    8,
    key="correlation_id",
    description="Outcomes for ingress instances; each instance reads the one partition it "
    "names in reply_to.",
    retention_ms=60 * 60 * 1000,
)
SEAT_RESULTS = Topic(
    "evently.seat-results.v1",
    6,
    key="correlation_id",
    description="Outcomes of commands that name no reply_to (the partner path).",
)
BOOKING_EVENTS = Topic(
    "evently.booking-events.v1",
    12,
    key="event_id",
    description="Domain events (seats held, hold confirmed, expired, ...) for analytics.",
)
CATALOG = Topic(
    "evently.catalog.v1",
    1,
    key="event_id (EventListed) or venue_id (VenueSeatsCounted)",
    description="Events created or changed, and venues' seat counts after seats were added, "
    "for the search index of every ingress.",
)
DEAD_LETTERS = Topic(
    "evently.dead-letters.v1",
    1,
    key="original key",
    description="Messages no consumer could read, with the reason and where they came from.",
)

PARTNER_COMMANDS = Topic(
    "evently.partner-commands.{partner_id}.v1",
    6,
    key="event_id",
    description="One partner's seat commands (hold, confirm, cancel); only that partner may "
    "write it, only the partner gateway reads it.",
)
PARTNER_RESULTS = Topic(
    "evently.partner-results.{partner_id}.v1",
    3,
    key="correlation_id, or command_id when the command named no correlation_id",
    description="Outcomes of one partner's commands, and refusals of what it sent that could "
    "not be read; only that partner may read it.",
    retention_ms=7 * 24 * 60 * 60 * 1000,
)

ANALYTICS_APP = "evently-analytics"  # the faust app id; its topics and groups start with it
HOLDS_CHANGELOG = Topic(
    f"{ANALYTICS_APP}-holds-changelog",
    BOOKING_EVENTS.partitions,
    key="holding id",
    description="faust's changelog of the analytics hold table (one partition per "
    "booking-events partition). Made by bootstrap, before the analytics app starts: a "
    "changelog faust made itself was sometimes missing from its consumer's metadata and the "
    "agent crashed with PartitionsMismatch.",
    compacted=True,
)

ALL_TOPICS: tuple[Topic, ...] = (
    SEAT_COMMANDS,
    SEAT_REPLIES,
    SEAT_RESULTS,
    BOOKING_EVENTS,
    CATALOG,
    DEAD_LETTERS,
    HOLDS_CHANGELOG,
)


@dataclass(frozen=True)
class Topics:
    """Topic names for one deployment (a prefix isolates test runs)."""

    prefix: str = ""

    def name(self, topic: Topic) -> str:
        """The full name of `topic` in this deployment."""
        return f"{self.prefix}{topic.base}"

    @property
    def seat_commands(self) -> str:
        return self.name(SEAT_COMMANDS)

    @property
    def seat_replies(self) -> str:
        return self.name(SEAT_REPLIES)

    @property
    def seat_results(self) -> str:
        return self.name(SEAT_RESULTS)

    @property
    def booking_events(self) -> str:
        return self.name(BOOKING_EVENTS)

    @property
    def catalog(self) -> str:
        return self.name(CATALOG)

    @property
    def dead_letters(self) -> str:
        return self.name(DEAD_LETTERS)

    @property
    def analytics_app(self) -> str:
        """The analytics app's id: its changelogs and consumer groups start with it."""
        return f"{self.prefix}{ANALYTICS_APP}"

    @property
    def partner_commands_stem(self) -> str:
        """What every partner's command topic starts with (for prefixed ACLs)."""
        return self.name(PARTNER_COMMANDS).partition("{")[0]

    @property
    def partner_results_stem(self) -> str:
        """What every partner's result topic starts with (for prefixed ACLs)."""
        return self.name(PARTNER_RESULTS).partition("{")[0]

    def partner_commands(self, partner_id: str) -> str:
        return self.name(PARTNER_COMMANDS).format(partner_id=partner_id)

    def partner_results(self, partner_id: str) -> str:
        return self.name(PARTNER_RESULTS).format(partner_id=partner_id)

    @property
    def partner_commands_pattern(self) -> str:
        """A regular expression matching every partner's command topic."""
        stem = re.escape(self.partner_commands_stem)
        return f"^{stem}(?P<partner_id>[0-9a-f]{{32}})\\.v1$"

    def partner_of(self, topic: str) -> str | None:
        """The partner whose command topic this is, or None."""
        match = re.match(self.partner_commands_pattern, topic)
        return match.group("partner_id") if match else None

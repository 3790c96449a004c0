"""Where a worker's output goes: outcomes, booking events, commands and dead letters."""

from __future__ import annotations

from pydantic import BaseModel

from infra.sender import Sender
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1


class Publisher(Sender):
    """A worker's sender: what it decided goes to replies, results and booking events."""

    def outcome(self, reply_partition: int | None, outcome: CommandOutcomeV1) -> None:
        """To the ingress partition that asked, or to the results topic for partners."""
        if reply_partition is not None:
            self._send(self.topics.seat_replies, outcome.correlation_id, outcome, reply_partition)
        elif outcome.correlation_id is not None:
            self._send(self.topics.seat_results, outcome.correlation_id, outcome)

    def booking_event(self, event_id: str, event: BookingEventV1) -> None:
        self._send(self.topics.booking_events, event_id, event)

    def command(self, event_id: str, command: BaseModel) -> None:
        self._send(self.topics.seat_commands, event_id, command)

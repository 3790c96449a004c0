"""Commands a worker makes for its own partitions (the outcomes of the charges it ran), decided
in the partition's next poll, ahead of what Kafka brought, without a trip through Kafka.

Nothing is lost when one is dropped (the worker killed, the poll failed, the partition gone):
the hold stays `confirming` in Cassandra, and whoever loads it next resumes its charge under the
same idempotency key, which answers with the charge already made."""

from __future__ import annotations

from topics.commands import SeatCommand
from topics.partitioning import seat_partition


class Inbox:
    """Local commands waiting for their partition's next poll."""

    def __init__(self) -> None:
        self._waiting: dict[int, list[SeatCommand]] = {}

    def put(self, command: SeatCommand) -> None:
        self._waiting.setdefault(seat_partition(command.event_id), []).append(command)

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def take(self) -> dict[int, list[SeatCommand]]:
        """Every waiting command, by partition; the inbox is empty afterwards."""
        taken, self._waiting = self._waiting, {}
        return taken

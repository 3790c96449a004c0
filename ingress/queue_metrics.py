"""The waiting rooms' figures on the ingress's /metrics: each scrape reads the admitter's
progress (one partition of waiting_rooms) and shows it as gauges per event."""

from __future__ import annotations

from collections.abc import Iterator

from cassandra import DriverException
from cassandra.cluster import NoHostAvailable
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from infra.cassandra import Row, Statements
from tables import queue


class QueueCollector(Collector):
    """evently_queue_length, evently_queue_admitted and evently_queue_joined{event_id}."""

    def __init__(self) -> None:
        self.rooms: list[Row] = []

    async def refresh(self, q: Statements) -> None:
        """Read the rooms' progress (before the registry collects); while Cassandra does not
        answer, the last figures read stay."""
        try:
            self.rooms = await queue.rooms(q)
        except (DriverException, NoHostAvailable, OSError):
            return

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = {
            "length": "Buyers in a waiting room, not yet let in",
            "admitted": "Buyers let in from a waiting room",
            "joined": "Tickets taken in a waiting room",
        }
        families = {
            name: GaugeMetricFamily(f"evently_queue_{name}", text, labels=["event_id"])
            for name, text in figures.items()
        }
        for room in self.rooms:
            joined, admitted = room["joined"] or 0, room["admitted"] or 0
            label = [room["event_id"]]
            families["length"].add_metric(label, joined - admitted)
            families["admitted"].add_metric(label, admitted)
            families["joined"].add_metric(label, joined)
        yield from families.values()

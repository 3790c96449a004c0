"""The restart counts of a supervised run: the supervisor (system/supervise.py) writes them to a
small JSON file and the ingress reads it on each scrape of /metrics (`RestartCollector`). One
writer, any number of readers, and the counts survive a restart of the ingress itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import orjson
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector


def write_restarts(path: Path, restarts: dict[str, int]) -> None:
    """Replace the file atomically, so a reader never sees half of it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_bytes(orjson.dumps({"restarts": restarts}))
    os.replace(temporary, path)


def read_restarts(path: Path) -> dict[str, int]:
    """Restarts per process; empty when nobody supervises (no file)."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return {str(k): int(v) for k, v in data.get("restarts", {}).items()}


class RestartCollector(Collector):
    """evently_process_restarts_total{process=...}, read from the supervisor's file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "evently_process_restarts",
            "App processes restarted by the supervisor after they exited",
            labels=["process"],
        )
        for name, count in sorted(read_restarts(self.path).items()):
            family.add_metric([name], count)
        yield family

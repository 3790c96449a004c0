"""Samples of timed operations, their percentiles and their course over time."""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of already sorted values (nearest rank)."""
    if not sorted_values:
        return math.nan
    rank = max(math.ceil(q / 100 * len(sorted_values)) - 1, 0)
    return sorted_values[rank]


@dataclass
class Recorder:
    """(operation, start offset, latency, outcome) of every request of one scenario."""

    started: float = field(default_factory=time.perf_counter)
    samples: list[tuple[str, float, float, str]] = field(default_factory=list)

    def now(self) -> float:
        return time.perf_counter()

    def add(self, op: str, began: float, outcome: str, ended: float | None = None) -> None:
        """One request of `op`, begun at perf_counter() `began`, with its outcome label."""
        end = ended if ended is not None else time.perf_counter()
        self.samples.append((op, began - self.started, end - began, outcome))

    def elapsed(self) -> float:
        if not self.samples:
            return 0.0
        return max(s[1] + s[2] for s in self.samples) - min(s[1] for s in self.samples)

    def summary(self, op: str, ok: tuple[str, ...] = ("201", "200")) -> dict[str, Any]:
        """Count, rate and latency percentiles (ms) of `op`; `ok_per_s` counts `ok` outcomes."""
        mine = [s for s in self.samples if s[0] == op]
        if not mine:
            return {"count": 0}
        latencies = sorted(s[2] for s in mine)
        first = min(s[1] for s in mine)
        last = max(s[1] + s[2] for s in mine)
        span = max(last - first, 1e-9)
        outcomes = Counter(s[3] for s in mine)
        good = sum(outcomes[o] for o in ok)
        return {
            "count": len(mine),
            "seconds": round(span, 2),
            "per_s": round(len(mine) / span, 1),
            "ok": good,
            "ok_per_s": round(good / span, 1),
            "p50_ms": _ms(percentile(latencies, 50)),
            "p95_ms": _ms(percentile(latencies, 95)),
            "p99_ms": _ms(percentile(latencies, 99)),
            "max_ms": _ms(latencies[-1]),
            "outcomes": dict(sorted(outcomes.items())),
        }

    def timeline(self, op: str, bucket: float = 1.0) -> list[dict[str, float]]:
        """Per `bucket` seconds (by completion time): requests done and latency percentiles."""
        buckets: dict[int, list[float]] = defaultdict(list)
        for name, start, latency, _ in self.samples:
            if name == op:
                buckets[int((start + latency) // bucket)].append(latency)
        rows = []
        for index in sorted(buckets):
            values = sorted(buckets[index])
            rows.append(
                {
                    "t": index * bucket,
                    "per_s": len(values) / bucket,
                    "p50_ms": _ms(percentile(values, 50)),
                    "p95_ms": _ms(percentile(values, 95)),
                    "p99_ms": _ms(percentile(values, 99)),
                }
            )
        return rows


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)

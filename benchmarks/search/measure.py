"""Timing and memory helpers for the search benchmark."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {
        "count": len(ordered),
        "p50_ms": round(at(0.50), 3),
        "p90_ms": round(at(0.90), 3),
        "p99_ms": round(at(0.99), 3),
        "max_ms": round(ordered[-1], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """fn() and the milliseconds it took."""
    started = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - started) * 1000


def traced(fn: Callable[[], T]) -> tuple[T, int]:
    """fn() and the bytes it left allocated (tracemalloc)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = fn()
        return result, tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def rss_bytes(pid: int) -> int:
    """Resident memory of a process on Linux."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def summary(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items())

"""Per-partner command rate: a token bucket per partner (one second of burst)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Bucket:
    """`rate` tokens a second, at most `rate` saved up."""

    rate: float
    tokens: float
    at: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class RateLimits:
    """Whether each partner's next command is within its rate."""

    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def allow(self, partner_id: str, rate: float) -> bool:
        now = self.clock()
        bucket = self.buckets.get(partner_id)
        if bucket is None or bucket.rate != rate:
            bucket = self.buckets[partner_id] = Bucket(rate, rate, now)
        return bucket.take(now)

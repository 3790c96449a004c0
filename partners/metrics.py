"""Prometheus metrics of the partner gateway."""

from prometheus_client import Counter

FORWARDED = Counter(
    "evently_gateway_forwarded_total", "Partner commands forwarded to the seat workers", ["type"]
)
ANSWERS = Counter("evently_gateway_answers_total", "Answers sent to partners", ["status"])

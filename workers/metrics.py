"""Prometheus metrics of a worker."""

from prometheus_client import Counter, Gauge, Histogram

COMMANDS = Counter("evently_worker_commands_total", "Seat commands decided")
DEAD_LETTERS = Counter(
    "evently_dead_letters_total", "Messages sent to the dead-letter topic", ["reason"]
)
POLL_SECONDS = Histogram("evently_worker_poll_seconds", "Time to decide and persist one poll")
CHARGES = Counter(
    "evently_worker_charges_total",
    "Charges by where their outcome was decided: in the poll that asked for them, or later",
    ["decided"],
)
PAYMENT_WAITS = Gauge(
    "evently_worker_payment_waits",
    "1 while polls wait for their charges (the provider answers within the budget), else 0",
)

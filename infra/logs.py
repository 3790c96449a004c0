"""Structured logs (structlog), one JSON object a line."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog


def configure_logging(level: str = "INFO") -> None:
    """Route structlog and the standard library to stderr as JSON lines."""
    logging.basicConfig(stream=sys.stderr, level=level.upper(), format="%(message)s")
    for noisy in ("aiokafka", "cassandra", "kafka", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Cassandra 5 warns on every prepared statement of a session with a keyspace set.
    logging.getLogger("cassandra.protocol").setLevel(logging.ERROR)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str, **context: Any) -> Any:
    """A logger bound to `name` and `context`."""
    return structlog.get_logger(name, **context)

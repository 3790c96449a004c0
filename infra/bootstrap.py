"""Create the Cassandra schema and the Kafka topics, idempotently: `python -m infra.bootstrap`."""

from __future__ import annotations

import asyncio

from infra.cassandra import migrate
from infra.kafka import create_topics, secure_deployment
from infra.logs import configure_logging, get_logger
from infra.settings import Settings, get_settings


def bootstrap(settings: Settings) -> None:
    """Apply migrations, create topics, the services' Kafka users and their ACLs."""
    log = get_logger("bootstrap")
    log.info("migrations applied", applied=migrate(settings))
    log.info("topics created", created=asyncio.run(create_topics(settings)))
    log.info("kafka users and ACLs", users=secure_deployment(settings))


if __name__ == "__main__":
    configure_logging(get_settings().log_level)
    bootstrap(get_settings())

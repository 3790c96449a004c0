"""A deployment of its own for each fault run: isolated keyspace and topics, short timeouts;
for the cluster faults, on a 3-node cluster of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack import stack
from infra.bootstrap import bootstrap
from infra.settings import Settings
from tests.support import drop_deployment, isolated_settings

# Apart from the single-node stack (127.0.0.1:9092, 127.0.0.1:9042) so both can run at once.
CLUSTER = {
    "devstack_nodes": 3,
    "devstack_dir": Path(__file__).resolve().parents[2] / ".devstack-cluster",
    "kafka_bootstrap_servers": "127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096",
    "cassandra_contact_points": "127.0.0.4,127.0.0.5,127.0.0.6",
}


@pytest.fixture
def fault_settings(dev_stack: None) -> Iterator[Settings]:
    """Commands time out after 5 s (503: unknown outcome); a paused worker loses its partitions
    after 6 s."""
    settings = isolated_settings(command_timeout_seconds=5.0, worker_session_timeout_ms=6000)
    bootstrap(settings)
    yield settings
    drop_deployment(settings)


@pytest.fixture(scope="module")
def cluster_stack() -> Iterator[Settings]:
    """Three Kafka and three Cassandra nodes, started unless they answer; stopped after the
    module (six idle JVMs slowed the single-node fault run after it to a crawl in dry run
    ci16) unless EVENTLY_TEST_KEEP_STACK=1."""
    settings = Settings(**CLUSTER)  # type: ignore[arg-type]
    started = stack.up(settings=settings)
    yield settings
    if started and os.environ.get("EVENTLY_TEST_KEEP_STACK") != "1":
        stack.down(started, settings=settings)


@pytest.fixture
def cluster_fault_settings(cluster_stack: Settings) -> Iterator[Settings]:
    """fault_settings on the cluster."""
    settings = isolated_settings(
        command_timeout_seconds=5.0, worker_session_timeout_ms=6000, **CLUSTER
    )
    bootstrap(settings)
    yield settings
    drop_deployment(settings)

"""Integration fixtures: an isolated keyspace and topics on the real dev stack, seeded events,
worker processes and a partner that speaks Kafka."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.bootstrap import bootstrap
from infra.settings import Settings
from system.launch import System, settings_env
from tests.integration.partner import CommandClient
from tests.support import drop_deployment, isolated_settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture
def settings(dev_stack: None) -> Iterator[Settings]:
    """A fresh keyspace and topic prefix for each test, dropped after it."""
    fresh = isolated_settings()
    bootstrap(fresh)
    yield fresh
    drop_deployment(fresh)


@pytest.fixture
def workers(settings: Settings, request: pytest.FixtureRequest) -> Iterator[System]:
    """A process group for worker processes; `spawn_worker(system, n)` starts one."""
    system = System("", ARTIFACTS / "integration-logs" / request.node.name)
    system.log_dir.mkdir(parents=True, exist_ok=True)
    yield system
    system.stop()


def spawn_worker(system: System, settings: Settings, name: str) -> None:
    system.spawn(name, "workers", settings_env(settings))


@pytest.fixture
async def partner(settings: Settings) -> CommandClient:
    client = CommandClient(settings)
    await client.start()
    yield client  # type: ignore[misc]
    await client.stop()

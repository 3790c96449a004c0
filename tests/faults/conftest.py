"""A deployment of its own for each fault run: isolated keyspace and topics, short timeouts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.bootstrap import bootstrap
from infra.settings import Settings
from tests.support import drop_deployment, isolated_settings


@pytest.fixture
def fault_settings(dev_stack: None) -> Iterator[Settings]:
    """Commands time out after 5 s (503: unknown outcome); a paused worker loses its partitions
    after 6 s."""
    settings = isolated_settings(command_timeout_seconds=5.0, worker_session_timeout_ms=6000)
    bootstrap(settings)
    yield settings
    drop_deployment(settings)

"""Fixtures shared by every test folder: isolated settings and the dev stack when needed."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def dev_stack() -> Iterator[None]:
    """Kafka and Cassandra answering: started here unless they already answer (or are remote).

    EVENTLY_TEST_KEEP_STACK=1 leaves a stack this fixture started running afterwards."""
    from devstack import stack

    started = stack.up()
    yield
    if started and os.environ.get("EVENTLY_TEST_KEEP_STACK") != "1":
        stack.down(started)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that stop Kafka or Cassandra run last, so they cannot disturb the others."""
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)

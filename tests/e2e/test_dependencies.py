"""GET /db-test names the dependency that stopped answering, and recovers when it is back."""

from __future__ import annotations

import time

import httpx
import pytest

from devstack import stack
from infra.settings import Settings

pytestmark = [pytest.mark.e2e, pytest.mark.disruptive]


def db_test(base_url: str) -> httpx.Response:
    return httpx.get(f"{base_url}/db-test", timeout=15.0)


def wait_for(base_url: str, status: int, timeout: float = 90.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = db_test(base_url)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(1.0)


@pytest.mark.parametrize(("service", "title"), [("cassandra", "Cassandra"), ("kafka", "Kafka")])
def test_db_test_names_what_is_down(
    system: object, e2e_settings: Settings, service: str, title: str
) -> None:
    base_url = system.base_url  # type: ignore[attr-defined]
    if stack.spec(service).is_remote(e2e_settings):
        pytest.skip(f"{title} is a remote cluster")
    assert db_test(base_url).status_code == 200
    stack.stop(service)
    try:
        down = db_test(base_url)
        assert down.status_code == 503
        error = down.json()["error"]
        assert title in error["message"]
        assert error["details"]["down"] == [service]
    finally:
        stack.start(service)
    assert wait_for(base_url, 200).status_code == 200

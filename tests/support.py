"""Helpers for tests: isolated settings and free ports."""

from __future__ import annotations

import socket
import uuid

from infra.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def isolated_settings(**overrides: object) -> Settings:
    """Settings with a keyspace and topic prefix of their own, so tests do not meet."""
    run = uuid.uuid4().hex[:8]
    values: dict[str, object] = {
        "cassandra_keyspace": f"evently_t{run}",
        "topic_prefix": f"t{run}.",
        "worker_group_id": f"workers-{run}",
        "http_port": free_port(),
        "admin_token": f"adm_{uuid.uuid4().hex}",
        "worker_session_timeout_ms": 6000,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]

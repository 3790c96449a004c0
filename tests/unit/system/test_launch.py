"""The process list of a deployment: one ingress by default, more sharing the port on demand."""

from __future__ import annotations

import socket

from infra.settings import Settings
from ingress.__main__ import shared_socket
from system.launch import process_specs


def test_one_ingress_by_default_and_more_when_asked() -> None:
    names = [spec.name for spec in process_specs(workers=2, analytics=False)]
    assert names == ["worker-1", "worker-2", "gateway", "admitter", "ingress"]
    specs = process_specs(workers=1, analytics=False, ingresses=3)
    assert [s.name for s in specs][-3:] == ["ingress", "ingress-2", "ingress-3"]
    assert {s.module for s in specs[-3:]} == {"ingress"}


def test_two_processes_can_bind_the_shared_port() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    settings = Settings(http_port=port, ingress_processes=2)
    first, second = shared_socket(settings), shared_socket(settings)
    try:
        assert first.getsockname() == second.getsockname() == ("127.0.0.1", port)
        assert first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
    finally:
        first.close()
        second.close()

"""`python -m ingress`: serve the HTTP API with uvicorn."""

from __future__ import annotations

import socket

import uvicorn

from infra.logs import configure_logging
from infra.settings import Settings, get_settings
from ingress.app import create_app

KEEP_ALIVE_SECONDS = 75


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        access_log=False,
        # Longer than clients keep idle connections (httpx: 5 s, the same as uvicorn's default):
        # with equal timeouts a client can send on a connection the server is closing, and the
        # request fails with a read error (seen in a CI dry run's 500-customer sign-up).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    sockets = [shared_socket(settings)] if settings.ingress_processes > 1 else None
    uvicorn.Server(config).run(sockets=sockets)


def shared_socket(settings: Settings) -> socket.socket:
    """The HTTP port, bound with SO_REUSEPORT: the kernel spreads connections over every
    ingress process that bound it so."""
    family = socket.AF_INET6 if ":" in settings.http_host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((settings.http_host, settings.http_port))
    sock.set_inheritable(True)
    return sock


if __name__ == "__main__":
    main()

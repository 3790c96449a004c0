"""`python -m ingress`: serve the HTTP API with uvicorn."""

from __future__ import annotations

import uvicorn

from infra.logs import configure_logging
from infra.settings import get_settings
from ingress.app import create_app

KEEP_ALIVE_SECONDS = 75


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    uvicorn.run(
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


if __name__ == "__main__":
    main()

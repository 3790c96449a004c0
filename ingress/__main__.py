"""`python -m ingress`: serve the HTTP API with uvicorn."""

from __future__ import annotations

import uvicorn

from infra.logs import configure_logging
from infra.settings import get_settings
from ingress.app import create_app


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


if __name__ == "__main__":
    main()

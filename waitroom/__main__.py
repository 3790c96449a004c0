"""`python -m waitroom`: run the admitter of the waiting rooms."""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client import start_http_server

from infra.logs import configure_logging
from infra.settings import get_settings
from waitroom.admitter import run_admitter


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    if settings.admitter_metrics_port:
        start_http_server(settings.admitter_metrics_port, addr=settings.http_host)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_admitter(settings))


if __name__ == "__main__":
    main()

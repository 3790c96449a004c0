"""`python -m analytics`: the analytics worker, until SIGTERM."""

from __future__ import annotations

import faust

from analytics.app import create_app
from infra.cassandra import connect
from infra.logs import configure_logging
from infra.settings import get_settings


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    session = connect(settings)
    app = create_app(settings, session)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
    try:
        worker.execute_from_commandline()
    finally:
        session.cluster.shutdown()


if __name__ == "__main__":
    main()

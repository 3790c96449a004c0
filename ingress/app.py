"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from infra.cassandra import Statements, connect
from infra.kafka import topics_for
from infra.restarts import RestartCollector
from infra.settings import Settings
from ingress import errors, idempotency, middleware, ratelimit
from ingress.auth import Authenticator
from ingress.bus import CommandBus
from ingress.dashboard import routes as dashboard
from ingress.deps import Context
from ingress.gate import QueueGate
from ingress.live import routes as live
from ingress.live.model import CassandraSource, SeatMaps
from ingress.queue_metrics import QueueCollector
from ingress.responses import OrjsonResponse
from ingress.routes import (
    analytics,
    discovery,
    docs,
    events,
    health,
    holds,
    partners,
    queue,
    users,
    venues,
    waitlist,
)
from search.feeder import IndexFeeder


def create_app(settings: Settings) -> FastAPI:
    """The ingress app for `settings`; clients connect when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        session = await asyncio.to_thread(connect, settings)
        statements = Statements(session)
        topics = topics_for(settings)
        seats = SeatMaps(CassandraSource(statements))
        bus = CommandBus(settings, topics, observer=seats.outcome)
        await bus.start()
        feeder = IndexFeeder(settings, topics, statements, bus.producer, followers=(seats,))
        await feeder.start()
        auth = Authenticator(statements, settings.admin_token)
        gate = QueueGate(statements, settings.queue_pass_secret)
        app.state.ctx = Context(settings, topics, statements, bus, auth, feeder, gate, seats)
        try:
            yield
        finally:
            await feeder.stop()
            await bus.stop()
            session.cluster.shutdown()

    app = FastAPI(
        title="Evently",
        version="1.0.0",
        description="Seat booking: venues, events, holds, bookings and analytics.",
        default_response_class=OrjsonResponse,
        responses=errors.DOCUMENTED_ERRORS,
        lifespan=lifespan,
        docs_url=None,  # ingress/routes/docs.py serves both without a CDN
        redoc_url=None,
        # OpenTelemetry is not configured here; checking for it cost ~3% of each request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    errors.install(app)
    # A request meeting a running one with its key waits longer than that one can take.
    idempotency.install(app, wait_seconds=settings.command_timeout_seconds + 5)
    ratelimit.install(app, settings)
    middleware.install(app, settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[o.strip() for o in settings.cors_origins.split(",")],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Evently-Queue-Pass"],
    )

    supervised = CollectorRegistry(auto_describe=False)
    if settings.supervisor_state_file is not None:
        supervised.register(RestartCollector(settings.supervisor_state_file))
    rooms = QueueCollector()
    supervised.register(rooms)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics of this process, the supervisor's restarts of the system's and
        the waiting rooms' figures."""
        await rooms.refresh(app.state.ctx.q)
        body = generate_latest() + generate_latest(supervised)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    routes = (
        health,
        users,
        venues,
        discovery,
        events,
        queue,
        holds,
        waitlist,
        partners,
        analytics,
        dashboard,
        live,
    )
    for module in (*routes, docs):
        app.include_router(module.router)
    return app

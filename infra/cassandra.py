"""Cassandra sessions, an asyncio bridge for the driver, and versioned schema migrations."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from cassandra import ConsistencyLevel
from cassandra.cluster import Cluster, ResponseFuture, Session
from cassandra.policies import ConstantReconnectionPolicy, DCAwareRoundRobinPolicy, RetryPolicy
from cassandra.query import PreparedStatement, dict_factory

from infra.settings import Settings

Row = dict[str, Any]


SCHEMA_AGREEMENT_SECONDS = 60.0


def connect(settings: Settings, *, keyspace: bool = True, timeout: float = 10.0) -> Session:
    """A session to the configured cluster (in the configured keyspace unless told otherwise),
    reading and writing at the configured consistency (QUORUM on a cluster), conditional writes
    at SERIAL: a quorum lost is an error (Unavailable, a 503), never a stale answer."""
    cluster = Cluster(
        contact_points=settings.cassandra_hosts,
        port=settings.cassandra_port,
        protocol_version=5,
        load_balancing_policy=DCAwareRoundRobinPolicy(),
        default_retry_policy=RetryPolicy(),
        reconnection_policy=ConstantReconnectionPolicy(1.0, max_attempts=None),  # never give up
        connect_timeout=timeout,
        control_connection_timeout=timeout,
    )
    session = cluster.connect(settings.cassandra_keyspace if keyspace else None)
    session.row_factory = dict_factory
    session.default_timeout = timeout
    session.default_consistency_level = ConsistencyLevel.name_to_value[
        settings.cassandra_consistency_level
    ]
    session.default_serial_consistency_level = ConsistencyLevel.name_to_value[
        settings.cassandra_serial_consistency
    ]
    return session


async def execute(session: Session, query: Any, params: Any = None) -> list[Row]:
    """Run a statement without blocking the event loop; returns every page's rows."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[list[Row]] = loop.create_future()
    rows: list[Row] = []
    future: ResponseFuture = session.execute_async(query, params)

    def settle(result: list[Row] | BaseException) -> None:
        if done.done():
            return
        if isinstance(result, BaseException):
            done.set_exception(result)
        else:
            done.set_result(result)

    def on_page(page: list[Row]) -> None:
        for row in page or ():
            rows.append(
                {k: _utc(v) if isinstance(v, datetime) else v for k, v in row.items()}
                if isinstance(row, dict)
                else row
            )
        if future.has_more_pages:
            future.start_fetching_next_page()
        else:
            loop.call_soon_threadsafe(settle, rows)

    def on_error(exc: BaseException) -> None:
        loop.call_soon_threadsafe(settle, exc)

    future.add_callbacks(on_page, on_error)
    return await done


def _utc(value: datetime) -> datetime:
    """The driver reads timestamps as naive UTC; make them say so."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def applied(rows: list[Row]) -> bool:
    """Whether a lightweight transaction took effect."""
    return bool(rows and rows[0].get("[applied]"))


class Statements:
    """Prepares each CQL string once per session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._prepared: dict[str, PreparedStatement] = {}

    def __call__(self, cql: str) -> PreparedStatement:
        statement = self._prepared.get(cql)
        if statement is None:
            statement = self._prepared[cql] = self.session.prepare(cql)
        return statement

    async def run(self, cql: str, *params: Any) -> list[Row]:
        """Execute prepared `cql` with positional `params`."""
        return await execute(self.session, self(cql), params)


def nodes(session: Session) -> list[dict[str, object]]:
    """Every Cassandra node the driver knows of, and whether it counts it as up."""
    return [
        {"address": str(host.endpoint), "up": bool(host.is_up)}
        for host in sorted(session.cluster.metadata.all_hosts(), key=lambda h: str(h.endpoint))
    ]


async def quorum_read(session: Session) -> None:
    """A read in the keyspace at the session's consistency (QUORUM on a cluster): raises
    Unavailable when too few replicas answer, which a read of system tables never does."""
    await execute(session, "SELECT version FROM schema_migrations LIMIT 1")


def migrations() -> list[tuple[int, str, list[str]]]:
    """(version, name, statements) for every file in infra/migrations, in order."""
    found = []
    for entry in resources.files("infra.migrations").iterdir():
        if entry.name.endswith(".cql"):
            version = int(entry.name.split("_", 1)[0])
            text = "\n".join(
                line for line in entry.read_text().splitlines() if not line.startswith("--")
            )
            statements = [s.strip() for s in text.split(";") if s.strip()]
            found.append((version, entry.name, statements))
    return sorted(found)


def replication(settings: Settings) -> str:
    """The keyspace's replication map: NetworkTopologyStrategy in the configured datacenter."""
    dc, rf = settings.cassandra_datacenter, settings.cassandra_replication
    return f"{{'class': 'NetworkTopologyStrategy', '{dc}': {rf}}}"


def migrate(settings: Settings) -> list[str]:
    """Create the keyspace and apply pending migrations; idempotent. Returns what it applied."""
    session = connect(settings, keyspace=False, timeout=30.0)
    try:
        ks = settings.cassandra_keyspace
        session.execute(
            f"CREATE KEYSPACE IF NOT EXISTS {ks} WITH replication = {replication(settings)}"
        )
        session.set_keyspace(ks)
        session.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version int PRIMARY KEY, name text, applied_at timestamp)"
        )
        done = {row["version"] for row in session.execute("SELECT version FROM schema_migrations")}
        applied_now = []
        for version, name, statements in migrations():
            if version in done:
                continue
            for statement in statements:
                session.execute(statement, timeout=60.0)
            session.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (%s, %s, toTimestamp(now()))",
                (version, name),
            )
            applied_now.append(name)
        # The driver waits 10 s for agreement after each DDL, then goes on regardless; a node
        # still without a table answers "unconfigured table" to whoever uses it first.
        if not session.cluster.control_connection.wait_for_schema_agreement(
            wait_time=SCHEMA_AGREEMENT_SECONDS
        ):
            raise RuntimeError(f"nodes disagree on the schema after {SCHEMA_AGREEMENT_SECONDS} s")
        return applied_now
    finally:
        session.cluster.shutdown()

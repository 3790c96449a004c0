"""Does cassandra-driver hand an answer to the wrong request under client timeouts?

Fires concurrent lightweight transactions (on `--keys` contended keys) and token lookups through
the project's asyncio bridge with a short client timeout, and counts answers whose shape belongs
to the other statement. Usage (dev stack up):

    .venv/bin/python scripts/driver_answers.py --requests 30000 --concurrency 1000 --timeout 0.4
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

from cassandra import OperationTimedOut
from cassandra.cluster import Cluster, Session
from cassandra.query import dict_factory

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from infra.cassandra import execute  # noqa: E402

KEYSPACE = "driver_answers"


def prepare(session: Session) -> None:
    session.execute(
        f"CREATE KEYSPACE IF NOT EXISTS {KEYSPACE} "
        "WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
    )
    session.set_keyspace(KEYSPACE)
    session.execute("CREATE TABLE IF NOT EXISTS claims (k text PRIMARY KEY, holder text)")
    session.execute(
        "CREATE TABLE IF NOT EXISTS tokens (t text PRIMARY KEY, user_id text, role text)"
    )
    for i in range(50):
        session.execute(
            "INSERT INTO tokens (t, user_id, role) VALUES (%s, %s, 'c')", (f"t{i}", f"u{i}")
        )


async def run(args: argparse.Namespace) -> Counter[str]:
    cluster = Cluster([args.host], protocol_version=5)
    session = cluster.connect()
    prepare(session)
    session.row_factory = dict_factory
    session.default_timeout = args.timeout
    claim = session.prepare("INSERT INTO claims (k, holder) VALUES (?, ?) IF NOT EXISTS")
    look = session.prepare("SELECT user_id, role FROM tokens WHERE t = ?")
    seen: Counter[str] = Counter()
    gate = asyncio.Semaphore(args.concurrency)

    async def one(i: int) -> None:
        async with gate:
            try:
                if i % 2:
                    rows = await execute(session, look, (f"t{random.randrange(50)}",))
                    good = bool(rows) and set(rows[0]) == {"user_id", "role"}
                else:
                    key = f"k{random.randrange(args.keys)}"
                    rows = await execute(session, claim, (key, uuid.uuid4().hex))
                    good = bool(rows) and "[applied]" in rows[0]
                seen["answered" if good else "misdelivered"] += 1
            except OperationTimedOut:
                seen["client timeout"] += 1
            except Exception as exc:  # noqa: BLE001 - counted by kind
                seen[type(exc).__name__] += 1

    try:
        await asyncio.gather(*(one(i) for i in range(args.requests)))
    finally:
        session.execute(f"DROP KEYSPACE {KEYSPACE}", timeout=60)
        cluster.shutdown()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--requests", type=int, default=30_000)
    parser.add_argument("--concurrency", type=int, default=1_000)
    parser.add_argument("--timeout", type=float, default=0.4)
    parser.add_argument("--keys", type=int, default=2_000)
    args = parser.parse_args()
    started = time.monotonic()
    seen = asyncio.run(run(args))
    print(f"{dict(seen)} in {time.monotonic() - started:.1f} s")
    sys.exit(1 if seen["misdelivered"] else 0)


if __name__ == "__main__":
    main()

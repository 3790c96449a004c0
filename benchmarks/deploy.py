"""An isolated deployment for one benchmark run: own keyspace and topics, Evently's processes
and the naive baseline app; everything dropped at the end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from cassandra.cluster import Session

from devstack import stack
from infra.bootstrap import bootstrap
from infra.cassandra import connect
from infra.settings import Settings
from system.launch import System, settings_env, start_system
from tests.support import drop_deployment, free_port, isolated_settings


@dataclass
class Deployment:
    settings: Settings
    system: System
    naive_url: str
    workers: int
    _session: Session | None = None

    def session(self) -> Session:
        """One Cassandra session for the whole run (connecting costs seconds on a busy box)."""
        if self._session is None:
            self._session = connect(self.settings, timeout=60.0)
        return self._session

    _jvms: dict[str, int] | None = None

    def pids(self) -> dict[str, int]:
        """Every process whose CPU and memory we report (ours, the broker and the database)."""
        if self._jvms is None:  # stack.status() probes each service: seconds, so only once
            self._jvms = {s.service: s.pid for s in stack.status() if s.pid is not None}
        return {name: p.pid for name, p in self.system.processes.items()} | self._jvms


@contextmanager
def deployment(log_dir: Path, workers: int = 2, ingresses: int = 1) -> Iterator[Deployment]:
    """Start everything for a run; stop it and drop its keyspace and topics afterwards."""
    _stack_ready()
    settings = isolated_settings(
        max_active_holds_per_user=1000, log_level="WARNING", ingress_processes=ingresses
    )
    system: System | None = None
    try:
        bootstrap(settings)
        system = start_system(settings, log_dir, workers=workers, analytics=False)
        naive_port = free_port()
        naive = settings.model_copy(update={"http_port": naive_port})
        system.spawn("naive", "benchmarks.naive_app", settings_env(naive))
        naive_url = f"http://{settings.http_host}:{naive_port}"
        _wait_for(naive_url, system)
        dep = Deployment(settings, system, naive_url, workers)
        dep.pids()  # find the JVMs now, not inside a timed scenario
        try:
            yield dep
        finally:
            if dep._session is not None:
                dep._session.cluster.shutdown()
    finally:
        if system is not None:
            system.stop()
        drop(settings)


def drop(settings: Settings) -> None:
    """Drop the run's keyspace and topics, waiting for a stack that someone is restarting."""
    for _ in range(3):
        try:
            drop_deployment(settings)
            return
        except Exception as exc:  # the stack may be restarting: try again
            print(f"dropping {settings.cassandra_keyspace} failed ({exc!r}); retrying")
            _stack_ready(120.0)
    print(f"left behind: keyspace {settings.cassandra_keyspace}, topics {settings.topic_prefix}*")


def _stack_ready(wait: float = 180.0) -> None:
    """Kafka and Cassandra answering. A shared stack may be restarting (fault tests stop it on
    purpose): wait for it a while, and start it only if it stays down (a fresh clone)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and any(s.pid for s in stack.status()):
        if all(stack.is_ready(name) for name in ("kafka", "cassandra")):
            return
        time.sleep(2.0)
    stack.ensure_up()


def _wait_for(url: str, system: System, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if system.processes["naive"].poll() is not None:
            raise RuntimeError(f"the naive app exited; see {system.log_dir}/naive.log")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the naive app did not answer /health")

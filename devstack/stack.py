"""The dev stack's Python API: start, stop and inspect the local Kafka and Cassandra.

Used by the CLI, test fixtures and run scripts, e.g.::

    from devstack import stack
    stack.ensure_up()            # start whatever does not answer
    stack.is_ready("kafka")
    stack.stop("cassandra")
    stack.stop("kafka-2")        # one node of a cluster (EVENTLY_DEVSTACK_NODES=3)

A service name (kafka, cassandra) stands for every node of it; a node name (kafka-2) for one.

Every function takes optional `settings` (default: infra.settings.get_settings())
and `echo` (a callable receiving progress lines; default: the "devstack" logger).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from devstack import SERVICES, cassandra, kafka
from devstack.errors import DevstackError, NotReachableError, PortBusyError, StartError
from devstack.layout import Layout
from devstack.maven import ensure_classpath
from devstack.ports import describe_owner, port_is_free
from devstack.process import find_pid, is_alive, memory_kib, read_pid, spawn, tail, terminate
from devstack.service import ServiceSpec
from devstack.tools import find_java
from infra.settings import Settings, get_settings

Echo = Callable[[str], None]
log = logging.getLogger("devstack")
LOG_TAIL_LINES = 40


@dataclass(frozen=True)
class ServiceStatus:
    """One row of `status`."""

    service: str
    pid: int | None
    port: int
    address: str
    ready: bool
    remote: bool
    rss_kib: int | None
    peak_rss_kib: int | None


@dataclass
class _Pending:
    spec: ServiceSpec
    pid: int
    deadline: float
    started_at: float


def specs(settings: Settings | None = None) -> dict[str, ServiceSpec]:
    """Every node's spec by node name: Kafka's nodes first, then Cassandra's."""
    s = settings or get_settings()
    return {sp.name: sp for sp in (*kafka.specs(s), *cassandra.specs(s))}


def nodes(service: str, settings: Settings | None = None) -> list[ServiceSpec]:
    """The nodes a name stands for: every node of a service, or one node; DevstackError for an
    unknown name."""
    found = specs(settings)
    if service in found:
        return [found[service]]
    chosen = [sp for sp in found.values() if sp.service == service]
    if not chosen:
        raise DevstackError(f"unknown service {service!r}: choose from {', '.join(found)}")
    return chosen


def spec(service: str, settings: Settings | None = None) -> ServiceSpec:
    """The spec of a node, or of a service's first node."""
    return nodes(service, settings)[0]


def _names(services: Iterable[str] | None, settings: Settings) -> list[str]:
    names = list(services) if services is not None else list(SERVICES)
    return [sp.name for name in names for sp in nodes(name, settings)]


def _ctx(settings: Settings | None, echo: Echo | None) -> tuple[Settings, Layout, Echo]:
    s = settings or get_settings()
    return s, Layout.from_settings(s), echo or log.info


def is_ready(service: str, settings: Settings | None = None) -> bool:
    """True if every node of the service (or the node) answers a real client round trip
    (produce/consume, CQL query)."""
    s = settings or get_settings()
    return all(sp.probe(s) for sp in nodes(service, s))


def check_ports(sp: ServiceSpec, settings: Settings) -> None:
    """PortBusyError naming every port of sp that something else holds."""
    busy = [p for p in sp.ports(settings) if not port_is_free(p, sp.host)]
    if busy:
        held = "; ".join(f"port {p} is held by {describe_owner(p)}" for p in busy)
        raise PortBusyError(
            f"cannot start {sp.title}: {held}. Stop that process, or point the EVENTLY_* "
            "settings at it if it is a server you want to use."
        )


def _begin(sp: ServiceSpec, s: Settings, layout: Layout, echo: Echo) -> _Pending | None:
    """Start sp unless it answers already; returns what to wait for (None if nothing)."""
    if sp.is_remote(s):
        if sp.probe(s):
            echo(f"{sp.title} at {sp.address(s)} answers (not local, not managed by devstack)")
            return None
        raise NotReachableError(
            f"{sp.title} at {sp.address(s)} does not answer, "
            "and devstack only starts services on 127.0.0.1"
        )
    now = time.monotonic()
    pid = find_pid(layout, sp.name)
    if pid is not None:
        if sp.probe(s):
            echo(f"{sp.title} already running (pid {pid}) at {sp.address(s)}")
            return None
        echo(f"{sp.title} (pid {pid}) is running but not ready yet; waiting")
        return _Pending(sp, pid, now + sp.start_timeout_s, now)
    if sp.probe(s):
        echo(f"{sp.title} already answers at {sp.address(s)} (not started by devstack)")
        return None
    check_ports(sp, s)
    java = find_java()
    classpath = ensure_classpath(layout, sp.service)
    argv = sp.prepare(layout, s, classpath, java)
    now = time.monotonic()
    pid = spawn(layout, sp.name, argv, cwd=layout.service_dir(sp.name))
    echo(f"{sp.title} starting (pid {pid}), log: {layout.log_file(sp.name)}")
    return _Pending(sp, pid, now + sp.start_timeout_s, now)


def _wait(pending: list[_Pending], s: Settings, layout: Layout, echo: Echo) -> None:
    """Poll until every pending service is ready; StartError (with its log tail) otherwise."""
    waiting = list(pending)
    while waiting:
        for p in list(waiting):
            name = p.spec.name
            log_file = layout.log_file(name)
            if not is_alive(p.pid):
                layout.pid_file(name).unlink(missing_ok=True)
                raise StartError(
                    f"{p.spec.title} (pid {p.pid}) exited during start. "
                    f"Last lines of {log_file}:\n{tail(log_file, LOG_TAIL_LINES)}"
                )
            if p.spec.probe(s):
                took = time.monotonic() - p.started_at
                echo(f"{p.spec.title} ready at {p.spec.address(s)} in {took:.1f}s")
                waiting.remove(p)
            elif time.monotonic() > p.deadline:
                log_tail = tail(log_file, LOG_TAIL_LINES)
                terminate(p.pid, p.spec.stop_timeout_s)
                layout.pid_file(name).unlink(missing_ok=True)
                raise StartError(
                    f"{p.spec.title} (pid {p.pid}) was not ready within "
                    f"{p.spec.start_timeout_s:.0f}s and was stopped. "
                    f"Last lines of {log_file}:\n{log_tail}"
                )
        if waiting:
            time.sleep(1.0)


def up(
    services: Iterable[str] | None = None,
    settings: Settings | None = None,
    echo: Echo | None = None,
) -> list[str]:
    """Start each service that does not answer, wait until all are ready; returns those started."""
    s, layout, say = _ctx(settings, echo)
    chosen = [spec(n, s) for n in _names(services, s)]
    # Check java and every port before starting anything, so nothing is left half-started.
    to_start = [
        sp
        for sp in chosen
        if not sp.is_remote(s) and find_pid(layout, sp.name) is None and not sp.probe(s)
    ]
    if to_start:
        find_java()
    for sp in to_start:
        check_ports(sp, s)
    # A cluster's nodes start together: Kafka's need a quorum of voters, Cassandra's are seeds.
    pending = [p for p in (_begin(sp, s, layout, say) for sp in chosen) if p is not None]
    _wait(pending, s, layout, say)
    if not pending:
        say("Nothing to start: " + ", ".join(sp.title for sp in chosen) + " already answer.")
    return [p.spec.name for p in pending]


def ensure_up(
    services: Iterable[str] | None = None,
    settings: Settings | None = None,
    echo: Echo | None = None,
) -> bool:
    """Start whatever does not answer; True if anything was started (or waited for)."""
    return bool(up(services, settings, echo))


def start(service: str, settings: Settings | None = None, echo: Echo | None = None) -> bool:
    """Start one service and wait until it is ready; True if it was started."""
    return bool(up([service], settings, echo))


def stop(service: str, settings: Settings | None = None, echo: Echo | None = None) -> bool:
    """Stop our JVMs of the service or node (SIGTERM, wait, SIGKILL), ready or not; True if one
    was running."""
    s, _, say = _ctx(settings, echo)
    return bool(_stop_together(nodes(service, s), s, say))


def _stop_together(chosen: list[ServiceSpec], s: Settings, say: Echo) -> list[str]:
    """Stop the nodes at once; the names of those that were running. (Kafka nodes stopped one
    after another: the last one waits for a controller quorum that is gone, and is killed
    after its timeout, a minute.)"""
    with ThreadPoolExecutor(max_workers=max(1, len(chosen))) as pool:
        stopped = list(pool.map(lambda sp: _stop_node(sp, s, say), chosen))
    return [sp.name for sp, was in zip(chosen, stopped, strict=True) if was]


def _stop_node(sp: ServiceSpec, s: Settings, say: Echo) -> bool:
    layout, service = Layout.from_settings(s), sp.name
    pid = find_pid(layout, service)
    if pid is None:
        stale = read_pid(layout, service)
        layout.pid_file(service).unlink(missing_ok=True)
        if stale is not None:
            say(f"{sp.title}: removed stale pid file (pid {stale} is gone or not ours)")
        elif sp.is_remote(s):
            say(f"{sp.title} at {sp.address(s)} is not managed by devstack")
        else:
            say(f"{sp.title} is not running")
        return False
    say(f"stopping {sp.title} (pid {pid})")
    t0 = time.monotonic()
    killed = terminate(pid, sp.stop_timeout_s)
    layout.pid_file(service).unlink(missing_ok=True)
    how = "killed after SIGTERM timed out" if killed else "stopped"
    say(f"{sp.title} {how} in {time.monotonic() - t0:.1f}s")
    return True


def down(
    services: Iterable[str] | None = None,
    settings: Settings | None = None,
    echo: Echo | None = None,
) -> list[str]:
    """Stop every service (Cassandra first); returns those that were running."""
    s, _, say = _ctx(settings, echo)
    names = _names(services, s)
    chosen = [sp for sp in specs(s).values() if sp.name in names]
    return [
        name
        for service in reversed(SERVICES)
        for name in _stop_together([sp for sp in chosen if sp.service == service], s, say)
    ]


def reset(settings: Settings | None = None, echo: Echo | None = None) -> None:
    """Stop everything; delete data, config, logs, pid files (not the Maven cache, classpaths)."""
    s, layout, say = _ctx(settings, echo)
    down(None, s, say)
    dirs = {*SERVICES, *specs(s)}
    for path in [*(layout.service_dir(n) for n in dirs), layout.logs_dir, layout.run_dir]:
        if path.exists():
            shutil.rmtree(path)
    say(f"deleted data and logs under {layout.root}")


def status(settings: Settings | None = None) -> list[ServiceStatus]:
    """Pid, port, readiness and memory of each service."""
    s, layout, _ = _ctx(settings, None)
    rows = []
    for name, sp in specs(s).items():
        pid = None if sp.is_remote(s) else find_pid(layout, name)
        mem = memory_kib(pid) if pid is not None else None
        rows.append(
            ServiceStatus(
                service=name,
                pid=pid,
                port=sp.ports(s)[0],
                address=sp.address(s),
                ready=sp.probe(s),
                remote=sp.is_remote(s),
                rss_kib=mem[0] if mem else None,
                peak_rss_kib=mem[1] if mem else None,
            )
        )
    return rows


def log_path(service: str, settings: Settings | None = None) -> str:
    """Path of the log file of a node (a service's first node)."""
    s, layout, _ = _ctx(settings, None)
    return str(layout.log_file(spec(service, s).name))

"""Keep a deployment's app processes running: restart one that exits, after a backoff, and give
up on one that keeps crashing.

Every app process (workers, analytics, ingress) is a server, so any exit is a crash. The
restarts per process are written to the file of infra/restarts.py, which the ingress reads on
each scrape of /metrics."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from infra.logs import get_logger
from infra.restarts import write_restarts
from system.launch import System

log = get_logger("system.supervise")
TAIL_LINES = 40


@dataclass(frozen=True)
class RestartPolicy:
    """Backoff from `first_delay` doubling to `max_delay`, back to `first_delay` once a process
    ran `stable_after` seconds; `max_crashes` crashes within `window` seconds is a crash loop."""

    first_delay: float = 1.0
    max_delay: float = 30.0
    stable_after: float = 60.0
    max_crashes: int = 5
    window: float = 60.0


@dataclass
class CrashHistory:
    """One process's crashes under a policy."""

    policy: RestartPolicy
    started_at: float
    delay: float = 0.0
    crashes: deque[float] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.delay = self.delay or self.policy.first_delay

    def started(self, now: float) -> None:
        self.started_at = now

    def crashed(self, now: float) -> float | None:
        """The seconds to wait before starting the process again; None on a crash loop."""
        if now - self.started_at >= self.policy.stable_after:
            self.delay = self.policy.first_delay
        self.crashes.append(now)
        while now - self.crashes[0] > self.policy.window:
            self.crashes.popleft()
        if len(self.crashes) >= self.policy.max_crashes:
            return None
        delay, self.delay = self.delay, min(self.delay * 2, self.policy.max_delay)
        return delay


class CrashLoop(RuntimeError):
    """A process crashed too often; carries the tail of its log."""

    def __init__(self, name: str, crashes: int, window: float, tail: str) -> None:
        super().__init__(f"{name} crashed {crashes} times within {window:.0f}s")
        self.name = name
        self.tail = tail


class Supervisor:
    """Restarts the processes of `system` that exit; `check` is one pass, `run` loops."""

    def __init__(
        self,
        system: System,
        state_file: Path | None = None,
        policy: RestartPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.system = system
        self.state_file = state_file
        self.policy = policy or RestartPolicy()
        self.clock = clock
        now = clock()
        self.history = {name: CrashHistory(self.policy, now) for name in system.processes}
        self.restarts = dict.fromkeys(system.processes, 0)
        self.due: dict[str, float] = {}
        self._save()

    def check(self) -> None:
        """Schedule a restart for each process that exited; start those whose time came.
        Raises CrashLoop for a process that crashed too often."""
        now = self.clock()
        for name, process in list(self.system.processes.items()):
            if name in self.due or process.poll() is None:
                continue
            history = self.history.setdefault(name, CrashHistory(self.policy, now))
            delay = history.crashed(now)
            if delay is None:
                log.error("process crash loop", process=name, returncode=process.returncode)
                raise CrashLoop(name, len(history.crashes), self.policy.window, self.tail(name))
            log.warning(
                "process exited",
                process=name,
                returncode=process.returncode,
                restart_in_s=delay,
                crashes_in_window=len(history.crashes),
            )
            self.due[name] = now + delay
        for name, at in list(self.due.items()):
            if now >= at:
                del self.due[name]
                process = self.system.respawn(name)
                self.history[name].started(now)
                self.restarts[name] = self.restarts.get(name, 0) + 1
                self._save()
                log.warning(
                    "process restarted", process=name, pid=process.pid, restarts=self.restarts[name]
                )

    def run(self, stop: threading.Event | None = None, poll_seconds: float = 0.2) -> None:
        """`check` until `stop` is set (or forever); CrashLoop ends it."""
        stop = stop or threading.Event()
        while not stop.is_set():
            self.check()
            stop.wait(poll_seconds)

    def tail(self, name: str, lines: int = TAIL_LINES) -> str:
        """The last lines of a process's log."""
        path = self.system.log_dir / f"{name}.log"
        try:
            text = path.read_text(errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def _save(self) -> None:
        if self.state_file is not None:
            write_restarts(self.state_file, self.restarts)

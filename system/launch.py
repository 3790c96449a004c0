"""Start and stop the system's own processes (workers, analytics, gateway, admitter, ingress) on
this machine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from infra.settings import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a child process read `settings`."""
    env = dict(os.environ)
    for name, value in settings.model_dump(mode="json").items():
        if value is not None:
            text = json.dumps(value) if isinstance(value, dict | list) else str(value)
            env[f"EVENTLY_{name.upper()}"] = text
    return env


@dataclass(frozen=True)
class ProcessSpec:
    """One app process: its name (and log file) and the module `python -m` runs."""

    name: str
    module: str


def process_specs(
    workers: int = 2, analytics: bool = True, ingresses: int = 1
) -> list[ProcessSpec]:
    """The app processes of one deployment, in start order (the ingresses last)."""
    specs = [ProcessSpec(f"worker-{index + 1}", "workers") for index in range(workers)]
    if analytics:
        specs.append(ProcessSpec("analytics", "analytics"))
    specs.append(ProcessSpec("gateway", "partners"))
    specs.append(ProcessSpec("admitter", "waitroom"))
    specs.append(ProcessSpec("ingress", "ingress"))
    specs.extend(ProcessSpec(f"ingress-{index}", "ingress") for index in range(2, ingresses + 1))
    return specs


@dataclass
class System:
    """Running processes of one deployment, and where the ingress answers."""

    base_url: str
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # How each process was started, so that a supervisor can start it again.
    started_as: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    def spawn(self, name: str, module: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start `python -m module` as `name`, logging to log_dir/name.log."""
        self.started_as[name] = (module, env)
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", module],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()  # the child has its own copy
        self.processes[name] = process
        return process

    def respawn(self, name: str) -> subprocess.Popen[bytes]:
        """Start `name` again as it was first started."""
        module, env = self.started_as[name]
        return self.spawn(name, module, env)

    def kill(self, name: str, sig: int = signal.SIGTERM, wait: float = 10.0) -> None:
        """Stop one process (SIGKILL if it outlives `wait`)."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name)

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Block until GET /health answers 200, or raise naming a process that died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {process.returncode}; see {self.log_dir}/{name}.log"
                    )
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"the ingress did not answer /health within {timeout:.0f}s")


def start_system(
    settings: Settings,
    log_dir: Path,
    workers: int = 2,
    analytics: bool = True,
    overrides: dict[str, dict[str, str]] | None = None,
) -> System:
    """Start `workers` seat workers, the analytics app (optional) and the ingress; `overrides`
    adds environment variables to the processes it names."""
    log_dir.mkdir(parents=True, exist_ok=True)
    system = System(f"http://{settings.http_host}:{settings.http_port}", log_dir)
    env = settings_env(settings)
    for spec in process_specs(workers, analytics, settings.ingress_processes):
        system.spawn(spec.name, spec.module, env | (overrides or {}).get(spec.name, {}))
    try:
        system.wait_healthy()
    except BaseException:
        system.stop()
        raise
    return system

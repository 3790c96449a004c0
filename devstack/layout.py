"""Where the dev stack keeps its files, derived from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.settings import Settings, get_settings

LOCAL_HOSTS = frozenset({"localhost", "::1"})


@dataclass(frozen=True)
class Layout:
    """All paths under devstack_dir, plus the shared Maven cache."""

    root: Path
    maven_repo: Path

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Layout:
        """The layout for the given (or process-wide) settings."""
        s = settings or get_settings()
        return cls(
            root=Path(s.devstack_dir).resolve(), maven_repo=Path(s.devstack_cache_dir).resolve()
        )

    @property
    def run_dir(self) -> Path:
        """Pid files."""
        return self.root / "run"

    @property
    def logs_dir(self) -> Path:
        """One log per service (JVM stdout and stderr)."""
        return self.root / "logs"

    @property
    def classpath_dir(self) -> Path:
        """Resolved classpaths, one file per service (kept by `reset`)."""
        return self.root / "classpath"

    def service_dir(self, service: str) -> Path:
        """Config and data of one service."""
        return self.root / service

    def pid_file(self, service: str) -> Path:
        """The pid file of one service."""
        return self.run_dir / f"{service}.pid"

    def log_file(self, service: str) -> Path:
        """The log of one service."""
        return self.logs_dir / f"{service}.log"

    def classpath_file(self, service: str) -> Path:
        """The classpath file of one service."""
        return self.classpath_dir / f"{service}.txt"


def node_name(service: str, node: int, count: int) -> str:
    """A node's name: the service's alone when it is the only node (kafka), else numbered
    (kafka-2); its files, pid and log go by this name."""
    return service if count == 1 else f"{service}-{node}"


def is_local_host(host: str) -> bool:
    """True for loopback names: the only hosts devstack starts services on."""
    name = host.strip().strip("[]")
    return name in LOCAL_HOSTS or name.startswith("127.")

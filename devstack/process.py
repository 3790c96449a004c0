"""Detached JVM processes: start in their own session, pid files, stop, memory.

Every JVM we start carries a marker system property naming the service and the
devstack_dir, so a process is recognised as ours even if its pid file is lost
and a recycled pid is never mistaken for ours.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from devstack.layout import Layout
from devstack.ports import read_cmdline

MARKER_PROP = "-Devently.devstack="


def marker(layout: Layout, service: str) -> str:
    """The JVM argument that tags a process as this devstack's `service`."""
    return f"{MARKER_PROP}{service}@{layout.root}"


def is_alive(pid: int) -> bool:
    """True if pid runs (zombies count as dead and are reaped if they are our children)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    except OSError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def is_ours(pid: int, layout: Layout, service: str) -> bool:
    """True if pid is alive and is the JVM this devstack started for service."""
    return is_alive(pid) and marker(layout, service) in read_cmdline(pid).split(" ")


def read_pid(layout: Layout, service: str) -> int | None:
    """The pid in the service's pid file, if any."""
    try:
        return int(layout.pid_file(service).read_text().strip())
    except (OSError, ValueError):
        return None


def find_pid(layout: Layout, service: str) -> int | None:
    """The live pid of our JVM for service: from the pid file, else by scanning /proc."""
    pid = read_pid(layout, service)
    if pid is not None and is_ours(pid, layout, service):
        return pid
    tag = marker(layout, service)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and tag in read_cmdline(int(entry.name)).split(" "):
            found = int(entry.name)
            if is_alive(found):
                return found
    return None


def rotate_log(log: Path) -> None:
    """Keep the previous run's log as <name>.1, start a fresh one."""
    log.parent.mkdir(parents=True, exist_ok=True)
    if log.exists():
        log.replace(log.with_name(log.name + ".1"))


def spawn(
    layout: Layout, service: str, argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> int:
    """Start argv detached (own session, stdin closed, output to the service log); returns pid."""
    log = layout.log_file(service)
    rotate_log(log)
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    cwd.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(  # noqa: S603
            list(argv),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    layout.pid_file(service).write_text(f"{proc.pid}\n")
    return proc.pid


def terminate(pid: int, timeout_s: float = 60.0) -> bool:
    """SIGTERM pid's process group, wait timeout_s, then SIGKILL; True if it had to be killed."""
    _signal(pid, signal.SIGTERM)
    _signal(pid, signal.SIGCONT)  # a stopped (SIGSTOP, Ctrl-Z) JVM must run to see SIGTERM
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return False
        time.sleep(0.2)
    _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return True


def _signal(pid: int, sig: signal.Signals) -> None:
    """Signal the process group led by pid (our JVMs lead their own), else pid alone."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def memory_kib(pid: int) -> tuple[int, int] | None:
    """(current RSS, peak RSS) of pid in KiB, from /proc/<pid>/status."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    if "VmRSS" not in values:
        return None
    return values["VmRSS"], values.get("VmHWM", values["VmRSS"])


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a text file ('' if it does not exist)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 256 * 1024))
            data = fh.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])

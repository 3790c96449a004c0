"""Is a TCP port free, and if not, which process holds it (Linux /proc, best effort)."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if a server could bind host:port now (TIME_WAIT leftovers do not count as busy)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on a port, from /proc/net/tcp and tcp6."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != "0A":  # 0A = LISTEN
                continue
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def port_owner(port: int) -> tuple[int, str] | None:
    """(pid, command line) of the process listening on port, if it can be seen."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    targets = {f"socket:[{i}]" for i in inodes}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            for fd in os.scandir(f"/proc/{entry.name}/fd"):
                if os.readlink(fd.path) in targets:
                    pid = int(entry.name)
                    return pid, read_cmdline(pid)
        except OSError:
            continue
    return None


def read_cmdline(pid: int) -> str:
    """The command line of pid as one string ('' if gone or hidden)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def describe_owner(port: int) -> str:
    """Human text naming who holds port."""
    owner = port_owner(port)
    if owner is None:
        return "an unknown process (not visible to this user)"
    pid, cmd = owner
    short = cmd if len(cmd) <= 120 else cmd[:117] + "..."
    return f"pid {pid} ({short or '?'})"

"""Process figures from /proc: CPU seconds and peak memory of the processes under test."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of `pid` so far, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mib(pid: int) -> tuple[float, float] | None:
    """(current RSS, peak RSS) of `pid` in MiB, or None when it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    values = {k: v for k, _, v in (line.partition(":") for line in lines)}
    return int(values["VmRSS"].split()[0]) / 1024, int(values["VmHWM"].split()[0]) / 1024


def machine() -> dict[str, object]:
    """What this box is: CPU model, cores, memory, load when asked."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "kernel": os.uname().release,
    }


@dataclass
class CpuMeter:
    """Cores used by each named process between `start` and `stop`."""

    pids: dict[str, int]

    def start(self) -> None:
        self._wall = time.monotonic()
        self._cpu = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._total = _box_busy()

    def stop(self) -> dict[str, float]:
        """Name -> average cores used (1.0 = one core busy the whole time); `box` is all."""
        wall = max(time.monotonic() - self._wall, 1e-9)
        used: dict[str, float] = {}
        for name, pid in self.pids.items():
            before, after = self._cpu.get(name), cpu_seconds(pid)
            if before is not None and after is not None:
                used[name] = round((after - before) / wall, 2)
        used["box"] = round((_box_busy() - self._total) / wall, 2)
        return used


def _box_busy() -> float:
    """CPU seconds the whole machine spent not idle."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICKS

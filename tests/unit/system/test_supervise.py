"""The supervisor's restart policy and loop on a fake clock and fake processes (no real ones)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, cast

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from infra.restarts import RestartCollector, read_restarts
from system.launch import System
from system.supervise import CrashHistory, CrashLoop, RestartPolicy, Supervisor


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeProcess:
    """Runs until `die`."""

    counter = 100

    def __init__(self) -> None:
        FakeProcess.counter += 1
        self.pid = FakeProcess.counter
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode

    def die(self) -> None:
        self.returncode = -9


class FakeSystem(System):
    def spawn(self, name: str, module: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        self.started_as[name] = (module, env)
        process = cast(Any, FakeProcess())
        self.processes[name] = process
        return cast(subprocess.Popen[bytes], process)


def fake_system(tmp_path: Path, *names: str) -> FakeSystem:
    system = FakeSystem("", tmp_path)
    for name in names:
        system.spawn(name, "workers", {})
    return system


def test_the_delay_doubles_from_one_second_up_to_thirty() -> None:
    policy = RestartPolicy(max_crashes=100)
    history = CrashHistory(policy, started_at=0.0)
    delays = []
    now = 0.0
    for _ in range(8):
        now += 0.5  # crashes soon after each start
        delay = history.crashed(now)
        assert delay is not None
        delays.append(delay)
        now += delay
        history.started(now)
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_minute_of_stable_running_resets_the_delay() -> None:
    history = CrashHistory(RestartPolicy(), started_at=0.0)
    assert [history.crashed(t) for t in (1.0, 2.0, 3.0)] == [1, 2, 4]
    history.started(10.0)
    assert history.crashed(10.0 + 59.9) == 8  # not yet stable
    history.started(80.0)
    assert history.crashed(80.0 + 60.0) == 1


def test_five_crashes_within_a_minute_is_a_crash_loop_but_spread_out_they_are_not() -> None:
    history = CrashHistory(RestartPolicy(), started_at=0.0)
    assert [history.crashed(t) for t in (1.0, 5.0, 20.0, 50.0)] == [1, 2, 4, 8]
    assert history.crashed(60.5) is None  # the fifth within 60 s of the first

    spread = CrashHistory(RestartPolicy(), started_at=0.0)
    times = [1.0, 30.0, 59.0, 80.0, 100.0, 125.0]  # never five within 60 s
    assert all(spread.crashed(t) is not None for t in times)


def test_the_supervisor_restarts_after_the_backoff_and_counts_it(tmp_path: Path) -> None:
    clock, state = Clock(), tmp_path / "restarts.json"
    system = fake_system(tmp_path, "worker-1", "worker-2", "ingress")
    supervisor = Supervisor(system, state, clock=clock)
    assert read_restarts(state) == {"worker-1": 0, "worker-2": 0, "ingress": 0}
    first = system.processes["worker-1"]
    cast(FakeProcess, first).die()

    supervisor.check()
    assert system.processes["worker-1"] is first  # waits 1 s first
    clock.now += 0.9
    supervisor.check()
    assert system.processes["worker-1"] is first
    clock.now += 0.1
    supervisor.check()
    assert system.processes["worker-1"] is not first
    assert system.processes["worker-1"].poll() is None
    assert read_restarts(state) == {"worker-1": 1, "worker-2": 0, "ingress": 0}

    cast(FakeProcess, system.processes["worker-1"]).die()
    supervisor.check()
    clock.now += 1.0
    supervisor.check()
    assert read_restarts(state)["worker-1"] == 1  # the second restart waits 2 s
    clock.now += 1.0
    supervisor.check()
    assert read_restarts(state)["worker-1"] == 2

    registry = CollectorRegistry()
    registry.register(RestartCollector(state))
    text = generate_latest(registry).decode()
    assert 'evently_process_restarts_total{process="worker-1"} 2.0' in text
    assert 'evently_process_restarts_total{process="ingress"} 0.0' in text


def test_a_crash_loop_is_reported_with_the_log_tail(tmp_path: Path) -> None:
    clock = Clock()
    system = fake_system(tmp_path, "analytics", "ingress")
    lines = [f"line {i}" for i in range(100)] + ["Traceback: boom"]
    (tmp_path / "analytics.log").write_text("\n".join(lines))
    supervisor = Supervisor(system, clock=clock)
    restarted = 0
    with pytest.raises(CrashLoop) as raised:
        for _ in range(20):
            cast(FakeProcess, system.processes["analytics"]).die()
            supervisor.check()
            clock.now += 8.0
            supervisor.check()
            restarted += 1
    assert restarted == 4  # the fifth crash within 60 s is not restarted
    assert raised.value.name == "analytics"
    assert "analytics crashed 5 times within 60s" in str(raised.value)
    assert raised.value.tail.endswith("Traceback: boom")
    assert "line 59" not in raised.value.tail and "line 61" in raised.value.tail
    assert supervisor.restarts == {"analytics": 4, "ingress": 0}


def test_no_file_no_counts(tmp_path: Path) -> None:
    assert read_restarts(tmp_path / "missing.json") == {}
    registry = CollectorRegistry()
    registry.register(RestartCollector(tmp_path / "missing.json"))
    assert "evently_process_restarts_total{" not in generate_latest(registry).decode()

"""The outage a fault run reports per fault: the longest time without a decision from the
fault's start until the first decision after it healed."""

from __future__ import annotations

from tests.faults.history import History, outages


def history_with(decided_at: list[float], fault: tuple[float, float]) -> History:
    history = History(seed=1, started=0.0)
    for at in decided_at:
        op = history.invoke("c", "hold")
        history.complete(op, "ok")
        op.completed_at = at
    unknown = history.invoke("c", "hold")
    history.complete(unknown, "unknown")
    unknown.completed_at = fault[0] + 0.5  # no answer: not a decision
    history.faults = [
        {"at": fault[0], "fault": "kill_cassandra_node", "phase": "start", "target": "c-1"},
        {"at": fault[1], "fault": "kill_cassandra_node", "phase": "healed", "target": "c-1"},
    ]
    return history


def test_the_longest_gap_inside_the_fault_counts() -> None:
    [found] = outages(history_with([1.0, 10.5, 11.0, 19.0, 21.0], fault=(10.0, 20.0)))
    assert found == {
        "fault": "kill_cassandra_node",
        "target": "c-1",
        "lasted_s": 10.0,
        "outage_s": 8.0,  # 11.0 -> 19.0
    }


def test_the_gap_from_the_start_and_to_the_first_decision_after_healing_count() -> None:
    [found] = outages(history_with([1.0, 25.0, 26.0], fault=(10.0, 20.0)))
    assert found["outage_s"] == 15.0  # nothing from 10.0 until 25.0


def test_no_decision_after_healing_counts_up_to_the_settle_time() -> None:
    [found] = outages(history_with([1.0], fault=(10.0, 20.0)), settle=30.0)
    assert found["outage_s"] == 40.0

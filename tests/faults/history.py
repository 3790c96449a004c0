"""What every client did: each operation recorded as invoked, then ok, fail or unknown."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["ok", "fail", "unknown"]


@dataclass
class Op:
    """One operation of one client. `unknown`: no answer (timeout, connection lost, 5xx): it
    may or may not have taken effect."""

    index: int
    client: str
    kind: str
    args: dict[str, Any]
    invoked_at: float
    status: Status | None = None
    completed_at: float | None = None
    result: dict[str, Any] = field(default_factory=dict)


@dataclass
class History:
    """Every operation of a run, in invocation order, and the nemesis' own log."""

    seed: int
    started: float = field(default_factory=time.time)
    ops: list[Op] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)

    def invoke(self, client: str, kind: str, **args: Any) -> Op:
        op = Op(len(self.ops), client, kind, args, time.time() - self.started)
        self.ops.append(op)
        return op

    def complete(self, op: Op, status: Status, **result: Any) -> Op:
        op.status, op.result = status, result
        op.completed_at = time.time() - self.started
        return op

    def fault(self, name: str, phase: str, **details: Any) -> None:
        self.faults.append(
            {"at": round(time.time() - self.started, 3), "fault": name, "phase": phase} | details
        )

    def done(self, kind: str, status: Status | None = None) -> list[Op]:
        """Completed operations of `kind` (with `status` when given)."""
        return [
            op
            for op in self.ops
            if op.kind == kind and op.status is not None and status in (None, op.status)
        ]

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for op in self.ops:
            key = f"{op.kind}:{op.status or 'pending'}"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def answers(self) -> dict[str, int]:
        """How often each kind of operation got each answer (HTTP status or error)."""
        counts: dict[str, int] = {}
        for op in self.ops:
            answer = op.result.get("http") or op.result.get("code") or op.result.get("error")
            key = f"{op.kind}:{op.status}:{answer}"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "started": self.started,
            "summary": self.summary(),
            "faults": self.faults,
            "ops": [asdict(op) for op in self.ops],
        }


def outages(history: History, settle: float = 60.0) -> list[dict[str, Any]]:
    """For each fault, the longest time without a decision (an operation answered `ok` or
    `fail`) from its start until the first decision after it healed (at most `settle` s later).
    A fault without any decision after it counts up to its heal plus `settle`."""
    decided = sorted(
        op.completed_at
        for op in history.ops
        if op.status in ("ok", "fail") and op.completed_at is not None
    )
    starts = [f for f in history.faults if f["phase"] == "start"]
    healed = {
        (f["fault"], f.get("target")): f["at"] for f in history.faults if f["phase"] == "healed"
    }
    found = []
    for fault in starts:
        begin = fault["at"]
        end = healed.get((fault["fault"], fault.get("target")), begin)
        after = [t for t in decided if t > end]
        stop = after[0] if after else end + settle
        points = [begin, *(t for t in decided if begin < t < stop), stop]
        gap = max(b - a for a, b in zip(points, points[1:], strict=False))
        found.append(
            {
                "fault": fault["fault"],
                "target": fault.get("target"),
                "lasted_s": round(end - begin, 1),
                "outage_s": round(gap, 1),
            }
        )
    return found

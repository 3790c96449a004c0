"""What `decide` returns: the events to apply and why a command was refused, if it was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seating.errors import ErrorCode, Rejection
from seating.events import Event


@dataclass(frozen=True)
class Decision:
    """The events to apply, the hold (or waiting-list entry) the command is about, and why it
    was refused, if it was.

    `pending` marks a confirm whose answer waits for the payment provider.
    """

    events: tuple[Event, ...] = ()
    holding_id: str | None = None
    rejection: Rejection | None = None
    pending: bool = False
    waitlist_id: str | None = None


def reject(code: ErrorCode, message: str, *events: Event, **details: Any) -> Decision:
    """A refusal, with the events time alone made happen (expiries)."""
    return Decision(events=events, rejection=Rejection(code, message, details))

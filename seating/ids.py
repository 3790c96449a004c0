"""Identifiers. Hold and booking ids carry their event id, so each routes to its partition."""

from __future__ import annotations

import hashlib
import re
import uuid

_EVENT_ID = re.compile(r"[0-9a-f]{32}")
_CHILD_ID = re.compile(r"([0-9a-f]{32})-([hb])([0-9a-f]{20})")


def new_id() -> str:
    """A fresh random id (32 hex digits), used for events, venues and users."""
    return uuid.uuid4().hex


def is_event_id(value: str) -> bool:
    """Whether `value` has the form of an event id."""
    return bool(_EVENT_ID.fullmatch(value))


def holding_id_for(event_id: str, command_id: str) -> str:
    """The hold a HoldSeats command creates: derived from its id, so a redelivery maps to it."""
    digest = hashlib.sha256(command_id.encode()).hexdigest()[:20]
    return f"{event_id}-h{digest}"


def booking_id_for(holding_id: str) -> str:
    """The booking a confirmed hold becomes."""
    event_id, _, digest = _split(holding_id, "h")
    return f"{event_id}-b{digest}"


def holding_id_of_booking(booking_id: str) -> str:
    """The hold a booking was made from."""
    event_id, _, digest = _split(booking_id, "b")
    return f"{event_id}-h{digest}"


def event_of(child_id: str) -> str | None:
    """The event id inside a hold or booking id, or None when `child_id` is not one."""
    match = _CHILD_ID.fullmatch(child_id)
    return match.group(1) if match else None


def _split(child_id: str, kind: str) -> tuple[str, str, str]:
    match = _CHILD_ID.fullmatch(child_id)
    if not match or match.group(2) != kind:
        raise ValueError(f"not a {'hold' if kind == 'h' else 'booking'} id: {child_id!r}")
    return match.group(1), match.group(2), match.group(3)

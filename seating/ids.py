"""Identifiers. Hold, booking and waiting-list ids carry their event id, so each routes to its
partition."""

from __future__ import annotations

import hashlib
import re
import uuid

_EVENT_ID = re.compile(r"[0-9a-f]{32}")
_CHILD_ID = re.compile(r"([0-9a-f]{32})-([hbw])([0-9a-f]{20})")


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


def waitlist_id_for(event_id: str, user_id: str, seat_type: str) -> str:
    """A user's one waiting-list entry for a seat type: joining again names the same entry."""
    digest = hashlib.sha256(f"{user_id}\n{seat_type}".encode()).hexdigest()[:20]
    return f"{event_id}-w{digest}"


def offer_holding_id(waitlist_id: str) -> str:
    """The hold offered to an entry (an entry is offered once): a redelivered decision maps to
    it."""
    event_id, _, _ = _split(waitlist_id, "w")
    return holding_id_for(event_id, f"waitlist\n{waitlist_id}")


def booking_id_for(holding_id: str) -> str:
    """The booking a confirmed hold becomes."""
    event_id, _, digest = _split(holding_id, "h")
    return f"{event_id}-b{digest}"


def holding_id_of_booking(booking_id: str) -> str:
    """The hold a booking was made from."""
    event_id, _, digest = _split(booking_id, "b")
    return f"{event_id}-h{digest}"


def event_of(child_id: str) -> str | None:
    """The event id inside a hold, booking or waiting-list id, or None when it is not one."""
    match = _CHILD_ID.fullmatch(child_id)
    return match.group(1) if match else None


def _split(child_id: str, kind: str) -> tuple[str, str, str]:
    match = _CHILD_ID.fullmatch(child_id)
    if not match or match.group(2) != kind:
        what = {"h": "hold", "b": "booking", "w": "waiting-list"}[kind]
        raise ValueError(f"not a {what} id: {child_id!r}")
    return match.group(1), match.group(2), match.group(3)

"""Why a command was refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Machine codes of refusals; the ingress maps each to one HTTP status."""

    SEATS_UNAVAILABLE = "seats_unavailable"
    NOT_ENOUGH_SEATS = "not_enough_seats"
    UNKNOWN_SEATS = "unknown_seats"
    UNKNOWN_SEAT_TYPE = "unknown_seat_type"
    DUPLICATE_SEATS = "duplicate_seats"
    TOO_MANY_SEATS = "too_many_seats"
    TOO_MANY_HOLDS = "too_many_active_holds"
    HOLD_NOT_FOUND = "hold_not_found"
    HOLD_EXPIRED = "hold_expired"
    HOLD_ENDED = "hold_ended"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    PAYMENT_DECLINED = "payment_declined"
    PAYMENT_UNAVAILABLE = "payment_unavailable"
    BOOKING_NOT_FOUND = "booking_not_found"
    BOOKING_ALREADY_CANCELLED = "booking_already_cancelled"
    STALE_PAYMENT = "stale_payment"
    COMMAND_ID_REUSED = "command_id_reused"
    SEAT_LIMIT = "seat_limit_reached"
    SALE_NOT_STARTED = "sale_not_started"
    SEATS_AVAILABLE = "seats_available"
    WAITLIST_NOT_FOUND = "waitlist_not_found"
    WAITLIST_ENDED = "waitlist_ended"


@dataclass(frozen=True)
class Rejection:
    """A refused command: nothing changed because of it."""

    code: ErrorCode
    message: str
    details: dict[str, Any] = field(default_factory=dict)

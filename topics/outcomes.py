"""The outcome of a seat command, sent to its reply partition or to the results topic."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from seating.errors import ErrorCode


class OutcomeCode(StrEnum):
    """Every code a rejected outcome can carry: the seating core's refusals (its ErrorCode,
    value for value), the worker's own and the partner gateway's. The ingress maps each to one
    HTTP status (ingress/errors.py) and the partner manual documents each (topics/asyncapi.py);
    unit tests keep both exhaustive."""

    SEATS_UNAVAILABLE = ErrorCode.SEATS_UNAVAILABLE.value
    NOT_ENOUGH_SEATS = ErrorCode.NOT_ENOUGH_SEATS.value
    UNKNOWN_SEATS = ErrorCode.UNKNOWN_SEATS.value
    UNKNOWN_SEAT_TYPE = ErrorCode.UNKNOWN_SEAT_TYPE.value
    DUPLICATE_SEATS = ErrorCode.DUPLICATE_SEATS.value
    TOO_MANY_SEATS = ErrorCode.TOO_MANY_SEATS.value
    TOO_MANY_HOLDS = ErrorCode.TOO_MANY_HOLDS.value
    HOLD_NOT_FOUND = ErrorCode.HOLD_NOT_FOUND.value
    HOLD_EXPIRED = ErrorCode.HOLD_EXPIRED.value
    HOLD_ENDED = ErrorCode.HOLD_ENDED.value
    PAYMENT_IN_PROGRESS = ErrorCode.PAYMENT_IN_PROGRESS.value
    PAYMENT_DECLINED = ErrorCode.PAYMENT_DECLINED.value
    PAYMENT_UNAVAILABLE = ErrorCode.PAYMENT_UNAVAILABLE.value
    BOOKING_NOT_FOUND = ErrorCode.BOOKING_NOT_FOUND.value
    BOOKING_ALREADY_CANCELLED = ErrorCode.BOOKING_ALREADY_CANCELLED.value
    STALE_PAYMENT = ErrorCode.STALE_PAYMENT.value
    COMMAND_ID_REUSED = ErrorCode.COMMAND_ID_REUSED.value
    SEAT_LIMIT = ErrorCode.SEAT_LIMIT.value
    SALE_NOT_STARTED = ErrorCode.SALE_NOT_STARTED.value
    SEATS_AVAILABLE = ErrorCode.SEATS_AVAILABLE.value
    WAITLIST_NOT_FOUND = ErrorCode.WAITLIST_NOT_FOUND.value
    WAITLIST_ENDED = ErrorCode.WAITLIST_ENDED.value
    # the worker's: a command for an event that does not exist
    EVENT_NOT_FOUND = "event_not_found"
    # the partner gateway's: commands it does not forward
    INVALID_COMMAND = "invalid_command"
    COMMAND_NOT_ALLOWED = "command_not_allowed"
    RATE_LIMITED = "rate_limited"


class ErrorBody(BaseModel):
    """Why a command was refused: a machine code, a human message, details."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    message: str
    details: dict[str, Any] = {}


class CommandOutcomeV1(BaseModel):
    """`created` and `ok` carry `result` (a hold or booking); `rejected` carries `error`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    command_id: str
    correlation_id: str | None = None
    event_id: str
    status: Literal["created", "ok", "rejected"]
    result: dict[str, Any] | None = None
    error: ErrorBody | None = None

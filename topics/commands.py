"""Seat commands on the wire (schema version 1), as the ingress, partners and workers send them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

import seating

EventId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
Id = Annotated[str, Field(min_length=1, max_length=128)]
# Commands the gateway forwards carry the partner in their ids ("p.<partner id>.<its id>").
InternalId = Annotated[str, Field(min_length=1, max_length=200)]


class _Command(BaseModel):
    """Fields every command carries. `reply_partition` is set by the ingress only: outcomes of
    commands without it go to the results topic, keyed by `correlation_id`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    command_id: InternalId
    event_id: EventId
    correlation_id: InternalId | None = None
    reply_partition: int | None = Field(default=None, ge=0)
    issued_at: datetime | None = None


class HoldFields(BaseModel):
    """What a hold asks for, the same for the ingress and partners."""

    seat_ids: list[Id] = Field(default_factory=list, max_length=100)
    seat_type: Id | None = None
    quantity: int = Field(default=0, ge=0, le=100)
    customer_ref: Id | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if bool(self.seat_ids) == bool(self.seat_type and self.quantity):
            raise ValueError("give either seat_ids or seat_type with quantity")
        return self


class HoldSeatsV1(_Command, HoldFields):
    """`seat_cap` is stamped by the partner gateway only (its per-event seat limit)."""

    type: Literal["hold_seats"] = "hold_seats"
    user_id: Id
    seat_cap: int | None = Field(default=None, ge=1)

    def to_domain(self) -> seating.HoldSeats:
        return seating.HoldSeats(
            self.command_id,
            self.user_id,
            tuple(self.seat_ids),
            self.seat_type,
            self.quantity,
            self.seat_cap,
            self.customer_ref,
        )


class ConfirmHoldV1(_Command):
    type: Literal["confirm_hold"] = "confirm_hold"
    user_id: Id
    holding_id: Id
    payment_token: Id

    def to_domain(self) -> seating.ConfirmHold:
        return seating.ConfirmHold(
            self.command_id, self.user_id, self.holding_id, self.payment_token
        )


class CancelHoldV1(_Command):
    type: Literal["cancel_hold"] = "cancel_hold"
    user_id: Id
    holding_id: Id

    def to_domain(self) -> seating.CancelHold:
        return seating.CancelHold(self.command_id, self.user_id, self.holding_id)


class CancelBookingV1(_Command):
    type: Literal["cancel_booking"] = "cancel_booking"
    user_id: Id
    booking_id: Id
    as_admin: bool = False

    def to_domain(self) -> seating.CancelBooking:
        return seating.CancelBooking(self.command_id, self.user_id, self.booking_id, self.as_admin)


class ExpireHoldV1(_Command):
    type: Literal["expire_hold"] = "expire_hold"
    holding_id: Id

    def to_domain(self) -> seating.ExpireHold:
        return seating.ExpireHold(self.command_id, self.holding_id)


class RecordPaymentV1(_Command):
    type: Literal["record_payment"] = "record_payment"
    holding_id: Id
    outcome: Literal["succeeded", "declined", "error"]
    attempt: int = Field(ge=1)
    charge_id: str | None = None
    message: str = ""

    def to_domain(self) -> seating.RecordPayment:
        return seating.RecordPayment(
            self.command_id,
            self.holding_id,
            self.outcome,
            self.attempt,
            self.charge_id,
            self.message,
        )


class JoinWaitlistV1(_Command):
    """Sent by the ingress only: partners may hold, confirm and cancel, not wait."""

    type: Literal["join_waitlist"] = "join_waitlist"
    user_id: Id
    seat_type: Id
    quantity: int = Field(ge=1, le=100)

    def to_domain(self) -> seating.JoinWaitlist:
        return seating.JoinWaitlist(self.command_id, self.user_id, self.seat_type, self.quantity)


class LeaveWaitlistV1(_Command):
    type: Literal["leave_waitlist"] = "leave_waitlist"
    user_id: Id
    waitlist_id: Id

    def to_domain(self) -> seating.LeaveWaitlist:
        return seating.LeaveWaitlist(self.command_id, self.user_id, self.waitlist_id)


SeatCommand = Annotated[
    HoldSeatsV1
    | ConfirmHoldV1
    | CancelHoldV1
    | CancelBookingV1
    | ExpireHoldV1
    | RecordPaymentV1
    | JoinWaitlistV1
    | LeaveWaitlistV1,
    Field(discriminator="type"),
]
COMMAND_TYPES: tuple[str, ...] = (
    "hold_seats",
    "confirm_hold",
    "cancel_hold",
    "cancel_booking",
    "expire_hold",
    "record_payment",
    "join_waitlist",
    "leave_waitlist",
)

"""Holds and bookings: each route sends one seat command and maps its outcome."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from ingress.auth import Principal
from ingress.bus import CommandTimeout
from ingress.deps import Caller, Ctx, Customer
from ingress.errors import ApiError, error_response, not_found, status_of
from ingress.responses import OrjsonResponse
from seating.ids import event_of, is_event_id
from topics.commands import (
    CancelBookingV1,
    CancelHoldV1,
    ConfirmHoldV1,
    HoldSeatsV1,
    SeatCommand,
)

router = APIRouter(tags=["holds and bookings"])
SeatId = Annotated[str, Field(min_length=1, max_length=32)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
QueuePass = Annotated[str | None, Header(alias="Evently-Queue-Pass", max_length=1024)]


class HoldRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seat_ids: list[SeatId] | None = Field(default=None, min_length=1, max_length=100)
    seat_type: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    quantity: int | None = Field(default=None, ge=1, le=100)

    def check_one_form(self) -> None:
        """seat_ids, or seat_type with quantity: else 422 naming the field at fault."""
        by_type = self.seat_type is not None or self.quantity is not None
        if self.seat_ids is not None and by_type:
            field = "seat_type" if self.seat_type is not None else "quantity"
            raise _form_error(field, "give seat_ids, or seat_type and quantity, not both")
        if self.seat_ids is None and (self.seat_type is None or self.quantity is None):
            field = "quantity" if self.quantity is None else "seat_type"
            field = field if by_type else "seat_ids"
            raise _form_error(field, "give seat_ids, or seat_type and quantity")


def _form_error(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", f"invalid {field}: {message}", {"field": field})


class ConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_token: Annotated[str, Field(min_length=1, max_length=128)]


def command_id(principal: Principal, request: Request, key: str | None) -> str:
    """The same Idempotency-Key on the same path from the same caller names the same command."""
    if key is None:
        return uuid.uuid4().hex
    scope = f"{principal.user_id}\n{request.url.path}\n{key}"
    return hashlib.sha256(scope.encode()).hexdigest()[:32]


async def send(ctx: Ctx, command: SeatCommand) -> OrjsonResponse:
    """Send `command`, await its outcome and answer in the contract's terms."""
    try:
        outcome = await ctx.bus.ask(command)
    except CommandTimeout:
        return error_response(
            503,
            "outcome_pending",
            "the decision did not arrive in time; look it up later",
            {
                "command_id": command.command_id,
                "outcome_url": f"/events/{command.event_id}/commands/{command.command_id}",
            },
            headers={"Retry-After": "1"},
        )
    if outcome.status == "rejected":
        assert outcome.error is not None  # noqa: S101
        status = status_of(outcome.error.code)
        return error_response(
            status, outcome.error.code, outcome.error.message, outcome.error.details
        )
    return OrjsonResponse(outcome.result, status_code=201 if outcome.status == "created" else 200)


def check_seat_count(ctx: Ctx, field: str, wanted: int) -> None:
    """422 naming `field` when `wanted` is over the seats a hold may take."""
    limit = ctx.settings.max_seats_per_hold
    if wanted > limit:
        raise ApiError(
            422,
            "too_many_seats",
            f"{field}: a hold takes at most {limit} seats",
            {"field": field, "limit": limit},
        )


def _event_of(child_id: str, what: str) -> str:
    event_id = event_of(child_id)
    if event_id is None:
        raise not_found(what)
    return event_id


@router.post("/events/{event_id}/hold", status_code=201)
async def hold_seats(
    event_id: str,
    body: HoldRequest,
    request: Request,
    ctx: Ctx,
    principal: Customer,
    idempotency_key: IdempotencyKey = None,
    queue_pass: QueuePass = None,
) -> Any:
    """Hold seats by id, or the best available of a seat type; all or nothing. With a waiting
    room, only with this buyer's queue pass (Evently-Queue-Pass)."""
    body.check_one_form()
    if not is_event_id(event_id):
        raise not_found("event")
    await ctx.gate.check(event_id, principal.user_id, queue_pass)
    wanted = len(body.seat_ids) if body.seat_ids is not None else body.quantity or 0
    check_seat_count(ctx, "seat_ids" if body.seat_ids is not None else "quantity", wanted)
    command = HoldSeatsV1(
        command_id=command_id(principal, request, idempotency_key),
        event_id=event_id,
        user_id=principal.user_id,
        seat_ids=body.seat_ids or [],
        seat_type=body.seat_type,
        quantity=body.quantity or 0,
    )
    return await send(ctx, command)


@router.post("/bookings/{booking_id}/cancel")
async def cancel_booking(
    booking_id: str,
    request: Request,
    ctx: Ctx,
    principal: Caller,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Cancel a booking (its holder, or an admin): seats free again, refund recorded."""
    command = CancelBookingV1(
        command_id=command_id(principal, request, idempotency_key),
        event_id=_event_of(booking_id, "booking"),
        user_id=principal.user_id,
        booking_id=booking_id,
        as_admin=principal.is_admin,
    )
    return await send(ctx, command)


@router.post("/{holding_id}/confirm", status_code=201)
async def confirm_hold(
    holding_id: str,
    body: ConfirmRequest,
    request: Request,
    ctx: Ctx,
    principal: Caller,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Pay for a hold: 201 with the booking; again after success, the same booking."""
    command = ConfirmHoldV1(
        command_id=command_id(principal, request, idempotency_key),
        event_id=_event_of(holding_id, "hold"),
        user_id=principal.user_id,
        holding_id=holding_id,
        payment_token=body.payment_token,
    )
    return await send(ctx, command)


@router.post("/{holding_id}/cancel")
async def cancel_hold(
    holding_id: str,
    request: Request,
    ctx: Ctx,
    principal: Caller,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Let go of a hold: its seats are free at once."""
    command = CancelHoldV1(
        command_id=command_id(principal, request, idempotency_key),
        event_id=_event_of(holding_id, "hold"),
        user_id=principal.user_id,
        holding_id=holding_id,
    )
    return await send(ctx, command)

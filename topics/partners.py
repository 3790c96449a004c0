"""What a partner sends on its command topic and reads on its result topic (schema version 1).

A partner names no user: the gateway stamps the partner's own user id and seat limit, and
gives its ids a partner-scoped form (`p.<partner_id>.<id>`) so that two partners' command ids
can never meet. `user_id`, `as_admin`, `reply_partition` and `seat_cap` sent by a partner are
ignored."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from topics.codec import Undecodable, check_header, check_key, describe, load_object
from topics.commands import (
    CancelBookingV1,
    CancelHoldV1,
    ConfirmHoldV1,
    EventId,
    HoldFields,
    HoldSeatsV1,
    Id,
    SeatCommand,
)
from topics.outcomes import CommandOutcomeV1, ErrorBody, OutcomeCode

PARTNER_COMMAND_TYPES = ("hold_seats", "confirm_hold", "cancel_hold", "cancel_booking")
INTERNAL_ONLY_TYPES = ("expire_hold", "record_payment")
IGNORED_FIELDS = ("user_id", "as_admin", "reply_partition", "seat_cap")


class _PartnerCommand(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    command_id: Id
    event_id: EventId
    correlation_id: Id | None = None
    issued_at: datetime | None = None


class PartnerHoldSeatsV1(_PartnerCommand, HoldFields):
    """Hold `seat_ids`, or `quantity` best available seats of `seat_type`."""

    type: Literal["hold_seats"] = "hold_seats"


class PartnerConfirmHoldV1(_PartnerCommand):
    """Pay for one of the partner's holds with a payment token."""

    type: Literal["confirm_hold"] = "confirm_hold"
    holding_id: Id
    payment_token: Id


class PartnerCancelHoldV1(_PartnerCommand):
    """Release one of the partner's holds."""

    type: Literal["cancel_hold"] = "cancel_hold"
    holding_id: Id


class PartnerCancelBookingV1(_PartnerCommand):
    """Cancel one of the partner's bookings (refunded)."""

    type: Literal["cancel_booking"] = "cancel_booking"
    booking_id: Id


PartnerCommand = Annotated[
    PartnerHoldSeatsV1 | PartnerConfirmHoldV1 | PartnerCancelHoldV1 | PartnerCancelBookingV1,
    Field(discriminator="type"),
]
_PARTNER_COMMANDS: TypeAdapter[PartnerCommand] = TypeAdapter(PartnerCommand)


def decode_partner_command(key: bytes | None, value: bytes | None) -> PartnerCommand:
    """A partner's command, checked against its key (the event id); Undecodable says why not."""
    data = load_object(value)
    kind = data.get("type")
    if kind in INTERNAL_ONLY_TYPES:
        raise Undecodable("command_not_allowed", f"partners may not send {kind!r}")
    check_header(data, PARTNER_COMMAND_TYPES, "command")
    for name in IGNORED_FIELDS:
        data.pop(name, None)
    try:
        command = _PARTNER_COMMANDS.validate_python(data)
    except ValidationError as exc:
        raise Undecodable("invalid_fields", describe(exc)) from None
    check_key(key, command.event_id)
    return command


def scoped(partner_id: str, some_id: str) -> str:
    """A partner's id in the form the seat workers see."""
    return f"p.{partner_id}.{some_id}"


def unscoped(internal_id: str) -> tuple[str, str] | None:
    """(partner id, the partner's own id) of a scoped id, or None for any other id."""
    kind, _, rest = internal_id.partition(".")
    partner_id, dot, own = rest.partition(".")
    if kind != "p" or not dot or len(partner_id) != 32 or not own:
        return None
    return partner_id, own


def to_internal(
    command: PartnerCommand, partner_id: str, user_id: str, seat_cap: int
) -> SeatCommand:
    """The seat command the gateway forwards: the partner's identity stamped, ids scoped."""
    common = {
        "command_id": scoped(partner_id, command.command_id),
        "event_id": command.event_id,
        "correlation_id": scoped(partner_id, command.correlation_id or command.command_id),
        "issued_at": command.issued_at,
        "user_id": user_id,
    }
    match command:
        case PartnerHoldSeatsV1():
            return HoldSeatsV1(
                **common,
                seat_ids=command.seat_ids,
                seat_type=command.seat_type,
                quantity=command.quantity,
                customer_ref=command.customer_ref,
                seat_cap=seat_cap,
            )
        case PartnerConfirmHoldV1():
            return ConfirmHoldV1(
                **common, holding_id=command.holding_id, payment_token=command.payment_token
            )
        case PartnerCancelHoldV1():
            return CancelHoldV1(**common, holding_id=command.holding_id)
        case PartnerCancelBookingV1():
            return CancelBookingV1(**common, booking_id=command.booking_id)
    raise TypeError(f"not a partner command: {command!r}")  # pragma: no cover


def for_partner(outcome: CommandOutcomeV1) -> tuple[str, CommandOutcomeV1] | None:
    """(partner id, the outcome as the partner reads it) for an outcome of a forwarded
    command; None for any other outcome."""
    command = unscoped(outcome.command_id)
    correlation = unscoped(outcome.correlation_id or "")
    if command is None or correlation is None or command[0] != correlation[0]:
        return None
    answer = outcome.model_copy(update={"command_id": command[1], "correlation_id": correlation[1]})
    return command[0], answer


def refusal(
    code: OutcomeCode,
    message: str,
    *,
    command_id: str = "",
    correlation_id: str | None = None,
    event_id: str = "",
    **details: object,
) -> CommandOutcomeV1:
    """The gateway's own answer to a command it would not forward."""
    return CommandOutcomeV1(
        command_id=command_id,
        correlation_id=correlation_id,
        event_id=event_id,
        status="rejected",
        error=ErrorBody(code=code.value, message=message, details=dict(details)),
    )


def partner_ids(value: bytes | None) -> dict[str, str]:
    """The command and correlation ids of a message that could not be read, where they can be
    found, so that the refusal reaches the partner under its own key."""
    try:
        data = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    found = {
        name: data[name]
        for name in ("command_id", "correlation_id", "event_id")
        if isinstance(data.get(name), str) and 0 < len(data[name]) <= 128
    }
    if "correlation_id" not in found and "command_id" in found:
        found["correlation_id"] = found["command_id"]
    return found

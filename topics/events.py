"""Domain events on booking-events (schema version 1): an envelope around a seating event."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter

import seating

EVENT_TYPES: dict[str, type[seating.Event]] = {
    cls.__name__: cls
    for cls in (
        seating.SeatsHeld,
        seating.PaymentRequested,
        seating.HoldConfirmed,
        seating.PaymentDeclined,
        seating.PaymentFailed,
        seating.HoldCancelled,
        seating.HoldExpired,
        seating.BookingCancelled,
        seating.WaitlistJoined,
        seating.WaitlistOffered,
        seating.WaitlistBooked,
        seating.WaitlistLapsed,
        seating.WaitlistLeft,
    )
}
EventType = Literal[
    "SeatsHeld",
    "PaymentRequested",
    "HoldConfirmed",
    "PaymentDeclined",
    "PaymentFailed",
    "HoldCancelled",
    "HoldExpired",
    "BookingCancelled",
    "WaitlistJoined",
    "WaitlistOffered",
    "WaitlistBooked",
    "WaitlistLapsed",
    "WaitlistLeft",
]
# Secrets stay inside the seat workers: these fields never go on the wire, and read back as
# the values given here.
_WITHHELD: dict[str, dict[str, Any]] = {"PaymentRequested": {"payment_token": ""}}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    name: TypeAdapter(cls) for name, cls in EVENT_TYPES.items()
}


class BookingEventV1(BaseModel):
    """`message_id` is derived from the command and the event's place in its decision, so a
    re-published event carries the same id and consumers drop it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    message_id: str
    type: EventType
    event_id: str
    command_id: str
    occurred_at: datetime
    data: dict[str, Any]

    def domain(self) -> seating.Event:
        """The seating event inside, validated against its dataclass (withheld fields empty)."""
        data = {**_WITHHELD.get(self.type, {}), **self.data}
        event: seating.Event = _ADAPTERS[self.type].validate_python(data)
        return event

    @classmethod
    def wrap(
        cls, event: seating.Event, *, event_id: str, command_id: str, index: int, at: datetime
    ) -> BookingEventV1:
        """Wrap the `index`-th event that `command_id` produced, without its secrets."""
        data = dataclasses.asdict(event)
        for name in _WITHHELD.get(type(event).__name__, {}):
            del data[name]
        return cls(
            message_id=f"{command_id}#{index}",
            type=type(event).__name__,
            event_id=event_id,
            command_id=command_id,
            occurred_at=at,
            data=data,
        )

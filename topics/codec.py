"""Bytes to messages and back; refusals say why, for the dead-letter topic."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from topics.commands import COMMAND_TYPES, SeatCommand
from topics.dead_letters import Reason
from topics.events import EVENT_TYPES, BookingEventV1
from topics.outcomes import CommandOutcomeV1

MAX_MESSAGE_BYTES = 64 * 1024
_COMMANDS: TypeAdapter[SeatCommand] = TypeAdapter(SeatCommand)


class Undecodable(Exception):
    """A message that cannot be read; `reason` is one of the dead-letter reasons."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Reason = reason
        self.detail = detail


def encode(message: BaseModel) -> bytes:
    """A message as compact JSON."""
    return orjson.dumps(message.model_dump(mode="json", exclude_none=True))


def load_object(value: bytes | None) -> dict[str, Any]:
    """Parse `value` as a JSON object, or say why not."""
    if value is None:
        raise Undecodable("bad_json", "the message has no value")
    if len(value) > MAX_MESSAGE_BYTES:
        raise Undecodable("too_large", f"{len(value)} bytes, limit {MAX_MESSAGE_BYTES}")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise Undecodable("bad_json", str(exc)) from None
    if not isinstance(data, dict):
        raise Undecodable("not_an_object", f"a JSON {type(data).__name__}, not an object")
    return data


def check_header(data: dict[str, Any], types: Collection[str], what: str) -> None:
    """A known `type` (a `what`) and schema version 1, or Undecodable."""
    if data.get("type") not in types:
        raise Undecodable("unknown_type", f"unknown {what} type {data.get('type')!r}")
    if data.get("schema_version", 1) != 1:
        raise Undecodable("unsupported_version", f"schema_version {data['schema_version']!r}")


def check_key(key: bytes | None, event_id: str) -> None:
    """The message's key is its event id, or Undecodable."""
    if key is None or key.decode(errors="replace") != event_id:
        raise Undecodable("wrong_key", f"key {key!r} is not the event id {event_id}")


def decode_command(key: bytes | None, value: bytes | None) -> SeatCommand:
    """A seat command from Kafka, checked against its key (the event id)."""
    data = load_object(value)
    check_header(data, COMMAND_TYPES, "command")
    try:
        command = _COMMANDS.validate_python(data)
    except ValidationError as exc:
        raise Undecodable("invalid_fields", describe(exc)) from None
    check_key(key, command.event_id)
    return command


def decode_booking_event(key: bytes | None, value: bytes | None) -> BookingEventV1:
    """A booking event from Kafka, checked against its key, or Undecodable."""
    data = load_object(value)
    check_header(data, EVENT_TYPES, "event")
    try:
        message = BookingEventV1.model_validate(data)
        message.domain()
    except ValidationError as exc:
        raise Undecodable("invalid_fields", str(exc).splitlines()[0]) from None
    check_key(key, message.event_id)
    return message


def decode_outcome(value: bytes | None) -> CommandOutcomeV1:
    """A command's outcome (seat-replies, seat-results); raises pydantic's ValidationError when
    unreadable."""
    return CommandOutcomeV1.model_validate_json(value or b"")


def describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'][1:]) or 'message'}: {err['msg']}"
        for err in exc.errors()
    )

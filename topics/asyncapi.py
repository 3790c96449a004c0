"""The AsyncAPI document for partners, generated from topics/: `python -m topics.asyncapi`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from topics.catalog import CatalogEventV1, VenueSeatsCountedV1
from topics.commands import SeatCommand
from topics.dead_letters import DeadLetterV1
from topics.events import BookingEventV1
from topics.names import (
    BOOKING_EVENTS,
    CATALOG,
    DEAD_LETTERS,
    SEAT_COMMANDS,
    SEAT_REPLIES,
    SEAT_RESULTS,
    Topic,
)
from topics.outcomes import CommandOutcomeV1

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "asyncapi.json"


def _schema(model: type[BaseModel] | Any) -> dict[str, Any]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_json_schema(ref_template="#/components/schemas/{model}")
    return TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")


def _channel(topic: Topic, *messages: str) -> dict[str, Any]:
    return {
        "address": topic.base,
        "description": f"{topic.description} Key: {topic.key}. Partitions: {topic.partitions}.",
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in messages},
    }


def document() -> dict[str, Any]:
    """AsyncAPI 3.0 for every topic and message."""
    messages = {
        "SeatCommand": SeatCommand,
        "CommandOutcome": CommandOutcomeV1,
        "BookingEvent": BookingEventV1,
        "DeadLetter": DeadLetterV1,
        "CatalogEvent": CatalogEventV1,
        "VenueSeatsCounted": VenueSeatsCountedV1,
    }
    schemas: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for name, model in messages.items():
        schema = _schema(model)
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
        components[name] = {
            "name": name,
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }
    channels = {
        "seatCommands": _channel(SEAT_COMMANDS, "SeatCommand"),
        "seatResults": _channel(SEAT_RESULTS, "CommandOutcome"),
        "seatReplies": _channel(SEAT_REPLIES, "CommandOutcome"),
        "bookingEvents": _channel(BOOKING_EVENTS, "BookingEvent"),
        "catalog": _channel(CATALOG, "CatalogEvent", "VenueSeatsCounted"),
        "deadLetters": _channel(DEAD_LETTERS, "DeadLetter"),
    }

    def op(action: str, channel: str, summary: str) -> dict[str, Any]:
        return {"action": action, "channel": {"$ref": f"#/channels/{channel}"}, "summary": summary}

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Evently seat commands",
            "version": "1.0.0",
            "description": "Partners produce seat commands keyed by event id and read outcomes "
            "from the results topic keyed by their correlation id. Topic names carry the "
            "deployment's prefix (EVENTLY_TOPIC_PREFIX, empty by default).",
        },
        "channels": channels,
        "operations": {
            "sendSeatCommand": op("send", "seatCommands", "Hold, confirm or cancel seats."),
            "receiveOutcome": op("receive", "seatResults", "The outcome of a command."),
            "receiveBookingEvent": op("receive", "bookingEvents", "What was decided."),
            "receiveDeadLetter": op("receive", "deadLetters", "Messages that were refused."),
        },
        "components": {"messages": components, "schemas": schemas},
    }


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(render())
    sys.stdout.write(f"wrote {DOCUMENT}\n")

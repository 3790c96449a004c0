"""The AsyncAPI document, a partner's manual, generated from topics/: `python -m topics.asyncapi`.

It documents the partner channel (servers, security, each partner's two topics with their
Kafka bindings, typed results, every error code and the limits) and, for operators, the
internal topics that partners cannot reach."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from topics.catalog import CatalogEventV1, VenueSeatsCountedV1
from topics.codec import MAX_MESSAGE_BYTES
from topics.commands import SeatCommand
from topics.dead_letters import DeadLetterV1
from topics.events import BookingEventV1
from topics.names import (
    BOOKING_EVENTS,
    CATALOG,
    DEAD_LETTERS,
    HOLDS_CHANGELOG,
    PARTNER_COMMANDS,
    PARTNER_RESULTS,
    SEAT_COMMANDS,
    SEAT_REPLIES,
    SEAT_RESULTS,
    Topic,
)
from topics.outcomes import CommandOutcomeV1, OutcomeCode
from topics.partners import IGNORED_FIELDS, PartnerCommand
from topics.results import BookingResultV1, HoldResultV1

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "asyncapi.json"
DEDUP_DAYS = 7
DEFAULT_SEATS_PER_HOLD = 10

# Every code an outcome can carry, and what it means.
ERROR_CODES: dict[OutcomeCode, str] = {
    OutcomeCode.SEATS_UNAVAILABLE: "a named seat is held or booked (details.unavailable_seat_ids)",
    OutcomeCode.NOT_ENOUGH_SEATS: "fewer seats of the type are available than asked",
    OutcomeCode.UNKNOWN_SEATS: "a named seat is not at this event (details.unknown_seat_ids)",
    OutcomeCode.UNKNOWN_SEAT_TYPE: "the event has no such seat type (details.seat_types)",
    OutcomeCode.DUPLICATE_SEATS: "a seat is named twice",
    OutcomeCode.TOO_MANY_SEATS: "a hold takes 1 to the seats-per-hold limit (details.limit)",
    OutcomeCode.TOO_MANY_HOLDS: "a customer's active holds per event are at their limit",
    OutcomeCode.SEAT_LIMIT: "the partner holds its per-event seat limit already (details.limit)",
    OutcomeCode.SALE_NOT_STARTED: "the event's sale has not opened yet "
    "(details.sale_starts_at, seconds since the epoch)",
    OutcomeCode.SEATS_AVAILABLE: "(HTTP only) joining a waiting list while at least the asked "
    "number of seats of the type are available: hold them instead",
    OutcomeCode.WAITLIST_NOT_FOUND: "(HTTP only) no such waiting-list entry of yours",
    OutcomeCode.WAITLIST_ENDED: "(HTTP only) the waiting-list entry was booked, lapsed or left "
    "already",
    OutcomeCode.HOLD_NOT_FOUND: "no such hold of yours",
    OutcomeCode.HOLD_EXPIRED: "the hold lapsed before it was confirmed",
    OutcomeCode.HOLD_ENDED: "the hold was cancelled, expired or confirmed already",
    OutcomeCode.PAYMENT_IN_PROGRESS: "the hold is being paid; try again in a moment",
    OutcomeCode.PAYMENT_DECLINED: "the payment was declined; the hold stays until it lapses",
    OutcomeCode.PAYMENT_UNAVAILABLE: "the payment provider did not answer; try again",
    OutcomeCode.BOOKING_NOT_FOUND: "no such booking of yours",
    OutcomeCode.BOOKING_ALREADY_CANCELLED: "the booking was cancelled already",
    OutcomeCode.STALE_PAYMENT: "(internal) a payment answer for an earlier attempt",
    OutcomeCode.COMMAND_ID_REUSED: "this command id was used for another hold",
    OutcomeCode.EVENT_NOT_FOUND: "no such event",
    OutcomeCode.INVALID_COMMAND: "the gateway could not read the command (details.reason: "
    "bad_json, not_an_object, unknown_type, unsupported_version, invalid_fields, wrong_key, "
    "too_large; details.offset)",
    OutcomeCode.COMMAND_NOT_ALLOWED: "partners may send hold_seats, confirm_hold, cancel_hold "
    "and cancel_booking only",
    OutcomeCode.RATE_LIMITED: "over the partner's commands per second (details.limit); send it "
    "again later",
}

MANUAL = f"""Evently's partner channel: sell seats from your own systems over Kafka.

**Getting access.** An Evently admin calls `POST /partners` and hands you the answer's `kafka`
block: bootstrap servers, security protocol (SASL_PLAINTEXT, or SASL_SSL on clusters with TLS),
mechanism SCRAM-SHA-512, your username and password (shown once), your `command_topic` and
`result_topic`, and `consumer_group_prefix`. Connections without valid credentials are refused.

**What you may do.** Produce to your command topic; consume your result topic in consumer
groups whose id starts with your `consumer_group_prefix`. Every other topic, group and
operation is refused by the broker (StandardAuthorizer; nothing is allowed that no ACL grants).

**Commands.** `hold_seats`, `confirm_hold`, `cancel_hold` and `cancel_booking`, JSON, keyed by
`event_id` (a command whose key is not its event id is refused). You act as your own Evently
user: your holds and bookings belong to it, and `customer_ref` on a hold is yours to use.
Fields that would name another identity ({", ".join(IGNORED_FIELDS)}) are ignored.

**Outcomes.** Every command is answered on your result topic, keyed by its `correlation_id`, or
by its `command_id` when it named none; an answer to a message that could not even be read has
whichever of those ids could be found (or no key). `status` is `created` when the command made
something (a hold, or a booking from a confirm), `ok` when it changed or ended something (a
cancelled hold or booking), `rejected` with `error.code` and `error.details` otherwise.
`result` is a hold (HoldResult) for hold_seats and cancel_hold, a booking (BookingResult) for
confirm_hold and cancel_booking.

**Delivery.** At least once: an outcome may arrive twice, identical. A command sent again with
the same `command_id` within {DEDUP_DAYS} days is not carried out again: it gets the first
answer. Commands with one event id are decided in the order they were produced.

**Limits.** Seats per hold: {DEFAULT_SEATS_PER_HOLD} by default (`limits.seats_per_hold`).
Seats you may hold at once per event: `limits.seats_per_event`. Commands per second:
`limits.commands_per_second` (one second of burst; over it: `rate_limited`). Message size:
{MAX_MESSAGE_BYTES // 1024} KiB. Bytes per second: `limits.producer_byte_rate` and
`limits.consumer_byte_rate` (Kafka client quotas: the broker slows you down).

**Error codes.**

| code | meaning |
|---|---|
""" + "\n".join(f"| `{code}` | {text} |" for code, text in ERROR_CODES.items())


def _schema(model: type[BaseModel] | Any) -> dict[str, Any]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_json_schema(ref_template="#/components/schemas/{model}")
    return TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")


def _kafka(topic: Topic) -> dict[str, Any]:
    binding: dict[str, Any] = {"partitions": topic.partitions, "bindingVersion": "0.5.0"}
    if topic.retention_ms:
        binding["topicConfiguration"] = {"retention.ms": topic.retention_ms}
    return {"kafka": binding}


def _channel(topic: Topic, *messages: str, **extra: Any) -> dict[str, Any]:
    return {
        "address": topic.base,
        "description": f"{topic.description} Key: {topic.key}. Partitions: {topic.partitions}.",
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in messages},
        "bindings": _kafka(topic),
        **extra,
    }


def _message(name: str, key: str, summary: str) -> dict[str, Any]:
    return {
        "name": name,
        "summary": summary,
        "contentType": "application/json",
        "payload": {"$ref": f"#/components/schemas/{name}"},
        "bindings": {
            "kafka": {"key": {"type": "string", "description": key}, "bindingVersion": "0.5.0"}
        },
    }


def document() -> dict[str, Any]:
    """AsyncAPI 3.0: the partner channel, and the internal topics for operators."""
    messages = {
        "PartnerCommand": (PartnerCommand, "the event id", "A partner's seat command."),
        "PartnerOutcome": (
            CommandOutcomeV1,
            "the command's correlation_id, else its command_id",
            "The outcome of a partner's command (result: HoldResult or BookingResult).",
        ),
        "HoldResult": (HoldResultV1, "-", "`result` of hold_seats and cancel_hold."),
        "BookingResult": (BookingResultV1, "-", "`result` of confirm_hold and cancel_booking."),
        "SeatCommand": (SeatCommand, "the event id", "(internal) A seat command."),
        "CommandOutcome": (CommandOutcomeV1, "the correlation id", "(internal) An outcome."),
        "BookingEvent": (BookingEventV1, "the event id", "(internal) What was decided."),
        "DeadLetter": (DeadLetterV1, "the refused message's key", "(internal) A refusal."),
        "CatalogEvent": (CatalogEventV1, "the event id", "(internal) A catalog change."),
        "AnalyticsHold": (
            dict[str, Any],
            "the holding id",
            "(internal) faust's changelog entry of the analytics hold table.",
        ),
        "VenueSeatsCounted": (
            VenueSeatsCountedV1,
            "the venue id",
            "(internal) A venue's seat count.",
        ),
    }
    schemas: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for name, (model, key, summary) in messages.items():
        schema = _schema(model)
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
        components[name] = _message(name, key, summary)
    partner_id = {"partner_id": {"description": "your partner_id (32 hex digits)"}}
    internal = {"x-internal": True}
    channels = {
        "partnerCommands": _channel(PARTNER_COMMANDS, "PartnerCommand", parameters=partner_id),
        "partnerResults": _channel(PARTNER_RESULTS, "PartnerOutcome", parameters=partner_id),
        "seatCommands": _channel(SEAT_COMMANDS, "SeatCommand", **internal),
        "seatResults": _channel(SEAT_RESULTS, "CommandOutcome", **internal),
        "seatReplies": _channel(SEAT_REPLIES, "CommandOutcome", **internal),
        "bookingEvents": _channel(BOOKING_EVENTS, "BookingEvent", **internal),
        "catalog": _channel(CATALOG, "CatalogEvent", "VenueSeatsCounted", **internal),
        "deadLetters": _channel(DEAD_LETTERS, "DeadLetter", **internal),
        "holdsChangelog": _channel(HOLDS_CHANGELOG, "AnalyticsHold", **internal),
    }

    def op(action: str, channel: str, summary: str, **bindings: Any) -> dict[str, Any]:
        found = {"action": action, "channel": {"$ref": f"#/channels/{channel}"}, "summary": summary}
        if bindings:
            found["bindings"] = {"kafka": {**bindings, "bindingVersion": "0.5.0"}}
        return found

    group = {"type": "string", "description": "must start with your consumer_group_prefix"}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Evently partner channel", "version": "1.1.0", "description": MANUAL},
        "defaultContentType": "application/json",
        "servers": {
            "evently": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The dev stack's broker (SASL_PLAINTEXT). Use the "
                "bootstrap_servers that POST /partners gave you.",
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            },
            "eventlyTls": {
                "host": "kafka.example.com:9093",
                "protocol": "kafka-secure",
                "description": "A cluster with TLS (SASL_SSL).",
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            },
        },
        "channels": channels,
        "operations": {
            "sendPartnerCommand": op(
                "send", "partnerCommands", "Hold, confirm or cancel seats, as yourself."
            ),
            "receivePartnerOutcome": op(
                "receive", "partnerResults", "The answer to each command.", groupId=group
            ),
        },
        "components": {
            "messages": components,
            "schemas": schemas,
            "securitySchemes": {
                "scram": {
                    "type": "scramSha512",
                    "description": "SASL/SCRAM-SHA-512 with the username and password of "
                    "POST /partners.",
                }
            },
            "x-errorCodes": ERROR_CODES,
        },
    }


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(render())
    sys.stdout.write(f"wrote {DOCUMENT}\n")

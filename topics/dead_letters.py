"""A message that no consumer could read, with the reason."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

Reason = Literal[
    "bad_json",
    "not_an_object",
    "unknown_type",
    "unsupported_version",
    "invalid_fields",
    "wrong_key",
    "wrong_partition",
    "too_large",
    "command_not_allowed",
    "unknown_partner",
]


class DeadLetterV1(BaseModel):
    """Where the message came from, why it was refused, and its bytes (as text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    reason: Reason
    detail: str
    source_topic: str
    partition: int
    offset: int
    key: str | None = None  # no key: omitted on the wire (encode drops None)
    value: str
    consumer: str
    failed_at: datetime

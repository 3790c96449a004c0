"""The outcome of a seat command, sent to its reply partition or to the results topic."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


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

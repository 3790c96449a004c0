"""The error shape of the contract, and the one table from refusal codes to HTTP statuses."""

from __future__ import annotations

from typing import Any

from aiokafka.errors import KafkaError
from cassandra import DriverException
from cassandra.cluster import NoHostAvailable
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from infra.logs import get_logger
from ingress.responses import OrjsonResponse
from topics.outcomes import OutcomeCode

log = get_logger("ingress.errors")

STATUS_OF_CODE: dict[OutcomeCode, int] = {
    OutcomeCode.SEATS_UNAVAILABLE: 409,
    OutcomeCode.NOT_ENOUGH_SEATS: 409,
    OutcomeCode.TOO_MANY_HOLDS: 409,
    OutcomeCode.UNKNOWN_SEATS: 422,
    OutcomeCode.UNKNOWN_SEAT_TYPE: 422,
    OutcomeCode.DUPLICATE_SEATS: 422,
    OutcomeCode.TOO_MANY_SEATS: 422,
    OutcomeCode.HOLD_NOT_FOUND: 404,
    OutcomeCode.BOOKING_NOT_FOUND: 404,
    OutcomeCode.EVENT_NOT_FOUND: 404,
    OutcomeCode.HOLD_EXPIRED: 410,
    OutcomeCode.HOLD_ENDED: 409,
    OutcomeCode.PAYMENT_IN_PROGRESS: 409,
    OutcomeCode.BOOKING_ALREADY_CANCELLED: 409,
    OutcomeCode.PAYMENT_DECLINED: 402,
    OutcomeCode.PAYMENT_UNAVAILABLE: 503,
    OutcomeCode.STALE_PAYMENT: 409,
    OutcomeCode.COMMAND_ID_REUSED: 409,
    OutcomeCode.SEAT_LIMIT: 409,
    OutcomeCode.SALE_NOT_STARTED: 409,
    OutcomeCode.SEATS_AVAILABLE: 409,
    OutcomeCode.WAITLIST_NOT_FOUND: 404,
    OutcomeCode.WAITLIST_ENDED: 409,
    # The gateway's own refusals go to partners over Kafka, never over HTTP; statuses for
    # completeness, in the contract's sense.
    OutcomeCode.INVALID_COMMAND: 422,
    OutcomeCode.COMMAND_NOT_ALLOWED: 403,
    OutcomeCode.RATE_LIMITED: 429,
}
UNKNOWN_CODE_STATUS = 409  # a code from a newer worker that this ingress does not know yet


def status_of(code: str) -> int:
    """The HTTP status of a rejected outcome's code."""
    try:
        return STATUS_OF_CODE[OutcomeCode(code)]
    except ValueError:
        return UNKNOWN_CODE_STATUS


_CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorEnvelope(BaseModel):
    """The contract's error shape."""

    error: ErrorDetail


DOCUMENTED_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": description}
    for status, description in {
        400: "Bad request",
        401: "Missing or unknown token",
        402: "Payment declined",
        403: "Not allowed for this role",
        404: "Not found (or not yours)",
        405: "Method not allowed",
        409: "Conflict: seat taken, duplicate, or the hold has ended",
        410: "The hold has expired",
        413: "Body too large",
        422: "Invalid input; details.field names the field",
        429: "Too many requests",
        503: "A dependency or the decision is not available in time",
    }.items()
}


class ApiError(Exception):
    """An error response in the contract's shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what}_not_found", f"no such {what}")


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, **kw: Any
) -> OrjsonResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return OrjsonResponse(body, status_code=status, **kw)


def dependency_unavailable(name: str) -> OrjsonResponse:
    """503 naming the dependency that did not answer."""
    return error_response(
        503,
        "dependency_unavailable",
        f"{name} is not answering; try again",
        {"dependency": name.lower()},
        headers={"Retry-After": "1"},
    )


def _field(loc: tuple[Any, ...], kind: str = "") -> str:
    if kind == "json_invalid":  # its loc ends with a character offset, not a field
        return "body"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[-1] if loc else "body")


def install(app: FastAPI) -> None:
    """Render every error in the contract's shape."""

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> OrjsonResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> OrjsonResponse:
        errors = [
            {
                "field": _field(tuple(e.get("loc", ())), e.get("type", "")),
                "message": e.get("msg", "invalid"),
            }
            for e in exc.errors()
        ]
        first = errors[0]["field"] if errors else "body"
        message = f"invalid {first}: {errors[0]['message']}" if errors else "invalid request"
        return error_response(422, "validation_error", message, {"field": first, "errors": errors})

    @app.exception_handler(DriverException)
    @app.exception_handler(NoHostAvailable)
    @app.exception_handler(KafkaError)
    async def dependency_down(request: Request, exc: Exception) -> OrjsonResponse:
        name = "Kafka" if isinstance(exc, KafkaError) else "Cassandra"
        log.warning(
            "dependency unavailable",
            dependency=name,
            path=request.url.path,
            error=type(exc).__name__,
            detail=str(exc)[:300],
        )
        return dependency_unavailable(name)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> OrjsonResponse:
        code = _CODE_OF_STATUS.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)

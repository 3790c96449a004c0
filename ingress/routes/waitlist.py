"""The waiting list of a sold-out seat type: join and leave go to the event's partition owner
as seat commands; an entry is read from what the owner stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from ingress.deps import Caller, Ctx, Customer, owns
from ingress.errors import not_found
from ingress.routes.events import load_event
from ingress.routes.holds import IdempotencyKey, check_seat_count, command_id, send
from seating.ids import event_of, is_event_id
from tables import event_state
from topics.commands import JoinWaitlistV1, LeaveWaitlistV1
from topics.results import WaitlistResultV1

router = APIRouter(tags=["waiting list"])


class JoinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seat_type: Annotated[str, Field(min_length=1, max_length=50)]
    quantity: int = Field(ge=1, le=100)


def _entry_event(event_id: str, waitlist_id: str) -> None:
    """404 unless `waitlist_id` names an entry of `event_id`."""
    if not is_event_id(event_id):
        raise not_found("event")
    if event_of(waitlist_id) != event_id or not waitlist_id.startswith(f"{event_id}-w"):
        raise not_found("waitlist")


@router.post(
    "/events/{event_id}/waitlist",
    status_code=201,
    responses={200: {"description": "Already in line: the same entry again"}},
)
async def join_waitlist(
    event_id: str,
    body: JoinRequest,
    request: Request,
    ctx: Ctx,
    principal: Customer,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Wait for seats of a sold-out type: 201 with the new entry, 200 with yours again."""
    if not is_event_id(event_id):
        raise not_found("event")
    check_seat_count(ctx, "quantity", body.quantity)
    command = JoinWaitlistV1(
        command_id=command_id(principal, request, idempotency_key),
        event_id=event_id,
        user_id=principal.user_id,
        seat_type=body.seat_type,
        quantity=body.quantity,
    )
    return await send(ctx, command)


@router.get("/events/{event_id}/waitlist/{waitlist_id}")
async def read_waitlist_entry(
    event_id: str, waitlist_id: str, ctx: Ctx, principal: Caller
) -> dict[str, Any]:
    """Your entry: where it is in line, or the hold it was offered and until when."""
    _entry_event(event_id, waitlist_id)
    await load_event(ctx, event_id)
    line = await event_state.waitlist(ctx.q, event_id)
    entry = next((e for e in line if e.waitlist_id == waitlist_id), None)
    if entry is None or not owns(principal, entry.user_id):
        raise not_found("waitlist")
    return WaitlistResultV1.of(entry, line).model_dump(exclude_none=True)


@router.post("/events/{event_id}/waitlist/{waitlist_id}/leave")
async def leave_waitlist(
    event_id: str,
    waitlist_id: str,
    request: Request,
    ctx: Ctx,
    principal: Caller,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Leave the line (letting go of an offered hold): 200; an ended entry: 409."""
    _entry_event(event_id, waitlist_id)
    command = LeaveWaitlistV1(
        command_id=command_id(principal, request, idempotency_key),
        event_id=event_id,
        user_id=principal.user_id,
        waitlist_id=waitlist_id,
    )
    return await send(ctx, command)

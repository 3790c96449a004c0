"""POST /user, GET /user/{user_id}, GET /user/{user_id}/bookings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from ingress.auth import hash_token, new_token
from ingress.deps import Caller, Ctx
from ingress.errors import ApiError, not_found
from seating.ids import new_id
from tables import bookings, users

router = APIRouter(tags=["users"])


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: Literal["customer", "organizer", "admin"] = "customer"


@router.post("/user", status_code=201)
async def create_user(
    body: NewUser,
    ctx: Ctx,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> dict[str, Any]:
    """Sign up. A customer needs no token; an organizer or admin needs the admin's."""
    if body.role != "customer":
        principal = await ctx.auth.principal(authorization)
        if not principal.is_admin:
            raise ApiError(403, "forbidden", f"only an admin may create an {body.role}")
    email = body.email.lower()
    user_id, token = new_id(), new_token()
    if not await users.claim_email(ctx.q, email, user_id):
        raise ApiError(409, "email_taken", "a user with this email exists", {"field": "email"})
    created = datetime.now(UTC)
    await users.insert(ctx.q, user_id, body.name, email, body.role, created)
    await users.insert_token(ctx.q, hash_token(token), user_id, body.role)
    return {
        "user_id": user_id,
        "token": token,
        "name": body.name,
        "email": email,
        "role": body.role,
        "created_at": created,
    }


async def _visible_user(ctx: Ctx, principal: Caller, user_id: str) -> dict[str, Any]:
    if not (principal.is_admin or principal.user_id == user_id):
        raise not_found("user")
    user = await users.read(ctx.q, user_id)
    if user is None:
        raise not_found("user")
    return user


@router.get("/user/{user_id}")
async def read_user(user_id: str, ctx: Ctx, principal: Caller) -> dict[str, Any]:
    return await _visible_user(ctx, principal, user_id)


@router.get("/user/{user_id}/bookings")
async def read_user_bookings(user_id: str, ctx: Ctx, principal: Caller) -> dict[str, Any]:
    """The user's bookings, newest first."""
    await _visible_user(ctx, principal, user_id)
    return {"items": await bookings.of_user(ctx.q, user_id)}

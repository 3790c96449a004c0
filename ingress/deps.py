"""What routes depend on: the application context and the caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from infra.cassandra import Statements
from infra.settings import Settings
from ingress.auth import Authenticator, Principal, Role
from ingress.bus import CommandBus
from ingress.errors import ApiError
from ingress.gate import QueueGate
from ingress.live.model import SeatMaps
from search.feeder import IndexFeeder
from topics.names import Topics


@dataclass
class Context:
    """Clients and settings shared by every request of one ingress process."""

    settings: Settings
    topics: Topics
    q: Statements
    bus: CommandBus
    auth: Authenticator
    search: IndexFeeder
    gate: QueueGate
    seats: SeatMaps


async def context(request: Request) -> Context:
    """async: FastAPI runs a plain-def dependency in a thread, per request."""
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(context)]


async def caller(
    ctx: Ctx, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> Principal:
    return await ctx.auth.principal(authorization)


Caller = Annotated[Principal, Depends(caller)]


def role(*allowed: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting callers with one of `allowed` roles (admins always)."""

    async def check(principal: Caller) -> Principal:
        if principal.is_admin or principal.role in allowed:
            return principal
        raise ApiError(403, "forbidden", f"this needs the role {' or '.join(allowed)}")

    return check


Organizer = Annotated[Principal, Depends(role("organizer"))]
Customer = Annotated[Principal, Depends(role("customer"))]
Admin = Annotated[Principal, Depends(role())]


def owns(principal: Principal, owner_id: str | None) -> bool:
    """Whether `principal` may act on something owned by `owner_id`."""
    return principal.is_admin or principal.user_id == owner_id

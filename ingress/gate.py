"""The waiting room's gate at the hold route: which events have a waiting room (read once per
event and process: it never changes) and the queue passes, signed and checked without I/O."""

from __future__ import annotations

import secrets
import time

from infra.cassandra import Statements
from infra.logs import get_logger
from ingress.errors import ApiError
from tables import events
from waitroom import passes

log = get_logger("ingress.gate")


class QueueGate:
    """Signs passes for admitted tickets and checks them on holds."""

    def __init__(self, q: Statements, secret: str | None) -> None:
        self.q = q
        if secret is None:
            log.warning("queue_pass_secret_unset", effect="passes of this process only")
        self.secret = (secret or secrets.token_urlsafe(32)).encode()
        self._rooms: dict[str, bool] = {}

    async def has_room(self, event_id: str) -> bool:
        """Whether the event has a waiting room (False for an unknown event: the worker
        answers that one with 404)."""
        known = self._rooms.get(event_id)
        if known is not None:
            return known
        row = await events.read(self.q, event_id)
        if row is None:
            return False
        self._rooms[event_id] = bool(row["waiting_room"])
        return self._rooms[event_id]

    def pass_for(self, user_id: str, event_id: str, admitted_at: float) -> tuple[str, int]:
        """The pass of a ticket admitted at `admitted_at`, and when it expires."""
        expires_at = int(admitted_at) + passes.PASS_SECONDS
        return passes.sign(self.secret, passes.Claims(user_id, event_id, expires_at)), expires_at

    async def check(self, event_id: str, user_id: str, token: str | None) -> None:
        """403 unless the event has no waiting room or `token` is this user's valid pass."""
        if not await self.has_room(event_id):
            return
        if token is None:
            raise ApiError(
                403,
                "queue_pass_required",
                "this event has a waiting room: join it (POST /events/{id}/queue) and send "
                "the pass you get in the Evently-Queue-Pass header",
                {"header": "Evently-Queue-Pass"},
            )
        verdict = passes.check(self.secret, token, user_id, event_id, time.time())
        if verdict is not passes.Verdict.VALID:
            raise ApiError(
                403,
                "queue_pass_invalid",
                f"the queue pass is not valid for this hold ({verdict.value})",
                {"header": "Evently-Queue-Pass", "reason": verdict.value},
            )

"""Idempotency-Key on POSTs: the same key and body give the stored response, changing nothing.

The key is reserved before the request runs (a conditional insert of a pending row), so two
concurrent requests with one key never both run: the second waits for the first's response and
answers with it, or, if the first is still running after `wait_seconds`, with 409
`idempotency_key_in_use`. A first request that fails (5xx, or no response) releases the key, so
a retry runs again. Secrets in a response (a new user's token, a password) are shown once: the
stored response has them as null, so a replay answers the same body with them redacted. Seat
commands are also deduplicated by the worker (their command id derives
from the key)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from contextlib import suppress
from typing import Any

from cassandra import DriverException
from cassandra.cluster import NoHostAvailable
from fastapi import FastAPI, Request, Response

from infra.cassandra import Row, Statements
from ingress.errors import dependency_unavailable, error_response
from ingress.middleware import Next, header, selective
from tables import idempotency as keys
from tables.idempotency import PENDING

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 200
# A reservation outlives any request; it lapses on its own if its ingress died mid-request.
PENDING_TTL_SECONDS = 120
STORED_TTL_SECONDS = 86400
# Response fields shown once and never stored in plaintext (tokens are stored only hashed).
SECRET_FIELDS = frozenset({"token", "password"})
_CASSANDRA_DOWN = (DriverException, NoHostAvailable)
_releasing: set[asyncio.Task[None]] = set()


def scope_of(request: Request, key: str) -> str:
    """Who asked (token, or address without one), where, and with which key."""
    caller = request.headers.get("authorization") or (
        request.client.host if request.client else "?"
    )
    raw = f"{caller}\n{request.url.path}\n{key}"
    return hashlib.sha256(raw.encode()).hexdigest()


async def _release(q: Statements, scope: str) -> None:
    with suppress(*_CASSANDRA_DOWN):  # if it cannot be deleted, the reservation lapses
        await keys.release(q, scope)


def _release_later(q: Statements, scope: str) -> None:
    """Release from a request being torn down (cancelled), where awaiting is not possible."""
    task = asyncio.get_running_loop().create_task(_release(q, scope))
    _releasing.add(task)
    task.add_done_callback(_releasing.discard)


def redacted(body: bytes) -> str:
    """The response body to store: every secret field, at any depth, set to null."""
    try:
        document = json.loads(body)
    except ValueError:
        return body.decode(errors="replace")

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: None if k in SECRET_FIELDS else scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    return json.dumps(scrub(document), separators=(",", ":"), ensure_ascii=False)


def _replay(row: Row) -> Response:
    return Response(row["body"], status_code=row["status"], media_type="application/json")


def _reused() -> Response:
    return error_response(
        422,
        "idempotency_key_reused",
        "this Idempotency-Key was used with another body",
        {"field": "Idempotency-Key"},
    )


def _in_use(waited: float) -> Response:
    return error_response(
        409,
        "idempotency_key_in_use",
        "a request with this Idempotency-Key is still running; try again later",
        {"field": "Idempotency-Key", "waited_seconds": round(waited, 1)},
        headers={"Retry-After": "1"},
    )


def install(app: FastAPI, wait_seconds: float = 15.0) -> None:
    """`wait_seconds`: how long a request waits for a running one with its key."""

    async def idempotent(request: Request, call_next: Next) -> Response:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return await call_next(request)
        if not key or len(key) > MAX_KEY_LENGTH:
            return error_response(
                422,
                "validation_error",
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
                {"field": "Idempotency-Key"},
            )
        q: Statements = request.app.state.ctx.q
        scope = scope_of(request, key)
        body_hash = hashlib.sha256(await request.body()).hexdigest()
        started = time.monotonic()
        pause = 0.02
        try:
            while (
                held := await keys.reserve(q, scope, body_hash, PENDING_TTL_SECONDS)
            ) is not None:
                # Someone has the key: wait for its answer (or for it to be released).
                while held is not None:
                    if held["request_hash"] != body_hash:
                        return _reused()
                    if held["status"] != PENDING:
                        return _replay(held)
                    if time.monotonic() - started >= wait_seconds:
                        return _in_use(time.monotonic() - started)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 0.25)
                    held = await keys.read(q, scope)
        except _CASSANDRA_DOWN:
            return dependency_unavailable("Cassandra")
        try:
            response = await call_next(request)
            if response.status_code >= 500:
                await _release(q, scope)
                return response
            body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        except BaseException:
            _release_later(q, scope)
            raise
        try:
            await keys.store(
                q, scope, body_hash, response.status_code, redacted(body), STORED_TTL_SECONDS
            )
        except _CASSANDRA_DOWN:  # the response stands; a retry runs again
            await _release(q, scope)
        headers = dict(response.headers)
        headers.pop("content-length", None)
        return Response(body, status_code=response.status_code, headers=headers)

    selective(
        app,
        idempotent,
        lambda s: s["method"] == "POST" and header(s, b"idempotency-key") is not None,
    )

"""Idempotency-Key on POSTs: the same key and body give the stored response, changing nothing.

Seat commands are also deduplicated by the worker (their command id derives from the key), so
two concurrent requests with one key still decide once."""

from __future__ import annotations

import hashlib
from contextlib import suppress

from cassandra import DriverException
from cassandra.cluster import NoHostAvailable
from fastapi import FastAPI, Request, Response

from ingress.errors import dependency_unavailable, error_response
from ingress.middleware import Next, header, selective

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 200


def scope_of(request: Request, key: str) -> str:
    """Who asked (token, or address without one), where, and with which key."""
    caller = request.headers.get("authorization") or (
        request.client.host if request.client else "?"
    )
    raw = f"{caller}\n{request.url.path}\n{key}"
    return hashlib.sha256(raw.encode()).hexdigest()


def install(app: FastAPI) -> None:
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
        q = request.app.state.ctx.q
        scope = scope_of(request, key)
        body_hash = hashlib.sha256(await request.body()).hexdigest()
        try:
            rows = await q.run(
                "SELECT request_hash, status, body FROM idempotency_keys WHERE scope = ?", scope
            )
        except (DriverException, NoHostAvailable):
            return dependency_unavailable("Cassandra")
        if rows:
            if rows[0]["request_hash"] != body_hash:
                return error_response(
                    422,
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with another body",
                    {"field": "Idempotency-Key"},
                )
            return Response(
                rows[0]["body"], status_code=rows[0]["status"], media_type="application/json"
            )
        response = await call_next(request)
        if response.status_code >= 500:
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        with suppress(DriverException, NoHostAvailable):  # the response stands; a retry re-runs
            await q.run(
                "INSERT INTO idempotency_keys (scope, request_hash, status, body) "
                "VALUES (?, ?, ?, ?)",
                scope,
                body_hash,
                response.status_code,
                body.decode(),
            )
        headers = dict(response.headers)
        headers.pop("content-length", None)
        return Response(body, status_code=response.status_code, headers=headers)

    selective(
        app,
        idempotent,
        lambda s: s["method"] == "POST" and header(s, b"idempotency-key") is not None,
    )

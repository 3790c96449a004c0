"""Cross-cutting HTTP concerns: security headers, body size, request metrics.

Pure ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware costs several
tasks, memory streams and events per request, and under load it was most of the ingress's CPU
(docs/performance.md). `selective` keeps that style for middleware that acts on few requests."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable

from fastapi import FastAPI, Request, Response
from prometheus_client import Counter, Histogram
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingress.errors import error_response

REQUESTS = Counter("evently_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("evently_http_request_seconds", "HTTP request latency", ["method", "route"])
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "frame-ancestors 'none'"
    ),
}
_SECURITY = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
Next = Callable[[Request], Awaitable[Response]]


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of request header `name` (lower case), or None."""
    headers: Iterable[tuple[bytes, bytes]] = scope["headers"]
    for key, value in headers:
        if key == name:
            return value
    return None


def selective(
    app: FastAPI,
    dispatch: Callable[[Request, Next], Awaitable[Response]],
    applies: Callable[[Scope], bool],
) -> None:
    """Add `dispatch` as BaseHTTPMiddleware for the HTTP requests where `applies(scope)`; every
    other request goes straight through, without its per-request cost."""

    class Selective:
        def __init__(self, inner: ASGIApp) -> None:
            self.inner = inner
            self.wrapped = BaseHTTPMiddleware(inner, dispatch=dispatch)

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and applies(scope):
                await self.wrapped(scope, receive, send)
            else:
                await self.inner(scope, receive, send)

    app.add_middleware(Selective)


class Guard:
    """Refuses bodies over the limit (413), adds security headers, counts and times requests."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        length = header(scope, b"content-length")

        async def send_secured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                present = {k.lower() for k, _ in message.get("headers", ())}
                extra = [(k, v) for k, v in _SECURITY if k not in present]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        too_large = bool(length and (not length.isdigit() or int(length) > self.max_body_bytes))
        if not length and header(scope, b"transfer-encoding") is not None:
            body = await _read_capped(receive, self.max_body_bytes)
            too_large = body is None
            receive = _replay(body or b"", receive)
        try:
            if too_large:
                refusal = error_response(
                    413,
                    "payload_too_large",
                    f"the body may be at most {self.max_body_bytes} bytes",
                )
                await refusal(scope, receive, send_secured)
            else:
                await self.app(scope, receive, send_secured)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], path, str(status)).inc()
            LATENCY.labels(scope["method"], path).observe(time.perf_counter() - started)


async def _read_capped(receive: Receive, limit: int) -> bytes | None:
    """Read a body sent without Content-Length (chunked); None as soon as it grows past
    `limit`."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then whatever comes next."""
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()
        done = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def install(app: FastAPI, max_body_bytes: int) -> None:
    """Add the middleware to `app`."""
    app.add_middleware(Guard, max_body_bytes=max_body_bytes)

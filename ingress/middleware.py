"""Cross-cutting HTTP concerns: security headers, body size, request metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import Counter, Histogram

from ingress.errors import error_response

REQUESTS = Counter("evently_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("evently_http_request_seconds", "HTTP request latency", ["method", "route"])
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'"
    ),
}
Next = Callable[[Request], Awaitable[Response]]


def install(app: FastAPI, max_body_bytes: int) -> None:
    """Add the middleware to `app`."""

    @app.middleware("http")
    async def guard(request: Request, call_next: Next) -> Response:
        started = time.perf_counter()
        length = request.headers.get("content-length")
        too_large = bool(length) and (not length.isdigit() or int(length) > max_body_bytes)
        if not length and "transfer-encoding" in request.headers:
            too_large = not await _read_capped(request, max_body_bytes)
        if too_large:
            response: Response = error_response(
                413, "payload_too_large", f"the body may be at most {max_body_bytes} bytes"
            )
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        REQUESTS.labels(request.method, path, str(response.status_code)).inc()
        LATENCY.labels(request.method, path).observe(time.perf_counter() - started)
        return response


async def _read_capped(request: Request, limit: int) -> bool:
    """Read a body sent without Content-Length (chunked), keeping it for the app; False as
    soon as it grows past `limit`."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return False
        chunks.append(chunk)
    request._body = b"".join(chunks)  # replayed to the app by Starlette's cached request
    return True

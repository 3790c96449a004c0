"""Application rate limits (OWASP API4): per bearer token and per client address.

A moving window over an in-process store: each ingress instance counts on its own (several
instances behind one balancer each allow the limit; limits' Redis storage would make it
global). Over a limit: 429 in the contract's error shape with Retry-After. /health, /metrics
and CORS preflights are never limited, nor requests from EVENTLY_RATE_LIMIT_EXEMPT_IPS
(loopback by default: nginx on the same host forwards the real client address, so loopback
is left to local tools, tests and benchmarks)."""

from __future__ import annotations

import hashlib
import math
import time

from fastapi import FastAPI, Request, Response
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from prometheus_client import Counter
from starlette.types import Scope

from infra.settings import Settings
from ingress.errors import error_response
from ingress.middleware import Next, selective

EXEMPT_PATHS = frozenset({"/health", "/metrics"})
LIMITED = Counter("evently_rate_limited_total", "Requests refused by a rate limit", ["scope"])


def parse(spec: str) -> list[RateLimitItem]:
    """ "50/second; 1000/minute" -> limits; an empty spec means no limit."""
    return parse_many(spec) if spec.strip() else []


class RateLimits:
    """Checks a request against the per-token and per-address limits."""

    def __init__(self, settings: Settings) -> None:
        self.per_token = parse(settings.rate_limit_per_token)
        self.per_ip = parse(settings.rate_limit_per_ip)
        self.exempt_ips = {a.strip() for a in settings.rate_limit_exempt_ips.split(",") if a}
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def keys(self, request: Request) -> list[tuple[str, list[RateLimitItem], str]]:
        """(scope, limits, identity) pairs that apply to `request`."""
        host = request.client.host if request.client else "?"
        if host in self.exempt_ips:
            return []
        found = []
        authorization = request.headers.get("authorization")
        if authorization and self.per_token:  # hashed: raw tokens are never kept
            digest = hashlib.sha256(authorization.encode()).hexdigest()
            found.append(("token", self.per_token, digest))
        if self.per_ip:
            found.append(("ip", self.per_ip, host))
        return found

    async def refusal(self, request: Request) -> Response | None:
        """A 429 when `request` goes over a limit, else None."""
        for scope, items, identity in self.keys(request):
            for item in items:
                if not await self.limiter.hit(item, scope, identity):
                    stats = await self.limiter.get_window_stats(item, scope, identity)
                    retry = max(1, math.ceil(stats.reset_time - time.time()))
                    LIMITED.labels(scope).inc()
                    return error_response(
                        429,
                        "rate_limited",
                        f"too many requests for this {scope}: at most {item}",
                        {"scope": scope, "limit": str(item), "retry_after_seconds": retry},
                        headers={"Retry-After": str(retry)},
                    )
        return None


def install(app: FastAPI, settings: Settings) -> None:
    """Refuse requests over a limit before any route (or the idempotency store) sees them."""
    limits = RateLimits(settings)
    if not limits.per_token and not limits.per_ip:
        return

    async def rate_limit(request: Request, call_next: Next) -> Response:
        if request.url.path not in EXEMPT_PATHS and request.method != "OPTIONS":
            refused = await limits.refusal(request)
            if refused is not None:
                return refused
        return await call_next(request)

    def applies(scope: Scope) -> bool:  # the same tests as `keys`, before any per-request cost
        client = scope.get("client")
        return (
            scope["path"] not in EXEMPT_PATHS
            and scope["method"] != "OPTIONS"
            and (client[0] if client else "?") not in limits.exempt_ips
        )

    selective(app, rate_limit, applies)

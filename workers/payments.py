"""Payment providers: the interface, retries, and the built-in simulator with its ledger."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from infra.cassandra import Statements
from infra.logs import get_logger
from tables import payments

log = get_logger("worker")
SLOW_SECONDS = 2.0
TOK_OK, TOK_SLOW, TOK_ERROR = "tok_ok", "tok_slow", "tok_error"  # noqa: S105 - test card tokens


class ProviderUnavailable(Exception):
    """The provider did not answer; safe to retry with the same idempotency key."""


@dataclass(frozen=True)
class ChargeResult:
    outcome: Literal["succeeded", "declined", "error"]
    charge_id: str | None = None
    message: str = ""


class PaymentProvider(Protocol):
    """Charges and refunds; a charge with a key already charged returns that charge."""

    async def charge(self, idempotency_key: str, amount: float, token: str) -> ChargeResult: ...

    async def refund(
        self, refund_id: str, charge_id: str, booking_id: str, amount: float
    ) -> None: ...

    async def void(self, idempotency_key: str) -> None:
        """Cancel whatever is charged with `idempotency_key`, now or by a charge under way."""
        ...


async def charge_with_retries(
    provider: PaymentProvider,
    key: str,
    amount: float,
    token: str,
    attempts: int = 3,
    backoff: float = 0.2,
) -> ChargeResult:
    """Charge, retrying with the same key whatever failed: an unavailable provider, or an error
    of its own store (a charge with a key already charged returns that charge, so a retry never
    charges twice). `error` when it keeps failing: the hold that waits for the charge must always
    get an outcome, or it would stay 'confirming', never lapse and refuse every cancel."""
    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=backoff, max=5 * backoff),
            retry=retry_if_exception_type(Exception),
            reraise=True,
        ):
            with attempt:
                return await provider.charge(key, amount, token)
    except ProviderUnavailable as exc:
        return ChargeResult("error", message=str(exc))
    except Exception as exc:
        log.warning("charge failed", holding_id=key, error=repr(exc), attempts=attempts)
        return ChargeResult("error", message=f"the charge failed ({type(exc).__name__})")
    raise AssertionError("unreachable")  # pragma: no cover


class ChargeLedger:
    """Writes the charges asked for in one turn of the event loop together (a poll's charges
    start together): one batch request instead of one request per charge."""

    def __init__(self, statements: Statements) -> None:
        self.q = statements
        self._waiting: list[tuple[payments.Charge, asyncio.Future[None]]] = []
        self._writing: set[asyncio.Future[None]] = set()  # the loop keeps only weak references

    async def write(self, charge: payments.Charge) -> None:
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((charge, written))
        if len(self._waiting) == 1:
            asyncio.get_running_loop().call_soon(self._flush)
        await written

    def _flush(self) -> None:
        waiting, self._waiting = self._waiting, []
        task = asyncio.ensure_future(payments.write_charges(self.q, [c for c, _ in waiting]))
        self._writing.add(task)

        def settle(done: asyncio.Future[None]) -> None:
            self._writing.discard(done)
            error = None if done.cancelled() else done.exception()
            for _, written in waiting:
                if written.done():
                    continue
                if done.cancelled():
                    written.cancel()
                elif error is not None:
                    written.set_exception(error)
                else:
                    written.set_result(None)

        task.add_done_callback(settle)


class SimulatedProvider:
    """tok_ok succeeds, tok_declined is declined, tok_slow succeeds after 2 s, tok_error is an
    outage; anything else is declined. Charges are kept in Cassandra, one per key."""

    def __init__(self, statements: Statements, failure_rate: float, latency_ms: int) -> None:
        self.q = statements
        self.failure_rate = failure_rate
        self.latency = latency_ms / 1000
        self._ledger = ChargeLedger(statements)

    async def charge(self, idempotency_key: str, amount: float, token: str) -> ChargeResult:
        # A charge's id follows from its key, so charging a key twice writes the same row (no
        # lightweight transaction); every answer but success first looks for that row, so a
        # key once charged is never declined or failed afterwards.
        if self.latency:
            await asyncio.sleep(self.latency)
        if token == TOK_SLOW:
            await asyncio.sleep(SLOW_SECONDS)
        pays = token in (TOK_OK, TOK_SLOW)
        if not pays or (self.failure_rate and random.random() < self.failure_rate):
            existing = await payments.charge_of(self.q, idempotency_key)
            if existing:
                return ChargeResult("succeeded", existing)
            if token == TOK_ERROR:
                raise ProviderUnavailable("the payment provider is not answering")
            why = "simulated failure rate" if pays else "not a test card that pays"
            return ChargeResult("declined", message=f"card declined ({why})")
        charge_id = payments.charge_id_for(idempotency_key)
        await self._ledger.write(
            payments.Charge(idempotency_key, charge_id, amount, token, datetime.now(UTC))
        )
        return ChargeResult("succeeded", charge_id)

    async def refund(self, refund_id: str, charge_id: str, booking_id: str, amount: float) -> None:
        await payments.insert_refund(
            self.q, refund_id, charge_id, booking_id, amount, datetime.now(UTC)
        )

    async def void(self, idempotency_key: str) -> None:
        await payments.void_charge(self.q, idempotency_key, datetime.now(UTC))

"""The payment simulator's ledger on the real Cassandra: one charge per idempotency key,
whatever races or retries, and a key once charged is never declined or failed afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from infra.cassandra import Statements, connect
from infra.settings import Settings
from tables import payments
from workers.payments import TOK_ERROR, TOK_OK, TOK_SLOW, SimulatedProvider

pytestmark = pytest.mark.integration


@pytest.fixture
async def q(settings: Settings) -> AsyncIterator[Statements]:
    session = await asyncio.to_thread(connect, settings)
    yield Statements(session)
    session.cluster.shutdown()


async def charges_of(q: Statements, key: str) -> list[str]:
    rows = await q.run("SELECT charge_id FROM charges WHERE idempotency_key = ?", key)
    return [r["charge_id"] for r in rows]


async def test_concurrent_charges_of_one_key_are_one_charge(q: Statements) -> None:
    provider = SimulatedProvider(q, failure_rate=0.0, latency_ms=0)
    results = await asyncio.gather(*(provider.charge("hold-1", 30.0, TOK_OK) for _ in range(20)))
    assert {r.outcome for r in results} == {"succeeded"}
    assert len({r.charge_id for r in results}) == 1
    assert await charges_of(q, "hold-1") == [results[0].charge_id]
    other = await provider.charge("hold-2", 30.0, TOK_OK)
    assert other.charge_id != results[0].charge_id


async def test_a_key_once_charged_is_never_declined_or_failed_again(q: Statements) -> None:
    charged = await SimulatedProvider(q, 0.0, 0).charge("hold-3", 30.0, TOK_SLOW)
    always_declines = SimulatedProvider(q, failure_rate=1.0, latency_ms=0)
    for token in (TOK_OK, "tok_declined", TOK_ERROR):
        again = await always_declines.charge("hold-3", 30.0, token)
        assert (again.outcome, again.charge_id) == ("succeeded", charged.charge_id)
    assert await charges_of(q, "hold-3") == [charged.charge_id]


async def test_declines_and_outages_charge_nothing(q: Statements) -> None:
    provider = SimulatedProvider(q, failure_rate=0.0, latency_ms=0)
    declined = await provider.charge("hold-4", 30.0, "tok_declined")
    assert (declined.outcome, declined.charge_id) == ("declined", None)
    assert (await SimulatedProvider(q, 1.0, 0).charge("hold-4", 30.0, TOK_OK)).outcome == (
        "declined"
    )
    with pytest.raises(Exception, match="not answering"):
        await provider.charge("hold-4", 30.0, TOK_ERROR)
    assert await charges_of(q, "hold-4") == []


async def test_a_void_holds_for_a_charge_that_lands_after_it(q: Statements) -> None:
    """A hold that lapsed unbooked has its key voided: the charge made before stays voided, and
    so does one that lands after the void (a write from a stale or paused owner)."""
    provider = SimulatedProvider(q, failure_rate=0.0, latency_ms=0)
    before, after = f"hold-{uuid.uuid4().hex}", f"hold-{uuid.uuid4().hex}"
    charged = await provider.charge(before, 45.0, TOK_OK)
    await asyncio.gather(provider.void(before), provider.void(after))
    assert await payments.charge_of(q, after) is None
    late = await provider.charge(after, 30.0, TOK_OK)
    rows = await q.run(
        "SELECT idempotency_key, charge_id, amount, voided_at FROM charges "
        "WHERE idempotency_key IN (?, ?)",
        before,
        after,
    )
    got = {
        r["idempotency_key"]: (r["charge_id"], r["amount"], r["voided_at"] is not None)
        for r in rows
    }
    assert got == {before: (charged.charge_id, 45.0, True), after: (late.charge_id, 30.0, True)}


async def test_charges_asked_for_together_are_all_written(q: Statements) -> None:
    """Charges started together share batch requests (25 a batch): every one lands, once."""
    provider = SimulatedProvider(q, failure_rate=0.0, latency_ms=0)
    keys = [f"hold-{uuid.uuid4().hex}" for _ in range(60)]
    results = await asyncio.gather(*(provider.charge(k, 10.0, TOK_OK) for k in keys))
    assert [r.outcome for r in results] == ["succeeded"] * 60
    for key, result in zip(keys, results, strict=True):
        assert await charges_of(q, key) == [result.charge_id]

"""The partition owner with in-memory adapters: outcomes, redelivery, payments, fencing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from cassandra.cluster import NoHostAvailable

from seating import Seat
from tests.support import eventually
from tests.unit.workers.fakes import (
    EVENT_ID,
    OTHER_EVENT_ID,
    FakePayments,
    FakePublisher,
    FakeStore,
)
from topics.commands import (
    CancelBookingV1,
    CancelHoldV1,
    ConfirmHoldV1,
    ExpireHoldV1,
    HoldSeatsV1,
    RecordPaymentV1,
    SeatCommand,
)
from workers.live import LiveEvent
from workers.owner import Fenced, SeatOwner
from workers.payment_desk import PaymentDesk
from workers.payments import ChargeResult
from workers.store import Rules

NOW = 1_000_000.0


class Rig:
    def __init__(self) -> None:
        self.store = FakeStore()
        self.publisher = FakePublisher()
        self.payments = FakePayments()
        self.now = NOW
        self.owner = SeatOwner(
            self.store,
            self.publisher,
            Rules(max_seats_per_hold=10, max_active_holds_per_user=5),
            self.payments,
            clock=lambda: self.now,
        )
        self.owner.epochs[0] = 1

    async def send(self, *commands: SeatCommand) -> list[Any]:
        before = len(self.publisher.outcomes)
        await self.owner.handle(0, list(commands))
        return [o for _, o in self.publisher.outcomes[before:]]


def hold(command_id: str, *seats: str, user: str = "u1") -> HoldSeatsV1:
    return HoldSeatsV1(
        command_id=command_id,
        event_id=EVENT_ID,
        user_id=user,
        seat_ids=list(seats),
        correlation_id=command_id,
    )


def confirm(command_id: str, holding_id: str, user: str = "u1") -> ConfirmHoldV1:
    return ConfirmHoldV1(
        command_id=command_id,
        event_id=EVENT_ID,
        user_id=user,
        holding_id=holding_id,
        payment_token="tok_ok",
        correlation_id=command_id,
        reply_partition=3,
    )


def paid(holding_id: str, outcome: str, attempt: int = 1) -> RecordPaymentV1:
    return RecordPaymentV1(
        command_id=f"payment:{holding_id}:{attempt}",
        event_id=EVENT_ID,
        holding_id=holding_id,
        outcome=outcome,
        attempt=attempt,
        charge_id="ch_1" if outcome == "succeeded" else None,
    )


@pytest.fixture
def rig() -> Rig:
    return Rig()


async def test_hold_then_conflict_in_one_poll_is_one_batch(rig: Rig) -> None:
    first, second = await rig.send(hold("c1", "A-1", "A-2"), hold("c2", "A-2", user="u2"))
    assert first.status == "created" and first.result["seat_ids"] == ["A-1", "A-2"]
    assert second.status == "rejected" and second.error.code == "seats_unavailable"
    assert second.error.details["unavailable_seat_ids"] == ["A-2"]
    assert len(rig.store.writes) == 1
    assert set(rig.store.writes[0].outcomes) == {"c1", "c2"}
    assert [e.type for e in rig.publisher.events] == ["SeatsHeld"]


async def test_redelivered_command_gets_the_stored_outcome_and_no_effect(rig: Rig) -> None:
    (first,) = await rig.send(hold("c1", "A-1"))
    (again,) = await rig.send(hold("c1", "A-1"))
    assert again == first
    assert len(rig.store.writes) == 1
    assert len(rig.publisher.events) == 1


async def test_confirm_waits_for_the_payment_and_answers_every_waiter(rig: Rig) -> None:
    (held,) = await rig.send(hold("c1", "A-1"))
    holding_id = held.result["holding_id"]
    assert await rig.send(confirm("k1", holding_id), confirm("k2", holding_id)) == []
    assert [p.attempt for p in rig.payments.started] == [1]
    answers = await rig.send(paid(holding_id, "succeeded"))
    by_command = {o.command_id: o for o in answers}
    assert by_command["k1"].status == by_command["k2"].status == "created"
    assert by_command["k1"].result["booking_id"] == by_command["k2"].result["booking_id"]
    assert rig.publisher.outcomes[-1][0] in (None, 3)
    assert rig.store.bookings == [holding_id]
    (again,) = await rig.send(confirm("k3", holding_id))
    assert again.status == "ok" and again.result["status"] == "confirmed"


async def test_a_payment_outage_is_answered_but_not_stored(rig: Rig) -> None:
    (held,) = await rig.send(hold("c1", "A-1"))
    holding_id = held.result["holding_id"]
    await rig.send(confirm("k1", holding_id))
    (answer, *_) = [o for o in await rig.send(paid(holding_id, "error")) if o.command_id == "k1"]
    assert answer.error.code == "payment_unavailable"
    assert await rig.send(confirm("k1", holding_id)) == []  # tried again, not replayed
    assert [p.attempt for p in rig.payments.started] == [1, 2]


async def test_declined_payment_keeps_the_hold(rig: Rig) -> None:
    (held,) = await rig.send(hold("c1", "A-1"))
    holding_id = held.result["holding_id"]
    await rig.send(confirm("k1", holding_id))
    answers = await rig.send(paid(holding_id, "declined"))
    assert {o.command_id: o.error.code for o in answers if o.error}["k1"] == "payment_declined"
    (cancelled,) = await rig.send(
        CancelHoldV1(command_id="x", event_id=EVENT_ID, user_id="u1", holding_id=holding_id)
    )
    assert cancelled.status == "ok" and cancelled.result["status"] == "cancelled"


async def test_a_charge_answered_at_once_confirms_in_the_confirms_own_poll(rig: Rig) -> None:
    """One decision per confirm: the charge is decided in the poll that asked for it, in its
    batch, and nothing goes back through Kafka."""
    rig.payments.at_once["tok_ok"] = ChargeResult("succeeded", "ch_1")
    (held,) = await rig.send(hold("c1", "A-1"))
    holding_id = held.result["holding_id"]
    batches = rig.store.batches
    answers = {o.command_id: o for o in await rig.send(confirm("k1", holding_id))}
    booked = answers["k1"]
    assert booked.status == "created" and booked.result["status"] == "confirmed"
    assert rig.store.batches == batches + 1
    assert rig.payments.started == [] and [p.attempt for p in rig.payments.settled] == [1]
    assert rig.store.bookings == [holding_id]
    assert [e.type for e in rig.publisher.events][-2:] == ["PaymentRequested", "HoldConfirmed"]
    (again,) = await rig.send(confirm("k1", holding_id))
    assert again == booked


async def test_a_decline_answered_at_once_keeps_the_hold(rig: Rig) -> None:
    rig.payments.at_once["tok_ok"] = ChargeResult("declined", message="card declined")
    (held,) = await rig.send(hold("c1", "A-1"))
    holding_id = held.result["holding_id"]
    answers = {o.command_id: o for o in await rig.send(confirm("k1", holding_id))}
    refused = answers["k1"]
    assert refused.error.code == "payment_declined"
    assert rig.owner.events[EVENT_ID].state.holds[holding_id].status.value == "held"
    assert rig.payments.started == []


async def test_an_expired_hold_has_any_charge_voided_again_on_replay(rig: Rig) -> None:
    """A charge made for a confirm whose poll never landed is given back when the hold lapses;
    a replay of the expiry (its poll failed after the batch) voids again."""
    (held,) = await rig.send(hold("c1", "A-1"))
    holding_id = held.result["holding_id"]
    rig.now += 181
    expire = ExpireHoldV1(command_id="x1", event_id=EVENT_ID, holding_id=holding_id)
    await rig.send(expire)
    assert rig.payments.voided == [holding_id]
    await rig.send(expire)
    assert rig.payments.voided == [holding_id, holding_id]
    await rig.send(hold("c2", "A-2"))
    assert rig.payments.voided == [holding_id, holding_id]


async def test_fenced_write_drops_the_state_and_sends_nothing(rig: Rig) -> None:
    await rig.send(hold("c1", "A-1"))
    rig.store.fenced = True
    sent = len(rig.publisher.outcomes)
    with pytest.raises(Fenced):
        await rig.owner.handle(0, [hold("c2", "A-2")])
    assert len(rig.publisher.outcomes) == sent
    assert EVENT_ID not in rig.owner.events


async def test_a_poll_over_two_events_is_one_batch(rig: Rig) -> None:
    other = hold("c2", "A-1", user="u2").model_copy(update={"event_id": OTHER_EVENT_ID})
    answers = await rig.send(hold("c1", "A-1"), other)
    assert [a.status for a in answers] == ["created", "created"]
    assert rig.store.batches == 1 and len(rig.store.writes) == 2


async def test_after_a_failed_write_the_partition_is_read_again_version_first(rig: Rig) -> None:
    """The batch whose answer was lost may still land: every event of the partition is
    forgotten, and the shard's version is read again before any of them."""
    other = hold("c2", "A-1", user="u2").model_copy(update={"event_id": OTHER_EVENT_ID})
    await rig.send(hold("c1", "A-1"), other)
    assert rig.store.version_reads == 1
    rig.store.write_error = ConnectionError("connection to Cassandra lost")
    with pytest.raises(ConnectionError):
        await rig.owner.handle(0, [hold("c3", "A-2")])
    assert rig.owner.events == {} and 0 not in rig.owner.versions
    rig.store.write_error = None
    loads = rig.store.loads
    (answer,) = await rig.send(hold("c3", "A-2"))
    assert answer.status == "created"
    assert rig.store.version_reads == 2 and rig.store.loads == loads + 1


async def test_unknown_event_is_answered_without_state(rig: Rig) -> None:
    command = HoldSeatsV1(
        command_id="c1", event_id="f" * 32, user_id="u1", seat_ids=["A-1"], correlation_id="c1"
    )
    (answer,) = await rig.send(command)
    assert answer.error.code == "event_not_found"
    assert rig.owner.events == {} and rig.store.writes == []


async def test_seats_added_after_loading_can_be_held(rig: Rig) -> None:
    await rig.send(hold("c1", "A-1"))
    rig.store.catalog["B-1"] = Seat("B-1", "B", 1, "Regular", 10.0)
    rig.now += 2
    (answer,) = await rig.send(hold("c2", "B-1"))
    assert answer.status == "created"


async def test_due_expiries_name_lapsed_holds(rig: Rig) -> None:
    (held,) = await rig.send(hold("c1", "A-1"))
    assert rig.owner.due_expiries() == []
    rig.now += 61
    assert rig.owner.due_expiries() == [(EVENT_ID, held.result["holding_id"])]


async def test_a_load_begun_before_a_write_never_replaces_the_state_that_made_it(rig: Rig) -> None:
    """The rebalance listener preloads an event while the command loop decides for it: both
    wait for one load, so the hold decided meanwhile is still known afterwards."""
    gate = rig.store.gate = asyncio.Event()
    preload = asyncio.create_task(rig.owner.live(EVENT_ID, 0))
    await rig.store.load_started.wait()  # the preload holds the event's load, at the gate
    asked = asyncio.Event()
    live = rig.owner.live

    async def asking(event_id: str, partition: int) -> LiveEvent | None:
        asked.set()
        return await live(event_id, partition)

    # Wraps the owner's own method to see when it is called (its signature is still checked).
    rig.owner.live = asking  # type: ignore[method-assign]
    deciding = asyncio.create_task(rig.send(hold("c1", "A-1")))
    # Set just before the decision asks for the event; this test runs again only once the
    # decision has blocked (on the load under way: nothing else awaits before it).
    await asked.wait()
    assert not deciding.done() and rig.store.loads == 1
    gate.set()
    (held,) = await deciding
    assert held.status == "created"
    assert await preload is rig.owner.events[EVENT_ID]
    (taken,) = await rig.send(hold("c2", "A-1", user="u2"))
    assert taken.error.code == "seats_unavailable"
    assert rig.store.loads == 1


async def test_a_load_overtaken_by_forget_is_done_again(rig: Rig) -> None:
    gate = rig.store.gate = asyncio.Event()
    loading = asyncio.create_task(rig.owner.live(EVENT_ID, 0))
    await rig.store.load_started.wait()
    rig.owner.forget([0])
    gate.set()
    live = await loading
    assert rig.store.loads == 2
    assert rig.owner.events[EVENT_ID] is live


async def test_a_failed_write_is_raised_and_its_state_dropped(rig: Rig) -> None:
    await rig.send(hold("c1", "A-1"))
    rig.store.write_error = ConnectionError("connection to Cassandra lost")
    sent = len(rig.publisher.outcomes)
    with pytest.raises(ConnectionError):
        await rig.owner.handle(0, [hold("c2", "A-2")])
    assert len(rig.publisher.outcomes) == sent
    assert EVENT_ID not in rig.owner.events


async def test_a_booking_whose_projection_failed_is_projected_when_the_command_comes_again(
    rig: Rig,
) -> None:
    (held,) = await rig.send(hold("c1", "A-1"))
    holding_id = held.result["holding_id"]
    await rig.send(confirm("k1", holding_id))
    rig.store.project_error = ConnectionError("Cassandra stopped")
    with pytest.raises(ConnectionError):
        await rig.owner.handle(0, [paid(holding_id, "succeeded")])
    rig.store.project_error = None
    assert rig.store.bookings == []
    (answer,) = await rig.send(confirm("k1", holding_id))
    assert answer.status == "created"
    assert rig.store.bookings == [holding_id]


async def test_a_refund_that_failed_is_made_when_the_cancel_comes_again(rig: Rig) -> None:
    (held,) = await rig.send(hold("c1", "A-1"))
    holding_id = held.result["holding_id"]
    await rig.send(confirm("k1", holding_id))
    (booked, *_) = await rig.send(paid(holding_id, "succeeded"))
    cancel = CancelBookingV1(
        command_id="x1", event_id=EVENT_ID, user_id="u1", booking_id=booked.result["booking_id"]
    )
    rig.payments.refund_error = ConnectionError("payment provider away")
    with pytest.raises(ConnectionError):
        await rig.owner.handle(0, [cancel])
    rig.payments.refund_error = None
    (answer,) = await rig.send(cancel)
    assert answer.status == "ok" and answer.result["status"] == "cancelled"
    assert [r.holding_id for r in rig.payments.refunded] == [holding_id]


class LedgerDown:
    """A provider whose own store fails: every charge raises a Cassandra error."""

    def __init__(self) -> None:
        self.charges = 0

    async def charge(self, idempotency_key: str, amount: float, token: str) -> ChargeResult:
        self.charges += 1
        raise NoHostAvailable("Unable to complete the operation against any hosts", {})

    async def refund(self, refund_id: str, charge_id: str, booking_id: str, amount: float) -> None:
        return None

    async def void(self, idempotency_key: str) -> None:
        return None


async def test_a_charge_failing_with_a_store_error_still_ends_the_hold(rig: Rig) -> None:
    """Not only an unavailable provider: whatever a charge raises, the desk records an `error`
    payment after its retries, so the hold leaves 'confirming' and can still lapse or be
    cancelled."""
    provider = LedgerDown()
    rig.owner.payments = PaymentDesk(provider, rig.publisher, backoff=0.001)
    (held,) = await rig.send(hold("c1", "A-1"))
    holding_id = held.result["holding_id"]
    assert await rig.send(confirm("k1", holding_id)) == []
    await eventually(lambda: bool(rig.publisher.commands), timeout=5, what="a RecordPayment")
    (recorded,) = rig.publisher.commands
    assert isinstance(recorded, RecordPaymentV1)
    assert recorded.holding_id == holding_id and recorded.outcome == "error"
    assert provider.charges == 3
    answers = {o.command_id: o for o in await rig.send(recorded)}
    assert answers["k1"].error.code == "payment_unavailable"
    assert rig.owner.events[EVENT_ID].state.holds[holding_id].status.value == "held"
    rig.now += 61
    assert rig.owner.due_expiries() == [(EVENT_ID, holding_id)]


async def test_a_hold_command_id_of_another_users_hold_is_refused_not_replayed(rig: Rig) -> None:
    """The stored outcome answers the same command delivered again, not another user's command
    with that id: that one is refused (command_id_reused) and learns nothing of the hold."""
    (first,) = await rig.send(hold("c1", "A-1"))
    (other,) = await rig.send(hold("c1", "A-2", user="u2"))
    assert other.status == "rejected" and other.error.code == "command_id_reused"
    assert other.result is None and first.result["holding_id"] not in other.model_dump_json()
    (again,) = await rig.send(hold("c1", "A-1"))
    assert again == first
    state = rig.owner.events[EVENT_ID].state
    assert [h.user_id for h in state.holds.values()] == ["u1"]
    assert state.seat_status("A-2", rig.now) == "available"
    assert [e.type for e in rig.publisher.events] == ["SeatsHeld"]


async def test_booking_events_of_a_poll_killed_before_its_publish_are_published_on_load(
    rig: Rig,
) -> None:
    """Kafka away, the worker killed while it waits: its batch holds the events (an outbox),
    and whoever loads the event next publishes them."""
    flushing = asyncio.Event()

    async def stuck() -> None:
        flushing.set()
        await asyncio.Event().wait()

    rig.publisher.flush = stuck  # type: ignore[method-assign]
    poll = asyncio.create_task(rig.owner.handle(0, [hold("c1", "A-1")]))
    await flushing.wait()
    poll.cancel()
    lost = list(rig.publisher.events)
    assert [e.message_id for e in lost] == ["c1#0"]
    next_owner = Rig()
    next_owner.store = rig.store
    next_owner.owner.store = rig.store
    await next_owner.owner.live(EVENT_ID, 0)
    assert next_owner.publisher.events == lost
    assert rig.store.outbox == {}


async def test_published_booking_events_leave_the_outbox_with_the_next_batch(rig: Rig) -> None:
    (held,) = await rig.send(hold("c1", "A-1"))
    assert [e.message_id for e in rig.store.writes[0].events] == ["c1#0"]
    assert list(rig.store.outbox) == ["c1#0"]  # published; its delete waits for a batch
    await rig.send(confirm("k1", held.result["holding_id"]))
    assert [e.type for e in rig.publisher.events] == ["SeatsHeld", "PaymentRequested"]
    assert list(rig.store.outbox) == ["k1#0"]  # c1#0 went with the confirm's batch
    await rig.owner.flush_delivered(older_than=1.0)
    assert list(rig.store.outbox) == ["k1#0"]  # not idle long enough
    rig.now += 1.0
    await rig.owner.flush_delivered(older_than=1.0)
    assert rig.store.outbox == {}


async def test_outbox_deletes_of_a_forgotten_partition_are_dropped(rig: Rig) -> None:
    """After a failed poll the partition is read again: whatever its outbox holds is
    published once more on load (readers drop duplicates), nothing is deleted blind."""
    await rig.send(hold("c1", "A-1"))
    rig.owner.forget([0])
    await rig.owner.flush_delivered()
    assert list(rig.store.outbox) == ["c1#0"]
    await rig.owner.live(EVENT_ID, 0)
    assert rig.store.outbox == {}  # published again on load, then taken out


async def test_an_outbox_that_cannot_be_emptied_on_load_does_not_stop_the_event(rig: Rig) -> None:
    await rig.send(hold("c1", "A-1"))
    rig.owner.forget([0])
    (event,) = rig.publisher.events
    rig.store.outbox[event.message_id] = event  # as if its delete had been lost

    async def broken(*_: Any) -> None:
        raise ConnectionError("Cassandra stopped")

    rig.store.delivered = broken  # type: ignore[method-assign,assignment]
    assert await rig.owner.live(EVENT_ID, 0) is not None
    assert rig.publisher.events == [event, event]  # again, with its message id

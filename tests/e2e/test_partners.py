"""Partners on Kafka, end to end: POST /partners, the example client through the gateway,
forged and foreign attempts, malformed commands, limits, and what the broker refuses."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

from examples.partner_client import PartnerClient
from infra.kafka import make_consumer, topics_for
from infra.settings import Settings
from tests.e2e.conftest import MakeUser, error_of, seat_statuses
from tests.e2e.test_idempotency import rows

MakePartner = Any


@pytest.fixture
def make_partner(http: httpx.AsyncClient, admin: dict[str, str]) -> MakePartner:
    async def make(**limits: Any) -> dict[str, Any]:
        response = await http.post(
            "/partners", headers=admin, json={"name": f"Reseller {uuid.uuid4().hex[:6]}", **limits}
        )
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        return made

    return make


async def client_of(partner: dict[str, Any]) -> PartnerClient:
    client = PartnerClient(partner["kafka"])
    await client.start()
    return client


def auth(kafka: dict[str, Any], **changes: str) -> dict[str, Any]:
    options = {
        "bootstrap_servers": kafka["bootstrap_servers"],
        "security_protocol": kafka["security_protocol"],
        "sasl_mechanism": kafka["sasl_mechanism"],
        "sasl_plain_username": kafka["username"],
        "sasl_plain_password": kafka["password"],
    }
    return options | changes


async def test_create_partner_needs_the_admin_and_a_name(
    http: httpx.AsyncClient, admin: dict[str, str], make_user: MakeUser
) -> None:
    error_of(await http.post("/partners", json={"name": "x"}), 401, "unauthorized")
    customer = await make_user()
    error_of(await http.post("/partners", headers=customer["headers"], json={"name": "x"}), 403)
    missing = error_of(await http.post("/partners", headers=admin, json={}), 422)
    assert "name" in json.dumps(missing)
    made = await http.post("/partners", headers=admin, json={"name": "Tix Ltd"})
    assert made.status_code == 201, made.text
    body = made.json()
    kafka = body["kafka"]
    assert {"partner_id", "user_id", "kafka"} <= set(body)
    assert kafka["security_protocol"] in ("SASL_PLAINTEXT", "SASL_SSL")
    assert kafka["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kafka["password"] and body["partner_id"] in kafka["command_topic"]
    assert kafka["command_topic"] != kafka["result_topic"]
    account = await http.get(f"/user/{body['user_id']}", headers=admin)
    assert account.status_code == 200 and account.json()["role"] == "partner"


async def test_the_example_client_holds_and_confirms_as_the_partner_itself(
    http: httpx.AsyncClient, admin: dict[str, str], make_event: Any, make_partner: MakePartner
) -> None:
    event = await make_event(rows="AB", per_row=5)
    partner = await make_partner()
    client = await client_of(partner)
    try:
        hold = await client.ask(
            {
                "type": "hold_seats",
                "event_id": event["event_id"],
                "seat_type": "VIP",
                "quantity": 2,
                "customer_ref": "order-17",
                "user_id": "someone-else",  # forged: ignored
            }
        )
        assert hold["status"] == "created", hold
        assert hold["result"]["user_id"] == partner["user_id"]
        assert hold["result"]["customer_ref"] == "order-17"
        confirm = await client.ask(
            {
                "type": "confirm_hold",
                "event_id": event["event_id"],
                "holding_id": hold["result"]["holding_id"],
                "payment_token": "tok_ok",
            }
        )
        assert confirm["status"] == "created", confirm
        assert confirm["result"]["status"] == "confirmed"
    finally:
        await client.stop()
    bookings = await http.get(f"/user/{partner['user_id']}/bookings", headers=admin)
    assert [b["booking_id"] for b in bookings.json()["items"]] == [confirm["result"]["booking_id"]]


async def test_forged_identity_and_internal_commands_get_nowhere(
    http: httpx.AsyncClient, make_event: Any, make_user: MakeUser, make_partner: MakePartner
) -> None:
    event = await make_event(rows="A", per_row=4)
    buyer = await make_user()
    held = await http.post(
        f"/events/{event['event_id']}/hold", headers=buyer["headers"], json={"seat_ids": ["A-1"]}
    )
    assert held.status_code == 201, held.text
    holding_id = held.json()["holding_id"]
    confirmed = await http.post(
        f"/{holding_id}/confirm", headers=buyer["headers"], json={"payment_token": "tok_ok"}
    )
    booking_id = confirmed.json()["booking_id"]
    partner = await make_partner()
    client = await client_of(partner)
    eid = event["event_id"]
    try:
        as_admin = await client.ask(
            {
                "type": "cancel_booking",
                "event_id": eid,
                "booking_id": booking_id,
                "user_id": buyer["user_id"],
                "as_admin": True,
            }
        )
        cancel_hold = await client.ask(
            {"type": "cancel_hold", "event_id": eid, "holding_id": holding_id}
        )
        expire = await client.ask(
            {"type": "expire_hold", "event_id": eid, "holding_id": holding_id}
        )
        record = await client.ask(
            {
                "type": "record_payment",
                "event_id": eid,
                "holding_id": holding_id,
                "outcome": "declined",
                "attempt": 1,
            }
        )
        aimed = await client.ask(
            {"type": "hold_seats", "event_id": eid, "seat_ids": ["A-2"], "reply_partition": 0}
        )
    finally:
        await client.stop()
    assert as_admin["status"] == "rejected" and as_admin["error"]["code"] == "booking_not_found"
    assert cancel_hold["status"] == "rejected" and cancel_hold["error"]["code"] == "hold_not_found"
    for refused in (expire, record):
        assert refused["status"] == "rejected", refused
        assert refused["error"]["code"] == "command_not_allowed"
    assert aimed["status"] == "created"  # answered on the partner's topic, not a reply partition
    mine = await http.get(f"/user/{buyer['user_id']}/bookings", headers=buyer["headers"])
    assert [(b["booking_id"], b["status"]) for b in mine.json()["items"]] == [
        (booking_id, "confirmed")
    ]
    seats = await seat_statuses(http, eid)
    assert seats["A-1"] == "booked" and seats["A-2"] == "held"


async def test_malformed_commands_are_answered_on_the_partners_topic(
    e2e_settings: Settings, make_partner: MakePartner
) -> None:
    partner = await make_partner()
    client = await client_of(partner)
    try:
        await client.send_raw(b"k", b'{"command_id": "bad-1", "type": "hold_seats"')
        await client.send_raw(
            b"k", json.dumps({"command_id": "bad-2", "correlation_id": "c-2", "type": "x"}).encode()
        )
        await client.send_raw(
            b"not-the-event",
            json.dumps(
                {
                    "command_id": "bad-3",
                    "type": "cancel_hold",
                    "event_id": "a" * 32,
                    "holding_id": "h",
                }
            ).encode(),
        )
        first = await client.outcome("")  # not even JSON: no id to key it by
        second = await client.outcome("c-2")
        third = await client.outcome("bad-3")
    finally:
        await client.stop()
    assert first["error"]["code"] == "invalid_command"
    assert first["error"]["details"]["reason"] == "bad_json"
    assert second["error"]["details"]["reason"] == "unknown_type"
    assert third["error"]["details"]["reason"] == "wrong_key"
    assert all(o["status"] == "rejected" for o in (first, second, third))
    letters = await read_all(e2e_settings, topics_for(e2e_settings).dead_letters)
    sources = [json.loads(v) for v in letters]
    mine = [d for d in sources if d["source_topic"] == partner["kafka"]["command_topic"]]
    assert {d["reason"] for d in mine} >= {"bad_json", "unknown_type", "wrong_key"}


async def test_each_partner_is_confined_to_its_own_topics(
    e2e_settings: Settings, make_partner: MakePartner
) -> None:
    a, b = await make_partner(), await make_partner()
    ka, kb = a["kafka"], b["kafka"]
    topics = topics_for(e2e_settings)
    refused: dict[str, str] = {}

    async def attempt(name: str, action: Any) -> None:
        try:
            await asyncio.wait_for(action(), 20)
        except (KafkaError, TimeoutError) as exc:
            refused[name] = type(exc).__name__

    async def read_other() -> None:
        consumer = AIOKafkaConsumer(
            kb["result_topic"], **auth(ka), group_id=f"{ka['consumer_group_prefix']}-x"
        )
        await consumer.start()
        try:
            await consumer.getmany(timeout_ms=5000)
        finally:
            await consumer.stop()

    async def produce(kafka: dict[str, Any], topic: str) -> None:
        producer = AIOKafkaProducer(**auth(kafka), request_timeout_ms=5000)
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"{}", key=b"k")
        finally:
            await producer.stop()

    async def wrong_password() -> None:
        await produce(ka | {"password": "not-it"}, ka["command_topic"])

    await attempt("read another partner's results", read_other)
    await attempt("write another partner's commands", lambda: produce(ka, kb["command_topic"]))
    await attempt("write seat-commands", lambda: produce(ka, topics.seat_commands))
    await attempt("write booking-events", lambda: produce(ka, topics.booking_events))
    await attempt("wrong password", wrong_password)
    assert set(refused) == {
        "read another partner's results",
        "write another partner's commands",
        "write seat-commands",
        "write booking-events",
        "wrong password",
    }, refused
    await produce(ka, ka["command_topic"])  # its own topic: allowed


async def test_limits_per_partner(make_event: Any, make_partner: MakePartner) -> None:
    event = await make_event(rows="ABC", per_row=5)
    capped = await make_partner(seats_per_event=4)
    client = await client_of(capped)
    eid = event["event_id"]
    try:
        first = await client.ask(
            {"type": "hold_seats", "event_id": eid, "seat_type": "VIP", "quantity": 3}
        )
        over = await client.ask(
            {"type": "hold_seats", "event_id": eid, "seat_type": "VIP", "quantity": 2}
        )
        fits = await client.ask({"type": "hold_seats", "event_id": eid, "seat_ids": ["C-5"]})
    finally:
        await client.stop()
    assert first["status"] == "created" and fits["status"] == "created"
    assert over["error"]["code"] == "seat_limit_reached", over
    slow = await make_partner(commands_per_second=2)
    client = await client_of(slow)
    try:
        sent = [
            await client.send(
                {
                    "type": "cancel_hold",
                    "event_id": eid,
                    "holding_id": f"h{n}",
                    "command_id": f"r{n}",
                }
            )
            for n in range(12)
        ]
        answers = [await client.outcome(c) for c in sent]
        await asyncio.sleep(1.0)  # anything answered twice would have arrived by now
    finally:
        await client.stop()
    codes = [a["error"]["code"] for a in answers]
    assert codes.count("rate_limited") >= 6 and "hold_not_found" in codes, codes
    assert all(len(client.outcomes[c]) == 1 for c in sent)


async def test_two_partners_with_one_command_id_get_two_holds(
    make_event: Any, make_partner: MakePartner
) -> None:
    event = await make_event(rows="A", per_row=6)
    clients = [await client_of(await make_partner()) for _ in range(2)]
    command = {
        "type": "hold_seats",
        "event_id": event["event_id"],
        "seat_type": "VIP",
        "quantity": 1,
        "command_id": "same-id",
    }
    try:
        first, second = await asyncio.gather(*(c.ask(dict(command)) for c in clients))
        again = await clients[0].ask(dict(command, correlation_id="again"))
    finally:
        for c in clients:
            await c.stop()
    assert first["status"] == second["status"] == "created"
    assert first["result"]["holding_id"] != second["result"]["holding_id"]
    assert set(first["result"]["seat_ids"]).isdisjoint(second["result"]["seat_ids"])
    assert again["result"]["holding_id"] == first["result"]["holding_id"]  # a redelivery


async def test_booking_events_carry_no_payment_tokens(
    e2e_settings: Settings, http: httpx.AsyncClient, make_event: Any, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    buyer = await make_user()
    held = await http.post(
        f"/events/{event['event_id']}/hold", headers=buyer["headers"], json={"seat_ids": ["A-1"]}
    )
    token = f"tok_secret_{uuid.uuid4().hex}"
    declined = await http.post(
        f"/{held.json()['holding_id']}/confirm",
        headers=buyer["headers"],
        json={"payment_token": token},
    )
    assert declined.status_code == 402, declined.text
    values = await read_all(e2e_settings, topics_for(e2e_settings).booking_events)
    mine = [v for v in values if event["event_id"].encode() in v]
    assert any(b'"PaymentRequested"' in v for v in mine)
    assert not any(token.encode() in v or b"payment_token" in v for v in mine)


async def read_all(settings: Settings, topic: str) -> list[bytes]:
    """Every value on `topic` so far (as the super user)."""
    consumer = make_consumer(settings, "admin", topic, auto_offset_reset="earliest")
    await consumer.start()
    values: list[bytes] = []
    try:
        while batch := await consumer.getmany(timeout_ms=2000):
            values += [r.value for records in batch.values() for r in records]
    finally:
        await consumer.stop()
    return values


async def test_concurrent_creates_with_one_key_make_one_partner_and_show_its_password_once(
    http: httpx.AsyncClient, admin: dict[str, str], e2e_settings: Settings
) -> None:
    name = f"Racing Reseller {uuid.uuid4().hex[:6]}"
    headers = admin | {"Idempotency-Key": f"partner-{uuid.uuid4().hex}"}
    answers = await asyncio.gather(
        *(http.post("/partners", headers=headers, json={"name": name}) for _ in range(4))
    )
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    assert len({a.json()["partner_id"] for a in answers}) == 1
    passwords = [a.json()["kafka"]["password"] for a in answers]
    shown = [p for p in passwords if p]
    assert len(shown) == 1 and passwords.count(None) == 3, passwords
    stored = rows(
        e2e_settings, "SELECT partner_id FROM partners WHERE name = %s ALLOW FILTERING", name
    )
    assert [r["partner_id"] for r in stored] == [answers[0].json()["partner_id"]]
    replies = rows(e2e_settings, "SELECT body FROM idempotency_keys")
    assert all(shown[0] not in (r["body"] or "") for r in replies)

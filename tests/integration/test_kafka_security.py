"""The secured broker across a restart: service and partner logins still work, strangers and
wrong passwords are still refused. Kafka 4.1.1, replaying at start a metadata log in which a
deployment was dropped (its users, ACLs and topics removed), refused every SCRAM login after
the restart; this test fails so without the dev stack's metadata snapshots every 2 s, which keep
such removals out of what a restart replays (devstack/kafka.py)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from devstack import stack
from infra.bootstrap import bootstrap
from infra.cassandra import Statements, connect
from infra.kafka import make_producer, topics_for
from infra.kafka_auth import aiokafka_options_for
from infra.settings import KafkaLogin, Settings
from partners.provision import provision
from tests.support import drop_deployment, isolated_settings

pytestmark = [pytest.mark.integration, pytest.mark.disruptive]


async def can_produce(producer: AIOKafkaProducer, topic: str) -> bool:
    try:
        await producer.start()
        await producer.send_and_wait(topic, b"{}", key=b"k")
        return True
    except KafkaConnectionError:
        return False
    finally:
        await producer.stop()


async def test_logins_survive_a_kafka_restart(settings: Settings) -> None:
    session = await asyncio.to_thread(connect, settings)
    try:
        made = await provision(settings, Statements(session), "Restart Tix")
    finally:
        session.cluster.shutdown()
    partner = KafkaLogin(username=made.partner.kafka_username, password=made.password)
    other = isolated_settings()  # another deployment made and dropped (users, ACLs, topics)
    await asyncio.to_thread(bootstrap, other)
    await asyncio.to_thread(drop_deployment, other)
    await asyncio.sleep(3.0)  # a metadata snapshot is taken every 2 s
    await asyncio.to_thread(stack.stop, "kafka")
    await asyncio.to_thread(stack.start, "kafka")
    topics = topics_for(settings)
    worker = make_producer(settings, "worker", request_timeout_ms=10_000)
    assert await can_produce(worker, topics.booking_events)
    own = AIOKafkaProducer(**aiokafka_options_for(settings, partner), request_timeout_ms=10_000)
    assert await can_produce(own, made.partner.command_topic)
    wrong = partner.model_copy(update={"password": "not-the-password"})
    stranger = AIOKafkaProducer(**aiokafka_options_for(settings, wrong), request_timeout_ms=5000)
    assert not await can_produce(stranger, made.partner.command_topic)
    plaintext = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=5000
    )
    assert not await can_produce(plaintext, made.partner.command_topic)

"""Kafka plumbing: topic creation from topics/, producers and a liveness probe."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from infra.settings import Settings
from topics.names import ALL_TOPICS, Topics


def topics_for(settings: Settings) -> Topics:
    """Topic names for this deployment."""
    return Topics(settings.topic_prefix)


async def create_topics(settings: Settings) -> list[str]:
    """Create every topic topics/ declares, with its partition count; idempotent."""
    names = topics_for(settings)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                names.name(topic),
                num_partitions=topic.partitions,
                replication_factor=1,
                topic_configs=(
                    {"retention.ms": str(topic.retention_ms)} if topic.retention_ms else {}
                ),
            )
            for topic in ALL_TOPICS
            if names.name(topic) not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in wanted]
    finally:
        await admin.close()


def make_producer(settings: Settings, **options: object) -> AIOKafkaProducer:
    """A producer that waits for every in-sync replica and sends after 1 ms; batches up to
    256 KiB so that many senders to one hot partition rarely wait for a full batch to drain.

    Not idempotent: after a broker restart aiokafka's idempotent producer can answer every send
    with OutOfOrderSequenceNumber until it is recreated (aio-libs/aiokafka#1017; seen in the
    fault suite, seed 2425880414). A retry may thus write a message twice, which every reader
    already tolerates: commands by command id, booking events by message id, outcomes by
    correlation id. aiokafka keeps one batch per partition in flight, so order holds."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        acks="all",
        linger_ms=1,
        max_batch_size=256 * 1024,
        **options,
    )

"""Kafka plumbing: topic creation from topics/, service users and ACLs, producers."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from infra import kafka_auth
from infra.kafka_acls import service_acls
from infra.logs import get_logger
from infra.settings import KafkaLogin, KafkaRole, Settings
from topics.names import ALL_TOPICS, Topic, Topics

log = get_logger("kafka")


def topics_for(settings: Settings) -> Topics:
    """Topic names for this deployment."""
    return Topics(settings.topic_prefix)


def new_topic(settings: Settings, name: str, topic: Topic) -> NewTopic:
    """A topic as topics/ declares it (partitions, retention), replicated as the settings say
    (on a 3-node cluster: 3 replicas, of which 2 must have a record before acks=all answers)."""
    return NewTopic(
        name,
        num_partitions=topic.partitions,
        replication_factor=settings.kafka_replication_factor,
        topic_configs={
            "min.insync.replicas": str(settings.kafka_min_isr),
            **({"retention.ms": str(topic.retention_ms)} if topic.retention_ms else {}),
            **({"cleanup.policy": "compact"} if topic.compacted else {}),
        },
    )


async def ensure_topics(settings: Settings, role: KafkaRole, wanted: list[NewTopic]) -> list[str]:
    """Create those of `wanted` that do not exist yet, as `role`; returns the names created."""
    admin = AIOKafkaAdminClient(**kafka_auth.aiokafka_options(settings, role))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in missing]
    finally:
        await admin.close()


async def create_topics(settings: Settings) -> list[str]:
    """Create every topic topics/ declares, with its partition count; idempotent."""
    names = topics_for(settings)
    return await ensure_topics(
        settings, "admin", [new_topic(settings, names.name(t), t) for t in ALL_TOPICS]
    )


def secure_deployment(settings: Settings) -> list[str]:
    """Make (or keep) a SCRAM user per service of this deployment and grant it its ACLs; the
    logins are kept 0600 under credentials_dir. Needs the super user's login; returns the users
    made. Without SASL, or without a known super user login (an existing cluster whose services
    got their logins in EVENTLY_KAFKA_LOGINS), nothing is done."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return []
    try:
        kafka_auth.login(settings, "admin")
    except kafka_auth.MissingLogin:
        log.info("no Kafka super user login: service users and ACLs are left as they are")
        return []
    from infra.kafka_admin import SecurityAdmin

    kept = kafka_auth.known_logins(settings)
    logins: dict[str, KafkaLogin] = {
        role: kept.get(role)
        or KafkaLogin(
            username=kafka_auth.username(settings, role), password=kafka_auth.new_password()
        )
        for role in kafka_auth.SERVICE_ROLES
    }
    admin = SecurityAdmin(settings, "admin")
    admin.upsert_users({login.username: login.password for login in logins.values()})
    kafka_auth.save_logins(settings, dict(logins))
    admin.grant(service_acls(settings, topics_for(settings)))
    return [login.username for login in logins.values()]


def make_producer(settings: Settings, role: KafkaRole, **options: object) -> AIOKafkaProducer:
    """A producer (as `role`) that waits for every in-sync replica and sends after 1 ms;
    batches up to 256 KiB so that many senders to one hot partition rarely wait for a full
    batch to drain.

    Not idempotent: after a broker restart aiokafka's idempotent producer can answer every send
    with OutOfOrderSequenceNumber until it is recreated (aio-libs/aiokafka#1017; seen in the
    fault suite, seed 2425880414). A retry may thus write a message twice, which every reader
    already tolerates: commands by command id, booking events by message id, outcomes by
    correlation id. aiokafka keeps one batch per partition in flight, so order holds."""
    return AIOKafkaProducer(
        **kafka_auth.aiokafka_options(settings, role),
        acks="all",
        linger_ms=1,
        max_batch_size=256 * 1024,
        **options,
    )


def make_consumer(
    settings: Settings, role: KafkaRole, *topics: str, **options: object
) -> AIOKafkaConsumer:
    """A consumer that authenticates as `role`."""
    return AIOKafkaConsumer(*topics, **kafka_auth.aiokafka_options(settings, role), **options)

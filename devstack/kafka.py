"""Kafka 4.x in KRaft mode: one combined broker+controller on 127.0.0.1, secured.

Config is generated under <devstack_dir>/kafka; storage is formatted once with
kafka.tools.StorageTool (--standalone, dynamic quorum) and the super user's SCRAM credential;
readiness is a real produce + consume (and group commit) round trip with aiokafka.

Every listener authenticates: clients on SASL_PLAINTEXT with SCRAM-SHA-512 (the users live in
the cluster metadata), the controller listener with SASL PLAIN (KRaft controllers cannot use
SCRAM). KRaft's StandardAuthorizer refuses whatever no ACL allows; only `admin` is a super user.
Its password is made on the first start and kept in <credentials_dir>/admin.json (mode 0600);
it logs in with PLAIN, checked against the broker's own JAAS configuration, as does the broker
itself, so the super user never depends on SCRAM records in the metadata.

Restarts (found by the test suite's Kafka restarts, 4.1.1): a broker that replays at start a
metadata log in which a deployment was dropped (users, ACLs, topics removed) refuses every SCRAM
login afterwards, with nothing in its log. Metadata snapshots every 2 s keep such removals out
of what a restart replays (tests/integration/test_kafka_security.py fails without them); a
removal in the last 2 s before a restart can still do it.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import os
import subprocess
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from devstack.errors import StartError
from devstack.layout import Layout, is_local_host
from devstack.process import marker
from devstack.service import ServiceSpec, quiet, tcp_open
from infra import kafka_auth
from infra.settings import KafkaLogin, Settings

NAME = "kafka"
PING_TOPIC = "__devstack_ping"
PING_GROUP = "__devstack_ping"
PROBE_TIMEOUT_S = 15.0
T = TypeVar("T")


def broker_port(settings: Settings) -> int:
    """The PLAINTEXT broker port, taken from kafka_bootstrap_servers."""
    return settings.kafka_host_port[1]


def controller_port(settings: Settings) -> int:
    """The controller listener: the port after the broker's (9093 by default)."""
    return broker_port(settings) + 1


def ports(settings: Settings) -> list[int]:
    """Broker and controller ports."""
    return [broker_port(settings), controller_port(settings)]


def admin_login(settings: Settings) -> KafkaLogin:
    """The super user's login, made (and kept, mode 0600) on first use."""
    try:
        found = kafka_auth.login(settings, "admin")
        if found.mechanism != "PLAIN":  # kept while the super user logged in with SCRAM
            found = found.model_copy(update={"mechanism": "PLAIN"})
            kafka_auth.save_admin(settings, found)
        return found
    except kafka_auth.MissingLogin:
        made = KafkaLogin(
            username=kafka_auth.ADMIN_USERNAME,
            password=kafka_auth.new_password(),
            mechanism="PLAIN",
        )
        kafka_auth.save_admin(settings, made)
        return made


def address(settings: Settings) -> str:
    """The bootstrap servers clients use."""
    return settings.kafka_bootstrap_servers


def is_remote(settings: Settings) -> bool:
    """True if any bootstrap server is not on loopback."""
    hosts = [
        s.strip().rpartition(":")[0]
        for s in settings.kafka_bootstrap_servers.split(",")
        if s.strip()
    ]
    return not all(is_local_host(h) for h in hosts)


def server_properties(layout: Layout, settings: Settings) -> str:
    """server.properties for a single-node KRaft broker+controller."""
    port, cport = broker_port(settings), controller_port(settings)
    data = layout.service_dir(NAME) / "data"
    admin = admin_login(settings)
    user, password = admin.username, admin.password
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.bootstrap.servers": f"127.0.0.1:{cport}",
        "listeners": f"BROKER://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}",
        "advertised.listeners": f"BROKER://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "BROKER",
        "listener.security.protocol.map": "CONTROLLER:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": "SCRAM-SHA-512,PLAIN",
        "sasl.mechanism.inter.broker.protocol": "PLAIN",
        "listener.name.broker.scram-sha-512.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        ),
        "listener.name.broker.plain.sasl.jaas.config": (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{user}" password="{password}" user_{user}="{password}";'
        ),
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{user}" password="{password}" user_{user}="{password}";'
        ),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{user}",
        "log.dirs": str(data),
        "num.partitions": "1",
        "auto.create.topics.enable": "true",
        "default.replication.factor": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "share.coordinator.state.topic.num.partitions": "1",
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "4",
        "num.recovery.threads.per.data.dir": "1",
        "log.retention.hours": "24",
        "log.segment.bytes": str(64 * 1024 * 1024),
        # A metadata snapshot soon after every change: SCRAM users survive restarts (above).
        "metadata.log.max.snapshot.interval.ms": "2000",
    }
    lines = ["# Generated by devstack (devstack/kafka.py); edits are overwritten on start."]
    lines += [f"{k}={v}" for k, v in props.items()]
    return "\n".join(lines) + "\n"


LOG4J2_PROPERTIES = """\
# Generated by devstack: everything to stdout, which goes to logs/kafka.log.
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.requestchannel.name = kafka.network.RequestChannel$
logger.requestchannel.level = WARN
"""


def new_cluster_id() -> str:
    """A Kafka cluster id (base64url UUID, 22 chars), as StorageTool random-uuid makes."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


def cluster_id(layout: Layout) -> str:
    """The cluster id of this devstack: made once, stored next to the config."""
    path = layout.service_dir(NAME) / "cluster.id"
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    cid = new_cluster_id()
    path.write_text(cid + "\n")
    return cid


def write_config(layout: Layout, settings: Settings) -> Path:
    """Write server.properties and log4j2.properties; returns server.properties."""
    base = layout.service_dir(NAME)
    (base / "data").mkdir(parents=True, exist_ok=True)
    (base / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
    config = base / "server.properties"
    config.write_text(server_properties(layout, settings))
    return config


def jvm_args(layout: Layout, settings: Settings) -> list[str]:
    """Heap, GC and logging flags (after kafka-run-class.sh's defaults)."""
    heap = settings.devstack_heap_mb
    return [
        f"-Xms{min(256, heap)}m",
        f"-Xmx{heap}m",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-XX:MaxInlineLevel=15",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        "-Djava.net.preferIPv4Stack=true",
        f"-Dlog4j2.configurationFile=file:{layout.service_dir(NAME) / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={layout.logs_dir}",
    ]


def format_storage(
    layout: Layout, settings: Settings, classpath: list[Path], java: str, config: Path
) -> None:
    """Format the KRaft storage once (skipped when meta.properties exists)."""
    if (layout.service_dir(NAME) / "data" / "meta.properties").is_file():
        return
    cmd = [
        java,
        *jvm_args(layout, settings)[:2],
        f"-Dlog4j2.configurationFile=file:{layout.service_dir(NAME) / 'log4j2.properties'}",
        "-cp",
        os.pathsep.join(map(str, classpath)),
        "kafka.tools.StorageTool",
        "format",
        "--standalone",
        "--ignore-formatted",
        "-t",
        cluster_id(layout),
        "-c",
        str(config),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)  # noqa: S603
    if out.returncode != 0:
        tail = "\n".join((out.stdout + out.stderr).strip().splitlines()[-40:])
        raise StartError(f"Kafka storage format failed ({' '.join(cmd[-4:])}):\n{tail}")


def prepare(layout: Layout, settings: Settings, classpath: list[Path], java: str) -> list[str]:
    """Write config, format storage if new; returns the broker's argv."""
    config = write_config(layout, settings)
    format_storage(layout, settings, classpath, java, config)
    return [
        java,
        marker(layout, NAME),
        *jvm_args(layout, settings),
        "-cp",
        os.pathsep.join(map(str, classpath)),
        "kafka.Kafka",
        str(config),
    ]


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion, also when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def round_trip(settings: Settings, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """Produce a record to PING_TOPIC, read it back, commit it in PING_GROUP (as the super
    user); raises on failure."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    payload = uuid.uuid4().hex.encode()
    timeout_ms = int(timeout_s * 1000)
    options = kafka_auth.aiokafka_options(settings, "admin")
    producer = AIOKafkaProducer(**options, request_timeout_ms=timeout_ms)
    try:
        await producer.start()
        meta = await producer.send_and_wait(PING_TOPIC, payload)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        **options,
        group_id=PING_GROUP,
        enable_auto_commit=False,
        request_timeout_ms=timeout_ms,
    )
    try:
        await consumer.start()
        tp = TopicPartition(PING_TOPIC, meta.partition)
        consumer.assign([tp])
        consumer.seek(tp, meta.offset)
        msg = await consumer.getone(tp)
        if msg.value != payload:
            raise RuntimeError("ping read back a different record")
        await consumer.commit({tp: meta.offset + 1})
    finally:
        await consumer.stop()


def probe(settings: Settings, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """True if a produce + consume round trip against the configured bootstrap servers works."""
    host, port = settings.kafka_host_port
    if not tcp_open(host, port):
        return False

    async def bounded() -> None:
        await asyncio.wait_for(round_trip(settings, timeout_s), timeout_s)

    with quiet("aiokafka", "kafka"):
        try:
            kafka_auth.login(settings, "admin")
        except kafka_auth.MissingLogin:
            return False
        try:
            run_sync(bounded())
        except Exception:
            return False
    return True


SPEC = ServiceSpec(
    name=NAME,
    title="Kafka",
    start_timeout_s=90.0,
    stop_timeout_s=60.0,
    ports=ports,
    address=address,
    is_remote=is_remote,
    prepare=prepare,
    probe=probe,
)

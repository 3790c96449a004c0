"""Kafka 4.x in KRaft mode: one combined broker+controller on 127.0.0.1, secured; or, with
EVENTLY_DEVSTACK_NODES=3, three of them (a 3-voter controller quorum) on their own ports.

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
import functools
import os
import subprocess
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from devstack.errors import DevstackError, StartError
from devstack.layout import Layout, is_local_host
from devstack.layout import node_name as layout_node_name
from devstack.process import marker
from devstack.service import ServiceSpec, quiet, tcp_open
from infra import kafka_auth
from infra.settings import KafkaLogin, Settings

NAME = "kafka"
PING_TOPIC = "__devstack_ping"
PING_GROUP = "__devstack_ping"
PROBE_TIMEOUT_S = 15.0
T = TypeVar("T")


def node_count(settings: Settings) -> int:
    """How many Kafka nodes the dev stack runs; each needs its own bootstrap server."""
    count = settings.devstack_nodes
    if len(settings.kafka_servers) < count:
        raise DevstackError(
            f"EVENTLY_DEVSTACK_NODES={count} needs {count} Kafka bootstrap servers, one per "
            f"node; EVENTLY_KAFKA_BOOTSTRAP_SERVERS is {settings.kafka_bootstrap_servers!r}"
        )
    return count


def node_name(settings: Settings, node: int = 1) -> str:
    """kafka, or kafka-<node> in a cluster."""
    return layout_node_name(NAME, node, node_count(settings))


def host(settings: Settings, node: int = 1) -> str:
    """The address node `node` listens on: its bootstrap server's host."""
    return settings.kafka_servers[node - 1][0]


def broker_port(settings: Settings, node: int = 1) -> int:
    """The broker port of node `node`: its bootstrap server's port."""
    return settings.kafka_servers[node - 1][1]


def controller_port(settings: Settings, node: int = 1) -> int:
    """The controller listener: the port after the broker's (9093 by default)."""
    return broker_port(settings, node) + 1


def ports(settings: Settings, node: int = 1) -> list[int]:
    """Broker and controller ports."""
    return [broker_port(settings, node), controller_port(settings, node)]


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


def address(settings: Settings, node: int | None = None) -> str:
    """The bootstrap servers clients use (one node's alone when given)."""
    if node is None:
        return settings.kafka_bootstrap_servers
    return f"{host(settings, node)}:{broker_port(settings, node)}"


def is_remote(settings: Settings) -> bool:
    """True if any bootstrap server is not on loopback."""
    return not all(is_local_host(h) for h, _ in settings.kafka_servers)


def quorum(settings: Settings, node: int) -> dict[str, str]:
    """A single node forms a dynamic quorum of its own (formatted --standalone); the nodes of a
    cluster are every one a voter of a static quorum (controller.quorum.voters), never both."""
    count = node_count(settings)
    if count == 1:
        return {
            "controller.quorum.bootstrap.servers": f"{host(settings)}:{controller_port(settings)}"
        }
    voters = ",".join(
        f"{n}@{host(settings, n)}:{controller_port(settings, n)}" for n in range(1, count + 1)
    )
    return {"controller.quorum.voters": voters}


def replication(settings: Settings) -> dict[str, str]:
    """Replication of the internal topics and the default for others: one replica per node up
    to 3; a record is acknowledged (acks=all) once min.insync.replicas have it."""
    rf, isr = str(settings.kafka_replication_factor), str(settings.kafka_min_isr)
    return {
        "default.replication.factor": rf,
        "min.insync.replicas": isr,
        "offsets.topic.replication.factor": rf,
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": isr,
        "share.coordinator.state.topic.replication.factor": rf,
        "share.coordinator.state.topic.min.isr": isr,
    }


def server_properties(layout: Layout, settings: Settings, node: int = 1) -> str:
    """server.properties for KRaft broker+controller node `node` (the only one by default)."""
    address, port, cport = (
        host(settings, node),
        broker_port(settings, node),
        controller_port(settings, node),
    )
    data = layout.service_dir(node_name(settings, node)) / "data"
    admin = admin_login(settings)
    user, password = admin.username, admin.password
    props = {
        "process.roles": "broker,controller",
        "node.id": str(node),
        **quorum(settings, node),
        "listeners": f"BROKER://{address}:{port},CONTROLLER://{address}:{cport}",
        "advertised.listeners": f"BROKER://{address}:{port},CONTROLLER://{address}:{cport}",
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
        **replication(settings),
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.num.partitions": "1",
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
    """The cluster id of this devstack (every node's): made once, stored under kafka/."""
    path = layout.service_dir(NAME) / "cluster.id"
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    cid = new_cluster_id()
    path.write_text(cid + "\n")
    return cid


def write_config(layout: Layout, settings: Settings, node: int = 1) -> Path:
    """Write server.properties and log4j2.properties; returns server.properties."""
    base = layout.service_dir(node_name(settings, node))
    (base / "data").mkdir(parents=True, exist_ok=True)
    (base / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
    config = base / "server.properties"
    config.write_text(server_properties(layout, settings, node))
    return config


def jvm_args(layout: Layout, settings: Settings, node: int = 1) -> list[str]:
    """Heap, GC and logging flags (after kafka-run-class.sh's defaults)."""
    heap = settings.devstack_heap_mb
    base = layout.service_dir(node_name(settings, node))
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
        f"-Dlog4j2.configurationFile=file:{base / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={layout.logs_dir}",
    ]


def format_storage(
    layout: Layout,
    settings: Settings,
    classpath: list[Path],
    java: str,
    config: Path,
    node: int = 1,
) -> None:
    """Format the KRaft storage once (skipped when meta.properties exists); a single node as a
    standalone dynamic quorum, a cluster's nodes against their static voters."""
    base = layout.service_dir(node_name(settings, node))
    if (base / "data" / "meta.properties").is_file():
        return
    standalone = ["--standalone"] if node_count(settings) == 1 else []
    cmd = [
        java,
        *jvm_args(layout, settings, node)[:2],
        f"-Dlog4j2.configurationFile=file:{base / 'log4j2.properties'}",
        "-cp",
        os.pathsep.join(map(str, classpath)),
        "kafka.tools.StorageTool",
        "format",
        *standalone,
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


def prepare(
    layout: Layout, settings: Settings, classpath: list[Path], java: str, node: int = 1
) -> list[str]:
    """Write config, format storage if new; returns the broker's argv."""
    config = write_config(layout, settings, node)
    format_storage(layout, settings, classpath, java, config, node)
    return [
        java,
        marker(layout, node_name(settings, node)),
        *jvm_args(layout, settings, node),
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


async def round_trip(
    settings: Settings, timeout_s: float = PROBE_TIMEOUT_S, node: int | None = None
) -> None:
    """Produce a record to PING_TOPIC, read it back, commit it in PING_GROUP (as the super
    user); raises on failure. With `node`, through that node, which must be among the brokers
    the cluster's metadata lists (a restarted node is ready once it has joined again)."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    payload = uuid.uuid4().hex.encode()
    timeout_ms = int(timeout_s * 1000)
    options = kafka_auth.aiokafka_options(settings, "admin")
    producer = AIOKafkaProducer(**options, request_timeout_ms=timeout_ms)
    try:
        await producer.start()
        if node is not None and node not in {b.nodeId for b in producer.client.cluster.brokers()}:
            raise RuntimeError(f"broker {node} is not in the cluster's metadata yet")
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


def probe(settings: Settings, node: int | None = None, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """True if a produce + consume round trip against the configured bootstrap servers (or
    through node `node` alone) works."""
    if node is not None:
        settings = settings.model_copy(update={"kafka_bootstrap_servers": address(settings, node)})
    if not any(tcp_open(h, p) for h, p in settings.kafka_servers):
        return False

    async def bounded() -> None:
        await asyncio.wait_for(round_trip(settings, timeout_s, node), timeout_s)

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


def specs(settings: Settings) -> list[ServiceSpec]:
    """One spec per node the settings ask for."""
    count = node_count(settings)
    return [
        ServiceSpec(
            name=layout_node_name(NAME, n, count),
            service=NAME,
            title="Kafka" if count == 1 else f"Kafka node {n}",
            host=host(settings, n),
            # 90 s was too short in dry run ci16: a broker restarted by the fault suite on a box
            # at load 12 spent 100 s loading its 500 partitions and was stopped twice.
            start_timeout_s=180.0,
            stop_timeout_s=60.0,
            ports=functools.partial(ports, node=n),
            address=functools.partial(address, node=n if count > 1 else None),
            is_remote=is_remote,
            prepare=functools.partial(prepare, node=n),
            probe=functools.partial(probe, node=n if count > 1 else None),
        )
        for n in range(1, count + 1)
    ]

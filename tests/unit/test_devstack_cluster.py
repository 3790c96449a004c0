"""The dev stack as a 3-node cluster (EVENTLY_DEVSTACK_NODES=3), and the consistency settings
derived from the node count: generated config only, no JVM."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devstack import cassandra, kafka, stack
from devstack.errors import DevstackError, StartError
from devstack.layout import Layout
from infra.cassandra import replication
from infra.kafka import new_topic
from infra.settings import Settings
from topics.names import SEAT_COMMANDS


def props(text: str) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


@pytest.fixture
def cluster(tmp_path: Path) -> Settings:
    """A cluster on other ports and loopback addresses than the defaults, as a test runs it."""
    return Settings(
        devstack_nodes=3,
        devstack_dir=tmp_path / "ds",
        devstack_cache_dir=tmp_path / "m2",
        kafka_bootstrap_servers="127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096",
        cassandra_contact_points="127.0.0.4,127.0.0.5,127.0.0.6",
    )


def test_one_node_stays_the_default() -> None:
    s = Settings()
    assert s.devstack_nodes == 1
    assert s.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert s.cassandra_hosts == ["127.0.0.1"]
    assert (s.cassandra_replication, s.cassandra_consistency_level) == (1, "LOCAL_ONE")
    assert (s.kafka_replication_factor, s.kafka_min_isr) == (1, 1)
    assert [sp.name for sp in stack.specs(s).values()] == ["kafka", "cassandra"]


def test_three_nodes_derive_addresses_heaps_and_consistency() -> None:
    s = Settings(devstack_nodes=3)
    assert s.kafka_bootstrap_servers == "127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096"
    assert s.cassandra_hosts == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    assert (s.devstack_heap_mb, s.devstack_cassandra_heap_mb) == (384, 768)
    assert s.cassandra_replication == 3
    assert s.cassandra_consistency_level == "QUORUM"
    assert s.cassandra_serial_consistency == "SERIAL"
    assert (s.kafka_replication_factor, s.kafka_min_isr) == (3, 2)
    assert "'datacenter1': 3" in replication(s)
    assert "NetworkTopologyStrategy" in replication(s)


def test_explicit_settings_win_over_derived_ones() -> None:
    s = Settings(
        devstack_nodes=3,
        devstack_heap_mb=512,
        cassandra_consistency="LOCAL_QUORUM",
        kafka_min_insync_replicas=3,
        cassandra_replication_factor=2,
    )
    assert s.devstack_heap_mb == 512
    assert s.cassandra_consistency_level == "LOCAL_QUORUM"
    assert s.kafka_min_isr == 3
    assert s.cassandra_replication == 2


def test_topics_are_replicated_with_min_insync_replicas(cluster: Settings) -> None:
    topic = new_topic(cluster, "t.seat-commands", SEAT_COMMANDS)
    assert topic.replication_factor == 3
    assert topic.topic_configs["min.insync.replicas"] == "2"
    assert new_topic(Settings(), "x", SEAT_COMMANDS).replication_factor == 1


def test_node_names_addresses_and_ports(cluster: Settings) -> None:
    specs = stack.specs(cluster)
    assert list(specs) == [
        "kafka-1",
        "kafka-2",
        "kafka-3",
        "cassandra-1",
        "cassandra-2",
        "cassandra-3",
    ]
    assert specs["kafka-2"].ports(cluster) == [19094, 19095]
    assert specs["kafka-2"].address(cluster) == "127.0.0.1:19094"
    assert specs["cassandra-3"].host == "127.0.0.6"
    assert specs["cassandra-3"].address(cluster) == "127.0.0.6:9042"
    assert [sp.name for sp in stack.nodes("kafka", cluster)] == ["kafka-1", "kafka-2", "kafka-3"]
    assert [sp.name for sp in stack.nodes("cassandra-2", cluster)] == ["cassandra-2"]
    with pytest.raises(DevstackError, match="unknown service 'kafka-4'"):
        stack.nodes("kafka-4", cluster)


def test_kafka_nodes_form_a_three_voter_quorum(cluster: Settings) -> None:
    layout = Layout.from_settings(cluster)
    p = props(kafka.server_properties(layout, cluster, 2))
    assert p["node.id"] == "2"
    assert p["controller.quorum.voters"] == (
        "1@127.0.0.1:19093,2@127.0.0.1:19095,3@127.0.0.1:19097"
    )
    assert "controller.quorum.bootstrap.servers" not in p  # static voters, no --standalone
    assert p["listeners"] == "BROKER://127.0.0.1:19094,CONTROLLER://127.0.0.1:19095"
    assert p["log.dirs"] == str(layout.root / "kafka-2" / "data")
    for key in (
        "default.replication.factor",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "share.coordinator.state.topic.replication.factor",
    ):
        assert p[key] == "3", key
    for key in ("min.insync.replicas", "transaction.state.log.min.isr"):
        assert p[key] == "2", key
    assert p["metadata.log.max.snapshot.interval.ms"] == "2000"  # kept: see devstack/kafka.py


def test_kafka_nodes_share_one_cluster_id_and_the_admin_login(cluster: Settings) -> None:
    layout = Layout.from_settings(cluster)
    first = props(kafka.server_properties(layout, cluster, 1))
    third = props(kafka.server_properties(layout, cluster, 3))
    key = "listener.name.controller.plain.sasl.jaas.config"
    assert first[key] == third[key]
    kafka.write_config(layout, cluster, 3)
    assert (layout.root / "kafka-3" / "server.properties").is_file()
    assert kafka.cluster_id(layout) == kafka.cluster_id(layout)


def test_cassandra_nodes_are_seeds_with_their_own_address_and_token(cluster: Settings) -> None:
    layout = Layout.from_settings(cluster)
    tokens = set()
    for node, address in enumerate(["127.0.0.4", "127.0.0.5", "127.0.0.6"], start=1):
        lines = {
            line.strip() for line in cassandra.cassandra_yaml(layout, cluster, node).splitlines()
        }
        assert f"listen_address: {address}" in lines
        assert f"rpc_address: {address}" in lines
        assert '- seeds: "127.0.0.4:7000,127.0.0.5:7000,127.0.0.6:7000"' in lines
        assert "auto_bootstrap: false" in lines
        assert "hinted_handoff_enabled: true" in lines
        assert f"- {layout.root / f'cassandra-{node}' / 'data'}" in lines
        tokens.add(cassandra.token(node, 3))
    assert len(tokens) == 3 and min(tokens) == -(2**63)


def test_cassandra_node_argv_carries_its_marker_and_token(
    cluster: Settings, tmp_path: Path
) -> None:
    layout = Layout.from_settings(cluster)
    cp = [tmp_path / "cassandra-all-5.0.8.jar"]
    argv = cassandra.prepare(layout, cluster, cp, "/usr/bin/java", node=2)
    assert f"-Devently.devstack=cassandra-2@{layout.root}" in argv
    assert f"-Dcassandra.initial_token={cassandra.token(2, 3)}" in argv
    assert "-Xmx768m" in argv


def test_too_few_addresses_for_the_nodes_are_refused(tmp_path: Path) -> None:
    few = Settings(devstack_nodes=3, kafka_bootstrap_servers="127.0.0.1:9092")
    with pytest.raises(DevstackError, match="3 Kafka bootstrap servers"):
        stack.specs(few)
    same = Settings(devstack_nodes=3, cassandra_contact_points="127.0.0.1,127.0.0.1,127.0.0.1")
    with pytest.raises(DevstackError, match="3 distinct Cassandra contact points"):
        stack.specs(same)


def test_a_node_that_does_not_come_up_is_reported_with_its_log_tail(
    cluster: Settings, tmp_path: Path
) -> None:
    layout = Layout.from_settings(cluster)
    sp = stack.specs(cluster)["cassandra-2"]
    log = layout.log_file(sp.name)
    log.parent.mkdir(parents=True)
    log.write_text("starting\nException: bind 127.0.0.5:7000 failed\n")
    died = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    died.wait()
    with pytest.raises(StartError) as err:
        stack._wait([stack._Pending(sp, died.pid, 1e18, 0.0)], cluster, layout, lambda _: None)
    assert "Cassandra node 2" in err.value.message
    assert "bind 127.0.0.5:7000 failed" in err.value.message
    assert err.value.exit_code == 4


def test_cluster_nodes_keep_their_schema_durable(cluster: Settings, tmp_path: Path) -> None:
    cp = [tmp_path / "cassandra-all-5.0.8.jar"]
    single = Settings(devstack_dir=tmp_path / "one")
    one = cassandra.prepare(Layout.from_settings(single), single, cp, "java")
    three = cassandra.prepare(Layout.from_settings(cluster), cluster, cp, "java", node=1)
    assert "-Dcassandra.unsafesystem=true" in one
    assert "-Dcassandra.unsafesystem=true" not in three

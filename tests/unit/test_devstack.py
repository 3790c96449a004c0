"""Unit tests of the dev stack that need no running services (no JVM, no network)."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from typer.testing import CliRunner  # noqa: E402

from devstack import cassandra, kafka, maven, stack, tools  # noqa: E402
from devstack.cli import app  # noqa: E402
from devstack.errors import PortBusyError, ToolMissingError  # noqa: E402
from devstack.layout import Layout, is_local_host  # noqa: E402
from devstack.ports import port_is_free, port_owner  # noqa: E402
from devstack.process import marker, memory_kib, tail  # noqa: E402
from infra.settings import Settings, get_settings  # noqa: E402


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        devstack_dir=tmp_path / "ds",
        devstack_cache_dir=tmp_path / "m2",
        devstack_heap_mb=512,
        devstack_cassandra_heap_mb=640,
        kafka_bootstrap_servers="127.0.0.1:19092",
        cassandra_port=19042,
    )


@pytest.fixture
def layout(settings: Settings) -> Layout:
    return Layout.from_settings(settings)


@pytest.fixture
def listening() -> Iterator[int]:
    """A port held by a listening socket of this test process."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def props(text: str) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


# --- Kafka config ---------------------------------------------------------------------------


def test_kafka_properties_listeners_ports_and_dirs(settings: Settings, layout: Layout) -> None:
    p = props(kafka.server_properties(layout, settings))
    assert p["process.roles"] == "broker,controller"
    assert p["listeners"] == "BROKER://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert p["advertised.listeners"].startswith("BROKER://127.0.0.1:19092")
    assert p["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"
    assert "controller.quorum.voters" not in p  # not both with --standalone
    assert p["controller.listener.names"] == "CONTROLLER"
    assert p["log.dirs"] == str(layout.root / "kafka" / "data")
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
        "num.partitions",
    ):
        assert p[key] == "1", key
    assert p["group.initial.rebalance.delay.ms"] == "0"
    assert p["auto.create.topics.enable"] == "true"


def test_kafka_every_listener_authenticates_and_acls_decide(
    settings: Settings, layout: Layout
) -> None:
    p = props(kafka.server_properties(layout, settings))
    protocols = dict(pair.split(":") for pair in p["listener.security.protocol.map"].split(","))
    assert protocols == {"CONTROLLER": "SASL_PLAINTEXT", "BROKER": "SASL_PLAINTEXT"}
    assert p["sasl.enabled.mechanisms"] == "SCRAM-SHA-512,PLAIN"  # PLAIN: the super user only
    assert p["sasl.mechanism.inter.broker.protocol"] == "PLAIN"
    assert p["metadata.log.max.snapshot.interval.ms"] == "2000"  # SCRAM users survive restarts
    assert p["authorizer.class.name"].endswith("StandardAuthorizer")
    assert p["allow.everyone.if.no.acl.found"] == "false"
    assert p["super.users"] == "User:admin"
    admin = settings.credentials_dir / "admin.json"
    assert admin.stat().st_mode & 0o777 == 0o600
    kept = json.loads(admin.read_text())["admin"]
    assert kept["mechanism"] == "PLAIN"
    assert f'user_admin="{kept["password"]}"' in p["listener.name.broker.plain.sasl.jaas.config"]
    assert "user_" not in p["listener.name.broker.scram-sha-512.sasl.jaas.config"]


def test_kafka_write_config_and_stable_cluster_id(settings: Settings, layout: Layout) -> None:
    config = kafka.write_config(layout, settings)
    assert config == layout.root / "kafka" / "server.properties"
    assert (layout.root / "kafka" / "log4j2.properties").is_file()
    assert (layout.root / "kafka" / "data").is_dir()
    first = kafka.cluster_id(layout)
    assert len(first) == 22 and not first.startswith("-")
    assert kafka.cluster_id(layout) == first


def test_kafka_jvm_args_use_heap_setting(settings: Settings, layout: Layout) -> None:
    args = kafka.jvm_args(layout, settings)
    assert "-Xmx512m" in args
    assert any(a.startswith("-Dlog4j2.configurationFile=file:") for a in args)


def test_kafka_remote_detection() -> None:
    assert not kafka.is_remote(Settings(kafka_bootstrap_servers="127.0.0.1:9092"))
    assert not kafka.is_remote(Settings(kafka_bootstrap_servers="localhost:9092"))
    assert kafka.is_remote(Settings(kafka_bootstrap_servers="kafka.internal:9092"))
    assert is_local_host("::1") and not is_local_host("10.0.0.5")


# --- Cassandra config -----------------------------------------------------------------------


def test_cassandra_yaml_addresses_ports_and_dirs(settings: Settings, layout: Layout) -> None:
    text = cassandra.cassandra_yaml(layout, settings)
    lines = {line.strip() for line in text.splitlines()}
    base = layout.root / "cassandra"
    for expected in (
        "listen_address: 127.0.0.1",
        "rpc_address: 127.0.0.1",
        "native_transport_port: 19042",
        "storage_port: 7000",
        '- seeds: "127.0.0.1:7000"',
        "endpoint_snitch: SimpleSnitch",
        "num_tokens: 1",
        "commitlog_sync: periodic",
        "auto_snapshot: false",
        f"- {base / 'data'}",
        f"commitlog_directory: {base / 'commitlog'}",
        f"saved_caches_directory: {base / 'saved_caches'}",
        f"hints_directory: {base / 'hints'}",
        f"cdc_raw_directory: {base / 'cdc_raw'}",
    ):
        assert expected in lines, expected
    assert "crypto_provider" not in text


def test_cassandra_prepare_argv(settings: Settings, layout: Layout, tmp_path: Path) -> None:
    cp = [tmp_path / "cassandra-all-5.0.8.jar", tmp_path / "jamm-0.4.0.jar"]
    argv = cassandra.prepare(layout, settings, cp, "/usr/bin/java")
    assert argv[0] == "/usr/bin/java"
    assert argv[-1] == "org.apache.cassandra.service.CassandraDaemon"
    assert marker(layout, "cassandra") in argv
    assert "-Xmx640m" in argv
    assert f"-javaagent:{tmp_path / 'jamm-0.4.0.jar'}" in argv
    assert "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED" in argv
    assert "-Djdk.attach.allowAttachSelf=true" in argv
    assert f"-Dcassandra.config=file://{layout.root / 'cassandra' / 'cassandra.yaml'}" in argv
    assert (layout.root / "cassandra" / "cassandra.yaml").is_file()
    assert (layout.root / "cassandra" / "logback.xml").is_file()
    for name in cassandra.DATA_DIRS:
        assert (layout.root / "cassandra" / name).is_dir()


# --- Ports ----------------------------------------------------------------------------------


def test_port_in_use_is_detected(listening: int) -> None:
    assert not port_is_free(listening)
    owner = port_owner(listening)
    if owner is not None:  # /proc may hide other users' sockets, never our own
        assert owner[0] == os.getpid()


def test_free_port_is_free() -> None:
    assert port_is_free(free_port())


def test_check_ports_reports_busy_port(settings: Settings, listening: int) -> None:
    spec = stack.spec("kafka")
    busy_spec = type(spec)(**{**spec.__dict__, "ports": lambda _s: [listening]})
    with pytest.raises(PortBusyError) as err:
        stack.check_ports(busy_spec, settings)
    assert f"port {listening}" in err.value.message
    assert str(os.getpid()) in err.value.message
    assert err.value.exit_code != 0


# --- Tools ----------------------------------------------------------------------------------


def test_missing_java_gives_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(ToolMissingError) as err:
        tools.find_java()
    assert "Java 17+ not found" in err.value.message
    assert "openjdk-17-jdk-headless" in err.value.message
    assert err.value.exit_code == 2


def test_missing_mvn_gives_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(ToolMissingError) as err:
        tools.find_mvn()
    assert "Maven not found" in err.value.message
    assert err.value.exit_code == 2


def test_cli_missing_java_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVENTLY_DEVSTACK_DIR", str(tmp_path / "ds"))
    monkeypatch.setenv("EVENTLY_KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{free_port()}")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("shutil.which", lambda _name: None)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["start", "kafka"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "Java 17+ not found" in result.output


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('java version "1.8.0_292"', 8),
        ('openjdk version "21" 2023-09-19', 21),
        ("garbage", None),
    ],
)
def test_parse_java_version(text: str, major: int | None) -> None:
    assert tools.parse_java_version(text) == major


# --- Maven classpath cache ------------------------------------------------------------------


def test_stored_classpath_skips_maven(
    layout: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jar = tmp_path / "a.jar"
    jar.write_bytes(b"")
    assert maven.read_classpath(layout, "kafka") is None
    layout.classpath_dir.mkdir(parents=True)
    layout.classpath_file("kafka").write_text(str(jar))
    layout.classpath_file("kafka").with_suffix(".pom").write_text(maven.pom_digest(layout))

    def no_maven() -> str:
        raise AssertionError("mvn must not run when the stored classpath is complete")

    monkeypatch.setattr(maven, "find_mvn", no_maven)
    assert maven.ensure_classpath(layout, "kafka") == [jar]
    jar.unlink()
    assert maven.read_classpath(layout, "kafka") is None  # a missing jar forces a re-resolve


def test_pom_has_one_profile_per_service() -> None:
    pom = maven.POM.read_text()
    assert "<id>kafka</id>" in pom and "<id>cassandra</id>" in pom
    assert "kafka_2.13" in pom and "cassandra-all" in pom


# --- Process helpers ------------------------------------------------------------------------


def test_memory_and_tail(tmp_path: Path) -> None:
    mem = memory_kib(os.getpid())
    assert mem is not None and mem[0] > 0 and mem[1] >= mem[0]
    log = tmp_path / "x.log"
    log.write_text("\n".join(f"line {i}" for i in range(100)))
    assert tail(log, 3).splitlines() == ["line 97", "line 98", "line 99"]
    assert tail(tmp_path / "missing.log") == ""


def test_stop_without_process_is_harmless(settings: Settings) -> None:
    lines: list[str] = []
    assert stack.stop("kafka", settings, lines.append) is False
    assert lines == ["Kafka is not running"]


def test_unknown_service_is_rejected() -> None:
    with pytest.raises(Exception, match="unknown service"):
        stack.spec("zookeeper")

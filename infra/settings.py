"""Typed settings, read once from EVENTLY_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
KafkaRole = Literal["admin", "ingress", "worker", "analytics", "gateway", "provisioner"]
Consistency = Literal["ONE", "LOCAL_ONE", "TWO", "QUORUM", "LOCAL_QUORUM", "ALL"]
# Where the dev stack's nodes listen when EVENTLY_DEVSTACK_NODES > 1 and no address is given:
# Kafka node n on 127.0.0.1:9090+2n (its controller on the port after), Cassandra node n on
# 127.0.0.n.
CLUSTER_HEAP_MB = {"devstack_heap_mb": 384, "devstack_cassandra_heap_mb": 768}


class KafkaLogin(BaseModel):
    """A SASL username and password (and its mechanism when not the settings' one)."""

    username: str
    password: str
    mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] | None = None


class Settings(BaseSettings):
    """Everything configurable, with defaults that work on a laptop."""

    model_config = SettingsConfigDict(env_prefix="EVENTLY_", extra="ignore")

    # Kafka
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = ""
    worker_group_id: str = "evently-workers"
    worker_metrics_port: int = Field(default=0, ge=0, description="0: no /metrics server")
    worker_session_timeout_ms: int = Field(default=10_000, ge=1_000)
    kafka_security_protocol: Literal["SASL_PLAINTEXT", "SASL_SSL", "PLAINTEXT"] = "SASL_PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    kafka_ssl_cafile: Path | None = None
    # None: derived from devstack_nodes (3 nodes: replication 3, min.insync.replicas 2)
    kafka_replication: int | None = Field(default=None, ge=1)
    kafka_min_insync_replicas: int | None = Field(default=None, ge=1)
    # Logins per service (JSON: {"worker": {"username": ..., "password": ...}}); a role not
    # named here is read from the credentials the dev stack and bootstrap keep (0600) under
    # kafka_credentials_dir.
    kafka_logins: dict[KafkaRole, KafkaLogin] = Field(default_factory=dict)
    kafka_credentials_dir: Path | None = None
    gateway_group_id: str = "evently-gateway"
    gateway_metrics_port: int = Field(default=0, ge=0, description="0: no /metrics server")
    # What POST /partners tells partners to connect to (default: kafka_bootstrap_servers)
    partner_bootstrap_servers: str | None = None
    partner_commands_per_second: float = Field(default=200.0, gt=0)
    partner_seats_per_event: int = Field(default=200, ge=1)
    partner_producer_bytes_per_second: int = Field(default=1_048_576, ge=1024)
    partner_consumer_bytes_per_second: int = Field(default=4_194_304, ge=1024)

    # Cassandra
    cassandra_contact_points: str = "127.0.0.1"
    cassandra_port: int = 9042
    cassandra_keyspace: str = "evently"
    cassandra_datacenter: str = "datacenter1"
    # None: derived from devstack_nodes (NetworkTopologyStrategy, up to 3 replicas)
    cassandra_replication_factor: int | None = Field(default=None, ge=1)
    # None: QUORUM with more than one replica, LOCAL_ONE with one
    cassandra_consistency: Consistency | None = None
    cassandra_serial_consistency: Literal["SERIAL", "LOCAL_SERIAL"] = "SERIAL"

    # HTTP ingress
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # Ingress processes sharing the port (SO_REUSEPORT). Each keeps its own read model, current
    # with its own writes at once but with another's only once their booking events arrive:
    # more than 1 gives up read-your-writes (docs/performance.md).
    ingress_processes: int = Field(default=1, ge=1, le=16)
    admin_token: str | None = None
    command_timeout_seconds: float = Field(default=10.0, gt=0)
    cors_origins: str = "*"
    max_body_bytes: int = 64 * 1024
    # Rate limits (ingress/ratelimit.py), e.g. "50/second; 1000/minute"; "" turns one off
    rate_limit_per_token: str = "50/second"  # noqa: S105 - a rate, not a secret
    rate_limit_per_ip: str = "200/second"
    rate_limit_exempt_ips: str = "127.0.0.1,::1"

    # Waiting rooms (docs/onsale.md). The pass secret signs queue passes; every ingress process
    # must share it (the run command makes one when unset).
    queue_pass_secret: str | None = None
    # Default buyers let in per minute: what one partition's owner decides for them, measured
    # (docs/onsale.md: ~440 decisions/s, three per buyer who holds and pays, and the ingress).
    admit_per_minute: int = Field(default=6_000, gt=0)
    admitter_metrics_port: int = Field(default=0, ge=0, description="0: no /metrics server")

    # Booking rules
    hold_ttl_seconds: int = Field(default=180, ge=1, le=3600)
    max_seats_per_hold: int = Field(default=10, ge=1)
    max_active_holds_per_user: int = Field(default=5, ge=1)

    # Payment simulator
    payment_failure_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    payment_latency_ms: int = Field(default=0, ge=0)
    # How long a poll waits for the charges it requested: those answered by then are decided
    # in the same poll (a confirm in one decision); slower ones come back as commands. 0: never.
    payment_inline_ms: int = Field(default=50, ge=0, le=1000)

    # Dev stack (local JVMs started by `python -m devstack`); nodes > 1: a cluster on one machine
    devstack_nodes: int = Field(default=1, ge=1, le=9)
    devstack_dir: Path = REPO_ROOT / ".devstack"
    devstack_cache_dir: Path = Path.home() / ".cache" / "evently" / "maven"
    devstack_heap_mb: int = Field(default=512, ge=256, le=1024, description="Kafka's heap")
    devstack_cassandra_heap_mb: int = Field(default=1024, ge=256, le=1024)

    log_level: str = "INFO"
    # Restart counts written by the run command's supervisor (system/supervise.py), shown by the
    # ingress at /metrics; None: nothing supervises.
    supervisor_state_file: Path | None = None

    @model_validator(mode="after")
    def _cluster_defaults(self) -> Settings:
        """With several dev stack nodes, addresses and heaps not given explicitly are the
        cluster's: every node is a client contact point."""
        n, given = self.devstack_nodes, self.model_fields_set
        if n == 1:
            return self
        if "kafka_bootstrap_servers" not in given:
            self.kafka_bootstrap_servers = ",".join(
                f"127.0.0.1:{9090 + 2 * i}" for i in range(1, n + 1)
            )
        if "cassandra_contact_points" not in given:
            self.cassandra_contact_points = ",".join(f"127.0.0.{i}" for i in range(1, n + 1))
        for name, heap in CLUSTER_HEAP_MB.items():
            if name not in given:
                setattr(self, name, heap)
        return self

    @property
    def cassandra_replication(self) -> int:
        """Replicas of the keyspace: as set, else one per dev stack node up to 3."""
        return self.cassandra_replication_factor or min(self.devstack_nodes, 3)

    @property
    def cassandra_consistency_level(self) -> Consistency:
        """Reads and writes: as set, else QUORUM when there is more than one replica."""
        if self.cassandra_consistency is not None:
            return self.cassandra_consistency
        return "QUORUM" if self.cassandra_replication > 1 else "LOCAL_ONE"

    @property
    def kafka_replication_factor(self) -> int:
        """Replicas of every topic: as set, else one per dev stack node up to 3."""
        return self.kafka_replication or min(self.devstack_nodes, 3)

    @property
    def kafka_min_isr(self) -> int:
        """min.insync.replicas of every topic: as set, else one fewer than the replicas."""
        return self.kafka_min_insync_replicas or max(1, self.kafka_replication_factor - 1)

    @property
    def kafka_servers(self) -> list[tuple[str, int]]:
        """Every bootstrap server as (host, port)."""
        found = []
        for entry in self.kafka_bootstrap_servers.split(","):
            host, _, port = entry.strip().rpartition(":")
            if host:
                found.append((host, int(port)))
        return found

    @property
    def cassandra_hosts(self) -> list[str]:
        """Contact points as a list."""
        return [h.strip() for h in self.cassandra_contact_points.split(",") if h.strip()]

    @property
    def credentials_dir(self) -> Path:
        """Where the dev stack and bootstrap keep Kafka logins (files of mode 0600)."""
        return self.kafka_credentials_dir or self.devstack_dir / "kafka" / "credentials"

    @property
    def kafka_host_port(self) -> tuple[str, int]:
        """Host and port of the first bootstrap server."""
        return self.kafka_servers[0]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()

"""Static checks of the Docker deployment: docker-compose.yml and the nginx template.

No Docker engine is needed; `docker compose config` runs only where the compose plugin exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("bootstrap", "worker", "analytics", "gateway", "admitter", "ingress")
REQUIRED_SERVICES = ("kafka", "cassandra", *APP_SERVICES, "nginx")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def env_of(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's environment as a dict, whether written as a mapping or a list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict((item.split("=", 1) + [None])[:2] for item in env)
    return {k: None if v is None else str(v) for k, v in env.items()}


def exposed_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(p).split("/")[0]) for p in service.get("expose", [])}


@pytest.fixture(scope="module")
def nginx_template(services: dict[str, Any]) -> str:
    mounts = [v for v in services["nginx"]["volumes"] if ":/etc/nginx/templates" in v]
    assert mounts, "nginx must mount its config templates into /etc/nginx/templates"
    host_dir = ROOT / mounts[0].split(":")[0]
    templates = sorted(host_dir.glob("*.template"))
    assert templates, f"no *.template in {host_dir}"
    return "\n".join(t.read_text() for t in templates)


def test_required_services_exist(services: dict[str, Any]) -> None:
    assert set(REQUIRED_SERVICES) <= set(services)


def test_evently_env_vars_are_settings_fields(services: dict[str, Any]) -> None:
    names = {k for svc in services.values() for k in env_of(svc) if k.startswith("EVENTLY_")}
    names |= set(re.findall(r"\$\{?(EVENTLY_[A-Z0-9_]+)", COMPOSE_FILE.read_text()))
    assert names
    unknown = sorted(
        n for n in names if n.removeprefix("EVENTLY_").lower() not in Settings.model_fields
    )
    assert not unknown, f"not fields of infra.settings.Settings: {unknown}"


def test_ingress_is_scalable(services: dict[str, Any]) -> None:
    ingress = services["ingress"]
    assert "ports" not in ingress, "a fixed host port stops --scale ingress=N"
    assert "container_name" not in ingress
    env = env_of(ingress)
    assert env["EVENTLY_HTTP_HOST"] == "0.0.0.0"
    assert exposed_ports(ingress) == {int(env["EVENTLY_HTTP_PORT"] or 0)} == {8000}
    assert "container_name" not in services["worker"]


def test_nginx_publishes_port_80(services: dict[str, Any]) -> None:
    published = [str(p) for p in services["nginx"]["ports"]]
    assert any(p.split(":")[-2:] == ["80", "80"] for p in published), published


def test_app_services_reach_kafka_and_cassandra(services: dict[str, Any]) -> None:
    advertised = env_of(services["kafka"])["KAFKA_ADVERTISED_LISTENERS"] or ""
    kafka_addrs = set(re.findall(r"://([^,]+)", advertised))
    assert "kafka:9092" in kafka_addrs
    cassandra_ports = exposed_ports(services["cassandra"])
    assert cassandra_ports == {9042}
    for name in APP_SERVICES:
        env = env_of(services[name])
        servers = (env["EVENTLY_KAFKA_BOOTSTRAP_SERVERS"] or "").split(",")
        assert servers and all(s.strip() in kafka_addrs for s in servers), name
        assert env["EVENTLY_CASSANDRA_CONTACT_POINTS"] == "cassandra", name
        assert int(env["EVENTLY_CASSANDRA_PORT"] or 0) in cassandra_ports, name


def test_services_wait_for_bootstrap(services: dict[str, Any]) -> None:
    assert services["bootstrap"]["restart"] == "no"
    for name in ("worker", "analytics", "ingress"):
        deps = services[name]["depends_on"]
        assert deps["bootstrap"]["condition"] == "service_completed_successfully", name
    for name in APP_SERVICES:
        deps = services[name]["depends_on"]
        assert deps["kafka"]["condition"] == deps["cassandra"]["condition"] == "service_healthy"


def test_healthchecks(services: dict[str, Any]) -> None:
    for name in ("kafka", "cassandra", "ingress", "nginx"):
        assert services[name].get("healthcheck", {}).get("test"), name
    assert "describe keyspaces" in str(services["cassandra"]["healthcheck"]["test"])
    assert "/health" in str(services["ingress"]["healthcheck"]["test"])


def test_nginx_rate_limit_and_limits(nginx_template: str) -> None:
    assert re.search(
        r"limit_req_zone \$binary_remote_addr zone=perip:\S+ rate=10r/s;", nginx_template
    )
    assert "limit_req zone=perip burst=20 nodelay;" in nginx_template
    assert "limit_req_status 429;" in nginx_template
    assert "client_max_body_size 64k;" in nginx_template
    assert "proxy_buffering off;" in nginx_template
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in nginx_template
    assert "X-Real-IP $remote_addr" in nginx_template


@pytest.mark.parametrize(
    "header",
    ["X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy"],
)
def test_nginx_security_headers(nginx_template: str, header: str) -> None:
    assert re.search(rf"add_header {header} .+ always;", nginx_template), header


def test_nginx_cors_is_configurable(services: dict[str, Any], nginx_template: str) -> None:
    assert "${CORS_ALLOW_ORIGIN}" in nginx_template
    assert re.search(r"add_header Access-Control-Allow-Origin \S+ always;", nginx_template)
    assert re.search(r"\$request_method = OPTIONS\)\s*\{\s*return 204;", nginx_template)
    assert env_of(services["nginx"])["CORS_ALLOW_ORIGIN"] == "${EVENTLY_CORS_ORIGINS:-*}"


def _compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="docker compose plugin not installed")
def test_docker_compose_config_is_valid() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr

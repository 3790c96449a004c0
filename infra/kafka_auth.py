"""Kafka logins: which principal each service uses, where its password is kept, and the client
options (aiokafka, faust, confluent-kafka) that authenticate with it.

Each deployment (topic prefix) has its own service principals, named `<prefix>evently-<role>`;
the dev stack's super user is `admin`. Logins come from `kafka_logins` in the settings first,
then from files of mode 0600 under `credentials_dir`: `admin.json` (written by the dev stack)
and `<prefix or 'default'>.json` (written by bootstrap when it creates the service users)."""

from __future__ import annotations

import json
import os
import secrets
import ssl
from pathlib import Path
from typing import Any, get_args

from infra.settings import KafkaLogin, KafkaRole, Settings

ADMIN_USERNAME = "admin"
SERVICE_ROLES: tuple[KafkaRole, ...] = tuple(r for r in get_args(KafkaRole) if r != "admin")


class MissingLogin(Exception):
    """No login is known for a role: run bootstrap, or set EVENTLY_KAFKA_LOGINS."""


def username(settings: Settings, role: KafkaRole) -> str:
    """The principal name a service of this deployment authenticates as."""
    if role == "admin":
        return ADMIN_USERNAME
    return f"{settings.topic_prefix}evently-{role}"


def new_password() -> str:
    """A random SCRAM password."""
    return secrets.token_urlsafe(24)


def _file(settings: Settings, role: KafkaRole) -> Path:
    if role == "admin":
        return settings.credentials_dir / "admin.json"
    return settings.credentials_dir / f"{settings.topic_prefix.rstrip('.') or 'default'}.json"


def read_file(path: Path) -> dict[str, KafkaLogin]:
    """The logins kept in one credentials file (none when it does not exist)."""
    if not path.is_file():
        return {}
    return {k: KafkaLogin.model_validate(v) for k, v in json.loads(path.read_text()).items()}


def write_file(path: Path, logins: dict[str, KafkaLogin]) -> None:
    """Write logins to a file only its owner can read (created with mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({k: v.model_dump(exclude_none=True) for k, v in logins.items()}, out, indent=2)
    os.replace(tmp, path)


def login(settings: Settings, role: KafkaRole) -> KafkaLogin:
    """The login of `role`: from the settings, else from its credentials file."""
    if role in settings.kafka_logins:
        return settings.kafka_logins[role]
    found = read_file(_file(settings, role)).get(role)
    if found is None:
        raise MissingLogin(
            f"no Kafka login for {role!r}: set EVENTLY_KAFKA_LOGINS or run python -m "
            f"infra.bootstrap (looked in {_file(settings, role)})"
        )
    return found


def known_logins(settings: Settings) -> dict[str, KafkaLogin]:
    """The service logins kept for this deployment."""
    return read_file(_file(settings, "worker"))


def save_logins(settings: Settings, logins: dict[str, KafkaLogin]) -> None:
    """Keep this deployment's service logins (admin's is kept by the dev stack)."""
    write_file(_file(settings, "worker"), logins)


def save_admin(settings: Settings, admin: KafkaLogin) -> None:
    write_file(_file(settings, "admin"), {"admin": admin})


def mechanism(settings: Settings, who: KafkaLogin) -> str:
    """The SASL mechanism a login authenticates with: its own, else the settings'."""
    return who.mechanism or settings.kafka_sasl_mechanism


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """A TLS context for SASL_SSL (the CA file from the settings, else the system's)."""
    if settings.kafka_security_protocol != "SASL_SSL":
        return None
    cafile = str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
    return ssl.create_default_context(cafile=cafile)


def aiokafka_options(settings: Settings, role: KafkaRole) -> dict[str, Any]:
    """Keyword arguments that connect an aiokafka client as `role`."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return {"bootstrap_servers": settings.kafka_bootstrap_servers}
    return aiokafka_options_for(settings, login(settings, role))


def aiokafka_options_for(
    settings: Settings, who: KafkaLogin, bootstrap_servers: str | None = None
) -> dict[str, Any]:
    """aiokafka options for a login (a service's, or a partner's in tests and benchmarks)."""
    return {
        "bootstrap_servers": bootstrap_servers or settings.kafka_bootstrap_servers,
        "security_protocol": settings.kafka_security_protocol,
        "sasl_mechanism": mechanism(settings, who),
        "sasl_plain_username": who.username,
        "sasl_plain_password": who.password,
        "ssl_context": ssl_context(settings),
    }


def confluent_config(settings: Settings, role: KafkaRole) -> dict[str, Any]:
    """librdkafka configuration (for confluent-kafka's AdminClient) as `role`."""
    config: dict[str, Any] = {"bootstrap.servers": settings.kafka_bootstrap_servers}
    if settings.kafka_security_protocol == "PLAINTEXT":
        return config
    who = login(settings, role)
    config |= {
        "security.protocol": settings.kafka_security_protocol,
        "sasl.mechanism": mechanism(settings, who),
        "sasl.username": who.username,
        "sasl.password": who.password,
    }
    if settings.kafka_ssl_cafile:
        config["ssl.ca.location"] = str(settings.kafka_ssl_cafile)
    return config


def faust_credentials(settings: Settings, role: KafkaRole) -> Any:
    """faust's broker_credentials for `role` (None without SASL)."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    import faust

    who = login(settings, role)
    return faust.SASLCredentials(
        username=who.username,
        password=who.password,
        mechanism=mechanism(settings, who),
        ssl_context=ssl_context(settings),
    )

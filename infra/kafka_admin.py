"""Kafka administration that aiokafka lacks: SCRAM users, ACLs (confluent-kafka's AdminClient)
and client quotas (AlterClientQuotas v0, sent with aiokafka's protocol classes)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any, ClassVar, cast

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import Array, Boolean, Float64, Int16, Int32, Schema, String
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from infra.kafka_acls import Grant
from infra.kafka_auth import aiokafka_options, confluent_config
from infra.settings import KafkaRole, Settings

SCRAM_ITERATIONS = 4096
VISIBLE_WITHIN_S = 15.0
TIMEOUT_S = 30.0
_RESOURCES = {
    "topic": ResourceType.TOPIC,
    "group": ResourceType.GROUP,
    "cluster": ResourceType.BROKER,
}
_PATTERNS = {"literal": ResourcePatternType.LITERAL, "prefixed": ResourcePatternType.PREFIXED}
# A filter's None matches any name, principal or host (as confluent-kafka documents), but its
# annotations say str.
_ANY_VALUE = cast(str, None)


def _binding(grant: Grant) -> AclBinding:
    return AclBinding(
        _RESOURCES[grant.resource],
        grant.name,
        _PATTERNS[grant.pattern],
        grant.principal,
        "*",
        AclOperation[grant.operation.upper()],
        AclPermissionType.ALLOW,
    )


def _acls_of(principal: str | None) -> AclBindingFilter:
    """A filter matching every ACL of `principal` (of anyone when None)."""
    return AclBindingFilter(
        ResourceType.ANY,
        _ANY_VALUE,
        ResourcePatternType.ANY,
        principal if principal is not None else _ANY_VALUE,
        _ANY_VALUE,
        AclOperation.ANY,
        AclPermissionType.ANY,
    )


class SecurityAdmin:
    """Users, ACLs and quotas, as `role` (the super user, or the partner provisioner)."""

    def __init__(self, settings: Settings, role: KafkaRole) -> None:
        self.settings = settings
        self.role = role
        config = confluent_config(settings, role)
        self.client = AdminClient(config)
        # On a cluster every broker applies users and ACLs from the metadata log on its own
        # time: a change is waited for through each of them (a client of one bootstrap server
        # asks that one).
        servers = settings.kafka_bootstrap_servers.split(",")
        self.each_broker = (
            [AdminClient(config | {"bootstrap.servers": s.strip()}) for s in servers]
            if len(servers) > 1
            else [self.client]
        )

    @staticmethod
    def _wait(futures: Mapping[Any, Future[Any]] | Future[Any]) -> None:
        for future in [futures] if isinstance(futures, Future) else futures.values():
            future.result(timeout=TIMEOUT_S)

    def upsert_users(self, logins: dict[str, str]) -> None:
        """Create or update SCRAM users (username -> password), and wait until the broker
        knows them."""
        if not logins:
            return
        info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
        changes: list[UserScramCredentialAlteration] = [
            UserScramCredentialUpsertion(user, info, password.encode())
            for user, password in logins.items()
        ]
        self._wait(self.client.alter_user_scram_credentials(changes))
        deadline = time.monotonic() + VISIBLE_WITHIN_S
        while True:
            try:
                for client in self.each_broker:
                    self._wait(client.describe_user_scram_credentials(list(logins)))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def delete_users(self, users: list[str]) -> None:
        """Remove SCRAM users; a user that does not exist is skipped."""
        if not users:
            return
        changes: list[UserScramCredentialAlteration] = [
            UserScramCredentialDeletion(u, ScramMechanism.SCRAM_SHA_512) for u in users
        ]
        for future in self.client.alter_user_scram_credentials(changes).values():
            try:
                future.result(timeout=TIMEOUT_S)
            except Exception as exc:  # noqa: BLE001 - a missing user is what we wanted
                if "RESOURCE_NOT_FOUND" not in str(exc):
                    raise

    def grant(self, grants: list[Grant]) -> None:
        """Create ALLOW ACLs (creating one that exists changes nothing), and wait until the
        broker applies them: the controller answers once they are committed, and a client
        that connects before its broker has read them is refused."""
        if not grants:
            return
        self._wait(self.client.create_acls([_binding(g) for g in grants]))
        deadline = time.monotonic() + VISIBLE_WITHIN_S
        principals = {g.principal for g in grants}
        only = next(iter(principals)) if len(principals) == 1 else None
        while not all(set(grants) <= set(self.describe(only, c)) for c in self.each_broker):
            if time.monotonic() > deadline:
                raise TimeoutError("the broker did not apply the new ACLs in time")
            time.sleep(0.05)

    def revoke_principal(self, principal: str) -> None:
        """Delete every ACL of `principal`."""
        self._wait(self.client.delete_acls([_acls_of(principal)]))

    def describe(
        self, principal: str | None = None, client: AdminClient | None = None
    ) -> list[Grant]:
        """The ACLs the broker keeps (of one principal, or all), as grants."""
        flt = _acls_of(principal)
        bindings = (client or self.client).describe_acls(flt).result(timeout=TIMEOUT_S)
        back = {v: k for k, v in _RESOURCES.items()}
        patterns = {v: k for k, v in _PATTERNS.items()}
        return [
            Grant(
                b.principal,
                back[b.restype],  # type: ignore[arg-type]
                b.name,
                patterns[b.resource_pattern_type],  # type: ignore[arg-type]
                b.operation.name.lower(),
            )
            for b in bindings
            if b.restype in back and b.resource_pattern_type in patterns
        ]

    async def set_user_quotas(self, user: str, quotas: dict[str, float]) -> None:
        """Client quotas of one user (e.g. producer_byte_rate, consumer_byte_rate)."""
        admin = AIOKafkaAdminClient(**aiokafka_options(self.settings, self.role))
        await admin.start()
        try:
            request = AlterClientQuotas([("user", user)], quotas)
            response = await admin._send_request(request)  # noqa: SLF001 - no public call
            for error_code, message, _entity in response.entries:
                if error_code:
                    raise RuntimeError(f"AlterClientQuotas failed ({error_code}): {message}")
        finally:
            await admin.close()


# aiokafka is untyped: its protocol classes are Any, hence the ignores on the subclasses below.
class AlterClientQuotasResponse_v0(Response):  # type: ignore[misc]  # noqa: N801 - Kafka's names
    API_KEY = 49
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "entries",
            Array(
                ("error_code", Int16),
                ("error_message", String("utf-8")),
                (
                    "entity",
                    Array(("entity_type", String("utf-8")), ("entity_name", String("utf-8"))),
                ),
            ),
        ),
    )


class AlterClientQuotasRequest_v0(RequestStruct):  # type: ignore[misc]  # noqa: N801
    API_KEY = 49
    API_VERSION = 0
    RESPONSE_TYPE = AlterClientQuotasResponse_v0
    SCHEMA = Schema(
        (
            "entries",
            Array(
                (
                    "entity",
                    Array(("entity_type", String("utf-8")), ("entity_name", String("utf-8"))),
                ),
                ("ops", Array(("key", String("utf-8")), ("value", Float64), ("remove", Boolean))),
            ),
        ),
        ("validate_only", Boolean),
    )


class AlterClientQuotas(Request[AlterClientQuotasRequest_v0]):  # type: ignore[misc]
    """Set quotas of one entity (KIP-546), version 0 (not flexible)."""

    API_KEY = 49
    ALLOW_UNKNOWN_API_VERSION: ClassVar[bool] = True

    def __init__(self, entity: list[tuple[str, str]], quotas: dict[str, float]) -> None:
        self.entity = entity
        self.quotas = quotas

    def build(
        self, request_struct_class: type[AlterClientQuotasRequest_v0]
    ) -> AlterClientQuotasRequest_v0:
        ops = [(key, float(value), False) for key, value in self.quotas.items()]
        return request_struct_class([(self.entity, ops)], False)

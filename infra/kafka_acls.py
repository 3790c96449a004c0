"""Who may do what on Kafka: the ACLs of each service principal and of each partner, as data.

`service_acls` and `partner_acls` are pure, so the table is unit-tested and printed in the docs
(`python -m infra.kafka_acls`); `infra/kafka_admin.py` applies them. Every grant is an ALLOW;
the broker runs with `allow.everyone.if.no.acl.found=false`, so what is not granted is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from infra.kafka_auth import SERVICE_ROLES, username
from infra.settings import KafkaRole, Settings
from topics.names import Topics

Resource = Literal["topic", "group", "cluster"]
Pattern = Literal["literal", "prefixed"]
Operation = Literal[
    "read", "write", "create", "describe", "describe_configs", "alter", "alter_configs"
]


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW rule: `principal` may do `operation` on the resource."""

    principal: str
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation


def _grants(
    principal: str, resource: Resource, name: str, pattern: Pattern, *ops: Operation
) -> list[Grant]:
    return [Grant(f"User:{principal}", resource, name, pattern, op) for op in ops]


def service_acls(settings: Settings, topics: Topics) -> list[Grant]:
    """What each service of this deployment may do, and nothing more."""
    user = {role: username(settings, role) for role in SERVICE_ROLES}
    out: list[Grant] = []

    def topic(role: KafkaRole, name: str, *ops: Operation) -> None:
        out.extend(_grants(user[role], "topic", name, "literal", "describe", *ops))

    # ingress: sends commands and catalog changes; reads its reply partition, the catalog
    # and booking events (search index); no consumer group (partitions are assigned).
    topic("ingress", topics.seat_commands, "write")
    topic("ingress", topics.seat_replies, "read")
    topic("ingress", topics.catalog, "read", "write")
    topic("ingress", topics.booking_events, "read")
    # seat workers: own the command partitions, answer, publish booking events.
    topic("worker", topics.seat_commands, "read", "write")
    topic("worker", topics.seat_replies, "write")
    topic("worker", topics.seat_results, "write")
    topic("worker", topics.booking_events, "write")
    topic("worker", topics.dead_letters, "write")
    out += _grants(user["worker"], "group", settings.worker_group_id, "literal", "read")
    # analytics (faust): reads booking events; its own tables' changelogs and its group.
    topic("analytics", topics.booking_events, "read")
    topic("analytics", topics.dead_letters, "write")
    app = topics.analytics_app
    out += _grants(
        user["analytics"],
        "topic",
        app,
        "prefixed",
        "read",
        "write",
        "create",
        "describe",
        "describe_configs",
    )
    out += _grants(user["analytics"], "group", app, "prefixed", "read", "describe")
    # partner gateway: reads every partner's commands, answers on every partner's results,
    # forwards to the seat workers and reads their outcomes for partners.
    stems = (topics.partner_commands_stem, topics.partner_results_stem)
    out += _grants(user["gateway"], "topic", stems[0], "prefixed", "read", "describe")
    out += _grants(user["gateway"], "topic", stems[1], "prefixed", "write", "describe")
    topic("gateway", topics.seat_commands, "write")
    topic("gateway", topics.seat_results, "read")
    topic("gateway", topics.dead_letters, "write")
    out += _grants(user["gateway"], "group", settings.gateway_group_id, "prefixed", "read")
    # provisioner (POST /partners in the ingress): partner users, their topics and ACLs.
    for stem in stems:
        out += _grants(user["provisioner"], "topic", stem, "prefixed", "create", "describe")
    out += _grants(
        user["provisioner"], "cluster", "kafka-cluster", "literal", "alter", "alter_configs"
    )
    return sorted(out)


def partner_acls(settings: Settings, topics: Topics, partner_id: str, user: str) -> list[Grant]:
    """A partner may write its command topic, read its result topic (in groups named after
    itself), and nothing else."""
    return sorted(
        _grants(user, "topic", topics.partner_commands(partner_id), "literal", "write", "describe")
        + _grants(user, "topic", topics.partner_results(partner_id), "literal", "read", "describe")
        + _grants(user, "group", partner_group_prefix(settings, partner_id), "prefixed", "read")
    )


def partner_username(settings: Settings, partner_id: str) -> str:
    """The Kafka principal of a partner."""
    return f"{settings.topic_prefix}partner-{partner_id}"


def partner_group_prefix(settings: Settings, partner_id: str) -> str:
    """Consumer groups a partner may use start with this."""
    return f"{settings.topic_prefix}partner-{partner_id}"


def table(grants: list[Grant]) -> str:
    """The grants as a Markdown table."""
    lines = ["| principal | resource | name | pattern | operation |", "|---|---|---|---|---|"]
    lines += [
        f"| {g.principal} | {g.resource} | `{g.name}` | {g.pattern} | {g.operation} |"
        for g in grants
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    from infra.settings import get_settings

    s = get_settings()
    t = Topics(s.topic_prefix)
    print(table(service_acls(s, t) + partner_acls(s, t, "<partner_id>", "partner-<partner_id>")))

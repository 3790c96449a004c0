"""The ACL plan: each service gets what it needs; partners get their own two topics only."""

from __future__ import annotations

from infra.kafka_acls import Grant, partner_acls, partner_username, service_acls, table
from infra.settings import Settings
from topics.names import ALL_TOPICS, Topics

SETTINGS = Settings(topic_prefix="t1.", _env_file=None)  # type: ignore[call-arg]
TOPICS = Topics("t1.")
P, Q = "a" * 32, "b" * 32


def allowed(grants: list[Grant], principal: str, operation: str, topic: str) -> bool:
    """Whether a grant lets `principal` do `operation` on `topic` (as Kafka matches them)."""
    return any(
        g.principal == f"User:{principal}"
        and g.resource == "topic"
        and g.operation == operation
        and (g.name == topic if g.pattern == "literal" else topic.startswith(g.name))
        for g in grants
    )


def test_partners_reach_only_their_own_topics() -> None:
    grants = (
        service_acls(SETTINGS, TOPICS)
        + partner_acls(SETTINGS, TOPICS, P, partner_username(SETTINGS, P))
        + partner_acls(SETTINGS, TOPICS, Q, partner_username(SETTINGS, Q))
    )
    me = partner_username(SETTINGS, P)
    assert allowed(grants, me, "write", TOPICS.partner_commands(P))
    assert allowed(grants, me, "read", TOPICS.partner_results(P))
    assert not allowed(grants, me, "read", TOPICS.partner_commands(P))
    assert not allowed(grants, me, "write", TOPICS.partner_results(P))
    for other in (TOPICS.partner_commands(Q), TOPICS.partner_results(Q)):
        for op in ("read", "write", "describe"):
            assert not allowed(grants, me, op, other)
    for topic in ALL_TOPICS:
        for op in ("read", "write", "describe", "create"):
            assert not allowed(grants, me, op, TOPICS.name(topic))


def test_only_the_ingress_worker_and_gateway_may_send_seat_commands() -> None:
    grants = service_acls(SETTINGS, TOPICS)
    writers = {
        g.principal for g in grants if g.name == TOPICS.seat_commands and g.operation == "write"
    }
    assert writers == {
        "User:t1.evently-ingress",
        "User:t1.evently-worker",
        "User:t1.evently-gateway",
    }


def test_the_gateway_reads_partner_commands_and_writes_partner_results_only() -> None:
    grants = service_acls(SETTINGS, TOPICS)
    gateway = "t1.evently-gateway"
    assert allowed(grants, gateway, "read", TOPICS.partner_commands(P))
    assert allowed(grants, gateway, "write", TOPICS.partner_results(P))
    assert not allowed(grants, gateway, "write", TOPICS.partner_commands(P))
    assert not allowed(grants, gateway, "read", TOPICS.partner_results(P))
    assert not allowed(grants, gateway, "read", TOPICS.booking_events)


def test_the_table_lists_every_grant() -> None:
    grants = service_acls(SETTINGS, TOPICS)
    assert len(table(grants).splitlines()) == len(grants) + 2

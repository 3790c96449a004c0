"""Make a partner: its Evently user, its Kafka user (SCRAM), its two topics, the ACLs that
confine it to them, its byte quotas, and the partners row. Runs in the ingress as the
`provisioner` principal; every Kafka step is idempotent by name, and the row is written last,
so a partner either exists whole or its id is never handed out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from infra import kafka_auth
from infra.cassandra import Statements
from infra.kafka import ensure_topics, new_topic, topics_for
from infra.kafka_acls import partner_acls, partner_group_prefix, partner_username
from infra.kafka_admin import SecurityAdmin
from infra.settings import Settings
from seating.ids import new_id
from tables import partners, users
from tables.partners import Partner
from topics.names import PARTNER_COMMANDS, PARTNER_RESULTS

PARTNER_ROLE = "partner"


@dataclass(frozen=True)
class Provisioned:
    """A new partner and its Kafka password (shown once, kept nowhere but in Kafka)."""

    partner: Partner
    password: str
    consumer_group_prefix: str


async def provision(
    settings: Settings,
    q: Statements,
    name: str,
    commands_per_second: float | None = None,
    seats_per_event: int | None = None,
) -> Provisioned:
    """Create a partner named `name` (limits default to the settings')."""
    topics = topics_for(settings)
    partner_id = new_id()
    created = datetime.now(UTC)
    partner = Partner(
        partner_id=partner_id,
        name=name,
        user_id=new_id(),
        kafka_username=partner_username(settings, partner_id),
        command_topic=topics.partner_commands(partner_id),
        result_topic=topics.partner_results(partner_id),
        commands_per_second=commands_per_second or settings.partner_commands_per_second,
        seats_per_event=seats_per_event or settings.partner_seats_per_event,
        created_at=created,
    )
    password = kafka_auth.new_password()
    admin = SecurityAdmin(settings, "provisioner")
    await asyncio.to_thread(admin.upsert_users, {partner.kafka_username: password})
    await ensure_topics(
        settings,
        "provisioner",
        [
            new_topic(settings, partner.command_topic, PARTNER_COMMANDS),
            new_topic(settings, partner.result_topic, PARTNER_RESULTS),
        ],
    )
    await asyncio.to_thread(
        admin.grant, partner_acls(settings, topics, partner_id, partner.kafka_username)
    )
    await admin.set_user_quotas(
        partner.kafka_username,
        {
            "producer_byte_rate": settings.partner_producer_bytes_per_second,
            "consumer_byte_rate": settings.partner_consumer_bytes_per_second,
        },
    )
    email = f"partner-{partner_id}@partners.evently.invalid"
    await users.insert(q, partner.user_id, name, email, PARTNER_ROLE, created)
    await partners.insert(q, partner)
    return Provisioned(partner, password, partner_group_prefix(settings, partner_id))

"""POST /partners: an admin makes a partner that sells over Kafka."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from infra.logs import get_logger
from ingress.deps import Admin, Ctx
from ingress.errors import ApiError
from partners.provision import provision

router = APIRouter(tags=["partners"])
log = get_logger("ingress.partners")


class NewPartner(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    commands_per_second: float | None = Field(default=None, gt=0, le=100_000)
    seats_per_event: int | None = Field(default=None, ge=1, le=1_000_000)


@router.post("/partners", status_code=201)
async def create_partner(body: NewPartner, ctx: Ctx, _admin: Admin) -> dict[str, Any]:
    """Make the partner's Kafka user, its command and result topics (and the ACLs that confine
    it to them) and its Evently account. The password is shown once."""
    try:
        made = await provision(
            ctx.settings, ctx.q, body.name, body.commands_per_second, body.seats_per_event
        )
    except Exception as exc:
        log.exception("partner provisioning failed")
        raise ApiError(
            503,
            "dependency_unavailable",
            "Kafka is not answering; try again",
            {"dependency": "kafka"},
            headers={"Retry-After": "1"},
        ) from exc
    partner, settings = made.partner, ctx.settings
    return {
        "partner_id": partner.partner_id,
        "user_id": partner.user_id,
        "name": partner.name,
        "kafka": {
            "bootstrap_servers": settings.partner_bootstrap_servers
            or settings.kafka_bootstrap_servers,
            "security_protocol": settings.kafka_security_protocol,
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "username": partner.kafka_username,
            "password": made.password,
            "command_topic": partner.command_topic,
            "result_topic": partner.result_topic,
            "consumer_group_prefix": made.consumer_group_prefix,
        },
        "limits": {
            "commands_per_second": partner.commands_per_second,
            "seats_per_event": partner.seats_per_event,
            "seats_per_hold": settings.max_seats_per_hold,
            "producer_byte_rate": settings.partner_producer_bytes_per_second,
            "consumer_byte_rate": settings.partner_consumer_bytes_per_second,
        },
        "created_at": partner.created_at,
    }

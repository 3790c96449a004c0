"""A partner's wire format: what is refused, what is ignored, how ids are scoped."""

from __future__ import annotations

import json

import pytest

from topics.codec import Undecodable
from topics.commands import CancelBookingV1, HoldSeatsV1
from topics.outcomes import CommandOutcomeV1
from topics.partners import (
    PartnerCancelBookingV1,
    decode_partner_command,
    for_partner,
    partner_ids,
    scoped,
    to_internal,
    unscoped,
)

EVENT = "e" * 32
PARTNER = "a" * 32
OTHER = "b" * 32


def wire(**fields: object) -> tuple[bytes, bytes]:
    return EVENT.encode(), json.dumps({"event_id": EVENT, "command_id": "c1", **fields}).encode()


def test_identity_fields_sent_by_a_partner_are_ignored() -> None:
    key, value = wire(
        type="cancel_booking", booking_id="b1", user_id="victim", as_admin=True, reply_partition=3
    )
    command = decode_partner_command(key, value)
    assert isinstance(command, PartnerCancelBookingV1)
    internal = to_internal(command, PARTNER, "partner-user", seat_cap=7)
    assert isinstance(internal, CancelBookingV1)
    assert internal.user_id == "partner-user" and internal.as_admin is False
    assert internal.reply_partition is None


@pytest.mark.parametrize("kind", ["expire_hold", "record_payment"])
def test_internal_commands_are_not_allowed(kind: str) -> None:
    with pytest.raises(Undecodable) as refused:
        decode_partner_command(*wire(type=kind, holding_id="h"))
    assert refused.value.reason == "command_not_allowed"


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        (b"k", b"{", "bad_json"),
        (b"k", b"[]", "not_an_object"),
        (EVENT.encode(), json.dumps({"type": "nope"}).encode(), "unknown_type"),
        (b"other", wire(type="cancel_hold", holding_id="h")[1], "wrong_key"),
        (EVENT.encode(), wire(type="hold_seats", quantity=2)[1], "invalid_fields"),
        (EVENT.encode(), wire(type="cancel_hold", holding_id="h", extra=1)[1], "invalid_fields"),
    ],
)
def test_what_cannot_be_read_says_why(key: bytes, value: bytes, reason: str) -> None:
    with pytest.raises(Undecodable) as refused:
        decode_partner_command(key, value)
    assert refused.value.reason == reason


def test_a_hold_is_stamped_with_the_partner_and_its_cap_and_ids_are_scoped() -> None:
    command = decode_partner_command(
        *wire(type="hold_seats", seat_type="VIP", quantity=2, customer_ref="o-1", seat_cap=10**6)
    )
    internal = to_internal(command, PARTNER, "partner-user", seat_cap=50)
    assert isinstance(internal, HoldSeatsV1)
    assert (internal.user_id, internal.seat_cap, internal.customer_ref) == (
        "partner-user",
        50,
        "o-1",
    )
    assert internal.command_id == scoped(PARTNER, "c1") != scoped(OTHER, "c1")
    assert internal.correlation_id == scoped(PARTNER, "c1")  # no correlation id: the command id


def test_outcomes_go_back_to_the_partner_under_its_own_ids() -> None:
    outcome = CommandOutcomeV1(
        command_id=scoped(PARTNER, "c1"),
        correlation_id=scoped(PARTNER, "corr.with.dots"),
        event_id=EVENT,
        status="ok",
    )
    routed = for_partner(outcome)
    assert routed is not None
    partner_id, answer = routed
    assert partner_id == PARTNER
    assert (answer.command_id, answer.correlation_id) == ("c1", "corr.with.dots")


@pytest.mark.parametrize(
    ("command_id", "correlation_id"),
    [
        ("c1", "c1"),  # an ingress outcome
        (scoped(PARTNER, "c1"), scoped(OTHER, "c1")),  # two partners: never routed
        (scoped(PARTNER, "c1"), None),
        ("p.short.c1", "p.short.c1"),
    ],
)
def test_other_outcomes_are_not_routed(command_id: str, correlation_id: str | None) -> None:
    outcome = CommandOutcomeV1(
        command_id=command_id, correlation_id=correlation_id, event_id=EVENT, status="ok"
    )
    assert for_partner(outcome) is None


def test_unscoped_round_trips() -> None:
    assert unscoped(scoped(PARTNER, "x.y")) == (PARTNER, "x.y")
    assert unscoped("plain") is None


def test_ids_of_an_unreadable_command_are_found_where_they_can_be() -> None:
    assert partner_ids(b'{"command_id": "c9", "type": 1}') == {
        "command_id": "c9",
        "correlation_id": "c9",
    }
    assert partner_ids(b"{") == {}
    assert partner_ids(json.dumps({"command_id": "x" * 500}).encode()) == {}

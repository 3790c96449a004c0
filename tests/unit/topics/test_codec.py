"""Decoding seat commands: every refusal names its dead-letter reason."""

from __future__ import annotations

import orjson
import pytest

from topics.codec import MAX_MESSAGE_BYTES, Undecodable, decode_command, encode
from topics.commands import ConfirmHoldV1, HoldSeatsV1

EVENT = "0123456789abcdef0123456789abcdef"


def hold(**overrides: object) -> dict[str, object]:
    return {
        "type": "hold_seats",
        "command_id": "c1",
        "event_id": EVENT,
        "user_id": "u1",
        "seat_ids": ["A-1"],
    } | overrides


def test_round_trip() -> None:
    command = ConfirmHoldV1(
        command_id="c2", event_id=EVENT, user_id="u", holding_id="h", payment_token="tok_ok"
    )
    assert decode_command(EVENT.encode(), encode(command)) == command


def test_hold_by_type() -> None:
    raw = orjson.dumps(hold(seat_ids=[], seat_type="VIP", quantity=2))
    command = decode_command(EVENT.encode(), raw)
    assert isinstance(command, HoldSeatsV1) and command.to_domain().quantity == 2


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        (EVENT.encode(), b"{not json", "bad_json"),
        (EVENT.encode(), None, "bad_json"),
        (EVENT.encode(), b"[1, 2]", "not_an_object"),
        (EVENT.encode(), orjson.dumps(hold(type="steal_seats")), "unknown_type"),
        (EVENT.encode(), orjson.dumps(hold(schema_version=2)), "unsupported_version"),
        (EVENT.encode(), orjson.dumps(hold(seat_ids=[])), "invalid_fields"),
        (EVENT.encode(), orjson.dumps(hold(event_id="nope")), "invalid_fields"),
        (EVENT.encode(), orjson.dumps(hold(extra="x")), "invalid_fields"),
        (b"another-key", orjson.dumps(hold()), "wrong_key"),
        (None, orjson.dumps(hold()), "wrong_key"),
        (EVENT.encode(), b" " * (MAX_MESSAGE_BYTES + 1), "too_large"),
    ],
)
def test_refusals(key: bytes | None, value: bytes | None, reason: str) -> None:
    with pytest.raises(Undecodable) as refused:
        decode_command(key, value)
    assert refused.value.reason == reason
    assert refused.value.detail

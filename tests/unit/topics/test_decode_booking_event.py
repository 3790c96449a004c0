"""Malformed or unknown booking events are refused with a dead-letter reason."""

from __future__ import annotations

import orjson
import pytest

from topics.codec import Undecodable, decode_booking_event

GOOD = {
    "message_id": "c1#0",
    "type": "HoldExpired",
    "event_id": "e1",
    "command_id": "c1",
    "occurred_at": "2030-01-01T00:00:00Z",
    "data": {
        "holding_id": "h",
        "user_id": "u",
        "seats": [{"seat_id": "A-1", "seat_type": "VIP", "price": 10.0}],
    },
}


def test_a_good_message_decodes() -> None:
    assert decode_booking_event(b"e1", orjson.dumps(GOOD)).type == "HoldExpired"


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        (b"e1", b"{not json", "bad_json"),
        (b"e1", b"[1, 2]", "not_an_object"),
        (b"e1", orjson.dumps(GOOD | {"type": "SeatsStolen"}), "unknown_type"),
        (b"e1", orjson.dumps(GOOD | {"schema_version": 9}), "unsupported_version"),
        (b"e1", orjson.dumps(GOOD | {"data": {"holding_id": "h"}}), "invalid_fields"),
        (b"e1", orjson.dumps(GOOD | {"extra": 1}), "invalid_fields"),
        (b"e2", orjson.dumps(GOOD), "wrong_key"),
        (None, None, "bad_json"),
    ],
)
def test_bad_messages_are_refused(key: bytes | None, value: bytes | None, reason: str) -> None:
    with pytest.raises(Undecodable) as refused:
        decode_booking_event(key, value)
    assert refused.value.reason == reason

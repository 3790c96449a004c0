"""Booking events on the wire carry no secrets."""

from __future__ import annotations

from datetime import UTC, datetime

import seating
from topics.events import BookingEventV1


def test_a_payment_request_goes_out_without_its_token() -> None:
    event = seating.PaymentRequested("h1", "u1", 80.0, "tok_secret", 1)
    wrapped = BookingEventV1.wrap(
        event, event_id="e" * 32, command_id="c", index=0, at=datetime.now(UTC)
    )
    assert "payment_token" not in wrapped.data
    assert "tok_secret" not in wrapped.model_dump_json()
    assert wrapped.domain() == seating.PaymentRequested("h1", "u1", 80.0, "", 1)

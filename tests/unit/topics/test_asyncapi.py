"""The committed AsyncAPI document is the one topics/ generates, and covers every topic."""

from __future__ import annotations

import json

from topics.asyncapi import DOCUMENT, document, render
from topics.names import ALL_TOPICS


def test_document_is_current() -> None:
    assert DOCUMENT.read_text() == render(), "run: python -m topics.asyncapi"


def test_every_topic_has_a_channel() -> None:
    addresses = {c["address"] for c in document()["channels"].values()}
    assert addresses == {t.base for t in ALL_TOPICS}


def test_command_schema_lists_every_command_type() -> None:
    text = json.dumps(document()["components"]["schemas"])
    for name in ("hold_seats", "confirm_hold", "cancel_hold", "cancel_booking", "expire_hold"):
        assert name in text

"""The committed AsyncAPI document is the one topics/ generates, and covers every topic."""

from __future__ import annotations

import json

from seating.errors import ErrorCode
from topics.asyncapi import DOCUMENT, ERROR_CODES, document, render
from topics.names import ALL_TOPICS, PARTNER_COMMANDS, PARTNER_RESULTS
from topics.outcomes import OutcomeCode


def test_document_is_current() -> None:
    assert DOCUMENT.read_text() == render(), "run: python -m topics.asyncapi"


def test_every_topic_has_a_channel() -> None:
    addresses = {c["address"] for c in document()["channels"].values()}
    assert addresses == {t.base for t in (*ALL_TOPICS, PARTNER_COMMANDS, PARTNER_RESULTS)}


def test_command_schema_lists_every_command_type() -> None:
    text = json.dumps(document()["components"]["schemas"])
    for name in ("hold_seats", "confirm_hold", "cancel_hold", "cancel_booking", "expire_hold"):
        assert name in text


def test_every_outcome_code_is_documented_and_has_an_http_status() -> None:
    from ingress.errors import STATUS_OF_CODE

    assert {code.value for code in ErrorCode} <= {code.value for code in OutcomeCode}
    assert set(ERROR_CODES) == set(OutcomeCode)
    assert set(STATUS_OF_CODE) == set(OutcomeCode)
    assert all(400 <= status < 600 for status in STATUS_OF_CODE.values())
    manual = document()["info"]["description"]
    assert all(f"`{code}`" in manual for code in OutcomeCode)


def test_a_rejected_outcome_gets_its_code_s_status() -> None:
    from ingress.errors import UNKNOWN_CODE_STATUS, status_of

    assert status_of("hold_expired") == 410
    assert status_of("event_not_found") == 404
    assert status_of(ErrorCode.PAYMENT_DECLINED) == 402
    assert status_of("a_code_from_a_newer_worker") == UNKNOWN_CODE_STATUS == 409


def test_the_partner_manual_names_servers_security_and_bindings() -> None:
    doc = document()
    assert doc["components"]["securitySchemes"]["scram"]["type"] == "scramSha512"
    assert all(server["security"] for server in doc["servers"].values())
    for name in ("partnerCommands", "partnerResults"):
        channel = doc["channels"][name]
        assert channel["bindings"]["kafka"]["partitions"] > 0
        assert "partner_id" in channel["parameters"]
    assert {"HoldResult", "BookingResult"} <= set(doc["components"]["schemas"])

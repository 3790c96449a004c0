"""Queue passes: signed for one user, one event, until a time; anything else is refused."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from waitroom.passes import Claims, Verdict, check, sign

SECRET = b"s3cret"
ids = st.text(alphabet="0123456789abcdef-", min_size=1, max_size=40)


@given(ids, ids, st.integers(1, 2**40), st.floats(0, 2**40))
def test_a_pass_is_valid_for_its_user_and_event_until_it_expires(
    user: str, event: str, expires: int, now: float
) -> None:
    token = sign(SECRET, Claims(user, event, expires))
    expected = Verdict.VALID if now < expires else Verdict.EXPIRED
    assert check(SECRET, token, user, event, now) == expected


@given(ids, ids, ids)
def test_someone_elses_pass_or_another_events_is_invalid(user: str, other: str, event: str) -> None:
    token = sign(SECRET, Claims(user, event, 2**40))
    if other != user:
        assert check(SECRET, token, other, event, 0) == Verdict.NOT_YOURS
    if other != event:
        assert check(SECRET, token, user, other, 0) == Verdict.OTHER_EVENT


@given(ids, ids, st.data())
def test_any_change_to_a_pass_is_refused(user: str, event: str, data: st.DataObject) -> None:
    token = sign(SECRET, Claims(user, event, 2**40))
    at = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from("AZaz09-_.=").filter(lambda c: c != token[at]))
    tampered = token[:at] + replacement + token[at + 1 :]
    assert check(SECRET, tampered, user, event, 0) != Verdict.VALID


def test_a_pass_signed_with_another_secret_is_forged() -> None:
    token = sign(b"another", Claims("u", "e", 2**40))
    assert check(SECRET, token, "u", "e", 0) == Verdict.FORGED


def test_a_claim_changed_and_signed_again_without_the_secret_is_forged() -> None:
    mine = sign(SECRET, Claims("me", "e", 100))
    longer = sign(b"guess", Claims("me", "e", 2**40))
    version, body, _ = longer.split(".")
    assert check(SECRET, f"{version}.{body}.{mine.split('.')[2]}", "me", "e", 0) == Verdict.FORGED


def test_garbage_is_malformed() -> None:
    for token in ("", "x", "v1.a", "v2.a.b", "v1.a.b.c", "." * 2000):
        assert check(SECRET, token, "u", "e", 0) == Verdict.MALFORMED

"""The seat view: holds move only forward, later holds win a seat, held seats lapse by time;
and, for any order in which the outcome and the events of a history arrive, the view ends as
the history does."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from ingress.live.view import SeatView

SEATS = ("A-1", "A-2")


def statuses(view: SeatView, now: float = 0.0) -> dict[str, str]:
    return {s: view.status(s, now)[0] for s in SEATS}


def test_a_hold_shows_held_until_its_expiry_then_available() -> None:
    view = SeatView()
    assert view.held("h1", SEATS, 100.0, confirming=False) == set(SEATS)
    assert statuses(view, 99.9) == {"A-1": "held", "A-2": "held"}
    assert view.status("A-1", 50.0) == ("held", 100.0)
    assert statuses(view, 100.0) == {"A-1": "available", "A-2": "available"}
    assert view.next_lapse(50.0) == 100.0
    assert view.next_lapse(100.0) is None


def test_a_confirming_hold_does_not_lapse_and_a_declined_one_does() -> None:
    view = SeatView()
    view.held("h1", SEATS, 100.0, confirming=False)
    view.paying("h1", True)
    assert statuses(view, 200.0)["A-1"] == "held"
    assert view.next_lapse(0.0) is None
    view.paying("h1", False)
    assert statuses(view, 200.0)["A-1"] == "available"


def test_booked_then_cancelled_frees_the_seats_and_a_late_hold_event_is_ignored() -> None:
    view = SeatView()
    view.held("h1", SEATS, 100.0, confirming=False)
    view.confirmed("h1", SEATS, 50.0)
    assert statuses(view, 500.0) == {"A-1": "booked", "A-2": "booked"}
    assert view.ended("h1", SEATS) == set(SEATS)
    version = view.version
    assert view.held("h1", SEATS, 100.0, confirming=False) == set()  # a replay
    assert view.confirmed("h1", SEATS, 50.0) == set()
    assert statuses(view) == {"A-1": "available", "A-2": "available"}
    assert view.version == version


def test_an_end_seen_before_its_hold_wins() -> None:
    view = SeatView()
    view.ended("h1", SEATS)
    view.held("h1", SEATS, 100.0, confirming=False)
    assert statuses(view) == {"A-1": "available", "A-2": "available"}


def test_a_stale_hold_does_not_take_a_seat_from_a_later_one() -> None:
    view = SeatView()
    view.held("new", ("A-1",), 200.0, confirming=False)  # its outcome came first
    view.held("old", SEATS, 100.0, confirming=False)  # an older hold's late event
    assert view.status("A-1", 0.0) == ("held", 200.0)
    view.ended("old", SEATS)
    assert statuses(view) == {"A-1": "held", "A-2": "available"}


# -- any arrival order ---------------------------------------------------------------------------

# A history of one seat: holds made one after another, each ending one way before the next.
ENDINGS = ("cancelled", "expired", "booked", "booking_cancelled", "live")  # the last hold's


def history(endings: list[str]) -> list[tuple[str, ...]]:
    """The messages of successive holds of A-1 (hold i expires at 100 * (i + 1))."""
    messages: list[tuple[str, ...]] = []
    for index, ending in enumerate(endings):
        hold = f"h{index}"
        messages.append(("held", hold))
        if ending in ("booked", "booking_cancelled"):
            messages.append(("confirmed", hold))
        if ending in ("cancelled", "expired", "booking_cancelled"):
            messages.append(("ended", hold))
    return messages


def apply(view: SeatView, message: tuple[str, ...]) -> None:
    kind, hold = message
    expires_at = 100.0 * (int(hold[1:]) + 1)
    if kind == "held":
        view.held(hold, ("A-1",), expires_at, confirming=False)
    elif kind == "confirmed":
        view.confirmed(hold, ("A-1",), expires_at - 50)
    else:
        view.ended(hold, ("A-1",))


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(("cancelled", "expired", "booking_cancelled")), max_size=4),
    st.sampled_from(ENDINGS),
    st.randoms(use_true_random=False),
)
def test_any_order_of_arrival_ends_as_the_history(
    ended: list[str], last: str, rng: random.Random
) -> None:
    messages = history([*ended, last])
    shuffled = list(messages)
    rng.shuffle(shuffled)
    view = SeatView()
    for message in shuffled:
        apply(view, message)
    expected = {"live": "held", "booked": "booked"}.get(last, "available")
    assert view.status("A-1", 0.0)[0] == expected, shuffled

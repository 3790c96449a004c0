"""The benchmark's fairness count: zero for a fair admission, and every kind of overtaking
seen (a later joiner first, a post-sale joiner before a pre-sale one, the draw out of order)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from benchmarks.waitroom.fairness import Seen, draw_inversions, first_come_inversions, inversions


def post(sent: float, admitted_at: float = math.inf) -> Seen:
    return Seen(sent, sent + 0.5, False, 0, admitted_at)


def pre(lottery: int, admitted_at: float = math.inf) -> Seen:
    return Seen(0.0, 0.1, True, lottery, admitted_at)


@given(st.lists(st.floats(1, 1000), unique=True), st.integers(0, 30), st.data())
def test_admission_in_the_expected_order_has_no_inversions(
    sends: list[float], presale: int, data: st.DataObject
) -> None:
    draws = data.draw(st.lists(st.integers(0, 2**62), min_size=presale, max_size=presale))
    early = [pre(d, i) for i, d in enumerate(sorted(draws))]
    late = [post(s, presale + i) for i, s in enumerate(sorted(sends))]
    cut = data.draw(st.integers(0, len(late)))  # the tail may not be let in yet
    late = late[:cut] + [Seen(b.sent, b.answered, False, 0) for b in late[cut:]]
    assert inversions(early + late) == 0


def test_a_later_joiner_let_in_first_is_an_inversion() -> None:
    assert first_come_inversions([post(0, 5), post(1, 4)]) == 1
    assert first_come_inversions([post(0), post(1, 4)]) == 1  # the earlier one never let in
    # Overlapping joins (sent before the other was answered) have no order between them.
    assert first_come_inversions([post(0, 5), post(0.2, 4)]) == 0


def test_a_post_sale_joiner_ahead_of_a_pre_sale_one_is_an_inversion() -> None:
    assert draw_inversions([pre(1, 9), post(5, 8)]) == 1
    assert draw_inversions([pre(1), post(5, 8)]) == 1


def test_the_draw_out_of_order_is_an_inversion() -> None:
    assert draw_inversions([pre(1, 5), pre(2, 4)]) == 1
    assert draw_inversions([pre(1, 4), pre(2, 5), pre(3)]) == 0

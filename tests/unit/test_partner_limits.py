"""A partner's command rate."""

from __future__ import annotations

from partners.limits import RateLimits


def test_a_partner_gets_its_rate_with_one_second_of_burst() -> None:
    now = [0.0]
    limits = RateLimits(clock=lambda: now[0])
    assert [limits.allow("p", 3) for _ in range(4)] == [True, True, True, False]
    assert limits.allow("q", 3)  # per partner
    now[0] = 0.5
    assert limits.allow("p", 3) and not limits.allow("p", 3)  # 1.5 tokens refilled
    now[0] = 100.0
    assert sum(limits.allow("p", 3) for _ in range(10)) == 3  # never more than a second saved

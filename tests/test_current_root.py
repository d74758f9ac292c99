"""The one root finder in log J (cavity._roots) against closed-form inverses."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from cavity._roots import current_root, first_crossing


@settings(max_examples=60, deadline=None)
@given(j0=st.floats(1e-6, 1e6), p=st.floats(0.2, 3.0))
def test_power_law_inverse(j0, p):
    # f(J) = (J / j0)^p - 1 has its root at J = j0 exactly
    root = current_root(lambda j: (j / j0) ** p - 1.0, j0 * 1e-4, j0 * 1e5)
    assert root == pytest.approx(j0, rel=1e-12)


def test_bracket_from_zero_is_solved_in_j():
    # f(J) = J - 3e-9: a root far below any log bracket's end, reached from J = 0
    assert current_root(lambda j: j - 3e-9, 0.0, 1.0) == pytest.approx(3e-9, rel=1e-12)


def test_saturating_gain_inverse():
    # g(J) = g_max (1 - exp(-J / Jc)) - a  ->  J = -Jc ln(1 - a / g_max)
    g_max, jc, a = 2000.0, 37.0, 1500.0
    expected = -jc * math.log(1.0 - a / g_max)
    assert current_root(lambda j: g_max * (1 - math.exp(-j / jc)) - a, 1e-3, 1e4) == pytest.approx(expected, rel=1e-12)


def test_first_crossing_finds_the_first_of_two_roots():
    # a gain that rolls over: g(J) = 4 x (1 - x), x = J / 100, crosses 0.75 at J = 50 and at J = 150 ... first is 50
    def excess(j):
        x = j / 100.0
        return 4.0 * x * (1.0 - x) * 1.0 - 0.75
    root = first_crossing(excess, [10.0 * 1.2 ** k for k in range(30)])
    assert root == pytest.approx(25.0, rel=1e-12)  # 4x(1-x) = 0.75 -> x = 0.25 (first) or 0.75


def test_first_crossing_gives_up_and_reports_none():
    assert first_crossing(lambda j: -1.0, [1.0, 2.0, 3.0]) is None
    seen = []
    assert first_crossing(lambda j: seen.append(j) or -1.0, [1.0, 2.0, 3.0], give_up=lambda j: j >= 2.0) is None
    assert seen == [1.0, 2.0]


@pytest.mark.parametrize("lo, hi", [(-1.0, 2.0), (2.0, 1.0), (0.0, math.inf), (math.nan, 1.0)])
def test_bad_bracket_is_refused_naming_it(lo, hi):
    with pytest.raises(ValueError, match="lo="):
        current_root(lambda j: j - 1.0, lo, hi)

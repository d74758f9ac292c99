"""The DE strategy is an enum (closed set of options, one parser) and the string form gives the same search."""
from __future__ import annotations

import pytest

import cavity as cv
import materials as mt
from cavity.design import DESettings, SearchSettings, Strategy, per_design


def _search(strategy):
    space = cv.DesignSpace(lambda t: cv.Stack([cv.Layer(mt.Constant(2.0), t)], substrate=mt.Constant(1.5)),
                           {"t": cv.Continuous(50.0, 150.0)})
    # reflectance of a single film at 600 nm is largest at a quarter wave, t = 75 nm (closed form)
    objective = per_design(lambda s, p: -cv.spectrum(s, [600.0]).R[0])
    return cv.optimize(space, objective, settings=SearchSettings(de=DESettings(budget=60, population_size=6, seed=3,
                                                                               strategy=strategy, polish=False)))


@pytest.mark.parametrize("member", list(Strategy))
def test_enum_and_string_forms_run_the_same_search(member):
    a, b = _search(member), _search(member.value.upper())
    assert a.score == b.score and a.parameters == b.parameters
    assert abs(a.parameters["t"] - 75.0) < 15.0


def test_unknown_strategy_is_refused_naming_it():
    with pytest.raises(ValueError, match="strategy.*best2exp"):
        _search("best2exp")

"""optimize takes a SearchSettings (threshold problem, DE, run) instead of 25 keywords; the
keywords still work for one release and give the same search: the same designs in the same order,
the same result and the same checkpoint fingerprint (a checkpoint written with one form resumes
with the other)."""
from __future__ import annotations

import dataclasses
import json
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from test_checkpoint import TOY, sphere  # noqa: E402
from test_design import CAVITY_SPACE, LAM0, MODEL  # noqa: E402

from cavity.design import Objective, SideModeMargin, WavelengthWindow  # noqa: E402
from cavity.design.search import (  # noqa: E402
    DESettings, RunSettings, SearchSettings, ThresholdProblem, evaluate_designs, optimize,
)


def _same_search(a, b):
    assert a.parameters == b.parameters and a.score == b.score and a.violation == b.violation
    assert (a.seed, a.n_generations, a.n_evaluations, a.polished) == (b.seed, b.n_generations, b.n_evaluations,
                                                                      b.polished)
    np.testing.assert_array_equal(a.archive._vectors, b.archive._vectors)
    np.testing.assert_array_equal(a.archive.scores, b.archive.scores)
    np.testing.assert_array_equal(a.archive.violations, b.archive.violations)
    assert [(h.generation, h.best_score, h.best_violation) for h in a.history] == \
        [(h.generation, h.best_score, h.best_violation) for h in b.history]


def _fingerprint(path):
    head = (path / "checkpoint.json").read_bytes().partition(b"\n")[2]
    return json.loads(head)["fingerprint"]


def test_keywords_and_settings_give_the_same_threshold_search_and_fingerprint(tmp_path):
    constraints = [WavelengthWindow(LAM0 - 10.0, LAM0 + 10.0), SideModeMargin(0.0, half_width=15.0)]
    kw = dict(near=LAM0, gain_model=MODEL, constraints=constraints, search_width=30.0, current_range=(1e-2, 1e4),
              budget=60, population_size=15, seed=3, mutation=0.7, recombination=0.8, tol=0.0, polish=8)
    old = optimize(CAVITY_SPACE, checkpoint=tmp_path / "old", **kw)
    settings = SearchSettings(
        ThresholdProblem(near=LAM0, gain_model=MODEL, constraints=tuple(constraints), search_width=30.0,
                         current_range=(1e-2, 1e4)),
        DESettings(budget=60, population_size=15, seed=3, mutation=0.7, recombination=0.8, tol=0.0, polish=8),
        RunSettings(checkpoint=tmp_path / "new"))
    new = optimize(CAVITY_SPACE, settings=settings)
    _same_search(old, new)
    assert _fingerprint(tmp_path / "old") == _fingerprint(tmp_path / "new")
    assert type(old.report) is type(new.report) and old.report.current_density == new.report.current_density
    # evaluate_designs: the same scores and violations from the problem as from its keywords
    designs = [{"t_before": 160.0, "t_after": 20.0, "top_pairs": p} for p in (10, 6, 3)]
    s1, v1 = evaluate_designs(CAVITY_SPACE, designs, near=LAM0, gain_model=MODEL, constraints=constraints,
                              search_width=30.0, current_range=(1e-2, 1e4))
    s2, v2 = evaluate_designs(CAVITY_SPACE, designs, problem=settings.problem)
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(v1, v2)


def test_a_checkpoint_written_with_keywords_resumes_with_settings(tmp_path):
    """Resuming refuses any other problem: accepted here, so the fingerprints agree; and the
    resumed run equals the uninterrupted one."""
    ckpt = tmp_path / "c"
    stop = lambda rec: rec.generation >= 3
    optimize(TOY, sphere, budget=15 * 8, population_size=8, seed=11, tol=0.0, polish=False, checkpoint=ckpt,
             callback=stop)
    de = DESettings(budget=15 * 8, population_size=8, seed=11, tol=0.0, polish=False)
    resumed = optimize(TOY, sphere, settings=SearchSettings(de=de, run=RunSettings(checkpoint=ckpt, resume=True)))
    full = optimize(TOY, sphere, settings=SearchSettings(de=de))
    _same_search(resumed, full)
    # a different DE setting is another search: refused, naming it
    other = SearchSettings(de=dataclasses.replace(de, recombination=0.5), run=RunSettings(checkpoint=ckpt, resume=True))
    with pytest.raises(ValueError, match="recombination"):
        optimize(TOY, sphere, settings=other)


def test_settings_are_frozen_and_grouped_by_keyword():
    s = SearchSettings.from_keywords(near=600.0, budget=100, workers=map, constraints=[WavelengthWindow(590, 610)])
    assert s.problem.near == 600.0 and s.de.budget == 100 and s.run.workers is map
    assert s.problem.constraints == (WavelengthWindow(590, 610),)  # a list is stored as a tuple
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.de.budget = 5  # type: ignore[misc]
    assert SearchSettings() == SearchSettings.from_keywords()


def test_bad_settings_are_refused_naming_them():
    with pytest.raises(TypeError, match="budgt"):
        optimize(TOY, sphere, budgt=10)
    with pytest.raises(TypeError, match="not both"):
        optimize(TOY, sphere, settings=SearchSettings(), seed=1)
    with pytest.raises(TypeError, match="SearchSettings"):
        optimize(TOY, sphere, settings=DESettings())
    with pytest.raises(TypeError, match="de must be a cavity.design.DESettings"):
        SearchSettings(de=RunSettings())
    with pytest.raises(TypeError, match="budget"):
        evaluate_designs(TOY, [{"x": 0.0, "y": 0.0, "k": 1}], sphere, budget=3)
    with pytest.raises(TypeError, match="not both"):
        evaluate_designs(TOY, [{"x": 0.0, "y": 0.0, "k": 1}], sphere, problem=ThresholdProblem(), near=600.0)
    # the values are checked where they are used, with the same messages as before
    with pytest.raises(ValueError, match="budget"):
        optimize(TOY, sphere, settings=SearchSettings(de=DESettings(budget=0)))
    with pytest.raises(ValueError, match="near"):
        optimize(CAVITY_SPACE, Objective.THRESHOLD_GAIN, settings=SearchSettings())

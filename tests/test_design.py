"""Design search: a toy problem with a known optimum, reproducibility, exact resume, workers,
integer and categorical parameters, unreachable designs and bad inputs."""
from __future__ import annotations

import math
import pathlib
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import cavity as cv
import materials as mt
from cavity.design import (
    NOT_CONVERGED, BatchThresholds, Choice, Continuous, DesignSpace, Integer, LayerThickness, Objective,
    SideModeMargin, ThermalLimit, TotalThickness, WavelengthWindow, evaluate_designs, optimize, per_design,
)
from cavity.optics import spectrum

ROOT = pathlib.Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------ toy DBR: maximise R at 600 nm
LAM_DBR = 600.0
NH, NL, NS = 2.3, 1.45, 1.52
H, L, GLASS = mt.Constant(NH, name="H"), mt.Constant(NL, name="L"), mt.Constant(NS, name="glass")
PAIRS = 5


def build_dbr(**t):
    layers = [cv.Layer(H if i % 2 == 0 else L, t[f"t{i}"]) for i in range(2 * PAIRS)]
    return cv.Stack(layers, incident=cv.AIR, substrate=GLASS)


def minus_reflectance(stacks, params):
    return np.array([-spectrum(s, [LAM_DBR]).R[0] for s in stacks])


DBR_SPACE = DesignSpace(build_dbr, {f"t{i}": Continuous(20.0, 200.0) for i in range(2 * PAIRS)})


def quarter_wave_reflectance(n_high, pairs):
    """docs/theory.md s.3.4: air | (HL)^N | ns has admittance Y = (nH/nL)^(2N) ns, R = ((1-Y)/(1+Y))^2."""
    y = (n_high / NL) ** (2 * pairs) * NS
    return ((1 - y) / (1 + y)) ** 2


def test_toy_dbr_finds_quarter_wave_optimum():
    res = optimize(DBR_SPACE, minus_reflectance, budget=2500, seed=1)
    assert res.feasible and not res.stopped_early
    assert -res.score == pytest.approx(quarter_wave_reflectance(NH, PAIRS), abs=1e-6)
    for i in range(2 * PAIRS):
        qw = LAM_DBR / (4 * (NH if i % 2 == 0 else NL))
        assert res.parameters[f"t{i}"] == pytest.approx(qw, abs=1.0)
    assert res.report is None  # callable objective: no threshold report
    assert len(res.archive) == res.history[-1].n_evaluations
    assert res.n_evaluations >= len(res.archive)


def test_same_seed_same_result_and_different_seed_differs():
    kw = dict(budget=300, population_size=20, polish=False)
    a = optimize(DBR_SPACE, minus_reflectance, seed=7, **kw)
    b = optimize(DBR_SPACE, minus_reflectance, seed=7, **kw)
    c = optimize(DBR_SPACE, minus_reflectance, seed=8, **kw)
    assert a.parameters == b.parameters and a.score == b.score and a.seed == 7
    np.testing.assert_array_equal(a.archive._vectors, b.archive._vectors)
    assert not np.array_equal(a.archive._vectors, c.archive._vectors)


def test_seed_is_drawn_and_reproduces():
    a = optimize(DBR_SPACE, minus_reflectance, budget=40, population_size=20, polish=False)
    b = optimize(DBR_SPACE, minus_reflectance, budget=40, population_size=20, polish=False, seed=a.seed)
    np.testing.assert_array_equal(a.archive._vectors, b.archive._vectors)


# ------------------------------------------------------------------ interrupt and resume
def _same_run(a, b):
    assert a.parameters == b.parameters and a.score == b.score
    assert a.n_generations == b.n_generations and a.n_evaluations == b.n_evaluations
    np.testing.assert_array_equal(a.archive._vectors, b.archive._vectors)
    np.testing.assert_array_equal(a.archive.scores, b.archive.scores)
    assert [h.best_score for h in a.history] == [h.best_score for h in b.history]


def test_interrupted_and_resumed_run_equals_uninterrupted(tmp_path):
    kw = dict(budget=400, population_size=20, seed=3, tol=0.0)
    full = optimize(DBR_SPACE, minus_reflectance, **kw)

    def ctrl_c_at_5(record):
        if record.generation == 5:
            raise KeyboardInterrupt

    ckpt = tmp_path / "run.ckpt"
    part = optimize(DBR_SPACE, minus_reflectance, checkpoint=ckpt, callback=ctrl_c_at_5, **kw)
    assert part.stopped_early and part.n_generations == 5 and "interrupted" in part.message
    assert len(part.archive) == 6 * 20  # nothing evaluated is lost
    resumed = optimize(DBR_SPACE, minus_reflectance, checkpoint=ckpt, resume=True, **kw)
    assert not resumed.stopped_early
    _same_run(full, resumed)


def test_budget_split_resume_equals_single_run(tmp_path):
    kw = dict(population_size=20, seed=4, tol=0.0)
    full = optimize(DBR_SPACE, minus_reflectance, budget=300, **kw)
    ckpt = tmp_path / "split.ckpt"
    optimize(DBR_SPACE, minus_reflectance, budget=140, checkpoint=ckpt, checkpoint_every=3, **kw)
    resumed = optimize(DBR_SPACE, minus_reflectance, budget=300, checkpoint=ckpt, resume=True, **kw)
    _same_run(full, resumed)


def test_resume_checks_the_settings(tmp_path):
    ckpt = tmp_path / "a.ckpt"
    optimize(DBR_SPACE, minus_reflectance, budget=40, population_size=20, seed=1, checkpoint=ckpt, polish=False)
    with pytest.raises(ValueError, match="seed"):
        optimize(DBR_SPACE, minus_reflectance, budget=60, population_size=20, seed=2, checkpoint=ckpt, resume=True)
    with pytest.raises(ValueError, match="population_size"):
        optimize(DBR_SPACE, minus_reflectance, budget=60, population_size=21, seed=1, checkpoint=ckpt, resume=True)
    (tmp_path / "junk.ckpt").write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(ValueError, match="checkpoint"):
        optimize(DBR_SPACE, minus_reflectance, budget=60, population_size=20, seed=1,
                 checkpoint=tmp_path / "junk.ckpt", resume=True)


def test_callback_stop_and_progress(capsys):
    res = optimize(DBR_SPACE, minus_reflectance, budget=400, population_size=20, seed=1, progress=True,
                   callback=lambda rec: rec.generation >= 2)
    assert res.stopped_early and res.n_generations == 2 and "callback" in res.message
    out = capsys.readouterr().out
    assert "gen    2" in out and "eval/s" in out


# ------------------------------------------------------------------ workers
def test_thread_and_process_workers_equal_in_process():
    kw = dict(budget=100, population_size=20, seed=5, polish=False)
    ref = optimize(DBR_SPACE, minus_reflectance, **kw)
    with ThreadPoolExecutor(2) as ex:
        thr = optimize(DBR_SPACE, minus_reflectance, workers=ex.map, chunksize=7, **kw)
    with ProcessPoolExecutor(2) as ex:
        proc = optimize(DBR_SPACE, minus_reflectance, workers=ex.map, **kw)
    for other in (thr, proc):
        np.testing.assert_array_equal(ref.archive._vectors, other.archive._vectors)
        np.testing.assert_array_equal(ref.archive.scores, other.archive.scores)
    plain = optimize(DBR_SPACE, minus_reflectance, workers=map, **kw)
    assert plain.parameters == ref.parameters


# ------------------------------------------------------------------ integer and categorical parameters
def build_choice(high, pairs, t_low):
    t_high = LAM_DBR / (4 * high.n(LAM_DBR).real)
    cell = [cv.Layer(high, t_high), cv.Layer(L, t_low)]
    return cv.Stack(cell * pairs, incident=cv.AIR, substrate=GLASS)


def test_integer_and_choice_parameters():
    highs = (mt.Constant(1.9, name="low-contrast"), mt.Constant(2.6, name="high-contrast"), mt.Constant(2.2, name="mid"))
    space = DesignSpace(build_choice, {"high": Choice(highs), "pairs": Integer(2, 6), "t_low": Continuous(50.0, 150.0)})
    res = optimize(space, minus_reflectance, budget=600, population_size=15, seed=2)
    assert res.parameters["high"] is highs[1]
    assert res.parameters["pairs"] == 6 and isinstance(res.parameters["pairs"], int)
    assert res.parameters["t_low"] == pytest.approx(LAM_DBR / (4 * NL), abs=0.5)
    assert -res.score == pytest.approx(quarter_wave_reflectance(2.6, 6), abs=1e-9)
    # every evaluated design used whole numbers of pairs and valid choices
    pairs = np.array([res.archive[i][0]["pairs"] for i in range(len(res.archive))])
    assert pairs.min() >= 2 and pairs.max() <= 6 and len(set(pairs)) == 5
    chosen = {res.archive[i][0]["high"].name for i in range(len(res.archive))}
    assert chosen == {h.name for h in highs}
    assert space.encode(res.parameters)[0] == 1.0


# ------------------------------------------------------------------ threshold objectives
LAM0 = 630.0
QH, QL, QD = mt.Constant(2.3, name="H"), mt.Constant(1.46, name="L"), mt.Constant(1.85, name="QD")


def build_cavity(t_before, t_after, top_pairs, bottom_pairs=12):
    core = [cv.Layer(QL, t_before, name="spacer"), cv.Layer(QD, 20.0, gain=True), cv.Layer(QL, t_after)]
    return cv.microcavity(core, cv.dbr(QH, QL, top_pairs, LAM0), cv.dbr(QL, QH, bottom_pairs, LAM0),
                          incident=cv.AIR, substrate=mt.Constant(1.52))


CAVITY_SPACE = DesignSpace(build_cavity, {"t_before": Continuous(120.0, 200.0), "t_after": Continuous(10.0, 60.0),
                                          "top_pairs": Integer(2, 10)})
MODEL = cv.QDGainModel()


def test_threshold_current_search_and_report_agree():
    res = optimize(CAVITY_SPACE, near=LAM0, gain_model=MODEL, budget=400, population_size=20, seed=1)
    assert res.feasible and res.parameters["top_pairs"] == 10
    rep = res.report
    assert isinstance(rep, cv.lasing.ThresholdCurrent) and rep.reachable
    assert res.score == pytest.approx(rep.current_density, rel=2e-3)  # tabulated vs exact J_th
    gain = optimize(CAVITY_SPACE, Objective.THRESHOLD_GAIN, near=LAM0, budget=200, population_size=20, seed=1)
    assert isinstance(gain.report, cv.lasing.Threshold)
    assert gain.score == pytest.approx(gain.report.material_gain, rel=1e-7)


def test_unreachable_scores_worse_and_monotone_in_shortfall():
    designs = [{"t_before": 160.0, "t_after": 20.0, "top_pairs": p} for p in (10, 8, 6, 5, 4, 3)]
    scores, viol = evaluate_designs(CAVITY_SPACE, designs, near=LAM0, gain_model=MODEL)
    gains, _ = evaluate_designs(CAVITY_SPACE, designs, Objective.THRESHOLD_GAIN, near=LAM0)
    assert np.all(viol == 0) and np.all(np.diff(gains) > 0)
    reachable = gains < MODEL.max_gain(LAM0)
    assert reachable[0] and not reachable[-1]
    assert np.all(scores[~reachable] > 1e5)  # beyond J_cap = current_range[1]
    assert np.all(np.diff(scores) > 0)  # more required gain -> worse, also beyond reach
    # the search's gain model follows the design's QD film (areal dot density from its thickness)
    film_model = MODEL.for_stack(CAVITY_SPACE.make(designs[0]))
    assert scores[0] == pytest.approx(film_model.current_for_gain(gains[0], LAM0), rel=5e-3)


def test_thermal_rollover_and_limit():
    # a good heat sink: the 20 nm film holds ~2.4 monolayers of dots, ~2.4x the current of one
    thermal = cv.ThermalModel(thermal_resistance_K_cm2_per_W=0.2)
    designs = [{"t_before": 160.0, "t_after": 20.0, "top_pairs": p} for p in (10, 6)]
    cold, _ = evaluate_designs(CAVITY_SPACE, designs, near=LAM0, gain_model=MODEL)
    hot, viol = evaluate_designs(CAVITY_SPACE, designs, near=LAM0, gain_model=MODEL, thermal=thermal)
    assert cold[0] < hot[0] < 1e5 and np.all(viol == 0)
    assert cold[1] < 1e5 < hot[1]  # reachable when cold, beyond the thermal rollover when heated
    _, v = evaluate_designs(CAVITY_SPACE, designs[:1], near=LAM0, gain_model=MODEL, thermal=thermal,
                            constraints=[ThermalLimit(0.1)])
    # the violation is the excess of dT = R_th J (V_on + R_s J) (default diode: 2.0 V, 0.05 ohm cm^2) over 0.1 K
    assert v[0] == pytest.approx(0.2 * hot[0] * (2.0 + 0.05 * hot[0]) - 0.1, rel=1e-9)


def test_constraints_violations():
    d = [{"t_before": 160.0, "t_after": 20.0, "top_pairs": 6}]
    lam = cv.lasing_threshold(CAVITY_SPACE.make(d[0]), LAM0).wavelength
    _, v = evaluate_designs(CAVITY_SPACE, d, Objective.THRESHOLD_GAIN, near=LAM0,
                            constraints=[WavelengthWindow(lam + 1.0, lam + 5.0)])
    assert v[0] == pytest.approx(1.0, abs=1e-6)
    total = CAVITY_SPACE.make(d[0]).total_thickness
    _, v = evaluate_designs(CAVITY_SPACE, d, Objective.THRESHOLD_GAIN, near=LAM0,
                            constraints=[TotalThickness(total - 10.0), LayerThickness("spacer", maximum=150.0)])
    assert v[0] == pytest.approx(20.0, abs=1e-9)
    _, v = evaluate_designs(CAVITY_SPACE, d, Objective.THRESHOLD_GAIN, near=LAM0,
                            constraints=[SideModeMargin(minimum=0.0, half_width=20.0)])
    assert v[0] == 0.0
    # a callable objective with a threshold constraint
    s, v = evaluate_designs(CAVITY_SPACE, d, per_design(lambda st, p: st.total_thickness), near=LAM0,
                            constraints=[WavelengthWindow(lam - 1, lam + 1)])
    assert s[0] == total and v[0] == 0.0


def test_search_respects_wavelength_window():
    res = optimize(CAVITY_SPACE, Objective.THRESHOLD_GAIN, near=LAM0, budget=300, population_size=20, seed=2,
                   constraints=[WavelengthWindow(626.0, 627.0)])
    assert res.feasible and 626.0 <= res.report.wavelength <= 627.0


# ------------------------------------------------------------------ another cavity type plugs in
class Toy:
    """A stand-in for a DFB grating: threshold gain = (x - 3)^2 + 1 at 630 nm."""

    def __init__(self, x):
        self.x = x


class ToyEvaluator:
    def thresholds(self, objects, settings):
        x = np.array([o.x for o in objects])
        return BatchThresholds(np.full(x.size, settings.near), (x - 3.0) ** 2 + 1.0, np.ones(x.size, bool))

    def report(self, obj, settings):
        return ("toy report", obj.x)


def build_toy(x):
    return Toy(x)


def test_other_cavity_types_plug_in_through_an_evaluator():
    space = DesignSpace(build_toy, {"x": Continuous(0.0, 10.0)})
    with pytest.raises(TypeError, match="no evaluator registered for Toy"):
        optimize(space, Objective.THRESHOLD_GAIN, near=LAM0, budget=30, seed=0)
    res = optimize(space, Objective.THRESHOLD_GAIN, near=LAM0, budget=200, seed=0, evaluators={Toy: ToyEvaluator()})
    assert res.parameters["x"] == pytest.approx(3.0, abs=1e-4) and res.report[0] == "toy report"


# ------------------------------------------------------------------ bad inputs name the parameter
def test_bad_parameters_raise_naming_them():
    with pytest.raises(ValueError, match="low < high"):
        Continuous(5.0, 1.0)
    with pytest.raises(ValueError, match="low"):
        Continuous(float("nan"), 1.0)
    with pytest.raises(TypeError, match="low"):
        Integer(1.5, 3)
    with pytest.raises(ValueError, match="low <= high"):
        Integer(4, 3)
    with pytest.raises(ValueError, match="at least one option"):
        Choice(())
    with pytest.raises(TypeError, match="string"):
        Choice("TiO2")
    with pytest.raises(TypeError, match="build"):
        DesignSpace("build_dbr", {"t": Continuous(1, 2)})
    with pytest.raises(TypeError, match="'t'"):
        DesignSpace(build_dbr, {"t": (1, 2)})
    with pytest.raises(ValueError, match="identifier"):
        DesignSpace(build_dbr, {"layer 1": Continuous(1, 2)})
    with pytest.raises(ValueError, match="non-empty"):
        DesignSpace(build_dbr, {})
    with pytest.raises(ValueError, match="'t0'"):
        DesignSpace(build_dbr, {"t0": Continuous(1, 2)}, fixed={"t0": 3.0})
    with pytest.raises(ValueError, match="'t3' is missing"):
        DBR_SPACE.encode({f"t{i}": 50.0 for i in range(10) if i != 3})
    with pytest.raises(ValueError, match="unknown parameter 'x'"):
        DBR_SPACE.encode({"x": 1.0})
    with pytest.raises(ValueError, match="'t0' must lie in"):
        DBR_SPACE.encode({f"t{i}": 500.0 for i in range(10)})
    with pytest.raises(ValueError, match="'top_pairs' must lie in"):
        CAVITY_SPACE.encode({"t_before": 150.0, "t_after": 20.0, "top_pairs": 11})
    with pytest.raises(TypeError, match="'top_pairs' must be an int"):
        CAVITY_SPACE.encode({"t_before": 150.0, "t_after": 20.0, "top_pairs": 2.5})


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(budget=0), ValueError, "budget"),
    (dict(budget=10, population_size=20), ValueError, "budget"),
    (dict(population_size=2), ValueError, "population_size"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(strategy="best2exp"), ValueError, "strategy"),
    (dict(mutation=(1.0, 0.5)), ValueError, "mutation"),
    (dict(recombination=1.5), ValueError, "recombination"),
    (dict(resume=True), ValueError, "checkpoint"),
    (dict(workers=4), TypeError, "workers"),
    (dict(checkpoint_every=0), ValueError, "checkpoint_every"),
    (dict(constraints=[WavelengthWindow(600, 650)]), ValueError, "near"),
    (dict(constraints=["short"]), TypeError, "constraints"),
    (dict(objective="fastest"), ValueError, "objective"),
    (dict(tol=-1.0), ValueError, "tol"),
])
def test_bad_optimize_arguments(kwargs, exc, match):
    kwargs.setdefault("objective", minus_reflectance)
    with pytest.raises(exc, match=match):
        optimize(DBR_SPACE, **kwargs)


def test_bad_threshold_settings():
    with pytest.raises(ValueError, match="near"):
        optimize(CAVITY_SPACE, gain_model=MODEL)
    with pytest.raises(TypeError, match="gain_model"):
        optimize(CAVITY_SPACE, near=LAM0)
    with pytest.raises(ValueError, match="search_width"):
        optimize(CAVITY_SPACE, near=LAM0, gain_model=MODEL, search_width=-1.0)
    with pytest.raises(ValueError, match="ThermalLimit"):
        optimize(CAVITY_SPACE, near=LAM0, gain_model=MODEL, constraints=[ThermalLimit(50.0)])
    with pytest.raises(ValueError, match="current_range"):
        optimize(CAVITY_SPACE, near=LAM0, gain_model=MODEL, current_range=(10.0, 1.0))
    with pytest.raises(ValueError, match="per_design"):
        optimize(DBR_SPACE, lambda objs, params: 1.0, budget=40, population_size=20)
    with pytest.raises(ValueError, match="maximum"):
        TotalThickness(-1.0)
    with pytest.raises(ValueError, match="minimum"):
        LayerThickness("ZnO", minimum=50.0, maximum=10.0)
    with pytest.raises(ValueError, match="low"):
        WavelengthWindow(650.0, 600.0)


def test_not_converged_designs_are_infeasible():
    # a resonance far from `near`: the pole search leaves its window
    d = [{"t_before": 160.0, "t_after": 20.0, "top_pairs": 6}]
    s, v = evaluate_designs(CAVITY_SPACE, d, Objective.THRESHOLD_GAIN, near=470.0, search_width=5.0)
    assert v[0] == NOT_CONVERGED and math.isinf(s[0])


# ------------------------------------------------------------------ examples
def test_microcavity_example_runs_quick(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "optimize_microcavity.py"), "--quick",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "best parameters" in out.stdout
    assert (tmp_path / "optimize_microcavity_history.png").exists()


def test_dask_example_runs_quick(tmp_path):
    pytest.importorskip("distributed")
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "optimize_dask.py"), "--quick",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "same result as in-process: True" in out.stdout


def test_failed_threshold_searches_are_graded_by_their_passive_mode():
    """A design whose threshold search fails but whose passive mode was found ranks by the mode's
    distance from `near` and its width; one without a mode gets the flat NOT_CONVERGED."""
    from cavity.design.search import NOT_CONVERGED, NOT_CONVERGED_BASE, _unconverged_violation

    poles = np.array([630.5 + 0.01j, 640.0 + 0.01j, 640.0 + 2.0j, complex(np.nan, np.nan)])
    v = _unconverged_violation(poles, 630.0)
    assert v[0] < v[1] < v[2] < v[3] == NOT_CONVERGED
    assert v[0] == pytest.approx(NOT_CONVERGED_BASE + 0.5 + 0.01)
    assert np.all(v[:3] > NOT_CONVERGED_BASE)


def test_population_reports_whether_the_passive_pole_was_found():
    from cavity.lasing.population import threshold_population

    low, qd = mt.Constant(1.46), mt.Constant(1.8)
    def cavity_at(spacer):
        core = [cv.Layer(low, spacer), cv.Layer(qd, 20.0, gain=True), cv.Layer(low, spacer)]
        return cv.microcavity(core, cv.dbr(mt.Constant(2.3), low, 6, 630.0), cv.dbr(low, mt.Constant(2.3), 6, 630.0))
    res = threshold_population([cavity_at(95.0), cavity_at(20.0)], 630.0, search_width=10.0)
    assert res.passive_converged[0] and res.converged[0]
    assert not res.passive_converged[1] and not res.converged[1]  # no mode within 620-640 nm


def test_report_check_flags_a_best_design_whose_complete_search_disagrees():
    """The search scores the batched nearest-mode threshold; when the complete search of the best
    design (its report) finds another value, the result's message says so."""
    from types import SimpleNamespace

    from cavity.design.search import Objective, _report_check

    rep = SimpleNamespace(current_density=10.0, material_gain=100.0)
    assert "complete mode search" in _report_check(rep, 12.0, Objective.THRESHOLD_CURRENT)
    assert _report_check(rep, 10.0 * (1 + 1e-5), Objective.THRESHOLD_CURRENT) == ""
    assert "cm^-1" in _report_check(rep, 90.0, Objective.THRESHOLD_GAIN)
    assert _report_check(rep, 12.0, None) == ""


def test_complete_evaluator_scores_the_mode_that_lases_first():
    """A 10 um slab cavity holds several modes near 630 nm with different thresholds (the gain layer
    sits off-centre): the complete evaluator returns the lowest threshold of the window, the fast
    path the mode its Newton iteration from ``near`` reaches."""
    from cavity.design import StackEvaluator, ThresholdSettings

    low, qd = mt.Constant(1.46), mt.Constant(1.85)
    core = [cv.Layer(low, 2000.0), cv.Layer(qd, 30.0, gain=True), cv.Layer(low, 8000.0)]
    st = cv.microcavity(core, cv.dbr(mt.Constant(2.3), low, 4, 630.0), cv.dbr(low, mt.Constant(2.3), 4, 630.0),
                        incident=mt.Constant(1.0), substrate=mt.Constant(1.52))
    settings = ThresholdSettings(None, 630.0, 25.0)
    every = cv.threshold_modes(st, (605.0, 655.0)).modes
    assert len(every) >= 3
    full = StackEvaluator(complete=True).thresholds([st], settings)
    fast = StackEvaluator(complete=False).thresholds([st], settings)
    assert full.material_gain[0] == pytest.approx(min(m.material_gain for m in every), rel=1e-9)
    assert full.material_gain[0] <= fast.material_gain[0] * (1 + 1e-9)
    # the fast path follows one mode from near (Newton), here not the one that lases first
    assert any(fast.material_gain[0] == pytest.approx(m.material_gain, rel=1e-6) for m in every)
    assert full.material_gain[0] < 0.9 * fast.material_gain[0]
    with pytest.raises(TypeError, match="complete"):
        StackEvaluator(complete="yes")

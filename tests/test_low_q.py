"""Low-Q cavities (Q ~ 2-50): a threshold, or a clear error, never NaN or a numpy warning."""
import math
import warnings

import numpy as np
import pytest

import cavity as cv
import materials as mt

from reference import modes as R


def test_bare_qd_slab_matches_the_exact_fabry_perot_threshold():
    """A 500 nm QD film (n = 1.85) between glass and air: Q ~ 5, threshold ~ 1.6e4 cm^-1."""
    n, d = 1.85, 500.0
    slab = cv.Stack((cv.Layer(mt.Constant(n), d, gain=True),), mt.Constant(1.0), mt.Constant(1.52))
    lam_est, g_est = R.fabry_perot_estimate(n, d, 1.0, 1.52, 560.0, 700.0)
    res = cv.threshold_modes(slab, (560.0, 700.0))
    assert res.complete and res.count == len(res.modes) == len(lam_est)
    for m, lam0 in zip(sorted(res.modes, key=lambda m: m.wavelength), lam_est):
        lam, g = R.fabry_perot_threshold(n, d, 1.0, 1.52, lam0, g_est)
        assert m.wavelength == pytest.approx(lam, rel=1e-9)
        assert m.material_gain == pytest.approx(g, rel=1e-8)
        assert m.converged and math.isfinite(m.confinement)
        assert m.passive.Q < 10


def random_low_q(rng):
    hi, lo = mt.Constant(float(rng.uniform(1.9, 2.4))), mt.Constant(float(rng.uniform(1.4, 1.5)))
    lam0 = float(rng.uniform(600.0, 660.0))
    pairs = int(rng.integers(0, 3))
    qd = cv.Layer(mt.Constant(float(rng.uniform(1.75, 1.95)), float(rng.uniform(0.0, 0.02))),
                  float(rng.uniform(10.0, 60.0)), gain=True)
    core = [cv.Layer(lo, float(rng.uniform(20.0, 200.0))), qd, cv.Layer(lo, float(rng.uniform(20.0, 200.0)))]
    if pairs:
        return cv.microcavity(core, cv.dbr(hi, lo, pairs, lam0), cv.dbr(lo, hi, pairs, lam0),
                              incident=mt.Constant(1.0), substrate=mt.Constant(1.52)), lam0
    return cv.Stack(tuple(core), mt.Constant(1.0), mt.Constant(1.52)), lam0


def test_random_low_q_cavities_never_give_nan():
    rng = np.random.default_rng(20)
    answered = 0
    for _ in range(120):
        stack, lam0 = random_low_q(rng)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                th = cv.lasing_threshold(stack, lam0)
            except ValueError as exc:
                assert "no mode reaches threshold" in str(exc) and "max_gain" in str(exc)
                continue
        answered += 1
        assert th.converged
        for v in (th.wavelength, th.material_gain, th.confinement, th.modal_gain, th.outcoupling_loss):
            assert math.isfinite(v)
        assert th.material_gain > 0 and th.residual < 1e-8
    assert answered > 30

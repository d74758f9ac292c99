"""Tests of the above-threshold rate equations (cavity.rate_equations)."""
import math

import numpy as np
import pytest

from cavity.conventions import ELEMENTARY_CHARGE, HC_EV_NM
from cavity.gain import QDGainModel
from cavity.rate_equations import LaserRateEquations, LasingMode, LJCurve

C_CM_S = 2.99792458e10


def test_mode_formulas():
    mode = LasingMode(625.0, 2000.0, 0.1, group_index=1.9)
    tp_s = 2000.0 * 625e-9 / (2 * math.pi * 2.99792458e8)
    assert mode.photon_lifetime_ns == pytest.approx(tp_s * 1e9, rel=1e-14)
    assert mode.threshold_modal_gain_per_cm == pytest.approx(1 / (C_CM_S / 1.9 * tp_s), rel=1e-12)
    assert mode.threshold_material_gain_per_cm == pytest.approx(mode.threshold_modal_gain_per_cm / 0.1)


@pytest.fixture(scope="module")
def laser():
    return LaserRateEquations(QDGainModel(), LasingMode(625.0, 2000.0, 0.1, beta=1e-4))


def test_threshold_matches_gain_inverse(laser):
    jt = laser.threshold_current()
    assert laser.model.material_gain(jt, 625.0) == pytest.approx(laser.mode.threshold_material_gain_per_cm, rel=1e-9)


def test_lj_kink_slope_and_clamping(laser):
    jt = laser.threshold_current()
    c = laser.lj_curve(np.concatenate([np.geomspace(jt / 20, jt * 0.9, 20), np.linspace(2 * jt, 4 * jt, 5)]))
    assert isinstance(c, LJCurve) and c.threshold_current == jt
    assert c.extrapolated_threshold() == pytest.approx(jt, rel=5e-3)
    hnu = HC_EV_NM / 625.0 * ELEMENTARY_CHARGE
    assert c.slope_efficiency_W_per_A == pytest.approx(0.5 * hnu / ELEMENTARY_CHARGE, rel=1e-12)
    assert c.measured_slope_efficiency() == pytest.approx(c.slope_efficiency_W_per_A, rel=1e-3)
    below = c.current_density < jt
    assert np.all(c.output_power_W_per_cm2[below] < 1e-3 * c.output_power_W_per_cm2[-1])
    assert np.all(np.diff(c.output_power_W_per_cm2) > 0)
    # the gain (hence the populations) clamps at threshold
    np.testing.assert_allclose(c.effective_current_density[~below], jt, rtol=1e-3)


def test_steady_state_residuals(laser):
    """Eqs. (1) and (2) are satisfied at the returned solution, evaluated independently."""
    m, mode = laser.model, laser.mode
    c = laser.lj_curve([5.0, 30.0, 80.0, 200.0])
    tp = mode.photon_lifetime_ns * 1e-9
    vg = C_CM_S / mode.group_index
    for j, je, s in zip(c.current_density, c.effective_current_density, c.photon_density_per_cm2):
        gm = mode.confinement_factor * m.material_gain(je, 625.0)
        n = m.areal_density
        p = m.occupancy(je)
        rsp = n * p[1:] @ (np.arange(1, m.max_excitons + 1) / (m.exciton_lifetime_ns * 1e-9))
        assert je + ELEMENTARY_CHARGE * vg * gm * s == pytest.approx(j, rel=1e-9)
        assert vg * gm * s + mode.beta * rsp == pytest.approx(s / tp, rel=1e-6)


def test_unreachable_threshold_gives_led_regime():
    r = LaserRateEquations(QDGainModel(), LasingMode(625.0, 100.0, 0.05))
    with pytest.raises(ValueError, match="saturated maximum"):
        r.threshold_current()
    c = r.lj_curve([10.0, 100.0, 1000.0])
    assert c.threshold_current is None
    assert np.all(np.isfinite(c.output_power_W_per_cm2)) and np.all(c.output_power_W_per_cm2 > 0)
    assert r.output_power(0.0) == 0.0


@pytest.mark.parametrize("kw, name", [
    (dict(quality_factor=-1.0), "quality_factor"),
    (dict(confinement_factor=1.5), "confinement_factor"),
    (dict(beta=0.0), "beta"),
    (dict(output_fraction=2.0), "output_fraction"),
])
def test_bad_mode(kw, name):
    base = dict(wavelength_nm=625.0, quality_factor=1000.0, confinement_factor=0.1)
    base.update(kw)
    with pytest.raises(ValueError, match=name):
        LasingMode(**base)


def test_bad_types():
    with pytest.raises(TypeError, match="model"):
        LaserRateEquations("m", LasingMode(625.0, 1000.0, 0.1))
    with pytest.raises(TypeError, match="mode"):
        LaserRateEquations(QDGainModel(), (625.0, 1000.0, 0.1))
    with pytest.raises(ValueError, match="current_density"):
        LaserRateEquations(QDGainModel(), LasingMode(625.0, 1000.0, 0.1)).lj_curve([-1.0])

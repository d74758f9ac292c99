"""Tests of the above-threshold rate equations (cavity.lasing.rate_equations)."""
import math

import numpy as np
import pytest

from cavity.conventions import ELEMENTARY_CHARGE, HC_EV_NM
from cavity.gain import QDGainModel
from cavity.lasing.rate_equations import LaserRateEquations, LasingMode, LJCurve

C_CM_S = 2.99792458e10


def test_mode_formulas():
    mode = LasingMode(625.0, 2000.0, 0.1, group_index=1.9)
    tp_s = 2000.0 * 625e-9 / (2 * math.pi * 2.99792458e8)
    assert mode.photon_lifetime_ns == pytest.approx(tp_s * 1e9, rel=1e-14)
    assert mode.threshold_modal_gain == pytest.approx(1 / (C_CM_S / 1.9 * tp_s), rel=1e-12)
    assert mode.threshold_material_gain == pytest.approx(mode.threshold_modal_gain / 0.1)


@pytest.fixture(scope="module")
def laser():
    return LaserRateEquations(QDGainModel(), LasingMode(625.0, 2000.0, 0.1, beta=1e-4))


def test_threshold_matches_gain_inverse(laser):
    jt = laser.threshold_current()
    assert laser.model.material_gain(jt, 625.0) == pytest.approx(laser.mode.threshold_material_gain, rel=1e-9)


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
        gm = mode.confinement * m.material_gain(je, 625.0)
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
    (dict(Q=-1.0), "Q"),
    (dict(confinement=1.5), "confinement"),
    (dict(beta=0.0), "beta"),
    (dict(output_fraction=2.0), "output_fraction"),
])
def test_bad_mode(kw, name):
    base = dict(wavelength=625.0, Q=1000.0, confinement=0.1)
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


# ---- the physical root of the rate equations: P >= 0, soft threshold, kink at J_th ----------------
# Constants written out here (CODATA 2018 exact values), independent of cavity.conventions.
H_PLANCK = 6.62607015e-34   # J s
C_M_S = 2.99792458e8        # m/s
E_CHARGE = 1.602176634e-19  # C
EPS = np.finfo(float).eps


def _hnu(lam_nm):
    return H_PLANCK * C_M_S / (lam_nm * 1e-9)


def _tau_p(mode):
    return mode.Q * mode.wavelength * 1e-9 / (2 * math.pi * C_M_S)


def _g_th(mode):
    """Threshold material gain from 1 = v_g Gamma g_th tau_p (cm^-1)."""
    return 1.0 / ((C_CM_S / mode.group_index) * mode.confinement * _tau_p(mode))


def _r_sp(model, j):
    """Spontaneous radiative rate per area n sum_N p_N N / tau_X (cm^-2 s^-1), linear radiative scaling."""
    p = model.occupancy(j)
    return model.areal_density * p[1:] @ (np.arange(1, model.max_excitons + 1) / (model.exciton_lifetime_ns * 1e-9))


def _dbr_microcavity(bottom_pairs, top_pairs, qd_nm=30.0, lam0=625.0):
    """air | SiO2/TiO2 DBR | SiO2 | QD film | SiO2 | TiO2/SiO2 DBR | glass: TiO2 faces a half-wave cavity."""
    import cavity as cv
    import materials as mt

    sio2, tio2 = mt.get("SiO2"), mt.get("TiO2")
    sp = (lam0 / 2 - 1.9 * qd_nm) / (2 * 1.46)
    core = [cv.Layer(sio2, sp), cv.Layer(mt.get("CdSe QD film"), qd_nm, gain=True), cv.Layer(sio2, sp)]
    return cv.microcavity(core, cv.dbr(sio2, tio2, top_pairs, lam0), cv.dbr(tio2, sio2, bottom_pairs, lam0),
                          incident=mt.get("air"), substrate=mt.get("soda-lime glass"))


@pytest.fixture(scope="module")
def dbr_thresholds():
    import cavity as cv

    return {pairs: cv.lasing_threshold(_dbr_microcavity(*pairs), 625.0, search_width=30.0) for pairs in ((6, 8), (8, 8))}


@pytest.mark.parametrize("pairs", [(6, 8), (8, 8)])
def test_dbr_cavities_give_non_negative_power_below_threshold(dbr_thresholds, pairs):
    """Regression: 8/8 TiO2/SiO2 DBRs around 30 nm of QDs gave P(1 A/cm^2) = -26 W/cm^2 (a line through J_th)."""
    th = dbr_thresholds[pairs]
    assert th.converged
    laser = LaserRateEquations(QDGainModel(), LasingMode.from_threshold(th))
    jt = laser.threshold_current()
    c = laser.lj_curve(np.concatenate([[0.0], np.linspace(0.02, 3.0, 150) * jt]))
    p, s = c.output_power_W_per_cm2, c.photon_density_per_cm2
    assert np.all(s >= 0) and np.all(p >= 0)
    assert np.all(np.diff(p) > 0)
    p2 = laser.output_power(2 * jt)
    assert 0 < laser.output_power(1.0) < 1e-4 * p2
    below = c.current_density < 0.9 * jt
    assert np.all(p[below] < 1e-2 * p2)


@pytest.mark.parametrize("beta", [1.0, 0.1, 1e-2, 1e-4, 1e-8, 1e-14])
def test_power_non_negative_and_increasing_for_many_cavities(beta):
    """P >= 0 and non-decreasing in J over Q, Gamma, models and beta (reachable thresholds or not)."""
    models = (QDGainModel(), QDGainModel(injection_efficiency=0.5, trap_lifetime_ns=30.0, extra_electrons=1))
    for model in models:
        for gamma in (0.05, 0.16):
            for q in np.geomspace(300.0, 30000.0, 9):
                laser = LaserRateEquations(model, LasingMode(632.0, float(q), gamma, group_index=1.85, beta=beta))
                try:
                    jt = laser.threshold_current()
                    js = np.concatenate([np.geomspace(1e-3, 0.97, 12), np.linspace(0.99, 1.01, 5),
                                         np.linspace(1.1, 4.0, 6)]) * jt
                except ValueError:
                    js = np.geomspace(1e-2, 1e4, 12)
                p = laser.lj_curve(js).output_power_W_per_cm2
                assert np.all(np.isfinite(p)) and np.all(p >= 0), (q, gamma, beta)
                assert np.all(np.diff(p) >= 0), (q, gamma, beta)


def test_below_threshold_light_is_beta_times_spontaneous(laser):
    m, mode = laser.model, laser.mode
    jt = laser.threshold_current()
    p2 = laser.output_power(2 * jt)
    assert laser.output_power(0.5 * jt) < 1e-2 * p2
    assert laser.output_power(0.9 * jt) < 1e-1 * p2
    # Below threshold the mode is fed by spontaneous emission: P proportional to beta (J_eff ~ J).
    pb = [LaserRateEquations(m, LasingMode(625.0, 2000.0, 0.1, beta=b)).output_power(0.5 * jt) for b in (1e-6, 1e-8)]
    assert pb[0] / pb[1] == pytest.approx(100.0, rel=1e-4)
    # ... and amplified by 1 / (1 - g/g_th): s = beta R_sp tau_p / (1 - g/g_th) with J_eff -> J as beta -> 0.
    b, j = 1e-8, 0.5 * jt
    lin = b * _r_sp(m, j) * _tau_p(mode) / (1 - m.material_gain(j, 625.0) / _g_th(mode))
    s = LaserRateEquations(m, LasingMode(625.0, 2000.0, 0.1, beta=b)).lj_curve([j]).photon_density_per_cm2[0]
    assert s == pytest.approx(lin, rel=1e-6)


def test_slope_far_above_threshold_is_photon_balance_slope():
    """dP/dJ -> eta f_out h nu / e far above threshold (eta, f_out != 1 so every factor counts)."""
    model = QDGainModel(injection_efficiency=0.6)
    laser = LaserRateEquations(model, LasingMode(630.0, 3000.0, 0.12, beta=1e-4, output_fraction=0.3))
    jt = laser.threshold_current()
    expected = 0.6 * 0.3 * _hnu(630.0) / E_CHARGE
    assert laser.slope_efficiency_W_per_A == pytest.approx(expected, rel=1e-12)
    p = laser.lj_curve([20 * jt, 21 * jt]).output_power_W_per_cm2
    assert (p[1] - p[0]) / jt == pytest.approx(expected, rel=1e-5)


def test_kink_sits_at_the_transfer_matrix_threshold_current(dbr_thresholds):
    """max d^2 log P / dJ^2 lies at J_th of the pole search with the injected gain (cv.threshold_current)."""
    import cavity as cv

    flat = cv.QDGainModel(band_1s=cv.gain.GaussianBand(625.0, 1e5, 2500.0))  # gain flat over the cavity window
    flat = flat.for_stack(_dbr_microcavity(8, 8))  # the dot density of the stack's QD film, as threshold_current
    th = dbr_thresholds[(8, 8)]
    j_tmm = cv.threshold_current(_dbr_microcavity(8, 8), flat, (595.0, 655.0)).current_density
    js = np.linspace(0.8, 1.2, 801) * j_tmm
    for beta, tol in ((1e-4, 1e-2), (1e-8, 1e-3)):
        p = LaserRateEquations(flat, LasingMode.from_threshold(th, beta=beta)).lj_curve(js).output_power_W_per_cm2
        d2 = np.diff(np.log(p), 2)
        assert js[1 + np.argmax(d2)] == pytest.approx(j_tmm, rel=tol)


def test_vanishing_beta_gives_the_sharp_threshold():
    m = QDGainModel()
    mode = LasingMode(625.0, 2000.0, 0.1, beta=1e-12, output_fraction=0.5)
    jt = m.current_for_gain(_g_th(mode), 625.0)
    js = np.linspace(0.0, 3.0, 61) * jt
    p = LaserRateEquations(m, mode).lj_curve(js).output_power_W_per_cm2
    sharp = 0.5 * m.injection_efficiency * _hnu(625.0) / E_CHARGE * np.maximum(js - jt, 0.0)
    np.testing.assert_allclose(p, sharp, rtol=0, atol=1e-5 * sharp[-1])
    # the photon number jumps at J_th: nothing just below, the stimulated slope just above
    p_lo, p_hi = LaserRateEquations(m, mode).lj_curve([0.999 * jt, 1.001 * jt]).output_power_W_per_cm2
    assert p_lo < 1e-6 * p_hi
    assert p_hi == pytest.approx(0.5 * _hnu(625.0) / E_CHARGE * 0.001 * jt, rel=1e-2)


def test_photons_at_threshold_follow_the_square_root_law():
    """At J = J_th the quadratic gives s = sqrt(eta beta R_sp tau_p / (e v_g Gamma dg/dJ)), O(sqrt beta) corrections."""
    m = QDGainModel()
    mode = LasingMode(635.0, 5000.0, 0.16, group_index=1.8, beta=1e-8)
    jt = m.current_for_gain(_g_th(mode), 635.0)
    s = LaserRateEquations(m, mode).lj_curve([jt]).photon_density_per_cm2[0]
    h = 1e-5 * jt
    dg = (m.material_gain(jt + h, 635.0) - m.material_gain(jt - h, 635.0)) / (2 * h)
    ref = math.sqrt(1e-8 * _r_sp(m, jt) * _tau_p(mode) / (E_CHARGE * C_CM_S / 1.8 * 0.16 * dg))
    assert s == pytest.approx(ref, rel=1e-3)


@pytest.mark.parametrize("beta", [1e-4, 1e-10])
def test_photon_balance_identity_from_returned_photons(dbr_thresholds, beta):
    """eta (J - J_eff)/e = s/tau_p - beta R_sp (eqs. 1 and 2 without the gain) and P = f_out h nu s / tau_p."""
    m = QDGainModel(injection_efficiency=0.8)
    mode = LasingMode.from_threshold(dbr_thresholds[(6, 8)], beta=beta, output_fraction=0.4)
    laser = LaserRateEquations(m, mode)
    jt = laser.threshold_current()
    c = laser.lj_curve(np.array([0.01, 0.3, 0.8, 0.99, 1.0, 1.01, 1.5, 3.0]) * jt)
    tp = _tau_p(mode)
    for j, je, s, p in zip(c.current_density, c.effective_current_density, c.photon_density_per_cm2,
                           c.output_power_W_per_cm2):
        spont = beta * _r_sp(m, je)
        lhs, rhs = 0.8 * (j - je) / E_CHARGE, s / tp - spont
        # J_eff is a float: its rounding (100 ulp of J) bounds how well J - J_eff is known
        assert lhs == pytest.approx(rhs, rel=1e-8, abs=1e-8 * (s / tp + spont) + 100 * EPS * 0.8 * j / E_CHARGE)
        assert p == pytest.approx(0.4 * _hnu(mode.wavelength) * s / tp, rel=1e-12)

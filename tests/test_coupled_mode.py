"""Coupled-mode theory of DFB lasers (cavity.waveguide.coupled_mode) against Kogelnik & Shank (1972).

Anchors: docs/theory.md s.4.2; coupling coefficients: s.4.3; second-order limitations: s.4.4.
The independent references here (closed-form F(u), scipy expm section products, a numerical
Fourier integral, the argument principle) share no code with the module.
"""
from __future__ import annotations

import cmath
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.linalg import expm
from scipy.optimize import root

from cavity.waveguide.coupled_mode import (
    MAX_KAPPA_L,
    CoupledModeMode,
    CoupledModeThreshold,
    CouplingKind,
    coupled_mode_characteristic,
    coupled_mode_device_threshold,
    coupled_mode_response,
    coupled_mode_threshold,
    detuning_to_wavelength,
    gain_coupling_coefficient,
    grating_coupling_coefficient,
)


# ------------------------------------------------------------------------------------------
# independent references
# ------------------------------------------------------------------------------------------
def closed_form_F(u: complex, kappa_L: complex) -> complex:
    """Kogelnik & Shank eq. (8): F(u) = u sinh G - G cosh G, G^2 = (kappa L)^2 + u^2."""
    G = cmath.sqrt(kappa_L**2 + u**2)
    return u * cmath.sinh(G) - G * cmath.cosh(G)


def expm_M22(u: complex, kappa_L: complex, phases=(0.0,), lengths=(1.0,)) -> complex:
    """M22 of the section product with scipy's matrix exponential (no facets)."""
    M = np.eye(2, dtype=complex)
    for phi, ell in zip(phases, lengths):
        A = np.array([[u, -1j * kappa_L * np.exp(-1j * phi)], [1j * kappa_L * np.exp(1j * phi), -u]])
        M = expm(A * ell) @ M
    return M[1, 1]


def count_zeros(func, a_lo, a_hi, d_lo, d_hi, n=4000) -> int:
    """Argument principle: winding number of func(u) round the box (alpha in [a_lo, a_hi],
    delta in [d_lo, d_hi], u = alpha - i delta)."""
    t = np.linspace(0.0, 1.0, n, endpoint=False)
    corners = [complex(a_lo, -d_lo), complex(a_hi, -d_lo), complex(a_hi, -d_hi), complex(a_lo, -d_hi)]
    path = []
    for c0, c1 in zip(corners, corners[1:] + corners[:1]):
        path.extend(c0 + (c1 - c0) * t)
    vals = np.array([func(z) for z in path] + [func(path[0])])
    dphase = np.angle(vals[1:] / vals[:-1])
    assert np.max(np.abs(dphase)) < 1.0, "contour too coarse"
    return abs(int(round(np.sum(dphase) / (2.0 * np.pi))))


def fourier_amplitude(step: float, duty: float, m: int) -> float:
    """|m-th cosine amplitude| of a square wave (period 1, high part of width D centred at 0),
    by numerical quadrature."""
    f = lambda x: (step if abs(x) < duty / 2.0 else 0.0) * math.cos(2.0 * math.pi * m * x)
    pts = [-duty / 2.0, duty / 2.0]
    val, _ = quad(f, -0.5, 0.5, points=pts, limit=200, epsabs=1e-12 * step, epsrel=1e-11)
    return abs(2.0 * val)


# ------------------------------------------------------------------------------------------
# Kogelnik & Shank anchors (docs/theory.md s.4.2)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kL, aL, dL", [(1.0, 1.7548, 2.6663), (2.0, 0.9847, 3.3797)])
def test_uniform_index_anchor(kL, aL, dL):
    modes = coupled_mode_threshold(kL, kind="index", modes=2)
    assert len(modes) == 2
    for m in modes:
        assert m.alpha_L == pytest.approx(aL, abs=5e-5)
        assert abs(m.delta_L) == pytest.approx(dL, abs=5e-5)
        assert m.power_gain_L == pytest.approx(2.0 * m.alpha_L, rel=1e-15)
    assert modes[0].delta_L == pytest.approx(-modes[1].delta_L, rel=1e-10)


def test_quarter_wave_anchor():
    m = coupled_mode_threshold(1.0, kind="index", modes=1, phase_shift="quarter_wave")[0]
    assert m.alpha_L == pytest.approx(1.5265, abs=5e-5)
    assert m.delta_L == 0.0
    assert m.phase_shift == pytest.approx(math.pi)


def test_gain_coupling_exact_at_kappa_g_L_one():
    # analytic gamma = 0 case: D = cosh G - u sinh(G)/G -> 1 - u at G = 0, so u = 1 exactly
    m = coupled_mode_threshold(1.0, kind="gain", modes=1)[0]
    assert m.alpha_L == pytest.approx(1.0, abs=1e-12)
    assert m.delta_L == pytest.approx(0.0, abs=1e-12)
    assert m.kappa_L == 1j


def test_gain_coupling_threshold_vanishes_at_half_pi():
    near = [coupled_mode_threshold(k, kind="gain", modes=1)[0] for k in (1.2, 1.4, 1.5, 1.56, 1.57)]
    alphas = [m.alpha_L for m in near]
    assert all(np.diff(alphas) < 0) and all(a > 0 for a in alphas)
    assert alphas[-1] < 2e-3
    at = coupled_mode_threshold(math.pi / 2.0, kind="gain", modes=1)[0]
    assert abs(at.alpha_L) < 1e-10 and abs(at.delta_L) < 1e-10
    # beyond pi/2 the gain modulation alone suffices: the mean field gain becomes negative
    beyond = coupled_mode_threshold(1.7, kind="gain", modes=1)[0]
    assert -2 * 1.7 < beyond.alpha_L < 0.0


def test_gain_coupling_delta0_mode_solves_real_equation():
    # at delta = 0, u = alpha real, G^2 = alpha^2 - kappa_g^2: cosh G = alpha sinh(G)/G
    for kg in (0.3, 0.8, 1.2):
        a = coupled_mode_threshold(kg, kind="gain", modes=1)[0].alpha_L
        g = cmath.sqrt(a * a - kg * kg)
        assert abs(cmath.cosh(g) - a * cmath.sinh(g) / g) < 1e-10


# ------------------------------------------------------------------------------------------
# structure of the solutions
# ------------------------------------------------------------------------------------------
@given(st.floats(min_value=0.05, max_value=12.0))
def test_uniform_index_modes_come_in_symmetric_pairs(kL):
    modes = coupled_mode_threshold(kL, kind="index", modes=4)
    assert len(modes) % 2 == 0
    for a, b in zip(modes[0::2], modes[1::2]):
        assert a.alpha_L == pytest.approx(b.alpha_L, rel=1e-9, abs=1e-12)
        assert a.delta_L == pytest.approx(-b.delta_L, rel=1e-9)
        assert abs(a.delta_L) > kL  # outside the stopband
    assert np.all(np.diff([m.alpha_L for m in modes]) > -1e-10)  # sorted, up to pair ties


@given(st.floats(min_value=0.05, max_value=15.0))
def test_quarter_wave_lowest_mode_at_bragg(kL):
    modes = coupled_mode_threshold(kL, kind="index", modes=3, phase_shift="quarter_wave")
    assert modes[0].delta_L == 0.0
    assert modes[0].alpha_L < modes[1].alpha_L
    # it beats the uniform grating's lowest pair
    assert modes[0].alpha_L < coupled_mode_threshold(kL, kind="index", modes=1)[0].alpha_L


@pytest.mark.parametrize("kind, shift, top", [("index", None, 25.0), ("index", "quarter_wave", 25.0),
                                              ("gain", None, 1.55)])
def test_lowest_threshold_decreases_with_kappa_L(kind, shift, top):
    ks = np.linspace(0.05, top, 60)
    alphas = [coupled_mode_threshold(float(k), kind=kind, modes=1, phase_shift=shift)[0].alpha_L for k in ks]
    assert np.all(np.diff(alphas) < 0)
    assert all(a > 0 for a in alphas)


@pytest.mark.parametrize("kL", [0.3, 1.0, 2.0, 5.0])
def test_section_matrix_matches_closed_form_uniform(kL):
    for m in coupled_mode_threshold(kL, kind="index", modes=6):
        u = m.u
        G = cmath.sqrt(kL**2 + u**2)
        scale = abs(u * cmath.sinh(G)) + abs(G * cmath.cosh(G))
        assert abs(closed_form_F(u, kL)) < 1e-12 * scale
        # and D = -F/G exactly, as a function (not only at the roots)
    for u in (0.7 - 1.3j, 2.0 + 4.0j, 0.01 + 0.2j):
        d, _ = coupled_mode_characteristic(u, kL)
        G = cmath.sqrt(kL**2 + u**2)
        assert d == pytest.approx(-closed_form_F(u, kL) / G, rel=1e-12)


@pytest.mark.parametrize("kL", [0.5, 1.0, 3.0])
def test_closed_form_roots_by_scipy_agree(kL):
    # solve F(u) = 0 independently with scipy.optimize.root on (Re, Im) from a nearby start
    for m in coupled_mode_threshold(kL, kind="index", modes=4):
        def fun(x):
            f = closed_form_F(complex(x[0], x[1]), kL)
            return [f.real, f.imag]
        sol = root(fun, [m.alpha_L + 0.05, -m.delta_L + 0.05], tol=1e-12)
        assert np.hypot(*fun(sol.x)) < 1e-10
        assert complex(*sol.x) == pytest.approx(m.u, abs=1e-9)


@pytest.mark.parametrize("kL", [0.5, 1.0, 4.0])
def test_quarter_wave_against_scipy_expm(kL):
    for m in coupled_mode_threshold(kL, kind="index", modes=5, phase_shift="quarter_wave"):
        m22 = expm_M22(m.u, kL, phases=(0.0, math.pi), lengths=(0.5, 0.5))
        scale = math.cosh(abs(kL)) * math.exp(abs(m.alpha_L)) + 1.0
        assert abs(m22) < 1e-11 * scale


def test_derivative_matches_finite_difference():
    for kind, shift, kL in (("index", None, 1.3), ("index", "quarter_wave", 2.0), ("gain", None, 0.7)):
        u = 0.8 - 1.7j
        _, df = coupled_mode_characteristic(u, kL, kind, phase_shift=shift)
        h = 1e-6
        fp, _ = coupled_mode_characteristic(u + h, kL, kind, phase_shift=shift)
        fm, _ = coupled_mode_characteristic(u - h, kL, kind, phase_shift=shift)
        assert df == pytest.approx((fp - fm) / (2 * h), rel=1e-7)
        fp, _ = coupled_mode_characteristic(u + 1j * h, kL, kind, phase_shift=shift)
        fm, _ = coupled_mode_characteristic(u - 1j * h, kL, kind, phase_shift=shift)
        assert df == pytest.approx((fp - fm) / (2j * h), rel=1e-7)


def test_trivial_phase_shift_of_two_pi_is_uniform():
    uni = coupled_mode_threshold(1.7, kind="index", modes=4)
    split = coupled_mode_threshold(1.7, kind="index", modes=4, phase_shift=2 * math.pi, shift_position=0.3)
    for a, b in zip(uni, split):
        assert b.u == pytest.approx(a.u, abs=1e-10)


@pytest.mark.parametrize(
    "kind, shift, kL, box",
    [("index", None, 1.0, (0.02, 3.0, -9.0, 9.0)), ("index", "quarter_wave", 2.0, (0.02, 2.5, -10.0, 10.0)),
     ("gain", None, 1.2, (0.02, 3.0, -9.0, 9.0))],
)
def test_no_mode_missed_argument_principle(kind, shift, kL, box):
    a_lo, a_hi, d_lo, d_hi = box
    n_expected = count_zeros(lambda u: coupled_mode_characteristic(u, kL, kind, phase_shift=shift)[0], *box)
    found = coupled_mode_threshold(kL, kind=kind, modes=12, phase_shift=shift)
    inside = [m for m in found if a_lo < m.alpha_L < a_hi and d_lo < m.delta_L < d_hi]
    assert n_expected >= 3
    assert len(inside) == n_expected


def test_fabry_perot_limit_with_facets():
    # kappa -> 0 with facets r1 = r2 = 1/2: exp(2u) = 1/(r1 r2), so alpha L = ln 2, delta L = k pi
    modes = coupled_mode_threshold(1e-6, kind="index", modes=5, facet_reflectivities=(0.5, 0.5))
    for m in modes:
        assert m.alpha_L == pytest.approx(math.log(2.0), abs=1e-5)
        assert m.delta_L / math.pi == pytest.approx(round(m.delta_L / math.pi), abs=1e-5)


def test_zero_facets_equal_default():
    a = coupled_mode_threshold(1.0, modes=2)
    b = coupled_mode_threshold(1.0, modes=2, facet_reflectivities=(0.0, 0.0))
    assert [m.u for m in a] == pytest.approx([m.u for m in b], abs=1e-12)


def test_one_perfect_facet_is_allowed():
    hr = coupled_mode_threshold(1.0, modes=1, facet_reflectivities=(1.0, 0.0))[0]
    assert 0.0 < hr.alpha_L < coupled_mode_threshold(1.0, modes=1)[0].alpha_L


def test_facets_break_the_pair_degeneracy():
    modes = coupled_mode_threshold(1.0, modes=2, facet_reflectivities=(0.3, 0.3j))
    assert modes[0].alpha_L < modes[1].alpha_L - 1e-3
    assert modes[0].facet_reflectivities == (0.3, 0.3j)


def test_complex_kind_reproduces_index_and_gain():
    idx = coupled_mode_threshold(1.0, kind="index", modes=2)
    cpx = coupled_mode_threshold(1.0 + 0j, kind="complex", modes=2)
    assert [m.u for m in cpx] == pytest.approx([m.u for m in idx], abs=1e-10)
    gain = coupled_mode_threshold(0.8, kind="gain", modes=3)
    cpx = coupled_mode_threshold(0.8j, kind=CouplingKind.COMPLEX, modes=3)
    assert [m.u for m in cpx] == pytest.approx([m.u for m in gain], abs=1e-10)


def test_mixed_coupling_lowers_threshold_and_breaks_symmetry():
    # K&S: adding in-phase gain coupling to index coupling favours one band edge
    modes = coupled_mode_threshold(1.0 + 0.2j, kind="complex", modes=2)
    assert modes[0].alpha_L < modes[1].alpha_L - 1e-3


def test_kind_accepts_enum_and_any_case():
    a = coupled_mode_threshold(1.0, kind=CouplingKind.GAIN, modes=1)[0]
    b = coupled_mode_threshold(1.0, kind="Gain", modes=1)[0]
    assert a == b and a.kind is CouplingKind.GAIN


def test_ties_are_kept_together():
    assert len(coupled_mode_threshold(1.0, modes=3)) == 4
    assert len(coupled_mode_threshold(1.0, modes=2, phase_shift="quarter_wave")) == 3
    assert len(coupled_mode_threshold(1.0, modes=1, phase_shift="quarter_wave")) == 1


def test_result_is_frozen():
    m = coupled_mode_threshold(1.0, modes=1)[0]
    assert isinstance(m, CoupledModeMode)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.alpha_L = 0.0


# ------------------------------------------------------------------------------------------
# passive grating response
# ------------------------------------------------------------------------------------------
@given(st.floats(0.05, 8.0), st.floats(-20.0, 20.0))
def test_passive_grating_conserves_energy(kL, dL):
    resp = coupled_mode_response(kL, dL)
    assert resp.reflectance + resp.transmittance == pytest.approx(1.0, abs=1e-10)


@given(st.floats(0.05, 8.0))
def test_peak_reflectance_is_tanh_squared(kL):
    resp = coupled_mode_response(kL, 0.0)
    assert resp.reflectance == pytest.approx(math.tanh(kL) ** 2, rel=1e-12)


def test_response_poles_are_the_modes():
    m = coupled_mode_threshold(1.0, modes=1)[0]
    on = coupled_mode_response(1.0, m.delta_L, alpha_L=m.alpha_L)
    off = coupled_mode_response(1.0, m.delta_L, alpha_L=0.9 * m.alpha_L)
    assert on.transmittance > 1e15 * off.transmittance


def test_response_is_read_only_and_shaped():
    resp = coupled_mode_response(2.0, np.linspace(-5, 5, 11).reshape(11, 1))
    assert resp.r.shape == (11, 1) and resp.delta_L.shape == (11, 1)
    with pytest.raises(ValueError):
        resp.reflectance[0] = 0.0


def test_quarter_wave_transmission_peak_at_bragg():
    # the defect resonance of a lambda/4-shifted grating: full transmission at the Bragg
    # wavelength, inside the stopband; a uniform grating is opaque there
    resp = coupled_mode_response(4.0, np.array([0.0, 0.5]), phase_shift="quarter_wave")
    assert resp.transmittance[0] == pytest.approx(1.0, abs=1e-12)
    assert resp.transmittance[1] < 0.1
    assert coupled_mode_response(4.0, 0.0).transmittance < 1e-2


# ------------------------------------------------------------------------------------------
# coupling coefficients (docs/theory.md s.4.3)
# ------------------------------------------------------------------------------------------
def test_first_order_half_duty_is_two_dn_over_lambda():
    k = grating_coupling_coefficient(0.02, 0.5, 1, 630.0)
    assert k == pytest.approx(2 * 0.02 / 630e-7, rel=1e-14)


def test_second_order_half_duty_vanishes():
    assert abs(grating_coupling_coefficient(0.05, 0.5, 2, 630.0)) < 1e-10
    assert grating_coupling_coefficient(0.05, 0.25, 2, 630.0) > 0.0


def test_worked_example_physics_md():
    # docs/theory.md s.4.5: dn_eff = 0.06407 at 630 nm, first order, D = 1/2 -> 2034 cm^-1
    assert grating_coupling_coefficient(0.06407, 0.5, 1, 630.0) == pytest.approx(2034, abs=1)


@given(st.floats(0.001, 0.3), st.floats(0.02, 0.98), st.integers(1, 5), st.floats(300.0, 2000.0))
def test_coupling_coefficient_vs_numerical_fourier_series(dn, duty, m, lam):
    n_m = fourier_amplitude(dn, duty, m)
    expected = math.pi * n_m / (lam * 1e-7)  # kappa = pi n_m / lambda (K&S)
    got = grating_coupling_coefficient(dn, duty, m, lam)
    assert got == pytest.approx(expected, rel=1e-8, abs=1e-9 * 2 * dn / (lam * 1e-7))


@given(st.floats(1.0, 5000.0), st.floats(0.02, 0.98), st.integers(1, 4))
def test_gain_coupling_vs_numerical_fourier_series(dg, duty, m):
    # field gain is half the power gain; kappa_g = alpha_m / 2
    alpha_m = fourier_amplitude(dg / 2.0, duty, m)
    got = gain_coupling_coefficient(dg, duty, m)
    assert got == pytest.approx(alpha_m / 2.0, rel=1e-8, abs=1e-9 * dg)


def test_gain_coupling_half_duty_first_order():
    assert gain_coupling_coefficient(100.0) == pytest.approx(100.0 / (2 * math.pi), rel=1e-14)


def test_coupling_coefficient_broadcasts():
    k = grating_coupling_coefficient(np.array([0.01, 0.02]), 0.5, 1, 600.0)
    assert k.shape == (2,) and k[1] == pytest.approx(2 * k[0])


# ------------------------------------------------------------------------------------------
# device units, wavelength sign, second-order limitations
# ------------------------------------------------------------------------------------------
def test_device_threshold_units_and_losses():
    m = coupled_mode_threshold(2.0, modes=1)[0]
    th = coupled_mode_device_threshold(m, length=1e5, bragg_wavelength=630.0, group_index=1.8,
                                       internal_loss=5.0)
    assert isinstance(th, CoupledModeThreshold)
    assert th.alpha == pytest.approx(m.alpha_L / 1e-2)
    assert th.edge_loss == pytest.approx(2.0 * m.alpha_L / 1e-2)
    assert th.internal_loss == 5.0 and th.radiation_loss == 0.0 and th.outcoupling_loss == th.edge_loss
    assert th.modal_gain == pytest.approx(2.0 * m.alpha_L / 1e-2 + 5.0)


def test_uniform_pair_is_symmetric_about_bragg_wavelength_and_sign():
    lo, hi = coupled_mode_threshold(1.0, modes=2)
    kw = dict(length=2e5, bragg_wavelength=630.0, group_index=1.7)
    wl = [coupled_mode_device_threshold(m, **kw).wavelength for m in (lo, hi)]
    assert (wl[0] + wl[1]) / 2.0 == pytest.approx(630.0, abs=1e-10)
    # delta > 0 (beta above beta0) is the shorter wavelength
    assert hi.delta_L > 0 and wl[1] < 630.0 < wl[0]


def test_detuning_to_wavelength_matches_exact_nondispersive():
    # no dispersion: beta = 2 pi n / lambda, lambda = 2 pi n / (beta0 + delta)
    n, lam_b = 1.6, 630.0
    beta0 = 2 * math.pi * n / (lam_b * 1e-7)
    for delta in (-300.0, 50.0, 500.0):
        exact = 2 * math.pi * n / (beta0 + delta) / 1e-7
        second_order = 2.0 * (delta / beta0) ** 2  # the linearisation error
        assert detuning_to_wavelength(delta, lam_b, n) == pytest.approx(exact, rel=second_order)
        assert detuning_to_wavelength(delta, lam_b, n) != pytest.approx(exact, rel=1e-3 * second_order)


def test_second_order_carries_limitations():
    first = coupled_mode_threshold(2.0, modes=1)[0]
    second = coupled_mode_threshold(2.0, modes=1, grating_order=2)[0]
    assert not first.surface_emission_neglected
    assert second.surface_emission_neglected
    assert "surface-emission" in second.limitations and "does not compute" in second.limitations
    assert second.alpha_L == first.alpha_L  # the 1D solution itself does not change
    kw = dict(length=1e5, bragg_wavelength=630.0, group_index=1.8)
    without = coupled_mode_device_threshold(second, **kw)
    with_rad = coupled_mode_device_threshold(second, radiation_loss=20.0, **kw)
    assert with_rad.modal_gain == pytest.approx(without.modal_gain + 20.0)
    assert "underestimates" in without.limitations
    assert "20 cm^-1" in with_rad.limitations


def test_second_order_complex_coupling_is_the_users_model():
    m = coupled_mode_threshold(2.0 - 0.3j, kind="complex", modes=1, grating_order=2)[0]
    assert not m.surface_emission_neglected
    assert "complex kappa_L supplied" in m.limitations


# ------------------------------------------------------------------------------------------
# bad input: one test each, matching the parameter's name
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(kappa_L=0.0), ValueError, "kappa_L"),
        (dict(kappa_L=-1.0), ValueError, "kappa_L"),
        (dict(kappa_L=float("nan")), ValueError, "kappa_L"),
        (dict(kappa_L=MAX_KAPPA_L + 1), ValueError, "kappa_L"),
        (dict(kappa_L=1 + 1j), TypeError, "kappa_L"),
        (dict(kappa_L="1"), TypeError, "kappa_L"),
        (dict(kappa_L=0j, kind="complex"), ValueError, "kappa_L"),
        (dict(kappa_L=1.0, kind="bragg"), ValueError, "kind"),
        (dict(kappa_L=1.0, modes=0), ValueError, "modes"),
        (dict(kappa_L=1.0, modes=1.5), TypeError, "modes"),
        (dict(kappa_L=1.0, modes=True), TypeError, "modes"),
        (dict(kappa_L=1.0, phase_shift="half_wave"), ValueError, "phase_shift"),
        (dict(kappa_L=1.0, phase_shift=float("inf")), ValueError, "phase_shift"),
        (dict(kappa_L=1.0, phase_shift=1.0, shift_position=1.0), ValueError, "shift_position"),
        (dict(kappa_L=1.0, shift_position=0.0), ValueError, "shift_position"),
        (dict(kappa_L=1.0, facet_reflectivities=(1.2, 0.0)), ValueError, r"facet_reflectivities\[0\]"),
        (dict(kappa_L=1.0, facet_reflectivities=(0.1, float("nan"))), ValueError, r"facet_reflectivities\[1\]"),
        (dict(kappa_L=1.0, facet_reflectivities=0.3), ValueError, "facet_reflectivities"),
        (dict(kappa_L=1.0, facet_reflectivities=(1.0, -1j)), ValueError, "facet_reflectivities"),
        (dict(kappa_L=1.0, grating_order=0), ValueError, "grating_order"),
        (dict(kappa_L=1.0, grating_order=2.0), TypeError, "grating_order"),
    ],
)
def test_threshold_bad_input(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        coupled_mode_threshold(**kwargs)


@pytest.mark.parametrize(
    "args, exc, name",
    [
        ((0.0, 0.5, 1, 630.0), ValueError, "index_step"),
        ((-0.01, 0.5, 1, 630.0), ValueError, "index_step"),
        ((float("nan"), 0.5, 1, 630.0), ValueError, "index_step"),
        ((0.01, 0.0, 1, 630.0), ValueError, "duty_cycle"),
        ((0.01, 1.0, 1, 630.0), ValueError, "duty_cycle"),
        ((0.01, 0.5, 0, 630.0), ValueError, "order"),
        ((0.01, 0.5, 1.5, 630.0), TypeError, "order"),
        ((0.01, 0.5, 1, 0.0), ValueError, "bragg_wavelength"),
        ((0.01, 0.5, 1, "red"), TypeError, "bragg_wavelength"),
    ],
)
def test_coupling_coefficient_bad_input(args, exc, name):
    with pytest.raises(exc, match=name):
        grating_coupling_coefficient(*args)


@pytest.mark.parametrize(
    "args, exc, name",
    [((0.0,), ValueError, "gain_step"), ((10.0, 1.5), ValueError, "duty_cycle"),
     ((10.0, 0.5, -1), ValueError, "order")],
)
def test_gain_coupling_bad_input(args, exc, name):
    with pytest.raises(exc, match=name):
        gain_coupling_coefficient(*args)


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(length=0.0), ValueError, "length"),
        (dict(bragg_wavelength=-630.0), ValueError, "bragg_wavelength"),
        (dict(group_index=0.0), ValueError, "group_index"),
        (dict(internal_loss=-1.0), ValueError, "internal_loss"),
        (dict(radiation_loss=float("nan")), ValueError, "radiation_loss"),
    ],
)
def test_device_threshold_bad_input(kwargs, exc, name):
    m = coupled_mode_threshold(1.0, modes=1)[0]
    base = dict(length=1e5, bragg_wavelength=630.0, group_index=1.8)
    base.update(kwargs)
    with pytest.raises(exc, match=name):
        coupled_mode_device_threshold(m, **base)


def test_device_threshold_rejects_non_mode():
    with pytest.raises(TypeError, match="mode"):
        coupled_mode_device_threshold((1.0, 2.0), length=1e5, bragg_wavelength=630.0, group_index=1.8)


def test_response_bad_input():
    with pytest.raises(ValueError, match="delta_L"):
        coupled_mode_response(1.0, [0.0, float("nan")])
    with pytest.raises(ValueError, match="alpha_L"):
        coupled_mode_response(1.0, 0.0, alpha_L=float("inf"))

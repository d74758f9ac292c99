"""Lasing thresholds and passive resonances against closed forms and a brute-force scan."""
import math

import numpy as np
import pytest
import tmm

import cavity as cv
import materials as mt
from cavity import lasing_threshold, resonances, threshold_modes

LAM0 = 630.0
H, LOW = mt.Constant(2.10, name="H"), mt.Constant(1.46, name="L")


def fresnel_R(n1, n2):
    return ((n1 - n2) / (n1 + n2)) ** 2


@pytest.mark.parametrize("n_out2", [1.0, 1.52])
def test_fabry_perot_closed_form(n_out2):
    """g_th = ln(1/(R1 R2)) / (2L), docs/theory.md s.3.2 (the gain's own effect on the Fresnel
    coefficients is ~1e-5 relative at L = 100 um)."""
    n, L = 1.8, 1e5
    stack = cv.Stack([cv.Layer(mt.Constant(n), L, gain=True)], substrate=mt.Constant(n_out2))
    th = lasing_threshold(stack, LAM0)
    expected = math.log(1 / (fresnel_R(1.0, n) * fresnel_R(n, n_out2))) / (2 * L * 1e-7)
    assert th.converged
    assert th.material_gain == pytest.approx(expected, rel=1e-4)
    # the lasing wavelength satisfies the round-trip phase condition 2 n L = m lambda
    m = 2 * n * L / th.wavelength
    assert abs(m - round(m)) < 5e-3  # the gain shifts the Fresnel phases slightly
    assert th.confinement == pytest.approx(1.0, rel=1e-6)
    assert th.outcoupling_loss == pytest.approx(expected, rel=1e-4)  # the Fabry-Perot mirror loss
    assert th.internal_loss == 0.0


def test_passive_poles_of_a_slab_match_the_closed_form():
    """Symmetric slab in air: 1 - r^2 exp(2 i n k L) = 0 gives lambda_m = 4 pi n L / (2 pi m - i ln(1/r^2))."""
    n, L = 2.0, 3000.0
    stack = cv.Stack([cv.Layer(mt.Constant(n), L)])
    found = resonances(stack, (600.0, 700.0))
    r2 = fresnel_R(1.0, n)
    poles = [4 * math.pi * n * L / (2 * math.pi * m - 1j * math.log(1 / r2)) for m in range(1, 100)]
    expected = sorted((p for p in poles if 600.0 <= p.real <= 700.0), key=lambda z: z.real)
    assert len(found) == len(expected)
    for res, lam in zip(found, expected):
        assert res.complex_wavelength == pytest.approx(lam, rel=1e-9)
        assert res.Q == pytest.approx(lam.real / (2 * lam.imag), rel=1e-7)


def vcsel(n_active=1.46, d=20.0, offset=0.0, pairs=12, spacer_k=0.0):
    """air | (H L)^N | spacer | QD | spacer | (L H)^N | glass, spacer + QD = lambda0 / n_c."""
    sp_total = LAM0 / 1.46 - d
    spacer = mt.Constant(1.46, spacer_k, name="spacer")
    core = cv.Stack([cv.Layer(spacer, sp_total / 2 + offset), cv.Layer(mt.Constant(n_active), d, gain=True),
                     cv.Layer(spacer, sp_total / 2 - offset)])
    return (cv.dbr(H, LOW, pairs, LAM0) + core + cv.dbr(LOW, H, pairs, LAM0)).between(mt.Constant(1.0), mt.Constant(1.52))


def mirror_reflectances(stack):
    """R of the two mirrors seen from the spacer, computed with tmm (independent of our engine)."""
    top = [lay for lay in stack.layers[:24]][::-1]
    bot = list(stack.layers[27:])
    def R(layers, n_exit):
        nl = [1.46] + [lay.material.n(LAM0).real for lay in layers] + [n_exit]
        dl = [np.inf] + [lay.thickness for lay in layers] + [np.inf]
        return tmm.coh_tmm("s", nl, dl, 0.0, LAM0)["R"]
    return R(top, 1.0), R(bot, 1.52)


def test_thin_layer_vertical_cavity_formula():
    """g_th ~ ln(1/(R1 R2)) / (2 Gamma_r d) with Gamma_r = 1 + sin(beta d)/(beta d) at an antinode
    (docs/theory.md s.3.3), for n_a = n_c."""
    d = 20.0
    stack = vcsel(d=d)
    th = lasing_threshold(stack, LAM0)
    beta_d = 2 * math.pi * 1.46 * d / LAM0
    gamma_r = 1 + math.sin(beta_d) / beta_d
    R1, R2 = mirror_reflectances(stack)
    expected = math.log(1 / (R1 * R2)) / (2 * gamma_r * d * 1e-7)
    assert th.wavelength == pytest.approx(LAM0, abs=1e-3)
    assert th.standing_wave_factor == pytest.approx(gamma_r, rel=1e-4)
    assert th.material_gain == pytest.approx(expected, rel=5e-4)


@pytest.mark.parametrize("offset", [0.0, 25.0, 50.0, 75.0, 100.0])
def test_standing_wave_factor_follows_the_closed_form(offset):
    d = 20.0
    th = lasing_threshold(vcsel(d=d, offset=offset), LAM0)
    beta = 2 * math.pi * 1.46 / LAM0
    expected = 1 + math.cos(2 * beta * offset) * math.sin(beta * d) / (beta * d)
    assert th.standing_wave_factor == pytest.approx(expected, rel=2e-3, abs=2e-3)


def test_threshold_rises_from_antinode_to_node():
    gains = [lasing_threshold(vcsel(offset=o), LAM0).material_gain for o in (0.0, 30.0, 60.0, 90.0, 105.0)]
    assert all(a < b for a, b in zip(gains, gains[1:]))


def test_pole_agrees_with_brute_force_transmission():
    """tmm's transmission (independent code) diverges at the threshold found by the pole solver."""
    stack = vcsel(pairs=6)
    th = lasing_threshold(stack, LAM0)

    def T(lam, g):
        nl = [1.0] + [complex(lay.material.n(lam)) - 1j * (g * lam * 1e-7 / (4 * math.pi) if lay.gain else 0)
                      for lay in stack.layers] + [1.52]
        dl = [np.inf] + [lay.thickness for lay in stack.layers] + [np.inf]
        return tmm.coh_tmm("s", nl, dl, 0.0, lam)["T"]

    lams = np.linspace(th.wavelength - 0.5, th.wavelength + 0.5, 2001)
    peaks = [max(T(lam, g * th.material_gain) for lam in lams[::20]) for g in (0.0, 0.5)]
    near = T(th.wavelength, th.material_gain * (1 - 1e-6))
    assert near > 1e6 * max(peaks)
    # the transmission peak at 99% of threshold sits at the lasing wavelength
    tt = np.array([T(lam, 0.99 * th.material_gain) for lam in lams])
    assert lams[np.argmax(tt)] == pytest.approx(th.wavelength, abs=2 * (lams[1] - lams[0]))


def test_threshold_is_continuous_in_thickness():
    base = vcsel()
    g0 = lasing_threshold(base, LAM0).material_gain
    for i in (0, 10, 24, 26, 30):
        lay = base.layers[i]
        moved = base.replace_layer(i, lay.with_thickness(lay.thickness + 1e-3))
        assert lasing_threshold(moved, LAM0).material_gain == pytest.approx(g0, rel=2e-3)


def test_absorption_raises_the_threshold():
    g_clean = lasing_threshold(vcsel(), LAM0)
    g_lossy = lasing_threshold(vcsel(spacer_k=1e-4), LAM0)
    assert g_lossy.material_gain > g_clean.material_gain
    assert g_lossy.internal_loss > 0
    # energy balance: modal gain = internal loss + mirror loss (definition) and the extra gain
    # roughly pays the spacer absorption alpha = 4 pi k / lambda weighted by the field
    alpha = 4 * math.pi * 1e-4 / (LAM0 * 1e-7)
    assert 0 < g_lossy.internal_loss < alpha


def test_threshold_modes_sorted_with_margin():
    n, L = 1.8, 20000.0
    stack = cv.Stack([cv.Layer(mt.Constant(n), L, gain=True)])
    modes = threshold_modes(stack, (620.0, 640.0))
    m_count = math.floor(2 * n * L / 620.0) - math.ceil(2 * n * L / 640.0) + 1
    assert len(modes) == m_count
    gains = [m.material_gain for m in modes]
    assert gains == sorted(gains)
    assert modes.side_mode_margin == pytest.approx(gains[1] - gains[0])


def test_several_gain_layers_share_one_gain():
    """Two halves of a gain slab marked separately give the threshold of the whole slab."""
    n, L = 1.8, 40000.0
    whole = cv.Stack([cv.Layer(mt.Constant(n), L, gain=True)])
    halves = cv.Stack([cv.Layer(mt.Constant(n), L / 2, gain=True), cv.Layer(mt.Constant(n), L / 2, gain=True)])
    assert lasing_threshold(halves, LAM0).material_gain == pytest.approx(lasing_threshold(whole, LAM0).material_gain, rel=1e-9)
    part = lasing_threshold(halves, LAM0, gain_layers=[0])
    assert part.material_gain == pytest.approx(2 * lasing_threshold(whole, LAM0).material_gain, rel=1e-3)


def test_bad_input():
    passive = cv.Stack([cv.Layer(mt.Constant(1.8), 1000.0)])
    with pytest.raises(ValueError, match="no gain layer"):
        lasing_threshold(passive, LAM0)
    with pytest.raises(ValueError, match="near"):
        lasing_threshold(vcsel(), -5.0)
    with pytest.raises(ValueError, match="gain_layers"):
        lasing_threshold(vcsel(), LAM0, gain_layers=[99])
    with pytest.raises(ValueError, match="wavelength_range"):
        resonances(passive, (700.0, 600.0))


def test_no_mode_missed_in_a_dense_spectrum():
    """A 30 um slab has ~29 poles in 600-700 nm: every one is found, none twice."""
    n, L = 2.0, 30000.0
    found = resonances(cv.Stack([cv.Layer(mt.Constant(n), L)]), (600.0, 700.0))
    r2 = fresnel_R(1.0, n)
    poles = [4 * math.pi * n * L / (2 * math.pi * m - 1j * math.log(1 / r2)) for m in range(1, 400)]
    expected = [p for p in poles if 600.0 <= p.real <= 700.0]
    assert len(found) == len(expected)
    np.testing.assert_allclose([r.complex_wavelength for r in found], sorted(expected, key=lambda z: z.real), rtol=1e-9)


@pytest.mark.parametrize("pol, angle", [("s", 0.0), ("s", 40.0), ("p", 40.0)])
def test_closed_form_layer_integrals_match_the_sampled_field(pol, angle):
    """int |E|^2 per layer in closed form (used for the confinement) equals Simpson's rule on the
    sampled field of field_profile (validated against tmm.position_resolved)."""
    from scipy.integrate import simpson

    from cavity.lasing.threshold import layer_field_integrals

    stack = cv.Stack([cv.Layer(mt.Constant(2.1, 0.02), 73.0), cv.Layer(mt.Constant(1.46), 180.0),
                      cv.Layer(mt.Constant(1.85, 0.001), 40.0, gain=True), cv.Layer(mt.Constant(2.3), 95.0)],
                     incident=mt.Constant(1.0), substrate=mt.Constant(1.52))
    total, envelope, _ = layer_field_integrals(stack, 610.0, 300.0, angle, pol)
    prof = cv.field_profile(stack, 610.0, angle, pol, step=0.05, outside=0.0, gain=300.0)
    for m in range(1, len(stack) + 1):
        sel = prof.layer_index == m
        expected = simpson(prof.E2[sel], x=prof.z[sel])  # incident medium n0 = 1: same normalisation
        assert total[m] == pytest.approx(expected, rel=1e-6)
        assert envelope[m] > 0

"""Slab-waveguide modes against the analytic dispersion relations (computed here with brentq),
the V-number mode count, and the modal gain of the complex pole vs the confinement factor."""
import math

import numpy as np
import pytest
from scipy.optimize import brentq

import materials as mt
from cavity import Layer, Stack
from cavity.waveguide import GuidedModes, Mode, guided_modes

LAM = 630.0
K0 = 2 * math.pi / LAM


# ---------------------------------------------------------------- analytic references
def _slab_dispersion(N, nf, nc, ns, d, m, tm):
    """Transverse resonance of a three-layer slab: kd - atan(rc gc/k) - atan(rs gs/k) - m pi."""
    k = K0 * math.sqrt(nf * nf - N * N)
    gc = K0 * math.sqrt(N * N - nc * nc)
    gs = K0 * math.sqrt(N * N - ns * ns)
    rc = (nf / nc) ** 2 if tm else 1.0
    rs = (nf / ns) ** 2 if tm else 1.0
    return k * d - math.atan(rc * gc / k) - math.atan(rs * gs / k) - m * math.pi


def analytic_neff(nf, nc, ns, d, m, tm=False):
    lo = max(nc, ns) * (1 + 1e-15)
    hi = nf * (1 - 1e-15)
    f = lambda N: _slab_dispersion(N, nf, nc, ns, d, m, tm)
    if f(lo) * f(hi) > 0:
        return None
    return brentq(f, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)


def slab(nf, nc, ns, d):
    return Stack.of(Layer(mt.Constant(nf), d, name="film"), incident=mt.Constant(nc), substrate=mt.Constant(ns))


# ---------------------------------------------------------------- effective indices
@pytest.mark.parametrize("tm", [False, True])
@pytest.mark.parametrize("d", [150.0, 400.0, 900.0])
def test_symmetric_slab_matches_analytic(tm, d):
    nf, nc = 1.85, 1.46
    modes = guided_modes(slab(nf, nc, nc, d), LAM, "TM" if tm else "TE")
    expected = []
    m = 0
    while (N := analytic_neff(nf, nc, nc, d, m, tm)) is not None:
        expected.append(N)
        m += 1
    assert len(modes) == len(expected)
    for mode, N in zip(modes, expected):
        assert abs(mode.n_eff - N) < 1e-8
        assert mode.n_eff.imag == 0.0


def test_worked_example_asymmetric_film():
    """docs/theory.md s.4.5: TE0 of a 150/200 nm film (1.85) on SiO2 (1.46) under air."""
    for d, quoted in ((150.0, 1.57615), (200.0, 1.64023)):
        N = analytic_neff(1.85, 1.0, 1.46, d, 0)
        modes = guided_modes(slab(1.85, 1.0, 1.46, d), LAM)
        assert abs(modes[0].n_eff - N) < 1e-8
        assert abs(N - quoted) < 1e-5


def test_thick_multimode_slab_finds_all_modes_once():
    nf, nc, d = 1.8, 1.5, 5000.0
    V = K0 * d * math.sqrt(nf ** 2 - nc ** 2)
    count = math.ceil(V / math.pi)          # symmetric slab: modes m with m pi < V
    for pol, tm in (("TE", False), ("TM", True)):
        modes = guided_modes(slab(nf, nc, nc, d), LAM, pol)
        assert len(modes) == count
        neff = np.array([m.n_eff.real for m in modes])
        assert np.all(np.diff(neff) < 0)      # sorted, distinct
        for m, mode in enumerate(modes):
            assert mode.order == m
            assert abs(mode.n_eff - analytic_neff(nf, nc, nc, d, m, tm)) < 1e-8


def test_mode_just_above_cutoff_is_found():
    nf, nc, ns = 1.85, 1.0, 1.46
    # TE1 cut-off of the asymmetric slab: k d = pi + atan(sqrt((ns^2 - nc^2) / (nf^2 - ns^2)))
    d_cut = (math.pi + math.atan(math.sqrt((ns ** 2 - nc ** 2) / (nf ** 2 - ns ** 2)))) / (
        K0 * math.sqrt(nf ** 2 - ns ** 2))
    above = guided_modes(slab(nf, nc, ns, d_cut * 1.002), LAM)
    below = guided_modes(slab(nf, nc, ns, d_cut * 0.998), LAM)
    assert len(above) == 2 and len(below) == 1
    N1 = analytic_neff(nf, nc, ns, d_cut * 1.002, 1)
    assert abs(above[1].n_eff - N1) < 1e-8
    assert above[1].n_eff.real - ns < 1e-3


def test_no_guided_mode_when_core_is_not_the_highest_index():
    modes = guided_modes(slab(1.4, 1.0, 1.46, 300.0), LAM)
    assert isinstance(modes, GuidedModes) and len(modes) == 0


def test_multilayer_matches_single_layer_when_split():
    one = guided_modes(slab(1.85, 1.0, 1.46, 400.0), LAM)
    parts = Stack.of(*(Layer(mt.Constant(1.85), t) for t in (100.0, 150.0, 150.0)),
                     incident=mt.Constant(1.0), substrate=mt.Constant(1.46))
    split = guided_modes(parts, LAM)
    assert len(one) == len(split)
    for a, b in zip(one, split):
        assert abs(a.n_eff - b.n_eff) < 1e-10


# ---------------------------------------------------------------- modal gain and confinement
def _gain_layer(stack, layer):
    lay = stack.layers[layer]
    return stack.replace_layer(layer, Layer(lay.material, lay.thickness, name=lay.label, gain=True))


@pytest.mark.parametrize("kind", ["whole_core", "thin_qd_layer"])
def test_te_modal_gain_from_pole_equals_weighted_confinement(kind):
    if kind == "whole_core":
        stack, layer = slab(1.85, 1.0, 1.46, 200.0), 0
    else:
        stack = Stack.of(Layer(mt.Constant(1.71), 60.0, name="TCTA"), Layer(mt.Constant(1.85), 15.0, name="QD"),
                         Layer(mt.Constant(1.99), 80.0, name="ZnO"), incident=mt.Constant(1.0),
                         substrate=mt.Constant(1.52))
        layer = 1
    passive = guided_modes(stack, LAM)[0]
    gamma = passive.confinement(layer)
    g = 2.0  # cm^-1, small: the relation is first order in g
    active = guided_modes(_gain_layer(stack, layer), LAM, gain=g)[0]
    assert active.n_eff.imag < 0  # k = -g lambda/(4 pi): a growing mode
    g_mod = -(4 * math.pi / (LAM * 1e-7)) * active.n_eff.imag
    assert g_mod == pytest.approx(active.modal_gain, rel=1e-12)
    assert g_mod == pytest.approx(gamma * g, rel=1e-5)
    # the plain field fraction is NOT the modal gain factor (docs/theory.md s.4.6)
    assert abs(passive.field_fraction(layer) - gamma) > 1e-3
    assert passive.confinement_from_pole(layer) == pytest.approx(gamma, rel=1e-7)


def test_tm_confinement_from_pole_gives_the_modal_gain():
    stack = slab(1.85, 1.0, 1.46, 250.0)
    passive = guided_modes(stack, LAM, "TM")[0]
    gamma = passive.confinement("film")
    active = guided_modes(_gain_layer(stack, 0), LAM, "TM", gain=2.0)[0]
    assert active.modal_gain == pytest.approx(gamma * 2.0, rel=1e-5)


def test_lossy_layer_gives_complex_neff_and_modal_loss():
    ito = mt.get("ITO")
    stack = Stack.of(Layer(mt.Constant(1.85), 200.0, name="QD"), Layer(ito, 50.0, name="ITO"),
                     incident=mt.Constant(1.0), substrate=mt.get("soda-lime glass"))
    mode = guided_modes(stack, LAM)[0]
    assert mode.n_eff.imag > 0 and mode.modal_loss > 0
    # first order: loss = Gamma_ITO * alpha_ITO
    alpha_ito = 4 * math.pi * ito.n(LAM).imag / (LAM * 1e-7)
    assert mode.modal_loss == pytest.approx(mode.confinement_from_pole("ITO") * alpha_ito, rel=2e-2)


def test_metal_contact_modes_are_lossy():
    from cavity import seed_led_stack
    modes = guided_modes(seed_led_stack(), LAM, "TE")
    assert len(modes) >= 1
    assert all(m.modal_loss > 100.0 for m in modes)


# ---------------------------------------------------------------- fields
@pytest.mark.parametrize("pol", ["TE", "TM"])
def test_profile_is_continuous_and_bound(pol):
    stack = Stack.of(Layer(mt.Constant(1.71), 60.0), Layer(mt.Constant(1.85), 20.0), Layer(mt.Constant(1.99), 150.0),
                     incident=mt.Constant(1.0), substrate=mt.Constant(1.52))
    mode = guided_modes(stack, LAM, pol)[0]
    for zb in np.concatenate(([0.0], np.cumsum(stack.thicknesses))):
        left, right = mode.field([zb - 1e-9, zb + 1e-9])
        assert abs(left - right) < 1e-6   # E_y (TE) and H_y (TM) are tangential: continuous
    prof = mode.profile(step=2.0)
    assert np.max(np.abs(prof.field)) == pytest.approx(1.0, rel=1e-3)
    assert abs(prof.field[0]) < 0.06 and abs(prof.field[-1]) < 0.06   # decays into both claddings
    assert np.all(prof.E2 >= 0) and prof.E2.dtype == np.float64


def test_leaky_modes_are_labelled():
    stack = slab(1.85, 1.0, 1.60, 150.0)
    modes = guided_modes(stack, LAM, leaky=True)
    assert any(not m.leaky for m in modes)
    for m in modes:
        if m.leaky:
            assert m.n_eff.imag > 0 and 1.0 < m.n_eff.real < 1.60 and "leaky" in m.label


# ---------------------------------------------------------------- bad input
def test_bad_input_raises_naming_the_parameter():
    stack = slab(1.85, 1.0, 1.46, 200.0)
    with pytest.raises(ValueError, match="polarization"):
        guided_modes(stack, LAM, "XY")
    with pytest.raises(ValueError, match="wavelength"):
        guided_modes(stack, -5.0)
    with pytest.raises(TypeError, match="stack"):
        guided_modes([1.85], LAM)
    mode = guided_modes(stack, LAM)[0]
    assert isinstance(mode, Mode)
    with pytest.raises(ValueError, match="layer"):
        mode.confinement(3)
    with pytest.raises(ValueError, match="layer"):
        mode.confinement("nope")
    with pytest.raises(ValueError, match="step"):
        mode.profile(step=0.0)

"""Validation of the RCWA reference for second-order gratings (tests/reference/grating_rcwa.py).

Independent truth only: the Airy / characteristic-matrix reflectance of a planar stack (Born &
Wolf, *Principles of Optics*, s.1.6), energy conservation, the depth^2 law of the radiative
coupling of a shallow grating, the second-order Bragg condition with the TE0 effective index of
the unperturbed slab from its own secular equation, and the real-frequency line shape of the
reflection (a rational fit that never evaluates the solver at complex frequency).

Geometry: a QD film (n = 1.70, 200 nm) on glass (1.52) with a binary grating etched into the glass
and filled by the film (ridge 1.52, groove 1.70), air above, period 408 nm (second-order Bragg
near 632 nm, TE).  A 100 nm film does not guide TE0 at 630 nm on glass (cut-off thickness about
130 nm, checked below), so it cannot have band-edge modes.

Few harmonics (5 for the planar checks, 15 for the gratings) keep the file under ~30 s.
"""
import math

import numpy as np
import pytest
from scipy.optimize import brentq

pytest.importorskip("inkstone", reason="the RCWA reference needs inkstone (pip install inkstone==0.3.15)")

from reference.grating_rcwa import (  # noqa: E402
    band_edge_modes,
    band_edge_modes_vs_duty,
    zero_order_spectrum,
)

N_FILM, N_GLASS, N_AIR = 1.70, 1.52, 1.0
FILM_NM, PERIOD_NM = 200.0, 408.0
HARM = 15


def stack(depth, duty, film=FILM_NM):
    return [(N_FILM, film), (N_GLASS, N_FILM, duty, depth)]


# ------------------------------------------------------------------ independent closed forms


def airy_normal_incidence(n_top, layers, n_bottom, lam):
    """Amplitude r (from the top), r' (from the bottom) and R, T of a planar stack, normal incidence.

    Characteristic matrix of each layer M = [[cos d, -i sin d / n], [-i n sin d, cos d]],
    d = 2 pi n t / lam (Born & Wolf s.1.6.2); r = (n0 B - C) / (n0 B + C) with
    [B, C] = M [1, n_s]; T = 4 n0 Re(n_s) / |n0 B + C|^2.
    """

    def char(layers_):
        m = np.eye(2, dtype=complex)
        for n, t in layers_:
            d = 2 * np.pi * n * t / lam
            m = m @ np.array([[np.cos(d), -1j * np.sin(d) / n], [-1j * n * np.sin(d), np.cos(d)]])
        return m

    def rt(n0, layers_, ns):
        b, c = char(layers_) @ np.array([1.0, ns])
        r = (n0 * b - c) / (n0 * b + c)
        T = 4 * n0 * ns.real / abs(n0 * b + c) ** 2
        return r, abs(r) ** 2, T

    r, R, T = rt(n_top, layers, n_bottom)
    rb, _, _ = rt(n_bottom, layers[::-1], n_top)
    return r, rb, R, T


def neff_te0_three_layer(n_f, t, n_s, n_c, lam):
    """TE0 of an asymmetric slab, closed-form secular equation
    k_f t = atan(g_s / k_f) + atan(g_c / k_f) (Marcuse, *Theory of Dielectric Optical Waveguides*)."""
    k0 = 2 * np.pi / lam

    def f(n):
        kf = k0 * math.sqrt(n_f**2 - n**2)
        return kf * t - math.atan(k0 * math.sqrt(n**2 - n_s**2) / kf) - math.atan(k0 * math.sqrt(n**2 - n_c**2) / kf)

    lo, hi = max(n_s, n_c) + 1e-12, n_f - 1e-12
    if f(lo) < 0:
        return None  # below cut-off
    return brentq(f, lo, hi, xtol=1e-14)


def neff_te0_four_layer(n_c, n1, t1, n2, t2, n_s, lam):
    """TE0 of cover / n1 (t1) / n2 (t2) / substrate: secular equation from the 2x2 matrices of
    (E, dE/dz) in each layer, [[cos kt, sin kt / k], [-k sin kt, cos kt]], started from the
    substrate's decaying field (1, g_s) and closed by E' + g_c E = 0 at the top."""
    k0 = 2 * np.pi / lam

    def f(n):
        gs, gc = k0 * math.sqrt(n**2 - n_s**2), k0 * math.sqrt(n**2 - n_c**2)
        v = np.array([1.0 + 0j, gs])
        for nj, tj in ((n2, t2), (n1, t1)):  # bottom to top
            k = k0 * np.sqrt(complex(nj**2 - n**2))
            c, s = np.cos(k * tj), np.sin(k * tj)
            sk = s / k if k != 0 else tj
            v = np.array([[c, sk], [-k * s, c]]) @ v
        return (v[1] + gc * v[0]).real

    lo, hi = max(n_s, n_c) + 1e-9, max(n1, n2) - 1e-9
    # TE0 is the highest-index root: scan down from the top for the first sign change
    grid = np.linspace(hi, lo, 400)
    vals = [f(n) for n in grid]
    for a, b, fa, fb in zip(grid[:-1], grid[1:], vals[:-1], vals[1:]):
        if fa == 0 or fa * fb < 0:
            return brentq(f, b, a, xtol=1e-14)
    return None


def bragg_wavelength(depth, duty, film=FILM_NM, period=PERIOD_NM):
    """lambda = n_eff(lambda) * period with the grating replaced by its mean permittivity (TE)."""
    n_avg = math.sqrt(duty * N_GLASS**2 + (1 - duty) * N_FILM**2)

    def mismatch(lam):
        return lam - period * neff_te0_four_layer(N_AIR, N_FILM, film, n_avg, depth, N_GLASS, lam)

    return brentq(mismatch, 560, 700)


# ------------------------------------------------------------------ the closed forms themselves


def test_slab_solvers_agree_and_100nm_film_is_cut_off():
    # the four-layer secular equation reduces to the closed form when both layers are the film
    a = neff_te0_three_layer(N_FILM, 230.0, N_GLASS, N_AIR, 632.0)
    b = neff_te0_four_layer(N_AIR, N_FILM, 200.0, N_FILM, 30.0, N_GLASS, 632.0)
    assert a == pytest.approx(b, abs=1e-10)
    # cut-off of TE0: V = k0 t sqrt(nf^2 - ns^2) = atan(sqrt((ns^2 - nc^2) / (nf^2 - ns^2)))
    v_c = math.atan(math.sqrt((N_GLASS**2 - N_AIR**2) / (N_FILM**2 - N_GLASS**2)))
    t_c = v_c / (2 * np.pi / 630.0 * math.sqrt(N_FILM**2 - N_GLASS**2))
    assert 125 < t_c < 135
    assert neff_te0_three_layer(N_FILM, 100.0, N_GLASS, N_AIR, 630.0) is None
    assert neff_te0_three_layer(N_FILM, t_c + 1.0, N_GLASS, N_AIR, 630.0) is not None


# ------------------------------------------------------------------ (1) planar limit = Airy


@pytest.mark.parametrize("n_film", [1.70, 1.70 + 0.05j])
def test_zero_contrast_grating_matches_airy(n_film):
    lams = np.array([580.0, 617.0, 632.0, 655.0, 700.0])
    # a "grating" whose ridge and groove are the same (zero contrast) on top of a second film
    layers = [(n_film, 150.0), (n_film, n_film, 0.4, 40.0), (1.60, 80.0)]
    R, T, rt, rb = zero_order_spectrum(layers, PERIOD_NM, N_AIR, N_GLASS, lams, harmonics=5)
    for i, lam in enumerate(lams):
        r0, rb0, R0, T0 = airy_normal_incidence(N_AIR, [(n_film, 190.0), (1.60, 80.0)], N_GLASS, lam)
        assert R[i] == pytest.approx(R0, abs=1e-10)
        assert T[i] == pytest.approx(T0, abs=1e-10)
        # the amplitude from each side (tells the top from the bottom when the film absorbs)
        assert abs(rt[i]) == pytest.approx(abs(r0), abs=1e-10)
        assert abs(rb[i]) == pytest.approx(abs(rb0), abs=1e-10)
    if np.imag(n_film) > 0:
        assert np.all(R + T < 1 - 1e-3)
        assert np.all(np.abs(np.abs(rt) - np.abs(rb)) > 1e-3)


# ------------------------------------------------------------------ (2) energy conservation


def test_energy_conservation_across_the_resonances():
    lams = np.linspace(630.0, 640.0, 41)  # the 40 nm grating's band edges are at ~634.7 and ~637.0
    R, T, _, _ = zero_order_spectrum(stack(40.0, 0.3), PERIOD_NM, N_AIR, N_GLASS, lams, harmonics=HARM)
    assert np.ptp(R) > 0.1  # the bright resonance is inside the scan
    np.testing.assert_allclose(R + T, 1.0, atol=1e-9)


# ------------------------------------------------------------------ (3) Q ~ 1 / depth^2


def test_q_scales_as_inverse_depth_squared():
    q = {}
    for depth in (5.0, 10.0):
        pair = band_edge_modes(stack(depth, 0.3), PERIOD_NM, N_AIR, N_GLASS, 630.0, harmonics=HARM)
        assert pair.dark_mode is not None and pair.bright is not None
        q[depth] = pair.bright.q
    ratio = q[5.0] / q[10.0]
    # first-order perturbation theory: radiated power ~ (Delta eps * depth)^2; the 10 nm grating
    # already shifts the mode a little (the ratio is 3.93 here), so allow 3 %
    assert ratio == pytest.approx(4.0, rel=0.03)


# ------------------------------------------------------------------ (4) Bragg bracket, dark mode


@pytest.mark.parametrize("duty", [0.3, 0.7])
def test_band_edges_bracket_second_order_bragg(duty):
    depth = 10.0
    lam_b = bragg_wavelength(depth, duty)
    pair = band_edge_modes(stack(depth, duty), PERIOD_NM, N_AIR, N_GLASS, lam_b, harmonics=HARM)
    lo, hi = pair.short.wavelength_nm, pair.long.wavelength_nm
    assert lo < lam_b < hi
    # to first order in the depth the gap opens symmetrically about the Bragg wavelength of the
    # mean-permittivity slab (the midgap shift is second order: 0.002 nm here)
    assert 0.5 * (lo + hi) == pytest.approx(lam_b, abs=0.1)
    assert hi - lo < 3.0  # a 10 nm grating opens a gap of order 1 nm (0.57 nm here), not more
    # exactly one of the two is the symmetry-protected dark mode, the other radiates
    assert pair.short.dark != pair.long.dark
    bright = pair.bright
    assert 1e3 < bright.q < 1e7
    assert bright.fraction_up + bright.fraction_down == pytest.approx(1.0)
    assert 0 < bright.fraction_up < 1
    assert math.isinf(pair.dark_mode.q) and math.isnan(pair.dark_mode.fraction_up)


def test_duty_sweep_first_fourier_coefficient_and_dark_edge_swap():
    """First-order perturbation theory: the bright mode radiates through the first Fourier
    component of the grating, |eps_1| ~ |sin(pi duty)| / pi, so Q_bright ~ 1 / sin^2(pi duty); and
    the second component ~ sin(2 pi duty) changes sign at duty 0.5, which swaps the symmetric
    (bright) and antisymmetric (dark) band edges: for this grating (ridge = glass) the dark mode is
    on the long-wavelength side for duty 0.3 and on the short side for duty 0.7."""
    out = band_edge_modes_vs_duty(
        lambda d: stack(10.0, d), [0.3, 0.5, 0.7], PERIOD_NM, N_AIR, N_GLASS, 631.5, harmonics=HARM
    )
    (_, p3), (_, p5), (_, p7) = out
    assert p3.long.dark and not p3.short.dark
    assert p7.short.dark and not p7.long.dark
    for d, p in ((0.3, p3), (0.7, p7)):
        expected = math.sin(math.pi * 0.5) ** 2 / math.sin(math.pi * d) ** 2
        assert p.bright.q / p5.bright.q == pytest.approx(expected, rel=0.02)
    # at duty 0.5 the gap almost closes (what is left is the radiation-mediated coupling)
    gap = lambda p: p.long.wavelength_nm - p.short.wavelength_nm  # noqa: E731
    assert gap(p5) < 0.05 * min(gap(p3), gap(p7))


# ------------------------------------------------------------------ complex poles vs real spectrum


def test_bright_pole_matches_real_frequency_line_shape():
    """The pole found at complex frequency is also the pole of a rational (AAA) fit of the order-0
    reflection sampled on the real axis only; and the up/down split from the reflection residues
    of that fit agrees."""
    from scipy.interpolate import AAA

    pair = band_edge_modes(stack(40.0, 0.3), PERIOD_NM, N_AIR, N_GLASS, 635.0, harmonics=HARM)
    b = pair.bright
    p = b.pole_frequency
    gamma = -p.imag
    f = p.real + gamma * np.linspace(-6, 6, 61)
    R, T, rt, rb = zero_order_spectrum(stack(40.0, 0.3), PERIOD_NM, N_AIR, N_GLASS, 1 / f, harmonics=HARM)
    x = (f - p.real) / gamma  # scaled frequency: the pole is at -1j
    fits = [AAA(x, r, rtol=1e-12) for r in (rt, rb)]
    found = []
    for fit in fits:
        poles, res = fit.poles(), fit.residues()
        k = int(np.argmin(np.abs(poles + 1j)))
        found.append((poles[k], res[k]))
    for pole, _ in found:
        # the two agree to ~1e-12 of the linewidth; ask for 1e-6
        assert pole.real == pytest.approx(0.0, abs=1e-6)  # resonance frequency, in linewidths
        assert pole.imag == pytest.approx(-1.0, abs=1e-6)  # linewidth, i.e. Q
    up = abs(found[0][1]) / (abs(found[0][1]) + abs(found[1][1]))
    assert up == pytest.approx(b.fraction_up, abs=1e-6)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(period_nm=-1.0), "period_nm"),
        (dict(pol="TX"), "pol"),
        (dict(harmonics=10), "harmonics"),
        (dict(layers=[(1.7, 200.0), (1.52, 1.7, 1.2, 20.0)]), "duty"),
        (dict(layers=[(1.7, -5.0)]), "thickness_nm"),
        (dict(near_nm=float("nan")), "near_nm"),
        (dict(substrate_n=1.52 + 0.1j), "substrate_n"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, word):
    args = dict(layers=stack(20.0, 0.3), period_nm=PERIOD_NM, superstrate_n=N_AIR, substrate_n=N_GLASS, near_nm=632.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        band_edge_modes(**args)

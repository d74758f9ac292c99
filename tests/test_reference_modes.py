"""The brute-force mode reference (tests/reference/modes.py) against closed forms and tmm.

These tests validate the reference itself, with no code of the package: its characteristic
function against ``tmm`` (R and T with a gain layer, s and p, oblique), its threshold modes and
passive poles against the Fabry-Perot slab (exact Airy denominator and textbook formulas), its
Kogelnik-Shank solver against the published anchor values, layered gratings against
Kogelnik-Shank, and its completeness by refining the grid.
"""
import math

import numpy as np
import pytest
import tmm

from reference import modes as R

NM_TO_CM = 1e-7


def _fp(n, d, n2=1.0, *, kx=0.0, pol="s"):
    return R.planar(1.0, n2, [n], [d], [1.0], kx=kx, pol=pol)


def _search(st, lo, hi, gmax, refine=1):
    spacing = R.mode_spacing(st, lo)
    return R.threshold_modes(st, lo, hi, gmax, dlam=spacing / (8 * refine), dg=R.gain_step(st, gmax) / refine)


# ------------------------------------------------------------------------------------------------
# the characteristic function
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("angle", [0.0, 35.0])
def test_response_matches_tmm_with_a_gain_layer(pol, angle):
    """r, t from D = p0 B + C reproduce tmm.coh_tmm's R and T (a gain layer inside, absorbing and
    lossless layers, dispersive callables)."""
    rng = np.random.default_rng(3)
    lam = 612.0
    g = 2500.0
    n = [1.46 + 0.0j, 2.1 + 0.02j, 1.8 + 0.0j, 1.5 + 0.0j]
    d = list(rng.uniform(50.0, 300.0, 4))
    w = [0.0, 0.0, 1.0, 0.0]
    n_tmm = [1.0] + [nj - 1j * wj * g * lam * NM_TO_CM / (4 * math.pi) for nj, wj in zip(n, w)] + [1.52]
    kx = math.sin(math.radians(angle))
    st = R.planar(1.0, lambda x: np.full(np.shape(x), 1.52 + 0j), [lambda x, v=v: np.full(np.shape(x), v)
                                                                    for v in n], d, w, kx=kx, pol=pol)
    _, _, Rr, Tr = R.response(st, np.array([lam]), g)
    ref = tmm.coh_tmm(pol, n_tmm, [math.inf] + d + [math.inf], math.radians(angle), lam)
    assert Rr[0] == pytest.approx(ref["R"], rel=1e-10)
    assert Tr[0] == pytest.approx(ref["T"], rel=1e-10)


def test_repeated_blocks_equal_the_flat_layer_list():
    """Raising a period's matrix to its power by squaring equals multiplying layer by layer."""
    lam = np.linspace(990.0, 1010.0, 7)[:, None]
    g = np.array([0.0, 80.0, 300.0])[None, :]
    rep = R.layered_grating(1.499, 1.501, 1000.0, 37, w_b=0.3, n_out=1.0)
    flat = R.planar(1.0, 1.0, [1.499, 1.501] * 37, [1000 / (4 * 1.499), 1000 / (4 * 1.501)] * 37, [1.0, 0.3] * 37)
    a, b = R.characteristic(rep, lam, g), R.characteristic(flat, lam, g)
    np.testing.assert_allclose(a, b, rtol=1e-11)


# ------------------------------------------------------------------------------------------------
# Fabry-Perot slab with gain
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n2", [1.0, 1.52])
def test_fabry_perot_thresholds(n2):
    """Every mode of a 100 um slab (n = 1.8) in (629, 632) nm: the exact Airy denominator with the
    gain in the Fresnel coefficients, and the textbook g = -(1/d) ln|r1 r2|, 2 n d = m lambda."""
    n, d = 1.8, 1e5
    lo, hi = 629.0, 632.0
    res = _search(_fp(n, d, n2), lo, hi, 600.0)
    lam_tb, g_tb = R.fabry_perot_estimate(n, d, 1.0, n2, lo, hi)
    assert len(res) == lam_tb.size == 3
    order = np.argsort(res.wavelength)
    for lam, g, lt in zip(res.wavelength[order], res.gain[order], lam_tb):
        le, ge = R.fabry_perot_threshold(n, d, 1.0, n2, lt, g_tb)
        assert lam == pytest.approx(le, rel=1e-11)
        assert g == pytest.approx(ge, rel=1e-9)
        assert lam == pytest.approx(lt, rel=5e-6)   # the gain shifts the phases of r1, r2
        assert g == pytest.approx(g_tb, rel=1e-5)


@pytest.mark.parametrize("pol", ["s", "p"])
def test_fabry_perot_threshold_oblique(pol):
    """A 20 um slab between air and glass at kx = 0.6: the exact Airy threshold condition."""
    n, d, kx = 2.0, 2e4, 0.6
    st = R.planar(1.0, 1.5, [n], [d], [1.0], kx=kx, pol=pol)
    lo, hi = 640.0, 650.0
    res = _search(st, lo, hi, 3000.0)
    q = math.sqrt(n * n - kx * kx)
    assert len(res) == len([m for m in range(1, 400) if lo <= 2 * q * d / m <= hi])
    for lam, g in zip(res.wavelength, res.gain):
        le, ge = R.fabry_perot_threshold(n, d, 1.0, 1.5, lam * (1 + 1e-7), g * (1 + 1e-4), kx=kx, pol=pol)
        assert lam == pytest.approx(le, rel=1e-11)
        assert g == pytest.approx(ge, rel=1e-9)


def test_fabry_perot_passive_poles_closed_form():
    """lambda_m = 4 pi n d / (2 pi m + i ln(r1 r2)) for a slab with constant indices."""
    n, d = 2.0, 3000.0
    st = R.planar(1.0, 1.45, [n], [d])
    lo, hi = 560.0, 720.0
    poles = R.passive_poles(st, lo, hi, 40.0, dlam=R.mode_spacing(st, lo) / 8)
    exact = R.fabry_perot_poles(n, d, 1.0, 1.45, lo, hi)
    assert len(poles) == exact.size == 5
    np.testing.assert_allclose(poles.wavelength, exact, rtol=1e-11)


@pytest.mark.parametrize("dim_over_im", [1.5, 10.0, 200.0])
def test_poles_and_thresholds_in_the_first_grid_row_are_found(dim_over_im):
    """A pole much closer to the real axis than the grid step (a high-Q mode), and a threshold
    much lower than the gain step, lie in the first row of cells: the grids start exactly at zero."""
    n, d = 10.0, 3000.0
    st = R.planar(1.0, 1.0, [n], [d], [1.0])
    exact = R.fabry_perot_poles(n, d, 1.0, 1.0, 620.0, 640.0)
    poles = R.passive_poles(st, 620.0, 640.0, 5.0, dlam=0.5, dim=dim_over_im * exact[0].imag)
    np.testing.assert_allclose(poles.wavelength, exact, rtol=1e-11)
    lam_tb, g_tb = R.fabry_perot_estimate(n, d, 1.0, 1.0, 620.0, 640.0)
    res = R.threshold_modes(st, 620.0, 640.0, 100 * g_tb, dlam=0.5, dg=dim_over_im * g_tb)
    assert len(res) == lam_tb.size >= 1
    assert res.gain == pytest.approx(np.full(lam_tb.size, g_tb), rel=1e-3)


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("fixed_beta", [False, True])
def test_fabry_perot_passive_poles_oblique(pol, fixed_beta):
    """At kx = 0.5 fixed in units of k0 the Fresnel coefficients are constants and
    ``lambda_m = 4 pi q d / (2 pi m + i ln(r1 r2))``; at a fixed real in-plane wavenumber the pole is
    the zero of the Airy denominator 1 - r1 r2 exp(2 i k0 q d) with ``kx lambda / Re lambda``."""
    n, d, n2, kx = 2.0, 3000.0, 1.45, 0.5
    st = R.planar(1.0, n2, [n], [d], kx=kx, pol=pol)
    lo, hi = 600.0, 700.0
    poles = R.passive_poles(st, lo, hi, 40.0, dlam=R.mode_spacing(st, lo) / 8, fixed_beta=fixed_beta)

    def adm(m):
        q = math.sqrt(m * m - kx * kx)
        return q if pol == "s" else q / (m * m)

    q = math.sqrt(n * n - kx * kx)
    r12 = (adm(n) - adm(1.0)) / (adm(n) + adm(1.0)) * (adm(n) - adm(n2)) / (adm(n) + adm(n2))
    fixed_kx = [4 * math.pi * q * d / (2 * math.pi * m + 1j * np.log(complex(r12))) for m in range(1, 100)]
    fixed_kx = np.array([z for z in fixed_kx if lo <= z.real <= hi])[::-1]
    assert len(poles) == fixed_kx.size == 3
    if not fixed_beta:
        np.testing.assert_allclose(poles.wavelength, fixed_kx, rtol=1e-11)
    else:
        for z, z0 in zip(poles.wavelength, fixed_kx):
            exact = R.fabry_perot_pole(n, d, 1.0, n2, z0, sin_t=kx, pol=pol, fixed_beta=True)
            assert abs(z - exact) < 1e-9 * abs(z)


# ------------------------------------------------------------------------------------------------
# Kogelnik-Shank
# ------------------------------------------------------------------------------------------------
def test_kogelnik_shank_anchor_values():
    """Index coupling kappa L = 1: alpha L = 1.7548, |delta L| = 2.6663; kappa L = 2: 0.9847, 3.3797
    (Kogelnik & Shank 1972, Fig. 5); quarter-wave shifted, kappa L = 1: alpha L = 1.5265 at delta = 0;
    gain coupling kappa L = i: alpha L = 1 exactly at delta = 0 (gamma = 0)."""
    for kl, a_ref, d_ref in ((1.0, 1.7548, 2.6663), (2.0, 0.9847, 3.3797)):
        m = R.kogelnik_shank(kl)
        assert [abs(x[0]) for x in m[:2]] == pytest.approx([d_ref, d_ref], abs=1e-4)
        assert [x[1] for x in m[:2]] == pytest.approx([a_ref, a_ref], abs=1e-4)
        assert m[0][0] == pytest.approx(-m[1][0], abs=1e-9)  # a +-delta pair
        # the uniform grating's own equation gamma cosh(gamma L) = u sinh(gamma L)
        u = m[0][1] - 1j * m[0][0]
        G = np.sqrt(u * u + kl * kl)
        assert abs(G * np.cosh(G) - u * np.sinh(G)) < 1e-9
    qws = R.kogelnik_shank(1.0, phase_shift=True)
    assert qws[0][0] == pytest.approx(0.0, abs=1e-9)
    assert qws[0][1] == pytest.approx(1.5265, abs=1e-4)
    assert qws[1][1] > qws[0][1] + 0.5
    gc = R.kogelnik_shank(1j)
    assert gc[0][0] == pytest.approx(0.0, abs=1e-9)
    assert gc[0][1] == pytest.approx(1.0, abs=1e-10)


def test_weak_layered_grating_matches_kogelnik_shank():
    """The issue's grating: 1500 quarter-wave layers of 1.499/1.501 around 1000 nm, gain in every
    layer, n = 1.5 outside.  kappa = 2 dn / lambda0 (dn = 0.002: the square wave's first Fourier
    amplitude is (4/pi)(dn/2)), kappa L = 1.000; the band-edge pair has g = 2 alpha = 140.4 cm^-1."""
    st = R.layered_grating(1.499, 1.501, 1000.0, 750)
    res = _search(st, 995.0, 1005.0, 300.0)
    ks = R.ks_layered_modes(1.499, 1.501, 1000.0, 750, 6)
    assert ks[0][1] == pytest.approx(140.4, abs=0.1)
    order = np.argsort(res.wavelength[:6])
    ks_sorted = sorted(ks, key=lambda x: x[0])
    for i, (lam, g) in enumerate(ks_sorted):
        assert res.wavelength[:6][order][i] == pytest.approx(lam, rel=1e-6)
        assert res.gain[:6][order][i] == pytest.approx(g, rel=1e-3)   # coupled-mode theory is O(dn/n)


def test_weak_layered_grating_with_quarter_wave_shift():
    """(a b)^375 (b a)^375: one defect mode at the Bragg wavelength, g = 2 x 1.5265 / L."""
    st = R.layered_grating(1.499, 1.501, 1000.0, 750, shift=True)
    res = _search(st, 995.0, 1005.0, 300.0)
    ks = R.ks_layered_modes(1.499, 1.501, 1000.0, 750, 3, shift=True)
    assert ks[0][0] == pytest.approx(1000.0, rel=1e-12)
    assert res.wavelength[0] == pytest.approx(1000.0, rel=2e-6)
    assert res.gain[0] == pytest.approx(ks[0][1], rel=1e-4)
    assert res.gain[1] - res.gain[0] > 40.0


def test_pure_gain_grating_matches_kogelnik_shank():
    """Gain in every other quarter-wave layer of one index: kappa = i g / (2 pi)."""
    st = R.layered_grating(1.5, 1.5, 1000.0, 750, w_b=0.0)
    res = _search(st, 996.0, 1004.0, 450.0)
    ks = R.ks_gain_grating_modes(1.5, 1000.0, 750, 3)
    assert res.wavelength[0] == pytest.approx(ks[0][0], rel=1e-6)
    assert res.gain[0] == pytest.approx(ks[0][1], rel=1e-4)
    for lam, g in ks[1:]:
        i = np.argmin(np.abs(res.wavelength - lam))
        assert res.wavelength[i] == pytest.approx(lam, rel=1e-6)
        assert res.gain[i] == pytest.approx(g, rel=3e-3)


def test_weak_grating_in_air_counts_the_fabry_perot_modes():
    """The same grating in air: the facets (R = 4%) dominate, so (985, 1015) nm holds one mode per
    Fabry-Perot order 2 n_bar L / lambda (23 of them) with thresholds near -(1/L) ln R = 128.8 cm^-1
    away from the Bragg wavelength."""
    st = R.layered_grating(1.499, 1.501, 1000.0, 750, n_out=1.0)
    lo, hi = 985.0, 1015.0
    res = _search(st, lo, hi, 300.0)
    opt = st.optical_thickness(1000.0)
    orders = [m for m in range(1, 2000) if lo <= 2 * opt / m <= hi]
    assert len(res) == len(orders) == 23
    L = st.length() * NM_TO_CM
    g_fp = -math.log(((1.5 - 1.0) / 2.5) ** 2) / L
    far = np.abs(res.wavelength - 1000.0) > 10.0
    assert np.all(np.abs(res.gain[far] / g_fp - 1) < 0.05)


# ------------------------------------------------------------------------------------------------
# completeness
# ------------------------------------------------------------------------------------------------
def _vertical_cavity():
    H, L = 2.35, 1.46
    lam0 = 630.0
    dbr = lambda pairs, first, second: [first, second] * pairs
    n = dbr(6, H, L) + [L, 1.9, L] + dbr(8, L, H)
    d = [lam0 / (4 * x) for x in n]
    d[12], d[13], d[14] = 140.0, 25.0, 150.0
    w = [0.0] * len(n)
    w[13] = 1.0
    return R.planar(1.0, 1.52, n, d, w)


@pytest.mark.parametrize("case", ["vertical", "gain_coupled_in_air"])
def test_a_finer_grid_finds_the_same_modes(case):
    if case == "vertical":
        st, lo, hi, gmax = _vertical_cavity(), 520.0, 760.0, 3e5
    else:
        st, lo, hi, gmax = R.layered_grating(1.49, 1.51, 1000.0, 300, w_b=0.0, n_out=1.0), 975.0, 1025.0, 1500.0
    a = _search(st, lo, hi, gmax)
    b = _search(st, lo, hi, gmax, refine=3)
    assert len(a) >= 2
    assert len(a) == len(b)
    np.testing.assert_allclose(a.wavelength, b.wavelength, rtol=1e-11)
    np.testing.assert_allclose(a.gain, b.gain, rtol=1e-9)
    # and every mode is a zero of D: the residual relative to D at zero gain is tiny
    D = R.characteristic(st, a.wavelength, a.gain)
    D0 = R.characteristic(st, a.wavelength, 0.0)
    assert np.all(np.abs(D) < 1e-9 * np.abs(D0))


def test_every_zero_a_winding_counts_is_found():
    """z^3 - eps has three zeros inside one coarse cell (winding 3): all three are found."""
    x = np.linspace(-1.0, 1.0, 4)
    roots, unresolved, _, _ = R._grid_zeros(lambda X, Y: (X + 1j * Y) ** 3 - 1e-6, x, x)
    z = roots[:, 0] + 1j * roots[:, 1]
    assert len(unresolved) == 0
    np.testing.assert_allclose(np.sort_complex(z), np.sort_complex(1e-2 * np.exp(2j * np.pi * np.arange(3) / 3)),
                               atol=1e-12)


def test_a_winding_without_a_zero_is_reported():
    """A unit-modulus map that winds once around (0, 0.1) has no zero for Newton to find: the cell
    is reported as unresolved (the public searches raise), never silently dropped."""
    x = np.linspace(-1.0, 1.0, 4)
    roots, unresolved, _, _ = R._grid_zeros(lambda X, Y: np.exp(1j * np.arctan2(Y - 0.1, X)), x, x)
    assert len(roots) == 0
    assert len(unresolved) == 1

"""The small numba primitives the kernels share, each against an independent truth.

* the vectorisable exp / cos / sin polynomials of the batch kernels (``_exp_cis``) and their range
  guard against numpy's ``exp``, ``cos``, ``sin``;
* the normal-wavenumber square-root branch (``normal_wavenumber``, its real-arithmetic twin
  ``_q_of``, the shared ``wrong_branch`` test) against its definition: ``q^2 = n^2 - kx^2`` on the
  half plane ``Re q + Im q > 0`` (ties: ``Re q >= 0``), which for a passive medium is the physical
  root ``Im q >= 0`` (``Re q > 0`` when lossless and propagating, ``q = i|q|`` when evanescent)
  (cavity.conventions, docs/theory.md s.5.2);
* the interface (Rouard) step against the Fresnel coefficients of Byrnes' ``tmm`` and against the
  sum of the multiple reflections in a layer; its tangential-field form against the definition
  ``F = a + b``, ``G = Y (a - b)``;
* the layer phase against ``numpy.exp``, the round-trip factor of a slab against the closed-form
  Fabry-Perot product ``r_10 r_12 exp(2 i n_1 k0 d)``;
* the table interpolation of the pole kernels against ``numpy.interp`` (Catmull-Rom is exact for
  linear data) and the gain-to-k conversion written out;
* the 2x2 real Newton step against ``numpy.linalg.solve``; the doubling helpers of the
  field-integral kernel against numpy matrix products; the index grouping of the emission kernels.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import tmm
from hypothesis import given, settings
from hypothesis import strategies as st

from cavity.lasing import _count_kernels as CK
from cavity.lasing import _pole_kernels as PK
from cavity.optics import _emission_kernels as EK
from cavity.optics import _tmm_kernels as K

SETTINGS = settings(max_examples=60, deadline=None)


def _two_pow(bits):
    """The float64 whose bit pattern is ``bits`` (``_exp_cis`` returns 2^k that way)."""
    return float(np.array(bits, dtype=np.int64).view(np.float64))


# ---------------------------------------------------------------------------------------------
# exp / cis polynomials and their guard
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(x=st.floats(-700.0, 700.0), th=st.floats(-1.0e5, 1.0e5))
def test_exp_cis_matches_numpy(x, th):
    mant, bits, c, s = K._exp_cis(x, th)
    assert 0.7 < mant < 1.42  # exp of the reduced argument |r| <= ln2/2
    e = mant * _two_pow(bits)
    assert abs(e - math.exp(x)) <= 5e-16 * math.exp(x)
    # the reduction of |th| <= 1e5 loses ~|th| eps(pi/2 split) at most: absolute 1e-15
    assert abs(c - math.cos(th)) <= 1e-15 and abs(s - math.sin(th)) <= 1e-15


@pytest.mark.parametrize("x", [-700.0, -699.9999, -1.0e-300, 0.0, 5e-324, 0.5 * math.log(2.0), 1.0, 354.7, 700.0])
@pytest.mark.parametrize("th", [0.0, 1e-300, math.pi / 4, math.pi / 2, math.pi, 3 * math.pi / 2, -2.5, 12345.678,
                                -99999.9, 1.0e5])
def test_exp_cis_edges(x, th):
    """Ends of the range, quadrant boundaries, subnormal and zero arguments."""
    mant, bits, c, s = K._exp_cis(x, th)
    assert mant * _two_pow(bits) == pytest.approx(np.exp(x), rel=5e-16, abs=0.0)
    assert c == pytest.approx(np.cos(th), abs=1e-15)
    assert s == pytest.approx(np.sin(th), abs=1e-15)
    assert c * c + s * s == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("xe,xt", [(700.5, 0.0), (-701.0, 1.0), (0.0, 1.0e5 * (1 + 1e-15)), (-3.0, -2.0e5),
                                   (math.inf, 0.0), (0.0, -math.inf), (math.nan, 0.0), (0.0, math.nan)])
def test_exp_cis_guard_refuses_out_of_range(xe, xt):
    """Outside |xe| <= 700, |xt| <= 1e5 (or NaN) the guard returns exp(0) cis(0) and ok = False:
    the batch kernels then recompute that wavelength with the scalar recursion."""
    mant, bits, c, s, ok = K._exp_cis_guarded(xe, xt)
    assert not ok
    assert mant * _two_pow(bits) == 1.0 and c == 1.0 and s == 0.0


@SETTINGS
@given(xe=st.floats(-700.0, 700.0), xt=st.floats(-1.0e5, 1.0e5))
def test_exp_cis_guard_passes_the_range(xe, xt):
    mant, bits, c, s, ok = K._exp_cis_guarded(xe, xt)
    assert ok
    assert mant * _two_pow(bits) == pytest.approx(math.exp(xe), rel=5e-16)
    assert c == pytest.approx(math.cos(xt), abs=1e-15) and s == pytest.approx(math.sin(xt), abs=1e-15)


# ---------------------------------------------------------------------------------------------
# square-root branch
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("qr,qi,flip", [(1.0, 0.0, False), (-1.0, 0.0, True), (0.0, 1.0, False), (0.0, -1.0, True),
                                        (1.0, -1.0, False), (-1.0, 1.0, True),  # ties: Re q >= 0 kept
                                        (0.0, 0.0, False), (-0.0, 0.0, False), (2.0, -1.5, False),
                                        (-2.0, 1.5, True), (1e-300, -1e-300, False)])
def test_wrong_branch_is_the_half_plane(qr, qi, flip):
    assert bool(K.wrong_branch(qr, qi)) == flip


def _check_branch(q, n, kx):
    q2 = n * n - kx * kx
    assert abs(q * q - q2) <= 1e-14 * max(1.0, abs(n) ** 2, kx * kx)
    s = q.real + q.imag
    assert s > 0.0 or (s == 0.0 and q.real >= 0.0)
    if n.imag >= 0.0 and n.real >= 0.0:  # passive: the physical root
        assert q.imag >= 0.0
        if n.imag == 0.0 and n.real > kx:
            assert q.real > 0.0 and q.imag == 0.0
        if n.imag == 0.0 and n.real < kx:
            assert q.imag > 0.0 and abs(q.real) <= 1e-16 * abs(q)


@SETTINGS
@given(nr=st.floats(0.05, 6.0), ni=st.floats(-0.5, 8.0), kx=st.floats(0.0, 4.0))
def test_normal_wavenumber_branch(nr, ni, kx):
    n = complex(nr, ni)
    q = K.normal_wavenumber(n, kx * kx)
    _check_branch(q, n, kx)


@SETTINGS
@given(nr=st.floats(0.05, 6.0), kx=st.floats(0.0, 4.0))
def test_normal_wavenumber_lossless(nr, kx):
    """Lossless media: outgoing (q > 0) below the critical condition, decaying (q = i|q|) above."""
    n = complex(nr, 0.0)
    q = K.normal_wavenumber(n, kx * kx)
    _check_branch(q, n, kx)
    if nr != kx:
        root = np.sqrt(abs(nr * nr - kx * kx))
        expect = root if nr > kx else 1j * root
        assert abs(q - expect) <= 1e-15 * max(1.0, abs(expect))


@SETTINGS
@given(nr=st.floats(0.05, 6.0), ni=st.floats(-0.5, 8.0), kx=st.floats(0.0, 4.0))
def test_real_arithmetic_root_agrees(nr, ni, kx):
    """``_q_of`` (the vectorised batch form, real arithmetic) gives the same root where it reports
    itself accurate, and flags the thin-q neighbourhood |q| <= 1e-5."""
    n = complex(nr, ni)
    qr, qi, ok = K._q_of(nr, ni, kx * kx, False)
    q = complex(qr, qi)
    ref = np.sqrt(complex(n * n - kx * kx))
    ref = -ref if (ref.real + ref.imag < 0 or (ref.real + ref.imag == 0 and ref.real < 0)) else ref
    if ok:
        # both roots carry the rounding of n^2 - kx^2 (~eps max(|n|^2, kx^2)), amplified by 1 / |2 q|
        assert abs(q - ref) <= 4e-16 * abs(ref) + 4e-16 * max(1.0, abs(n) ** 2, kx * kx) / abs(ref)
        _check_branch(q, n, kx)
    else:
        assert abs(ref) <= 1.0001e-5
    # at normal incidence q = n on the branch (no square root)
    qr0, qi0, ok0 = K._q_of(nr, ni, 0.0, True)
    assert ok0 and complex(qr0, qi0) == (n if not K.wrong_branch(nr, ni) else -n)


# ---------------------------------------------------------------------------------------------
# interface (Rouard) step
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(n1=st.floats(1.0, 4.0), n2=st.floats(1.0, 4.0), deg=st.floats(0.0, 89.0), pol=st.sampled_from(["s", "p"]))
def test_interface_step_is_fresnel(n1, n2, deg, pol):
    """With no wave coming back (gp = 0) the step gives tmm's Fresnel coefficients: r and t of E for
    s; for p the engine's admittance Y = q / n^2 acts on H, so r = tmm's r_p and t = t_p n2 / n1."""
    th1 = np.deg2rad(deg)
    th2 = tmm.snell(n1, n2, th1)
    kx = n1 * np.sin(th1)
    code = 0 if pol == "s" else 1
    y1 = K.admittance(K.normal_wavenumber(complex(n1), kx * kx), complex(n1), code)
    y2 = K.admittance(K.normal_wavenumber(complex(n2), kx * kx), complex(n2), code)
    gam, tau, den = K.interface_step(y1, y2, 0j)
    r_ref = tmm.interface_r(pol, n1, n2, th1, th2)
    t_ref = tmm.interface_t(pol, n1, n2, th1, th2) * (1.0 if pol == "s" else n2 / n1)
    assert den == 1.0
    # tmm takes cos(theta_2) from arcsin (Snell): it loses ~eps / cos^2(theta_1) near grazing
    tol = 3e-14 / np.cos(th1) ** 2
    assert abs(gam - r_ref) <= tol * max(1.0, abs(r_ref))
    assert abs(tau - t_ref) <= tol * max(1.0, abs(t_ref))


@SETTINGS
@given(y1r=st.floats(0.5, 4.0), y1i=st.floats(0.0, 1.0), y2r=st.floats(0.5, 4.0), y2i=st.floats(0.0, 1.0),
       gam_f=st.complex_numbers(max_magnitude=0.95), ph_abs=st.floats(0.0, 1.0), ph_arg=st.floats(-4.0, 4.0))
def test_interface_step_sums_the_multiple_reflections(y1r, y1i, y2r, y2i, gam_f, ph_abs, ph_arg):
    """A far medium with reflection Gamma_f at its far face and one-way factor p: the waves bouncing
    in it sum to Gamma = r12 + t12 t21 Gamma_f p^2 sum_k (r21 Gamma_f p^2)^k and a forward amplitude
    at its near face t12 sum_k (r21 Gamma_f p^2)^k (series summed here term by term)."""
    y1, y2 = complex(y1r, y1i), complex(y2r, y2i)
    p = ph_abs * complex(math.cos(ph_arg), math.sin(ph_arg))
    gp = gam_f * p * p
    r12 = (y1 - y2) / (y1 + y2)
    t12 = 2 * y1 / (y1 + y2)
    r21 = -r12
    t21 = 2 * y2 / (y1 + y2)
    bounce = r21 * gp
    series = 0j
    term = 1.0 + 0j
    for _ in range(2000):
        series += term
        term *= bounce
        if abs(term) < 1e-18:
            break
    gam, tau, den = K.interface_step(y1, y2, gp)
    assert abs(gam - (r12 + t12 * t21 * gp * series)) <= 1e-12
    assert abs(tau * den - t12 * series) <= 1e-12 * max(1.0, abs(t12 * series))


@SETTINGS
@given(yr=st.floats(0.01, 5.0), yi=st.floats(-1.0, 1.0), a=st.complex_numbers(min_magnitude=0.1, max_magnitude=10.0),
       b=st.complex_numbers(max_magnitude=10.0))
def test_fields_step_is_the_amplitude_split(yr, yi, a, b):
    """F = a + b, G = Y (a - b) per unit forward amplitude beyond the face (divided by that
    amplitude): Gamma = b / a and the amplitude gain tau * den = 1 / a."""
    y = complex(yr, yi)
    gam, tau, den = K.fields_step(y, (a + b) / 1.0, y * (a - b))
    assert abs(gam - b / a) <= 1e-12 * max(1.0, abs(b / a))
    assert abs(tau * den - 1.0 / a) <= 1e-12 * abs(1.0 / a)


def test_fields_step_equals_interface_step():
    """Fields F = 1 + gp, G = Y_f (1 - gp) at the interface are the interface step (module notes)."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        y1, y2 = rng.uniform(0.2, 4, 2) + 1j * rng.uniform(0, 1, 2)
        gp = 0.9 * rng.uniform() * np.exp(1j * rng.uniform(-np.pi, np.pi))
        g1, t1, d1 = K.interface_step(y1, y2, gp)
        g2, t2, d2 = K.fields_step(y1, 1.0 + gp, y2 * (1.0 - gp))
        assert abs(g1 - g2) <= 1e-14 and abs(t1 * d1 - t2 * d2) <= 1e-14 * abs(t1 * d1)


@SETTINGS
@given(qr=st.floats(0.0, 3.0), qi=st.floats(0.0, 0.5), nr=st.floats(1.0, 3.0), ni=st.floats(0.0, 0.3),
       k0d=st.floats(0.0, 20.0), pol=st.sampled_from([0, 1]), a=st.complex_numbers(max_magnitude=2.0),
       b=st.complex_numbers(max_magnitude=2.0))
def test_characteristic_matrix_propagates_plane_waves(qr, qi, nr, ni, k0d, pol, a, b):
    """Fields of a x exp(i q k0 u) + b exp(-i q k0 u) in a layer: F = a e^{ix} + b e^{-ix},
    G = Y (a e^{ix} - b e^{-ix}), x = q k0 u, Y = q (s) or q / n^2 (p); the matrix maps the fields at
    u = 0 onto those at u = d."""
    q, n = complex(qr, qi), complex(nr, ni)
    if abs(q) < 1e-3:
        return
    y = q if pol == 0 else q / (n * n)
    m11, m12, m21, m22 = K.characteristic_matrix(q, y, n, k0d, pol)
    x = q * k0d
    f0, g0 = a + b, y * (a - b)
    f1 = a * np.exp(1j * x) + b * np.exp(-1j * x)
    g1 = y * (a * np.exp(1j * x) - b * np.exp(-1j * x))
    scale = 1.0 + abs(a) * abs(np.exp(1j * x)) + abs(b) * abs(np.exp(-1j * x))
    assert abs(m11 * f0 + m12 * g0 - f1) <= 1e-12 * scale
    assert abs(m21 * f0 + m22 * g0 - g1) <= 1e-12 * scale * max(1.0, abs(y))
    # the thin-layer form applies it (sgn +1) and its inverse (sgn -1)
    f, g = K.thin_layer_fields(f0, g0, q, y, n, k0d, pol, 1.0)
    assert abs(f - f1) <= 1e-12 * scale and abs(g - g1) <= 1e-12 * scale * max(1.0, abs(y))


def test_characteristic_matrix_normal_incidence_and_zero_q():
    """s at normal incidence: [[cos d, i sin d / n], [i n sin d, cos d]], d = n k0 d; at q = 0 the
    field is linear: [[1, i k0 d (q/Y)], [0, 1]] with q/Y = 1 (s) or n^2 (p)."""
    n = 2.1 + 0.05j
    k0d = 2 * np.pi / 633.0 * 250.0
    m = K.characteristic_matrix(n, n, n, k0d, 0)
    dl = n * k0d
    assert np.allclose(m, [np.cos(dl), 1j * np.sin(dl) / n, 1j * n * np.sin(dl), np.cos(dl)], rtol=1e-14, atol=1e-15)
    for pol, ratio in ((0, 1.0), (1, n * n)):
        m = K.characteristic_matrix(0j, 0j, n, k0d, pol)
        assert m[0] == 1.0 and m[3] == 1.0 and m[2] == 0.0
        assert abs(m[1] - 1j * k0d * ratio) <= 1e-15 * abs(k0d * ratio)
    assert np.allclose(CK._lin(n, 250.0, 2 * np.pi / 633.0), K.characteristic_matrix(n, n, n, k0d, 0), rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# layer phase and the round trip of a slab
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(qr=st.floats(0.0, 5.0), qi=st.floats(0.0, 5.0), k0d=st.floats(0.0, 50.0))
def test_layer_phase(qr, qi, k0d):
    q = complex(qr, qi)
    ph = K.layer_phase(q, k0d)
    assert abs(ph - np.exp(1j * q * k0d)) <= 1e-15 * max(1.0, abs(ph)) + 1e-300
    assert abs(ph) <= 1.0  # bounded on the engine's branch
    assert abs(K.layer_phase(2.0 * q, k0d) - np.exp(2j * q * k0d)) <= 1e-15


@pytest.mark.parametrize("pol", [0, 1])
def test_round_trip_of_a_slab_is_fabry_perot(pol):
    """Normal incidence, slab n1 between n0 and n2: r_L r_R exp(2 i n1 k0 d) with r_1j = (n1 - nj) /
    (n1 + nj) for E (s); the H amplitudes of p give the same product (both signs flip)."""
    n0, n1, n2 = 1.0 + 0j, 2.2 + 0.01j, 1.5 + 0j
    d = np.array([0.0, 317.0, 0.0])
    n = np.array([n0, n1, n2])
    for lam in (400.0, 550.0 + 3j, 900.0):
        k0 = 2 * np.pi / lam
        got = K.round_trip(n, d, k0, 0j, pol, 1)
        r10 = (n1 - n0) / (n1 + n0)
        r12 = (n1 - n2) / (n1 + n2)
        expect = r10 * r12 * np.exp(2j * n1 * k0 * d[1])
        assert abs(got - expect) <= 1e-14 * max(1.0, abs(expect))


# ---------------------------------------------------------------------------------------------
# table interpolation (pole kernels)
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(a=st.floats(-3.0, 3.0), b=st.floats(-0.01, 0.01), lam=st.floats(400.0, 800.0), K_=st.integers(2, 40))
def test_interpolation_exact_for_linear_tables(a, b, lam, K_):
    """Catmull-Rom with linear end extrapolation reproduces linear data: numpy.interp of the table."""
    grid = np.linspace(400.0, 800.0, K_)
    row = a + b * grid
    i, w0, w1, w2, w3 = PK._spline_weights(lam, grid)
    assert 0 <= i <= K_ - 2
    assert w0 + w1 + w2 + w3 == pytest.approx(1.0, abs=1e-14)
    got = PK._interp_row(row, i, w0, w1, w2, w3)
    assert got == pytest.approx(np.interp(lam, grid, row), abs=1e-12 * max(1.0, abs(a) + 800 * abs(b)))


def test_interpolation_hits_the_nodes_and_converges():
    """Interpolating: the nodes come back exactly; a smooth function to O(h^3) inside (Catmull-Rom:
    error <= max|f'(3)| h^3 / 32 here) and O(h^2) in the end intervals (a linearly extrapolated
    neighbour: <= max|f'(2)| h^2 / 8)."""
    for K_ in (11, 21, 41):
        grid = np.linspace(400.0, 800.0, K_)
        row = np.sin(grid / 60.0)  # derivatives <= 1 in units of x / 60
        for j in range(K_):
            i, *w = PK._spline_weights(grid[j], grid)
            assert PK._interp_row(row, i, *w) == pytest.approx(row[j], abs=1e-14)
        fine = np.linspace(400.0, 800.0, 997)
        err = np.array([abs(PK._interp_row(row, *PK._spline_weights(x, grid)) - np.sin(x / 60.0)) for x in fine])
        h = (grid[1] - grid[0]) / 60.0
        inner = (fine >= grid[1]) & (fine <= grid[-2])
        assert err[inner].max() <= h ** 3 / 32
        assert err.max() <= h ** 2 / 8


def test_indices_at_interpolates_and_adds_gain():
    """n(lambda) from the tables (numpy.interp of linear data) plus k = -mask g lambda / (4 pi),
    lambda in cm, in the masked media; media_at is the same with the gain in cm^-1."""
    grid = np.linspace(500.0, 700.0, 21)
    n_tab = np.array([1.0 + 0 * grid, 2.0 + 1e-4 * (grid - 500) + 0.002j, 1.5 + 0.001j + 0 * grid], dtype=complex)
    gain_tab = 100.0 + 2.0 * (grid - 500)
    mask = np.array([0.0, 0.7, 0.0])
    out = np.empty(3, complex)
    for lam, scale in ((512.3, 2.0), (650.0, 0.0), (699.9, 37.5)):
        PK.indices_at(lam, grid, n_tab, gain_tab, scale, mask, out)
        g = scale * np.interp(lam, grid, gain_tab)
        for m in range(3):
            ref = np.interp(lam, grid, n_tab[m].real) + 1j * np.interp(lam, grid, n_tab[m].imag)
            ref += -1j * mask[m] * g * (lam * 1e-7) / (4 * np.pi)
            assert abs(out[m] - ref) <= 1e-13
        out2 = np.empty(3, complex)
        CK.media_at(lam, scale, grid, n_tab, gain_tab, mask, out2)
        assert np.array_equal(out, out2)


# ---------------------------------------------------------------------------------------------
# Newton step, doubling helpers, grouping
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(f=st.complex_numbers(max_magnitude=10.0), a=st.complex_numbers(max_magnitude=10.0),
       b=st.complex_numbers(max_magnitude=10.0), hx=st.floats(1e-3, 1.0), hy=st.floats(1e-3, 1.0))
def test_real_newton_step(f, a, b, hx, hy):
    """The step from forward differences of a function with derivatives a, b (f linear: the
    differences are exact up to rounding) solves the real 2x2 system (numpy.linalg.solve)."""
    J = np.array([[a.real, b.real], [a.imag, b.imag]])
    if abs(np.linalg.det(J)) < 1e-3:
        return
    ok, det, dx, dy = PK.real_newton_step(f, f + a * hx, hx, f + b * hy, hy)
    assert ok and det == pytest.approx(np.linalg.det(J), rel=1e-6, abs=1e-9)
    step = np.linalg.solve(J, -np.array([f.real, f.imag]))
    assert np.allclose([dx, dy], step, rtol=1e-5, atol=1e-6)


def test_real_newton_step_singular():
    for a, b in ((1 + 1j, 2 + 2j), (0j, 1 + 0j), (complex(math.inf, 0), 1j), (complex(math.nan, 0), 1j)):
        ok, det, dx, dy = PK.real_newton_step(1 + 1j, 1 + 1j + a, 1.0, 1 + 1j + b, 1.0)
        assert not ok and dx == 0.0 and dy == 0.0


def test_doubling_helpers_are_matrix_products():
    rng = np.random.default_rng(5)
    L = 4
    A = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    S = rng.normal(size=(L, 2, 2)) + 1j * rng.normal(size=(L, 2, 2))
    O = rng.normal(size=(L, 2, 2)) + 1j * rng.normal(size=(L, 2, 2))
    s = [np.ascontiguousarray(S[:, i, j]) for i in range(2) for j in range(2)]
    o = [np.ascontiguousarray(O[:, i, j]) for i in range(2) for j in range(2)]
    CK._add_sandwiched(A[0, 0], A[0, 1], A[1, 0], A[1, 1], *s, *o, L)
    expect = O + np.einsum("ji,ljk,km->lim", A.conj(), S, A)
    got = np.stack([np.stack([o[0], o[1]], -1), np.stack([o[2], o[3]], -1)], -2)
    assert np.allclose(got, expect, rtol=1e-13, atol=1e-13)
    # in place: S += A^H S A
    CK._add_sandwiched(A[0, 0], A[0, 1], A[1, 0], A[1, 1], *s, *s, L)
    got = np.stack([np.stack([s[0], s[1]], -1), np.stack([s[2], s[3]], -1)], -2)
    assert np.allclose(got, S + np.einsum("ji,ljk,km->lim", A.conj(), S, A), rtol=1e-13, atol=1e-13)
    B = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    *prod, growth = CK._mul_tracked(*A.ravel(), *B.ravel(), -5.0)
    assert np.allclose(np.reshape(prod, (2, 2)), A @ B, rtol=1e-14)
    assert growth >= -5.0 and growth >= np.log(np.abs(A @ B).max()) - np.log(4.0)
    # normalised product: A B / m with the log of the removed factor added to the scale
    *prod, log_scale = CK._mul_normalised(*A.ravel(), *B.ravel(), 1.25)
    m = np.exp(log_scale - 1.25)
    assert np.allclose(m * np.reshape(prod, (2, 2)), A @ B, rtol=1e-14)
    zero = CK._mul_normalised(*np.zeros(4, complex), *B.ravel(), 1.25)
    assert zero[4] == 1.25 and not any(zero[:4])


def test_groups_classify_indices_and_layers():
    n = np.array([1.0, 2.0 + 0.1j, 1.5, 2.0 + 0.1j, 1.5, 2.0 + 0.1j, 1.0], dtype=complex)
    d = np.array([0.0, 80.0, 100.0, 80.0, 90.0, 70.0, 0.0])
    g = EK.groups(n, d)
    nq, npair = g[4, 0], g[4, 1]
    assert nq == 3 and npair == 4
    for m in range(7):  # each medium's class holds a medium of the same index
        assert n[g[0, g[1, m]]] == n[m]
    for m in range(1, 6):
        r = g[2, g[3, m]]
        assert n[r] == n[m] and d[r] == d[m]
    assert g[3, 1] == g[3, 3] != g[3, 5]

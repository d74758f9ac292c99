"""Pole (self-oscillation) kernels: the lasing threshold and the passive resonances.

The pole condition at a reference plane -- the left boundary of medium ``plane`` (the first gain
layer, or any interior layer for passive resonances) -- is

    f(lambda, g) = 1 - r_L r_R = 0,

``r_L`` the reflection coefficient looking towards the incident medium and ``r_R`` the one
looking towards the substrate (including the propagation through medium ``plane``), both from
the stable recursion of :mod:`cavity.optics._tmm_kernels` (docs/theory.md s.3.1 and s.5.3).

Dispersion inside the iterations comes from tables: the passive indices ``n_tab[M, K]`` and a
gain spectrum ``gain_tab[K]`` (cm^-1, multiplied by the unknown scale) sampled on the uniform
grid ``lam_tab[K]`` (nm), interpolated with cubic Catmull-Rom splines (C1, exact for linear
dispersion).  Gain adds ``k = -mask[m] * scale * gain(lambda) * lambda / (4 pi)`` (lambda in cm)
to medium m: ``mask[m] = 1`` for a gain layer, a confinement factor for a waveguide section.
For a complex wavelength the indices are taken at ``Re lambda``
(no analytic continuation of the dispersion) and ``k0 = 2 pi / lambda`` is complex.

Convergence: the Newton step falls below ``tol`` (relative) or ``|f| < 1e-13``.
Kernels return status codes instead of raising: 0 converged, 1 not converged within the
iteration limit, 2 left the tabulated window, 3 singular Jacobian.
"""
from __future__ import annotations

import cmath
import math

import numpy as np

from numba import prange

from .._jit import kernel, parallel_kernel
from ..conventions import GAIN_TO_K
from ..optics._tmm_kernels import round_trip

CONVERGED = 0
NOT_CONVERGED = 1
OUT_OF_WINDOW = 2
SINGULAR = 3

#: |1 - r_L r_R| below which a pole counts as found (f is O(1) away from poles)
_RESIDUAL_TOL = 1e-13
_GAIN_TO_K = GAIN_TO_K  # k = -g[cm^-1] * lambda[nm] * 1e-7 / (4 pi), cavity.conventions


@kernel
def _spline_weights(lam, lam_tab):
    """Index i and Catmull-Rom weights for the points i-1..i+2 (clamped at the ends)."""
    K = lam_tab.shape[0]
    h = (lam_tab[K - 1] - lam_tab[0]) / (K - 1)
    x = (lam - lam_tab[0]) / h
    i = int(math.floor(x))
    if i < 0:
        i = 0
    if i > K - 2:
        i = K - 2
    u = x - i
    u2 = u * u
    u3 = u2 * u
    w0 = -0.5 * u3 + u2 - 0.5 * u
    w1 = 1.5 * u3 - 2.5 * u2 + 1.0
    w2 = -1.5 * u3 + 2.0 * u2 + 0.5 * u
    w3 = 0.5 * u3 - 0.5 * u2
    return i, w0, w1, w2, w3


@kernel
def _interp_row(row, i, w0, w1, w2, w3):
    K = row.shape[0]
    im1 = i - 1 if i > 0 else 0
    ip2 = i + 2 if i + 2 < K else K - 1
    # at the ends, linear extrapolation of the missing neighbour keeps linear data exact
    a = row[im1] if i > 0 else 2.0 * row[i] - row[i + 1]
    dd = row[ip2] if i + 2 < K else 2.0 * row[i + 1] - row[i]
    return w0 * a + w1 * row[i] + w2 * row[i + 1] + w3 * dd


@kernel
def indices_at(lam_re, lam_tab, n_tab, gain_tab, scale, mask, out):
    """Interpolated indices of all media at ``lam_re`` (nm) with gain ``scale * gain_tab``."""
    i, w0, w1, w2, w3 = _spline_weights(lam_re, lam_tab)
    g = scale * _interp_row(gain_tab, i, w0, w1, w2, w3)
    dk = -g * lam_re * _GAIN_TO_K
    for m in range(n_tab.shape[0]):
        out[m] = _interp_row(n_tab[m], i, w0, w1, w2, w3)
        if mask[m] != 0.0:
            out[m] = out[m] + 1j * (dk * mask[m])


@kernel
def real_newton_step(f, f_x, h_x, f_y, h_y):
    """Newton step ``(dx, dy)`` for a zero of a complex function ``f`` of two real variables from
    its values ``f_x = f(x + h_x, y)``, ``f_y = f(x, y + h_y)``: with the forward differences
    ``a = (f_x - f) / h_x``, ``b = (f_y - f) / h_y`` the solution of
    ``[[Re a, Re b], [Im a, Im b]] [dx, dy] = -[Re f, Im f]`` (Cramer's rule).  Returns
    ``(ok, det, dx, dy)``; ``ok`` is False (and the step 0) when the determinant is 0 or not finite
    (singular Jacobian)."""
    a = (f_x - f) / h_x
    b = (f_y - f) / h_y
    det = a.real * b.imag - b.real * a.imag
    if det == 0.0 or not math.isfinite(det):
        return False, det, 0.0, 0.0
    return True, det, -(f.real * b.imag - b.real * f.imag) / det, -(a.real * f.imag - f.real * a.imag) / det


@kernel
def pole_function(lam, scale, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work):
    """``f = 1 - r_L r_R`` at the left boundary of medium ``plane``; ``lam`` may be complex.

    ``sin_t`` is the sine of the angle in the incident medium: ``kx = Re n_0(Re lam) sin_t`` at
    the wavelength itself (a dispersive incident medium changes kx across the window)."""
    indices_at(lam.real, lam_tab, n_tab, gain_tab, scale, mask, work)
    kx = work[0].real * sin_t
    return 1.0 - round_trip(work, d, 2.0 * math.pi / lam, kx * kx, pol, plane)


@kernel
def _newton_setup(n_tab, lam_tab):
    """Work array of the indices, the tabulated window ``[lo, hi]`` (nm) and the largest step of
    the Newton iterations (1/20 of the window)."""
    lo = lam_tab[0]
    hi = lam_tab[lam_tab.shape[0] - 1]
    return np.empty(n_tab.shape[0], dtype=np.complex128), lo, hi, (hi - lo) / 20.0


@kernel
def threshold_newton(lam0, g0, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, tol, maxit):
    """Real (lambda, scale) with ``f = 0``: 2x2 Newton with finite-difference Jacobian.

    Returns ``(lam, scale, iterations, status, residual)``; the residual is ``|f|``.
    Steps are damped so that lambda stays inside the table and moves by at most 1/20 of the
    window per iteration.
    """
    work, lo, hi, max_step = _newton_setup(n_tab, lam_tab)
    lam = lam0
    g = g0
    status = NOT_CONVERGED
    it = 0
    res = 0.0
    for it in range(1, maxit + 1):
        f = pole_function(lam + 0j, g, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work)
        res = abs(f)
        if res < _RESIDUAL_TOL and it > 1:
            status = CONVERGED  # f is O(1)-scaled: finite-difference noise would stall the step test
            break
        hl = 1e-7 * lam
        hg = 1e-6 * (abs(g) + 1.0)
        fl = pole_function(lam + hl + 0j, g, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work)
        fg = pole_function(lam + 0j, g + hg, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work)
        ok, det, dl, dg = real_newton_step(f, fl, hl, fg, hg)
        if not ok:
            status = SINGULAR
            break
        if abs(dl) > max_step:
            s = max_step / abs(dl)
            dl *= s
            dg *= s
        lam += dl
        g += dg
        if lam < lo or lam > hi:
            status = OUT_OF_WINDOW
            break
        if abs(dl) < tol * lam and abs(dg) < tol * (abs(g) + 1.0):
            f = pole_function(lam + 0j, g, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work)
            res = abs(f)
            status = CONVERGED
            break
    return lam, g, it, status, res


@kernel
def complex_pole_newton(lam0, scale, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, tol, maxit):
    """Complex wavelength ``lam`` with ``f(lam) = 0`` at fixed gain scale (secant-type Newton
    with a complex finite-difference derivative).  Returns ``(lam, iterations, status, |f|)``."""
    work, lo, hi, max_step = _newton_setup(n_tab, lam_tab)
    lam = lam0
    status = NOT_CONVERGED
    it = 0
    res = 0.0
    for it in range(1, maxit + 1):
        f = pole_function(lam, scale, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work)
        res = abs(f)
        if res < _RESIDUAL_TOL and it > 1:
            status = CONVERGED
            break
        h = 1e-7 * abs(lam)
        f1 = pole_function(lam + h, scale, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work)
        der = (f1 - f) / h
        if der == 0:
            status = SINGULAR
            break
        step = -f / der
        if abs(step) > max_step:
            step = step * (max_step / abs(step))
        lam = lam + step
        if lam.real < lo or lam.real > hi:
            status = OUT_OF_WINDOW
            break
        if abs(step) < tol * abs(lam):
            res = abs(pole_function(lam, scale, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work))
            status = CONVERGED
            break
    return lam, it, status, res


@kernel
def linearised_start(pole, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol):
    """Start of the real (lambda, g) Newton from a passive pole: with ``f ~ f_l (lambda - pole) +
    f_g g`` near the pole, a real lambda needs ``g0 = Im pole / Im(f_g/f_l)`` and
    ``lambda0 = Re pole - g0 Re(f_g/f_l)`` (first order).  Returns ``(lambda0, g0)``."""
    work = np.empty(n_tab.shape[0], dtype=np.complex128)
    h = 1e-6 * abs(pole)
    f0 = pole_function(pole, 0.0, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work)
    fl = (pole_function(pole + h, 0.0, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work) - f0) / h
    fg = pole_function(pole, 1.0, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, work) - f0
    ratio = fg / fl
    if ratio.imag != 0.0:
        g0 = pole.imag / ratio.imag
        return pole.real - g0 * ratio.real, g0
    return pole.real, 0.0


@kernel
def threshold_from_guess(lam_guess, q_guess, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, tol, maxit):
    """Passive pole near ``lam_guess`` (complex Newton from ``lam_guess + i lam_guess/(2 q_guess)``),
    then the real threshold (lambda, g) by the 2x2 Newton from the linearised start.

    Returns ``(passive_pole, passive_status, lam, g, iterations, status)``.
    """
    start = lam_guess + 1j * lam_guess / (2.0 * q_guess)
    pole, it1, st, res = complex_pole_newton(start, 0.0, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, tol, maxit)
    if st != CONVERGED:
        return pole, st, lam_guess, math.nan, it1, st
    lam0, g0 = linearised_start(pole, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol)
    lam, g, it2, st2, res2 = threshold_newton(lam0, g0, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, tol, maxit)
    return pole, st, lam, g, it1 + it2, st2


@kernel
def _threshold_one(i, lam_guess, q_guess, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, tol, maxit,
                   poles, pole_status, lams, gains, iters, status):
    p, pst, lam, g, it, st = threshold_from_guess(lam_guess, q_guess, lam_tab, n_tab[i], gain_tab, mask[i], d[i], plane[i],
                                             sin_t, pol, tol, maxit)
    poles[i] = p
    pole_status[i] = pst
    lams[i] = lam
    gains[i] = g
    iters[i] = it
    status[i] = st


@kernel
def threshold_batch(*args):
    """Serial population driver; the arguments and outputs of :func:`threshold_batch_parallel`
    (``args[3]`` is ``n_tab``)."""
    for i in range(args[3].shape[0]):
        _threshold_one(i, *args)


@parallel_kernel
def threshold_batch_parallel(lam_guess, q_guess, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, tol, maxit,
                             poles, pole_status, lams, gains, iters, status):
    """Threaded population driver: ``n_tab[D, M, K]``, ``mask[D, M]``, ``d[D, M]``, ``plane[D]``;
    each design writes its own output slots."""
    for i in prange(n_tab.shape[0]):
        _threshold_one(i, lam_guess, q_guess, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol, tol, maxit,
                       poles, pole_status, lams, gains, iters, status)


@kernel
def _expint_real(x, d):
    """``int_0^d exp(x u / d) du = d expm1(x) / x`` for real ``x`` (``d`` at 0)."""
    if x == 0.0:
        return d
    return d * math.expm1(x) / x


@kernel
def _expint_imag(t, d):
    """``int_0^d exp(i t u / d) du = d (exp(i t) - 1) / (i t)`` for real ``t``, without cancellation
    (``cos t - 1 = -2 sin^2(t/2)``)."""
    if t == 0.0:
        return complex(d, 0.0)
    s = math.sin(0.5 * t)
    return d * complex(math.sin(t), 2.0 * s * s) / t


@kernel
def field_integrals(n, d, wavelength, kx, pol, q, y, al, br, ph, total, envelope):
    """Closed-form ``int |E|^2 dz`` over each medium (``total``) and the same without the
    interference term (``envelope``), from the amplitudes of :func:`cavity.optics._tmm_kernels.amplitudes`
    (``q, y, al, br, ph`` filled by the caller).  Outer media get 0.

    With ``E = A exp(i b u) + B exp(i b (d - u))``: ``int |E|^2 = (|A|^2 + |B|^2) I(-2 Im b) +
    2 Re(A B* exp(-i b* d) I(2 i Re b))``, ``I(c) = int_0^d exp(c u) du``; for p the E_x and E_z
    parts carry ``|Y|^2`` and ``|kx / n^2|^2``.
    """
    M = n.shape[0]
    two_pi = 2.0 * math.pi / wavelength
    for m in range(M):
        if m == 0 or m == M - 1:
            total[m] = 0.0
            envelope[m] = 0.0
            continue
        beta = q[m] * two_pi
        dm = d[m]
        env_one = _expint_real(-2.0 * beta.imag * dm, dm)
        cross = al[m] * br[m].conjugate() * cmath.exp(-1j * beta.conjugate() * dm) \
            * _expint_imag(2.0 * beta.real * dm, dm)
        amp = abs(al[m]) ** 2 + abs(br[m]) ** 2
        if pol == 0:
            envelope[m] = amp * env_one
            total[m] = envelope[m] + 2.0 * cross.real
        else:
            wx = abs(y[m]) ** 2
            wz = abs(kx / (n[m] * n[m])) ** 2
            envelope[m] = (wx + wz) * amp * env_one
            total[m] = envelope[m] + 2.0 * (wz - wx) * cross.real

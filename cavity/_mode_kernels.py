"""Slab-waveguide mode kernels (numba): the transverse resonance condition in complex n_eff.

A guided mode of a planar multilayer (media ``m = 0 .. M-1``: cover, layers, substrate) is a pole
of its reflection coefficient at a real frequency.  With the in-plane index ``n_eff`` (so
``kx^2 = n_eff^2``) and a reference plane at the left boundary of an interior medium ``plane``
the condition is (physics.md s.4.6 and s.5.3)

    f(n_eff) = 1 - r_L r_R exp(2 i q_p k0 d_p) = 0,

with ``r_L``/``r_R`` the stable (Rouard) reflection coefficients looking towards the cover and
the substrate (:func:`cavity._tmm_kernels.reflection_towards`, which accepts a complex ``kx^2``).
The normal wave numbers use the branch ``Re q + Im q > 0``: decaying in the claddings for a bound
mode.  The product ``t(n_eff) = r_L r_R exp(2 i q_p k0 d_p)`` is the *round-trip factor*; for a
lossless guide it has modulus 1 on the real axis between the largest cladding index and the
largest core index, and a mode is a zero of its phase.

Kernels return status codes (0 converged, 1 not converged, 3 singular) instead of raising.
"""
from __future__ import annotations

import cmath
import math

from ._jit import kernel
from ._tmm_kernels import normal_wavenumber, reflection_towards

CONVERGED = 0
NOT_CONVERGED = 1
SINGULAR = 3


@kernel
def round_trip(n, d, k0, neff, pol, plane):
    """Round-trip factor ``r_L r_R exp(2 i q_p k0 d_p)`` at complex ``neff``.

    Parameters
    ----------
    n : complex128[M]   indices, cover first, substrate last
    d : float64[M]      thicknesses (nm), outer entries ignored
    k0 : float          2 pi / wavelength (nm^-1)
    neff : complex      effective (in-plane) index
    pol : int           0 = TE (s), 1 = TM (p)
    plane : int         interior reference medium, 1 <= plane <= M-2
    """
    M = n.shape[0]
    kx2 = neff * neff
    r_left = reflection_towards(n, d, k0, kx2, pol, plane, 0)
    r_right = reflection_towards(n, d, k0, kx2, pol, plane, M - 1)
    q = normal_wavenumber(n[plane], kx2)
    return r_left * r_right * cmath.exp(2j * q * (k0 * d[plane]))


@kernel
def round_trip_scan(n, d, k0, grid, pol, plane, out):
    """``out[i] = round_trip(n, d, k0, grid[i])`` for a real grid of effective indices."""
    for i in range(grid.shape[0]):
        out[i] = round_trip(n, d, k0, grid[i] + 0j, pol, plane)


@kernel
def mode_newton(n, d, k0, neff0, pol, plane, tol, maxit, max_step):
    """Complex Newton on ``f = 1 - round_trip`` from ``neff0``.

    The derivative is a central complex difference (f is analytic away from branch points).
    Steps are limited to ``max_step``.  Returns ``(neff, iterations, status, |f|)``.
    """
    z = neff0
    status = NOT_CONVERGED
    it = 0
    res = 0.0
    for it in range(1, maxit + 1):
        f = 1.0 - round_trip(n, d, k0, z, pol, plane)
        res = abs(f)
        h = 1e-7 * (1.0 + abs(z))
        fp = 1.0 - round_trip(n, d, k0, z + h, pol, plane)
        fm = 1.0 - round_trip(n, d, k0, z - h, pol, plane)
        der = (fp - fm) / (2.0 * h)
        if der == 0 or not (math.isfinite(der.real) and math.isfinite(der.imag)):
            status = SINGULAR
            break
        step = -f / der
        a = abs(step)
        if a > max_step:
            step = step * (max_step / a)
        z = z + step
        if abs(step) < tol * abs(z):
            res = abs(1.0 - round_trip(n, d, k0, z, pol, plane))
            status = CONVERGED
            break
    return z, it, status, res


# ------------------------------------------------------------------------------------------------
# Pole kernels with a *weighted* gain mask (DFB effective-index sections).
#
# cavity._pole_kernels.indices_at adds the gain to every medium with mask[m] != 0 at full weight
# (mask acts as a flag), whereas a DFB section must receive Gamma_m * g.  Until that kernel
# multiplies by mask[m], these private copies do: k_m = -mask[m] * scale * gain(lambda) lambda/(4 pi).
# Same tables, interpolation, status codes and iteration rules as cavity._pole_kernels.
# ------------------------------------------------------------------------------------------------
from . import _pole_kernels as _PK  # noqa: E402
import numpy as _np  # noqa: E402


@kernel
def _indices_weighted(lam_re, lam_tab, n_tab, gain_tab, scale, mask, out):
    i, w0, w1, w2, w3 = _PK._spline_weights(lam_re, lam_tab)
    g = scale * _PK._interp_row(gain_tab, i, w0, w1, w2, w3)
    dk = -g * lam_re * _PK._GAIN_TO_K
    for m in range(n_tab.shape[0]):
        out[m] = _PK._interp_row(n_tab[m], i, w0, w1, w2, w3) + 1j * (dk * mask[m])


@kernel
def weighted_pole_function(lam, scale, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, work):
    """``1 - r_L r_R`` at the left boundary of ``plane`` with the gain weighted by ``mask``."""
    _indices_weighted(lam.real, lam_tab, n_tab, gain_tab, scale, mask, work)
    M = work.shape[0]
    k0 = 2.0 * math.pi / lam
    kx2 = kx * kx
    r_left = reflection_towards(work, d, k0, kx2, pol, plane, 0)
    r_right = reflection_towards(work, d, k0, kx2, pol, plane, M - 1)
    q = normal_wavenumber(work[plane], kx2)
    return 1.0 - r_left * r_right * cmath.exp(2j * q * k0 * d[plane])


@kernel
def weighted_threshold_newton(lam0, g0, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, tol, maxit):
    """Real (lambda, scale) root: as :func:`cavity._pole_kernels.threshold_newton`."""
    work = _np.empty(n_tab.shape[0], dtype=_np.complex128)
    lo = lam_tab[0]
    hi = lam_tab[lam_tab.shape[0] - 1]
    max_step = (hi - lo) / 20.0
    lam = lam0
    g = g0
    status = NOT_CONVERGED
    it = 0
    res = 0.0
    for it in range(1, maxit + 1):
        f = weighted_pole_function(lam + 0j, g, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, work)
        res = abs(f)
        hl = 1e-7 * lam
        hg = 1e-6 * (abs(g) + 1.0)
        fl = weighted_pole_function(lam + hl + 0j, g, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, work)
        fg = weighted_pole_function(lam + 0j, g + hg, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, work)
        a = (fl - f) / hl
        b = (fg - f) / hg
        det = a.real * b.imag - b.real * a.imag
        if det == 0.0 or not math.isfinite(det):
            status = SINGULAR
            break
        dl = -(f.real * b.imag - b.real * f.imag) / det
        dg = -(a.real * f.imag - f.real * a.imag) / det
        if abs(dl) > max_step:
            s = max_step / abs(dl)
            dl *= s
            dg *= s
        lam += dl
        g += dg
        if lam < lo or lam > hi:
            status = _PK.OUT_OF_WINDOW
            break
        if abs(dl) < tol * lam and abs(dg) < tol * (abs(g) + 1.0):
            res = abs(weighted_pole_function(lam + 0j, g, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, work))
            status = CONVERGED
            break
    return lam, g, it, status, res


@kernel
def weighted_complex_pole_newton(lam0, scale, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, tol, maxit):
    """Complex-wavelength pole at fixed gain: as :func:`cavity._pole_kernels.complex_pole_newton`."""
    work = _np.empty(n_tab.shape[0], dtype=_np.complex128)
    lo = lam_tab[0]
    hi = lam_tab[lam_tab.shape[0] - 1]
    max_step = (hi - lo) / 20.0
    lam = lam0
    status = NOT_CONVERGED
    it = 0
    res = 0.0
    for it in range(1, maxit + 1):
        f = weighted_pole_function(lam, scale, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, work)
        res = abs(f)
        h = 1e-7 * abs(lam)
        f1 = weighted_pole_function(lam + h, scale, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, work)
        der = (f1 - f) / h
        if der == 0:
            status = SINGULAR
            break
        step = -f / der
        if abs(step) > max_step:
            step = step * (max_step / abs(step))
        lam = lam + step
        if lam.real < lo or lam.real > hi:
            status = _PK.OUT_OF_WINDOW
            break
        if abs(step) < tol * abs(lam):
            res = abs(weighted_pole_function(lam, scale, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, work))
            status = CONVERGED
            break
    return lam, it, status, res


@kernel
def weighted_scan_abs_f(lams, scale, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, out):
    work = _np.empty(n_tab.shape[0], dtype=_np.complex128)
    for i in range(lams.shape[0]):
        out[i] = abs(weighted_pole_function(lams[i] + 0j, scale, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol,
                                            work))

"""Slab-waveguide mode kernels (numba): the transverse resonance condition in complex n_eff.

A guided mode of a planar multilayer (media ``m = 0 .. M-1``: cover, layers, substrate) is a pole
of its reflection coefficient at a real frequency.  With the in-plane index ``n_eff`` (so
``kx^2 = n_eff^2``) and a reference plane at the left boundary of an interior medium ``plane``
the condition is (docs/theory.md s.4.6 and s.5.3)

    f(n_eff) = 1 - r_L r_R exp(2 i q_p k0 d_p) = 0,

with ``r_L``/``r_R`` the stable (Rouard) reflection coefficients looking towards the cover and
the substrate (:func:`cavity.optics._tmm_kernels.reflection_towards`, which accepts a complex ``kx^2``).
The normal wave numbers use the branch ``Re q + Im q > 0``: decaying in the claddings for a bound
mode.  The product ``t(n_eff) = r_L r_R exp(2 i q_p k0 d_p)`` is the *round-trip factor*; for a
lossless guide it has modulus 1 on the real axis between the largest cladding index and the
largest core index, and a mode is a zero of its phase.

Kernels return status codes (0 converged, 1 not converged, 3 singular) instead of raising.
"""
from __future__ import annotations

import math

from .._jit import kernel
from ..optics._tmm_kernels import round_trip as tmm_round_trip

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
    return tmm_round_trip(n, d, k0, neff * neff, pol, plane)


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


"""Low-level array entry points for hot loops (no validation: the caller guarantees the contract).

``rt_single(n, d, wavelength, kx, pol) -> (r, t)``
    One stack at one wavelength in a few microseconds (numba-jitted, callable from Python or
    from other jitted code).  ``n``: complex128[M] indices, incident medium first and substrate
    last (interior layers may have gain, k < 0; the outer media may not); ``d``: float64[M]
    thicknesses in nm (outer entries ignored); ``wavelength``: vacuum wavelength in nm; ``kx``:
    in-plane index ``n0 sin(theta0)`` (real); ``pol``: 0 = s (TE), 1 = p (TM).  ``r`` and ``t``
    are E-field amplitude coefficients with the conventions of :mod:`cavity.conventions`;
    ``T = transmittance_factor(n[0], n[-1], kx, pol) * |t|^2``.

``pole_function(lam, scale, lam_tab, n_tab, gain_tab, mask, d, plane, kx, pol, work)``
    The pole condition ``1 - r_L r_R`` of :mod:`cavity.lasing._pole_kernels` (threshold solvers).

Example
-------
>>> import numpy as np
>>> from cavity.lowlevel import rt_single
>>> n = np.array([1.0, 1.5, 1.0], dtype=np.complex128)
>>> d = np.array([0.0, 100.0, 0.0])
>>> r, t = rt_single(n, d, 600.0, 0.0, 0)
>>> round(abs(r) ** 2 + abs(t) ** 2, 12)
1.0
"""
from .lasing._pole_kernels import pole_function
from .optics._tmm_kernels import rt_single, transmittance_factor

__all__ = ["rt_single", "transmittance_factor", "pole_function"]

"""Transfer-matrix kernels (numba): stable reflection recursions on plain arrays.

Formulation
-----------
Media are indexed ``m = 0 .. M-1``: 0 the incident medium, ``M-1`` the substrate, the layers in
between with thicknesses ``d[m]`` (nm; ``d[0]`` and ``d[M-1]`` are ignored).  With the in-plane
index ``kx = n0 sin(theta0)`` the normal wave number in medium m is ``k0 q_m``,
``q_m = sqrt(n_m^2 - kx^2)``; the branch is the half plane ``Re q + Im q > 0``
(:mod:`cavity.conventions`), which is the physical branch of every passive semi-infinite medium
and keeps ``|exp(i q k0 d)| <= 1`` in absorbing and evanescent layers.

Interfaces use the admittance ``Y = q`` (s) or ``Y = q / n^2`` (p, amplitudes of H_y):
``rho = (Y_m - Y_{m+1}) / (Y_m + Y_{m+1})``, ``tau = 2 Y_m / (Y_m + Y_{m+1})``.
The reflection coefficient ``Gamma_m`` in medium m at its right boundary, looking towards the
substrate, follows from the substrate upwards (Rouard's method, i.e. the Redheffer star product
of interface and propagation S-matrices for one-sided illumination):

    Gamma_{M-2} = rho_{M-2},
    Gamma_m = (rho_m + Gamma_{m+1} P_{m+1}) / (1 + rho_m Gamma_{m+1} P_{m+1}),
    P_m = exp(2 i q_m k0 d_m),

and the transmitted amplitude is ``t = prod_m tau_m exp(i q_{m+1} k0 d_{m+1}) / (1 + rho_m Gamma_{m+1}
P_{m+1})``.  Every factor is bounded for passive stacks, so thick metals (20 um of Ag) and thick
evanescent gaps underflow gracefully to ``T = 0`` instead of overflowing as the characteristic
(Abeles) matrix does (physics.md s.5.3).  ``r = Gamma_0``; ``t`` is the E-field amplitude (for p,
the H amplitude times ``n_0 / n_s``), as in Byrnes' ``tmm``.

Polarization is an int: 0 = s (TE), 1 = p (TM).  Index arrays are complex128, thicknesses and
wavelengths float64 (nm).  Errors are not raised here: the Python layer validates first.
"""
from __future__ import annotations

import cmath

import numpy as np
from numba import prange

from ._jit import kernel, parallel_kernel

TWO_PI = 2.0 * np.pi


@kernel
def normal_wavenumber(n, kx2):
    """``q = sqrt(n^2 - kx^2)`` on the branch ``Re q + Im q > 0`` (ties: Re q >= 0)."""
    if kx2 == 0:
        q = n + 0j  # normal incidence: no square root needed
    else:
        q = cmath.sqrt(n * n - kx2)
    s = q.real + q.imag
    if s < 0.0 or (s == 0.0 and q.real < 0.0):
        q = -q
    return q


@kernel
def admittance(q, n, pol):
    """Interface admittance: ``q`` for s, ``q / n^2`` for p."""
    if pol == 0:
        return q
    return q / (n * n)


@kernel
def rt_single(n, d, wavelength, kx, pol):
    """Amplitude reflection and transmission of one stack at one wavelength.

    Parameters
    ----------
    n : complex128[M]      indices, incident medium first, substrate last
    d : float64[M]         thicknesses (nm), outer entries ignored
    wavelength : float     vacuum wavelength (nm)
    kx : float             in-plane index ``n0 sin(theta0)``
    pol : int              0 = s, 1 = p

    Returns
    -------
    r, t : complex         E-field amplitude coefficients (``tmm`` conventions)
    """
    M = n.shape[0]
    k0 = TWO_PI / wavelength
    kx2 = kx * kx
    q_next = normal_wavenumber(n[M - 1], kx2)
    y_next = admittance(q_next, n[M - 1], pol)
    gam = 0j
    t = 1.0 + 0j
    for j in range(M - 2, -1, -1):
        qj = normal_wavenumber(n[j], kx2)
        yj = admittance(qj, n[j], pol)
        inv = 1.0 / (yj + y_next)
        rho = (yj - y_next) * inv
        tau = 2.0 * yj * inv
        if j + 1 < M - 1:
            ph = cmath.exp(1j * q_next * (k0 * d[j + 1]))
            gp = gam * ph * ph
        else:
            ph = 1.0 + 0j
            gp = 0j
        den = 1.0 / (1.0 + rho * gp)
        gam = (rho + gp) * den
        t = t * tau * ph * den
        q_next = qj
        y_next = yj
    if pol == 1:
        t = t * n[0] / n[M - 1]
    return gam, t


@kernel
def transmittance_factor(n0, ns, kx, pol):
    """``T = factor * |t|^2``: ratio of normal power flows (substrate over incident)."""
    kx2 = kx * kx
    q0 = normal_wavenumber(n0, kx2)
    qs = normal_wavenumber(ns, kx2)
    if pol == 0:
        return qs.real / q0.real
    # tmm: Re(n_s conj(cos th_s)) / Re(n_0 conj(cos th_0)), cos th = q / n
    return (ns * (qs / ns).conjugate()).real / (n0 * (q0 / n0).conjugate()).real


@kernel
def _rt_range(n, d, wl, sin_t, pol, w0, w1, r_out, t_out, T_out):
    """Fill r, t, T for wavelengths ``w0 <= w < w1`` of one design at one angle.

    ``n``: complex128[M, W]; outputs: 1-D slices of length W.
    """
    M = n.shape[0]
    col = np.empty(M, dtype=np.complex128)
    for w in range(w0, w1):
        for m in range(M):
            col[m] = n[m, w]
        kx = n[0, w].real * sin_t
        r, t = rt_single(col, d, wl[w], kx, pol)
        r_out[w] = r
        t_out[w] = t
        T_out[w] = transmittance_factor(col[0], col[M - 1], kx, pol) * (t.real * t.real + t.imag * t.imag)


@kernel
def rt_batch(n, d, wl, sin_t, pol, r_out, t_out, T_out):
    """Serial batch: ``n[D, M, W]``, ``d[D, M]``, ``wl[W]``, ``sin_t[A]`` -> outputs ``[D, A, W]``."""
    D = n.shape[0]
    A = sin_t.shape[0]
    W = wl.shape[0]
    for i in range(D):
        for a in range(A):
            _rt_range(n[i], d[i], wl, sin_t[a], pol, 0, W, r_out[i, a], t_out[i, a], T_out[i, a])


@parallel_kernel
def rt_batch_parallel(n, d, wl, sin_t, pol, block, r_out, t_out, T_out):
    """Threaded batch over independent (design, angle, wavelength-block) tasks.

    Each task writes only its own slice of the outputs.
    """
    D = n.shape[0]
    A = sin_t.shape[0]
    W = wl.shape[0]
    nb = (W + block - 1) // block
    ntask = D * A * nb
    for task in prange(ntask):
        i = task // (A * nb)
        rem = task - i * A * nb
        a = rem // nb
        b = rem - a * nb
        w0 = b * block
        w1 = min(W, w0 + block)
        _rt_range(n[i], d[i], wl, sin_t[a], pol, w0, w1, r_out[i, a], t_out[i, a], T_out[i, a])


@kernel
def amplitudes(n, d, wavelength, kx, pol, q, y, a_left, b_right, phase):
    """Forward and backward amplitudes in every medium of one stack at one wavelength.

    In medium m (left boundary z_L, right boundary z_R = z_L + d_m) the field (E_y for s, H_y
    for p) is ``a_left[m] exp(i q k0 (z - z_L)) + b_right[m] exp(i q k0 (z_R - z))``, each term
    bounded inside the medium.  The incident medium uses z_L = z_R = 0 (``a_left[0] = 1``,
    ``b_right[0] = r``); the substrate has ``b_right = 0``.  Fills ``q, y, a_left, b_right,
    phase = exp(i q k0 d)`` (complex128[M]).
    """
    M = n.shape[0]
    k0 = TWO_PI / wavelength
    kx2 = kx * kx
    gam = np.empty(M, dtype=np.complex128)
    rho = np.empty(M, dtype=np.complex128)
    tau = np.empty(M, dtype=np.complex128)
    den = np.empty(M, dtype=np.complex128)
    for m in range(M):
        q[m] = normal_wavenumber(n[m], kx2)
        y[m] = admittance(q[m], n[m], pol)
        if 0 < m < M - 1:
            phase[m] = cmath.exp(1j * q[m] * (k0 * d[m]))
        else:
            phase[m] = 1.0 + 0j
    gam[M - 1] = 0j
    for j in range(M - 2, -1, -1):
        inv = 1.0 / (y[j] + y[j + 1])
        rho[j] = (y[j] - y[j + 1]) * inv
        tau[j] = 2.0 * y[j] * inv
        gp = gam[j + 1] * phase[j + 1] * phase[j + 1]
        den[j] = 1.0 + rho[j] * gp
        gam[j] = (rho[j] + gp) / den[j]
    a_right = 1.0 + 0j
    a_left[0] = 1.0 + 0j
    b_right[0] = gam[0]
    for j in range(M - 1):
        al = tau[j] * a_right / den[j]
        a_left[j + 1] = al
        a_right = al * phase[j + 1]
        b_right[j + 1] = gam[j + 1] * a_right


@kernel
def flux(y, a, b):
    """Normal power flow ``Re[conj(Y) (a + b) conj(a - b)]`` of forward/backward amplitudes
    taken at the same plane (normalised so that the incident wave carries ``Re Y0 |a|^2``)."""
    return (y.conjugate() * (a + b) * (a - b).conjugate()).real


@kernel
def absorption_range(n, d, wl, sin_t, pol, out):
    """Power fractions of one design at one angle: ``out[0] = R``, ``out[m] =`` absorbed in layer
    m, ``out[M-1] = T`` (``n[M, W]``, ``out[M, W]`` float64).

    The absorbed fraction is the drop of the normal power flow across the layer, both flows
    evaluated inside the layer from its own amplitudes.
    """
    M = n.shape[0]
    W = wl.shape[0]
    col = np.empty(M, dtype=np.complex128)
    q = np.empty(M, dtype=np.complex128)
    y = np.empty(M, dtype=np.complex128)
    al = np.empty(M, dtype=np.complex128)
    br = np.empty(M, dtype=np.complex128)
    ph = np.empty(M, dtype=np.complex128)
    for w in range(W):
        for m in range(M):
            col[m] = n[m, w]
        kx = n[0, w].real * sin_t
        amplitudes(col, d, wl[w], kx, pol, q, y, al, br, ph)
        p_in = y[0].real
        r = br[0]
        out[0, w] = r.real * r.real + r.imag * r.imag
        for m in range(1, M - 1):
            f_left = flux(y[m], al[m], br[m] * ph[m])
            f_right = flux(y[m], al[m] * ph[m], br[m])
            out[m, w] = (f_left - f_right) / p_in
        out[M - 1, w] = flux(y[M - 1], al[M - 1], 0j) / p_in


@kernel
def reflection_towards(n, d, k0, kx2, pol, first, last):
    """Reflection coefficient in medium ``first`` at its boundary facing medium ``last``,
    looking towards ``last`` (a semi-infinite termination).  ``first != last``.

    Used for the cavity form of the pole condition, ``1 - r_L r_R = 0`` (physics.md s.3.1).
    """
    s = 1 if last > first else -1
    q_next = normal_wavenumber(n[last], kx2)
    y_next = admittance(q_next, n[last], pol)
    gam = 0j
    j = last - s
    while True:
        qj = normal_wavenumber(n[j], kx2)
        yj = admittance(qj, n[j], pol)
        if j + s != last:
            gp = gam * cmath.exp(2j * q_next * (k0 * d[j + s]))
        else:
            gp = 0j
        # (rho + gp) / (1 + rho gp) with rho = (yj - y_next) / (yj + y_next), one division
        dif = yj - y_next
        tot = yj + y_next
        gam = (dif + tot * gp) / (tot + dif * gp)
        if j == first:
            break
        q_next = qj
        y_next = yj
        j -= s
    return gam

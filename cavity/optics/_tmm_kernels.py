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
(Abeles) matrix does (docs/theory.md s.5.3).  ``r = Gamma_0``; ``t`` is the E-field amplitude (for p,
the H amplitude times ``n_0 / n_s``), as in Byrnes' ``tmm``.

Two limits need their own branch (cheap tests, taken only when they apply):

* **Grazing incidence**, ``q_0 = 0`` exactly (``kx = n0``, which the API reaches at 90 degrees and
  at every angle whose sine rounds to 1): the incident wave carries no normal power flux and the
  limit theta0 -> 90 deg of every stack with an index step is ``r = -1, t = 0`` (``rho_0 -> -1``,
  ``tau_0 = 2 Y_0 / (Y_0 + Y_1) -> 0``); ``T = 0`` (``|t|^2 ~ q_0^2`` beats ``1/Re q_0``).
* **An interior layer with** ``|q| < _Q_SMALL``, e.g. a lossless layer at exactly its critical
  condition ``n = kx`` (``q = 0``, ``Y = 0``).  Both of its interface coefficients are +-1 and
  ``P = 1``, so the Mobius recursion degenerates to 0/0 (and loses ~eps/|q| digits near it).  The
  layer is crossed instead with its exact characteristic matrix acting on the tangential fields
  ``F = a + b`` (E_y for s, H_y for p) and ``G = Y (a - b)``, written in a form regular at
  ``q = 0`` (Born & Wolf, *Principles of Optics*, s.1.6.2, eq. 1.6(33), with
  ``sin(delta)/Y = k0 d sinc(delta) q/Y`` and ``Y sin(delta) = Y q k0 d sinc(delta)``):

      F_near = cos(delta) F_far - i (sin(delta)/Y) G_far,
      G_near = cos(delta) G_far - i Y sin(delta) F_far,     delta = q k0 d,

  whose limit at ``q = 0`` is ``F_near = F_far - i k0 d (q/Y) G_far``, ``G_near = G_far``
  (``q/Y = 1`` for s, ``n^2`` for p): the field is linear across the layer.  The recursion
  resumes at the next medium j with ``Gamma_j = (Y_j F - G) / (Y_j F + G)`` and the transmitted
  amplitude gains ``2 Y_j / (Y_j F + G)`` (which is ``tau / (1 + rho Gamma P)`` when no thin
  layer intervenes).  The batched kernels flag such wavelengths and recompute them with
  ``rt_single``.  An outer medium with ``q = 0`` needs no branch: a substrate at its critical
  angle gives ``rho = +1`` in front of it, a finite ``t`` (the grazing transmitted wave) and
  ``T = Re(q_s) |t|^2 / Re(q_0) = 0``, the limit of the propagating side.

Polarization is an int: 0 = s (TE), 1 = p (TM).  Index arrays are complex128, thicknesses and
wavelengths float64 (nm).  Errors are not raised here: the Python layer validates first.
"""
from __future__ import annotations

import cmath

import numpy as np
from numba import prange

from .._jit import inline_kernel, kernel, parallel_kernel

TWO_PI = 2.0 * np.pi


@inline_kernel
def wrong_branch(qr, qi):
    """True when the root ``q = qr + i qi`` lies outside the engine's half plane ``Re q + Im q > 0``
    (ties ``Re q + Im q = 0``: ``Re q >= 0``), i.e. when ``-q`` is the root to take
    (:mod:`cavity.conventions`, docs/theory.md s.5.3).  Bitwise logic, no branch: it sits in the
    vectorised loops of the batch kernels."""
    sg = qr + qi
    return (sg < 0.0) | ((sg == 0.0) & (qr < 0.0))


@kernel
def normal_wavenumber(n, kx2):
    """``q = sqrt(n^2 - kx^2)`` on the branch ``Re q + Im q > 0`` (ties: Re q >= 0)."""
    if kx2 == 0:
        q = n + 0j  # normal incidence: no square root needed
    else:
        q = cmath.sqrt(n * n - kx2)
    if wrong_branch(q.real, q.imag):
        q = -q
    return q


@kernel
def layer_phase(q, k0d):
    """One-way propagation factor ``exp(i q k0 d)`` of a layer, ``k0d = k0 d`` (rad per unit q;
    complex for a complex wavelength).  ``|.| <= 1`` for real ``k0d >= 0`` on the engine's branch;
    the round trip is ``layer_phase(2 q, k0d)`` (the same bits as ``exp(2 i q k0d)``)."""
    return cmath.exp(1j * q * k0d)


@kernel
def interface_step(y_near, y_far, gp):
    """Rouard step across the interface between a near and a far medium.

    ``rho = (Y_n - Y_f) / (Y_n + Y_f)``, ``tau = 2 Y_n / (Y_n + Y_f)`` (Fresnel coefficients of the
    admittances), ``Gamma = (rho + gp) / (1 + rho gp)`` the reflection in the near medium at the
    interface, ``gp = Gamma_f P_f`` the far medium's reflection at its far face times its
    round-trip phase (0 for a semi-infinite far medium).  Returns ``(Gamma, tau, 1 / (1 + rho gp))``:
    the forward amplitude at the far side of the far medium's near face is ``tau / (1 + rho gp)``
    times the near medium's (module notes)."""
    inv = 1.0 / (y_near + y_far)
    rho = (y_near - y_far) * inv
    tau = 2.0 * y_near * inv
    den = 1.0 / (1.0 + rho * gp)
    return (rho + gp) * den, tau, den


@kernel
def fields_step(y, f, g):
    """The reflection in a medium of admittance ``y`` at the face where the tangential fields
    ``F = a + b``, ``G = Y (a - b)`` are ``f, g`` per unit forward amplitude beyond it (the resumption
    after thin-q layers, module notes): ``Gamma = (y F - G) / (y F + G)``; the forward amplitude
    gains ``2 y / (y F + G)``.  Returns ``(Gamma, 2 y, 1 / (y F + G))`` like :func:`interface_step`
    (with ``F = 1 + gp``, ``G = Y_f (1 - gp)`` it is that step)."""
    yf = y * f
    den = 1.0 / (yf + g)
    return (yf - g) * den, 2.0 * y, den


@kernel
def admittance(q, n, pol):
    """Interface admittance: ``q`` for s, ``q / n^2`` for p."""
    if pol == 0:
        return q
    return q / (n * n)


#: |q| below which an interior layer is crossed with its exact characteristic matrix (see the
#: module notes).  The Mobius recursion loses about eps/|q| relative accuracy as q -> 0 (1e-11 at
#: this bound); the matrix is exact for any q, and stable here because |Im(q) k0 d| is small.
_Q_SMALL = 1.0e-5
_Q_SMALL2 = _Q_SMALL * _Q_SMALL
_Q_SMALL4 = _Q_SMALL2 * _Q_SMALL2  # |n^2 - kx^2|^2 = |q|^4 bound of the batched kernels' flag


@kernel
def is_grazing(n0, kx2):
    """True when the incident medium's normal wave number is exactly zero (``kx = n0``, grazing
    incidence): the same arithmetic as ``normal_wavenumber(n0, kx2) == 0``."""
    return kx2 != 0 and n0 * n0 == kx2


@kernel
def is_thin_q(q):
    """``|q| < _Q_SMALL``: the layer is crossed with its characteristic matrix."""
    return q.real * q.real + q.imag * q.imag < _Q_SMALL2


@kernel
def characteristic_matrix(q, y, n, k0d, pol):
    """Characteristic matrix ``(m11, m12, m21, m22)`` of a layer acting on the tangential fields
    ``(F, G)`` (``F = a + b``, ``G = Y (a - b)``; ``k0d = k0 d``, rad per unit q), from its far face
    to its near face with ``m12, m21`` negated, from the near face to the far face as given
    (Born & Wolf s.1.6.2, eq. 1.6(33)):
    ``[[cos x, i k0d sinc(x) q/Y], [i Y q k0d sinc(x), cos x]]``, ``x = q k0d``, ``q/Y = 1`` (s) or
    ``n^2`` (p).  Exact for any ``q`` and regular at ``q = 0``; at normal incidence for s
    (``q = Y = n``) it is ``[[cos x, i sin(x) / n], [i n sin x, cos x]]``."""
    x = q * k0d
    c = cmath.cos(x)
    if x == 0:
        sx = k0d + 0j
    else:
        sx = cmath.sin(x) / q  # = k0d sinc(x), finite for q -> 0
    if pol == 0:
        s_y = sx
    else:
        s_y = sx * (n * n)
    return c, 1j * s_y, 1j * (y * q * sx), c


@kernel
def thin_layer_fields(f, g, q, y, n, k0d, pol, sgn):
    """Tangential fields ``(F, G)`` on one face of a layer from those on the other face
    (:func:`characteristic_matrix`).

    ``sgn = -1``: from the far face (towards the substrate) to the near face; ``sgn = +1`` the
    reverse.  ``F = a + b``, ``G = Y (a - b)``; ``k0d = k0 d`` (rad per unit q).  Exact for any
    ``q`` (Born & Wolf s.1.6.2) and regular at ``q = 0``:
    ``F' = cos(x) F + sgn i k0d sinc(x) (q/Y) G``, ``G' = cos(x) G + sgn i Y q k0d sinc(x) F``,
    ``x = q k0d``, ``q/Y = 1`` (s) or ``n^2`` (p).
    """
    c, m12, m21, _ = characteristic_matrix(q, y, n, k0d, pol)
    return c * f + sgn * m12 * g, c * g + sgn * m21 * f


@kernel
def _thin_run(n, d, k0, kx2, pol, j, step, stop, gp, y_far, qj):
    """Cross a run of thin-q media from medium ``j`` (normal wave number ``qj``) towards ``stop``
    (``step = +-1`` points away from ``stop``) with their characteristic matrices (module notes),
    starting from the fields ``F = 1 + gp``, ``G = Y_far (1 - gp)`` at the far face of medium j.
    Returns ``(F, G, j, q_j)`` at the near face of the run, ``j`` the first medium that is not
    thin-q or is ``stop``."""
    f = 1.0 + gp
    g = y_far * (1.0 - gp)
    while True:
        yj = admittance(qj, n[j], pol)
        f, g = thin_layer_fields(f, g, qj, yj, n[j], k0 * d[j], pol, -1.0)
        j -= step
        qj = normal_wavenumber(n[j], kx2)
        if j == stop or not is_thin_q(qj):
            break
    return f, g, j, qj


@inline_kernel
def _recursion(n, d, k0, kx2, pol, first, last):
    """Rouard recursion from medium ``last`` (semi-infinite) to medium ``first``: the reflection
    ``Gamma`` in ``first`` at its face towards ``last``, and the forward amplitude ``t`` in ``last``
    at its near face per unit forward amplitude in ``first`` at that face (module notes; for p the
    H amplitude).  Thin-q media between are crossed by :func:`_thin_run`.  ``first != last``."""
    s = 1 if last > first else -1
    q_next = normal_wavenumber(n[last], kx2)
    y_next = admittance(q_next, n[last], pol)
    gam = 0j
    t = 1.0 + 0j
    j = last - s
    while True:
        qj = normal_wavenumber(n[j], kx2)
        if j + s != last:
            ph = layer_phase(q_next, k0 * d[j + s])
            gp = gam * ph * ph
        else:
            ph = 1.0 + 0j
            gp = 0j
        if j != first and is_thin_q(qj):
            f, g, j, qj = _thin_run(n, d, k0, kx2, pol, j, s, first, gp, y_next, qj)
            yj = admittance(qj, n[j], pol)
            gam, tau, den = fields_step(yj, f, g)
        else:
            yj = admittance(qj, n[j], pol)
            gam, tau, den = interface_step(yj, y_next, gp)
        t = t * tau * ph * den
        if j == first:
            break
        q_next = qj
        y_next = yj
        j -= s
    return gam, t


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
    kx2 = kx * kx
    if is_grazing(n[0], kx2):
        return -1.0 + 0j, 0j
    gam, t = _recursion(n, d, TWO_PI / wavelength, kx2, pol, np.int64(0), np.int64(M - 1))
    if pol == 1:
        t = t * n[0] / n[M - 1]
    return gam, t


@kernel
def transmittance_factor(n0, ns, kx, pol):
    """``T = factor * |t|^2``: ratio of normal power flows (substrate over incident).

    0 at grazing incidence (``Re q0 = 0``: no incident normal flux), where ``t = 0`` and the limit
    of ``T`` is 0 (``|t|^2 ~ q0^2``).
    """
    kx2 = kx * kx
    q0 = normal_wavenumber(n0, kx2)
    qs = normal_wavenumber(ns, kx2)
    if pol == 0:
        if q0.real == 0.0:
            return 0.0
        return qs.real / q0.real
    # tmm: Re(n_s conj(cos th_s)) / Re(n_0 conj(cos th_0)), cos th = q / n
    den = (n0 * (q0 / n0).conjugate()).real
    if den == 0.0:
        return 0.0
    return (ns * (qs / ns).conjugate()).real / den


# --------------------------------------------------------------------------------------------
# Batched r, t, T: the same recursion, vectorised over a block of wavelengths.
#
# ``rt_single`` is one (stack, wavelength) at a time in complex scalars (~80 ns per
# layer-wavelength).  The batch path below runs the layer loop outside and a block of _SOA
# wavelengths inside, on separate real/imag float64 rows (structure of arrays), so that LLVM
# vectorises every inner loop (AVX2/AVX-512).  Three changes make that possible:
#
# * exp/cos/sin are inlined polynomials (fdlibm-style Cody-Waite reductions, ~1 ulp): numba's
#   SVML path needs an SVML-patched llvmlite, which the PyPI llvmlite is not
#   (``llvmlite.binding.config.has_svml`` is False), so libm calls would stay scalar.
# * The reflection recursion is carried projectively, ``Gamma = N / Z``:
#       N' = dif Z + sum ph2 N,   Z' = sum Z + dif ph2 N,   dif/sum = Y_j -/+ Y_{j+1},
#   which is the Mobius map Gamma' = (rho + Gamma ph2) / (1 + rho Gamma ph2) with both terms
#   multiplied by (Y_j + Y_{j+1}) Z; no division per layer.  Then ``t = P exp(i sum q k0 d) / Z``
#   with ``P = prod 2 Y_j`` (the per-layer denominators telescope), so one division per
#   wavelength.  For p, Y = q / n^2 is replaced by q_j n_{j+1}^2 and q_{j+1} n_j^2 (the common
#   factor n_j^2 n_{j+1}^2 cancels in Gamma and is carried in P), again division-free.
#   N, Z, P are rescaled together every _RESCALE layers.  Magnitudes are the same bounded
#   quantities as in ``rt_single`` (no growing exponentials): this is still the stable recursion.
# * Divisions are ``np.divide`` (numpy error model, no ZeroDivisionError branch), loops use
#   compile-time trip counts and fixed rows of one work array, so they vectorise.
#
# Any wavelength whose intermediate values leave the range where these shortcuts are exact
# (|exp argument| > 700, |phase| > 1e5 rad, magnitudes outside 1e-290..1e290, non-finite or
# overflowing results: thick metals, long evanescent gaps, huge gain) is recomputed with
# ``rt_single`` / ``transmittance_factor``, so edge cases keep exactly the scalar semantics.
# --------------------------------------------------------------------------------------------

_SOA = 128  # wavelengths per block: ~24 rows x 128 x 8 B of work space stays in L1
_SCALAR_BELOW = 12  # fewer wavelengths than this: rt_single per wavelength (padding costs more)
_RESCALE = 8  # layers between renormalisations of N, Z, P (growth per layer <= ~|2 Y|)
_LIM_EXP = 700.0
_LIM_TRIG = 1.0e5
_TINY = 1.0e-290
_HUGE = 1.0e290
_INV_LN2 = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
# exp(r) = 1 + r + r^2 (E2 + E3 r + ... + E11 r^9) on |r| <= ln2/2: least-squares fit, max
# relative error 2.1e-16 (checked against long double on 4e5 points).  sin/cos: fdlibm
# __kernel_sin/__kernel_cos coefficients on |r| <= pi/4, pi/2 split in three 33-bit parts.
_E2, _E3, _E4, _E5, _E6 = (
    0.4999999999999993, 0.16666666666666463, 0.04166666666672218, 0.00833333333360367,
    0.0013888888887828585)
_E7, _E8, _E9, _E10, _E11 = (
    0.00019841269053971303, 2.48015544527102e-05, 2.7558176340682333e-06, 2.7607759759367304e-07,
    2.476670267474125e-08)
_TWO_OVER_PI, _PIO2_1, _PIO2_2, _PIO2_3 = (
    6.36619772367581382433e-01, 1.57079632673412561417e+00, 6.07710050630396597660e-11,
    2.02226624871116645580e-21)
_S1, _S2, _S3, _S4, _S5, _S6 = (
    -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04,
    2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10)
_C1, _C2, _C3, _C4, _C5, _C6 = (
    4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05,
    -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11)

# rows of the (_NV_SP, _SOA) work array
# set A = (q_r, q_i, e_r, e_i) of medium j, set B = the same of medium j+1 (e = n^2, p only)
_K0, _KX2, _N_R, _N_I, _Z_R, _Z_I, _P_R, _P_I, _SA, _ST, _EP, _CO, _SO, _BAD, _QS_R, _QS_I, _SET_A, _SET_B = (
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20)
# the p cascade (N, Z, P rows), and per-polarization flags (the shared flag _BAD holds what both
# polarizations share: q, the phases)
_NP_R, _NP_I, _ZP_R, _ZP_I, _PP_R, _PP_I, _BAD_P, _BAD_S = 24, 25, 26, 27, 28, 29, 30, 31
_NV_SP = 32


@kernel
def _exp_cis(x, th):
    """Vectorisable ``exp(x)`` as ``(mantissa, 2^k bits)`` and ``cos th, sin th`` for ``|x| <= 700``,
    ``|th| <= 1e5`` (fdlibm-style reductions; about 1 ulp)."""
    kf = np.floor(x * _INV_LN2 + 0.5)
    r = (x - kf * _LN2_HI) - kf * _LN2_LO
    u = _E10 + r * _E11
    u = _E9 + r * u
    u = _E8 + r * u
    u = _E7 + r * u
    u = _E6 + r * u
    u = _E5 + r * u
    u = _E4 + r * u
    u = _E3 + r * u
    u = _E2 + r * u
    mant = (r * r * u + r) + 1.0
    bits = (np.int64(kf) + 1023) << 52
    kq = np.floor(th * _TWO_OVER_PI + 0.5)
    rr = ((th - kq * _PIO2_1) - kq * _PIO2_2) - kq * _PIO2_3
    z = rr * rr
    sn = rr + rr * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
    cs = 1.0 - 0.5 * z + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6)))))
    iq = np.int64(kq)
    odd = (iq & 1) != 0
    s1 = cs if odd else sn
    c1 = -sn if odd else cs
    neg = (iq & 2) != 0
    return mant, bits, (-c1 if neg else c1), (-s1 if neg else s1)


@kernel
def _q_of(a, b, kx2, normal):
    """q = sqrt(n^2 - kx^2) on the branch Re q + Im q > 0, in real arithmetic; ``ok`` False when the
    argument is outside the range where this is accurate or ``|q| <= _Q_SMALL`` (thin-q layer,
    grazing incidence: left to ``rt_single``)."""
    ok = True
    if normal:
        qr = a
        qi = b
    else:
        ur = a * a - b * b - kx2
        ui = a * b + b * a
        m = ur * ur + ui * ui
        ok = _Q_SMALL4 < m < _HUGE  # thin-q media and grazing go to rt_single
        s = np.sqrt(0.5 * (abs(ur) + np.sqrt(m)))
        h = np.divide(abs(ui), s + s)
        sh = h if ui >= 0.0 else -h
        ss = s if ui >= 0.0 else -s
        qr = s if ur >= 0.0 else h
        qi = sh if ur >= 0.0 else ss
    flip = wrong_branch(qr, qi)
    return (-qr if flip else qr), (-qi if flip else qi), ok


@inline_kernel
def _exp_cis_guarded(xe, xt):
    """``_exp_cis(xe, xt)`` with its range guard: outside ``|xe| <= _LIM_EXP``, ``|xt| <= _LIM_TRIG``
    it evaluates ``exp(0), cis(0)`` instead and returns ``ok = False`` (the wavelength is then
    recomputed with ``rt_single``).  Returns ``(mantissa, 2^k bits, cos, sin, ok)``."""
    ok = (abs(xe) <= _LIM_EXP) & (abs(xt) <= _LIM_TRIG)
    if not ok:
        xe = 0.0
        xt = 0.0
    mant, bits, c, s = _exp_cis(xe, xt)
    return mant, bits, c, s, ok


@inline_kernel
def _row_a_loop(nj, ws, normal, phase, dd, kbits):
    """The loop of ``_row_a`` (inlined with constant ``normal`` and ``phase`` flags, so that each
    of its four forms is a branch-free, vectorisable loop)."""
    k0 = ws[_K0]
    kx2 = ws[_KX2]
    q_r = ws[_SET_A]
    q_i = ws[_SET_A + 1]
    p_r = ws[_SET_B]
    p_i = ws[_SET_B + 1]
    sa = ws[_SA]
    st = ws[_ST]
    e_p = ws[_EP]
    c_o = ws[_CO]
    s_o = ws[_SO]
    bad = ws[_BAD]
    for w in range(_SOA):
        z = nj[w]
        qr, qi, ok = _q_of(z.real, z.imag, kx2[w], normal)
        q_r[w] = qr
        q_i[w] = qi
        if phase:
            x = k0[w] * dd
            th = p_r[w] * x
            al = p_i[w] * x
            sa[w] += al
            st[w] += th
            mant, bits, c, s, ok2 = _exp_cis_guarded(-(al + al), th + th)
            e_p[w] = mant
            kbits[w] = bits
            c_o[w] = c
            s_o[w] = s
            ok = ok & ok2
        if not normal or phase:
            bad[w] += 0.0 if ok else 1.0


@kernel
def _row_a(n, j, w0, ws, normal, pol, dd, kbits):
    """q (and e = n^2 for p) of medium j into set A; with ``dd >= 0`` also the round-trip phase
    ``exp(2 i q k0 dd)`` of medium j+1 (set B) and its one-way phase added to the running sums."""
    nj = n[j, w0:w0 + _SOA]
    if pol != 0:
        e_r = ws[_SET_A + 2]
        e_i = ws[_SET_A + 3]
        for w in range(_SOA):
            z = nj[w]
            e_r[w] = z.real * z.real - z.imag * z.imag
            e_i[w] = z.real * z.imag + z.imag * z.real
    if dd < 0.0:
        if normal:
            _row_a_loop(nj, ws, True, False, dd, kbits)
        else:
            _row_a_loop(nj, ws, False, False, dd, kbits)
    elif normal:
        _row_a_loop(nj, ws, True, True, dd, kbits)
    else:
        _row_a_loop(nj, ws, False, True, dd, kbits)


@kernel
def _admittances(qj_r, qj_i, qn_r, qn_i, ej_r, ej_i, en_r, en_i, w, pol):
    """Admittances ``a`` of medium j and ``b`` of medium j+1 up to a common factor, as real and
    imaginary parts ``(a_r, a_i, b_r, b_i)``: ``q_j, q_{j+1}`` (s) or ``q_j e_{j+1}, q_{j+1} e_j`` (p,
    ``Y = q / e`` times ``e_j e_{j+1}``, ``e = n^2``)."""
    qjr = qj_r[w]
    qji = qj_i[w]
    qnr = qn_r[w]
    qni = qn_i[w]
    if pol == 0:
        return qjr, qji, qnr, qni
    return (qjr * en_r[w] - qji * en_i[w], qjr * en_i[w] + qji * en_r[w],
            qnr * ej_r[w] - qni * ej_i[w], qnr * ej_i[w] + qni * ej_r[w])


@kernel
def _cascade(ar, ai, br, bi, h2r, h2i, nr, ni, zr, zi, pr, pi):
    """[N, Z] <- [[sum ph2, dif], [dif ph2, sum]] [N, Z] and P *= 2a, with dif = a - b, sum = a + b."""
    dr = ar - br
    di = ai - bi
    sr = ar + br
    si = ai + bi
    gr = nr * h2r - ni * h2i
    gi = nr * h2i + ni * h2r
    n_r = (dr * zr - di * zi) + (sr * gr - si * gi)
    n_i = (dr * zi + di * zr) + (sr * gi + si * gr)
    z_r = (sr * zr - si * zi) + (dr * gr - di * gi)
    z_i = (sr * zi + si * zr) + (dr * gi + di * gr)
    tr = ar + ar
    ti = ai + ai
    return n_r, n_i, z_r, z_i, pr * tr - pi * ti, pr * ti + pi * tr


@inline_kernel
def _cascade_rows(ws, base):
    """Views of the six rows ``N_r, N_i, Z_r, Z_i, P_r, P_i`` of one polarization's N, Z, P
    cascade, which start at row ``base`` of the work array."""
    return ws[base], ws[base + 1], ws[base + 2], ws[base + 3], ws[base + 4], ws[base + 5]


@inline_kernel
def _row_b_loop(ws, pol, scale, base):
    """The loop of ``_row_b_at`` (inlined with a constant ``pol``: a branch-free loop)."""
    e_p = ws[_EP]
    c_o = ws[_CO]
    s_o = ws[_SO]
    N_r, N_i, Z_r, Z_i, P_r, P_i = _cascade_rows(ws, base)
    qj_r = ws[_SET_A]
    qj_i = ws[_SET_A + 1]
    ej_r = ws[_SET_A + 2]
    ej_i = ws[_SET_A + 3]
    qn_r = ws[_SET_B]
    qn_i = ws[_SET_B + 1]
    en_r = ws[_SET_B + 2]
    en_i = ws[_SET_B + 3]
    for w in range(_SOA):
        e = e_p[w] * scale[w]
        ar, ai, br, bi = _admittances(qj_r, qj_i, qn_r, qn_i, ej_r, ej_i, en_r, en_i, w, pol)
        N_r[w], N_i[w], Z_r[w], Z_i[w], P_r[w], P_i[w] = _cascade(ar, ai, br, bi, e * c_o[w], e * s_o[w], N_r[w],
                                                                  N_i[w], Z_r[w], Z_i[w], P_r[w], P_i[w])


@kernel
def _row_b_at(ws, pol, scale, base, first):
    """One interface j | j+1 and the layer j+1 behind it (round-trip phase in _EP/_CO/_SO) on the
    N, Z, P rows starting at ``base`` (see _cascade).  ``first``: the interface next to the
    substrate, from ``N = 0, Z = 1, P = 1`` and no phase (``N = dif, Z = sum, P = 2a``); it also
    clears the phase sums and the per-polarization flags of ``pol``."""
    if first:
        flags = _BAD_S if pol == 0 else _BAD_P
        for w in range(_SOA):
            for k in range(6):
                ws[base + k, w] = 1.0 if k == 2 or k == 4 else 0.0  # N = 0, Z = 1, P = 1
            for k in (_EP, _CO, _SO, _SA, _ST, flags):
                ws[k, w] = 0.0
            scale[w] = 0.0
    if pol == 0:
        _row_b_loop(ws, 0, scale, base)
    else:
        _row_b_loop(ws, 1, scale, base)


@kernel
def _shift_sets(ws):
    """Medium j becomes medium j+1: copy set A (q, e) into set B."""
    for k in range(4):
        for w in range(_SOA):
            ws[_SET_B + k, w] = ws[_SET_A + k, w]


@kernel
def _block_setup(n, wl, sin_t, b0, ws):
    """k0 and kx^2 of the _SOA wavelengths from b0 into their rows; clear the _BAD flags."""
    k0 = ws[_K0]
    kx2 = ws[_KX2]
    bad = ws[_BAD]
    for w in range(_SOA):
        k0[w] = np.divide(TWO_PI, wl[b0 + w])
        kx = n[0, b0 + w].real * sin_t
        kx2[w] = kx * kx
        bad[w] = 0.0


@kernel
def _block_phase(ws, kbits):
    """The one-way phase of all layers, exp(i (st + i sa)), into _EP/_CO/_SO (flags out of range)."""
    sa = ws[_SA]
    st = ws[_ST]
    bad = ws[_BAD]
    for w in range(_SOA):
        mant, bits, c, s, ok = _exp_cis_guarded(-sa[w], st[w])
        if not ok:
            bad[w] = 1.0
        ws[_EP, w] = mant
        kbits[w] = bits
        ws[_CO, w] = c
        ws[_SO, w] = s
@kernel
def _row_rescale_at(ws, base, badrow):
    """Divide the N, Z, P rows starting at ``base`` by |Re Z| + |Im Z| (keeps r = N/Z and
    t = P e^{i phase}/Z, avoids overflow); out-of-range flags go into row ``badrow``."""
    N_r, N_i, Z_r, Z_i, P_r, P_i = _cascade_rows(ws, base)
    bad = ws[badrow]
    for w in range(_SOA):
        m = abs(Z_r[w]) + abs(Z_i[w])
        if not (_TINY < m < _HUGE):
            bad[w] = 1.0
        s = np.divide(1.0, m)
        N_r[w] *= s
        N_i[w] *= s
        Z_r[w] *= s
        Z_i[w] *= s
        P_r[w] *= s
        P_i[w] *= s


@kernel
def _finish_pol(n, wl, d, sin_t, pol, base, badrow, b0, lo, hi, ws, scale, col, r_out, t_out, T_out):
    """The r, t, T assembly of ``_soa_block`` for one polarization whose N, Z, P rows start at
    ``base`` (the shared one-way phase already in _EP/_CO/_SO), then the ``rt_single`` fallback for
    the wavelengths flagged in _BAD or ``badrow``."""
    M = n.shape[0]
    bad = ws[badrow]
    q0_r = ws[_SET_A]
    q0_i = ws[_SET_A + 1]
    for w in range(lo - b0, hi - b0):
        ww = b0 + w
        zr = ws[base + 2, w]
        zi = ws[base + 3, w]
        m = zr * zr + zi * zi
        iv = np.divide(1.0, m)
        ir = zr * iv
        ii = -zi * iv
        nr = ws[base, w]
        ni = ws[base + 1, w]
        rr = nr * ir - ni * ii
        ri = nr * ii + ni * ir
        e = ws[_EP, w] * scale[w]
        fr = e * ws[_CO, w]
        fi = e * ws[_SO, w]
        pr = ws[base + 4, w]
        pi = ws[base + 5, w]
        ar = pr * fr - pi * fi
        ai = pr * fi + pi * fr
        tr = ar * ir - ai * ii
        ti = ar * ii + ai * ir
        qsr = ws[_QS_R, w]
        qsi = ws[_QS_I, w]
        qr0 = q0_r[w]
        qi0 = q0_i[w]
        if pol == 0:
            num = qsr
            dnm = qr0
        else:
            z0 = n[0, ww]
            zs = n[M - 1, ww]
            x0r = z0.real
            x0i = z0.imag
            xsr = zs.real
            xsi = zs.imag
            ms = xsr * xsr + xsi * xsi
            m0 = x0r * x0r + x0i * x0i
            ivs = np.divide(1.0, ms)
            fr = (x0r * xsr + x0i * xsi) * ivs
            fi = (x0i * xsr - x0r * xsi) * ivs
            tr, ti = tr * fr - ti * fi, tr * fi + ti * fr
            num = (qsr * (xsr * xsr - xsi * xsi) + qsi * (xsr * xsi + xsi * xsr)) * m0
            dnm = (qr0 * (x0r * x0r - x0i * x0i) + qi0 * (x0r * x0i + x0i * x0r)) * ms
            if not (_TINY < ms < _HUGE and _TINY < m0 < _HUGE):
                bad[w] = 1.0
        fac = np.divide(num, dnm)
        r_out[ww] = complex(rr, ri)
        t_out[ww] = complex(tr, ti)
        T_out[ww] = fac * (tr * tr + ti * ti)
        if not (_TINY < m < _HUGE and qr0 > 0.0 and abs(rr) + abs(ri) + abs(tr) + abs(ti) + abs(fac) < _HUGE):
            bad[w] = 1.0
    shared = ws[_BAD]
    for w in range(lo - b0, hi - b0):
        if bad[w] != 0.0 or shared[w] != 0.0:
            ww = b0 + w
            for k in range(M):
                col[k] = n[k, ww]
            kx = n[0, ww].real * sin_t
            r, t = rt_single(col, d, wl[ww], kx, pol)
            r_out[ww] = r
            t_out[ww] = t
            T_out[ww] = transmittance_factor(col[0], col[M - 1], kx, pol) * (t.real * t.real + t.imag * t.imag)




#: ``pol`` of the batched kernels below: 0 = s, 1 = p, _BOTH = s and p in one pass
_BOTH = 2


@inline_kernel
def _soa_block(n, d, wl, sin_t, pol, b0, lo, hi, rs, ts, Ts, rp, tp, Tp, ws, kbits, scale, col):
    """r, t, T of one design at one angle for the _SOA wavelengths from b0 (b0 + _SOA <= W); only
    outputs ``lo <= w < hi`` are written: into ``rs, ts, Ts`` for s, ``rp, tp, Tp`` for p
    (``pol`` 0, 1 or _BOTH).  ``ws``: (_NV_SP, _SOA)."""
    M = n.shape[0]
    normal = sin_t == 0.0
    epol = np.int64(0) if pol == 0 else np.int64(1)  # e = n^2 rows are needed for p
    _block_setup(n, wl, sin_t, b0, ws)
    _row_a(n, M - 1, b0, ws, normal, epol, -1.0, kbits)
    _shift_sets(ws)
    for w in range(_SOA):
        ws[_QS_R, w] = ws[_SET_B, w]
        ws[_QS_I, w] = ws[_SET_B + 1, w]
    first = True
    count = 0
    for j in range(M - 2, -1, -1):
        if not first:
            _shift_sets(ws)
        _row_a(n, j, b0, ws, normal, epol, -1.0 if first else d[j + 1], kbits)
        if not first:
            count += 1
        rescale = count == _RESCALE
        if rescale:
            count = 0
        # one call site per step for both polarizations (each is one loop; a smaller kernel to compile)
        for p in range(2):
            if pol == p or pol == _BOTH:
                _row_b_at(ws, p, scale, _N_R if p == 0 else _NP_R, first)
                if rescale:
                    _row_rescale_at(ws, _N_R if p == 0 else _NP_R, _BAD_S if p == 0 else _BAD_P)
        first = False
    # set A holds q of the incident medium; the one-way phase of the layers is exp(i (st + i sa))
    _block_phase(ws, kbits)
    for p in range(2):
        if pol == p or pol == _BOTH:
            r_out, t_out, T_out = (rs, ts, Ts) if p == 0 else (rp, tp, Tp)
            _finish_pol(n, wl, d, sin_t, p, _N_R if p == 0 else _NP_R, _BAD_S if p == 0 else _BAD_P, b0, lo, hi, ws,
                        scale, col, r_out, t_out, T_out)


@kernel
def _rt_scalar(col, d, wl, kx, pol, w, r_out, t_out, T_out):
    """r, t, T of wavelength ``w`` by ``rt_single`` into ``r_out[w], t_out[w], T_out[w]``."""
    M = col.shape[0]
    r, t = rt_single(col, d, wl, kx, pol)
    r_out[w] = r
    t_out[w] = t
    T_out[w] = transmittance_factor(col[0], col[M - 1], kx, pol) * (t.real * t.real + t.imag * t.imag)


@inline_kernel
def _rt_range(n, d, wl, sin_t, pol, w0, w1, rs, ts, Ts, rp, tp, Tp):
    """Fill r, t, T for wavelengths ``w0 <= w < w1`` of one design at one angle: ``rs, ts, Ts`` for
    s, ``rp, tp, Tp`` for p (``pol`` 0, 1 or _BOTH; the single-polarization kernels pass their
    outputs for both).

    ``n``: complex128[M, W]; outputs: 1-D slices of length W.  Works in blocks of _SOA wavelengths
    (the last block is shifted back to end at w1, or padded when W < _SOA); writes only [w0, w1).
    """
    M = n.shape[0]
    W = wl.shape[0]
    col = np.empty(M, dtype=np.complex128)
    if w1 - w0 < _SCALAR_BELOW:
        # a few wavelengths: a padded block would cost more than the scalar recursion
        for w in range(w0, w1):
            for m in range(M):
                col[m] = n[m, w]
            kx = n[0, w].real * sin_t
            for p in range(2):
                if pol == p or pol == _BOTH:
                    r_out, t_out, T_out = (rs, ts, Ts) if p == 0 else (rp, tp, Tp)
                    _rt_scalar(col, d, wl[w], kx, p, w, r_out, t_out, T_out)
        return
    ws = np.empty((_NV_SP, _SOA), dtype=np.float64)
    kbits = np.empty(_SOA, dtype=np.int64)
    scale = kbits.view(np.float64)
    if W < _SOA:
        npad = np.empty((M, _SOA), dtype=np.complex128)
        wpad = np.empty(_SOA, dtype=np.float64)
        cpad = np.empty((4, _SOA), dtype=np.complex128)  # r_s, t_s, r_p, t_p
        fpad = np.empty((2, _SOA), dtype=np.float64)  # T_s, T_p
        for w in range(_SOA):
            src = min(w, W - 1)
            wpad[w] = wl[src]
            for m in range(M):
                npad[m, w] = n[m, src]
        _soa_block(npad, d, wpad, sin_t, pol, np.int64(0), w0, w1, cpad[0], cpad[1], fpad[0], cpad[2], cpad[3],
                   fpad[1], ws, kbits, scale, col)
        for w in range(w0, w1):
            if pol != 1:
                rs[w] = cpad[0, w]
                ts[w] = cpad[1, w]
                Ts[w] = fpad[0, w]
            if pol != 0:
                rp[w] = cpad[2, w]
                tp[w] = cpad[3, w]
                Tp[w] = fpad[1, w]
        return
    b = w0
    while b < w1:
        b0 = min(b, W - _SOA)
        hi = min(b + _SOA, w1)
        _soa_block(n, d, wl, sin_t, pol, b0, b, hi, rs, ts, Ts, rp, tp, Tp, ws, kbits, scale, col)
        b = hi


@inline_kernel
def _run_task(n, d, wl, sin_t, pol, block, task, rs, ts, Ts, rp, tp, Tp):
    """Task ``task`` of a batch ``n[D, M, W]`` x ``sin_t[A]``: design i, angle a, wavelengths
    ``[b block, (b + 1) block)`` with ``task = (i A + a) nb + b``, ``nb = ceil(W / block)``."""
    A = sin_t.shape[0]
    W = wl.shape[0]
    nb = (W + block - 1) // block
    i = task // (A * nb)
    rem = task - i * A * nb
    a = rem // nb
    b = rem - a * nb
    w0 = b * block
    w1 = min(W, w0 + block)
    _rt_range(n[i], d[i], wl, sin_t[a], pol, w0, w1, rs[i, a], ts[i, a], Ts[i, a], rp[i, a], tp[i, a], Tp[i, a])


@kernel
def _run_tasks(n, d, wl, sin_t, pol, block, task0, task1, rs, ts, Ts, rp, tp, Tp):
    """Tasks ``task0 <= task < task1`` (:func:`_run_task`), serially.  A kernel of its own (not
    inlined): ``rt_batch``, ``rt_tasks``, ``rt_batch_sp`` and ``rt_tasks_sp`` call it with the same
    argument types, so the block code is compiled once for all four (benchmarks/bench_startup.py)."""
    for task in range(task0, task1):
        _run_task(n, d, wl, sin_t, pol, block, task, rs, ts, Ts, rp, tp, Tp)


@kernel
def rt_batch(n, d, wl, sin_t, pol, r_out, t_out, T_out):
    """Serial batch: ``n[D, M, W]``, ``d[D, M]``, ``wl[W]``, ``sin_t[A]`` -> outputs ``[D, A, W]``."""
    _run_tasks(n, d, wl, sin_t, pol, wl.shape[0], np.int64(0), n.shape[0] * sin_t.shape[0],
               r_out, t_out, T_out, r_out, t_out, T_out)


@parallel_kernel
def rt_batch_parallel(n, d, wl, sin_t, pol, block, r_out, t_out, T_out):
    """Threaded batch over independent (design, angle, wavelength-block) tasks.

    Each task writes only its own slice of the outputs.
    """
    ntask = n.shape[0] * sin_t.shape[0] * ((wl.shape[0] + block - 1) // block)
    for task in prange(ntask):
        _run_task(n, d, wl, sin_t, pol, block, task, r_out, t_out, T_out, r_out, t_out, T_out)


@kernel
def rt_tasks(n, d, wl, sin_t, pol, block, task0, task1, r_out, t_out, T_out):
    """Tasks ``task0 <= task < task1`` of ``rt_batch_parallel``, run serially (GIL released).

    One compiled kernel serves the serial and the threaded path of ``spectrum_arrays``: with
    ``block = W`` and all ``D * A`` tasks it is ``rt_batch``; the threaded path splits the tasks
    (``block = 256``) among Python threads, each writing only its own slices of the outputs,
    with the results of ``rt_batch_parallel`` (the same ``_rt_range`` calls), and without
    compiling a parfor kernel (~7 s on first use).
    """
    _run_tasks(n, d, wl, sin_t, pol, block, task0, task1, r_out, t_out, T_out, r_out, t_out, T_out)


# --------------------------------------------------------------------------------------------
# Both polarizations in one pass.  q, e = n^2 and the propagation phases (the exp/cos/sin, most
# of the cost of a layer row) are the same for s and p; only the admittances and the N, Z, P
# cascade differ.  With ``pol = _BOTH`` the block runs ``_row_a`` once per layer (with the p rows,
# which include q) and both cascades on their two sets of N, Z, P rows, each rescaled and flagged
# on its own.  Every operation on a polarization's rows is the one of a single-polarization pass
# in the same order, so the results are those of ``rt_batch`` with pol = 0 and pol = 1.  The two
# cascades run as two loops (``_row_b_at``): one fused loop over both keeps too many rows live
# and was slower than two single-polarization passes.
# --------------------------------------------------------------------------------------------


@kernel
def rt_batch_sp(n, d, wl, sin_t, rs, ts, Ts, rp, tp, Tp):
    """``rt_batch`` for s and p in one pass: outputs ``r_s, t_s, T_s, r_p, t_p, T_p`` [D, A, W]."""
    _run_tasks(n, d, wl, sin_t, np.int64(_BOTH), wl.shape[0], np.int64(0), n.shape[0] * sin_t.shape[0],
               rs, ts, Ts, rp, tp, Tp)


@parallel_kernel
def rt_batch_sp_parallel(n, d, wl, sin_t, block, rs, ts, Ts, rp, tp, Tp):
    """``rt_batch_parallel`` for s and p in one pass (same tasks, same outputs as ``rt_batch_sp``)."""
    ntask = n.shape[0] * sin_t.shape[0] * ((wl.shape[0] + block - 1) // block)
    for task in prange(ntask):
        _run_task(n, d, wl, sin_t, np.int64(_BOTH), block, task, rs, ts, Ts, rp, tp, Tp)


@kernel
def rt_tasks_sp(n, d, wl, sin_t, block, task0, task1, rs, ts, Ts, rp, tp, Tp):
    """``rt_tasks`` for s and p in one pass (the tasks of ``rt_batch_sp_parallel``)."""
    _run_tasks(n, d, wl, sin_t, np.int64(_BOTH), block, task0, task1, rs, ts, Ts, rp, tp, Tp)


@kernel
def boundary_fields(n, d, wavelength, kx, pol, q, y, a_left, b_right, phase, f_left, g_left):
    """Amplitudes and tangential fields of one stack at one wavelength, thin-q layers included.

    In medium m (left boundary z_L, right boundary z_R = z_L + d_m) the field (E_y for s, H_y
    for p) is ``a_left[m] exp(i q k0 (z - z_L)) + b_right[m] exp(i q k0 (z_R - z))``, each term
    bounded inside the medium.  The incident medium uses z_L = z_R = 0 (``a_left[0] = 1``,
    ``b_right[0] = r``); the substrate has ``b_right = 0``.  ``f_left[m], g_left[m]`` are the
    tangential fields ``F = a + b`` and ``G = Y (a - b)`` at the left boundary of medium m (at
    z = 0 for m = 0); F and G are continuous across interfaces.

    A thin-q interior layer (``|q| < _Q_SMALL``, module notes) has no well-conditioned (at
    ``q = 0`` no finite) pair of amplitudes: its ``a_left, b_right`` are set to 0 and its field is
    ``F(u) = cos(q k0 u) F_L + i k0 u sinc(q k0 u) (q/Y) G_L`` (``thin_layer_fields``), u from its
    left boundary.  At grazing incidence (``is_grazing``) ``r = -1`` and every other field is 0.
    Fills ``q, y, a_left, b_right, phase = exp(i q k0 d), f_left, g_left`` (complex128[M]).
    """
    M = n.shape[0]
    k0 = TWO_PI / wavelength
    kx2 = kx * kx
    gam = np.zeros(M, dtype=np.complex128)  # Gamma at the right boundary of each non-thin medium
    tau = np.zeros(M, dtype=np.complex128)  # a_left[nxt[j]] = tau[j] a_right[j] den[j]
    den = np.ones(M, dtype=np.complex128)
    nxt = np.zeros(M, dtype=np.int64)
    thin = np.zeros(M, dtype=np.bool_)
    for m in range(M):
        q[m] = normal_wavenumber(n[m], kx2)
        y[m] = admittance(q[m], n[m], pol)
        if 0 < m < M - 1:
            phase[m] = layer_phase(q[m], k0 * d[m])
            thin[m] = is_thin_q(q[m])
        else:
            phase[m] = 1.0 + 0j
    for m in range(M):
        a_left[m] = 0j
        b_right[m] = 0j
        f_left[m] = 0j
        g_left[m] = 0j
    if is_grazing(n[0], kx2):
        a_left[0] = 1.0 + 0j
        b_right[0] = -1.0 + 0j
        return
    k = M - 1  # the next non-thin medium on the right
    for j in range(M - 2, -1, -1):
        if thin[j]:
            continue
        gp = gam[k] * phase[k] * phase[k]
        if k == j + 1:
            gam[j], tau[j], den[j] = interface_step(y[j], y[k], gp)
        else:
            f = 1.0 + gp
            g = y[k] * (1.0 - gp)
            for m in range(k - 1, j, -1):
                f, g = thin_layer_fields(f, g, q[m], y[m], n[m], k0 * d[m], pol, -1.0)
            gam[j], tau[j], den[j] = fields_step(y[j], f, g)
        nxt[j] = k
        k = j
    a_left[0] = 1.0 + 0j
    b_right[0] = gam[0]
    f_left[0] = 1.0 + gam[0]
    g_left[0] = y[0] * (1.0 - gam[0])
    j = 0
    a_right = 1.0 + 0j
    while j < M - 1:
        k = nxt[j]
        if k > j + 1:
            f = a_right * (1.0 + gam[j])
            g = y[j] * a_right * (1.0 - gam[j])
            for m in range(j + 1, k):
                f_left[m] = f
                g_left[m] = g
                f, g = thin_layer_fields(f, g, q[m], y[m], n[m], k0 * d[m], pol, 1.0)
        al = tau[j] * a_right * den[j]
        a_left[k] = al
        a_right = al * phase[k]
        b_right[k] = gam[k] * a_right
        bl = b_right[k] * phase[k]
        f_left[k] = al + bl
        g_left[k] = y[k] * (al - bl)
        j = k


@kernel
def amplitudes(n, d, wavelength, kx, pol, q, y, a_left, b_right, phase):
    """Forward and backward amplitudes in every medium of one stack at one wavelength.

    In medium m (left boundary z_L, right boundary z_R = z_L + d_m) the field (E_y for s, H_y
    for p) is ``a_left[m] exp(i q k0 (z - z_L)) + b_right[m] exp(i q k0 (z_R - z))``, each term
    bounded inside the medium.  The incident medium uses z_L = z_R = 0 (``a_left[0] = 1``,
    ``b_right[0] = r``); the substrate has ``b_right = 0``.  Fills ``q, y, a_left, b_right,
    phase = exp(i q k0 d)`` (complex128[M]).

    Computed with :func:`boundary_fields`; the amplitudes of a thin-q layer follow from its
    tangential fields, ``a = (F_L + G_L / Y) / 2``, ``b_right = (F_L - G_L / Y) / (2 e^{i q k0 d})``,
    exact but ill-conditioned for small ``|q|``.  A layer with ``q = 0`` exactly (lossless,
    ``n = kx``) has a linear field and no such amplitudes: ValueError (use ``boundary_fields``).
    """
    M = n.shape[0]
    f = np.empty(M, dtype=np.complex128)
    g = np.empty(M, dtype=np.complex128)
    boundary_fields(n, d, wavelength, kx, pol, q, y, a_left, b_right, phase, f, g)
    if is_grazing(n[0], kx * kx):
        return
    for m in range(1, M - 1):
        if is_thin_q(q[m]):
            if y[m] == 0:
                raise ValueError("a layer with zero normal wave number (n = kx) has a linear field "
                                 "and no exponential amplitudes: use boundary_fields")
            gy = g[m] / y[m]
            a_left[m] = 0.5 * (f[m] + gy)
            b_right[m] = 0.5 * (f[m] - gy) / phase[m]


@kernel
def flux(y, a, b):
    """Normal power flow ``Re[conj(Y) (a + b) conj(a - b)]`` of forward/backward amplitudes
    taken at the same plane (normalised so that the incident wave carries ``Re Y0 |a|^2``)."""
    return (y.conjugate() * (a + b) * (a - b).conjugate()).real


@kernel
def absorption_range(n, d, wl, kx, pol, dark_zero, out):
    """Power fractions of one design lit from medium 0: ``out[0] = R``, ``out[m] =`` absorbed in
    medium m, ``out[M-1] = T`` (``n[M, W]``, in-plane index ``kx[W]``, ``out[M, W]`` float64).

    The absorbed fraction is the drop of the normal power flow across the layer, both flows
    evaluated inside the layer from its own amplitudes (a layer with ``q ~ 0``: from the
    tangential fields on its faces).  Where medium 0 carries no incident power (``Re Y_0 = 0``:
    grazing incidence, or evanescent beyond a critical angle) the fractions of the layers and
    ``T`` are 0, and ``R`` is ``|r|^2`` (the limit theta -> 90 deg), or 0 with ``dark_zero``
    (no power arrives from that side: the incoherent sums keep a finite denominator).
    """
    M = n.shape[0]
    W = wl.shape[0]
    col = np.empty(M, dtype=np.complex128)
    q = np.empty(M, dtype=np.complex128)
    y = np.empty(M, dtype=np.complex128)
    al = np.empty(M, dtype=np.complex128)
    br = np.empty(M, dtype=np.complex128)
    ph = np.empty(M, dtype=np.complex128)
    fl = np.empty(M, dtype=np.complex128)
    gl = np.empty(M, dtype=np.complex128)
    for w in range(W):
        for m in range(M):
            col[m] = n[m, w]
        boundary_fields(col, d, wl[w], kx[w], pol, q, y, al, br, ph, fl, gl)
        p_in = y[0].real
        r = br[0]
        out[0, w] = r.real * r.real + r.imag * r.imag
        if p_in == 0.0:
            if dark_zero:
                out[0, w] = 0.0
            for m in range(1, M):
                out[m, w] = 0.0
            continue
        for m in range(1, M - 1):
            if is_thin_q(q[m]):
                # F, G on both faces (continuous across the interfaces): Re(F conj G) = flux
                f_left = (fl[m] * gl[m].conjugate()).real
                f_right = (fl[m + 1] * gl[m + 1].conjugate()).real
            else:
                f_left = flux(y[m], al[m], br[m] * ph[m])
                f_right = flux(y[m], al[m] * ph[m], br[m])
            out[m, w] = (f_left - f_right) / p_in
        # a lone forward wave carries Re(Y) |a|^2: exactly 0 where it is evanescent (Re Y = 0)
        a_t = al[M - 1]
        out[M - 1, w] = y[M - 1].real * (a_t.real * a_t.real + a_t.imag * a_t.imag) / p_in


@kernel
def reflection_towards(n, d, k0, kx2, pol, first, last):
    """Reflection coefficient in medium ``first`` at its boundary facing medium ``last``,
    looking towards ``last`` (a semi-infinite termination).  ``first != last``.

    Used for the cavity form of the pole condition, ``1 - r_L r_R = 0`` (docs/theory.md s.3.1).
    """
    return _recursion(n, d, k0, kx2, pol, first, last)[0]


@kernel
def round_trip(n, d, k0, kx2, pol, plane):
    """Round-trip factor ``r_L r_R exp(2 i q_p k0 d_p)`` of medium ``plane`` (interior), ``r_L`` and
    ``r_R`` looking towards medium 0 and medium M-1 from its two faces: a pole (mode, lasing
    threshold) is ``round_trip = 1`` (docs/theory.md s.3.1).  ``k0`` and ``kx2`` may be complex."""
    M = n.shape[0]
    r_left = reflection_towards(n, d, k0, kx2, pol, plane, np.int64(0))
    # r_R at the left boundary of `plane`: the recursion gives it at the right boundary
    r_right = reflection_towards(n, d, k0, kx2, pol, plane, np.int64(M - 1))
    q = normal_wavenumber(n[plane], kx2)
    return r_left * r_right * layer_phase(2.0 * q, k0 * d[plane])

"""Dipole-emission kernels (numba): the planar-multilayer Green's function integrand and its
adaptive quadrature.  The physics and the conventions are in ``docs/emission.md``.

Media are indexed ``m = 0 .. M-1`` as in :mod:`cavity.optics._tmm_kernels` (0 incident, ``M-1``
substrate), the dipole sits in medium ``L`` (lossless, real index ``nL``) at ``zt`` nm below its
incident-side face and ``zb`` nm above its substrate-side face.  The integration variable is
``u = kx / (k0 nL)`` (complex on the deformed path).  Normal wave numbers ``k0 q_m``,
``q_m = sqrt(n_m^2 - u^2 nL^2)``: the engine's branch ``Re q + Im q > 0``
(:func:`cavity.optics._tmm_kernels.normal_wavenumber`), which for ``Im u <= 0`` and passive media is
the physical (outgoing / decaying, ``Im q >= 0``) branch of the outer media and of the emitting
layer; interior layers are even in ``q``.

Components of the integrand (normalised to the power of the same dipole in an infinite medium
of index ``nL``; ``w = q_L / nL``, ``a_t = r_t exp(2 i q_L k0 zt)``, ``a_b = r_b exp(2 i q_L k0
zb)``, ``D = 1 - a_t a_b``, ``r`` the reflection coefficients seen from layer L, p with the
H_y (= engine) convention):

    0  vertical dipole, p:        3/2 u^3/w (1 + a_t)(1 + a_b) / D
    1  horizontal dipole, s:      3/4 u/w   (1 + a_t)(1 + a_b) / D
    2  horizontal dipole, p:      3/4 u w   (1 - a_t)(1 - a_b) / D

On the real axis each component also gets its normal power fluxes, from the up- and down-going
amplitudes of a source sheet with the same normalisation (``docs/emission.md`` s.3): block
``c (M + 1)`` of the output vector holds ``Re f_c`` then, for every medium m, the power into the
outer medium (m = 0, M-1), absorbed in layer m, or (m = L) leaving the emitting layer.

Speed (docs/emission.md s.5): ``q`` and ``exp(i k0 q d)`` once per distinct index / (index,
thickness) (:func:`groups`), shared by both polarizations and the fluxes; only the components of
the requested orientation; amplitudes followed only up to the outermost absorbing layer.
"""
from __future__ import annotations

import math

import numpy as np

from .._jit import kernel
from ._tmm_kernels import admittance, interface_step, layer_phase, normal_wavenumber

# Gauss-Kronrod 7/15 nodes on [-1, 1] (positive half; QUADPACK qk15)
_XGK = np.array([0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                 0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
                 0.207784955007898467600689403773245, 0.0])
_WGK = np.array([0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                 0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                 0.169004726639267902826583938629515, 0.190350578064785409913256402421014,
                 0.204432940075298892414161999234649, 0.209482141084727828012999174891714])
_WG = np.array([0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                0.381830050505118944950369775488975, 0.417959183673469387755102040816327])

#: integration-path kinds
REAL_SEGMENT = 0   # u = a + (b - a)(1 - cos(pi t))/2 on the real axis (fluxes as well)
ELLIPSE = 1        # half ellipse below the real axis from a to b, depth h
TAIL = 2           # u = a + h t / (1 - t), real, t in [0, 1)


@kernel
def _classify(n, d, g, row, count, m, by_thickness):
    """Put medium ``m`` in its class: the first of the ``count`` representatives in ``g[row]`` with
    its index (and, with ``by_thickness``, its thickness), else ``m`` becomes a new one; its class
    goes to ``g[row + 1, m]``.  Returns the new count."""
    found = -1
    for j in range(count):
        r = g[row, j]
        if n[r] == n[m] and (not by_thickness or d[r] == d[m]):
            found = j
            break
    if found < 0:
        g[row, count] = m
        found = count
        count += 1
    g[row + 1, m] = found
    return count


@kernel
def groups(n, d):
    """Media that share their index (hence ``q``) and interior layers that share index and
    thickness (hence the phase factor), found once per stack: a DBR of 40 layers has a handful.
    Rows of the returned int64 array (length M each): 0 a representative medium of every
    distinct index, 1 each medium's entry in row 0, 2 a representative interior layer of every
    distinct (index, thickness), 3 each interior layer's entry in row 2; row 4 holds the two
    counts."""
    M = n.shape[0]
    g = np.zeros((5, M), dtype=np.int64)
    nq = 0
    for m in range(M):
        nq = _classify(n, d, g, 0, nq, m, False)
    npair = 0
    for m in range(1, M - 1):
        npair = _classify(n, d, g, 2, npair, m, True)
    g[4, 0] = nq
    g[4, 1] = npair
    return g


@kernel
def _media(n, d, k0, kx2, grp, qbuf):
    """Normal wave numbers ``qbuf[0, m]`` of every medium (engine branch) and the one-way phase
    factors ``qbuf[1, m] = exp(i k0 q_m d_m)`` (1 for the outer media), each computed once per
    distinct index / (index, thickness) (:func:`groups`; rows 2 and 3 are scratch): shared by both
    polarizations and by the flux split."""
    M = n.shape[0]
    for j in range(grp[4, 0]):
        qbuf[2, j] = normal_wavenumber(n[grp[0, j]], kx2)
    for m in range(M):
        qbuf[0, m] = qbuf[2, grp[1, m]]
    for j in range(grp[4, 1]):
        r = grp[2, j]
        qbuf[3, j] = layer_phase(qbuf[0, r], k0 * d[r])
    qbuf[1, 0] = 1.0 + 0j
    qbuf[1, M - 1] = 1.0 + 0j
    for m in range(1, M - 1):
        qbuf[1, m] = qbuf[3, grp[3, m]]


@kernel
def _side_reflection(n, qv, pv, pol, L, step, last, gbuf, ybuf):
    """Reflection coefficient in medium L at its face towards medium ``last`` (``step`` = -1 for
    the incident side, +1 for the substrate side).  Stores, for every medium m strictly between L
    and ``last`` and for L itself, the reflection ``gbuf[m]`` at the face of m away from L
    (looking outwards), and the admittance ``Y`` of every medium of that side."""
    y_next = admittance(qv[last], n[last], pol)
    ybuf[last] = y_next
    gam = 0j
    j = last - step
    while True:
        yj = admittance(qv[j], n[j], pol)
        if j + step != last:
            e = pv[j + step]
            h = gam * (e * e)
        else:
            h = 0j
        gam = interface_step(yj, y_next, h)[0]
        gbuf[j] = gam
        ybuf[j] = yj
        if j == L:
            break
        y_next = yj
        j -= step
    return gam


@kernel
def _side_fluxes(L, step, last, stop, amp, gbuf, pv, ybuf, out, off, scale):
    """Add ``scale`` times the outward normal fluxes of the outgoing amplitude ``amp`` (at the
    face of L towards ``last``) to ``out[off + 1 + m]``: absorbed in each layer m between L and
    ``last``, the flux into ``last`` (its absorption when lossy, radiation otherwise) and the
    flux leaving L on this side (into ``out[off + 1 + L]``).  Flux = ``Re(F conj G)``,
    ``F = a + b``, ``G = Y (a - b)`` (engine normalisation).  The amplitude is followed up to
    ``stop``, the outermost absorbing layer of this side (``L`` when there is none): beyond it the
    flux is conserved and reaches ``last`` unchanged."""
    g0 = gbuf[L]
    f = amp * (1.0 + g0)
    g = ybuf[L] * amp * (1.0 - g0)
    phi = (f * g.conjugate()).real
    out[off + 1 + L] += scale * phi
    j = L + step
    while j != last and (j - stop) * step <= 0:
        # inner face of j: outgoing amplitude a with a (1 + h) = F, Y a (1 - h) = G
        ph = pv[j]
        h = gbuf[j] * ph * ph
        p1 = 1.0 + h
        m1 = 1.0 - h
        if abs(p1) >= abs(m1) or ybuf[j] == 0:
            a = f / p1
        else:
            a = g / (ybuf[j] * m1)
        a = a * ph
        f = a * (1.0 + gbuf[j])
        g = ybuf[j] * a * (1.0 - gbuf[j])
        phi_out = (f * g.conjugate()).real
        out[off + 1 + j] += scale * (phi - phi_out)
        phi = phi_out
        j += step
    out[off + 1 + last] += scale * phi


@kernel
def integrand(u, jac, n, d, k0, L, zt, zb, with_flux, per_u, mask, stops, grp, out, gbuf, qbuf, ybuf):
    """Fill ``out`` (length ``3 (M + 1)``, zeroed here) at one ``u`` with path derivative ``jac``.

    ``with_flux`` (real ``u`` only) adds the fluxes; ``per_u`` drops the measure ``u`` of
    ``kx dkx`` from the flux amplitudes (far-field densities, finite at ``u = 0``).
    ``mask`` selects the components (bit 0 vertical p, bit 1 horizontal s, bit 2 horizontal p;
    the others stay 0); ``stops`` holds the outermost absorbing layer of the incident and the
    substrate side (:func:`_side_fluxes`); ``grp`` the output of :func:`groups`.  ``qbuf[0]``
    receives the normal wave numbers, ``qbuf[1]`` the phase factors."""
    M = n.shape[0]
    nb = M + 1
    for i in range(out.shape[0]):
        out[i] = 0.0
    nL = n[L].real
    kx2 = (u * nL) * (u * nL)
    _media(n, d, k0, kx2, grp, qbuf)
    qv = qbuf[0]
    pv = qbuf[1]
    qL = qv[L]
    w = qL / nL
    et = layer_phase(qL, k0 * zt)
    eb = layer_phase(qL, k0 * zb)
    for pol in range(2):
        if (pol == 0 and mask & 2 == 0) or (pol == 1 and mask & 5 == 0):
            continue
        rt = _side_reflection(n, qv, pv, pol, L, -1, 0, gbuf[pol, 0], ybuf[pol, 0])
        rb = _side_reflection(n, qv, pv, pol, L, 1, M - 1, gbuf[pol, 1], ybuf[pol, 1])
        at = rt * et * et
        ab = rb * eb * eb
        den = 1.0 - at * ab
        if pol == 0:
            f = 0.75 * u / w * (1.0 + at) * (1.0 + ab) / den
            out[nb] = (f * jac).real
        else:
            f = 1.5 * u * u * u / w * (1.0 + at) * (1.0 + ab) / den
            out[0] = (f * jac).real
            f = 0.75 * u * w * (1.0 - at) * (1.0 - ab) / den
            out[2 * nb] = (f * jac).real
        if not with_flux:
            continue
        ur = u.real
        mu = 1.0 if per_u else ur
        scale = jac.real
        for comp in range(3):
            if pol == 0 and comp != 1:
                continue
            if pol == 1 and comp == 1:
                continue
            if mask & (1 << comp) == 0:
                continue
            if comp == 1:
                s_up = math.sqrt(3.0 * mu / (8.0 * nL)) / w
                s_dn = s_up
            elif comp == 0:
                s_up = math.sqrt(0.75 * nL * mu) * ur / w
                s_dn = s_up
            else:
                s_up = math.sqrt(0.375 * nL * mu) + 0j
                s_dn = -s_up
            up = (s_up + ab * s_dn) / den
            dn = (s_dn + at * s_up) / den
            off = comp * nb
            _side_fluxes(L, -1, 0, stops[0], up * et, gbuf[pol, 0], pv, ybuf[pol, 0], out, off, scale)
            _side_fluxes(L, 1, M - 1, stops[1], dn * eb, gbuf[pol, 1], pv, ybuf[pol, 1], out, off, scale)


@kernel
def path_point(kind, a, b, h, t):
    """``(u, du/dt)`` of the integration path at ``t`` in [0, 1]."""
    if kind == REAL_SEGMENT:
        c = math.cos(math.pi * t)
        s = math.sin(math.pi * t)
        return complex(a + (b - a) * 0.5 * (1.0 - c), 0.0), complex((b - a) * 0.5 * math.pi * s, 0.0)
    if kind == ELLIPSE:
        # theta = pi (1 - cos(pi t)) / 2 makes u - a ~ t^2 at both ends (square-root branch points)
        th = 0.5 * math.pi * (1.0 - math.cos(math.pi * t))
        dth = 0.5 * math.pi * math.pi * math.sin(math.pi * t)
        c = 0.5 * (a + b)
        r = 0.5 * (b - a)
        u = complex(c - r * math.cos(th), -h * math.sin(th))
        du = complex(r * math.sin(th), -h * math.cos(th)) * dth
        return u, du
    # TAIL
    v = 1.0 - t
    return complex(a + h * t / v, 0.0), complex(h / (v * v), 0.0)


@kernel
def _gk15(kind, pa, pb, ph, t0, t1, n, d, k0, L, zt, zb, with_flux, mask, stops, grp, res, err, buf, gbuf, qbuf, ybuf):
    """Gauss-Kronrod 7/15 on [t0, t1]: ``res`` the Kronrod sums, ``err = |K - G|`` per component."""
    nv = res.shape[0]
    hl = 0.5 * (t1 - t0)
    tc = 0.5 * (t0 + t1)
    for i in range(nv):
        res[i] = 0.0
        err[i] = 0.0
    for k in range(15):
        if k < 7:
            x = -_XGK[k]
            wk = _WGK[k]
            g = k % 2 == 1
            wg = _WG[k // 2] if g else 0.0
        elif k == 7:
            x = 0.0
            wk = _WGK[7]
            wg = _WG[3]
        else:
            kk = 14 - k
            x = _XGK[kk]
            wk = _WGK[kk]
            wg = _WG[kk // 2] if kk % 2 == 1 else 0.0
        t = tc + hl * x
        u, du = path_point(kind, pa, pb, ph, t)
        integrand(u, du, n, d, k0, L, zt, zb, with_flux, False, mask, stops, grp, buf, gbuf, qbuf, ybuf)
        for i in range(nv):
            res[i] += wk * buf[i]
            err[i] += wg * buf[i]
    for i in range(nv):
        res[i] *= hl
        err[i] = abs(res[i] - err[i] * hl)


@kernel
def _store_piece(val, er, p, res, ee):
    """Integrals ``res`` and error estimates ``ee`` of interval ``p`` into row ``p`` of ``val, er``."""
    for i in range(res.shape[0]):
        val[p, i] = res[i]
        er[p, i] = ee[i]


@kernel
def _add_to(total, errtot, res, ee):
    """Running sums: ``total += res``, ``errtot += ee``."""
    for i in range(res.shape[0]):
        total[i] += res[i]
        errtot[i] += ee[i]


@kernel
def _resum(val, er, nint, total, errtot):
    """``total``, ``errtot``: the sums over the intervals ``[0, nint)`` of ``val``, ``er`` (in interval
    order)."""
    for i in range(val.shape[1]):
        total[i] = 0.0
        errtot[i] = 0.0
    for p in range(nint):
        _add_to(total, errtot, val[p], er[p])


@kernel
def integrate(kind, pa, pb, ph, pieces, n, d, k0, L, zt, zb, with_flux, mask, stops, epsrel, epsabs, maxint, total, errtot):
    """Globally adaptive Gauss-Kronrod over t in [0, 1] (``pieces`` equal starting intervals,
    bisection of the interval with the largest error in the worst component).

    Writes the integrals into ``total`` and their error estimates into ``errtot``; returns
    ``(converged, evaluations)``."""
    M = n.shape[0]
    nv = 3 * (M + 1)
    ta = np.empty(maxint)
    tb = np.empty(maxint)
    val = np.empty((maxint, nv))  # rows [0, nint) are used
    er = np.empty((maxint, nv))
    res = np.empty(nv)
    ee = np.empty(nv)
    buf = np.empty(nv)
    gbuf = np.zeros((2, 2, M), dtype=np.complex128)
    qbuf = np.zeros((4, M), dtype=np.complex128)
    ybuf = np.zeros((2, 2, M), dtype=np.complex128)
    grp = groups(n, d)
    nint = pieces
    for p in range(pieces):
        ta[p] = p / pieces
        tb[p] = (p + 1) / pieces
        _gk15(kind, pa, pb, ph, ta[p], tb[p], n, d, k0, L, zt, zb, with_flux, mask, stops, grp, res, ee, buf, gbuf, qbuf, ybuf)
        _store_piece(val, er, p, res, ee)
    _resum(val, er, nint, total, errtot)
    evals = 15 * pieces
    converged = False
    it = 0
    while True:
        it += 1
        if it % 64 == 0:  # refresh the running sums (no drift from the updates)
            _resum(val, er, nint, total, errtot)
        worst = -1
        ratio = 1.0
        for i in range(nv):
            # a flux is a share of its component's power: its tolerance is relative to that total
            tol = max(epsrel * abs(total[(i // (M + 1)) * (M + 1)]), epsabs)
            r = errtot[i] / tol
            if r > ratio:
                ratio = r
                worst = i
        if worst < 0:
            converged = True
            break
        if nint + 1 >= maxint:
            break
        best = 0
        for p in range(1, nint):
            if er[p, worst] > er[best, worst]:
                best = p
        a0 = ta[best]
        b0 = tb[best]
        mid = 0.5 * (a0 + b0)
        if mid <= a0 or mid >= b0:
            break
        for i in range(nv):
            total[i] -= val[best, i]
            errtot[i] -= er[best, i]
        _gk15(kind, pa, pb, ph, a0, mid, n, d, k0, L, zt, zb, with_flux, mask, stops, grp, res, ee, buf, gbuf, qbuf, ybuf)
        tb[best] = mid
        _store_piece(val, er, best, res, ee)
        _add_to(total, errtot, res, ee)
        _gk15(kind, pa, pb, ph, mid, b0, n, d, k0, L, zt, zb, with_flux, mask, stops, grp, res, ee, buf, gbuf, qbuf, ybuf)
        ta[nint] = mid
        tb[nint] = b0
        _store_piece(val, er, nint, res, ee)
        _add_to(total, errtot, res, ee)
        nint += 1
        evals += 30
    _resum(val, er, nint, total, errtot)
    return converged, evals


@kernel
def far_field(us, n, d, k0, L, zt, zb, mask, stops, out):
    """Flux densities per unit ``u`` (the measure ``u`` removed) at the real ``us[i]`` into the
    rows ``out[i]`` (length ``3 (M + 1)`` each)."""
    M = n.shape[0]
    gbuf = np.zeros((2, 2, M), dtype=np.complex128)
    qbuf = np.zeros((4, M), dtype=np.complex128)
    ybuf = np.zeros((2, 2, M), dtype=np.complex128)
    grp = groups(n, d)
    for i in range(us.shape[0]):
        integrand(complex(us[i], 0.0), 1.0 + 0j, n, d, k0, L, zt, zb, True, True, mask, stops, grp, out[i],
                  gbuf, qbuf, ybuf)

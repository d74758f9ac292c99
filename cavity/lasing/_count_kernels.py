"""Kernels of the complete mode search: the characteristic function, its winding along a segment,
and a 2x2 Newton iteration on it (docs/modes.md).

The characteristic function of a planar stack is the Abeles combination

    D = eta_0 M11 + eta_0 eta_s M12 + M21 + eta_s M22,    M = M_1 M_2 ... M_L,

``M_j = [[cos delta, -i sin(delta)/eta], [-i eta sin(delta), cos delta]]`` the characteristic
matrix of layer j (``delta = k0 q d``, ``eta = q`` for s and ``n^2/q`` for p, ``q^2 = n^2 -
kx^2``), ``eta_0`` and ``eta_s`` the admittances of the outer media on their outgoing branch.
``D`` vanishes exactly at the poles of r and t: it needs no reference plane, and every entry of
``M_j`` depends on ``q^2`` only (``cos delta``, ``sin(delta)/q`` and ``q sin(delta)`` are entire
in ``q^2``), so ``D`` is an entire function of the gain ``g`` of the interior layers and analytic
in the complex wavelength wherever the outer admittances are.

Dynamic range: every layer matrix carries a real factor ``exp(|Im delta|)`` outside, and the
running product is renormalised, so ``D = Dm exp(S)`` is returned as ``(Dm, S)``; the winding and
the Newton iteration only use ratios.

Periodic structures: the interior is a sequence of *blocks*, each a cell of consecutive entries
of ``seq_rows`` repeated ``rep`` times; a cell is raised to its power by repeated squaring
(``log2 rep`` products), so a 2000-period grating costs about as much as a 40-layer stack.

Points of the search plane: ``mode = 0`` is ``(x, y) = (lambda, g)`` (real wavelength in nm,
material gain in cm^-1, used for thresholds); ``mode = 1`` is ``lambda = x + i y`` at the fixed
gain ``gfix`` (complex-wavelength poles, used for resonances).  Dispersion is interpolated at
``Re lambda`` (tables and Catmull-Rom weights of :mod:`cavity.lasing._pole_kernels`).
"""
from __future__ import annotations

import cmath
import math

import numpy as np

from .._jit import kernel
from ..conventions import GAIN_TO_K
from ._pole_kernels import _expint_imag, _expint_real, indices_at, real_newton_step
from ..optics._tmm_kernels import characteristic_matrix, normal_wavenumber

_GAIN_TO_K = GAIN_TO_K  # cavity.conventions
_BIG = 1e150
_SMALL = 1e-150

OK = 0
UNRESOLVED = 1  # a segment passes (numerically) through a zero of D

#: relative size |D| / ref below which D is round-off (cancellation of its terms)
_NOISE = 1e-13
#: evaluations of one segment before it is given up as unresolvable
_MAX_EVALS = 200_000

CONVERGED = 0
NOT_CONVERGED = 1
LEFT_REGION = 2
SINGULAR = 3


@kernel
def media_at(lam_re, g, lam_tab, n_tab, gain_tab, mask, out):
    """Indices of the media (rows of ``n_tab``) at ``lam_re`` with material gain ``g`` (cm^-1)."""
    indices_at(lam_re, lam_tab, n_tab, gain_tab, g, mask, out)


@kernel
def _layer(n, d, k0, kx2, pol):
    """Scaled characteristic matrix ``(a, b, c, e)`` of one layer and its log-scale."""
    q2 = n * n - kx2
    q = normal_wavenumber(n, kx2)  # the matrix is even in q: any root serves
    delta = k0 * q * d
    a = delta.real
    s = abs(delta.imag)
    c = math.cos(a)
    sa = math.sin(a)
    # exp(+-i delta) exp(-|Im delta|): one of the two carries exp(-2 |Im delta|)
    f = math.exp(-2.0 * s)
    if delta.imag >= 0.0:
        ep = complex(f * c, f * sa)
        em = complex(c, -sa)
    else:
        ep = complex(c, sa)
        em = complex(f * c, -f * sa)
    cs = 0.5 * (ep + em)
    sn = -0.5j * (ep - em)
    if abs(delta) < 1e-2:
        dd = delta * delta
        sq = k0 * d * (1.0 - dd / 6.0 + dd * dd / 120.0 - dd * dd * dd / 5040.0) * math.exp(-s)
    else:
        sq = sn / q
    if pol == 0:
        b = -1j * sq
        c = -1j * q2 * sq
    else:
        n2 = n * n
        b = -1j * sq * q2 / n2
        c = -1j * n2 * sq
    return cs, b, c, cs, s


@kernel
def _mul(a1, b1, c1, d1, a2, b2, c2, d2):
    return a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2


@kernel
def _norm(a, b, c, d):
    m = max(abs(a.real) + abs(a.imag), abs(b.real) + abs(b.imag), abs(c.real) + abs(c.imag),
            abs(d.real) + abs(d.imag))
    return m


@kernel
def _mul_normalised(a1, b1, c1, d1, a2, b2, c2, d2, log_scale):
    """The product ``A1 A2`` (:func:`_mul`) divided by its norm ``m`` (when ``m > 0``), and the
    log-scale ``log_scale + log m`` that carries the factor removed."""
    a, b, c, d = _mul(a1, b1, c1, d1, a2, b2, c2, d2)
    m = _norm(a, b, c, d)
    if m > 0.0:
        return a / m, b / m, c / m, d / m, log_scale + math.log(m)
    return a, b, c, d, log_scale


@kernel
def characteristic(lam, g, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start, blk_len, blk_rep,
                   sin_t, beta, pol, work):
    """``(Dm, S, ref)``: ``D = Dm exp(S)`` at complex wavelength ``lam`` (nm) and gain ``g``.

    Rows 0 and 1 of the tables are the incident medium and the substrate.  ``beta`` > 0 fixes the
    in-plane wavenumber (rad/nm; ``kx = beta lam / 2 pi``), otherwise ``kx = Re n_0 sin_t``.
    ``ref`` (same scale as ``Dm``) is the larger of the sum of the moduli of the four terms of
    ``D`` and the largest intermediate magnitude of the matrix product: the scale of the
    round-off, so ``|Dm| / ref`` is the relative residual.
    """
    media_at(lam.real, g, lam_tab, n_tab, gain_tab, mask, work)
    k0 = 2.0 * math.pi / lam
    if beta > 0.0:
        kx = beta * lam / (2.0 * math.pi)
        kx2 = kx * kx
    else:
        kxr = work[0].real * sin_t
        kx2 = complex(kxr * kxr, 0.0)
    # product of the blocks; Smax tracks the largest intermediate magnitude (log), the scale of
    # the round-off that the cancellations in D leave
    pa, pb, pc, pd = 1.0 + 0j, 0j, 0j, 1.0 + 0j
    S = 0.0
    Smax = 0.0
    for bk in range(blk_start.shape[0]):
        ca, cb, cc, cd = 1.0 + 0j, 0j, 0j, 1.0 + 0j
        cS = 0.0
        for j in range(blk_start[bk], blk_start[bk] + blk_len[bk]):
            r = seq_rows[j]
            la, lb, lc, ld, ls = _layer(work[r], d[r], k0, kx2, pol)
            ca, cb, cc, cd = _mul(ca, cb, cc, cd, la, lb, lc, ld)
            cS += ls
            m = _norm(ca, cb, cc, cd)
            if m > _BIG or m < _SMALL:
                ca, cb, cc, cd = ca / m, cb / m, cc / m, cd / m
                cS += math.log(m)
        cmax = cS + math.log(_norm(ca, cb, cc, cd))
        rep = blk_rep[bk]
        if rep > 1:
            # cell^rep by repeated squaring, renormalised at each step
            ra, rb, rc, rd = 1.0 + 0j, 0j, 0j, 1.0 + 0j
            rS = 0.0
            ba, bb, bc, bd = ca, cb, cc, cd
            bS = cS
            e = rep
            while e > 0:
                if e & 1:
                    ra, rb, rc, rd, rS = _mul_normalised(ra, rb, rc, rd, ba, bb, bc, bd, rS + bS)
                    cmax = max(cmax, rS)
                e >>= 1
                if e > 0:
                    ba, bb, bc, bd, bS = _mul_normalised(ba, bb, bc, bd, ba, bb, bc, bd, 2.0 * bS)
                    cmax = max(cmax, bS)
            ca, cb, cc, cd = ra, rb, rc, rd
            cS = rS
        pa, pb, pc, pd = _mul(pa, pb, pc, pd, ca, cb, cc, cd)
        Smax = max(Smax, S + cmax)
        S += cS
        m = _norm(pa, pb, pc, pd)
        if m > 0.0:
            Smax = max(Smax, S + math.log(m))
            if m > _BIG or m < _SMALL:
                pa, pb, pc, pd = pa / m, pb / m, pc / m, pd / m
                S += math.log(m)
    q0 = normal_wavenumber(work[0], kx2)
    qs = normal_wavenumber(work[1], kx2)
    if pol == 0:
        e0, es = q0, qs
    else:
        e0, es = work[0] * work[0] / q0, work[1] * work[1] / qs
    t1 = e0 * pa
    t2 = e0 * es * pb
    t3 = pc
    t4 = es * pd
    ref = abs(t1) + abs(t2) + abs(t3) + abs(t4)
    big = math.exp(min(Smax - S, 700.0)) * max(1.0, abs(e0)) * max(1.0, abs(es))
    return t1 + t2 + t3 + t4, S, max(ref, big)


@kernel
def point_value(x, y, mode, gfix, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start, blk_len, blk_rep,
                sin_t, beta, pol, work):
    """``characteristic`` at a point of the search plane (module notes)."""
    if mode == 0:
        return characteristic(complex(x, 0.0), y, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
                              blk_len, blk_rep, sin_t, beta, pol, work)
    return characteristic(complex(x, y), gfix, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
                          blk_len, blk_rep, sin_t, beta, pol, work)


@kernel
def edge_trace(x0, y0, x1, y1, n_init, mode, gfix, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
               blk_len, blk_rep, sin_t, beta, pol, out_t, out_phi):
    """Continuous change of ``arg D`` along the segment from ``(x0, y0)`` to ``(x1, y1)``, with the
    samples: ``out_t[k]`` (fraction of the segment) and ``out_phi[k]`` (unwrapped ``arg D`` there,
    ``out_phi[0] = arg D`` at the start) for ``k < samples``; ``samples`` is returned last and is
    -1 when the arrays were too short (pass empty arrays to record nothing).

    Adaptive steps: at most ``1/n_init`` of the segment, halved until ``arg D`` changes by less
    than pi/4 per step and the increment of ``log D`` differs from the previous one (scaled to the
    step) by less than 0.7: near a zero ``s0`` the derivative ``1/(s - s0)`` of ``log D`` changes
    fast, while an exponential background (gain over a long grating) does not.  The smallest
    step is 1e-12 of the segment.  Returns ``(phase, status, evaluations, rel_min, t_min)``:
    ``status`` is ``UNRESOLVED`` when the smallest step still sees a jump or ``|D|`` falls to
    round-off (a zero on the segment, or digits lost), ``rel_min`` the smallest relative
    ``|D| / ref`` met and ``t_min`` where (fraction of the segment).
    """
    work = np.empty(n_tab.shape[0], np.complex128)
    D0, S0, r0 = point_value(x0, y0, mode, gfix, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
                             blk_len, blk_rep, sin_t, beta, pol, work)
    rel_min = abs(D0) / r0 if r0 > 0 else 0.0
    t_min = 0.0
    cap = out_t.shape[0]
    ns = 0
    phi0 = cmath.phase(D0)
    if cap > 0:
        out_t[0] = 0.0
        out_phi[0] = phi0
        ns = 1
    if rel_min < _NOISE:
        return 0.0, UNRESOLVED, 1, rel_min, t_min, ns
    hmax = 1.0 / n_init
    h = hmax
    t = 0.0
    total = 0.0
    status = OK
    nev = 1
    have_prev = False
    l_prev = 0j
    h_prev = 1.0
    while t < 1.0:
        if t + h > 1.0:
            h = 1.0 - t
        tt = t + h
        x = x0 + tt * (x1 - x0)
        y = y0 + tt * (y1 - y0)
        D1, S1, r1 = point_value(x, y, mode, gfix, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
                                 blk_len, blk_rep, sin_t, beta, pol, work)
        nev += 1
        rel = abs(D1) / r1 if r1 > 0 else 0.0
        if rel < rel_min:
            rel_min = rel
            t_min = tt
        if rel < _NOISE or nev > _MAX_EVALS:
            # the function is at round-off level here (a zero on the segment, or a region where
            # the matrix product has lost its digits): the segment must be moved
            return total, UNRESOLVED, nev, rel_min, t_min, ns
        ratio = D1 / D0
        dphi = cmath.phase(ratio)
        ell = complex(math.log(abs(ratio)) + S1 - S0, dphi)  # increment of log D
        # refine while arg D turns by more than pi/4, or log D bends (a zero nearby: d log D/ds =
        # 1/(s - s0) changes fast, an exponential background does not)
        bend = abs(ell - l_prev * (h / h_prev)) if have_prev else abs(ell.real)
        if abs(dphi) > 0.25 * math.pi or bend > 0.7:
            if h > 1e-12:
                h *= 0.5
                continue
            if abs(dphi) > 0.5 * math.pi:
                status = UNRESOLVED
        total += dphi
        if cap > 0:
            if ns < cap:
                out_t[ns] = tt
                out_phi[ns] = phi0 + total
                ns += 1
            else:
                cap = 0
                ns = -1
        t = tt
        D0, S0 = D1, S1
        have_prev = True
        l_prev = ell
        h_prev = h
        if abs(dphi) < 0.06 * math.pi and bend < 0.15:
            h = min(2.0 * h, hmax)
    return total, status, nev, rel_min, t_min, ns


@kernel
def edge_phase(x0, y0, x1, y1, n_init, mode, gfix, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
               blk_len, blk_rep, sin_t, beta, pol):
    """Continuous change of ``arg D`` along a segment (:func:`edge_trace` without the samples).
    Returns ``(phase, status, evaluations, rel_min, t_min)``."""
    none = np.empty(0)
    ph, st, nev, rel, tm, ns = edge_trace(x0, y0, x1, y1, n_init, mode, gfix, lam_tab, n_tab, gain_tab, mask, d,
                                          seq_rows, blk_start, blk_len, blk_rep, sin_t, beta, pol, none, none)
    return ph, st, nev, rel, tm


@kernel
def _scaled_pair(x, y, mode, gfix, S_ref, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start, blk_len,
                 blk_rep, sin_t, beta, pol, work):
    D, S, ref = point_value(x, y, mode, gfix, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start, blk_len,
                            blk_rep, sin_t, beta, pol, work)
    f = math.exp(S - S_ref)
    return D * f, ref * f


@kernel
def newton(x, y, xlo, xhi, ylo, yhi, hx_scale, hy_scale, sx, sy, tol, maxit, mode, gfix, lam_tab, n_tab, gain_tab,
           mask, d, seq_rows, blk_start, blk_len, blk_rep, sin_t, beta, pol):
    """Zero of ``D`` as a map of the real plane ``(x, y)``: Newton with a finite-difference
    Jacobian, steps limited to a quarter of the region ``[xlo, xhi] x [ylo, yhi]``.  The
    difference steps follow the size of the last Newton step (``sx, sy`` at the start: the size of
    the cell the search started from), so a zero as narrow as a Q = 1e10 resonance is resolved.

    Returns ``(x, y, iterations, status, residual, orientation)``: ``residual = |D| / ref`` and
    ``orientation`` the sign of the Jacobian determinant (+1 for a mode whose pole moves into the
    growing half-plane as the gain rises).
    """
    work = np.empty(n_tab.shape[0], np.complex128)
    status = NOT_CONVERGED
    res = math.inf
    orient = 0.0
    it = 0
    max_dx = 0.25 * (xhi - xlo)
    max_dy = 0.25 * (yhi - ylo)
    for it in range(1, maxit + 1):
        D0, S0, r0 = point_value(x, y, mode, gfix, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
                                 blk_len, blk_rep, sin_t, beta, pol, work)
        res = abs(D0) / r0 if r0 > 0 else math.inf
        hx = min(1e-8 * hx_scale, max(1e-6 * sx, 1e-11 * hx_scale))
        hy = min(1e-8 * hy_scale, max(1e-6 * sy, 1e-11 * hy_scale))
        Dx, rx = _scaled_pair(x + hx, y, mode, gfix, S0, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
                              blk_len, blk_rep, sin_t, beta, pol, work)
        Dy, ry = _scaled_pair(x, y + hy, mode, gfix, S0, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
                              blk_len, blk_rep, sin_t, beta, pol, work)
        ok, det, dx, dy = real_newton_step(D0, Dx, hx, Dy, hy)
        if not ok:
            status = SINGULAR
            break
        orient = 1.0 if det > 0 else -1.0
        if res < 1e-15:
            status = CONVERGED
            break
        s = 1.0
        if abs(dx) > max_dx:
            s = max_dx / abs(dx)
        if abs(dy) * s > max_dy:
            s = max_dy / abs(dy)
        x += s * dx
        y += s * dy
        sx = max(abs(s * dx), 1e-15 * hx_scale)
        sy = max(abs(s * dy), 1e-15 * hy_scale)
        if x < xlo or x > xhi or y < ylo or y > yhi:
            status = LEFT_REGION
            break
        if abs(dx) < tol * hx_scale and abs(dy) < tol * hy_scale:
            D0, S0, r0 = point_value(x, y, mode, gfix, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
                                     blk_len, blk_rep, sin_t, beta, pol, work)
            res = abs(D0) / r0 if r0 > 0 else math.inf
            status = CONVERGED
            break
    return x, y, it, status, res, orient


@kernel
def track_pole(x0, y0, g_end, xlo, xhi, ylo, yhi, eps, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start,
               blk_len, blk_rep, sin_t, beta, pol, out_x, out_g):
    """Follow the pole ``x0 + i y0`` (at g = 0) as the gain grows to ``g_end`` and record where it
    crosses the real axis (``out_x``: wavelength, ``out_g``: gain, linear estimates to refine).

    Predictor-corrector continuation in g: each accepted step lands within a fifth of the pole's
    distance to the real axis (at least ``eps`` nm) of the linear prediction, and moves by at
    most eight such distances, so the path between two accepted poles is straight to that
    accuracy and cannot touch the axis unseen (a crossing shows as a sign change of Im).
    Returns ``(crossings, status)``: status 0 reached ``g_end``, 1 the pole
    left ``[xlo, xhi] x [ylo, yhi]``, 2 the continuation failed (step below 1e-12 of ``g_end``).
    """
    g = 0.0
    px = x0
    py = y0
    vx = 0.0
    vy = 0.0
    dg = g_end * 1e-6
    n_out = 0
    scale = 0.5 * (abs(xlo) + abs(xhi))
    while g < g_end:
        gn = min(g + dg, g_end)
        step = gn - g
        qx = px + vx * step
        qy = py + vy * step
        lim = max(abs(py), eps)
        # maxit and mode as np.int64: integer literals would compile a second newton (_jit.py)
        x, y, it, st, res, o = newton(qx, qy, xlo - (xhi - xlo), xhi + (xhi - xlo), 2.0 * ylo, 2.0 * yhi, scale,
                                      scale, 0.1 * lim, 0.1 * lim, 1e-11, np.int64(8), np.int64(1), gn, lam_tab,
                                      n_tab, gain_tab, mask, d, seq_rows, blk_start, blk_len, blk_rep, sin_t, beta, pol)
        ok = st == CONVERGED
        moved = math.hypot(x - px, y - py)
        off = math.hypot(x - qx, y - qy)
        if not ok or moved > 8.0 * lim or off > 0.2 * lim:
            dg = 0.5 * step
            if dg < 1e-12 * g_end:
                return n_out, 2
            continue
        if (py > 0.0) != (y > 0.0) and n_out < out_x.shape[0]:
            t = py / (py - y)
            out_x[n_out] = px + t * (x - px)
            out_g[n_out] = g + t * step
            n_out += 1
        vx = (x - px) / step
        vy = (y - py) / step
        px = x
        py = y
        g = gn
        if px < xlo or px > xhi or py < ylo or py > yhi:
            return n_out, 1
        dg = min((3.0 if off < 0.05 * lim else 1.5) * step, g_end / 16.0)
    return n_out, 0


@kernel
def _lin(n, d, k0):
    """Left-to-right boundary map of a layer on ``(E, H)`` (normal incidence, s): ``[[cos, i sin / n],
    [i n sin, cos]]`` with ``delta = k0 n d`` (:func:`cavity.optics._tmm_kernels.characteristic_matrix`)."""
    return characteristic_matrix(n, n, n, k0 * d, np.int64(0))


@kernel
def _qform(n, d, k0):
    """Hermitian ``Q`` with ``int_0^d |E|^2 du = w^H Q w`` for the left-boundary state ``w = (E, H)``.

    ``E(u) = F exp(i b u) + G exp(-i b u)``, ``b = k0 n``, ``F = (E + H/n)/2``, ``G = (E - H/n)/2``:
    ``int |E|^2 = |F|^2 I(-2 Im b) + |G|^2 I(2 Im b) + 2 Re(F G* I(2 i Re b))``."""
    b = k0 * n
    i_f = _expint_real(-2.0 * b.imag * d, d)
    i_g = _expint_real(2.0 * b.imag * d, d)
    i_c = _expint_imag(2.0 * b.real * d, d)
    # v = K w, K = 0.5 [[1, 1/n], [1, -1/n]]; Qv = [[i_f, conj(i_c)], [i_c, i_g]]; Q = K^H Qv K
    k11 = 0.5 + 0j
    k12 = 0.5 / n
    k21 = 0.5 + 0j
    k22 = -0.5 / n
    v11 = complex(i_f, 0.0)
    v12 = i_c.conjugate()
    v21 = i_c
    v22 = complex(i_g, 0.0)
    # Qv K
    a11 = v11 * k11 + v12 * k21
    a12 = v11 * k12 + v12 * k22
    a21 = v21 * k11 + v22 * k21
    a22 = v21 * k12 + v22 * k22
    # K^H (Qv K)
    q11 = k11.conjugate() * a11 + k21.conjugate() * a21
    q12 = k11.conjugate() * a12 + k21.conjugate() * a22
    q21 = k12.conjugate() * a11 + k22.conjugate() * a21
    q22 = k12.conjugate() * a12 + k22.conjugate() * a22
    return q11, q12, q21, q22


@kernel
def _sandwich(a, b, c, e, q11, q12, q21, q22):
    """``A^H Q A`` for ``A = [[a, b], [c, e]]``."""
    t11 = q11 * a + q12 * c
    t12 = q11 * b + q12 * e
    t21 = q21 * a + q22 * c
    t22 = q21 * b + q22 * e
    return (a.conjugate() * t11 + c.conjugate() * t21, a.conjugate() * t12 + c.conjugate() * t22,
            b.conjugate() * t11 + e.conjugate() * t21, b.conjugate() * t12 + e.conjugate() * t22)


@kernel
def _add_sandwiched(a, b, c, e, s11, s12, s21, s22, o11, o12, o21, o22, L):
    """``O[j] += A^H S[j] A`` for ``j < L``, ``A = [[a, b], [c, e]]``, the 2x2 matrices stored by
    element (``O`` may be ``S``: each ``S[j]`` is read before ``O[j]`` is written)."""
    for j in range(L):
        x11, x12, x21, x22 = _sandwich(a, b, c, e, s11[j], s12[j], s21[j], s22[j])
        o11[j] += x11
        o12[j] += x12
        o21[j] += x21
        o22[j] += x22


@kernel
def _mul_tracked(a1, b1, c1, d1, a2, b2, c2, d2, growth):
    """The product ``A1 A2`` (:func:`_mul`) and ``max(growth, log ||A1 A2||)``."""
    a, b, c, d = _mul(a1, b1, c1, d1, a2, b2, c2, d2)
    return a, b, c, d, max(growth, math.log(max(_norm(a, b, c, d), 1e-300)))


@kernel
def row_field_integrals(lam, g, lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start, blk_len, blk_rep, out):
    """``out[u] = sum over the media of row u of int |E|^2 dz`` for the mode at threshold
    ``(lam, g)`` of a normal-incidence s structure (a DFB section stack), with periodic blocks summed
    by doubling: ``S_{a+b} = S_a + (C^a)^H S_b C^a`` for the quadratic forms of a cell repeated.

    The mode is the outgoing solution: ``(E, H) = (1, -n_0)`` at the first interface.  Returns the
    largest log-magnitude of the state met (forward propagation amplifies round-off in a growing
    direction by that factor: callers fall back to the exact per-layer path above ~25)."""
    U = n_tab.shape[0]
    work = np.empty(U, np.complex128)
    media_at(lam, g, lam_tab, n_tab, gain_tab, mask, work)
    k0 = 2.0 * math.pi / lam
    for u in range(U):
        out[u] = 0.0
    # state at the left boundary of the current block
    we = 1.0 + 0j
    wh = -work[0]
    wscale = 0.0  # log of the factor taken out of (we, wh)
    growth = 0.0
    R = 8
    s11 = np.empty(R, np.complex128)
    s12 = np.empty(R, np.complex128)
    s21 = np.empty(R, np.complex128)
    s22 = np.empty(R, np.complex128)
    t11 = np.empty(R, np.complex128)
    t12 = np.empty(R, np.complex128)
    t21 = np.empty(R, np.complex128)
    t22 = np.empty(R, np.complex128)
    r11 = np.empty(R, np.complex128)
    r12 = np.empty(R, np.complex128)
    r21 = np.empty(R, np.complex128)
    r22 = np.empty(R, np.complex128)
    rows = np.empty(R, np.int64)
    for bk in range(blk_start.shape[0]):
        L = blk_len[bk]
        if L > R:
            return math.inf
        # the cell: transfer C and the quadratic form of each of its layers (one slot per layer)
        ca, cb, cc, cd = 1.0 + 0j, 0j, 0j, 1.0 + 0j
        for j in range(L):
            r = seq_rows[blk_start[bk] + j]
            rows[j] = r
            q11, q12, q21, q22 = _qform(work[r], d[r], k0)
            s11[j], s12[j], s21[j], s22[j] = _sandwich(ca, cb, cc, cd, q11, q12, q21, q22)
            la, lb, lc, ld = _lin(work[r], d[r], k0)
            ca, cb, cc, cd = _mul(la, lb, lc, ld, ca, cb, cc, cd)
        rep = blk_rep[bk]
        # doubling over the repetitions: (S_acc, C_acc) for the steps taken, (S_pow, C_pow) for 2^k steps
        for j in range(L):
            r11[j], r12[j], r21[j], r22[j] = 0j, 0j, 0j, 0j
            t11[j], t12[j], t21[j], t22[j] = s11[j], s12[j], s21[j], s22[j]
        aa, ab, ac, ad = 1.0 + 0j, 0j, 0j, 1.0 + 0j     # C_acc
        pa, pb, pc, pd = ca, cb, cc, cd                   # C_pow
        e = rep
        while e > 0:
            if e & 1:
                # S_acc += C_acc^H S_pow C_acc ; C_acc = C_pow C_acc
                _add_sandwiched(aa, ab, ac, ad, t11, t12, t21, t22, r11, r12, r21, r22, L)
                aa, ab, ac, ad, growth = _mul_tracked(pa, pb, pc, pd, aa, ab, ac, ad, growth)
            e >>= 1
            if e > 0:
                # S_pow(2m) = S_pow(m) + C_pow^H S_pow(m) C_pow ; C_pow = C_pow^2
                _add_sandwiched(pa, pb, pc, pd, t11, t12, t21, t22, t11, t12, t21, t22, L)
                pa, pb, pc, pd, growth = _mul_tracked(pa, pb, pc, pd, pa, pb, pc, pd, growth)
        # contributions w^H S w, then the state moves past the block
        f = math.exp(2.0 * wscale)
        for j in range(L):
            val = (we.conjugate() * (r11[j] * we + r12[j] * wh) + wh.conjugate() * (r21[j] * we + r22[j] * wh)).real
            out[rows[j]] += val * f
        we, wh = aa * we + ab * wh, ac * we + ad * wh
        m = max(abs(we), abs(wh))
        if m > 0.0:
            we = we / m
            wh = wh / m
            wscale += math.log(m)
    return growth

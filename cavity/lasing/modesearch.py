"""The complete mode search: every zero of the characteristic function in a rectangle, counted.

A threshold mode of a stack is a zero of its characteristic function ``D(lambda, g)``
(:mod:`cavity.lasing._count_kernels`) at a real wavelength ``lambda`` and a real material gain ``g``; a
passive resonance is a zero at ``g = 0`` and complex ``lambda``.  Both searches look at ``D`` as a
continuous map of a real rectangle ``[x0, x1] x [y0, y1]`` into the complex plane
(``(lambda, g)`` or ``(Re lambda, Im lambda)``) and use its **winding number** (the Kronecker
index, the argument principle of a function of two real variables, docs/modes.md s.2):

    N = (1 / 2 pi) * (change of arg D around the rectangle's boundary)

is the number of zeros inside, each counted with the sign of its Jacobian.  For resonances ``D``
is analytic in ``lambda`` and every sign is +1; for thresholds the sign is +1 for every mode whose
pole moves into the growing half-plane as the gain rises (the ordinary case; a negative sign marks
a pole that returns to the decaying half-plane, found by the trajectory check of
:func:`cavity.lasing.threshold._with_trajectory_zeros`).  The rectangle is cut into columns (its long
edges traced once), and cells are cut again until every cell holds as many zeros found by
Newton's method as its winding number says; cells of winding zero are dropped.  The result
reports how many zeros the rectangle holds (``count``: the zeros found plus as many as the winding
number says are missing) and whether every zero was found (``complete``).

The boundary phase is sampled adaptively (at most pi/4 per step, and never coarser than a
physical step: 1/16 of the stack's free spectral range along ``lambda``), so a zero can only be
missed by a sample pair if it lies within about 1e-12 of the segment's length from it; a segment
that passes through a zero is moved.  No reference plane is involved: ``D`` is the denominator of
the stack's r and t.
"""
from __future__ import annotations

import cmath
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _count_kernels as CK
from ..conventions import NM_TO_CM
from ..results import Result

__all__ = ["ModeProblem", "ZeroSet", "find_zeros"]

_MAX_CELLS = 20_000
#: single-pass exponent (power) up to which the characteristic function keeps its digits
PRECISION_EXPONENT = 40.0
#: |D|/ref on a cell boundary below which a cell of winding zero is searched once more by Newton
_SUSPECT = 0.02
_TWO_PI = 2.0 * math.pi
#: zero-capacity sample arrays: ``CK.edge_trace`` then records no samples
_NO_SAMPLES = np.empty(0)


@dataclass(frozen=True, eq=False)
class ModeProblem:
    """A planar structure in the compressed form the counting kernels read.

    Attributes
    ----------
    lam_tab : ndarray (K,)        uniform wavelength table (nm)
    n_tab : ndarray (U, K)        passive complex indices of the distinct media; row 0 the incident
                                  medium, row 1 the substrate
    gain_tab : ndarray (K,)       gain spectrum shape (multiplied by g)
    mask : ndarray (U,)           gain weight of each medium (1: gain layer; Gamma: DFB section)
    d : ndarray (U,)              thickness of each medium (nm)
    seq_rows : ndarray (P,)       the interior media in order, as rows of the tables
    blk_start, blk_len, blk_rep   the interior as blocks: ``seq_rows[start:start+len]`` repeated
                                  ``rep`` times
    sin_t : float                 sine of the angle in the incident medium
    beta : float                  fixed in-plane wavenumber (rad/nm), 0 for a fixed angle
    pol : int                     0 s (TE), 1 p (TM)
    optical_thickness : float     sum of |Re n| d over the interior (nm), at the table centre
    gain_length : float           sum of |mask| d over the interior (nm): the single-pass power
                                  gain is ``g * gain_length * 1e-7``
    """

    lam_tab: np.ndarray
    n_tab: np.ndarray
    gain_tab: np.ndarray
    mask: np.ndarray
    d: np.ndarray
    seq_rows: np.ndarray
    blk_start: np.ndarray
    blk_len: np.ndarray
    blk_rep: np.ndarray
    sin_t: float
    beta: float
    pol: int
    optical_thickness: float
    gain_length: float = 0.0

    @classmethod
    def from_media(cls, lam_tab: ArrayLike, n_tab: ArrayLike, d: ArrayLike, mask: ArrayLike, *,
                   keys: ArrayLike | None = None, gain_tab: ArrayLike | None = None, sin_t: float = 0.0,
                   beta: float = 0.0, pol: int = 0) -> ModeProblem:
        """From full per-medium arrays (outer media first and last, as a pole problem holds them).

        ``keys`` (one int per medium) marks media that are identical (same row of ``n_tab``, same
        ``d`` and ``mask``); without it identical rows are detected by value.
        """
        n_tab = np.ascontiguousarray(n_tab, dtype=np.complex128)
        d = np.asarray(d, dtype=np.float64)
        mask = np.asarray(mask, dtype=np.float64)
        M = n_tab.shape[0]
        inner = np.arange(1, M - 1)
        if keys is None:
            rows = np.concatenate((n_tab[1:-1].view(np.float64), d[1:-1, None], mask[1:-1, None]), axis=1)
            _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
            inverse = np.asarray(inverse).reshape(-1)
        else:
            ids: dict = {}
            first_l: list[int] = []
            inv_l: list[int] = []
            for i, key in enumerate(zip(np.asarray(keys)[1:-1].tolist(), d[1:-1].tolist(), mask[1:-1].tolist())):
                k = ids.get(key)
                if k is None:
                    k = ids[key] = len(first_l)
                    first_l.append(i)
                inv_l.append(k)
            first, inverse = np.array(first_l, np.int64), np.array(inv_l, np.int64)
        src = np.concatenate(([0, M - 1], inner[first]))
        seq = (inverse + 2).astype(np.int64)
        starts, lens, reps = _blocks(seq)
        mid = n_tab.shape[1] // 2
        opt = float(np.sum(np.abs(n_tab[1:-1, mid].real) * d[1:-1]))
        g_tab = np.ones(n_tab.shape[1]) if gain_tab is None else np.ascontiguousarray(gain_tab, dtype=np.float64)
        gl = float(np.sum(np.abs(mask[1:-1]) * d[1:-1]))
        return cls(np.ascontiguousarray(lam_tab, dtype=np.float64), np.ascontiguousarray(n_tab[src]), g_tab,
                   np.ascontiguousarray(mask[src]), np.ascontiguousarray(d[src]), seq, starts, lens, reps,
                   float(sin_t), float(beta), int(pol), opt, gl)

    def with_beta(self, beta: float) -> "ModeProblem":
        return ModeProblem(self.lam_tab, self.n_tab, self.gain_tab, self.mask, self.d, self.seq_rows,
                           self.blk_start, self.blk_len, self.blk_rep, self.sin_t, float(beta), self.pol,
                           self.optical_thickness, self.gain_length)

    @property
    def args(self) -> tuple[NDArray[np.float64], NDArray[np.complex128], NDArray[np.float64], NDArray[np.float64],
                            NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64],
                            NDArray[np.int64], float, float, int]:
        """The structure as the counting kernels take it (after ``lam, g``):
        ``(lam_tab, n_tab, gain_tab, mask, d, seq_rows, blk_start, blk_len, blk_rep, sin_t, beta, pol)``."""
        return (self.lam_tab, self.n_tab, self.gain_tab, self.mask, self.d, self.seq_rows, self.blk_start,
                self.blk_len, self.blk_rep, self.sin_t, self.beta, self.pol)

    @property
    def has_gain_media(self) -> bool:
        """True when a passive medium has k < 0 or a gain weight is negative (then zeros may exist
        at g <= 0 and the search cannot start below g = 0)."""
        return bool(np.any(self.n_tab.imag < 0) or np.any(self.mask < 0))

    def value(self, lam: complex, g: float = 0.0) -> tuple[complex, float, float]:
        """``D`` at a complex wavelength and gain, as ``(Dm, S, ref)`` (``D = Dm exp(S)``)."""
        work = np.empty(self.n_tab.shape[0], np.complex128)
        return CK.characteristic(complex(lam), float(g), *self.args, work)

    def gain_limit(self) -> float:
        """Largest material gain (cm^-1) at which ``D`` keeps its digits: a single-pass power gain
        ``g * gain_length`` of at most ``PRECISION_EXPONENT`` (docs/modes.md s.3).  Beyond it the
        growing and decaying waves of the matrix product differ by more than double precision
        resolves, and zeros drown in round-off."""
        if self.gain_length <= 0:
            return math.inf
        return PRECISION_EXPONENT / (self.gain_length * NM_TO_CM)

    def imag_limit(self, lam: float) -> float:
        """Largest ``Im lambda`` (nm) of a pole search at ``Re lambda = lam`` with the same digit
        budget: ``2 Im(k0) * optical_thickness <= PRECISION_EXPONENT``."""
        if self.optical_thickness <= 0:
            return math.inf
        return PRECISION_EXPONENT * lam * lam / (4.0 * math.pi * self.optical_thickness)

    def fsr(self, lam: float) -> float:
        """Free spectral range (nm) of the whole interior at ``lam``."""
        return lam * lam / (2.0 * max(self.optical_thickness, lam / 4.0))


def _blocks(seq, min_len=16, max_period=8):
    """Cover ``seq`` by runs of repeated cells (``start, len, rep``); one block when it is short."""
    n = seq.size
    if n < min_len:
        return (np.array([0], np.int64), np.array([n], np.int64), np.array([1], np.int64))
    runs = []
    for p in range(1, max_period + 1):
        if 2 * p > n:
            runs.append(None)
            continue
        eq = seq[:-p] == seq[p:]
        pos = np.where(eq, n, np.arange(n - p))
        nf = np.minimum.accumulate(pos[::-1])[::-1]
        nf = np.minimum(nf, n - p)
        runs.append(nf - np.arange(n - p))  # consecutive j >= i with seq[j] == seq[j + p]
    starts, lens, reps = [], [], []
    i = 0
    single = -1
    while i < n:
        best_p, best_r = 1, 1
        for p in range(1, max_period + 1):
            r = runs[p - 1]
            if r is None or i >= r.size:
                continue
            rep = 1 + int(r[i]) // p
            if rep >= 2 and p * rep > best_p * best_r and p * rep >= 8:
                best_p, best_r = p, rep
        if best_r >= 2:
            starts.append(i)
            lens.append(best_p)
            reps.append(best_r)
            i += best_p * best_r
            single = -1
        else:
            if single >= 0:
                lens[single] += 1
            else:
                single = len(starts)
                starts.append(i)
                lens.append(1)
                reps.append(1)
            i += 1
    return (np.array(starts, np.int64), np.array(lens, np.int64), np.array(reps, np.int64))


@dataclass(frozen=True)
class Zero(Result):
    """One zero of ``D`` found by the search: ``(x, y)``, Newton iterations, relative residual
    ``|D|/ref`` and orientation (sign of the Jacobian)."""

    x: float
    y: float
    iterations: int
    residual: float
    orientation: int


@dataclass(frozen=True)
class ZeroSet(Result):
    """Result of :func:`find_zeros`.

    Attributes
    ----------
    zeros : tuple of Zero         every zero found in the rectangle
    winding : int                 winding number of ``D`` around the rectangle
    count : int                   zeros the rectangle holds: the winding number, or more when
                                  zeros of negative orientation were found
    complete : bool               every counted zero was found (all cells resolved)
    rectangle : tuple             ``(x0, x1, y0, y1)`` actually searched (edges moved off zeros)
    evaluations : int             evaluations of ``D``
    resolved : bool               every cell of the subdivision was resolved (no boundary stuck
                                  on a zero, no size or cell limit reached)
    """

    zeros: tuple
    winding: int
    count: int
    complete: bool
    rectangle: tuple
    evaluations: int
    resolved: bool = True

    @classmethod
    def of(cls, zeros: Sequence[Zero], winding: int, resolved: bool, rectangle: Iterable[float],
           evaluations: int) -> ZeroSet:
        """Count and completeness from the zeros found: the signed sum of their orientations must
        equal the winding number (fewer: zeros are missing; more: a zero of negative orientation
        is missing), and every cell must have been resolved."""
        signed = sum(z.orientation for z in zeros)
        missing = abs(winding - signed)
        return cls(tuple(zeros), int(winding), len(zeros) + missing, bool(resolved and missing == 0),
                   tuple(rectangle), int(evaluations), bool(resolved))


def _traced(problem, mode, gfix, x0, x1, y, x_step, nev):
    """Samples ``(x, unwrapped arg D)`` along the horizontal segment ``y`` from ``x0`` to ``x1``."""
    cap = 400_000
    out_t, out_phi = np.empty(cap), np.empty(cap)
    n_init = max(2, int(math.ceil((x1 - x0) / x_step)))
    ph, st, ne, rel, tm, ns = CK.edge_trace(x0, y, x1, y, n_init, mode, gfix, *problem.args, out_t, out_phi)
    nev[0] += ne
    if st != CK.OK or ns < 2:
        return None
    return x0 + out_t[:ns] * (x1 - x0), out_phi[:ns].copy()


def _columns(problem, mode, gfix, rect, n_out, x_step, edge, nev):
    """Cut the rectangle into columns of winding <= 1 (cells for the subdivision queue).

    The bottom and top edges are sampled once along their whole length; the winding of a column
    ``[a, b]`` then needs only the two vertical cuts: the phase at a cut between two samples is
    the phase of the sample before it plus the (wrapped, below pi/4 by the sampling rule) change to
    the cut.  Falls back to the whole rectangle when a trace fails."""
    x0, x1, y0, y1 = rect
    whole = [((x0, x1, y0, y1), n_out, False, False, math.inf, None)]
    bottom = _traced(problem, mode, gfix, x0, x1, y0, x_step, nev)
    top = _traced(problem, mode, gfix, x0, x1, y1, x_step, nev) if bottom is not None else None
    if top is None:
        return whole
    work = np.empty(problem.n_tab.shape[0], np.complex128)

    def hphase(tr, y, x):
        xs, ph = tr
        i = int(np.searchsorted(xs, x, side="right")) - 1
        i = min(max(i, 0), xs.size - 1)
        if xs[i] == x:
            return float(ph[i])
        D, S, ref = CK.point_value(x, y, mode, gfix, *problem.args, work)
        nev[0] += 1
        step = (cmath.phase(D) - ph[i] + math.pi) % _TWO_PI - math.pi
        return float(ph[i] + step)

    vert: dict = {}

    def v(x):
        if x not in vert:
            ph, st, rel, pm = edge((x, y0), (x, y1))
            vert[x] = (ph, st == CK.OK)
        return vert[x]

    def column(a, b):
        va, oka = v(a)
        vb, okb = v(b)
        total = (hphase(bottom, y0, b) - hphase(bottom, y0, a)) + vb - (hphase(top, y1, b) - hphase(top, y1, a)) - va
        w = total / _TWO_PI
        n = int(round(w))
        return n, oka and okb and abs(w - n) < 0.2

    out = []
    todo = [(x0, x1, n_out)]
    while todo:
        a, b, n = todo.pop()
        if n == 0:
            continue
        if n == 1 or (b - a) < 2.0 * x_step:
            out.append(((a, b, y0, y1), n, False, False, math.inf, None))
            continue
        for frac in (0.5, 0.4631, 0.5369, 0.4127, 0.5873):
            mid = a + frac * (b - a)
            if v(mid)[1]:
                break
        else:
            out.append(((a, b, y0, y1), n, False, False, math.inf, None))
            continue
        na, oka = column(a, mid)
        nb, okb = column(mid, b)
        if not (oka and okb) or na + nb != n:
            out.append(((a, b, y0, y1), n, False, False, math.inf, None))
            continue
        todo.append((a, mid, na))
        todo.append((mid, b, nb))
    return out


def find_zeros(problem: ModeProblem, mode: int, rect: Iterable[float], *, x_step: float, y_samples: int = 24,
               gfix: float = 0.0, seeds: Iterable[tuple[float, float]] = (), newton_tol: float = 1e-13) -> ZeroSet:
    """All zeros of ``D`` in ``rect = (x0, x1, y0, y1)`` (module notes).

    Parameters
    ----------
    problem : ModeProblem
    mode : int
        0: ``(x, y) = (lambda, g)``; 1: ``lambda = x + i y`` at gain ``gfix``.
    x_step : float
        Largest boundary step along x (nm): a fraction of the smallest expected mode spacing.
    y_samples : int
        Initial samples across the full y range.
    seeds : sequence of (x, y)
        Optional Newton starts (e.g. coupled-mode estimates); they only save time.
    """
    args = problem.args
    x0, x1, y0, y1 = (float(v) for v in rect)
    xs = 0.5 * (abs(x0) + abs(x1))
    ys = max(abs(y0), abs(y1), 1.0) if mode == 0 else max(xs, 1.0)
    y_step = (y1 - y0) / max(2, int(y_samples))
    cache: dict = {}
    nev = [0]

    def edge(p, q):
        key = (p, q)
        hit = cache.get(key)
        if hit is not None:
            return hit
        hit = cache.get((q, p))
        if hit is not None:
            return (-hit[0],) + hit[1:]
        dx, dy = abs(q[0] - p[0]), abs(q[1] - p[1])
        n_init = max(2, int(math.ceil(max(dx / x_step, dy / y_step))))
        # edge_trace without samples (= CK.edge_phase, one kernel less to compile on first use)
        ph, st, ne, rel, tm, _ = CK.edge_trace(p[0], p[1], q[0], q[1], n_init, mode, gfix, *args, _NO_SAMPLES,
                                               _NO_SAMPLES)
        nev[0] += ne
        hit = (ph, st, rel, (p[0] + tm * (q[0] - p[0]), p[1] + tm * (q[1] - p[1])))
        cache[key] = hit
        return hit

    def winding(c):
        """``(winding, bad, smallest |D|/ref on the boundary, where)`` of a cell."""
        a, b, lo, hi = c
        pts = ((a, lo), (b, lo), (b, hi), (a, hi))
        total, bad, rel, where = 0.0, False, math.inf, None
        for k in range(4):
            ph, st, r, pm = edge(pts[k], pts[(k + 1) % 4])
            total += ph
            bad |= st != CK.OK
            if r < rel:
                rel, where = r, pm
        w = total / _TWO_PI
        n = int(round(w))
        return n, bad or abs(w - n) > 0.2, rel, where

    # the outer rectangle, its edges moved off any zero that sits on them
    span_x, span_y = x1 - x0, y1 - y0
    for attempt in range(8):
        n_out, bad, rel_out, where_out = winding((x0, x1, y0, y1))
        if not bad:
            break
        grow = 1e-6 * (attempt + 1) * 3.0
        x0, x1 = x0 - grow * span_x, x1 + grow * span_x
        y1 = y1 + grow * span_y
        if mode == 1 or y0 != 0.0:
            y0 = y0 - grow * span_y
    outer = (x0, x1, y0, y1)
    found: list = []
    region = (x0 - 1e-9 * span_x, x1 + 1e-9 * span_x, y0 - 1e-9 * span_y, y1 + 1e-9 * span_y)

    def add(z):
        for f in found:
            if abs(f.x - z.x) <= 1e-9 * xs and abs(f.y - z.y) <= 1e-7 * ys:
                return
        found.append(z)

    def try_newton(x, y, sx=None, sy=None):
        sx = 0.25 * (x1 - x0) if sx is None else sx
        sy = 0.25 * (y1 - y0) if sy is None else sy
        r = CK.newton(x, y, region[0], region[1], region[2], region[3], xs, ys, sx, sy, newton_tol, 80, mode, gfix,
                      *args)
        nev[0] += 3 * r[2]
        if r[3] == CK.CONVERGED and r[4] < 1e-8:
            add(Zero(float(r[0]), float(r[1]), int(r[2]), float(r[4]), int(r[5])))
            return True
        return False

    for sx, sy in seeds:
        if region[0] <= sx <= region[1] and region[2] <= sy <= region[3]:
            try_newton(float(sx), float(sy))

    def inside(z, c):
        return c[0] <= z.x <= c[1] and c[2] <= z.y <= c[3]

    x_unit = 8.0 * x_step
    y_unit = (y1 - y0) / 4.0
    complete = not bad
    if bad or n_out <= 1:
        queue = [((x0, x1, y0, y1), n_out, bad, False, rel_out, where_out)]
    else:
        queue = _columns(problem, mode, gfix, (x0, x1, y0, y1), n_out, x_step, edge, nev)
    cells = 0
    while queue:
        c, n, bad_c, tried, rel_c, where_c = queue.pop()
        cells += 1
        zs = [z for z in found if inside(z, c)]
        signed = sum(z.orientation for z in zs)
        if not bad_c and n == signed:
            # a pair of zeros of opposite orientation cancels in the winding number: where |D|
            # nearly vanishes on the boundary of such a cell, Newton looks once more
            if not tried and rel_c < _SUSPECT and where_c is not None:
                before = len(found)
                try_newton(where_c[0], where_c[1], 0.25 * (c[1] - c[0]), 0.25 * (c[3] - c[2]))
                if len(found) > before:
                    queue.append((c, n, bad_c, True, rel_c, where_c))
            continue
        if bad_c:
            complete = False
        if not tried and not bad_c and n - signed >= 1:
            before = len(found)
            try_newton(0.5 * (c[0] + c[1]), 0.5 * (c[2] + c[3]), 0.25 * (c[1] - c[0]), 0.25 * (c[3] - c[2]))
            if len(found) > before:
                queue.append((c, n, bad_c, True, rel_c, where_c))
                continue
        a, b, lo, hi = c
        wx, wy = (b - a) / x_unit, (hi - lo) / y_unit
        if (b - a) < 1e-11 * xs and (hi - lo) < 1e-9 * ys or cells > _MAX_CELLS:
            complete = False
            continue
        split_x = wx >= wy
        children = None
        for frac in (0.5, 0.4631, 0.5369, 0.4127, 0.5873):
            if split_x:
                m = a + frac * (b - a)
                kids = ((a, m, lo, hi), (m, b, lo, hi))
            else:
                m = lo + frac * (hi - lo)
                kids = ((a, b, lo, m), (a, b, m, hi))
            res = [winding(k) for k in kids]
            if not any(r[1] for r in res) or frac == 0.5873:
                children = [(k, r[0], r[1], False, r[2], r[3]) for k, r in zip(kids, res)]
                break
        queue.extend(children or ())
    zeros = tuple(z for z in found if inside(z, outer))
    resolved = complete and cells <= _MAX_CELLS
    return ZeroSet.of(zeros, int(n_out), resolved, outer, nev[0])

"""Brute-force reference for lasing-threshold modes and passive poles of 1D planar structures.

Plain numpy + scipy, independent of the ``cavity`` and ``materials`` packages (it imports
neither).  Written from the textbook, for the tests only: slow in principle, made fast enough by
evaluating the characteristic function on a whole grid at once and by raising the matrix of a
repeated block to its power by squaring.

Conventions (the same as the package's documented ones):

* indices ``n + ik`` (k > 0 absorbs), fields ``exp(i(kz - wt))``, lengths in nm, gain in cm^-1;
* a layer with gain weight ``w`` (1 for a gain layer, a confinement factor Gamma for an
  effective-index section, 0 otherwise) carries ``n_j(lambda) - i w g lambda / (4 pi)`` with
  lambda in cm, so a plane wave in it grows by ``exp(w g z / 2)`` in field (power gain ``w g``);
* ``kx = n_in sin(theta)`` fixed; ``q_j = sqrt(n_j^2 - kx^2)``; admittance ``p = q`` (s) or
  ``q / n^2`` (p).  Interior layers: any branch (the characteristic matrix is even in q); outer
  media: the physical branch (``Im q > 0``, or ``Re q >= 0`` when ``q`` is real);
* for a complex wavelength (passive poles) the indices are evaluated at ``Re lambda``.

Characteristic function (Born & Wolf, *Principles of Optics*, s.1.6.2; Macleod, *Thin-Film
Optical Filters*, ch. 2).  Each layer has the characteristic matrix

    M_j = [[cos d_j, -i sin d_j / p_j], [-i p_j sin d_j, cos d_j]],   d_j = (2 pi / lambda) q_j t_j,

mapping the tangential fields (U, V) at its back face to its front face; ``M = M_1 M_2 ... M_N``.
With no incoming wave, ``V_s = p_s U_s`` behind the stack and ``V_0 = -p_0 U_0`` in front of it,
so the self-oscillation (pole of r and t: ``r = (p_0 B - C)/D``, ``t = 2 p_0 / D``) is

    D(lambda, g) = p_0 (M11 + M12 p_s) + (M21 + M22 p_s) = 0.

Threshold modes are zeros of D at real lambda and real g > 0; passive poles are zeros at g = 0 and
complex lambda (``Im lambda > 0`` decays).

Search (obviously complete for a fine enough grid): D is evaluated on a dense rectangular grid
(all points in one vectorised call).  Every grid cell in which the winding number of D around the
cell is non-zero (arg D followed along each cell edge, edges halved until every piece turns by at
most pi/4), or in which Re D and Im D both change sign at the corners, is a candidate: the winding
catches every zero of non-zero index, the sign test (a necessary condition for a zero of a D close
to linear over the cell) also catches pairs of zeros whose indices cancel.  A
vectorised Newton iteration from five points of every candidate cell, then ``scipy.optimize.root``
on ``(Re D, Im D)``, refines the zeros; duplicates are merged.  A cell with non-zero winding whose
neighbourhood yields no zero is reported as *unresolved* and the search raises: refine the grid.
The tests pick the grid steps from the physics (several points per longitudinal mode spacing
``lambda^2 / (2 sum n_j t_j)`` and per the gain over which ``exp(g sum w_j t_j / 2)`` changes) and
check that a finer grid gives the same set.  A mode's linewidth does not limit the grid: a threshold
is a simple zero of D in the (lambda, g) plane, and D is smooth on the scale of the mode spacing.
Gain (or Im lambda) ranges whose single-pass growth exceeds exp(40) are refused: the matrix product
would lose the zeros in round-off.

Closed forms, solved independently of the matrix product:

* Fabry-Perot slab with gain: ``1 - r_1 r_2 exp(2 i k0 q' t) = 0`` with the gain in ``q'`` and in
  the Fresnel coefficients (solved by ``scipy.optimize.root``), and its textbook approximation
  ``g = -(1/t) ln|r_1 r_2|``, ``2 k0 n t + arg(r_1 r_2) = 2 pi m``; the passive poles
  ``lambda_m = 4 pi n t / (2 pi m + i ln(r_1 r_2))``.
* Kogelnik & Shank, J. Appl. Phys. 43, 2327 (1972): coupled-mode equations
  ``R' = (alpha - i delta) R - i kappa S``, ``S' = i kappa R - (alpha - i delta) S`` with
  ``R(-L/2) = S(L/2) = 0``.  A uniform section of length l has the transfer matrix
  ``exp(A l) = cosh(gamma l) I + sinh(gamma l)/gamma A``, ``A = [[u, -i kappa], [i kappa, -u]]``,
  ``gamma^2 = u^2 + kappa^2``, ``u = alpha - i delta``; a Lambda/2 grating shift flips the sign of
  kappa; the threshold condition is ``T22 = 0`` (uniform: ``gamma cosh(gamma L) = u sinh(gamma L)``).
  ``alpha`` is a FIELD gain: the modal power gain is ``2 alpha``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import root

__all__ = [
    "Slab",
    "Repeat",
    "Planar",
    "planar",
    "Modes",
    "Poles",
    "characteristic",
    "response",
    "threshold_modes",
    "passive_poles",
    "mode_spacing",
    "gain_step",
    "fabry_perot_threshold",
    "fabry_perot_estimate",
    "fabry_perot_poles",
    "ks_t22",
    "kogelnik_shank",
    "layered_grating",
    "ks_layered_modes",
    "ks_gain_grating_modes",
    "fabry_perot_pole",
]

NM_TO_CM = 1e-7


# ------------------------------------------------------------------------------------------------
# structure
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slab:
    """One layer: index ``n`` (a complex constant or a callable of wavelength in nm that accepts a
    1D float array), thickness ``d`` (nm), gain weight ``w``."""

    n: object
    d: float
    w: float = 0.0


@dataclass(frozen=True)
class Repeat:
    """A block of items (Slab or Repeat) repeated ``count`` times."""

    items: tuple
    count: int

    def __post_init__(self):
        object.__setattr__(self, "items", tuple(self.items))
        if int(self.count) < 0:
            raise ValueError(f"Repeat count must be >= 0, got {self.count!r}")


@dataclass(frozen=True)
class Planar:
    """A planar structure ``n_in | items | n_out``.

    In-plane wavevector in units of k0: ``kx`` (fixed), or, when ``sin_t`` is given,
    ``kx(lambda) = Re n_in(lambda) sin_t`` (a fixed angle in a dispersive incident medium).
    """

    n_in: object
    n_out: object
    items: tuple
    kx: float = 0.0
    pol: str = "s"
    sin_t: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "items", tuple(self.items))
        if self.pol not in ("s", "p"):
            raise ValueError(f"pol must be 's' or 'p', got {self.pol!r}")

    def slabs(self):
        """``(slab, multiplicity)`` of every distinct slab entry, repeats expanded by count."""
        out = []

        def walk(items, mult):
            for it in items:
                if isinstance(it, Repeat):
                    walk(it.items, mult * int(it.count))
                else:
                    out.append((it, mult))

        walk(self.items, 1)
        return out

    def optical_thickness(self, wavelength):
        """``sum Re(n_j) t_j`` (nm) at one wavelength."""
        lam = np.array([float(wavelength)])
        return float(sum(m * s.d * _index(s.n, lam)[0].real for s, m in self.slabs()))

    def gain_length(self):
        """``sum w_j t_j`` (nm)."""
        return float(sum(m * s.d * s.w for s, m in self.slabs()))

    def length(self):
        return float(sum(m * s.d for s, m in self.slabs()))


def planar(n_in, n_out, n, d, w=None, *, kx=0.0, pol="s", sin_t=None) -> Planar:
    """A structure from flat arrays: indices ``n[j]`` (constants or callables), thicknesses ``d[j]``
    (nm) and gain weights ``w[j]`` (default 0)."""
    w = [0.0] * len(d) if w is None else list(w)
    if not (len(n) == len(d) == len(w)):
        raise ValueError(f"n, d, w must have one entry per layer, got {len(n)}, {len(d)}, {len(w)}")
    return Planar(n_in, n_out, tuple(Slab(nj, float(dj), float(wj)) for nj, dj, wj in zip(n, d, w)), kx, pol, sin_t)


def _index(n, lam_re):
    """Index ``n`` at the real wavelengths ``lam_re`` (any shape); callables get unique values only."""
    if callable(n):
        flat = np.asarray(lam_re, dtype=float).ravel()
        uniq, inv = np.unique(flat, return_inverse=True)
        vals = np.asarray(n(uniq), dtype=complex)
        if vals.shape != uniq.shape:
            vals = np.broadcast_to(vals, uniq.shape)
        return vals[inv].reshape(np.shape(lam_re))
    return np.full(np.shape(lam_re), complex(n))


# ------------------------------------------------------------------------------------------------
# characteristic function
# ------------------------------------------------------------------------------------------------
def _mul(a, b):
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3])


def _power(m, count):
    out = None
    base = m
    while count:
        if count & 1:
            out = base if out is None else _mul(out, base)
        count >>= 1
        if count:
            base = _mul(base, base)
    return out


def _outer_admittance(n, kx, kx_real, pol):
    """Admittance of a semi-infinite medium: the physical branch of ``q = sqrt(n^2 - kx^2)`` at the
    real ``kx_real`` (``Im q > 0``, or ``Re q >= 0`` when q is real), continued to a complex ``kx``
    by taking the sign nearest to it."""
    qr = np.sqrt(n * n - kx_real * kx_real + 0j)
    flip = (qr.imag < 0) | ((qr.imag == 0) & (qr.real < 0))
    qr = np.where(flip, -qr, qr)
    q = np.sqrt(n * n - kx * kx + 0j)
    q = np.where(np.abs(q + qr) < np.abs(q - qr), -q, q)
    return q if pol == "s" else q / (n * n)


def _assemble(structure: Planar, wavelength, gain, fixed_beta):
    """``(p_0, p_s, B, C)`` with ``(B, C) = M (1, p_s)``."""
    lam, g = np.broadcast_arrays(np.asarray(wavelength), np.asarray(gain, dtype=float))
    lam = lam.astype(complex)
    lam_re = lam.real
    k0 = 2.0 * math.pi / lam
    pol = structure.pol
    gain_k = g * (lam_re * NM_TO_CM) / (4.0 * math.pi)  # |k| per unit weight
    cache = {}

    def idx(n):
        key = id(n)
        if key not in cache:
            cache[key] = (n, _index(n, lam_re))
        return cache[key][1]

    if structure.sin_t is None:
        kx_real = np.full(lam.shape, float(structure.kx))
    else:
        kx_real = idx(structure.n_in).real * float(structure.sin_t)
    kx = kx_real * (lam / lam_re) if fixed_beta else kx_real + 0j
    kx2 = kx * kx

    def layer(s: Slab):
        n = idx(s.n)
        if s.w != 0.0:
            n = n - 1j * s.w * gain_k
        n2 = n * n
        q = np.sqrt(n2 - kx2)
        p = q if pol == "s" else q / n2
        delta = k0 * q * s.d
        c, sn = np.cos(delta), np.sin(delta)
        # sin(delta)/p without dividing by a zero q: k0 d sinc-like when q -> 0
        small = np.abs(p) < 1e-300
        p_safe = np.where(small, 1.0, p)
        s_over_p = np.where(small, k0 * s.d * (1.0 if pol == "s" else n2), sn / p_safe)
        return (c, -1j * s_over_p, -1j * p * sn, c)

    def block(items):
        out = None
        for it in items:
            if isinstance(it, Repeat):
                if it.count == 0:
                    continue
                m = _power(block(it.items), int(it.count))
            else:
                m = layer(it)
            if m is None:
                continue
            out = m if out is None else _mul(out, m)
        return out

    m = block(structure.items)
    n0, ns = idx(structure.n_in), idx(structure.n_out)
    if np.any(n0.imag < 0) or np.any(ns.imag < 0):
        raise ValueError("outer media with gain (k < 0) are not supported by the reference")
    p0 = _outer_admittance(n0, kx, kx_real, pol)
    ps = _outer_admittance(ns, kx, kx_real, pol)
    if m is None:
        B, C = np.ones(lam.shape, complex), ps
    else:
        B, C = m[0] + m[1] * ps, m[2] + m[3] * ps
    return p0, ps, B, C


def characteristic(structure: Planar, wavelength, gain=0.0, *, fixed_beta=False):
    """``D(lambda, g) = p_0 B + C`` (module notes) for broadcastable arrays of wavelength (nm, real
    or complex) and material gain (cm^-1).

    ``fixed_beta=True`` (complex wavelengths off normal incidence): the in-plane wavenumber is held
    at the real ``beta = 2 pi kx(Re lambda) / Re lambda`` of the point itself, i.e.
    ``kx -> kx lambda / Re lambda`` in units of the complex k0; by default ``kx`` is fixed in units
    of k0 (a fixed complex angle)."""
    p0, _, B, C = _assemble(structure, wavelength, gain, fixed_beta)
    return p0 * B + C


def response(structure: Planar, wavelength, gain=0.0):
    """``(r, t, R, T)`` at real wavelengths: ``r = (p_0 B - C)/D``, ``t = 2 p_0 / D`` (ratio of the
    tangential fields U: E for s, H for p), ``R = |r|^2``, ``T = Re(p_s) |t|^2 / Re(p_0)``."""
    p0, ps, B, C = _assemble(structure, wavelength, gain, False)
    D = p0 * B + C
    r, t = (p0 * B - C) / D, 2 * p0 / D
    return r, t, np.abs(r) ** 2, ps.real * np.abs(t) ** 2 / p0.real


# ------------------------------------------------------------------------------------------------
# zeros of a complex function of two real variables on a grid
# ------------------------------------------------------------------------------------------------
_STARTS = ((0.5, 0.5), (0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75))


def _edge_turns(func, xa, ya, xb, yb, va, vb, *, max_step=math.pi / 4, depth=40):
    """Change of ``arg func`` along the straight segments a -> b (arrays of any shape): segments
    whose end values differ in phase by more than ``max_step`` are halved (vectorised) until every
    piece turns by less, so the increments are the true ones unless a zero lies within about
    ``2^-depth`` of the segment's length from it."""
    shape = np.shape(va)
    xa, ya, xb, yb = (np.ravel(np.asarray(t, float)) for t in (xa, ya, xb, yb))
    va, vb = np.ravel(va), np.ravel(vb)
    total = np.zeros(va.size)
    seg = np.arange(va.size)
    t0, t1 = np.zeros(va.size), np.ones(va.size)
    f0, f1 = va, vb
    for _ in range(depth):
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.angle(f1 / f0)
        fine = np.abs(d) <= max_step
        np.add.at(total, seg[fine], d[fine])
        if fine.all():
            break
        c = ~fine
        seg, t0, t1, f0, f1 = seg[c], t0[c], t1[c], f0[c], f1[c]
        tm = 0.5 * (t0 + t1)
        fm = func(xa[seg] + tm * (xb[seg] - xa[seg]), ya[seg] + tm * (yb[seg] - ya[seg]))
        seg = np.concatenate([seg, seg])
        t0, t1 = np.concatenate([t0, tm]), np.concatenate([tm, t1])
        f0, f1 = np.concatenate([f0, fm]), np.concatenate([fm, f1])
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            np.add.at(total, seg, np.angle(f1 / f0))
    return total.reshape(shape)


def _grid_zeros(func, x, y, *, newton_iter=40):
    """Zeros of ``func(X, Y)`` (complex, vectorised) in the rectangle spanned by the uniform grids
    ``x`` and ``y``.  Returns ``(roots (k, 2), unresolved cells (m, 2), candidates, max phase step)``."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    hx, hy = x[1] - x[0], y[1] - y[0]
    X, Y = np.meshgrid(x, y, indexing="ij")
    V = func(X, Y)
    if not np.all(np.isfinite(V)):
        raise FloatingPointError("the characteristic function overflowed on the grid (reduce the gain range)")
    c00, c10, c11, c01 = V[:-1, :-1], V[1:, :-1], V[1:, 1:], V[:-1, 1:]
    # change of arg D along every grid edge, sampled finely enough (<= pi/4 per step)
    ex = _edge_turns(func, X[:-1, :], Y[:-1, :], X[1:, :], Y[1:, :], V[:-1, :], V[1:, :])  # along x
    ey = _edge_turns(func, X[:, :-1], Y[:, :-1], X[:, 1:], Y[:, 1:], V[:, :-1], V[:, 1:])  # along y
    turn = ex[:, :-1] + ey[1:, :] - ex[:, 1:] - ey[:-1, :]  # counter-clockwise around each cell
    on_grid = ~np.isfinite(turn)  # a zero exactly on a grid point or edge: refine the cell, no count
    winding = np.rint(np.where(on_grid, 0.0, turn) / (2 * math.pi)).astype(int)
    re = np.stack([c00.real, c10.real, c11.real, c01.real])
    im = np.stack([c00.imag, c10.imag, c11.imag, c01.imag])
    both = (re.min(0) <= 0) & (re.max(0) >= 0) & (im.min(0) <= 0) & (im.max(0) >= 0)
    cand = np.argwhere((winding != 0) | both | on_grid)
    scale_cell = np.mean(np.abs(np.stack([c00, c10, c11, c01])), axis=0)

    def to_xy(u, v):
        return x[0] + u * hx, y[0] + v * hy

    roots = []
    if cand.size:
        starts = np.concatenate([cand + np.array(s) for s in _STARTS])
        scale = np.concatenate([scale_cell[cand[:, 0], cand[:, 1]]] * len(_STARTS))
        scale = np.where(scale > 0, scale, 1.0)
        u, v = starts[:, 0].copy(), starts[:, 1].copy()

        def G(uu, vv, sc):
            xx, yy = to_xy(uu, vv)
            return func(xx, yy) / sc

        active = np.ones(u.size, bool)
        conv = np.zeros(u.size, bool)
        h = 1e-6
        for _ in range(newton_iter):
            if not active.any():
                break
            ia = np.nonzero(active)[0]
            ua, va, sa = u[ia], v[ia], scale[ia]
            f0 = G(ua, va, sa)
            fu = (G(ua + h, va, sa) - f0) / h
            fv = (G(ua, va + h, sa) - f0) / h
            det = fu.real * fv.imag - fv.real * fu.imag
            ok = np.isfinite(det) & (det != 0) & np.isfinite(f0)
            det = np.where(ok, det, 1.0)
            du = -(fv.imag * f0.real - fv.real * f0.imag) / det
            dv = -(-fu.imag * f0.real + fu.real * f0.imag) / det
            step = np.hypot(du, dv)
            fac = np.where(step > 1.0, 1.0 / np.maximum(step, 1e-300), 1.0)
            u[ia] = ua + du * fac
            v[ia] = va + dv * fac
            done = ok & (step < 1e-9)
            conv[ia[done]] = True
            lost = ~ok | (u[ia] < -2) | (u[ia] > x.size + 1) | (v[ia] < -2) | (v[ia] > y.size + 1)
            active[ia[done | lost]] = False
        good = conv & (u >= -0.5) & (u <= x.size - 0.5) & (v >= -0.5) & (v <= y.size - 0.5)
        for uu, vv, sc in zip(u[good], v[good], scale[good]):
            if any(abs(uu - a) < 1e-5 and abs(vv - b) < 1e-5 for a, b, _ in roots):
                continue
            roots.append((uu, vv, sc))
    polished = []
    for uu, vv, sc in roots:
        def fun(z, sc=sc):
            f = G(np.array([z[0]]), np.array([z[1]]), sc)[0]
            return [f.real, f.imag]

        sol = root(fun, [uu, vv], method="hybr", options=dict(xtol=1e-13))
        zu, zv = (sol.x if sol.success else (uu, vv))
        if abs(zu - uu) > 0.1 or abs(zv - vv) > 0.1:  # the polish may not jump to another zero
            zu, zv = uu, vv
        f = G(np.array([zu]), np.array([zv]), sc)[0]
        if not abs(f) < 1e-8:
            continue
        if any(abs(zu - a) < 1e-5 and abs(zv - b) < 1e-5 for a, b in polished):
            continue
        polished.append((zu, zv))
    pts = np.array(polished).reshape(-1, 2)
    # every cell with winding w != 0 must hold |w| zeros (in it or next to it: corner samples can
    # credit a zero close to a cell edge to the neighbouring cell)
    unresolved = []
    for i, j in np.argwhere(winding != 0):
        inside = (pts[:, 0] >= i - 1) & (pts[:, 0] <= i + 2) & (pts[:, 1] >= j - 1) & (pts[:, 1] <= j + 2)
        if inside.sum() < abs(winding[i, j]):
            unresolved.append((x[0] + (i + 0.5) * hx, y[0] + (j + 0.5) * hy))
    # largest phase step along grid edges away from the zeros (a coarse grid shows up here)
    near = np.zeros(winding.shape, bool)
    for uu, vv in pts:
        i, j = int(math.floor(uu)), int(math.floor(vv))
        near[max(i - 2, 0): i + 3, max(j - 2, 0): j + 3] = True
    with np.errstate(divide="ignore", invalid="ignore"):
        ex = np.abs(np.angle(V[1:, :] / V[:-1, :]))
        ey = np.abs(np.angle(V[:, 1:] / V[:, :-1]))
    far_x = ~(np.pad(near, ((0, 0), (0, 1)), mode="edge") if near.size else np.zeros(ex.shape, bool))
    far_y = ~(np.pad(near, ((0, 1), (0, 0)), mode="edge") if near.size else np.zeros(ey.shape, bool))
    steps = np.concatenate([ex[far_x], ey[far_y]])
    max_step = float(np.nanmax(steps)) if steps.size else 0.0
    xy = np.column_stack(to_xy(pts[:, 0], pts[:, 1])) if len(pts) else np.empty((0, 2))
    return xy, np.array(unresolved).reshape(-1, 2), int(len(cand)), max_step


def _grid(lo, hi, step, *, pad_lo=True):
    """Uniform grid covering [lo, hi] with at most ``step`` spacing, one step beyond each end
    (``pad_lo=False``: starting exactly at ``lo``, e.g. at zero gain)."""
    if not (hi > lo and step > 0):
        raise ValueError(f"need lo < hi and step > 0, got lo={lo!r}, hi={hi!r}, step={step!r}")
    k = int(math.ceil((hi - lo) / step))
    h = (hi - lo) / k
    first = 1 if pad_lo else 0
    return lo + h * np.arange(-first, k + 2)


# ------------------------------------------------------------------------------------------------
# threshold modes and passive poles
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Modes:
    """Threshold modes, sorted by gain: ``wavelength`` (nm), ``gain`` (cm^-1); search diagnostics
    ``candidates`` (cells refined) and ``max_phase_step`` (rad, largest change of arg D between
    neighbouring grid points away from the zeros; well below pi when the grid resolves D)."""

    wavelength: np.ndarray
    gain: np.ndarray
    candidates: int
    max_phase_step: float

    def __len__(self):
        return int(self.wavelength.size)


@dataclass(frozen=True)
class Poles:
    """Passive poles, sorted by real part: ``wavelength`` (complex nm, Im > 0 decays)."""

    wavelength: np.ndarray
    candidates: int
    max_phase_step: float

    def __len__(self):
        return int(self.wavelength.size)

    @property
    def Q(self):
        return self.wavelength.real / (2 * self.wavelength.imag)


def _raise_unresolved(unresolved, what):
    if len(unresolved):
        raise RuntimeError(f"{len(unresolved)} grid cell(s) with non-zero winding gave no {what} "
                           f"(first near {tuple(unresolved[0])}): refine the grid")


def threshold_modes(structure: Planar, lo, hi, gmax, *, dlam, dg) -> Modes:
    """Every threshold mode with ``lo <= lambda <= hi`` (nm) and ``0 < g <= gmax`` (cm^-1).

    ``dlam`` (nm) and ``dg`` (cm^-1) are the grid steps (see :func:`mode_spacing` and
    :func:`gain_step`); the grid extends one step beyond the window on every side.
    """
    growth = 0.5 * gmax * structure.gain_length() * NM_TO_CM
    if growth > 40.0:
        raise ValueError(f"gmax={gmax!r} cm^-1 gives a single-pass field growth exp({growth:.0f}): the matrix "
                         "product would lose the zeros in round-off; search a smaller gain range")
    lam = _grid(lo, hi, dlam)
    g = _grid(0.0, gmax, dg, pad_lo=False)
    xy, unresolved, ncand, mstep = _grid_zeros(lambda L, G: characteristic(structure, L, G), lam, g)
    inside = (xy[:, 0] >= lo) & (xy[:, 0] <= hi) & (xy[:, 1] > 0) & (xy[:, 1] <= gmax)
    bad = unresolved[(unresolved[:, 0] >= lo) & (unresolved[:, 0] <= hi) & (unresolved[:, 1] <= gmax)]
    _raise_unresolved(bad, "threshold mode")
    xy = xy[inside]
    order = np.lexsort((xy[:, 0], xy[:, 1]))
    return Modes(xy[order, 0], xy[order, 1], ncand, mstep)


def passive_poles(structure: Planar, lo, hi, im_max, *, dlam, dim=None, fixed_beta=False) -> Poles:
    """Every passive pole (g = 0) with ``lo <= Re lambda <= hi`` and ``0 < Im lambda <= im_max`` (nm);
    ``fixed_beta`` as in :func:`characteristic`."""
    dim = dlam if dim is None else dim
    growth = 2 * math.pi * im_max / (lo * lo) * structure.optical_thickness(0.5 * (lo + hi))
    if growth > 40.0:
        raise ValueError(f"im_max={im_max!r} nm gives a single-pass field growth exp({growth:.0f}) at complex "
                         "wavelength: the matrix product would lose the zeros in round-off; search nearer the axis")
    lr = _grid(lo, hi, dlam)
    li = _grid(0.0, im_max, dim, pad_lo=False)
    xy, unresolved, ncand, mstep = _grid_zeros(
        lambda A, B: characteristic(structure, A + 1j * B, 0.0, fixed_beta=fixed_beta), lr, li)
    inside = (xy[:, 0] >= lo) & (xy[:, 0] <= hi) & (xy[:, 1] > 0) & (xy[:, 1] <= im_max)
    bad = unresolved[(unresolved[:, 0] >= lo) & (unresolved[:, 0] <= hi) & (unresolved[:, 1] <= im_max)]
    _raise_unresolved(bad, "pole")
    xy = xy[inside]
    order = np.argsort(xy[:, 0])
    return Poles(xy[order, 0] + 1j * xy[order, 1], ncand, mstep)


def mode_spacing(structure: Planar, wavelength) -> float:
    """Longitudinal mode spacing ``lambda^2 / (2 sum Re(n_j) t_j)`` (nm) of the whole structure."""
    return float(wavelength) ** 2 / (2.0 * max(structure.optical_thickness(wavelength), 1e-30))


def gain_step(structure: Planar, gmax, points=40, growth=0.25) -> float:
    """A gain step (cm^-1): ``gmax / points``, and at most the gain that changes the single-pass
    field growth ``exp(g sum w_j t_j / 2)`` by ``exp(growth)``."""
    gl = structure.gain_length() * NM_TO_CM
    step = gmax / points
    if gl > 0:
        step = min(step, 2.0 * growth / gl)
    return step


# ------------------------------------------------------------------------------------------------
# Fabry-Perot closed forms
# ------------------------------------------------------------------------------------------------
def _fp_parts(n, n1, n2, kx, pol):
    n, n1, n2 = complex(n), complex(n1), complex(n2)

    def adm(m, outer):
        q = np.sqrt(m * m - kx * kx + 0j)
        if outer and (q.imag < 0 or (q.imag == 0 and q.real < 0)):
            q = -q
        return q, (q if pol == "s" else q / (m * m))

    _, y1 = adm(n1, True)
    _, y2 = adm(n2, True)
    return n, y1, y2, adm


def fabry_perot_estimate(n, d, n1, n2, lo, hi):
    """Textbook thresholds of a slab (real index n, thickness d nm, gain everywhere) between real
    media n1, n2 at normal incidence: ``g = -(1/d) ln|r1 r2|``, ``2 k0 n d + arg(r1 r2) = 2 pi m``,
    with ``r_i = (n - n_i)/(n + n_i)`` of the passive slab.  Returns ``(lambda (k,), g)``."""
    r1, r2 = (n - n1) / (n + n1), (n - n2) / (n + n2)
    g = -math.log(abs(r1 * r2)) / (d * NM_TO_CM)
    phase = math.atan2(0.0, r1 * r2)  # 0 or pi
    m_lo = math.ceil((4 * math.pi * n * d / hi + phase) / (2 * math.pi))
    m_hi = math.floor((4 * math.pi * n * d / lo + phase) / (2 * math.pi))
    lam = np.array([4 * math.pi * n * d / (2 * math.pi * m - phase) for m in range(m_lo, m_hi + 1)])
    return np.sort(lam), g


def fabry_perot_threshold(n, d, n1, n2, lam_guess, g_guess, *, kx=0.0, pol="s"):
    """The exact threshold of a slab with gain (constant indices): the zero of
    ``1 - r1 r2 exp(2 i k0 q' d)`` with ``n' = n - i g lambda/(4 pi)`` in ``q'`` and in the
    Fresnel coefficients ``r_i = (p' - p_i)/(p' + p_i)`` (seen from inside the slab), solved by
    ``scipy.optimize.root`` from ``(lam_guess, g_guess)``.  Returns ``(lambda, g)``."""
    _, y1, y2, adm = _fp_parts(n, n1, n2, kx, pol)

    def f(lam, g):
        ng = complex(n) - 1j * g * lam * NM_TO_CM / (4 * math.pi)
        q, y = adm(ng, False)
        r1 = (y - y1) / (y + y1)
        r2 = (y - y2) / (y + y2)
        return 1.0 - r1 * r2 * np.exp(2j * (2 * math.pi / lam) * q * d)

    def fun(z):
        v = f(lam_guess * z[0], g_guess * z[1])
        return [v.real, v.imag]

    sol = root(fun, [1.0, 1.0], method="hybr", options=dict(xtol=1e-13))
    if abs(f(lam_guess * sol.x[0], g_guess * sol.x[1])) > 1e-10:
        raise RuntimeError(f"Fabry-Perot threshold did not converge: {sol.message}")
    return lam_guess * sol.x[0], g_guess * sol.x[1]


def fabry_perot_poles(n, d, n1, n2, lo, hi):
    """Passive poles of a slab (constant real n, thickness d nm) between real media at normal
    incidence: ``lambda_m = 4 pi n d / (2 pi m + i ln(r1 r2))`` (complex log), ``lo <= Re <= hi``."""
    r = complex((n - n1) / (n + n1) * (n - n2) / (n + n2))
    ln = np.log(r)
    out = []
    m0 = int(math.floor(2 * n * d / hi)) - 2
    m1 = int(math.ceil(2 * n * d / lo)) + 2
    for m in range(max(m0, 1), m1 + 1):
        lam = 4 * math.pi * n * d / (2 * math.pi * m + 1j * ln)
        if lo <= lam.real <= hi:
            out.append(lam)
    return np.array(sorted(out, key=lambda z: z.real))


def fabry_perot_pole(n, d, n1, n2, lam_guess, *, sin_t=0.0, pol="s", fixed_beta=False):
    """The passive pole of a slab (constant real n, thickness d nm) between constant real media
    n1 (incident) and n2 nearest ``lam_guess``: the zero of ``1 - r1 r2 exp(2 i k0 q d)`` (Airy
    denominator, seen from inside the slab) in complex lambda, with ``kx = n1 sin_t`` fixed in
    units of k0, or (``fixed_beta``) ``kx lambda / Re lambda``; outer ``q`` on the branch continued
    from ``Re q > 0``.  Solved by ``scipy.optimize.root``."""
    kx0 = n1 * sin_t

    def f(lam):
        kx = kx0 * lam / lam.real if fixed_beta else kx0

        def y(m, outer):
            q = np.sqrt(m * m - kx * kx + 0j)
            if outer and q.real < 0:
                q = -q
            return q if pol == "s" else q / (m * m)

        q = np.sqrt(n * n - kx * kx + 0j)
        ys, y1, y2 = y(n, False), y(n1, True), y(n2, True)
        r1, r2 = (ys - y1) / (ys + y1), (ys - y2) / (ys + y2)
        return 1.0 - r1 * r2 * np.exp(2j * (2 * math.pi / lam) * q * d)

    def fun(z):
        v = f(complex(lam_guess.real * z[0], lam_guess.real * z[1]))
        return [v.real, v.imag]

    sol = root(fun, [1.0, lam_guess.imag / lam_guess.real], method="hybr", options=dict(xtol=1e-13))
    lam = lam_guess.real * complex(sol.x[0], sol.x[1])
    if abs(f(lam)) > 1e-10:
        raise RuntimeError(f"Fabry-Perot pole did not converge: {sol.message}")
    return lam


# ------------------------------------------------------------------------------------------------
# Kogelnik-Shank coupled-mode theory
# ------------------------------------------------------------------------------------------------
def _section(u, kl, frac):
    """``exp(A frac L)`` entries for ``u = (alpha - i delta) L``, ``kl = kappa L`` (arrays)."""
    G = np.sqrt(u * u + kl * kl + 0j)
    z = frac * G
    small = np.abs(z) < 1e-8
    zs = np.where(small, 1.0, z)
    shc = np.where(small, frac, np.sinh(zs) / np.where(small, 1.0, G))  # sinh(frac G)/G
    ch = np.cosh(z)
    return (ch + shc * u, -1j * kl * shc, 1j * kl * shc, ch - shc * u)


def ks_t22(u, kappa_L, *, phase_shift=False):
    """``T22`` of the coupled-mode transfer matrix over the whole grating (zero at threshold);
    ``phase_shift=True`` puts a Lambda/2 (quarter-wave) shift at the centre (kappa -> -kappa)."""
    u = np.asarray(u, complex)
    if not phase_shift:
        return _section(u, kappa_L, 1.0)[3]
    a = _section(u, kappa_L, 0.5)   # left half (applied first)
    b = _section(u, -kappa_L, 0.5)  # right half
    return _mul(b, a)[3]


def kogelnik_shank(kappa_L, *, phase_shift=False, alpha_max=6.0, delta_max=12.0, step=0.02):
    """Threshold modes ``(delta L, alpha L)`` of the facet-free DFB (field gain alpha), sorted by
    ``alpha L`` then ``delta L``: every zero of :func:`ks_t22` with ``0 < alpha L <= alpha_max``,
    ``|delta L| <= delta_max``, by the same grid search as the threshold modes.

    ``kappa_L`` is a number (index coupling: real; gain coupling: ``i kappa_g L``) or a callable
    of ``alpha L`` (a gain grating, whose coupling grows with the gain)."""
    kl = kappa_L if callable(kappa_L) else (lambda A: kappa_L)
    a = _grid(0.0, alpha_max, step, pad_lo=False)
    dl = _grid(-delta_max, delta_max, step)
    xy, unresolved, _, _ = _grid_zeros(lambda A, Dl: ks_t22(A - 1j * Dl, kl(A), phase_shift=phase_shift), a, dl)
    keep = (xy[:, 0] > 1e-9) & (xy[:, 0] <= alpha_max) & (np.abs(xy[:, 1]) <= delta_max)
    bad = unresolved[(unresolved[:, 0] <= alpha_max) & (np.abs(unresolved[:, 1]) <= delta_max)]
    _raise_unresolved(bad, "coupled-mode threshold")
    xy = xy[keep]
    order = np.lexsort((xy[:, 1], np.round(xy[:, 0], 9)))
    return [(float(d), float(al)) for al, d in xy[order]]


def layered_grating(n_a, n_b, lam0, periods, *, w_a=1.0, w_b=1.0, n_out=None, shift=False) -> Planar:
    """A first-order quarter-wave layered grating ``(a b)^N`` (``t = lam0 / (4 n)``, constant real
    indices) between ``n_out`` (default the mean index); ``shift=True`` builds
    ``(a b)^(N/2) (b a)^(N/2)``: a half-wave ``b`` layer at the centre (a Lambda/2 grating shift)."""
    da, db = lam0 / (4 * n_a), lam0 / (4 * n_b)
    A, B = Slab(n_a, da, w_a), Slab(n_b, db, w_b)
    out = 0.5 * (n_a + n_b) if n_out is None else n_out
    if shift:
        if periods % 2:
            raise ValueError(f"a centred shift needs an even number of periods, got {periods!r}")
        items = (Repeat((A, B), periods // 2), Repeat((B, A), periods // 2))
    else:
        items = (Repeat((A, B), periods),)
    return Planar(out, out, items)


def ks_layered_modes(n_a, n_b, lam0, periods, count, *, w_a=1.0, w_b=1.0, shift=False):
    """Kogelnik-Shank prediction ``(lambda nm, g cm^-1)`` for the lowest ``count`` modes of
    :func:`layered_grating` (facet-free, index coupling only: equal gain weights).

    ``Lambda = t_a + t_b``, ``n_bar = lam0 / (2 Lambda)``, duty ``D = t_a / Lambda``,
    ``kappa = 2 (n_a - n_b) sin(pi D) / lam0`` (first Fourier component of the square wave),
    ``delta = 2 pi n_bar / lambda - pi / Lambda``, modal field gain ``alpha = Gamma g / 2`` with
    ``Gamma`` the length-weighted gain weight.
    """
    if w_a != w_b:
        raise ValueError("ks_layered_modes covers index coupling only (w_a == w_b)")
    da, db = lam0 / (4 * n_a), lam0 / (4 * n_b)
    period = da + db
    D = da / period
    L = periods * period
    kL = 2 * abs(n_a - n_b) * math.sin(math.pi * D) / lam0 * L
    gamma = (w_a * da + w_b * db) / period
    out = []
    for delta_L, alpha_L in kogelnik_shank(kL, phase_shift=shift)[:count]:
        lam = lam0 / (1 + (delta_L / L) * period / math.pi)
        out.append((lam, 2 * alpha_L / (L * NM_TO_CM) / gamma))
    return out


def ks_gain_grating_modes(n, lam0, periods, count):
    """Kogelnik-Shank prediction ``(lambda nm, g cm^-1)`` for a pure gain grating: equal quarter-wave
    layers ``t = lam0 / (4 n)`` of one real index n, the material gain g in every other layer
    (``layered_grating(n, n, lam0, periods, w_b=0)``), index-matched ends.

    The field gain is the square wave ``alpha(z) = (g/2) 1_a(z)`` of duty 1/2: ``alpha_0 = g/4``
    and first Fourier amplitude ``alpha_1 = g / pi``, so ``kappa = i alpha_1 / 2 = i g / (2 pi)``
    (Kogelnik & Shank 1972), i.e. ``kappa L = i (2 / pi) alpha_0 L``; ``delta`` as in
    :func:`ks_layered_modes`.
    """
    t = lam0 / (4 * n)
    period = 2 * t
    L = periods * period
    out = []
    for delta_L, alpha_L in kogelnik_shank(lambda A: 2j * A / math.pi)[:count]:
        lam = lam0 / (1 + (delta_L / L) * period / math.pi)
        out.append((lam, 4 * alpha_L / (L * NM_TO_CM)))
    return out

"""Guided modes of planar multilayer slab waveguides (TE and TM), found as poles.

A :class:`~cavity.Stack` read sideways is a slab waveguide: its layers (listed from the cover,
i.e. the stack's incident medium, towards the substrate) are the guiding core and the two
semi-infinite outer media are its claddings.  A guided mode propagating along x as
``exp(i (k0 n_eff x - w t))`` is a pole of the stack's reflection coefficient at the in-plane
index ``kx = n_eff`` (docs/theory.md s.4.6): the transverse resonance condition

.. math:: 1 - r_L\\,r_R\\,e^{2 i q_p k_0 d_p} = 0

at the left boundary of the highest-index layer ``p`` (stable Rouard recursions,
:mod:`cavity.waveguide._mode_kernels`).  Bound modes decay in both claddings (``Im q > 0``).

Finding every mode
------------------
On the real axis between the largest cladding index and the largest layer index the round-trip
factor of a lossless guide has modulus 1 and a mode is a zero of its phase.  The axis is sampled
on a grid that is fine near both ends (``n_eff^2 = n_c^2 + (n_max^2 - n_c^2) sin^2(pi t / 2)``,
uniform in t) with about 64 points per expected mode (the V-number), every crossing of the
phase through 0 and every local minimum of ``|1 - r_L r_R P|`` starts a complex Newton
iteration, and the roots are deduplicated.  The grid is refined until the number of roots equals
the number of phase crossings.  Losses (ITO, metal contacts) move the roots off the real axis:
``n_eff`` is then complex and ``Im n_eff > 0`` is a modal loss.  Modes near cut-off are found down to
``n_eff - n_c ~ 1e-6``.

Modal gain and confinement (docs/theory.md s.4.6)
---------------------------------------------
``g_mod = -(4 pi / lambda) Im n_eff`` (:mod:`cavity.conventions`).  A material gain g in layer a
changes the modal gain by ``Gamma_a g`` with ``Gamma_a = Re(d n_eff / d n_a)``.  For TE this is the
index-weighted overlap ``(n_a / n_eff) int_a |E|^2 / int |E|^2``; the plain field-integral ratio is
*not* the modal gain factor.  For TM it is taken from the complex pole (a small imaginary index
perturbation of layer a), :meth:`Mode.confinement` does this automatically.

Leaky modes (``leaky=True``) are the poles with ``Re n_eff`` between the two cladding indices
that radiate into the higher-index cladding (outgoing there, ``Re q > 0``, ``Im q < 0``); they
are labelled ``leaky`` and carry the leakage in ``Im n_eff``.  Only those on the numerical
branch ``Re q + Im q > 0`` are found (weakly leaky ones).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..results import ModeSequence, Result

from . import _mode_kernels as MK
from ..optics._tmm_kernels import amplitudes as _amplitudes
from .._validation import as_float_array, require_finite, require_scalar_finite
from ..conventions import modal_gain_from_neff
from ..layers import Stack
from ..optics.spectra import Polarization, stack_arrays

__all__ = ["Mode", "GuidedModes", "ModeProfile", "guided_modes"]

_NEWTON_TOL = 1e-14
_NEWTON_MAXIT = 80
_PERTURBATION = 1e-5  # imaginary index step used for d n_eff / d n_a

#: largest number of samples :meth:`Mode.profile` accepts (about 0.3 GB of results), as
#: :func:`cavity.field_profile`
MAX_PROFILE_POINTS = 1e7

#: a layer of the slab by index or label, or a sequence of them
LayerSelection: TypeAlias = "int | str | Sequence[int | str]"


@dataclass(frozen=True, eq=False)
class ModeProfile(Result):
    """Transverse profile of a guided mode, sampled on ``z`` (nm, 0 = first interface).

    Attributes
    ----------
    z : ndarray             positions (nm); the substrate starts at ``boundaries[-1]``
    field : ndarray         E_y (TE) or H_y (TM), complex, normalised to max |field| = 1
    E2 : ndarray            |E|^2 normalised to its maximum (TM: |E_x|^2 + |E_z|^2)
    n : ndarray             complex index at z
    boundaries : ndarray    interface positions (nm)
    layer_index : ndarray   medium index at z (0 cover, L+1 substrate)
    """

    z: np.ndarray
    field: np.ndarray
    E2: np.ndarray
    n: np.ndarray
    boundaries: np.ndarray
    layer_index: np.ndarray

    def __post_init__(self):
        for name in ("z", "field", "E2", "n", "boundaries", "layer_index"):
            arr = np.array(getattr(self, name))
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)


@dataclass(frozen=True, eq=False)
class Mode(Result):
    """One guided (or leaky) mode of a slab at one wavelength.

    Attributes
    ----------
    n_eff : complex        effective index; ``Im n_eff > 0`` is a loss
    wavelength : float     vacuum wavelength (nm)
    polarization : Polarization  S for TE, P for TM (:attr:`Polarization.label` gives "TE"/"TM")
    order : int            0 for the mode with the largest ``Re n_eff``, then 1, 2, ...
    leaky : bool           True for a leaky (substrate-radiating) mode
    converged : bool
    residual : float       ``|1 - r_L r_R P|`` at the root
    stack : Stack
    """

    n_eff: complex
    wavelength: float
    polarization: Polarization
    order: int
    leaky: bool
    converged: bool
    residual: float
    stack: Stack = field(repr=False)
    _n: np.ndarray = field(repr=False)
    _d: np.ndarray = field(repr=False)
    _plane: int = field(repr=False)
    _amp: tuple = field(repr=False)

    @property
    def label(self) -> str:
        """``"TE0"``, ``"TM1"``, ... (with `` (leaky)`` for a leaky mode)."""
        return f"{self.polarization.label}{self.order}" + (" (leaky)" if self.leaky else "")

    @property
    def modal_gain(self) -> float:
        """Net modal power gain (cm^-1), ``-(4 pi / lambda) Im n_eff``; negative for a lossy mode."""
        return float(modal_gain_from_neff(self.n_eff, self.wavelength))

    @property
    def modal_loss(self) -> float:
        """Modal power loss (cm^-1), ``(4 pi / lambda) Im n_eff`` (absorption and, if leaky, leakage)."""
        return -self.modal_gain

    # -- confinement ------------------------------------------------------------------------------
    def _layer_indices(self, layer: LayerSelection) -> tuple:
        """Indices of a layer or a sequence of layers, each by index or name (:meth:`Stack.layer_index`)."""
        items: list = list(layer) if isinstance(layer, (list, tuple)) else [layer]
        if not items:
            raise ValueError("layer must name at least one layer")
        return tuple(sorted({self.stack.layer_index(item, "layer") for item in items}))

    def confinement(self, layer: LayerSelection) -> float:
        """Modal gain factor Gamma of ``layer`` (index, name, or a sequence of them).

        ``d g_mod = Gamma * d g`` for a material gain g in the layer(s).  TE: the
        ``(n_a / n_eff)``-weighted overlap :meth:`weighted_overlap`; TM: from the complex pole
        (:meth:`confinement_from_pole`), since the TE formula does not hold for TM
        (docs/theory.md s.4.6).  Leaky modes (infinite field integral) always use the pole.  With
        lossy layers the TE overlap and the pole derivative differ at the order of the loss
        (``Im n / Re n``); the DFB code uses the pole value.
        """
        idx = self._layer_indices(layer)
        if self.polarization is Polarization.S and not self.leaky:
            return sum(self.weighted_overlap(i) for i in idx)
        return self.confinement_from_pole(idx)

    def weighted_overlap(self, layer: LayerSelection) -> float:
        """``(n_a / Re n_eff) int_a |E_y|^2 dz / int |E_y|^2 dz`` (TE only)."""
        if self.polarization is not Polarization.S:
            raise ValueError("weighted_overlap is the TE modal gain factor; use confinement_from_pole for TM")
        idx = self._layer_indices(layer)
        ints = self._intensity_integrals()
        total = ints.sum()
        return float(sum(self._n[i + 1].real * ints[i + 1] for i in idx) / (self.n_eff.real * total))

    def field_fraction(self, layer: LayerSelection) -> float:
        """Plain power-free fraction ``int_a |F|^2 / int |F|^2`` of the profile field F (E_y or H_y).

        Not a modal gain factor (docs/theory.md s.4.6); given for comparison.
        """
        idx = self._layer_indices(layer)
        ints = self._intensity_integrals()
        return float(sum(ints[i + 1] for i in idx) / ints.sum())

    def confinement_from_pole(self, layer: LayerSelection) -> float:
        """``Re(d n_eff / d n_a)`` by a central difference of the pole under ``n_a -> n_a +- i h``."""
        idx = self._layer_indices(layer)
        k0 = 2.0 * math.pi / self.wavelength
        pol = self.polarization.code
        out = []
        for sgn in (1.0, -1.0):
            n = self._n.copy()
            for i in idx:
                n[i + 1] += 1j * sgn * _PERTURBATION
            z, it, st, res = MK.mode_newton(n, self._d, k0, complex(self.n_eff), pol, self._plane, _NEWTON_TOL,
                                           _NEWTON_MAXIT, 1e-3)
            if st != MK.CONVERGED:
                return math.nan
            out.append(z)
        return float(((out[0] - out[1]) / (2j * _PERTURBATION)).real)

    # -- fields ------------------------------------------------------------------------------------
    def _intensity_integrals(self) -> np.ndarray:
        """``int |F|^2 dz`` over each medium (closed forms; claddings to infinity)."""
        q, A, B = self._amp
        k0 = 2.0 * math.pi / self.wavelength
        M = self._n.size
        out = np.zeros(M)
        for m in range(M):
            beta = q[m] * k0
            if m == 0:
                out[m] = abs(B[m]) ** 2 / (2.0 * beta.imag) if beta.imag > 0 else math.inf
            elif m == M - 1:
                out[m] = abs(A[m]) ** 2 / (2.0 * beta.imag) if beta.imag > 0 else math.inf
            else:
                d = self._d[m]
                e = _int_exp(-2.0 * beta.imag, d)
                cross = np.exp(-1j * np.conj(beta) * d) * _int_exp(2j * beta.real, d)
                out[m] = (abs(A[m]) ** 2 + abs(B[m]) ** 2) * e + 2.0 * (A[m] * np.conj(B[m]) * cross).real
        return out

    def field(self, z: ArrayLike) -> NDArray[np.complex128]:
        """Complex transverse field (E_y for TE, H_y for TM) at positions ``z`` (nm), normalised so
        that the profile's maximum |field| is 1 (see :meth:`profile`)."""
        zz = np.atleast_1d(as_float_array(z, "z"))
        require_finite(zz, "z")
        f, _ = self._raw_field(zz)
        return f / self._peak()

    def _raw_field(self, z):
        q, A, B = self._amp
        k0 = 2.0 * math.pi / self.wavelength
        bounds = np.concatenate(([0.0], np.cumsum(self._d[1:-1])))
        M = self._n.size
        m = np.searchsorted(bounds, z, side="right")  # 0 cover, M-1 substrate
        m = np.clip(m, 0, M - 1)
        out = np.empty(z.shape, np.complex128)
        ez = np.empty(z.shape, np.float64)
        for j in range(M):
            sel = m == j
            if not np.any(sel):
                continue
            beta = q[j] * k0
            zj = z[sel]
            if j == 0:
                fwd = np.zeros(zj.shape, np.complex128)
                bwd = B[0] * np.exp(1j * beta * (0.0 - zj))
            elif j == M - 1:
                fwd = A[j] * np.exp(1j * beta * (zj - bounds[-1]))
                bwd = np.zeros(zj.shape, np.complex128)
            else:
                fwd = A[j] * np.exp(1j * beta * (zj - bounds[j - 1]))
                bwd = B[j] * np.exp(1j * beta * (bounds[j] - zj))
            out[sel] = fwd + bwd
            if self.polarization is Polarization.S:
                ez[sel] = 0.0
            else:
                nj2 = self._n[j] ** 2
                # E_x ~ (q/n^2)(fwd - bwd), E_z ~ -(n_eff/n^2)(fwd + bwd)  (H_y amplitudes)
                ez[sel] = np.sqrt(np.abs(q[j] / nj2 * (fwd - bwd)) ** 2 + np.abs(self.n_eff / nj2 * (fwd + bwd)) ** 2)
        return out, ez

    def _peak(self) -> float:
        bounds = np.concatenate(([0.0], np.cumsum(self._d[1:-1])))
        z = np.linspace(bounds[0], bounds[-1], 2001) if bounds[-1] > 0 else np.array([0.0])
        f, _ = self._raw_field(z)
        return float(np.max(np.abs(f))) or 1.0

    def profile(self, step: float = 1.0, outside: float | None = None) -> ModeProfile:
        """The field sampled every ``step`` nm, with ``outside`` nm of each cladding (default: three
        decay lengths of the more slowly decaying cladding, at most 5 wavelengths)."""
        step = require_scalar_finite(step, "step")
        if not step > 0:
            raise ValueError(f"step must be a positive length in nm, got {step!r}")
        q, A, B = self._amp
        k0 = 2.0 * math.pi / self.wavelength
        if outside is None:
            decay = min(q[0].imag, q[-1].imag) * k0
            outside = min(3.0 / decay, 5 * self.wavelength) if decay > 0 else self.wavelength
        outside = require_scalar_finite(outside, "outside")
        if not outside >= 0:
            raise ValueError(f"outside must be a length >= 0 nm, got {outside!r}")
        bounds = np.concatenate(([0.0], np.cumsum(self._d[1:-1])))
        span = float(bounds[-1]) + 2 * outside
        if span / step > MAX_PROFILE_POINTS:  # step=1e-308 or outside=1e308: 'Maximum allowed size exceeded'
            raise ValueError(f"step={step!r} nm samples the {span:g} nm profile (layers plus 2 x outside={outside!r}) at "
                             f"more than {MAX_PROFILE_POINTS:g} points; use a larger step or a smaller outside")
        z = np.arange(-outside, bounds[-1] + outside + 0.5 * step, step)
        z = np.unique(np.concatenate((z, bounds)))
        f, e_tm = self._raw_field(z)
        peak = np.max(np.abs(f)) or 1.0
        f = f / peak
        e2 = np.abs(f) ** 2 if self.polarization is Polarization.S else e_tm ** 2
        e2 = e2 / (np.max(e2) or 1.0)
        idx = np.clip(np.searchsorted(bounds, z, side="right"), 0, self._n.size - 1)
        return ModeProfile(z, f, e2, self._n[idx], bounds, idx)


def _int_exp(c, d):
    """``int_0^d exp(c z) dz`` (c may be complex), accurate for small ``c d``."""
    x = c * d
    if abs(x) < 1e-4:
        return d * (1.0 + x / 2.0 + x * x / 6.0 + x * x * x / 24.0)
    return (np.exp(x) - 1.0) / c


@dataclass(frozen=True)
class GuidedModes(ModeSequence):
    """The guided modes of a slab at one wavelength and polarization, largest ``Re n_eff`` first.

    Iterable and indexable (``modes[0]`` is the fundamental).  ``polarization`` is the
    :class:`~cavity.Polarization` member (S for TE, P for TM).  ``cladding_index`` and
    ``max_index`` bound the real-axis search; ``v_number`` is
    ``k0 sum_j d_j sqrt(max(n_j^2 - n_c^2, 0))`` over the layers.
    """

    modes: tuple
    wavelength: float
    polarization: Polarization
    cladding_index: float
    max_index: float
    v_number: float


    @property
    def n_eff(self) -> np.ndarray:
        return np.array([m.n_eff for m in self.modes], dtype=np.complex128)

    @property
    def bound(self) -> tuple:
        return tuple(m for m in self.modes if not m.leaky)


# ------------------------------------------------------------------------------------------------
def parse_polarization(polarization: str | Polarization) -> Polarization:
    """:meth:`Polarization.parse` for a guided mode: S (``"TE"``, ``"s"``) or P (``"TM"``, ``"p"``)."""
    try:
        return Polarization.parse(polarization, allow_unpolarized=False)
    except ValueError:
        raise ValueError(f"polarization must be 'TE' or 'TM', got {polarization!r}") from None


def _slab_arrays(stack: Stack, wavelength: float, gain=None):
    n2d, d = stack_arrays(stack, [wavelength], gain)
    n = np.ascontiguousarray(n2d[:, 0], dtype=np.complex128)
    d = np.ascontiguousarray(d, dtype=np.float64)
    if np.any(~np.isfinite(n)):
        raise ValueError("refractive indices must be finite")
    for which, val in (("cover (incident medium)", n[0]), ("substrate", n[-1])):
        if val.imag < 0:
            raise ValueError(f"the {which} has gain (k = {val.imag!r} < 0); put gain in a finite layer")
    return n, d


def _plane(n, d) -> int:
    """Reference medium: the highest-index layer (ties: the thickest)."""
    inner = n[1:-1].real
    order = np.lexsort((-d[1:-1], -inner))
    return int(order[0]) + 1


def _mode_amplitudes(n, d, wavelength, neff, pol, plane):
    """Per-medium amplitudes ``(q, A, B)``: field ``A e^{i b (z - zL)} + B e^{i b (zR - z)}``."""
    M = n.size
    q = np.empty(M, np.complex128)
    A = np.zeros(M, np.complex128)
    B = np.zeros(M, np.complex128)
    k0 = 2.0 * math.pi / wavelength
    # right part: media plane..M-1 with the reference at the right boundary of `plane`
    nr = np.ascontiguousarray(n[plane:])
    dr = np.ascontiguousarray(d[plane:])
    Mr = nr.size
    bufs = [np.empty(Mr, np.complex128) for _ in range(5)]
    _amplitudes(nr, dr, wavelength, complex(neff), pol, *bufs)
    qr, _, al_r, br_r, _ = bufs
    nl = np.ascontiguousarray(n[plane::-1])
    dl = np.ascontiguousarray(d[plane::-1])
    Ml = nl.size
    bufl = [np.empty(Ml, np.complex128) for _ in range(5)]
    _amplitudes(nl, dl, wavelength, complex(neff), pol, *bufl)
    ql, _, al_l, br_l, _ = bufl
    qp = qr[0]
    ph = np.exp(1j * qp * k0 * d[plane])
    r_right = br_r[0]
    s_right = ph                 # forward amplitude at the right boundary of `plane` (A_p = 1)
    s_left = r_right * ph * ph   # backward amplitude at the left boundary of `plane`
    for i in range(1, Mr):
        m = plane + i
        A[m] = s_right * al_r[i]
        B[m] = s_right * br_r[i]
    for i in range(1, Ml):
        m = plane - i
        B[m] = s_left * al_l[i]
        A[m] = s_left * br_l[i]
    A[plane] = 1.0
    B[plane] = r_right * ph
    q[plane:] = qr
    q[plane::-1] = ql
    A[0] = 0.0
    B[M - 1] = 0.0
    return q, A, B


def _grid(n_lo, n_hi, count):
    t = np.linspace(0.0, 1.0, count)[1:-1]
    s = np.sin(0.5 * math.pi * t) ** 2
    return np.sqrt(n_lo * n_lo + (n_hi * n_hi - n_lo * n_lo) * s)


def _roots_on_axis(n, d, k0, pol, plane, n_lo, n_hi, count):
    grid = _grid(n_lo, n_hi, count)
    rt = np.empty(grid.size, np.complex128)
    MK.round_trip_scan(n, d, k0, grid, pol, plane, rt)
    f = np.abs(1.0 - rt)
    starts = []
    crossings = 0
    im = rt.imag
    for i in range(grid.size - 1):
        if (im[i] == 0.0 or im[i] * im[i + 1] < 0.0) and (rt[i].real > 0 or rt[i + 1].real > 0):
            crossings += 1
            w = im[i] / (im[i] - im[i + 1]) if im[i] != im[i + 1] else 0.0
            starts.append(grid[i] + w * (grid[i + 1] - grid[i]))
    interior = np.nonzero((f[1:-1] <= f[:-2]) & (f[1:-1] <= f[2:]))[0] + 1
    starts.extend(grid[interior].tolist())
    max_step = 0.25 * (n_hi - n_lo) / max(1.0, count / 64.0)
    roots = []
    for s in starts:
        z, it, st, res = MK.mode_newton(n, d, k0, complex(s), pol, plane, _NEWTON_TOL, _NEWTON_MAXIT, max_step)
        if st != MK.CONVERGED or not math.isfinite(z.real):
            continue
        if not (n_lo < z.real < n_hi + 1e-9 * n_hi):
            continue
        if any(abs(z - r[0]) < 1e-9 * abs(z) for r in roots):
            continue
        roots.append((z, res))
    return roots, crossings


def _outer_q(n, neff):
    q0 = np.sqrt(n[0] ** 2 - neff ** 2 + 0j)
    qs = np.sqrt(n[-1] ** 2 - neff ** 2 + 0j)
    fix = lambda q: -q if (q.real + q.imag < 0 or (q.real + q.imag == 0 and q.real < 0)) else q
    return fix(q0), fix(qs)


def guided_modes(stack: Stack, wavelength: float, polarization: str | Polarization = "TE", *, gain: float | None = None,
                 leaky: bool = False) -> GuidedModes:
    """Every guided mode of a multilayer slab at one wavelength.

    Parameters
    ----------
    stack : Stack
        The slab: layers from the cover (the stack's incident medium) to the substrate, between
        the two semi-infinite claddings.  Layers may be lossy (complex ``n_eff`` results);
        the claddings must be passive.
    wavelength : float
        Vacuum wavelength (nm).
    polarization : {"TE", "TM"} (or "s", "p")
    gain : float, optional
        Material gain (cm^-1) added as ``k = -g lambda / (4 pi)`` to the layers marked
        ``gain=True`` (negative: absorption).  The modes then have ``modal_gain ~ Gamma g - alpha``.
    leaky : bool, default False
        Also return the leaky modes radiating into the higher-index cladding (labelled
        ``leaky=True``; only weakly leaky ones are found, see the module notes).

    Returns
    -------
    GuidedModes
        Bound modes sorted by decreasing ``Re n_eff`` (orders 0, 1, ...), then any leaky modes.
        Empty when no layer has a higher index than both claddings.

    Raises
    ------
    TypeError, ValueError
        Not a Stack; a wavelength that is not a finite positive number (or outside a material's
        data); a bad polarization; gain in a cladding.

    Notes
    -----
    Modes are zeros of ``1 - r_L r_R exp(2 i q_p k0 d_p)`` in complex ``n_eff`` (module notes;
    docs/theory.md s.4.6).  Surface plasmons (``n_eff`` above every layer index) are not searched.

    Examples
    --------
    >>> import materials as mt
    >>> from cavity import Layer, Stack
    >>> film = Stack.of(Layer(mt.Constant(1.85), 200.0), substrate=mt.Constant(1.46))
    >>> round(guided_modes(film, 630.0)[0].n_eff.real, 5)
    1.64023
    """
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
    wl = require_scalar_finite(wavelength, "wavelength")
    if wl <= 0:
        raise ValueError(f"wavelength must be > 0 nm, got {wavelength!r}")
    pol = parse_polarization(polarization)
    if not isinstance(leaky, (bool, np.bool_)):
        raise TypeError(f"leaky must be True or False, got {leaky!r}")
    n, d = _slab_arrays(stack, wl, gain)
    k0 = 2.0 * math.pi / wl
    n_clad = float(max(n[0].real, n[-1].real))
    n_clad_lo = float(min(n[0].real, n[-1].real))
    plane = _plane(n, d)
    n_max = float(n[plane].real)
    contrast = np.sqrt(np.clip(n[1:-1].real ** 2 - n_clad ** 2, 0.0, None))
    v = float(k0 * np.sum(d[1:-1] * contrast))
    if n_max <= n_clad:
        return GuidedModes((), wl, pol, n_clad, n_max, v)
    expected = v / math.pi + 2.0
    count = int(max(512, 64 * expected))
    roots = []
    for _attempt in range(4):
        roots, crossings = _roots_on_axis(n, d, k0, pol.code, plane, n_clad, n_max, count)
        if len(roots) >= crossings:
            break
        count *= 2
    bound = []
    lossless = bool(np.all(n.imag == 0.0))
    if lossless:  # the roots are real: drop the ~1e-17 imaginary round-off
        roots = [(complex(z.real, 0.0), res) for z, res in roots]
    for z, res in roots:
        q0, qs = _outer_q(n, z)
        if q0.imag > 0 and qs.imag > 0:
            bound.append((z, res))
    bound.sort(key=lambda r: -r[0].real)
    leaky_roots = []
    if leaky and n_clad - n_clad_lo > 1e-9:
        found, _ = _roots_on_axis(n, d, k0, pol.code, plane, n_clad_lo, n_clad, count)
        for z, res in found:
            q0, qs = _outer_q(n, z)
            if min(q0.imag, qs.imag) < 0 < max(q0.imag, qs.imag) or (q0.imag > 0) != (qs.imag > 0):
                leaky_roots.append((z, res))
        leaky_roots.sort(key=lambda r: -r[0].real)
    modes = []
    for order, (z, res) in enumerate(bound):
        modes.append(_make_mode(stack, n, d, wl, z, res, pol, order, False, plane))
    for order, (z, res) in enumerate(leaky_roots):
        modes.append(_make_mode(stack, n, d, wl, z, res, pol, len(bound) + order, True, plane))
    return GuidedModes(tuple(modes), wl, pol, n_clad, n_max, v)


def _make_mode(stack, n, d, wl, z, res, pol: Polarization, order, is_leaky, plane) -> Mode:
    amp = _mode_amplitudes(n, d, wl, z, pol.code, plane)
    nn = n.copy()
    nn.setflags(write=False)
    dd = d.copy()
    dd.setflags(write=False)
    return Mode(complex(z), float(wl), pol, int(order), bool(is_leaky), True, float(res), stack, nn, dd, plane, amp)


def track_mode(stack: Stack, wavelengths: ArrayLike, neff_start: complex,
               polarization: str | Polarization = "TE") -> NDArray[np.complex128]:
    """``n_eff`` of one mode followed over ``wavelengths`` (nm) by Newton continuation from
    ``neff_start`` at ``wavelengths[0]``.  Returns complex128[W]; NaN where it fails."""
    pol = parse_polarization(polarization)
    wls = np.atleast_1d(np.asarray(wavelengths, dtype=np.float64))
    out = np.full(wls.size, np.nan + 0j, dtype=np.complex128)
    z = complex(neff_start)
    for i, wl in enumerate(wls):
        n, d = _slab_arrays(stack, float(wl))
        plane = _plane(n, d)
        zz, it, st, res = MK.mode_newton(n, d, 2.0 * math.pi / wl, z, pol.code, plane, _NEWTON_TOL,
                                         _NEWTON_MAXIT, 1e-2)
        if st != MK.CONVERGED:
            break
        out[i] = zz
        z = zz
    return out


def mode_at(stack: Stack, wavelength: float, neff_guess: complex, polarization: str | Polarization = "TE") -> Mode:
    """The mode whose ``n_eff`` is nearest to ``neff_guess`` (Newton from it, no scan)."""
    pol = parse_polarization(polarization)
    wl = require_scalar_finite(wavelength, "wavelength")
    n, d = _slab_arrays(stack, wl)
    plane = _plane(n, d)
    z, it, st, res = MK.mode_newton(n, d, 2.0 * math.pi / wl, complex(neff_guess), pol.code, plane, _NEWTON_TOL,
                                    _NEWTON_MAXIT, 1e-2)
    if st != MK.CONVERGED:
        raise ValueError(f"no mode found near neff_guess={neff_guess!r} at {wl} nm")
    return _make_mode(stack, n, d, wl, z, res, pol, 0, False, plane)

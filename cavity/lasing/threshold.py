"""Passive resonances and lasing thresholds of planar stacks (poles of r and t).

A lasing threshold is a self-oscillation: a pole of the stack's response at a *real* wavelength
once the gain layers carry the material gain ``g`` (docs/theory.md s.3.1).  During the search every
gain layer's index is ``n_host(lambda) - i g lambda / (4 pi)`` (lambda in cm, g in cm^-1;
:mod:`cavity.conventions`); several gain layers share one value of ``g``.  The pole condition
``1 - r_L r_R = 0`` is evaluated at the left boundary of the first gain layer with the stable
recursion, and solved by a jitted 2x2 Newton iteration in (lambda, g) started from the passive
resonance (:mod:`cavity.lasing._pole_kernels`).

Passive resonances are complex-wavelength poles at zero gain: with fields ``exp(-i w t)`` a
decaying mode has ``Im w < 0``, i.e. ``Im lambda > 0``; ``Q = Re lambda / (2 Im lambda)``, the
FWHM linewidth is ``2 Im lambda`` (nm) and the photon lifetime ``Q / w``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
import warnings
from dataclasses import dataclass, replace
from typing import TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..results import ModeSequence, Result

from . import _count_kernels as CK
from . import _pole_kernels as PK
from .._validation import require_positive_pair, require_scalar_finite
from ..conventions import SPEED_OF_LIGHT_NM_PER_NS
from ..layers import Stack
from materials.base import Material
from .modesearch import PRECISION_EXPONENT, ModeProblem, Zero, ZeroSet, find_zeros
from .._validation import require_scalar_angle
from ..layers import resolve_gain_layers
from ..optics.spectra import Polarization

__all__ = [
    "Resonance",
    "Resonances",
    "Threshold",
    "ThresholdModes",
    "resonances",
    "lasing_threshold",
    "threshold_modes",
    "heated_stack",
    "thermo_optic_coefficients",
]

_TABLE_STEP_NM = 0.25
#: largest dispersion table of one mode search (wavelengths x media): 5e7 complex entries ~ 0.8 GB
_MAX_TABLE_ENTRIES = 50_000_000
_MAX_WIDTH_FRACTION = 0.1  # widest default search window: +-10% of the wavelength
#: relative step and iteration limit of the pole kernels' Newton iterations (every caller uses these)
NEWTON_TOL = 1e-12
NEWTON_MAXIT = 60

#: ``(lambda (nm), g (cm^-1), iterations, converged, residual)`` of a real threshold search
ThresholdSolution: TypeAlias = tuple[float, float, int, bool, float]


@dataclass(frozen=True)
class Resonance(Result):
    """A passive cavity mode (pole of r and t at zero gain).

    Attributes
    ----------
    complex_wavelength : complex      pole position (nm); ``Im > 0`` for a decaying mode
    wavelength : float                ``Re`` of the pole (nm)
    Q : float                         quality factor ``Re lambda / (2 Im lambda)``
    linewidth : float                 FWHM (nm), ``2 Im lambda``
    photon_lifetime : float           ``Q / omega`` (ns)
    converged : bool
    """

    complex_wavelength: complex
    Q: float
    linewidth: float
    photon_lifetime: float
    converged: bool

    @property
    def wavelength(self) -> float:
        return float(self.complex_wavelength.real)

    @classmethod
    def from_pole(cls, lam: complex, converged: bool = True) -> "Resonance":
        im = lam.imag
        q = lam.real / (2.0 * im) if im != 0 else math.inf
        omega = 2.0 * math.pi * SPEED_OF_LIGHT_NM_PER_NS / lam.real  # rad/ns
        return cls(complex(lam), float(q), float(2.0 * im), float(q / omega), bool(converged))


@dataclass(frozen=True)
class Threshold(Result):
    """The lasing threshold of one longitudinal mode.

    Losses (modal power losses, cm^-1; the vocabulary of every threshold result, docs/theory.md
    s.3.5): ``modal_gain = internal_loss + outcoupling_loss`` is the total loss the gain pays at
    threshold; ``outcoupling_loss`` is the light leaving the stack through its outer media (the
    "mirror loss" of a vertical cavity).

    Attributes
    ----------
    wavelength : float             lasing wavelength (nm)
    material_gain : float          threshold material gain g_th of the gain layers (cm^-1)
    confinement : float            longitudinal confinement Gamma = n_a int_a |E|^2 dz /
                                   int_stack Re(n) |E|^2 dz over all gain layers (energy fraction,
                                   index-weighted as in waveguides, docs/theory.md s.4.6)
    standing_wave_factor : float   Gamma_r of the (first) gain layer: int_a |E|^2 dz over the same
                                   integral without the interference term of the forward and
                                   backward waves; 2 at an antinode of a thin layer, 0 at a node,
                                   ``1 + cos(2 beta z0) sin(beta d)/(beta d)`` for equal amplitudes
                                   (docs/theory.md s.3.3)
    modal_gain : float             Gamma * g_th (cm^-1): the total loss the gain pays
    internal_loss : float          index- and field-weighted absorption of the passive layers (cm^-1)
    outcoupling_loss : float       modal_gain - internal_loss (cm^-1): the light leaving through
                                   the outer media (both mirrors)
    converged : bool
    iterations : int
    residual : float               |1 - r_L r_R| at the solution
    passive : Resonance or None    the passive resonance the search started from
    gain_layers : tuple of int     indices of the gain layers in ``stack.layers``
    """

    wavelength: float
    material_gain: float
    confinement: float
    standing_wave_factor: float
    modal_gain: float
    internal_loss: float
    outcoupling_loss: float
    converged: bool
    iterations: int
    residual: float
    passive: Resonance | None
    gain_layers: tuple


@dataclass(frozen=True)
class ThresholdModes(ModeSequence):
    """Every longitudinal mode in a window, sorted by threshold gain.

    Attributes
    ----------
    modes : tuple of Threshold     every mode with ``lo <= wavelength <= hi`` and
                                   ``0 < material_gain <= max_gain``, lowest threshold first
    side_mode_margin : float       gain gap (cm^-1) between the two lowest thresholds of the
                                   complete set (``inf`` when fewer than two modes lase)
    count : int                    how many threshold modes the window holds (winding number of the
                                   characteristic function, :mod:`cavity.lasing.modesearch`)
    complete : bool                every counted mode was found
    max_gain : float               the gain limit of the search (cm^-1): the requested one, or the
                                   precision limit of the structure when lower
                                   (:meth:`cavity.lasing.modesearch.ModeProblem.gain_limit`)
    """

    modes: tuple
    side_mode_margin: float
    count: int = 0
    complete: bool = True
    max_gain: float = math.inf



@dataclass(frozen=True)
class Resonances(ModeSequence):
    """The passive resonances of a window, sorted by wavelength.

    Attributes
    ----------
    modes : tuple of Resonance
    count : int          poles the searched region holds (winding number, :mod:`cavity.lasing.modesearch`)
    complete : bool      every counted pole was found
    min_Q : float        the searched region's lowest Q, ``Re lambda / (2 Im lambda)`` at its top
                         edge: the requested ``min_Q``, at least 0.5, or higher where the
                         structure's precision limit (:meth:`cavity.lasing.modesearch.ModeProblem.imag_limit`)
                         caps ``Im lambda``
    """

    modes: tuple
    count: int = 0
    complete: bool = True
    min_Q: float = 0.5


# ------------------------------------------------------------------------------------------------
class PoleProblem:
    """Tables and arguments for the pole kernels of one structure over one wavelength window.

    One validated construction on plain arrays (``PoleProblem(lam_tab, n_tab, d, mask, plane,
    ...)``): ``lam_tab[K]`` uniform (nm), ``n_tab[M, K]`` complex indices (outer media first and
    last), ``d[M]`` thicknesses (nm), ``mask[M]`` gain weights (1 for a gain layer; a confinement
    factor for a waveguide section whose effective index carries ``Gamma g``), ``plane`` the
    reference medium (1 <= plane <= M-2).  :meth:`from_stack` builds the arrays of a
    :class:`Stack`; :meth:`from_arrays` takes an in-plane index ``kx`` instead of an angle (the
    effective-index sections of a DFB grating).
    """

    def __init__(self, lam_tab: ArrayLike, n_tab: ArrayLike, d: ArrayLike, mask: ArrayLike, plane: int, *,
                 polarization: str | Polarization = "s", sin_t: float = 0.0, gain_tab: ArrayLike | None = None,
                 stack: Stack | None = None, angle: float = 0.0) -> None:
        self.stack = stack
        self.angle = float(angle)
        self.polarization = Polarization.parse(polarization, allow_unpolarized=False)
        self.pol = self.polarization.code
        self.lam_tab = np.ascontiguousarray(lam_tab, dtype=np.float64)
        steps = np.diff(self.lam_tab)
        if self.lam_tab.ndim != 1 or self.lam_tab.size < 4 or not np.allclose(steps, steps[0], rtol=1e-9):
            raise ValueError("lam_tab must be a uniform, increasing wavelength grid of at least 4 points (nm)")
        self.n_tab = np.ascontiguousarray(n_tab, dtype=np.complex128)
        self.d = np.ascontiguousarray(d, dtype=np.float64)
        self.mask = np.ascontiguousarray(mask, dtype=np.float64)
        M = self.n_tab.shape[0]
        if self.n_tab.shape != (M, self.lam_tab.size) or self.d.shape != (M,) or self.mask.shape != (M,):
            raise ValueError(f"shapes must be n_tab (M, K), d (M,), mask (M,); got {self.n_tab.shape}, "
                             f"{self.d.shape}, {self.mask.shape}")
        if not 1 <= int(plane) <= M - 2:
            raise ValueError(f"plane must be an interior medium index in [1, {M - 2}], got {plane!r}")
        self.plane = int(plane)
        self.gain_layers = tuple(int(m) - 1 for m in np.nonzero(self.mask)[0])
        self.gain_tab = (np.ones(self.lam_tab.size) if gain_tab is None
                         else np.ascontiguousarray(gain_tab, dtype=np.float64))
        if self.gain_tab.shape != self.lam_tab.shape:
            raise ValueError(f"gain_tab must have one value per table wavelength, got shape {self.gain_tab.shape}")
        self.sin_t = float(sin_t)

    @classmethod
    def from_stack(cls, stack: Stack, window: tuple[float, float], gain_layers: Sequence[int], angle: float,
                   polarization: str | Polarization,
                   gain_spectrum: Callable[[NDArray[np.float64]], ArrayLike] | None = None,
                   plane: int | None = None) -> PoleProblem:
        """The pole problem of ``stack`` over ``window = (lo, hi)`` nm with gain in ``gain_layers``
        (indices into ``stack.layers``), emission ``angle`` (degrees), the relative gain spectrum
        ``gain_spectrum(lam_tab)`` (default flat) and the reference medium ``plane`` (default the
        first gain layer)."""
        if not isinstance(stack, Stack):
            raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
        lo, hi = (float(v) for v in window)
        if not (0 < lo < hi) or not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"wavelength_range must be (min, max) with 0 < min < max (nm), got {window!r}")
        ang = require_scalar_angle(angle)
        k = max(16, int(math.ceil((hi - lo) / _TABLE_STEP_NM)) + 1)
        if k * (len(stack) + 2) > _MAX_TABLE_ENTRIES:
            raise ValueError(f"wavelength_range {lo:g}-{hi:g} nm is too wide for one mode search of a {len(stack)}-layer "
                             f"stack ({k} table wavelengths x {len(stack) + 2} media > {_MAX_TABLE_ENTRIES:.0e} "
                             f"entries): search narrower windows")
        lam_tab = np.linspace(lo, hi, k)
        n_tab = stack.indices(lam_tab)  # each distinct material once, through its evaluation cache
        if np.any(n_tab[0].imag != 0) and ang > 0:
            raise ValueError("oblique incidence needs a lossless incident medium (k = 0)")
        gain_layers = tuple(gain_layers)
        mask = np.zeros(len(stack) + 2, dtype=np.float64)
        for i in gain_layers:
            mask[i + 1] = 1.0
        gain_tab = None if gain_spectrum is None else gain_spectrum(lam_tab)
        if plane is None:
            plane = (gain_layers[0] + 1) if gain_layers else _default_plane(stack, n_tab)
        return cls(lam_tab, n_tab, stack.padded_thicknesses(), mask, plane, polarization=polarization,
                   sin_t=math.sin(math.radians(ang)), gain_tab=gain_tab, stack=stack, angle=ang)

    @classmethod
    def from_arrays(cls, lam_tab: ArrayLike, n_tab: ArrayLike, d: ArrayLike, mask: ArrayLike, plane: int, *,
                    kx: float = 0.0, polarization: str | Polarization = "s",
                    gain_tab: ArrayLike | None = None) -> PoleProblem:
        """A pole problem on plain arrays with the in-plane index ``kx`` (``n_0 sin theta`` at the
        middle of the table) instead of an angle."""
        n_mid = np.asarray(n_tab)[0, np.shape(n_tab)[1] // 2].real
        return cls(lam_tab, n_tab, d, mask, plane, polarization=polarization,
                   sin_t=float(kx) / float(n_mid) if kx else 0.0, gain_tab=gain_tab)

    @property
    def kx(self) -> float:
        """What the pole kernels take in their ``sin_t`` slot: the sine of the angle in the
        incident medium (they form ``kx = Re n_0(lambda) sin_t`` at each wavelength)."""
        return self.sin_t

    def kx_at(self, lam: float) -> float:
        """``kx / k0`` at the (real) wavelength ``lam``: ``Re n_0(lam) sin(angle)``."""
        if self.sin_t == 0.0:
            return 0.0
        i = int(np.clip(np.searchsorted(self.lam_tab, lam), 1, self.lam_tab.size - 1))
        n0 = np.interp(lam, self.lam_tab[i - 1:i + 1], self.n_tab[0, i - 1:i + 1].real)
        return float(n0 * self.sin_t)

    @property
    def window(self) -> tuple[float, float]:
        """The table's wavelength span ``(first, last)`` (nm)."""
        return float(self.lam_tab[0]), float(self.lam_tab[-1])

    def f(self, lam: complex, scale: float = 0.0) -> complex:
        """``1 - r_L r_R`` at the reference plane for the (complex) wavelength ``lam`` (nm) with the
        gain layers at material gain ``scale`` (cm^-1)."""
        work = np.empty(self.n_tab.shape[0], np.complex128)
        return PK.pole_function(complex(lam), float(scale), self.lam_tab, self.n_tab, self.gain_tab, self.mask,
                                self.d, self.plane, self.kx, self.pol, work)

    def complex_pole(self, lam0: complex, scale: float = 0.0) -> tuple[complex, int, int, float]:
        """Newton from ``lam0`` to the complex pole at gain ``scale``: ``(lambda, iterations,
        status, |f|)`` (status :data:`cavity.lasing._pole_kernels.CONVERGED` on success)."""
        return PK.complex_pole_newton(complex(lam0), float(scale), self.lam_tab, self.n_tab, self.gain_tab, self.mask,
                                      self.d, self.plane, self.kx, self.pol, NEWTON_TOL, NEWTON_MAXIT)

    def real_threshold(self, lam0: float, g0: float) -> tuple[float, float, int, int, float]:
        """Newton in real ``(lambda, g)`` from ``(lam0, g0)``: ``(lambda, g, iterations, status,
        |f|)``."""
        return PK.threshold_newton(float(lam0), float(g0), self.lam_tab, self.n_tab, self.gain_tab, self.mask,
                                   self.d, self.plane, self.kx, self.pol, NEWTON_TOL, NEWTON_MAXIT)


def _default_plane(stack: Stack, n_tab) -> int:
    """Reference medium for passive poles: the least absorbing, optically thickest layer."""
    k_mean = np.abs(n_tab[1:-1].imag).mean(axis=1)
    opt = n_tab[1:-1].real.mean(axis=1) * stack.thicknesses
    order = np.lexsort((-opt, np.round(k_mean, 6)))
    return int(order[0]) + 1


def _require_stack(stack, name: str = "stack") -> None:
    if not isinstance(stack, Stack):
        raise TypeError(f"{name} must be a cavity.Stack, got {type(stack).__name__} {stack!r:.80}")


#: default gain limit of the threshold searches (cm^-1): two orders of magnitude above the largest
#: material gain reported for CQD films (docs/modes.md s.3)
DEFAULT_MAX_GAIN = 1e6


def _mode_problem(problem: PoleProblem, beta: float = 0.0) -> ModeProblem:
    """The compressed counting problem of a pole problem (media of a stack keyed by material)."""
    keys = None
    if problem.stack is not None:
        ids: dict = {}
        keys = np.array([ids.setdefault(id(m), len(ids)) for m in problem.stack.media()])
    return ModeProblem.from_media(problem.lam_tab, problem.n_tab, problem.d, problem.mask, keys=keys,
                                  gain_tab=problem.gain_tab, sin_t=problem.sin_t, beta=beta, pol=problem.pol)


def pole_search(problem: PoleProblem, lo: float, hi: float, min_Q: float,
                gain: float = 0.0) -> tuple[ModeProblem, ZeroSet, float]:
    """Every complex-wavelength pole with ``lo <= Re lambda <= hi`` and ``Q >= min_Q`` (at least
    0.5), counted (:func:`cavity.lasing.modesearch.find_zeros`, mode 1).  Returns ``(mode
    problem, zeros, the lowest Q the search covered)``."""
    mp = _mode_problem(problem)
    q_min = max(float(min_Q), 0.5)
    y_hi = min(hi / (2.0 * q_min), mp.imag_limit(lo))
    y_lo = -0.05 * (hi - lo)
    step = mp.fsr(0.5 * (lo + hi)) / 16.0
    return mp, find_zeros(mp, 1, (lo, hi, y_lo, y_hi), x_step=step, gfix=gain), hi / (2.0 * y_hi)


def _fixed_beta_pole(problem: PoleProblem, mp: ModeProblem, lam: complex):
    """The pole at the fixed in-plane wavenumber of the direction ``angle`` at its own ``Re
    lambda``: ``beta = 2 pi Re n_0 sin(angle) / Re lambda`` (self-consistent, docs/modes.md s.4)."""
    z = complex(lam)
    lo, hi = problem.window
    for _ in range(6):
        beta = 2.0 * math.pi * problem.kx_at(z.real) / z.real
        mb = mp.with_beta(beta)
        x, y, it, st, res, o = CK.newton(z.real, z.imag, lo, hi, -abs(z.imag) - 1.0, hi, abs(z), abs(z),
                                         max(abs(z.imag), 1e-9), max(abs(z.imag), 1e-9), NEWTON_TOL, 80, 1, 0.0,
                                         *mb.args)
        if st != CK.CONVERGED:
            return lam, False
        new = complex(x, y)
        done = abs(new - z) < 1e-12 * abs(z)
        z = new
        if done:
            break
    return z, True


def resonances(stack: Stack, wavelength_range: tuple[float, float], angle: float = 0.0,
               polarization: str | Polarization = "s", *, min_Q: float = 0.0,
               temperature_rise: float = 0.0) -> "Resonances":
    """Every passive cavity mode with resonance wavelength in ``wavelength_range``, counted.

    Parameters
    ----------
    stack : Stack
    wavelength_range : (float, float)
        Window (nm).  The materials must cover it.
    angle, polarization
        Direction in the incident medium (degrees; "s" or "p").
    min_Q : float
        Drop modes with a lower quality factor; the search covers ``Q >= max(min_Q, 0.5)``.
    temperature_rise : float, default 0
        dT (K) of the whole stack: each layer's index is ``n + dn_dT dT`` (:func:`heated_stack`,
        docs/gain.md s.7), so the modes move with the thermo-optic shift.

    Returns
    -------
    Resonances
        ``.modes`` sorted by wavelength, ``.count`` (poles the region holds) and ``.complete``.

    Notes
    -----
    The poles are the zeros of the stack's characteristic function (the denominator of r and t)
    in the complex-wavelength rectangle ``Re lambda`` in the window, ``0 < Im lambda <=
    Re lambda / (2 Q_min)``, found and counted by the winding number of that function
    (:mod:`cavity.lasing.modesearch`, docs/modes.md s.2).  Off normal incidence the pole is taken at the
    fixed real in-plane wavenumber ``beta = 2 pi n_0 sin(angle) / Re lambda`` of the mode (the
    physical resonance of a planar structure, whose Q and photon lifetime are properties at fixed
    in-plane wavevector, docs/modes.md s.4).  Dispersion is evaluated at ``Re lambda``.
    """
    _require_stack(stack)
    stack = heated_stack(stack, temperature_rise)
    lo, hi = window_of(wavelength_range)
    min_Q = require_scalar_finite(min_Q, "min_Q")
    if min_Q < 0:
        raise ValueError(f"min_Q must be >= 0, got {min_Q!r}")
    problem = PoleProblem.from_stack(stack, padded_window(lo, hi, stack), stack.gain_layer_indices, angle, polarization)
    mp, zs, q_floor = pole_search(problem, lo, hi, min_Q)
    out = []
    for z in sorted(zs.zeros, key=lambda z: z.x):
        lam = complex(z.x, z.y)
        if lam.imag <= 0 or not lo <= lam.real <= hi:
            continue
        ok = True
        if problem.sin_t != 0.0:
            lam, ok = _fixed_beta_pole(problem, mp, lam)
        res = Resonance.from_pole(lam, converged=ok)
        if res.Q >= min_Q:
            out.append(res)
    out.sort(key=lambda r: r.wavelength)
    return Resonances(tuple(out), int(zs.count), bool(zs.complete), float(q_floor))


# ------------------------------------------------------------------------------------------------
# Thermo-optic shift: the stack at a temperature rise (docs/gain.md s.7)

#: accepted temperature rises (K) of the thermo-optic shift: down to -300 K (absolute zero below
#: room temperature) and up to 1e4 K (far beyond any device; a linear dn/dT is meaningless there)
_THERMO_RANGE_K = (-300.0, 1e4)


def thermo_optic_coefficients(stack: Stack) -> np.ndarray:
    """dn/dT (1/K) of every medium of ``stack`` (incident, layers..., substrate), as used when heated.

    A layer's coefficient is its material's ``dn_dT`` (:mod:`materials.library` gives it with its
    source in ``dn_dT_reference``); a material whose ``dn_dT`` is ``None`` (unknown: metals, air,
    user materials) counts as 0, i.e. its index does not move with temperature.  The two outer
    (semi-infinite) media are held at 0 as well: the heated region is the thin stack, and the
    substrate and superstrate beyond it are taken at the reference temperature.
    """
    _require_stack(stack)
    out = np.zeros(len(stack) + 2)
    for i, layer in enumerate(stack.layers):
        v = getattr(layer.material, "dn_dT", None)
        if v is not None:
            v = float(v)
            if not math.isfinite(v):
                raise ValueError(f"dn_dT of the material of layer {i} ({layer.label!r}) must be finite, got {v!r}")
            out[i + 1] = v
    return out


def _temperature_rise(value) -> float:
    dt = require_scalar_finite(value, "temperature_rise")
    lo, hi = _THERMO_RANGE_K
    if not lo <= dt <= hi:
        raise ValueError(f"temperature_rise must be in [{lo:g}, {hi:g}] K, got {value!r}")
    return dt


class _Heated(Material):
    """A material whose real index is raised by ``dn`` (``n + dn_dT dT``); immutable."""

    def __init__(self, base, dn: float, dt: float):
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "dn", float(dn))
        object.__setattr__(self, "name", f"{base.name} (+{dt:g} K)")
        object.__setattr__(self, "wavelength_range", base.wavelength_range)
        object.__setattr__(self, "reference", f"{base.reference}; index raised by dn/dT x {dt:g} K "
                                              f"(cavity.heated_stack)")
        object.__setattr__(self, "dn_dT", getattr(base, "dn_dT", None))
        object.__setattr__(self, "dn_dT_reference", getattr(base, "dn_dT_reference", ""))
        object.__setattr__(self, "ground_state_absorption", getattr(base, "ground_state_absorption", False))

    def __setattr__(self, key, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _index(self, wavelength):
        n = np.asarray(self.base.n(wavelength), dtype=np.complex128) + self.dn
        if np.any(n.real <= 0):
            raise ValueError(f"the heated index of {self.base.name!r} is <= 0 (n + dn_dT dT, dn = {self.dn:g}): "
                             f"the temperature rise is far outside a linear thermo-optic coefficient")
        return n


#: (id(material), dT) -> (material, heated material): one heated object per material and dT, so the
#: dispersion tables of the mode searches (keyed by the material's id) are reused
_HEATED_CACHE: dict = {}
_HEATED_CACHE_SIZE = 256


def heated_stack(stack: Stack, temperature_rise: float) -> Stack:
    """``stack`` with every layer's index at ``n + dn_dT * dT`` (the thermo-optic shift).

    .. math:: n(\\lambda, T_0 + \\Delta T) = n(\\lambda, T_0) + (dn/dT)\\, \\Delta T

    The whole stack is taken at one temperature rise ``dT`` (K); ``dn_dT`` per layer as in
    :func:`thermo_optic_coefficients` (``None`` -> 0; outer media unchanged).  Only the index
    moves: thermal expansion of the layers (a relative thickness change ~1e-5/K for oxides, below
    the index change of most of them) is neglected.  ``k`` is unchanged.  docs/gain.md s.7.

    Parameters
    ----------
    stack : Stack
    temperature_rise : float
        dT (K), in [-300, 1e4].
    """
    _require_stack(stack)
    dt = _temperature_rise(temperature_rise)
    if dt == 0.0:
        return stack
    coeff = thermo_optic_coefficients(stack)
    if not np.any(coeff):
        return stack
    layers = []
    for i, layer in enumerate(stack.layers):
        c = coeff[i + 1]
        if c == 0.0:
            layers.append(layer)
            continue
        key = (id(layer.material), dt)
        hit = _HEATED_CACHE.get(key)
        if hit is None or hit[0] is not layer.material:
            if len(_HEATED_CACHE) >= _HEATED_CACHE_SIZE:
                _HEATED_CACHE.pop(next(iter(_HEATED_CACHE)))
            hit = _HEATED_CACHE[key] = (layer.material, _Heated(layer.material, c * dt, dt))
        layers.append(replace(layer, material=hit[1]))
    return replace(stack, layers=tuple(layers))


def window_of(wavelength_range: Sequence[float] | NDArray[np.floating]) -> tuple[float, float]:
    """``(lo, hi)`` (nm) of a ``(min, max)`` wavelength pair, validated (a TypeError or ValueError
    naming ``wavelength_range``)."""
    return require_positive_pair(wavelength_range, "wavelength_range")


def padded_window(lo: float, hi: float, stack: Stack | None = None) -> tuple[float, float]:
    """The table window: ``(lo, hi)`` plus a 2% margin, the margin clipped to the range that all
    the stack's materials cover (the window itself is not clipped: a window outside a material's
    data raises that material's error)."""
    pad = 0.02 * (hi - lo) + 1.0
    a, b = max(lo - pad, 0.5 * lo), hi + pad
    if stack is not None:
        r_lo = max(m.wavelength_range[0] for m in stack.media())
        r_hi = min(m.wavelength_range[1] for m in stack.media())
        a, b = max(a, min(lo, r_lo)), min(b, max(hi, r_hi))
    return (a, b)


def threshold_from_pole(problem: PoleProblem, pole: complex) -> ThresholdSolution:
    """Newton in real (lambda, g) from a passive pole, with a continuation fallback:
    ``(lambda, g, iterations, converged, residual)``."""
    lam0, g0 = PK.linearised_start(complex(pole), problem.lam_tab, problem.n_tab, problem.gain_tab, problem.mask,
                                   problem.d, problem.plane, problem.kx, problem.pol)
    lam, g, it, status, res = problem.real_threshold(lam0, g0)
    if status == PK.CONVERGED:
        return lam, g, it, True, res
    return _continuation(problem, pole, g0)


def _continuation(problem: PoleProblem, pole: complex, g_guess: float) -> ThresholdSolution:
    """Track the complex pole as the gain grows; secant on Im(lambda)(g) = 0."""
    def im_of(g, start):
        lam, it, status, res = problem.complex_pole(start, g)
        return lam, status

    g_prev, lam_prev = 0.0, pole
    g_step = abs(g_guess) / 4 if g_guess else 10.0
    iters = 0
    g = g_step
    for _ in range(200):
        iters += 1
        lam, status = im_of(g, lam_prev)
        if status != PK.CONVERGED:
            g_step /= 2
            g = g_prev + g_step
            if g_step < 1e-9:
                break
            continue
        if lam.imag <= 0:  # crossed: secant/bisection between g_prev and g
            a, fa = g_prev, lam_prev.imag
            b, fb, lb = g, lam.imag, lam
            for _ in range(100):
                iters += 1
                m = b - fb * (b - a) / (fb - fa) if fb != fa else 0.5 * (a + b)
                if not (min(a, b) < m < max(a, b)):
                    m = 0.5 * (a + b)
                lm, st = im_of(m, lb)
                if st != PK.CONVERGED:
                    break
                if abs(lm.imag) < 1e-13 * abs(lm) or abs(b - a) < 1e-12 * abs(b):
                    lam_r, g_r, it, status, res = problem.real_threshold(lm.real, m)
                    ok = status == PK.CONVERGED
                    if ok:
                        return lam_r, g_r, iters + it, True, res
                    return lm.real, m, iters, False, abs(problem.f(lm.real, m))
                if lm.imag > 0:
                    a, fa = m, lm.imag
                else:
                    b, fb, lb = m, lm.imag, lm
            break
        g_prev, lam_prev = g, lam
        g_step *= 1.5
        g = g_prev + g_step
    return pole.real, math.nan, iters, False, math.nan


def _field_integrals(n, d, wavelength, kx, pol_code):
    """``(total, envelope)`` of :func:`layer_field_integrals` on plain arrays."""
    from ..optics import _tmm_kernels as K

    n = np.ascontiguousarray(n, dtype=np.complex128)
    d = np.ascontiguousarray(d, dtype=np.float64)
    M = n.size
    q = np.empty(M, np.complex128)
    y = np.empty(M, np.complex128)
    al = np.empty(M, np.complex128)
    br = np.empty(M, np.complex128)
    ph = np.empty(M, np.complex128)
    K.amplitudes(n, d, wavelength, kx, pol_code, q, y, al, br, ph)
    total = np.empty(M)
    envelope = np.empty(M)
    PK.field_integrals(n, d, float(wavelength), float(kx), int(pol_code), q, y, al, br, ph, total, envelope)
    return total, envelope


def layer_field_integrals(stack: Stack, wavelength: float, gain: float | None, angle: float = 0.0,
                          polarization: str | Polarization = "s"
                          ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.complex128]]:
    """Closed-form ``int |E|^2 dz`` over each medium and the same without the interference term.

    With ``E = A exp(i b u) + B exp(i b (d - u))`` in a layer (u from its left boundary, b the
    complex normal wave number), ``int |E|^2 = (|A|^2 + |B|^2) I(-2 Im b) + 2 Re(A B* e^{-i b* d}
    I(2 i Re b))`` with ``I(c) = int_0^d e^{c u} du``; for p both E_x and E_z components are
    summed.  Returns ``(total, envelope, n)`` arrays over the media (outer entries zero).
    """
    from ..optics.spectra import stack_arrays

    n2d, d = stack_arrays(stack, [wavelength], gain)
    n = n2d[:, 0].copy()
    pol = Polarization.parse(polarization, allow_unpolarized=False)
    kx = n[0].real * math.sin(math.radians(angle))
    total, envelope = _field_integrals(n, d, wavelength, kx, pol.code)
    return total, envelope, n


def mode_energy_weights(problem: PoleProblem, lam: float, g: float
                        ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.complex128]]:
    """Index-weighted field energy of the mode at threshold in each medium of a pole problem.

    The field driven just below threshold is the mode's field to ~1e-7 (the pole dominates).
    Returns ``(weight, total, envelope, n_passive)``: ``weight = |Re n| int |E|^2 dz`` (zero in the
    outer media), the integrals of :func:`layer_field_integrals` and the passive indices at
    ``lam`` (tables interpolated, no gain).  The confinement of medium m is
    ``mask[m] weight[m] / sum(weight)`` (docs/theory.md s.3.3 and s.4.6 for the index weighting).
    """
    M = problem.n_tab.shape[0]
    n_gain = np.empty(M, np.complex128)
    n_pass = np.empty(M, np.complex128)
    PK.indices_at(lam, problem.lam_tab, problem.n_tab, problem.gain_tab, g * (1.0 - 1e-7), problem.mask, n_gain)
    PK.indices_at(lam, problem.lam_tab, problem.n_tab, problem.gain_tab, 0.0, problem.mask, n_pass)
    kx = n_gain[0].real * problem.sin_t
    total, envelope = _field_integrals(n_gain, problem.d, lam, kx, problem.pol)
    return np.abs(n_gain.real) * total, total, envelope, n_pass


def _mode_figures(problem: PoleProblem, lam: float, g: float):
    """Confinement, standing-wave factor and internal loss from the field at threshold
    (:func:`mode_energy_weights`)."""
    try:
        weight, total, envelope, n = mode_energy_weights(problem, lam, g)
    except (ValueError, FloatingPointError):
        return math.nan, math.nan, math.nan
    den = weight.sum()
    if not np.all(np.isfinite(weight)) or den <= 0:
        return math.nan, math.nan, math.nan
    confinement = float((problem.mask * weight).sum() / den)
    passive = problem.mask == 0
    passive[[0, -1]] = False
    alpha = np.where(passive & (n.imag > 0), 4 * math.pi * n.imag / (lam * 1e-7), 0.0)
    internal_loss = float((weight * alpha).sum() / den)
    first = problem.gain_layers[0] + 1
    swf = total[first] / envelope[first] if envelope[first] > 0 else math.nan
    return confinement, float(swf), internal_loss


def _build_threshold(problem: PoleProblem, pole, lam, g, it, ok, res):
    conf, swf, alpha_i = _mode_figures(problem, lam, g)
    modal = conf * g
    return Threshold(
        wavelength=float(lam), material_gain=float(g), confinement=float(conf), standing_wave_factor=float(swf),
        modal_gain=float(modal), internal_loss=float(alpha_i), outcoupling_loss=float(modal - alpha_i),
        converged=bool(ok), iterations=int(it), residual=float(res),
        passive=Resonance.from_pole(pole) if pole is not None else None, gain_layers=tuple(problem.gain_layers),
    )


def threshold_search(problem: PoleProblem, lo: float, hi: float, max_gain: float,
                     seeds: Sequence[tuple[float, float]] = (),
                     explicit: bool = False) -> tuple[ModeProblem, ZeroSet, float]:
    """Every threshold zero ``(lambda, g)`` with ``lo <= lambda <= hi`` and ``g <= max_gain``
    (:func:`cavity.lasing.modesearch.find_zeros`, mode 0).  The rectangle starts at ``-max_gain`` (no
    zero below g = 0 in a structure whose only gain is ``g``) so its lower edge is smooth.
    Returns ``(mode problem, zeros, the gain limit used)``."""
    mp = _mode_problem(problem)
    max_gain = capped_gain(mp, max_gain, explicit)
    g_lo = 0.0 if mp.has_gain_media else -max_gain
    step = mp.fsr(0.5 * (lo + hi)) / 16.0
    zs = find_zeros(mp, 0, (lo, hi, g_lo, max_gain), x_step=step, seeds=seeds)
    return mp, zs, max_gain


def capped_gain(mp: ModeProblem, max_gain: float, explicit: bool) -> float:
    """``max_gain`` lowered to the precision limit of the structure (with a warning when the
    caller asked for more)."""
    cap = mp.gain_limit()
    if max_gain > cap:
        if explicit:
            warnings.warn(f"max_gain={max_gain:g} cm^-1 exceeds the gain up to which this structure's "
                          f"characteristic function keeps its digits (single-pass power gain "
                          f"exp({PRECISION_EXPONENT:g})): the search stops at {cap:.4g} cm^-1 and "
                          f"result.max_gain says so", stacklevel=4)
        return cap
    return max_gain


#: passive poles followed by the trajectory cross-check at most (beyond, the winding count stands alone)
_MAX_TRACKED = 24


def _with_trajectory_zeros(problem: PoleProblem, mp: ModeProblem, zs, lo: float, hi: float, max_gain: float):
    """Add the thresholds that cancel in the winding number (docs/modes.md s.2.3).

    A pole whose path crosses the real axis twice below ``max_gain`` (into the growing half-plane
    and back) gives two zeros of opposite orientation: the winding number of a region holding
    both is zero.  Every passive pole near the window (the counted pole search, padded by a
    quarter of the window on each side) is followed as the gain grows
    (:func:`cavity.lasing._count_kernels.track_pole`) and each crossing refined by Newton; zeros not
    found yet are added, and ``count`` grows with them.
    """
    t_lo, t_hi = problem.window
    width = hi - lo
    a, b = max(lo - 0.25 * width, t_lo), min(hi + 0.25 * width, t_hi)
    y_hi = min(b, mp.imag_limit(a))
    passive = find_zeros(mp, 1, (a, b, -0.05 * width, y_hi), x_step=mp.fsr(0.5 * (a + b)) / 16.0)
    poles = [p for p in passive.zeros if p.y > 0]
    if len(poles) > _MAX_TRACKED:
        return zs
    found = list(zs.zeros)
    ox = np.empty(16)
    og = np.empty(16)
    lam_c = 0.5 * (lo + hi)
    added = 0
    for p in poles:
        n, st = CK.track_pole(p.x, p.y, max_gain, t_lo, t_hi, -y_hi, y_hi, 1e-7 * lam_c, *mp.args, ox, og)
        for k in range(n):
            x, g, it, status, res, orient = CK.newton(ox[k], og[k], t_lo, t_hi, -max_gain, max_gain, lam_c,
                                                     max_gain, 1e-6 * width, 1e-6 * max_gain, 1e-13, 80, 0, 0.0,
                                                     *mp.args)
            if status != CK.CONVERGED or res > 1e-8 or not (lo <= x <= hi and 0 < g <= max_gain):
                continue
            if any(abs(f.x - x) <= 1e-9 * lam_c and abs(f.y - g) <= 1e-7 * max_gain for f in found):
                continue
            found.append(Zero(float(x), float(g), int(it), float(res), int(orient)))
            added += 1
    if not added:
        return zs
    return ZeroSet.of(found, zs.winding, zs.resolved, zs.rectangle, zs.evaluations)


def passive_from_threshold(problem: PoleProblem, mp: ModeProblem, lam: float, g: float) -> complex | None:
    """The passive pole a threshold mode comes from: its complex wavelength followed from
    ``(lam, g)`` down to zero gain by Newton continuation in g.  None if it is lost."""
    lo, hi = problem.window
    for steps in (1, 4, 16):
        z = complex(lam, 0.0)
        for k in range(1, steps + 1):
            gk = g * (1.0 - k / steps)
            x, y, it, st, res, o = CK.newton(z.real, z.imag, lo, hi, -(hi - lo), hi, lam, lam, 1e-3, 1e-3,
                                             NEWTON_TOL, 80, 1, gk, *mp.args)
            if st != CK.CONVERGED:
                break
            z = complex(x, y)
        else:
            if z.imag > 0 and problem.sin_t != 0.0:
                z, _ = _fixed_beta_pole(problem, mp, z)
            return z if z.imag > 0 else None
    return None


def _max_gain(max_gain):
    if max_gain is None:
        return DEFAULT_MAX_GAIN
    v = require_scalar_finite(max_gain, "max_gain")
    if not v > 0:
        raise ValueError(f"max_gain must be a material gain > 0 cm^-1, got {max_gain!r}")
    return v


def _threshold_set(stack, lo, hi, gain_layers, angle, polarization, max_gain, explicit, problem=None):
    if problem is None:
        idx = resolve_gain_layers(stack, gain_layers)
        problem = PoleProblem.from_stack(stack, padded_window(lo, hi, stack), idx, angle, polarization)
    mp, zs, max_gain = threshold_search(problem, lo, hi, max_gain, explicit=explicit)
    zs = _with_trajectory_zeros(problem, mp, zs, lo, hi, max_gain)
    modes = []
    for z in zs.zeros:
        if not z.y > 0:
            continue
        pole = passive_from_threshold(problem, mp, z.x, z.y)
        modes.append(_build_threshold(problem, pole, z.x, z.y, z.iterations, True, z.residual))
    modes.sort(key=lambda m: m.material_gain)
    return problem, zs, modes, max_gain


def lasing_threshold(stack: Stack, near: float, gain_layers: Sequence[int | str] | None = None, *, angle: float = 0.0,
                     polarization: str | Polarization = "s", search_width: float | None = None,
                     max_gain: float | None = None, temperature_rise: float = 0.0) -> Threshold:
    """The lasing threshold of the mode nearest to ``near``.

    Parameters
    ----------
    stack : Stack
        With at least one layer marked ``gain=True`` (or give ``gain_layers``).
    near : float
        Wavelength (nm) near which to look for the mode.
    gain_layers : sequence of int or str, optional
        Layers (indices into ``stack.layers`` or names, :meth:`cavity.Stack.layer_index`) that
        carry the (common) gain.
    angle, polarization
        Emission direction in the incident medium (degrees) and polarization ("s"/"p"); the
        in-plane wavenumber is ``n_0(lambda_th) sin(angle)`` at the lasing wavelength.
    search_width : float, optional
        Half width (nm) of the window searched around ``near``; by default two free spectral
        ranges of the whole stack (at least 5 nm, at most 10% of ``near``).
    max_gain : float, optional
        Largest material gain searched (cm^-1), default :data:`DEFAULT_MAX_GAIN`.
    temperature_rise : float, default 0
        dT (K) of the whole stack: each layer's index is evaluated at ``n + dn_dT dT``
        (:func:`heated_stack`; ``dn_dT = None`` counts as 0, outer media and thicknesses unchanged,
        docs/gain.md s.7), so the mode moves with the thermo-optic shift.  At normal incidence a
        single nondispersive layer's modes move by ``d lambda / lambda = dn_dT dT / n``.

    Returns
    -------
    Threshold

    Raises
    ------
    ValueError
        No gain layer, or no mode reaches threshold in the window below ``max_gain`` (the
        message says how many modes the window holds and whether the search was complete).

    Notes
    -----
    Every threshold mode of the window is found by the complete search of
    :func:`threshold_modes` (docs/modes.md s.2); the one nearest ``near`` is returned.
    """
    _require_stack(stack)
    stack = heated_stack(stack, temperature_rise)
    near = require_scalar_finite(near, "near")
    if near <= 0:
        raise ValueError(f"near must be a wavelength > 0 nm, got {near!r}")
    gmax = _max_gain(max_gain)
    idx = resolve_gain_layers(stack, gain_layers)
    problem = None
    r_lo = max(m.wavelength_range[0] for m in stack.media())
    r_hi = min(m.wavelength_range[1] for m in stack.media())
    if not r_lo <= near <= r_hi:
        raise ValueError(f"near={near!r} nm lies outside the wavelength range {r_lo:g}-{r_hi:g} nm that all "
                         f"the stack's materials cover")
    if search_width is None:
        # two free spectral ranges of the whole stack, from a table wide enough for any of them
        wide = (max(near - _MAX_WIDTH_FRACTION * near, r_lo), min(near + _MAX_WIDTH_FRACTION * near, r_hi))
        problem = PoleProblem.from_stack(stack, padded_window(*wide, stack), idx, angle, polarization)
        mid = int(np.argmin(np.abs(problem.lam_tab - near)))
        opt = float(np.sum(np.abs(problem.n_tab[1:-1, mid].real) * stack.thicknesses))
        search_width = min(max(5.0, near * near / max(opt, near / 4)), _MAX_WIDTH_FRACTION * near)
        search_width = min(search_width, max(near - r_lo, 1e-6 * near), max(r_hi - near, 1e-6 * near))
    else:
        search_width = require_scalar_finite(search_width, "search_width")
        if not 0 < search_width < near:
            raise ValueError(f"search_width must be in (0, near) nm, got {search_width!r}")
    lo, hi = near - search_width, near + search_width
    problem, zs, modes, gmax = _threshold_set(stack, lo, hi, idx, angle, polarization, gmax,
                                              max_gain is not None, problem)
    if not modes:
        state = "complete" if zs.complete else "INCOMPLETE"
        raise ValueError(f"no mode reaches threshold within {lo:.2f}-{hi:.2f} nm below max_gain={gmax:g} cm^-1 "
                         f"(near={near!r} nm; the window holds {zs.count} threshold mode(s), search {state}); "
                         f"widen search_width or raise max_gain")
    return min(modes, key=lambda m: abs(m.wavelength - near))


def threshold_modes(stack: Stack, wavelength_range: tuple[float, float], gain_layers: Sequence[int | str] | None = None, *,
                    angle: float = 0.0, polarization: str | Polarization = "s", max_gain: float | None = None,
                    temperature_rise: float = 0.0) -> ThresholdModes:
    """Every longitudinal mode in ``wavelength_range`` with its threshold, lowest first, counted.

    Parameters
    ----------
    stack : Stack
    wavelength_range : (float, float)
        Window of lasing wavelengths (nm).
    gain_layers : sequence of int or str, optional
        Layers that carry the common material gain (default: those marked ``gain=True``).
    angle, polarization
        Emission direction in the incident medium (degrees) and "s"/"p".
    max_gain : float, optional
        Largest material gain searched (cm^-1), default :data:`DEFAULT_MAX_GAIN`.
    temperature_rise : float, default 0
        dT (K) of the whole stack (thermo-optic shift, :func:`heated_stack`, docs/gain.md s.7).

    Returns
    -------
    ThresholdModes
        ``.modes`` (every mode with ``0 < g_th <= max_gain``, sorted by ``material_gain``),
        ``.side_mode_margin`` (from the complete set), ``.count`` and ``.complete``.

    Notes
    -----
    The thresholds are the zeros of the characteristic function ``D(lambda, g)`` (the
    denominator of r and t, independent of any reference plane) in the real rectangle
    ``window x (-max_gain, max_gain]``; its winding number counts them and a subdivision finds
    each (:mod:`cavity.lasing.modesearch`, docs/modes.md s.2).
    """
    _require_stack(stack)
    stack = heated_stack(stack, temperature_rise)
    lo, hi = window_of(wavelength_range)
    gmax = _max_gain(max_gain)
    problem, zs, modes, gmax = _threshold_set(stack, lo, hi, gain_layers, angle, polarization, gmax,
                                              max_gain is not None)
    margin = modes[1].material_gain - modes[0].material_gain if len(modes) > 1 else math.inf
    return ThresholdModes(tuple(modes), float(margin), int(zs.count), bool(zs.complete), float(gmax))

"""Coupled-mode theory of distributed-feedback (DFB) lasers (Kogelnik & Shank 1972).

A fast, independent estimator of DFB thresholds, and a cross-check of the transfer-matrix
engine (docs/theory.md s.4.1-4.4).

Model
-----
The field in the grating is ``E = R(z) exp(-i beta0 z) + S(z) exp(+i beta0 z)`` with
``beta0 = m pi / Lambda`` (grating order m, period Lambda), detuning ``delta = beta - beta0``
and a uniform **field** (amplitude) gain ``alpha``.  The coupled-wave equations [KS, eq. (2)] are

.. math::

    -R' + (\\alpha - i\\delta) R = i\\kappa\\, e^{-i\\phi} S, \\qquad
     S' + (\\alpha - i\\delta) S = i\\kappa\\, e^{+i\\phi} R,

with ``phi`` the local phase of the grating (a jump of ``phi`` is a phase shift).  Everything
here is normalised to the grating length L: ``u = (alpha - i delta) L`` and ``kappa L``.

**Field vs power gain.**  ``alpha`` is a field gain, as in Kogelnik & Shank: the modal *power*
gain needed at threshold is ``2 alpha`` (conventions.py).  Every result states which one it is.

**Coupling.**  ``kappa = pi n_1 / lambda + i alpha_1 / 2`` for ``n = n0 + n_1 cos(2 beta0 z)``
and ``alpha = alpha0 + alpha_1 cos(2 beta0 z)`` [KS, eq. (1) and section 2]: ``kind="index"``
is real ``kappa``, ``kind="gain"`` is ``kappa = i kappa_g``, ``kind="complex"`` takes any complex
``kappa L``.
A phase shift is separate from the kind: ``phase_shift`` (a :class:`PhaseShift`, a phase in rad, or
``"quarter_wave"``) puts a jump of ``phi`` in any grating; ``kind="index", phase_shift="quarter_wave"``
is the lambda/4-shifted DFB.

**Limitations (docs/theory.md s.4.4).**  The model is one-dimensional: it has no radiation modes.  For a
grating of order m >= 2 the lower Fourier components diffract light out of the surface; these
analytic functions do *not* compute the resulting radiation loss, mode selection or out-coupling.
Supply them yourself (a complex ``kappa L``, ``kind="complex"``, a Kazarinov-Henry-type coupling,
and/or a mode-independent ``radiation_loss`` in :func:`coupled_mode_device_threshold`), or use
:func:`cavity.dfb_threshold` of a layered second-order grating, which computes them (docs/dfb.md).
The results carry this statement in their ``limitations`` field.

Reference
---------
[KS] H. Kogelnik and C. V. Shank, "Coupled-wave theory of distributed feedback lasers",
J. Appl. Phys. 43, 2327 (1972).
"""
from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

import numpy as np
from numpy.typing import ArrayLike

from .._jit import kernel
from .._validation import as_float_array, parse_enum
from ..conventions import NM_TO_CM
from ..results import Result

__all__ = [
    "CouplingKind",
    "PhaseShift",
    "CoupledModeMode",
    "CoupledModeThreshold",
    "GratingResponse",
    "grating_coupling_coefficient",
    "gain_coupling_coefficient",
    "coupled_mode_threshold",
    "coupled_mode_characteristic",
    "coupled_mode_response",
    "detuning_to_wavelength",
    "coupled_mode_device_threshold",
]

#: largest |kappa L| accepted: the lowest threshold of a phase-shifted grating falls like
#: exp(-kappa L) (alpha L ~ 6e-12 at kappa L = 30) while the section matrices grow like
#: exp(kappa L); beyond ~30 the root is below double-precision resolution.  Such gratings are
#: strongly over-coupled anyway.
MAX_KAPPA_L = 30.0

#: largest |alpha L| of :func:`coupled_mode_response`: the section matrices grow like
#: exp(|alpha L|), which overflows double precision (exp(709.8)) beyond ~700.
MAX_ALPHA_L = 700.0

#: largest |delta L| of :func:`coupled_mode_response`: the phase delta L keeps ~1e-10 rad
#: resolution up to 1e6; far beyond it (~1e154) its square overflows and r, t became NaN.
MAX_DELTA_L = 1e6

_LIMITATION_1D = (
    "1D coupled-mode theory (Kogelnik & Shank 1972): uniform gain, no spatial hole burning, "
    "no radiation modes."
)
_LIMITATION_SECOND_ORDER = (
    " Grating order {order} >= 2: this 1D model does not compute the surface-emission (radiation) loss "
    "of the lower diffraction orders, nor its mode selection or out-coupling (docs/theory.md s.4.4; "
    "cavity.dfb_threshold computes them for layered second-order gratings, docs/dfb.md); {what}"
)


class CouplingKind(str, Enum):
    """How the grating couples the two counter-propagating waves.

    * ``INDEX``: real ``kappa`` (index grating).
    * ``GAIN``: pure gain coupling, ``kappa = i kappa_g``; ``kappa_L`` is ``kappa_g L``.
    * ``COMPLEX``: any complex ``kappa L`` (mixed index/gain coupling, or a user-supplied
      effective coupling that includes radiation for a second-order grating).

    A phase shift is not a coupling kind: any kind takes one (``phase_shift``, :class:`PhaseShift`).
    The quarter-wave shifted DFB is ``kind="index", phase_shift="quarter_wave"``; the former
    ``kind="quarter_wave"`` still works but is deprecated (a ``DeprecationWarning`` names the new form).
    """

    INDEX = "index"
    GAIN = "gain"
    COMPLEX = "complex"

    @classmethod
    def parse(cls, value: str | CouplingKind) -> CouplingKind:
        """The member ``value`` names (its value or name in any case); a ValueError naming ``kind``."""
        return parse_enum(cls, value, "kind")


class _NamedShift(str, Enum):
    """Phase shifts named by a string (parsed by ``parse_enum``, so any case, ``-`` or space for ``_``)."""

    QUARTER_WAVE = "quarter_wave"


_SHIFT_ALIASES = {"qws": _NamedShift.QUARTER_WAVE}


def _named_shift(value: str) -> _NamedShift | None:
    try:
        return parse_enum(_NamedShift, value, "phase_shift", aliases=_SHIFT_ALIASES)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class PhaseShift:
    """A jump of the grating phase: ``phase`` (rad) at ``position`` (fraction of the length L).

    Beyond ``position`` the coupling becomes ``kappa e^{-+i phase}`` (the grating's coupling harmonic is
    displaced by ``phase Lambda / (2 pi m)`` for a grating of order m).  ``phase = pi`` is the
    "quarter-wave" shift: a lambda/4 optical displacement (Lambda/2 at order 1, Lambda/4 at order 2),
    which puts the defect mode of a symmetric index grating at the Bragg wavelength
    [Kogelnik & Shank, J. Appl. Phys. 43, 2327 (1972)]; docs/theory.md s.4.1-4.2, docs/dfb.md s.6.

    Parameters
    ----------
    position : float, default 0.5
        Where the phase jumps, as a fraction of the grating length from the left end,
        ``0 < position < 1`` (0.5: the centre).
    phase : float, default pi
        The jump of the grating phase (rad), finite.  :class:`~cavity.waveguide.DFBGrating` asks for
        ``0 < phase < 2 pi`` (it lengthens a tooth).

    Notes
    -----
    Frozen; unpacks as the pair ``position, phase``.  :meth:`parse` is the one reader of every form
    the API accepts: a ``PhaseShift``, a ``(position, phase)`` pair, the string ``"quarter_wave"``
    (or ``"qws"``), or a bare phase (rad) where a default position is known.

    Examples
    --------
    >>> PhaseShift.quarter_wave() == PhaseShift(0.5, math.pi) == PhaseShift.parse("quarter_wave")
    True
    >>> position, phase = PhaseShift(0.3, 1.0)
    """

    position: float = 0.5
    phase: float = math.pi

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", _fraction(self.position, "position"))
        object.__setattr__(self, "phase", _real(self.phase, "phase"))

    def __iter__(self) -> Iterator[float]:
        yield self.position
        yield self.phase

    @classmethod
    def quarter_wave(cls, position: float = 0.5) -> PhaseShift:
        """The quarter-wave (lambda/4) shift: a jump of ``pi`` at ``position`` (default: the centre)."""
        return cls(position, math.pi)

    @classmethod
    def parse(cls, value: PhaseShiftLike, name: str = "phase_shift", *,
              position: float | None = None) -> PhaseShift:
        """The shift ``value`` describes; errors name ``name`` and the value.

        Parameters
        ----------
        value : PhaseShift, (position, phase), "quarter_wave"/"qws" or float
            A bare phase (rad) needs ``position``; the string means ``PhaseShift.quarter_wave(position)``
            (``position`` defaults to 0.5 there).
        name : str, default "phase_shift"
            The parameter named in the error messages.
        position : float, optional
            The position of a bare phase or of the named shift.

        Raises
        ------
        ValueError
            Unknown string, a bare phase without a position, a position outside (0, 1), a
            non-finite phase, or anything else.
        TypeError
            Non-numeric position or phase.
        """
        if isinstance(value, PhaseShift):
            return value
        where = 0.5 if position is None else _fraction(position, f"{name} position")
        if isinstance(value, str):
            if _named_shift(value) is _NamedShift.QUARTER_WAVE:
                return cls.quarter_wave(where)
            raise ValueError(f"{name} must be 'quarter_wave' (or 'qws'), a (position, phase) pair or a PhaseShift, "
                             f"got {value!r}")
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
            if position is None:
                raise ValueError(f"{name} must be a (position, phase) pair, a PhaseShift or 'quarter_wave' (a bare "
                                 f"phase has no position here), got {value!r}")
            return cls(where, _real(value, name))
        if isinstance(value, (bool, np.bool_)) or not _is_pair(value):
            raise ValueError(f"{name} must be a (position, phase) pair, a PhaseShift or 'quarter_wave', got {value!r}")
        x, ph = value  # type: ignore[misc]  # a pair, checked above
        return cls(_fraction(x, f"{name} position"), _real(ph, f"{name} phase"))


#: what :meth:`PhaseShift.parse` reads
PhaseShiftLike = PhaseShift | tuple[float, float] | str | float


def _is_pair(value: object) -> bool:
    try:
        return len(value) == 2 and not isinstance(value, (str, bytes))  # type: ignore[arg-type]
    except TypeError:
        return False


# --------------------------------------------------------------------------------------------
# validation helpers (each message names the parameter and the value)
# --------------------------------------------------------------------------------------------
def _real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def _positive(value, name: str, unit: str = "") -> float:
    v = _real(value, name)
    if v <= 0.0:
        raise ValueError(f"{name} must be > 0{(' ' + unit) if unit else ''}, got {value!r}")
    return v


def _nonnegative(value, name: str, unit: str = "") -> float:
    v = _real(value, name)
    if v < 0.0:
        raise ValueError(f"{name} must be >= 0{(' ' + unit) if unit else ''}, got {value!r}")
    return v


def _fraction(value, name: str) -> float:
    v = _real(value, name)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return v


def _order(value, name: str = "order") -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _duty_cycle(value) -> np.ndarray:
    d = as_float_array(value, "duty_cycle")
    if not np.all(np.isfinite(d)) or np.any((d <= 0.0) | (d >= 1.0)):
        raise ValueError(f"duty_cycle must lie strictly between 0 and 1, got {value!r}")
    return d


def _float_array(value, name: str) -> np.ndarray:
    # refuses booleans, strings, None and complex values with Im != 0, names ``name``
    a = as_float_array(value, name)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return a


def _scalar_or_array(a: np.ndarray):
    return float(a) if a.ndim == 0 else a


# --------------------------------------------------------------------------------------------
# coupling coefficients
# --------------------------------------------------------------------------------------------
def grating_coupling_coefficient(index_step: ArrayLike, duty_cycle: ArrayLike, order: int,
                                 bragg_wavelength: ArrayLike) -> np.ndarray | float:
    """Coupling coefficient of a rectangular (binary) index grating, in cm^-1.

    Parameters
    ----------
    index_step : float or array
        Index step ``dn = n_H - n_L`` (> 0) between the two sections; in a waveguide use the
        effective-index step between tooth and groove sections (docs/theory.md s.4.5).
    duty_cycle : float or array
        Fraction ``D`` of the period occupied by the high index, ``0 < D < 1``.
    order : int
        Bragg order ``m >= 1``; the grating period is ``Lambda = m lambda_m / (2 n_bar)``.
    bragg_wavelength : float or array
        Vacuum Bragg wavelength ``lambda_m`` (nm) of that order.

    Returns
    -------
    float or ndarray
        ``kappa_m`` (cm^-1), a field coupling coefficient (stopband half-width in ``delta``).

    Raises
    ------
    ValueError
        If ``index_step`` or ``bragg_wavelength`` is not finite and > 0, ``duty_cycle`` is
        not in (0, 1), or ``order < 1``.
    TypeError
        If ``order`` is not an integer.

    Notes
    -----
    The m-th Fourier cosine amplitude of a square wave of step ``dn`` and duty cycle ``D`` is
    ``n_m = (2 dn / (m pi)) sin(m pi D)``; with ``kappa = pi n_m / lambda`` [Kogelnik & Shank,
    J. Appl. Phys. 43, 2327 (1972), eq. (3)] (docs/theory.md s.4.3):

    .. math:: \\kappa_m = \\frac{2\\,\\Delta n\\,|\\sin(m\\pi D)|}{m\\,\\lambda_m}.

    First order at ``D = 1/2`` gives ``kappa = 2 dn / lambda``; every even order at ``D = 1/2``
    gives zero (a residual O(dn^2) coupling remains, not modelled).  The formula is first order in
    ``dn``: accurate to < 1% against Bloch stopbands for ``dn/n ~ 1%``.

    Examples
    --------
    >>> round(grating_coupling_coefficient(0.01, 0.5, 1, 630.0), 3)  # 2 dn / lambda
    317.46
    """
    dn = _float_array(index_step, "index_step")
    if np.any(dn <= 0.0):
        raise ValueError(f"index_step must be > 0 (n_H - n_L), got {index_step!r}")
    d = _duty_cycle(duty_cycle)
    m = _order(order)
    lam = _float_array(bragg_wavelength, "bragg_wavelength")
    if np.any(lam <= 0.0):
        raise ValueError(f"bragg_wavelength must be > 0 nm, got {bragg_wavelength!r}")
    with np.errstate(over="ignore"):
        kappa = 2.0 * dn * np.abs(np.sin(m * np.pi * d)) / (m * lam * NM_TO_CM)
    if not np.all(np.isfinite(kappa)):
        raise ValueError(f"index_step={index_step!r} over bragg_wavelength={bragg_wavelength!r} gives an "
                         "infinite coupling coefficient 2 dn / lambda; index_step must be a realistic index step")
    return _scalar_or_array(kappa)


def gain_coupling_coefficient(gain_step: ArrayLike, duty_cycle: ArrayLike = 0.5,
                              order: int = 1) -> np.ndarray | float:
    """Gain-coupling coefficient ``kappa_g`` (cm^-1) of a rectangular grating of power gain.

    Parameters
    ----------
    gain_step : float or array
        Step ``dg`` (> 0, cm^-1) of the material/modal **power** gain between the two sections.
    duty_cycle : float or array, default 0.5
        Fraction ``D`` of the period with the higher gain, ``0 < D < 1``.
    order : int, default 1
        Bragg order ``m >= 1``.

    Returns
    -------
    float or ndarray
        ``kappa_g`` (cm^-1): the coupling is ``kappa = i kappa_g`` (``kind="gain"``).

    Raises
    ------
    ValueError, TypeError
        As :func:`grating_coupling_coefficient`.

    Notes
    -----
    The field gain is half the power gain, so the square wave of field gain has step ``dg/2``
    and m-th Fourier amplitude ``alpha_m = (dg / (m pi)) sin(m pi D)``.  Kogelnik & Shank's
    ``kappa = i alpha_1 / 2`` [J. Appl. Phys. 43, 2327 (1972), eq. (3)] then gives

    .. math:: \\kappa_g = \\frac{\\Delta g\\,|\\sin(m\\pi D)|}{2\\pi m},

    i.e. ``kappa_g = dg / (2 pi)`` at first order and ``D = 1/2`` (docs/theory.md s.4.3).

    Examples
    --------
    >>> round(gain_coupling_coefficient(2 * 3.141592653589793), 12)
    1.0
    """
    dg = _float_array(gain_step, "gain_step")
    if np.any(dg <= 0.0):
        raise ValueError(f"gain_step must be > 0 cm^-1, got {gain_step!r}")
    d = _duty_cycle(duty_cycle)
    m = _order(order)
    return _scalar_or_array(dg * np.abs(np.sin(m * np.pi * d)) / (2.0 * np.pi * m))


# --------------------------------------------------------------------------------------------
# jitted core: section matrices, characteristic function, Newton from a grid of starts
# --------------------------------------------------------------------------------------------
@kernel
def _section(u, kf, kb, ell):
    """exp(A ell) and d/du exp(A ell) for A = [[u, -i kf], [i kb, -u]] (A^2 = (u^2 + kf kb) I).

    Returns the 8 entries (e11, e12, e21, e22, d11, d12, d21, d22), complex128.
    exp(A ell) = cosh(x) I + ell sinh(x)/x A with x^2 = (u^2 + kf kb) ell^2: even in x.
    """
    x2 = (u * u + kf * kb) * ell * ell
    if abs(x2) < 1e-4:
        c = 1.0 + x2 / 2.0 + x2 * x2 / 24.0 + x2 * x2 * x2 / 720.0
        s = 1.0 + x2 / 6.0 + x2 * x2 / 120.0 + x2 * x2 * x2 / 5040.0
        d = 1.0 / 3.0 + x2 / 30.0 + x2 * x2 / 840.0 + x2 * x2 * x2 / 45360.0
    else:
        x = np.sqrt(x2)
        c = np.cosh(x)
        s = np.sinh(x) / x
        d = (c - s) / x2
    a11 = u
    a12 = -1j * kf
    a21 = 1j * kb
    e11 = c + ell * s * a11
    e12 = ell * s * a12
    e21 = ell * s * a21
    e22 = c - ell * s * a11
    # dc/du = u ell^2 s ; d(s)/du = u ell^2 d ; dA/du = diag(1, -1)
    dc = u * ell * ell * s
    ds = u * ell * ell * d
    d11 = dc + ell * ds * a11 + ell * s
    d12 = ell * ds * a12
    d21 = ell * ds * a21
    d22 = dc - ell * ds * a11 - ell * s
    return e11, e12, e21, e22, d11, d12, d21, d22


@kernel
def _characteristic(u, kf, kb, ell, r1, r2):
    """Characteristic function D(u) and dD/du of a chain of grating sections.

    kf, kb, ell : arrays over sections (z increasing); kf = kappa L exp(-i phi),
    kb = kappa L exp(+i phi), ell = section length / L.  Facets: R(-L/2) = r1 S(-L/2),
    S(L/2) = r2 R(L/2).  With M the total transfer matrix and [R, S](-L/2) = [r1, 1]:
    D = (M21 r1 + M22) - r2 (M11 r1 + M12).  Zeros of D are the lasing modes.
    """
    m11 = 1.0 + 0.0j
    m12 = 0.0j
    m21 = 0.0j
    m22 = 1.0 + 0.0j
    p11 = 0.0j
    p12 = 0.0j
    p21 = 0.0j
    p22 = 0.0j
    for k in range(ell.shape[0]):
        e11, e12, e21, e22, d11, d12, d21, d22 = _section(u, kf[k], kb[k], ell[k])
        # derivative of E M: dE M + E dM
        q11 = d11 * m11 + d12 * m21 + e11 * p11 + e12 * p21
        q12 = d11 * m12 + d12 * m22 + e11 * p12 + e12 * p22
        q21 = d21 * m11 + d22 * m21 + e21 * p11 + e22 * p21
        q22 = d21 * m12 + d22 * m22 + e21 * p12 + e22 * p22
        n11 = e11 * m11 + e12 * m21
        n12 = e11 * m12 + e12 * m22
        n21 = e21 * m11 + e22 * m21
        n22 = e21 * m12 + e22 * m22
        m11, m12, m21, m22 = n11, n12, n21, n22
        p11, p12, p21, p22 = q11, q12, q21, q22
    f = (m21 * r1 + m22) - r2 * (m11 * r1 + m12)
    df = (p21 * r1 + p22) - r2 * (p11 * r1 + p12)
    return f, df


@kernel
def _newton_grid(starts, kf, kb, ell, r1, r2, alpha_lo, alpha_hi, delta_hi, max_iter):
    """Complex Newton on D(u) from every start.

    Returns (roots complex[n], iterations int64[n], status int64[n]); status 0 = converged
    (|step| < 1e-13 (1 + |u|)), 1 = iteration limit, 2 = left the search box
    (alpha_lo < Re u < alpha_hi, |Im u| < delta_hi), 3 = zero or non-finite derivative.
    """
    n = starts.shape[0]
    roots = np.empty(n, dtype=np.complex128)
    iters = np.zeros(n, dtype=np.int64)
    status = np.ones(n, dtype=np.int64)
    for i in range(n):
        u = starts[i]
        for it in range(max_iter):
            f, df = _characteristic(u, kf, kb, ell, r1, r2)
            if df == 0.0 or not np.isfinite(df.real) or not np.isfinite(df.imag) \
                    or not np.isfinite(f.real) or not np.isfinite(f.imag):
                status[i] = 3
                break
            step = f / df
            # damp huge steps: they come from flat regions far from a root
            if abs(step) > 2.0:
                step = step * (2.0 / abs(step))
            u = u - step
            iters[i] = it + 1
            if not (alpha_lo < u.real < alpha_hi and abs(u.imag) < delta_hi):
                status[i] = 2
                break
            if abs(step) < 1e-13 * (1.0 + abs(u)):
                status[i] = 0
                break
        roots[i] = u
    return roots, iters, status


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CoupledModeMode(Result):
    """One lasing mode of a DFB grating from coupled-mode theory (normalised to the length L).

    Attributes
    ----------
    alpha_L : float
        Threshold **field** gain times length, ``alpha L`` (Kogelnik & Shank's alpha).  The modal
        power gain is twice this: see :attr:`power_gain_L`.
    delta_L : float
        Detuning from the Bragg condition, ``(beta - beta0) L``; ``delta > 0`` is a shorter
        wavelength (:func:`detuning_to_wavelength`).
    kappa_L : complex
        The coupling ``kappa L`` used (``i kappa_g L`` for gain coupling).
    kind : CouplingKind
        The coupling kind requested (``INDEX`` for the deprecated ``kind="quarter_wave"``).
    phase_shift : float
        Grating-phase jump (rad) used; 0 for a uniform grating, ``pi`` for a quarter-wave shift.
    shift_position : float
        Position of the phase jump as a fraction of L from the left end.
    facet_reflectivities : tuple of complex
        Envelope amplitude reflectivities ``(r1, r2)`` at the left and right ends.
    grating_order : int
        Bragg order of the grating (only used to state the limitations).
    surface_emission_neglected : bool
        True for ``grating_order >= 2`` unless a complex coupling was given: the radiation
        (surface-emission) loss is then NOT in ``alpha_L``.
    limitations : str
        What the 1D model leaves out.
    residual : float
        ``|D(u)|`` at the root, D being the characteristic function.
    iterations : int
        Newton iterations used for this root.
    """

    alpha_L: float
    delta_L: float
    kappa_L: complex
    kind: CouplingKind
    phase_shift: float
    shift_position: float
    facet_reflectivities: tuple
    grating_order: int
    surface_emission_neglected: bool
    limitations: str
    residual: float
    iterations: int

    @property
    def power_gain_L(self) -> float:
        """Threshold modal **power** gain times length, ``2 alpha L``."""
        return 2.0 * self.alpha_L

    @property
    def u(self) -> complex:
        """``(alpha - i delta) L``, the root of the characteristic function."""
        return complex(self.alpha_L, -self.delta_L)


@dataclass(frozen=True, slots=True)
class CoupledModeThreshold(Result):
    """A coupled-mode DFB threshold in device units (cm^-1, nm).

    Losses are modal **power** losses (cm^-1) with the names of every threshold result
    (docs/theory.md s.3.5): ``modal_gain = internal_loss + outcoupling_loss`` and
    ``outcoupling_loss = edge_loss + radiation_loss``.

    Attributes
    ----------
    wavelength : float
        Lasing wavelength (nm), ``lambda_B - delta lambda_B^2 / (2 pi n_g)`` (first order in delta).
    modal_gain : float
        Modal **power** gain needed at threshold (the total loss the gain pays):
        ``2 alpha + internal_loss + radiation_loss``.
    internal_loss : float
        The absorption/scattering loss given (user input).
    outcoupling_loss : float
        ``edge_loss + radiation_loss``: the light leaving the grating.
    edge_loss : float
        ``2 alpha`` (power): what leaves through the two ends, the distributed "mirror" loss of
        the 1D model (with a complex ``kappa L`` that stands for the radiation, it holds that too).
    radiation_loss : float
        The surface-emission loss given (user input).
    alpha : float
        ``alpha`` (field gain, cm^-1) = ``alpha_L / L``.
    delta : float
        Detuning ``delta`` (cm^-1).
    length : float
        Grating length (nm).
    mode : CoupledModeMode
        The normalised mode.
    limitations : str
        What the model leaves out (notably the surface emission of second-order gratings).
    """

    wavelength: float
    modal_gain: float
    internal_loss: float
    outcoupling_loss: float
    edge_loss: float
    radiation_loss: float
    alpha: float
    delta: float
    length: float
    mode: CoupledModeMode
    limitations: str


@dataclass(frozen=True, slots=True, eq=False)
class GratingResponse(Result):
    """Amplitude response of a passive (or uniformly amplifying) grating vs detuning.

    Attributes
    ----------
    delta_L : ndarray
        Normalised detunings (read-only).
    r, t : ndarray of complex
        Envelope reflection ``S(-L/2)/R(-L/2)`` and transmission ``R(L/2)/R(-L/2)`` for a wave
        incident from the left with ``S(L/2) = 0``.
    reflectance, transmittance : ndarray
        ``|r|^2`` and ``|t|^2``.
    """

    delta_L: np.ndarray
    r: np.ndarray
    t: np.ndarray
    reflectance: np.ndarray
    transmittance: np.ndarray


# --------------------------------------------------------------------------------------------
# public solvers
# --------------------------------------------------------------------------------------------
def _coupling(kappa_L, kind: CouplingKind) -> complex:
    if kind is CouplingKind.COMPLEX:
        if isinstance(kappa_L, bool) or not isinstance(kappa_L, numbers.Complex):
            raise TypeError(f"kappa_L must be a complex number for kind='complex', got {kappa_L!r}")
        k = complex(kappa_L)
        if not (math.isfinite(k.real) and math.isfinite(k.imag)) or k == 0:
            raise ValueError(f"kappa_L must be finite and non-zero, got {kappa_L!r}")
    else:
        if isinstance(kappa_L, complex) or (
            isinstance(kappa_L, np.generic) and np.iscomplexobj(kappa_L)
        ):
            raise TypeError(
                f"kappa_L must be real for kind={kind.value!r} (use kind='complex'), got {kappa_L!r}"
            )
        k = _positive(kappa_L, "kappa_L")
        k = 1j * k if kind is CouplingKind.GAIN else complex(k)
    if abs(k) > MAX_KAPPA_L:
        raise ValueError(
            f"|kappa_L| must be <= {MAX_KAPPA_L} (thresholds ~exp(-kappa L) are below double "
            f"precision beyond it), got {kappa_L!r}"
        )
    return k


def _facets(facet_reflectivities) -> tuple[complex, complex]:
    if facet_reflectivities is None:
        return 0j, 0j
    try:
        r1, r2 = facet_reflectivities
        r1, r2 = complex(r1), complex(r2)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "facet_reflectivities must be a pair (r1, r2) of complex amplitude reflectivities, "
            f"got {facet_reflectivities!r}"
        ) from exc
    for name, r in (("facet_reflectivities[0]", r1), ("facet_reflectivities[1]", r2)):
        if not (math.isfinite(r.real) and math.isfinite(r.imag)) or abs(r) > 1.0:
            raise ValueError(f"{name} must be finite with |r| <= 1, got {r!r}")
    if abs(r1) == 1.0 and abs(r2) == 1.0:
        raise ValueError(
            "facet_reflectivities must not both have |r| = 1 (a closed lossless cavity has no "
            f"threshold), got {facet_reflectivities!r}"
        )
    return r1, r2


def _sections(kappa: complex, phase_shift: float, shift_position: float):
    if phase_shift == 0.0:
        ell = np.array([1.0])
        phi = np.array([0.0])
    else:
        ell = np.array([shift_position, 1.0 - shift_position])
        phi = np.array([0.0, phase_shift])
    kf = kappa * np.exp(-1j * phi)
    kb = kappa * np.exp(1j * phi)
    return (np.ascontiguousarray(kf, dtype=np.complex128),
            np.ascontiguousarray(kb, dtype=np.complex128),
            np.ascontiguousarray(ell, dtype=np.float64))


def _limitations(order: int, kind: CouplingKind) -> tuple[bool, str]:
    if order < 2:
        return False, _LIMITATION_1D
    if kind is CouplingKind.COMPLEX:
        what = ("the complex kappa_L supplied is taken as the user's model of it.")
        return False, _LIMITATION_1D + _LIMITATION_SECOND_ORDER.format(order=order, what=what)
    what = ("it is NOT included in alpha_L: add it as radiation_loss in "
            "coupled_mode_device_threshold, or give a complex kappa_L (kind='complex').")
    return True, _LIMITATION_1D + _LIMITATION_SECOND_ORDER.format(order=order, what=what)


def _deprecated_kind(kind, phase_shift):
    """``kind="quarter_wave"`` (deprecated) as ``kind="index", phase_shift="quarter_wave"``."""
    if not (isinstance(kind, str) and _named_shift(kind) is _NamedShift.QUARTER_WAVE):
        return kind, phase_shift
    warnings.warn("kind='quarter_wave' is deprecated: a quarter-wave shift is a phase shift of an index grating; "
                  "use kind='index', phase_shift='quarter_wave' (or PhaseShift.quarter_wave())",
                  DeprecationWarning, stacklevel=4)
    if phase_shift is not None:
        given = PhaseShift.parse(phase_shift, "phase_shift", position=0.5)
        if given.phase != math.pi:
            raise ValueError(f"phase_shift must be None or pi with the deprecated kind='quarter_wave' (a phase "
                             f"shift pi), got {phase_shift!r}")
        return CouplingKind.INDEX, phase_shift
    return CouplingKind.INDEX, "quarter_wave"


def _shift(phase_shift, shift_position) -> tuple[float, float]:
    """(phase, position) of the one phase shift (none: phase 0); ``shift_position`` positions a bare
    phase or ``"quarter_wave"`` and must agree with the position a PhaseShift or a pair carries."""
    pos = None if shift_position is None else _fraction(shift_position, "shift_position")
    if phase_shift is None:
        return 0.0, (0.5 if pos is None else pos)
    shift = PhaseShift.parse(phase_shift, "phase_shift", position=0.5 if pos is None else pos)
    if pos is not None and shift.position != pos:
        raise ValueError(f"shift_position={shift_position!r} contradicts phase_shift={phase_shift!r} (at position "
                         f"{shift.position!r}): give the position once")
    return shift.phase, shift.position


def _resolve(kappa_L, kind, phase_shift, shift_position, facet_reflectivities):
    kind, phase_shift = _deprecated_kind(kind, phase_shift)
    kind = CouplingKind.parse(kind)
    kappa = _coupling(kappa_L, kind)
    phi, pos = _shift(phase_shift, shift_position)
    r1, r2 = _facets(facet_reflectivities)
    return kind, kappa, phi, pos, r1, r2


def coupled_mode_characteristic(u: complex, kappa_L: complex, kind: str | CouplingKind = "index", *,
                                phase_shift: PhaseShiftLike | None = None, shift_position: float | None = None,
                                facet_reflectivities: tuple | None = None) -> tuple[complex, complex]:
    """The characteristic function ``D(u)`` whose zeros are the DFB modes, and ``dD/du``.

    Parameters
    ----------
    u : complex
        ``(alpha - i delta) L`` (alpha a field gain).
    kappa_L, kind, phase_shift, shift_position, facet_reflectivities
        As :func:`coupled_mode_threshold`.

    Returns
    -------
    (complex, complex)
        ``D(u)`` and its derivative.

    Notes
    -----
    Each section of length ``l`` (units of L) transfers ``[R, S]`` by
    ``exp(A l) = cosh(G l) I + l sinh(G l)/(G l) A``, ``A = [[u, -i kappa e^{-i phi}],
    [i kappa e^{i phi}, -u]]``, ``G^2 = (kappa L)^2 + u^2`` [Kogelnik & Shank (1972), eqs. (2),
    (7)]; this is even in G, so no branch is chosen.  With ``M`` the product over sections,
    ``D = (M21 r1 + M22) - r2 (M11 r1 + M12)``.  For a uniform grating without facets
    ``D = cosh G - u sinh(G)/G = -F(u)/G`` with ``F(u) = u sinh G - G cosh G`` [KS eq. (8)];
    ``D`` has no spurious zero at ``G = 0``.
    """
    _kind, kappa, phi, pos, r1, r2 = _resolve(kappa_L, kind, phase_shift, shift_position,
                                              facet_reflectivities)
    kf, kb, ell = _sections(kappa, phi, pos)
    f, df = _characteristic(complex(u), kf, kb, ell, r1, r2)
    return complex(f), complex(df)


#: most modes :func:`coupled_mode_threshold` returns (its detuning window grows with the count)
MAX_MODES = 200


def coupled_mode_threshold(kappa_L: complex, kind: str | CouplingKind = "index", modes: int = 3, *,
                           phase_shift: PhaseShiftLike | None = None, shift_position: float | None = None,
                           facet_reflectivities: tuple | None = None,
                           grating_order: int = 1) -> tuple[CoupledModeMode, ...]:
    """Threshold field gain ``alpha L`` and detuning ``delta L`` of the lowest DFB modes.

    Parameters
    ----------
    kappa_L : float or complex
        Coupling times length.  Real and > 0 for ``kind`` ``"index"`` and ``"gain"`` (then it is
        ``kappa_g L``, the coupling being ``i kappa_g L``); any non-zero complex for ``"complex"``.
        ``|kappa_L| <= 30`` (:data:`MAX_KAPPA_L`).
    kind : {"index", "gain", "complex"} or CouplingKind, default "index"
        Coupling kind (:class:`CouplingKind`).  ``"quarter_wave"`` is a deprecated alias of
        ``kind="index", phase_shift="quarter_wave"`` (it warns).
    modes : int, default 3
        Number of lowest-threshold modes wanted.  Modes with equal thresholds (the +-delta pairs
        of a symmetric grating) are never split, so the tuple may hold one more.
    phase_shift : PhaseShift, float, "quarter_wave" or (position, phase), optional
        One jump of the grating phase ``phi`` (rad): ``kappa -> kappa e^{-+i phi}`` beyond it
        (:class:`PhaseShift`, read by :meth:`PhaseShift.parse`).  A float is the jump at
        ``shift_position``; ``"quarter_wave"`` (or ``"qws"``, ``PhaseShift.quarter_wave()``) is
        ``pi`` there, a Lambda/2 grating shift at order 1 (a pi/2 single-pass phase of the guided
        wave).  None (default): a uniform grating.
    shift_position : float, optional
        Position of the phase jump as a fraction of L from the left end, ``0 < x < 1``; default
        0.5 (the centre), or the position a PhaseShift or pair carries (a different one is refused).
    facet_reflectivities : (complex, complex), optional
        Envelope amplitude reflectivities ``(r1, r2)``, ``|r| <= 1`` (not both 1), at ``z = -L/2`` and
        ``L/2``: ``R(-L/2) = r1 S(-L/2)``, ``S(L/2) = r2 R(L/2)``.  Their phases include the grating
        phase at the facet.  None (default) is Kogelnik & Shank's facet-free grating.
    grating_order : int, default 1
        Bragg order of the grating.  It does not change the 1D solution; for ``>= 2`` the results
        state that the surface-emission loss is not included (docs/theory.md s.4.4).

    Returns
    -------
    tuple of CoupledModeMode
        Sorted by threshold ``alpha_L`` (then by ``delta_L``).  ``alpha_L`` is a **field**
        gain; the power gain is ``2 alpha_L`` (:attr:`CoupledModeMode.power_gain_L`).

    Raises
    ------
    ValueError
        Bad ``kappa_L``, ``kind``, ``modes``, ``phase_shift``, ``shift_position``,
        ``facet_reflectivities`` or ``grating_order`` (the message names it and its value).
    TypeError
        Non-numeric inputs, or a complex ``kappa_L`` with a real-coupling kind.
    RuntimeError
        If fewer than ``modes`` modes were found (not expected).

    Notes
    -----
    Solves ``D(u) = 0``, ``u = (alpha - i delta) L`` (:func:`coupled_mode_characteristic`); for
    the uniform facet-free grating this is Kogelnik & Shank's threshold condition
    [J. Appl. Phys. 43, 2327 (1972), eq. (8)], ``u sinh G = G cosh G``, ``G^2 = (kappa L)^2 +
    u^2``.  Complex Newton iterations (jitted) start from a grid covering ``|delta L| <=
    |kappa L| + (modes/2 + 3) pi``; roots are deduplicated.  Kept: ``alpha_L > 0`` for
    real (index) coupling; for gain or complex coupling ``alpha_L > -2 |Im kappa_L|`` (the mean
    gain may be negative when the gain modulation supplies the feedback, but not below minus
    the modulation amplitude, where the medium would be lossy everywhere).

    Anchors [KS, Figs. 5 and 9; docs/theory.md s.4.2]: index ``kappa L = 1`` -> ``alpha L = 1.7548``,
    ``|delta L| = 2.6663``; quarter-wave ``kappa L = 1`` -> ``1.5265`` at ``delta = 0``; gain
    ``kappa_g L = 1`` -> ``alpha L = 1`` at ``delta = 0`` exactly.

    Examples
    --------
    >>> m = coupled_mode_threshold(1.0, kind="index", modes=2)
    >>> round(m[0].alpha_L, 4), round(abs(m[0].delta_L), 4)
    (1.7548, 2.6663)
    >>> q = coupled_mode_threshold(1.0, modes=1, phase_shift="quarter_wave")[0]
    >>> round(q.alpha_L, 4), q.delta_L
    (1.5265, 0.0)
    """
    kind, kappa, phi, pos, r1, r2 = _resolve(kappa_L, kind, phase_shift, shift_position,
                                             facet_reflectivities)
    if isinstance(modes, bool) or not isinstance(modes, numbers.Integral):
        raise TypeError(f"modes must be an integer >= 1, got {modes!r}")
    if not 1 <= modes <= MAX_MODES:
        raise ValueError(f"modes must be an integer in [1, {MAX_MODES}] (coupled_mode.MAX_MODES: the root search "
                         f"grows with the square of it), got {modes!r}")
    modes = int(modes)
    order = _order(grating_order, "grating_order")
    kf, kb, ell = _sections(kappa, phi, pos)

    real_coupling = kind is CouplingKind.INDEX
    alpha_lo = 0.0 if real_coupling else -2.0 * abs(kappa.imag)
    # the threshold of a pure-index grating never exceeds ~ log of the mode number beyond the
    # facet-free values; 60 is far above any lowest mode and keeps Newton out of overflow.
    alpha_hi = 60.0
    neglected, limitations = _limitations(order, kind)

    half_width = abs(kappa) + (modes / 2.0 + 3.0) * math.pi
    for _attempt in range(4):
        n_delta = max(16, int(math.ceil(2.0 * half_width / (math.pi / 4.0))) + 1)
        deltas = np.linspace(-half_width, half_width, n_delta)
        alphas = np.array([0.01, 0.3, 1.0, 2.5, 5.0]) + max(alpha_lo, 0.0)
        if alpha_lo < 0.0:
            alphas = np.concatenate([alphas, alpha_lo * np.array([0.3, 0.7])])
        starts = (alphas[:, None] - 1j * deltas[None, :]).ravel()
        roots, iters, status = _newton_grid(
            np.ascontiguousarray(starts, dtype=np.complex128), kf, kb, ell, r1, r2,
            alpha_lo, alpha_hi, 3.0 * half_width, 100,
        )
        ok = (status == 0) & (roots.real > alpha_lo)
        found = _deduplicate(roots[ok], iters[ok])
        if len(found) >= modes:
            break
        half_width *= 2.0
    else:
        raise RuntimeError(
            f"coupled_mode_threshold found only {len(found)} of modes={modes} modes "
            f"for kappa_L={kappa_L!r}, kind={kind.value!r}"
        )

    found.sort(key=lambda ui: (round(ui[0].real, 9), -ui[0].imag))
    # keep ties (degenerate +-delta pairs) together
    cut = modes
    while cut < len(found) and abs(found[cut][0].real - found[modes - 1][0].real) <= 1e-8 * (
        1.0 + abs(found[modes - 1][0].real)
    ):
        cut += 1
    out = []
    for u, it in found[:cut]:
        f, _ = _characteristic(u, kf, kb, ell, r1, r2)
        out.append(
            CoupledModeMode(
                alpha_L=float(u.real),
                delta_L=float(-u.imag) + 0.0,  # no -0.0
                kappa_L=kappa,
                kind=kind,
                phase_shift=phi,
                shift_position=pos,
                facet_reflectivities=(r1, r2),
                grating_order=order,
                surface_emission_neglected=neglected,
                limitations=limitations,
                residual=float(abs(f)),
                iterations=int(it),
            )
        )
    return tuple(out)


def _deduplicate(roots: np.ndarray, iters: np.ndarray) -> list:
    found: list = []
    for u, it in zip(roots.tolist(), iters.tolist()):
        if abs(u.imag) < 1e-11 * (1.0 + abs(u.real)):
            u = complex(u.real, 0.0)
        for j, (v, _) in enumerate(found):
            if abs(u - v) <= 1e-7 * (1.0 + abs(v)):
                break
        else:
            found.append((u, it))
    return found


def coupled_mode_response(kappa_L: complex, delta_L: ArrayLike, kind: str | CouplingKind = "index", *,
                          alpha_L: float = 0.0, phase_shift: float | str | None = None,
                          shift_position: float = 0.5) -> GratingResponse:
    """Reflection and transmission of a grating, facet-free, vs normalised detuning.

    Parameters
    ----------
    kappa_L, kind, phase_shift, shift_position
        As :func:`coupled_mode_threshold`.
    delta_L : float or array
        Detunings ``delta L``.
    alpha_L : float, default 0
        Uniform field gain times length (negative for loss); 0 is a passive grating.

    Returns
    -------
    GratingResponse

    Notes
    -----
    With ``M`` the section-matrix product (:func:`coupled_mode_characteristic`) and
    ``S(L/2) = 0``: ``r = -M21/M22`` and ``t = 1/M22`` (``det M = 1``).  Poles of both are
    the lasing modes, ``M22 = 0`` (exactly at one they are infinite).
    A passive uniform index grating has ``|r|^2 = tanh^2(kappa L)``
    at ``delta = 0`` and a stopband ``|delta| < kappa`` [Kogelnik & Shank (1972), section 3].
    """
    _kind, kappa, phi, pos, _r1, _r2 = _resolve(kappa_L, kind, phase_shift, shift_position, None)
    a = _real(alpha_L, "alpha_L")
    if abs(a) > MAX_ALPHA_L:
        raise ValueError(f"|alpha_L| must be <= {MAX_ALPHA_L:g} (the section matrices grow like exp(alpha L) and "
                         f"overflow beyond it), got {alpha_L!r}")
    d = _float_array(delta_L, "delta_L")
    if np.any(np.abs(d) > MAX_DELTA_L):
        raise ValueError(f"|delta_L| must be <= {MAX_DELTA_L:g} (the phase delta L loses its precision beyond it "
                         f"and r, t become NaN), got {float(np.max(np.abs(d)))!r}")
    kf, kb, ell = _sections(kappa, phi, pos)
    flat = np.atleast_1d(d).ravel()
    r: np.ndarray = np.empty(flat.shape, dtype=np.complex128)
    t: np.ndarray = np.empty(flat.shape, dtype=np.complex128)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf exactly at a pole
        for i, dl in enumerate(flat):
            m = _transfer(complex(a, -dl), kf, kb, ell)
            r[i] = -m[1, 0] / m[1, 1]
            t[i] = 1.0 / m[1, 1]
    delta = flat.copy().reshape(d.shape)
    r = r.reshape(d.shape)
    t = t.reshape(d.shape)
    refl = np.abs(r) ** 2
    trans = np.abs(t) ** 2
    for arr in (delta, r, t, refl, trans):
        arr.setflags(write=False)
    return GratingResponse(delta_L=delta, r=r, t=t, reflectance=refl, transmittance=trans)


def _transfer(u, kf, kb, ell) -> np.ndarray:
    m = np.eye(2, dtype=np.complex128)
    for k in range(ell.shape[0]):
        e11, e12, e21, e22, *_ = _section(u, kf[k], kb[k], ell[k])
        m = np.array([[e11, e12], [e21, e22]]) @ m
    return m


def detuning_to_wavelength(delta: ArrayLike, bragg_wavelength: float,
                           group_index: float) -> np.ndarray | float:
    """Wavelength (nm) of a detuning ``delta = beta - beta0`` (cm^-1), to first order in delta.

    Notes
    -----
    ``d beta / d lambda = -2 pi n_g / lambda^2``, so

    .. math:: \\lambda \\approx \\lambda_B - \\frac{\\delta\\,\\lambda_B^2}{2\\pi n_g}

    (docs/theory.md s.4.2): a positive detuning is a *shorter* wavelength.  ``delta / beta0`` is
    ~1e-3 for realistic gratings, so the quadratic term is ~1e-6 relative.  Without dispersion use
    ``group_index = n_eff``.
    """
    d = _float_array(delta, "delta")
    lam = _positive(bragg_wavelength, "bragg_wavelength", "nm")
    ng = _positive(group_index, "group_index")
    lam_cm = lam * NM_TO_CM
    with np.errstate(over="ignore", invalid="ignore"):
        out = lam - d * lam_cm * lam_cm / (2.0 * math.pi * ng) / NM_TO_CM
    if not np.all(np.isfinite(out)):
        raise ValueError(f"detuning_to_wavelength overflows for delta={delta!r}, "
                         f"bragg_wavelength={bragg_wavelength!r}, group_index={group_index!r}: "
                         "delta lambda_B^2 / (2 pi n_g) is not a finite wavelength")
    return _scalar_or_array(out)


def coupled_mode_device_threshold(mode: CoupledModeMode, *, length: float, bragg_wavelength: float,
                                  group_index: float, internal_loss: float = 0.0,
                                  radiation_loss: float = 0.0) -> CoupledModeThreshold:
    """Convert a normalised :class:`CoupledModeMode` to a modal power gain and a wavelength.

    Parameters
    ----------
    mode : CoupledModeMode
        From :func:`coupled_mode_threshold`.
    length : float
        Grating length L (nm; 100 um = 1e5 nm).
    bragg_wavelength : float
        Vacuum Bragg wavelength ``lambda_B = 2 n_eff Lambda / m`` (nm).
    group_index : float
        Group index ``n_g`` of the guided mode (``n_eff`` if dispersion is neglected).
    internal_loss : float, default 0
        Modal internal (absorption/scattering) **power** loss (cm^-1), >= 0.
    radiation_loss : float, default 0
        User-given **power** radiation loss (cm^-1), >= 0, for a grating of order >= 2 whose
        surface emission the 1D model cannot compute (docs/theory.md s.4.4).  Mode-independent here.

    Returns
    -------
    CoupledModeThreshold
        ``modal_gain = 2 alpha_L / L + internal_loss + radiation_loss`` (cm^-1)
        (power) and ``wavelength`` (:func:`detuning_to_wavelength`).

    Notes
    -----
    In Kogelnik & Shank [J. Appl. Phys. 43, 2327 (1972), section 2] ``alpha`` is the net
    **field** gain; a modal power gain ``g`` and power losses give ``alpha = (g - a_i -
    a_rad)/2``, hence the factor 2.
    """
    if not isinstance(mode, CoupledModeMode):
        raise TypeError(f"mode must be a CoupledModeMode, got {type(mode).__name__}")
    length_nm = _positive(length, "length", "nm")
    a_int = _nonnegative(internal_loss, "internal_loss", "cm^-1")
    a_rad = _nonnegative(radiation_loss, "radiation_loss", "cm^-1")
    length_cm = length_nm * NM_TO_CM
    alpha = mode.alpha_L / length_cm
    delta = mode.delta_L / length_cm
    if not (math.isfinite(alpha) and math.isfinite(delta)):
        raise ValueError(f"length={length!r} is too short: alpha L / L and delta L / L overflow")
    wavelength = detuning_to_wavelength(delta, bragg_wavelength, group_index)
    limitations = mode.limitations
    if mode.surface_emission_neglected:
        if a_rad > 0.0:
            limitations += (f" A user-given, mode-independent radiation loss of {a_rad:g} cm^-1 "
                            "is included in modal_gain.")
        else:
            limitations += " No radiation loss was given: modal_gain underestimates it."
    return CoupledModeThreshold(
        wavelength=float(wavelength),
        modal_gain=2.0 * alpha + a_int + a_rad,
        internal_loss=a_int,
        outcoupling_loss=2.0 * alpha + a_rad,
        edge_loss=2.0 * alpha,
        radiation_loss=a_rad,
        alpha=alpha,
        delta=delta,
        length=length_nm,
        mode=mode,
        limitations=limitations,
    )

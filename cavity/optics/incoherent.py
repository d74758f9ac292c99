"""A thick, incoherent substrate under a coherent stack (intensity-matrix method).

Structure: ``incident | coherent layers | thick substrate (thickness D) | exit medium``.  Light in
the thick layer adds in intensity (its thickness exceeds the coherence length), the layers on
either side are coherent.

Angles.  The in-plane index ``kx = n_src sin(theta)`` is set by the (lossless) medium the light
comes from and is conserved, wavelength by wavelength, in every medium.  The normal index in
medium m is ``q_m = n_m cos(theta_m) = sqrt(n_m^2 - kx^2)`` (so the complex propagation angle is
``theta_m = arcsin(kx / n_m)``), on the forward branch: ``Im q > 0`` (decaying) in lossy media and
beyond the critical angle, ``Re q > 0`` (outgoing power) for propagating waves in lossless media.
This is ``tmm``'s ``is_forward_angle`` (Byrnes, arXiv:1603.02720, App. D) and the branch of
:mod:`cavity.optics._tmm_kernels`.

Intensities.  With the coherent front part ``1`` (between the incident medium and the substrate)
and the back interface ``2`` (substrate | exit), the single-pass intensity transmission of the
substrate ``a = exp(-4 pi Im(q_sub) D / lambda)`` and the reflectances/transmittances ``R, T`` of
each part seen from either side (``f``: lit from the incident side, ``b``: from the exit side),
illumination from the front gives (geometric series of the round trips in the substrate; Byrnes,
arXiv:1603.02720, s.4; Katsidis & Siapkas, Appl. Opt. 41, 3978 (2002))

    R = R1f + T1f T1b R2f a^2 / (1 - R1b R2f a^2),     T = T1f T2f a / (1 - R1b R2f a^2),

and the power absorbed in each coherent layer is its absorbed fraction for front illumination
plus that for illumination from the substrate side times the intensity returning to the stack.
Illumination from the back (exit medium) follows by the same formulas with the roles swapped.

Transmittances are ratios of normal power flows, ``Re(q)`` (s) and ``Re(q / n^2)`` (p) times the
squared amplitude, as in ``tmm``'s ``T_from_t``; in an absorbing substrate the cross terms of the
forward and backward waves are left out of the intensity bookkeeping (as in ``tmm.inc_tmm``).
Total internal reflection needs no special case: a medium in which the wave is evanescent
carries no normal power (``Re q = 0``), so the transmittance into it is exactly 0, and the
fractions of a part lit from such a medium (never needed: no power arrives from there) are 0.
An evanescent or strongly absorbing thick substrate has ``a -> 0``: nothing gets through,
``T = 0``.  A lossless substrate beyond the critical angle is opaque here whatever its
thickness (tunnelling through it is a coherent effect, outside the incoherent model).
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from materials import Material

from . import _tmm_kernels as K
from .._validation import require_scalar_finite, require_wavelength
from ..layers import AIR, Stack
from .._validation import require_scalar_angle
from .spectra import Polarization
from ..results import Result, _frozen

__all__ = ["Side", "IncoherentSpectrum", "incoherent_spectrum"]


class Side(str, enum.Enum):
    """Which side the light comes from: the coherent stack's incident medium or the exit medium."""

    FRONT = "front"
    BACK = "back"


@dataclass(frozen=True, eq=False)
class IncoherentSpectrum(Result):
    """Power fractions of ``incident | layers | thick substrate | exit``.

    Attributes
    ----------
    wavelength : ndarray (W,)
    R, T : ndarray (W,)          reflected back to / transmitted out of the far side
    absorbed : ndarray (L, W)    absorbed in each coherent layer
    substrate_absorbed : ndarray (W,)
    side : str
    """

    wavelength: np.ndarray
    R: np.ndarray
    T: np.ndarray
    absorbed: np.ndarray
    substrate_absorbed: np.ndarray
    side: str

    def __post_init__(self):
        for name in ("wavelength", "R", "T", "absorbed", "substrate_absorbed"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))


def _fractions(n, d, wl, kx, pol_code):
    out = np.empty(n.shape, dtype=np.float64)
    K.absorption_range(np.ascontiguousarray(n), np.ascontiguousarray(d), wl, np.ascontiguousarray(kx, dtype=np.float64),
                       pol_code, True, out)
    return out


def _forward_q(n, kx):
    """``q = sqrt(n^2 - kx^2)`` on the forward branch ``Re q + Im q > 0`` (ties: ``Re q >= 0``)."""
    q = np.sqrt(n * n - kx * kx)
    s = q.real + q.imag
    return np.where((s < 0) | ((s == 0) & (q.real < 0)), -q, q)


def _combine(n, d, wl, kx, a, code, side):
    """R, T and absorbed fractions for one polarization (the formulas of the module docstring)."""
    back = _fractions(n[-2::-1], d[-2::-1], wl, kx, code)   # substrate -> layers -> incident
    R1b, T1b, A1b = back[0], back[-1], back[-2:0:-1]
    iface = n[-2:]                                           # [substrate, exit]
    zeros = np.zeros(2)
    s2f = _fractions(iface, zeros, wl, kx, code)
    R2f, T2f = s2f[0], s2f[-1]
    den = 1.0 - R1b * R2f * a * a
    if side is Side.FRONT:
        front = _fractions(n[:-1], d[:-1], wl, kx, code)   # incident -> layers -> substrate
        R1f, T1f, A1f = front[0], front[-1], front[1:-1]
        inside = T1f / den                      # forward intensity entering the substrate (all passes)
        R = R1f + inside * a * a * R2f * T1b
        T = inside * a * T2f
        back_to_stack = inside * a * a * R2f    # intensity returning to the coherent stack
        absorbed = A1f + back_to_stack * A1b
    else:
        s2b = _fractions(iface[::-1], zeros, wl, kx, code)
        R2b, T2b = s2b[0], s2b[-1]
        inside = T2b / den                      # intensity entering the substrate from the back
        R = R2b + inside * a * a * R1b * T2f
        T = inside * a * T1b
        absorbed = inside * a * A1b
    return R, T, absorbed


def incoherent_spectrum(stack: Stack, wavelength: ArrayLike, substrate_thickness: float, exit_medium: Material = AIR,
                        angle: float = 0.0, polarization: str | Polarization = "s",
                        side: str | Side = Side.FRONT) -> IncoherentSpectrum:
    """R, T and absorption of a coherent stack on a thick incoherent substrate.

    Parameters
    ----------
    stack : Stack
        The coherent layers; ``stack.substrate`` is the thick layer's material.
    wavelength : float or array (W,)
        Vacuum wavelengths (nm).
    substrate_thickness : float
        Thickness of the substrate (nm), e.g. 1e6 for 1 mm.
    exit_medium : Material
        The semi-infinite medium behind the substrate.
    angle : float
        Angle of incidence (degrees, [0, 90)) in the medium the light comes from, which must be
        lossless at oblique incidence.  The in-plane index ``kx = n_src(lambda) sin(angle)`` fixes
        the (complex) propagation angle in every other medium at every wavelength.  The substrate
        and the far outer medium may absorb, and may be beyond the critical angle (total
        internal reflection: ``T = 0``).
    polarization : "s", "p" or "unpolarized"
        ``"unpolarized"`` averages the s and p results (each combined incoherently first).
    side : Side or "front"/"back"
        ``front``: light from ``stack.incident`` through the coherent layers first;
        ``back``: from ``exit_medium`` through the substrate first.

    Returns
    -------
    IncoherentSpectrum
        ``R``, ``T``, the fraction absorbed in each coherent layer and in the substrate
        (``1 - R - T - sum(absorbed)``).

    Raises
    ------
    ValueError
        For a negative thickness, an unknown side, or an absorbing source medium at oblique
        incidence.

    Notes
    -----
    ``q_m = sqrt(n_m^2 - kx^2)`` on the forward branch, ``a = exp(-4 pi Im(q_sub) D / lambda)`` and
    the incoherent sums of the module docstring (Byrnes, arXiv:1603.02720, s.4 and App. D;
    Katsidis & Siapkas, Appl. Opt. 41, 3978 (2002)); they agree with ``tmm.inc_tmm``.
    """
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
    try:
        side = Side(side)
    except ValueError:
        raise ValueError(f"side must be 'front' or 'back', got {side!r}") from None
    pol = Polarization.parse(polarization)
    wl = require_wavelength(np.atleast_1d(wavelength))
    if wl.ndim > 1:
        raise ValueError(f"wavelength must be a scalar or a 1-D array (nm), got shape {wl.shape}")
    D = require_scalar_finite(substrate_thickness, "substrate_thickness")
    if D < 0:
        raise ValueError(f"substrate_thickness must be >= 0 nm, got {substrate_thickness!r}")
    if not isinstance(exit_medium, Material):
        raise TypeError(f"exit_medium must be a materials.Material, got {exit_medium!r}")
    ang = require_scalar_angle(angle)
    # media: incident, layers..., substrate, exit
    n = np.vstack([stack.indices(wl), exit_medium.n(wl)[None, :]]).astype(np.complex128)
    d = np.concatenate([stack.padded_thicknesses(), [0.0]])
    src_name, n_src = (("incident medium", n[0]) if side is Side.FRONT else ("exit medium", n[-1]))
    if ang > 0 and np.any(n_src.imag != 0):
        raise ValueError(f"oblique incidence needs a lossless {src_name} (the side the light comes from); "
                         f"got k = {float(n_src.imag[n_src.imag != 0][0])!r} at angle = {angle!r} degrees")
    kx = np.ascontiguousarray(n_src.real * math.sin(math.radians(ang)))
    q_sub = _forward_q(n[-2], kx)
    a = np.exp(-4.0 * np.pi * q_sub.imag * D / wl)      # single-pass intensity transmission
    codes = (0, 1) if pol is Polarization.UNPOLARIZED else (pol.code,)
    R, T, absorbed = np.zeros(wl.size), np.zeros(wl.size), np.zeros((n.shape[0] - 3, wl.size))
    for code in codes:
        Rc, Tc, Ac = _combine(n, d, wl, kx, a, code, side)
        R, T, absorbed = R + Rc / len(codes), T + Tc / len(codes), absorbed + Ac / len(codes)
    bad = ~(np.isfinite(R) & np.isfinite(T) & np.all(np.isfinite(absorbed), axis=0))
    if np.any(bad):
        raise FloatingPointError(f"non-finite incoherent spectrum at wavelength = {float(wl[bad][0])!r} nm")
    # the substrate takes the rest (in a lossy substrate the power split at its faces has
    # interference cross terms; energy conservation sidesteps them)
    sub_abs = 1.0 - R - T - absorbed.sum(axis=0)
    return IncoherentSpectrum(wl, R, T, absorbed, sub_abs, side.value)

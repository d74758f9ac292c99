"""A thick, incoherent substrate under a coherent stack (intensity-matrix method).

Structure: ``incident | coherent layers | thick substrate (thickness D) | exit medium``.  Light in
the thick layer adds in intensity (its thickness exceeds the coherence length), the layers on
either side are coherent.  With the coherent front part ``1`` (between the incident medium and
the substrate) and the back interface ``2`` (substrate | exit), single-pass intensity
transmission ``a = exp(-4 pi Im(q_t) D / lambda)`` and reflectances/transmittances ``R, T``
of each part seen from either side, illumination from the front gives (geometric series of the
round trips in the substrate; Byrnes, arXiv:1603.02720, s.4; Katsidis & Siapkas, Appl. Opt. 41,
3978 (2002))

    R = R1f + T1f T1b R2f a^2 / (1 - R1b R2f a^2),     T = T1f T2f a / (1 - R1b R2f a^2),

and the power absorbed in each coherent layer is its absorbed fraction for front illumination
plus that for illumination from the substrate side times the intensity returning to the stack.
Illumination from the back (exit medium) follows by the same formulas with the roles swapped.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from materials import Material

from ._validation import require_scalar_finite, require_wavelength
from .layers import AIR, Layer, Stack
from .optics import Polarization, _scalar_angle, absorption_by_layer
from .results import _frozen

__all__ = ["Side", "IncoherentSpectrum", "incoherent_spectrum"]


class Side(str, enum.Enum):
    """Which side the light comes from: the coherent stack's incident medium or the exit medium."""

    FRONT = "front"
    BACK = "back"


@dataclass(frozen=True, eq=False)
class IncoherentSpectrum:
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


def _angle_in(n_from: float, theta_deg: float, n_to: complex) -> float:
    """Snell: the real propagation angle (degrees) in a lossless medium."""
    s = n_from * math.sin(math.radians(theta_deg)) / n_to.real
    if s >= 1.0:
        raise ValueError("no propagating wave in the thick substrate at this angle (total internal reflection)")
    return math.degrees(math.asin(s))


def _parts(stack: Stack, wl, angle_in_substrate, pol):
    """R, T and absorbed fractions of the coherent part seen from the incident side (f) and the
    substrate side (b)."""
    front = absorption_by_layer(stack, wl, _angle_from(stack.substrate, angle_in_substrate, stack.incident, wl),
                                pol)
    back = absorption_by_layer(stack.reversed(), wl, angle_in_substrate, pol)
    return front, back


def _angle_from(sub: Material, angle_sub: float, other: Material, wl) -> float:
    if angle_sub == 0:
        return 0.0
    n_sub = float(np.real(sub.n(wl[0])))
    n_other = float(np.real(other.n(wl[0])))
    s = n_sub * math.sin(math.radians(angle_sub)) / n_other
    return math.degrees(math.asin(s))


def incoherent_spectrum(stack: Stack, wavelength, substrate_thickness: float, exit_medium: Material = AIR,
                        angle: float = 0.0, polarization="s", side=Side.FRONT) -> IncoherentSpectrum:
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
        Angle of incidence (degrees) in the medium the light comes from.  Oblique incidence
        needs lossless outer media and substrate.
    polarization : "s", "p" or "unpolarized"
    side : Side or "front"/"back"
        ``front``: light from ``stack.incident`` through the coherent layers first;
        ``back``: from ``exit_medium`` through the substrate first.
    """
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
    ang = _scalar_angle(angle)
    n_sub = stack.substrate.n(wl)
    if ang > 0 and (np.any(n_sub.imag != 0) or np.any(exit_medium.n(wl).imag != 0)
                    or np.any(stack.incident.n(wl).imag != 0)):
        raise ValueError("oblique incidence on a thick substrate needs lossless outer media and substrate")
    n_src = stack.incident if side is Side.FRONT else exit_medium
    n_src0 = float(np.real(n_src.n(wl[0])))
    theta_sub = _angle_in(n_src0, ang, complex(n_sub[0])) if ang > 0 else 0.0
    # single-pass intensity transmission of the substrate
    kx = n_src0 * math.sin(math.radians(ang))
    q_t = np.sqrt(n_sub * n_sub - kx * kx)
    a = np.exp(-4.0 * np.pi * np.abs(q_t.imag) * D / wl)
    front_part, back_part = _parts(stack, wl, theta_sub, pol)
    R1f, T1f, A1f = front_part.R, front_part.T, front_part.absorbed
    R1b, T1b, A1b = back_part.R, back_part.T, back_part.absorbed[::-1]
    iface = Stack((Layer(stack.substrate, 0.0),), incident=stack.substrate, substrate=exit_medium)
    s2 = absorption_by_layer(iface, wl, theta_sub, pol)
    s2b = absorption_by_layer(iface.reversed(), wl, _angle_from(stack.substrate, theta_sub, exit_medium, wl), pol)
    R2f, T2f, R2b, T2b = s2.R, s2.T, s2b.R, s2b.T
    if side is Side.FRONT:
        den = 1.0 - R1b * R2f * a * a
        inside = T1f / den                      # forward intensity entering the substrate (all passes)
        R = R1f + inside * a * a * R2f * T1b
        T = inside * a * T2f
        back_to_stack = inside * a * a * R2f    # intensity returning to the coherent stack
        absorbed = A1f + back_to_stack * A1b
    else:
        den = 1.0 - R1b * R2f * a * a
        inside = T2b / den                      # intensity entering the substrate from the back
        R = R2b + inside * a * a * R1b * T2f
        T = inside * a * T1b
        absorbed = inside * a * A1b
    # the substrate takes the rest (in a lossy substrate the power split at its faces has
    # interference cross terms; energy conservation sidesteps them)
    sub_abs = 1.0 - R - T - absorbed.sum(axis=0)
    return IncoherentSpectrum(wl, R, T, absorbed, sub_abs, side.value)

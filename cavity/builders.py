"""Named constructors of common stacks.  Thicknesses in nm (:mod:`cavity.conventions`)."""
from __future__ import annotations

import math

import numpy as np

from materials import Material

from ._validation import require_scalar_finite
from .layers import AIR, Layer, Stack

__all__ = ["quarter_wave_thickness", "dbr"]


def quarter_wave_thickness(material: Material, center_wavelength: float, angle: float = 0.0, incident_index: float = 1.0) -> float:
    """Thickness (nm) of a quarter-wave layer: ``d = lambda0 / (4 Re q)``, ``q = sqrt(n^2 - kx^2)``.

    At normal incidence ``d = lambda0 / (4 n)``.
    """
    lam = require_scalar_finite(center_wavelength, "center_wavelength")
    if lam <= 0:
        raise ValueError(f"center_wavelength must be > 0 nm, got {center_wavelength!r}")
    n = complex(material.n(lam))
    kx = incident_index * math.sin(math.radians(angle))
    q = np.sqrt(n * n - kx * kx)
    return lam / (4.0 * q.real)


def dbr(high: Material, low: Material, pairs: int, center_wavelength: float, end_with_high: bool = False,
        *, incident: Material = AIR, substrate: Material = AIR) -> Stack:
    """A quarter-wave distributed Bragg reflector ``(H L)^pairs [H]``.

    Parameters
    ----------
    high, low : Material
        The two materials (listed in the order light meets them).
    pairs : int
        Number of (high, low) pairs, >= 1.
    center_wavelength : float
        Bragg wavelength lambda0 (nm); each layer is lambda0 / (4 n(lambda0)) thick.
    end_with_high : bool
        Append one more ``high`` layer: ``(H L)^N H``.

    Returns
    -------
    Stack
        The layers between ``incident`` and ``substrate`` (both air by default; combine stacks
        with ``+`` and place them with :meth:`Stack.between`).

    Notes
    -----
    Peak reflectance (physics.md s.3.4): for ``n0 | (HL)^N | ns`` the admittance is
    ``Y = (n_H/n_L)^(2N) ns`` and ``R = ((n0 - Y)/(n0 + Y))^2``.
    """
    if not isinstance(pairs, (int, np.integer)) or isinstance(pairs, bool) or pairs < 1:
        raise ValueError(f"pairs must be a positive integer, got {pairs!r}")
    h = Layer(high, quarter_wave_thickness(high, center_wavelength), name=f"{high.name} (H)")
    lo = Layer(low, quarter_wave_thickness(low, center_wavelength), name=f"{low.name} (L)")
    layers = [h, lo] * int(pairs)
    if end_with_high:
        layers.append(h)
    return Stack(tuple(layers), incident=incident, substrate=substrate)

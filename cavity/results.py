"""Small frozen result objects of the optics layer.  Units: :mod:`cavity.conventions`."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Spectrum", "FieldProfile", "LayerAbsorption", "ModeSequence"]


def _frozen(a):
    if a is None:
        return None
    a = np.asarray(a)
    a.setflags(write=False)
    return a


class ModeSequence:
    """Sequence behaviour for results holding a ``modes`` tuple (``len``, iteration, indexing)."""

    modes: tuple

    def __len__(self):
        return len(self.modes)

    def __iter__(self):
        return iter(self.modes)

    def __getitem__(self, i):
        return self.modes[i]


@dataclass(frozen=True, eq=False)
class Spectrum:
    """Reflection and transmission of a stack.

    Attributes
    ----------
    wavelength : ndarray (W,)      vacuum wavelength (nm)
    angle : ndarray or float       angle of incidence in the incident medium (degrees)
    polarization : str             "s", "p" or "unpolarized"
    R, T, A : ndarray              reflectance, transmittance, absorptance (A = 1 - R - T);
                                   shape (W,), or (n_angles, W) when ``angle`` was an array
    r, t : ndarray or None         E-field amplitude coefficients (``tmm`` conventions); None for
                                   unpolarized light
    """

    wavelength: np.ndarray
    angle: np.ndarray | float
    polarization: str
    R: np.ndarray
    T: np.ndarray
    A: np.ndarray
    r: np.ndarray | None
    t: np.ndarray | None

    def __post_init__(self):
        for name in ("wavelength", "R", "T", "A", "r", "t"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))


@dataclass(frozen=True, eq=False)
class FieldProfile:
    """The standing-wave field through a stack at one wavelength.

    Attributes
    ----------
    z : ndarray (Z,)              position (nm); 0 is the first interface, the substrate starts at
                                  ``boundaries[-1]``
    E2 : ndarray (Z,)             |E(z)|^2 normalised to the incident plane wave's |E|^2
    n : ndarray (Z,)              complex index at z
    power_flow : ndarray (Z,)     normal Poynting flux normalised to the incident flux
                                  (1 - R in front of the stack, T in the substrate)
    absorbed_density : ndarray (Z,)  absorbed (negative: generated) power per nm, normalised to
                                  the incident flux: ``-d(power_flow)/dz``
    boundaries : ndarray (L+1,)   interface positions (nm)
    layer_index : ndarray (Z,)    medium index of each z (0 incident, L+1 substrate)
    wavelength, angle, polarization
    """

    z: np.ndarray
    E2: np.ndarray
    n: np.ndarray
    power_flow: np.ndarray
    absorbed_density: np.ndarray
    boundaries: np.ndarray
    layer_index: np.ndarray
    wavelength: float
    angle: float
    polarization: str

    def __post_init__(self):
        for name in ("z", "E2", "n", "power_flow", "absorbed_density", "boundaries", "layer_index"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))


@dataclass(frozen=True, eq=False)
class LayerAbsorption:
    """Where the incident power goes.

    Attributes
    ----------
    wavelength : ndarray (W,)
    layer_names : tuple of str
    absorbed : ndarray (L, W)     fraction of the incident power absorbed in each layer (negative
                                  in a gain layer that amplifies)
    R, T : ndarray (W,)
    """

    wavelength: np.ndarray
    layer_names: tuple
    absorbed: np.ndarray
    R: np.ndarray
    T: np.ndarray

    def __post_init__(self):
        for name in ("wavelength", "absorbed", "R", "T"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

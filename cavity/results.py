"""Small frozen result objects of the optics layer.  Units: :mod:`cavity.conventions`."""
from __future__ import annotations

import enum
import math
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
from materials import Material

if TYPE_CHECKING:  # annotation only: the optics layer imports this module
    from .optics.spectra import Polarization

__all__ = ["Result", "to_jsonable", "Spectrum", "FieldProfile", "LayerAbsorption", "ModeSequence"]

#: plain JSON data: what :func:`to_jsonable` returns
JSONValue: TypeAlias = "None | bool | int | float | str | list[JSONValue] | dict[str, JSONValue]"


def _number(x: Any) -> bool | int | float | str | list[Any]:
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (complex, np.complexfloating)):
        return [_number(float(x.real)), _number(float(x.imag))]
    x = float(x)
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


def to_jsonable(value: object) -> JSONValue:
    """Plain JSON data for a result value (``json.dumps(..., allow_nan=False)`` accepts it).

    Rules (one for every result): complex numbers ``[re, im]``; arrays nested lists of those;
    non-finite floats the strings ``"inf"``, ``"-inf"``, ``"nan"``; enums their value; tuples
    lists; dataclasses (results, layers, stacks, settings) dicts of their public fields; materials
    ``{"material": name, "reference": ...}``; anything else its ``repr``.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_, int, np.integer, float, np.floating, complex, np.complexfloating)):
        return _number(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biufc":
            return [to_jsonable(v) for v in value] if value.ndim > 1 else [_number(v) for v in value]
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, Material):
        return {"material": str(value.name), "reference": str(value.reference)}
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return value.to_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value) if not f.name.startswith("_")}
    return repr(value)


class Result:
    """Mixin of every result object: :meth:`to_dict` (JSON-serialisable, see :func:`to_jsonable`)."""

    def to_dict(self) -> dict[str, JSONValue]:
        """The result's public fields as plain JSON data (complex as ``[re, im]``, arrays as lists,
        non-finite floats as ``"inf"``/``"nan"``, enums by value): ``json.dumps(r.to_dict())`` works."""
        return {f.name: to_jsonable(getattr(self, f.name))
                for f in fields(self) if not f.name.startswith("_")}  # type: ignore[arg-type]  # dataclass subclasses


def _frozen(a):
    """A read-only view of ``a`` (the caller's array keeps its own flags)."""
    if a is None:
        return None
    v = np.asarray(a).view()
    v.setflags(write=False)
    return v


class ModeSequence(Result):
    """Sequence behaviour for results holding a ``modes`` tuple (``len``, iteration, indexing)."""

    modes: tuple

    def __len__(self) -> int:
        return len(self.modes)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.modes)

    def __getitem__(self, i: int | slice) -> Any:
        return self.modes[i]

    @property
    def lowest(self) -> Any:
        """The first mode (lowest threshold, or the fundamental guided mode); a ValueError when
        the result holds none (the same for every mode sequence)."""
        if not self.modes:
            raise ValueError(f"no mode in the window ({type(self).__name__} is empty)")
        return self.modes[0]


@dataclass(frozen=True, eq=False)
class Spectrum(Result):
    """Reflection and transmission of a stack.

    Attributes
    ----------
    wavelength : ndarray (W,)      vacuum wavelength (nm)
    angle : ndarray or float       angle of incidence in the incident medium (degrees)
    polarization : Polarization    S, P or UNPOLARIZED (``"s"``, ``"p"``, ``"unpolarized"`` in
                                   ``to_dict()``)
    R, T, A : ndarray              reflectance, transmittance, absorptance (A = 1 - R - T);
                                   shape (W,), or (n_angles, W) when ``angle`` was an array
    r, t : ndarray or None         E-field amplitude coefficients (``tmm`` conventions); None for
                                   unpolarized light
    """

    wavelength: np.ndarray
    angle: np.ndarray | float
    polarization: Polarization
    R: np.ndarray
    T: np.ndarray
    A: np.ndarray
    r: np.ndarray | None
    t: np.ndarray | None

    def __post_init__(self):
        for name in ("wavelength", "R", "T", "A", "r", "t"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))


@dataclass(frozen=True, eq=False)
class FieldProfile(Result):
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
    wavelength, angle             nm, degrees
    polarization : Polarization   S or P
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
    polarization: Polarization

    def __post_init__(self):
        for name in ("z", "E2", "n", "power_flow", "absorbed_density", "boundaries", "layer_index"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))


@dataclass(frozen=True, eq=False)
class LayerAbsorption(Result):
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

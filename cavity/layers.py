"""Layers and stacks: immutable descriptions of a planar multilayer.

A :class:`Stack` is a sequence of :class:`Layer` objects (listed from the incident medium towards
the substrate) between two semi-infinite media.  Units and signs: :mod:`cavity.conventions`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from materials import Constant, Material
from materials.base import grid_key


__all__ = ["Layer", "Stack", "AIR"]

#: vacuum/air as the default outer medium
AIR = Constant(1.0, name="air", reference="vacuum index 1 (air at 1.0003 neglected)")


def _check_material(material, what: str) -> Material:
    if not isinstance(material, Material):
        raise TypeError(f"{what} must be a materials.Material (e.g. materials.Constant(1.5)), got {material!r}")
    return material


@dataclass(frozen=True)
class Layer:
    """One homogeneous layer.

    Parameters
    ----------
    material : materials.Material
        Passive optical constants of the layer (for a QD film: the host without the band-edge
        transition; the gain model adds it).
    thickness : float
        Physical thickness (nm), finite and >= 0.  A zero-thickness layer is optically inert.
    name : str, optional
        Label used in reports and plots; defaults to the material's name.
    gain : bool, default False
        Marks a gain layer for the threshold solvers.  It changes nothing in a passive spectrum.
    """

    material: Material
    thickness: float
    name: str | None = None
    gain: bool = False

    def __post_init__(self):
        _check_material(self.material, "Layer material")
        if isinstance(self.thickness, (bool, np.bool_, str, bytes)) or np.iscomplexobj(self.thickness):
            raise TypeError(f"thickness of layer {self.label!r} must be a real number in nm, got {self.thickness!r}")
        try:
            d = float(self.thickness)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"thickness of layer {self.label!r} must be a number in nm, got {self.thickness!r}") from exc
        if math.isnan(d) or math.isinf(d):
            raise ValueError(f"thickness of layer {self.label!r} must be finite, got {self.thickness!r}")
        if d < 0:
            raise ValueError(f"thickness of layer {self.label!r} must be >= 0 nm, got {d!r}")
        object.__setattr__(self, "thickness", d)
        if not isinstance(self.gain, (bool, np.bool_)):
            raise TypeError(f"gain of layer {self.label!r} must be True or False, got {self.gain!r}")
        object.__setattr__(self, "gain", bool(self.gain))

    @property
    def label(self) -> str:
        return self.name if self.name is not None else getattr(self.material, "name", "?")

    def with_thickness(self, thickness: float) -> "Layer":
        """A copy with another thickness (nm)."""
        return replace(self, thickness=thickness)


@dataclass(frozen=True)
class Stack:
    """A planar multilayer between two semi-infinite media.

    Parameters
    ----------
    layers : iterable of Layer
        From the incident medium towards the substrate.  Must not be empty.
    incident : materials.Material, default air
        The medium light comes from (lossless for oblique incidence).
    substrate : materials.Material, default air
        The exit medium.

    Notes
    -----
    ``a + b`` concatenates (``a``'s incident medium, ``b``'s substrate; ``b`` may also be a
    Layer or a sequence of layers), ``a * 3`` repeats the layers, ``a.reversed()`` mirrors the
    stack (layers and outer media), ``a.between(inc, sub)`` replaces the outer media.
    """

    layers: tuple[Layer, ...]
    incident: Material = AIR
    substrate: Material = AIR
    # derived in __post_init__ (not fields): the distinct media, which medium uses which, thicknesses
    _unique_media: ClassVar[tuple]
    _media_map: ClassVar[np.ndarray]
    _padded: ClassVar[np.ndarray]

    def __post_init__(self):
        if isinstance(self.layers, Layer):
            raise TypeError("Stack layers must be a sequence of Layer objects; wrap a single layer in a list")
        layers = tuple(self.layers)
        if len(layers) == 0:
            raise ValueError("Stack must contain at least one layer, got an empty layer list")
        for i, lay in enumerate(layers):
            if not isinstance(lay, Layer):
                raise TypeError(f"Stack layer {i} must be a cavity.Layer, got {lay!r}")
        object.__setattr__(self, "layers", layers)
        _check_material(self.incident, "Stack incident medium")
        _check_material(self.substrate, "Stack substrate")
        # immutable, so derived once: the distinct materials and which medium uses which, and the
        # padded thicknesses (read-only)
        media = (self.incident,) + tuple(lay.material for lay in layers) + (self.substrate,)
        first: dict[int, int] = {}
        for mat in media:
            first.setdefault(id(mat), len(first))
        unique = [None] * len(first)
        for mat in media:
            unique[first[id(mat)]] = mat
        padded = np.array([0.0] + [float(lay.thickness) for lay in layers] + [0.0])
        padded.setflags(write=False)
        object.__setattr__(self, "_unique_media", tuple(unique))
        object.__setattr__(self, "_media_map", np.array([first[id(m)] for m in media], dtype=np.intp))
        object.__setattr__(self, "_padded", padded)

    @classmethod
    def of(cls, *layers: Layer, incident: Material = AIR, substrate: Material = AIR) -> "Stack":
        """``Stack.of(layer1, layer2, ...)``."""
        return cls(layers, incident=incident, substrate=substrate)

    # -- composition -----------------------------------------------------------------------------
    def __add__(self, other):
        if isinstance(other, Stack):
            return Stack(self.layers + other.layers, self.incident, other.substrate)
        if isinstance(other, Layer):
            return Stack(self.layers + (other,), self.incident, self.substrate)
        if isinstance(other, (list, tuple)):
            return Stack(self.layers + tuple(other), self.incident, self.substrate)
        return NotImplemented

    def __radd__(self, other):
        if isinstance(other, Layer):
            return Stack((other,) + self.layers, self.incident, self.substrate)
        if isinstance(other, (list, tuple)):
            return Stack(tuple(other) + self.layers, self.incident, self.substrate)
        return NotImplemented

    def __mul__(self, times):
        if not isinstance(times, (int, np.integer)) or isinstance(times, bool):
            return NotImplemented
        if times < 1:
            raise ValueError(f"a Stack can be repeated a positive number of times, got {times!r}")
        return Stack(self.layers * int(times), self.incident, self.substrate)

    __rmul__ = __mul__

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def reversed(self) -> "Stack":
        """The mirror image: layers in reverse order, incident and substrate swapped."""
        return Stack(self.layers[::-1], incident=self.substrate, substrate=self.incident)

    def between(self, incident: Material, substrate: Material) -> "Stack":
        """The same layers between other outer media."""
        return Stack(self.layers, incident=incident, substrate=substrate)

    def replace_layer(self, index: int, layer: Layer) -> "Stack":
        layers = list(self.layers)
        layers[index] = layer
        return Stack(tuple(layers), self.incident, self.substrate)

    # -- derived quantities ----------------------------------------------------------------------
    @property
    def thicknesses(self) -> np.ndarray:
        """Layer thicknesses (nm), a new float64 array."""
        return np.array([lay.thickness for lay in self.layers], dtype=np.float64)

    @property
    def total_thickness(self) -> float:
        return float(self.thicknesses.sum())

    @property
    def gain_layer_indices(self) -> tuple[int, ...]:
        """Indices (0-based, into ``layers``) of the layers marked ``gain=True``."""
        return tuple(i for i, lay in enumerate(self.layers) if lay.gain)

    def media(self) -> tuple[Material, ...]:
        """All media from incident to substrate (length ``len(layers) + 2``)."""
        return (self.incident,) + tuple(lay.material for lay in self.layers) + (self.substrate,)

    def indices(self, wavelength: ArrayLike) -> NDArray[np.complex128]:
        """Complex indices ``n[medium, wavelength]`` (incident, layers..., substrate).

        Each distinct material is evaluated once.  Raises the material's ``ValueError`` when a
        wavelength lies outside its data.
        """
        wl = np.atleast_1d(np.asarray(wavelength, dtype=np.float64))
        key = grid_key(wl)
        views = [mat.index_view(wl, key) for mat in self._unique_media]
        if len(views) == len(self._media_map):  # every medium distinct: one copy into the table
            return np.array(views, dtype=np.complex128)
        values = np.array(views, dtype=np.complex128)
        return values[self._media_map]

    def padded_thicknesses(self) -> np.ndarray:
        """Thicknesses with zeros for the outer media (length ``len(layers) + 2``), a new array."""
        return self._padded.copy()

    def layer_directory(self) -> str:
        """The layers' names with their indices, ``'ZnO' (0); 'QD film' (1); ...``, for messages."""
        where: dict[str, list[int]] = {}
        for i, lay in enumerate(self.layers):
            where.setdefault(lay.label, []).append(i)
        parts = []
        for name, idx in where.items():
            at = ", ".join(str(i) for i in idx) if len(idx) <= 4 else f"{len(idx)} layers, {idx[0]}-{idx[-1]}"
            parts.append(f"{name!r} ({at})")
        return "; ".join(parts)

    def layer_index(self, layer: int | str, what: str = "layer") -> int:
        """Index of a layer given by its index or by its name (:attr:`Layer.label`).

        The one rule every call that takes a layer uses (``gain_layers``, emitting layers,
        electrodes, ``place_on_antinode``, constraints): an ``int`` in ``[0, len(stack))`` or the
        name of exactly one layer.  Booleans and floats are refused (``1.0`` is not truncated);
        ``what`` names the parameter in the messages.

        Raises
        ------
        TypeError
            For anything but an int or a str.
        ValueError
            For an index outside the stack, a name no layer carries, or a name several layers carry
            (the message lists the layers' names with their indices).
        """
        n = len(self.layers)
        if isinstance(layer, str):
            hits = [i for i, lay in enumerate(self.layers) if lay.label == layer]
            if len(hits) == 1:
                return hits[0]
            if not hits:
                raise ValueError(f"{what}={layer!r} is not the name of a layer of the stack; its layers are "
                                 f"(name (indices)): {self.layer_directory()}")
            raise ValueError(f"{what}={layer!r} is ambiguous: layers {hits} all carry that name; pass an index or give "
                             f"the layer a unique name (Layer(..., name=...)); the stack's layers are (name (indices)): "
                             f"{self.layer_directory()}")
        if isinstance(layer, (bool, np.bool_)) or not isinstance(layer, (int, np.integer)):
            raise TypeError(f"{what} must be a layer index (int) or a layer name (str), got {layer!r}")
        if not 0 <= layer < n:
            raise ValueError(f"{what} must be a layer index of the {n}-layer stack (0-{n - 1}) or a layer name, "
                             f"got {layer!r}")
        return int(layer)

    def __repr__(self) -> str:
        body = " | ".join(f"{lay.label} {lay.thickness:g}" + ("*" if lay.gain else "") for lay in self.layers)
        return f"Stack({self.incident.name} | {body} | {self.substrate.name})"


def resolve_gain_layers(stack: Stack, gain_layers: Sequence[int | str] | None = None) -> tuple[int, ...]:
    """Indices of the gain layers of ``stack``: its layers marked ``gain=True``, or the layers given
    (indices or names, each resolved by :meth:`Stack.layer_index`).

    The one rule every model that needs the gain layers uses (thresholds, threshold currents,
    populations, the gain model's QD film).  ``gain_layers`` is a sequence (a bare string is
    refused: pass ``["QD film"]``); non-integer entries (``0.5``, ``17.9``, ``True``) are refused
    rather than truncated; indices outside the stack, unknown or ambiguous names and a stack
    without gain layers are refused.
    """
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {type(stack).__name__} {stack!r:.80}")
    if gain_layers is None:
        idx = stack.gain_layer_indices
        if not idx:
            raise ValueError("the stack has no gain layer: mark one with Layer(..., gain=True) or pass gain_layers")
        return idx
    if isinstance(gain_layers, (str, bytes)) or not isinstance(gain_layers, (Sequence, np.ndarray)):
        raise TypeError(f"gain_layers must be a sequence of layer indices or names, got {gain_layers!r}")
    items = list(np.ravel(gain_layers)) if isinstance(gain_layers, np.ndarray) else list(gain_layers)
    if not items:
        raise ValueError("gain_layers must name at least one layer")
    return tuple(sorted({stack.layer_index(item, f"gain_layers[{j}]") for j, item in enumerate(items)}))

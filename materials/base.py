"""The material interface: complex refractive index ``n + ik`` of a vacuum wavelength in nm.

Sign convention (``k > 0`` absorbs) and units: see :mod:`cavity.conventions`.  Every material is
immutable and exposes

* ``n(wavelength)`` -> complex ndarray of the same shape as ``wavelength`` (nm);
* ``name``, ``reference`` (where the numbers come from) and ``wavelength_range`` (nm, inclusive).

A wavelength outside ``wavelength_range``, a NaN or a non-positive wavelength raises
``ValueError`` naming the material, the value and the range.  Passive materials never return
``k < 0``: an implementation that would is rejected at evaluation with a ``ValueError``.
"""
from __future__ import annotations

import abc
import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Material", "Constant", "check_range"]


def check_range(wavelength_range: Iterable[float], owner: str) -> tuple[float, float]:
    """Validate a ``(min, max)`` wavelength range in nm and return it as floats."""
    try:
        lo, hi = (float(v) for v in wavelength_range)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"wavelength_range of {owner} must be a (min, max) pair in nm, got {wavelength_range!r}") from exc
    if not (lo > 0 and hi > lo) or math.isnan(lo) or math.isnan(hi):
        raise ValueError(f"wavelength_range of {owner} must satisfy 0 < min < max, got {wavelength_range!r}")
    return (lo, hi)


#: wavelength grids up to this size have their evaluation cached on the material
_CACHE_MAX_POINTS = 4096
#: how many such grids a material keeps (the most recent ones): a design loop alternates between a
#: few grids (a spectrum's, a mode search's padded window, a threshold's table)
_CACHE_GRIDS = 8


#: the cache key of a wavelength grid: its shape and its bytes
GridKey = tuple[tuple[int, ...], bytes]


def grid_key(wl: NDArray[np.float64]) -> GridKey | None:
    """The cache key of a float64 wavelength array (None: too large to cache)."""
    return (wl.shape, wl.tobytes()) if wl.size <= _CACHE_MAX_POINTS else None


class Material(abc.ABC):
    """Abstract optical material.  Subclasses implement :meth:`_index` on a validated array."""

    name: str
    reference: str
    wavelength_range: tuple[float, float]

    #: thermo-optic coefficient dn/dT (1/K) near room temperature and 630 nm, None when unknown;
    #: set for the built-in library (:mod:`materials.library`), with its source in ``dn_dT_reference``
    dn_dT = None
    dn_dT_reference = ""
    #: True for a measured QD film whose ``k`` is the ground-state absorption that a gain model also
    #: contains (see :data:`materials.library.QD_FILM_RULE`)
    ground_state_absorption = False
    #: the dots of a QD film (``materials.library.QDFilmGeometry``: size, ligand shell, packing),
    #: None for every other material; gain models take the dot density from it
    qd_geometry = None

    @abc.abstractmethod
    def _index(self, wavelength: np.ndarray) -> np.ndarray:
        """Complex index at validated wavelengths (float64 ndarray, nm)."""

    def n(self, wavelength: ArrayLike) -> NDArray[np.complex128]:
        """Complex refractive index ``n + ik`` at the vacuum wavelength(s) (nm).

        Returns an ndarray of the same shape as ``wavelength`` (a 0-d array for a scalar).
        """
        try:
            wl = np.asarray(wavelength, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"wavelength for material {self.name!r} must be numeric, got {wavelength!r}") from exc
        out = self.index_view(wl, grid_key(wl))
        return out.copy() if not out.flags.writeable else out

    def index_view(self, wl: NDArray[np.float64], key: GridKey | None) -> NDArray[np.complex128]:
        """:meth:`n` at a float64 wavelength array whose :func:`grid_key` is ``key``, possibly as a
        read-only view of the cached evaluation.  Materials are immutable, so the validated values on
        the last ``_CACHE_GRIDS`` small grids are kept: the one cache of material evaluations (stacks'
        index tables, spectra, pole searches and populations all read through it).  The cache dict is
        replaced, never modified in place, so threads sharing a material never see it change under
        them.  For callers that copy the values anyway (a stack's index table)."""
        cache = self.__dict__.get("_n_cache")
        if key is not None and cache is not None:
            hit = cache.get(key)
            if hit is not None:
                return hit
        out = self._validated_index(wl)
        if key is not None:
            out.setflags(write=False)
            kept = list(cache.items())[-(_CACHE_GRIDS - 1):] if cache else []
            object.__setattr__(self, "_n_cache", dict(kept + [(key, out)]))
        return out

    def __getstate__(self) -> dict:
        """Pickled without the evaluation cache (a process pool gets the material, not its tables)."""
        state = dict(self.__dict__)
        state.pop("_n_cache", None)
        return state

    def _validated_index(self, wl: NDArray[np.float64]) -> NDArray[np.complex128]:
        lo, hi = self.wavelength_range
        if wl.size:
            w_min, w_max = wl.min(), wl.max()  # NaN propagates: the fast test fails and the slow one explains
            if not (w_min >= lo and w_max <= hi):
                self._raise_for_wavelength(wl)
        out = np.asarray(self._index(wl), dtype=np.complex128)
        if out.shape != wl.shape:
            out = np.broadcast_to(out, wl.shape).copy()
        if out.size:
            total = out.sum()
            if not (np.isfinite(total.real) and np.isfinite(total.imag)):
                if not np.all(np.isfinite(out)):
                    raise ValueError(f"material {self.name!r} gave a non-finite index in {self.wavelength_range} nm")
            if out.imag.min() < 0:
                v = wl[out.imag < 0].ravel()[0]
                raise ValueError(
                    f"material {self.name!r} gives k < 0 (gain) at {v:g} nm; passive materials must have k >= 0 "
                    "(gain enters through Layer(..., gain=True), see cavity.conventions)"
                )
        return out

    def _raise_for_wavelength(self, wl: np.ndarray):
        """The precise error for a wavelength array that failed the range test."""
        lo, hi = self.wavelength_range
        if np.any(np.isnan(wl)):
            raise ValueError(f"wavelength for material {self.name!r} is NaN")
        if np.any(wl <= 0):
            raise ValueError(f"wavelength for material {self.name!r} must be > 0 nm, got {float(wl[wl <= 0].ravel()[0])!r}")
        outside = (wl < lo) | (wl > hi)
        v = float(wl[outside].ravel()[0])
        raise ValueError(
            f"wavelength {v!r} nm is outside the range of material {self.name!r}: {lo:g}-{hi:g} nm ({self.reference})"
        )

    def __repr__(self) -> str:  # compact, informative
        lo, hi = self.wavelength_range
        return f"{type(self).__name__}({self.name!r}, {lo:g}-{hi:g} nm)"


@dataclass(frozen=True, repr=False)
class Constant(Material):
    """A wavelength-independent index ``n + ik``.

    Parameters
    ----------
    n : float
        Real part of the refractive index (> 0).
    k : float, default 0
        Extinction coefficient (>= 0; k > 0 absorbs).
    name : str, optional
        Defaults to ``"n=<n>+<k>i"``.
    wavelength_range : (float, float), default (1, 1e7) nm
    reference : str
    """

    n_value: float
    k: float = 0.0
    name: str | None = None  # type: ignore[assignment]  # the default name is set in __post_init__
    wavelength_range: tuple[float, float] = (1.0, 1.0e7)
    reference: str = "constant index (user given)"

    def __init__(self, n: float, k: float = 0.0, name: str | None = None, *,
                 wavelength_range: tuple[float, float] = (1.0, 1.0e7), reference: str = "constant index (user given)") -> None:
        try:
            nv, kv = float(n), float(k)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"Constant index n and k must be real numbers, got n={n!r}, k={k!r}") from exc
        if not math.isfinite(nv) or nv <= 0:
            raise ValueError(f"Constant index n must be finite and > 0, got n={n!r}")
        if not math.isfinite(kv) or kv < 0:
            raise ValueError(f"Constant index k must be finite and >= 0 (k > 0 absorbs), got k={k!r}")
        if name is None:
            name = f"n={nv:g}" + (f"+{kv:g}i" if kv else "")
        object.__setattr__(self, "n_value", nv)
        object.__setattr__(self, "k", kv)
        object.__setattr__(self, "name", str(name))
        object.__setattr__(self, "wavelength_range", check_range(wavelength_range, f"material {name!r}"))
        object.__setattr__(self, "reference", str(reference))

    def _index(self, wavelength):
        return np.full(wavelength.shape, complex(self.n_value, self.k))

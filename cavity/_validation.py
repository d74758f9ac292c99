"""Checks shared by the public API: each raises with the parameter's name and value."""
from __future__ import annotations

import math

import numpy as np


def as_float_array(value, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Convert to a float64 array; raise ``TypeError``/``ValueError`` naming ``name``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, got {value!r}") from exc
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    return arr


def require_finite(arr, name: str) -> None:
    a = np.asarray(arr)
    if not np.all(np.isfinite(a)):
        bad = a[~np.isfinite(a)].ravel()[0]
        raise ValueError(f"{name} must be finite, got {bad!r}")


def require_positive(arr, name: str, *, strict: bool = True, unit: str = "") -> None:
    a = np.asarray(arr)
    require_finite(a, name)
    bad = a <= 0 if strict else a < 0
    if np.any(bad):
        v = a[bad].ravel()[0]
        rel = "> 0" if strict else ">= 0"
        raise ValueError(f"{name} must be {rel}{(' ' + unit) if unit else ''}, got {v!r}")


def require_wavelength(wavelength, name: str = "wavelength") -> np.ndarray:
    """A finite, positive vacuum wavelength array (nm)."""
    arr = as_float_array(wavelength, name)
    require_positive(arr, name, unit="nm")
    return arr


def require_choice(value, name: str, choices):
    """Return ``value`` if it is one of ``choices`` (case-insensitive for strings)."""
    for c in choices:
        if value == c or (isinstance(value, str) and isinstance(c, str) and value.lower() == c.lower()):
            return c
    raise ValueError(f"{name} must be one of {list(choices)!r}, got {value!r}")


def require_scalar_finite(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real number, got {value!r}") from exc
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def require_scalar_wavelength(wavelength, name: str = "wavelength") -> float:
    """A single finite, positive vacuum wavelength (nm)."""
    if np.ndim(wavelength) != 0:
        raise ValueError(f"{name} must be a scalar (nm), got shape {np.shape(wavelength)}")
    w = require_scalar_finite(wavelength, name)
    require_positive(w, name, unit="nm")
    return w

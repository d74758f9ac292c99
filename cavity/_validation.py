"""Checks shared by the public API: each raises with the parameter's name and value."""
from __future__ import annotations

import math

import numpy as np
from materials._checks import parse_enum  # noqa: F401  (the one enum parser, shared with materials)


def _refuse_bool_complex(value, name: str):
    """Raise ``TypeError`` for booleans, strings, ``None`` and complex values with ``Im != 0``.

    Returns ``value`` with a complex argument whose imaginary parts are all exactly zero
    replaced by its real part (so numpy does not warn when casting it to float).
    """
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, not a boolean, got {value!r}")
    if isinstance(value, (complex, np.complexfloating)):
        if value.imag != 0:
            raise TypeError(f"{name} must be real, got the complex value {value!r}")
        return value.real
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value
    try:
        arr = np.asarray(value)
    except Exception:  # pragma: no cover - exotic objects: let the float conversion complain
        return value
    if arr.dtype == np.bool_:
        raise TypeError(f"{name} must be real numbers, not booleans, got {value!r}")
    if arr.dtype.kind == "O" and any(isinstance(v, (bool, np.bool_)) for v in arr.ravel()):
        raise TypeError(f"{name} must be real numbers, not booleans, got {value!r}")
    if arr.dtype.kind == "O" and any(isinstance(v, (complex, np.complexfloating)) for v in arr.ravel()):
        arr = arr.astype(np.complex128)
    if arr.dtype.kind == "c":
        if np.any(arr.imag != 0):
            bad = arr[arr.imag != 0].ravel()[0]
            raise TypeError(f"{name} must be real, got the complex value {bad!r}")
        return arr.real
    if arr.dtype.kind in "USa":
        raise TypeError(f"{name} must be numeric, got {value!r}")
    return value


def as_float_array(value, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """A new float64 array of ``value``; raise ``TypeError``/``ValueError`` naming ``name``.

    Booleans, strings, ``None`` and complex values with a non-zero imaginary part are refused
    (``TypeError``) rather than silently converted.
    """
    value = _refuse_bool_complex(value, name)
    try:
        # a new array: results keep (read-only views of) what they are given, so they never alias
        # the caller's array, and it is writable whatever the input (numba types a read-only array
        # apart from a writable one: a frozen input would compile every kernel it reaches again)
        arr = np.array(value, dtype=np.float64)
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
    """A finite real scalar; refuses booleans, strings, ``None`` and complex with ``Im != 0``."""
    value = _refuse_bool_complex(value, name)
    if np.ndim(value) != 0:
        raise TypeError(f"{name} must be a single real number, got shape {np.shape(value)}")
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


def require_scalar_range(value, name: str, lo: float, hi: float, *, unit: str = "",
                         lo_open: bool = False) -> float:
    """A finite real scalar in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``)."""
    v = require_scalar_finite(value, name)
    if not ((lo < v) if lo_open else (lo <= v)) or v > hi:
        left = "(" if lo_open else "["
        u = f" {unit}" if unit else ""
        raise ValueError(f"{name} must be in {left}{lo:g}, {hi:g}]{u}, got {value!r}")
    return v


def require_positive_pair(value, name: str, what: str = "in nm", unit: str = " (nm)") -> tuple[float, float]:
    """``(lo, hi)`` of a ``(min, max)`` pair with ``0 < min < max``, both finite (a TypeError or
    ValueError naming ``name``): wavelength windows, scale ranges."""
    if isinstance(value, (str, bytes)) or np.ndim(value) != 1 or len(value) != 2:
        raise TypeError(f"{name} must be a (min, max) pair {what}, got {value!r}")
    try:
        lo, hi = (require_scalar_finite(v, name) for v in value)
    except TypeError as exc:
        raise TypeError(f"{name} must be a (min, max) pair {what}, got {value!r}") from exc
    if not 0 < lo < hi:
        raise ValueError(f"{name} must satisfy 0 < min < max{unit}, got {value!r}")
    return lo, hi


def grazing_error(value) -> ValueError:
    return ValueError(
        f"angle={float(value)!r} degrees is grazing incidence: its sine rounds to 1 in double "
        "precision (as for every angle above 89.9999993962 degrees), so the incident wave carries no "
        "power into the stack and the quantities normalised to it (fields, thresholds, incoherent "
        "sums) are not defined; use a smaller angle (spectrum, spectrum_arrays and "
        "absorption_by_layer accept grazing incidence: R = 1, T = 0)"
    )


def require_angles(angle, *, grazing=False):
    """Angles of incidence (degrees) as a float array, validated.

    ``grazing=False``: ``[0, 90)`` without the angles whose sine rounds to 1 (numerically grazing,
    above 89.9999993962 degrees).  ``grazing=True``: ``[0, 90]``, where 90 degrees and the angles
    indistinguishable from it are grazing incidence (``kx = n0``: ``r = -1``, ``t = 0``, see
    :mod:`cavity.optics._tmm_kernels`).
    """
    arr = as_float_array(angle, "angle")
    require_finite(arr, "angle")
    if arr.ndim > 1:
        raise ValueError(f"angle must be a scalar or a 1-D array (degrees), got shape {arr.shape}")
    out = (arr < 0) | (arr > 90)
    if np.any(out):
        bad = arr[out].ravel()[0]
        raise ValueError(f"angle must be in [0, 90{']' if grazing else ')'} degrees, got {float(bad)!r}")
    if not grazing:
        graze = np.sin(np.deg2rad(arr)) == 1.0
        if np.any(graze):
            raise grazing_error(arr[graze].ravel()[0])
    return arr


def require_scalar_angle(angle, *, grazing=False) -> float:
    arr = require_angles(angle, grazing=grazing)
    if arr.size != 1:
        raise ValueError(f"angle must be a scalar (degrees) here, got shape {arr.shape}")
    return float(arr.ravel()[0])


def require_threads(threads):
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be None or an integer >= 1, got {threads!r}")
    return int(threads)

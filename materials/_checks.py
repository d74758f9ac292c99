"""Small validation helpers shared by the material models (private).

Every helper names the parameter, the owner and the offending value in its message, so a bad
model parameter fails at construction with a clear ``ValueError``/``TypeError`` rather than as a
NaN at evaluation.
"""
from __future__ import annotations

import math

import numpy as np

#: h*c in eV nm (CODATA 2018, exact): photon energy E(eV) = HC_EV_NM / wavelength(nm).
HC_EV_NM = 1239.8419843320026


def real(value, param: str, owner: str) -> float:
    """Return ``value`` as a finite float or raise naming ``param``."""
    if isinstance(value, bool):
        raise TypeError(f"{param} of {owner} must be a real number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{param} of {owner} must be a real number, got {value!r}") from exc
    if not math.isfinite(v):
        raise ValueError(f"{param} of {owner} must be finite, got {value!r}")
    return v


def positive(value, param: str, owner: str) -> float:
    v = real(value, param, owner)
    if v <= 0:
        raise ValueError(f"{param} of {owner} must be > 0, got {value!r}")
    return v


def non_negative(value, param: str, owner: str) -> float:
    v = real(value, param, owner)
    if v < 0:
        raise ValueError(f"{param} of {owner} must be >= 0, got {value!r}")
    return v


def real_tuple(values, param: str, owner: str) -> tuple[float, ...]:
    """A 1-D sequence of finite floats as a tuple (a scalar is accepted as length 1)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{param} of {owner} must be a sequence of numbers, got {values!r}")
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if arr.ndim != 1:
        raise ValueError(f"{param} of {owner} must be one-dimensional, got shape {arr.shape}")
    return tuple(real(v, f"{param}[{i}]", owner) for i, v in enumerate(arr))


def name_str(value, owner: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"name of {owner} must be a non-empty string, got {value!r}")
    return value


def reference_str(value, owner: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"reference of {owner} must be a string, got {value!r}")
    return value


def photon_energy_ev(wavelength_nm: np.ndarray) -> np.ndarray:
    """Photon energy ``E = hc / lambda`` in eV of vacuum wavelengths in nm."""
    return HC_EV_NM / wavelength_nm


def index_from_permittivity(eps: np.ndarray) -> np.ndarray:
    """Complex index ``n + ik = sqrt(eps)`` on the branch with ``n >= 0``.

    With ``Im eps >= 0`` (passive) this branch also gives ``k >= 0``.  numpy's principal square
    root already has a non-negative real part; when ``n`` is exactly zero the sign of ``k`` is
    made non-negative explicitly.
    """
    n = np.sqrt(np.asarray(eps, dtype=np.complex128))
    return np.where((n.real == 0) & (n.imag < 0), -n, n)


def parse_enum(enum_cls, value, name: str, aliases: dict | None = None):
    """The member of ``enum_cls`` that ``value`` names: the member itself, or a string matching a
    member's value or name (case-insensitive; ``-`` and spaces read as ``_``), or one of
    ``aliases`` (lower-case string -> member).  The one parser of every closed set of options in
    ``materials`` and ``cavity``; anything else is a ValueError naming the parameter and the choices.
    """
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        if aliases and key in aliases:
            return aliases[key]
        key = key.replace("-", "_").replace(" ", "_")
        for member in enum_cls:
            if key == str(member.value).lower() or key == member.name.lower():
                return member
    raise ValueError(f"{name} must be one of {[m.value for m in enum_cls]!r} (or a {enum_cls.__name__}), got {value!r}")

"""Tabulated optical constants with linear interpolation of n and k.

Data files (``materials/data/*.csv``) are plain comma-separated text with a commented header
that states where the numbers come from and their units::

    # name: Ta2O5 (Gao 2012)
    # reference: L. Gao, F. Lemarchand, M. Lequime, Opt. Express 20, 15734 (2012)
    # wavelength_unit: nm
    # columns: wavelength, n, k
    350, 2.317048, 0.000655
    ...

``name``, ``reference`` and ``wavelength_unit`` (``nm`` or ``um``) are required; other ``# key:
value`` lines (``notes``, ``columns``) are kept for the reader but not interpreted.
"""
from __future__ import annotations

import os
from dataclasses import KW_ONLY, dataclass, field

import numpy as np

from . import _checks as ck
from .base import Material, check_range

__all__ = ["Tabulated"]

_UNIT_TO_NM = {"nm": 1.0, "um": 1000.0, "µm": 1000.0, "micron": 1000.0, "microns": 1000.0}


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, repr=False, eq=False)
class Tabulated(Material):
    r"""Optical constants tabulated at discrete vacuum wavelengths, linearly interpolated.

    .. math::  n(\lambda) = n_i + (n_{i+1} - n_i)\frac{\lambda - \lambda_i}{\lambda_{i+1} - \lambda_i},
               \quad \lambda_i \le \lambda \le \lambda_{i+1}

    and the same for :math:`k`.  Linear interpolation keeps ``k >= 0`` between non-negative data
    and never overshoots, which matters more here than smoothness.

    Parameters
    ----------
    wavelength : array_like
        Vacuum wavelengths, nm (> 0, distinct; sorted on construction), at least 2 points.
    n : array_like
        Real index at those wavelengths (> 0).
    k : array_like, optional
        Extinction coefficient (>= 0); zero if omitted.
    name, reference : str
    wavelength_range : (float, float), optional
        Defaults to the span of the data; it may not extend beyond the data (no extrapolation).

    Raises
    ------
    ValueError
        Mismatched lengths, fewer than two points, repeated wavelengths, NaN, ``n <= 0`` or
        ``k < 0``.
    """

    wavelength: np.ndarray
    n_data: np.ndarray
    k_data: np.ndarray | None = None
    _: KW_ONLY
    name: str = "tabulated"
    reference: str = "tabulated data (user given)"
    wavelength_range: tuple[float, float] | None = field(default=None)  # type: ignore[assignment]  # set in __post_init__

    def __post_init__(self):
        owner = f"Tabulated material {self.name!r}"
        ck.name_str(self.name, "Tabulated")
        ck.reference_str(self.reference, owner)
        try:
            wl = np.asarray(self.wavelength, dtype=np.float64)
            n = np.asarray(self.n_data, dtype=np.float64)
            k = np.zeros_like(n) if self.k_data is None else np.asarray(self.k_data, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"wavelength, n and k of {owner} must be numeric arrays") from exc
        if wl.ndim != 1 or n.shape != wl.shape or k.shape != wl.shape:
            raise ValueError(
                f"wavelength, n and k of {owner} must be 1-D of equal length, got shapes {wl.shape}, {n.shape}, {k.shape}"
            )
        if wl.size < 2:
            raise ValueError(f"{owner} needs at least 2 data points, got {wl.size}")
        for label, arr in (("wavelength", wl), ("n", n), ("k", k)):
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{label} of {owner} contains NaN or inf at index {int(np.flatnonzero(~np.isfinite(arr))[0])}")
        if np.any(wl <= 0):
            raise ValueError(f"wavelength of {owner} must be > 0 nm, got {wl[wl <= 0][0]!r}")
        if np.any(n <= 0):
            raise ValueError(f"n of {owner} must be > 0, got {n[n <= 0][0]!r} at {wl[n <= 0][0]:g} nm")
        if np.any(k < 0):
            raise ValueError(
                f"k of {owner} must be >= 0 (passive; k > 0 absorbs), got {k[k < 0][0]!r} at {wl[k < 0][0]:g} nm"
            )
        order = np.argsort(wl, kind="stable")
        wl, n, k = wl[order], n[order], k[order]
        if np.any(np.diff(wl) == 0):
            dup = wl[1:][np.diff(wl) == 0][0]
            raise ValueError(f"wavelength of {owner} has a repeated value {dup:g} nm")
        span = (float(wl[0]), float(wl[-1]))
        rng = span if self.wavelength_range is None else check_range(self.wavelength_range, owner)
        if rng[0] < span[0] or rng[1] > span[1]:
            raise ValueError(
                f"wavelength_range {rng} of {owner} extends beyond the data {span[0]:g}-{span[1]:g} nm (no extrapolation)"
            )
        object.__setattr__(self, "wavelength", _readonly(wl))
        object.__setattr__(self, "n_data", _readonly(n))
        object.__setattr__(self, "k_data", _readonly(k))
        object.__setattr__(self, "wavelength_range", rng)

    def _index(self, wavelength):
        n = np.interp(wavelength, self.wavelength, self.n_data)
        k = np.interp(wavelength, self.wavelength, self.k_data)
        return n + 1j * k

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, name: str | None = None) -> Tabulated:
        """Read a CSV data file with a commented header (see the module docstring).

        Parameters
        ----------
        path : str or os.PathLike
            The file.  Columns: wavelength (in ``wavelength_unit``), n, and optionally k.
        name : str, optional
            Overrides the ``# name:`` header.

        Raises
        ------
        FileNotFoundError
            The file does not exist.
        ValueError
            A required header key is missing, the unit is unknown, or a data line is malformed;
            the message gives the file and the line number.
        """
        path = os.fspath(path)
        header: dict[str, str] = {}
        rows: list[list[float]] = []
        with open(path, encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, start=1):
                line = raw.strip()
                if not line:
                    continue
                if line.startswith("#"):
                    body = line.lstrip("#").strip()
                    if ":" in body:
                        key, _, value = body.partition(":")
                        header[key.strip().lower()] = value.strip()
                    continue
                parts = [p.strip() for p in line.split(",")]
                try:
                    values = [float(p) for p in parts]
                except ValueError:
                    raise ValueError(f"{path}, line {lineno}: expected numbers 'wavelength, n[, k]', got {line!r}") from None
                if len(values) not in (2, 3) or (rows and len(values) != len(rows[0])):
                    raise ValueError(
                        f"{path}, line {lineno}: expected {len(rows[0]) if rows else '2 or 3'} columns "
                        f"(wavelength, n[, k]), got {len(values)}"
                    )
                rows.append(values)
        missing = [key for key in ("name", "reference", "wavelength_unit") if key not in header]
        if missing:
            raise ValueError(f"{path}: header lacks the required '# key: value' line(s) {missing}")
        unit = header["wavelength_unit"].lower()
        if unit not in _UNIT_TO_NM:
            raise ValueError(f"{path}: wavelength_unit must be one of {sorted(set(_UNIT_TO_NM))}, got {unit!r}")
        if not rows:
            raise ValueError(f"{path}: no data lines")
        data = np.asarray(rows, dtype=np.float64)
        return cls(
            data[:, 0] * _UNIT_TO_NM[unit],
            data[:, 1],
            data[:, 2] if data.shape[1] == 3 else None,
            name=name or header["name"],
            reference=header["reference"],
        )

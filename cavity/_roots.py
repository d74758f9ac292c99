"""Inverting a function of the injected current density: the one root finder in ``log J``.

Gains, inversions and pole positions vary over many decades of J (A/cm^2) but smoothly in
``u = ln J``, so every inversion ``f(J) = 0`` in the package (the gain model's ``current_for_gain``
and 1S inversion current, the heated gain of the thermal model, the rate equations' threshold
with self-heating, the injected pole reaching the real axis) brackets a sign change of ``f`` and
refines it here with Brent's method in ``u``.  A bracket starting at ``J = 0`` (where ``ln J`` is
not defined) is refined in ``J`` itself.  See docs/theory.md s.2.1 (current density to generation rate).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
from scipy.optimize import brentq

__all__ = ["current_root", "first_crossing"]

#: relative tolerance of the refined current: a few ulps of J
RTOL = 4.0 * float(np.finfo(float).eps)


def current_root(fun: Callable[[float], float], lo: float, hi: float, *, xtol: float = 1e-13,
                 rtol: float = RTOL, maxiter: int = 200) -> float:
    """Root ``J`` in ``[lo, hi]`` (A/cm^2) of ``fun``, which changes sign across the bracket.

    Brent's method in ``u = ln J`` when ``lo > 0`` (``xtol``, ``rtol`` apply to ``u``), in ``J``
    when ``lo == 0`` (absolute tolerance ~0, relative ``rtol``).

    Raises
    ------
    ValueError
        If the bracket is not ``0 <= lo < hi`` with finite ends, or ``fun`` has the same sign at both
        ends (scipy's message).
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and 0.0 <= lo < hi):
        raise ValueError(f"current bracket must satisfy 0 <= lo < hi (A/cm^2), got lo={lo!r}, hi={hi!r}")
    if lo > 0.0:
        u = brentq(lambda v: fun(math.exp(v)), math.log(lo), math.log(hi), xtol=xtol, rtol=rtol, maxiter=maxiter)
        return math.exp(u)
    return float(brentq(fun, 0.0, hi, xtol=1e-300, rtol=rtol, maxiter=maxiter))


def first_crossing(fun: Callable[[float], float], grid: Iterable[float], *, start: float = 0.0,
                   give_up: Callable[[float], bool] | None = None, xtol: float = 1e-13,
                   rtol: float = RTOL) -> float | None:
    """Smallest ``J`` where ``fun`` first reaches 0 from below, scanning an increasing ``grid``.

    ``fun(start) < 0`` is assumed; the first grid point with ``fun(J) >= 0`` closes the bracket
    with the point before it (``start`` for the first one) and :func:`current_root` refines it.
    ``give_up(J)`` (e.g. "the film is too hot") stops the scan after a point that did not cross.
    Returns ``None`` when no grid point crosses.
    """
    prev = start
    for j in grid:
        j = float(j)
        if fun(j) >= 0.0:
            return current_root(fun, prev, j, xtol=xtol, rtol=rtol)
        prev = j
        if give_up is not None and give_up(j):
            break
    return None

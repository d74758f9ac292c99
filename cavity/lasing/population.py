"""Thresholds of whole populations of vertical-cavity designs in one batched kernel call.

The fast path of the design search: for each design, the passive pole nearest ``near`` is found
by complex Newton (no scan) and the real threshold (lambda, g) by the 2x2 Newton of
:mod:`cavity.lasing._pole_kernels`, all inside one jitted loop over designs (threaded above
:data:`PARALLEL_MIN_DESIGNS`).  Materials shared by several designs are evaluated once.
For a full search of every mode in a window use :func:`cavity.threshold_modes`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from collections.abc import Sequence

import numpy as np
from materials.base import grid_key

from . import _pole_kernels as PK
from .._jit import run_threaded
from .._validation import require_scalar_finite
from ..layers import Stack, resolve_gain_layers
from ..results import Result
from .threshold import NEWTON_MAXIT, NEWTON_TOL
from .._validation import require_scalar_angle, require_threads
from ..optics.spectra import Polarization

__all__ = ["PopulationThresholds", "threshold_population", "PARALLEL_MIN_DESIGNS", "MAX_BLOCK_BYTES"]

#: Threads pay from about this many designs per call on a 2-core machine (benchmarks/).
PARALLEL_MIN_DESIGNS = 16

#: largest index table (bytes) :func:`threshold_population` holds at once.  The table is
#: ``designs x media x wavelengths`` complex128 (10,000 designs x 42 media x 321 wavelengths is
#: 2.2 GB); larger populations are solved in blocks of designs whose table fits, with the same
#: results (every design's pole search is independent of the others).
MAX_BLOCK_BYTES = 256 * 2**20

#: smallest ``search_width`` (nm): the wavelength table needs a spacing far above the float
#: resolution (1e-308 nm divided by zero).
MIN_SEARCH_WIDTH = 1e-2


@dataclass(frozen=True, eq=False)
class PopulationThresholds(Result):
    """Thresholds of D designs (arrays of length D).

    Attributes
    ----------
    wavelength : ndarray        lasing wavelength (nm)
    material_gain : ndarray     threshold material gain (cm^-1); NaN where not converged
    passive_pole : ndarray      complex passive resonance (nm) the search started from (the last
                                iterate where ``passive_converged`` is False)
    passive_converged : ndarray (bool)  the passive pole was found inside the table window
    Q : ndarray                 passive quality factor ``Re/(2 Im)`` of that pole
    converged : ndarray (bool)
    iterations : ndarray (int)
    """

    wavelength: np.ndarray
    material_gain: np.ndarray
    passive_pole: np.ndarray
    passive_converged: np.ndarray
    Q: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray

    def __post_init__(self):
        for name in ("wavelength", "material_gain", "passive_pole", "passive_converged", "Q", "converged",
                     "iterations"):
            getattr(self, name).setflags(write=False)

    def __len__(self):
        return self.wavelength.size


def _population_arrays(stacks, lam_tab, gain_layers):
    """``n_tab[D, M, K]``, ``d[D, M]``, ``mask[D, M]``, ``plane[D]`` with one evaluation per material."""
    D = len(stacks)
    M = len(stacks[0]) + 2
    K = lam_tab.size
    n_tab = np.empty((D, M, K), np.complex128)
    d = np.empty((D, M), np.float64)
    mask = np.zeros((D, M), np.float64)
    plane = np.empty(D, np.int64)
    cache: dict[int, np.ndarray] = {}  # this call's distinct materials (by identity), read through their own cache
    key = grid_key(lam_tab)
    for i, st in enumerate(stacks):
        if not isinstance(st, Stack):
            raise TypeError(f"stacks[{i}] must be a cavity.Stack, got {st!r}")
        if len(st) + 2 != M:
            raise ValueError(f"all stacks of a population need the same layer count; stacks[{i}] has {len(st)}, "
                             f"stacks[0] has {M - 2}")
        for m, mat in enumerate(st.media()):
            vals = cache.get(id(mat))
            if vals is None:
                vals = cache[id(mat)] = mat.index_view(lam_tab, key)
            n_tab[i, m] = vals
        d[i, 1:-1] = [lay.thickness for lay in st.layers]
        d[i, 0] = d[i, -1] = 0.0
        try:
            idx = resolve_gain_layers(st, gain_layers)
        except ValueError as exc:
            raise ValueError(f"stacks[{i}]: {exc}") from None
        for j in idx:
            mask[i, j + 1] = 1.0
        plane[i] = min(idx) + 1
    return n_tab, d, mask, plane


def threshold_population(stacks: Sequence[Stack], near: float, *, gain_layers: Sequence[int | str] | None = None,
                         search_width: float = 40.0, Q_guess: float = 100.0, angle: float = 0.0,
                         polarization: str | Polarization = "s", threads: int | None = None) -> PopulationThresholds:
    """Lasing thresholds of many designs (same layer count) near one wavelength, in one call.

    Parameters
    ----------
    stacks : sequence of Stack
        The designs; each with its gain layers marked (or give ``gain_layers``, indices into or
        names of each stack's layers).
    near : float
        Start of every pole search (nm), e.g. the design wavelength.
    search_width : float
        Half width (nm) of the wavelength table; a pole or threshold that leaves it is reported
        as not converged.
    Q_guess : float
        The complex start is ``near (1 + i / (2 Q_guess))``.
    threads : int, optional
        Default: threaded from :data:`PARALLEL_MIN_DESIGNS` designs.

    Notes
    -----
    Memory is bounded: the designs are solved in blocks whose index table fits in
    :data:`MAX_BLOCK_BYTES` (each design's search is independent, so the results do not depend on
    the block size).

    Returns
    -------
    PopulationThresholds
    """
    if isinstance(stacks, (Stack, str, bytes)) or not hasattr(stacks, "__iter__"):
        raise TypeError(f"stacks must be a sequence of cavity.Stack designs, got {stacks!r}")
    stacks = list(stacks)
    if not stacks:
        raise ValueError("stacks must contain at least one design")
    if not isinstance(stacks[0], Stack):
        raise TypeError(f"stacks[0] must be a cavity.Stack, got {stacks[0]!r}")
    near = require_scalar_finite(near, "near")
    width = require_scalar_finite(search_width, "search_width")
    if near <= 0 or width <= 0 or width >= near:
        raise ValueError(f"need near > search_width > 0 (nm), got near={near!r}, search_width={search_width!r}")
    if width < MIN_SEARCH_WIDTH:
        raise ValueError(f"search_width must be >= {MIN_SEARCH_WIDTH:g} nm, got {search_width!r}")
    threads = require_threads(threads)
    q_guess = require_scalar_finite(Q_guess, "Q_guess")
    if not q_guess >= 0.5:  # below Q = 0.5 there is no resonance (1e-308 put the start at infinity)
        raise ValueError(f"Q_guess must be >= 0.5, got {Q_guess!r}")
    ang = require_scalar_angle(angle)
    pol = Polarization.parse(polarization, allow_unpolarized=False)
    K = max(16, int(math.ceil(2 * width / 0.25)) + 1)
    M = len(stacks[0]) + 2
    row_bytes = M * K * 16
    if row_bytes > MAX_BLOCK_BYTES:
        raise ValueError(f"search_width={search_width!r} nm needs a {M} media x {K} wavelengths index table "
                         f"({row_bytes / 2**20:.0f} MB per design), more than MAX_BLOCK_BYTES = "
                         f"{MAX_BLOCK_BYTES / 2**20:.0f} MB; use a smaller search_width")
    lam_tab = np.linspace(near - width, near + width, K)
    D = len(stacks)
    block = max(1, MAX_BLOCK_BYTES // row_bytes)
    sin_t = math.sin(math.radians(ang))  # the kernels form kx = Re n_0(lambda) sin_t per wavelength
    if D > block:  # stream: blocks of designs, each with its own (bounded) table
        parts = [threshold_population(stacks[a:a + block], near, gain_layers=gain_layers, search_width=search_width,
                                      Q_guess=Q_guess, angle=angle, polarization=polarization, threads=threads)
                 for a in range(0, D, block)]
        return PopulationThresholds(*(np.concatenate([getattr(p, f) for p in parts])
                                      for f in PopulationThresholds.__dataclass_fields__))
    try:
        n_tab, d, mask, plane = _population_arrays(stacks, lam_tab, gain_layers)
    except ValueError as exc:
        if "outside the range" not in str(exc):
            raise
        raise ValueError(f"near={near!r} nm with search_width={search_width!r} nm: {exc}") from None
    if ang > 0 and np.any(n_tab[:, 0].imag != 0):
        raise ValueError("oblique incidence needs a lossless incident medium (k = 0)")
    poles = np.empty(D, np.complex128)
    pole_status = np.empty(D, np.int64)
    lams = np.empty(D)
    gains = np.empty(D)
    iters = np.empty(D, np.int64)
    status = np.empty(D, np.int64)
    gain_tab = np.ones(K)
    args = (near, q_guess, lam_tab, n_tab, gain_tab, mask, d, plane, sin_t, pol.code, NEWTON_TOL, NEWTON_MAXIT,
            poles, pole_status, lams, gains, iters, status)
    run_threaded(lambda: PK.threshold_batch(*args), lambda: PK.threshold_batch_parallel(*args), threads, D,
                 PARALLEL_MIN_DESIGNS)
    ok = status == PK.CONVERGED
    gains = np.where(ok, gains, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(poles.imag > 0, poles.real / (2 * poles.imag), np.inf)
    return PopulationThresholds(lams, gains, poles, pole_status == PK.CONVERGED, q, ok, iters)

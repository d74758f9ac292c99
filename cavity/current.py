"""Threshold current density: the cavity's pole with the injected CQD gain spectrum.

The gain layers carry ``n_host(lambda) - i g(lambda; J) lambda / (4 pi)`` (lambda in cm) with
``g(lambda; J)`` from :class:`cavity.QDGainModel` (negative values absorb: the band-edge
transition of an unpumped film), optionally at the temperature rise of a
:class:`cavity.ThermalModel`.  For each passive mode in the window the complex pole
``lambda_c(J)`` is tracked as J grows; the mode's threshold is the first J at which
``Im lambda_c = 0`` (a real-wavelength pole, physics.md s.3.1 with dispersive gain), found by a
logarithmic scan and Brent's method.  The device threshold is the lowest over all modes.

If no current reaches threshold, the same pole is solved with the *saturated* gain spectrum
``s * g_max(lambda)`` for the real scale ``s``; ``s > 1`` says by how much the required gain
exceeds the maximum gain (:attr:`ThresholdCurrent.gain_shortfall`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from . import _pole_kernels as PK
from .gain import QDGainModel
from .layers import Stack
from .threshold import _padded, PoleProblem, _find_poles, _resolve_gain_layers, _window

__all__ = ["ModeCurrent", "ThresholdCurrent", "threshold_current"]

_J_MIN = 1e-3  # A/cm^2
_J_MAX = 1e5   # A/cm^2


@dataclass(frozen=True)
class ModeCurrent:
    """One longitudinal mode under injection.

    ``current_density`` is ``inf`` for a mode that never reaches threshold; ``gain_shortfall``
    (cm^-1) is then how much more material gain than the saturated maximum it would need.
    """

    passive_wavelength: float
    current_density: float
    wavelength: float
    material_gain: float
    reachable: bool
    gain_shortfall: float


@dataclass(frozen=True)
class ThresholdCurrent:
    """The threshold current density of a stack with a CQD gain model.

    Attributes
    ----------
    current_density : float       J_th (A/cm^2); ``inf`` when no mode reaches threshold
    wavelength : float            lasing wavelength (nm)
    material_gain : float         g(lambda_th; J_th) in the gain layers (cm^-1)
    mean_occupancy : float        <N> per dot at J_th
    temperature_rise : float      K at J_th (0 without a thermal model)
    reachable : bool
    gain_shortfall : float        0 when reachable; else required minus maximum gain (cm^-1)
    required_gain : float         the material gain the lowest-loss mode needs (cm^-1)
    maximum_gain : float          the saturated material gain at that wavelength (cm^-1)
    side_mode_margin : float      J of the second-lowest mode over J_th (ratio; inf if single)
    modes : tuple of ModeCurrent  every mode in the window, lowest threshold first
    """

    current_density: float
    wavelength: float
    material_gain: float
    mean_occupancy: float
    temperature_rise: float
    reachable: bool
    gain_shortfall: float
    required_gain: float
    maximum_gain: float
    side_mode_margin: float
    modes: tuple


class _InjectedProblem:
    def __init__(self, problem: PoleProblem, model: QDGainModel, thermal):
        self.p = problem
        self.model = model
        self.thermal = thermal

    def gain_table(self, J):
        dT = float(self.thermal.temperature_rise(J)) if self.thermal is not None else 0.0
        return np.ascontiguousarray(self.model.material_gain(J, self.p.lam_tab, temperature_rise_K=dT), dtype=np.float64), dT

    def pole(self, J, start):
        tab, _ = self.gain_table(J)
        p = self.p
        return PK.complex_pole_newton(complex(start), 1.0, p.lam_tab, p.n_tab, tab, p.mask, p.d, p.plane, p.kx,
                                      p.pol, 1e-12, 60)


def _mode_current(inj: _InjectedProblem, passive_pole: complex, j_grid):
    """First J where the tracked pole reaches the real axis (None if it never does)."""
    lam = passive_pole
    prev_j, prev_lam = None, None
    for J in j_grid:
        lam_new, it, status, res = inj.pole(J, lam)
        if status != PK.CONVERGED:
            continue
        if lam_new.imag <= 0 and prev_lam is not None:
            cache = {"lam": prev_lam}

            def im_of(logj):
                l2, _, st, _ = inj.pole(math.exp(logj), cache["lam"])
                if st == PK.CONVERGED:
                    cache["lam"] = l2
                return l2.imag

            logj = brentq(im_of, math.log(prev_j), math.log(J), xtol=1e-12, rtol=1e-10)
            J_th = math.exp(logj)
            l_th, _, st, _ = inj.pole(J_th, cache["lam"])
            return J_th, l_th.real
        if lam_new.imag <= 0 and prev_lam is None:
            return J, lam_new.real  # already lasing at the smallest current
        prev_j, prev_lam, lam = J, lam_new, lam_new
    return None


def _shortfall(inj: _InjectedProblem, passive_pole: complex):
    """Required vs. maximum gain for an unreachable mode (saturated spectrum scaled by s)."""
    p = inj.p
    gmax = np.ascontiguousarray(inj.model.max_gain(p.lam_tab), dtype=np.float64)
    if not np.any(gmax > 0):
        return passive_pole.real, math.inf, 0.0
    lam0, s0 = PK.linearised_start(complex(passive_pole), p.lam_tab, p.n_tab, gmax, p.mask, p.d, p.plane, p.kx, p.pol)
    lam, s, it, status, res = PK.threshold_newton(float(lam0), float(s0), p.lam_tab, p.n_tab, gmax, p.mask, p.d,
                                                  p.plane, p.kx, p.pol, 1e-12, 60)
    if status != PK.CONVERGED or s <= 0:
        return passive_pole.real, math.inf, float(np.interp(passive_pole.real, p.lam_tab, gmax))
    g_at = float(np.interp(lam, p.lam_tab, gmax))
    return lam, s * g_at, g_at


def threshold_current(stack: Stack, gain_model: QDGainModel, wavelength_range, gain_layers=None, thermal=None, *,
                      angle=0.0, polarization="s", current_range=(_J_MIN, _J_MAX), points_per_decade: int = 8
                      ) -> ThresholdCurrent:
    """Threshold current density J_th of a stack whose gain layers hold the CQD gain model.

    Parameters
    ----------
    stack : Stack
        Gain layers marked ``gain=True`` (their material is the passive host, e.g. the QD film
        without its band-edge transition).
    gain_model : QDGainModel
        ``g(lambda; J)``; its absorption at low J is included.
    wavelength_range : (float, float)
        Window (nm) in which the modes are searched.
    gain_layers : sequence of int, optional
        Override the layers that carry the gain.
    thermal : ThermalModel, optional
        Heating: the gain is taken at ``thermal.temperature_rise(J)``.  A mode whose gain rolls
        over before threshold is unreachable.
    current_range : (float, float)
        Currents scanned (A/cm^2), logarithmically with ``points_per_decade``.

    Returns
    -------
    ThresholdCurrent
    """
    if not isinstance(gain_model, QDGainModel):
        raise TypeError(f"gain_model must be a cavity.QDGainModel, got {gain_model!r}")
    lo, hi = _window(wavelength_range)
    j_lo, j_hi = (float(v) for v in current_range)
    if not 0 < j_lo < j_hi or not math.isfinite(j_hi):
        raise ValueError(f"current_range must be (min, max) with 0 < min < max (A/cm^2), got {current_range!r}")
    idx = _resolve_gain_layers(stack, gain_layers)
    problem = PoleProblem(stack, _padded(lo, hi, stack), idx, angle, polarization)
    inj = _InjectedProblem(problem, gain_model, thermal)
    n_pts = max(8, int(math.ceil(points_per_decade * math.log10(j_hi / j_lo))) + 1)
    j_grid = np.geomspace(j_lo, j_hi, n_pts)
    modes = []
    for pole in _find_poles(problem, lo, hi):
        if pole.imag <= 0:
            continue
        found = _mode_current(inj, pole, j_grid)
        if found is not None and lo <= found[1] <= hi:
            J, lam = found
            tab, dT = inj.gain_table(J)
            g = float(np.interp(lam, problem.lam_tab, tab))
            modes.append(ModeCurrent(pole.real, J, lam, g, True, 0.0))
        else:
            lam, required, gmax = _shortfall(inj, pole)
            modes.append(ModeCurrent(pole.real, math.inf, lam, required, False, max(required - gmax, 0.0)))
    if not modes:
        raise ValueError(f"no cavity mode found in {lo:g}-{hi:g} nm")
    modes.sort(key=lambda m: (m.current_density, m.gain_shortfall))
    best = modes[0]
    if best.reachable:
        dT = float(thermal.temperature_rise(best.current_density)) if thermal is not None else 0.0
        mean_n = float(gain_model.mean_occupancy(best.current_density))
        gmax = float(gain_model.max_gain(best.wavelength, temperature_rise_K=dT))
        margin = modes[1].current_density / best.current_density if len(modes) > 1 else math.inf
        return ThresholdCurrent(best.current_density, best.wavelength, best.material_gain, mean_n, dT, True, 0.0,
                                best.material_gain, gmax, float(margin), tuple(modes))
    gmax = best.material_gain - best.gain_shortfall
    return ThresholdCurrent(math.inf, best.wavelength, math.nan, math.nan, math.nan, False, best.gain_shortfall,
                            best.material_gain, gmax, math.nan, tuple(modes))

"""Threshold current density: the cavity's pole with the injected CQD gain spectrum.

The gain layers carry ``n_host(lambda) - i g(lambda; J) lambda / (4 pi)`` (lambda in cm) with
``g(lambda; J)`` from :class:`cavity.QDGainModel` (negative values absorb: the band-edge
transition of an unpumped film), optionally at the temperature rise of a
:class:`cavity.ThermalModel`.  The passive modes of the window are every pole of the stack
with ``Im lambda > 0`` and ``Re lambda`` in the window, found and counted by the complete search
of :func:`cavity.resonances` (winding number of the characteristic function,
:mod:`cavity.lasing.modesearch`).  For each the complex pole ``lambda_c(J)`` is tracked as J grows; the
mode's threshold is the first J at which ``Im lambda_c = 0`` (a real-wavelength pole with
dispersive gain, :mod:`cavity.lasing.threshold`), found by a logarithmic scan and Brent's method.  The
device threshold is the lowest over all modes.

A mode that no current in the range brings to threshold gets ``J = inf`` and a plain-words
reason.  Its *required gain* is the material gain at which its pole reaches the real axis,
``D(lambda_th, g_th) = 0`` for real ``(lambda_th, g_th)``: because the gain spectrum enters the
indices at the real wavelength, this is the same ``g_th`` for any spectral shape of the gain
that is positive at ``lambda_th`` (:func:`cavity.lasing_threshold` with a flat gain).  It is
compared with the saturated gain ``g_max(lambda_th)`` of :meth:`cavity.QDGainModel.max_gain`
(every dot at ``N_max``):

* ``g_max(lambda_th) < 1 %`` of the peak saturated gain: the mode lies outside the gain band;
* ``g_th > g_max(lambda_th)``: the gain saturates below the requirement
  (:attr:`ThresholdCurrent.gain_shortfall` ``= g_th - g_max``);
* otherwise, with a thermal model whose heated gain ``g(lambda_th; J, dT(J))`` never reaches
  ``g_th``: thermal rollover (:meth:`cavity.ThermalModel.rollover_current`);
* otherwise: the current needed (:meth:`cavity.QDGainModel.current_for_gain` or
  :meth:`cavity.ThermalModel.current_for_gain`) lies above ``current_range[1]``;
* with a thermal model and the thermo-optic shift: the heated cavity mode detunes from the gain
  band (the required gain above is that of the cavity at the reference temperature).

With a thermal model the pole at each J is that of the cavity heated to ``dT(J)``: the gain at
``dT`` and every layer's index at ``n + dn_dT dT`` (docs/gain.md s.7).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _pole_kernels as PK
from .._roots import current_root
from ..gain.model import QDGainModel
from ..layers import Stack, resolve_gain_layers
from .threshold import (DEFAULT_MAX_GAIN, NEWTON_MAXIT, NEWTON_TOL, PoleProblem, padded_window, passive_from_threshold,
                        pole_search, thermo_optic_coefficients, threshold_from_pole, threshold_search, window_of)
from ..optics.spectra import Polarization
from ..results import Result

__all__ = ["ModeCurrent", "ThresholdCurrent", "threshold_current"]

_J_MIN = 1e-3  # A/cm^2
_J_MAX = 1e5   # A/cm^2
#: a mode whose saturated gain is below this fraction of the peak saturated gain lies outside the band
_BAND_FRACTION = 0.01


#: Largest temperature rise (K) of the QD film a threshold-current scan with a thermal model tries:
#: organic transport layers (TCTA's glass transition is ~150 C) and the dots' ligands do not
#: survive much more, and the linear thermo-optic shift and the gain's temperature law are not
#: meant for it.  Currents that would heat the film more are reported as not tried.
MAX_TEMPERATURE_RISE_K = 300.0


@dataclass(frozen=True)
class ModeCurrent(Result):
    """One longitudinal mode under injection.

    Attributes
    ----------
    passive_wavelength : float    ``Re lambda`` of the passive pole (nm)
    current_density : float       J_th of this mode (A/cm^2); ``inf`` when it never reaches threshold
    wavelength : float            lasing wavelength (nm); for an unreachable mode the wavelength of
                                  its threshold pole ``lambda_th`` (the passive one when there is none)
    material_gain : float         g at threshold (cm^-1); for an unreachable mode the required gain
                                  ``g_th`` (``inf`` when no gain up to the search limit brings the mode
                                  to threshold in the window)
    reachable : bool
    gain_shortfall : float        0 when reachable; else ``max(g_th - g_max(lambda_th), 0)`` (cm^-1)
    maximum_gain : float          saturated gain ``g_max`` of the model at ``wavelength`` (cm^-1),
                                  at the temperature rise of J_th when reachable, unheated otherwise
    reason : str                  empty when reachable; else why J_th is infinite (module notes)
    """

    passive_wavelength: float
    current_density: float
    wavelength: float
    material_gain: float
    reachable: bool
    gain_shortfall: float
    maximum_gain: float = math.nan
    reason: str = ""


@dataclass(frozen=True)
class ThresholdCurrent(Result):
    """The threshold current density of a stack with a CQD gain model.

    Attributes
    ----------
    current_density : float       J_th (A/cm^2); ``inf`` when no mode reaches threshold
    wavelength : float            lasing wavelength (nm); when unreachable, that of the closest mode
                                  (``nan`` only when the window holds no mode)
    material_gain : float         g(lambda_th; J_th) in the gain layers (cm^-1); ``nan`` when unreachable
    mean_occupancy : float        <N> per dot at J_th; ``nan`` when unreachable
    temperature_rise : float      K at J_th (0 without a thermal model); ``nan`` when unreachable
    reachable : bool
    gain_shortfall : float        0 when reachable; else required minus maximum gain (cm^-1), at least 0
    required_gain : float         the material gain the lowest-loss mode needs (cm^-1)
    maximum_gain : float          the saturated material gain at that wavelength (cm^-1)
    side_mode_current_ratio : float  J of the second-lowest mode over J_th (inf if single; the
                                  mode results' ``side_mode_margin`` is a gain gap in cm^-1);
                                  ``nan`` when unreachable
    modes : tuple of ModeCurrent  every mode in the window, lowest threshold first (then smallest
                                  shortfall)
    count : int                   passive modes (poles, ``Q >= 0.5`` or the precision limit of
                                  :func:`cavity.resonances`) the window holds: the winding number
                                  of the characteristic function
    complete : bool               every counted passive mode was found
    reason : str                  empty when reachable; else in plain words why J_th is infinite:
                                  the mode (wavelength), the gain it needs vs the saturated maximum
                                  (cm^-1) and the cause (outside the gain band, gain saturation,
                                  thermal rollover, or the end of ``current_range``)
    areal_density : float         dot areal density (cm^-2) of the stack's QD film used for J_th
                                  (:meth:`cavity.QDGainModel.for_stack`)
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
    side_mode_current_ratio: float
    modes: tuple
    count: int = 0
    complete: bool = True
    reason: str = ""
    areal_density: float = math.nan


class _InjectedProblem:
    def __init__(self, problem: PoleProblem, model: QDGainModel, thermal, thermo_optic: bool = True):
        self.p = problem
        self.model = model
        self.thermal = thermal
        # dn/dT of each medium (outer media and unknown coefficients 0): the heated indices at the
        # temperature of the J being tried (the whole stack at the QD film's temperature rise)
        self.dn_dT = (thermo_optic_coefficients(problem.stack)
                      if thermal is not None and thermo_optic and problem.stack is not None else None)

    def gain_table(self, J):
        dT = float(self.thermal.temperature_rise(J)) if self.thermal is not None else 0.0
        return np.ascontiguousarray(self.model.material_gain(J, self.p.lam_tab, temperature_rise_K=dT), dtype=np.float64), dT

    def index_table(self, dT: float):
        """The media's indices on the table grid at the temperature rise dT (K)."""
        if self.dn_dT is None or dT == 0.0:
            return self.p.n_tab
        return np.ascontiguousarray(self.p.n_tab + (self.dn_dT * dT)[:, None])

    def pole(self, J, start):
        tab, dT = self.gain_table(J)
        p = self.p
        return PK.complex_pole_newton(complex(start), 1.0, p.lam_tab, self.index_table(dT), tab, p.mask, p.d, p.plane,
                                      p.kx, p.pol, NEWTON_TOL, NEWTON_MAXIT)


def _mode_current(inj: _InjectedProblem, passive_pole: complex, j_grid):
    """First J where the tracked pole reaches the real axis (None if it never does)."""
    lam = passive_pole
    prev_j, prev_lam = None, None
    for J in j_grid:
        lam_new, it, status, res = inj.pole(J, lam)
        if status != PK.CONVERGED or not np.isfinite(lam_new.real) or not np.isfinite(lam_new.imag):
            continue
        if lam_new.imag <= 0 and prev_lam is not None:
            cache = {"lam": prev_lam}

            def minus_im(j):  # > 0 once the tracked pole has crossed to Im(lambda) < 0 (gain)
                l2, _, st, _ = inj.pole(j, cache["lam"])
                if st == PK.CONVERGED:
                    cache["lam"] = l2
                return -l2.imag

            assert prev_j is not None
            J_th = current_root(minus_im, prev_j, J, xtol=1e-12, rtol=1e-10)
            l_th, _, st, _ = inj.pole(J_th, cache["lam"])
            return J_th, l_th.real
        if lam_new.imag <= 0 and prev_lam is None:
            return J, lam_new.real  # already lasing at the smallest current
        prev_j, prev_lam, lam = J, lam_new, lam_new
    return None


class _Unreachable:
    """Required gain and the reason for the modes that no current brings to threshold."""

    def __init__(self, inj: _InjectedProblem, lo: float, hi: float, j_grid):
        self.inj, self.lo, self.hi, self.j_grid, self.j_hi = inj, lo, hi, j_grid, float(j_grid[-1])
        self._zeros = None
        self._band = None

    # -- the required gain: the flat-gain threshold of the mode --------------------------------
    def required(self, pole: complex):
        """``(lambda_th, g_th)`` of the mode of ``pole`` (g_th = inf when it has none in the table)."""
        p = self.inj.p
        t_lo, t_hi = p.window
        with np.errstate(all="ignore"):
            lam, g, it, ok, res = threshold_from_pole(p, pole)
        if ok and math.isfinite(lam) and math.isfinite(g) and g > 0 and t_lo <= lam <= t_hi:
            return float(lam), float(g)
        # fall back on the complete threshold search: the zero whose passive pole is this one
        best = None
        for z_lam, z_g, z_pole in self._threshold_zeros():
            d = abs(z_pole - pole)
            if d <= 1e-3 * abs(pole.imag) + 1e-9 * abs(pole) and (best is None or d < best[0]):
                best = (d, z_lam, z_g)
        if best is not None:
            return best[1], best[2]
        return float(pole.real), math.inf

    def _threshold_zeros(self):
        if self._zeros is None:
            p = self.inj.p
            mp, zs, _ = threshold_search(p, self.lo, self.hi, DEFAULT_MAX_GAIN)
            out = []
            for z in zs.zeros:
                if z.y > 0:
                    pole = passive_from_threshold(p, mp, z.x, z.y)
                    if pole is not None:
                        out.append((float(z.x), float(z.y), complex(pole)))
            self._zeros = out
        return self._zeros

    # -- the gain band of the model -------------------------------------------------------------
    def band(self):
        """``(peak wavelength, peak saturated gain, half-maximum low, high)`` of the unheated model."""
        if self._band is None:
            m = self.inj.model
            bands = [m.band_1s] + ([m.band_1p] if m.band_1p is not None else [])
            a = max(min(b.center_nm - 4.0 * b.fwhm_nm for b in bands), 1.0)
            b_ = max(b.center_nm + 4.0 * b.fwhm_nm for b in bands)
            grid = np.linspace(a, b_, 4001)
            g = np.asarray(m.max_gain(grid), dtype=np.float64)
            i = int(np.argmax(g))
            half = grid[g >= 0.5 * g[i]] if g[i] > 0 else grid[i:i + 1]
            self._band = (float(grid[i]), float(g[i]), float(half[0]), float(half[-1]))
        return self._band

    # -- one unreachable mode ---------------------------------------------------------------------
    def mode(self, pole: complex, found=None) -> ModeCurrent:
        inj = self.inj
        lam, g_th = self.required(pole)
        g_max = float(inj.model.max_gain(lam))
        shortfall = max(g_th - g_max, 0.0)
        what = f"the mode at {lam:.2f} nm (passive pole {pole.real:.2f} nm, Q = {pole.real / (2 * pole.imag):.3g})"
        peak_lam, peak_g, h_lo, h_hi = self.band()
        band = (f"the gain band of the model peaks at {peak_lam:.1f} nm ({peak_g:.4g} cm^-1 saturated, "
                f"half maximum {h_lo:.1f}-{h_hi:.1f} nm)")
        if found is not None:  # reached threshold, but pulled out of the window
            reason = (f"{what} reaches threshold at J = {found[0]:.4g} A/cm^2 only at {found[1]:.2f} nm, outside "
                      f"the window {self.lo:g}-{self.hi:g} nm")
        elif not math.isfinite(g_th):
            reason = (f"{what}: no material gain up to {DEFAULT_MAX_GAIN:.3g} cm^-1 brings it to threshold inside "
                      f"the window; {band}")
        elif g_max <= _BAND_FRACTION * peak_g:
            reason = (f"{what} needs a material gain of {g_th:.4g} cm^-1 but lies outside the gain band: the "
                      f"saturated maximum gain there is only {g_max:.3g} cm^-1; {band}")
        elif g_th > g_max:
            reason = (f"{what} needs a material gain of {g_th:.4g} cm^-1, more than the saturated maximum gain "
                      f"{g_max:.4g} cm^-1 of the model at that wavelength (every dot at "
                      f"N_max = {inj.model.max_excitons}): the gain saturates {shortfall:.4g} cm^-1 short")
        else:
            reason = self._current_reason(what, lam, g_th, g_max)
        return ModeCurrent(float(pole.real), math.inf, float(lam), float(g_th), False, float(shortfall), g_max, reason)

    def _current_reason(self, what, lam, g_th, g_max):
        """The gain is within reach of the saturated model: heating or the current range stops it."""
        inj = self.inj
        need = (f"{what} needs a material gain of {g_th:.4g} cm^-1, below the saturated maximum {g_max:.4g} cm^-1 "
                f"of the model there")
        try:
            if inj.thermal is None:
                j_need = inj.model.current_for_gain(g_th, lam)
            else:
                j_need = inj.thermal.current_for_gain(inj.model, g_th, lam)
        except ValueError:
            j_need = None
        if j_need is None and inj.thermal is not None:
            try:
                roll = inj.thermal.rollover_current(inj.model, lam)
                peak = (f"the heated gain peaks at {roll.material_gain:.4g} cm^-1 at J = {roll.current_density:.4g} "
                        f"A/cm^2 (temperature rise {roll.temperature_rise:.3g} K)")
            except ValueError:  # no interior maximum found by the model: scan the current range
                js = np.geomspace(self.j_grid[0], self.j_grid[-1], 4 * self.j_grid.size)
                gs = np.array([inj.thermal.heated_gain(inj.model, j, lam) for j in js])
                k = int(np.argmax(gs))
                peak = (f"within current_range the heated gain reaches at most {gs[k] + 0.0:.4g} cm^-1 (at J = "
                        f"{js[k]:.4g} A/cm^2, temperature rise {float(inj.thermal.temperature_rise(js[k])):.3g} K)")
            return f"{need}, but self-heating rolls the gain over before threshold (thermal rollover): {peak}"
        if j_need is not None and j_need > self.j_hi:
            heated = " with heating" if inj.thermal is not None else ""
            return (f"{need}; the gain model{heated} reaches it only at J = {j_need:.4g} A/cm^2, above the end of "
                    f"current_range ({self.j_hi:g} A/cm^2)")
        est = f" (the gain model reaches it at J = {j_need:.4g} A/cm^2)" if j_need is not None else ""
        if inj.dn_dT is not None and np.any(inj.dn_dT):
            return (f"{need} in the cavity at the reference temperature{est}, but heated the cavity mode moves by the "
                    f"thermo-optic shift while the gain band moves by {inj.model.peak_shift_nm_per_K:g} nm/K "
                    f"(gain-cavity detuning): its pole does not reach threshold within current_range "
                    f"(thermo_optic=False ignores the shift)")
        return (f"{need}{est}, but its pole could not be followed to threshold within current_range; a larger "
                f"points_per_decade may resolve it")


def threshold_current(stack: Stack, gain_model: QDGainModel, wavelength_range: tuple[float, float],
                      gain_layers: Sequence[int | str] | None = None, thermal: Any = None, *,
                      angle: float = 0.0, polarization: str | Polarization = "s",
                      current_range: tuple[float, float] = (_J_MIN, _J_MAX),
                      points_per_decade: int = 8, thermo_optic: bool = True) -> ThresholdCurrent:
    """Threshold current density J_th of a stack whose gain layers hold the CQD gain model.

    Parameters
    ----------
    stack : Stack
        Gain layers marked ``gain=True`` (their material is the passive host, e.g. the QD film
        without its band-edge transition).
    gain_model : QDGainModel
        ``g(lambda; J)``; its absorption at low J is included.  Its dot areal density is taken
        from the stack: ``gain_model.for_stack(stack, gain_layers)``, i.e. the total thickness of
        the gain layers times the dot volume density ``phi / (pi D^3/6)`` of the model's dots
        (:meth:`cavity.QDGainModel.for_stack`).  A model that states a different density
        (``film_thickness_nm``, ``monolayers`` or ``areal_density_per_cm2`` inconsistent with the
        stack) is refused with a ``ValueError`` naming both values.
    wavelength_range : (float, float)
        Window (nm) in which the modes are searched.
    gain_layers : sequence of int or str, optional
        Override the layers that carry the gain.
    thermal : ThermalModel, optional
        Heating: at each current density J tried, the gain is taken at ``dT = thermal.temperature_rise(J)``
        (the QD film's temperature rise) and, with ``thermo_optic``, every layer's index at
        ``n + dn_dT dT`` (:func:`cavity.lasing.threshold.heated_stack`: the whole stack is assumed
        at the QD film's temperature, ``dn_dT = None`` counts as 0, outer media and thicknesses
        unchanged; docs/gain.md s.7).  So J_th includes the gain-cavity detuning: the gain band
        moves by ``peak_shift_nm_per_K`` and the mode by the thermo-optic shift.  A mode whose
        gain rolls over before threshold is unreachable.
    thermo_optic : bool, default True
        Apply the thermo-optic shift with ``thermal`` (False: heat the gain only, the cavity stays
        at the reference temperature).
    current_range : (float, float)
        Currents scanned (A/cm^2), logarithmically with ``points_per_decade``.

    Returns
    -------
    ThresholdCurrent
        ``current_density = inf`` with ``reason`` when no mode reaches threshold (also when the
        window holds no passive mode); ``count`` and ``complete`` from the passive mode search.

    Notes
    -----
    Passive modes: every pole with ``Re lambda`` in the window and ``Im lambda > 0`` of the
    complete, counted search of :func:`cavity.resonances` (:mod:`cavity.lasing.modesearch`).  Threshold of
    each: the first J of the scan at which the tracked pole reaches the real axis, refined by
    Brent's method in ``log J``.  Unreachable modes: module notes.

    The per-dot generation rate is ``G = eta J / (e n_areal)`` with ``n_areal = L n_vol`` of the
    stack's film: at fixed per-dot physics and fixed modal gain requirement, the threshold
    current is proportional to the film thickness ``L`` (twice the dots need twice the current
    for the same excitons per dot).
    """
    if not isinstance(gain_model, QDGainModel):
        raise TypeError(f"gain_model must be a cavity.QDGainModel, got {gain_model!r}")
    lo, hi = window_of(wavelength_range)
    j_lo, j_hi = (float(v) for v in current_range)
    if not 0 < j_lo < j_hi or not math.isfinite(j_hi):
        raise ValueError(f"current_range must be (min, max) with 0 < min < max (A/cm^2), got {current_range!r}")
    idx = resolve_gain_layers(stack, gain_layers)
    # a measured film's k holds the unpumped band-edge absorption the model adds: replaced, not added
    stack = gain_model.host_stack(stack, idx)
    gain_model = gain_model.for_stack(stack, idx)  # the stack's QD film sets the dot density
    problem = PoleProblem.from_stack(stack, padded_window(lo, hi, stack), idx, angle, polarization)
    if not isinstance(thermo_optic, (bool, np.bool_)):
        raise TypeError(f"thermo_optic must be True or False, got {thermo_optic!r}")
    inj = _InjectedProblem(problem, gain_model, thermal, bool(thermo_optic))
    n_pts = max(8, int(math.ceil(points_per_decade * math.log10(j_hi / j_lo))) + 1)
    j_grid = np.geomspace(j_lo, j_hi, n_pts)
    too_hot = ""
    if thermal is not None:
        # beyond MAX_TEMPERATURE_RISE_K the device is destroyed and neither the linear thermo-optic
        # shift nor the gain's temperature law holds: such currents are not tried
        rise = np.array([float(thermal.temperature_rise(j)) for j in j_grid])
        if np.any(rise > MAX_TEMPERATURE_RISE_K):
            j_stop = float(j_grid[np.argmax(rise > MAX_TEMPERATURE_RISE_K)])
            too_hot = (f"; currents from {j_stop:.4g} A/cm^2 up heat the QD film by more than "
                       f"{MAX_TEMPERATURE_RISE_K:g} K (the device would be destroyed) and were not tried")
            j_grid = j_grid[rise <= MAX_TEMPERATURE_RISE_K]
    _, zs, q_floor = pole_search(problem, lo, hi, 0.0)
    poles = sorted((complex(z.x, z.y) for z in zs.zeros if z.y > 0 and lo <= z.x <= hi), key=lambda z: z.real)
    count, complete = int(zs.count), bool(zs.complete)
    unreachable = _Unreachable(inj, lo, hi, j_grid if j_grid.size else np.array([j_lo]))
    modes = []
    for pole in poles:
        found = _mode_current(inj, pole, j_grid) if j_grid.size else None
        if found is not None and lo <= found[1] <= hi:
            J, lam = found
            tab, dT = inj.gain_table(J)
            g = float(np.interp(lam, problem.lam_tab, tab))
            modes.append(ModeCurrent(pole.real, J, lam, g, True, 0.0,
                                     float(gain_model.max_gain(lam, temperature_rise_K=dT)), ""))
        else:
            modes.append(unreachable.mode(pole, found))
    search = ("" if complete else
              f"; the passive mode search was incomplete ({len(poles)} of {count} counted modes found)")
    if not modes:
        peak_lam, peak_g, h_lo, h_hi = unreachable.band()
        reason = (f"the window {lo:g}-{hi:g} nm holds no passive cavity mode with Q >= {q_floor:.3g} "
                  f"(count {count}), so nothing can lase there; the gain band of the model peaks at "
                  f"{peak_lam:.1f} nm (half maximum {h_lo:.1f}-{h_hi:.1f} nm){search}")
        return ThresholdCurrent(math.inf, math.nan, math.nan, math.nan, math.nan, False, math.inf, math.inf,
                                math.nan, math.nan, (), count, complete, reason, gain_model.areal_density)
    modes.sort(key=lambda m: (m.current_density, m.gain_shortfall, m.material_gain))
    best = modes[0]
    if best.reachable:
        dT = float(thermal.temperature_rise(best.current_density)) if thermal is not None else 0.0
        mean_n = float(gain_model.mean_occupancy(best.current_density))
        margin = modes[1].current_density / best.current_density if len(modes) > 1 else math.inf
        return ThresholdCurrent(best.current_density, best.wavelength, best.material_gain, mean_n, dT, True, 0.0,
                                best.material_gain, best.maximum_gain, float(margin), tuple(modes), count, complete,
                                "", gain_model.areal_density)
    head = (f"no mode in {lo:g}-{hi:g} nm reaches threshold; " if len(modes) == 1 else
            f"none of the {len(modes)} modes in {lo:g}-{hi:g} nm reaches threshold; the closest: ")
    return ThresholdCurrent(math.inf, best.wavelength, math.nan, math.nan, math.nan, False, best.gain_shortfall,
                            best.material_gain, best.maximum_gain, math.nan, tuple(modes), count, complete,
                            head + best.reason + too_hot + search, gain_model.areal_density)

"""Steady-state rate equations for one lasing mode driven by the CQD gain model: the L-J curve.

Per unit device area, with ``s`` the photons in the mode (cm^-2) and the dot ensemble described
by the birth-death chain of :class:`cavity.gain.QDGainModel` at an *effective* current
``J_eff`` (the current that the exciton decay channels alone consume,
``eta J_eff / e = n_areal sum_N p_N k_N``):

.. math::
    \\eta J / e = \\eta J_{eff} / e + v_g \\Gamma g(J_{eff})\\, s                 \\qquad (1)

    s / \\tau_p = v_g \\Gamma g(J_{eff})\\, s + \\beta R_{sp}(J_{eff})            \\qquad (2)

    P = f_{out}\\, h\\nu\\, s / \\tau_p                                         \\qquad (3)

with ``v_g = c/n_g``, the photon lifetime ``tau_p = Q lambda / (2 pi c)``, the radiative rate per
area ``R_sp = n_areal sum_N p_N k_N^rad``, the spontaneous-emission factor ``beta`` and the output
fraction ``f_out``; ``P`` is the useful output power per area (W/cm^2).  (1) is the exciton
balance (stimulated emission removes excitons, absorption below transparency adds them back),
(2) the photon balance: photons leave at ``s/tau_p`` and enter by net stimulated emission and by
the fraction ``beta`` of the spontaneous emission.  Subtracting, ``eta (J - J_eff)/e = s/tau_p -
beta R_sp``.

Solution.  Write ``nu(J_eff) = 1/tau_p - v_g Gamma g(J_eff)`` for the net photon loss rate.  By
(2), ``s = beta R_sp / nu``, so ``s >= 0`` requires ``nu > 0``: the gain stays *below* the
threshold gain ``Gamma g_th = 1/(v_g tau_p)`` and only approaches it (clamps) as ``s`` grows.
Eliminating ``s`` from (1) gives one equation for ``J_eff``:

.. math::
    H(J_{eff}) = \\nu(J_{eff})\\,(J_{eff} - J)
               + (e/\\eta)\\, v_g \\Gamma g(J_{eff})\\, \\beta R_{sp}(J_{eff}) = 0  \\qquad (4)

``H(0) = -J nu(0) < 0`` (no excitons, ``R_sp = 0``) and ``H(J_th) = (e/eta) beta R_sp(J_th) /
tau_p > 0``, where ``J_th = J(g_th)`` is :meth:`cavity.gain.QDGainModel.current_for_gain` of the
threshold gain.  The root in ``(0, J_th)`` is the physical one (``s > 0``); a second root with
``nu < 0`` (``s < 0``) may exist above ``J_th`` and is excluded by the bracket.  With ``g``
linearised about ``J_th``, (4) is the textbook quadratic in ``s`` of which the positive root is
taken.  Limits of the physical root:

* below threshold, ``s ~ beta R_sp tau_p / (1 - g/g_th)``: spontaneous emission coupled into the
  mode, proportional to ``beta``;
* at ``J = J_th``, ``s ~ sqrt(eta beta R_sp tau_p / (e v_g Gamma dg/dJ))``;
* far above threshold ``J_eff -> J_th`` and ``s -> eta (J - J_th) tau_p / e``, so the slope of (3)
  is ``f_out eta h nu / e``;
* ``beta -> 0`` gives the sharp threshold ``P = f_out eta h nu max(J - J_th, 0) / e``.

Equations (1)-(3) are the standard single-mode laser rate equations with a spontaneous-emission
factor (Coldren, Corzine & Mashanovitch, *Diode Lasers and Photonic Integrated Circuits*, 2nd ed.,
Wiley 2012, ch. 2; Bjork & Yamamoto, IEEE J. Quantum Electron. 27, 2386 (1991) for the soft,
beta-dependent threshold of microcavity lasers), here with the QD chain in place of the carrier
density.

Numerics: (4) is solved by ``scipy.optimize.brentq`` on ``[0, J_edge]``, ``J_edge`` the largest
floating-point ``J_eff`` near ``J_th`` with ``nu > 0``; when the root lies within rounding of
``J_edge`` (far above threshold with a tiny ``beta``), ``J_eff = J_edge`` and ``s`` follows from
(1).  ``s`` is taken from (1) or (2), whichever is better conditioned (``nu`` cancels near
threshold, ``J - J_eff`` far below it).

Approximation: stimulated emission is taken to leave the *shape* of p_N that of the chain at
``J_eff`` (the usual reservoir picture); a per-N stimulated rate would change the distribution
above threshold but not the clamped gain or the slope far above threshold.

Heating (``LaserRateEquations(..., thermal=...)``).  At a terminal current density J the QD film
is at ``dT = thermal.temperature_rise(J)`` (the thermal model's steady state, set by J, not by
J_eff), and eqs. (1)-(4) are solved with the heated gain ``g(J_eff, lambda, dT)`` at that fixed
dT: the gain band red-shifts and weakens (:meth:`cavity.QDGainModel.material_gain`), the mode
optionally moves by ``mode_shift_nm_per_K dT``.  Far above threshold ``J_eff`` clamps at
``J_th(dT)``, the current at which the gain at that temperature reaches ``g_th``, so with
``beta -> 0``

.. math:: P(J) = f_{out}\\, \\eta\\, h\\nu\\, \\max(J - J_{th}(\\Delta T(J)), 0) / e

which rises, peaks where ``dJ_th/dJ = 1`` and falls to the spontaneous level once heating keeps
the gain below ``g_th`` at every ``J_eff``: the thermal rollover of the L-J curve.  The output power
is not subtracted from the heat (the thermal model's assumption).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from .._roots import first_crossing
from .._validation import as_float_array, require_positive, require_scalar_finite
from ..conventions import ELEMENTARY_CHARGE, HC_EV_NM, NM_TO_CM, SPEED_OF_LIGHT_NM_PER_NS
from ..gain.model import MAX_CURRENT_DENSITY, QDGainModel
from ..results import Result

if TYPE_CHECKING:  # for the annotations only: this module needs neither at run time
    from ..layers import Stack
    from .threshold import Threshold

__all__ = ["LasingMode", "LaserRateEquations", "LJCurve"]

_C_CM_PER_S = SPEED_OF_LIGHT_NM_PER_NS * 1e2  # 1 nm/ns = 1 m/s = 100 cm/s

#: accepted ranges (lo, hi) of the LasingMode scalars: beyond them the photon lifetime, energy or
#: threshold gain over- or underflow (Q = 1e308 gave zero output above threshold, Q = 1e-308 or
#: wavelength = 1e-308 NaN inside the solver).  Wavelengths 10 nm - 100 um, Q 0.5 - 1e12
#: (a Q below 0.5 is no resonance), group index up to 1e4 (from_threshold can give large ones).
MODE_RANGES = {"wavelength": (10.0, 1e5), "Q": (0.5, 1e12), "group_index": (1e-3, 1e4)}


@dataclass(frozen=True, slots=True)
class LasingMode:
    """The cavity mode that lases (immutable).

    Parameters
    ----------
    wavelength : float
        Mode wavelength (nm).
    Q : float
        Loaded (cold-cavity) Q, all losses included; sets ``tau_p = Q lambda/(2 pi c)``.
    confinement : float
        Gamma in (0, 1]: the modal gain is ``Gamma g`` (for a vertical cavity the longitudinal
        confinement ``Gamma_r d / L_eff``; for a waveguide the index-weighted Gamma of the mode).
    group_index : float, default 1.8
        n_g of the mode.  Assumption: the QD-film index estimate 1.8-2.0.
    beta : float, default 1e-4
        Fraction of the spontaneous emission that enters the mode.  Assumption (typical of
        small vertical cavities / DFB lasers [M]).
    output_fraction : float, default 0.5
        Fraction of the photon loss rate ``s/tau_p`` that leaves as useful output.  Assumption.
    """

    wavelength: float
    Q: float
    confinement: float
    group_index: float = 1.8
    beta: float = 1e-4
    output_fraction: float = 0.5

    def __post_init__(self):
        for name in ("wavelength", "Q", "group_index", "beta", "output_fraction", "confinement"):
            v = require_scalar_finite(getattr(self, name), name)
            require_positive(v, name)
            object.__setattr__(self, name, v)
        for name in ("beta", "output_fraction", "confinement"):
            if getattr(self, name) > 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {getattr(self, name)!r}")
        for name, (lo, hi) in MODE_RANGES.items():
            if not lo <= getattr(self, name) <= hi:
                raise ValueError(f"{name} must be in [{lo:g}, {hi:g}], got {getattr(self, name)!r}")

    @classmethod
    def from_threshold(cls, threshold: Threshold, *, stack: Stack | None = None,
                       emission_wavelengths: ArrayLike | None = None,
                       emission_spectrum: Callable[[float], float] | None = None, **kwargs: Any) -> LasingMode:
        """The lasing mode of a :class:`cavity.lasing.Threshold` (vertical cavity).

        ``Q`` is the passive (cold-cavity) Q of the mode, the confinement its ``confinement``,
        and the group index is the one that makes this model's threshold equal the pole's,
        ``n_g = Q Gamma g_th lambda / (2 pi)``, so that the L-J kink sits at the threshold found
        by the transfer matrices.  Other keywords (``beta``, ``output_fraction``) pass through.

        ``beta="computed"`` replaces the default guess by the planar-cavity spontaneous-emission
        coupling factor of :func:`cavity.optics.emission.spontaneous_coupling` (the film's emission into
        the mode's solid angle and linewidth over its total spontaneous emission; definition in
        ``docs/emission.md`` s.8).  It needs ``stack`` (the passive device of ``threshold``, its
        gain layer lossless) and ``emission_wavelengths`` (nm, spanning the film's emission
        spectrum), optionally ``emission_spectrum`` (a callable of the wavelength in nm; default
        flat).  A number ``beta`` in (0, 1] is used as given.
        """
        if threshold.passive is None or not threshold.converged:
            raise ValueError("from_threshold needs a converged Threshold with its passive resonance")
        if isinstance(kwargs.get("beta"), str):
            if kwargs["beta"] != "computed":
                raise ValueError(f"beta must be a number in (0, 1] or 'computed', got {kwargs['beta']!r}")
            if stack is None or emission_wavelengths is None:
                raise ValueError("beta='computed' needs stack (the passive device) and emission_wavelengths (nm)")
            from ..optics.emission import spontaneous_coupling
            kwargs["beta"] = spontaneous_coupling(stack, threshold, emission_wavelengths,
                                                  spectrum=emission_spectrum).beta
        elif stack is not None or emission_wavelengths is not None or emission_spectrum is not None:
            raise ValueError("stack, emission_wavelengths and emission_spectrum are only used with beta='computed'")
        q = threshold.passive.Q
        gamma = threshold.confinement
        n_g = q * gamma * threshold.material_gain * threshold.wavelength * NM_TO_CM / (2.0 * math.pi)
        return cls(wavelength=threshold.wavelength, Q=q, confinement=gamma,
                   group_index=n_g, **kwargs)

    @property
    def photon_lifetime_ns(self) -> float:
        """Photon lifetime ``tau_p = Q lambda / (2 pi c)`` (ns)."""
        return self.Q * self.wavelength / (2.0 * math.pi * SPEED_OF_LIGHT_NM_PER_NS)

    @property
    def threshold_modal_gain(self) -> float:
        """Modal gain at threshold ``Gamma g_th = 1/(v_g tau_p) = 2 pi n_g / (Q lambda)`` (cm^-1)."""
        return 2.0 * math.pi * self.group_index / (self.Q * self.wavelength * NM_TO_CM)

    @property
    def threshold_material_gain(self) -> float:
        """Material gain at threshold ``g_th`` (cm^-1)."""
        return self.threshold_modal_gain / self.confinement

    @property
    def photon_energy_J(self) -> float:
        """``h nu`` (J)."""
        return HC_EV_NM / self.wavelength * ELEMENTARY_CHARGE


@dataclass(frozen=True, slots=True)
class LJCurve(Result):
    """Output-power versus current-density curve (arrays are read-only).

    Attributes
    ----------
    current_density : ndarray
        J (A/cm^2).
    output_power_W_per_cm2 : ndarray
        Useful output power per device area (W/cm^2).
    photon_density_per_cm2 : ndarray
        Photons in the mode per device area (cm^-2).
    effective_current_density : ndarray
        J_eff (A/cm^2) that sets the dot populations (clamps at threshold).
    mean_occupancy : ndarray
        <N> at J_eff.
    threshold_current : float or None
        J_th (A/cm^2) from the clamped gain (with heating: the first J at which the heated gain
        reaches the threshold gain); None if the mode never reaches threshold.
    slope_efficiency_W_per_A : float
        Ideal slope far above threshold, ``f_out eta_inj h nu / e`` (W/A), without heating.
    temperature_rise : ndarray or None
        dT(J) (K) of the thermal model at each J; None without one.
    wavelength : ndarray or None
        The mode wavelength (nm) at each J when it moves with heating
        (``mode_shift_nm_per_K``); None without a thermal model.
    """

    current_density: np.ndarray
    output_power_W_per_cm2: np.ndarray
    photon_density_per_cm2: np.ndarray
    effective_current_density: np.ndarray
    mean_occupancy: np.ndarray
    threshold_current: float | None
    slope_efficiency_W_per_A: float
    temperature_rise: np.ndarray | None = None
    wavelength: np.ndarray | None = None

    def measured_slope_efficiency(self) -> float:
        """Slope (W/A) between the two highest currents of the curve."""
        j, p = self.current_density, self.output_power_W_per_cm2
        return float((p[-1] - p[-2]) / (j[-1] - j[-2]))

    def extrapolated_threshold(self) -> float:
        """Threshold (A/cm^2) from extrapolating the top two points of the curve to zero power."""
        j, p = self.current_density, self.output_power_W_per_cm2
        return float(j[-1] - p[-1] / self.measured_slope_efficiency())

    @property
    def rollover_current(self) -> float | None:
        """J (A/cm^2) of the largest output power when it lies inside the curve (thermal rollover:
        the power falls on both sides), else None (the output still grows at the last point)."""
        p = self.output_power_W_per_cm2
        i = int(np.argmax(p))
        if i == p.size - 1 or not p[i] > p[-1]:
            return None
        return float(self.current_density[i])


@dataclass(frozen=True, slots=True)
class _Operating:
    """The operating point at one terminal current J: temperature rise (K) and mode wavelength (nm)."""

    dT: float
    wavelength: float


@dataclass(frozen=True, slots=True)
class LaserRateEquations:
    """Steady-state laser rate equations for a :class:`QDGainModel` in a :class:`LasingMode`.

    See the module docstring for the equations (1)-(4), their physical root and the approximation.

    Parameters
    ----------
    model : QDGainModel
        The gain model; its material gain at ``mode.wavelength`` drives the mode.
    mode : LasingMode
        The cavity mode.
    thermal : ThermalModel or None, default None
        Self-heating (module notes, "Heating"): at each terminal current density J the film is at
        ``dT = thermal.temperature_rise(J)`` and the gain in eqs. (1)-(4) is the heated gain
        ``g(J_eff, lambda, dT)`` (:meth:`QDGainModel.material_gain`).  When heating brings the
        heated gain below the threshold gain the output falls: the L-J curve rolls over.
    mode_shift_nm_per_K : float, default 0
        Thermal shift of the mode wavelength (nm/K), used with ``thermal``: the mode lies at
        ``lambda + shift dT``.  E.g. from the thermo-optic shift of the cavity,
        ``(lasing_threshold(stack, near, temperature_rise=dT).wavelength - lambda) / dT``
        (docs/gain.md s.7).  0 keeps the mode fixed (the gain band still moves).
    """

    model: QDGainModel
    mode: LasingMode
    thermal: Any = None
    mode_shift_nm_per_K: float = 0.0

    def __post_init__(self):
        if not isinstance(self.model, QDGainModel):
            raise TypeError(f"model must be a QDGainModel, got {type(self.model).__name__}")
        if not isinstance(self.mode, LasingMode):
            raise TypeError(f"mode must be a LasingMode, got {type(self.mode).__name__}")
        if self.thermal is not None:
            from ..gain.thermal import ThermalModel

            if not isinstance(self.thermal, ThermalModel):
                raise TypeError(f"thermal must be a cavity.ThermalModel or None, got {type(self.thermal).__name__}")
        shift = require_scalar_finite(self.mode_shift_nm_per_K, "mode_shift_nm_per_K")
        if abs(shift) > 10.0:
            raise ValueError(f"mode_shift_nm_per_K must be in [-10, 10] nm/K, got {self.mode_shift_nm_per_K!r}")
        object.__setattr__(self, "mode_shift_nm_per_K", shift)

    # ------------------------------------------------------------------ operating point
    def _operating(self, j: float) -> _Operating:
        """dT and mode wavelength at the terminal current density ``j``."""
        if self.thermal is None:
            return _Operating(0.0, self.mode.wavelength)
        dT = float(self.thermal.temperature_rise(j))
        return _Operating(dT, self.mode.wavelength + self.mode_shift_nm_per_K * dT)

    def _gain(self, j_eff: float, op: _Operating) -> float:
        return float(self.model.material_gain(j_eff, op.wavelength, temperature_rise_K=op.dT))

    def _clamp_current(self, op: _Operating):
        """J_eff at which the gain (at the fixed dT of ``op``) reaches g_th; None if out of reach."""
        try:
            return self.model.current_for_gain(self.mode.threshold_material_gain, op.wavelength,
                                               temperature_rise_K=op.dT)
        except ValueError:
            return None

    def threshold_current(self) -> float:
        """J_th (A/cm^2): the current at which ``g(J) = g_th`` of the mode.

        With ``thermal``: the smallest J at which the heated gain ``g(J, lambda(J), dT(J))``
        reaches ``g_th`` (a logarithmic scan and Brent's method).

        Raises
        ------
        ValueError
            If ``g_th`` exceeds the saturated gain (the message gives both), or, with heating,
            the heated gain rolls over below ``g_th``.
        """
        g_th = self.mode.threshold_material_gain
        if self.thermal is None:
            return self.model.current_for_gain(g_th, self.mode.wavelength)

        def excess(j):
            return self._gain(j, self._operating(j)) - g_th

        if excess(0.0) >= 0.0:
            return 0.0
        jc = self.model.characteristic_current
        js = np.geomspace(jc * 1e-6, min(jc * 1e8, MAX_CURRENT_DENSITY), 481)
        thermal = self.thermal
        j_th = first_crossing(excess, js, give_up=lambda j: float(thermal.temperature_rise(j)) > _MAX_SCAN_DT)
        if j_th is not None:
            return j_th
        raise ValueError(f"the heated gain at the mode never reaches the threshold gain {g_th:.6g} cm^-1 "
                         f"(self-heating rolls it over first, or the gain saturates below it)")

    @property
    def slope_efficiency_W_per_A(self) -> float:
        """Ideal slope far above threshold ``f_out eta_inj h nu / e`` (W/A), without heating."""
        return self.mode.output_fraction * self.model.injection_efficiency * self.mode.photon_energy_J / ELEMENTARY_CHARGE

    def _rates(self, j_eff: float, op: _Operating | None = None):
        """``(nu, v_g Gamma g, beta R_sp)`` at ``J_eff`` (s^-1, s^-1, cm^-2 s^-1)."""
        op = op if op is not None else _Operating(0.0, self.mode.wavelength)
        tp = self.mode.photon_lifetime_ns * 1e-9
        vg = _C_CM_PER_S / self.mode.group_index
        stim = vg * self.mode.confinement * self._gain(j_eff, op)
        return 1.0 / tp - stim, stim, self.mode.beta * self.model.radiative_rate_per_area(j_eff)

    def _residual(self, j_eff: float, j: float, op: _Operating | None = None) -> float:
        """``H(J_eff)`` of eq. (4): negative below the physical root, positive above it."""
        nu, stim, bsp = self._rates(j_eff, op)
        return nu * (j_eff - j) + self._charge_per_photon * stim * bsp

    @property
    def _charge_per_photon(self) -> float:
        """``e / eta_inj`` (C): the injected charge per exciton."""
        return ELEMENTARY_CHARGE / self.model.injection_efficiency

    def _threshold_bracket(self, j_th: float, op: _Operating | None = None) -> float:
        """The largest ``J_eff`` (to a few ulp) with ``nu(J_eff) > 0``, i.e. gain still below ``g_th``.

        ``J_th`` comes from a root finder, so ``nu(J_th)`` may have either sign at the level of
        rounding; the L-J solver needs a point strictly on the sub-threshold side.
        """
        def nu(x):
            return self._rates(x, op)[0]

        if nu(0.0) <= 0.0:  # the unpumped film absorbs (g(0) <= 0 < g_th), so this is a broken model
            raise ValueError(f"the unpumped film already reaches the threshold gain "
                             f"{self.mode.threshold_material_gain!r} cm^-1: no steady state")
        a, b = 0.0, j_th
        step = 4.0 * np.finfo(float).eps * j_th
        x = j_th
        for _ in range(200):
            if nu(x) > 0.0:
                a = x
                x = x + step
            else:
                b = x
                x = x - step
            if a > 0.0 and b > a:
                break
            step *= 2.0
        else:  # pragma: no cover - g(J) is increasing and J_th finite, so a crossing exists
            raise RuntimeError(f"no sign change of the net photon loss rate near J_th={j_th!r} A/cm^2")
        for _ in range(100):  # bisection to neighbouring floats
            m = 0.5 * (a + b)
            if not a < m < b:
                break
            if nu(m) > 0.0:
                a = m
            else:
                b = m
        return a

    def _solve(self, j: float, j_edge: float | None, op: _Operating | None = None):
        """``(J_eff, s)`` at current density ``j`` (A/cm^2); ``j_edge`` from :meth:`_threshold_bracket`."""
        if j == 0.0:
            return 0.0, 0.0
        k = self._charge_per_photon
        if j_edge is None:  # no threshold: nu > 0 at every J_eff, bracket by doubling
            hi = j
            for _ in range(400):
                if self._residual(hi, j, op) > 0.0:
                    break
                hi *= 2.0
            else:  # pragma: no cover - H grows linearly in J_eff while R_sp saturates
                raise RuntimeError(f"no bracket for the steady state at current_density={j!r} A/cm^2")
        elif self._residual(j_edge, j, op) > 0.0:
            hi = j_edge
        else:
            # The physical root lies above the last floating-point J_eff with g < g_th: the gain
            # is clamped there and eq. (1) gives s (j > j_edge here since H(j_edge) <= 0).
            stim = self._rates(j_edge, op)[1]
            return j_edge, max(j - j_edge, 0.0) / (k * stim)
        # H(0) = -j nu(0) < 0 (R_sp(0) = 0) and H(hi) > 0 with nu > 0 on [0, hi]: the root is the
        # physical one (s >= 0); the unphysical root with nu < 0 lies beyond hi.
        je = brentq(self._residual, 0.0, hi, args=(j, op), xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
        nu, stim, bsp = self._rates(je, op)
        tp = self.mode.photon_lifetime_ns * 1e-9
        # Eqs. (2) and (1) give the same s at the root; take the better conditioned one.  The
        # relative rounding error of s = beta R_sp / nu is ~ eps / (nu tau_p) (nu = 1/tau_p - stim
        # cancels near threshold), that of s = (J - J_eff) / (k stim) is ~ eps J / (J - J_eff).
        if nu * tp * j >= j - je or stim <= 0.0:
            s = bsp / nu
        else:
            s = max(j - je, 0.0) / (k * stim)
        return je, s

    def lj_curve(self, current_density: ArrayLike) -> LJCurve:
        """Solve eqs. (1)-(2) at each current density (A/cm^2) and return the L-J curve.

        The physical root of eq. (4) is taken at every J: ``s >= 0`` and ``P >= 0`` everywhere,
        ``P ~ beta`` below threshold (spontaneous emission into the mode), the kink at
        :meth:`threshold_current` and the slope ``f_out eta h nu / e`` far above it.  With
        ``thermal``, each J is solved at its own temperature rise: the clamped ``J_eff`` is the
        current at which the gain *at that dT* reaches ``g_th``, so ``P ~ f_out eta h nu (J -
        J_eff(dT(J))) / e`` rises, peaks and falls back to the spontaneous level once heating
        keeps the gain below ``g_th`` (thermal rollover, :attr:`LJCurve.rollover_current`).

        Parameters
        ----------
        current_density : float or array
            J (A/cm^2), >= 0.
        """
        js = as_float_array(current_density, "current_density").ravel()
        require_positive(js, "current_density", strict=False, unit="A/cm^2")
        if np.any(js > MAX_CURRENT_DENSITY):  # 1e308 gave NaN output powers
            raise ValueError(f"current_density must be <= {MAX_CURRENT_DENSITY:g} A/cm^2, got {float(np.max(js))!r}")
        try:
            j_th = self.threshold_current()
        except ValueError:
            j_th = None
        je = np.empty_like(js)
        s = np.empty_like(js)
        if self.thermal is None:
            j_edge = None if j_th is None else self._threshold_bracket(j_th)
            for i, j in enumerate(js):
                je[i], s[i] = self._solve(float(j), j_edge)
            dts = wls = None
        else:
            dts = np.empty_like(js)
            wls = np.empty_like(js)
            for i, j in enumerate(js):
                op = self._operating(float(j))
                dts[i], wls[i] = op.dT, op.wavelength
                j_clamp = self._clamp_current(op)
                j_edge = None if j_clamp is None else self._threshold_bracket(j_clamp, op)
                je[i], s[i] = self._solve(float(j), j_edge, op)
        p = self.mode.output_fraction * self.mode.photon_energy_J * s / (self.mode.photon_lifetime_ns * 1e-9)
        occ = np.asarray(self.model.mean_occupancy(je), dtype=np.float64).reshape(js.shape)
        js_out = js.copy()
        for a in [js_out, p, s, je, occ] + [a for a in (dts, wls) if a is not None]:
            a.setflags(write=False)
        return LJCurve(js_out, p, s, je, occ, threshold_current=j_th, slope_efficiency_W_per_A=self.slope_efficiency_W_per_A,
                       temperature_rise=dts, wavelength=wls)

    def output_power(self, current_density: float) -> float:
        """Useful output power density (W/cm^2) at one current density (A/cm^2)."""
        j = require_scalar_finite(current_density, "current_density")
        return float(self.lj_curve([j]).output_power_W_per_cm2[0])


#: the heated threshold scan stops where the temperature rise exceeds this (K): far beyond any
#: device, where every gain band has long left the mode
_MAX_SCAN_DT = 1e4

"""Above threshold: steady-state rate equations for one lasing mode driven by the CQD gain model.

Per unit device area, with ``s`` the photons in the mode (cm^-2) and the dot ensemble described
by the birth-death chain of :class:`cavity.gain.QDGainModel` at an *effective* current
``J_eff`` (the current that the spontaneous channels alone would consume):

.. math::
    \\eta J / e = \\eta J_{eff} / e + v_g \\Gamma g(J_{eff})\\, s                 \\qquad (1)

    0 = v_g \\Gamma g(J_{eff})\\, s + \\beta R_{sp}(J_{eff}) - s / \\tau_p          \\qquad (2)

with ``v_g = c/n_g``, the photon lifetime ``tau_p = Q lambda / (2 pi c)``, the radiative rate per
area ``R_sp = n_areal sum_N p_N k_N^rad`` and the spontaneous-emission factor ``beta``.  The output
power density is ``P = f_out h nu s / tau_p``.  Eq. (2) gives ``s = beta R_sp / (1/tau_p - v_g
Gamma g)``, so the gain clamps just below ``Gamma g_th = 1/(v_g tau_p)``; the threshold
``J_th = J(g_th)`` is :meth:`cavity.gain.QDGainModel.current_for_gain` of that gain, consistent
with a transfer-matrix threshold when ``Gamma`` and ``Q`` describe the same mode.

Approximation: stimulated emission is taken to leave the *shape* of p_N that of the chain at
``J_eff`` (the usual reservoir picture); a per-N stimulated rate would change the distribution
above threshold but not the clamped gain or the slope far above threshold.  Heating is not
included here (use :class:`cavity.thermal.ThermalModel` for the threshold and rollover).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ._validation import as_float_array, require_positive, require_scalar_finite
from .conventions import ELEMENTARY_CHARGE, HC_EV_NM, NM_TO_CM, SPEED_OF_LIGHT_NM_PER_NS
from .gain import QDGainModel

__all__ = ["LasingMode", "LaserRateEquations", "LJCurve"]

_C_CM_PER_S = SPEED_OF_LIGHT_NM_PER_NS * 1e2  # 1 nm/ns = 1 m/s = 100 cm/s


@dataclass(frozen=True, slots=True)
class LasingMode:
    """The cavity mode that lases (immutable).

    Parameters
    ----------
    wavelength_nm : float
        Mode wavelength (nm).
    quality_factor : float
        Loaded (cold-cavity) Q, all losses included; sets ``tau_p = Q lambda/(2 pi c)``.
    confinement_factor : float
        Gamma in (0, 1]: the modal gain is ``Gamma g`` (for a vertical cavity, Gamma_r d/L_eff,
        physics.md s.3.3; for a waveguide the index-weighted Gamma of s.4.6).
    group_index : float, default 1.8
        n_g of the mode.  Assumption: the QD-film index estimate 1.8-2.0 (physics.md s.1.6).
    beta : float, default 1e-4
        Fraction of the spontaneous emission that enters the mode.  Assumption (typical of
        small vertical cavities / DFB lasers [M]).
    output_fraction : float, default 0.5
        Fraction of the photon loss rate ``s/tau_p`` that leaves as useful output.  Assumption.
    """

    wavelength_nm: float
    quality_factor: float
    confinement_factor: float
    group_index: float = 1.8
    beta: float = 1e-4
    output_fraction: float = 0.5

    def __post_init__(self):
        for name in ("wavelength_nm", "quality_factor", "group_index", "beta", "output_fraction", "confinement_factor"):
            v = require_scalar_finite(getattr(self, name), name)
            require_positive(v, name)
            object.__setattr__(self, name, v)
        for name in ("beta", "output_fraction", "confinement_factor"):
            if getattr(self, name) > 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {getattr(self, name)!r}")

    @classmethod
    def from_threshold(cls, threshold, **kwargs) -> "LasingMode":
        """The lasing mode of a :class:`cavity.Threshold` (vertical cavity).

        ``Q`` is the passive (cold-cavity) Q of the mode, the confinement its ``confinement``,
        and the group index is the one that makes this model's threshold equal the pole's,
        ``n_g = Q Gamma g_th lambda / (2 pi)``, so that the L-J kink sits at the threshold found
        by the transfer matrices.  Other keywords (``beta``, ``output_fraction``) pass through.
        """
        if threshold.passive is None or not threshold.converged:
            raise ValueError("from_threshold needs a converged Threshold with its passive resonance")
        q = threshold.passive.Q
        gamma = threshold.confinement
        n_g = q * gamma * threshold.material_gain * threshold.wavelength * NM_TO_CM / (2.0 * math.pi)
        return cls(wavelength_nm=threshold.wavelength, quality_factor=q, confinement_factor=gamma,
                   group_index=n_g, **kwargs)

    @property
    def photon_lifetime_ns(self) -> float:
        """Photon lifetime ``tau_p = Q lambda / (2 pi c)`` (ns)."""
        return self.quality_factor * self.wavelength_nm / (2.0 * math.pi * SPEED_OF_LIGHT_NM_PER_NS)

    @property
    def threshold_modal_gain_per_cm(self) -> float:
        """Modal gain at threshold ``Gamma g_th = 1/(v_g tau_p) = 2 pi n_g / (Q lambda)`` (cm^-1)."""
        return 2.0 * math.pi * self.group_index / (self.quality_factor * self.wavelength_nm * NM_TO_CM)

    @property
    def threshold_material_gain_per_cm(self) -> float:
        """Material gain at threshold ``g_th`` (cm^-1)."""
        return self.threshold_modal_gain_per_cm / self.confinement_factor

    @property
    def photon_energy_J(self) -> float:
        """``h nu`` (J)."""
        return HC_EV_NM / self.wavelength_nm * ELEMENTARY_CHARGE


@dataclass(frozen=True, slots=True)
class LJCurve:
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
        J_th (A/cm^2) from the clamped gain; None if the mode never reaches threshold.
    slope_efficiency_W_per_A : float
        Ideal slope far above threshold, ``f_out eta_inj h nu / e`` (W/A).
    """

    current_density: np.ndarray
    output_power_W_per_cm2: np.ndarray
    photon_density_per_cm2: np.ndarray
    effective_current_density: np.ndarray
    mean_occupancy: np.ndarray
    threshold_current: float | None
    slope_efficiency_W_per_A: float

    def measured_slope_efficiency(self) -> float:
        """Slope (W/A) between the two highest currents of the curve."""
        j, p = self.current_density, self.output_power_W_per_cm2
        return float((p[-1] - p[-2]) / (j[-1] - j[-2]))

    def extrapolated_threshold(self) -> float:
        """Threshold (A/cm^2) from extrapolating the top two points of the curve to zero power."""
        j, p = self.current_density, self.output_power_W_per_cm2
        return float(j[-1] - p[-1] / self.measured_slope_efficiency())


@dataclass(frozen=True, slots=True)
class LaserRateEquations:
    """Steady-state laser rate equations for a :class:`QDGainModel` in a :class:`LasingMode`.

    See the module docstring for the equations (1)-(2) and the approximation.

    Parameters
    ----------
    model : QDGainModel
        The gain model; its material gain at ``mode.wavelength_nm`` drives the mode.
    mode : LasingMode
        The cavity mode.
    """

    model: QDGainModel
    mode: LasingMode

    def __post_init__(self):
        if not isinstance(self.model, QDGainModel):
            raise TypeError(f"model must be a QDGainModel, got {type(self.model).__name__}")
        if not isinstance(self.mode, LasingMode):
            raise TypeError(f"mode must be a LasingMode, got {type(self.mode).__name__}")

    def threshold_current(self) -> float:
        """J_th (A/cm^2): the current at which ``g(J) = g_th`` of the mode.

        Raises
        ------
        ValueError
            If ``g_th`` exceeds the saturated gain (the message gives both).
        """
        return self.model.current_for_gain(self.mode.threshold_material_gain_per_cm, self.mode.wavelength_nm)

    @property
    def slope_efficiency_W_per_A(self) -> float:
        """Ideal slope far above threshold ``f_out eta_inj h nu / e`` (W/A)."""
        return self.mode.output_fraction * self.model.injection_efficiency * self.mode.photon_energy_J / ELEMENTARY_CHARGE

    def _photons(self, j_eff: float) -> float:
        tp = self.mode.photon_lifetime_ns * 1e-9
        vg = _C_CM_PER_S / self.mode.group_index
        gm = self.mode.confinement_factor * self.model.material_gain(j_eff, self.mode.wavelength_nm)
        net = 1.0 / tp - vg * gm
        return self.mode.beta * self.model.radiative_rate_per_area(j_eff) / net, vg * gm

    def _solve(self, j: float, j_clamp: float | None):
        if j == 0.0:
            return 0.0, 0.0
        k = ELEMENTARY_CHARGE / self.model.injection_efficiency

        def f(je):
            s, rate = self._photons(je)
            return je + k * rate * s - j

        if j_clamp is not None:
            hi = j_clamp * (1.0 - 1e-15)
        else:
            hi = 2.0 * j
            while f(hi) <= 0.0:
                hi *= 2.0
        if f(hi) <= 0.0:  # beyond floating-point resolution of the clamp
            hi = j_clamp
            return hi, (j - hi) / (k * self._photons(hi * (1 - 1e-12))[1])
        je = brentq(f, 0.0, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
        return je, self._photons(je)[0]

    def lj_curve(self, current_density) -> LJCurve:
        """Solve eqs. (1)-(2) at each current density (A/cm^2) and return the L-J curve."""
        js = as_float_array(current_density, "current_density").ravel()
        require_positive(js, "current_density", strict=False, unit="A/cm^2")
        try:
            j_th = self.threshold_current()
        except ValueError:
            j_th = None
        je = np.empty_like(js)
        s = np.empty_like(js)
        for i, j in enumerate(js):
            je[i], s[i] = self._solve(float(j), j_th)
        p = self.mode.output_fraction * self.mode.photon_energy_J * s / (self.mode.photon_lifetime_ns * 1e-9)
        occ = np.asarray(self.model.mean_occupancy(je), dtype=np.float64).reshape(js.shape)
        arrays = [js.copy(), p, s, je, occ]
        for a in arrays:
            a.setflags(write=False)
        return LJCurve(*arrays, threshold_current=j_th, slope_efficiency_W_per_A=self.slope_efficiency_W_per_A)

    def output_power(self, current_density: float) -> float:
        """Useful output power density (W/cm^2) at one current density (A/cm^2)."""
        j = require_scalar_finite(current_density, "current_density")
        return float(self.lj_curve([j]).output_power_W_per_cm2[0])

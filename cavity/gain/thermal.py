"""Joule heating of the injected device area and its effect on the CQD gain.

Model (docs/theory.md s.2.4 asks for ``P = J V`` and a thermal resistance; every number is a
documented user input):

.. math::
    V(J) = V_{on} + R_s J \\quad(\\text{or a tabulated I-V curve}), \\qquad
    \\Delta T(J) = R_{th}\\, D\\, J\\, V(J)

with the area-specific series resistance ``R_s`` (Ohm cm^2), the area-specific thermal resistance
``R_th`` (K cm^2/W) and the duty cycle ``D``.  Assumptions:

* all electrical input power becomes heat in the device area (the light output is neglected,
  an upper bound on heating at the few-percent efficiencies of QD-LEDs);
* steady state: for pulsed operation the temperature is the time average, valid when the pulse
  period is short compared with the thermal time constant of the stack and substrate (the
  ripple during a pulse is neglected);
* the heating acts on the gain through :meth:`cavity.gain.QDGainModel.material_gain`'s
  ``temperature_rise_K``: a red shift of the bands and a strength reduction ``exp(-dT/T0)``.

:meth:`ThermalModel.from_stack` replaces the constants by the stack's own electrical and thermal
paths (:mod:`cavity.device`, docs/device.md): ``V(J)`` from each layer's drop and the QD film's
temperature from the Joule heat of each layer, conducted through the layers into the substrate.

Units: A/cm^2, V, Ohm cm^2, K cm^2/W, K, nm, cm^-1.
"""
from __future__ import annotations

import math
from typing import Any
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize_scalar

from .._roots import current_root
from .._validation import as_float_array, require_positive, require_scalar_finite, require_scalar_wavelength
from .model import QDGainModel
from ..results import Result

__all__ = ["ThermalModel", "Rollover", "disc_thermal_resistance"]


def disc_thermal_resistance(radius_um: float, thermal_conductivity_W_per_m_K: float = 1.0) -> float:
    """Area-specific thermal resistance (K cm^2/W) of a uniformly heated disc on a half-space.

    .. math:: R_{th} = \\Delta T_{avg} / q = 8 a / (3 \\pi \\kappa)

    The average temperature rise over a disc of radius ``a`` carrying a uniform heat flux ``q``
    on a semi-infinite substrate of conductivity ``kappa`` (the centre rises by ``q a/kappa``)
    [M: Carslaw & Jaeger, *Conduction of Heat in Solids*, s.8.2; not re-read].  The thin
    organic/oxide layers (~100 nm, kappa ~ 0.2 W/m/K) add only ~0.005 K cm^2/W.  Example: a
    50 um radius contact on glass (1 W/m/K) gives 0.42 K cm^2/W.

    Parameters
    ----------
    radius_um : float
        Contact (current-focusing aperture) radius (um).
    thermal_conductivity_W_per_m_K : float, default 1.0
        Substrate conductivity (W/m/K); ~1 for glass [M], ~150 for Si, ~400 for Cu.
    """
    a = require_scalar_finite(radius_um, "radius_um")
    k = require_scalar_finite(thermal_conductivity_W_per_m_K, "thermal_conductivity_W_per_m_K")
    require_positive(a, "radius_um", unit="um")
    require_positive(k, "thermal_conductivity_W_per_m_K", unit="W/m/K")
    return 8.0 * (a * 1e-4) / (3.0 * math.pi * (k * 1e-2))


@dataclass(frozen=True, slots=True)
class Rollover(Result):
    """Thermal rollover of the heated gain at one wavelength.

    Attributes
    ----------
    current_density : float
        J (A/cm^2) beyond which heating defeats the gain (the heated gain is maximal here).
    material_gain : float
        The largest heated material gain (cm^-1).
    temperature_rise : float
        The temperature rise at that current (K).
    """

    current_density: float
    material_gain: float
    temperature_rise: float


@dataclass(frozen=True, slots=True)
class ThermalModel:
    """Temperature rise of the pumped area versus current density (immutable).

    Parameters
    ----------
    turn_on_voltage_V : float, default 2.0
        Diode turn-on voltage V_on (V).  Assumption: about the photon energy at 625 nm
        (1.98 eV); QD-LEDs turn on near the band-gap voltage [M].
    series_resistance_ohm_cm2 : float, default 0.05
        Area-specific series resistance R_s (Ohm cm^2).  Assumption (0.9 V extra at 18 A/cm^2).
    thermal_resistance_K_cm2_per_W : float, default 0.42
        Area-specific thermal resistance R_th (K cm^2/W).  Estimate from
        :func:`disc_thermal_resistance` for a 50 um radius contact on glass.
    duty_cycle : float, default 1.0
        Pulsed operation: fraction of time the current flows, in (0, 1]; ``J`` is the current
        density during the pulse.
    iv_current_density_A_per_cm2, iv_voltage_V : sequence of float or None
        Optional measured I-V curve (increasing J, at least two points) that replaces
        ``V_on + R_s J``; linearly interpolated, and currents outside it raise ``ValueError``.
    device : cavity.device.HeatModel or None
        Set by :meth:`from_stack`: the stack's electrical and thermal paths.  Then
        ``voltage(J) = device.voltage(J)`` and ``temperature_rise(J) = duty_cycle *
        device.temperature_rise(J)``; the three constants above are kept for reports only
        (``V_on``, the ohmic part of the series resistance, and the QD film's thermal resistance
        for heat deposited in it).

    Notes
    -----
    ``dT(J) = R_th * duty_cycle * J * V(J)`` (without ``device``); the module docstring lists
    the assumptions.
    Accepted ranges (so that no result overflows): ``V_on <= 1e3`` V, ``R_s <= 1e6`` ohm cm^2,
    ``R_th <= 1e6`` K cm^2/W and current densities ``<= 1e20`` A/cm^2.
    """

    turn_on_voltage_V: float = 2.0
    series_resistance_ohm_cm2: float = 0.05
    thermal_resistance_K_cm2_per_W: float = 0.42
    duty_cycle: float = 1.0
    iv_current_density_A_per_cm2: tuple | None = None
    iv_voltage_V: tuple | None = None
    device: Any = None

    def __post_init__(self):
        for name in ("turn_on_voltage_V", "series_resistance_ohm_cm2", "thermal_resistance_K_cm2_per_W"):
            v = require_scalar_finite(getattr(self, name), name)
            require_positive(v, name, strict=False)
            if v > _PARAMETER_MAX[name]:
                raise ValueError(f"{name} must be <= {_PARAMETER_MAX[name]:g}, got {v!r}")
            object.__setattr__(self, name, v)
        d = require_scalar_finite(self.duty_cycle, "duty_cycle")
        if not 0.0 < d <= 1.0:
            raise ValueError(f"duty_cycle must be in (0, 1], got {self.duty_cycle!r}")
        object.__setattr__(self, "duty_cycle", d)
        jt, vt = self.iv_current_density_A_per_cm2, self.iv_voltage_V
        if (jt is None) != (vt is None):
            raise ValueError("iv_current_density_A_per_cm2 and iv_voltage_V must be given together")
        if jt is not None:
            j = as_float_array(jt, "iv_current_density_A_per_cm2")
            v = as_float_array(vt, "iv_voltage_V")
            if j.ndim != 1 or j.shape != v.shape or j.size < 2:
                raise ValueError("the I-V curve needs iv_current_density_A_per_cm2 and iv_voltage_V as two 1-D arrays "
                                 f"of equal length >= 2, got shapes {j.shape} and {v.shape}")
            require_positive(j, "iv_current_density_A_per_cm2", strict=False, unit="A/cm^2")
            require_positive(v, "iv_voltage_V", strict=False, unit="V")
            if np.any(np.diff(j) <= 0):
                raise ValueError("iv_current_density_A_per_cm2 must be strictly increasing")
            object.__setattr__(self, "iv_current_density_A_per_cm2", tuple(float(x) for x in j))
            object.__setattr__(self, "iv_voltage_V", tuple(float(x) for x in v))
        if self.device is not None:
            from ..device.heat import HeatModel

            if not isinstance(self.device, HeatModel):
                raise TypeError(f"device must be a cavity.device.HeatModel (use ThermalModel.from_stack), "
                                f"got {type(self.device).__name__}")
            if jt is not None:
                raise ValueError("device and an I-V curve (iv_current_density_A_per_cm2) exclude each other")

    @classmethod
    def from_stack(cls, stack: Any, aperture_radius_um: float, *, duty_cycle: float = 1.0, **options: Any) -> "ThermalModel":
        """A model whose ``voltage(J)`` and ``temperature_rise(J)`` follow the layers of ``stack``.

        Builds :class:`cavity.device.HeatModel` (docs/device.md): V(J) = turn-on + the drop of
        each layer between the electrodes (ohmic, Mott-Gurney space-charge-limited) + the lateral
        spreading of the electrodes over the current-focusing aperture; the QD film's temperature
        from each layer's Joule heat, deposited over the aperture disc of radius ``a`` and
        conducted through the layers (sideways too) into the heat-sinking outer medium (an exact
        axisymmetric solution; a uniformly heated disc on a half-space in the limit).

        Parameters
        ----------
        stack : cavity.Stack
            With its QD film marked ``gain=True`` and an electrode on each side.
        aperture_radius_um : float
            Radius (um) of the current-focusing aperture.
        duty_cycle : float, default 1.0
            Pulsed operation: the time-averaged temperature rise is ``duty_cycle`` times the CW one.
        **options
            Passed to :meth:`cavity.device.HeatModel.from_stack`: ``electrodes``,
            ``aperture_layer``, ``turn_on_voltage_V``, ``emission_wavelength_nm``,
            ``turn_on_offset_V``, ``contact_radius_um``, ``external_quantum_efficiency``,
            ``heat_sink``, ``sink_thermal_conductivity_W_per_m_K``, ``substrate_thickness_um``,
            ``overrides``.

        Raises
        ------
        cavity.device.NoConductingPath
            The stack has no conducting path between two electrodes (the message names the
            blocking layer).
        cavity.device.UnknownDeviceMaterial
            A layer's material has no electrical/thermal properties; supply them via
            ``overrides``.
        """
        from ..device.heat import HeatModel

        heat = HeatModel.from_stack(stack, aperture_radius_um=aperture_radius_um, **options)
        return cls(turn_on_voltage_V=heat.electrical.turn_on_voltage_V,
                   series_resistance_ohm_cm2=heat.electrical.series_resistance_ohm_cm2,
                   thermal_resistance_K_cm2_per_W=heat.qd_thermal_resistance_K_cm2_per_W,
                   duty_cycle=duty_cycle, device=heat)

    @classmethod
    def for_disc_contact(cls, radius_um: float, thermal_conductivity_W_per_m_K: float = 1.0, **kwargs: Any) -> "ThermalModel":
        """Model whose R_th is :func:`disc_thermal_resistance` of the contact; other keywords pass through."""
        return cls(thermal_resistance_K_cm2_per_W=disc_thermal_resistance(radius_um, thermal_conductivity_W_per_m_K),
                   **kwargs)

    # ------------------------------------------------------------------ electrical and thermal
    def voltage(self, current_density: ArrayLike) -> np.ndarray | float:
        """Device voltage V(J) (V): ``V_on + R_s J``, the interpolated I-V curve, or the stack's ``device``."""
        j = _current(current_density)
        if self.device is not None:
            v = np.asarray(self.device.voltage(j))
        elif self.iv_current_density_A_per_cm2 is None:
            v = self.turn_on_voltage_V + self.series_resistance_ohm_cm2 * j
        else:
            jt = self.iv_current_density_A_per_cm2
            if np.any(j < jt[0]) or np.any(j > jt[-1]):
                raise ValueError(f"current_density {j.ravel()[(j < jt[0]) | (j > jt[-1])][0]!r} A/cm^2 is outside the "
                                 f"I-V curve [{jt[0]}, {jt[-1]}] A/cm^2")
            v = np.asarray(np.interp(j, jt, np.asarray(self.iv_voltage_V)))
        return float(v) if v.ndim == 0 else v

    def power_density(self, current_density: ArrayLike) -> np.ndarray | float:
        """Time-averaged electrical input power density ``D J V(J)`` (W/cm^2)."""
        j = _current(current_density)
        p = self.duty_cycle * j * np.asarray(self.voltage(j))
        return float(p) if p.ndim == 0 else p

    def temperature_rise(self, current_density: ArrayLike) -> np.ndarray | float:
        """Temperature rise ``dT = R_th D J V(J)`` (K) at the current density(ies) (A/cm^2).

        With a stack's ``device`` (:meth:`from_stack`): ``D`` times its layer-resolved CW rise
        of the QD film.
        """
        if self.device is not None:
            t = self.duty_cycle * np.asarray(self.device.temperature_rise(_current(current_density)))
            return float(t) if t.ndim == 0 else t
        t = self.thermal_resistance_K_cm2_per_W * np.asarray(self.power_density(current_density))
        return float(t) if t.ndim == 0 else t

    # ------------------------------------------------------------------ coupling to the gain
    def heated_gain(self, model: QDGainModel, current_density: float, wavelength: ArrayLike) -> np.ndarray | float:
        """Material gain (cm^-1) including the self-heating at ``J``: ``g(J, lambda, dT(J))``."""
        _check_model(model)
        return model.material_gain(current_density, wavelength,
                                   temperature_rise_K=float(self.temperature_rise(float(current_density))))

    def _scan(self, model, wl):
        """Heated gain on a log grid of J from deep below transparency to where heating wins."""
        jc = model.characteristic_current
        hi = jc * 1e8
        if self.thermal_resistance_K_cm2_per_W > 0.0:
            # stop where dT exceeds ~40 T0 (or 1e4 K) so the grid ends past any rollover
            t0 = model.gain_characteristic_temperature_K or 250.0
            for _ in range(200):
                if self.iv_current_density_A_per_cm2 is not None and hi > self.iv_current_density_A_per_cm2[-1]:
                    hi = self.iv_current_density_A_per_cm2[-1]
                    break
                if self.temperature_rise(hi) < min(40.0 * t0, 1e4):
                    break
                hi /= 2.0
        lo = jc * 1e-6
        if self.iv_current_density_A_per_cm2 is not None:
            lo = max(lo, self.iv_current_density_A_per_cm2[0])
        js = np.geomspace(lo, hi, 600)
        gs = np.array([self.heated_gain(model, j, wl) for j in js])
        return js, gs

    def rollover_current(self, model: QDGainModel, wavelength: float) -> Rollover:
        """Current density beyond which heating defeats the gain at ``wavelength``.

        Maximises the heated gain ``g(J, lambda, dT(J))`` over J: a log-spaced scan then a
        bounded refinement (``scipy.optimize.minimize_scalar`` in log J).

        Raises
        ------
        ValueError
            If the heated gain still increases at the end of the scan (no rollover found:
            e.g. zero thermal resistance).
        """
        _check_model(model)
        wl = require_scalar_wavelength(wavelength)
        js, gs = self._scan(model, wl)
        i = int(np.argmax(gs))
        if i >= len(js) - 1 or gs[-1] >= gs[i] - 1e-9 * abs(gs[i]):
            raise ValueError(f"no thermal rollover found at {wl} nm up to J = {js[-1]:.4g} A/cm^2 "
                             f"(thermal_resistance_K_cm2_per_W={self.thermal_resistance_K_cm2_per_W!r})")
        a, b = math.log(js[max(i - 1, 0)]), math.log(js[i + 1])
        res = minimize_scalar(lambda u: -self.heated_gain(model, math.exp(u), wl), bounds=(a, b), method="bounded",
                              options={"xatol": 1e-10})
        j = math.exp(res.x) if -res.fun >= gs[i] else float(js[i])
        return Rollover(current_density=j, material_gain=float(self.heated_gain(model, j, wl)),
                        temperature_rise=float(self.temperature_rise(j)))

    def current_for_gain(self, model: QDGainModel, gain_per_cm: float, wavelength: float) -> float:
        """Smallest current density (A/cm^2) at which the *heated* gain reaches ``g``.

        The heated gain is not monotone (it rolls over), so the first crossing is bracketed on a
        log grid and refined in ``log J`` (:func:`cavity._roots.current_root`).

        Raises
        ------
        ValueError
            If heating defeats the gain first; the message gives the rollover maximum.
        """
        target = require_scalar_finite(gain_per_cm, "gain_per_cm")
        wl = require_scalar_wavelength(wavelength)
        if self.heated_gain(model, 0.0, wl) >= target:
            return 0.0
        js, gs = self._scan(model, wl)
        above = np.nonzero(gs >= target)[0]
        if above.size == 0:
            roll = self.rollover_current(model, wl) if gs[-1] < gs.max() - 1e-9 * abs(gs.max()) else None
            best = f"{roll.material_gain:.6g} cm^-1 at {roll.current_density:.4g} A/cm^2" if roll else f"{gs.max():.6g} cm^-1"
            raise ValueError(f"gain_per_cm={target!r} cm^-1 is out of reach at {wl} nm with heating: "
                             f"the heated gain peaks at {best} (thermal rollover)")
        k = int(above[0])
        # k == 0: the crossing lies below the grid (an I-V curve starting at 0, or a target near -alpha)
        return current_root(lambda j: float(self.heated_gain(model, j, wl)) - target,
                            float(js[k - 1]) if k > 0 else 0.0, float(js[k]))

    def threshold_temperature_rise(self, model: QDGainModel, gain_per_cm: float, wavelength: float) -> float:
        """Temperature rise (K) at the heated threshold for the material gain ``g`` at ``wavelength``."""
        return float(self.temperature_rise(self.current_for_gain(model, gain_per_cm, wavelength)))


#: upper limits of the ThermalModel parameters (with the current densities limited to
#: MAX_CURRENT_DENSITY = 1e20 A/cm^2 the voltage, power and temperature rise stay finite):
#: turn-on voltage 1e3 V, series resistance 1e6 ohm cm^2, thermal resistance 1e6 K cm^2/W.
_PARAMETER_MAX = {"turn_on_voltage_V": 1e3, "series_resistance_ohm_cm2": 1e6, "thermal_resistance_K_cm2_per_W": 1e6}


def _current(current_density):
    from .model import MAX_CURRENT_DENSITY

    j = as_float_array(current_density, "current_density")
    require_positive(j, "current_density", strict=False, unit="A/cm^2")
    if np.any(j > MAX_CURRENT_DENSITY):
        raise ValueError(f"current_density must be <= {MAX_CURRENT_DENSITY:g} A/cm^2, got {float(np.max(j))!r}")
    return j


def _check_model(model):
    if not isinstance(model, QDGainModel):
        raise TypeError(f"model must be a QDGainModel, got {type(model).__name__}")



r"""The thermal path of a layer stack: Joule heat where it is generated, 1D conduction, substrate spreading.

Model (docs/device.md s.2), per unit area of the aperture (radius ``a``), steady state:

* **Heat.** Each layer of the current path dissipates ``q_i = J V_i`` (W/cm^2) with ``V_i`` its
  drop from :class:`cavity.device.electrical.ElectricalModel`; the turn-on part
  ``J (V_on - EQE E_ph / e)`` (the electrical power that does not leave as light) is deposited
  in the emitting QD layer(s), shared by thickness.  The light out ``EQE J E_ph / e`` is the
  external quantum efficiency times the photon flux ``J / e`` times the photon energy.  The heat
  of a lead outside the aperture (``contact_radius_um``) is deposited outside the disc and is
  not counted.
* **Conduction.** Heat flows towards the heat-sinking outer medium only (the other side, air,
  is adiabatic); through each layer in series (1D, through-plane conductivity ``kappa_i``).
  With ``F`` the flux entering a layer from its far side and ``q`` the heat generated in it
  uniformly, the layer's temperature drop is ``(F + q/2) d / kappa`` and its mean temperature
  lies ``(F/2 + q/3) d / kappa`` above its sink-side face.
* **Spreading into the substrate.** The total flux ``Q = sum q_i`` leaves a disc of radius
  ``a`` into the substrate of conductivity ``kappa_s``: mean disc temperature rise

  .. math:: \Delta T = Q \, \frac{2a}{\kappa_s} \int_0^\infty
            \frac{J_1(x)^2 \tanh(x H / a)}{x^2}\, dx

  for a uniform flux over the disc and a substrate of thickness ``H`` on an isothermal heat
  sink; ``H -> inf`` is the disc on a half-space, ``Delta T = 8 Q a / (3 pi kappa_s)`` (the
  centre rises by ``Q a / kappa_s``; Carslaw & Jaeger, *Conduction of Heat in Solids*, 2nd ed.,
  s.8.2), and ``H << a`` is 1D conduction ``Q H / kappa_s``.  The same surface-temperature
  integral with ``J_0(x r/a)`` is the classical Hankel-transform solution; the isothermal disc
  (constriction resistance ``1 / (4 kappa a)``, i.e. ``pi a / (4 kappa)`` per unit area) is not
  used: a heated device area is closer to uniform flux.

The layers are 1D: valid when the stack is much thinner than ``a`` (here ~0.3 um against
tens of um); lateral heat flow in the layers, interface (Kapitza) resistances and the
temperature dependence of the conductivities are left out.

Units: A/cm^2, V, W/cm^2, K, K cm^2/W, nm, um, W/(m K).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import j1

from .._validation import require_positive, require_scalar_finite, require_scalar_range
from ..conventions import NM_TO_CM
from ..layers import Stack
from .electrical import ElectricalModel, _current
from .properties import device_properties

__all__ = ["HeatModel", "ThermalLayer", "disc_spreading_resistance"]

_UM_TO_CM = 1e-4


def _gauss_legendre_integral(f, edges, order=24):
    x, w = np.polynomial.legendre.leggauss(order)
    lo, hi = edges[:-1, None], edges[1:, None]
    xs = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
    return float(np.sum(0.5 * (hi - lo) * w * f(xs)))


def _slab_factor(h_over_a: float | None) -> float:
    """``I(H/a) = int_0^inf J1(x)^2 tanh(x H/a) / x^2 dx``; ``4 / (3 pi)`` for a half-space."""
    if h_over_a is None or h_over_a > 1e6:
        return 4.0 / (3.0 * math.pi)
    s = h_over_a
    x_max = min(max(400.0, 20.0 / s), 2e4)   # a thin slab (tanh ~ x s) needs a longer range
    # panels of width pi/2 (the oscillation of J1^2), finer near 0 when tanh varies fast
    edges = np.unique(np.concatenate([np.linspace(0.0, x_max, int(x_max / (0.5 * math.pi)) + 2), np.geomspace(1e-6, 1.0, 40) / max(s, 1e-12)]))
    edges = edges[edges <= x_max]

    def f(x):
        x = np.maximum(x, 1e-300)
        return j1(x) ** 2 * np.tanh(x * s) / x ** 2

    val = _gauss_legendre_integral(f, edges)
    # tail beyond x_max: J1^2 ~ (1 - sin 2x)/(pi x) on average 1/(pi x); tanh ~ 1 there
    tail = math.tanh(x_max * s) / (2.0 * math.pi * x_max ** 2)
    return val + tail


def disc_spreading_resistance(radius_um: float, thermal_conductivity_W_per_m_K: float, *,
                              substrate_thickness_um: float | None = None) -> float:
    r"""Area-specific thermal resistance (K cm^2/W) of a uniformly heated disc on a substrate.

    Mean temperature rise of the disc per unit heat flux:
    ``(2a/kappa) int_0^inf J1(x)^2 tanh(x H/a) / x^2 dx`` (module docstring); for the half-space
    (``substrate_thickness_um=None``) this is ``8 a / (3 pi kappa)`` (Carslaw & Jaeger s.8.2).

    Parameters
    ----------
    radius_um : float
        Disc (aperture) radius ``a`` (um).
    thermal_conductivity_W_per_m_K : float
        Substrate conductivity ``kappa`` (W/m/K).
    substrate_thickness_um : float, optional
        Substrate thickness ``H`` (um) on an isothermal heat sink; ``None``: a half-space.
    """
    a = require_scalar_finite(radius_um, "radius_um")
    k = require_scalar_finite(thermal_conductivity_W_per_m_K, "thermal_conductivity_W_per_m_K")
    require_positive(a, "radius_um", unit="um")
    require_positive(k, "thermal_conductivity_W_per_m_K", unit="W/m/K")
    h_over_a = None
    if substrate_thickness_um is not None:
        h = require_scalar_finite(substrate_thickness_um, "substrate_thickness_um")
        require_positive(h, "substrate_thickness_um", unit="um")
        h_over_a = h / a
    return 2.0 * (a * _UM_TO_CM) / (k * 1e-2) * _slab_factor(h_over_a)


@dataclass(frozen=True)
class ThermalLayer:
    """One layer of the heat column, from the heat sink outwards (immutable).

    Attributes
    ----------
    index : int
        Index into ``stack.layers``.
    label : str
    thickness_nm : float
    thermal_conductivity_W_per_m_K : float or None
        ``None`` for layers beyond the emitting layers (their heat passes through the QD film;
        their own conduction does not matter for its temperature).
    """

    index: int
    label: str
    thickness_nm: float
    thermal_conductivity_W_per_m_K: float | None


@dataclass(frozen=True)
class HeatModel:
    """Temperature rise of the QD film versus current density, from the stack (immutable).

    Build it with :meth:`from_stack`.  ``voltage(J)`` is the electrical model's;
    ``temperature_rise(J)`` is the steady (CW) rise of the emitting layers' mean temperature.

    Attributes
    ----------
    electrical : ElectricalModel
    column : tuple of ThermalLayer
        The layers from the heat sink to the far electrode.
    heat_sink : str
        ``"incident"`` or ``"substrate"``: the outer medium the heat flows into.
    sink_thermal_conductivity_W_per_m_K : float
    substrate_thickness_um : float or None
    spreading_resistance_K_cm2_per_W : float
        :func:`disc_spreading_resistance` of the aperture on the heat sink.
    external_quantum_efficiency : float
    """

    electrical: ElectricalModel
    column: tuple
    heat_sink: str
    sink_thermal_conductivity_W_per_m_K: float
    substrate_thickness_um: float | None
    spreading_resistance_K_cm2_per_W: float
    external_quantum_efficiency: float = 0.0

    @classmethod
    def from_stack(cls, stack: Stack, *, aperture_radius_um: float, external_quantum_efficiency: float = 0.0,
                   heat_sink: str = "auto", sink_thermal_conductivity_W_per_m_K: float | None = None,
                   substrate_thickness_um: float | None = None, overrides=None, **electrical_options) -> "HeatModel":
        """The heat model of ``stack`` (docs/device.md s.2).

        Parameters
        ----------
        stack : cavity.Stack
        aperture_radius_um : float
            Radius (um) of the current-focusing aperture: the heated disc.
        external_quantum_efficiency : float, default 0.0
            Photons leaving the device per injected electron, in [0, 1]; their energy is not
            heat.  The default 0 counts all electrical power as heat (an upper bound; QD-LEDs at
            high current densities have EQEs of a few percent).
        heat_sink : {"auto", "incident", "substrate"}
            The outer medium that takes the heat; the other side is adiabatic.  ``"auto"``: the
            one with the larger thermal conductivity.
        sink_thermal_conductivity_W_per_m_K : float, optional
            Replaces the sink medium's tabulated (bulk) conductivity (W/m/K).
        substrate_thickness_um : float, optional
            Thickness (um) of the heat-sink medium on an ideal isothermal heat sink; default: a
            half-space.
        overrides : mapping of str to DeviceProperties, optional
            As in :meth:`cavity.device.electrical.ElectricalModel.from_stack`; also used for
            the outer media (keyed by material name).
        **electrical_options
            Passed to :meth:`ElectricalModel.from_stack` (``electrodes``, ``aperture_layer``,
            ``turn_on_voltage_V``, ``emission_wavelength_nm``, ``turn_on_offset_V``,
            ``contact_radius_um``).
        """
        el = ElectricalModel.from_stack(stack, aperture_radius_um=aperture_radius_um, overrides=overrides,
                                        **electrical_options)
        eqe = require_scalar_range(external_quantum_efficiency, "external_quantum_efficiency", 0.0, 1.0)
        if eqe * el.photon_energy_eV > el.turn_on_voltage_V:
            raise ValueError(f"external_quantum_efficiency={eqe!r} carries {eqe * el.photon_energy_eV:.4g} eV of light "
                             f"per electron, more than the turn-on voltage {el.turn_on_voltage_V:.4g} V supplies")
        if heat_sink not in ("auto", "incident", "substrate"):
            raise ValueError(f"heat_sink must be 'auto', 'incident' or 'substrate', got {heat_sink!r}")

        def outer_k(side):
            med = stack.incident if side == "incident" else stack.substrate
            return device_properties(med, overrides=overrides,
                                     where=f"the {side} medium").substrate_thermal_conductivity_W_per_m_K

        if heat_sink == "auto":
            if sink_thermal_conductivity_W_per_m_K is not None:
                raise ValueError("sink_thermal_conductivity_W_per_m_K needs heat_sink='incident' or 'substrate'")
            k_inc, k_sub = outer_k("incident"), outer_k("substrate")
            heat_sink = "incident" if k_inc >= k_sub else "substrate"
            ks = max(k_inc, k_sub)
        elif sink_thermal_conductivity_W_per_m_K is not None:
            ks = require_scalar_finite(sink_thermal_conductivity_W_per_m_K, "sink_thermal_conductivity_W_per_m_K")
            require_positive(ks, "sink_thermal_conductivity_W_per_m_K", unit="W/m/K")
        else:
            ks = outer_k(heat_sink)
        r_spread = disc_spreading_resistance(el.aperture_radius_um, ks, substrate_thickness_um=substrate_thickness_um)

        lo, hi = el.electrodes
        emit = el.emitting_layers
        order = range(0, hi + 1) if heat_sink == "incident" else range(len(stack) - 1, lo - 1, -1)
        far_emit = max(emit) if heat_sink == "incident" else min(emit)
        column, past = [], False
        for i in order:
            lay = stack.layers[i]
            k = None
            if not past:
                k = device_properties(lay.material, overrides=overrides, layer_name=lay.name,
                                      where=f"layer {i} ({lay.label!r})").thermal_conductivity_W_per_m_K
            column.append(ThermalLayer(index=i, label=lay.label, thickness_nm=lay.thickness,
                                       thermal_conductivity_W_per_m_K=k))
            if i == far_emit:
                past = True
        h = None if substrate_thickness_um is None else float(substrate_thickness_um)
        return cls(electrical=el, column=tuple(column), heat_sink=heat_sink, sink_thermal_conductivity_W_per_m_K=float(ks),
                   substrate_thickness_um=h, spreading_resistance_K_cm2_per_W=float(r_spread),
                   external_quantum_efficiency=float(eqe))

    # ------------------------------------------------------------------ results
    def voltage(self, current_density):
        """Device voltage V(J) (V): :meth:`ElectricalModel.voltage`."""
        return self.electrical.voltage(current_density)

    def heat_per_layer(self, current_density) -> np.ndarray:
        """Heat deposited in each stack layer inside the aperture (W/cm^2), ``(n_stack_layers,) + J.shape``."""
        el = self.electrical
        j = _current(current_density)
        q = np.zeros((el.n_stack_layers,) + j.shape)
        for lay in el.layers:
            q[lay.index] = j * (lay.ohmic_ohm_cm2 * j + lay.sclc_V_per_sqrt_A_per_cm2 * np.sqrt(j))
        d = np.array([next(lay.thickness_nm for lay in el.layers if lay.index == i) for i in el.emitting_layers])
        share = d / d.sum() if d.sum() > 0 else np.full(d.size, 1.0 / d.size)
        recomb = j * (el.turn_on_voltage_V - self.external_quantum_efficiency * el.photon_energy_eV)
        for i, s in zip(el.emitting_layers, share):
            q[i] = q[i] + s * recomb
        return q

    def layer_temperature_rise(self, current_density) -> np.ndarray:
        """Mean temperature rise (K) of each layer from the sink to the last emitting layer, CW.

        Shape ``(n_stack_layers,) + J.shape``; NaN for the layers not resolved (beyond the
        emitting layers from the sink, or outside the column).
        """
        j = _current(current_density)
        q_all = self.heat_per_layer(j)
        col = self.column
        q = np.array([q_all[c.index] for c in col])                      # (m,) + J.shape
        beyond = np.cumsum(q[::-1], axis=0)[::-1] - q                     # flux entering each layer from its far side
        out = np.full(q_all.shape, np.nan)
        t_face = self.spreading_resistance_K_cm2_per_W * q.sum(axis=0)
        for c, qi, fi in zip(col, q, beyond):
            if c.thermal_conductivity_W_per_m_K is None:
                break
            r = c.thickness_nm * NM_TO_CM / (c.thermal_conductivity_W_per_m_K * 1e-2)   # K cm^2/W
            out[c.index] = t_face + r * (fi / 2.0 + qi / 3.0)
            t_face = t_face + r * (fi + qi / 2.0)
        return out

    def temperature_rise(self, current_density):
        """Steady temperature rise (K) of the QD film: the thickness-weighted mean over the emitting layers."""
        j = _current(current_density)
        t = self.layer_temperature_rise(j)
        el = self.electrical
        d = np.array([next(lay.thickness_nm for lay in el.layers if lay.index == i) for i in el.emitting_layers])
        w = d / d.sum() if d.sum() > 0 else np.full(d.size, 1.0 / d.size)
        out = sum(wi * t[i] for wi, i in zip(w, el.emitting_layers))
        out = np.asarray(out, dtype=float)
        return float(out) if out.ndim == 0 else out

    @property
    def qd_thermal_resistance_K_cm2_per_W(self) -> float:
        """Mean QD-film temperature rise per unit heat flux deposited in the QD film (K cm^2/W).

        ``R_spread + sum_(sink..QD) d_i / kappa_i`` with the QD film's own share ``d/(3 kappa)``;
        a single number for reports (``temperature_rise`` follows the actual heat distribution).
        """
        el = self.electrical
        r = self.spreading_resistance_K_cm2_per_W
        emit = set(el.emitting_layers)
        for c in self.column:
            rc = c.thickness_nm * NM_TO_CM / (c.thermal_conductivity_W_per_m_K * 1e-2)
            if c.index in emit:
                return r + rc / 3.0
            r += rc
        return r  # pragma: no cover - the column always reaches an emitting layer

    def describe(self, current_density: float) -> str:
        """V, heat and temperature at one current density (for reports)."""
        j = float(require_scalar_finite(current_density, "current_density"))
        q = self.heat_per_layer(j)
        return (self.electrical.describe(j) + "\n"
                + f"heat {float(q.sum()):.4g} W/cm^2 into the {self.heat_sink} medium "
                  f"(kappa {self.sink_thermal_conductivity_W_per_m_K:g} W/m/K, spreading "
                  f"{self.spreading_resistance_K_cm2_per_W:.4g} K cm^2/W); QD film dT = {self.temperature_rise(j):.3g} K (CW)")

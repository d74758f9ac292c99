r"""The thermal path of a layer stack: Joule heat where it is generated, conducted through the layers into the substrate.

Model (docs/device.md s.2), steady state, axisymmetric:

* **Heat.** Each layer of the current path dissipates ``q_i = J V_i`` (W/cm^2 of aperture) with
  ``V_i`` its drop from :class:`cavity.device.electrical.ElectricalModel`, uniformly through its
  thickness and over the aperture disc (radius ``a``); the turn-on part
  ``J (V_on - EQE E_ph / e)`` (the electrical power that does not leave as light) is deposited
  in the emitting QD layer(s), shared by thickness.  The light out ``EQE J E_ph / e`` is the
  external quantum efficiency times the photon flux ``J / e`` times the photon energy.  The heat
  of a lead outside the aperture (``contact_radius_um``) is deposited outside the disc and is
  not counted.
* **Conduction.** Every layer of the stack is a laterally infinite slab of its through-plane
  conductivity ``kappa_i`` (isotropic); the heat-sinking outer medium (conductivity
  ``kappa_s``) is a half-space, or a slab of thickness ``H`` on an isothermal heat sink; the
  other outer medium (air) is adiabatic.  The heat equation is solved exactly by a Hankel
  transform in ``r``: for each radial wavenumber ``lambda`` the temperature in layer ``i``
  obeys ``theta'' - lambda^2 theta = -sigma_i / kappa_i`` (``sigma_i`` the transform of the
  layer's volumetric heat, ``a J_1(lambda a) / lambda`` times its density); ``theta`` and the
  flux ``kappa theta'`` are carried across the layers by the 2x2 transfer matrix
  ``[[cosh, sinh/(kappa lambda)], [kappa lambda sinh, cosh]]`` with the source terms, the top is
  adiabatic and the substrate surface obeys ``theta = F tanh(lambda H) / (kappa_s lambda)``.  The
  QD film's temperature rise is its mean over the film thickness and the disc,
  ``int theta_mean(lambda) 2 J_1(lambda a) / a dlambda``.  Lateral heat spreading in the layers
  (a metal electrode is a heat spreader) is included.
* **Limits** (tested): without layers the mean rise of a uniformly heated disc,

  .. math:: \Delta T = Q \, \frac{2a}{\kappa_s} \int_0^\infty
            \frac{J_1(x)^2 \tanh(x H / a)}{x^2}\, dx

  (:func:`disc_spreading_resistance`), which is ``8 Q a / (3 pi kappa_s)`` for a half-space (the
  centre rises by ``Q a / kappa_s``; Carslaw & Jaeger, *Conduction of Heat in Solids*, 2nd ed.,
  s.8.2) and 1D conduction ``Q H / kappa_s`` for ``H << a``; for ``a`` much larger than the
  stack, 1D conduction through the layers in series, ``Delta T = sum (F_i + q_i/2) d_i / kappa_i``
  with the mean of a heated layer ``(F/2 + q/3) d / kappa`` above its sink-side face.  The
  isothermal disc (constriction resistance ``1 / (4 kappa a)``) is not used: a heated device area
  is closer to uniform flux.

Left out: interface (Kapitza) resistances, anisotropic conductivities, their temperature
dependence, convection and radiation from the free surface, the finite lateral extent of the
layers.

Units: A/cm^2, V, W/cm^2, K, K cm^2/W, nm, um, W/(m K).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import j1

from .._validation import require_positive, require_scalar_finite, require_scalar_range
from ..conventions import NM_TO_CM
from ..layers import Stack
from .electrical import ElectricalModel, _current
from .properties import DeviceProperties, device_properties

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
    edges = np.unique(np.concatenate([np.linspace(0.0, x_max, int(x_max / (0.5 * math.pi)) + 2),
                                      np.geomspace(1e-6, 1.0, 40) / max(s, 1e-12)]))
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


def _safe(x):
    return np.where(x > 0, x, 1.0)


def _tanhc(x):
    """tanh(x)/x (1 at 0)."""
    return np.where(x > 1e-8, np.tanh(_safe(x)) / _safe(x), 1.0)


def _one_minus_sech_over_x2(x, sech):
    """(1 - sech x)/x^2 without cancellation: 2 sinh^2(x/2) sech(x) / x^2 below 1 (1/2 at 0)."""
    xs = _safe(x)
    return np.where(x < 1.0, np.where(x > 1e-8, 2.0 * np.sinh(0.5 * xs) ** 2 * sech / xs ** 2, 0.5),
                    (1.0 - sech) / xs ** 2)


def _small_x_functions(x):
    """sinh(x)/x, (cosh x - 1)/x^2, (sinh x - x)/x^3 for 0 <= x < 1, Taylor series near 0."""
    xs = _safe(x)
    S = np.where(x > 1e-8, np.sinh(xs) / xs, 1.0)
    g = np.where(x > 1e-3, (np.cosh(xs) - 1.0) / xs ** 2, 0.5 + x * x / 24.0)
    h = np.where(x > 1e-2, (np.sinh(xs) - xs) / xs ** 3, 1.0 / 6.0 + x * x / 120.0)
    return S, g, h


def _layered_disc_means(a_cm: float, t_cm: np.ndarray, k: np.ndarray, density: np.ndarray, k_sink: float,
                        h_sink_cm: float | None) -> np.ndarray:
    """Mean temperature rise (K) of every layer over the disc for a volumetric heat ``density`` (W/cm^3).

    Layers are listed from the heat sink outwards (``t_cm`` thickness, ``k`` W/cm/K); the heat is
    uniform over the disc ``r < a`` and through each layer's thickness.  Hankel-transform solution
    of the module docstring, in a stable (impedance) form: going up from the sink, each layer
    boundary carries ``theta = Z F + W`` with

        Z_top = (Z + T/(k lam)) / (1 + k lam T Z),
        W_top = W sech(x) / (1 + k lam T Z) + sigma [Z t T/x + (t^2/k)(1 - sech x)/x^2] / (1 + k lam T Z),

    ``x = lam t``, ``T = tanh x`` (only bounded functions of ``x``); the adiabatic top gives
    ``theta_top = W_top``, and going down again ``F_bottom = [F_top sech x - k lam T W + sigma t
    tanh(x)/x] / (1 + k lam T Z)``.  A layer's mean is ``(F_top - F_bottom + sigma t)/(k lam^2 t)``
    for ``x >= 1`` and its Taylor-safe form ``theta_b sinh(x)/x + F_b t (cosh x - 1)/(k x^2) -
    (sigma/k) t^2 (sinh x - x)/x^3`` below.  The integral over ``x' = lam a`` uses 24-point
    Gauss-Legendre panels of width pi/2 (the period of ``J_1^2``) up to 2000, refined
    geometrically near 0, plus the tail beyond (where ``2 J_1^2/x'`` averages ``2/(pi x'^2)``).
    """
    x_max = 2000.0
    edges = np.unique(np.concatenate([np.linspace(0.0, x_max, int(x_max / (0.5 * math.pi)) + 2),
                                      np.geomspace(1e-5, x_max, 200)]))
    xg, wg = np.polynomial.legendre.leggauss(24)
    lo, hi = edges[:-1, None], edges[1:, None]
    xa = (0.5 * (hi - lo) * xg + 0.5 * (hi + lo)).ravel()
    w = (0.5 * (hi - lo) * wg).ravel() * 2.0 * j1(xa) ** 2 / xa        # weight 2 J1(x')^2 / x' dx'
    tail = 2.0 / (math.pi * xa[-1])
    lam = xa / a_cm
    m = t_cm.size
    # the disc's transform a J1(lam a)/lam is in the weight: the per-lam source of layer i is density[i]
    z = (np.tanh(lam * h_sink_cm) if h_sink_cm is not None else 1.0) / (k_sink * lam)
    wv = np.zeros_like(lam)
    below = []
    with np.errstate(over="ignore"):
        for i in range(m):                       # up from the sink
            t, ki, sg = t_cm[i], k[i], density[i]
            x = lam * t
            T, sech = np.tanh(x), 1.0 / np.cosh(x)
            den = 1.0 + ki * lam * T * z
            t_over_x = _tanhc(x)
            one_minus_sech_x2 = _one_minus_sech_over_x2(x, sech)
            below.append((z, wv, x, T, sech, den, t_over_x))
            z_new = (z + T / (ki * lam)) / den
            wv = wv * sech / den + sg * (z * t * t_over_x + (t * t / ki) * one_minus_sech_x2) / den
            z = z_new
        flux = np.zeros_like(lam)                 # adiabatic top (theta there is wv)
        means = np.empty(m)
        for i in range(m - 1, -1, -1):           # down again
            t, ki, sg = t_cm[i], k[i], density[i]
            zb, wb, x, T, sech, den, t_over_x = below[i]
            f_b = (flux * sech - ki * lam * T * wb + sg * t * t_over_x) / den
            th_b = zb * f_b + wb
            if t <= 0:
                mean = th_b
            else:
                small = x < 1.0
                S, g, h = _small_x_functions(np.where(small, x, 0.5))
                series = th_b * S + f_b * t * g / ki - (sg / ki) * t * t * h
                ident = (flux - f_b + sg * t) / (ki * lam * lam * t)
                mean = np.where(small, series, ident)
            means[i] = float(np.sum(w * mean) + mean[-1] * tail)
            flux = f_b
    return means


@dataclass(frozen=True)
class ThermalLayer:
    """One layer of the heat column, from the heat sink outwards (immutable).

    Attributes
    ----------
    index : int
        Index into ``stack.layers``.
    label : str
    thickness_nm : float
    thermal_conductivity_W_per_m_K : float
    qd_response_K_cm2_per_W : float
        Mean temperature rise of the QD film per unit heat (W/cm^2 of aperture) deposited in
        this layer (K cm^2/W).
    """

    index: int
    label: str
    thickness_nm: float
    thermal_conductivity_W_per_m_K: float
    qd_response_K_cm2_per_W: float


@dataclass(frozen=True)
class HeatModel:
    """Temperature rise of the QD film versus current density, from the stack (immutable).

    Build it with :meth:`from_stack`.  ``voltage(J)`` is the electrical model's;
    ``temperature_rise(J) = sum_i R_i q_i(J)``: the heat of each layer times its
    ``qd_response_K_cm2_per_W`` (the conduction problem is linear; the responses are computed
    once, by reciprocity from one solution with the QD film heated).

    Attributes
    ----------
    electrical : ElectricalModel
    column : tuple of ThermalLayer
        Every layer of the stack, from the heat sink outwards.
    heat_sink : str
        ``"incident"`` or ``"substrate"``: the outer medium the heat flows into.
    sink_thermal_conductivity_W_per_m_K : float
    substrate_thickness_um : float or None
    spreading_resistance_K_cm2_per_W : float
        :func:`disc_spreading_resistance` of the aperture on the bare heat sink (for reports).
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
                   substrate_thickness_um: float | None = None, overrides: Mapping[str, DeviceProperties] | None = None,
                   **electrical_options: Any) -> HeatModel:
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
            the outer media (keyed by material name).  Every layer of the stack needs a thermal
            conductivity (all of them conduct heat, sideways too).
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
        h = None
        if substrate_thickness_um is not None:
            h = require_scalar_finite(substrate_thickness_um, "substrate_thickness_um")
            require_positive(h, "substrate_thickness_um", unit="um")
        r_spread = disc_spreading_resistance(el.aperture_radius_um, ks, substrate_thickness_um=h)

        order = list(range(len(stack))) if heat_sink == "incident" else list(range(len(stack) - 1, -1, -1))
        kappa = [device_properties(stack.layers[i].material, overrides=overrides, layer_name=stack.layers[i].name,
                                   where=f"layer {i} ({stack.layers[i].label!r})").thermal_conductivity_W_per_m_K
                 for i in order]
        t_cm = np.array([stack.layers[i].thickness * NM_TO_CM for i in order])
        k_cm = np.array(kappa) * 1e-2
        emit = set(el.emitting_layers)
        t_emit = sum(stack.layers[i].thickness for i in emit) * NM_TO_CM
        if t_emit <= 0:
            raise ValueError("the emitting QD layer(s) have zero thickness: no volume to heat")
        density = np.array([1.0 if i in emit else 0.0 for i in order])
        means = _layered_disc_means(el.aperture_radius_um * _UM_TO_CM, t_cm, k_cm, density, ks * 1e-2,
                                    None if h is None else h * _UM_TO_CM)
        # reciprocity: the QD film's mean rise per unit heat q_i (W/cm^2) in layer i is the mean
        # rise of layer i per unit density in the QD film, divided by the QD film's thickness
        column = tuple(ThermalLayer(index=i, label=stack.layers[i].label, thickness_nm=stack.layers[i].thickness,
                                    thermal_conductivity_W_per_m_K=float(kp), qd_response_K_cm2_per_W=float(mi / t_emit))
                       for i, kp, mi in zip(order, kappa, means))
        return cls(electrical=el, column=column, heat_sink=heat_sink, sink_thermal_conductivity_W_per_m_K=float(ks),
                   substrate_thickness_um=h, spreading_resistance_K_cm2_per_W=float(r_spread),
                   external_quantum_efficiency=float(eqe))

    # ------------------------------------------------------------------ results
    def voltage(self, current_density: ArrayLike) -> np.ndarray | float:
        """Device voltage V(J) (V): :meth:`ElectricalModel.voltage`."""
        return self.electrical.voltage(current_density)

    def heat_per_layer(self, current_density: ArrayLike) -> np.ndarray:
        """Heat deposited in each stack layer inside the aperture (W/cm^2), ``(n_stack_layers,) + J.shape``."""
        el = self.electrical
        j = _current(current_density)
        q = np.zeros((el.n_stack_layers,) + j.shape)
        for lay in el.layers:
            q[lay.index] = j * (lay.ohmic_ohm_cm2 * j + lay.sclc_V_per_sqrt_A_per_cm2 * np.sqrt(j))
        d = np.array([next(lay.thickness_nm for lay in el.layers if lay.index == i) for i in el.emitting_layers])
        share = d / d.sum()
        recomb = j * (el.turn_on_voltage_V - self.external_quantum_efficiency * el.photon_energy_eV)
        for i, s in zip(el.emitting_layers, share):
            q[i] = q[i] + s * recomb
        return q

    def temperature_rise(self, current_density: ArrayLike) -> np.ndarray | float:
        """Steady (CW) temperature rise (K) of the QD film: its mean over the film(s) and the aperture."""
        q = self.heat_per_layer(current_density)
        t = sum(c.qd_response_K_cm2_per_W * q[c.index] for c in self.column)
        t = np.asarray(t, dtype=float)
        return float(t) if t.ndim == 0 else t

    @property
    def qd_thermal_resistance_K_cm2_per_W(self) -> float:
        """Mean QD-film temperature rise per unit heat flux deposited in the QD film itself (K cm^2/W)."""
        el = self.electrical
        d = {i: next(lay.thickness_nm for lay in el.layers if lay.index == i) for i in el.emitting_layers}
        tot = sum(d.values())
        return float(sum(c.qd_response_K_cm2_per_W * d[c.index] / tot for c in self.column if c.index in d))

    def describe(self, current_density: float) -> str:
        """V, heat and temperature at one current density (for reports)."""
        j = float(require_scalar_finite(current_density, "current_density"))
        q = self.heat_per_layer(j)
        return (self.electrical.describe(j) + "\n"
                + f"heat {float(q.sum()):.4g} W/cm^2 into the {self.heat_sink} medium "
                  f"(kappa {self.sink_thermal_conductivity_W_per_m_K:g} W/m/K; bare-substrate spreading "
                  f"{self.spreading_resistance_K_cm2_per_W:.4g} K cm^2/W); QD film dT = {self.temperature_rise(j):.3g} K (CW)")

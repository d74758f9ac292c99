r"""The electrical path of a layer stack: V(J) from each layer's role and transport constants.

Model (docs/device.md s.1), for the current density ``J`` (A/cm^2) flowing vertically through a
circular current-focusing aperture of radius ``a`` between two electrodes:

.. math::
    V(J) = V_{on} + \sum_{\text{ohmic}} \frac{d_i}{\sigma_i} J
           + \sum_{\text{SCLC}} \sqrt{\frac{8 J d_i^3}{9 \varepsilon_0 \varepsilon_{r,i} \mu_i}}
           + \sum_{\text{electrodes}} \frac{R_{\square} a^2}{8} J
           \;\Big[+ \frac{R_{\square} a^2}{2} \ln\frac{b}{a} J\Big]

* ``V_on``: the turn-on voltage, by default the photon energy at the emission wavelength over
  ``e`` (``1239.84 / lambda_nm`` V) plus a documented offset (default 0); or a given value.
* Ohmic layers (``TRANSPORT``, and electrodes lying inside the path): drop ``J d / sigma``.
* Space-charge-limited layers (``ORGANIC_TRANSPORT``, ``QD_FILM``): the trap-free
  single-carrier Mott-Gurney law ``J = (9/8) eps0 eps_r mu V^2 / d^3`` (Mott & Gurney,
  *Electronic Processes in Ionic Crystals*, 1940), inverted.
* The two electrodes: the lateral spreading resistance of a sheet ``R_sq = 1 / (sigma t)``
  feeding a disc of radius ``a`` from its rim, with the current leaving the sheet uniformly over
  the disc.  The radial current ``I(r) = J pi r^2`` gives ``phi(r) = phi(0) + R_sq J r^2 / 4``;
  the mean drop over the disc (equal to the power-equivalent one for uniform ``J``) is
  ``R_sq J a^2 / 8``: an absolute resistance ``R_sq / (8 pi)``, or ``R_sq a^2 / 8`` per unit
  area.  With ``contact_radius_um = b`` the annular lead from a ring contact at ``b`` to the
  aperture rim adds ``R_sq ln(b/a) / (2 pi)`` (area-specific ``R_sq a^2 ln(b/a) / 2``).
* ``INSULATOR`` layers block: a stack with one between its electrodes is refused, except the
  current-focusing spacer named ``aperture_layer``: inside its opening the current does not
  cross the spacer (the layers deposited over it fill the opening), so it adds no drop.

Units: A/cm^2, V, Ohm cm^2, nm (thicknesses), um (radii), S/cm, cm^2/(V s).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_float_array, require_positive, require_scalar_finite
from ..conventions import HC_EV_NM, NM_TO_CM
from ..layers import Stack
from .properties import DeviceProperties, ElectricalRole, device_properties

__all__ = ["ElectricalModel", "ElectricalLayer", "NoConductingPath", "VACUUM_PERMITTIVITY_F_PER_CM",
           "mott_gurney_voltage", "disc_spreading_resistance_ohm_cm2"]

#: vacuum permittivity (F/cm): CODATA 2018, 8.8541878128e-12 F/m
VACUUM_PERMITTIVITY_F_PER_CM = 8.8541878128e-14
_UM_TO_CM = 1e-4
_MAX_J = 1e20  # the gain model's MAX_CURRENT_DENSITY (A/cm^2)


class NoConductingPath(ValueError):
    """The stack has no conducting path between two electrodes (the message names the layer)."""


def mott_gurney_voltage(current_density: ArrayLike, thickness_nm: float, mobility_cm2_per_Vs: float,
                        relative_permittivity: float) -> float | NDArray[np.float64]:
    r"""Voltage (V) across a trap-free single-carrier layer at ``J``: the Mott-Gurney law inverted.

    .. math:: J = \frac{9}{8} \varepsilon_0 \varepsilon_r \mu \frac{V^2}{d^3}
              \;\Rightarrow\; V = \sqrt{\frac{8 J d^3}{9 \varepsilon_0 \varepsilon_r \mu}}

    ``J`` in A/cm^2 (array or scalar), ``d`` in nm, ``mu`` in cm^2/(V s); eps0 in F/cm.
    """
    j = _current(current_density)
    d = require_scalar_finite(thickness_nm, "thickness_nm")
    mu = require_scalar_finite(mobility_cm2_per_Vs, "mobility_cm2_per_Vs")
    er = require_scalar_finite(relative_permittivity, "relative_permittivity")
    require_positive(d, "thickness_nm", strict=False, unit="nm")
    require_positive(mu, "mobility_cm2_per_Vs", unit="cm^2/Vs")
    require_positive(er, "relative_permittivity")
    v = _sclc_coefficient(d, mu, er) * np.sqrt(j)
    return float(v) if v.ndim == 0 else v


def disc_spreading_resistance_ohm_cm2(sheet_resistance_ohm: float, radius_um: float) -> float:
    """Area-specific lateral spreading resistance ``R_sq a^2 / 8`` (Ohm cm^2) of a sheet feeding a disc.

    Uniform vertical current over a disc of radius ``a`` drawn from a sheet of resistance
    ``R_sq`` (Ohm/sq) held at a fixed potential on the rim: the absolute resistance is
    ``R_sq / (8 pi)`` (module docstring).
    """
    rs = require_scalar_finite(sheet_resistance_ohm, "sheet_resistance_ohm")
    a = require_scalar_finite(radius_um, "radius_um")
    require_positive(rs, "sheet_resistance_ohm", strict=False, unit="Ohm/sq")
    require_positive(a, "radius_um", unit="um")
    return rs * (a * _UM_TO_CM) ** 2 / 8.0


def _sclc_coefficient(d_nm, mu, eps_r):
    """``c`` with ``V = c sqrt(J)`` for the Mott-Gurney law (V (A/cm^2)^-1/2)."""
    d = d_nm * NM_TO_CM
    return math.sqrt(8.0 * d ** 3 / (9.0 * VACUUM_PERMITTIVITY_F_PER_CM * eps_r * mu))


def _current(current_density):
    j = as_float_array(current_density, "current_density")
    require_positive(j, "current_density", strict=False, unit="A/cm^2")
    if np.any(j > _MAX_J):
        raise ValueError(f"current_density must be <= {_MAX_J:g} A/cm^2, got {float(np.max(j))!r}")
    return j


@dataclass(frozen=True)
class ElectricalLayer:
    """One layer of the current path (immutable).

    Attributes
    ----------
    index : int
        Index into ``stack.layers``.
    label, material : str
        The layer's name and its material's name.
    role : ElectricalRole
    thickness_nm : float
    law : str
        ``"ohmic"`` (drop ``ohmic_ohm_cm2 * J``), ``"space-charge"`` (drop
        ``sclc_V_per_sqrt_A_per_cm2 * sqrt(J)``), ``"electrode"`` (drop ``ohmic_ohm_cm2 * J``:
        the lateral spreading, plus ``access_ohm_cm2 * J`` of the lead when a contact radius is
        given), ``"aperture"`` (the opened spacer, no drop) or ``"absent"`` (zero thickness).
    ohmic_ohm_cm2, sclc_V_per_sqrt_A_per_cm2, access_ohm_cm2 : float
        The coefficients of the drop (zero where they do not apply).
    sheet_resistance_ohm : float
        ``1 / (sigma t)`` for electrodes (Ohm/sq), else 0.
    """

    index: int
    label: str
    material: str
    role: ElectricalRole
    thickness_nm: float
    law: str
    ohmic_ohm_cm2: float = 0.0
    sclc_V_per_sqrt_A_per_cm2: float = 0.0
    access_ohm_cm2: float = 0.0
    sheet_resistance_ohm: float = 0.0

    def drop(self, j: np.ndarray) -> np.ndarray:
        """Voltage across this layer (V) at the current densities ``j`` (A/cm^2, validated)."""
        return (self.ohmic_ohm_cm2 + self.access_ohm_cm2) * j + self.sclc_V_per_sqrt_A_per_cm2 * np.sqrt(j)


def _where(stack: Stack, i: int) -> str:
    return f"layer {i} ({stack.layers[i].label!r})"


@dataclass(frozen=True)
class ElectricalModel:
    """V(J) of a stack's current path (immutable; build it with :meth:`from_stack`).

    Attributes
    ----------
    layers : tuple of ElectricalLayer
        The path from one electrode to the other, in stack order (electrodes included).
    n_stack_layers : int
        Number of layers of the stack the model was built from.
    electrodes : (int, int)
        Indices of the two electrodes (stack order).
    emitting_layers : tuple of int
        The QD film(s) where the carriers recombine (the gain layers of the path, else its
        ``QD_FILM`` layers).
    turn_on_voltage_V : float
    emission_wavelength_nm : float
        Wavelength that sets the photon energy (and the default turn-on).
    aperture_radius_um : float
    aperture_layer : int or None
    contact_radius_um : float or None
    """

    layers: tuple
    n_stack_layers: int
    electrodes: tuple
    emitting_layers: tuple
    turn_on_voltage_V: float
    emission_wavelength_nm: float
    aperture_radius_um: float
    aperture_layer: int | None = None
    contact_radius_um: float | None = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_stack(cls, stack: Stack, *, aperture_radius_um: float, electrodes: Sequence[int | str] | None = None,
                   aperture_layer: int | str | None = None, turn_on_voltage_V: float | None = None,
                   emission_wavelength_nm: float = 625.0, turn_on_offset_V: float = 0.0,
                   contact_radius_um: float | None = None,
                   overrides: Mapping[str, DeviceProperties] | None = None) -> ElectricalModel:
        """The electrical model of ``stack`` (docs/device.md s.1).

        Parameters
        ----------
        stack : cavity.Stack
        aperture_radius_um : float
            Radius ``a`` (um) of the circular current-focusing aperture (the injected area).
        electrodes : (int or str, int or str), optional
            The two contacts, by index or layer name.  Default: the ``ELECTRODE`` layers nearest
            to the emitting layers on either side.
        aperture_layer : int or str, optional
            The insulating current-focusing spacer whose opening defines the aperture; it adds
            no drop (inside the opening the current does not cross it).  Any other insulator
            between the electrodes blocks the current and the stack is refused.
        turn_on_voltage_V : float, optional
            The diode's turn-on voltage (V).  Default ``1239.84 / emission_wavelength_nm +
            turn_on_offset_V``: the photon energy over ``e`` (a QD-LED turns on near the band-gap
            voltage; ZnO-based QLEDs have been reported to turn on as low as ~1.6 V, Pan et
            al., RSC Adv. 2015, so this is an approximation).
        emission_wavelength_nm : float, default 625.0
            Emission wavelength (nm): sets the photon energy.
        turn_on_offset_V : float, default 0.0
            Added to the photon-energy turn-on (band offsets at the injecting interfaces).
        contact_radius_um : float, optional
            Radius ``b > a`` (um) of a ring contact feeding the electrodes; adds the annular lead
            resistance ``R_sq ln(b/a) / (2 pi)`` of each electrode.  Default: none (the
            electrodes are held at their potential at the aperture rim).
        overrides : mapping of str to DeviceProperties, optional
            Properties by layer name or material name, replacing the built-in table
            (:func:`cavity.device.properties.device_properties`).

        Raises
        ------
        NoConductingPath
            Fewer than two electrodes around the emitting layers, or an insulator between them
            (the message names the blocking layer).
        cavity.device.properties.UnknownDeviceMaterial
            A layer of the path (or on the way to an electrode) has unknown properties.
        """
        if not isinstance(stack, Stack):
            raise TypeError(f"stack must be a cavity.Stack, got {type(stack).__name__}")
        a = require_scalar_finite(aperture_radius_um, "aperture_radius_um")
        require_positive(a, "aperture_radius_um", unit="um")
        lam = require_scalar_finite(emission_wavelength_nm, "emission_wavelength_nm")
        require_positive(lam, "emission_wavelength_nm", unit="nm")
        if turn_on_voltage_V is None:
            off = require_scalar_finite(turn_on_offset_V, "turn_on_offset_V")
            von = HC_EV_NM / lam + off
        else:
            von = require_scalar_finite(turn_on_voltage_V, "turn_on_voltage_V")
        require_positive(von, "turn_on_voltage_V", strict=False, unit="V")
        b = None
        if contact_radius_um is not None:
            b = require_scalar_finite(contact_radius_um, "contact_radius_um")
            if not b > a:
                raise ValueError(f"contact_radius_um must be > aperture_radius_um = {a!r} um, got {contact_radius_um!r}")

        cache: dict[int, DeviceProperties] = {}

        def props(i):
            if i not in cache:
                lay = stack.layers[i]
                cache[i] = device_properties(lay.material, overrides=overrides, layer_name=lay.name,
                                             where=_where(stack, i))
            return cache[i]

        n = len(stack)
        ap = None if aperture_layer is None else stack.layer_index(aperture_layer, "aperture_layer")
        if electrodes is not None:
            if isinstance(electrodes, (str, bytes)) or len(electrodes) != 2:
                raise ValueError(f"electrodes must be a pair of layer indices or names, got {electrodes!r}")
            e0, e1 = (stack.layer_index(e, f"electrodes[{k}]") for k, e in enumerate(electrodes))
            if e0 == e1:
                raise ValueError(f"electrodes must be two different layers, got {electrodes!r}")
            lo, hi = sorted((e0, e1))
            for e in (lo, hi):
                if props(e).conductivity_S_per_cm is None:
                    raise NoConductingPath(f"{_where(stack, e)} ({stack.layers[e].material.name!r}, role "
                                           f"{props(e).role.value}) cannot be an electrode: it has no conductivity")
            inside = range(lo + 1, hi)
            emit = tuple(i for i in inside if stack.layers[i].gain) or \
                tuple(i for i in inside if props(i).role is ElectricalRole.QD_FILM)
            if not emit:
                raise NoConductingPath(f"no QD film (gain layer or QD_FILM role) between the electrodes "
                                       f"{_where(stack, lo)} and {_where(stack, hi)}")
        else:
            emit = tuple(stack.gain_layer_indices)
            if not emit:
                emit = tuple(i for i in range(n) if props(i).role is ElectricalRole.QD_FILM)
            if not emit:
                raise NoConductingPath("the stack has no gain layer and no QD film: mark the QD film gain=True or "
                                       "name the electrodes")
            lo_found: int | None = None
            hi_found: int | None = None
            for i in range(min(emit) - 1, -1, -1):
                if props(i).role is ElectricalRole.ELECTRODE and stack.layers[i].thickness > 0:
                    lo_found = i
                    break
            for i in range(max(emit) + 1, n):
                if props(i).role is ElectricalRole.ELECTRODE and stack.layers[i].thickness > 0:
                    hi_found = i
                    break
            for side, found, rng in (("incident", lo_found, range(0, min(emit))),
                                     ("substrate", hi_found, range(max(emit) + 1, n))):
                if found is None:
                    listed = ", ".join(f"{i} ({stack.layers[i].label!r}: {props(i).role.value})" for i in rng) or "none"
                    raise NoConductingPath(f"fewer than two electrodes: no electrode on the {side} side of the QD film "
                                           f"(layers {listed}); a stack needs an ELECTRODE layer on each side of its "
                                           f"QD film, or name them with electrodes=(...)")
            assert lo_found is not None and hi_found is not None
            lo, hi = lo_found, hi_found
        if ap is not None:
            if not lo < ap < hi:
                raise ValueError(f"aperture_layer={aperture_layer!r} ({_where(stack, ap)}) is not between the electrodes "
                                 f"{_where(stack, lo)} and {_where(stack, hi)}")
            if props(ap).role is not ElectricalRole.INSULATOR:
                raise ValueError(f"aperture_layer={aperture_layer!r} ({_where(stack, ap)}) is a "
                                 f"{props(ap).role.value}, not an insulating spacer")

        out = []
        for i in range(lo, hi + 1):
            lay, p = stack.layers[i], props(i)
            common = dict(index=i, label=lay.label, material=str(lay.material.name), role=p.role,
                          thickness_nm=lay.thickness)
            if i in (lo, hi):
                if lay.thickness <= 0:
                    raise NoConductingPath(f"electrode {_where(stack, i)} has zero thickness")
                rsq = 1.0 / (p.conductivity_S_per_cm * lay.thickness * NM_TO_CM)
                acc = 0.0 if b is None else rsq * (a * _UM_TO_CM) ** 2 * math.log(b / a) / 2.0
                out.append(ElectricalLayer(**common, law="electrode", ohmic_ohm_cm2=disc_spreading_resistance_ohm_cm2(rsq, a),
                                           access_ohm_cm2=acc, sheet_resistance_ohm=rsq))
            elif lay.thickness <= 0:
                out.append(ElectricalLayer(**common, law="absent"))
            elif i == ap:
                out.append(ElectricalLayer(**common, law="aperture"))
            elif p.role is ElectricalRole.INSULATOR:
                raise NoConductingPath(
                    f"no conducting path between the electrodes {_where(stack, lo)} and {_where(stack, hi)}: "
                    f"{_where(stack, i)} of {lay.material.name!r} is an insulator across the whole path (if it is the "
                    f"current-focusing spacer with the aperture opening, pass aperture_layer={i})")
            elif p.role in (ElectricalRole.ORGANIC_TRANSPORT, ElectricalRole.QD_FILM):
                out.append(ElectricalLayer(**common, law="space-charge", sclc_V_per_sqrt_A_per_cm2=_sclc_coefficient(
                    lay.thickness, p.mobility_cm2_per_Vs, p.relative_permittivity)))
            else:  # TRANSPORT, or an electrode material inside the path
                out.append(ElectricalLayer(**common, law="ohmic",
                                           ohmic_ohm_cm2=lay.thickness * NM_TO_CM / p.conductivity_S_per_cm))
        return cls(layers=tuple(out), n_stack_layers=n, electrodes=(lo, hi), emitting_layers=tuple(emit),
                   turn_on_voltage_V=float(von), emission_wavelength_nm=float(lam), aperture_radius_um=float(a),
                   aperture_layer=ap, contact_radius_um=b)

    # ------------------------------------------------------------------ results
    @property
    def photon_energy_eV(self) -> float:
        """``hc / lambda`` at the emission wavelength (eV)."""
        return HC_EV_NM / self.emission_wavelength_nm

    @property
    def series_resistance_ohm_cm2(self) -> float:
        """The ohmic (linear) part of V(J): ohmic layers, spreading and lead resistances (Ohm cm^2)."""
        return float(sum(lay.ohmic_ohm_cm2 + lay.access_ohm_cm2 for lay in self.layers))

    @property
    def space_charge_coefficient(self) -> float:
        """Sum of the Mott-Gurney coefficients ``c_i`` (V (A/cm^2)^-1/2): their drop is ``c sqrt(J)``."""
        return float(sum(lay.sclc_V_per_sqrt_A_per_cm2 for lay in self.layers))

    def voltage(self, current_density: ArrayLike) -> np.ndarray | float:
        """Device voltage V(J) (V) at the current density(ies) (A/cm^2): turn-on plus every drop."""
        j = _current(current_density)
        v = self.turn_on_voltage_V + self.series_resistance_ohm_cm2 * j + self.space_charge_coefficient * np.sqrt(j)
        return float(v) if v.ndim == 0 else v

    def per_layer_drop(self, current_density: ArrayLike) -> np.ndarray:
        """Voltage across each layer of the stack (V), shape ``(n_stack_layers,) + J.shape``.

        Layers outside the path are 0; an electrode's entry is its lateral spreading (and lead)
        drop.  ``voltage(J) == turn_on_voltage_V + per_layer_drop(J).sum(axis=0)``.
        """
        j = _current(current_density)
        out = np.zeros((self.n_stack_layers,) + j.shape)
        for lay in self.layers:
            out[lay.index] = lay.drop(j)
        return out

    def describe(self, current_density: float) -> str:
        """A table of the drops at one current density (for reports)."""
        j = float(require_scalar_finite(current_density, "current_density"))
        drops = self.per_layer_drop(j)
        rows = [f"V({j:g} A/cm^2) = {self.voltage(j):.3f} V: turn-on {self.turn_on_voltage_V:.3f} V"]
        for lay in self.layers:
            rows.append(f"  {lay.index:>3} {lay.label:<16} {lay.role.value:<18} {lay.law:<12} {drops[lay.index]:.4g} V")
        return "\n".join(rows)

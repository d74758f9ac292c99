"""Electrical and thermal properties of the device materials, looked up by the layer's material.

The optical constants of a layer come from :mod:`materials`; the numbers a current and a heat
flow need (conductivity, mobility, permittivity, thermal conductivity) and the layer's
*electrical role* live here, keyed by the material's name (``materials.available()``).  Every
number carries its source in ``reference``; numbers that are estimates say so (docs/device.md
s.4 lists them).  Units: S/cm, cm^2/(V s), W/(m K).

Lookup (:func:`device_properties`): an explicit ``overrides`` mapping first (keyed by the layer's
name or its material's name), then the built-in table by exact name, then by the material
family: the name before a parenthesis (``"Ag (McPeak)"`` -> ``"Ag"``, ``"ITO (Konig, 72 nm)"`` ->
``"ITO"``), and any name containing ``"QD film"`` -> ``"CdSe QD film"``.  An unknown material
raises :class:`UnknownDeviceMaterial` naming the layer, its material and how to supply the
properties.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from materials.base import Material

__all__ = [
    "ElectricalRole",
    "DeviceProperties",
    "UnknownDeviceMaterial",
    "DEVICE_PROPERTIES",
    "device_properties",
]


class ElectricalRole(enum.Enum):
    """What a layer does to the current (docs/device.md s.1).

    * ``ELECTRODE``: a contact; current enters it from the side and spreads laterally
      (sheet resistance ``1/(sigma t)``).
    * ``TRANSPORT``: an ohmic injection/transport layer, drop ``J d / sigma``.
    * ``ORGANIC_TRANSPORT``: a trap-free single-carrier space-charge-limited layer
      (Mott-Gurney), drop ``sqrt(8 J d^3 / (9 eps0 eps_r mu))``.
    * ``QD_FILM``: the emitting quantum-dot film; its drop beyond the turn-on voltage is taken
      as space-charge limited like ``ORGANIC_TRANSPORT`` (effective mobility).
    * ``INSULATOR``: blocks the current (a dielectric, a substrate, air).
    """

    ELECTRODE = "electrode"
    TRANSPORT = "transport"
    ORGANIC_TRANSPORT = "organic transport"
    QD_FILM = "QD film"
    INSULATOR = "insulator"


_NEEDS = {
    ElectricalRole.ELECTRODE: ("conductivity_S_per_cm",),
    ElectricalRole.TRANSPORT: ("conductivity_S_per_cm",),
    ElectricalRole.ORGANIC_TRANSPORT: ("mobility_cm2_per_Vs", "relative_permittivity"),
    ElectricalRole.QD_FILM: ("mobility_cm2_per_Vs", "relative_permittivity"),
    ElectricalRole.INSULATOR: (),
}


def _positive(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class DeviceProperties:
    """Electrical role and transport constants of one material (immutable).

    Parameters
    ----------
    role : ElectricalRole
    thermal_conductivity_W_per_m_K : float
        Through-plane thermal conductivity of the material as a thin film in the stack (W/m/K).
    conductivity_S_per_cm : float, optional
        Electrical conductivity (S/cm); required for ``ELECTRODE`` and ``TRANSPORT``.
    mobility_cm2_per_Vs : float, optional
        Carrier mobility (cm^2/(V s)); required for ``ORGANIC_TRANSPORT`` and ``QD_FILM``.
    relative_permittivity : float, optional
        Static relative permittivity; required for ``ORGANIC_TRANSPORT`` and ``QD_FILM``.
    bulk_thermal_conductivity_W_per_m_K : float, optional
        Thermal conductivity when the material is the semi-infinite substrate / heat sink
        (W/m/K); defaults to ``thermal_conductivity_W_per_m_K``.
    reference : str
        Where each number comes from; estimates are called estimates.
    """

    role: ElectricalRole
    thermal_conductivity_W_per_m_K: float
    conductivity_S_per_cm: float | None = None
    mobility_cm2_per_Vs: float | None = None
    relative_permittivity: float | None = None
    bulk_thermal_conductivity_W_per_m_K: float | None = None
    reference: str = ""

    def __post_init__(self):
        if not isinstance(self.role, ElectricalRole):
            raise TypeError(f"role must be an ElectricalRole, got {self.role!r}")
        object.__setattr__(self, "thermal_conductivity_W_per_m_K",
                           _positive(self.thermal_conductivity_W_per_m_K, "thermal_conductivity_W_per_m_K"))
        for name in ("conductivity_S_per_cm", "mobility_cm2_per_Vs", "relative_permittivity",
                     "bulk_thermal_conductivity_W_per_m_K"):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, _positive(v, name))
        for name in _NEEDS[self.role]:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.role.value} layer needs {name}; got None")
        if not isinstance(self.reference, str):
            raise TypeError(f"reference must be a string, got {self.reference!r}")

    @property
    def substrate_thermal_conductivity_W_per_m_K(self) -> float:
        """Conductivity used when the material is the heat-sinking outer medium (W/m/K)."""
        b = self.bulk_thermal_conductivity_W_per_m_K
        return self.thermal_conductivity_W_per_m_K if b is None else b


class UnknownDeviceMaterial(ValueError):
    """A layer's material has no electrical/thermal properties (neither built in nor supplied)."""


# -------------------------------------------------------------------------------------------------
# The built-in table.  Sources: CRC = W. M. Haynes (ed.), CRC Handbook of Chemistry and Physics
# (electrical resistivity of the elements at 293 K; thermal conductivity of the elements and of
# common solids near 300 K), bulk values, not re-read for this table.
_E, _T, _O, _Q, _I = (ElectricalRole.ELECTRODE, ElectricalRole.TRANSPORT, ElectricalRole.ORGANIC_TRANSPORT,
                      ElectricalRole.QD_FILM, ElectricalRole.INSULATOR)

_METAL_NOTE = ("bulk handbook value: evaporated films of ~100 nm are 1.5-3x more resistive and conduct heat "
               "less; irrelevant here (a metal electrode drops < 1 mV)")

_TABLE = {
    "ITO": DeviceProperties(
        _E, 2.0, conductivity_S_per_cm=6.9e3,
        reference=("conductivity 6.9e3 S/cm (rho = 1.44e-4 Ohm cm): the 15-25 Ohm/sq of the 72 nm ITO film of Konig et "
                   "al., ACS Nano 8, 6182 (2014) (Delta Technology CG-60IN-CUV, the library's 'ITO (Konig, 72 nm)' "
                   "entry), 20 Ohm/sq x 72 nm; within the 1-3e-4 Ohm cm usual for sputtered ITO; used for every ITO "
                   "entry (estimate for the others). Thermal conductivity 2 W/m/K: estimate between nanogranular ITO "
                   "films (~0.8 W/m/K) and dense sputtered films (several W/m/K); 150 nm of it adds < 1e-3 K cm^2/W")),
    "Ag": DeviceProperties(
        _E, 429.0, conductivity_S_per_cm=1.0 / 1.59e-6,
        reference=f"CRC: rho = 1.59e-6 Ohm cm (293 K), kappa = 429 W/m/K (300 K); {_METAL_NOTE}"),
    "Al": DeviceProperties(
        _E, 237.0, conductivity_S_per_cm=1.0 / 2.65e-6,
        reference=f"CRC: rho = 2.65e-6 Ohm cm (293 K), kappa = 237 W/m/K (300 K); {_METAL_NOTE}"),
    "Au": DeviceProperties(
        _E, 318.0, conductivity_S_per_cm=1.0 / 2.21e-6,
        reference=f"CRC: rho = 2.21e-6 Ohm cm (293 K), kappa = 318 W/m/K (300 K); {_METAL_NOTE}"),
    "ZnO": DeviceProperties(
        _T, 0.5, conductivity_S_per_cm=1e-3,
        reference=("ZnO nanoparticle electron-transport film. Conductivity 1e-3 S/cm: estimate, sigma = n e mu with the "
                   "field-effect mobility 0.008-0.04 cm^2/Vs of ZnO nanoparticle films (Morfa et al., J. Phys. Chem. C "
                   "115, 8312 (2011)) and an assumed n ~ 1e17-1e18 cm^-3 (no measured film conductivity retrieved). "
                   "Thermal conductivity 0.5 W/m/K: estimate for a nanoparticle film (bulk ZnO is ~50x higher; "
                   "ligand-capped nanocrystal films are 0.1-0.3 W/m/K, Ong et al., Nat. Mater. 12, 410 (2013))")),
    "PEDOT:PSS": DeviceProperties(
        _T, 0.3, conductivity_S_per_cm=6e-4,
        reference=("Clevios P VP AI 4083 (the hole-injection grade of the library's measured 'PEDOT:PSS'): resistivity "
                   "500-5000 Ohm cm per the Heraeus data sheet (not re-read), geometric middle ~1600 Ohm cm -> 6e-4 "
                   "S/cm. Thermal conductivity ~0.3 W/m/K through-plane (Liu et al., Macromolecules 2015)")),
    "PEDOT:PSS (Drude model)": DeviceProperties(
        _T, 0.3, conductivity_S_per_cm=0.8,
        reference=("a conductive-grade film (free-carrier Drude optics): pristine 0.8 S/cm (Mohan et al., J. Appl. Phys. "
                   "131, 155101 (2022); up to ~500-700 S/cm with DMSO or cross-linking). Thermal conductivity ~0.3 "
                   "W/m/K through-plane (Liu et al., Macromolecules 2015)")),
    "TCTA": DeviceProperties(
        _O, 0.3, mobility_cm2_per_Vs=3e-4, relative_permittivity=3.0,
        reference=("hole mobility 3e-4 cm^2/Vs: estimate, the value commonly quoted for TCTA in the OLED literature (not "
                   "re-read; amorphous triarylamine hole transporters span 1e-5-1e-3 cm^2/Vs at 0.1-1 MV/cm, e.g. "
                   "1-NaphDATA mu0 = 6.6e-6 cm^2/Vs with gamma = 2.7e-3 (cm/V)^1/2 by dark-injection SCLC). eps_r = 3.0: "
                   "estimate typical of small-molecule organics (m-MTDATA 3.0, Staudigel et al., J. Appl. Phys. 1999). "
                   "Thermal conductivity 0.3 W/m/K: estimate within the 0.24-0.51 W/m/K of Alq3/TPD/pentacene films "
                   "(Kim et al. 2005)")),
    "TFB": DeviceProperties(
        _O, 0.2, mobility_cm2_per_Vs=1e-3, relative_permittivity=3.0,
        reference=("hole-transport polymer TFB. Mobility 1e-3 cm^2/Vs, eps_r = 3.0 and thermal conductivity 0.2 W/m/K "
                   "(amorphous polymer): estimates, no measured value retrieved")),
    "CdSe QD film": DeviceProperties(
        _Q, 0.2, mobility_cm2_per_Vs=1e-3, relative_permittivity=4.4,
        reference=("ligand-capped CdSe-based QD film. Effective mobility 1e-3 cm^2/Vs: estimate (no value for graded "
                   "cg-QD films retrieved). eps_r = 4.4: estimate, Bruggeman mixture of CdSe (static eps ~9.5, "
                   "handbook) and oleate ligands (eps ~2.1) at the library film's inorganic fraction 0.429. Thermal "
                   "conductivity 0.2 W/m/K: ligand-capped nanocrystal films are 0.1-0.3 W/m/K (Ong et al., "
                   "Nat. Mater. 12, 410 (2013))")),
    "CdSe core/shell": DeviceProperties(
        _Q, 0.2, mobility_cm2_per_Vs=1e-3, relative_permittivity=4.4,
        reference="treated as a QD film: the values of 'CdSe QD film' (estimates, see there)"),
    "SiO2": DeviceProperties(
        _I, 1.0, bulk_thermal_conductivity_W_per_m_K=1.38,
        reference=("thin film 1.0 W/m/K: estimate (deposited SiO2 films are reported at ~0.6-1.3 W/m/K); as a "
                   "substrate fused silica 1.38 W/m/K (CRC)")),
    "TiO2": DeviceProperties(
        _I, 1.0, bulk_thermal_conductivity_W_per_m_K=8.5,
        reference=("thin film 1.0 W/m/K: estimate (sputtered/ALD films are amorphous or nanocrystalline, far below bulk; "
                   "oxide coatings are 10-100x below bulk, Appl. Opt. 32, 91 (1993)); bulk rutile ~8.5 W/m/K (CRC)")),
    "Al2O3": DeviceProperties(
        _I, 1.5, bulk_thermal_conductivity_W_per_m_K=35.0,
        reference=("thin (ALD/sputtered, amorphous) film 1.5 W/m/K: estimate; as a substrate sapphire ~35 W/m/K (CRC, "
                   "300 K)")),
    "HfO2": DeviceProperties(_I, 1.0, reference="thin film 1.0 W/m/K: estimate (amorphous oxide coating)"),
    "Ta2O5": DeviceProperties(_I, 0.6, reference="thin film 0.6 W/m/K: estimate (amorphous oxide coating)"),
    "Nb2O5": DeviceProperties(_I, 1.0, reference="thin film 1.0 W/m/K: estimate (amorphous oxide coating)"),
    "Si3N4": DeviceProperties(
        _I, 2.5, bulk_thermal_conductivity_W_per_m_K=20.0,
        reference="thin (PECVD/LPCVD) film 2.5 W/m/K: estimate; dense bulk ~20 W/m/K: estimate"),
    "LiF": DeviceProperties(
        _I, 1.0, bulk_thermal_conductivity_W_per_m_K=11.0,
        reference=("thin film 1.0 W/m/K: estimate; crystal ~11 W/m/K (CRC). A ~1 nm LiF injection layer conducts by "
                   "tunnelling: supply it as TRANSPORT through `overrides` to model that")),
    "PMMA": DeviceProperties(_I, 0.19, reference="0.19 W/m/K (CRC, polymers near 300 K)"),
    "oleic acid": DeviceProperties(_I, 0.17, reference="0.17 W/m/K: estimate for a fatty-acid liquid"),
    "soda-lime glass": DeviceProperties(_I, 1.0, reference="~1.0 W/m/K (CRC: soda-lime glass 0.9-1.0 W/m/K near 300 K)"),
    "borosilicate glass": DeviceProperties(
        _I, 1.114, reference="SCHOTT N-BK7 data sheet: 1.114 W/m/K (the library's 'borosilicate glass' is N-BK7)"),
    "air": DeviceProperties(_I, 0.026, reference="0.026 W/m/K (CRC, dry air at 300 K)"),
}

#: The built-in properties, keyed by ``materials`` name (read-only).  See the module docstring
#: for the family rules that map the other library names onto these.
DEVICE_PROPERTIES: Mapping[str, DeviceProperties] = MappingProxyType(_TABLE)


#: material names (``Material.name``) that differ from their ``materials.available()`` key
_ALIASES = {"CdSe-based core/shell (inorganic)": "CdSe core/shell"}


def _family(name: str) -> str | None:
    name = _ALIASES.get(name, name)
    if name in _TABLE:
        return name
    lower = {k.lower(): k for k in _TABLE}
    if name.lower() in lower:
        return lower[name.lower()]
    base = name.split("(")[0].strip()
    if base in _TABLE:
        return base
    if base.lower() in lower:
        return lower[base.lower()]
    if "qd film" in name.lower():
        return "CdSe QD film"
    return None


def device_properties(material: Material | str, *, overrides: Mapping[str, DeviceProperties] | None = None,
                      layer_name: str | None = None,
                      where: str = "") -> DeviceProperties:
    """The :class:`DeviceProperties` of a material (or a material name).

    Parameters
    ----------
    material : materials.Material or str
        The layer's material (its ``.name`` is looked up) or a name.
    overrides : mapping of str to DeviceProperties, optional
        User-supplied properties, keyed by layer name (``layer_name``) or material name; they
        take precedence over the built-in table.  This is how to add a material the table
        lacks or to replace an estimate with a measured value.
    layer_name : str, optional
        The layer's own name, tried first in ``overrides``.
    where : str, optional
        Description of the layer for the error message (e.g. ``"layer 2 ('TCTA')"``).

    Raises
    ------
    UnknownDeviceMaterial
        Neither ``overrides`` nor the table knows the material; the message names the layer and
        the material.
    """
    name = material if isinstance(material, str) else getattr(material, "name", None)
    if overrides is not None and not hasattr(overrides, "get"):
        raise TypeError(f"overrides must be a mapping of names to DeviceProperties, got {overrides!r}")
    if overrides:
        for key in (layer_name, name):
            if key is not None and key in overrides:
                props = overrides[key]
                if not isinstance(props, DeviceProperties):
                    raise TypeError(f"overrides[{key!r}] must be a cavity.device.DeviceProperties, got {props!r}")
                return props
    fam = _family(name) if isinstance(name, str) else None
    if fam is None:
        at = f"{where}: " if where else ""
        raise UnknownDeviceMaterial(
            f"{at}material {name!r} has no electrical/thermal properties: supply them with "
            f"overrides={{{(layer_name or name)!r}: cavity.device.DeviceProperties(role=..., "
            f"thermal_conductivity_W_per_m_K=..., ...)}} (built-in materials: {', '.join(sorted(_TABLE))})")
    return _TABLE[fam]

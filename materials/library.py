"""Built-in library of the materials of CQD LEDs and cavities: :func:`get` and :func:`available`.

Every entry records its source in ``.reference`` and its validity range in
``.wavelength_range`` (nm), and its thermo-optic coefficient in ``.dn_dT`` (1/K, None when
unknown) with the source in ``.dn_dT_reference``.

The device layers are **measured films** from the refractiveindex.info database (CC0; the pages
ship unchanged, with their REFERENCES, in ``materials/data/*.yml``):

=================  ==========================================================================
``ITO``            110 nm commercial ITO on glass (Xinyan XY15S), ellipsometry (Minenkov 2024)
``ZnO``            still bulk (Bond 1965, n = 2.0); the measured 40 nm film (n = 1.62, k = 0.017 at
                   630 nm) is ``"ZnO (40 nm film, Stelling)"``: as the default it stops the main
                   example's devices from lasing (docs/materials.md), a decision left to its owners
``PEDOT:PSS``      spin-coated Clevios AI 4083 film (Chen 2015)
``Ag``, ``Au``     evaporated films, Johnson & Christy 1972 (``"Ag (McPeak)"``, ``"Au (McPeak)"``:
                   template-stripped films, 2015)
``Al``             thermally evaporated, template-stripped film (McPeak 2015)
``HfO2``           measured 112.7 nm e-beam film on Si (Franta 2015); the Cauchy fit of an e-beam
                   film (Al-Kuhaili 2004) is ``"HfO2 (Al-Kuhaili)"``
``TiO2``           amorphous ALD film (Jolivet 2023); ``Ta2O5``, ``Nb2O5``: films (Gao, Lemarchand)
=================  ==========================================================================

The earlier models stay as named alternatives: ``"ITO (Drude model)"``, ``"PEDOT:PSS (Drude
model)"``, ``"Ag (Rakic)"``, ``"Au (Rakic)"``, ``"Al (Rakic)"``.
``"CdSe/ZnCdS QD film (Aftenieva)"`` is a measured QD film whose ``k`` is the
ground-state (unpumped) absorption, see :data:`QD_FILM_RULE`.  TCTA and TFB are not in the database:
they remain *estimates* (their reference says so); replace them with ellipsometry of your own
films (``materials.Tabulated`` or ``load_refractiveindex``).

Look-ups are case-insensitive and ignore spaces, ``-``, ``_``, ``/`` and ``:`` (so ``"pedot:pss"``,
``"PEDOT PSS"`` and ``"PEDOTPSS"`` are the same); aliases such as ``"glass"``, ``"silver"`` or
``"CdSe QD film"`` are accepted.  An unknown name raises ``ValueError`` listing the closest known
names (:mod:`difflib`).  Built materials are cached: ``get`` returns the same immutable object.
"""
from __future__ import annotations

import difflib
import functools
import math
from dataclasses import dataclass
from importlib import resources
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks as ck
from .base import Constant, Material
from .dispersion import Cauchy, Drude, DrudeLorentz, Sellmeier
from .effective_medium import EffectiveMedium, MixingRule
from .refractiveindex_yaml import load_refractiveindex
from .tabulated import Tabulated

__all__ = [
    "get",
    "available",
    "qd_film",
    "QDFilmGeometry",
    "close_packed_fraction",
    "HCP_PACKING_FRACTION",
    "QD_CORE_SHELL",
    "OLEIC_ACID",
    "QD_FILM_RULE",
    "remove_absorption",
    "DN_DT",
]

#: The rule for measured QD films (stated once).  The ``k`` of a measured QD film (e.g.
#: ``"CdSe/ZnCdS QD film (Aftenieva)"``) is the ground-state (unpumped) absorption, band edge
#: included.  A gain model (``cavity.QDGainModel``) already contains that band-edge absorption: its
#: gain at zero current is ``-alpha_0 L(lambda)``.  Inside the gain model's bands the gain model
#: must therefore *replace* the measured ``k``, not add to it: with a gain model the threshold
#: code replaces such a gain layer by ``QDGainModel.gain_host(material)`` (:func:`remove_absorption`
#: of the model's unpumped absorption).  Such materials carry ``ground_state_absorption = True``.
QD_FILM_RULE = (
    "the measured k of a QD film is its ground-state (unpumped) absorption; a gain model that contains the "
    "band-edge absorption (g(J=0) = -alpha_0 L) replaces it inside its bands, never adds to it"
)

#: Packing fraction of hexagonal (or face-centred cubic) close packing of equal spheres, pi/(3 sqrt 2).
HCP_PACKING_FRACTION = math.pi / (3.0 * math.sqrt(2.0))


def _data(filename: str) -> Tabulated:
    with resources.as_file(resources.files(__package__) / "data" / filename) as path:
        return Tabulated.from_file(path)


def _page(filename: str, name: str, form: str, **attrs) -> Material:
    """A shipped refractiveindex.info page, named ``name``; ``form`` (film/bulk, thickness,
    deposition) is prefixed to the page's own REFERENCES and COMMENTS."""
    with resources.as_file(resources.files(__package__) / "data" / filename) as path:
        m = load_refractiveindex(path, name=name)
    object.__setattr__(m, "reference", f"{form}. {m.reference} (refractiveindex.info database, CC0; "
                                       f"materials/data/{filename})")
    for key, value in attrs.items():
        object.__setattr__(m, key, value)
    return m


def remove_absorption(material: Material, absorption_per_cm: Callable[[NDArray[np.float64]], ArrayLike], *,
                      name: str | None = None) -> Material:
    r"""``material`` with an absorption coefficient removed from its ``k`` (clipped at 0).

    .. math::  k_{host}(\lambda) = \max\left(k(\lambda) - \frac{\alpha(\lambda)\,\lambda}{4\pi}, 0\right)

    with :math:`\alpha` in cm^-1 and :math:`\lambda` in cm.  Use it to build the passive host of a
    measured QD film for a gain layer (:data:`QD_FILM_RULE`): remove the ground-state absorption
    the gain model already contains, e.g.
    ``remove_absorption(film, lambda wl: -model.material_gain(0.0, wl))``.

    Parameters
    ----------
    material : Material
    absorption_per_cm : callable
        ``alpha(wavelength_nm) -> cm^-1`` (>= 0, array in, array out).
    name : str, optional

    Returns
    -------
    Material
        ``n`` unchanged; ``ground_state_absorption`` False.
    """
    if not isinstance(material, Material):
        raise TypeError(f"material must be a materials.Material, got {material!r}")
    if not callable(absorption_per_cm):
        raise TypeError(f"absorption_per_cm must be a callable alpha(wavelength_nm) in cm^-1, got {absorption_per_cm!r}")
    return _AbsorptionRemoved(material, absorption_per_cm, name or f"{material.name} (host, absorption removed)")


class _AbsorptionRemoved(Material):
    """:func:`remove_absorption`'s result (immutable)."""

    def __init__(self, base: Material, alpha, name: str):
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "alpha", alpha)
        object.__setattr__(self, "name", str(name))
        object.__setattr__(self, "wavelength_range", base.wavelength_range)
        object.__setattr__(self, "reference", f"{base.reference}; minus the absorption of a gain model "
                                              f"(materials.library.remove_absorption)")
        object.__setattr__(self, "dn_dT", base.dn_dT)
        object.__setattr__(self, "dn_dT_reference", base.dn_dT_reference)
        object.__setattr__(self, "qd_geometry", getattr(base, "qd_geometry", None))

    def __setattr__(self, key, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _index(self, wavelength):
        n = np.asarray(self.base.n(wavelength), dtype=np.complex128)
        a = np.asarray(self.alpha(wavelength), dtype=np.float64)
        if a.shape != wavelength.shape:
            a = np.broadcast_to(a, wavelength.shape)
        if not np.all(np.isfinite(a)) or np.any(a < 0):
            raise ValueError(f"absorption_per_cm of {self.name!r} must be finite and >= 0 cm^-1, got {a!r}")
        k = np.maximum(n.imag - a * wavelength * 1e-7 / (4.0 * math.pi), 0.0)
        return n.real + 1j * k


# --- metals: Rakic et al. 1998, Table 1 (Lorentz-Drude), (f_j, omega_j eV, Gamma_j eV) ------------
_RAKIC = "A. D. Rakic, A. B. Djurisic, J. M. Elazar, M. L. Majewski, Appl. Opt. 37, 5271 (1998), Lorentz-Drude model, Table 1"
_METAL_RANGE = (250.0, 2000.0)  # a sub-interval of the published fit interval of each metal


def _silver():
    return DrudeLorentz(
        9.01,
        ((0.845, 0.0, 0.048), (0.065, 0.816, 3.886), (0.124, 4.481, 0.452), (0.011, 8.185, 0.065),
         (0.840, 9.083, 0.916), (5.646, 20.29, 2.419)),
        name="Ag (Rakic)", reference=_RAKIC + " (silver)", wavelength_range=_METAL_RANGE,
    )


def _gold():
    return DrudeLorentz(
        9.03,
        ((0.760, 0.0, 0.053), (0.024, 0.415, 0.241), (0.010, 0.830, 0.345), (0.071, 2.969, 0.870),
         (0.601, 4.304, 2.494), (4.384, 13.32, 2.214)),
        name="Au (Rakic)", reference=_RAKIC + " (gold)", wavelength_range=_METAL_RANGE,
    )


def _aluminium():
    return DrudeLorentz(
        14.98,
        ((0.523, 0.0, 0.047), (0.227, 0.162, 0.333), (0.050, 1.544, 0.312), (0.166, 1.808, 1.351),
         (0.030, 3.473, 3.382)),
        name="Al (Rakic)", reference=_RAKIC + " (aluminium)", wavelength_range=_METAL_RANGE,
    )


# --- QD film ingredients --------------------------------------------------------------------------
#: Passive index of the inorganic part of CdSe-based core/shell dots (CdSe/CdS, CdSe/ZnS, cg-QDs):
#: a Cauchy curve through n = 2.50 at 630 nm, the middle of the 2.4-2.6 band docs/theory.md s.1.6
#: assumes for the inorganic index (bulk CdSe ~2.6-2.7, CdS ~2.4-2.5, ZnS ~2.35 near 630 nm).
QD_CORE_SHELL = Cauchy(
    2.40, 0.040, name="CdSe-based core/shell (inorganic)",
    reference=(
        "representative estimate: Cauchy n = 2.40 + 0.040/lambda_um^2 (2.50 at 630 nm), the middle of the "
        "2.4-2.6 inorganic index assumed in docs/theory.md s.1.6 for CdSe/Cd(Zn)S/ZnS dots; passive host only "
        "(excitonic absorption and gain are added by the gain model)"
    ),
    wavelength_range=(400.0, 1000.0),
)
#: Oleic-acid-like ligand shell: n_D(20 C) = 1.4582 (CRC Handbook), with a small Cauchy slope.
OLEIC_ACID = Cauchy(
    1.445, 0.0045, name="oleic acid (ligand)",
    reference=(
        "representative estimate: Cauchy n = 1.445 + 0.0045/lambda_um^2 through n_D = 1.458 at 589 nm "
        "(oleic acid, CRC Handbook of Chemistry and Physics)"
    ),
    wavelength_range=(400.0, 1000.0),
)


def close_packed_fraction(core_diameter: float, ligand_thickness: float, packing: float = HCP_PACKING_FRACTION) -> float:
    r"""Inorganic volume fraction of close-packed dots with a ligand shell.

    .. math::  f = \phi_{pack}\left(\frac{d}{d + 2t}\right)^3

    Parameters
    ----------
    core_diameter : float
        Diameter d of the inorganic dot (core + inorganic shell), nm (> 0).
    ligand_thickness : float
        Ligand shell thickness t, nm (>= 0).
    packing : float, default pi/(3 sqrt 2) = 0.7405
        Packing fraction of the ligand-capped spheres (0 < packing <= 0.7405 for spheres).

    Notes
    -----
    docs/theory.md s.1.6: 10 nm dots with 1 nm ligand shells in hexagonal packing give f = 0.43.
    """
    d = ck.positive(core_diameter, "core_diameter", "close_packed_fraction")
    t = ck.non_negative(ligand_thickness, "ligand_thickness", "close_packed_fraction")
    p = ck.positive(packing, "packing", "close_packed_fraction")
    if p > HCP_PACKING_FRACTION + 1e-12:
        raise ValueError(f"packing of equal spheres cannot exceed pi/(3 sqrt 2) = {HCP_PACKING_FRACTION:.4f}, got {packing!r}")
    return p * (d / (d + 2.0 * t)) ** 3


@dataclass(frozen=True)
class QDFilmGeometry:
    r"""Geometry of a film of ligand-capped colloidal dots (immutable): the one record of its dots.

    A QD film material made by :func:`qd_film` carries it as ``material.qd_geometry`` (every other
    library material has ``qd_geometry = None``); the gain model (``cavity.QDGainModel.for_stack``)
    takes its dot spacing and packing from it, so the optics and the gain of a film describe the
    same dots.

    .. math::

        D = d + 2t, \qquad n_{vol} = \frac{\phi}{\pi D^3 / 6}, \qquad
        n_{areal} = L\, n_{vol}, \qquad f = \phi \left(\frac{d}{D}\right)^3

    with ``d`` the inorganic dot diameter, ``t`` the ligand shell thickness, ``D`` the outer
    diameter (the centre spacing of touching dots), ``phi`` the packing fraction of the capped
    spheres, ``L`` the film thickness and ``f`` the inorganic volume fraction (docs/gain.md s.8).

    Parameters
    ----------
    core_diameter_nm : float
        Inorganic dot diameter d (core + inorganic shell), nm (> 0).
    ligand_thickness_nm : float
        Ligand shell thickness t, nm (>= 0).
    packing_fraction : float, default :data:`HCP_PACKING_FRACTION` (pi/(3 sqrt 2) = 0.7405)
        Volume fraction filled by the ligand-capped spheres, in (0, 0.7405].
    """

    core_diameter_nm: float
    ligand_thickness_nm: float
    packing_fraction: float = HCP_PACKING_FRACTION

    def __post_init__(self):
        d = ck.positive(self.core_diameter_nm, "core_diameter_nm", "QDFilmGeometry")
        t = ck.non_negative(self.ligand_thickness_nm, "ligand_thickness_nm", "QDFilmGeometry")
        p = ck.positive(self.packing_fraction, "packing_fraction", "QDFilmGeometry")
        if p > HCP_PACKING_FRACTION + 1e-12:
            raise ValueError(f"packing_fraction of equal spheres cannot exceed pi/(3 sqrt 2) = "
                             f"{HCP_PACKING_FRACTION:.4f}, got {self.packing_fraction!r}")
        object.__setattr__(self, "core_diameter_nm", float(d))
        object.__setattr__(self, "ligand_thickness_nm", float(t))
        object.__setattr__(self, "packing_fraction", float(p))

    @property
    def dot_spacing_nm(self) -> float:
        """Outer diameter ``D = d + 2t`` of a capped dot (nm), the centre spacing of touching dots."""
        return self.core_diameter_nm + 2.0 * self.ligand_thickness_nm

    @property
    def volume_density_per_cm3(self) -> float:
        """Dot volume density ``phi / (pi D^3 / 6)`` (cm^-3)."""
        return self.packing_fraction / (math.pi * (self.dot_spacing_nm * 1e-7) ** 3 / 6.0)

    @property
    def inorganic_fraction(self) -> float:
        """Inorganic volume fraction ``phi (d/D)^3`` (:func:`close_packed_fraction`)."""
        return self.packing_fraction * (self.core_diameter_nm / self.dot_spacing_nm) ** 3

    def areal_density(self, thickness_nm: float) -> float:
        """Dots per unit area (cm^-2) of a film ``thickness_nm`` thick: ``L n_vol``."""
        L = ck.positive(thickness_nm, "thickness_nm", "QDFilmGeometry.areal_density")
        return float(L) * 1e-7 * self.volume_density_per_cm3


def qd_film(
    core: Material | None = None,
    ligand: Material | None = None,
    volume_fraction: float | None = None,
    *,
    core_diameter: float = 10.0,
    ligand_thickness: float = 1.0,
    packing_fraction: float = HCP_PACKING_FRACTION,
    method: MixingRule | str = MixingRule.BRUGGEMAN,
    name: str | None = None,
) -> EffectiveMedium:
    """Passive host index of a close-packed film of colloidal QDs with ligands (effective medium).

    Parameters
    ----------
    core : Material, optional
        Inorganic dot material; default :data:`QD_CORE_SHELL` (n = 2.50 at 630 nm).
    ligand : Material, optional
        Ligand/matrix material; default :data:`OLEIC_ACID` (n = 1.46).
    volume_fraction : float, optional
        Inorganic volume fraction in [0, 1].  Default: :func:`close_packed_fraction` of
        ``core_diameter`` and ``ligand_thickness`` (0.43 for 10 nm dots with 1 nm ligands).
    core_diameter, ligand_thickness : float
        nm; the dots and their ligand shells (outer diameter ``core_diameter + 2 ligand_thickness``).
    packing_fraction : float, default :data:`HCP_PACKING_FRACTION` (0.7405, close packing)
        Volume fraction of the film filled by the ligand-capped dots.
    method : MixingRule or {"maxwell_garnett", "bruggeman", "linear"}
        Default Bruggeman: at f ~ 0.4 the dots touch, so neither phase is a dilute inclusion.
    name : str, optional

    Returns
    -------
    EffectiveMedium
        With ``.reference`` stating the mixing rule, fraction and both phases' sources, and
        ``.qd_geometry``: the :class:`QDFilmGeometry` of the dots when the fraction follows from
        them (``volume_fraction`` None); ``None`` with an explicit ``volume_fraction``, which does
        not say what dots fill it (the gain model then keeps its own dot spacing).

    Notes
    -----
    EMA modelling of neat CdSe/CdS QD films: Dement, Puri & Ferry, J. Phys. Chem. C (2018); the
    numbers (f = 0.43, n ~ 1.8-2.0 at 620 nm) are docs/theory.md s.1.6.
    """
    core = QD_CORE_SHELL if core is None else core
    ligand = OLEIC_ACID if ligand is None else ligand
    method = MixingRule.coerce(method)
    geometry = None
    if volume_fraction is None:
        volume_fraction = close_packed_fraction(core_diameter, ligand_thickness, packing_fraction)
        geometry = QDFilmGeometry(core_diameter, ligand_thickness, packing_fraction)
        how = (f"{core_diameter:g} nm dots with {ligand_thickness:g} nm ligand shells at packing fraction "
               f"{geometry.packing_fraction:.4g}")
    else:
        how = "user volume fraction"
    f = float(volume_fraction) if not isinstance(volume_fraction, bool) else volume_fraction
    label = method.value.replace("_", "-")
    ref = (
        f"{label} effective medium, inorganic fraction f = {f:.3f} ({how}); "
        f"dots: {core.reference}; ligand: {ligand.reference}. EMA for QD films: Dement, Puri & Ferry, "
        "J. Phys. Chem. C (2018); docs/theory.md s.1.6. Representative estimate, not a measured film."
    )
    film = EffectiveMedium(core, ligand, volume_fraction, method, name=name or "CdSe QD film", reference=ref)
    object.__setattr__(film, "qd_geometry", geometry)
    return film


# --- the table: canonical name -> (factory, aliases) ----------------------------------------------
def _entries():
    return {
        "air": (lambda: Constant(1.0, name="air", wavelength_range=(200.0, 20000.0),
                                 reference="n = 1 (vacuum); the 2.7e-4 excess of air at 630 nm (Ciddor 1996) is neglected"),
                ("vacuum",)),
        "soda-lime glass": (lambda: Cauchy(
            1.5130, 0.003962, 0.0, -0.003169, name="soda-lime glass",
            reference="M. Rubin, Sol. Energy Mater. 12, 275 (1985): clear soda-lime float glass, "
                      "n = 1.5130 - 0.003169 lambda^2 + 0.003962/lambda^2 (lambda in um); k neglected (< 1e-6 in the visible)",
            wavelength_range=(310.0, 4600.0)), ("glass", "sodalime", "soda lime", "float glass")),
        "borosilicate glass": (lambda: Sellmeier(
            (1.03961212, 0.231792344, 1.01046945), (0.00600069867, 0.0200179144, 103.560653),
            name="borosilicate glass (N-BK7)",
            reference="SCHOTT optical glass data sheet N-BK7, Sellmeier coefficients (n_d = 1.5168)",
            wavelength_range=(300.0, 2500.0)), ("BK7", "N-BK7", "borosilicate")),
        "SiO2": (lambda: Sellmeier(
            (0.6961663, 0.4079426, 0.8974794), (0.0684043**2, 0.1162414**2, 9.896161**2), name="SiO2",
            reference="I. H. Malitson, J. Opt. Soc. Am. 55, 1205 (1965): fused silica Sellmeier, 20 C",
            wavelength_range=(210.0, 6700.0)), ("silica", "fused silica", "quartz glass", "silicon dioxide")),
        "TiO2": (lambda: _data("tio2_jolivet2023_ald.csv"), ("titania", "titanium dioxide")),
        "Ta2O5": (lambda: _data("ta2o5_gao2012.csv"), ("tantala", "tantalum pentoxide")),
        "Nb2O5": (lambda: _data("nb2o5_lemarchand2013.csv"), ("niobia", "niobium pentoxide")),
        "HfO2": (lambda: _page("hfo2_franta2015.yml", "HfO2",
                               "Measured film: 112.7 nm e-beam evaporated HfO2 on c-Si, amorphous/very fine "
                               "polycrystalline, ellipsometry + spectrophotometry (Franta et al. 2015)"),
                 ("hafnia", "hafnium oxide", "HfO2 film", "HfO2 (Franta film)")),
        "HfO2 (Al-Kuhaili)": (lambda: Cauchy(
            1.875, 6.28e-3, 5.80e-4, name="HfO2 (Al-Kuhaili)",
            reference="M. F. Al-Kuhaili, Opt. Mater. 27, 383 (2004): e-beam evaporated HfO2 film, "
                      "Cauchy n = 1.875 + 6.28e-3/lambda^2 + 5.80e-4/lambda^4 (lambda in um)",
            wavelength_range=(200.0, 2000.0)), ("HfO2 (Cauchy fit)",)),
        "SiO2 (e-beam film, Gao)": (lambda: _page("sio2_gao2013_film.yml", "SiO2 (e-beam film, Gao)",
                                                  "Measured film: 300 nm ion-assisted e-beam SiO2 on fused silica "
                                                  "(Gao et al. 2013)"), ("SiO2 film",)),
        "Al2O3": (lambda: Sellmeier(
            (1.4313493, 0.65054713, 5.3414021), (0.0726631**2, 0.1193242**2, 18.028251**2), name="Al2O3",
            reference="I. H. Malitson, J. Opt. Soc. Am. 52, 1377 (1962): sapphire, ordinary ray, Sellmeier. "
                      "Amorphous ALD/sputtered Al2O3 films are lower (n ~ 1.63-1.66 at 630 nm): use a Constant or "
                      "your own fit for those",
            wavelength_range=(200.0, 5000.0)), ("sapphire", "alumina")),
        "Si3N4": (lambda: Sellmeier(
            (3.0249, 40314.0), (0.1353406**2, 1239.842**2), name="Si3N4",
            reference="K. Luke, Y. Okawachi, M. R. E. Lamont, A. L. Gaeta, M. Lipson, Opt. Lett. 40, 4823 (2015): "
                      "LPCVD Si3N4 film, Sellmeier",
            wavelength_range=(310.0, 5504.0)), ("silicon nitride", "SiN")),
        "ZnO (40 nm film, Stelling)": (lambda: _page(
            "zno_stelling2017_40nm.yml", "ZnO (40 nm film, Stelling)",
            "Measured film: 40 nm isotropic ZnO film on Si, ellipsometry (Stelling et al. 2017); n = 1.62, "
            "k = 0.017 at 630 nm, well below bulk ZnO (2.0): nanocrystalline/porous films are lower"),
            ("ZnO film",)),
        "ZnO": (lambda: Sellmeier(
            (0.87968,), (0.3042**2,), A=2.81418, D=-0.00711, name="ZnO",
            reference="W. L. Bond, J. Appl. Phys. 36, 1674 (1965), ordinary ray, as the dispersion formula of the "
                      "Handbook of Optics 3rd ed. vol. 4 (2009): n^2 = 2.81418 + 0.87968 l^2/(l^2 - 0.3042^2) - 0.00711 l^2",
            wavelength_range=(450.0, 4000.0)), ("zinc oxide", "ZnO (bulk, Bond)", "bulk ZnO", "ZnO crystal")),
        "ITO": (lambda: _page("ito_minenkov2024.yml", "ITO",
                              "Measured film: 110 nm commercial sputtered ITO on glass (Xinyan XY15S), spectroscopic "
                              "ellipsometry (Minenkov et al. 2024)"),
                ("indium tin oxide", "ITO film")),
        "ITO (Konig, 72 nm)": (lambda: _page("ito_konig2014.yml", "ITO (Konig, 72 nm)",
                                             "Measured film: 72 nm ITO on BK7 (Delta Technology CG-60IN-CUV, 15-25 ohm), "
                                             "ellipsometry with a roughness layer (Konig et al. 2014)"), ()),
        "ITO (Moerland, 17 nm)": (lambda: _page("ito_moerland2016.yml", "ITO (Moerland, 17 nm)",
                                                "Measured film: 17 nm ITO on D263M glass (Optics Balzers), ellipsometry + "
                                                "transmittance fitted over 400-900 nm (Moerland & Hoogenboom 2016); "
                                                "starts at 401 nm"), ()),
        "ITO (Drude model)": (lambda: Drude(
            1.5, 0.12, 3.9, name="ITO (Drude model)",
            reference="representative estimate: Drude model eps = 3.9 - 1.5^2/(E^2 + 0.12iE) (E in eV), parameters "
                      "typical of sputtered ITO (eps_inf 3.5-4, plasma energy 1.5-2 eV, damping ~0.1 eV); gives "
                      "n ~ 1.82 + 0.01i at 630 nm. Not a fit to one sample; interband absorption below 400 nm omitted",
            wavelength_range=(400.0, 1700.0)), ("ITO Drude",)),
        "PEDOT:PSS": (lambda: _page("pedotpss_chen2015.yml", "PEDOT:PSS",
                                    "Measured film: spin-coated PEDOT:PSS (Clevios AI 4083) thin film, data points "
                                    "read from the supplementary figure S2 of Chen et al. 2015"),
                      ("pedot", "pedot-pss")),
        "PEDOT:PSS (Drude model)": (lambda: Drude(
            1.0, 0.5, 2.45, name="PEDOT:PSS (Drude model)",
            reference="representative estimate: Drude (polaron/free-carrier) model eps = 2.45 - 1.0^2/(E^2 + 0.5iE), "
                      "E in eV; gives n ~ 1.49 + 0.02i at 630 nm with k rising into the near IR, as reported for "
                      "spin-coated PEDOT:PSS (n ~ 1.45-1.5, k ~ 0.02-0.05). Not a fit to one formulation",
            wavelength_range=(400.0, 1000.0)), ()),
        "TCTA": (lambda: Cauchy(
            1.66, 0.020, name="TCTA",
            reference="representative estimate: Cauchy n = 1.66 + 0.020/lambda^2 (lambda in um), n ~ 1.71 at 630 nm, "
                      "within the 1.7-1.8 reported for evaporated TCTA films; transparent above ~400 nm (absorption "
                      "edge ~ 3.4 eV)",
            wavelength_range=(400.0, 1000.0)), ("tris(4-carbazoyl-9-ylphenyl)amine",)),
        "TFB": (lambda: Cauchy(
            1.60, 0.025, name="TFB",
            reference="representative estimate for the hole-transport polymer TFB (poly(9,9-dioctylfluorene-alt-"
                      "N-(4-sec-butylphenyl)-diphenylamine)): Cauchy n = 1.60 + 0.025/lambda^2 (lambda in um), "
                      "n ~ 1.66 at 630 nm; transparent above ~450 nm (absorption peak ~ 390 nm)",
            wavelength_range=(450.0, 1000.0)), ("hole transport polymer", "htl polymer")),
        "PMMA": (lambda: Sellmeier(
            (1.1819,), (0.011313,), name="PMMA",
            reference="N. Sultanova, S. Kasarova, I. Nikolov, Acta Phys. Pol. A 116, 585 (2009): PMMA, one-term Sellmeier",
            wavelength_range=(436.8, 1052.0)), ("poly(methyl methacrylate)", "acrylic")),
        "LiF": (lambda: Sellmeier(
            (0.92549, 6.96747), (0.07376**2, 32.790**2), name="LiF",
            reference="H. H. Li, J. Phys. Chem. Ref. Data 5, 329 (1976): LiF at 297 K, Sellmeier",
            wavelength_range=(100.0, 11000.0)), ("lithium fluoride",)),
        "Ag": (lambda: _page("ag_johnson1972.yml", "Ag", "Measured: evaporated silver films, room temperature "
                             "(Johnson & Christy 1972)"), ("silver",)),
        "Au": (lambda: _page("au_johnson1972.yml", "Au", "Measured: evaporated gold films, room temperature "
                             "(Johnson & Christy 1972)"), ("gold",)),
        "Al": (lambda: _page("al_mcpeak2015.yml", "Al", "Measured: thermally evaporated Al film (150 A/s), "
                             "template stripped from Si (McPeak et al. 2015)"), ("aluminium", "aluminum")),
        "Ag (McPeak)": (lambda: _page("ag_mcpeak2015.yml", "Ag (McPeak)", "Measured: thermally evaporated Ag film "
                                      "(50 A/s), template stripped from Si (McPeak et al. 2015)"), ()),
        "Au (McPeak)": (lambda: _page("au_mcpeak2015.yml", "Au (McPeak)", "Measured: thermally evaporated Au film "
                                      "(10 A/s), template stripped from Si (McPeak et al. 2015)"), ()),
        "Ag (Rakic)": (_silver, ()),
        "Au (Rakic)": (_gold, ()),
        "Al (Rakic)": (_aluminium, ()),
        "CdSe/ZnCdS QD film (Aftenieva)": (lambda: _page(
            "qd_cdse_zncds_aftenieva2023.yml", "CdSe/ZnCdS QD film (Aftenieva)",
            "Measured film of CdSe/ZnCdS core/shell QDs, as used for template-assisted QD DFB lasers (Aftenieva et "
            "al. 2023); n = 1.675, k = 0.028 at 625 nm. Its k is the ground-state (unpumped) absorption: as a gain "
            "layer, the gain model replaces it inside its bands (materials.library.QD_FILM_RULE)",
            ground_state_absorption=True), ("measured QD film", "CdSe/ZnCdS QD film")),
        "CdSe QD film": (lambda: qd_film(), (
            "QD film", "CdSe QD", "CdSe/CdS QD film", "CdSe/ZnS QD film", "CdSe/CdZnSe QD film", "quantum dot film",
            "CQD film")),
        "CdSe core/shell": (lambda: QD_CORE_SHELL, ("QD inorganic", "CdSe/ZnS", "CdSe/CdS")),
        "oleic acid": (lambda: OLEIC_ACID, ("ligand", "QD ligand")),
    }


_ENTRIES = _entries()


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch not in " -_/:")


_LOOKUP: dict[str, str] = {}
for _canon, (_factory, _aliases) in _ENTRIES.items():
    for _label in (_canon, *_aliases):
        _LOOKUP[_key(_label)] = _canon
_ALL_LABELS = sorted({label for c, (_, al) in _ENTRIES.items() for label in (c, *al)}, key=str.lower)


# --- thermo-optic coefficients dn/dT (1/K), near room temperature, visible -------------------------
_EST = "documented estimate, not a measurement of this material: "
#: canonical name -> (dn/dT in 1/K, source).  "measured" values cite the measurement; estimates say
#: so and give their basis.  Metals and air: None (not used as thermo-optic dielectrics).
DN_DT = {
    "borosilicate glass": (1.6e-6, "measured: N-BK7 absolute dn/dT ~1.6e-6 /K at 546 nm, 20-40 C (SCHOTT N-BK7 data "
                                   "sheet, thermo-optic coefficients)"),
    "SiO2": (8.7e-6, "measured: fused silica ~8.7e-6 /K in the visible (Sensors 23, 6023 (2023))"),
    "SiO2 (e-beam film, Gao)": (8.7e-6, _EST + "the fused-silica value (Sensors 23, 6023 (2023)); porous e-beam "
                                        "films differ with humidity and density"),
    "TiO2": (-3.1e-5, "measured: amorphous ALD TiO2 film of 60 nm, -3.1e-5 /K at 640 nm (Saleem et al., Thin Solid "
                      "Films 520, 5442 (2012)); negative below ~150 nm thickness, positive above"),
    "soda-lime glass": (1.6e-6, _EST + "crown-glass value of N-BK7 (SCHOTT); soda-lime float glass is a similar "
                                "silicate crown glass"),
    "Si3N4": (2.45e-5, "measured: LPCVD Si3N4, 2.45e-5 /K near 1550 nm (Arbabi & Goddard, Opt. Lett. 38, 3878 "
                       "(2013)); used unchanged in the visible"),
    "Ta2O5": (1.0e-5, _EST + "oxide films of similar index (Nb2O5, Si3N4) lie at +(0.5-2.5)e-5 /K; 1e-5 is mid-range"),
    "Nb2O5": (1.0e-5, _EST + "same basis as Ta2O5"),
    "HfO2": (1.0e-5, _EST + "same basis as Ta2O5 (dense amorphous oxide film)"),
    "HfO2 (Al-Kuhaili)": (1.0e-5, _EST + "same basis as Ta2O5"),
    "Al2O3": (1.3e-5, _EST + "the sapphire ordinary-ray value ~1.3e-5 /K in the visible (G. Ghosh, Handbook of "
                      "Thermo-Optic Coefficients of Optical Materials, Academic Press 1998; M. E. Thomas et al., "
                      "Infrared Phys. Technol. 39, 235 (1998) model the temperature dependence)"),
    "LiF": (-1.6e-5, _EST + "LiF is one of the few crystals with negative dn/dT, ~-1.6e-5 /K in the visible; the "
                     "temperature derivatives of the alkali halides are tabulated by H. H. Li, J. Phys. Chem. Ref. "
                     "Data 5, 329 (1976), the source of the Sellmeier fit above)"),
    "PMMA": (-1.1e-4, _EST + "amorphous polymers have dn/dT ~ -(1-1.3)e-4 /K from thermal expansion; PMMA is "
                      "commonly quoted at -1.1e-4 /K"),
    "ZnO": (5.0e-5, _EST + "no measurement for thin ZnO films was found; wide-gap semiconductor oxides are positive, "
                    "of order 5e-5 /K in the visible"),
    "ZnO (40 nm film, Stelling)": (5.0e-5, _EST + "same basis as ZnO"),
    "ITO": (-1.0e-5, _EST + "no reliable visible value; free-carrier (Drude) ITO is small and may change sign; "
                     "magnitude taken as 1e-5 /K"),
    "ITO (Konig, 72 nm)": (-1.0e-5, _EST + "as ITO"),
    "ITO (Moerland, 17 nm)": (-1.0e-5, _EST + "as ITO"),
    "ITO (Drude model)": (-1.0e-5, _EST + "as ITO"),
    "PEDOT:PSS": (-1.0e-4, _EST + "polymer film: thermal expansion gives ~ -1e-4 /K, as for PMMA"),
    "PEDOT:PSS (Drude model)": (-1.0e-4, _EST + "as PEDOT:PSS"),
    "TCTA": (-1.0e-4, _EST + "amorphous small-molecule organic film: ~ -1e-4 /K from thermal expansion, as polymers"),
    "TFB": (-1.0e-4, _EST + "polymer film: ~ -1e-4 /K, as PMMA"),
    "oleic acid": (-3.5e-4, _EST + "organic liquids have dn/dT ~ -(3-5)e-4 /K"),
    "CdSe QD film": (-5.0e-5, _EST + "a QD film mixes inorganic dots (CdSe, bulk ~ +1e-4 /K) and organic ligands "
                             "(~ -3e-4 /K); the sign is not known, magnitude ~5e-5 /K"),
    "CdSe/ZnCdS QD film (Aftenieva)": (-5.0e-5, _EST + "as 'CdSe QD film'"),
    "CdSe core/shell": (1.0e-4, _EST + "bulk CdSe/CdS ~ +1e-4 /K in the visible below the gap"),
}


@functools.lru_cache(maxsize=None)
def _build(canonical: str) -> Material:
    m = _ENTRIES[canonical][0]()
    value, source = DN_DT.get(canonical, (None, "unknown (no thermo-optic coefficient in the library)"))
    object.__setattr__(m, "dn_dT", value)
    object.__setattr__(m, "dn_dT_reference", source)
    if not hasattr(m, "qd_geometry"):
        # only qd_film() records a dot geometry; the measured Aftenieva page gives none (its source
        # states no dot size or packing), so the gain model keeps its own for it
        object.__setattr__(m, "qd_geometry", None)
    return m


def available() -> tuple[str, ...]:
    """Canonical names of the built-in materials (aliases are listed in :mod:`materials.library`)."""
    return tuple(sorted(_ENTRIES, key=str.lower))


def get(name: str) -> Material:
    """The built-in material called ``name`` (case-insensitive; aliases accepted).

    Raises
    ------
    TypeError
        ``name`` is not a string.
    ValueError
        Unknown name; the message lists the closest known names.
    """
    if not isinstance(name, str):
        raise TypeError(f"material name must be a string, got {name!r}")
    canonical = _LOOKUP.get(_key(name))
    if canonical is None:
        by_key = {_key(label).lower(): label for label in _ALL_LABELS}
        close = difflib.get_close_matches(_key(name), list(by_key), n=4, cutoff=0.5)
        close += difflib.get_close_matches(name.lower(), [s.lower() for s in _ALL_LABELS], n=4, cutoff=0.5)
        seen = []
        for c in close:
            label = by_key.get(c) or next((s for s in _ALL_LABELS if s.lower() == c), c)
            if label not in seen:
                seen.append(label)
        hint = f"; did you mean {', '.join(repr(s) for s in seen[:4])}?" if seen else ""
        raise ValueError(f"unknown material {name!r}{hint} (materials.available() lists all {len(_ENTRIES)})")
    return _build(canonical)

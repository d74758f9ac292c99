"""Electrically injected colloidal-quantum-dot gain: J -> generation rate -> p_N -> g(lambda).

The model (``docs/theory.md`` sections 1 and 2):

1. A current density ``J`` (A/cm^2) creates excitons at the per-dot rate
   ``G = eta_inj J / (e n_areal)`` (s.2.1).
2. Each dot is a birth-death chain on the exciton number ``N = 0 .. N_max``: births at the
   uniform rate ``G`` (blocked at the state-filling cap ``N_max``), deaths ``N -> N-1`` at
   ``k_N = k_N^rad + k_N^Auger + k_N^trap``.  Its steady state obeys detailed balance,
   ``p_N = p_0 prod_{m<=N} G / k_m`` (s.1.5), evaluated here in log space.
3. A dot with ``N`` excitons and ``n_extra`` extra electrons has, in a band of electron
   degeneracy ``d``, the per-dot gain (normalised to the absorption of an empty dot, -1)
   ``G_N = [min(n_e, n_h) - (d - max(n_e, n_h))] / d`` (s.1.2, s.1.3).
4. The material gain is ``g(lambda) = sum_bands alpha_b L_b(lambda) sum_N p_N G_N^b`` with a
   Gaussian (inhomogeneous) line shape ``L_b`` of unit peak (s.1.5, s.1.6).

Heating enters as a temperature rise ``dT`` (K) that red-shifts each band by
``peak_shift_nm_per_K * dT`` and scales its strength by ``exp(-dT / T0)``; the temperature rise
itself comes from :class:`cavity.gain.thermal.ThermalModel`.

Units follow :mod:`cavity.conventions`: nm, cm^-1, A/cm^2, ns, K.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares
from scipy.special import logsumexp

from materials.library import QDFilmGeometry

from .._roots import current_root
from .._validation import (as_float_array, parse_enum, require_finite, require_positive, require_scalar_finite,
                          require_scalar_range, require_scalar_wavelength, require_wavelength)
from ..conventions import ELEMENTARY_CHARGE, NM_TO_CM
from ..layers import Stack, resolve_gain_layers

__all__ = [
    "AugerScaling",
    "RadiativeScaling",
    "GaussianBand",
    "QDGainModel",
    "CalibrationResult",
    "hexagonal_areal_density",
    "dot_volume_density",
    "HCP_PACKING_FRACTION",
    "state_filling_gain",
    "DEFAULT_BAND_1S",
    "DEFAULT_BAND_1P",
    "DEFAULT_1S_CROSS_SECTION_CM2",
    "DEFAULT_BAND_DOT_SPACING_NM",
    "DEFAULT_DOT_SPACING_NM",
    "recorded_film_geometry",
    "PHYSICAL_BOUNDS",
    "AssumptionChange",
]

_FOUR_LN2 = 4.0 * math.log(2.0)
#: electron degeneracy of the 1S and 1P levels (spin x orbital), docs/theory.md s.1.1 and s.1.3
DEGENERACY_1S = 2
DEGENERACY_1P = 6


class AugerScaling(str, enum.Enum):
    """How the Auger rate of the ``N -> N-1`` step scales with ``N`` (docs/theory.md s.1.4).

    ``STATISTICAL``: ``k_N = N^2 (N-1) / 4 / tau_XX,A`` (trion-pathway counting).
    ``QUADRATIC``: ``k_N = (N/2)^2 / tau_XX,A`` for ``N >= 2``.
    A custom exponent ``p`` (a float given as ``auger_scaling``) means ``k_N = (N/2)^p / tau_XX,A``.
    """

    STATISTICAL = "statistical"
    QUADRATIC = "quadratic"


class RadiativeScaling(str, enum.Enum):
    """How the radiative rate scales with ``N`` (docs/theory.md s.1.4).

    ``LINEAR``: ``k_N = N / tau_X`` (independent excitons).
    ``QUADRATIC``: ``k_N = N^2 / tau_X`` (statistical, ``k_XX = 4 k_X``).
    """

    LINEAR = "linear"
    QUADRATIC = "quadratic"


#: largest custom Auger exponent p (``k_N = (N/2)^p / tau_XX,A``): measured scalings lie between
#: 1 and 3 (statistical ~ N^3); p = 1e308 overflowed the rates to inf and every occupancy to NaN.
MAX_AUGER_EXPONENT = 10.0

#: (field, upper bound, unit) of a GaussianBand: all > 0.  A 1e308 cm^-1 absorption overflowed
#: the gain; centres and widths beyond 1e7 nm (the materials' range) are refused.
_BAND_RANGES = (("center_nm", 1e7, "nm"), ("fwhm_nm", 1e7, "nm"), ("peak_absorption_per_cm", 1e8, "cm^-1"))


def hexagonal_areal_density(dot_spacing_nm: float, monolayers: float = 1.0) -> float:
    """Areal dot density (cm^-2) of ``monolayers`` hexagonally close-packed layers.

    .. math:: n_{areal} = N_{ML} \\cdot 2 / (\\sqrt{3} D^2)

    docs/theory.md s.1.6: 1.155e12 cm^-2 for one monolayer at D = 10 nm.

    Parameters
    ----------
    dot_spacing_nm : float
        Centre-to-centre spacing D (nm).
    monolayers : float
        Number of monolayers (may be fractional for a partial layer).
    """
    # the ranges of QDGainModel: 1e-308 nm divided by zero, 1e308 monolayers gave inf
    d = require_scalar_range(dot_spacing_nm, "dot_spacing_nm", 0.1, 1e4, unit="nm")
    ml = require_scalar_range(monolayers, "monolayers", 0.0, 1e4, lo_open=True)
    d_cm = d * NM_TO_CM
    return ml * 2.0 / (math.sqrt(3.0) * d_cm * d_cm)


#: Packing fraction of hexagonal (or face-centred cubic) close packing of equal spheres,
#: pi / (3 sqrt 2) = 0.7405 (Kepler's bound, proved by Hales, Ann. Math. 162, 1065 (2005)).
HCP_PACKING_FRACTION = math.pi / (3.0 * math.sqrt(2.0))


def dot_volume_density(dot_spacing_nm: float, packing_fraction: float = HCP_PACKING_FRACTION) -> float:
    """Dot volume density (cm^-3) of ligand-capped spheres of outer diameter D at packing phi.

    .. math:: n_{vol} = \\phi / (\\pi D^3 / 6)

    Each ligand-capped dot is a sphere of diameter ``D = d_core + 2 t_ligand`` (touching
    neighbours are ``D`` apart, so ``D`` is also the centre spacing of close packing); a film
    filled to the volume fraction ``phi`` by such spheres holds ``phi / V_sphere`` dots per unit
    volume.  Close packing (``phi = pi / (3 sqrt 2)``) gives ``n_vol = sqrt(2) / D^3``:
    1.414e18 cm^-3 at D = 10 nm, 8.18e17 cm^-3 at D = 12 nm (10 nm dots with 1 nm ligands, the
    geometry of :func:`materials.library.qd_film`).  Equivalently ``n_vol`` is one hexagonal
    monolayer ``2 / (sqrt 3 D^2)`` per layer spacing ``D sqrt(2/3)`` of close packing.

    Parameters
    ----------
    dot_spacing_nm : float
        Outer diameter D of a ligand-capped dot = centre spacing of touching dots (nm), in
        ``[0.1, 1e4]``.
    packing_fraction : float, default :data:`HCP_PACKING_FRACTION`
        Volume fraction phi filled by the ligand-capped spheres, in ``(0, 0.7405]`` (random close
        packing of spheres is ~0.64).
    """
    d = require_scalar_range(dot_spacing_nm, "dot_spacing_nm", 0.1, 1e4, unit="nm")
    phi = _packing(packing_fraction)
    d_cm = d * NM_TO_CM
    return phi / (math.pi * d_cm ** 3 / 6.0)


def _packing(value) -> float:
    phi = require_scalar_finite(value, "packing_fraction")
    if not 0.0 < phi <= HCP_PACKING_FRACTION * (1.0 + 1e-12):
        raise ValueError(f"packing_fraction must be in (0, pi/(3 sqrt 2) = {HCP_PACKING_FRACTION:.4f}] (equal spheres "
                         f"cannot fill more), got {value!r}")
    return phi


#: relative tolerance within which an explicit areal density (or monolayer count) agrees with the
#: one a film thickness gives; anything further apart is refused as inconsistent
FILM_DENSITY_RTOL = 1e-6


def state_filling_gain(n_excitons: ArrayLike, degeneracy: int = DEGENERACY_1S, lower_states: int = 0,
                       extra_electrons: int = 0) -> NDArray[np.float64] | float:
    """Per-dot gain of one band, normalised so that an empty dot absorbs ``-1``.

    .. math::
        n_e = \\min(\\max(N + n_{extra} - s, 0), d), \\quad n_h = \\min(\\max(N - s, 0), d)

        G_N = [\\min(n_e, n_h) - (d - \\max(n_e, n_h))] / d

    with ``d`` the electron degeneracy of the band and ``s`` the number of states below it
    (0 for 1S; 2 for 1P).  Each channel with both carriers emits, each empty channel absorbs,
    a half-filled one is blocked (docs/theory.md s.1.2; the 1P generalisation of s.1.3 assumes the
    hole degeneracy equals the electron one).  Neutral 1S: ``G = -1, 0, +1`` for ``N = 0, 1, >=2``.

    Parameters
    ----------
    n_excitons : int or array of int
        Excitons per dot ``N >= 0``.
    degeneracy : int
        Electron degeneracy ``d`` of the band (2 for 1S, 6 for 1P).
    lower_states : int
        Electron states below the band ``s`` that fill first.
    extra_electrons : int
        Extra (charging) electrons per dot.
    """
    n = np.asarray(n_excitons)
    if not np.issubdtype(n.dtype, np.integer) or np.any(n < 0):
        raise ValueError(f"n_excitons must be non-negative integers, got {n_excitons!r}")
    for name, v in (("degeneracy", degeneracy), ("lower_states", lower_states), ("extra_electrons", extra_electrons)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
    if degeneracy == 0:
        raise ValueError("degeneracy must be >= 1, got 0")
    ne = np.clip(n + extra_electrons - lower_states, 0, degeneracy)
    nh = np.clip(n - lower_states, 0, degeneracy)
    return (np.minimum(ne, nh) - (degeneracy - np.maximum(ne, nh))) / degeneracy


@dataclass(frozen=True, slots=True)
class GaussianBand:
    """One absorption/gain band of the QD film with an inhomogeneous Gaussian line shape.

    .. math:: L(\\lambda) = \\exp[-4 \\ln 2 (\\lambda - \\lambda_c)^2 / w^2]

    normalised to a unit peak, so the unexcited film absorbs ``alpha_0 L(lambda)`` (cm^-1) in
    this band and full inversion gives the gain ``+alpha_0 L(lambda)`` (docs/theory.md s.1.1, s.1.6).
    A Gaussian in wavelength is a simplification of a Gaussian in energy; at FWHM/centre of
    ~5% the two differ by less than the uncertainty of the width itself.

    Parameters
    ----------
    center_nm : float
        Centre wavelength lambda_c (nm).
    fwhm_nm : float
        Full width at half maximum w (nm).
    peak_absorption_per_cm : float
        Absorption coefficient alpha_0 of the *unexcited* film at the centre (cm^-1).
    """

    center_nm: float
    fwhm_nm: float
    peak_absorption_per_cm: float

    def __post_init__(self):
        for name, hi, unit in _BAND_RANGES:
            v = require_scalar_range(getattr(self, name), name, 0.0, hi, unit=unit, lo_open=True)
            object.__setattr__(self, name, v)

    @classmethod
    def from_cross_section(cls, center_nm: float, fwhm_nm: float, cross_section_cm2: float,
                           volume_density_per_cm3: float) -> GaussianBand:
        """Band whose peak absorption is ``alpha_0 = sigma n_vol`` (docs/theory.md s.1.6).

        Parameters
        ----------
        cross_section_cm2 : float
            Per-dot absorption cross section at the band centre (cm^2).
        volume_density_per_cm3 : float
            Dot volume density (cm^-3); ``sqrt(2)/D^3`` for close packing.
        """
        s = require_scalar_finite(cross_section_cm2, "cross_section_cm2")
        nv = require_scalar_finite(volume_density_per_cm3, "volume_density_per_cm3")
        require_positive(s, "cross_section_cm2", unit="cm^2")
        require_positive(nv, "volume_density_per_cm3", unit="cm^-3")
        return cls(center_nm=center_nm, fwhm_nm=fwhm_nm, peak_absorption_per_cm=s * nv)

    def line_shape(self, wavelength_nm: ArrayLike, shift_nm: float = 0.0) -> NDArray[np.float64]:
        """Unit-peak Gaussian ``L(lambda - shift)`` at the wavelengths (nm)."""
        wl = as_float_array(wavelength_nm, "wavelength_nm")
        require_finite(wl, "wavelength_nm")
        shift = require_scalar_finite(shift_nm, "shift_nm")
        x = (wl - (self.center_nm + shift)) / self.fwhm_nm
        return np.exp(-_FOUR_LN2 * x * x)


#: Band-edge (1S) absorption cross section per dot (cm^2) of the default dots, at the 1S
#: absorption peak: sigma = 1000 ln(10) eps / N_A with the molar extinction coefficient of CdSe
#: nanocrystals at their first excitonic peak, eps = 5857 d^2.65 M^-1 cm^-1 (d in nm), for a core
#: of d = 5.6 nm, whose first peak lies at 620 nm by the sizing curve of the same paper
#: (W. W. Yu, L. Qu, W. Guo & X. Peng, Chem. Mater. 15, 2854 (2003)): eps = 5.64e5 M^-1 cm^-1,
#: sigma = 2.16e-15 cm^2.  docs/gain.md s.5.
DEFAULT_1S_CROSS_SECTION_CM2 = 2.16e-15

#: Default 1S band (docs/gain.md s.5).  Centre 625 nm: the red cg-QD emission (Roh 2020 lasing at
#: 624.6 nm, docs/theory.md s.2.3).  FWHM 30 nm (95 meV): the inhomogeneous width of a CdSe
#: ensemble of 5-10% size dispersion (V. I. Klimov (ed.), *Semiconductor and Metal Nanocrystals*,
#: Marcel Dekker 2004, ch. on intraband spectroscopy); with a 1S confinement energy of ~0.24 eV
#: above bulk CdSe (1.74 eV) scaling at most as R^-2 this gives FWHM <= 2.355 x 2 x 0.24 eV x
#: (5-10%) = 56-113 meV, i.e. 18-36 nm at 625 nm.  Peak absorption 3000 cm^-1 =
#: :data:`DEFAULT_1S_CROSS_SECTION_CM2` x the close-packed density sqrt(2)/D^3 of 10 nm dots
#: (1.414e18 cm^-3; 3050 rounded).  Consistency check: the measured dense film "CdSe/ZnCdS QD film
#: (Aftenieva)" absorbs 5,570 cm^-1 at 630 nm, of which the band-edge transition is a part (its
#: absorption keeps rising to 7,100 cm^-1 at 560 nm from the higher transitions): the default peak
#: is 0.54 of it, within the factor 2 that the local field of a film and the overlapping higher
#: transitions allow.
DEFAULT_BAND_1S = GaussianBand(center_nm=625.0, fwhm_nm=30.0, peak_absorption_per_cm=3000.0)
#: Example 1P band (used only when passed as ``band_1p``): ~0.15 eV above the 1S band (580 nm),
#: FWHM 35 nm, absorption 3x the 1S one (3 x 3000 cm^-1) for 3x the degeneracy.  All three are
#: assumptions.
DEFAULT_BAND_1P = GaussianBand(center_nm=580.0, fwhm_nm=35.0, peak_absorption_per_cm=9000.0)

#: Dot spacing (nm, close packing) at which :data:`DEFAULT_BAND_1S` and :data:`DEFAULT_BAND_1P`
#: hold.  A model of other dots uses the default bands scaled by its dot volume density,
#: ``alpha_b = alpha_b(10 nm) n_vol / n_vol(10 nm)``: the band-edge absorption is
#: ``sigma_1S n_vol`` (docs/gain.md s.8), with the effective
#: ``sigma_1S = 3000 cm^-1 / 1.414e18 cm^-3 = 2.12e-15 cm^2`` (the rounded default).
DEFAULT_BAND_DOT_SPACING_NM = 10.0
#: Dot spacing (nm) of a model whose film records no geometry and that is given none.
DEFAULT_DOT_SPACING_NM = 10.0


@dataclass(frozen=True, slots=True)
class _DensityScaledBand(GaussianBand):
    """A default band scaled to a model's dot density; a model re-scales it to its own dots."""


def _scaled_default(default: GaussianBand, scale: float) -> GaussianBand:
    return _DensityScaledBand(center_nm=default.center_nm, fwhm_nm=default.fwhm_nm,
                              peak_absorption_per_cm=default.peak_absorption_per_cm * scale)


def _is_default_band(band, default: GaussianBand) -> bool:
    """A band the model scales with its dots: the default (or a band a model scaled from it)."""
    return isinstance(band, _DensityScaledBand) or (type(band) is GaussianBand and band == default)


def _material_geometry(material):
    """``material.qd_geometry``, looking through wrappers (``.base``: heated, host) to the film."""
    seen = 0
    while material is not None and seen < 16:
        g = getattr(material, "qd_geometry", None)
        if g is not None:
            return g
        material = getattr(material, "base", None)
        seen += 1
    return None


def _same_geometry(a, b) -> bool:
    return (abs(a.dot_spacing_nm / b.dot_spacing_nm - 1.0) <= FILM_DENSITY_RTOL
            and abs(a.packing_fraction / b.packing_fraction - 1.0) <= FILM_DENSITY_RTOL)


def _describe_geometry(g) -> str:
    return (f"dot_spacing_nm={g.dot_spacing_nm:.6g} ({g.core_diameter_nm:g} nm dots + 2 x {g.ligand_thickness_nm:g} nm "
            f"ligands), packing_fraction={g.packing_fraction:.6g}")


def recorded_film_geometry(*stacks: Stack, gain_layers: Sequence[int | str] | None = None) -> QDFilmGeometry | None:
    """The dot geometry recorded by the QD film of the stacks' gain layers, or None.

    Each gain layer's material may record its dots (``material.qd_geometry``, a
    :class:`materials.library.QDFilmGeometry`, set by :func:`materials.qd_film`; wrappers such as
    a heated or host material are looked through).  Layers whose material records nothing
    (``None``, e.g. a measured film) accept the recorded geometry of the others.

    Parameters
    ----------
    *stacks : cavity.Stack
        One stack, or several (e.g. the tooth and groove of a grating).
    gain_layers : sequence of int or str, optional
        With one stack: the layers holding the dots (default: those marked ``gain=True``).

    Returns
    -------
    QDFilmGeometry or None

    Raises
    ------
    ValueError
        Two gain layers record different geometries (dot spacing or packing fraction): one gain
        model describes one kind of dot, so such a stack is refused (model it with one film
        geometry, or compute the layers separately).
    """
    if gain_layers is not None and len(stacks) != 1:
        raise ValueError(f"gain_layers applies to one stack, got {len(stacks)} stacks")
    found = []
    for k, stack in enumerate(stacks):
        idx = resolve_gain_layers(stack, gain_layers) if gain_layers is not None else stack.gain_layer_indices
        for i in idx:
            g = _material_geometry(stack.layers[i].material)
            if g is not None:
                found.append((f"layer {i}" + (f" of stack {k}" if len(stacks) > 1 else "")
                              + f" ({stack.layers[i].material.name})", g))
    if not found:
        return None
    where0, g0 = found[0]
    for where, g in found[1:]:
        if not _same_geometry(g, g0):
            raise ValueError(f"the gain layers record different QD film geometries: {where0} has "
                             f"{_describe_geometry(g0)}, {where} has {_describe_geometry(g)}; one gain model "
                             f"describes one kind of dot: give the gain layers one geometry")
    return g0

#: parameters that :meth:`QDGainModel.calibrate` may fit (all positive floats)
_FITTABLE = (
    "exciton_lifetime_ns",
    "biexciton_auger_lifetime_ns",
    "trap_lifetime_ns",
    "injection_efficiency",
    "dot_spacing_nm",
    "monolayers",
    "areal_density_per_cm2",
    "film_thickness_nm",
)


#: default calibration tolerance: largest accepted |log residual| (about 1% misfit)
CALIBRATION_TOLERANCE = 0.01

#: Physical bounds ``(low, high, basis)`` within which :meth:`QDGainModel.calibrate` fits each
#: parameter by default (docs/gain.md s.6).  A fit that needs a value outside them is telling that
#: an assumption (dot density, injection efficiency, the current density at the dots) is wrong.
PHYSICAL_BOUNDS = {
    "exciton_lifetime_ns": (5.0, 50.0, "radiative single-exciton lifetimes of CdSe-based core/shell dots are "
                            "15-30 ns (e.g. 14.7 ns average, Sci. Rep. (2021) doi:10.1038/s41598-021-81480-5); "
                            "5-50 ns allows for dielectric surroundings and Purcell changes"),
    "biexciton_auger_lifetime_ns": (0.5, 20.0, "graded (alloyed-interface) CdSe-based dots: several ns (Park et al., "
                                    "Nano Lett. 14, 396 (2014)); sharp-interface dots of similar size are "
                                    "faster, sub-ns; even thick-shell 'giant' dots, where Auger decay is slowed by "
                                    "orders of magnitude (Garcia-Santamaria et al., Nano Lett. 9, 3482 (2009)), stay "
                                    "within tens of ns"),
    "trap_lifetime_ns": (1.0, 1e5, "any trap channel slower than 1 ns (faster traps quench the emission)"),
    "injection_efficiency": (1e-3, 1.0, "a fraction of the current"),
    "dot_spacing_nm": (4.0, 30.0, "CdSe-based dots with their ligand shell, from small cores to thick graded shells"),
    "monolayers": (0.1, 100.0, "a partial monolayer to a ~1 um film"),
    "areal_density_per_cm2": (1e10, 1e15, "a sparse partial monolayer to a ~1 um close-packed film"),
    "film_thickness_nm": (1.0, 1000.0, "a QD film of a device stack"),
}


@dataclass(frozen=True, slots=True)
class QDGainModel:
    """Steady-state material gain of an electrically injected CQD film (immutable).

    Parameters
    ----------
    dot_spacing_nm : float or None, default None
        Outer diameter D of a ligand-capped dot, ``D = d_core + 2 t_ligand`` (nm): the centre
        spacing of touching dots.  ``None``: from the film -- :meth:`for_stack` (and so
        :func:`cavity.threshold_current`, :func:`cavity.dfb_threshold`, the design searches) take
        it from the gain layers' material when it records its dots (``material.qd_geometry``;
        ``"CdSe QD film"``: 10 nm dots + 2 x 1 nm ligands = 12 nm); else
        :data:`DEFAULT_DOT_SPACING_NM` = 10 nm (the worked example of the hexagonal-monolayer
        density, 1.155e12 cm^-2; Lim 2018's dot size was not retrieved).  An explicit value that
        disagrees with the film's record is refused (``ValueError`` naming both).  The value in
        use is :attr:`effective_dot_spacing_nm`.
    monolayers : float or None, default None
        Number of hexagonal QD monolayers, ``n_areal = N_ML 2/(sqrt(3) D^2)``.  ``None``: derived
        from ``film_thickness_nm`` when that is given, else 1 (the historical default).
    areal_density_per_cm2 : float or None, default None
        Explicit total areal dot density (cm^-2); overrides ``dot_spacing_nm``/``monolayers``
        (without a film thickness).
    injection_efficiency : float, default 1.0
        Fraction eta_inj of the current that forms excitons in the QD layer, in (0, 1].
        1 is an upper bound (assumption).
    exciton_lifetime_ns : float, default 20.0
        Single-exciton (radiative) lifetime tau_X (ns).  CdSe-based core/shell dots decay in
        15-30 ns (e.g. a 14.7 ns average PL lifetime of CdSe-based QDs on quartz, Sci. Rep. (2021),
        doi:10.1038/s41598-021-81480-5, Table 1); 20 ns lies inside :data:`PHYSICAL_BOUNDS` (5-50 ns).  docs/gain.md s.5.
    radiative_rate_factor : float, default 1.0
        Purcell factor ``F`` of the film's radiative rate in the device relative to the environment
        in which ``exciton_lifetime_ns`` holds: the radiative rates become ``F N / tau_X``.  From
        :func:`cavity.optics.emission.radiative_rate_factor` of the stack (a film-averaged Purcell
        factor), divided by that of the environment where tau_X was measured or fitted (e.g. the
        seed LED when calibrated to it).  docs/emission.md.
    biexciton_auger_lifetime_ns : float or None, default 5.0
        Biexciton Auger lifetime tau_XX,A (ns); ``None`` disables Auger decay.  Compositionally
        graded (alloyed-interface) CdSe-based dots lengthen the biexciton lifetime from ~0.1 ns to
        several ns (Y.-S. Park, W. K. Bae, L. A. Padilha, J. M. Pietryga & V. I. Klimov, Nano Lett.
        14, 396 (2014); the continuously graded dots of Lim, Park & Klimov, Nat. Mater. 17, 42
        (2018) rely on this suppression); 5 ns lies inside :data:`PHYSICAL_BOUNDS` (0.5-20 ns).
    auger_scaling : AugerScaling, str or float, default "statistical"
        ``"statistical"``: ``k_N = N^2(N-1)/4/tau_XX,A``; ``"quadratic"``: ``(N/2)^2/tau_XX,A``;
        a float ``p``: ``(N/2)^p/tau_XX,A`` (N >= 2).  s.1.4.
    radiative_scaling : RadiativeScaling or str, default "linear"
        ``"linear"``: ``k_N = N/tau_X``; ``"quadratic"``: ``N^2/tau_X``.  s.1.4.
    trap_lifetime_ns : float or None, default None
        Optional trap channel, each exciton trapped independently: ``k_N^trap = N/tau_trap``.
    max_excitons : int, default 8
        State-filling cap N_max: injection into a dot holding N_max excitons is blocked.
        8 fills the 1S + 1P electron shells (2 + 6, s.1.3; Jung 2022 reached ~8).
    extra_electrons : int, default 0
        Extra electrons per dot (0, 1 or 2), s.1.2.  The decay rates are those of the
        excitons only (charged-exciton Auger is not modelled).
    band_1s : GaussianBand or None, default None
        The band-edge band (electron degeneracy 2).  ``None`` (or :data:`DEFAULT_BAND_1S`): the
        default band, whose peak absorption follows the dot density,
        ``alpha_1S = 3000 cm^-1 x n_vol / n_vol(10 nm)`` (= ``sigma_1S n_vol``; 1736 cm^-1 for the
        12 nm spacing of ``"CdSe QD film"``); the attribute then holds the scaled band.  A band of
        your own stays as given (it states the film's absorption).  docs/gain.md s.8.
    band_1p : GaussianBand or None, default None
        The 1P band (degeneracy 6); off unless given.  :data:`DEFAULT_BAND_1P` scales with the
        dot density like the default 1S band; a band of your own stays as given.
    peak_shift_nm_per_K : float, default 0.1
        Red shift of the bands with the temperature rise (nm/K): ``lambda^2/(hc) |dE/dT|``.
        0.1 nm/K at 625 nm is |dE/dT| = 0.32 meV/K, between -0.225 meV/K measured on CdSe dots
        from 5 to 300 K (J. Bylsma et al., APS March Meeting 2011, abstract D11.00009: 0.07 nm/K)
        and the bulk CdSe slope near 300 K (~-0.4 meV/K from its Varshni law [M]: 0.12 nm/K).
    gain_characteristic_temperature_K : float or None, default 1000.0
        T0 of the band-strength reduction ``exp(-dT/T0)``; ``None`` means no reduction.  CdSe/CdS
        dot-in-rods keep an almost constant ASE threshold from 5 to 325 K (I. Moreels et al., Adv.
        Mater. 24, OP231 (2012)) and the CQD-laser review of Y.-S. Park, J. Roh, B. T. Diroll,
        R. D. Schaller & V. I. Klimov, Nat. Rev. Mater. 6, 382 (2021) stresses the temperature
        stability of CQD gain: the gain itself weakens by well under a third over ~300 K, i.e.
        T0 >~ 1000 K.  Heating then acts mainly through the band shift (gain-cavity detuning);
        a thermally activated trap channel of a real film is not in this default (add it through
        ``trap_lifetime_ns`` or a smaller T0 when measured).  docs/gain.md s.5.
    film_thickness_nm : float or None, default None
        Thickness L (nm) of the QD film (the sum over the gain layers of a stack).  When given,
        the film geometry is the one source of the dot density:
        ``n_areal = L n_vol`` with ``n_vol = phi / (pi D^3/6)`` (:func:`dot_volume_density`).
        An explicit ``areal_density_per_cm2`` or ``monolayers`` that disagrees with it by more
        than :data:`FILM_DENSITY_RTOL` is refused (``ValueError`` naming both values).
        :func:`cavity.threshold_current` and the design searches set it from the stack's gain
        layers (:meth:`for_stack`).
    packing_fraction : float or None, default None
        Volume fraction of the film filled by the ligand-capped spheres, ``(0, 0.7405]``.  ``None``:
        the film's (as ``dot_spacing_nm``), else close packing :data:`HCP_PACKING_FRACTION`
        (0.7405; random close packing is ~0.64).  Used with ``film_thickness_nm`` and for the
        default bands' density.  The value in use is :attr:`effective_packing_fraction`.

    Accepted ranges (outside them a ``ValueError`` names the parameter, so that no extreme
    value overflows into a NaN or inf): lifetimes ``[1e-6, 1e15]`` ns (1 fs to ~12 days);
    ``dot_spacing_nm`` ``[0.1, 1e4]``; ``monolayers`` ``(0, 1e4]``; ``areal_density_per_cm2``
    ``(0, 1e20]``; ``film_thickness_nm`` ``(0, 1e6]``; ``|peak_shift_nm_per_K| <= 10``; ``gain_characteristic_temperature_K``
    ``[1, 1e6]``.  Current densities are limited to ``[0, 1e20]`` A/cm^2 (:data:`MAX_CURRENT_DENSITY`)
    and temperature rises to ``>= -300`` K (:data:`TEMPERATURE_RISE_RANGE_K`).

    Notes
    -----
    The dot areal density (one value, :attr:`areal_density`): ``L n_vol`` with a film thickness
    ``L``; else ``areal_density_per_cm2``; else ``N_ML 2/(sqrt(3) D^2)``.  A threshold current is
    proportional to it at fixed per-dot physics (twice the dots need twice the current for the
    same excitons per dot), so a model without a film thickness describes one particular film;
    give the film (``for_film``/``for_stack``) to compare stacks whose QD films differ.

    Per-dot generation ``G = eta_inj J/(e n_areal)`` (s.2.1); steady state of the birth-death
    chain ``p_N = p_0 prod_{m=1}^{N} G/k_m`` (s.1.5); gain
    ``g(lambda) = sum_b alpha_b L_b(lambda) sum_N p_N G_N^b`` (s.1.5) with ``G_N^b`` from
    :func:`state_filling_gain`.  With linear decay only, ``p_N`` is Poisson with mean
    ``G tau_X`` and the neutral 1S gain crosses zero at ``<N> = 1.146193`` (s.1.1).

    Examples
    --------
    >>> m = QDGainModel(biexciton_auger_lifetime_ns=None, max_excitons=40)
    >>> round(m.generation_rate(18.50) / 1e8, 4)          # 1 ML, 10 nm spacing: 1e8 per dot per s
    1.0
    >>> round(m.mean_occupancy(m.inversion_current()), 4)  # Poisson threshold, root of e^m = 2 + m
    1.1462
    """

    dot_spacing_nm: float | None = None
    monolayers: float | None = None
    areal_density_per_cm2: float | None = None
    injection_efficiency: float = 1.0
    exciton_lifetime_ns: float = 20.0
    biexciton_auger_lifetime_ns: float | None = 5.0
    auger_scaling: AugerScaling | float = AugerScaling.STATISTICAL
    radiative_scaling: RadiativeScaling = RadiativeScaling.LINEAR
    trap_lifetime_ns: float | None = None
    max_excitons: int = 8
    extra_electrons: int = 0
    band_1s: GaussianBand | None = None
    band_1p: GaussianBand | None = None
    peak_shift_nm_per_K: float = 0.1
    gain_characteristic_temperature_K: float | None = 1000.0
    film_thickness_nm: float | None = None
    packing_fraction: float | None = None
    radiative_rate_factor: float = 1.0
    # derived, read-only caches
    _spacing: float = field(init=False, repr=False, compare=False, default=DEFAULT_DOT_SPACING_NM)
    _phi: float = field(init=False, repr=False, compare=False, default=HCP_PACKING_FRACTION)
    _n_areal: float = field(init=False, repr=False, compare=False, default=0.0)
    _rates: Any = field(init=False, repr=False, compare=False, default=None)
    _cum_log_k: Any = field(init=False, repr=False, compare=False, default=None)
    _table_1s: Any = field(init=False, repr=False, compare=False, default=None)
    _table_1p: Any = field(init=False, repr=False, compare=False, default=None)
    _n_index: Any = field(init=False, repr=False, compare=False, default=None)

    # ------------------------------------------------------------------ validation
    def __post_init__(self):
        s = object.__setattr__
        for name in ("exciton_lifetime_ns", "peak_shift_nm_per_K", "radiative_rate_factor"):
            s(self, name, require_scalar_finite(getattr(self, name), name))
        for name in ("exciton_lifetime_ns", "radiative_rate_factor"):
            require_positive(getattr(self, name), name)
        if self.packing_fraction is not None:
            s(self, "packing_fraction", _packing(self.packing_fraction))
        for name in ("dot_spacing_nm", "monolayers", "areal_density_per_cm2", "biexciton_auger_lifetime_ns", "trap_lifetime_ns",
                     "gain_characteristic_temperature_K", "film_thickness_nm"):
            v = getattr(self, name)
            if v is not None:
                v = require_scalar_finite(v, name)
                require_positive(v, name)
                s(self, name, v)
        for name, lo, hi in _PARAMETER_RANGES:
            v = getattr(self, name)
            if v is not None and not lo <= v <= hi:
                raise ValueError(f"{name} must be in [{lo:g}, {hi:g}], got {v!r}")
        eta = require_scalar_finite(self.injection_efficiency, "injection_efficiency")
        if not 0.0 < eta <= 1.0:
            raise ValueError(f"injection_efficiency must be in (0, 1], got {self.injection_efficiency!r}")
        s(self, "injection_efficiency", eta)
        s(self, "auger_scaling", _parse_auger(self.auger_scaling))
        s(self, "radiative_scaling", parse_enum(RadiativeScaling, self.radiative_scaling, "radiative_scaling"))
        for name, lo, hi in (("max_excitons", 1, 1000), ("extra_electrons", 0, 2)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {v!r}")
            s(self, name, int(v))
        if self.band_1s is not None and not isinstance(self.band_1s, GaussianBand):
            raise TypeError(f"band_1s must be a GaussianBand or None (the default), got {self.band_1s!r}")
        if self.band_1p is not None and not isinstance(self.band_1p, GaussianBand):
            raise TypeError(f"band_1p must be a GaussianBand or None, got {self.band_1p!r}")
        s(self, "_spacing", DEFAULT_DOT_SPACING_NM if self.dot_spacing_nm is None else self.dot_spacing_nm)
        s(self, "_phi", HCP_PACKING_FRACTION if self.packing_fraction is None else self.packing_fraction)
        # the default bands follow the dot density (alpha = sigma n_vol); a user's own band stays as given
        scale = dot_volume_density(self._spacing, self._phi) / dot_volume_density(DEFAULT_BAND_DOT_SPACING_NM)
        if self.band_1s is None or _is_default_band(self.band_1s, DEFAULT_BAND_1S):
            s(self, "band_1s", _scaled_default(DEFAULT_BAND_1S, scale))
        if self.band_1p is not None and _is_default_band(self.band_1p, DEFAULT_BAND_1P):
            s(self, "band_1p", _scaled_default(DEFAULT_BAND_1P, scale))

        s(self, "_n_areal", self._resolve_areal_density())
        rates = self.decay_rates()
        cum = np.concatenate(([0.0], np.cumsum(np.log(rates))))
        n = np.arange(self.max_excitons + 1)
        t1s = state_filling_gain(n, DEGENERACY_1S, 0, self.extra_electrons)
        t1p = state_filling_gain(n, DEGENERACY_1P, DEGENERACY_1S, self.extra_electrons)
        for name, arr in (("_rates", rates), ("_cum_log_k", cum), ("_table_1s", t1s), ("_table_1p", t1p),
                          ("_n_index", n.astype(np.float64))):
            arr.setflags(write=False)
            s(self, name, arr)

    def _resolve_areal_density(self) -> float:
        """The one areal density: the film's when a thickness is given (explicit values must agree)."""
        if self.film_thickness_nm is None:
            if self.areal_density_per_cm2 is not None:
                return self.areal_density_per_cm2
            return hexagonal_areal_density(self._spacing, 1.0 if self.monolayers is None else self.monolayers)
        n_film = self.film_thickness_nm * NM_TO_CM * dot_volume_density(self._spacing, self._phi)
        given = []
        if self.areal_density_per_cm2 is not None:
            given.append((f"areal_density_per_cm2={self.areal_density_per_cm2!r} cm^-2", self.areal_density_per_cm2))
        if self.monolayers is not None:
            given.append((f"monolayers={self.monolayers!r} ({hexagonal_areal_density(self._spacing, self.monolayers):.6g}"
                          f" cm^-2)", hexagonal_areal_density(self._spacing, self.monolayers)))
        for what, n in given:
            if abs(n / n_film - 1.0) > FILM_DENSITY_RTOL:
                raise ValueError(
                    f"inconsistent QD dot density: {what} disagrees with the film, film_thickness_nm="
                    f"{self.film_thickness_nm!r} nm x dot volume density {n_film / (self.film_thickness_nm * NM_TO_CM):.6g} "
                    f"cm^-3 (dot_spacing_nm={self._spacing!r}, packing_fraction={self._phi:.6g}) = "
                    f"{n_film:.6g} cm^-2; give only the film geometry (QDGainModel.for_film) or a consistent value")
        return n_film

    # ------------------------------------------------------------------ film geometry
    @classmethod
    def for_film(cls, thickness_nm: float, *, core_diameter_nm: float | None = None, ligand_thickness_nm: float = 1.0,
                 dot_spacing_nm: float | None = None, packing_fraction: float | None = None,
                 **parameters: Any) -> QDGainModel:
        """A model whose dot areal density follows a QD film of thickness ``thickness_nm``.

        .. math:: n_{areal} = L\\, \\phi / (\\pi D^3 / 6), \\qquad D = d_{core} + 2 t_{ligand}

        Parameters
        ----------
        thickness_nm : float
            Film thickness L (nm).
        core_diameter_nm : float, optional
            Inorganic dot diameter d_core (nm); with ``ligand_thickness_nm`` it sets
            ``dot_spacing_nm = d_core + 2 t_ligand`` (the geometry of
            :func:`materials.library.qd_film`: 10 nm + 2 x 1 nm).  Give this or
            ``dot_spacing_nm`` (default None: the class default, i.e. taken from the film of a
            stack that records one, else 10 nm), not both.
        ligand_thickness_nm : float, default 1.0
            Ligand shell thickness t (nm), used with ``core_diameter_nm``.
        dot_spacing_nm : float, optional
            Outer diameter D of a ligand-capped dot (nm).
        packing_fraction : float or None, default None
            Volume fraction filled by the ligand-capped spheres (None: the film's, else 0.7405).
        **parameters
            Any other :class:`QDGainModel` parameter (lifetimes, bands, ...).  ``monolayers`` and
            ``areal_density_per_cm2`` are checked against the film (refused when inconsistent).
        """
        if core_diameter_nm is not None:
            if dot_spacing_nm is not None:
                raise ValueError(f"give core_diameter_nm (with ligand_thickness_nm) or dot_spacing_nm, not both; got "
                                 f"core_diameter_nm={core_diameter_nm!r}, dot_spacing_nm={dot_spacing_nm!r}")
            d = require_scalar_finite(core_diameter_nm, "core_diameter_nm")
            t = require_scalar_finite(ligand_thickness_nm, "ligand_thickness_nm")
            require_positive(d, "core_diameter_nm", unit="nm")
            if t < 0:
                raise ValueError(f"ligand_thickness_nm must be >= 0 nm, got {ligand_thickness_nm!r}")
            dot_spacing_nm = d + 2.0 * t
        if dot_spacing_nm is not None:
            parameters["dot_spacing_nm"] = dot_spacing_nm
        return cls(film_thickness_nm=thickness_nm, packing_fraction=packing_fraction, **parameters)

    def with_film(self, thickness_nm: float) -> "QDGainModel":
        """This model (same dots and per-dot physics) for a QD film of thickness ``thickness_nm``.

        The areal density becomes ``thickness_nm x`` :attr:`dot_volume_density`; an explicit
        ``monolayers`` or ``areal_density_per_cm2`` of this model must agree with it, else
        ``ValueError`` names both values.
        """
        return replace(self, film_thickness_nm=thickness_nm)

    def for_stack(self, stack: Stack, gain_layers: Sequence[int | str] | None = None) -> QDGainModel:
        """This model with the QD film of a stack's gain layers: its thickness and its dots.

        The film thickness is the sum of the thicknesses (nm) of the gain layers (``gain=True``,
        or the indices ``gain_layers``): a vertical current crosses every one of them, so the
        excitons per dot follow ``J`` over the dots of all of them.  The dots (spacing ``D`` and
        packing ``phi``) are those the gain layers' material records (``material.qd_geometry``,
        :func:`materials.qd_film`; :func:`recorded_film_geometry`), so that
        ``n_areal = L phi / (pi D^3/6)`` follows the stack alone (docs/gain.md s.8).

        * A model without ``dot_spacing_nm``/``packing_fraction`` takes the film's; a model with
          one must agree with the film's within :data:`FILM_DENSITY_RTOL`.  A film that records
          nothing (e.g. a measured film) leaves the model's (default 10 nm, close packing).
        * A model without ``film_thickness_nm``, ``monolayers`` and ``areal_density_per_cm2``
          takes the stack's film (:meth:`with_film`).
        * A model with ``film_thickness_nm`` must match the stack within
          :data:`FILM_DENSITY_RTOL`; a model with an explicit ``monolayers`` or
          ``areal_density_per_cm2`` must give the areal density of the stack's film.

        Otherwise ``ValueError`` names both values: the stack is the one source of the QD
        geometry, and an inconsistent explicit value is refused rather than silently overridden.
        Gain layers that record different geometries are refused too (one model, one kind of dot).

        Parameters
        ----------
        stack : cavity.Stack
        gain_layers : sequence of int or str, optional
            The layers holding the dots (default: the layers marked ``gain=True``).
        """

        idx = resolve_gain_layers(stack, gain_layers)
        thickness = float(sum(stack.layers[i].thickness for i in idx))
        geometry = recorded_film_geometry(stack, gain_layers=idx)
        return self.for_film_thickness(thickness, f"the stack's gain layers {list(idx)}", geometry=geometry)

    def with_geometry(self, geometry: QDFilmGeometry | None, source: str = "the film") -> QDGainModel:
        """This model for the dots of ``geometry`` (a :class:`materials.library.QDFilmGeometry`).

        Sets ``dot_spacing_nm = d + 2t`` and ``packing_fraction`` from it; an explicit value of
        this model that disagrees (beyond :data:`FILM_DENSITY_RTOL`) raises ``ValueError`` naming
        both.  The default bands follow the new dot density.  ``None`` returns the model unchanged.
        """
        if geometry is None:
            return self
        D, phi = float(geometry.dot_spacing_nm), float(geometry.packing_fraction)
        for name, given, film in (("dot_spacing_nm", self.dot_spacing_nm, D),
                                  ("packing_fraction", self.packing_fraction, phi)):
            if given is not None and abs(given / film - 1.0) > FILM_DENSITY_RTOL:
                raise ValueError(
                    f"inconsistent QD film: the gain model has {name}={given!r} but {source} record "
                    f"{_describe_geometry(geometry)}; drop the explicit {name} (the model "
                    f"takes the film's) or give the film material the dots you mean "
                    f"(materials.qd_film(core_diameter=..., ligand_thickness=..., packing_fraction=...))")
        if self.dot_spacing_nm == D and self.packing_fraction == phi:
            return self
        try:
            return replace(self, dot_spacing_nm=D, packing_fraction=phi)
        except ValueError as exc:
            raise ValueError(f"the dots of {source} ({_describe_geometry(geometry)}) set the dot density: {exc}") from None

    def for_film_thickness(self, thickness_nm: float, source: str = "the film",
                           geometry: QDFilmGeometry | None = None) -> QDGainModel:
        """This model for a QD film of ``thickness_nm`` (nm), refusing an inconsistent explicit density.

        The rule of :meth:`for_stack` for a thickness known otherwise (e.g. the period-averaged
        QD film of a grating); ``source`` names it in the error message.  ``geometry`` (a
        :class:`materials.library.QDFilmGeometry` or None, e.g. :func:`recorded_film_geometry`)
        gives the film's dots first (:meth:`with_geometry`).
        """
        thickness = require_scalar_finite(thickness_nm, "thickness_nm")
        require_positive(thickness, "thickness_nm", unit="nm")
        model = self.with_geometry(geometry, source)
        if model.film_thickness_nm is not None:
            if abs(thickness / model.film_thickness_nm - 1.0) > FILM_DENSITY_RTOL:
                raise ValueError(
                    f"inconsistent QD film: the gain model has film_thickness_nm={model.film_thickness_nm!r} nm but "
                    f"{source} are {thickness:.6g} nm thick; use a model without a film thickness (it takes "
                    f"the stack's) or model.with_film({thickness:.6g})")
            return model
        try:
            return model.with_film(thickness)
        except ValueError as exc:
            raise ValueError(f"{source} ({thickness:.6g} nm of QD film) set the dot density: {exc}") from None

    # ------------------------------------------------------------------ the measured film's absorption
    def unpumped_absorption(self, wavelength: ArrayLike) -> np.ndarray:
        """Absorption coefficient (cm^-1) of the unpumped dots, ``max(-g(J = 0, lambda), 0)``."""
        return np.maximum(-np.asarray(self.material_gain(0.0, wavelength), dtype=np.float64), 0.0)

    def gain_host(self, material: Any) -> Any:
        """The passive host of a gain layer of ``material`` under this model (docs/gain.md s.3).

        A material whose ``k`` holds the ground-state absorption of the dots
        (``material.ground_state_absorption``, e.g. a measured QD film) gets the model's unpumped
        absorption removed (:func:`materials.remove_absorption`, ``k`` clipped at 0), so that the
        model *replaces* the measured band-edge absorption instead of adding to it
        (``materials.library.QD_FILM_RULE``).  Any other material is returned unchanged.
        """
        if not getattr(material, "ground_state_absorption", False):
            return material
        from materials.library import remove_absorption

        return remove_absorption(material, self.unpumped_absorption,
                                 name=f"{material.name} (host: gain-model absorption removed)")

    def host_stack(self, stack: Any, gain_layers: Any = None) -> Any:
        """``stack`` with each gain layer's material replaced by :meth:`gain_host` of it."""

        idx = set(resolve_gain_layers(stack, gain_layers))
        if not any(getattr(stack.layers[i].material, "ground_state_absorption", False) for i in idx):
            return stack
        layers = [replace(layer, material=self.gain_host(layer.material)) if i in idx else layer
                  for i, layer in enumerate(stack.layers)]
        return replace(stack, layers=tuple(layers))

    # ------------------------------------------------------------------ basic quantities
    @property
    def areal_density(self) -> float:
        """Total areal dot density n_areal (cm^-2) over all monolayers (see the class notes)."""
        return self._n_areal

    @property
    def dot_volume_density(self) -> float:
        """Dot volume density ``phi / (pi D^3/6)`` (cm^-3) of the film (:func:`dot_volume_density`)."""
        return dot_volume_density(self._spacing, self._phi)

    @property
    def effective_dot_spacing_nm(self) -> float:
        """The dot spacing D (nm) in use: ``dot_spacing_nm``, or 10 nm when that is None."""
        return self._spacing

    @property
    def effective_packing_fraction(self) -> float:
        """The packing fraction in use: ``packing_fraction``, or 0.7405 when that is None."""
        return self._phi

    @property
    def monolayer_count(self) -> float:
        """Equivalent number of hexagonal monolayers, ``n_areal / (2/(sqrt(3) D^2))``."""
        return self._n_areal / hexagonal_areal_density(self._spacing, 1.0)

    def decay_rates(self) -> np.ndarray:
        """Decay rates ``k_N`` (s^-1) of the steps ``N -> N-1`` for ``N = 1 .. N_max``.

        .. math:: k_N = k_N^{rad} + k_N^{A} + k_N^{trap}

        docs/theory.md s.1.4; see the class parameters for each scaling.
        """
        n = np.arange(1, self.max_excitons + 1, dtype=np.float64)
        k = self.radiative_rates()
        if self.biexciton_auger_lifetime_ns is not None:
            kxx = 1e9 / self.biexciton_auger_lifetime_ns
            if self.auger_scaling is AugerScaling.STATISTICAL:
                ka = n * n * (n - 1.0) / 4.0
            else:
                p = 2.0 if self.auger_scaling is AugerScaling.QUADRATIC else float(self.auger_scaling)
                ka = np.where(n >= 2, (n / 2.0) ** p, 0.0)
            k = k + kxx * ka
        if self.trap_lifetime_ns is not None:
            k = k + n * 1e9 / self.trap_lifetime_ns
        return k

    def radiative_rates(self) -> np.ndarray:
        """Radiative part of ``k_N`` (s^-1), ``N = 1 .. N_max``: ``F N/tau_X`` or ``F N^2/tau_X``
        (``F`` = :attr:`radiative_rate_factor`)."""
        n = np.arange(1, self.max_excitons + 1, dtype=np.float64)
        k1 = 1e9 * self.radiative_rate_factor / self.exciton_lifetime_ns
        return k1 * (n if self.radiative_scaling is RadiativeScaling.LINEAR else n * n)

    def generation_rate(self, current_density: ArrayLike) -> np.ndarray | float:
        """Excitons generated per dot per second (s^-1).

        .. math:: G = \\eta_{inj} J / (e\\, n_{areal})

        docs/theory.md s.2.1 (1 ML at 10 nm, eta = 1: 18.50 A/cm^2 <-> 1e8 s^-1).

        Parameters
        ----------
        current_density : float or array
            J (A/cm^2), >= 0.
        """
        j = _current(current_density)
        g = self.injection_efficiency * j / (ELEMENTARY_CHARGE * self._n_areal)
        return float(g) if g.ndim == 0 else g

    def current_for_generation_rate(self, generation_rate: ArrayLike) -> np.ndarray | float:
        """Inverse of :meth:`generation_rate`: ``J = e n_areal G / eta_inj`` (A/cm^2)."""
        g = as_float_array(generation_rate, "generation_rate")
        require_positive(g, "generation_rate", strict=False, unit="s^-1")
        out = ELEMENTARY_CHARGE * self._n_areal * g / self.injection_efficiency
        return float(out) if out.ndim == 0 else out

    # ------------------------------------------------------------------ occupancy
    def _occupancy_from_generation(self, g: np.ndarray) -> np.ndarray:
        """p_N for generation rates ``g`` (any shape, >= 0) -> shape ``g.shape + (N_max+1,)``."""
        n = self._n_index
        g = np.asarray(g, dtype=np.float64)
        if g.ndim == 0:  # fast path (threshold searches call this in a loop)
            p = np.zeros(n.size)
            if g <= 0.0:
                p[0] = 1.0
                return p
            logw = n * math.log(g) - self._cum_log_k
            w = np.exp(logw - logw.max())
            return w / w.sum()
        with np.errstate(divide="ignore"):
            logg = np.log(g)[..., None]
        zero = (g == 0)[..., None]
        logw = np.where(zero, 0.0, n * np.where(zero, 0.0, logg)) - self._cum_log_k
        logw = np.where(zero & (n > 0), -np.inf, logw)
        return np.exp(logw - logsumexp(logw, axis=-1, keepdims=True))

    def occupancy(self, current_density: ArrayLike) -> NDArray[np.float64]:
        """Steady-state probabilities ``p_N``, ``N = 0 .. N_max``, of the birth-death chain.

        .. math:: p_N = p_0 \\prod_{m=1}^{N} G / k_m, \\qquad \\sum_N p_N = 1

        Detailed balance of a chain with uniform generation ``G`` (blocked at ``N_max``) and
        decay ``k_N`` (docs/theory.md s.1.5), computed as a log-sum-exp in log space.

        Parameters
        ----------
        current_density : float or array
            J (A/cm^2), >= 0.

        Returns
        -------
        ndarray
            Shape ``np.shape(J) + (max_excitons + 1,)``.
        """
        return self._occupancy_from_generation(np.asarray(self.generation_rate(current_density)))

    def mean_occupancy(self, current_density: ArrayLike) -> np.ndarray | float:
        """Mean excitons per dot ``<N> = sum_N N p_N`` at the current density(ies) (A/cm^2)."""
        p = self.occupancy(current_density)
        out = p @ np.arange(self.max_excitons + 1, dtype=np.float64)
        return float(out) if out.ndim == 0 else out

    def radiative_rate_per_area(self, current_density: ArrayLike) -> np.ndarray | float:
        """Spontaneous radiative recombination per unit area (cm^-2 s^-1): ``n_areal sum p_N k_N^rad``."""
        p = self.occupancy(current_density)
        out = self._n_areal * (p[..., 1:] @ self.radiative_rates())
        return float(out) if out.ndim == 0 else out

    # ------------------------------------------------------------------ gain
    def band_inversion(self, current_density: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Ensemble per-dot band gain ``sum_N p_N G_N`` of the 1S and 1P bands (each in [-1, 1]).

        Returns
        -------
        (ndarray, ndarray)
            1S and 1P values, each of shape ``np.shape(J)``.
        """
        p = self.occupancy(current_density)
        return p @ self._table_1s, p @ self._table_1p

    def _bands(self, temperature_rise_K: float):
        shift = self.peak_shift_nm_per_K * temperature_rise_K
        scale = 1.0 if self.gain_characteristic_temperature_K is None else math.exp(
            -temperature_rise_K / self.gain_characteristic_temperature_K)
        return shift, scale

    def _gain_from_p(self, p, wl, temperature_rise_K=0.0):
        shift, scale = self._bands(temperature_rise_K)
        b = self.band_1s
        x = (wl - (b.center_nm + shift)) * (1.0 / b.fwhm_nm)
        g = (scale * b.peak_absorption_per_cm * float(p @ self._table_1s)) * np.exp(-_FOUR_LN2 * x * x)
        if self.band_1p is not None:
            b = self.band_1p
            x = (wl - (b.center_nm + shift)) * (1.0 / b.fwhm_nm)
            g = g + (scale * b.peak_absorption_per_cm * float(p @ self._table_1p)) * np.exp(-_FOUR_LN2 * x * x)
        return g

    def material_gain(self, current_density: float, wavelength: ArrayLike,
                      temperature_rise_K: float = 0.0) -> np.ndarray | float:
        """Material power gain g (cm^-1) at one current density; negative values absorb.

        .. math::
            g(\\lambda) = \\sum_{b} \\alpha_b\\, e^{-\\Delta T/T_0}\\,
            L_b(\\lambda - s\\,\\Delta T) \\sum_{N} p_N(J)\\, G_N^{b}

        docs/theory.md s.1.5 (spectrum), s.1.2-1.3 (``G_N``), s.2.4 (heating, a documented model).

        Parameters
        ----------
        current_density : float
            J (A/cm^2), a scalar >= 0.
        wavelength : float or array
            Vacuum wavelength(s) (nm).
        temperature_rise_K : float, default 0
            Temperature rise dT (K) above the reference temperature of the bands.

        Returns
        -------
        float or ndarray
            Same shape as ``wavelength``.
        """
        j = _scalar_current(current_density)
        wl = require_wavelength(wavelength)
        dt = _temperature_rise(temperature_rise_K)
        p = self._occupancy_from_generation(np.asarray(self.injection_efficiency * j / (ELEMENTARY_CHARGE * self._n_areal)))
        g = self._gain_from_p(p, wl, dt)
        return float(g) if g.ndim == 0 else g

    def max_gain(self, wavelength: ArrayLike, temperature_rise_K: float = 0.0) -> np.ndarray | float:
        """Saturated gain (cm^-1) for ``J -> infinity``: every dot holds ``N_max`` excitons.

        .. math:: g_{max}(\\lambda) = \\sum_b \\alpha_b L_b(\\lambda) G^b_{N_{max}}

        For the 1S band this is full inversion, ``+alpha_1S L(lambda)`` (docs/theory.md s.1.1).
        """
        wl = require_wavelength(wavelength)
        dt = _temperature_rise(temperature_rise_K)
        p = np.zeros(self.max_excitons + 1)
        p[-1] = 1.0
        g = self._gain_from_p(p, wl, dt)
        return float(g) if g.ndim == 0 else g

    # ------------------------------------------------------------------ inverses
    @property
    def characteristic_current(self) -> float:
        """Current density (A/cm^2) at which ``G tau_X = 1``: ``e n_areal / (eta tau_X)``."""
        return ELEMENTARY_CHARGE * self._n_areal * self.radiative_rate_factor / (
            self.injection_efficiency * self.exciton_lifetime_ns * 1e-9)

    def _solve_increasing(self, fun, what: str, maximum: float) -> float:
        """Root in J of an increasing ``fun(J)`` with ``fun(0) < 0``: a bracket grown in log J, then
        :func:`cavity._roots.current_root`."""
        jc = self.characteristic_current
        lo, hi = -8.0, 1.0
        flo = fun(jc * math.exp(lo))
        while flo >= 0.0 and lo > -60.0:
            lo -= 6.0
            flo = fun(jc * math.exp(lo))
        fhi = fun(jc * math.exp(hi))
        while fhi <= 0.0 and hi < 80.0:
            hi += 4.0
            fhi = fun(jc * math.exp(hi))
        if not (flo < 0.0 < fhi):
            raise ValueError(f"cannot reach {what} within J = {jc * math.exp(hi):.3g} A/cm^2 (still {-fhi:.3g} "
                             f"short there); the saturated maximum is {maximum:.6g}")
        return current_root(fun, jc * math.exp(lo), jc * math.exp(hi))

    def current_for_gain(self, gain_per_cm: float, wavelength: float, temperature_rise_K: float = 0.0) -> float:
        """Current density (A/cm^2) at which the material gain at ``wavelength`` equals ``g``.

        Inverse of :meth:`material_gain` at a fixed temperature rise, which increases monotonically
        with J (p_N shifts to higher N as G grows and every ``G_N`` is non-decreasing in N).  Solved
        with Brent's method in ``log J`` (:func:`cavity._roots.current_root`).  (With self-heating, where ``dT`` follows J,
        use :meth:`cavity.gain.thermal.ThermalModel.current_for_gain`.)

        Parameters
        ----------
        gain_per_cm : float
            Target material gain (cm^-1).
        wavelength : float
            Vacuum wavelength (nm), a scalar.
        temperature_rise_K : float, default 0
            Fixed temperature rise dT (K) of the bands (:meth:`material_gain`).

        Returns
        -------
        float
            J >= 0; 0 when the unpumped film already has at least that gain.

        Raises
        ------
        ValueError
            When ``g`` is not below the saturated maximum :meth:`max_gain` (the message gives it).
        """
        target = require_scalar_finite(gain_per_cm, "gain_per_cm")
        wl = require_scalar_wavelength(wavelength)
        dt = _temperature_rise(temperature_rise_K)
        gmax = self.max_gain(wl, dt)
        if target >= gmax:
            heated = f" at a temperature rise of {dt:g} K" if dt else ""
            raise ValueError(f"gain_per_cm={target!r} cm^-1 is out of reach at {wl} nm{heated}: the saturated "
                             f"maximum gain (all dots at N_max={self.max_excitons}) is {gmax:.6g} cm^-1")
        if self.material_gain(0.0, wl, dt) >= target:
            return 0.0
        return self._solve_increasing(lambda j: float(self.material_gain(j, wl, dt)) - target,
                                      f"gain_per_cm={target!r} at {wl} nm", float(gmax))

    def transparency_current(self, wavelength: float) -> float:
        """Current density (A/cm^2) at which the film becomes transparent at ``wavelength``.

        ``g(J_tr, lambda) = 0``; 0 for dots with two extra electrons (docs/theory.md s.1.2).
        """
        return self.current_for_gain(0.0, wavelength)

    def inversion_current(self) -> float:
        """Current density (A/cm^2) of band-edge (1S) population inversion, ``sum_N p_N G_N^1S = 0``.

        Independent of wavelength and of the 1P band; equal to :meth:`transparency_current` at
        any wavelength when the 1P band is off.  This is what Lim 2018 report at 3-4 A/cm^2
        (docs/theory.md s.2.2).
        """
        if self._table_1s[0] >= 0.0:
            return 0.0
        return self._solve_increasing(lambda j: float(self.band_inversion(j)[0]), "1S inversion", 1.0)

    # ------------------------------------------------------------------ calibration
    def calibrate(self, *, occupancy_points: Iterable[tuple[float, float]] = (), inversion_currents: Iterable[float] = (),
                  free: Sequence[str] = ("exciton_lifetime_ns", "biexciton_auger_lifetime_ns"),
                  bounds: Mapping[str, tuple[float, float]] | None = None,
                  tolerance: float = CALIBRATION_TOLERANCE, physical_bounds: bool = True) -> CalibrationResult:
        """Fit model parameters to measured data, within physical bounds, by least squares in log space.

        Residuals are ``log(<N>_model(J_i) / <N>_i)`` for each ``(J_i, <N>_i)`` pair and
        ``log(J_inv,model / J_inv,k)`` for each measured 1S inversion current (see
        :meth:`inversion_current`).  The free parameters are fitted in log space with
        ``scipy.optimize.least_squares`` from the current values (clipped into the bounds).  Lim 2018
        (docs/theory.md s.2.2): ``occupancy_points=[(18.0, 3.2)], inversion_currents=[3.5]``.

        When a target is missed inside the bounds, the fit says which assumption would have to change
        and by how much (:class:`AssumptionChange`, docs/gain.md s.6).  The current enters the
        model only through the per-dot generation rate ``G = eta_inj J / (e n_areal)``, so the
        free parameters that are *not* the injection efficiency or the dot density are refitted
        within their physical bounds together with one factor ``f`` on ``G / J``; ``f`` then is
        the change needed: an injection efficiency ``f eta_inj`` at the assumed dot density (possible
        only when ``<= 1``), a dot areal density ``n_areal / f`` at the assumed ``eta_inj`` (for a
        film model: a film ``L / f`` thick, or a dot spacing ``D f^(1/3)``), or a current density at
        the dots ``f`` times the quoted one (current focusing).

        Parameters
        ----------
        occupancy_points : sequence of (float, float)
            Pairs (J in A/cm^2, <N>).
        inversion_currents : sequence of float
            Measured band-edge inversion currents (A/cm^2).
        free : sequence of str
            Parameter names to fit, from ``exciton_lifetime_ns``, ``biexciton_auger_lifetime_ns``,
            ``trap_lifetime_ns``, ``injection_efficiency``, ``dot_spacing_nm``, ``monolayers``,
            ``areal_density_per_cm2``, ``film_thickness_nm``.  Each must currently have a value
            (not None).  A model with a film thickness fits the dot density through
            ``film_thickness_nm`` (or ``dot_spacing_nm``), not ``monolayers`` or
            ``areal_density_per_cm2``.
        bounds : dict or None
            ``{name: (low, high)}``.  Default: the physical bounds :data:`PHYSICAL_BOUNDS` (with
            ``physical_bounds``), else ``(value/1e3, value*1e3)`` and ``(1e-4, 1)`` for the
            injection efficiency.  With ``physical_bounds`` an explicit range must lie inside the
            physical one (``ValueError`` otherwise).
        tolerance : float, default :data:`CALIBRATION_TOLERANCE` (0.01)
            Largest accepted ``|log residual|`` (0.01: every target met within about 1%).
        physical_bounds : bool, default True
            Fit within :data:`PHYSICAL_BOUNDS`.  ``False`` restores the wide numerical bounds, which
            can return unphysical parameters (e.g. lifetimes of hundreds of ns) that merely hide a
            wrong assumption.

        Returns
        -------
        CalibrationResult
            ``success`` is True only when the optimiser converged **and** every target is met
            within ``tolerance``; otherwise ``message`` names each missed target, its model value
            and the misfit, and ``missed_targets`` lists them, and ``needed`` (an
            :class:`AssumptionChange`) says what must change to meet them.
        """
        tolerance = require_scalar_finite(tolerance, "tolerance")
        if not tolerance > 0:
            raise ValueError(f"tolerance must be > 0 (a |log residual|), got {tolerance!r}")
        if not isinstance(physical_bounds, (bool, np.bool_)):
            raise TypeError(f"physical_bounds must be True or False, got {physical_bounds!r}")
        occ = [(require_scalar_finite(j, "occupancy_points current"), require_scalar_finite(n, "occupancy_points <N>"))
               for j, n in occupancy_points]
        inv = [require_scalar_finite(j, "inversion_currents") for j in inversion_currents]
        for j, n in occ:
            require_positive(j, "occupancy_points current", unit="A/cm^2")
            require_positive(n, "occupancy_points <N>")
        for j in inv:
            require_positive(j, "inversion_currents", unit="A/cm^2")
        free = tuple(free)
        if not free:
            raise ValueError("free must name at least one parameter")
        if not occ and not inv:
            raise ValueError("give at least one of occupancy_points or inversion_currents")
        bounds = dict(bounds or {})
        x0, lo, hi, used = [], [], [], []
        for name in free:
            if name not in _FITTABLE:
                raise ValueError(f"free parameter {name!r} is not fittable; choose from {_FITTABLE}")
            v = self._spacing if name == "dot_spacing_nm" else getattr(self, name)
            if v is None:
                raise ValueError(f"free parameter {name!r} is None in this model; give it a starting value")
            if self.film_thickness_nm is not None and name in ("monolayers", "areal_density_per_cm2"):
                raise ValueError(f"free parameter {name!r}: this model's dot density follows its film "
                                 f"(film_thickness_nm={self.film_thickness_nm!r} nm); fit film_thickness_nm instead")
            phys = PHYSICAL_BOUNDS[name][:2] if physical_bounds else None
            if name in bounds:
                b = tuple(float(x) for x in bounds.pop(name))
                if not (0 < b[0] <= v <= b[1]):
                    raise ValueError(f"bounds for {name!r} must satisfy 0 < low <= start <= high, got {b!r} with start {v!r}")
                if phys is not None and not (phys[0] <= b[0] and b[1] <= phys[1]):
                    raise ValueError(f"bounds for {name!r} {b!r} leave its physical range {phys!r} "
                                     f"(PHYSICAL_BOUNDS); pass physical_bounds=False to fit outside it")
            elif phys is not None:
                b = phys
                v = min(max(v, b[0]), b[1])  # a start outside the physical range starts at its edge
            else:
                b = (1e-4, 1.0) if name == "injection_efficiency" else (v / 1e3, v * 1e3)
            x0.append(math.log(v))
            lo.append(math.log(b[0]))
            hi.append(math.log(b[1]))
            used.append((name, float(b[0]), float(b[1])))
        if bounds:
            raise ValueError(f"bounds given for parameters that are not free: {sorted(bounds)}")

        def build(x):
            return replace(self, **{n: float(math.exp(v)) for n, v in zip(free, x)})

        sol, model = _fit(build, occ, inv, x0, lo, hi)
        labels = _target_labels(model, occ, inv)
        missed = tuple(f"{lab}: log residual {r:+.3g}" for lab, r in zip(labels, sol.fun) if not abs(r) <= tolerance)
        ok = bool(sol.success) and not missed
        message = str(sol.message)
        needed = None
        if missed:
            pinned = [n for n, v, a, b in zip(free, sol.x, lo, hi) if min(v - a, b - v) < 1e-6]
            where = (" within the physical bounds (" + ", ".join(f"{n} {a:g}-{b:g}" for n, a, b in used) + ")"
                     if physical_bounds else "")
            message = (f"targets missed beyond tolerance {tolerance:g}{where}: " + "; ".join(missed)
                       + (f" (parameters at their bounds: {', '.join(pinned)})" if pinned else "")
                       + f"; optimiser: {str(sol.message).rstrip('.')}")
            needed = self._needed_change(occ, inv, [u for u in used if u[0] not in _DENSITY_LIKE], tolerance)
            message += ". " + needed.message
        return CalibrationResult(model=model, parameters=tuple((n, float(math.exp(v))) for n, v in zip(free, sol.x)),
                                 residuals=tuple(float(r) for r in sol.fun), success=ok,
                                 message=message, tolerance=tolerance, missed_targets=missed,
                                 bounds=tuple(used), needed=needed)

    def _needed_change(self, occ, inv, used, tolerance) -> "AssumptionChange":
        """Refit the non-density parameters (within ``used`` bounds) with a factor f on G / J."""
        names = [u[0] for u in used]
        n0 = self._n_areal
        base = replace(self, film_thickness_nm=None, monolayers=None, areal_density_per_cm2=n0)
        x0 = [min(max(math.log(getattr(self, n)), math.log(a)), math.log(b)) for n, a, b in used] + [0.0]
        lo = [math.log(a) for _, a, b in used] + [math.log(1e-8)]
        hi = [math.log(b) for _, a, b in used] + [math.log(1e8)]

        def build(x):
            f = math.exp(x[-1])
            kw = {n: float(math.exp(v)) for n, v in zip(names, x[:-1])}
            return replace(base, areal_density_per_cm2=min(max(n0 / f, 1e-300), _AREAL_MAX), **kw)

        # of the family of solutions (more unknowns than targets), the smallest change |log f|: a weak
        # penalty on log f (its weight 1e-3 shifts the met targets by ~1e-6 in log) picks it
        sol, model = _fit(build, occ, inv, x0, lo, hi, penalty=(len(x0) - 1, _CHANGE_WEIGHT))
        f = math.exp(float(sol.x[-1]))
        sol_fun = sol.fun[:-1]
        met = bool(all(abs(r) <= tolerance for r in sol_fun))
        eta = self.injection_efficiency * f
        film = dspacing = None
        if self.film_thickness_nm is not None:
            film = self.film_thickness_nm / f
            dspacing = self._spacing * f ** (1.0 / 3.0)
        params = tuple((n, float(math.exp(v))) for n, v in zip(names, sol.x[:-1]))
        fitted = ", ".join(f"{n} = {v:.4g}" for n, v in params)
        if not met:
            labels = _target_labels(model, occ, inv)
            rest = "; ".join(f"{lab}: log residual {r:+.3g}" for lab, r in zip(labels, sol_fun) if not abs(r) <= tolerance)
            msg = (f"Even a free number of excitons per dot per unit current (factor {f:.3g}) does not meet every "
                   f"target with the other parameters inside their bounds ({fitted}): {rest}; the shape of the data "
                   f"(e.g. the ratio of the currents) needs other decay physics or other bounds")
            if any(n >= self.max_excitons for _, n in occ):
                msg += f" (an occupancy target is not below the state-filling cap max_excitons={self.max_excitons})"
        else:
            opts = [f"an injection efficiency of {eta:.3g}" + (" (impossible: > 1)" if eta > 1.0 else "")
                    + f" at the assumed {n0:.4g} dots/cm^2",
                    f"{n0 / f:.4g} dots/cm^2 at eta_inj = {self.injection_efficiency:.3g}"
                    + (f" (a {film:.3g} nm film of these dots, or a {dspacing:.3g} nm dot spacing in the "
                       f"{self.film_thickness_nm:g} nm film)" if film is not None else "")
                    + f" -- whose band-edge absorption and saturated gain, sigma n_vol, would be {f:.3g} x lower",
                    f"a current density at the dots {f:.3g} x the quoted one (current focusing)"]
            msg = (f"To meet the targets with physical parameters ({fitted}) the excitons generated per dot per "
                   f"unit current must be {f:.4g} x the assumed: " + "; or ".join(opts))
        return AssumptionChange(generation_scale=f, injection_efficiency=eta, areal_density_per_cm2=n0 / f,
                                film_thickness_nm=film, dot_spacing_nm=dspacing, parameters=params,
                                residuals=tuple(float(r) for r in sol_fun), met=met, model=model, message=msg)


def _fit(build, occ, inv, x0, lo, hi, penalty=None):
    """Least squares of the log residuals of the targets over ``build(x)``; returns (solution, model).

    ``penalty = (i, w)`` appends the residual ``w x[i]`` (last in ``solution.fun``)."""
    def residuals(x):
        m = build(x)
        r = [math.log(max(m.mean_occupancy(j), 1e-300) / n) for j, n in occ]
        r += [math.log(max(m.inversion_current(), 1e-300) / j) for j in inv]
        if penalty is not None:
            r.append(penalty[1] * x[penalty[0]])
        return np.asarray(r)

    sol = least_squares(residuals, np.asarray(x0, dtype=float), bounds=(lo, hi), x_scale=1.0, xtol=1e-12,
                        ftol=1e-12, gtol=1e-12)
    return sol, build(sol.x)


def _target_labels(model, occ, inv):
    labels = [f"<N>={n:g} at J={j:g} A/cm^2 (model {model.mean_occupancy(j):.4g})" for j, n in occ]
    labels += [f"inversion current {j:g} A/cm^2 (model {model.inversion_current():.4g})" for j in inv]
    return labels


#: the parameters that set the generation per unit current (eta_inj / n_areal)
_DENSITY_LIKE = ("injection_efficiency", "dot_spacing_nm", "monolayers", "areal_density_per_cm2", "film_thickness_nm")
_AREAL_MAX = 1e20
#: weight of the log f penalty that picks the smallest needed change among equivalent fits
_CHANGE_WEIGHT = 1e-3


@dataclass(frozen=True, slots=True)
class AssumptionChange:
    """What must change for :meth:`QDGainModel.calibrate` to meet targets it missed (docs/gain.md s.6).

    The current enters only through ``G = eta_inj J / (e n_areal)``; with the other free
    parameters refitted inside their bounds, the targets need ``G / J`` to be ``generation_scale``
    (f) times the assumed one.

    Attributes
    ----------
    generation_scale : float
        f: the needed excitons per dot per unit current over the assumed.
    injection_efficiency : float
        ``f eta_inj``: the injection efficiency needed at the assumed dot density (> 1 is impossible).
    areal_density_per_cm2 : float
        ``n_areal / f``: the dot density (cm^-2) needed at the assumed ``eta_inj``.
    film_thickness_nm : float or None
        ``L / f``: the QD film thickness (nm) of the same dots and packing with that density
        (None for a model without a film thickness).
    dot_spacing_nm : float or None
        ``D f^(1/3)``: the dot spacing (nm) that gives that density in the same film (None without a film).
    parameters : tuple of (str, float)
        The other free parameters, refitted with f inside their bounds.
    residuals : tuple of float
        Log residuals of the targets with f and those parameters.
    met : bool
        Every target met within the tolerance with this change.
    model : QDGainModel
        The model with the refitted parameters and ``areal_density_per_cm2 = n_areal / f``
        (explicit, no film): plugging it back meets the targets when ``met``.
    message : str
        The verdict in words.
    """

    generation_scale: float
    injection_efficiency: float
    areal_density_per_cm2: float
    film_thickness_nm: float | None
    dot_spacing_nm: float | None
    parameters: tuple
    residuals: tuple
    met: bool
    model: "QDGainModel"
    message: str

    @property
    def injection_efficiency_possible(self) -> bool:
        """True when the needed injection efficiency is at most 1."""
        return self.injection_efficiency <= 1.0


@dataclass(frozen=True, slots=True)
class CalibrationResult:
    """Result of :meth:`QDGainModel.calibrate`.

    Attributes
    ----------
    model : QDGainModel
        The model with the fitted parameters (inside ``bounds``).
    parameters : tuple of (str, float)
        Fitted values, in the order of ``free``.
    residuals : tuple of float
        Final log residuals (occupancy points first, then inversion currents).
    success : bool
        True when ``least_squares`` converged and every ``|residual| <= tolerance``.
    message : str
        The missed targets (model value and log residual), the parameters pinned at a
        bound and what must change (``needed``), or the ``least_squares`` status message on success.
    tolerance : float
        The accepted ``|log residual|``.
    missed_targets : tuple of str
        One entry per target not met within ``tolerance`` (empty on success).
    bounds : tuple of (str, float, float)
        The bounds each free parameter was fitted in.
    needed : AssumptionChange or None
        When a target is missed: the change of injection efficiency / dot density that meets it.
    """

    model: QDGainModel
    parameters: tuple
    residuals: tuple
    success: bool
    message: str
    tolerance: float = 0.01
    missed_targets: tuple = ()
    bounds: tuple = ()
    needed: AssumptionChange | None = None

    @property
    def parameter_dict(self) -> dict:
        """The fitted parameters as a ``{name: value}`` dict (a copy)."""
        return dict(self.parameters)

    @property
    def max_abs_residual(self) -> float:
        """Largest |log residual| (0.01 means a 1% misfit)."""
        return max(abs(r) for r in self.residuals) if self.residuals else 0.0


# ---------------------------------------------------------------------- helpers
def _parse_auger(value):
    if isinstance(value, (AugerScaling, str)):
        return parse_enum(AugerScaling, value, "auger_scaling")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"auger_scaling must be an AugerScaling, 'statistical', 'quadratic' or an exponent, got {value!r}")
    p = float(value)
    if not math.isfinite(p) or not 0 <= p <= MAX_AUGER_EXPONENT:
        raise ValueError(f"auger_scaling exponent must be in [0, {MAX_AUGER_EXPONENT:g}], got {value!r}")
    return p


#: largest current density (A/cm^2) the model accepts: 1e20 A/cm^2 is absurdly far above any CQD
#: device (tens to thousands of A/cm^2), yet keeps G = J/(e n_areal), the (log-space) occupancies
#: and the ThermalModel's heating finite for every accepted parameter.
MAX_CURRENT_DENSITY = 1e20

#: accepted temperature rises (K): down to -300 K (the absolute zero below room temperature)
#: with no upper limit (strong heating quenches the gain to 0); below -300 K exp(-dT/T0) overflows.
TEMPERATURE_RISE_RANGE_K = (-300.0, math.inf)

#: (parameter, min, max) of the scalar model parameters (checked when not None)
_PARAMETER_RANGES = (
    ("dot_spacing_nm", 0.1, 1e4), ("monolayers", 0.0, 1e4), ("areal_density_per_cm2", 0.0, 1e20),
    ("film_thickness_nm", 0.0, 1e6),
    ("exciton_lifetime_ns", 1e-6, 1e15), ("biexciton_auger_lifetime_ns", 1e-6, 1e15),
    ("trap_lifetime_ns", 1e-6, 1e15), ("peak_shift_nm_per_K", -10.0, 10.0),
    ("gain_characteristic_temperature_K", 1.0, 1e6), ("radiative_rate_factor", 1e-3, 1e3),
)


def _current(current_density) -> np.ndarray:
    j = as_float_array(current_density, "current_density")
    require_positive(j, "current_density", strict=False, unit="A/cm^2")
    if np.any(j > MAX_CURRENT_DENSITY):
        raise ValueError(f"current_density must be <= {MAX_CURRENT_DENSITY:g} A/cm^2, got {float(np.max(j))!r}")
    return j


def _scalar_current(current_density) -> float:
    j = require_scalar_finite(current_density, "current_density")
    if j < 0:
        raise ValueError(f"current_density must be >= 0 A/cm^2, got {current_density!r}")
    if j > MAX_CURRENT_DENSITY:
        raise ValueError(f"current_density must be <= {MAX_CURRENT_DENSITY:g} A/cm^2, got {current_density!r}")
    return j


def _temperature_rise(value) -> float:
    dt = require_scalar_finite(value, "temperature_rise_K")
    lo, hi = TEMPERATURE_RISE_RANGE_K
    if not lo <= dt <= hi:
        raise ValueError(f"temperature_rise_K must be in [{lo:g}, {hi:g}] K, got {value!r}")
    return dt




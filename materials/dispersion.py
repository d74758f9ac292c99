"""Dispersion models: one small immutable class per model, formula and units in each docstring.

All classes take vacuum wavelengths in nm through :meth:`materials.Material.n`.  Coefficients keep
the units in which they are usually published: Sellmeier and Cauchy coefficients use the
wavelength in **micrometres** (the class converts), oscillator models use photon energies in
**eV** (``E = hc/lambda``, ``hc = 1239.84198 eV nm``).  Permittivities follow the house sign
convention (``exp(-i w t)``, ``Im eps >= 0`` absorbs), so ``n + ik = sqrt(eps)`` with ``k >= 0``.

Each constructor validates its parameters (naming the parameter and value) and then evaluates
the model once on a grid spanning ``wavelength_range``: a model that would give a NaN, an
imaginary index where a real one is expected, or ``k < 0`` anywhere in its own range is rejected
when it is built, not when a cavity calculation later meets it.
"""
from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks as ck
from .base import Material, check_range

__all__ = ["Cauchy", "Sellmeier", "Drude", "Lorentz", "DrudeLorentz", "TaucLorentz"]

_PROBE_POINTS = 257


def _finish(material: Material, *, need_real_n2: np.ndarray | None = None) -> None:
    """Common post-init: normalise name/reference/range, then probe the model over its range."""
    owner = f"{type(material).__name__} material {material.name!r}"
    object.__setattr__(material, "name", ck.name_str(material.name, type(material).__name__))
    object.__setattr__(material, "reference", ck.reference_str(material.reference, owner))
    object.__setattr__(material, "wavelength_range", check_range(material.wavelength_range, owner))
    lo, hi = material.wavelength_range
    grid = np.geomspace(lo, hi, _PROBE_POINTS)
    material.n(grid)  # raises on non-finite values or k < 0, naming the material


def _check_n2_positive(material: Material, n2_of_um) -> None:
    """For transparent-region formulas (Sellmeier): ``n^2`` must stay > 0 over the range."""
    lo, hi = material.wavelength_range
    grid = np.geomspace(lo, hi, _PROBE_POINTS)
    with np.errstate(divide="ignore", invalid="ignore"):
        n2 = n2_of_um(grid / 1000.0)
    bad = ~np.isfinite(n2) | (n2 <= 0)
    if np.any(bad):
        raise ValueError(
            f"{type(material).__name__} material {material.name!r} gives n^2 <= 0 or a pole at "
            f"{grid[bad][0]:g} nm inside its wavelength_range {lo:g}-{hi:g} nm; check the coefficients"
        )


@dataclass(frozen=True, repr=False)
class Cauchy(Material):
    r"""Cauchy dispersion of a transparent (or uniformly weakly absorbing) material.

    .. math::  n(\lambda) = A + \frac{B}{\lambda^2} + \frac{C}{\lambda^4} + D\,\lambda^2,
               \qquad \kappa(\lambda) = k

    with :math:`\lambda` the vacuum wavelength in **micrometres**.  The optional :math:`D\lambda^2`
    term is the infrared correction used e.g. by Rubin (1985) for soda-lime glass.

    Parameters
    ----------
    A : float
        Dimensionless constant term (> 0).
    B : float, default 0
        um^2.
    C : float, default 0
        um^4.
    D : float, default 0
        um^-2.
    k : float, default 0
        Wavelength-independent extinction coefficient (>= 0).
    name, reference : str
    wavelength_range : (float, float)
        Validity range in nm (the range of the data the coefficients were fitted to).

    Raises
    ------
    ValueError
        A parameter is not finite, ``k < 0``, or ``n <= 0`` somewhere in ``wavelength_range``.

    Notes
    -----
    A. L. Cauchy's empirical formula (1836); see Born & Wolf, *Principles of Optics*, s. 2.3.4.
    """

    A: float
    B: float = 0.0
    C: float = 0.0
    D: float = 0.0
    k: float = 0.0
    _: KW_ONLY
    name: str = "Cauchy"
    reference: str = "Cauchy model (user given)"
    wavelength_range: tuple[float, float] = (300.0, 2000.0)

    def __post_init__(self):
        owner = f"Cauchy material {self.name!r}"
        for p in ("A", "B", "C", "D"):
            object.__setattr__(self, p, ck.real(getattr(self, p), p, owner))
        object.__setattr__(self, "k", ck.non_negative(self.k, "k", owner))
        _finish(self)
        lo, hi = self.wavelength_range
        grid = np.geomspace(lo, hi, _PROBE_POINTS) / 1000.0
        n = self._real(grid)
        if np.any(n <= 0):
            raise ValueError(f"{owner} gives n <= 0 at {grid[n <= 0][0] * 1000:g} nm inside {lo:g}-{hi:g} nm")

    def _real(self, lam_um):
        l2 = lam_um * lam_um
        return self.A + self.B / l2 + self.C / (l2 * l2) + self.D * l2

    def _index(self, wavelength):
        return self._real(wavelength / 1000.0) + 1j * self.k


@dataclass(frozen=True, repr=False)
class Sellmeier(Material):
    r"""Sellmeier dispersion of a transparent material.

    .. math::  n^2(\lambda) = A + \sum_i \frac{B_i\,\lambda^2}{\lambda^2 - C_i} + D\,\lambda^2

    with :math:`\lambda` in **micrometres**, :math:`C_i` in um^2 (the *square* of the resonance
    wavelength) and :math:`D` in um^-2.  ``A = 1`` gives the classic form
    :math:`n^2 - 1 = \sum B_i \lambda^2/(\lambda^2 - C_i)` (Malitson 1965, Schott catalogue).

    Parameters
    ----------
    B : sequence of float
        Oscillator strengths (dimensionless).
    C : sequence of float
        Squared resonance wavelengths, um^2 (same length as ``B``, >= 0).
    A : float, default 1
    D : float, default 0
        um^-2; an infrared absorption term (e.g. -0.00711 for ZnO, Bond 1965).
    name, reference : str
    wavelength_range : (float, float)
        Validity range in nm; a resonance inside it is rejected.

    Notes
    -----
    W. Sellmeier, Ann. Phys. 219, 272 (1871).  k = 0: the formula describes the transparent region.
    """

    B: tuple
    C: tuple
    A: float = 1.0
    D: float = 0.0
    _: KW_ONLY
    name: str = "Sellmeier"
    reference: str = "Sellmeier model (user given)"
    wavelength_range: tuple[float, float] = (300.0, 2000.0)

    def __post_init__(self):
        owner = f"Sellmeier material {self.name!r}"
        B = ck.real_tuple(self.B, "B", owner)
        C = ck.real_tuple(self.C, "C", owner)
        if len(B) != len(C) or not B:
            raise ValueError(f"B and C of {owner} must be non-empty and of equal length, got {len(B)} and {len(C)}")
        if any(c < 0 for c in C):
            raise ValueError(f"C of {owner} are squared resonance wavelengths (um^2) and must be >= 0, got {C}")
        object.__setattr__(self, "B", B)
        object.__setattr__(self, "C", C)
        object.__setattr__(self, "A", ck.real(self.A, "A", owner))
        object.__setattr__(self, "D", ck.real(self.D, "D", owner))
        object.__setattr__(self, "wavelength_range", check_range(self.wavelength_range, owner))
        _check_n2_positive(self, self._n2)
        _finish(self)

    def _n2(self, lam_um):
        l2 = lam_um * lam_um
        out = self.A + self.D * l2
        for b, c in zip(self.B, self.C):
            out = out + b * l2 / (l2 - c)
        return out

    def _index(self, wavelength):
        return np.sqrt(self._n2(wavelength / 1000.0)).astype(np.complex128)


@dataclass(frozen=True, repr=False)
class Drude(Material):
    r"""Free-electron (Drude) permittivity with a background :math:`\varepsilon_\infty`.

    .. math::  \varepsilon(E) = \varepsilon_\infty - \frac{E_p^2}{E^2 + i\,\Gamma E},
               \qquad n + ik = \sqrt{\varepsilon}

    with the photon energy :math:`E = hc/\lambda` in eV.

    Parameters
    ----------
    plasma_energy : float
        :math:`E_p = \hbar\omega_p`, eV (> 0).
    damping : float
        :math:`\Gamma = \hbar/\tau`, eV (>= 0).
    eps_inf : float, default 1
        High-frequency permittivity (> 0).

    Notes
    -----
    P. Drude, Ann. Phys. 306, 566 (1900); e.g. Maier, *Plasmonics* (2007), eq. 1.20.
    """

    plasma_energy: float
    damping: float
    eps_inf: float = 1.0
    _: KW_ONLY
    name: str = "Drude"
    reference: str = "Drude model (user given)"
    wavelength_range: tuple[float, float] = (200.0, 20000.0)

    def __post_init__(self):
        owner = f"Drude material {self.name!r}"
        object.__setattr__(self, "plasma_energy", ck.positive(self.plasma_energy, "plasma_energy", owner))
        object.__setattr__(self, "damping", ck.non_negative(self.damping, "damping", owner))
        object.__setattr__(self, "eps_inf", ck.positive(self.eps_inf, "eps_inf", owner))
        _finish(self)

    def permittivity(self, wavelength: ArrayLike) -> NDArray[np.complex128]:
        """Complex permittivity at vacuum wavelength(s) in nm (validated like :meth:`n`)."""
        return np.asarray(self.n(wavelength)) ** 2

    def _eps(self, wavelength):
        E = ck.photon_energy_ev(wavelength)
        return self.eps_inf - self.plasma_energy**2 / (E * E + 1j * self.damping * E)

    def _index(self, wavelength):
        return ck.index_from_permittivity(self._eps(wavelength))


def _oscillators(values, owner: str, *, allow_zero_resonance: bool) -> tuple[tuple[float, float, float], ...]:
    """Validate a sequence of (strength, resonance eV, damping eV) triples."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"oscillators of {owner} must be a sequence of (strength, resonance_eV, damping_eV), got {values!r}")
    try:
        items = [tuple(v) for v in values]
    except TypeError as exc:
        raise TypeError(
            f"oscillators of {owner} must be a sequence of (strength, resonance_eV, damping_eV), got {values!r}"
        ) from exc
    out = []
    for i, it in enumerate(items):
        if len(it) != 3:
            raise ValueError(f"oscillators[{i}] of {owner} must be (strength, resonance_eV, damping_eV), got {it!r}")
        s = ck.non_negative(it[0], f"oscillators[{i}] strength", owner)
        e0 = ck.non_negative(it[1], f"oscillators[{i}] resonance", owner) if allow_zero_resonance else ck.positive(
            it[1], f"oscillators[{i}] resonance", owner
        )
        g = ck.non_negative(it[2], f"oscillators[{i}] damping", owner)
        out.append((s, e0, g))
    return tuple(out)


@dataclass(frozen=True, repr=False)
class Lorentz(Material):
    r"""Sum of Lorentz oscillators on a background :math:`\varepsilon_\infty`.

    .. math::  \varepsilon(E) = \varepsilon_\infty
               + \sum_j \frac{\Delta\varepsilon_j\,E_j^2}{E_j^2 - E^2 - i\,\Gamma_j E}

    with :math:`E = hc/\lambda` in eV.  :math:`\Delta\varepsilon_j` is the static contribution of
    oscillator *j* (its strength); :math:`\Delta\varepsilon_j \ge 0` and :math:`\Gamma_j \ge 0`
    make :math:`\mathrm{Im}\,\varepsilon \ge 0` (passive).

    Parameters
    ----------
    oscillators : sequence of (delta_eps, resonance_eV, damping_eV)
    eps_inf : float, default 1

    Notes
    -----
    H. A. Lorentz, *The Theory of Electrons* (1909); e.g. Fox, *Optical Properties of Solids*
    (2010), eq. 2.23 (written here per oscillator with its static strength).
    """

    oscillators: tuple
    eps_inf: float = 1.0
    _: KW_ONLY
    name: str = "Lorentz"
    reference: str = "Lorentz oscillator model (user given)"
    wavelength_range: tuple[float, float] = (200.0, 20000.0)

    def __post_init__(self):
        owner = f"Lorentz material {self.name!r}"
        object.__setattr__(self, "oscillators", _oscillators(self.oscillators, owner, allow_zero_resonance=False))
        object.__setattr__(self, "eps_inf", ck.positive(self.eps_inf, "eps_inf", owner))
        _finish(self)

    def _index(self, wavelength):
        E = ck.photon_energy_ev(wavelength)
        eps = np.full(E.shape, self.eps_inf, dtype=np.complex128)
        for de, e0, g in self.oscillators:
            eps = eps + de * e0 * e0 / (e0 * e0 - E * E - 1j * g * E)
        return ck.index_from_permittivity(eps)


@dataclass(frozen=True, repr=False)
class DrudeLorentz(Material):
    r"""Drude-Lorentz (Lorentz-Drude) model of metals in the form of Rakic et al. (1998).

    .. math::  \varepsilon(E) = \varepsilon_\infty
               + \sum_{j \ge 0} \frac{f_j\,E_p^2}{E_j^2 - E^2 - i\,\Gamma_j E}

    with :math:`E = hc/\lambda` in eV.  An oscillator with :math:`E_j = 0` is the intraband
    (free-electron) term :math:`-f_0 E_p^2 / (E(E + i\Gamma_0))`; the others are interband
    Lorentz terms.  All strengths :math:`f_j` share the plasma energy :math:`E_p`.

    Parameters
    ----------
    plasma_energy : float
        :math:`E_p = \hbar\omega_p`, eV (> 0).
    oscillators : sequence of (f, resonance_eV, damping_eV)
        ``f >= 0`` dimensionless; resonance ``>= 0`` (0 = Drude term); damping ``>= 0``.
    eps_inf : float, default 1

    Notes
    -----
    A. D. Rakic, A. B. Djurisic, J. M. Elazar, M. L. Majewski, "Optical properties of metallic
    films for vertical-cavity optoelectronic devices", Appl. Opt. 37, 5271 (1998), eqs. 1-3 and
    Table 1 (LD model; their :math:`\omega_j, \Gamma_j, \omega_p` in eV).
    """

    plasma_energy: float
    oscillators: tuple
    eps_inf: float = 1.0
    _: KW_ONLY
    name: str = "Drude-Lorentz"
    reference: str = "Drude-Lorentz model (user given)"
    wavelength_range: tuple[float, float] = (200.0, 20000.0)

    def __post_init__(self):
        owner = f"DrudeLorentz material {self.name!r}"
        object.__setattr__(self, "plasma_energy", ck.positive(self.plasma_energy, "plasma_energy", owner))
        object.__setattr__(self, "oscillators", _oscillators(self.oscillators, owner, allow_zero_resonance=True))
        if not self.oscillators:
            raise ValueError(f"oscillators of {owner} must not be empty")
        object.__setattr__(self, "eps_inf", ck.positive(self.eps_inf, "eps_inf", owner))
        _finish(self)

    def _index(self, wavelength):
        E = ck.photon_energy_ev(wavelength)
        wp2 = self.plasma_energy**2
        eps = np.full(E.shape, self.eps_inf, dtype=np.complex128)
        for f, e0, g in self.oscillators:
            eps = eps + f * wp2 / (e0 * e0 - E * E - 1j * g * E)
        return ck.index_from_permittivity(eps)


@dataclass(frozen=True, repr=False)
class TaucLorentz(Material):
    r"""Tauc-Lorentz model of amorphous semiconductors and dielectrics (Jellison & Modine 1996).

    Imaginary part (Tauc joint density of states times a Lorentz oscillator), :math:`E` in eV:

    .. math::  \varepsilon_2(E) = \frac{A E_0 C (E - E_g)^2}{(E^2 - E_0^2)^2 + C^2 E^2}\,\frac{1}{E}
               \quad (E > E_g), \qquad \varepsilon_2 = 0 \quad (E \le E_g)

    Real part: the closed-form Kramers-Kronig integral of :math:`\varepsilon_2` plus
    :math:`\varepsilon_1(\infty)` (Jellison & Modine 1996, eq. in the erratum), with
    :math:`a_{ln} = (E_g^2 - E_0^2)E^2 + E_g^2C^2 - E_0^2(E_0^2 + 3E_g^2)`,
    :math:`a_{atan} = (E^2 - E_0^2)(E_0^2 + E_g^2) + E_g^2C^2`,
    :math:`\alpha = \sqrt{4E_0^2 - C^2}`, :math:`\gamma^2 = E_0^2 - C^2/2`,
    :math:`\zeta^4 = (E^2 - \gamma^2)^2 + \alpha^2C^2/4`:

    .. math::
        \varepsilon_1 = \varepsilon_\infty
        + \frac{A C a_{ln}}{2\pi\zeta^4\alpha E_0}
          \ln\frac{E_0^2 + E_g^2 + \alpha E_g}{E_0^2 + E_g^2 - \alpha E_g}
        - \frac{A a_{atan}}{\pi\zeta^4 E_0}
          \Big[\pi - \arctan\frac{2E_g + \alpha}{C} + \arctan\frac{\alpha - 2E_g}{C}\Big]
        + \frac{4 A E_0 E_g (E^2 - \gamma^2)}{\pi\zeta^4\alpha}
          \Big[\arctan\frac{\alpha + 2E_g}{C} + \arctan\frac{\alpha - 2E_g}{C}\Big]
        - \frac{A E_0 C (E^2 + E_g^2)}{\pi\zeta^4 E}\ln\frac{|E - E_g|}{E + E_g}
        + \frac{2 A E_0 C E_g}{\pi\zeta^4}
          \ln\frac{|E - E_g|(E + E_g)}{\sqrt{(E_0^2 - E_g^2)^2 + E_g^2 C^2}}

    The two ``ln|E - Eg|`` terms are combined analytically (their sum is
    :math:`(E-E_g)^2/E \cdot \ln|E-E_g|`, which vanishes at :math:`E = E_g`), so the formula is
    finite at the gap.  The test-suite checks this closed form against a numerical
    Kramers-Kronig principal-value integral.

    Parameters
    ----------
    A : float
        Oscillator amplitude, eV (> 0).
    E0 : float
        Peak transition energy, eV (> 0).
    C : float
        Broadening, eV (0 < C < 2 E0).
    Eg : float
        Optical (Tauc) gap, eV (>= 0).
    eps_inf : float, default 1

    Notes
    -----
    G. E. Jellison Jr. and F. A. Modine, "Parameterization of the optical functions of amorphous
    materials in the interband region", Appl. Phys. Lett. 69, 371 (1996); erratum 69, 2137 (1996).
    """

    A: float
    E0: float
    C: float
    Eg: float
    eps_inf: float = 1.0
    _: KW_ONLY
    name: str = "Tauc-Lorentz"
    reference: str = "Tauc-Lorentz model (user given)"
    wavelength_range: tuple[float, float] = (200.0, 2000.0)

    def __post_init__(self):
        owner = f"TaucLorentz material {self.name!r}"
        object.__setattr__(self, "A", ck.positive(self.A, "A", owner))
        object.__setattr__(self, "E0", ck.positive(self.E0, "E0", owner))
        object.__setattr__(self, "C", ck.positive(self.C, "C", owner))
        object.__setattr__(self, "Eg", ck.non_negative(self.Eg, "Eg", owner))
        object.__setattr__(self, "eps_inf", ck.real(self.eps_inf, "eps_inf", owner))
        if not self.C < 2 * self.E0:
            raise ValueError(f"C of {owner} must be < 2*E0 = {2 * self.E0:g} eV, got C={self.C!r}")
        _finish(self)

    def eps2(self, energy_ev: ArrayLike) -> NDArray[np.float64]:
        """Imaginary permittivity at photon energies in eV (no range check)."""
        E = np.asarray(energy_ev, dtype=np.float64)
        A, E0, C, Eg = self.A, self.E0, self.C, self.Eg
        above = E > Eg
        Es = np.where(above, E, Eg + 1.0)  # keeps the masked branch finite
        val = A * E0 * C * (Es - Eg) ** 2 / (((Es * Es - E0 * E0) ** 2 + C * C * Es * Es) * Es)
        return np.where(above, val, 0.0)

    def eps1(self, energy_ev: ArrayLike) -> NDArray[np.float64]:
        """Real permittivity (closed-form Kramers-Kronig) at photon energies in eV."""
        E = np.asarray(energy_ev, dtype=np.float64)
        A, E0, C, Eg, einf = self.A, self.E0, self.C, self.Eg, self.eps_inf
        pi = math.pi
        E2, E02, Eg2, C2 = E * E, E0 * E0, Eg * Eg, C * C
        alpha = math.sqrt(4 * E02 - C2)
        gamma2 = E02 - C2 / 2
        zeta4 = (E2 - gamma2) ** 2 + alpha * alpha * C2 / 4
        a_ln = (Eg2 - E02) * E2 + Eg2 * C2 - E02 * (E02 + 3 * Eg2)
        a_atan = (E2 - E02) * (E02 + Eg2) + Eg2 * C2
        t1 = A * C * a_ln / (2 * pi * zeta4 * alpha * E0) * math.log(
            (E02 + Eg2 + alpha * Eg) / (E02 + Eg2 - alpha * Eg)
        )
        t2 = -A * a_atan / (pi * zeta4 * E0) * (pi - math.atan((2 * Eg + alpha) / C) + math.atan((alpha - 2 * Eg) / C))
        t3 = (
            4 * A * E0 * Eg * (E2 - gamma2) / (pi * zeta4 * alpha)
            * (math.atan((alpha + 2 * Eg) / C) + math.atan((alpha - 2 * Eg) / C))
        )
        d = np.abs(E - Eg)
        xlogx = np.where(d > 0, d * d * np.log(np.where(d > 0, d, 1.0)), 0.0) / E
        logs = (
            -xlogx
            + (E + Eg) ** 2 / E * np.log(E + Eg)
            - Eg * math.log((E02 - Eg2) ** 2 + Eg2 * C2)
        )
        t45 = A * E0 * C / (pi * zeta4) * logs
        return einf + t1 + t2 + t3 + t45

    def _index(self, wavelength):
        E = ck.photon_energy_ev(wavelength)
        return ck.index_from_permittivity(self.eps1(E) + 1j * self.eps2(E))

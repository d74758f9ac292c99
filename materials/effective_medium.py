r"""Effective-medium mixing of two materials (e.g. QD cores in a ligand matrix).

Three rules for spherical inclusions of permittivity :math:`\varepsilon_i` at volume fraction
:math:`f` in a host :math:`\varepsilon_h` (:math:`\varepsilon = (n + ik)^2`):

* **Maxwell-Garnett** (isolated inclusions in a continuous host)

  .. math:: \varepsilon = \varepsilon_h\,
            \frac{\varepsilon_i + 2\varepsilon_h + 2f(\varepsilon_i - \varepsilon_h)}
                 {\varepsilon_i + 2\varepsilon_h - f(\varepsilon_i - \varepsilon_h)}

* **Bruggeman** (symmetric; both phases embedded in the effective medium)

  .. math:: f\,\frac{\varepsilon_i - \varepsilon}{\varepsilon_i + 2\varepsilon}
            + (1 - f)\,\frac{\varepsilon_h - \varepsilon}{\varepsilon_h + 2\varepsilon} = 0,

  i.e. :math:`2\varepsilon^2 - b\,\varepsilon - \varepsilon_i\varepsilon_h = 0` with
  :math:`b = (3f - 1)\varepsilon_i + (2 - 3f)\varepsilon_h`; the physical root has
  :math:`\mathrm{Im}\,\varepsilon \ge 0` and, for lossless phases, :math:`\varepsilon > 0`.

* **Linear** (volume-averaged permittivity): :math:`\varepsilon = f\varepsilon_i + (1-f)\varepsilon_h`.

All three give the host at ``f = 0`` and the inclusion at ``f = 1``; Maxwell-Garnett and
Bruggeman agree to first order in ``f``.  For passive phases each result has ``Im eps >= 0``.

References: J. C. Maxwell Garnett, Phil. Trans. R. Soc. A 203, 385 (1904); D. A. G. Bruggeman,
Ann. Phys. 416, 636 (1935); both as written in Choy, *Effective Medium Theory* (2nd ed., 2016),
ch. 1.  QD-film use: docs/theory.md s.1.6 (Dement, Puri & Ferry, J. Phys. Chem. C 2018).
"""
from __future__ import annotations

import enum
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks as ck
from ._checks import parse_enum
from .base import Material

__all__ = [
    "MixingRule",
    "EffectiveMedium",
    "maxwell_garnett",
    "bruggeman",
    "linear_mixing",
    "mix_permittivity",
]


class MixingRule(str, enum.Enum):
    """Effective-medium rule; accepts its value string (``MixingRule("bruggeman")``)."""

    MAXWELL_GARNETT = "maxwell_garnett"
    BRUGGEMAN = "bruggeman"
    LINEAR = "linear"

    @classmethod
    def coerce(cls, value: MixingRule | str, param: str = "method") -> MixingRule:
        return parse_enum(cls, value, param)


def _bruggeman(ei: np.ndarray, eh: np.ndarray, f) -> np.ndarray:
    b = (3 * f - 1) * ei + (2 - 3 * f) * eh
    disc = np.sqrt(b * b + 8 * ei * eh)
    r1 = (b + disc) / 4
    r2 = (b - disc) / 4
    # physical branch: Im >= 0 (passive); when both qualify, the one nearer the volume average
    lin = f * ei + (1 - f) * eh
    tol = 1e-12 * (np.abs(ei) + np.abs(eh))
    ok1 = r1.imag >= -tol
    ok2 = r2.imag >= -tol
    nearer1 = np.abs(r1 - lin) <= np.abs(r2 - lin)
    choose1 = np.where(ok1 & ok2, nearer1, ok1)
    out = np.where(choose1, r1, r2)
    # tiny negative imaginary parts from rounding of lossless inputs
    return out.real + 1j * np.maximum(out.imag, 0.0)


def mix_permittivity(eps_inclusion: ArrayLike, eps_host: ArrayLike, fraction: float,
                     method: MixingRule | str = MixingRule.MAXWELL_GARNETT) -> NDArray[np.complex128]:
    """Effective permittivity of inclusions (``eps_inclusion``) at volume ``fraction`` in a host.

    Parameters
    ----------
    eps_inclusion, eps_host : complex array_like
        Permittivities, broadcast together.
    fraction : float
        Inclusion volume fraction, 0 <= f <= 1.
    method : MixingRule or str

    Returns
    -------
    complex ndarray
    """
    method = MixingRule.coerce(method)
    f = _fraction(fraction)
    ei = np.asarray(eps_inclusion, dtype=np.complex128)
    eh = np.asarray(eps_host, dtype=np.complex128)
    if method is MixingRule.LINEAR:
        return f * ei + (1 - f) * eh
    if method is MixingRule.MAXWELL_GARNETT:
        d = ei - eh
        return eh * (ei + 2 * eh + 2 * f * d) / (ei + 2 * eh - f * d)
    return _bruggeman(ei, eh, f)


def _fraction(fraction) -> float:
    f = ck.real(fraction, "fraction", "effective medium")
    if not 0.0 <= f <= 1.0:
        raise ValueError(f"fraction (inclusion volume fraction) must be in [0, 1], got {fraction!r}")
    return f


@dataclass(frozen=True, repr=False)
class EffectiveMedium(Material):
    """A two-phase effective medium; the index is mixed at every call from the phases' indices.

    Parameters
    ----------
    inclusion, host : Material
    fraction : float
        Inclusion volume fraction in [0, 1].
    method : MixingRule or str
        ``"maxwell_garnett"``, ``"bruggeman"`` or ``"linear"``.
    name, reference : str, optional
        Generated from the phases when omitted.

    The wavelength range is the intersection of the phases' ranges (an empty intersection
    raises ``ValueError``).  See the module docstring for the formulas.
    """

    inclusion: Material
    host: Material
    fraction: float
    method: MixingRule = MixingRule.MAXWELL_GARNETT
    _: KW_ONLY
    # filled in __post_init__ when not given
    name: str | None = None  # type: ignore[assignment]
    reference: str | None = None  # type: ignore[assignment]
    wavelength_range: tuple[float, float] | None = None  # type: ignore[assignment]

    def __post_init__(self):
        for label in ("inclusion", "host"):
            if not isinstance(getattr(self, label), Material):
                raise TypeError(f"{label} of an effective medium must be a Material, got {getattr(self, label)!r}")
        object.__setattr__(self, "fraction", _fraction(self.fraction))
        object.__setattr__(self, "method", MixingRule.coerce(self.method))
        lo = max(self.inclusion.wavelength_range[0], self.host.wavelength_range[0])
        hi = min(self.inclusion.wavelength_range[1], self.host.wavelength_range[1])
        if not lo < hi:
            raise ValueError(
                f"the wavelength ranges of inclusion {self.inclusion.name!r} {self.inclusion.wavelength_range} and host "
                f"{self.host.name!r} {self.host.wavelength_range} do not overlap"
            )
        if self.wavelength_range is not None:
            rlo, rhi = (float(v) for v in self.wavelength_range)
            if rlo < lo or rhi > hi or not rlo < rhi:
                raise ValueError(f"wavelength_range {self.wavelength_range} must lie within {lo:g}-{hi:g} nm")
            lo, hi = rlo, rhi
        object.__setattr__(self, "wavelength_range", (lo, hi))
        label = self.method.value.replace("_", "-").title()
        if self.name is None:
            object.__setattr__(self, "name", f"{label}: {self.fraction:g} {self.inclusion.name} in {self.host.name}")
        ck.name_str(self.name, "EffectiveMedium")
        if self.reference is None:
            object.__setattr__(
                self,
                "reference",
                f"{label} effective medium (materials.effective_medium) of [{self.inclusion.reference}] "
                f"in [{self.host.reference}]",
            )
        ck.reference_str(self.reference, f"effective medium {self.name!r}")

    def _index(self, wavelength):
        ei = np.asarray(self.inclusion.n(wavelength)) ** 2
        eh = np.asarray(self.host.n(wavelength)) ** 2
        return ck.index_from_permittivity(mix_permittivity(ei, eh, self.fraction, self.method))


def maxwell_garnett(inclusion: Material, host: Material, fraction: float, **kwargs: Any) -> EffectiveMedium:
    """Maxwell-Garnett mixture of ``inclusion`` at volume ``fraction`` in ``host`` (see module doc)."""
    return EffectiveMedium(inclusion, host, fraction, MixingRule.MAXWELL_GARNETT, **kwargs)


def bruggeman(inclusion: Material, host: Material, fraction: float, **kwargs: Any) -> EffectiveMedium:
    """Bruggeman (symmetric) mixture of ``inclusion`` at volume ``fraction`` in ``host``."""
    return EffectiveMedium(inclusion, host, fraction, MixingRule.BRUGGEMAN, **kwargs)


def linear_mixing(inclusion: Material, host: Material, fraction: float, **kwargs: Any) -> EffectiveMedium:
    """Volume-averaged permittivity ``f eps_i + (1 - f) eps_h``."""
    return EffectiveMedium(inclusion, host, fraction, MixingRule.LINEAR, **kwargs)

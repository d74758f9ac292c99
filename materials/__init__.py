"""Optical constants (complex refractive index n + ik, k > 0 absorbs; vacuum wavelengths in nm).

* :mod:`materials.base` -- the :class:`Material` interface and :class:`Constant`;
* :mod:`materials.dispersion` -- Cauchy, Sellmeier, Drude, Lorentz, DrudeLorentz, TaucLorentz;
* :mod:`materials.tabulated` -- :class:`Tabulated` (linear interpolation, CSV files with a header);
* :mod:`materials.refractiveindex_yaml` -- :func:`load_refractiveindex` (refractiveindex.info YAML);
* :mod:`materials.effective_medium` -- Maxwell-Garnett, Bruggeman and linear mixing;
* :mod:`materials.library` -- :func:`get` / :func:`available`, the built-in materials, :func:`qd_film`.
"""
from .base import Constant, Material
from .dispersion import Cauchy, Drude, DrudeLorentz, Lorentz, Sellmeier, TaucLorentz
from .effective_medium import EffectiveMedium, MixingRule, bruggeman, linear_mixing, maxwell_garnett, mix_permittivity
from .library import HCP_PACKING_FRACTION, QDFilmGeometry, available, close_packed_fraction, get, qd_film, remove_absorption
from .refractiveindex_yaml import RefractiveIndexFileError, RefractiveIndexMaterial, load_refractiveindex
from .tabulated import Tabulated

__all__ = [
    "Material",
    "Constant",
    "Cauchy",
    "Sellmeier",
    "Drude",
    "Lorentz",
    "DrudeLorentz",
    "TaucLorentz",
    "Tabulated",
    "load_refractiveindex",
    "RefractiveIndexMaterial",
    "RefractiveIndexFileError",
    "EffectiveMedium",
    "MixingRule",
    "maxwell_garnett",
    "bruggeman",
    "linear_mixing",
    "mix_permittivity",
    "get",
    "available",
    "qd_film",
    "QDFilmGeometry",
    "remove_absorption",
    "close_packed_fraction",
    "HCP_PACKING_FRACTION",
]

"""Plane waves through planar stacks: spectra, fields, absorption, incoherent layers and dipole emission."""
from .spectra import (
    Polarization,
    spectrum,
    spectrum_arrays,
    field_profile,
    absorption_by_layer,
    stack_arrays,
    PARALLEL_MIN_WORK,
)
from .incoherent import (
    Side,
    IncoherentSpectrum,
    incoherent_spectrum,
)
from .emission import (
    Orientation,
    DipoleEmission,
    dipole_emission,
    FilmEmission,
    film_emission,
    SpontaneousCoupling,
    spontaneous_coupling,
    radiative_rate_factor,
)
__all__ = [
    "Polarization",
    "spectrum",
    "spectrum_arrays",
    "field_profile",
    "absorption_by_layer",
    "stack_arrays",
    "PARALLEL_MIN_WORK",
    "Side",
    "IncoherentSpectrum",
    "incoherent_spectrum",
    "Orientation",
    "DipoleEmission",
    "dipole_emission",
    "FilmEmission",
    "film_emission",
    "SpontaneousCoupling",
    "spontaneous_coupling",
    "radiative_rate_factor",
]

"""qdcavity's cavity package: transfer matrices, cavities, lasing thresholds and the CQD gain model.

Units and sign conventions are stated once in :mod:`cavity.conventions`.
"""
from . import conventions
from .builders import dbr, metal_mirror, microcavity, place_on_antinode, quarter_wave_thickness, seed_led_stack
from .incoherent import IncoherentSpectrum, Side, incoherent_spectrum
from .layers import AIR, Layer, Stack
from .optics import Polarization, absorption_by_layer, field_profile, spectrum, spectrum_arrays, stack_arrays
from .coupled_mode import (
    CoupledModeMode,
    CoupledModeThreshold,
    CouplingKind,
    GratingResponse,
    coupled_mode_characteristic,
    coupled_mode_device_threshold,
    coupled_mode_response,
    coupled_mode_threshold,
    detuning_to_wavelength,
    gain_coupling_coefficient,
    grating_coupling_coefficient,
)
from .current import ModeCurrent, ThresholdCurrent, threshold_current
from .dfb import DFBGrating, DFBMode, DFBModes, GratingSections, dfb_threshold, etched_grating, grating_sections
from .gain import (
    DEFAULT_BAND_1P,
    DEFAULT_BAND_1S,
    AugerScaling,
    CalibrationResult,
    GaussianBand,
    QDGainModel,
    RadiativeScaling,
    hexagonal_areal_density,
    state_filling_gain,
)
from .rate_equations import LaserRateEquations, LasingMode, LJCurve
from .thermal import Rollover, ThermalModel, disc_thermal_resistance
from .population import PopulationThresholds, threshold_population
from .waveguide import GuidedModes, Mode, ModeProfile, guided_modes
from .results import FieldProfile, LayerAbsorption, Spectrum
from .threshold import Resonance, Threshold, ThresholdModes, lasing_threshold, resonances, threshold_modes

__all__ = [
    "conventions",
    "Layer",
    "Stack",
    "AIR",
    "dbr",
    "quarter_wave_thickness",
    "microcavity",
    "metal_mirror",
    "seed_led_stack",
    "place_on_antinode",
    "Polarization",
    "spectrum",
    "spectrum_arrays",
    "stack_arrays",
    "field_profile",
    "absorption_by_layer",
    "Side",
    "IncoherentSpectrum",
    "incoherent_spectrum",
    "Spectrum",
    "FieldProfile",
    "LayerAbsorption",
    "Resonance",
    "Threshold",
    "ThresholdModes",
    "resonances",
    "lasing_threshold",
    "threshold_modes",
    "PopulationThresholds",
    "threshold_population",
    "CouplingKind",
    "CoupledModeMode",
    "CoupledModeThreshold",
    "GratingResponse",
    "grating_coupling_coefficient",
    "gain_coupling_coefficient",
    "coupled_mode_threshold",
    "coupled_mode_characteristic",
    "coupled_mode_response",
    "detuning_to_wavelength",
    "coupled_mode_device_threshold",
    "ModeCurrent",
    "ThresholdCurrent",
    "threshold_current",
    "GuidedModes",
    "Mode",
    "ModeProfile",
    "guided_modes",
    "DFBGrating",
    "DFBMode",
    "DFBModes",
    "GratingSections",
    "dfb_threshold",
    "etched_grating",
    "grating_sections",
    "QDGainModel",
    "GaussianBand",
    "AugerScaling",
    "RadiativeScaling",
    "CalibrationResult",
    "hexagonal_areal_density",
    "state_filling_gain",
    "DEFAULT_BAND_1S",
    "DEFAULT_BAND_1P",
    "ThermalModel",
    "Rollover",
    "disc_thermal_resistance",
    "LasingMode",
    "LaserRateEquations",
    "LJCurve",
]

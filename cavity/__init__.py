"""qdcavity's cavity package: transfer matrices, cavities, lasing thresholds and the CQD gain model.

Units and sign conventions are stated once in :mod:`cavity.conventions`.
"""
from . import conventions
from .builders import dbr, quarter_wave_thickness
from .layers import AIR, Layer, Stack
from .optics import Polarization, absorption_by_layer, field_profile, spectrum, spectrum_arrays, stack_arrays
from .results import FieldProfile, LayerAbsorption, Spectrum
from .threshold import Resonance, Threshold, ThresholdModes, lasing_threshold, resonances, threshold_modes

__all__ = [
    "conventions",
    "Layer",
    "Stack",
    "AIR",
    "dbr",
    "quarter_wave_thickness",
    "Polarization",
    "spectrum",
    "spectrum_arrays",
    "stack_arrays",
    "field_profile",
    "absorption_by_layer",
    "Spectrum",
    "FieldProfile",
    "LayerAbsorption",
    "Resonance",
    "Threshold",
    "ThresholdModes",
    "resonances",
    "lasing_threshold",
    "threshold_modes",
]

"""qdcavity's cavity package: transfer matrices, cavities, lasing thresholds and the CQD gain model.

The top level holds the calls a user needs for the main job (build a stack, compute its spectra
and emission, find its modes, thresholds and threshold currents, model its gain, heat and current,
search designs).  Everything else lives in the subpackage of its physical idea, each with its own
``__all__``:

- :mod:`cavity.optics`: plane waves through stacks (result types, ``stack_arrays``, emission results)
- :mod:`cavity.lasing`: poles with gain (result types, populations, the rate equations' results)
- :mod:`cavity.waveguide`: slab modes, DFB gratings and the coupled-mode closed forms
- :mod:`cavity.gain`: the CQD gain model's bands, scalings and thermal model
- :mod:`cavity.device`: electrical and heat models from the stack
- :mod:`cavity.design`: constraints, search settings, the evaluator registry
- :mod:`cavity.plotting`: figures (imports matplotlib; not imported here)

Units and sign conventions are stated once in :mod:`cavity.conventions`.
"""
from . import conventions, design, device, gain, lasing, optics, waveguide
from .builders import dbr, metal_mirror, microcavity, place_on_antinode, quarter_wave_thickness, seed_led_stack
from .design import Choice, Continuous, DesignSpace, Integer, Objective, evaluate_designs, optimize
from .device import ElectricalModel, HeatModel
from .gain import QDGainModel, ThermalModel
from .lasing import (LaserRateEquations, LasingMode, lasing_threshold, resonances, threshold_current, threshold_modes,
                     threshold_population)
from .layers import AIR, Layer, Stack
from .optics import (Orientation, Polarization, absorption_by_layer, dipole_emission, field_profile, film_emission,
                     incoherent_spectrum, spectrum, spectrum_arrays, spontaneous_coupling)
from .waveguide import DFBGrating, dfb_threshold, etched_grating, grating_sections, guided_modes

__all__ = [
    # conventions and subpackages
    "conventions", "optics", "lasing", "waveguide", "gain", "device", "design",
    # layer stacks and builders
    "Layer", "Stack", "AIR", "dbr", "quarter_wave_thickness", "microcavity", "metal_mirror", "seed_led_stack",
    "place_on_antinode",
    # plane-wave optics and emission
    "Polarization", "spectrum", "spectrum_arrays", "field_profile", "absorption_by_layer", "incoherent_spectrum",
    "Orientation", "dipole_emission", "film_emission", "spontaneous_coupling",
    # modes, thresholds and threshold currents
    "resonances", "lasing_threshold", "threshold_modes", "threshold_current", "threshold_population",
    "LasingMode", "LaserRateEquations",
    # waveguides and DFB gratings
    "guided_modes", "DFBGrating", "etched_grating", "grating_sections", "dfb_threshold",
    # gain, heat and current models
    "QDGainModel", "ThermalModel", "ElectricalModel", "HeatModel",
    # design search
    "DesignSpace", "Continuous", "Integer", "Choice", "Objective", "optimize", "evaluate_designs",
]

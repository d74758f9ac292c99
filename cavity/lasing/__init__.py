"""Lasing as a pole of the stack with gain: the complete mode search, thresholds, threshold currents,
populations and the rate equations."""
from .threshold import (
    Resonance,
    Resonances,
    Threshold,
    ThresholdModes,
    resonances,
    lasing_threshold,
    threshold_modes,
    heated_stack,
    thermo_optic_coefficients,
)
from .current import (
    ModeCurrent,
    ThresholdCurrent,
    threshold_current,
)
from .population import (
    PopulationThresholds,
    threshold_population,
    PARALLEL_MIN_DESIGNS,
    MAX_BLOCK_BYTES,
)
from .rate_equations import (
    LasingMode,
    LaserRateEquations,
    LJCurve,
)
from .modesearch import (
    ModeProblem,
    ZeroSet,
    find_zeros,
)
__all__ = [
    "Resonance",
    "Resonances",
    "Threshold",
    "ThresholdModes",
    "resonances",
    "lasing_threshold",
    "threshold_modes",
    "heated_stack",
    "thermo_optic_coefficients",
    "ModeCurrent",
    "ThresholdCurrent",
    "threshold_current",
    "PopulationThresholds",
    "threshold_population",
    "PARALLEL_MIN_DESIGNS",
    "MAX_BLOCK_BYTES",
    "LasingMode",
    "LaserRateEquations",
    "LJCurve",
    "ModeProblem",
    "ZeroSet",
    "find_zeros",
]

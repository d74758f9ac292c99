"""The electrically injected CQD gain model and the device's thermal model."""
from .model import (
    AugerScaling,
    RadiativeScaling,
    GaussianBand,
    QDGainModel,
    CalibrationResult,
    hexagonal_areal_density,
    dot_volume_density,
    HCP_PACKING_FRACTION,
    state_filling_gain,
    DEFAULT_BAND_1S,
    DEFAULT_BAND_1P,
)
from .thermal import (
    ThermalModel,
    Rollover,
    disc_thermal_resistance,
)
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
    "ThermalModel",
    "Rollover",
    "disc_thermal_resistance",
]

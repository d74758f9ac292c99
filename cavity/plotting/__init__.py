"""Plots (matplotlib): each function returns ``(fig, ax)`` and never calls ``show()``."""
from .optics import (
    plot_stack_field,
    plot_spectrum,
    plot_threshold_modes,
)
from .gain import (
    plot_gain_spectra,
    plot_mean_occupancy,
    plot_peak_gain,
    plot_lj_curve,
)
from .emission import (
    plot_far_field,
    plot_power_split,
    plot_power_split_results,
    power_split_sweep,
)
__all__ = [
    "plot_far_field",
    "plot_power_split",
    "plot_power_split_results",
    "power_split_sweep",
    "plot_stack_field",
    "plot_spectrum",
    "plot_threshold_modes",
    "plot_gain_spectra",
    "plot_mean_occupancy",
    "plot_peak_gain",
    "plot_lj_curve",
]

"""Plots of the CQD gain model: spectra, occupancy, peak gain and L-J curves.

Each function takes ``ax=None`` (a new figure is made), returns ``(fig, ax)`` and never calls
``show()``.  matplotlib is imported lazily, inside the functions.
"""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .._validation import as_float_array, require_positive
from ..gain.model import QDGainModel
from ..gain.thermal import ThermalModel
from ..lasing.rate_equations import LJCurve

__all__ = ["plot_gain_spectra", "plot_mean_occupancy", "plot_peak_gain", "plot_lj_curve"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        return fig, ax
    return ax.figure, ax


def _currents(current_density):
    j = as_float_array(current_density, "current_density").ravel()
    require_positive(j, "current_density", strict=False, unit="A/cm^2")
    return j


def plot_gain_spectra(model: QDGainModel, current_density: ArrayLike, wavelength: ArrayLike, ax: Axes | None = None,
                      temperature_rise_K: float = 0.0) -> tuple[Figure, Axes]:
    """Material gain spectra g(lambda) (cm^-1) at several current densities (A/cm^2)."""
    wl = np.asarray(wavelength, dtype=np.float64)
    fig, ax = _axes(ax)
    for j in _currents(current_density):
        ax.plot(wl, model.material_gain(float(j), wl, temperature_rise_K=temperature_rise_K), label=f"{j:.3g} A/cm$^2$")
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("material gain (cm$^{-1}$)")
    ax.legend(fontsize="small")
    return fig, ax


def plot_mean_occupancy(model: QDGainModel, current_density: ArrayLike, ax: Axes | None = None,
                        poisson_reference: bool = True) -> tuple[Figure, Axes]:
    """Mean excitons per dot <N> versus J, with the linear-decay value ``G tau_X`` for reference."""
    j = _currents(current_density)
    fig, ax = _axes(ax)
    ax.plot(j, model.mean_occupancy(j), label="birth-death chain")
    if poisson_reference:
        ax.plot(j, model.generation_rate(j) * model.exciton_lifetime_ns * 1e-9, "--", label=r"$G\tau_X$ (no Auger)")
    ax.set_xscale("log")
    ax.set_xlabel("current density (A/cm$^2$)")
    ax.set_ylabel(r"$\langle N\rangle$ per dot")
    ax.legend(fontsize="small")
    return fig, ax


def plot_peak_gain(model: QDGainModel, current_density: ArrayLike, wavelength: float,
                   threshold_gain_per_cm: float | None = None, ax: Axes | None = None,
                   thermal: ThermalModel | None = None) -> tuple[Figure, Axes]:
    """Material gain at ``wavelength`` versus J, with the threshold gain and current marked.

    With a :class:`cavity.gain.thermal.ThermalModel` as ``thermal`` the heated gain is plotted too.
    """
    j = _currents(current_density)
    fig, ax = _axes(ax)
    ax.plot(j, [float(model.material_gain(float(x), wavelength)) for x in j], label="no heating")
    if thermal is not None:
        ax.plot(j, [float(thermal.heated_gain(model, float(x), wavelength)) for x in j], label="with heating")
    if threshold_gain_per_cm is not None:
        ax.axhline(threshold_gain_per_cm, color="k", ls=":", label="threshold gain")
        try:
            jt = model.current_for_gain(threshold_gain_per_cm, wavelength)
            ax.axvline(jt, color="r", ls=":", label=f"$J_{{th}}$ = {jt:.3g} A/cm$^2$")
        except ValueError:
            pass
    ax.set_xscale("log")
    ax.set_xlabel("current density (A/cm$^2$)")
    ax.set_ylabel(f"material gain at {wavelength:g} nm (cm$^{{-1}}$)")
    ax.legend(fontsize="small")
    return fig, ax


def plot_lj_curve(curve: LJCurve, ax: Axes | None = None, log: bool = False) -> tuple[Figure, Axes]:
    """Output power density versus J of an :class:`cavity.lasing.rate_equations.LJCurve`, threshold marked."""
    fig, ax = _axes(ax)
    ax.plot(curve.current_density, curve.output_power_W_per_cm2, "o-", ms=3)
    if curve.threshold_current is not None:
        ax.axvline(curve.threshold_current, color="r", ls=":", label=f"$J_{{th}}$ = {curve.threshold_current:.3g} A/cm$^2$")
        ax.legend(fontsize="small")
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("current density (A/cm$^2$)")
    ax.set_ylabel("output power (W/cm$^2$)")
    return fig, ax

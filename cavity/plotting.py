"""Plots of stacks, spectra and thresholds.

Every function takes ``ax=None`` (a new figure is made), returns ``(fig, ax)`` and never calls
``show()``; matplotlib is imported lazily.  Gain-model plots live in :mod:`cavity.plotting_gain`.
"""
from __future__ import annotations

import numpy as np

from .layers import Stack
from .optics import field_profile
from .results import Spectrum

__all__ = ["plot_stack_field", "plot_spectrum", "plot_threshold_modes"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4))
        return fig, ax
    return ax.figure, ax


def plot_stack_field(stack: Stack, wavelength: float, *, gain: float | None = None, angle: float = 0.0,
                     polarization="s", outside: float = 150.0, ax=None):
    """The real index profile n(z) with |E(z)|^2 of the field at ``wavelength`` overlaid.

    For a mode at threshold pass its ``material_gain`` as ``gain`` (slightly below threshold the
    driven field is the mode's field); |E|^2 is then normalised to its maximum.  Gain layers are
    shaded.
    """
    g = None if gain is None else float(gain) * (1 - 1e-7)
    prof = field_profile(stack, wavelength, angle, polarization, step=max(wavelength / 600, 0.1), outside=outside, gain=g)
    fig, ax = _axes(ax)
    ax.plot(prof.z, prof.n.real, color="0.3", lw=1.0, label="Re n")
    ax.set_xlabel("z (nm)")
    ax.set_ylabel("refractive index Re n")
    for i, lay in enumerate(stack.layers):
        if lay.gain:
            ax.axvspan(prof.boundaries[i], prof.boundaries[i + 1], color="tab:red", alpha=0.25, lw=0)
    ax2 = ax.twinx()
    e2 = prof.E2 / prof.E2.max() if gain is not None else prof.E2
    ax2.plot(prof.z, e2, color="tab:blue", lw=1.2)
    ax2.set_ylabel("|E|$^2$ (normalised)" if gain is not None else "|E|$^2$ / |E$_{inc}$|$^2$", color="tab:blue")
    ax.set_title(f"{wavelength:.2f} nm")
    return fig, ax


def plot_spectrum(spec: Spectrum, *, ax=None, quantities=("R", "T", "A")):
    """R, T (and A) versus wavelength from a :class:`Spectrum` (one angle)."""
    fig, ax = _axes(ax)
    for q in quantities:
        vals = np.asarray(getattr(spec, q))
        if vals.ndim != 1:
            raise ValueError(f"plot_spectrum takes a spectrum at one angle; {q} has shape {vals.shape}")
        ax.plot(spec.wavelength, vals, label=q)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("fraction of incident power")
    ax.set_ylim(-0.02, 1.02)
    ax.legend()
    return fig, ax


def plot_threshold_modes(modes, *, ax=None, max_gain: float | None = None):
    """Threshold material gain of each longitudinal mode versus its lasing wavelength.

    ``modes`` is a :class:`ThresholdModes` (or a sequence of :class:`Threshold`); the lowest
    threshold is highlighted.
    """
    items = list(getattr(modes, "modes", modes))
    fig, ax = _axes(ax)
    if items:
        wl = np.array([m.wavelength for m in items])
        g = np.array([m.material_gain for m in items])
        ax.semilogy(wl, g, "o", color="tab:blue", label="modes")
        best = int(np.argmin(g))
        ax.semilogy([wl[best]], [g[best]], "*", ms=14, color="tab:red", label="lowest threshold")
        if max_gain is not None:
            ax.axhline(max_gain, color="0.4", ls="--", label="maximum material gain")
        ax.legend()
    ax.set_xlabel("lasing wavelength (nm)")
    ax.set_ylabel("threshold material gain (cm$^{-1}$)")
    return fig, ax

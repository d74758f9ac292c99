"""Plots of stacks, spectra and thresholds.

Every function takes ``ax=None`` (a new figure is made), returns ``(fig, ax)`` and never calls
``show()``; matplotlib is imported lazily.  Gain-model plots live in :mod:`cavity.plotting.gain`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..layers import Stack
from ..optics.spectra import Polarization, field_profile
from ..results import Spectrum

__all__ = ["plot_stack_field", "plot_spectrum", "plot_threshold_modes"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4))
        return fig, ax
    return ax.figure, ax


def plot_stack_field(stack: Stack, wavelength: float, *, gain: float | None = None, angle: float = 0.0,
                     polarization: str | Polarization = "s", outside: float = 150.0,
                     ax: Axes | None = None) -> tuple[Figure, Axes]:
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


def plot_spectrum(spec: Spectrum, *, ax: Axes | None = None,
                  quantities: Sequence[str] = ("R", "T", "A")) -> tuple[Figure, Axes]:
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


def _gain_text(g: float) -> str:
    """A material gain (cm^-1) for a label: 4 significant digits, whole numbers from 1000 up."""
    return f"{g:.0f}" if abs(g) >= 1000 else f"{g:.4g}"


def plot_threshold_modes(modes: Iterable[Any], *, ax: Axes | None = None, max_gain: float | None = None,
                         available_gain: float | None = None, log: bool | None = None,
                         wavelength_range: tuple[float, float] | None = None) -> tuple[Figure, Axes]:
    """Threshold material gain of every mode versus its lasing wavelength, with the side-mode margin.

    Parameters
    ----------
    modes : ThresholdModes, DFBModes or sequence of modes
        The result of :func:`cavity.threshold_modes` or :func:`cavity.dfb_threshold`, or any
        sequence of objects with ``wavelength`` (nm) and ``material_gain`` (cm^-1), e.g.
        :class:`Threshold` or :class:`DFBMode`.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).
    max_gain : float, optional
        The gain limit of the search (cm^-1), drawn as a dashed line; default ``modes.max_gain``
        when finite.
    available_gain : float, optional
        The largest material gain the gain medium gives (cm^-1, e.g.
        ``QDGainModel.max_gain(wavelength)``), drawn as a dotted line: modes above it cannot lase.
    log : bool, optional
        Logarithmic gain axis; default when the plotted gains (thresholds and lines) span more
        than a factor 10.
    wavelength_range : (float, float), optional
        The searched window (nm), used as the wavelength axis (default: matplotlib's limits).

    Returns
    -------
    (fig, ax)

    Notes
    -----
    Every mode is one point (artist gid ``"modes"``); the lowest threshold ``g_1`` is starred
    (``"lowest"``).  The side-mode margin ``g_2 - g_1`` (cm^-1), the material-gain gap between the
    two lowest thresholds, is a vertical double arrow at the second mode from ``g_1`` to ``g_2``
    labelled ``"margin X cm^-1"`` (``"margin"``, the value from ``modes.side_mode_margin`` when
    the result carries it); when it cannot be drawn (one mode, or a result that reports only the
    lowest of several) the title says why.  A DFB result adds its Bloch stopband as a shaded band
    (``"stopband"``) and its Bragg wavelength.  The title reads ``"N of M modes found
    (complete)"`` or ``"(INCOMPLETE)"`` from the result's ``count`` and ``complete``: N the modes
    in ``modes.modes``, M the winding-number count of the window below ``max_gain``.
    """
    result: Any = modes if hasattr(modes, "modes") else None  # ThresholdModes, DFBModes; else a plain sequence
    items = list(result.modes if result is not None else modes)
    for i, m in enumerate(items):
        if not (hasattr(m, "wavelength") and hasattr(m, "material_gain")):
            raise TypeError(f"modes must be a ThresholdModes, a DFBModes or a sequence of modes with "
                            f"wavelength and material_gain; item {i} is {m!r}")
    if max_gain is None:
        max_gain = getattr(result, "max_gain", None)
    for name, val in (("max_gain", max_gain), ("available_gain", available_gain)):
        if val is not None and not (isinstance(val, (int, float, np.floating, np.integer)) and val > 0):
            raise ValueError(f"{name} must be a positive number (cm^-1) or None, got {val!r}")
    if wavelength_range is not None:
        lo_hi = np.asarray(wavelength_range, dtype=float)
        if lo_hi.shape != (2,) or not np.all(np.isfinite(lo_hi)) or not lo_hi[0] < lo_hi[1]:
            raise ValueError(f"wavelength_range must be (lo, hi) in nm with lo < hi, got {wavelength_range!r}")
    wl = np.array([float(m.wavelength) for m in items])
    g = np.array([float(m.material_gain) for m in items])
    order = np.argsort(g, kind="stable")
    wl, g = wl[order], g[order]

    fig, ax = _axes(ax)
    lines = [v for v in (max_gain, available_gain) if v is not None and np.isfinite(v)]
    span = np.concatenate([g[g > 0], lines])
    if log is None:
        log = span.size > 0 and bool(np.all(g > 0)) and span.max() / span.min() > 10.0
    if log:
        ax.set_yscale("log")
        ax.set_ylim(span.min() / 1.6, span.max() * 1.6)
    elif g.size or lines:
        lo, hi = float(np.min(np.concatenate([g, lines]))), float(np.max(np.concatenate([g, lines])))
        pad = 0.08 * (hi - lo) if hi > lo else 0.1 * abs(hi) or 1.0
        ax.set_ylim(max(lo - pad, 0.0) if lo >= 0 else lo - pad, hi + pad)

    stop = getattr(result, "stopband", None)
    if stop is not None and np.all(np.isfinite(stop)):
        ax.axvspan(stop[0], stop[1], color="0.85", lw=0, zorder=0, gid="stopband",
                   label=f"stopband {stop[0]:.2f}-{stop[1]:.2f} nm")
    bragg = getattr(result, "bragg_wavelength", None)
    if bragg is not None and np.isfinite(bragg):
        ax.axvline(bragg, color="0.5", lw=0.8, ls=":", gid="bragg", label=f"Bragg {bragg:.2f} nm")
    if max_gain is not None and np.isfinite(max_gain):
        ax.axhline(max_gain, color="0.4", ls="--", lw=1.0, gid="max_gain",
                   label=f"search limit {_gain_text(max_gain)} cm$^{{-1}}$")
    if available_gain is not None:
        ax.axhline(available_gain, color="tab:green", ls=":", lw=1.2, gid="available_gain",
                   label=f"available gain {_gain_text(available_gain)} cm$^{{-1}}$")

    if items:
        ax.plot(wl, g, "o", color="tab:blue", ms=5, ls="none", gid="modes", label="modes")
        ax.plot([wl[0]], [g[0]], "*", ms=15, color="tab:red", ls="none", gid="lowest",
                label=f"lowest: {wl[0]:.2f} nm, {_gain_text(g[0])} cm$^{{-1}}$")
    margin = getattr(result, "side_mode_margin", None)
    if margin is None:
        margin = g[1] - g[0] if g.size > 1 else np.inf
    note = None  # second title line when the margin cannot be drawn
    if np.isfinite(margin):
        label = f"margin {_gain_text(margin)} cm$^{{-1}}$"
        if g.size > 1:
            x2, g1, g2 = wl[1], g[0], g[1]
            ax.plot([wl[0], x2], [g1, g1], color="tab:red", lw=0.8, ls=(0, (2, 2)), gid="margin_level")
            ax.annotate("", xy=(x2, g2), xytext=(x2, g1), gid="margin_arrow",
                        arrowprops=dict(arrowstyle="<->", color="tab:red", lw=1.2, shrinkA=0, shrinkB=0))
            ymid = np.sqrt(g1 * g2) if log else 0.5 * (g1 + g2)
            away = 1 if x2 >= wl[0] else -1  # the label on the side away from the lowest mode
            ax.annotate(label, xy=(x2, ymid), xytext=(6 * away, 0), textcoords="offset points", va="center",
                        ha="left" if away > 0 else "right", color="tab:red", fontsize="small", gid="margin",
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))
        else:  # the result counted a second mode but reports only the lowest
            note = f"side-mode {label} (second mode not reported)"
    elif items:
        note = "side-mode margin unbounded: no second mode below the search limit"
    if not items:
        ax.text(0.5, 0.5, "no mode reaches threshold below the search limit", transform=ax.transAxes,
                ha="center", va="center", gid="no_modes")

    count = getattr(result, "count", None)
    complete = bool(getattr(result, "complete", True))
    if count is not None:
        status = f"{len(items)} of {count} modes found ({'complete' if complete else 'INCOMPLETE'})"
    else:
        status = f"{len(items)} modes"
    ax.set_title(status if note is None else f"{status}\n{note}", fontsize="medium",
                 color="black" if complete else "tab:red")
    if wavelength_range is not None:
        ax.set_xlim(*wavelength_range)
    ax.set_xlabel("lasing wavelength (nm)")
    ax.set_ylabel("threshold material gain (cm$^{-1}$)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return fig, ax

"""Plots of dipole and film emission: the far-field pattern and the power split.

Every function takes ``ax=None`` (a new figure is made), returns ``(fig, ax)`` and never calls
``show()``; matplotlib is imported lazily.  The quantities are defined in ``docs/emission.md``
(s.3 the split and the far field, s.7 the film).
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from ..layers import Stack
from ..optics.emission import DipoleEmission, FilmEmission, Orientation, film_emission

__all__ = ["plot_far_field", "plot_power_split", "plot_power_split_results", "power_split_sweep"]

#: the bands of the power split, bottom to top: (attribute or callable, label, colour)
_BANDS = (
    ("incident_fraction", "escape: incident medium", "tab:blue"),
    ("substrate_fraction", "escape: substrate", "tab:cyan"),
    ("guided_fraction", "guided modes", "tab:orange"),
    ("plasmon_fraction", "surface plasmons", "tab:purple"),
    ("absorbed_fraction", "absorbed", "0.55"),
)


def _axes(ax, polar=False):
    if ax is None:
        import matplotlib.pyplot as plt

        if polar:
            fig, ax = plt.subplots(figsize=(5.5, 5.5), subplot_kw={"projection": "polar"})
        else:
            fig, ax = plt.subplots(figsize=(7, 4))
        return fig, ax
    return ax.figure, ax


def plot_far_field(result: DipoleEmission | FilmEmission, *, polar: bool = False, normalize: bool = False,
                   ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Angular emission pattern into each lossless outer medium, s, p and their sum.

    Parameters
    ----------
    result : DipoleEmission or FilmEmission
        Computed with ``angles`` (degrees in each outer medium).
    polar : bool, default False
        A polar plot (the incident medium up, the substrate down, mirrored about the normal);
        otherwise power per steradian against the angle from the normal in each medium.
    normalize : bool, default False
        Divide every curve by the largest value of the s + p sums (a pattern's shape); otherwise
        the fraction of the total emitted power per steradian, averaged over azimuth.
    ax : matplotlib axes, optional (polar axes when ``polar``)

    Returns
    -------
    (fig, ax)
    """
    if not isinstance(result, (DipoleEmission, FilmEmission)):
        raise TypeError(f"result must be a DipoleEmission or a FilmEmission, got {type(result).__name__}")
    if result.angles is None:
        raise ValueError("result has no far field: compute it with angles=... (degrees)")
    sides = [(side, getattr(result, f"{side}_s"), getattr(result, f"{side}_p"))
             for side in ("incident", "substrate") if getattr(result, f"{side}_s") is not None]
    if not sides:
        raise ValueError("result has no far field: both outer media are lossy")
    ang = np.asarray(result.angles, dtype=float)
    scale = 1.0
    if normalize:
        peak = max(float(np.max(s + p)) for _, s, p in sides)
        scale = 1.0 / peak if peak > 0 else 1.0
    fig, ax = _axes(ax, polar)
    colours = {"incident": "tab:blue", "substrate": "tab:green"}
    order = np.argsort(ang)
    a = ang[order]
    for side, s, p in sides:
        c = colours[side]
        for vals, ls, lab in ((s + p, "-", "s + p"), (s, "--", "s"), (p, ":", "p")):
            v = np.asarray(vals)[order] * scale
            if polar:
                t = np.deg2rad(a) if side == "incident" else np.pi - np.deg2rad(a)
                ax.plot(t, v, ls=ls, color=c, label=f"{side} {lab}")
                ax.plot(-t, v, ls=ls, color=c)
            else:
                ax.plot(a, v, ls=ls, color=c, label=f"{side} {lab}")
    if polar:
        ax.set_theta_zero_location("N")  # type: ignore[union-attr]  # a polar Axes
        ax.set_thetagrids(range(0, 360, 30))  # type: ignore[union-attr]
        ax.set_title("far field (incident medium up, substrate down)", fontsize=10)
    else:
        ax.set_xlabel("angle from the normal in the outer medium (degrees)")
        ax.set_ylabel("normalised power per sr" if normalize else "fraction of the emitted power per sr")
        ax.set_xlim(0, 90)
    ax.legend(fontsize=8)
    return fig, ax


def power_split_sweep(stack: Stack, layer: int | str, *, vary: int | str, thicknesses: ArrayLike,
                      wavelengths: ArrayLike, spectrum: Callable[[float], float] | None = None, positions: int = 3,
                      orientation: str | Orientation = "isotropic") -> tuple[FilmEmission, ...]:
    """:func:`cavity.optics.emission.film_emission` of ``layer`` for every thickness (nm) of the
    layer ``vary`` (index or unique name); returns the tuple of :class:`FilmEmission`."""
    L = stack.layer_index(layer)
    V = stack.layer_index(vary, "vary")
    th = np.asarray(thicknesses, dtype=float).ravel()
    if th.size == 0 or not np.all(np.isfinite(th)) or np.any(th <= 0):
        raise ValueError(f"thicknesses must be finite thicknesses > 0 nm, got {np.asarray(thicknesses)!r}")
    out = []
    for t in th:
        st = stack.replace_layer(V, stack.layers[V].with_thickness(float(t)))
        out.append(film_emission(st, L, wavelengths, spectrum=spectrum, positions=positions, orientation=orientation))
    return tuple(out)


def plot_power_split_results(x: ArrayLike, results: Iterable[DipoleEmission | FilmEmission], *,
                             xlabel: str = "thickness (nm)", ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Where the emitted power goes (stacked fractions: escape into the incident medium and the
    substrate, guided modes, surface plasmons, absorbed) against ``x``, from precomputed
    :class:`DipoleEmission` or :class:`FilmEmission` results (one per ``x``)."""
    x = np.asarray(x, dtype=float).ravel()
    results = list(results)
    if len(results) != x.size:
        raise ValueError(f"results must hold one result per x value: {len(results)} results for {x.size} values")
    for r in results:
        if not isinstance(r, (DipoleEmission, FilmEmission)):
            raise TypeError(f"results must be DipoleEmission or FilmEmission, got {type(r).__name__}")
    fig, ax = _axes(ax)
    ys = [np.array([getattr(r, attr) for r in results]) for attr, _, _ in _BANDS]
    ax.stackplot(x, *ys, labels=[lab for _, lab, _ in _BANDS], colors=[c for _, _, c in _BANDS], alpha=0.85)
    ax.set_xlim(x.min(), x.max())
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("fraction of the emitted power")
    ax.legend(fontsize=8, loc="upper right")
    return fig, ax


def plot_power_split(stack: Stack, layer: int | str, *, vary: int | str, thicknesses: ArrayLike, wavelengths: ArrayLike,
                     spectrum: Callable[[float], float] | None = None, positions: int = 3,
                     orientation: str | Orientation = "isotropic", ax: Axes | None = None) -> tuple[Figure, Axes]:
    """The power split of the emitting film ``layer`` against the thickness of layer ``vary``
    (:func:`power_split_sweep` then :func:`plot_power_split_results`).

    Parameters
    ----------
    stack : Stack
    layer : int or str             the emitting layer (lossless)
    vary : int or str              the layer whose thickness is swept (may be ``layer`` itself)
    thicknesses : array of float   its thicknesses (nm)
    wavelengths : float or array   emission wavelengths (nm), see ``film_emission``
    spectrum : callable, optional  free-space emission spectrum
    positions : int, default 3     Gauss-Legendre positions across the film
    orientation : str, default "isotropic"
    ax : matplotlib axes, optional

    Returns
    -------
    (fig, ax)
    """
    res = power_split_sweep(stack, layer, vary=vary, thicknesses=thicknesses, wavelengths=wavelengths,
                            spectrum=spectrum, positions=positions, orientation=orientation)
    name = stack.layers[stack.layer_index(vary, "vary")].label
    return plot_power_split_results(thicknesses, res, xlabel=f"{name} thickness (nm)", ax=ax)

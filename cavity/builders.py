"""Named constructors of common stacks.  Thicknesses in nm (:mod:`cavity.conventions`)."""
from __future__ import annotations

import math

import numpy as np

from materials import Material

from ._validation import require_scalar_finite
from .layers import AIR, Layer, Stack

__all__ = ["quarter_wave_thickness", "dbr", "microcavity", "metal_mirror", "seed_led_stack", "place_on_antinode"]


def quarter_wave_thickness(material: Material, center_wavelength: float, angle: float = 0.0, incident_index: float = 1.0) -> float:
    """Thickness (nm) of a quarter-wave layer: ``d = lambda0 / (4 Re q)``, ``q = sqrt(n^2 - kx^2)``.

    At normal incidence ``d = lambda0 / (4 n)``.
    """
    lam = require_scalar_finite(center_wavelength, "center_wavelength")
    if lam <= 0:
        raise ValueError(f"center_wavelength must be > 0 nm, got {center_wavelength!r}")
    n = complex(material.n(lam))
    kx = incident_index * math.sin(math.radians(angle))
    q = np.sqrt(n * n - kx * kx)
    return lam / (4.0 * q.real)


def dbr(high: Material, low: Material, pairs: int, center_wavelength: float, end_with_high: bool = False,
        *, incident: Material = AIR, substrate: Material = AIR) -> Stack:
    """A quarter-wave distributed Bragg reflector ``(H L)^pairs [H]``.

    Parameters
    ----------
    high, low : Material
        The two materials (listed in the order light meets them).
    pairs : int
        Number of (high, low) pairs, >= 1.
    center_wavelength : float
        Bragg wavelength lambda0 (nm); each layer is lambda0 / (4 n(lambda0)) thick.
    end_with_high : bool
        Append one more ``high`` layer: ``(H L)^N H``.

    Returns
    -------
    Stack
        The layers between ``incident`` and ``substrate`` (both air by default; combine stacks
        with ``+`` and place them with :meth:`Stack.between`).

    Notes
    -----
    Peak reflectance (physics.md s.3.4): for ``n0 | (HL)^N | ns`` the admittance is
    ``Y = (n_H/n_L)^(2N) ns`` and ``R = ((n0 - Y)/(n0 + Y))^2``.
    """
    if not isinstance(pairs, (int, np.integer)) or isinstance(pairs, bool) or pairs < 1:
        raise ValueError(f"pairs must be a positive integer, got {pairs!r}")
    h = Layer(high, quarter_wave_thickness(high, center_wavelength), name=high.name)
    lo = Layer(low, quarter_wave_thickness(low, center_wavelength), name=low.name)
    layers = [h, lo] * int(pairs)
    if end_with_high:
        layers.append(h)
    return Stack(tuple(layers), incident=incident, substrate=substrate)


def _as_layers(part, what):
    if part is None:
        return ()
    if isinstance(part, Stack):
        return part.layers
    if isinstance(part, Layer):
        return (part,)
    try:
        layers = tuple(part)
    except TypeError as exc:
        raise TypeError(f"{what} must be a Stack, a Layer or a sequence of layers, got {part!r}") from exc
    for lay in layers:
        if not isinstance(lay, Layer):
            raise TypeError(f"{what} must contain cavity.Layer objects, got {lay!r}")
    return layers


def microcavity(core, top_mirror=None, bottom_mirror=None, *, incident: Material = AIR, substrate: Material = AIR) -> Stack:
    """A planar microcavity ``incident | top mirror | core | bottom mirror | substrate``.

    Parameters
    ----------
    core : Stack, Layer or sequence of Layer
        The spacer(s) with the gain layer(s), listed from the top mirror downwards.
    top_mirror, bottom_mirror : Stack, Layer or sequence of Layer, optional
        Dielectric DBRs (:func:`dbr`), metal layers (:func:`metal_mirror`) or both; either may
        be omitted (the outer medium then acts as the mirror).
    incident, substrate : Material
        Outer media (light is incident from the top).
    """
    layers = _as_layers(top_mirror, "top_mirror") + _as_layers(core, "core") + _as_layers(bottom_mirror, "bottom_mirror")
    if not _as_layers(core, "core"):
        raise ValueError("core must contain at least one layer")
    return Stack(layers, incident=incident, substrate=substrate)


def metal_mirror(material: Material, thickness: float, name: str | None = None) -> Stack:
    """A single metal layer (e.g. Ag or Al, thickness in nm) usable as a cavity mirror or contact."""
    return Stack((Layer(material, thickness, name=name),))


def seed_led_stack(
    *,
    ito_nm: float = 150.0,
    hole_transport_nm: float = 50.0,
    qd_nm: float = 20.0,
    zno_nm: float = 50.0,
    cathode_nm: float = 100.0,
    cathode: str = "Al",
    hole_transport: str = "TCTA",
    glass: str = "soda-lime glass",
) -> Stack:
    """The CQD LED stack of the seed device: ``glass | ITO | TCTA | QD film | ZnO | Al (or Ag) | air``.

    After Lim, Park & Klimov, Nat. Mater. 17, 42 (2018): ZnO electron injection, TCTA hole
    injection, a 1-2 monolayer film of graded CdSe/CdZnSe/ZnSeS dots (the insulating
    current-focusing spacer lies outside the optical path and is not modelled).  The layer
    thicknesses of the paper were not available to us (physics.md s.2.5): they are parameters
    with representative defaults (nm).  Light is incident from (and emitted into) the glass; the
    QD film is the gain layer.  ``cathode`` is ``"Al"`` or ``"Ag"``.
    """
    import materials as mt

    if cathode not in ("Al", "Ag"):
        raise ValueError(f"cathode must be 'Al' or 'Ag', got {cathode!r}")
    layers = (
        Layer(mt.get("ITO"), ito_nm, name="ITO"),
        Layer(mt.get(hole_transport), hole_transport_nm, name=hole_transport),
        Layer(mt.get("CdSe QD film"), qd_nm, name="QD film", gain=True),
        Layer(mt.get("ZnO"), zno_nm, name="ZnO"),
        Layer(mt.get(cathode), cathode_nm, name=cathode),
    )
    return Stack(layers, incident=mt.get(glass), substrate=AIR)


def place_on_antinode(stack: Stack, gain_layer: int, before: int, after: int, target_wavelength: float,
                      *, tune_resonance: bool = True, iterations: int = 4) -> Stack:
    """Move a gain layer onto a field antinode by re-dividing the spacers around it.

    The spacer layers ``before`` and ``after`` (indices into ``stack.layers``, on either side of
    ``gain_layer``) keep their total thickness while their split is chosen to maximise the gain
    layer's standing-wave factor (physics.md s.3.3) of the mode nearest ``target_wavelength``;
    with ``tune_resonance`` both are then scaled together so that the mode sits at
    ``target_wavelength``.  The two steps alternate ``iterations`` times.
    """
    from scipy.optimize import brentq, minimize_scalar

    from .threshold import lasing_threshold

    n = len(stack)
    for name, i in (("gain_layer", gain_layer), ("before", before), ("after", after)):
        if not 0 <= i < n:
            raise ValueError(f"{name} must be a layer index of the {n}-layer stack, got {i!r}")
    if not before < gain_layer < after:
        raise ValueError(f"need before < gain_layer < after, got {before}, {gain_layer}, {after}")
    target = require_scalar_finite(target_wavelength, "target_wavelength")
    mask = [i == gain_layer for i in range(n)]
    probe = Stack(tuple(lay if mask[i] == lay.gain else Layer(lay.material, lay.thickness, lay.name, mask[i])
                        for i, lay in enumerate(stack.layers)), stack.incident, stack.substrate)

    def with_spacers(st, t_before, t_after):
        st = st.replace_layer(before, st.layers[before].with_thickness(t_before))
        return st.replace_layer(after, st.layers[after].with_thickness(t_after))

    current = probe
    try:
        lasing_threshold(current, target)
    except ValueError as exc:
        raise ValueError(f"place_on_antinode: the stack has no mode near target_wavelength={target!r} nm to start "
                         f"from ({exc}); choose spacers closer to resonance") from None
    for _ in range(iterations):
        total = current.layers[before].thickness + current.layers[after].thickness

        def neg_swf(frac):
            st = with_spacers(current, frac * total, (1 - frac) * total)
            try:
                return -lasing_threshold(st, target).standing_wave_factor
            except ValueError:
                return 0.0

        grid = np.linspace(0.02, 0.98, 25)
        vals = [neg_swf(f) for f in grid]
        k = int(np.argmin(vals))
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
        best = minimize_scalar(neg_swf, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4}).x
        current = with_spacers(current, best * total, (1 - best) * total)
        if not tune_resonance:
            break

        def detuning(scale):
            st = with_spacers(current, scale * current.layers[before].thickness, scale * current.layers[after].thickness)
            return lasing_threshold(st, target).wavelength - target

        try:
            scale = brentq(detuning, 0.8, 1.25, xtol=1e-10)
        except ValueError as exc:
            raise ValueError(f"place_on_antinode: cannot tune a mode onto target_wavelength={target!r} nm by scaling "
                             f"the spacers (layers {before} and {after}) by 0.8-1.25: {exc}") from None
        current = with_spacers(current, scale * current.layers[before].thickness, scale * current.layers[after].thickness)
    # restore the caller's gain flags
    return Stack(tuple(Layer(lay.material, lay.thickness, lay.name, orig.gain)
                       for lay, orig in zip(current.layers, stack.layers)), stack.incident, stack.substrate)

"""Named constructors of common stacks.  Thicknesses in nm (:mod:`cavity.conventions`)."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from materials import Material

from ._validation import require_positive_pair, require_scalar_finite
from .layers import AIR, Layer, Stack

__all__ = ["quarter_wave_thickness", "dbr", "microcavity", "metal_mirror", "seed_led_stack", "place_on_antinode"]


def quarter_wave_thickness(material: Material, center_wavelength: float, angle: float = 0.0,
                           incident_index: float = 1.0) -> float:
    """Thickness (nm) of a quarter-wave layer: ``d = lambda0 / (4 Re q)``, ``q = sqrt(n^2 - kx^2)``.

    At normal incidence ``d = lambda0 / (4 n)``.

    ``angle`` (degrees) must lie in ``[0, 90)`` and ``incident_index`` (real) be > 0; a layer in
    which the wave is evanescent at that angle (``Re q`` not > 0) has no quarter-wave thickness
    and raises ``ValueError``.
    """
    _require_material(material, "material")
    lam = require_scalar_finite(center_wavelength, "center_wavelength")
    if lam <= 0:
        raise ValueError(f"center_wavelength must be > 0 nm, got {center_wavelength!r}")
    ang = require_scalar_finite(angle, "angle")
    if not 0.0 <= ang < 90.0:
        raise ValueError(f"angle must be in [0, 90) degrees, got {angle!r}")
    n0 = require_scalar_finite(incident_index, "incident_index")
    if not n0 > 0:
        raise ValueError(f"incident_index must be > 0, got {incident_index!r}")
    n = complex(material.n(lam))
    kx = n0 * math.sin(math.radians(ang))
    q = np.sqrt(n * n - kx * kx)
    if not q.real > 1e-12 * abs(n):
        raise ValueError(f"the wave is evanescent in {material.name!r} at angle={angle!r} degrees "
                         f"(incident_index={incident_index!r}): no quarter-wave thickness")
    return lam / (4.0 * q.real)


def _require_material(value, name: str) -> None:
    if isinstance(value, str):
        raise TypeError(f"{name} must be a materials.Material, got the string {value!r}: "
                        f"use materials.get({value!r})")
    if not isinstance(value, Material):
        raise TypeError(f"{name} must be a materials.Material, got {type(value).__name__} {value!r:.80}")


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
    Peak reflectance (docs/theory.md s.3.4): for ``n0 | (HL)^N | ns`` the admittance is
    ``Y = (n_H/n_L)^(2N) ns`` and ``R = ((n0 - Y)/(n0 + Y))^2``.
    """
    if not isinstance(pairs, (int, np.integer)) or isinstance(pairs, bool) or pairs < 1:
        raise ValueError(f"pairs must be a positive integer, got {pairs!r}")
    _require_material(high, "high")
    _require_material(low, "low")
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


def microcavity(core: Stack | Sequence[Layer], top_mirror: Stack | Sequence[Layer] | None = None,
                bottom_mirror: Stack | Sequence[Layer] | None = None, *, incident: Material = AIR,
                substrate: Material = AIR) -> Stack:
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
    thicknesses of the paper were not available to us (docs/theory.md s.2.5): they are parameters
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


# -- antinode placement ----------------------------------------------------------------------------
_SPLIT_MARGIN = 0.02          # each re-divided layer keeps at least 2% of their common thickness
_MODE_WINDOW_FRACTION = 0.1   # modes are looked for within +-10% of the target wavelength
_TUNE_STEPS_PER_WAVE = 24     # tuning scan step lambda/(24 n): a mode moves < 1/12 of a free spectral range
_SPLIT_STEPS_PER_WAVE = 16    # split scan step lambda/(16 n): 8 points per standing-wave period
_MIN_MODE_Q = 5.0             # broader poles (linewidth > lambda/5, wider than the window) are no modes


class _NoMode(Exception):
    """No resonance where one was needed inside a root bracket (internal)."""


def place_on_antinode(stack: Stack, gain_layer: int | str, before: int | str, after: int | str, target_wavelength: float,
                      *, tune_resonance: bool = True, iterations: int = 4,
                      scale_range: tuple[float, float] = (0.8, 1.25)) -> Stack:
    r"""Move a gain layer onto a field antinode by re-dividing two layers around it, and tune the mode.

    Two layers ``before`` and ``after`` (typically the spacers on either side of ``gain_layer``;
    any layers with ``before < gain_layer < after``) are changed, nothing else:

    * **split** (field condition): at fixed ``t_before + t_after`` the split is chosen to maximise
      the gain layer's standing-wave factor :math:`\Gamma_r` in the mode nearest
      ``target_wavelength`` (as reported by :func:`cavity.lasing_threshold`); of several
      antinodes within 0.1% of the best factor, the one nearest the layer's current position;
    * **tune** (resonance condition, with ``tune_resonance``): both layers are scaled by one
      common factor so that a passive resonance (:func:`cavity.resonances`) sits at
      ``target_wavelength``.

    The two steps alternate up to ``iterations`` times (stopping early once neither changes by
    more than 1e-6 nm), so a tuned result always ends with the mode on the target.  When no mode
    lies near the target to start from, the stack is tuned first.

    Parameters
    ----------
    stack : Stack
    gain_layer, before, after : int or str
        Layers given by index into ``stack.layers`` or by name (``Layer(..., name=...)``; a layer
        without a name answers to its material's name).  A name must match exactly one layer.
    target_wavelength : float
        Vacuum wavelength (nm) of the mode and of the antinode.
    tune_resonance : bool, default True
        Also scale the two layers to put a resonance on the target.  Without it only the split
        is optimised (once), for the mode nearest ``target_wavelength``.
    iterations : int, default 4
        Maximum number of split/tune alternations (>= 1).
    scale_range : (float, float), default (0.8, 1.25)
        Allowed range of ``(t_before + t_after) / (their total in stack)`` when tuning.

    Returns
    -------
    Stack
        A copy of ``stack`` with the two layers' thicknesses (nm) changed; gain flags as given.

    Raises
    ------
    ValueError
        A layer index out of range, a layer name that is missing or ambiguous, layers out of
        order, a target outside the materials' data; the resonance condition cannot be met
        within ``scale_range`` (the message gives the target, the thickness range scanned and
        the closest a mode came); no mode near the target for any split.
    TypeError
        A layer given as neither int nor str.

    Warns
    -----
    UserWarning
        When the antinode lies beyond the reach of the two layers: :math:`\Gamma_r` still grows
        at the end of the split range (each layer keeps at least 2% of their total), where the
        gain layer is left, as close to the antinode as it can get.

    Notes
    -----
    Standing-wave (enhancement) factor of a gain layer of thickness :math:`d` and index
    :math:`n_a` (Coldren & Corzine, *Diode Lasers and Photonic Integrated Circuits*,
    longitudinal confinement of vertical cavities):

    .. math::
        \Gamma_r = \frac{\int_a |E|^2\,dz}{\int_a (|E_+|^2 + |E_-|^2)\,dz}
                 = 1 + \cos(2\beta z_0)\,\frac{\sin\beta d}{\beta d}, \qquad \beta = 2\pi n_a/\lambda,

    the second form for equal forward and backward amplitudes, :math:`z_0` being the offset of
    the layer's centre from an antinode: :math:`\Gamma_r` is largest when the layer is centred on
    an antinode.  The split is found on a grid of step :math:`\lambda/(16 n)` over the allowed
    range and refined by bounded Brent minimisation around the best grid point.

    Tuning scans the total thickness over ``scale_range`` in steps of :math:`\lambda/(24 n)` (the
    round-trip phase changes by :math:`2\pi/12`, so a mode moves by about 1/12 of a free spectral
    range per step), records the detuning of the
    resonance nearest the target (modes within 10% of it with Q >= 5), brackets every sign
    change and solves it with Brent's method; a bracket whose root is a jump between two modes
    rather than a mode crossing the target is discarded.  Of several crossings the one nearest
    the current thickness (the unscaled design at the first step) is kept; the two steps around
    the current thickness are searched first.

    Examples
    --------
    >>> import materials as mt, cavity as cv
    >>> H, L = mt.Constant(2.3, name="H"), mt.Constant(1.46, name="L")
    >>> core = [cv.Layer(L, 120.0, name="top spacer"), cv.Layer(L, 20.0, name="QD", gain=True),
    ...         cv.Layer(L, 80.0, name="bottom spacer")]
    >>> st = cv.microcavity(core, cv.dbr(L, H, 8, 630.0), cv.dbr(H, L, 8, 630.0))
    >>> placed = cv.place_on_antinode(st, "QD", "top spacer", "bottom spacer", 630.0)
    >>> round(cv.resonances(placed, (600.0, 660.0))[0].wavelength, 6)
    630.0
    >>> [round(placed[i].thickness, 1) for i in (16, 18)]   # half-wave: (630 / (2 * 1.46) - 20) / 2
    [97.9, 97.9]
    """
    import warnings

    from scipy.optimize import brentq, minimize_scalar

    from .lasing.threshold import lasing_threshold, resonances

    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
    gi = stack.layer_index(gain_layer, "gain_layer")
    bi = stack.layer_index(before, "before")
    ai = stack.layer_index(after, "after")
    if not bi < gi < ai:
        raise ValueError(f"need before < gain_layer < after, got {bi}, {gi}, {ai} (before={before!r}, "
                         f"gain_layer={gain_layer!r}, after={after!r})")
    target = require_scalar_finite(target_wavelength, "target_wavelength")
    if target <= 0:
        raise ValueError(f"target_wavelength must be > 0 nm, got {target_wavelength!r}")
    if isinstance(iterations, (bool, np.bool_)) or not isinstance(iterations, (int, np.integer)) or iterations < 1:
        raise ValueError(f"iterations must be a positive integer, got {iterations!r}")
    s_lo, s_hi = require_positive_pair(scale_range, "scale_range", what="of factors", unit="")
    r_lo = max(m.wavelength_range[0] for m in stack.media())
    r_hi = min(m.wavelength_range[1] for m in stack.media())
    if not r_lo <= target <= r_hi:
        raise ValueError(f"target_wavelength={target!r} nm lies outside {r_lo:g}-{r_hi:g} nm, the range covered by all "
                         f"the stack's materials")
    window = (max(target * (1 - _MODE_WINDOW_FRACTION), r_lo), min(target * (1 + _MODE_WINDOW_FRACTION), r_hi))

    layers = stack.layers
    probe = Stack(tuple(lay if lay.gain == (i == gi) else Layer(lay.material, lay.thickness, lay.name, i == gi)
                        for i, lay in enumerate(layers)), stack.incident, stack.substrate)
    total0 = layers[bi].thickness + layers[ai].thickness
    pair = f"layers {bi} ({layers[bi].label!r}) and {ai} ({layers[ai].label!r})"
    if total0 <= 0:
        raise ValueError(f"place_on_antinode: {pair} have zero total thickness: there is nothing to re-divide or scale")
    n_max = max(abs(complex(layers[i].material.n(target)).real) for i in (bi, ai))
    n_max = max(n_max, 1.0)

    def spaced(frac, total):
        st = probe.replace_layer(bi, probe.layers[bi].with_thickness(frac * total))
        return st.replace_layer(ai, st.layers[ai].with_thickness((1.0 - frac) * total))

    # -- the resonance condition: a passive mode at the target --------------------------------------
    def detuning(frac, total, win=window):
        """Distance (nm) of the resonance nearest the target from it (nan: no mode in ``win``)."""
        try:
            modes = resonances(spaced(frac, total), win)
        except (ValueError, ArithmeticError):
            return math.nan
        lams = [m.wavelength for m in modes if math.isfinite(m.wavelength) and m.Q >= _MIN_MODE_Q]
        if not lams:
            return math.nan
        return min(lams, key=lambda w: abs(w - target)) - target

    def crossing(frac, totals, det, reference):
        """The total nearest ``reference`` at which a mode crosses the target (None: no crossing).

        Every sign change of ``det`` over ``totals`` is a bracket; they are solved nearest first and
        a bracket whose root is a jump between two modes (not a crossing) is discarded."""
        brackets = []
        for k in range(len(totals) - 1):
            a, b = det[k], det[k + 1]
            if a == 0.0 or b == 0.0:
                root = totals[k] if a == 0.0 else totals[k + 1]
                brackets.append((abs(root - reference), root, root, a, b))
            elif math.isfinite(a) and math.isfinite(b) and a * b < 0:
                gap = max(totals[k] - reference, reference - totals[k + 1], 0.0)
                brackets.append((gap, totals[k], totals[k + 1], a, b))
        best = None
        for gap, t_a, t_b, a, b in sorted(brackets, key=lambda br: br[0]):
            if best is not None and gap >= abs(best - reference):
                break
            if t_a == t_b:
                root = float(t_a)
            else:
                # the crossing mode stays within max(|a|, |b|) of the target inside the bracket
                half = 2.0 * max(abs(a), abs(b)) + 1.0
                win = (max(target - half, window[0]), min(target + half, window[1]))

                def strict(t):
                    d = detuning(frac, t, win)
                    if not math.isfinite(d):
                        raise _NoMode
                    return d

                try:
                    root = float(brentq(strict, t_a, t_b, xtol=1e-9, maxiter=200))
                    if abs(strict(root)) > 1e-6 * target:  # a jump between two modes, not a crossing
                        continue
                except (_NoMode, ValueError, RuntimeError):
                    continue
            if best is None or abs(root - reference) < abs(best - reference):
                best = root
        return best

    def tune(frac, reference):
        lo, hi = s_lo * total0, s_hi * total0
        count = int(min(2001, max(9, math.ceil((hi - lo) * n_max * _TUNE_STEPS_PER_WAVE / target) + 1)))
        step = (hi - lo) / (count - 1)
        # near the reference first: a crossing within 2 steps of it is nearer than any outside
        near = np.linspace(max(lo, reference - 2 * step), min(hi, reference + 2 * step), 5)
        root = None
        if near[-1] > near[0]:
            root = crossing(frac, near, np.array([detuning(frac, t) for t in near]), reference)
        if root is None:
            totals = np.linspace(lo, hi, count)
            det = np.array([detuning(frac, t) for t in totals])
            root = crossing(frac, totals, det, reference)
        if root is not None:
            return root
        head = (f"place_on_antinode: cannot tune a mode onto target_wavelength={target:g} nm (resonance condition): "
                f"scaling {pair} together by {s_lo:g}-{s_hi:g} (their total {lo:.1f}-{hi:.1f} nm, split "
                f"{frac:.3f}:{1 - frac:.3f}) puts no cavity resonance on the target")
        found = np.isfinite(det)
        if not found.any():
            raise ValueError(f"{head}; there is no resonance (Q >= {_MIN_MODE_Q:g}) within {window[0]:.1f}-"
                             f"{window[1]:.1f} nm at any of these thicknesses")
        k = int(np.nanargmin(np.abs(det)))
        lam = target + det[found]
        raise ValueError(f"{head}; the closest a mode comes is {target + det[k]:.2f} nm ({det[k]:+.2f} nm) at a total of "
                         f"{totals[k]:.1f} nm (scale {totals[k] / total0:.3f}); over the range the mode nearest the "
                         f"target lies within {lam.min():.2f}-{lam.max():.2f} nm")

    # -- the field condition: the gain layer on an antinode ------------------------------------------
    def swf(frac, total):
        try:
            th = lasing_threshold(spaced(frac, total), target)
        except (ValueError, ArithmeticError):
            return math.nan
        value = th.standing_wave_factor
        return float(value) if th.converged and math.isfinite(value) else math.nan

    def split(total, current):
        span = (1 - 2 * _SPLIT_MARGIN) * total
        count = int(min(801, max(25, math.ceil(span * n_max * _SPLIT_STEPS_PER_WAVE / target) + 1)))
        grid = np.linspace(_SPLIT_MARGIN, 1 - _SPLIT_MARGIN, count)
        vals = np.array([swf(f, total) for f in grid])
        if not np.isfinite(vals).any():
            raise _NoMode
        v = np.where(np.isfinite(vals), vals, -np.inf)

        def cost(f):
            value = swf(f, total)
            return -value if math.isfinite(value) else 0.0

        peaks = []  # (split, factor, at the end of the range) of every local maximum, refined
        for k in range(count):
            if not (math.isfinite(v[k]) and (k == 0 or v[k] >= v[k - 1]) and (k == count - 1 or v[k] >= v[k + 1])):
                continue
            lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, count - 1)]
            f = float(minimize_scalar(cost, bounds=(lo, hi), method="bounded", options={"xatol": 1e-7}).x)
            value = swf(f, total)
            if not (math.isfinite(value) and value >= v[k]):
                f, value = float(grid[k]), float(v[k])
            at_edge = (k == 0 and f - grid[0] < 1e-4) or (k == count - 1 and grid[-1] - f < 1e-4)
            peaks.append((f, value, at_edge))
        best = max(p[1] for p in peaks)
        good = [p for p in peaks if p[1] >= best - 1e-3 * abs(best)]
        nearest = min(abs(p[0] - current) for p in good)
        return max((p for p in good if abs(p[0] - current) <= nearest + 1e-3), key=lambda p: p[1])

    def no_mode_error(total):
        return ValueError(f"place_on_antinode: cannot evaluate the field condition: no cavity mode near "
                          f"target_wavelength={target:g} nm (lasing_threshold found none) for any split of {pair} "
                          f"over their total of {total:.1f} nm" + ("" if tune_resonance else "; tune_resonance=True "
                          "would first scale them to bring a mode onto the target"))

    frac, total = layers[bi].thickness / total0, total0
    for it in range(iterations):
        try:
            new_frac, value, at_edge = split(total, frac)
        except _NoMode:
            if it > 0 or not tune_resonance:
                raise no_mode_error(total) from None
            total = tune(frac, total0)  # no mode near the target yet: bring one there first
            try:
                new_frac, value, at_edge = split(total, frac)
            except _NoMode:
                raise no_mode_error(total) from None
        if not tune_resonance:
            frac = new_frac
            break
        new_total = tune(new_frac, total)
        settled = abs(new_frac - frac) * total < 1e-6 and abs(new_total - total) < 1e-6
        frac, total = new_frac, new_total
        if settled:
            break
    if at_edge:
        edge = ai if frac > 0.5 else bi
        beta_d = 2 * math.pi * abs(complex(layers[gi].material.n(target)).real) * layers[gi].thickness / target
        centred = 1 + (math.sin(beta_d) / beta_d if beta_d > 0 else 1.0)
        warnings.warn(
            f"place_on_antinode: gain layer {gi} ({layers[gi].label!r}) cannot be centred on a field antinode at "
            f"{target:g} nm by re-dividing {pair}: its standing-wave factor still grows at the end of the allowed split "
            f"(layer {edge} at {_SPLIT_MARGIN:.0%} of their {total:.1f} nm), where it is {value:.3f} (about "
            f"{centred:.3f} on an antinode); the antinode lies beyond the layers being re-divided",
            UserWarning, stacklevel=2)
    out = spaced(frac, total)
    return Stack(tuple(Layer(lay.material, lay.thickness, lay.name, orig.gain) for lay, orig in zip(out.layers, layers)),
                 stack.incident, stack.substrate)

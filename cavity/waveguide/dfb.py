"""Distributed-feedback (DFB) lasers by the effective-index method and the transfer-matrix pole.

A DFB grating is a longitudinal sequence of two section types, a *tooth* and a *groove*, each a
planar slab (a :class:`~cavity.Stack`, cover to substrate).  The effective-index method
(docs/theory.md s.4.5):

1. each section is solved as a slab waveguide (:func:`cavity.guided_modes`): its complex
   ``n_eff(lambda)`` (tabulated over a window around the Bragg wavelength, so waveguide and material
   dispersion are both included) and the modal gain factor ``Gamma`` of its gain layers (from the
   complex pole, :meth:`cavity.waveguide.Mode.confinement_from_pole`);
2. the grating becomes a 1D stack of sections of index ``n_eff``.  A material gain g in the QD layer
   adds ``k = -Gamma g lambda / (4 pi)`` to each section, so its net modal gain is
   ``Gamma g - alpha_i`` with ``alpha_i = (4 pi / lambda) Im n_eff`` of the passive section;
3. thresholds (real lambda, real g) are poles of that 1D stack, solved by the same jitted pole
   kernels as the vertical cavities (:class:`cavity.lasing.threshold.PoleProblem`).

Layout: the grating is symmetric, ``T/2 G T G ... T G T/2`` (T: tooth of length ``D Lambda``, G:
groove of ``(1 - D) Lambda``); a phase shift ``phi`` at a period boundary lengthens the tooth there
by ``phi Lambda / (2 pi m)`` for a grating of order m (``phi = pi``: the "quarter-wave" shift, a
lambda/4 optical displacement: Lambda/2 at order 1, Lambda/4 at order 2); shifts are
:class:`~cavity.waveguide.PhaseShift` values.  ``end_cut`` removes a fraction of a period at either
end (it sets the facet phase).  Ends (:class:`Facet`): ``Facet.CLEAVED`` (air beyond the end
section: Fresnel reflection ``(n_eff - 1)/(n_eff + 1)`` with the phase set by where the grating
ends), a number (another outer index), ``Facet.AR`` (an outer medium of the end section's
``Re n_eff``: no reflection) or ``Facet.ABSORBING`` (the end section's complex ``n_eff``: matched,
the light leaving is lost).  docs/dfb.md s.6 lists every accepted form.

Limitations
-----------
* **1D model** (docs/theory.md s.4.4).  For gratings of order >= 2 the lower diffraction orders radiate
  out of the surface.  For order 2 (TE), ``radiation="coupled_wave"`` computes that radiation
  (coupled-wave theory with the stack's Green's function, docs/dfb.md): each mode's radiation
  loss, up/down split and edge loss, and the near and far field (:func:`surface_emission`,
  :func:`far_field`).  Otherwise it is *not* computed: give a (mode-independent)
  ``radiation_loss`` (cm^-1).  Results state this in ``limitations``.
* The effective-index method neglects the vertical mode mismatch at section boundaries (scattering
  into radiation and substrate modes): it is accurate for shallow gratings.
* Uniform gain (no spatial hole burning); the gain spectrum is taken as flat across a mode.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, replace
from enum import Enum

from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from ..results import ModeSequence, Result

from .._validation import parse_enum
from ..conventions import NM_TO_CM
from .coupled_mode import PhaseShift, PhaseShiftLike, coupled_mode_threshold, grating_coupling_coefficient
from ..layers import Layer, Stack
from ..lasing import _count_kernels as CK
from ..lasing.modesearch import ModeProblem, find_zeros
from ..lasing.threshold import PoleProblem, capped_gain, mode_energy_weights
from .second_order import (RadiativeCoupling, merge_pieces, mode_fields, modulated_pieces, modulated_rows,
                           radiative_coupling)
from ..optics.spectra import Polarization
from .slab import Mode, mode_at, parse_polarization, track_mode, guided_modes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from materials import Material

    from ..design.evaluators import BatchThresholds, ThresholdSettings

    from ..gain.model import QDGainModel

__all__ = ["DFBGrating", "DFBMode", "DFBModes", "Facet", "GratingRadiation", "GratingSections", "etched_grating",
           "dfb_threshold", "grating_sections", "SurfaceEmission", "FarField", "surface_emission", "far_field"]


class GratingRadiation(str, Enum):
    """How a grating of order 2 treats its surface emission (docs/dfb.md).

    * ``NONE``: the 1D effective-index model alone (no radiation; a user-given, mode-independent
      ``radiation_loss`` may stand in).  The only choice for order 1 and orders >= 3.
    * ``COUPLED_WAVE``: the radiative coupling ``zeta`` of the first Fourier harmonic (Kazarinov &
      Henry), computed with the stack's Green's function at normal incidence
      (:func:`cavity.waveguide.second_order.radiative_coupling`) and added to the 1D model: each
      mode gets its own radiation loss and up/down split.  Order 2, TE only.
    """

    NONE = "none"
    COUPLED_WAVE = "coupled_wave"

    @classmethod
    def parse(cls, value: str | GratingRadiation) -> GratingRadiation:
        """The member ``value`` names (its value or name in any case); a ValueError naming ``radiation``."""
        return parse_enum(cls, value, "radiation")



class Facet(str, Enum):
    """What lies beyond an end of a DFB grating (docs/dfb.md s.6).

    * ``CLEAVED``: air (n = 1) beyond the end section: a Fresnel reflection
      ``(n_eff - 1)/(n_eff + 1)``, its phase set by where the grating ends (``end_cut``).
    * ``AR``: an outer medium of the end section's ``Re n_eff``: no reflection (an ideal
      anti-reflection coating).
    * ``ABSORBING``: the end section's complex ``n_eff`` continues: matched, the light leaving is lost.

    :attr:`DFBGrating.facets` takes a member, its value or name in any case, or an outer refractive
    index (a float).  Being a ``str`` enum, a member equals and prints as its value
    (``Facet.AR == "ar"``, ``to_dict()`` gives ``"ar"``); compare members by identity.
    """

    CLEAVED = "cleaved"
    AR = "ar"
    ABSORBING = "absorbing"

    @classmethod
    def parse(cls, value: str | Facet) -> Facet:
        """The member ``value`` names (its value or name in any case); a ValueError naming ``facets``."""
        return parse_enum(cls, value, "facets")

    def __str__(self) -> str:
        return self.value


#: an end of a grating as :class:`DFBGrating` accepts it: a :class:`Facet` (or its name) or an outer index
FacetLike = Facet | str | float

_TABLE_POINTS = 161
_NODES = 7
_TOL = 1e-12
_MAXIT = 60


# ------------------------------------------------------------------------------------------------
# geometry
# ------------------------------------------------------------------------------------------------
def etched_grating(stack: Stack, layer: int, etch_depth: float | None = None,
                   fill: Material | Layer | None = None) -> tuple[Stack, Stack]:
    """Tooth and groove sections of a grating etched into ``stack``.

    Parameters
    ----------
    stack : Stack
        The unetched device (the tooth section), cover first.
    layer : int
        Index of the layer whose cover-side surface is etched.
    etch_depth : float, optional
        Depth (nm) of the grooves, measured from the top (cover side) of ``layer``; it may cut
        through ``layer`` into the layers below it.  Default: the thickness of ``layer``.
    fill : materials.Material or Layer, optional
        What fills the grooves.  Default: the layer on the cover side of ``layer`` (a planarising
        overlayer such as the QD film; its ``gain`` flag is kept), or the cover medium.

    Returns
    -------
    (Stack, Stack)
        ``(tooth, groove)``.
    """
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
    if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or not 0 <= layer < len(stack):
        raise ValueError(f"layer must be a layer index in [0, {len(stack) - 1}], got {layer!r}")
    total_below = float(stack.thicknesses[layer:].sum())
    depth = float(stack.thicknesses[layer]) if etch_depth is None else _positive(etch_depth, "etch_depth")
    if depth > total_below + 1e-9:
        raise ValueError(f"etch_depth={etch_depth!r} nm cuts deeper than the {total_below:g} nm of layers below "
                         f"the top of layer {layer}")
    if fill is None:
        if layer > 0:
            src = stack.layers[layer - 1]
            fill_layer = Layer(src.material, depth, name=f"{src.label} (fill)", gain=src.gain)
        else:
            fill_layer = Layer(stack.incident, depth, name="cover (fill)")
    elif isinstance(fill, Layer):
        fill_layer = Layer(fill.material, depth, name=fill.name, gain=fill.gain)
    else:
        fill_layer = Layer(fill, depth, name="fill")
    out = list(stack.layers[:layer]) + [fill_layer]
    left = depth
    for lay in stack.layers[layer:]:
        cut = min(left, lay.thickness)
        left -= cut
        rest = lay.thickness - cut
        if rest > 0:
            out.append(Layer(lay.material, rest, name=lay.name, gain=lay.gain))
    # merge the fill with an identical neighbour above (planarised overlayer)
    groove = Stack(tuple(out), stack.incident, stack.substrate)
    return stack, groove


def _real(value, name, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    return float(value)


def _positive(value, name, unit="nm"):
    what = f"a finite number > 0 {unit}".rstrip()
    v = _real(value, name, what)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return v


def _nonnegative(value, name, unit):
    what = f"a finite number >= 0 {unit}"
    v = _real(value, name, what)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return v


def _phase_shifts(value) -> tuple[PhaseShift, ...]:
    """``DFBGrating.phase_shifts`` as a tuple of PhaseShift sorted by position (errors name ``phase_shifts``)."""
    if value is None:
        return ()
    if isinstance(value, (str, PhaseShift)):
        shifts: tuple[PhaseShift, ...] = (PhaseShift.parse(value, "phase_shifts"),)
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise ValueError(f"phase_shifts must be a sequence of (position, phase) pairs or PhaseShift, a PhaseShift "
                             f"or 'quarter_wave', got {value!r}") from None
        shifts = tuple(PhaseShift.parse(v, "phase_shifts") for v in items)
    for sh in shifts:
        if not 0.0 < sh.phase < 2.0 * math.pi:
            raise ValueError(f"phase_shifts phase must lie in (0, 2 pi) rad, got {sh.phase!r}")
    return tuple(sorted(shifts, key=lambda sh: sh.position))


def _shifts_of(grating: DFBGrating) -> tuple[PhaseShift, ...]:
    """The grating's phase shifts as ``__post_init__`` stored them (a tuple of PhaseShift)."""
    return cast("tuple[PhaseShift, ...]", grating.phase_shifts)


def _facet(value) -> Facet | float:
    if isinstance(value, str):
        try:
            return Facet.parse(value)
        except ValueError:
            raise ValueError(f"facets entries must be one of {[f.value for f in Facet]!r} (or a Facet) or an outer "
                             f"refractive index > 0, got {value!r}") from None
    return _positive(value, "facets outer index", "")


def _facets(value) -> tuple[Facet | float, Facet | float]:
    """``DFBGrating.facets`` as two Facet members or outer indices (errors name ``facets``)."""
    if isinstance(value, str):
        raise ValueError(f"facets must be a pair (left, right), got {value!r}")
    try:
        f1, f2 = value
    except (TypeError, ValueError):
        raise ValueError(f"facets must be a pair (left, right), got {value!r}") from None
    return _facet(f1), _facet(f2)


@dataclass(frozen=True)
class DFBGrating:
    """A DFB grating: two section types along the propagation direction.

    Parameters
    ----------
    tooth, groove : Stack
        The two slab sections (cover first).  Layers marked ``gain=True`` carry the material gain;
        a patterned QD layer (present in the teeth only, or thinner in the grooves) gives gain
        coupling.
    wavelength : float
        Design wavelength (nm).  With ``period=None`` the period is the Bragg period
        ``m lambda / (2 n_bar)``; otherwise it is the start of the Bragg-wavelength iteration.
    period : float, optional
        Grating period Lambda (nm).
    duty_cycle : float, default 0.5
        Tooth fraction D of the period, ``0 < D < 1``.
    order : int, default 1
        Bragg order m.  For ``m >= 2`` see ``radiation_loss`` and the module's limitations.
    periods : int, optional
        Number of periods N (give this or ``length``).
    length : float, optional
        Grating length (nm); rounded to a whole number of periods.
    phase_shifts : sequence of PhaseShift or (position, phase), a PhaseShift, or "quarter_wave"
        Phase jumps (rad, ``0 < phase < 2 pi``) of the coupling harmonic (the m-th Fourier
        component of an order-m grating) at fractional positions ``0 < position < 1`` (rounded to
        a period boundary): a jump ``phi`` lengthens the tooth there by ``phi Lambda / (2 pi m)``.
        ``"quarter_wave"`` (or ``"qws"``, ``PhaseShift.quarter_wave()``) is ``PhaseShift(0.5, pi)``:
        a lambda/4 optical shift, Lambda/2 at order 1 and Lambda/4 at order 2, which puts the defect
        mode at the Bragg wavelength for any order.  Every form is read by :meth:`PhaseShift.parse`
        and stored as a tuple of :class:`~cavity.waveguide.PhaseShift` sorted by position (each
        unpacks as ``position, phase``); docs/dfb.md s.6.
    facets : (left, right), default (Facet.ABSORBING, Facet.ABSORBING)
        Each a :class:`Facet` (``"cleaved"``, ``"ar"``, ``"absorbing"``, read by :meth:`Facet.parse`)
        or an outer refractive index (a float > 0).  Stored as the member, or the float.
    end_cut : (float, float), default (0, 0)
        Fraction of a period removed at each end, ``0 <= c < 1`` (sets the facet phase).
    polarization : "TE" or "TM" (or "s", "p", a Polarization)
        Stored as the :class:`~cavity.Polarization` member: S for TE, P for TM.
    mode_order : int, default 0
        Which guided mode of the sections lases (0: the fundamental).
    radiation_loss : float, default 0
        User-given modal power loss (cm^-1) added to every section: the surface-emission loss of a
        grating of order >= 2 that a 1D model cannot compute (with ``radiation="coupled_wave"`` an
        extra, mode-independent loss on top of the computed one).  The modes report it in their
        ``radiation_loss``, part of ``outcoupling_loss`` (not of ``internal_loss``).
    radiation : {"none", "coupled_wave"} or GratingRadiation, optional
        ``"coupled_wave"`` (order 2, TE): compute the radiative coupling of the first Fourier
        harmonic and each mode's radiation loss and up/down split (:class:`GratingRadiation`,
        docs/dfb.md).  Default: ``"coupled_wave"`` for a second-order TE grating, ``"none"``
        otherwise (first order radiates nothing; TM and orders >= 3 are not computed, and the
        result's ``limitations`` say so).
    """

    tooth: Stack
    groove: Stack
    wavelength: float
    period: float | None = None
    duty_cycle: float = 0.5
    order: int = 1
    periods: int | None = None
    length: float | None = None
    phase_shifts: tuple[PhaseShift, ...] | Sequence[PhaseShiftLike] | PhaseShift | str | None = ()
    facets: tuple[FacetLike, FacetLike] = (Facet.ABSORBING, Facet.ABSORBING)
    end_cut: tuple = (0.0, 0.0)
    polarization: Polarization | str = Polarization.S
    mode_order: int = 0
    radiation_loss: float = 0.0
    radiation: GratingRadiation | None = None

    def __post_init__(self):
        for name in ("tooth", "groove"):
            if not isinstance(getattr(self, name), Stack):
                raise TypeError(f"{name} must be a cavity.Stack, got {getattr(self, name)!r}")
        object.__setattr__(self, "wavelength", _positive(self.wavelength, "wavelength"))
        if self.period is not None:
            object.__setattr__(self, "period", _positive(self.period, "period"))
        d = _real(self.duty_cycle, "duty_cycle", "a number strictly between 0 and 1")
        if not 0.0 < d < 1.0:
            raise ValueError(f"duty_cycle must lie strictly between 0 and 1, got {self.duty_cycle!r}")
        object.__setattr__(self, "duty_cycle", float(d))
        if isinstance(self.order, bool) or not isinstance(self.order, numbers.Integral) or self.order < 1:
            raise ValueError(f"order must be an integer >= 1, got {self.order!r}")
        if (self.periods is None) == (self.length is None):
            raise ValueError(f"give exactly one of periods and length, got periods={self.periods!r}, "
                             f"length={self.length!r}")
        if self.periods is not None:
            p = self.periods
            if isinstance(p, bool) or not isinstance(p, numbers.Integral) or p < 1:
                raise ValueError(f"periods must be an integer >= 1, got {p!r}")
        else:
            object.__setattr__(self, "length", _positive(self.length, "length"))
        object.__setattr__(self, "phase_shifts", _phase_shifts(self.phase_shifts))
        object.__setattr__(self, "facets", _facets(self.facets))
        try:
            c1, c2 = (float(c) for c in self.end_cut)
        except (TypeError, ValueError):
            raise ValueError(f"end_cut must be a pair of period fractions, got {self.end_cut!r}") from None
        if not (0.0 <= c1 < 1.0 and 0.0 <= c2 < 1.0):
            raise ValueError(f"end_cut fractions must lie in [0, 1), got {self.end_cut!r}")
        object.__setattr__(self, "end_cut", (c1, c2))
        pol = parse_polarization(self.polarization)
        object.__setattr__(self, "polarization", pol)
        if isinstance(self.mode_order, bool) or not isinstance(self.mode_order, numbers.Integral) \
                or self.mode_order < 0:
            raise ValueError(f"mode_order must be an integer >= 0, got {self.mode_order!r}")
        object.__setattr__(self, "radiation_loss", _nonnegative(self.radiation_loss, "radiation_loss", "cm^-1"))
        if self.radiation is None:
            second_te = self.order == 2 and pol is Polarization.S
            rad = GratingRadiation.COUPLED_WAVE if second_te else GratingRadiation.NONE
        else:
            rad = GratingRadiation.parse(self.radiation)
        if rad is GratingRadiation.COUPLED_WAVE:
            if self.order != 2:
                raise ValueError(f"radiation='coupled_wave' needs a second-order grating (order=2), got order={self.order!r}")
            if pol is not Polarization.S:
                raise ValueError(f"radiation='coupled_wave' is implemented for TE only, got polarization={pol.label!r}")
        object.__setattr__(self, "radiation", rad)

    @classmethod
    def etched(cls, stack: Stack, layer: int, wavelength: float, *, etch_depth: float | None = None,
               fill: Material | Layer | None = None, **kwargs: Any) -> DFBGrating:
        """A grating etched into ``stack`` (:func:`etched_grating`); other keywords as the class."""
        tooth, groove = etched_grating(stack, layer, etch_depth, fill)
        return cls(tooth, groove, wavelength, **kwargs)

    @property
    def limitations(self) -> str:
        text = ("1D effective-index model: no radiation or substrate modes, no scattering at section "
                "boundaries (accurate for shallow gratings), uniform gain (no spatial hole burning).")
        if self.radiation is GratingRadiation.COUPLED_WAVE:
            text = ("1D effective-index model with the surface emission added (below): no substrate modes, no "
                    "scattering at section boundaries beyond it (accurate for shallow gratings), uniform gain "
                    "(no spatial hole burning).")
            text += (" Grating order 2: surface emission by coupled-wave theory with radiation (Kazarinov & "
                     "Henry; docs/dfb.md): the first Fourier harmonic's radiative coupling from the stack's "
                     "Green's function at normal incidence and the evanescent orders' second-order terms, "
                     "perturbative in the grating depth (docs/dfb.md s.4 for the accuracy).")
            if self.radiation_loss > 0:
                text += f" An extra user-given radiation loss of {self.radiation_loss:g} cm^-1 is included."
        elif self.order >= 2:
            text += (f" Grating order {self.order}: the surface-emission (radiation) loss of the lower "
                     "diffraction orders, its mode selection and the out-coupling are NOT computed by the "
                     "1D model (docs/theory.md s.4.4); ")
            if self.radiation_loss > 0:
                text += f"a user-given, mode-independent radiation loss of {self.radiation_loss:g} cm^-1 is included."
            else:
                text += "no radiation_loss was given, so the thresholds underestimate it."
        return text


# ------------------------------------------------------------------------------------------------
# effective-index sections
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GratingSections(Result):
    """The two effective-index section types of a grating over a wavelength window.

    Attributes
    ----------
    lam_tab : ndarray (K,)           uniform wavelength table (nm)
    n_eff : ndarray (2, K)           passive complex n_eff of tooth (row 0) and groove (row 1),
                                     radiation loss included
    confinement : (float, float)     modal gain factor Gamma of the gain layers (tooth, groove)
    bragg_wavelength : float         ``m lambda_B = 2 n_bar(lambda_B) Lambda`` with
                                     ``n_bar = D Re n_tooth + (1 - D) Re n_groove``
    period : float                   nm
    group_index : float              of n_bar at the Bragg wavelength
    coupling_coefficient : float     kappa (cm^-1) from the width of the exact Bloch stopband of the
                                     sections, ``pi n_g d_lambda / lambda_B^2`` (the Fourier
                                     formula of a rectangular grating when the stopband is not
                                     resolved in the table)
    """

    lam_tab: np.ndarray
    n_eff: np.ndarray
    confinement: tuple
    bragg_wavelength: float
    period: float
    group_index: float
    coupling_coefficient: float

    def n_at(self, wavelength: ArrayLike) -> NDArray[np.complex128]:
        """Interpolated ``n_eff`` of (tooth, groove) at ``wavelength`` (nm): shape ``(2,)``, or
        ``(2, W)`` for W wavelengths."""
        lam = np.asarray(wavelength, dtype=np.float64)
        return np.array([np.interp(lam, self.lam_tab, r.real) + 1j * np.interp(lam, self.lam_tab, r.imag)
                         for r in self.n_eff])


def _section_neff(stack: Stack, wavelength: float, pol: Polarization, order: int, what: str) -> Mode:
    modes = guided_modes(stack, wavelength, pol)
    if len(modes) <= order:
        raise ValueError(f"the {what} section guides {len(modes)} {pol.label} mode(s) at {wavelength:g} nm; "
                         f"mode_order={order} does not exist")
    return modes[order]


def grating_sections(grating: DFBGrating, half_width: float | None = None) -> GratingSections:
    """Solve both section types (effective-index method) over a window around the Bragg wavelength.

    ``half_width`` (nm): half width of the table; default two stopband widths plus 20 mode spacings.
    """
    g = grating
    D, m = g.duty_cycle, g.order
    lam = g.wavelength
    pol = parse_polarization(g.polarization)  # the member DFBGrating stored
    modes = [_section_neff(s, lam, pol, g.mode_order, w) for s, w in ((g.tooth, "tooth"), (g.groove, "groove"))]
    period = g.period
    # Bragg wavelength: fixed point of lam = 2 n_bar(lam) Lambda / m (or the period from lam)
    neffs = [md.n_eff for md in modes]
    for _ in range(30):
        nbar = D * neffs[0].real + (1 - D) * neffs[1].real
        if period is None:
            period = m * lam / (2.0 * nbar)
            break
        lam_new = 2.0 * nbar * period / m
        if abs(lam_new - lam) < 1e-10 * lam:
            lam = lam_new
            break
        neffs = [track_mode(s, [lam_new], n0, pol)[0] for s, n0 in zip((g.tooth, g.groove), neffs)]
        if any(not np.isfinite(n) for n in neffs):
            raise ValueError(f"the guided mode of the grating sections was lost near {lam_new:g} nm")
        lam = lam_new
    lam_b = lam
    nbar = D * neffs[0].real + (1 - D) * neffs[1].real
    dn = abs(neffs[0].real - neffs[1].real)
    kappa = float(grating_coupling_coefficient(dn, D, m, lam_b)) if dn > 0 else 0.0
    assert period is not None  # set by the fixed point above when not given
    n_periods = _period_count(g, period)
    length = n_periods * period
    if half_width is None:
        ng_guess = nbar
        stop = lam_b * lam_b * kappa * NM_TO_CM / (math.pi * ng_guess) if kappa > 0 else 0.0
        spacing = lam_b * lam_b / (2.0 * ng_guess * length)
        half_width = 2.0 * stop + 20.0 * spacing + 0.5
        half_width = min(half_width, 0.1 * lam_b)
    lo, hi = lam_b - half_width, lam_b + half_width
    nodes = np.linspace(lo, hi, _NODES)
    rows = []
    gammas = []
    for stack, md in zip((g.tooth, g.groove), modes):
        n_b = track_mode(stack, [lam_b], md.n_eff, pol)[0]
        up = track_mode(stack, nodes[_NODES // 2:], n_b, pol)
        down = track_mode(stack, nodes[: _NODES // 2 + 1][::-1], n_b, pol)[::-1]
        vals = np.concatenate((down[:-1], up))
        if not np.all(np.isfinite(vals)):
            raise ValueError(f"the guided mode of a grating section was lost within {lo:.1f}-{hi:.1f} nm")
        if np.all(stack.indices(nodes).imag == 0.0):
            vals = vals.real.astype(np.complex128)  # lossless section: drop round-off
        rows.append(vals)
        mode_b = mode_at(stack, lam_b, n_b, pol)
        gl = stack.gain_layer_indices
        gammas.append(mode_b.confinement_from_pole(list(gl)) if gl else 0.0)
    lam_tab = np.linspace(lo, hi, _TABLE_POINTS)
    x = (nodes - lam_b) / half_width
    xt = (lam_tab - lam_b) / half_width
    n_tab = np.empty((2, lam_tab.size), np.complex128)
    for i, vals in enumerate(rows):
        cr = np.polyfit(x, vals.real, 4)
        ci = np.polyfit(x, vals.imag, 4)
        n_tab[i] = np.polyval(cr, xt) + 1j * np.polyval(ci, xt)
    if g.radiation_loss > 0:
        n_tab += 1j * g.radiation_loss * lam_tab * NM_TO_CM / (4.0 * math.pi)
    nbar_tab = D * n_tab[0].real + (1 - D) * n_tab[1].real
    slope = np.gradient(nbar_tab, lam_tab)[lam_tab.size // 2]
    ng = float(np.interp(lam_b, lam_tab, nbar_tab) - lam_b * slope)
    n_tab.setflags(write=False)
    lam_tab.setflags(write=False)
    sec = GratingSections(lam_tab, n_tab, (float(gammas[0]), float(gammas[1])), float(lam_b), float(period), ng,
                          kappa)
    # kappa consistent with the exact Bloch stopband of the sections (the Fourier formula vanishes
    # for a second-order grating at D = 1/2, where the layered grating still has a stopband):
    # full width d_lambda = lambda^2 kappa / (pi n_g)
    lo_s, hi_s = _stopband(sec, D, m)
    if math.isfinite(lo_s) and lam_tab[0] < lo_s < hi_s < lam_tab[-1]:
        kappa = math.pi * ng * (hi_s - lo_s) / (lam_b * lam_b * NM_TO_CM)
        sec = replace(sec, coupling_coefficient=float(kappa))
    return sec


# ------------------------------------------------------------------------------------------------
# the longitudinal stack
# ------------------------------------------------------------------------------------------------
def _period_count(grating: DFBGrating, period: float) -> int:
    """Periods of the grating: given, or its length over the period (at least 1)."""
    if grating.periods is not None:
        return int(grating.periods)
    assert grating.length is not None  # DFBGrating requires periods or length
    return max(1, int(round(grating.length / period)))


def _layout(grating: DFBGrating, period: float):
    """Section types (0 tooth, 1 groove) and lengths (nm) of the symmetric layout."""
    D = grating.duty_cycle
    n_periods = _period_count(grating, period)
    types = np.empty(2 * n_periods + 1, np.int64)
    lengths = np.empty(2 * n_periods + 1)
    types[0::2] = 0
    types[1::2] = 1
    lengths[0::2] = D * period
    lengths[1::2] = (1 - D) * period
    lengths[0] = lengths[-1] = 0.5 * D * period
    for x, ph in _shifts_of(grating):
        k = int(round(x * n_periods))
        k = min(max(k, 1), n_periods - 1) if n_periods > 1 else 0
        # a jump ph of the coupling (m-th) harmonic is a displacement ph Lambda / (2 pi m)
        lengths[2 * k] += ph / (2 * math.pi * grating.order) * period
    # end cuts
    for side, cut in enumerate(grating.end_cut):
        left = cut * period
        idx = range(len(lengths)) if side == 0 else range(len(lengths) - 1, -1, -1)
        for i in idx:
            if left <= 0:
                break
            take = min(left, lengths[i])
            lengths[i] -= take
            left -= take
    keep = lengths > 0
    return types[keep], lengths[keep], n_periods


def _outer_row(facet, end_row):
    """The outer medium's n_eff row beyond an end section of n_eff row ``end_row`` (docs/dfb.md s.6)."""
    if facet is Facet.CLEAVED:
        return np.ones(end_row.size, np.complex128)
    if facet is Facet.AR:
        return end_row.real.astype(np.complex128)
    if facet is Facet.ABSORBING:
        return end_row.copy()
    return np.full(end_row.size, complex(facet))


def _problem(grating: DFBGrating, sec: GratingSections):
    types, lengths, n_periods = _layout(grating, sec.period)
    M = types.size + 2
    n_tab = np.empty((M, sec.lam_tab.size), np.complex128)
    n_tab[1:-1] = sec.n_eff[types]
    n_tab[0] = _outer_row(grating.facets[0], sec.n_eff[types[0]])
    n_tab[-1] = _outer_row(grating.facets[1], sec.n_eff[types[-1]])
    d = np.zeros(M)
    d[1:-1] = lengths
    mask = np.zeros(M)
    mask[1:-1] = np.asarray(sec.confinement)[types]
    plane = M // 2
    prob = PoleProblem.from_arrays(sec.lam_tab, n_tab, d, mask, plane, polarization="s")
    keys = np.concatenate(([-1], types, [-2]))
    mp = ModeProblem.from_media(sec.lam_tab, n_tab, d, mask, keys=keys, pol=0)
    return prob, mp, float(lengths.sum()), n_periods


@dataclass(frozen=True, eq=False)
class _RadiativeLayout:
    """The 1D model of a second-order grating with the radiative coupling added (docs/dfb.md s.3):
    fine pieces (tooth/groove x sign of the cos(2Kz) square wave, split at tooth centres) and the
    index rows of the four piece kinds."""

    typ: np.ndarray
    sign: np.ndarray
    length: np.ndarray
    bins: np.ndarray
    rows: np.ndarray
    added: tuple


def _problem_radiative(grating: DFBGrating, sec: GratingSections, added: tuple):
    """:func:`_problem` for ``radiation="coupled_wave"``: the sections plus ``added = (diagonal,
    coupling)`` (cm^-1, :attr:`RadiativeCoupling.added_to_1d`) as a uniform index ``diagonal / k0``
    and a square-wave modulation ``+- coupling lambda / 4`` locked to the grating phase (phase
    shifts included)."""
    types, lengths, n_periods = _layout(replace(grating, end_cut=(0.0, 0.0)), sec.period)
    typ, sign, plen, bins = modulated_pieces(types, lengths, sec.period, grating.duty_cycle, grating.end_cut)
    keys, mlen = merge_pieces(typ, sign, plen)
    rows = modulated_rows(sec.n_eff, sec.lam_tab, *added)
    M = keys.size + 2
    n_tab = np.empty((M, sec.lam_tab.size), np.complex128)
    n_tab[1:-1] = rows[keys]
    n_tab[0] = _outer_row(grating.facets[0], sec.n_eff[keys[0] // 2])
    n_tab[-1] = _outer_row(grating.facets[1], sec.n_eff[keys[-1] // 2])
    d = np.zeros(M)
    d[1:-1] = mlen
    mask = np.zeros(M)
    mask[1:-1] = np.asarray(sec.confinement)[keys // 2]
    plane = M // 2
    prob = PoleProblem.from_arrays(sec.lam_tab, n_tab, d, mask, plane, polarization="s")
    mp = ModeProblem.from_media(sec.lam_tab, n_tab, d, mask, keys=np.concatenate(([-1], keys, [-2])), pol=0)
    lay = _RadiativeLayout(typ, sign, plen, bins, rows, tuple(added))
    return prob, mp, float(plen.sum()), n_periods, lay


def _radiative_mode(grating, sec, lay: _RadiativeLayout, rc: RadiativeCoupling, lam: float, g: float):
    """Field-based figures of one mode at threshold: ``(Gamma_bar, alpha_i, alpha_rad, alpha_edge,
    near field per period bin, bin lengths)`` (docs/dfb.md s.3)."""
    lam_cm = lam * NM_TO_CM
    k_row = np.array([np.interp(lam, sec.lam_tab, r.real) + 1j * np.interp(lam, sec.lam_tab, r.imag) for r in lay.rows])
    key = 2 * lay.typ + (lay.sign < 0)
    conf = np.asarray(sec.confinement)[lay.typ]
    n = k_row[key] - 1j * conf * g * lam_cm / (4 * math.pi)
    n_sec = sec.n_at(lam)
    outer = []
    for facet, t in zip(grating.facets, (lay.typ[0], lay.typ[-1])):
        outer.append(complex(_outer_row(facet, np.array([n_sec[t]]))[0]))
    fl = mode_fields(n, lay.length, outer[0], outer[1], lam)
    W = float(fl.energy.sum())
    gam = float((conf * fl.energy).sum() / W)
    alpha_true = 4 * math.pi * n_sec.imag[lay.typ] / lam_cm
    a_i = float((alpha_true * fl.energy).sum() / W)
    a_edge = (fl.flux_left + fl.flux_right) / W / NM_TO_CM
    # near field: per period bin, the slowly varying part of (f - D) E over the bin, / (sin(pi D)/pi)
    D = grating.duty_cycle
    s1 = math.sin(math.pi * D) / math.pi
    f = np.where(lay.typ == 0, 1.0, 0.0)
    nb = int(lay.bins.max()) + 1
    src = np.bincount(lay.bins, weights=((f - D) * fl.mean).real, minlength=nb) + \
        1j * np.bincount(lay.bins, weights=((f - D) * fl.mean).imag, minlength=nb)
    width = np.bincount(lay.bins, weights=lay.length, minlength=nb)
    used = width > 0
    near = np.zeros(nb, np.complex128)
    near[used] = src[used] / (width[used] * s1)
    nbar = float(np.sum(n.real * lay.length) / lay.length.sum())
    a_rad = (rc.loss_up + rc.loss_down) * nbar * float(np.sum(np.abs(near) ** 2 * width)) / W
    return gam, a_i, float(a_rad), float(a_edge), near[used], width[used]


# ------------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DFBMode(Result):
    """One longitudinal DFB mode at threshold.

    Losses (modal power losses, cm^-1; the vocabulary of :class:`cavity.lasing.threshold.Threshold`,
    docs/theory.md s.3.5): ``modal_gain = internal_loss + outcoupling_loss`` is the total loss
    the gain pays at threshold, and ``outcoupling_loss = edge_loss + radiation_loss`` is the light
    leaving the grating, through its two ends and out of its surface.

    Attributes
    ----------
    wavelength : float            lasing wavelength (nm)
    material_gain : float         threshold material gain g_th of the gain layers (cm^-1)
    modal_gain : float            ``Gamma_bar g_th`` (cm^-1), Gamma_bar the sections' confinements
                                  weighted by the mode's index-weighted field energy in each section
                                  (:func:`cavity.lasing.threshold.mode_energy_weights`): the total
                                  loss the gain pays
    internal_loss : float         absorption: the sections' passive modal losses with the same
                                  weights (cm^-1), radiation not included
    outcoupling_loss : float      ``modal_gain - internal_loss`` (cm^-1): the light leaving the
                                  grating, through the ends (facets, the grating's own feedback
                                  losses) and out of the surface (``radiation_loss``).  These three
                                  are first-order (energy) estimates; ``material_gain`` (from the
                                  pole) is exact.
    detuning : float              ``wavelength - bragg_wavelength`` (nm)
    current_density : float       J_th (A/cm^2) with a gain model, ``inf`` if out of reach, NaN without
    converged : bool
    iterations : int
    residual : float              relative residual |D| / (sum of the moduli of its terms) of the
                                  characteristic function at the solution
    radiation_loss : float        surface-emission (radiation) power loss of this mode (cm^-1, modal),
                                  part of ``outcoupling_loss``: without ``radiation="coupled_wave"``
                                  the grating's user-given ``radiation_loss`` (0 by default, as for
                                  order 1); with it, computed from the mode's own near field,
                                  ``(a_up + a_down) int n|a|^2 / int n|E|^2`` (docs/dfb.md s.3),
                                  plus any user-given extra
    fraction_up : float           fraction of the radiated power going to the cover side (0 for order
                                  1; NaN when not computed: order >= 2 without ``"coupled_wave"``)
    fraction_down : float         fraction going to the substrate side (same)
    edge_loss : float             power leaving through both grating ends per stored energy (cm^-1),
                                  from the mode's fields (``"coupled_wave"`` only; NaN otherwise,
                                  where ``outcoupling_loss - radiation_loss`` is the ends' share).
                                  Energy balance: ``outcoupling_loss = edge_loss + radiation_loss``
                                  to the accuracy of the envelope approximation when the grating
                                  layer does not absorb (docs/dfb.md s.3-4).
    """

    wavelength: float
    material_gain: float
    modal_gain: float
    internal_loss: float
    outcoupling_loss: float
    detuning: float
    current_density: float
    converged: bool
    iterations: int
    residual: float
    radiation_loss: float = 0.0
    fraction_up: float = 0.0
    fraction_down: float = 0.0
    edge_loss: float = math.nan


@dataclass(frozen=True)
class DFBModes(ModeSequence):
    """The threshold modes of a DFB grating, lowest threshold first.

    Attributes
    ----------
    modes : tuple of DFBMode       sorted by material gain
    side_mode_margin : float       material-gain gap (cm^-1) between the two lowest modes
    stopband : (float, float)      Bloch stopband edges (nm) of the passive grating (``(nan, nan)``
                                   if the grating has no index step)
    bragg_wavelength : float       nm
    period : float                 nm
    length : float                 nm
    periods : int
    coupling_coefficient : float   kappa (cm^-1), rectangular-grating formula with the Delta n_eff
    kappa_L : float
    group_index : float
    n_eff : (complex, complex)     passive n_eff of tooth and groove at the Bragg wavelength
    confinement : (float, float)   Gamma of tooth and groove
    limitations : str              what the 1D effective-index model leaves out
    sections : GratingSections     the effective-index tables behind the 1D model
    count : int                    threshold modes the searched window holds below ``max_gain``
                                   (winding number, :mod:`cavity.lasing.modesearch`)
    complete : bool                every counted mode was found
    max_gain : float               gain limit of the search (cm^-1): the requested one, or the
                                   precision limit of the grating when lower
    radiative : RadiativeCoupling or None
                                   the second-order constants (zeta, kappa_2, up/down) with
                                   ``radiation="coupled_wave"``; :meth:`RadiativeCoupling.band_edges`
                                   gives the infinite grating's band-edge modes
    grating : DFBGrating           the grating solved
    """

    modes: tuple
    side_mode_margin: float
    stopband: tuple
    bragg_wavelength: float
    period: float
    length: float
    periods: int
    coupling_coefficient: float
    kappa_L: float
    group_index: float
    n_eff: tuple
    confinement: tuple
    limitations: str
    sections: GratingSections = field(repr=False)
    count: int = 0
    complete: bool = True
    max_gain: float = math.inf
    radiative: RadiativeCoupling | None = None
    grating: DFBGrating | None = field(default=None, repr=False)


    @property
    def stopband_width(self) -> float:
        return float(self.stopband[1] - self.stopband[0])


# ------------------------------------------------------------------------------------------------
# Bloch stopband
# ------------------------------------------------------------------------------------------------
def _half_trace(lam, sec: GratingSections, D):
    """``Tr(T_period)/2`` of one period with the real parts of n_eff (Bloch: cos(K Lambda));
    ``lam`` scalar or array (nm)."""
    lam = np.asarray(lam, dtype=np.float64)
    na = np.interp(lam, sec.lam_tab, sec.n_eff[0].real)
    nb = np.interp(lam, sec.lam_tab, sec.n_eff[1].real)
    k0 = 2 * np.pi / lam
    pa = k0 * na * D * sec.period
    pb = k0 * nb * (1 - D) * sec.period
    return np.cos(pa) * np.cos(pb) - 0.5 * (na / nb + nb / na) * np.sin(pa) * np.sin(pb)


def _stopband(sec: GratingSections, D, order):
    sign = (-1) ** order
    h = lambda lam: float(sign * _half_trace(lam, sec, D) - 1.0)
    lam_b = sec.bragg_wavelength
    grid = np.linspace(sec.lam_tab[0], sec.lam_tab[-1], 4001)
    vals = sign * _half_trace(grid, sec, D) - 1.0
    inside = vals > 0
    if not np.any(inside):
        return (math.nan, math.nan)
    idx = np.nonzero(inside)[0]
    # the band containing (or nearest to) the Bragg wavelength
    i0 = idx[np.argmin(np.abs(grid[idx] - lam_b))]
    a = i0
    while a > 0 and inside[a - 1]:
        a -= 1
    b = i0
    while b < grid.size - 1 and inside[b + 1]:
        b += 1
    lo = brentq(h, grid[a - 1], grid[a], xtol=1e-12) if a > 0 else grid[0]
    hi = brentq(h, grid[b], grid[b + 1], xtol=1e-12) if b < grid.size - 1 else grid[-1]
    return (float(lo), float(hi))


# ------------------------------------------------------------------------------------------------
# thresholds
# ------------------------------------------------------------------------------------------------
def _seeds(grating: DFBGrating, sec: GratingSections, length, count):
    """(lambda, g) starts from coupled-mode theory (facet-free)."""
    D = grating.duty_cycle
    gam = D * sec.confinement[0] + (1 - D) * sec.confinement[1]
    n_b = sec.n_at(sec.bragg_wavelength)
    alpha_i = (4 * math.pi / (sec.bragg_wavelength * NM_TO_CM)) * (D * n_b[0].imag + (1 - D) * n_b[1].imag)
    L_cm = length * NM_TO_CM
    kL = sec.coupling_coefficient * L_cm
    starts = []
    if kL > 1e-6 and gam > 0:
        shifts = _shifts_of(grating)
        try:
            cm_modes = coupled_mode_threshold(min(kL, 29.0), "index", modes=count, grating_order=grating.order,
                                              phase_shift=shifts[0] if shifts else None)
        except (RuntimeError, ValueError):
            cm_modes = ()
        for md in cm_modes:
            delta = md.delta_L / L_cm
            lam_b_cm = sec.bragg_wavelength * NM_TO_CM
            lam = sec.bragg_wavelength - delta * lam_b_cm ** 2 / (2 * math.pi * sec.group_index) / NM_TO_CM
            g = (2 * md.alpha_L / L_cm + alpha_i) / gam
            starts.append((lam, g))
    return starts, gam, alpha_i


#: largest log-norm of a repeated-cell transfer for which the periodic field sums are used: forward
#: propagation amplifies round-off in a growing (stopband) direction by up to exp(2 x this)
_PERIODIC_GROWTH_LIMIT = 12.0


def _mode_weights(problem: PoleProblem, mp: ModeProblem, lam: float, g: float):
    """``(Gamma_bar, alpha_i)`` of a mode at threshold: the sections' confinements and passive
    modal losses weighted by the mode's index-weighted field energy in each section.

    The energy per section type comes from the periodic sums of
    :func:`cavity.lasing._count_kernels.row_field_integrals` (log N matrix products for N periods); deep in
    a strong stopband, where those sums lose digits, from the per-section closed forms of
    :func:`cavity.lasing.threshold.mode_energy_weights`."""
    U = mp.n_tab.shape[0]
    rows = np.zeros(U)
    growth = CK.row_field_integrals(lam, g, *mp.args[:9], rows)
    if growth <= _PERIODIC_GROWTH_LIMIT and np.all(np.isfinite(rows)):
        n_gain = np.empty(U, np.complex128)
        n_pass = np.empty(U, np.complex128)
        CK.media_at(lam, g, mp.lam_tab, mp.n_tab, mp.gain_tab, mp.mask, n_gain)
        CK.media_at(lam, 0.0, mp.lam_tab, mp.n_tab, mp.gain_tab, mp.mask, n_pass)
        w = np.abs(n_gain.real) * rows
        alpha = 4 * math.pi * n_pass.imag / (lam * NM_TO_CM)
        mask = mp.mask
    else:
        w, _, _, n_pass = mode_energy_weights(problem, lam, g)
        alpha = 4 * math.pi * n_pass.imag / (lam * NM_TO_CM)
        mask = problem.mask
    w_sum = w.sum()
    return float((mask * w).sum() / w_sum), float((w * alpha).sum() / w_sum)


#: default gain limit of the DFB search (cm^-1): four times the saturated 1S material gain of
#: dense CQD films (docs/modes.md s.3)
DFB_MAX_GAIN = 1e4


def _host_of(stack, gain_model):
    return gain_model.host_stack(stack) if stack.gain_layer_indices else stack


def _plain_radiation(grating: DFBGrating) -> tuple:
    """``(radiation_loss, fraction_up, fraction_down, edge_loss)`` of a mode of the plain 1D model:
    the user-given radiation loss (0 by default), its split only known for order 1 (nothing
    radiates), no field-based edge loss."""
    if grating.order == 1:
        return (grating.radiation_loss, 0.0, 0.0, math.nan)
    return (grating.radiation_loss, math.nan, math.nan, math.nan)


def dfb_threshold(grating: DFBGrating, *, modes: int | None = None, gain_model: QDGainModel | None = None,
                  max_gain: float | None = None) -> DFBModes:
    """Every lasing threshold of a DFB grating in its window: wavelength, material gain, J_th.

    Parameters
    ----------
    grating : DFBGrating
    modes : int, optional
        Report only the lowest ``modes`` modes in ``.modes`` (all are searched and counted;
        ``side_mode_margin`` comes from the complete set).  Default: every mode found.
    gain_model : cavity.QDGainModel, optional
        Converts each threshold gain to a current density, ``J_th = model.current_for_gain(g_th,
        lambda_th)`` (the mode is much narrower than the gain spectrum), with the dot areal density
        of the grating's QD film (period average of its thickness, ``QDGainModel.for_film_thickness``).
    max_gain : float, optional
        Largest material gain searched (cm^-1), default :data:`DFB_MAX_GAIN`.

    Returns
    -------
    DFBModes
        With ``count`` (modes the window holds below ``max_gain``) and ``complete``.

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming the parameter); a section that does not guide the requested mode;
        no mode below ``max_gain`` in the window.

    Notes
    -----
    The thresholds are the zeros of the characteristic function of the 1D section stack (module
    notes) in ``window x (-max_gain, max_gain]``, counted by its winding number and each found
    by subdivision and Newton (:mod:`cavity.lasing.modesearch`, docs/modes.md s.2); the repeated
    periods are raised to their power by repeated squaring.  Coupled-mode estimates seed the
    Newton iterations (they only save time).
    """
    if not isinstance(grating, DFBGrating):
        raise TypeError(f"grating must be a cavity.DFBGrating, got {grating!r}")
    if modes is not None:
        if isinstance(modes, bool) or not isinstance(modes, numbers.Integral):
            raise TypeError(f"modes must be an integer >= 1, got {modes!r}")
        if modes < 1:
            raise ValueError(f"modes must be an integer >= 1, got {modes!r}")
    gmax = DFB_MAX_GAIN if max_gain is None else _positive(max_gain, "max_gain", "cm^-1")
    if gain_model is not None:
        from ..gain.model import QDGainModel
        if not isinstance(gain_model, QDGainModel):
            raise TypeError(f"gain_model must be a cavity.QDGainModel, got {gain_model!r}")
    if gain_model is not None:
        # a measured film's k holds the unpumped absorption the model adds: replaced (docs/gain.md s.3)
        grating = replace(grating, tooth=_host_of(grating.tooth, gain_model), groove=_host_of(grating.groove, gain_model))
    sec = grating_sections(grating)
    if sec.confinement[0] <= 0 and sec.confinement[1] <= 0:
        raise ValueError("neither grating section has a layer marked gain=True (the QD film)")
    rc = lay = None
    if grating.radiation is GratingRadiation.COUPLED_WAVE:
        rc = radiative_coupling(grating.tooth, grating.groove, sec.bragg_wavelength, sec.period, grating.duty_cycle,
                                section_indices=sec.n_at)
        problem, mp, length, n_periods, lay = _problem_radiative(grating, sec, rc.added_to_1d)
    else:
        problem, mp, length, n_periods = _problem(grating, sec)
    t_lo, t_hi = problem.window
    edge = 0.02 * (t_hi - t_lo)
    lo, hi = t_lo + edge, t_hi - edge
    seeds, gam, alpha_i = _seeds(grating, sec, length, 6)
    gmax = capped_gain(mp, gmax, max_gain is not None)
    g_lo = 0.0 if mp.has_gain_media else -gmax
    lam_b = sec.bragg_wavelength
    zs = find_zeros(mp, 0, (lo, hi, g_lo, gmax), x_step=mp.fsr(lam_b) / 16.0,
                    seeds=[(lam, g) for lam, g in seeds if g_lo < g < gmax])
    found = sorted((z for z in zs.zeros if z.y > 0), key=lambda z: z.y)
    if not found:
        state = "complete" if zs.complete else "INCOMPLETE"
        raise ValueError(f"no DFB mode reaches threshold within {lo:.2f}-{hi:.2f} nm below max_gain={gmax:g} cm^-1 "
                         f"(the window holds {zs.count} mode(s), search {state})")
    D = grating.duty_cycle
    film_model = None
    if gain_model is not None:
        # the dots per unit area of the patterned film: the period average of its thickness
        film = sum(w * sum(s.layers[i].thickness for i in s.gain_layer_indices)
                   for w, s in ((D, grating.tooth), (1.0 - D, grating.groove)))
        from ..gain.model import recorded_film_geometry

        geometry = recorded_film_geometry(grating.tooth, grating.groove)  # the film's dots (docs/gain.md s.8)
        film_model = (gain_model.for_film_thickness(film, "the grating's QD film", geometry=geometry) if film > 0
                      else gain_model)
    out = []
    for z in found:
        lam, g = z.x, z.y
        # energy-weighted over the sections with the mode's own longitudinal field
        if rc is not None:
            assert lay is not None
            gam_mode, a_i, a_rad, a_edge, _, _ = _radiative_mode(grating, sec, lay, rc, lam, g)
        else:
            gam_mode, a_i = _mode_weights(problem, mp, lam, g)
        jth = math.nan
        if film_model is not None:
            try:
                jth = float(film_model.current_for_gain(g, lam))
            except ValueError:
                jth = math.inf
        # the sections' tables carry the user-given radiation_loss (a uniform Im n_eff, so it adds
        # exactly itself to the energy-weighted loss): it is light leaving, not absorption
        a_i -= grating.radiation_loss
        if rc is not None:
            a_rad += grating.radiation_loss
            out.append(DFBMode(float(lam), float(g), gam_mode * g, a_i, gam_mode * g - a_i,
                               float(lam - lam_b), jth, True, int(z.iterations), float(z.residual),
                               a_rad, rc.fraction_up, rc.fraction_down, a_edge))
            continue
        out.append(DFBMode(float(lam), float(g), gam_mode * g, a_i, gam_mode * g - a_i,
                           float(lam - lam_b), jth, True, int(z.iterations), float(z.residual),
                           *_plain_radiation(grating)))
        if modes is not None and len(out) >= max(modes, 2):
            break
    margin = out[1].material_gain - out[0].material_gain if len(out) > 1 else math.inf
    if modes is not None:
        out = out[:modes]
    stop = _stopband(sec, D, grating.order)
    n_b = sec.n_at(lam_b)
    return DFBModes(tuple(out), float(margin), stop, lam_b, sec.period, length, n_periods,
                    sec.coupling_coefficient, sec.coupling_coefficient * length * NM_TO_CM, sec.group_index,
                    (complex(n_b[0]), complex(n_b[1])), sec.confinement, grating.limitations, sec,
                    int(zs.count), bool(zs.complete), float(gmax), rc, grating)


# ------------------------------------------------------------------------------------------------
# surface emission: near and far field (docs/dfb.md s.5)
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SurfaceEmission(Result):
    """Near field of the surface emission of one mode of a second-order grating.

    Attributes
    ----------
    position : ndarray        centre of each grating period (nm) from the grating centre
    amplitude : ndarray       complex near-field amplitude ``a(z)`` (the slowly varying part of
                              ``(f(z) - D) E(z)`` over each period divided by ``sin(pi D)/pi``, i.e.
                              ``R + S`` for a tooth-centred grating), normalised to ``max |a| = 1``
    intensity : ndarray       ``|amplitude|^2``
    wavelength : float        nm
    radiation_loss : float    cm^-1, as in :class:`DFBMode`
    fraction_up, fraction_down : float
    """

    position: np.ndarray
    amplitude: np.ndarray
    intensity: np.ndarray
    wavelength: float
    radiation_loss: float
    fraction_up: float
    fraction_down: float


@dataclass(frozen=True)
class FarField(Result):
    """Far-field intensity of the surface emission versus the angle from the surface normal.

    Attributes
    ----------
    angle : ndarray         degrees, in the plane of the grating vector, in the chosen medium
    intensity : ndarray     normalised to its maximum
    divergence : float      full width (degrees) between the outermost half-maximum points
    """

    angle: np.ndarray
    intensity: np.ndarray
    divergence: float


def surface_emission(result: DFBModes, mode: int = 0) -> SurfaceEmission:
    """Near field of the surface emission of ``result.modes[mode]`` along the grating.

    Parameters
    ----------
    result : DFBModes
        From :func:`dfb_threshold` of a grating with ``radiation="coupled_wave"``.
    mode : int, default 0
        Index into ``result.modes`` (0: the lowest threshold).

    Returns
    -------
    SurfaceEmission

    Notes
    -----
    The radiated field is driven by the first Fourier harmonic of the grating times the guided
    field, ``eps_{-1} R + eps_1 S`` (docs/dfb.md s.5): its slowly varying part over each period.
    The up and down beams have the same profile (the stack's response is flat over the angles of
    a long grating).
    """
    if not isinstance(result, DFBModes):
        raise TypeError(f"result must be a DFBModes from dfb_threshold, got {type(result).__name__}")
    if result.radiative is None or result.grating is None:
        raise ValueError("result has no computed surface emission: solve the grating with radiation='coupled_wave'")
    if isinstance(mode, bool) or not isinstance(mode, numbers.Integral) or not 0 <= mode < len(result.modes):
        raise ValueError(f"mode must be an index in [0, {len(result.modes) - 1}], got {mode!r}")
    grating, sec, rc = result.grating, result.sections, result.radiative
    md = result.modes[mode]
    _, _, _, _, lay = _problem_radiative(grating, sec, rc.added_to_1d)
    _, _, _, _, near, width = _radiative_mode(grating, sec, lay, rc, md.wavelength, md.material_gain)
    pos = np.cumsum(width) - 0.5 * width
    pos = pos - 0.5 * float(np.sum(width))
    amp = near / near[np.argmax(np.abs(near))]
    for a in (pos, amp):
        a.setflags(write=False)
    inten = np.abs(amp) ** 2
    inten.setflags(write=False)
    return SurfaceEmission(pos, amp, inten, md.wavelength, md.radiation_loss, md.fraction_up, md.fraction_down)


def far_field(emission: SurfaceEmission, angles: ArrayLike | None = None, *, medium_index: float = 1.0) -> FarField:
    """Far field of a surface-emitted beam: the Fourier transform of its near field.

    Parameters
    ----------
    emission : SurfaceEmission
    angles : array of float, optional
        Angles from the normal (degrees) in the output medium; default 2001 points over
        ``+- 10 lambda / (n L)`` (at most 90 degrees).
    medium_index : float, default 1.0
        Index of the medium the beam leaves into (air above; the substrate's index below).

    Returns
    -------
    FarField

    Notes
    -----
    ``E(theta) ~ sum_k a_k w_k exp(-i k0 n sin(theta) z_k)`` (Fraunhofer, one period per sample);
    the obliquity and the stack's angular response are ~1 over the small angles of a long grating.
    """
    if not isinstance(emission, SurfaceEmission):
        raise TypeError(f"emission must be a SurfaceEmission, got {type(emission).__name__}")
    n = _positive(medium_index, "medium_index", "")
    z = np.asarray(emission.position)
    length = float(z[-1] - z[0]) + (z[1] - z[0] if z.size > 1 else 1.0)
    if angles is None:
        half = min(90.0, math.degrees(10.0 * emission.wavelength / (n * length)))
        angles = np.linspace(-half, half, 2001)
    ang = np.asarray(angles, dtype=np.float64)
    if ang.ndim != 1 or ang.size < 3 or not np.all(np.isfinite(ang)) or np.any(np.abs(ang) > 90):
        raise ValueError(f"angles must be a 1D array of at least 3 finite angles within +-90 degrees, got {angles!r}")
    w = np.gradient(z) if z.size > 1 else np.ones(1)
    k = 2 * math.pi * n / emission.wavelength * np.sin(np.radians(ang))
    field_ = (emission.amplitude * w)[None, :] * np.exp(-1j * k[:, None] * z[None, :])
    inten = np.abs(field_.sum(axis=1)) ** 2
    inten = inten / inten.max()
    above = np.nonzero(inten >= 0.5)[0]
    div = float(ang[above[-1]] - ang[above[0]]) if above.size else math.nan
    ang.setflags(write=False)
    inten.setflags(write=False)
    return FarField(ang, inten, div)


# ------------------------------------------------------------------------------------------------
# Design search
# ------------------------------------------------------------------------------------------------
class DFBEvaluator:
    """Evaluates :class:`DFBGrating` designs for :func:`cavity.optimize` (the protocols
    :class:`cavity.design.evaluators.Evaluator`, ``SideModeEvaluator`` and ``ReportingEvaluator``):
    the lowest-threshold mode of each grating from the complete mode search (:func:`dfb_threshold`).

    The search finds it through ``cavity.design.evaluators.BUILTIN_EVALUATORS`` (by import path,
    loaded when a search first needs it); this module registers nothing when it is imported."""

    def thresholds(self, objects: Sequence[DFBGrating], settings: ThresholdSettings) -> BatchThresholds:
        """Lowest-threshold mode (wavelength, material gain, converged) of each grating."""
        from ..design.evaluators import BatchThresholds

        D = len(objects)
        lam = np.full(D, np.nan)
        g = np.full(D, np.nan)
        ok = np.zeros(D, bool)
        for i, grating in enumerate(objects):
            try:
                res = dfb_threshold(grating, modes=1)
            except ValueError:
                continue  # e.g. a section that guides no mode: not converged
            if len(res.modes):
                lam[i], g[i], ok[i] = res.modes[0].wavelength, res.modes[0].material_gain, res.modes[0].converged
        return BatchThresholds(lam, g, ok)

    def side_mode_margins(self, objects: Sequence[DFBGrating], settings: ThresholdSettings, half_width: float,
                          wavelengths: NDArray[np.float64]) -> NDArray[np.float64]:
        """Material-gain gap (cm^-1) between the two lowest modes of each grating (``-inf`` where
        the search fails); the grating's own window replaces ``half_width`` and ``wavelengths``."""
        out = np.empty(len(objects))
        for i, grating in enumerate(objects):
            try:
                out[i] = dfb_threshold(grating, modes=2).side_mode_margin
            except ValueError:
                out[i] = -math.inf
        return out

    def report(self, obj: DFBGrating, settings: ThresholdSettings) -> DFBModes:
        """The four lowest modes of one grating, with J_th from ``settings.gain_model``."""
        return dfb_threshold(obj, modes=4, gain_model=settings.gain_model)

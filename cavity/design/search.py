"""Design search: a named design space, threshold objectives with constraints, and a resumable DE.

A :class:`DesignSpace` pairs a user *build function* (keyword parameters -> a cavity object, e.g.
a :class:`~cavity.Stack`) with named parameters: :class:`Continuous` (nm, ...), :class:`Integer`
(mirror pairs) and :class:`Choice` (any objects, e.g. materials).  :func:`optimize` minimises an
:class:`Objective` (threshold current density by default, or threshold material gain) or any
callable, subject to :class:`Constraint` objects, by differential evolution followed by a local
polish, and returns a :class:`DesignResult`.

Scores (what is minimised)
--------------------------
* ``Objective.THRESHOLD_CURRENT``: ``J_th`` (A/cm^2) of the mode the batched pole search finds
  nearest ``near`` (:func:`cavity.lasing.population.threshold_population`), converted from the
  threshold material gain ``g_th`` at the lasing wavelength through the (optionally heated) gain
  model, tabulated once per run on a (log J, lambda) grid.  This is exact up to the table's
  interpolation (relative error ~1e-4) when the cavity mode is much narrower than the gain band;
  the final report of the best design uses the exact dispersive :func:`cavity.threshold_current`.
  A design that cannot reach threshold (``g_th`` above the largest gain the film gives below
  ``J_cap``, or past the thermal rollover) scores
  ``J_cap * (1 + ln(1 + shortfall / g_peak))`` with ``shortfall = g_th - g_avail(lambda)``
  (cm^-1) and ``g_peak`` the peak saturated gain: worse than every reachable design, monotone and
  smooth in the shortfall, so the search can climb towards reachable designs.
  With ``thermal=ThermalFromStack(...)`` (or any callable ``design -> ThermalModel``) each design
  has its own ``V(J)`` and QD-film ``dT(J)`` from its layers (docs/device.md): the cold table is
  heated design by design, ``g(J, lambda, dT) = exp(-dT/T0) g(J, lambda - s dT, 0)`` with the
  design's ``dT(J)`` on the table's J grid, currents above ``MAX_TEMPERATURE_RISE_K`` = 300 K
  are not tried, and :class:`ThermalLimit` and :class:`MaxVoltage` read the design's own
  ``dT(J_th)`` and ``V(J_th)``.  The search's cavity stays at its cold indices; the report of the
  best design adds the thermo-optic shift.
* ``Objective.THRESHOLD_GAIN``: ``g_th`` (cm^-1).
* A callable ``f(objects, parameters) -> scores`` (lists of built objects and parameter dicts,
  one score per design, lower is better); wrap a one-design function with :func:`per_design`.

A design whose threshold search does not converge is infeasible with score ``inf`` and the
violation ``NOT_CONVERGED_BASE + |Re lambda_p - near| + Im lambda_p`` (nm) when its passive pole
``lambda_p`` was found (so the search can climb towards designs with a sharp mode near the design
wavelength), :data:`NOT_CONVERGED` otherwise.

Constraints (feasibility rules)
-------------------------------
Each constraint returns a violation >= 0 in its natural unit (nm, cm^-1, K, V); the violations of a
design are summed.  Designs are compared by Deb's feasibility rules (K. Deb, Comput. Methods
Appl. Mech. Eng. 186, 311 (2000); used with DE by Lampinen 2002): a feasible design beats an
infeasible one, two infeasible designs compare by total violation, two feasible ones by score.
No penalty weight has to be tuned against the objective's scale.

Why our own differential evolution
----------------------------------
``scipy.optimize.differential_evolution`` evaluates whole populations (``vectorized=True``),
handles ``integrality`` and takes a seed, but its state (population, energies, random generator)
is private: checkpointing it and resuming so that the run *ends exactly where an uninterrupted
run would*, or returning the population after Ctrl-C, would depend on private attributes of
``DifferentialEvolutionSolver``.  The DE here is small (best/1/bin or rand/1/bin, dithered
mutation, deferred updating, scipy's convergence test); its whole state -- population, scores,
violations, generation, the ``numpy.random.Generator`` bit-generator state, the history and the
archive of every evaluated design -- is plain data, saved to a checkpoint directory (JSON and
numpy arrays with SHA-256 checksums, the archive appended in chunks; never a pickle).  A resume
is refused, naming the difference, unless the whole problem is the same: the state is stored
with a fingerprint of everything that changes a score (space, build function and its source,
fixed arguments, objective, ``near``, ``search_width``, gain and thermal models, constraints,
``current_range``, evaluators, seed and DE settings).

Units and signs: :mod:`cavity.conventions`.
"""
from __future__ import annotations

import dataclasses
import enum
import itertools
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .._validation import require_scalar_finite
from ..layers import Stack
from ..results import Result, to_jsonable

__all__ = [
    "Continuous",
    "Integer",
    "Choice",
    "DesignSpace",
    "Objective",
    "per_design",
    "Constraint",
    "WavelengthWindow",
    "TotalThickness",
    "LayerThickness",
    "SideModeMargin",
    "ThermalLimit",
    "MaxVoltage",
    "ThermalFromStack",
    "BatchThresholds",
    "ThresholdSettings",
    "StackEvaluator",
    "register_evaluator",
    "evaluator_for",
    "GenerationRecord",
    "Archive",
    "DesignResult",
    "optimize",
    "evaluate_designs",
    "NOT_CONVERGED",
    "NOT_CONVERGED_BASE",
    "UNREACHABLE_VIOLATION",
]

#: violation given to a design whose threshold search did not converge
NOT_CONVERGED = 1e30
#: Base violation of a design with a passive mode but no threshold in the search window (plus the
#: mode's distance from ``near`` in nm): worse than any converged design's constraint violations.
NOT_CONVERGED_BASE = 1e6
#: Violation that :class:`ThermalLimit` and :class:`MaxVoltage` give a design that never reaches
#: threshold (J_th beyond ``J_cap``, the thermal rollover or the 300 K limit): its heating and
#: voltage at threshold cannot meet any limit.  More than any reachable design's excess (K, V),
#: less than :data:`NOT_CONVERGED_BASE`; equal for all unreachable designs, so that they still
#: rank by their score (the gain shortfall) and the search climbs towards reachable designs.
UNREACHABLE_VIOLATION = 1e5
_CHECKPOINT_VERSION = 2


# ================================================================================================
# Parameters and the design space
# ================================================================================================
@dataclass(frozen=True)
class Continuous:
    """A real parameter in ``[low, high]`` (e.g. a thickness in nm)."""

    low: float
    high: float

    def __post_init__(self):
        lo = require_scalar_finite(self.low, "Continuous low")
        hi = require_scalar_finite(self.high, "Continuous high")
        if not lo < hi:
            raise ValueError(f"Continuous needs low < high, got low={self.low!r}, high={self.high!r}")
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)

    def _bounds(self):
        return self.low, self.high

    def _decode(self, x):
        return float(x)

    def _encode(self, value, name):
        v = require_scalar_finite(value, name)
        if not self.low <= v <= self.high:
            raise ValueError(f"parameter {name!r} must lie in [{self.low}, {self.high}], got {value!r}")
        return v


@dataclass(frozen=True)
class Integer:
    """An integer parameter in ``[low, high]`` (both included), e.g. DBR pairs."""

    low: int
    high: int

    def __post_init__(self):
        for what, v in (("low", self.low), ("high", self.high)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"Integer {what} must be an int, got {v!r}")
        if not self.low <= self.high:
            raise ValueError(f"Integer needs low <= high, got low={self.low!r}, high={self.high!r}")
        object.__setattr__(self, "low", int(self.low))
        object.__setattr__(self, "high", int(self.high))

    def _bounds(self):
        return float(self.low), float(self.high)

    def _decode(self, x):
        return int(round(x))

    def _encode(self, value, name):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"parameter {name!r} must be an int, got {value!r}")
        if not self.low <= value <= self.high:
            raise ValueError(f"parameter {name!r} must lie in [{self.low}, {self.high}], got {value!r}")
        return float(value)


@dataclass(frozen=True)
class Choice:
    """One of several objects (materials, mirror designs, ...); the build function receives the object."""

    options: tuple

    def __post_init__(self):
        if isinstance(self.options, (str, bytes)):
            raise TypeError(f"Choice options must be a sequence of objects, got the string {self.options!r}")
        opts = tuple(self.options)
        if not opts:
            raise ValueError("Choice needs at least one option")
        object.__setattr__(self, "options", opts)

    def _bounds(self):
        return 0.0, float(len(self.options) - 1)

    def _decode(self, x):
        return self.options[int(round(x))]

    def _encode(self, value, name):
        for i, opt in enumerate(self.options):
            if opt is value or opt == value:
                return float(i)
        raise ValueError(f"parameter {name!r} must be one of {list(self.options)!r}, got {value!r}")


_PARAMETER_TYPES = (Continuous, Integer, Choice)


class DesignSpace:
    """Named parameters and the function that builds one design from them.

    Parameters
    ----------
    build : callable
        ``build(**parameters)`` returns one design: a :class:`~cavity.Stack` or any object with a
        registered evaluator (:func:`register_evaluator`).  It must be a module-level function
        (picklable) when ``optimize`` runs with process or Dask workers.
    parameters : mapping of str to Continuous, Integer or Choice
        The free parameters, passed to ``build`` by name.
    fixed : mapping of str to object, optional
        Further keyword arguments passed unchanged to ``build``.

    Examples
    --------
    >>> import materials as mt
    >>> from cavity import Layer, Stack
    >>> def build(t, glass):
    ...     return Stack.of(Layer(mt.Constant(2.0), t), substrate=glass)
    >>> space = DesignSpace(build, {"t": Continuous(50.0, 150.0),
    ...                             "glass": Choice((mt.Constant(1.5), mt.Constant(1.6)))})
    >>> space.names
    ('t', 'glass')
    """

    def __init__(self, build: Callable[..., Any], parameters: Mapping[str, Any], *, fixed: Mapping[str, Any] | None = None):
        if not callable(build):
            raise TypeError(f"build must be a callable taking the parameters as keywords, got {build!r}")
        if not isinstance(parameters, Mapping) or not parameters:
            raise ValueError("parameters must be a non-empty mapping of name -> Continuous/Integer/Choice")
        for name, p in parameters.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise ValueError(f"parameter names must be Python identifiers (build keywords), got {name!r}")
            if not isinstance(p, _PARAMETER_TYPES):
                raise TypeError(f"parameter {name!r} must be Continuous, Integer or Choice, got {p!r}")
        fixed = dict(fixed or {})
        clash = set(fixed) & set(parameters)
        if clash:
            raise ValueError(f"parameter {sorted(clash)[0]!r} is both free and fixed")
        self.build = build
        self.parameters = dict(parameters)
        self.fixed = fixed
        self.names = tuple(parameters)
        b = np.array([p._bounds() for p in parameters.values()], dtype=np.float64)
        self._lower, self._upper = b[:, 0].copy(), b[:, 1].copy()
        self._integral = np.array([not isinstance(p, Continuous) for p in parameters.values()])

    def __repr__(self):
        body = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"DesignSpace({getattr(self.build, '__name__', self.build)!r}, {body})"

    @property
    def dimension(self) -> int:
        return len(self.names)

    def decode(self, x) -> dict:
        """Parameter dict of one internal vector (integers rounded, choices resolved to their objects)."""
        return {name: p._decode(v) for (name, p), v in zip(self.parameters.items(), x)}

    def encode(self, values: Mapping[str, Any]) -> np.ndarray:
        """Internal vector of a complete parameter dict; raises naming any missing or bad parameter."""
        if not isinstance(values, Mapping):
            raise TypeError(f"parameters must be a mapping name -> value, got {values!r}")
        unknown = [k for k in values if k not in self.parameters]
        if unknown:
            raise ValueError(f"unknown parameter {unknown[0]!r}; the space has {list(self.names)}")
        missing = [k for k in self.names if k not in values]
        if missing:
            raise ValueError(f"parameter {missing[0]!r} is missing")
        return np.array([p._encode(values[k], k) for k, p in self.parameters.items()], dtype=np.float64)

    def make(self, parameters: Mapping[str, Any]):
        """Build one design from a parameter dict."""
        return self.build(**self.fixed, **parameters)

    def _make_many(self, X):
        params = [self.decode(x) for x in X]
        objs = []
        for p in params:
            try:
                objs.append(self.build(**self.fixed, **p))
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"build failed for parameters {p!r}: {exc}") from exc
        return objs, params

    def _signature(self):
        sig = []
        for k, p in self.parameters.items():
            if isinstance(p, Choice):
                sig.append((k, "Choice", len(p.options)))
            else:
                sig.append((k, type(p).__name__, p.low, p.high))
        return tuple(sig)


# ================================================================================================
# Objectives, thresholds of a batch, evaluators
# ================================================================================================
class Objective(enum.Enum):
    """Built-in objectives (lower is better)."""

    #: threshold current density J_th (A/cm^2); needs ``gain_model`` and ``near``
    THRESHOLD_CURRENT = "threshold_current"
    #: threshold material gain g_th (cm^-1); needs ``near``
    THRESHOLD_GAIN = "threshold_gain"


class _PerDesign:
    def __init__(self, func):
        self.func = func

    def __call__(self, objects, parameters):
        return np.array([float(self.func(o, p)) for o, p in zip(objects, parameters)])

    def __repr__(self):
        return f"per_design({self.func!r})"


def per_design(func: Callable[[Any, dict], float]) -> Callable:
    """Turn ``func(object, parameters) -> float`` into a batched objective for :func:`optimize`."""
    if not callable(func):
        raise TypeError(f"per_design needs a callable, got {func!r}")
    return _PerDesign(func)


@dataclass(frozen=True, eq=False)
class BatchThresholds(Result):
    """Thresholds of a batch of designs (arrays of length D): lasing wavelength (nm), threshold
    material gain (cm^-1, NaN where not converged), converged flags and, optionally, the passive
    pole (complex nm, NaN where none was found) that grades designs whose threshold search failed."""

    wavelength: np.ndarray
    material_gain: np.ndarray
    converged: np.ndarray
    passive_pole: np.ndarray | None = None


@dataclass(frozen=True)
class ThresholdSettings:
    """What an evaluator needs to know about the search (units: nm, cm^-1).

    ``thermal`` is what the user gave :func:`optimize`: one :class:`cavity.ThermalModel` shared by
    every design, or a per-design model (:class:`ThermalFromStack`, a callable ``design ->
    ThermalModel``).  An evaluator's ``report(obj, settings)`` always receives the settings with
    ``thermal`` resolved to the design's own :class:`cavity.ThermalModel`.
    """

    objective: Objective | None
    near: float
    search_width: float
    gain_model: Any = None
    thermal: Any = None


class StackEvaluator:
    """Evaluates planar stacks.

    With ``complete=True`` (default) each design's threshold is the lowest threshold material gain
    of every mode in ``near +- search_width`` (:func:`cavity.threshold_modes`, the complete, counted
    search: the mode that lases first), as for DFB gratings.  ``complete=False`` is the fast path:
    the mode that batched Newton iterations reach from ``near``
    (:func:`cavity.lasing.population.threshold_population`, ~10x faster, blind to a lower-threshold mode
    elsewhere in the window).  Either way the batched passive pole nearest ``near`` grades designs
    without a threshold (so the search climbs towards a sharp mode).

    Designs with different layer counts or gain layers are grouped, one batched call per group.

    The evaluator protocol (what another cavity type, e.g. a DFB grating, must provide):

    * ``thresholds(objects, settings) -> BatchThresholds`` (required);
    * ``side_mode_margins(objects, settings, half_width, wavelengths) -> ndarray`` (cm^-1; only
      for :class:`SideModeMargin`);
    * ``report(obj, settings)``: the full threshold report of the best design (any object).
    """

    def __init__(self, threads: int | None = None, complete: bool = True):
        self.threads = threads
        if not isinstance(complete, bool):
            raise TypeError(f"complete must be True or False, got {complete!r}")
        self.complete = complete

    def thresholds(self, objects, settings: ThresholdSettings) -> BatchThresholds:
        from ..lasing.population import threshold_population

        D = len(objects)
        lam = np.full(D, np.nan)
        g = np.full(D, np.nan)
        ok = np.zeros(D, bool)
        pole = np.full(D, complex(np.nan, np.nan))
        groups: dict[tuple, list[int]] = {}
        for i, st in enumerate(objects):
            groups.setdefault((len(st), st.gain_layer_indices), []).append(i)
        for idx in groups.values():
            res = threshold_population([objects[i] for i in idx], settings.near, search_width=settings.search_width,
                                       threads=self.threads)
            lam[idx], g[idx], ok[idx] = res.wavelength, res.material_gain, res.converged
            pole[idx] = np.where(res.passive_converged, res.passive_pole, complex(np.nan, np.nan))
        if self.complete:
            from ..lasing.threshold import threshold_modes

            window = (settings.near - settings.search_width, settings.near + settings.search_width)
            for i, st in enumerate(objects):
                try:
                    modes = threshold_modes(st, window).modes
                except ValueError:
                    modes = ()
                if modes:
                    lam[i], g[i], ok[i] = modes[0].wavelength, modes[0].material_gain, modes[0].converged
                else:
                    lam[i], g[i], ok[i] = np.nan, np.nan, False
        return BatchThresholds(lam, g, ok, pole)

    def side_mode_margins(self, objects, settings: ThresholdSettings, half_width: float, wavelengths) -> np.ndarray:
        from ..lasing.threshold import threshold_modes

        out = np.empty(len(objects))
        for i, (st, lam) in enumerate(zip(objects, wavelengths)):
            try:
                modes = threshold_modes(st, (settings.near - half_width, settings.near + half_width)).modes
            except ValueError:
                modes = ()
            if not modes:
                out[i] = -math.inf
                continue
            k = int(np.argmin([abs(m.wavelength - lam) for m in modes]))
            others = [m.material_gain for j, m in enumerate(modes) if j != k]
            out[i] = (min(others) - modes[k].material_gain) if others else math.inf
        return out

    def report(self, obj, settings: ThresholdSettings):
        from ..lasing.current import threshold_current
        from ..lasing.threshold import lasing_threshold

        if settings.objective is Objective.THRESHOLD_CURRENT:
            window = (settings.near - settings.search_width, settings.near + settings.search_width)
            return threshold_current(obj, settings.gain_model, window, thermal=settings.thermal)
        return lasing_threshold(obj, settings.near)


_EVALUATORS: dict[type, Any] = {Stack: StackEvaluator()}


def register_evaluator(cls: type, evaluator) -> None:
    """Let :func:`optimize` evaluate designs of type ``cls`` (and subclasses) with ``evaluator``.

    ``evaluator`` follows the protocol documented in :class:`StackEvaluator`.
    """
    if not isinstance(cls, type):
        raise TypeError(f"cls must be a type, got {cls!r}")
    if not callable(getattr(evaluator, "thresholds", None)):
        raise TypeError(f"evaluator must have a thresholds(objects, settings) method, got {evaluator!r}")
    _EVALUATORS[cls] = evaluator


def evaluator_for(obj, registry=None):
    """The evaluator registered for ``type(obj)`` or its nearest base class."""
    registry = _EVALUATORS if registry is None else registry
    for cls in type(obj).__mro__:
        if cls in registry:
            return registry[cls]
    raise TypeError(f"no evaluator registered for {type(obj).__name__} objects; the build function must return "
                    f"a cavity.Stack or a type passed to cavity.design.register_evaluator")


# ================================================================================================
# Per-design thermal models: V(J) and dT(J) from each design's own layers
# ================================================================================================
def _default_device_stack(design):
    """The stack whose layers carry the current and the heat: the design itself when it is a
    :class:`Stack`; for a grating with ``tooth`` and ``groove`` stacks (:class:`cavity.DFBGrating`)
    its tooth stack (the full, unetched layer sequence; the electrodes and transport layers of a
    grating etched into a layer outside the current path are the same in tooth and groove)."""
    if isinstance(design, Stack):
        return design
    tooth = getattr(design, "tooth", None)
    if isinstance(tooth, Stack):
        return tooth
    raise TypeError(f"ThermalFromStack cannot find the layer stack of a {type(design).__name__} design: give "
                    f"stack_of=<function design -> cavity.Stack>")


@dataclass(frozen=True, init=False)
class ThermalFromStack:
    """A thermal model per design that follows its layers: :meth:`cavity.ThermalModel.from_stack`.

    Pass it as ``thermal=`` to :func:`optimize` or :func:`evaluate_designs`: every design gets
    its own ``V(J)`` (turn-on + the drop of each layer + the lateral spreading of its electrodes
    over the aperture) and QD-film temperature rise ``dT(J)`` (each layer's Joule heat conducted
    through the layers into the substrate), docs/device.md s.1-2.  The J_th objective is then
    taken with the gain heated to the design's own ``dT(J)``, :class:`ThermalLimit` and
    :class:`MaxVoltage` read the design's own ``dT(J_th)`` and ``V(J_th)``, and the report of the
    best design is :func:`cavity.threshold_current` with its own model.

    Parameters
    ----------
    aperture_radius_um : float
        Radius (um) of the current-focusing aperture (the pumped disc).
    duty_cycle : float, default 1.0
        Pulsed operation: time-averaged heating ``duty_cycle`` times the CW one.
    stack_of : callable, optional
        ``design -> cavity.Stack``: the layers that carry the current.  Default: the design when
        it is a :class:`Stack`, the ``tooth`` stack of a grating (:class:`cavity.DFBGrating`).
    merge_slabs : bool, default True
        Merge adjacent insulating layers of one thermal conductivity outside the current path
        into one slab before building the model (exact for the heat model's isotropic slabs, and
        ~5x faster for two 10-pair mirrors of SiO2 and TiO2 or Nb2O5); off when ``electrodes``
        or ``aperture_layer`` are given as layer indices.
    **options
        Passed to :meth:`cavity.ThermalModel.from_stack` (``electrodes``, ``aperture_layer``,
        ``contact_radius_um``, ``heat_sink``, ``sink_thermal_conductivity_W_per_m_K``,
        ``substrate_thickness_um``, ``external_quantum_efficiency``, ``overrides``, ...).

    Notes
    -----
    Calling the object, ``ThermalFromStack(...)(design)``, returns the design's
    :class:`cavity.ThermalModel`.  A design without a conducting path between two electrodes
    (:class:`cavity.device.NoConductingPath`) is infeasible in a search (violation
    :data:`NOT_CONVERGED`); every other error (an unknown material, a bad option) is raised.

    The search scores J_th with the cavity at its cold indices and the gain heated to
    ``dT(J)`` (red shift and weakening of the bands); the report of the best design
    (:func:`cavity.threshold_current`) also heats the cavity (thermo-optic shift), and the
    result's ``message`` says when the two differ.
    """

    aperture_radius_um: float
    duty_cycle: float
    stack_of: Any
    options: tuple
    merge_slabs: bool

    def __init__(self, aperture_radius_um: float, *, duty_cycle: float = 1.0, stack_of=None, merge_slabs: bool = True,
                 **options):
        a = require_scalar_finite(aperture_radius_um, "aperture_radius_um")
        if a <= 0:
            raise ValueError(f"aperture_radius_um must be > 0 um, got {aperture_radius_um!r}")
        d = require_scalar_finite(duty_cycle, "duty_cycle")
        if not 0.0 < d <= 1.0:
            raise ValueError(f"duty_cycle must be in (0, 1], got {duty_cycle!r}")
        if stack_of is not None and not callable(stack_of):
            raise TypeError(f"stack_of must be a callable design -> cavity.Stack, got {stack_of!r}")
        for k in ("stack", "aperture_radius_um", "duty_cycle"):
            if k in options:
                raise TypeError(f"ThermalFromStack got {k!r} among the options")
        object.__setattr__(self, "aperture_radius_um", a)
        object.__setattr__(self, "duty_cycle", d)
        object.__setattr__(self, "stack_of", stack_of)
        if not isinstance(merge_slabs, bool):
            raise TypeError(f"merge_slabs must be True or False, got {merge_slabs!r}")
        if merge_slabs and any(isinstance(options.get(k), int) or (
                k == "electrodes" and any(isinstance(e, int) for e in (options.get(k) or ()))) for k in
                ("electrodes", "aperture_layer")):
            merge_slabs = False  # layer indices given: keep the layers where the indices point
        object.__setattr__(self, "options", tuple(sorted(options.items())))
        object.__setattr__(self, "merge_slabs", merge_slabs)

    def stack(self, design) -> Stack:
        """The layer stack of ``design`` that carries the current (``stack_of``)."""
        st = _default_device_stack(design) if self.stack_of is None else self.stack_of(design)
        if not isinstance(st, Stack):
            raise TypeError(f"stack_of must return a cavity.Stack, got {type(st).__name__}")
        return st

    def __call__(self, design):
        """The :class:`cavity.ThermalModel` of ``design`` (:meth:`cavity.ThermalModel.from_stack`)."""
        from ..gain.thermal import ThermalModel

        options = dict(self.options)
        st = self.stack(design)
        if self.merge_slabs:
            st = _merged_for_heat(st, options.get("overrides"))
        return ThermalModel.from_stack(st, self.aperture_radius_um, duty_cycle=self.duty_cycle, **options)

    def __hash__(self):
        try:
            return hash((self.aperture_radius_um, self.duty_cycle, self.stack_of, self.options, self.merge_slabs))
        except TypeError:  # an unhashable option (an overrides dict): hash what is hashable
            return hash((self.aperture_radius_um, self.duty_cycle, tuple(k for k, _ in self.options)))


def _merged_for_heat(stack: Stack, overrides) -> Stack:
    """``stack`` with each run of adjacent insulating layers of one thermal conductivity merged into
    one layer (outside the current path: before the first and after the last conducting layer).

    Exact for :class:`cavity.device.HeatModel`: its layers are laterally infinite, isotropic slabs
    with no interface resistance, so two adjacent source-free slabs of the same conductivity are
    one slab; insulators outside the electrodes carry no current.  A quarter-wave SiO2/TiO2 mirror
    (both 1.0 W/m/K in the table) becomes one slab, and the heat model costs ~5x less.
    """
    from ..device.properties import ElectricalRole, device_properties
    from ..layers import Layer

    layers = stack.layers
    props = [device_properties(lay.material, overrides=overrides, layer_name=lay.name) for lay in layers]
    conducting = [i for i, p in enumerate(props) if p.role is not ElectricalRole.INSULATOR or layers[i].gain]
    if not conducting:
        return stack
    first, last = conducting[0], conducting[-1]
    out: list = []
    run: list = []

    def flush():
        if len(run) > 1:
            lay = layers[run[0]]
            out.append(Layer(lay.material, float(sum(layers[k].thickness for k in run)), name=lay.name))
        elif run:
            out.append(layers[run[0]])
        run.clear()

    for i, lay in enumerate(layers):
        outside = (i < first or i > last) and props[i].role is ElectricalRole.INSULATOR and not lay.gain
        if outside and run and (run[-1] == i - 1) and (run[-1] < first) == (i < first) and \
                props[run[-1]].thermal_conductivity_W_per_m_K == props[i].thermal_conductivity_W_per_m_K:
            run.append(i)
            continue
        flush()
        if outside:
            run.append(i)
        else:
            out.append(lay)
    flush()
    if len(out) == len(layers):
        return stack
    return dataclasses.replace(stack, layers=tuple(out))


def _is_per_design(thermal) -> bool:
    """A per-design thermal model: ThermalFromStack or a callable ``design -> ThermalModel``
    (a shared model is an object with ``temperature_rise``)."""
    return thermal is not None and not hasattr(thermal, "temperature_rise") and callable(thermal)


# ================================================================================================
# Constraints
# ================================================================================================
class Constraint:
    """Base of the constraints: ``violations(ctx) -> ndarray >= 0`` in the constraint's unit."""

    needs_thresholds = False

    def _check(self, settings: ThresholdSettings | None):
        if self.needs_thresholds and settings is None:
            raise ValueError(f"{type(self).__name__} needs the thresholds: give optimize near=<wavelength in nm>")


@dataclass(frozen=True)
class WavelengthWindow(Constraint):
    """The lasing wavelength must lie in ``[low, high]`` (nm); violation: distance outside (nm)."""

    low: float
    high: float
    needs_thresholds = True

    def __post_init__(self):
        lo = require_scalar_finite(self.low, "WavelengthWindow low")
        hi = require_scalar_finite(self.high, "WavelengthWindow high")
        if not 0 < lo < hi:
            raise ValueError(f"WavelengthWindow needs 0 < low < high (nm), got low={self.low!r}, high={self.high!r}")

    def violations(self, ctx):
        lam = np.nan_to_num(ctx.wavelength, nan=0.5 * (self.low + self.high))
        return np.maximum(self.low - lam, 0.0) + np.maximum(lam - self.high, 0.0)


def _total_thickness(obj):
    t = getattr(obj, "total_thickness", None)
    if t is None:
        raise TypeError(f"TotalThickness needs designs with a total_thickness (nm), got {type(obj).__name__}")
    return float(t)


@dataclass(frozen=True)
class TotalThickness(Constraint):
    """Total thickness of the design's layers at most ``maximum`` (nm); violation: excess (nm)."""

    maximum: float

    def __post_init__(self):
        if require_scalar_finite(self.maximum, "TotalThickness maximum") <= 0:
            raise ValueError(f"TotalThickness maximum must be > 0 nm, got {self.maximum!r}")

    def violations(self, ctx):
        return np.array([max(_total_thickness(o) - self.maximum, 0.0) for o in ctx.objects])


@dataclass(frozen=True)
class LayerThickness(Constraint):
    """Every layer labelled ``label`` (``Layer.name``, else the material name) must be
    ``minimum <= thickness <= maximum`` (nm), e.g. a transport layer thin enough to conduct.

    Violation: nm outside the limits, summed over the matching layers.  A design without such a
    layer is not constrained.
    """

    label: str
    minimum: float = 0.0
    maximum: float = math.inf

    def __post_init__(self):
        if not isinstance(self.label, str) or not self.label:
            raise TypeError(f"LayerThickness label must be a non-empty layer label, got {self.label!r}")
        if not (self.minimum >= 0 and self.maximum > self.minimum) or math.isnan(self.minimum):
            raise ValueError(f"LayerThickness needs 0 <= minimum < maximum (nm), got minimum={self.minimum!r}, "
                             f"maximum={self.maximum!r}")

    def violations(self, ctx):
        out = np.zeros(len(ctx.objects))
        for i, o in enumerate(ctx.objects):
            for lay in getattr(o, "layers", ()):
                if lay.label == self.label:
                    out[i] += max(self.minimum - lay.thickness, 0.0) + max(lay.thickness - self.maximum, 0.0)
        return out


@dataclass(frozen=True)
class SideModeMargin(Constraint):
    """The other modes within ``near +- half_width`` (nm) need at least ``minimum`` (cm^-1) more
    material gain than the lasing mode; violation: the missing margin (cm^-1).

    Every mode of the window is solved (:func:`cavity.threshold_modes`, milliseconds per design),
    so it is computed only for designs that are otherwise feasible.
    """

    minimum: float
    half_width: float = 30.0
    needs_thresholds = True

    def __post_init__(self):
        if require_scalar_finite(self.minimum, "SideModeMargin minimum") < 0:
            raise ValueError(f"SideModeMargin minimum must be >= 0 cm^-1, got {self.minimum!r}")
        if require_scalar_finite(self.half_width, "SideModeMargin half_width") <= 0:
            raise ValueError(f"SideModeMargin half_width must be > 0 nm, got {self.half_width!r}")

    def violations(self, ctx):
        out = np.zeros(len(ctx.objects))
        sel = np.nonzero(ctx.converged & (ctx.violation == 0))[0]
        for ev, idx in _by_evaluator([ctx.objects[i] for i in sel], ctx.registry):
            ii = sel[idx]
            if not hasattr(ev, "side_mode_margins"):
                raise TypeError(f"SideModeMargin: the evaluator {ev!r} has no side_mode_margins method")
            m = ev.side_mode_margins([ctx.objects[i] for i in ii], ctx.settings, self.half_width, ctx.wavelength[ii])
            out[ii] = np.maximum(self.minimum - m, 0.0)
        return np.where(np.isfinite(out), out, NOT_CONVERGED)


def _unreachable(ctx):
    """Designs whose threshold search converged but whose J_th is infinite (never reach threshold)."""
    return ctx.converged & np.isinf(ctx.current_density)


def _check_heating(constraint, settings):
    if settings is None or settings.objective is not Objective.THRESHOLD_CURRENT or settings.thermal is None:
        raise ValueError(f"{type(constraint).__name__} needs objective=Objective.THRESHOLD_CURRENT and a thermal= "
                         f"model (a cavity.ThermalModel, or per design cavity.design.ThermalFromStack)")


@dataclass(frozen=True)
class ThermalLimit(Constraint):
    """Temperature rise of the QD film at J_th at most ``max_temperature_rise_K`` (K); needs the
    objective ``THRESHOLD_CURRENT`` with a ``thermal`` model: the shared one, or each design's own
    (:class:`ThermalFromStack`).  Violation: K above the limit; :data:`UNREACHABLE_VIOLATION` for
    a design that never reaches threshold (past the rollover or beyond ``J_cap``), so that a
    reachable design that runs a little too hot ranks above one that cannot lase at all."""

    max_temperature_rise_K: float
    needs_thresholds = True

    def __post_init__(self):
        if require_scalar_finite(self.max_temperature_rise_K, "max_temperature_rise_K") <= 0:
            raise ValueError(f"max_temperature_rise_K must be > 0 K, got {self.max_temperature_rise_K!r}")

    def _check(self, settings):
        _check_heating(self, settings)

    def violations(self, ctx):
        v = np.maximum(np.nan_to_num(ctx.temperature_rise, nan=0.0) - self.max_temperature_rise_K, 0.0)
        return np.where(_unreachable(ctx), UNREACHABLE_VIOLATION, v)


@dataclass(frozen=True)
class MaxVoltage(Constraint):
    """Device voltage at J_th at most ``volts`` (V): ``V(J_th)`` of the shared ``thermal`` model, or
    of each design's own layers (:class:`ThermalFromStack`: turn-on + the drop of every layer +
    the spreading of the electrodes).  Needs the objective ``THRESHOLD_CURRENT`` with a
    ``thermal`` model.  Violation: volts above the limit; :data:`UNREACHABLE_VIOLATION` for a
    design that never reaches threshold (as :class:`ThermalLimit`)."""

    volts: float
    needs_thresholds = True

    def __post_init__(self):
        if require_scalar_finite(self.volts, "MaxVoltage volts") <= 0:
            raise ValueError(f"MaxVoltage volts must be > 0 V, got {self.volts!r}")

    def _check(self, settings):
        _check_heating(self, settings)
        if not _is_per_design(settings.thermal) and not callable(getattr(settings.thermal, "voltage", None)):
            raise ValueError(f"MaxVoltage needs a thermal model with voltage(J), got {settings.thermal!r}")

    def violations(self, ctx):
        v = np.maximum(np.nan_to_num(ctx.voltage, nan=0.0) - self.volts, 0.0)
        return np.where(_unreachable(ctx), UNREACHABLE_VIOLATION, v)


def _by_evaluator(objects, registry):
    groups: dict[int, tuple] = {}
    for i, o in enumerate(objects):
        ev = evaluator_for(o, registry)
        groups.setdefault(id(ev), (ev, []))[1].append(i)
    return [(ev, np.array(idx, dtype=np.int64)) for ev, idx in groups.values()]


# ================================================================================================
# The evaluation problem (picklable: shipped to process / Dask workers)
# ================================================================================================
#: gain tables of this process (workers receive a new copy of the problem with every chunk)
_TABLES: dict = {}
#: most gain tables kept per process: one per distinct QD film (dot areal density) of the designs
_MAX_TABLES = 256


def _gain_film_thickness(obj):
    """Thickness (nm) of the QD film of a design, or None when the design type has no known film.

    A :class:`Stack`: the summed thickness of its gain layers.  A grating with ``tooth``,
    ``groove`` (stacks) and ``duty_cycle`` (:class:`cavity.DFBGrating`): the period average
    ``D L_tooth + (1 - D) L_groove`` (the dots per unit area of the patterned film).
    """
    if isinstance(obj, Stack):
        return float(sum(obj.layers[i].thickness for i in obj.gain_layer_indices)) or None
    tooth, groove, duty = (getattr(obj, a, None) for a in ("tooth", "groove", "duty_cycle"))
    if isinstance(tooth, Stack) and isinstance(groove, Stack) and duty is not None:
        t = float(duty) * _gain_film_thickness(tooth) if tooth.gain_layer_indices else 0.0
        g = (1.0 - float(duty)) * _gain_film_thickness(groove) if groove.gain_layer_indices else 0.0
        return (t + g) or None
    return None


def _gain_host(obj, model):
    """A design with each gain layer's material replaced by ``model``'s host of it
    (:meth:`cavity.QDGainModel.gain_host`: a measured QD film's ground-state absorption is the
    model's to add, docs/gain.md s.3).  A :class:`Stack`, or a dataclass with ``tooth`` and
    ``groove`` stacks (a grating); other design types are returned unchanged."""
    if isinstance(obj, Stack):
        return model.host_stack(obj) if obj.gain_layer_indices else obj
    tooth, groove = getattr(obj, "tooth", None), getattr(obj, "groove", None)
    if isinstance(tooth, Stack) and isinstance(groove, Stack) and dataclasses.is_dataclass(obj):
        return dataclasses.replace(obj, tooth=_gain_host(tooth, model), groove=_gain_host(groove, model))
    return obj


def _film_model(model, thickness):
    """The gain model of a design's QD film (:meth:`cavity.QDGainModel.for_film_thickness`)."""
    if thickness is None:
        return model
    return model.for_film_thickness(thickness, "the design's gain layers")


class _GainTable:
    """Heated gain ``G[J, lambda]`` on a log-J x lambda grid, for J_th of many designs at once.

    One table per QD film: ``model`` is the gain model of that film (its dot areal density set by
    the film thickness, :func:`_film_model`), since J enters the gain as ``J / n_areal`` and the
    heating as J itself.
    """

    N_J = 400

    def __init__(self, model, thermal, near, width, j_range, pad=(0.0, 0.0)):
        lo, hi = near - width - pad[0], near + width + pad[1]
        self.lam = np.linspace(lo, hi, max(16, int(math.ceil((hi - lo) / 0.25)) + 1))
        self.logj = np.linspace(math.log(j_range[0]), math.log(j_range[1]), self.N_J)
        js = np.exp(self.logj)
        self.js = js
        G = np.empty((js.size, self.lam.size))
        for k, J in enumerate(js):
            dT = float(thermal.temperature_rise(J)) if thermal is not None else 0.0
            G[k] = model.material_gain(J, self.lam, temperature_rise_K=dT)
        self.G = G
        self.j_cap = float(js[-1])
        self.g_peak = max(float(np.max(model.max_gain(self.lam))), 1.0)
        self.shift = float(model.peak_shift_nm_per_K)
        self.t0 = model.gain_characteristic_temperature_K

    def _columns(self, lam):
        """Gain versus J (D, N_J) at the wavelengths ``lam`` (linear interpolation in lambda)."""
        x = np.clip((lam - self.lam[0]) / (self.lam[1] - self.lam[0]), 0.0, self.lam.size - 1 - 1e-9)
        k = x.astype(np.int64)
        w = x - k
        return self.G[:, k].T * (1 - w)[:, None] + self.G[:, k + 1].T * w[:, None]

    def _heated_columns(self, lam, dT):
        """Gain versus J (D, N_J) at ``lam`` with each design's temperature rise ``dT[D, N_J]``.

        The table holds the cold gain; the gain model's heating is a rigid red shift of the bands
        by ``s dT`` and a scaling by ``exp(-dT/T0)`` (docs/gain.md s.7):
        ``g(J, lambda, dT) = exp(-dT/T0) g(J, lambda - s dT, 0)``.  Currents that heat the film by
        more than :data:`cavity.lasing.current.MAX_TEMPERATURE_RISE_K` are not tried (-inf), as in
        :func:`cavity.threshold_current`.
        """
        from ..lasing.current import MAX_TEMPERATURE_RISE_K

        leff = lam[:, None] - self.shift * dT                                   # (D, N_J)
        x = np.clip((leff - self.lam[0]) / (self.lam[1] - self.lam[0]), 0.0, self.lam.size - 1 - 1e-9)
        k = x.astype(np.int64)
        w = x - k
        rows = np.arange(self.N_J)[None, :]
        cols = self.G[rows, k] * (1 - w) + self.G[rows, k + 1] * w
        if self.t0 is not None:
            cols = cols * np.exp(-dT / self.t0)
        return np.where(dT <= MAX_TEMPERATURE_RISE_K, cols, -np.inf)

    def _crossings(self, cols, g):
        above = cols >= g[:, None]
        reach = above.any(axis=1)
        first = np.argmax(above, axis=1)
        J = np.full(g.size, math.inf)
        r = np.nonzero(reach)[0]
        f = first[r]
        zero = f == 0
        J[r[zero]] = 0.0
        rr, ff = r[~zero], f[~zero]
        g0, g1 = cols[rr, ff - 1], cols[rr, ff]
        t = (g[rr] - g0) / (g1 - g0)
        J[rr] = np.exp(self.logj[ff - 1] + t * (self.logj[1] - self.logj[0]))
        best = cols.max(axis=1)
        shortfall = np.where(reach, 0.0, g - np.where(np.isfinite(best), best, -self.g_peak))
        return J, reach, shortfall

    def currents(self, lam, g, dT=None):
        """(J_th, reachable, shortfall) for wavelengths ``lam`` (nm) and threshold gains ``g`` (cm^-1);
        with ``dT[D, N_J]`` (K, each design's temperature rise on the table's J grid) the cold table
        is heated design by design."""
        cols = self._columns(lam) if dT is None else self._heated_columns(lam, dT)
        return self._crossings(cols, g)

    def score(self, lam, g, dT=None):
        J, reach, short = self.currents(lam, g, dT)
        unreach = self.j_cap * (1.0 + np.log1p(np.maximum(short, 0.0) / self.g_peak))
        return np.where(reach, J, unreach), J


@dataclass
class _Context:
    objects: list
    parameters: list
    settings: ThresholdSettings | None
    registry: dict
    wavelength: np.ndarray
    material_gain: np.ndarray
    converged: np.ndarray
    current_density: np.ndarray
    violation: np.ndarray
    #: each design's thermal model (None: no thermal model or per-design construction failed)
    thermal_models: list | None = None
    #: QD-film temperature rise (K) and device voltage (V) at J_th (NaN where J_th is not finite)
    temperature_rise: np.ndarray | None = None
    voltage: np.ndarray | None = None


#: most per-design thermal models kept per search (keyed by the design, for repeated designs)
_MAX_THERMALS = 4096


class _Problem:
    def __init__(self, space, objective, constraints, settings, registry, j_range):
        self.space = space
        self.objective = objective
        # the side-mode check is costly and runs only on otherwise feasible designs: keep it last
        self.constraints = tuple(sorted(constraints, key=lambda c: isinstance(c, SideModeMargin)))
        self.settings = settings
        self.registry = dict(registry)
        self.j_range = j_range
        self._table = None
        self._thermals = None

    def __getstate__(self):  # the gain table is rebuilt (deterministically) where it is used
        d = dict(self.__dict__)
        d["_table"] = None
        d["_thermals"] = None
        return d

    @property
    def per_design_thermal(self) -> bool:
        return self.settings is not None and _is_per_design(self.settings.thermal)

    def _pad(self):
        """Extra table wavelengths (nm, blue side, red side) for the band shift of per-design heating."""
        if not self.per_design_thermal:
            return 0.0, 0.0
        from ..lasing.current import MAX_TEMPERATURE_RISE_K

        s = float(self.settings.gain_model.peak_shift_nm_per_K) * MAX_TEMPERATURE_RISE_K
        return max(s, 0.0), max(-s, 0.0)

    def table_for(self, model) -> _GainTable:
        """The gain table of one film's gain model (cached per process).  With a per-design
        thermal model the table is cold and padded; it is heated design by design."""
        s = self.settings
        thermal = None if self.per_design_thermal else s.thermal
        pad = self._pad()
        if self._table is None:
            self._table = {}
        try:
            table = self._table.get(model)
        except TypeError:  # unhashable model: no cache
            return _GainTable(model, thermal, s.near, s.search_width, self.j_range, pad)
        if table is None:
            key = (model, thermal, s.near, s.search_width, self.j_range, pad)
            try:
                table = _TABLES.get(key)
            except TypeError:  # unhashable model: no cache
                key, table = None, None  # type: ignore[assignment]
            if table is None:
                table = _GainTable(model, thermal, s.near, s.search_width, self.j_range, pad)
                if key is not None:
                    if len(_TABLES) >= _MAX_TABLES:
                        _TABLES.pop(next(iter(_TABLES)))
                    _TABLES[key] = table
            if len(self._table) >= _MAX_TABLES:
                self._table.pop(next(iter(self._table)))
            self._table[model] = table
        return table

    @property
    def table(self) -> _GainTable:
        """The gain table of the settings' model as given (no film geometry applied)."""
        return self.table_for(self.settings.gain_model)

    def thermal_models(self, objects) -> list:
        """Each design's thermal model: the shared one, or the per-design one (None where the
        design has no conducting path between two electrodes).  Cached by design."""
        s = self.settings
        if s is None or s.thermal is None:
            return [None] * len(objects)
        if not self.per_design_thermal:
            return [s.thermal] * len(objects)
        from ..device.electrical import NoConductingPath

        if self._thermals is None:
            self._thermals = {}
        out = []
        for obj in objects:
            try:
                model = self._thermals.get(obj, self)
            except TypeError:  # unhashable design: no cache
                model, obj_key = self, None
            else:
                obj_key = obj
            if model is self:
                try:
                    model = s.thermal(obj)
                except NoConductingPath:
                    model = None
                if model is not None and not callable(getattr(model, "temperature_rise", None)):
                    raise TypeError(f"the per-design thermal model must return a cavity.ThermalModel, got {model!r}")
                if obj_key is not None:
                    if len(self._thermals) >= _MAX_THERMALS:
                        self._thermals.pop(next(iter(self._thermals)))
                    self._thermals[obj_key] = model
            out.append(model)
        return out

    def score_currents(self, objects, lam, g):
        """(scores, J_th, thermal models) of designs, each with the gain model of its own QD film
        thickness and, with a per-design thermal model, its own temperature rise.

        A per-design model is built only where it can matter: a design whose threshold gain
        exceeds the film's largest gain anywhere in the (padded) window (``g_peak``) cannot reach
        threshold at any temperature (heating only weakens and shifts the band) and is scored
        cold.  The models list holds None there and where the design has no conducting path
        (then its score is inf).
        """
        n = len(objects)
        score, J = np.empty(n), np.empty(n)
        shared = None if self.per_design_thermal else self.settings.thermal
        models = [shared] * n
        groups: dict = {}
        for i, obj in enumerate(objects):
            groups.setdefault(_gain_film_thickness(obj), []).append(i)
        for thickness, idx in groups.items():
            table = self.table_for(_film_model(self.settings.gain_model, thickness))
            dT, blocked = None, []
            if self.per_design_thermal:
                dT = np.zeros((len(idx), table.js.size))
                need = [k for k, i in enumerate(idx) if g[i] <= table.g_peak]
                for k, t in zip(need, self.thermal_models([objects[idx[k]] for k in need])):
                    models[idx[k]] = t
                    if t is None:
                        blocked.append(idx[k])
                    else:
                        dT[k] = np.asarray(t.temperature_rise(table.js), dtype=float)
            score[idx], J[idx] = table.score(lam[idx], g[idx], dT)
            score[blocked], J[blocked] = math.inf, math.nan  # no conducting path: no J_th
        return score, J, models

    def evaluate(self, X):
        """(scores, violations) of the internal vectors ``X[D, dim]``."""
        objects, params = self.space._make_many(X)
        D = len(objects)
        nan = np.full(D, np.nan)
        ctx = _Context(objects, params, self.settings, self.registry, nan, nan.copy(), np.ones(D, bool),
                       np.full(D, np.nan), np.zeros(D))
        unconverged = np.full(D, NOT_CONVERGED)
        if self.settings is not None:
            lam, g, ok = np.full(D, np.nan), np.full(D, np.nan), np.zeros(D, bool)
            pole = np.full(D, complex(np.nan, np.nan))
            model = self.settings.gain_model
            optical = objects if model is None else [_gain_host(o, model) for o in objects]
            for ev, idx in _by_evaluator(objects, self.registry):
                res = ev.thresholds([optical[i] for i in idx], self.settings)
                lam[idx], g[idx], ok[idx] = res.wavelength, res.material_gain, res.converged
                if res.passive_pole is not None:
                    pole[idx] = res.passive_pole
            ok &= np.isfinite(g) & np.isfinite(lam)
            ctx.wavelength, ctx.material_gain, ctx.converged = lam, g, ok
            unconverged = _unconverged_violation(pole, self.settings.near)
        if isinstance(self.objective, Objective):
            ok = ctx.converged
            score = np.full(D, math.inf)
            no_path = np.zeros(D, bool)
            if self.objective is Objective.THRESHOLD_GAIN:
                score[ok] = ctx.material_gain[ok]
            else:
                if self.settings.thermal is not None:
                    ctx.thermal_models = [None] * D
                if ok.any():
                    idx = np.nonzero(ok)[0]
                    s, J, models = self.score_currents([objects[i] for i in idx], ctx.wavelength[ok],
                                                       ctx.material_gain[ok])
                    score[ok] = s
                    ctx.current_density[ok] = J
                    if ctx.thermal_models is not None:
                        for i, m in zip(idx, models):
                            ctx.thermal_models[i] = m
                        no_path[idx] = np.isinf(s) & np.isnan(J)
            ok = ok & ~no_path
            ctx.violation = np.where(ok, 0.0, np.where(no_path, NOT_CONVERGED, unconverged))
        else:
            score = np.asarray(self.objective(objects, params), dtype=np.float64).reshape(-1)
            if score.size != D:
                raise ValueError(f"the objective returned {score.size} scores for {D} designs; a one-design "
                                 f"function must be wrapped with cavity.design.per_design")
            score = np.where(np.isnan(score), math.inf, score)
            if self.settings is not None:
                ctx.violation = np.where(ctx.converged, 0.0, unconverged)
        self._heating_at_threshold(ctx)
        for c in self.constraints:
            v = np.asarray(c.violations(ctx), dtype=np.float64)
            ctx.violation = np.minimum(ctx.violation + np.where(np.isnan(v), NOT_CONVERGED, v), NOT_CONVERGED)
        return score, ctx.violation

    @staticmethod
    def _heating_at_threshold(ctx):
        """``ctx.temperature_rise`` (K) and ``ctx.voltage`` (V) at each design's finite J_th."""
        D = len(ctx.objects)
        ctx.temperature_rise, ctx.voltage = np.full(D, np.nan), np.full(D, np.nan)
        if ctx.thermal_models is None:
            return
        for i, (t, j) in enumerate(zip(ctx.thermal_models, ctx.current_density)):
            if t is None or not np.isfinite(j):
                continue
            ctx.temperature_rise[i] = float(t.temperature_rise(j))
            if callable(getattr(t, "voltage", None)):
                ctx.voltage[i] = float(t.voltage(j))


def _report_check(rep, score: float, objective) -> str:
    """A word in the result's message when the complete mode search of the best design (its report)
    disagrees with the score the search used (e.g. the batched fast path followed another mode;
    the report looks at every mode of the window)."""
    if objective is Objective.THRESHOLD_CURRENT:
        value, unit = getattr(rep, "current_density", math.nan), "A/cm^2"
    elif objective is Objective.THRESHOLD_GAIN:
        value, unit = getattr(rep, "material_gain", math.nan), "cm^-1"
    else:
        return ""
    try:
        value, score = float(value), float(score)
    except (TypeError, ValueError):
        return ""
    if not (math.isfinite(value) and math.isfinite(score)) or abs(value - score) <= 1e-3 * abs(score):
        return ""
    return (f"; the complete mode search of the best design gives {value:.6g} {unit} where the search "
            f"scored {score:.6g} {unit} (another mode of the window, see report)")


def _unconverged_violation(passive_pole, near):
    """Violation of designs whose threshold search failed: :data:`NOT_CONVERGED_BASE` plus the
    distance (nm) of their passive pole from ``near`` and its half-width ``Im lambda`` (nm), so that
    the search climbs towards designs with a sharp mode near the design wavelength;
    :data:`NOT_CONVERGED` where no passive pole was found."""
    pole = np.asarray(passive_pole, dtype=np.complex128)
    graded = NOT_CONVERGED_BASE + np.abs(pole.real - near) + np.abs(pole.imag)
    return np.where(np.isfinite(graded), np.minimum(graded, NOT_CONVERGED), NOT_CONVERGED)


def _evaluate_chunk(task):
    """Module-level (picklable) worker function: ``(problem, X, parent_pid) -> (scores, violations)``.

    In a process other than the search's (``parent_pid``) the numba kernels run on one thread: the
    pool supplies the parallelism, and threaded kernels in every worker would oversubscribe the cores.
    """
    problem, X, parent_pid = task
    if os.getpid() == parent_pid:
        return problem.evaluate(X)
    import numba

    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return problem.evaluate(X)
    finally:
        numba.set_num_threads(old)


# ================================================================================================
# Results
# ================================================================================================
@dataclass(frozen=True)
class GenerationRecord(Result):
    """One generation: best and mean score of the feasible members (NaN if none), the best
    violation, evaluations so far and evaluations per second in that generation."""

    generation: int
    best_score: float
    mean_score: float
    best_violation: float
    n_evaluations: int
    evaluations_per_second: float


@dataclass(frozen=True, eq=False)
class Archive(Result):
    """Every design the search evaluated, in evaluation order: ``archive[i] -> (parameters,
    score, violation)``."""

    space: DesignSpace
    _vectors: np.ndarray
    scores: np.ndarray
    violations: np.ndarray

    def __len__(self):
        return self.scores.size

    def __getitem__(self, i):
        return self.space.decode(self._vectors[i]), float(self.scores[i]), float(self.violations[i])

    def to_dict(self) -> dict:
        """Every evaluated design as ``{"parameters", "score", "violation"}`` (JSON data)."""
        return {"designs": [{"parameters": to_jsonable(p), "score": to_jsonable(sc), "violation": to_jsonable(v)}
                            for p, sc, v in (self[i] for i in range(len(self)))]}


@dataclass(frozen=True, eq=False)
class DesignResult(Result):
    """Outcome of :func:`optimize`.

    Attributes
    ----------
    parameters : dict             the best design's parameters (choices as their objects)
    design : object               the best design (built by the space's build function)
    score : float                 its score (A/cm^2 for THRESHOLD_CURRENT, cm^-1 for THRESHOLD_GAIN)
    violation : float             total constraint violation (0: feasible)
    report : object or None       full threshold report of the best design
                                  (:class:`~cavity.ThresholdCurrent` or :class:`~cavity.Threshold`);
                                  None for callable objectives or if the report failed (``message``)
    history : tuple of GenerationRecord
    n_evaluations : int           designs evaluated (DE and polish)
    n_generations : int
    seed : int                    the seed that reproduces the run
    stopped_early : bool          interrupted (Ctrl-C or a callback returning True)
    polished : bool               the local polish improved the DE's best design
    message : str
    archive : Archive             every design the DE evaluated
    """

    parameters: dict
    design: Any
    score: float
    violation: float
    report: Any
    history: tuple
    n_evaluations: int
    n_generations: int
    seed: int
    stopped_early: bool
    polished: bool
    message: str
    archive: Archive

    @property
    def feasible(self) -> bool:
        return self.violation == 0.0

    @property
    def stack(self) -> Stack:
        """The best design when it is a Stack."""
        if not isinstance(self.design, Stack):
            raise TypeError(f"the best design is a {type(self.design).__name__}, not a Stack; use .design")
        return self.design


# ================================================================================================
# Differential evolution
# ================================================================================================
def _better_or_equal(s1, v1, s2, v2):
    """Deb's rules, elementwise: (s1, v1) at least as good as (s2, v2)."""
    return np.where((v1 == 0) & (v2 == 0), s1 <= s2, v1 <= v2)


def _best_index(s, v):
    return int(np.lexsort((s, v))[0])


class _State:
    """Everything needed to continue a run (saved as plain data by :class:`_Checkpoint`)."""

    def __init__(self, pop, scores, viol, rng_state, generation, n_eval, history, archive_X, archive_s, archive_v):
        self.pop, self.scores, self.viol = pop, scores, viol
        self.rng_state = rng_state
        self.generation, self.n_eval = generation, n_eval
        self.history = history
        self.archive_X, self.archive_s, self.archive_v = archive_X, archive_s, archive_v


#: chunks per worker and generation by default: load balance vs. the per-chunk cost of shipping the
#: problem and of smaller batches.  benchmarks/bench_design.py (2-process pool, population 60):
#: 1 chunk per worker 1.5-2.1x the in-process rate, 2: 1.1-1.8x, 4: 0.55-1.5x, 30: 0.15-0.5x
CHUNKS_PER_WORKER = 1


def _pool_size(workers):
    """Number of workers behind a map-like callable (executor, multiprocessing.Pool, Dask client), else the CPUs."""
    owner = getattr(workers, "__self__", None)
    for attr in ("_max_workers", "_processes"):
        n = getattr(owner, attr, None)
        if isinstance(n, int) and n > 0:
            return n
    nthreads = getattr(owner, "nthreads", None)  # dask.distributed.Client
    if callable(nthreads):
        try:
            n = sum(nthreads().values())
        except Exception:
            n = 0
        if n > 0:
            return int(n)
    return os.cpu_count() or 1


def _default_chunksize(n, workers):
    return max(1, math.ceil(n / (CHUNKS_PER_WORKER * _pool_size(workers))))


def _gathered(out):
    out = list(out)
    return [r.result() if hasattr(r, "result") and callable(r.result) else r for r in out]


def _dead_worker_error(generation, detail):
    return RuntimeError(
        f"generation {generation}: {detail}. The search cannot continue with this pool (create a new one); "
        f"designs whose evaluation kills the process (memory, a crash in the build function or in native "
        f"code) can be found by evaluating them in this process (workers=None or cavity.design.evaluate_designs)")


def _map_mp_pool(pool, tasks, timeout, generation):
    """``multiprocessing.Pool`` replaces a worker that died and waits forever for its task: watch
    the pool's processes while the chunks run."""
    procs = list(getattr(pool, "_pool", ()))
    watch = getattr(pool, "_maxtasksperchild", None) is None  # otherwise workers retire normally
    res = pool.map_async(_evaluate_chunk, tasks, chunksize=1)
    t0 = time.monotonic()
    while not res.ready():
        res.wait(0.1)
        if res.ready():
            break
        dead = [p for p in procs if p.exitcode is not None] if watch else []
        if dead:
            raise _dead_worker_error(generation, f"a worker process of the multiprocessing.Pool died (pid "
                                                 f"{dead[0].pid}, exit code {dead[0].exitcode}) while evaluating "
                                                 f"designs; the pool would wait for its result forever")
        if timeout is not None and time.monotonic() - t0 > timeout:
            raise RuntimeError(f"generation {generation}: the workers returned no result within "
                               f"worker_timeout={timeout!r} s (a worker died or hangs, or the timeout is too short)")
    return res.get()


class _Runner:
    def __init__(self, problem, workers, chunksize, timeout=None):
        self.problem = problem
        self.workers = workers
        self.chunksize = chunksize
        self.timeout = timeout

    def __call__(self, X, generation=None):
        if self.workers is None:
            return self.problem.evaluate(X)
        n = X.shape[0]
        size = self.chunksize or _default_chunksize(n, self.workers)
        tasks = [(self.problem, X[i:i + size], os.getpid()) for i in range(0, n, size)]
        out = self._map(tasks, generation)
        return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])

    def _map(self, tasks, generation):
        import multiprocessing.pool
        from concurrent.futures.process import BrokenProcessPool

        pool = getattr(self.workers, "__self__", None)
        if isinstance(pool, multiprocessing.pool.Pool) and getattr(self.workers, "__name__", "") == "map":
            return _map_mp_pool(pool, tasks, self.timeout, generation)
        try:
            if self.timeout is None:
                return _gathered(self.workers(_evaluate_chunk, tasks))
            import threading

            box = {}

            def target():
                try:
                    box["out"] = _gathered(self.workers(_evaluate_chunk, tasks))
                except BaseException as exc:  # re-raised in the search's thread
                    box["exc"] = exc

            th = threading.Thread(target=target, name="qdcavity-design-workers", daemon=True)
            th.start()
            th.join(self.timeout)
            if th.is_alive():
                raise RuntimeError(f"generation {generation}: the workers returned no result within "
                                   f"worker_timeout={self.timeout!r} s (a worker died or hangs, or the timeout "
                                   f"is too short)")
            if "exc" in box:
                raise box["exc"]
            return box["out"]
        except BrokenProcessPool as exc:
            raise _dead_worker_error(generation, f"a worker process of the process pool died while evaluating "
                                                 f"designs ({exc})") from exc


def _sample(rng, lower, upper, integral, n):
    """Latin-hypercube initial population; integer dimensions uniform over their values."""
    dim = lower.size
    u = (rng.permuted(np.tile(np.arange(n), (dim, 1)), axis=1).T + rng.random((n, dim))) / n
    lo = np.where(integral, lower - 0.5, lower)
    hi = np.where(integral, upper + 0.5, upper)
    X = lo + u * (hi - lo)
    return _snap(X, lower, upper, integral)


def _snap(X, lower, upper, integral):
    X = X.copy()
    X[:, integral] = np.clip(np.round(X[:, integral]), lower[integral], upper[integral])
    return X


def _trials(state, rng, strategy, mutation, recombination, lower, upper, integral):
    pop = state.pop
    n, dim = pop.shape
    F = rng.uniform(*mutation) if isinstance(mutation, tuple) else mutation
    keys = rng.random((n, n))
    np.fill_diagonal(keys, 2.0)
    r = np.argsort(keys, axis=1)[:, :3]
    if strategy == "best1bin":
        base = pop[_best_index(state.scores, state.viol)][None, :]
    else:
        base = pop[r[:, 2]]
    mutant = base + F * (pop[r[:, 0]] - pop[r[:, 1]])
    cross = rng.random((n, dim)) < recombination
    cross[np.arange(n), rng.integers(dim, size=n)] = True
    trial = np.where(cross, mutant, pop)
    lo = np.where(integral, lower - 0.5, lower)
    hi = np.where(integral, upper + 0.5, upper)
    out = (trial < lower) | (trial > upper)
    resample = lo + rng.random((n, dim)) * (hi - lo)
    trial = np.where(out, resample, trial)
    return _snap(trial, lower, upper, integral)


def _record(state, rate):
    s, v = state.scores, state.viol
    feas = v == 0
    i = _best_index(s, v)
    return GenerationRecord(state.generation, float(s[i]) if feas.any() else math.nan,
                            float(np.mean(s[feas])) if feas.any() and np.all(np.isfinite(s[feas])) else math.nan,
                            float(v[i]), int(state.n_eval), float(rate))


# ------------------------------------------------------------------------------------------------
# Checkpoints: a directory of plain data (JSON + numpy arrays), never a pickle
# ------------------------------------------------------------------------------------------------
_CKPT_HEADER = "checkpoint.json"
_CKPT_MAGIC = b"qdcavity-design-checkpoint"
_CKPT_TMP = ".tmp-"
_CKPT_CHUNK = "archive-{:06d}.chunk"
_CKPT_DEPTH = 24


def _qualname(obj) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', getattr(obj, '__name__', type(obj).__name__))}"


def _canonical(obj, depth=0, seen=None):
    """A JSON-able, process-independent description of ``obj`` for the problem fingerprint.

    Numbers become floats (``json`` writes them by ``repr``, so they round-trip exactly; an int
    and the equal float describe the same problem), enums their class and value, dataclasses their
    class and every field, arrays their dtype, shape and SHA-256, functions their module,
    qualified name, the SHA-256 of their source code (``inspect.getsource``; of the byte code when
    no source is available), defaults, closure values and the module-level globals they read
    (functions among them recursively, modules by name), other objects their class and
    attributes.  An object with none of these is described by its ``repr`` (or only its class
    when the ``repr`` holds a memory address, which changes between processes).
    """
    import dataclasses
    import functools
    import hashlib
    import inspect
    import types

    if depth > _CKPT_DEPTH:
        return {"__type__": _qualname(type(obj)), "__truncated__": True}
    seen = set() if seen is None else seen
    if obj is None or isinstance(obj, (bool, np.bool_)):
        return None if obj is None else bool(obj)
    if isinstance(obj, enum.Enum):  # before str: str-valued enums
        return {"__enum__": _qualname(type(obj)), "value": _canonical(obj.value, depth + 1, seen)}
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, (int, np.integer)):
        i = int(obj)
        return float(i) if abs(i) <= 2 ** 53 else {"__int__": str(i)}
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    if isinstance(obj, (complex, np.complexfloating)):
        return {"__complex__": [float(obj.real), float(obj.imag)]}
    if isinstance(obj, bytes):
        return {"__bytes__": hashlib.sha256(obj).hexdigest()}
    if isinstance(obj, np.ndarray):
        a = np.ascontiguousarray(obj)
        if a.dtype.hasobject:
            return {"__ndarray__": str(a.shape), "items": [_canonical(v, depth + 1, seen) for v in a.ravel()]}
        return {"__ndarray__": a.dtype.str, "shape": list(a.shape), "sha256": hashlib.sha256(a.tobytes()).hexdigest()}
    if isinstance(obj, type):
        return {"__class__": _qualname(obj)}
    if isinstance(obj, types.ModuleType):
        return {"__module__": obj.__name__}
    if id(obj) in seen:
        return {"__cycle__": _qualname(type(obj))}
    seen = seen | {id(obj)}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v, depth + 1, seen) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((_canonical(v, depth + 1, seen) for v in obj), key=lambda c: json.dumps(c, sort_keys=True))
    if isinstance(obj, Mapping):
        return {"__mapping__": sorted(([json.dumps(_canonical(k, depth + 1, seen), sort_keys=True),
                                        _canonical(v, depth + 1, seen)] for k, v in obj.items()),
                                      key=lambda kv: kv[0])}
    if isinstance(obj, functools.partial):
        return {"__partial__": _canonical(obj.func, depth + 1, seen), "args": _canonical(obj.args, depth + 1, seen),
                "keywords": _canonical(obj.keywords, depth + 1, seen)}
    if isinstance(obj, types.MethodType):
        return {"__method__": _canonical(obj.__func__, depth + 1, seen), "self": _canonical(obj.__self__, depth + 1, seen)}
    if isinstance(obj, types.FunctionType):
        try:
            src = inspect.getsource(obj).encode()
        except (OSError, TypeError):
            src = obj.__code__.co_code
        cells = [c.cell_contents for c in (obj.__closure__ or ()) if _cell_filled(c)]
        glob = {n: obj.__globals__[n] for n in sorted(_global_names(obj.__code__)) if n in obj.__globals__}
        return {"__function__": _qualname(obj), "source_sha256": hashlib.sha256(src).hexdigest(),
                "defaults": _canonical(obj.__defaults__, depth + 1, seen),
                "kwdefaults": _canonical(obj.__kwdefaults__, depth + 1, seen),
                "closure": _canonical(cells, depth + 1, seen),
                "globals": _canonical(glob, depth + 1, seen)}
    if isinstance(obj, (types.BuiltinFunctionType, types.BuiltinMethodType)):
        return {"__builtin__": _qualname(obj)}
    if dataclasses.is_dataclass(obj):
        out = {"__type__": _qualname(type(obj))}
        for f in dataclasses.fields(obj):
            out[f.name] = _canonical(getattr(obj, f.name, None), depth + 1, seen)
        return out
    attrs = {}
    if hasattr(obj, "__dict__"):
        attrs.update((k, v) for k, v in vars(obj).items() if k != "_n_cache")  # a material's evaluation cache
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if isinstance(name, str) and hasattr(obj, name) and name not in ("__dict__", "__weakref__"):
                attrs[name] = getattr(obj, name)
    if attrs:
        out = {"__type__": _qualname(type(obj))}
        for k in sorted(attrs):
            out[str(k)] = _canonical(attrs[k], depth + 1, seen)
        return out
    r = repr(obj)
    return {"__type__": _qualname(type(obj))} if " at 0x" in r else {"__type__": _qualname(type(obj)), "repr": r}


def _global_names(code) -> set:
    """Names a code object (and the functions and comprehensions nested in it) may read as globals."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _global_names(const)
    return names


def _cell_filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def _checkpoint_settings(problem, seed, population_size, strategy, mutation, recombination) -> dict:
    """Everything that changes a score or the DE's sequence of designs, as canonical JSON data."""
    s = problem.settings
    space = problem.space
    return {
        "parameters": {k: _canonical(p) for k, p in space.parameters.items()},
        "build": _canonical(space.build),
        "fixed": {k: _canonical(v) for k, v in space.fixed.items()},
        "objective": _canonical(problem.objective),
        "near": None if s is None else s.near,
        "search_width": None if s is None else s.search_width,
        "gain_model": None if s is None else _canonical(s.gain_model),
        "thermal": None if s is None else _canonical(s.thermal),
        "constraints": [_canonical(c) for c in problem.constraints],
        "current_range": _canonical(problem.j_range),
        "evaluators": sorted([_qualname(cls), _qualname(type(ev))] for cls, ev in problem.registry.items()),
        "seed": str(int(seed)),
        "population_size": int(population_size),
        "strategy": strategy,
        "mutation": _canonical(mutation),
        "recombination": float(recombination),
    }


def _fingerprint(settings: dict) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _differences(a, b, path):
    """(path, a value, b value) of every place where two canonical descriptions differ."""
    if type(a) is not type(b):
        yield path, a, b
    elif isinstance(a, dict):
        if "__mapping__" in a and "__mapping__" in b:
            a = {k: v for k, v in a["__mapping__"]}
            b = {k: v for k, v in b["__mapping__"]}
        for k in sorted(set(a) | set(b)):
            sub = f"{path}.{k}" if k[:2] != "__" else path
            if k not in a or k not in b:
                yield sub, a.get(k, "<absent>"), b.get(k, "<absent>")
            else:
                yield from _differences(a[k], b[k], sub)
    elif isinstance(a, list):
        if len(a) != len(b):
            yield f"{path} (length)", len(a), len(b)
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                yield from _differences(x, y, f"{path}[{i}]")
    elif not (a == b or (a != a and b != b)):
        yield path, a, b


def _short(value, n=120):
    s = json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)
    return s if len(s) <= n else s[:n - 3] + "..."


#: A design search commits its checkpoint every ``checkpoint_every`` generations but not more often
#: than this (seconds; always at the first and last generation and on Ctrl-C): near-free objectives
#: otherwise spend most of their time writing.  A killed run loses at most this much work.
CHECKPOINT_MIN_INTERVAL_S = 0.5


class _Checkpoint:
    """A design-search checkpoint: a directory of plain data, never unpickled.

    * ``checkpoint.json``: one line ``qdcavity-design-checkpoint <version> <sha256>`` followed by
      a JSON body whose SHA-256 that line holds: the problem settings and their fingerprint, the
      population, scores, violations, generation, evaluation count, the
      ``numpy.random.Generator`` bit-generator state (a dict of ints) and the number and chained
      SHA-256 of the archive chunks.  It is the commit record: written to a temporary file,
      fsync'd and renamed over the old one, so it always describes a complete state.
    * ``archive-NNNNNN.chunk``: the designs evaluated (and the generation records) since the
      previous commit, one line with the SHA-256 of the rest followed by a ``.npz`` read with
      ``allow_pickle=False``.  The archive is appended chunk by chunk, never rewritten.

    Anything that does not match (foreign, empty, truncated or corrupted files, a checksum that
    differs, another problem) raises a ValueError naming the file and what is wrong.
    """

    def __init__(self, path, settings):
        self.path = os.path.abspath(os.fspath(path))
        self.settings = settings
        self.fingerprint = _fingerprint(settings)
        self.n_chunks = 0
        self.chain = ""
        self.rows = 0        # archive entries (per-generation arrays) of the state already written
        self.records = 0     # history records already written
        self.fresh = True    # the directory still holds another run's files (removed at the first write)
        self.synced = -math.inf
        self.written = -math.inf
        if os.path.lexists(self.path):
            self._check_ours()
            self._remove(lambda name: name.startswith(_CKPT_TMP))  # left behind by a killed run

    # -------------------------------------------------------------------------- files
    def _file(self, name):
        return os.path.join(self.path, name)

    def _check_ours(self):
        if not os.path.isdir(self.path) or os.path.islink(self.path):
            raise ValueError(f"checkpoint {self.path!r} is not a qdcavity design checkpoint (a directory written "
                             f"by cavity.optimize, format {_CHECKPOINT_VERSION}); it is not read or overwritten: "
                             f"remove it or choose another path")
        names = os.listdir(self.path)
        foreign = [n for n in names if n != _CKPT_HEADER and not n.startswith(_CKPT_TMP) and not self._is_chunk(n)]
        if foreign:
            raise ValueError(f"checkpoint {self.path!r} is a directory holding {foreign[0]!r}, which a qdcavity design "
                             f"checkpoint never contains; it is not read or overwritten: choose another path")

    @staticmethod
    def _is_chunk(name):
        return name.startswith("archive-") and name.endswith(".chunk") and name[8:-6].isdigit()

    def _remove(self, which):
        for name in os.listdir(self.path):
            if which(name):
                try:
                    os.unlink(self._file(name))
                except FileNotFoundError:
                    pass

    def exists(self) -> bool:
        """Whether a committed state exists (chunk 0 alone: killed before the first commit)."""
        if os.path.exists(self._file(_CKPT_HEADER)):
            return True
        if os.path.isdir(self.path) and any(self._is_chunk(n) and int(n[8:-6]) > 0 for n in os.listdir(self.path)):
            raise ValueError(f"checkpoint file {self._file(_CKPT_HEADER)!r} is missing, but archive chunks of later "
                             f"generations exist: the checkpoint is damaged")
        return False

    def _write(self, name, payload: bytes, sync: bool):
        fd, tmp = tempfile.mkstemp(prefix=_CKPT_TMP, dir=self.path)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                if sync:
                    f.flush()
                    os.fsync(f.fileno())
            os.replace(tmp, self._file(name))
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    @staticmethod
    def _sealed(body: bytes, head: bytes) -> bytes:
        import hashlib

        return head + b" " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body

    def _unseal(self, name, head: bytes) -> bytes:
        import hashlib

        where = self._file(name)
        try:
            with open(where, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise ValueError(f"checkpoint file {where!r} is missing") from None
        except OSError as exc:
            raise ValueError(f"checkpoint file {where!r} cannot be read: {exc}") from None
        if not data:
            raise ValueError(f"checkpoint file {where!r} is empty")
        line, sep, body = data.partition(b"\n")
        parts = line.split(b" ")
        if not sep or len(parts) != len(head.split(b" ")) + 1 or b" ".join(parts[:-1]) != head:
            raise ValueError(f"checkpoint file {where!r} is not a qdcavity design checkpoint file of format "
                             f"{_CHECKPOINT_VERSION} (first line {line[:60]!r})")
        if parts[-1] != hashlib.sha256(body).hexdigest().encode():
            raise ValueError(f"checkpoint file {where!r} is corrupted or truncated: its SHA-256 does not match")
        return body

    # -------------------------------------------------------------------------- write
    def due(self) -> bool:
        """Whether the last commit is at least :data:`CHECKPOINT_MIN_INTERVAL_S` old."""
        return time.monotonic() - self.written >= CHECKPOINT_MIN_INTERVAL_S

    def write(self, state, final=False):
        import hashlib
        import io

        self.written = time.monotonic()
        if self.fresh:
            if os.path.lexists(self.path):
                self._check_ours()
                self._remove(lambda n: n == _CKPT_HEADER or self._is_chunk(n) or n.startswith(_CKPT_TMP))
            else:
                os.makedirs(self.path)
            self.fresh = False
        new_x = state.archive_X[self.rows:]
        new_h = state.history[self.records:]
        if new_x or new_h:
            d = state.pop.shape[1]
            rows = (np.column_stack([np.concatenate(new_x), np.concatenate(state.archive_s[self.rows:]),
                                     np.concatenate(state.archive_v[self.rows:])]) if new_x
                    else np.empty((0, d + 2)))
            recs = np.array([[h.generation, h.best_score, h.mean_score, h.best_violation, h.n_evaluations,
                              h.evaluations_per_second] for h in new_h], dtype=np.float64).reshape(-1, 6)
            buf = io.BytesIO()
            np.savez(buf, archive=rows, history=recs)
            body = buf.getvalue()
            head = _CKPT_MAGIC + b" %d chunk %d" % (_CHECKPOINT_VERSION, self.n_chunks)
            # written in place, no fsync: a chunk counts only once a commit record names it, and a
            # partly written one fails its checksum
            with open(self._file(_CKPT_CHUNK.format(self.n_chunks)), "wb") as f:
                f.write(self._sealed(body, head))
            self.chain = hashlib.sha256((self.chain + hashlib.sha256(body).hexdigest()).encode()).hexdigest()
            self.n_chunks += 1
            self.rows, self.records = len(state.archive_X), len(state.history)
        header = {"format": _CHECKPOINT_VERSION, "fingerprint": self.fingerprint, "settings": self.settings,
                  "state": {"population": state.pop.tolist(), "scores": state.scores.tolist(),
                            "violations": state.viol.tolist(), "rng_state": state.rng_state,
                            "generation": int(state.generation), "n_evaluations": int(state.n_eval)},
                  "chunks": self.n_chunks, "chain": self.chain}
        body = json.dumps(header, sort_keys=True).encode()
        # fsync'd at most once a second and at the end: the rename is atomic for a killed process;
        # after a power loss an unsynced record is at worst refused by its checksum
        now = time.monotonic()
        sync = final or now - self.synced >= 1.0
        self._write(_CKPT_HEADER, self._sealed(body, _CKPT_MAGIC + b" %d header" % _CHECKPOINT_VERSION), sync=sync)
        if sync:
            self.synced = now

    # -------------------------------------------------------------------------- read
    def read(self, dim):
        """The saved state; refuses (ValueError naming the file) anything that does not check out."""
        import hashlib
        import io

        where = self._file(_CKPT_HEADER)
        body = self._unseal(_CKPT_HEADER, _CKPT_MAGIC + b" %d header" % _CHECKPOINT_VERSION)
        try:
            h = json.loads(body)
            st = h["state"]
            pop = np.array(st["population"], dtype=np.float64)
            scores = np.array(st["scores"], dtype=np.float64)
            viol = np.array(st["violations"], dtype=np.float64)
            generation, n_eval = st["generation"], st["n_evaluations"]
            n_chunks, chain, rng_state = h["chunks"], h["chain"], st["rng_state"]
            saved, fingerprint = h["settings"], h["fingerprint"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"checkpoint file {where!r} does not hold a design-search state: {exc!r}") from None
        if h.get("format") != _CHECKPOINT_VERSION or not isinstance(saved, dict):
            raise ValueError(f"checkpoint file {where!r} has format {h.get('format')!r}, expected {_CHECKPOINT_VERSION}")
        if fingerprint != self.fingerprint or saved != self.settings:
            diffs = []
            for key in list(self.settings) + [k for k in saved if k not in self.settings]:
                found = list(itertools.islice(_differences(saved.get(key, "<absent>"),
                                                           self.settings.get(key, "<absent>"), key), 4))
                diffs += [f"{d[0]} differs (checkpoint: {_short(d[1])}, this run: {_short(d[2])})" for d in found[:3]]
                if len(found) > 3:
                    diffs.append(f"{key}: more differences")
            raise ValueError(f"checkpoint {self.path!r} was written for a different problem, refusing to resume it: "
                             + ("; ".join(diffs) or "the settings fingerprint differs")
                             + ". Resume with the same problem or start a new checkpoint.")
        n_pop = self.settings["population_size"]
        ok = (pop.shape == (n_pop, dim) and scores.shape == viol.shape == (n_pop,) and isinstance(generation, int)
              and isinstance(n_eval, int) and isinstance(n_chunks, int) and n_chunks >= 1 and isinstance(rng_state, dict))
        if not ok:
            raise ValueError(f"checkpoint file {where!r} holds a state of the wrong shape for this problem")
        xs, hs, link = [], [], ""
        for k in range(n_chunks):
            name = _CKPT_CHUNK.format(k)
            cb = self._unseal(name, _CKPT_MAGIC + b" %d chunk %d" % (_CHECKPOINT_VERSION, k))
            try:
                with np.load(io.BytesIO(cb), allow_pickle=False) as z:
                    rows, recs = z["archive"], z["history"]
            except Exception as exc:  # noqa: BLE001 -- any failure to parse the (checksummed) chunk
                raise ValueError(f"checkpoint file {self._file(name)!r} is not a valid archive chunk: {exc!r}") from None
            if rows.dtype != np.float64 or rows.ndim != 2 or rows.shape[1] != dim + 2 or recs.dtype != np.float64 \
                    or recs.ndim != 2 or recs.shape[1] != 6:
                raise ValueError(f"checkpoint file {self._file(name)!r} holds arrays of the wrong shape")
            link = hashlib.sha256((link + hashlib.sha256(cb).hexdigest()).encode()).hexdigest()
            xs.append(rows)
            hs.append(recs)
        if link != chain:
            raise ValueError(f"checkpoint {self.path!r}: the archive chunks do not match the checksum in {where!r} "
                             f"(a chunk was replaced or comes from another run)")
        rows, recs = np.concatenate(xs), np.concatenate(hs)
        if rows.shape[0] != n_eval or recs.shape[0] != generation + 1:
            raise ValueError(f"checkpoint {self.path!r} holds {rows.shape[0]} archived designs and {recs.shape[0]} "
                             f"generation records for {n_eval} evaluations and generation {generation}")
        try:
            probe = np.random.default_rng(0)
            probe.bit_generator.state = rng_state
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"checkpoint file {where!r} holds an invalid random-generator state: {exc!r}") from None
        history = [GenerationRecord(int(r[0]), float(r[1]), float(r[2]), float(r[3]), int(r[4]), float(r[5]))
                   for r in recs]
        self._remove(lambda n: self._is_chunk(n) and int(n[8:-6]) >= n_chunks)  # written after the last commit
        self.n_chunks, self.chain, self.rows, self.records, self.fresh = n_chunks, chain, 1, len(history), False
        return _State(pop, scores, viol, rng_state, generation, n_eval, history, [rows[:, :dim]], [rows[:, dim]],
                      [rows[:, dim + 1]])


def _polish(problem, x, score, lower, upper, integral, maxfev):
    """Nelder-Mead (bounded) on the continuous parameters, integers and choices fixed."""
    from scipy.optimize import minimize

    free = ~integral
    if not free.any() or maxfev <= 0:
        return x, score, 0
    count = [0]

    def f(z):
        xx = x.copy()
        xx[free] = np.clip(z, lower[free], upper[free])
        s, v = problem.evaluate(xx[None, :])
        count[0] += 1
        return float(s[0]) if v[0] == 0 and np.isfinite(s[0]) else math.inf

    span = upper[free] - lower[free]
    z0 = x[free]
    simplex = [z0]
    for k in range(z0.size):
        z = z0.copy()
        step = 0.05 * span[k]
        z[k] = z[k] + step if z[k] + step <= upper[free][k] else z[k] - step
        simplex.append(z)
    res = minimize(f, z0, method="Nelder-Mead", bounds=list(zip(lower[free], upper[free])),
                   options={"maxfev": int(maxfev), "initial_simplex": np.array(simplex), "xatol": 1e-6 * span.max(),
                            "fatol": 1e-9 * max(abs(score), 1e-300)})
    if np.isfinite(res.fun) and res.fun < score:
        xx = x.copy()
        xx[free] = np.clip(res.x, lower[free], upper[free])
        return xx, float(res.fun), count[0]
    return x, score, count[0]


def _design_settings(problem, design):
    """The settings with ``thermal`` resolved to ``design``'s own :class:`cavity.ThermalModel`
    (what an evaluator's ``report`` receives)."""
    s = problem.settings
    if not problem.per_design_thermal:
        return s
    return dataclasses.replace(s, thermal=problem.thermal_models([design])[0])


def _make_problem(space, objective, near, gain_model, thermal, constraints, search_width, current_range, evaluators):
    if not isinstance(space, DesignSpace):
        raise TypeError(f"space must be a DesignSpace, got {space!r}")
    if isinstance(objective, str) and not isinstance(objective, Objective):
        try:
            objective = Objective(objective)
        except ValueError as exc:
            raise ValueError(f"objective must be an Objective or a callable, got {objective!r}") from exc
    if not isinstance(objective, Objective) and not callable(objective):
        raise TypeError(f"objective must be an Objective or a callable f(objects, parameters), got {objective!r}")
    constraints = tuple(constraints)
    for c in constraints:
        if not isinstance(c, Constraint):
            raise TypeError(f"constraints must be Constraint objects (WavelengthWindow, ...), got {c!r}")
    needs = isinstance(objective, Objective) or any(c.needs_thresholds for c in constraints)
    settings = None
    if needs:
        if near is None:
            raise ValueError("near (design wavelength in nm) is required by the threshold objective and constraints")
        near = require_scalar_finite(near, "near")
        width = require_scalar_finite(search_width, "search_width")
        if not 0 < width < near:
            raise ValueError(f"need 0 < search_width < near (nm), got search_width={search_width!r}")
        settings = ThresholdSettings(objective if isinstance(objective, Objective) else None, near, width,
                                     gain_model, thermal)
    if objective is Objective.THRESHOLD_CURRENT:
        from ..gain.model import QDGainModel

        if not isinstance(gain_model, QDGainModel):
            raise TypeError(f"gain_model must be a cavity.QDGainModel for Objective.THRESHOLD_CURRENT, got {gain_model!r}")
    if thermal is not None and not (hasattr(thermal, "temperature_rise") or callable(thermal)):
        raise TypeError(f"thermal must be a cavity.ThermalModel, a cavity.design.ThermalFromStack or a callable "
                        f"design -> ThermalModel, got {thermal!r}")
    for c in constraints:
        c._check(settings)
    j_lo, j_hi = (float(v) for v in current_range)
    if not 0 < j_lo < j_hi or not math.isfinite(j_hi):
        raise ValueError(f"current_range must be (min, max) with 0 < min < max (A/cm^2), got {current_range!r}")
    registry = dict(_EVALUATORS)
    if evaluators:
        for cls, ev in evaluators.items():
            if not isinstance(cls, type) or not callable(getattr(ev, "thresholds", None)):
                raise TypeError(f"evaluators must map types to objects with a thresholds() method, got {cls!r}: {ev!r}")
        registry.update(evaluators)

    return _Problem(space, objective, constraints, settings, registry, (j_lo, j_hi))


def evaluate_designs(space: DesignSpace, designs: Sequence[Mapping[str, Any]], objective=Objective.THRESHOLD_CURRENT, *,
                     near: float | None = None, gain_model=None, thermal=None, constraints: Sequence[Constraint] = (),
                     search_width: float = 40.0, current_range=(1e-3, 1e5), evaluators=None):
    """Scores and constraint violations of given designs, exactly as :func:`optimize` ranks them.

    Parameters are those of :func:`optimize`; ``designs`` is a sequence of parameter dicts.

    Returns
    -------
    (ndarray, ndarray)
        Scores (lower is better) and total violations (0: feasible), one per design.
    """
    problem = _make_problem(space, objective, near, gain_model, thermal, constraints, search_width, current_range,
                            evaluators)
    if isinstance(designs, Mapping):
        raise TypeError("designs must be a sequence of parameter dicts; wrap a single design in a list")
    X = np.array([space.encode(d) for d in designs], dtype=np.float64).reshape(-1, space.dimension)
    return problem.evaluate(X)


def optimize(space: DesignSpace, objective=Objective.THRESHOLD_CURRENT, *, near: float | None = None,
             gain_model=None, thermal=None, constraints: Sequence[Constraint] = (), budget: int = 2000,
             population_size: int | None = None, seed: int | None = None, strategy: str = "best1bin",
             mutation=(0.5, 1.0), recombination: float = 0.9, tol: float = 0.01, polish: bool | int = True,
             workers: Callable | None = None, chunksize: int | None = None, checkpoint=None,
             checkpoint_every: int = 1, resume: bool = False, progress: bool | Callable = False,
             callback: Callable | None = None, search_width: float = 40.0, current_range=(1e-3, 1e5),
             evaluators: Mapping[type, Any] | None = None, report: bool = True,
             worker_timeout: float | None = None) -> DesignResult:
    """Minimise a threshold objective over a design space by differential evolution, then polish.

    Parameters
    ----------
    space : DesignSpace
    objective : Objective or callable, default Objective.THRESHOLD_CURRENT
        ``THRESHOLD_CURRENT`` (A/cm^2; needs ``gain_model``), ``THRESHOLD_GAIN`` (cm^-1), or
        ``f(objects, parameters) -> scores`` (see the module docstring).
    near : float
        Design wavelength (nm): start of every pole search; required by the threshold objectives
        and by threshold constraints.
    gain_model : QDGainModel
        For ``THRESHOLD_CURRENT``.
    thermal : ThermalModel, ThermalFromStack or callable, optional
        Self-heating: the gain at J is taken at ``thermal.temperature_rise(J)``; designs past the
        rollover are unreachable.  One :class:`cavity.ThermalModel` is shared by every design;
        :class:`ThermalFromStack` (or any callable ``design -> ThermalModel``) gives each design
        its own ``V(J)`` and ``dT(J)`` from its layers (cached by design), then currents heating
        the QD film by more than :data:`cavity.lasing.current.MAX_TEMPERATURE_RISE_K` are not
        tried, as in :func:`cavity.threshold_current`.
    constraints : sequence of Constraint
        :class:`WavelengthWindow`, :class:`TotalThickness`, :class:`LayerThickness`,
        :class:`SideModeMargin`, :class:`ThermalLimit`, :class:`MaxVoltage`.
    budget : int
        Maximum number of DE evaluations (the initial population included); generations run while
        a whole one fits.  The polish evaluations come on top (at most ``polish``).
    population_size : int, optional
        Default ``clip(10 * dimension, 15, 60)``.
    seed : int, optional
        Seeds ``numpy.random.default_rng``; drawn (and returned in the result) when omitted.
    strategy : {"best1bin", "rand1bin"}
    mutation : float or (float, float)
        Differential weight F, or a range from which F is drawn every generation (dithering).
    recombination : float
        Crossover probability CR in [0, 1].
    tol : float
        Stop when all members are feasible and ``std(scores) <= tol * |mean(scores)|``
        (scipy's criterion); 0 runs the whole budget.
    polish : bool or int
        Local polish of the best design (Nelder-Mead on the continuous parameters, integers and
        choices fixed); an int sets its maximum evaluations (True: 40 per continuous parameter).
    workers : callable, optional
        A map-like callable ``workers(func, iterable)``: ``ProcessPoolExecutor().map``, a Dask
        ``Client.map`` (futures are gathered), ``multiprocessing.Pool().map`` or the builtin ``map``.
        The population is split into chunks of ``chunksize`` designs evaluated by a module-level
        function; in a worker process the numba kernels run on one thread (the pool supplies the
        parallelism).  Any start method works, also ``fork`` after this process ran threaded
        kernels (see :mod:`cavity._jit`).  A worker process that dies makes the search raise a
        RuntimeError naming the generation (``ProcessPoolExecutor``: its BrokenProcessPool;
        ``multiprocessing.Pool``, which would wait forever: its processes are watched); for other
        maps set ``worker_timeout``.  ``None`` evaluates each generation in one batched call in
        this process.
    chunksize : int, optional
        Designs per chunk.  Default ``ceil(population / (CHUNKS_PER_WORKER * workers))`` (one
        chunk per worker and generation, measured fastest in benchmarks/bench_design.py; the
        number of workers is read from the executor, pool or Dask client, else the CPU count):
        each chunk ships the problem once and is one batched evaluation, so fewer, larger chunks
        pay.  Smaller chunks balance designs of very different cost.  The results do not depend
        on it.
    worker_timeout : float, optional
        Seconds one generation may take on ``workers``; longer raises a RuntimeError naming the
        generation (a hung or silently lost worker).  ``None``: no limit.
    checkpoint : path, optional
        Directory (created) to which the search state is committed every ``checkpoint_every``
        generations (but at most once per ``CHECKPOINT_MIN_INTERVAL_S`` = 0.5 s), at the end
        and on Ctrl-C: a checksummed JSON commit record (fsync'd, renamed
        atomically) and the archive appended in checksummed ``.npz`` chunks; plain data only.
        An existing path that is not such a directory is refused, never overwritten.
    resume : bool
        Continue from ``checkpoint`` if it exists.  The whole problem must be the same (space,
        build function and its source, ``fixed``, objective, ``near``, ``search_width``, models,
        constraints, ``current_range``, evaluators, seed and DE settings; ``budget`` may grow):
        otherwise, and for corrupted, truncated or foreign files, a ValueError names the file and
        the difference.  The resumed run evaluates exactly the designs an uninterrupted run would.
    progress : bool or callable
        True prints one line per generation (generation, best score, evaluations/s); a callable
        receives the :class:`GenerationRecord`.
    callback : callable, optional
        ``callback(record)`` after each generation; returning True stops the search
        (``stopped_early``).  A KeyboardInterrupt (Ctrl-C) also stops it and returns the best
        design so far; the generation in progress is discarded and redone on resume.
    search_width : float
        Half width (nm) of the wavelength window of the pole searches and of the final report.
    current_range : (float, float)
        Current densities (A/cm^2) tabulated for J_th; the upper end is ``J_cap``.
    evaluators : mapping type -> evaluator, optional
        Extra or overriding evaluators (see :class:`StackEvaluator`), on top of the registry.
    report : bool
        Compute the full threshold report of the best design.

    Returns
    -------
    DesignResult

    Raises
    ------
    ValueError, TypeError
        Each names the bad argument.
    """
    problem = _make_problem(space, objective, near, gain_model, thermal, constraints, search_width, current_range,
                            evaluators)
    objective, settings, registry = problem.objective, problem.settings, problem.registry
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        raise ValueError(f"budget must be a positive integer number of evaluations, got {budget!r}")
    dim = space.dimension
    n_pop = int(np.clip(10 * dim, 15, 60)) if population_size is None else population_size
    if isinstance(n_pop, bool) or not isinstance(n_pop, (int, np.integer)) or n_pop < 4:
        raise ValueError(f"population_size must be an integer >= 4, got {population_size!r}")
    if budget < n_pop:
        raise ValueError(f"budget={budget!r} is smaller than the population_size={n_pop} (one generation)")
    if strategy not in ("best1bin", "rand1bin"):
        raise ValueError(f"strategy must be 'best1bin' or 'rand1bin', got {strategy!r}")
    if isinstance(mutation, (tuple, list)):
        if len(mutation) != 2 or not 0 <= mutation[0] <= mutation[1] <= 2:
            raise ValueError(f"mutation range must be (low, high) with 0 <= low <= high <= 2, got {mutation!r}")
        mutation = (float(mutation[0]), float(mutation[1]))
    elif not 0 < require_scalar_finite(mutation, "mutation") <= 2:
        raise ValueError(f"mutation must be in (0, 2], got {mutation!r}")
    if not 0 <= require_scalar_finite(recombination, "recombination") <= 1:
        raise ValueError(f"recombination must be in [0, 1], got {recombination!r}")
    if not require_scalar_finite(tol, "tol") >= 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    if workers is not None and not callable(workers):
        raise TypeError(f"workers must be a map-like callable (e.g. ProcessPoolExecutor().map), got {workers!r}")
    if isinstance(checkpoint_every, bool) or not isinstance(checkpoint_every, (int, np.integer)) or checkpoint_every < 1:
        raise ValueError(f"checkpoint_every must be a positive integer, got {checkpoint_every!r}")
    if resume and checkpoint is None:
        raise ValueError("resume=True needs checkpoint=<path>")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy) % (2 ** 63)  # type: ignore[arg-type]  # an int by default
    elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    if chunksize is not None and (isinstance(chunksize, bool) or not isinstance(chunksize, (int, np.integer))
                                  or chunksize < 1):
        raise ValueError(f"chunksize must be a positive integer number of designs or None, got {chunksize!r}")
    if worker_timeout is not None and not require_scalar_finite(worker_timeout, "worker_timeout") > 0:
        raise ValueError(f"worker_timeout must be a positive number of seconds or None, got {worker_timeout!r}")
    if callback is not None and not callable(callback):  # callback=5 failed only after the first generation
        raise TypeError(f"callback must be a callable(record) or None, got {callback!r}")
    if not (isinstance(progress, bool) or callable(progress)):
        raise TypeError(f"progress must be True, False or a callable(record), got {progress!r}")
    run = _Runner(problem, workers, chunksize, worker_timeout)
    lower, upper, integral = space._lower, space._upper, space._integral
    ckpt = None if checkpoint is None else _Checkpoint(checkpoint, _checkpoint_settings(
        problem, seed, n_pop, strategy, mutation, recombination))
    show = (lambda rec: print(f"gen {rec.generation:4d}  best {rec.best_score:.6g}  viol {rec.best_violation:.3g}  "
                              f"evals {rec.n_evaluations}  {rec.evaluations_per_second:.0f} eval/s",
                              file=sys.stdout, flush=True)) if progress is True else (progress or None)

    stopped = False
    message = ""
    state = None
    if resume and ckpt is not None and ckpt.exists():
        state = ckpt.read(dim)
    rng = np.random.default_rng(seed)
    if state is None:
        X0 = _sample(rng, lower, upper, integral, n_pop)
        t0 = time.perf_counter()
        s0, v0 = run(X0, 0)
        rate = n_pop / max(time.perf_counter() - t0, 1e-12)
        state = _State(X0, s0, v0, None, 0, n_pop, [], [X0], [s0], [v0])
        state.history.append(_record(state, rate))
        state.rng_state = rng.bit_generator.state
        if ckpt is not None:
            ckpt.write(state)
        if show:
            show(state.history[-1])
    else:
        rng.bit_generator.state = state.rng_state

    try:
        while True:
            if state.n_eval + n_pop > budget:
                message = f"budget of {budget} evaluations used"
                break
            feas = state.viol == 0
            if tol > 0 and feas.all() and np.all(np.isfinite(state.scores)) and \
                    np.std(state.scores) <= tol * abs(np.mean(state.scores)):
                message = f"converged: population spread below tol={tol}"
                break
            trial = _trials(state, rng, strategy, mutation, recombination, lower, upper, integral)
            t0 = time.perf_counter()
            s, v = run(trial, state.generation + 1)
            rate = n_pop / max(time.perf_counter() - t0, 1e-12)
            take = _better_or_equal(s, v, state.scores, state.viol)
            state = _State(np.where(take[:, None], trial, state.pop), np.where(take, s, state.scores),
                           np.where(take, v, state.viol), rng.bit_generator.state, state.generation + 1,
                           state.n_eval + n_pop, state.history + [], state.archive_X + [trial],
                           state.archive_s + [s], state.archive_v + [v])
            state.history.append(_record(state, rate))
            if ckpt is not None and state.generation % checkpoint_every == 0 and ckpt.due():
                ckpt.write(state)
            if show:
                show(state.history[-1])
            if callback is not None and callback(state.history[-1]):
                stopped, message = True, "stopped by the callback"
                break
    except KeyboardInterrupt:
        stopped, message = True, "interrupted (Ctrl-C): best design so far"
    if ckpt is not None:
        ckpt.write(state, final=True)

    i = _best_index(state.scores, state.viol)
    x, score, viol = state.pop[i].copy(), float(state.scores[i]), float(state.viol[i])
    n_total = state.n_eval
    polished = False
    if polish and not stopped and viol == 0 and np.isfinite(score):
        maxfev = int(polish) if not isinstance(polish, bool) else 40 * int((~integral).sum())
        try:
            x2, s2, used = _polish(problem, x, score, lower, upper, integral, maxfev)
        except KeyboardInterrupt:
            x2, s2, used, stopped = x, score, 0, True
        n_total += used
        if s2 < score:
            x, score, polished = x2, s2, True
    params = space.decode(x)
    design = space.make(params)
    rep = None
    if report and settings is not None and isinstance(objective, Objective):
        ev = evaluator_for(design, registry)
        if hasattr(ev, "report"):
            try:
                rep = ev.report(design, _design_settings(problem, design))
            except ValueError as exc:
                message += f"; report failed: {exc}"
            else:
                message += _report_check(rep, score, objective)
    archive = Archive(space, np.concatenate(state.archive_X), np.concatenate(state.archive_s),
                      np.concatenate(state.archive_v))
    return DesignResult(params, design, score, viol, rep, tuple(state.history), int(n_total), int(state.generation),
                        seed, stopped, polished, message, archive)

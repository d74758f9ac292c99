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
  nearest ``near`` (:func:`cavity.population.threshold_population`), converted from the
  threshold material gain ``g_th`` at the lasing wavelength through the (optionally heated) gain
  model, tabulated once per run on a (log J, lambda) grid.  This is exact up to the table's
  interpolation (relative error ~1e-4) when the cavity mode is much narrower than the gain band;
  the final report of the best design uses the exact dispersive :func:`cavity.threshold_current`.
  A design that cannot reach threshold (``g_th`` above the largest gain the film gives below
  ``J_cap``, or past the thermal rollover) scores
  ``J_cap * (1 + ln(1 + shortfall / g_peak))`` with ``shortfall = g_th - g_avail(lambda)``
  (cm^-1) and ``g_peak`` the peak saturated gain: worse than every reachable design, monotone and
  smooth in the shortfall, so the search can climb towards reachable designs.
* ``Objective.THRESHOLD_GAIN``: ``g_th`` (cm^-1).
* A callable ``f(objects, parameters) -> scores`` (lists of built objects and parameter dicts,
  one score per design, lower is better); wrap a one-design function with :func:`per_design`.

A design whose threshold search does not converge is infeasible with score ``inf`` and the
violation ``NOT_CONVERGED_BASE + |Re lambda_p - near| + Im lambda_p`` (nm) when its passive pole
``lambda_p`` was found (so the search can climb towards designs with a sharp mode near the design
wavelength), :data:`NOT_CONVERGED` otherwise.

Constraints (feasibility rules)
-------------------------------
Each constraint returns a violation >= 0 in its natural unit (nm, cm^-1, K); the violations of a
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
archive of every evaluated design -- is pickled atomically to the checkpoint file.

Units and signs: :mod:`cavity.conventions`.
"""
from __future__ import annotations

import enum
import math
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ._validation import require_scalar_finite
from .layers import Stack

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
]

#: violation given to a design whose threshold search did not converge
NOT_CONVERGED = 1e30
#: Base violation of a design with a passive mode but no threshold in the search window (plus the
#: mode's distance from ``near`` in nm): worse than any converged design's constraint violations.
NOT_CONVERGED_BASE = 1e6
_CHECKPOINT_VERSION = 1


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
class BatchThresholds:
    """Thresholds of a batch of designs (arrays of length D): lasing wavelength (nm), threshold
    material gain (cm^-1, NaN where not converged), converged flags and, optionally, the passive
    pole (complex nm, NaN where none was found) that grades designs whose threshold search failed."""

    wavelength: np.ndarray
    material_gain: np.ndarray
    converged: np.ndarray
    passive_pole: np.ndarray | None = None


@dataclass(frozen=True)
class ThresholdSettings:
    """What an evaluator needs to know about the search (units: nm, cm^-1)."""

    objective: Objective | None
    near: float
    search_width: float
    gain_model: Any = None
    thermal: Any = None


class StackEvaluator:
    """Evaluates planar stacks: batched thresholds through :func:`cavity.population.threshold_population`.

    Designs with different layer counts or gain layers are grouped, one batched call per group.

    The evaluator protocol (what another cavity type, e.g. a DFB grating, must provide):

    * ``thresholds(objects, settings) -> BatchThresholds`` (required);
    * ``side_mode_margins(objects, settings, half_width, wavelengths) -> ndarray`` (cm^-1; only
      for :class:`SideModeMargin`);
    * ``report(obj, settings)``: the full threshold report of the best design (any object).
    """

    def __init__(self, threads: int | None = None):
        self.threads = threads

    def thresholds(self, objects, settings: ThresholdSettings) -> BatchThresholds:
        from .population import threshold_population

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
        return BatchThresholds(lam, g, ok, pole)

    def side_mode_margins(self, objects, settings: ThresholdSettings, half_width: float, wavelengths) -> np.ndarray:
        from .threshold import threshold_modes

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
        from .current import threshold_current
        from .threshold import lasing_threshold

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
        lo, hi = require_scalar_finite(self.low, "WavelengthWindow low"), require_scalar_finite(self.high, "WavelengthWindow high")
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


@dataclass(frozen=True)
class ThermalLimit(Constraint):
    """Temperature rise at J_th at most ``max_temperature_rise_K`` (K); needs the objective
    ``THRESHOLD_CURRENT`` with a ``thermal`` model.  Violation: K above the limit (designs past
    the rollover are already scored as unreachable)."""

    max_temperature_rise_K: float
    needs_thresholds = True

    def __post_init__(self):
        if require_scalar_finite(self.max_temperature_rise_K, "max_temperature_rise_K") <= 0:
            raise ValueError(f"max_temperature_rise_K must be > 0 K, got {self.max_temperature_rise_K!r}")

    def _check(self, settings):
        if settings is None or settings.objective is not Objective.THRESHOLD_CURRENT or settings.thermal is None:
            raise ValueError("ThermalLimit needs objective=Objective.THRESHOLD_CURRENT and a thermal= model")

    def violations(self, ctx):
        j = ctx.current_density
        ok = np.isfinite(j)
        dt = np.zeros(len(j))
        if ok.any():
            dt[ok] = np.asarray(ctx.settings.thermal.temperature_rise(j[ok]), dtype=float)
        return np.maximum(dt - self.max_temperature_rise_K, 0.0)


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


class _GainTable:
    """Heated gain ``G[J, lambda]`` on a log-J x lambda grid, for J_th of many designs at once."""

    N_J = 400

    def __init__(self, model, thermal, near, width, j_range):
        self.lam = np.linspace(near - width, near + width, max(16, int(math.ceil(2 * width / 0.25)) + 1))
        self.logj = np.linspace(math.log(j_range[0]), math.log(j_range[1]), self.N_J)
        js = np.exp(self.logj)
        G = np.empty((js.size, self.lam.size))
        for k, J in enumerate(js):
            dT = float(thermal.temperature_rise(J)) if thermal is not None else 0.0
            G[k] = model.material_gain(J, self.lam, temperature_rise_K=dT)
        self.G = G
        self.j_cap = float(js[-1])
        self.g_peak = max(float(np.max(model.max_gain(self.lam))), 1.0)

    def currents(self, lam, g):
        """(J_th, reachable, shortfall) for wavelengths ``lam`` (nm) and threshold gains ``g`` (cm^-1)."""
        x = np.clip((lam - self.lam[0]) / (self.lam[1] - self.lam[0]), 0.0, self.lam.size - 1 - 1e-9)
        k = x.astype(np.int64)
        w = x - k
        cols = self.G[:, k].T * (1 - w)[:, None] + self.G[:, k + 1].T * w[:, None]  # (D, N_J)
        above = cols >= g[:, None]
        reach = above.any(axis=1)
        first = np.argmax(above, axis=1)
        J = np.full(lam.size, math.inf)
        r = np.nonzero(reach)[0]
        f = first[r]
        zero = f == 0
        J[r[zero]] = 0.0
        rr, ff = r[~zero], f[~zero]
        g0, g1 = cols[rr, ff - 1], cols[rr, ff]
        t = (g[rr] - g0) / (g1 - g0)
        J[rr] = np.exp(self.logj[ff - 1] + t * (self.logj[1] - self.logj[0]))
        shortfall = np.where(reach, 0.0, g - cols.max(axis=1))
        return J, reach, shortfall

    def score(self, lam, g):
        J, reach, short = self.currents(lam, g)
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

    def __getstate__(self):  # the gain table is rebuilt (deterministically) where it is used
        d = dict(self.__dict__)
        d["_table"] = None
        return d

    @property
    def table(self) -> _GainTable:
        if self._table is None:
            s = self.settings
            key = (s.gain_model, s.thermal, s.near, s.search_width, self.j_range)
            try:
                table = _TABLES.get(key)
            except TypeError:  # unhashable model: no cache
                key, table = None, None
            if table is None:
                table = _GainTable(s.gain_model, s.thermal, s.near, s.search_width, self.j_range)
                if key is not None:
                    if len(_TABLES) >= 4:
                        _TABLES.pop(next(iter(_TABLES)))
                    _TABLES[key] = table
            self._table = table
        return self._table

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
            for ev, idx in _by_evaluator(objects, self.registry):
                res = ev.thresholds([objects[i] for i in idx], self.settings)
                lam[idx], g[idx], ok[idx] = res.wavelength, res.material_gain, res.converged
                if res.passive_pole is not None:
                    pole[idx] = res.passive_pole
            ok &= np.isfinite(g) & np.isfinite(lam)
            ctx.wavelength, ctx.material_gain, ctx.converged = lam, g, ok
            unconverged = _unconverged_violation(pole, self.settings.near)
        if isinstance(self.objective, Objective):
            ok = ctx.converged
            score = np.full(D, math.inf)
            if self.objective is Objective.THRESHOLD_GAIN:
                score[ok] = ctx.material_gain[ok]
            else:
                if ok.any():
                    s, J = self.table.score(ctx.wavelength[ok], ctx.material_gain[ok])
                    score[ok] = s
                    ctx.current_density[ok] = J
            ctx.violation = np.where(ok, 0.0, unconverged)
        else:
            score = np.asarray(self.objective(objects, params), dtype=np.float64).reshape(-1)
            if score.size != D:
                raise ValueError(f"the objective returned {score.size} scores for {D} designs; a one-design "
                                 f"function must be wrapped with cavity.design.per_design")
            score = np.where(np.isnan(score), math.inf, score)
            if self.settings is not None:
                ctx.violation = np.where(ctx.converged, 0.0, unconverged)
        for c in self.constraints:
            v = np.asarray(c.violations(ctx), dtype=np.float64)
            ctx.violation = np.minimum(ctx.violation + np.where(np.isnan(v), NOT_CONVERGED, v), NOT_CONVERGED)
        return score, ctx.violation


def _unconverged_violation(passive_pole, near):
    """Violation of designs whose threshold search failed: :data:`NOT_CONVERGED_BASE` plus the
    distance (nm) of their passive pole from ``near`` and its half-width ``Im lambda`` (nm), so that
    the search climbs towards designs with a sharp mode near the design wavelength;
    :data:`NOT_CONVERGED` where no passive pole was found."""
    pole = np.asarray(passive_pole, dtype=np.complex128)
    graded = NOT_CONVERGED_BASE + np.abs(pole.real - near) + np.abs(pole.imag)
    return np.where(np.isfinite(graded), np.minimum(graded, NOT_CONVERGED), NOT_CONVERGED)


def _evaluate_chunk(task):
    """Module-level (picklable) worker function: ``(problem, X) -> (scores, violations)``."""
    problem, X = task
    return problem.evaluate(X)


# ================================================================================================
# Results
# ================================================================================================
@dataclass(frozen=True)
class GenerationRecord:
    """One generation: best and mean score of the feasible members (NaN if none), the best
    violation, evaluations so far and evaluations per second in that generation."""

    generation: int
    best_score: float
    mean_score: float
    best_violation: float
    n_evaluations: int
    evaluations_per_second: float


@dataclass(frozen=True, eq=False)
class Archive:
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


@dataclass(frozen=True, eq=False)
class DesignResult:
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
    """Everything needed to continue a run (pickled into the checkpoint)."""

    def __init__(self, pop, scores, viol, rng_state, generation, n_eval, history, archive_X, archive_s, archive_v):
        self.pop, self.scores, self.viol = pop, scores, viol
        self.rng_state = rng_state
        self.generation, self.n_eval = generation, n_eval
        self.history = history
        self.archive_X, self.archive_s, self.archive_v = archive_X, archive_s, archive_v


class _Runner:
    def __init__(self, problem, workers, chunksize):
        self.problem = problem
        self.workers = workers
        self.chunksize = chunksize

    def __call__(self, X):
        if self.workers is None:
            return self.problem.evaluate(X)
        n = X.shape[0]
        size = self.chunksize or max(1, math.ceil(n / (os.cpu_count() or 1)))
        tasks = [(self.problem, X[i:i + size]) for i in range(0, n, size)]
        out = list(self.workers(_evaluate_chunk, tasks))
        out = [r.result() if hasattr(r, "result") and callable(r.result) else r for r in out]
        return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])


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


def _write_checkpoint(path, header, state):
    path = os.fspath(path)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".design-ckpt-", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump({"version": _CHECKPOINT_VERSION, "header": header, "state": state}, f, protocol=5)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read_checkpoint(path, header):
    with open(path, "rb") as f:
        data = pickle.load(f)
    if not isinstance(data, dict) or data.get("version") != _CHECKPOINT_VERSION:
        raise ValueError(f"checkpoint {os.fspath(path)!r} is not a qdcavity design checkpoint (version {_CHECKPOINT_VERSION})")
    for key, val in header.items():
        if data["header"].get(key) != val:
            raise ValueError(f"checkpoint {os.fspath(path)!r} was written with {key}={data['header'].get(key)!r}, "
                             f"this run has {key}={val!r}")
    return data["state"]


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
        from .gain import QDGainModel

        if not isinstance(gain_model, QDGainModel):
            raise TypeError(f"gain_model must be a cavity.QDGainModel for Objective.THRESHOLD_CURRENT, got {gain_model!r}")
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
             evaluators: Mapping[type, Any] | None = None, report: bool = True) -> DesignResult:
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
    thermal : ThermalModel, optional
        Self-heating: the gain at J is taken at ``thermal.temperature_rise(J)``; designs past the
        rollover are unreachable.
    constraints : sequence of Constraint
        :class:`WavelengthWindow`, :class:`TotalThickness`, :class:`LayerThickness`,
        :class:`SideModeMargin`, :class:`ThermalLimit`.
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
        ``Client.map`` (futures are gathered) or the builtin ``map``.  The population is split into
        chunks (``chunksize`` designs; default one per CPU) evaluated by a module-level function.
        ``None`` evaluates each generation in one batched call in this process.
    checkpoint : path, optional
        File to which the whole search state is written atomically every ``checkpoint_every``
        generations, at the end and on Ctrl-C.
    resume : bool
        Continue from ``checkpoint`` if it exists (the space, seed and DE settings must match);
        the resumed run evaluates exactly the designs an uninterrupted run would.
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
        seed = int(np.random.SeedSequence().entropy % (2 ** 63))
    elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    run = _Runner(problem, workers, chunksize)
    lower, upper, integral = space._lower, space._upper, space._integral
    header = {"space": space._signature(), "seed": seed, "population_size": n_pop, "strategy": strategy,
              "mutation": mutation, "recombination": float(recombination),
              "objective": objective.value if isinstance(objective, Objective) else "callable"}
    show = (lambda rec: print(f"gen {rec.generation:4d}  best {rec.best_score:.6g}  viol {rec.best_violation:.3g}  "
                              f"evals {rec.n_evaluations}  {rec.evaluations_per_second:.0f} eval/s",
                              file=sys.stdout, flush=True)) if progress is True else (progress or None)

    stopped = False
    message = ""
    state = None
    if resume and os.path.exists(checkpoint):
        state = _read_checkpoint(checkpoint, header)
    rng = np.random.default_rng(seed)
    if state is None:
        X0 = _sample(rng, lower, upper, integral, n_pop)
        t0 = time.perf_counter()
        s0, v0 = run(X0)
        rate = n_pop / max(time.perf_counter() - t0, 1e-12)
        state = _State(X0, s0, v0, None, 0, n_pop, [], [X0], [s0], [v0])
        state.history.append(_record(state, rate))
        state.rng_state = rng.bit_generator.state
        if checkpoint is not None:
            _write_checkpoint(checkpoint, header, state)
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
            s, v = run(trial)
            rate = n_pop / max(time.perf_counter() - t0, 1e-12)
            take = _better_or_equal(s, v, state.scores, state.viol)
            state = _State(np.where(take[:, None], trial, state.pop), np.where(take, s, state.scores),
                           np.where(take, v, state.viol), rng.bit_generator.state, state.generation + 1,
                           state.n_eval + n_pop, state.history + [], state.archive_X + [trial],
                           state.archive_s + [s], state.archive_v + [v])
            state.history.append(_record(state, rate))
            if checkpoint is not None and state.generation % checkpoint_every == 0:
                _write_checkpoint(checkpoint, header, state)
            if show:
                show(state.history[-1])
            if callback is not None and callback(state.history[-1]):
                stopped, message = True, "stopped by the callback"
                break
    except KeyboardInterrupt:
        stopped, message = True, "interrupted (Ctrl-C): best design so far"
    if checkpoint is not None:
        _write_checkpoint(checkpoint, header, state)

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
                rep = ev.report(design, settings)
            except ValueError as exc:
                message += f"; report failed: {exc}"
    archive = Archive(space, np.concatenate(state.archive_X), np.concatenate(state.archive_s),
                      np.concatenate(state.archive_v))
    return DesignResult(params, design, score, viol, rep, tuple(state.history), int(n_total), int(state.generation),
                        seed, stopped, polished, message, archive)

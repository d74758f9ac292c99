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

The code lives in :mod:`cavity.design.space` (parameters), :mod:`cavity.design.evaluators`
(objectives, evaluators, thermal models, gain tables), :mod:`cavity.design.constraints`,
:mod:`cavity.design.de` (the DE engine and checkpoints) and here (the evaluation problem,
:func:`optimize`, :func:`evaluate_designs` and their results); this module re-exports the public
names of all of them.
"""
from __future__ import annotations

import dataclasses
import math
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from .._validation import require_scalar_finite
from ..layers import Stack
from ..results import Result, to_jsonable
from .constraints import (
    NOT_CONVERGED,
    NOT_CONVERGED_BASE,
    Constraint,
    SideModeMargin,
)
from .de import (
    Strategy,
    _best_index,
    _better_or_equal,
    _Checkpoint,
    _checkpoint_settings,
    _polish,
    _record,
    _Runner,
    _sample,
    _State,
    _trials,
)
from .evaluators import (
    _MAX_TABLES,
    _TABLES,
    BatchObjective,
    Objective,
    ThresholdSettings,
    _by_evaluator,
    _film_model,
    _gain_film_thickness,
    _gain_host,
    _GainTable,
    _is_per_design,
    Evaluator,
    ReportingEvaluator,
    evaluator_for,
    evaluator_registry,
)
from .space import DesignSpace

__all__ = ["Archive", "DesignResult", "optimize", "evaluate_designs", "SearchSettings", "ThresholdProblem", "DESettings",
           "RunSettings"]



# ================================================================================================
# The evaluation problem (picklable: shipped to process / Dask workers)
# ================================================================================================
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
    #: QD-film temperature rise (K) and device voltage (V) at J_th (NaN where J_th is not finite or
    #: there is no thermal model; filled by ``_Problem._heating_at_threshold`` before the constraints)
    temperature_rise: np.ndarray = dataclasses.field(init=False)
    voltage: np.ndarray = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.temperature_rise = np.full(len(self.objects), np.nan)
        self.voltage = np.full(len(self.objects), np.nan)


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



# ================================================================================================
# Results
# ================================================================================================
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
                                  (:class:`~cavity.lasing.ThresholdCurrent` or :class:`~cavity.lasing.Threshold`);
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
# The search
# ================================================================================================
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
    registry = evaluator_registry()
    if evaluators:
        for cls, ev in evaluators.items():
            if not isinstance(cls, type) or not callable(getattr(ev, "thresholds", None)):
                raise TypeError(f"evaluators must map types to objects with a thresholds() method, got {cls!r}: {ev!r}")
        registry.update(evaluators)

    return _Problem(space, objective, constraints, settings, registry, (j_lo, j_hi))


# ================================================================================================
# Settings of a search
# ================================================================================================
@dataclass(frozen=True)
class ThresholdProblem:
    """What a design is scored and constrained with (everything that changes a score).

    Parameters
    ----------
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
    search_width : float
        Half width (nm) of the wavelength window of the pole searches and of the final report.
    current_range : (float, float)
        Current densities (A/cm^2) tabulated for J_th; the upper end is ``J_cap``.
    evaluators : mapping type -> Evaluator, optional
        Extra or overriding evaluators (the protocol :class:`Evaluator`), on top of the registry
        (:func:`evaluator_registry`).
    """

    near: float | None = None
    gain_model: Any = None
    thermal: Any = None
    constraints: Sequence[Constraint] = ()
    search_width: float = 40.0
    current_range: tuple[float, float] = (1e-3, 1e5)
    evaluators: Mapping[type, Evaluator] | None = None

    def __post_init__(self):
        if isinstance(self.constraints, list):  # immutable like the rest
            object.__setattr__(self, "constraints", tuple(self.constraints))


@dataclass(frozen=True)
class DESettings:
    """The differential evolution and its polish (they change which designs are tried).

    Parameters
    ----------
    budget : int
        Maximum number of DE evaluations (the initial population included); generations run while
        a whole one fits.  The polish evaluations come on top (at most ``polish``).
    population_size : int, optional
        Default ``clip(10 * dimension, 15, 60)``.
    seed : int, optional
        Seeds ``numpy.random.default_rng``; drawn (and returned in the result) when omitted.
    strategy : Strategy or {"best1bin", "rand1bin"}
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
    """

    budget: int = 2000
    population_size: int | None = None
    seed: int | None = None
    strategy: Strategy | str = Strategy.BEST1BIN
    mutation: float | tuple[float, float] = (0.5, 1.0)
    recombination: float = 0.9
    tol: float = 0.01
    polish: bool | int = True


@dataclass(frozen=True)
class RunSettings:
    """How a search runs: workers, checkpoints, progress, callback and report (the results do not
    depend on the workers or the chunks; a resumed run equals an uninterrupted one).

    Parameters
    ----------
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
    report : bool
        Compute the full threshold report of the best design.

    """

    workers: Callable | None = None
    chunksize: int | None = None
    worker_timeout: float | None = None
    checkpoint: Any = None
    checkpoint_every: int = 1
    resume: bool = False
    progress: bool | Callable = False
    callback: Callable | None = None
    report: bool = True


@dataclass(frozen=True)
class SearchSettings:
    """Everything :func:`optimize` needs besides the space and the objective: the
    :class:`ThresholdProblem`, the :class:`DESettings` and the :class:`RunSettings`.

    ``SearchSettings(ThresholdProblem(near=625.0, gain_model=model), DESettings(budget=600, seed=1))``;
    :meth:`from_keywords` builds one from the keywords :func:`optimize` used to take.
    """

    problem: ThresholdProblem = dataclasses.field(default_factory=ThresholdProblem)
    de: DESettings = dataclasses.field(default_factory=DESettings)
    run: RunSettings = dataclasses.field(default_factory=RunSettings)

    def __post_init__(self):
        for name, cls in (("problem", ThresholdProblem), ("de", DESettings), ("run", RunSettings)):
            if not isinstance(getattr(self, name), cls):
                raise TypeError(f"SearchSettings {name} must be a cavity.design.{cls.__name__}, "
                                f"got {getattr(self, name)!r}")

    @classmethod
    def from_keywords(cls, **keywords: Any) -> SearchSettings:
        """The settings of the keywords :func:`optimize` took before (``near=``, ``budget=``,
        ``workers=``, ...): each goes to the group that has a field of its name."""
        parts: dict[type, dict] = {ThresholdProblem: {}, DESettings: {}, RunSettings: {}}
        for key, value in keywords.items():
            group = _KEYWORD_GROUP.get(key)
            if group is None:
                raise TypeError(f"optimize() got an unexpected keyword argument {key!r}")
            parts[group][key] = value
        return cls(ThresholdProblem(**parts[ThresholdProblem]), DESettings(**parts[DESettings]),
                   RunSettings(**parts[RunSettings]))


#: keyword of the old optimize signature -> the settings group with that field
_KEYWORD_GROUP: dict[str, type] = {f.name: group for group in (ThresholdProblem, DESettings, RunSettings)
                                   for f in dataclasses.fields(group)}


def _problem_settings(problem, keywords) -> ThresholdProblem:
    if problem is None:
        unknown = [k for k in keywords if _KEYWORD_GROUP.get(k) is not ThresholdProblem]
        if unknown:
            raise TypeError(f"evaluate_designs() got an unexpected keyword argument {unknown[0]!r}")
        return ThresholdProblem(**keywords)
    if not isinstance(problem, ThresholdProblem):
        raise TypeError(f"problem must be a cavity.design.ThresholdProblem, got {problem!r}")
    if keywords:
        raise TypeError(f"give either problem= or the keywords {sorted(keywords)}, not both")
    return problem


def _search_settings(settings, keywords) -> SearchSettings:
    if settings is None:
        return SearchSettings.from_keywords(**keywords)
    if not isinstance(settings, SearchSettings):
        raise TypeError(f"settings must be a cavity.design.SearchSettings, got {settings!r}")
    if keywords:
        raise TypeError(f"give either settings= or the keywords {sorted(keywords)}, not both "
                        f"(dataclasses.replace changes one field of the settings)")
    return settings


def evaluate_designs(space: DesignSpace, designs: Sequence[Mapping[str, Any]],
                     objective: Objective | BatchObjective = Objective.THRESHOLD_CURRENT, *,
                     problem: ThresholdProblem | None = None,
                     **keywords: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Scores and constraint violations of given designs, exactly as :func:`optimize` ranks them.

    Parameters
    ----------
    space, objective
        As for :func:`optimize`.
    designs : sequence of dict
        Parameter dicts.
    problem : ThresholdProblem, optional
        ``near``, models, constraints, ... (the ``problem`` of the :class:`SearchSettings`).
    **keywords
        The fields of :class:`ThresholdProblem` as keywords (``near=``, ``gain_model=``, ...): the
        older form, kept for one release; not together with ``problem``.

    Returns
    -------
    (ndarray, ndarray)
        Scores (lower is better) and total violations (0: feasible), one per design.
    """
    tp = _problem_settings(problem, keywords)
    evaluation = _make_problem(space, objective, tp.near, tp.gain_model, tp.thermal, tp.constraints, tp.search_width,
                               tp.current_range, tp.evaluators)
    if isinstance(designs, Mapping):
        raise TypeError("designs must be a sequence of parameter dicts; wrap a single design in a list")
    X = np.array([space.encode(d) for d in designs], dtype=np.float64).reshape(-1, space.dimension)
    return evaluation.evaluate(X)


def optimize(space: DesignSpace, objective: Objective | BatchObjective = Objective.THRESHOLD_CURRENT, *,
             settings: SearchSettings | None = None, **keywords: Any) -> DesignResult:
    """Minimise a threshold objective over a design space by differential evolution, then polish.

    Parameters
    ----------
    space : DesignSpace
    objective : Objective or callable, default Objective.THRESHOLD_CURRENT
        ``THRESHOLD_CURRENT`` (A/cm^2; needs ``gain_model``), ``THRESHOLD_GAIN`` (cm^-1), or
        ``f(objects, parameters) -> scores`` (see the module docstring).
    settings : SearchSettings, optional
        The :class:`ThresholdProblem` (``near``, ``gain_model``, ``thermal``, ``constraints``,
        ``search_width``, ``current_range``, ``evaluators``), the :class:`DESettings` (``budget``,
        ``population_size``, ``seed``, ``strategy``, ``mutation``, ``recombination``, ``tol``,
        ``polish``) and the :class:`RunSettings` (``workers``, ``chunksize``, ``worker_timeout``,
        ``checkpoint``, ``checkpoint_every``, ``resume``, ``progress``, ``callback``,
        ``report``); each field is documented on its class.  Default: all defaults.
    **keywords
        The same fields as keywords (``near=625.0, budget=600, workers=pool.map``): the older
        form, kept for one release (:meth:`SearchSettings.from_keywords`); the same results and
        checkpoint fingerprints as the settings.  Not together with ``settings``.

    Returns
    -------
    DesignResult

    Raises
    ------
    ValueError, TypeError
        Each names the bad argument.
    """
    search = _search_settings(settings, keywords)
    tp, de, rs = search.problem, search.de, search.run
    budget, population_size, seed, strategy = de.budget, de.population_size, de.seed, de.strategy
    mutation, recombination, tol, polish = de.mutation, de.recombination, de.tol, de.polish
    workers, chunksize, worker_timeout, checkpoint = rs.workers, rs.chunksize, rs.worker_timeout, rs.checkpoint
    checkpoint_every, resume, progress, callback, report = (rs.checkpoint_every, rs.resume, rs.progress, rs.callback,
                                                            rs.report)
    problem = _make_problem(space, objective, tp.near, tp.gain_model, tp.thermal, tp.constraints, tp.search_width,
                            tp.current_range, tp.evaluators)
    objective, settings, registry = problem.objective, problem.settings, problem.registry
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        raise ValueError(f"budget must be a positive integer number of evaluations, got {budget!r}")
    dim = space.dimension
    n_pop = int(np.clip(10 * dim, 15, 60)) if population_size is None else population_size
    if isinstance(n_pop, bool) or not isinstance(n_pop, (int, np.integer)) or n_pop < 4:
        raise ValueError(f"population_size must be an integer >= 4, got {population_size!r}")
    if budget < n_pop:
        raise ValueError(f"budget={budget!r} is smaller than the population_size={n_pop} (one generation)")
    strategy = Strategy.parse(strategy)
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
        if isinstance(ev, ReportingEvaluator):
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

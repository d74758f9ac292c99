"""What a design search evaluates: the built-in objectives, the thresholds of a batch of designs,
the evaluator registry (:class:`StackEvaluator` for planar stacks), per-design thermal models
(:class:`ThermalFromStack`) and the heated gain tables that turn threshold gains into J_th.

Part of :mod:`cavity.design`.  Units and signs: :mod:`cavity.conventions`.
"""
from __future__ import annotations

import dataclasses
import enum
import importlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import require_scalar_finite
from ..layers import Stack
from ..results import Result

if TYPE_CHECKING:  # for the annotations only: the methods import these modules where they use them
    from ..gain.thermal import ThermalModel
    from ..lasing.current import ThresholdCurrent
    from ..lasing.threshold import Threshold

__all__ = [
    "Objective",
    "per_design",
    "BatchObjective",
    "BatchThresholds",
    "ThresholdSettings",
    "StackEvaluator",
    "Evaluator",
    "SideModeEvaluator",
    "ReportingEvaluator",
    "register_evaluator",
    "evaluator_for",
    "evaluator_registry",
    "ThermalFromStack",
]


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


#: A batched objective for :func:`cavity.design.optimize`: ``f(objects, parameters) -> scores``, the
#: built designs and their parameter dicts (one score per design, lower is better).
BatchObjective = Callable[[list[Any], list[dict[str, Any]]], ArrayLike]


def per_design(func: Callable[[Any, dict], float]) -> BatchObjective:
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

    def __init__(self, threads: int | None = None, complete: bool = True) -> None:
        self.threads = threads
        if not isinstance(complete, bool):
            raise TypeError(f"complete must be True or False, got {complete!r}")
        self.complete = complete

    def thresholds(self, objects: Sequence[Stack], settings: ThresholdSettings) -> BatchThresholds:
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

    def side_mode_margins(self, objects: Sequence[Stack], settings: ThresholdSettings, half_width: float,
                          wavelengths: NDArray[np.float64]) -> NDArray[np.float64]:
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

    def report(self, obj: Stack, settings: ThresholdSettings) -> ThresholdCurrent | Threshold:
        from ..lasing.current import threshold_current
        from ..lasing.threshold import lasing_threshold

        if settings.objective is Objective.THRESHOLD_CURRENT:
            window = (settings.near - settings.search_width, settings.near + settings.search_width)
            return threshold_current(obj, settings.gain_model, window, thermal=settings.thermal)
        return lasing_threshold(obj, settings.near)


@runtime_checkable
class Evaluator(Protocol):
    """What evaluates one type of design for :func:`cavity.design.optimize` (required).

    ``thresholds(objects, settings)`` returns the :class:`BatchThresholds` of a batch of designs
    (wavelength in nm, threshold material gain in cm^-1, NaN and ``converged=False`` where there
    is none).  The optional abilities are the protocols :class:`SideModeEvaluator` (for
    :class:`cavity.design.SideModeMargin`) and :class:`ReportingEvaluator` (the full report of
    the best design).  :class:`StackEvaluator` and :class:`cavity.waveguide.dfb.DFBEvaluator`
    follow all three.
    """

    def thresholds(self, objects: Sequence[Any], settings: ThresholdSettings) -> BatchThresholds:
        ...


@runtime_checkable
class SideModeEvaluator(Evaluator, Protocol):
    """An evaluator that also gives each design's side-mode margin (cm^-1): the threshold gain of
    the next mode within ``near +- half_width`` (nm) minus that of the lasing mode at
    ``wavelengths`` (nm); ``-inf`` where no mode was found, ``inf`` where there is no other."""

    def side_mode_margins(self, objects: Sequence[Any], settings: ThresholdSettings, half_width: float,
                          wavelengths: np.ndarray) -> np.ndarray:
        ...


@runtime_checkable
class ReportingEvaluator(Evaluator, Protocol):
    """An evaluator that also gives the full threshold report of one design (any result object;
    ``settings.thermal`` resolved to the design's own model)."""

    def report(self, obj: Any, settings: ThresholdSettings) -> Any:
        ...


#: The built-in evaluators, by import path (``"module:Name"`` of the design type, of the evaluator
#: class): imported and instantiated when a search first needs the registry, so that no module
#: writes into the registry when it is imported.  One place lists every cavity type the search knows.
BUILTIN_EVALUATORS: tuple[tuple[str, str], ...] = (
    ("cavity.layers:Stack", "cavity.design.evaluators:StackEvaluator"),
    ("cavity.waveguide.dfb:DFBGrating", "cavity.waveguide.dfb:DFBEvaluator"),
)
#: the built-in evaluators once loaded (one instance each per process)
_BUILTIN: dict[type, Evaluator] = {}
#: evaluators of the user's own design types (:func:`register_evaluator`), on top of the built-ins
_REGISTERED: dict[type, Evaluator] = {}


def _load(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _check_evaluator(cls, evaluator, what: str) -> None:
    if not isinstance(cls, type):
        raise TypeError(f"{what}: the design type must be a type, got {cls!r}")
    if not callable(getattr(evaluator, "thresholds", None)):
        raise TypeError(f"{what}: the evaluator of {cls.__name__} must have a thresholds(objects, settings) method "
                        f"(the protocol cavity.design.Evaluator), got {evaluator!r}")


def evaluator_registry() -> dict[type, Evaluator]:
    """The registry a search starts from (a new dict): the built-in evaluators
    (:data:`BUILTIN_EVALUATORS`, loaded on first use) and then those of :func:`register_evaluator`,
    which override a built-in one of the same type."""
    if not _BUILTIN:
        loaded = {}
        for cls_path, ev_path in BUILTIN_EVALUATORS:
            cls, ev = _load(cls_path), _load(ev_path)()
            _check_evaluator(cls, ev, f"built-in evaluator {ev_path}")
            loaded[cls] = ev
        _BUILTIN.update(loaded)
    return {**_BUILTIN, **_REGISTERED}


def register_evaluator(cls: type, evaluator: Evaluator) -> None:
    """Let :func:`optimize` evaluate designs of type ``cls`` (and subclasses) with ``evaluator``.

    ``evaluator`` follows the protocol :class:`Evaluator` (optionally :class:`SideModeEvaluator`
    and :class:`ReportingEvaluator`).  The built-in cavity types need no registration
    (:data:`BUILTIN_EVALUATORS`); a search can also take ``evaluators={cls: evaluator}`` for
    itself alone.
    """
    if not isinstance(cls, type):
        raise TypeError(f"cls must be a type, got {cls!r}")
    if not callable(getattr(evaluator, "thresholds", None)):
        raise TypeError(f"evaluator must have a thresholds(objects, settings) method, got {evaluator!r}")
    _REGISTERED[cls] = evaluator


def evaluator_for(obj: object, registry: Mapping[type, Evaluator] | None = None) -> Evaluator:
    """The evaluator registered for ``type(obj)`` or its nearest base class."""
    registry = evaluator_registry() if registry is None else registry
    for cls in type(obj).__mro__:
        if cls in registry:
            return registry[cls]
    raise TypeError(f"no evaluator registered for {type(obj).__name__} objects; the build function must return "
                    f"a cavity.Stack, a cavity.DFBGrating or a type passed to cavity.design.register_evaluator")


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

    def __init__(self, aperture_radius_um: float, *, duty_cycle: float = 1.0,
                 stack_of: Callable[[Any], Stack] | None = None, merge_slabs: bool = True, **options: Any) -> None:
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

    def stack(self, design: object) -> Stack:
        """The layer stack of ``design`` that carries the current (``stack_of``)."""
        st = _default_device_stack(design) if self.stack_of is None else self.stack_of(design)
        if not isinstance(st, Stack):
            raise TypeError(f"stack_of must return a cavity.Stack, got {type(st).__name__}")
        return st

    def __call__(self, design: object) -> ThermalModel:
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


def _by_evaluator(objects, registry):
    groups: dict[int, tuple] = {}
    for i, o in enumerate(objects):
        ev = evaluator_for(o, registry)
        groups.setdefault(id(ev), (ev, []))[1].append(i)
    return [(ev, np.array(idx, dtype=np.int64)) for ev, idx in groups.values()]


# ================================================================================================
# Heated gain tables: J_th of many designs at once (one table per QD film)
# ================================================================================================
#: gain tables of this process (workers receive a new copy of the problem with every chunk)
_TABLES: dict = {}
#: most gain tables kept per process: one per distinct QD film (dot areal density) of the designs
_MAX_TABLES = 256


def _gain_film_thickness(obj):
    """The QD film of a design, ``(thickness_nm, geometry)``, or None when the design type has no known film.

    A :class:`Stack`: the summed thickness of its gain layers.  A grating with ``tooth``,
    ``groove`` (stacks) and ``duty_cycle`` (:class:`cavity.DFBGrating`): the period average
    ``D L_tooth + (1 - D) L_groove`` (the dots per unit area of the patterned film).  ``geometry``
    is the dots the gain layers' material records (:func:`cavity.gain.model.recorded_film_geometry`,
    None when it records none; docs/gain.md s.8): designs whose films differ in thickness or dots
    get their own gain table.
    """
    from ..gain.model import recorded_film_geometry

    def thickness(stack):
        return float(sum(stack.layers[i].thickness for i in stack.gain_layer_indices))

    if isinstance(obj, Stack):
        t = thickness(obj)
        return (t, recorded_film_geometry(obj)) if t else None
    tooth, groove, duty = (getattr(obj, a, None) for a in ("tooth", "groove", "duty_cycle"))
    if isinstance(tooth, Stack) and isinstance(groove, Stack) and duty is not None:
        t = float(duty) * thickness(tooth) if tooth.gain_layer_indices else 0.0
        g = (1.0 - float(duty)) * thickness(groove) if groove.gain_layer_indices else 0.0
        return (t + g, recorded_film_geometry(tooth, groove)) if (t + g) else None
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


def _film_model(model, film):
    """The gain model of a design's QD film ``film = (thickness_nm, geometry)`` of
    :func:`_gain_film_thickness` (:meth:`cavity.QDGainModel.for_film_thickness`), or ``model``
    for None."""
    if film is None:
        return model
    thickness, geometry = film
    return model.for_film_thickness(thickness, "the design's gain layers", geometry=geometry)


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

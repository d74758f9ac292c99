"""Constraints of a design search (feasibility rules): each returns a violation >= 0 in its
natural unit (nm, cm^-1, K, V); the violations of a design are summed and designs are compared by
Deb's feasibility rules (see :mod:`cavity.design.search`).

Part of :mod:`cavity.design`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .._validation import require_scalar_finite
from .evaluators import Objective, SideModeEvaluator, ThresholdSettings, _by_evaluator, _is_per_design

if TYPE_CHECKING:  # search imports this module: the context type for the annotations only
    from .search import _Context

__all__ = [
    "Constraint",
    "WavelengthWindow",
    "TotalThickness",
    "LayerThickness",
    "SideModeMargin",
    "ThermalLimit",
    "MaxVoltage",
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

    def violations(self, ctx: _Context) -> NDArray[np.float64]:
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

    def violations(self, ctx: _Context) -> NDArray[np.float64]:
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

    def violations(self, ctx: _Context) -> NDArray[np.float64]:
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

    def violations(self, ctx: _Context) -> NDArray[np.float64]:
        settings = ctx.settings
        if settings is None:  # optimize refuses this before the search (needs_thresholds)
            raise ValueError("SideModeMargin needs the thresholds: give optimize near=<wavelength in nm>")
        out = np.zeros(len(ctx.objects))
        sel = np.nonzero(ctx.converged & (ctx.violation == 0))[0]
        for ev, idx in _by_evaluator([ctx.objects[i] for i in sel], ctx.registry):
            ii = sel[idx]
            if not isinstance(ev, SideModeEvaluator):
                raise TypeError(f"SideModeMargin: the evaluator {ev!r} has no side_mode_margins method")
            m = ev.side_mode_margins([ctx.objects[i] for i in ii], settings, self.half_width, ctx.wavelength[ii])
            out[ii] = np.maximum(self.minimum - m, 0.0)
        return np.where(np.isfinite(out), out, NOT_CONVERGED)


def _unreachable(ctx):
    """Designs whose threshold search converged but whose J_th is infinite (never reach threshold)."""
    return ctx.converged & np.isinf(ctx.current_density)


def _check_heating(constraint, settings):
    if settings is None or settings.objective is not Objective.THRESHOLD_CURRENT or settings.thermal is None:
        raise ValueError(f"{type(constraint).__name__} needs objective=Objective.THRESHOLD_CURRENT and a thermal= "
                         f"model (a cavity.ThermalModel, or per design cavity.design.ThermalFromStack)")


def _excess_at_threshold(ctx: _Context, values: NDArray[np.float64], limit: float) -> NDArray[np.float64]:
    """How far a quantity at J_th (NaN: none) exceeds ``limit``; :data:`UNREACHABLE_VIOLATION` for
    a design that never reaches threshold."""
    v = np.maximum(np.nan_to_num(values, nan=0.0) - limit, 0.0)
    return np.where(_unreachable(ctx), UNREACHABLE_VIOLATION, v)


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

    def violations(self, ctx: _Context) -> NDArray[np.float64]:
        return _excess_at_threshold(ctx, ctx.temperature_rise, self.max_temperature_rise_K)


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

    def violations(self, ctx: _Context) -> NDArray[np.float64]:
        return _excess_at_threshold(ctx, ctx.voltage, self.volts)

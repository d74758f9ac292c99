"""Design parameters (:class:`Continuous`, :class:`Integer`, :class:`Choice`) and the
:class:`DesignSpace` that builds one design from them.

Part of :mod:`cavity.design` (see :mod:`cavity.design.search` for the search itself).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import numpy as np
from numpy.typing import NDArray

from .._validation import require_scalar_finite

__all__ = ["Continuous", "Integer", "Choice", "DesignSpace"]


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

    def __init__(self, build: Callable[..., Any], parameters: Mapping[str, Continuous | Integer | Choice], *,
                 fixed: Mapping[str, Any] | None = None) -> None:
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

    def decode(self, x: Iterable[float]) -> dict[str, Any]:
        """Parameter dict of one internal vector (integers rounded, choices resolved to their objects)."""
        return {name: p._decode(v) for (name, p), v in zip(self.parameters.items(), x)}

    def encode(self, values: Mapping[str, Any]) -> NDArray[np.float64]:
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

    def make(self, parameters: Mapping[str, Any]) -> Any:
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


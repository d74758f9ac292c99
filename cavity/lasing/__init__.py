"""Lasing as a pole of the stack with gain: the complete mode search, thresholds, threshold currents,
populations and the rate equations."""
from . import threshold, current, population, rate_equations, modesearch
from .threshold import *  # noqa: F401,F403  (the public names of threshold: its __all__)
from .current import *  # noqa: F401,F403  (the public names of current: its __all__)
from .population import *  # noqa: F401,F403  (the public names of population: its __all__)
from .rate_equations import *  # noqa: F401,F403  (the public names of rate_equations: its __all__)
from .modesearch import *  # noqa: F401,F403  (the public names of modesearch: its __all__)

__all__ = threshold.__all__ + current.__all__ + population.__all__ + rate_equations.__all__ + modesearch.__all__

"""Guided modes of slab stacks and distributed-feedback gratings (transfer-matrix and coupled-mode)."""
from . import slab, coupled_mode, dfb, second_order
from .slab import *  # noqa: F401,F403  (the public names of slab: its __all__)
from .coupled_mode import *  # noqa: F401,F403  (the public names of coupled_mode: its __all__)
from .dfb import *  # noqa: F401,F403  (the public names of dfb: its __all__)
from .second_order import *  # noqa: F401,F403  (the public names of second_order: its __all__)

__all__ = slab.__all__ + coupled_mode.__all__ + dfb.__all__ + second_order.__all__

"""Plots (matplotlib): each function returns ``(fig, ax)`` and never calls ``show()``."""
from . import optics, gain, emission
from .optics import *  # noqa: F401,F403  (the public names of optics: its __all__)
from .gain import *  # noqa: F401,F403  (the public names of gain: its __all__)
from .emission import *  # noqa: F401,F403  (the public names of emission: its __all__)

__all__ = optics.__all__ + gain.__all__ + emission.__all__

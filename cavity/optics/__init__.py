"""Plane waves through planar stacks: spectra, fields, absorption, incoherent layers and dipole emission."""
from . import spectra, incoherent, emission
from .spectra import *  # noqa: F401,F403  (the public names of spectra: its __all__)
from .incoherent import *  # noqa: F401,F403  (the public names of incoherent: its __all__)
from .emission import *  # noqa: F401,F403  (the public names of emission: its __all__)

__all__ = spectra.__all__ + incoherent.__all__ + emission.__all__

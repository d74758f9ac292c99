"""Optical constants (complex refractive index n + ik, k > 0 absorbs; wavelengths in nm).

See :mod:`materials.base` for the interface every material follows.
"""
from .base import Constant, Material

__all__ = ["Material", "Constant"]

"""Design search: parameter spaces, objectives and constraints, batch evaluators and the optimizer."""
from . import search
from .search import *  # noqa: F401,F403  (the public names of search: its __all__)

__all__ = search.__all__

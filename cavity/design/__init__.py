"""Design search: parameter spaces, objectives and constraints, batch evaluators and the optimizer."""
from . import space, constraints, evaluators, de, search
from .space import *  # noqa: F401,F403  (the public names of space: its __all__)
from .constraints import *  # noqa: F401,F403  (the public names of constraints: its __all__)
from .evaluators import *  # noqa: F401,F403  (the public names of evaluators: its __all__)
from .de import *  # noqa: F401,F403  (the public names of de: its __all__)
from .search import *  # noqa: F401,F403  (the public names of search: its __all__)

__all__ = space.__all__ + constraints.__all__ + evaluators.__all__ + de.__all__ + search.__all__

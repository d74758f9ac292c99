"""The electrically injected CQD gain model and the device's thermal model."""
from . import model, thermal
from .model import *  # noqa: F401,F403  (the public names of model: its __all__)
from .thermal import *  # noqa: F401,F403  (the public names of thermal: its __all__)

__all__ = model.__all__ + thermal.__all__

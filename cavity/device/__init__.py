"""The device around the optics: electrical and thermal paths that follow the layer stack.

* :mod:`.properties`: each material's electrical role, conductivity, mobility, permittivity and
  thermal conductivity, with sources (docs/device.md s.4);
* :mod:`.electrical`: V(J) from the layers (ohmic, Mott-Gurney space-charge-limited, electrode
  spreading in a current-focusing aperture);
* :mod:`.heat`: Joule heat where it is generated, 1D conduction through the layers and
  spreading into the substrate: the QD film's temperature rise.

:meth:`cavity.gain.thermal.ThermalModel.from_stack` wraps them for the rest of the package.
"""
from . import properties, electrical, heat
from .properties import *  # noqa: F401,F403  (the public names of properties: its __all__)
from .electrical import *  # noqa: F401,F403  (the public names of electrical: its __all__)
from .heat import *  # noqa: F401,F403  (the public names of heat: its __all__)

__all__ = properties.__all__ + electrical.__all__ + heat.__all__

"""The device around the optics: electrical and thermal paths that follow the layer stack.

* :mod:`.properties`: each material's electrical role, conductivity, mobility, permittivity and
  thermal conductivity, with sources (docs/device.md s.4);
* :mod:`.electrical`: V(J) from the layers (ohmic, Mott-Gurney space-charge-limited, electrode
  spreading in a current-focusing aperture);
* :mod:`.heat`: Joule heat where it is generated, 1D conduction through the layers and
  spreading into the substrate: the QD film's temperature rise.

:meth:`cavity.gain.thermal.ThermalModel.from_stack` wraps them for the rest of the package.
"""
from .properties import DEVICE_PROPERTIES, DeviceProperties, ElectricalRole, UnknownDeviceMaterial, device_properties
from .electrical import (ElectricalLayer, ElectricalModel, NoConductingPath, disc_spreading_resistance_ohm_cm2,
                         mott_gurney_voltage)
from .heat import HeatModel, ThermalLayer, disc_spreading_resistance

__all__ = [
    "DEVICE_PROPERTIES",
    "DeviceProperties",
    "ElectricalRole",
    "UnknownDeviceMaterial",
    "device_properties",
    "ElectricalLayer",
    "ElectricalModel",
    "NoConductingPath",
    "disc_spreading_resistance_ohm_cm2",
    "mott_gurney_voltage",
    "HeatModel",
    "ThermalLayer",
    "disc_spreading_resistance",
]

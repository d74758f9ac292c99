"""Units and sign conventions of qdcavity -- stated once, referred to everywhere.

Units (public API)
------------------
* lengths, thicknesses and **vacuum** wavelengths: nm
* material gain, modal gain, loss: cm^-1 (power, i.e. intensity, coefficients)
* current density: A/cm^2; time (where it is a parameter): ns; temperature: K
* angles: degrees (the kernels use radians / the in-plane index ``kx = n0 sin(theta0)``)

Signs
-----
* Complex refractive index ``n + i k``; ``k > 0`` absorbs.
* Fields vary as ``exp(i (k z - w t))``.  A plane wave in a medium of index ``n`` therefore
  carries intensity ``exp(-4 pi k z / lambda)``.
* A material power gain ``g > 0`` (cm^-1) is the index ``k = -g * lambda / (4 pi)`` with lambda in
  cm (:func:`gain_to_k`, :func:`k_to_gain`).  Passive materials never have ``k < 0``; gain enters
  only through the gain layers of a stack (``Layer(..., gain=True)``) during a threshold search.
* A mode with complex effective index ``n_eff`` has the modal power gain
  ``g_mod = -(4 pi / lambda) Im(n_eff)``.
* Coupled-mode theory (Kogelnik & Shank 1972) uses ``alpha``, a **field** (amplitude) gain: the
  power gain is ``2 alpha``.

Polarization and amplitudes (the transfer-matrix engine)
--------------------------------------------------------
* ``s`` (TE): amplitudes of E_y.  ``p`` (TM): reflection and transmission coefficients are
  those of the E field with the sign convention of Byrnes' ``tmm`` (``r_p = (n2 cos t1 - n1 cos
  t2)/(n2 cos t1 + n1 cos t2)``, so ``r_p = -r_s`` at normal incidence).
* The normal wave number in layer j is ``k0 q_j`` with ``q_j = sqrt(n_j^2 - kx^2)``.  In the
  semi-infinite media the branch is the physical one (decaying or outgoing); inside the stack the
  result is even in ``q_j``, and the engine picks the half plane ``Re q + Im q > 0`` that keeps
  propagation factors bounded (docs/theory.md s.5.2).
* A pole of ``r`` and ``t`` (outgoing waves with no incoming wave) is a lasing threshold when
  it lies at a real wavelength (docs/theory.md s.3.1).  The threshold solvers find the zero of
  ``1 - r_L r_R`` at a reference plane in the first gain layer, ``r_L`` and ``r_R`` being the
  reflection coefficients looking towards the incident medium and the substrate.

The physics behind these choices: ``../docs/theory.md`` sections 0 and 5.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from materials._checks import HC_EV_NM as _HC_EV_NM

#: nm -> cm
NM_TO_CM = 1e-7
#: elementary charge (C), CODATA 2018 exact
ELEMENTARY_CHARGE = 1.602176634e-19
#: speed of light (nm/ns)
SPEED_OF_LIGHT_NM_PER_NS = 299792458.0
#: Boltzmann constant (eV/K)
BOLTZMANN_EV = 8.617333262e-5
#: h*c in eV*nm (one definition, shared with the optical-constant models of :mod:`materials`)
HC_EV_NM = _HC_EV_NM
#: ``k = -GAIN_TO_K * g * lambda`` for g in cm^-1 and lambda in nm: ``1e-7 / (4 pi)`` (the kernels' form of
#: :func:`gain_to_k`)
GAIN_TO_K = NM_TO_CM / (4.0 * math.pi)


def gain_to_k(gain_per_cm: ArrayLike, wavelength_nm: ArrayLike) -> np.ndarray:
    """Extinction coefficient of a material power gain: ``k = -g lambda / (4 pi)`` (lambda in cm).

    Parameters
    ----------
    gain_per_cm : float or array
        Material power gain g (cm^-1); positive is gain, negative is absorption.
    wavelength_nm : float or array
        Vacuum wavelength (nm).
    """
    return -np.asarray(gain_per_cm) * np.asarray(wavelength_nm) * GAIN_TO_K


def k_to_gain(k: ArrayLike, wavelength_nm: ArrayLike) -> np.ndarray:
    """Material power gain (cm^-1) of an extinction coefficient: ``g = -4 pi k / lambda``."""
    return -4.0 * np.pi * np.asarray(k) / (np.asarray(wavelength_nm) * NM_TO_CM)


def modal_gain_from_neff(n_eff: ArrayLike, wavelength_nm: ArrayLike) -> np.ndarray:
    """Modal power gain (cm^-1) of a mode of complex index: ``g_mod = -(4 pi/lambda) Im n_eff``."""
    return -4.0 * np.pi * np.imag(n_eff) / (np.asarray(wavelength_nm) * NM_TO_CM)

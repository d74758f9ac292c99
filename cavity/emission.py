"""Spontaneous emission of an oscillating dipole inside a planar stack (Purcell factor, power
split, far field), by the transfer-matrix Green's function of planar multilayers.

The formulas, the integration path and the definitions of every fraction are in
``docs/emission.md``; conventions (``n + ik``, ``exp(i(kz - wt))``, p amplitudes of H_y) in
:mod:`cavity.conventions`.
"""
from __future__ import annotations

import enum
import math
import warnings
from dataclasses import dataclass, fields

import numpy as np

from . import _emission_kernels as K
from ._validation import as_float_array, require_finite, require_scalar_finite, require_scalar_wavelength
from .layers import Stack

__all__ = ["Orientation", "DipoleEmission", "dipole_emission"]

#: relative and absolute (in units of the infinite-medium power) targets of every integral
_EPSREL = 1e-9
_EPSABS = 1e-11
_MAXINT = 1000
#: starting intervals of each real-axis segment, doubled (up to _MAX_PIECES) while the real-axis
#: total disagrees with the same integral on the deformed path (a narrow resonance was missed)
_PIECES = 8
_MAX_PIECES = 2048
#: agreement required between the real-axis and deformed-path totals of the radiative region
_CHECK_REL = 1e-7


class Orientation(str, enum.Enum):
    """Dipole orientation relative to the layers: ``"vertical"`` (along the stack normal),
    ``"horizontal"`` (in the plane of the layers) or ``"isotropic"`` (random: 1/3 vertical +
    2/3 horizontal)."""

    VERTICAL = "vertical"
    HORIZONTAL = "horizontal"
    ISOTROPIC = "isotropic"

    @classmethod
    def parse(cls, value) -> "Orientation":
        """An :class:`Orientation` from itself or its name (case-insensitive)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower()
            for member in cls:
                if member.value == key:
                    return member
        raise ValueError(f"orientation must be one of {[m.value for m in cls]}, got {value!r}")

    @property
    def weights(self) -> tuple[float, float, float]:
        """Weights of the (vertical p, horizontal s, horizontal p) components."""
        if self is Orientation.VERTICAL:
            return (1.0, 0.0, 0.0)
        if self is Orientation.HORIZONTAL:
            return (0.0, 1.0, 1.0)
        return (1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0)


def _ro(a):
    if a is None:
        return None
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class DipoleEmission:
    """Emission of one dipole at one vacuum wavelength (result of :func:`dipole_emission`).

    Every ``*_fraction`` and ``absorbed`` entry is a fraction of the dipole's **total** power in
    the stack; they sum to 1: ``incident_fraction + substrate_fraction + guided_fraction +
    sum(absorbed) = 1``.

    Attributes
    ----------
    wavelength : float                 vacuum wavelength (nm)
    layer : int                        index (into ``stack.layers``) of the emitting layer
    position : float                   nm from the layer's incident-side face
    orientation : Orientation
    purcell_factor : float             total power / power of the same dipole in an infinite
                                       medium of the layer's index
    incident_fraction, substrate_fraction : float
                                       radiated into the incident medium / substrate (0 for a
                                       lossy outer medium: its share is in ``absorbed``)
    guided_fraction : float            the evanescent part of the in-plane wavevector integral,
                                       ``kx`` beyond the light lines of both lossless outer media:
                                       guided modes, surface plasmons and near-field absorption
                                       (quenching) together (docs/emission.md s.4)
    absorbed : tuple of float          length ``len(stack) + 2``: incident medium, layers,
                                       substrate; power absorbed from the radiative part
                                       (``kx`` inside a light line) of the emission (0 for the
                                       emitting layer and for lossless media)
    light_line : float                 ``u_rad = max n_outer / n_layer`` over lossless outer media
    angles : ndarray or None           far-field angles (degrees, in each outer medium)
    incident_s, incident_p, substrate_s, substrate_p : ndarray or None
                                       power per steradian (fraction of the total power per sr,
                                       averaged over azimuth) into each lossless outer medium at
                                       ``angles``; None for a lossy outer medium or no ``angles``
    converged : bool                   every integral met its tolerance
    error_estimate : float             estimated absolute error of the Purcell factor
    evaluations : int                  integrand evaluations
    """

    wavelength: float
    layer: int
    position: float
    orientation: Orientation
    purcell_factor: float
    incident_fraction: float
    substrate_fraction: float
    guided_fraction: float
    absorbed: tuple
    light_line: float
    angles: np.ndarray | None
    incident_s: np.ndarray | None
    incident_p: np.ndarray | None
    substrate_s: np.ndarray | None
    substrate_p: np.ndarray | None
    converged: bool
    error_estimate: float
    evaluations: int

    @property
    def absorbed_fraction(self) -> float:
        """Sum of ``absorbed``."""
        return float(sum(self.absorbed))

    @property
    def escape_fraction(self) -> float:
        """``incident_fraction + substrate_fraction``."""
        return self.incident_fraction + self.substrate_fraction

    def to_dict(self) -> dict:
        """Plain Python data (lists for arrays, the orientation as its string)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                v = v.tolist()
            elif isinstance(v, Orientation):
                v = v.value
            elif isinstance(v, tuple):
                v = list(v)
            out[f.name] = v
        return out


def _layer_index(stack: Stack, layer) -> int:
    n = len(stack.layers)
    if isinstance(layer, (bool, np.bool_)):
        raise TypeError(f"layer must be a layer index or name, got {layer!r}")
    if isinstance(layer, (int, np.integer)):
        if not 0 <= int(layer) < n:
            raise ValueError(f"layer must be an index in [0, {n - 1}] of the stack's layers, got {layer!r}")
        return int(layer)
    if isinstance(layer, str):
        hits = [i for i, lay in enumerate(stack.layers) if lay.label == layer]
        if not hits:
            names = [lay.label for lay in stack.layers]
            raise ValueError(f"layer {layer!r} is not a layer name of the stack; names are {names!r}")
        if len(hits) > 1:
            raise ValueError(f"layer name {layer!r} is ambiguous (layers {hits}); pass the index")
        return hits[0]
    raise TypeError(f"layer must be a layer index (int) or name (str), got {layer!r}")


def _u_max(n: np.ndarray, nL: float, u_rad: float) -> float:
    """An in-plane index beyond every guided-mode and surface-plasmon pole (a safe overestimate)."""
    cands = [float(np.max(n.real)) / nL, u_rad, 1.0]
    eps = n * n
    for i in range(len(n) - 1):
        e1, e2 = eps[i], eps[i + 1]
        if (e1.real < 0) != (e2.real < 0) and e1 + e2 != 0:
            cands.append(abs(np.sqrt(e1 * e2 / (e1 + e2))) / nL)
    return 1.2 * max(cands) + 0.2


def _run(kind, a, b, h, pieces, n, d, k0, L, zt, zb, with_flux):
    nv = 3 * (len(n) + 1)
    tot = np.zeros(nv)
    err = np.zeros(nv)
    try:
        conv, ev = K.integrate(kind, float(a), float(b), float(h), int(pieces), n, d, k0, L, zt, zb, with_flux,
                               _EPSREL, _EPSABS, _MAXINT, tot, err)
    except ZeroDivisionError as exc:  # exact 0/0 of the reflection recursion (|n| ~ 1e7 contrasts)
        raise ValueError(f"dipole_emission: the stack's indices {n!r} are too extreme for the reflection "
                         f"recursion (0/0); use |n| <= 1e5") from exc
    return tot, err, bool(conv), int(ev)


def dipole_emission(stack: Stack, layer, wavelength, *, position, orientation="isotropic",
                    angles=None) -> DipoleEmission:
    r"""Emission of an oscillating point dipole inside a lossless layer of a planar stack.

    The power of the dipole is the integral over the normalised in-plane wavevector
    ``u = kx / (k0 n_L)`` of the Green's-function integrand of the planar multilayer (Chance,
    Prock & Silbey, Adv. Chem. Phys. 37, 1 (1978); Sipe, JOSA B 4, 481 (1987)), normalised to
    the power ``P0`` of the same dipole in an infinite medium of index ``n_L``:

    .. math::

        \frac{P_\perp}{P_0} = \frac32 \mathrm{Re}\int_0^\infty \frac{u^3}{w}
            \frac{(1 + a_t^p)(1 + a_b^p)}{1 - a_t^p a_b^p} du,\qquad
        \frac{P_\parallel}{P_0} = \frac34 \mathrm{Re}\int_0^\infty \Big[\frac{u}{w}
            \frac{(1 + a_t^s)(1 + a_b^s)}{1 - a_t^s a_b^s}
            + u w \frac{(1 - a_t^p)(1 - a_b^p)}{1 - a_t^p a_b^p}\Big] du,

    ``w = sqrt(1 - u^2)`` (Im w >= 0), ``a_{t,b} = r_{t,b} exp(2 i k0 n_L w z_{t,b})``, ``r_t``,
    ``r_b`` the stack's reflection coefficients seen from the layer towards the incident medium
    and the substrate (p: H_y amplitudes), ``z_t = position``, ``z_b = thickness - position``.
    The radiative range ``0 <= u <= u_rad`` is integrated on the real axis, where the normal
    Poynting fluxes of the same plane waves give the power radiated into each outer medium and
    absorbed in each layer; the rest (guided modes, surface plasmons, quenching) on a half
    ellipse below the real axis (around the poles, which lie above it) and a real tail.  All
    integrals are adaptive Gauss-Kronrod to about 1e-9 relative.  See ``docs/emission.md``.

    Parameters
    ----------
    stack : Stack
    layer : int or str
        The emitting layer: index into ``stack.layers`` or its unique name.  Its index must be
        real (lossless) at ``wavelength``.
    wavelength : float
        Vacuum wavelength (nm).
    position : float
        Distance of the dipole from the layer's incident-side face (nm), strictly inside the
        layer: ``0 < position < thickness``.
    orientation : {"vertical", "horizontal", "isotropic"} or Orientation, default "isotropic"
        Vertical: along the stack normal; horizontal: in the layer plane; isotropic: the average
        of three orthogonal incoherent dipoles.
    angles : array of float, optional
        Far-field angles (degrees, in [0, 90], measured from the normal in each outer medium).

    Returns
    -------
    DipoleEmission

    Raises
    ------
    ValueError
        For a lossy or gain emitting layer, a position outside the layer, a gain outer medium,
        angles outside [0, 90] degrees.
    """
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
    L_layer = _layer_index(stack, layer)
    wl = require_scalar_wavelength(wavelength)
    orient = Orientation.parse(orientation)
    lay = stack.layers[L_layer]
    pos = require_scalar_finite(position, "position")
    if not 0.0 < pos < lay.thickness:
        raise ValueError(f"position must lie strictly inside layer {L_layer} ({lay.label!r}, "
                         f"0 < position < {lay.thickness:g} nm), got {position!r}")
    ang = None
    if angles is not None:
        ang = as_float_array(angles, "angles").ravel()
        require_finite(ang, "angles")
        if np.any((ang < 0) | (ang > 90)):
            bad = ang[(ang < 0) | (ang > 90)][0]
            raise ValueError(f"angles must be in [0, 90] degrees, got {bad!r}")

    n = np.ascontiguousarray(stack.indices(wl)[:, 0])
    d = np.ascontiguousarray(stack.padded_thicknesses())
    L = L_layer + 1
    M = len(n)
    if not np.all(np.isfinite(n)):
        raise ValueError(f"the stack's indices at {wl:g} nm must be finite, got {n!r}")
    if np.any(n.imag < 0):
        m = int(np.nonzero(n.imag < 0)[0][0])
        raise ValueError(f"dipole_emission needs passive media; medium {m} has k = {n[m].imag!r} < 0 at {wl:g} nm")
    nL = n[L]
    if nL.imag != 0 or nL.real <= 0:
        raise ValueError(f"the emitting layer {L_layer} ({lay.label!r}) must be lossless (real index > 0) at "
                         f"{wl:g} nm, got n = {nL!r}")
    nL = float(nL.real)
    k0 = 2.0 * math.pi / wl
    zt = pos
    zb = lay.thickness - pos
    wts = np.array(orient.weights)
    nb = M + 1

    lossless_outer = [m for m in (0, M - 1) if n[m].imag == 0]
    u_rad = max([n[m].real / nL for m in lossless_outer], default=0.0)
    evaluations = 0
    converged = True
    errsum = np.zeros(3)

    # -- radiative range on the real axis, cross-checked on a deformed path ---------------------
    rad = np.zeros(3 * nb)
    if u_rad > 0:
        bps = sorted({0.0, u_rad, *[n[m].real / nL for m in lossless_outer]} | ({1.0} if 1.0 < u_rad else set()))
        ref, ref_err, conv, ev = _run(K.ELLIPSE, 0.0, u_rad, 0.5 * u_rad, 1, n, d, k0, L, zt, zb, False)
        evaluations += ev
        converged &= conv
        pieces = _PIECES
        while True:
            rad[:] = 0.0
            rad_err = np.zeros(3 * nb)
            conv_all = True
            for a, b in zip(bps[:-1], bps[1:]):
                tot, err, conv, ev = _run(K.REAL_SEGMENT, a, b, 0.0, pieces, n, d, k0, L, zt, zb, True)
                rad += tot
                rad_err += err
                evaluations += ev
                conv_all &= conv
            dev = max(abs(rad[c * nb] - ref[c * nb]) / max(abs(ref[c * nb]), 1e-6) for c in range(3))
            if dev <= _CHECK_REL or pieces >= _MAX_PIECES:
                break
            pieces *= 2
        converged &= conv_all and dev <= _CHECK_REL
        errsum += np.array([ref_err[c * nb] for c in range(3)])
        rad_total = np.array([ref[c * nb] for c in range(3)])
    else:
        rad_total = np.zeros(3)

    # -- evanescent range: half ellipse below the real axis, then the real tail ------------------
    u_max = _u_max(n, nL, u_rad)
    ev_tot, ev_err, conv, ev = _run(K.ELLIPSE, u_rad, u_max, 0.5 * (u_max - u_rad), 4, n, d, k0, L, zt, zb, False)
    evaluations += ev
    converged &= conv
    scale = 1.0 / (2.0 * k0 * nL * min(zt, zb))
    tail, tail_err, conv, ev = _run(K.TAIL, u_max, 0.0, scale, 4, n, d, k0, L, zt, zb, False)
    evaluations += ev
    converged &= conv
    evan = np.array([ev_tot[c * nb] + tail[c * nb] for c in range(3)])
    errsum += np.array([ev_err[c * nb] + tail_err[c * nb] for c in range(3)])

    total = float(wts @ (rad_total + evan))
    if not total > 0:
        raise RuntimeError(f"dipole_emission: non-positive total power {total!r} (please report this stack)")
    # split of the radiative range: fluxes into each medium, weighted by orientation
    flux = sum(wts[c] * rad[c * nb + 1: (c + 1) * nb] for c in range(3))
    inc = float(flux[0]) if n[0].imag == 0 else 0.0
    sub = float(flux[M - 1]) if n[M - 1].imag == 0 else 0.0
    absorbed = flux.copy()
    absorbed[L] = 0.0
    if n[0].imag == 0:
        absorbed[0] = 0.0
    if n[M - 1].imag == 0:
        absorbed[M - 1] = 0.0
    # evanescent share: the total minus the radiative range (the deformed-path total of the
    # radiative range is the more accurate; the real-axis split is rescaled to it when they
    # differ within the check tolerance)
    rad_w = float(wts @ rad_total)
    guided = float(wts @ evan)

    far = {"incident_s": None, "incident_p": None, "substrate_s": None, "substrate_p": None}
    if ang is not None:
        th = np.deg2rad(ang)
        buf = np.zeros(3 * nb)
        for side, m in (("incident", 0), ("substrate", M - 1)):
            if n[m].imag != 0:
                continue
            nm = float(n[m].real)
            s_arr = np.empty(ang.size)
            p_arr = np.empty(ang.size)
            for i, t in enumerate(th):
                if ang[i] == 90.0:  # grazing: no normal power flux (the limit of the propagating side)
                    s_arr[i] = p_arr[i] = 0.0
                    continue
                u = nm * math.sin(t) / nL
                K.far_field(u, n, d, k0, L, zt, zb, buf)
                fac = nm * nm * math.cos(t) / (2.0 * math.pi * nL * nL) / total
                s_arr[i] = wts[1] * buf[nb + 1 + m] * fac
                p_arr[i] = (wts[0] * buf[1 + m] + wts[2] * buf[2 * nb + 1 + m]) * fac
            far[f"{side}_s"] = _ro(s_arr)
            far[f"{side}_p"] = _ro(p_arr)

    err_est = float(wts @ errsum)
    if not converged:
        warnings.warn(f"dipole_emission: an integral did not reach its tolerance (estimated error of the Purcell "
                      f"factor {err_est:.2g}, total {total:.6g}); the result may be inaccurate", RuntimeWarning,
                      stacklevel=2)
    return DipoleEmission(
        wavelength=wl, layer=L_layer, position=pos, orientation=orient,
        purcell_factor=total,
        incident_fraction=inc / total, substrate_fraction=sub / total,
        guided_fraction=guided / total,
        absorbed=tuple(float(x) / total for x in absorbed),
        light_line=float(u_rad), angles=_ro(ang), converged=bool(converged), error_estimate=err_est,
        evaluations=int(evaluations), **far,
    )

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
from dataclasses import dataclass

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _emission_kernels as K
from .._validation import as_float_array, parse_enum, require_finite, require_scalar_finite, require_scalar_wavelength
from ..layers import Stack
from ..results import Result

__all__ = ["Orientation", "DipoleEmission", "dipole_emission", "FilmEmission", "film_emission",
           "SpontaneousCoupling", "spontaneous_coupling", "radiative_rate_factor"]

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
    def parse(cls, value: str | Orientation) -> Orientation:
        """An :class:`Orientation` from itself or its name (case-insensitive)."""
        return parse_enum(cls, value, "orientation")

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


class _PowerSplit(Result):
    """Sums over the power split of an emission result (its fields ``absorbed``,
    ``incident_fraction``, ``substrate_fraction``, ``guided_fraction``, ``plasmon_fraction``)."""

    absorbed: Any
    incident_fraction: float
    substrate_fraction: float
    guided_fraction: float
    plasmon_fraction: float

    @property
    def absorbed_fraction(self) -> float:
        """Sum of ``absorbed``."""
        return float(sum(self.absorbed))

    @property
    def escape_fraction(self) -> float:
        """``incident_fraction + substrate_fraction``."""
        return self.incident_fraction + self.substrate_fraction

    @property
    def evanescent_fraction(self) -> float:
        """``guided_fraction + plasmon_fraction``: all the power at ``kx`` beyond both light lines."""
        return self.guided_fraction + self.plasmon_fraction


@dataclass(frozen=True, eq=False)
class DipoleEmission(_PowerSplit):
    """Emission of one dipole at one vacuum wavelength (result of :func:`dipole_emission`).

    Every ``*_fraction`` and ``absorbed`` entry is a fraction of the dipole's **total** power in
    the stack; they sum to 1: ``incident_fraction + substrate_fraction + guided_fraction +
    plasmon_fraction + sum(absorbed) = 1``.

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
    guided_fraction : float            the evanescent part of the in-plane wavevector integral
                                       (``kx`` beyond the light lines of both lossless outer media)
                                       up to the largest dielectric index of the stack
                                       (``kx/k0 <= max n`` over media with ``Re eps > 0``): guided
                                       modes (docs/emission.md s.3); in a stack without a metal the
                                       whole evanescent part (then with the near-field absorption
                                       of absorbing layers)
    plasmon_fraction : float           in a stack with a metal (``Re eps < 0``): the evanescent part
                                       beyond the largest dielectric index, where only modes bound
                                       to a metal interface exist: surface plasmons, together with
                                       the near-field absorption (quenching) of the metal and of
                                       absorbing layers at those ``kx``; 0 without a metal
    absorbed : tuple of float          length ``len(stack) + 2``: incident medium, layers,
                                       substrate; power absorbed from the radiative part
                                       (``kx`` inside a light line) of the emission (0 for the
                                       emitting layer and for lossless media)
    light_line : float                 ``u_rad = max n_outer / n_layer`` over lossless outer media
    plasmon_line : float               ``u = kx / (k0 n_layer)`` where the plasmon range starts
                                       (the largest dielectric index over ``n_layer``, at least
                                       ``light_line``); nan without a metal
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
    plasmon_fraction: float
    absorbed: tuple
    light_line: float
    plasmon_line: float
    angles: np.ndarray | None
    incident_s: np.ndarray | None
    incident_p: np.ndarray | None
    substrate_s: np.ndarray | None
    substrate_p: np.ndarray | None
    converged: bool
    error_estimate: float
    evaluations: int



def _u_max(n: np.ndarray, nL: float, u_rad: float) -> float:
    """An in-plane index beyond every guided-mode and surface-plasmon pole (a safe overestimate)."""
    cands = [float(np.max(n.real)) / nL, u_rad, 1.0]
    eps = n * n
    for i in range(len(n) - 1):
        e1, e2 = eps[i], eps[i + 1]
        if (e1.real < 0) != (e2.real < 0) and e1 + e2 != 0:
            cands.append(abs(np.sqrt(e1 * e2 / (e1 + e2))) / nL)
    return 1.2 * max(cands) + 0.2


#: components each orientation needs (bit 0 vertical p, bit 1 horizontal s, bit 2 horizontal p)
_MASKS = {Orientation.VERTICAL: 1, Orientation.HORIZONTAL: 6, Orientation.ISOTROPIC: 7}


def _dielectric_limit(n: np.ndarray, nL: float) -> tuple[float, bool]:
    """``(u_d, has_metal)``: the largest real index of the stack's dielectric media
    (``Re eps > 0``, outer media and the emitting layer included) over ``n_L``, and whether any
    medium is a metal (``Re eps < 0``).  Beyond ``u_d`` lie only modes bound to a metal interface
    (docs/emission.md s.3)."""
    eps = n * n
    diel = n.real[eps.real > 0]
    return float(np.max(diel)) / nL, bool(np.any(eps.real < 0))


def _run(kind, a, b, h, pieces, n, d, k0, L, zt, zb, with_flux, mask, stops):
    nv = 3 * (len(n) + 1)
    tot = np.zeros(nv)
    err = np.zeros(nv)
    try:
        conv, ev = K.integrate(kind, float(a), float(b), float(h), int(pieces), n, d, k0, L, zt, zb, with_flux,
                               mask, stops, _EPSREL, _EPSABS, _MAXINT, tot, err)
    except ZeroDivisionError as exc:  # exact 0/0 of the reflection recursion (|n| ~ 1e7 contrasts)
        raise ValueError(f"dipole_emission: the stack's indices {n!r} are too extreme for the reflection "
                         f"recursion (0/0); use |n| <= 1e5") from exc
    return tot, err, bool(conv), int(ev)


def dipole_emission(stack: Stack, layer: int | str, wavelength: float, *, position: float,
                    orientation: str | Orientation = "isotropic", angles: ArrayLike | None = None) -> DipoleEmission:
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
    absorbed in each layer; the rest on half ellipses below the real axis (around the poles,
    which lie above it) and a real tail, split at the largest dielectric index ``n_d`` of the
    stack: guided modes (``u_rad < u <= n_d / n_L``) and, in a stack with a metal, surface
    plasmons with the metal's near-field quenching beyond it (docs/emission.md s.3).  All
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
    L_layer = stack.layer_index(layer)
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
    mask = _MASKS[orient]
    # flux split: follow the amplitudes only up to the outermost absorbing layer of each side
    lossy = [m for m in range(1, M - 1) if n[m].imag != 0]
    stops = np.array([min([m for m in lossy if m < L], default=L), max([m for m in lossy if m > L], default=L)],
                     dtype=np.int64)
    evaluations = 0
    converged = True
    errsum = np.zeros(3)

    def run(kind, a, b, h, pieces, with_flux):
        nonlocal evaluations, converged
        tot, err, conv, ev = _run(kind, a, b, h, pieces, n, d, k0, L, zt, zb, with_flux, mask, stops)
        evaluations += ev
        converged &= conv
        return np.array([tot[c * nb] for c in range(3)]), np.array([err[c * nb] for c in range(3)]), tot

    # -- radiative range on the real axis, cross-checked on a deformed path ---------------------
    rad = np.zeros(3 * nb)
    if u_rad > 0:
        bps = sorted({0.0, u_rad, *[n[m].real / nL for m in lossless_outer]} | ({1.0} if 1.0 < u_rad else set()))
        rad_total, ref_err, _ = run(K.ELLIPSE, 0.0, u_rad, 0.5 * u_rad, 1, False)
        pieces = _PIECES
        while True:
            rad[:] = 0.0
            conv_all = True
            for a, b in zip(bps[:-1], bps[1:]):
                tot, err, conv, ev = _run(K.REAL_SEGMENT, a, b, 0.0, pieces, n, d, k0, L, zt, zb, True, mask, stops)
                rad += tot
                evaluations += ev
                conv_all &= conv
            dev = max(abs(rad[c * nb] - rad_total[c]) / max(abs(rad_total[c]), 1e-6) for c in range(3))
            if dev <= _CHECK_REL or pieces >= _MAX_PIECES:
                break
            pieces *= 2
        converged &= conv_all and dev <= _CHECK_REL
        errsum += ref_err
    else:
        rad_total = np.zeros(3)

    # -- evanescent range: half ellipses below the real axis, then the real tail ----------------
    # guided modes: u_rad < u <= u_d (the largest dielectric index); surface plasmons: beyond
    u_max = _u_max(n, nL, u_rad)
    u_d, has_metal = _dielectric_limit(n, nL)
    u_split = min(max(u_d, u_rad), u_max) if has_metal else u_max
    guid = np.zeros(3)
    plas = np.zeros(3)
    for a, b, acc in ((u_rad, u_split, guid), (u_split, u_max, plas)):
        if b > a:
            tot, err, _ = run(K.ELLIPSE, a, b, 0.5 * (b - a), 4, False)
            acc += tot
            errsum += err
    scale = 1.0 / (2.0 * k0 * nL * min(zt, zb))
    tail, tail_err, _ = run(K.TAIL, u_max, 0.0, scale, 4, False)
    (plas if has_metal else guid)[:] += tail
    errsum += tail_err

    total = float(wts @ (rad_total + guid + plas))
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
    guided = float(wts @ guid)
    plasmon = float(wts @ plas)

    far = {"incident_s": None, "incident_p": None, "substrate_s": None, "substrate_p": None}
    if ang is not None:
        th = np.deg2rad(ang)
        for side, m in (("incident", 0), ("substrate", M - 1)):
            if n[m].imag != 0:
                continue
            nm = float(n[m].real)
            buf = np.zeros((ang.size, 3 * nb))
            ok = ang < 90.0  # grazing: no normal power flux (the limit of the propagating side)
            part = np.zeros((int(ok.sum()), 3 * nb))
            K.far_field(np.ascontiguousarray(nm * np.sin(th[ok]) / nL), n, d, k0, L, zt, zb, mask, stops, part)
            buf[ok] = part
            fac = nm * nm * np.cos(th) / (2.0 * math.pi * nL * nL) / total
            fac[~ok] = 0.0
            far[f"{side}_s"] = _ro(wts[1] * buf[:, nb + 1 + m] * fac)
            far[f"{side}_p"] = _ro((wts[0] * buf[:, 1 + m] + wts[2] * buf[:, 2 * nb + 1 + m]) * fac)

    err_est = float(wts @ errsum)
    if not converged:
        warnings.warn(f"dipole_emission: an integral did not reach its tolerance (estimated error of the Purcell "
                      f"factor {err_est:.2g}, total {total:.6g}); the result may be inaccurate", RuntimeWarning,
                      stacklevel=2)
    return DipoleEmission(
        wavelength=wl, layer=L_layer, position=pos, orientation=orient,
        purcell_factor=total,
        incident_fraction=inc / total, substrate_fraction=sub / total,
        guided_fraction=guided / total, plasmon_fraction=plasmon / total,
        absorbed=tuple(float(x) / total for x in absorbed),
        light_line=float(u_rad), plasmon_line=float(u_split) if has_metal else math.nan,
        angles=_ro(ang), converged=bool(converged), error_estimate=err_est,
        evaluations=int(evaluations), **far,
    )


# -- emission of the whole film ------------------------------------------------------------------

#: default number of Gauss-Legendre positions across the emitting layer
FILM_POSITIONS = 5


@dataclass(frozen=True, eq=False)
class FilmEmission(_PowerSplit):
    """Emission of a uniformly excited emitting film (result of :func:`film_emission`).

    Dipoles of equal strength at ``positions`` across the layer (Gauss-Legendre in z) and at
    ``wavelengths`` (weighted by the free-space emission spectrum), averaged as in
    ``docs/emission.md`` s.7: the Purcell factor is the mean of the dipoles' total powers over
    ``P0``; every fraction, ``absorbed`` entry and far field is of the film's **total** emitted
    power (power-weighted), and ``incident_fraction + substrate_fraction + guided_fraction +
    plasmon_fraction + sum(absorbed) = 1``.

    Attributes
    ----------
    layer : int                        index (into ``stack.layers``) of the emitting layer
    orientation : Orientation
    wavelengths : ndarray              vacuum wavelengths (nm)
    spectral_weights : ndarray         quadrature weights of ``wavelengths`` times the spectrum,
                                       normalised to sum 1
    positions : ndarray                nm from the layer's incident-side face
    position_weights : ndarray         Gauss-Legendre weights, normalised to sum 1
    purcell_factor : float             film- and spectrum-averaged total power over ``P0``: the
                                       factor by which the mean total decay rate changes
    incident_fraction, substrate_fraction : float
                                       extraction efficiency into the incident medium / substrate
    guided_fraction : float            guided modes (:attr:`DipoleEmission.guided_fraction`)
    plasmon_fraction : float           surface plasmons and quenching beyond the largest
                                       dielectric index (:attr:`DipoleEmission.plasmon_fraction`)
    absorbed : tuple of float          per medium (incident, layers, substrate), from ``u <= u_rad``
    purcell_spectrum : ndarray         position-averaged Purcell factor at each wavelength
    incident_spectrum, substrate_spectrum : ndarray
                                       position-averaged (power-weighted) extraction at each wavelength
    angles : ndarray or None           far-field angles (degrees, in each outer medium)
    incident_s, incident_p, substrate_s, substrate_p : ndarray or None
                                       power per steradian (fraction of the film's total power per sr,
                                       averaged over azimuth)
    converged : bool                   every dipole's integrals converged
    """

    layer: int
    orientation: Orientation
    wavelengths: np.ndarray
    spectral_weights: np.ndarray
    positions: np.ndarray
    position_weights: np.ndarray
    purcell_factor: float
    incident_fraction: float
    substrate_fraction: float
    guided_fraction: float
    plasmon_fraction: float
    absorbed: tuple
    purcell_spectrum: np.ndarray
    incident_spectrum: np.ndarray
    substrate_spectrum: np.ndarray
    angles: np.ndarray | None
    incident_s: np.ndarray | None
    incident_p: np.ndarray | None
    substrate_s: np.ndarray | None
    substrate_p: np.ndarray | None
    converged: bool

    @property
    def extraction_efficiency(self) -> float:
        """``incident_fraction + substrate_fraction``: the LED's escape fraction into both outer media."""
        return self.escape_fraction


def _spectral_weights(wavelengths, spectrum):
    wl = as_float_array(wavelengths, "wavelengths").ravel()
    if wl.size == 0:
        raise ValueError("wavelengths must hold at least one wavelength, got an empty array")
    require_finite(wl, "wavelengths")
    if np.any(wl <= 0):
        raise ValueError(f"wavelengths must be > 0 nm, got {float(wl[wl <= 0][0])!r}")
    if wl.size > 1 and np.any(np.diff(wl) <= 0):
        raise ValueError(f"wavelengths must be strictly increasing, got {wl.tolist()!r}")
    if wl.size == 1:
        quad_w = np.ones(1)
    else:  # trapezoid rule
        quad_w = np.zeros(wl.size)
        dw = np.diff(wl)
        quad_w[:-1] += dw / 2
        quad_w[1:] += dw / 2
    if spectrum is None:
        s = np.ones(wl.size)
    else:
        if not callable(spectrum):
            raise TypeError(f"spectrum must be a callable of the wavelength (nm) or None, got {spectrum!r}")
        s = np.array([float(spectrum(float(x))) for x in wl])
        if not np.all(np.isfinite(s)) or np.any(s < 0):
            bad = s[~(np.isfinite(s) & (s >= 0))][0]
            raise ValueError(f"spectrum must return finite values >= 0, got {bad!r}")
    w = quad_w * s
    if not w.sum() > 0:
        raise ValueError("spectrum is zero at every one of the wavelengths: nothing is emitted")
    return wl, w / w.sum()


def _gauss_positions(thickness: float, positions) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(positions, (bool, np.bool_)) or not isinstance(positions, (int, np.integer)):
        raise TypeError(f"positions must be the number (int >= 1) of Gauss-Legendre points across the layer, "
                        f"got {positions!r}")
    if not 1 <= int(positions) <= 200:
        raise ValueError(f"positions must be in [1, 200], got {positions!r}")
    x, w = np.polynomial.legendre.leggauss(int(positions))
    return 0.5 * thickness * (x + 1.0), w / w.sum()


def film_emission(stack: Stack, layer: int | str, wavelengths: ArrayLike, *, spectrum: Any = None,
                  positions: int = FILM_POSITIONS, orientation: str | Orientation = "isotropic",
                  angles: ArrayLike | None = None) -> FilmEmission:
    r"""Emission of the whole emitting film: dipoles averaged over the layer and the spectrum.

    Every point ``(lambda_i, z_j)`` is a :func:`dipole_emission`; with ``S`` the free-space emission
    spectrum, ``t_i`` the trapezoid weights of ``wavelengths`` and ``g_j`` the Gauss-Legendre
    weights of ``positions`` nodes across the layer (both normalised), ``w_ij = S(lambda_i) t_i g_j``
    and ``F_ij`` the Purcell factor,

    .. math::

        \bar F = \sum_{ij} w_{ij} F_{ij}, \qquad
        \bar X = \frac{\sum_{ij} w_{ij} F_{ij} X_{ij}}{\sum_{ij} w_{ij} F_{ij}}

    for every fraction and far field ``X``: dipoles of equal strength (a uniform excited
    population with the intrinsic spectrum ``S``), whose emitted powers add incoherently (Lukosz,
    JOSA 71, 744 (1981); the usual OLED/QD-LED outcoupling average, e.g. Furno et al., PRB 85,
    115205 (2012)).  ``\bar X`` is a fraction of the film's total emitted power.  See
    ``docs/emission.md`` s.7.

    Parameters
    ----------
    stack : Stack
    layer : int or str
        The emitting layer (lossless at every wavelength).
    wavelengths : float or array of float
        Vacuum wavelengths (nm), strictly increasing; one wavelength gives a monochromatic film.
    spectrum : callable, optional
        Free-space emission spectrum ``S(lambda)`` (any units, >= 0), e.g. a Gaussian around
        625 nm.  Default: flat.
    positions : int, default 5
        Gauss-Legendre points across the layer's thickness (exact for the position average of
        a polynomial of degree ``2 positions - 1``; a layer thinner than ~lambda/(4 n) needs few).
    orientation : {"isotropic", "vertical", "horizontal"}, default "isotropic"
    angles : array of float, optional
        Far-field angles (degrees in [0, 90]) in each outer medium.

    Returns
    -------
    FilmEmission
    """
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
    L_layer = stack.layer_index(layer)
    orient = Orientation.parse(orientation)
    wl, sw = _spectral_weights(wavelengths, spectrum)
    z, zw = _gauss_positions(stack.layers[L_layer].thickness, positions)
    nabs = len(stack.layers) + 2
    F = np.zeros((wl.size, z.size))
    inc = np.zeros_like(F)
    sub = np.zeros_like(F)
    gui = np.zeros_like(F)
    pla = np.zeros_like(F)
    absd = np.zeros((wl.size, z.size, nabs))
    ff: dict = {}
    converged = True
    for i, lam in enumerate(wl):
        for j, zz in enumerate(z):
            r = dipole_emission(stack, L_layer, lam, position=float(zz), orientation=orient, angles=angles)
            converged &= r.converged
            F[i, j] = r.purcell_factor
            inc[i, j], sub[i, j], gui[i, j] = r.incident_fraction, r.substrate_fraction, r.guided_fraction
            pla[i, j] = r.plasmon_fraction
            absd[i, j] = r.absorbed
            for key in ("incident_s", "incident_p", "substrate_s", "substrate_p"):
                v = getattr(r, key)
                if v is None:
                    ff[key] = None
                elif ff.get(key, 0) is not None:
                    ff[key] = ff.get(key, 0) + sw[i] * zw[j] * F[i, j] * v
    w = sw[:, None] * zw[None, :]
    wF = w * F
    tot = wF.sum()
    zF = zw[None, :] * F
    zFsum = zF.sum(axis=1)
    far = {key: (None if ff.get(key) is None else _ro(ff[key] / tot))
           for key in ("incident_s", "incident_p", "substrate_s", "substrate_p")}
    if angles is None:
        far = dict.fromkeys(far)
    return FilmEmission(
        layer=L_layer, orientation=orient, wavelengths=_ro(wl), spectral_weights=_ro(sw), positions=_ro(z),
        position_weights=_ro(zw),
        purcell_factor=float(tot),
        incident_fraction=float((wF * inc).sum() / tot), substrate_fraction=float((wF * sub).sum() / tot),
        guided_fraction=float((wF * gui).sum() / tot), plasmon_fraction=float((wF * pla).sum() / tot),
        absorbed=tuple(float(x) for x in np.einsum("ij,ijk->k", wF, absd) / tot),
        purcell_spectrum=_ro(zF.sum(axis=1)),
        incident_spectrum=_ro((zF * inc).sum(axis=1) / zFsum),
        substrate_spectrum=_ro((zF * sub).sum(axis=1) / zFsum),
        angles=None if angles is None else _ro(np.asarray(angles, dtype=float).ravel()),
        converged=bool(converged), **far,
    )


def radiative_rate_factor(stack: Stack, layer: int | str, wavelength: ArrayLike, *,
                          positions: int = FILM_POSITIONS) -> float:
    r"""Factor by which the stack multiplies the exciton radiative rate of the emitting film.

    .. math::  k_{rad}^{stack} = \bar F\, k_{rad}^{bulk}, \qquad
               \bar F = \sum_j g_j F(z_j, \lambda)

    the Purcell factor of an isotropic dipole (:func:`dipole_emission`) averaged over
    ``positions`` Gauss-Legendre points ``z_j`` across the layer at the emission ``wavelength``
    (nm).  ``k_rad^bulk`` is the rate in an infinite medium of the layer's index (the film's
    own rate, as measured in a thick film or solution after the local-field correction).  For a
    unit-quantum-yield emitter this is also the factor of the total decay rate.  Multiply the
    gain model's radiative rates by it where the cavity should change them (the gain model is not
    changed here).  Dimensionless.
    """
    return film_emission(stack, layer, wavelength, positions=positions, orientation="isotropic").purcell_factor


@dataclass(frozen=True, eq=False)
class SpontaneousCoupling(Result):
    """Spontaneous-emission coupling factor of a planar-cavity mode (result of
    :func:`spontaneous_coupling`; definition in ``docs/emission.md`` s.8).

    Attributes
    ----------
    beta : float                       fraction of the film's spontaneous emission that enters the mode
    wavelength : float                 the passive resonance's wavelength (nm)
    linewidth : float                  its FWHM (nm)
    cone_index : float                 ``kappa_m = kx/k0`` of the mode's angular half-width (the
                                       emission at ``wavelength`` falls to half its normal value)
    cone_angles : tuple of float       ``kappa_m`` as an angle (degrees) in the incident medium and
                                       the substrate (nan for a lossy outer medium)
    mode_escape : float                power escaping inside the cone and linewidth, over the total
    escape_share : float               ``outcoupling_loss / modal_gain`` of the threshold: the share of the
                                       mode's photons that leave through the mirrors
    purcell_factor : float             film-averaged Purcell factor at ``wavelength``
                                       (:func:`radiative_rate_factor`)
    film : FilmEmission                the film's emission over the spectrum (the denominator)
    """

    beta: float
    wavelength: float
    linewidth: float
    cone_index: float
    cone_angles: tuple
    mode_escape: float
    escape_share: float
    purcell_factor: float
    film: FilmEmission


def _kappa_profile(stack, L_layer, lam, z, kappa, orient):
    """Power per unit ``kappa^2`` (``kappa = kx/k0``) leaving into the lossless outer media (sum),
    in units of ``P0``, for a dipole at ``z``: ``sum_m dP/dOmega_m / (P0 n_m^2 cos theta_m)`` =
    ``sum_m p_m(u) / (2 pi n_L^2)`` with ``p_m`` the flux density per unit ``u = kappa/n_L``
    (docs/emission.md s.3); one kernel pass gives both sides."""
    n = np.ascontiguousarray(stack.indices(lam)[:, 0])
    d = np.ascontiguousarray(stack.padded_thicknesses())
    M = len(n)
    nb = M + 1
    L = L_layer + 1
    nL = float(n[L].real)
    lossy = [m for m in range(1, M - 1) if n[m].imag != 0]
    stops = np.array([min([m for m in lossy if m < L], default=L), max([m for m in lossy if m > L], default=L)],
                     dtype=np.int64)
    buf = np.zeros((kappa.size, 3 * nb))
    K.far_field(np.ascontiguousarray(kappa / nL), n, d, 2.0 * math.pi / lam, L, float(z),
                stack.layers[L_layer].thickness - float(z), _MASKS[orient], stops, buf)
    wts = orient.weights
    out = np.zeros(kappa.size)
    for m in (0, M - 1):
        if n[m].imag == 0:
            out += sum(wts[c] * buf[:, c * nb + 1 + m] for c in range(3))
    return out / (2.0 * math.pi * nL * nL)


def spontaneous_coupling(stack: Stack, threshold: Any, wavelengths: ArrayLike, *, spectrum: Any = None,
                         layer: int | str | None = None,
                         positions: int = FILM_POSITIONS, linewidth_points: int = 5,
                         angle_points: int = 2001) -> SpontaneousCoupling:
    r"""Spontaneous-emission coupling factor beta of a planar microcavity's lasing mode.

    The mode occupies, around its passive resonance ``lambda_m`` (FWHM ``dlambda``), the
    wavelengths ``|lambda - lambda_m| <= dlambda/2`` and the in-plane wavevectors
    ``kappa = kx/k0 <= kappa_m``, where the film's emission at ``lambda_m`` falls to half its
    value at normal incidence (the resonance has moved half a linewidth).  With ``p(kappa,
    lambda)`` the power per unit ``kappa^2`` escaping into the outer media, ``S`` the free-space
    emission spectrum and bars the Gauss-Legendre average over the film,

    .. math::

        \beta = \frac{1}{\eta_{out}}
                \frac{\int_{\lambda_m - \delta\lambda/2}^{\lambda_m + \delta\lambda/2} S(\lambda)
                      \int_0^{\kappa_m} 2\pi \bar p(\kappa, \lambda)\, \kappa\, d\kappa\, d\lambda}
                     {\int S(\lambda) \bar F(\lambda)\, d\lambda},
        \qquad \eta_{out} = \frac{\alpha_m}{\Gamma g_{th}}

    the emission into the mode's angular and spectral extent over the film's total spontaneous
    emission; dividing by the escape share ``eta_out`` (mirror loss over modal gain of the
    threshold) counts the mode's photons absorbed inside the cavity as well.  This is the
    planar-cavity beta of Bjork, Machida, Yamamoto & Igeta, PRA 44, 669 (1991) (emission into
    the resonance's solid angle and linewidth), computed from :func:`dipole_emission`.  See
    ``docs/emission.md`` s.8.

    Parameters
    ----------
    stack : Stack
        The passive device (the emitting layer lossless).
    threshold : cavity.lasing.Threshold
        A converged threshold of ``stack`` with its passive resonance (``lasing_threshold``).
    wavelengths : array of float
        Wavelengths (nm) spanning the emission spectrum, for the denominator.
    spectrum : callable, optional
        Free-space emission spectrum ``S(lambda)``; default flat over ``wavelengths``.
    layer : int or str, optional
        The emitting layer; default the threshold's first gain layer.
    positions : int, default 5
        Gauss-Legendre points across the layer.
    linewidth_points : int, default 5
        Gauss-Legendre points across the linewidth.
    angle_points : int, default 2001
        Points of the ``kappa`` grid (quadratic in ``kappa``, denser near the normal).

    Returns
    -------
    SpontaneousCoupling
    """
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
    if getattr(threshold, "passive", None) is None or not getattr(threshold, "converged", False):
        raise ValueError("threshold must be a converged cavity.lasing.Threshold with its passive resonance, "
                         f"got {threshold!r}")
    L_layer = stack.layer_index(threshold.gain_layers[0] if layer is None else layer)
    for name, v, lo in (("linewidth_points", linewidth_points, 1), ("angle_points", angle_points, 11)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an int >= {lo}, got {v!r}")
    lam_m = float(threshold.passive.wavelength)
    dlam = float(threshold.passive.linewidth)
    if not (dlam > 0 and math.isfinite(dlam)):
        raise ValueError(f"the threshold's passive linewidth must be finite and > 0 nm, got {dlam!r}")
    eta = float(threshold.outcoupling_loss) / float(threshold.modal_gain)
    if not 0 < eta <= 1 + 1e-9:
        raise ValueError(f"the threshold's outcoupling_loss / modal_gain must be in (0, 1], got {eta!r}")
    eta = min(eta, 1.0)
    orient = Orientation.ISOTROPIC
    n_out = stack.indices(lam_m)[[0, -1], 0]
    sides = [(side, float(n.real)) for side, n in zip(("incident", "substrate"), n_out) if n.imag == 0]
    if not sides:
        raise ValueError("spontaneous_coupling needs at least one lossless outer medium (the mode's output)")
    film = film_emission(stack, L_layer, wavelengths, spectrum=spectrum, positions=positions, orientation=orient)
    # absolute spectral normalisation of the denominator: int S F dlambda = F_bar * int S dlambda
    wl, _ = _spectral_weights(wavelengths, None)
    if wl.size > 1:
        s_vals = np.ones(wl.size) if spectrum is None else np.array([float(spectrum(float(x))) for x in wl])
        denom = film.purcell_factor * float(np.trapezoid(s_vals, wl))
    else:
        raise ValueError("spontaneous_coupling needs the emission spectrum on >= 2 wavelengths (it sets the "
                         "spectral share of the linewidth)")
    z, zw = _gauss_positions(stack.layers[L_layer].thickness, positions)
    k_hi = 0.999 * min(nm for _, nm in sides)
    kappa = k_hi * np.linspace(0.0, 1.0, angle_points) ** 2
    converged = film.converged
    # the mode's half-width in kappa, from the film's profile at lambda_m
    prof = np.zeros(kappa.size)
    for zz, ww in zip(z, zw):
        prof += ww * _kappa_profile(stack, L_layer, lam_m, zz, kappa, orient)
    purcell = radiative_rate_factor(stack, L_layer, lam_m, positions=positions)
    below = np.nonzero(prof <= 0.5 * prof[0])[0]
    if below.size:
        i = int(below[0])
        k_m = float(np.interp(0.5 * prof[0], [prof[i], prof[i - 1]], [kappa[i], kappa[i - 1]]))
    else:
        k_m = float(kappa[-1])
    # emission into the cone and the linewidth
    x, gw = np.polynomial.legendre.leggauss(int(linewidth_points))
    num = 0.0
    for xl, wl_ in zip(x, gw):
        lam = lam_m + 0.5 * dlam * xl
        s = 1.0 if spectrum is None else float(spectrum(lam))
        if not (math.isfinite(s) and s >= 0):
            raise ValueError(f"spectrum must return finite values >= 0, got {s!r} at {lam!r} nm")
        cone = 0.0
        for zz, ww in zip(z, zw):
            p = _kappa_profile(stack, L_layer, lam, zz, kappa, orient)
            kk = np.append(kappa[kappa < k_m], k_m)
            pp = np.interp(kk, kappa, p)
            cone += ww * 2.0 * math.pi * float(np.trapezoid(pp * kk, kk))
        num += 0.5 * dlam * wl_ * s * cone
    mode_escape = num / denom
    beta = mode_escape / eta
    if not converged:
        warnings.warn("spontaneous_coupling: a dipole integral did not reach its tolerance", RuntimeWarning, stacklevel=2)
    cone_angles = tuple(float(np.rad2deg(np.arcsin(min(k_m / float(n.real), 1.0)))) if n.imag == 0 else math.nan
                        for n in n_out)
    return SpontaneousCoupling(beta=float(beta), wavelength=lam_m, linewidth=dlam, cone_index=k_m,
                               cone_angles=cone_angles, mode_escape=float(mode_escape), escape_share=eta,
                               purcell_factor=float(purcell), film=film)

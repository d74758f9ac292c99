"""Rigorous reference for second-order DFB gratings: band-edge modes of an infinite binary grating.

Test-only, independent of the ``cavity`` and ``materials`` packages (it imports neither): numpy,
scipy and the RCWA / Fourier-modal-method package Inkstone (``pip install inkstone==0.3.15``;
A. Y. Song, *Inkstone*, an RCWA solver for multilayer in-plane periodic structures, which
evaluates the scattering matrix at complex frequency).  It is the cross-check for the
coupled-wave model with radiation (Kazarinov & Henry, IEEE J. Quantum Electron. 21, 144 (1985);
Streifer, Scifres & Burnham, IEEE J. Quantum Electron. 11, 867 (1975)).

Geometry and conventions
------------------------
* ``layers`` lists the layers from top (superstrate side) to bottom (substrate side).  A uniform
  layer is ``(n, thickness_nm)``; a binary grating layer is ``(n_ridge, n_groove, duty,
  thickness_nm)`` with ``duty`` the ridge fraction of the period.  The lines run along y, the
  structure is periodic in x with period ``period_nm``; every ridge is centred on x = 0, so the
  structure is mirror symmetric, x -> -x (stacked grating layers are aligned).
* Indices ``n + ik`` (k > 0 absorbs), fields ``exp(i(kz - wt))``; a resonance is a pole of the
  scattering matrix at the complex vacuum frequency ``f = c / lambda`` with ``Im f < 0``.
* TE: E along the lines (E_y); TM: H_y.  In-plane Bloch wavevector 0 (normal incidence), i.e. the
  second-order Bragg point where the guided waves ``exp(+-i K x)``, ``K = 2 pi / period``, are
  coupled to each other through the second Fourier component of the grating and to the vertical
  plane waves (order 0) through the first.

Method (why this one)
---------------------
A guided mode of the slab is a pole of the *full* scattering matrix of the grating, including
the evanescent Fourier orders +-1, +-2, ... of the superstrate and substrate (no incoming wave, only
outgoing or decaying ones).  Inkstone returns that matrix (``GetSMatrix(radiation_channels_only=
False)``, all ``2 * harmonics`` channels per side and polarisation) at any complex frequency, with
the outgoing branch of ``k_z`` continued analytically into ``Im f < 0`` for the propagating
orders and the decaying branch for the evanescent ones.  Poles are therefore found directly,
without fitting a line shape:

1. ``log|det S_pol(f)|`` (the TE or TM block; the two decouple for this classical mount) on a real
   wavelength grid over ``near_nm +- window_nm``.  Every pole close to the real axis makes a
   logarithmic peak there, a bright mode (finite Q) and the dark one alike.
2. Each peak seeds Muller's method on ``h(f) = 1 / det S_pol(f)`` (analytic near a pole, where it
   has a simple zero) in the complex-f plane, converged to ``|df| < 1e-12 f``; a pole already
   found is divided out (deflation) so that two nearly degenerate band edges (duty near 0.5, where
   the second Fourier coefficient of the grating vanishes) are both found.
3. The two distinct poles closest to ``near_nm`` are the band-edge pair.  For each:
   ``wavelength_nm = c / Re f``, ``Q = Re f / (-2 Im f)`` (energy decay rate ``2 |Im w|``).

The mirror-antisymmetric band-edge mode (``E_y`` odd in x about a ridge centre) cannot couple to
the x-independent order-0 plane waves: at Bloch wavevector 0 it is a symmetry-protected bound
state in the continuum with *exactly* infinite radiative Q.  It still shows up as a pole of the
full S-matrix (through the evanescent orders), on the real axis to round-off.  It is reported as
``dark=True``, ``q = inf`` and no up/down fractions, decided by two independent signs, both
required: the pole's ``|Im f| / Re f`` is below ``dark_tol`` (default 1e-9, i.e. a numerical Q
above 5e8), and the pole's residue in the order-0 (radiation) block is below ``dark_tol`` relative
to the bright one's scale.  ``q_numerical`` keeps the raw number.  The structure is always built
symmetric here, so no finite Q is invented for that mode; a finite-size device would radiate it
only through its envelope (that is for the coupled-wave model to say, not this reference).

Up / down fractions of the radiated power: near the pole ``S(f) ~ R / (f - f_p)`` with a rank-one
residue ``R = c d d^T`` (reciprocity), ``d`` the outgoing amplitudes of the mode in the order-0
channels (temporal coupled-mode theory: Fan, Suh & Joannopoulos, J. Opt. Soc. Am. A 20, 569
(2003)).  The diagonal residues of the two *reflection* coefficients, each relating waves in the
same medium (so the normalisation of the amplitudes cancels), give the power decay rates into
the superstrate and the substrate, ``gamma_up / gamma_down = |R_uu| / |R_dd|``.  ``R`` is taken as
``delta (S(f_p + delta) - S(f_p - delta)) / 2`` with ``|delta|`` = 1e-3 of the linewidth.

Accuracy and cost (QD film 1.70 / 200 nm on glass, 20 nm deep grating, duty 0.3, period 408 nm,
TE): with 11 / 15 / 21 / 31 / 41 Fourier orders the bright edge is at 632.819 / 632.797 / 632.785 /
632.779 / 632.776 nm with Q = 15456 / 15164 / 15011 / 14931 / 14903, the dark edge at 633.912 /
633.935 / 633.947 / 633.954 / 633.957 nm: wavelengths converge to ~0.01 nm and Q to ~1 % at 21
orders, ~0.2 % at 31 (plain Laurent factorisation, exact for TE in a lamellar grating: Li,
J. Opt. Soc. Am. A 13, 1870 (1996)).  The pole itself agrees with a rational fit of the reflection
sampled on the real axis to ~1e-12 of the linewidth (tests).  One S-matrix costs ~4 ms at 15 orders
and ~10 ms at 31 on one core; ``band_edge_modes`` makes ~100 of them: ~0.6-1.4 s at 21 orders,
~3-6 s at 41.  Set ``OMP_NUM_THREADS=1`` for speed: the matrices are small and BLAS threads only
cost (up to 3x).  TM is supported by the same code but not validated by the tests.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BandEdgeMode",
    "BandEdgePair",
    "band_edge_modes",
    "band_edge_modes_vs_duty",
    "zero_order_spectrum",
]


@dataclass(frozen=True)
class BandEdgeMode:
    """One band-edge mode of the infinite grating at Bloch wavevector 0.

    Attributes
    ----------
    wavelength_nm : float
        Vacuum wavelength of the real part of the complex pole frequency, ``c / Re f`` (nm).
    q : float
        Radiative quality factor ``Re f / (-2 Im f)``; ``inf`` for the symmetry-protected dark mode.
    q_numerical : float
        The raw ``Re f / (-2 Im f)`` of the pole as found (huge or negative at round-off for the
        dark mode).
    fraction_up, fraction_down : float
        Fractions of the radiated power going into the superstrate and the substrate (sum 1);
        ``nan`` for the dark mode.
    dark : bool
        True for the mode that does not couple to the normal-incidence plane waves (a
        symmetry-protected bound state in the continuum of the symmetric grating).
    pole_frequency : complex
        The pole ``f = c / lambda`` in nm^-1 (``Im f < 0`` decays).
    """

    wavelength_nm: float
    q: float
    q_numerical: float
    fraction_up: float
    fraction_down: float
    dark: bool
    pole_frequency: complex


@dataclass(frozen=True)
class BandEdgePair:
    """The two band-edge modes, ``short`` (shorter wavelength) and ``long``.

    Attributes
    ----------
    short, long : BandEdgeMode
    harmonics : int
        Number of Fourier orders used (``-M..M``, ``2M + 1``).
    """

    short: BandEdgeMode
    long: BandEdgeMode
    harmonics: int

    @property
    def modes(self) -> tuple[BandEdgeMode, BandEdgeMode]:
        return (self.short, self.long)

    @property
    def bright(self) -> BandEdgeMode | None:
        """The radiating mode of lower Q (None if both are dark)."""
        finite = [m for m in self.modes if not m.dark]
        return min(finite, key=lambda m: m.q) if finite else None

    @property
    def dark_mode(self) -> BandEdgeMode | None:
        """The dark mode (None if neither is dark)."""
        d = [m for m in self.modes if m.dark]
        return d[0] if d else None


# --------------------------------------------------------------------------------------------
# input checking and structure building
# --------------------------------------------------------------------------------------------


def _check_positive(name, value):
    if not (isinstance(value, (int, float, np.floating, np.integer)) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")


def _check_index(name, value):
    v = complex(value)
    if not (math.isfinite(v.real) and math.isfinite(v.imag)) or v.real <= 0 or v.imag < 0:
        raise ValueError(f"{name} must be n + ik with n > 0, k >= 0, got {value!r}")


def _check_inputs(layers, period_nm, superstrate_n, substrate_n, pol, harmonics):
    _check_positive("period_nm", period_nm)
    for name, v in (("superstrate_n", superstrate_n), ("substrate_n", substrate_n)):
        _check_index(name, v)
        if complex(v).imag != 0:
            raise ValueError(f"{name} must be real (lossless outer medium), got {v!r}")
    if pol not in ("TE", "TM"):
        raise ValueError(f"pol must be 'TE' or 'TM', got {pol!r}")
    if not (isinstance(harmonics, (int, np.integer)) and harmonics >= 3 and harmonics % 2 == 1):
        raise ValueError(f"harmonics must be an odd integer >= 3 (orders -M..M), got {harmonics!r}")
    if len(layers) == 0:
        raise ValueError("layers must contain at least one layer, got an empty list")
    for i, layer in enumerate(layers):
        if len(layer) == 2:
            _check_index(f"layers[{i}] index", layer[0])
            _check_positive(f"layers[{i}] thickness_nm", layer[1])
        elif len(layer) == 4:
            _check_index(f"layers[{i}] n_ridge", layer[0])
            _check_index(f"layers[{i}] n_groove", layer[1])
            duty = layer[2]
            if not (isinstance(duty, (int, float, np.floating)) and 0 < duty < 1):
                raise ValueError(f"layers[{i}] duty must be in (0, 1), got {duty!r}")
            _check_positive(f"layers[{i}] thickness_nm", layer[3])
        else:
            raise ValueError(
                f"layers[{i}] must be (n, thickness_nm) or (n_ridge, n_groove, duty, thickness_nm), got {layer!r}"
            )


def _build(layers, period_nm, superstrate_n, substrate_n, harmonics):
    import inkstone

    s = inkstone.Inkstone(lattice=float(period_nm), num_g=int(harmonics))
    names = {}

    def material(n):
        eps = complex(n) ** 2
        key = (eps.real, eps.imag)
        if key not in names:
            name = f"m{len(names)}"
            s.AddMaterial(name=name, epsilon=eps if eps.imag else eps.real)
            names[key] = name
        return names[key]

    s.AddLayer("superstrate", 0, material(superstrate_n))
    for i, layer in enumerate(layers):
        if len(layer) == 2:
            s.AddLayer(f"L{i}", float(layer[1]), material(layer[0]))
        else:
            n_ridge, n_groove, duty, t = layer
            s.AddLayer(f"L{i}", float(t), material(n_groove))
            s.AddPattern1D(f"L{i}", material(n_ridge), width=float(duty) * float(period_nm), center=0.0)
    s.AddLayer("substrate", 0, material(substrate_n))
    s.SetExcitation(theta=0, phi=0, s_amplitude=1, p_amplitude=0)
    if s.num_g != harmonics or len(s.pr.idx_g) != harmonics:
        raise RuntimeError(f"inkstone kept {s.num_g} orders instead of harmonics={harmonics}")
    return s


def _channels(s, pol):
    """Indices of the pol block in Inkstone's S-matrix (per side: all s channels, then all p)."""
    n = s.num_g
    off = 0 if pol == "TE" else n  # s (E_y) first: checked by the tests through the spectra
    full = list(range(off, off + n)) + list(range(2 * n + off, 2 * n + off + n))
    rad = [off, 2 * n + off]  # order (0, 0) is the first order in Inkstone's list
    if s.pr.idx_g[0] != (0, 0):
        raise RuntimeError("inkstone's first Fourier order is not (0, 0)")
    return full, rad


class _Solver:
    def __init__(self, s, pol):
        self.s = s
        self.full, self.rad = _channels(s, pol)
        self.calls = 0

    def smatrix(self, f):
        self.s.frequency = f
        self.calls += 1
        sm, _ = self.s.GetSMatrix(radiation_channels_only=False)
        return sm

    def logdet(self, f):
        """Complex log det of the pol block of the full S-matrix."""
        sm = self.smatrix(f)
        sign, la = np.linalg.slogdet(sm[np.ix_(self.full, self.full)])
        return la + 1j * np.angle(sign)

    def rad_block(self, f):
        sm = self.smatrix(f)
        return sm[np.ix_(self.rad, self.rad)]


# --------------------------------------------------------------------------------------------
# pole search
# --------------------------------------------------------------------------------------------


def _muller(h, x0, x1, x2, tol, maxiter=60):
    """Muller's method for a zero of the complex function h; returns (x, converged)."""
    f0, f1, f2 = h(x0), h(x1), h(x2)
    for _ in range(maxiter):
        h1, h2 = x1 - x0, x2 - x1
        d1, d2 = (f1 - f0) / h1, (f2 - f1) / h2
        a = (d2 - d1) / (h2 + h1)
        b = a * h2 + d2
        disc = np.sqrt(b * b - 4 * f2 * a)
        den = b + disc if abs(b + disc) > abs(b - disc) else b - disc
        if den == 0:
            return x2, False
        dx = -2 * f2 / den
        x0, x1, x2 = x1, x2, x2 + dx
        f0, f1, f2 = f1, f2, h(x2)
        if abs(dx) < tol:
            return x2, True
        if not np.isfinite(x2):
            return x2, False
    return x2, False


def _find_poles(solver, f_lo, f_hi, n_scan, f_scale):
    """All poles seeded by the peaks of log|det S| on the real segment [f_lo, f_hi]."""
    fs = np.linspace(f_lo, f_hi, n_scan)
    ld = np.array([solver.logdet(f).real for f in fs])
    peaks = [i for i in range(1, n_scan - 1) if ld[i] > ld[i - 1] and ld[i] >= ld[i + 1]]
    peaks.sort(key=lambda i: -ld[i])
    step = fs[1] - fs[0]
    l_ref = max(ld) if len(ld) else 0.0
    poles = []

    def h_deflated(x):
        f = f_scale * (1 + x)
        val = np.exp(-(solver.logdet(f) - l_ref))
        for p in poles:
            val = val / (x - (p / f_scale - 1))
        return val

    tol = 1e-12

    def run(seed_x, dx):
        try:
            with np.errstate(all="ignore"):
                root, ok = _muller(h_deflated, seed_x - dx / 2, seed_x + dx / 2, seed_x - 1e-3j * dx, tol)
        except (FloatingPointError, ZeroDivisionError, np.linalg.LinAlgError):
            return
        if not ok or not np.isfinite(root):
            return
        p = f_scale * (1 + root)
        if not (f_lo - 2 * step <= p.real <= f_hi + 2 * step):
            return
        if any(abs(p - q) < 1e-9 * f_scale for q in poles):
            return
        poles.append(p)

    # pass 1: one search from every peak of the scan, each with the poles found so far divided out
    for i in peaks:
        run(fs[i] / f_scale - 1, step / f_scale)
    # pass 2: look again next to every pole found, with it divided out, for a nearly degenerate
    # partner hidden under the same peak (duty near 0.5)
    for p in list(poles):
        run(p.real / f_scale - 1, step / f_scale)
    return poles


def _residue_fractions(solver, p):
    """(|R_up|, |R_down|) of the order-0 reflection residues at the pole p."""
    width = max(abs(p.imag), 1e-9 * abs(p.real))
    delta = 1e-3 * width
    r_plus = solver.rad_block(p + delta)
    r_minus = solver.rad_block(p - delta)
    res = delta * (r_plus - r_minus) / 2
    return abs(res[0, 0]), abs(res[1, 1]), res


def band_edge_modes(
    layers,
    period_nm,
    superstrate_n,
    substrate_n,
    near_nm,
    pol="TE",
    harmonics=21,
    window_nm=None,
    scan_points=81,
    dark_tol=1e-9,
):
    """Band-edge modes of an infinite binary grating at Bloch wavevector 0 (second-order Bragg).

    Poles of the full scattering matrix (all Fourier orders) of the grating found at complex
    frequency with Inkstone (RCWA); see the module docstring for the method, the conventions, the
    treatment of the dark mode and the accuracy.

    Parameters
    ----------
    layers : sequence
        Top to bottom: ``(n, thickness_nm)`` uniform layers and ``(n_ridge, n_groove, duty,
        thickness_nm)`` binary gratings (ridge fraction ``duty``, ridges centred on x = 0).
    period_nm : float
        Grating period (nm).
    superstrate_n, substrate_n : float
        Real indices of the semi-infinite media above and below.
    near_nm : float
        Vacuum wavelength (nm) near which to look, e.g. ``n_eff * period_nm``.
    pol : {"TE", "TM"}
        TE: E along the lines.
    harmonics : int
        Odd number of Fourier orders ``-M..M``.
    window_nm : float, optional
        Half-width of the real-wavelength scan that seeds the pole search (default
        ``0.03 * near_nm``).
    scan_points : int
        Points of that scan.
    dark_tol : float
        ``|Im f| / Re f`` (and the relative order-0 residue) below which a pole is the dark mode.

    Returns
    -------
    BandEdgePair
        The two distinct poles closest to ``near_nm``, by wavelength.

    Raises
    ------
    ValueError
        On bad input (the message names the parameter).
    RuntimeError
        If fewer than two poles are found in the window.
    """
    _check_inputs(layers, period_nm, superstrate_n, substrate_n, pol, harmonics)
    _check_positive("near_nm", near_nm)
    if window_nm is None:
        window_nm = 0.03 * near_nm
    _check_positive("window_nm", window_nm)
    if window_nm >= near_nm / 2:
        raise ValueError(f"window_nm must be below near_nm / 2, got {window_nm!r}")
    if not (isinstance(scan_points, (int, np.integer)) and scan_points >= 11):
        raise ValueError(f"scan_points must be an integer >= 11, got {scan_points!r}")
    _check_positive("dark_tol", dark_tol)

    s = _build(layers, period_nm, superstrate_n, substrate_n, harmonics)
    solver = _Solver(s, pol)
    f_scale = 1.0 / near_nm
    poles = _find_poles(solver, 1.0 / (near_nm + window_nm), 1.0 / (near_nm - window_nm), scan_points, f_scale)
    if len(poles) < 2:
        raise RuntimeError(
            f"found {len(poles)} pole(s) within near_nm={near_nm} +- window_nm={window_nm}; "
            "widen the window, move near_nm, or check that the slab guides a mode"
        )
    poles.sort(key=lambda p: abs(1.0 / p.real - near_nm))
    pair = sorted(poles[:2], key=lambda p: 1.0 / p.real)

    raw = []
    for p in pair:
        up, down, _ = _residue_fractions(solver, p)
        raw.append((p, up, down))
    scale = max(max(up, down) / max(abs(p.imag), 1e-300) for p, up, down in raw)
    modes = []
    for p, up, down in raw:
        rel_im = abs(p.imag) / p.real
        q_num = p.real / (-2 * p.imag) if p.imag != 0 else math.inf
        # residue relative to the linewidth-normalised residue of the brightest mode
        rel_res = (max(up, down) / max(abs(p.imag), 1e-300)) / scale if scale > 0 else 0.0
        dark = rel_im < dark_tol and (rel_res < dark_tol or max(up, down) < dark_tol * abs(p.real))
        if dark:
            lam = float(1.0 / p.real)
            modes.append(BandEdgeMode(lam, math.inf, float(q_num), math.nan, math.nan, True, complex(p)))
        else:
            if p.imag >= 0:
                raise RuntimeError(f"pole {p} of a radiating mode has Im f >= 0 (gain?) in a passive structure")
            tot = up + down
            lam, q, fu, fd = float(1.0 / p.real), float(q_num), float(up / tot), float(down / tot)
            modes.append(BandEdgeMode(lam, q, q, fu, fd, False, complex(p)))
    return BandEdgePair(modes[0], modes[1], int(harmonics))


def band_edge_modes_vs_duty(layers_for_duty, duties, period_nm, superstrate_n, substrate_n, near_nm, **kwargs):
    """``band_edge_modes`` for a sweep of duty cycles.

    Parameters
    ----------
    layers_for_duty : callable
        ``duty -> layers`` (so the caller says which grating layer(s) the duty applies to).
    duties : sequence of float
        Ridge fractions in (0, 1).
    period_nm, superstrate_n, substrate_n, near_nm, **kwargs
        As for :func:`band_edge_modes`.

    Returns
    -------
    list of (duty, BandEdgePair)
    """
    if not callable(layers_for_duty):
        raise ValueError(f"layers_for_duty must be a callable duty -> layers, got {layers_for_duty!r}")
    out = []
    for d in duties:
        if not (0 < d < 1):
            raise ValueError(f"duties must lie in (0, 1), got {d!r}")
        pair = band_edge_modes(layers_for_duty(d), period_nm, superstrate_n, substrate_n, near_nm, **kwargs)
        out.append((float(d), pair))
    return out


def zero_order_spectrum(layers, period_nm, superstrate_n, substrate_n, wavelengths_nm, pol="TE", harmonics=21):
    """Reflectance, transmittance and the order-0 amplitude reflection at normal incidence from the top.

    Parameters
    ----------
    layers, period_nm, superstrate_n, substrate_n, pol, harmonics
        As for :func:`band_edge_modes`.
    wavelengths_nm : array_like
        Real vacuum wavelengths (nm).

    Returns
    -------
    R, T : ndarray
        Reflected and transmitted power (all propagating orders) per unit incident power, from the
        z-component of the Poynting vector.
    r_top, r_bottom : ndarray of complex
        Order-0 amplitude reflection coefficients for light incident from the superstrate and from
        the substrate (Inkstone's convention for the phase reference: the outer interfaces).
    """
    _check_inputs(layers, period_nm, superstrate_n, substrate_n, pol, harmonics)
    lam = np.atleast_1d(np.asarray(wavelengths_nm, dtype=float))
    if not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError(f"wavelengths_nm must be finite and positive, got {wavelengths_nm!r}")
    s = _build(layers, period_nm, superstrate_n, substrate_n, harmonics)
    if pol == "TM":
        s.SetExcitation(theta=0, phi=0, s_amplitude=0, p_amplitude=1)
    solver = _Solver(s, pol)
    R = np.empty(lam.size)
    T = np.empty(lam.size)
    rt = np.empty(lam.size, complex)
    rb = np.empty(lam.size, complex)
    for i, w in enumerate(lam):
        s.frequency = 1.0 / w
        fi, fb = s.GetPowerFlux("superstrate")
        fo, _ = s.GetPowerFlux("substrate")
        R[i] = -fb / fi
        T[i] = fo / fi
        block = solver.rad_block(1.0 / w)
        rt[i] = block[0, 0]
        rb[i] = block[1, 1]
    return R, T, rt, rb


if __name__ == "__main__":  # pragma: no cover - convergence table and the report's table
    import sys
    import time

    def geometry(depth, duty, film=200.0):
        return [(1.70, film), (1.52, 1.70, duty, depth)]

    period = float(sys.argv[1]) if len(sys.argv) > 1 else 408.0
    for harm in (11, 15, 21, 31, 41):
        t0 = time.time()
        pair = band_edge_modes(geometry(20.0, 0.3), period, 1.0, 1.52, 632.0, harmonics=harm)
        dt = time.time() - t0
        print(harm, [(round(m.wavelength_nm, 4), m.q) for m in pair.modes], f"{dt:.2f} s")

"""Spectra, fields and absorption of planar stacks (the public face of the TMM kernels).

Every function validates its input, evaluates the materials with numpy, calls the jitted kernels
of :mod:`cavity.optics._tmm_kernels` and returns a frozen result.  Conventions: :mod:`cavity.conventions`.
"""
from __future__ import annotations

import enum
import math
import os

import numpy as np
from numpy.typing import ArrayLike

from . import _tmm_kernels as K
from .._jit import compiled_or_cached, forked_after_openmp, run_tasks, run_threaded, thread_count
from .._validation import (as_float_array, grazing_error, parse_enum, require_angles, require_finite, require_scalar_angle,
                           require_scalar_finite, require_threads, require_wavelength)
from ..conventions import gain_to_k
from ..layers import Stack
from ..results import FieldProfile, LayerAbsorption, Spectrum

__all__ = [
    "Polarization",
    "spectrum",
    "spectrum_arrays",
    "field_profile",
    "absorption_by_layer",
    "stack_arrays",
    "PARALLEL_MIN_WORK",
]

#: Below this many layer-wavelength evaluations a batched call runs on one thread: thread start-up
#: and a busy second core cost more than they save.  Measured on the 2-core CI machine (AMD EPYC,
#: numba 0.68, 40 layers, spectrum_arrays threads=1 vs 2, medians of 15): 5k and 10k
#: layer-wavelengths 0.97x (one task only), 21k 1.4x, 41k 1.6x, 82k 1.6x, 205k 1.9x, 820k 1.7x.
PARALLEL_MIN_WORK = 40_000
#: Wavelengths per threaded task (two of the kernels' 128-wavelength SIMD blocks).
_BLOCK = 256


class Polarization(str, enum.Enum):
    """Polarization of a plane wave or of a guided mode; every result stores this member.

    ``S`` (``"s"``) has E perpendicular to the plane of incidence: the TE guided modes of a slab;
    ``P`` (``"p"``) has E in that plane: the TM modes.  :meth:`parse` accepts a member, its value
    or name in any case, and ``"TE"``/``"TM"`` for s/p; :attr:`label` gives ``"TE"``/``"TM"``.
    Being a ``str`` enum, a member equals its value (``Polarization.S == "s"``), prints as it
    (``f"{pol}"`` gives ``"s"``) and serialises as it (``to_dict()``); compare members by identity
    (``pol is Polarization.S``).
    """

    S = "s"
    P = "p"
    UNPOLARIZED = "unpolarized"

    @classmethod
    def parse(cls, value: str | Polarization, *, allow_unpolarized: bool = True) -> Polarization:
        """The member ``value`` names (a ValueError naming ``polarization`` otherwise); with
        ``allow_unpolarized=False`` only s or p (amplitudes and modes need one polarization)."""
        pol = parse_enum(cls, value, "polarization", aliases={"te": cls.S, "tm": cls.P})
        if pol is cls.UNPOLARIZED and not allow_unpolarized:
            raise ValueError("polarization must be 's' or 'p' here (amplitudes need one polarization), got 'unpolarized'")
        return pol

    def __str__(self) -> str:
        return self.value

    @property
    def code(self) -> int:
        """The kernels' polarization code: 0 for s (TE), 1 for p (TM)."""
        return 0 if self is Polarization.S else 1

    @property
    def label(self) -> str:
        """``"TE"`` for s, ``"TM"`` for p (the guided-mode names), ``"unpolarized"``."""
        if self is Polarization.S:
            return "TE"
        return "TM" if self is Polarization.P else "unpolarized"


def stack_arrays(stack: Stack, wavelength: ArrayLike, gain: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Index and thickness arrays of a stack: ``n[M, W]`` complex128 and ``d[M]`` float64.

    ``gain`` (cm^-1, scalar or array over wavelength) is added as ``k = -g lambda/(4 pi)`` to the
    layers marked ``gain=True``.
    """
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
    wl = require_wavelength(np.atleast_1d(wavelength))
    if wl.ndim > 1:
        raise ValueError(f"wavelength must be a scalar or a 1-D array (nm), got shape {wl.shape}")
    n = stack.indices(wl)
    if gain is not None:
        g = as_float_array(gain, "gain")
        require_finite(g, "gain")
        if g.ndim > 1 or (g.ndim == 1 and g.shape != wl.shape):
            raise ValueError(f"gain must be a scalar or an array over the {wl.size} wavelengths (cm^-1), got shape {g.shape}")
        idx = stack.gain_layer_indices
        if not idx:
            raise ValueError("gain was given but the stack has no layer with gain=True")
        with np.errstate(over="ignore", invalid="ignore"):
            dk = gain_to_k(np.broadcast_to(g, wl.shape), wl)
        if not np.all(np.isfinite(dk)):
            bad = np.broadcast_to(g, wl.shape)[~np.isfinite(dk)].ravel()[0]
            raise ValueError(f"gain={bad!r} cm^-1 overflows the extinction coefficient k = -g lambda/(4 pi); "
                             "a material gain must be far below 1e300 cm^-1")
        for i in idx:
            n[i + 1] = n[i + 1] + 1j * dk
    return n, stack.padded_thicknesses()


#: largest block (bytes) of complex128 indices :func:`spectrum_arrays` converts and solves at once:
#: a larger batch (10,000 designs x 42 media x 1000 wavelengths is 6.7 GB as complex128, twice
#: its complex64 input) is streamed in blocks of designs with the same results, so the memory
#: beyond the caller's input and the outputs stays below this bound.
MAX_BLOCK_BYTES = 256 * 2**20

def _physical_memory_bytes() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 16 * 2**30


#: largest result (bytes) :func:`spectrum_arrays` returns: half the machine's physical memory.  A
#: request beyond it (designs x angles x wavelengths x 48 bytes for one polarization) is refused
#: with its size instead of exhausting memory; split the designs into batches.
MAX_OUTPUT_BYTES = _physical_memory_bytes() // 2

#: bytes per (design, angle, wavelength) of the returned arrays, by polarization
_OUTPUT_BYTES = {"both": 96, "unpolarized": 16, "single": 48}

#: largest number of samples :func:`field_profile` accepts (about 0.5 GB of results)
_MAX_PROFILE_POINTS = 1e7


def _check_outer(n, angles):
    """Outer media: no gain; a lossless incident medium at oblique incidence."""
    for which, col in (("incident medium", n[..., 0, :]), ("substrate", n[..., -1, :])):
        if np.any(col.imag < 0):
            raise ValueError(
                f"gain (k < 0) in the semi-infinite {which} is ambiguous (which wave is incoming?); "
                "put the gain in a finite layer (docs/theory.md s.5.2)"
            )
    if np.any(angles > 0) and np.any(n[..., 0, :].imag != 0):
        raise ValueError("oblique incidence needs a lossless incident medium (k = 0); got an absorbing incident medium")


def _thin_layer_field(f_left, g_left, q, y, n, k0u, pol):
    """``(F, G)`` at depths ``u`` (``k0u = k0 u``, array) in a layer from its left-face values,
    with the characteristic matrix in a form regular at ``q = 0`` (see :func:`field_profile`)."""
    x = q * k0u
    sx = k0u.astype(np.complex128) if q == 0 else np.sin(x) / q  # sin(q k0 u) / q
    s_y = sx if pol is Polarization.S else sx * n * n  # sin(x) / Y
    c = np.cos(x)
    return c * f_left + 1j * s_y * g_left, c * g_left + 1j * (y * q) * sx * f_left


def _check_indices_finite(n):
    """Called when a result is not finite: blame non-finite indices before the gain."""
    if not np.all(np.isfinite(n)):
        raise ValueError("refractive indices must be finite")


def _run_rt(n, d, wl, sin_t, pol_code, threads):
    """Dispatch to the serial or threaded kernel; outputs ``[D, A, W]``."""
    D, M, W = n.shape
    A = sin_t.shape[0]
    r = np.empty((D, A, W), np.complex128)
    t = np.empty((D, A, W), np.complex128)
    T = np.empty((D, A, W), np.float64)
    _dispatch(lambda t0, t1, block: K.rt_tasks(n, d, wl, sin_t, pol_code, block, t0, t1, r, t, T),
              K.rt_batch_parallel, (n, d, wl, sin_t, pol_code, _BLOCK, r, t, T), D * A, W, threads, D * A * W * M)
    return r, t, T


def _run_rt_sp(n, d, wl, sin_t, threads):
    """Both polarizations in one kernel pass (q and the phases computed once); outputs
    ``r_s, t_s, T_s, r_p, t_p, T_p`` each ``[D, A, W]``."""
    D, M, W = n.shape
    A = sin_t.shape[0]
    outs = [np.empty((D, A, W), dt) for dt in (np.complex128, np.complex128, np.float64) * 2]
    _dispatch(lambda t0, t1, block: K.rt_tasks_sp(n, d, wl, sin_t, block, t0, t1, *outs),
              K.rt_batch_sp_parallel, (n, d, wl, sin_t, _BLOCK, *outs), D * A, W, threads, 2 * D * A * W * M)
    return outs


def _dispatch(tasks, parfor, parfor_args, rows, W, threads, work):
    """Run a batch: ``tasks(t0, t1, block)`` calls the serial task kernel (``rt_tasks``) on tasks
    ``[t0, t1)``; ``parfor(*parfor_args)`` is the threaded (``prange``) kernel, same results.

    One rule, no timing: one thread runs ``tasks(0, rows, W)`` (one task per design and angle);
    threads forced by the caller (``threads=N``) run the parfor kernel; default threads
    (``threads=None``, work above :data:`PARALLEL_MIN_WORK`) run the parfor kernel when it is
    compiled or in numba's cache (``python -m cavity.warmup`` puts it there at install), else the
    serial kernel's tasks on Python threads, which compiles nothing more (the parfor kernel costs
    seconds of compilation on first use) and is ~1.6-1.9x faster than one thread on 2 cores
    against ~2x for the parfor kernel (benchmarks/bench_tmm.py)."""
    if threads is None and thread_count(None, work, PARALLEL_MIN_WORK) > 1 and not forked_after_openmp() \
            and not compiled_or_cached(parfor, parfor_args):
        run_tasks(lambda a, b: tasks(a, b, _BLOCK), rows * ((W + _BLOCK - 1) // _BLOCK),
                  thread_count(None, work, PARALLEL_MIN_WORK))
        return
    run_threaded(lambda: tasks(0, rows, W), lambda: parfor(*parfor_args), threads, work, PARALLEL_MIN_WORK)


def _parse_batch_polarization(value):
    """``"both"`` or a :class:`Polarization`."""
    if isinstance(value, str) and value.strip().lower() == "both":
        return "both"
    try:
        return Polarization.parse(value)
    except ValueError:
        raise ValueError(f"polarization must be 's' (TE), 'p' (TM), 'unpolarized' or 'both', got {value!r}") from None


def spectrum_arrays(n: ArrayLike, d: ArrayLike, wavelength: ArrayLike, angle: ArrayLike = 0.0,
                    polarization: str | Polarization = "s", *, threads: int | None = None) -> dict[str, np.ndarray]:
    """Batched entry on plain arrays: many designs x angles x wavelengths in one call.

    Parameters
    ----------
    n : complex array (D, M, W) or (M, W)
        Indices of the media (incident, layers..., substrate) of each design at each wavelength.
        Interior layers may have gain (k < 0); the outer media may not.
    d : float array (D, M) or (M,)
        Thicknesses (nm); the outer entries are ignored.
    wavelength : float array (W,)
        Vacuum wavelengths (nm).
    angle : float or array (A,)
        Angles of incidence (degrees, [0, 90]) in the (lossless) incident medium.  90 degrees, and
        every angle whose sine rounds to 1 (above 89.9999993962), is grazing incidence:
        ``r = -1, t = 0, R = 1, T = 0``, the limit theta -> 90 degrees.
    polarization : "s", "p", "unpolarized" or "both"
        ``"unpolarized"`` and ``"both"`` compute s and p in one kernel pass (the normal wave numbers
        and propagation phases are shared), which costs less than two calls.
    threads : int, optional
        Force the number of threads; by default threads are used only above
        :data:`PARALLEL_MIN_WORK` layer-wavelength evaluations (s and p count twice).

    Returns
    -------
    dict of arrays (D, A, W): ``r, t, R, T`` for ``"s"`` or ``"p"``; ``R, T`` (the means of s
    and p) for ``"unpolarized"``; ``r_s, t_s, R_s, T_s, r_p, t_p, R_p, T_p`` for ``"both"``.
    """
    pol = _parse_batch_polarization(polarization)
    wl = require_wavelength(np.atleast_1d(wavelength))
    if isinstance(n, (str, bytes)) or n is None:
        raise TypeError(f"n must be a complex index array, got {n!r}")
    if np.asarray(n).dtype == np.bool_:
        raise TypeError("n must be a complex index array, not booleans")
    n = np.asarray(n)
    if n.dtype.kind not in "biufc":
        n = np.asarray(n, dtype=np.complex128)
    d = np.ascontiguousarray(as_float_array(d, "d"), dtype=np.float64)
    if n.ndim == 2:
        n = n[None]
    if d.ndim == 1:
        d = d[None]
    if n.ndim != 3 or d.ndim != 2 or n.shape[0] != d.shape[0] or n.shape[1] != d.shape[1] or n.shape[2] != wl.size:
        raise ValueError(
            f"shapes must be n (designs, media, wavelengths) and d (designs, media) matching the {wl.size} wavelengths; "
            f"got n {n.shape} and d {d.shape}"
        )
    if n.shape[1] < 2:
        raise ValueError(f"a stack needs at least the two outer media, got {n.shape[1]} media")
    require_finite(d, "thickness")
    if np.any(d < 0):
        raise ValueError(f"thickness must be >= 0 nm, got {float(d[d < 0][0])!r}")
    angles = np.atleast_1d(require_angles(angle, grazing=True))
    return _solve(n, d, wl, angles, pol, require_threads(threads))


def _solve(n, d, wl, angles, pol, threads):
    """:func:`spectrum_arrays` on validated inputs (``n[D, M, W]`` of any numeric dtype, ``d[D, M]``
    float64 >= 0, ``wl[W]`` > 0, ``angles[A]`` in [0, 90]): outer-media checks, bounded output,
    blocks of bounded memory, finite results."""
    with np.errstate(over="ignore", divide="ignore"):
        phase = 2 * np.pi / float(wl.min()) * float(np.max(d[:, 1:-1], initial=0.0))
    if not math.isfinite(phase):
        raise ValueError(f"wavelength={float(wl.min())!r} nm is too small for the {float(np.max(d[:, 1:-1])):g} nm "
                         "layers: the propagation phase 2 pi d / wavelength overflows")
    sin_t = np.sin(np.deg2rad(angles))
    D, M, W = n.shape
    per = _OUTPUT_BYTES["both" if pol == "both" else "unpolarized" if pol is Polarization.UNPOLARIZED else "single"]
    size = float(D) * angles.size * W * per
    if size > MAX_OUTPUT_BYTES:
        raise ValueError(
            f"spectrum_arrays would return {size / 2**30:.1f} GiB ({D} designs x {angles.size} angles x {W} "
            f"wavelengths x {per} bytes), more than MAX_OUTPUT_BYTES = {MAX_OUTPUT_BYTES / 2**30:.1f} GiB (half this "
            f"machine's memory): pass the designs in batches, or fewer angles or wavelengths")
    block = max(1, MAX_BLOCK_BYTES // (M * W * 16))  # designs whose complex128 indices fit in one block
    out = {}
    for a in range(0, D, block):
        # stream: each block of designs is converted to contiguous complex128 on its own (a
        # complex64 or strided input is never copied whole), checked, and solved into ``out``
        nb = np.ascontiguousarray(n[a:a + block], dtype=np.complex128)
        db = d[a:a + block]
        if not nb.flags.writeable:  # numba compiles read-only arrays as another type: pass writable ones
            nb = nb.copy()
        if not db.flags.writeable:
            db = db.copy()
        _check_outer(nb, angles)
        if not np.isfinite(nb.sum()):
            _check_indices_finite(nb)
        if np.any(nb[..., 0, :].real <= 0):
            bad = nb[..., 0, :][nb[..., 0, :].real <= 0].ravel()[0]
            raise ValueError(f"n of the incident medium (n[..., 0, :]) must have a real part > 0, got {bad!r}")
        if pol == "both":
            rs, ts, Ts, rp, tp, Tp = _run_rt_sp(nb, db, wl, sin_t, threads)
            part = dict(r_s=rs, t_s=ts, R_s=np.abs(rs) ** 2, T_s=Ts, r_p=rp, t_p=tp, R_p=np.abs(rp) ** 2, T_p=Tp)
        elif pol is Polarization.UNPOLARIZED:
            rs, _, Ts, rp, _, Tp = _run_rt_sp(nb, db, wl, sin_t, threads)
            part = dict(R=0.5 * (np.abs(rs) ** 2 + np.abs(rp) ** 2), T=0.5 * (Ts + Tp))
        else:
            r, t, T = _run_rt(nb, db, wl, sin_t, pol.code, threads)
            part = dict(r=r, t=t, R=np.abs(r) ** 2, T=T)
        if block >= D:
            out = part
            break
        for key, val in part.items():
            if key not in out:
                out[key] = np.empty((D,) + val.shape[1:], val.dtype)
            out[key][a:a + block] = val
    for key, val in out.items():
        if not np.isfinite(val.sum()):
            raise FloatingPointError(
                f"non-finite {key} in the transfer-matrix result: the stack's single-pass gain overflows "
                "(reduce the gain or thickness of the gain layers)"
            )
    return out


def spectrum(stack: Stack, wavelength: ArrayLike, angle: ArrayLike = 0.0, polarization: str | Polarization = "s", *,
             gain: ArrayLike | None = None, threads: int | None = None) -> Spectrum:
    """Reflectance, transmittance and amplitude coefficients of a stack.

    Parameters
    ----------
    stack : Stack
    wavelength : float or array (W,)
        Vacuum wavelengths (nm).
    angle : float or array (A,), default 0
        Angle of incidence in the incident medium (degrees, [0, 90]).  An array adds a leading
        angle axis to every output.  90 degrees (and any angle whose sine rounds to 1) is grazing
        incidence: ``r = -1``, ``t = 0``, ``R = 1``, ``T = A = 0``.
    polarization : {"s", "p", "unpolarized"}
        ``"unpolarized"`` averages the power quantities; ``r`` and ``t`` are then None.
    gain : float or array (W,), optional
        Material power gain (cm^-1) in the layers marked ``gain=True``
        (``k = -g lambda / (4 pi)``, :mod:`cavity.conventions`).
    threads : int, optional
        See :func:`spectrum_arrays`.

    Returns
    -------
    Spectrum

    Notes
    -----
    Stable recursion of reflection coefficients (Rouard; equivalently the Redheffer star product
    of S-matrices), see :mod:`cavity.optics._tmm_kernels` and docs/theory.md s.5.3.  ``A = 1 - R - T`` is the
    power absorbed (negative where gain amplifies).

    Limits: grazing incidence (``kx = n0 sin(theta) = n0``) gives ``r = -1, t = 0``, the limit
    theta -> 90 degrees of any stack with an index step.  A lossless layer at its critical
    condition (``n = kx``, normal wave number ``q = 0``) is crossed with the ``q -> 0`` limit of its
    characteristic matrix, ``[[1, -i k0 d (q/Y)], [0, 1]]`` (``q/Y = 1`` for s, ``n^2`` for p;
    Born & Wolf, *Principles of Optics*, s.1.6.2); a substrate with ``q = 0`` receives a grazing
    wave that carries no power, ``T = 0``.
    """
    pol = Polarization.parse(polarization)
    scalar_angle = np.ndim(angle) == 0
    if scalar_angle and gain is None and np.ndim(wavelength) == 0 and pol is not Polarization.UNPOLARIZED:
        require_threads(threads)  # validated as on the general path (one wavelength runs on one thread)
        return _spectrum_one(stack, wavelength, angle, pol)
    wl = require_wavelength(np.atleast_1d(wavelength))
    n, d = stack_arrays(stack, wl, gain)
    res = _solve(n[None], d[None], wl, np.atleast_1d(require_angles(angle, grazing=True)), pol, require_threads(threads))

    def shape(a):
        if a is None:
            return None
        a = a[0]
        return a[0] if scalar_angle else a

    R, T = shape(res["R"]), shape(res["T"])
    ang = float(np.asarray(angle, dtype=float)) if scalar_angle else np.asarray(angle, dtype=float)
    return Spectrum(wl, ang, pol, R, T, 1.0 - R - T, shape(res.get("r")), shape(res.get("t")))


_PLAIN = (float, int, np.floating, np.integer)


def _spectrum_one(stack: Stack, wavelength, angle, pol: Polarization) -> Spectrum:
    """:func:`spectrum` at one wavelength and angle: the same checks, the single-wavelength kernel."""
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a cavity.Stack, got {stack!r}")
    # plain Python numbers are checked directly; anything else goes through the general validators
    if isinstance(wavelength, _PLAIN) and not isinstance(wavelength, bool) and math.isfinite(wavelength) and wavelength > 0:
        lam = float(wavelength)
    else:
        lam = float(require_wavelength(np.atleast_1d(wavelength))[0])
    if isinstance(angle, _PLAIN) and not isinstance(angle, bool) and 0 <= angle <= 90:
        ang = float(angle)
    else:
        ang = require_scalar_angle(angle, grazing=True)
    n = stack.indices(lam)[:, 0]
    n0, ns = complex(n[0]), complex(n[-1])
    if n0.imag < 0 or ns.imag < 0:
        _check_outer(n[:, None], np.array([ang]))
    if ang > 0 and n0.imag != 0:
        _check_outer(n[:, None], np.array([ang]))
    if n0.real <= 0:
        raise ValueError(f"n of the incident medium must have a real part > 0, got {n0!r}")
    d = stack.padded_thicknesses()
    if not math.isfinite(2 * math.pi / lam * float(d.max())):
        raise ValueError(f"wavelength={lam!r} nm is too small for the {float(d.max()):g} nm layers: the propagation "
                         "phase 2 pi d / wavelength overflows")
    kx = n0.real * math.sin(math.radians(ang))
    r, t = K.rt_single(n, d, lam, kx, pol.code)
    R = abs(r) ** 2
    T = float(K.transmittance_factor(n0, ns, kx, pol.code)) * abs(t) ** 2
    if not (math.isfinite(R) and math.isfinite(T)):
        _check_indices_finite(n)
        raise FloatingPointError("non-finite R or T in the transfer-matrix result: the stack's single-pass gain "
                                 "overflows (reduce the gain or thickness of the gain layers)")
    return Spectrum(np.array([lam]), ang, pol, np.array([R]), np.array([T]), np.array([1.0 - R - T]),
                    np.array([r]), np.array([t]))


def absorption_by_layer(stack: Stack, wavelength: ArrayLike, angle: float = 0.0, polarization: str | Polarization = "s", *,
                        gain: ArrayLike | None = None) -> LayerAbsorption:
    """Fraction of the incident power absorbed in each layer (and R, T).

    For each layer, the drop of the normal Poynting flux across it, both fluxes evaluated from
    the layer's own forward and backward amplitudes (a layer with a normal wave number
    ``|q| < 1e-5``: from the tangential fields on its faces).  With ``"unpolarized"``
    the s and p fractions are averaged.  At grazing incidence (90 degrees, or any angle whose sine
    rounds to 1) ``R = 1`` and every other fraction is 0, as in :func:`spectrum`.
    """
    pol = Polarization.parse(polarization)
    ang = require_scalar_angle(angle, grazing=True)
    n, d = stack_arrays(stack, wavelength, gain)
    _check_outer(n, np.array([ang]))
    wl = np.atleast_1d(np.asarray(wavelength, dtype=np.float64))
    sin_t = math.sin(math.radians(ang))
    codes = (0, 1) if pol is Polarization.UNPOLARIZED else (pol.code,)
    acc = np.zeros((n.shape[0], wl.size))
    for code in codes:
        out = np.empty((n.shape[0], wl.size))
        K.absorption_range(n, d, wl, np.ascontiguousarray(n[0].real * sin_t), code, False, out)
        acc += out / len(codes)
    if not np.all(np.isfinite(acc)):
        raise FloatingPointError("non-finite absorption: the single-pass gain of the gain layers overflows")
    names = tuple(lay.label for lay in stack.layers)
    return LayerAbsorption(wl, names, acc[1:-1], acc[0], acc[-1])


def field_profile(
    stack: Stack,
    wavelength: float,
    angle: float = 0.0,
    polarization: str | Polarization = "s",
    *,
    step: float = 1.0,
    outside: float = 100.0,
    gain: float | None = None,
) -> FieldProfile:
    """|E(z)|^2, the index and the power flow through the stack at one wavelength.

    Parameters
    ----------
    stack : Stack
    wavelength : float          vacuum wavelength (nm)
    angle : float               degrees
    polarization : "s" or "p"
    step : float                sampling step (nm); every layer gets at least 2 points
    outside : float             length (nm) of incident medium and substrate to include
    gain : float, optional      material gain (cm^-1) in the gain layers

    Notes
    -----
    For s, ``E = E_y``.  For p the kernel propagates H_y and ``E_x = Y (a - b)``,
    ``E_z = -(kx / n^2) (a + b)`` in units where the incident |E|^2 is ``|a|^2 / n0^2``.
    The power flow is ``Re[E_t conj(H_t)]`` normalised to the incident flux.

    In a layer with ``|q| < 1e-5`` (e.g. lossless at its critical condition, ``n = kx``, ``q = 0``)
    the field is evaluated from the tangential fields ``F = a + b``, ``G = Y (a - b)`` on its left
    face with the characteristic matrix, ``F(u) = cos(q k0 u) F_L + i (sin(q k0 u) / q) (q/Y) G_L``,
    ``G(u) = cos(q k0 u) G_L + i Y sin(q k0 u) F_L`` (Born & Wolf s.1.6.2), which is linear in u at
    ``q = 0``.

    Raises
    ------
    ValueError
        At grazing incidence (``angle`` of 90 degrees, or any angle whose sine rounds to 1): no
        power enters the stack and the total field vanishes, so a profile normalised to the
        incident flux is not defined.
    """
    pol = Polarization.parse(polarization, allow_unpolarized=False)
    wl = float(require_wavelength(wavelength).ravel()[0]) if np.ndim(wavelength) == 0 else None
    if wl is None:
        raise ValueError(f"field_profile takes one wavelength (nm), got an array of shape {np.shape(wavelength)}")
    ang = require_scalar_angle(angle)
    step = require_scalar_finite(step, "step")
    if not step > 0:
        raise ValueError(f"step must be a positive length in nm, got {step!r}")
    outside = require_scalar_finite(outside, "outside")
    if not outside >= 0:
        raise ValueError(f"outside must be a length >= 0 nm, got {outside!r}")
    n2d, d = stack_arrays(stack, [wl], gain)
    span = float(np.sum(d[1:-1])) + 2 * outside
    if span / step > _MAX_PROFILE_POINTS:
        raise ValueError(f"step={step!r} nm samples the {span:g} nm profile (layers plus 2 x outside) at more than "
                         f"{_MAX_PROFILE_POINTS:g} points; use a larger step or a smaller outside")
    _check_outer(n2d, np.array([ang]))
    n = n2d[:, 0].copy()
    M = n.size
    kx = n[0].real * math.sin(math.radians(ang))
    if K.is_grazing(n[0], kx * kx):
        raise grazing_error(ang)
    q = np.empty(M, np.complex128)
    y = np.empty(M, np.complex128)
    al = np.empty(M, np.complex128)
    br = np.empty(M, np.complex128)
    ph = np.empty(M, np.complex128)
    f_left = np.empty(M, np.complex128)
    g_left = np.empty(M, np.complex128)
    K.boundary_fields(n, d, wl, kx, pol.code, q, y, al, br, ph, f_left, g_left)
    k0 = 2 * np.pi / wl
    bounds = np.concatenate(([0.0], np.cumsum(d[1:-1])))
    zs, es, ns, fs, ids = [], [], [], [], []
    for m in range(M):
        if m == 0:
            zl, zr = -outside, 0.0
        elif m == M - 1:
            zl, zr = bounds[-1], bounds[-1] + outside
        else:
            zl, zr = bounds[m - 1], bounds[m]
        npts = max(2, int(math.ceil((zr - zl) / step)) + 1)
        z = np.linspace(zl, zr, npts)
        if 0 < m < M - 1 and K.is_thin_q(q[m]):
            f, g = _thin_layer_field(f_left[m], g_left[m], q[m], y[m], n[m], k0 * (z - zl), pol)
            if pol is Polarization.S:
                e2 = np.abs(f) ** 2
            else:
                e2 = (np.abs(g) ** 2 + np.abs((kx / n[m] ** 2) * f) ** 2) * abs(n[0]) ** 2
            flow = (f * np.conj(g)).real / y[0].real
            zs.append(z)
            es.append(e2)
            ns.append(np.full(z.shape, n[m]))
            fs.append(flow)
            ids.append(np.full(z.shape, m))
            continue
        if m == 0:
            fwd = al[0] * np.exp(1j * q[0] * k0 * z)  # reference plane z = 0
            bwd = br[0] * np.exp(-1j * q[0] * k0 * z)
        elif m == M - 1:
            fwd = al[m] * np.exp(1j * q[m] * k0 * (z - zl))
            bwd = np.zeros_like(fwd)
        else:
            fwd = al[m] * np.exp(1j * q[m] * k0 * (z - zl))
            bwd = br[m] * np.exp(1j * q[m] * k0 * (zr - z))
        if pol is Polarization.S:
            e2 = np.abs(fwd + bwd) ** 2
        else:
            ex = y[m] * (fwd - bwd)
            ez = -(kx / n[m] ** 2) * (fwd + bwd)
            e2 = (np.abs(ex) ** 2 + np.abs(ez) ** 2) * abs(n[0]) ** 2
        flow = (np.conj(y[m]) * (fwd + bwd) * np.conj(fwd - bwd)).real / y[0].real
        zs.append(z)
        es.append(e2)
        ns.append(np.full(z.shape, n[m]))
        fs.append(flow)
        ids.append(np.full(z.shape, m))
    z = np.concatenate(zs)
    flow = np.concatenate(fs)
    idx = np.concatenate(ids)
    # absorbed density: k0 Im(eps) |E|^2 (s) -- take it from the local flux derivative per medium
    dens = np.empty_like(flow)
    for m in range(M):
        sel = idx == m
        eps_im = (n[m] ** 2).imag
        if pol is Polarization.S:
            dens[sel] = k0 * eps_im * np.concatenate(es)[sel] / y[0].real
        else:
            dens[sel] = k0 * eps_im * np.concatenate(es)[sel] / abs(n[0]) ** 2 / y[0].real
    return FieldProfile(z, np.concatenate(es), np.concatenate(ns), flow, dens, bounds, idx, wl, ang, pol)

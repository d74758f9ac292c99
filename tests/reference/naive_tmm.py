"""A slow, obviously-correct transfer-matrix reference: plain 2x2 characteristic (Abeles) matrices.

One wavelength and one angle at a time, in plain numpy, written from the textbook (Born & Wolf
s.1.6; Macleod, *Thin-Film Optical Filters*, ch. 2) and independent of the engine's Rouard/S-matrix
recursion.  It overflows for thick absorbing or evanescent layers (``cosh`` of a large argument):
compare with it only where it is finite.

Conventions (the same as ``tmm`` and :mod:`cavity.conventions`):

* indices ``n + ik`` (k > 0 absorbs), fields ``exp(i(kz - wt))``, lengths in one unit (nm);
* ``kx = n0 sin(theta0)``, ``q_j = sqrt(n_j^2 - kx^2)``; in the outer media the physical branch
  (``Im q > 0``, or ``Re q > 0`` when lossless and propagating); interior layers any branch (the
  characteristic matrix is even in q);
* the tangential field U (E_y for s, H_y for p) and its partner V = Y (a - b) with the
  admittance ``Y = q`` (s) or ``Y = q / n^2`` (p); the normal power flow is ``Re(U conj V)``;
* ``t`` for p is the E-field amplitude ratio: ``t_E = t_H n0 / ns`` (Byrnes' ``tmm``).
"""
from __future__ import annotations

import cmath
import math

import numpy as np

__all__ = ["outer_q", "char_matrix", "coh", "period_matrix", "half_trace", "airy_slab"]


def outer_q(n, kx):
    """Normal index of a semi-infinite medium on the physical branch."""
    q = cmath.sqrt(complex(n) ** 2 - kx**2)
    if abs(q.imag) > 1e-300:
        return q if q.imag > 0 else -q
    return q if q.real >= 0 else -q


def _admittance(q, n, pol):
    return q if pol == "s" else q / complex(n) ** 2


def char_matrix(n, d, wavelength, kx, pol):
    """Characteristic matrix mapping (U, V) at the back face of a layer to the front face."""
    q = cmath.sqrt(complex(n) ** 2 - kx**2)
    y = _admittance(q, n, pol)
    delta = 2 * math.pi / wavelength * q * d
    c, s = cmath.cos(delta), cmath.sin(delta)
    return np.array([[c, -1j * s / y], [-1j * y * s, c]], dtype=complex)


def coh(pol, n_list, d_list, wavelength, theta0_deg=0.0):
    """Coherent r, t, R, T and per-medium power fractions of a stack.

    ``n_list``/``d_list`` include the outer media (their thicknesses are ignored).  Returns a dict
    with ``r, t, R, T`` and ``A`` (length M: ``A[0] = R``, ``A[j]`` absorbed in layer j,
    ``A[-1] = T``), all as fractions of the incident power flow.
    """
    n_list = [complex(x) for x in n_list]
    M = len(n_list)
    kx = n_list[0].real * math.sin(math.radians(theta0_deg))
    q0, qs = outer_q(n_list[0], kx), outer_q(n_list[-1], kx)
    y0, ys = _admittance(q0, n_list[0], pol), _admittance(qs, n_list[-1], pol)
    mats = [char_matrix(n_list[j], d_list[j], wavelength, kx, pol) for j in range(1, M - 1)]
    total = np.eye(2, dtype=complex)
    for m in mats:
        total = total @ m
    B, C = total @ np.array([1.0, ys])
    tU = 2 * y0 / (y0 * B + C)
    r = (y0 * B - C) / (y0 * B + C)
    p_in = y0.real
    # fields at each interface, walking back from the substrate
    uv = tU * np.array([1.0, ys])
    flows = [(uv[0] * np.conj(uv[1])).real / p_in]  # flow entering the substrate
    for m in reversed(mats):
        uv = m @ uv
        flows.append((uv[0] * np.conj(uv[1])).real / p_in)
    flows = flows[::-1]  # flows[j] = flow at the front face of layer j+1 (j = 0 .. M-2)
    T = flows[-1]
    R = abs(r) ** 2
    A = np.empty(M)
    A[0] = R
    for j in range(1, M - 1):
        A[j] = flows[j - 1] - flows[j]
    A[-1] = T
    t = tU if pol == "s" else tU * n_list[0] / n_list[-1]
    return {"r": complex(r), "t": complex(t), "R": float(R), "T": float(T), "A": A, "flows": np.array(flows)}


def period_matrix(n_list, d_list, wavelength, kx=0.0, pol="s"):
    """Product of the characteristic matrices of one period (layers only, no outer media)."""
    total = np.eye(2, dtype=complex)
    for n, d in zip(n_list, d_list):
        total = total @ char_matrix(n, d, wavelength, kx, pol)
    return total


def half_trace(n_list, d_list, wavelength, kx=0.0, pol="s"):
    """Bloch parameter ``1/2 Tr M_period``; ``|.| > 1`` inside a stop band (lossless)."""
    return 0.5 * np.trace(period_matrix(n_list, d_list, wavelength, kx, pol))


def airy_slab(n0, n1, n2, d, wavelength, theta0_deg=0.0):
    """Airy formula for a lossless slab n1 between lossless n0, n2 (s polarization, no TIR).

    ``R = (r01^2 + r12^2 + 2 r01 r12 cos 2b) / (1 + r01^2 r12^2 + 2 r01 r12 cos 2b)`` with the
    real Fresnel coefficients ``r_ij = (p_i - p_j)/(p_i + p_j)``, ``p = n cos(theta)`` and the
    phase thickness ``b = 2 pi p1 d / lambda``;
    ``T = (1 - r01^2)(1 - r12^2) / (1 + r01^2 r12^2 + 2 r01 r12 cos 2b)``.
    """
    s0 = n0 * math.sin(math.radians(theta0_deg))
    p = [math.sqrt(nn * nn - s0 * s0) for nn in (n0, n1, n2)]
    r01 = (p[0] - p[1]) / (p[0] + p[1])
    r12 = (p[1] - p[2]) / (p[1] + p[2])
    c = math.cos(2 * (2 * math.pi * p[1] * d / wavelength))
    den = 1 + r01**2 * r12**2 + 2 * r01 * r12 * c
    R = (r01**2 + r12**2 + 2 * r01 * r12 * c) / den
    T = (1 - r01**2) * (1 - r12**2) / den
    return R, T

"""Independent reference: steady axisymmetric heat conduction by finite volumes (test-only).

Solves ``div(k grad T) + s = 0`` in a cylinder ``0 <= r <= R``, ``0 <= z <= H`` (z downwards
from the top surface) made of horizontal layers, each with its own conductivity, on a graded
cell-centred grid:

* top surface ``z = 0``: a heat flux ``q`` into the disc ``r < a``, adiabatic elsewhere;
* optional volumetric heat ``s_l`` in layer ``l``, inside ``r < a`` only;
* bottom ``z = H``: isothermal, ``T = 0``;
* side ``r = R``: isothermal ``T = 0`` or adiabatic.

Shares no code with the package: its own grid, conductances and sparse solve (scipy).  Units
are whatever the caller uses consistently (here: um, W/um/K, W/um^2 -> K).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def _graded(x0, x1, h0, n):
    """``n`` cells from x0 to x1 whose widths grow geometrically from about ``h0``."""
    if n < 2 or h0 * n >= (x1 - x0):
        return np.linspace(x0, x1, n + 1)
    lo, hi = 1.0, 2.0
    f = lambda g: h0 * (g ** n - 1.0) / (g - 1.0) - (x1 - x0)
    while f(hi) < 0:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if f(mid) > 0:
            hi = mid
        else:
            lo = mid
    g = 0.5 * (lo + hi)
    w = h0 * g ** np.arange(n)
    w *= (x1 - x0) / w.sum()
    return x0 + np.concatenate([[0.0], np.cumsum(w)])


def solve(*, a, R, layers, q_top=0.0, sources=None, side="isothermal", n_r_disc=60, n_r_out=60, n_z_per_layer=None,
          h_top=None):
    """Temperature field of the layered cylinder.

    Parameters
    ----------
    a, R : float
        Heated disc radius and outer radius.
    layers : list of (thickness, conductivity)
        From the top surface down; the last one is the substrate, its bottom at ``T = 0``.
    q_top : float
        Heat flux into the top surface over ``r < a``.
    sources : list of float, optional
        Volumetric heat of each layer inside ``r < a``.
    side : {"isothermal", "adiabatic"}
    n_r_disc, n_r_out : int
        Radial cells inside the disc (uniform) and outside it (graded).
    n_z_per_layer : list of int, optional
        Vertical cells per layer (default 6 per thin layer, 80 in the last).
    h_top : float, optional
        First cell height of the last (thick) layer, graded downwards (default a/200).

    Returns
    -------
    dict with ``rf, zf, T`` (cells: ``T[j, i]`` for z-row ``j``, r-column ``i``), ``layer_rows``.
    """
    rf = np.concatenate([np.linspace(0.0, a, n_r_disc + 1), _graded(a, R, a / n_r_disc, n_r_out)[1:]])
    nl = len(layers)
    if n_z_per_layer is None:
        n_z_per_layer = [6] * (nl - 1) + [80]
    zf = [0.0]
    rows = []
    for l, ((t, _k), nz) in enumerate(zip(layers, n_z_per_layer)):
        z0 = zf[-1]
        if l < nl - 1:
            edges = np.linspace(z0, z0 + t, nz + 1)[1:]
        else:
            edges = _graded(z0, z0 + t, h_top if h_top is not None else a / 200.0, nz)[1:]
        rows.append(np.arange(len(zf) - 1, len(zf) - 1 + nz))
        zf.extend(edges)
    zf = np.asarray(zf)
    kz = np.concatenate([np.full(nz, k) for (_t, k), nz in zip(layers, n_z_per_layer)])
    nr, nzt = rf.size - 1, zf.size - 1
    rc, zc = 0.5 * (rf[1:] + rf[:-1]), 0.5 * (zf[1:] + zf[:-1])
    dz = np.diff(zf)
    area = np.pi * (rf[1:] ** 2 - rf[:-1] ** 2)
    idx = lambda j, i: j * nr + i
    A = sp.lil_matrix((nr * nzt, nr * nzt))
    b = np.zeros(nr * nzt)
    inside = rf[1:] <= a * (1 + 1e-12)
    for j in range(nzt):
        k = kz[j]
        for i in range(nr):
            p = idx(j, i)
            if i + 1 < nr:  # radial neighbour
                g = 2 * np.pi * rf[i + 1] * dz[j] / ((rc[i + 1] - rc[i]) / k)
                A[p, p] += g
                A[p, idx(j, i + 1)] -= g
                A[idx(j, i + 1), idx(j, i + 1)] += g
                A[idx(j, i + 1), p] -= g
            elif side == "isothermal":
                A[p, p] += 2 * np.pi * R * dz[j] / ((R - rc[i]) / k)
            if j + 1 < nzt:  # vertical neighbour, series conductivities across a layer interface
                g = area[i] / ((zf[j + 1] - zc[j]) / k + (zc[j + 1] - zf[j + 1]) / kz[j + 1])
                A[p, p] += g
                A[p, idx(j + 1, i)] -= g
                A[idx(j + 1, i), idx(j + 1, i)] += g
                A[idx(j + 1, i), p] -= g
            else:
                A[p, p] += area[i] / ((zf[-1] - zc[j]) / k)
            if j == 0 and inside[i]:
                b[p] += q_top * area[i]
    if sources is not None:
        for l, s in enumerate(sources):
            for j in rows[l]:
                for i in np.nonzero(inside)[0]:
                    b[idx(j, i)] += s * area[i] * dz[j]
    T = spla.spsolve(A.tocsr(), b).reshape(nzt, nr)
    return {"rf": rf, "zf": zf, "T": T, "layer_rows": rows, "kz": kz, "area": area, "inside": inside}


def mean_top_rise(sol, q_top):
    """Mean temperature of the top surface over the heated disc (the top cells plus their half-cell drop)."""
    inside, area = sol["inside"], sol["area"]
    t_surface = sol["T"][0] + q_top * (sol["zf"][1] - sol["zf"][0]) / 2.0 / sol["kz"][0]
    return float(np.sum(t_surface[inside] * area[inside]) / np.sum(area[inside]))


def mean_layer_rise(sol, layer):
    """Volume-mean temperature of ``layer`` inside the heated disc."""
    inside, area = sol["inside"], sol["area"]
    rows = sol["layer_rows"][layer]
    dz = np.diff(sol["zf"])[rows]
    w = dz[:, None] * area[None, inside]
    return float(np.sum(sol["T"][rows][:, inside] * w) / np.sum(w))

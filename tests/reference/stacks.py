"""Hypothesis strategies for random, non-opaque stacks (shared by the TMM test modules).

A drawn case is a dict: ``stack`` (a :class:`cavity.Stack`, gain layers marked), ``gain``
(cm^-1 for the marked layers, or None), ``n`` (the complex indices of all media at each
wavelength, computed here from the host index and ``k = -g lambda / (4 pi)`` with lambda in cm,
independently of the library), ``d`` (thicknesses with the outer media, nm), ``wavelength``
(nm array), ``angle`` (degrees) and ``pol``.

Limits (so that ``tmm`` can be the oracle): the incident medium is lossless, the outer media
have no gain, and every layer is far from opaque (``Im(q) k0 d < 12``, well below tmm's clamp
of 35).
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from cavity import Layer, Stack
from materials import Constant

finite = dict(allow_nan=False, allow_infinity=False)


@st.composite
def layer_specs(draw, allow_gain=True, allow_loss=True):
    n = draw(st.floats(1.0, 3.5, **finite))
    kinds = ["lossless"] + (["absorbing"] if allow_loss else []) + (["gain"] if allow_gain else [])
    kind = draw(st.sampled_from(kinds))
    k = draw(st.floats(0.0, 0.3, **finite)) if kind == "absorbing" else 0.0
    d = draw(st.one_of(st.just(0.0), st.floats(0.0, 400.0, **finite)))
    return (n, k, d, kind == "gain")


@st.composite
def random_stacks(draw, *, max_layers=6, allow_gain=True, allow_loss=True, oblique=True, pols=("s", "p")):
    specs = draw(st.lists(layer_specs(allow_gain, allow_loss), min_size=1, max_size=max_layers))
    n0 = draw(st.floats(1.0, 2.0, **finite))
    ns = draw(st.floats(1.0, 3.5, **finite))
    ks = draw(st.floats(0.0, 0.3, **finite)) if allow_loss else 0.0
    wl = np.array(draw(st.lists(st.floats(400.0, 1000.0, **finite), min_size=1, max_size=3)))
    angle = draw(st.floats(0.0, 85.0, **finite)) if oblique else 0.0
    pol = draw(st.sampled_from(list(pols)))
    has_gain = any(s[3] for s in specs)
    g = draw(st.floats(0.0, 3000.0, **finite)) if has_gain else None
    layers = [Layer(Constant(n, k), d, gain=gflag) for (n, k, d, gflag) in specs]
    stack = Stack(layers, incident=Constant(n0), substrate=Constant(ns, ks))
    nn = np.empty((len(specs) + 2, wl.size), complex)
    nn[0] = n0
    nn[-1] = complex(ns, ks)
    for j, (n, k, d, gflag) in enumerate(specs):
        nn[j + 1] = complex(n, k)
        if gflag:
            nn[j + 1] = nn[j + 1] + 1j * (-g * (wl * 1e-7) / (4 * math.pi))
    d = np.array([0.0] + [s[2] for s in specs] + [0.0])
    return dict(stack=stack, gain=g, n=nn, d=d, wavelength=wl, angle=angle, pol=pol)


def tmm_lists(case, w):
    """``n_list, d_list`` for ``tmm.coh_tmm`` at wavelength index ``w``."""
    d = list(case["d"])
    d[0] = d[-1] = math.inf
    return list(case["n"][:, w]), d

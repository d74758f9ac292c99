"""Reciprocity: the far field of a dipole in a stack against the plane-wave field at the dipole.

By Lorentz reciprocity the far field radiated by a dipole p at r0 into the direction theta of an
outer medium m (polarization s or p) is that of a plane wave of unit amplitude incident from that
direction, evaluated at r0 and projected on p.  Per unit solid angle and over the power P0 of the
same dipole in an infinite medium of the emitting layer's index n_L:

    dP/dOmega / P0 = 3/(8 pi) (n_m / n_L) |p_hat . E_pw(r0)|^2

(far field of the reciprocal dipole k0^2 p2 exp(ikR)/(4 pi eps0 R); P0 = c k0^4 n_L |p|^2/(12 pi
eps0)).  Averaged over azimuth, a horizontal dipole sees |E_y|^2/2 (s) and |E_x|^2/2 (p), a vertical
one |E_z|^2 (p).  The plane-wave side is the independent `tmm` package (incoming |E| = 1); the
emission side is dipole_emission's far field times its Purcell factor (its far field is per unit
total power)."""
import math

import numpy as np
import pytest
import tmm

import cavity as cv
import materials as mt
from cavity.optics.emission import dipole_emission

WL = 620.0


def lossless_stack():
    return cv.Stack([cv.Layer(mt.Constant(2.3), 65), cv.Layer(mt.Constant(1.46), 110),
                     cv.Layer(mt.Constant(1.8), 45, name="QD"), cv.Layer(mt.Constant(2.3), 70),
                     cv.Layer(mt.Constant(1.46), 300)], incident=mt.Constant(1.0), substrate=mt.Constant(1.52))


def lossy_stack():
    return cv.Stack([cv.Layer(mt.Constant(0.06, 4.2), 20), cv.Layer(mt.Constant(1.6), 80),
                     cv.Layer(mt.Constant(1.8), 45, name="QD"), cv.Layer(mt.Constant(2.0, 0.05), 60),
                     cv.Layer(mt.Constant(1.46), 250)], incident=mt.Constant(1.0), substrate=mt.Constant(1.52))


def plane_wave_fields(stack, layer, zt, side, angle_deg):
    """|E_x|^2, |E_y|^2, |E_z|^2 at zt nm inside `layer` for unit plane waves incident from `side`
    at `angle_deg` (tmm; s gives E_y, p gives E_x and E_z)."""
    n = [complex(x) for x in stack.indices(WL)[:, 0]]
    d = [math.inf] + [lay.thickness for lay in stack.layers] + [math.inf]
    k, dist = layer + 1, zt
    if side == "substrate":
        n, d = n[::-1], d[::-1]
        k = len(n) - 1 - k
        dist = stack.layers[layer].thickness - zt
    th = math.radians(angle_deg)
    es = tmm.position_resolved(k, dist, tmm.coh_tmm("s", n, d, th, WL))
    ep = tmm.position_resolved(k, dist, tmm.coh_tmm("p", n, d, th, WL))
    return abs(ep["Ex"]) ** 2, abs(es["Ey"]) ** 2, abs(ep["Ez"]) ** 2


@pytest.mark.parametrize("make", [lossless_stack, lossy_stack])
@pytest.mark.parametrize("zt", [7.0, 30.0])
def test_far_field_is_the_reciprocal_plane_wave(make, zt):
    st = make()
    L = 2
    nL = 1.8
    angles = np.array([0.0, 12.0, 33.0, 51.0, 68.0, 84.0])
    v = dipole_emission(st, "QD", WL, position=zt, orientation="vertical", angles=angles)
    h = dipole_emission(st, "QD", WL, position=zt, orientation="horizontal", angles=angles)
    for side, nm in (("incident", 1.0), ("substrate", 1.52)):
        ex2, ey2, ez2 = np.array([plane_wave_fields(st, L, zt, side, a) for a in angles]).T
        c = 3.0 / (8.0 * math.pi) * nm / nL
        np.testing.assert_allclose(getattr(v, f"{side}_p") * v.purcell_factor, c * ez2, rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(getattr(v, f"{side}_s"), 0.0, atol=1e-15)
        np.testing.assert_allclose(getattr(h, f"{side}_s") * h.purcell_factor, 0.5 * c * ey2, rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(getattr(h, f"{side}_p") * h.purcell_factor, 0.5 * c * ex2, rtol=1e-7, atol=1e-12)
        assert np.max(ez2[1:]) > 1e-3 and np.max(ey2) > 1e-3   # the comparison is not between zeros


def test_reciprocity_sums_to_the_escape_fraction():
    """Integrating the reciprocal plane-wave intensities over each hemisphere gives the power the
    dipole radiates into that medium (an isotropic dipole: 1/3 |E_z|^2 + 1/3 (|E_x|^2 + |E_y|^2))."""
    st = lossy_stack()
    zt = 20.0
    r = dipole_emission(st, "QD", WL, position=zt, orientation="isotropic")
    th = np.linspace(0.0, 89.9, 1200)
    for side, nm, frac in (("incident", 1.0, r.incident_fraction), ("substrate", 1.52, r.substrate_fraction)):
        ex2, ey2, ez2 = np.array([plane_wave_fields(st, 2, zt, side, a) for a in th]).T
        per_sr = 3.0 / (8.0 * math.pi) * nm / 1.8 * (ez2 + ex2 + ey2) / 3.0
        t = np.deg2rad(th)
        power = 2 * math.pi * np.trapezoid(per_sr * np.sin(t), t)
        assert power == pytest.approx(frac * r.purcell_factor, rel=2e-4)

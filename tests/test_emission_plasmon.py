"""Guided modes and surface plasmons reported apart (dipole_emission.plasmon_fraction) against an
independent evaluation of the Chance-Prock-Silbey integral of a dipole in a slab between two
half-spaces (closed-form Fresnel coefficients, scipy.integrate.quad on the real axis and on a
half circle below it; no code shared with the package), the surface-plasmon pole of the
metal/dielectric interface k_spp = k0 sqrt(eps_m eps_d / (eps_m + eps_d)), and power
conservation."""
import cmath
import math

import numpy as np
import pytest
from scipy.integrate import quad

import cavity as cv
import materials as mt
from cavity.optics.emission import dipole_emission

AG = complex(0.06, 4.2)          # silver near 630 nm (eps = -17.6 + 0.50i)
WL = 630.0


def slab_integrand(u, nt, nl, nb, zt, zb, which):
    """Complex CPS integrand per unit u = kx/(k0 nl) of a dipole in medium nl, zt below medium nt
    and zb above medium nb (single reflections at each face, principal square roots: the
    physical branch on the real axis and below it for u > 0)."""
    k0 = 2 * math.pi / WL
    ql = cmath.sqrt(nl * nl - (u * nl) ** 2)
    w = ql / nl

    def fresnel(nm):
        qm = cmath.sqrt(nm * nm - (u * nl) ** 2)
        rs = (ql - qm) / (ql + qm)
        rp = (nm * nm * ql - nl * nl * qm) / (nm * nm * ql + nl * nl * qm)
        return rs, rp

    (rts, rtp), (rbs, rbp) = fresnel(nt), fresnel(nb)
    et, eb = cmath.exp(2j * k0 * ql * zt), cmath.exp(2j * k0 * ql * zb)
    ats, atp, abs_, abp = rts * et, rtp * et, rbs * eb, rbp * eb
    if which == "v":
        return 1.5 * u ** 3 / w * (1 + atp) * (1 + abp) / (1 - atp * abp)
    return 0.75 * (u / w * (1 + ats) * (1 + abs_) / (1 - ats * abs_)
                   + u * w * (1 - atp) * (1 - abp) / (1 - atp * abp))


def real_axis(a, b, args, points=None):
    return quad(lambda u: slab_integrand(u, *args).real, a, b, points=points, epsabs=1e-13, epsrel=1e-11,
                limit=2000)[0]


def half_circle(a, b, args):
    """Re of the integral from a to b on the half circle below the real axis (no poles there)."""
    c, r = 0.5 * (a + b), 0.5 * (b - a)

    def f(phi):
        u = c - r * cmath.exp(1j * phi)                  # phi: 0 -> pi runs a -> b below the axis
        du = -1j * r * cmath.exp(1j * phi)
        return (slab_integrand(u, *args) * du).real

    return quad(f, 0.0, math.pi, epsabs=1e-13, epsrel=1e-11, limit=2000)[0]


def spp_index(eps_m, n_d):
    """kx/k0 of the surface plasmon of a metal/dielectric interface (complex)."""
    return cmath.sqrt(eps_m * n_d ** 2 / (eps_m + n_d ** 2))


def reference_split(nt, nl, nb, zt, zb, which):
    """(radiative, guided, plasmon) powers over P0: u in [0, u_rad], (u_rad, u_d], > u_d."""
    args = (nt, nl, nb, zt, zb, which)
    outer = [m.real / nl for m in (nt, nb) if complex(m).imag == 0]
    u_rad = max(outer)
    diel = max(m.real for m in (nt, nl, nb) if (complex(m) ** 2).real > 0)
    u_d = diel / nl
    pts = sorted({x for x in outer + [1.0] if 0 < x < u_rad})
    rad = real_axis(0.0, u_rad, args, points=pts or None)
    guided = half_circle(u_rad, u_d, args) if u_d > u_rad else 0.0
    metal = [m for m in (nt, nb) if (complex(m) ** 2).real < 0][0]
    u_sp = spp_index(complex(metal) ** 2, nl).real / nl
    k0 = 2 * math.pi / WL
    u_end = u_d + 40.0 / (2 * k0 * nl * min(zt, zb))
    plasmon = real_axis(u_d, u_end, args, points=[u_sp])
    return rad, guided, plasmon, u_d, u_sp


def half_space(nl, nmetal, z0, top=1000.0):
    m1, m2 = mt.Constant(nl), mt.Constant(nmetal.real, nmetal.imag)
    return cv.Stack([cv.Layer(m1, top, name="E")], incident=m1, substrate=m2), top - z0


@pytest.mark.parametrize("z0", [20.0, 60.0, 150.0])
@pytest.mark.parametrize("orientation, which", [("vertical", "v"), ("horizontal", "h")])
def test_dipole_above_silver_half_space(z0, orientation, which):
    """Glass on silver: nothing is guided (no dielectric index above the emitter's), everything
    beyond the glass light line is the plasmon range, which holds the SPP pole."""
    st, pos = half_space(1.5, AG, z0)
    r = dipole_emission(st, "E", WL, position=pos, orientation=orientation)
    rad, guided, plasmon, u_d, u_sp = reference_split(1.5, 1.5, AG, 1e6, z0, which)
    total = rad + guided + plasmon
    assert r.purcell_factor == pytest.approx(total, rel=1e-6)
    assert r.guided_fraction == pytest.approx(0.0, abs=1e-12)
    assert r.plasmon_fraction == pytest.approx(plasmon / total, rel=1e-6, abs=1e-9)
    assert r.plasmon_line == pytest.approx(u_d) and r.plasmon_line < u_sp
    # the radiative range splits into the glass and the silver (absorbed); fractions sum to 1
    assert r.incident_fraction + r.absorbed[-1] == pytest.approx(rad / total, rel=1e-6)
    assert (r.incident_fraction + r.substrate_fraction + r.guided_fraction + r.plasmon_fraction
            + sum(r.absorbed)) == pytest.approx(1.0, abs=1e-8)


def test_vertical_dipole_near_silver_couples_to_the_plasmon():
    """At 20-60 nm from silver, most of a vertical dipole's power goes into the surface plasmon
    (the plasmon range; the peak of its power spectrum sits at the SPP pole, checked with the
    independent integrand)."""
    st, pos = half_space(1.5, AG, 40.0)
    r = dipole_emission(st, "E", WL, position=pos, orientation="vertical")
    assert r.plasmon_fraction > 0.5
    u_sp = spp_index(AG ** 2, 1.5).real / 1.5
    u = np.linspace(r.plasmon_line * 1.0001, 3.0, 20001)
    spec = [slab_integrand(x, 1.5, 1.5, AG, 1e6, 40.0, "v").real for x in u]
    assert u[int(np.argmax(spec))] == pytest.approx(u_sp, rel=2e-3)


@pytest.mark.parametrize("orientation, which", [("vertical", "v"), ("horizontal", "h")])
def test_slab_on_silver_guided_and_plasmon(orientation, which):
    """Air / 300 nm n = 1.7 emitting slab / silver: the slab's guided modes (air light line <
    kx/k0 <= 1.7) and the SPP of the silver/slab interface (kx/k0 = 1.79 > 1.7) apart."""
    nl, d, z = 1.7, 300.0, 120.0
    st = cv.Stack([cv.Layer(mt.Constant(nl), d, name="E")], incident=mt.Constant(1.0),
                  substrate=mt.Constant(AG.real, AG.imag))
    r = dipole_emission(st, "E", WL, position=z, orientation=orientation)
    rad, guided, plasmon, u_d, u_sp = reference_split(1.0, nl, AG, z, d - z, which)
    total = rad + guided + plasmon
    assert spp_index(AG ** 2, nl).real > nl
    assert r.purcell_factor == pytest.approx(total, rel=1e-6)
    assert r.guided_fraction == pytest.approx(guided / total, rel=1e-6)
    assert r.plasmon_fraction == pytest.approx(plasmon / total, rel=1e-6)
    assert r.guided_fraction > 0.05 and r.plasmon_fraction > 1e-3
    assert r.incident_fraction + sum(r.absorbed) == pytest.approx(rad / total, rel=1e-6)
    assert (r.incident_fraction + r.guided_fraction + r.plasmon_fraction + sum(r.absorbed)
            == pytest.approx(1.0, abs=1e-8))


def test_no_metal_no_plasmon():
    st = cv.Stack([cv.Layer(mt.Constant(1.6), 80), cv.Layer(mt.Constant(1.8), 60, name="E"),
                   cv.Layer(mt.Constant(2.0, 0.03), 50)], incident=mt.Constant(1.0), substrate=mt.Constant(1.5))
    r = dipole_emission(st, "E", WL, position=30.0, orientation="isotropic")
    assert r.plasmon_fraction == 0.0 and math.isnan(r.plasmon_line)
    assert r.guided_fraction > 0.1
    assert (r.escape_fraction + r.evanescent_fraction + r.absorbed_fraction) == pytest.approx(1.0, abs=1e-8)


def test_metal_layer_inside_stack_power_conservation():
    """A thin silver layer between dielectrics (two coupled SPPs): the split still adds up, and the
    plasmon range is where the stack's largest dielectric index ends."""
    st = cv.Stack([cv.Layer(mt.Constant(1.8), 50, name="E"), cv.Layer(mt.Constant(AG.real, AG.imag), 25),
                   cv.Layer(mt.Constant(2.0), 100)], incident=mt.Constant(1.5), substrate=mt.Constant(1.5))
    r = dipole_emission(st, "E", WL, position=30.0, orientation="isotropic", angles=np.linspace(0, 90, 3001))
    assert r.plasmon_line == pytest.approx(2.0 / 1.8)
    assert r.plasmon_fraction > 0.01 and r.guided_fraction > 0.01
    assert (r.escape_fraction + r.evanescent_fraction + r.absorbed_fraction) == pytest.approx(1.0, abs=1e-8)

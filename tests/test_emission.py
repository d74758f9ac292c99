"""Dipole emission in planar stacks against independent truth: the homogeneous medium, the
perfect-mirror closed forms, the Chance-Prock-Silbey single-interface integral (evaluated here with
scipy.integrate.quad and the closed-form Fresnel coefficients) and power conservation."""
import math
import time

import numpy as np
import pytest
from scipy.integrate import quad

import cavity as cv
import materials as mt
from cavity.optics.emission import dipole_emission


def cps_single_interface(n1, n2, wavelength, z0):
    """Chance-Prock-Silbey / Novotny-Hecht (eq. 10.26): P/P0 of a vertical and a horizontal
    dipole in medium n1 at z0 from medium n2; s = sin t on [0, 1), s = cosh v beyond.  The
    surface-plasmon pole of a metal is passed to quad as a break point."""
    e1, e2 = n1 * n1, n2 * n2
    k1 = 2 * math.pi * n1 / wavelength

    def coeffs(s, sz1):
        sz2 = np.sqrt(complex(e2 / e1 - s * s))
        if sz2.imag < 0:
            sz2 = -sz2
        rs = (sz1 - sz2) / (sz1 + sz2)
        rp = (e2 * sz1 - e1 * sz2) / (e2 * sz1 + e1 * sz2)
        return rs, rp, np.exp(2j * k1 * z0 * sz1)

    def f_in(t, which):       # s = sin t, ds / sz1 = dt
        s, sz1 = math.sin(t), math.cos(t)
        rs, rp, ph = coeffs(s, sz1 + 0j)
        if which == "v":
            return (1.5 * s ** 3 * rp * ph).real
        return (0.75 * s * (rs - sz1 ** 2 * rp) * ph).real

    def f_out(v, which):      # s = cosh v, sz1 = i sinh v, ds / sz1 = -i dv
        s, sz1 = math.cosh(v), 1j * math.sinh(v)
        rs, rp, ph = coeffs(s, sz1)
        if which == "v":
            return (1.5 * s ** 3 * rp * ph * -1j).real
        return (0.75 * s * (rs - sz1 ** 2 * rp) * ph * -1j).real

    vmax = math.acosh(1 + 60 / (2 * k1 * z0))
    out = {}
    spp = np.sqrt(e2 / (e1 + e2)) if e2.real < 0 else None
    pts = [math.acosh(spp.real)] if spp is not None and spp.real > 1 else None
    for which in ("v", "h"):
        a = quad(f_in, 0, math.pi / 2, args=(which,), epsabs=1e-12, epsrel=1e-11, limit=400)[0]
        b = quad(f_out, 0, vmax, args=(which,), points=pts, epsabs=1e-12, epsrel=1e-11, limit=800)[0]
        out[which] = 1 + a + b
    return out


def mirror(x, which):
    if which == "vertical":
        return 1 + 3 * (math.sin(x) / x ** 3 - math.cos(x) / x ** 2)
    return 1 - 1.5 * (math.sin(x) / x - math.sin(x) / x ** 3 + math.cos(x) / x ** 2)


def half_space(n1, n2, z0, top=1000.0):
    """A dipole in medium n1 (a layer of n1 on an incident half-space n1) z0 nm above medium n2."""
    m1 = mt.Constant(n1.real, n1.imag) if isinstance(n1, complex) else mt.Constant(n1)
    m2 = mt.Constant(n2.real, n2.imag) if isinstance(n2, complex) else mt.Constant(n2)
    return cv.Stack([cv.Layer(m1, top)], incident=m1, substrate=m2), top - z0


@pytest.mark.parametrize("orientation", ["vertical", "horizontal", "isotropic"])
def test_homogeneous_medium_gives_one(orientation):
    g = mt.Constant(1.6)
    st = cv.Stack([cv.Layer(g, 50), cv.Layer(g, 120, name="QD"), cv.Layer(g, 30), cv.Layer(g, 70)],
                  incident=g, substrate=g)
    r = dipole_emission(st, "QD", 600.0, position=40.0, orientation=orientation, angles=[0, 30, 60, 89])
    assert r.purcell_factor == pytest.approx(1.0, abs=1e-10)
    assert r.incident_fraction == pytest.approx(0.5, abs=1e-10)
    assert r.substrate_fraction == pytest.approx(0.5, abs=1e-10)
    assert abs(r.guided_fraction) < 1e-10
    th = np.deg2rad(r.angles)
    # dipole pattern in a homogeneous medium, averaged over azimuth, per unit total power
    if orientation == "vertical":
        ref = 3 / (8 * np.pi) * np.sin(th) ** 2
    elif orientation == "horizontal":
        ref = 3 / (8 * np.pi) * (1 - np.sin(th) ** 2 / 2)
    else:
        ref = np.full(th.shape, 1 / (4 * np.pi))
    np.testing.assert_allclose(r.incident_s + r.incident_p, ref, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("z0", [20.0, 100.0, 250.0])
@pytest.mark.parametrize("orientation", ["vertical", "horizontal"])
def test_perfect_mirror_closed_forms(z0, orientation):
    """Mirror modelled as n = 1e-4 + 1e5 i: the field penetrates ~1/(k0 |n|) = 1e-3 nm, so the
    closed forms hold to ~4e-5 (1e3 i: ~4e-3, the error scales as 1/|n|)."""
    lam = 600.0
    x = 2 * (2 * math.pi / lam) * z0
    errs = []
    for k in (1e3, 1e5):
        st, pos = half_space(1.0, complex(1e-4, k), z0)
        r = dipole_emission(st, 0, lam, position=pos, orientation=orientation)
        assert r.converged
        errs.append(abs(r.purcell_factor - mirror(x, orientation)))
    assert errs[1] < 6e-5
    assert errs[1] < errs[0] / 30


@pytest.mark.parametrize("n2, z0", [(1.0, 50.0), (2.4, 30.0), (complex(0.06, 4.2), 100.0), (complex(0.06, 4.2), 10.0)])
def test_single_interface_against_cps_integral(n2, z0):
    st, pos = half_space(1.5, n2, z0)
    ref = cps_single_interface(1.5, complex(n2), 630.0, z0)
    v = dipole_emission(st, 0, 630.0, position=pos, orientation="vertical")
    h = dipole_emission(st, 0, 630.0, position=pos, orientation="horizontal")
    assert v.purcell_factor == pytest.approx(ref["v"], rel=1e-6)
    assert h.purcell_factor == pytest.approx(ref["h"], rel=1e-6)
    iso = dipole_emission(st, 0, 630.0, position=pos, orientation="isotropic")
    assert iso.purcell_factor == pytest.approx((ref["v"] + 2 * ref["h"]) / 3, rel=1e-6)


def test_silver_100nm_published_numbers():
    """Dipole in glass 100 nm from silver (n = 0.06 + 4.2i) at 630 nm: P_perp ~ 1.384,
    P_par ~ 1.422 (numerical values of the CPS integral, 3 digits)."""
    st, pos = half_space(1.5, complex(0.06, 4.2), 100.0)
    assert dipole_emission(st, 0, 630.0, position=pos, orientation="vertical").purcell_factor == pytest.approx(1.384, abs=2e-3)
    assert dipole_emission(st, 0, 630.0, position=pos, orientation="horizontal").purcell_factor == pytest.approx(1.422, abs=2e-3)


def _lossy_stack():
    return cv.Stack([cv.Layer(mt.Constant(1.5), 60), cv.Layer(mt.Constant(1.8), 40, name="QD"),
                     cv.Layer(mt.Constant(2.0, 0.05), 50), cv.Layer(mt.Constant(0.06, 4.2), 30),
                     cv.Layer(mt.Constant(1.6), 200)], incident=mt.Constant(1.5), substrate=mt.Constant(1.0))


@pytest.mark.parametrize("orientation", ["vertical", "horizontal", "isotropic"])
def test_power_conservation_lossy_stack(orientation):
    """Radiated + absorbed (Poynting fluxes, real axis) + evanescent = total (Green's function on
    the deformed path); the far field integrates to the radiated fractions."""
    r = dipole_emission(_lossy_stack(), "QD", 630.0, position=15.0, orientation=orientation,
                        angles=np.linspace(0, 90, 4001))
    parts = r.incident_fraction + r.substrate_fraction + r.guided_fraction + r.plasmon_fraction + sum(r.absorbed)
    assert parts == pytest.approx(1.0, abs=1e-7)
    assert r.absorbed[3] > 1e-4 and r.absorbed[4] > 1e-4       # the absorbing layer and the silver
    assert r.absorbed[2] == 0.0 and r.absorbed[1] == pytest.approx(0.0, abs=1e-15)
    th = np.deg2rad(r.angles)
    for frac, s, p in ((r.incident_fraction, r.incident_s, r.incident_p),
                       (r.substrate_fraction, r.substrate_s, r.substrate_p)):
        ff = 2 * np.pi * np.trapezoid((s + p) * np.sin(th), th)
        assert ff == pytest.approx(frac, rel=1e-5, abs=1e-10)


def test_layer_split_and_reversal_invariance():
    """The same physical dipole: the layer split in two (dipole in either part) and the stack
    reversed give the same power and the mirrored split."""
    a, b = mt.Constant(1.7), mt.Constant(2.1, 0.02)
    st = cv.Stack([cv.Layer(b, 40), cv.Layer(a, 90), cv.Layer(mt.Constant(1.45), 300)],
                  incident=mt.Constant(1.0), substrate=mt.Constant(1.52))
    ref = dipole_emission(st, 1, 600.0, position=35.0, orientation="isotropic")
    split = cv.Stack([cv.Layer(b, 40), cv.Layer(a, 50), cv.Layer(a, 40), cv.Layer(mt.Constant(1.45), 300)],
                     incident=mt.Constant(1.0), substrate=mt.Constant(1.52))
    s = dipole_emission(split, 1, 600.0, position=35.0, orientation="isotropic")
    rev = dipole_emission(st.reversed(), 1, 600.0, position=55.0, orientation="isotropic")
    assert s.purcell_factor == pytest.approx(ref.purcell_factor, rel=1e-7)
    assert rev.purcell_factor == pytest.approx(ref.purcell_factor, rel=1e-7)
    assert rev.incident_fraction == pytest.approx(ref.substrate_fraction, rel=1e-6)
    assert s.absorbed[1] == pytest.approx(ref.absorbed[1], rel=1e-6)


def test_speed_40_layer_microcavity():
    H, L = mt.Constant(2.3), mt.Constant(1.46)
    core = [cv.Layer(L, 80.0), cv.Layer(mt.Constant(1.8), 30.0, name="QD"), cv.Layer(L, 80.0)]
    dev = cv.microcavity(core, cv.dbr(L, H, 9, 630.0), cv.dbr(H, L, 9, 630.0),
                         incident=mt.Constant(1.0), substrate=mt.Constant(1.52))
    dipole_emission(dev, "QD", 630.0, position=15.0, orientation="vertical")
    t = time.perf_counter()
    r = dipole_emission(dev, "QD", 630.0, position=15.0, orientation="vertical")
    dt = time.perf_counter() - t
    print(f"\n{len(dev)}-layer microcavity, one wavelength and orientation: {dt * 1e3:.1f} ms, "
          f"{r.evaluations} integrand evaluations, Purcell {r.purcell_factor:.6f}")
    assert r.converged
    # lossless: nothing absorbed, the split adds up
    assert r.incident_fraction + r.substrate_fraction + r.guided_fraction + r.plasmon_fraction == pytest.approx(1.0, abs=1e-7)
    assert dt < 1.0


def test_to_dict_and_enum():
    st, pos = half_space(1.5, 1.0, 50.0)
    r = dipole_emission(st, 0, 630.0, position=pos, orientation=cv.Orientation.VERTICAL)
    dct = r.to_dict()
    assert dct["orientation"] == "vertical" and dct["purcell_factor"] == r.purcell_factor
    assert cv.Orientation.parse("Horizontal") is cv.Orientation.HORIZONTAL


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(layer=5), ValueError, "layer"),
    (dict(layer="nope"), ValueError, "nope"),
    (dict(layer=True), TypeError, "layer"),
    (dict(position=0.0), ValueError, "position"),
    (dict(position=200.0), ValueError, "position"),
    (dict(position=float("nan")), ValueError, "position"),
    (dict(orientation="diagonal"), ValueError, "orientation"),
    (dict(angles=[10, 95]), ValueError, "angles"),
    (dict(wavelength=-5.0), ValueError, "wavelength"),
])
def test_bad_inputs(kwargs, exc, match):
    st = cv.Stack([cv.Layer(mt.Constant(1.8), 100.0)], incident=mt.Constant(1.0), substrate=mt.Constant(1.5))
    args = dict(layer=0, wavelength=600.0, position=50.0, orientation="vertical")
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        dipole_emission(st, args.pop("layer"), args.pop("wavelength"), **args)


def test_lossy_emitting_layer_refused():
    st = cv.Stack([cv.Layer(mt.Constant(1.8, 0.01), 100.0)], incident=mt.Constant(1.0))
    with pytest.raises(ValueError, match="lossless"):
        dipole_emission(st, 0, 600.0, position=50.0)

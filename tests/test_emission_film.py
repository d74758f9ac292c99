"""Film-averaged emission, the spontaneous-emission coupling factor beta and the Purcell-scaled
radiative rate, against independent truth: the isotropic emitter's cone fraction (1 - cos t_c)/2,
the incoherent (ray-optics) limit of a thick slab, the perfect-mirror closed forms averaged over
the film and the spectrum with scipy, power conservation, and the invariants of beta."""
import math

import numpy as np
import pytest
from scipy.integrate import quad

import cavity as cv
import materials as mt
from cavity.optics.emission import film_emission, radiative_rate_factor, spontaneous_coupling


def gauss625(lam):
    return math.exp(-0.5 * ((lam - 625.0) / 15.0) ** 2)


def test_homogeneous_film_cone_fraction():
    """No interfaces: an isotropic emitter sends (1 - cos t_c)/2 of its power into a cone of
    half-angle t_c around one normal (1/(4 pi) per sr); for the escape cone of index n,
    sin t_c = 1/n, this is ~1/(4 n^2) for large n (the usual estimate)."""
    n = 1.8
    g = mt.Constant(n)
    st = cv.Stack([cv.Layer(g, 100), cv.Layer(g, 60, name="QD"), cv.Layer(g, 100)], incident=g, substrate=g)
    tc = math.asin(1 / n)
    ang = np.rad2deg(np.linspace(0, tc, 801))
    r = film_emission(st, "QD", np.linspace(600, 650, 6), spectrum=gauss625, positions=3, angles=ang)
    assert r.purcell_factor == pytest.approx(1.0, abs=1e-10)
    assert r.incident_fraction == pytest.approx(0.5, abs=1e-10) and r.extraction_efficiency == pytest.approx(1.0, abs=1e-10)
    th = np.deg2rad(r.angles)
    np.testing.assert_allclose(r.incident_s + r.incident_p, 1 / (4 * np.pi), rtol=1e-9)
    cone = 2 * np.pi * np.trapezoid((r.incident_s + r.incident_p) * np.sin(th), th)
    assert cone == pytest.approx((1 - math.cos(tc)) / 2, rel=1e-6)
    assert abs(cone - 1 / (4 * n * n)) / cone < 0.1      # the small-angle estimate, 8 % low at n = 1.8


def test_thick_slab_reaches_ray_optics_limit():
    """A lossless slab of index n in air, emitting throughout, averaged over position and a 100 nm
    band: interference averages out and every ray inside the escape cone leaves (half through
    each face), every ray outside is trapped: incident = (1 - cos t_c)/2, guided = cos t_c.
    The wave result approaches this as lambda/d (the surface layers), so the error halves when
    d doubles."""
    n = 1.8
    tc = math.cos(math.asin(1 / n))
    errs = []
    for d, npos in ((4000.0, 60), (8000.0, 100)):
        st = cv.Stack([cv.Layer(mt.Constant(n), d)], incident=mt.Constant(1.0), substrate=mt.Constant(1.0))
        r = film_emission(st, 0, np.linspace(580, 680, 21), positions=npos)
        assert r.converged
        assert r.incident_fraction == pytest.approx(r.substrate_fraction, rel=1e-9)
        assert r.extraction_efficiency + r.guided_fraction == pytest.approx(1.0, abs=1e-8)
        errs.append(r.incident_fraction / ((1 - tc) / 2) - 1)
        assert r.guided_fraction == pytest.approx(tc, rel=5e-3)
    assert abs(errs[1]) < 0.01
    assert 0.35 < errs[1] / errs[0] < 0.65


def _mirror_iso(x):
    v = 1 + 3 * (math.sin(x) / x ** 3 - math.cos(x) / x ** 2)
    h = 1 - 1.5 * (math.sin(x) / x - math.sin(x) / x ** 3 + math.cos(x) / x ** 2)
    return (v + 2 * h) / 3


def test_film_and_spectrum_average_near_perfect_mirror():
    """A 150 nm film in air 50-200 nm above a perfect mirror (n = 1e-4 + 1e5 i): the Purcell factor
    averaged over the film (scipy quad of the closed form) and the Gaussian spectrum (trapezoid
    weights) and radiative_rate_factor at one wavelength."""
    air = mt.Constant(1.0)
    st = cv.Stack([cv.Layer(air, 800), cv.Layer(air, 150, name="QD"), cv.Layer(air, 50)],
                  incident=air, substrate=mt.Constant(1e-4, 1e5))
    wl = np.linspace(595, 655, 7)

    def ref_at(lam):
        k = 2 * math.pi / lam
        return quad(lambda z: _mirror_iso(2 * k * z), 50, 200, epsabs=1e-12)[0] / 150

    s = np.array([gauss625(x) for x in wl])
    t = np.full(wl.size, wl[1] - wl[0])
    t[[0, -1]] /= 2
    ref = float(np.sum(t * s * np.array([ref_at(x) for x in wl])) / np.sum(t * s))
    r = film_emission(st, "QD", wl, spectrum=gauss625, positions=8)
    assert r.purcell_factor == pytest.approx(ref, abs=1e-4)
    assert radiative_rate_factor(st, "QD", 625.0, positions=8) == pytest.approx(ref_at(625.0), abs=1e-4)
    # lossless above the mirror: all power returns to the incident medium
    assert r.incident_fraction == pytest.approx(1.0, abs=1e-4)


def test_power_conservation_and_far_field_lossy_film():
    st = cv.Stack([cv.Layer(mt.Constant(1.5), 60), cv.Layer(mt.Constant(1.8), 40, name="QD"),
                   cv.Layer(mt.Constant(2.0, 0.05), 50), cv.Layer(mt.Constant(0.06, 4.2), 30),
                   cv.Layer(mt.Constant(1.6), 200)], incident=mt.Constant(1.5), substrate=mt.Constant(1.0))
    ang = np.linspace(0, 90, 2001)
    r = film_emission(st, "QD", np.linspace(610, 640, 4), spectrum=gauss625, positions=4, angles=ang)
    assert r.extraction_efficiency + r.evanescent_fraction + r.absorbed_fraction == pytest.approx(1.0, abs=1e-7)
    assert r.absorbed[3] > 1e-4 and r.absorbed[4] > 1e-4
    th = np.deg2rad(ang)
    for frac, s, p in ((r.incident_fraction, r.incident_s, r.incident_p),
                       (r.substrate_fraction, r.substrate_s, r.substrate_p)):
        assert 2 * np.pi * np.trapezoid((s + p) * np.sin(th), th) == pytest.approx(frac, rel=1e-4, abs=1e-10)
    d = r.to_dict()
    assert d["orientation"] == "isotropic" and len(d["absorbed"]) == 7 and d["purcell_factor"] == r.purcell_factor


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(positions=0), ValueError, "positions"),
    (dict(positions=2.5), TypeError, "positions"),
    (dict(spectrum=lambda x: -1.0), ValueError, "spectrum"),
    (dict(spectrum=3.0), TypeError, "spectrum"),
    (dict(wavelengths=[620.0, 610.0]), ValueError, "wavelengths"),
    (dict(wavelengths=[]), ValueError, "wavelengths"),
    (dict(spectrum=lambda x: 0.0), ValueError, "spectrum"),
])
def test_film_bad_inputs(kwargs, exc, match):
    st = cv.Stack([cv.Layer(mt.Constant(1.8), 100.0)], incident=mt.Constant(1.0), substrate=mt.Constant(1.5))
    args = dict(wavelengths=[610.0, 620.0])
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        film_emission(st, 0, args.pop("wavelengths"), **args)


# -- beta -------------------------------------------------------------------------------------

H, LO = mt.Constant(2.3), mt.Constant(1.46)
WL = np.linspace(585, 675, 19)


def _cavity(pairs, on_antinode):
    half = 630.0 / 1.46 / 2
    if on_antinode:   # TiO2 faces the half-wave SiO2 core: the antinode is at its centre
        core = [cv.Layer(LO, half / 2 - 5), cv.Layer(mt.Constant(1.8), 10.0, gain=True, name="QD"),
                cv.Layer(LO, half / 2 - 5)]
    else:             # next to the core's face: a node
        core = [cv.Layer(LO, 10.0), cv.Layer(mt.Constant(1.8), 10.0, gain=True, name="QD"), cv.Layer(LO, half - 20)]
    dev = cv.microcavity(core, cv.dbr(LO, H, pairs, 630.0), cv.dbr(H, LO, pairs + 1, 630.0),
                         incident=mt.Constant(1.0), substrate=mt.Constant(1.52))
    return dev, cv.lasing_threshold(dev, near=630.0)


@pytest.fixture(scope="module")
def betas():
    out = {}
    for key in ((5, True), (5, False), (8, True)):
        dev, th = _cavity(*key)
        out[key] = (dev, th, spontaneous_coupling(dev, th, WL, spectrum=gauss625, positions=3, angle_points=801))
    return out


def test_beta_invariants(betas):
    """0 < beta < 1; the film on the antinode couples more than on the node (the mode's
    standing-wave factor); for an emission band much wider than the linewidth, the planar mode's
    beta falls as 1/Q (its solid angle ~ 1/Q, its linewidth ~ 1/Q, its on-axis enhancement ~ Q)."""
    lo_q, node, hi_q = betas[(5, True)], betas[(5, False)], betas[(8, True)]
    for dev, th, sc in betas.values():
        assert 0 < sc.beta < 1
        assert sc.film.converged
        assert sc.cone_index < 1.0 and 0 < sc.escape_share <= 1
        assert sc.wavelength == th.passive.wavelength and sc.linewidth == th.passive.linewidth
    assert lo_q[2].beta > 5 * node[2].beta
    assert hi_q[1].passive.Q > 10 * lo_q[1].passive.Q
    bq = [b[2].beta * b[1].passive.Q for b in (lo_q, hi_q)]
    assert bq[1] == pytest.approx(bq[0], rel=0.3)
    # the cone of a Lorentzian resonance that shifts as lambda_m cos(t): kappa_m^2 ~ n_eff^2 / Q
    ratio = (lo_q[2].cone_index / hi_q[2].cone_index) ** 2
    assert ratio == pytest.approx(hi_q[1].passive.Q / lo_q[1].passive.Q, rel=0.3)


def test_from_threshold_computed_beta(betas):
    dev, th, sc = betas[(5, True)]
    mode = cv.LasingMode.from_threshold(th, beta="computed", stack=dev, emission_wavelengths=WL,
                                        emission_spectrum=gauss625)
    full = spontaneous_coupling(dev, th, WL, spectrum=gauss625)
    assert mode.beta == full.beta
    assert mode.beta == pytest.approx(sc.beta, rel=0.05)          # the coarse test grid is close
    assert cv.LasingMode.from_threshold(th, beta=3e-3).beta == 3e-3
    assert cv.LasingMode.from_threshold(th).beta == 1e-4
    with pytest.raises(ValueError, match="beta"):
        cv.LasingMode.from_threshold(th, beta="guess")
    with pytest.raises(ValueError, match="stack"):
        cv.LasingMode.from_threshold(th, beta="computed")
    assert full.purcell_factor == pytest.approx(radiative_rate_factor(dev, "QD", full.wavelength), rel=1e-12)
    assert full.to_dict()["film"]["orientation"] == "isotropic"


def test_radiative_rate_factor_scales_the_gain_models_radiative_rate():
    """A Purcell factor F on the radiative rate is the same dots with tau_X / F: identical occupancy
    and gain (an independent equivalence); the radiative rates scale by F."""
    import dataclasses

    base = cv.QDGainModel(film_thickness_nm=20.0)
    F = 1.7
    a = dataclasses.replace(base, radiative_rate_factor=F)
    b = dataclasses.replace(base, exciton_lifetime_ns=base.exciton_lifetime_ns / F)
    for J in (0.5, 5.0, 50.0):
        assert a.mean_occupancy(J) == pytest.approx(b.mean_occupancy(J), rel=1e-12)
        assert a.material_gain(J, 625.0) == pytest.approx(b.material_gain(J, 625.0), rel=1e-12, abs=1e-9)
    np.testing.assert_allclose(a.radiative_rates(), F * base.radiative_rates(), rtol=1e-14)
    with pytest.raises(ValueError, match="radiative_rate_factor"):
        cv.QDGainModel(radiative_rate_factor=0.0)

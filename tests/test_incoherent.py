"""Thick incoherent substrate: against tmm.inc_tmm (independent implementation) and closed forms."""
import warnings

import numpy as np
import pytest
import tmm

import cavity as cv
import materials as mt
from cavity import incoherent_spectrum

H, L = mt.Constant(2.1, 0.01), mt.Constant(1.46)
AIR = mt.Constant(1.0)
BK7 = mt.get("borosilicate glass")          # Sellmeier N-BK7: n = 1.53 at 420 nm, 1.51 at 1000 nm
# Schott N-SF11 (Sellmeier, C in um^2): a dispersive dense flint, n = 1.79 at 420 nm, 1.75 at 1000 nm
SF11 = mt.Sellmeier((1.73759695, 0.313747346, 1.89878101), (0.013188707, 0.0623068142, 155.23629),
                    name="N-SF11", wavelength_range=(370.0, 2500.0))
WL = np.array([420.0, 550.0, 700.0, 1000.0])
D_SUB = 1e6   # 1 mm


def coherent(substrate, incident=AIR):
    return cv.Stack([cv.Layer(H, 70.0), cv.Layer(L, 100.0), cv.Layer(H, 70.0)], incident=incident,
                    substrate=substrate)


def tmm_fractions(pol, incident, substrate, exit_medium, angle, w, side="front", D=D_SUB):
    """[R, A_layer1, A_layer2, A_layer3, A_substrate, T] from tmm.inc_tmm (layers in stack order)."""
    ns = np.array([incident.n(w), H.n(w), L.n(w), H.n(w), substrate.n(w), exit_medium.n(w)], complex)
    ds = [np.inf, 70.0, 100.0, 70.0, D, np.inf]
    cs = ["i", "c", "c", "c", "i", "i"]
    if side == "back":
        ns, ds, cs = ns[::-1], ds[::-1], cs[::-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = tmm.inc_tmm(pol, ns, ds, cs, np.deg2rad(angle), w)
        A = np.array(tmm.inc_absorp_in_each_layer(ref), dtype=float)
    if side == "back":
        A = A[::-1]          # exit medium's entry (R) last, incident medium's (T) first
        return np.array([A[-1], A[1], A[2], A[3], A[4], A[0]])
    return A


def ours(res, i):
    return np.concatenate([[res.R[i]], res.absorbed[:, i], [res.substrate_absorbed[i], res.T[i]]])


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("angle, k_sub", [(0.0, 1e-6), (0.0, 0.0), (35.0, 0.0)])
def test_front_illumination_matches_tmm(pol, angle, k_sub):
    stack = coherent(mt.Constant(1.52, k_sub))
    wl = np.array([480.0, 550.0, 630.0])
    res = incoherent_spectrum(stack, wl, 1e6, mt.Constant(1.0), angle, pol)
    for i, w in enumerate(wl):
        ref = tmm.inc_tmm(pol, [1, 2.1 + 0.01j, 1.46, 2.1 + 0.01j, 1.52 + 1j * k_sub, 1],
                          [np.inf, 70, 100, 70, 1e6, np.inf], ["i", "c", "c", "c", "i", "i"], np.deg2rad(angle), w)
        A = tmm.inc_absorp_in_each_layer(ref)
        assert res.R[i] == pytest.approx(ref["R"], abs=1e-12)
        assert res.T[i] == pytest.approx(ref["T"], abs=1e-12)
        np.testing.assert_allclose(res.absorbed[:, i], A[1:4], atol=1e-12)
        assert res.substrate_absorbed[i] == pytest.approx(A[4], abs=1e-12)


def test_back_illumination_matches_tmm():
    stack = coherent(mt.Constant(1.52, 1e-6))
    wl = np.array([500.0, 600.0])
    res = incoherent_spectrum(stack, wl, 1e6, mt.Constant(1.0), side="back")
    for i, w in enumerate(wl):
        ref = tmm.inc_tmm("s", [1, 1.52 + 1e-6j, 2.1 + 0.01j, 1.46, 2.1 + 0.01j, 1], [np.inf, 1e6, 70, 100, 70, np.inf],
                          ["i", "i", "c", "c", "c", "i"], 0.0, w)
        A = tmm.inc_absorp_in_each_layer(ref)
        assert res.R[i] == pytest.approx(ref["R"], abs=1e-12)
        assert res.T[i] == pytest.approx(ref["T"], abs=1e-12)
        np.testing.assert_allclose(res.absorbed[::-1, i], A[2:5], atol=1e-12)


# (incident, substrate, exit, angle, side): dispersive glasses, oblique incidence from either side;
# "TIR" marks total internal reflection at the face the light leaves (kx > n of the far medium),
# "lossy" an absorbing substrate or far medium, "evanescent" kx > Re n_substrate in a lossy substrate.
CASES = {
    "air|BK7|air 20deg": (AIR, BK7, AIR, 20.0, "front"),
    "air|BK7|air 60deg": (AIR, BK7, AIR, 60.0, "front"),
    "air|BK7|air 85deg": (AIR, BK7, AIR, 85.0, "front"),
    "air|BK7|air 60deg back": (AIR, BK7, AIR, 60.0, "back"),
    "SF11|BK7|air 30deg": (SF11, BK7, AIR, 30.0, "front"),                     # kx < 1: no TIR
    "SF11|BK7|air 45deg TIR": (SF11, BK7, AIR, 45.0, "front"),                 # kx ~ 1.25 > 1
    "SF11|BK7|SF11 55deg TIR back face": (SF11, BK7, SF11, 55.0, "front"),     # kx ~ 1.45 < n_BK7
    "air|BK7|SF11 45deg back TIR": (AIR, BK7, SF11, 45.0, "back"),             # leaves through air
    "air|BK7|SF11 30deg back": (AIR, BK7, SF11, 30.0, "back"),
    "SF11|lossy|air 45deg TIR": (SF11, mt.Constant(1.52, 2e-7), AIR, 45.0, "front"),
    "SF11|lossy|air 70deg evanescent": (SF11, mt.Constant(1.52, 1e-3), AIR, 70.0, "front"),
    "air|lossy|SF11 60deg back evanescent": (AIR, mt.Constant(1.52, 1e-3), SF11, 60.0, "back"),
    "air|BK7|lossy 50deg": (AIR, BK7, mt.Constant(1.3, 0.05), 50.0, "front"),
    "air|BK7|lossy 50deg back": (mt.Constant(1.3, 0.05), BK7, AIR, 50.0, "back"),
}


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("case", list(CASES))
def test_dispersive_oblique_matches_tmm(case, pol):
    """The angle in every medium follows kx = n_src(lambda) sin(theta) at each wavelength (the
    old code fixed the substrate angle at the first wavelength: ~1e-3 errors in R)."""
    incident, substrate, exit_medium, angle, side = CASES[case]
    res = incoherent_spectrum(coherent(substrate, incident), WL, D_SUB, exit_medium, angle, pol, side)
    for i, w in enumerate(WL):
        ref = tmm_fractions(pol, incident, substrate, exit_medium, angle, w, side)
        np.testing.assert_allclose(ours(res, i), ref, rtol=0, atol=1e-10, err_msg=f"{case} {pol} {w} nm")


@pytest.mark.parametrize("side", ["front", "back"])
def test_unpolarized_is_mean_of_s_and_p_results(side):
    """Unpolarized light: the s and p intensities add after each is summed incoherently."""
    res = incoherent_spectrum(coherent(BK7, SF11), WL, D_SUB, SF11, 40.0, "unpolarized", side)
    for i, w in enumerate(WL):
        ref = 0.5 * (tmm_fractions("s", SF11, BK7, SF11, 40.0, w, side)
                     + tmm_fractions("p", SF11, BK7, SF11, 40.0, w, side))
        np.testing.assert_allclose(ours(res, i), ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("angle", [65.0, 80.0])
def test_evanescent_lossless_substrate_is_opaque(pol, angle):
    """kx > n_substrate in a lossless substrate: no power enters it, so R and the layer absorption
    are those of the coherent stack on a semi-infinite substrate (tmm.coh_tmm), T = 0 and the
    substrate absorbs nothing.  (tmm.inc_tmm itself returns NaN here.)"""
    res = incoherent_spectrum(coherent(BK7, SF11), WL, D_SUB, AIR, angle, pol)
    for i, w in enumerate(WL):
        ns = np.array([SF11.n(w), H.n(w), L.n(w), H.n(w), BK7.n(w)], complex)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            coh = tmm.coh_tmm(pol, ns, [np.inf, 70, 100, 70, np.inf], np.deg2rad(angle), w)
            A = tmm.absorp_in_each_layer(coh)
        assert res.R[i] == pytest.approx(coh["R"], abs=1e-10)
        np.testing.assert_allclose(res.absorbed[:, i], A[1:4], atol=1e-10)
        assert res.T[i] == 0.0
        assert res.substrate_absorbed[i] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("side", ["front", "back"])
@pytest.mark.parametrize("angle", [0.0, 30.0, 50.0, 70.0])
def test_energy_conservation_lossless_substrate(pol, side, angle):
    """With a lossless substrate R + T + (absorbed in the layers) = 1 with each term computed
    separately: the substrate's share must vanish, TIR or not; and T = 0 exactly beyond the
    critical angle of the face the light leaves."""
    stack = coherent(BK7, AIR)
    res = incoherent_spectrum(stack, WL, D_SUB, SF11, angle, pol, side)
    np.testing.assert_allclose(res.R + res.T + res.absorbed.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.substrate_absorbed, 0.0, atol=1e-12)
    assert np.all(res.R >= 0) and np.all(res.T >= 0) and np.all(res.absorbed > -1e-14)
    kx = (AIR.n(WL) if side == "front" else SF11.n(WL)).real * np.sin(np.deg2rad(angle))
    n_far = (SF11.n(WL) if side == "front" else AIR.n(WL)).real
    assert np.all(res.T[kx > n_far] == 0.0)
    if side == "back" and angle >= 50.0:
        assert np.all(kx > 1.0)          # the TIR branch is really exercised


def _fresnel(n1, n2, kx, pol):
    """Power reflectance of the n1 | n2 interface (real indices, kx < n1, n2)."""
    c1, c2 = np.sqrt(n1 ** 2 - kx ** 2), np.sqrt(n2 ** 2 - kx ** 2)      # n cos(theta)
    if pol == "s":
        r = (c1 - c2) / (c1 + c2)
    else:
        r = (n2 ** 2 * c1 - n1 ** 2 * c2) / (n2 ** 2 * c1 + n1 ** 2 * c2)
    return r ** 2


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("angle", [0.0, 40.0, 75.0])
def test_bare_dispersive_slab_closed_form(pol, angle):
    """A bare lossless slab (zero-thickness film) in air: the incoherent sum of the multiple
    Fresnel reflections, with the Fresnel reflectance R0 of each face at n_glass(lambda),
    R = R0 + (1 - R0)^2 R0 / (1 - R0^2) = 2 R0 / (1 + R0),  T = (1 - R0) / (1 + R0)."""
    stack = cv.Stack([cv.Layer(BK7, 0.0)], incident=AIR, substrate=BK7)
    res = incoherent_spectrum(stack, WL, D_SUB, AIR, angle, pol)
    ng = BK7.n(WL).real
    R0 = _fresnel(1.0, ng, np.sin(np.deg2rad(angle)), pol)
    np.testing.assert_allclose(res.R, 2 * R0 / (1 + R0), rtol=1e-12)
    np.testing.assert_allclose(res.T, (1 - R0) / (1 + R0), rtol=1e-12)


@pytest.mark.parametrize("pol", ["s", "p"])
def test_absorbing_slab_closed_form(pol):
    """An absorbing slab n = 1.5 + 1e-5 i, 0.2 mm, from a lossless prism (n = 1.5) at 50 deg into
    air beyond the critical angle: R = R01 + T01 T10 R12 a^2 / (1 - R10 R12 a^2) with the prism |
    slab face index-matched in Re n (R01 = R10 ~ 0, T01 T10 ~ 1), R12 = |r12|^2 ~ 1 and
    a = exp(-4 pi Im(q) D / lambda), q = sqrt(n^2 - kx^2); T = 0."""
    slab = mt.Constant(1.5, 1e-5)
    prism = mt.Constant(1.5)
    stack = cv.Stack([cv.Layer(slab, 0.0)], incident=prism, substrate=slab)
    wl = np.array([500.0, 800.0])
    D = 2e5
    res = incoherent_spectrum(stack, wl, D, AIR, 50.0, pol)
    n, kx = 1.5 + 1e-5j, 1.5 * np.sin(np.deg2rad(50.0))
    q0, q, q2 = np.sqrt(1.5 ** 2 - kx ** 2 + 0j), np.sqrt(n * n - kx * kx), 1j * np.sqrt(kx * kx - 1.0)
    y = (lambda q_, n_: q_) if pol == "s" else (lambda q_, n_: q_ / n_ ** 2)
    y0, y1, y2 = y(q0, 1.5), y(q, n), y(q2, 1.0)
    r01, r10, r12 = (y0 - y1) / (y0 + y1), (y1 - y0) / (y1 + y0), (y1 - y2) / (y1 + y2)
    t01, t10 = 2 * y0 / (y0 + y1), 2 * y1 / (y1 + y0)                  # H (p) or E (s) amplitudes
    T01, T10 = y1.real * abs(t01) ** 2 / y0.real, y0.real * abs(t10) ** 2 / y1.real
    R01, R10, R12 = abs(r01) ** 2, abs(r10) ** 2, abs(r12) ** 2
    a = np.exp(-4 * np.pi * q.imag * D / wl)
    expected = R01 + T01 * T10 * R12 * a * a / (1 - R10 * R12 * a * a)
    np.testing.assert_allclose(res.R, expected, rtol=1e-12)
    assert np.all(res.T == 0.0)
    assert np.all(res.substrate_absorbed > 0.01)        # the slab absorbs what is not reflected


def test_bare_glass_slab_closed_form():
    """No coherent layers (a zero-thickness film): T = (1-R)^2 / (1 - R^2) for a lossless slab."""
    glass = mt.Constant(1.5)
    stack = cv.Stack([cv.Layer(glass, 0.0)], incident=mt.Constant(1.0), substrate=glass)
    res = incoherent_spectrum(stack, [600.0], 1e6)
    R = ((1.5 - 1) / 2.5) ** 2
    assert res.T[0] == pytest.approx((1 - R) ** 2 / (1 - R * R), rel=1e-12)
    assert res.R[0] == pytest.approx(2 * R / (1 + R), rel=1e-12)


def test_bad_input():
    stack = coherent(mt.Constant(1.52))
    with pytest.raises(ValueError, match="substrate_thickness"):
        incoherent_spectrum(stack, [600.0], -1.0)
    with pytest.raises(ValueError, match="front"):
        incoherent_spectrum(stack, [600.0], 1e6, side="sideways")
    with pytest.raises(ValueError, match="lossless incident medium"):
        incoherent_spectrum(coherent(mt.Constant(1.52), mt.Constant(1.0, 1e-3)), [600.0], 1e6, angle=30.0)
    with pytest.raises(ValueError, match="lossless exit medium"):
        incoherent_spectrum(stack, [600.0], 1e6, mt.Constant(1.0, 1e-3), angle=30.0, side="back")
    with pytest.raises(ValueError, match="angle"):
        incoherent_spectrum(stack, [600.0], 1e6, angle=90.0)
    with pytest.raises(TypeError, match="stack"):
        incoherent_spectrum("glass", [600.0], 1e6)

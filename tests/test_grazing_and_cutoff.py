"""Grazing incidence and layers at their critical condition (normal wave number q = 0).

Oracles: ``tmm.coh_tmm`` and ``tmm.position_resolved`` a hair away from the critical condition
(an interior layer's matrix is even in q, so R, r, t are smooth in kx there and the mean of
``kx = 1 +- h`` is the value at ``kx = 1`` to O(h^2)); the textbook characteristic matrix of
``tests/reference/naive_tmm.py`` with its q -> 0 limit ``[[1, -i k0 d (q/Y)], [0, 1]]`` (Born &
Wolf, Principles of Optics, s.1.6.2; ``q/Y = 1`` for s, ``n^2`` for p) written out below; energy
balance; and the grazing limit theta -> 90 degrees (r -> -1, t -> 0).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

tmm = pytest.importorskip("tmm")

from cavity import Layer, Stack, absorption_by_layer, field_profile, spectrum, spectrum_arrays  # noqa: E402
from cavity.optics import _tmm_kernels as K  # noqa: E402
from cavity.lowlevel import rt_single, transmittance_factor  # noqa: E402
from materials import Constant  # noqa: E402
from reference.naive_tmm import char_matrix, outer_q  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")

WL = 600.0
N0 = 1.5
#: angle at which kx = N0 sin(angle) is exactly 1.0 in double precision (checked below)
CRIT = math.degrees(math.asin(1.0 / N0))
#: the largest grazing angle below 90: every angle above it has sin(angle) == 1 in double precision
FIRST_GRAZING = 89.99999939629087


def test_critical_angle_gives_kx_exactly_one():
    assert N0 * math.sin(math.radians(CRIT)) == 1.0
    assert N0 * float(np.sin(np.deg2rad(CRIT))) == 1.0
    assert np.sin(np.deg2rad(FIRST_GRAZING)) == 1.0 and np.sin(np.deg2rad(np.nextafter(FIRST_GRAZING, 0))) < 1.0


# --------------------------------------------------------------------------------------------------
# an independent q -> 0 limit of the characteristic-matrix method
# --------------------------------------------------------------------------------------------------
def _limit_matrix(n, d, kx, pol, wl):
    """Characteristic matrix of a layer; its q -> 0 limit when n^2 == kx^2 exactly."""
    n = complex(n)
    if n * n != kx * kx:
        return char_matrix(n, d, wl, kx, pol)
    q_over_y = 1.0 if pol == "s" else n * n
    return np.array([[1.0, -1j * 2 * math.pi / wl * d * q_over_y], [0.0, 1.0]], dtype=complex)


def naive_limit(pol, n_list, d_list, kx, wl=WL):
    """r, t (tmm conventions), R, T and the power fractions per medium (A[0] = R, A[-1] = T)."""
    n_list = [complex(x) for x in n_list]
    adm = (lambda q, n: q) if pol == "s" else (lambda q, n: q / n**2)
    q0, qs = outer_q(n_list[0], kx), outer_q(n_list[-1], kx)
    y0, ys = adm(q0, n_list[0]), adm(qs, n_list[-1])
    mats = [_limit_matrix(n_list[j], d_list[j], kx, pol, wl) for j in range(1, len(n_list) - 1)]
    total = np.eye(2, dtype=complex)
    for m in mats:
        total = total @ m
    B, C = total @ np.array([1.0, ys])
    tU = 2 * y0 / (y0 * B + C)
    r = (y0 * B - C) / (y0 * B + C)
    uv = tU * np.array([1.0, ys])
    flows = [(uv[0] * np.conj(uv[1])).real / y0.real]
    for m in reversed(mats):
        uv = m @ uv
        flows.append((uv[0] * np.conj(uv[1])).real / y0.real)
    flows = flows[::-1]
    A = np.array([abs(r) ** 2] + [flows[j - 1] - flows[j] for j in range(1, len(n_list) - 1)] + [flows[-1]])
    t = tU if pol == "s" else tU * n_list[0] / n_list[-1]
    return complex(r), complex(t), abs(r) ** 2, float(flows[-1]), A


def ours(n_list, d_list, kx, pol):
    n = np.array(n_list, dtype=complex)
    d = np.array(d_list, dtype=float)
    code = 0 if pol == "s" else 1
    r, t = rt_single(n, d, WL, kx, code)
    return r, t, abs(r) ** 2, transmittance_factor(n[0], n[-1], kx, code) * abs(t) ** 2


def tmm_at(n_list, d_list, kx, pol):
    dd = [np.inf] + list(d_list[1:-1]) + [np.inf]
    o = tmm.coh_tmm(pol, [complex(x) for x in n_list], dd, math.asin(kx / n_list[0]), WL)
    return o["r"], o["t"], o["R"], o["T"]


def _stack(n_list, d_list):
    layers = tuple(Layer(Constant(float(np.real(n)), float(np.imag(n))), d) for n, d in zip(n_list[1:-1], d_list[1:-1]))
    return Stack(layers, incident=Constant(n_list[0]), substrate=Constant(float(np.real(n_list[-1]))))


# media (incident first, substrate last) and thicknesses (nm); kx = 1.0 makes every n = 1.0 critical
INTERIOR = {
    "middle": ([N0, 2.0, 1.0, 2.0, N0], [0, 100.0, 50.0, 80.0, 0]),
    "first layer": ([N0, 1.0, 2.0, N0], [0, 70.0, 120.0, 0]),
    "last layer": ([N0, 2.0, 1.0, 2.4], [0, 90.0, 40.0, 0]),
    "two in a row": ([N0, 2.0, 1.0, 1.0, 2.3, N0], [0, 100.0, 20.0, 30.0, 30.0, 0]),
    "lossy neighbours": ([N0, 2.0 + 0.1j, 1.0, 1.8 + 0.05j, N0], [0, 60.0, 250.0, 90.0, 0]),
    "gain neighbour": ([N0, 2.0 - 0.02j, 1.0, 2.0, N0], [0, 150.0, 30.0, 80.0, 0]),
}
SUBSTRATE = {
    "substrate": ([N0, 2.0, 1.0], [0, 100.0, 0]),
    "substrate behind a stack": ([N0, 2.0, 1.3, 1.8, 1.0], [0, 100.0, 60.0, 40.0, 0]),
    "substrate and the layer before": ([N0, 2.0, 1.0, 1.0], [0, 100.0, 80.0, 0]),
    "substrate, lossy layer": ([N0, 2.0 + 0.2j, 1.0], [0, 50.0, 0]),
}


# --------------------------------------------------------------------------------------------------
# q = 0 inside the stack
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("case", list(INTERIOR))
def test_interior_layer_at_q_zero_equals_the_limit_matrix_and_tmm(case, pol):
    n_list, d_list = INTERIOR[case]
    r, t, R, T = ours(n_list, d_list, 1.0, pol)
    rr, tr, Rr, Tr, _ = naive_limit(pol, n_list, d_list, 1.0)
    assert all(np.isfinite([r, t, R, T]))
    assert abs(r - rr) < 1e-13 and abs(t - tr) < 1e-13 and abs(T - Tr) < 1e-13
    # tmm a hair on either side: the mean is the value at kx = 1 to O(h^2) (+ tmm's eps/q)
    h = 1e-6
    up, dn = tmm_at(n_list, d_list, 1.0 + h, pol), tmm_at(n_list, d_list, 1.0 - h, pol)
    for k, val in enumerate((r, t, R, T)):
        assert abs(val - 0.5 * (up[k] + dn[k])) < 1e-9, (k, val, up[k], dn[k])


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("case", ["middle", "two in a row", "lossy neighbours"])
def test_interior_q_zero_is_continuous_across_the_thin_layer_branch(case, pol):
    """R, T and r as kx -> 1 from both sides, through the switch to the matrix branch at |q| = 1e-5
    (h = q^2 / 2 = 5e-11): linear in h, with no jump beyond rounding."""
    n_list, d_list = INTERIOR[case]
    r0, _, R0, T0 = ours(n_list, d_list, 1.0, pol)
    r4 = ours(n_list, d_list, 1.0 + 1e-4, pol)[0]
    slope = abs(r4 - r0) / 1e-4
    for h in np.concatenate([np.logspace(-14, -5, 37), [4.9e-11, 5.0e-11, 5.1e-11]]):
        for sg in (1.0, -1.0):
            r, _, R, T = ours(n_list, d_list, 1.0 + sg * h, pol)
            bound = 3 * slope * h + 1e-11
            assert abs(r - r0) < bound and abs(R - R0) < 2 * bound and abs(T - T0) < 2 * bound, (h, sg)


def test_two_critical_layers_in_a_row_equal_one_of_the_summed_thickness():
    for pol in ("s", "p"):
        split = ours([N0, 2.0, 1.0, 1.0, 2.3, N0], [0, 100.0, 20.0, 30.0, 30.0, 0], 1.0, pol)
        whole = ours([N0, 2.0, 1.0, 2.3, N0], [0, 100.0, 50.0, 30.0, 0], 1.0, pol)
        np.testing.assert_allclose(split[:2], whole[:2], rtol=0, atol=1e-14)
        # and a zero-thickness critical layer is inert
        inert = ours([N0, 2.0, 1.0, 2.3, N0], [0, 100.0, 0.0, 30.0, 0], 1.0, pol)
        bare = ours([N0, 2.0, 2.3, N0], [0, 100.0, 30.0, 0], 1.0, pol)
        np.testing.assert_allclose(inert[:2], bare[:2], rtol=0, atol=1e-14)


@pytest.mark.parametrize("pol", ["s", "p", "unpolarized", "both"])
@pytest.mark.parametrize("W", [3, 300])
def test_api_at_the_critical_angle_scalar_and_batched_paths(pol, W):
    n_list, d_list = INTERIOR["middle"]
    wl = np.linspace(500.0, 700.0, W)
    n = np.array([[complex(x)] * W for x in n_list])
    res = spectrum_arrays(n, np.array(d_list, float), wl, [0.0, CRIT], pol)
    res2 = spectrum_arrays(n, np.array(d_list, float), wl, [0.0, CRIT], pol, threads=2)
    for key in res:
        assert np.all(np.isfinite(res[key]))
        np.testing.assert_array_equal(res[key], res2[key])
    pols = ["s", "p"] if pol in ("unpolarized", "both") else [pol]
    Rs, Ts = [], []
    for p in pols:
        ref = np.array([naive_limit(p, n_list, d_list, 1.0, w)[:4] for w in wl])
        sfx = "" if pol != "both" else "_" + p
        if pol != "unpolarized":
            np.testing.assert_allclose(res["r" + sfx][0, 1], ref[:, 0], rtol=0, atol=1e-12)
            np.testing.assert_allclose(res["t" + sfx][0, 1], ref[:, 1], rtol=0, atol=1e-12)
        Rs.append(ref[:, 2].real)
        Ts.append(ref[:, 3].real)
    if pol == "unpolarized":
        np.testing.assert_allclose(res["R"][0, 1], np.mean(Rs, axis=0), atol=1e-12)
        np.testing.assert_allclose(res["T"][0, 1], np.mean(Ts, axis=0), atol=1e-12)


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("case", ["middle", "lossy neighbours", "substrate and the layer before"])
def test_absorption_by_layer_at_q_zero(case, pol):
    n_list, d_list = {**INTERIOR, **SUBSTRATE}[case]
    ab = absorption_by_layer(_stack(n_list, d_list), WL, CRIT, pol)
    *_, A = naive_limit(pol, n_list, d_list, 1.0)
    got = np.concatenate([ab.R, ab.absorbed[:, 0], ab.T])
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, A, rtol=0, atol=1e-12)
    assert abs(got.sum() - 1.0) < 1e-12
    sp = spectrum(_stack(n_list, d_list), [WL], CRIT, pol)
    assert abs(sp.R[0] - ab.R[0]) < 1e-13 and abs(sp.T[0] - ab.T[0]) < 1e-13


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("case", ["middle", "lossy neighbours", "substrate behind a stack"])
def test_field_profile_at_q_zero_matches_tmm_position_resolved(case, pol):
    """|E|^2 and the power flow at the critical angle equal the mean of tmm's at kx = 1 +- h
    (interior q = 0: smooth in kx).  For a critical substrate tmm is taken just below."""
    n_list, d_list = {**INTERIOR, **SUBSTRATE}[case]
    fp = field_profile(_stack(n_list, d_list), WL, CRIT, pol, step=7.0, outside=40.0)
    assert np.all(np.isfinite(fp.E2)) and np.all(np.isfinite(fp.power_flow))
    interior = case in INTERIOR
    h = 1e-7 if interior else 1e-12
    nl = [complex(x) for x in n_list]
    dd = [np.inf] + list(d_list[1:-1]) + [np.inf]
    datas = [tmm.coh_tmm(pol, nl, dd, math.asin((1.0 + s * h) / N0), WL) for s in ((1, -1) if interior else (-1,))]
    for j in range(fp.z.size):
        m = int(fp.layer_index[j])
        dist = fp.z[j] if m == 0 else fp.z[j] - fp.boundaries[m - 1]
        if m not in (0, len(n_list) - 1):
            dist = min(max(dist, 0.0), d_list[m])
        E2 = flow = 0.0
        for data in datas:
            ref = tmm.position_resolved(m, dist, data)
            E2 += (abs(ref["Ex"]) ** 2 + abs(ref["Ey"]) ** 2 + abs(ref["Ez"]) ** 2) / len(datas)
            flow += ref["poyn"] / len(datas)
        tol = 1e-7 if interior else 50 * math.sqrt(h)  # T ~ sqrt(h) on the propagating side
        assert abs(fp.E2[j] - E2) <= tol * max(1.0, E2), (j, m, fp.E2[j], E2)
        assert abs(fp.power_flow[j] - flow) <= tol, (j, m, fp.power_flow[j], flow)


# --------------------------------------------------------------------------------------------------
# q = 0 in the substrate: the critical angle of the exit medium
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("case", list(SUBSTRATE))
def test_critical_substrate_is_the_limit_of_tmm(case, pol):
    """A grazing transmitted wave: finite t, T = 0, R = 1 - absorption; the limit of tmm from the
    propagating side (T ~ sqrt(h)) and from the evanescent side (T = 0), r and t continuous."""
    n_list, d_list = SUBSTRATE[case]
    r, t, R, T = ours(n_list, d_list, 1.0, pol)
    rr, tr, Rr, Tr, A = naive_limit(pol, n_list, d_list, 1.0)
    assert T == 0.0 and Tr == 0.0
    assert abs(r - rr) < 1e-13 and abs(t - tr) < 1e-12
    lossless = all(complex(x).imag == 0 for x in n_list)
    if lossless:
        assert abs(R - 1.0) < 1e-14
    else:
        assert R < 1.0 - 1e-3 and abs(R + A[1:-1].sum() - 1.0) < 1e-12
    for h in (1e-8, 1e-10, 1e-12):
        for sg in (1.0, -1.0):
            ref = tmm_at(n_list, d_list, 1.0 + sg * h, pol)
            bound = 50 * math.sqrt(h)
            assert abs(r - ref[0]) < bound and abs(t - ref[1]) < bound and abs(T - ref[3]) < bound, (h, sg)


@pytest.mark.parametrize("pol", ["s", "p"])
def test_critical_substrate_through_the_api(pol):
    n_list, d_list = SUBSTRATE["substrate behind a stack"]
    st_ = _stack(n_list, d_list)
    for wl in ([WL], np.linspace(500.0, 700.0, 300)):
        sp = spectrum(st_, wl, CRIT, pol)
        np.testing.assert_array_equal(sp.T, 0.0)
        np.testing.assert_allclose(sp.R, 1.0, rtol=0, atol=1e-14)


# --------------------------------------------------------------------------------------------------
# reflection_towards (the pole condition's recursion) takes the same branch
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pol", [0, 1])
@pytest.mark.parametrize("case", ["middle", "two in a row", "first layer"])
def test_reflection_towards_matches_rt_single_at_q_zero(case, pol):
    n_list, d_list = INTERIOR[case]
    n = np.array(n_list, dtype=complex)
    d = np.array(d_list, dtype=float)
    r, _ = rt_single(n, d, WL, 1.0, pol)
    g = K.reflection_towards(n, d, 2 * math.pi / WL, 1.0, pol, 0, n.size - 1)
    assert abs(g - r) < 1e-13
    # looking the other way from the substrate side: the reversed stack's reflection
    rb, _ = rt_single(n[::-1].copy(), d[::-1].copy(), WL, 1.0, pol)
    gb = K.reflection_towards(n, d, 2 * math.pi / WL, 1.0, pol, n.size - 1, 0)
    assert abs(gb - rb) < 1e-13


def test_amplitudes_refuses_a_layer_with_q_exactly_zero():
    """The exponential amplitudes of a q = 0 layer do not exist (its field is linear): a clear
    error, not a NaN; boundary_fields gives the tangential fields instead."""
    n = np.array(INTERIOR["middle"][0], dtype=complex)
    d = np.array(INTERIOR["middle"][1], dtype=float)
    bufs = [np.empty(n.size, np.complex128) for _ in range(5)]
    with pytest.raises(ValueError, match="boundary_fields"):
        K.amplitudes(n, d, WL, 1.0, 0, *bufs)
    f = np.empty(n.size, np.complex128)
    g = np.empty(n.size, np.complex128)
    K.boundary_fields(n, d, WL, 1.0, 0, *bufs, f, g)
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(g))


# --------------------------------------------------------------------------------------------------
# grazing incidence
# --------------------------------------------------------------------------------------------------
GRAZING = [90.0, 90.0 - 1e-8, 90.0 - 1e-12, float(np.nextafter(90.0, 0.0)), FIRST_GRAZING]
STACKS = {
    "dielectric": ([1.0, 2.0, 1.2, 1.5], [0, 100.0, 50.0, 0]),
    "index-matched first layer": ([N0, N0, 2.0, 1.0], [0, 80.0, 40.0, 0]),
    "absorbing": ([N0, 2.0 + 0.3j, 1.7 + 0.01j, 1.52], [0, 30.0, 120.0, 0]),
}


@pytest.mark.parametrize("angle", GRAZING)
@pytest.mark.parametrize("W", [2, 300])
@pytest.mark.parametrize("case", list(STACKS))
def test_grazing_incidence_reflects_everything(case, W, angle):
    n_list, d_list = STACKS[case]
    wl = np.linspace(450.0, 750.0, W)
    st_ = _stack(n_list, d_list)
    for pol in ("s", "p"):
        sp = spectrum(st_, wl, angle, pol)
        np.testing.assert_array_equal(sp.R, 1.0)
        np.testing.assert_array_equal(sp.T, 0.0)
        np.testing.assert_array_equal(sp.A, 0.0)
        np.testing.assert_array_equal(sp.r, -1.0)
        np.testing.assert_array_equal(sp.t, 0.0)
    sp = spectrum(st_, wl, [0.0, 10.0, angle], "unpolarized")
    np.testing.assert_array_equal(sp.R[2], 1.0)
    np.testing.assert_array_equal(sp.T[2], 0.0)
    assert np.all(sp.R[:2] < 1.0)
    n = np.array([[complex(x)] * W for x in n_list])
    both = spectrum_arrays(n, np.array(d_list, float), wl, angle, "both", threads=2)
    for key in ("R_s", "R_p"):
        np.testing.assert_array_equal(both[key], 1.0)
    for key in ("T_s", "T_p", "t_s", "t_p"):
        np.testing.assert_array_equal(both[key], 0.0)
    ab = absorption_by_layer(st_, wl, angle, "unpolarized")
    np.testing.assert_array_equal(ab.R, 1.0)
    np.testing.assert_array_equal(ab.absorbed, 0.0)
    np.testing.assert_array_equal(ab.T, 0.0)


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("case", ["dielectric", "absorbing"])
def test_grazing_is_the_limit_of_tmm(case, pol):
    """tmm at theta0 -> 90 degrees: r -> -1 and T -> 0 linearly in cos(theta0); at pi/2 (where
    tmm's cos is 6e-17) it agrees with the grazing answer to rounding."""
    n_list, d_list = STACKS[case]
    nl = [complex(x) for x in n_list]
    dd = [np.inf] + list(d_list[1:-1]) + [np.inf]
    prev = None
    for delta in (1e-2, 1e-3, 1e-4, 1e-5):
        o = tmm.coh_tmm(pol, nl, dd, math.pi / 2 - delta, WL)
        dist = abs(o["r"] + 1.0)
        assert o["T"] < 10 * delta and dist < 10 * delta
        ours_ = spectrum(_stack(n_list, d_list), [WL], math.degrees(math.pi / 2 - delta), pol)
        assert abs(ours_.r[0] - o["r"]) < 1e-9
        if prev is not None:
            assert dist < 0.2 * prev  # linear approach to -1
        prev = dist
    o = tmm.coh_tmm(pol, nl, dd, math.pi / 2, WL)
    assert abs(o["r"] + 1.0) < 1e-12 and abs(o["T"]) < 1e-12


@pytest.mark.parametrize("pol", ["s", "p", "both"])
def test_grazing_with_a_gain_layer_and_a_critical_layer(pol):
    """Gain inside, a q = 0 layer behind: still r = -1, t = 0 (nothing enters)."""
    n_list = [N0, 2.0 - 0.02j, 1.0, 2.0 + 0.1j, N0]
    d_list = [0, 150.0, 30.0, 80.0, 0]
    for W in (2, 300):
        wl = np.linspace(500.0, 700.0, W)
        n = np.array([[complex(x)] * W for x in n_list])
        res = spectrum_arrays(n, np.array(d_list, float), wl, [CRIT, 90.0], pol)
        for key, val in res.items():
            assert np.all(np.isfinite(val))
            want = {"R": 1.0, "T": 0.0, "t": 0.0, "r": -1.0}[key.split("_")[0]]
            np.testing.assert_array_equal(val[:, 1], want)


@pytest.mark.parametrize("angle", GRAZING)
def test_field_profile_refuses_grazing_incidence(angle):
    st_ = _stack(*STACKS["dielectric"])
    with pytest.raises(ValueError, match=r"angle.*grazing"):
        field_profile(st_, WL, angle, "p")


def test_just_below_grazing_is_finite_and_consistent():
    st_ = _stack(*STACKS["dielectric"])
    ang = float(np.nextafter(FIRST_GRAZING, 0.0))
    sp = spectrum(st_, [WL], ang, "s")
    assert 0.9999 < sp.R[0] < 1.0 and 0.0 < sp.T[0] < 1e-4
    fp = field_profile(st_, WL, ang, "s", step=10.0)
    assert np.all(np.isfinite(fp.E2))
    # the net flow in the incident medium is 1 - R; in the lossless stack it stays constant
    assert abs(fp.power_flow[0] - (1.0 - sp.R[0])) < 1e-6 * (1.0 - sp.R[0]) + 1e-15
    assert abs(fp.power_flow[-1] - sp.T[0]) < 1e-6 * (1.0 - sp.R[0]) + 1e-15


@pytest.mark.parametrize("angle", [90.0 + 1e-9, 91.0, -1e-12])
def test_angles_outside_0_90_still_raise(angle):
    st_ = _stack(*STACKS["dielectric"])
    with pytest.raises(ValueError, match=r"angle must be in \[0, 90\]"):
        spectrum(st_, [WL], angle)
    with pytest.raises(ValueError, match="angle"):
        absorption_by_layer(st_, [WL], angle)

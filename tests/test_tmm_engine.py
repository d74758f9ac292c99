"""Validation of the transfer-matrix engine against independent oracles.

Expected values come from Byrnes' ``tmm`` (test-only), the plain characteristic-matrix reference
in ``tests/reference/naive_tmm.py``, or closed forms (Airy, quarter-wave stack, Bloch condition,
frustrated TIR) -- never from the engine itself.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

tmm = pytest.importorskip("tmm")

from cavity import Layer, Stack, absorption_by_layer, dbr, field_profile, spectrum, spectrum_arrays  # noqa: E402
from materials import Constant  # noqa: E402

from reference import naive_tmm as naive  # noqa: E402
from reference.stacks import finite, random_stacks, tmm_lists  # noqa: E402

TOL = 1e-10


def close(a, b, tol=TOL):
    """|a - b| <= tol * max(1, |b|) elementwise (absolute near 0, relative for large values)."""
    a, b = np.asarray(a), np.asarray(b)
    return np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b)))


# --------------------------------------------------------------------------------------------------
# tmm as the oracle
# --------------------------------------------------------------------------------------------------
@given(random_stacks())
def test_matches_tmm_on_random_stacks(case):
    """r, t, R, T and per-layer absorption vs tmm.coh_tmm: s/p, oblique, loss and interior gain."""
    stack, wl, ang, pol, g = case["stack"], case["wavelength"], case["angle"], case["pol"], case["gain"]
    sp = spectrum(stack, wl, ang, pol, gain=g)
    ab = absorption_by_layer(stack, wl, ang, pol, gain=g)
    for w in range(wl.size):
        n_list, d_list = tmm_lists(case, w)
        ref = tmm.coh_tmm(pol, n_list, d_list, math.radians(ang), wl[w])
        A_ref = tmm.absorp_in_each_layer(ref)
        assert close(sp.r[w], ref["r"]), (sp.r[w], ref["r"])
        assert close(sp.t[w], ref["t"]), (sp.t[w], ref["t"])
        assert close(sp.R[w], ref["R"]) and close(sp.T[w], ref["T"]), (sp.R[w], ref["R"], sp.T[w], ref["T"])
        assert close(ab.R[w], ref["R"]) and close(ab.T[w], ref["T"])
        assert close(ab.absorbed[:, w], A_ref[1:-1]), (ab.absorbed[:, w], A_ref[1:-1])


@pytest.mark.parametrize("pol", ["s", "p"])
def test_matches_tmm_gain_layer_in_resonator(pol):
    """A lossless-mirror cavity with an amplifying layer inside, at oblique incidence."""
    m = dbr(Constant(2.1), Constant(1.46), 4, 630.0)
    mir = [(2.1, lay.thickness) if "(H)" in lay.label else (1.46, lay.thickness) for lay in m.layers]
    wl = np.linspace(600, 660, 7)
    g = 2500.0
    layers = [Layer(Constant(n), d) for n, d in mir] + [Layer(Constant(1.8), 350.0, gain=True)] + [
        Layer(Constant(n), d) for n, d in mir[::-1]
    ]
    st_ = Stack(layers, incident=Constant(1.0), substrate=Constant(1.52))
    sp = spectrum(st_, wl, 20.0, pol, gain=g)
    ab = absorption_by_layer(st_, wl, 20.0, pol, gain=g)
    for w, lam in enumerate(wl):
        n_list = [1.0] + [n for n, _ in mir] + [1.8 - 1j * g * lam * 1e-7 / (4 * math.pi)] + [n for n, _ in mir[::-1]] + [1.52]
        d_list = [math.inf] + [d for _, d in mir] + [350.0] + [d for _, d in mir[::-1]] + [math.inf]
        ref = tmm.coh_tmm(pol, n_list, d_list, math.radians(20.0), lam)
        assert close(sp.r[w], ref["r"]) and close(sp.t[w], ref["t"]) and close(sp.T[w], ref["T"])
        assert close(ab.absorbed[:, w], tmm.absorp_in_each_layer(ref)[1:-1])
        assert ab.absorbed[len(mir), w] < 0  # the gain layer generates power


# --------------------------------------------------------------------------------------------------
# the naive characteristic-matrix reference (T-matrix vs S-matrix)
# --------------------------------------------------------------------------------------------------
@st.composite
def interior_arrays(draw):
    """Raw arrays for spectrum_arrays: any interior n (loss or gain), several angles."""
    M = draw(st.integers(3, 8))
    nr = draw(st.lists(st.floats(1.0, 3.5, **finite), min_size=M, max_size=M))
    k = draw(st.lists(st.floats(-0.03, 0.3, **finite), min_size=M, max_size=M))
    d = draw(st.lists(st.floats(0.0, 400.0, **finite), min_size=M, max_size=M))
    wl = draw(st.floats(400.0, 1000.0, **finite))
    n = np.array(nr, complex) + 1j * np.array(k)
    n[0] = n[0].real
    n[-1] = complex(n[-1].real, max(k[-1], 0.0))
    d = np.array(d)
    d[0] = d[-1] = 0.0
    angles = np.array(draw(st.lists(st.floats(0.0, 85.0, **finite), min_size=1, max_size=3)))
    return n, d, wl, angles


@given(interior_arrays(), st.sampled_from(["s", "p"]))
def test_matches_naive_characteristic_matrix(arrs, pol):
    n, d, wl, angles = arrs
    res = spectrum_arrays(n[:, None], d, [wl], angles, pol)
    for a, ang in enumerate(angles):
        ref = naive.coh(pol, n, d, wl, ang)
        assert close(res["r"][0, a, 0], ref["r"]), (res["r"][0, a, 0], ref["r"])
        assert close(res["t"][0, a, 0], ref["t"])
        assert close(res["R"][0, a, 0], ref["R"]) and close(res["T"][0, a, 0], ref["T"])


@given(random_stacks(oblique=True))
def test_absorption_by_layer_matches_naive(case):
    stack, wl, ang, pol, g = case["stack"], case["wavelength"], case["angle"], case["pol"], case["gain"]
    ab = absorption_by_layer(stack, wl, ang, pol, gain=g)
    for w in range(wl.size):
        ref = naive.coh(pol, case["n"][:, w], case["d"], wl[w], ang)
        assert close(ab.absorbed[:, w], ref["A"][1:-1]), (ab.absorbed[:, w], ref["A"])
        assert close(ab.R[w], ref["R"]) and close(ab.T[w], ref["T"])


def test_unpolarized_is_the_mean_of_s_and_p():
    n = np.array([1.0, 2.0 + 0.1j, 1.4, 1.5])[:, None]
    d = np.array([0.0, 90.0, 200.0, 0.0])
    res = spectrum_arrays(n, d, [550.0], 50.0, "unpolarized")
    s, p = naive.coh("s", n[:, 0], d, 550.0, 50.0), naive.coh("p", n[:, 0], d, 550.0, 50.0)
    assert close(res["R"][0, 0, 0], 0.5 * (s["R"] + p["R"])) and close(res["T"][0, 0, 0], 0.5 * (s["T"] + p["T"]))
    assert "r" not in res


# --------------------------------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------------------------------
@given(
    st.floats(1.0, 2.0, **finite), st.floats(1.0, 3.5, **finite), st.floats(1.0, 3.5, **finite),
    st.floats(0.0, 2000.0, **finite), st.floats(400.0, 1000.0, **finite), st.floats(0.0, 80.0, **finite),
)
def test_single_slab_airy_formula(n0, n1, n2, d, lam, ang):
    s0 = n0 * math.sin(math.radians(ang))
    if s0 >= min(n1, n2) - 1e-3:  # the Airy form below assumes propagating waves everywhere
        return
    R, T = naive.airy_slab(n0, n1, n2, d, lam, ang)
    sp = spectrum(Stack([Layer(Constant(n1), d)], incident=Constant(n0), substrate=Constant(n2)), lam, ang, "s")
    assert abs(sp.R[0] - R) <= TOL and abs(sp.T[0] - T) <= TOL


@given(
    st.floats(1.6, 3.5, **finite), st.floats(1.0, 1.59, **finite), st.integers(1, 20),
    st.floats(1.0, 2.0, **finite), st.floats(1.0, 3.5, **finite), st.booleans(), st.floats(400.0, 1000.0, **finite),
)
def test_quarter_wave_stack_peak_reflectance(nH, nL, N, n0, ns, end_high, lam0):
    """docs/theory.md s.3.4: Y = (nH/nL)^(2N) ns for (HL)^N, (nH/nL)^(2N) nH^2/ns for (HL)^N H."""
    stack = dbr(Constant(nH), Constant(nL), N, lam0, end_with_high=end_high, incident=Constant(n0), substrate=Constant(ns))
    Y = (nH / nL) ** (2 * N) * (nH**2 / ns if end_high else ns)
    R = ((n0 - Y) / (n0 + Y)) ** 2
    sp = spectrum(stack, lam0)
    assert abs(sp.R[0] - R) <= TOL and abs(sp.T[0] - (1 - R)) <= TOL


NH, NL, LAM0 = 2.10, 1.46, 630.0
DG = 4 / math.pi * math.asin((NH - NL) / (NH + NL))
EDGES = (LAM0 / (1 + DG / 2), LAM0 / (1 - DG / 2))


def test_stopband_edges_closed_form_values():
    assert EDGES[0] == pytest.approx(564.985, abs=1e-3) and EDGES[1] == pytest.approx(711.924, abs=1e-3)


def test_stopband_edges_satisfy_bloch_condition():
    """|1/2 Tr M_period| = 1 exactly at the edges, > 1 inside, < 1 outside (naive period matrix)."""
    dH, dL = LAM0 / (4 * NH), LAM0 / (4 * NL)
    for lam in EDGES:
        assert abs(abs(naive.half_trace([NH, NL], [dH, dL], lam)) - 1) < 1e-12
    for lam in (0.5 * (EDGES[0] + LAM0), LAM0, 0.5 * (EDGES[1] + LAM0), EDGES[0] + 1.0, EDGES[1] - 1.0):
        assert abs(naive.half_trace([NH, NL], [dH, dL], lam)) > 1
    for lam in (EDGES[0] - 1.0, EDGES[1] + 1.0, 500.0, 800.0):
        assert abs(naive.half_trace([NH, NL], [dH, dL], lam)) < 1


def test_long_dbr_reflects_inside_the_stopband_only():
    stack = dbr(Constant(NH), Constant(NL), 60, LAM0)
    inside = np.concatenate([np.linspace(EDGES[0] + 4, EDGES[1] - 6, 40)])
    outside = np.array([EDGES[0] - 25, EDGES[0] - 40, EDGES[1] + 40, EDGES[1] + 60, 480.0, 900.0])
    assert np.all(spectrum(stack, inside).R > 0.999)
    assert np.all(spectrum(stack, outside).R < 0.5)


def _log_ftir_T(n_glass, theta_deg, lam, d):
    """log T of glass | air gap d | glass (TE) from the closed form, without overflow."""
    kx = n_glass * math.sin(math.radians(theta_deg))
    p0 = n_glass * math.cos(math.radians(theta_deg))
    kap = math.sqrt(kx * kx - 1.0)
    x = kap * 2 * math.pi / lam * d
    C = (p0**2 + kap**2) ** 2 / (4 * p0**2 * kap**2)
    if x == 0:
        return 0.0
    log_sinh = x + math.log1p(-math.exp(-2 * x)) - math.log(2.0)
    return -np.logaddexp(0.0, math.log(C) + 2 * log_sinh)


FTIR = Stack([Layer(Constant(1.0), 0.0)], incident=Constant(1.5), substrate=Constant(1.5))


@pytest.mark.parametrize("d", [0.0, 50.0, 300.0, 1000.0, 3000.0, 8000.0, 15000.0, 19900.0])
def test_frustrated_tir_matches_closed_form(d):
    stack = FTIR.replace_layer(0, Layer(Constant(1.0), d))
    logT = _log_ftir_T(1.5, 60.0, 600.0, d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sp = spectrum(stack, 600.0, 60.0, "s")
    assert math.log(sp.T[0]) == pytest.approx(logT, rel=1e-9, abs=1e-12)
    assert abs(sp.R[0] + sp.T[0] - 1) < 1e-12
    if d == 19900.0:
        assert 1e-152 < sp.T[0] < 1e-148


def test_frustrated_tir_200um_gap_is_a_perfect_mirror():
    stack = FTIR.replace_layer(0, Layer(Constant(1.0), 200_000.0))
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        sp = spectrum(stack, 600.0, 60.0, "s")
        ab = absorption_by_layer(stack, 600.0, 60.0, "s")
    assert np.isfinite(sp.T[0]) and 0.0 <= sp.T[0] < 1e-300
    assert sp.R[0] == pytest.approx(1.0, abs=1e-15)
    assert np.all(np.isfinite(ab.absorbed)) and abs(ab.absorbed[0, 0]) < 1e-15


@pytest.mark.parametrize("pol", ["s", "p"])
def test_thick_silver_like_metal_is_opaque_and_finite(pol):
    """20 um of n = 0.05 + 4i: T = 0, R equals the bare-interface Fresnel value, no NaN."""
    metal = Constant(0.05, 4.0)
    stack = Stack([Layer(metal, 20_000.0)], incident=Constant(1.0), substrate=Constant(1.5))
    wl = np.array([500.0, 650.0, 800.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sp = spectrum(stack, wl, 0.0, pol)
        ab = absorption_by_layer(stack, wl, 0.0, pol)
    nm = complex(0.05, 4.0)
    R_bulk = abs((1 - nm) / (1 + nm)) ** 2
    assert np.all(sp.T == 0.0) and np.all(np.isfinite(sp.r)) and np.all(np.isfinite(sp.t))
    assert np.allclose(sp.R, R_bulk, rtol=0, atol=1e-13)
    assert np.allclose(ab.absorbed[0], 1 - R_bulk, rtol=0, atol=1e-13)


# --------------------------------------------------------------------------------------------------
# the pure-Python path (NUMBA_DISABLE_JIT=1) against the jitted one
# --------------------------------------------------------------------------------------------------
_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import numba
    assert numba.config.DISABLE_JIT
    from cavity import Layer, Stack, absorption_by_layer, field_profile, spectrum, spectrum_arrays
    from materials import Constant
    st = Stack([Layer(Constant(2.1), 80.0), Layer(Constant(1.7, 0.05), 140.0, gain=True),
                Layer(Constant(0.2, 3.0), 30.0), Layer(Constant(1.46), 0.0)],
               incident=Constant(1.3), substrate=Constant(1.52, 0.01))
    wl = np.linspace(500.0, 700.0, 9)
    out = {}
    for pol in ("s", "p"):
        sp = spectrum(st, wl, [0.0, 40.0, 75.0], pol, gain=800.0)
        out[pol + "_r"] = [sp.r.real.tolist(), sp.r.imag.tolist()]
        out[pol + "_t"] = [sp.t.real.tolist(), sp.t.imag.tolist()]
        out[pol + "_T"] = sp.T.tolist()
        out[pol + "_A"] = absorption_by_layer(st, wl, 40.0, pol, gain=800.0).absorbed.tolist()
        fp = field_profile(st, 600.0, 40.0, pol, gain=800.0, step=5.0)
        out[pol + "_E2"] = fp.E2.tolist()
    n = np.stack([st.indices(wl)] * 3)
    d = np.stack([st.padded_thicknesses()] * 3)
    out["par_T"] = spectrum_arrays(n, d, wl, [0.0, 30.0], "p", threads=2)["T"].tolist()
    json.dump(out, sys.stdout)
    """
)


def test_pure_python_path_matches_jit():
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    py = json.loads(proc.stdout)
    st_ = Stack([Layer(Constant(2.1), 80.0), Layer(Constant(1.7, 0.05), 140.0, gain=True),
                 Layer(Constant(0.2, 3.0), 30.0), Layer(Constant(1.46), 0.0)],
                incident=Constant(1.3), substrate=Constant(1.52, 0.01))
    wl = np.linspace(500.0, 700.0, 9)
    for pol in ("s", "p"):
        sp = spectrum(st_, wl, [0.0, 40.0, 75.0], pol, gain=800.0)
        np.testing.assert_allclose(sp.r, np.array(py[pol + "_r"][0]) + 1j * np.array(py[pol + "_r"][1]), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(sp.t, np.array(py[pol + "_t"][0]) + 1j * np.array(py[pol + "_t"][1]), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(sp.T, py[pol + "_T"], rtol=1e-13, atol=1e-15)
        ab = absorption_by_layer(st_, wl, 40.0, pol, gain=800.0)
        np.testing.assert_allclose(ab.absorbed, py[pol + "_A"], rtol=1e-12, atol=1e-14)
        fp = field_profile(st_, 600.0, 40.0, pol, gain=800.0, step=5.0)
        np.testing.assert_allclose(fp.E2, py[pol + "_E2"], rtol=1e-12, atol=1e-14)
    n = np.stack([st_.indices(wl)] * 3)
    d = np.stack([st_.padded_thicknesses()] * 3)
    np.testing.assert_allclose(spectrum_arrays(n, d, wl, [0.0, 30.0], "p", threads=2)["T"], py["par_T"], rtol=1e-13, atol=1e-15)


# --------------------------------------------------------------------------------------------------
# batched entry
# --------------------------------------------------------------------------------------------------
def _population(D=6, M=7, W=40, seed=3):
    rng = np.random.default_rng(seed)
    n = rng.uniform(1.2, 2.8, (D, M, W)) + 1j * rng.uniform(-0.01, 0.1, (D, M, W))
    n[:, 0] = n[:, 0].real
    n[:, -1] = n[:, -1].real + 1j * np.abs(n[:, -1].imag)
    d = rng.uniform(0, 300, (D, M))
    wl = np.linspace(450, 850, W)
    return n, d, wl


@pytest.mark.parametrize("pol", ["s", "p"])
def test_batched_population_equals_per_design_calls(pol):
    n, d, wl = _population()
    angles = np.array([0.0, 25.0, 50.0, 70.0])
    res = spectrum_arrays(n, d, wl, angles, pol)
    assert res["R"].shape == (n.shape[0], angles.size, wl.size)
    for i in range(n.shape[0]):
        for a, ang in enumerate(angles):
            one = spectrum_arrays(n[i], d[i], wl, ang, pol)
            for key in ("r", "t", "R", "T"):
                np.testing.assert_array_equal(res[key][i, a], one[key][0, 0])
        # and against the naive reference at a few wavelengths
        for w in (0, 17, 39):
            ref = naive.coh(pol, n[i, :, w], d[i], wl[w], angles[2])
            assert close(res["r"][i, 2, w], ref["r"]) and close(res["T"][i, 2, w], ref["T"])


@pytest.mark.parametrize("pol", ["s", "p", "unpolarized"])
def test_threaded_path_equals_serial_path_exactly(pol):
    n, d, wl = _population(D=5, M=6, W=601, seed=11)  # W > block size: several blocks per task
    angles = np.array([0.0, 45.0, 80.0])
    serial = spectrum_arrays(n, d, wl, angles, pol, threads=1)
    threaded = spectrum_arrays(n, d, wl, angles, pol, threads=2)
    assert serial.keys() == threaded.keys()
    for key in serial:
        np.testing.assert_array_equal(serial[key], threaded[key])


@pytest.mark.parametrize("pol", ["s", "both"])
@pytest.mark.parametrize("parfor_available", [False, True])
def test_default_threads_give_the_serial_result_with_or_without_the_parfor_kernel(pol, parfor_available, monkeypatch):
    """Default threading: the parfor kernel when compiled or cached, else the serial kernel's tasks
    on Python threads; either way the numbers of one thread, bit for bit."""
    from cavity.optics import spectra

    n, d, wl = _population(D=5, M=6, W=601, seed=12)
    angles = np.array([0.0, 45.0, 80.0])
    assert n.shape[0] * angles.size * wl.size * n.shape[1] >= spectra.PARALLEL_MIN_WORK  # threads by default
    monkeypatch.setattr(spectra, "compiled_or_cached", lambda dispatcher, args: parfor_available)
    serial = spectrum_arrays(n, d, wl, angles, pol, threads=1)
    default = spectrum_arrays(n, d, wl, angles, pol)
    for key in serial:
        np.testing.assert_array_equal(serial[key], default[key])


def test_spectrum_gain_argument_matches_hand_made_index():
    """gain g (cm^-1) in the marked layers is k = -g lambda/(4 pi) (lambda in cm)."""
    st_ = Stack([Layer(Constant(2.0), 100.0), Layer(Constant(1.7, 0.01), 250.0, gain=True), Layer(Constant(1.4), 90.0)],
                substrate=Constant(1.5))
    wl = np.array([520.0, 610.0, 700.0])
    g = np.array([1000.0, 4000.0, -200.0])
    sp = spectrum(st_, wl, 30.0, "p", gain=g)
    for w, lam in enumerate(wl):
        n_list = [1.0, 2.0, complex(1.7, 0.01 - g[w] * lam * 1e-7 / (4 * math.pi)), 1.4, 1.5]
        ref = naive.coh("p", n_list, [0, 100.0, 250.0, 90.0, 0], lam, 30.0)
        assert close(sp.r[w], ref["r"]) and close(sp.T[w], ref["T"])


@given(st.floats(1.0, 2.0, **finite), st.floats(1.0, 3.5, **finite), st.floats(0.0, 85.0, **finite))
def test_single_interface_fresnel(n0, n1, ang):
    """A bare interface (one zero-thickness layer): textbook Fresnel r, t and T for s and p."""
    th0 = math.radians(ang)
    s1 = n0 * math.sin(th0) / n1
    c0 = math.cos(th0)
    if s1 < 1:
        c1 = complex(math.sqrt(1 - s1 * s1))
    else:  # total internal reflection: n1 cos th1 = i sqrt(kx^2 - n1^2) (decaying)
        c1 = 1j * math.sqrt((n0 * math.sin(th0)) ** 2 - n1 * n1) / n1
    stack = Stack([Layer(Constant(1.7, 0.3), 0.0)], incident=Constant(n0), substrate=Constant(n1))
    rs = (n0 * c0 - n1 * c1) / (n0 * c0 + n1 * c1)
    ts = 2 * n0 * c0 / (n0 * c0 + n1 * c1)
    rp = (n1 * c0 - n0 * c1) / (n1 * c0 + n0 * c1)
    tp = 2 * n0 * c0 / (n1 * c0 + n0 * c1)
    Ts = (n1 * c1).real / (n0 * c0) * abs(ts) ** 2
    Tp = (n1 * c1.conjugate()).real / (n0 * c0) * abs(tp) ** 2
    s, p = spectrum(stack, 550.0, ang, "s"), spectrum(stack, 550.0, ang, "p")
    assert close(s.r[0], rs) and close(s.t[0], ts) and close(s.T[0], Ts)
    assert close(p.r[0], rp) and close(p.t[0], tp) and close(p.T[0], Tp)


@given(st.floats(1.0, 2.0, **finite), st.floats(1.0, 3.5, **finite))
def test_brewster_angle_has_no_p_reflection(n0, n1):
    ang = math.degrees(math.atan(n1 / n0))
    sp = spectrum(Stack([Layer(Constant(n1), 0.0)], incident=Constant(n0), substrate=Constant(n1)), 600.0, ang, "p")
    assert sp.R[0] < 1e-25 and abs(sp.T[0] - 1) < 1e-13


def test_decorator_policy_lives_in_one_module():
    """Only cavity/_jit.py configures numba decorators (no bare njit, no fastmath): the rule of its
    module docstring and of the README's development notes."""
    import re

    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"\bnjit\b|@(numba\.)?jit\b|fastmath\s*=\s*True|forceobj")
    offenders = []
    for pkg in ("cavity", "materials"):
        for path in (root / pkg).rglob("*.py"):
            if path.name == "_jit.py":
                continue
            for i, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(root)}:{i}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
    jit_src = (root / "cavity" / "_jit.py").read_text()
    assert "fastmath=False" in jit_src and "fastmath=True" not in jit_src

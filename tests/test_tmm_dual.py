"""Both polarizations in one kernel pass (``rt_batch_sp``, ``spectrum_arrays(..., "both")``)
against the single-polarization kernels."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from cavity.optics import _tmm_kernels as K
from cavity.optics import spectrum_arrays


def _random_designs(rng, D, layers, W, *, gain=True):
    """``n[D, M, W]``, ``d[D, M]``, ``wl[W]``: dispersive absorbing layers, a gain layer."""
    M = layers + 2
    wl = np.linspace(420.0, 980.0, W)
    n = np.empty((D, M, W), np.complex128)
    d = np.zeros((D, M))
    for i in range(D):
        a = rng.uniform(1.3, 3.5, M) + 1j * rng.uniform(0.0, 0.05, M)
        b = rng.uniform(0.0, 0.08, M)
        if gain:
            a[rng.integers(1, M - 1)] = rng.uniform(1.5, 3.0) - 1j * rng.uniform(1e-4, 5e-3)
        a[0] = rng.uniform(1.0, 1.6)
        b[0] = 0.0
        a[-1] = rng.uniform(1.4, 2.0) + 1j * rng.uniform(0.0, 0.01)
        n[i] = a[:, None] + b[:, None] * (600.0 / wl[None, :]) ** 2
        d[i, 1:-1] = rng.uniform(5.0, 400.0, M - 2)
    return n, d, wl


def _single(n, d, wl, sin_t, pol):
    D, _, W = n.shape
    A = sin_t.size
    r = np.empty((D, A, W), np.complex128)
    t = np.empty((D, A, W), np.complex128)
    T = np.empty((D, A, W))
    K.rt_batch(n, d, wl, sin_t, pol, r, t, T)
    return r, t, T


def _dual(n, d, wl, sin_t, threads=1):
    D, _, W = n.shape
    A = sin_t.size
    outs = [np.empty((D, A, W), dt) for dt in (np.complex128, np.complex128, np.float64) * 2]
    if threads == 1:
        K.rt_batch_sp(n, d, wl, sin_t, *outs)
    else:
        K.rt_batch_sp_parallel(n, d, wl, sin_t, 64, *outs)
    return outs


def _close(a, b, rel=1e-12):
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.all(np.abs(a - b) <= rel * scale + 1e-300)


@pytest.mark.parametrize("seed,layers,W", [(0, 6, 300), (1, 25, 130), (2, 3, 40), (3, 12, 7), (4, 40, 257)])
def test_dual_kernel_equals_single_polarization_kernels(seed, layers, W):
    """Block path (W > 128), padded block (W < 128), scalar path (W < 12); oblique angles."""
    rng = np.random.default_rng(seed)
    n, d, wl = _random_designs(rng, 3, layers, W)
    sin_t = np.sin(np.deg2rad(np.array([0.0, 17.0, 45.0, 71.0, 85.0])))
    rs, ts, Ts, rp, tp, Tp = _dual(n, d, wl, sin_t)
    for pol, (r, t, T) in ((0, (rs, ts, Ts)), (1, (rp, tp, Tp))):
        r1, t1, T1 = _single(n, d, wl, sin_t, pol)
        assert _close(r, r1) and _close(t, t1) and _close(T, T1), pol
        assert np.all(np.isfinite(r)) and np.all(np.isfinite(T))


def test_dual_serial_equals_threaded_bit_for_bit():
    rng = np.random.default_rng(7)
    n, d, wl = _random_designs(rng, 2, 20, 600)
    sin_t = np.sin(np.deg2rad(np.linspace(0.0, 80.0, 9)))
    ser = _dual(n, d, wl, sin_t, threads=1)
    par = _dual(n, d, wl, sin_t, threads=2)
    for a, b in zip(ser, par):
        assert np.array_equal(a, b)
    both1 = spectrum_arrays(n, d, wl, np.linspace(0.0, 80.0, 9), "both", threads=1)
    both2 = spectrum_arrays(n, d, wl, np.linspace(0.0, 80.0, 9), "both", threads=2)
    for key in both1:
        assert np.array_equal(both1[key], both2[key]), key


def test_spectrum_arrays_both_keys_and_values():
    rng = np.random.default_rng(11)
    n, d, wl = _random_designs(rng, 2, 10, 150)
    ang = np.array([0.0, 30.0, 60.0])
    both = spectrum_arrays(n, d, wl, ang, "both")
    assert set(both) == {"r_s", "t_s", "R_s", "T_s", "r_p", "t_p", "R_p", "T_p"}
    for pol in ("s", "p"):
        one = spectrum_arrays(n, d, wl, ang, pol)
        for key in ("r", "t", "R", "T"):
            assert _close(both[f"{key}_{pol}"], one[key]), (pol, key)
    assert spectrum_arrays(n, d, wl, ang, " Both ")["R_p"].shape == (2, 3, 150)


def test_unpolarized_is_the_mean_of_s_and_p():
    rng = np.random.default_rng(12)
    n, d, wl = _random_designs(rng, 2, 15, 200)
    ang = np.array([0.0, 40.0, 75.0])
    un = spectrum_arrays(n, d, wl, ang, "unpolarized")
    s = spectrum_arrays(n, d, wl, ang, "s")
    p = spectrum_arrays(n, d, wl, ang, "p")
    assert set(un) == {"R", "T"}
    assert _close(un["R"], 0.5 * (s["R"] + p["R"]))
    assert _close(un["T"], 0.5 * (s["T"] + p["T"]))


def test_bad_polarization_message_names_the_parameter():
    n = np.ones((2, 3), np.complex128)
    with pytest.raises(ValueError, match="polarization"):
        spectrum_arrays(n, np.zeros(2), [500.0, 600.0, 700.0], 0.0, "circular")


def _no_warnings_dual(n, d, wl, ang):
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        return spectrum_arrays(n, d, wl, ang, "both", threads=1)


def test_thick_metal_dual_is_opaque_finite_and_matches_single():
    """20 um of n = 0.05 + 4i between air and glass: T = 0, finite, no warnings (blocks of 200 wl)."""
    W = 200
    wl = np.linspace(450.0, 850.0, W)
    n = np.empty((3, W), np.complex128)
    n[0], n[1], n[2] = 1.0, 0.05 + 4.0j, 1.5
    d = np.array([0.0, 20_000.0, 0.0])
    ang = np.array([0.0, 45.0])
    both = _no_warnings_dual(n, d, wl, ang)
    for key, val in both.items():
        assert np.all(np.isfinite(val)), key
    assert np.all(both["T_s"] == 0.0) or np.all(both["T_s"] < 1e-300)
    assert np.all(both["T_p"] < 1e-300)
    nm = complex(0.05, 4.0)
    assert np.allclose(both["R_s"][0, 0], abs((1 - nm) / (1 + nm)) ** 2, rtol=1e-12)
    for pol in ("s", "p"):
        one = spectrum_arrays(n, d, wl, ang, pol, threads=1)
        for key in ("r", "t", "R", "T"):
            assert _close(both[f"{key}_{pol}"], one[key]), (pol, key)


def test_frustrated_tir_200um_gap_dual_is_a_perfect_mirror():
    """glass 1.5 | 200 um air | glass 1.5 at 60 deg: R = 1, T = 0 in s and p, finite, no warnings."""
    W = 150
    wl = np.linspace(550.0, 650.0, W)
    n = np.empty((3, W), np.complex128)
    n[0], n[1], n[2] = 1.5, 1.0, 1.5
    d = np.array([0.0, 200_000.0, 0.0])
    both = _no_warnings_dual(n, d, wl, np.array([60.0]))
    for key, val in both.items():
        assert np.all(np.isfinite(val)), key
    for pol in ("s", "p"):
        assert np.all(np.abs(both[f"R_{pol}"] - 1.0) < 1e-15), pol
        assert np.all((both[f"T_{pol}"] >= 0.0) & (both[f"T_{pol}"] < 1e-300)), pol
        one = spectrum_arrays(n, d, wl, 60.0, pol, threads=1)
        for key in ("r", "t", "R", "T"):
            assert _close(both[f"{key}_{pol}"], one[key]), (pol, key)

"""Thick incoherent substrate: against tmm.inc_tmm (independent implementation)."""
import numpy as np
import pytest
import tmm

import cavity as cv
import materials as mt
from cavity import incoherent_spectrum

H, L = mt.Constant(2.1, 0.01), mt.Constant(1.46)


def coherent(substrate):
    return cv.Stack([cv.Layer(H, 70.0), cv.Layer(L, 100.0), cv.Layer(H, 70.0)], incident=mt.Constant(1.0),
                    substrate=substrate)


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
    with pytest.raises(ValueError, match="lossless"):
        incoherent_spectrum(coherent(mt.Constant(1.52, 1e-4)), [600.0], 1e6, angle=30.0)

"""Field profiles: continuity, power flow, absorbed density, normalisation.

Oracles: ``tmm.position_resolved`` (|E|^2, Poynting flux and absorbed density at any depth),
interface boundary conditions, and the energy balance of :func:`absorption_by_layer`.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

tmm = pytest.importorskip("tmm")

from cavity import Layer, Stack, absorption_by_layer, field_profile, spectrum  # noqa: E402
from materials import Constant  # noqa: E402
from reference.stacks import finite, random_stacks, tmm_lists  # noqa: E402


def _first(fp, m):
    """Sample index of the left end of medium m."""
    return np.nonzero(fp.layer_index == m)[0][0]


def _last(fp, m):
    """Sample index of the right end of medium m."""
    return np.nonzero(fp.layer_index == m)[0][-1]


def _single(case):
    return case["stack"], float(case["wavelength"][0]), case["angle"], case["pol"], case["gain"]


@given(random_stacks(max_layers=4))
def test_field_matches_tmm_position_resolved(case):
    """|E|^2, power flow and absorbed density at every sample equal tmm's position_resolved."""
    stack, wl, ang, pol, g = _single(case)
    fp = field_profile(stack, wl, ang, pol, gain=g, step=25.0, outside=60.0)
    n_list, d_list = tmm_lists(case, 0)
    data = tmm.coh_tmm(pol, n_list, d_list, math.radians(ang), wl)
    for j in range(fp.z.size):
        m = int(fp.layer_index[j])
        dist = fp.z[j] if m == 0 else fp.z[j] - fp.boundaries[m - 1]
        if m not in (0, len(n_list) - 1):
            dist = min(max(dist, 0.0), d_list[m])
        ref = tmm.position_resolved(m, dist, data)
        E2 = abs(ref["Ex"]) ** 2 + abs(ref["Ey"]) ** 2 + abs(ref["Ez"]) ** 2
        scale = max(1.0, E2)
        assert abs(fp.E2[j] - E2) <= 1e-9 * scale, (j, m, fp.E2[j], E2)
        assert abs(fp.power_flow[j] - ref["poyn"]) <= 1e-9 * scale, (j, m, fp.power_flow[j], ref["poyn"])
        # tmm's absor is per unit length in the wavelength's unit (nm): the same normalisation
        assert abs(fp.absorbed_density[j] - ref["absor"]) <= 1e-9 * scale * 2 * math.pi / wl * 10, (j, m)


@given(random_stacks(pols=("s",)))
def test_s_field_intensity_is_continuous_at_interfaces(case):
    stack, wl, ang, pol, g = _single(case)
    fp = field_profile(stack, wl, ang, pol, gain=g, step=20.0)
    for m, b in enumerate(fp.boundaries):
        left, right = _last(fp, m), _first(fp, m + 1)
        assert fp.z[left] == fp.z[right] == b
        assert abs(fp.E2[left] - fp.E2[right]) <= 1e-10 * max(1.0, fp.E2[left])


@given(random_stacks())
def test_power_flow_is_continuous_and_matches_R_T_and_absorption(case):
    stack, wl, ang, pol, g = _single(case)
    # a lossless substrate so that the flow there is constant and equal to T
    stack = stack.between(stack.incident, Constant(stack.substrate.n_value))
    fp = field_profile(stack, wl, ang, pol, gain=g, step=20.0)
    sp = spectrum(stack, wl, ang, pol, gain=g)
    ab = absorption_by_layer(stack, wl, ang, pol, gain=g)
    scale = max(1.0, np.abs(fp.power_flow).max())
    inc = fp.layer_index == 0
    sub = fp.layer_index == len(stack) + 1
    assert np.all(np.abs(fp.power_flow[inc] - (1 - sp.R[0])) <= 1e-10 * scale)
    assert np.all(np.abs(fp.power_flow[sub] - sp.T[0]) <= 1e-10 * scale)
    for m, b in enumerate(fp.boundaries):
        left, right = _last(fp, m), _first(fp, m + 1)
        assert fp.z[left] == fp.z[right] == b
        assert abs(fp.power_flow[left] - fp.power_flow[right]) <= 1e-10 * scale
    for i in range(len(stack)):
        m = i + 1
        drop = fp.power_flow[_first(fp, m)] - fp.power_flow[_last(fp, m)]
        assert abs(drop - ab.absorbed[i, 0]) <= 1e-10 * scale


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("angle", [0.0, 35.0, 70.0])
def test_matched_media_give_unit_intensity(pol, angle):
    """No reflection between identical media: |E|^2 = 1 everywhere (also the p normalisation)."""
    glass = Constant(1.5)
    stack = Stack([Layer(glass, 120.0), Layer(Constant(1.5), 80.0)], incident=glass, substrate=glass)
    fp = field_profile(stack, 600.0, angle, pol, step=3.0)
    np.testing.assert_allclose(fp.E2, 1.0, rtol=0, atol=1e-13)
    np.testing.assert_allclose(fp.power_flow, 1.0, rtol=0, atol=1e-13)
    np.testing.assert_allclose(fp.absorbed_density, 0.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("pol", ["s", "p"])
def test_p_field_standing_wave_in_front_of_a_single_interface(pol):
    """In the incident medium |E|^2 = |E_inc + E_ref|^2 with the Fresnel r (test-side formula)."""
    n0, n1, th = 1.0, 2.0, math.radians(50.0)
    c0 = math.cos(th)
    c1 = math.sqrt(1 - (n0 * math.sin(th) / n1) ** 2)
    if pol == "s":
        r = (n0 * c0 - n1 * c1) / (n0 * c0 + n1 * c1)
    else:
        r = (n1 * c0 - n0 * c1) / (n1 * c0 + n0 * c1)
    stack = Stack([Layer(Constant(n1), 0.0)], incident=Constant(n0), substrate=Constant(n1))
    fp = field_profile(stack, 500.0, 50.0, pol, step=2.0, outside=300.0)
    z = fp.z[fp.layer_index == 0]
    kz = 2 * math.pi / 500.0 * n0 * c0
    ef, eb = np.exp(1j * kz * z), r * np.exp(-1j * kz * z)
    if pol == "s":
        E2 = np.abs(ef + eb) ** 2
    else:  # tmm's p convention: E_x = (ef - eb) cos th, E_z = -(ef + eb) sin th
        E2 = np.abs((ef - eb) * c0) ** 2 + np.abs((ef + eb) * math.sin(th)) ** 2
    np.testing.assert_allclose(fp.E2[fp.layer_index == 0], E2, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("pol", ["s", "p"])
@given(
    st.floats(1.2, 3.0, **finite), st.floats(0.01, 1.0, **finite), st.floats(20.0, 200.0, **finite),
    st.floats(0.0, 80.0, **finite),
)
def test_integral_of_absorbed_density_equals_layer_absorption(pol, n, k, d, angle):
    stack = Stack(
        [Layer(Constant(1.9), 70.0), Layer(Constant(n, k), d), Layer(Constant(1.45, 0.02), 60.0)],
        incident=Constant(1.0), substrate=Constant(1.5),
    )
    fp = field_profile(stack, 633.0, angle, pol, step=0.05, outside=0.0)
    ab = absorption_by_layer(stack, 633.0, angle, pol)
    for i in range(3):
        sel = fp.layer_index == i + 1
        z, f = fp.z[sel], fp.absorbed_density[sel]
        # composite Simpson on the uniform grid (odd number of points needed; fall back to trapezoid + correction)
        integral = _simpson(z, f)
        assert integral == pytest.approx(ab.absorbed[i, 0], rel=1e-7, abs=1e-10)


def _simpson(z, f):
    if z.size % 2 == 0:  # drop one interval to the trapezoid rule (tiny step keeps its error small)
        return _simpson(z[:-1], f[:-1]) + 0.5 * (z[-1] - z[-2]) * (f[-1] + f[-2])
    h = (z[-1] - z[0]) / (z.size - 1)
    return h / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())


def test_field_profile_of_gain_layer_has_negative_absorbed_density():
    stack = Stack([Layer(Constant(2.0), 50.0), Layer(Constant(1.7), 200.0, gain=True)], substrate=Constant(1.5))
    fp = field_profile(stack, 620.0, 0.0, "s", gain=2000.0, step=2.0)
    assert np.all(fp.absorbed_density[fp.layer_index == 2] < 0)
    ab = absorption_by_layer(stack, 620.0, 0.0, "s", gain=2000.0)
    assert ab.absorbed[1, 0] < 0

"""Physical invariants of the transfer-matrix engine on hypothesis-generated stacks.

Energy balance, reciprocity, reversal, splitting and zero-thickness layers (the conventions and
stability rules of docs/theory.md s.5).  No expected value is taken from a previous run of the engine: each check
relates two calculations that must agree by physics.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from cavity import Layer, absorption_by_layer, spectrum
from materials import Constant
from reference.stacks import finite, random_stacks

TOL = 1e-10


def close(a, b, tol=TOL):
    a, b = np.asarray(a), np.asarray(b)
    return np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b)))


def _normal_q(n, kx):
    """Outer-medium normal index, physical branch (test-side formula)."""
    q = np.sqrt(np.asarray(n, complex) ** 2 - kx**2)
    return np.where(q.imag < 0, -q, q)


@given(random_stacks())
def test_energy_balance_R_T_A(case):
    """R + T + sum(absorbed per layer) = 1; absorption_by_layer agrees with spectrum on R, T."""
    stack, wl, ang, pol, g = case["stack"], case["wavelength"], case["angle"], case["pol"], case["gain"]
    sp = spectrum(stack, wl, ang, pol, gain=g)
    ab = absorption_by_layer(stack, wl, ang, pol, gain=g)
    scale = np.maximum(1.0, np.abs(ab.absorbed).max(axis=0))
    assert np.all(np.abs(ab.R + ab.T + ab.absorbed.sum(axis=0) - 1.0) <= 1e-11 * scale)
    assert close(ab.R, sp.R, 1e-11) and close(ab.T, sp.T, 1e-11)
    assert close(sp.A, ab.absorbed.sum(axis=0), 1e-11)
    lossy = [i for i, lay in enumerate(stack.layers) if lay.material.k > 0 and not lay.gain]
    for i in lossy:
        assert np.all(ab.absorbed[i] >= -1e-12)


@given(random_stacks(allow_gain=False, allow_loss=False))
def test_lossless_stack_conserves_energy(case):
    sp = spectrum(case["stack"], case["wavelength"], case["angle"], case["pol"])
    assert np.all(np.abs(sp.R + sp.T - 1.0) <= 1e-12)
    assert np.all((sp.R >= -1e-15) & (sp.R <= 1 + 1e-12) & (sp.T >= 0))
    ab = absorption_by_layer(case["stack"], case["wavelength"], case["angle"], case["pol"])
    assert np.all(np.abs(ab.absorbed) <= 1e-11)


@given(random_stacks(oblique=False), st.booleans())
def test_reciprocity_of_t_at_normal_incidence(case, absorbing_exit):
    """t_forward q_s = t_backward q_0 (any layers, absorbing exit medium allowed at normal incidence).

    The transmittance from both sides is then equal whenever both outer media are lossless.
    """
    stack, wl, pol, g = case["stack"], case["wavelength"], case["pol"], case["gain"]
    if not absorbing_exit:
        stack = stack.between(stack.incident, Constant(stack.substrate.n_value))
    fwd = spectrum(stack, wl, 0.0, pol, gain=g)
    bwd = spectrum(stack.reversed(), wl, 0.0, pol, gain=g)
    q0 = stack.incident.n(wl)
    qs = stack.substrate.n(wl)
    assert close(fwd.t * qs, bwd.t * q0, 1e-10), (fwd.t * qs, bwd.t * q0)
    if not absorbing_exit:
        assert close(fwd.T, bwd.T, 1e-10)


@given(random_stacks(), st.floats(1.0, 3.5, **finite))
def test_reciprocity_at_oblique_incidence(case, ns):
    """From the substrate side at the Snell angle: same kx, so t_f q_s = t_b q_0 and T_f = T_b."""
    stack, wl, ang, pol, g = case["stack"], case["wavelength"], case["angle"], case["pol"], case["gain"]
    stack = stack.between(stack.incident, Constant(ns))
    n0 = stack.incident.n_value
    s = n0 * math.sin(math.radians(ang)) / ns
    assume(s < 0.999)
    ang_s = math.degrees(math.asin(s))
    fwd = spectrum(stack, wl, ang, pol, gain=g)
    bwd = spectrum(stack.reversed(), wl, ang_s, pol, gain=g)
    kx = n0 * math.sin(math.radians(ang))
    q0, qs = _normal_q(n0, kx), _normal_q(ns, kx)
    assert close(fwd.t * qs, bwd.t * q0, 1e-9), (fwd.t * qs, bwd.t * q0)
    assert close(fwd.T, bwd.T, 1e-9)


@given(random_stacks(), st.data())
def test_reversed_stack_keeps_T_same_outer_medium(case, data):
    """Same lossless medium on both sides: T is the same from either side at any angle."""
    stack, wl, ang, pol, g = case["stack"], case["wavelength"], case["angle"], case["pol"], case["gain"]
    stack = stack.between(stack.incident, stack.incident)
    fwd = spectrum(stack, wl, ang, pol, gain=g)
    bwd = spectrum(stack.reversed(), wl, ang, pol, gain=g)
    assert close(fwd.T, bwd.T, 1e-10)
    assert close(fwd.t, bwd.t, 1e-10)


@given(random_stacks(), st.data())
def test_splitting_a_layer_changes_nothing(case, data):
    stack, wl, ang, pol, g = case["stack"], case["wavelength"], case["angle"], case["pol"], case["gain"]
    i = data.draw(st.integers(0, len(stack) - 1), label="layer")
    f = data.draw(st.floats(0.0, 1.0, **finite), label="fraction")
    lay = stack[i]
    halves = [lay.with_thickness(lay.thickness * f), lay.with_thickness(lay.thickness * (1 - f))]
    split = type(stack)(stack.layers[:i] + tuple(halves) + stack.layers[i + 1:], stack.incident, stack.substrate)
    a = spectrum(stack, wl, ang, pol, gain=g)
    b = spectrum(split, wl, ang, pol, gain=g)
    assert close(b.r, a.r) and close(b.t, a.t) and close(b.T, a.T)
    aa = absorption_by_layer(stack, wl, ang, pol, gain=g).absorbed
    bb = absorption_by_layer(split, wl, ang, pol, gain=g).absorbed
    assert close(_merged(bb, i), aa)


def _merged(bb, i):
    out = np.delete(bb, i + 1, axis=0).copy()
    out[i] = bb[i] + bb[i + 1]
    return out


@given(random_stacks(), st.data(), st.floats(1.0, 4.0, **finite), st.floats(0.0, 5.0, **finite))
def test_zero_thickness_layer_is_inert(case, data, n_extra, k_extra):
    stack, wl, ang, pol, g = case["stack"], case["wavelength"], case["angle"], case["pol"], case["gain"]
    pos = data.draw(st.integers(0, len(stack)), label="position")
    extra = Layer(Constant(n_extra, k_extra), 0.0)
    padded = type(stack)(stack.layers[:pos] + (extra,) + stack.layers[pos:], stack.incident, stack.substrate)
    a = spectrum(stack, wl, ang, pol, gain=g)
    b = spectrum(padded, wl, ang, pol, gain=g)
    assert close(b.r, a.r, 1e-11) and close(b.t, a.t, 1e-11) and close(b.T, a.T, 1e-11)
    ab = absorption_by_layer(padded, wl, ang, pol, gain=g).absorbed
    assert np.all(np.abs(ab[pos]) <= 1e-11 * np.maximum(1, np.abs(a.T)))


@given(random_stacks(), st.integers(2, 4))
def test_repetition_equals_concatenation(case, times):
    stack, wl, ang, pol, g = case["stack"], case["wavelength"], case["angle"], case["pol"], case["gain"]
    rep = stack * times
    cat = stack
    for _ in range(times - 1):
        cat = cat + stack
    a = spectrum(rep, wl, ang, pol, gain=g)
    b = spectrum(cat, wl, ang, pol, gain=g)
    np.testing.assert_array_equal(a.r, b.r)
    np.testing.assert_array_equal(a.T, b.T)


@given(random_stacks(oblique=False, pols=("s",)))
def test_s_and_p_coincide_at_normal_incidence(case):
    """At normal incidence r_p = -r_s (tmm's sign convention), t_p = t_s, equal R and T."""
    stack, wl, g = case["stack"], case["wavelength"], case["gain"]
    s = spectrum(stack, wl, 0.0, "s", gain=g)
    p = spectrum(stack, wl, 0.0, "p", gain=g)
    u = spectrum(stack, wl, 0.0, "unpolarized", gain=g)
    assert close(p.r, -s.r, 1e-12) and close(p.t, s.t, 1e-12)
    assert close(u.R, s.R, 1e-12) and close(u.T, s.T, 1e-12)

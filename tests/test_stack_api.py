"""Layer/Stack construction, composition semantics, the dbr builder and bad-input errors.

Every bad input must raise in the Python layer with a message that names the parameter.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from cavity import Layer, Stack, absorption_by_layer, dbr, field_profile, spectrum, spectrum_arrays
from cavity.optics import stack_arrays
from materials import Constant

H, L, G = Constant(2.1, name="H"), Constant(1.46, name="L"), Constant(1.52, name="glass")


def _stack():
    return Stack([Layer(H, 70.0), Layer(L, 100.0, gain=True)], incident=Constant(1.0), substrate=G)


# --------------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------------
def test_negative_thickness_raises():
    with pytest.raises(ValueError, match="thickness"):
        Layer(H, -1.0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_thickness_raises(bad):
    with pytest.raises(ValueError, match="thickness"):
        Layer(H, bad)


def test_non_numeric_thickness_raises():
    with pytest.raises(TypeError, match="thickness"):
        Layer(H, "thick")


def test_empty_stack_raises():
    with pytest.raises(ValueError, match="layer"):
        Stack([])


@pytest.mark.parametrize("bad", [1.5, "SiO2", None, complex(1.5, 0.1)])
def test_non_material_raises(bad):
    with pytest.raises(TypeError, match="material"):
        Layer(bad, 10.0)
    with pytest.raises(TypeError, match="incident"):
        Stack([Layer(H, 10.0)], incident=bad)
    with pytest.raises(TypeError, match="substrate"):
        Stack([Layer(H, 10.0)], substrate=bad)


def test_non_layer_in_stack_raises():
    with pytest.raises(TypeError, match="layer 1"):
        Stack([Layer(H, 10.0), H])
    with pytest.raises(TypeError, match="layers"):
        Stack(Layer(H, 10.0))


@pytest.mark.parametrize("angle", [95.0, -1.0, -1e-9, float("nan"), [10.0, 95.0]])
def test_bad_angle_raises(angle):
    with pytest.raises(ValueError, match="angle"):
        spectrum(_stack(), 600.0, angle)
    with pytest.raises(ValueError, match="angle"):
        spectrum_arrays(np.ones((3, 1)), np.zeros(3), [600.0], angle)


@pytest.mark.parametrize("angle", [-5.0])
def test_bad_angle_raises_in_fields_and_absorption(angle):
    with pytest.raises(ValueError, match="angle"):
        field_profile(_stack(), 600.0, angle)
    with pytest.raises(ValueError, match="angle"):
        absorption_by_layer(_stack(), 600.0, angle)


# --------------------------------------------------------------------------------------------------
# grazing incidence (90 degrees, and angles whose sine rounds to 1): the limit theta -> 90 degrees
# of any stack with an index step is r = -1, t = 0, so R = 1 and T = A = 0 (lossless incident medium)
# --------------------------------------------------------------------------------------------------
GRAZING = [90.0, 89.99999995]  # sin(89.99999995 deg) = 1 - 3.8e-19 rounds to 1.0


@pytest.mark.parametrize("angle", GRAZING)
@pytest.mark.parametrize("pol", ["s", "p", "unpolarized"])
def test_grazing_incidence_spectrum_reflects_everything(angle, pol):
    assert math.sin(math.radians(angle)) == 1.0
    wl = np.array([450.0, 600.0, 750.0])
    spec = spectrum(_stack(), wl, angle, pol)
    assert np.all(spec.R == 1.0) and np.all(spec.T == 0.0) and np.all(spec.A == 0.0)
    n = np.array([1.0, 2.1, 1.46, 1.52], complex)[:, None] * np.ones(wl.size)
    arr = spectrum_arrays(n, [0.0, 70.0, 100.0, 0.0], wl, angle, pol)
    assert np.all(arr["R"] == 1.0) and np.all(arr["T"] == 0.0)


def test_grazing_incidence_in_an_angle_array_leaves_the_other_angles_alone():
    both = spectrum(_stack(), 600.0, [10.0, 90.0])
    assert both.R[1, 0] == 1.0 and both.T[1, 0] == 0.0
    alone = spectrum(_stack(), 600.0, 10.0)
    assert both.R[0, 0] == pytest.approx(alone.R[0], rel=1e-12)
    assert both.T[0, 0] == pytest.approx(alone.T[0], rel=1e-12)
    assert 0.0 < alone.R[0] < 1.0 and alone.R[0] + alone.T[0] == pytest.approx(1.0, abs=1e-12)  # lossless


def test_grazing_incidence_limit_of_a_single_interface():
    """Fresnel (s): R -> 1 as theta -> 90 degrees, continuous with the grazing value R = 1."""
    n1, n2 = 1.0, 1.52
    stack = Stack([Layer(Constant(n2), 100.0)], incident=Constant(n1), substrate=Constant(n2))  # inert layer
    for theta in (89.0, 89.9, 89.999):
        c1 = math.cos(math.radians(theta))
        c2 = math.sqrt(1 - (n1 / n2 * math.sin(math.radians(theta))) ** 2)
        r_s = (n1 * c1 - n2 * c2) / (n1 * c1 + n2 * c2)
        assert spectrum(stack, 600.0, theta).R[0] == pytest.approx(r_s**2, rel=1e-9)
    assert spectrum(stack, 600.0, 90.0).R[0] == 1.0


@pytest.mark.parametrize("angle", GRAZING)
@pytest.mark.parametrize("pol", ["s", "p", "unpolarized"])
def test_grazing_incidence_absorption_by_layer(angle, pol):
    ab = absorption_by_layer(_stack(), [500.0, 600.0], angle, pol)
    assert np.all(ab.R == 1.0) and np.all(ab.T == 0.0)
    assert np.all(ab.absorbed == 0.0)


@pytest.mark.parametrize("angle", GRAZING)
@pytest.mark.parametrize("pol", ["s", "p"])
def test_grazing_incidence_field_profile_raises(angle, pol):
    with pytest.raises(ValueError, match="angle"):
        field_profile(_stack(), 600.0, angle, pol)


@pytest.mark.parametrize("wl", [float("nan"), [500.0, float("nan")], -600.0, 0.0])
def test_bad_wavelength_raises(wl):
    with pytest.raises(ValueError, match="wavelength"):
        spectrum(_stack(), wl)
    with pytest.raises(ValueError, match="wavelength"):
        spectrum_arrays(np.ones((3, np.size(wl))), np.zeros(3), wl)


def test_nan_wavelength_raises_in_fields_and_absorption():
    with pytest.raises(ValueError, match="wavelength"):
        field_profile(_stack(), float("nan"))
    with pytest.raises(ValueError, match="wavelength"):
        absorption_by_layer(_stack(), float("nan"))


@pytest.mark.parametrize("where", [0, -1])
def test_gain_in_outer_medium_raises_in_spectrum_arrays(where):
    n = np.array([1.0, 2.0 - 0.01j, 1.5], complex)[:, None]
    n[where] = n[where].real - 0.001j
    with pytest.raises(ValueError, match="substrate" if where == -1 else "incident"):
        spectrum_arrays(n, [0.0, 100.0, 0.0], [600.0])


def test_absorbing_incident_medium_at_oblique_incidence_raises():
    n = np.array([1.0 + 0.1j, 2.0, 1.5])[:, None]
    spectrum_arrays(n, [0.0, 100.0, 0.0], [600.0], 0.0)  # fine at normal incidence
    with pytest.raises(ValueError, match="incident medium"):
        spectrum_arrays(n, [0.0, 100.0, 0.0], [600.0], 30.0)


@pytest.mark.parametrize("pol", ["x", "", "ss", 0, None])
def test_unknown_polarization_raises(pol):
    with pytest.raises(ValueError, match="polarization"):
        spectrum(_stack(), 600.0, 0.0, pol)
    with pytest.raises(ValueError, match="polarization"):
        spectrum_arrays(np.ones((3, 1)), np.zeros(3), [600.0], 0.0, pol)


def test_unpolarized_field_profile_raises():
    with pytest.raises(ValueError, match="polarization"):
        field_profile(_stack(), 600.0, 0.0, "unpolarized")


def test_polarization_aliases():
    a = spectrum(_stack(), 600.0, 30.0, "TE")
    b = spectrum(_stack(), 600.0, 30.0, "s")
    c = spectrum(_stack(), 600.0, 30.0, "tm")
    d = spectrum(_stack(), 600.0, 30.0, "p")
    assert a.R[0] == b.R[0] and c.R[0] == d.R[0]


@pytest.mark.parametrize(
    "n_shape, d_shape, W",
    [((3, 4), (3,), 5), ((2, 3, 5), (3, 3), 5), ((2, 3, 5), (2, 4), 5), ((3,), (3,), 1), ((2, 3, 5), (2, 3), 4)],
)
def test_shape_mismatch_raises(n_shape, d_shape, W):
    with pytest.raises(ValueError, match="wavelengths"):
        spectrum_arrays(np.ones(n_shape, complex), np.zeros(d_shape), np.linspace(500, 600, W))


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_thickness_raises_in_spectrum_arrays(bad):
    with pytest.raises(ValueError, match="thickness"):
        spectrum_arrays(np.ones((3, 1)), [0.0, bad, 0.0], [600.0])


def test_non_finite_index_raises_in_spectrum_arrays():
    with pytest.raises(ValueError, match="indices"):
        spectrum_arrays(np.array([1.0, np.nan, 1.5])[:, None], [0.0, 10.0, 0.0], [600.0])


def test_too_few_media_raises():
    with pytest.raises(ValueError, match="media"):
        spectrum_arrays(np.ones((1, 1)), [0.0], [600.0])


def test_non_stack_raises():
    with pytest.raises(TypeError, match="stack"):
        spectrum([Layer(H, 10.0)], 600.0)


def test_gain_without_gain_layer_raises():
    with pytest.raises(ValueError, match="gain"):
        spectrum(Stack([Layer(H, 10.0)]), 600.0, gain=100.0)


def test_nan_gain_raises():
    with pytest.raises(ValueError, match="gain"):
        spectrum(_stack(), 600.0, gain=float("nan"))


def test_field_profile_bad_step_and_outside():
    with pytest.raises(ValueError, match="step"):
        field_profile(_stack(), 600.0, step=0.0)
    with pytest.raises(ValueError, match="outside"):
        field_profile(_stack(), 600.0, outside=-1.0)
    with pytest.raises(ValueError, match="wavelength"):
        field_profile(_stack(), [600.0, 610.0])


def test_huge_single_pass_gain_raises_not_nan():
    """An interior gain so large that the amplitudes overflow must raise, never return NaN/inf."""
    st_ = Stack([Layer(H, 1e6, gain=True)])
    with pytest.raises(FloatingPointError, match="gain"):
        spectrum(st_, 600.0, gain=1e5)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_dbr_bad_pairs_raises(bad):
    with pytest.raises(ValueError, match="pairs"):
        dbr(H, L, bad, 630.0)


@pytest.mark.parametrize("bad", [float("nan"), -630.0, 0.0])
def test_dbr_bad_center_wavelength_raises(bad):
    with pytest.raises(ValueError, match="center_wavelength"):
        dbr(H, L, 3, bad)


# --------------------------------------------------------------------------------------------------
# composition semantics
# --------------------------------------------------------------------------------------------------
def test_add_concatenates_and_takes_outer_media_from_each_side():
    a = Stack([Layer(H, 10.0)], incident=Constant(1.3), substrate=Constant(1.4))
    b = Stack([Layer(L, 20.0), Layer(H, 30.0)], incident=Constant(1.7), substrate=G)
    c = a + b
    assert c.layers == a.layers + b.layers
    assert c.incident == a.incident and c.substrate == b.substrate
    assert len(c) == 3 and list(c) == list(c.layers) and c[1] == b.layers[0]


def test_add_layers_and_lists_on_either_side():
    a = Stack([Layer(H, 10.0)], incident=Constant(1.3), substrate=G)
    x, y = Layer(L, 5.0), Layer(H, 6.0)
    assert (a + x).layers == (a.layers[0], x)
    assert (x + a).layers == (x, a.layers[0])
    assert (a + [x, y]).layers == (a.layers[0], x, y)
    assert ([x, y] + a).layers == (x, y, a.layers[0])
    for s in (a + x, x + a, a + [x, y], [x, y] + a):
        assert s.incident == a.incident and s.substrate == a.substrate


def test_add_unsupported_type_raises():
    with pytest.raises(TypeError):
        _stack() + 3
    with pytest.raises(TypeError):
        _stack() * 2.0


def test_multiplication_repeats_layers():
    a = _stack()
    assert (a * 3).layers == a.layers * 3
    assert (3 * a) == (a * 3)
    assert (a * 1) == a
    assert (a * 3).incident == a.incident and (a * 3).substrate == a.substrate
    with pytest.raises(ValueError, match="positive"):
        a * 0


def test_reversed_mirrors_layers_and_media():
    a = _stack()
    r = a.reversed()
    assert r.layers == a.layers[::-1]
    assert r.incident == a.substrate and r.substrate == a.incident
    assert r.reversed() == a
    b = Stack([Layer(G, 5.0)], incident=Constant(1.1), substrate=Constant(1.2))
    assert (a + b).reversed() == b.reversed() + a.reversed()


def test_between_and_replace_layer():
    a = _stack()
    b = a.between(Constant(1.33), Constant(3.5))
    assert b.layers == a.layers and b.incident == Constant(1.33) and b.substrate == Constant(3.5)
    c = a.replace_layer(0, Layer(L, 1.0))
    assert c.layers[0] == Layer(L, 1.0) and c.layers[1] == a.layers[1] and a.layers[0] == Layer(H, 70.0)


def test_stacks_and_layers_are_immutable():
    a = _stack()
    with pytest.raises(AttributeError):
        a.layers = ()
    with pytest.raises(AttributeError):
        a.layers[0].thickness = 3.0
    t = a.thicknesses
    t[0] = 999.0
    assert a.thicknesses[0] == 70.0


def test_stack_arrays_and_derived_quantities():
    a = _stack()
    n, d = stack_arrays(a, [500.0, 600.0], gain=[1000.0, 2000.0])
    np.testing.assert_array_equal(d, [0.0, 70.0, 100.0, 0.0])
    assert n.shape == (4, 2)
    expected_k = -np.array([1000.0, 2000.0]) * np.array([500.0, 600.0]) * 1e-7 / (4 * math.pi)
    np.testing.assert_allclose(n[2].imag, expected_k, rtol=1e-15)
    np.testing.assert_array_equal(n[1], 2.1)
    assert a.total_thickness == 170.0 and a.gain_layer_indices == (1,)
    assert a.media() == (Constant(1.0), H, L, G)


def test_gain_flag_changes_nothing_without_gain():
    a = _stack()
    b = Stack([Layer(H, 70.0), Layer(L, 100.0)], incident=Constant(1.0), substrate=G)
    np.testing.assert_array_equal(spectrum(a, [500.0, 600.0], 20.0, "p").r, spectrum(b, [500.0, 600.0], 20.0, "p").r)


def test_spectrum_shapes_with_scalar_and_array_angles():
    a = _stack()
    wl = np.linspace(500, 700, 11)
    s1 = spectrum(a, wl, 10.0)
    assert s1.R.shape == (11,) and s1.r.shape == (11,) and s1.angle == 10.0
    s2 = spectrum(a, wl, [0.0, 10.0, 20.0])
    assert s2.R.shape == (3, 11)
    np.testing.assert_array_equal(s2.R[1], s1.R)
    s3 = spectrum(a, 600.0)
    assert s3.R.shape == (1,)
    su = spectrum(a, wl, 10.0, "unpolarized")
    assert su.r is None and su.t is None
    np.testing.assert_allclose(su.A, 1 - su.R - su.T, rtol=0, atol=0)
    with pytest.raises(ValueError):
        s1.R[0] = 0.5  # frozen arrays


def test_dbr_builder_layers():
    st_ = dbr(H, L, 5, 630.0, end_with_high=True, incident=Constant(1.0), substrate=G)
    assert len(st_) == 11
    assert all(lay.material == (H if i % 2 == 0 else L) for i, lay in enumerate(st_.layers))
    assert st_.layers[0].thickness == pytest.approx(630.0 / (4 * 2.1), rel=1e-15)
    assert st_.layers[1].thickness == pytest.approx(630.0 / (4 * 1.46), rel=1e-15)
    assert st_.incident == Constant(1.0) and st_.substrate == G
    assert len(dbr(H, L, 5, 630.0)) == 10


# --------------------------------------------------------------------------------------------------
# bad input that currently escapes with a message that does not name the parameter (bugs: these
# tests fail until the wrapper validates the shape; see the report of the TMM validation task)
# --------------------------------------------------------------------------------------------------
def test_angle_array_in_absorption_by_layer_raises_naming_angle():
    with pytest.raises(ValueError, match="angle"):
        absorption_by_layer(_stack(), 600.0, [10.0, 20.0])


def test_angle_array_in_field_profile_raises_naming_angle():
    with pytest.raises(ValueError, match="angle"):
        field_profile(_stack(), 600.0, [10.0, 20.0])


@pytest.mark.parametrize("func", [spectrum, absorption_by_layer])
def test_two_dimensional_wavelength_raises_naming_wavelength(func):
    with pytest.raises(ValueError, match="wavelength"):
        func(_stack(), np.full((2, 2), 600.0))


@pytest.mark.parametrize("gain", [[1000.0, 2000.0], np.ones((3, 3))])
def test_gain_shape_mismatch_raises_naming_gain(gain):
    with pytest.raises(ValueError, match="gain"):
        spectrum(_stack(), [500.0, 600.0, 700.0], gain=gain)


def test_non_finite_index_in_arrays_raises_naming_indices():
    n = np.array([[1.0], [np.nan + 0j], [1.5]], dtype=complex)
    with pytest.raises(ValueError, match="refractive indices must be finite"):
        spectrum_arrays(n, np.array([0.0, 100.0, 0.0]), [600.0])

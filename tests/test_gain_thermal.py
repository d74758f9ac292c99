"""Tests of the heating model (cavity.gain.thermal) and its coupling to the gain model."""
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cavity.gain import QDGainModel
from cavity.gain.thermal import Rollover, ThermalModel, disc_thermal_resistance


def test_disc_thermal_resistance_formula():
    a_cm, k_w_per_cm_k = 50e-4, 1.0e-2
    assert disc_thermal_resistance(50.0, 1.0) == pytest.approx(8 * a_cm / (3 * math.pi * k_w_per_cm_k), rel=1e-14)
    assert ThermalModel.for_disc_contact(50.0, 150.0).thermal_resistance_K_cm2_per_W == pytest.approx(
        disc_thermal_resistance(50.0, 1.0) / 150.0)


def test_temperature_rise_formula_and_duty_cycle():
    t = ThermalModel(turn_on_voltage_V=2.0, series_resistance_ohm_cm2=0.1, thermal_resistance_K_cm2_per_W=0.5)
    j = np.array([0.0, 10.0, 100.0])
    np.testing.assert_allclose(t.temperature_rise(j), 0.5 * j * (2.0 + 0.1 * j), rtol=1e-14)
    pulsed = dataclasses.replace(t, duty_cycle=0.01)
    assert pulsed.temperature_rise(100.0) == pytest.approx(0.01 * t.temperature_rise(100.0), rel=1e-14)
    assert t.power_density(10.0) == pytest.approx(30.0)


def test_iv_curve_interpolation_and_range():
    t = ThermalModel(iv_current_density_A_per_cm2=[0.0, 10.0, 100.0], iv_voltage_V=[0.0, 3.0, 6.0])
    assert t.voltage(55.0) == pytest.approx(4.5)
    assert t.temperature_rise(10.0) == pytest.approx(0.42 * 30.0)
    with pytest.raises(ValueError, match="outside the I-V curve"):
        t.voltage(200.0)


def test_no_heating_leaves_gain_unchanged():
    m = QDGainModel()
    t = ThermalModel(thermal_resistance_K_cm2_per_W=0.0)
    wl = np.linspace(600, 650, 7)
    np.testing.assert_array_equal(t.heated_gain(m, 20.0, wl), m.material_gain(20.0, wl))
    assert t.current_for_gain(m, 1000.0, 625.0) == pytest.approx(m.current_for_gain(1000.0, 625.0), rel=1e-9)
    with pytest.raises(ValueError, match="no thermal rollover"):
        t.rollover_current(m, 625.0)


def test_rollover_is_a_maximum_of_the_heated_gain():
    m = QDGainModel()
    t = ThermalModel()
    r = t.rollover_current(m, 625.0)
    assert isinstance(r, Rollover)
    for f in (0.9, 0.99, 1.01, 1.1):
        assert t.heated_gain(m, r.current_density * f, 625.0) <= r.material_gain + 1e-9
    # the default diode: dT = R_th J (V_on + R_s J) with 0.42 K cm^2/W, 2.0 V, 0.05 ohm cm^2
    j = r.current_density
    assert r.temperature_rise == pytest.approx(0.42 * j * (2.0 + 0.05 * j), rel=1e-12)
    assert r.material_gain < m.max_gain(625.0)


def test_pulsing_pushes_rollover_up():
    m = QDGainModel()
    cw = ThermalModel().rollover_current(m, 625.0)
    pulsed = ThermalModel(duty_cycle=0.01).rollover_current(m, 625.0)
    assert pulsed.current_density > 5 * cw.current_density
    assert pulsed.material_gain > cw.material_gain


def test_heated_threshold_and_out_of_reach():
    m = QDGainModel()
    t = ThermalModel(duty_cycle=0.05)
    g = 800.0
    j = t.current_for_gain(m, g, 625.0)
    assert t.heated_gain(m, j, 625.0) == pytest.approx(g, rel=1e-9)
    assert j > m.current_for_gain(g, 625.0)  # heating raises the threshold
    assert t.threshold_temperature_rise(m, g, 625.0) == pytest.approx(t.temperature_rise(j))
    roll = t.rollover_current(m, 625.0)
    with pytest.raises(ValueError, match="thermal rollover"):
        t.current_for_gain(m, roll.material_gain * 1.05, 625.0)


@given(st.floats(-2000.0, 2000.0), st.floats(0.0, 0.2))
def test_heated_gain_first_crossing(g, rth):
    m = QDGainModel()
    t = ThermalModel(thermal_resistance_K_cm2_per_W=rth, duty_cycle=0.1)
    try:
        j = t.current_for_gain(m, g, 625.0)
    except ValueError:
        return
    assert t.heated_gain(m, j, 625.0) == pytest.approx(g, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("kw, name", [
    (dict(duty_cycle=0.0), "duty_cycle"),
    (dict(duty_cycle=1.5), "duty_cycle"),
    (dict(series_resistance_ohm_cm2=-1.0), "series_resistance_ohm_cm2"),
    (dict(thermal_resistance_K_cm2_per_W=float("nan")), "thermal_resistance_K_cm2_per_W"),
    (dict(iv_current_density_A_per_cm2=[0.0, 1.0]), "iv_voltage_V"),
    (dict(iv_current_density_A_per_cm2=[1.0, 0.0], iv_voltage_V=[1.0, 2.0]), "strictly increasing"),
])
def test_bad_thermal_parameters(kw, name):
    with pytest.raises(ValueError, match=name):
        ThermalModel(**kw)


def test_bad_calls():
    t = ThermalModel()
    with pytest.raises(ValueError, match="current_density"):
        t.temperature_rise(-1.0)
    with pytest.raises(TypeError, match="QDGainModel"):
        t.heated_gain("model", 1.0, 625.0)
    with pytest.raises(ValueError, match="radius_um"):
        disc_thermal_resistance(0.0)

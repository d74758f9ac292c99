"""L-J curve with self-heating: thermal rollover (issue 15, cavity/lasing/rate_equations.py notes).

Independent truth: the sharp-threshold limit of the rate equations (beta -> 0),
P(J) = f_out eta h nu max(J - J_th(dT(J)), 0) / e, with J_th(dT) the current at which the gain
*at the fixed temperature rise dT* reaches the threshold gain, evaluated here on its own grid from
the gain model and the thermal model, and maximised with a bounded scalar search.
"""
import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from cavity.conventions import ELEMENTARY_CHARGE, HC_EV_NM
from cavity.gain.model import QDGainModel
from cavity.gain.thermal import ThermalModel
from cavity.lasing.rate_equations import LaserRateEquations, LasingMode

MODEL = QDGainModel()
MODE = LasingMode(625.0, 3000.0, 0.05, group_index=1.8, beta=1e-7, output_fraction=0.5)
HOT = ThermalModel(turn_on_voltage_V=2.0, series_resistance_ohm_cm2=0.05, thermal_resistance_K_cm2_per_W=0.1)
JS = np.linspace(0.0, 250.0, 501)


def sharp_power(j):
    """f_out eta h nu (J - J_th(dT(J))) / e, 0 where the gain at dT(J) cannot reach g_th."""
    dT = HOT.temperature_rise(j)
    try:
        jth = MODEL.current_for_gain(MODE.threshold_material_gain, 625.0, temperature_rise_K=dT)
    except ValueError:
        return 0.0
    h_nu = HC_EV_NM / 625.0 * ELEMENTARY_CHARGE
    return MODE.output_fraction * MODEL.injection_efficiency * h_nu * max(j - jth, 0.0) / ELEMENTARY_CHARGE


@pytest.fixture(scope="module")
def curves():
    return LaserRateEquations(MODEL, MODE).lj_curve(JS), LaserRateEquations(MODEL, MODE, thermal=HOT).lj_curve(JS)


def test_without_heating_the_curve_is_monotone(curves):
    cold, _ = curves
    assert np.all(np.diff(cold.output_power_W_per_cm2) > 0)
    assert cold.rollover_current is None and cold.temperature_rise is None


def test_with_heating_the_curve_rolls_over(curves):
    _, hot = curves
    p = hot.output_power_W_per_cm2
    i = int(np.argmax(p))
    assert 0 < i < p.size - 1 and p[-1] < 1e-3 * p[i]
    assert hot.rollover_current == pytest.approx(JS[i])
    np.testing.assert_allclose(hot.temperature_rise, HOT.temperature_rise(JS), rtol=1e-12)
    # the heated threshold is above the cold one (the band weakens and moves away) and is the
    # ThermalModel's heated-gain crossing
    cold_th = LaserRateEquations(MODEL, MODE).threshold_current()
    assert hot.threshold_current > cold_th
    assert hot.threshold_current == pytest.approx(
        HOT.current_for_gain(MODEL, MODE.threshold_material_gain, 625.0), rel=1e-8)


def test_rollover_current_agrees_with_the_sharp_threshold_limit(curves):
    _, hot = curves
    res = minimize_scalar(lambda j: -sharp_power(j), bounds=(60.0, 200.0), method="bounded", options={"xatol": 1e-6})
    j_peak = res.x
    step = JS[1] - JS[0]
    assert hot.rollover_current == pytest.approx(j_peak, abs=step)
    # the power at the peak agrees with the limit (beta = 1e-7 adds only spontaneous emission)
    assert hot.output_power_W_per_cm2.max() == pytest.approx(-res.fun, rel=2e-3)
    # the laser switches off where heating keeps the gain below g_th at every J_eff; that lies beyond
    # the rollover of the heated gain (ThermalModel.rollover_current), whose peak exceeds g_th
    roll = HOT.rollover_current(MODEL, 625.0)
    assert roll.material_gain > MODE.threshold_material_gain
    off = JS[(JS > j_peak) & (hot.output_power_W_per_cm2 < 1e-6 * hot.output_power_W_per_cm2.max())][0]
    assert off > roll.current_density


def test_a_mode_that_follows_the_gain_band_rolls_over_later():
    """Moving the mode with the band (0.1 nm/K, as the band) removes the detuning: the output peaks
    at a higher current than with a fixed mode."""
    fixed = LaserRateEquations(MODEL, MODE, thermal=HOT).lj_curve(JS)
    follow = LaserRateEquations(MODEL, MODE, thermal=HOT, mode_shift_nm_per_K=MODEL.peak_shift_nm_per_K).lj_curve(JS)
    np.testing.assert_allclose(follow.wavelength, 625.0 + 0.1 * follow.temperature_rise, rtol=1e-12)
    assert (follow.rollover_current or math.inf) > fixed.rollover_current


def test_bad_thermal_inputs():
    with pytest.raises(TypeError, match="thermal"):
        LaserRateEquations(MODEL, MODE, thermal=0.42)
    with pytest.raises(ValueError, match="mode_shift_nm_per_K"):
        LaserRateEquations(MODEL, MODE, thermal=HOT, mode_shift_nm_per_K=math.nan)

"""Threshold current density: the pole with the injected CQD gain spectrum."""
import math

import pytest

import cavity as cv
import materials as mt

LAM0 = 625.0
H, LOW = mt.Constant(2.10, name="H"), mt.Constant(1.46, name="L")


def vcsel(pairs=8):
    sp = (LAM0 / 1.46 - 20.0) / 2
    core = [cv.Layer(LOW, sp), cv.Layer(mt.Constant(1.46, name="qd host"), 20.0, gain=True), cv.Layer(LOW, sp)]
    return cv.microcavity(core, cv.dbr(H, LOW, pairs, LAM0), cv.dbr(LOW, H, pairs + 2, LAM0),
                          incident=mt.Constant(1.0), substrate=mt.Constant(1.52))


def flat_model(peak=2500.0, **kw):
    """A 1S band so broad that the gain is flat over the cavity window."""
    return cv.QDGainModel(band_1s=cv.GaussianBand(LAM0, 1e5, peak), **kw)


def test_flat_gain_agrees_with_threshold_plus_inverse_gain():
    stack = vcsel()
    model = flat_model()
    result = cv.threshold_current(stack, model, (600.0, 650.0))
    th = cv.lasing_threshold(stack, LAM0)
    expected_J = model.current_for_gain(th.material_gain, th.wavelength)
    assert result.reachable
    assert result.current_density == pytest.approx(expected_J, rel=1e-6)
    assert result.wavelength == pytest.approx(th.wavelength, abs=1e-6)
    assert result.material_gain == pytest.approx(th.material_gain, rel=1e-6)
    assert result.mean_occupancy == pytest.approx(float(model.mean_occupancy(expected_J)), rel=1e-6)
    assert result.temperature_rise == 0.0


def test_unreachable_reports_the_shortfall():
    stack = vcsel(pairs=3)
    model = flat_model(peak=50.0)
    th = cv.lasing_threshold(stack, LAM0)
    assert th.material_gain > 50.0  # this cavity needs more than the film can give
    result = cv.threshold_current(stack, model, (600.0, 650.0))
    assert not result.reachable
    assert math.isinf(result.current_density)
    assert result.maximum_gain == pytest.approx(50.0, rel=1e-6)
    assert result.required_gain == pytest.approx(th.material_gain, rel=1e-4)
    assert result.gain_shortfall == pytest.approx(th.material_gain - 50.0, rel=1e-4)


def test_detuned_gain_needs_more_current():
    stack = vcsel(pairs=12)
    tuned = cv.threshold_current(stack, cv.QDGainModel(band_1s=cv.GaussianBand(LAM0, 30.0, 2500.0)), (600.0, 650.0))
    detuned = cv.threshold_current(stack, cv.QDGainModel(band_1s=cv.GaussianBand(LAM0 + 20, 30.0, 2500.0)), (600.0, 650.0))
    assert tuned.reachable and detuned.reachable
    assert detuned.current_density > tuned.current_density
    # the lasing wavelength is the cavity's, not the gain peak's (narrow cavity mode)
    assert detuned.wavelength == pytest.approx(tuned.wavelength, abs=0.5)


def test_heating_raises_the_threshold_current():
    stack = vcsel(pairs=12)
    model = cv.QDGainModel(band_1s=cv.GaussianBand(LAM0, 30.0, 2500.0))
    cold = cv.threshold_current(stack, model, (600.0, 650.0))
    thermal = cv.ThermalModel()
    hot = cv.threshold_current(stack, model, (600.0, 650.0), thermal=thermal)
    assert hot.current_density > cold.current_density
    assert hot.temperature_rise == pytest.approx(float(thermal.temperature_rise(hot.current_density)))


def test_bad_input():
    with pytest.raises(TypeError, match="gain_model"):
        cv.threshold_current(vcsel(), object(), (600.0, 650.0))
    with pytest.raises(ValueError, match="current_range"):
        cv.threshold_current(vcsel(), flat_model(), (600.0, 650.0), current_range=(10.0, 1.0))
    with pytest.raises(ValueError, match="wavelength_range"):
        cv.threshold_current(vcsel(), flat_model(), (650.0, 600.0))


def test_lj_kink_sits_at_the_pole_threshold():
    """The rate equations of the mode built from the pole reproduce J_th (issue: 'the threshold
    kink consistent with J_th')."""
    stack = vcsel(pairs=12)
    model = cv.QDGainModel(band_1s=cv.GaussianBand(LAM0, 30.0, 2500.0))
    th = cv.lasing_threshold(stack, LAM0)
    jt = cv.threshold_current(stack, model, (600.0, 650.0))
    laser = cv.LaserRateEquations(model, cv.LasingMode.from_threshold(th))
    assert laser.threshold_current() == pytest.approx(jt.current_density, rel=1e-3)
    curve = laser.lj_curve([0.5 * jt.current_density, 2 * jt.current_density, 3 * jt.current_density])
    assert curve.output_power_W_per_cm2[0] < 1e-3 * curve.output_power_W_per_cm2[1]

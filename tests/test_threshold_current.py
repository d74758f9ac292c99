"""Threshold current density: the pole with the injected CQD gain spectrum."""
import cmath
import math
import warnings

import pytest

import cavity as cv
import materials as mt

LAM0 = 625.0
H, LOW = mt.Constant(2.10, name="H"), mt.Constant(1.46, name="L")


def vcsel(pairs=8, lam0=LAM0, bottom_pairs=None):
    sp = (lam0 / 1.46 - 20.0) / 2
    core = [cv.Layer(LOW, sp), cv.Layer(mt.Constant(1.46, name="qd host"), 20.0, gain=True), cv.Layer(LOW, sp)]
    bottom = pairs + 2 if bottom_pairs is None else bottom_pairs
    return cv.microcavity(core, cv.dbr(H, LOW, pairs, lam0), cv.dbr(LOW, H, bottom, lam0),
                          incident=mt.Constant(1.0), substrate=mt.Constant(1.52))


def flat_model(peak=2500.0, **kw):
    """A 1S band so broad that the gain is flat over the cavity window.

    Its QD film is the 20 nm gain layer of :func:`vcsel` (threshold_current takes the dot density
    from the stack, so the model compared with it must hold the same film)."""
    kw.setdefault("film_thickness_nm", 20.0)
    return cv.QDGainModel(band_1s=cv.gain.GaussianBand(LAM0, 1e5, peak), **kw)


def test_flat_gain_agrees_with_threshold_plus_inverse_gain():
    stack = vcsel()
    model = flat_model()
    result = cv.threshold_current(stack, model, (600.0, 650.0))
    th = cv.lasing_threshold(stack, LAM0)
    expected_J = model.current_for_gain(th.material_gain, th.wavelength)
    assert result.reachable and result.reason == ""
    assert result.count == 1 and result.complete  # one resonance in a 50 nm window of a lambda cavity
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
    tuned = cv.threshold_current(stack, cv.QDGainModel(band_1s=cv.gain.GaussianBand(LAM0, 30.0, 2500.0)), (600.0, 650.0))
    detuned = cv.threshold_current(stack, cv.QDGainModel(band_1s=cv.gain.GaussianBand(LAM0 + 20, 30.0, 2500.0)), (600.0, 650.0))
    assert tuned.reachable and detuned.reachable
    assert detuned.current_density > tuned.current_density
    # the lasing wavelength is the cavity's, not the gain peak's (narrow cavity mode)
    assert detuned.wavelength == pytest.approx(tuned.wavelength, abs=0.5)


def test_heating_raises_the_threshold_current():
    stack = vcsel(pairs=12)
    model = cv.QDGainModel(band_1s=cv.gain.GaussianBand(LAM0, 30.0, 2500.0), film_thickness_nm=20.0)  # vcsel QD film
    cold = cv.threshold_current(stack, model, (600.0, 650.0))
    # a 20 nm film needs ~2.4x the current of one monolayer: with the default 0.42 K cm^2/W the
    # heating rolls the gain over before threshold, so a better heat sink keeps the mode reachable
    thermal = cv.ThermalModel(thermal_resistance_K_cm2_per_W=0.2)
    hot = cv.threshold_current(stack, model, (600.0, 650.0), thermal=thermal)
    assert hot.current_density > cold.current_density
    j = hot.current_density  # dT = R_th J (V_on + R_s J) at the heated threshold (default diode: 2.0 V, 0.05 ohm cm^2)
    assert hot.temperature_rise == pytest.approx(0.2 * j * (2.0 + 0.05 * j), rel=1e-12)


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
    model = cv.QDGainModel(band_1s=cv.gain.GaussianBand(LAM0, 30.0, 2500.0), film_thickness_nm=20.0)  # vcsel QD film
    th = cv.lasing_threshold(stack, LAM0)
    jt = cv.threshold_current(stack, model, (600.0, 650.0))
    laser = cv.LaserRateEquations(model, cv.LasingMode.from_threshold(th))
    assert laser.threshold_current() == pytest.approx(jt.current_density, rel=1e-3)
    curve = laser.lj_curve([0.5 * jt.current_density, 2 * jt.current_density, 3 * jt.current_density])
    assert curve.output_power_W_per_cm2[0] < 1e-3 * curve.output_power_W_per_cm2[1]


# ------------------------------------------------------------------------------------------------
# Why J_th is infinite, and the counted passive modes


def test_mode_outside_the_gain_band_is_explained():
    """A 530 nm cavity with dots of a 1S band at 625 nm, FWHM 30 nm: no current lases it (the pre-issue-15
    default band, 2500 cm^-1, pinned)."""
    stack = vcsel(pairs=8, lam0=530.0)
    model = cv.QDGainModel(band_1s=cv.gain.GaussianBand(625.0, 30.0, 2500.0))
    th = cv.lasing_threshold(stack, 530.0)  # the gain the mode needs, by the threshold search
    result = cv.threshold_current(stack, model, (510.0, 550.0))
    assert not result.reachable and math.isinf(result.current_density)
    assert result.required_gain == pytest.approx(th.material_gain, rel=1e-6)
    # the saturated gain 95 nm = 3.2 FWHM from the band centre: 2500 exp(-4 ln2 (95/30)^2) ~ 2e-9 cm^-1
    gauss = 2500.0 * math.exp(-4 * math.log(2) * ((th.wavelength - 625.0) / 30.0) ** 2)
    assert result.maximum_gain == pytest.approx(gauss, rel=1e-6)
    assert result.gain_shortfall == pytest.approx(th.material_gain - result.maximum_gain, rel=1e-6)
    text = result.reason
    assert "outside the gain band" in text
    assert f"{th.wavelength:.2f} nm" in text       # which mode
    assert "625.0 nm" in text                      # where the gain band is
    assert "610.0-640.0 nm" in text                # its half maximum: 625 -+ 15 nm
    assert result.modes[0].reason and not result.modes[0].reachable


def test_gain_saturating_below_the_requirement_reports_the_shortfall():
    """A weak cavity at the band centre: the mode needs more than full inversion gives."""
    stack = vcsel(pairs=3)
    model = cv.QDGainModel()
    th = cv.lasing_threshold(stack, LAM0)
    g_max = model.max_gain(th.wavelength)
    assert th.material_gain > g_max  # premise: out of reach even with every dot at N_max
    result = cv.threshold_current(stack, model, (600.0, 650.0))
    assert not result.reachable and math.isinf(result.current_density)
    assert result.wavelength == pytest.approx(th.wavelength, abs=1e-6)
    assert result.required_gain == pytest.approx(th.material_gain, rel=1e-6)
    assert result.maximum_gain == pytest.approx(g_max, rel=1e-9)
    assert result.gain_shortfall == pytest.approx(th.material_gain - g_max, rel=1e-6)
    assert "more than the saturated maximum gain" in result.reason
    assert f"{th.material_gain:.4g} cm^-1" in result.reason and f"{g_max:.4g} cm^-1" in result.reason


def test_end_of_the_current_range_is_explained():
    stack = vcsel(pairs=12)
    model = cv.QDGainModel(band_1s=cv.gain.GaussianBand(LAM0, 30.0, 2500.0), film_thickness_nm=20.0)  # vcsel QD film
    th = cv.lasing_threshold(stack, LAM0)
    j_need = model.current_for_gain(th.material_gain, th.wavelength)  # inverse of the gain model
    result = cv.threshold_current(stack, model, (600.0, 650.0), current_range=(1e-3, 0.5 * j_need))
    assert not result.reachable and math.isinf(result.current_density)
    assert result.gain_shortfall == 0.0
    assert "current_range" in result.reason and f"J = {j_need:.4g} A/cm^2" in result.reason


def test_thermal_rollover_is_explained():
    stack = vcsel(pairs=12)
    model = cv.QDGainModel(band_1s=cv.gain.GaussianBand(LAM0, 30.0, 2500.0), film_thickness_nm=20.0)  # vcsel QD film
    thermal = cv.ThermalModel(thermal_resistance_K_cm2_per_W=2.0)  # a poor heat sink
    th = cv.lasing_threshold(stack, LAM0)
    roll = thermal.rollover_current(model, th.wavelength)
    assert roll.material_gain < th.material_gain < model.max_gain(th.wavelength)  # premise
    result = cv.threshold_current(stack, model, (600.0, 650.0), thermal=thermal)
    assert not result.reachable and math.isinf(result.current_density)
    assert result.gain_shortfall == 0.0
    assert "rollover" in result.reason
    assert f"{roll.material_gain:.4g} cm^-1" in result.reason


def test_counts_the_modes_of_a_thick_slab():
    """A 10 um slab (n = 2) between air and glass: its Fresnel interfaces are frequency independent,
    so the poles are exact, ``r1 r2 exp(2 i n k L) = 1``: ``k = (pi m - i a) / (n L)`` with
    ``a = ln(1/(r1 r2)) / 2``, ``Re lambda_m = (2 n L / m) / (1 + a^2 / (pi m)^2)``."""
    n, L, n_sub = 2.0, 10_000.0, 1.52
    stack = cv.Stack([cv.Layer(mt.Constant(n, name="slab"), L, gain=True)], incident=mt.Constant(1.0),
                     substrate=mt.Constant(n_sub))
    r1, r2 = (n - 1.0) / (n + 1.0), (n - n_sub) / (n + n_sub)
    a = 0.5 * math.log(1.0 / (r1 * r2))
    lo, hi = 600.0, 652.0
    expected = sorted((2 * n * L / m) / (1 + (a / (math.pi * m)) ** 2) for m in range(1, 200))
    inside = [lam for lam in expected if lo <= lam <= hi]
    assert all(min(abs(lam - lo), abs(lam - hi)) > 0.5 for lam in expected)  # no mode on an edge
    assert len(inside) == 5  # FSR lambda^2 / (2 n L) ~ 9.8 nm over 52 nm
    result = cv.threshold_current(stack, cv.QDGainModel(), (lo, hi))
    assert result.count == len(inside) and result.complete
    assert len(result.modes) == len(inside)
    found = sorted(m.passive_wavelength for m in result.modes)
    assert found == pytest.approx(inside, abs=1e-6)
    # Fabry-Perot threshold: ln(1/(r1 r2)) / L = 3091 cm^-1 above the 2500 cm^-1 of full inversion, so
    # the mode nearest the band peak is the closest to lasing.  Exactly, the gain index
    # n - i kappa (kappa = g lambda / 4 pi = 0.015) enters the Fresnel coefficients too (a kappa^2 /
    # (n - n_sub)^2 ~ 1e-3 effect): r1(n~) r2(n~) exp(2 i n~ k0 L) = 1 at the reported (lambda, g)
    assert not result.reachable and abs(result.wavelength - 625.0) < 10.0
    lam, g = result.wavelength, result.required_gain
    nt = n - 1j * g * lam * 1e-7 / (4 * math.pi)
    round_trip = (nt - 1) / (nt + 1) * (nt - n_sub) / (nt + n_sub) * cmath.exp(2j * nt * 2 * math.pi / lam * L)
    assert abs(round_trip - 1.0) < 1e-8
    assert g == pytest.approx(math.log(1.0 / (r1 * r2)) / (L * 1e-7), rel=1e-3)
    assert result.gain_shortfall == pytest.approx(g - cv.QDGainModel().max_gain(lam), rel=1e-9)


@pytest.mark.parametrize("name", ["2-pair DBRs", "bare 3 um QD film on glass"])
def test_very_low_q_cavity_gives_a_finite_explained_answer(name):
    """Q ~ 15: no NaN and no RuntimeWarning, a finite required gain and a reason."""
    if name == "2-pair DBRs":
        stack = vcsel(pairs=2, bottom_pairs=2)
    else:
        stack = cv.Stack([cv.Layer(mt.Constant(1.8, name="qd"), 3000.0, gain=True)], incident=mt.Constant(1.0),
                         substrate=mt.Constant(1.52))
    model = cv.QDGainModel()
    q = [m.Q for m in cv.resonances(stack, (600.0, 650.0)).modes]
    assert q and all(5.0 < v < 40.0 for v in q)  # premise: very low Q
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = cv.threshold_current(stack, model, (600.0, 650.0))
    assert not result.reachable and math.isinf(result.current_density)
    for v in (result.wavelength, result.required_gain, result.maximum_gain, result.gain_shortfall):
        assert math.isfinite(v)
    th = cv.lasing_threshold(stack, result.wavelength, search_width=5.0)
    assert result.required_gain == pytest.approx(th.material_gain, rel=1e-6)
    assert result.gain_shortfall == pytest.approx(th.material_gain - model.max_gain(th.wavelength), rel=1e-6)
    assert f"{result.wavelength:.2f} nm" in result.reason and "saturated maximum" in result.reason
    assert all(math.isfinite(m.material_gain) and m.reason for m in result.modes)


def test_window_without_a_mode_is_explained():
    """A 300 nm film between air and glass resonates near 2 n d / m = 1080, 540 nm: none in 560-690 nm."""
    stack = cv.Stack([cv.Layer(mt.Constant(1.8, name="qd"), 300.0, gain=True)], incident=mt.Constant(1.0),
                     substrate=mt.Constant(1.52))
    result = cv.threshold_current(stack, cv.QDGainModel(), (560.0, 690.0))
    assert not result.reachable and math.isinf(result.current_density)
    assert result.count == 0 and result.complete and result.modes == ()
    assert "no passive cavity mode" in result.reason


def test_currents_that_would_overheat_the_film_are_not_tried():
    """A thermal model heating the film by 1.9e7 K at 3e4 A/cm^2 (the default constants far outside
    their range) must not give a 'threshold' from absurd heated indices: the bare seed LED stays
    unreachable, and the reason says which currents were not tried."""
    from cavity.lasing.current import MAX_TEMPERATURE_RISE_K

    led = cv.seed_led_stack(qd_nm=20.0)
    thermal = cv.ThermalModel()
    assert float(thermal.temperature_rise(3e4)) > 1e6
    res = cv.threshold_current(led, cv.QDGainModel(), (560.0, 690.0), thermal=thermal)
    assert not res.reachable and math.isinf(res.current_density)
    assert f"more than {MAX_TEMPERATURE_RISE_K:g} K" in res.reason and "not tried" in res.reason

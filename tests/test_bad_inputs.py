"""No silent wrong answer: each bad input raises an exception whose message names the parameter.

Each row is (label, call, expected exception type, message fragment).  Before the hardening these
calls truncated (``gain_layers=[0.5]`` -> layer 0), dropped an imaginary part with only a
ComplexWarning, took ``True`` as 1.0, returned NaN/inf, or raised an unrelated AttributeError /
OverflowError without naming the argument.
"""
import numpy as np
import pytest

import cavity as cv
import materials as mt

NAN, INF = float("nan"), float("inf")


@pytest.fixture(scope="module")
def dev():
    L, H = mt.get("SiO2"), mt.get("TiO2")
    core = [cv.Layer(L, 100.0), cv.Layer(mt.get("CdSe QD film"), 20.0, gain=True), cv.Layer(L, 100.0)]
    return cv.microcavity(core, cv.dbr(L, H, 2, 630.0), cv.dbr(H, L, 2, 630.0),
                          incident=mt.get("air"), substrate=mt.get("borosilicate glass"))


SiO2, TiO2 = mt.get("SiO2"), mt.get("TiO2")


def _dfb_grating(**kw):
    sub = mt.Constant(1.46)
    tooth = cv.Stack.of(cv.Layer(mt.Constant(1.85), 200.0, gain=True), substrate=sub)
    groove = cv.Stack.of(cv.Layer(mt.Constant(1.85), 198.0, gain=True), substrate=sub)
    args = dict(wavelength=630.0, periods=100)
    args.update(kw)
    return cv.DFBGrating(tooth, groove, **args)
M = cv.QDGainModel()
W = (600.0, 660.0)

ROWS = [
    ("dfb modes True", lambda d: cv.dfb_threshold(_dfb_grating(), modes=True), TypeError, "modes"),
    ("dfb wavelength True", lambda d: _dfb_grating(wavelength=True), TypeError, "wavelength"),
    ("dfb duty 'x'", lambda d: _dfb_grating(duty_cycle="x"), TypeError, "duty_cycle"),
    ("Layer thickness True", lambda d: cv.Layer(SiO2, True), TypeError, "thickness"),
    ("Layer thickness '100'", lambda d: cv.Layer(SiO2, "100"), TypeError, "thickness"),
    ("population gl 0.5", lambda d: cv.threshold_population([d], 630.0, gain_layers=[0.5]), TypeError, "gain_layers"),
    # unbounded work: a table of 4e7 wavelengths, a root search for a million modes
    ("resonances huge window", lambda d: cv.resonances(d, (1.0, 1e7)), ValueError, "wavelength_range"),
    ("cmt modes 1e6", lambda d: cv.waveguide.coupled_mode_threshold(1.0, modes=10**6), ValueError, "modes"),
    ("cmt modes True", lambda d: cv.waveguide.coupled_mode_threshold(1.0, modes=True), TypeError, "modes"),
    # near far outside the materials' data with an explicit search_width ("Maximum allowed size")
    ("lt near 1e308", lambda d: cv.lasing_threshold(d, 1e308, search_width=1e307), ValueError, "near"),
    # gain_layers: non-integers were truncated (0.5 -> layer 0, 17.9 -> 17), bools taken as 0/1
    ("gl 0.5", lambda d: cv.lasing_threshold(d, 630.0, gain_layers=[0.5]), TypeError, "gain_layers"),
    ("gl 3.9", lambda d: cv.lasing_threshold(d, 630.0, gain_layers=[3.9]), TypeError, "gain_layers"),
    ("gl True", lambda d: cv.lasing_threshold(d, 630.0, gain_layers=[True]), TypeError, "gain_layers"),
    ("gl str", lambda d: cv.lasing_threshold(d, 630.0, gain_layers="2"), TypeError, "gain_layers"),
    ("tm gl 0.5", lambda d: cv.threshold_modes(d, W, gain_layers=[0.5]), TypeError, "gain_layers"),
    ("tc gl 0.5", lambda d: cv.threshold_current(d, M, W, gain_layers=[0.5]), TypeError, "gain_layers"),
    # complex wavelengths / angles
    ("spec complex wl", lambda d: cv.spectrum(d, 630 + 1j), TypeError, "wavelength"),
    ("spec complex wl array", lambda d: cv.spectrum(d, np.array([630, 631 + 1j])), TypeError, "wavelength"),
    ("spec complex angle", lambda d: cv.spectrum(d, 630.0, angle=10 + 1j), TypeError, "angle"),
    ("abs complex wl", lambda d: cv.absorption_by_layer(d, 630 + 2j), TypeError, "wavelength"),
    ("res complex angle", lambda d: cv.resonances(d, W, angle=1j), TypeError, "angle"),
    ("dbr complex wl", lambda d: cv.dbr(SiO2, TiO2, 3, 630 + 1j), TypeError, "center_wavelength"),
    ("gain complex wl", lambda d: M.material_gain(10.0, 630 + 1j), TypeError, "wavelength"),
    # booleans where a number is expected
    ("spec bool wl", lambda d: cv.spectrum(d, True), TypeError, "wavelength"),
    ("spec bool angle", lambda d: cv.spectrum(d, 630.0, angle=True), TypeError, "angle"),
    ("spec bool gain", lambda d: cv.spectrum(d, 630.0, gain=True), TypeError, "gain"),
    ("res bool min_Q", lambda d: cv.resonances(d, W, min_Q=True), TypeError, "min_Q"),
    ("tm bool max_gain", lambda d: cv.threshold_modes(d, W, max_gain=True), TypeError, "max_gain"),
    ("lt bool near", lambda d: cv.lasing_threshold(d, True), TypeError, "near"),
    ("lt bool search_width", lambda d: cv.lasing_threshold(d, 630.0, search_width=True), TypeError, "search_width"),
    ("fp bool wl", lambda d: cv.field_profile(d, True), TypeError, "wavelength"),
    ("fp bool step", lambda d: cv.field_profile(d, 630.0, step=True), TypeError, "step"),
    ("qwt bool wl", lambda d: cv.quarter_wave_thickness(SiO2, True), TypeError, "center_wavelength"),
    ("qwt bool angle", lambda d: cv.quarter_wave_thickness(SiO2, 630.0, angle=True), TypeError, "angle"),
    ("gain bool J", lambda d: M.material_gain(True, 630.0), TypeError, "current_density"),
    ("gain bool dT", lambda d: M.material_gain(10.0, 630.0, temperature_rise_K=True), TypeError, "temperature_rise_K"),
    ("gain bool target", lambda d: M.current_for_gain(True, 630.0), TypeError, "gain_per_cm"),
    ("model bool lifetime", lambda d: cv.QDGainModel(exciton_lifetime_ns=True), TypeError, "exciton_lifetime_ns"),
    ("generation bool J", lambda d: M.generation_rate(True), TypeError, "current_density"),
    ("thermal bool J", lambda d: cv.ThermalModel().temperature_rise(True), TypeError, "current_density"),
    ("thermal bool duty", lambda d: cv.ThermalModel(duty_cycle=True), TypeError, "duty_cycle"),
    ("disc bool radius", lambda d: cv.gain.disc_thermal_resistance(True), TypeError, "radius_um"),
    # incident index of spectrum_arrays
    ("arrays n0 = 0", lambda d: cv.spectrum_arrays(np.array([[0.0], [1.5], [1.0]]), np.array([0, 100.0, 0]), 630.0),
     ValueError, "incident medium"),
    ("arrays n0 < 0", lambda d: cv.spectrum_arrays(np.array([[-1.0], [1.5], [1.0]]), np.array([0, 100.0, 0]), 630.0),
     ValueError, "incident medium"),
    # NaN limits
    ("res min_Q nan", lambda d: cv.resonances(d, W, min_Q=NAN), ValueError, "min_Q"),
    ("tm max_gain nan", lambda d: cv.threshold_modes(d, W, max_gain=NAN), ValueError, "max_gain"),
    ("res angle nan", lambda d: cv.resonances(d, W, angle=NAN), ValueError, "angle"),
    ("spec gain nan", lambda d: cv.spectrum(d, 630.0, gain=NAN), ValueError, "gain"),
    # extreme values that gave NaN / inf / OverflowError
    ("lifetime 1e-308", lambda d: cv.QDGainModel(exciton_lifetime_ns=1e-308), ValueError, "exciton_lifetime_ns"),
    ("auger 1e-308", lambda d: cv.QDGainModel(biexciton_auger_lifetime_ns=1e-308), ValueError,
     "biexciton_auger_lifetime_ns"),
    ("peak shift 1e308", lambda d: cv.QDGainModel(peak_shift_nm_per_K=1e308), ValueError, "peak_shift_nm_per_K"),
    ("gain J 1e308", lambda d: M.material_gain(1e308, 630.0), ValueError, "current_density"),
    ("occupancy J 1e308", lambda d: M.occupancy(1e308), ValueError, "current_density"),
    ("gain dT -1e6", lambda d: M.material_gain(10.0, 630.0, temperature_rise_K=-1e6), ValueError, "temperature_rise_K"),
    ("thermal J 1e308", lambda d: cv.ThermalModel().temperature_rise(1e308), ValueError, "current_density"),
    ("thermal R_s 1e308", lambda d: cv.ThermalModel(series_resistance_ohm_cm2=1e308), ValueError,
     "series_resistance_ohm_cm2"),
    ("thermal R_th 1e308", lambda d: cv.ThermalModel(thermal_resistance_K_cm2_per_W=1e308), ValueError,
     "thermal_resistance_K_cm2_per_W"),
    ("qwt angle nan", lambda d: cv.quarter_wave_thickness(SiO2, 630.0, angle=NAN), ValueError, "angle"),
    ("qwt angle 1e308", lambda d: cv.quarter_wave_thickness(SiO2, 630.0, angle=1e308), ValueError, "angle"),
    ("qwt incident index 0", lambda d: cv.quarter_wave_thickness(SiO2, 630.0, incident_index=0.0), ValueError,
     "incident_index"),
    ("qwt evanescent", lambda d: cv.quarter_wave_thickness(SiO2, 630.0, angle=80.0, incident_index=3.0), ValueError,
     "evanescent"),
    ("fp step tiny", lambda d: cv.field_profile(d, 630.0, step=1e-300), ValueError, "step"),
    # errors that did not name the argument
    ("dbr material str", lambda d: cv.dbr("TiO2", SiO2, 4, 630.0), TypeError, "materials.get('TiO2')"),
    ("qwt material str", lambda d: cv.quarter_wave_thickness("SiO2", 630.0), TypeError, "material"),
    ("lt stack None", lambda d: cv.lasing_threshold(None, 630.0), TypeError, "stack"),
    ("res stack None", lambda d: cv.resonances(None, W), TypeError, "stack"),
    ("tm stack None", lambda d: cv.threshold_modes(None, W), TypeError, "stack"),
    ("fp step str", lambda d: cv.field_profile(d, 630.0, step="1"), TypeError, "step"),
    ("fp outside str", lambda d: cv.field_profile(d, 630.0, outside="1"), TypeError, "outside"),
    ("tm window str", lambda d: cv.threshold_modes(d, "ab"), TypeError, "wavelength_range"),
    ("tm window 3", lambda d: cv.threshold_modes(d, (600, 620, 640)), TypeError, "wavelength_range"),
    ("calibrate bool", lambda d: M.calibrate(occupancy_points=[(True, 3.2)]), TypeError, "occupancy_points"),
    ("calibrate tolerance", lambda d: M.calibrate(occupancy_points=[(18.0, 3.2)], tolerance=0.0), ValueError,
     "tolerance"),
    # --- second probe (every public function with None, str, bool, NaN, inf, 0, +-1e308, complex) ---
    # coupled-mode theory: True taken as 1, 1e308 gave inf/NaN, float() errors without the name
    ("gcc index_step True", lambda d: cv.waveguide.grating_coupling_coefficient(True, 0.5, 1, 630.0), TypeError, "index_step"),
    ("gcc bragg True", lambda d: cv.waveguide.grating_coupling_coefficient(0.1, 0.5, 1, True), TypeError, "bragg_wavelength"),
    ("gcc index_step 1e308", lambda d: cv.waveguide.grating_coupling_coefficient(1e308, 0.5, 1, 630.0), ValueError, "index_step"),
    ("gcc duty str", lambda d: cv.waveguide.grating_coupling_coefficient(0.1, "x", 1, 630.0), TypeError, "duty_cycle"),
    ("gcc duty complex", lambda d: cv.waveguide.grating_coupling_coefficient(0.1, 0.5 + 1j, 1, 630.0), TypeError, "duty_cycle"),
    ("gaincc step True", lambda d: cv.waveguide.gain_coupling_coefficient(True), TypeError, "gain_step"),
    ("gaincc duty str", lambda d: cv.waveguide.gain_coupling_coefficient(10.0, "x"), TypeError, "duty_cycle"),
    ("cmresp delta True", lambda d: cv.waveguide.coupled_mode_response(1.0, True), TypeError, "delta_L"),
    ("cmresp delta 1e308", lambda d: cv.waveguide.coupled_mode_response(1.0, 1e308), ValueError, "delta_L"),
    ("cmresp alpha 1e308", lambda d: cv.waveguide.coupled_mode_response(1.0, 0.5, alpha_L=1e308), ValueError, "alpha_L"),
    ("cmresp alpha 800", lambda d: cv.waveguide.coupled_mode_response(1.0, 0.5, alpha_L=800.0), ValueError, "alpha_L"),
    ("d2w delta True", lambda d: cv.waveguide.detuning_to_wavelength(True, 630.0, 1.8), TypeError, "delta"),
    ("d2w bragg 1e308", lambda d: cv.waveguide.detuning_to_wavelength(10.0, 1e308, 1.8), ValueError, "bragg_wavelength"),
    ("cmdev length 1e-308", lambda d: cv.waveguide.coupled_mode_device_threshold(
        cv.waveguide.coupled_mode_threshold(1.0, modes=1)[0], length=1e-308, bragg_wavelength=630.0,
        group_index=1.8), ValueError, "length"),
    # optics: an overflowing gain blamed the indices, NaN from stack_arrays / field_profile
    ("spec gain 1e308", lambda d: cv.spectrum(d, 630.0, gain=1e308), ValueError, "gain"),
    ("arrays of stack gain 1e308", lambda d: cv.optics.stack_arrays(d, 630.0, gain=1e308), ValueError, "gain"),
    ("fp gain -1e308", lambda d: cv.field_profile(d, 630.0, gain=-1e308), ValueError, "gain"),
    ("arrays wl 1e-308", lambda d: cv.spectrum_arrays(np.array([[1.0], [1.5], [1.0]]), np.array([0, 100.0, 0]), 1e-308),
     ValueError, "wavelength"),
    ("arrays threads True", lambda d: cv.spectrum_arrays(np.array([[1.0], [1.5], [1.0]]), np.array([0, 100.0, 0]), 630.0,
                                                          threads=True), ValueError, "threads"),
    # gain model: ZeroDivisionError, inf, NaN rates, float() errors
    ("hex spacing 1e-308", lambda d: cv.gain.hexagonal_areal_density(1e-308), ValueError, "dot_spacing_nm"),
    ("hex monolayers 1e308", lambda d: cv.gain.hexagonal_areal_density(10.0, 1e308), ValueError, "monolayers"),
    ("auger exponent 1e308", lambda d: cv.QDGainModel(auger_scaling=1e308), ValueError, "auger_scaling"),
    ("band absorption 1e308", lambda d: cv.gain.GaussianBand(625.0, 30.0, 1e308), ValueError, "peak_absorption_per_cm"),
    ("band center True", lambda d: cv.gain.GaussianBand(True, 30.0, 2500.0), TypeError, "center_nm"),
    ("line_shape str", lambda d: cv.gain.DEFAULT_BAND_1S.line_shape("x"), TypeError, "wavelength_nm"),
    ("line_shape None", lambda d: cv.gain.DEFAULT_BAND_1S.line_shape(None), TypeError, "wavelength_nm"),
    ("line_shape nan", lambda d: cv.gain.DEFAULT_BAND_1S.line_shape(NAN), ValueError, "wavelength_nm"),
    ("line_shape complex", lambda d: cv.gain.DEFAULT_BAND_1S.line_shape(630 + 1j), TypeError, "wavelength_nm"),
    ("line_shape shift None", lambda d: cv.gain.DEFAULT_BAND_1S.line_shape(630.0, None), TypeError, "shift_nm"),
    ("line_shape shift True", lambda d: cv.gain.DEFAULT_BAND_1S.line_shape(630.0, True), TypeError, "shift_nm"),
    ("line_shape shift complex", lambda d: cv.gain.DEFAULT_BAND_1S.line_shape(630.0, 1j), TypeError, "shift_nm"),
    # thermal: the I-V message did not name the parameters, AttributeError for a non-model
    ("iv scalar", lambda d: cv.ThermalModel(iv_current_density_A_per_cm2=5.0, iv_voltage_V=(2.0, 3.0)), ValueError,
     "iv_current_density_A_per_cm2"),
    ("rollover model None", lambda d: cv.ThermalModel().rollover_current(None, 630.0), TypeError, "model"),
    ("rollover model str", lambda d: cv.ThermalModel().rollover_current("x", 630.0), TypeError, "model"),
    # rate equations: NaN powers at 1e308 A/cm^2, degenerate modes
    ("lj J 1e308", lambda d: cv.LaserRateEquations(M, cv.LasingMode(630.0, 1000.0, 0.1)).lj_curve([1e308]), ValueError,
     "current_density"),
    ("output J 1e308", lambda d: cv.LaserRateEquations(M, cv.LasingMode(630.0, 1000.0, 0.1)).output_power(1e308),
     ValueError, "current_density"),
    ("mode Q 1e308", lambda d: cv.LasingMode(630.0, 1e308, 0.1), ValueError, "Q must"),
    ("mode Q 1e-308", lambda d: cv.LasingMode(630.0, 1e-308, 0.1), ValueError, "Q must"),
    ("mode wl 1e-308", lambda d: cv.LasingMode(1e-308, 1000.0, 0.1), ValueError, "wavelength must"),
    ("mode wl 1e308", lambda d: cv.LasingMode(1e308, 1000.0, 0.1), ValueError, "wavelength must"),
    ("mode ng 1e308", lambda d: cv.LasingMode(630.0, 1000.0, 0.1, group_index=1e308), ValueError, "group_index"),
    ("mode Q True", lambda d: cv.LasingMode(630.0, True, 0.1), TypeError, "Q must"),
    # guided-mode fields: NaN for z=NaN/None, 'Maximum allowed size exceeded', bool steps
    ("mode field None", lambda d: _slab_mode().field(None), TypeError, "z"),
    ("mode field nan", lambda d: _slab_mode().field(NAN), ValueError, "z"),
    ("mode field str", lambda d: _slab_mode().field("x"), TypeError, "z"),
    ("mode field complex", lambda d: _slab_mode().field(1j), TypeError, "z"),
    ("mode profile step tiny", lambda d: _slab_mode().profile(step=1e-308), ValueError, "step"),
    ("mode profile outside 1e308", lambda d: _slab_mode().profile(outside=1e308), ValueError, "outside"),
    ("mode profile step True", lambda d: _slab_mode().profile(step=True), TypeError, "step"),
    ("mode profile outside str", lambda d: _slab_mode().profile(outside="1"), TypeError, "outside"),
    # batched thresholds: 'not iterable', ZeroDivisionError, threads errors
    ("pop stacks None", lambda d: cv.threshold_population(None, 630.0), TypeError, "stacks"),
    ("pop stacks Stack", lambda d: cv.threshold_population(d, 630.0), TypeError, "stacks"),
    ("pop stacks [None]", lambda d: cv.threshold_population([None], 630.0), TypeError, "stacks[0]"),
    ("pop width tiny", lambda d: cv.threshold_population([d], 630.0, search_width=1e-308), ValueError, "search_width"),
    ("pop Q_guess tiny", lambda d: cv.threshold_population([d], 630.0, Q_guess=1e-308), ValueError, "Q_guess"),
    ("pop threads nan", lambda d: cv.threshold_population([d], 630.0, threads=NAN), ValueError, "threads"),
    ("pop threads str", lambda d: cv.threshold_population([d], 630.0, threads="2"), ValueError, "threads"),
    ("pop near 1e9", lambda d: cv.threshold_population([d], 1e9), ValueError, "near"),
    # design search: a bad callback failed only after the first generation
    ("optimize callback 5", lambda d: cv.optimize(_space(), objective="threshold_gain", near=630.0, budget=20,
                                                         population_size=4, callback=5),
     TypeError, "callback"),
    ("optimize progress 5", lambda d: cv.optimize(_space(), objective="threshold_gain", near=630.0, budget=20,
                                                         population_size=4, progress=5),
     TypeError, "progress"),
]


def _slab_mode():
    slab = cv.Stack((cv.Layer(TiO2, 200.0),), incident=SiO2, substrate=mt.get("air"))
    return cv.guided_modes(slab, 630.0).modes[0]


def _space():
    def build(t):
        return cv.Stack((cv.Layer(SiO2, t), cv.Layer(mt.get("CdSe QD film"), 20.0, gain=True), cv.Layer(SiO2, t)),
                        incident=mt.get("air"), substrate=mt.get("borosilicate glass"))
    return cv.DesignSpace(build, {"t": cv.Continuous(80.0, 120.0)})


@pytest.mark.parametrize("label, call, exc, fragment", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_is_refused_naming_the_parameter(dev, label, call, exc, fragment):
    with pytest.raises(exc) as info:
        call(dev)
    assert fragment in str(info.value), f"{label}: {info.value}"


def test_real_valued_complex_is_accepted(dev):
    """A complex wavelength with zero imaginary part is the same wavelength (no warning)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = cv.spectrum(dev, np.array([630 + 0j]))
    b = cv.spectrum(dev, np.array([630.0]))
    assert a.R[0] == b.R[0]


def test_calibrate_unreachable_target_is_not_success():
    """<N> = 100 at 18 A/cm^2 cannot be met within the default lifetime bounds (each at most
    1e3 x its start): with statistical Auger decay and N_max = 8 the mean occupancy is at most 8."""
    res = cv.QDGainModel().calibrate(occupancy_points=[(18.0, 100.0)])
    assert not res.success
    assert res.missed_targets and "<N>=100" in res.missed_targets[0]
    assert "<N>=100" in res.message and "log residual" in res.message


def test_calibrate_reachable_target_is_success():
    """The Lim 2018 targets of the README are reachable outside the physical bounds (pinned with
    physical_bounds=False): success and every residual within tolerance."""
    res = cv.QDGainModel().calibrate(occupancy_points=[(18.0, 3.2)], inversion_currents=[3.5], physical_bounds=False)
    assert res.success and res.missed_targets == ()
    assert res.max_abs_residual <= res.tolerance
    assert res.model.mean_occupancy(18.0) == pytest.approx(3.2, rel=1.01 * res.tolerance)

"""Thermo-optic shift of the cavity in thresholds and threshold currents (issue 15, docs/gain.md s.7).

Closed form: a single nondispersive layer of index n and thickness L in air, at normal incidence,
has its modes at m lambda = 2 n L (passive poles exactly, threshold modes up to the small reflection
phase of the gain-loaded interfaces); heating by dT moves n to n + dn/dT dT, so
d lambda / lambda = (dn/dT dT) / n (thermal expansion neglected, as in the code).
"""
import math

import numpy as np
import pytest

import cavity as cv
import materials as mt
from cavity.gain.model import GaussianBand, QDGainModel
from cavity.gain.thermal import ThermalModel
from cavity.lasing.current import threshold_current
from cavity.lasing.threshold import heated_stack, lasing_threshold, resonances, thermo_optic_coefficients, threshold_modes


def constant(n, dn_dT, name):
    m = mt.Constant(n, name=name)
    object.__setattr__(m, "dn_dT", dn_dT)  # as materials.library sets its coefficients
    return m


N, L, DNDT = 2.0, 10000.0, 1e-4
SLAB = cv.Stack((cv.Layer(constant(N, DNDT, "slab"), L, gain=True),))


@pytest.mark.parametrize("dT", [20.0, -15.0, 5.0])
def test_fabry_perot_threshold_shift_is_d_nL_dT(dT):
    cold = lasing_threshold(SLAB, 630.0)
    hot = lasing_threshold(SLAB, cold.wavelength, temperature_rise=dT)
    shift = (hot.wavelength - cold.wavelength) / cold.wavelength
    assert shift == pytest.approx(DNDT * dT / N, rel=1e-3)
    # the threshold gain of the FP, ln(1/R)/L with R = ((n-1)/(n+1))^2, follows the heated index
    n_hot = N + DNDT * dT
    g_fp = math.log(((n_hot + 1) / (n_hot - 1)) ** 2) / (L * 1e-7)
    assert hot.material_gain == pytest.approx(g_fp, rel=2e-3)


def test_fabry_perot_passive_resonance_and_mode_set_shift():
    dT = 20.0
    cold = resonances(SLAB, (630.0, 640.0)).modes
    hot = resonances(SLAB, (630.0, 641.0), temperature_rise=dT).modes
    assert len(cold) == 1 and len(hot) == 1
    # the passive pole is 4 pi n L / (2 pi m + i ln R): its real part also feels R(n), a 1e-4 correction
    assert (hot[0].wavelength / cold[0].wavelength - 1) == pytest.approx(DNDT * dT / N, rel=3e-4)
    modes = threshold_modes(SLAB, (630.0, 640.0), temperature_rise=dT)
    m = round(2 * (N + DNDT * dT) * L / modes.lowest.wavelength)
    assert modes.lowest.wavelength == pytest.approx(2 * (N + DNDT * dT) * L / m, rel=2e-4)


def test_unknown_coefficients_and_outer_media_do_not_move():
    plain = mt.Constant(2.0, name="no dn/dT")  # dn_dT None -> 0
    stack = cv.Stack((cv.Layer(plain, L, gain=True),), incident=constant(1.0, 1e-3, "hot air"))
    assert np.all(thermo_optic_coefficients(stack) == 0.0)
    assert heated_stack(stack, 50.0) is stack
    a = lasing_threshold(stack, 630.0)
    b = lasing_threshold(stack, a.wavelength, temperature_rise=50.0)
    assert b.wavelength == pytest.approx(a.wavelength, rel=1e-13) and b.material_gain == pytest.approx(a.material_gain, rel=1e-12)
    silver = mt.get("Ag")
    assert silver.dn_dT is None  # metals: unknown -> 0 (documented)
    coeff = thermo_optic_coefficients(cv.Stack((cv.Layer(silver, 30.0), cv.Layer(mt.get("SiO2"), 100.0))))
    assert coeff[1] == 0.0 and coeff[2] == mt.get("SiO2").dn_dT


@pytest.mark.parametrize("bad", [math.nan, 1e5, -400.0])
def test_bad_temperature_rise_is_refused(bad):
    with pytest.raises(ValueError, match="temperature_rise"):
        lasing_threshold(SLAB, 630.0, temperature_rise=bad)


# ---------------------------------------------------------------- J_th with gain-cavity detuning
LAM0 = 625.0


def cavity_with(dn_dT):
    """A half-wave SiO2-like cavity between quarter-wave DBRs, every layer with the same dn/dT."""
    hi, lo = constant(2.3, dn_dT, f"H {dn_dT}"), constant(1.46, dn_dT, f"L {dn_dT}")
    qd = constant(1.46, dn_dT, f"QD host {dn_dT}")
    sp = (LAM0 / 1.46 - 20.0) / 2
    core = [cv.Layer(lo, sp), cv.Layer(qd, 20.0, gain=True), cv.Layer(lo, sp)]
    return cv.microcavity(core, cv.dbr(hi, lo, 7, LAM0), cv.dbr(lo, hi, 9, LAM0),
                          incident=mt.Constant(1.0), substrate=mt.Constant(1.52))


MODEL = QDGainModel(band_1s=GaussianBand(LAM0, 12.0, 3000.0), film_thickness_nm=20.0, peak_shift_nm_per_K=0.1,
                    gain_characteristic_temperature_K=None)
HOT = ThermalModel(turn_on_voltage_V=2.0, series_resistance_ohm_cm2=0.0, thermal_resistance_K_cm2_per_W=0.1)


CO, COUNTER = 2.5e-4, -1.5e-4  # dn/dT (1/K): the mode follows the gain band (~0.1 nm/K) or runs away


@pytest.fixture(scope="module")
def currents():
    """J_th of the same cavity: mode co-moving with the gain band (dn/dT > 0), fixed, counter-moving."""
    out = {}
    for c in (CO, 0.0, COUNTER):
        stack = cavity_with(c)
        out[c] = (stack, threshold_current(stack, MODEL, (605.0, 645.0), thermal=HOT),
                  threshold_current(stack, MODEL, (605.0, 645.0), thermal=HOT, thermo_optic=False))
    return out


def test_detuning_direction(currents):
    j = {c: r[1].current_density for c, r in currents.items()}
    j_fixed = currents[0.0][1].current_density
    assert all(r[1].reachable and r[2].reachable for r in currents.values())
    # without dn/dT the shift changes nothing; the switch reproduces it
    assert currents[0.0][2].current_density == pytest.approx(j_fixed, rel=1e-9)
    # the gain band red-shifts by 0.1 nm/K: a mode that follows it (dn/dT > 0) needs less current,
    # one that runs away (dn/dT < 0) more, than the cavity without the thermo-optic shift
    assert j[CO] < currents[CO][2].current_density
    assert j[COUNTER] > currents[COUNTER][2].current_density
    assert j[CO] < j_fixed < j[COUNTER]
    assert currents[CO][1].temperature_rise > 5.0  # heating is not negligible at threshold


def test_heated_threshold_current_is_the_heated_cavity_pole(currents):
    """At J_th the mode is the threshold of the cavity heated to dT(J_th) (lasing_threshold through the
    heated materials, another code path), with the gain model's heated gain at its wavelength."""
    for c in (CO, COUNTER):
        stack, jt, _ = currents[c]
        dT = HOT.temperature_rise(jt.current_density)
        assert jt.temperature_rise == pytest.approx(dT)
        th = lasing_threshold(stack, jt.wavelength, temperature_rise=dT)
        assert th.wavelength == pytest.approx(jt.wavelength, abs=2e-3)
        assert th.material_gain == pytest.approx(
            MODEL.material_gain(jt.current_density, th.wavelength, temperature_rise_K=dT), rel=2e-3)
        # and it moved from the cold mode by the thermo-optic shift, in the sign of dn/dT
        cold = lasing_threshold(stack, LAM0)
        assert np.sign(th.wavelength - cold.wavelength) == np.sign(c)


def test_bad_switches_are_refused():
    stack = cavity_with(0.0)
    with pytest.raises(TypeError, match="thermo_optic"):
        threshold_current(stack, MODEL, (605.0, 645.0), thermal=HOT, thermo_optic="yes")
    with pytest.raises(ValueError, match="temperature_rise_K"):
        MODEL.current_for_gain(100.0, 625.0, temperature_rise_K=math.nan)


def test_current_for_gain_at_a_fixed_temperature_rise():
    """At fixed dT the gain is the cold inversion times exp(-dT/T0) L(lambda - s dT) / L(lambda): inverting
    it by hand (the cold current for the rescaled gain) gives the same current."""
    m = QDGainModel(gain_characteristic_temperature_K=200.0)
    dT, wl, g = 30.0, 628.0, 800.0
    b = m.band_1s
    factor = math.exp(-dT / 200.0) * b.line_shape(wl, shift_nm=m.peak_shift_nm_per_K * dT) / b.line_shape(wl)
    assert m.current_for_gain(g, wl, temperature_rise_K=dT) == pytest.approx(m.current_for_gain(g / factor, wl),
                                                                               rel=1e-9)

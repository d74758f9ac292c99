"""Design search with a thermal model per design (ThermalFromStack): each design's own V(J) and
dT(J) from its layers in J_th, ThermalLimit, MaxVoltage and the checkpoint fingerprint (issue 15).

The voltages and temperature rises are checked against the device models built directly from
each stack (cavity.device.ElectricalModel / HeatModel), and J_th against the pole-per-current
threshold search (cavity.threshold_current) with the same heating: a code path that shares
neither the search's gain table nor its per-design heating of it.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import cavity as cv
import materials as mt
from cavity.design import (
    NOT_CONVERGED, Choice, Continuous, DesignSpace, MaxVoltage, ThermalFromStack, ThermalLimit, evaluate_designs,
    optimize,
)
from cavity.design.de import _checkpoint_settings
from cavity.design.search import _make_problem
from cavity.device.electrical import ElectricalModel
from cavity.device.heat import HeatModel

LAM0 = 625.0
GLASS, SIO2, TIO2, AIR = mt.get("soda-lime glass"), mt.get("SiO2"), mt.get("TiO2"), mt.get("air")
ITO, TCTA, QD, ZNO = mt.get("ITO"), mt.get("TCTA"), mt.get("CdSe QD film"), mt.get("ZnO")
MODEL = cv.QDGainModel(film_thickness_nm=20.0)
# a large aperture fed by a ring contact far outside it: the electrodes' lateral resistance matters;
# pulsed at 1e-3 duty cycle, so the film stays cool enough to reach threshold
APERTURE_UM, CONTACT_UM, DUTY = 200.0, 1000.0, 1e-3
THERMAL = ThermalFromStack(APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM)


def build(t_cathode, t_zno=70.0, cathode=ITO):
    """glass | DBR | ITO anode | TCTA | QD | ZnO | cathode | DBR | air: the current crosses the cavity."""
    core = (cv.Layer(ITO, 20.0, name="anode"), cv.Layer(TCTA, 40.0, name="TCTA"),
            cv.Layer(QD, 20.0, name="QD film", gain=True), cv.Layer(ZNO, t_zno, name="ZnO"),
            cv.Layer(cathode, t_cathode, name="cathode"))
    return cv.Stack(cv.dbr(SIO2, TIO2, 8, LAM0).layers + core + cv.dbr(TIO2, SIO2, 8, LAM0).layers,
                    incident=GLASS, substrate=AIR)


SPACE = DesignSpace(build, {"t_cathode": Continuous(12.0, 40.0), "t_zno": Continuous(60.0, 80.0),
                            "cathode": Choice((ITO, SIO2))})
DESIGNS = [{"t_cathode": 15.0, "t_zno": 70.0, "cathode": ITO}, {"t_cathode": 25.0, "t_zno": 66.0, "cathode": ITO}]
KW = dict(near=LAM0, gain_model=MODEL, search_width=15.0)


def _reference(design):
    """J_th, V(J_th), dT(J_th) from the stack's own device models and the pole-per-current search."""
    st = build(**design)
    thermal = cv.ThermalModel.from_stack(st, APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM)
    rep = cv.threshold_current(st, MODEL, (LAM0 - 15.0, LAM0 + 15.0), thermal=thermal, thermo_optic=False)
    j = rep.current_density
    elec = ElectricalModel.from_stack(st, aperture_radius_um=APERTURE_UM, contact_radius_um=CONTACT_UM)
    heat = HeatModel.from_stack(st, aperture_radius_um=APERTURE_UM, contact_radius_um=CONTACT_UM)
    return j, float(elec.voltage(j)), DUTY * float(heat.temperature_rise(j)), elec


def test_each_design_gets_its_own_voltage_and_heating():
    refs = [_reference(d) for d in DESIGNS]
    assert all(math.isfinite(r[0]) for r in refs)
    # the two cathodes differ: their V(J) differ at the same current (the thinner sheet spreads worse)
    j = refs[0][0]
    v_thin, v_thick = float(refs[0][3].voltage(j)), float(refs[1][3].voltage(j))
    assert v_thin - v_thick > 0.05
    scores, _ = evaluate_designs(SPACE, DESIGNS, thermal=THERMAL, **KW)
    _, viol_v = evaluate_designs(SPACE, DESIGNS, thermal=THERMAL, constraints=[MaxVoltage(1e-6)], **KW)
    _, viol_t = evaluate_designs(SPACE, DESIGNS, thermal=THERMAL, constraints=[ThermalLimit(1e-9)], **KW)
    for k, (j_ref, v_ref, dt_ref, elec) in enumerate(refs):
        # J_th with the gain heated to this design's own dT(J) (the table interpolates: ~1e-3)
        assert scores[k] == pytest.approx(j_ref, rel=3e-3)
        # the violation is V(J_th) - limit in volts, with this design's own electrical model
        assert viol_v[k] + 1e-6 == pytest.approx(float(elec.voltage(scores[k])), rel=1e-12)
        assert viol_v[k] == pytest.approx(v_ref, rel=3e-3)
        heat = HeatModel.from_stack(build(**DESIGNS[k]), aperture_radius_um=APERTURE_UM, contact_radius_um=CONTACT_UM)
        assert viol_t[k] + 1e-9 == pytest.approx(DUTY * float(heat.temperature_rise(scores[k])), rel=1e-9)
        assert viol_t[k] == pytest.approx(dt_ref, rel=1e-2)
    # the other design's electrical model would give another voltage
    other = float(refs[1][3].voltage(scores[0]))
    assert abs(viol_v[0] - other) > 0.05
    # one batch or one design at a time: the same scores (per-design models, cached or not)
    for k, d in enumerate(DESIGNS):
        s1, v1 = evaluate_designs(SPACE, [d], thermal=THERMAL, constraints=[MaxVoltage(1e-6)], **KW)
        assert s1[0] == scores[k] and v1[0] == viol_v[k]
    s2, _ = evaluate_designs(SPACE, DESIGNS[::-1] + DESIGNS, thermal=THERMAL, **KW)
    np.testing.assert_array_equal(s2, np.concatenate([scores[::-1], scores]))


def test_callable_per_design_model_equals_thermal_from_stack():
    def per_design(stack):
        return cv.ThermalModel.from_stack(stack, APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM)

    a, va = evaluate_designs(SPACE, DESIGNS, thermal=THERMAL, constraints=[MaxVoltage(1.0)], **KW)
    b, vb = evaluate_designs(SPACE, DESIGNS, thermal=per_design, constraints=[MaxVoltage(1.0)], **KW)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(va, vb)


def test_max_voltage_rejects_above_and_accepts_below_in_volts():
    j, v, _, _ = _reference(DESIGNS[0])
    _, above = evaluate_designs(SPACE, DESIGNS[:1], thermal=THERMAL, constraints=[MaxVoltage(v - 0.5)], **KW)
    _, below = evaluate_designs(SPACE, DESIGNS[:1], thermal=THERMAL, constraints=[MaxVoltage(v + 0.5)], **KW)
    assert above[0] == pytest.approx(0.5, abs=3e-3 * v)  # volts above the limit
    assert below[0] == 0.0
    # a shared constant model: V = V_on + R_s J at the shared-model J_th
    shared = cv.ThermalModel(turn_on_voltage_V=2.0, series_resistance_ohm_cm2=0.01, thermal_resistance_K_cm2_per_W=0.0)
    s, viol = evaluate_designs(SPACE, DESIGNS[:1], thermal=shared, constraints=[MaxVoltage(1.0)], **KW)
    assert viol[0] == pytest.approx(2.0 + 0.01 * s[0] - 1.0, rel=1e-12)


def test_heating_constraints_need_a_thermal_model_and_bad_values_are_refused():
    for c in (MaxVoltage(5.0), ThermalLimit(50.0)):
        with pytest.raises(ValueError, match=type(c).__name__):
            evaluate_designs(SPACE, DESIGNS[:1], constraints=[c], **KW)
    with pytest.raises(ValueError, match="volts"):
        MaxVoltage(0.0)
    with pytest.raises(ValueError, match="volts"):
        MaxVoltage(float("nan"))
    with pytest.raises(ValueError, match="aperture_radius_um"):
        ThermalFromStack(-1.0)
    with pytest.raises(ValueError, match="duty_cycle"):
        ThermalFromStack(10.0, duty_cycle=2.0)
    with pytest.raises(TypeError, match="thermal"):
        evaluate_designs(SPACE, DESIGNS[:1], thermal=3.0, **KW)
    with pytest.raises(TypeError, match="stack_of"):
        ThermalFromStack(10.0, stack_of=5)


def test_design_without_a_conducting_path_is_infeasible():
    """An insulating 'cathode' (SiO2): no path between the electrodes, so no V(J): infeasible."""
    d = dict(DESIGNS[0], cathode=SIO2)
    s, v = evaluate_designs(SPACE, [d, DESIGNS[0]], thermal=THERMAL, constraints=[MaxVoltage(100.0)], **KW)
    assert math.isinf(s[0]) and v[0] == NOT_CONVERGED
    assert math.isfinite(s[1]) and v[1] == 0.0


def test_report_uses_the_best_designs_own_model(tmp_path):
    res = optimize(SPACE, near=LAM0, gain_model=MODEL, thermal=THERMAL, search_width=15.0, budget=8,
                   population_size=4, seed=3, polish=False, constraints=[MaxVoltage(100.0)])
    own = cv.ThermalModel.from_stack(res.stack, APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM)
    if res.report is not None and math.isfinite(res.report.current_density):
        assert res.report.temperature_rise == pytest.approx(float(own.temperature_rise(res.report.current_density)),
                                                            rel=1e-12)
    assert THERMAL(res.design).voltage(30.0) == pytest.approx(float(own.voltage(30.0)), rel=1e-15)


def test_resume_with_another_per_design_model_is_refused(tmp_path):
    ckpt = tmp_path / "ckpt"
    kw = dict(near=LAM0, gain_model=MODEL, search_width=15.0, budget=4, population_size=4, seed=1, polish=False,
              report=False, checkpoint=ckpt)
    optimize(SPACE, thermal=THERMAL, **kw)
    other = ThermalFromStack(APERTURE_UM, duty_cycle=DUTY, contact_radius_um=2 * CONTACT_UM)
    with pytest.raises(ValueError, match="thermal"):
        optimize(SPACE, thermal=other, resume=True, **kw)
    # the same per-design model resumes
    optimize(SPACE, thermal=ThermalFromStack(APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM), resume=True,
             **kw)


def test_fingerprint_covers_every_option_of_the_per_design_model():
    def fp(thermal):
        p = _make_problem(SPACE, cv.Objective.THRESHOLD_CURRENT, LAM0, MODEL, thermal, (), 15.0, (1e-3, 1e5), None)
        return _checkpoint_settings(p, 1, 4, "best1bin", (0.5, 1.0), 0.9)["thermal"]

    base = fp(THERMAL)
    assert base == fp(ThermalFromStack(APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM))
    for other in (ThermalFromStack(APERTURE_UM + 1.0, duty_cycle=DUTY, contact_radius_um=CONTACT_UM),
                  ThermalFromStack(APERTURE_UM, duty_cycle=2 * DUTY, contact_radius_um=CONTACT_UM),
                  ThermalFromStack(APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM, heat_sink="substrate"),
                  ThermalFromStack(APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM,
                                   stack_of=lambda d: d)):
        assert fp(other) != base


def test_merged_mirror_slabs_give_the_same_heat_model():
    """SiO2/TiO2 mirrors (one conductivity in the table) merged into one slab: the same V and dT as
    the model of the full stack (two adjacent source-free slabs of one conductivity are one slab)."""
    st = build(15.0)
    merged = ThermalFromStack(APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM)
    full = ThermalFromStack(APERTURE_UM, duty_cycle=DUTY, contact_radius_um=CONTACT_UM, merge_slabs=False)
    a, b = merged(st), full(st)
    assert len(a.device.electrical.layers) < len(b.device.electrical.layers) or \
        a.device.electrical.n_stack_layers < b.device.electrical.n_stack_layers
    js = np.array([0.5, 20.0, 300.0])
    np.testing.assert_allclose(a.temperature_rise(js), b.temperature_rise(js), rtol=1e-12)
    np.testing.assert_allclose(a.voltage(js), b.voltage(js), rtol=1e-12)
    # layer indices given: nothing is merged (the indices keep pointing at their layers)
    assert not ThermalFromStack(APERTURE_UM, aperture_layer=3).merge_slabs


def test_process_workers_equal_in_process():
    """The per-design models are rebuilt in the worker processes (the cache is not shipped): the
    same scores and violations as in one process."""
    from concurrent.futures import ProcessPoolExecutor

    kw = dict(near=LAM0, gain_model=MODEL, thermal=THERMAL, search_width=15.0, budget=12, population_size=6, seed=4,
              polish=False, report=False, constraints=[MaxVoltage(30.0), ThermalLimit(1.0)])
    ref = optimize(SPACE, **kw)
    with ProcessPoolExecutor(2) as ex:
        proc = optimize(SPACE, workers=ex.map, **kw)
    np.testing.assert_array_equal(ref.archive._vectors, proc.archive._vectors)
    np.testing.assert_array_equal(ref.archive.scores, proc.archive.scores)
    np.testing.assert_array_equal(ref.archive.violations, proc.archive.violations)
    assert np.isfinite(ref.archive.scores).any() and (ref.archive.violations > 0).any()  # both kinds were met


def test_unreachable_designs_violate_the_heating_constraints():
    """A design that never reaches threshold (here: J_th beyond the tabulated J_cap = 50 A/cm^2)
    gets UNREACHABLE_VIOLATION from MaxVoltage and ThermalLimit: a reachable design that exceeds
    the voltage limit by a few volts ranks above it (Deb's rules compare violations first), while
    unreachable designs keep their shortfall scores (above J_cap) to rank among themselves."""
    from cavity.design import UNREACHABLE_VIOLATION

    s, v = evaluate_designs(SPACE, DESIGNS, thermal=THERMAL, constraints=[MaxVoltage(5.0)],
                            current_range=(1e-3, 50.0), **KW)
    assert np.all(s > 50.0) and np.all(v == UNREACHABLE_VIOLATION)
    _, v = evaluate_designs(SPACE, DESIGNS, thermal=THERMAL, constraints=[ThermalLimit(50.0)],
                            current_range=(1e-3, 50.0), **KW)
    assert np.all(v == UNREACHABLE_VIOLATION)
    j, volts, _, _ = _reference(DESIGNS[0])
    _, reach = evaluate_designs(SPACE, DESIGNS[:1], thermal=THERMAL, constraints=[MaxVoltage(5.0)], **KW)
    assert 0.0 < reach[0] < UNREACHABLE_VIOLATION and reach[0] == pytest.approx(volts - 5.0, rel=3e-3)

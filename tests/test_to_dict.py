"""Every result exports to plain JSON data: ``json.dumps(result.to_dict(), allow_nan=False)``
works, survives a round trip unchanged, and holds the numbers (complex as [re, im], arrays as
lists, non-finite floats as strings) so that they can be rebuilt exactly."""
import json
import math

import numpy as np
import pytest

import cavity as cv
import materials as mt
from cavity.results import Result, to_jsonable


def _round_trip(d):
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text) == d
    return json.loads(text)


def _complex(pair):
    return complex(*(float(v) for v in pair))


def _cavity():
    L, H = mt.Constant(1.46), mt.Constant(2.3)
    core = [cv.Layer(L, 100.0), cv.Layer(mt.Constant(1.8), 20.0, gain=True), cv.Layer(L, 96.0)]
    return cv.microcavity(core, cv.dbr(L, H, 6, 630.0), cv.dbr(H, L, 7, 630.0), substrate=mt.Constant(1.52))


def test_rules_of_to_jsonable():
    assert to_jsonable(1 + 2j) == [1.0, 2.0]
    assert to_jsonable(np.array([1 + 1j, math.inf])) == [[1.0, 1.0], ["inf", 0.0]]
    assert to_jsonable([math.nan, -math.inf, np.int64(3), np.bool_(True)]) == ["nan", "-inf", 3, True]
    assert to_jsonable(cv.Polarization.S) == cv.Polarization.S.value
    assert to_jsonable(np.zeros((2, 3))) == [[0.0] * 3] * 2
    m = to_jsonable(mt.get("SiO2"))
    assert m["material"] == "SiO2" and "Malitson" in m["reference"]
    layer = to_jsonable(cv.Layer(mt.get("SiO2"), 10.0, gain=True))
    assert layer["thickness"] == 10.0 and layer["gain"] is True and layer["material"]["material"] == "SiO2"


def test_spectrum_round_trip_rebuilds_the_complex_amplitudes():
    s = cv.spectrum(_cavity(), np.linspace(600.0, 660.0, 7), 0.0, "p")
    d = _round_trip(s.to_dict())
    r = np.array([_complex(v) for v in d["r"]])
    np.testing.assert_array_equal(r, s.r)                       # exact: JSON floats round-trip
    np.testing.assert_array_equal(np.array(d["R"]), s.R)
    assert d["polarization"] == "p"


def test_field_absorption_incoherent_population_round_trip():
    st = _cavity()
    f = cv.field_profile(st, 630.0)
    d = _round_trip(f.to_dict())
    assert len(d["z"]) == f.z.size
    a = cv.absorption_by_layer(cv.Stack.of(cv.Layer(mt.Constant(1.5, 0.01), 100.0)), [600.0, 620.0])
    _round_trip(a.to_dict())
    inc = cv.incoherent_spectrum(cv.Stack.of(cv.Layer(mt.Constant(1.8), 100.0), substrate=mt.Constant(1.5)), [600.0, 610.0], 1e6)
    _round_trip(inc.to_dict())
    pop = cv.threshold_population([st, st], 630.0)
    d = _round_trip(pop.to_dict())
    assert len(d["wavelength"]) == 2


def test_mode_search_results_round_trip_with_infinities():
    st = _cavity()
    res = cv.resonances(st, (600.0, 660.0))
    d = _round_trip(res.to_dict())
    assert d["count"] == res.count and d["complete"] is res.complete
    lam = [_complex(m["complex_wavelength"]) for m in d["modes"]]
    assert lam == [m.complex_wavelength for m in res.modes]
    tm = cv.threshold_modes(st, (600.0, 660.0))
    d = _round_trip(tm.to_dict())
    if len(tm.modes) == 1:   # a single mode: the side-mode margin is infinite
        assert d["side_mode_margin"] == "inf"


def test_guided_modes_and_design_results_round_trip():
    slab = cv.Stack.of(cv.Layer(mt.Constant(1.8), 300.0), substrate=mt.Constant(1.5))
    g = cv.guided_modes(slab, 630.0)
    d = _round_trip(g.to_dict())
    assert len(d["modes"]) == len(g.modes) >= 1
    space = cv.DesignSpace(lambda t: cv.Stack.of(cv.Layer(mt.Constant(2.0), t)), {"t": cv.Continuous(50.0, 150.0)})
    res = cv.optimize(space, cv.design.per_design(lambda s, p: -cv.spectrum(s, [630.0]).R[0]), budget=24,
                      population_size=6, seed=1, polish=False)
    d = _round_trip(res.to_dict())
    assert d["score"] == res.score and len(d["archive"]["designs"]) == len(res.archive)
    assert d["parameters"]["t"] == res.parameters["t"]


RESULTS = ("Spectrum", "FieldProfile", "LayerAbsorption", "IncoherentSpectrum", "Resonance", "Resonances", "Threshold",
           "ThresholdModes", "PopulationThresholds", "ModeCurrent", "ThresholdCurrent", "LJCurve", "Rollover",
           "GuidedModes", "Mode", "ModeProfile", "CoupledModeMode", "CoupledModeThreshold", "GratingResponse",
           "DFBMode", "DFBModes", "GratingSections", "DipoleEmission", "FilmEmission", "SpontaneousCoupling",
           "DesignResult")


def _public_class(name):
    """The exported class of that name: result types live in their subpackages, not at cavity's top level."""
    import cavity.results
    homes = [getattr(cv, sub) for sub in ("optics", "lasing", "waveguide", "gain", "device", "design")]
    found = [getattr(m, name) for m in [cavity.results, *homes] if name in getattr(m, "__all__", ())]
    assert found, f"{name} is exported by no subpackage"
    return found[0]


@pytest.mark.parametrize("name", RESULTS)
def test_every_result_class_is_a_result(name):
    assert issubclass(_public_class(name), Result), name


def test_threshold_current_and_dfb_results_round_trip():
    st = _cavity()
    jt = cv.threshold_current(st, cv.QDGainModel(), (600.0, 660.0))
    d = _round_trip(jt.to_dict())
    assert d["current_density"] == (jt.current_density if math.isfinite(jt.current_density) else "inf")
    assert len(d["modes"]) == len(jt.modes)
    NF, NS = 1.8, 1.45
    tooth = cv.Stack.of(cv.Layer(mt.Constant(NF), 200.0, gain=True), substrate=mt.Constant(NS))
    groove = cv.Stack.of(cv.Layer(mt.Constant(NF), 196.0, gain=True), substrate=mt.Constant(NS))
    res = cv.dfb_threshold(cv.DFBGrating(tooth, groove, 630.0, periods=300), modes=2)
    d = _round_trip(res.to_dict())
    assert [m["wavelength"] for m in d["modes"]] == [m.wavelength for m in res.modes]

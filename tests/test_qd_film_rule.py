"""The measured QD film's k is its ground-state absorption (materials.library.QD_FILM_RULE): with a
gain model, every threshold-current path replaces that absorption by the model's, never adds it.

Independent truths: the host's k plus the unpumped model absorption is the measured k again; a
pole depends only on the layer indices at its wavelength, so the measured film with the rule and a
hand-built host (``remove_absorption``) give the same threshold current; and counting the
absorption twice (the same n, k without the flag) needs more current."""
import numpy as np
import pytest

import cavity as cv
import materials as mt
from materials.library import remove_absorption

MEASURED = "CdSe/ZnCdS QD film (Aftenieva)"
#: dots whose band-edge absorption matches the dense measured film (~5,600 cm^-1 at 630 nm): with
#: the default 2,500 cm^-1 band the film's remaining absorption keeps every cavity below threshold
DENSE = cv.gain.GaussianBand(625.0, 30.0, 8000.0)


def cavity_with(film):
    L, H = mt.get("SiO2"), mt.get("TiO2")
    core = [cv.Layer(L, 90.0), cv.Layer(film, 30.0, gain=True), cv.Layer(L, 90.0)]
    return cv.microcavity(core, cv.dbr(L, H, 8, 625.0), cv.dbr(H, L, 10, 625.0),
                          incident=mt.get("air"), substrate=mt.get("borosilicate glass"))


def _unflagged_copy(film):
    wl = np.linspace(400.0, 900.0, 2001)
    nk = np.asarray(film.n(wl))
    return mt.Tabulated(wl, nk.real, nk.imag, name="same n, k, no flag")


def test_host_without_the_ground_state_absorption():
    model = cv.QDGainModel()
    film = mt.get(MEASURED)
    host = remove_absorption(film, lambda wl: -model.material_gain(0.0, wl))
    assert not host.ground_state_absorption
    # k_host + alpha_0 lambda / (4 pi) = k_film wherever alpha_0 <= 4 pi k / lambda
    wl = np.linspace(600.0, 650.0, 11)
    alpha0 = -np.array([model.material_gain(0.0, w) for w in wl])
    k_film = np.asarray(film.n(wl)).imag
    assert np.all(alpha0 * wl * 1e-7 / (4 * np.pi) <= k_film)
    k_back = np.asarray(host.n(wl)).imag + alpha0 * wl * 1e-7 / (4 * np.pi)
    np.testing.assert_allclose(k_back, k_film, rtol=1e-9, atol=1e-12)
    # the model's own host is the same material
    np.testing.assert_allclose(np.asarray(model.gain_host(film).n(wl)), np.asarray(host.n(wl)), rtol=0, atol=1e-15)
    assert model.gain_host(mt.get("CdSe QD film")) is mt.get("CdSe QD film") or \
        not model.gain_host(mt.get("CdSe QD film")).ground_state_absorption


def test_measured_film_as_gain_layer_equals_the_hand_built_host_and_beats_double_counting():
    model = cv.QDGainModel(band_1s=DENSE)
    film = mt.get(MEASURED)
    host = remove_absorption(film, lambda wl: -model.material_gain(0.0, wl))
    auto = cv.threshold_current(cavity_with(film), model, (600, 650))
    hand = cv.threshold_current(cavity_with(host), model, (600, 650))
    assert auto.count == hand.count >= 1
    assert auto.current_density == pytest.approx(hand.current_density, rel=1e-6)
    twice = cv.threshold_current(cavity_with(_unflagged_copy(film)), model, (600, 650))
    assert twice.current_density > auto.current_density * 1.05


def test_dfb_with_the_measured_film_equals_the_hand_built_host():
    """With a gain model the DFB search runs on the host of the measured film: the same modes and
    currents as the grating built on the hand-made host."""
    model = cv.QDGainModel(band_1s=DENSE)
    film = mt.get(MEASURED)
    host = remove_absorption(film, lambda wl: -model.material_gain(0.0, wl))

    def grating(f):
        glass = mt.Constant(1.45)
        tooth = cv.Stack.of(cv.Layer(f, 200.0, gain=True), substrate=glass)
        groove = cv.Stack.of(cv.Layer(f, 196.0, gain=True), substrate=glass)
        return cv.DFBGrating(tooth, groove, 630.0, periods=600)

    a = cv.dfb_threshold(grating(film), modes=6, gain_model=model)
    b = cv.dfb_threshold(grating(host), modes=6, gain_model=model)
    assert len(a.modes) == len(b.modes) >= 2
    for ma, mb in zip(a.modes, b.modes):
        assert ma.wavelength == pytest.approx(mb.wavelength, abs=1e-6)
        assert ma.current_density == pytest.approx(mb.current_density, rel=1e-6)
    assert np.isfinite(a.modes[0].current_density)


def test_design_search_scores_the_measured_film_as_its_host():
    """The design evaluator replaces a measured film by the model's host before its threshold
    search: J_th of a one-design evaluation equals threshold_current on the hand-built host."""
    model = cv.QDGainModel(band_1s=DENSE)
    film = mt.get(MEASURED)
    host = remove_absorption(film, lambda wl: -model.material_gain(0.0, wl))
    space = cv.DesignSpace(lambda d: cavity_with(film), {"d": cv.Continuous(0.0, 1.0)})
    scores, violations = cv.evaluate_designs(space, [{"d": 0.5}], objective=cv.Objective.THRESHOLD_CURRENT,
                                             near=630.0, gain_model=model)
    ref = cv.threshold_current(cavity_with(host), model, (610.0, 650.0))
    assert violations[0] == 0
    assert scores[0] == pytest.approx(ref.current_density, rel=2e-2)

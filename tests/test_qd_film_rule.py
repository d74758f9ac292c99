"""The measured QD film's k is its ground-state absorption: threshold_current refuses it as a gain
layer (the gain model would add the same absorption again) and accepts the host without it."""
import numpy as np
import pytest

import cavity as cv
import materials as mt
from materials.library import remove_absorption

MEASURED = "CdSe/ZnCdS QD film (Aftenieva)"


def cavity_with(film):
    L, H = mt.get("SiO2"), mt.get("TiO2")
    core = [cv.Layer(L, 90.0), cv.Layer(film, 30.0, gain=True), cv.Layer(L, 90.0)]
    return cv.microcavity(core, cv.dbr(L, H, 8, 625.0), cv.dbr(H, L, 10, 625.0),
                          incident=mt.get("air"), substrate=mt.get("borosilicate glass"))


def test_measured_film_as_gain_layer_is_refused():
    model = cv.QDGainModel()
    with pytest.raises(ValueError, match="counted twice"):
        cv.threshold_current(cavity_with(mt.get(MEASURED)), model, (600, 650))


def test_host_without_the_ground_state_absorption_is_accepted():
    model = cv.QDGainModel()
    film = mt.get(MEASURED)
    host = remove_absorption(film, lambda wl: -model.material_gain(0.0, wl))
    assert not host.ground_state_absorption
    # the host plus the unpumped model's absorption is the measured film again (independent of the
    # threshold code): k_host + alpha_0 lambda / (4 pi) = k_film
    wl = np.linspace(600.0, 650.0, 11)
    alpha0 = -np.array([model.material_gain(0.0, w) for w in wl])
    k_back = np.asarray(host.n(wl)).imag + alpha0 * wl * 1e-7 / (4 * np.pi)
    np.testing.assert_allclose(k_back, np.asarray(film.n(wl)).imag, rtol=1e-9, atol=1e-12)
    res = cv.threshold_current(cavity_with(host), model, (600, 650))
    assert res.count >= 1

"""One rule for naming a layer: by index or by name, the same everywhere (issue 14 vocabulary)."""
from __future__ import annotations

import numpy as np
import pytest

import cavity as cv
import materials as mt

LO, HI, QD = mt.Constant(1.45), mt.Constant(2.1), mt.Constant(1.75)


def _cavity():
    core = cv.Stack([cv.Layer(LO, 60.0, name="spacer"), cv.Layer(QD, 70.0, name="QD"), cv.Layer(LO, 60.0, name="top")])
    return cv.microcavity(core, cv.dbr(HI, LO, 6, 630.0), cv.dbr(LO, HI, 6, 630.0), substrate=mt.Constant(1.52))


def test_layer_index_by_index_and_name():
    st = _cavity()
    i = st.layer_index("QD")
    assert st.layers[i].label == "QD" and st.layer_index(i) == i


@pytest.mark.parametrize("bad, exc, text", [
    (1.0, TypeError, "layer index"), (True, TypeError, "layer index"), (None, TypeError, "layer index"),
    (999, ValueError, "0-"), (-1, ValueError, "0-"), ("nope", ValueError, "not the name"),
])
def test_layer_index_refuses_naming_the_parameter(bad, exc, text):
    with pytest.raises(exc, match=text):
        _cavity().layer_index(bad, "gain_layer")
    with pytest.raises(exc, match="gain_layer"):
        _cavity().layer_index(bad, "gain_layer")


def test_ambiguous_name_is_refused_with_the_directory():
    st = _cavity()  # the DBR layers carry their materials' names, several each
    name = st.layers[0].label
    with pytest.raises(ValueError, match="ambiguous.*" + str(st.layer_index(0))):
        st.layer_index(name)


def test_gain_layers_by_name_give_the_same_threshold_as_by_index():
    st = _cavity()
    i = st.layer_index("QD")
    by_index = cv.lasing_threshold(st, 630.0, gain_layers=[i])
    by_name = cv.lasing_threshold(st, 630.0, gain_layers=["QD"])
    assert by_name.wavelength == by_index.wavelength and by_name.material_gain == by_index.material_gain
    # and for a population of designs, and the mode search
    pop = cv.threshold_population([st, st], 630.0, gain_layers=["QD"])
    assert np.allclose(pop.material_gain, by_index.material_gain, rtol=1e-9)
    modes = cv.threshold_modes(st, (600.0, 660.0), gain_layers=("QD",))
    assert any(abs(m.wavelength - by_index.wavelength) < 1e-6 for m in modes.modes)


@pytest.mark.parametrize("bad, exc", [("QD", TypeError), ([], ValueError), (["nope"], ValueError), ([0.5], TypeError),
                                      ([True], TypeError)])
def test_gain_layers_refused_the_same_way_everywhere(bad, exc):
    st = _cavity()
    for call in (lambda: cv.lasing_threshold(st, 630.0, gain_layers=bad),
                 lambda: cv.threshold_population([st], 630.0, gain_layers=bad),
                 lambda: cv.threshold_modes(st, (615.0, 645.0), gain_layers=bad)):
        with pytest.raises(exc, match="gain_layers"):
            call()

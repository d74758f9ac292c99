"""Cavity builders: microcavity assembly, the seed LED stack, antinode placement."""
import math

import pytest

import cavity as cv
import materials as mt

H, LOW = mt.Constant(2.3, name="H"), mt.Constant(1.46, name="L")


def test_microcavity_order_and_media():
    core = [cv.Layer(LOW, 100.0), cv.Layer(mt.Constant(1.8), 20.0, gain=True), cv.Layer(LOW, 100.0)]
    top, bottom = cv.dbr(H, LOW, 3, 630.0), cv.metal_mirror(mt.get("Ag"), 50.0)
    st = cv.microcavity(core, top, bottom, incident=mt.Constant(1.0), substrate=mt.Constant(1.52))
    assert len(st) == 6 + 3 + 1
    assert [lay.material for lay in st.layers[:6]] == [H, LOW] * 3
    assert st.layers[-1].material is mt.get("Ag") and st.gain_layer_indices == (7,)
    assert st.incident.n(600.0) == 1.0 and st.substrate.n(600.0) == 1.52
    for lay in st.layers[:6]:  # quarter-wave layers
        assert lay.thickness * lay.material.n(630.0).real == pytest.approx(630.0 / 4)
    with pytest.raises(ValueError, match="core"):
        cv.microcavity([], top, bottom)


def test_seed_led_stack():
    st = cv.seed_led_stack(cathode="Ag", qd_nm=15.0)
    assert [lay.label for lay in st.layers] == ["ITO", "TCTA", "QD film", "ZnO", "Ag"]
    assert st.gain_layer_indices == (2,) and st.layers[2].thickness == 15.0
    with pytest.raises(ValueError, match="cathode"):
        cv.seed_led_stack(cathode="Cu")


def test_place_on_antinode_tunes_the_mode_and_maximises_the_standing_wave_factor():
    lam0, d, n_c = 630.0, 20.0, 1.46
    # a half-wave L cavity between H layers: nodes at the mirrors, the antinode in the middle
    core = [cv.Layer(LOW, 120.0), cv.Layer(mt.Constant(n_c, name="qd"), d, gain=True), cv.Layer(LOW, 80.0)]
    st = cv.microcavity(core, cv.dbr(LOW, H, 8, lam0), cv.dbr(H, LOW, 8, lam0), incident=mt.Constant(1.0),
                        substrate=mt.Constant(1.52))
    placed = cv.place_on_antinode(st, 17, 16, 18, lam0)
    th = cv.lasing_threshold(placed, lam0)
    assert th.wavelength == pytest.approx(lam0, abs=1e-6)
    beta_d = 2 * math.pi * n_c * d / lam0
    assert th.standing_wave_factor == pytest.approx(1 + math.sin(beta_d) / beta_d, rel=2e-3)  # the antinode value
    assert placed.layers[17].thickness == d and placed.gain_layer_indices == (17,)
    assert th.material_gain < cv.lasing_threshold(st, lam0).material_gain


def test_place_on_antinode_bad_input():
    core = [cv.Layer(LOW, 100.0), cv.Layer(mt.Constant(1.8), 20.0, gain=True), cv.Layer(LOW, 100.0)]
    st = cv.microcavity(core, cv.dbr(H, LOW, 8, 630.0), cv.dbr(LOW, H, 8, 630.0))
    with pytest.raises(ValueError, match="before < gain_layer < after"):
        cv.place_on_antinode(st, 17, 18, 16, 630.0)
    with pytest.raises(ValueError, match="gain_layer"):
        cv.place_on_antinode(st, 99, 16, 18, 630.0)
    far = cv.microcavity([cv.Layer(LOW, 10.0), cv.Layer(mt.Constant(1.8), 5.0, gain=True), cv.Layer(LOW, 10.0)],
                         cv.dbr(H, LOW, 8, 630.0), cv.dbr(LOW, H, 8, 630.0))
    with pytest.raises(ValueError, match="target_wavelength"):
        cv.place_on_antinode(far, 17, 16, 18, 630.0)

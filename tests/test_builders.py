"""Cavity builders: microcavity assembly, the seed LED stack, antinode placement."""
import math
import warnings

import numpy as np
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


# -- place_on_antinode ------------------------------------------------------------------------------
# Independent checks: the passive mode from cv.resonances, |E(z)|^2 from cv.field_profile.  In a
# high-Q cavity the field is a standing wave E ~ cos(beta (z - z_a)), beta = 2 pi n_a / lambda, so a
# layer of thickness d centred on the antinode z_a has its |E|^2 maximum at its centre and
# |E(edge)|^2 / |E(centre)|^2 = cos^2(beta d / 2); centred, the standing-wave factor is
# 1 + sin(beta d) / (beta d) (Coldren & Corzine's enhancement factor).


def _film_field(stack, index, wavelength, step=0.05):
    """(z, |E|^2) inside layer ``index`` and the profile, at ``wavelength``."""
    fp = cv.field_profile(stack, wavelength, step=step)
    sel = fp.layer_index == index + 1
    return fp.z[sel], fp.E2[sel], fp


def _mode_near(stack, target, half=20.0):
    modes = [m for m in cv.resonances(stack, (target - half, target + half)) if m.Q > 100]
    assert modes, f"no resonance near {target} nm"
    return min(modes, key=lambda m: abs(m.wavelength - target))


def _assert_centred_on_antinode(stack, index, target, rel=2e-3):
    lam = _mode_near(stack, target).wavelength
    assert lam == pytest.approx(target, abs=1e-6)
    z, e2, _ = _film_field(stack, index, lam)
    d = stack[index].thickness
    centre = 0.5 * (z[0] + z[-1])
    assert z[-1] - z[0] == pytest.approx(d)
    assert abs(z[np.argmax(e2)] - centre) < 0.2  # the field maximum at the layer's centre (nm)
    n_a = stack[index].material.n(lam).real
    expected = math.cos(math.pi * n_a * d / lam) ** 2
    assert e2[0] / e2.max() == pytest.approx(expected, rel=rel)
    assert e2[-1] / e2.max() == pytest.approx(expected, rel=rel)


def test_place_on_antinode_tunes_the_mode_and_maximises_the_standing_wave_factor():
    lam0, d, n_c = 630.0, 20.0, 1.46
    # a half-wave L cavity between H layers: nodes at the mirrors, the antinode in the middle
    core = [cv.Layer(LOW, 120.0), cv.Layer(mt.Constant(n_c, name="qd"), d, gain=True), cv.Layer(LOW, 80.0)]
    st = cv.microcavity(core, cv.dbr(LOW, H, 8, lam0), cv.dbr(H, LOW, 8, lam0), incident=mt.Constant(1.0),
                        substrate=mt.Constant(1.52))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the antinode is within reach: no warning
        placed = cv.place_on_antinode(st, 17, 16, 18, lam0)
    _assert_centred_on_antinode(placed, 17, lam0)
    th = cv.lasing_threshold(placed, lam0)
    assert th.wavelength == pytest.approx(lam0, abs=1e-3)
    beta_d = 2 * math.pi * n_c * d / lam0
    assert th.standing_wave_factor == pytest.approx(1 + math.sin(beta_d) / beta_d, rel=2e-3)  # the antinode value
    # quarter-wave mirrors reflect with phase pi at their Bragg wavelength: the resonance is at lam0
    # when the L cavity is exactly half a wave thick, with the film in its middle
    assert placed[16].thickness == pytest.approx((lam0 / (2 * n_c) - d) / 2, abs=1e-4)
    assert placed[18].thickness == pytest.approx((lam0 / (2 * n_c) - d) / 2, abs=1e-4)
    assert placed.layers[17].thickness == d and placed.gain_layer_indices == (17,)
    assert [lay for i, lay in enumerate(placed.layers) if i not in (16, 18)] == \
        [lay for i, lay in enumerate(st.layers) if i not in (16, 18)]
    assert th.material_gain < cv.lasing_threshold(st, lam0).material_gain


def test_place_on_antinode_several_crossings_takes_the_one_nearest_the_design():
    """A thick L cavity between H faces: scaling the 2000 nm of spacers by 0.8-1.25 brings four
    orders m (cavity = m lam0 / (2 n)) onto lam0; m = 9 needs the least change.  The film has the
    spacer index, so the field is that of the empty cavity: antinodes at (k + 1/2) lam0 / (2 n)
    from the top H face, and the film goes to the one nearest where it was (k = 5)."""
    lam0, d, n = 630.0, 20.0, 1.46
    core = [cv.Layer(LOW, 1200.0, name="top"), cv.Layer(mt.Constant(n, name="qd"), d, gain=True),
            cv.Layer(LOW, 800.0, name="bottom")]
    st = cv.microcavity(core, cv.dbr(LOW, H, 8, lam0), cv.dbr(H, LOW, 8, lam0))
    half = lam0 / (2 * n)
    orders = [m for m in range(1, 40) if 0.8 * 2000 <= m * half - d <= 1.25 * 2000]
    assert orders == [8, 9, 10, 11]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        placed = cv.place_on_antinode(st, "qd", "top", "bottom", lam0)
    assert placed[16].thickness + d + placed[18].thickness == pytest.approx(9 * half, abs=1e-4)
    assert placed[16].thickness + d / 2 == pytest.approx(5.5 * half, abs=1e-3)
    _assert_centred_on_antinode(placed, 17, lam0)


def _qd_microcavity(lam0=625.0):
    """air | (TiO2 SiO2)^8 | SiO2 100 | QD film 30 | SiO2 100 | (SiO2 TiO2)^10 | glass, mirrors at 625 nm."""
    hi, lo = mt.get("TiO2"), mt.get("SiO2")
    core = [cv.Layer(lo, 100.0, name="spacer top"), cv.Layer(mt.get("CdSe QD film"), 30.0, name="QD film", gain=True),
            cv.Layer(lo, 100.0, name="spacer bottom")]
    return cv.microcavity(core, cv.dbr(hi, lo, 8, lam0), cv.dbr(lo, hi, 10, lam0), incident=mt.get("air"),
                          substrate=mt.get("borosilicate glass"))


def test_place_on_antinode_tunes_a_detuned_qd_microcavity():
    """The mode of the 100/30/100 nm design is >10 nm off 625 nm but within the scaling range.

    Both mirrors end with a quarter-wave SiO2 layer next to the spacers, so at 625 nm the
    antinodes lie at the spacer/mirror interfaces (a quarter wave from the TiO2 faces): the film
    can only be brought against one of them (the thin spacer keeps 2% of the total), which a
    warning says; the antinode then touches the film.
    """
    lam0 = 625.0
    st = _qd_microcavity(lam0)
    assert abs(_mode_near(st, lam0, 30.0).wavelength - lam0) > 10.0
    with pytest.warns(UserWarning, match="cannot be centred on a field antinode"):
        placed = cv.place_on_antinode(st, "QD film", "spacer top", "spacer bottom", lam0)
    lam = _mode_near(placed, lam0).wavelength
    assert lam == pytest.approx(lam0, abs=1e-6)
    total = placed[16].thickness + placed[18].thickness
    assert 0.8 * 200.0 <= total <= 1.25 * 200.0
    assert min(placed[16].thickness, placed[18].thickness) == pytest.approx(0.02 * total, rel=1e-3)
    # the antinode: the largest |E|^2 within a quarter wave (in SiO2) of the film lies in the film
    z, e2, fp = _film_field(placed, 17, lam)
    reach = lam / (4 * mt.get("SiO2").n(lam).real)
    near = (fp.z > z[0] - reach) & (fp.z < z[-1] + reach)
    assert e2.max() >= 0.99 * fp.E2[near].max()
    z_u, e2_u, fp_u = _film_field(st, 17, _mode_near(st, lam0, 30.0).wavelength)  # before: a node
    near_u = (fp_u.z > z_u[0] - reach) & (fp_u.z < z_u[-1] + reach)
    assert e2_u.max() < 0.5 * fp_u.E2[near_u].max()
    assert placed.gain_layer_indices == (17,) and placed[17].thickness == 30.0
    with pytest.warns(UserWarning):
        by_index = cv.place_on_antinode(st, 17, 16, 18, lam0)
    assert by_index == placed


def test_place_on_antinode_non_adjacent_layers_by_name():
    """Spacers separated from the QD film by transport layers; H-terminated mirrors (the antinodes
    lie inside the core): the film ends centred on an antinode at the target."""
    lam0 = 625.0
    hi, lo = mt.get("TiO2"), mt.get("SiO2")
    core = [cv.Layer(lo, 90.0, name="spacer top"), cv.Layer(mt.Constant(1.7, name="HTL"), 15.0, name="HTL"),
            cv.Layer(mt.get("CdSe QD film"), 30.0, name="QD film", gain=True),
            cv.Layer(mt.Constant(1.9, name="ETL"), 20.0, name="ETL"), cv.Layer(lo, 40.0, name="spacer bottom")]
    st = cv.microcavity(core, cv.dbr(lo, hi, 8, lam0), cv.dbr(hi, lo, 10, lam0), incident=mt.get("air"),
                        substrate=mt.get("borosilicate glass"))
    assert abs(_mode_near(st, lam0, 30.0).wavelength - lam0) > 5.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        placed = cv.place_on_antinode(st, "QD film", "spacer top", "spacer bottom", lam0)
    _assert_centred_on_antinode(placed, 18, lam0)
    assert [lay.thickness for lay in placed.layers[17:20]] == [15.0, 30.0, 20.0]
    assert placed == cv.place_on_antinode(st, 18, 16, 20, lam0)  # names and indices agree


def test_place_on_antinode_layer_names():
    st = _qd_microcavity()
    with pytest.raises(ValueError, match="'spacer middle' is not the name of a layer") as err:
        cv.place_on_antinode(st, "QD film", "spacer middle", "spacer bottom", 625.0)
    assert all(name in str(err.value) for name in ("'spacer top'", "'QD film'", "'spacer bottom'", repr(st[0].label)))
    with pytest.raises(ValueError, match="before='SiO2' is ambiguous") as err:
        cv.place_on_antinode(st, "QD film", "SiO2", "spacer bottom", 625.0)
    assert "15" in str(err.value) and "'spacer top'" in str(err.value)
    with pytest.raises(TypeError, match="gain_layer"):
        cv.place_on_antinode(st, 17.0, 16, 18, 625.0)
    with pytest.raises(ValueError, match="before < gain_layer < after"):
        cv.place_on_antinode(st, "QD film", "spacer bottom", "spacer top", 625.0)


def test_place_on_antinode_unreachable_target_says_why():
    core = [cv.Layer(LOW, 10.0), cv.Layer(mt.Constant(1.8), 5.0, gain=True), cv.Layer(LOW, 10.0)]
    far = cv.microcavity(core, cv.dbr(H, LOW, 8, 630.0), cv.dbr(LOW, H, 8, 630.0))
    mode = _mode_near(far, 630.0, 60.0).wavelength
    assert abs(mode - 630.0) > 15.0  # 20 nm of spacers cannot move it that far
    with pytest.raises(ValueError, match=r"target_wavelength=630 nm \(resonance condition\)") as err:
        cv.place_on_antinode(far, 17, 16, 18, 630.0)
    msg = str(err.value)
    assert "0.8-1.25" in msg and "16.0-25.0 nm" in msg and "closest a mode comes" in msg
    assert "f(a)" not in msg and "different signs" not in msg
    with pytest.raises(ValueError, match="0.95-1.05"):
        cv.place_on_antinode(_qd_microcavity(), 17, 16, 18, 600.0, scale_range=(0.95, 1.05))


def test_place_on_antinode_without_tuning_keeps_the_total():
    st = _qd_microcavity()
    with pytest.warns(UserWarning):
        placed = cv.place_on_antinode(st, 17, 16, 18, 625.0, tune_resonance=False)
    assert placed[16].thickness + placed[18].thickness == pytest.approx(200.0)
    assert cv.lasing_threshold(placed, 625.0).standing_wave_factor > cv.lasing_threshold(st, 625.0).standing_wave_factor


def test_place_on_antinode_bad_input():
    core = [cv.Layer(LOW, 100.0), cv.Layer(mt.Constant(1.8), 20.0, gain=True), cv.Layer(LOW, 100.0)]
    st = cv.microcavity(core, cv.dbr(H, LOW, 8, 630.0), cv.dbr(LOW, H, 8, 630.0))
    with pytest.raises(ValueError, match="before < gain_layer < after"):
        cv.place_on_antinode(st, 17, 18, 16, 630.0)
    with pytest.raises(ValueError, match="gain_layer"):
        cv.place_on_antinode(st, 99, 16, 18, 630.0)
    with pytest.raises(ValueError, match="iterations"):
        cv.place_on_antinode(st, 17, 16, 18, 630.0, iterations=0)
    with pytest.raises(ValueError, match="scale_range"):
        cv.place_on_antinode(st, 17, 16, 18, 630.0, scale_range=(1.2, 0.9))
    with pytest.raises(ValueError, match="target_wavelength"):
        cv.place_on_antinode(st, 17, 16, 18, -630.0)

"""QD film geometry is one source of truth (issue 15): the film material records its dots, the gain
model takes the dot spacing and packing from the stack's gain layers, and the default band-edge
absorption follows the dot density (alpha_1S = sigma_1S n_vol).

Independent truth: the closed forms n_vol = phi / (pi D^3 / 6) with D = d_core + 2 t_ligand,
n_areal = L n_vol, and, for linear (Poisson) decay, the neutral 1S gain fraction
1 - e^-m (2 + m) of a dot ensemble with mean occupancy m = G tau_X (docs/theory.md s.1.1)."""
import math

import numpy as np
import pytest
from scipy.optimize import brentq

import cavity as cv
import materials as mt
from cavity.gain.model import QDGainModel, recorded_film_geometry
from cavity.lasing.threshold import heated_stack
from materials.library import QDFilmGeometry

E = 1.602176634e-19  # C (exact, SI 2019)
HCP = math.pi / (3.0 * math.sqrt(2.0))
LAM0 = 630.0


def n_vol(core, ligand, packing=HCP):
    """Dots per cm^3: spheres of diameter D = d + 2t filling the fraction `packing` of the film."""
    D = (core + 2.0 * ligand) * 1e-7
    return packing / (math.pi * D ** 3 / 6.0)


def cavity_with(film, qd_nm=20.0, tune=True):
    """The README tour's microcavity (TiO2/SiO2 DBRs, QD film on an antinode) with `film` as its QD layer."""
    H, L = mt.get("TiO2"), mt.get("SiO2")
    core = [cv.Layer(L, 100.0), cv.Layer(film, qd_nm, gain=True), cv.Layer(L, 100.0)]
    device = cv.microcavity(core, cv.dbr(L, H, 8, LAM0), cv.dbr(H, L, 10, LAM0),
                            incident=mt.get("air"), substrate=mt.get("borosilicate glass"))
    return cv.place_on_antinode(device, 17, 16, 18, LAM0) if tune else device


def test_library_film_records_its_dots_and_others_record_none():
    g = mt.get("CdSe QD film").qd_geometry
    assert (g.core_diameter_nm, g.ligand_thickness_nm, g.packing_fraction) == (10.0, 1.0, pytest.approx(HCP, rel=1e-15))
    assert g.dot_spacing_nm == 12.0
    assert g.volume_density_per_cm3 == pytest.approx(math.sqrt(2.0) / (12e-7) ** 3, rel=1e-12)
    # the recorded dots are those the effective medium was mixed from: f = phi (d / D)^3
    assert mt.get("CdSe QD film").fraction == pytest.approx(HCP * (10.0 / 12.0) ** 3, rel=1e-12)
    assert g.inorganic_fraction == pytest.approx(HCP * (10.0 / 12.0) ** 3, rel=1e-12)
    # the measured film's source gives no dot geometry; ordinary materials have none; a bare fraction names no dots
    assert mt.get("CdSe/ZnCdS QD film (Aftenieva)").qd_geometry is None
    assert mt.get("SiO2").qd_geometry is None
    assert mt.qd_film(volume_fraction=0.4).qd_geometry is None


@pytest.mark.parametrize("core, ligand, packing, thickness", [
    (10.0, 1.0, HCP, 20.0), (6.0, 1.0, HCP, 30.0), (8.0, 1.5, 0.64, 45.0), (12.0, 0.0, 0.5, 10.0)])
def test_areal_density_from_the_films_recorded_geometry(core, ligand, packing, thickness):
    """n_areal = L packing / (pi D^3 / 6), D = d_core + 2 t_ligand, from the stack alone."""
    film = mt.qd_film(core_diameter=core, ligand_thickness=ligand, packing_fraction=packing)
    expected = thickness * 1e-7 * n_vol(core, ligand, packing)
    assert film.qd_geometry.areal_density(thickness) == pytest.approx(expected, rel=1e-12)
    m = QDGainModel().for_stack(cavity_with(film, thickness, tune=False))
    assert m.areal_density == pytest.approx(expected, rel=1e-12)
    assert m.dot_spacing_nm == pytest.approx(core + 2.0 * ligand, rel=1e-15)
    assert m.packing_fraction == pytest.approx(packing, rel=1e-15)


def test_default_model_in_a_stack_of_the_default_film_uses_12_nm():
    device = cavity_with(mt.get("CdSe QD film"))
    model = QDGainModel()
    assert model.dot_spacing_nm is None and model.effective_dot_spacing_nm == 10.0  # no film: 10 nm
    film_model = model.for_stack(device)
    assert film_model.effective_dot_spacing_nm == 12.0
    jt = cv.threshold_current(device, model, (600.0, 660.0))
    assert jt.areal_density == pytest.approx(20e-7 * math.sqrt(2.0) / (12e-7) ** 3, rel=1e-12)


def test_explicit_disagreeing_spacing_or_packing_is_refused_naming_both():
    device = cavity_with(mt.get("CdSe QD film"))
    with pytest.raises(ValueError, match=r"dot_spacing_nm=10\.0.*dot_spacing_nm=12"):
        QDGainModel(dot_spacing_nm=10.0).for_stack(device)
    with pytest.raises(ValueError, match=r"dot_spacing_nm=10\.0.*dot_spacing_nm=12"):
        cv.threshold_current(device, QDGainModel(dot_spacing_nm=10.0), (600.0, 660.0))
    with pytest.raises(ValueError, match=r"packing_fraction=0\.64.*packing_fraction=0\.7404"):
        QDGainModel(packing_fraction=0.64).for_stack(device)
    # an explicit value that agrees is kept
    agreeing = QDGainModel(dot_spacing_nm=12.0, packing_fraction=HCP).for_stack(device)
    assert agreeing.areal_density == pytest.approx(20e-7 * n_vol(10.0, 1.0), rel=1e-12)


def test_gain_layers_of_different_recorded_geometries_are_refused():
    H, L = mt.get("TiO2"), mt.get("SiO2")
    a, b = mt.qd_film(core_diameter=10.0), mt.qd_film(core_diameter=6.0)
    core = [cv.Layer(L, 100.0), cv.Layer(a, 10.0, gain=True), cv.Layer(b, 10.0, gain=True), cv.Layer(L, 100.0)]
    device = cv.microcavity(core, cv.dbr(L, H, 8, LAM0), cv.dbr(H, L, 10, LAM0),
                            incident=mt.get("air"), substrate=mt.get("borosilicate glass"))
    with pytest.raises(ValueError, match=r"dot_spacing_nm=12.*dot_spacing_nm=8"):
        QDGainModel().for_stack(device)
    # a gain layer that records nothing accepts the other's dots; both thicknesses carry the current
    c = [cv.Layer(L, 100.0), cv.Layer(a, 10.0, gain=True), cv.Layer(mt.Constant(1.8), 10.0, gain=True),
         cv.Layer(L, 100.0)]
    mixed = cv.microcavity(c, cv.dbr(L, H, 8, LAM0), cv.dbr(H, L, 10, LAM0),
                           incident=mt.get("air"), substrate=mt.get("borosilicate glass"))
    assert QDGainModel().for_stack(mixed).areal_density == pytest.approx(20e-7 * n_vol(10.0, 1.0), rel=1e-12)


def test_wrapped_films_keep_their_dots():
    """A heated stack (thermo-optic shift) and a grating's sections still name the film's dots."""
    device = cavity_with(mt.get("CdSe QD film"))
    assert recorded_film_geometry(heated_stack(device, 30.0)).dot_spacing_nm == 12.0
    assert recorded_film_geometry(device, cavity_with(mt.qd_film())).dot_spacing_nm == 12.0
    with pytest.raises(ValueError, match="different QD film geometries"):
        recorded_film_geometry(device, cavity_with(mt.qd_film(core_diameter=6.0)))


def test_alpha_1s_scales_with_the_dot_volume_density():
    """A film of 8 nm dots (6 nm + 2 x 1 nm) against the 12 nm dots of the default film:
    alpha_1S = sigma n_vol, so the ratio is (12/8)^3; the default band holds 3000 cm^-1 at 10 nm."""
    m12 = QDGainModel().for_stack(cavity_with(mt.get("CdSe QD film")))
    m8 = QDGainModel().for_stack(cavity_with(mt.qd_film(core_diameter=6.0, ligand_thickness=1.0)))
    a12, a8 = -m12.material_gain(0.0, 625.0), -m8.material_gain(0.0, 625.0)
    assert a8 / a12 == pytest.approx(n_vol(6.0, 1.0) / n_vol(10.0, 1.0), rel=1e-12)
    assert a8 / a12 == pytest.approx((12.0 / 8.0) ** 3, rel=1e-12)
    assert a12 == pytest.approx(3000.0 * (10.0 / 12.0) ** 3, rel=1e-12)
    assert QDGainModel().band_1s.peak_absorption_per_cm == 3000.0
    # sigma_1S = alpha / n_vol is the same for both films, and within 2% of the Yu et al. value
    assert a12 / n_vol(10.0, 1.0) == pytest.approx(a8 / n_vol(6.0, 1.0), rel=1e-12)
    assert a12 / n_vol(10.0, 1.0) == pytest.approx(2.16e-15, rel=0.02)
    # an explicit band stays as given whatever the dots
    band = cv.gain.GaussianBand(625.0, 30.0, 2500.0)
    m = QDGainModel(band_1s=band).for_stack(cavity_with(mt.qd_film(core_diameter=6.0)))
    assert -m.material_gain(0.0, 625.0) == pytest.approx(2500.0, rel=1e-12)


def _closed_form_jth(g_th, wavelength, core, ligand, tau_ns=20.0, qd_nm=20.0):
    """J_th of Poisson dots: 1S gain fraction 1 - e^-m (2 + m) times alpha_1S L(lambda) = g_th,
    J = e n_areal m / tau_X (eta = 1), alpha_1S = 3000 cm^-1 x n_vol / n_vol(10 nm close packed)."""
    nv = n_vol(core, ligand)
    alpha = 3000.0 * nv / (math.sqrt(2.0) / (10e-7) ** 3)
    shape = math.exp(-4.0 * math.log(2.0) * ((wavelength - 625.0) / 30.0) ** 2)
    need = g_th / (alpha * shape)
    m = brentq(lambda x: 1.0 - math.exp(-x) * (2.0 + x) - need, 1e-9, 50.0, xtol=1e-14)
    return E * qd_nm * 1e-7 * nv * m / (tau_ns * 1e-9)


def test_threshold_current_follows_the_films_dots_as_the_closed_forms_predict():
    """The same cavity (the two films have the same inorganic fraction, hence the same index) with
    12 nm dots (10 + 2 x 1) and 9.6 nm dots (8 + 2 x 0.8): 1.95x more dots absorbing 1.95x more, so a
    lower gain fraction per dot but 1.95x more dots to pump; the closed form says which wins."""
    big = mt.qd_film(core_diameter=10.0, ligand_thickness=1.0)
    small = mt.qd_film(core_diameter=8.0, ligand_thickness=0.8)
    assert small.fraction == pytest.approx(big.fraction, rel=1e-12)
    model = QDGainModel(biexciton_auger_lifetime_ns=None, max_excitons=60)  # Poisson statistics
    out = {}
    for name, film, core, ligand in (("big", big, 10.0, 1.0), ("small", small, 8.0, 0.8)):
        device = cavity_with(film)
        th = cv.lasing_threshold(device, near=LAM0)
        jt = cv.threshold_current(device, model, (600.0, 660.0))
        assert jt.reachable
        expected = _closed_form_jth(th.material_gain, th.wavelength, core, ligand)
        assert jt.current_density == pytest.approx(expected, rel=1e-6)
        out[name] = (jt.current_density, expected)
    # the direction of the change is that of the closed forms (and it is a real change)
    assert np.sign(out["small"][0] - out["big"][0]) == np.sign(out["small"][1] - out["big"][1]) != 0
    assert abs(out["small"][0] / out["big"][0] - 1.0) > 0.1


def test_geometry_is_validated():
    with pytest.raises(ValueError, match="packing_fraction"):
        QDFilmGeometry(10.0, 1.0, 0.8)
    with pytest.raises(ValueError, match="core_diameter_nm"):
        QDFilmGeometry(0.0, 1.0)
    with pytest.raises(ValueError, match="ligand_thickness_nm"):
        QDFilmGeometry(10.0, -1.0)


def test_dfb_threshold_takes_the_gratings_dots():
    """dfb_threshold with a gain model: the period-averaged film of the grating's recorded dots."""
    from cavity.waveguide.dfb import DFBGrating, dfb_threshold

    film = mt.qd_film(core_diameter=6.0, ligand_thickness=1.0)  # 8 nm dots
    sub = mt.Constant(1.46)
    tooth = cv.Stack.of(cv.Layer(film, 200.0, name="QD", gain=True), substrate=sub)
    groove = cv.Stack.of(cv.Layer(film, 198.0, name="QD", gain=True), substrate=sub)
    grating = DFBGrating(tooth, groove, 630.0, periods=500, facets=("cleaved", "ar"))
    low = dfb_threshold(grating, gain_model=QDGainModel()).lowest
    # the period average (duty 0.5) of the film, of 8 nm close-packed dots: n_areal from the closed form
    expected_model = QDGainModel(dot_spacing_nm=8.0, film_thickness_nm=199.0)
    assert expected_model.areal_density == pytest.approx(199e-7 * n_vol(6.0, 1.0), rel=1e-12)
    assert low.current_density == pytest.approx(
        expected_model.current_for_gain(low.material_gain, low.wavelength), rel=1e-9)
    with pytest.raises(ValueError, match=r"dot_spacing_nm=10\.0.*dot_spacing_nm=8"):
        dfb_threshold(grating, gain_model=QDGainModel(dot_spacing_nm=10.0))


def test_design_search_gain_tables_are_per_film_and_dots():
    """The search groups designs by their film (thickness and recorded dots) and builds each
    group's gain model from it (cavity.design.evaluators._gain_film_thickness / _film_model)."""
    from cavity.design.evaluators import _film_model, _gain_film_thickness

    a = cavity_with(mt.get("CdSe QD film"), tune=False)
    b = cavity_with(mt.qd_film(core_diameter=6.0), tune=False)
    key_a, key_b = _gain_film_thickness(a), _gain_film_thickness(b)
    assert key_a != key_b and key_a[0] == key_b[0] == 20.0
    assert _film_model(QDGainModel(), key_a).areal_density == pytest.approx(20e-7 * n_vol(10.0, 1.0), rel=1e-12)
    assert _film_model(QDGainModel(), key_b).areal_density == pytest.approx(20e-7 * n_vol(6.0, 1.0), rel=1e-12)

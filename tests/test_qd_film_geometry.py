"""QD film geometry is one source of truth: the stack's gain layers set the dot areal density."""
import math

import pytest

import cavity as cv
import materials as mt

E = 1.602176634e-19  # C (exact, SI 2019)
LAM0 = 625.0
H, LOW = mt.Constant(2.10, name="H"), mt.Constant(1.46, name="L")
BAND = cv.gain.GaussianBand(LAM0, 30.0, 2500.0)


def vcsel(qd_nm, pairs=12):
    """A lambda cavity whose QD film (n = 1.46, like its spacers) is qd_nm thick at the centre."""
    sp = (LAM0 / 1.46 - qd_nm) / 2
    core = [cv.Layer(LOW, sp), cv.Layer(mt.Constant(1.46, name="qd host"), qd_nm, gain=True), cv.Layer(LOW, sp)]
    return cv.microcavity(core, cv.dbr(H, LOW, pairs, LAM0), cv.dbr(LOW, H, pairs + 2, LAM0),
                          incident=mt.Constant(1.0), substrate=mt.Constant(1.52))


@pytest.mark.parametrize("thickness, spacing, packing", [(20.0, 10.0, None), (40.0, 12.0, None), (30.0, 8.0, 0.64)])
def test_areal_density_is_thickness_times_volume_density(thickness, spacing, packing):
    kw = {} if packing is None else {"packing_fraction": packing}
    m = cv.QDGainModel.for_film(thickness, dot_spacing_nm=spacing, **kw)
    phi = math.pi / (3 * math.sqrt(2)) if packing is None else packing
    n_vol = phi / (math.pi / 6 * (spacing * 1e-7) ** 3)  # spheres of diameter D filling phi of the volume
    assert m.areal_density == pytest.approx(thickness * 1e-7 * n_vol, rel=1e-12)
    if packing is None:  # close packing: sqrt(2)/D^3, i.e. one 2/(sqrt3 D^2) monolayer per D sqrt(2/3)
        assert m.areal_density == pytest.approx(thickness * 1e-7 * math.sqrt(2) / (spacing * 1e-7) ** 3, rel=1e-12)
        assert m.monolayer_count == pytest.approx(thickness / (spacing * math.sqrt(2 / 3)), rel=1e-12)


def test_core_and_ligand_set_the_spacing():
    m = cv.QDGainModel.for_film(20.0, core_diameter_nm=10.0, ligand_thickness_nm=1.0)
    assert m.dot_spacing_nm == 12.0
    assert m.areal_density == pytest.approx(20e-7 * math.sqrt(2) / (12e-7) ** 3, rel=1e-12)


def test_inversion_current_is_proportional_to_the_film_thickness():
    """J_inv = e n_areal G*/eta with the per-dot G* independent of n_areal: 40 nm needs 2x 20 nm."""
    m20 = cv.QDGainModel.for_film(20.0, band_1s=BAND)
    m40 = m20.with_film(40.0)
    assert m40.inversion_current() == pytest.approx(2 * m20.inversion_current(), rel=1e-9)
    assert m40.transparency_current(LAM0) == pytest.approx(2 * m20.transparency_current(LAM0), rel=1e-9)
    # the old one-monolayer model counted either film as 1.155e12 dots/cm^2
    one_ml = cv.QDGainModel(band_1s=BAND)
    assert m20.inversion_current() / one_ml.inversion_current() == pytest.approx(
        20e-7 * math.sqrt(2) / 1e-18 / (2 / (math.sqrt(3) * 1e-12)), rel=1e-9)


def test_thicker_film_does_not_lase_cheaper():
    """J_th(L) >= J_tr(L) = L x const: a 40 nm film needs at least 2 J_tr(20 nm); in a high-Q cavity
    where the 20 nm film lases below 2 J_tr(20 nm), the 40 nm film's J_th is therefore higher."""
    model = cv.QDGainModel(band_1s=BAND)
    r20 = cv.threshold_current(vcsel(20.0), model, (600.0, 650.0))
    r40 = cv.threshold_current(vcsel(40.0), model, (600.0, 650.0))
    jtr20 = cv.QDGainModel.for_film(20.0, band_1s=BAND).transparency_current(r20.wavelength)
    assert r20.reachable and r40.reachable
    assert r20.areal_density == pytest.approx(20e-7 * math.sqrt(2) / 1e-18, rel=1e-12)
    assert r40.areal_density == pytest.approx(2 * r20.areal_density, rel=1e-12)
    assert r20.current_density < 2 * jtr20  # premise: near transparency
    assert r40.current_density >= 2 * jtr20 * (1 - 1e-6)
    assert r40.current_density > r20.current_density


def test_inconsistent_explicit_density_is_refused_naming_both():
    with pytest.raises(ValueError, match=r"areal_density_per_cm2=1000000000000.0 cm\^-2.*= 2\.82843e\+12 cm\^-2"):
        cv.QDGainModel(film_thickness_nm=20.0, areal_density_per_cm2=1e12)
    with pytest.raises(ValueError, match=r"monolayers=2.*film_thickness_nm=20"):
        cv.QDGainModel(film_thickness_nm=20.0, monolayers=2)
    consistent = cv.QDGainModel(film_thickness_nm=20.0, areal_density_per_cm2=20e-7 * math.sqrt(2) / 1e-18)
    assert consistent.areal_density == pytest.approx(20e-7 * math.sqrt(2) / 1e-18, rel=1e-12)
    with pytest.raises(ValueError, match=r"film_thickness_nm=40.0 nm.*20 nm thick"):
        cv.threshold_current(vcsel(20.0), cv.QDGainModel.for_film(40.0, band_1s=BAND), (600.0, 650.0))
    with pytest.raises(ValueError, match=r"gain layers.*monolayers=1"):
        cv.threshold_current(vcsel(20.0), cv.QDGainModel(monolayers=1, band_1s=BAND), (600.0, 650.0))
    with pytest.raises(ValueError, match="packing_fraction"):
        cv.QDGainModel.for_film(20.0, packing_fraction=0.8)
    with pytest.raises(ValueError, match="film_thickness_nm"):
        cv.QDGainModel(film_thickness_nm=-5.0)

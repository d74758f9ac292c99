"""Library look-up, refractiveindex.info reader, effective-medium mixing, hypothesis properties."""
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import materials as mat
from materials import Constant, MixingRule, RefractiveIndexFileError, load_refractiveindex

DATA = Path(__file__).parent / "data"


# ---- library -----------------------------------------------------------------------------------------
REQUIRED = ["air", "soda-lime glass", "borosilicate glass", "SiO2", "TiO2", "Ta2O5", "Nb2O5", "HfO2", "Al2O3",
            "Si3N4", "ZnO", "ITO", "PEDOT:PSS", "TCTA", "TFB", "PMMA", "LiF", "Ag", "Al", "Au", "CdSe QD film"]


def test_library_has_every_required_material_with_reference_and_range():
    names = mat.available()
    for name in REQUIRED:
        assert name in names
        m = mat.get(name)
        assert isinstance(m, mat.Material)
        assert m.name and len(m.reference) > 10
        lo, hi = m.wavelength_range
        assert lo <= 500 and hi >= 700  # the device window


def test_lookup_is_case_insensitive_and_knows_aliases():
    assert mat.get("sio2") is mat.get("SiO2") is mat.get("fused silica")
    assert mat.get("GLASS") is mat.get("soda-lime glass")
    assert mat.get("pedot pss") is mat.get("PEDOT:PSS")
    assert mat.get("cdse qd film") is mat.get("CdSe QD film") is mat.get("QD film")
    assert mat.get("silver") is mat.get("Ag")


def test_unknown_name_suggests_closest_names():
    with pytest.raises(ValueError, match=r"unknown material 'Tio2x'.*did you mean .*'TiO2'"):
        mat.get("Tio2x")
    with pytest.raises(ValueError, match=r"unknown material 'glas'.*'glass'"):
        mat.get("glas")


def test_name_must_be_a_string():
    with pytest.raises(TypeError, match="material name must be a string"):
        mat.get(42)


@pytest.mark.parametrize(
    "name, lo, hi",
    [("TiO2", 2.3, 2.5), ("ITO", 1.75, 1.95), ("TCTA", 1.65, 1.8), ("PEDOT:PSS", 1.45, 1.52),
     ("Si3N4", 1.98, 2.06), ("Ta2O5", 2.05, 2.2), ("TFB", 1.6, 1.75),
     ("ZnO (40 nm film, Stelling)", 1.55, 1.70),   # 40 nm film: n ~ 1.62 (Stelling 2017), far below bulk
     ("ZnO", 1.95, 2.05),                          # bulk crystal ~2.0
     ("HfO2", 1.95, 2.15),   # dense e-beam film on Si (Franta 2015)
     ("HfO2 (Al-Kuhaili)", 1.85, 1.95), ("ITO (Drude model)", 1.75, 1.95), ("PEDOT:PSS (Drude model)", 1.45, 1.52),
     ("CdSe/ZnCdS QD film (Aftenieva)", 1.65, 1.70)],   # n ~ 1.675 at 625 nm
)
def test_thin_film_indices_at_630_are_in_the_literature_band(name, lo, hi):
    n = complex(mat.get(name).n(630.0))
    assert lo < n.real < hi


def test_pedot_and_ito_absorb_weakly():
    assert 0.01 < mat.get("PEDOT:PSS").n(630.0).imag < 0.05
    assert 0 < mat.get("ITO").n(630.0).imag < 0.03


# ---- hypothesis properties over every library material ----------------------------------------------
@given(data=st.data(), name=st.sampled_from(sorted(mat.available())))
def test_every_library_material_is_passive_and_finite_over_its_range(data, name):
    m = mat.get(name)
    lo, hi = m.wavelength_range
    wl = data.draw(st.lists(st.floats(min_value=lo, max_value=hi, allow_nan=False), min_size=1, max_size=8))
    n = m.n(np.array(wl))
    assert n.shape == (len(wl),)
    assert np.all(np.isfinite(n))
    assert np.all(n.imag >= 0)
    assert np.all(n.real > 0)


@given(st.floats(min_value=1.0, max_value=4.0), st.floats(min_value=0.0, max_value=2.0),
       st.floats(min_value=1.0, max_value=3.0), st.floats(min_value=0.0, max_value=0.5),
       st.floats(min_value=0.0, max_value=1.0), st.sampled_from(list(MixingRule)))
def test_mixing_passive_phases_stays_passive_and_finite(ni, ki, nh, kh, f, rule):
    eps = mat.mix_permittivity(complex(ni, ki) ** 2, complex(nh, kh) ** 2, f, rule)
    assert np.isfinite(eps) and eps.imag >= -1e-12


# ---- effective medium --------------------------------------------------------------------------------
A = Constant(2.5, 0.1, name="A", wavelength_range=(300, 1200))
B = Constant(1.46, name="B", wavelength_range=(400, 1500))


@pytest.mark.parametrize("rule", list(MixingRule))
def test_mixing_limits_f0_is_host_and_f1_is_inclusion(rule):
    wl = np.array([450.0, 630.0, 1000.0])
    assert np.allclose(mat.EffectiveMedium(A, B, 0.0, rule).n(wl), B.n(wl), rtol=1e-12)
    assert np.allclose(mat.EffectiveMedium(A, B, 1.0, rule).n(wl), A.n(wl), rtol=1e-12)


def test_mixed_range_is_the_intersection():
    m = mat.maxwell_garnett(A, B, 0.3)
    assert m.wavelength_range == (400.0, 1200.0)
    with pytest.raises(ValueError, match="outside the range"):
        m.n(350.0)
    far = Constant(1.3, name="far", wavelength_range=(2000, 3000))
    with pytest.raises(ValueError, match="do not overlap"):
        mat.bruggeman(A, far, 0.3)


def test_maxwell_garnett_and_bruggeman_agree_at_small_fraction():
    ei, eh = complex(2.5, 0.1) ** 2, 1.46**2
    dilute = eh + 3 * eh * (ei - eh) / (ei + 2 * eh)  # d eps / d f at f = 0, both rules (Choy ch. 1)
    for f in (1e-3, 1e-2):
        mg = mat.maxwell_garnett(A, B, f).n(630.0) ** 2
        br = mat.bruggeman(A, B, f).n(630.0) ** 2
        assert abs(mg - br) < 5 * f * f * abs(ei)  # they differ only at second order
        assert abs(mg - (eh + f * (dilute - eh))) < 5 * f * f * abs(ei)


def test_bruggeman_solves_its_equation_and_is_symmetric():
    f = 0.43
    ei, eh = complex(2.5, 0.1) ** 2, 1.46**2
    e = complex(mat.bruggeman(A, B, f).n(630.0)) ** 2
    assert abs(f * (ei - e) / (ei + 2 * e) + (1 - f) * (eh - e) / (eh + 2 * e)) < 1e-12
    assert complex(mat.bruggeman(B, A, 1 - f).n(630.0)) == pytest.approx(complex(mat.bruggeman(A, B, f).n(630.0)))


def test_lossless_mixtures_lie_within_wiener_and_hashin_shtrikman_bounds():
    a, b = Constant(2.5, name="a"), Constant(1.46, name="b")
    ea, eb = 2.5**2, 1.46**2
    for f in (0.1, 0.43, 0.8):
        upper = f * ea + (1 - f) * eb  # Wiener (arithmetic)
        lower = 1 / (f / ea + (1 - f) / eb)  # Wiener (harmonic)
        hs_low = eb + f / (1 / (ea - eb) + (1 - f) / (3 * eb))  # Hashin-Shtrikman lower = MG with host b
        mg = mat.maxwell_garnett(a, b, f).n(600.0).real ** 2
        br = mat.bruggeman(a, b, f).n(600.0).real ** 2
        lin = mat.linear_mixing(a, b, f).n(600.0).real ** 2
        assert lin == pytest.approx(upper)
        assert mg == pytest.approx(hs_low, rel=1e-12)
        assert lower < mg <= br < upper


def test_mixing_rule_accepts_strings_and_rejects_unknown():
    assert MixingRule.coerce("Maxwell-Garnett") is MixingRule.MAXWELL_GARNETT
    assert mat.EffectiveMedium(A, B, 0.2, "bruggeman").method is MixingRule.BRUGGEMAN
    with pytest.raises(ValueError, match=r"method must be one of .*'maxwell_garnett'.* got 'looyenga'"):
        mat.EffectiveMedium(A, B, 0.2, "looyenga")


@pytest.mark.parametrize("f", [-0.1, 1.5, float("nan")])
def test_fraction_outside_unit_interval_raises(f):
    with pytest.raises(ValueError, match="fraction"):
        mat.maxwell_garnett(A, B, f)


def test_inclusion_must_be_a_material():
    with pytest.raises(TypeError, match="inclusion of an effective medium must be a Material"):
        mat.bruggeman(2.5, B, 0.3)


# ---- QD film -----------------------------------------------------------------------------------------
def test_close_packed_fraction_of_10nm_dots_with_1nm_ligands():
    # docs/theory.md s.1.6: f = 0.43; hexagonal packing pi/(3 sqrt 2) of 12 nm capped spheres, (10/12)^3 inorganic
    assert mat.close_packed_fraction(10.0, 1.0) == pytest.approx(0.43, abs=0.002)
    assert mat.close_packed_fraction(10.0, 0.0) == pytest.approx(math.pi / math.sqrt(18))
    with pytest.raises(ValueError, match="ligand_thickness"):
        mat.close_packed_fraction(10.0, -1.0)


def test_library_qd_film_index_is_in_the_ema_band():
    film = mat.get("CdSe QD film")
    n = complex(film.n(620.0))
    assert 1.8 < n.real < 2.0 and n.imag == 0  # docs/theory.md s.1.6
    assert "effective medium" in film.reference and "estimate" in film.reference


def test_qd_film_builder_parameters():
    mg = mat.qd_film(method="maxwell_garnett")
    br = mat.qd_film(method=MixingRule.BRUGGEMAN)
    assert mg.fraction == pytest.approx(mat.close_packed_fraction(10.0, 1.0))
    assert 1.8 < mg.n(620.0).real < br.n(620.0).real < 2.0
    custom = mat.qd_film(core=Constant(2.6), ligand=Constant(1.48), volume_fraction=0.5, name="my film")
    assert custom.name == "my film" and custom.fraction == 0.5
    with pytest.raises(ValueError, match="method must be one of"):
        mat.qd_film(method="average")


# ---- refractiveindex.info reader ---------------------------------------------------------------------
def test_yaml_formula1_reproduces_malitson():
    m = load_refractiveindex(DATA / "ri_sio2_malitson_formula1.yml")
    assert m.n(632.8).real == pytest.approx(1.45702, abs=2e-5)
    assert m.wavelength_range == pytest.approx((210.0, 6700.0))
    assert "Malitson" in m.reference and "<i>" not in m.reference


def test_yaml_formula4_matches_written_out_formula():
    m = load_refractiveindex(DATA / "ri_zno_bond_formula4.yml")
    x = 0.55
    assert m.n(550.0).real == pytest.approx(math.sqrt(2.81418 + 0.87968 * x**2 / (x**2 - 0.3042**2) - 0.00711 * x**2))


def test_yaml_formula5_with_tabulated_k():
    m = load_refractiveindex(DATA / "ri_sodalime_formula5_k.yml")
    assert m.wavelength_range == pytest.approx((400.0, 700.0))  # intersection with the k table
    x = 0.55
    expected_n = 1.5130 - 0.003169 * x**2 + 0.003962 / x**2
    assert complex(m.n(550.0)) == pytest.approx(complex(expected_n, (1.5e-7 + 4.5e-7) / 2), rel=1e-12)


def test_yaml_tabulated_nk_and_separate_n_k():
    m = load_refractiveindex(DATA / "ri_tabulated_nk.yml", name="film")
    assert m.name == "film"
    assert complex(m.n(450.0)) == pytest.approx(1.95 + 0.075j)
    assert complex(m.n(700.0)) == pytest.approx(1.825 + 0.01j)
    s = load_refractiveindex(DATA / "ri_tabulated_n_and_k.yml")
    assert s.wavelength_range == pytest.approx((400.0, 900.0))
    assert complex(s.n(500.0)) == pytest.approx(1.55 + (0.010 - 0.008 * 0.2) * 1j)


def test_yaml_round_trip_of_a_tabulated_material(tmp_path):
    wl = np.linspace(400.0, 900.0, 11)
    t = mat.Tabulated(wl, 1.6 + 2e4 / wl**2, 0.01 * np.exp(-wl / 300), name="rt", reference="round trip")
    rows = "\n".join(f"        {float(w) / 1000!r} {float(a)!r} {float(b)!r}"
                     for w, a, b in zip(t.wavelength, t.n_data, t.k_data))
    (tmp_path / "rt.yml").write_text(f"REFERENCES: round trip\nDATA:\n  - type: tabulated nk\n    data: |\n{rows}\n")
    back = load_refractiveindex(tmp_path / "rt.yml")
    probe = np.linspace(400.0, 900.0, 37)
    assert np.allclose(back.n(probe), t.n(probe), rtol=1e-12)


def _write(tmp_path, formula, coeffs, rng="0.3 2.0"):
    p = tmp_path / f"f{formula}.yml"
    p.write_text(f"REFERENCES: test\nDATA:\n  - type: formula {formula}\n    wavelength_range: {rng}\n"
                 f"    coefficients: {' '.join(map(str, coeffs))}\n")
    return load_refractiveindex(p)


@pytest.mark.parametrize(
    "formula, coeffs, expected",
    [
        (2, (0, 1.1819, 0.011313), lambda x: math.sqrt(1 + 1.1819 * x**2 / (x**2 - 0.011313))),
        (3, (2.2, -0.01, 2, 0.012, -2), lambda x: math.sqrt(2.2 - 0.01 * x**2 + 0.012 / x**2)),
        (6, (0, 0.05792105, 238.0185, 0.00167917, 57.362),
         lambda x: 1 + 0.05792105 / (238.0185 - x**-2) + 0.00167917 / (57.362 - x**-2)),
        (7, (1.5, 0.004, 0.0002, -0.001, 1e-5, -1e-7),
         lambda x: 1.5 + 0.004 / (x**2 - 0.028) + 0.0002 / (x**2 - 0.028) ** 2 - 0.001 * x**2 + 1e-5 * x**4 - 1e-7 * x**6),
        (8, (0.28, 0.005, 0.02, -0.001),
         lambda x: math.sqrt((1 + 2 * (r := 0.28 + 0.005 * x**2 / (x**2 - 0.02) - 0.001 * x**2)) / (1 - r))),
        (9, (2.0, 0.02, 0.01, 0.001, 0.25, 0.01),
         lambda x: math.sqrt(2.0 + 0.02 / (x**2 - 0.01) + 0.001 * (x - 0.25) / ((x - 0.25) ** 2 + 0.01))),
    ],
)
def test_yaml_formulas_2_to_9(tmp_path, formula, coeffs, expected):
    m = _write(tmp_path, formula, coeffs)
    for lam in (400.0, 633.0, 1500.0):
        assert m.n(lam).real == pytest.approx(expected(lam / 1000), rel=1e-12)


@pytest.mark.parametrize(
    "filename, match",
    [
        ("ri_malformed_yaml.yml", "not valid YAML"),
        ("ri_unsupported_type.yml", r"unsupported type 'formula 12'"),
        ("ri_no_data.yml", "missing or empty 'DATA'"),
        ("ri_bad_row.yml", r"data row 2: expected 3 numbers"),
    ],
)
def test_malformed_yaml_files_raise_clear_errors(filename, match):
    with pytest.raises(RefractiveIndexFileError, match=match) as info:
        load_refractiveindex(DATA / filename)
    assert filename in str(info.value)
    assert isinstance(info.value, ValueError)


def test_yaml_without_n_raises_and_a_second_n_source_is_ignored_with_a_warning(tmp_path):
    p = tmp_path / "k_only.yml"
    p.write_text("DATA:\n  - type: tabulated k\n    data: |\n        0.4 0.1\n        0.5 0.1\n")
    with pytest.raises(RefractiveIndexFileError, match="no entry gives n"):
        load_refractiveindex(p)
    q = tmp_path / "two_n.yml"
    q.write_text("DATA:\n  - type: formula 5\n    wavelength_range: 0.3 1\n    coefficients: 1.5\n"
                 "  - type: tabulated n\n    data: |\n        0.4 1.7\n        0.5 1.7\n")
    with pytest.warns(mat.refractiveindex_yaml.RefractiveIndexDataWarning, match="second source of n, ignored"):
        m = load_refractiveindex(q)
    assert m.wavelength_range == pytest.approx((300.0, 1000.0))   # the ignored table does not narrow it
    assert complex(m.n(700.0)) == 1.5                               # the first source (formula 5: n = C1)


def test_yaml_cut_short_coefficient_pair_is_completed_with_zero():
    # the database convention: coefficients not listed are 0; formula 1 with C1 = 0, B1 = 0.6961663 and
    # C3 absent gives n^2 - 1 = 0.6961663 lambda^2 / (lambda^2 - 0^2) = 0.6961663
    with pytest.warns(mat.refractiveindex_yaml.RefractiveIndexDataWarning, match="C3 is taken as 0") as rec:
        m = load_refractiveindex(DATA / "ri_bad_coefficients.yml")
    assert "ri_bad_coefficients.yml" in str(rec[0].message)
    assert m.n(600.0).real == pytest.approx(math.sqrt(1.6961663), rel=1e-12)


def test_yaml_formula_giving_imaginary_index_is_reported(tmp_path):
    m = _write(tmp_path, 3, (-1.0,))  # n^2 = -1 everywhere
    with pytest.raises(ValueError, match="no real positive index"):
        m.n(500.0)

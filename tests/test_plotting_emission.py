"""plot_far_field and plot_power_split: (fig, ax), no show(), the plotted data are the results'
(and the split bands add up to 1, from power conservation)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import cavity as cv  # noqa: E402
import materials as mt  # noqa: E402
from cavity.optics.emission import dipole_emission, film_emission  # noqa: E402
from cavity.plotting.emission import (plot_far_field, plot_power_split, plot_power_split_results,  # noqa: E402
                                      power_split_sweep)

AG = mt.Constant(0.06, 4.2)


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("emission plots must not call show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


def _led():
    return cv.Stack([cv.Layer(mt.Constant(1.9, 0.01), 100, name="ITO"), cv.Layer(mt.Constant(1.8), 30, name="QD"),
                     cv.Layer(mt.Constant(2.0), 60, name="ZnO"), cv.Layer(AG, 100, name="Ag")],
                    incident=mt.Constant(1.52), substrate=mt.Constant(1.0))


def test_far_field_cartesian_plots_the_result():
    ang = np.linspace(0, 89, 90)
    r = dipole_emission(_led(), "QD", 630.0, position=15.0, orientation="isotropic", angles=ang)
    fig, ax = plot_far_field(r)
    assert fig is ax.figure
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert set(lines) == {f"{side} {pol}" for side in ("incident", "substrate") for pol in ("s + p", "s", "p")}
    # through 100 nm of silver, next to nothing reaches the air below
    assert np.max(lines["substrate s + p"].get_ydata()) < 1e-3 * np.max(lines["incident s + p"].get_ydata())
    np.testing.assert_array_equal(lines["incident s + p"].get_ydata(), r.incident_s + r.incident_p)
    np.testing.assert_array_equal(lines["incident s"].get_xdata(), ang)


def test_far_field_polar_and_normalised_film():
    st = cv.Stack([cv.Layer(mt.Constant(1.8), 40, name="QD")], incident=mt.Constant(1.0), substrate=mt.Constant(1.5))
    ang = np.linspace(0, 80, 41)
    f = film_emission(st, "QD", [620.0, 630.0], positions=2, angles=ang)
    fig, ax = plot_far_field(f, polar=True, normalize=True)
    assert ax.name == "polar"
    peak = max(np.max(f.incident_s + f.incident_p), np.max(f.substrate_s + f.substrate_p))
    ys = [ln.get_ydata() for ln in ax.get_lines()]
    assert max(np.max(y) for y in ys) == pytest.approx(1.0)
    assert any(np.allclose(y, (f.substrate_s + f.substrate_p) / peak) for y in ys)
    # the substrate lobe is drawn downwards (theta = 180 deg -/+ angle)
    subs = [ln for ln in ax.get_lines() if ln.get_label() == "substrate s + p"][0]
    assert np.allclose(subs.get_xdata(), np.pi - np.deg2rad(ang))


def test_far_field_needs_angles():
    r = dipole_emission(_led(), "QD", 630.0, position=15.0)
    with pytest.raises(ValueError, match="angles"):
        plot_far_field(r)
    with pytest.raises(TypeError, match="result"):
        plot_far_field({"angles": [0.0]})


def test_power_split_against_zno_thickness():
    zno = [30.0, 60.0, 120.0]
    fig, ax = plot_power_split(_led(), "QD", vary="ZnO", thicknesses=zno, wavelengths=630.0, positions=2)
    assert fig is ax.figure
    assert ax.get_xlabel() == "ZnO thickness (nm)"
    res = power_split_sweep(_led(), "QD", vary="ZnO", thicknesses=zno, wavelengths=630.0, positions=2)
    # the closer silver, the more surface-plasmon (and quenching) power
    assert res[0].plasmon_fraction > res[1].plasmon_fraction > res[2].plasmon_fraction > 0
    # stacked bands: the top of the stack is 1 (power conservation of every result)
    top = ax.collections[-1].get_paths()[0].vertices[:, 1]
    assert np.max(top) == pytest.approx(1.0, abs=1e-7)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "surface plasmons" in labels and "guided modes" in labels


def test_power_split_results_and_bad_inputs():
    rs = [dipole_emission(_led(), "QD", 630.0, position=z, orientation="vertical") for z in (5.0, 15.0, 25.0)]
    fig, ax = plot_power_split_results([5, 15, 25], rs, xlabel="position (nm)")
    assert ax.get_xlabel() == "position (nm)"
    with pytest.raises(ValueError, match="one result per x"):
        plot_power_split_results([1, 2], rs)
    with pytest.raises(ValueError, match="thicknesses"):
        power_split_sweep(_led(), "QD", vary="ZnO", thicknesses=[10.0, -1.0], wavelengths=630.0)
    with pytest.raises(ValueError, match="nope"):
        power_split_sweep(_led(), "QD", vary="nope", thicknesses=[10.0], wavelengths=630.0)

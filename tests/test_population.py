"""Batched thresholds of design populations agree with the one-design solver."""
import numpy as np
import pytest

import cavity as cv
import materials as mt
from cavity.lasing.population import threshold_population

LAM0 = 630.0
H, LOW, QD = mt.Constant(2.3, name="H"), mt.Constant(1.46, name="L"), mt.Constant(1.85, name="QD")


def design(t_before, t_after, pairs=6):
    core = [cv.Layer(LOW, t_before), cv.Layer(QD, 20.0, gain=True), cv.Layer(LOW, t_after)]
    return cv.microcavity(core, cv.dbr(H, LOW, pairs, LAM0), cv.dbr(LOW, H, pairs + 2, LAM0),
                          incident=mt.Constant(1.0), substrate=mt.Constant(1.52))


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(3)
    return [design(85 + 15 * rng.random(), 85 + 15 * rng.random()) for _ in range(24)]


def test_population_matches_single_design_solver(population):
    res = threshold_population(population, LAM0, threads=1)
    assert res.converged.all()
    for i in (0, 7, 23):
        th = cv.lasing_threshold(population[i], LAM0)
        assert res.wavelength[i] == pytest.approx(th.wavelength, abs=1e-7)
        assert res.material_gain[i] == pytest.approx(th.material_gain, rel=1e-7)
        assert res.passive_pole[i] == pytest.approx(th.passive.complex_wavelength, rel=1e-9)


def test_threaded_equals_serial(population):
    a = threshold_population(population, LAM0, threads=1)
    b = threshold_population(population, LAM0, threads=2)
    np.testing.assert_array_equal(a.material_gain, b.material_gain)
    np.testing.assert_array_equal(a.wavelength, b.wavelength)


def test_bad_population():
    with pytest.raises(ValueError, match="same layer count"):
        threshold_population([design(90, 90), design(90, 90, pairs=5)], LAM0)
    passive = cv.Stack([cv.Layer(LOW, 100.0)])
    with pytest.raises(ValueError, match="no gain layer"):
        threshold_population([passive], LAM0)
    with pytest.raises(ValueError, match="at least one design"):
        threshold_population([], LAM0)
    with pytest.raises(ValueError, match="search_width"):
        threshold_population([design(90, 90)], LAM0, search_width=-1.0)

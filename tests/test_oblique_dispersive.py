"""Off normal incidence with a dispersive outer medium: kx = n_0(lambda_th) sin(angle) at the lasing
wavelength (not at a fixed table wavelength), in the complete search and in the batched solver."""
import math

import numpy as np
import pytest

import cavity as cv
import materials as mt
from cavity.lasing.population import threshold_population

from reference import modes as R
from test_mode_search import REL_G, REL_LAM, reference_thresholds, to_planar

LAM0 = 630.0
GLASS = mt.get("borosilicate glass")  # Sellmeier BK7: n changes by ~1e-3 across 40 nm


def cavity_into_glass():
    hi, lo = mt.Constant(2.3, name="H"), mt.Constant(1.46, name="L")
    core = [cv.Layer(lo, 90.0), cv.Layer(mt.Constant(1.85, name="QD"), 20.0, gain=True), cv.Layer(lo, 90.0)]
    # emitted into the glass at 45 degrees: the glass is the incident medium of the calculation
    return cv.microcavity(core, cv.dbr(hi, lo, 6, LAM0), cv.dbr(lo, hi, 8, LAM0), incident=GLASS,
                          substrate=mt.Constant(1.0))


@pytest.mark.parametrize("pol", ["s", "p"])  # p: no mode below 2e5 cm^-1 (Brewster-weak mirrors)
def test_threshold_into_dispersive_glass_at_45_degrees(pol):
    stack = cavity_into_glass()
    lo, hi, gmax = 560.0, 700.0, 2e5
    ref = reference_thresholds(to_planar(stack, 45.0, pol), lo, hi, gmax)
    res = cv.threshold_modes(stack, (lo, hi), angle=45.0, polarization=pol, max_gain=gmax)
    assert res.complete and res.count == len(res.modes) == len(ref)
    for m in res.modes:
        hit = np.nonzero((np.abs(ref[:, 0] - m.wavelength) <= REL_LAM * m.wavelength)
                         & (np.abs(ref[:, 1] - m.material_gain) <= REL_G * m.material_gain))[0]
        assert hit.size == 1, (m.wavelength, m.material_gain, ref)
    # the same threshold with kx frozen at the window centre is measurably different: the test
    # can tell the two conventions apart
    frozen = R.planar(GLASS.n, 1.0, [lay.material.n for lay in stack.layers], [lay.thickness for lay in stack.layers],
                      [1.0 if lay.gain else 0.0 for lay in stack.layers],
                      kx=float(np.real(GLASS.n(np.array([0.5 * (lo + hi)]))[0])) * math.sin(math.radians(45.0)),
                      pol=pol)
    wrong = reference_thresholds(frozen, lo, hi, gmax)
    if len(res.modes):
        low = res.lowest
        assert np.min(np.abs(wrong[:, 0] - low.wavelength)) > 100 * REL_LAM * low.wavelength


def test_population_uses_kx_at_the_lasing_wavelength():
    stack = cavity_into_glass()
    th = cv.lasing_threshold(stack, 640.0, angle=45.0)
    pop = threshold_population([stack], th.wavelength, angle=45.0, search_width=30.0)
    assert pop.converged[0]
    assert pop.wavelength[0] == pytest.approx(th.wavelength, rel=1e-9)
    assert pop.material_gain[0] == pytest.approx(th.material_gain, rel=1e-6)

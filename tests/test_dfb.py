"""DFB gratings by the effective-index method + transfer-matrix pole, against Kogelnik-Shank
coupled-mode theory, Bloch stopbands of a 2x2 period matrix computed here, and symmetry."""
import math

import numpy as np
import pytest
from scipy.optimize import brentq

import materials as mt
from cavity import Layer, QDGainModel, Stack
from cavity.waveguide import coupled_mode_threshold
from cavity.waveguide.dfb import DFBGrating, DFBModes, dfb_threshold, etched_grating

NF, NC, NS = 1.85, 1.0, 1.46


def _te0(d, lam):
    """Analytic TE0 of the asymmetric slab air | film | SiO2 (transverse resonance, brentq)."""
    k0 = 2 * math.pi / lam

    def f(N):
        k = k0 * math.sqrt(NF ** 2 - N ** 2)
        return k * d - math.atan(k0 * math.sqrt(N ** 2 - NC ** 2) / k) - math.atan(k0 * math.sqrt(N ** 2 - NS ** 2) / k)

    return brentq(f, NS * (1 + 1e-12), NF * (1 - 1e-12), xtol=1e-15)


def _sections(t_tooth=200.0, t_groove=198.0):
    sub = mt.Constant(NS)
    tooth = Stack.of(Layer(mt.Constant(NF), t_tooth, name="QD", gain=True), substrate=sub)
    groove = Stack.of(Layer(mt.Constant(NF), t_groove, name="QD", gain=True), substrate=sub)
    return tooth, groove


def _bloch_edges(period, duty, lam_b, t_tooth=200.0, t_groove=198.0):
    """Stopband edges from the half trace of the 2x2 characteristic matrix of one period."""
    def half_trace(lam):
        na, nb = _te0(t_tooth, lam), _te0(t_groove, lam)
        k0 = 2 * math.pi / lam
        ma = np.array([[math.cos(k0 * na * duty * period), 1j * math.sin(k0 * na * duty * period) / na],
                       [1j * na * math.sin(k0 * na * duty * period), math.cos(k0 * na * duty * period)]])
        pb = k0 * nb * (1 - duty) * period
        mb = np.array([[math.cos(pb), 1j * math.sin(pb) / nb], [1j * nb * math.sin(pb), math.cos(pb)]])
        return 0.5 * np.trace(ma @ mb).real

    h = lambda lam: -half_trace(lam) - 1.0   # first order: cos(K Lambda) = -1 at the gap centre
    grid = np.linspace(lam_b - 3, lam_b + 3, 601)
    vals = np.array([h(x) for x in grid])
    inside = np.nonzero(vals > 0)[0]
    a, b = inside[0], inside[-1]
    return brentq(h, grid[a - 1], grid[a], xtol=1e-13), brentq(h, grid[b], grid[b + 1], xtol=1e-13)


@pytest.fixture(scope="module")
def uniform():
    tooth, groove = _sections()
    grating = DFBGrating(tooth, groove, 630.0, periods=750)
    return grating, dfb_threshold(grating, modes=4)


def test_bragg_wavelength_and_period(uniform):
    grating, res = uniform
    assert isinstance(res, DFBModes)
    nbar = 0.5 * (_te0(200.0, res.bragg_wavelength) + _te0(198.0, res.bragg_wavelength))
    assert res.period == pytest.approx(630.0 / (2 * nbar), rel=1e-9)
    assert res.n_eff[0].real == pytest.approx(_te0(200.0, res.bragg_wavelength), abs=1e-8)


def test_stopband_matches_bloch_edges_and_coupling_coefficient(uniform):
    grating, res = uniform
    lo, hi = _bloch_edges(res.period, 0.5, res.bragg_wavelength)
    assert res.stopband[0] == pytest.approx(lo, abs=2e-4)
    assert res.stopband[1] == pytest.approx(hi, abs=2e-4)
    # kappa from the stopband half width in beta: delta_beta = 2 pi n_g d_lambda / lambda^2
    lam = res.bragg_wavelength
    h = 0.05
    ng = 0.5 * sum(_te0(t, lam) - lam * (_te0(t, lam + h) - _te0(t, lam - h)) / (2 * h) for t in (200.0, 198.0))
    kappa_bloch = math.pi * ng * (hi - lo) / (lam * lam) * 1e7
    assert res.coupling_coefficient == pytest.approx(kappa_bloch, rel=1e-2)


def test_thresholds_reproduce_coupled_mode_theory(uniform):
    grating, res = uniform
    lo, hi = _bloch_edges(res.period, 0.5, res.bragg_wavelength)
    lam = res.bragg_wavelength
    ng = res.group_index
    kappa_L = math.pi * ng * (hi - lo) / (lam * lam) * res.length
    cmt = coupled_mode_threshold(kappa_L, "index", modes=4)
    L_cm = res.length * 1e-7
    tmm = [m.modal_gain * L_cm / 2 for m in res.modes[:4]]   # field gain alpha L
    assert 0.5 * (tmm[0] + tmm[1]) == pytest.approx(cmt[0].alpha_L, rel=5e-3)
    assert 0.5 * (tmm[2] + tmm[3]) == pytest.approx(cmt[2].alpha_L, rel=5e-3)
    # detuning of the lowest pair: delta L -> lambda (docs/theory.md s.4.2)
    dl = abs(cmt[0].delta_L) * lam ** 2 / (2 * math.pi * ng * res.length)
    assert abs(res.modes[0].detuning) == pytest.approx(dl, rel=5e-3)


def test_mode_pairs_symmetric_about_bragg(uniform):
    grating, res = uniform
    m = res.modes
    # the two band-edge modes of each pair lie on either side of the Bragg wavelength
    for a, b in ((m[0], m[1]), (m[2], m[3])):
        assert a.detuning * b.detuning < 0
        assert abs(a.detuning + b.detuning) < 2e-3 * abs(a.detuning - b.detuning)
        # the tiny residual asymmetry comes from Gamma_tooth != Gamma_groove (a weak gain grating)
        assert a.material_gain == pytest.approx(b.material_gain, rel=5e-3)
    # a uniform index grating has no side-mode discrimination: the band-edge pair is degenerate
    # (Kogelnik & Shank 1972), so the reported margin is only the weak gain-grating splitting
    assert 0.0 <= res.side_mode_margin < 5e-3 * m[0].material_gain
    assert all(x.material_gain <= y.material_gain for x, y in zip(m, m[1:]))


def test_the_lowest_modes_are_the_lowest_of_the_complete_set(uniform):
    """``modes=4`` reports the four lowest thresholds of the complete search (not the four found
    first), with the margin of the complete set."""
    grating, res = uniform
    four = dfb_threshold(grating, modes=4)
    assert len(four.modes) == 4 and four.count == res.count
    for a, b in zip(res.modes[:4], four.modes):
        assert a.wavelength == pytest.approx(b.wavelength, abs=1e-8)
        assert a.material_gain == pytest.approx(b.material_gain, rel=1e-8)
    assert four.side_mode_margin == pytest.approx(res.side_mode_margin, rel=1e-8)


def test_quarter_wave_shift_lases_at_bragg_with_coupled_mode_threshold(uniform):
    tooth, groove = _sections()
    res = dfb_threshold(DFBGrating(tooth, groove, 630.0, periods=750, phase_shifts="quarter_wave"))
    low = res.lowest
    assert abs(low.detuning) < 0.02 * (res.stopband[1] - res.stopband[0])
    cmt = coupled_mode_threshold(res.kappa_L, "index", modes=1, phase_shift="quarter_wave")[0]
    assert low.modal_gain * res.length * 1e-7 / 2 == pytest.approx(cmt.alpha_L, rel=1e-2)
    assert res.side_mode_margin > 50.0   # single-mode, unlike the uniform grating
    assert low.material_gain < uniform[1].lowest.material_gain


def test_radiation_loss_adds_to_the_threshold():
    tooth, groove = _sections()
    # the user's constant radiation loss on the plain 1D model (radiation="none"); the computed
    # radiation is tested in tests/test_dfb_second_order.py
    base = dfb_threshold(DFBGrating(tooth, groove, 630.0, periods=400, order=2, duty_cycle=0.3, radiation="none"))
    lossy = dfb_threshold(DFBGrating(tooth, groove, 630.0, periods=400, order=2, duty_cycle=0.3, radiation_loss=50.0,
                                     radiation="none"))
    gam = 0.3 * base.confinement[0] + 0.7 * base.confinement[1]
    assert lossy.lowest.material_gain - base.lowest.material_gain == pytest.approx(50.0 / gam, rel=5e-3)
    assert "radiation" in base.limitations and "NOT computed" in base.limitations
    assert "50 cm^-1" in lossy.limitations
    nbar = 0.3 * _te0(200, base.bragg_wavelength) + 0.7 * _te0(198, base.bragg_wavelength)
    assert base.period == pytest.approx(2 * 630.0 / (2 * nbar), rel=1e-9)
    # by default a second-order TE grating computes its radiation; first order and TM do not
    assert DFBGrating(tooth, groove, 630.0, periods=400, order=2).radiation.value == "coupled_wave"
    assert DFBGrating(tooth, groove, 630.0, periods=400).radiation.value == "none"
    assert DFBGrating(tooth, groove, 630.0, periods=400, order=2, polarization="TM").radiation.value == "none"


def test_cleaved_facets_and_current_density():
    tooth, groove = _sections()
    res = dfb_threshold(DFBGrating(tooth, groove, 630.0, periods=500, facets=("cleaved", "ar")),
                        gain_model=QDGainModel())
    assert len(res) >= 2 and all(m.converged for m in res)
    # the grating's QD film sets the dot areal density: the period average of its thickness
    film = 0.5 * sum(s.layers[i].thickness for s in (tooth, groove) for i in s.gain_layer_indices)
    model = QDGainModel().for_film_thickness(film)
    low = res.lowest
    # the forward gain model at J_th gives the threshold gain back (the film-thickness rule above fixes the model)
    assert float(model.material_gain(low.current_density, low.wavelength)) == pytest.approx(low.material_gain, rel=1e-9)
    assert low.internal_loss == 0.0  # no absorbing layer in the sections


def test_lossy_section_internal_loss_enters_the_threshold():
    """An absorbing ITO film on the grating raises the modal threshold gain by its modal absorption:
    the same grating with a lossless ITO (k = 0) is the reference, and the absorption is the
    sections' slab-mode loss (4 pi / lambda) Im n_eff, period-averaged (weak loss, first order)."""
    from cavity.waveguide import guided_modes

    sub = mt.Constant(NS)
    ito = mt.get("ITO")
    n_ito = complex(ito.n(630.0))
    lossless_ito = mt.Constant(n_ito.real)

    def mk(t, film):
        return Stack.of(Layer(mt.Constant(NF), t, gain=True), Layer(film, 20.0), substrate=sub)

    lossy = dfb_threshold(DFBGrating(mk(200.0, ito), mk(198.0, ito), 630.0, periods=500)).lowest
    clear = dfb_threshold(DFBGrating(mk(200.0, lossless_ito), mk(198.0, lossless_ito), 630.0, periods=500)).lowest
    assert clear.internal_loss == 0.0 and n_ito.imag > 0
    absorption = np.mean([4e7 * math.pi / 630.0 * guided_modes(mk(t, ito), 630.0, "TE")[0].n_eff.imag
                          for t in (200.0, 198.0)])
    assert absorption > 1.0
    assert lossy.internal_loss == pytest.approx(absorption, rel=0.01)
    assert lossy.modal_gain - clear.modal_gain == pytest.approx(absorption, rel=0.01)


def test_etched_grating_geometry():
    sub = mt.Constant(NS)
    stack = Stack.of(Layer(mt.Constant(NF), 100.0, name="QD", gain=True), Layer(mt.Constant(2.0), 80.0, name="TiO2"),
                     Layer(mt.Constant(1.7), 50.0, name="low"), substrate=sub)
    tooth, groove = etched_grating(stack, 1, etch_depth=100.0)
    assert tooth is stack
    assert [l.label for l in groove] == ["QD", "QD (fill)", "low"]
    assert groove.thicknesses.tolist() == [100.0, 100.0, 30.0]
    assert groove.layers[1].gain
    with pytest.raises(ValueError, match="etch_depth"):
        etched_grating(stack, 1, etch_depth=500.0)


@pytest.mark.parametrize("kwargs, name", [
    (dict(duty_cycle=1.2), "duty_cycle"),
    (dict(periods=10, length=1000.0), "periods"),
    (dict(facets=("mirror", "ar")), "facets"),
    (dict(phase_shifts=((1.5, math.pi),)), "phase_shifts"),
    (dict(order=0), "order"),
    (dict(radiation_loss=-1.0), "radiation_loss"),
    (dict(period=-5.0), "period"),
    (dict(polarization="XY"), "polarization"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    tooth, groove = _sections()
    base = dict(periods=100)
    base.update(kwargs)
    if "length" in kwargs:
        base["periods"] = 10
    with pytest.raises(ValueError, match=name):
        DFBGrating(tooth, groove, 630.0, **base)


def test_missing_gain_layer_and_bad_mode_order_raise():
    sub = mt.Constant(NS)
    plain = Stack.of(Layer(mt.Constant(NF), 200.0), substrate=sub)
    with pytest.raises(ValueError, match="gain=True"):
        dfb_threshold(DFBGrating(plain, plain, 630.0, periods=100))
    tooth, groove = _sections()
    with pytest.raises(ValueError, match="mode_order"):
        dfb_threshold(DFBGrating(tooth, groove, 630.0, periods=100, mode_order=3))
    with pytest.raises(TypeError, match="grating"):
        dfb_threshold("grating")


def test_example_runs_and_saves_figures(tmp_path):
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[1] / "examples" / "dfb_laser.py"
    spec = importlib.util.spec_from_file_location("dfb_laser_example", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    res = mod.main(["--periods", "300", "--out", str(tmp_path)])
    assert res.lowest.converged and res.lowest.material_gain > 0
    assert (tmp_path / "dfb_mode_profile.png").exists() and (tmp_path / "dfb_thresholds.png").exists()


def test_out_coupling_is_positive_for_a_strongly_coupled_lossy_grating():
    """Energy-weighted modal gain minus internal loss (the out-coupling) stays positive where
    length averages go negative: band-edge modes sit in one section type (kappa L >> 1)."""
    sub = mt.Constant(NS)
    ito = mt.get("ITO")
    mk = lambda t: Stack.of(Layer(mt.Constant(NF), t, gain=True), Layer(ito, 20.0), substrate=sub)
    res = dfb_threshold(DFBGrating(mk(200.0), mk(150.0), 630.0, periods=600), modes=4)
    assert res.kappa_L > 5
    for m in res.modes[:4]:
        assert m.outcoupling_loss > 0


@pytest.mark.parametrize("kw", [dict(periods=600, radiation_loss=40.0, phase_shifts="quarter_wave"),
                                dict(periods=800, facets=("cleaved", "ar"))])
def test_periodic_field_sums_equal_the_per_section_integrals(kw):
    """The mode figures from the doubling sums over repeated periods equal the per-section closed
    forms over all 2N+1 sections (cavity.lasing.threshold.mode_energy_weights)."""
    import math
    from cavity.conventions import NM_TO_CM
    from cavity.waveguide.dfb import _mode_weights, _problem
    from cavity.lasing.threshold import mode_energy_weights

    tooth, groove = _sections()
    grating = DFBGrating(tooth, groove, 630.0, **kw)
    res = dfb_threshold(grating, modes=4)
    problem, mp, _, _ = _problem(grating, res.sections)
    for m in res.modes:
        gam, a_i = _mode_weights(problem, mp, m.wavelength, m.material_gain)
        w, _, _, n_pass = mode_energy_weights(problem, m.wavelength, m.material_gain)
        ref_gam = (problem.mask * w).sum() / w.sum()
        ref_ai = (w * 4 * math.pi * n_pass.imag / (m.wavelength * NM_TO_CM)).sum() / w.sum()
        assert gam == pytest.approx(ref_gam, rel=1e-8)
        assert a_i == pytest.approx(ref_ai, rel=1e-8, abs=1e-10)

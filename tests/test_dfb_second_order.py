"""Second-order DFB gratings with radiation (issue 17; docs/dfb.md).

Independent truth: the RCWA reference (tests/reference/grating_rcwa.py, Inkstone: complex poles of
the full scattering matrix of the infinite grating), Kogelnik-Shank coupled-mode theory with a
complex coupling, the depth^2 / sin^2(pi D) laws of first-order perturbation theory, the energy
balance of each mode's own fields, and the sinc^2 far field of a uniform aperture.
"""
import functools
import math
from dataclasses import replace

import numpy as np
import pytest

import materials as mt
from cavity import Layer, Stack
from cavity.waveguide import coupled_mode_threshold
from cavity.waveguide.dfb import (DFBGrating, FarField, GratingRadiation, SurfaceEmission, dfb_threshold,
                                  etched_grating, far_field, surface_emission)
from cavity.waveguide.second_order import RadiativeCoupling, radiative_coupling

N_FILM, N_GLASS = 1.70, 1.52
FILM, PERIOD, NEAR = 200.0, 408.0, 632.0


def _stack(k_film=0.0):
    qd = mt.Constant(N_FILM, k_film)
    glass = mt.Constant(N_GLASS)
    return Stack.of(Layer(qd, FILM, gain=True), Layer(glass, 100.0), incident=mt.Constant(1.0), substrate=glass)


def _sections(depth):
    return etched_grating(_stack(), 1, depth)


def _grating(depth=20.0, duty=0.3, periods=300, radiation="coupled_wave", k_film=0.0, **kw):
    return DFBGrating.etched(_stack(k_film), 1, NEAR, etch_depth=depth, period=PERIOD, duty_cycle=duty, order=2,
                             periods=periods, radiation=radiation, **kw)


# ------------------------------------------------------------------------------------------------
# the infinite grating against RCWA
# ------------------------------------------------------------------------------------------------
# (depth nm, duty, wavelength tolerance nm, relative Q tolerance)
RCWA_CASES = [
    (10.0, 0.3, 0.025, 0.04),
    (20.0, 0.5, 0.025, 0.04),
    (20.0, 0.7, 0.025, 0.04),
    (40.0, 0.3, 0.08, 0.07),
    (60.0, 0.5, 0.08, 0.07),
]


@functools.lru_cache(maxsize=None)
def _rcwa(depth, duty):
    pytest.importorskip("inkstone", reason="the RCWA reference needs inkstone (pip install inkstone==0.3.15)")
    from tests.reference.grating_rcwa import band_edge_modes

    return band_edge_modes([(N_FILM, FILM), (N_GLASS, N_FILM, duty, depth)], PERIOD, 1.0, N_GLASS, NEAR,
                           harmonics=21)


@pytest.mark.parametrize("depth,duty,tol_nm,tol_q", RCWA_CASES)
def test_band_edges_against_rcwa(depth, duty, tol_nm, tol_q):
    ref = _rcwa(depth, duty)
    tooth, groove = _sections(depth)
    rc = radiative_coupling(tooth, groove, NEAR, PERIOD, duty)
    ours = rc.band_edges()
    for m, r in zip(ours, ref.modes):          # both sorted by wavelength
        assert m.dark == r.dark                # the same edge is dark
        assert m.wavelength == pytest.approx(r.wavelength_nm, abs=tol_nm)
        if not r.dark:
            assert m.q == pytest.approx(r.q, rel=tol_q)
            assert m.fraction_up == pytest.approx(r.fraction_up, abs=0.005)
        else:
            assert math.isinf(m.q) and m.radiation_loss == 0.0
    if duty != 0.5:   # the gap, first order in the depth, to a few per cent
        gap_ref = ref.long.wavelength_nm - ref.short.wavelength_nm
        assert ours[1].wavelength - ours[0].wavelength == pytest.approx(gap_ref, rel=0.04)


@pytest.mark.parametrize("depth,duty,tol_nm,tol_q", [(20.0, 0.5, 0.01, 0.03), (20.0, 0.3, 0.05, 0.10)])
def test_air_groove_grating_in_the_film_against_rcwa(depth, duty, tol_nm, tol_q):
    """A grating etched into the top of a 220 nm QD film (air grooves, eps step 1.9): the
    perturbative model's error grows with depth x contrast (docs/dfb.md s.4)."""
    pytest.importorskip("inkstone", reason="the RCWA reference needs inkstone (pip install inkstone==0.3.15)")
    from tests.reference.grating_rcwa import band_edge_modes

    film = Stack.of(Layer(mt.Constant(N_FILM), 220.0, gain=True), incident=mt.Constant(1.0),
                    substrate=mt.Constant(N_GLASS))
    tooth, groove = etched_grating(film, 0, depth)
    ours = radiative_coupling(tooth, groove, NEAR, PERIOD, duty).band_edges()
    ref = band_edge_modes([(N_FILM, 1.0, duty, depth), (N_FILM, 220.0 - depth)], PERIOD, 1.0, N_GLASS,
                          0.5 * (ours[0].wavelength + ours[1].wavelength), harmonics=21)
    for m, r in zip(ours, ref.modes):
        assert m.dark == r.dark
        assert m.wavelength == pytest.approx(r.wavelength_nm, abs=tol_nm)
        if not r.dark:
            assert m.q == pytest.approx(r.q, rel=tol_q)
            assert m.fraction_up == pytest.approx(r.fraction_up, abs=0.005)


def test_radiation_grows_as_depth_squared_and_sin_squared_of_duty():
    z = {}
    for depth in (2.0, 4.0, 8.0):
        tooth, groove = _sections(depth)
        z[depth] = radiative_coupling(tooth, groove, NEAR, PERIOD, 0.5)
    # Im zeta ~ (eps_1 depth)^2 for a thin grating
    assert z[4.0].zeta.imag / z[2.0].zeta.imag == pytest.approx(4.0, rel=0.03)
    assert z[8.0].zeta.imag / z[4.0].zeta.imag == pytest.approx(4.0, rel=0.05)
    tooth, groove = _sections(2.0)
    for duty in (0.2, 0.35, 0.8):
        rc = radiative_coupling(tooth, groove, NEAR, PERIOD, duty)
        ratio = rc.zeta.imag / z[2.0].zeta.imag
        assert ratio == pytest.approx(math.sin(math.pi * duty) ** 2, rel=0.01)
        # kappa_2 ~ sin(2 pi D): it changes sign at D = 1/2 (the dark edge swaps side)
        assert math.copysign(1.0, rc.kappa2) == -math.copysign(1.0, math.sin(2 * math.pi * duty))
    assert abs(z[2.0].kappa2) < 1e-9 * abs(radiative_coupling(tooth, groove, NEAR, PERIOD, 0.3).kappa2) + 1e-12


def test_radiated_power_equals_the_imaginary_part_of_zeta():
    # optical theorem of the Green's function: flux up + down of the radiated amplitudes = 2 Im zeta
    for depth in (10.0, 50.0):
        tooth, groove = _sections(depth)
        rc = radiative_coupling(tooth, groove, NEAR, PERIOD, 0.4)
        assert rc.loss_up + rc.loss_down == pytest.approx(2 * rc.zeta.imag, rel=1e-6)
        assert 0 < rc.fraction_up < 1 and rc.fraction_up + rc.fraction_down == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------------
# finite gratings
# ------------------------------------------------------------------------------------------------
def _zeta_off(monkeypatch):
    """Nothing added to the 1D model (the radiative coupling switched off)."""
    monkeypatch.setattr(RadiativeCoupling, "added_to_1d", property(lambda self: (0j, 0j)))


@pytest.mark.parametrize("kw", [dict(), dict(phase_shifts="quarter_wave"),
                                dict(facets=("cleaved", "cleaved"), end_cut=(0.3, 0.55))])
def test_zero_radiative_coupling_gives_the_index_coupled_thresholds(monkeypatch, kw):
    plain = dfb_threshold(_grating(radiation="none", **kw), max_gain=2000.0)
    _zeta_off(monkeypatch)
    split = dfb_threshold(_grating(**kw), max_gain=2000.0)
    assert split.count == plain.count
    for a, b in zip(split.modes[:6], plain.modes[:6]):
        assert a.wavelength == pytest.approx(b.wavelength, abs=1e-6)
        assert a.material_gain == pytest.approx(b.material_gain, rel=1e-6)


def test_first_order_reports_zero_radiation():
    glass = mt.Constant(1.46)
    st = Stack.of(Layer(mt.Constant(1.85), 200.0, gain=True), Layer(glass, 50.0), substrate=glass)
    res = dfb_threshold(DFBGrating.etched(st, 1, 630.0, etch_depth=5.0, periods=300), max_gain=3000.0)
    for m in res.modes:
        assert m.radiation_loss == 0.0 and m.fraction_up == 0.0 and m.fraction_down == 0.0
    assert res.radiative is None


@pytest.mark.parametrize("kw", [dict(), dict(phase_shifts="quarter_wave"), dict(k_film=2e-4),
                                dict(facets=("cleaved", "ar"), end_cut=(0.25, 0.0))])
def test_energy_balance_of_each_mode(kw):
    """gain = internal + radiation + edge loss, each from the mode's own field (not the pole)."""
    res = dfb_threshold(_grating(**kw), max_gain=3000.0)
    assert res.complete
    for m in res.modes[:4]:
        total = m.internal_loss + m.radiation_loss + m.edge_loss
        assert m.modal_gain == pytest.approx(total, rel=2e-3)
        assert m.radiation_loss > 0 and m.edge_loss > 0
        assert m.fraction_up == pytest.approx(res.radiative.fraction_up)
    if kw.get("k_film"):
        # internal loss: the film's absorption weighted by the confinement of each section
        lam = res.modes[0].wavelength
        alpha_film = 4 * math.pi * kw["k_film"] / (lam * 1e-7)
        gam = 0.3 * res.confinement[0] + 0.7 * res.confinement[1]
        assert res.modes[0].internal_loss == pytest.approx(gam * alpha_film, rel=0.03)


@pytest.mark.parametrize("shift", [None, math.pi])
def test_against_coupled_mode_theory_with_complex_coupling(shift):
    """Kogelnik-Shank (the package's coupled_mode module, written in the conjugate convention
    exp(-i beta z)) with kappa -> conj(kappa_2 + Z_o) and the self-coupling Z_d: alpha = alpha_KS +
    Im Z_d, delta = delta_KS - Re Z_d about the mean-permittivity Bragg wavelength.  A quarter-wave
    shift (Lambda/4 at order 2) is a jump pi of the whole coupling, radiative part included."""
    kw = dict(phase_shifts="quarter_wave") if shift else {}
    res = dfb_threshold(_grating(periods=400, **kw), max_gain=3000.0)
    rc = res.radiative
    L_cm = res.length * 1e-7
    ks = coupled_mode_threshold(np.conj(rc.coupling) * L_cm, "complex", modes=4, phase_shift=shift)
    gam = 0.3 * res.confinement[0] + 0.7 * res.confinement[1]
    lam_b = rc.bragg_wavelength
    ks_modes = []
    for m in ks:
        g = 2 * (m.alpha_L / L_cm + rc.diagonal.imag) / gam
        delta = m.delta_L / L_cm - rc.diagonal.real
        ks_modes.append((g, lam_b - delta * (lam_b * 1e-7) ** 2 / (2 * math.pi * rc.group_index) * 1e7))
    ks_modes.sort()
    for m, (g_ks, lam_ks) in zip(res.modes[:2], ks_modes[:2]):
        assert m.material_gain == pytest.approx(g_ks, rel=0.02)
        assert m.wavelength == pytest.approx(lam_ks, abs=0.01)


def _bloch_edges_of_the_threshold_model(depth, duty, starts):
    """Complex band edges of the 1D model dfb_threshold solves (sections + added terms), from the
    half trace of one period's 2x2 characteristic matrix (Born & Wolf s.1.6) written here."""
    from cavity.waveguide.dfb import _layout, grating_sections
    from cavity.waveguide.second_order import merge_pieces, modulated_pieces, modulated_rows

    gr = _grating(depth, duty, periods=3)
    sec = grating_sections(gr)
    rc = radiative_coupling(gr.tooth, gr.groove, sec.bragg_wavelength, sec.period, duty, section_indices=sec.n_at)
    types, lengths, _ = _layout(replace(gr, end_cut=(0.0, 0.0)), sec.period)
    typ, sign, plen, bins = modulated_pieces(types, lengths, sec.period, duty)
    keys, mlen = merge_pieces(typ[bins == 1], sign[bins == 1], plen[bins == 1])
    rows = modulated_rows(sec.n_eff, sec.lam_tab, *rc.added_to_1d)
    slope = [np.gradient(r.real, sec.lam_tab) for r in rows]

    def f(lam):   # Tr(M)/2 - 1 at complex lam, the rows continued linearly
        m = np.eye(2, dtype=complex)
        for k, ell in zip(keys, mlen):
            n = np.interp(lam.real, sec.lam_tab, rows[k].real) + 1j * np.interp(lam.real, sec.lam_tab, rows[k].imag) \
                + np.interp(lam.real, sec.lam_tab, slope[k]) * (lam - lam.real)
            ph = 2 * np.pi / lam * n * ell
            m = np.array([[np.cos(ph), 1j * np.sin(ph) / n], [1j * n * np.sin(ph), np.cos(ph)]]) @ m
        return 0.5 * (m[0, 0] + m[1, 1]) - 1.0

    out = []
    for x0 in starts:
        x0, x1 = complex(x0), complex(x0) + 0.01
        for _ in range(80):
            f0, f1 = f(x0), f(x1)
            x0, x1 = x1, x1 - f1 * (x1 - x0) / (f1 - f0)
            if abs(x1 - x0) < 1e-11:
                break
        out.append(x1)
    return out


@pytest.mark.parametrize("depth,duty", [(20.0, 0.3), (40.0, 0.7)])
def test_threshold_model_band_edges_against_rcwa(depth, duty):
    """The finite-grating model (1D sections + the added terms) has the RCWA band edges too."""
    ref = _rcwa(depth, duty)
    edges = _bloch_edges_of_the_threshold_model(depth, duty, [m.wavelength_nm for m in ref.modes])
    for lam, m in zip(edges, ref.modes):
        assert lam.real == pytest.approx(m.wavelength_nm, abs=0.025 if depth <= 20 else 0.08)
        q = lam.real / (2 * lam.imag)
        if m.dark:
            assert abs(q) > 1e5            # dark up to the square wave's 6th harmonic
        else:
            assert q == pytest.approx(m.q, rel=0.04 if depth <= 20 else 0.07)


def test_dark_edge_mode_lases_first_and_radiates_less():
    res = dfb_threshold(_grating(periods=600), max_gain=2000.0)
    edges = res.radiative.band_edges()
    dark = [e for e in edges if e.dark][0]
    bright = [e for e in edges if not e.dark][0]
    low = res.modes[0]
    # the lowest-threshold mode sits on the dark side of the stopband
    assert abs(low.wavelength - dark.wavelength) < abs(low.wavelength - bright.wavelength)
    other = min(res.modes[1:], key=lambda m: abs(m.wavelength - bright.wavelength))
    assert low.radiation_loss < other.radiation_loss
    # at most the Bloch mode's 4 Im zeta
    assert other.radiation_loss < bright.radiation_loss


# ------------------------------------------------------------------------------------------------
# near and far field
# ------------------------------------------------------------------------------------------------
def test_far_field_of_a_uniform_aperture_is_sinc_squared():
    L, lam = 100e3, 630.0
    z = np.arange(-L / 2 + 200, L / 2, 400.0)
    em = SurfaceEmission(z, np.ones(z.size, complex), np.ones(z.size), lam, 1.0, 0.5, 0.5)
    ff = far_field(em, np.linspace(-1.0, 1.0, 4001))
    x = math.pi * L / lam * np.sin(np.radians(ff.angle))
    sinc2 = np.where(x == 0, 1.0, np.sin(x) / np.where(x == 0, 1.0, x)) ** 2
    assert np.max(np.abs(ff.intensity - sinc2)) < 1e-3
    assert ff.divergence == pytest.approx(math.degrees(0.8859 * lam / L), rel=0.01)


def test_surface_emission_of_the_lasing_mode():
    res = dfb_threshold(_grating(phase_shifts="quarter_wave"), max_gain=3000.0)
    em = surface_emission(res, 0)
    assert em.position.size == res.periods
    assert em.position[0] == pytest.approx(-em.position[-1], abs=1.0)       # centred
    assert np.max(em.intensity) == pytest.approx(1.0)
    # a quarter-wave-shifted mode peaks at the shift, in the middle
    assert abs(em.position[np.argmax(em.intensity)]) < 0.1 * res.length
    ff = far_field(em)
    assert isinstance(ff, FarField) and 0 < ff.divergence < 5 * math.degrees(em.wavelength / res.length)


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------
def test_bad_input_names_the_parameter():
    tooth, groove = _sections(20.0)
    with pytest.raises(ValueError, match="order"):
        DFBGrating(tooth, groove, NEAR, periods=100, radiation="coupled_wave")
    with pytest.raises(ValueError, match="TE"):
        DFBGrating(tooth, groove, NEAR, periods=100, order=2, polarization="TM", radiation="coupled_wave")
    with pytest.raises(ValueError, match="radiation"):
        DFBGrating(tooth, groove, NEAR, periods=100, order=2, radiation="rigorous")
    assert DFBGrating(tooth, groove, NEAR, periods=100, order=2, radiation="coupled-wave").radiation \
        is GratingRadiation.COUPLED_WAVE
    with pytest.raises(ValueError, match="duty_cycle"):
        radiative_coupling(tooth, groove, NEAR, PERIOD, 1.0)
    with pytest.raises(ValueError, match="no grating"):
        radiative_coupling(tooth, tooth, NEAR, PERIOD, 0.5)
    plain = dfb_threshold(_grating(radiation="none", periods=100), max_gain=3000.0)
    with pytest.raises(ValueError, match="coupled_wave"):
        surface_emission(plain)
    res = dfb_threshold(_grating(periods=100), max_gain=3000.0)
    with pytest.raises(ValueError, match="mode"):
        surface_emission(res, 99)
    em = surface_emission(res)
    with pytest.raises(ValueError, match="angles"):
        far_field(em, [0.0, 95.0, 1.0])


def test_design_search_evaluator_takes_second_order_gratings():
    from cavity.waveguide.dfb import DFBEvaluator

    gratings = [_grating(periods=200), _grating(periods=200, duty=0.7)]
    got = DFBEvaluator().thresholds(gratings, None)
    for i, gr in enumerate(gratings):
        low = dfb_threshold(gr, modes=1).lowest
        assert got.converged[i]
        assert got.material_gain[i] == pytest.approx(low.material_gain)
        assert got.wavelength[i] == pytest.approx(low.wavelength)


def test_square_wave_follows_the_grating_phase_across_a_quarter_wave_shift():
    """The cos(2Kz) harmonic of the added square wave jumps with the grating's own second harmonic
    (both by pi at a Lambda/4 shift), and the square wave has no 0th or 1st harmonic."""
    from cavity.waveguide.dfb import _layout
    from cavity.waveguide.second_order import modulated_pieces

    period, duty = 400.0, 0.3
    gr = _grating(duty=duty, periods=40, phase_shifts="quarter_wave")
    types, lengths, _ = _layout(gr, period)
    typ, sign, plen, bins = modulated_pieces(types, lengths, period, duty)
    z0 = np.concatenate(([0.0], np.cumsum(plen)[:-1]))
    K = 2 * math.pi / period
    nb = bins.max() + 1

    def harmonic(values, q, sel):   # int values(z) exp(-i q K z) dz over the selected pieces
        c = np.where(np.abs(q * K * plen) > 0, (np.exp(-1j * q * K * (z0 + plen)) - np.exp(-1j * q * K * z0))
                     / (-1j * q * K + (q == 0)), plen)
        return np.sum(values[sel] * c[sel])

    left, right = (bins >= 1) & (bins < nb // 2 - 1), (bins > nb // 2 + 1) & (bins < nb - 1)   # whole periods
    tooth = np.where(typ == 0, 1.0, 0.0)
    for q, flip in ((2, -1.0),):
        per = np.unique(bins[left]).size / np.unique(bins[right]).size   # per period
        ratio_sq = per * harmonic(sign, q, right) / harmonic(sign, q, left)
        ratio_gr = per * harmonic(tooth, q, right) / harmonic(tooth, q, left)
        assert ratio_sq == pytest.approx(flip, abs=1e-9) and ratio_gr == pytest.approx(flip, abs=1e-9)
    for q in (0, 1):
        assert abs(harmonic(sign, q, left)) < 1e-6 * abs(harmonic(sign, 2, left))


def test_results_serialise():
    import json

    res = dfb_threshold(_grating(periods=100), modes=2)
    em = surface_emission(res)
    for r in (res, res.radiative, res.radiative.band_edges()[0], em, far_field(em)):
        json.dumps(r.to_dict(), allow_nan=False)

"""One vocabulary (issue 14): results store the Polarization member, and every threshold result
names its losses the same way (docs/theory.md s.3.5).

The loss checks compare with physical truth: a structure without an absorbing material absorbs
nothing (``internal_loss = 0``), and a grating's light leaves through its ends or its surface
(``outcoupling_loss = edge_loss + radiation_loss`` with the edge loss from the field's flux)."""
from __future__ import annotations

import json
import math

import pytest

import materials as mt
from cavity import Layer, Stack
from cavity.optics.spectra import Polarization, field_profile, spectrum
from cavity.waveguide.coupled_mode import coupled_mode_device_threshold, coupled_mode_threshold
from cavity.waveguide.dfb import DFBGrating, dfb_threshold
from cavity.waveguide.slab import guided_modes

NF, NS = 1.85, 1.46


def _film(d=200.0):
    return Stack.of(Layer(mt.Constant(NF), d, name="QD", gain=True), substrate=mt.Constant(NS))


def test_parse_and_label():
    for text, member in (("s", Polarization.S), ("TE", Polarization.S), ("te", Polarization.S),
                         ("p", Polarization.P), ("TM", Polarization.P), ("Unpolarized", Polarization.UNPOLARIZED)):
        assert Polarization.parse(text) is member
    assert Polarization.parse(Polarization.P) is Polarization.P
    assert (Polarization.S.label, Polarization.P.label, Polarization.UNPOLARIZED.label) == ("TE", "TM", "unpolarized")
    with pytest.raises(ValueError, match="polarization"):
        Polarization.parse("x")
    with pytest.raises(ValueError, match="polarization"):
        Polarization.parse("unpolarized", allow_unpolarized=False)


def test_optics_results_store_the_member_and_serialise_its_value():
    st = _film()
    for text, member in (("TE", Polarization.S), ("p", Polarization.P), ("unpolarized", Polarization.UNPOLARIZED)):
        s = spectrum(st, [600.0, 630.0], 20.0, text)
        assert s.polarization is member
        assert json.loads(json.dumps(s.to_dict()))["polarization"] == member.value
    f = field_profile(st, 630.0, 0.0, "TM")
    assert f.polarization is Polarization.P and f.to_dict()["polarization"] == "p"


def test_guided_modes_store_the_member_and_print_te_tm():
    st = _film()
    te = guided_modes(st, 630.0, "TE")
    tm = guided_modes(st, 630.0, "p")
    assert te.polarization is Polarization.S and tm.polarization is Polarization.P
    assert all(m.polarization is Polarization.S for m in te) and all(m.polarization is Polarization.P for m in tm)
    assert te[0].label == "TE0" and tm[0].label == "TM0"
    # physics: the TE0 mode of an asymmetric slab is better guided than TM0
    assert NS < tm[0].n_eff.real < te[0].n_eff.real < NF
    # the TE-only overlap refuses a TM mode; the modal gain factor of TM comes from the pole
    with pytest.raises(ValueError, match="TE"):
        tm[0].weighted_overlap(0)
    assert 0.0 < tm[0].confinement(0) < 1.0
    assert te[0].to_dict()["polarization"] == "s"


def test_grating_stores_the_member():
    sub = mt.Constant(NS)
    tooth, groove = _film(200.0), Stack.of(Layer(mt.Constant(NF), 198.0, gain=True), substrate=sub)
    assert DFBGrating(tooth, groove, 630.0, periods=100).polarization is Polarization.S
    tm = DFBGrating(tooth, groove, 630.0, periods=100, polarization="TM")
    assert tm.polarization is Polarization.P
    with pytest.raises(ValueError, match="TE or TM|'TE' or 'TM'"):
        DFBGrating(tooth, groove, 630.0, periods=100, polarization="unpolarized")
    with pytest.raises(ValueError, match="'TM'"):  # the message names the guided-mode label
        DFBGrating(tooth, groove, 630.0, periods=100, order=2, polarization="p", radiation="coupled_wave")


# ------------------------------------------------------------------------------------------------
# losses
# ------------------------------------------------------------------------------------------------
def test_user_radiation_loss_is_outcoupling_not_absorption():
    """Lossless sections with a user-given radiation loss (plain 1D model): nothing absorbs, so
    internal_loss is 0 and all of modal_gain leaves; the radiation loss is reported as given."""
    sub = mt.Constant(NS)
    tooth, groove = _film(200.0), Stack.of(Layer(mt.Constant(NF), 198.0, gain=True), substrate=sub)
    res = dfb_threshold(DFBGrating(tooth, groove, 630.0, periods=400, order=2, duty_cycle=0.3, radiation_loss=50.0,
                                   radiation="none"), modes=2)
    for m in res.modes:
        assert m.internal_loss == pytest.approx(0.0, abs=1e-9)
        assert m.radiation_loss == 50.0
        assert m.outcoupling_loss == pytest.approx(m.modal_gain, rel=1e-12)
        assert m.outcoupling_loss > m.radiation_loss  # the ends also let light out
        assert math.isnan(m.edge_loss)                 # not computed by the plain model


def test_coupled_wave_balance_with_an_extra_radiation_loss():
    """Second-order grating, coupled-wave radiation plus a user-given extra loss: the extra is
    radiation (outcoupling), not absorption, and the balance ``modal_gain = internal_loss +
    radiation_loss + edge_loss`` holds with the edge loss from the field's flux at the ends."""
    glass = mt.Constant(1.52)
    st = Stack.of(Layer(mt.Constant(1.70), 200.0, gain=True), Layer(glass, 100.0), incident=mt.Constant(1.0),
                  substrate=glass)
    base = dict(etch_depth=20.0, period=408.0, duty_cycle=0.3, order=2, periods=300, radiation="coupled_wave")
    plain = dfb_threshold(DFBGrating.etched(st, 1, 632.0, **base), modes=1, max_gain=3000.0).lowest
    extra = dfb_threshold(DFBGrating.etched(st, 1, 632.0, radiation_loss=30.0, **base), modes=1,
                          max_gain=3000.0).lowest
    for m in (plain, extra):
        assert m.internal_loss == pytest.approx(0.0, abs=1e-9)
        assert m.modal_gain == pytest.approx(m.internal_loss + m.radiation_loss + m.edge_loss, rel=2e-3)
        assert m.outcoupling_loss == pytest.approx(m.edge_loss + m.radiation_loss, rel=2e-3)
    # a uniform extra loss of 30 cm^-1 raises the radiated share by 30 cm^-1 (the mode barely moves)
    assert extra.radiation_loss - plain.radiation_loss == pytest.approx(30.0, rel=0.02)


def test_coupled_mode_threshold_names_its_losses_the_same_way():
    """Kogelnik & Shank, uniform index grating kappa L = 1: alpha L = 1.7548 (docs/theory.md s.4.2),
    so the ends let out 2 alpha = 2 x 1.7548 / L of power per length."""
    m = coupled_mode_threshold(1.0, modes=1)[0]
    th = coupled_mode_device_threshold(m, length=1e5, bragg_wavelength=630.0, group_index=1.8, internal_loss=3.0,
                                       radiation_loss=7.0)
    assert th.edge_loss == pytest.approx(2 * 1.7548 / 1e-2, rel=1e-4)
    assert th.outcoupling_loss == pytest.approx(th.edge_loss + 7.0, rel=1e-12)
    assert th.modal_gain == pytest.approx(th.internal_loss + th.outcoupling_loss, rel=1e-12)
    assert set(th.to_dict()) >= {"modal_gain", "internal_loss", "outcoupling_loss", "edge_loss", "radiation_loss"}


def test_a_member_prints_as_its_value():
    assert f"{Polarization.P}" == "p" and str(Polarization.UNPOLARIZED) == "unpolarized"

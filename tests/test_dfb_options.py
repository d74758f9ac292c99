"""The DFB's closed sets of options (issue 14): grating ends as :class:`Facet`, phase shifts as
:class:`PhaseShift`, and the quarter-wave shift as a phase shift rather than a coupling kind.

Each accepted form of an option must give the same grating (and so the same thresholds); bad values
are refused with a message naming the parameter and the value.  Physics anchors: Kogelnik & Shank,
J. Appl. Phys. 43, 2327 (1972), quarter-wave shifted grating at kappa L = 1: alpha L = 1.5265 at
delta = 0 (docs/theory.md s.4.2); a cleaved end is air beyond the grating (outer index 1).
"""
from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from scipy.linalg import expm

import cavity as cv
import materials as mt
from cavity.waveguide.coupled_mode import CouplingKind, PhaseShift, coupled_mode_threshold
from cavity.waveguide.dfb import DFBGrating, Facet, dfb_threshold

NF, NS = 1.8, 1.45


def _pair():
    tooth = cv.Stack.of(cv.Layer(mt.Constant(NF), 200.0, gain=True), substrate=mt.Constant(NS))
    groove = cv.Stack.of(cv.Layer(mt.Constant(NF), 196.0, gain=True), substrate=mt.Constant(NS))
    return tooth, groove


def _grating(**kw):
    tooth, groove = _pair()
    args = dict(periods=300)
    args.update(kw)
    return DFBGrating(tooth, groove, 630.0, **args)


# ------------------------------------------------------------------------------------------
# Facet
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, member", [("cleaved", Facet.CLEAVED), ("AR", Facet.AR), (" Absorbing ", Facet.ABSORBING),
                                          ("CLEAVED", Facet.CLEAVED), (Facet.AR, Facet.AR)])
def test_facet_parse_reads_value_name_and_member(text, member):
    assert Facet.parse(text) is member


def test_facet_is_a_str_enum_that_prints_and_serialises_as_its_value():
    assert Facet.CLEAVED == "cleaved" and f"{Facet.AR}" == "ar" and str(Facet.ABSORBING) == "absorbing"
    assert [f.value for f in Facet] == ["cleaved", "ar", "absorbing"]


def test_facets_are_stored_as_members_or_outer_indices():
    g = _grating(facets=("Cleaved", 1.5))
    assert g.facets[0] is Facet.CLEAVED and g.facets[1] == 1.5 and isinstance(g.facets[1], float)
    assert _grating().facets == (Facet.ABSORBING, Facet.ABSORBING)
    assert _grating().facets[0] is Facet.ABSORBING


def test_every_facet_form_gives_the_same_thresholds():
    ref = dfb_threshold(_grating(facets=("cleaved", "ar")), modes=2)
    for facets in [(Facet.CLEAVED, Facet.AR), ("CLEAVED", "Ar"), ["cleaved", Facet.AR]]:
        g = _grating(facets=facets)
        assert g == ref.grating
        res = dfb_threshold(g, modes=2)
        assert [(m.wavelength, m.modal_gain) for m in res.modes] == [(m.wavelength, m.modal_gain) for m in ref.modes]


def test_cleaved_end_is_air_beyond_the_grating():
    """A cleaved end is an outer medium of index 1 (air): the same thresholds as the number 1.0."""
    cleaved = dfb_threshold(_grating(facets=("cleaved", "cleaved")), modes=2)
    air = dfb_threshold(_grating(facets=(1.0, 1.0)), modes=2)
    assert [m.wavelength for m in air.modes] == pytest.approx([m.wavelength for m in cleaved.modes], abs=1e-9)
    assert [m.modal_gain for m in air.modes] == pytest.approx([m.modal_gain for m in cleaved.modes], rel=1e-9)
    # and cleaved ends (R ~ 1 % each) change the thresholds of the matched (absorbing-ended) grating
    matched = dfb_threshold(_grating(), modes=2)
    assert abs(cleaved.modes[0].modal_gain - matched.modes[0].modal_gain) > 1e-3 * matched.modes[0].modal_gain


@pytest.mark.parametrize("facets, exc, text", [
    (("mirror", "ar"), ValueError, r"facets .*'mirror'"),
    (("cleaved",), ValueError, r"facets must be a pair .*\('cleaved',\)"),
    ("cleaved", ValueError, r"facets must be a pair .*'cleaved'"),
    (("cleaved", -1.0), ValueError, r"facets outer index .*-1\.0"),
    (("cleaved", float("nan")), ValueError, r"facets outer index .*nan"),
    ((True, "ar"), TypeError, r"facets outer index .*True"),
    ((None, "ar"), TypeError, r"facets outer index .*None"),
])
def test_bad_facets_are_refused_naming_the_parameter_and_value(facets, exc, text):
    with pytest.raises(exc, match=text):
        _grating(facets=facets)


def test_facet_parse_error_matches_every_enum_parser():
    with pytest.raises(ValueError, match=r"facets must be one of \['cleaved', 'ar', 'absorbing'\] \(or a Facet\), got 'x'"):
        Facet.parse("x")


# ------------------------------------------------------------------------------------------
# PhaseShift and DFBGrating.phase_shifts
# ------------------------------------------------------------------------------------------
QWS = PhaseShift(0.5, math.pi)


@pytest.mark.parametrize("form", ["quarter_wave", "qws", "Quarter-Wave", "QWS", PhaseShift.quarter_wave(), PhaseShift(),
                                  QWS, ((0.5, math.pi),), [QWS], [(0.5, math.pi)]])
def test_every_quarter_wave_form_gives_the_same_grating(form):
    g = _grating(phase_shifts=form)
    assert g.phase_shifts == (QWS,)
    assert g == _grating(phase_shifts="quarter_wave")


def test_phase_shifts_are_stored_sorted_and_unpack_as_pairs():
    g = _grating(phase_shifts=[(0.7, 1.0), PhaseShift(0.3, 2.0)])
    assert g.phase_shifts == (PhaseShift(0.3, 2.0), PhaseShift(0.7, 1.0))
    assert [tuple(s) for s in g.phase_shifts] == [(0.3, 2.0), (0.7, 1.0)]
    assert _grating().phase_shifts == () and _grating(phase_shifts=None).phase_shifts == ()


def test_string_and_pair_forms_give_identical_thresholds():
    a = dfb_threshold(_grating(phase_shifts="quarter_wave"), modes=2)
    b = dfb_threshold(_grating(phase_shifts=((0.5, math.pi),)), modes=2)
    assert [(m.wavelength, m.modal_gain) for m in a.modes] == [(m.wavelength, m.modal_gain) for m in b.modes]


@pytest.mark.parametrize("shifts, exc, text", [
    ("half_wave", ValueError, r"phase_shifts must be 'quarter_wave'.*'half_wave'"),
    (((1.5, math.pi),), ValueError, r"phase_shifts position .*1\.5"),
    (((0.5, 7.0),), ValueError, r"phase_shifts phase must lie in \(0, 2 pi\) rad, got 7\.0"),
    (((0.5, 0.0),), ValueError, r"phase_shifts phase .*0\.0"),
    (((0.5, float("inf")),), ValueError, r"phase_shifts phase .*inf"),
    ((0.5, math.pi), ValueError, r"phase_shifts must be a \(position, phase\) pair.*0\.5"),
    (3.0, ValueError, r"phase_shifts must be a sequence .*3\.0"),
    ((("a", 1.0),), TypeError, r"phase_shifts position .*'a'"),
    (((0.5, 1.0, 2.0),), ValueError, r"phase_shifts must be a \(position, phase\) pair.*\(0\.5, 1\.0, 2\.0\)"),
])
def test_bad_phase_shifts_are_refused_naming_the_parameter_and_value(shifts, exc, text):
    with pytest.raises(exc, match=text):
        _grating(phase_shifts=shifts)


@pytest.mark.parametrize("args, text", [((1.5, 1.0), r"position .*1\.5"), ((0.0, 1.0), r"position .*0\.0"),
                                        ((0.5, float("nan")), r"phase must be finite, got nan")])
def test_phase_shift_validates_itself(args, text):
    with pytest.raises(ValueError, match=text):
        PhaseShift(*args)


def test_phase_shift_is_frozen():
    with pytest.raises(AttributeError):
        QWS.phase = 1.0  # type: ignore[misc]


def test_grating_serialises_its_options_by_value():
    res = dfb_threshold(_grating(facets=(Facet.CLEAVED, 1.5), phase_shifts="quarter_wave"), modes=1)
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["grating"]["facets"] == ["cleaved", 1.5]
    assert d["grating"]["phase_shifts"] == [{"position": 0.5, "phase": math.pi}]


# ------------------------------------------------------------------------------------------
# coupled-mode theory: the quarter-wave shift is a phase shift, not a coupling kind
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["quarter_wave", "qws", math.pi, PhaseShift.quarter_wave(), (0.5, math.pi), QWS])
def test_every_phase_shift_form_gives_the_published_quarter_wave_threshold(form):
    m = coupled_mode_threshold(1.0, "index", modes=1, phase_shift=form)[0]
    assert m.alpha_L == pytest.approx(1.5265, abs=5e-5)        # Kogelnik & Shank (1972), Fig. 9
    assert m.delta_L == 0.0
    assert (m.phase_shift, m.shift_position) == (math.pi, 0.5)
    assert m == coupled_mode_threshold(1.0, "index", modes=1, phase_shift="quarter_wave")[0]


def test_off_centre_shift_forms_agree():
    ref = coupled_mode_threshold(1.5, modes=3, phase_shift=PhaseShift(0.3, 1.0))
    assert coupled_mode_threshold(1.5, modes=3, phase_shift=1.0, shift_position=0.3) == ref
    assert coupled_mode_threshold(1.5, modes=3, phase_shift=(0.3, 1.0)) == ref
    assert coupled_mode_threshold(1.5, modes=3, phase_shift=(0.3, 1.0), shift_position=0.3) == ref
    qws = coupled_mode_threshold(1.5, modes=3, phase_shift="quarter_wave", shift_position=0.3)
    assert qws == coupled_mode_threshold(1.5, modes=3, phase_shift=PhaseShift.quarter_wave(0.3))


def _expm_m22(u, kappa_L, phases, lengths):
    """M22 of the section product with scipy's matrix exponential (Kogelnik & Shank eq. (2), no facets)."""
    M = np.eye(2, dtype=complex)
    for phi, ell in zip(phases, lengths):
        A = np.array([[u, -1j * kappa_L * np.exp(-1j * phi)], [1j * kappa_L * np.exp(1j * phi), -u]])
        M = expm(A * ell) @ M
    return M[1, 1]


@pytest.mark.parametrize("form", [PhaseShift(0.3, 1.0), (0.3, 1.0), 1.0])
def test_off_centre_shift_is_placed_where_asked(form):
    """The modes of a jump 1.0 rad at 0.3 L are zeros of M22 of two sections of 0.3 L and 0.7 L
    (scipy expm), and not of the centred jump."""
    modes = coupled_mode_threshold(2.0, modes=3, phase_shift=form, shift_position=0.3)
    for m in modes:
        scale = math.cosh(2.0) * math.exp(abs(m.alpha_L)) + 1.0
        assert abs(_expm_m22(m.u, 2.0, (0.0, 1.0), (0.3, 0.7))) < 1e-11 * scale
        assert abs(_expm_m22(m.u, 2.0, (0.0, 1.0), (0.5, 0.5))) > 1e-4 * scale


def test_deprecated_quarter_wave_kind_is_an_index_grating_with_a_pi_shift():
    new = coupled_mode_threshold(1.0, "index", modes=3, phase_shift="quarter_wave")
    with pytest.warns(DeprecationWarning, match=r"kind='index', phase_shift='quarter_wave'"):
        old = coupled_mode_threshold(1.0, kind="quarter_wave", modes=3)
    assert old == new and old[0].kind is CouplingKind.INDEX
    with pytest.warns(DeprecationWarning):
        assert coupled_mode_threshold(1.0, kind="Quarter_Wave", modes=3, phase_shift=math.pi) == new
    with pytest.warns(DeprecationWarning, match="deprecated"):
        with pytest.raises(ValueError, match=r"phase_shift .*1\.0"):
            coupled_mode_threshold(1.0, kind="quarter_wave", modes=1, phase_shift=1.0)


def test_new_forms_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        coupled_mode_threshold(1.0, CouplingKind.INDEX, modes=1, phase_shift="quarter_wave")


def test_quarter_wave_is_no_longer_a_coupling_kind():
    assert [k.value for k in CouplingKind] == ["index", "gain", "complex"]
    with pytest.raises(ValueError, match=r"kind must be one of \['index', 'gain', 'complex'\].*'quarter_wave'"):
        CouplingKind.parse("quarter_wave")


@pytest.mark.parametrize("kwargs, text", [
    (dict(phase_shift="half_wave"), r"phase_shift must be 'quarter_wave'.*'half_wave'"),
    (dict(phase_shift=PhaseShift(0.3, 1.0), shift_position=0.5), r"shift_position=0\.5 contradicts"),
    (dict(phase_shift=(1.2, 1.0)), r"phase_shift position .*1\.2"),
    (dict(phase_shift=float("nan")), r"phase_shift must be finite, got nan"),
    (dict(phase_shift=True), r"phase_shift must be .*True"),
    (dict(phase_shift=1.0, shift_position=1.0), r"shift_position .*1\.0"),
])
def test_bad_phase_shift_is_refused_naming_the_parameter_and_value(kwargs, text):
    with pytest.raises(ValueError, match=text):
        coupled_mode_threshold(1.0, modes=1, **kwargs)

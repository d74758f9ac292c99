"""plot_threshold_modes: every mode of a ThresholdModes or DFBModes result, the side-mode margin,
the search limit, the DFB stopband and the count/complete status; (fig, ax), no show()."""
import dataclasses
import math
import re

import matplotlib.pyplot as plt
import pytest

import cavity as cv
from cavity.waveguide.dfb import DFBGrating, dfb_threshold
from cavity.plotting import plot_threshold_modes
from materials import Constant

H, L, GLASS, AIR = Constant(2.3, name="H"), Constant(1.46, name="L"), Constant(1.52, name="glass"), Constant(1.0)


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("plot_threshold_modes must not call show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def microcavity_modes():
    """A 2 um gain spacer between short DBRs: three modes in the stopband with distinct thresholds
    (the mirrors reflect less away from 630 nm)."""
    core = [cv.Layer(Constant(1.6, name="QD"), 2000.0, gain=True)]
    stack = cv.microcavity(core, cv.dbr(H, L, 4, 630.0), cv.dbr(L, H, 5, 630.0), incident=AIR, substrate=GLASS)
    return cv.threshold_modes(stack, (560.0, 720.0), max_gain=2e3)


@pytest.fixture(scope="module")
def dfb_modes():
    sub = Constant(1.46)
    tooth = cv.Stack.of(cv.Layer(Constant(1.85), 200.0, name="QD", gain=True), substrate=sub)
    groove = cv.Stack.of(cv.Layer(Constant(1.85), 190.0, name="QD", gain=True), substrate=sub)
    return dfb_threshold(DFBGrating(tooth, groove, 630.0, periods=200), max_gain=2000.0)


def _artist(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) <= 1, f"several artists with gid {gid!r}"
    return found[0] if found else None


def _number_in(text):
    """The first number in an annotation such as 'margin 77.02 cm$^{-1}$'."""
    return float(re.search(r"margin\s+([-+0-9.eE]+)", text).group(1))


def _check_modes_plot(res, fig, ax):
    assert ax.figure is fig
    pts = _artist(ax, "modes")
    assert len(pts.get_xdata()) == len(res.modes)
    assert sorted(pts.get_xdata()) == sorted(m.wavelength for m in res.modes)
    assert sorted(pts.get_ydata()) == sorted(m.material_gain for m in res.modes)
    best = min(res.modes, key=lambda m: m.material_gain)
    star = _artist(ax, "lowest")
    assert list(star.get_xdata()) == [best.wavelength] and list(star.get_ydata()) == [best.material_gain]
    # the margin is the gap between the two lowest thresholds, computed here from the modes
    g = sorted(m.material_gain for m in res.modes)
    margin = res.modes[1].material_gain - res.modes[0].material_gain
    text = _artist(ax, "margin").get_text()
    assert text.startswith("margin") and "cm" in text
    assert _number_in(text) == pytest.approx(margin, rel=1e-3)
    arrow = _artist(ax, "margin_arrow")  # the double arrow spans g1 -> g2
    assert sorted([arrow.xy[1], arrow.xyann[1]]) == pytest.approx([g[0], g[1]], rel=1e-12)
    assert list(_artist(ax, "max_gain").get_ydata()) == [res.max_gain, res.max_gain]
    assert f"{len(res.modes)} of {res.count} modes found (complete)" in ax.get_title()


def test_threshold_modes_plot(microcavity_modes):
    res = microcavity_modes
    assert res.complete and len(res.modes) >= 3  # the fixture is what the test needs
    fig, ax = plot_threshold_modes(res)
    _check_modes_plot(res, fig, ax)
    assert ax.get_yscale() == "linear"  # thresholds and the limit within a factor 10
    assert _artist(ax, "stopband") is None


def test_threshold_modes_plot_wide_range_is_logarithmic(microcavity_modes):
    fig, ax = plot_threshold_modes(microcavity_modes, max_gain=1e6)
    assert ax.get_yscale() == "log"
    assert list(_artist(ax, "max_gain").get_ydata()) == [1e6, 1e6]
    assert plot_threshold_modes(microcavity_modes, log=False)[1].get_yscale() == "linear"


def test_dfb_modes_plot_with_stopband(dfb_modes):
    res = dfb_modes
    assert res.complete and len(res.modes) >= 2
    fig, ax = plot_threshold_modes(res)
    _check_modes_plot(res, fig, ax)
    band = _artist(ax, "stopband")
    if hasattr(band, "get_width"):  # a Rectangle (matplotlib >= 3.9)
        x0, x1 = band.get_x(), band.get_x() + band.get_width()
    else:  # a Polygon
        x0, x1 = band.get_xy()[:, 0].min(), band.get_xy()[:, 0].max()
    assert (x0, x1) == pytest.approx(res.stopband, rel=1e-12)


def test_draws_on_given_axes_and_accepts_a_plain_sequence(microcavity_modes):
    fig, ax = plt.subplots()
    assert plot_threshold_modes(list(reversed(microcavity_modes.modes)), ax=ax) == (fig, ax)
    assert len(_artist(ax, "modes").get_xdata()) == len(microcavity_modes.modes)
    best = microcavity_modes.modes[0]
    assert list(_artist(ax, "lowest").get_xdata()) == [best.wavelength]
    assert ax.get_title() == f"{len(microcavity_modes.modes)} modes"


def test_incomplete_search_is_flagged(microcavity_modes):
    res = microcavity_modes
    partial = cv.lasing.ThresholdModes(res.modes[:2], res.side_mode_margin, res.count, False, res.max_gain)
    fig, ax = plot_threshold_modes(partial)
    assert f"2 of {res.count} modes found (INCOMPLETE)" in ax.get_title()


def test_empty_result(microcavity_modes):
    empty = cv.lasing.ThresholdModes((), math.inf, 0, True, 500.0)
    fig, ax = plot_threshold_modes(empty)
    assert ax.figure is fig
    assert _artist(ax, "modes") is None and _artist(ax, "margin") is None
    assert "0 of 0 modes found (complete)" in ax.get_title()
    assert _artist(ax, "no_modes") is not None
    assert ax.get_ylim()[1] >= 500.0
    fig, ax = plot_threshold_modes([])
    assert ax.get_title() == "0 modes"


def test_single_mode_has_no_margin_arrow(microcavity_modes):
    one = cv.lasing.ThresholdModes(microcavity_modes.modes[:1], math.inf, 1, True, 2e3)
    fig, ax = plot_threshold_modes(one)
    assert len(_artist(ax, "modes").get_xdata()) == 1
    assert _artist(ax, "margin_arrow") is None
    assert "unbounded" in ax.get_title()


def test_reported_lowest_only_keeps_the_counted_margin(dfb_modes):
    g = [m.material_gain for m in dfb_modes.modes]
    one = dataclasses.replace(dfb_modes, modes=dfb_modes.modes[:1])  # as dfb_threshold(..., modes=1)
    fig, ax = plot_threshold_modes(one)
    assert _artist(ax, "margin_arrow") is None
    assert _number_in(ax.get_title()) == pytest.approx(g[1] - g[0], rel=1e-3)


@pytest.mark.parametrize("bad", [[1.0, 2.0], [object()]])
def test_bad_modes_raise(bad):
    with pytest.raises(TypeError, match="modes"):
        plot_threshold_modes(bad)


@pytest.mark.parametrize("name, value", [("max_gain", -1.0), ("max_gain", "big"), ("available_gain", 0.0)])
def test_bad_gain_lines_raise(microcavity_modes, name, value):
    with pytest.raises(ValueError, match=name):
        plot_threshold_modes(microcavity_modes, **{name: value})


def test_available_gain_line_and_window(microcavity_modes):
    fig, ax = plot_threshold_modes(microcavity_modes, available_gain=300.0, wavelength_range=(560.0, 720.0))
    assert list(_artist(ax, "available_gain").get_ydata()) == [300.0, 300.0]
    assert ax.get_xlim() == (560.0, 720.0)
    with pytest.raises(ValueError, match="wavelength_range"):
        plot_threshold_modes(microcavity_modes, wavelength_range=(720.0, 560.0))

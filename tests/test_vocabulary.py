"""One vocabulary across results: the same behaviour for the same idea (issue 14)."""
import pytest

import cavity as cv
import materials as mt
from cavity.results import ModeSequence


def test_lowest_of_an_empty_mode_sequence_is_the_same_error_everywhere():
    slab = cv.Stack.of(cv.Layer(mt.Constant(1.8), 300.0, gain=True), substrate=mt.Constant(1.5))
    empty_thresholds = cv.threshold_modes(slab, (600.0, 601.0), max_gain=1.0)   # a leaky slab: nothing
    assert len(empty_thresholds) == 0
    below_cutoff = cv.guided_modes(cv.Stack.of(cv.Layer(mt.Constant(1.51), 5.0), substrate=mt.Constant(1.5)), 630.0)
    assert len(below_cutoff) == 0                  # an asymmetric slab below its TE0 cut-off
    for res in (empty_thresholds, below_cutoff):
        with pytest.raises(ValueError, match="is empty"):
            res.lowest
    for cls in (cv.lasing.ThresholdModes, cv.lasing.Resonances, cv.waveguide.GuidedModes, cv.waveguide.DFBModes):
        assert issubclass(cls, ModeSequence) and cls.lowest is ModeSequence.lowest


@pytest.mark.parametrize("parse, name, good, member", [
    (cv.Polarization.parse, "polarization", "TM", cv.Polarization.P),
    (cv.Orientation.parse, "orientation", " Vertical ", cv.Orientation.VERTICAL),
    (cv.waveguide.CouplingKind.parse, "kind", "INDEX", cv.waveguide.CouplingKind.INDEX),
    (cv.waveguide.Facet.parse, "facets", "Cleaved", cv.waveguide.Facet.CLEAVED),
    (mt.MixingRule.coerce, "method", "maxwell-garnett", mt.MixingRule.MAXWELL_GARNETT),
])
def test_every_closed_set_of_options_parses_the_same_way(parse, name, good, member):
    assert parse(good) is member and parse(member) is member
    with pytest.raises(ValueError, match=rf"{name} must be one of \[.*\] \(or a \w+\), got 'nonsense'"):
        parse("nonsense")
    with pytest.raises(ValueError, match=rf"{name} must be one of"):
        parse(3)

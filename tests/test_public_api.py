"""The public surface: a lean top level for the main job, every specialist name in its subpackage."""
from __future__ import annotations

import importlib

import pytest

import cavity as cv

SUBPACKAGES = ("optics", "lasing", "waveguide", "gain", "device", "design")


def test_top_level_is_lean_and_resolves():
    assert len(cv.__all__) <= 50, f"cavity.__all__ has {len(cv.__all__)} names: specialist names belong in subpackages"
    assert len(set(cv.__all__)) == len(cv.__all__)
    for name in cv.__all__:
        assert hasattr(cv, name), name


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_every_subpackage_name_resolves_and_is_unique(sub):
    module = importlib.import_module(f"cavity.{sub}")
    assert len(set(module.__all__)) == len(module.__all__), sub
    for name in module.__all__:
        assert hasattr(module, name), f"cavity.{sub}.{name}"


def test_top_level_names_are_the_subpackages_objects():
    # the top level re-exports; it defines nothing of its own (one object per name, one home)
    homes = {}
    for sub in SUBPACKAGES:
        for name in importlib.import_module(f"cavity.{sub}").__all__:
            homes.setdefault(name, getattr(importlib.import_module(f"cavity.{sub}"), name))
    for name in cv.__all__:
        if name in homes:
            assert getattr(cv, name) is homes[name], name


def test_the_main_job_needs_only_the_top_level():
    # build a cavity, find its modes and the threshold of one: every call from the top level
    import materials as mt
    lo, hi = mt.Constant(1.45), mt.Constant(2.1)
    core = cv.Stack([cv.Layer(mt.Constant(1.7), 190.0, name="QD", gain=True)])
    stack = cv.microcavity(core, cv.dbr(hi, lo, 6, 630.0), cv.dbr(lo, hi, 6, 630.0), substrate=mt.Constant(1.52))
    modes = cv.threshold_modes(stack, (600.0, 660.0))
    assert modes.complete and len(modes) >= 1


def test_result_fields_carry_no_convention_unit_in_their_names():
    # nm, cm^-1, A/cm^2, ns, K and degrees are fixed by cavity.conventions: a result field says
    # "wavelength", not "wavelength_nm" (units in a name only where they differ, e.g. W/cm^2)
    import dataclasses
    import re

    import cavity.results
    from cavity.results import Result

    convention = re.compile(r"_(nm|per_cm|A_per_cm2|ns|K|deg|degrees)$")
    offenders = []
    for module in [cavity.results] + [importlib.import_module(f"cavity.{sub}") for sub in SUBPACKAGES]:
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, Result) and dataclasses.is_dataclass(obj):
                offenders += [f"{name}.{f.name}" for f in dataclasses.fields(obj) if convention.search(f.name)]
    assert not offenders, offenders

"""The design search's evaluator registry is explicit: the built-in cavity types are listed in one
place by import path and loaded when a search needs them (no module writes into the registry when
it is imported), evaluators follow a typed protocol, and a user's own design type is registered
without touching the built-ins."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from cavity.design.evaluators import (
    BUILTIN_EVALUATORS,
    BatchThresholds,
    Evaluator,
    ReportingEvaluator,
    SideModeEvaluator,
    StackEvaluator,
    evaluator_for,
    evaluator_registry,
    register_evaluator,
)


def test_importing_the_package_registers_nothing():
    """A fresh process: importing cavity (and with it the DFB module) leaves the user registry
    empty; the DFB evaluator comes from the list of built-ins."""
    script = textwrap.dedent("""
        import cavity, cavity.waveguide.dfb as dfb
        from cavity.design import evaluators as ev
        assert ev._REGISTERED == {}, ev._REGISTERED
        assert ev._BUILTIN == {}, ev._BUILTIN  # nothing loaded before a search needs it
        reg = ev.evaluator_registry()
        assert type(reg[dfb.DFBGrating]) is dfb.DFBEvaluator and type(reg[cavity.Stack]) is ev.StackEvaluator
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_builtin_entries_name_importable_types_that_follow_the_protocols():
    import importlib

    for cls_path, ev_path in BUILTIN_EVALUATORS:
        mod, _, name = cls_path.partition(":")
        cls = getattr(importlib.import_module(mod), name)
        ev = evaluator_registry()[cls]
        assert isinstance(ev, Evaluator) and isinstance(ev, SideModeEvaluator) and isinstance(ev, ReportingEvaluator)
        assert f"{type(ev).__module__}:{type(ev).__qualname__}" == ev_path


def test_a_users_type_is_registered_on_top_and_found_through_subclasses(monkeypatch):
    import cavity.design.evaluators as evmod

    monkeypatch.setattr(evmod, "_REGISTERED", {})

    class Toy:
        pass

    class SubToy(Toy):
        pass

    class ToyEvaluator:
        def thresholds(self, objects, settings):
            n = len(objects)
            return BatchThresholds(np.full(n, 600.0), np.full(n, 10.0), np.ones(n, bool))

    ev = ToyEvaluator()
    assert isinstance(ev, Evaluator) and not isinstance(ev, SideModeEvaluator) and not isinstance(ev, ReportingEvaluator)
    register_evaluator(Toy, ev)
    assert evaluator_for(SubToy()) is ev
    reg = evaluator_registry()
    assert reg[Toy] is ev and isinstance(next(v for k, v in reg.items() if k.__name__ == "Stack"), StackEvaluator)
    # the registry a search starts from is a copy: changing it changes nothing for the next search
    reg.clear()
    assert evaluator_for(SubToy()) is ev


def test_an_object_without_thresholds_is_refused_naming_it():
    class NotAnEvaluator:
        def report(self, obj, settings):
            return None

    assert not isinstance(NotAnEvaluator(), Evaluator)
    with pytest.raises(TypeError, match="thresholds"):
        register_evaluator(int, NotAnEvaluator())
    with pytest.raises(TypeError, match="cls must be a type"):
        register_evaluator("Stack", StackEvaluator())

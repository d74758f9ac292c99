"""The examples run and write their figures (small budgets)."""
import importlib.util
import pathlib

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_qd_microcavity_example(tmp_path, capsys):
    modes = load("qd_microcavity").main(["--pairs", "6", "--out", str(tmp_path)])
    assert len(modes) >= 1 and modes.lowest.converged
    for name in ("microcavity_field.png", "microcavity_spectrum.png", "microcavity_thresholds.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert "Threshold of each longitudinal mode" in capsys.readouterr().out


def test_readme_tour_runs():
    readme = (EXAMPLES.parent / "README.md").read_text()
    code = readme.split("```python", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(compile(code, "README tour", "exec"), namespace)
    assert namespace["th"].converged and namespace["jt"].reachable

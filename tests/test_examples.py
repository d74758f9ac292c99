"""The examples run and write their figures (small budgets)."""
import importlib.util
import pathlib
import re

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


def test_readme_tour_runs_and_prints_what_the_readme_says(capsys):
    readme = (EXAMPLES.parent / "README.md").read_text()
    code = readme.split("```python", 1)[1].split("```", 1)[0]
    claimed = readme.split("prints `", 1)[1].split("`", 1)[0]
    namespace = {}
    exec(compile(code, "README tour", "exec"), namespace)
    assert namespace["th"].converged and namespace["jt"].reachable
    assert capsys.readouterr().out.strip() == claimed


def test_main_example_quick(tmp_path, capsys):
    """The README's main command, with --quick: evaluates the three cavities, writes the figures."""
    rows, mc, dfb = load("design_qd_laser").main(["--quick", "--out", str(tmp_path)])
    names = [name for name, _ in rows]
    assert any("bare LED" in n for n in names) and any("microcavity" in n for n in names) and any("DFB" in n for n in names)
    bare = rows[0][1]
    assert not bare.reachable  # a bare LED stack has no cavity worth the name
    assert mc.n_evaluations > 0 and dfb.n_evaluations > 0
    for name in ("design_best_microcavity_field.png", "design_threshold_map.png", "design_gain_vs_current.png",
                 "design_convergence.png", "design_lj_curve.png", "design_microcavity_modes.png",
                 "design_dfb_modes.png"):
        assert (tmp_path / name).stat().st_size > 1000
    out = capsys.readouterr().out
    assert "J_th (A/cm^2)" in out and "J_th/18" in out
    # the counted mode search of both optimised cavities is reported
    counts = re.findall(r"(\d+) of (\d+) threshold modes found \((complete|INCOMPLETE)", out)
    assert len(counts) == 2 and all(int(n) <= int(m) for n, m, _ in counts)

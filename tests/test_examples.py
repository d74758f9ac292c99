"""The examples run and write their figures (small budgets)."""
import importlib.util
import math
import pathlib
import re

import numpy as np

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


def test_readme_tour_prints_numbers_an_independent_solver_confirms(capsys):
    """The tour's printed line against tests/reference/modes.py (numpy only, no package code):
    the threshold wavelength and gain of the lowest mode, the passive Q, and J_th as the real zero
    of D(lambda, g_model(J, lambda)) with the gain model's own spectrum; the README's line must be
    what the tour prints."""
    from scipy.optimize import fsolve

    from reference import modes as ref

    readme = (EXAMPLES.parent / "README.md").read_text()
    code = readme.split("```python", 1)[1].split("```", 1)[0]
    claimed = readme.split("prints `", 1)[1].split("`", 1)[0]
    ns = {}
    exec(compile(code, "README tour", "exec"), ns)
    printed = capsys.readouterr().out.strip()
    assert printed == claimed
    m = re.fullmatch(r"([\d.]+) nm  Q=(\d+)  g_th=(\d+) cm\^-1  J_th=([\d.]+) A/cm\^2  <N>=([\d.]+)", printed)
    lam_p, q_p, g_p, j_p, n_p = (float(v) for v in m.groups())

    device, model = ns["device"], ns["model"]
    lay = device.layers
    structure = ref.planar(device.incident.n, device.substrate.n, [x.material.n for x in lay],
                           [x.thickness for x in lay], [1.0 if x.gain else 0.0 for x in lay])
    modes = ref.threshold_modes(structure, 620.0, 640.0, 600.0, dlam=0.05, dg=5.0)
    i = int(np.argmin(modes.gain))
    assert abs(modes.wavelength[i] - lam_p) <= 0.005 + 1e-6
    assert abs(modes.gain[i] - g_p) <= 0.5 + 1e-6
    poles = ref.passive_poles(structure, 620.0, 640.0, 1.0, dlam=0.05)
    k = int(np.argmin(abs(poles.wavelength.real - lam_p)))
    q_ref = poles.wavelength[k].real / (2 * poles.wavelength[k].imag)
    assert abs(q_ref - q_p) <= 0.5 + 1e-4 * q_ref

    film = model.for_stack(device)

    def zero(x):
        lam, log_j = x
        d = ref.characteristic(structure, lam, film.material_gain(math.exp(log_j), lam))
        return [d.real, d.imag]

    scale = abs(ref.characteristic(structure, lam_p, g_p)) + 1.0
    lam_j, log_j = fsolve(lambda x: np.array(zero(x)) / scale, [lam_p, math.log(j_p)], xtol=1e-12)
    assert abs(lam_j - lam_p) < 0.5
    assert abs(math.exp(log_j) - j_p) <= 0.005 + 1e-6
    assert abs(float(film.mean_occupancy(math.exp(log_j))) - n_p) <= 0.005 + 1e-6


def test_main_example_quick(tmp_path, capsys):
    """The README's main command, with --quick: evaluates the three cavities, writes the figures."""
    import pytest

    import cavity as cv

    rows, mc, dfb = load("design_qd_laser").main(["--quick", "--out", str(tmp_path)])
    names = [name for name, _, _ in rows]
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
    # V, dT and the QD temperature at J_th come from each design's own layers; the seed's at 18 A/cm^2
    assert "V (V)" in out and "dT (K)" in out and "T_QD (K)" in out
    seed = re.search(r"V\(18 A/cm\^2\) = ([\d.]+) V, QD film dT = ([\d.]+) K", out)
    assert seed and 1239.84 / 625.0 < float(seed.group(1)) < 20.0 and float(seed.group(2)) > 0.0
    for name, rep, thermal in rows:  # a finite J_th is reported with its own model's V and dT
        if rep is not None and isinstance(rep, cv.lasing.ThresholdCurrent) and math.isfinite(rep.current_density):
            assert rep.temperature_rise == pytest.approx(float(thermal.temperature_rise(rep.current_density)))
    # the counted mode search of both optimised cavities is reported
    counts = re.findall(r"(\d+) of (\d+) threshold modes found \((complete|INCOMPLETE)", out)
    assert len(counts) == 2 and all(int(n) <= int(m) for n, m, _ in counts)


def test_main_example_dfb_can_be_second_order():
    """--grating-order 2 builds second-order gratings whose radiation the thresholds include."""
    ex = load("design_qd_laser")
    space = ex.dfb_space(150, order=2)
    assert space.fixed["order"] == 2
    g = ex.dfb(25.0, ex.CATHODES[0], 100.0, 60.0, 20.0, 40.0, 0.5, periods=150, order=2)
    assert g.order == 2 and g.radiation.value == "coupled_wave"

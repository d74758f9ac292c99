"""Smoke tests: gain plots return (fig, ax) without show(); the Lim 2018 example runs and fits."""
import importlib.util
import pathlib

import numpy as np
import pytest

from cavity.gain import QDGainModel
from cavity.plotting.gain import plot_gain_spectra, plot_lj_curve, plot_mean_occupancy, plot_peak_gain
from cavity.lasing.rate_equations import LaserRateEquations, LasingMode
from cavity.gain.thermal import ThermalModel

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_plots_return_fig_ax():
    import matplotlib.pyplot as plt

    m = QDGainModel()
    js = np.geomspace(0.5, 100.0, 6)
    outs = [plot_gain_spectra(m, [1.0, 20.0], np.linspace(580, 680, 20)),
            plot_mean_occupancy(m, js),
            plot_peak_gain(m, js, 625.0, threshold_gain_per_cm=500.0, thermal=ThermalModel()),
            plot_lj_curve(LaserRateEquations(m, LasingMode(625.0, 3000.0, 0.15)).lj_curve(np.linspace(0, 30, 5)))]
    for fig, ax in outs:
        assert ax.figure is fig and ax.lines
        plt.close(fig)
    fig, ax = plt.subplots()
    assert plot_mean_occupancy(m, js, ax=ax) == (fig, ax)
    plt.close(fig)
    with pytest.raises(ValueError, match="current_density"):
        plot_mean_occupancy(m, [-1.0])


def test_calibrate_lim2018_example_runs(capsys):
    spec = importlib.util.spec_from_file_location("calibrate_lim2018", ROOT / "examples" / "calibrate_lim2018.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fit = mod.main(["--quick"])
    out = capsys.readouterr().out
    assert "exciton_lifetime_ns" in out and "biexciton_auger_lifetime_ns" in out
    # issue 15: the fit stays inside the physical bounds; the seed data need a change of assumption,
    # which the example prints and which, plugged back, meets the targets
    for (name, value), (_, lo, hi) in zip(fit.parameters, fit.bounds):
        assert lo * (1 - 1e-12) <= value <= hi * (1 + 1e-12)
    if not fit.success:
        assert "TARGETS MISSED" in out and "What must change" in out
        assert fit.needed.met
        assert fit.needed.model.mean_occupancy(18.0) == pytest.approx(3.2, rel=0.01)
        assert fit.needed.model.inversion_current() == pytest.approx(3.5, rel=0.01)
    assert "V(18 A/cm^2)" in out
    assert (ROOT / "examples" / "output" / "lim2018_lj_curve.png").exists()

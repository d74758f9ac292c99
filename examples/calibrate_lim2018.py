"""Calibrate the injected CQD gain model to Lim, Park & Klimov, Nat. Mater. 17, 42 (2018).

Targets (docs/physics.md s.2.2): <N> = 3.2 at J = 18 A/cm^2 (from the brief, unverified) and
band-edge (1S) population inversion at 3-4 A/cm^2 (abstract); we use 3.5 A/cm^2.  With the dot
density fixed (1 ML at 10 nm spacing, an assumption) and eta_inj = 1, the two free parameters
are the exciton lifetime tau_X and the biexciton Auger lifetime tau_XX,A.  The script prints
the fit, the implied Poisson-vs-chain comparison, the heating at 18 A/cm^2, an example L-J
curve, and saves figures to examples/output/.

Run:  python examples/calibrate_lim2018.py [--quick]
"""
from __future__ import annotations

import argparse
import pathlib

import numpy as np

import cavity
import materials
from cavity.gain import QDGainModel
from cavity.plotting.gain import plot_gain_spectra, plot_lj_curve, plot_mean_occupancy, plot_peak_gain
from cavity.lasing.rate_equations import LaserRateEquations, LasingMode
from cavity.gain.thermal import ThermalModel

OUT = pathlib.Path(__file__).resolve().parent / "output"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points in the plots")
    args = parser.parse_args(argv)
    npts = 12 if args.quick else 60

    start = QDGainModel(dot_spacing_nm=10.0, film_thickness_nm=20.0, injection_efficiency=1.0)  # the 20 nm QD film below
    fit = start.calibrate(occupancy_points=[(18.0, 3.2)], inversion_currents=[3.5],
                          free=("exciton_lifetime_ns", "biexciton_auger_lifetime_ns"))
    model = fit.model
    print("Calibration to Lim 2018 (1 ML, 10 nm spacing, eta_inj = 1):")
    for name, value in fit.parameters:
        print(f"  {name:30s} = {value:.4g}")
    print(f"  success = {fit.success}, max |log residual| = {fit.max_abs_residual:.1e}")
    print(f"  <N>(18 A/cm^2) = {model.mean_occupancy(18.0):.4f}   (Poisson G tau_X would be "
          f"{model.generation_rate(18.0) * model.exciton_lifetime_ns * 1e-9:.3f})")
    j_inv = model.inversion_current()
    print(f"  1S inversion at {j_inv:.4f} A/cm^2, where <N> = {model.mean_occupancy(j_inv):.4f} (Poisson: 1.1462)")
    wl0 = model.band_1s.center_nm
    print(f"  material gain at {wl0:g} nm and 18 A/cm^2: {model.material_gain(18.0, wl0):.1f} cm^-1 "
          f"(saturated maximum {model.max_gain(wl0):.0f} cm^-1)")

    thermal = ThermalModel()
    roll = thermal.rollover_current(model, wl0)
    print(f"Heating (defaults, CW): dT(18 A/cm^2) = {thermal.temperature_rise(18.0):.1f} K; "
          f"rollover at {roll.current_density:.1f} A/cm^2 (gain {roll.gain_per_cm:.0f} cm^-1, dT {roll.temperature_rise_K:.0f} K)")

    # a QD microcavity: TiO2/SiO2 DBRs around the QD film, the film on a field antinode
    stack = _microcavity(wl0)
    th = cavity.lasing_threshold(stack, wl0)
    jt = cavity.threshold_current(stack, model, (wl0 - 30.0, wl0 + 30.0))
    hot = cavity.threshold_current(stack, model, (wl0 - 30.0, wl0 + 30.0), thermal=thermal)
    print(f"QD microcavity ({len(stack)} layers): mode at {th.wavelength:.2f} nm, Q = {th.passive.Q:.0f}, "
          f"Gamma = {th.confinement:.4f}, g_th = {th.material_gain:.0f} cm^-1")
    print(f"  J_th = {jt.current_density:.2f} A/cm^2 (<N> = {jt.mean_occupancy:.2f}); with CW heating: "
          + (f"{hot.current_density:.2f} A/cm^2, dT = {hot.temperature_rise:.1f} K" if hot.reachable
             else f"unreachable (short of {hot.gain_shortfall:.0f} cm^-1)"))
    mode = LasingMode.from_threshold(th)
    laser = LaserRateEquations(model, mode)
    curve = laser.lj_curve(np.linspace(0.0, 3.0 * jt.current_density, npts))
    print(f"  L-J: threshold kink at {laser.threshold_current():.2f} A/cm^2, slope {curve.slope_efficiency_W_per_A:.3f} W/A")

    OUT.mkdir(exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")
    wl = np.linspace(560.0, 690.0, 4 * npts)
    js = np.geomspace(0.3, 300.0, npts)
    figs = {
        "lim2018_gain_spectra.png": plot_gain_spectra(model, [1.0, 3.5, 10.0, 18.0, 100.0], wl)[0],
        "lim2018_mean_occupancy.png": plot_mean_occupancy(model, js)[0],
        "lim2018_peak_gain.png": plot_peak_gain(model, js, wl0, mode.threshold_material_gain_per_cm, thermal=thermal)[0],
        "lim2018_lj_curve.png": plot_lj_curve(curve)[0],
    }
    for name, fig in figs.items():
        fig.savefig(OUT / name, dpi=100)
        matplotlib.pyplot.close(fig)
    print(f"Figures saved to {OUT}")
    return fit


def _microcavity(lam0):
    """air | (SiO2/TiO2)^8 | SiO2 | QD film (20 nm) | SiO2 | (TiO2/SiO2)^10 | glass, QD on an antinode
    (TiO2 faces the core on both sides, so the antinode lies inside the SiO2 spacers)."""
    high, low = materials.get("TiO2"), materials.get("SiO2")
    core = [cavity.Layer(low, 100.0), cavity.Layer(materials.get("CdSe QD film"), 20.0, name="QD film", gain=True),
            cavity.Layer(low, 100.0)]
    stack = cavity.microcavity(core, cavity.dbr(low, high, 8, lam0), cavity.dbr(high, low, 10, lam0),
                               incident=materials.get("air"), substrate=materials.get("borosilicate glass"))
    return cavity.place_on_antinode(stack, 17, 16, 18, lam0)


if __name__ == "__main__":
    main()

"""Calibrate the injected CQD gain model to Lim, Park & Klimov, Nat. Mater. 17, 42 (2018), honestly.

Targets (docs/theory.md s.2.2): <N> = 3.2 at J = 18 A/cm^2 (from the brief, unverified) and
band-edge (1S) population inversion at 3-4 A/cm^2 (abstract); we use 3.5 A/cm^2.  The dot density
is that of the 20 nm QD film of the seed stack, whose material records its dots ("CdSe QD film":
10 nm dots with 1 nm ligand shells, close packed, 12 nm apart -- an assumption) and
eta_inj = 1.  The free parameters, the exciton lifetime tau_X and the biexciton Auger lifetime
tau_XX,A, are fitted only inside their physical bounds (cavity.gain.model.PHYSICAL_BOUNDS,
docs/gain.md s.6).  When the targets cannot be met there, the script prints which are missed and
what would have to change (the injection efficiency, the dot density or the current density at the
dots), and continues with the physical lifetimes and the dot density the data imply -- stated as
such, not as a fit result.  It then prints V and the temperature rise of the seed LED stack at
18 A/cm^2 from its layers (ThermalModel.from_stack), the heated threshold of a QD microcavity
(thermo-optic shift included) and an L-J curve with self-heating, and saves figures to
examples/output/.

Run:  python examples/calibrate_lim2018.py [--quick]
"""
from __future__ import annotations

import argparse
import pathlib

import numpy as np

import cavity
import materials
from cavity.gain import QDGainModel
from cavity.gain.model import PHYSICAL_BOUNDS
from cavity.plotting.gain import plot_gain_spectra, plot_lj_curve, plot_mean_occupancy, plot_peak_gain
from cavity.lasing.rate_equations import LaserRateEquations, LasingMode
from cavity.gain.thermal import ThermalModel

OUT = pathlib.Path(__file__).resolve().parent / "output"
QD_NM = 20.0         # the QD film of the seed stack (cavity.seed_led_stack)
APERTURE_UM = 50.0   # radius of the current-focusing aperture (assumption)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points in the plots")
    args = parser.parse_args(argv)
    npts = 12 if args.quick else 60

    # the dots are those of the seed stack's QD film (its material records them: "CdSe QD film", 10 nm
    # dots with 1 nm ligand shells, close packed); the model takes the film's geometry, not its own
    seed = cavity.seed_led_stack(qd_nm=QD_NM)
    start = QDGainModel(injection_efficiency=1.0).for_stack(seed)
    dots = seed.layers[seed.gain_layer_indices[0]].material.qd_geometry
    fit = start.calibrate(occupancy_points=[(18.0, 3.2)], inversion_currents=[3.5],
                          free=("exciton_lifetime_ns", "biexciton_auger_lifetime_ns"))
    print(f"Calibration to Lim 2018 within physical bounds ({QD_NM:g} nm film of close-packed "
          f"{dots.core_diameter_nm:g} nm dots with {dots.ligand_thickness_nm:g} nm ligands, {dots.dot_spacing_nm:g} nm "
          f"apart: {start.areal_density:.3g} dots/cm^2, eta_inj = 1):")
    for (name, value), (_, lo, hi) in zip(fit.parameters, fit.bounds):
        edge = "  <- at its bound" if min(value / lo, hi / value) < 1.0 + 1e-6 else ""
        print(f"  {name:30s} = {value:8.4g}   (physical bounds {lo:g}-{hi:g}: {PHYSICAL_BOUNDS[name][2][:60]}...){edge}")
    if fit.success:
        print(f"  every target met (max |log residual| = {fit.max_abs_residual:.1e})")
        model = fit.model
    else:
        print("  TARGETS MISSED with physical lifetimes:")
        for miss in fit.missed_targets:
            print(f"    {miss}")
        need = fit.needed
        print(f"  What must change: the excitons generated per dot per unit current must be "
              f"{need.generation_scale:.3g} x the assumed, i.e.")
        print(f"    - injection efficiency {need.injection_efficiency:.3g} at {start.areal_density:.3g} dots/cm^2"
              + ("  (impossible: > 1)" if not need.injection_efficiency_possible else ""))
        print(f"    - or {need.areal_density_per_cm2:.3g} dots/cm^2 carrying the current at eta_inj = 1 (a "
              f"{need.film_thickness_nm:.3g} nm film of these dots, or {need.dot_spacing_nm:.3g} nm dot spacing in "
              f"the {QD_NM:g} nm film)")
        print(f"    - or a current density at the dots {need.generation_scale:.3g} x the quoted one (current focusing)")
        print("    with " + ", ".join(f"{n} = {v:.3g}" for n, v in need.parameters)
              + (" (every target met)" if need.met else " (still missed: " + need.message + ")"))
        # the rest of the example: the physical lifetimes in the assumed film, read as "the current
        # density at the dots is f x the quoted one" (the film, and so its absorption sigma n_vol,
        # stays that of the stack) -- an assumption, not a fit result
        model = QDGainModel(**dict(need.parameters)).for_stack(seed)
        f = need.generation_scale
        print(f"  Used below (an assumption, not a result): {', '.join(f'{n} = {v:.3g}' for n, v in need.parameters)} "
              f"in the assumed film, J = the current density at the dots: Lim's 18 A/cm^2 then means "
              f"{18.0 * f:.0f} A/cm^2 at the dots (<N> there = {model.mean_occupancy(18.0 * f):.3f}, inversion at "
              f"{model.inversion_current():.1f} A/cm^2 = {model.inversion_current() / f:.2f} x {f:.3g}). "
              f"A {f:.3g}x sparser film instead would also have a {f:.3g}x smaller band-edge absorption "
              f"and gain ({model.band_1s.peak_absorption_per_cm / f:.0f} cm^-1).")
    print(f"  model: <N>(18 A/cm^2) = {model.mean_occupancy(18.0):.4f}; 1S inversion at {model.inversion_current():.4f} A/cm^2")
    wl0 = model.band_1s.center_nm
    print(f"  material gain at {wl0:g} nm and 18 A/cm^2: {model.material_gain(18.0, wl0):.1f} cm^-1 "
          f"(saturated maximum {model.max_gain(wl0):.0f} cm^-1)")

    # heating from the layers of the seed LED stack (docs/device.md)
    thermal = ThermalModel.from_stack(seed, aperture_radius_um=APERTURE_UM)
    print(f"Seed LED stack ({len(seed)} layers, {APERTURE_UM:g} um aperture, CW): V(18 A/cm^2) = "
          f"{thermal.voltage(18.0):.2f} V, QD-film temperature rise {thermal.temperature_rise(18.0):.1f} K")
    try:
        roll = thermal.rollover_current(model, wl0)
        print(f"  heated gain at {wl0:g} nm rolls over at {roll.current_density:.1f} A/cm^2 "
              f"(gain {roll.material_gain:.0f} cm^-1, dT {roll.temperature_rise:.0f} K)")
    except ValueError as exc:
        print(f"  {exc}")

    # a QD microcavity: TiO2/SiO2 DBRs around the QD film, the film on a field antinode
    stack = _microcavity(wl0)
    th = cavity.lasing_threshold(stack, wl0)
    jt = cavity.threshold_current(stack, model, (wl0 - 30.0, wl0 + 30.0))
    hot = cavity.threshold_current(stack, model, (wl0 - 30.0, wl0 + 30.0), thermal=thermal)
    print(f"QD microcavity ({len(stack)} layers): mode at {th.wavelength:.2f} nm, Q = {th.passive.Q:.0f}, "
          f"Gamma = {th.confinement:.4f}, g_th = {th.material_gain:.0f} cm^-1")
    print(f"  J_th = {jt.current_density:.2f} A/cm^2 (<N> = {jt.mean_occupancy:.2f}); with the seed stack's CW heating "
          "(gain band and thermo-optic shift): "
          + (f"{hot.current_density:.2f} A/cm^2 at {hot.wavelength:.2f} nm, dT = {hot.temperature_rise:.1f} K"
             if hot.reachable else f"unreachable: {hot.reason}"))
    pulsed = ThermalModel.from_stack(seed, aperture_radius_um=APERTURE_UM, duty_cycle=1e-3)
    hot_p = cavity.threshold_current(stack, model, (wl0 - 30.0, wl0 + 30.0), thermal=pulsed)
    print("  pulsed at a 0.1% duty cycle: " + (f"{hot_p.current_density:.2f} A/cm^2, dT = {hot_p.temperature_rise:.2f} K"
                                              if hot_p.reachable else "unreachable"))
    if jt.reachable and hot.reachable and hot.temperature_rise > 0:
        warm = cavity.lasing_threshold(stack, th.wavelength, temperature_rise=hot.temperature_rise)
        print(f"  the cold mode moves by {warm.wavelength - th.wavelength:+.3f} nm at that dT (thermo-optic), "
              f"the gain band by {model.peak_shift_nm_per_K * hot.temperature_rise:+.2f} nm")
    band = model.band_1s   # beta from the film's emission into the mode (docs/emission.md s.8)
    emission = np.linspace(band.center_nm - 1.5 * band.fwhm_nm, band.center_nm + 1.5 * band.fwhm_nm, 9)
    mode = LasingMode.from_threshold(th, beta="computed", stack=stack, emission_wavelengths=emission,
                                     emission_spectrum=band.line_shape)
    print(f"  beta = {mode.beta:.3g}: the film's spontaneous emission into the lasing mode (computed)")
    laser = LaserRateEquations(model, mode)
    js = np.linspace(0.0, 3.0 * jt.current_density, npts)
    curve = laser.lj_curve(js)
    print(f"  L-J: threshold kink at {laser.threshold_current():.2f} A/cm^2, slope {curve.slope_efficiency_W_per_A:.3f} W/A")
    heated = LaserRateEquations(model, mode, thermal=thermal).lj_curve(np.linspace(0.0, 6.0 * jt.current_density, npts))
    if heated.threshold_current is None:
        print("  L-J with CW self-heating: the heated gain never reaches threshold (no lasing)")
    else:
        r = heated.rollover_current
        print(f"  L-J with CW self-heating: threshold {heated.threshold_current:.2f} A/cm^2, "
              + (f"output peaks at {r:.1f} A/cm^2 and rolls over" if r is not None else "no rollover in the range"))

    OUT.mkdir(exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")
    wl = np.linspace(560.0, 690.0, 4 * npts)
    js = np.geomspace(0.3, 300.0, npts)
    figs = {
        "lim2018_gain_spectra.png": plot_gain_spectra(model, [1.0, 3.5, 10.0, 18.0, 100.0], wl)[0],
        "lim2018_mean_occupancy.png": plot_mean_occupancy(model, js)[0],
        "lim2018_peak_gain.png": plot_peak_gain(model, js, wl0, mode.threshold_material_gain, thermal=thermal)[0],
        "lim2018_lj_curve.png": plot_lj_curve(curve)[0],
        "lim2018_lj_curve_heated.png": plot_lj_curve(heated)[0],
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

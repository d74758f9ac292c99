"""A CQD microcavity between two dielectric DBRs: resonances, thresholds and figures.

    python examples/qd_microcavity.py [--pairs 8] [--out examples/output]

Prints the passive resonances (Q, linewidth, photon lifetime), the lasing threshold of each
longitudinal mode (material gain, confinement, outcoupling loss) and saves the stack with its mode
field, the R/T spectrum and the threshold map.
"""
from __future__ import annotations

import argparse
import pathlib

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

import cavity as cv  # noqa: E402
import materials as mt  # noqa: E402
from cavity.plotting import plot_spectrum, plot_stack_field, plot_threshold_modes  # noqa: E402


def build(pairs_top: int, pairs_bottom: int, lam0: float) -> cv.Stack:
    high, low = mt.get("TiO2"), mt.get("SiO2")
    qd = mt.get("CdSe QD film")
    core = [cv.Layer(low, 100.0, name="SiO2 spacer"), cv.Layer(qd, 20.0, name="QD film", gain=True),
            cv.Layer(low, 100.0, name="SiO2 spacer")]
    stack = cv.microcavity(core, cv.dbr(low, high, pairs_top, lam0), cv.dbr(high, low, pairs_bottom, lam0),
                           incident=mt.get("air"), substrate=mt.get("borosilicate glass"))
    qd_index = 2 * pairs_top + 1
    return cv.place_on_antinode(stack, qd_index, qd_index - 1, qd_index + 1, lam0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=8, help="DBR pairs of the top mirror (bottom: +2)")
    ap.add_argument("--wavelength", type=float, default=630.0, help="design wavelength (nm)")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).with_name("output")))
    args = ap.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lam0 = args.wavelength

    stack = build(args.pairs, args.pairs + 2, lam0)
    print(stack)
    window = (lam0 - 60.0, lam0 + 60.0)
    print(f"\nPassive resonances in {window[0]:.0f}-{window[1]:.0f} nm:")
    for res in cv.resonances(stack, window):
        print(f"  {res.wavelength:8.2f} nm   Q = {res.Q:9.1f}   linewidth = {res.linewidth:7.3f} nm   "
              f"photon lifetime = {res.photon_lifetime * 1e3:8.3f} ps")
    modes = cv.threshold_modes(stack, window, max_gain=1e6)
    print("\nThreshold of each longitudinal mode (lowest first):")
    for m in modes.modes:
        print(f"  {m.wavelength:8.2f} nm   g_th = {m.material_gain:10.1f} cm^-1   Gamma = {m.confinement:.4f}   "
              f"Gamma_r = {m.standing_wave_factor:.3f}   outcoupling loss = {m.outcoupling_loss:8.2f} cm^-1   "
              f"internal loss = {m.internal_loss:6.2f} cm^-1")
    print(f"side-mode margin: {modes.side_mode_margin:.1f} cm^-1")

    best = modes.lowest
    fig, _ = plot_stack_field(stack, best.wavelength, gain=best.material_gain)
    fig.savefig(out / "microcavity_field.png", dpi=120, bbox_inches="tight")
    wl = np.linspace(window[0] - 40, window[1] + 40, 2001)
    fig, _ = plot_spectrum(cv.spectrum(stack, wl))
    fig.savefig(out / "microcavity_spectrum.png", dpi=120, bbox_inches="tight")
    fig, _ = plot_threshold_modes(modes)
    fig.savefig(out / "microcavity_thresholds.png", dpi=120, bbox_inches="tight")
    print(f"\nfigures saved in {out}")
    return modes


if __name__ == "__main__":
    main()

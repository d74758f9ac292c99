"""Optimise an electrically pumped CQD vertical cavity for the lowest threshold current density.

    python examples/optimize_microcavity.py [--quick] [--budget 3000] [--seed 1] [--out examples/output]
                                            [--checkpoint run.ckpt [--resume]]

The cavity is ``air | top DBR | ITO | ZnO | QD film | TCTA | ITO | bottom DBR | glass``: the QD
film sits between its electron (ZnO) and hole (TCTA) transport layers and two transparent ITO
electrodes inside a vertical cavity (dielectric mirrors carry no current, so the electrodes lie in
the optical path and absorb there; a ring contact outside the optical aperture feeds them).  The
search varies the electrode, transport-layer and QD thicknesses (nm), the mirror pairs
(integers) and the high-index mirror material (a choice between two materials), and minimises
J_th (A/cm^2) of the injected CQD gain model with each design's own self-heating and voltage
from its layers (``ThermalFromStack``: a 50 um radius current-focusing aperture, heat sunk into the
glass, pulsed at a 1e-3 duty cycle: CW, physical dots heat the film by ~100 K already at
transparency; docs/device.md s.5), subject to

* the lasing wavelength within +-3 nm of the design wavelength,
* transport layers thin enough to conduct (ZnO <= 120 nm, TCTA <= 80 nm),
* a total thickness of at most 6 um, a QD-film temperature rise of at most 60 K and a device
  voltage of at most 12 V at threshold.

Prints the best design with its exact threshold report and saves the convergence history and the
spectrum of the best design.  Ctrl-C stops the
search and keeps the best design so far; ``--checkpoint``/``--resume`` continue a long run.
"""
from __future__ import annotations

import argparse
import functools
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import cavity as cv  # noqa: E402
import materials as mt  # noqa: E402
from cavity.design import (  # noqa: E402
    Choice, Continuous, DESettings, DesignSpace, Integer, LayerThickness, Objective, RunSettings, SearchSettings,
    ThermalLimit, ThresholdProblem, TotalThickness, WavelengthWindow, optimize,
)
from cavity.design import MaxVoltage, ThermalFromStack  # noqa: E402
from cavity.plotting import plot_spectrum  # noqa: E402

LAM0 = 630.0  # design wavelength (nm)
SIO2, ZNO, TCTA, QD, ITO = mt.get("SiO2"), mt.get("ZnO"), mt.get("TCTA"), mt.get("CdSe QD film"), mt.get("ITO")
GLASS, AIR = mt.get("borosilicate glass"), mt.get("air")
HIGH_INDEX = (mt.get("TiO2"), mt.get("Ta2O5"))


@functools.lru_cache(maxsize=None)
def mirror(high: mt.Material, pairs: int, top: bool) -> cv.Stack:
    """Quarter-wave DBR whose high-index layer faces the cavity (built once per material and pair
    count: the search only reassembles).  Against the higher-index mirror the field of the cavity
    mode has a node at the mirror surface: there the ITO electrodes absorb least."""
    return cv.dbr(SIO2, high, pairs, LAM0) if top else cv.dbr(high, SIO2, pairs, LAM0)


def build(t_cathode: float, t_zno: float, t_qd: float, t_tcta: float, t_anode: float, top_pairs: int,
          bottom_pairs: int, high: mt.Material) -> cv.Stack:
    """One vertical cavity per parameter set (thicknesses in nm)."""
    core = [cv.Layer(ITO, t_cathode, name="ITO cathode"), cv.Layer(ZNO, t_zno, name="ZnO"),
            cv.Layer(QD, t_qd, name="QD film", gain=True), cv.Layer(TCTA, t_tcta, name="TCTA"),
            cv.Layer(ITO, t_anode, name="ITO anode")]
    return cv.microcavity(core, mirror(high, top_pairs, True), mirror(high, bottom_pairs, False),
                          incident=AIR, substrate=GLASS)


SPACE = DesignSpace(build, {
    "t_cathode": Continuous(15.0, 150.0),
    "t_zno": Continuous(20.0, 200.0),
    "t_qd": Continuous(10.0, 40.0),
    "t_tcta": Continuous(20.0, 150.0),
    "t_anode": Continuous(15.0, 150.0),
    "top_pairs": Integer(3, 10),
    "bottom_pairs": Integer(4, 12),
    "high": Choice(HIGH_INDEX),
})
CONSTRAINTS = (WavelengthWindow(LAM0 - 3.0, LAM0 + 3.0), LayerThickness("ZnO", maximum=120.0),
               LayerThickness("TCTA", maximum=80.0), TotalThickness(6000.0), ThermalLimit(60.0), MaxVoltage(12.0))
#: each design's V(J) and dT(J) from its layers: 50 um aperture, ring contact at 150 um, pulsed (duty cycle 1e-3)
THERMAL = ThermalFromStack(50.0, duty_cycle=1e-3, contact_radius_um=150.0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny budget (a smoke test, a few seconds)")
    ap.add_argument("--budget", type=int, default=3000, help="DE evaluations")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--checkpoint", default=None, help="checkpoint directory (plain data, committed every generation)")
    ap.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).with_name("output")))
    args = ap.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    budget = 160 if args.quick else args.budget

    settings = SearchSettings(
        ThresholdProblem(near=LAM0, gain_model=cv.QDGainModel(), thermal=THERMAL, constraints=tuple(CONSTRAINTS)),
        DESettings(budget=budget, population_size=20 if args.quick else None, seed=args.seed,
                   polish=20 if args.quick else True),
        RunSettings(checkpoint=args.checkpoint, resume=args.resume, progress=True))
    result = optimize(SPACE, Objective.THRESHOLD_CURRENT, settings=settings)

    print(f"\n{result.message}; {result.n_evaluations} designs evaluated, seed {result.seed}")
    print("best parameters:")
    for name, value in result.parameters.items():
        print(f"  {name:13s} {value.name if isinstance(value, mt.Material) else value}")
    print(result.design)
    print(f"search score J_th = {result.score:.3f} A/cm^2 (feasible: {result.feasible})")
    rep = result.report
    if rep is not None:
        print(f"exact report: J_th = {rep.current_density:.3f} A/cm^2 at {rep.wavelength:.2f} nm, "
              f"g_th = {rep.material_gain:.1f} cm^-1, <N> = {rep.mean_occupancy:.3f}, dT = {rep.temperature_rise:.1f} K")
        if rep.reachable:
            print(f"  from its layers: V(J_th) = {float(THERMAL(result.design).voltage(rep.current_density)):.2f} V")

    gens = [h.generation for h in result.history]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(gens, [h.best_score for h in result.history], label="best")
    ax.plot(gens, [h.mean_score for h in result.history], label="population mean")
    ax.set_xlabel("generation")
    ax.set_ylabel("J_th (A/cm$^2$)")
    ax.set_yscale("log")
    ax.legend()
    fig.savefig(out / "optimize_microcavity_history.png", dpi=120, bbox_inches="tight")
    wl = np.linspace(LAM0 - 60.0, LAM0 + 60.0, 1201)
    fig, _ = plot_spectrum(cv.spectrum(result.design, wl))
    fig.savefig(out / "optimize_microcavity_spectrum.png", dpi=120, bbox_inches="tight")
    plt.close("all")
    print(f"figures saved in {out}")
    return result


if __name__ == "__main__":
    main()

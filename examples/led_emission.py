"""Light from the QD film: the seed LED stack against a DBR microcavity around the same film.

    python examples/led_emission.py [--positions 5] [--wavelengths 19] [--out examples/output]

For each device the QD film emits with the gain model's band-edge spectrum (a Gaussian at
625 nm, 30 nm FWHM; dipoles of equal strength averaged across the film, isotropic orientation):

* where the power goes: into the incident medium and the substrate (the LED's extraction
  efficiency), guided modes, surface plasmons, absorbed (``docs/emission.md`` s.3, s.7);
* the far-field pattern in each outer medium (figures ``led_far_field.png``,
  ``cavity_far_field.png``) and the LED's power split against the ZnO thickness (the distance of
  the QD film from the aluminium cathode: ``led_power_split_vs_zno.png``);
* the film-averaged Purcell factor at 625 nm, and the exciton radiative rate of the gain model
  scaled by it (``QDGainModel(radiative_rate_factor=F)``: tau_X holds in a homogeneous film, F is
  the cavity's Purcell factor relative to it) with the threshold current of the microcavity for both;
* beta of the microcavity's lasing mode (``spontaneous_coupling``, s.8) and the L-J curve's
  kink it sets (``LasingMode.from_threshold(..., beta="computed")``).

The seed LED is the stack of Lim, Park & Klimov (Nat. Mater. 2018) with representative layer
thicknesses (``cavity.seed_led_stack``): glass | ITO | TCTA | QD film | ZnO | Al | air, light
leaving through the (semi-infinite) glass.  The microcavity is the one of the README tour: the
20 nm QD film on the antinode of a SiO2 spacer between TiO2/SiO2 DBRs (8 and 10 pairs).
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import pathlib
import time

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

import cavity as cv  # noqa: E402
import materials as mt  # noqa: E402
from cavity.optics.emission import film_emission, radiative_rate_factor, spontaneous_coupling  # noqa: E402
from cavity.plotting.emission import plot_far_field, plot_power_split  # noqa: E402

LAM0 = 630.0


def microcavity() -> cv.Stack:
    """The README tour's cavity: QD film on the field antinode at 630 nm."""
    H, L = mt.get("TiO2"), mt.get("SiO2")
    core = [cv.Layer(L, 100.0, name="SiO2 spacer"), cv.Layer(mt.get("CdSe QD film"), 20.0, gain=True, name="QD film"),
            cv.Layer(L, 100.0, name="SiO2 spacer")]
    dev = cv.microcavity(core, cv.dbr(L, H, 8, LAM0), cv.dbr(H, L, 10, LAM0),
                         incident=mt.get("air"), substrate=mt.get("borosilicate glass"))
    return cv.place_on_antinode(dev, 17, 16, 18, LAM0)


def escape_cone_share(film, side: str, n_side: float) -> float:
    """Share of the film's power radiated into ``side`` within the escape cone of a flat
    interface to air (``sin t < 1/n_side``): what a thick substrate lets out at first pass,
    before the Fresnel reflection of that face (ray optics)."""
    t = np.deg2rad(np.asarray(film.angles))
    per_sr = getattr(film, f"{side}_s") + getattr(film, f"{side}_p")
    inside = t <= math.asin(min(1.0, 1.0 / n_side))
    return float(2 * math.pi * np.trapezoid((per_sr * np.sin(t))[inside], t[inside]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--positions", type=int, default=5, help="Gauss-Legendre positions across the QD film")
    ap.add_argument("--wavelengths", type=int, default=19, help="wavelengths across the emission band")
    ap.add_argument("--zno-points", type=int, default=9, help="ZnO thicknesses of the power-split sweep")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).with_name("output")))
    args = ap.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()

    model = cv.QDGainModel()
    band = model.band_1s                                   # the film's emission band (Gaussian)
    sigma = band.fwhm_nm / (2 * math.sqrt(2 * math.log(2)))

    def spectrum(lam):
        return math.exp(-0.5 * ((lam - band.center_nm) / sigma) ** 2)

    wl = np.linspace(band.center_nm - 1.5 * band.fwhm_nm, band.center_nm + 1.5 * band.fwhm_nm, args.wavelengths)
    angles = np.concatenate([np.linspace(0.0, 10.0, 401), np.linspace(10.25, 89.75, 319)])  # the cavity beam is narrow
    led = cv.seed_led_stack()
    cav = microcavity()
    devices = {"seed LED": led, "microcavity": cav}

    results = {}
    print("Emission of the QD film (isotropic dipoles, gain-model band "
          f"{band.center_nm:.0f} nm / {band.fwhm_nm:.0f} nm FWHM, {args.positions} positions x {wl.size} wavelengths)\n")
    print("| device | layers | escape: incident | escape: substrate | guided | plasmon | absorbed | Purcell F (625 nm) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, st in devices.items():
        f = film_emission(st, "QD film", wl, spectrum=spectrum, positions=args.positions, angles=angles)
        F = radiative_rate_factor(st, "QD film", band.center_nm, positions=args.positions)
        results[name] = (f, F)
        print(f"| {name} | {len(st.layers)} | {st.incident.name}: {f.incident_fraction:.3f} | "
              f"{st.substrate.name}: {f.substrate_fraction:.3f} | {f.guided_fraction:.3f} | "
              f"{f.plasmon_fraction:.3f} | {f.absorbed_fraction:.3f} | {F:.3f} |")
        fig, ax = plot_far_field(f, polar=True)
        ax.set_title(f"{name}: far field (fraction of the emitted power per sr)", fontsize=10)
        fig.savefig(out / ("led_far_field.png" if name == "seed LED" else "cavity_far_field.png"), dpi=120,
                    bbox_inches="tight")

    led_f = results["seed LED"][0]
    n_glass = float(led.incident.n(band.center_nm).real)
    cone = escape_cone_share(led_f, "incident", n_glass)
    print(f"\nseed LED: {led_f.incident_fraction:.3f} of the emitted power enters the glass; {cone:.3f} within "
          f"its escape cone to air (n = {n_glass:.3f}), i.e. the first-pass extraction into air before the "
          f"glass/air Fresnel loss")
    cav_f = results["microcavity"][0]
    print(f"microcavity: extraction {cav_f.extraction_efficiency:.3f} (air {cav_f.incident_fraction:.3f}, "
          f"glass {cav_f.substrate_fraction:.3f}); on-axis power per sr into air "
          f"{cav_f.incident_s[0] + cav_f.incident_p[0]:.3f} vs the LED's into glass "
          f"{led_f.incident_s[0] + led_f.incident_p[0]:.3f}")

    # the LED's power split against the QD-cathode distance (the ZnO thickness)
    zno = np.linspace(20.0, 160.0, args.zno_points)
    fig, ax = plot_power_split(led, "QD film", vary="ZnO", thicknesses=zno, wavelengths=band.center_nm,
                               positions=min(args.positions, 3))
    ax.set_title("seed LED at 625 nm: where the QD film's emission goes", fontsize=10)
    fig.savefig(out / "led_power_split_vs_zno.png", dpi=120, bbox_inches="tight")

    # the lasing mode of the microcavity: beta, and the Purcell-scaled radiative rate
    th = cv.lasing_threshold(cav, near=LAM0)
    sc = spontaneous_coupling(cav, th, wl, spectrum=spectrum, positions=args.positions)
    F_cav = results["microcavity"][1]
    scaled = dataclasses.replace(model, radiative_rate_factor=F_cav)
    j_plain = cv.threshold_current(cav, model, (600.0, 660.0))
    j_scaled = cv.threshold_current(cav, scaled, (600.0, 660.0))
    mode = cv.LasingMode.from_threshold(th, beta=sc.beta)
    print(f"\nmicrocavity lasing mode: {th.wavelength:.2f} nm, Q = {th.passive.Q:.0f}, linewidth "
          f"{sc.linewidth:.3f} nm, cone half-angle {sc.cone_angles[0]:.2f} deg in air")
    print(f"  beta = {sc.beta:.3g} (emission into the mode's solid angle and linewidth over the film's total; "
          f"escape share {sc.escape_share:.3f}); LasingMode.beta = {mode.beta:.3g} (default guess 1e-4)")
    print(f"  Purcell factor of the film at {band.center_nm:.0f} nm: {F_cav:.3f} -> exciton radiative lifetime "
          f"{model.exciton_lifetime_ns:.1f} ns -> {model.exciton_lifetime_ns / F_cav:.1f} ns "
          f"(QDGainModel(radiative_rate_factor={F_cav:.3f}))")
    print(f"  J_th = {j_plain.current_density:.2f} A/cm^2 with the bulk radiative rate, "
          f"{j_scaled.current_density:.2f} A/cm^2 with the Purcell-scaled rate")
    print(f"\n({time.perf_counter() - t_start:.1f} s; figures in {out})")
    return {"led": results["seed LED"], "cavity": results["microcavity"], "beta": sc, "mode": mode,
            "threshold_current": (j_plain, j_scaled), "zno": zno}


if __name__ == "__main__":
    main()

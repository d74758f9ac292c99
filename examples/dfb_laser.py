"""A CQD DFB laser around the seed LED stack: guided mode, confinement, stopband, thresholds, J_th.

    python examples/dfb_laser.py [--periods 1000] [--order 1] [--out examples/output]

The seed LED layers (ZnO | QD film | TCTA | ITO, after Lim, Park & Klimov 2018; thicker ZnO and
QD film and a thin ITO so that the stack guides with little absorption) sit on a SiO2 layer on
glass into which the grating is etched (grooves filled by the ITO above).  The top metal cathode
is left out: a 100 nm Al cathode adds several hundred cm^-1 of modal loss (printed below), so a
DFB needs a lateral or transparent top contact.  Prints the
sections' guided modes and confinement, the stopband, the lowest threshold modes (material gain,
modal gain, losses, J_th from the QD gain model) and saves two figures.

Then it compares a first-order grating (duty cycle 1/2) with a second-order one of the same
length (duty cycle 1/4, where its coupling harmonic sin(2 pi D) is largest), whose surface emission
is computed by coupled-wave theory with radiation (docs/dfb.md): thresholds, and where the light
of the lasing mode goes at threshold (absorbed, out through the cleaved ends, emitted up into air
or down into the glass).  It saves the second-order mode's near and far field.
"""
from __future__ import annotations

import argparse
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import cavity as cv  # noqa: E402
import materials as mt  # noqa: E402
from cavity.waveguide.dfb import DFBGrating, Facet, dfb_threshold, far_field, surface_emission  # noqa: E402
from cavity.waveguide import guided_modes  # noqa: E402

LAM0 = 630.0


def device() -> cv.Stack:
    """air | ZnO 100 | QD film 80 | TCTA 30 | ITO 15 | SiO2 60 (grating) | glass (nm)."""
    layers = (
        cv.Layer(mt.get("ZnO"), 100.0, name="ZnO"),
        cv.Layer(mt.get("CdSe QD film"), 80.0, name="QD film", gain=True),
        cv.Layer(mt.get("TCTA"), 30.0, name="TCTA"),
        cv.Layer(mt.get("ITO"), 15.0, name="ITO"),
        cv.Layer(mt.get("SiO2"), 60.0, name="SiO2 grating"),
    )
    return cv.Stack(layers, incident=cv.AIR, substrate=mt.get("soda-lime glass"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--periods", type=int, default=1000)
    ap.add_argument("--order", type=int, default=1)
    ap.add_argument("--etch", type=float, default=30.0, help="etch depth into the SiO2 layer (nm)")
    ap.add_argument("--out", default="examples/output")
    args = ap.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    stack = device()
    modes = guided_modes(stack, LAM0, "TE")
    print(f"device: {stack}")
    for m in modes:
        print(f"  {m.label}: n_eff = {m.n_eff.real:.5f}{m.n_eff.imag:+.2e}i, loss {m.modal_loss:.1f} cm^-1, "
              f"Gamma_QD = {m.confinement('QD film'):.4f} (plain field fraction {m.field_fraction('QD film'):.4f})")
    lossy = guided_modes(cv.Stack((cv.Layer(mt.get("Al"), 100.0, name="Al"),) + stack.layers,
                                  incident=cv.AIR, substrate=stack.substrate), LAM0, "TE")
    if len(lossy):
        print(f"  with a 100 nm Al cathode on top: TE0 loss {lossy[0].modal_loss:.0f} cm^-1")

    grating = DFBGrating.etched(stack, 4, LAM0, etch_depth=args.etch, periods=args.periods, order=args.order,
                                facets=(Facet.CLEAVED, Facet.CLEAVED),
                                radiation="coupled_wave" if args.order == 2 else "none")
    model = cv.QDGainModel()
    res = dfb_threshold(grating, modes=4, gain_model=model)
    print(f"\nDFB: order {args.order}, period {res.period:.2f} nm, {res.periods} periods, L = {res.length / 1e3:.1f} um")
    print(f"  n_eff tooth/groove = {res.n_eff[0].real:.5f} / {res.n_eff[1].real:.5f}, "
          f"Gamma = {res.confinement[0]:.4f} / {res.confinement[1]:.4f}")
    print(f"  Bragg {res.bragg_wavelength:.3f} nm, stopband {res.stopband[0]:.3f}-{res.stopband[1]:.3f} nm, "
          f"kappa = {res.coupling_coefficient:.0f} cm^-1 (kappa L = {res.kappa_L:.2f})")
    print("  mode   lambda (nm)   g_th (cm^-1)   Gamma g   alpha_i   J_th (A/cm^2)")
    for i, m in enumerate(res.modes[:6]):
        print(f"  {i:4d}   {m.wavelength:10.3f}   {m.material_gain:12.1f}   {m.modal_gain:7.1f}   "
              f"{m.internal_loss:7.1f}   {m.current_density:10.2f}")
    print(f"  side-mode margin {res.side_mode_margin:.1f} cm^-1")
    print(f"  limitations: {res.limitations}")

    prof = modes[0].profile(step=1.0)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(prof.z, prof.E2, label="|E_y|^2 (TE0)")
    ax2 = ax.twinx()
    ax2.plot(prof.z, prof.n.real, color="0.5", lw=0.8)
    ax2.set_ylabel("Re n")
    ax.set_xlabel("z (nm, from the cover)")
    ax.set_ylabel("|E|^2 (norm.)")
    ax.set_title(f"TE0 n_eff = {modes[0].n_eff.real:.4f}, Gamma_QD = {modes[0].confinement('QD film'):.3f}")
    fig.tight_layout()
    fig.savefig(out / "dfb_mode_profile.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.axvspan(*res.stopband, color="0.9", label="stopband")
    lam = [m.wavelength for m in res.modes]
    g = [m.material_gain for m in res.modes]
    ax.plot(lam, g, "o")
    ax.plot(lam[0], g[0], "o", color="C3", label="lasing mode")
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("threshold material gain (cm^-1)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "dfb_thresholds.png", dpi=120)
    plt.close(fig)
    compare_orders(stack, args, model, out)
    return res


def compare_orders(stack, args, model, out):
    """First- vs second-order grating of the same length: thresholds and where the light goes."""
    print("\nFirst vs second order, same length, cleaved ends (second order: coupled-wave radiation, docs/dfb.md)")
    first = DFBGrating.etched(stack, 4, LAM0, etch_depth=args.etch, periods=args.periods, order=1,
                              facets=(Facet.CLEAVED, Facet.CLEAVED))
    second = DFBGrating.etched(stack, 4, LAM0, etch_depth=args.etch, periods=max(1, args.periods // 2), order=2,
                               duty_cycle=0.25, facets=(Facet.CLEAVED, Facet.CLEAVED), radiation="coupled_wave")
    results = {}
    print("  order  period   lambda (nm)   g_th     J_th    absorbed  ends    up (air)  down (glass)  side-mode margin")
    for name, grating in (("1", first), ("2", second)):
        res = dfb_threshold(grating, modes=4, gain_model=model)
        results[name] = res
        m = res.lowest
        ends = m.modal_gain - m.internal_loss - m.radiation_loss
        split = [m.internal_loss, ends, m.radiation_loss * m.fraction_up, m.radiation_loss * m.fraction_down]
        frac = [x / m.modal_gain for x in split]
        print(f"  {name:>5}  {res.period:6.1f}   {m.wavelength:10.3f}   {m.material_gain:6.1f}   "
              f"{m.current_density:6.1f}   {frac[0]:7.1%}  {frac[1]:6.1%}  {frac[2]:8.1%}  {frac[3]:12.1%}  "
              f"{res.side_mode_margin:8.1f} cm^-1")
    rc = results["2"].radiative
    print(f"  second order: zeta = {rc.zeta.real:.2f}{rc.zeta.imag:+.2f}i cm^-1, kappa_2 = {rc.kappa2:.1f} cm^-1, "
          f"up/down = {rc.fraction_up:.2f}/{rc.fraction_down:.2f}")
    for e in rc.band_edges():
        kind = "dark" if e.dark else f"Q = {e.q:.0f}, radiation {e.radiation_loss:.1f} cm^-1"
        print(f"    infinite-grating band edge {e.wavelength:.3f} nm: {kind}")
    print("    its modes:  lambda (nm)   g_th   radiation   absorbed   ends (cm^-1, modal)")
    for m in results["2"].modes:
        print(f"              {m.wavelength:10.3f}  {m.material_gain:6.1f}   {m.radiation_loss:8.2f}   "
              f"{m.internal_loss:8.1f}   {m.edge_loss:6.1f}")
    em = surface_emission(results["2"], 0)
    ff = far_field(em)
    print(f"    lasing mode's far-field divergence (air): {ff.divergence * 1e3:.0f} mdeg")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.5))
    a1.plot(em.position / 1e3, em.intensity)
    a1.set_xlabel("position along the grating (um)")
    a1.set_ylabel("near-field intensity (norm.)")
    a2.plot(ff.angle, ff.intensity)
    a2.set_xlabel("angle from the normal (deg)")
    a2.set_ylabel("far-field intensity (norm.)")
    fig.suptitle(f"second-order mode at {em.wavelength:.2f} nm: up {em.fraction_up:.0%}, down {em.fraction_down:.0%}")
    fig.tight_layout()
    fig.savefig(out / "dfb_surface_emission.png", dpi=120)
    plt.close(fig)
    return results


if __name__ == "__main__":
    main()

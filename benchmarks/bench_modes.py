"""Timings of the complete, counted mode search (after compilation), medians of repeats.

    NUMBA_NUM_THREADS=1 python benchmarks/bench_modes.py [--repeats 7]

(the script sets ``NUMBA_NUM_THREADS=1`` itself when the environment does not set it.)

(a) ``cavity.dfb_threshold`` on first-order gratings etched into the SiO2 under a
    ZnO | QD film | TCTA | ITO waveguide (the device of ``examples/dfb_laser.py``), 500, 1000
    and 2000 periods, absorbing and cleaved facets, uniform and quarter-wave shifted: time, modes
    found, count (winding number), complete; and the share of the effective-index section solve
    (``cavity.waveguide.dfb.grating_sections``, timed on its own) in it.
(b) ``cavity.threshold_modes`` on a layered grating built layer by layer: 1500 quarter-wave layers
    (1000 nm) of n = 1.5 -/+ 0.001, gain in every layer, outer medium n = 1.5 or air.
(c) ``cavity.lasing_threshold`` and ``cavity.threshold_modes`` on the vertical cavity of the
    README tour (39 layers) and on a 59-layer DBR cavity; and the brute-force way without a pole
    solver, in the same run: a real (lambda, g) grid of |1/t| from ``tmm.coh_tmm`` (gain as a
    complex index of the QD layer), zoomed around its minimum until the gain step is below
    1e-4 g, on the same window and gain range.  Both must agree to 1e-3 relative.
"""
from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from importlib.metadata import version  # noqa: E402
from pathlib import Path  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
import tmm  # noqa: E402

import cavity as cv  # noqa: E402
import materials as mt  # noqa: E402
from cavity.waveguide.dfb import DFBGrating, dfb_threshold, grating_sections  # noqa: E402

LAM0 = 630.0


# ----------------------------------------------------------------------------- structures
def dfb_device() -> cv.Stack:
    """air | ZnO 100 | QD film 80 | TCTA 30 | ITO 15 | SiO2 60 (grating) | glass (nm)."""
    layers = (
        cv.Layer(mt.get("ZnO"), 100.0, name="ZnO"),
        cv.Layer(mt.get("CdSe QD film"), 80.0, name="QD film", gain=True),
        cv.Layer(mt.get("TCTA"), 30.0, name="TCTA"),
        cv.Layer(mt.get("ITO"), 15.0, name="ITO"),
        cv.Layer(mt.get("SiO2"), 60.0, name="SiO2 grating"),
    )
    return cv.Stack(layers, incident=cv.AIR, substrate=mt.get("soda-lime glass"))


def layered_grating(outer, layers=1500, lam_b=1000.0, n=1.5, dn=0.001) -> cv.Stack:
    """``layers`` quarter-wave layers of n - dn, n + dn (alternating), every one with gain."""
    lo, hi = mt.Constant(n - dn), mt.Constant(n + dn)
    seq = [cv.Layer(m, lam_b / (4.0 * m.n(lam_b).real), gain=True) for m in (lo, hi)]
    return cv.Stack(tuple(seq[i % 2] for i in range(layers)), incident=outer, substrate=outer)


def tour_cavity() -> cv.Stack:
    """The vertical cavity of the README tour (39 layers)."""
    H, L = mt.get("TiO2"), mt.get("SiO2")
    core = [cv.Layer(L, 100.0), cv.Layer(mt.get("CdSe QD film"), 20.0, gain=True), cv.Layer(L, 100.0)]
    device = cv.microcavity(core, cv.dbr(L, H, 8, LAM0), cv.dbr(H, L, 10, LAM0),
                            incident=mt.get("air"), substrate=mt.get("borosilicate glass"))
    with warnings.catch_warnings():  # the tour's antinode warning: the placement is as in the README
        warnings.simplefilter("ignore")
        return cv.place_on_antinode(device, 17, 16, 18, LAM0)


def dbr_cavity(pairs=14) -> cv.Stack:
    """14 + 14 TiO2/SiO2 pairs around SiO2 | QD 20 nm | SiO2 (59 layers, benchmarks/bench_threshold.py)."""
    high, low, qd = mt.get("TiO2"), mt.get("SiO2"), mt.get("CdSe QD film")
    core = [cv.Layer(low, 100.0), cv.Layer(qd, 20.0, gain=True), cv.Layer(low, 100.0)]
    return cv.microcavity(core, cv.dbr(high, low, pairs, LAM0), cv.dbr(low, high, pairs, LAM0),
                          incident=mt.get("air"), substrate=mt.get("borosilicate glass"))


# ----------------------------------------------------------------------------- timing
def median_time(fn, repeats):
    """Median wall time of ``repeats`` calls after one warm-up call; returns (time, last result)."""
    out = fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def fmt_ms(t):
    return f"{t * 1e3:.1f} ms" if t >= 0.01 else f"{t * 1e3:.2f} ms"


# ----------------------------------------------------------------------------- brute force
_GAIN_TO_K = 1e-7 / (4.0 * math.pi)  # k = -g lambda / (4 pi), g in cm^-1 and lambda in nm


def brute_force_threshold(stack: cv.Stack, window, gain_range, *, coarse=(201, 31), zoom_points=11, rel_tol=1e-4):
    """Threshold by a (lambda, g) grid of |1/t| from ``tmm.coh_tmm``, zoomed around the minimum.

    The coarse grid spans ``window`` x ``gain_range``; every next grid has ``zoom_points`` per
    axis over +-1 step of the previous one around its minimum (5x finer), until the gain step is
    below ``rel_tol * g``.  The gain enters the layers marked ``gain=True`` as
    ``k -= g lambda / (4 pi)``.  Returns ``(lambda, g, calls)``.
    """
    gl = [i + 1 for i, layer in enumerate(stack.layers) if layer.gain]
    d_list = [np.inf] + [float(x) for x in stack.thicknesses] + [np.inf]
    calls = 0

    def grid(lams, gains):
        nonlocal calls
        n_all = stack.indices(lams)  # (media, wavelengths), passive
        val = np.empty((lams.size, gains.size))
        for i, lam in enumerate(lams):
            n_list = n_all[:, i].copy()
            for j, g in enumerate(gains):
                n_g = n_list.copy()
                n_g[gl] -= 1j * g * lam * _GAIN_TO_K
                val[i, j] = 1.0 / abs(tmm.coh_tmm("s", n_g, d_list, 0.0, lam)["t"])
        calls += val.size
        i, j = np.unravel_index(np.argmin(val), val.shape)
        return lams[i], gains[j]

    lams = np.linspace(window[0], window[1], coarse[0])
    gains = np.linspace(gain_range[0], gain_range[1], coarse[1])
    h_lam, h_g = lams[1] - lams[0], gains[1] - gains[0]
    lam, g = grid(lams, gains)
    half = (zoom_points - 1) // 2
    while h_g >= rel_tol * max(g, 1e-300):
        h_lam, h_g = h_lam / half, h_g / half
        lams = lam + h_lam * np.arange(-half, half + 1)
        gains = g + h_g * np.arange(-half, half + 1)
        gains = gains[gains >= 0.0]
        lam, g = grid(lams, gains)
    return float(lam), float(g), calls


# ----------------------------------------------------------------------------- report
def load_average():
    """1-minute load average (the machine may be shared: other jobs slow the medians)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "?"


def machine_info():
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import llvmlite.binding as llb

    try:  # the code measured: commit, and whether the working tree differs from it
        root = Path(__file__).resolve().parent.parent
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "cavity", "materials"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        commit = f"qdcavity at {head}{' + uncommitted edits in cavity/materials' if dirty else ''}; " if head else ""
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return (f"# {commit}CPU: {cpu}; logical cores: {os.cpu_count()}; Python {platform.python_version()}; "
            f"numba {numba.__version__} (llvmlite {version('llvmlite')}, SVML "
            f"{'on' if llb.config.has_svml else 'off'}), numba threads {numba.get_num_threads()} "
            f"(NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS')}); numpy {np.__version__}; "
            f"tmm {version('tmm')}; load average {load_average()}")


def part_a(repeats):
    print("\n## (a) DFB: `dfb_threshold`, first-order grating etched under ZnO | QD | TCTA | ITO\n")
    print("| periods | facets | grating | kappa L | dfb_threshold | sections | search (rest) "
          "| modes | count | complete | lowest g_th (cm^-1) at (nm) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    stack = dfb_device()
    for periods in (500, 1000, 2000):
        for facets in ("absorbing", "cleaved"):
            for shift in ((), "quarter_wave"):
                grating = DFBGrating.etched(stack, 4, LAM0, etch_depth=30.0, periods=periods,
                                            facets=(facets, facets), phase_shifts=shift)
                t_all, res = median_time(lambda: dfb_threshold(grating), repeats)
                t_sec, _ = median_time(lambda: grating_sections(grating), repeats)
                low = res.lowest
                print(f"| {periods} | {facets} | {'QWS' if shift else 'uniform'} | {res.kappa_L:.2f} | "
                      f"{fmt_ms(t_all)} | {fmt_ms(t_sec)} | {fmt_ms(t_all - t_sec)} | {len(res.modes)} | "
                      f"{res.count} | {res.complete} | {low.material_gain:.2f} at {low.wavelength:.4f} |")
    print("\nsections: `grating_sections` timed alone (guided modes of tooth and groove over the window); "
          "search (rest) = dfb_threshold - sections (the counted search and the per-mode figures).")


def part_b(repeats):
    print("\n## (b) layered grating: 1500 quarter-wave layers (1000 nm), n = 1.5 -/+ 0.001, gain in every "
          "layer: `threshold_modes(stack, (985, 1015), max_gain=300)`\n")
    print("| outer medium | threshold_modes | modes | count | complete | lowest g_th (cm^-1) at (nm) |")
    print("|---|---|---|---|---|---|")
    for label, outer in (("n = 1.5", mt.Constant(1.5)), ("air", cv.AIR)):
        stack = layered_grating(outer)
        t, res = median_time(lambda: cv.threshold_modes(stack, (985.0, 1015.0), max_gain=300.0), repeats)
        low = res.lowest
        print(f"| {label} | {fmt_ms(t)} | {len(res.modes)} | {res.count} | {res.complete} | "
              f"{low.material_gain:.3f} at {low.wavelength:.4f} |")


def part_c(repeats, width, gain_top):
    print("\n## (c) vertical cavities: `lasing_threshold` and `threshold_modes`\n")
    print("| cavity | layers | lasing_threshold(near=630) | threshold_modes((600, 660)) | modes | count "
          "| complete | g_th (cm^-1) at (nm) | passive Q |")
    print("|---|---|---|---|---|---|---|---|---|")
    cavities = (("README tour", tour_cavity()), ("59-layer DBR", dbr_cavity()))
    for label, stack in cavities:
        t_th, th = median_time(lambda: cv.lasing_threshold(stack, near=LAM0), repeats * 4)
        t_tm, tm = median_time(lambda: cv.threshold_modes(stack, (600.0, 660.0)), repeats * 4)
        print(f"| {label} | {len(stack)} | {fmt_ms(t_th)} | {fmt_ms(t_tm)} | {len(tm.modes)} | {tm.count} | "
              f"{tm.complete} | {th.material_gain:.3f} at {th.wavelength:.4f} | {th.passive.Q:.3g} |")

    print(f"\n### brute force (tmm {version('tmm')}): zoomed (lambda, g) grid of |1/t| on "
          f"{LAM0:g} +- {width:g} nm x 0-{gain_top:g} cm^-1\n")
    print("| cavity | qdcavity `lasing_threshold` | brute force | coh_tmm calls | ratio (brute / qdcavity) "
          "| g_th qdcavity | g_th brute | rel. diff g | lambda qdcavity | lambda brute | rel. diff lambda |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for label, stack in cavities:
        t_q, th = median_time(lambda: cv.lasing_threshold(stack, near=LAM0, search_width=width, max_gain=gain_top),
                              repeats * 4)
        t0 = time.perf_counter()
        lam_b, g_b, calls = brute_force_threshold(stack, (LAM0 - width, LAM0 + width), (0.0, gain_top))
        t_b = time.perf_counter() - t0
        dg = abs(g_b - th.material_gain) / th.material_gain
        dl = abs(lam_b - th.wavelength) / th.wavelength
        ok &= dg <= 1e-3 and dl <= 1e-3
        print(f"| {label} | {fmt_ms(t_q)} | {t_b:.2f} s | {calls} | {t_b / t_q:.0f}x | {th.material_gain:.4f} | "
              f"{g_b:.4f} | {dg:.1e} | {th.wavelength:.5f} | {lam_b:.5f} | {dl:.1e} |")
    print("\nbrute force: a 201 x 31 grid over the box, then 11 x 11 grids each 5x finer around the minimum "
          "until the gain step is below 1e-4 g; timed once (it takes seconds), qdcavity as a median. "
          f"Agreement to 1e-3 relative in g_th and lambda: {'yes' if ok else 'NO'}.")
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7, help="timed calls per case (after a warm-up call)")
    ap.add_argument("--width", type=float, default=5.0, help="half width (nm) of the brute-force window")
    ap.add_argument("--gain-top", type=float, default=600.0, help="top of the brute-force gain range (cm^-1)")
    args = ap.parse_args(argv)
    if args.repeats < 1:
        raise ValueError(f"--repeats must be >= 1, got {args.repeats!r}")
    print("$ " + " ".join(["python"] + [Path(sys.argv[0]).as_posix()] + sys.argv[1:]))
    print(machine_info())
    t0 = time.perf_counter()
    part_a(args.repeats)
    part_b(args.repeats)
    ok = part_c(args.repeats, args.width, args.gain_top)
    print(f"\n# total {time.perf_counter() - t0:.0f} s; load average {load_average()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

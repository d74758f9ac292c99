"""Time of a 1000-period DFB threshold (effective-index sections + 1D pole solver).

    python benchmarks/bench_dfb.py [--periods 1000] [--repeat 5]

Reports, after a warm-up call (numba compilation, cached on disk afterwards):
* the section solve (guided modes of tooth and groove tabulated over the window),
* the lowest threshold by the coupled-mode-seeded 2x2 Newton (``search="seeded"``, 4 modes),
* the complete scan of every passive pole in the window (``search="scan"``).
"""
from __future__ import annotations

import argparse
import time

import materials as mt
from cavity import Layer, Stack
from cavity.dfb import DFBGrating, dfb_threshold, grating_sections


def grating(periods: int, **kw) -> DFBGrating:
    sub = mt.Constant(1.46)
    tooth = Stack.of(Layer(mt.Constant(1.85), 200.0, gain=True), substrate=sub)
    groove = Stack.of(Layer(mt.Constant(1.85), 198.0, gain=True), substrate=sub)
    return DFBGrating(tooth, groove, 630.0, periods=periods, **kw)


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--periods", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    g = grating(args.periods)
    t0 = time.perf_counter()
    dfb_threshold(g, modes=1, search="seeded")
    dfb_threshold(g, modes=1, search="scan")
    warm = time.perf_counter() - t0
    t_sec, sec = best_of(lambda: grating_sections(g), args.repeat)
    t_one, r1 = best_of(lambda: dfb_threshold(g, modes=1, search="seeded"), args.repeat)
    t_four, r4 = best_of(lambda: dfb_threshold(g, modes=4, search="seeded"), args.repeat)
    gq = grating(args.periods, phase_shifts="quarter_wave")
    dfb_threshold(gq, modes=1, search="seeded")
    t_qws, rq = best_of(lambda: dfb_threshold(gq, modes=1, search="seeded"), args.repeat)
    t_scan, rs = best_of(lambda: dfb_threshold(g, modes=4, search="scan"), max(1, args.repeat // 2))
    print(f"{args.periods}-period first-order DFB ({2 * args.periods + 1} sections), kappa L = {r1.kappa_L:.2f}")
    print(f"  first calls incl. compilation/cache load : {warm * 1e3:8.1f} ms")
    print(f"  sections (guided modes over the window)  : {t_sec * 1e3:8.1f} ms")
    print(f"  threshold, seeded, 1 mode (incl. sections): {t_one * 1e3:8.1f} ms  "
          f"g_th = {r1.lowest.material_gain:.2f} cm^-1 at {r1.lowest.wavelength:.4f} nm")
    print(f"  threshold, seeded, 4 modes              : {t_four * 1e3:8.1f} ms  ({len(r4)} modes)")
    print(f"  quarter-wave shifted, seeded, 1 mode    : {t_qws * 1e3:8.1f} ms  "
          f"g_th = {rq.lowest.material_gain:.2f} cm^-1 at {rq.lowest.wavelength:.4f} nm")
    print(f"  full scan of the window                 : {t_scan * 1e3:8.1f} ms  ({len(rs)} modes)")


if __name__ == "__main__":
    main()

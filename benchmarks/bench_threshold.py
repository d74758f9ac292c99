"""Threshold timings of a 60-layer vertical cavity (after compilation), medians of repeats.

    python benchmarks/bench_threshold.py [--repeats 30]

Cases: the full report of `lasing_threshold` (scan for the passive pole, Newton to threshold,
confinement from closed-form field integrals); `threshold_current` with the dispersive gain
spectrum of the default QDGainModel; `threshold_population` per design (the design search's
path), single-threaded and with default threads.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numba
import numpy as np

import cavity as cv
import materials as mt


def vcsel(t_before=100.0, t_after=100.0, pairs=14):
    high, low, qd = mt.get("TiO2"), mt.get("SiO2"), mt.get("CdSe QD film")
    core = [cv.Layer(low, t_before), cv.Layer(qd, 20.0, gain=True), cv.Layer(low, t_after)]
    return cv.microcavity(core, cv.dbr(high, low, pairs, 630.0), cv.dbr(low, high, pairs, 630.0),
                          incident=mt.get("air"), substrate=mt.get("borosilicate glass"))


def median_time(fn, repeats):
    fn()  # compile / warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--designs", type=int, default=400)
    args = ap.parse_args(argv)
    stack = vcsel()
    model = cv.QDGainModel()
    rng = np.random.default_rng(0)
    population = [vcsel(90 + 20 * rng.random(), 90 + 20 * rng.random()) for _ in range(args.designs)]
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, numba {numba.__version__}, "
          f"{len(stack)} layers")
    print("| case | median | per design |")
    print("|---|---|---|")
    t = median_time(lambda: cv.lasing_threshold(stack, 630.0), args.repeats)
    print(f"| lasing_threshold (full report) | {t * 1e3:.3f} ms | |")
    t = median_time(lambda: cv.threshold_current(stack, model, (600.0, 660.0)), max(3, args.repeats // 3))
    print(f"| threshold_current (dispersive gain) | {t * 1e3:.2f} ms | |")
    for threads in (1, None):
        t = median_time(lambda: cv.threshold_population(population, 630.0, threads=threads), 5)
        label = "1 thread" if threads == 1 else f"{numba.get_num_threads()} threads"
        print(f"| threshold_population, {args.designs} designs, {label} | {t * 1e3:.1f} ms | "
              f"{t / args.designs * 1e6:.0f} us ({args.designs / t:.0f} designs/s) |")


if __name__ == "__main__":
    main()

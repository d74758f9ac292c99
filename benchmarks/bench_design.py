"""Threshold evaluations per second inside the design search (vertical cavity; DFB when available).

    python benchmarks/bench_design.py [--population 60] [--repeats 7]

Times one generation of :func:`cavity.optimize`'s evaluation -- build the population's stacks,
batched pole search (:func:`cavity.lasing.population.threshold_population`), J_th from the tabulated
heated gain, constraints -- for a TiO2/SiO2 vertical cavity with a CdSe QD film (33-37 layers,
tabulated materials), single-threaded and with numba's default threads, and prints the median
of the repeats with the share of each stage.  Then a complete short ``optimize`` run, and the
same seeded search in process vs on a 2-process pool at several chunk sizes (evaluations/s,
same run; ``--pool-evaluations``).
Goal (issue): >= 5000 vertical-cavity threshold evaluations per second per core.
The machine is shared: medians of a few short repeats.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numba
import numpy as np

import cavity as cv
import materials as mt
from cavity.design import (Continuous, DesignSpace, Integer, Objective, StackEvaluator, WavelengthWindow, optimize)
from cavity.design.search import _make_problem  # the evaluation a search runs, without the DE around it
from cavity.lasing.population import threshold_population

LAM0 = 630.0
HIGH, LOW, QD = mt.get("TiO2"), mt.get("SiO2"), mt.get("CdSe QD film")
GLASS, AIR = mt.get("borosilicate glass"), mt.get("air")
TOP = {p: cv.dbr(HIGH, LOW, p, LAM0) for p in range(4, 11)}
BOTTOM = {p: cv.dbr(LOW, HIGH, p, LAM0) for p in range(6, 13)}


def build(t_before, t_qd, t_after, top_pairs, bottom_pairs):
    core = [cv.Layer(LOW, t_before), cv.Layer(QD, t_qd, gain=True), cv.Layer(LOW, t_after)]
    return cv.microcavity(core, TOP[top_pairs], BOTTOM[bottom_pairs], incident=AIR, substrate=GLASS)


SPACE = DesignSpace(build, {"t_before": Continuous(100.0, 220.0), "t_qd": Continuous(10.0, 40.0),
                            "t_after": Continuous(10.0, 120.0), "top_pairs": Integer(8, 8),
                            "bottom_pairs": Integer(10, 10)})


def median_time(fn, repeats):
    fn()  # warm-up (compilation, caches)
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--pool-evaluations", type=int, default=4000)
    args = ap.parse_args(argv)
    D = args.population
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(100, 220, D), rng.uniform(10, 40, D), rng.uniform(10, 120, D),
                         np.full(D, 8.0), np.full(D, 10.0)])
    stacks = [SPACE.make(SPACE.decode(x)) for x in X]
    print(f"vertical cavity: {len(stacks[0])} layers, population {D}, numba threads available "
          f"{numba.get_num_threads()}, median of {args.repeats}")
    print(f"{'threads':>8} {'build':>10} {'poles':>10} {'whole eval':>11} {'evals/s':>9} {'evals/s/core':>13}")
    for threads, complete in ((1, True), (1, False), (None, False)):
        problem = _make_problem(SPACE, Objective.THRESHOLD_CURRENT, LAM0, cv.QDGainModel(), cv.ThermalModel(),
                                [WavelengthWindow(LAM0 - 5, LAM0 + 5)], 40.0, (1e-3, 1e5),
                                {cv.Stack: StackEvaluator(threads=threads, complete=complete)})
        t_build = median_time(lambda: SPACE._make_many(X), args.repeats)
        t_poles = median_time(lambda: threshold_population(stacks, LAM0, threads=threads), args.repeats)
        t_eval = median_time(lambda: problem.evaluate(X), args.repeats)
        n = threads or numba.get_num_threads()
        print(f"{threads or 'default':>8} {t_build / D * 1e6:8.1f}us {t_poles / D * 1e6:8.1f}us {t_eval / D * 1e6:9.1f}us "
              f"{D / t_eval:9.0f} {D / t_eval / n:13.0f}  {'complete (default)' if complete else 'fast path'}")

    t = time.perf_counter()
    res = optimize(SPACE, near=LAM0, gain_model=cv.QDGainModel(), thermal=cv.ThermalModel(), budget=20 * D,
                   population_size=D, seed=1, polish=False, tol=0.0)
    dt = time.perf_counter() - t
    rates = [h.evaluations_per_second for h in res.history[1:]]
    print(f"optimize (default threads): {res.n_evaluations} evaluations in {dt:.2f} s = {res.n_evaluations / dt:.0f}/s "
          f"overall, median per generation {statistics.median(rates):.0f}/s; best J_th {res.score:.2f} A/cm^2")
    bench_dfb_search(args.repeats)
    bench_process_pool(D, args.pool_evaluations)


def bench_process_pool(population: int, evaluations: int, processes: int = 2):
    """In-process search (batched, numba threads) vs the same search on a process pool, same run.

    Each pool is started and warmed up (imports, gain table) by a one-generation search first;
    every row runs the same seeded search, so all evaluate the same designs.
    """
    from concurrent.futures import ProcessPoolExecutor

    kw = dict(near=LAM0, gain_model=cv.QDGainModel(), thermal=cv.ThermalModel(), population_size=population,
              seed=1, polish=False, tol=0.0, report=False)
    rows = []
    t = time.perf_counter()
    ref = optimize(SPACE, budget=evaluations, **kw)
    rows.append(("in process (numba threads)", "-", ref.n_evaluations / (time.perf_counter() - t)))
    with ProcessPoolExecutor(processes) as ex:
        optimize(SPACE, budget=population, workers=ex.map, **kw)  # warm-up
        for per_worker in (1, 2, 4, population // processes):
            size = max(1, -(-population // (per_worker * processes)))
            t = time.perf_counter()
            res = optimize(SPACE, budget=evaluations, workers=ex.map, chunksize=size, **kw)
            rate = res.n_evaluations / (time.perf_counter() - t)
            assert np.array_equal(res.archive.scores, ref.archive.scores)
            rows.append((f"{processes}-process pool (fork)", f"{size} ({per_worker}/worker)", rate))
    print(f"search of {ref.n_evaluations} evaluations, population {population}: in process vs process pool")
    print(f"{'evaluation':<28} {'chunksize':>16} {'evals/s':>9} {'vs in process':>14}")
    for name, size, rate in rows:
        print(f"{name:<28} {size:>16} {rate:9.0f} {rate / rows[0][2]:13.2f}x")


def bench_dfb_search(repeats: int, periods: int = 400, population: int = 10):
    """DFB threshold evaluations per second inside the search (the registered DFB evaluator)."""
    stack = cv.Stack((cv.Layer(mt.get("ZnO"), 90.0), cv.Layer(QD, 20.0, gain=True), cv.Layer(mt.get("TCTA"), 60.0),
                      cv.Layer(mt.get("ITO"), 15.0), cv.Layer(LOW, 80.0)), incident=AIR, substrate=mt.get("soda-lime glass"))

    def build(etch_depth, duty_cycle):
        return cv.DFBGrating.etched(stack, 4, LAM0, etch_depth=etch_depth, duty_cycle=duty_cycle, periods=periods,
                                    phase_shifts="quarter_wave")

    space = DesignSpace(build, {"etch_depth": Continuous(20.0, 60.0), "duty_cycle": Continuous(0.3, 0.7)})
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(20, 60, population), rng.uniform(0.3, 0.7, population)])
    problem = _make_problem(space, Objective.THRESHOLD_CURRENT, LAM0, cv.QDGainModel(), None, [], 40.0, (1e-3, 1e5),
                            None)
    t = median_time(lambda: problem.evaluate(X), max(3, repeats // 2))
    print(f"DFB ({periods} periods, quarter-wave shifted, population {population}): {t / population * 1e3:.2f} ms "
          f"per design = {population / t:.0f} evaluations/s (sections from guided modes + seeded pole search)")


if __name__ == "__main__":
    main()

"""Run the vertical-cavity search on a Dask cluster (a local one here).

    python examples/optimize_dask.py [--quick] [--workers 2] [--budget 2000] [--scheduler tcp://host:8786]

Each generation of the differential evolution is split into chunks that the Dask workers
evaluate (``optimize(..., workers=client.map)``); everything else -- the random numbers, the
selection, the checkpoint -- stays in this process, so the result is identical to an in-process
run with the same seed (checked at the end with ``--quick``).  With ``--scheduler`` the same
script uses an existing cluster (e.g. ``dask scheduler`` + ``dask worker`` on several machines;
the workers need qdcavity installed: ``pip install -e ".[dask]"``).

Dask is optional: without ``dask[distributed]`` installed the script says so and exits.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import cavity as cv
import materials as mt
from cavity.design import (Continuous, DESettings, DesignSpace, Integer, Objective, RunSettings, SearchSettings,
                           ThresholdProblem, WavelengthWindow, optimize)

LAM0 = 630.0  # design wavelength (nm)
HIGH, LOW, QD = mt.get("TiO2"), mt.get("SiO2"), mt.get("CdSe QD film")
GLASS, AIR = mt.get("borosilicate glass"), mt.get("air")


def build(t_before: float, t_qd: float, t_after: float, top_pairs: int, bottom_pairs: int) -> cv.Stack:
    """``air | (H L)^top | SiO2 | QD | SiO2 | (L H)^bottom | glass``, thicknesses in nm.

    A module-level function: Dask pickles it (by value, since this script is ``__main__``).
    """
    core = [cv.Layer(LOW, t_before), cv.Layer(QD, t_qd, name="QD film", gain=True), cv.Layer(LOW, t_after)]
    return cv.microcavity(core, cv.dbr(HIGH, LOW, top_pairs, LAM0), cv.dbr(LOW, HIGH, bottom_pairs, LAM0),
                          incident=AIR, substrate=GLASS)


SPACE = DesignSpace(build, {
    "t_before": Continuous(100.0, 220.0),
    "t_qd": Continuous(10.0, 40.0),
    "t_after": Continuous(10.0, 120.0),
    "top_pairs": Integer(4, 10),
    "bottom_pairs": Integer(6, 12),
})


def search(budget, seed, workers=None, progress=False, population_size=None):
    settings = SearchSettings(
        ThresholdProblem(near=LAM0, gain_model=cv.QDGainModel(), thermal=cv.ThermalModel(),
                         constraints=(WavelengthWindow(LAM0 - 5.0, LAM0 + 5.0),)),
        DESettings(budget=budget, seed=seed, population_size=population_size, polish=False),
        RunSettings(workers=workers, chunksize=10, progress=progress))
    return optimize(SPACE, Objective.THRESHOLD_CURRENT, settings=settings)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny budget, 2 workers; compare with an in-process run")
    ap.add_argument("--workers", type=int, default=2, help="local Dask worker processes")
    ap.add_argument("--budget", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).with_name("output")), help="(unused; for symmetry)")
    args = ap.parse_args(argv)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        print("optimize_dask: Dask is not installed; install the extra with  pip install -e \".[dask]\"  "
              "(or pip install \"dask[distributed]\"). Skipping.")
        return None
    budget = 80 if args.quick else args.budget
    pop = 20 if args.quick else None
    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        print(f"Dask cluster: {client}")
        result = search(budget, args.seed, workers=client.map, progress=True, population_size=pop)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"\n{result.message}; {result.n_evaluations} designs evaluated, seed {result.seed}")
    print("best parameters:", {k: round(v, 3) if isinstance(v, float) else v for k, v in result.parameters.items()})
    print(f"J_th = {result.score:.3f} A/cm^2 (search), "
          f"{result.report.current_density:.3f} A/cm^2 (exact report)" if result.report is not None else "")
    if args.quick:
        local = search(budget, args.seed, population_size=pop)
        same = local.parameters == result.parameters and local.score == result.score
        print(f"same result as in-process: {same}")
        if not same:
            sys.exit(1)
    return result


if __name__ == "__main__":
    main()

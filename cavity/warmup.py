"""Compile and cache the kernels of the common calls once, at install time.

    python -m cavity.warmup

numba compiles a kernel on its first call and writes it to its on-disk cache (``cache=True``,
:mod:`cavity._jit`), so only the first run after an install pays for compilation (about 22 s for
the README tour on 2 cores, ``benchmarks/bench_startup.py``).  This module makes the calls of the
tour and of the common entry points on small problems, in three processes at once (the serial
spectrum kernels; the threaded single-polarization spectrum kernel; the mode search, thresholds
and fields), so that the cache is filled in about 26 s on 2 cores and every later run starts warm
(the tour then takes about 1 s).  Kernels are compiled per argument *type*, not per value: the
small problems compile exactly what the real ones use.

Nothing is written when numba cannot cache (a read-only install without ``NUMBA_CACHE_DIR``):
the command then says so.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Sequence

__all__ = ["main"]

PARTS = ("spectrum", "threads", "modes")


def _device():
    import materials as mt

    import cavity as cv

    lam0 = 630.0
    H, L = mt.get("TiO2"), mt.get("SiO2")
    core = [cv.Layer(L, 100.0), cv.Layer(mt.get("CdSe QD film"), 20.0, gain=True), cv.Layer(L, 100.0)]
    return cv.microcavity(core, cv.dbr(L, H, 3, lam0), cv.dbr(H, L, 3, lam0), incident=mt.get("air"),
                          substrate=mt.get("borosilicate glass"))


def _spectrum_part() -> None:
    import numpy as np

    import cavity as cv

    dev = _device()
    wl = np.linspace(550.0, 720.0, 64)
    for pol in ("s", "p", "unpolarized"):
        cv.spectrum(dev, wl, 0.0, pol)
        cv.spectrum(dev, wl, [0.0, 30.0], pol)
    cv.spectrum(dev, 630.0)
    n, d = cv.optics.stack_arrays(dev, wl)
    cv.spectrum_arrays(n, d, wl, [0.0, 30.0], "both")
    cv.absorption_by_layer(dev, wl)


def _threads_part() -> None:
    """The threaded (parfor) kernel of single-polarization spectra, which default threading uses
    for large batches once it is cached (:func:`cavity.optics.spectra.spectrum_arrays`); the
    two-polarization one ("both", "unpolarized") is left to Python threads unless compiled by use."""
    import numpy as np

    import cavity as cv

    dev = _device()
    wl = np.linspace(550.0, 720.0, 64)
    n, d = cv.optics.stack_arrays(dev, wl)
    cv.spectrum_arrays(n, d, wl, [0.0, 30.0], "s", threads=2)


def _modes_part() -> None:
    import cavity as cv

    dev = _device()
    cv.resonances(dev, (600.0, 660.0))
    cv.lasing_threshold(dev, near=630.0)
    cv.threshold_modes(dev, (600.0, 660.0))
    cv.threshold_current(dev, cv.QDGainModel(), (600.0, 660.0))
    cv.field_profile(dev, 630.0)
    cv.place_on_antinode(dev, 4, 3, 5, 630.0)


def _run_part(part: str) -> None:
    {"spectrum": _spectrum_part, "threads": _threads_part, "modes": _modes_part}[part]()


def main(argv: Sequence[str] | None = None) -> float:
    """Run the warm-up (its parts in parallel subprocesses); returns the wall time (s)."""
    ap = argparse.ArgumentParser(prog="python -m cavity.warmup", description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=PARTS, help="run one part in this process (used by the workers)")
    args = ap.parse_args(argv)
    if args.part:
        _run_part(args.part)
        return 0.0
    from . import _jit

    if not _jit.CACHE:
        print("numba cannot cache here (read-only install, no NUMBA_CACHE_DIR): nothing to warm up; "
              "set NUMBA_CACHE_DIR to a writable directory to keep compiled kernels")
        return 0.0
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "cavity.warmup", "--part", part], env=dict(os.environ))
             for part in PARTS]
    codes = [p.wait() for p in procs]
    dt = time.perf_counter() - t0
    if any(codes):
        raise SystemExit(f"cavity.warmup: a part failed (exit codes {codes})")
    print(f"cavity: kernels compiled and cached in {dt:.1f} s")
    return dt


if __name__ == "__main__":
    main()

"""Design searches on process pools: fork after threaded numba kernels, spawn, a worker that dies
(a clear error, never a hang), and results independent of the chunking.

The fork hazard: numba's default threading layer on Linux is GNU OpenMP, and a process forked
after its parent ran an OpenMP region aborts when it starts OpenMP threads itself
("fork() called from a process already using GNU OpenMP").  Each test first runs a threaded
kernel in this process (a spectrum above PARALLEL_MIN_WORK layer-wavelengths), as a notebook
would before starting a search.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor

import numba
import numpy as np
import pytest

import cavity as cv
import materials as mt
from cavity.design import Continuous, DesignSpace, Integer, Objective, optimize
from cavity.optics import PARALLEL_MIN_WORK, spectrum

PARENT = os.getpid()  # a forked or spawned worker has another pid
LAM0 = 630.0
QH, QL, QD = mt.Constant(2.3, name="H"), mt.Constant(1.46, name="L"), mt.Constant(1.85, name="QD")
BIG = cv.Stack([cv.Layer(QH, 68.5), cv.Layer(QL, 107.9)] * 20, incident=cv.AIR, substrate=mt.Constant(1.52))
BIG_WL = np.linspace(500.0, 760.0, 2 * PARALLEL_MIN_WORK // len(BIG) + 1)

pytestmark = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs numba threads")


def run_threaded_kernel():
    """A spectrum large enough for numba threads (threads=2 makes sure they start)."""
    return spectrum(BIG, BIG_WL, threads=2)


def build_cavity(t_before, t_after, top_pairs):
    if top_pairs == 9 and os.getpid() != PARENT:  # the design that kills its worker process
        os._exit(3)
    core = [cv.Layer(QL, t_before), cv.Layer(QD, 20.0, gain=True), cv.Layer(QL, t_after)]
    return cv.microcavity(core, cv.dbr(QH, QL, top_pairs, LAM0), cv.dbr(QL, QH, 12, LAM0),
                          incident=cv.AIR, substrate=mt.Constant(1.52))


# one structure (8 top pairs): a chunk of >= 16 designs is one threaded batch in this process
SPACE = DesignSpace(build_cavity, {"t_before": Continuous(120.0, 200.0), "t_after": Continuous(10.0, 60.0),
                                   "top_pairs": Integer(8, 8)})
DEADLY = DesignSpace(build_cavity, {"t_before": Continuous(120.0, 200.0), "t_after": Continuous(10.0, 60.0),
                                    "top_pairs": Integer(8, 10)})
KW = dict(objective=Objective.THRESHOLD_GAIN, near=LAM0, budget=80, population_size=40, seed=3, polish=False,
          tol=0.0, report=False)


@pytest.fixture
def alarm():
    """Fail instead of hanging: SIGALRM after 90 s."""
    def hang(signum, frame):
        raise TimeoutError("the search hung")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(90)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _same(a, b):
    np.testing.assert_array_equal(a.archive._vectors, b.archive._vectors)
    np.testing.assert_array_equal(a.archive.scores, b.archive.scores)
    np.testing.assert_array_equal(a.archive.violations, b.archive.violations)
    assert a.parameters == b.parameters and a.score == b.score


def _spectrum_R(_):
    return spectrum(BIG, BIG_WL).R  # large enough for threads: serial in a forked child after OpenMP


def test_forked_children_of_a_threaded_process_compute_spectra(alarm):
    ref = run_threaded_kernel().R
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as ex:
        out = list(ex.map(_spectrum_R, range(2)))
    for R in out:
        np.testing.assert_array_equal(R, ref)  # serial and threaded kernels compute each point alike


def test_fork_pool_search_after_threaded_kernel_equals_in_process(alarm):
    run_threaded_kernel()
    ref = optimize(SPACE, **KW)  # in process: one threaded batch of 40 designs per generation
    assert ref.feasible and ref.n_generations == 1
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as ex:
        _same(optimize(SPACE, workers=ex.map, chunksize=20, **KW), ref)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        _same(optimize(SPACE, workers=pool.map, **KW), ref)


def test_spawn_pool_search_equals_in_process(alarm):
    run_threaded_kernel()
    ref = optimize(SPACE, **KW)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        _same(optimize(SPACE, workers=ex.map, **KW), ref)


def test_results_do_not_depend_on_the_chunking(alarm):
    ref = optimize(SPACE, **KW)
    with ProcessPoolExecutor(2) as ex:
        for size in (1, 7, 40, None):
            _same(optimize(SPACE, workers=ex.map, chunksize=size, **KW), ref)
    _same(optimize(SPACE, workers=map, chunksize=3, **KW), ref)


@pytest.mark.parametrize("kind", ["executor", "mp_pool"])
def test_a_dying_worker_raises_naming_the_generation(alarm, kind):
    run_threaded_kernel()
    # a population of 40 over 3 pair counts holds top_pairs=9 in the initial sample: generation 0
    if kind == "executor":
        with ProcessPoolExecutor(2) as ex, pytest.raises(RuntimeError, match=r"generation 0: .*died"):
            optimize(DEADLY, workers=ex.map, **KW)
    else:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            with pytest.raises(RuntimeError, match=r"generation 0: .*died.*exit code 3"):
                optimize(DEADLY, workers=pool.map, **KW)


def test_worker_timeout_stops_a_hung_map(alarm):
    never = threading.Event()

    def hung_map(func, iterable):
        never.wait()
        return []

    with pytest.raises(RuntimeError, match=r"generation 0: .*worker_timeout=0.5"):
        optimize(SPACE, workers=hung_map, worker_timeout=0.5, **KW)
    never.set()


@pytest.mark.parametrize("kwargs, match", [(dict(chunksize=0), "chunksize"), (dict(chunksize=2.5), "chunksize"),
                                           (dict(worker_timeout=0), "worker_timeout"),
                                           (dict(worker_timeout=float("nan")), "worker_timeout")])
def test_bad_worker_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        optimize(SPACE, workers=map, **{**KW, **kwargs})

"""The one place where numba decorators are configured (README development notes).

* ``kernel``: serial, cached, nogil, fastmath off (NaN checks must survive; cancellation near
  cavity poles must not be reassociated).
* ``parallel_kernel``: the same with ``parallel=True``, for drivers that ``prange`` over the
  outermost independent axis only.
* ``inline_kernel``: a ``kernel`` that numba inlines (``inline="always"``, at the IR level) into
  the kernels that call it.  For thin driver layers between an entry point and its heavy callees:
  numba compiles every called kernel as its own library, links it into its caller and optimises
  the linked code again, so each layer of calls re-runs LLVM over everything below it (the tour's
  spectrum took 9.5 s CPU to compile with ``_rt_range`` and ``_soa_block`` as kernels, 6.8 s
  inlined; benchmarks/bench_startup.py).  The arithmetic is the same, and so are the results.

Compile time (benchmarks/bench_startup.py): an integer constant passed from one kernel to another
is typed as a literal (``Literal[int](0)``), and the callee compiles once per literal value and
once more for ``int64``; such arguments are passed as ``np.int64(...)`` so one signature serves.

Threads and processes
---------------------
Every parallel kernel is launched through :func:`run_threaded`.  numba's default threading layer
on Linux is GNU OpenMP when it is installed, and GNU OpenMP is not fork-safe: a process created
by ``fork()`` (the default start method of ``multiprocessing`` and
``concurrent.futures.ProcessPoolExecutor`` on Linux) after its parent ran an OpenMP parallel
region aborts with "fork() called from a process already using GNU OpenMP" as soon as it starts
OpenMP threads itself.  :func:`run_threaded` therefore runs the *serial* kernel in a forked child
of a process that ran a parallel kernel on the ``omp`` layer (the results are identical; a pool's
worker process is meant to use one core anyway).  The threading layer itself is left to numba
and to the user (``NUMBA_THREADING_LAYER``): the fork-safe ``workqueue`` layer is not
thread-safe (parallel kernels called from two Python threads, e.g. a ``ThreadPoolExecutor``
search, terminate the process), and ``tbb`` is fork- and thread-safe but seldom installed.
"""
import os

import numpy as np

from numba import njit



def _can_cache() -> bool:
    """True when numba finds a place to write the kernel cache for this package.

    A read-only install (container image, shared site-packages) with no writable HOME and no
    ``NUMBA_CACHE_DIR`` has none: ``cache=True`` then raises "cannot cache function ...: no
    locator available" at decoration time, i.e. on ``import cavity``.  The probe decorates a
    function of this module (the same locators as every kernel of the package)."""
    def _probe(x):
        return x

    try:
        njit(cache=True)(_probe)
    except RuntimeError as exc:
        if "no locator available" in str(exc):
            return False
        raise
    return True


CACHE = _can_cache()
if not CACHE:
    import warnings

    warnings.warn("qdcavity: numba cannot write a kernel cache here (read-only install, no writable HOME or "
                  "NUMBA_CACHE_DIR); kernels are compiled on every start. Set NUMBA_CACHE_DIR to a writable "
                  "folder to cache them.", RuntimeWarning, stacklevel=2)

kernel = njit(cache=CACHE, nogil=True, fastmath=False)
parallel_kernel = njit(cache=CACHE, nogil=True, fastmath=False, parallel=True)
inline_kernel = njit(cache=CACHE, nogil=True, fastmath=False, inline="always")

#: pid of the process that ran a parallel kernel on GNU OpenMP (None: none did); inherited by forks
_OMP_PID = None


def forked_after_openmp() -> bool:
    """True in a process forked from one that ran a parallel kernel on the ``omp`` threading layer:
    starting OpenMP threads here would abort the process."""
    return _OMP_PID is not None and _OMP_PID != os.getpid()


def run_threaded(serial, parallel, threads, work, min_work):
    """Call ``parallel()`` with ``threads`` numba threads, or ``serial()`` (zero-argument callables).

    ``threads=None`` uses numba's default thread count when ``work >= min_work`` (a size measured
    in benchmarks/ above which threads pay on a busy 2-core machine) and one thread below it.
    The previous thread count is restored afterwards.  In a process forked after its parent ran a
    parallel kernel on GNU OpenMP (:func:`forked_after_openmp`) ``serial()`` runs whatever
    ``threads`` says (see the module docstring).
    """
    global _OMP_PID
    import numba

    if forked_after_openmp():
        return serial()
    if threads is None:
        threads = numba.get_num_threads() if work >= min_work else 1
    if threads <= 1:
        return serial()
    old = numba.get_num_threads()
    numba.set_num_threads(min(int(threads), numba.config.NUMBA_NUM_THREADS))
    if _OMP_PID is None and numba.threading_layer() == "omp":  # before the threads start
        _OMP_PID = os.getpid()
    try:
        return parallel()
    finally:
        numba.set_num_threads(old)


_AVAILABLE: set[tuple] = set()  # quick argument types of (dispatcher, args) found compiled or cached
_NOT_CACHED: set[tuple[int, tuple]] = set()  # (dispatcher id, signature) found neither compiled nor cached in this process


def compiled_or_cached(dispatcher, args) -> bool:
    """True when ``dispatcher(*args)`` compiles nothing: a version for these argument types is
    loaded in this process or stored in numba's on-disk cache.

    Reads numba internals (``Dispatcher._cache``, numba 0.68); when they are missing it returns
    True (the caller then behaves as if the kernel were available).  A negative answer is
    remembered for the process."""
    fast = (id(dispatcher),) + tuple(_quick_type(a) for a in args)
    if fast in _AVAILABLE:  # numba's typeof of every argument costs ~10 us a call: remember the yes
        return True
    try:
        sig = tuple(dispatcher.typeof_pyval(a) for a in args)
        if sig in dispatcher.overloads:
            _AVAILABLE.add(fast)
            return True
        if (id(dispatcher), sig) in _NOT_CACHED:
            return False
        cache = dispatcher._cache
        if not getattr(cache, "_enabled", False):
            found = False
        else:
            key = cache._index_key(sig, dispatcher.targetctx.codegen())
            found = key in cache._cache_file._load_index()
    except Exception:  # numba internals changed: assume available
        return True
    if not found:
        _NOT_CACHED.add((id(dispatcher), sig))
    else:
        _AVAILABLE.add(fast)
    return found


def _quick_type(a) -> tuple:
    """What numba's type of an argument depends on, read cheaply (arrays: dtype, rank, layout,
    writability; other values: their Python type)."""
    if isinstance(a, np.ndarray):
        return (a.dtype.str, a.ndim, a.flags.c_contiguous, a.flags.f_contiguous, a.flags.writeable, a.flags.aligned)
    return (type(a),)


def thread_count(threads, work, min_work) -> int:
    """Threads for a call: ``threads`` capped at ``NUMBA_NUM_THREADS``, or with ``threads=None``
    numba's current thread count when ``work >= min_work`` (measured in benchmarks/) and 1 below."""
    import numba

    if threads is None:
        return numba.get_num_threads() if work >= min_work else 1
    return max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS))


def run_tasks(task_range, ntask, threads):
    """Run ``task_range(t0, t1)`` over the tasks ``[0, ntask)`` on ``threads`` Python threads.

    ``task_range`` calls a serial ``kernel`` (``nogil=True``) on a contiguous range of
    independent tasks that write disjoint outputs, so the threads run in parallel and the results
    do not depend on the split.  Unlike a ``parallel_kernel`` this compiles nothing beyond the
    serial kernel (a parfor kernel costs seconds of compilation on first use) and uses no OpenMP
    (fork-safe).  The calling thread runs the first range; an exception in any range is re-raised.
    """
    import threading

    threads = max(1, min(int(threads), ntask))
    if threads == 1:
        task_range(0, ntask)
        return
    bounds = [ntask * k // threads for k in range(threads + 1)]
    errors = []

    def work(k):
        try:
            task_range(bounds[k], bounds[k + 1])
        except BaseException as exc:  # re-raised in the caller below
            errors.append(exc)

    helpers = [threading.Thread(target=work, args=(k,)) for k in range(1, threads)]
    for h in helpers:
        h.start()
    work(0)
    for h in helpers:
        h.join()
    if errors:
        raise errors[0]

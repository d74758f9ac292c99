"""The one place where numba decorators are configured (style.md s.2.2).

* ``kernel``: serial, cached, nogil, fastmath off (NaN checks must survive; cancellation near
  cavity poles must not be reassociated).
* ``parallel_kernel``: the same with ``parallel=True``, for drivers that ``prange`` over the
  outermost independent axis only.
"""
from numba import njit

kernel = njit(cache=True, nogil=True, fastmath=False)
parallel_kernel = njit(cache=True, nogil=True, fastmath=False, parallel=True)


def run_threaded(serial, parallel, threads, work, min_work):
    """Call ``parallel()`` with ``threads`` numba threads, or ``serial()`` (zero-argument callables).

    ``threads=None`` uses numba's default thread count when ``work >= min_work`` (a size measured
    in benchmarks/ above which threads pay on a busy 2-core machine) and one thread below it.
    The previous thread count is restored afterwards.
    """
    import numba

    if threads is None:
        threads = numba.get_num_threads() if work >= min_work else 1
    if threads <= 1:
        return serial()
    old = numba.get_num_threads()
    numba.set_num_threads(min(int(threads), numba.config.NUMBA_NUM_THREADS))
    try:
        return parallel()
    finally:
        numba.set_num_threads(old)

"""The one place where numba decorators are configured (style.md s.2.2).

* ``kernel``: serial, cached, nogil, fastmath off (NaN checks must survive; cancellation near
  cavity poles must not be reassociated).
* ``parallel_kernel``: the same with ``parallel=True``, for drivers that ``prange`` over the
  outermost independent axis only.
"""
from numba import njit

kernel = njit(cache=True, nogil=True, fastmath=False)
parallel_kernel = njit(cache=True, nogil=True, fastmath=False, parallel=True)

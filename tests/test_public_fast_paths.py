"""The public calls' fast paths give what the general paths give.

``spectrum`` at one wavelength and angle uses the single-wavelength kernel; materials keep their
last small evaluation; a Stack keeps its distinct materials.  Each must be invisible: the same
numbers (to rounding), the same errors, no shared mutable state."""
import numpy as np
import pytest

import cavity as cv
import materials as mt


def _stack():
    H, L = mt.get("TiO2"), mt.get("SiO2")
    core = [cv.Layer(L, 90.0), cv.Layer(mt.Constant(1.8, 0.01), 30.0, gain=True), cv.Layer(L, 90.0)]
    return cv.microcavity(core, cv.dbr(L, H, 4, 630.0), cv.dbr(H, L, 5, 630.0), substrate=mt.get("borosilicate glass"))


@pytest.mark.parametrize("pol", ["s", "p"])
@pytest.mark.parametrize("angle", [0.0, 17.0, 63.5, 89.9, 90.0])
def test_one_wavelength_equals_the_array_path(pol, angle):
    st = _stack()
    for lam in (455.0, 630.0, 701.3):
        one = cv.spectrum(st, lam, angle, pol)
        arr = cv.spectrum(st, np.array([lam, lam + 1.0]), angle, pol)
        for name in ("R", "T", "A", "r", "t"):
            np.testing.assert_allclose(getattr(one, name)[0], getattr(arr, name)[0], rtol=1e-13, atol=1e-15)
        assert one.polarization == arr.polarization == pol


def test_one_wavelength_refuses_what_the_array_path_refuses():
    st = _stack()
    for bad, match in [(float("nan"), "finite"), (-5.0, "> 0"), (True, "bool"), (630 + 1j, "complex")]:
        with pytest.raises((ValueError, TypeError), match=match):
            cv.spectrum(st, bad)
    with pytest.raises(ValueError, match="angle"):
        cv.spectrum(st, 630.0, 95.0)
    lossy_in = cv.Stack(st.layers, incident=mt.Constant(1.5, 0.1), substrate=st.substrate)
    with pytest.raises(ValueError, match="lossless incident medium"):
        cv.spectrum(lossy_in, 630.0, 30.0)
    with pytest.raises(ValueError, match="outside the range"):
        cv.spectrum(st, 5000.0)   # TiO2 data end at 827 nm


def test_material_cache_returns_independent_arrays():
    m = mt.get("SiO2")
    wl = np.array([500.0, 600.0])
    a = m.n(wl)
    a[:] = 0.0                                  # the caller owns its array
    b = m.n(wl)
    assert np.all(b.real > 1.4)
    assert m.n(np.array([500.0, 600.0, 700.0])).shape == (3,)   # another grid is evaluated anew
    assert m.n(600.0) == pytest.approx(b[1])


def test_stack_distinct_materials_and_padding_are_not_shared_state():
    st = _stack()
    d = st.padded_thicknesses()
    d[1] = 1e9
    assert st.padded_thicknesses()[1] != 1e9
    n = st.indices([630.0])
    ref = np.array([m.n(630.0) for m in st.media()])
    np.testing.assert_array_equal(n[:, 0], ref)


def test_one_wavelength_still_validates_threads():
    with pytest.raises(ValueError, match="threads"):
        cv.spectrum(_stack(), 630.0, threads=0)


class _Counting(mt.Constant):
    """A constant material that counts its evaluations (the cache must spare them)."""

    def _index(self, wavelength):
        object.__setattr__(self, "calls", self.__dict__.get("calls", 0) + 1)
        return super()._index(wavelength)


def test_one_material_cache_serves_alternating_grids_and_pole_searches():
    import pickle

    m = _Counting(1.7)
    grids = [np.linspace(600.0, 660.0, n) for n in (7, 11, 13)]
    for _ in range(3):  # a design loop alternating a few grids evaluates each once
        for g in grids:
            np.testing.assert_array_equal(m.n(g), np.full(g.size, 1.7 + 0j))
    assert m.calls == 3
    # a threshold's index table reads through the same cache: a second search evaluates nothing
    core = [cv.Layer(mt.Constant(1.45), 100.0), cv.Layer(m, 40.0, gain=True), cv.Layer(mt.Constant(1.45), 100.0)]
    st = cv.microcavity(core, cv.dbr(mt.Constant(1.45), mt.Constant(2.1), 5, 630.0),
                        cv.dbr(mt.Constant(2.1), mt.Constant(1.45), 5, 630.0))
    first = cv.lasing_threshold(st, 630.0)
    calls = m.calls
    again = cv.lasing_threshold(st, 630.0)
    assert m.calls == calls and again.wavelength == first.wavelength
    # a material sent to another process leaves its tables behind
    clone = pickle.loads(pickle.dumps(m))
    assert "_n_cache" not in vars(clone) and clone.n(630.0) == m.n(630.0)


def test_results_leave_the_callers_arrays_writable_and_read_only_inputs_compile_nothing_new():
    from cavity.optics import _tmm_kernels as K

    st = _stack()
    wl = np.linspace(600.0, 660.0, 33)
    first = cv.spectrum(st, wl)
    assert wl.flags.writeable                       # the caller's array is not frozen by the result
    assert not first.wavelength.flags.writeable     # the result's own view is read-only
    before = len(K.rt_tasks.signatures)
    again = cv.spectrum(st, first.wavelength)       # a read-only input: the same kernel types
    assert len(K.rt_tasks.signatures) == before
    np.testing.assert_array_equal(again.R, first.R)


def test_a_result_does_not_alias_the_callers_wavelength_array():
    st = _stack()
    wl = np.linspace(600.0, 660.0, 5)
    res = cv.spectrum(st, wl)
    wl[0] = 123.0  # the caller reuses its array
    assert res.wavelength[0] == 600.0

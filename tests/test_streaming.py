"""Bounded memory: large batches are streamed in blocks of designs with identical results.

The block bounds (``cavity.optics.spectra.MAX_BLOCK_BYTES``, ``cavity.lasing.population.MAX_BLOCK_BYTES``) are
lowered here so that a moderate batch is cut into several blocks; each design's result must equal,
bit for bit, the one of the unstreamed call (the designs are independent), and a closed form
checks that the streamed numbers are physics, not merely self-consistent.
"""
import numpy as np
import pytest

import cavity as cv
import cavity.optics.spectra as optics
import cavity.lasing.population as population
import materials as mt


def _random_batch(D=9, M=7, W=40, seed=3):
    rng = np.random.default_rng(seed)
    n = (1.3 + rng.random((D, M, W)) + 0.02j * rng.random((D, M, W))).astype(np.complex64)
    n[:, 0, :] = 1.0  # lossless incident medium
    d = rng.random((D, M)) * 200.0
    return n, d, np.linspace(500.0, 700.0, W)


@pytest.mark.parametrize("pol", ["s", "p", "unpolarized", "both"])
def test_spectrum_arrays_streamed_equals_unstreamed(monkeypatch, pol):
    n, d, wl = _random_batch()
    whole = cv.spectrum_arrays(n, d, wl, [0.0, 40.0], pol)
    M, W = n.shape[1:]
    monkeypatch.setattr(optics, "MAX_BLOCK_BYTES", 2 * M * W * 16)  # 2 designs per block: 5 blocks
    streamed = cv.spectrum_arrays(n, d, wl, [0.0, 40.0], pol)
    assert sorted(whole) == sorted(streamed)
    for key in whole:
        assert streamed[key].shape == whole[key].shape
        assert np.array_equal(streamed[key], whole[key]), key


def test_spectrum_arrays_streamed_matches_single_interface(monkeypatch):
    """Streamed blocks of bare interfaces give the Fresnel reflectance ((1 - n)/(1 + n))^2."""
    D, W = 5, 8
    ns = np.linspace(1.2, 2.4, D)
    n = np.empty((D, 2, W), np.complex64)
    n[:, 0, :] = 1.0
    n[:, 1, :] = ns[:, None]
    monkeypatch.setattr(optics, "MAX_BLOCK_BYTES", 2 * W * 16)  # one design per block
    res = cv.spectrum_arrays(n, np.zeros((D, 2)), np.linspace(500, 700, W))
    expected = ((1 - ns) / (1 + ns)) ** 2
    np.testing.assert_allclose(res["R"][:, 0, :], np.broadcast_to(expected[:, None], (D, W)), rtol=1e-6)


def test_spectrum_arrays_block_not_whole_copy(monkeypatch):
    """A complex64 batch is converted block by block: the kernel never sees more than one block."""
    n, d, wl = _random_batch(D=6)
    M, W = n.shape[1:]
    monkeypatch.setattr(optics, "MAX_BLOCK_BYTES", M * W * 16)
    seen = []
    real = optics._run_rt

    def spy(nb, *args):
        seen.append(nb.shape[0])
        return real(nb, *args)

    monkeypatch.setattr(optics, "_run_rt", spy)
    cv.spectrum_arrays(n, d, wl)
    assert seen == [1] * 6


def _population(k=7):
    L, H, qd = mt.get("SiO2"), mt.get("TiO2"), mt.get("CdSe QD film")
    out = []
    for j in range(k):
        core = [cv.Layer(L, 97.0 + 1.0 * j), cv.Layer(qd, 20.0, gain=True), cv.Layer(L, 97.0 + 1.0 * j)]
        out.append(cv.microcavity(core, cv.dbr(L, H, 2, 630.0), cv.dbr(H, L, 2, 630.0),
                                  incident=mt.get("air"), substrate=mt.get("borosilicate glass")))
    return out


def test_threshold_population_streamed_equals_unstreamed(monkeypatch):
    stacks = _population()
    whole = cv.threshold_population(stacks, 630.0)
    M = len(stacks[0]) + 2
    K = max(16, int(np.ceil(2 * 40.0 / 0.25)) + 1)
    monkeypatch.setattr(population, "MAX_BLOCK_BYTES", 3 * M * K * 16)  # 3 designs per block
    streamed = cv.threshold_population(stacks, 630.0)
    for f in cv.lasing.PopulationThresholds.__dataclass_fields__:
        a, b = getattr(whole, f), getattr(streamed, f)
        assert a.shape == b.shape == (len(stacks),)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), f
    assert whole.converged.all()


def test_threshold_population_streamed_matches_single_design_search(monkeypatch):
    """Each streamed result agrees with the independent single-design threshold search."""
    stacks = _population(4)
    M = len(stacks[0]) + 2
    K = max(16, int(np.ceil(2 * 40.0 / 0.25)) + 1)
    monkeypatch.setattr(population, "MAX_BLOCK_BYTES", M * K * 16)  # one design per block
    res = cv.threshold_population(stacks, 630.0)
    for j, st in enumerate(stacks):
        th = cv.lasing_threshold(st, res.wavelength[j])
        assert res.wavelength[j] == pytest.approx(th.wavelength, abs=1e-6)
        assert res.material_gain[j] == pytest.approx(th.material_gain, rel=1e-6)


def test_threshold_population_refuses_a_table_beyond_the_block(monkeypatch):
    """One design whose table alone exceeds the bound cannot be streamed: refused, naming the sizes."""
    stacks = _population(1)
    monkeypatch.setattr(population, "MAX_BLOCK_BYTES", 1000)
    with pytest.raises(ValueError, match="search_width.*MAX_BLOCK_BYTES"):
        cv.threshold_population(stacks, 630.0)


@pytest.mark.parametrize("pol, per", [("s", 48), ("unpolarized", 16), ("both", 96)])
def test_spectrum_arrays_refuses_a_result_larger_than_the_memory_bound(monkeypatch, pol, per):
    """The result itself (designs x angles x wavelengths) is bounded: beyond MAX_OUTPUT_BYTES the
    call is refused with the size, before any work; at the bound it runs."""
    n, d, wl = _random_batch()
    D, _, W = n.shape
    monkeypatch.setattr(optics, "MAX_OUTPUT_BYTES", D * 2 * W * per - 1)
    with pytest.raises(ValueError, match=r"9 designs x 2 angles x 40 wavelengths x %d bytes" % per):
        cv.spectrum_arrays(n, d, wl, [0.0, 40.0], pol)
    monkeypatch.setattr(optics, "MAX_OUTPUT_BYTES", D * 2 * W * per)
    out = cv.spectrum_arrays(n, d, wl, [0.0, 40.0], pol)
    assert sum(v.nbytes for v in out.values()) == D * 2 * W * per


def test_a_batch_whose_result_exceeds_memory_is_refused_before_solving():
    """The issue's case, scaled up beyond any machine: 10^6 designs x 40 layers x 1000 wavelengths."""
    n = np.broadcast_to(np.complex64(1.5), (10**6, 42, 1000))      # a view: no memory of its own
    d = np.broadcast_to(np.float64(100.0), (10**6, 42))
    with pytest.raises(ValueError, match="GiB"):
        cv.spectrum_arrays(n, d, np.linspace(500.0, 700.0, 1000))

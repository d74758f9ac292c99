"""Design-search checkpoints: a resume of another problem is refused naming the difference, the
same problem resumes exactly (also after SIGKILL in another process), corrupted / truncated /
empty / foreign / pickle files are refused without being executed, stale temporary files are
removed, and checkpointing a cheap run costs a small factor, not 40x."""
from __future__ import annotations

import pathlib
import pickle
import shutil
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import cavity as cv
import cavity.design.de
import materials as mt
from cavity.optics import spectrum
from cavity.design import (
    Choice, Continuous, DesignSpace, Integer, Objective, TotalThickness, WavelengthWindow, optimize,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ a cheap toy problem
def build_point(x, y, k, offset=0.0):
    return (x + offset, y, k)


def build_point_shifted(x, y, k, offset=0.0):
    return (x + offset + 1.0, y, k)


def sphere(points, params):
    """(x - 1)^2 + (y + 2)^2 + (k - 3)^2: minimum 0 at x = 1, y = -2, k = 3."""
    return np.array([(p[0] - 1.0) ** 2 + (p[1] + 2.0) ** 2 + (p[2] - 3.0) ** 2 for p in points])


TOY = DesignSpace(build_point, {"x": Continuous(-5.0, 5.0), "y": Continuous(-5.0, 5.0), "k": Integer(0, 6)})
TOY_KW = dict(population_size=8, seed=11, tol=0.0, polish=False)


@pytest.fixture(autouse=True)
def _commit_every_generation(monkeypatch):
    """The tests below count commits per generation: lift the time throttle (tested on its own)."""
    monkeypatch.setattr(cavity.design.de, "CHECKPOINT_MIN_INTERVAL_S", 0.0)


def _same_run(a, b):
    assert a.parameters == b.parameters and a.score == b.score
    assert a.n_generations == b.n_generations and a.n_evaluations == b.n_evaluations
    np.testing.assert_array_equal(a.archive._vectors, b.archive._vectors)
    np.testing.assert_array_equal(a.archive.scores, b.archive.scores)
    np.testing.assert_array_equal([h.best_score for h in a.history], [h.best_score for h in b.history])
    np.testing.assert_array_equal([h.best_violation for h in a.history], [h.best_violation for h in b.history])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A checkpoint of 12 generations of the toy problem (several archive chunks)."""
    ckpt = tmp_path_factory.mktemp("pristine") / "toy.ckpt"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cavity.design.de, "CHECKPOINT_MIN_INTERVAL_S", 0.0)
        optimize(TOY, sphere, budget=13 * 8, checkpoint=ckpt, checkpoint_every=3, **TOY_KW)
    return ckpt


def _copy(src, tmp_path, name="run.ckpt"):
    dst = tmp_path / name
    shutil.copytree(src, dst)
    return dst


# ------------------------------------------------------------------ another problem is refused
LAM0 = 630.0
QH, QL, QD = mt.Constant(2.3, name="H"), mt.Constant(1.46, name="L"), mt.Constant(1.85, name="QD")


def build_cavity(t_before, t_after, top_pairs, low=QL):
    core = [cv.Layer(low, t_before), cv.Layer(QD, 20.0, gain=True), cv.Layer(low, t_after)]
    return cv.microcavity(core, cv.dbr(QH, low, top_pairs, LAM0), cv.dbr(low, QH, 12, LAM0),
                          incident=cv.AIR, substrate=mt.Constant(1.52))


def build_cavity_other(t_before, t_after, top_pairs, low=QL):
    core = [cv.Layer(low, t_before), cv.Layer(QD, 25.0, gain=True), cv.Layer(low, t_after)]
    return cv.microcavity(core, cv.dbr(QH, low, top_pairs, LAM0), cv.dbr(low, QH, 12, LAM0),
                          incident=cv.AIR, substrate=mt.Constant(1.52))


def _cavity_space(build=build_cavity, lows=(QL, mt.Constant(1.5, name="L2")), fixed=None):
    return DesignSpace(build, {"t_before": Continuous(120.0, 200.0), "t_after": Continuous(10.0, 60.0),
                               "top_pairs": Integer(4, 10), "low": Choice(lows)}, fixed=fixed)


def _cavity_kwargs(**change):
    kw = dict(space=_cavity_space(), objective=Objective.THRESHOLD_CURRENT, near=630.0, gain_model=cv.QDGainModel(),
              constraints=[WavelengthWindow(627.0, 633.0)], budget=8, population_size=4, seed=3, polish=False,
              report=False, search_width=40.0, current_range=(1e-3, 1e5))
    kw.update(change)
    return kw


@pytest.fixture(scope="module")
def cavity_ckpt(tmp_path_factory):
    ckpt = tmp_path_factory.mktemp("cavity") / "cavity.ckpt"
    kw = _cavity_kwargs(budget=4)  # the initial population only
    optimize(kw.pop("space"), kw.pop("objective"), checkpoint=ckpt, **kw)
    return ckpt


@pytest.mark.parametrize("change, named", [
    # the case: a near=630 nm run resumed with near=650 nm and a 647-653 nm window
    (dict(near=650.0, constraints=[WavelengthWindow(647.0, 653.0)]), ["near", "constraints[0].low"]),
    (dict(constraints=[WavelengthWindow(627.0, 632.0)]), ["constraints[0].high"]),
    (dict(constraints=[WavelengthWindow(627.0, 633.0), TotalThickness(5000.0)]), ["constraints (length)"]),
    (dict(gain_model=cv.QDGainModel(injection_efficiency=0.5)), ["gain_model.injection_efficiency"]),
    (dict(thermal=cv.ThermalModel()), ["thermal"]),
    (dict(search_width=30.0), ["search_width"]),
    (dict(current_range=(1e-3, 1e4)), ["current_range[1]"]),
    (dict(objective=Objective.THRESHOLD_GAIN), ["objective.value"]),
    (dict(space=_cavity_space(build=build_cavity_other)), ["build"]),
    (dict(space=_cavity_space(lows=(QL, mt.Constant(1.55, name="L2")))), ["parameters.low.options[1].n_value"]),
    (dict(space=_cavity_space(lows=(QL, mt.Constant(1.5, name="L3")))), ["parameters.low.options[1].name"]),
    (dict(space=DesignSpace(build_cavity, {"t_before": Continuous(120.0, 200.0), "t_after": Continuous(10.0, 60.0),
                                           "top_pairs": Integer(4, 10)}, fixed={"low": mt.Constant(1.5)})),
     ["parameters.low", "fixed.low"]),
    (dict(seed=4), ["seed"]),
    (dict(mutation=0.7), ["mutation"]),
])
def test_resume_of_another_problem_is_refused_naming_the_difference(cavity_ckpt, tmp_path, change, named):
    ckpt = _copy(cavity_ckpt, tmp_path)
    before = {p.name: p.read_bytes() for p in ckpt.iterdir()}
    kw = _cavity_kwargs(**change)
    with pytest.raises(ValueError, match="different problem") as err:
        optimize(kw.pop("space"), kw.pop("objective"), checkpoint=ckpt, resume=True, **kw)
    msg = str(err.value)
    assert str(ckpt) in msg
    for name in named:
        assert f"{name} differs" in msg or f"{name}." in msg and " differs" in msg, msg
    assert {p.name: p.read_bytes() for p in ckpt.iterdir()} == before  # a refused resume writes nothing


def test_same_problem_with_equal_new_objects_resumes_exactly(cavity_ckpt, tmp_path):
    """Equal objects built anew (models, constraints, materials, a copied space) are the same problem."""
    ckpt = _copy(cavity_ckpt, tmp_path)
    kw = _cavity_kwargs()
    resumed = optimize(kw.pop("space"), kw.pop("objective"), checkpoint=ckpt, resume=True, **kw)
    kw = _cavity_kwargs()
    full = optimize(kw.pop("space"), kw.pop("objective"), **kw)
    _same_run(full, resumed)
    assert resumed.n_generations == 1


def test_budget_may_grow_and_int_or_float_settings_are_the_same(pristine, tmp_path):
    ckpt = _copy(pristine, tmp_path)
    full = optimize(TOY, sphere, budget=30 * 8, **TOY_KW)
    space = DesignSpace(build_point, {"x": Continuous(-5, 5), "y": Continuous(-5, 5), "k": Integer(0, 6)})
    resumed = optimize(space, sphere, budget=30 * 8, checkpoint=ckpt, resume=True, **TOY_KW)
    _same_run(full, resumed)


# ------------------------------------------------------------------ killed in another process
KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    import cavity.design
    import cavity.design.de as d
    from test_checkpoint import TOY, TOY_KW, sphere

    d.CHECKPOINT_MIN_INTERVAL_S = 0.0
    real = d._Checkpoint._write
    calls = [0]

    def write(self, name, payload, sync):
        calls[0] += 1
        if name == "checkpoint.json" and calls[0] > 12:
            # killed between the archive chunk and the commit record, with the temporary file written
            with open(os.path.join(self.path, ".tmp-killed"), "wb") as f:
                f.write(payload[: len(payload) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, name, payload, sync)

    d._Checkpoint._write = write
    cavity.design.optimize(TOY, sphere, budget=30 * 8, checkpoint={ckpt!r}, **TOY_KW)
""")


def test_killed_run_resumes_exactly_in_another_process_and_stale_files_are_removed(tmp_path):
    ckpt = tmp_path / "killed.ckpt"
    script = KILL_SCRIPT.format(tests=str(ROOT / "tests"), ckpt=str(ckpt))
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == -9, proc.stderr
    names = sorted(p.name for p in ckpt.iterdir())
    assert ".tmp-killed" in names and "archive-000006.chunk" in names  # chunk written, never committed
    resumed = optimize(TOY, sphere, budget=30 * 8, checkpoint=ckpt, resume=True, **TOY_KW)
    full = optimize(TOY, sphere, budget=30 * 8, **TOY_KW)
    _same_run(full, resumed)  # the settings fingerprint is the same in another process
    assert not [p for p in ckpt.iterdir() if p.name.startswith(".tmp-")]


def test_stale_temporary_files_and_uncommitted_chunks_are_removed(pristine, tmp_path):
    ckpt = _copy(pristine, tmp_path)
    n = len(list(ckpt.glob("archive-*.chunk")))
    (ckpt / ".tmp-abc123").write_bytes(b"half a header")
    (ckpt / f"archive-{n:06d}.chunk").write_bytes(b"an archive chunk written after the last commit")
    resumed = optimize(TOY, sphere, budget=13 * 8, checkpoint=ckpt, resume=True, **TOY_KW)
    assert resumed.n_generations == 12
    assert not (ckpt / ".tmp-abc123").exists() and not (ckpt / f"archive-{n:06d}.chunk").exists()


# ------------------------------------------------------------------ corrupted and foreign files
def test_random_single_byte_corruptions_are_all_refused_naming_the_file(pristine, tmp_path):
    ckpt = _copy(pristine, tmp_path)
    files = sorted(ckpt.iterdir())
    assert len(files) >= 4  # header and several chunks
    rng = np.random.default_rng(2024)
    for trial in range(200):
        f = files[rng.integers(len(files))]
        data = bytearray(f.read_bytes())
        i = int(rng.integers(len(data)))
        orig = data[i]
        data[i] = orig ^ int(rng.integers(1, 256))
        f.write_bytes(bytes(data))
        with pytest.raises(ValueError) as err:
            optimize(TOY, sphere, budget=20 * 8, checkpoint=ckpt, resume=True, **TOY_KW)
        assert str(f) in str(err.value), (trial, f.name, i, str(err.value))
        data[i] = orig
        f.write_bytes(bytes(data))
    resumed = optimize(TOY, sphere, budget=13 * 8, checkpoint=ckpt, resume=True, **TOY_KW)
    assert resumed.n_generations == 12  # restored bytes: the checkpoint is intact again


@pytest.mark.parametrize("which", ["checkpoint.json", "archive-000001.chunk"])
@pytest.mark.parametrize("damage", ["truncate", "empty", "garbage", "missing"])
def test_truncated_empty_garbage_or_missing_files_are_refused(pristine, tmp_path, which, damage):
    ckpt = _copy(pristine, tmp_path)
    f = ckpt / which
    data = f.read_bytes()
    if damage == "truncate":
        f.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        f.write_bytes(b"")
    elif damage == "garbage":
        f.write_bytes(np.random.default_rng(0).bytes(len(data)))
    else:
        f.unlink()
    with pytest.raises(ValueError, match={"truncate": "corrupted or truncated", "empty": "empty",
                                          "garbage": "not a qdcavity", "missing": "missing"}[damage]) as err:
        optimize(TOY, sphere, budget=20 * 8, checkpoint=ckpt, resume=True, **TOY_KW)
    assert str(f) in str(err.value)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))  # unpickling would create the marker file


@pytest.mark.parametrize("where", ["path", "header"])
def test_a_pickle_crafted_to_run_code_is_refused_without_running(pristine, tmp_path, where):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"version": 1, "state": _Exploit(str(marker))})
    if where == "path":
        ckpt = tmp_path / "old.ckpt"  # e.g. a checkpoint file of the old (pickle) format
        ckpt.write_bytes(payload)
        named = ckpt
    else:
        ckpt = _copy(pristine, tmp_path)
        named = ckpt / "checkpoint.json"
        named.write_bytes(payload)
    with pytest.raises(ValueError, match="not a qdcavity design checkpoint") as err:
        optimize(TOY, sphere, budget=20 * 8, checkpoint=ckpt, resume=True, **TOY_KW)
    assert str(named) in str(err.value)
    assert not marker.exists()
    pickle.loads(payload)["state"].close()  # the payload is live: loading it does create the marker
    assert marker.exists()


@pytest.mark.parametrize("resume", [False, True])
def test_foreign_paths_are_neither_read_nor_overwritten(tmp_path, resume):
    empty = tmp_path / "empty.ckpt"
    empty.write_bytes(b"")
    notes = tmp_path / "results"
    notes.mkdir()
    (notes / "notes.txt").write_text("keep me")
    for path in (empty, notes):
        with pytest.raises(ValueError, match="not read or overwritten") as err:
            optimize(TOY, sphere, budget=2 * 8, checkpoint=path, resume=resume, **TOY_KW)
        assert str(path) in str(err.value)
    assert empty.read_bytes() == b"" and (notes / "notes.txt").read_text() == "keep me"


def test_a_new_run_replaces_an_old_checkpoint_and_an_empty_directory_starts_one(pristine, tmp_path):
    ckpt = _copy(pristine, tmp_path)
    other = dict(TOY_KW, seed=12)
    new = optimize(TOY, sphere, budget=3 * 8, checkpoint=ckpt, **other)  # resume=False: start over
    assert len(list(ckpt.glob("archive-*.chunk"))) == 3  # generations 0, 1, 2; the old run's 5 chunks are gone
    resumed = optimize(TOY, sphere, budget=3 * 8, checkpoint=ckpt, resume=True, **other)
    _same_run(new, resumed)
    empty = tmp_path / "empty.ckpt"
    empty.mkdir()
    res = optimize(TOY, sphere, budget=2 * 8, checkpoint=empty, resume=True, **TOY_KW)
    assert res.n_generations == 1 and (empty / "checkpoint.json").exists()


# ------------------------------------------------------------------ cost of checkpointing
def build_mirror(t_high, t_low):
    return cv.Stack([cv.Layer(QH, t_high), cv.Layer(QL, t_low)] * 3, incident=cv.AIR, substrate=mt.Constant(1.52))


def minus_reflectance(stacks, params):
    return np.array([-spectrum(s, [LAM0]).R[0] for s in stacks])


def test_checkpointing_every_generation_is_cheap(tmp_path):
    """1,500 cheap generations (8 three-pair mirrors each, ~1 ms): the old format (whole archive
    pickled and fsync'd every generation) took ~40x the run without a checkpoint; now the
    per-generation cost is an appended chunk and a small renamed commit record (~1 ms on a plain
    ext4 disk).  A loose bound guards against the old behaviour without timing flakiness."""
    space = DesignSpace(build_mirror, {"t_high": Continuous(40.0, 100.0), "t_low": Continuous(60.0, 160.0)})
    kw = dict(budget=1500 * 8, population_size=8, seed=1, tol=0.0, polish=False)
    optimize(space, minus_reflectance, **dict(kw, budget=40))  # warm-up
    t = time.perf_counter()
    plain = optimize(space, minus_reflectance, **kw)
    t_plain = time.perf_counter() - t
    t = time.perf_counter()
    ckpt = optimize(space, minus_reflectance, checkpoint=tmp_path / "cheap.ckpt", **kw)
    t_ckpt = time.perf_counter() - t
    assert plain.n_generations == ckpt.n_generations == 1499
    np.testing.assert_array_equal(plain.archive._vectors, ckpt.archive._vectors)
    assert t_ckpt < 5 * t_plain, (t_plain, t_ckpt)


def test_commits_are_throttled_in_time_for_near_free_objectives(monkeypatch, tmp_path):
    """1,500 generations of a near-free objective: commits at most once per interval (plus the first
    and the last), and the result equals the run without a checkpoint."""
    monkeypatch.setattr(cavity.design.de, "CHECKPOINT_MIN_INTERVAL_S", 0.5)
    writes = []
    real = cavity.design.de._Checkpoint.write

    def counting(self, state, final=False):
        writes.append(time.monotonic())
        return real(self, state, final)

    monkeypatch.setattr(cavity.design.de._Checkpoint, "write", counting)
    t0 = time.monotonic()
    res = optimize(TOY, sphere, budget=1500 * 8, checkpoint=tmp_path / "c", **TOY_KW)
    elapsed = time.monotonic() - t0
    plain = optimize(TOY, sphere, budget=1500 * 8, **TOY_KW)
    assert len(writes) <= 2 + elapsed / 0.5 + 1
    assert np.all(np.diff(writes[:-1]) >= 0.5 - 1e-3)        # all but the final commit are throttled
    _same_run(plain, res)


SHIFT = {"x": 0.0}


def build_point_global(x, y, k):
    return (x + SHIFT["x"], y, k)


def test_resume_refuses_when_a_global_the_build_function_reads_has_changed(tmp_path):
    """The build function's source is unchanged, but a module-level value it reads differs: a
    different problem, refused naming the build function."""
    space = DesignSpace(build_point_global, {"x": Continuous(-5.0, 5.0), "y": Continuous(-5.0, 5.0), "k": Integer(0, 6)})
    ckpt = tmp_path / "g.ckpt"
    optimize(space, sphere, budget=4 * 8, checkpoint=ckpt, **TOY_KW)
    optimize(space, sphere, budget=5 * 8, checkpoint=ckpt, resume=True, **TOY_KW)  # same value: resumes
    SHIFT["x"] = 1.0
    try:
        with pytest.raises(ValueError, match="build"):
            optimize(space, sphere, budget=6 * 8, checkpoint=ckpt, resume=True, **TOY_KW)
    finally:
        SHIFT["x"] = 0.0

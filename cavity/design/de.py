"""The differential-evolution engine of :func:`cavity.design.optimize`: Deb's feasibility rules,
the trial vectors, the worker pools, the local polish and the checkpoints (a directory of plain
data, never a pickle) with the fingerprint of the problem they belong to.

Part of :mod:`cavity.design`; why our own DE: see :mod:`cavity.design.search`.
"""
from __future__ import annotations

import enum
import itertools
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .._validation import parse_enum
from ..results import Result

__all__ = ["Strategy", "GenerationRecord", "CHUNKS_PER_WORKER", "CHECKPOINT_MIN_INTERVAL_S"]

_CHECKPOINT_VERSION = 2


# ================================================================================================
# Results of one generation
# ================================================================================================
@dataclass(frozen=True)
class GenerationRecord(Result):
    """One generation: best and mean score of the feasible members (NaN if none), the best
    violation, evaluations so far and evaluations per second in that generation."""

    generation: int
    best_score: float
    mean_score: float
    best_violation: float
    n_evaluations: int
    evaluations_per_second: float



def _evaluate_chunk(task):
    """Module-level (picklable) worker function: ``(problem, X, parent_pid) -> (scores, violations)``.

    In a process other than the search's (``parent_pid``) the numba kernels run on one thread: the
    pool supplies the parallelism, and threaded kernels in every worker would oversubscribe the cores.
    """
    problem, X, parent_pid = task
    if os.getpid() == parent_pid:
        return problem.evaluate(X)
    import numba

    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return problem.evaluate(X)
    finally:
        numba.set_num_threads(old)



# ================================================================================================
# Differential evolution
# ================================================================================================
def _better_or_equal(s1, v1, s2, v2):
    """Deb's rules, elementwise: (s1, v1) at least as good as (s2, v2)."""
    return np.where((v1 == 0) & (v2 == 0), s1 <= s2, v1 <= v2)


def _best_index(s, v):
    return int(np.lexsort((s, v))[0])


class _State:
    """Everything needed to continue a run (saved as plain data by :class:`_Checkpoint`)."""

    def __init__(self, pop, scores, viol, rng_state, generation, n_eval, history, archive_X, archive_s, archive_v):
        self.pop, self.scores, self.viol = pop, scores, viol
        self.rng_state = rng_state
        self.generation, self.n_eval = generation, n_eval
        self.history = history
        self.archive_X, self.archive_s, self.archive_v = archive_X, archive_s, archive_v


#: chunks per worker and generation by default: load balance vs. the per-chunk cost of shipping the
#: problem and of smaller batches.  benchmarks/bench_design.py (2-process pool, population 60):
#: 1 chunk per worker 1.5-2.1x the in-process rate, 2: 1.1-1.8x, 4: 0.55-1.5x, 30: 0.15-0.5x
CHUNKS_PER_WORKER = 1


def _pool_size(workers):
    """Number of workers behind a map-like callable (executor, multiprocessing.Pool, Dask client), else the CPUs."""
    owner = getattr(workers, "__self__", None)
    for attr in ("_max_workers", "_processes"):
        n = getattr(owner, attr, None)
        if isinstance(n, int) and n > 0:
            return n
    nthreads = getattr(owner, "nthreads", None)  # dask.distributed.Client
    if callable(nthreads):
        try:
            n = sum(nthreads().values())
        except Exception:
            n = 0
        if n > 0:
            return int(n)
    return os.cpu_count() or 1


def _default_chunksize(n, workers):
    return max(1, math.ceil(n / (CHUNKS_PER_WORKER * _pool_size(workers))))


def _gathered(out):
    out = list(out)
    return [r.result() if hasattr(r, "result") and callable(r.result) else r for r in out]


def _dead_worker_error(generation, detail):
    return RuntimeError(
        f"generation {generation}: {detail}. The search cannot continue with this pool (create a new one); "
        f"designs whose evaluation kills the process (memory, a crash in the build function or in native "
        f"code) can be found by evaluating them in this process (workers=None or cavity.design.evaluate_designs)")


def _map_mp_pool(pool, tasks, timeout, generation):
    """``multiprocessing.Pool`` replaces a worker that died and waits forever for its task: watch
    the pool's processes while the chunks run."""
    procs = list(getattr(pool, "_pool", ()))
    watch = getattr(pool, "_maxtasksperchild", None) is None  # otherwise workers retire normally
    res = pool.map_async(_evaluate_chunk, tasks, chunksize=1)
    t0 = time.monotonic()
    while not res.ready():
        res.wait(0.1)
        if res.ready():
            break
        dead = [p for p in procs if p.exitcode is not None] if watch else []
        if dead:
            raise _dead_worker_error(generation, f"a worker process of the multiprocessing.Pool died (pid "
                                                 f"{dead[0].pid}, exit code {dead[0].exitcode}) while evaluating "
                                                 f"designs; the pool would wait for its result forever")
        if timeout is not None and time.monotonic() - t0 > timeout:
            raise RuntimeError(f"generation {generation}: the workers returned no result within "
                               f"worker_timeout={timeout!r} s (a worker died or hangs, or the timeout is too short)")
    return res.get()


class _Runner:
    def __init__(self, problem, workers, chunksize, timeout=None):
        self.problem = problem
        self.workers = workers
        self.chunksize = chunksize
        self.timeout = timeout

    def __call__(self, X, generation=None):
        if self.workers is None:
            return self.problem.evaluate(X)
        n = X.shape[0]
        size = self.chunksize or _default_chunksize(n, self.workers)
        tasks = [(self.problem, X[i:i + size], os.getpid()) for i in range(0, n, size)]
        out = self._map(tasks, generation)
        return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])

    def _map(self, tasks, generation):
        import multiprocessing.pool
        from concurrent.futures.process import BrokenProcessPool

        pool = getattr(self.workers, "__self__", None)
        if isinstance(pool, multiprocessing.pool.Pool) and getattr(self.workers, "__name__", "") == "map":
            return _map_mp_pool(pool, tasks, self.timeout, generation)
        try:
            if self.timeout is None:
                return _gathered(self.workers(_evaluate_chunk, tasks))
            import threading

            box = {}

            def target():
                try:
                    box["out"] = _gathered(self.workers(_evaluate_chunk, tasks))
                except BaseException as exc:  # re-raised in the search's thread
                    box["exc"] = exc

            th = threading.Thread(target=target, name="qdcavity-design-workers", daemon=True)
            th.start()
            th.join(self.timeout)
            if th.is_alive():
                raise RuntimeError(f"generation {generation}: the workers returned no result within "
                                   f"worker_timeout={self.timeout!r} s (a worker died or hangs, or the timeout "
                                   f"is too short)")
            if "exc" in box:
                raise box["exc"]
            return box["out"]
        except BrokenProcessPool as exc:
            raise _dead_worker_error(generation, f"a worker process of the process pool died while evaluating "
                                                 f"designs ({exc})") from exc


def _sample(rng, lower, upper, integral, n):
    """Latin-hypercube initial population; integer dimensions uniform over their values."""
    dim = lower.size
    u = (rng.permuted(np.tile(np.arange(n), (dim, 1)), axis=1).T + rng.random((n, dim))) / n
    lo = np.where(integral, lower - 0.5, lower)
    hi = np.where(integral, upper + 0.5, upper)
    X = lo + u * (hi - lo)
    return _snap(X, lower, upper, integral)


def _snap(X, lower, upper, integral):
    X = X.copy()
    X[:, integral] = np.clip(np.round(X[:, integral]), lower[integral], upper[integral])
    return X


class Strategy(str, enum.Enum):
    """How a trial's base vector is chosen (Storn & Price 1997, "DE/x/1/bin"): the best member
    (``BEST1BIN``, fast on smooth landscapes) or a random one (``RAND1BIN``, more exploratory)."""

    BEST1BIN = "best1bin"
    RAND1BIN = "rand1bin"

    @classmethod
    def parse(cls, value: str | Strategy) -> Strategy:
        """A :class:`Strategy` from itself or its value/name (case-insensitive); a ValueError naming ``strategy``."""
        return parse_enum(cls, value, "strategy")


def _trials(state, rng, strategy, mutation, recombination, lower, upper, integral):
    pop = state.pop
    n, dim = pop.shape
    F = rng.uniform(*mutation) if isinstance(mutation, tuple) else mutation
    keys = rng.random((n, n))
    np.fill_diagonal(keys, 2.0)
    r = np.argsort(keys, axis=1)[:, :3]
    if strategy is Strategy.BEST1BIN:
        base = pop[_best_index(state.scores, state.viol)][None, :]
    else:
        base = pop[r[:, 2]]
    mutant = base + F * (pop[r[:, 0]] - pop[r[:, 1]])
    cross = rng.random((n, dim)) < recombination
    cross[np.arange(n), rng.integers(dim, size=n)] = True
    trial = np.where(cross, mutant, pop)
    lo = np.where(integral, lower - 0.5, lower)
    hi = np.where(integral, upper + 0.5, upper)
    out = (trial < lower) | (trial > upper)
    resample = lo + rng.random((n, dim)) * (hi - lo)
    trial = np.where(out, resample, trial)
    return _snap(trial, lower, upper, integral)


def _record(state, rate):
    s, v = state.scores, state.viol
    feas = v == 0
    i = _best_index(s, v)
    return GenerationRecord(state.generation, float(s[i]) if feas.any() else math.nan,
                            float(np.mean(s[feas])) if feas.any() and np.all(np.isfinite(s[feas])) else math.nan,
                            float(v[i]), int(state.n_eval), float(rate))


# ------------------------------------------------------------------------------------------------
# Checkpoints: a directory of plain data (JSON + numpy arrays), never a pickle
# ------------------------------------------------------------------------------------------------
_CKPT_HEADER = "checkpoint.json"
_CKPT_MAGIC = b"qdcavity-design-checkpoint"
_CKPT_TMP = ".tmp-"
_CKPT_CHUNK = "archive-{:06d}.chunk"
_CKPT_DEPTH = 24


#: modules of :mod:`cavity.design`, all named ``cavity.design.search`` in a fingerprint: the
#: classes moved out of that module keep the fingerprint (and resume the checkpoints) they had
_FINGERPRINT_MODULES = frozenset(f"cavity.design.{m}" for m in ("space", "constraints", "evaluators", "de", "search"))


def _qualname(obj) -> str:
    module = getattr(obj, '__module__', '?')
    if module in _FINGERPRINT_MODULES:
        module = "cavity.design.search"
    return f"{module}.{getattr(obj, '__qualname__', getattr(obj, '__name__', type(obj).__name__))}"


def _canonical(obj, depth=0, seen=None):
    """A JSON-able, process-independent description of ``obj`` for the problem fingerprint.

    Numbers become floats (``json`` writes them by ``repr``, so they round-trip exactly; an int
    and the equal float describe the same problem), enums their class and value, dataclasses their
    class and every field, arrays their dtype, shape and SHA-256, functions their module,
    qualified name, the SHA-256 of their source code (``inspect.getsource``; of the byte code when
    no source is available), defaults, closure values and the module-level globals they read
    (functions among them recursively, modules by name), other objects their class and
    attributes.  An object with none of these is described by its ``repr`` (or only its class
    when the ``repr`` holds a memory address, which changes between processes).
    """
    import dataclasses
    import functools
    import hashlib
    import inspect
    import types

    if depth > _CKPT_DEPTH:
        return {"__type__": _qualname(type(obj)), "__truncated__": True}
    seen = set() if seen is None else seen
    if obj is None or isinstance(obj, (bool, np.bool_)):
        return None if obj is None else bool(obj)
    if isinstance(obj, enum.Enum):  # before str: str-valued enums
        return {"__enum__": _qualname(type(obj)), "value": _canonical(obj.value, depth + 1, seen)}
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, (int, np.integer)):
        i = int(obj)
        return float(i) if abs(i) <= 2 ** 53 else {"__int__": str(i)}
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    if isinstance(obj, (complex, np.complexfloating)):
        return {"__complex__": [float(obj.real), float(obj.imag)]}
    if isinstance(obj, bytes):
        return {"__bytes__": hashlib.sha256(obj).hexdigest()}
    if isinstance(obj, np.ndarray):
        a = np.ascontiguousarray(obj)
        if a.dtype.hasobject:
            return {"__ndarray__": str(a.shape), "items": [_canonical(v, depth + 1, seen) for v in a.ravel()]}
        return {"__ndarray__": a.dtype.str, "shape": list(a.shape), "sha256": hashlib.sha256(a.tobytes()).hexdigest()}
    if isinstance(obj, type):
        return {"__class__": _qualname(obj)}
    if isinstance(obj, types.ModuleType):
        return {"__module__": obj.__name__}
    if id(obj) in seen:
        return {"__cycle__": _qualname(type(obj))}
    seen = seen | {id(obj)}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v, depth + 1, seen) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((_canonical(v, depth + 1, seen) for v in obj), key=lambda c: json.dumps(c, sort_keys=True))
    if isinstance(obj, Mapping):
        return {"__mapping__": sorted(([json.dumps(_canonical(k, depth + 1, seen), sort_keys=True),
                                        _canonical(v, depth + 1, seen)] for k, v in obj.items()),
                                      key=lambda kv: kv[0])}
    if isinstance(obj, functools.partial):
        return {"__partial__": _canonical(obj.func, depth + 1, seen), "args": _canonical(obj.args, depth + 1, seen),
                "keywords": _canonical(obj.keywords, depth + 1, seen)}
    if isinstance(obj, types.MethodType):
        return {"__method__": _canonical(obj.__func__, depth + 1, seen), "self": _canonical(obj.__self__, depth + 1, seen)}
    if isinstance(obj, types.FunctionType):
        try:
            src = inspect.getsource(obj).encode()
        except (OSError, TypeError):
            src = obj.__code__.co_code
        cells = [c.cell_contents for c in (obj.__closure__ or ()) if _cell_filled(c)]
        glob = {n: obj.__globals__[n] for n in sorted(_global_names(obj.__code__)) if n in obj.__globals__}
        return {"__function__": _qualname(obj), "source_sha256": hashlib.sha256(src).hexdigest(),
                "defaults": _canonical(obj.__defaults__, depth + 1, seen),
                "kwdefaults": _canonical(obj.__kwdefaults__, depth + 1, seen),
                "closure": _canonical(cells, depth + 1, seen),
                "globals": _canonical(glob, depth + 1, seen)}
    if isinstance(obj, (types.BuiltinFunctionType, types.BuiltinMethodType)):
        return {"__builtin__": _qualname(obj)}
    if dataclasses.is_dataclass(obj):
        out = {"__type__": _qualname(type(obj))}
        for f in dataclasses.fields(obj):
            out[f.name] = _canonical(getattr(obj, f.name, None), depth + 1, seen)
        return out
    attrs = {}
    if hasattr(obj, "__dict__"):
        attrs.update((k, v) for k, v in vars(obj).items() if k != "_n_cache")  # a material's evaluation cache
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if isinstance(name, str) and hasattr(obj, name) and name not in ("__dict__", "__weakref__"):
                attrs[name] = getattr(obj, name)
    if attrs:
        out = {"__type__": _qualname(type(obj))}
        for k in sorted(attrs):
            out[str(k)] = _canonical(attrs[k], depth + 1, seen)
        return out
    r = repr(obj)
    return {"__type__": _qualname(type(obj))} if " at 0x" in r else {"__type__": _qualname(type(obj)), "repr": r}


def _global_names(code) -> set:
    """Names a code object (and the functions and comprehensions nested in it) may read as globals."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _global_names(const)
    return names


def _cell_filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def _checkpoint_settings(problem, seed, population_size, strategy, mutation, recombination) -> dict:
    """Everything that changes a score or the DE's sequence of designs, as canonical JSON data."""
    s = problem.settings
    space = problem.space
    return {
        "parameters": {k: _canonical(p) for k, p in space.parameters.items()},
        "build": _canonical(space.build),
        "fixed": {k: _canonical(v) for k, v in space.fixed.items()},
        "objective": _canonical(problem.objective),
        "near": None if s is None else s.near,
        "search_width": None if s is None else s.search_width,
        "gain_model": None if s is None else _canonical(s.gain_model),
        "thermal": None if s is None else _canonical(s.thermal),
        "constraints": [_canonical(c) for c in problem.constraints],
        "current_range": _canonical(problem.j_range),
        "evaluators": sorted([_qualname(cls), _qualname(type(ev))] for cls, ev in problem.registry.items()),
        "seed": str(int(seed)),
        "population_size": int(population_size),
        "strategy": Strategy.parse(strategy).value,
        "mutation": _canonical(mutation),
        "recombination": float(recombination),
    }


def _fingerprint(settings: dict) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _differences(a, b, path):
    """(path, a value, b value) of every place where two canonical descriptions differ."""
    if type(a) is not type(b):
        yield path, a, b
    elif isinstance(a, dict):
        if "__mapping__" in a and "__mapping__" in b:
            a = {k: v for k, v in a["__mapping__"]}
            b = {k: v for k, v in b["__mapping__"]}
        for k in sorted(set(a) | set(b)):
            sub = f"{path}.{k}" if k[:2] != "__" else path
            if k not in a or k not in b:
                yield sub, a.get(k, "<absent>"), b.get(k, "<absent>")
            else:
                yield from _differences(a[k], b[k], sub)
    elif isinstance(a, list):
        if len(a) != len(b):
            yield f"{path} (length)", len(a), len(b)
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                yield from _differences(x, y, f"{path}[{i}]")
    elif not (a == b or (a != a and b != b)):
        yield path, a, b


def _short(value, n=120):
    s = json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)
    return s if len(s) <= n else s[:n - 3] + "..."


#: A design search commits its checkpoint every ``checkpoint_every`` generations but not more often
#: than this (seconds; always at the first and last generation and on Ctrl-C): near-free objectives
#: otherwise spend most of their time writing.  A killed run loses at most this much work.
CHECKPOINT_MIN_INTERVAL_S = 0.5


class _Checkpoint:
    """A design-search checkpoint: a directory of plain data, never unpickled.

    * ``checkpoint.json``: one line ``qdcavity-design-checkpoint <version> <sha256>`` followed by
      a JSON body whose SHA-256 that line holds: the problem settings and their fingerprint, the
      population, scores, violations, generation, evaluation count, the
      ``numpy.random.Generator`` bit-generator state (a dict of ints) and the number and chained
      SHA-256 of the archive chunks.  It is the commit record: written to a temporary file,
      fsync'd and renamed over the old one, so it always describes a complete state.
    * ``archive-NNNNNN.chunk``: the designs evaluated (and the generation records) since the
      previous commit, one line with the SHA-256 of the rest followed by a ``.npz`` read with
      ``allow_pickle=False``.  The archive is appended chunk by chunk, never rewritten.

    Anything that does not match (foreign, empty, truncated or corrupted files, a checksum that
    differs, another problem) raises a ValueError naming the file and what is wrong.
    """

    def __init__(self, path, settings):
        self.path = os.path.abspath(os.fspath(path))
        self.settings = settings
        self.fingerprint = _fingerprint(settings)
        self.n_chunks = 0
        self.chain = ""
        self.rows = 0        # archive entries (per-generation arrays) of the state already written
        self.records = 0     # history records already written
        self.fresh = True    # the directory still holds another run's files (removed at the first write)
        self.synced = -math.inf
        self.written = -math.inf
        if os.path.lexists(self.path):
            self._check_ours()
            self._remove(lambda name: name.startswith(_CKPT_TMP))  # left behind by a killed run

    # -------------------------------------------------------------------------- files
    def _file(self, name):
        return os.path.join(self.path, name)

    def _check_ours(self):
        if not os.path.isdir(self.path) or os.path.islink(self.path):
            raise ValueError(f"checkpoint {self.path!r} is not a qdcavity design checkpoint (a directory written "
                             f"by cavity.optimize, format {_CHECKPOINT_VERSION}); it is not read or overwritten: "
                             f"remove it or choose another path")
        names = os.listdir(self.path)
        foreign = [n for n in names if n != _CKPT_HEADER and not n.startswith(_CKPT_TMP) and not self._is_chunk(n)]
        if foreign:
            raise ValueError(f"checkpoint {self.path!r} is a directory holding {foreign[0]!r}, which a qdcavity design "
                             f"checkpoint never contains; it is not read or overwritten: choose another path")

    @staticmethod
    def _is_chunk(name):
        return name.startswith("archive-") and name.endswith(".chunk") and name[8:-6].isdigit()

    def _remove(self, which):
        for name in os.listdir(self.path):
            if which(name):
                try:
                    os.unlink(self._file(name))
                except FileNotFoundError:
                    pass

    def exists(self) -> bool:
        """Whether a committed state exists (chunk 0 alone: killed before the first commit)."""
        if os.path.exists(self._file(_CKPT_HEADER)):
            return True
        if os.path.isdir(self.path) and any(self._is_chunk(n) and int(n[8:-6]) > 0 for n in os.listdir(self.path)):
            raise ValueError(f"checkpoint file {self._file(_CKPT_HEADER)!r} is missing, but archive chunks of later "
                             f"generations exist: the checkpoint is damaged")
        return False

    def _write(self, name, payload: bytes, sync: bool):
        fd, tmp = tempfile.mkstemp(prefix=_CKPT_TMP, dir=self.path)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                if sync:
                    f.flush()
                    os.fsync(f.fileno())
            os.replace(tmp, self._file(name))
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    @staticmethod
    def _sealed(body: bytes, head: bytes) -> bytes:
        import hashlib

        return head + b" " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body

    def _unseal(self, name, head: bytes) -> bytes:
        import hashlib

        where = self._file(name)
        try:
            with open(where, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise ValueError(f"checkpoint file {where!r} is missing") from None
        except OSError as exc:
            raise ValueError(f"checkpoint file {where!r} cannot be read: {exc}") from None
        if not data:
            raise ValueError(f"checkpoint file {where!r} is empty")
        line, sep, body = data.partition(b"\n")
        parts = line.split(b" ")
        if not sep or len(parts) != len(head.split(b" ")) + 1 or b" ".join(parts[:-1]) != head:
            raise ValueError(f"checkpoint file {where!r} is not a qdcavity design checkpoint file of format "
                             f"{_CHECKPOINT_VERSION} (first line {line[:60]!r})")
        if parts[-1] != hashlib.sha256(body).hexdigest().encode():
            raise ValueError(f"checkpoint file {where!r} is corrupted or truncated: its SHA-256 does not match")
        return body

    # -------------------------------------------------------------------------- write
    def due(self) -> bool:
        """Whether the last commit is at least :data:`CHECKPOINT_MIN_INTERVAL_S` old."""
        return time.monotonic() - self.written >= CHECKPOINT_MIN_INTERVAL_S

    def write(self, state, final=False):
        import hashlib
        import io

        self.written = time.monotonic()
        if self.fresh:
            if os.path.lexists(self.path):
                self._check_ours()
                self._remove(lambda n: n == _CKPT_HEADER or self._is_chunk(n) or n.startswith(_CKPT_TMP))
            else:
                os.makedirs(self.path)
            self.fresh = False
        new_x = state.archive_X[self.rows:]
        new_h = state.history[self.records:]
        if new_x or new_h:
            d = state.pop.shape[1]
            rows = (np.column_stack([np.concatenate(new_x), np.concatenate(state.archive_s[self.rows:]),
                                     np.concatenate(state.archive_v[self.rows:])]) if new_x
                    else np.empty((0, d + 2)))
            recs = np.array([[h.generation, h.best_score, h.mean_score, h.best_violation, h.n_evaluations,
                              h.evaluations_per_second] for h in new_h], dtype=np.float64).reshape(-1, 6)
            buf = io.BytesIO()
            np.savez(buf, archive=rows, history=recs)
            body = buf.getvalue()
            head = _CKPT_MAGIC + b" %d chunk %d" % (_CHECKPOINT_VERSION, self.n_chunks)
            # written in place, no fsync: a chunk counts only once a commit record names it, and a
            # partly written one fails its checksum
            with open(self._file(_CKPT_CHUNK.format(self.n_chunks)), "wb") as f:
                f.write(self._sealed(body, head))
            self.chain = hashlib.sha256((self.chain + hashlib.sha256(body).hexdigest()).encode()).hexdigest()
            self.n_chunks += 1
            self.rows, self.records = len(state.archive_X), len(state.history)
        header = {"format": _CHECKPOINT_VERSION, "fingerprint": self.fingerprint, "settings": self.settings,
                  "state": {"population": state.pop.tolist(), "scores": state.scores.tolist(),
                            "violations": state.viol.tolist(), "rng_state": state.rng_state,
                            "generation": int(state.generation), "n_evaluations": int(state.n_eval)},
                  "chunks": self.n_chunks, "chain": self.chain}
        body = json.dumps(header, sort_keys=True).encode()
        # fsync'd at most once a second and at the end: the rename is atomic for a killed process;
        # after a power loss an unsynced record is at worst refused by its checksum
        now = time.monotonic()
        sync = final or now - self.synced >= 1.0
        self._write(_CKPT_HEADER, self._sealed(body, _CKPT_MAGIC + b" %d header" % _CHECKPOINT_VERSION), sync=sync)
        if sync:
            self.synced = now

    # -------------------------------------------------------------------------- read
    def read(self, dim):
        """The saved state; refuses (ValueError naming the file) anything that does not check out."""
        import hashlib
        import io

        where = self._file(_CKPT_HEADER)
        body = self._unseal(_CKPT_HEADER, _CKPT_MAGIC + b" %d header" % _CHECKPOINT_VERSION)
        try:
            h = json.loads(body)
            st = h["state"]
            pop = np.array(st["population"], dtype=np.float64)
            scores = np.array(st["scores"], dtype=np.float64)
            viol = np.array(st["violations"], dtype=np.float64)
            generation, n_eval = st["generation"], st["n_evaluations"]
            n_chunks, chain, rng_state = h["chunks"], h["chain"], st["rng_state"]
            saved, fingerprint = h["settings"], h["fingerprint"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"checkpoint file {where!r} does not hold a design-search state: {exc!r}") from None
        if h.get("format") != _CHECKPOINT_VERSION or not isinstance(saved, dict):
            raise ValueError(f"checkpoint file {where!r} has format {h.get('format')!r}, expected {_CHECKPOINT_VERSION}")
        if fingerprint != self.fingerprint or saved != self.settings:
            diffs = []
            for key in list(self.settings) + [k for k in saved if k not in self.settings]:
                found = list(itertools.islice(_differences(saved.get(key, "<absent>"),
                                                           self.settings.get(key, "<absent>"), key), 4))
                diffs += [f"{d[0]} differs (checkpoint: {_short(d[1])}, this run: {_short(d[2])})" for d in found[:3]]
                if len(found) > 3:
                    diffs.append(f"{key}: more differences")
            raise ValueError(f"checkpoint {self.path!r} was written for a different problem, refusing to resume it: "
                             + ("; ".join(diffs) or "the settings fingerprint differs")
                             + ". Resume with the same problem or start a new checkpoint.")
        n_pop = self.settings["population_size"]
        ok = (pop.shape == (n_pop, dim) and scores.shape == viol.shape == (n_pop,) and isinstance(generation, int)
              and isinstance(n_eval, int) and isinstance(n_chunks, int) and n_chunks >= 1 and isinstance(rng_state, dict))
        if not ok:
            raise ValueError(f"checkpoint file {where!r} holds a state of the wrong shape for this problem")
        xs, hs, link = [], [], ""
        for k in range(n_chunks):
            name = _CKPT_CHUNK.format(k)
            cb = self._unseal(name, _CKPT_MAGIC + b" %d chunk %d" % (_CHECKPOINT_VERSION, k))
            try:
                with np.load(io.BytesIO(cb), allow_pickle=False) as z:
                    rows, recs = z["archive"], z["history"]
            except Exception as exc:  # noqa: BLE001 -- any failure to parse the (checksummed) chunk
                raise ValueError(f"checkpoint file {self._file(name)!r} is not a valid archive chunk: {exc!r}") from None
            if rows.dtype != np.float64 or rows.ndim != 2 or rows.shape[1] != dim + 2 or recs.dtype != np.float64 \
                    or recs.ndim != 2 or recs.shape[1] != 6:
                raise ValueError(f"checkpoint file {self._file(name)!r} holds arrays of the wrong shape")
            link = hashlib.sha256((link + hashlib.sha256(cb).hexdigest()).encode()).hexdigest()
            xs.append(rows)
            hs.append(recs)
        if link != chain:
            raise ValueError(f"checkpoint {self.path!r}: the archive chunks do not match the checksum in {where!r} "
                             f"(a chunk was replaced or comes from another run)")
        rows, recs = np.concatenate(xs), np.concatenate(hs)
        if rows.shape[0] != n_eval or recs.shape[0] != generation + 1:
            raise ValueError(f"checkpoint {self.path!r} holds {rows.shape[0]} archived designs and {recs.shape[0]} "
                             f"generation records for {n_eval} evaluations and generation {generation}")
        try:
            probe = np.random.default_rng(0)
            probe.bit_generator.state = rng_state
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"checkpoint file {where!r} holds an invalid random-generator state: {exc!r}") from None
        history = [GenerationRecord(int(r[0]), float(r[1]), float(r[2]), float(r[3]), int(r[4]), float(r[5]))
                   for r in recs]
        self._remove(lambda n: self._is_chunk(n) and int(n[8:-6]) >= n_chunks)  # written after the last commit
        self.n_chunks, self.chain, self.rows, self.records, self.fresh = n_chunks, chain, 1, len(history), False
        return _State(pop, scores, viol, rng_state, generation, n_eval, history, [rows[:, :dim]], [rows[:, dim]],
                      [rows[:, dim + 1]])


def _polish(problem, x, score, lower, upper, integral, maxfev):
    """Nelder-Mead (bounded) on the continuous parameters, integers and choices fixed."""
    from scipy.optimize import minimize

    free = ~integral
    if not free.any() or maxfev <= 0:
        return x, score, 0
    count = [0]

    def f(z):
        xx = x.copy()
        xx[free] = np.clip(z, lower[free], upper[free])
        s, v = problem.evaluate(xx[None, :])
        count[0] += 1
        return float(s[0]) if v[0] == 0 and np.isfinite(s[0]) else math.inf

    span = upper[free] - lower[free]
    z0 = x[free]
    simplex = [z0]
    for k in range(z0.size):
        z = z0.copy()
        step = 0.05 * span[k]
        z[k] = z[k] + step if z[k] + step <= upper[free][k] else z[k] - step
        simplex.append(z)
    res = minimize(f, z0, method="Nelder-Mead", bounds=list(zip(lower[free], upper[free])),
                   options={"maxfev": int(maxfev), "initial_simplex": np.array(simplex), "xatol": 1e-6 * span.max(),
                            "fatol": 1e-9 * max(abs(score), 1e-300)})
    if np.isfinite(res.fun) and res.fun < score:
        xx = x.copy()
        xx[free] = np.clip(res.x, lower[free], upper[free])
        return xx, float(res.fun), count[0]
    return x, score, count[0]

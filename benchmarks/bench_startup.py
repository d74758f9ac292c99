"""Start-up time: ``import cavity`` and the README tour in a fresh interpreter, cold and warm.

    python benchmarks/bench_startup.py            # cold (empty NUMBA_CACHE_DIR), then warm
    python benchmarks/bench_startup.py --repeat 3 # medians of 3 cold and 3 warm runs
    python benchmarks/bench_startup.py --split-warmup  # and an install-time-like warm-up on 2 cores

Each run is a fresh subprocess.  *Cold* runs get a new, empty temporary ``NUMBA_CACHE_DIR``
(every kernel the tour calls compiles); the *warm* run reuses the cache the first cold run wrote.
The child times (a) ``import cavity`` (with ``materials``), (b) the README tour (the first
```` ```python ```` block of README.md, extracted as tests/test_examples.py does; its own
``import cavity`` is then free), and reports which numba dispatchers of ``cavity`` compiled, how
many type signatures each holds (``Dispatcher.signatures``) and the compile time of each from
numba's event API (``numba:compile``; *self* time excludes kernels compiled inside it, e.g. a
callee compiled while its caller is typed).  The interpreter's own start (~0.1 s) is in the
``process`` column; the CPU column (``time.process_time``, all threads of the child) is less
sensitive than wall time to other work on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tour_code() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("```python", 1)[1].split("```", 1)[0]


# ----------------------------------------------------------------------------- child
def child(part: str = "all") -> None:
    import contextlib
    import io

    from numba.core import event as ev

    stack, records = [], []  # records: [qualname, signature, inclusive s, self s]

    class Listener(ev.Listener):
        def on_start(self, event):
            stack.append([time.perf_counter(), 0.0])

        def on_end(self, event):
            t0, inner = stack.pop()
            dt = time.perf_counter() - t0
            if stack:
                stack[-1][1] += dt
            d = event.data["dispatcher"]
            name = f"{d.py_func.__module__}.{d.py_func.__qualname__}"
            records.append([name, str(tuple(event.data["args"])), dt, dt - inner])

    ev.register("numba:compile", Listener())
    t0, c0 = time.perf_counter(), time.process_time()
    import cavity  # noqa: F401
    import materials  # noqa: F401
    t_import, c_import = time.perf_counter() - t0, time.process_time() - c0
    import ast

    lines = []  # (first source line of a top-level statement, seconds)
    ns = {}
    tree = ast.parse(tour_code())
    if part == "spectrum":  # the TMM kernels only: the device as built, then its spectrum
        body = []
        for stmt in tree.body:
            src = ast.unparse(stmt)
            if "place_on_antinode" not in src:
                body.append(stmt)
            if src.startswith("spec ="):
                break
        tree.body = body
    elif part == "rest":  # everything but the spectrum
        tree.body = [st for st in tree.body if not ast.unparse(st).startswith("spec =")]
    t0, c0 = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        for stmt in tree.body:
            t1 = time.perf_counter()
            exec(compile(ast.Module([stmt], []), "README tour", "exec"), ns)
            lines.append((ast.unparse(stmt).splitlines()[0][:60], time.perf_counter() - t1))
    t_tour, c_tour = time.perf_counter() - t0, time.process_time() - c0

    from numba.core.registry import CPUDispatcher

    sigs = {}
    for modname, mod in list(sys.modules.items()):
        if not (modname == "cavity" or modname.startswith("cavity.")):
            continue
        for obj in vars(mod).values():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == modname:
                if obj.signatures:
                    name = f"{modname}.{obj.py_func.__qualname__}"
                    sigs[name] = [str(s) for s in obj.signatures]
    print(json.dumps({"import": t_import, "tour": t_tour, "cpu_import": c_import, "cpu_tour": c_tour,
                      "printed": out.getvalue().strip(), "lines": lines, "compiles": records, "signatures": sigs}))


# ----------------------------------------------------------------------------- parent
def run(cache_dir: str) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process"] = wall
    return out


def split_warmup() -> None:
    """What an install-time compile step on 2 cores would cost: two processes fill one empty
    cache concurrently (the tour's spectrum; the rest of the tour), then the tour runs warm."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, __file__, "--child", "--part", part], env=env, cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for part in ("spectrum", "rest")]
        walls = []
        for p in procs:
            out, err = p.communicate()
            if p.returncode:
                raise RuntimeError(err)
            walls.append(time.perf_counter() - t0)
        warmup = max(walls)
        tour = run(cache)
    print(f"Split warm-up (2 processes, one empty cache): spectrum part {walls[0]:.2f} s, rest {walls[1]:.2f} s, "
          f"both done after {warmup:.2f} s wall; then the tour (new process) {tour['process']:.2f} s wall "
          f"(import + tour {tour['import'] + tour['tour']:.2f} s); total {warmup + tour['process']:.2f} s")


def short(name: str) -> str:
    return name.replace("cavity.", "", 1)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="cold and warm runs (medians)")
    ap.add_argument("--split-warmup", action="store_true",
                    help="also time a 2-process warm-up of an empty cache followed by the tour")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--part", default="all", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.part)
        return

    cold, warm = [], []
    with tempfile.TemporaryDirectory() as keep:
        for i in range(args.repeat):
            if i == 0:
                cold.append(run(keep))
            else:
                with tempfile.TemporaryDirectory() as d:
                    cold.append(run(d))
        for _ in range(args.repeat):
            warm.append(run(keep))

    def med(runs, key):
        return statistics.median(r[key] for r in runs)

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS', 'default')}, "
          f"medians of {args.repeat}")
    print(f"tour prints: {cold[0]['printed']}")
    print()
    print("| cache | import cavity | README tour | import + tour | CPU (import + tour) | process (wall) |")
    print("|---|---|---|---|---|---|")
    for label, runs in (("cold (empty)", cold), ("warm", warm)):
        print(f"| {label} | {med(runs, 'import'):.2f} s | {med(runs, 'tour'):.2f} s | "
              f"{med(runs, 'import') + med(runs, 'tour'):.2f} s | "
              f"{med(runs, 'cpu_import') + med(runs, 'cpu_tour'):.2f} s | {med(runs, 'process'):.2f} s |")
    print()

    first = cold[0]
    print("Tour statements taking 0.1 s or more (first cold run / first warm run):")
    print()
    print("| statement | cold | warm |")
    print("|---|---|---|")
    for (stmt, tc), (_, tw) in zip(first["lines"], warm[0]["lines"]):
        if tc >= 0.1:
            print(f"| `{stmt}` | {tc:.2f} s | {tw:.2f} s |")
    print()
    per = {}
    for name, sig, incl, self_ in first["compiles"]:
        p = per.setdefault(name, [0, 0.0])
        p[0] += 1
        p[1] += self_
    total = sum(v[1] for v in per.values())
    print(f"Compiled in the first cold run: {len(per)} functions, "
          f"{sum(v[0] for v in per.values())} signatures, {total:.2f} s compile (self times)")
    print()
    print("| function | signatures | compile s (self) |")
    print("|---|---|---|")
    for name, (n, t) in sorted(per.items(), key=lambda kv: -kv[1][1]):
        print(f"| {short(name)} | {n} | {t:.2f} |")
    multi = {k: v for k, v in first["signatures"].items() if len(v) > 1}
    if multi:
        print()
        print("Dispatchers holding more than one signature:")
        for name, s in multi.items():
            print(f"  {short(name)}:")
            for x in s:
                print(f"    {x}")
    if args.split_warmup:
        print()
        split_warmup()
    if warm and warm[0]["compiles"]:
        print()
        print("Warm run still compiled:", sorted({short(r[0]) for r in warm[0]["compiles"]}))


if __name__ == "__main__":
    main()

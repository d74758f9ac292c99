"""Transfer-matrix speed: qdcavity against tmm, tmm-faster and PyMoosh, measured in the same run.

Usage::

    python benchmarks/bench_tmm.py            # full run (~10 min on 2 cores)
    python benchmarks/bench_tmm.py --quick    # tiny smoke run (~1 min)

Peers (test-only, not dependencies of qdcavity): ``pip install tmm tmm-faster pymoosh``.

Every case is first checked against ``tmm.coh_tmm`` at sample points (R and T of every code),
so all codes do the same work.  Times are medians of several repeats.  The single-threaded
column runs in a subprocess with ``NUMBA_NUM_THREADS = OMP_NUM_THREADS = MKL_NUM_THREADS =
OPENBLAS_NUM_THREADS = 1`` and ``threads=1``; the default column in a subprocess with the
environment as given and ``threads=None``.  Start-up is ``import`` plus the first spectrum in a
fresh interpreter: cold with an empty ``NUMBA_CACHE_DIR`` (everything compiles), cached with a
warm one.

Cases (layers = finite layers between air and glass; indices complex, absorbing, one gain layer):
  a  40 layers x 1000 wavelengths, normal incidence, s
  b  200 layers x 10000 wavelengths, normal incidence, s
  c  40 layers x 100 angles (0-80 deg) x 1000 wavelengths, s and p (qdcavity: one
     ``spectrum_arrays(..., polarization="both")`` call, both polarizations in one kernel pass)
  d  one wavelength, 10 layers: ``cavity.lowlevel.rt_single`` and ``cavity.spectrum``
  e  100 designs x 40 layers x 1000 wavelengths, normal incidence, s
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ONE_THREAD = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}

FULL = {"a": (40, 1000), "b": (200, 10000), "c": (40, 100, 1000), "d": 10, "e": (100, 40, 1000)}
QUICK = {"a": (8, 50), "b": (20, 200), "c": (8, 5, 50), "d": 10, "e": (4, 8, 50)}


# ----------------------------------------------------------------------------- test stacks
def stack_coefficients(layers, seed=0):
    """Per-medium dispersion ``n_m(lambda) = a_m + b_m (600 nm / lambda)^2`` and thicknesses (nm).

    Alternating high/low index layers with weak absorption, one gain layer (k < 0) in the
    middle, air above and glass below (M = layers + 2 media).
    """
    rng = np.random.default_rng(seed)
    M = layers + 2
    a = np.empty(M, np.complex128)
    b = np.zeros(M)
    d = np.zeros(M)
    for m in range(1, M - 1):
        a[m] = (2.30 + 0.002j) if m % 2 else (1.46 + 0.0005j)
        b[m] = 0.05 * rng.uniform(0.5, 1.5)
        d[m] = rng.uniform(60.0, 120.0)
    a[M // 2], b[M // 2] = 1.90 - 0.001j, 0.0
    a[0], a[-1] = 1.0, 1.52
    return a, b, d


def make_stack(layers, W, seed=0):
    """Indices ``n[M, W]``, thicknesses ``d[M]`` and wavelengths (450-850 nm) of the test stack."""
    a, b, d = stack_coefficients(layers, seed)
    wl = np.linspace(450.0, 850.0, W)
    n = a[:, None] + b[:, None] * (600.0 / wl[None, :]) ** 2
    return n, d, wl


# ----------------------------------------------------------------------------- timing helpers
def median_time(fn, repeats, min_time=0.0):
    """Median wall time of ``fn()`` over ``repeats`` runs (after one warm-up)."""
    fn()
    times = []
    t_start = time.perf_counter()
    while len(times) < repeats or (time.perf_counter() - t_start < min_time and len(times) < 50):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def per_call(fn, target=0.2, repeats=5):
    """Median time of one call of a fast function, from loops of about ``target`` seconds."""
    fn()
    t0 = time.perf_counter()
    k = 0
    while time.perf_counter() - t0 < 0.02:
        fn()
        k += 1
    loops = max(1, int(k * target / 0.02))
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(loops):
            fn()
        out.append((time.perf_counter() - t0) / loops)
    return float(np.median(out))


# ----------------------------------------------------------------------------- the codes
def ours_batch(n, d, wl, angles, pols, threads):
    from cavity import spectrum_arrays

    if sorted(pols) == ["p", "s"]:
        # s and p in one kernel pass (the same work as tmm-faster's calc_coherent)
        def run():
            spectrum_arrays(n, d, wl, angles, "both", threads=threads)

        return run

    def run():
        for pol in pols:
            spectrum_arrays(n, d, wl, angles, pol, threads=threads)

    return run


def tmm_points(n, d, wl, angles_deg, pols, points):
    """``tmm.coh_tmm`` over the given (design, angle, wavelength, pol) points (Python loop)."""
    import tmm

    def run():
        for (i, a, w, pol) in points:
            dl = [np.inf] + list(d[i, 1:-1]) + [np.inf]
            tmm.coh_tmm(pol, list(n[i, :, w]), dl, np.deg2rad(angles_deg[a]), wl[w])

    return run


def tmmf_run(n, d, wl, angles_deg, designs):
    """tmm-faster ``calc_coherent`` (always s and p); a Python loop over designs."""
    import tmm_faster

    nm = [np.ascontiguousarray(n[i].T) for i in designs]
    dl = [[np.inf] + list(d[i, 1:-1]) + [np.inf] for i in designs]
    ang = np.asarray(angles_deg, dtype=float)

    def run():
        for k in range(len(designs)):
            tmm_faster.calc_coherent(nm[k], dl[k], ang, wl)

    return run


def moosh_structure(layers, seed):
    """The same stack for PyMoosh: one permittivity function per medium (nm), vectorised."""
    import PyMoosh as pm

    a, b, d = stack_coefficients(layers, seed)
    mats = [(lambda w, a=a[m], b=b[m]: (a + b * (600.0 / np.asarray(w, dtype=float)) ** 2) ** 2) for m in range(len(a))]
    return pm.Structure(mats, list(range(len(a))), [0.0] + list(d[1:-1]) + [0.0], verbose=False)


def moosh_run(n, d, wl, angles_deg, pols, designs):
    """PyMoosh ``spectrum_S_list`` (vectorised over wavelengths); Python loops over designs,
    angles and polarizations; the Structure is built inside the loop (one per design)."""
    from PyMoosh.vectorized import spectrum_S_list

    def run():
        for i in designs:
            st = moosh_structure(n.shape[1] - 2, i)
            for a in angles_deg:
                for pol in pols:
                    spectrum_S_list(st, np.deg2rad(a), 0 if pol == "s" else 1, wl.copy())

    return run


# ----------------------------------------------------------------------------- checks
def check_case(n, d, wl, angles_deg, pols, rng, npts=6):
    """R, T of every code against ``tmm.coh_tmm`` at random points (rtol 1e-10 for us, 1e-7 peers)."""
    import tmm
    import tmm_faster
    from PyMoosh.vectorized import spectrum_S_list

    from cavity import spectrum_arrays

    D = n.shape[0]
    for _ in range(npts):
        i = int(rng.integers(D))
        a = int(rng.integers(len(angles_deg)))
        w = int(rng.integers(len(wl)))
        for pol in pols:
            dl = [np.inf] + list(d[i, 1:-1]) + [np.inf]
            ref = tmm.coh_tmm(pol, list(n[i, :, w]), dl, np.deg2rad(angles_deg[a]), wl[w])
            ours = spectrum_arrays(n[i], d[i], wl, angles_deg[a], pol, threads=1)
            assert abs(ours["r"][0, 0, w] - ref["r"]) <= 1e-10 * max(1.0, abs(ref["r"])), \
                ("qdcavity r", ours["r"][0, 0, w], ref["r"])
            assert abs(ours["T"][0, 0, w] - ref["T"]) <= 1e-10 * max(1.0, ref["T"]), ("qdcavity T", ours["T"][0, 0, w], ref["T"])
            tf = tmm_faster.calc_coherent(np.ascontiguousarray(n[i].T), dl, np.array([angles_deg[a]]), wl)
            for key, val in (("R", tf["R_" + pol][w, 0]), ("T", tf["T_" + pol][w, 0])):
                assert abs(val - ref[key]) <= 1e-7 * max(1.0, ref[key]), ("tmm-faster", key, val, ref[key])
            st = moosh_structure(n.shape[1] - 2, i)
            _, _, Rm, Tm = spectrum_S_list(st, np.deg2rad(angles_deg[a]), 0 if pol == "s" else 1, wl.copy())
            for key, val in (("R", float(np.ravel(Rm)[w])), ("T", float(np.ravel(Tm)[w]))):
                assert abs(val - ref[key]) <= 1e-7 * max(1.0, ref[key]), ("PyMoosh", key, val, ref[key])


# ----------------------------------------------------------------------------- worker
def worker(sizes, single, repeats, part):
    """Time every case in this process; return a JSON-able dict of seconds.

    ``part`` is "ours" (qdcavity only: no peer is imported, so no OpenMP/BLAS threads of a peer
    spin on the cores while our threads run) or "peers" (the checks against tmm, then the peers).
    """
    ours_part = part == "ours"
    import cavity
    from cavity import lowlevel as K

    threads = 1 if single else None
    rng = np.random.default_rng(1)
    res = {}
    if not single and ours_part:
        # compile the threaded kernels first: with an empty cache the default path runs the serial
        # kernel on Python threads until the parallel one is compiled (cavity/_jit.py)
        wn, wd, wwl = make_stack(4, 8, seed=0)
        for pol in ("s", "both"):
            cavity.spectrum_arrays(wn, wd, wwl, [0.0], pol, threads=2)

    def batch_case(key, D, layers, W, angles, pols, tmm_sub, tmmf_designs, moosh_designs):
        base_n, base_d, wl = make_stack(layers, W, seed=0)
        n = np.empty((D,) + base_n.shape, np.complex128)
        d = np.empty((D,) + base_d.shape)
        for i in range(D):
            ni, di, _ = make_stack(layers, W, seed=i)
            n[i], d[i] = ni, di
        work = D * len(angles) * W * (layers + 1) * len(pols)
        row = {"work": work}
        if ours_part:
            row["ours"] = median_time(ours_batch(n if D > 1 else n[0], d if D > 1 else d[0], wl, angles, pols, threads),
                                      repeats, min_time=1.0)
            if key == "a":  # the public call on a Stack of tabulated materials (the same indices, k >= 0)
                from materials.tabulated import Tabulated

                mats = [Tabulated(wl, n[0, m].real, np.maximum(n[0, m].imag, 0.0), name=f"m{m}") for m in range(n.shape[1])]
                stack = cavity.Stack([cavity.Layer(mats[m], d[0, m]) for m in range(1, n.shape[1] - 1)],
                                     incident=mats[0], substrate=mats[-1])
                passive = np.asarray(stack.indices(wl))
                row["ours_arrays_passive"] = median_time(
                    lambda: cavity.spectrum_arrays(passive, d[0], wl, threads=threads), repeats, min_time=1.0)
                row["ours_api"] = median_time(lambda: cavity.spectrum(stack, wl, threads=threads), repeats, min_time=1.0)
            res[key] = row
            return
        check_case(n, d, wl, angles, pols, rng)
        # tmm: a subset of points, scaled linearly to the full case
        pts_all = D * len(angles) * W * len(pols)
        sub = []
        for k in range(tmm_sub):
            idx = (k * 7919) % pts_all
            i, rem = divmod(idx, len(angles) * W * len(pols))
            a, rem = divmod(rem, W * len(pols))
            w, p = divmod(rem, len(pols))
            sub.append((i, a, w, pols[p]))
        t = median_time(tmm_points(n, d, wl, angles, pols, sub), 3)
        row["tmm"] = t * pts_all / len(sub)
        row["tmm_note"] = "loop" + ("" if len(sub) == pts_all else f", {len(sub)}/{pts_all} pts extrap.")
        # tmm-faster: always s and p in one call; designs looped in Python
        t = median_time(tmmf_run(n, d, wl, angles, tmmf_designs), repeats)
        row["tmmf"] = t * D / len(tmmf_designs)
        row["tmmf_note"] = ("designs looped" if D > 1 else "") + (
            f", {len(tmmf_designs)}/{D} designs extrap." if len(tmmf_designs) < D else "")
        # PyMoosh: vectorised over wavelengths only
        t = median_time(moosh_run(n, d, wl, angles, pols, moosh_designs), max(1, repeats // 2))
        row["moosh"] = t * D / len(moosh_designs)
        row["moosh_note"] = ("angles looped" if len(angles) > 1 else "") + (" designs looped" if D > 1 else "") + (
            f", {len(moosh_designs)}/{D} designs extrap." if len(moosh_designs) < D else "")
        res[key] = row

    a_l, a_w = sizes["a"]
    batch_case("a", 1, a_l, a_w, [0.0], ["s"], a_w, [0], [0])
    b_l, b_w = sizes["b"]
    batch_case("b", 1, b_l, b_w, [0.0], ["s"], max(20, b_w // 50), [0], [0])
    c_l, c_a, c_w = sizes["c"]
    angles = list(np.linspace(0.0, 80.0, c_a))
    batch_case("c", 1, c_l, c_w, angles, ["s", "p"], max(40, c_a * c_w // 200), [0], [0])
    e_d, e_l, e_w = sizes["e"]
    batch_case("e", e_d, e_l, e_w, [0.0], ["s"], max(40, e_w // 2), list(range(e_d)), list(range(max(1, e_d // 10))))

    # (d) one wavelength, 10 layers
    from materials.base import Constant

    nd, dd, wl = make_stack(sizes["d"], 1, seed=3)
    col = np.ascontiguousarray(nd[:, 0])
    lam = float(wl[0])
    layers = [cavity.Layer(Constant(col[m].real, col[m].imag if col[m].imag > 0 else 0.0), dd[m])
              for m in range(1, len(col) - 1)]
    stack = cavity.Stack.of(*layers, incident=Constant(1.0), substrate=Constant(1.52))
    row = {"work": len(col) - 1}
    if ours_part:
        row["ours"] = per_call(lambda: K.rt_single(col, dd, lam, 0.0, 0))
        row["ours_api"] = per_call(lambda: cavity.spectrum(stack, lam, threads=threads))
        res["d"] = row
        return res
    import tmm
    import tmm_faster
    from PyMoosh.core import coefficient_S

    ref = tmm.coh_tmm("s", [complex(x) for x in col], [np.inf] + list(dd[1:-1]) + [np.inf], 0.0, lam)
    r, _ = K.rt_single(col, dd, lam, 0.0, 0)
    assert abs(r - ref["r"]) < 1e-10
    passive = [complex(x.real, max(x.imag, 0.0)) for x in col]  # Constant() takes k >= 0 (no gain flag here)
    ref_p = tmm.coh_tmm("s", passive, [np.inf] + list(dd[1:-1]) + [np.inf], 0.0, lam)
    assert abs(cavity.spectrum(stack, lam).R - ref_p["R"]) < 1e-10
    nl = [complex(x) for x in col]
    dl = [np.inf] + list(dd[1:-1]) + [np.inf]
    row["tmm"] = per_call(lambda: tmm.coh_tmm("s", nl, dl, 0.0, lam))
    nmat = np.ascontiguousarray(nd.T)
    one_angle = np.array([0.0])
    row["tmmf"] = per_call(lambda: tmm_faster.calc_coherent(nmat, dl, one_angle, wl))
    st = moosh_structure(sizes["d"], 3)
    row["moosh"] = per_call(lambda: coefficient_S(st, lam, 0.0, 0))
    row["tmm_note"] = ""
    row["tmmf_note"] = "calc_coherent, 1 point, s and p"
    row["moosh_note"] = ""
    res["d"] = row
    return res


# ----------------------------------------------------------------------------- start-up
STARTUP = r"""
import time
t0 = time.perf_counter()
import numpy as np
import cavity
from materials.base import Constant
stack = cavity.Stack.of(*[cavity.Layer(Constant(2.3 if i % 2 else 1.46), 80.0) for i in range(10)],
                        substrate=Constant(1.52))
cavity.spectrum(stack, np.linspace(450.0, 850.0, 200))
print(time.perf_counter() - t0)
"""


def _run_startup(env):
    proc = subprocess.run([sys.executable, "-c", STARTUP], env=env, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit("start-up measurement failed")
    return float(proc.stdout.split()[-1])


def startup_times(quick):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env["NUMBA_CACHE_DIR"] = cache
        cold = []
        for _ in range(1 if quick else 2):
            for p in Path(cache).glob("**/*"):
                if p.is_file():
                    p.unlink()
            cold.append(_run_startup(env))
        warm = [_run_startup(env) for _ in range(3 if quick else 5)]
    out["cold"] = float(np.median(cold))
    out["cached"] = float(np.median(warm))
    return out


# ----------------------------------------------------------------------------- report
def machine_info():
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numba

    vers = {}
    for mod in ("numpy", "tmm", "tmm_faster", "PyMoosh", "llvmlite"):
        try:
            from importlib.metadata import version

            vers[mod] = version({"tmm_faster": "tmm-faster", "PyMoosh": "pymoosh"}.get(mod, mod))
        except Exception:  # noqa: BLE001 - informational only
            vers[mod] = "?"
    import llvmlite.binding as llb

    return (f"CPU: {cpu}; logical cores: {os.cpu_count()}; Python {platform.python_version()}; "
            f"numba {numba.__version__} (llvmlite {vers['llvmlite']}, SVML {'on' if llb.config.has_svml else 'off'}); "
            f"numpy {vers['numpy']}; tmm {vers['tmm']}; tmm-faster {vers['tmm_faster']}; PyMoosh {vers['PyMoosh']}")


def fmt_t(t):
    if t >= 1.0:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.1f} ms"
    return f"{t * 1e6:.2f} us"


def table(title, res):
    lines = [f"### {title}", "",
             "| case | qdcavity | ns per layer-wl (x angle x pol x design) | tmm | tmm-faster | PyMoosh |",
             "|---|---|---|---|---|---|"]
    labels = {"a": "(a) 40 L x 1000 wl", "b": "(b) 200 L x 10000 wl", "c": "(c) 40 L x 100 ang x 1000 wl, s+p",
              "d": "(d) 1 wl, 10 L", "e": "(e) 100 designs x 40 L x 1000 wl"}
    for key in "abcde":
        row = res[key]
        ours = row["ours"]

        def cell(peer):
            note = row.get(peer + "_note", "")
            return f"{fmt_t(row[peer])} ({row[peer] / ours:.0f}x)" + (f" [{note.strip(', ')}]" if note.strip(", ") else "")

        if key == "d":
            first = f"rt_single {fmt_t(ours)}; spectrum {fmt_t(row['ours_api'])}"
            npl = "-"
        elif key == "a":
            first = (f"{fmt_t(ours)}; spectrum(stack) {fmt_t(row['ours_api'])} = "
                     f"{row['ours_api'] / row['ours_arrays_passive']:.2f}x its arrays call")
            npl = f"{ours / row['work'] * 1e9:.2f}"
        else:
            first = fmt_t(ours)
            npl = f"{ours / row['work'] * 1e9:.2f}"
        lines.append(f"| {labels[key]} | {first} | {npl} | {cell('tmm')} | {cell('tmmf')} | {cell('moosh')} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, few repeats, no cold start-up (smoke run)")
    ap.add_argument("--worker", choices=["single", "default"], help=argparse.SUPPRESS)
    ap.add_argument("--part", choices=["ours", "peers"], help=argparse.SUPPRESS)
    ap.add_argument("--skip-startup", action="store_true", help="do not measure start-up times")
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    repeats = 2 if args.quick else 7
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(worker(sizes, args.worker == "single", repeats, args.part)))
        return
    cmd = "python " + " ".join(shlex.quote(a) for a in ["benchmarks/bench_tmm.py"] + sys.argv[1:])
    print(f"command: {cmd}")
    print(machine_info(), flush=True)
    results = {}
    for mode in ("single", "default"):
        env = dict(os.environ)
        if mode == "single":
            env.update(ONE_THREAD)
        merged = {}
        for part in ("peers", "ours"):  # peers first: their checks against tmm gate the timing
            proc = subprocess.run([sys.executable, __file__, "--worker", mode, "--part", part]
                                  + (["--quick"] if args.quick else []), env=env, capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr)
                raise SystemExit(f"benchmark worker ({mode}, {part}) failed")
            for key, row in json.loads(proc.stdout.strip().splitlines()[-1]).items():
                merged.setdefault(key, {}).update(row)
        results[mode] = merged
    if args.quick:
        print("(--quick: tiny sizes; the labels name the full sizes)")
    print()
    print(table("Single-threaded (NUMBA/OMP/MKL/OPENBLAS threads = 1; threads=1)", results["single"]))
    print()
    print(table(f"Default threads ({os.cpu_count()} cores; threads=None)", results["default"]))
    print()
    print("Ratios are peer time / qdcavity time in the same column.  tmm-faster always computes s and p\n"
          "(its only API); in (a), (b), (e) qdcavity computes one polarization.  'looped' = no batching in\n"
          "that code, looped in Python; 'extrap.' = a subset timed and scaled linearly to the full case.")
    if not args.skip_startup:
        st = startup_times(args.quick)
        print()
        print("### Start-up: import + first spectrum (10 layers x 200 wl) in a fresh interpreter")
        print()
        print(f"- cold (empty NUMBA_CACHE_DIR, compiles): {st['cold']:.1f} s")
        print(f"- cached (warm NUMBA_CACHE_DIR): {st['cached']:.2f} s")


if __name__ == "__main__":
    main()

"""Timings of dipole emission (after compilation), medians of repeats.

    NUMBA_NUM_THREADS=1 python benchmarks/bench_emission.py [--repeats 7]

(the script sets ``NUMBA_NUM_THREADS=1`` itself when the environment does not set it; the
emission kernels are serial anyway.)

(a) ``cavity.dipole_emission``, one wavelength and one orientation (vertical, horizontal,
    isotropic = all three components in one pass), on the vertical cavity of the README tour
    (39 layers, Q ~ 8000, QD film on the antinode) and on the seed LED stack (glass | ITO | TCTA |
    QD | ZnO | Al | air, lossy ITO and Al): time, integrand evaluations, time per evaluation.
(b) ``cavity.film_emission``: the QD film of each (5 positions x 19 wavelengths, isotropic).
(c) ``cavity.spontaneous_coupling`` (beta of the lasing mode, defaults) on the README cavity.
(d) A brute-force way in the same run: the same Green's-function integral evaluated with numpy
    (vectorised Rouard recursion over a fixed Gauss-Legendre grid of in-plane wavevectors on the
    same contour: real axis in the radiative range, half ellipse below the axis beyond it, a real
    tail), the grid doubled until the Purcell factor agrees with dipole_emission (and with the
    previous grid) to 1e-6; the time of one evaluation on that grid (the total only: no power
    split, no flux, and the grid search itself not counted).  No open transfer-matrix
    library (tmm, tmm-fast, PyMoosh, ...) ships dipole emission, so there is no peer to time.
"""
from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy.special import roots_legendre  # noqa: E402

import cavity as cv  # noqa: E402
import materials as mt  # noqa: E402
from cavity.optics.emission import dipole_emission, film_emission, spontaneous_coupling  # noqa: E402

LAM0 = 630.0
EMISSION_WL = np.linspace(585.0, 675.0, 19)


def gauss625(lam):
    return math.exp(-0.5 * ((lam - 625.0) / 12.0) ** 2)


def readme_cavity() -> cv.Stack:
    H, L = mt.get("TiO2"), mt.get("SiO2")
    core = [cv.Layer(L, 100.0), cv.Layer(mt.get("CdSe QD film"), 20.0, gain=True, name="QD film"),
            cv.Layer(L, 100.0)]
    dev = cv.microcavity(core, cv.dbr(L, H, 8, LAM0), cv.dbr(H, L, 10, LAM0),
                         incident=mt.get("air"), substrate=mt.get("borosilicate glass"))
    return cv.place_on_antinode(dev, 17, 16, 18, LAM0)


def timed(fn, repeats):
    out = fn()
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


# ----------------------------------------------------------------------------- brute force (numpy)
def brute_force_purcell(stack, layer, wl, z, orientation, npts):
    """P/P0 on a fixed grid of npts Gauss-Legendre points per path piece (numpy only)."""
    n = stack.indices(wl)[:, 0].astype(complex)
    d = np.asarray(stack.padded_thicknesses(), dtype=float)
    L = layer + 1
    nL = n[L].real
    k0 = 2 * np.pi / wl
    zt, zb = z, stack.layers[layer].thickness - z

    def refl(u, side, pol):
        kx2 = (u * nL) ** 2
        q = np.sqrt(n[:, None] ** 2 - kx2[None, :])
        q = np.where((q.real + q.imag) < 0, -q, q)
        y = q if pol == "s" else q / (n[:, None] ** 2)
        idx = list(range(0, L)) if side == "t" else list(range(len(n) - 1, L, -1))
        gam = np.zeros(u.shape, complex)
        for k, j in enumerate(idx[1:] + [L]):
            prev = idx[k]
            h = gam * np.exp(2j * q[prev] * k0 * d[prev]) if k > 0 else 0.0
            dif, tot = y[j] - y[prev], y[j] + y[prev]
            gam = (dif + tot * h) / (tot + dif * h)
        return gam, q[L]

    def f(u):
        out = np.zeros(u.shape, complex)
        wv, wh = {"vertical": (1, 0), "horizontal": (0, 1), "isotropic": (1 / 3, 2 / 3)}[orientation]
        for pol in ("s", "p"):
            rt, qL = refl(u, "t", pol)
            rb, _ = refl(u, "b", pol)
            w = qL / nL
            at, ab = rt * np.exp(2j * qL * k0 * zt), rb * np.exp(2j * qL * k0 * zb)
            den = 1 - at * ab
            if pol == "s":
                out += wh * 0.75 * u / w * (1 + at) * (1 + ab) / den
            else:
                out += wv * 1.5 * u ** 3 / w * (1 + at) * (1 + ab) / den
                out += wh * 0.75 * u * w * (1 - at) * (1 - ab) / den
        return out

    x, gw = roots_legendre(npts)
    t = 0.5 * (x + 1)
    gw = 0.5 * gw
    u_rad = max(n[0].real, n[-1].real) / nL if n[0].imag == 0 or n[-1].imag == 0 else 0.0
    u_max = 1.2 * max(np.max(n.real) / nL, 1.0, u_rad) + 2.0
    total = 0.0
    # real axis [0, u_rad], split at the outer light lines, cos mapping
    bps = sorted({0.0, u_rad, *[m.real / nL for m in (n[0], n[-1]) if m.imag == 0 and m.real / nL <= u_rad]})
    for a, b in zip(bps[:-1], bps[1:]):
        u = a + (b - a) * 0.5 * (1 - np.cos(np.pi * t))
        du = (b - a) * 0.5 * np.pi * np.sin(np.pi * t)
        total += np.sum(gw * (f(u + 0j) * du).real)
    # half ellipse below the axis [u_rad, u_max]
    th = 0.5 * np.pi * (1 - np.cos(np.pi * t))
    dth = 0.5 * np.pi ** 2 * np.sin(np.pi * t)
    c, r, h = 0.5 * (u_rad + u_max), 0.5 * (u_max - u_rad), 0.5 * (u_max - u_rad)
    u = c - r * np.cos(th) - 1j * h * np.sin(th)
    du = (r * np.sin(th) - 1j * h * np.cos(th)) * dth
    total += np.sum(gw * (f(u) * du).real)
    # real tail
    hs = 1 / (2 * k0 * nL * min(zt, zb))
    tt = t[t < 1]
    u = u_max + hs * tt / (1 - tt)
    total += np.sum(gw[t < 1] * (f(u + 0j) * hs / (1 - tt) ** 2).real)
    return float(total)


def brute_force(stack, layer, wl, z, orientation, target, repeats):
    """The smallest doubled grid (from 64 points per path piece) that agrees with ``target`` and
    with the previous grid to 1e-6, and the time of one evaluation on that grid."""
    npts = 64
    prev = None
    while npts <= 2 ** 16:
        val = brute_force_purcell(stack, layer, wl, z, orientation, npts)
        if abs(val - target) <= 1e-6 * abs(target) and prev is not None and abs(val - prev) <= 1e-6 * abs(target):
            break
        prev = val
        npts *= 2
    t, val = timed(lambda: brute_force_purcell(stack, layer, wl, z, orientation, npts), repeats)
    return t, npts, val


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    rep = args.repeats
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.processor() or platform.machine()}, "
          f"NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS')}")
    cav = readme_cavity()
    led = cv.seed_led_stack()
    qd_cav = [lay.label for lay in cav.layers].index("QD film")
    qd_led = [lay.label for lay in led.layers].index("QD film")
    cases = [("README cavity", cav, qd_cav, 10.0), ("seed LED stack", led, qd_led, 10.0)]

    print("\n(a) dipole_emission, one wavelength (630 nm) and one orientation")
    print("| stack | layers | orientation | time | evaluations | us / evaluation | Purcell |")
    print("|---|---|---|---|---|---|---|")
    results = {}
    for name, st, L, z in cases:
        for o in ("vertical", "horizontal", "isotropic"):
            t, r = timed(lambda: dipole_emission(st, L, LAM0, position=z, orientation=o), rep)
            results[(name, o)] = (t, r)
            print(f"| {name} | {len(st.layers)} | {o} | {t * 1e3:.2f} ms | {r.evaluations} | "
                  f"{t / r.evaluations * 1e6:.2f} | {r.purcell_factor:.6f} |")

    print("\n(b) film_emission: 5 positions x 19 wavelengths (585-675 nm, Gaussian 625 nm), isotropic")
    print("| stack | time | per dipole | extraction | guided | plasmon | absorbed |")
    print("|---|---|---|---|---|---|---|")
    for name, st, L, _ in cases:
        t, f = timed(lambda: film_emission(st, L, EMISSION_WL, spectrum=gauss625), max(1, rep // 3))
        print(f"| {name} | {t:.3f} s | {t / 95 * 1e3:.2f} ms | {f.extraction_efficiency:.4f} | "
              f"{f.guided_fraction:.4f} | {f.plasmon_fraction:.4f} | {f.absorbed_fraction:.4f} |")

    print("\n(c) spontaneous_coupling (beta of the lasing mode, defaults: 5 positions, 5 linewidth points, "
          "2001 kappa points, the film over 19 wavelengths)")
    th = cv.lasing_threshold(cav, near=LAM0)
    t, sc = timed(lambda: spontaneous_coupling(cav, th, EMISSION_WL, spectrum=gauss625), max(1, rep // 3))
    print(f"| README cavity (Q = {th.passive.Q:.0f}) | {t:.3f} s | beta = {sc.beta:.3g} | "
          f"Purcell = {sc.purcell_factor:.4f} |")

    print("\n(d) brute force (numpy, fixed grids doubled until 1e-6 agreement with dipole_emission), same run")
    print("| stack | orientation | dipole_emission | brute force | grid points per path piece | ratio |")
    print("|---|---|---|---|---|---|")
    for name, st, L, z in cases:
        for o in ("vertical", "isotropic"):
            t_ref, r = results[(name, o)]
            t_bf, npts, val = brute_force(st, L, LAM0, z, o, r.purcell_factor, max(1, rep // 3))
            print(f"| {name} | {o} | {t_ref * 1e3:.2f} ms | {t_bf * 1e3:.1f} ms | {npts} "
                  f"(|dF| = {abs(val - r.purcell_factor):.1e}) | {t_bf / t_ref:.0f}x |")
    print("\nNo open TMM library (tmm, tmm-fast, PyMoosh) ships dipole emission: no peer to time.")


if __name__ == "__main__":
    main()

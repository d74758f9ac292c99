"""The package's complete mode search against the independent brute-force reference.

``cv.threshold_modes``, ``cv.resonances``, ``cv.lasing_threshold`` and ``cv.dfb_threshold`` must
return the same SET of modes (count and values) as :mod:`reference.modes` (numpy + scipy only,
validated in ``test_reference_modes.py``): every mode of the window, wavelengths to ~1e-6 and
gains to ~1e-5 relative, ``count == len(modes)`` and ``complete``.  Cases: seeded random vertical
cavities (DBR / spacer / QD gain layer / spacer / DBR, constant and dispersive materials, normal and
oblique incidence), layered gratings (uniform, quarter-wave shifted, gain-coupled; index-matched
and in air, including the 1500-layer grating of the issue, checked against Kogelnik-Shank too) and
effective-index DFB gratings of order 1 and 2, whose 1D layout is rebuilt here from the sections'
data (``res.sections``).

Grid density of the reference, from the physics: 8 points per longitudinal mode spacing
``lambda^2 / (2 sum n_j d_j)`` of the whole structure and a gain step of at most ``gmax / 40``
and of the gain that changes the single-pass growth ``exp(g sum w_j d_j / 2)`` by ``exp(0.25)``
(the reference's own tests show that a 3x finer grid finds the same set).
"""
import functools
import math

import numpy as np
import pytest
from scipy.interpolate import CubicSpline

import cavity as cv
import materials as mt
from reference import modes as R

REL_LAM = 1e-6
REL_G = 1e-5
EDGE = 1e-4  # relative band at the window's edges where a mode may be on either side


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------
def to_planar(stack, angle=0.0, pol="s"):
    """The reference structure of a ``cv.Stack`` (its layers and materials as plain data)."""
    n = [lay.material.n for lay in stack.layers]
    d = [lay.thickness for lay in stack.layers]
    w = [1.0 if lay.gain else 0.0 for lay in stack.layers]
    return R.planar(stack.incident.n, stack.substrate.n, n, d, w, sin_t=math.sin(math.radians(angle)), pol=pol)


def reference_thresholds(st, lo, hi, gmax):
    """Reference modes over the window widened by EDGE, as (lambda, g) rows."""
    a, b, top = lo * (1 - EDGE), hi * (1 + EDGE), gmax * (1 + EDGE)
    spacing = R.mode_spacing(st, a)
    ref = R.threshold_modes(st, a, b, top, dlam=spacing / 8, dg=R.gain_step(st, top))
    return np.column_stack([ref.wavelength, ref.gain])


def assert_same_thresholds(pkg_modes, ref, lo, hi, gmax, *, inner_lo=None, inner_hi=None):
    """Every package mode is a reference mode and every reference mode well inside the window
    (``inner_lo <= lambda <= inner_hi``, default: EDGE inside ``lo, hi``; ``g <= gmax (1 - EDGE)``)
    is a package mode.  Returns how many modes the window must hold (None when a reference mode
    lies in the band where it may be on either side of the window's edge)."""
    pkg = np.array([(m.wavelength, m.material_gain) for m in pkg_modes]).reshape(-1, 2)
    a = lo * (1 + EDGE) if inner_lo is None else inner_lo
    b = hi * (1 - EDGE) if inner_hi is None else inner_hi
    inner = (ref[:, 0] >= a) & (ref[:, 0] <= b) & (ref[:, 1] <= gmax * (1 - EDGE))
    outside = (ref[:, 0] < lo * (1 - EDGE)) | (ref[:, 0] > hi * (1 + EDGE)) | (ref[:, 1] > gmax * (1 + EDGE))
    used = np.zeros(len(ref), bool)
    for lam, g in pkg:
        assert lo <= lam <= hi and 0 < g <= gmax, f"package mode ({lam}, {g}) outside the window"
        hit = np.nonzero((np.abs(ref[:, 0] - lam) <= REL_LAM * lam) & (np.abs(ref[:, 1] - g) <= REL_G * g))[0]
        assert hit.size == 1, (f"package mode ({lam:.9f} nm, {g:.8g} cm^-1) is not a reference mode; "
                               f"nearest {ref[np.argmin(np.abs(ref[:, 0] - lam))] if len(ref) else None}")
        assert not used[hit[0]], f"package mode ({lam}, {g}) returned twice"
        used[hit[0]] = True
    missing = ref[inner & ~used]
    assert missing.size == 0, f"the package misses reference modes {missing.tolist()}"
    return int(inner.sum()) if np.all(inner | outside) else None


def assert_counted(res, n_ref):
    """count == len(modes) (== what the reference finds, unless a mode sits on the window's edge)
    and the search says it is complete."""
    assert res.count == len(res.modes)
    if n_ref is not None:
        assert len(res.modes) == n_ref
    assert res.complete is True


def layered_stack(n_a, n_b, lam0, periods, *, w_a=True, w_b=True, n_out=1.5, shift=False):
    """The package's stack of :func:`reference.modes.layered_grating` (same numbers, cv.Layer)."""
    A = cv.Layer(mt.Constant(n_a), lam0 / (4 * n_a), gain=w_a)
    B = cv.Layer(mt.Constant(n_b), lam0 / (4 * n_b), gain=w_b)
    layers = [A, B] * (periods // 2) + [B, A] * (periods // 2) if shift else [A, B] * periods
    out = mt.Constant(n_out)
    return cv.Stack(layers, incident=out, substrate=out)


# ------------------------------------------------------------------------------------------------
# (a) seeded random vertical cavities
# ------------------------------------------------------------------------------------------------
def random_cavity(seed):
    rng = np.random.default_rng(seed)
    lam0 = float(rng.uniform(600.0, 660.0))
    high = [mt.Constant(float(rng.uniform(2.2, 2.5)), name="H"), mt.get("Si3N4"), mt.get("HfO2 (Al-Kuhaili)")][seed % 3]
    low = [mt.Constant(float(rng.uniform(1.38, 1.5)), name="L"), mt.get("SiO2")][seed % 2]
    qd = mt.Constant(float(rng.uniform(1.75, 1.95)), float(rng.uniform(0.0, 0.01)), name="QD")
    d_qd = float(rng.uniform(10.0, 40.0))
    n_low = complex(low.n(lam0)).real
    cav = int(rng.integers(1, 3)) * lam0 / (2 * n_low) - d_qd
    s1 = float(rng.uniform(0.2, 0.8)) * cav
    core = [cv.Layer(low, s1), cv.Layer(qd, d_qd, gain=True), cv.Layer(low, cav - s1)]
    top = cv.dbr(high, low, int(rng.integers(5, 9)), lam0)
    bottom = cv.dbr(low, high, int(rng.integers(6, 11)), lam0)
    substrate = [mt.get("borosilicate glass"), mt.Constant(1.52)][(seed // 2) % 2]
    stack = cv.microcavity(core, top, bottom, incident=mt.get("air"), substrate=substrate)
    angle, pol = [(0.0, "s"), (0.0, "s"), (25.0, "p"), (40.0, "s")][seed % 4]
    return stack, lam0, angle, pol


SEEDS = [0, 1, 2, 3, 4, 7]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_vertical_cavity_threshold_modes(seed):
    stack, lam0, angle, pol = random_cavity(seed)
    lo, hi, gmax = lam0 - 80.0, lam0 + 80.0, 3e5
    ref = reference_thresholds(to_planar(stack, angle, pol), lo, hi, gmax)
    assert len(ref) >= 1
    res = cv.threshold_modes(stack, (lo, hi), angle=angle, polarization=pol, max_gain=gmax)
    assert_counted(res, assert_same_thresholds(res.modes, ref, lo, hi, gmax))
    assert [m.material_gain for m in res.modes] == sorted(m.material_gain for m in res.modes)


def test_a_pole_that_crosses_the_real_axis_twice_gives_two_thresholds():
    """Random cavity 44: the passive pole near 537 + 5.7i nm enters the growing half-plane at
    g = 2.08e5 cm^-1 (531.96 nm) and leaves it again at 2.46e5 cm^-1 (529.96 nm).  The two zeros of
    D have Jacobians of opposite sign, so a signed winding number over a region holding both is 0:
    the search must not drop such a region (the first zero is a genuine lasing threshold)."""
    stack, lam0, angle, pol = random_cavity(44)
    lo, hi, gmax = lam0 - 80.0, lam0 + 80.0, 3e5
    st = to_planar(stack, angle, pol)
    ref = reference_thresholds(st, lo, hi, gmax)
    signs = []
    for lam, g in ref:  # Jacobian sign of (Re D, Im D) with respect to (lambda, g), central differences
        d_lam = (R.characteristic(st, lam + 1e-6, g) - R.characteristic(st, lam - 1e-6, g)) / 2e-6
        d_g = (R.characteristic(st, lam, g + 1e-2) - R.characteristic(st, lam, g - 1e-2)) / 2e-2
        signs.append(int(np.sign(d_lam.real * d_g.imag - d_lam.imag * d_g.real)))
    assert sorted(signs) == [-1, 1, 1]
    res = cv.threshold_modes(stack, (lo, hi), angle=angle, polarization=pol, max_gain=gmax)
    assert_counted(res, assert_same_thresholds(res.modes, ref, lo, hi, gmax))
    assert len(res.modes) == 3


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_random_vertical_cavity_resonances(seed):
    """Passive poles with Q >= 5 (off normal incidence at the fixed real in-plane wavenumber of
    the resonance, the package's documented convention)."""
    stack, lam0, angle, pol = random_cavity(seed)
    lo, hi, q_min = lam0 - 80.0, lam0 + 80.0, 5.0
    st = to_planar(stack, angle, pol)
    poles = R.passive_poles(st, lo * (1 - EDGE), hi * (1 + EDGE), hi / (2 * q_min) * 1.05,
                            dlam=R.mode_spacing(st, lo) / 8, fixed_beta=angle > 0)
    ref = poles.wavelength
    assert len(ref) >= 1
    res = cv.resonances(stack, (lo, hi), angle=angle, polarization=pol, min_Q=q_min)
    q_ref = ref.real / (2 * ref.imag)
    inner = (ref.real >= lo * (1 + EDGE)) & (ref.real <= hi * (1 - EDGE)) & (q_ref >= q_min * 1.01)
    optional = ~inner & (ref.real >= lo * (1 - EDGE)) & (ref.real <= hi * (1 + EDGE)) & (q_ref >= q_min * 0.99)
    used = np.zeros(ref.size, bool)
    for r in res:
        z = r.complex_wavelength
        hit = np.nonzero((np.abs(ref.real - z.real) <= 1e-7 * z.real) & (np.abs(ref.imag - z.imag) <= 1e-5 * z.imag))[0]
        assert hit.size == 1 and (inner | optional)[hit[0]], f"resonance {z} is not a reference pole"
        used[hit[0]] = True
    assert not (inner & ~used).any(), f"missed reference poles {ref[inner & ~used]}"
    assert res.complete is True
    if not optional.any():
        assert res.count == len(res) == inner.sum()


def test_lasing_threshold_returns_the_reference_mode_nearest_near():
    stack, lam0, angle, pol = random_cavity(0)
    lo, hi = lam0 - 80.0, lam0 + 80.0
    ref = reference_thresholds(to_planar(stack, angle, pol), lo, hi, 3e5)
    target = ref[np.argmin(ref[:, 1])]
    th = cv.lasing_threshold(stack, near=target[0] + 0.3, max_gain=3e5)
    assert th.wavelength == pytest.approx(target[0], rel=REL_LAM)
    assert th.material_gain == pytest.approx(target[1], rel=REL_G)


# ------------------------------------------------------------------------------------------------
# (b) layered gratings, including the issue's 1500-layer grating
# ------------------------------------------------------------------------------------------------
ISSUE = dict(n_a=1.499, n_b=1.501, lam0=1000.0, periods=750)


def test_issue_grating_index_matched_two_band_edge_modes_of_kogelnik_shank():
    """1500 quarter-wave layers of 1.5 -/+ 0.001, gain everywhere, n = 1.5 outside: kappa L = 1
    and the band-edge pair at g = 2 alpha = 140.4 cm^-1 (Kogelnik-Shank)."""
    lo, hi, gmax = 990.0, 1010.0, 300.0
    ref = reference_thresholds(R.layered_grating(1.499, 1.501, 1000.0, 750), lo, hi, gmax)
    res = cv.threshold_modes(layered_stack(1.499, 1.501, 1000.0, 750), (lo, hi), max_gain=gmax)
    assert_counted(res, assert_same_thresholds(res.modes, ref, lo, hi, gmax))
    pkg = np.array([(m.wavelength, m.material_gain) for m in res.modes])
    ks = sorted(R.ks_layered_modes(1.499, 1.501, 1000.0, 750, 2), key=lambda x: x[0])
    pair = sorted(pkg[:2].tolist())
    for (lam, g), (lam_ks, g_ks) in zip(pair, ks):
        assert lam == pytest.approx(lam_ks, rel=REL_LAM)
        assert g == pytest.approx(g_ks, rel=1e-3)  # coupled-mode theory is O(dn/n)
    assert g_ks == pytest.approx(140.4, abs=0.1)
    assert res.side_mode_margin < 0.2  # a nearly degenerate pair


def test_issue_grating_with_quarter_wave_shift_has_one_defect_mode():
    lo, hi, gmax = 990.0, 1010.0, 300.0
    ref = reference_thresholds(R.layered_grating(1.499, 1.501, 1000.0, 750, shift=True), lo, hi, gmax)
    res = cv.threshold_modes(layered_stack(1.499, 1.501, 1000.0, 750, shift=True), (lo, hi), max_gain=gmax)
    assert_counted(res, assert_same_thresholds(res.modes, ref, lo, hi, gmax))
    ks = R.ks_layered_modes(1.499, 1.501, 1000.0, 750, 1, shift=True)[0]
    low = res.modes[0]
    assert low.wavelength == pytest.approx(1000.0, rel=2e-6)
    assert low.material_gain == pytest.approx(ks[1], rel=1e-4)
    assert res.side_mode_margin > 40.0


def test_issue_grating_in_air_has_23_modes_below_300():
    """The reference finds 23 (one per Fabry-Perot order, test_reference_modes.py)."""
    lo, hi, gmax = 985.0, 1015.0, 300.0
    ref = reference_thresholds(R.layered_grating(1.499, 1.501, 1000.0, 750, n_out=1.0), lo, hi, gmax)
    assert len(ref) == 23
    res = cv.threshold_modes(layered_stack(1.499, 1.501, 1000.0, 750, n_out=1.0), (lo, hi), max_gain=gmax)
    assert_counted(res, assert_same_thresholds(res.modes, ref, lo, hi, gmax))
    assert len(res.modes) == 23


def test_strong_quarter_wave_grating_defect_mode_at_almost_zero_gain():
    """dn = 0.04, 750 periods (kappa L = 20), gain in every other layer, n = 1.3 outside: the defect
    mode at 1000 nm has Q ~ 1e10 (passive pole 1000 + 4.0e-8i nm) and g_th ~ 1.5e-5 cm^-1, eight
    orders of magnitude below the next mode (Kogelnik-Shank: alpha L ~ 8e-8, the same order)."""
    lo, hi, gmax = 990.0, 1010.0, 100.0
    st = R.layered_grating(1.48, 1.52, 1000.0, 750, w_b=0.0, n_out=1.3, shift=True)
    ref = reference_thresholds(st, lo, hi, gmax)
    assert ref[0, 1] < 1e-4 < 1.0 < ref[1, 1]
    stack = layered_stack(1.48, 1.52, 1000.0, 750, w_b=False, n_out=1.3, shift=True)
    res = cv.threshold_modes(stack, (lo, hi), max_gain=gmax)
    assert_counted(res, assert_same_thresholds(res.modes, ref, lo, hi, gmax))
    poles = R.passive_poles(st, 995.0, 1005.0, 1005.0 / 400 * 1.05, dlam=R.mode_spacing(st, 995.0) / 8).wavelength
    assert len(poles) == 1 and poles[0].imag < 1e-6
    rs = cv.resonances(stack, (995.0, 1005.0), min_Q=200.0)
    assert rs.count == len(rs) == 1 and rs.complete is True
    assert abs(rs[0].complex_wavelength - poles[0]) < 1e-9 * 1000.0


@pytest.mark.parametrize("n_out", [1.5, 1.0])
@pytest.mark.parametrize("steps", [(1.499, 1.501), (1.5, 1.5), (1.49, 1.51)])
def test_gain_coupled_layered_gratings(steps, n_out):
    """Gain only in the first layer of each period (partly or purely gain-coupled)."""
    n_a, n_b = steps
    periods = 750 if n_a > 1.495 else 250
    lo, hi, gmax = 990.0, 1010.0, 600.0
    st = R.layered_grating(n_a, n_b, 1000.0, periods, w_b=0.0, n_out=n_out)
    ref = reference_thresholds(st, lo, hi, gmax)
    assert len(ref) >= 2
    res = cv.threshold_modes(layered_stack(n_a, n_b, 1000.0, periods, w_b=False, n_out=n_out), (lo, hi),
                             max_gain=gmax)
    assert_counted(res, assert_same_thresholds(res.modes, ref, lo, hi, gmax))
    if n_a == n_b and n_out == 1.5:  # pure gain coupling: Kogelnik-Shank with kappa = i g / (2 pi)
        lam_ks, g_ks = R.ks_gain_grating_modes(1.5, 1000.0, periods, 1)[0]
        assert res.modes[0].wavelength == pytest.approx(lam_ks, rel=REL_LAM)
        assert res.modes[0].material_gain == pytest.approx(g_ks, rel=1e-3)


# ------------------------------------------------------------------------------------------------
# (c), (d) effective-index DFB gratings, rebuilt from the sections' data
# ------------------------------------------------------------------------------------------------
NF, NS = 1.85, 1.46


def _slab_sections(t_tooth=200.0, t_groove=198.0):
    sub = mt.Constant(NS)
    mk = lambda t: cv.Stack.of(cv.Layer(mt.Constant(NF), t, name="QD", gain=True), substrate=sub)
    return mk(t_tooth), mk(t_groove)


def dfb_reference_structure(res, grating):
    """The 1D layout ``T/2 G T G ... T G T/2`` of the effective-index sections (tooth D Lambda,
    groove (1 - D) Lambda, weights = each section's confinement), a quarter-wave shift at the
    centre as an extra tooth length of a quarter wave of optical path, ``Lambda / (2 m)`` for a
    grating of order m, outer media per facet ("absorbing": the tooth's passive n_eff)."""
    sec = res.sections
    lt = np.asarray(sec.lam_tab)
    spl = [CubicSpline(lt, np.asarray(row)) for row in sec.n_eff]
    n_t, n_g = (lambda x, s=spl[0]: s(x)), (lambda x, s=spl[1]: s(x))
    g_t, g_g = sec.confinement
    D, P, N, m = grating.duty_cycle, res.period, res.periods, grating.order
    half = R.Slab(n_t, D * P / 2, g_t)
    T, G = R.Slab(n_t, D * P, g_t), R.Slab(n_g, (1 - D) * P, g_g)
    if grating.phase_shifts:
        k = N // 2
        items = (half, G, R.Repeat((T, G), k - 1), R.Slab(n_t, D * P + P / (2 * m), g_t), G,
                 R.Repeat((T, G), N - k - 1), half)
    else:
        items = (half, G, R.Repeat((T, G), N - 1), half)
    outer = [n_t if f == "absorbing" else 1.0 if f == "cleaved" else f for f in grating.facets]
    return R.Planar(outer[0], outer[1], items)


DFB_CASES = {
    "order1": dict(periods=750),
    "order1_qws": dict(periods=750, phase_shifts="quarter_wave"),
    "order1_cleaved": dict(periods=500, facets=("cleaved", "cleaved")),
    # the plain 1D model (the reference builds the same layered structure); computed radiation:
    # tests/test_dfb_second_order.py
    "order2": dict(periods=400, order=2, duty_cycle=0.3, radiation="none"),
    "order2_qws": dict(periods=400, order=2, duty_cycle=0.3, phase_shifts="quarter_wave", radiation="none"),
}
DFB_MAX_GAIN = 900.0  # cm^-1: every mode of the sections' window below it, dozens per grating


@functools.lru_cache(maxsize=None)
def dfb_case(name):
    """(grating, every mode below DFB_MAX_GAIN, reference modes over the sections' window)."""
    tooth, groove = _slab_sections()
    grating = cv.DFBGrating(tooth, groove, 630.0, **DFB_CASES[name])
    res = cv.dfb_threshold(grating, max_gain=DFB_MAX_GAIN)
    lt = res.sections.lam_tab
    ref = reference_thresholds(dfb_reference_structure(res, grating), float(lt[0]), float(lt[-1]), DFB_MAX_GAIN)
    return grating, res, ref


@pytest.mark.parametrize("name", sorted(DFB_CASES))
def test_dfb_every_mode_in_the_window(name):
    """The whole set below max_gain; modes in the outer 5% of the sections' wavelength table at
    either end may lie outside the searched window."""
    grating, res, ref = dfb_case(name)
    lt = res.sections.lam_tab
    width = float(lt[-1] - lt[0])
    n = assert_same_thresholds(res.modes, ref, float(lt[0]), float(lt[-1]), DFB_MAX_GAIN,
                               inner_lo=float(lt[0]) + 0.05 * width, inner_hi=float(lt[-1]) - 0.05 * width)
    assert n is None or n == len(res.modes)
    assert len(res.modes) >= 20
    assert_counted(res, None)
    assert res.side_mode_margin == pytest.approx(np.diff(np.sort(ref[:, 1])[:2])[0], rel=1e-4)


@pytest.mark.parametrize("name", ["order1", "order2_qws"])
def test_dfb_lowest_modes(name):
    """``modes=4`` reports the four lowest of the complete set."""
    grating, _, ref = dfb_case(name)
    res = cv.dfb_threshold(grating, modes=4, max_gain=DFB_MAX_GAIN)
    ref = ref[np.argsort(ref[:, 1])]
    assert len(res.modes) == 4
    for mode, (lam, g) in zip(res.modes, ref[:4]):
        assert mode.wavelength == pytest.approx(lam, rel=REL_LAM)
        assert mode.material_gain == pytest.approx(g, rel=REL_G)


@pytest.mark.parametrize("name", ["order1", "order1_qws", "order2"])
def test_dfb_every_mode_below_a_lower_max_gain(name):
    """A max_gain between the 8th and 9th lowest reference thresholds: exactly those 8 modes (all
    near the Bragg wavelength, far from the window's edges), counted and complete."""
    grating, _, ref = dfb_case(name)
    g_sorted = np.sort(ref[:, 1])
    cut = 0.5 * (g_sorted[7] + g_sorted[8])
    res = cv.dfb_threshold(grating, max_gain=cut)
    below = ref[ref[:, 1] <= cut]
    lt = res.sections.lam_tab
    assert np.all((below[:, 0] > lt[0] + 2.0) & (below[:, 0] < lt[-1] - 2.0))
    assert_counted(res, assert_same_thresholds(res.modes, below, float(lt[0]), float(lt[-1]), cut))
    assert len(res.modes) == 8


def test_dfb_second_order_quarter_wave_shift_gives_a_defect_mode_at_bragg():
    """A quarter-wave (lambda/4 optical path) shift puts one mode at the centre of the stopband
    of a second-order grating: within a tenth of the Kogelnik-Shank stopband half width of the
    Bragg wavelength, with a side-mode margin."""
    grating, res, ref = dfb_case("order2_qws")
    sec = res.sections
    n_b = [np.interp(sec.bragg_wavelength, sec.lam_tab, row.real) for row in sec.n_eff]
    D, m = grating.duty_cycle, grating.order
    kappa = 2 * abs(n_b[0] - n_b[1]) * abs(math.sin(m * math.pi * D)) / (m * sec.bragg_wavelength)  # nm^-1
    half_width = sec.bragg_wavelength ** 2 * kappa / (2 * math.pi * (D * n_b[0] + (1 - D) * n_b[1]))
    low = ref[np.argmin(ref[:, 1])]
    assert abs(low[0] - sec.bragg_wavelength) < 0.1 * half_width  # the reference's own defect mode
    assert res.modes[0].wavelength == pytest.approx(low[0], rel=REL_LAM)
    assert res.modes[0].material_gain == pytest.approx(low[1], rel=REL_G)
    assert res.side_mode_margin > 0.1 * low[1]


# ------------------------------------------------------------------------------------------------
# the issue's long gratings: 2000 periods etched into glass under a QD/TCTA waveguide
# ------------------------------------------------------------------------------------------------
def _etched_glass_grating(depth, facets):
    glass = mt.get("borosilicate glass")
    stack = cv.Stack.of(cv.Layer(mt.get("TCTA"), 40.0), cv.Layer(mt.get("CdSe QD film"), 80.0, gain=True),
                        cv.Layer(glass, 200.0), substrate=glass)
    return cv.DFBGrating.etched(stack, 2, 630.0, etch_depth=depth, periods=2000, facets=facets)


@pytest.mark.parametrize("depth, facets", [(10.0, ("absorbing", "absorbing")), (40.0, ("absorbing", "absorbing")),
                                           (40.0, ("cleaved", "cleaved"))])
def test_2000_period_gratings_every_mode_below_100_per_cm(depth, facets):
    """10 nm: the lower band edge must not be mistaken for the upper; 40 nm: no mode skipped, the
    lowest at a fraction of a cm^-1; cleaved facets: the two lowest modes found."""
    grating = _etched_glass_grating(depth, facets)
    gmax = 100.0
    res = cv.dfb_threshold(grating, max_gain=gmax)
    lt = res.sections.lam_tab
    ref = reference_thresholds(dfb_reference_structure(res, grating), float(lt[0]), float(lt[-1]), gmax)
    width = float(lt[-1] - lt[0])
    n = assert_same_thresholds(res.modes, ref, float(lt[0]), float(lt[-1]), gmax,
                               inner_lo=float(lt[0]) + 0.05 * width, inner_hi=float(lt[-1]) - 0.05 * width)
    assert n is None or n == len(res.modes)
    assert_counted(res, None)
    low = ref[np.argmin(ref[:, 1])]
    assert res.lowest.wavelength == pytest.approx(low[0], rel=REL_LAM)
    assert res.lowest.material_gain == pytest.approx(low[1], rel=REL_G)

"""Calibration within physical bounds and the assumption change it reports (issue 15, docs/gain.md s.5-6).

Independent truths: the per-dot generation rate G = eta J / (e n_areal) (docs/theory.md s.2.1),
so a model with the needed dot density (or injection efficiency), rebuilt here by hand from the
reported numbers, must meet the targets (closed loop); the Poisson mean G tau_X of a chain with
linear decay only; the cross-section estimate sigma n_vol of the default band.
"""
import math

import numpy as np
import pytest

import materials as mt
from cavity.conventions import ELEMENTARY_CHARGE
from cavity.gain.model import (DEFAULT_1S_CROSS_SECTION_CM2, DEFAULT_BAND_1S, PHYSICAL_BOUNDS, QDGainModel,
                               dot_volume_density)

LIM = dict(occupancy_points=[(18.0, 3.2)], inversion_currents=[3.5])


@pytest.fixture(scope="module")
def seed_fit():
    """The seed device of Lim 2018 with a 20 nm close-packed film of 10 nm dots, eta = 1."""
    return QDGainModel(dot_spacing_nm=10.0, film_thickness_nm=20.0).calibrate(**LIM)


def test_defaults_lie_inside_their_physical_bounds():
    m = QDGainModel()
    for name in ("exciton_lifetime_ns", "biexciton_auger_lifetime_ns", "injection_efficiency", "dot_spacing_nm"):
        lo, hi, basis = PHYSICAL_BOUNDS[name]
        # dot_spacing_nm defaults to None (taken from the film); the value in use without a film
        value = m.effective_dot_spacing_nm if name == "dot_spacing_nm" else getattr(m, name)
        assert lo <= value <= hi and basis


def test_default_band_is_cross_section_times_close_packed_density():
    """alpha_1S = sigma n_vol (Yu 2003 extinction at a 5.6 nm core: eps = 5857 d^2.65, sigma = 1000 ln10
    eps / N_A), n_vol = sqrt(2)/D^3 at D = 10 nm; and within a factor 2 of the measured dense film."""
    eps = 5857.0 * 5.6 ** 2.65
    sigma = 1000.0 * math.log(10.0) * eps / 6.02214076e23
    assert DEFAULT_1S_CROSS_SECTION_CM2 == pytest.approx(sigma, rel=0.01)
    alpha = sigma * math.sqrt(2.0) / (10e-7) ** 3
    assert DEFAULT_BAND_1S.peak_absorption_per_cm == pytest.approx(alpha, rel=0.03)
    film = mt.get("CdSe/ZnCdS QD film (Aftenieva)")
    k = float(np.asarray(film.n(630.0)).imag)
    measured = 4 * math.pi * k / 630e-7
    assert 5000 < measured < 6200  # the ~5,600 cm^-1 the library documents
    assert 0.5 < DEFAULT_BAND_1S.peak_absorption_per_cm / measured < 1.0


def test_seed_fit_respects_the_bounds_and_is_not_a_success(seed_fit):
    assert not seed_fit.success and len(seed_fit.missed_targets) == 2
    for name, value in seed_fit.parameters:
        lo, hi = PHYSICAL_BOUNDS[name][:2]
        assert lo * (1 - 1e-12) <= value <= hi * (1 + 1e-12)
    assert dict((n, (a, b)) for n, a, b in seed_fit.bounds) == {
        n: PHYSICAL_BOUNDS[n][:2] for n in ("exciton_lifetime_ns", "biexciton_auger_lifetime_ns")}
    assert "within the physical bounds" in seed_fit.message
    assert "<N>=3.2 at J=18" in seed_fit.message and "inversion current 3.5" in seed_fit.message


def test_needed_change_closes_the_loop(seed_fit):
    """Rebuild by hand a model with the reported lifetimes and dot density: it meets both targets."""
    need = seed_fit.needed
    assert need is not None and need.met
    assert need.generation_scale > 1.0 and not need.injection_efficiency_possible  # eta would exceed 1
    p = dict(need.parameters)
    for name, value in p.items():
        lo, hi = PHYSICAL_BOUNDS[name][:2]
        assert lo * (1 - 1e-12) <= value <= hi * (1 + 1e-12)
    n_assumed = 20e-7 * dot_volume_density(10.0)
    assert need.areal_density_per_cm2 == pytest.approx(n_assumed / need.generation_scale, rel=1e-12)
    rebuilt = QDGainModel(areal_density_per_cm2=need.areal_density_per_cm2, **p)
    assert rebuilt.mean_occupancy(18.0) == pytest.approx(3.2, rel=0.01)
    assert rebuilt.inversion_current() == pytest.approx(3.5, rel=0.01)
    # the same change as a thinner film of the same dots, and as a sparser film of the same thickness
    thin = QDGainModel.for_film(need.film_thickness_nm, dot_spacing_nm=10.0, **p)
    assert thin.mean_occupancy(18.0) == pytest.approx(3.2, rel=0.01)
    sparse = QDGainModel.for_film(20.0, dot_spacing_nm=need.dot_spacing_nm, **p)
    assert sparse.inversion_current() == pytest.approx(3.5, rel=0.01)
    # the message states the numbers it computed
    assert f"{need.generation_scale:.4g} x the assumed" in seed_fit.message
    assert "impossible" in seed_fit.message and "current focusing" in seed_fit.message


def test_needed_injection_efficiency_closes_the_loop_when_possible():
    """A sparse film (a fifth of a monolayer) at eta = 1 over-generates: the needed eta is < 1 and,
    plugged back, meets the target.  The needed scale is also the ratio of Poisson means G tau_X
    when only radiative decay acts (single target, tau_X pinned by its bounds)."""
    m = QDGainModel(monolayers=0.2, biexciton_auger_lifetime_ns=None)
    tau = 20.0
    fit = m.calibrate(occupancy_points=[(18.0, 0.5)], free=("exciton_lifetime_ns",),
                      bounds={"exciton_lifetime_ns": (tau, tau * (1 + 1e-9))})
    assert not fit.success
    need = fit.needed
    assert need.met and need.injection_efficiency_possible
    # independent: Poisson mean G tau = eta J tau / (e n) = 0.5
    n = 0.2 * 2.0 / (math.sqrt(3.0) * (10e-7) ** 2)
    eta_needed = 0.5 * ELEMENTARY_CHARGE * n / (18.0 * tau * 1e-9)
    assert need.injection_efficiency == pytest.approx(eta_needed, rel=1e-3)
    plugged = QDGainModel(monolayers=0.2, biexciton_auger_lifetime_ns=None, injection_efficiency=need.injection_efficiency)
    assert plugged.mean_occupancy(18.0) == pytest.approx(0.5, rel=1e-3)


def test_explicit_bounds_outside_the_physical_range_are_refused():
    with pytest.raises(ValueError, match="exciton_lifetime_ns.*physical"):
        QDGainModel().calibrate(**LIM, bounds={"exciton_lifetime_ns": (1.0, 500.0)})
    with pytest.raises(TypeError, match="physical_bounds"):
        QDGainModel().calibrate(**LIM, physical_bounds="yes")


def test_unphysical_fit_only_without_bounds(seed_fit):
    """Without the physical bounds the same targets are 'met' with lifetimes beyond them (the
    pre-issue-15 result), which is exactly what the bounded fit refuses to report."""
    wide = QDGainModel(dot_spacing_nm=10.0, film_thickness_nm=20.0).calibrate(**LIM, physical_bounds=False)
    assert wide.success
    d = wide.parameter_dict
    assert d["exciton_lifetime_ns"] > PHYSICAL_BOUNDS["exciton_lifetime_ns"][1] or \
        d["biexciton_auger_lifetime_ns"] > PHYSICAL_BOUNDS["biexciton_auger_lifetime_ns"][1]


def test_target_beyond_the_state_filling_cap_says_so():
    fit = QDGainModel().calibrate(occupancy_points=[(18.0, 100.0)])
    assert not fit.success and not fit.needed.met
    assert "max_excitons" in fit.needed.message

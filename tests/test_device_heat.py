"""The thermal path from the stack (cavity.device.heat, ThermalModel.from_stack).

Truth: closed forms computed here, and an independent axisymmetric finite-volume solution
(tests/reference/heat_fd.py, no code shared with the package).
"""
import math

import numpy as np
import pytest

import cavity as cv
from cavity.device.heat import HeatModel, disc_spreading_resistance
from cavity.device.properties import DEVICE_PROPERTIES, DeviceProperties, ElectricalRole
from cavity.gain.thermal import ThermalModel
from tests.reference import heat_fd as fd

EPS0 = 8.8541878128e-14        # F/cm
HC_EV_NM = 1239.8419843320026


def _fd_mean_rise(a, H, R, side):
    sol = fd.solve(a=a, R=R, layers=[(H, 1.0)], q_top=1.0, side=side, n_r_disc=80, n_r_out=80,
                   n_z_per_layer=[120], h_top=a / 400)
    return fd.mean_top_rise(sol, 1.0)   # units of q a / k with a = k = q = 1


def _package_rise_per_qa_over_k(h_over_a):
    # disc_spreading_resistance is K cm^2/W; divide by a/k in the same units (a in cm, k in W/cm/K)
    a_um, k = 10.0, 1.0
    r = disc_spreading_resistance(a_um, k, substrate_thickness_um=None if h_over_a is None else h_over_a * a_um)
    return r / ((a_um * 1e-4) / (k * 1e-2))


def test_disc_on_half_space_is_8a_over_3_pi_k():
    a_um, k = 37.0, 1.4
    assert disc_spreading_resistance(a_um, k) == pytest.approx(8 * (a_um * 1e-4) / (3 * math.pi * (k * 1e-2)), rel=1e-14)
    # a very thick substrate tends to the half-space, a very thin one to 1D conduction H/k
    assert _package_rise_per_qa_over_k(1e4) == pytest.approx(8 / (3 * math.pi), rel=2e-4)
    assert disc_spreading_resistance(50.0, 1.0, substrate_thickness_um=0.05) == pytest.approx(0.05e-4 / 1e-2, rel=2e-3)


@pytest.mark.parametrize("h_over_a, R, side, tol", [(2.0, 14.0, "adiabatic", 2e-3), (0.5, 8.0, "adiabatic", 2e-3),
                                                     (None, 200.0, "isothermal", 4e-3)])
def test_uniformly_heated_disc_against_finite_volumes(h_over_a, R, side, tol):
    # slab of thickness H on an isothermal sink (adiabatic side far away), or a half-space
    # approximated by a 200a cylinder held at T = 0 (truncation error ~ a/(2R) ~ 0.2%)
    H = R if h_over_a is None else h_over_a
    assert _fd_mean_rise(1.0, H, R, side) == pytest.approx(_package_rise_per_qa_over_k(h_over_a), rel=tol)


def test_one_dimensional_conduction_through_the_layers():
    # a 10 cm aperture on a 1 um substrate over an ideal heat sink: no lateral flow, so the QD
    # film's mean rise is the 1D series result.  With F_i the heat entering layer i from its far
    # side and q_i its own heat, each layer between the sink and the QD film drops
    # (F_i + q_i/2) d_i / kappa_i; the QD film's mean lies (F/2 + q/3) d / kappa above its face;
    # the substrate drops Q H / kappa_s.
    s = cv.seed_led_stack(ito_nm=150.0, hole_transport_nm=60.0, qd_nm=30.0)
    a_um, H_um, j = 1e5, 1.0, 10.0
    h = HeatModel.from_stack(s, aperture_radius_um=a_um, substrate_thickness_um=H_um)
    q = h.heat_per_layer(j)
    assert q.sum() == pytest.approx(j * h.voltage(j), rel=1e-12)
    P = DEVICE_PROPERTIES
    d = s.thicknesses * 1e-7                                           # cm
    k = np.array([P[n].thermal_conductivity_W_per_m_K for n in ("ITO", "TCTA", "CdSe QD film")]) * 1e-2
    F = lambda i: q[i + 1:].sum()                                      # heat crossing layer i from above
    dT = q.sum() * H_um * 1e-4 / (P["soda-lime glass"].thermal_conductivity_W_per_m_K * 1e-2)
    dT += sum((F(i) + q[i] / 2) * d[i] / k[i] for i in (0, 1))
    dT += (F(2) / 2 + q[2] / 3) * d[2] / k[2]
    assert h.heat_sink == "incident"
    assert h.temperature_rise(j) == pytest.approx(dT, rel=1e-4)


def test_heat_in_the_qd_film_alone_gives_the_film_thermal_resistance():
    # 1D with the heat only in the QD film: R = H/k_s + d_ITO/k_ITO + d_TCTA/k_TCTA + d_QD/(3 k_QD)
    s = cv.seed_led_stack(ito_nm=150.0, hole_transport_nm=60.0, qd_nm=30.0)
    h = HeatModel.from_stack(s, aperture_radius_um=1e5, substrate_thickness_um=2.0)
    P = DEVICE_PROPERTIES
    r = (2e-4 / (P["soda-lime glass"].thermal_conductivity_W_per_m_K * 1e-2)
         + 150e-7 / (P["ITO"].thermal_conductivity_W_per_m_K * 1e-2)
         + 60e-7 / (P["TCTA"].thermal_conductivity_W_per_m_K * 1e-2)
         + 30e-7 / (3 * P["CdSe QD film"].thermal_conductivity_W_per_m_K * 1e-2))
    assert h.qd_thermal_resistance_K_cm2_per_W == pytest.approx(r, rel=1e-4)


def _fd_seed(s, h, j, a_um, H_um, k_layers, **grid):
    q = h.heat_per_layer(j)                      # W/cm^2 per layer
    thick = s.thicknesses * 1e-3                 # um
    order = list(range(len(s)))[::-1]            # FD top = the air side (adiabatic), sink below
    layers = [(thick[i], k_layers[i] * 1e-6) for i in order] + [(H_um, 1.0e-6)]   # W/um/K
    sources = [q[i] * 1e-8 / thick[i] for i in order] + [0.0]                       # W/um^3
    sol = fd.solve(a=a_um, R=4 * H_um, layers=layers, sources=sources, side="adiabatic", **grid)
    return fd.mean_layer_rise(sol, order.index(s.gain_layer_indices[0]))


@pytest.mark.parametrize("a_um, H_um, al_k", [(50.0, 1000.0, None), (10.0, 100.0, None), (5.0, 60.0, 0.5)])
def test_layered_stack_with_heat_in_every_layer_against_finite_volumes(a_um, H_um, al_k):
    # the seed stack with its heat where the electrical model puts it; the Al cathode (237 W/m/K)
    # spreads heat sideways, which a 1D-plus-disc model would miss (~30% at a = 50 um)
    s = cv.seed_led_stack()
    over = None if al_k is None else {"Al": DeviceProperties(ElectricalRole.ELECTRODE, al_k,
                                                             conductivity_S_per_cm=1 / 2.65e-6, reference="test")}
    h = HeatModel.from_stack(s, aperture_radius_um=a_um, substrate_thickness_um=H_um, overrides=over)
    k_layers = [c.thermal_conductivity_W_per_m_K for c in sorted(h.column, key=lambda c: c.index)]
    fdv = _fd_seed(s, h, 18.0, a_um, H_um, k_layers, n_r_disc=60, n_r_out=90, n_z_per_layer=[4] * 5 + [120],
                   h_top=a_um / 400)
    assert fdv == pytest.approx(h.temperature_rise(18.0), rel=5e-3)


def _seed_expected(j, a_um=50.0, lam=625.0):
    """V and the no-lateral-flow dT of the seed stack from closed forms and the table's constants.

    dT: 1D conduction through the layers plus a uniformly heated disc on the glass half-space,
    i.e. without heat spreading sideways in the layers (an upper bound).
    """
    P = DEVICE_PROPERTIES
    d = {"ITO": 150e-7, "TCTA": 50e-7, "QD": 20e-7, "ZnO": 50e-7, "Al": 100e-7}   # cm (seed defaults)
    a = a_um * 1e-4
    v_on = HC_EV_NM / lam
    v_tcta = math.sqrt(8 * j * d["TCTA"] ** 3 / (9 * EPS0 * P["TCTA"].relative_permittivity * P["TCTA"].mobility_cm2_per_Vs))
    qd = P["CdSe QD film"]
    v_qd = math.sqrt(8 * j * d["QD"] ** 3 / (9 * EPS0 * qd.relative_permittivity * qd.mobility_cm2_per_Vs))
    v_zno = j * d["ZnO"] / P["ZnO"].conductivity_S_per_cm
    v_ito = j * a ** 2 / 8 / (P["ITO"].conductivity_S_per_cm * d["ITO"])
    v_al = j * a ** 2 / 8 / (P["Al"].conductivity_S_per_cm * d["Al"])
    V = v_on + v_tcta + v_qd + v_zno + v_ito + v_al
    # heat: the QD film gets J (V_on + v_qd); above it ZnO and Al; below it TCTA and ITO
    q_qd, q_above = j * (v_on + v_qd), j * (v_zno + v_al)
    k = {n: P[n].thermal_conductivity_W_per_m_K * 1e-2 for n in ("ITO", "TCTA")}
    kq = qd.thermal_conductivity_W_per_m_K * 1e-2
    Q = j * V
    t_glass = Q * 8 * a / (3 * math.pi * P["soda-lime glass"].thermal_conductivity_W_per_m_K * 1e-2)
    t_ito = (Q - j * v_ito / 2) * d["ITO"] / k["ITO"]           # ITO's own heat enters at its middle
    t_tcta = (q_qd + q_above + j * v_tcta / 2) * d["TCTA"] / k["TCTA"]
    t_qd = (q_above / 2 + q_qd / 3) * d["QD"] / kq
    return V, t_glass + t_ito + t_tcta + t_qd


def test_seed_device_voltage_and_heating_at_18_A_per_cm2():
    """The Lim, Park & Klimov (Nat. Mater. 17, 42 (2018)) stack, 50 um aperture radius, CW.

    The paper's voltage at 18 A/cm^2 could not be retrieved (only its abstract: 18 A/cm^2 reached
    with current focusing, without damage): the bounds here are physical, not published: above
    the photon energy over e (each injected electron must supply a 1.98 eV exciton at 625 nm),
    below 15 V; the temperature rise at most a few hundred K for a device that survived DC drive.
    """
    s = cv.seed_led_stack()
    t = ThermalModel.from_stack(s, 50.0)
    V_exp, dT_no_lateral = _seed_expected(18.0)
    assert t.voltage(18.0) == pytest.approx(V_exp, rel=1e-10)
    assert HC_EV_NM / 625.0 < t.voltage(18.0) < 15.0
    # heat spreading sideways in the layers (the Al cathode) can only cool the QD film below the
    # 1D-layers-plus-uniformly-heated-disc estimate; its accuracy is checked against finite
    # volumes above
    assert 0.5 * dT_no_lateral < t.temperature_rise(18.0) < dT_no_lateral
    assert 1.0 < t.temperature_rise(18.0) < 300.0
    print(f"seed device at 18 A/cm^2: V = {t.voltage(18.0):.2f} V, dT = {t.temperature_rise(18.0):.1f} K (CW)")


def test_thermal_model_from_stack_follows_the_device_and_keeps_the_old_form():
    s = cv.seed_led_stack()
    h = HeatModel.from_stack(s, aperture_radius_um=50.0)
    t = ThermalModel.from_stack(s, 50.0, duty_cycle=0.25)
    j = np.array([0.5, 5.0, 18.0, 60.0])
    assert np.allclose(t.voltage(j), h.voltage(j), rtol=1e-15)
    assert np.allclose(t.temperature_rise(j), 0.25 * np.asarray(h.temperature_rise(j)), rtol=1e-15)
    assert isinstance(t.temperature_rise(18.0), float)
    # the constant-parameter form is untouched: dT = R_th D J (V_on + R_s J)
    assert ThermalModel().temperature_rise(18.0) == pytest.approx(0.42 * 18.0 * (2.0 + 0.05 * 18.0), rel=1e-14)
    # the heated-gain machinery runs on it: the rollover's temperature is the model's at that J
    model = cv.QDGainModel()
    roll = ThermalModel.from_stack(s, 50.0).rollover_current(model, 630.0)
    assert roll.temperature_rise == pytest.approx(float(ThermalModel.from_stack(s, 50.0).temperature_rise(
        roll.current_density)), rel=1e-12)


def test_light_out_is_not_heat():
    s = cv.seed_led_stack()
    j = 18.0
    h0 = HeatModel.from_stack(s, aperture_radius_um=50.0)
    h1 = HeatModel.from_stack(s, aperture_radius_um=50.0, external_quantum_efficiency=0.1)
    q0, q1 = h0.heat_per_layer(j).sum(), h1.heat_per_layer(j).sum()
    assert q0 - q1 == pytest.approx(0.1 * j * HC_EV_NM / 625.0, rel=1e-12)
    assert q0 == pytest.approx(j * h0.voltage(j), rel=1e-12)
    with pytest.raises(ValueError, match="external_quantum_efficiency"):
        HeatModel.from_stack(s, aperture_radius_um=50.0, external_quantum_efficiency=1.5)


def test_heat_sink_choice_and_bad_inputs():
    s = cv.seed_led_stack()
    assert HeatModel.from_stack(s, aperture_radius_um=50.0).heat_sink == "incident"   # glass, not air
    sap = HeatModel.from_stack(s, aperture_radius_um=50.0, heat_sink="incident", sink_thermal_conductivity_W_per_m_K=35.0)
    assert sap.spreading_resistance_K_cm2_per_W == pytest.approx(8 * 50e-4 / (3 * math.pi * 0.35), rel=1e-14)
    with pytest.raises(ValueError, match="heat_sink"):
        HeatModel.from_stack(s, aperture_radius_um=50.0, heat_sink="top")
    with pytest.raises(ValueError, match="sink_thermal_conductivity_W_per_m_K"):
        HeatModel.from_stack(s, aperture_radius_um=50.0, sink_thermal_conductivity_W_per_m_K=10.0)
    with pytest.raises(TypeError, match="device"):
        ThermalModel(device="not a model")

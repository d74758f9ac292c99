"""The electrical path from the stack (cavity.device.electrical) against closed forms.

Expected values are computed here from the formulas (SI units, own constants), never copied from
the package's output.
"""
import math

import numpy as np
import pytest
from scipy.integrate import quad

import cavity as cv
import materials as mt
from cavity.device.electrical import ElectricalModel, NoConductingPath, mott_gurney_voltage
from cavity.device.properties import (DEVICE_PROPERTIES, DeviceProperties, ElectricalRole, UnknownDeviceMaterial,
                                      device_properties)

EPS0_SI = 8.8541878128e-12     # F/m (CODATA 2018)
HC_EV_NM = 1239.8419843320026  # h c / e in eV nm


def _mg_current_si(v, d_nm, mu_cm2, eps_r):
    """Mott-Gurney J (A/cm^2) at V, in SI then converted: J = 9/8 eps0 eps_r mu V^2 / d^3."""
    d = d_nm * 1e-9
    mu = mu_cm2 * 1e-4
    return 9.0 / 8.0 * EPS0_SI * eps_r * mu * v ** 2 / d ** 3 * 1e-4


@pytest.mark.parametrize("d_nm, mu, eps_r", [(50.0, 3e-4, 3.0), (80.0, 1e-4, 3.0), (20.0, 1e-3, 4.4)])
def test_mott_gurney_inverted_matches_the_closed_form(d_nm, mu, eps_r):
    j = np.array([0.1, 1.0, 18.0, 300.0])
    v = mott_gurney_voltage(j, d_nm, mu, eps_r)
    assert np.allclose(_mg_current_si(v, d_nm, mu, eps_r), j, rtol=1e-12)
    assert mott_gurney_voltage(0.0, d_nm, mu, eps_r) == 0.0


def test_mott_gurney_reproduces_the_worked_example():
    # eps_r = 3, mu = 1e-4 cm^2/Vs, J = 10 A/cm^2: d = 40 nm -> ~4.6 V, 80 nm -> ~13 V
    assert mott_gurney_voltage(10.0, 40.0, 1e-4, 3.0) == pytest.approx(4.6, abs=0.05)
    assert mott_gurney_voltage(10.0, 80.0, 1e-4, 3.0) == pytest.approx(13.0, abs=0.1)


def _stack(*layers, incident="soda-lime glass"):
    return cv.Stack(tuple(layers), incident=mt.get(incident), substrate=cv.AIR)


def test_organic_layer_of_a_stack_drops_its_mott_gurney_voltage():
    s = cv.seed_led_stack(hole_transport_nm=70.0)
    el = ElectricalModel.from_stack(s, aperture_radius_um=50.0)
    j = np.array([1.0, 18.0])
    drops = el.per_layer_drop(j)
    tcta = DEVICE_PROPERTIES["TCTA"]
    # invert: the current that the Mott-Gurney law gives at the TCTA drop is J
    assert np.allclose(_mg_current_si(drops[1], 70.0, tcta.mobility_cm2_per_Vs, tcta.relative_permittivity), j,
                       rtol=1e-12)
    assert np.allclose(el.voltage(j), el.turn_on_voltage_V + drops.sum(axis=0), rtol=1e-14)


def _ohmic(sigma, k=1.0):
    return DeviceProperties(ElectricalRole.TRANSPORT, k, conductivity_S_per_cm=sigma, reference="test")


def test_series_resistance_of_ohmic_layers_is_the_sum_of_rho_d():
    # every layer between the electrodes ohmic (the QD film too, through overrides)
    over = {"HTL": _ohmic(2e-3), "QD": _ohmic(5e-4), "ETL": _ohmic(1e-2)}
    s = _stack(cv.Layer(mt.get("ITO"), 120.0, name="ITO"), cv.Layer(mt.get("PEDOT:PSS"), 40.0, name="HTL"),
               cv.Layer(mt.get("CdSe QD film"), 25.0, name="QD", gain=True), cv.Layer(mt.get("ZnO"), 60.0, name="ETL"),
               cv.Layer(mt.get("Ag"), 100.0, name="Ag"))
    a_um = 40.0
    el = ElectricalModel.from_stack(s, aperture_radius_um=a_um, overrides=over, turn_on_voltage_V=2.1)
    rho_d = 40e-7 / 2e-3 + 25e-7 / 5e-4 + 60e-7 / 1e-2                      # Ohm cm^2
    a = a_um * 1e-4
    spread = sum(1.0 / (p.conductivity_S_per_cm * t * 1e-7) * a ** 2 / 8.0
                 for p, t in ((DEVICE_PROPERTIES["ITO"], 120.0), (DEVICE_PROPERTIES["Ag"], 100.0)))
    assert el.series_resistance_ohm_cm2 == pytest.approx(rho_d + spread, rel=1e-12)
    assert el.space_charge_coefficient == 0.0
    j = np.linspace(0.0, 50.0, 6)
    assert np.allclose(el.voltage(j), 2.1 + (rho_d + spread) * j, rtol=1e-13)


def test_spreading_resistance_equals_the_dissipated_power_of_the_sheet():
    # uniform injection J over a disc fed at its rim: lateral current I(r) = J pi r^2 through
    # the circumference 2 pi r; the power in the sheet P = int R_sq (I/2 pi r)^2 2 pi r dr,
    # and the area-specific resistance is P / (J^2 pi a^2)
    sigma, t_nm, a_um, j = 6.9e3, 10.0, 50.0, 18.0
    rsq, a = 1.0 / (sigma * t_nm * 1e-7), a_um * 1e-4
    p, _ = quad(lambda r: rsq * (j * math.pi * r ** 2 / (2 * math.pi * r)) ** 2 * 2 * math.pi * r, 0.0, a)
    expected = p / (j ** 2 * math.pi * a ** 2)
    s = cv.seed_led_stack(ito_nm=t_nm)
    el = ElectricalModel.from_stack(s, aperture_radius_um=a_um)
    ito = next(lay for lay in el.layers if lay.label == "ITO")
    assert ito.sheet_resistance_ohm == pytest.approx(rsq, rel=1e-12)
    assert ito.ohmic_ohm_cm2 == pytest.approx(expected, rel=1e-8)


def test_ring_contact_lead_adds_the_annulus_resistance():
    # annulus a < r < b of a sheet carrying the whole current I: R = R_sq ln(b/a) / (2 pi)
    s = cv.seed_led_stack(ito_nm=20.0)
    a_um, b_um = 30.0, 600.0
    base = ElectricalModel.from_stack(s, aperture_radius_um=a_um)
    lead = ElectricalModel.from_stack(s, aperture_radius_um=a_um, contact_radius_um=b_um)
    area = math.pi * (a_um * 1e-4) ** 2
    extra = sum(lay.sheet_resistance_ohm * math.log(b_um / a_um) / (2 * math.pi) * area for lay in base.layers
                if lay.law == "electrode")
    assert lead.series_resistance_ohm_cm2 - base.series_resistance_ohm_cm2 == pytest.approx(extra, rel=1e-12)


def test_turn_on_is_the_photon_energy_plus_the_offset():
    s = cv.seed_led_stack()
    el = ElectricalModel.from_stack(s, aperture_radius_um=50.0, emission_wavelength_nm=630.0, turn_on_offset_V=0.3)
    assert el.turn_on_voltage_V == pytest.approx(HC_EV_NM / 630.0 + 0.3, rel=1e-14)
    assert el.voltage(0.0) == pytest.approx(el.turn_on_voltage_V)
    el2 = ElectricalModel.from_stack(s, aperture_radius_um=50.0, turn_on_voltage_V=2.5)
    assert el2.turn_on_voltage_V == 2.5


def _with_spacer(spacer="SiO2"):
    s = cv.seed_led_stack()
    lay = list(s.layers)
    lay.insert(2, cv.Layer(mt.get(spacer), 30.0, name="spacer"))   # between TCTA and the QD film
    return cv.Stack(tuple(lay), incident=s.incident, substrate=s.substrate)


def test_an_insulator_across_the_path_is_refused_naming_it():
    with pytest.raises(NoConductingPath, match=r"layer 2 \('spacer'\).*'SiO2'.*insulator"):
        ElectricalModel.from_stack(_with_spacer(), aperture_radius_um=50.0)
    with pytest.raises(NoConductingPath, match="PMMA"):
        ElectricalModel.from_stack(_with_spacer("PMMA"), aperture_radius_um=50.0)


def test_the_current_focusing_spacer_is_open_in_the_aperture():
    el = ElectricalModel.from_stack(_with_spacer(), aperture_radius_um=50.0, aperture_layer="spacer")
    ref = ElectricalModel.from_stack(cv.seed_led_stack(), aperture_radius_um=50.0)
    j = np.array([1.0, 18.0])
    assert np.allclose(el.voltage(j), ref.voltage(j), rtol=1e-14)
    assert np.all(el.per_layer_drop(j)[2] == 0.0)
    with pytest.raises(ValueError, match="not an insulating spacer"):
        ElectricalModel.from_stack(_with_spacer(), aperture_radius_um=50.0, aperture_layer="TCTA")


def test_fewer_than_two_electrodes_is_refused():
    # the optimum: a dielectric DBR where the cathode was
    s = cv.seed_led_stack()
    dbr = cv.dbr(mt.get("SiO2"), mt.get("TiO2"), 4, 630.0)
    no_cathode = cv.Stack(s.layers[:4] + tuple(dbr.layers), incident=s.incident, substrate=cv.AIR)
    with pytest.raises(NoConductingPath, match="no electrode on the substrate side"):
        ElectricalModel.from_stack(no_cathode, aperture_radius_um=50.0)
    # an electrode beyond the DBR: the DBR's first layer blocks
    beyond = no_cathode + cv.Layer(mt.get("Ag"), 100.0, name="Ag")
    with pytest.raises(NoConductingPath, match=r"layer 4 .*insulator"):
        ElectricalModel.from_stack(beyond, aperture_radius_um=50.0)


def test_unknown_material_names_the_layer_and_material_and_overrides_supply_it():
    s = cv.seed_led_stack()
    lay = list(s.layers)
    lay[3] = cv.Layer(mt.Constant(1.9, name="mystery oxide"), 50.0, name="ETL")
    s2 = cv.Stack(tuple(lay), incident=s.incident, substrate=s.substrate)
    with pytest.raises(UnknownDeviceMaterial, match=r"layer 3 \('ETL'\).*'mystery oxide'"):
        ElectricalModel.from_stack(s2, aperture_radius_um=50.0)
    el = ElectricalModel.from_stack(s2, aperture_radius_um=50.0, overrides={"mystery oxide": _ohmic(1e-3)})
    ref = ElectricalModel.from_stack(s, aperture_radius_um=50.0)   # ZnO is tabulated at 1e-3 S/cm too
    assert el.voltage(18.0) == pytest.approx(ref.voltage(18.0), rel=1e-14)


def test_every_library_material_has_properties_with_a_reference():
    for name in mt.available():
        p = device_properties(mt.get(name))
        assert p.reference
        assert p.thermal_conductivity_W_per_m_K > 0
    assert device_properties(mt.get("ITO (Moerland, 17 nm)")).role is ElectricalRole.ELECTRODE
    assert device_properties(mt.get("Ag (McPeak)")).role is ElectricalRole.ELECTRODE
    assert device_properties(mt.get("CdSe/ZnCdS QD film (Aftenieva)")).role is ElectricalRole.QD_FILM
    assert device_properties(mt.get("TCTA")).role is ElectricalRole.ORGANIC_TRANSPORT
    assert device_properties(mt.get("SiO2 (e-beam film, Gao)")).role is ElectricalRole.INSULATOR


def test_bad_property_inputs_are_refused():
    with pytest.raises(ValueError, match="conductivity_S_per_cm"):
        DeviceProperties(ElectricalRole.TRANSPORT, 1.0)
    with pytest.raises(ValueError, match="mobility_cm2_per_Vs"):
        DeviceProperties(ElectricalRole.ORGANIC_TRANSPORT, 1.0, relative_permittivity=3.0)
    with pytest.raises(ValueError, match="thermal_conductivity_W_per_m_K"):
        DeviceProperties(ElectricalRole.INSULATOR, -1.0)
    s = cv.seed_led_stack()
    with pytest.raises(ValueError, match="aperture_radius_um"):
        ElectricalModel.from_stack(s, aperture_radius_um=0.0)
    with pytest.raises(ValueError, match="contact_radius_um"):
        ElectricalModel.from_stack(s, aperture_radius_um=50.0, contact_radius_um=20.0)
    with pytest.raises(ValueError, match="current_density"):
        ElectricalModel.from_stack(s, aperture_radius_um=50.0).voltage(-1.0)

"""examples/led_emission.py runs (small budget), writes its figures and prints its table; its
numbers hang together (fractions add up to 1, plasmons only next to the metal cathode, beta as
LasingMode uses it, the Purcell-scaled radiative lifetime)."""
import math

import pytest
from test_examples import load


def test_led_emission_example(tmp_path, capsys):
    out = load("led_emission").main(["--positions", "2", "--wavelengths", "7", "--zno-points", "3",
                                     "--out", str(tmp_path)])
    for name in ("led_far_field.png", "cavity_far_field.png", "led_power_split_vs_zno.png"):
        assert (tmp_path / name).stat().st_size > 1000
    text = capsys.readouterr().out
    assert "| seed LED |" in text and "| microcavity |" in text and "beta =" in text
    for key in ("led", "cavity"):
        f, purcell = out[key]
        total = f.incident_fraction + f.substrate_fraction + f.guided_fraction + f.plasmon_fraction + f.absorbed_fraction
        assert total == pytest.approx(1.0, abs=1e-6)
        assert purcell > 0
    led, cav = out["led"][0], out["cavity"][0]
    assert led.plasmon_fraction > 0.01 and led.substrate_fraction < 1e-6   # Al cathode: plasmons, nothing into air
    assert cav.plasmon_fraction == 0.0 and cav.absorbed_fraction < 1e-9     # all-dielectric, lossless cavity
    sc, mode = out["beta"], out["mode"]
    assert 0 < sc.beta < 1 and mode.beta == sc.beta
    j_plain, j_scaled = out["threshold_current"]
    # a faster radiative decay (F > 1) needs more current for the same occupancy
    assert (j_scaled.current_density > j_plain.current_density) == (out["cavity"][1] > 1)
    assert math.isfinite(j_scaled.current_density)

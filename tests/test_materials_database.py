"""refractiveindex.info loader against real pages: every page of the database that gives n loads,
and the corrections it makes (merged rows, clipped k, cut-short coefficients, unit flag) are the
ones the module documents, each with a warning naming the file."""
import os
import tarfile
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

from materials import load_refractiveindex
from materials.refractiveindex_yaml import (K_NOISE, RefractiveIndexDataWarning, RefractiveIndexFileError,
                                            RefractiveIndexUnitWarning, find_page)

#: the whole refractiveindex.info database as n,k pages (CC0): not shipped with the package (it is
#: the loader's test input, ~100 MB of pages); the environment variable QDCAVITY_RI_DATABASE names
#: the archive (.ci/run sets it where the CI machine has one), else the tests skip saying so
TARBALL = Path(os.environ.get("QDCAVITY_RI_DATABASE", ""))


def _gives_n(doc) -> bool:
    """Independent of the loader: does any DATA entry of the page give n?"""
    return any(str(e.get("type", "")).strip() in ("tabulated n", "tabulated nk") or
               str(e.get("type", "")).strip().startswith("formula") for e in doc["DATA"])


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    if not os.environ.get("QDCAVITY_RI_DATABASE") or not TARBALL.is_file():
        pytest.skip(f"the refractiveindex.info database archive is absent ({TARBALL}); "
                    "set QDCAVITY_RI_DATABASE to the refractiveindex.info n,k archive to run this test")
    root = tmp_path_factory.mktemp("ridb")
    with tarfile.open(TARBALL, "r:gz") as tar:
        if hasattr(tarfile, "data_filter"):   # Python >= 3.12 and security back-ports
            tar.extractall(root, filter="data")
        else:  # pragma: no cover
            tar.extractall(root)
    return root


def test_every_page_that_gives_n_loads(database):
    t0 = time.perf_counter()
    pages = sorted(database.rglob("*.yml"))
    assert len(pages) > 1600
    loaded, refused = 0, []
    for p in pages:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RefractiveIndexDataWarning)
            try:
                m = load_refractiveindex(p)
            except RefractiveIndexFileError as exc:
                refused.append((p, str(exc)))
                continue
        loaded += 1
        lo, hi = m.wavelength_range
        assert 0 < lo < hi
        # the index is usable: at the two ends of the range it is finite, or refused with a reason
        for lam in (lo, hi):
            try:
                v = complex(m.n(lam))
            except ValueError as exc:
                assert any(s in str(exc) for s in ("k < 0", "n <= 0", "no real positive index")), (p, exc)
            else:
                assert np.isfinite(v) and v.real > 0 and v.imag >= 0, (p, lam, v)
    for p, msg in refused:   # refusals only for pages with no n at all, each with a clear reason
        assert str(p) in msg and "no entry gives n" in msg, msg
        assert not _gives_n(yaml.safe_load(p.read_text(encoding="utf-8"))), p
    assert loaded + len(refused) == len(pages)
    assert loaded >= 1682 - 1     # the README's 1,682 pages give n (1,701 pages in all)
    assert time.perf_counter() - t0 < 60.0


def _page(database, page):
    return find_page(database, page)


def test_repeated_wavelengths_merged_and_disagreement_named(database):
    # Cu Brimhall lists 0.0136 um twice: n 0.971/0.969, k 0.039/0.042 (3 decimals: they disagree)
    p = _page(database, "main/Cu/Brimhall")
    with pytest.warns(RefractiveIndexDataWarning, match=r"differ beyond the data's precision at rows 11, 12") as rec:
        m = load_refractiveindex(p)
    assert str(p) in str(rec[0].message)
    assert complex(m.n(13.6)) == pytest.approx((0.971 + 0.969) / 2 + 1j * (0.039 + 0.042) / 2, abs=1e-12)


def test_noise_negative_k_clipped_and_large_negative_k_refused(database):
    with pytest.warns(RefractiveIndexDataWarning, match="slightly negative k"):
        m = load_refractiveindex(_page(database, "main/GaP/Jellison"))   # k down to -0.003 near 0.5 um
    assert m.n(500.0).imag == 0.0
    with pytest.warns(RefractiveIndexDataWarning) as rec:
        q = load_refractiveindex(_page(database, "main/Fe2O3/Querry-o"))
    assert any("not noise" in str(w.message) for w in rec)  # k -0.148 at 52.6 um
    with pytest.raises(ValueError, match="k < 0 at 52631"):
        q.n(52631.6)
    assert q.n(600.0).imag > 0   # the rest of the page is usable


def test_old_and_new_folder_layouts(tmp_path, database):
    src = _page(database, "main/Ag/Johnson")
    assert src.endswith(str(Path("main", "Ag", "nk", "Johnson.yml")))
    text = Path(src).read_text(encoding="utf-8")
    for layout in ("data-nk/main/Ag/Johnson.yml", "database/data/main/Ag/Johnson.yml"):
        p = tmp_path / layout.split("/")[0] / layout
        p.parent.mkdir(parents=True)
        p.write_text(text, encoding="utf-8")
        found = find_page(tmp_path / layout.split("/")[0], "main/Ag/Johnson")
        assert Path(found) == p
        assert complex(load_refractiveindex(found).n(632.8)) == complex(load_refractiveindex(src).n(632.8))
    with pytest.raises(FileNotFoundError, match="main/Ag/Nobody"):
        find_page(tmp_path, "main/Ag/Nobody")


# ---- synthetic pages: exact expectations ------------------------------------------------------------
def _w(tmp_path, body, name="p.yml"):
    p = tmp_path / name
    p.write_text("REFERENCES: test\nDATA:\n" + body)
    return p


def test_repeated_rows_within_precision_merge_quietly_with_average(tmp_path):
    p = _w(tmp_path, "  - type: tabulated nk\n    data: |\n        0.5 1.50 0.10\n        0.6 1.40 0.20\n"
                     "        0.6 1.41 0.21\n        0.7 1.30 0.30\n")
    with pytest.warns(RefractiveIndexDataWarning, match="1 repeated wavelength") as rec:
        m = load_refractiveindex(p)
    assert "differ beyond" not in str(rec[0].message)       # 0.01 apart = one unit of the 2nd decimal
    assert complex(m.n(600.0)) == pytest.approx(1.405 + 0.205j)
    assert complex(m.n(650.0)) == pytest.approx((1.405 + 1.30) / 2 + 1j * (0.205 + 0.30) / 2)


def test_rows_out_of_order_are_sorted_with_a_warning(tmp_path):
    p = _w(tmp_path, "  - type: tabulated n\n    data: |\n        0.5 1.5\n        0.7 1.3\n        0.6 1.4\n")
    with pytest.warns(RefractiveIndexDataWarning, match=r"out of wavelength order \(rows 3\)"):
        m = load_refractiveindex(p)
    assert m.n(650.0).real == pytest.approx(1.35)


def test_k_noise_threshold(tmp_path):
    body = "  - type: tabulated nk\n    data: |\n        0.5 1.5 {}\n        0.6 1.5 0.01\n"
    m = None
    with pytest.warns(RefractiveIndexDataWarning, match="clipped to 0"):
        m = load_refractiveindex(_w(tmp_path, body.format(-K_NOISE), "a.yml"))
    assert m.n(500.0).imag == 0.0 and m.n(550.0).imag == pytest.approx(0.005)
    with pytest.warns(RefractiveIndexDataWarning, match="not noise"):
        m = load_refractiveindex(_w(tmp_path, body.format(-0.03), "b.yml"))
    with pytest.raises(ValueError, match="k < 0 at 500 nm"):
        m.n(500.0)
    assert m.n(600.0).imag == pytest.approx(0.01)


def test_file_in_nm_is_flagged_at_load_time(tmp_path):
    p = _w(tmp_path, "  - type: tabulated n\n    data: |\n        400 1.5\n        600 1.45\n", "in_nm.yml")
    with pytest.warns(RefractiveIndexUnitWarning, match=r"in_nm\.yml: every wavelength is above 100 um.*divide"):
        load_refractiveindex(p)


def test_single_row_page_gives_its_value_over_the_printed_precision(tmp_path):
    p = _w(tmp_path, "  - type: tabulated n\n    data: |\n        0.58929 1.498\n")
    with pytest.warns(RefractiveIndexDataWarning, match="single row"):
        m = load_refractiveindex(p)
    assert m.wavelength_range == pytest.approx((589.285, 589.295))
    assert m.n(589.29).real == 1.498


def test_pre_2018_range_key(tmp_path):
    p = _w(tmp_path, "  - type: formula 5\n    range: 0.4 0.8\n    coefficients: 1.5 0.01 -2\n")
    m = load_refractiveindex(p)
    assert m.wavelength_range == (400.0, 800.0)
    assert m.n(500.0).real == pytest.approx(1.5 + 0.01 / 0.25)

"""refractiveindex.info loader: files no database page looks like are refused quickly, naming the file."""
import time

import pytest

from materials import load_refractiveindex
from materials.refractiveindex_yaml import MAX_FILE_BYTES, RefractiveIndexFileError

GOOD = """REFERENCES: "test"
DATA:
  - type: tabulated n
    data: |
        0.5 1.5
        0.6 1.49
        0.7 1.48
"""


def _write(tmp_path, name, content):
    p = tmp_path / name
    (p.write_bytes if isinstance(content, bytes) else p.write_text)(content)
    return p


def test_a_good_page_still_loads(tmp_path):
    m = load_refractiveindex(_write(tmp_path, "good.yml", GOOD))
    assert abs(complex(m.n(600.0)).real - 1.49) < 1e-12


@pytest.mark.parametrize("name, content, fragment", [
    ("latin1.yml", GOOD.replace("test", "t\xe9st").encode("latin-1"), "not UTF-8"),
    ("nested.yml", "DATA: " + "[" * 2000 + "]" * 2000 + "\n", "nested deeper"),
    ("laughs.yml", "a: &a [x, x, x, x, x, x, x, x, x]\n"
                   + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                             for p, c in zip("abcdefgh", "bcdefghi")) + "DATA: *i\n", "anchors/aliases"),
])
def test_refused_with_the_file_name(tmp_path, name, content, fragment):
    p = _write(tmp_path, name, content)
    t = time.perf_counter()
    with pytest.raises(RefractiveIndexFileError, match=fragment) as exc:
        load_refractiveindex(p)
    assert str(p) in str(exc.value)
    assert time.perf_counter() - t < 5.0


def test_oversized_file_is_refused_before_reading(tmp_path):
    p = tmp_path / "huge.yml"
    with open(p, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)   # sparse: no time spent writing it
    with pytest.raises(RefractiveIndexFileError, match="larger than any") as exc:
        load_refractiveindex(p)
    assert str(p) in str(exc.value)

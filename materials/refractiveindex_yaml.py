r"""Reader for refractiveindex.info database files (YAML), parsed with PyYAML.

A file holds ``REFERENCES`` (or ``REFERENCE``), optional ``COMMENTS`` and a ``DATA`` list of
entries.  Supported entry types (wavelengths in the file are in **micrometres**):

* ``tabulated n``, ``tabulated k``, ``tabulated nk``: whitespace-separated rows under ``data``;
* ``formula 1`` ... ``formula 9``: ``coefficients`` ``C1 C2 ...`` and ``wavelength_range``.

At most one entry may give ``n`` (a formula, ``tabulated n`` or ``tabulated nk``) and at most one
may give ``k`` (``tabulated k`` or ``tabulated nk``); ``k`` defaults to 0.  The material's range is
the intersection of the ranges of the entries it uses.  With :math:`\lambda` in um the formulas
are (refractiveindex.info database documentation, "Dispersion formulas"):

1. Sellmeier:      n^2 - 1 = C1 + sum_i C(2i) l^2 / (l^2 - C(2i+1)^2)
2. Sellmeier-2:    n^2 - 1 = C1 + sum_i C(2i) l^2 / (l^2 - C(2i+1))
3. Polynomial:     n^2 = C1 + sum_i C(2i) l^C(2i+1)
4. RefractiveIndex.INFO: n^2 = C1 + C2 l^C3/(l^2 - C4^C5) + C6 l^C7/(l^2 - C8^C9)
                   + sum_{i>=5} C(2i) l^C(2i+1)
5. Cauchy:         n = C1 + sum_i C(2i) l^C(2i+1)
6. Gases:          n - 1 = C1 + sum_i C(2i) / (C(2i+1) - l^-2)
7. Herzberger:     n = C1 + C2/(l^2 - 0.028) + C3/(l^2 - 0.028)^2 + C4 l^2 + C5 l^4 + C6 l^6
8. Retro:          (n^2 - 1)/(n^2 + 2) = C1 + C2 l^2/(l^2 - C3) + C4 l^2
9. Exotic:         n^2 = C1 + C2/(l^2 - C3) + C4 (l - C5) / ((l - C5)^2 + C6)

(C-numbering is 1-based as in the database.)  Any problem -- not YAML, no ``DATA``, an unknown
type, a bad coefficient count, malformed rows, no ``n`` -- raises :class:`RefractiveIndexFileError`
(a ``ValueError``) whose message names the file and what is wrong.
"""
from __future__ import annotations

import os
import re
from dataclasses import KW_ONLY, dataclass

import numpy as np
import yaml

from . import _checks as ck
from .base import Material, check_range

__all__ = ["load_refractiveindex", "RefractiveIndexFileError", "RefractiveIndexMaterial", "formula_index"]


class RefractiveIndexFileError(ValueError):
    """A refractiveindex.info YAML file is malformed or uses an unsupported feature."""


def _coeff(c: np.ndarray, i: int) -> float:
    """1-based coefficient C_i, zero when the list is shorter (the database omits trailing zeros)."""
    return float(c[i - 1]) if i <= len(c) else 0.0


def formula_index(formula: int, coefficients, wavelength_um) -> np.ndarray:
    """Evaluate refractiveindex.info dispersion formula ``formula`` (1-9) at wavelengths in um.

    Returns the real index as a complex array (``sqrt`` of a negative ``n^2`` gives an imaginary
    value, which :meth:`Material.n` then rejects or reports).
    """
    c = np.asarray(coefficients, dtype=np.float64)
    lam = np.asarray(wavelength_um, dtype=np.float64)
    l2 = lam * lam
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if formula in (1, 2):
            rhs = np.full(lam.shape, 1.0 + _coeff(c, 1))
            for j in range(2, len(c) + 1, 2):
                b, cc = _coeff(c, j), _coeff(c, j + 1)
                rhs = rhs + b * l2 / (l2 - (cc * cc if formula == 1 else cc))
            return np.sqrt(rhs.astype(np.complex128))
        if formula == 3:
            rhs = np.full(lam.shape, _coeff(c, 1))
            for j in range(2, len(c) + 1, 2):
                rhs = rhs + _coeff(c, j) * lam ** _coeff(c, j + 1)
            return np.sqrt(rhs.astype(np.complex128))
        if formula == 4:
            C = [None] + [_coeff(c, i) for i in range(1, max(len(c), 9) + 1)]
            rhs = C[1] + C[2] * lam ** C[3] / (l2 - C[4] ** C[5]) + C[6] * lam ** C[7] / (l2 - C[8] ** C[9])
            rhs = np.broadcast_to(rhs, lam.shape).astype(np.float64)
            for j in range(10, len(c) + 1, 2):
                rhs = rhs + _coeff(c, j) * lam ** _coeff(c, j + 1)
            return np.sqrt(rhs.astype(np.complex128))
        if formula == 5:
            n = np.full(lam.shape, _coeff(c, 1))
            for j in range(2, len(c) + 1, 2):
                n = n + _coeff(c, j) * lam ** _coeff(c, j + 1)
            return n.astype(np.complex128)
        if formula == 6:
            n = np.full(lam.shape, 1.0 + _coeff(c, 1))
            for j in range(2, len(c) + 1, 2):
                n = n + _coeff(c, j) / (_coeff(c, j + 1) - 1.0 / l2)
            return n.astype(np.complex128)
        if formula == 7:
            L = 1.0 / (l2 - 0.028)
            n = (_coeff(c, 1) + _coeff(c, 2) * L + _coeff(c, 3) * L * L + _coeff(c, 4) * l2
                 + _coeff(c, 5) * l2**2 + _coeff(c, 6) * l2**3)
            return n.astype(np.complex128)
        if formula == 8:
            r = _coeff(c, 1) + _coeff(c, 2) * l2 / (l2 - _coeff(c, 3)) + _coeff(c, 4) * l2
            return np.sqrt(((1 + 2 * r) / (1 - r)).astype(np.complex128))
        if formula == 9:
            d = lam - _coeff(c, 5)
            rhs = _coeff(c, 1) + _coeff(c, 2) / (l2 - _coeff(c, 3)) + _coeff(c, 4) * d / (d * d + _coeff(c, 6))
            return np.sqrt(rhs.astype(np.complex128))
    raise ValueError(f"formula must be an integer 1-9, got {formula!r}")


# the number of coefficients each formula accepts (min, max, parity rule)
def _check_coefficients(formula: int, c: tuple, where: str) -> None:
    n = len(c)
    ok = {
        1: n >= 1 and n % 2 == 1,
        2: n >= 1 and n % 2 == 1,
        3: n >= 1 and n % 2 == 1,
        4: n >= 1 and (n <= 9 or n % 2 == 1),
        5: n >= 1 and n % 2 == 1,
        6: n >= 1 and n % 2 == 1,
        7: 1 <= n <= 6,
        8: 1 <= n <= 4,
        9: 1 <= n <= 6,
    }[formula]
    if not ok:
        expect = {7: "1 to 6", 8: "1 to 4", 9: "1 to 6", 4: "up to 9, or an odd number beyond"}.get(
            formula, "an odd number (C1 then pairs)"
        )
        raise RefractiveIndexFileError(f"{where}: formula {formula} needs {expect} coefficients, got {n}: {c}")


@dataclass(frozen=True, repr=False, eq=False)
class RefractiveIndexMaterial(Material):
    """A material read from a refractiveindex.info file: ``n`` from a formula or a table, ``k``
    from a table (linear interpolation) or zero.

    Parameters
    ----------
    formula : int or None
        Dispersion formula number (1-9) for ``n``, or None when ``n`` is tabulated.
    coefficients : tuple of float
        Formula coefficients (wavelength in um), empty when ``n`` is tabulated.
    n_table, k_table : tuple of (wavelength_nm, value) pairs or None
    name, reference : str
    wavelength_range : (float, float)
        nm.
    """

    formula: int | None
    coefficients: tuple
    n_table: tuple | None
    k_table: tuple | None
    _: KW_ONLY
    name: str
    reference: str
    wavelength_range: tuple[float, float]

    def __post_init__(self):
        owner = f"refractiveindex.info material {self.name!r}"
        object.__setattr__(self, "wavelength_range", check_range(self.wavelength_range, owner))
        ck.name_str(self.name, "RefractiveIndexMaterial")
        ck.reference_str(self.reference, owner)

    @staticmethod
    def _interp(table, wl):
        arr = np.asarray(table, dtype=np.float64)
        return np.interp(wl, arr[:, 0], arr[:, 1])

    def _index(self, wavelength):
        if self.formula is not None:
            n = formula_index(self.formula, self.coefficients, wavelength / 1000.0)
        else:
            n = self._interp(self.n_table, wavelength).astype(np.complex128)
        if np.any(np.abs(n.imag) > 0) or np.any(n.real <= 0):
            bad = (np.abs(n.imag) > 0) | (n.real <= 0)
            raise ValueError(
                f"refractiveindex.info material {self.name!r}: formula {self.formula} gives no real positive "
                f"index at {float(wavelength[bad].ravel()[0]):g} nm; check its coefficients"
            )
        k = 0.0 if self.k_table is None else self._interp(self.k_table, wavelength)
        return n.real + 1j * k


def _strip_html(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.split())


def _parse_table(entry, columns: int, where: str) -> np.ndarray:
    data = entry.get("data")
    if not isinstance(data, str) or not data.strip():
        raise RefractiveIndexFileError(f"{where}: 'data' must be a block of rows of {columns} numbers")
    rows = []
    for j, line in enumerate(data.strip().splitlines(), start=1):
        parts = line.split()
        if len(parts) != columns:
            raise RefractiveIndexFileError(f"{where}, data row {j}: expected {columns} numbers, got {line.strip()!r}")
        try:
            rows.append([float(p) for p in parts])
        except ValueError:
            raise RefractiveIndexFileError(f"{where}, data row {j}: not a number in {line.strip()!r}") from None
    arr = np.asarray(rows)
    if len(arr) < 2:
        raise RefractiveIndexFileError(f"{where}: a table needs at least 2 rows, got {len(arr)}")
    if not np.all(np.isfinite(arr)):
        raise RefractiveIndexFileError(f"{where}: table contains NaN or inf")
    if np.any(np.diff(arr[:, 0]) <= 0):
        raise RefractiveIndexFileError(f"{where}: wavelengths must be strictly increasing")
    if arr[0, 0] <= 0:
        raise RefractiveIndexFileError(f"{where}: wavelengths must be > 0 um")
    if np.any(arr[:, 1] <= 0) and columns >= 2 and entry.get("type", "").strip() != "tabulated k":
        raise RefractiveIndexFileError(f"{where}: n must be > 0")
    k_col = {"tabulated k": 1, "tabulated nk": 2}.get(entry.get("type", "").strip())
    if k_col is not None and np.any(arr[:, k_col] < 0):
        raise RefractiveIndexFileError(f"{where}: k must be >= 0 (passive material; k > 0 absorbs)")
    arr[:, 0] *= 1000.0  # um -> nm
    return arr


#: largest refractiveindex.info file accepted (bytes); the database's largest page is ~1 MB
MAX_FILE_BYTES = 16 * 2**20
#: deepest YAML nesting accepted (the database's pages nest 3-4 levels)
MAX_YAML_DEPTH = 32


def _read_yaml(path: str):
    """The YAML document of a refractiveindex.info page, refusing (with the file name) what no
    page of the database is: over :data:`MAX_FILE_BYTES`, not UTF-8, anchors and aliases (the
    "billion laughs" expansion), or nesting deeper than :data:`MAX_YAML_DEPTH` (RecursionError)."""
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise RefractiveIndexFileError(f"{path}: {size} bytes is larger than any refractiveindex.info page "
                                       f"(limit {MAX_FILE_BYTES} bytes, materials.refractiveindex_yaml.MAX_FILE_BYTES)")
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RefractiveIndexFileError(f"{path}: not UTF-8 text (byte {exc.start}: {raw[exc.start:exc.start + 1]!r}); "
                                       f"refractiveindex.info pages are UTF-8 YAML") from None
    try:
        depth = 0
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise RefractiveIndexFileError(f"{path}: YAML anchors/aliases are not used by refractiveindex.info "
                                               f"pages and are refused (line {token.start_mark.line + 1})")
            if isinstance(token, (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
                                  yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise RefractiveIndexFileError(f"{path}: YAML nested deeper than {MAX_YAML_DEPTH} levels "
                                                   f"(line {token.start_mark.line + 1})")
            elif isinstance(token, (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                depth -= 1
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RefractiveIndexFileError(f"{path}: not valid YAML ({exc})") from None


def load_refractiveindex(path, *, name: str | None = None) -> RefractiveIndexMaterial:
    """Read a refractiveindex.info YAML file into a material.

    Parameters
    ----------
    path : str or os.PathLike
    name : str, optional
        Material name; defaults to the file name without extension.

    Returns
    -------
    RefractiveIndexMaterial

    Raises
    ------
    FileNotFoundError
        No such file.
    RefractiveIndexFileError
        (a ``ValueError``) The file is not valid YAML, lacks ``DATA``, has an unknown entry type,
        a wrong number of coefficients, malformed rows, a missing ``wavelength_range``, two
        sources for ``n`` or ``k``, or no ``n`` at all.

    Examples
    --------
    >>> m = load_refractiveindex("tests/data/ri_sio2_malitson.yml")  # doctest: +SKIP
    >>> m.n(632.8)  # doctest: +SKIP
    """
    path = os.fspath(path)
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        raise RefractiveIndexFileError(f"{path}: expected a YAML mapping with a DATA list at top level")
    data = doc.get("DATA")
    if not isinstance(data, list) or not data:
        raise RefractiveIndexFileError(f"{path}: missing or empty 'DATA' list")
    ref = doc.get("REFERENCES", doc.get("REFERENCE", ""))
    reference = _strip_html(str(ref)) if ref else f"refractiveindex.info file {os.path.basename(path)}"
    if doc.get("COMMENTS"):
        reference += f" [{_strip_html(str(doc['COMMENTS']))}]"

    formula = None
    coefficients: tuple = ()
    n_table = k_table = None
    n_src = k_src = None
    ranges = []
    for i, entry in enumerate(data):
        where = f"{path}: DATA[{i}]"
        if not isinstance(entry, dict) or "type" not in entry:
            raise RefractiveIndexFileError(f"{where}: each entry must be a mapping with a 'type'")
        typ = str(entry["type"]).strip()
        gives_n = gives_k = False
        if typ.startswith("formula"):
            m = re.fullmatch(r"formula\s+(\d+)", typ)
            if not m or not 1 <= int(m.group(1)) <= 9:
                raise RefractiveIndexFileError(f"{where}: unsupported type {typ!r}; supported: formula 1 to formula 9")
            f = int(m.group(1))
            raw = entry.get("coefficients")
            try:
                c = tuple(float(x) for x in str(raw).split()) if raw is not None else ()
            except ValueError:
                raise RefractiveIndexFileError(f"{where}: coefficients must be numbers, got {raw!r}") from None
            if not c:
                raise RefractiveIndexFileError(f"{where}: formula {f} has no 'coefficients'")
            if not all(np.isfinite(c)):
                raise RefractiveIndexFileError(f"{where}: coefficients contain NaN or inf")
            _check_coefficients(f, c, where)
            wr = entry.get("wavelength_range")
            try:
                lo, hi = (float(x) for x in str(wr).split())
            except (TypeError, ValueError):
                raise RefractiveIndexFileError(
                    f"{where}: formula entries need 'wavelength_range: <min> <max>' in um, got {wr!r}"
                ) from None
            if not 0 < lo < hi:
                raise RefractiveIndexFileError(f"{where}: wavelength_range must satisfy 0 < min < max (um), got {wr!r}")
            ranges.append((lo * 1000.0, hi * 1000.0))
            formula, coefficients, gives_n = f, c, True
        elif typ == "tabulated n":
            arr = _parse_table(entry, 2, where)
            n_table, gives_n = tuple(map(tuple, arr)), True
            ranges.append((arr[0, 0], arr[-1, 0]))
        elif typ == "tabulated k":
            arr = _parse_table(entry, 2, where)
            k_table, gives_k = tuple(map(tuple, arr)), True
            ranges.append((arr[0, 0], arr[-1, 0]))
        elif typ == "tabulated nk":
            arr = _parse_table(entry, 3, where)
            n_table, k_table, gives_n, gives_k = tuple(map(tuple, arr[:, :2])), tuple(map(tuple, arr[:, ::2])), True, True
            ranges.append((arr[0, 0], arr[-1, 0]))
        else:
            raise RefractiveIndexFileError(
                f"{where}: unsupported type {typ!r}; supported: tabulated n, tabulated k, tabulated nk, formula 1-9"
            )
        if gives_n:
            if n_src is not None:
                raise RefractiveIndexFileError(f"{where}: a second source of n (the first is DATA[{n_src}])")
            n_src = i
        if gives_k:
            if k_src is not None:
                raise RefractiveIndexFileError(f"{where}: a second source of k (the first is DATA[{k_src}])")
            k_src = i
    if n_src is None:
        raise RefractiveIndexFileError(f"{path}: no entry gives n (only k was found)")
    if formula is not None:
        n_table = None
    lo = max(r[0] for r in ranges)
    hi = min(r[1] for r in ranges)
    if not lo < hi:
        raise RefractiveIndexFileError(f"{path}: the n and k entries do not overlap in wavelength")
    if name is None:
        name = os.path.splitext(os.path.basename(path))[0]
    return RefractiveIndexMaterial(
        formula, coefficients, n_table, k_table, name=name, reference=reference, wavelength_range=(lo, hi)
    )

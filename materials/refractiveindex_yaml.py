r"""Reader for refractiveindex.info database files (YAML), parsed with PyYAML.

A file holds ``REFERENCES`` (or ``REFERENCE``), optional ``COMMENTS`` and a ``DATA`` list of
entries.  Supported entry types (wavelengths in the file are in **micrometres**):

* ``tabulated n``, ``tabulated k``, ``tabulated nk``: whitespace-separated rows under ``data``;
* ``formula 1`` ... ``formula 9``: ``coefficients`` ``C1 C2 ...`` and ``wavelength_range``.

``n`` comes from the first entry that gives it (a formula, ``tabulated n`` or ``tabulated nk``) and
``k`` from the first that gives it (``tabulated k`` or ``tabulated nk``); ``k`` defaults to 0.  A
later second source is ignored with a warning (a few pages list a formula and the table computed
from it).  The material's range is the intersection of the ranges of the entries it uses.

Real pages are not always clean; what the database's own pages contain is read, with a
:class:`RefractiveIndexDataWarning` naming the file and the rows:

* rows out of wavelength order are sorted; rows at a repeated wavelength are merged (averaged),
  with a warning naming the rows when their values differ by more than the data's precision
  (one unit in the last printed digit);
* ``k < 0`` no more negative than :data:`K_NOISE` is measurement noise and clipped to 0; more
  negative rows are kept but evaluating the material where the interpolated ``k`` (or ``n``) is
  negative raises ``ValueError`` (the rest of the page stays usable);
* a one-row table gives its value over the wavelength's printed precision (+- half a unit in its
  last digit);
* formula coefficients follow the database convention that coefficients not listed are zero (a
  trailing pair cut short is completed with a 0, with a warning);
* the pre-2018 key ``range`` is read as ``wavelength_range``;
* wavelengths all above :data:`UM_PLAUSIBLE_MAX` um are flagged (:class:`RefractiveIndexUnitWarning`):
  the file may list nm where the database uses um.

:func:`find_page` locates a page in a database checkout in both folder layouts
(``data/<shelf>/<book>/nk/<page>.yml`` since 2024, ``data-nk/<shelf>/<book>/<page>.yml`` and
``data/<shelf>/<book>/<page>.yml`` before).  With :math:`\lambda` in um the formulas
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

(C-numbering is 1-based as in the database; absent coefficients are 0.)  Any problem -- not YAML,
no ``DATA``, an unknown type, a bad coefficient count, malformed rows, no ``n`` -- raises :class:`RefractiveIndexFileError`
(a ``ValueError``) whose message names the file and what is wrong.
"""
from __future__ import annotations

import os
import re
import warnings
from dataclasses import KW_ONLY, dataclass

import numpy as np
import yaml
from numpy.typing import ArrayLike, NDArray

from . import _checks as ck
from .base import Material, check_range

__all__ = ["load_refractiveindex", "find_page", "RefractiveIndexFileError", "RefractiveIndexDataWarning",
           "RefractiveIndexUnitWarning", "RefractiveIndexMaterial", "formula_index", "K_NOISE", "UM_PLAUSIBLE_MAX"]

try:  # libyaml: ~30x faster scanning than the pure-Python scanner, same tokens
    _SafeLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _SafeLoader = yaml.SafeLoader

#: most negative k read as measurement noise and clipped to 0: the typical absolute accuracy of
#: ellipsometric / Kramers-Kronig k (a few 1e-3); more negative rows are refused at evaluation
K_NOISE = 5e-3
#: a page whose wavelengths all exceed this (um) is flagged as possibly written in nm; the
#: database's far-infrared / THz pages (e.g. D2O Asfar, from 250 um) are real and only warned about
UM_PLAUSIBLE_MAX = 100.0


class RefractiveIndexFileError(ValueError):
    """A refractiveindex.info YAML file is malformed or uses an unsupported feature."""


class RefractiveIndexDataWarning(UserWarning):
    """A refractiveindex.info page was read with a correction (merged/sorted rows, clipped k, ...)."""


class RefractiveIndexUnitWarning(RefractiveIndexDataWarning):
    """A refractiveindex.info page's wavelengths are implausible in um (nm written instead?)."""


def _coeff(c: np.ndarray, i: int) -> float:
    """1-based coefficient C_i, zero when the list is shorter (the database omits trailing zeros)."""
    return float(c[i - 1]) if i <= len(c) else 0.0


def formula_index(formula: int, coefficients: ArrayLike, wavelength_um: ArrayLike) -> NDArray[np.complex128]:
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
            C = [0.0] + [_coeff(c, i) for i in range(1, max(len(c), 9) + 1)]  # 1-based, as the database
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
def _check_coefficients(formula: int, c: tuple, where: str) -> tuple:
    """The coefficients, completed by the database convention (absent = 0) when the last pair of a
    formula 1-6 is cut short (with a warning); a count no formula allows raises."""
    n = len(c)
    if formula in (1, 2, 3, 5, 6) or (formula == 4 and n > 9):
        if n % 2 == 0 and n >= 2:
            warnings.warn(f"{where}: formula {formula} lists {n} coefficients, the last pair cut short; "
                          f"the missing C{n + 1} is taken as 0 (the database convention for absent coefficients)",
                          RefractiveIndexDataWarning, stacklevel=3)
            return c + (0.0,)
        return c
    ok = {
        4: n >= 1,
        7: 1 <= n <= 6,
        8: 1 <= n <= 4,
        9: 1 <= n <= 6,
    }[formula]
    if not ok:
        expect = {7: "1 to 6", 8: "1 to 4", 9: "1 to 6", 4: "up to 9, or an odd number beyond"}.get(
            formula, "an odd number (C1 then pairs)"
        )
        raise RefractiveIndexFileError(f"{where}: formula {formula} needs {expect} coefficients, got {n}: {c}")
    return c


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
            if np.any(np.abs(n.imag) > 0) or np.any(n.real <= 0):
                bad = (np.abs(n.imag) > 0) | (n.real <= 0)
                raise ValueError(
                    f"refractiveindex.info material {self.name!r}: formula {self.formula} gives no real positive "
                    f"index at {float(wavelength[bad].ravel()[0]):g} nm; check its coefficients"
                )
        else:
            n = self._interp(self.n_table, wavelength).astype(np.complex128)
            if np.any(n.real <= 0):
                v = float(wavelength[n.real <= 0].ravel()[0])
                raise ValueError(f"refractiveindex.info material {self.name!r}: the file's table gives n <= 0 at "
                                 f"{v:g} nm (not a passive-material index); use another wavelength or page")
        k = 0.0 if self.k_table is None else self._interp(self.k_table, wavelength)
        if np.any(np.asarray(k) < 0):
            v = float(wavelength[np.asarray(k) < 0].ravel()[0])
            raise ValueError(f"refractiveindex.info material {self.name!r}: the file's table gives k < 0 at {v:g} nm, "
                             f"more negative than measurement noise (-{K_NOISE:g}); refused there "
                             "(gain enters through Layer(..., gain=True), see cavity.conventions)")
        return n.real + 1j * k


def _strip_html(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.split())


def _ulp(text: str) -> float:
    """One unit in the last printed digit of a number written as ``text`` ("1.523" -> 1e-3)."""
    mant, _, exp = text.lower().partition("e")
    decimals = len(mant.partition(".")[2])
    try:
        e = int(exp) if exp else 0
    except ValueError:
        e = 0
    return 10.0 ** (e - decimals)


def _rows_list(rows) -> str:
    rows = [int(r) for r in rows]
    return ", ".join(map(str, rows[:8])) + (f" ... ({len(rows)} rows)" if len(rows) > 8 else "")


def _parse_table(entry, columns: int, where: str, typ: str) -> np.ndarray:
    """Rows of a ``tabulated`` entry as an array (wavelength in nm first), sorted and with repeated
    wavelengths merged; tiny negative k clipped (module docstring)."""
    data = entry.get("data")
    if not isinstance(data, str) or not data.strip():
        raise RefractiveIndexFileError(f"{where}: 'data' must be a block of rows of {columns} numbers")
    rows, texts = [], []
    for j, line in enumerate(data.strip().splitlines(), start=1):
        parts = line.split()
        if len(parts) != columns:
            raise RefractiveIndexFileError(f"{where}, data row {j}: expected {columns} numbers, got {line.strip()!r}")
        try:
            rows.append([float(p) for p in parts])
        except ValueError:
            raise RefractiveIndexFileError(f"{where}, data row {j}: not a number in {line.strip()!r}") from None
        texts.append(parts)
    arr = np.asarray(rows)
    if not np.all(np.isfinite(arr)):
        raise RefractiveIndexFileError(f"{where}: table contains NaN or inf")
    if np.min(arr[:, 0]) <= 0:
        raise RefractiveIndexFileError(f"{where}: wavelengths must be > 0 um")
    rownum = np.arange(1, len(arr) + 1)
    step = np.diff(arr[:, 0])
    if np.any(step < 0):
        order = np.argsort(arr[:, 0], kind="stable")
        warnings.warn(f"{where}: rows out of wavelength order (rows {_rows_list(rownum[1:][step < 0])}) were sorted",
                      RefractiveIndexDataWarning, stacklevel=3)
        arr, rownum, texts = arr[order], rownum[order], [texts[i] for i in order]
        step = np.diff(arr[:, 0])
    if np.any(step == 0):
        starts = np.flatnonzero(np.r_[True, step != 0])
        ends = np.r_[starts[1:], len(arr)]
        merged, disagree = [], []
        for s0, s1 in zip(starts, ends):
            group = arr[s0:s1]
            if s1 - s0 > 1:
                ulp = np.array([[_ulp(t) for t in texts[i][1:]] for i in range(s0, s1)]).max(axis=0)
                spread = group[:, 1:].max(axis=0) - group[:, 1:].min(axis=0)
                if np.any(spread > ulp * (1 + 1e-9)):
                    vals = "; ".join(" ".join(texts[i]) for i in range(s0, s1))
                    disagree.append(f"rows {_rows_list(rownum[s0:s1])} ({vals})")
            merged.append(group.mean(axis=0))
        msg = f"{where}: {len(arr) - len(merged)} repeated wavelength row(s) merged (values averaged)"
        if disagree:
            msg += "; their values differ beyond the data's precision at " + ", ".join(disagree[:5])
            msg += f" (and {len(disagree) - 5} more)" if len(disagree) > 5 else ""
        warnings.warn(msg, RefractiveIndexDataWarning, stacklevel=3)
        arr = np.asarray(merged)
    if typ != "tabulated k" and np.any(arr[:, 1] <= 0):
        bad = arr[:, 1] <= 0
        warnings.warn(f"{where}: n <= 0 at {int(bad.sum())} wavelength(s) from {arr[bad, 0][0]:g} um; the material "
                      "refuses evaluation where the interpolated n <= 0", RefractiveIndexDataWarning, stacklevel=3)
    k_col = {"tabulated k": 1, "tabulated nk": 2}.get(typ)
    if k_col is not None and np.any(arr[:, k_col] < 0):
        k = arr[:, k_col]
        tiny = (k < 0) & (k >= -K_NOISE)
        large = k < -K_NOISE
        if np.any(tiny):
            warnings.warn(f"{where}: {int(tiny.sum())} slightly negative k value(s) (>= -{K_NOISE:g}, measurement noise) "
                          f"clipped to 0, first at {arr[tiny, 0][0]:g} um", RefractiveIndexDataWarning, stacklevel=3)
            k[tiny] = 0.0
        if np.any(large):
            warnings.warn(f"{where}: k < -{K_NOISE:g} (down to {k.min():g}) at {int(large.sum())} wavelength(s) from "
                          f"{arr[large, 0][0]:g} um: not noise; the material refuses evaluation where the "
                          "interpolated k < 0", RefractiveIndexDataWarning, stacklevel=3)
    if len(arr) == 1:
        half = 0.5 * _ulp(texts[0][0])
        warnings.warn(f"{where}: a single row; its value is used over the wavelength's printed precision "
                      f"({arr[0, 0]:g} +- {half:g} um)", RefractiveIndexDataWarning, stacklevel=3)
        arr = np.array([[arr[0, 0] - half, *arr[0, 1:]], [arr[0, 0] + half, *arr[0, 1:]]])
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
        for token in yaml.scan(text, Loader=_SafeLoader):
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
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml's own limit (1000 levels) met before ours
            raise RefractiveIndexFileError(f"{path}: YAML nested deeper than {MAX_YAML_DEPTH} levels ({exc})") from None
        raise RefractiveIndexFileError(f"{path}: not valid YAML ({exc})") from None


def load_refractiveindex(path: str | os.PathLike[str], *, name: str | None = None) -> RefractiveIndexMaterial:
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
    n_range = k_range = None
    for i, entry in enumerate(data):
        where = f"{path}: DATA[{i}]"
        if not isinstance(entry, dict) or "type" not in entry:
            raise RefractiveIndexFileError(f"{where}: each entry must be a mapping with a 'type'")
        typ = " ".join(str(entry["type"]).split())
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
            c = _check_coefficients(f, c, where)
            wr = entry.get("wavelength_range", entry.get("range"))  # "range" before 2018
            try:
                lo, hi = (float(x) for x in str(wr).split())
            except (TypeError, ValueError):
                raise RefractiveIndexFileError(
                    f"{where}: formula entries need 'wavelength_range: <min> <max>' in um, got {wr!r}"
                ) from None
            if not 0 < lo < hi:
                raise RefractiveIndexFileError(f"{where}: wavelength_range must satisfy 0 < min < max (um), got {wr!r}")
            if n_src is None:
                formula, coefficients, n_range, n_src = f, c, (lo * 1000.0, hi * 1000.0), i
                continue
        elif typ in ("tabulated n", "tabulated k", "tabulated nk"):
            arr = _parse_table(entry, 3 if typ == "tabulated nk" else 2, where, typ)
            rng = (arr[0, 0], arr[-1, 0])
            gives_n, gives_k = typ != "tabulated k", typ != "tabulated n"
            if gives_n and n_src is None:
                n_table, n_range, n_src = tuple(map(tuple, arr[:, :2])), rng, i
            elif gives_n:
                warnings.warn(f"{where}: a second source of n, ignored (n comes from DATA[{n_src}])",
                              RefractiveIndexDataWarning, stacklevel=2)
            if gives_k and k_src is None:
                k_table, k_range, k_src = tuple(map(tuple, arr[:, ::2] if typ == "tabulated nk" else arr)), rng, i
            elif gives_k:
                warnings.warn(f"{where}: a second source of k, ignored (k comes from DATA[{k_src}])",
                              RefractiveIndexDataWarning, stacklevel=2)
            continue
        else:
            raise RefractiveIndexFileError(
                f"{where}: unsupported type {typ!r}; supported: tabulated n, tabulated k, tabulated nk, formula 1-9"
            )
        warnings.warn(f"{where}: a second source of n, ignored (n comes from DATA[{n_src}])",
                      RefractiveIndexDataWarning, stacklevel=2)
    if n_src is None:
        raise RefractiveIndexFileError(f"{path}: no entry gives n (only k was found): a page of extinction "
                                       "coefficients alone cannot define a refractive index")
    ranges: list = [n_range] + ([k_range] if k_range is not None else [])
    lo = max(r[0] for r in ranges)
    hi = min(r[1] for r in ranges)
    if not lo < hi:
        raise RefractiveIndexFileError(f"{path}: the n and k entries do not overlap in wavelength "
                                       f"(n {ranges[0][0]:g}-{ranges[0][1]:g} nm, k {ranges[-1][0]:g}-{ranges[-1][1]:g} nm)")
    if min(r[0] for r in ranges) > UM_PLAUSIBLE_MAX * 1000.0:
        warnings.warn(f"{path}: every wavelength is above {UM_PLAUSIBLE_MAX:g} um ({lo / 1000:g}-{hi / 1000:g} um): "
                      "refractiveindex.info files list um; if this file lists nm, divide its wavelengths by 1000",
                      RefractiveIndexUnitWarning, stacklevel=2)
    if name is None:
        name = os.path.splitext(os.path.basename(path))[0]
    return RefractiveIndexMaterial(
        formula, coefficients, n_table, k_table, name=name, reference=reference, wavelength_range=(lo, hi)
    )


#: folder layouts of the database, newest first: {root}/{shelf}/{book}/{page}.yml patterns
_LAYOUTS = ("data/{shelf}/{book}/nk/{page}.yml",      # since 2024 (nk/ and n2/ per book)
            "data-nk/{shelf}/{book}/{page}.yml",       # 2024 ("data-nk", "catalog-nk.yml")
            "data/{shelf}/{book}/{page}.yml")          # 2017-2023


def find_page(database: str | os.PathLike[str], page: str) -> str:
    """Path of a page of a refractiveindex.info database checkout, in either folder layout.

    Parameters
    ----------
    database : str or os.PathLike
        The checkout's ``database`` folder (the one holding ``data/`` or ``data-nk/``), or the
        repository root holding ``database/``.
    page : str
        ``"shelf/book/page"`` as on the website, e.g. ``"main/Ag/Johnson"``.

    Returns
    -------
    str
        The first existing file among ``data/<shelf>/<book>/nk/<page>.yml`` (current layout),
        ``data-nk/<shelf>/<book>/<page>.yml`` and ``data/<shelf>/<book>/<page>.yml`` (older).

    Raises
    ------
    FileNotFoundError
        No layout holds the page (the message lists the paths tried).
    """
    parts = str(page).strip("/").split("/")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"page must be 'shelf/book/page' (e.g. 'main/Ag/Johnson'), got {page!r}")
    shelf, book, leaf = parts
    leaf = leaf[:-4] if leaf.endswith(".yml") else leaf
    root = os.fspath(database)
    tried = []
    for base in (root, os.path.join(root, "database")):
        for layout in _LAYOUTS:
            p = os.path.join(base, *layout.format(shelf=shelf, book=book, page=leaf).split("/"))
            if os.path.isfile(p):
                return p
            tried.append(p)
    raise FileNotFoundError(f"page {page!r} not found in the refractiveindex.info database at {root!r}; tried: "
                            + ", ".join(tried))

"""The R-oracle harness: R snippets (roracle/snippets.R) with the value R gave each
(roracle/oracle.json, recorded by scripts/record_r_oracle.R), and the comparison of a
translated run's ``out`` with R's.

Kinds compared: vector (R type logical / numeric (integer and double alike) / character,
values, names), factor (levels in order, ordered or not, labels), matrix (dim, values in
column-major order, dimnames), data.frame (column names and each column; row names when they
are not numbers), list (names and items), NULL. Numbers agree to 1e-10 relative (1e-12
absolute); NA in R is None, NaN or pandas' NA in Python.

Run ``python tests/translate/_r_oracle.py`` for the agreement figures (differing snippets
listed with their first difference).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent / "roracle"


def oracle() -> dict[str, Any]:
    """The recorded R results: r_version, packages, command, preamble, snippets."""
    return json.loads((HERE / "oracle.json").read_text("utf-8"))  # type: ignore[no-any-return]


def _listify(v: Any) -> list[Any]:
    """jsonlite's auto_unbox writes a length-1 vector as a scalar."""
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _values(r: dict[str, Any]) -> list[Any]:
    """A serialised value's elements: auto_unbox writes one NA as null (not an empty vector,
    which is [])."""
    return [None] if r["values"] is None else _listify(r["values"])


def _r_double(t: Any) -> float | None:
    """A double written as "%.17g" text: NA is None."""
    if t is None or t == "NA":
        return None
    return float(t)


def _is_na(x: Any) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, float | np.floating):
        return bool(np.isnan(x))
    return False


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and \
        not isinstance(x, bool | np.bool_)


def _names_of(py: Any) -> list[str] | None:
    """A Python vector's R names: a dict's keys, or a Series' text index."""
    if isinstance(py, Mapping):
        return [str(k) for k in py]
    if isinstance(py, pd.Series) and len(py) and \
            all(isinstance(i, str) for i in py.index):
        return list(py.index)
    return None


def _flat(py: Any) -> list[Any] | None:
    """The elements of a Python vector (None when ``py`` is not one)."""
    if isinstance(py, pd.DataFrame):
        return None
    if isinstance(py, Mapping):
        vals = list(py.values())
        return vals if all(np.ndim(v) == 0 for v in vals) else None
    if isinstance(py, pd.Series | pd.Index | pd.Categorical | pd.api.extensions.ExtensionArray):
        return list(py)
    if isinstance(py, np.ndarray):
        return list(py.ravel()) if py.ndim <= 1 else None
    if isinstance(py, list | tuple | range):
        return list(py) if all(np.ndim(v) == 0 for v in py) else None
    if np.ndim(py) == 0:
        return [py.item() if isinstance(py, np.generic) else py]
    return None


def _values_differ(rtype: str, rvals: list[Any], got: list[Any], where: str) -> str | None:
    if len(rvals) != len(got):
        return f"{where}: length {len(got)}, R {len(rvals)}"
    for k, (r, p) in enumerate(zip(rvals, got)):
        if rtype == "double":
            r = _r_double(r)
        if r is None:
            if not _is_na(p):
                return f"{where}[{k + 1}]: {p!r}, R NA"
            continue
        if _is_na(p):
            return f"{where}[{k + 1}]: NA, R {r!r}"
        if rtype == "logical":
            if not isinstance(p, bool | np.bool_) or bool(p) != r:
                return f"{where}[{k + 1}]: {p!r}, R {r!r} (logical)"
        elif rtype in ("integer", "double"):
            if not _is_number(p):
                return f"{where}[{k + 1}]: {p!r} ({type(p).__name__}), R number {r!r}"
            if not (math.isclose(float(p), float(r), rel_tol=1e-10, abs_tol=1e-12) or
                    math.isinf(r) and float(p) == r or math.isnan(r) and math.isnan(p)):
                return f"{where}[{k + 1}]: {p!r}, R {r!r}"
        elif rtype == "character":
            if not isinstance(p, str) or p != r:
                return f"{where}[{k + 1}]: {p!r}, R {r!r} (character)"
    return None


def _numeric_rowname(n: str) -> bool:
    try:
        float(n)
    except ValueError:
        return False
    return True


def differ(r: dict[str, Any], py: Any, where: str = "out") -> str | None:
    """The first difference between R's serialised value ``r`` and the Python value ``py``;
    None when they agree."""
    kind = r["kind"]
    if kind == "NULL":
        return None if py is None else f"{where}: {type(py).__name__}, R NULL"
    if kind == "data.frame":
        if not isinstance(py, pd.DataFrame):
            return f"{where}: {type(py).__name__}, R data.frame"
        names = _listify(r["names"])
        if [str(c) for c in py.columns] != names:
            return f"{where}: columns {list(py.columns)}, R {names}"
        if len(py) != r["nrow"]:
            return f"{where}: {len(py)} rows, R {r['nrow']}"
        rn = _listify(r["row_names"])
        if rn and not all(_numeric_rowname(n) for n in rn) and \
                [str(i) for i in py.index] != rn:
            return f"{where}: row names {[str(i) for i in py.index][:5]}, R {rn[:5]}"
        for k, (name, col) in enumerate(zip(names, r["columns"])):
            got = differ(col, py.iloc[:, k].reset_index(drop=True), f"{where}${name}")
            if got:
                return got
        return None
    if kind == "list":
        items = r["items"]
        names = _listify(r["names"])
        if isinstance(py, Mapping):
            keys = [str(k) for k in py]
            if names and keys != names:
                return f"{where}: names {keys}, R {names}"
            vals = list(py.values())
        elif isinstance(py, list | tuple):
            if names:
                return f"{where}: unnamed {type(py).__name__}, R names {names}"
            vals = list(py)
        else:
            return f"{where}: {type(py).__name__}, R list"
        if len(vals) != len(items):
            return f"{where}: length {len(vals)}, R {len(items)}"
        for k, (ri, pi) in enumerate(zip(items, vals)):
            got = differ(ri, pi, f"{where}[[{names[k] if names else k + 1}]]")
            if got:
                return got
        return None
    if kind == "factor":
        levels = _listify(r["levels"])
        cat = py.dtype if isinstance(py, pd.Series) else py
        if isinstance(getattr(cat, "categories", None), pd.Index) and hasattr(cat, "ordered"):
            got_levels = [str(c) for c in cat.categories]
            ordered = bool(cat.ordered)
        else:
            # a translation holds a factor with R's default levels as its text labels
            # (rfactorlevels.py): its levels are what levels() of it gives
            from asr_py.translate.runtime import r_levels

            flat = _flat(py)
            if flat is None or not all(isinstance(x, str) or _is_na(x) for x in flat):
                return f"{where}: {type(py).__name__}, R factor"
            got_levels, ordered = [str(c) for c in r_levels(py)], False
        if got_levels != levels:
            return f"{where}: levels {got_levels}, R {levels}"
        if ordered != bool(r["ordered"]):
            return f"{where}: ordered {ordered}, R {r['ordered']}"
        got = [None if _is_na(x) else str(x) for x in list(py)]
        return _values_differ("character", _values(r), got, where)
    if kind == "matrix":
        dim = _listify(r["dim"])
        if isinstance(py, pd.DataFrame):
            arr = py.to_numpy()
            rows, cols = [str(i) for i in py.index], [str(c) for c in py.columns]
        elif isinstance(py, np.ndarray) and py.ndim == 2:
            arr, rows, cols = py, None, None
        else:
            return f"{where}: {type(py).__name__}, R matrix {dim}"
        if list(arr.shape) != dim:
            return f"{where}: shape {list(arr.shape)}, R {dim}"
        rn, cn = _listify(r["rownames"]), _listify(r["colnames"])
        if rn and rows != rn:
            return f"{where}: row names {rows}, R {rn}"
        if cn and cols != cn:
            return f"{where}: column names {cols}, R {cn}"
        return _values_differ(r["type"], _values(r),
                              list(arr.ravel(order="F")), where)
    if kind == "vector":
        if isinstance(py, pd.Series) and isinstance(py.dtype, pd.CategoricalDtype):
            return f"{where}: factor, R {r['type']} vector"
        got = _flat(py)
        if got is None:
            return f"{where}: {type(py).__name__}, R {r['type']} vector"
        got = [x.item() if isinstance(x, np.generic) else x for x in got]
        names = _listify(r["names"])
        pn = _names_of(py)
        if names and isinstance(py, pd.Series):     # a table of numbers: labels 1, 2, 3
            pn = [None if _is_na(i) else str(i) for i in py.index]    # NA: R's NA name
        if names and pn != names:
            return f"{where}: names {pn}, R {names}"
        if not names and pn:
            return f"{where}: names {pn}, R none"
        return _values_differ(r["type"], _values(r), got, where)
    return f"{where}: R kind {kind} is not compared"


def run_snippet(preamble: str, code: str) -> Any:
    """Translate preamble + snippet, run it (stdout and warnings muted), return ``out``."""
    from _translate_fixtures import run_py

    from asr_py.translate import translate

    py = translate(preamble + "\n" + code + "\n")
    old = os.environ.get("ASR_PY_GRAPHICS")
    os.environ["ASR_PY_GRAPHICS"] = "off"        # values only (heatmap()): no Rplots.pdf
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            ns = run_py(py, __name__="__translated__")
    finally:
        if old is None:
            os.environ.pop("ASR_PY_GRAPHICS", None)
        else:
            os.environ["ASR_PY_GRAPHICS"] = old
    return ns["out"]


def check(name: str, o: dict[str, Any] | None = None) -> str | None:
    """The first difference for snippet ``name`` (an exception counts as one). A snippet R
    stopped with an error agrees when the translation raises asr_py's error saying R's
    message."""
    from asr_py.errors import AsrError

    o = o or oracle()
    snip = o["snippets"][name]
    try:
        got = run_snippet(o["preamble"], snip["code"])
    except AsrError as e:
        if "error" in snip and snip["error"] in str(e):
            return None
        return f"raised AsrError: {str(e).splitlines()[0] if str(e) else ''}"
    except Exception as e:  # noqa: BLE001 - a failing translation is a difference
        return f"raised {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    if "error" in snip:
        return f"no error, R: {snip['error']}"
    return differ(snip["value"], got)


def main() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    o = oracle()
    bad = {}
    for name in o["snippets"]:
        d = check(name, o)
        if d:
            bad[name] = d
    for name, d in bad.items():
        print(f"DIFFER {name}: {d}")
    n = len(o["snippets"])
    print(f"R oracle ({o['r_version']}): {n - len(bad)} agree / {len(bad)} differ of {n}")


if __name__ == "__main__":
    main()

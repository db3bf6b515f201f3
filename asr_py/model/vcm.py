"""The ``vcm=`` argument (ASReml-R 4's variance-parameter constraints) as a matrix M with
θ = c + M φ (:mod:`asr_py.reml.constraints`), built from the component names.

Accepted forms (rows are variance parameters by their ``varcomp`` names):

* a dict ``{"phi": ["A", "B"], ...}``: the listed components are equal (coefficient 1);
  ``{"phi": {"A": 1.0, "B": 0.5}}``: θ_A = φ, θ_B = 0.5 φ (a fixed ratio);
* a DataFrame with component names as index and one numeric column per φ (ASReml's
  ``vcm`` matrix; :func:`vcm_lm` builds one from a start-values table);
* a numpy array with one row per variance parameter, in order.

Components not named keep their own free parameter; 'F' (fixed) components cannot be
constrained. M must have full column rank over the free components.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError


def _index(name: Any, names: Sequence[str]) -> int:
    if name in names:
        return list(names).index(name)
    close = difflib.get_close_matches(str(name), list(names), n=1, cutoff=0.6)
    raise AsrError(f"vcm: no variance parameter named {name!r}",
                   hint=f"did you mean {close[0]!r}?" if close else
                   "names as in varcomp / start_values=True: " + ", ".join(names))


def _columns(vcm: Any, names: Sequence[str]) -> list[tuple[str, dict[int, float]]]:
    """[(φ name, {θ index: coefficient})] of the user's constrained parameters."""
    nt = len(names)
    if isinstance(vcm, dict):
        out = []
        for key, spec in vcm.items():
            if isinstance(spec, dict):
                coef = {_index(k, names): float(v) for k, v in spec.items()}
            elif isinstance(spec, (list, tuple)):
                coef = {_index(k, names): 1.0 for k in spec}
            else:
                raise AsrError(f"vcm: the entry {key!r} is {type(spec).__name__}",
                               hint="give a list of component names (equal) or a dict "
                                    "{component: coefficient}")
            out.append((str(key), coef))
        return out
    if isinstance(vcm, pd.DataFrame):
        rows = [_index(r, names) for r in vcm.index]
        out = []
        for col in vcm.columns:
            vals = pd.to_numeric(vcm[col], errors="coerce").to_numpy(dtype=float)
            if not np.all(np.isfinite(vals)):
                raise AsrError(f"vcm: column {col!r} has a missing or non-numeric entry",
                               hint="a vcm matrix holds coefficients (0 where unrelated)")
            out.append((str(col), {r: v for r, v in zip(rows, vals) if v != 0}))
        return out
    arr = np.asarray(vcm, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != nt:
        raise AsrError(f"vcm: a matrix needs one row per variance parameter ({nt}); got "
                       f"shape {arr.shape}", hint="or give a dict of component names")
    return [(f"phi{j + 1}", {i: float(v) for i, v in enumerate(arr[:, j]) if v != 0})
            for j in range(arr.shape[1])]


def constraint_matrix(vcm: Any, names: Sequence[str], constraints: Sequence[str],
                      kinds: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """(M, φ names): the user's columns, then one identity column per free parameter not
    named (their φ name is the component name)."""
    names = list(names)
    cols = _columns(vcm, names)
    used: dict[int, str] = {}
    for key, coef in cols:
        if not coef:
            raise AsrError(f"vcm: the parameter {key!r} maps onto no component",
                           hint="every column needs a nonzero coefficient")
        for k in coef:
            if k in used:
                raise AsrError(f"vcm: {names[k]!r} appears in both {used[k]!r} and {key!r}",
                               hint="each variance parameter follows one free parameter")
            used[k] = key
            if str(constraints[k]).upper() == "F":
                raise AsrError(f"vcm: {names[k]!r} is fixed ('F') and cannot be constrained",
                               hint="drop it from vcm or free it in params=")
        ks = {kinds[k] for k in coef}
        if len(ks) > 1:
            raise AsrError(f"vcm: {key!r} ties parameters of different kinds ({sorted(ks)})",
                           hint="constrain variances with variances, correlations with "
                                "correlations")
    nt = len(names)
    M_cols, phi_names = [], []
    for key, coef in cols:
        col = np.zeros(nt)
        for k, v in coef.items():
            col[k] = v
        M_cols.append(col)
        phi_names.append(key)
    for k in range(nt):
        if k not in used and str(constraints[k]).upper() != "F":
            col = np.zeros(nt)
            col[k] = 1.0
            M_cols.append(col)
            phi_names.append(names[k])
    M = np.column_stack(M_cols) if M_cols else np.zeros((nt, 0))
    if M.shape[1] and np.linalg.matrix_rank(M) < M.shape[1]:
        raise AsrError("vcm: the constraint matrix does not have full column rank",
                       hint="two free parameters map onto the same components")
    return M, phi_names


def vcm_lm(formula: str, table: pd.DataFrame) -> pd.DataFrame:
    """A vcm matrix from a start-values table with an added column (ASReml-R 4's
    ``vcm.lm(~ f, data = sv)``): ``"~ f"`` with f a column of group labels makes the
    components with the same label equal (one φ per label; rows with a missing label stay
    free); ``"~ f:r"`` with a numeric column r gives θ_k = r_k φ_f (fixed ratios within a
    group). Index: the table's Component names."""
    rhs = formula.split("~", 1)[-1].strip()
    parts = [p.strip() for p in rhs.split(":")]
    if "Component" not in table.columns or not parts or not parts[0] or len(parts) > 2:
        raise AsrError(f"vcm_lm({formula!r}): use '~ f' or '~ f:r' on a start-values table",
                       hint="sv = asr.asreml(..., start_values=True); sv['f'] = [...]")
    for p in parts:
        if p not in table.columns:
            raise AsrError(f"vcm_lm: the table has no column {p!r}",
                           hint="add it to the start-values table first")
    grp = table[parts[0]]
    ratio = (pd.to_numeric(table[parts[1]], errors="coerce") if len(parts) == 2
             else pd.Series(1.0, index=table.index))
    keep = grp.notna().to_numpy()
    if len(parts) == 2 and not np.all(np.isfinite(ratio[keep])):
        raise AsrError(f"vcm_lm: column {parts[1]!r} needs a number on every grouped row")
    levels = list(dict.fromkeys(grp[keep]))
    out = pd.DataFrame(0.0, index=table["Component"][keep].to_numpy(),
                       columns=[str(v) for v in levels])
    for comp, g, r in zip(table["Component"][keep], grp[keep], ratio[keep]):
        out.loc[comp, str(g)] = float(r)
    return out


__all__ = ["constraint_matrix", "vcm_lm"]

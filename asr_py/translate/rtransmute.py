"""dplyr's ``transmute()`` and base R's ``eigen()`` for translated scripts.

* ``transmute(d, a, b = expr)`` (dplyr 1.1): the columns it names, in that order — a bare
  name keeps that column, ``name = expr`` makes one as ``mutate()`` does; nothing else
  of ``d`` is kept. Translated as ``mutate()`` of the new columns, then that column
  selection (:func:`transmute`).
* purrr's ``pluck(x, "a", 2)``: ``x[["a"]][[2]]`` (a name as ``x$a``, so that ``pluck(pred,
  "vcov")`` of an asreml prediction reads as ``pred$vcov``) (:func:`pluck_as_index`).
* ``eigen(x, symmetric, only.values)`` (R 4.2 ``?eigen``): a list with ``values`` in
  decreasing order (of modulus, for a non-symmetric matrix) and ``vectors`` (columns, unit
  length); ``symmetric`` defaults to ``isSymmetric(x)`` and a symmetric x uses only its
  lower triangle; ``only.values = TRUE`` gives ``vectors = NULL`` (:func:`r_eigen`).
* ``model.frame(formula, data)`` (R's default ``na.action = na.omit``): the formula's
  variables, response first, as columns, rows with a missing value in any of them dropped
  (row names kept) (:func:`r_model_frame`; variables written bare, no ``log(y)``).
* ``crossprod(x, y)`` is ``t(x) %*% y`` (``crossprod(x)``: ``t(x) %*% x``), ``tcrossprod(x,
  y)`` is ``x %*% t(y)``; a vector is a one-column matrix there (R's rule).
* ``split(x, f)``: a list named by f's levels (sorted, R's factor() order) of x's elements
  (a data frame's rows) at each level; ``drop = FALSE`` keeps every level.
* ``outer(X, Y, paste, sep = s)``: FUN's extra arguments (:func:`r_paste_sep`).
* asreml's ``mbf = list(obj = list(key = c("col", "col"), cov = "M"))``: asr_py's
  ``mbf={'obj': {'key': ['col', 'col'], 'cov': 'M'}}`` with the table ``M=M`` (:func:`mbf_arg`).
* ``atan``, ``sin``, ``cos``, ``tan``, ``asin``, ``acos``, ``atan2`` (:func:`r_trig`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable
from asr_py.translate.renvcols import formula_names

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.translate.asreml_rules import Translator

__all__ = ["mbf_arg", "pluck_as_index", "r_crossprod", "r_eigen", "r_model_frame",
           "r_paste_sep", "r_split", "r_tcrossprod", "r_trig", "transmute"]


def transmute(tr: Translator, e: R) -> str:
    """``transmute(d, ...)`` -> ``mutate(d, <named>)[[<every argument's name>]]``."""
    args = e.args
    if not args or args[0][0] is not None:
        raise Untranslatable("transmute() without its data frame first")
    keep: list[str] = []
    made: list[tuple[str | None, R]] = [args[0]]
    for n, a in args[1:]:
        if n is None and a.kind in ("name", "str"):
            keep.append(a.value)              # a bare column name: kept as it is
        elif n is not None and not n.startswith("."):
            keep.append(n)
            made.append((n, a))
        else:
            raise Untranslatable(f"transmute({tr.src(a)})")
    base = tr.transform(R("call", "mutate", made, start=e.start, end=e.end)) \
        if len(made) > 1 else tr.py(args[0][1])
    return f"{base}[{list(dict.fromkeys(keep))!r}]"


def pluck_as_index(e: R) -> R:
    """``pluck(x, k1, k2, ...)`` as the R expression ``x$k1[[k2]]...`` it stands for."""
    out = e.args[0][1]
    for n, k in e.args[1:]:
        if n is not None:
            raise Untranslatable(f"pluck({n} = ...)")
        if k.kind == "str" and k.value.isidentifier():
            out = R("dollar", k.value, left=out, start=e.start, end=e.end)
        else:
            out = R("index", "[[", [(None, k)], left=out, start=e.start, end=e.end)
    return out


def mbf_arg(tr: Translator, a: R) -> tuple[str, list[str]] | None:
    """``mbf={...}`` and the covariate tables it names, or None (not that literal form)."""
    if not (a.kind == "call" and a.value == "list" and a.args):
        return None
    entries: list[str] = []
    tables: list[str] = []
    for obj, spec in a.args:
        if obj is None or spec.kind != "call" or spec.value != "list":
            return None
        parts = dict(spec.args)
        if set(parts) != {"key", "cov"} or None in parts:
            return None
        cov = parts["cov"]
        if cov.kind not in ("str", "name"):
            return None
        tables.append(cov.value)
        entries.append(f"{obj!r}: {{'key': {tr.py(parts['key'])}, 'cov': {cov.value!r}}}")
    return "mbf={" + ", ".join(entries) + "}", tables


def r_eigen(x: Any, symmetric: bool | None = None, only_values: bool = False
            ) -> dict[str, Any]:
    """R's ``eigen(x)``: ``{'values': ..., 'vectors': ...}`` as R orders them."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    a = np.asarray(x.to_numpy() if isinstance(x, pd.DataFrame) else x, dtype=float)
    if a.ndim == 0:
        a = a.reshape(1, 1)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise AsrError(f"eigen(): non-square matrix (shape {a.shape})",
                       hint="eigen() needs a square matrix")
    if not np.isfinite(a).all():
        raise AsrError("eigen(): infinite or missing values in 'x'")
    if symmetric is None:
        symmetric = bool(np.allclose(a, a.T, rtol=100 * np.finfo(float).eps, atol=0))
    if symmetric:
        vals, vecs = np.linalg.eigh(np.tril(a) + np.tril(a, -1).T)
        order = np.argsort(-vals, kind="stable")
    else:
        vals, vecs = np.linalg.eig(a)
        order = np.argsort(-np.abs(vals), kind="stable")
        if np.all(np.abs(vals.imag) == 0):
            vals, vecs = vals.real, vecs.real
    return {"values": vals[order], "vectors": None if only_values else vecs[:, order]}


def r_model_frame(formula: Any, data: Any) -> pd.DataFrame:
    """R's ``model.frame(formula, data)`` of a formula of bare variable names."""
    for v in (formula, data):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    text = str(formula)
    if not isinstance(data, pd.DataFrame):
        raise AsrError(f"model.frame(): data must be a data frame, not {type(data).__name__}",
                       hint="give data = the data frame the formula's variables are in")
    if re.search(r"[\w.]\s*\(", text.replace("~", " ")):
        raise AsrError(f"model.frame({text!r}): a function of a variable is not supported",
                       hint="make that column first (mutate()), then name it in the formula")
    names = formula_names(text)
    missing = [n for n in names if n not in data.columns]
    if missing:
        raise AsrError(f"model.frame(): {', '.join(map(repr, missing))} not in the data",
                       hint="columns are: " + ", ".join(map(str, data.columns[:20])))
    out = data[names]
    return out[out.notna().all(axis=1)]


def _as_matrix(x: Any) -> np.ndarray:
    a = np.asarray(x.to_numpy() if isinstance(x, (pd.DataFrame, pd.Series)) else x,
                   dtype=float)
    return a.reshape(-1, 1) if a.ndim <= 1 else a


def _dimnames(x: Any, axis: int) -> pd.Index | None:
    """A matrix's row (0) or column (1) names as translate holds them (a data frame's
    non-default index or columns); None when it has none."""
    if not isinstance(x, pd.DataFrame):
        return None
    ix = x.index if axis == 0 else x.columns
    return None if isinstance(ix, pd.RangeIndex) else ix


def _named(out: np.ndarray, rows: pd.Index | None, cols: pd.Index | None) -> Any:
    """``out`` with R's dimnames of the product (a data frame when it has any)."""
    if rows is None and cols is None:
        return out
    return pd.DataFrame(out, index=rows, columns=cols)


def r_crossprod(x: Any, y: Any = None) -> np.ndarray:
    """R's ``crossprod(x, y)`` = ``t(x) %*% y`` (y = x when missing), dimnames
    (colnames(x), colnames(y)) as R's."""
    for v in (x, y):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    a = _as_matrix(x)
    b = a if y is None else _as_matrix(y)
    if a.shape[0] != b.shape[0]:
        raise AsrError(f"crossprod(): non-conformable arguments ({a.shape[0]} and "
                       f"{b.shape[0]} rows)", hint="t(x) %*% y needs as many rows in x as y")
    return _named(a.T @ b, _dimnames(x, 1), _dimnames(x if y is None else y, 1))


def r_tcrossprod(x: Any, y: Any = None) -> np.ndarray:
    """R's ``tcrossprod(x, y)`` = ``x %*% t(y)`` (y = x when missing), dimnames
    (rownames(x), rownames(y)) as R's (fa_outs.R indexes ``A %*% tcrossprod(D, A)`` by the
    environments' names)."""
    for v in (x, y):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    a = _as_matrix(x)
    b = a if y is None else _as_matrix(y)
    if a.shape[1] != b.shape[1]:
        raise AsrError(f"tcrossprod(): non-conformable arguments ({a.shape[1]} and "
                       f"{b.shape[1]} columns)", hint="x %*% t(y) needs as many columns")
    return _named(a @ b.T, _dimnames(x, 0), _dimnames(x if y is None else y, 0))


def r_split(x: Any, f: Any, drop: bool = False) -> dict[str, Any]:
    """R's ``split(x, f)``: {level: the elements (rows) of x at that level}."""
    for v in (x, f):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    from asr_py.translate.runtime import r_labels

    n = len(x)
    keys = pd.Series(list(f) if np.ndim(f) else [f])
    if n % len(keys):
        raise AsrError(f"split(): the grouping has {len(keys)} values for {n} elements",
                       hint="R recycles f only when its length divides x's")
    keys = pd.Series(np.resize(keys.to_numpy(dtype=object), n))
    if isinstance(f, pd.Series) and isinstance(f.dtype, pd.CategoricalDtype):
        levels = [str(v) for v in f.cat.categories]
    else:
        vals = keys.dropna().unique()
        try:
            vals = sorted(vals)
        except TypeError:
            vals = sorted(vals, key=str)
        levels = [str(r_labels(v)) for v in vals]
    labels = np.array([None if pd.isna(v) else str(r_labels(v)) for v in keys], dtype=object)
    out: dict[str, Any] = {}
    for lev in levels:
        at = np.nonzero(labels == lev)[0]
        if drop and not at.size:
            continue
        if isinstance(x, (pd.DataFrame, pd.Series)):
            out[lev] = x.iloc[at]
        elif isinstance(x, np.ndarray):
            out[lev] = x[at]
        else:
            items = list(x.values()) if isinstance(x, dict) else list(x)
            out[lev] = [items[i] for i in at]
    return out


def r_paste_sep(sep: Any, collapse: None = None) -> Any:
    """paste(a, b, sep = s) as the function outer() applies to its expanded grids."""
    if collapse is not None:
        raise AsrError("outer(X, Y, paste, collapse = ): one string, not a matrix",
                       hint="drop collapse= inside outer()")
    s = str(sep)

    def paste(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        from asr_py.translate.runtime import r_labels

        fa = np.vectorize(lambda v: str(r_labels(v)), otypes=[object])
        return np.asarray(fa(a) + s + fa(b), dtype=object)

    return paste


_TRIG = {"atan": np.arctan, "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin,
         "acos": np.arccos}


def r_trig(fun: str, x: Any, y: Any = None) -> Any:
    """R's trigonometric functions (radians); ``atan2(y, x)``."""
    for v in (x, y):
        if isinstance(v, Untranslated):
            return v._use()
    if fun == "atan2":
        return np.arctan2(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    out = _TRIG[fun](np.asarray(x.to_numpy() if isinstance(x, (pd.Series, pd.DataFrame))
                                else x, dtype=float))
    return out.item() if np.ndim(out) == 0 else out

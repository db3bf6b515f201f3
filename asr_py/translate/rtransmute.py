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

__all__ = ["pluck_as_index", "r_eigen", "r_model_frame", "transmute"]


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

"""asremlPlus's ``estimateV``: the fitted variance matrix of the data,

    V = Σ_k Z_k G_k(θ̂) Z_k' + R(θ̂),      G = Σ_k Z_k G_k Z_k',

from the fit's random terms (``which_matrix="G"``), its residual (``"R"``) or both (``"V"``,
the default), in the order of the data rows the fit uses. A random term is left out when it
is named in ``fixed_spline_terms`` or ``ignore_terms``, or when all of its variance parameters
carry a constraint code in ``bound_exclusions`` (asremlPlus: "not included in V because it is
bound", with a warning). ``extra_matrix`` is added to the result.

Records whose response is missing: asreml keeps them in its model (``na.action =
na.method(y = "include")``, asreml's default), so its V has one row per data row; asr_py's
fit leaves them out. V is then built on :func:`all_rows_model`, the fit's model compiled
again over every data row (the response's missing values filled: V does not depend on y), at
the fitted θ. With ``na_action={"y": "omit"}`` given, V has the records fitted only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.vcov.base import to_dense
from asr_py.warning_classes import AsrWarning

__all__ = ["all_rows_model", "estimateV"]

_BOUND = ("F", "B", "S", "C")


def _term_key(term: str) -> frozenset[str]:
    """A term's factors, order, spaces and quotes ignored: ``B:A`` is ``A:B``,
    ``at(S, 'SW')`` is ``at(S, SW)``."""
    return frozenset(p for p in re.sub(r"[\s'\"]+", "", term).split(":") if p)


def _check_terms(names: Iterable[str] | None, keys: dict[frozenset[str], str], arg: str
                 ) -> set[frozenset[str]]:
    if names is None:
        return set()
    names = [names] if isinstance(names, str) else list(names)
    out = set()
    for t in names:
        k = _term_key(str(t))
        if k not in keys:
            raise AsrError(f"estimateV(): {arg} term '{t}' is not a random term of the fit",
                           hint="random terms: " + ", ".join(keys.values()))
        out.add(k)
    return out


#: asr.asreml() arguments that are not compile_model's (the rest of a fit's call is)
_FIT_ONLY = ("maxit", "trace", "solver", "mv_start", "family", "subset", "method", "vcm",
             "params", "start_values")


def all_rows_model(fit: Any) -> Any:
    """The model of ``fit`` over every data row asreml keeps when records with a missing
    response were left out of the fit (asreml's default ``na.method(y = "include")``), or
    None when no record was left out for that (or ``na_action={"y": "omit"}`` was given, or
    the fit is a GLM, a subset or a vcm fit, or multivariate). Compiled from the fit's call
    with the missing responses filled with 1 (V, G, R and the design do not depend on y);
    None too when that model's parameters are not the fit's (a level seen only on those
    records)."""
    from asr_py.formula.model import parse_model
    from asr_py.model.records import response_exprs
    from asr_py.model.spec import compile_model

    call = getattr(fit, "call", None)
    model = getattr(fit, "model", None)
    if not isinstance(call, dict) or model is None:
        return None
    data = call.get("data")
    if not isinstance(data, pd.DataFrame) or any(
            call.get(k) is not None for k in ("family", "subset", "vcm")):
        return None
    if len(np.asarray(model.records.row)) >= len(data):
        return None
    na = dict(call.get("na_action") or {})
    if na.get("y", "include") != "include":
        return None
    _, names = response_exprs(parse_model(call["fixed"]).fixed.lhs)
    if len(names) != 1 or names[0] not in data.columns or not data[names[0]].isna().any():
        return None
    full = data.copy()
    full[names[0]] = full[names[0]].fillna(1.0)
    na.pop("y", None)
    kw = {k: v for k, v in call.items() if k not in _FIT_ONLY and k not in (
        "fixed", "random", "residual", "data", "na_action")}
    try:
        again = compile_model(call["fixed"], call.get("random"), call.get("residual"), full,
                              na_action=na or None, **kw)
    except AsrError:
        return None
    if list(again.param_names) != list(model.param_names):
        return None
    return again


def estimateV(asreml_obj: Any, which_matrix: str = "V", extra_matrix: Any = None,
              ignore_terms: Iterable[str] | str | None = None,
              fixed_spline_terms: Iterable[str] | str | None = None,
              bound_exclusions: Iterable[str] | str | None = _BOUND,
              **other: Any) -> np.ndarray:
    """The n x n matrix V (or its G or R part) of the fitted model; see the module docstring.
    ``bound_exclusions=None`` (R's ``NULL``) leaves no term out for its bound codes."""
    if not hasattr(asreml_obj, "model") or not hasattr(asreml_obj, "result"):
        raise AsrError(f"estimateV() needs an asr.asreml() fit, not {type(asreml_obj).__name__}",
                       hint="pass the fit of an asr.asreml() call")
    if other:
        raise AsrError(f"estimateV(): argument(s) {', '.join(sorted(other))} not supported",
                       hint="estimateV takes which_matrix, extra_matrix, ignore_terms, "
                            "fixed_spline_terms, bound_exclusions")
    opts = ("V", "G", "R")
    hits = [o for o in opts if o.startswith(str(which_matrix))] if which_matrix else []
    if len(hits) != 1:
        raise AsrError(f"estimateV(): which_matrix={which_matrix!r} is not one of V, G, R")
    which = hits[0]
    if bound_exclusions is None:
        bound_exclusions = ()
    elif isinstance(bound_exclusions, str):
        bound_exclusions = (bound_exclusions,)
    bound_exclusions = [str(c) for c in bound_exclusions]
    bad = sorted(set(bound_exclusions) - set(_BOUND))
    if bad:
        raise AsrError(f"estimateV(): bound_exclusions {bad} are not constraint codes "
                       "F, B, S, C")
    res = asreml_obj.result
    theta = np.asarray(res.theta, dtype=float)
    model = all_rows_model(asreml_obj) or asreml_obj.model
    problem = model.problem(theta)
    keys = {_term_key(b.name): b.name for b in problem.random}
    skip = (_check_terms(fixed_spline_terms, keys, "fixed_spline_terms")
            | _check_terms(ignore_terms, keys, "ignore_terms"))
    cons = [str(c).upper() for c in res.constraints]
    n = problem.y.shape[0]
    V = np.zeros((n, n))
    if which in ("V", "G"):
        for b, sl in zip(problem.random, problem.slices()):
            if _term_key(b.name) in skip:
                continue
            if cons[sl] and all(c in set(bound_exclusions) for c in cons[sl]):
                warnings.warn(f"estimateV(): {b.name} not included in V because it is bound "
                              f"({', '.join(cons[sl])})", AsrWarning, stacklevel=2)
                continue
            Z = b.Z
            V += to_dense(Z @ (Z @ to_dense(b.template.matrix(theta[sl]))).T)
    if which in ("V", "R"):
        V += to_dense(problem.residual.matrix(theta[problem.slices()[-1]]))
    V = 0.5 * (V + V.T)
    # data order: the records as they are in the data (asreml's V follows the data rows)
    rows = np.asarray(model.records.row)
    order = np.argsort(rows, kind="stable")
    if rows.size == n and not np.array_equal(order, np.arange(n)):
        V = V[np.ix_(order, order)]
    if extra_matrix is not None:
        E = to_dense(extra_matrix)
        if E.shape != (n, n):
            raise AsrError(f"estimateV(): extra_matrix is {E.shape[0]} x {E.shape[1]}, V is "
                           f"{n} x {n}", hint="give an n x n matrix, n the records fitted")
        V = V + E
    return V

"""R's single bracket with one name, ``x["a"]``: on a data frame a data frame of that one
column (``d["accenumb"] |> distinct()``, ``nrow(d["a"])``), not the column itself as
``d[["a"]]``/``d$a`` give; on a list or named vector the element, as before (R's
one-element list or named vector of length 1 behaves as that element in the scripts)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["fit_dollar", "r_sub_name", "r_unlist"]


def r_sub_name(x: Any, name: str) -> Any:
    """``x["name"]``: see the module's docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        if name not in x.columns:
            raise AsrError(f'd["{name}"]: the data frame has no column {name!r}',
                           hint="columns: " + ", ".join(map(str, x.columns[:12])))
        return x[[name]]
    return x[name]


def _unlist_items(x: Any, prefix: str) -> list[tuple[str, Any]]:
    """(R name, value) of every element of ``x`` flattened as R's unlist() names them: a
    named element of length 1 keeps its name, a longer one gets ``name1``, ``name2``, ...
    (``name.inner`` when its elements are named too); unnamed elements have name ''."""
    if isinstance(x, pd.DataFrame):
        x = {str(c): x[c].reset_index(drop=True) for c in x.columns}
    if isinstance(x, dict):
        out: list[tuple[str, Any]] = []
        for k, v in x.items():
            name = f"{prefix}.{k}" if prefix and k else prefix or str(k)
            out += _unlist_items(v, name)
        return out
    if isinstance(x, pd.Series) and not isinstance(x.index, pd.RangeIndex):
        return [(f"{prefix}.{i}" if prefix else str(i), v) for i, v in x.items()]
    if isinstance(x, (list, tuple, range, pd.Series, pd.Index, np.ndarray)):
        vals = list(np.asarray(x, dtype=object).ravel()) if isinstance(x, np.ndarray) \
            else list(x)
        if any(isinstance(v, (dict, list, tuple, pd.Series, pd.DataFrame, np.ndarray))
               for v in vals):
            out = []
            for v in vals:
                out += _unlist_items(v, prefix)
            return out
        if len(vals) == 1:
            return [(prefix, vals[0])]
        return [(f"{prefix}{i + 1}" if prefix else "", v) for i, v in enumerate(vals)]
    return [] if x is None else [(prefix, x)]


def r_unlist(x: Any, use_names: bool = True) -> Any:
    """``unlist(x)``: a vector of every element of a list or data frame (a data frame column
    after column), as a numpy array, or a Series indexed by R's names when an element is
    named (``unlist(list(a = 1, b = 2:3))`` is a=1, b1=2, b2=3), so ``unlist(x) > 0`` is
    element-wise as in R."""
    if isinstance(x, Untranslated):
        return x._use()
    items = _unlist_items(x, "")
    values = pd.Series([v for _, v in items], dtype=None if items else float)
    if values.dtype == object and values.map(lambda v: isinstance(v, str) or v is None).all():
        values = values.where(values.notna(), None)
    if use_names and any(n for n, _ in items):
        return pd.Series(values.to_numpy(), index=[n for n, _ in items])
    return values.to_numpy()


#: asreml fit components asr_py's fit has, by R's name (the translator's _FIT_ATTRS)
_FIT_DOLLAR = {"residuals": "residuals", "fitted.values": "fitted", "loglik": "loglik",  # r_loglik
               "converge": "converged", "aic": "aic", "bic": "bic", "deviance": "deviance"}


def fit_dollar(fit: Any, name: str) -> Any:
    """``m$name`` of an asreml fit the translator did not know was one (a function's
    parameter): the components asr_py has (R's partial names too: ``m$resid``); any other
    is an error naming it, never a silent NULL."""
    hits = [k for k in _FIT_DOLLAR if k == name] or \
        [k for k in _FIT_DOLLAR if k.startswith(name)]
    if len(hits) == 1 and hits[0] == "loglik":
        from asr_py.translate.runtime import r_loglik

        return r_loglik(fit)                # asreml's convention (no 2π constant)
    if name == "mf" and hasattr(fit, "model_frame"):     # asreml 4's model frame
        return fit.model_frame()
    if name == "nedf":                      # residual degrees of freedom, n - rank(X)
        return fit.result.n_minus_p
    if name == "aom":                       # aom = TRUE's outlier statistics
        from asr_py.translate.rasremlaom import r_aom

        return r_aom(fit)
    if name == "Cfixed":                    # the fixed effects' variance matrix
        from asr_py.translate.rcfixed import r_cfixed

        return r_cfixed(fit)
    if name == "coefficients":              # list(fixed =, random =) (rcoeflist.py)
        from asr_py.translate.rcoeflist import r_coef_asreml

        return r_coef_asreml(fit)
    if name == "vcoeff":                    # their std.error^2 / sigma2 (rvcoeff.py)
        from asr_py.translate.rvcoeff import r_vcoeff

        return r_vcoeff(fit)
    if name == "sigma2":
        from asr_py.translate.runtime import r_sigma2

        return r_sigma2(fit)
    if len(hits) == 1:
        return getattr(fit, _FIT_DOLLAR[hits[0]])
    raise AsrError(f"m${name} of an asreml fit is not available in asr_py",
                   hint="fit components: " + ", ".join(_FIT_DOLLAR) +
                        ", mf, nedf, aom, Cfixed, coefficients, vcoeff, sigma2" +
                        "; coefficients: m.coef_fixed / m.coef_random; "
                        "variance components: m.varcomp")

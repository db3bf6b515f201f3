"""R's single bracket with one name, ``x["a"]``: on a data frame a data frame of that one
column (``d["accenumb"] |> distinct()``, ``nrow(d["a"])``), not the column itself as
``d[["a"]]``/``d$a`` give; on a list or named vector the element, as before (R's
one-element list or named vector of length 1 behaves as that element in the scripts)."""
from __future__ import annotations

from typing import Any

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


def r_unlist(x: Any) -> Any:
    """``unlist(x)``: a data frame's values column after column (R's order; ``unlist(d["a"])``
    the column's values), a list's elements flattened (runtime.r_c)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        return [v for c in x.columns for v in x[c].tolist()]
    from asr_py.translate.runtime import r_c

    if isinstance(x, dict):
        return r_c(*x.values())
    return r_c(*x) if hasattr(x, "__iter__") and not isinstance(x, str) else r_c(x)


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
    if name == "Cfixed":                    # the fixed effects' variance matrix
        from asr_py.translate.rcfixed import r_cfixed

        return r_cfixed(fit)
    if len(hits) == 1:
        return getattr(fit, _FIT_DOLLAR[hits[0]])
    raise AsrError(f"m${name} of an asreml fit is not available in asr_py",
                   hint="fit components: " + ", ".join(_FIT_DOLLAR) + ", mf, nedf, Cfixed" +
                        "; coefficients: m.coef_fixed / m.coef_random; "
                        "variance components: m.varcomp")

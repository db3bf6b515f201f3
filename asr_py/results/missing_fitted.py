"""Fitted values of the data rows whose response is missing (asreml's ``na.method(y =
'include')``): asreml keeps those records in the model and reports their linear predictor
x_i'β̂ + z_i'û as ``fitted(m)`` (residual NA), the usual way to predict new individuals by
adding rows with a missing response.

asr_py fits the observed records (the same REML fit) and builds the design rows of the
missing ones afterwards: the model is compiled again on the data with a placeholder response
for every row, and the fit's β̂ and û are applied to the rows whose response is missing. That
is used only when the second design is the fit's own on the observed rows (the same fixed
columns and random-term levels, the same X and Z entries): a data-dependent coding that the
extra rows would change (spline knots, orthogonal polynomials, a newly estimable column)
leaves those fitted values NaN rather than different. Multivariate fits: NaN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.fit import AsremlFit

#: the placeholder response column (a name no data frame uses)
_Y = "asr.py.missing.response"


def _same(a: Any, b: Any) -> bool:
    a = a.toarray() if sp.issparse(a) else np.asarray(a, dtype=float)
    b = b.toarray() if sp.issparse(b) else np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-10, atol=1e-12))


def missing_fitted(fit: AsremlFit) -> np.ndarray | None:
    """x_i'β̂ + z_i'û for each reported data row (NaN where the response was observed), or
    None when it cannot be formed safely (see the module docstring)."""
    from asr_py.model.spec import compile_model
    from asr_py.model.subset import apply_subset

    model, call = fit.model, fit.call
    rec = model.records
    full, pos = getattr(rec, "result_index", None), getattr(rec, "result_pos", None)
    data = call.get("data")
    if rec.multivariate or full is None or pos is None or len(full) == rec.n or \
            not isinstance(data, pd.DataFrame) or "~" not in str(call.get("fixed", "")):
        return None
    if call.get("subset") is not None:
        data = apply_subset(data, call["subset"])
    names = {"fixed", "random", "residual", "data", "rcov", "sparse", "maxit", "trace",
             "factors", "na_action", "pedigree", "group", "solver", "mv_start", "weights",
             "family", "subset", "method", "vcm", "knot_points"}
    matrices = {k: v for k, v in call.items() if k not in names}
    work = data.copy(deep=False)
    work[_Y] = 0.0
    na = {**(call.get("na_action") or {}), "y": "omit"}
    na.setdefault("x", "omit")
    rhs = str(call["fixed"]).split("~", 1)[1]
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m2 = compile_model(f"{_Y} ~{rhs}", call.get("random"), call.get("residual"), work,
                               rcov=call.get("rcov"), sparse=call.get("sparse"),
                               factors=call.get("factors") or (), na_action=na,
                               pedigree=call.get("pedigree"), group=call.get("group"),
                               weights=call.get("weights"),
                               knot_points=call.get("knot_points"), **matrices)
    except Exception:  # noqa: BLE001 - any failure: the fitted values stay NaN
        return None
    if m2.records.n != len(full) or list(m2.fixed.names) != list(model.fixed.names) or \
            len(m2.random) != len(model.random):
        return None
    obs = np.asarray(pos)
    miss = np.setdiff1d(np.arange(len(full)), obs)
    if not _same(m2.fixed.X[obs], model.fixed.X):
        return None
    eta = m2.fixed.X[miss] @ np.asarray(fit.result.beta, dtype=float)
    for t2, t, u in zip(m2.random, model.random, fit.result.u):
        if t2.label != t.label or list(t2.levels) != list(t.levels) or \
                not _same(t2.Z[obs], t.Z):
            return None
        eta = eta + np.asarray(t2.Z[miss] @ np.asarray(u, dtype=float)).ravel()
    out = np.full(len(full), np.nan)
    out[miss] = eta
    return out

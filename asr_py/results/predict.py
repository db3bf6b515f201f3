"""Predicted values (asreml's ``predict(classify = ...)``).

For each combination of the classify factors' levels, the prediction is the average, with
equal weights over the levels of every fixed factor not in classify (covariates at their
mean), of x'β̂ + z'û, where z includes a random term only when all its factors are in
classify (other random effects are left at zero, asreml's default). With L the matrix of
those averaged rows over [β; u], predictions are Lŝ and their standard errors
sqrt(diag(L C⁻¹ L')). A prediction is 'Aliased' (not estimable) when its fixed part, in the
full (unaliased) parameterisation, is not orthogonal to the null space of X.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.spec import Model
    from asr_py.reml.result import RemlResult


def _factor_names(model: Model) -> tuple[list[str], list[str]]:
    """(factors, covariates) that the fixed formula uses."""
    lv = model.context.levels
    facs, covs = [], []
    for t in model.fixed.terms:
        for f in t.factors:
            if f == "trait" or f in lv:
                if f not in facs:
                    facs.append(f)
            elif f in model.records.frame.columns and f not in covs:
                covs.append(f)
    return facs, covs


def predict(model: Model, result: RemlResult, classify: str,
            levels: dict[str, list[Any]] | None = None) -> pd.DataFrame:
    """Predictions table: classify columns, predicted.value, std.error, status."""
    from asr_py.model.fixed import fixed_columns
    from asr_py.model.records import Records

    cls = [c.strip() for c in classify.split(":") if c.strip()]
    lv = dict(model.context.levels)
    if model.records.multivariate or "trait" in cls:
        lv["trait"] = model.records.traits
    for c in cls:
        if c not in lv:
            raise AsrError(f"predict: '{c}' is not a factor of the model",
                           hint="classify by factors used in the model: "
                           + ", ".join(sorted(lv)))
    if model.records.multivariate and "trait" not in cls:
        raise AsrError("predict: a multivariate model needs trait in classify",
                       hint=f"e.g. classify='trait:{cls[0]}'" if cls else "classify='trait'")
    facs, covs = _factor_names(model)
    avg = [f for f in facs if f not in cls]
    levels = levels or {}
    c_levels = [tuple(str(x) for x in levels.get(c, lv[c])) for c in cls]
    a_levels = [lv[a] for a in avg]
    combos = list(itertools.product(*c_levels))
    inner = list(itertools.product(*a_levels)) if avg else [()]
    rows = [c + a for c in combos for a in inner]
    cols = cls + avg
    grid = pd.DataFrame(rows, columns=cols, dtype=object) if cols else pd.DataFrame(
        index=range(len(rows)))
    frame = model.records.frame
    for cv in covs:
        grid[cv] = float(np.nanmean(frame[cv].to_numpy(dtype=float)[model.records.row]))
    traits = model.records.traits
    tcodes = (np.array([traits.index(t) for t in grid["trait"]], dtype=np.int64)
              if "trait" in cols else np.zeros(len(grid), dtype=np.int64))
    n = len(grid)
    rec = Records(frame=grid.drop(columns=["trait"], errors="ignore"), y=np.zeros(n),
                  row=np.arange(n), trait=tcodes, traits=traits)
    ctx = replace(model.context, records=rec, levels=lv, warnings=[])
    fc = fixed_columns(ctx, model.terms["fixed"], model.records.multivariate,
                       model.terms["sparse"].terms if "sparse" in model.terms else ())
    name_index = {nm: i for i, nm in enumerate(fc.names)}
    Xfull = fc.X
    kept = [name_index[nm] for nm in model.fixed.names]
    Xg = Xfull[:, kept]
    # random parts
    q_tot = sum(t.Z.shape[1] for t in model.random)
    Zg = np.zeros((n, q_tot))
    off = 0
    for t in model.random:
        q = t.Z.shape[1]
        names = [b.name for b in t.blocks]
        if (t.blocks and all(b.is_factor for b in t.blocks) and set(t.factors) <= set(cls)
                and len(t.factors) == len(t.blocks)
                and all(nm in cols or nm == "trait" for nm in names)):
            idx = np.zeros(n, dtype=np.int64)
            ok = np.ones(n, dtype=bool)
            for b in t.blocks:
                vals = grid[b.name].astype(str).to_numpy() if b.name != "trait" else np.array(
                    [traits[i] for i in tcodes])
                pos = {lab: i for i, lab in enumerate(b.labels)}
                code = np.array([pos.get(v, -1) for v in vals])
                ok &= code >= 0
                idx = idx * b.k + np.maximum(code, 0)
            Zg[np.nonzero(ok)[0], off + idx[ok]] = 1.0
        off += q
    W = np.hstack([Xg, Zg])
    m = len(inner)
    L = W.reshape(len(combos), m, -1).mean(axis=1)
    Lfull = Xfull.reshape(len(combos), m, -1).mean(axis=1)
    N = model.fixed.null_basis
    est = np.ones(len(combos), dtype=bool)
    if N.size:
        scale = np.abs(Lfull).sum(axis=1) + 1.0
        est = np.abs(Lfull @ N).max(axis=1) < 1e-8 * scale
    sol = result.solution
    pv = L @ sol
    se = np.sqrt(np.clip(np.diag(result.cinv_quad(L)), 0, None))
    out = pd.DataFrame(combos, columns=cls)
    out["predicted.value"] = np.where(est, pv, np.nan)
    out["std.error"] = np.where(est, se, np.nan)
    out["status"] = np.where(est, "Estimable", "Aliased")
    return out

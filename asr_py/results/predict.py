"""Predicted values (asreml's ``predict(classify = ...)``).

For each combination of the classify factors' levels, the prediction is the average, with
equal weights over the levels of every fixed factor not in classify (covariates at their
mean), of x'β̂ + z'û, where z includes a random term only when all its factors are in
classify (other random effects are left at zero, asreml's default). A covariate in classify
is predicted at ``levels[x]`` (default: its mean, or a spline covariate's knots); a random
``spl(x)`` term then enters through the spline basis at those x (the fitted curve) and
``dev(x)`` at the x values it has levels for. With L the matrix of
those averaged rows over [β; u], predictions are Lŝ and their standard errors
sqrt(diag(L C⁻¹ L')). A prediction is 'Aliased' (not estimable) when its fixed part, in the
full (unaliased) parameterisation, is not orthogonal to the null space of X.

With ``sed=True`` the table carries ``attrs['sed']``, the standard errors of differences
SED_ij = sqrt(v_ii + v_jj − 2v_ij) (V = L C⁻¹ L', rows/columns labelled by the classify
levels joined by ':'), and ``attrs['avsed']`` = min, mean, max of SED_ij over pairs i < j
(asreml's avsed is the mean); ``vcov=True`` adds ``attrs['vcov']`` = V. Aliased predictions
have NaN rows and columns and are left out of avsed.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.data import _num_label

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.spec import Model
    from asr_py.reml.result import RemlResult


def _factor_names(model: Model) -> tuple[list[str], list[str]]:
    """(factors, covariates) that the fixed formula uses."""
    frame = model.records.frame
    facs, covs = [], []
    for t in model.fixed.terms:
        for f in t.factors:
            is_fac = f == "trait" or f in t.factor_parts
            if is_fac and f not in facs:
                facs.append(f)
            elif not is_fac and f in frame.columns and f not in covs:
                covs.append(f)
    return facs, covs


def _spline_x(term: Any) -> str | None:
    """The covariate of a random spl(x) term, else None."""
    if len(term.blocks) == 1 and term.blocks[0].structure == "spl" and len(term.factors) == 1:
        return str(term.factors[0])
    return None


def _spline_terms(model: Model) -> dict[str, list[Any]]:
    """covariate -> the spl() blocks over it."""
    out: dict[str, list[Any]] = {}
    for t in model.random:
        x = _spline_x(t)
        if x is not None:
            out.setdefault(x, []).append(t.blocks[0])
    return out


def predict(model: Model, result: RemlResult, classify: str,
            levels: dict[str, list[Any]] | None = None, *, sed: bool = False,
            vcov: bool = False) -> pd.DataFrame:
    """Predictions table: classify columns, predicted.value, std.error, status.

    ``sed=True``: ``attrs['sed']`` (SED matrix) and ``attrs['avsed']`` (min, mean, max);
    ``vcov=True``: ``attrs['vcov']`` = L C⁻¹ L' (see the module docstring)."""
    from asr_py.model.fixed import fixed_columns
    from asr_py.model.records import Records

    cls = [c.strip() for c in classify.split(":") if c.strip()]
    lv = dict(model.context.levels)
    if model.records.multivariate or "trait" in cls:
        lv["trait"] = model.records.traits
    facs, covs = _factor_names(model)
    splines = _spline_terms(model)
    frame = model.records.frame
    levels = levels or {}
    cov_cls: dict[str, tuple[float, ...]] = {}
    for c in cls:
        if c in lv and c not in covs and c not in splines:
            continue
        if c in covs or c in splines:
            if c in levels:
                vals = np.asarray(levels[c], dtype=float).ravel()
            elif c in splines:  # asreml: a spline covariate is predicted at its knots
                vals = np.asarray(splines[c][0].extra["knots"], dtype=float)
            else:  # a covariate at its mean
                vals = np.array([np.nanmean(frame[c].to_numpy(dtype=float)[model.records.row])])
            cov_cls[c] = tuple(float(v) for v in vals)
            continue
        raise AsrError(f"predict: '{c}' is not a factor or covariate of the model",
                       hint="classify by factors or covariates used in the model: "
                       + ", ".join(sorted(set(lv) | set(covs) | set(splines))))
    if model.records.multivariate and "trait" not in cls:
        raise AsrError("predict: a multivariate model needs trait in classify",
                       hint=f"e.g. classify='trait:{cls[0]}'" if cls else "classify='trait'")
    avg = [f for f in facs if f not in cls]
    c_levels = [cov_cls[c] if c in cov_cls else tuple(str(x) for x in levels.get(c, lv[c]))
                for c in cls]
    for c, lvls in zip(cls, c_levels):
        unknown = [] if c in cov_cls else [x for x in lvls if x not in lv[c]]
        if unknown:
            raise AsrError(f"predict: {', '.join(map(repr, unknown[:5]))} not among the "
                           f"levels of '{c}'", hint=f"levels of {c}: " + ", ".join(lv[c][:10])
                           + (" ..." if len(lv[c]) > 10 else ""))
    a_levels = [lv[a] for a in avg]
    combos = list(itertools.product(*c_levels))
    inner = list(itertools.product(*a_levels)) if avg else [()]
    rows = [c + a for c in combos for a in inner]
    cols = cls + avg
    grid = pd.DataFrame(rows, columns=cols, dtype=object) if cols else pd.DataFrame(
        index=range(len(rows)))
    for cv in cov_cls:
        grid[cv] = grid[cv].astype(float)
    for cv in covs:
        if cv in cov_cls:
            continue
        grid[cv] = float(np.nanmean(frame[cv].to_numpy(dtype=float)[model.records.row]))
    traits = model.records.traits
    tcodes = (np.array([traits.index(t) for t in grid["trait"]], dtype=np.int64)
              if "trait" in cols else np.zeros(len(grid), dtype=np.int64))
    n = len(grid)
    rec = Records(frame=grid.drop(columns=["trait"], errors="ignore"), y=np.zeros(n),
                  row=np.arange(n), trait=tcodes, traits=traits)
    ctx = replace(model.context, records=rec, warnings=[],
                  levels={k: v for k, v in lv.items() if k not in cov_cls})
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
        spl_x = _spline_x(t)
        if spl_x is not None and spl_x in cov_cls:
            from asr_py.model.splines import spline_design

            x_new = grid[spl_x].to_numpy(dtype=float)
            Zg[:, off:off + q] = spline_design(x_new, t.blocks[0].extra["knots"])[0]
        elif (t.blocks and all(b.is_factor for b in t.blocks) and set(t.factors) <= set(cls)
                and len(t.factors) == len(t.blocks)
                and all(nm in cols or nm == "trait" for nm in names)):
            idx = np.zeros(n, dtype=np.int64)
            ok = np.ones(n, dtype=bool)
            for b in t.blocks:
                if b.name == "trait":
                    vals = np.array([traits[i] for i in tcodes])
                elif b.name in cov_cls:  # dev(x): the factor of x's values
                    vals = np.array([_num_label(v) for v in grid[b.name]], dtype=object)
                else:
                    vals = grid[b.name].astype(str).to_numpy()
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
    V = result.cinv_quad(L)
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    out = pd.DataFrame(combos, columns=cls)
    out["predicted.value"] = np.where(est, pv, np.nan)
    out["std.error"] = np.where(est, se, np.nan)
    out["status"] = np.where(est, "Estimable", "Aliased")
    if sed or vcov:
        _attach_sed(out, V, est, combos, sed=sed, vcov=vcov)
    return out


def _label(combo: tuple) -> str:
    return ":".join(_num_label(v) if isinstance(v, float) else str(v) for v in combo)


def _attach_sed(out: pd.DataFrame, V: np.ndarray, est: np.ndarray, combos: list[tuple],
                *, sed: bool, vcov: bool) -> None:
    """Store V (NaN rows/columns for aliased predictions), the SED matrix and avsed in
    ``out.attrs``. SED_ij = sqrt(v_ii + v_jj − 2v_ij), 0 on the diagonal; avsed: min, mean,
    max of SED_ij over the pairs i < j of estimable predictions (NaN if fewer than two)."""
    labels = [_label(c) for c in combos]
    V = np.where(np.outer(est, est), V, np.nan)
    if vcov:
        out.attrs["vcov"] = pd.DataFrame(V, index=labels, columns=labels)
    if sed:
        d = np.diag(V)
        s = np.sqrt(np.clip(d[:, None] + d[None, :] - 2.0 * V, 0.0, None))
        np.fill_diagonal(s, np.where(est, 0.0, np.nan))
        out.attrs["sed"] = pd.DataFrame(s, index=labels, columns=labels)
        iu = np.triu_indices(len(labels), 1)
        pairs = s[iu]
        pairs = pairs[np.isfinite(pairs)]
        out.attrs["avsed"] = pd.Series(
            [pairs.min(), pairs.mean(), pairs.max()] if pairs.size else [np.nan] * 3,
            index=["min", "mean", "max"], name="avsed")

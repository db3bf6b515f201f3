"""Predicted values (asreml's ``predict(classify = ...)``).

One row per combination of the classify variables' levels, the first variable varying
slowest (columns in classify order), except that a multivariate model's ``trait`` is the
last column and varies fastest wherever classify names it, as asreml's tables
(:func:`_trait_last`). For each combination, the prediction is a weighted average over cells
(see :mod:`asr_py.results.predict_grid`) of x'β̂ + z'û. Averaged are the fixed factors not
in classify (equal weights unless ``average=`` gives others; covariates at their mean) and
the factors named in ``average=`` (random ones too). z includes a random term only when all
its factors are classify or averaged factors (other random effects are left at zero,
asreml's default); a plain covariate x of a random term (``~ x``, ``~ f:x``) enters at its
classify value or its mean x̄, as a fixed covariate does (asreml 4.2 predicts ``random = ~
row + col`` with numeric row, col at x̄·û); ``ignore=`` drops fixed or random terms from the
prediction (their columns of L are zero) and ``only=`` keeps the terms it names, every other
term ignored (``only='vm(gen, A)'``: the BLUPs alone, their standard errors sqrt(PEV)); a
classify may name a one-factor random term (``classify='vm(gen, A)'``: by its variable, the
column named by the term as asreml names it); ``present=`` averages only over the factor
combinations seen in the data, ``prwts=`` with weights over the present factors' table
(asreml's prwts; see :mod:`asr_py.results.predict_grid`). A factor's ``levels[f]`` is a
label, a list of labels, or whole numbers that are not labels (asreml's 1-based level
codes). A covariate in classify is predicted at ``levels[x]`` (default: its mean, or a
spline covariate's knots); a random ``spl(x)`` term then enters through the spline basis at
those x (the fitted curve) and ``dev(x)`` at the x values it has levels for. The id of a
``vm()`` / ``ped()`` / ``giv()`` term classifies by the matrix's ids, including ids without
records (their BLUPs come from the relationships alone). ``parallel=True`` pairs the
classify levels one-to-one; ``newdata=`` predicts one row per data-frame row (its columns
are the classify variables, paired). With L the matrix of those averaged rows over [β; u],
predictions are Lŝ and their standard errors sqrt(diag(L C⁻¹ L')). A prediction is 'Aliased'
(not estimable) when its fixed part, in the full (unaliased) parameterisation, is not
orthogonal to the null space of X; its value is NaN unless ``aliased=True`` (then Lŝ of the
aliased-to-zero solution, one of many, as asreml prints).

With ``sed=True`` the table carries ``attrs['sed']``, the standard errors of differences
SED_ij = sqrt(v_ii + v_jj − 2v_ij) (V = L C⁻¹ L', rows/columns labelled by the classify
levels joined by ':'), and ``attrs['avsed']`` = min, mean, max of SED_ij over pairs i < j
(asreml's avsed is the mean); ``vcov=True`` adds ``attrs['vcov']`` = V. Aliased predictions
have NaN rows and columns and are left out of avsed. These matrices are shared, not copied,
by the tables pandas derives from the table (``df.head()``, a filtered or sorted copy) and
``pd.concat`` of prediction tables works (:mod:`asr_py.results.shared_attrs`); take
``.copy()`` of one to modify it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.errors import AsrError, DataError
from asr_py.model.asreml_pol import PolBasis
from asr_py.model.data import _num_label, as_labels
from asr_py.model.trait_factor import TRAIT, is_response_trait
from asr_py.reml.sparse_x import as_dense
from asr_py.results.cinv_diag import cinv_diag
from asr_py.results.predict_grid import (
    build_grid,
    factor_weights,
    present_cells,
    present_weights,
)
from asr_py.results.shared_attrs import shared

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from asr_py.model.records import Records
    from asr_py.model.spec import Model
    from asr_py.reml.result import RemlResult


def covariate_mean(c: str, records: Records) -> float:
    """asreml's value of a covariate that classify leaves out: x̄ over the data rows of the
    fit. Under ``na.method(y = "include")`` (the default) those are the rows with a missing
    response too (``records.missing_rows``); asreml 3 prints the year means of agridat's
    ilri.sheep at that x̄ (at the fitted records' mean they all move by β'Δx̄, 1.5e-3).
    A multivariate (``cbind``) fit under "include" keeps a missing trait value as a record
    too, so every data row counts once for each trait: x̄ is the mean over the data rows,
    the same x̄ as the long form of those data (``asmv``) gives."""
    if records.multivariate and records.result_index is not None:
        x = records.frame[c].to_numpy(dtype=float)
    else:
        x = records.frame[c].to_numpy(dtype=float)[records.row]
    miss = records.missing_rows
    if miss is not None and c in miss.columns:
        x = np.concatenate([x, miss[c].to_numpy(dtype=float)])
    return float(np.nanmean(x))


def _factor_names(model: Model) -> tuple[list[str], list[str]]:
    """(factors, covariates) that the fixed formula uses; the covariates also those random
    terms use as plain covariates (``~ x``, ``~ f:x``: asreml predicts them at x̄ too)."""
    frame = model.records.frame
    facs, covs = [], []
    for t in model.fixed.terms:
        for f in t.factors:
            is_fac = is_response_trait(f, model.records) or f in t.factor_parts
            if is_fac and f not in facs:
                facs.append(f)
            elif not is_fac and f in frame.columns and f not in covs:
                covs.append(f)
    for rt in model.random:
        for b in rt.blocks:
            if _plain_covariate(b, model) and b.name not in covs and b.name not in facs:
                covs.append(b.name)
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


def _pol_points(model: Model, x: str) -> np.ndarray | None:
    """The points asreml's pol() of covariate x is built on (its distinct values and the
    interpolated ones): asreml 3 predicts a classify covariate of a pol() term there."""
    for key, st in model.context.stateful.items():
        if key.endswith("|pol") and key.startswith("pol(") and isinstance(st, PolBasis):
            if key[4:].split(",")[0].split(")")[0].strip() == x:
                return st.points
    return None


def _levels(model: Model, covs: list[str], splines: dict[str, Any]) -> dict[str, tuple]:
    """Levels of every factor of the model: the fixed ones as compiled, and the random
    factors' (a vm()/ped()/giv() id: all ids of its matrix, records or not)."""
    lv: dict[str, tuple] = dict(model.context.levels)
    for t in model.random:
        for b in t.blocks:
            if (not b.is_factor or b.name == "units" or is_response_trait(b.name, model.records)
                    or b.name in covs or b.name in splines):
                continue
            if b.name not in lv or (b.known and len(b.labels) > len(lv[b.name])):
                lv[b.name] = tuple(b.labels)
    if model.records.multivariate:
        lv[TRAIT] = tuple(model.records.traits)
    return lv


def _norm(s: str) -> str:
    """A term label without blanks or quotes: asreml names ``at(trait, "y1"):g`` as
    ``at(trait, y1):g``, and scripts pass either spelling to ignore=/only=."""
    return "".join(s.split()).replace('"', "").replace("'", "")


def _ignored(model: Model, ignore: Any, what: str = "ignore") -> tuple[set[str], set[int]]:
    """Fixed term labels and random term positions named by ``ignore`` (a term label, e.g.
    'Env' or 'vm(id, G)', or its factors joined by ':')."""
    if ignore is None:
        return set(), set()
    wanted = [ignore] if isinstance(ignore, str) else list(ignore)
    fixed: set[str] = set()
    rand: set[int] = set()
    for w in wanted:
        key = _norm(str(w))
        hit = False
        for t in model.fixed.terms:
            if key in (_norm(t.label), ":".join(t.factors)):
                fixed.add(t.label)
                hit = True
        for i, t in enumerate(model.random):
            if key in (_norm(t.label), ":".join(map(str, t.factors))):
                rand.add(i)
                hit = True
        if not hit:
            names = [t.label for t in model.fixed.terms] + [t.label for t in model.random]
            raise AsrError(f"predict: {what} names {w!r}, which is not a term of the model",
                           hint="terms: " + ", ".join(names))
    return fixed, rand


def _only_ignored(model: Model, only: Any) -> tuple[set[str], set[int]]:
    """asreml's ``only=``: the terms named (as ``ignore=`` names them) alone form the
    prediction; every other fixed term (the intercept too) and random term is ignored."""
    if only is None:
        return set(), set()
    keep_fixed, keep_rand = _ignored(model, only, "only")
    return ({t.label for t in model.fixed.terms} - keep_fixed,
            set(range(len(model.random))) - keep_rand)


def _term_variable(model: Model, c: str) -> str:
    """A classify part naming a one-factor random term, ``vm(gen, A)``, ``ide(gen)``,
    ``ped(id)``: that term's variable (asreml classifies by the term); else ``c``."""
    key = _norm(c)
    for t in model.random:
        if _norm(t.label) == key and len(t.factors) == 1 and isinstance(t.factors[0], str):
            return t.factors[0]
    return c


def _newdata(newdata: Any, known: set[str], covariates: set[str]
             ) -> tuple[list[str], dict[str, list[Any]]]:
    """(classify variables, their paired levels) from the rows of ``newdata``."""
    if not isinstance(newdata, pd.DataFrame):
        raise DataError(f"predict: newdata must be a pandas DataFrame, not "
                        f"{type(newdata).__name__}")
    if len(newdata) == 0:
        raise DataError("predict: newdata has no rows")
    cls = [str(c) for c in newdata.columns if str(c) in known]
    if not cls:
        raise DataError("predict: no column of newdata is a factor or covariate of the model",
                        hint="model variables: " + ", ".join(sorted(known)))
    levels: dict[str, list[Any]] = {}
    for c in cls:
        col = newdata[c]
        if col.isna().any():
            raise DataError(f"predict: newdata column '{c}' has missing values "
                            f"(rows {list(newdata.index[col.isna()][:5])})",
                            hint="give every prediction row a value of each model variable")
        if c in covariates:
            levels[c] = pd.to_numeric(col, errors="raise").astype(float).tolist()
        else:
            levels[c] = list(as_labels(col))
    return cls, levels


def unwrap_classify(classify: str) -> str:
    """A classify in parentheses, ``"(A:B)"``, is ``"A:B"`` (asreml accepts both; asremlPlus's
    tests predict ``classify = "(Variety:Nitrogen)"``); ``"(Intercept)"`` stays."""
    c = classify.strip()
    while c.startswith("(") and c.endswith(")") and c != "(Intercept)":
        depth = 0
        for i, ch in enumerate(c):
            depth += (ch == "(") - (ch == ")")
            if depth == 0 and i < len(c) - 1:
                return c            # "(a):(b)": the first parenthesis closes early
        c = c[1:-1].strip()
    return c


def _level_values(v: Any, labels: Sequence[str] | None) -> list[Any]:
    """The values of one ``levels=`` entry as a list (one value alone too). For a factor
    (``labels``), a whole number that is not one of its labels is a level code, 1-based as
    asreml's (``levels = list(env = i)`` in a loop over ``1:nlevels(env)``)."""
    vals = [v] if isinstance(v, str) or np.ndim(v) == 0 else list(np.ravel(v))
    if labels is None:
        return vals
    labs = list(labels)
    out = []
    for x in vals:
        if str(x) not in labs and isinstance(x, int | float | np.integer | np.floating) and \
                float(x).is_integer() and 1 <= int(x) <= len(labs):
            x = labs[int(x) - 1]
        out.append(x)
    return out


def predict(model: Model, result: RemlResult, classify: str | None = None,
            levels: dict[str, list[Any]] | None = None, *, sed: bool = False,
            vcov: bool = False, present: Any = None, ignore: Any = None, only: Any = None,
            average: Any = None, aliased: bool = False, parallel: bool = False,
            newdata: pd.DataFrame | None = None, prwts: Any = None) -> pd.DataFrame:
    """Predictions table: classify columns, predicted.value, std.error, status (see the
    module docstring for every option). The levels of a classify factor are those of the
    records in asreml's model: under ``na.method(y = 'include')`` (the default) the rows
    with a missing response are in it, so a level seen only there is listed (not
    estimable when the factor is in a fixed term, status Aliased; the fixed part alone
    when it is only random, its BLUP 0 with prediction error variance its variance); under
    ``y = 'omit'``, or outside ``subset=``, such a level is not in the model and not
    listed (see :func:`_unfitted_levels`)."""
    from asr_py.model.fixed import fixed_columns
    from asr_py.model.records import Records

    facs, covs = _factor_names(model)
    splines = _spline_terms(model)
    lv = _levels(model, covs, splines)
    frame = model.records.frame
    term_cols: dict[str, str] = {}
    if newdata is not None:
        if classify is not None or levels:
            raise AsrError("predict: give either newdata= or classify=/levels=, not both")
        cls, levels = _newdata(newdata, set(lv) | set(covs) | set(splines),
                               set(covs) | set(splines))
        parallel = True
    else:
        if classify is None:
            raise AsrError("predict: classify= is missing", hint="e.g. classify='Env', or "
                           "newdata=DataFrame of the rows to predict")
        if not isinstance(classify, str):
            # asreml 3 took classify = list("A", "A:B") and returned a list of tables; one
            # DataFrame per call keeps the return type fixed, so the loop is the caller's
            several = isinstance(classify, list | tuple) and all(
                isinstance(c, str) for c in classify)
            raise AsrError(f"predict: classify= is one string such as 'A:B', not "
                           f"{type(classify).__name__} {classify!r}",
                           hint=("asreml 3's list of classify terms: call predict() once "
                                 "for each, "
                                 f"{{c: m.predict(classify=c) for c in {list(classify)!r}}}"
                                 if several else "asreml 4 predicts one classify per call: "
                                 "call predict() once for each"))
        # asreml's classify = "(Intercept)" (asreml 4.2: "Intercept", unless a variable has
        # that name): the overall mean, every fixed factor averaged
        intercept = {"(Intercept)"} | ({"Intercept"} - set(lv) - set(covs) - set(splines))
        classify = unwrap_classify(classify)
        if not classify:
            raise AsrError("predict: classify is empty",
                           hint="name the factors to predict, e.g. classify='A' or 'A:B'; "
                                "classify='(Intercept)' is the overall mean")
        parts = [c.strip() for c in classify.split(":")
                 if c.strip() and c.strip() not in intercept]
        cls = [_term_variable(model, c) for c in parts]
        _check_classify_levels(classify, cls, levels)
        # asreml's table names such a column by the term, as classify wrote it
        term_cols = {v: c for v, c in zip(cls, parts) if v != c}
        cls = _trait_last(model, cls)
        levels = {k: _level_values(v, lv.get(k) if k not in covs and k not in splines
                                   else None) for k, v in (levels or {}).items()}
    # the response-dimension trait factor (not a data column) in classify or averaged
    resp_trait = (TRAIT in cls or TRAIT in facs) and is_response_trait(TRAIT, model.records)
    if resp_trait and TRAIT not in lv:
        lv[TRAIT] = tuple(model.records.traits)
    cov_cls: dict[str, tuple[float, ...]] = {}
    for c in cls:
        if c in lv and c not in covs and c not in splines:
            continue
        if c in covs or c in splines:
            if c in levels:
                vals = _covariate_values(c, levels[c])
            elif c in splines:  # asreml: a spline covariate is predicted at its knots
                vals = np.asarray(splines[c][0].extra["knots"], dtype=float)
            elif (pts := _pol_points(model, c)) is not None:  # asreml: at pol()'s points
                vals = pts
            else:  # a covariate at its mean
                vals = np.array([covariate_mean(c, model.records)])
            cov_cls[c] = tuple(float(v) for v in vals)
            continue
        raise AsrError(f"predict: '{c}' is not a factor or covariate of the model",
                       hint="classify by factors or covariates used in the model: "
                       + ", ".join(sorted(set(lv) | set(covs) | set(splines))))
    if model.records.multivariate and TRAIT not in cls:
        raise AsrError("predict: a multivariate model needs trait in classify",
                       hint=f"e.g. classify='trait:{cls[0]}'" if cls else "classify='trait'")
    c_levels = [cov_cls[c] if c in cov_cls else tuple(str(x) for x in levels.get(c, lv[c]))
                for c in cls]
    missing = model.records.missing_rows
    data_only = (_unfitted_levels(missing, cls, lv, cov_cls) if newdata is None
                 else {})
    c_levels = [tuple(_merge_levels(lvls, data_only[c], frame[c], missing[c]))
                if c in data_only and c not in levels else lvls
                for c, lvls in zip(cls, c_levels)]
    for c, lvls in zip(cls, c_levels):
        known = set(lv.get(c, ())) | set(data_only.get(c, ()))
        unknown = [] if c in cov_cls else [x for x in dict.fromkeys(lvls) if x not in known]
        if unknown:
            raise AsrError(f"predict: {', '.join(map(repr, unknown[:5]))} not among the "
                           f"levels of '{c}'", hint=f"levels of {c}: " + ", ".join(lv[c][:10])
                           + (" ..." if len(lv[c]) > 10 else ""))
    # averaged factors: fixed ones not in classify, and those named by average=
    avg_spec = _average_spec(average)
    for a in avg_spec:
        if a in cls or a not in lv or a in covs:
            raise AsrError(f"predict: average names {a!r}, which is "
                           + ("in classify" if a in cls else "not a factor of the model"),
                           hint="average= takes factors of the model that are not in classify: "
                           + ", ".join(sorted(set(lv) - set(cls))))
    avg = [f for f in facs if f not in cls] + [a for a in avg_spec if a not in facs]
    a_levels = [tuple(lv[a]) for a in avg]
    a_weights = [factor_weights(a, lv[a], avg_spec.get(a)) for a in avg]
    pres_names = [present] if isinstance(present, str) else list(present or [])
    for p in pres_names:
        if p not in cls and p not in avg or p in cov_cls or p not in frame or \
                is_response_trait(p, model.records):
            raise AsrError(f"predict: present names {p!r}, which is not a classify or "
                           "averaged factor (data column) of the model",
                           hint="present= lists factors among: " + ", ".join(
                               c for c in cls + avg if c not in cov_cls
                               and not is_response_trait(c, model.records)))
    seen = present_cells(frame, model.records.row, pres_names) if pres_names else None
    pw = None
    if prwts is not None:
        if not pres_names:
            raise AsrError("predict: prwts= weights the present table: give present= too",
                           hint="e.g. present=['site'], prwts=[1, 0, 1]")
        all_levels = dict(zip(cls, c_levels)) | dict(zip(avg, a_levels))
        pw = present_weights(pres_names, [tuple(str(x) for x in all_levels[p])
                                          for p in pres_names], prwts)
    grid = build_grid(cls, c_levels, avg, a_levels, a_weights, parallel=parallel,
                      present=seen, present_names=pres_names, present_weights=pw)
    ign_fixed, ign_rand = _ignored(model, ignore)
    only_fixed, only_rand = _only_ignored(model, only)
    ign_fixed, ign_rand = ign_fixed | only_fixed, ign_rand | only_rand

    cols = grid.cols
    rows = grid.cells()
    cells = pd.DataFrame(rows, columns=cols, dtype=object) if cols else pd.DataFrame(
        index=range(len(rows)))
    for cv in cov_cls:
        cells[cv] = cells[cv].astype(float)
    for cv in covs:
        if cv not in cov_cls:
            cells[cv] = covariate_mean(cv, model.records)
    traits = model.records.traits
    tcodes = (np.array([traits.index(t) for t in cells[TRAIT]], dtype=np.int64)
              if resp_trait else np.zeros(len(cells), dtype=np.int64))
    n = len(cells)
    rec = Records(frame=cells.drop(columns=[TRAIT]) if resp_trait else cells, y=np.zeros(n),
                  row=np.arange(n), trait=tcodes, traits=traits)
    ctx = replace(model.context, records=rec, warnings=[],
                  levels={k: v for k, v in model.context.levels.items() if k not in cov_cls})
    fc = fixed_columns(ctx, model.terms["fixed"], model.records.multivariate,
                       model.terms["sparse"].terms if "sparse" in model.terms else ())
    name_index = {nm: i for i, nm in enumerate(fc.names)}
    Xfull = as_dense(fc.X)
    drop = [j for j, o in enumerate(fc.owner) if fc.terms[o].label in ign_fixed]
    Xfull[:, drop] = 0.0
    kept = [name_index[nm] for nm in model.fixed.names]
    Xg = Xfull[:, kept]
    Zg, phantom = _random_design(model, cells, cols, cov_cls, tcodes, ign_rand, data_only)
    K, M = grid.weights.shape
    Wavg = sp.csr_matrix((grid.weights.ravel(), (np.repeat(np.arange(K), M), np.arange(K * M))),
                         shape=(K, K * M))
    L = sp.csr_matrix(Wavg @ sp.hstack([sp.csr_matrix(Xg), Zg], format="csr"))
    Lfull = Wavg @ Xfull
    N = model.fixed.null_basis
    est = np.ones(K, dtype=bool)
    if N.size:
        scale = np.abs(Lfull).sum(axis=1) + 1.0
        est = np.abs(Lfull @ N).max(axis=1) < 1e-8 * scale
    fixed_only = [i for i, c in enumerate(cls) if c in data_only and c in facs]
    if fixed_only:      # levels without records: no fixed effect estimated for them
        for k, combo in enumerate(grid.combos):
            if any(combo[i] in data_only[cls[i]] for i in fixed_only):
                est[k] = False
    pv = L @ result.solution
    if sed or vcov:
        V = result.cinv_quad(L.toarray())
        var = np.diag(V)
    else:
        V = None
        var = cinv_diag(result, L, Xg.shape[1])
    if phantom is not None:      # BLUPs of levels without records: 0, PEV their variance
        P = sp.csr_matrix(Wavg @ phantom.cells)
        d = phantom.variances(model, result)
        extra = np.asarray(P.multiply(P) @ d).ravel()     # stored entries only: NaN stays
        var = var + extra
        if V is not None:
            V = V + (P @ sp.diags(np.nan_to_num(d)) @ P.T).toarray()
            V[np.isnan(extra), :] = np.nan
            V[:, np.isnan(extra)] = np.nan
    if model.saturated:     # no residual df: the variances, hence the errors, are unknown
        var = np.full(K, np.nan)
        V = None if V is None else np.full_like(V, np.nan)
    se = np.sqrt(np.clip(var, 0, None))
    show = est | aliased
    ok = grid.present
    if newdata is not None:
        out = newdata[cls].copy()
    else:
        out = pd.DataFrame(grid.combos, columns=cls)
    out["predicted.value"] = np.where(show & ok, pv, np.nan)
    out["std.error"] = np.where(show & ok, se, np.nan)
    out["status"] = np.where(~ok, "Not present", np.where(est, "Estimable", "Aliased"))
    if newdata is None and term_cols:
        out = out.rename(columns=term_cols)
    if newdata is None and not ok.all():
        out = out[ok].reset_index(drop=True)
        if V is not None:
            V = V[np.ix_(ok, ok)]
        est = est[ok]
    if sed or vcov:
        combos = [c for c, k in zip(grid.combos, ok) if k or newdata is not None]
        _attach_sed(out, V, est & (ok if newdata is not None else True), combos,
                    sed=sed, vcov=vcov)
    out.attrs["heading"] = [PREDICT_HEADING]     # asreml 4.2's notes: attr(pvals, "heading")
    return out


def _trait_last(model: Model, cls: list[str]) -> list[str]:
    """The classify variables in the order of asreml's table: as written (the first
    varying slowest), except that a multivariate model's ``trait`` comes last (fastest),
    wherever classify names it. Evidence: ASReml-R's shipped predictions of the UIUC scab
    scripts (smallgrains-uiuc/Wheat-Selection-Decisions-2022, Adv_Scb_21blues.csv from
    classify = 'trait:germplasmName', GEBVscab.csv from 'germplasmName:trait') both list
    columns germplasmName, trait with trait fastest, and the 2021/2022 scripts divide
    those PEVs by ``rep(Vg, n_lines)``, Vg the per-trait variances; for ordinary factors
    asremlPlus's test42Sortalldiffs.r expects classify 'Variety:Nitrogen' of
    ``Yield ~ Nitrogen*Variety`` as columns Variety, Nitrogen (classify order)."""
    if model.records.multivariate and TRAIT in cls:
        return [c for c in cls if c != TRAIT] + [TRAIT]
    return cls


def _check_classify_levels(classify: str, cls: list[str], levels: dict[str, Any] | None
                           ) -> None:
    """A classify variable named twice is an error; ``levels=`` for a variable not in
    classify is not used (asreml predicts at the levels of classify variables only): a
    warning says so, since the user likely meant to predict at those values."""
    import warnings

    from asr_py.warning_classes import AsrWarning

    dup = sorted({c for c in cls if cls.count(c) > 1})
    if dup:
        raise AsrError(f"predict: classify {classify!r} names {', '.join(dup)} more than once",
                       hint="name each variable once, e.g. classify='A:B'")
    unused = [k for k in (levels or {}) if k not in cls]
    if unused:
        warnings.warn(f"predict: levels= gives {', '.join(map(repr, unused))}, not in classify "
                      f"{classify!r}: not used (a covariate outside classify is predicted at "
                      "its mean, a factor averaged); add it to classify, e.g. "
                      f"classify='{classify}:{unused[0]}'", AsrWarning, stacklevel=4)


def _covariate_values(name: str, v: Any) -> np.ndarray:
    """The numbers of a covariate's ``levels=`` entry, or a clear error."""
    try:
        vals = np.asarray(v, dtype=float).ravel()
    except (TypeError, ValueError):
        raise AsrError(f"predict: levels for the covariate '{name}' are not numbers: {v!r}",
                       hint=f"give the values of {name} to predict at, e.g. "
                            f"levels={{'{name}': [10, 20]}}") from None
    if vals.size == 0 or not np.all(np.isfinite(vals)):
        raise AsrError(f"predict: levels for the covariate '{name}' must be finite numbers "
                       f"(got {v!r})", hint=f"e.g. levels={{'{name}': [10, 20]}}")
    return vals


def _unfitted_levels(missing: pd.DataFrame | None, cls: list[str],
                     lv: dict[str, tuple[str, ...]], cov_cls: dict[str, Any]
                     ) -> dict[str, list[str]]:
    """Per classify factor, its levels seen only on the data rows kept in asreml's model
    without a fitted record (``missing``: the rows with a missing response under
    ``na.method(y = 'include')``, :attr:`asr_py.model.records.Records.missing_rows`); a
    ``levels=`` entry may name them too. asreml's evidence: asremlPlus's
    test42Variofaces.r (default 'include') predicts 247 Lines of chkpeadat, 3 of them with
    every response missing; Breeding-Insight/alfalfa_BLUE's blue_2phase_results.csv
    (``y = 'omit'``) lists 634 genotypes of a 652-level factor, those 18 without a record
    left out."""
    from asr_py.model.data import level_labels

    out: dict[str, list[str]] = {}
    if missing is None:
        return out
    for c in cls:
        if c in cov_cls or c not in lv or c not in missing.columns:
            continue
        have = set(lv[c])
        extra = [x for x in level_labels(missing[c]) if x not in have]
        if extra:
            out[c] = extra
    return out


def _merge_levels(fitted: tuple[str, ...], extra: list[str], fitted_col: pd.Series,
                  missing_col: pd.Series) -> list[str]:
    """The fitted levels and the unfitted ones in the order of the factor over all rows
    of the model (a categorical's categories, else numeric or text order)."""
    from asr_py.model.data import level_labels

    both = set(fitted) | set(extra)
    col = pd.concat([fitted_col, missing_col], ignore_index=True)
    order = [x for x in level_labels(col) if x in both]
    return order + [x for x in fitted if x not in set(order)]


def _average_spec(average: Any) -> dict[str, Any]:
    """``average=`` as {factor: None or weights}: a name, a list of names, or a dict."""
    if average is None:
        return {}
    if isinstance(average, str):
        return {average: None}
    if isinstance(average, dict):
        return {str(k): v for k, v in average.items()}
    return {str(a): None for a in average}


@dataclass
class _Phantoms:
    """Random effects of classify levels that are in asreml's model but have no fitted
    record (:func:`_unfitted_levels`): each is independent of the data, so its BLUP is 0 and
    its prediction error variance its prior variance. ``cells`` (cells × effects) says which
    cell uses which effect; ``terms`` gives each effect's random term."""

    cells: sp.csr_matrix
    terms: np.ndarray

    def variances(self, model: Model, result: RemlResult) -> np.ndarray:
        """Prior variance of each effect: σ² of its term when every part of the term is
        an identity (a plain factor, id(), idv()), so each new level (or combination) is
        iid N(0, σ²); NaN otherwise (its covariance with the other levels is unknown)."""
        from asr_py.vcov.base import to_dense

        offs = np.cumsum([0] + [t.template.n_params for t in model.random])
        theta = np.asarray(result.theta, dtype=float)
        var = {}
        for i in set(self.terms.tolist()):
            t = model.random[i]
            iid = all(b.structure in (None, "id", "idv") and not b.known for b in t.blocks)
            g = np.diag(to_dense(t.template.matrix(theta[offs[i]:offs[i + 1]])))
            var[i] = float(g[0]) if iid and g.size and np.allclose(g, g[0]) else np.nan
        return np.array([var[i] for i in self.terms.tolist()], dtype=float)


def _random_design(model: Model, cells: pd.DataFrame, cols: list[str],
                   cov_cls: dict[str, tuple[float, ...]], tcodes: np.ndarray,
                   ignored: set[int], unfitted: dict[str, list[str]] | None = None
                   ) -> tuple[sp.csr_matrix, _Phantoms | None]:
    """Z over the cells: a random term enters when all its factors are grid columns; and
    the effects of ``unfitted`` levels (see :class:`_Phantoms`), None when there are none."""
    traits = model.records.traits
    n = len(cells)
    r_idx: list[np.ndarray] = []
    c_idx: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    ph_rows: list[np.ndarray] = []
    ph_keys: list[tuple] = []
    unfitted = unfitted or {}
    off = 0
    for i, t in enumerate(model.random):
        q = t.Z.shape[1]
        names = [b.name for b in t.blocks]
        spl_x = _spline_x(t)
        if i in ignored:
            pass
        elif spl_x is not None and spl_x in cov_cls:
            from asr_py.model.splines import spline_design

            x_new = cells[spl_x].to_numpy(dtype=float)
            B = sp.coo_matrix(spline_design(x_new, t.blocks[0].extra["knots"])[0])
            r_idx.append(B.row)
            c_idx.append(B.col + off)
            vals.append(B.data)
        elif (t.blocks and all(b.is_factor or _plain_covariate(b, model) for b in t.blocks)
                and (t.at is None or t.at[0] in cols)
                and (t.at is not None or set(_term_factors(t, model)) <= set(cols))
                and len(t.factors) == len(t.blocks) + (t.at is not None)
                and all(nm in cols or is_response_trait(nm, model.records)
                        or _plain_covariate(b, model) for nm, b in zip(names, t.blocks))):
            idx = np.zeros(n, dtype=np.int64)
            # a covariate block (random slopes, or a random covariate alone) enters at the
            # cell's value: a classify covariate's level, else the covariate's mean
            xval = np.ones(n)
            for b in t.blocks:
                if _plain_covariate(b, model):
                    xval = xval * (cells[b.name].to_numpy(dtype=float) if b.name in cells
                                   else covariate_mean(b.name, model.records))
            # at(f, l):g enters the cells of level l of f only (its Z is g's on those records)
            ok = (np.ones(n, dtype=bool) if t.at is None
                  else cells[t.at[0]].astype(str).to_numpy() == t.at[1])
            ok_other, new_any = ok.copy(), np.zeros(n, dtype=bool)
            for b in t.blocks:
                if _plain_covariate(b, model):
                    continue          # one column (k = 1): its value is in xval
                if is_response_trait(b.name, model.records):
                    bv = np.array([traits[j] for j in tcodes])
                elif b.name in cov_cls:  # dev(x): the factor of x's values
                    bv = np.array([_num_label(v) for v in cells[b.name]], dtype=object)
                else:
                    bv = cells[b.name].astype(str).to_numpy()
                pos = {lab: j for j, lab in enumerate(b.labels)}
                code = np.array([pos.get(v, -1) for v in bv])
                new_level = np.isin(bv, unfitted.get(b.name, [])) & (code < 0)
                new_any |= new_level
                ok_other &= (code >= 0) | new_level
                ok &= code >= 0
                idx = idx * b.k + np.maximum(code, 0)
            for r in np.nonzero(new_any & ok_other)[0]:
                ph_rows.append(np.array([r]))
                ph_keys.append((i, tuple(traits[tcodes[r]]
                                         if is_response_trait(b.name, model.records)
                                         else str(cells[b.name].iloc[r]) for b in t.blocks)))
            r = np.nonzero(ok)[0]
            r_idx.append(r)
            c_idx.append(off + idx[ok])
            vals.append(xval[ok])
        off += q
    phantom = None
    if ph_keys:
        keys = list(dict.fromkeys(ph_keys))
        col = {k: j for j, k in enumerate(keys)}
        rows = np.concatenate(ph_rows)
        phantom = _Phantoms(sp.csr_matrix((np.ones(rows.size), (rows, [col[k] for k in ph_keys])),
                                          shape=(n, len(keys))),
                            np.array([k[0] for k in keys], dtype=np.int64))
    if not r_idx:
        return sp.csr_matrix((n, off)), phantom
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))),
                         shape=(n, off)), phantom


def _plain_covariate(b: Any, model: Model) -> bool:
    """A random term's block that is a data covariate itself (``x`` in ``~ x`` or
    ``~ f:x``), not a factor and not a basis of x (pol, leg, spl)."""
    return (not b.is_factor and b.mat.shape[1] == 1 and b.name in model.records.frame.columns
            and tuple(b.labels) == (b.name,))


def _term_factors(t: Any, model: Model) -> list[str]:
    """The factors of random term t that must be grid columns for it to enter: its factors
    without its plain covariates (those enter at a value, see :func:`_random_design`)."""
    cov = {b.name for b in t.blocks if _plain_covariate(b, model)}
    return [f for f in t.factors if f not in cov]


def _label(combo: tuple) -> str:
    return ":".join(_num_label(v) if isinstance(v, float) else str(v) for v in combo)


#: asreml 4.2's ``heading`` attribute of predict()'s pvals: one text (asreml 4.1 gave a
#: vector of lines); the notes without the per-fit averaging/ignored sets lines
PREDICT_HEADING = ("\nNotes:\n- The predictions are obtained by averaging across the "
                   "hypertable\n  calculated from model terms constructed solely from factors "
                   "in\n  the averaging and classify sets.\n- Use 'average' to move ignored "
                   "factors into the averaging set.\n")


def _attach_sed(out: pd.DataFrame, V: np.ndarray, est: np.ndarray, combos: list[tuple],
                *, sed: bool, vcov: bool) -> None:
    """Store V (NaN rows/columns for aliased predictions), the SED matrix and avsed in
    ``out.attrs``. SED_ij = sqrt(v_ii + v_jj − 2v_ij), 0 on the diagonal; avsed: min, mean,
    max of SED_ij over the pairs i < j of estimable predictions (NaN if fewer than two)."""
    labels = [_label(c) for c in combos]
    V = np.where(np.outer(est, est), V, np.nan)
    if vcov:
        out.attrs["vcov"] = shared(pd.DataFrame(V, index=labels, columns=labels))
    if sed:
        d = np.diag(V)
        s = np.sqrt(np.clip(d[:, None] + d[None, :] - 2.0 * V, 0.0, None))
        np.fill_diagonal(s, np.where(est, 0.0, np.nan))
        out.attrs["sed"] = shared(pd.DataFrame(s, index=labels, columns=labels))
        iu = np.triu_indices(len(labels), 1)
        pairs = s[iu]
        pairs = pairs[np.isfinite(pairs)]
        out.attrs["avsed"] = shared(pd.Series(
            [pairs.min(), pairs.mean(), pairs.max()] if pairs.size else [np.nan] * 3,
            index=["min", "mean", "max"], name="avsed"))

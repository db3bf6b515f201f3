"""asremlPlus's ``R2adj.asreml``: the adjusted R² (in %) of a Gaussian linear mixed model
for a set of its fixed and random terms (asremlPlus R/REMLRTIC.v4.r; Piepho 2019's R²
for linear mixed models, adjusted as the average semivariance of the data).

With V the fitted variance matrix (:func:`~asr_py.compat.estimatev.estimateV`), X the fixed
design, β̂ its estimate, f = Xβ̂, P = I − J/n (J all ones) and C = (X'V⁻X)⁻ (the variance of
β̂, generalised inverses):

    ASV   = tr(PV) / (n − 1)                       average semivariance of the random part
    ASSB  = (f'Pf − tr(X'PX C)) / (n − 1)          of the fixed part, bias-corrected
    ASSBq = (f'Qf − tr(X'QX C)) / (n − 1)          of the fixed terms with projector Q
    ASVG  = tr(PG) / (n − 1)                       G the included random terms' ZGZ'
    R²adj = 100 (ASSBq + ASVG) / (ASSB + ASV).

``include_which_fixed`` ``~ .`` takes all fixed terms (Q = P); a formula updating the fitted
terms (``~ Nitrogen``, ``~ . - (A + B)``; the fitted terms are named as asreml names them,
``at(expt, 'mtnue10'):vrow`` for ``at(expt, c(1)):vrow``) takes those terms, each term's
projector Q_t = proj([1, X_t]) − J/n (X_t the term's own columns in asreml's design, every
level combination of its factors: asremlPlus's ``getTermDesignMatrix``; a term whose parts
are not data columns, factors or ``at(f, 'level')``, falls back to its columns and those of
the terms marginal to it), orthogonalised in the order of the fitted terms to those before it
(Q_t replaced by the projector onto the range of (I − ΣQ_s) Q_t: dae's ``porthogonalize``;
its "hybrid" and "eigenmethods" agree for the orthogonal and nested designs this is made
for); ``None`` (R's NULL) none. ``include_which_random`` ``~ .`` takes all random terms, a
formula updating them those terms, ``None`` none (the default).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg

from asr_py.compat.estimatev import all_rows_model, estimateV
from asr_py.compat.lsd import pick
from asr_py.compat.rattrs import RFormula
from asr_py.errors import AsrError
from asr_py.formula.toplevel import split_top
from asr_py.vcov.base import to_dense
from asr_py.warning_classes import AsrWarning

__all__ = ["R2adj", "R2Value"]

_BOUND = ("F", "B", "S", "C")


class R2Value(float):
    """R2adj's value, a number with R's attributes ``fixed``, ``random`` (the formulae of
    the terms included) in ``attrs``."""

    attrs: dict[str, Any]

    def __new__(cls, value: float, attrs: dict[str, Any] | None = None) -> R2Value:
        out = super().__new__(cls, value)
        out.attrs = dict(attrs or {})
        return out


def _key(term: str) -> frozenset[str]:
    """A term's factors, order, spaces and quotes ignored (``x:Tree`` is ``Tree:x``)."""
    return frozenset(p for p in re.sub(r"[\s'\"]+", "", str(term)).split(":") if p)


def _rhs(formula: Any, arg: str) -> str:
    text = str(formula).strip()
    if "~" not in text:
        raise AsrError(f"R2adj(): {arg} must be a formula, not {formula!r}",
                       hint=f'give {arg} = "~ ." or "~ A + B", or None')
    return text.split("~", 1)[1].strip()


def _included(formula: Any, fitted: list[str], arg: str) -> tuple[list[str], RFormula]:
    """The fitted terms the formula keeps (R's ``update.formula(~ fitted, formula)``), in
    the fitted order, and the formula as R deparses it (``~Tree + Tree:x``)."""
    import formulaic

    rhs = _rhs(formula, arg)
    if rhs == ".":
        return list(fitted), RFormula("~.")
    text = re.sub(r"(?<![\w.])\.(?![\w.])", "(" + " + ".join(fitted) + ")", rhs)
    try:
        terms = [t for t in formulaic.Formula(text) if str(t) != "1"]
    except Exception as e:  # noqa: BLE001 - formulaic names what it cannot read
        raise AsrError(f"R2adj(): cannot read {arg} {formula!r} against the fitted terms "
                       f"{fitted}: {e}") from e
    keys = {_key(t): t for t in fitted}
    wanted = [":".join(str(f) for f in t.factors) for t in terms]
    absent = [w for w in wanted if _key(w) not in keys]
    if absent:
        warnings.warn("The following terms are not amongst the fitted terms and will be "
                      f"ignored: {', '.join(absent)}", AsrWarning, stacklevel=3)
    keep = {_key(w) for w in wanted} & set(keys)
    flat = _norm(text)
    names = [":".join(sorted(t.split(":"), key=lambda f: _at(flat, f))) for t in wanted
             if _key(t) in keep]
    # R deparses a formula's strings in double quotes
    return [t for t in fitted if _key(t) in keep], RFormula(
        "~" + " + ".join(names).replace("'", '"'))


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).replace('"', "'")


def _at(flat: str, factor: str) -> int:
    """Where a factor first appears in the formula: R's terms() writes an interaction's
    factors in that order (``rep:at(expt, 'b')`` after ``at(expt, 'a'):rep``)."""
    pos = flat.find(_norm(factor))
    return pos if pos >= 0 else len(flat)


def _basis(A: np.ndarray, tol: float = 1e-8) -> np.ndarray:
    """An orthonormal basis of the column space of ``A`` (n × rank)."""
    if A.shape[1] == 0:
        return np.zeros((A.shape[0], 0))
    u, s, _ = np.linalg.svd(A, full_matrices=False)
    return u[:, s > tol * max(s.max(initial=0.0), 1.0)]


def _term_name(t: Any) -> str:
    """A fixed term's name as asreml gives it (its Wald row), else its label."""
    return str(getattr(t, "name", "") or t.label)


_AT_LEVEL = re.compile(r"at\(\s*([\w.]+)\s*,\s*['\"](.*)['\"]\s*\)")


def _own_design(t: Any, data: pd.DataFrame | None) -> np.ndarray | None:
    """The term's own columns in asreml's design, every level combination (asremlPlus's
    getTermDesignMatrix): a factor part gives an indicator per level, ``at(f, 'a')`` the
    indicator of f = a, a covariate its values; None when a part is none of these."""
    if data is None:
        return None
    n = len(data)
    cols = [np.ones(n)]
    for part in split_top(_term_name(t), strip=True):
        m = _AT_LEVEL.fullmatch(part)
        if m:
            if m.group(1) not in data.columns:
                return None
            hit = data[m.group(1)].astype(str).to_numpy() == m.group(2)
            if not hit.any():
                return None
            pieces = [hit.astype(float)]
        elif part in data.columns and part in t.factor_parts:
            v = data[part].astype(str).to_numpy()
            pieces = [(v == lv).astype(float) for lv in pd.unique(v)]
        elif part in data.columns and pd.api.types.is_numeric_dtype(data[part]):
            pieces = [data[part].to_numpy(dtype=float)]
        else:
            return None
        cols = [c * w for c in cols for w in pieces]
    return np.column_stack(cols)


def _records_frame(model: Any) -> pd.DataFrame | None:
    """The model's records (data rows) in data order, the rows' order of R2adj's X and V;
    None when the model does not keep its data frame."""
    records = model.records
    frame = getattr(records, "frame", None)
    if frame is None or getattr(records, "multivariate", False):
        return None
    rows = np.sort(np.asarray(records.row))
    return frame.iloc[rows].reset_index(drop=True)


def _fixed_bases(fixed: Any, X: np.ndarray, data: pd.DataFrame | None = None
                 ) -> dict[str, np.ndarray]:
    """Each fixed term's projector Q_t (module docstring), orthogonalised in the fitted
    order, as an orthonormal basis B_t (Q_t = B_t B_t'), keyed by the term's asreml name;
    ``data``: the records in the rows' order of X, for the terms' own designs."""
    n = X.shape[0]
    terms = [t for t in fixed.terms if t.label != "(Intercept)"]
    out: dict[str, np.ndarray] = {}
    done = np.ones((n, 1)) / np.sqrt(n)            # the grand mean's direction
    for t in terms:
        own = _own_design(t, data)
        if own is not None:
            B = _basis(own)
        else:
            mine = set(t.factors)
            cols = [c for s in terms if set(s.factors) <= mine for c in s.columns]
            B = _basis(X[:, cols]) if cols else np.zeros((n, 0))
        B = _basis(B - done @ (done.T @ B))
        out[_term_name(t)] = B
        done = np.column_stack([done, B])
    return out


def _asv(M: np.ndarray) -> float:
    """tr(PM)/(n − 1): the average semivariance of a variance matrix."""
    n = M.shape[0]
    return float((np.trace(M) - M.sum() / n) / (n - 1))


def R2adj(asreml_obj: Any, include_which_fixed: Any = "~ .", orthogonalize: str = "hybrid",
          include_which_random: Any = None,
          bound_exclusions: Iterable[str] | str | None = _BOUND, **other: Any) -> R2Value:
    """asremlPlus's ``R2adj.asreml`` (module docstring): the adjusted R² (%) of the fixed
    terms in ``include_which_fixed`` and the random terms in ``include_which_random``."""
    if other:
        raise AsrError(f"R2adj(): unknown argument(s) {', '.join(sorted(other))}")
    if not hasattr(asreml_obj, "model") or not hasattr(asreml_obj, "result"):
        raise AsrError(f"R2adj() needs an asr.asreml() fit, not {type(asreml_obj).__name__}")
    call = getattr(asreml_obj, "call", None) or {}
    if isinstance(call, dict) and call.get("family") not in (None, "gaussian") and \
            "gaussian" not in str(call.get("family")):
        raise AsrError("R2adj.asreml has only been implemented for linear mixed models that "
                       "assume normality")
    if include_which_fixed is None and include_which_random is None:
        raise AsrError("R2adj(): cannot have both include.which.random and "
                       "include.which.fixed set to NULL")
    pick(orthogonalize, ("eigenmethods", "hybrid"), "orthogonalize")
    # records with a missing response: asreml keeps them in V and in the design (as
    # estimateV does), so X is the model's compiled over all the records
    model = all_rows_model(asreml_obj) or asreml_obj.model
    fixed = model.fixed
    X = to_dense(fixed.X)
    beta = np.asarray(asreml_obj.result.beta, dtype=float)
    if beta.shape[0] != X.shape[1]:
        raise AsrError("R2adj(): the fixed design and the fixed effects do not match "
                       f"({X.shape[1]} columns, {beta.shape[0]} effects)")
    rows = np.asarray(model.records.row)
    X = X[np.argsort(rows, kind="stable")]      # data order, as estimateV's V
    V = estimateV(asreml_obj, bound_exclusions=bound_exclusions)
    n = V.shape[0]
    if X.shape[0] != n:
        raise AsrError(f"R2adj(): V has {n} rows, the fixed design {X.shape[0]}")
    f = X @ beta
    pf = f - f.mean()
    try:                                    # V positive definite: V⁻¹X by Cholesky
        VinvX = linalg.cho_solve(linalg.cho_factor(V), X)
    except linalg.LinAlgError:
        VinvX = np.linalg.pinv(V) @ X
    C = np.linalg.pinv(X.T @ VinvX)
    PX = X - X.mean(axis=0)
    assb = float((pf @ pf - np.trace(PX.T @ PX @ C)) / (n - 1))
    asv = _asv(V)
    attrs: dict[str, Any] = {}
    assb_fix = 0.0
    if include_which_fixed is not None:
        fitted = [_term_name(t) for t in fixed.terms if t.label != "(Intercept)"]
        keep, attrs["fixed"] = _included(include_which_fixed, fitted, "include_which_fixed")
        if set(keep) == set(fitted):
            assb_fix = assb
        elif keep:
            bases = _fixed_bases(fixed, X, _records_frame(model))
            B = np.column_stack([bases[t] for t in keep])     # Q = BB', Q'Q = Q
            Bf, BX = B.T @ f, B.T @ X
            assb_fix = float((Bf @ Bf - np.trace(BX.T @ BX @ C)) / (n - 1))
    asv_ran = 0.0
    if include_which_random is not None:
        theta = np.asarray(asreml_obj.result.theta, dtype=float)
        model = asreml_obj.model
        # a str() term's block is named by its terms joined with "+" (``Tree+Tree:x``)
        blocks = {b.name: [p.strip() for p in b.name.split("+")]
                  for b in model.problem(theta).random}
        fitted_r = [p for parts in blocks.values() for p in parts]
        keep_r, attrs["random"] = _included(include_which_random, fitted_r,
                                            "include_which_random")
        ignore = []
        for name, parts in blocks.items():
            inc = [p in keep_r for p in parts]
            if not any(inc):
                ignore.append(name)
            elif not all(inc):
                raise AsrError(f"R2adj(): include_which_random takes only some of the terms "
                               f"of the str() term {name}; their covariance is one matrix",
                               hint=f"include all of {', '.join(parts)} or none")
        G = estimateV(asreml_obj, which_matrix="G", ignore_terms=ignore or None,
                      bound_exclusions=bound_exclusions)
        asv_ran = _asv(G)
    return R2Value((assb_fix + asv_ran) / (assb + asv) * 100.0, attrs)

"""Wald tests of fixed terms, as asreml's ``wald()``: incremental (sequential) and conditional
F tests, optionally with Kenward-Roger denominator degrees of freedom.

**Incremental.** With M = Var(β̂)⁻¹ = U'U (U upper triangular, Cholesky in column order) the
vector z = Uβ̂ has independent unit-variance components, and z_k² is the part of the Wald
statistic β̂'Mβ̂ that column k adds after the columns before it (ignoring those after it). A
term's incremental Wald statistic is the sum of z_k² over its columns, on Df = its number of
columns; Pr(Chisq) = P(χ²_Df > W), ``F.inc`` = W / Df. Equivalently it is the Wald test of
the linear hypothesis L'β = 0 with L' = the term's rows of U.

**Conditional** (``ssType='conditional'``, asreml's F.con with its marginality rule): term k
is tested after every other term that does not contain it, ignoring the terms that contain
it. A term contains k explicitly when its factors are a strict superset of k's (``V:N``
contains ``V`` and ``N``) or implicitly when k's factor levels are nested in its levels
although coded independently (sites nested in locations: Site contains Loc;
:mod:`asr_py.results.wald_margin`). The statistic is that of the directions k's columns add
to all columns of the terms it is adjusted for (aliased ones included: in the
parameterisation with aliased columns dropped, a term's dropped columns are combinations
of the kept ones); its df ``Df.con`` is the rank they add, below Df when k is partly
aliased with those terms (0: nothing to test, NaN statistics).

**Denominator df** (``denDF``): for each test's L (above), :mod:`asr_py.results.kenward_roger`
gives the Kenward-Roger denominator df m and scale λ. ``denDF='kenward-roger'``: pbkrtest's
test, W = I_E⁻¹ (expected information) and the scaled statistic
F* = λ β̂'L(L'Φ_A L)⁻¹L'β̂/Df (Φ_A the adjusted Var(β̂)), Pr(F) = P(F(Df, m) > F*).
``denDF='numeric'``, ``'default'`` or ``'algebraic'``: asreml's rule
(:func:`asr_py.results.kenward_roger.asreml_test`): m and λ with W = AI⁻¹ (asreml's
Var(θ̂)) and the statistic from the unadjusted Φ, F.adj = λ·F.inc and F.con.adj = λ·F.con
(what asreml prints as F.inc and F.con), Pr(F) = P(F(Df, m) > F.adj). In a balanced design
where the F test is exact, m is the classical denominator df and λ = 1 (λ = 1 for one df).
``denDF='satterthwaite'``: Satterthwaite's df (lmerTest's method), F* = F.inc.

Columns: ``Df``, ``Sum of Sq`` (σ²·W: asreml's residual scale σ² times the Wald statistic W;
in a fixed-effects model with one residual variance, the term's sequential sum of squares),
``Wald statistic``, ``Pr(Chisq)``, ``F.inc``; with denDF also
``denDF``, ``F.adj`` (= F*), ``Pr(F)``; with ``ssType='conditional'`` also ``Wald.con``,
``F.con``, ``Pr(Chisq.con)`` and, with denDF, ``denDF.con``, ``F.con.adj``, ``Pr(F.con)``,
then ``Margin``: asreml's marginality code of the conditional test (blank, A, B, ...:
:func:`asr_py.results.wald_margin.margin_codes`).

**As asreml reports it** (:func:`as_asreml_reports`): asreml gives the denominator df to one
decimal place, and code built on its table (asremlPlus's LSDs, t quantiles) uses that
value. Evidence: asremlPlus's test3/41/42PredictionsPresentation.r record the LSDs 11.92550,
41.13342 and 67.62672 of a ``rcov = ~ idh(SpeedPress):WSpeedPress`` fit whose
Kenward-Roger df is 8.747; with 8.7 the three come out to all 7 digits, with 8.747 they do not
(tests/results/test_wald_reported_dendf.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.kenward_roger import KRInfo

#: accepted ``denDF`` values: None/'none' = no denominator df; 'satterthwaite';
#: 'kenward-roger'/'kr' (pbkrtest's); asreml's names 'default', 'numeric', 'algebraic'
#: (asreml's rule, module docstring)
DENDF_CHOICES = (None, "none", "default", "numeric", "algebraic", "kenward-roger", "kr",
                 "satterthwaite")
#: the ``denDF`` values that select asreml's rule
ASREML_DENDF = ("default", "numeric", "algebraic")
SSTYPE_CHOICES = ("incremental", "conditional")


def _own_basis(rows: np.ndarray, cols: list[int]) -> np.ndarray:
    """The same hypothesis with the term's own columns as the identity: L' = (R_cc)⁻¹R for
    the rows R (Satterthwaite's multi-df rule depends on the basis when L'ΦL = I)."""
    return np.linalg.solve(rows[:, cols], rows).T


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """True if a term with factors ``outer`` contains one with factors ``inner``."""
    return set(inner) < set(outer)


def _orth(A: np.ndarray, tol: float) -> np.ndarray:
    """Orthonormal basis of the column space of A (columns scaled to unit length first;
    singular values below ``tol`` x the largest dropped)."""
    if A.shape[1] == 0:
        return np.zeros((A.shape[0], 0))
    norms = np.linalg.norm(A, axis=0)
    A = A[:, norms > 0] / norms[norms > 0]
    if A.shape[1] == 0:
        return np.zeros((A.shape[0], 0))
    u, sv, _ = np.linalg.svd(A, full_matrices=False)
    return u[:, sv > tol * max(sv[0], 1.0)]


def _conditional_rows(U: np.ndarray, T: np.ndarray, before: list[int], own: list[int]
                      ) -> np.ndarray:
    """Rows R (q x p) with R'β the directions that the full columns ``own`` add to the
    full columns ``before`` in the Var(β̂)⁻¹ = U'U metric (X_full = X_kept·T), orthonormal
    in it: Var(Rβ̂) = I. q is the conditional numerator df (0: nothing left to test)."""
    Qa = _orth(U @ T[:, before], 1e-9)
    B = U @ T[:, own]
    norms = np.linalg.norm(B, axis=0)
    B = B[:, norms > 0] / norms[norms > 0]
    if B.shape[1] == 0:
        return np.zeros((0, U.shape[1]))
    Bp = B - Qa @ (Qa.T @ B)
    u, sv, _ = np.linalg.svd(Bp, full_matrices=False)
    Qn = u[:, sv > 1e-7]
    return Qn.T @ U


def _own_basis_rank(rows: np.ndarray, cols: list[int]) -> np.ndarray:
    """:func:`_own_basis` when the rows have the term's rank; with fewer rows (a term
    partly aliased with one tested before it) the same hypothesis with the identity on
    the term's columns picked by a pivoted QR; with more (the term's columns dropped as
    aliased with a term that contains it add directions) the rows as they are."""
    import scipy.linalg as sla

    q = rows.shape[0]
    pick = list(cols)
    if q > len(cols):       # the term's aliased columns add directions: no own basis
        return rows.T
    if q < len(cols):
        _, _, piv = sla.qr(rows[:, cols], pivoting=True, mode="economic")
        pick = [cols[j] for j in piv[:q]]
    sub = rows[:, pick]
    if np.linalg.cond(sub) > 1e10:
        return rows.T
    return _own_basis(rows, pick)


def wald_table(beta: np.ndarray, vcov: np.ndarray, terms: Sequence[tuple[str, list[int]]],
               *, kr: KRInfo | None = None, factors: Sequence[tuple[str, ...]] | None = None,
               conditional: bool = False, method: str = "kenward-roger",
               contains: Sequence[set[int]] | None = None,
               full: tuple[np.ndarray, list[list[int]]] | None = None,
               scale: float = 1.0) -> pd.DataFrame:
    """Wald table: one row per term (label, its columns in β), columns as in the module
    docstring. ``kr``: Kenward-Roger ingredients (adds the denominator-df columns, by
    ``method`` 'kenward-roger', 'asreml' or 'satterthwaite');
    ``conditional`` needs ``factors`` (each term's factors, for the marginality rule) or
    ``contains`` (for each term, the terms that contain it: :func:`asr_py.results.
    wald_margin.containment`, which adds asreml's implicit nesting); ``full`` = (T, each
    term's columns of X_full = X_kept·T) when columns are aliased
    (:func:`asr_py.results.wald_margin.full_columns`): a conditional test is then against
    all columns of the terms it adjusts for. ``Sum of Sq`` = ``scale`` × the Wald statistic
    (asreml's σ²: with one residual variance, the term's sum of squares). The conditional
    numerator df is ``Df.con``
    (less than Df when the term is partly aliased with those terms; 0: NaN statistics)."""
    from scipy import stats

    from asr_py.results.kenward_roger import asreml_test, kr_test, satterthwaite_test

    test = {"satterthwaite": satterthwaite_test, "asreml": asreml_test}.get(method, kr_test)

    beta = np.asarray(beta, dtype=float)
    vcov = np.asarray(vcov, dtype=float)
    M = np.linalg.inv(vcov)
    M = 0.5 * (M + M.T)
    U = np.linalg.cholesky(M).T
    z = U @ beta
    if conditional and contains is None:
        if factors is None:
            raise ValueError("conditional tests need each term's factors")
        contains = [{s for s in range(len(terms)) if s != t
                     and _contains(factors[s], factors[t])} for t in range(len(terms))]
    T, full_cols = full if full is not None else (np.eye(beta.size), [list(c) for _, c in terms])
    if conditional:
        from asr_py.results.wald_margin import margin_codes

        margin = margin_codes(contains, factors)
    rows = []
    for t, (label, cols) in enumerate(terms):
        if not cols:
            continue
        w = float(np.sum(z[cols] ** 2))
        df = len(cols)
        row: dict[str, object] = {"term": label, "Df": df, "Sum of Sq": scale * w,
                                  "Wald statistic": w,
                                  "Pr(Chisq)": float(stats.chi2.sf(w, df)), "F.inc": w / df}
        if kr is not None:
            res = test(kr, beta, _own_basis(U[cols, :], cols))
            row.update({"denDF": res["denDF"], "F.adj": res["F.adj"], "Pr(F)": res["Pr(F)"]})
        if conditional:
            before = [c for s in range(len(terms)) if s != t and s not in contains[t]
                      for c in full_cols[s]]
            R = _conditional_rows(U, T, before, full_cols[t])
            dfc = R.shape[0]
            wc = float(np.sum((R @ beta) ** 2)) if dfc else np.nan
            row.update({"Df.con": dfc, "Wald.con": wc, "F.con": wc / dfc if dfc else np.nan,
                        "Pr(Chisq.con)": float(stats.chi2.sf(wc, dfc)) if dfc else np.nan})
            if kr is not None:
                res = (test(kr, beta, _own_basis_rank(R, list(cols))) if dfc else
                       {"denDF": np.nan, "F.adj": np.nan, "Pr(F)": np.nan})
                row.update({"denDF.con": res["denDF"], "F.con.adj": res["F.adj"],
                            "Pr(F.con)": res["Pr(F)"]})
            row["Margin"] = margin[t]
        rows.append(row)
    return pd.DataFrame(rows).set_index("term")


def as_asreml_reports(table: pd.DataFrame, pr_from_reported: bool = True) -> pd.DataFrame:
    """The Wald table with ``denDF``/``denDF.con`` rounded to one decimal place, as asreml
    reports them (see the module docstring). ``pr_from_reported``: ``Pr(F)``/``Pr(F.con)``
    from those rounded df, as asremlPlus's recalcWaldTab recomputes them
    (R/reml4.v13.r: ``1 - pf(F, Df, denDF)`` of the table): its test42alldiffsasr.r (dat699,
    line 2064) records that the Wald Pr of a 1-df term equals 2·pt(t, denDF) with the
    reported denDF to 1e-5. False: the Pr of the unrounded df kept, as asreml's own
    ``wald()`` prints it (biometryassist's all-w2.md: Pr 0.11595886 beside denDF 0.7 is
    P(F(1, 0.696) > 124.1); on 0.7 it would be 0.1149). A copy."""
    from scipy import stats

    out = table.copy()
    for c, f, pr in (("denDF", "F.adj", "Pr(F)"), ("denDF.con", "F.con.adj", "Pr(F.con)")):
        if c not in out.columns:
            continue
        out[c] = pd.to_numeric(out[c], errors="coerce").round(1)
        if pr_from_reported and f in out.columns and pr in out.columns and "Df" in out.columns:
            fv = pd.to_numeric(out[f], errors="coerce").to_numpy(dtype=float)
            dv = pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float)
            nv = pd.to_numeric(out["Df"], errors="coerce").to_numpy(dtype=float)
            ok = np.isfinite(fv) & np.isfinite(dv) & (dv > 0) & np.isfinite(nv) & (nv > 0)
            prv = pd.to_numeric(out[pr], errors="coerce").to_numpy(dtype=float).copy()
            prv[ok] = stats.f.sf(fv[ok], nv[ok], dv[ok])
            out[pr] = prv
    return out

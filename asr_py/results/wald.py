"""Wald tests of fixed terms, as asreml's ``wald()``: incremental (sequential) and conditional
F tests, optionally with Kenward-Roger denominator degrees of freedom.

**Incremental.** With M = Var(β̂)⁻¹ = U'U (U upper triangular, Cholesky in column order) the
vector z = Uβ̂ has independent unit-variance components, and z_k² is the part of the Wald
statistic β̂'Mβ̂ that column k adds after the columns before it (ignoring those after it). A
term's incremental Wald statistic is the sum of z_k² over its columns, on Df = its number of
columns; Pr(Chisq) = P(χ²_Df > W), ``F.inc`` = W / Df. Equivalently it is the Wald test of
the linear hypothesis L'β = 0 with L' = the term's rows of U.

**Conditional** (``ssType='conditional'``, asreml's F.con with its marginality rule): term k
is tested after every other term that does not contain it (a term contains k when its
factors are a strict superset of k's: ``V:N`` contains ``V`` and ``N``), ignoring the terms
that contain it: the incremental statistic with the columns ordered [those terms, k, rest].

**Denominator df** (``denDF``): for each test's L (above), :mod:`asr_py.results.kenward_roger`
gives the Kenward-Roger denominator df m and the scaled statistic F* = λ β̂'L(L'Φ_A L)⁻¹L'β̂/Df
(Φ_A the adjusted Var(β̂)), with Pr(F) = P(F(Df, m) > F*). In a balanced design where the F
test is exact, m is the classical denominator df and F* = F.inc. ``denDF='satterthwaite'``:
Satterthwaite's df (lmerTest's method), F* = F.inc.

Columns: ``Df``, ``Sum of Sq``, ``Wald statistic``, ``Pr(Chisq)``, ``F.inc``; with denDF also
``denDF``, ``F.adj`` (= F*), ``Pr(F)``; with ``ssType='conditional'`` also ``Wald.con``,
``F.con``, ``Pr(Chisq.con)`` and, with denDF, ``denDF.con``, ``F.con.adj``, ``Pr(F.con)``.

**As asreml reports it** (:func:`as_asreml_reports`): asreml gives the denominator df to one
decimal place, and code built on its table (asremlPlus's LSDs, t quantiles) uses that
value. Evidence: asremlPlus's test3/41/42PredictionsPresentation.r record the LSDs 11.92550,
41.13342 and 67.62672 of a ``rcov = ~ idh(SpeedPress):WSpeedPress`` fit whose
Kenward-Roger df is 8.747; with 8.7 the three come out to all 7 digits, with 8.747 they do not
(tests/results/test_wald_reported_dendf.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.kenward_roger import KRInfo

#: accepted ``denDF`` values: None/'none' = no denominator df; 'satterthwaite'; the others
#: use Kenward-Roger
DENDF_CHOICES = (None, "none", "default", "numeric", "kenward-roger", "kr", "satterthwaite")
SSTYPE_CHOICES = ("incremental", "conditional")


_AT_QUOTED = re.compile(r"""\bat\(([^,()]+),\s*(['"])([^'"]*)\2\s*\)""")


def asreml_term_label(label: str) -> str:
    """A term label as asreml prints it (wald table rows): the level of ``at(f, 'a')``
    without quotes, ``at(AMF, AMF_plus):per.col`` (asremlPlus's test41ChangeTerms.r reads
    that row name of an ``at(AMF, "AMF_plus"):per.col`` term)."""
    return _AT_QUOTED.sub(lambda m: f"at({m.group(1).strip()}, {m.group(3)})", label)


def _rows_of_u(vcov: np.ndarray, order: list[int], rows: list[int]) -> np.ndarray:
    """L (p x len(rows)): the rows ``rows`` (positions in ``order``) of the upper Cholesky
    factor of Var(β̂)⁻¹ with its columns in ``order``, mapped back to the original columns."""
    M = np.linalg.inv(vcov)
    M = 0.5 * (M + M.T)
    o = np.asarray(order)
    U = np.linalg.cholesky(M[np.ix_(o, o)]).T
    L = np.zeros((len(rows), vcov.shape[0]))
    L[:, o] = U[rows, :]
    return L.T


def _own_basis(rows: np.ndarray, cols: list[int]) -> np.ndarray:
    """The same hypothesis with the term's own columns as the identity: L' = (R_cc)⁻¹R for
    the rows R (Satterthwaite's multi-df rule depends on the basis when L'ΦL = I)."""
    return np.linalg.solve(rows[:, cols], rows).T


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """True if a term with factors ``outer`` contains one with factors ``inner``."""
    return set(inner) < set(outer)


def wald_table(beta: np.ndarray, vcov: np.ndarray, terms: Sequence[tuple[str, list[int]]],
               *, kr: KRInfo | None = None, factors: Sequence[tuple[str, ...]] | None = None,
               conditional: bool = False, method: str = "kenward-roger") -> pd.DataFrame:
    """Wald table: one row per term (label, its columns in β), columns as in the module
    docstring. ``kr``: Kenward-Roger ingredients (adds the denominator-df columns, by
    ``method`` 'kenward-roger' or 'satterthwaite');
    ``conditional`` needs ``factors`` (each term's factors, for the marginality rule)."""
    from scipy import stats

    from asr_py.results.kenward_roger import kr_test, satterthwaite_test

    test = satterthwaite_test if method == "satterthwaite" else kr_test
    beta = np.asarray(beta, dtype=float)
    vcov = np.asarray(vcov, dtype=float)
    M = np.linalg.inv(vcov)
    M = 0.5 * (M + M.T)
    U = np.linalg.cholesky(M).T
    z = U @ beta
    rows = []
    for t, (label, cols) in enumerate(terms):
        if not cols:
            continue
        w = float(np.sum(z[cols] ** 2))
        df = len(cols)
        row: dict[str, object] = {"term": label, "Df": df, "Sum of Sq": w, "Wald statistic": w,
                                  "Pr(Chisq)": float(stats.chi2.sf(w, df)), "F.inc": w / df}
        if kr is not None:
            res = test(kr, beta, _own_basis(U[cols, :], cols))
            row.update({"denDF": res["denDF"], "F.adj": res["F.adj"], "Pr(F)": res["Pr(F)"]})
        if conditional:
            if factors is None:
                raise ValueError("conditional tests need each term's factors")
            before = [c for s, (_, cs) in enumerate(terms) if s != t
                      and not _contains(factors[s], factors[t]) for c in cs]
            after = [c for s, (_, cs) in enumerate(terms) if s != t
                     and _contains(factors[s], factors[t]) for c in cs]
            order = before + list(cols) + after
            Lc = _rows_of_u(vcov, order, list(range(len(before), len(before) + df)))
            lb = Lc.T @ beta
            wc = float(lb @ np.linalg.solve(Lc.T @ vcov @ Lc, lb))
            row.update({"Wald.con": wc, "F.con": wc / df,
                        "Pr(Chisq.con)": float(stats.chi2.sf(wc, df))})
            if kr is not None:
                res = test(kr, beta, _own_basis(Lc.T, list(cols)))
                row.update({"denDF.con": res["denDF"], "F.con.adj": res["F.adj"],
                            "Pr(F.con)": res["Pr(F)"]})
        rows.append(row)
    return pd.DataFrame(rows).set_index("term")


def as_asreml_reports(table: pd.DataFrame) -> pd.DataFrame:
    """The Wald table with ``denDF``/``denDF.con`` rounded to one decimal place, as asreml
    reports them (see the module docstring), and ``Pr(F)``/``Pr(F.con)`` from those df, as
    asreml's: asremlPlus's test42alldiffsasr.r (dat699, line 2064) records that the Wald
    Pr of a 1-df term equals 2·pt(t, denDF) with the reported denDF to 1e-5 (with our
    unrounded 14.64 against the reported 14.6 they differ by 3e-5). A copy."""
    from scipy import stats

    out = table.copy()
    for c, f, pr in (("denDF", "F.adj", "Pr(F)"), ("denDF.con", "F.con.adj", "Pr(F.con)")):
        if c not in out.columns:
            continue
        out[c] = pd.to_numeric(out[c], errors="coerce").round(1)
        if f in out.columns and pr in out.columns and "Df" in out.columns:
            fv = pd.to_numeric(out[f], errors="coerce").to_numpy(dtype=float)
            dv = pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float)
            nv = pd.to_numeric(out["Df"], errors="coerce").to_numpy(dtype=float)
            ok = np.isfinite(fv) & np.isfinite(dv) & (dv > 0) & np.isfinite(nv) & (nv > 0)
            prv = pd.to_numeric(out[pr], errors="coerce").to_numpy(dtype=float).copy()
            prv[ok] = stats.f.sf(fv[ok], nv[ok], dv[ok])
            out[pr] = prv
    return out

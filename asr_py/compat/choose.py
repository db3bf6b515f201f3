"""asremlPlus's ``chooseModel``: the significant terms of a hierarchy, respecting marginality.

``terms_marginality`` M is a square 0/1 matrix named by the terms: M[i, j] = 1 when term i
is marginal to term j (every term to itself). After permuting it so that its lower triangle
is zero (asremlPlus's ``permute.to.zero.lowertri``; the most complex terms last), the terms
are visited from the last column: a term is tested (its p-value, or ``testranfix`` for an
asrtests object); if p ≤ α it is significant and only the terms not marginal to it
(M[0:j, j] = 0) remain to be visited, from the last of them; otherwise the previous column
is visited. Terms with a missing p-value are passed over.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.warning_classes import AsrWarning

__all__ = ["chooseModel", "permute_to_zero_lowertri"]


def _marginality(m: Any) -> pd.DataFrame:
    if not isinstance(m, pd.DataFrame):
        raise AsrError("chooseModel(): terms_marginality must be a square DataFrame whose "
                       "row and column names are the terms",
                       hint="e.g. pd.DataFrame(M, index=terms, columns=terms)")
    if m.shape[0] != m.shape[1] or list(map(str, m.index)) != list(map(str, m.columns)):
        raise AsrError("chooseModel(): terms_marginality must be square, with the same terms "
                       "as row and column names")
    a = m.to_numpy(dtype=float)
    if abs(np.linalg.det(a)) < 1e-12:
        warnings.warn("chooseModel(): suspect marginalities of terms not properly specified "
                      "- check", AsrWarning, stacklevel=3)
    return pd.DataFrame(a, index=[str(i) for i in m.index], columns=[str(i) for i in m.index])


def permute_to_zero_lowertri(x: pd.DataFrame) -> pd.DataFrame:
    """asremlPlus's ``permute.to.zero.lowertri``: swap rows and columns r and c (the
    lowest, then rightmost, nonzero element below the diagonal) until the lower triangle is
    zero."""
    a = x.to_numpy(dtype=float).copy()
    names = list(x.index)
    m = a.shape[0]
    nperm = m * (m - 1) // 2
    if int(np.sum(a == 0)) < nperm:
        raise AsrError("chooseModel(): terms_marginality has too few zeros to permute to "
                       "upper-triangular form")
    for _ in range(2 * nperm + 1):
        low = np.tril(a, -1)
        nz = np.argwhere(low == 1)
        if nz.size == 0:
            return pd.DataFrame(a, index=names, columns=names)
        r = nz[:, 0].max()
        c = nz[nz[:, 0] == r, 1].max()
        p = np.arange(m)
        p[r], p[c] = c, r
        a = a[np.ix_(p, p)]
        names = [names[i] for i in p]
    raise AsrError("chooseModel(): unable to form a terms_marginality with a zero lower "
                   "triangle", hint="check that M[i, j] = 1 means term i is marginal to j")


def _walk(M: pd.DataFrame, pvalue: Any, alpha: float) -> list[str]:
    """Visit the terms as the module docstring says; ``pvalue(term)`` tests one."""
    sig: list[str] = []
    names = list(M.index)
    a = M.to_numpy()
    j = len(names)
    while j > 0:
        term = names[j - 1]
        p = pvalue(term)
        if p is not None and not np.isnan(p) and p <= alpha:
            sig.append(term)
            keep = np.flatnonzero(a[: j - 1, j - 1] == 0)
            a = a[np.ix_(keep, keep)]
            names = [names[i] for i in keep]
            j = len(names)
        else:
            j -= 1
    return sig


def _key(term: str) -> frozenset[str]:
    return frozenset(p.strip() for p in str(term).split(":") if p.strip())


def _column(tab: pd.DataFrame, name: str, fallbacks: tuple[str, ...], what: str) -> str:
    """A column of the table: ``name``, else (asreml's ``Pr`` in asr_py's Wald table) the
    first fallback present."""
    for c in (name, *fallbacks):
        if c in tab.columns:
            return c
    raise AsrError(f"chooseModel(): no {what} column '{name}'",
                   hint=f"columns: {', '.join(map(str, tab.columns))}")


def _df_column(tab: pd.DataFrame, df: Any, which: str) -> Any:
    """asremlPlus's ``setdf``: a column name, or values (one, or one per row; NA allowed)."""
    if isinstance(df, str):
        return df
    vals = np.ravel(np.asarray([np.nan] if df is None else df, dtype=float))
    if vals.size not in (1, len(tab)):
        raise AsrError(f"chooseModel(): {which} needs 1 or {len(tab)} values, not {vals.size}")
    return np.broadcast_to(vals, (len(tab),))


def _value(tab: pd.DataFrame, col: Any, i: int) -> float:
    if isinstance(col, str):
        return float(tab[col].iloc[i]) if col in tab.columns else np.nan
    return float(col[i])


def _partial_names(args: dict[str, Any], fn: Any) -> dict[str, Any]:
    """R's partial matching of the arguments chooseModel passes on through ``...``
    (``pos = TRUE`` is testranfix's ``positive.zero``): a name that is the start of exactly
    one of ``fn``'s parameters becomes that parameter."""
    import inspect

    params = [p for p in inspect.signature(fn).parameters if p not in ("other",)]
    out = {}
    for k, v in args.items():
        hits = [p for p in params if p.startswith(k)]
        out[k if k in params or len(hits) != 1 else hits[0]] = v
    return out


def chooseModel(object: Any, terms_marginality: pd.DataFrame, alpha: float = 0.05,
                terms: str | None = None, p_values: str = "Pr", DF: Any = "Df",
                denDF: Any = "denDF", omit_DF: bool = False, **testranfix_args: Any
                ) -> dict[str, Any]:
    """asremlPlus's ``chooseModel`` (module docstring). For an asrtests object each term is
    tested by :func:`asr_py.compat.asremlplus.testranfix` (extra arguments go to it) and the
    result is {"asrtests.obj", "sig.terms"}; for a DataFrame of p-values (rows named by the
    terms, or a ``terms`` column) it is {"choose.summary", "sig.terms"}."""
    from asr_py.compat import asremlplus as plus

    M = permute_to_zero_lowertri(_marginality(terms_marginality))
    testranfix_args = _partial_names(testranfix_args, plus.testranfix)
    if isinstance(object, pd.DataFrame):
        if testranfix_args:
            raise AsrError(f"chooseModel(): argument(s) {', '.join(sorted(testranfix_args))} "
                           "apply only to an asrtests object")
        tab = object.copy()
        names = tab[terms].astype(str) if terms else pd.Series(tab.index.astype(str),
                                                                 index=tab.index)
        # terms as sets of factors: the table's "B:A" is the matrix's "A:B"
        canon = {_key(t): t for t in names}
        missing = [t for t in M.index if _key(t) not in canon]
        if missing:
            raise AsrError(f"chooseModel(): the data frame has no row for term(s) "
                           f"{', '.join(missing)}", hint="name its rows by the terms")
        M.index = M.columns = [canon[_key(t)] for t in M.index]
        p_values = _column(tab, p_values, ("Pr(F)", "Pr(Chisq)"), "p-value")
        DF, denDF, tab = _df_column(tab, DF, "DF"), _df_column(tab, denDF, "denDF"), tab
        rows: list[dict[str, Any]] = []

        def pv(term: str) -> float:
            i = int(np.flatnonzero(names.to_numpy() == term)[0])
            p = float(tab[p_values].iloc[i])
            if not np.isnan(p):
                row: dict[str, Any] = {"terms": term}
                if not omit_DF:
                    row["DF"] = _value(tab, DF, i)
                    row["denDF"] = _value(tab, denDF, i)
                row["p"] = p
                row["action"] = "Significant" if p <= alpha else "Nonsignificant"
                rows.append(row)
            return p

        sig = _walk(M, pv, alpha)
        cols = ["terms", "p", "action"] if omit_DF else ["terms", "DF", "denDF", "p", "action"]
        return {"choose.summary": pd.DataFrame(rows, columns=cols), "sig.terms": sig}
    current = [plus._check_asrtests(object, "chooseModel")]

    def test(term: str) -> float:
        current[0] = plus.testranfix(current[0], term, alpha=alpha, **testranfix_args)
        return plus.getTestPvalue(current[0], term)

    sig = _walk(M, test, alpha)
    return {"asrtests.obj": current[0], "sig.terms": sig}

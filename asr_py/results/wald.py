"""Incremental (sequential) Wald tests of fixed terms, as asreml's ``wald()``.

With M = Var(β̂)⁻¹ = L L' (Cholesky in column order) the vector z = L'β̂ has independent unit
variance components, and z_k² is the part of the Wald statistic β̂'Mβ̂ that column k adds
after the columns before it. A term's incremental Wald statistic is the sum of z_k² over its
columns, on Df = its number of columns; Pr = P(χ²_Df > W). ``F.inc`` = W / Df.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def wald_table(beta: np.ndarray, vcov: np.ndarray, terms: Sequence[tuple[str, list[int]]]
               ) -> pd.DataFrame:
    """Incremental Wald table: one row per term with columns (see module docstring)."""
    from scipy import stats

    M = np.linalg.inv(vcov)
    M = 0.5 * (M + M.T)
    L = np.linalg.cholesky(M)
    z = L.T @ beta
    rows = []
    for label, cols in terms:
        if not cols:
            continue
        w = float(np.sum(z[cols] ** 2))
        df = len(cols)
        rows.append({"term": label, "Df": df, "Sum of Sq": w, "Wald statistic": w,
                     "Pr(Chisq)": float(stats.chi2.sf(w, df)), "F.inc": w / df})
    return pd.DataFrame(rows).set_index("term")

"""asremlPlus's Wheat data (fetched asremlplus_wheat.csv) and the dense-V REML of its
``random = ~ Row + Column + units``, ``residual = ~ ar1(Row):ar1(Column)`` model (asremlPlus
test41REMLRTIC.r m1), shared by test_ai_overshoot.py and test_update_boundary_start.py."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from _dense_reml import drop_aliased, lbfgsb_max, reml_loglik
from _fetched import fetched

WHEAT = dict(fixed="yield ~ Rep + WithinColPairs + Variety", random="~ Row + Column + units",
             residual="~ ar1(Row):ar1(Column)")


def wheat() -> pd.DataFrame:
    """The Wheat frame with its factors' levels in numeric order, as R's."""
    d = pd.read_csv(fetched("asremlplus_wheat.csv"))
    for c in ("Rep", "Row", "Column", "WithinColPairs", "Variety"):
        d[c] = pd.Categorical(d[c].astype(str),
                              categories=[str(v) for v in sorted(d[c].unique())])
    return d


@cache
def wheat_dense_optimum() -> tuple[np.ndarray, float]:
    """Max of the dense REML ℓ over (σ²_Row, σ²_Column, σ²_units, σ², ρ_Row, ρ_Column)."""
    d = wheat()
    y = d["yield"].to_numpy(float)
    X = pd.get_dummies(d[["Rep", "WithinColPairs", "Variety"]], drop_first=True).to_numpy(float)
    X = drop_aliased(np.column_stack([np.ones(len(y)), X]))
    zr = pd.get_dummies(d["Row"]).to_numpy(float)
    zc = pd.get_dummies(d["Column"]).to_numpy(float)
    r, c = d["Row"].astype(int).to_numpy(), d["Column"].astype(int).to_numpy()
    dr, dc = np.abs(r[:, None] - r[None, :]), np.abs(c[:, None] - c[None, :])
    rr, cc = zr @ zr.T, zc @ zc.T

    def ll(x: np.ndarray) -> float:
        sr, sc, su, s2, pr, pc = x
        if min(sr, sc, su) < 0 or s2 <= 0 or max(abs(pr), abs(pc)) >= 1:
            return -np.inf
        V = sr * rr + sc * cc + su * np.eye(len(y)) + s2 * pr ** dr * pc ** dc
        return reml_loglik(y, X, V)

    x, best = lbfgsb_max(ll, np.array([2000.0, 100.0, 4000.0, 40000.0, 0.5, 0.5]),
                         [1e3, 1e3, 1e3, 1e4, 1.0, 1.0],
                         [(0, None), (0, None), (0, None), (1.0, None), (-0.99, 0.99),
                          (-0.99, 0.99)])
    x.setflags(write=False)
    return x, best

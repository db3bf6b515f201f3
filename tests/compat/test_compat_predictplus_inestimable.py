"""predictPlus() when asreml's predict has no estimable value, and the EGLS projection of
cell means with an empty cell.

asreml's ``predict`` returns no ``sed``/``vcov`` when no predicted value is estimable, and
asremlPlus's predictPlus (its predictASR4, R/reml4.v13.r) then stops with "predict.asreml has
not returned the sed component ..." (the variance matrix message when vcov is needed: Vmatrix
or a linear.transformation); its tests expect those errors (test42PredictionsPresentation.r
348/356). Estimability is checked here independently: a row l of predictions is estimable iff
l is in the row space of X (rank of [X; l] equals rank of X)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError


def _two_empty_cells() -> pd.DataFrame:
    # A x B with cells (1, 3) and (2, 1) empty: A's margins over B are not estimable
    rng = np.random.default_rng(7)
    cells = [("1", "1"), ("1", "2"), ("2", "2"), ("2", "3")]
    rows = [(a, b) for a, b in cells for _ in range(3)]
    d = pd.DataFrame(rows, columns=["A", "B"])
    d["y"] = 10 + rng.normal(0, 1, len(d))
    return d


def _estimable(X: np.ndarray, L: np.ndarray) -> list[bool]:
    r = np.linalg.matrix_rank(X)
    return [np.linalg.matrix_rank(np.vstack([X, row])) == r for row in L]


def test_no_estimable_prediction_stops_as_asremlplus_does() -> None:
    d = _two_empty_cells()
    before = d.copy()
    fit = asr.asreml("y ~ A*B", data=d)
    # independent: the A margins (cell means of A averaged over B's 3 levels) are not in
    # the row space of the cell-means design, since each averages over an empty cell
    X = pd.get_dummies(d["A"] + ":" + d["B"]).to_numpy(float)   # observed cells 11 12 22 23
    L = np.array([[1 / 3, 1 / 3, 0, 0], [0, 0, 1 / 3, 1 / 3]])  # + the empty cell's 1/3
    L_full = np.hstack([L, np.full((2, 1), 1 / 3)])
    X_full = np.hstack([X, np.zeros((len(X), 1))])               # a column for empty cells
    assert _estimable(X_full, L_full) == [False, False]
    w = fit.wald(denDF="numeric")
    with pytest.raises(AsrError, match="has not returned the sed component"):
        asr.plus.predictPlus(fit, "A", wald_tab=w)
    with pytest.raises(AsrError, match="has not returned the variance matrix"):
        asr.plus.predictPlus(fit, "A", wald_tab=w, Vmatrix=True)
    with pytest.raises(AsrError, match="has not returned the variance matrix"):
        asr.plus.predictPlus(fit, "A", wald_tab=w, linear_transformation="~ A")
    # asked for neither sed nor vcov: the all-NA table comes back, as asreml's pvals
    out = asr.plus.predictPlus(fit, "A", wald_tab=w, pairwise=False, error_intervals="none")
    assert out["predictions"].empty or out["predictions"]["predicted.value"].isna().all()
    pd.testing.assert_frame_equal(d, before)


def test_estimable_cells_still_predict() -> None:
    # the observed cells of A:B are estimable: predictPlus gives them, dropping the empty
    # ones (inestimable.rm = TRUE); each equals its cell mean (saturated fixed model)
    d = _two_empty_cells()
    fit = asr.asreml("y ~ A*B", data=d)
    out = asr.plus.predictPlus(fit, "A:B", wald_tab=fit.wald(denDF="numeric"))
    pr = out["predictions"]
    assert len(pr) == 4
    means = d.groupby(["A", "B"], observed=True)["y"].mean()
    got = {(str(a), str(b)): v for a, b, v in zip(pr["A"], pr["B"], pr["predicted.value"])}
    for (a, b), m in means.items():
        assert got[(a, b)] == pytest.approx(m, rel=1e-8)


def test_egls_projection_with_an_empty_cell_is_the_additive_fit() -> None:
    # asremlPlus >= 4.4.34 (commit 0daefb1, EGLS.linTransform = TRUE by default) projects the
    # cell means p on the submodel by GLS with W = V^-1, V = s2 diag(1/n_ij) for a
    # saturated fixed model: Q p is then the weighted least-squares additive fit of the cell
    # means, which is the OLS additive fit of the data (test42alldiffsasr.r:2210 expects the
    # two to agree within 1e-04 for its twoway data, the same data as here)
    tw = pd.DataFrame({"A": [str(v) for v in np.repeat([1, 2], [4, 5])],
                       "B": [str(v) for v in np.repeat([1, 2, 3, 1, 2, 3], [2, 1, 1, 2, 1, 2])],
                       "y": [6, 4, 3, 3, 3, 5, 5, 5, 7]}).drop(index=3)
    fit = asr.asreml("y ~ A*B", data=tw)
    sub = asr.plus.predictPlus(fit, "A:B", linear_transformation="~ A + B",
                               error_intervals="StandardError")
    pr = sub["predictions"]
    assert len(pr) == 5                      # the empty cell (1, 3) is not predicted
    # independent: OLS of y on A + B (numpy), evaluated at each observed cell
    Xd = np.column_stack([np.ones(len(tw)), tw["A"] == "2", tw["B"] == "2", tw["B"] == "3"])
    beta = np.linalg.lstsq(Xd.astype(float), tw["y"].to_numpy(float), rcond=None)[0]
    for a, b, v in zip(pr["A"], pr["B"], pr["predicted.value"]):
        x = np.array([1.0, str(a) == "2", str(b) == "2", str(b) == "3"])
        assert v == pytest.approx(float(x @ beta), abs=1e-8)

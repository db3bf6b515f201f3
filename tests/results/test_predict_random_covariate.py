"""predict() with random covariate terms (``random = ~ row + col`` with numeric row, col).

asreml evaluates a covariate that classify leaves out at its mean, in random terms too: a
random regression ``~ x`` (or ``~ f:x``) enters the prediction as x̄·û. Source: asreml 4.2's
printout of biometryassist's exercise 10 (biometryhub/biometryassist efd60ee, MIT,
tests/testthat/_snaps/all-w2.md: ``multiple_comparisons()`` = ``predict.asreml(classify =
"Treatment", sed = TRUE)``; row and col are integers in the model frame, as its Wald table's
intercept denDF 0.7 confirms): predicted values 16.01, 17.51, 21.40, 24.39, std.error 1.6.
Leaving the random covariates out gives 14.44 ... (1.57 = 2.5·(û_row + û_col) lower) and
std.error 2.14. The residual ``~ plots`` with integer plots is asreml's ``~ id(plots)``.

Independent check: the mixed model equations of this model built here in numpy from the
fitted variance components (no asr_py code), the prediction L[β̂; û] and its standard error
sqrt(L C⁻¹ L') with L's random columns the covariates' means.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched

import asr_py as asr

PRINTED = {"T4": 16.01, "T8": 17.51, "T12": 21.40, "T0": 24.39}


def _data() -> pd.DataFrame:
    d = pd.read_csv(fetched("biometryassist_w2_exercise6.csv"))
    d["Treatment"] = d["Treatment"].astype(str)
    assert d["row"].dtype.kind == "i" and d["plots"].dtype.kind == "i"
    return d


def _fit(d: pd.DataFrame, residual: str = "~ plots") -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(fixed="SugarYield ~ Treatment", random="~ row + col",
                          residual=residual, data=d)


def _dense(d: pd.DataFrame, m: asr.AsremlFit, x_pred: dict[str, float]
           ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Predictions and SEs per treatment from numpy's MME at the fitted components."""
    vc = m.varcomp["component"]
    s_r, s_c, s_e = float(vc["row"]), float(vc["col"]), float(vc.iloc[-1])
    trts = sorted(d["Treatment"].unique())
    X = np.column_stack([np.ones(len(d))] + [(d["Treatment"] == t).to_numpy(float)
                                             for t in trts[1:]])
    Z = d[["row", "col"]].to_numpy(float)
    y = d["SugarYield"].to_numpy(float)
    W = np.hstack([X, Z])
    Ginv = np.diag([0.0] * X.shape[1] + [1 / s_r, 1 / s_c])
    C = W.T @ W / s_e + Ginv
    sol = np.linalg.solve(C, W.T @ y / s_e)
    Cinv = np.linalg.inv(C)
    L = np.array([[1.0] + [float(t == u) for u in trts[1:]] + [x_pred["row"], x_pred["col"]]
                  for t in trts])
    return L @ sol, np.sqrt(np.einsum("ij,jk,ik->i", L, Cinv, L)), trts


def test_random_covariates_enter_at_their_mean_as_asreml_prints() -> None:
    d = _data()
    m = _fit(d)
    p = m.predict(classify="Treatment").set_index("Treatment")
    for t, v in PRINTED.items():
        assert round(float(p.loc[t, "predicted.value"]), 2) == v, t
    assert np.allclose(p["std.error"].round(1), 1.6)
    val, se, trts = _dense(d, m, {"row": d["row"].mean(), "col": d["col"].mean()})
    np.testing.assert_allclose(p.loc[trts, "predicted.value"], val, rtol=1e-6)
    np.testing.assert_allclose(p.loc[trts, "std.error"], se, rtol=1e-6)


def test_classify_covariate_value_used_in_its_random_term() -> None:
    d = _data()
    m = _fit(d)
    p = m.predict(classify="Treatment:row", levels={"row": [1.0, 4.0]})
    for r in (1.0, 4.0):
        val, se, trts = _dense(d, m, {"row": r, "col": d["col"].mean()})
        got = p[p["row"] == r].set_index("Treatment")
        np.testing.assert_allclose(got.loc[trts, "predicted.value"], val, rtol=1e-6)
        np.testing.assert_allclose(got.loc[trts, "std.error"], se, rtol=1e-6)


@pytest.mark.parametrize("residual", ["~ id(plots)", "~ units"])
def test_numeric_residual_factor_is_asremls_id(residual: str) -> None:
    d = _data()
    m = _fit(d)
    other = _fit(d, residual)
    assert m.loglik == pytest.approx(other.loglik, rel=1e-10)
    pd.testing.assert_frame_equal(m.predict(classify="Treatment"),
                                  other.predict(classify="Treatment"), rtol=1e-6)


def test_rows_reversed_and_units() -> None:
    d = _data()
    m = _fit(d)
    d2 = d.iloc[::-1].reset_index(drop=True)
    d2["SugarYield"] = d2["SugarYield"] * 1000
    p1 = m.predict(classify="Treatment").set_index("Treatment")
    p2 = _fit(d2).predict(classify="Treatment").set_index("Treatment")
    np.testing.assert_allclose(p2["predicted.value"], 1000 * p1["predicted.value"], rtol=1e-5)
    np.testing.assert_allclose(p2["std.error"], 1000 * p1["std.error"], rtol=1e-5)

"""predictPlus(linear.transformation=) (asremlPlus: the predictions' linTransform) checked
against the GLS projection of the predictions computed here in numpy from fit.predict's
variance matrix, and the submodel's invariance to the order of its terms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr
from asr_py.errors import AsrError

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def fit():
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    d["WP"] = d["B"] + "_" + d["V"]
    return asr.asreml("Y ~ N*V", random="~ B + B:WP", data=d)


def test_submodel_formula_is_the_gls_projection(fit) -> None:
    p = fit.predict("N:V", sed=True, vcov=True)
    W = np.asarray(p.attrs["vcov"], dtype=float)
    y = p["predicted.value"].to_numpy(float)
    Wi = np.linalg.inv(W)
    X = np.column_stack([np.ones(len(y)), pd.get_dummies(p[["N", "V"]], drop_first=True)
                         .to_numpy(float)])
    Q = X @ np.linalg.solve(X.T @ Wi @ X, X.T @ Wi)
    w = fit.wald(denDF="numeric")
    out = asr.plus.predictPlus(fit, "N:V", linear_transformation="~ N + V", wald_tab=w,
                               Vmatrix=True)
    pr = out["predictions"]
    np.testing.assert_allclose(pr["predicted.value"], Q @ y, rtol=1e-9)
    np.testing.assert_allclose(pr["standard.error"], np.sqrt(np.diag(Q @ W @ Q.T)),
                               rtol=1e-8)
    np.testing.assert_allclose(out["vcov"].to_numpy(), Q @ W @ Q.T, atol=1e-10)
    # confidence limits with the t of the N:V denominator df
    t = stats.t.ppf(0.975, out.attrs["tdf"])
    np.testing.assert_allclose(pr["upper.Confidence.limit"] - pr["predicted.value"],
                               t * pr["standard.error"], rtol=1e-8)
    # without Vmatrix the vcov is not kept; the terms' order does not matter
    rev = asr.plus.predictPlus(fit, "N:V", linear_transformation="~ V + N", wald_tab=w)
    assert rev.get("vcov") is None
    np.testing.assert_allclose(rev["predictions"]["predicted.value"], Q @ y, rtol=1e-9)


def test_matrix_transformation_and_intercept_refused(fit) -> None:
    p = fit.predict("N:V", vcov=True)
    W = np.asarray(p.attrs["vcov"], dtype=float)
    y = p["predicted.value"].to_numpy(float)
    L = np.zeros((2, len(y)))
    L[0, 0], L[0, 1] = 1.0, -1.0          # a difference of two cells
    L[1, :] = 1.0 / len(y)                # the grand mean
    with pytest.warns(UserWarning, match="dDF.fault"):
        out = asr.plus.predictPlus(fit, "N:V", linear_transformation=L)
    pr = out["predictions"]
    np.testing.assert_allclose(pr["predicted.value"], L @ y, rtol=1e-9)
    np.testing.assert_allclose(pr["standard.error"], np.sqrt(np.diag(L @ W @ L.T)),
                               rtol=1e-8)
    assert pr["Combination"].astype(str).tolist() == ["1", "2"]
    with pytest.raises(AsrError, match="Intercept"):
        asr.plus.predictPlus(fit, "(Intercept)", linear_transformation=L)

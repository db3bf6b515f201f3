"""asreml's na.method.Y = 'include' is accepted (same REML fit as omitting the records with a
missing response); na.method.X = 'include' sets missing covariate values to 0 (asreml's rule;
checked against least squares in numpy) and gives a record with a missing factor value no
effect of that factor (asreml 4.2 numbers recorded by asremlPlus; REML in numpy)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"


def test_include_for_the_response_is_the_omit_fit() -> None:
    df = pd.read_csv(DATA / "DT_example.csv")
    df.loc[::7, "Yield"] = np.nan
    a = asr.asreml("Yield ~ Env", random="~ Name", data=df, na_action={"y": "include"})
    b = asr.asreml("Yield ~ Env", random="~ Name", data=df, na_action={"y": "omit"})
    assert a.loglik == b.loglik
    np.testing.assert_array_equal(a.varcomp["component"], b.varcomp["component"])


def _at_covariate_data() -> pd.DataFrame:
    """A covariate measured only in group 'b' (missing in 'a'), as at(AMF, "plus"):per.col."""
    rng = np.random.default_rng(7)
    g = np.repeat(["a", "b"], 20)
    x = np.where(g == "b", rng.normal(size=40), np.nan)
    y = 3 + (g == "b") * 1.5 + np.where(g == "b", 2 * np.nan_to_num(x), 0) + rng.normal(size=40)
    return pd.DataFrame({"g": g, "x": x, "y": y})


def test_include_for_covariates_sets_them_to_zero_as_least_squares() -> None:
    d = _at_covariate_data()
    before = d.copy()
    m = asr.asreml("y ~ g + at(g, 'b'):x", data=d, na_action={"x": "include"})
    assert m.model.records.n == 40                 # no record dropped
    pd.testing.assert_frame_equal(d, before)       # the user's data are not changed
    X = np.column_stack([np.ones(40), d["g"] == "b", np.where(d["g"] == "b",
                                                               d["x"].fillna(0), 0)])
    beta, rss, *_ = np.linalg.lstsq(X.astype(float), d["y"].to_numpy(), rcond=None)
    # columns: (Intercept), g_b, at(g, b):x
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), beta, rtol=1e-8)
    assert m.varcomp["component"].iloc[-1] == pytest.approx(rss[0] / (40 - 3), rel=1e-8)
    assert any("set to 0" in n for n in m.model.records.notes)
    omit = asr.asreml("y ~ g + at(g, 'b'):x", data=d, na_action={"x": "omit"})
    assert omit.model.records.n == 20              # 'omit' is a different fit


def _oats() -> pd.DataFrame:
    """asremlPlus's Oats.dat (fetched asremlplus_oats.csv), R's level orders."""
    d = pd.read_csv(fetched("asremlplus_oats.csv"), dtype={"Blocks": str, "Wplots": str,
                                                           "Nitrogen": str})
    d["Variety"] = pd.Categorical(d["Variety"], ["Victory", "Golden Rain", "Marvellous"])
    d["Nitrogen"] = pd.Categorical(d["Nitrogen"], ["0", "0.2", "0.4", "0.6"])
    return d


def _cells(d: pd.DataFrame, na: str) -> pd.DataFrame:
    m = asr.asreml("Yield ~ Nitrogen*Variety", random="~ Blocks/Wplots", data=d,
                   na_action={"x": na})
    return m.predict(classify="Variety:Nitrogen")


def test_include_of_a_missing_factor_value_matches_asreml() -> None:
    """asreml 4.2's numbers recorded in asremlPlus's tests/testthat/
    test42PredictionsPresentation.r (predictPlus_NA_asreml42): the records whose Nitrogen is
    missing get no Nitrogen effect, so they form a class of their own. One such record:
    the same fit as omitting it (Victory:0.4 109.07892, se 9.414492); a whole level missing
    (its 18 records a class per Variety): every se 9.106977, 8.926103 with 'omit'."""
    d = _oats()
    d.loc[7, "Nitrogen"] = np.nan
    before = d.copy()
    inc = _cells(d, "include")
    pd.testing.assert_frame_equal(d, before)             # the user's data are not changed
    assert len(inc) == 12                                # no level for the missing value
    assert inc["predicted.value"].iloc[2] == pytest.approx(109.07892, abs=1e-4)
    assert inc["std.error"].iloc[2] == pytest.approx(9.414492, abs=1e-4)
    d = _oats()
    d.loc[d["Nitrogen"] == "0.4", "Nitrogen"] = np.nan
    inc, omit = _cells(d, "include"), _cells(d, "omit")
    assert inc["predicted.value"].iloc[2] == pytest.approx(118.5, abs=1e-4)
    np.testing.assert_allclose(inc["std.error"], 9.106977, atol=1e-4)
    np.testing.assert_allclose(omit["std.error"], 8.926103, atol=1e-4)


def test_include_of_a_missing_random_factor_gives_the_record_no_effect() -> None:
    """A record missing its random factor's level keeps its fixed effects and residual:
    REML by a dense V in numpy (Z with an empty row) gives the same log-likelihood."""
    from scipy.optimize import minimize

    d = _oats()
    d["Blocks"] = d["Blocks"].astype(object)
    d.loc[[3, 40], "Blocks"] = np.nan
    m = asr.asreml("Yield ~ Variety", random="~ Blocks", data=d, na_action={"x": "include"})
    assert m.model.records.n == 72
    y = d["Yield"].to_numpy(float)
    X = pd.get_dummies(d["Variety"]).to_numpy(float)
    Z = pd.get_dummies(d["Blocks"]).to_numpy(float)     # NaN: a row of zeros
    assert Z[3].sum() == 0

    def nll(th: np.ndarray) -> float:
        V = np.exp(th[0]) * Z @ Z.T + np.exp(th[1]) * np.eye(72)
        Vi = np.linalg.inv(V)
        XVX = X.T @ Vi @ X
        P = Vi - Vi @ X @ np.linalg.solve(XVX, X.T @ Vi)
        return 0.5 * (np.linalg.slogdet(V)[1] + np.linalg.slogdet(XVX)[1] + y @ P @ y)

    best = minimize(nll, np.log([100.0, 200.0]), method="Nelder-Mead",
                    options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 4000})
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(), np.exp(best.x), rtol=1e-4)

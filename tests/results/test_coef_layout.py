"""asreml's layout of the fixed effects (``coef_fixed_all``): every level, reference and
aliased ones 0 with NaN std.error, in asreml 4.2's order (intercept first) or asreml 3's
(reverse). Estimates checked against dense GLS with the fit's variance components."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError

BREEDS = ["A", "M", "QH", "T", "WP"]


def _data(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 120
    d = pd.DataFrame({"Breed": rng.choice(BREEDS, n), "hour": rng.uniform(0, 3, n),
                      "id": np.repeat([f"i{k}" for k in range(24)], 5)})
    d["hour2"] = d["hour"] ** 2
    eff = d["Breed"].map(dict(zip(BREEDS, [0.0, 1.0, -0.5, 2.0, 0.3])))
    u = dict(zip(d["id"].unique(), rng.normal(0, 0.7, 24)))
    d["y"] = 5 + eff + 1.5 * d["hour"] - 0.3 * d["hour2"] + d["id"].map(u) \
        + rng.normal(0, 1, n)
    return d


def _fit(d: pd.DataFrame, fixed: str) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(fixed=fixed, random="~ id", data=d)


def _gls(fit: asr.AsremlFit, d: pd.DataFrame, X: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """β̂ and its standard errors by dense GLS: V = σ²_id ZZ' + σ²_e I."""
    vc = fit.varcomp["component"]
    s_id, s_e = float(vc.iloc[0]), float(vc.iloc[-1])
    Z = pd.get_dummies(d["id"]).to_numpy(float)
    V = s_id * Z @ Z.T + s_e * np.eye(len(d))
    Vi = np.linalg.inv(V)
    Xa = X.to_numpy(float)
    C = np.linalg.inv(Xa.T @ Vi @ Xa)
    b = C @ Xa.T @ Vi @ d["y"].to_numpy()
    return pd.Series(b, index=X.columns), pd.Series(np.sqrt(np.diag(C)), index=X.columns)


def test_reverse_layout_matches_asreml3_printout() -> None:
    """The rows of a printed asreml 3 ``summary(m, all = TRUE)$coef.fixed`` for
    ``hour + hour2 + Breed + hour:Breed + hour2:Breed`` (AaronRendahl/Jane-asreml-modeling,
    editor_final_ins_glu_predoctors_scripts.R, its R console output): the last term first,
    every Breed level (A, the first, 0 with NA std error), ``(Intercept)`` last."""
    d = _data()
    fit = _fit(d, "y ~ hour + hour2 + Breed + hour:Breed + hour2:Breed")
    tab = fit.coef_fixed_all("reverse")
    expected = ([f"hour2:Breed_{b}" for b in BREEDS] + [f"hour:Breed_{b}" for b in BREEDS]
                + [f"Breed_{b}" for b in BREEDS] + ["hour2", "hour", "(Intercept)"])
    assert list(tab.index) == expected
    ref = ["hour2:Breed_A", "hour:Breed_A", "Breed_A"]
    assert (tab.loc[ref, "solution"] == 0).all()
    assert tab.loc[ref, ["std.error", "z.ratio"]].isna().all().all()
    assert tab.drop(index=ref)["std.error"].notna().all()
    # the estimated ones: dense GLS on R's treatment-coded X
    X = pd.DataFrame({"(Intercept)": 1.0, "hour": d["hour"], "hour2": d["hour2"]})
    for b in BREEDS[1:]:
        X[f"Breed_{b}"] = (d["Breed"] == b).astype(float)
    for b in BREEDS[1:]:
        X[f"hour:Breed_{b}"] = d["hour"] * (d["Breed"] == b)
    for b in BREEDS[1:]:
        X[f"hour2:Breed_{b}"] = d["hour2"] * (d["Breed"] == b)
    beta, se = _gls(fit, d, X)
    np.testing.assert_allclose(tab.loc[X.columns, "solution"], beta, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(tab.loc[X.columns, "std.error"], se, rtol=1e-5)


def test_model_order_intercept_first_blues_keep_first_level() -> None:
    """asreml 4.2 (the default order): ``(Intercept)`` first, terms in model order; BLUEs as
    intercept + effect (``fixed[1]`` + ``fixed[-1]``, AGENTproject's notebooks) keep the
    first level, whose BLUE is the intercept."""
    d = _data(5)
    fit = _fit(d, "y ~ Breed")
    tab = fit.coef_fixed_all()
    assert list(tab.index) == ["(Intercept)"] + [f"Breed_{b}" for b in BREEDS]
    blue = tab["solution"].iloc[1:] + tab["solution"].iloc[0]
    X = pd.get_dummies(d["Breed"]).astype(float)[BREEDS]       # cell-means coding
    beta, _ = _gls(fit, d, X)
    np.testing.assert_allclose(blue.to_numpy(), beta.to_numpy(), rtol=1e-6)


def test_aliased_column_is_zero_with_na() -> None:
    """A column linearly dependent on earlier ones (a covariate equal to another) is listed,
    0 with NaN std.error, as asreml's aliased effects."""
    d = _data(7)
    d["hourb"] = d["hour"]
    fit = _fit(d, "y ~ hour + hourb + Breed")
    assert "hourb" in fit.model.fixed.aliased
    tab = fit.coef_fixed_all()
    assert list(tab.index) == ["(Intercept)", "hour", "hourb"] + [f"Breed_{b}" for b in BREEDS]
    assert tab.loc["hourb", "solution"] == 0 and np.isnan(tab.loc["hourb", "std.error"])
    pd.testing.assert_frame_equal(tab.loc[fit.coef_fixed.index], fit.coef_fixed)


def test_interaction_without_main_effects_and_bad_order() -> None:
    d = _data(9)
    d["sex"] = np.where(np.arange(len(d)) % 2, "F", "M")
    fit = _fit(d, "y ~ sex:Breed")
    tab = fit.coef_fixed_all()
    names = ["(Intercept)"] + [f"sex_{s}:Breed_{b}" for s in ("F", "M") for b in BREEDS]
    assert list(tab.index) == names
    assert int((tab["solution"] == 0).sum()) == len(names) - len(fit.coef_fixed)
    with pytest.raises(AsrError, match="order 'asreml3'"):
        fit.coef_fixed_all("asreml3")


@pytest.mark.parametrize("code, order", [
    ("m <- asreml(y ~ A, random = ~ g, residual = ~ units, data = d)", "model"),
    ("m <- asreml(y ~ A, random = ~ g, rcov = ~ units, data = d)", "reverse"),
    ("x <- summary(m, all = T)$coef.fixed", "reverse"),
    ("g <- m$gammas", "reverse"),
    ("p <- predict(m, classify = 'A')$predictions$pvals", "reverse"),
    ("p <- predict(m, classify = 'A')$pvals", "model"),
])
def test_translate_picks_the_scripts_asreml_order(code: str, order: str) -> None:
    """A translated script gets asreml 3's order when it uses asreml 3's interface."""
    from asr_py.translate.rcoef import coef_order

    assert coef_order(code) == order

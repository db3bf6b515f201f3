"""lm(), anova() of an lm, model.matrix(), coef()/residuals()/fitted()/summary() of an lm,
chol()/chol2inv()/MASS::ginv() and data.table() in translated scripts (ninth pass D: the
teaching scripts of AparicioJohan/trainingMM and the MET scripts of
neyhartj/mixed_model_applications stopped at each of them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate.runtime import (
    r_anova,
    r_chol,
    r_chol2inv,
    r_coef,
    r_data_table,
    r_fitted,
    r_ginv,
    r_lm,
    r_model_matrix,
    r_residuals,
)

#: AparicioJohan/trainingMM data/example_1.csv (an RCBD: 4 genotypes in 3 blocks), 12 rows
EX1 = pd.DataFrame({
    "block": [1, 2, 3] * 4,
    "gen": [g for g in ("g1", "g2", "g3", "g4") for _ in range(3)],
    "yield": [7.4, 6.5, 5.6, 9.8, 6.8, 6.2, 7.3, 6.1, 6.4, 9.5, 8.0, 7.4]})


def _ex1() -> pd.DataFrame:
    d = EX1.copy()
    d["block"] = pd.Categorical(d["block"].astype(str))
    d["gen"] = pd.Categorical(d["gen"])
    return d


def test_anova_of_lm_matches_the_output_r_recorded() -> None:
    """R's output of anova(lm(yield ~ 1 + block + gen)) as rendered in trainingMM's
    docs/pages/03_LMM.html (knitr): block 2 9.78 4.89 12.225 0.007650536; gen 3 6.63 2.21
    5.525 0.036730328; Residuals 6 2.40 0.40."""
    tab = r_anova(r_lm("yield ~ 1 + block + gen", data=_ex1()))
    assert list(tab.index) == ["block", "gen", "Residuals"]
    assert list(tab.columns) == ["Df", "Sum Sq", "Mean Sq", "F value", "Pr(>F)"]
    np.testing.assert_allclose(tab["Df"], [2, 3, 6])
    np.testing.assert_allclose(tab["Sum Sq"], [9.78, 6.63, 2.40], atol=1e-10)
    np.testing.assert_allclose(tab["Mean Sq"], [4.89, 2.21, 0.40], atol=1e-10)
    np.testing.assert_allclose(tab["F value"].iloc[:2], [12.225, 5.525], atol=1e-10)
    np.testing.assert_allclose(tab["Pr(>F)"].iloc[:2], [0.007650536, 0.036730328],
                               rtol=1e-7)
    assert np.isnan(tab.loc["Residuals", "F value"])


def test_sequential_sums_of_squares_of_an_unbalanced_model() -> None:
    """Type I sums of squares are the RSS reductions as terms enter in formula order:
    checked against projections computed here with numpy (one record dropped, so the
    order of block and gen matters)."""
    d = _ex1().iloc[1:].reset_index(drop=True)
    y = d["yield"].to_numpy()
    one = np.ones((len(d), 1))
    b = pd.get_dummies(d["block"], drop_first=True).to_numpy(float)
    g = pd.get_dummies(d["gen"], drop_first=True).to_numpy(float)

    def rss(x: np.ndarray) -> float:
        r = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
        return float(r @ r)

    r0, rb, rbg = rss(one), rss(np.hstack([one, b])), rss(np.hstack([one, b, g]))
    rg = rss(np.hstack([one, g]))
    tab = r_anova(r_lm("yield ~ block + gen", data=d))
    np.testing.assert_allclose(tab["Sum Sq"], [r0 - rb, rb - rbg, rbg], rtol=1e-10)
    tab2 = r_anova(r_lm("yield ~ gen + block", data=d))
    np.testing.assert_allclose(tab2["Sum Sq"], [r0 - rg, rg - rbg, rbg], rtol=1e-10)
    assert abs((r0 - rb) - (rg - rbg)) > 1e-3      # unbalanced: the order matters


def test_lm_coefficients_summary_residuals() -> None:
    """Treatment contrasts as R: (Intercept) = fitted value of block 1, g1; the estimates
    of a balanced two-way model are differences of marginal means."""
    d = _ex1()
    fit = r_lm("yield ~ 1 + block + gen", data=d)
    co = r_coef(fit)
    assert list(co.index) == ["(Intercept)", "block2", "block3", "geng2", "geng3", "geng4"]
    bm = d.groupby("block", observed=True)["yield"].mean().to_numpy()
    gm = d.groupby("gen", observed=True)["yield"].mean().to_numpy()
    np.testing.assert_allclose(co.iloc[1:3], bm[1:] - bm[0], atol=1e-12)
    np.testing.assert_allclose(co.iloc[3:], gm[1:] - gm[0], atol=1e-12)
    np.testing.assert_allclose(co.iloc[0], bm[0] + gm[0] - d["yield"].mean(), atol=1e-12)
    np.testing.assert_allclose(r_fitted(fit) + r_residuals(fit), d["yield"].to_numpy())
    s = fit.describe()
    # sigma^2 = the residual mean square of the ANOVA; SE of a genotype difference
    # sqrt(2 sigma^2 / 3)
    assert s["sigma"] == pytest.approx(np.sqrt(0.40))
    assert s["coefficients"].loc["geng2", "Std. Error"] == pytest.approx(np.sqrt(2 * 0.4 / 3))
    assert fit["df.residual"] == 6 and fit["coef"] is not None


def test_model_matrix_names_and_codes_as_r() -> None:
    d = _ex1()
    x = r_model_matrix("yield ~ 1 + block", d)
    assert list(x.columns) == ["(Intercept)", "block2", "block3"]
    np.testing.assert_array_equal(x["block2"], (d["block"] == "2").astype(float))
    z = r_model_matrix("yield ~ -1 + gen", d)
    assert list(z.columns) == ["geng1", "geng2", "geng3", "geng4"]
    np.testing.assert_array_equal(z.to_numpy().sum(axis=1), np.ones(12))
    xi = r_model_matrix("~ block * gen", d)
    assert list(xi.columns)[6:8] == ["block2:geng2", "block3:geng2"]   # R's column order
    # a missing response drops the record, as R's model frame does
    d2 = d.copy()
    d2.loc[0, "yield"] = np.nan
    assert r_model_matrix("yield ~ block", d2).shape == (11, 3)


def test_lm_bad_input_says_what() -> None:
    with pytest.raises(AsrError, match="no data"):
        r_lm("yield ~ gen")
    with pytest.raises(AsrError, match="cannot build the design matrix"):
        r_lm("yield ~ nosuchcolumn", data=_ex1())
    # anova()/coef() of something not an lm: the untranslated placeholder (as before)
    from asr_py.translate.checks import Untranslated
    assert isinstance(r_anova(3.0), Untranslated)


def test_chol_chol2inv_ginv_closed_forms() -> None:
    a = np.array([[4.0, 2.0, 0.6], [2.0, 2.0, 0.5], [0.6, 0.5, 3.0]])
    u = r_chol(a)
    assert np.allclose(np.tril(u, -1), 0)          # upper triangular, as R
    np.testing.assert_allclose(u.T @ u, a, atol=1e-12)
    np.testing.assert_allclose(r_chol2inv(u) @ a, np.eye(3), atol=1e-12)
    s = np.array([[1.0, 1.0], [1.0, 1.0]])         # singular: ginv = s / 4
    np.testing.assert_allclose(r_ginv(s), s / 4, atol=1e-12)
    with pytest.raises(AsrError, match="not positive definite"):
        r_chol(s - np.eye(2) * 2)


def test_data_table_of_frame_and_vector() -> None:
    d = _ex1().set_index(pd.Index(list("abcdefghijkl")))
    t = r_data_table(d)
    assert list(t.index) == list(range(12)) and t.equals(d.reset_index(drop=True))
    v = r_data_table(pd.Series(["x", "y"]), name="Zone_Loc")
    assert list(v.columns) == ["Zone_Loc"] and list(v["Zone_Loc"]) == ["x", "y"]
    assert list(r_data_table("S_1", name="Zone_Loc")["Zone_Loc"]) == ["S_1"]


def test_translated_script_runs_lm_anova_mme() -> None:
    r = """
d <- read.csv("ex1.csv")
d$block <- as.factor(d$block)
d$gen <- as.factor(d$gen)
mod <- lm(formula = yield ~ 1 + block + gen, data = d)
aov_table <- as.data.frame(anova(mod))
mse_g <- aov_table["gen", "Mean Sq"]
var_e <- aov_table["Residuals", "Mean Sq"]
var_g <- (mse_g - var_e) / 3
X <- model.matrix(yield ~ 1 + block, d)
Z <- model.matrix(yield ~ -1 + gen, d)
R <- diag(x = var_e, nrow = 12)
C22 <- t(Z) %*% chol2inv(chol(R)) %*% Z
"""
    py = asr.translate(r)
    assert "untranslated(" not in py
    import os
    import tempfile

    old = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        EX1.to_csv(os.path.join(tmp, "ex1.csv"), index=False)
        os.chdir(tmp)
        try:
            ns: dict = {}
            exec(compile(py, "t.py", "exec"), ns)  # noqa: S102
        finally:
            os.chdir(old)
    assert ns["var_g"] == pytest.approx((2.21 - 0.40) / 3)
    np.testing.assert_allclose(np.asarray(ns["C22"]), np.eye(4) * 3 / 0.40)


def test_coef_anova_only_of_lm_fits_other_objects_stay_untranslated() -> None:
    """coef()/anova() are translated for names bound to lm() fits; of another package's fit
    (an untranslated one) the statement stays a TODO as before, so a print of it is not run
    on placeholders. (LMMsolve() fits are translated since session 14: rlmmsolver.py.)"""
    py = asr.translate("mod <- lm(y ~ a, data = d)\nc1 <- coef(mod)\n"
                       "o <- otherpkgfit(y ~ a, data = d)\nc2 <- coef(o)\n"
                       "print(anova(o))\n")
    assert "c1 = r_coef(mod)" in py
    assert "c2 = untranslated('coef()', 'c2')" in py
    assert "r_anova(o)" not in py


def test_predict_levels_of_a_variable_is_passed_as_is() -> None:
    py = asr.translate('m <- asreml(y ~ A, data = d)\nlevs <- list(x = c(1, 2))\n'
                       'p <- predict(m, classify = paste0("A:", "x"), levels = levs)\n')
    assert "levels=levs" in py and "TODO(asr_py): not translated" not in py

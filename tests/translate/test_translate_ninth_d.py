"""R semantics met in the ninth pass D (neyhartj/mixed_model_applications' two-stage MET
scripts): subset()'s data-first name lookup when the script also has a variable of that
name; summary.asreml() called by its method name; predict(levels = vector)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

import asr_py as asr


def _run(code: str, **env: object) -> dict:
    return run_r(code, complete=True, **env)

def test_subset_reads_the_column_before_a_variable_of_the_same_name() -> None:
    """R evaluates subset()'s condition in the data first: ``Zone_Loc`` is the column even
    though the script assigned a variable Zone_Loc (before: the variable, so no row kept
    and a later fit on no rows)."""
    d = pd.DataFrame({"Zone_Loc": ["a", "b", "a", "c"], "y": [1.0, 2.0, 3.0, 4.0]})
    ns = _run("""
Zone_Loc <- "zzz"
out <- c()
for (i in c("a", "c")) {
  E <- subset(ww, Zone_Loc == i)
  out <- c(out, sum(E$y))
}
other <- subset(ww, y > 1.5 & Zone_Loc != "c")
""", ww=d)
    assert list(ns["out"]) == [4.0, 4.0]
    assert list(ns["other"]["y"]) == [2.0, 3.0]
    assert ns["Zone_Loc"] == "zzz"


def test_summary_asreml_by_its_method_name() -> None:
    py = asr.translate("m <- asreml(y ~ A, random = ~ B, data = d)\n"
                       "v <- summary.asreml(m)$varcomp\ns <- summary.asreml(m)\n")
    assert "r_varcomp(m)" in py and "s = r_summary(m)" in py and "untranslated(" not in py


def test_predict_levels_vector_is_the_classify_variables_levels() -> None:
    py = asr.translate('m <- asreml(y ~ A, data = d)\n'
                       'p <- predict(m, classify = "A", levels = c("a2", "a1"))\n')
    assert "levels={'A': ['a2', 'a1']}" in py
    bad = asr.translate('m <- asreml(y ~ A + B, data = d)\n'
                        'p <- predict(m, classify = "A:B", levels = c("a2", "a1"))\n')
    assert "TODO(asr_py)" in bad and "several" in bad
    # and it fits: the predictions in the order asked (an independent check: cell means of
    # a one-way fixed model)
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"A": np.repeat(["a1", "a2", "a3"], 4), "B": np.tile(["b1", "b2"], 6)})
    d["y"] = rng.normal(size=12) + np.repeat([0.0, 1.0, 2.0], 4)
    ns = _run('m <- asreml(y ~ A, random = ~ B, data = d)\n'
              'p <- predict(m, classify = "A", levels = c("a3", "a1"))\n', d=d)
    pv = ns["p"]
    pv = pv.pvals if hasattr(pv, "pvals") else pv
    got = pd.DataFrame(pv)
    assert list(got["A"]) == ["a3", "a1"]
    means = d.groupby("A")["y"].mean()
    assert got["predicted.value"].tolist() == pytest.approx(
        [means["a3"], means["a1"]], abs=1e-6)


def test_data_table_colon_equals_sets_columns_in_place() -> None:
    d = pd.DataFrame({"se": [0.5, 2.0], "x": [1.0, 3.0]})
    ns = _run("""
b <- data.table(d)
b[ , ':='(var = se^2, w = 1 / se^2)]
""", d=d)
    assert ns["b"]["var"].tolist() == [0.25, 4.0] and ns["b"]["w"].tolist() == [4.0, 0.25]
    assert list(ns["d"].columns) == ["se", "x"]         # data.table() copied d


def test_str_split_fixed_pieces_and_padding() -> None:
    ns = _run("""
x <- c("North_07BM38_2016", "South_07", "West")
a <- str_split_fixed(x, "_", 2)
b <- str_split_fixed(x, "_", 3)[, 3]
""")
    assert ns["a"].tolist() == [["North", "07BM38_2016"], ["South", "07"], ["West", ""]]
    assert list(ns["b"]) == ["2016", "", ""]


def test_ldply_binds_named_list_of_frames_with_id() -> None:
    from asr_py.translate.runtime import r_ldply

    parts = {"E1": pd.DataFrame({"g": ["a", "b"], "y": [1.0, 2.0]}),
             "E2": pd.DataFrame({"g": ["a"], "y": [3.0]})}
    out = r_ldply(parts, "data.frame", id="Env")
    assert out.to_dict("list") == {"Env": ["E1", "E1", "E2"], "g": ["a", "b", "a"],
                                   "y": [1.0, 2.0, 3.0]}
    # the id column already there with those values: kept once (R's copy is identical)
    same = {k: v.assign(Env=k) for k, v in parts.items()}
    assert list(r_ldply(same, "data.frame", id="Env").columns) == ["Env", "g", "y"]


def test_update_of_a_fit_with_a_family_fixed_dispersion() -> None:
    """Stage II of a two-stage analysis: weights = 1/se^2 and family =
    asr_gaussian(dispersion = 1) (residual variance fixed at 1); update() refits it (it had
    no refit function). The genotype variance is checked against a dense REML computed
    here: V = σ²_g ZZᵀ + diag(1/w), the restricted log-likelihood maximised over σ²_g."""
    from scipy.optimize import minimize_scalar

    rng = np.random.default_rng(7)
    d = pd.DataFrame({"g": np.repeat([f"g{i}" for i in range(12)], 3),
                      "e": np.tile(["x", "y", "z"], 12)})
    u = rng.normal(scale=0.8, size=12)
    se = rng.uniform(0.3, 0.6, size=36)
    d["y"] = np.repeat(u, 3) + np.tile([0.0, 0.5, 1.0], 12) + rng.normal(size=36) * se
    d["w"] = 1 / se ** 2
    m = asr.asreml(fixed="y ~ e", random="~ g", weights="w",
                   family=asr.asr_gaussian(dispersion=1.0), data=d)
    m2 = m.update()
    assert m2.loglik == pytest.approx(m.loglik, abs=1e-6)
    x = pd.get_dummies(d["e"], drop_first=True).astype(float)
    x.insert(0, "mu", 1.0)
    xm = x.to_numpy()
    z = pd.get_dummies(d["g"]).to_numpy(float)
    y = d["y"].to_numpy()

    def neg_reml(s2: float) -> float:
        v = s2 * z @ z.T + np.diag(1 / d["w"].to_numpy())
        vi = np.linalg.inv(v)
        xvx = xm.T @ vi @ xm
        p = vi - vi @ xm @ np.linalg.solve(xvx, xm.T @ vi)
        return 0.5 * (np.linalg.slogdet(v)[1] + np.linalg.slogdet(xvx)[1] + y @ p @ y)

    best = minimize_scalar(neg_reml, bounds=(1e-6, 10), method="bounded",
                           options={"xatol": 1e-9})
    vc = m2.varcomp
    assert vc.loc["g", "component"] == pytest.approx(best.x, rel=1e-3)


def test_asreml_predict_argument_then_fit_predictions_pvals() -> None:
    """asreml 3's asreml(..., predict = predict.asreml(classify = "A")) and later
    fit$predictions$pvals: the predictions of predict(fit, classify = "A"); the argument no
    longer leaves a 'DIFFERENT model' TODO (it never changed the model)."""
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"A": np.repeat(["a1", "a2", "a3"], 6), "B": np.tile(["b1", "b2"], 9)})
    d["y"] = rng.normal(size=18) + np.repeat([0.0, 2.0, 4.0], 6)
    r = ('m <- asreml(y ~ A, random = ~ B, data = d, '
         'predict = predict.asreml(classify = "A"))\n'
         'pv <- m$predictions$pvals\n')
    py = asr.translate(r)
    assert "DIFFERENT model" not in py
    ns = _run(r, d=d)
    pv = pd.DataFrame(ns["pv"])
    means = d.groupby("A")["y"].mean()
    assert pv["predicted.value"].tolist() == pytest.approx(means.tolist(), abs=1e-6)


def test_rdata_frame_with_a_matrix_column_is_flattened() -> None:
    """FieldSimR's pheno_df.RData holds a data frame whose column y.Trait1 is a 200 × 1
    matrix (rdata failed: 'Data must be 1-dimensional'); R's d$y.Trait1 is that vector."""
    from asr_py.translate.rds import _flat_columns

    got = _flat_columns({"a": np.arange(3), "y": np.arange(3.0).reshape(3, 1),
                         "m": np.arange(6.0).reshape(3, 2)})
    assert list(got) == ["a", "y", "m.1", "m.2"]
    assert got["y"].tolist() == [0.0, 1.0, 2.0] and got["m.2"].tolist() == [1.0, 3.0, 5.0]


def test_as_numeric_of_a_matrix_expression_drops_dims() -> None:
    """Buntaran's AVVAR weight: as.numeric(0.5 * Vdiff) with Vdiff a 1 x 1 matrix, times a
    diagonal matrix (R: the scalar recycled). Here Vdiff = (t * tr(V) - 1'V1) / (t(t-1)/2)
    with V = [[2, 1], [1, 4]], t = 2: (2 * 6 - 8) / 1 = 4, so R = 2 I."""
    ns = _run("""
V <- matrix(c(2, 1, 1, 4), 2, 2)
One <- matrix(1, 2, 1)
Vdiff <- (2 * sum(diag(V)) - t(One) %*% V %*% One) / (2 * (2 - 1) / 2)
R <- as.numeric(0.5 * (Vdiff)) * diag(rep(1, 2), nrow = 2)
""")
    np.testing.assert_allclose(np.asarray(ns["R"]), 2 * np.eye(2))

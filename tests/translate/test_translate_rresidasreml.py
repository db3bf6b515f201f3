"""translate(): ``resid(fit, type = ...)`` of an asreml fit (ASReml-R 4 residuals.asreml),
also when the fit went through a script's own function (``mod <- mkConv(mod)``, the UIUC
single-trial scripts), and two idioms of the same scripts (``stdnms[i] %in% v`` of one
element, ``trl[match(a, b), cols]``). The standardised conditional residuals are checked
against a dense computation: ê = R P y, Var(ê) = R P R (P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹), at
the fit's own variance parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate.rresidasreml import r_resid_asreml

SCRIPT = """
library(asreml)
d <- read.csv("oats.csv")
d$B <- as.factor(d$B); d$N <- as.factor(d$N)
keep <- function(mod) { return(mod) }
mod <- asreml(Y ~ N, random = ~ B, data = d, aom = TRUE)
mod <- keep(mod)
rs <- resid(mod, type = "stdCond")
rd <- residuals(mod, type = "deviance")
rp <- resid(mod, type = "pearson")
out <- d[which(sqrt(rs^2) > 3), ]
"""


def test_std_cond_residuals_match_dense_formula(workdir) -> None:
    ns = run_r(SCRIPT)
    d, mod = ns["d"], ns["mod"]
    vc = mod.varcomp["component"]
    s2_b = float(vc[[k for k in vc.index if k.startswith("B")][0]])
    s2_e = float(vc[[k for k in vc.index if "units" in k or "R" == k][0]])
    y = d["Y"].to_numpy(float)
    X = np.column_stack([np.ones(len(d)), indicator(d["N"].astype(str))[:, 1:]])
    Z = indicator(d["B"].astype(str))
    R = s2_e * np.eye(len(d))
    V = s2_b * Z @ Z.T + R
    Vi = np.linalg.inv(V)
    P = Vi - Vi @ X @ np.linalg.solve(X.T @ Vi @ X, X.T @ Vi)
    e = R @ P @ y
    std = e / np.sqrt(np.diag(R @ P @ R))
    np.testing.assert_allclose(np.asarray(ns["rs"], float), std, rtol=1e-6, atol=1e-8)
    # deviance = response residuals for a Gaussian fit; pearson = e / sqrt(R_ii)
    np.testing.assert_allclose(np.asarray(ns["rd"], float), e, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(ns["rp"], float), e / np.sqrt(s2_e), rtol=1e-6,
                               atol=1e-8)
    assert len(ns["out"]) == int(np.sum(np.abs(std) > 3))


def test_unknown_residual_type_is_a_clear_error(workdir) -> None:
    ns = run_r(SCRIPT)
    # R's match.arg: "std" abbreviates "stdCond" only; "x" matches nothing
    np.testing.assert_allclose(np.asarray(r_resid_asreml(ns["mod"], type="std"), float),
                               np.asarray(ns["rs"], float))
    with pytest.raises(AsrError, match="not one of"):
        r_resid_asreml(ns["mod"], type="x")


def test_element_in_and_match_rows_with_named_columns() -> None:
    # R: s <- c("A_1", "B_2"); s[2] %in% c("B_2") is TRUE (one logical, usable in if())
    ns = run_r('s <- unique(c("A_1", "B_2", "A_1"))\nok <- FALSE\n'
               'for (i in 1:2) { if (s[i] %in% c("B_2", "C")) ok <- i }\n')
    assert ns["ok"] == 2
    # R: d[match(c("b", "a"), d$id), cols] with cols <- c("id", "v") is rows b, a
    d = pd.DataFrame({"id": ["a", "b", "c"], "v": [1.0, 2.0, 3.0], "w": [0, 0, 0]})
    ns = run_r('cols <- c("id", "v")\nm <- d[match(c("b", "a"), d$id), cols]\n', d=d)
    assert ns["m"]["id"].tolist() == ["b", "a"] and ns["m"]["v"].tolist() == [2.0, 1.0]
    assert list(ns["m"].columns) == ["id", "v"]


def test_match_of_text_and_numbers_compares_as_text() -> None:
    # R: match(factor(c("100215", "5")), c(5L, 100215L)) is 2 1 (both sides as character);
    # match("3", 1:3) is 3; match(c("a", "b"), "b") is NA 1
    from asr_py.translate.runtime import r_match

    assert r_match(pd.Series(["100215", "5"]), np.array([5, 100215])) == [2, 1]
    assert r_match("3", [1, 2, 3]) == 3
    assert r_match(["a", "b"], ["b"]) == [None, 1]


def test_negative_column_assignment_keeps_the_other_columns() -> None:
    # R: d[, -c(1)] <- round(d[, -c(1)], 1) rounds columns b and c only (c: 3.3 4.4) and
    # leaves a as it was; m[, -1] <- 0 of matrix(1:6, 2) gives rows 1 0 0 / 2 0 0
    ns = run_r('d <- data.frame(a = c("x", "y"), b = c(1.25, 2.5), c = c(3.331, 4.444))\n'
               'd[, -c(1)] <- round(d[, -c(1)], 1)\nm <- matrix(1:6, 2)\nm[, -1] <- 0\n')
    assert ns["d"]["a"].tolist() == ["x", "y"]
    np.testing.assert_allclose(ns["d"]["c"], [3.3, 4.4])
    np.testing.assert_allclose(np.asarray(ns["m"], float), [[1, 0, 0], [2, 0, 0]])


def test_c_of_vector_arithmetic_is_that_vector() -> None:
    # R: d$wt <- c(1/(d$se^2)) of se = c(0.5, 2) is 4, 0.25 (c() of one vector is the
    # vector: the UIUC Big6 summary's weights); c(1/4) is the one number 0.25
    d = pd.DataFrame({"se": [0.5, 2.0]})
    ns = run_r("d$wt <- c(1/(d$se^2))\nk <- c(1/4)\n", d=d)
    np.testing.assert_allclose(ns["d"]["wt"], [4.0, 0.25])
    np.testing.assert_allclose(np.ravel(ns["k"]), [0.25])

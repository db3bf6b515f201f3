"""translate(): R matrices and a few R expressions the asremlPlus test scripts use (issue 14,
fifth pass). Each test translates a minimal R snippet, executes it, and checks what R 4.2
prints for the same code (quoted in the test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import dt, run_py

import asr_py as asr
from asr_py.translate import translate


def test_matrix_fills_by_column_unless_byrow() -> None:
    # R: matrix(c(1,0,0, 1,1,0, 1,0,1), nrow=3) has rows 1 1 1 / 0 1 0 / 0 0 1;
    # matrix(1:6, ncol=2, byrow=TRUE) rows 1 2 / 3 4 / 5 6; matrix(1:6, 2) rows 1 3 5 / 2 4 6
    ns = run_py(translate("a <- matrix(c(1,0,0, 1,1,0, 1,0,1), nrow=3)\n"
                          "b <- matrix(1:6, ncol=2, byrow=TRUE)\nc2 <- matrix(1:6, 2)\n"
                          "z <- matrix(0, nrow = 2, ncol = 3)\n"))
    np.testing.assert_array_equal(ns["a"], [[1, 1, 1], [0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(ns["b"], [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(ns["c2"], [[1, 3, 5], [2, 4, 6]])
    np.testing.assert_array_equal(ns["z"], np.zeros((2, 3)))


def test_matrix_recycling_that_does_not_divide_warns_as_r() -> None:
    # R: matrix(1:4, nrow=3) is 1 4 / 2 1 / 3 2, with "data length [4] is not a
    # sub-multiple or multiple of the number of rows [3]"
    with pytest.warns(asr.AsrWarning, match="not a sub-multiple"):
        ns = run_py(translate("m <- matrix(1:4, nrow=3)\n"))
    np.testing.assert_array_equal(ns["m"], [[1, 4], [2, 1], [3, 2]])


def test_named_marginality_matrix_drives_choose_model() -> None:
    """rownames(m) <- v; colnames(m) <- v make the named square matrix asremlPlus's
    chooseModel takes (test41Selection.r builds its marginality so); dimnames = list(r, c)
    names both at once."""
    r = ('terms <- c("A", "B", "A:B")\n'
         "marg <- matrix(c(1,0,0, 0,1,0, 1,1,1), nrow=3)\n"
         "rownames(marg) <- terms\ncolnames(marg) <- terms\n"
         'd2 <- matrix(0, 2, 2, dimnames = list(c("r1", "r2"), c("c1", "c2")))\n'
         'tab <- data.frame(p = c(0.01, 0.2, 0.3))\nrownames(tab) <- terms\n'
         "ch <- chooseModel(tab, marg, p.values = \"p\", omit.DF = TRUE)\n")
    ns = run_py(translate(r))
    marg = ns["marg"]
    assert list(marg.index) == list(marg.columns) == ["A", "B", "A:B"]
    assert marg.loc["A", "A:B"] == 1 and marg.loc["A:B", "A"] == 0
    assert list(ns["d2"].index) == ["r1", "r2"] and list(ns["d2"].columns) == ["c1", "c2"]
    # A:B (p = 0.3) is not significant; then B (0.2) is not; A (0.01) is
    assert ns["ch"]["sig.terms"] == ["A"]


def test_row_by_number_and_with_as_one_operand() -> None:
    # R: x[2, ] is the row (a = 2, b = 5); with(info, loglik[1] - loglik[2])*(-2) is 10.2
    ns = run_py(translate("x <- data.frame(a = 1:3, b = 4:6)\nr <- x[2, ]\n"
                          "info <- data.frame(loglik = c(-8.5, -3.4))\n"
                          "v <- with(info, loglik[1] - loglik[2])*(-2)\n"))
    # a data frame's row stays a (one-row) data frame, as R's x[2, ]
    assert list(ns["r"].to_numpy().ravel()) == [2, 5]
    assert ns["v"] == pytest.approx(10.2)


def test_loglik_is_asremls_and_deviance_is_the_glms(workdir) -> None:
    """``m$loglik`` is asreml's (no 2π constant: ℓ_R + ½ν log 2π); ``m$deviance`` a GLM's
    deviance (R's glm() gives 16.98403 for the budworm ldose model, tests/data/budworm_glm)."""
    r = ('dat <- read.csv("DT.csv")\nm <- asreml(Yield ~ Env, random = ~ Name, data = dat)\n'
         "ll <- m$loglik\nll2 <- summary(m)$loglik\n"
         "df <- data.frame(ldose = rep(0:5, 2), N = rep(20, 12),\n"
         "  numdead = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16))\n"
         "df$p <- df$numdead/df$N\n"
         "g <- asreml(p ~ ldose, data = df, family = asr_binomial(total = N))\n"
         "dv <- g$deviance\n")
    ns = run_py(translate(r))
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt())
    want = direct.loglik + 0.5 * direct.result.n_minus_p * np.log(2 * np.pi)
    assert ns["ll"] == pytest.approx(want, rel=1e-10) and ns["ll2"] == ns["ll"]
    assert ns["dv"] == pytest.approx(16.984032666895, rel=1e-8)
    assert isinstance(ns["df"], pd.DataFrame)


def test_fit_design_is_x_and_z_with_named_columns() -> None:
    """``fit$design`` (asreml.options(design = TRUE)): [X Z], Z's columns named term_level;
    ``d[, grepl(p, colnames(d), fixed = TRUE)]`` picks columns. Checked against the
    indicator matrix of the factor built independently (pd.get_dummies)."""
    import pathlib

    d = pd.read_csv(pathlib.Path(__file__).parents[1] / "data" / "Dyestuff.csv")
    r = ("m <- asreml(Yield ~ 1, random = ~ Batch, data = d)\n"
         "Z <- as.matrix(m$design[ , grepl(\"Batch\", colnames(m$design), fixed = TRUE)])\n"
         "ZZ <- Z %*% t(Z)\nX <- m$design[, \"(Intercept)\"]\n")
    ns = run_py(translate(r), d=d)
    want = pd.get_dummies(d["Batch"], dtype=float)
    assert list(ns["Z"].columns) == [f"Batch_{lv}" for lv in want.columns]
    np.testing.assert_array_equal(ns["Z"].to_numpy(), want.to_numpy())
    np.testing.assert_array_equal(np.asarray(ns["ZZ"]), want.to_numpy() @ want.to_numpy().T)
    np.testing.assert_array_equal(ns["X"], np.ones(len(d)))


def test_g_param_names_are_the_random_terms() -> None:
    """``names(fit$G.param)``: the random terms (test41MET.r loops over them);
    ``fit$R.param`` the residual term; each is asreml 4's list, whose ``variance`` holds
    the term's variance (an idv scale: the varcomp component) and ``size`` its number of
    effects (Penicillin: 24 plates, 6 samples, 144 records)."""
    import pathlib

    d = pd.read_csv(pathlib.Path(__file__).parents[1] / "data" / "Penicillin.csv")
    r = ("m <- asreml(diameter ~ 1, random = ~ plate + sample, data = d)\n"
         "rt <- names(m$G.param)\nrr <- names(m$R.param)\ngp <- m$G.param\n")
    ns = run_py(translate(r), d=d)
    assert ns["rt"] == ["plate", "sample"] and ns["rr"] == ["units"]
    vc = ns["m"].varcomp
    for term, size in (("plate", 24), ("sample", 6)):
        var = ns["gp"][term]["variance"]
        assert var["model"] == "idv" and var["size"] == size
        assert float(var["initial"].iloc[0]) == pytest.approx(vc.loc[term, "component"])
        assert ns["gp"][term][term]["model"] == "id"
        assert sorted(ns["gp"][term][term]["levels"]) == sorted(d[term].astype(str).unique())


def test_a_long_line_with_a_grouping_parenthesis_stays_an_expression() -> None:
    """A long ``v <- v + (a * (b %*% t(b)))`` is not wrapped into a one-element tuple
    (test41Orange.r's V.g sums became tuples)."""
    long, b_ = "a_rather_long_variable_name_for_the_scale", "b" * 30
    r = (f"{long} <- 2\n{b_} <- matrix(1:4, 2)\nv <- 1\n"
         f"v <- v + ({long} * ({b_} %*% t({b_})))\n")
    ns = run_py(translate(r))
    b = np.array([[1, 3], [2, 4]])
    np.testing.assert_array_equal(ns["v"], 1 + 2 * (b @ b.T))


def test_columns_by_position() -> None:
    # R: m <- matrix(1:12, 3); m[, 2:3] is 4 7 / 5 8 / 6 9; m[, 2] is 4 5 6 (a vector);
    # m[, -1] drops the first column; a data frame's d[, 2:3] keeps columns y, z
    ns = run_py(translate("m <- matrix(1:12, 3)\na <- m[, 2:3]\nb <- m[, 2]\nc2 <- m[, -1]\n"
                          "d <- data.frame(x = 1:3, y = 4:6, z = 7:9)\ne <- d[, 2:3]\n"))
    np.testing.assert_array_equal(ns["a"], [[4, 7], [5, 8], [6, 9]])
    np.testing.assert_array_equal(ns["b"], [4, 5, 6])
    np.testing.assert_array_equal(ns["c2"], [[4, 7, 10], [5, 8, 11], [6, 9, 12]])
    assert list(ns["e"].columns) == ["y", "z"]


def test_columns_by_an_in_mask_on_a_square_frame() -> None:
    # R: d[, !names(d) %in% k] selects columns (d[, mask] is never rows), also when the
    # frame has as many rows as columns; one column left is a vector (R's drop)
    d = pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6], "c": [7, 8, 9]})
    ns = run_py(translate('k <- c("a")\nz <- d[, !names(d) %in% k]\n'
                          'z1 <- d[, dimnames(d)[[2]] %in% c("a", "b")]\n'
                          'v <- d[, names(d) %in% "c"]\n'), d=d)
    assert list(ns["z"].columns) == ["b", "c"] and ns["z"].shape == (3, 2)
    assert list(ns["z1"].columns) == ["a", "b"]
    assert list(ns["v"]) == [7, 8, 9]

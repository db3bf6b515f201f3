"""translate(): R matrix semantics (issue 14, session 13, c15mat). Arithmetic of a name the
script last assigned a matrix to is positional, as R's (``?Arithmetic``: matrices are
vectors with dimensions, never aligned by dimnames); ``t()`` of a vector is a 1 x n matrix
(``?t``), so ``v %*% t(v)`` is the outer product. Expected values are R's documented rules,
computed independently with numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
from _translate_fixtures import run_py

from asr_py.translate import translate

_DIMNAMED = (
    'Gg <- matrix(c(2, 0.5, 0.5, 1), 2, 2, dimnames = list(c("a", "b"), c("a", "b")))\n'
    'Cinv <- matrix(c(4, 1, 0, 0, 1, 3, 0, 0, 0, 0, 2, 0.2, 0, 0, 0.2, 1), 4, 4,\n'
    '  dimnames = list(c("x1", "x2", "g1", "g2"), c("x1", "x2", "g1", "g2")))\n')


def test_matrices_with_different_dimnames_subtract_by_position() -> None:
    # trainingMM 10_prediction.R: var_uhat <- Gg - C22_g (dimnames a,b vs g1,g2); pandas
    # aligned the labels into an all-NaN 4 x 4 frame
    ns = run_py(translate(_DIMNAMED + "C22_g <- Cinv[3:4, 3:4]\nvar_uhat <- Gg - C22_g\n"
                          "acc <- 1 - diag(C22_g) / diag(Gg)\n"))
    gg = np.array([[2, 0.5], [0.5, 1]])
    c22 = np.array([[2, 0.2], [0.2, 1]])
    out = ns["var_uhat"]
    assert np.asarray(out).shape == (2, 2)
    np.testing.assert_allclose(np.asarray(out, dtype=float), gg - c22)
    assert list(out.index) == ["a", "b"]          # R keeps the first operand's dimnames
    np.testing.assert_allclose(np.asarray(ns["acc"], dtype=float),
                               1 - np.diag(c22) / np.diag(gg))


def test_a_name_assigned_matrix_arithmetic_keeps_being_positional() -> None:
    # V <- Z %*% G %*% t(Z) + R; A * s with s recycled down the columns (column-major)
    r = (_DIMNAMED +
         "Z <- matrix(c(1, 0, 1, 0, 1, 0), 3, 2)\n"
         "V <- Z %*% Gg %*% t(Z) + diag(3)\n"
         "W <- V\n"
         "s <- c(u = 1, v = 2, w = 3)\n"
         "A <- W * s\n"
         "B <- -A / 2\n")
    py = translate(r)
    assert "r_arith(W, '*', s)" in py and "r_arith(-A, '/', 2)" not in py
    ns = run_py(py)
    z = np.array([[1, 0], [0, 1], [1, 0]], dtype=float)
    v = z @ np.array([[2, 0.5], [0.5, 1]]) @ z.T + np.eye(3)
    np.testing.assert_allclose(np.asarray(ns["V"], dtype=float), v)
    a = v * np.array([1.0, 2.0, 3.0])[:, None]       # R recycles down each column
    np.testing.assert_allclose(np.asarray(ns["A"], dtype=float), a)
    np.testing.assert_allclose(np.asarray(ns["B"], dtype=float), -a / 2)


def test_reassigned_name_is_forgotten_as_a_matrix() -> None:
    py = translate("M <- matrix(1:4, 2)\nx <- M + 1:2\nM <- as.numeric(c(1, 2))\ny <- M + 1:2\n"
                   "C <- matrix(1:9, 3)\nd <- diag(C) + 1:3\ne <- C[1, ] * 2\n")
    assert "x = r_arith(M," in py
    assert "y = r_arith" not in py
    assert "d = r_arith" not in py        # diag() of a matrix is its diagonal, a vector
    ns = run_py(py)
    np.testing.assert_array_equal(np.asarray(ns["x"]), [[2, 4], [4, 6]])  # 1 3 / 2 4 + 1:2
    np.testing.assert_array_equal(np.asarray(ns["y"]), [2, 4])
    np.testing.assert_array_equal(np.asarray(ns["d"]), [2, 7, 12])


def test_transpose_of_a_vector_is_one_row() -> None:
    # R: lambda %*% t(lambda) is the 3 x 3 outer product, t(lambda) %*% lambda is 1 x 1,
    # lambda %*% lambda the inner product (1 x 1); crossprod(v) = t(v) %*% v,
    # tcrossprod(v) = v %*% t(v); t(named vector) has the names as colnames
    ns = run_py(translate(
        "lambda <- c(0.9, 0.7, 0.5)\nPsi <- diag(c(0.2, 0.3, 0.4))\n"
        "G <- lambda %*% t(lambda) + Psi\ninner <- t(lambda) %*% lambda\n"
        "dot <- lambda %*% lambda\ncp <- crossprod(lambda)\ntcp <- tcrossprod(lambda)\n"
        "tl <- t(lambda)\nnv <- c(a = 1, b = 2)\ntn <- t(nv)\n"
        "M <- matrix(1:6, 3)\nmv <- M %*% c(1, 1)\nvm <- c(1, 1, 1) %*% M\n"))
    lam = np.array([0.9, 0.7, 0.5])
    outer = np.outer(lam, lam)
    np.testing.assert_allclose(np.asarray(ns["G"], dtype=float),
                               outer + np.diag([0.2, 0.3, 0.4]))
    assert np.asarray(ns["tl"]).shape == (1, 3)
    np.testing.assert_allclose(np.asarray(ns["inner"], dtype=float).ravel(), [lam @ lam])
    np.testing.assert_allclose(np.asarray(ns["dot"], dtype=float).ravel(), [lam @ lam])
    np.testing.assert_allclose(np.asarray(ns["cp"], dtype=float), [[lam @ lam]])
    np.testing.assert_allclose(np.asarray(ns["tcp"], dtype=float), outer)
    tn = ns["tn"]
    assert isinstance(tn, pd.DataFrame) and list(tn.columns) == ["a", "b"]
    np.testing.assert_array_equal(tn.to_numpy(), [[1, 2]])
    m = np.array([[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(np.asarray(ns["mv"]).ravel(), m @ [1, 1])
    np.testing.assert_array_equal(np.asarray(ns["vm"]).ravel(), [1, 1, 1] @ m)


def test_transpose_of_a_matrix_keeps_dimnames() -> None:
    ns = run_py(translate(_DIMNAMED + "T1 <- t(Cinv[1:2, ])\n"))
    t1 = ns["T1"]
    assert list(t1.columns) == ["x1", "x2"] and t1.shape == (4, 2)


def test_mutate_at_with_a_list_of_one_purrr_lambda() -> None:
    # mdkrause/genomic-FA-METs predFA.R: mutate_at(pheno, vars(eblue), list(~ ifelse(geno
    # %in% ids & envs %in% e, NA, .))); dplyr inlines the formula in the data mask, so geno
    # and envs are columns, ids a variable, . the selected column
    ns = run_py(translate(
        'library(dplyr)\n'
        'pheno <- data.frame(geno = c("a", "b", "c", "a"), envs = c("E1", "E1", "E2", "E2"),'
        ' eblue = c(1, 2, 3, 4), w = 1:4)\nids <- c("a", "c")\n'
        'd <- mutate_at(pheno, vars(eblue), list(~ ifelse(geno %in% ids & envs %in% "E2",'
        ' NA, .)))\n'
        'd2 <- pheno %>% mutate_at(vars(eblue, w), ~ . * 2)\n'
        'd3 <- mutate_at(pheno, "w", funs(. - mean(.)))\n'))
    d = ns["d"]
    np.testing.assert_array_equal(d["eblue"].to_numpy(dtype=float), [1, 2, np.nan, np.nan])
    assert list(d.columns) == ["geno", "envs", "eblue", "w"]
    np.testing.assert_array_equal(ns["pheno"]["eblue"], [1, 2, 3, 4])   # a copy
    np.testing.assert_array_equal(ns["d2"]["eblue"], [2, 4, 6, 8])
    np.testing.assert_array_equal(ns["d2"]["w"], [2, 4, 6, 8])
    np.testing.assert_allclose(ns["d3"]["w"].to_numpy(dtype=float), [-1.5, -0.5, 0.5, 1.5])


def test_mutate_at_with_named_lambdas_stays_untranslated() -> None:
    # list(sc = ~ . / 2) makes new columns (eblue_sc ...): not emulated, so a placeholder
    py = translate('d <- data.frame(a = 1:2, b = 3:4)\n'
                   'd3 <- mutate_at(d, c("a", "b"), list(sc = ~ . / 2))\n')
    assert "untranslated('mutate_at()'" in py


def test_diag_of_the_diagonal_of_a_matrix_is_a_matrix() -> None:
    # mdkrause/VarComp-ME MET_models.R: VCOV <- Load %*% t(Load) + Psi;
    # Diag.Matrix <- diag(sqrt(diag(VCOV))); the correlation matrix D^-1 V D^-1
    py = translate("Load <- c(0.9, 0.6)\nPsi <- diag(c(0.19, 0.64))\n"
                   "VCOV <- (Load %*% t(Load)) + Psi\nD <- diag(sqrt(diag(VCOV)))\n"
                   "E <- D * 2\nCorr <- solve(D) %*% VCOV %*% solve(D)\n")
    ns = run_py(py)
    v = np.outer([0.9, 0.6], [0.9, 0.6]) + np.diag([0.19, 0.64])
    np.testing.assert_allclose(np.asarray(ns["VCOV"], dtype=float), v)
    sd = np.sqrt(np.diag(v))
    np.testing.assert_allclose(np.asarray(ns["Corr"], dtype=float), v / np.outer(sd, sd))
    np.testing.assert_allclose(np.asarray(ns["E"], dtype=float), 2 * np.diag(sd))


def test_matrix_value_follows_r_rules() -> None:
    from asr_py.translate import statements
    from asr_py.translate.rmatnames import matrix_value

    known = {"M"}

    def mat(code: str) -> bool:
        return matrix_value(statements(code)[0], known)

    assert mat("M[1:2, 3:4]") and mat("M[i, , drop = FALSE]") and mat("-M / 2")
    assert not mat("M[1, ]") and not mat("M[, 2]")        # R drops one row/column
    assert mat("diag(3)") and mat("diag(c(1, 2))") and mat("diag(sqrt(diag(M)))")
    assert not mat("diag(M)") and not mat("diag(x)")       # x: not known to be a vector
    assert mat("chol2inv(chol(V))") and mat("v %*% w") and mat("x + t(y)")
    assert not mat("x + y") and not mat("sqrt(x)") and mat("sqrt(M)")


def test_quadratic_form_of_a_transposed_vector_is_one_number() -> None:
    # R: t(b) %*% V %*% b is a 1 x 1 matrix, which c(), sprintf() and comparisons read as
    # its one value: c(t(b) %*% b, 3) is c(5, 3)
    ns = run_py(translate("b <- c(1, 2)\nV <- matrix(c(2, 1, 1, 3), 2)\n"
                          "q <- t(b) %*% V %*% b\nz <- c(t(b) %*% b, 3)\n"
                          "big <- t(b) %*% V %*% b > 10\n"))
    b, v = np.array([1.0, 2.0]), np.array([[2.0, 1.0], [1.0, 3.0]])
    assert float(np.asarray(ns["q"]).ravel()[0]) == b @ v @ b
    np.testing.assert_array_equal(np.asarray(ns["z"], dtype=float), [5, 3])
    assert bool(np.asarray(ns["big"]).ravel()[0]) is bool(b @ v @ b > 10)


def test_vector_with_a_one_by_one_matrix_recycles_the_number() -> None:
    # R 4.x: c(1, 2) / crossprod(d, Q %*% d) (a 1 x 1 matrix) is the vector divided by the
    # number, with the warning "Recycling array of length 1 in vector-array arithmetic is
    # deprecated" (trainingMM pages/10_Index.qmd's desired-gains index)
    import pytest

    import asr_py as asr

    with pytest.warns(asr.AsrWarning, match="Recycling array of length 1"):
        ns = run_py(translate("d <- c(1, 2)\nQ <- matrix(c(2, 1, 1, 3), 2)\n"
                              "x <- d * 2 / sqrt(crossprod(d, Q %*% d))\n"))
    d, q = np.array([1.0, 2.0]), np.array([[2.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(np.asarray(ns["x"], dtype=float).ravel(),
                               d * 2 / np.sqrt(d @ q @ d))
    assert np.asarray(ns["x"]).size == 2


def test_arithmetic_of_vectors_held_as_python_lists_is_r_arithmetic() -> None:
    # R: v <- c(1, 2); v + v is c(2, 4), v * 2 is c(2, 4) (Python's list + list / list * 2
    # would concatenate / repeat); x <- 1:3; x + 1 is 2:4; names of a named c() are kept
    ns = run_py(translate("v <- c(1, 2)\nu <- v + v\nw <- v * 2\nx <- 1:3\ny <- x + 1\n"
                          "k <- rep(1, 3)\nkk <- k / 2\nd <- c(a = 1, b = 2)\ndd <- d * 2\n"
                          "s <- sum(v * 2)\nv <- 'a'\n"))
    np.testing.assert_array_equal(np.asarray(ns["u"]), [2, 4])
    np.testing.assert_array_equal(np.asarray(ns["w"]), [2, 4])
    np.testing.assert_array_equal(np.asarray(ns["y"]), [2, 3, 4])
    np.testing.assert_array_equal(np.asarray(ns["kk"]), [0.5, 0.5, 0.5])
    assert ns["dd"] == {"a": 2, "b": 4}
    assert ns["s"] == 6


def test_foreach_do_and_dopar_run_as_serial_loops() -> None:
    # foreach's documented semantics (?foreach): .combine = rbind binds the iterations'
    # values; "+" sums them; without .combine a list; %:% nests, the inner iterable may use
    # the outer variable; assignments in the body stay local to the iteration
    ns = run_py(translate(
        "library(foreach)\na <- 100\n"
        "res <- foreach(i = 1:3, .combine = rbind, .packages = 'asreml') %dopar% {\n"
        "  a <- i * 2\n  data.frame(i = i, a = a)\n}\n"
        "s <- foreach(k = 1:4, .combine = '+') %do% k^2\n"
        "l <- foreach(r = 1:2) %:% foreach(j = 1:r, .combine = c) %do% {\n"
        "  return(r * 10 + j)\n}\n"))
    res = ns["res"]
    np.testing.assert_array_equal(res["i"].to_numpy(), [1, 2, 3])
    np.testing.assert_array_equal(res["a"].to_numpy(), [2, 4, 6])
    assert ns["a"] == 100
    assert ns["s"] == 1 + 4 + 9 + 16
    assert [list(np.ravel(x)) for x in ns["l"]] == [[11], [21, 22]]


def test_foreach_with_two_loop_variables_is_left_untranslated() -> None:
    py = translate("x <- foreach(a = 1:2, b = 3:4) %do% (a + b)\n")
    assert "untranslated(" in py


def test_base_functions_after_source_are_not_looked_up_in_the_sourced_file() -> None:
    # after source("CV1_CV2.R") (mdkrause predFA.R), round()/mean() are base R's: they were
    # looked up among the sourced file's functions and became placeholders
    py = translate('source("helpers_not_here.R")\nx <- round(2.567, 1)\n'
                   'y <- mean(c(1, 2, 6))\nz <- my_fun(3)\n')
    assert "r_sourced('round'" not in py and "r_sourced('mean'" not in py
    assert "r_sourced('my_fun'" in py


def test_colon_of_values_follows_r() -> None:
    # R ?Colon: n:1 counts down; 1:0 is c(1, 0); 1:round(7/2) is 1:4 (R rounds half to
    # even: round(3.5) = 4); 1.5:3 is c(1.5, 2.5)
    ns = run_py(translate("n <- 3\na <- 1:n\nb <- n:1\nc2 <- 1:round(7/2)\ne <- 5:2\n"
                          "h <- 1.5:n\nz <- 0\nk <- 1:z\ns <- 0\nfor (i in n:1) s <- s * 10 + i\n"))
    assert list(ns["a"]) == [1, 2, 3] and list(ns["b"]) == [3, 2, 1]
    assert list(ns["c2"]) == [1, 2, 3, 4] and list(ns["e"]) == [5, 4, 3, 2]
    assert list(ns["h"]) == [1.5, 2.5] and list(ns["k"]) == [1, 0]
    assert ns["s"] == 321


def test_global_env_dollar_assignment_sets_the_script_variable() -> None:
    # R: .GlobalEnv$G <- x inside a function sets the global G (predFA.R's foreach body)
    ns = run_py(translate("f <- function(x) {\n  .GlobalEnv$G <- x * 2\n  x\n}\n"
                          "r <- f(4)\nprint(G)\n"))
    assert ns["G"] == 8 and ns["r"] == 4

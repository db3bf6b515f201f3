"""Held-out pass Q (s23newQ): plant-breeding scripts (a sorghum G x E x M analysis with
environmental covariates and its R package ecreml; a G2F maize stage-1 BLUE pipeline).
Their argument checks use R's type predicates and their functions end in ``stop()``.

Expected values are R's documented semantics written out by hand:
- ``?stop``: "stop stops execution of the current expression and executes an error
  action"; the message is the arguments pasted with no separator (``.makeMessage``:
  ``paste(unlist(lapply(list(...), as.character)), collapse = "")``). It has no value, so
  a function whose last expression (or taken branch) is ``stop()`` signals that error;
  ``tryCatch(error = function(e) ...)`` receives it, ``conditionMessage(e)`` its message.
- ``?is.data.frame``: TRUE for a data frame (a tibble too: it inherits "data.frame").
- ``?is.matrix``: TRUE when x is a vector with a "dim" attribute of length 2.
- ``?is.list``: TRUE for lists and pairlists; a data frame is a list.
- ``?is.integer``: TRUE for integer type "unless it is a factor when it returns FALSE";
  ``?is.double``/``?is.logical`` likewise by type; a numeric literal ``1`` is a double,
  ``read.csv`` reads a column of whole numbers as integer.
- ``?is.vector``: TRUE for a vector with no attributes other than names (FALSE for a
  matrix, a data frame, a factor); ``mode = "numeric"`` also asks integer or double type.
- ``?inherits``: whether ``class(x)`` (for dispatch, the implicit class of an unclassed
  object: "matrix" "array" and the type, "double"/"integer" then "numeric") holds any of
  ``what``; ``which = TRUE`` gives each one's position, 0 when absent.
"""

from __future__ import annotations

import numpy as np
import pytest
from _translate_fixtures import run_r

from asr_py import translate


def _raises(ns: dict, expr: str) -> str:
    """The message of the error evaluating ``expr`` in the translated namespace raises."""
    with pytest.raises(RuntimeError) as exc:
        eval(expr, ns)
    return str(exc.value)


# ----- stop() where R uses its value ------------------------------------------------------

def test_stop_as_a_functions_last_value_raises_its_message() -> None:
    r = ('f <- function(x) {\n  if (x > 1) {\n    x * 2\n  } else {\n    stop("x = ", x, '
         '" is too small")\n  }\n}\na <- f(3)\n'
         'g <- function(x) if (x) 1 else stop("no")\n')
    py = translate(r)
    assert "untranslated(" not in py and "not translated (stop())" not in py
    ns = run_r(r, complete=True)
    assert ns["a"] == 6                                   # the branch taken gives the value
    assert ns["g"](True) == 1
    assert _raises(ns, "g(False)") == "no"
    assert _raises(ns, "f(1)") == "x = 1 is too small"    # pasted with no separator


def test_stop_in_a_trycatch_handler_rethrows_with_the_caught_message() -> None:
    r = ('h <- function() tryCatch(stop("inner"), error = function(e) '
         'stop("outer: ", conditionMessage(e)))\n'
         'msg <- tryCatch(h(), error = function(e) conditionMessage(e))\n')
    ns = run_r(r, complete=True)
    assert ns["msg"] == "outer: inner"


def test_stop_in_an_anonymous_function_and_a_switch_default() -> None:
    r = ('ok <- sapply(c(1, 2, 3), function(v) if (v > 0) v * 10 else stop("negative: ", v))\n'
         'pick <- function(k) switch(k, a = "first", b = "second", stop("unknown level ", k))\n'
         'p <- pick("b")\n'
         'bad <- tryCatch(sapply(c(1, -2), function(v) if (v > 0) v else '
         'stop("negative: ", v)), error = function(e) conditionMessage(e))\n')
    ns = run_r(r, complete=True)
    assert list(np.asarray(ns["ok"], dtype=float)) == [10.0, 20.0, 30.0]
    assert ns["p"] == "second"
    assert _raises(ns, "pick('z')") == "unknown level z"
    assert ns["bad"] == "negative: -2"          # R prints the double -2 as "-2"


def test_abort_message_in_value_position() -> None:
    r = ('chk <- function(x) if (is.numeric(x)) x else rlang::abort("x must be numeric")\n'
         'v <- chk(5)\n')
    ns = run_r(r, complete=True)
    assert ns["v"] == 5
    assert _raises(ns, "chk('a')") == "x must be numeric"


# ----- type predicates ---------------------------------------------------------------------

def test_is_data_frame_matrix_and_list() -> None:
    r = ('d <- data.frame(g = c("a", "b", "c"), y = c(1.5, 2, 3), n = c(1L, 2L, 3L))\n'
         'm <- matrix(1:6, nrow = 2)\n'
         'l <- list(a = 1, b = "x")\n'
         'res <- c(is.data.frame(d), is.data.frame(m), is.data.frame(l),\n'
         '         is.matrix(m), is.matrix(d), is.matrix(d$y),\n'
         '         is.list(d), is.list(l), is.list(m), is.list(d$y))\n'
         'guard <- function(x) { if (!is.data.frame(x)) stop("need a data frame"); nrow(x) }\n'
         'nr <- guard(d)\n')
    ns = run_r(r, complete=True)
    assert [bool(v) for v in ns["res"]] == [True, False, False, True, False, False,
                                            True, True, False, False]
    assert ns["nr"] == 3
    assert _raises(ns, "guard(m)") == "need a data frame"


def test_is_logical_double_integer_by_type(tmp_path, monkeypatch) -> None:
    (tmp_path / "t.csv").write_text("plot,count,yield,ok\n1,3,2.5,TRUE\n2,4,3.0,FALSE\n")
    monkeypatch.chdir(tmp_path)
    r = ('d <- read.csv("t.csv")\n'
         'f <- factor(c("a", "b"))\n'
         'res <- c(is.integer(d$count), is.double(d$count), is.double(d$yield),\n'
         '         is.logical(d$ok), is.logical(d$yield), is.double(1.5), is.double(2),\n'
         '         is.integer(f), is.double(f), is.logical(c(TRUE, NA)), is.double("1"))\n')
    ns = run_r(r, complete=True)
    assert [bool(v) for v in ns["res"]] == [True, False, True, True, False, True, True,
                                            False, False, True, False]


def test_is_vector_with_and_without_mode() -> None:
    r = ('m <- matrix(1:4, 2)\nd <- data.frame(x = 1:2)\n'
         'res <- c(is.vector(c(1, 2)), is.vector("a"), is.vector(m),\n'
         '         is.vector(d), is.vector(list(a = 1)), is.vector(c(1, 2), mode = "numeric"),\n'
         '         is.vector("a", "numeric"), is.vector(c("a", "b"), "character"),\n'
         '         is.vector(list(a = 1), "list"), is.vector(NULL), is.vector(d$x, "integer"))\n')
    ns = run_r(r, complete=True)
    assert [bool(v) for v in ns["res"]] == [True, True, False, False, True, True,
                                            False, True, True, False, True]


def test_inherits_uses_the_class_and_the_implicit_class() -> None:
    r = ('d <- data.frame(x = c(1, 2, 3), g = c("a", "b", "a"))\n'
         'm <- matrix(c(1, 2, 3, 4), 2)\n'
         'e <- try(stop("failed"), silent = TRUE)\n'
         'res <- c(inherits(d, "data.frame"), inherits(d, "matrix"), inherits(m, "matrix"),\n'
         '         inherits(m, "array"), inherits(m, "numeric"), inherits(1.5, "numeric"),\n'
         '         inherits(1.5, "double"), inherits("a", "numeric"), inherits("a", "character"),\n'
         '         inherits(e, "try-error"), inherits(d, c("tbl_df", "data.frame")))\n'
         'w <- inherits(d, c("list", "data.frame", "foo"), which = TRUE)\n')
    ns = run_r(r, complete=True)
    assert [bool(v) for v in ns["res"]] == [True, False, True, True, True, True, True,
                                            False, True, True, True]
    assert list(ns["w"]) == [0, 1, 0]      # class(d) is "data.frame": position 1, else 0


def test_inherits_an_asreml_fit_guards_a_function() -> None:
    r = ('d <- data.frame(y = c(4.1, 5.2, 6.3, 5.0, 4.4, 6.1, 5.5, 4.9),\n'
         '                g = factor(rep(c("a", "b", "c", "d"), 2)))\n'
         'fit <- asreml(fixed = y ~ 1, random = ~ g, data = d)\n'
         'check <- function(fm) { if (!inherits(fm, "asreml")) stop("not an asreml fit"); '
         'TRUE }\n'
         'ok <- check(fit)\nis_list <- is.list(fit)\n')
    ns = run_r(r, complete=True)
    assert ns["ok"] is True
    assert ns["is_list"] is True              # an asreml object is a list in R
    assert _raises(ns, "check(d)") == "not an asreml fit"


def test_predicates_of_untranslated_values_are_errors_not_false() -> None:
    from asr_py.translate.checks import untranslated
    from asr_py.translate.ristype import r_inherits, r_is_type

    u = untranslated("foo()", "x")
    with pytest.raises(Exception, match="foo"):
        r_is_type(u, "data.frame")
    with pytest.raises(Exception, match="foo"):
        r_inherits(u, "asreml")


# ----- asreml's coef(fit, pattern = ) ------------------------------------------------------

_COEF_DATA = ('d <- data.frame(g = rep(c("a", "b", "c", "d"), 3),\n'
              '                t = rep(c("x", "y", "z"), each = 4),\n'
              '                y = c(3.1, 4.2, 2.9, 3.8, 5.0, 6.1, 4.8, 5.7, 4.0, 5.2, 3.9, 4.6))\n'
              'fit <- asreml(y ~ t, random = ~ g, data = d)\n')


def test_coef_pattern_gives_the_matching_effects_as_an_effect_column() -> None:
    """asreml-R ``coef.asreml(object, list = FALSE, pattern)``: a one-column matrix
    ``effect`` of the effects whose names match. Checked against the closed form of a
    balanced two-way layout (each g once with each t): the BLUP of g is
    σ²g / (σ²g + σ²e / 3) × (ȳ_g − ȳ), and t's fixed effects are differences of t means."""
    r = _COEF_DATA + ('gv <- data.frame(coef(fit, pattern = "g_"))\n'
                      'tv <- coef(fit, pattern = "^t_")\n'
                      'x <- as.matrix(coef(fit, pattern = "g")[1:2, ])\n'
                      'none <- coef(fit, pattern = "^nothing")\n')
    ns = run_r(r, complete=True)
    gv, tv = ns["gv"], ns["tv"]
    assert list(gv.columns) == ["effect"] and list(gv.index) == ["g_a", "g_b", "g_c", "g_d"]
    y = np.array([3.1, 4.2, 2.9, 3.8, 5.0, 6.1, 4.8, 5.7, 4.0, 5.2, 3.9, 4.6])
    g = np.array(list("abcd") * 3)
    vc = ns["fit"].varcomp["component"]
    sg, se = float(vc.iloc[0]), float(vc.iloc[-1])
    blup = sg / (sg + se / 3) * np.array([y[g == k].mean() - y.mean() for k in "abcd"])
    np.testing.assert_allclose(gv["effect"].to_numpy(), blup, rtol=1e-5, atol=1e-8)
    assert list(tv.index) == ["t_x", "t_y", "t_z"]
    t_means = [y[:4].mean(), y[4:8].mean(), y[8:].mean()]
    np.testing.assert_allclose(tv["effect"].to_numpy(),
                               [0.0, t_means[1] - t_means[0], t_means[2] - t_means[0]],
                               atol=1e-8)
    assert np.asarray(ns["x"], dtype=float).shape == (2, 1)    # [1:2, ] drops, as.matrix n x 1
    assert len(ns["none"]) == 0 and list(ns["none"].columns) == ["effect"]


def test_coef_pattern_that_is_not_a_regular_expression_says_so() -> None:
    from asr_py.errors import AsrError

    ns = run_r(_COEF_DATA, complete=True)
    from asr_py.translate.rcoefpattern import r_coef_pattern
    with pytest.raises(AsrError, match="regular expression"):
        r_coef_pattern(ns["fit"], "vm(geno")


# ----- R's ** operator; fit$linear.predictors ----------------------------------------------

def test_double_star_is_power_as_in_r() -> None:
    """R's lexer reads ``**`` as ``^`` (R Language Definition, 10.3.6: "** is translated
    to ^"): right-associative, above unary minus, as ``^``."""
    r = ('avSED <- 0.5\nVg <- 2\nH <- 1 - ((avSED**2)/(2*Vg))\n'
         'p <- 2 ** 3 ** 2\nq <- -2**2\nv <- c(1, 2, 3) ** 2\n')
    ns = run_r(r, complete=True)
    assert ns["H"] == pytest.approx(1 - 0.25 / 4)
    assert ns["p"] == 512          # 2^(3^2)
    assert ns["q"] == -4           # -(2^2)
    assert list(np.asarray(ns["v"], dtype=float)) == [1.0, 4.0, 9.0]


def test_linear_predictors_are_xb_plus_zu_by_data_row() -> None:
    """asreml's ``fit$linear.predictors``: Xβ̂ + Zû for each row (the identity link of a
    Gaussian fit), computed here from the fit's own coefficients by the design."""
    r = _COEF_DATA + ('lp <- fit$linear.predictors\n'
                      'tv <- coef(fit, pattern = "^t_")\n'
                      'gv <- coef(fit, pattern = "^g_")\n'
                      'mu <- coef(fit, pattern = "Intercept")\n')
    ns = run_r(r, complete=True)
    tv, gv = ns["tv"]["effect"], ns["gv"]["effect"]
    mu = float(ns["mu"]["effect"].iloc[0])
    g = list("abcd") * 3
    t = ["x"] * 4 + ["y"] * 4 + ["z"] * 4
    expect = [mu + tv[f"t_{ti}"] + gv[f"g_{gi}"] for gi, ti in zip(g, t)]
    np.testing.assert_allclose(np.asarray(ns["lp"], dtype=float), expect, rtol=1e-10)


# ----- eval() of a fit's call and of its arguments ----------------------------------------

def test_eval_of_a_changed_call_refits_and_leaves_the_fit_alone() -> None:
    """``?eval``: a language object is evaluated, any other value returned as is. ``cl <-
    fit$call`` is a copy (R copies on modify): changing ``cl$fixed`` leaves ``fit$call``
    as it was; ``eval(cl)`` fits the changed model. Checked against the closed-form REML
    estimates of a balanced one-way layout (y ~ 1, random g, 3 records per g):
    σ²e = MSW, σ²g = (MSB − MSW) / 3."""
    r = _COEF_DATA + ('cl <- fit$call\ncl$fixed <- y ~ 1\nm2 <- eval(cl)\n'
                      'd2 <- eval(fit$call$data)\nfx <- fit$call$fixed\nfive <- eval(5)\n')
    ns = run_r(r, complete=True)
    assert "t" in str(ns["fx"])                     # the fit's own call is unchanged
    assert ns["five"] == 5
    assert list(ns["d2"]["y"]) == list(ns["d"]["y"])
    y = np.array([3.1, 4.2, 2.9, 3.8, 5.0, 6.1, 4.8, 5.7, 4.0, 5.2, 3.9, 4.6])
    g = np.array(list("abcd") * 3)
    means = np.array([y[g == k].mean() for k in "abcd"])
    msw = sum(((y[g == k] - y[g == k].mean()) ** 2).sum() for k in "abcd") / (12 - 4)
    msb = 3 * ((means - y.mean()) ** 2).sum() / (4 - 1)
    vc = ns["m2"].varcomp["component"]
    np.testing.assert_allclose([float(vc.iloc[0]), float(vc.iloc[-1])],
                               [(msb - msw) / 3, msw], rtol=1e-4)


def test_summary_nedf_is_the_residual_degrees_of_freedom() -> None:
    """asreml's ``summary(fit)$nedf`` (as ``fit$nedf``): n − rank(X), here 12 records and
    the intercept plus two contrasts of t: 9; scripts add ``log(2π) nedf`` to asreml's
    log-likelihood to get the full one."""
    r = _COEF_DATA + 'a <- summary(fit)$nedf\nb <- fit$nedf\nk <- log(2*pi)*summary(fit)$nedf\n'
    ns = run_r(r, complete=True)
    assert ns["a"] == 9 and ns["b"] == 9
    assert ns["k"] == pytest.approx(9 * np.log(2 * np.pi))


# ----- asreml(asmv = ) with a residual that correlates no traits -------------------------

def test_asmv_with_an_uncorrelated_residual_fits_the_long_format_model() -> None:
    """Stage-two multi-trait GBLUP on long-format BLUEs: ``asmv = trait`` groups the rows
    of a unit, which only matters when the residual correlates traits; with ``residual =
    ~ units:trait`` and ``family = asr_gaussian(dispersion = 1)`` the residual is
    diag(1/w). Checked against an independent dense-V REML (tests/_dense_reml.py) of
    y = Xβ + Zu + e, u ~ N(0, us(trait) ⊗ I_gen), e ~ N(0, diag(1/w))."""
    from _dense_reml import fit_dense

    rng = np.random.default_rng(7)
    gens = [f"G{i}" for i in range(10)]
    G = np.array([[1.0, 0.6], [0.6, 2.0]])
    u = rng.multivariate_normal([0, 0], G, size=10)
    rows = []
    for gi, g in enumerate(gens):
        for ti, t in enumerate(["yld", "hgt"]):
            w = float(rng.uniform(2, 5))
            rows.append((g, t, [5.0, 9.0][ti] + u[gi, ti] + rng.normal() / np.sqrt(w), w))
    lines = ",\n".join(f'c("{g}", "{t}", "{y:.6f}", "{w:.6f}")' for g, t, y, w in rows)
    r = (f"m <- do.call(rbind, list({lines}))\n"
         'd <- data.frame(gen = m[, 1], trait = m[, 2], blue = as.numeric(m[, 3]),\n'
         '                wt = as.numeric(m[, 4]))\n'
         'fit <- asreml(fixed = blue ~ trait, random = ~ us(trait):gen,\n'
         '              residual = ~ units:trait, family = asr_gaussian(dispersion = 1),\n'
         '              asmv = trait, weights = wt, data = d)\n')
    py = translate(r)
    assert "NOTE(asr_py): asreml(asmv = trait) dropped" in py and "TODO(asr_py): asreml(asmv" \
        not in py
    ns = run_r(r)
    y = np.array([v[2] for v in rows])
    w = np.array([v[3] for v in rows])
    tr = np.array([0 if v[1] == "yld" else 1 for v in rows])
    X = np.column_stack([np.ones(20), tr])
    Z = np.zeros((20, 20))                       # columns: (gen, trait) pairs
    for i, v in enumerate(rows):
        Z[i, gens.index(v[0]) * 2 + tr[i]] = 1.0

    def build(x: np.ndarray) -> np.ndarray | None:
        L = np.array([[x[0], 0.0], [x[1], x[2]]])
        return Z @ np.kron(np.eye(10), L @ L.T) @ Z.T + np.diag(1.0 / w)

    _, best = fit_dense(y, X, build, [np.array([1.0, 0.5, 1.0]), np.array([0.5, 0.0, 1.5])])
    assert float(ns["fit"].loglik) == pytest.approx(best, abs=1e-4)


def test_knitr_root_dir_is_the_working_folder_like_setwd(tmp_path, monkeypatch) -> None:
    """knitr's ``opts_knit$set(root.dir = d)``: the R chunks run with ``d`` as working
    folder (knitr ``?opts_knit``), as after ``setwd(d)``; a path the script spells under
    that folder is the working folder's file (asr_py.translate.rsetwd)."""
    (tmp_path / "t.csv").write_text("a,b\n1,2\n3,4\n")
    monkeypatch.chdir(tmp_path)
    r = ('knitr::opts_knit$set(root.dir = "X:/g2fcompetition2022")\n'
         'd <- read.csv("X:/g2fcompetition2022/t.csv")\nn <- nrow(d)\n')
    ns = run_r(r, complete=True)
    assert ns["n"] == 2

"""Constructs session 24 translates so real scripts no longer stop, checked against R's and
purrr's documented semantics:

* R's ``?Arithmetic``: "If applied to arrays the result will be an array if this is
  sensible"; vectors of different lengths: "the shorter is recycled to the length of the
  longer" and a warning "longer object length is not a multiple of shorter object length"
  when it does not divide it (asremlPlus's test41alldiffs.asr.r:388
  ``na.omit(x) - c(87.68, 106.18, 122.35, 132.52)``).
* purrr's ``?keep``: "keep() selects all elements where .p evaluates to TRUE; discard()
  selects all elements where .p evaluates to FALSE. compact() discards elements where .p
  evaluates to an empty vector"; ``.p`` "a predicate function ... returning a single
  TRUE or FALSE" or "a logical vector of the same length as .x"; the result has ``.x``'s
  type and names (the C_inv proof script of m-hrachov's repository:
  ``vp_names %>% map_chr(tag_component) %>% discard(is.na)``).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate import translate


def _quiet(code: str) -> dict:
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        ns = run_r(code, complete=True)
    ns["_warnings"] = [str(w.message) for w in got]
    return ns


def test_vector_literal_recycled_over_a_longer_vector() -> None:
    # R: x <- c(1, NA, 3, 4, 5, 6, 7, 8); na.omit(x) - c(1, 2) is
    #   1-1, 3-2, 4-1, 5-2, 6-1, 7-2, 8-1 = 0 1 3 3 5 5 7, with R's warning (7 vs 2)
    ns = _quiet("x <- data.frame(a = c(1, NA, 3, 4, 5, 6, 7, 8))\n"
                "y <- na.omit(x$a) - c(1, 2)\n")
    np.testing.assert_array_equal(np.asarray(ns["y"], dtype=float), [0, 1, 3, 3, 5, 5, 7])
    assert any("not a multiple of shorter object length (2)" in w for w in ns["_warnings"])


def test_vector_literal_recycled_evenly_without_warning() -> None:
    # asremlPlus's idiom: abs(na.omit(v) - c(a, b, c, d)) < tol with 8 values: c() used
    # twice over, no warning (8 is a multiple of 4)
    ns = _quiet("v <- c(NA, 10, 20, 30, 40, NA, 50, 60, 70, 80)\n"
                "ok <- all(abs(na.omit(v) - c(10, 20, 30, 40)) < 1e-3)\n"
                "d <- na.omit(v) * c(1, -1)\n"
                "w <- c(1, 2, 3, 4, 5, 6) / c(1, 2, 3)\n")
    assert bool(ns["ok"]) is False          # 50 - 10 is not < 1e-3
    np.testing.assert_array_equal(np.asarray(ns["d"], dtype=float),
                                  [10, -20, 30, -40, 50, -60, 70, -80])
    np.testing.assert_allclose(ns["w"], [1, 1, 1, 4, 2.5, 2])
    assert not [w for w in ns["_warnings"] if "multiple" in w]


def test_vector_literal_with_a_number_is_unchanged() -> None:
    py = translate("y <- c(1, 2, 3) * 2\nz <- 10 - c(1, 2)\n")
    assert "r_op(" not in py
    ns = run_r("y <- c(1, 2, 3) * 2\nz <- 10 - c(1, 2)\n")
    np.testing.assert_array_equal(ns["y"], [2, 4, 6])
    np.testing.assert_array_equal(ns["z"], [9, 8])


def test_discard_is_na_after_map_chr_as_the_c_inv_script() -> None:
    code = ("library(purrr)\n"
            "tag <- function(nm) {\n"
            "  if (nm == 'L') return('G_l')\n"
            "  if (grepl('^mbf', nm)) return('G_g')\n"
            "  NA_character_\n}\n"
            "vp <- c('L', 'mbf(X):G', 'units!R', 'L', 'mbf(X):G')\n"
            "chr <- map_chr(vp, tag)\n"
            "bo <- vp %>% map_chr(tag) %>% discard(is.na) %>% {\\(x) x[!duplicated(x)]}()\n")
    ns = run_r(code, complete=True)
    # R: map_chr keeps NA_character_ as NA (not the text "NA")
    assert pd.isna(ns["chr"][2]) and list(ns["chr"][[0, 1, 3]]) == ["G_l", "G_g", "G_l"]
    assert list(ns["bo"]) == ["G_l", "G_g"]


def test_keep_discard_keep_the_type_and_names() -> None:
    ns = run_r("library(purrr)\n"
               "k <- keep(list(1, 'a', 3), is.numeric)\n"
               "d <- discard(c(u = 1, v = -2, w = 3), ~ .x < 0)\n"
               "n <- keep(list(a = 1:3, b = 1, c = 4:5), function(z) length(z) > 1)\n"
               "lv <- keep(c(5, 6, 7), c(TRUE, FALSE, TRUE))\n"
               "df <- keep(data.frame(x = 1:2, g = c('a', 'b'), y = c(0.5, 2)), is.numeric)\n"
               "cc <- compact(list(a = 1, b = NULL, c = integer(0), d = 'z'))\n",
               complete=True)
    assert ns["k"] == [1, 3]
    assert ns["d"] == {"u": 1, "w": 3}
    assert list(ns["n"]) == ["a", "c"]
    assert list(ns["lv"]) == [5, 7]
    assert list(ns["df"].columns) == ["x", "y"]
    assert ns["cc"] == {"a": 1, "d": "z"}


def test_keep_predicate_must_give_one_logical() -> None:
    # purrr: "`.p()` must return a single `TRUE` or `FALSE`", an NA included
    with pytest.raises(AsrError, match="single TRUE or FALSE, not NA"):
        run_r("library(purrr)\nk <- keep(c(1, 2, 3), function(z) NA)\n")
    with pytest.raises(AsrError, match="logical vector of length 3"):
        run_r("library(purrr)\nk <- keep(c(1, 2, 3), c(TRUE, FALSE))\n")


def test_a_scripts_own_keep_is_not_purrrs() -> None:
    ns = run_r("keep <- function(x, n) x[seq_len(n)]\ny <- keep(c(4, 5, 6), 2)\n")
    assert list(ns["y"]) == [4, 5]


def test_list_subset_by_an_intersect_of_names() -> None:
    # R: blocks[intersect(c("b", "z", "a"), names(blocks))] is list(b = 2, a = 1), in the
    # order intersect() gives (x's order); intersect/union/setdiff give plain vectors
    ns = run_r("blocks <- list(a = 1, b = 2, c = 3)\n"
               "order <- c('b', 'z', 'a')\n"
               "got <- blocks[intersect(order, names(blocks))]\n"
               "u <- union(c('x', 'y'), c('y', 'w'))\n", complete=True)
    assert ns["got"] == {"b": 2, "a": 1}
    assert isinstance(ns["u"], np.ndarray) and list(ns["u"]) == ["x", "y", "w"]


def test_list_subset_by_sapply_mask_keeps_names() -> None:
    # R: l <- list(a = 1, b = NULL, c = 3); l[!sapply(l, is.null)] is list(a = 1, c = 3)
    ns = run_r("l <- list(a = 1, b = NULL, c = 3)\nl <- l[!sapply(l, is.null)]\n"
               "v <- c(4, 5, 6)\nw <- v[sapply(v, function(z) z > 4)]\n", complete=True)
    assert ns["l"] == {"a": 1, "c": 3}
    assert list(ns["w"]) == [5, 6]


_NO_A_MARGIN = ("d <- data.frame(A = factor(c(1, 1, 1, 1, 2, 2, 2, 2)),\n"
                "                B = factor(c(1, 1, 2, 2, 2, 2, 3, 3)),\n"
                "                y = c(3, 4, 6, 5, 7, 6, 4, 5))\n"
                "m <- asreml(y ~ A*B, data = d)\n")


def test_predict_sed_is_null_when_nothing_is_estimable() -> None:
    # cells A1:B3 and A2:B1 are empty, so neither A margin (the mean over B1..B3) is
    # estimable: asreml 4 leaves sed out of predict()'s list (asremlPlus's
    # test41/42PredictionsPresentation.r expect predictPlus's "predict.asreml has not
    # returned the sed component"); the A:B cells are estimable and keep their SEDs
    ns = run_r(_NO_A_MARGIN + "p <- predict(m, classify = 'A', sed = TRUE)\n"
               "none <- is.null(p$sed)\n"
               "q <- predict(m, classify = 'A:B', sed = TRUE)\n"
               "some <- is.null(q$sed)\nsq <- q$sed\n", complete=True)
    assert list(ns["p"]["status"]) == ["Aliased", "Aliased"]
    assert ns["none"] is True and ns["some"] is False
    # the estimable cells A1:B1 (3, 4), A1:B2 (6, 5): SED = sigma sqrt(1/2 + 1/2), sigma^2
    # the residual mean square of the cell means model (4 cells, 8 records: 4 df)
    y = {"11": [3, 4], "12": [6, 5], "22": [7, 6], "23": [4, 5]}
    s2 = sum(float(np.sum((np.array(v) - np.mean(v)) ** 2)) for v in y.values()) / 4
    sq = np.asarray(ns["sq"], dtype=float)
    finite = sq[np.isfinite(sq) & (sq > 0)]
    np.testing.assert_allclose(finite, np.sqrt(s2), rtol=1e-6)


def _grid() -> pd.DataFrame:
    rng = np.random.default_rng(24)
    d = pd.DataFrame({"Row": np.repeat(np.arange(1, 9), 6).astype(str),
                      "Col": np.tile(np.arange(1, 7), 8).astype(str),
                      "g": rng.integers(1, 6, 48).astype(str)})
    d["y"] = rng.normal(size=48) + d["g"].astype(int) * 0.3
    return d


def test_gamma_par_puts_sigma2_and_vparameters_on_the_gamma_scale() -> None:
    # asreml's gamma parameterisation (asreml.options(gammaPar = TRUE)): the residual
    # variance is the scale sigma2 and every variance is a ratio gamma = sigma2_i / sigma2
    # (nadiv's varTrans: components = gammas * sigma2); the fit itself is the same
    code = ("asreml.options(gammaPar = TRUE)\n"
            "m <- asreml(y ~ 1, random = ~ g, residual = ~ ar1v(Row):id(Col), data = d)\n"
            "s2 <- m$sigma2\nvp <- m$vparameters\nvc <- summary(m)$varcomp\n"
            "m0 <- asreml(y ~ 1, random = ~ g, residual = ~ ar1v(Row):id(Col), data = d,\n"
            "             gammaPar = FALSE)\n"
            "s20 <- m0$sigma2\nvp0 <- m0$vparameters\nll <- c(m$loglik, m0$loglik)\n")
    py = translate(code)
    assert "# TODO(asr_py)" not in py
    ns = run_r(code, complete=True, d=_grid())
    comp = ns["vc"]["component"]
    assert ns["s2"] == pytest.approx(comp["Row:Col!Row!var"], rel=1e-12)
    assert ns["vp"]["g"] == pytest.approx(comp["g"] / comp["Row:Col!Row!var"], rel=1e-12)
    assert ns["vp"]["Row:Col!Row!var"] == pytest.approx(1.0)
    assert ns["vp"]["Row:Col!Row!cor"] == pytest.approx(comp["Row:Col!Row!cor"], rel=1e-12)
    # gammaPar = FALSE: asr_py's (and asreml's) sigma parameterisation, sigma2 = 1
    assert ns["s20"] == 1.0
    assert ns["vp0"]["g"] == pytest.approx(comp["g"], rel=1e-12)
    assert ns["ll"][0] == pytest.approx(ns["ll"][1], abs=1e-9)


def test_gamma_par_leaves_a_units_residual_as_it_is() -> None:
    # residual ~ units already has sigma2 = its variance: gammaPar changes nothing
    code = ("m <- asreml(y ~ 1, random = ~ g, data = d, gammaPar = TRUE)\n"
            "m0 <- asreml(y ~ 1, random = ~ g, data = d)\n"
            "same <- c(m$sigma2 - m0$sigma2, m$vparameters - m0$vparameters)\n")
    ns = run_r(code, complete=True, d=_grid())
    np.testing.assert_allclose(np.asarray(ns["same"], dtype=float), 0.0, atol=1e-12)


def test_gamma_par_keeps_each_todo_once() -> None:
    py = translate("asreml.options(gammaPar = TRUE)\n"
                   "m <- asreml(y ~ 1, random = ~ g, data = d, workspace = 2e8)\n")
    assert py.count("asreml(workspace = 2e8) dropped") == 1
    assert "r_with_gamma_par(" in py

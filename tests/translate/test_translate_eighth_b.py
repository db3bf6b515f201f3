"""R constructs met in the eighth pass's held-out agronomy/MET scripts (c14newB): R's
replacement ``x[i] <- v`` (vectors grown from NULL, masks, matrix triangles, data-frame
cells), ``names(x[...]) <- v``, ``paste(..., collapse =)`` of several arguments,
``formula("...")``, ``pkg::dataset`` values and ``v[i]`` of one position. Expected values
are R's documented semantics (R Language Definition, "Subset assignment"; ?Extract,
?lower.tri, ?paste), written out by hand in each test."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.rassign import r_sub_assign


def _r(code: str, **env) -> dict:
    py = translate(code)
    assert "# TODO(asr_py)" not in py, py
    return run_py(py, **env)


def test_vector_grown_from_null_by_position() -> None:
    # R: x <- NULL; x[3] <- 5 gives c(NA, NA, 5); a loop fills x[i] one by one
    ns = _r("x <- NULL\nx[3] <- 5\ny <- NULL\nfor (i in 1:4) y[i] <- i^2\n")
    x = ns["x"]
    assert len(x) == 3 and math.isnan(x[0]) and math.isnan(x[1]) and x[2] == 5
    assert list(ns["y"]) == [1, 4, 9, 16]


def test_negative_positions_and_recycled_mask() -> None:
    ns = _r("x <- c(1, 2, 3)\nx[-1] <- 0\ny <- c(1, 2, 3, 4)\ny[c(TRUE, FALSE)] <- 9\n")
    assert list(ns["x"]) == [1, 0, 0]
    assert list(ns["y"]) == [9, 2, 9, 4]           # the mask is recycled


def test_names_assigned_into_empty_vector() -> None:
    ns = _r('v <- c()\nv["a"] <- 1\nv["b"] <- 2\nv["a"] <- 3\n')
    assert ns["v"] == {"a": 3, "b": 2}


def test_matrix_triangles_filled_by_column() -> None:
    # R fills m[lower.tri(m)] in column-major order: m[2,1], m[3,1], m[3,2]
    ns = _r("m <- matrix(0, 3, 3)\nm[lower.tri(m)] <- c(1, 2, 3)\n"
            "u <- matrix(0, 2, 2)\nu[upper.tri(u, diag = TRUE)] <- 7\n")
    np.testing.assert_array_equal(np.asarray(ns["m"]),
                                  [[0, 0, 0], [1, 0, 0], [2, 3, 0]])
    np.testing.assert_array_equal(np.asarray(ns["u"]), [[7, 7], [0, 7]])


def test_data_frame_cells_by_mask_and_columns_by_position() -> None:
    ns = _r("d <- data.frame(a = c(1, NA), b = c(NA, 2))\nd[is.na(d)] <- 0\n"
            "e <- data.frame(a = 1:2, b = 3:4)\ne[2] <- 10\n")
    assert ns["d"].to_numpy().tolist() == [[1, 0], [0, 2]]
    assert list(ns["e"]["b"]) == [10, 10] and list(ns["e"]["a"]) == [1, 2]


def test_names_of_a_subset_written_back_by_position() -> None:
    # R: names(d[, 2:3]) <- v is d[, 2:3] <- `names<-`(d[, 2:3], v); `[<-.data.frame`
    # puts the columns back by position, so d keeps its names (AAfun's asreml.batch)
    ns = _r('d <- data.frame(a = 1:2, b = 3:4, c = 5:6)\nnames(d[, 2:3]) <- c("p", "q")\n'
            'l <- list(x = c(1, 2))\nnames(l$x) <- c("u", "w")\n')
    assert list(ns["d"].columns) == ["a", "b", "c"]
    assert ns["d"].to_numpy().tolist() == [[1, 3, 5], [2, 4, 6]]
    assert list(pd.Series(ns["l"]["x"]).index) == ["u", "w"]


def test_paste_collapse_of_several_arguments() -> None:
    ns = _r('a <- paste0("at(Env):", c("Name", "Block"), collapse = " + ")\n'
            'sp <- "|"\nb <- paste("g", c(1, 2), sep = "_", collapse = sp)\n')
    assert ns["a"] == "at(Env):Name + at(Env):Block"
    assert ns["b"] == "g_1|g_2"


def test_formula_of_a_string_fits_as_the_literal(workdir: Path) -> None:
    code = ('dat <- read.csv("DT.csv")\ndat$Name <- factor(dat$Name)\n'
            'dat$Env <- factor(dat$Env)\n'
            'f <- formula(paste0("~ ", paste0(c("Name", "Env:Name"), collapse = " + ")))\n'
            'm1 <- asreml(Yield ~ Env, random = f, data = dat)\n'
            'm2 <- asreml(Yield ~ Env, random = ~ Name + Env:Name, data = dat)\n')
    ns = _r(code)
    assert ns["m1"].loglik == pytest.approx(ns["m2"].loglik, abs=1e-8)


def test_package_dataset_reads_the_data_set(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    py = translate("d <- agridat::john.alpha\nn <- nrow(d)\nw <- lapply(1, asreml::wald)\n")
    assert "r_data('john.alpha')" in py
    assert "john_alpha" not in py                 # never a bare, undefined name
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AsrError, match="john.alpha"):
        run_py(py.split("w = ")[0])
    pd.DataFrame({"yield": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "john.alpha.csv", index=False)
    assert run_py(py.split("w = ")[0])["n"] == 3


def test_one_position_of_a_vector_is_a_value(workdir: Path) -> None:
    ns = _r('dat <- read.csv("DT.csv")\nenvs <- unique(dat$Env)\n'
            'sub <- dat[dat$Env == envs[2], ]\ns <- c("a", "b")[2]\n')
    assert ns["s"] == "b"
    assert len(ns["sub"]) > 0 and (ns["sub"]["Env"] == ns["envs"][1]).all()


def test_r_sub_assign_errors_say_what_and_where() -> None:
    with pytest.raises(AsrError, match="replacement has length zero"):
        r_sub_assign([1, 2], 1, [])
    with pytest.raises(AsrError, match="positive and negative"):
        r_sub_assign([1, 2, 3], [1, -2], 0)
    with pytest.raises(AsrError, match="no names"):
        r_sub_assign([1, 2], "a", 0)
    with pytest.raises(AsrError, match="beyond the matrix"):
        r_sub_assign(np.zeros((2, 2)), 5, 1.0)
    with pytest.raises(AsrError, match="mask is 1 x 2"):
        r_sub_assign(pd.DataFrame({"a": [1, 2]}), np.array([[True, False]]), 0)


def test_vector_modes_and_filling() -> None:
    # R: vector() is logical(0); v[2] <- TRUE gives c(NA, TRUE); vector("list", 2) two NULLs
    ns = _r('v <- vector()\nv[2] <- TRUE\nl <- vector(mode = "list", length = 2)\n'
            'n <- vector("numeric", 3)\nh <- g <- vector()\nh[1] <- "a"\n')
    assert math.isnan(ns["v"][0]) and ns["v"][1] is True
    assert ns["l"] == [None, None]
    assert ns["n"] == [0.0, 0.0, 0.0]
    assert ns["h"] == ["a"] and ns["g"] == []
    with pytest.raises(AsrError, match="mode"):
        run_py(translate('x <- vector("numerc", 2)\n'))


def test_negative_positions_in_c_and_lookup_by_column() -> None:
    # R: ff[c(-1, -nf)] drops the first and last; g[d$k] looks each row's key up by name
    ns = _r('ff <- c("a", "b", "c", "d")\nnf <- length(ff)\nffa <- ff[c(-1, -nf)]\n'
            'g <- c(a = 1, b = 2)\nd <- data.frame(k = c("b", "a", "b"))\nd$g <- g[d$k]\n')
    assert list(ns["ffa"]) == ["b", "c"]
    assert list(ns["d"]["g"]) == [2, 1, 2]


def test_printing_options_need_no_todo_model_options_keep_one() -> None:
    py = translate('asreml.options(trace = FALSE, colourise = FALSE)\n'
                   'asreml.options(aodev = TRUE, trace = FALSE)\n')
    assert "trace" not in "".join(ln for ln in py.splitlines() if "TODO(asr_py):" in ln)
    assert "# TODO(asr_py): asreml.options(aodev = TRUE) is not translated" in py


def test_which_complete_cases_cor_stopifnot() -> None:
    # R: which() gives 1-based positions (NA is not TRUE; names kept); complete.cases()
    # keeps rows 1 and 4; cor(use = "complete.obs") uses those pairs: a = (1, 3, 4) and
    # c = (1, 3, 5) give pearson sxy / sqrt(sxx syy) with sxy = 6, sxx = 14/3, syy = 8
    # (0.98198) and spearman 1; the default use = "everything" gives NA
    ns = _r('x <- c(1, 5, 3)\ni <- which(x > 2)\n'
            'd <- data.frame(a = c(1, NA, 3, 4), b = c(2, 3, NA, 5), c = c(1, 2, 3, 5))\n'
            'j <- which(d$a > 2)\nk <- which(c(a = TRUE, b = FALSE, c = TRUE))\n'
            'd2 <- d[complete.cases(d), ]\n'
            'r1 <- cor(d$a, d$c, use = "complete.obs")\n'
            'r2 <- cor(d$a, d$c, use = "complete.obs", method = "spearman")\n'
            'r3 <- cor(d$a, d$c, use = "everything")\nstopifnot(nrow(d) == 4)\n')
    assert list(ns["i"]) == [2, 3] and list(ns["j"]) == [3, 4]
    assert dict(ns["k"]) == {"a": 1, "c": 3}
    assert list(ns["d2"].index) == [0, 3]
    assert ns["r1"] == pytest.approx(6 / math.sqrt(14 / 3 * 8))
    assert ns["r2"] == pytest.approx(1.0)
    assert math.isnan(ns["r3"])
    with pytest.raises(AsrError, match="condition 1 is not all TRUE"):
        run_py(translate("d <- data.frame(a = 1:2)\nstopifnot(nrow(d) == 3)\n"))
    with pytest.raises(AsrError, match="not logical"):
        run_py(translate('w <- which(c("a", "b"))\n'))


def test_t_and_f_assigned_in_a_function_are_its_variables() -> None:
    # R: T is a variable once assigned (AaronRendahl's covarTOcorr_matrix: T <- diag(n);
    # T[upper.tri(T, diag = TRUE)] <- v); outside that function T is still TRUE
    ns = _r("f <- function(n) {\n  T <- diag(n)\n  T[upper.tri(T, diag = TRUE)] <- 5\n  T\n}\n"
            "m <- f(2)\nx <- c(T, F)\n")
    np.testing.assert_array_equal(np.asarray(ns["m"]), [[5, 5], [0, 5]])
    assert ns["x"] == [True, False]

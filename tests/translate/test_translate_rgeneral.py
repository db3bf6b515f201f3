"""General R semantics of translated scripts, checked against values recorded from R 4.2
(tests/translate/data/rgeneral_reference.R -> rgeneral_reference.json): factor() keeps NA
missing, a function's last if/else and switch() are its value, setNames(), do.call(rbind)
of a list matrix, ``d[cols] <- lapply(d[cols], factor)``, one-row data.frame()."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

import asr_py as asr
from asr_py import translate
from asr_py.errors import AsrError

REF = json.loads((Path(__file__).parent / "data" / "rgeneral_reference.json").read_text())


def _chars(v) -> list:
    return [None if (x is None or (isinstance(x, float) and np.isnan(x))) else x
            for x in list(v)]


def test_factor_keeps_missing_values_missing() -> None:
    ns = run_py(translate('x <- c(1, 2, NA, 10)\nf <- factor(x)\ns <- c("b", NA, "a")\n'
                          'g <- as.factor(s)\nh <- as.character(c(28, 0.1, 1.5, NA))\n'))
    assert _chars(ns["f"]) == REF["factor_chars"]       # never the label "nan" or "10.0"
    assert int(pd.isna(ns["f"]).sum()) == REF["factor_na"]
    assert _chars(ns["g"]) == REF["char_factor"]
    assert _chars(ns["h"]) == REF["as_char_num"]


def test_factor_levels_follow_r_order() -> None:
    from asr_py.model.data import level_labels
    ns = run_py(translate('x <- c(1, 2, NA, 10)\nf <- factor(x)\n'))
    assert list(level_labels(pd.Series(ns["f"]))) == REF["factor_levels"]


def test_factor_with_na_omits_the_record_in_the_fit() -> None:
    # the whole chain: a translated factor() with missing values, then asreml with
    # na.method(x = "omit") omits those records and fits what the reduced data give
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"y": rng.normal(size=24), "b": np.tile([1.0, 2.0, 3.0], 8),
                      "g": np.repeat([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 4)})
    d.loc[[5, 9, 14], "g"] = np.nan
    ns = run_py(translate("d$bf <- factor(d$b)\nd$gf <- factor(d$g)\n"
                          "m <- asreml(y ~ bf, random = ~ gf, data = d,\n"
                          '            na.action = na.method(x = "omit"))\n'), d=d.copy())
    m = ns["m"]
    lab = {1.0: "1", 2.0: "2", 3.0: "3", 4.0: "4", 5.0: "5", 6.0: "6"}
    kept = d.drop(index=[5, 9, 14]).assign(bf=lambda t: t["b"].map(lab),
                                           gf=lambda t: t["g"].map(lab))
    ref = asr.asreml("y ~ bf", random="~ gf", data=kept)
    assert m.loglik == pytest.approx(ref.loglik, rel=1e-8)
    # R's labels ("4", not pandas' "4.0"; never "nan", which pandas 2's astype(str) gave)
    assert sorted(set(ns["d"]["gf"].dropna())) == ["1", "2", "3", "4", "5", "6"]
    assert int(ns["d"]["gf"].isna().sum()) == 3


def test_if_else_is_a_functions_last_value() -> None:
    ns = run_py(translate('fn <- function(x) {\n  if (x > 1) {\n    "big"\n  } else if (x > 0) '
                          '"mid" else {\n    "small"\n  }\n}\nr <- c(fn(2), fn(0.5), fn(-1))\n'
                          'g <- function(x) {\n  if (x > 1) "yes"\n}\nn <- g(0)\n'))
    assert list(ns["r"]) == REF["if_last"]
    assert (ns["n"] is None) == REF["if_no_else_null"]


def test_switch_by_name_fall_through_default_and_position() -> None:
    ns = run_py(translate('sw <- function(v) switch(v, a = 1, b = , c = 3, 99)\n'
                          'r <- c(sw("a"), sw("b"), sw("c"), sw("z"))\n'
                          'p <- switch(2, "x", "y", "z")\nq <- switch("q", a = 1)\n'))
    assert list(ns["r"]) == REF["switch_text"]
    assert ns["p"] == REF["switch_num"]
    assert (ns["q"] is None) == REF["switch_null"]


def test_setnames() -> None:
    ns = run_py(translate('nm <- setNames(c(10, 20), c("p", "q"))\nk <- names(nm)\n'
                          'v <- nm[["q"]]\ns <- names(setNames(nm = c("u", "v")))\n'
                          'tot <- 0\nfor (n in names(nm)) tot <- tot + nm[[n]]\n'))
    assert list(ns["k"]) == REF["setnames_names"]
    assert ns["v"] == REF["setnames_q"]
    assert list(ns["s"]) == REF["setnames_self"]
    assert ns["tot"] == 30


def test_do_call_rbind_of_a_list_matrix_and_of_vectors() -> None:
    ns = run_py(translate(
        'L <- matrix(data = list(), nrow = 2, ncol = 1, dimnames = list(c("e1", "e2"), "B"))\n'
        'L[["e1", "B"]] <- data.frame(x = 1:2, loc = "e1")\n'
        'L[["e2", "B"]] <- data.frame(x = 3:4, loc = "e2")\n'
        'r <- do.call(rbind, L)\nv <- do.call(rbind, list(c(1, 2), c(3, 4)))\n'
        'n <- nrow(rbind(NULL, data.frame(a = 1), NULL))\n'
        'b <- rbind(data.frame(p = 1, q = 2), data.frame(q = 4, p = 3))\n'))
    assert list(ns["r"]["x"]) == REF["rbind_listmatrix_x"]
    assert list(ns["r"]["loc"]) == REF["rbind_listmatrix_loc"]
    assert list(np.asarray(ns["v"]).ravel()) == REF["rbind_vectors"]
    assert ns["n"] == REF["rbind_null_dropped"]
    assert list(ns["b"].iloc[1]) == REF["rbind_by_name"]      # columns matched by name


def test_lapply_over_columns_converts_them() -> None:
    d = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": ["u", "v", None], "y": [0.5, 1.5, 2.5]})
    before = d.copy()
    ns = run_py(translate('d[c("a", "b")] <- lapply(d[c("a", "b")], factor)\n'
                          'e <- d\ne[, c("y")] <- lapply(e[, c("y")], as.character)\n'), d=d)
    assert _chars(ns["d"]["a"]) == REF["lapply_a"]
    assert int(ns["d"]["b"].isna().sum()) == REF["lapply_b_na"]
    assert ns["d"]["y"].dtype == float                      # untouched, as in R
    assert list(ns["e"]["y"]) == ["0.5", "1.5", "2.5"]
    pd.testing.assert_frame_equal(d, before)                # the caller's frame is not mutated


def test_one_row_data_frame() -> None:
    ns = run_py(translate('d <- data.frame(a = 1, b = "x")\nn <- nrow(d)\n'))
    assert ns["n"] == REF["one_row"]


def test_lfs_pointer_is_named(tmp_path: Path) -> None:
    p = tmp_path / "big.RData"
    p.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n")
    code = translate(f'load("{p}")\n')
    with pytest.raises(AsrError, match="Git LFS pointer"):
        run_py(code)


def test_cut_intervals_labels_and_levels() -> None:
    ns = run_py(translate(
        'xc <- c(1, 5, 7.5, 12, 30, NA, 0)\na <- cut(xc, breaks = c(0, 5, 10, 15, 30))\n'
        'la <- levels(a)\nb <- cut(xc, c(0, 10, 30), right = FALSE)\nc <- cut(xc, 3)\n'
        'd <- cut(xc, c(0, 5, 30), include.lowest = TRUE, labels = c("lo", "hi"))\n'
        'e <- cut(c(0.12345, 0.12346, 0.2), c(0.12344, 0.123455, 0.3))\n'
        'lf <- levels(factor(c(10, 2, 1, NA)))\n'))
    for k in "abcde":
        assert _chars(ns[k].astype(object)) == REF[f"cut_{k}"], k
    assert list(ns["la"]) == REF["cut_a_levels"]       # interval order, not text order
    assert list(ns["lf"]) == REF["factor_num_levels"]


def test_a_cut_factor_in_a_fit_uses_its_intervals() -> None:
    # the chain: cut() -> a factor asr.asreml fits; its levels are the R intervals and
    # the record outside every interval (NA) is omitted by na.method(x = "omit")
    rng = np.random.default_rng(11)
    d = pd.DataFrame({"age": np.r_[np.linspace(0.5, 29, 30), [40.0]],
                      "y": rng.normal(size=31)})
    ns = run_py(translate("d$agecat <- cut(d$age, breaks = c(0, 5, 10, 15, 30))\n"
                          "m <- asreml(y ~ agecat, data = d,\n"
                          "            na.action = na.method(x = 'omit'))\n"), d=d.copy())
    kept = d.iloc[:30].assign(agecat=pd.cut(d["age"].iloc[:30], [0, 5, 10, 15, 30]).astype(str))
    ref = asr.asreml("y ~ agecat", data=kept)
    assert ns["m"].loglik == pytest.approx(ref.loglik, rel=1e-10)
    assert int(ns["d"]["agecat"].isna().sum()) == 1


def test_aod_wald_test_closed_form() -> None:
    # aod::wald.test (not installable here): chi2 = (L b)' (L Sigma L')^-1 (L b) on nrow(L)
    # df; with Terms = 2:3 and Sigma = diag(c(1, 4, 0.25)) that is 2^2/4 + 0.5^2/0.25 = 2
    code = translate('library(aod)\n'
                     'w <- aod::wald.test(b = c(1, 2, 0.5), Sigma = diag(c(1, 4, 0.25)), '
                     'Terms = 2:3)$result$chi2\n'
                     'v <- wald.test(diag(2), c(3, 1), L = matrix(c(1, -1), nrow = 1), '
                     'df = 10)$result\n')
    ns = run_py(code)
    w = ns["w"]
    assert w["chi2"] == pytest.approx(2.0) and w["df"] == 2
    assert w["P"] == pytest.approx(np.exp(-1.0))         # chi2(2) survival: exp(-x/2)
    # L = (1, -1): (3 - 1)^2 / (1 + 1) = 2 on 1 df; F = 2 on (1, 10)
    v = ns["v"]
    assert v["chi2"]["chi2"] == pytest.approx(2.0) and v["chi2"]["df"] == 1
    from scipy import stats
    assert v["Ftest"]["P"] == pytest.approx(stats.f.sf(2.0, 1, 10))


def _nan_list(v) -> list:
    return [None if x is None or (isinstance(x, float) and np.isnan(x)) else
            pytest.approx(x) for x in list(v)]


def test_tapply_apply_which_max() -> None:
    ns = run_py(translate(
        'ty <- c(3, 1, NA, 4, 10, 6)\ntg <- c("b", "a", "a", "b", "10", "a")\n'
        'tp <- tapply(ty, tg, mean, na.rm = TRUE)\nnm <- names(tp)\ns <- tapply(ty, tg, sd)\n'
        'am <- data.frame(p = c(1, 5, NA), q = c(2, 2, 9))\n'
        'ac <- apply(am, 2, max, na.rm = TRUE)\nar <- apply(as.matrix(am), 1, sum)\n'
        'wx <- which.max(c(2, NA, 7, 7, 1))\nwn <- which.min(c(2, NA, 7, 7, 1))\n'))
    assert list(ns["nm"]) == REF["tapply_names"]
    assert list(ns["tp"]) == pytest.approx(REF["tapply_values"])
    assert _nan_list(ns["s"]) == _nan_list(REF["tapply_sd"])
    assert list(ns["ac"]) == pytest.approx(REF["apply_cols"])
    assert _nan_list(ns["ar"]) == _nan_list(REF["apply_rows"])
    assert (ns["wx"], ns["wn"]) == (REF["which_max"], REF["which_min"])


def test_data_frame_recycles_and_rows_pick_by_position() -> None:
    ns = run_py(translate(
        'ty <- c(3, 1, NA, 4, 10, 6)\nn <- nrow(data.frame(a = c(1, 2, 3, 4), b = "x", '
        'k = length(ty)))\n'
        'sd2 <- data.frame(g = c("a", "b", "c", "d"), v = c(2, 9, 9, 1), w = c(1, 2, 3, 4))\n'
        'o <- sd2[order(-sd2$v, sd2$w), "g"]\np <- sd2[which.max(sd2$v), "g"]\n'
        'res <- NULL\nfor (k in 1:2) res <- rbind(res, data.frame(k = k, sq = k^2))\n'))
    assert ns["n"] == REF["df_recycle"]
    assert list(ns["o"]) == REF["order_neg"]
    assert ns["p"] == REF["pick"]
    assert list(ns["res"]["sq"]) == [1, 4]


def test_sapply_over_a_named_list_of_fits() -> None:
    # R's sapply(fits, function(f) f$loglik) visits the list's values (the fits), not
    # its names; f is used as a fit inside the inline function
    d = pd.DataFrame({"y": np.random.default_rng(5).normal(size=20),
                      "g": np.repeat(list("abcde"), 4)})
    ns = run_py(translate('fits <- list()\nfits[["a"]] <- asreml(y ~ 1, random = ~ g, '
                          'data = d)\nfits[["b"]] <- asreml(y ~ 1, data = d)\n'
                          'll <- sapply(fits, function(f) f$loglik)\n'
                          'mx <- sapply(list(c(1, 5), c(2, 3)), max)\n'), d=d)
    assert len(ns["ll"]) == 2
    assert list(ns["ll"].index) == ["a", "b"]       # R: a named vector (the list's names)
    assert ns["ll"].iloc[0] != ns["ll"].iloc[1]
    assert list(ns["mx"]) == [5, 3]


def test_write_csv_row_names(tmp_path: Path) -> None:
    # R: write.csv(d, f, row.names = FALSE) writes no row-name column; by default it does
    f1, f2 = tmp_path / "a.csv", tmp_path / "b.csv"
    run_py(translate(f'd <- data.frame(x = c(1, 2))\nwrite.csv(d, "{f1}", row.names = FALSE)\n'
                     f'write.csv(d, "{f2}")\n'))
    assert f1.read_text().splitlines()[0] == '"x"' or f1.read_text().splitlines()[0] == "x"
    assert len(f2.read_text().splitlines()[0].split(",")) == 2


def test_cat_separates_with_spaces_and_adds_no_newline(capsys) -> None:
    # R 4.2: cat("a", "b\n"); cat("x =", 3, "\n", sep = "") prints "a b\nx =3\n";
    # cat("v:", c(0.79576712, 2), 1/3, TRUE, "\n") prints "v: 0.7957671 2 0.3333333 TRUE \n"
    run_py(translate('x <- 3\ncat("a", "b\\n")\ncat("x =", x, "\\n", sep = "")\n'
                     'v <- c(0.79576712, 2)\ncat("v:", v, 1/3, TRUE, "\\n")\n'))
    assert capsys.readouterr().out == "a b\nx =3\nv: 0.7957671 2 0.3333333 TRUE \n"


def test_seq_interaction_and_renaming_by_position() -> None:
    ns = run_py(translate(
        's1 <- seq(1, 10, by = 2)\ns2 <- seq(0, 1, length.out = 5)\ns3 <- seq(10, 1, by = -3)\n'
        'ia <- interaction(c("b", "a", NA), c("y", "x", "x"))\nil <- levels(ia)\n'
        'nd <- data.frame(a = c(1, 2), b = c(3, 4), c = c(5, 6))\ncolnames(nd)[2] <- "B"\n'
        'names(nd)[c(1, 3)] <- c("A", "C")\nstr(nd)\n'))
    assert ns["s1"] == REF["seq_by"]
    assert ns["s2"] == pytest.approx(REF["seq_len_out"])
    assert ns["s3"] == REF["seq_down"]
    assert _chars(ns["ia"].astype(object)) == REF["interaction_values"]
    assert list(ns["il"]) == REF["interaction_levels"]      # first factor varying fastest
    assert list(ns["nd"].columns) == REF["renamed"]


def test_seq_with_a_wrong_sign_is_a_clear_error() -> None:
    with pytest.raises(AsrError, match="wrong sign"):
        run_py(translate("s <- seq(1, 10, by = -2)\n"))


def test_source_runs_the_translated_file(tmp_path: Path, monkeypatch) -> None:
    # R's source("funs.R") defines its functions and variables in the script; a call of a
    # function it does not define is a placeholder (not a NameError, not a silent value)
    (tmp_path / "funs.R").write_text("k <- 10\ndouble_it <- function(x) {\n  y <- x * 2\n"
                                     "  y\n}\n")
    monkeypatch.chdir(tmp_path)
    code = translate('source("funs.R")\ny <- double_it(k)\nz <- not_there(1)\n'
                     'save.image("all.RData")\n')
    ns = run_py(code)
    assert ns["y"] == 20
    from asr_py.translate.checks import Untranslated
    assert isinstance(ns["z"], Untranslated)
    with pytest.raises(AsrError, match="no file"):
        run_py(translate('source("missing.R")\n'))


def test_rownames_to_column() -> None:
    ns = run_py(translate('d <- data.frame(v = c(1, 2))\nrownames(d) <- c("g1", "g2")\n'
                          'e <- rownames_to_column(d, var = "Gen")\nf <- column_to_rownames(e, '
                          '"Gen")\n'))
    assert list(ns["e"].columns) == ["Gen", "v"] and list(ns["e"]["Gen"]) == ["g1", "g2"]
    assert list(ns["f"].index) == ["g1", "g2"]


def test_vectors_compare_element_by_element() -> None:
    # R: c(1, 2) == 1 is TRUE FALSE; names(d)[names(d) == "a"] <- "A" renames column a;
    # sum(names(d) %in% "b") is 1
    ns = run_py(translate('d <- data.frame(a = c(1, 2), b = c(3, 4))\nx <- c(1, 2) == 1\n'
                          'names(d)[names(d) == "a"] <- "A"\nk <- sum(names(d) %in% c("b"))\n'))
    assert list(ns["x"]) == [True, False]
    assert list(ns["d"].columns) == ["A", "b"]
    assert ns["k"] == 1

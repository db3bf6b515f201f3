"""c15misc: constructs of the curated corpus scripts that stopped (session 13): rows kept
by a mask built from ``x[, j]``, a row subscript in a variable, rowSums()/colSums()/
rowMeans()/colMeans()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import dt, run_r

from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.rmargins import r_colMeans, r_colSums, r_rowMeans, r_rowSums


def test_mask_from_column_keeps_row_names() -> None:
    # R: x[!is.na(x[, 2]), ] keeps the rows whose 2nd column is not NA, with their names
    x = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [np.nan, 5.0, 6.0]}, index=["p", "q", "r"])
    ns = run_r("out <- x[!is.na(x[, 2]), ]", complete=True, x=x)
    assert list(ns["out"].index) == ["q", "r"]
    assert ns["out"]["a"].tolist() == [2.0, 3.0]


def test_row_subscript_in_a_variable_is_positions() -> None:
    # R: m[use, ] with use = c(1, 3) is rows 1 and 3 (1-based), of a matrix and a frame
    m = np.arange(1.0, 10.0).reshape(3, 3)
    d = pd.DataFrame(m, columns=["u", "v", "w"])
    ns = run_r("use <- c(1, 3)\na <- m[use, ]\nb <- d[use, ]", complete=True, m=m, d=d)
    np.testing.assert_array_equal(ns["a"], m[[0, 2]])
    assert ns["b"]["u"].tolist() == [1.0, 7.0]


def test_margins_matrix_and_frame() -> None:
    m = np.array([[1.0, 2.0, np.nan], [4.0, 5.0, 6.0]])
    np.testing.assert_allclose(r_rowSums(m, na_rm=True), [3.0, 15.0])
    np.testing.assert_allclose(r_colSums(m), [5.0, 7.0, np.nan])
    np.testing.assert_allclose(r_rowMeans(m, na_rm=True), [1.5, 5.0])
    np.testing.assert_allclose(r_colMeans(m, na_rm=True), [2.5, 3.5, 6.0])
    d = pd.DataFrame(m, columns=["x", "y", "z"], index=["r1", "r2"])
    cs = r_colSums(d, na_rm=True)
    assert list(cs.index) == ["x", "y", "z"] and cs.tolist() == [5.0, 7.0, 6.0]
    assert list(r_rowMeans(d).index) == ["r1", "r2"]


def test_margins_refuse_text_and_vectors() -> None:
    with pytest.raises(AsrError, match="must be numeric.*'g'"):
        r_rowSums(pd.DataFrame({"g": ["a", "b"], "y": [1.0, 2.0]}))
    with pytest.raises(AsrError, match="dimension"):
        r_colSums(np.array([1.0, 2.0]))
    with pytest.raises(AsrError, match="dims"):
        r_colSums(np.ones((2, 2)), dims=2)


def test_margins_translate_and_run(workdir) -> None:
    r = ('d <- read.csv("DT.csv")\n'
         'k <- c(1, 2)\n'
         'm <- matrix(c(1, 0, 3, 0, 5, 0), 3)\n'
         'keep <- k[rowSums(m[k, ]) != 0]\n'
         'cm <- colMeans(d[, c("Yield", "Year")], na.rm = TRUE)\n')
    py = translate(r)
    assert "r_rowSums(" in py and "r_colMeans(" in py
    ns = run_r(r, complete=True)
    # m = [[1,0],[0,5],[3,0]]: rows 1 and 2 sum to 1 and 5, both kept
    assert list(np.asarray(ns["keep"])) == [1, 2]
    ref = dt()[["Yield", "Year"]].astype(float).mean()
    np.testing.assert_allclose(ns["cm"].to_numpy(), ref.to_numpy())


def test_ls_get_assign_rm_eval_parse() -> None:
    # R: ls() lists the variables (sorted case-insensitively), rm() drops them, get() and
    # eval(parse(text =)) read a variable by its name, assign() binds one by its name
    r = ('mod.1 <- 10\nY_12 <- 5\nk <- 1\nrm(k)\n'
         'for (i in 1:2) assign(paste0("fit", i), i * 3)\n'
         'v <- ls()\nw <- v[grepl("1$", v)]\n'
         'a <- get("mod.1")\nb <- eval(parse(text = w[2]))\n'
         'c2 <- eval(parse(text = "mod.1 + Y_12"))\n'
         'f <- function(z) { q <- 2; ls() }\ninner <- f(1)\n')
    ns = run_r(r, complete=True)
    assert list(ns["v"]) == ["fit1", "fit2", "i", "mod.1", "Y_12"]
    assert list(ns["w"]) == ["fit1", "mod.1"]
    assert ns["a"] == 10 and ns["b"] == 10 and ns["c2"] == 15
    assert ns["fit2"] == 6 and "k" not in ns
    assert list(ns["inner"]) == ["q", "z"]


def test_get_of_a_missing_name_is_r_error() -> None:
    with pytest.raises(AsrError, match="object 'nope' not found"):
        run_r('x <- get("nope")')


def test_rbind_drops_zero_row_frames() -> None:
    # R's rbind.data.frame drops zero-row data frames: the columns are the others'
    r = ('res <- data.frame(trait = character(), predicted = numeric())\n'
         'x <- data.frame(GENO = c("a", "b"), predicted.value = c(1.5, 2.5))\n'
         'res <- rbind(res, data.frame(trait = "Y", x))\n'
         'res <- rbind(res, data.frame(trait = "M", x))\n')
    ns = run_r(r, complete=True)
    assert list(ns["res"].columns) == ["trait", "GENO", "predicted.value"]
    assert ns["res"]["trait"].tolist() == ["Y", "Y", "M", "M"]


def test_element_of_a_character_vector_pastes_as_text() -> None:
    # v[i] of ls()'s vector is one name: paste() of it is the name, not "['h1']"
    ns = run_r('h1_12 <- 1\nM_12 <- 2\nv <- ls()\n'
               'loc <- gsub(paste(gsub("_..", "", v[1]), "_", sep = ""), "", v[1])\n',
               complete=True)
    assert ns["loc"] == "12"


def test_value_of_a_package_asr_py_lacks_is_a_named_placeholder() -> None:
    # ASRtriala::model.setup (a data set of an R package asr_py lacks): a placeholder that
    # names the package, not a NameError on an undefined Python name
    py = translate("model.setup <- ASRtriala::model.setup\nx <- stats::median\n")
    assert "untranslated('ASRtriala::model.setup, an object of the R package ASRtriala'" in py
    assert "x = median" in py
    ns = run_r("model.setup <- ASRtriala::model.setup\n")
    with pytest.raises(AsrError, match="ASRtriala::model.setup"):
        len(ns["model_setup"])


def test_lazy_data_indexed_and_after_load(workdir) -> None:
    # library(pkg) brings gv_df by name (a file data/gv_df.csv, as a package's repo has);
    # load() does not stop it: the loaded names are found in the scope first
    import os

    os.makedirs("data")
    pd.DataFrame({"env": [1, 1, 2], "gv": [0.5, 0.7, 0.9]}).to_csv("data/gv_df.csv",
                                                                   index=False)
    r = ('library(FieldSimR)\nload("nothing.RData")\n'
         'tg <- droplevels(gv_df[gv_df$env == 1, ])\nm <- mean(gv_df$gv)\n')
    py = translate(r)
    assert "r_lazy('gv_df', globals())" in py
    ns = run_py_no_load(py)
    assert ns["tg"]["gv"].tolist() == [0.5, 0.7]
    assert ns["m"] == pytest.approx(0.7)


def run_py_no_load(py: str) -> dict:
    """Run a translation whose load() reads a file the test does not ship (skipped)."""
    from _translate_fixtures import run_py

    lines = [ln for ln in py.splitlines() if "load_rdata(" not in ln]
    return run_py("\n".join(lines), __name__="__translated__")


def test_rows_by_grep_of_a_coefficient_vector() -> None:
    # R: fit$coefficients$random[grep("id", rownames(...)), ] - a one-column matrix: the
    # rows whose names match, by position (a Series here)
    u = pd.Series([0.1, 0.2, 0.3, 0.4], index=["block_1", "id_1", "id_2", "units_1"])
    ns = run_r('v <- u[grep("id", names(u)), ]', complete=True, u=u)
    assert list(ns["v"].index) == ["id_1", "id_2"]
    assert ns["v"].tolist() == [0.2, 0.3]


def test_in_compares_factor_labels_with_numbers() -> None:
    # R: match() of a factor with numbers compares as text: row %in% seq(1, 4, 2) is TRUE for
    # the rows labelled "1" and "3"; a number column %in% c("1", "4") likewise
    r = ('d <- data.frame(row = factor(c(1, 2, 3, 4)), x = c(1, 2, 3, 4))\n'
         'd$F <- 1\nd$F[d$row %in% seq(1, 4, 2)] <- 2\n'
         'a <- d$x %in% c("1", "4")\nb <- d$row %in% c(2, 4)\n')
    ns = run_r(r, complete=True)
    assert ns["d"]["F"].tolist() == [2, 1, 2, 1]
    assert ns["a"].tolist() == [True, False, False, True]
    assert ns["b"].tolist() == [False, True, False, True]


def test_asreml_call_reading_a_variable_of_the_untranslated_block_is_not_hoisted() -> None:
    # do({df <- .; asreml(data = df)}): df exists only inside the untranslated do(); the call
    # on its own would read an undefined name, so it stays in the TODO
    r = ('library(dplyr)\nd <- read.csv("x.csv")\n'
         'out <- d %>% group_by(g) %>% do({\n  df <- .\n'
         '  fit0 <- asreml(fixed = y ~ x, random = ~ b, data = df)\n  tibble(a = 1)\n})\n')
    py = translate(r)
    assert "data=df" not in py and "out = untranslated(" in py
    # a call reading only outer variables is still kept
    py2 = translate('d <- read.csv("x.csv")\nout <- d %>% group_by(g) %>% do({\n'
                    '  fit0 <- asreml(fixed = y ~ x, data = d)\n  tibble(a = 1)\n})\n')
    assert "fit0 = asr.asreml(" in py2


def test_cfixed_packed_and_matrix(workdir) -> None:
    # asreml 3 scripts rebuild the fixed effects' variance matrix from fit$Cfixed (its upper
    # triangle column by column); asreml 4 scripts index it as a matrix. Both must be the
    # fit's vcov_fixed, whose diagonal's roots are the coefficients' standard errors.
    r = ('d <- read.csv("DT.csv")\nd$Env <- factor(d$Env)\nd$Name <- factor(d$Name)\n'
         'fit <- asreml(Yield ~ Env, random = ~ Name, data = d, Cfixed = TRUE)\n'
         'n <- length(fit$coefficients$fixed)\nC <- diag(n)\n'
         'C[upper.tri(C, diag = TRUE)] <- fit$Cfixed\n'
         'C[lower.tri(C)] <- t(C)[lower.tri(t(C))]\n'
         'M <- fit$Cfixed\n')
    # rows and columns are those of fit$coefficients$fixed: every level (the reference one a
    # zero row), in the script's asreml version's order (asreml 4.2 here: intercept first)
    py = translate(r)
    assert "r_cfixed(fit, packed=True)" in py and "M = r_cfixed(fit)" in py
    ns = run_r(r, complete=True)
    fit = ns["fit"]
    names = list(fit.coef_fixed_all().index)
    v = fit.vcov_fixed.reindex(index=names, columns=names, fill_value=0.0).to_numpy()
    assert len(names) == len(fit.coef_fixed) + 1      # Env's first level
    np.testing.assert_allclose(np.asarray(ns["C"], dtype=float), v, rtol=1e-12)
    est = fit.coef_fixed_all()["std.error"].notna().to_numpy()
    np.testing.assert_allclose(np.sqrt(np.diag(v))[est],
                               fit.coef_fixed["std.error"].to_numpy(), rtol=1e-10)
    assert not np.diag(v)[~est].any()
    assert ns["M"].shape == v.shape and list(ns["M"].index) == names


def test_dcast_wide_table() -> None:
    # reshape2's dcast(): one row per LOC x GENO, one column per trait (sorted as R's
    # levels), NA where a combination has no record; with several records per cell
    # fun.aggregate summarises them, and without it R counts them (0 for an empty cell)
    r = ('r <- data.frame(LOC = c("12", "12", "13", "13", "12"),\n'
         '                GENO = c("a", "a", "a", "b", "b"),\n'
         '                trait = c("Y", "h1", "Y", "Y", "M"), pred = c(1, 2, 3, 4, 5))\n'
         'w <- dcast(r, LOC + GENO ~ trait, value.var = "pred")\n'
         'a <- dcast(r, LOC ~ trait, value.var = "pred", fun.aggregate = mean)\n'
         'n <- dcast(r, LOC ~ trait, value.var = "pred")\n')
    ns = run_r(r, complete=True)
    w = ns["w"]
    assert list(w.columns) == ["LOC", "GENO", "h1", "M", "Y"]
    assert w[["LOC", "GENO"]].values.tolist() == [["12", "a"], ["12", "b"], ["13", "a"],
                                                  ["13", "b"]]
    np.testing.assert_array_equal(w["Y"].to_numpy(), [1.0, np.nan, 3.0, 4.0])
    np.testing.assert_array_equal(ns["a"]["Y"].to_numpy(), [1.0, 3.5])
    assert np.isnan(ns["a"]["h1"].iloc[1])
    np.testing.assert_array_equal(ns["n"]["Y"].to_numpy(), [1, 2])
    np.testing.assert_array_equal(ns["n"]["M"].to_numpy(), [1, 0])


def test_dcast_bad_column_is_clear() -> None:
    with pytest.raises(AsrError, match="no column 'nope'"):
        run_r('r <- data.frame(a = 1, b = "x", v = 2)\nw <- dcast(r, a ~ nope, value.var = "v")\n')


def test_cbind_names_a_column_by_its_variable() -> None:
    # R: cbind(x, pval) of a data frame and a vector names the new column "pval"
    r = 'x <- data.frame(a = c(1, 2))\npval <- c(0.1, 0.2)\nout <- cbind(x, pval)\n'
    ns = run_r(r, complete=True)
    assert list(ns["out"].columns) == ["a", "pval"]
    assert ns["out"]["pval"].tolist() == [0.1, 0.2]

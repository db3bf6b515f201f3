"""c16misc: constructs of the curated corpus scripts that stopped (session 14): ``a <- b``
gives ``a`` its own copy (R copies on modify), rbind of data frames carrying a prediction's
sed/vcov in attrs, rio's ``import(file, sheet =)``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate.rconcat import concat_frames
from asr_py.translate.runtime import r_import, r_rbind


def test_alias_then_column_assignment_leaves_the_original() -> None:
    # R: dt_sim <- dt; dt_sim$loc <- "b" leaves dt$loc "a" (copy on modify)
    r = ('dt <- data.frame(loc = "a", y = c(1, 2, 3))\n'
         'dt_sim <- dt\n'
         'dt_sim$loc <- "b"\n'
         'both <- rbind(dt, dt_sim)\n')
    ns = run_r(r, complete=True)
    assert ns["dt"]["loc"].tolist() == ["a", "a", "a"]
    assert ns["dt_sim"]["loc"].tolist() == ["b", "b", "b"]
    assert ns["both"]["loc"].tolist() == ["a"] * 3 + ["b"] * 3


def test_alias_of_a_vector_and_in_a_function() -> None:
    # R: w <- x; w[1] <- 9 leaves x; a function's e <- d; e$y <- 0 leaves the caller's d
    r = ('x <- c(1, 2)\nw <- x\nw[1] <- 9\n'
         'f <- function(d) { e <- d; e$y <- 0; e }\n'
         'd0 <- data.frame(y = c(5, 6))\nz <- f(d0)\n')
    ns = run_r(r, complete=True)
    assert list(ns["x"]) == [1, 2] and list(ns["w"]) == [9, 2]
    assert ns["d0"]["y"].tolist() == [5, 6] and ns["z"]["y"].tolist() == [0, 0]


def test_alias_of_a_constant_or_call_is_not_copied() -> None:
    from asr_py import translate

    py = translate("a <- 1\nb <- a\nf <- mean\nm <- f(c(1, 2))\n")
    assert "b = r_copy(a)" in py            # a variable: copied (r_copy keeps a number)
    assert "r_copy(mean)" not in py         # a function's name is not a variable


def test_rbind_of_frames_carrying_frames_in_attrs() -> None:
    # two predictions' pvals, each with its vcov (a data frame) in attrs, as predict() gives
    a = pd.DataFrame({"gen": ["g1", "g2"], "v": [1.0, 2.0]})
    b = pd.DataFrame({"gen": ["g1", "g2"], "v": [3.0, 4.0]})
    a.attrs["vcov"] = pd.DataFrame(np.eye(2))
    b.attrs["vcov"] = pd.DataFrame(2 * np.eye(2))
    out = r_rbind(a, b)
    assert out["v"].tolist() == [1.0, 2.0, 3.0, 4.0] and out.attrs == {}
    assert a.attrs["vcov"].iloc[0, 0] == 1.0           # the parts keep theirs
    both = concat_frames([a, b], axis=1)
    assert both.shape == (2, 4)


def test_rio_import_sheet(tmp_path) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"x": [1, 2]}).to_excel(w, sheet_name="first", index=False)
        pd.DataFrame({"y": [3.0, 4.0, 5.0]}).to_excel(w, sheet_name="second", index=False)
    assert r_import(str(path), 2)["y"].tolist() == [3.0, 4.0, 5.0]     # R's position
    assert r_import(str(path), "first")["x"].tolist() == [1, 2]
    assert r_import(str(path))["x"].tolist() == [1, 2]                 # the first sheet
    csv = tmp_path / "a.csv"
    csv.write_text("x\n1\n")
    with pytest.raises(AsrError, match="only a spreadsheet has sheets"):
        r_import(str(csv), 1)
    ns = run_r(f'd2 <- rio::import("{path}", sheet = 2)\nd1 <- import("{path}", which = 1)',
               complete=True)
    assert ns["d2"].shape == (3, 1) and ns["d1"].shape == (2, 1)


def test_forcats_level_orders() -> None:
    from asr_py.translate.rforcats import r_fct

    x = pd.Series(["10", "2", "1", "2", "b"])
    # fct_inseq: levels by numeric value, a level that is no number last
    assert list(r_fct("inseq", x).cat.categories) == ["1", "2", "10", "b"]
    assert list(r_fct("inorder", x).cat.categories) == ["10", "2", "1", "b"]
    # fct_infreq: most frequent first, ties in the factor's (sorted text) level order
    assert list(r_fct("infreq", x).cat.categories) == ["2", "1", "10", "b"]
    assert list(r_fct("rev", x).cat.categories) == ["b", "2", "10", "1"]
    assert r_fct("inseq", x).tolist() == x.tolist()          # values unchanged
    with pytest.raises(AsrError, match="no level is a number"):
        r_fct("inseq", pd.Series(["a", "b"]))


def test_fct_inseq_sets_the_level_order_of_a_fit(workdir) -> None:
    # genotypes coded 1..41 as text: fct_inseq gives 1, 2, ..., 41 (R's factor():
    # 1, 10, 11, ..., 2, ...); the fitted effects follow that level order
    r = ('library(forcats)\n'
         'd <- read.csv("DT.csv")\n'
         'd$e <- as.character(match(d$Name, unique(d$Name)))\n'
         'd <- d %>% mutate(e = fct_inseq(e)) %>% arrange(across())\n'
         'lv <- levels(d$e)\n'
         'm <- asreml(Yield ~ Env, random = ~ e, data = d)\n'
         'cf <- m$coefficients$random\n')
    ns = run_r(r, complete=True)
    n = len(ns["lv"])
    assert ns["lv"] == [str(i) for i in range(1, n + 1)]
    d = ns["d"]
    # arrange(across()): sorted by every column in turn (Name, then Env, ...)
    keys = list(zip(d["Name"], d["Env"], d["Block"]))
    assert keys == sorted(keys) and list(d.columns)[-1] == "e"
    labels = [str(i) for i in ns["cf"].index if str(i).startswith("e_")]
    assert [int(lab[2:]) for lab in labels] == sorted(int(lab[2:]) for lab in labels)
    assert len(labels) == n and n >= 10     # 10, 11, ... after 9, not after 1


def test_rename_all_with_a_lambda() -> None:
    ns = run_r('library(stringr)\nd <- data.frame(ec1 = 1, ec2 = 2, env = 3)\n'
               'b <- d %>% rename_all(~str_replace(., "ec", "x"))\n', complete=True)
    assert list(ns["b"].columns) == ["x1", "x2", "env"]


def test_summary_kept_in_a_variable(workdir) -> None:
    r = ('d <- read.csv("DT.csv")\n'
         'm <- asreml(Yield ~ Env, random = ~ Name, data = d)\n'
         's <- summary(m)\n'
         'vc <- s$varcomp\n'
         'direct <- summary(m)$varcomp\n'
         'll <- s$loglik\n')
    ns = run_r(r, complete=True)
    pd.testing.assert_frame_equal(ns["vc"], ns["direct"])
    assert ns["ll"] == pytest.approx(ns["m"].loglik + 0.5 * ns["m"].result.n_minus_p
                                     * np.log(2 * np.pi))
    assert "Name" in str(ns["s"])
    with pytest.raises(AsrError, match="no element of that name"):
        ns["s"]["nothing"]


def test_unique_of_a_data_frame_is_its_distinct_rows() -> None:
    r = ('d <- data.frame(a = c(1, 1, 2, 1), b = c("x", "x", "y", "z"))\n'
         'u <- d %>% select(a, b) %>% unique()\n'
         'v <- unique(d$a)\n'
         'w <- unique(c(3, 1, 3)) * 2\n')
    ns = run_r(r, complete=True)
    # R: unique.data.frame keeps the first of each row, with its row name (1, 3, 4)
    assert ns["u"]["b"].tolist() == ["x", "y", "z"] and list(ns["u"].index) == [0, 2, 3]
    assert list(ns["v"]) == [1.0, 2.0]
    assert list(ns["w"]) == [6, 2]                  # a vector: arithmetic stays numeric


def test_as_data_frame_of_a_list_filled_by_position() -> None:
    # R: env <- list(); env[[i]] <- paste(...) is an unnamed list of strings;
    # as.data.frame(env) is 1 row x n columns (X.GART2021., ...), t() of it n x 1,
    # so cbind(data, t(env)) adds one column (isabellajchiara/BLUPs_and_GGE)
    r = ('data <- data.frame(loc = c("A", "B", "A"), year = c(2021, 2021, 2022))\n'
         'env <- list()\n'
         'for (x in 1:nrow(data)) {\n'
         '  env[[x]] <- paste(data[x, 1], data[x, 2], sep = "")\n'
         '}\n'
         'env <- as.data.frame(env)\n'
         'shape <- dim(env)\n'
         'env <- t(env)\n'
         'data <- cbind(data, env)\n'
         'colnames(data) <- c("loc", "year", "year_loc")\n')
    ns = run_r(r, complete=True)
    assert list(ns["shape"]) == [1, 3]
    assert ns["data"]["year_loc"].tolist() == ["A2021", "B2021", "A2022"]


def test_row_of_scalars_names_as_r() -> None:
    from asr_py.translate.rasdf import _row_of_scalars

    # R: names(as.data.frame(list("a", 2, "a", 1.5, TRUE)))
    assert list(_row_of_scalars(["a", 2, "a", 1.5, True]).columns) == \
        ["X.a.", "X2", "X.a..1", "X1.5", "TRUE."]


def test_reformulate_arguments_by_name_or_position() -> None:
    r = ('trait <- "y"\n'
         'f1 <- reformulate(termlabels = c("a", "b:c"), response = trait)\n'
         'f2 <- reformulate(c("a"), "y")\n'
         'f3 <- reformulate(c("a", "b"))\n'
         'f4 <- reformulate("a", response = "y", intercept = FALSE)\n')
    ns = run_r(r, complete=True)
    # R: deparse() of each formula
    assert [ns[k] for k in ("f1", "f2", "f3", "f4")] == [
        "y ~ a + b:c", "y ~ a", "~ a + b", "y ~ a - 1"]


def test_data_frame_rows_beyond_its_end_are_na() -> None:
    # R: a data frame's rows beyond nrow are rows of NA (vc[6:7, 2] of a 6-row table is
    # c(x6, NA)); a matrix's stop with "subscript out of bounds"
    r = ('d <- data.frame(effect = c("a", "b", "c"), component = c(1, 2, 3))\n'
         'v <- d[2:4, 2]\n'
         'm <- matrix(c(1, 2, 3, 4), 2)\n')
    ns = run_r(r, complete=True)
    v = list(ns["v"])
    assert v[:2] == [2.0, 3.0] and np.isnan(v[2])
    from asr_py.translate.rbase import r_ij

    with pytest.raises(AsrError, match="subscript out of bounds"):
        r_ij(ns["m"], [3], 1)
    named = pd.DataFrame(np.eye(2), index=["a", "b"], columns=["a", "b"])   # a matrix
    with pytest.raises(AsrError, match="subscript out of bounds"):
        r_ij(named, [3], 1)

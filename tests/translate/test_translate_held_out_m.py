"""Held-out pass M (s19newM): animal-model scripts of wild-population and mouse studies.
Base R's ``aggregate(x, by, FUN, ...)`` (raggregate.py), ``data.frame()`` as an empty
accumulator, ``t(G)[lower.tri(G)]`` (the mask of another matrix of the same shape), dplyr's
``row_number()``, tidyr's ``complete()`` (rcomplete.py) and readr's ``col_names = FALSE``.

Expected values are R's documented semantics written out by hand:
- ``?aggregate``: "aggregate.data.frame ... x: a data frame; by: a list of grouping
  elements, each as long as the variables in the data frame x ... The elements are coerced
  to factors before use"; "Rows with missing values in any of the by variables will be
  omitted from the result"; the default method "first converts x to a data frame" (so a
  vector becomes the column ``x``); unnamed grouping elements are named ``Group.i``; the
  result is sorted by the groups with the first varying fastest (R builds the groups'
  combined code as ``1 + sum((g_k - 1) * prod(nlevels before k))``); ``...`` goes to FUN.
- ``data.frame()`` is "a data frame with 0 columns and 0 rows"; ``rbind(data.frame(), d)``
  is ``d`` ("zero-column arguments are ignored" in rbind.data.frame's value section).
- ``?lower.tri``: "a matrix of logicals the same size of a given matrix with entries TRUE
  in the lower ... triangle"; a logical matrix index selects elements in column-major order,
  so ``G[lower.tri(G)] <- t(G)[lower.tri(G)]`` copies the upper triangle into the lower one.
- dplyr ``?row_number``: "row_number() gives every input a unique rank" - without an
  argument, 1..n in the rows' order; in a grouped filter()/mutate() each group's rows.
- tidyr ``?complete``: "a wrapper around expand(), dplyr::full_join() and replace_na()";
  ``expand()`` gives "all combinations of values" sorted, ``nesting()`` "only combinations
  that already appear in the data"; ``fill``: "a named list that for each variable supplies
  a single value to use instead of NA for missing combinations" (and, with explicit = TRUE,
  for the data's own NAs).
- base ``?ave``: "ave(x, ..., FUN = mean)" - "Subsets of x[] are averaged, where each subset
  consist[s] of those observations with the same factor levels"; its code is
  ``split(x, g) <- lapply(split(x, g), FUN)`` (a missing grouping value: no subset, x kept;
  a character x stays character).
- base ``?ordered``: an ordered factor; ``as.numeric()`` of it gives the level codes, the
  levels sorted (numbers by value).
- tidyselect (``?dplyr::select``, "the selection language"): a call that is not a selection
  helper is evaluated and its character vector names the columns, as ``all_of()``.
- base ``?replace``: ``x[list] <- values; x`` (the changed copy).
- readr ``?read_delim``: "col_names ... If FALSE, column names will be generated
  automatically: X1, X2, X3 etc."; a character vector gives the names, no header read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate.raggregate import r_aggregate_by
from asr_py.translate.rmatrix import r_tri_values

_D = """
d <- data.frame(id = c("b", "a", "b", "a", "c", NA),
                sex = c(1, 1, 2, 2, 1, 1),
                v = c(1, 2, 3, NA, 5, 7),
                w = c(10, 20, 30, 40, 50, 60))
"""


def test_aggregate_of_a_vector_names_its_column_x_and_the_group_group_1() -> None:
    env = run_r(_D + "a <- aggregate(d[, 'v'], list(d$id), mean)\n", complete=True)
    a = env["a"]
    assert list(a.columns) == ["Group.1", "x"]
    assert a["Group.1"].tolist() == ["a", "b", "c"]        # NA group dropped, sorted
    assert np.isnan(a["x"][0])                              # mean(c(2, NA)) is NA
    assert a["x"].tolist()[1:] == [2.0, 5.0]


def test_aggregate_passes_na_rm_to_fun_and_names_groups_by_the_list() -> None:
    env = run_r(_D + "a <- aggregate(d$v, by = list(id = d$id), FUN = mean, na.rm = TRUE)\n",
                complete=True)
    assert list(env["a"].columns) == ["id", "x"]
    assert env["a"]["x"].tolist() == [2.0, 2.0, 5.0]


def test_aggregate_two_groups_first_varies_fastest() -> None:
    # groups (id, sex) observed: (b,1) (a,1) (b,2) (a,2) (c,1); R's order: sex slowest
    env = run_r(_D + "a <- aggregate(d$w, list(d$id, d$sex), sum)\n", complete=True)
    a = env["a"]
    assert list(a.columns) == ["Group.1", "Group.2", "x"]
    assert list(zip(a["Group.1"], a["Group.2"], a["x"], strict=True)) == [
        ("a", 1, 20), ("b", 1, 10), ("c", 1, 50), ("a", 2, 40), ("b", 2, 30)]


def test_aggregate_of_a_data_frame_summarises_each_column() -> None:
    env = run_r(_D + "a <- aggregate(d[, c('v', 'w')], list(g = d$sex), max)\n",
                complete=True)
    a = env["a"]
    assert list(a.columns) == ["g", "v", "w"]
    assert a["g"].tolist() == [1, 2]
    assert a["v"][0] == 7.0 and np.isnan(a["v"][1])     # max(c(3, NA)) is NA
    assert a["w"].tolist() == [60, 40]


def test_aggregate_refuses_groups_of_another_length() -> None:
    with pytest.raises(AsrError, match="has 2 values but x has 3"):
        r_aggregate_by([1.0, 2.0, 3.0], [["a", "b"]], "mean")
    with pytest.raises(AsrError, match="must be a list"):
        r_aggregate_by([1.0, 2.0], "a", "mean")


def test_aggregate_with_a_function_of_the_script() -> None:
    out = r_aggregate_by(pd.Series([1.0, 2.0, 4.0]), {"g": ["x", "y", "x"]},
                         lambda v: float(np.prod(v)))
    assert out["x"].tolist() == [4.0, 2.0]


def test_empty_data_frame_is_an_accumulator_rbind_drops() -> None:
    env = run_r("res <- data.frame()\nn0 <- nrow(res)\n"
                "for (k in 1:3) res <- rbind(res, data.frame(k = k, sq = k^2))\n",
                complete=True)
    assert env["n0"] == 0
    assert env["res"]["sq"].tolist() == [1, 4, 9] and list(env["res"].columns) == ["k", "sq"]


def test_lower_triangle_filled_from_the_transpose() -> None:
    env = run_r("G <- matrix(c(1, NA, NA, 2, 3, NA, 4, 5, 6), 3, 3)\n"
                "G[lower.tri(G)] = t(G)[lower.tri(G)]\n", complete=True)
    g = np.asarray(env["G"], dtype=float)
    assert np.array_equal(g, g.T)
    assert g[:, 2].tolist() == [4.0, 5.0, 6.0] and g[2, :].tolist() == [4.0, 5.0, 6.0]


def test_tri_values_of_another_matrix_are_column_major_and_shape_checked() -> None:
    a = np.arange(1, 10).reshape(3, 3, order="F")          # R's matrix(1:9, 3, 3)
    assert r_tri_values(a, upper=False, of=np.zeros((3, 3))).tolist() == [2, 3, 6]
    with pytest.raises(AsrError, match="shape"):
        r_tri_values(a, upper=False, of=np.zeros((2, 2)))


_G = """
g <- data.frame(a = c("x", "x", "x", "y", "y", "z"), v = c(5, 3, 4, 9, 8, 1))
"""


def test_row_number_in_a_grouped_filter_keeps_each_groups_first_half() -> None:
    env = run_r(_G + "h <- g %>% group_by(a) %>% filter(row_number() <= .5 * n())\n"
                "i <- g %>% group_by(a) %>% mutate(k = row_number())\n", complete=True)
    # x: 3 rows -> row 1 (1 <= 1.5); y: 2 rows -> row 1; z: 1 row -> none (1 > 0.5)
    assert env["h"]["v"].tolist() == [5, 9]
    assert env["i"]["k"].tolist() == [1, 2, 3, 1, 2, 1]


_C = """
d <- data.frame(id = c("b", "a", "a", "c"), chr = c(1, 1, 2, 2), kb = c(10, 20, NA, 40),
                w = c("p", "q", "r", "s"))
"""


def test_complete_adds_the_missing_combinations_sorted_and_fills() -> None:
    env = run_r(_C + "z <- d %>% complete(id, chr, fill = list(kb = 0))\n", complete=True)
    z = env["z"]
    assert list(z.columns) == ["id", "chr", "kb", "w"]        # the data's column order
    assert list(zip(z["id"], z["chr"], strict=True)) == [
        ("a", 1), ("a", 2), ("b", 1), ("b", 2), ("c", 1), ("c", 2)]
    assert z["kb"].tolist() == [20, 0, 10, 0, 0, 40]          # the data's NA filled too
    assert z["w"].tolist()[:3] == ["q", "r", "p"] and pd.isna(z["w"][3])


def test_complete_nesting_keeps_only_present_combinations() -> None:
    env = run_r(_C + "z <- complete(d, nesting(id, chr), w)\n", complete=True)
    z = env["z"]
    # 4 (id, chr) pairs present x 4 values of w; each data row once, the rest NA
    assert len(z) == 16 and z["kb"].notna().sum() == 3
    assert list(zip(z["id"], z["chr"], z["w"]))[:2] == [("a", 1, "p"), ("a", 1, "q")]
    assert z["kb"][1] == 20.0 and np.isnan(z["kb"][0])


def test_complete_of_another_form_is_left_to_a_todo() -> None:
    from asr_py import translate

    assert "untranslated('complete()'" in translate("z <- complete(imp, 1)\n")


def test_readr_col_names_false_names_columns_x1_x2(tmp_path) -> None:
    f = tmp_path / "m.txt"
    f.write_text("1\t2\n3\t4\n")
    env = run_r(f'm <- read_delim("{f}", delim = "\\t", col_names = FALSE)\n'
                f'n <- read_delim("{f}", delim = "\\t", col_names = c("a", "b"))\n',
                complete=True)
    assert list(env["m"].columns) == ["X1", "X2"] and env["m"]["X2"].tolist() == [2, 4]
    assert list(env["n"].columns) == ["a", "b"] and len(env["n"]) == 2


def test_library_of_emulated_packages_is_no_todo_but_their_other_calls_are() -> None:
    from asr_py import translate

    py = translate("library(plyr)\nlibrary(reshape2)\nlibrary(msm)\nx <- join(a, b)\n"
                   "y <- revalue(s, c(a = 'A'))\nw <- dcast(d, a ~ b, value.var = 'v')\n"
                   "z <- colsplit(d$x, '_', c('a', 'b'))\n")
    for pkg in ("plyr", "reshape2", "msm"):
        assert f"not translated (library({pkg}))" not in py
    assert "untranslated('revalue()'" in py and "untranslated('colsplit()'" in py
    assert "r_dcast(d" in py


def test_masked_assignment_inside_a_function_of_a_mutate_is_valid_python() -> None:
    # the name assigned inside mutate(map_dbl(function ...)) is the function's variable
    # (R's lexical scope); column-major: m = [[a, 2], [0, 1]] -> lower gets 2, sum a + 5
    env = run_r("d <- data.frame(a = c(1, 2))\n"
                "f <- d %>% mutate(s = map_dbl(a, function(a) {\n"
                "  m <- matrix(c(a, 0, 2, 1), 2, 2)\n"
                "  m[lower.tri(m)] <- t(m)[lower.tri(m)]\n"
                "  sum(m)\n}))\n", complete=True)
    assert env["f"]["s"].tolist() == [6.0, 7.0]


def test_ave_recycles_fun_within_groups_and_keeps_ungrouped_values() -> None:
    env = run_r("a <- ave(c(10, 20, 30, 40), c('a', 'b', 'a', 'b'))\n"
                "b <- ave(c(5, 6, 7, 8), c(1, 1, NA, 1), FUN = seq_along)\n"
                "d <- data.frame(id = c('p', 'q', 'r'), fam = c(1, 1, 2))\n"
                "d$k <- ave(d$id, d$fam, FUN = seq_along)\n", complete=True)
    assert list(env["a"]) == [20.0, 30.0, 20.0, 30.0]
    assert list(env["b"]) == [1, 2, 7, 3]
    assert env["d"]["k"].tolist() == ["1", "2", "1"]          # character x stays text


def test_ordered_factor_codes_follow_its_sorted_levels() -> None:
    env = run_r("d <- data.frame(chr = c(10, 2, 2, 9))\n"
                "d$c <- ordered(as.integer(d$chr))\nk <- as.numeric(d$c)\n", complete=True)
    assert list(env["k"]) == [3.0, 1.0, 1.0, 2.0]             # levels 2 < 9 < 10


def test_read_table_of_text_splits_labels_and_converts_types() -> None:
    # R: read.table(text = c("12_A_3", "7_B_4"), sep = "_") -> V1 12 7 (int), V2 "A" "B"
    env = run_r("d <- data.frame(f = c('12_A_3', '7_B_4', '5_NA_1'))\n"
                "d$g <- read.table(text = as.character(d$f), sep = '_')$V2\n"
                "t <- read.table(text = c('a 1 TRUE', 'b 2.5 F'))\n"
                "h <- read.csv(text = 'x,y\\n1,p\\n2,q')\n", complete=True)
    assert env["d"]["g"].tolist()[:2] == ["A", "B"] and pd.isna(env["d"]["g"][2])
    t = env["t"]
    assert list(t.columns) == ["V1", "V2", "V3"]
    assert t["V2"].tolist() == [1.0, 2.5] and t["V3"].tolist() == [True, False]
    assert list(env["h"].columns) == ["x", "y"] and env["h"]["x"].tolist() == [1, 2]


def test_read_table_of_text_refuses_ragged_lines_without_fill() -> None:
    from asr_py.translate.rreadtext import r_read_text

    with pytest.raises(AsrError, match="line 2 did not have 3 elements"):
        r_read_text(["a b c", "d e"])
    out = r_read_text(["a b c", "d e"], fill=True)
    assert pd.isna(out["V3"][1])


def test_select_columns_named_by_a_paste0_call() -> None:
    env = run_r("d <- data.frame(Code = 1:2, F1 = 3:4, F2 = 5:6, z = 7:8)\nk <- 2\n"
                "s <- dplyr::select(d, Code, paste0('F', k))\n"
                "t <- dplyr::select(d, setdiff(names(d), c('z', 'F1')))\n", complete=True)
    assert list(env["s"].columns) == ["Code", "F2"] and env["s"]["F2"].tolist() == [5, 6]
    assert list(env["t"].columns) == ["Code", "F2"]


def test_replace_is_a_changed_copy_and_works_in_across() -> None:
    # ?replace: "replace replaces the values in x with indices given in list by those given
    # in values"; x itself is unchanged (R copies on modify)
    env = run_r("v <- c(1, NA, 3)\nw <- replace(v, is.na(v), 0)\n"
                "u <- replace(list = 2, x = c(5, 6, 7), values = 9)\n"
                "d <- data.frame(a = c(NA, 2), b = c(3, NA))\n"
                "e <- d %>% mutate(across(everything(), ~replace(., is.na(.), 0)))\n",
                complete=True)
    assert list(env["w"]) == [1.0, 0.0, 3.0] and np.isnan(list(env["v"])[1])
    assert list(env["u"]) == [5, 9, 7]
    assert env["e"]["a"].tolist() == [0.0, 2.0] and env["e"]["b"].tolist() == [3.0, 0.0]
    assert env["d"]["a"].isna().sum() == 1


def test_mutate_all_is_mutate_across_everything() -> None:
    # dplyr ?mutate_all: superseded by mutate(across(everything(), .funs))
    env = run_r("d <- data.frame(a = c(NA, 2), b = c(3, NA))\n"
                "e <- d %>% mutate_all(~replace(., is.na(.), 0))\n"
                "f <- mutate_all(d, as.character)\n", complete=True)
    assert env["e"]["a"].tolist() == [0.0, 2.0] and env["e"]["b"].tolist() == [3.0, 0.0]
    assert env["f"]["a"].tolist()[1] == "2"

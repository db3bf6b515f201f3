"""Tenth pass F (held-out agronomy/MET scripts): dplyr's glimpse(), group_by() +
summarise(), bind_rows(), recode()/recode_factor(), n_distinct(), stringr's str_detect()
(asr_py/translate/rtidy.py), repeated argument names, predict(levels = list(f = i)).

Expected values are R's documented semantics (dplyr 1.1, stringr 1.5), written out here
and computed independently with plain Python loops over the rows, not with the runtime."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py import translate
from asr_py.errors import AsrError


@pytest.fixture
def env() -> dict:
    d = pd.DataFrame({"g": ["b", "a", "b", "a", "c", None],
                      "h": [1, 1, 2, 1, 2, 2],
                      "y": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0]})
    return {"d": d}


def test_summarise_group_by_sorted_keys_na_last(env: dict) -> None:
    ns = run_r("s <- d %>% group_by(g) %>% summarise(m = mean(y, na.rm = TRUE), n = n(),\n"
               "  tot = sum(h))", complete=True, **env)
    s = ns["s"]
    assert list(s.columns) == ["g", "m", "n", "tot"]
    # groups sorted (C locale), NA last; mean with na.rm, sum without (NA propagates)
    assert s["g"].iloc[:3].tolist() == ["a", "b", "c"] and pd.isna(s["g"].iloc[3])
    assert s["m"].tolist() == [3.0, 1.0, 5.0, 6.0]
    assert s["n"].tolist() == [2, 2, 1, 1]
    assert s["tot"].tolist() == [2, 3, 2, 2]


def test_summarise_two_keys_by_and_no_keys(env: dict) -> None:
    ns = run_r("a <- summarise(d, m = max(h), .by = c(g, h))\n"
               "b <- d |> summarise(total = sum(h))\n", complete=True, **env)
    a = ns["a"]
    # ?dplyr_by: ".by: Summaries use existing order of group keys" (group_by() sorts them):
    # the (g, h) pairs in order of first appearance (b1 a1 b2 c2; session 26 corrected the
    # sorted order this test expected)
    expect = list(dict.fromkeys(
        (g, h) for g, h in zip(env["d"]["g"], env["d"]["h"]) if isinstance(g, str)))
    got = [(g, h) for g, h in zip(a["g"], a["h"]) if isinstance(g, str)]
    assert got == expect and (a["m"] == a["h"]).all()
    assert ns["b"].shape == (1, 1) and ns["b"]["total"].iloc[0] == 9


def test_summarise_factor_key_level_order_and_regroup() -> None:
    d = pd.DataFrame({"f": pd.Categorical(["lo", "hi", "lo", "hi"],
                                          categories=["lo", "hi"]),
                      "k": ["x", "x", "y", "y"], "y": [1.0, 2.0, 3.0, 5.0]})
    ns = run_r("s <- d %>% group_by(f, k) %>% summarise(m = mean(y)) %>%\n"
               "  summarise(mm = mean(m))", complete=True, d=d)
    s = ns["s"]
    # the outer summarise is grouped by f only (dplyr drops the last key); f keeps its
    # level order lo, hi (not alphabetical)
    assert s["f"].astype(str).tolist() == ["lo", "hi"]
    assert s["mm"].tolist() == [(1 + 3) / 2, (2 + 5) / 2]


def test_summarise_needs_one_value_per_group(env: dict) -> None:
    with pytest.raises(AsrError, match="reframe"):
        run_r("s <- d %>% group_by(g) %>% summarise(r = h * 2)", **env)


def test_summarise_reading_an_earlier_summary() -> None:
    # dplyr evaluates the summaries in turn: m2 reads the group's m (not a column m)
    d = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 3.0, 5.0], "m": [9.0, 9.0, 9.0]})
    ns = run_r("s <- d %>% group_by(g) %>% summarise(n = n(), m = mean(y), m2 = m * 2 / n)",
               complete=True, d=d)
    assert ns["s"]["m2"].tolist() == [2.0 * 2 / 2, 5.0 * 2 / 1]


def test_glimpse_prints_and_returns_its_data(env: dict) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns = run_r("d2 <- d |> dplyr::filter(h > 1) |> glimpse()\nd |> glimpse()\n",
                   complete=True, **env)
    assert ns["d2"]["h"].tolist() == [2, 2, 2]
    text = out.getvalue()
    assert text.count("Rows:") == 2 and "Rows: 3" in text and "Rows: 6" in text
    assert "$ y <dbl> 1, 2, NA" in text
    assert "    g  " not in text      # the frame itself is not printed (glimpse is invisible)


def test_bind_rows_matches_columns_and_id() -> None:
    a = pd.DataFrame({"x": [1, 2], "f": pd.Categorical(["u", "v"])})
    b = pd.DataFrame({"f": pd.Categorical(["w"]), "z": ["q"]})
    ns = run_r("r <- bind_rows(a, b)\nl <- bind_rows(list(A = a, B = b), .id = 'src')\n"
               "n <- bind_rows(list(a, NULL, b), .id = 'src')", complete=True, a=a, b=b)
    r = ns["r"]
    assert list(r.columns) == ["x", "f", "z"]
    assert r["x"].tolist()[:2] == [1, 2] and pd.isna(r["x"].iloc[2])
    assert list(r["f"].cat.categories) == ["u", "v", "w"]
    assert r["f"].astype(str).tolist() == ["u", "v", "w"]
    assert ns["l"]["src"].tolist() == ["A", "A", "B"]
    assert ns["n"]["src"].tolist() == ["1", "1", "2"]


def test_recode_and_recode_factor_levels() -> None:
    d = pd.DataFrame({"loc": ["B", "A", "C", "A", None],
                      "n": [1.0, 2.0, 3.0, 1.0, np.nan]})
    ns = run_r("d <- d %>% mutate(L = recode_factor(loc, A = 'Alpha', C = 'Gamma',\n"
               "  A = 'Alpha'), M = recode(loc, A = 'a', .default = 'z'),\n"
               "  N = recode(n, `1` = 10, `3` = 30))", complete=True, d=d)
    out = ns["d"]
    # replacement values first (in the order given), then the old values left (order of
    # appearance for text); NA stays NA
    assert list(out["L"].cat.categories) == ["Alpha", "Gamma", "B"]
    assert out["L"].astype(object).where(out["L"].notna(), None).tolist() == \
        ["B", "Alpha", "Gamma", "Alpha", None]
    assert out["M"].tolist()[:4] == ["z", "a", "z", "a"] and out["M"].iloc[4] is None
    assert out["N"].tolist()[:4] == [10.0, 2.0, 30.0, 10.0]


def test_recode_factor_of_a_factor_keeps_old_level_order() -> None:
    d = pd.DataFrame({"f": pd.Categorical(["x", "y", "z"], categories=["z", "y", "x"])})
    ns = run_r("d$f2 <- recode_factor(d$f, y = 'Y')", complete=True, d=d)
    assert list(ns["d"]["f2"].cat.categories) == ["Y", "z", "x"]


def test_str_detect_and_n_distinct() -> None:
    d = pd.DataFrame({"id": ["G1", "x2", None, "g3"], "v": [1, 1, 2, np.nan]})
    ns = run_r("a <- str_detect(d$id, '^G')\nb <- str_detect(d$id, regex('^g', "
               "ignore_case = TRUE), negate = TRUE)\nk <- sum(str_detect(c('a.b', 'ab'), "
               "fixed('.')))\nn1 <- n_distinct(d$v)\nn2 <- n_distinct(d$v, na.rm = TRUE)",
               complete=True, d=d)
    a, b = list(ns["a"]), list(ns["b"])
    assert [a[0], a[1], a[3]] == [True, False, False] and pd.isna(a[2])
    assert [b[0], b[1], b[3]] == [False, True, False] and pd.isna(b[2])
    assert ns["k"] == 1
    assert ns["n1"] == 3 and ns["n2"] == 2


def test_repeated_argument_names_valid_python() -> None:
    """R's ``...`` takes a name twice (``sum(a = 1, b = 2, a = 1)`` is 4); Python's keywords
    cannot: a TODO, never invalid Python. recode_factor() (rtidy) keeps the first."""
    py = translate("x <- sum(a = 1, b = 2, a = 1)\ny <- 3\n")
    compile(py, "<t>", "exec")
    assert "x = untranslated(" in py and "y = 3" in py
    d = pd.DataFrame({"loc": ["A", "B"]})
    ns = run_r("d$l <- recode_factor(d$loc, A = 'a', B = 'b', A = 'a')", complete=True, d=d)
    assert ns["d"]["l"].astype(str).tolist() == ["a", "b"]


def test_triangle_of_a_parenthesised_expression() -> None:
    """``(p$sed^2)[upper.tri(p$sed^2, diag = F)]`` (saulo-chaves MET.R/MHT.R): the same
    expression written with and without its parentheses; column-major order as R's."""
    ns = run_r("x <- matrix(1:9, 3)\nb <- (x^2)[upper.tri(x^2, diag = F)]\n"
               "v <- mean(((x)^2)[upper.tri((x) ^ 2, diag=F)])\n"
               "w <- (x + 1)[lower.tri(x+1)]", complete=True)
    # x = [[1,4,7],[2,5,8],[3,6,9]]: above the diagonal (1,2)=4, (1,3)=7, (2,3)=8
    assert list(ns["b"]) == [16, 49, 64]
    assert ns["v"] == pytest.approx((16 + 49 + 64) / 3)
    assert list(ns["w"]) == [3, 4, 7]          # below: (2,1)=2, (3,1)=3, (3,2)=6, plus 1


def test_position_from_arithmetic_of_a_loop_index() -> None:
    """``acc[i] = sqrt(1 - PEV / vc[grep("gen", rownames(vc)), 1][i + 1])`` (MET.R): the
    index i + 1 of a computed vector is a 1-based position."""
    ns = run_r("vc <- data.frame(component = c(9, 4, 16, 25, 1),\n"
               "  row.names = c('units', 'gen:S1', 'gen:S2', 'gen:S3', 'block'))\n"
               "acc <- NULL\nfor (i in 1:2) {\n"
               "  acc[i] = sqrt(vc[grep('gen', rownames(vc)), 1][i + 1])\n}\n"
               "k <- 2\nlast <- c(10, 20, 30)[(k - 1) * 2 + 1]\n", complete=True)
    assert list(ns["acc"]) == [4.0, 5.0]       # gen rows 4, 16, 25: positions 2 and 3
    assert ns["last"] == 30


#: nlme's Rail data (Devore 2000, via Pinheiro & Bates): travel time of ultrasonic waves,
#: three measurements on each of six rails
RAIL = pd.DataFrame({"Rail": [str(r) for r in (1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5,
                                                6, 6, 6)],
                     "travel": [55, 53, 54, 26, 37, 32, 78, 91, 85, 92, 100, 96, 49, 51, 50,
                                80, 85, 83]})


def test_lucid_vc_of_an_asreml_fit() -> None:
    """kwstat/lucid tests/testthat/test_vc.r records asreml's vc() of
    ``asreml(travel ~ 1, random = ~ Rail, data = Rail)`` (tolerance 0.1): effect Rail,
    units!R; component 615.74, 16.18; std.error 391.58, 6.61; z.ratio 1.57, 2.45. The REML
    optimum (lme's 615.31, 16.17; closed form of the balanced one-way layout below) is
    what asr_py gives."""
    ns = run_r("m1a <- asreml(travel ~ 1, random = ~ Rail, data = Rail)\nv <- vc(m1a)",
               complete=True, Rail=RAIL)
    v = ns["v"]
    assert list(v.columns[:4]) == ["effect", "component", "std.error", "z.ratio"]
    assert str(v["effect"].iloc[0]).startswith("Rail")
    # balanced one-way REML: sigma2 = MS_within, sigma2_rail = (MS_between - MS_within) / 3
    g = RAIL.groupby("Rail")["travel"]
    ms_w = ((RAIL["travel"] - g.transform("mean")) ** 2).sum() / (18 - 6)
    ms_b = 3 * ((g.mean() - RAIL["travel"].mean()) ** 2).sum() / 5
    assert v["component"].tolist() == pytest.approx([(ms_b - ms_w) / 3, ms_w], rel=1e-4)
    rec = np.array([[615.74, 391.58, 1.57], [16.18, 6.61, 2.45]])
    ours = v[["component", "std.error", "z.ratio"]].to_numpy(dtype=float)
    assert np.abs(ours - rec).sum() / np.abs(rec).sum() < 0.1


def test_relocate_and_pivot_longer() -> None:
    d = pd.DataFrame({"id": ["r1", "r2"], "a1": [1.0, 2.0], "a2": [3.0, np.nan],
                      "y": ["u", "v"]})
    ns = run_r("x1 <- d |> relocate(y, .before = a1)\nx2 <- relocate(d, c(y, a2))\n"
               "x3 <- relocate(d, id, .after = 'a2')\n"
               "l <- d %>% pivot_longer(cols = c(a1, a2), names_to = 'trait',\n"
               "  values_to = 'val')\n"
               "l2 <- pivot_longer(d, starts_with('a'), names_prefix = 'a',\n"
               "  values_drop_na = TRUE)", complete=True, d=d)
    assert list(ns["x1"].columns) == ["id", "y", "a1", "a2"]
    assert list(ns["x2"].columns) == ["y", "a2", "id", "a1"]
    assert list(ns["x3"].columns) == ["a1", "a2", "id", "y"]
    lg = ns["l"]
    # one row per (row, column), row after row; the other columns repeated
    assert list(lg.columns) == ["id", "y", "trait", "val"]
    assert lg["id"].tolist() == ["r1", "r1", "r2", "r2"]
    assert lg["trait"].tolist() == ["a1", "a2", "a1", "a2"]
    assert lg["val"].tolist()[:3] == [1.0, 3.0, 2.0] and np.isnan(lg["val"].iloc[3])
    assert ns["l2"]["name"].tolist() == ["1", "2", "1"]
    assert ns["l2"]["value"].tolist() == [1.0, 3.0, 2.0]


def test_masks_from_str_detect_and_negated_grepl() -> None:
    """``names(d)[str_detect(names(d), "obs_")]``, ``x[!str_detect(x, "-")]`` (Cassava2050
    GGBC.R): logical masks; names() is a list, masked by position."""
    d = pd.DataFrame({"id": ["a-1", "b", "c-2"], "obs_dm": [1, 2, 3], "obs_fy": [4, 5, 6]})
    ns = run_r("n <- names(d)[str_detect(names(d), 'obs_')]\n"
               "g <- names(d)[grepl('obs_', names(d))]\n"
               "k <- d$id[!grepl('-', d$id)]\nj <- d$id[!str_detect(d$id, '-')]",
               complete=True, d=d)
    assert list(ns["n"]) == ["obs_dm", "obs_fy"] and list(ns["g"]) == ["obs_dm", "obs_fy"]
    assert list(ns["k"]) == ["b"] and list(ns["j"]) == ["b"]


def test_summarise_of_a_missing_column_is_a_clear_error(env: dict) -> None:
    with pytest.raises(AsrError, match="'m' reads 'zz', which is not a column"):
        run_r("s <- d %>% group_by(g) %>% summarise(m = mean(zz))", **env)


def test_str_replace_and_str_replace_all() -> None:
    d = pd.DataFrame({"x": ["a_b_c", "x_y", "plain"]})
    ns = run_r("a <- str_replace_all(d$x, '_', '-')\n"
               "b <- str_replace(d$x, '^(\\\\w)_', '\\\\1.')\n"
               "d <- d %>% mutate(y = str_replace_all(x, '[aeiou]', ''))", complete=True, d=d)
    assert list(ns["a"]) == ["a-b-c", "x-y", "plain"]
    assert list(ns["b"]) == ["a.b_c", "x.y", "plain"]       # the first match only
    assert ns["d"]["y"].tolist() == ["_b_c", "x_y", "pln"]


def test_summaries_of_a_column_with_na_are_na_as_in_r() -> None:
    """R's mean(d$y), sum(), max(), sd() of a vector holding NA are NA (na.rm = TRUE skips
    it); np.mean of a pandas column skipped NA silently."""
    d = pd.DataFrame({"y": [1.0, np.nan, 3.0], "k": [1, 2, 4], "s": ["b", "a", "c"]})
    ns = run_r("m <- mean(d$y)\nm2 <- mean(d$y, na.rm = TRUE)\ns <- sum(d$y)\n"
               "x <- max(d$y)\nv <- sd(d$y)\nk <- sum(d$k)\nmk <- mean(d$k)\n"
               "top <- max(d$s)\ng <- d %>% group_by(s) %>% summarise(m = mean(y))",
               complete=True, d=d)
    assert all(np.isnan(ns[n]) for n in ("m", "s", "x", "v"))
    assert ns["m2"] == 2.0 and ns["k"] == 7 and ns["mk"] == pytest.approx(7 / 3)
    assert ns["top"] == "c"
    assert np.isnan(ns["g"]["m"].iloc[0]) and ns["g"]["m"].iloc[1] == 1.0
